#!/usr/bin/env bash
# Throughput of each kind of public page, uncached, on the bench database
# (run bench/article.sh first: it builds the release binary and the data).
#
#   bench/pages.sh [ARTICLES] [RUNS]     defaults: 10000 articles, 3 runs each
#
# wrk -t1 -c64 -d10s per page per run; prints the median req/s of each.
set -euo pipefail
cd "$(dirname "$0")/.."
articles=${1:-10000}
runs=${2:-3}
db=bench/results/bench-$articles.db
bin=build-release/dateline
[[ -f $db && -x $bin ]] || { echo "run bench/article.sh $articles first" >&2; exit 1; }
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$bin serve --db "$db" --listen 127.0.0.1:$port --access-log off --cache-size 0 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.1; done

article=$(sqlite3 "$db" "SELECT '/' || c.slug || '/' || a.slug || '/' FROM articles a
  JOIN categories c ON c.id = a.category_id WHERE a.status = 'published'
  ORDER BY a.id LIMIT 1 OFFSET $((articles / 2))")
pages=("$article" "/" "/category/business/" "/category/business/?page=50" "/feed/"
       "/wp-json/wp/v2/posts?per_page=10"
       "/search/?q=economy+growth" "/sitemap/news.xml")
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
out=bench/results/pages-$(date -u +%Y%m%dT%H%M%SZ).txt
echo "# $articles articles, $(nproc) cores, $(date -u); wrk -t1 -c64 -d10s, median of $runs" | tee "$out"
for path in "${pages[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$port$path")
  rs=()
  for _ in $(seq "$runs"); do
    rs+=("$(wrk -t1 -c64 -d10s "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}')")
  done
  printf '%-50s %s  %10s req/s  (runs: %s)\n' "$path" "$code" "$(median "${rs[@]}")" "${rs[*]}" | tee -a "$out"
done
