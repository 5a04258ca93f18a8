#!/usr/bin/env bash
# Install the Debian 12 packages Dateline needs that are missing.
#   scripts/deps.sh build   what building and running need
#   scripts/deps.sh test    plus what `make check` needs
#   scripts/deps.sh bench   plus what bench/ needs
set -euo pipefail

build=(gcc meson ninja-build pkg-config python3 tzdata
       libmicrohttpd-dev libsqlite3-dev libpq-dev libgumbo-dev libjansson-dev libsodium-dev
       zlib1g-dev libbrotli-dev libmd4c-dev libmd4c-html0-dev libstemmer-dev libvips-dev libxml2-dev)
test=(libcmocka-dev python3-pytest python3-requests python3-feedparser python3-lxml python3-pil
      python3-brotli curl chromium clang libclang-rt-14-dev
      # The PostgreSQL pass: a throwaway server (scripts/pg.sh; the package's own 15/main
      # cluster goes unused), psql, and psycopg2 for the tests' own queries.
      postgresql-15 postgresql-client-15 python3-psycopg2)
bench=(wrk nginx-light bc sqlite3 hugo)

want=("${build[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test[@]}") ;;
  bench) want+=("${test[@]}" "${bench[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

# Node.js (client tests) and Java (the Nu HTML Checker): Debian's, unless
# the machine already has them.
if [[ ${1:-build} != build ]]; then
  command -v node >/dev/null || want+=(nodejs npm)
  command -v java >/dev/null || want+=(default-jre-headless)
fi

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
