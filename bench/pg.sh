#!/usr/bin/env bash
# Uncached article pages on PostgreSQL vs SQLite, one node each, in the same run;
# then two nodes on one PostgreSQL, loaded together.
#
#   bench/pg.sh [ARTICLES] [RUNS]     defaults: 100000 articles, 3 runs each
#
# Builds a release binary, makes a SQLite database (the demo newsroom plus ARTICLES
# generated from the BBC corpus, kept in bench/results/), starts a throwaway
# PostgreSQL 15 cluster (scripts/pg.sh), copies the site into it with
# `dateline migrate`, and alternates wrk -t1 -c64 -d10s runs against Dateline on
# SQLite and on PostgreSQL (both --cache-size 0: every request renders and reads
# the database). Then two PostgreSQL nodes (one worker thread each) are loaded at
# once (wrk -c32 each) and their req/s added up. Raw wrk output and a summary go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
articles=${1:-100000}
runs=${2:-3}
out=bench/results
mkdir -p "$out"
work=$(mktemp -d /tmp/dateline-pgbench.XXXXXX)
pgdir=$(mktemp -d /tmp/dateline-pgbench-pg.XXXXXX)  # its own: the cluster's owner must reach it
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$work" "$pgdir"
}
trap cleanup EXIT

scripts/deps.sh bench
scripts/build.sh build-release -Dbuildtype=release -Db_ndebug=true >/dev/null
bin=build-release/dateline
db=$out/bench-plain-$articles.db
if [[ ! -f $db ]]; then
  rm -f "$db"*
  start=$(date +%s.%N)
  $bin demo --db "$db" >/dev/null
  $bin bench-data --db "$db" --articles "$articles"
  echo "SQLite database built in $(echo "$(date +%s.%N) - $start" | bc) s: $(du -h "$db" | cut -f1)"
fi

cluster=$(scripts/pg.sh start "$pgdir")
psql -q "${cluster}postgres" -c "CREATE DATABASE bench"
pg=${cluster}bench
start=$(date +%s.%N)
$bin migrate --from "sqlite:$db" --to "$pg" >/dev/null
echo "copied into PostgreSQL in $(echo "$(date +%s.%N) - $start" | bc) s ($(psql -Atq "$pg" -c \
  "SELECT pg_size_pretty(pg_database_size('bench'))"))"
psql -q "$pg" -c "ANALYZE"

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
serve() {  # serve DB PORT LOG [THREADS]
  $bin serve --db "$1" --listen 127.0.0.1:"$2" --admin-listen off --access-log off \
    --cache-size 0 --no-scheduler --threads "${4:-0}" 2>"$work/$3.log" &
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$2/" && return; sleep 0.1; done
  echo "server on $1 did not start:" >&2; cat "$work/$3.log" >&2; exit 1
}
port_sq=$(free_port) port_pg=$(free_port) port_pga=$(free_port) port_pg2=$(free_port)
serve "$db" "$port_sq" sqlite
serve "$pg" "$port_pg" pg
# The pair gets one worker thread each: together as many as the single node has (one per
# core), so the comparison is one process against two on the same cores.
serve "$pg" "$port_pga" pga 1
serve "$pg" "$port_pg2" pg2 1

# One article from the middle of the archive, the same on both stores.
path=$(sqlite3 "$db" "SELECT '/' || c.slug || '/' || a.slug || '/' FROM articles a
  JOIN categories c ON c.id = a.category_id WHERE a.status = 'published'
  ORDER BY a.id LIMIT 1 OFFSET $((articles / 2))")
for port in "$port_sq" "$port_pg" "$port_pga" "$port_pg2"; do
  got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")
  [[ $got == 200 ]] || { echo "port $port answered $got for $path" >&2; exit 1; }
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
log=$out/pg-$stamp.txt
{
  echo "# uncached article page, $articles generated articles + demo; $(nproc) cores; $(date -u)"
  echo "# page: $path; wrk -t1 -c64 -d10s; dateline $($bin --version); $(psql -Atq "$pg" -c 'SHOW server_version')"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$log"
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
check() {
  if grep -q "Non-2xx\|Socket errors" "$@"; then
    echo "errors in a run:" >&2; cat "$@" >&2; exit 1
  fi
}
sq=() pgr=() two=()
for i in $(seq "$runs"); do
  wrk -t1 -c64 -d10s "http://127.0.0.1:$port_sq$path" >"$work/sq.$i" 2>&1
  wrk -t1 -c64 -d10s "http://127.0.0.1:$port_pg$path" >"$work/pg.$i" 2>&1
  wrk -t1 -c32 -d10s "http://127.0.0.1:$port_pga$path" >"$work/a.$i" 2>&1 &
  other=$!
  wrk -t1 -c32 -d10s "http://127.0.0.1:$port_pg2$path" >"$work/b.$i" 2>&1
  wait "$other"
  check "$work/sq.$i" "$work/pg.$i" "$work/a.$i" "$work/b.$i"
  sq+=("$(rps "$work/sq.$i")") pgr+=("$(rps "$work/pg.$i")")
  two+=("$(echo "$(rps "$work/a.$i") + $(rps "$work/b.$i")" | bc)")
  { echo "## run $i SQLite"; cat "$work/sq.$i"; echo "## run $i PostgreSQL, one node"; cat "$work/pg.$i"
    echo "## run $i PostgreSQL, node A of two"; cat "$work/a.$i"
    echo "## run $i PostgreSQL, node B of two"; cat "$work/b.$i"; } >>"$log"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
msq=$(median "${sq[@]}") mpg=$(median "${pgr[@]}") mtwo=$(median "${two[@]}")
summary="uncached article: SQLite median ${msq} req/s (runs: ${sq[*]}); PostgreSQL one node median ${mpg} req/s (runs: ${pgr[*]}), ratio $(echo "scale=2; $mpg / $msq" | bc); two PostgreSQL nodes together median ${mtwo} req/s (runs: ${two[*]}); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$summary" | tee -a "$log"
echo "raw output: $log"
