#!/usr/bin/env bash
# Article-page throughput in one run with the same wrk settings:
#   - Dateline with its page cache (the default), gzip requested;
#   - nginx serving the same page's bytes from disk, gzip requested (gzip_static: the
#     page saved with its .gz next to it, so nginx compresses nothing per request either);
#   - Dateline with the cache off (--cache-size 0), identity: every request renders.
#
#   bench/article.sh [ARTICLES] [RUNS]     defaults: 10000 articles, 3 runs each
#
# Builds a release binary, makes a database (the demo newsroom plus ARTICLES
# generated from the BBC corpus), starts the servers on loopback, alternates
# wrk -t1 -c64 -d10s runs between them and prints medians. Raw wrk output and
# a summary go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
articles=${1:-10000}
runs=${2:-3}
out=bench/results
mkdir -p "$out"
work=$(mktemp -d /tmp/dateline-bench.XXXXXX)
chmod 755 "$work"  # nginx's workers run as www-data
trap 'kill $(jobs -p) 2>/dev/null || true; [[ -f $work/nginx.pid ]] && kill $(cat $work/nginx.pid) 2>/dev/null || true; rm -rf "$work"' EXIT

scripts/deps.sh bench
scripts/build.sh build-release -Dbuildtype=release -Db_ndebug=true >/dev/null
bin=build-release/dateline
db=$out/bench-$articles.db
if [[ ! -f $db ]]; then
  rm -f "$db"*
  start=$(date +%s.%N)
  $bin demo --db "$db" >/dev/null
  $bin bench-data --db "$db" --articles "$articles" --related
  echo "database built in $(echo "$(date +%s.%N) - $start" | bc) s: $(du -h "$db" | cut -f1)"
fi

# Three free loopback ports (other benchmarks or servers may hold the usual ones).
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_dl=$(free_port) port_ng=$(free_port) port_un=$(free_port)
# No editorial listener: two servers would both try its default port, and one would exit.
$bin serve --db "$db" --listen 127.0.0.1:$port_dl --admin-listen off --access-log "$work/dateline.access.log" \
  2>"$work/dateline.log" &
$bin serve --db "$db" --listen 127.0.0.1:$port_un --admin-listen off --access-log "$work/uncached.access.log" \
  --cache-size 0 2>"$work/uncached.log" &
wait_up() {  # port, log: the server answers, or its log explains why not
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.1; done
  echo "the server on port $1 did not answer in 10 s; its log:" >&2; cat "$2" >&2; exit 1
}
wait_up "$port_dl" "$work/dateline.log"
wait_up "$port_un" "$work/uncached.log"
# Measure the steady state: each server's Related News keeper first lists every article's
# neighbours in the background (about a minute at 10,000 articles), using a core meanwhile.
t0=$(date +%s)
until grep -q "every article's neighbours listed" "$work/dateline.log" &&
      grep -q "every article's neighbours listed" "$work/uncached.log"; do
  (( $(date +%s) - t0 < 600 )) || { echo "Related News keepers not done in 600 s" >&2; exit 1; }
  sleep 1
done
echo "both servers' Related News keepers done $(( $(date +%s) - t0 )) s after start"

# One article from the middle of the archive: the page a reader arrives at from a link.
path=$(sqlite3 "$db" "SELECT '/' || c.slug || '/' || a.slug || '/' FROM articles a
  JOIN categories c ON c.id = a.category_id WHERE a.status = 'published'
  ORDER BY a.id LIMIT 1 OFFSET $((articles / 2))")
mkdir -p "$work/www$path"
curl -sf "http://127.0.0.1:$port_dl$path" -o "$work/www${path}index.html"
bytes=$(stat -c %s "$work/www${path}index.html")
curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port_dl$path" -o "$work/www${path}index.html.gz"
gzbytes=$(stat -c %s "$work/www${path}index.html.gz")
gzip -t <"$work/www${path}index.html.gz"  # really the gzip body

cat >"$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.error.log;
events { worker_connections 1024; }
http {
  access_log $work/nginx.access.log;
  types { text/html html; }
  default_type text/html;
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:$port_ng;
    root $work/www;
    index index.html;
    etag on;
    gzip_static on;
  }
}
NGINX
nginx -c "$work/nginx.conf"
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port_ng$path" && break; sleep 0.1; done
# Both must answer 200 with the same page, or the comparison means nothing
# (Dateline's size varies by a few bytes as the ads rotate).
gz=(-H 'Accept-Encoding: gzip')
# Every combination of the page's rotating ads rendered once (one cached body each).
for _ in $(seq 30); do curl -s "${gz[@]}" -o /dev/null "http://127.0.0.1:$port_dl$path"; done
got=$(curl -s "${gz[@]}" -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$port_ng$path")
[[ $got == "200 $gzbytes" ]] || { echo "nginx answered '$got', expected '200 $gzbytes'" >&2; exit 1; }
got=$(curl -s "${gz[@]}" -D - -o /dev/null "http://127.0.0.1:$port_dl$path" | tr -d '\r')
grep -q '^X-Cache: hit' <<<"$got" && grep -q '^Content-Encoding: gzip' <<<"$got" ||
  { echo "dateline did not answer a cached gzip page: $got" >&2; exit 1; }
got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port_un$path")
[[ $got == 200 ]] || { echo "dateline (uncached) answered '$got'" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
log=$out/article-$stamp.txt
{
  echo "# article page, $articles generated articles + demo; $(nproc) cores; $(date -u)"
  echo "# page: $path ($bytes bytes, $gzbytes gzipped); wrk -t1 -c64 -d10s; dateline $($bin --version)"
} >"$log"
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
dl=() ng=() un=()
for i in $(seq "$runs"); do
  wrk -t1 -c64 -d10s "${gz[@]}" "http://127.0.0.1:$port_dl$path" >"$work/dl.$i" 2>&1
  wrk -t1 -c64 -d10s "${gz[@]}" "http://127.0.0.1:$port_ng$path" >"$work/ng.$i" 2>&1
  wrk -t1 -c64 -d10s "http://127.0.0.1:$port_un$path" >"$work/un.$i" 2>&1
  if grep -q "Non-2xx" "$work/dl.$i" "$work/ng.$i" "$work/un.$i"; then
    echo "run $i had error responses:" >&2; cat "$work/dl.$i" "$work/ng.$i" "$work/un.$i" >&2; exit 1
  fi
  dl+=("$(rps "$work/dl.$i")") ng+=("$(rps "$work/ng.$i")") un+=("$(rps "$work/un.$i")")
  { echo "## run $i dateline (cached, gzip)"; cat "$work/dl.$i"; echo "## run $i nginx (gzip_static)"; cat "$work/ng.$i"
    echo "## run $i dateline (cache off, identity)"; cat "$work/un.$i"; } >>"$log"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mdl=$(median "${dl[@]}") mng=$(median "${ng[@]}") mun=$(median "${un[@]}")
# RssFile is mostly the memory-mapped database, shared with the page cache.
pid=$(pgrep -f "serve --db $db --listen 127.0.0.1:$port_dl" | head -1)
anon=$(awk '/RssAnon/ {print $2}' /proc/$pid/status)
file=$(awk '/RssFile/ {print $2}' /proc/$pid/status)
summary="cached dateline median ${mdl} req/s (runs: ${dl[*]}); nginx median ${mng} req/s (runs: ${ng[*]}); ratio $(echo "scale=2; $mdl / $mng" | bc); uncached dateline median ${mun} req/s (runs: ${un[*]}); cached dateline RSS after the runs: ${anon} KiB anonymous + ${file} KiB file-backed (mapped database)"
echo "$summary" | tee -a "$log"
echo "raw output: $log"
