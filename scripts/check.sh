#!/usr/bin/env bash
# `make check`: every test suite, on a normal build and under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test

run_suites() {
  local dir=$1
  echo "== unit tests ($dir)"
  meson test -C "$dir" --suite unit --print-errorlogs
  echo "== black-box tests ($dir)"
  DATELINE_BIN="$PWD/$dir/dateline" /usr/bin/python3 -m pytest -q -W ignore::DeprecationWarning tests/blackbox
  echo "== black-box tests on PostgreSQL ($dir)"
  DATELINE_TEST_DB=postgresql DATELINE_BIN="$PWD/$dir/dateline" \
    /usr/bin/python3 -m pytest -q -W ignore::DeprecationWarning tests/blackbox
  echo "== client tests ($dir)"
  (cd tests/js && DATELINE_BIN="$PWD/../../$dir/dateline" node --test)
}

# One throwaway PostgreSQL cluster for both builds' PostgreSQL passes (each test makes its
# own database in it), stopped and removed however the run ends.
pgdir=$(mktemp -d /tmp/dateline-pg.XXXXXX)  # /tmp: the postgres user must reach it
# A failed run shows the cluster's own errors first (the log goes with the folder).
trap 'rc=$?; if [[ $rc -ne 0 && -f $pgdir/log ]]; then echo "== PostgreSQL errors (last 40)";
  grep -E -A2 "ERROR|FATAL|PANIC" "$pgdir/log" | tail -40; fi; scripts/pg.sh stop "$pgdir"' EXIT
trap 'exit 130' INT TERM  # through the EXIT trap: the cluster goes with an interrupted run too
DATELINE_TEST_PG=$(scripts/pg.sh start "$pgdir")
export DATELINE_TEST_PG
export DATELINE_TEST_PG_DIR=$pgdir  # the node tests stop and restart the cluster

# Third-party clients (npm `wpapi`) and the Nu HTML Checker (npm `vnu-jar`),
# pinned by tests/js/package-lock.json.
(cd tests/js && npm ci --no-audit --no-fund --silent)

scripts/build.sh build
run_suites build

# The sanitizer build: any leak, overflow or undefined behaviour fails the run.
scripts/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debug
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run_suites build-asan

# Every saved fuzz input (fixed crashers included) again, then each driver briefly.
echo "== fuzz (clang libFuzzer + ASan/UBSan)"
scripts/fuzz.sh check
echo "== all suites passed"
