#!/usr/bin/env bash
# Soak: MINUTES of mixed reading at full speed while a writer publishes through the API.
#
#   bench/soak.sh [MINUTES] [ARTICLES]     defaults: 10 minutes, 10000 articles
#
# Builds a release binary; takes the database bench/results/bench-plain-ARTICLES.db (the
# demo newsroom plus `bench-data --articles ARTICLES`, as bench/pg.sh makes it; or
# bench-ARTICLES.db, with Related News, from bench/article.sh), building the first if neither
# is there, and works on a copy of it (the soak writes). Starts one `dateline serve` on free
# loopback ports, page cache on (the default), access log off. Then, for MINUTES:
#   - five wrk processes (Lua scripts rotating through shuffled path lists): 300 article
#     pages; home, section, tag and author archives (several pages each); search (20 real
#     queries, some page 2); feeds (RSS, Atom, JSON, section/tag/author feeds); and a
#     one-connection "fresh" reader of the writer's newest stories (expects 200), the ones
#     it unpublished and paths that never existed (both expect 404: the intended 404s);
#   - bench/soak_load.py: one write a second through /api/v1/articles (a story published;
#     every third second a read article's dek updated instead; about one second in five,
#     one of its stories unpublished). Each write moves the content generation: every cached
#     page misses once after it. It samples the server's VmRSS, RssAnon, RssFile, Pss, the
#     database's mappings and open descriptors every 10 s into samples.csv.
# Reports requests, errors, req/s, latency, memory and descriptors at warm-up (the first
# minute) vs the end, liveness and the server's warnings; exits 1 if a criterion fails.
# Everything goes to bench/results/soak-STAMP/ (samples.csv, wrk output, server log, report).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
articles=${2:-10000}
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 1 && $articles =~ ^[0-9]+$ ]] ||
  { echo "usage: bench/soak.sh [MINUTES] [ARTICLES]" >&2; exit 2; }
seconds=$((minutes * 60))
py=/usr/bin/python3  # Debian's, with python3-requests
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/soak-$stamp
mkdir -p "$out"
work=$(mktemp -d /tmp/dateline-soak.XXXXXX)
srv=
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

scripts/deps.sh bench
scripts/build.sh build-release -Dbuildtype=release -Db_ndebug=true >/dev/null
bin=build-release/dateline
src=bench/results/bench-plain-$articles.db
[[ ! -f $src && -f bench/results/bench-$articles.db ]] && src=bench/results/bench-$articles.db
if [[ ! -f $src ]]; then
  rm -f "$src"*
  start=$(date +%s.%N)
  $bin demo --db "$src" >/dev/null
  $bin bench-data --db "$src" --articles "$articles" 2>&1 | grep -v warning
  echo "database built in $(echo "$(date +%s.%N) - $start" | bc) s: $(du -h "$src" | cut -f1)"
fi
db=$work/soak.db
sqlite3 "$src" ".backup '$db'"
echo "soak: $minutes min on a copy of $src ($(du -h "$db" | cut -f1))"

free_port() {
  $py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
pp=$(free_port) pa=$(free_port)
pub=http://127.0.0.1:$pp adm=http://127.0.0.1:$pa
email=soak@example.org pw=soak-password-$stamp
$bin user add --db "$db" --role editor --name "Soak Desk" --password-stdin "$email" <<<"$pw" >/dev/null
$bin serve --db "$db" --listen 127.0.0.1:$pp --admin-listen 127.0.0.1:$pa --access-log off \
  2>"$out/server.log" &
srv=$!
for _ in $(seq 100); do curl -sf -o /dev/null "$pub/healthz" && break; sleep 0.1; done
curl -sf -o /dev/null "$pub/healthz" || { echo "the server did not start:" >&2; cat "$out/server.log" >&2; exit 1; }

# ---- what the readers read: path lists from the database ----
q() { sqlite3 "$db" "$1"; }
q "SELECT a.id || ' /' || c.slug || '/' || a.slug || '/' FROM articles a
   JOIN categories c ON c.id = a.category_id WHERE a.status = 'published'
   ORDER BY (a.id * 2654435761) % 1000003 LIMIT 300" >"$work/articles.txt"
cut -d' ' -f2 "$work/articles.txt" >"$work/paths-articles.txt"
{
  echo /
  q "SELECT c.slug, s.published FROM section_counts s JOIN categories c ON c.id = s.category_id
     WHERE s.published > 0" | while IFS='|' read -r slug n; do
    echo "/category/$slug/"
    for p in 2 3 5 20; do if (( n > (p - 1) * 10 )); then echo "/category/$slug/?page=$p"; fi; done
  done
  q "SELECT t.slug, COUNT(*) FROM tags t JOIN article_tags x ON x.tag_id = t.id
     GROUP BY t.id ORDER BY 2 DESC, t.slug LIMIT 20" | while IFS='|' read -r slug n; do
    echo "/tag/$slug/"
    if (( n > 10 )); then echo "/tag/$slug/?page=2"; fi
  done
  q "SELECT u.slug, COUNT(*) FROM users u JOIN articles a ON a.author_id = u.id
     WHERE a.status = 'published' GROUP BY u.id ORDER BY 2 DESC" | while IFS='|' read -r slug n; do
    echo "/author/$slug/"
    if (( n > 10 )); then echo "/author/$slug/?page=2"; fi
    if (( n > 100 )); then echo "/author/$slug/?page=9"; fi
  done
} >"$work/paths-archives.txt"
queries=("economy+growth" "election" "mobile+phone" "film+award" "oil+prices" "interest+rates"
  "champions+league" "labour+party" "broadband" "music" "tax" "world+cup" "video+games"
  "stock+market" "%22prime+minister%22" "chelsea" "microsoft" "budget+deficit" "olympic"
  "box+office")
{
  for qq in "${queries[@]}"; do echo "/search/?q=$qq"; done
  for qq in economy+growth election music tax; do echo "/search/?q=$qq&page=2"; done
} >"$work/paths-search.txt"
toptag=$(q "SELECT t.slug FROM tags t JOIN article_tags x ON x.tag_id = t.id GROUP BY t.id
  ORDER BY COUNT(*) DESC, t.slug LIMIT 1")
topauthor=$(q "SELECT u.slug FROM users u JOIN articles a ON a.author_id = u.id GROUP BY u.id
  ORDER BY COUNT(*) DESC LIMIT 1")
printf '%s\n' /feed/ /feed/atom/ /feed/json/ /feed/rss2/ /category/business/feed/ \
  /category/sport/feed/atom/ "/tag/$toptag/feed/" "/author/$topauthor/feed/json/" \
  >"$work/paths-feeds.txt"
# The fresh reader's first list (soak_load.py rewrites it every second): a few stories that
# exist and paths that never did.
{
  head -3 "$work/paths-articles.txt" | sed 's/^/200 /'
  for i in $(seq 10); do echo "404 /no-such-section/no-such-story-$i/"; done
  echo "404 /business/no-such-story/"
  echo "404 /tag/no-such-tag/"
} >"$work/fresh.txt"
cp "$work/articles.txt" "$work/fresh.txt" "$out/"
for f in "$work"/paths-*.txt; do cp "$f" "$out/"; done

# Every path answers 200 before the load starts (404 for the intended ones).
while read -r path; do
  got=$(curl -s -o /dev/null -w '%{http_code}' "$pub$path")
  [[ $got == 200 ]] || { echo "soak: $path answered $got before the load" >&2; exit 1; }
done < <(cat "$work"/paths-*.txt)
while read -r want path; do
  got=$(curl -s -o /dev/null -w '%{http_code}' "$pub$path")
  [[ $got == "$want" ]] || { echo "soak: $path answered $got, expected $want" >&2; exit 1; }
done <"$work/fresh.txt"
echo "soak: $(cat "$work"/paths-*.txt | wc -l) distinct reader paths checked" \
  "($(wc -l <"$work/paths-articles.txt") articles, $(wc -l <"$work/paths-archives.txt") archives," \
  "$(wc -l <"$work/paths-search.txt") searches, $(wc -l <"$work/paths-feeds.txt") feeds)"

# ---- the wrk scripts ----
cat >"$work/rotate.lua" <<'LUA'
-- wrk -s rotate.lua URL -- PATHS_FILE SEED: every request the next path of the shuffled list.
local paths, idx = {}, 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(tonumber(args[2]))
  for i = #paths, 2, -1 do
    local j = math.random(i)
    paths[i], paths[j] = paths[j], paths[i]
  end
  idx = math.random(#paths)
end
function request()
  idx = idx % #paths + 1
  return wrk.format(nil, paths[idx])
end
LUA
cat >"$work/fresh.lua" <<'LUA'
-- wrk -t1 -c1 -s fresh.lua URL -- FRESH_FILE: "STATUS PATH" lines, reread once a second;
-- each answer is checked against the status its path expects (one connection, so each
-- response belongs to the last request).
local list, idx, last, loaded = {}, 0, nil, -1
ok, intended, bad, examples = 0, 0, 0, ""
local file
local function load()
  local f = io.open(file)
  if not f then return end
  local new = {}
  for line in f:lines() do
    local want, path = line:match("^(%d+) (%S+)$")
    if want then new[#new + 1] = { tonumber(want), path } end
  end
  f:close()
  if #new > 0 then list = new end
end
function init(args) file = args[1]; load() end
function request()
  local now = os.time()
  if now ~= loaded then loaded = now; load() end
  idx = idx % #list + 1
  last = list[idx]
  return wrk.format(nil, last[2])
end
function response(status, headers, body)
  if status == last[1] then
    if status == 404 then intended = intended + 1 else ok = ok + 1 end
  else
    bad = bad + 1
    if bad <= 5 then examples = examples .. string.format("%s: %d, expected %d; ", last[2], status, last[1]) end
  end
end
LUA
# Both print one line with the counts and 1,000 latency quantiles (µs) for the report.
done_lua=$(cat <<'LUA'
local threads = {}
function setup(thread) threads[#threads + 1] = thread end
function done(summary, latency, requests)
  local e, q = summary.errors, {}
  for i = 0, 999 do q[#q + 1] = string.format("%.0f", latency:percentile((i + 0.5) / 10)) end
  local extra = ""
  if threads[1]:get("bad") ~= nil then
    local bad, intended, ok, ex = 0, 0, 0, ""
    for _, t in ipairs(threads) do
      bad = bad + t:get("bad"); intended = intended + t:get("intended"); ok = ok + t:get("ok")
      ex = ex .. t:get("examples")
    end
    extra = string.format(',"bad":%d,"intended_404":%d,"ok":%d,"examples":"%s"', bad, intended, ok,
      (ex:gsub('"', "'")))
  end
  io.write(string.format('SOAK {"requests":%d,"duration_us":%d,"bytes":%.0f,"connect":%d,' ..
    '"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%.0f,"p99":%.0f,"max":%.0f%s,"q":[%s]}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max, extra,
    table.concat(q, ",")))
end
LUA
)
echo "$done_lua" >>"$work/rotate.lua"
echo "$done_lua" >>"$work/fresh.lua"

# ---- the run ----
declare -A conns=([articles]=12 [archives]=8 [search]=4 [feeds]=4 [fresh]=1)
declare -A enc=([articles]="gzip, deflate, br" [archives]="gzip, deflate, br" [search]="gzip, deflate, br"
  [feeds]="gzip" [fresh]="gzip, deflate, br")
classes=(articles archives search feeds fresh)
fdlist() {  # what each descriptor is, socket and pipe numbers dropped
  for f in /proc/$srv/fd/*; do readlink "$f"; done | sed 's/:\[[0-9]*\]$//' | sort
}
fdlist >"$out/fds-before.txt"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "soak: load average $load_before; $minutes min of load from $(date -u +%H:%M:%S) UTC"
cp "$work/fresh.txt" "$work/fresh.start"
pids=()
seed=1
for c in "${classes[@]}"; do
  if [[ $c == fresh ]]; then
    args=(-s "$work/fresh.lua" "$pub/" -- "$work/fresh.txt")
  else
    args=(-s "$work/rotate.lua" "$pub/" -- "$work/paths-$c.txt" $((seed++)))
  fi
  timeout $((seconds + 60)) wrk -t1 -c"${conns[$c]}" -d"$((seconds + 3))s" -H "Accept-Encoding: ${enc[$c]}" \
    "${args[@]}" >"$out/wrk-$c.out" 2>&1 &
  pids+=($!)
done
timeout $((seconds + 120)) $py bench/soak_load.py run "$adm" "$pub" "$email" "$pw" "$srv" "$seconds" \
  "$work" >"$out/writer.out" 2>&1 &
writer=$!
status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
wait "$writer" || { echo "soak: the writer failed:" >&2; cat "$out/writer.out" >&2; status=1; }
cp "$work/samples.csv" "$work/writer.json" "$work/fresh.txt" "$out/" 2>/dev/null || true
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
sleep 2  # the connections wrk left close
alive=false alive_detail="the process is gone"
if kill -0 "$srv" 2>/dev/null; then
  fdlist >"$out/fds-after.txt"
  got=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$pub/healthz")
  alive_detail="process running, /healthz answered $got"
  [[ $got == 200 ]] && alive=true
  curl -s -m 5 "$adm/metrics" >"$out/metrics.txt" || true
else
  : >"$out/fds-after.txt"
fi
cat >"$out/state.json" <<JSON
{"minutes": $minutes, "seconds": $seconds, "articles": $articles, "nproc": $(nproc),
 "classes": ["articles", "archives", "search", "feeds", "fresh"],
 "connections": {"articles": ${conns[articles]}, "archives": ${conns[archives]},
                 "search": ${conns[search]}, "feeds": ${conns[feeds]}, "fresh": ${conns[fresh]}},
 "alive": $alive,
 "alive_detail": "$alive_detail", "load_before": "$load_before", "load_after": "$load_after"}
JSON
cat "$out/writer.out"
rc=0
$py bench/soak_load.py report "$out" | tee "$out/report.md" || rc=1
[[ $status == 0 ]] || { echo "soak: a load process exited with status $status" >&2; rc=1; }
echo "results: $out"
exit $rc
