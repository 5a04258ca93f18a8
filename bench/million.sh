#!/usr/bin/env bash
# A large database: uncached latency of the main pages, search, memory, publish-to-visible.
#
#   bench/million.sh DB [ARTICLES]     ARTICLES default 1000000; DB is built if missing
#
# Builds DB with `bench-data --articles ARTICLES` (no Related News: a full rebuild at this
# size takes hours) and reports its time and size, then starts `dateline serve` twice on
# free loopback ports (cache off for latencies, cache on for publish-to-visible), waits
# until both have done their start-up work (Related News' index and its neighbour lists,
# minutes at 1M), measures with `wrk --latency -t1 -c8 -d10s`; then publishes PUBLISHES
# (default 10) stories through /api/v1 (full-text index and Related
# News in the request) with bench/million_publish.py, reporting each related_refresh's time
# from the server's debug log. BIN=PATH measures
# another binary (an older build, for a before/after on the same database).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:?usage: bench/million.sh DB [ARTICLES]}
n=${2:-1000000}
scripts/deps.sh bench
scripts/build.sh build-release -Dbuildtype=release -Db_ndebug=true >/dev/null
bin=${BIN:-build-release/dateline}
if [[ ! -f $db ]]; then
  /usr/bin/time -f "bench-data: %e s, %M KB peak RSS" "$bin" bench-data --db "$db" --articles "$n" 2>&1 |
    grep -v warning
fi
echo "database: $(du -h "$db" | cut -f1), $(sqlite3 "$db" 'SELECT COUNT(*) FROM articles') articles"

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
pu=$(free_port) pc=$(free_port) pa=$(free_port)
pw=bench-password-1m
"$bin" user add --db "$db" --role editor --password-stdin bench@example.org <<<"$pw" \
  >/dev/null 2>&1 || true  # already there from an earlier run
ulog=$(mktemp /tmp/dateline-million.XXXXXX.log)
"$bin" serve --db "$db" --listen 127.0.0.1:$pu --admin-listen off --access-log off --cache-size 0 \
  2>"$ulog" &
su=$!
log=$(mktemp /tmp/dateline-million.XXXXXX.log)
"$bin" serve --db "$db" --listen 127.0.0.1:$pc --admin-listen 127.0.0.1:$pa --access-log off \
  --log-level debug 2>"$log" &
sc=$!
trap 'kill $su $sc 2>/dev/null || true; rm -f "$log" "$ulog"' EXIT
for p in $pu $pc; do
  for _ in $(seq 200); do curl -sf -o /dev/null "http://127.0.0.1:$p/healthz" && break; sleep 0.1; done
done

article=$(sqlite3 "$db" "SELECT '/' || c.slug || '/' || a.slug || '/' FROM articles a
  JOIN categories c ON c.id = a.category_id WHERE a.id = (SELECT MAX(id) / 2 FROM articles)")
lat() {  # name path: p50 and p99 from wrk's latency distribution, and req/s
  local out
  out=$(wrk --latency -t1 -c8 -d10s "http://127.0.0.1:$pu$2")
  grep -q "Non-2xx" <<<"$out" && { echo "$1: error responses" >&2; echo "$out" >&2; exit 1; }
  printf '%-28s p50 %8s  p99 %8s  %8s req/s\n' "$1" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
}
# Measure the steady state: each server's Related News keeper first fills its index and then
# every indexed article's neighbour list in the background (minutes at this size, one core).
t0=$(date +%s)
until grep -q "every article's neighbours listed" "$log" && grep -q "every article's neighbours listed" "$ulog"; do
  sleep 1
done
echo "both servers' Related News keepers done $(( $(date +%s) - t0 )) s after start:"
grep -ho "Related News index:.*" "$ulog" "$log" | sed 's/^/  /'
echo "uncached, wrk --latency -t1 -c8 -d10s:"
lat "article" "$article"
lat "home" "/"
lat "section archive page 1" "/category/business/"
lat "search economy growth" "/search/?q=economy+growth"
lat "/feed/" "/feed/"
echo "uncached server RSS: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$su/status)" \
  "($(awk '/RssAnon/ {print $2}' /proc/$su/status) kB anonymous)"

# Publish-to-visible with the cache on: a story retitled and the content generation bumped
# (what every store write does) in one transaction; how long until the home page shows it.
curl -s -o /dev/null "http://127.0.0.1:$pc/"
id=$(sqlite3 "$db" "SELECT id FROM articles ORDER BY published_at DESC, id DESC LIMIT 1")
title="Breaking $(date +%s%N)"
t0=$(date +%s%N)
sqlite3 "$db" "BEGIN IMMEDIATE; UPDATE articles SET title = '$title' WHERE id = $id;
  UPDATE counters SET value = value + 1 WHERE name = 'content'; COMMIT;"
t1=$(date +%s%N)
until curl -s "http://127.0.0.1:$pc/" | grep -q "$title"; do :; done
t2=$(date +%s%N)
echo "publish-to-visible: commit took $(( (t1 - t0) / 1000000 )) ms; home showed it" \
  "$(( (t2 - t1) / 1000000 )) ms after the commit returned"
echo "cached server RSS with the index and lists filled: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$sc/status)" \
  "($(awk '/RssAnon/ {print $2}' /proc/$sc/status) kB anonymous)"
/usr/bin/python3 bench/million_publish.py "http://127.0.0.1:$pa" "http://127.0.0.1:$pc" \
  bench@example.org "$pw" ${PUBLISHES:-10}
# Each publish's related_refresh (read, analyse, index, compute, store), from the debug log.
ms=$(grep -o "related: article [0-9]*, [0-9]* related[^,]*, [0-9.]* ms" "$log" | awk '{print $(NF - 1)}')
echo "Related News per publish (ms): $(paste -sd' ' <<<"$ms" | sed 's/ / · /g')"
sort -n <<<"$ms" | awk '{ms[NR] = $1}
  END {print "Related News per publish: median " (NR % 2 ? ms[(NR + 1) / 2] : (ms[NR / 2] + ms[NR / 2 + 1]) / 2) " ms"}'
echo "cached server RSS: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$sc/status)" \
  "($(awk '/RssAnon/ {print $2}' /proc/$sc/status) kB anonymous," \
  "$(awk '/RssFile/ {print $2}' /proc/$sc/status) kB mapped file)"
