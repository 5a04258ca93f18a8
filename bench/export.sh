#!/usr/bin/env bash
# Static export speed: `dateline export static` against Debian's Hugo building the same
# articles with a simple theme (home, article pages, paginated section/tag/author lists,
# RSS), in the same run.
#
#   bench/export.sh [ARTICLES] [RUNS]      defaults: 2000 articles, 5 runs each, alternating
#
# Both get the same BBC-corpus articles (bench-data), Markdown bodies, 5 sections, 4 authors,
# ~200 tags, 10 per list page. Pages/s = HTML pages written / wall-clock seconds of the whole
# command, each using every core (Dateline's also renders Latest, Must Read, Related News, ads, JSON-LD on every page).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
runs=${2:-5}
scripts/deps.sh bench
scripts/build.sh build-release -Dbuildtype=release -Db_ndebug=true >/dev/null
bin=$PWD/build-release/dateline
# Both write to tmpfs when there is one: on this VM's ext4 both spend most of their time in
# the kernel allocating inodes, which says nothing about either program.
tmp=/tmp; [[ -d /dev/shm && -w /dev/shm ]] && tmp=/dev/shm
work=$(mktemp -d "$tmp/dateline-export.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin" init --db "$work/site.db" --posts-per-page 10 >/dev/null
"$bin" bench-data --db "$work/site.db" --articles "$n" --related >/dev/null 2>&1

# The same articles as a Hugo site.
mkdir -p "$work/hugo/content/posts" "$work/hugo/layouts/_default" "$work/hugo/layouts/partials"
/usr/bin/python3 - "$work/site.db" "$work/hugo" <<'EOF'
import json, os, sqlite3, sys, datetime
db, root = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
rows = con.execute("""
  SELECT a.id, a.slug, a.title, a.excerpt, a.body_source, a.published_at, c.name, u.name
  FROM articles a JOIN categories c ON c.id = a.category_id JOIN users u ON u.id = a.author_id
  WHERE a.status = 'published'""").fetchall()
for id_, slug, title, excerpt, body, published, cat, author in rows:
    tags = [t for (t,) in con.execute(
        "SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = ?", (id_,))]
    front = {"title": title, "slug": slug, "summary": excerpt,
             "date": datetime.datetime.utcfromtimestamp(published).isoformat() + "Z",
             "categories": [cat], "tags": tags, "authors": [author]}
    with open(os.path.join(root, "content", "posts", slug + ".md"), "w") as f:
        f.write(json.dumps(front, indent=1) + "\n\n" + body)
open(os.path.join(root, "config.toml"), "w").write('''
baseURL = "http://localhost/"
title = "Dateline bench"
paginate = 10
disableKinds = []
[taxonomies]
category = "categories"
tag = "tags"
author = "authors"
''')
L = os.path.join(root, "layouts")
open(os.path.join(L, "_default", "baseof.html"), "w").write('''<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">{{ range .AlternativeOutputFormats }}
<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">{{ end }}</head>
<body><header><p>{{ now.Format "Monday, January 2, 2006" }}</p><h1><a href="/">{{ .Site.Title }}</a></h1>
<nav>{{ range $name, $t := .Site.Taxonomies.categories }}<a href="{{ $t.Page.RelPermalink }}">{{ $name }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<aside><h2>Latest</h2><ul>{{ range first 5 (where .Site.RegularPages "Section" "posts") }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></aside>
</body></html>''')
open(os.path.join(L, "_default", "single.html"), "w").write('''{{ define "main" }}<article>
<p>{{ range .Params.categories }}<a href="{{ "categories/" | relURL }}{{ . | urlize }}/">{{ . }}</a>{{ end }}</p>
<h1>{{ .Title }}</h1><p>By {{ range .Params.authors }}<a href="{{ "authors/" | relURL }}{{ . | urlize }}/">{{ . }}</a>{{ end }},
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
{{ .Content }}
<p>{{ range .Params.tags }}<a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
<h2>Related</h2><ul>{{ range first 5 (.Site.RegularPages.Related .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</article>{{ end }}''')
open(os.path.join(L, "_default", "list.html"), "w").write('''{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}
{{ with .Paginator }}{{ if .HasPrev }}<a href="{{ .Prev.URL }}">Newer</a>{{ end }} {{ if .HasNext }}<a href="{{ .Next.URL }}">Older</a>{{ end }}{{ end }}
{{ end }}''')
open(os.path.join(L, "index.html"), "w").write('''{{ define "main" }}{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}{{ end }}''')
EOF

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
d_rates=() h_rates=()
for i in $(seq "$runs"); do
  rm -rf "$work/d-out" "$work/h-out"
  t0=$(now); "$bin" export static "$work/d-out" --db "$work/site.db" >/dev/null; t1=$(now)
  pages=$(find "$work/d-out" -name '*.html' | wc -l)
  d_rates+=("$(echo "$pages / ($t1 - $t0)" | bc -l)")
  t0=$(now); (cd "$work/hugo" && hugo --quiet -d "$work/h-out" >/dev/null 2>&1); t1=$(now)
  hpages=$(find "$work/h-out" -name '*.html' | wc -l)
  h_rates+=("$(echo "$hpages / ($t1 - $t0)" | bc -l)")
  printf 'run %d: dateline %d pages %.0f pages/s | hugo %d pages %.0f pages/s\n' "$i" "$pages" \
    "${d_rates[-1]}" "$hpages" "${h_rates[-1]}"
done
dm=$(printf '%s\n' "${d_rates[@]}" | median)
hm=$(printf '%s\n' "${h_rates[@]}" | median)
printf 'median: dateline %.0f pages/s, hugo %.0f pages/s, ratio %.1fx (%s articles, %s runs; %s)\n' \
  "$dm" "$hm" "$(echo "$dm / $hm" | bc -l)" "$n" "$runs" "$(hugo version | cut -d' ' -f2)"
