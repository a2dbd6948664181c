# bench/floor_server.sh: sourced by bench/run_pg.sh and bench/run_mysql.sh.
#
#   floor_server DIALECT URL VM GET_LIMIT ALL_LIMIT
#
# Builds the Lua C-API floor (bench/lua_floor_server.c) for VM under
# build/bench/VM/, runs bench/lua_floor_server.lua (raw C, floor and drizzle-c
# in one process, alternately, best of ROUNDS) and prints a table:
#   raw C      raw_server.c's loops (../shared/peerbench), run in C in that process
#   Lua floor  the same statements + one Lua table per row with the right types
#   drizzle-c  the public API, as ../shared/peerbench/drizzle_c_server.lua uses it
# with floor / raw (what the VM alone costs over C), drizzle-c / floor (the
# binding's own overhead) and drizzle-c / raw against the issue's target.
# The floor's statements are raw_server.c's (pg: text results; mysql: binary
# protocol get, text protocol read-all); its variants (pg binary results,
# mysql binary read-all, which is how drizzle-c's driver reads) follow.
# Needs the binding built for VM and LUA_PATH / LUA_CPATH set (make env).
floor_server() {
  local dialect=$1 url=$2 vm=$3 get_limit=$4 all_limit=$5
  local fdir="build/bench/$vm" lua_cflags json
  mkdir -p "$fdir"
  if ! lua_cflags=$(pkg-config --cflags "$vm" 2>/dev/null); then
    echo "floor ($vm): no pkg-config entry for $vm, skipped"; return 0
  fi
  if [ ! -f "$fdir/lua_floor_server.so" ] || [ bench/lua_floor_server.c -nt "$fdir/lua_floor_server.so" ]; then
    # shellcheck disable=SC2046,SC2086
    ${CC:-cc} -std=c11 -O2 -Wall -Wextra -fPIC -shared $lua_cflags -I"$(pg_config --includedir)" \
      $(mariadb_config --cflags) -o "$fdir/lua_floor_server.so" bench/lua_floor_server.c \
      -L"$(pg_config --libdir)" -lpq $(mariadb_config --libs) || return 1
  fi
  json=$(DIALECT=$dialect URL=$url LUA_CPATH="$fdir/?.so;$LUA_CPATH" "$vm" bench/lua_floor_server.lua) || return 1
  echo "floor ($vm) $json"
  python3 - "$json" "$vm" "$get_limit" "$all_limit" "${ROUNDS:-7}" <<'PY'
import json, sys
r, vm, lim_get, lim_all, rounds = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
print(f"\n{'scenario (' + vm + ')':22s} {'raw C':>9s} {'Lua floor':>9s} {'drizzle-c':>9s} {'floor/raw':>9s} {'dc/floor':>9s} {'dc/raw':>8s}   target       (us; best of {rounds}, one process)")
for k, unit, lim in (("prepared_get", "us/get", lim_get), ("read_all", "us/row", lim_all)):
    raw, fl, dc = r[f"raw_{k}"], r[f"floor_{k}"], r[f"dc_{k}"]
    ok = "PASS" if dc / raw <= lim else "FAIL"
    print(f"{k + ' ' + unit:22s} {raw:9.3f} {fl:9.3f} {dc:9.3f} {fl / raw:8.2f}x {dc / fl:8.2f}x {dc / raw:7.2f}x   <= {lim}x raw  {ok}")
if "floor_read_all_bin" in r:   # mysql: drizzle-c reads in the binary protocol, so its floor is this one
    raw, fl, dc = r["raw_read_all"], r["floor_read_all_bin"], r["dc_read_all"]
    print(f"{'  (binary floor)':22s} {raw:9.3f} {fl:9.3f} {dc:9.3f} {fl / raw:8.2f}x {dc / fl:8.2f}x {dc / raw:7.2f}x")
for k in sorted(r):
    if k.startswith("floor_") and k not in ("floor_prepared_get", "floor_read_all"):
        base = r["floor_prepared_get" if "prepared_get" in k else "floor_read_all"]
        print(f"  variant {k:30s} {r[k]:9.3f}   ({r[k] / base:.2f}x the floor above)")
PY
}
