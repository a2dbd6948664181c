/*
** bench/lua_floor_server.c: the Lua C-API floor for the server benchmarks
** (bench/run_pg.sh, bench/run_mysql.sh; not part of drizzle-c), the
** counterpart of bench/lua_floor.c for libpq and MariaDB Connector/C.
**
** The least any binding must do to hand server rows to Lua: run the
** statement the way ../shared/peerbench/raw_server.c does and build one Lua
** table per row, keyed by pre-made field-name strings, each value pushed as
** the Lua type a binding must give it (integer, number, boolean, string).
** No query builder, no rendering, no codec layer. A drizzle-c figure close
** to this floor has no binding overhead left to remove; the rest is the
** VM's table, string and GC cost.
**
** The raw C loops of raw_server.c are here too (rawPg*, rawMy*: the same
** calls, every value's length read, no Lua values made), so that
** bench/lua_floor_server.lua can time raw C, the floor and drizzle-c in one
** process, alternately, on one heap: the server VM is noisy (+-30% between
** separate runs), and separate processes also differ in heap state.
**
**   local F = require("lua_floor_server")
**   F.now()                          monotonic wall clock, microseconds
**   -- PostgreSQL (libpq, text results unless said)
**   F.pgConnect(conninfo)            prepares floor_byid and floor_all
**   F.pgGet({ id = i })              PQexecPrepared byid, one row table or nil
**   F.pgAll()                        PQexec("select * from users"), a list of row tables
**   F.pgGetBin(ph), F.pgAllBin()     the same with resultFormat = 1 (binary), the
**                                    latter through the prepared floor_all
**   F.pgAllText()                    floor_all with resultFormat = 0 (text), to set
**                                    beside pgAllBin (same protocol path)
**   F.rawPgGet(n, nRows)             raw_server.c's get loop, n executions
**   F.rawPgAll()                     raw_server.c's read-all; returns the row count
**   -- MySQL / MariaDB (Connector/C)
**   F.myConnect(host, port, user, password, db)
**   F.myGet({ id = i })              binary protocol (prepared statement, typed
**                                    result buffers, the row stored client-side
**                                    as a binding must, to free the connection),
**                                    one row table or nil
**   F.myAll()                        text protocol (mysql_query + store_result)
**   F.myAllBin()                     binary protocol, stored (how drizzle-c's driver reads)
**   F.rawMyGet(n, nRows), F.rawMyAll()   raw_server.c's loops
**
** Expects users(id integer primary key, name text not null, email text not
** null, age integer, score real, city text, created bigint, active boolean),
** the table of ../shared/peerbench/run_server.sh. Built by bench/run_pg.sh /
** bench/run_mysql.sh per VM under build/bench/<vm>/lua_floor_server.so.
*/
#define _POSIX_C_SOURCE 200809L
#include <lua.h>
#include <lauxlib.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if LUA_VERSION_NUM >= 503
# define pushInt(L, v) lua_pushinteger(L, (lua_Integer)(v))
#else
# define pushInt(L, v) lua_pushnumber(L, (lua_Number)(v))   /* 5.1 / LuaJIT: numbers */
#endif

static const char *const g_azKey[8] = { "id", "name", "email", "age", "score", "city", "created", "active" };
/* Column kinds, by position (the table above): integer, text, number, boolean. */
enum { K_INT, K_TEXT, K_NUM, K_BOOL };
static const int g_aKind[8] = { K_INT, K_TEXT, K_TEXT, K_INT, K_NUM, K_TEXT, K_INT, K_BOOL };

static long g_sink;             /* keeps the raw loops' reads alive */

static int l_now(lua_State *L) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  lua_pushnumber(L, (lua_Number)t.tv_sec * 1e6 + (lua_Number)t.tv_nsec / 1e3);
  return 1;
}

/* The "id" of a placeholder table, read as drizzle-c reads it (key upvalue 1). */
static lua_Integer phId(lua_State *L) {
  lua_Integer id;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_rawget(L, 1);
  id = (lua_Integer)lua_tonumber(L, -1);
  lua_pop(L, 1);
  return id;
}

/* Decimal text to integer: what a binding needs for int4/int8 text (no
** validation; the server sent it). */
static int64_t textToInt(const char *z) {
  int neg = *z == '-';
  int64_t v = 0;
  if (neg) z++;
  while (*z >= '0' && *z <= '9') v = v * 10 + (*z++ - '0');
  return neg ? -v : v;
}

/* =============================================================== PostgreSQL */

static PGconn *g_pg;

static void pgCheck(lua_State *L, PGresult *r, ExecStatusType want, const char *zWhat) {
  if (PQresultStatus(r) != want) {
    PQclear(r);
    luaL_error(L, "lua_floor_server: %s: %s", zWhat, PQerrorMessage(g_pg));
  }
}

static int l_pgConnect(lua_State *L) {
  g_pg = PQconnectdb(luaL_checkstring(L, 1));
  if (PQstatus(g_pg) != CONNECTION_OK) return luaL_error(L, "lua_floor_server: %s", PQerrorMessage(g_pg));
  /* raw_server.c prepares with nParams 1 and no types: $1 is inferred int4 */
  PGresult *r = PQprepare(g_pg, "floor_byid", "select * from users where id = $1", 1, NULL);
  pgCheck(L, r, PGRES_COMMAND_OK, "prepare floor_byid"); PQclear(r);
  r = PQprepare(g_pg, "floor_all", "select * from users", 0, NULL);
  pgCheck(L, r, PGRES_COMMAND_OK, "prepare floor_all"); PQclear(r);
  return 0;
}

/* Row i of a text-format result as a table; keys are upvalues 1..8. */
static void pgPushRowText(lua_State *L, PGresult *r, int i) {
  int c;
  lua_createtable(L, 0, 8);
  for (c = 0; c < 8; c++) {
    const char *z;
    if (PQgetisnull(r, i, c)) continue;
    z = PQgetvalue(r, i, c);
    lua_pushvalue(L, lua_upvalueindex(c + 1));
    switch (g_aKind[c]) {
      case K_INT:  pushInt(L, textToInt(z)); break;
      case K_NUM:  lua_pushnumber(L, strtod(z, NULL)); break;
      case K_BOOL: lua_pushboolean(L, z[0] == 't'); break;
      default:     lua_pushlstring(L, z, (size_t)PQgetlength(r, i, c)); break;
    }
    lua_rawset(L, -3);
  }
}

/* Big-endian decoders for binary-format results. */
static uint32_t be32(const char *z) {
  const unsigned char *u = (const unsigned char *)z;
  return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}
static uint64_t be64(const char *z) { return (uint64_t)be32(z) << 32 | be32(z + 4); }

/* Row i of a binary-format result: int4 / int8 by length, float4 (real),
** bool one byte. */
static void pgPushRowBin(lua_State *L, PGresult *r, int i) {
  int c;
  lua_createtable(L, 0, 8);
  for (c = 0; c < 8; c++) {
    const char *z;
    int n;
    if (PQgetisnull(r, i, c)) continue;
    z = PQgetvalue(r, i, c);
    n = PQgetlength(r, i, c);
    lua_pushvalue(L, lua_upvalueindex(c + 1));
    switch (g_aKind[c]) {
      case K_INT:
        if (n == 8) pushInt(L, (int64_t)be64(z));
        else pushInt(L, (int32_t)be32(z));
        break;
      case K_NUM:
        if (n == 4) { uint32_t u = be32(z); float f; memcpy(&f, &u, 4); lua_pushnumber(L, f); }
        else { uint64_t u = be64(z); double d; memcpy(&d, &u, 8); lua_pushnumber(L, d); }
        break;
      case K_BOOL: lua_pushboolean(L, z[0] != 0); break;
      default:     lua_pushlstring(L, z, (size_t)n); break;
    }
    lua_rawset(L, -3);
  }
}

static int pgGet(lua_State *L, int fmt) {
  char b[24];
  const char *v[1] = { b };
  PGresult *r;
  snprintf(b, sizeof b, "%lld", (long long)phId(L));
  r = PQexecPrepared(g_pg, "floor_byid", 1, v, NULL, NULL, fmt);
  pgCheck(L, r, PGRES_TUPLES_OK, "floor_byid");
  if (PQntuples(r) > 0) {
    if (fmt) pgPushRowBin(L, r, 0); else pgPushRowText(L, r, 0);
  } else {
    lua_pushnil(L);
  }
  PQclear(r);
  return 1;
}
static int l_pgGet(lua_State *L) { return pgGet(L, 0); }
static int l_pgGetBin(lua_State *L) { return pgGet(L, 1); }

static int pgPushAll(lua_State *L, PGresult *r, int fmt) {
  int i, n;
  pgCheck(L, r, PGRES_TUPLES_OK, "select * from users");
  n = PQntuples(r);
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    if (fmt) pgPushRowBin(L, r, i); else pgPushRowText(L, r, i);
    lua_rawseti(L, -2, i + 1);
  }
  PQclear(r);
  return 1;
}
/* raw_server.c's read-all statement (simple query protocol, text). */
static int l_pgAll(lua_State *L) { return pgPushAll(L, PQexec(g_pg, "select * from users"), 0); }
/* Prepared (extended protocol), text or binary: the experiment pair. */
static int l_pgAllText(lua_State *L) { return pgPushAll(L, PQexecPrepared(g_pg, "floor_all", 0, NULL, NULL, NULL, 0), 0); }
static int l_pgAllBin(lua_State *L) { return pgPushAll(L, PQexecPrepared(g_pg, "floor_all", 0, NULL, NULL, NULL, 1), 1); }

/* raw_server.c's pg loops, verbatim in substance. */
static int l_rawPgGet(lua_State *L) {
  int n = (int)luaL_checkinteger(L, 1), nRows = (int)luaL_checkinteger(L, 2), i, k;
  char b[16];
  const char *v[1] = { b };
  for (i = 0; i < n; i++) {
    snprintf(b, 16, "%d", (i % nRows) + 1);
    PGresult *res = PQexecPrepared(g_pg, "floor_byid", 1, v, NULL, NULL, 0);
    for (k = 0; k < 8; k++) g_sink += (long)strlen(PQgetvalue(res, 0, k));
    PQclear(res);
  }
  return 0;
}
static int l_rawPgAll(lua_State *L) {
  PGresult *res = PQexec(g_pg, "select * from users");
  int n = PQntuples(res), i, k;
  for (i = 0; i < n; i++) for (k = 0; k < 8; k++) g_sink += (long)strlen(PQgetvalue(res, i, k));
  PQclear(res);
  lua_pushinteger(L, n);
  return 1;
}

/* ==================================================== MySQL / MariaDB */

static MYSQL *g_my;
static MYSQL_STMT *g_myGet, *g_myAll;           /* floor statements */
static MYSQL_STMT *g_rawGet;                    /* raw_server.c's, string buffers */
static int g_id;                                /* the get's parameter */

/* Typed result buffers for the floor's binary reads: LONGLONG for the
** integers and the boolean, DOUBLE for score, STRING for the texts. */
typedef struct TypedRow {
  MYSQL_BIND aBind[8];
  long long aInt[8];
  double f;
  char aText[8][256];
  unsigned long aLen[8];
  my_bool aNull[8];
} TypedRow;
static TypedRow g_getRow, g_allRow;

/* raw_server.c's binding: 8 STRING buffers of 64 bytes. */
static char g_rawBufs[8][64];
static unsigned long g_rawLens[8];

static void myBindTyped(TypedRow *p) {
  int k;
  memset(p->aBind, 0, sizeof p->aBind);
  for (k = 0; k < 8; k++) {
    p->aBind[k].length = &p->aLen[k];
    p->aBind[k].is_null = &p->aNull[k];
    if (g_aKind[k] == K_TEXT) {
      p->aBind[k].buffer_type = MYSQL_TYPE_STRING; p->aBind[k].buffer = p->aText[k]; p->aBind[k].buffer_length = 256;
    } else if (g_aKind[k] == K_NUM) {
      p->aBind[k].buffer_type = MYSQL_TYPE_DOUBLE; p->aBind[k].buffer = &p->f;
    } else {
      p->aBind[k].buffer_type = MYSQL_TYPE_LONGLONG; p->aBind[k].buffer = &p->aInt[k];
    }
  }
}

static MYSQL_STMT *myPrepare(lua_State *L, const char *zSql, MYSQL_BIND *pParam, MYSQL_BIND *aRes) {
  MYSQL_STMT *st = mysql_stmt_init(g_my);
  if (mysql_stmt_prepare(st, zSql, strlen(zSql)) || (pParam && mysql_stmt_bind_param(st, pParam)) ||
      mysql_stmt_bind_result(st, aRes)) {
    luaL_error(L, "lua_floor_server: prepare %s: %s", zSql, mysql_stmt_error(st));
  }
  return st;
}

static int l_myConnect(lua_State *L) {
  static MYSQL_BIND p;
  MYSQL_BIND aRaw[8];
  int k;
  g_my = mysql_init(NULL);
  if (!mysql_real_connect(g_my, luaL_checkstring(L, 1), luaL_checkstring(L, 3), luaL_checkstring(L, 4),
                          luaL_checkstring(L, 5), (unsigned)luaL_checkinteger(L, 2), NULL, 0)) {
    return luaL_error(L, "lua_floor_server: %s", mysql_error(g_my));
  }
  memset(&p, 0, sizeof p);
  p.buffer_type = MYSQL_TYPE_LONG; p.buffer = &g_id;
  myBindTyped(&g_getRow);
  myBindTyped(&g_allRow);
  memset(aRaw, 0, sizeof aRaw);
  for (k = 0; k < 8; k++) {
    aRaw[k].buffer_type = MYSQL_TYPE_STRING; aRaw[k].buffer = g_rawBufs[k];
    aRaw[k].buffer_length = 64; aRaw[k].length = &g_rawLens[k];
  }
  g_myGet = myPrepare(L, "select * from users where id = ?", &p, g_getRow.aBind);
  g_myAll = myPrepare(L, "select * from users", NULL, g_allRow.aBind);
  g_rawGet = myPrepare(L, "select * from users where id = ?", &p, aRaw);
  return 0;
}

/* The fetched row of a typed binding as a table; keys are upvalues 1..8. */
static void myPushRowTyped(lua_State *L, const TypedRow *p) {
  int c;
  lua_createtable(L, 0, 8);
  for (c = 0; c < 8; c++) {
    if (p->aNull[c]) continue;
    lua_pushvalue(L, lua_upvalueindex(c + 1));
    switch (g_aKind[c]) {
      case K_INT:  pushInt(L, p->aInt[c]); break;
      case K_NUM:  lua_pushnumber(L, p->f); break;
      case K_BOOL: lua_pushboolean(L, p->aInt[c] != 0); break;
      default:     lua_pushlstring(L, p->aText[c], p->aLen[c]); break;
    }
    lua_rawset(L, -3);
  }
}

static int l_myGet(lua_State *L) {
  g_id = (int)phId(L);
  if (mysql_stmt_execute(g_myGet) || mysql_stmt_store_result(g_myGet)) return luaL_error(L, "lua_floor_server: %s", mysql_stmt_error(g_myGet));
  if (mysql_stmt_fetch(g_myGet) == 0) {
    myPushRowTyped(L, &g_getRow);
    while (mysql_stmt_fetch(g_myGet) == 0) {}
  } else {
    lua_pushnil(L);
  }
  mysql_stmt_free_result(g_myGet);
  return 1;
}

/* Text protocol: every value arrives as text and is converted. */
static int l_myAll(lua_State *L) {
  MYSQL_RES *res;
  MYSQL_ROW row;
  int n = 0, c;
  if (mysql_query(g_my, "select * from users")) return luaL_error(L, "lua_floor_server: %s", mysql_error(g_my));
  res = mysql_store_result(g_my);
  lua_createtable(L, (int)mysql_num_rows(res), 0);
  while ((row = mysql_fetch_row(res))) {
    unsigned long *l = mysql_fetch_lengths(res);
    lua_createtable(L, 0, 8);
    for (c = 0; c < 8; c++) {
      if (row[c] == NULL) continue;
      lua_pushvalue(L, lua_upvalueindex(c + 1));
      switch (g_aKind[c]) {
        case K_INT:  pushInt(L, textToInt(row[c])); break;
        case K_NUM:  lua_pushnumber(L, strtod(row[c], NULL)); break;
        case K_BOOL: lua_pushboolean(L, row[c][0] != '0'); break;
        default:     lua_pushlstring(L, row[c], l[c]); break;
      }
      lua_rawset(L, -3);
    }
    lua_rawseti(L, -2, ++n);
  }
  mysql_free_result(res);
  return 1;
}

/* Binary protocol, result stored client-side, typed buffers. */
static int l_myAllBin(lua_State *L) {
  int n = 0;
  if (mysql_stmt_execute(g_myAll) || mysql_stmt_store_result(g_myAll)) {
    return luaL_error(L, "lua_floor_server: %s", mysql_stmt_error(g_myAll));
  }
  lua_createtable(L, (int)mysql_stmt_num_rows(g_myAll), 0);
  while (mysql_stmt_fetch(g_myAll) == 0) {
    myPushRowTyped(L, &g_allRow);
    lua_rawseti(L, -2, ++n);
  }
  mysql_stmt_free_result(g_myAll);
  return 1;
}

/* raw_server.c's mysql loops, verbatim in substance. */
static int l_rawMyGet(lua_State *L) {
  int n = (int)luaL_checkinteger(L, 1), nRows = (int)luaL_checkinteger(L, 2), i, k;
  for (i = 0; i < n; i++) {
    g_id = (i % nRows) + 1;
    mysql_stmt_execute(g_rawGet);
    while (mysql_stmt_fetch(g_rawGet) == 0) for (k = 0; k < 8; k++) g_sink += (long)g_rawLens[k];
    mysql_stmt_free_result(g_rawGet);
  }
  return 0;
}
static int l_rawMyAll(lua_State *L) {
  MYSQL_RES *res;
  MYSQL_ROW row;
  int n = 0, k;
  mysql_query(g_my, "select * from users");
  res = mysql_store_result(g_my);
  while ((row = mysql_fetch_row(res))) {
    unsigned long *l = mysql_fetch_lengths(res);
    for (k = 0; k < 8; k++) g_sink += (long)l[k];
    n++;
  }
  mysql_free_result(res);
  lua_pushinteger(L, n);
  return 1;
}

int luaopen_lua_floor_server(lua_State *L) {
  static const struct { const char *zName; lua_CFunction f; } aFn[] = {
    { "now", l_now },
    { "pgConnect", l_pgConnect }, { "pgGet", l_pgGet }, { "pgGetBin", l_pgGetBin },
    { "pgAll", l_pgAll }, { "pgAllText", l_pgAllText }, { "pgAllBin", l_pgAllBin },
    { "rawPgGet", l_rawPgGet }, { "rawPgAll", l_rawPgAll },
    { "myConnect", l_myConnect }, { "myGet", l_myGet }, { "myAll", l_myAll }, { "myAllBin", l_myAllBin },
    { "rawMyGet", l_rawMyGet }, { "rawMyAll", l_rawMyAll },
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
