/*
** bench/lua_floor.c: the Lua C-API floor for bench/run.sh (not part of
** drizzle-c). The least any binding must do to hand sqlite rows to Lua: step
** a prepared statement and build one Lua table per row, keyed by
** pre-made field-name strings, text pushed with lua_pushlstring. No query
** builder, no rendering, no codecs but the boolean column's. A drizzle-c
** figure close to this floor has no binding overhead left to remove; the
** rest is the VM's table, string and GC cost.
**
**   local floor = require("lua_floor")
**   floor.setup(n)             fills users with the benchmark's n rows
**   floor.get({ id = i })      one row by primary key, or nil
**   floor.all()                every row, a list of row tables
** Built by bench/run.sh per VM under build/bench/<vm>/lua_floor.so.
*/
#include <lua.h>
#include <lauxlib.h>
#include <sqlite3.h>
#include <stdio.h>

static sqlite3 *g_db;
static sqlite3_stmt *g_get, *g_all;
static const char *const g_azKey[8] = { "id", "name", "email", "age", "score", "city", "created", "active" };

/* Push one row of st as a table; the 8 keys are upvalues 1..8. */
static void pushRow(lua_State *L, sqlite3_stmt *st) {
  int c;
  lua_createtable(L, 0, 8);
  for (c = 0; c < 8; c++) {
    int t = sqlite3_column_type(st, c);
    if (t == SQLITE_NULL) continue;
    lua_pushvalue(L, lua_upvalueindex(c + 1));
    if (c == 7) {                                   /* active: boolean mode */
      lua_pushboolean(L, sqlite3_column_int64(st, c) == 1);
    } else if (t == SQLITE_INTEGER) {
#if LUA_VERSION_NUM >= 503
      lua_pushinteger(L, (lua_Integer)sqlite3_column_int64(st, c));
#else
      lua_pushnumber(L, (lua_Number)sqlite3_column_int64(st, c));
#endif
    } else if (t == SQLITE_FLOAT) {
      lua_pushnumber(L, sqlite3_column_double(st, c));
    } else {
      lua_pushlstring(L, (const char *)sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c));
    }
    lua_rawset(L, -3);
  }
}

static int check(lua_State *L, int rc, const char *zWhat) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    return luaL_error(L, "lua_floor: %s: %s", zWhat, sqlite3_errmsg(g_db));
  }
  return rc;
}

static int l_setup(lua_State *L) {
  int n = (int)luaL_checkinteger(L, 1), i;
  sqlite3_stmt *ins;
  char buf[64];
  check(L, sqlite3_open(":memory:", &g_db), "open");
  check(L, sqlite3_exec(g_db, "create table users (id integer primary key, name text not null, email text not null, "
                              "age integer, score real, city text, created integer, active integer)", 0, 0, 0), "create");
  check(L, sqlite3_exec(g_db, "begin", 0, 0, 0), "begin");
  check(L, sqlite3_prepare_v2(g_db, "insert into users values (?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins, 0), "prepare");
  for (i = 1; i <= n; i++) {
    sqlite3_bind_int64(ins, 1, i);
    snprintf(buf, sizeof buf, "name%d", i); sqlite3_bind_text(ins, 2, buf, -1, SQLITE_TRANSIENT);
    snprintf(buf, sizeof buf, "e%d@x.io", i); sqlite3_bind_text(ins, 3, buf, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 4, i % 90);
    sqlite3_bind_double(ins, 5, i * 0.5);
    snprintf(buf, sizeof buf, "city%d", i % 100); sqlite3_bind_text(ins, 6, buf, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 7, 1700000000LL + i);
    sqlite3_bind_int64(ins, 8, i % 2);
    check(L, sqlite3_step(ins), "insert");
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  check(L, sqlite3_exec(g_db, "commit", 0, 0, 0), "commit");
  check(L, sqlite3_prepare_v2(g_db, "select * from users where id = ?", -1, &g_get, 0), "prepare get");
  check(L, sqlite3_prepare_v2(g_db, "select * from users", -1, &g_all, 0), "prepare all");
  return 0;
}

/* get({ id = i }): the placeholder table is read as drizzle-c reads it. */
static int l_get(lua_State *L) {
  lua_Number id;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));            /* "id" */
  lua_rawget(L, 1);
  id = lua_tonumber(L, -1);
  lua_pop(L, 1);
  sqlite3_bind_int64(g_get, 1, (sqlite3_int64)id);
  if (sqlite3_step(g_get) == SQLITE_ROW) pushRow(L, g_get);
  else lua_pushnil(L);
  sqlite3_reset(g_get);
  return 1;
}

static int l_all(lua_State *L) {
  int n = 0;
  lua_newtable(L);
  while (sqlite3_step(g_all) == SQLITE_ROW) {
    pushRow(L, g_all);
    lua_rawseti(L, -2, ++n);
  }
  sqlite3_reset(g_all);
  return 1;
}

int luaopen_lua_floor(lua_State *L) {
  static const struct { const char *zName; lua_CFunction f; } aFn[] = {
    { "setup", l_setup }, { "get", l_get }, { "all", l_all },
  };
  size_t i;
  int k;
  lua_newtable(L);
  for (i = 0; i < sizeof aFn / sizeof aFn[0]; i++) {
    for (k = 0; k < 8; k++) lua_pushstring(L, g_azKey[k]);
    lua_pushcclosure(L, aFn[i].f, 8);
    lua_setfield(L, -2, aFn[i].zName);
  }
  return 1;
}
