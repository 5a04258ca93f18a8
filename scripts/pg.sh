#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, in a folder of its own.
#   scripts/pg.sh start DIR   initdb + start on a free loopback port; prints the URL
#                             postgresql://dateline@127.0.0.1:PORT/ (append a database name;
#                             as it is, the URL names the empty database `dateline`)
#   scripts/pg.sh stop DIR    stop it and remove DIR
# DIR is made by the caller (mktemp -d) or created here. Debian's default cluster (15/main)
# is never used or touched.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
cmd=${1:-}
dir=${2:-}
[[ ( $cmd == start || $cmd == stop ) && -n $dir ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

# initdb and postgres refuse to run as root: as root (CI) the cluster belongs to Debian's
# `postgres` user; a developer's own account runs it directly.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ $cmd == stop ]]; then
  if [[ -f $dir/data/postmaster.pid ]]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$dir"
  exit 0
fi

[[ -x $bin/initdb ]] || { echo "$0: $bin/initdb not found (scripts/deps.sh test installs postgresql-15)" >&2; exit 1; }
mkdir -p "$dir"
[[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
chmod 700 "$dir"
as_owner test -w "$dir" || { echo "$0: $dir: the cluster's owner cannot write here" >&2; exit 1; }

# Trust on loopback only: a throwaway cluster that listens nowhere else needs no passwords.
if ! as_owner "$bin/initdb" -D "$dir/data" --auth=trust -U dateline --encoding=UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The port is free when chosen but could be taken before the server binds it: try a few.
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  # Later settings win over initdb's. fsync and friends off: a test cluster need not survive
  # a power cut. 300 connections: every test server opens one per thread, several at once.
  cat >"$dir/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_min_error_statement = error
log_line_prefix = '%m [%p] %d '
EOF
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/data/postgresql.auto.conf"
  if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null; then
    # The URL without a name means the user's own database: let it exist, so it works too.
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U dateline dateline
    echo "postgresql://dateline@127.0.0.1:$port/"
    exit 0
  fi
  grep -q "could not bind\|Address already in use" "$dir/log" 2>/dev/null || break
done
echo "$0: PostgreSQL did not start; its log ($dir/log):" >&2
cat "$dir/log" >&2 || true
exit 1
