#!/usr/bin/env bash
# WordPress import speed and memory: wall time and peak RSS (GNU time -v) of
# `dateline import wxr` into a fresh database, for the real 2,000-post
# WordPress 6.1 export and a generated export of N posts.
#
#   bench/wxr.sh [N] [RUNS]     defaults: 100000 posts, 3 runs each
#
# Prints the median of each; raw numbers go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
posts=${1:-100000}
runs=${2:-3}
out=bench/results
mkdir -p "$out"
work=$(mktemp -d /tmp/dateline-wxr.XXXXXX)
trap 'rm -rf "$work"' EXIT

scripts/deps.sh bench
scripts/build.sh build-release -Dbuildtype=release -Db_ndebug=true >/dev/null
bin=build-release/dateline
xz -dc ../shared/conformance/wxr/wordpress-6.1-export-2000-posts.xml.xz > "$work/wp-2000.xml"
/usr/bin/python3 bench/wxr_gen.py "$posts" > "$work/gen-$posts.xml"

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
log=$out/wxr-$(date -u +%Y%m%dT%H%M%SZ).txt
echo "# dateline import wxr, fresh database each run, $(nproc) cores, $(date -u); median of $runs" | tee "$log"
for file in "$work/wp-2000.xml" "$work/gen-$posts.xml"; do
  secs=() rss=()
  for _ in $(seq "$runs"); do
    rm -f "$work"/db*
    /usr/bin/time -v "$bin" import wxr "$file" --db "$work/db" >"$work/out" 2>"$work/time"
    secs+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$work/time")")
    rss+=("$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time")")
  done
  printf '%-22s %8s MB  %s  time %6s s (runs: %s)  peak RSS %6s MB (runs: %s)\n' \
    "$(basename "$file")" "$(du -m "$file" | cut -f1)" "$(grep -o '[0-9]* posts' "$work/out")" \
    "$(median "${secs[@]}")" "${secs[*]}" "$(median "${rss[@]}")" "${rss[*]}" | tee -a "$log"
done
