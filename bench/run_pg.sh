#!/usr/bin/env bash
# bench/run_pg.sh: the PostgreSQL scenarios against raw libpq (bench/raw_pg.c).
#
#   bash bench/run_pg.sh               starts a throwaway server (scripts/pg_server.sh),
#                                      loads users with ROWS rows, runs raw_pg, stops it
#   DZ_PG_URL=postgres://... bash bench/run_pg.sh    uses that server instead
#   ROWS=20000 bash bench/run_pg.sh    fewer rows (default 100000)
#
#   LUA="lua5.4 luajit" bash bench/run_pg.sh    the Lua side on several VMs
#
# Prints raw_pg's JSON line (microseconds; see bench/raw_pg.c: rows read into
# C values) and a table; then per VM the targets table of bench/floor_server.sh:
# raw C (raw_server.c's loops), the Lua C-API floor (bench/lua_floor_server.c)
# and drizzle-c, timed in one process, alternately, best of ROUNDS (7), with
# floor/raw, drizzle-c/floor and drizzle-c/raw against the issue's targets;
# and drizzle-c's insert one-at-a-time vs db:batch.
# ../shared/peerbench/run_server.sh is the official peer comparison.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export ROWS=${ROWS:-100000}
vms=${LUA:-lua5.4}; unset LUA   # a list of VMs; make must not see it
out=build/bench
mkdir -p "$out"

cc=${CC:-cc}
if [ ! -x "$out/raw_pg" ] || [ bench/raw_pg.c -nt "$out/raw_pg" ]; then
  "$cc" -std=c11 -O2 -Wall -Wextra -I"$(pg_config --includedir)" -o "$out/raw_pg" bench/raw_pg.c \
    -L"$(pg_config --libdir)" -lpq
fi

tmp=""
cleanup() {
  if [ -n "$tmp" ]; then bash scripts/pg_server.sh stop "$tmp" || true; rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${DZ_PG_URL:-}" ]; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/dz-bench-pg.XXXXXX")
  chmod 755 "$tmp"
  eval "$(bash scripts/pg_server.sh start "$tmp" 2>/dev/null)" || { bash scripts/pg_server.sh start "$tmp"; exit 1; }
fi

psql=(/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1)
[ -x "${psql[0]}" ] || psql=(psql -X -q -v ON_ERROR_STOP=1)
PGOPTIONS='-c client_min_messages=warning' "${psql[@]}" "$DZ_PG_URL" -c "drop table if exists users;
  create table users (id integer primary key, name text not null, email text not null, age integer,
                      score real, city text, created bigint, active boolean);
  insert into users select i, 'name'||i, 'e'||i||'@x.io', i%90, i*0.5, 'city'||(i%100), 1700000000+i, i%2=1
    from generate_series(1, $ROWS) i;" -c "vacuum analyze users"

raw=$("$out/raw_pg" "$DZ_PG_URL")
echo "raw_pg $raw"
echo "$raw" | sed -e 's/[{}"]//g' -e 's/,/\n/g' | awk -F: '
  $1=="prepared_get" { printf "%-14s %9.3f us per execution\n", $1, $2 }
  $1=="read_all"     { printf "%-14s %9.3f us per row\n", $1, $2 }
  $1=="insert_one"   { printf "%-14s %9.3f us per row (one round trip each)\n", $1, $2 }
  $1=="insert_batch" { printf "%-14s %9.3f us per row (pipeline, one sync)\n", $1, $2 }
  $1=="batch_speedup"{ printf "%-14s %9.2fx\n", $1, $2 }'

# drizzle-c (Lua) beside raw libpq, with the issue's targets, and the Lua
# C-API floor (bench/floor_server.sh): per VM, raw C / floor / drizzle-c timed
# in one process, alternately. LUA="lua5.4 luajit lua5.1" runs several VMs.
source bench/floor_server.sh
for lua in $vms; do
  command -v "$lua" >/dev/null 2>&1 || { echo "== $lua: not installed, skipped =="; continue; }
  make -s build LUA="$lua" >/dev/null
  eval "$(make -s env LUA="$lua")"; export LUA_PATH LUA_CPATH
  echo
  floor_server pg "$DZ_PG_URL" "$lua" 1.08 2.0
  # inserts: one at a time vs db:batch, from the separate drizzle-c run
  dc=$(DIALECT=pg URL=$DZ_PG_URL "$lua" bench/drizzle_server.lua)
  echo "drizzle-c ($lua, own process) $dc"
  python3 - "$dc" <<'PY'
import json, sys
dc = json.loads(sys.argv[1])
print(f"batch_speedup  drizzle-c one at a time {dc['insert_one']:.3f} us/row, db:batch {dc['insert_batch']:.3f} us/row  x{dc['insert_one'] / dc['insert_batch']:.2f}  target >= 3  {'PASS' if dc['insert_one'] / dc['insert_batch'] >= 3 else 'FAIL'}")
PY
done
