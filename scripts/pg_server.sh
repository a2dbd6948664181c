#!/usr/bin/env bash
# scripts/pg_server.sh: a throwaway PostgreSQL 15 (+ PostGIS) for tests and benchmarks.
#
#   scripts/pg_server.sh start DIR    initdb + start in DIR/pg; prints DZ_PG_URL=postgres://...
#                                     (eval "$(scripts/pg_server.sh start DIR)")
#   scripts/pg_server.sh stop DIR     stops it (DIR itself is left for the caller to remove)
#
# Uses Debian's postgresql-15 binaries (/usr/lib/postgresql/15/bin, or PG_BIN=...),
# which scripts/deps.sh installs. The server listens on 127.0.0.1 on a free
# port and on a unix socket in DIR/pg; trust authentication (loopback only);
# database "drizzle" with the postgis extension (required) and vector
# (pgvector; optional, reported on stderr when absent). Durability is off
# (fsync, synchronous_commit, full_page_writes): the data is thrown away.
#
# initdb refuses to run as root, so as root the data directory belongs to the
# "postgres" system user (created by the postgresql package) and every server
# command runs through runuser; as anyone else it runs as yourself.
# On failure the log tail goes to stderr and the exit status is non-zero.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}; dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2; exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pgdir=$dir/pg
data=$pgdir/data
log=$pgdir/server.log

if [ "$(id -u)" -eq 0 ]; then
  pguser=postgres
  as_pg() { (cd "$pgdir" && runuser -u postgres -- "$@"); }
else
  pguser=$(id -un)
  as_pg() { (cd "$pgdir" && "$@"); }
fi

fail() {
  echo "pg_server: $*" >&2
  if [ -f "$log" ]; then echo "---- tail of $log" >&2; tail -n 30 "$log" >&2; fi
  exit 1
}

# Is something already listening on 127.0.0.1:$1? (bash's /dev/tcp; no extra tools)
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  [ -x "$PG_BIN/initdb" ] || fail "$PG_BIN/initdb not found (install postgresql-15: scripts/deps.sh)"
  [ -f "$data/PG_VERSION" ] && fail "$data already exists (stop and remove it first)"
  mkdir -p "$pgdir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || fail "no 'postgres' system user (install postgresql-15)"
    chmod 755 "$dir"
    chown postgres: "$pgdir"
    runuser -u postgres -- test -x "$dir" || fail "user postgres cannot enter $dir (check its parents' permissions)"
  fi
  as_pg "$PG_BIN/initdb" -D "$data" -U "$pguser" -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$pgdir/initdb.log" 2>&1 ||
    { cat "$pgdir/initdb.log" >&2; fail "initdb failed"; }
  # Settings go to the config file, not pg_ctl -o: pg_ctl hands -o to a
  # shell, where a newline would end the command.
  as_pg tee -a "$data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pgdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 64MB
max_wal_size = 1GB
log_min_messages = warning
log_min_error_statement = panic
EOF
  local port tries=0
  while :; do
    tries=$((tries + 1))
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_busy "$port" && continue
    if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 -s -o "-p $port" start >/dev/null 2>&1; then
      break
    fi
    # A lost race for the port is retried; anything else is fatal.
    if [ $tries -ge 5 ] || ! grep -q "could not bind\|Address already in use" "$log" 2>/dev/null; then
      fail "pg_ctl start failed"
    fi
  done
  echo "$port" >"$pgdir/port"
  local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$pguser")
  as_pg "${psql[@]}" -d postgres -c "create database drizzle" >/dev/null 2>>"$log" || fail "create database failed"
  as_pg "${psql[@]}" -d drizzle -c "create extension postgis" >/dev/null 2>>"$log" ||
    fail "create extension postgis failed (install postgresql-15-postgis-3)"
  if ! as_pg "${psql[@]}" -d drizzle -c "create extension vector" >/dev/null 2>&1; then
    echo "pg_server: extension vector (pgvector) not available; its specs will be skipped" >&2
  fi
  echo "DZ_PG_URL=postgres://$pguser@127.0.0.1:$port/drizzle"
}

stop() {
  [ -f "$data/postmaster.pid" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 -s stop >/dev/null 2>&1 ||
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -s stop >/dev/null 2>&1 ||
    fail "pg_ctl stop failed"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
