#!/usr/bin/env bash
# The mysql server scenarios at the C level: raw MariaDB Connector/C
# (bench/raw_mysql.c, measured as ../shared/peerbench/raw_server.c does)
# against the core's mysql driver (bench/driver_mysql.c), same server,
# same table, same run.
#
#   bench/run_mysql.sh              starts a throwaway server (scripts/mysql_server.sh)
#   DZ_MYSQL_URL=... bench/run_mysql.sh   uses that server instead
#   ROWS=100000 (default)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rows=${ROWS:-100000}; export ROWS=$rows
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

# drizzle-c (Lua) beside raw Connector/C, with the issue's targets.
lua=${LUA:-lua5.4}
make -s build LUA="$lua" >/dev/null
eval "$(make -s env LUA="$lua")"; export LUA_PATH LUA_CPATH
dc=$(DIALECT=mysql URL=$url "$lua" bench/drizzle_server.lua)
echo "drizzle-c ($lua) $dc"
python3 - "$raw" "$dc" <<'PY'
import json, sys
raw, dc = (json.loads(a) for a in sys.argv[1:3])
for k, limit in (("prepared_get", 1.1), ("read_all", 2.0)):
    r = dc[k] / raw[k]
    print(f"{k:14s} drizzle-c {dc[k]:9.3f} us  raw {raw[k]:9.3f} us  x{r:.2f}  target <= {limit}  {'PASS' if r <= limit else 'FAIL'}")
PY
