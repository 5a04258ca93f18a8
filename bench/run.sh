#!/usr/bin/env bash
# `make bench`: every benchmark in bench/, results under bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/article.sh "$@"
bench/pages.sh "$@"
