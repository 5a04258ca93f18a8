#!/usr/bin/env bash
# `make run`: install what is missing, build, create the demo site if there
# is no database yet, and serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh build
db=${DATELINE_DB:-./data/dateline.db}
if [[ ! -e "$db" ]]; then
  ./build/dateline demo --db "$db"
fi
echo "Open http://${DATELINE_LISTEN:-127.0.0.1:8080}/ in a browser; Ctrl-C stops the server."
exec ./build/dateline serve --db "$db"
