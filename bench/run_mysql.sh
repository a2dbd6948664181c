#!/usr/bin/env bash
# The mysql server scenarios at the C level: raw MariaDB Connector/C
# (bench/raw_mysql.c, measured as ../shared/peerbench/raw_server.c does)
# against the core's mysql driver (bench/driver_mysql.c), same server,
# same table, same run.
#
#   bench/run_mysql.sh              starts a throwaway server (scripts/mysql_server.sh)
#   DZ_MYSQL_URL=... bench/run_mysql.sh   uses that server instead
#   ROWS=100000 (default)
#   LUA="lua5.4 luajit" bench/run_mysql.sh   the Lua side on several VMs (default lua5.4)
#
# Then, per VM, the targets table of bench/floor_server.sh: raw C
# (raw_server.c's loops), the Lua C-API floor (bench/lua_floor_server.c) and
# drizzle-c, timed in one process, alternately, best of ROUNDS (7), with
# floor/raw, drizzle-c/floor and drizzle-c/raw against the issue's targets.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rows=${ROWS:-100000}; export ROWS=$rows
vms=${LUA:-lua5.4}; unset LUA   # a list of VMs; make must not see it
make -s build/libdzcore.a
out=build/bench; mkdir -p "$out"
cc -std=c11 -O2 $(mariadb_config --cflags) -o "$out/raw_mysql" bench/raw_mysql.c $(mariadb_config --libs)
# libdzcore.a holds every compiled-in driver: link what the Makefile links.
libs="-lsqlite3 $(mariadb_config --libs) -lm"
[ -f core/driver_pg.c ] && libs="$libs -L$(pg_config --libdir) -lpq"
cc -std=c11 -O2 -Icore/include -o "$out/driver_mysql" bench/driver_mysql.c build/libdzcore.a $libs

srv=""
cleanup(){ [ -n "$srv" ] && scripts/mysql_server.sh stop "$srv" >/dev/null 2>&1; [ -n "$srv" ] && rm -rf "$srv"; return 0; }
trap cleanup EXIT
if [ -z "${DZ_MYSQL_URL:-}" ]; then
  srv=$(mktemp -d /tmp/dz-mysql-bench.XXXXXX)
  eval "$(scripts/mysql_server.sh start "$srv")"
fi
url=$DZ_MYSQL_URL
re='^mysql://([^:]+):([^@]*)@([^:/]+):([0-9]+)/(.+)$'
[[ $url =~ $re ]] || { echo "bad mysql url: $url" >&2; exit 2; }
u=${BASH_REMATCH[1]} pw=${BASH_REMATCH[2]} h=${BASH_REMATCH[3]} port=${BASH_REMATCH[4]} db=${BASH_REMATCH[5]}

# The table and rows of ../shared/peerbench/run_server.sh.
ddl="drop table if exists users; create table users (id integer primary key, name text not null, email text not null, age integer, score real, city text, created bigint, active boolean);"
mariadb --no-defaults -h"$h" -P"$port" -u"$u" -p"$pw" "$db" -e "$ddl insert into users select seq, concat('name',seq), concat('e',seq,'@x.io'), seq%90, seq*0.5, concat('city',seq%100), 1700000000+seq, seq%2 from seq_1_to_$rows;"

raw=$("$out/raw_mysql" "$h" "$port" "$u" "$pw" "$db")
drv=$("$out/driver_mysql" "$url")
echo "raw     $raw"
echo "driver  $drv"
python3 - "$raw" "$drv" <<'PY'
import json, sys
raw, drv = (json.loads(a) for a in sys.argv[1:3])
for k in ("prepared_get", "read_all"):
    print(f"{k:14s} driver {drv[k]:8.3f} us   raw {raw[k]:8.3f} us   driver/raw x{drv[k]/raw[k]:.2f}")
print(f"read_all raw binary protocol: stored {raw['read_all_bin_stored']:.3f} us/row, streamed {raw['read_all_bin_stream']:.3f} us/row")
PY

# drizzle-c (Lua) beside raw Connector/C, with the issue's targets, and the
# Lua C-API floor (bench/floor_server.sh): per VM, raw C / floor / drizzle-c
# timed in one process, alternately. LUA="lua5.4 luajit lua5.1" runs several VMs.
source bench/floor_server.sh
for lua in $vms; do
  command -v "$lua" >/dev/null 2>&1 || { echo "== $lua: not installed, skipped =="; continue; }
  make -s build LUA="$lua" >/dev/null
  eval "$(make -s env LUA="$lua")"; export LUA_PATH LUA_CPATH
  echo
  floor_server mysql "$url" "$lua" 1.1 2.0
done
