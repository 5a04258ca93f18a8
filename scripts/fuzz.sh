#!/usr/bin/env bash
# Fuzz every parser of untrusted input with libFuzzer (clang, ASan+UBSan).
#   scripts/fuzz.sh [SECONDS]   `make fuzz`: each driver for SECONDS (default 60);
#                               new inputs join tests/fuzz/corpus/<driver>/, crashers
#                               land in tests/fuzz/crashes/<driver>/ (keep them)
#   scripts/fuzz.sh check       `make check`: replay every saved input, then each
#                               driver for 10 s on a scratch copy (the repo is untouched)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-60}

if [[ ! -f build-fuzz/build.ninja ]]; then
  CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debug -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C build-fuzz >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

drivers=$(cd build-fuzz/tests/fuzz && find . -maxdepth 1 -type f -executable -name 'fuzz_*' -printf '%f\n' | sort)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for d in $drivers; do
  corpus=tests/fuzz/corpus/$d crashes=tests/fuzz/crashes/$d
  mkdir -p "$corpus"
  if [[ $mode == check ]]; then
    # Every saved input, the fixed crashers included, must pass again.
    inputs=("$corpus")
    [[ -d $crashes ]] && inputs+=("$crashes")
    n=$(find "${inputs[@]}" -type f | wc -l)
    build-fuzz/tests/fuzz/$d -runs=0 "${inputs[@]}" >"$scratch/$d.replay.log" 2>&1 ||
      { cat "$scratch/$d.replay.log"; echo "fuzz: $d fails on a saved input"; exit 1; }
    cp -r "$corpus" "$scratch/$d"
    build-fuzz/tests/fuzz/$d -max_total_time=10 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$scratch/" "$scratch/$d" >"$scratch/$d.log" 2>&1 ||
      { tail -40 "$scratch/$d.log"; echo "fuzz: $d found a crash (input in the log above)"; exit 1; }
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$scratch/$d.log" | grep -o '[0-9]*$' ||
           grep -oE '#[0-9]+' "$scratch/$d.log" | tail -1 | tr -d '#')
    echo "fuzz: $d replayed $n saved inputs, then ran ${runs:-?} new executions in 10 s"
  else
    mkdir -p "$crashes"
    build-fuzz/tests/fuzz/$d -max_total_time="$mode" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" 2>&1 |
      grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' || true
    echo "fuzz: $d done ($(ls "$corpus" | wc -l) corpus inputs, $(ls "$crashes" | wc -l) crashers)"
  fi
done
