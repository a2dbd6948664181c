/*
** core.c: luaopen_drizzle_core, the binding between the Lua surface and the
** C core: table registration, rendering, connections, statement cache,
** execution, prepared statements and row conversion.
**
** Userdata follow liolib's pattern (STYLE.md 2.4): a small struct whose
** core pointer is NULL once released, a metatable with __name, __gc (also
** __close) idempotent. The core allocates; the binding owns. Between a core
** allocation and the moment a userdata owns it, nothing here calls a Lua
** function that may raise.
*/
#include <stdio.h>
#include <string.h>
#include "binding.h"
#include "names.h"
#include "dz_driver.h"
#include "json.h"

#define TABLE_MT "drizzle.CoreTable"
#define SESSION_MT "drizzle.CoreSession"
#define CONN_MT "drizzle.Connection"
#define PREP_MT "drizzle.Prepared"
#define TEMPSTMT_MT "drizzle.TempStatement"

void *dzl_testudata(lua_State *L, int i, const char *tname) {
  void *p = lua_touserdata(L, i);
  int bSame;
  if (!p || !lua_getmetatable(L, i)) return NULL;
  luaL_getmetatable(L, tname);
  bSame = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return bSame ? p : NULL;
}

/* ----------------------------------------------------------------- tables */

/* A table registered with the core: its dz_table and columns live in one
** arena owned by this userdata. An alias shares the columns of its base,
** which its uservalue keeps alive. */

static int table_gc(lua_State *L) {
  LTable *t = (LTable *)luaL_checkudata(L, 1, TABLE_MT);
  dz_arena_free(&t->arena);
  t->pTab = NULL;
  return 0;
}

static LTable *newLTable(lua_State *L) {
  LTable *t = (LTable *)lua_newuserdata(L, sizeof(LTable));
  dz_arena_init(&t->arena);
  t->pTab = NULL;
  luaL_getmetatable(L, TABLE_MT);
  lua_setmetatable(L, -2);
  return t;
}

static const char *arenaStr(lua_State *L, LTable *t, int idx, const char *zField) {
  const char *z;
  size_t n;
  char *p;
  lua_getfield(L, idx, zField);
  if (lua_isnil(L, -1)) { lua_pop(L, 1); return NULL; }
  z = lua_tolstring(L, -1, &n);
  if (!z) luaL_error(L, "drizzle: column field '%s' must be a string", zField);
  dzl_check_nul(L, z, n, strcmp(zField, "sqlType") == 0 ? "column type" : "column name");
  p = dz_arena_strdup(&t->arena, z, n);
  lua_pop(L, 1);
  if (!p) luaL_error(L, "drizzle: out of memory");
  return p;
}

static void *tableAlloc(lua_State *L, LTable *t, size_t n) {
  void *p = dz_arena_alloc(&t->arena, n);
  if (!p) luaL_error(L, "drizzle: out of memory");
  return p;
}

/* An array column's element codec and kind, packed above its codec (see
** CODEC_ELEM in binding.h), from spec fields elemCodec and elemKind. */
static int arrayElement(lua_State *L, int iSpec, const char *zCol) {
  static const char *const azKind[] = { "text", "int", "float", "bool", NULL };
  int eElem = CODEC_NONE, eKind = ELEM_TEXT;
  const char *z;
  lua_getfield(L, iSpec, "elemCodec");
  z = lua_tostring(L, -1);
  if (z) {
    eElem = dzl_codec_from_name(z);
    if (eElem < 0) luaL_error(L, "drizzle: unknown element codec '%s' for array column '%s'", z, zCol);
  }
  lua_getfield(L, iSpec - 1, "elemKind");
  z = lua_tostring(L, -1);
  if (z) {
    for (eKind = 0; azKind[eKind] && strcmp(azKind[eKind], z) != 0; eKind++) {}
    if (!azKind[eKind]) luaL_error(L, "drizzle: unknown element kind '%s' for array column '%s'", z, zCol);
  }
  lua_pop(L, 2);
  return eElem << 8 | eKind << 16;
}

/* newTable(name, schema|nil, specs) -> userdata. specs[i] = { name, snake,
** camel, key, sqlType, flags, codec }. [-0,+1,e] */
static int l_newTable(lua_State *L) {
  size_t n;
  int i, nCol;
  LTable *t;
  dz_table *pTab;
  const char *zName = luaL_checklstring(L, 1, &n);
  dzl_check_nul(L, zName, n, "table name");
  luaL_checktype(L, 3, LUA_TTABLE);
  nCol = (int)dzl_rawlen(L, 3);
  t = newLTable(L);                                  /* owns the arena from here */
  pTab = (dz_table *)tableAlloc(L, t, sizeof(dz_table));
  pTab->zName = dz_arena_strdup(&t->arena, zName, n);
  if (!pTab->zName) luaL_error(L, "drizzle: out of memory");
  pTab->zOrigName = pTab->zName;
  if (lua_type(L, 2) == LUA_TSTRING) {
    const char *zSchema = lua_tolstring(L, 2, &n);
    dzl_check_nul(L, zSchema, n, "schema name");
    pTab->zSchema = dz_arena_strdup(&t->arena, zSchema, n);
    if (!pTab->zSchema) luaL_error(L, "drizzle: out of memory");
  }
  pTab->nCol = nCol;
  pTab->apCol = (dz_column **)tableAlloc(L, t, sizeof(dz_column *) * (size_t)(nCol + 1));
  for (i = 0; i < nCol; i++) {
    LCol *p = (LCol *)tableAlloc(L, t, sizeof(LCol));
    const char *zCodec;
    lua_rawgeti(L, 3, i + 1);
    p->c.zName = arenaStr(L, t, -1, "name");
    p->c.zSnake = arenaStr(L, t, -1, "snake");
    p->c.zCamel = arenaStr(L, t, -1, "camel");
    p->c.zKey = arenaStr(L, t, -1, "key");
    p->c.zSqlType = arenaStr(L, t, -1, "sqlType");
    lua_getfield(L, -1, "flags");
    p->c.mFlags = (unsigned)lua_tointeger(L, -1);
    lua_getfield(L, -2, "codec");
    zCodec = lua_tostring(L, -1);
    p->eCodec = zCodec ? dzl_codec_from_name(zCodec) : CODEC_NONE;
    if (p->eCodec < 0) luaL_error(L, "drizzle: unknown codec '%s' for column '%s'", zCodec, p->c.zName);
    lua_pop(L, 2);
    if (p->eCodec == CODEC_PG_ARRAY) p->eCodec |= arrayElement(L, -1, p->c.zName);
    lua_pop(L, 1);
    if (!p->c.zName) luaL_error(L, "drizzle: column %d of table '%s' has no name", i + 1, zName);
    p->c.pTable = pTab;
    p->c.iOrder = i;
    pTab->apCol[i] = &p->c;
  }
  t->pTab = pTab;
  return 1;
}

static LTable *checkLTable(lua_State *L, int i) {
  LTable *t = (LTable *)luaL_checkudata(L, i, TABLE_MT);
  luaL_argcheck(L, t->pTab != NULL, i, "table released");
  return t;
}

/* columnPtr(tableUd, i) -> lightuserdata of the i-th LCol. */
static int l_columnPtr(lua_State *L) {
  LTable *t = checkLTable(L, 1);
  int i = (int)luaL_checkinteger(L, 2);
  luaL_argcheck(L, i >= 1 && i <= t->pTab->nCol, 2, "column index out of range");
  lua_pushlightuserdata(L, (LCol *)t->pTab->apCol[i - 1]);
  return 1;
}

/* aliasTable(tableUd, alias) -> a table rendered as "alias", same columns. */
static int l_aliasTable(lua_State *L) {
  LTable *base = checkLTable(L, 1);
  size_t n;
  const char *zAlias = luaL_checklstring(L, 2, &n);
  LTable *t;
  dzl_check_nul(L, zAlias, n, "table alias");
  t = newLTable(L);
  dz_table *pTab = (dz_table *)tableAlloc(L, t, sizeof(dz_table));
  *pTab = *base->pTab;
  pTab->zName = dz_arena_strdup(&t->arena, zAlias, n);
  if (!pTab->zName) luaL_error(L, "drizzle: out of memory");
  pTab->zOrigName = base->pTab->zOrigName;
  pTab->bAlias = 1;
  t->pTab = pTab;
  /* keep the base (and so the columns) alive */
  lua_createtable(L, 1, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
#if LUA_VERSION_NUM >= 502
  lua_setuservalue(L, -2);
#else
  lua_setfenv(L, -2);
#endif
  return 1;
}

/* ------------------------------------------------------ user functions */

/* The count of user functions running inside statements: one int per Lua
** state, kept in the names table (N_USER_CALLS). */
static int *userCalls(lua_State *L) {
  int *p;
  lua_rawgeti(L, DZL_NAMES, N_USER_CALLS);
  p = (int *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  return p;
}

/* lua_pcall of a user function, counted (binding.h). */
static int pcallUser(lua_State *L, int nArgs, int nRes) {
  int *pn = userCalls(L);
  int rc;
  ++*pn;
  rc = lua_pcall(L, nArgs, nRes, 0);
  --*pn;
  return rc;
}

/* See binding.h. */
void dzl_call_user(lua_State *L, int nArgs, int nRes) {
  if (pcallUser(L, nArgs, nRes)) lua_error(L);
}

int dzl_in_user_call(lua_State *L) {
  return *userCalls(L) > 0;
}

/* close() and reconnect() would pull the connection from under the
** statement that called the user function: refused there, by name. */
static void refuseInUserCall(lua_State *L, const char *zWhat) {
  if (dzl_in_user_call(L)) {
    luaL_error(L, "drizzle: db:%s() cannot run inside a function a query calls "
               "(defaultFn, onUpdateFn, customType toDriver/fromDriver, mapWith, a logger)", zWhat);
  }
}

/* ---------------------------------------------------------------- sessions */

/* Per-db rendering state: the dialect, casing, an arena for the AST of the
** statement at hand and the render buffers, all reused. */
typedef struct LSession {
  const dz_dialect *pDialect;
  dz_casing eCasing;
  dz_arena arena;
  dz_render r;
  int bLive;
} LSession;

static int session_gc(lua_State *L) {
  LSession *s = (LSession *)luaL_checkudata(L, 1, SESSION_MT);
  if (s->bLive) {
    dz_render_free(&s->r);
    dz_arena_free(&s->arena);
    s->bLive = 0;
  }
  return 0;
}

static LSession *pushSession(lua_State *L, const dz_dialect *d, dz_casing eCasing) {
  LSession *s = (LSession *)lua_newuserdata(L, sizeof(LSession));
  s->pDialect = d;
  s->eCasing = eCasing;
  dz_arena_init(&s->arena);
  dz_render_init(&s->r, d, s->eCasing);
  s->bLive = 1;
  luaL_getmetatable(L, SESSION_MT);
  lua_setmetatable(L, -2);
  return s;
}

/* newSession(dialect, casing) */
static int l_newSession(lua_State *L) {
  const char *zDialect = luaL_checkstring(L, 1);
  int casing = (int)luaL_optinteger(L, 2, 0);
  const dz_dialect *d = dz_dialect_find(zDialect);
  if (!d) return luaL_error(L, "drizzle: the %s dialect is not built into this drizzle-c", zDialect);
  pushSession(L, d, (dz_casing)casing);
  return 1;
}

/* The session of db (its field `core`, metamethods honoured: a
** transaction's db reaches it through its parent). The key and the
** session metatable come from the names table: no string hashing on the
** path of every statement. */
static LSession *dbSession(lua_State *L, int iDb) {
  LSession *s;
  if (iDb < 0) iDb = lua_gettop(L) + iDb + 1;
  lua_rawgeti(L, DZL_NAMES, N_core);
  lua_gettable(L, iDb);
  s = (LSession *)lua_touserdata(L, -1);
  if (s) {
    if (!lua_getmetatable(L, -1)) lua_pushnil(L);
    lua_rawgeti(L, DZL_NAMES, N_SESSION_MT);
    if (!lua_rawequal(L, -1, -2)) s = NULL;
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  if (!s || !s->bLive) luaL_error(L, "drizzle: not a db object");
  return s;
}

/* The session a statement of db renders into: db's own, or inside a user
** function called by another statement (dzl_in_user_call), a fresh one
** like it, left on the stack. */
static LSession *useSession(lua_State *L, int iDb) {
  LSession *s = dbSession(L, iDb);
  if (!dzl_in_user_call(L)) return s;
  return pushSession(L, s->pDialect, s->eCasing);
}

/* ------------------------------------------------------------- rendering */

enum { STMT_SELECT, STMT_INSERT, STMT_UPDATE, STMT_DELETE, STMT_RAW, STMT_COUNT };

static int stmtKind(lua_State *L, int idx) {
  static const char *const aName[] = { "select", "insert", "update", "delete", "raw", "count", NULL };
  const char *z = lua_tostring(L, idx);
  /* the builders' own kinds, by their first letters; anything else (and
  ** any error) through luaL_checkoption */
  if (z) {
    switch (z[0]) {
      case 's': if (strcmp(z, "select") == 0) return STMT_SELECT; break;
      case 'i': if (strcmp(z, "insert") == 0) return STMT_INSERT; break;
      case 'u': if (strcmp(z, "update") == 0) return STMT_UPDATE; break;
      default: break;
    }
  }
  return luaL_checkoption(L, idx, NULL, aName);
}

/* Convert and render the statement cfg/builder at iQuery; leaves the
** conversion's anchor/aux/keys tables on the stack (3 values). Raises on
** error with the renderer's message. */
static void renderStatement(lua_State *L, LSession *s, int eKind, int iQuery, Conv *cv, int bWantShape) {
  int rc = 0;
  dz_arena_reset(&s->arena);
  dz_render_reset(&s->r);
  dzl_conv_init(cv, L, &s->arena, s->pDialect);
  cv->bWantShape = bWantShape;
  switch (eKind) {
    case STMT_SELECT: rc = dz_render_select(&s->r, dzl_conv_select(cv, iQuery, 1)); break;
    case STMT_INSERT: rc = dz_render_insert(&s->r, dzl_conv_insert(cv, iQuery)); break;
    case STMT_UPDATE: rc = dz_render_update(&s->r, dzl_conv_update(cv, iQuery)); break;
    case STMT_DELETE: rc = dz_render_delete(&s->r, dzl_conv_delete(cv, iQuery)); break;
    case STMT_RAW: rc = dz_render_sql(&s->r, dzl_conv_sql(cv, iQuery)); break;
    case STMT_COUNT: {
      /* select count(*) from <source>[ where <filters>] */
      dz_sql *p = (dz_sql *)dz_arena_alloc(&s->arena, sizeof(dz_sql));
      dz_chunk *a = (dz_chunk *)dz_arena_alloc(&s->arena, sizeof(dz_chunk) * 4);
      if (!p || !a) luaL_error(L, "drizzle: out of memory");
      a[0].k = DZ_K_TEXT; a[0].s.z = "select count(*) from "; a[0].s.n = 21;
      lua_getfield(L, iQuery, "countSource");
      dzl_conv_chunk(cv, lua_gettop(L), &a[1], 0);
      lua_pop(L, 1);
      p->n = 2;
      lua_getfield(L, iQuery, "countFilters");
      if (!lua_isnil(L, -1)) {
        a[2].k = DZ_K_TEXT; a[2].s.z = " where "; a[2].s.n = 7;
        a[3].k = DZ_K_SQL; a[3].u.p = dzl_conv_sql(cv, lua_gettop(L));
        p->n = 4;
      }
      lua_pop(L, 1);
      p->a = a;
      rc = dz_render_sql(&s->r, p);
      /* the single field "count", decoded as a number */
      {
        static LField f = { 0, 1, CODEC_NUMBER, 0 };
        static LObj o = { 0, 0, 0, 0 };
        LShape *sh = (LShape *)dz_arena_alloc(&s->arena, sizeof(LShape));
        if (!sh) luaL_error(L, "drizzle: out of memory");
        sh->nField = 1; sh->nObj = 1; sh->aField = &f; sh->aObj = &o;
        cv->pShape = sh;
        lua_pushliteral(L, "count");
        dzl_slot_table(L, cv->iKeys);
        lua_rawseti(L, cv->iKeys, 1);
        cv->nKeys = 1;
      }
      break;
    }
  }
  if (rc) luaL_error(L, "drizzle: %s", s->r.zErr);
}

/* Push a param as toSQL() reports it: the driver value, d.NULL for NULL,
** the placeholder object for a placeholder. */
static void pushParam(lua_State *L, const dz_param *p, int iAux) {
  if (p->v.t == DZ_PLACEHOLDER) {
    lua_rawgeti(L, iAux, p->iTag);
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);
  } else if (p->v.t == DZ_NULL) {
    lua_pushlightuserdata(L, NULL);
  } else {
    dzl_push_value(L, &p->v);
  }
}

static void pushParams(lua_State *L, LSession *s, int iAux) {
  int i;
  lua_createtable(L, s->r.nParam, 0);
  for (i = 0; i < s->r.nParam; i++) {
    pushParam(L, &s->r.aParam[i], iAux);
    lua_rawseti(L, -2, i + 1);
  }
}

/* render(db, kind, query) -> sql, params */
static int l_render(lua_State *L) {
  LSession *s = useSession(L, 1);
  int eKind = stmtKind(L, 2);
  Conv cv;
  luaL_checkany(L, 3);
  renderStatement(L, s, eKind, 3, &cv, 0);
  lua_pushlstring(L, s->r.sql.z ? s->r.sql.z : "", s->r.sql.n);
  pushParams(L, s, cv.iAux);
  return 2;
}

/* renderSQL(dialect, node, { casing=, bareColumns=, inline= }) -> sql, params
** For DDL: index expressions, checks, defaults, generated columns. */
static int l_renderSQL(lua_State *L) {
  const dz_dialect *d = dz_dialect_find(luaL_checkstring(L, 1));
  dz_casing eCasing = DZ_CASING_NONE;
  unsigned mFlags = 0;
  luaL_checkany(L, 2);
  if (!d) return luaL_error(L, "drizzle: unknown dialect '%s'", lua_tostring(L, 1));
  if (lua_istable(L, 3)) {
    const char *zCasing;
    lua_getfield(L, 3, "casing");
    zCasing = lua_tostring(L, -1);
    if (zCasing && strcmp(zCasing, "snake_case") == 0) eCasing = DZ_CASING_SNAKE;
    else if (zCasing && strcmp(zCasing, "camelCase") == 0) eCasing = DZ_CASING_CAMEL;
    lua_getfield(L, 3, "bareColumns");
    if (lua_toboolean(L, -1)) mFlags |= DZ_RENDER_BARE_COLUMNS;
    lua_getfield(L, 3, "inline");
    if (lua_toboolean(L, -1)) mFlags |= DZ_RENDER_INLINE;
    lua_pop(L, 3);
  }
  dzl_render_sql_node(L, 2, d, eCasing, mFlags);
  return 2;
}

/* [-0,+2,e] see binding.h. Uses a private arena and render: DDL is rare. */
void dzl_render_sql_node(lua_State *L, int idx, const dz_dialect *d, dz_casing eCasing, unsigned mFlags) {
  LSession *s;
  Conv cv;
  int rc;
  if (idx < 0) idx = lua_gettop(L) + idx + 1;
  lua_pushliteral(L, "sqlite");
  lua_pushinteger(L, (lua_Integer)eCasing);
  lua_pushcfunction(L, l_newSession);
  lua_insert(L, -3);
  lua_call(L, 2, 1);
  s = (LSession *)lua_touserdata(L, -1);
  s->pDialect = d;
  s->r.pDialect = d;
  dz_arena_reset(&s->arena);
  dz_render_reset(&s->r);
  s->r.mFlags = mFlags;
  dzl_conv_init(&cv, L, &s->arena, d);
  rc = dz_render_sql(&s->r, dzl_conv_sql(&cv, idx));
  if (rc) luaL_error(L, "drizzle: %s", s->r.zErr);
  lua_pushlstring(L, s->r.sql.z ? s->r.sql.z : "", s->r.sql.n);
  pushParams(L, s, cv.iAux);
  lua_replace(L, -6);        /* params over the session */
  lua_replace(L, -4);        /* sql over the anchor */
  lua_pop(L, 2);
  lua_insert(L, -2);         /* sql, params */
}

/* checkFields(table, rows, what): unknown keys raise before any SQL. */
static int l_checkFields(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  dzl_check_fields(L, 1, 2, luaL_checkstring(L, 3));
  return 0;
}

/* ------------------------------------------------------------ connections */

#define CACHE_SIZE 64

typedef struct CacheEntry {
  uint64_t h;
  char *zSql;
  size_t nSql;
  dz_stmt *pStmt;
} CacheEntry;

/* A connection and its statement cache: statements keyed by their SQL text,
** so a builder query run twice is prepared once (Drizzle on better-sqlite3
** prepares every time; this is where drizzle-c earns its speed). */
typedef struct LConn {
  const dz_driver *pDrv;
  dz_conn *pConn;
  CacheEntry aCache[CACHE_SIZE];
  int iNextEvict;
  int iLastHit;           /* the entry found last: a loop runs one statement over and over */
  int bInTx;              /* between begin and commit/rollback: no silent reconnect */
  dz_buf notices;         /* server notices not yet delivered, each NUL-terminated */
  int iNoticeRef;         /* registry ref of db.onNotice, 0 when none */
} LConn;

/* Server notices (pg NOTICE/WARNING) arrive inside driver calls, where
** calling Lua is unsafe; they are queued here and handed to db.onNotice
** after the call. Without a handler they are dropped: never printed. */
static void onNotice(void *pArg, const char *zMsg) {
  LConn *c = (LConn *)pArg;
  if (c->notices.n > 65536) return;      /* a runaway server: keep the first 64 KiB */
  dz_buf_add(&c->notices, zMsg, strlen(zMsg) + 1);
}

static void deliverNotices(lua_State *L, LConn *c) {
  dz_buf b;
  size_t i = 0;
  if (c->notices.n == 0 || !c->iNoticeRef) return;
  b = c->notices;                          /* take the queue: a handler may run queries */
  dz_buf_init(&c->notices);
  while (i < b.n) {
    size_t n = strlen(b.z + i);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->iNoticeRef);
    lua_pushlstring(L, b.z + i, n);
    if (pcallUser(L, 1, 0)) lua_pop(L, 1);   /* a failing handler must not break the query */
    i += n + 1;
  }
  dz_buf_free(&b);
}

static uint64_t fnv1a(const char *z, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  size_t i;
  for (i = 0; i < n; i++) { h ^= (unsigned char)z[i]; h *= 1099511628211ULL; }
  return h;
}

static void cacheClear(LConn *c) {
  int i;
  for (i = 0; i < CACHE_SIZE; i++) {
    CacheEntry *e = &c->aCache[i];
    if (e->pStmt) c->pDrv->xFinalize(e->pStmt);
    dz_free(e->zSql, e->nSql + 1);
    memset(e, 0, sizeof *e);
  }
}

static int conn_gc(lua_State *L) {
  LConn *c = (LConn *)luaL_checkudata(L, 1, CONN_MT);
  dz_buf_free(&c->notices);
  if (c->iNoticeRef) { luaL_unref(L, LUA_REGISTRYINDEX, c->iNoticeRef); c->iNoticeRef = 0; }
  if (c->pConn) {
    cacheClear(c);
    c->pDrv->xClose(c->pConn);
    c->pConn = NULL;
  }
  return 0;
}

static LConn *checkConn(lua_State *L, int iDb) {
  LConn *c;
  lua_getfield(L, iDb, "conn");
  c = (LConn *)dzl_testudata(L, -1, CONN_MT);
  lua_pop(L, 1);
  if (!c) luaL_error(L, "drizzle: this db has no connection (drizzle.mock() cannot run queries)");
  if (!c->pConn) luaL_error(L, "drizzle: the db is closed");
  return c;
}

/* Raise a drizzle.QueryError built by errors.newQueryError. Does not return. */
static int raiseQueryError(lua_State *L, const dz_dberr *e, const char *zSql, size_t nSql, int iParams, const char *zDriver) {
  lua_getfield(L, LUA_REGISTRYINDEX, "drizzle.newQueryError");
  lua_createtable(L, 0, 10);
  lua_pushstring(L, e->zMsg); lua_setfield(L, -2, "message");
  if (e->zCodeName[0]) { lua_pushstring(L, e->zCodeName); lua_setfield(L, -2, "code"); }
  else if (e->zState[0]) { lua_pushstring(L, e->zState); lua_setfield(L, -2, "code"); }
  if (e->zState[0]) { lua_pushstring(L, e->zState); lua_setfield(L, -2, "sqlstate"); }
  lua_pushinteger(L, e->iCode); lua_setfield(L, -2, "errno");
  if (e->zDetail[0]) { lua_pushstring(L, e->zDetail); lua_setfield(L, -2, "detail"); }
  if (e->zConstraint[0]) { lua_pushstring(L, e->zConstraint); lua_setfield(L, -2, "constraint"); }
  lua_pushstring(L, zDriver); lua_setfield(L, -2, "driver");
  if (zSql) { lua_pushlstring(L, zSql, nSql); lua_setfield(L, -2, "sql"); }
  if (iParams) { lua_pushvalue(L, iParams); lua_setfield(L, -2, "params"); }
  else { lua_newtable(L); lua_setfield(L, -2, "params"); }
  if (lua_isfunction(L, -2)) lua_call(L, 1, 1);
  else lua_remove(L, -2);
  return lua_error(L);
}

/* connect(dialect, target, db) -> connection userdata */
static int l_connect(lua_State *L) {
  const char *zDialect = luaL_checkstring(L, 1);
  const char *zTarget = luaL_checkstring(L, 2);
  const dz_driver *pDrv = dz_driver_find(zDialect);
  LConn *c;
  dz_dberr err;
  int rc;
  if (!pDrv) return luaL_error(L, "drizzle: the %s driver is not built into this drizzle-c", zDialect);
  c = (LConn *)lua_newuserdata(L, sizeof(LConn));
  memset(c, 0, sizeof *c);
  c->pDrv = pDrv;
  luaL_getmetatable(L, CONN_MT);
  lua_setmetatable(L, -2);
  dz_buf_init(&c->notices);
  rc = pDrv->xOpen(zTarget, 0, &c->pConn, &err);
  if (rc) {
    c->pConn = NULL;
    return raiseQueryError(L, &err, NULL, 0, 0, zDialect);
  }
  if (lua_istable(L, 3) && pDrv->xSetNotice) {
    lua_getfield(L, 3, "onNotice");
    if (lua_isfunction(L, -1)) {
      c->iNoticeRef = luaL_ref(L, LUA_REGISTRYINDEX);
      pDrv->xSetNotice(c->pConn, onNotice, c);
    } else {
      lua_pop(L, 1);
    }
  }
  return 1;
}

/* close(db) */
static int l_close(lua_State *L) {
  LConn *c;
  refuseInUserCall(L, "close");
  lua_getfield(L, 1, "conn");
  c = (LConn *)dzl_testudata(L, -1, CONN_MT);
  if (c && c->pConn) {
    cacheClear(c);
    c->pDrv->xClose(c->pConn);
    c->pConn = NULL;
  }
  return 0;
}

/* exec(db, sql): transaction control and other SQL with no params/rows. */
static int l_exec(lua_State *L) {
  LConn *c = checkConn(L, 1);
  size_t n;
  const char *zSql = luaL_checklstring(L, 2, &n);
  dz_dberr err;
  if (c->pDrv->xExec(c->pConn, zSql, &err)) return raiseQueryError(L, &err, zSql, n, 0, c->pDrv->zName);
  deliverNotices(L, c);
  return 0;
}

/* A lost connection is re-established before the next statement, unless a
** transaction was open on it: then its work is gone, and the caller must
** see that (the statement fails; finish() reports it). */
static void reconnectIfBroken(lua_State *L, LConn *c) {
  dz_dberr err;
  if (!c->pDrv->xReconnect || !c->pDrv->xBroken || c->bInTx || !c->pDrv->xBroken(c->pConn)) return;
  /* inside a user function the statement around it may still be reading
  ** the old handle's rows: the next top-level statement reconnects */
  if (dzl_in_user_call(L)) return;
  if (c->pDrv->xReconnect(c->pConn, &err)) raiseQueryError(L, &err, NULL, 0, 0, c->pDrv->zName);
}

/* A statement's failure as a QueryError of c's driver. (A lost connection
** is the driver's to notice: xBroken, checked before the next statement.) */
static int raiseStmtError(lua_State *L, LConn *c, const dz_dberr *e, const char *zSql, size_t nSql, int iParams) {
  return raiseQueryError(L, e, zSql, nSql, iParams, c->pDrv->zName);
}

/* begin(db, config): begin [deferred|immediate|exclusive] on SQLite. */
static int l_begin(lua_State *L) {
  LConn *c = checkConn(L, 1);
  char zSql[64] = "begin";
  dz_dberr err;
  reconnectIfBroken(L, c);
  if (lua_type(L, 2) == LUA_TSTRING) {    /* pg / mysql: the session built them, in order */
    int i;
    for (i = 2; lua_type(L, i) == LUA_TSTRING; i++) {
      size_t n;
      const char *z = lua_tolstring(L, i, &n);
      if (c->pDrv->xExec(c->pConn, z, &err)) return raiseQueryError(L, &err, z, n, 0, c->pDrv->zName);
    }
    c->bInTx = 1;
    return 0;
  }
  if (lua_istable(L, 2)) {
    const char *zBehavior;
    lua_getfield(L, 2, "behavior");
    zBehavior = lua_tostring(L, -1);
    if (zBehavior) {
      if (strcmp(zBehavior, "deferred") && strcmp(zBehavior, "immediate") && strcmp(zBehavior, "exclusive")) {
        return luaL_error(L, "drizzle: transaction behavior must be deferred, immediate or exclusive, got '%s'", zBehavior);
      }
      snprintf(zSql, sizeof zSql, "begin %s", zBehavior);
    }
  }
  if (c->pDrv->xExec(c->pConn, zSql, &err)) return raiseQueryError(L, &err, zSql, strlen(zSql), 0, c->pDrv->zName);
  c->bInTx = 1;
  return 0;
}

/* finish(db, "commit" | "rollback"): ends the transaction; the connection
** is out of it whatever the server answers (a failed commit rolls back). */
static int l_finish(lua_State *L) {
  LConn *c = checkConn(L, 1);
  size_t n;
  const char *zSql = luaL_checklstring(L, 2, &n);
  dz_dberr err;
  c->bInTx = 0;
  if (c->pDrv->xBroken && c->pDrv->xBroken(c->pConn)) {
    dz_dberr_set(&err, DZ_DRIVER, "the connection to the server was lost during the transaction; nothing of it was committed");
    return raiseQueryError(L, &err, zSql, n, 0, c->pDrv->zName);
  }
  if (c->pDrv->xExec(c->pConn, zSql, &err)) return raiseQueryError(L, &err, zSql, n, 0, c->pDrv->zName);
  return 0;
}

/* decodeText(codec, text): a value a server wrote as text, decoded by that
** codec's reader (codec_text.c): how relational queries read timestamps,
** points, lines, vectors and EWKB that arrive inside JSON. */
static int l_decodeText(lua_State *L) {
  const char *zCodec = luaL_checkstring(L, 1);
  int e = dzl_codec_from_name(zCodec);
  dz_value v;
  luaL_argcheck(L, e >= 0, 1, "unknown codec");
  v.t = DZ_TEXT;
  v.u.s.z = luaL_checklstring(L, 2, &v.u.s.n);
  dzl_push_decoded(L, &v, e, 0);
  return 1;
}

/* hasPipeline(db): does the driver send a batch in one round trip? */
static int l_hasPipeline(lua_State *L) {
  LConn *c = checkConn(L, 1);
  lua_pushboolean(L, c->pDrv->xBatch != NULL);
  return 1;
}

/* reconnect(db): a new connection with the same target; prepared
** statements prepare themselves again on their next use. */
static int l_reconnect(lua_State *L) {
  LConn *c = checkConn(L, 1);
  dz_dberr err;
  refuseInUserCall(L, "reconnect");
  if (!c->pDrv->xReconnect) return 0;
  c->bInTx = 0;
  if (c->pDrv->xReconnect(c->pConn, &err)) return raiseQueryError(L, &err, NULL, 0, 0, c->pDrv->zName);
  return 0;
}

/* The cached statement for sql, prepared on a miss. */
static dz_stmt *cachedStmt(lua_State *L, LConn *c, const char *zSql, size_t n, dz_dberr *pErr, int *pRc) {
  uint64_t h;
  int i;
  CacheEntry *e = &c->aCache[c->iLastHit];
  dz_stmt *pStmt = NULL;
  /* the last statement again: one memcmp, no hash of the text */
  if (e->pStmt && e->nSql == n && memcmp(e->zSql, zSql, n) == 0) return e->pStmt;
  h = fnv1a(zSql, n);
  for (i = 0; i < CACHE_SIZE; i++) {
    e = &c->aCache[i];
    if (e->pStmt && e->h == h && e->nSql == n && memcmp(e->zSql, zSql, n) == 0) {
      c->iLastHit = i;
      return e->pStmt;
    }
  }
  *pRc = c->pDrv->xPrepare(c->pConn, zSql, n, &pStmt, pErr);
  if (*pRc) return NULL;
  e = &c->aCache[c->iNextEvict];
  c->iNextEvict = (c->iNextEvict + 1) % CACHE_SIZE;
  if (e->pStmt) c->pDrv->xFinalize(e->pStmt);
  dz_free(e->zSql, e->nSql + 1);
  memset(e, 0, sizeof *e);
  e->zSql = dz_strdup(zSql, n);
  if (!e->zSql) {
    c->pDrv->xFinalize(pStmt);
    luaL_error(L, "drizzle: out of memory");
  }
  e->h = h;
  e->nSql = n;
  e->pStmt = pStmt;
  c->iLastHit = (int)(e - c->aCache);
  return pStmt;
}

/* ----------------------------------------------------------------- rows */

/* The codec a value with no column codec gets from its server type, so raw
** SQL and expressions read json and arrays as node-postgres / mysql2 hand
** them over (parsed), and everything else as is. pg: by type OID; mysql: the
** driver's JSON flag. CODEC_NONE when nothing applies. */
static int codecOfDbType(const dz_driver *pDrv, dz_stmt *pStmt, int i) {
  int t;
  if (!pDrv->xColumnDbType || pDrv->zName[0] == 's') return CODEC_NONE;
  t = pDrv->xColumnDbType(pStmt, i);
  if (pDrv->zName[0] == 'm') return (t & DZ_MYSQL_JSON) ? CODEC_JSON : CODEC_NONE;
  switch (t) {
    case 114: case 3802: return CODEC_JSON;                                      /* json, jsonb */
    case 1005: case 1007: case 1016: return CODEC_PG_ARRAY | ELEM_INT << 16;      /* int2[], int4[], int8[] */
    case 1021: case 1022: return CODEC_PG_ARRAY | ELEM_FLOAT << 16;              /* float4[], float8[] */
    case 1000: return CODEC_PG_ARRAY | ELEM_BOOL << 16;                          /* bool[] */
    case 199: case 3807: return CODEC_PG_ARRAY | CODEC_JSON << 8;                /* json[], jsonb[] */
    case 1009: case 1015: case 1014: case 1231: case 2951: case 1115: case 1185:
    case 1182: case 1183: case 1041: case 651: case 1040: case 775:
      return CODEC_PG_ARRAY;                                                     /* text-like arrays */
    default: return CODEC_NONE;
  }
}

/* Push cell v of column i: by the field's codec, else by the server type's
** codec (aDb, computed once per result) when the cell is text. */
static void pushCell(lua_State *L, const dz_value *v, int eCodec, int iFn, int eDbCodec) {
  if (eCodec != CODEC_NONE) dzl_push_decoded(L, v, eCodec, iFn);
  else if (v->t == DZ_TEXT && eDbCodec != CODEC_NONE) dzl_push_decoded(L, v, eDbCodec, 0);
  else dzl_push_value(L, v);
}

/* Build one row from the current result of pStmt by shape sh. Keys and
** decoder functions sit on the stack from iKeyBase (key i at iKeyBase+i-1);
** aDb: the nDb columns' server-type codecs (a shape may outlive a change
** of the table under a cached MySQL statement: never read past nDb).
** [-0,+1,e] */
static void pushShapedRow(lua_State *L, const dz_driver *pDrv, dz_stmt *pStmt, const LShape *sh, int iKeyBase,
                          const int *aDb, int nDb) {
  int i, iRoot;
  dz_value v;
  lua_createtable(L, 0, sh->nField);
  iRoot = lua_gettop(L);
  /* nested objects: made first, attached at the end unless nullified */
  for (i = 1; i < sh->nObj; i++) lua_newtable(L);
  for (i = 0; i < sh->nField; i++) {
    const LField *f = &sh->aField[i];
    pDrv->xColumn(pStmt, i, &v);
    if (v.t == DZ_NULL) continue;
    lua_pushvalue(L, iKeyBase + f->iKey - 1);
    pushCell(L, &v, f->eCodec, f->iFn ? iKeyBase + f->iFn - 1 : 0, i < nDb ? aDb[i] : CODEC_NONE);
    lua_rawset(L, iRoot + f->iObj);
  }
  for (i = sh->nObj - 1; i >= 1; i--) {
    const LObj *o = &sh->aObj[i];
    if (o->bNullify && o->iFirstField >= 0) {
      pDrv->xColumn(pStmt, o->iFirstField, &v);
      if (v.t == DZ_NULL) continue;
    }
    lua_pushvalue(L, iKeyBase + o->iKey - 1);
    lua_pushvalue(L, iRoot + i);
    lua_rawset(L, iRoot + o->iParent);
  }
  lua_settop(L, iRoot);
}

/* A row of a raw query: keys are the driver's column names. */
static void pushRawRow(lua_State *L, const dz_driver *pDrv, dz_stmt *pStmt, int nCol, const int *aDb) {
  int i;
  dz_value v;
  lua_createtable(L, 0, nCol);
  for (i = 0; i < nCol; i++) {
    pDrv->xColumn(pStmt, i, &v);
    if (v.t == DZ_NULL) continue;
    lua_pushstring(L, pDrv->xColumnName(pStmt, i));
    pushCell(L, &v, CODEC_NONE, 0, aDb[i]);
    lua_rawset(L, -3);
  }
}

static void pushValuesRow(lua_State *L, const dz_driver *pDrv, dz_stmt *pStmt, int nCol) {
  int i;
  dz_value v;
  lua_createtable(L, nCol, 0);
  for (i = 0; i < nCol; i++) {
    pDrv->xColumn(pStmt, i, &v);
    if (v.t == DZ_NULL) lua_pushlightuserdata(L, NULL);
    else dzl_push_value(L, &v);
    lua_rawseti(L, -2, i + 1);
  }
}

/* ------------------------------------------------------------- execution */

enum { M_EXECUTE, M_ALL, M_GET, M_RUN, M_VALUES };

/* Fill placeholders of the bound values from the table at iPh. */
static void fillPlaceholders(lua_State *L, dz_value *aVal, const dz_param *aParam, int n, int iPh, int iAux, int iAnchor, int *pnAnchor) {
  int i;
  for (i = 0; i < n; i++) {
    if (aParam[i].v.t != DZ_PLACEHOLDER) continue;
    if (!lua_istable(L, iPh)) {
      luaL_error(L, "drizzle: placeholder \"%s\" has no value: pass { %s = ... } to execute()", aVal[i].u.s.z, aVal[i].u.s.z);
    }
    lua_pushlstring(L, aParam[i].v.u.s.z, aParam[i].v.u.s.n);
    lua_rawget(L, iPh);
    if (lua_isnil(L, -1)) {
      luaL_error(L, "drizzle: no value for placeholder \"%s\"", aParam[i].v.u.s.z);
    }
    {
      int iVal = lua_gettop(L), iCol = 0, eCodec = CODEC_NONE;
      lua_rawgeti(L, iAux, aParam[i].iTag);
      lua_rawgeti(L, -1, 2);
      if (!lua_isnil(L, -1)) {
        int k = dzl_kind(L, -1);
        if (k == K_COLREF) lua_rawgeti(L, -1, 1);
        else lua_pushvalue(L, -1);
        iCol = lua_gettop(L);
        eCodec = dzl_colptr(L, iCol)->eCodec;
      }
      dzl_encode_value(L, iVal, eCodec, iCol, &aVal[i], iAnchor, pnAnchor);
      lua_settop(L, iVal);
      dzl_slot_table(L, iAnchor);
      lua_rawseti(L, iAnchor, ++*pnAnchor);    /* keep the value's bytes alive */
    }
  }
}

/* Whether db (at iDb) has a logger; leaves it on the stack when it has. */
static int loggerSet(lua_State *L, int iDb) {
  lua_getfield(L, iDb, "logger");
  if (lua_toboolean(L, -1)) return 1;
  lua_pop(L, 1);
  return 0;
}

/* Log through the logger just pushed by loggerSet: true (print), a
** function, or { logQuery = f }. Pops it. */
static void logQuery(lua_State *L, const char *zSql, size_t nSql, const dz_param *aParam, int nParam, int iAux) {
  int i;
  lua_getfield(L, LUA_REGISTRYINDEX, "drizzle.log");
  lua_insert(L, -2);
  lua_pushlstring(L, zSql, nSql);
  lua_createtable(L, nParam, 0);
  for (i = 0; i < nParam; i++) {
    pushParam(L, &aParam[i], iAux);
    lua_rawseti(L, -2, i + 1);
  }
  dzl_call_user(L, 3, 0);
}

/* The values as bound, as a QueryError's params (NULL is d.NULL); only
** built when a statement fails. Returns its stack index. [-0,+1,m] */
static int pushBoundParams(lua_State *L, const dz_value *aVal, int nVal) {
  int i;
  lua_createtable(L, nVal, 0);
  for (i = 0; i < nVal; i++) {
    if (aVal[i].t == DZ_NULL) lua_pushlightuserdata(L, NULL);
    else dzl_push_value(L, &aVal[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return lua_gettop(L);
}
#define ERR_PARAMS (iParamsForError ? iParamsForError : pushBoundParams(L, aVal, nVal))

/* The server-type codec of each of the nCol columns of the current result
** (codecOfDbType), in aBuf when it fits, else in a userdata kept in stack
** slot iSlot. Computed once per result instead of per cell. */
static const int *dbCodecs(lua_State *L, const dz_driver *pDrv, dz_stmt *pStmt, int nCol, int *aBuf, int nBuf, int iSlot) {
  int i, *a = aBuf;
  if (nCol > nBuf) {
    a = (int *)lua_newuserdata(L, sizeof(int) * (size_t)nCol);
    lua_replace(L, iSlot);
  }
  for (i = 0; i < nCol; i++) a[i] = codecOfDbType(pDrv, pStmt, i);
  return a;
}

/* Does reading a row of this shape call Lua functions (customType
** fromDriver, sql mapWith)? Those may run queries, so their rows must not
** stream (driver.h, xStreamNext). */
static int callsLua(const LShape *sh) {
  int i;
  if (sh) for (i = 0; i < sh->nField; i++) if (sh->aField[i].iFn) return 1;
  return 0;
}

/* Read the results of pStmt, already bound (and, after a batch, already
** run), per method. The rows' shape sh (NULL for raw queries) with keys
** from iKeyBase. [-0,+1,e] */
static int collectResults(lua_State *L, LConn *c, dz_stmt *pStmt, const char *zSql, size_t nSql, const dz_value *aVal, int nVal,
                          const LShape *sh, int iKeyBase, int eMethod, int bHasRows, int iParamsForError) {
  dz_dberr err;
  int rc = 0, nCol, nRow = 0;
  int aDbBuf[32], iDbSlot;
  const int *aDb = aDbBuf;
  const dz_driver *pDrv = c->pDrv;
  nCol = pDrv->xColumnCount(pStmt);
  if (eMethod == M_EXECUTE && !bHasRows && !(sh == NULL && nCol > 0)) eMethod = M_RUN;
  if (eMethod == M_RUN) {
    while ((rc = pDrv->xStep(pStmt, &err)) == DZ_ROW) {}
    if (rc != DZ_DONE) { pDrv->xReset(pStmt); return raiseStmtError(L, c, &err, zSql, nSql, ERR_PARAMS); }
    lua_createtable(L, 0, 2);
    lua_rawgeti(L, DZL_NAMES, N_rowsAffected);
    dzl_pushint64(L, pDrv->xChanges(c->pConn));
    lua_rawset(L, -3);
    lua_rawgeti(L, DZL_NAMES, N_insertId);
    dzl_pushint64(L, pDrv->xLastInsertId(c->pConn));
    lua_rawset(L, -3);
    pDrv->xReset(pStmt);
    deliverNotices(L, c);
    return 1;
  }
  lua_pushnil(L);
  iDbSlot = lua_gettop(L);
  if (eMethod != M_GET) lua_newtable(L);
  if (eMethod != M_GET && pDrv->xStreamNext && !callsLua(sh)) pDrv->xStreamNext(pStmt);
  while ((rc = pDrv->xStep(pStmt, &err)) == DZ_ROW) {
    /* the first step executes, and a cached statement whose table changed
    ** its columns since the prepare comes back re-prepared (MySQL) */
    if (nRow == 0) {
      nCol = pDrv->xColumnCount(pStmt);
      aDb = dbCodecs(L, pDrv, pStmt, nCol, aDbBuf, (int)(sizeof aDbBuf / sizeof aDbBuf[0]), iDbSlot);
    }
    if (eMethod == M_VALUES) pushValuesRow(L, pDrv, pStmt, nCol);
    else if (sh) pushShapedRow(L, pDrv, pStmt, sh, iKeyBase, aDb, nCol);
    else pushRawRow(L, pDrv, pStmt, nCol, aDb);
    if (eMethod == M_GET) break;
    lua_rawseti(L, -2, ++nRow);
  }
  if (rc != DZ_ROW && rc != DZ_DONE) {
    pDrv->xReset(pStmt);
    return raiseStmtError(L, c, &err, zSql, nSql, ERR_PARAMS);
  }
  pDrv->xReset(pStmt);
  if (eMethod == M_GET && rc != DZ_ROW) lua_pushnil(L);
  deliverNotices(L, c);
  return 1;
}

/* A statement of its own for a query run from inside a user function
** (dzl_in_user_call): the statement around it may be a cached or prepared
** one in the middle of its rows, and a prepare here could evict it from
** the cache. Held by a userdata on the stack, so that an error leaves it
** to the collector. */
typedef struct LTempStmt {
  const dz_driver *pDrv;
  dz_stmt *pStmt;
} LTempStmt;

static int tempstmt_gc(lua_State *L) {
  LTempStmt *t = (LTempStmt *)luaL_checkudata(L, 1, TEMPSTMT_MT);
  if (t->pStmt) t->pDrv->xFinalize(t->pStmt);
  t->pStmt = NULL;
  return 0;
}

static LTempStmt *pushTempStmt(lua_State *L, LConn *c, const char *zSql, size_t nSql, dz_dberr *pErr) {
  LTempStmt *t = (LTempStmt *)lua_newuserdata(L, sizeof(LTempStmt));
  t->pDrv = c->pDrv;
  t->pStmt = NULL;
  luaL_getmetatable(L, TEMPSTMT_MT);
  lua_setmetatable(L, -2);
  if (c->pDrv->xPrepare(c->pConn, zSql, nSql, &t->pStmt, pErr)) t->pStmt = NULL;
  return t;
}

/* Run sql with params on c: the cached statement (or pStmt; inside a user
** function, a statement of its own), bound, then its results collected per
** method. [-0,+1,e] */
static int runStatement(lua_State *L, LConn *c, dz_stmt *pStmt, const char *zSql, size_t nSql, dz_value *aVal, int nVal,
                        const LShape *sh, int iKeyBase, int eMethod, int bHasRows, int iParamsForError) {
  dz_dberr err;
  int rc = 0;
  const dz_driver *pDrv = c->pDrv;
  LTempStmt *pTemp = NULL;
  reconnectIfBroken(L, c);
  if (dzl_in_user_call(L)) {
    pTemp = pushTempStmt(L, c, zSql, nSql, &err);
    pStmt = pTemp->pStmt;
  } else if (!pStmt) {
    pStmt = cachedStmt(L, c, zSql, nSql, &err, &rc);
  }
  if (!pStmt) return raiseStmtError(L, c, &err, zSql, nSql, ERR_PARAMS);
  if (pDrv->xBind(pStmt, aVal, nVal, &err)) {
    pDrv->xReset(pStmt);
    return raiseStmtError(L, c, &err, zSql, nSql, ERR_PARAMS);
  }
  collectResults(L, c, pStmt, zSql, nSql, aVal, nVal, sh, iKeyBase, eMethod, bHasRows, iParamsForError);
  if (pTemp) {
    pDrv->xFinalize(pTemp->pStmt);
    pTemp->pStmt = NULL;
  }
  return 1;
}

static int methodOf(lua_State *L, int idx) {
  static const char *const aName[] = { "execute", "all", "get", "run", "values", NULL };
  return luaL_checkoption(L, idx, "execute", aName);
}

/* Push the shape's keys onto the stack; returns the index of the first. */
static int pushKeys(lua_State *L, int iKeys, int nKeys) {
  int i, base = lua_gettop(L) + 1;
  luaL_checkstack(L, nKeys + 20, "too many result fields");
  if (nKeys) for (i = 1; i <= nKeys; i++) lua_rawgeti(L, iKeys, i);
  return base;
}

static int stmtHasRows(int eKind, const Conv *cv) {
  return eKind == STMT_SELECT || eKind == STMT_COUNT || (eKind != STMT_RAW && cv->pShape != NULL);
}

/* One statement of a batch, kept until its results are read. */
typedef struct BatchItem {
  dz_stmt *pStmt;
  dz_value *aVal;
  int nVal;
  LShape shape;
  int bShape, bHasRows, nKeys;
  const char *zSql;          /* a Lua string in the batch's keep table */
  size_t nSql;
} BatchItem;

/* Render item i ({ kind, query } at iItem) into *pItem; every byte it
** needs later is copied into Lua values stored in the keep table at iKeep. */
static void batchRender(lua_State *L, LSession *s, int iItem, int iKeep, int *pnKeep, BatchItem *pItem) {
  Conv cv;
  int i, top = lua_gettop(L), eKind;
  lua_rawgeti(L, iItem, 1);
  eKind = stmtKind(L, -1);
  lua_rawgeti(L, iItem, 2);
  renderStatement(L, s, eKind, top + 2, &cv, 1);
  if (eKind == STMT_RAW) cv.pShape = NULL;
  pItem->nVal = s->r.nParam;
  pItem->bHasRows = stmtHasRows(eKind, &cv);
  lua_pushlstring(L, s->r.sql.z ? s->r.sql.z : "", s->r.sql.n);
  pItem->zSql = lua_tolstring(L, -1, &pItem->nSql);
  lua_rawseti(L, iKeep, ++*pnKeep);
  pItem->aVal = (dz_value *)lua_newuserdata(L, sizeof(dz_value) * (size_t)(pItem->nVal + 1));
  lua_rawseti(L, iKeep, ++*pnKeep);
  for (i = 0; i < pItem->nVal; i++) {
    dz_value *v = &pItem->aVal[i];
    *v = s->r.aParam[i].v;
    if (v->t == DZ_PLACEHOLDER) luaL_error(L, "drizzle: batch(): placeholder \"%s\" cannot be filled in a batch", v->u.s.z);
    if (v->t == DZ_TEXT || v->t == DZ_BLOB) {
      lua_pushlstring(L, v->u.s.z, v->u.s.n);
      v->u.s.z = lua_tostring(L, -1);
      lua_rawseti(L, iKeep, ++*pnKeep);
    }
  }
  pItem->bShape = cv.pShape != NULL;
  if (cv.pShape) {
    pItem->shape = *cv.pShape;
    pItem->shape.aField = (LField *)lua_newuserdata(L, sizeof(LField) * (size_t)(cv.pShape->nField + 1));
    memcpy(pItem->shape.aField, cv.pShape->aField, sizeof(LField) * (size_t)cv.pShape->nField);
    lua_rawseti(L, iKeep, ++*pnKeep);
    pItem->shape.aObj = (LObj *)lua_newuserdata(L, sizeof(LObj) * (size_t)(cv.pShape->nObj + 1));
    memcpy(pItem->shape.aObj, cv.pShape->aObj, sizeof(LObj) * (size_t)cv.pShape->nObj);
    lua_rawseti(L, iKeep, ++*pnKeep);
  }
  pItem->nKeys = cv.nKeys;
  dzl_slot_table(L, cv.iKeys);
  lua_pushvalue(L, cv.iKeys);
  lua_rawseti(L, iKeep, ++*pnKeep);          /* keys sit at keep[*pnKeep] */
  if (loggerSet(L, 1)) logQuery(L, s->r.sql.z, s->r.sql.n, s->r.aParam, pItem->nVal, cv.iAux);
  lua_settop(L, top);
}

/* batch(db, { {kind, query}, ... }) -> { result, ... }: every statement sent
** in one round trip (the driver's xBatch: libpq pipeline mode), results read
** in order. Drivers without xBatch, or batches with more distinct SQL texts
** than the statement cache holds, run the items one after another. */
static int l_batch(lua_State *L) {
  LSession *s = useSession(L, 1);
  LConn *c = checkConn(L, 1);
  int n, i, iKeep, nKeep = 0, iOut, bPipeline;
  BatchItem *aItem;
  dz_stmt **apStmt;
  const dz_value **aaVal;
  int *anVal, *aiKeys;
  dz_dberr err;
  luaL_checktype(L, 2, LUA_TTABLE);
  n = (int)dzl_rawlen(L, 2);
  lua_newtable(L);
  iKeep = lua_gettop(L);
  aItem = (BatchItem *)lua_newuserdata(L, sizeof(BatchItem) * (size_t)(n + 1));
  apStmt = (dz_stmt **)lua_newuserdata(L, sizeof(dz_stmt *) * (size_t)(n + 1));
  aaVal = (const dz_value **)lua_newuserdata(L, sizeof(dz_value *) * (size_t)(n + 1));
  anVal = (int *)lua_newuserdata(L, sizeof(int) * (size_t)(n + 1));
  aiKeys = (int *)lua_newuserdata(L, sizeof(int) * (size_t)(n + 1));
  lua_newtable(L);                              /* distinct SQL texts */
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, 2, i + 1);
    batchRender(L, s, lua_gettop(L), iKeep, &nKeep, &aItem[i]);
    aiKeys[i] = nKeep;
    lua_pop(L, 1);
    lua_pushlstring(L, aItem[i].zSql, aItem[i].nSql);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
  }
  {
    int nDistinct = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) { nDistinct++; lua_pop(L, 1); }
    bPipeline = c->pDrv->xBatch != NULL && n > 1 && nDistinct <= CACHE_SIZE / 2 && !dzl_in_user_call(L);
  }
  lua_pop(L, 1);
  lua_createtable(L, n, 0);
  iOut = lua_gettop(L);
  if (bPipeline) {
    int rc = 0;
    reconnectIfBroken(L, c);
    for (i = 0; i < n; i++) {
      apStmt[i] = cachedStmt(L, c, aItem[i].zSql, aItem[i].nSql, &err, &rc);
      if (!apStmt[i]) return raiseStmtError(L, c, &err, aItem[i].zSql, aItem[i].nSql, pushBoundParams(L, aItem[i].aVal, aItem[i].nVal));
      aaVal[i] = aItem[i].aVal;
      anVal[i] = aItem[i].nVal;
    }
    rc = c->pDrv->xBatch(c->pConn, n, apStmt, aaVal, anVal, &err);
    if (rc == DZ_MISUSE) return raiseStmtError(L, c, &err, NULL, 0, 0);
  }
  for (i = 0; i < n; i++) {
    BatchItem *it = &aItem[i];
    int iKeyBase;
    lua_rawgeti(L, iKeep, aiKeys[i]);
    iKeyBase = pushKeys(L, lua_gettop(L), it->nKeys);
    if (bPipeline) {
      collectResults(L, c, apStmt[i], it->zSql, it->nSql, it->aVal, it->nVal, it->bShape ? &it->shape : NULL,
                     iKeyBase, M_EXECUTE, it->bHasRows, 0);
    } else {
      runStatement(L, c, NULL, it->zSql, it->nSql, it->aVal, it->nVal, it->bShape ? &it->shape : NULL,
                   iKeyBase, M_EXECUTE, it->bHasRows, 0);
    }
    lua_rawseti(L, iOut, i + 1);
    lua_settop(L, iOut);
  }
  return 1;
}

/* execute(db, kind, query, method, placeholders) */
static int l_execute(lua_State *L) {
  LSession *s = useSession(L, 1);
  int eKind = stmtKind(L, 2);
  int eMethod = methodOf(L, 4);
  LConn *c = checkConn(L, 1);
  Conv cv;
  dz_value *aVal;
  int i, iKeyBase, nParam;
  renderStatement(L, s, eKind, 3, &cv, 1);
  nParam = s->r.nParam;
  aVal = (dz_value *)dz_arena_alloc(&s->arena, sizeof(dz_value) * (size_t)(nParam + 1));
  if (!aVal) return luaL_error(L, "drizzle: out of memory");
  for (i = 0; i < nParam; i++) aVal[i] = s->r.aParam[i].v;
  fillPlaceholders(L, aVal, s->r.aParam, nParam, 5, cv.iAux, cv.iAnchor, &cv.nAnchor);
  if (loggerSet(L, 1)) logQuery(L, s->r.sql.z, s->r.sql.n, s->r.aParam, nParam, cv.iAux);
  iKeyBase = pushKeys(L, cv.iKeys, cv.nKeys);
  if (eKind == STMT_RAW) cv.pShape = NULL;
  {
    /* params for a QueryError: built lazily would need the values again, so
    ** build them now only when the statement fails (cheap path first) */
    int top = lua_gettop(L);
    lua_pushnil(L);
    runStatement(L, c, NULL, s->r.sql.z, s->r.sql.n, aVal, nParam, cv.pShape, iKeyBase, eMethod,
                 stmtHasRows(eKind, &cv), 0);
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
  }
  return 1;
}

/* ------------------------------------------------------------- prepared */

/* A prepared query: SQL rendered once, its own driver statement, params
** with placeholders to fill, and the shape of its rows. Its uservalue table
** holds the connection, the params, the aux table and the keys. */
typedef struct LPrep {
  LConn *pConn;
  dz_stmt *pStmt;
  LShape shape;
  int bShape;
  int bHasRows;
  int nParam;
  int nKeys;
  char *zSql;
  size_t nSql;
  dz_param *aParam;       /* copies; placeholder names live in uservalue[6] */
  int *aCodec;            /* per param: the codec of a placeholder's encoder column */
} LPrep;

static void prepRelease(LPrep *p) {
  if (p->pStmt && p->pConn) p->pConn->pDrv->xFinalize(p->pStmt);   /* allowed after the db closed */
  p->pStmt = NULL;
  dz_free(p->zSql, p->nSql + 1); p->zSql = NULL;
  dz_free(p->aParam, sizeof(dz_param) * (size_t)(p->nParam + 1)); p->aParam = NULL;
  dz_free(p->aCodec, sizeof(int) * (size_t)(p->nParam + 1)); p->aCodec = NULL;
  dz_free(p->shape.aField, sizeof(LField) * (size_t)(p->shape.nField + 1)); p->shape.aField = NULL;
  dz_free(p->shape.aObj, sizeof(LObj) * (size_t)(p->shape.nObj + 1)); p->shape.aObj = NULL;
}

static int prep_gc(lua_State *L) {
  LPrep *p = (LPrep *)luaL_checkudata(L, 1, PREP_MT);
  prepRelease(p);
  return 0;
}

static void getUV(lua_State *L, int idx) {
#if LUA_VERSION_NUM >= 502
  lua_getuservalue(L, idx);
#else
  lua_getfenv(L, idx);
#endif
}
static void setUV(lua_State *L, int idx) {
#if LUA_VERSION_NUM >= 502
  lua_setuservalue(L, idx);
#else
  lua_setfenv(L, idx);
#endif
}

/* prepare(db, kind, query, name) -> prepared */
static int l_prepare(lua_State *L) {
  LSession *s = useSession(L, 1);
  int eKind = stmtKind(L, 2);
  LConn *c = checkConn(L, 1);
  Conv cv;
  LPrep *p;
  dz_dberr err;
  int i, iUV, rc;
  renderStatement(L, s, eKind, 3, &cv, 1);
  if (eKind == STMT_RAW) cv.pShape = NULL;
  p = (LPrep *)lua_newuserdata(L, sizeof(LPrep));
  memset(p, 0, sizeof *p);
  luaL_getmetatable(L, PREP_MT);
  lua_setmetatable(L, -2);
  p->pConn = c;
  p->nParam = s->r.nParam;
  p->bHasRows = stmtHasRows(eKind, &cv);
  p->nKeys = cv.nKeys;
  p->zSql = dz_strdup(s->r.sql.z ? s->r.sql.z : "", s->r.sql.n);
  p->nSql = s->r.sql.n;
  p->aParam = (dz_param *)dz_malloc(sizeof(dz_param) * (size_t)(p->nParam + 1));
  p->aCodec = (int *)dz_malloc(sizeof(int) * (size_t)(p->nParam + 1));
  if (!p->zSql || !p->aParam || !p->aCodec) return luaL_error(L, "drizzle: out of memory");
  if (cv.pShape) {
    p->bShape = 1;
    p->shape.nField = cv.pShape->nField;
    p->shape.nObj = cv.pShape->nObj;
    p->shape.aField = (LField *)dz_malloc(sizeof(LField) * (size_t)(p->shape.nField + 1));
    p->shape.aObj = (LObj *)dz_malloc(sizeof(LObj) * (size_t)(p->shape.nObj + 1));
    if (!p->shape.aField || !p->shape.aObj) return luaL_error(L, "drizzle: out of memory");
    memcpy(p->shape.aField, cv.pShape->aField, sizeof(LField) * (size_t)p->shape.nField);
    memcpy(p->shape.aObj, cv.pShape->aObj, sizeof(LObj) * (size_t)p->shape.nObj);
  }
  /* uservalue: { conn, params (Lua values), aux, keys } */
  lua_createtable(L, 4, 0);
  iUV = lua_gettop(L);
  lua_getfield(L, 1, "conn"); lua_rawseti(L, iUV, 1);
  dzl_slot_table(L, cv.iAux);
  dzl_slot_table(L, cv.iKeys);
  pushParams(L, s, cv.iAux); lua_rawseti(L, iUV, 2);
  lua_pushvalue(L, cv.iAux); lua_rawseti(L, iUV, 3);
  lua_pushvalue(L, cv.iKeys); lua_rawseti(L, iUV, 4);
  lua_pushvalue(L, 1); lua_rawseti(L, iUV, 5);
  /* uservalue[6][i]: placeholder i's name, uservalue[7][i]: its encoder
  ** column; resolved once here, so an execution looks nothing up by name */
  lua_createtable(L, p->nParam, 0);
  lua_createtable(L, p->nParam, 0);
  for (i = 0; i < p->nParam; i++) {
    p->aParam[i] = s->r.aParam[i];
    p->aCodec[i] = CODEC_NONE;
    if (p->aParam[i].v.t != DZ_PLACEHOLDER) continue;
    lua_rawgeti(L, cv.iAux, p->aParam[i].iTag);      /* { placeholder, column } */
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, DZL_NAMES, N_name);
    lua_rawget(L, -2);
    if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "drizzle: placeholder without a name");
    p->aParam[i].v.u.s.z = lua_tolstring(L, -1, &p->aParam[i].v.u.s.n);
    lua_rawseti(L, -5, i + 1);                        /* names[i+1]: keeps z alive */
    lua_pop(L, 1);
    lua_rawgeti(L, -1, 2);
    if (!lua_isnil(L, -1)) {
      if (dzl_kind(L, -1) == K_COLREF) lua_rawgeti(L, -1, 1); else lua_pushvalue(L, -1);
      p->aCodec[i] = dzl_colptr(L, -1)->eCodec;
      lua_rawseti(L, -4, i + 1);                      /* cols[i+1] */
    }
    lua_pop(L, 2);
  }
  lua_rawseti(L, iUV, 7);
  lua_rawseti(L, iUV, 6);
  setUV(L, -2);
  rc = c->pDrv->xPrepare(c->pConn, p->zSql, p->nSql, &p->pStmt, &err);
  if (rc) {
    p->pStmt = NULL;
    return raiseQueryError(L, &err, p->zSql, p->nSql, 0, c->pDrv->zName);
  }
  return 1;
}

/* Run prepared p by method with the placeholders table at iPh (any value:
** only read when the statement has placeholders). The uservalue's tables
** are fetched only when this execution needs them: a get by primary key
** needs the names and columns of its placeholders and the row keys. */
static int prepRun(lua_State *L, LPrep *p, int eMethod, int iPh) {
  int i, iUV, iParams = 0, iAux = 0, iAnchor, nAnchor = 0, iKeyBase, iNames = 0, iCols = 0;
  dz_value aBuf[16];
  dz_value *aVal = aBuf;
  if (!p->pStmt) return luaL_error(L, "drizzle: prepared query released");
  if (!p->pConn->pConn) return luaL_error(L, "drizzle: the db is closed");
  luaL_checkstack(L, p->nParam + p->nKeys + 24, "too many parameters");
  getUV(L, 1);
  iUV = lua_gettop(L);
  lua_pushnil(L); iAnchor = lua_gettop(L);          /* made on first use */
  if (p->nParam > (int)(sizeof aBuf / sizeof aBuf[0])) {
    aVal = (dz_value *)lua_newuserdata(L, sizeof(dz_value) * (size_t)(p->nParam + 1));
  }
  for (i = 0; i < p->nParam; i++) {
    if (p->aParam[i].v.t == DZ_PLACEHOLDER) {
      int iVal, iCol = 0;
      if (!iNames) {
        if (!lua_istable(L, iPh)) {
          luaL_error(L, "drizzle: placeholder \"%s\" has no value: pass { %s = ... } to execute()", p->aParam[i].v.u.s.z, p->aParam[i].v.u.s.z);
        }
        lua_rawgeti(L, iUV, 6); iNames = lua_gettop(L);
        lua_rawgeti(L, iUV, 7); iCols = lua_gettop(L);
      }
      lua_rawgeti(L, iNames, i + 1);
      lua_rawget(L, iPh);
      if (lua_isnil(L, -1)) luaL_error(L, "drizzle: no value for placeholder \"%s\"", p->aParam[i].v.u.s.z);
      iVal = lua_gettop(L);                           /* stays on the stack: keeps its bytes alive */
      /* the column (custom codecs call it; errors name it) */
      lua_rawgeti(L, iCols, i + 1);
      if (!lua_isnil(L, -1)) iCol = iVal + 1;
      dzl_encode_value(L, iVal, p->aCodec[i], iCol, &aVal[i], iAnchor, &nAnchor);
      lua_settop(L, iVal);
    } else {
      if (!iParams) { lua_rawgeti(L, iUV, 2); iParams = lua_gettop(L); }
      lua_rawgeti(L, iParams, i + 1);
      dzl_encode_value(L, -1, CODEC_NONE, 0, &aVal[i], iAnchor, &nAnchor);
      if (p->aParam[i].v.t == DZ_BLOB && aVal[i].t == DZ_TEXT) aVal[i].t = DZ_BLOB;
      lua_pop(L, 1);
    }
  }
  lua_rawgeti(L, iUV, 5);                           /* the db: its logger */
  if (loggerSet(L, lua_gettop(L))) {
    lua_rawgeti(L, iUV, 3);
    lua_insert(L, -2);                              /* aux below the logger */
    iAux = lua_gettop(L) - 1;
    logQuery(L, p->zSql, p->nSql, p->aParam, p->nParam, iAux);
  }
  if (!iParams) { lua_rawgeti(L, iUV, 2); iParams = lua_gettop(L); }
  lua_rawgeti(L, iUV, 4);
  iKeyBase = pushKeys(L, lua_gettop(L), p->nKeys);
  return runStatement(L, p->pConn, p->pStmt, p->zSql, p->nSql, aVal, p->nParam, p->bShape ? &p->shape : NULL,
                      iKeyBase, eMethod, p->bHasRows, iParams);
}

/* prepExec(prep, method, placeholders): for callers that pick the method
** at run time (relational queries). */
static int l_prepExec(lua_State *L) {
  LPrep *p = (LPrep *)luaL_checkudata(L, 1, PREP_MT);
  int eMethod = methodOf(L, 2);
  lua_settop(L, 3);
  return prepRun(L, p, eMethod, 3);
}

/* p:execute(placeholders), p:all, p:get, p:run, p:values: C closures over
** (names, the prepared metatable, the method), the methods of the prepared
** userdata itself, so a prepared get is one C call with no name lookups. */
static int l_prepMethod(lua_State *L) {
  LPrep *p = (LPrep *)lua_touserdata(L, 1);
  lua_settop(L, 2);
  if (!p || !lua_getmetatable(L, 1) || !lua_rawequal(L, -1, lua_upvalueindex(2))) {
    return luaL_argerror(L, 1, "drizzle.Prepared expected");
  }
  lua_pop(L, 1);
  return prepRun(L, p, (int)lua_tointeger(L, lua_upvalueindex(3)), 2);
}

/* prepSQL(prep) -> sql, params */
static int l_prepSQL(lua_State *L) {
  LPrep *p = (LPrep *)luaL_checkudata(L, 1, PREP_MT);
  lua_pushlstring(L, p->zSql ? p->zSql : "", p->nSql);
  getUV(L, 1);
  lua_rawgeti(L, -1, 2);
  lua_remove(L, -2);
  return 2;
}

/* ---------------------------------------------------------------- module */

static int l_setHooks(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_getfield(L, 1, "newQueryError");
  lua_setfield(L, LUA_REGISTRYINDEX, "drizzle.newQueryError");
  lua_getfield(L, 1, "log");
  lua_setfield(L, LUA_REGISTRYINDEX, "drizzle.log");
  return 0;
}

static const luaL_Reg aFunc[] = {
  { "newTable", l_newTable },
  { "columnPtr", l_columnPtr },
  { "aliasTable", l_aliasTable },
  { "newSession", l_newSession },
  { "render", l_render },
  { "renderSQL", l_renderSQL },
  { "checkFields", l_checkFields },
  { "connect", l_connect },
  { "close", l_close },
  { "exec", l_exec },
  { "begin", l_begin },
  { "finish", l_finish },
  { "batch", l_batch },
  { "hasPipeline", l_hasPipeline },
  { "decodeText", l_decodeText },
  { "reconnect", l_reconnect },
  { "execute", l_execute },
  { "prepare", l_prepare },
  { "prepExec", l_prepExec },
  { "prepSQL", l_prepSQL },
  { "setHooks", l_setHooks },
  { NULL, NULL }
};

static void newMeta(lua_State *L, const char *zName, lua_CFunction gc) {
  luaL_newmetatable(L, zName);
  lua_pushcfunction(L, gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, gc);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
}

void dzl_setfuncs(lua_State *L, const luaL_Reg *l) {
  lua_getfield(L, LUA_REGISTRYINDEX, "drizzle.names");
  for (; l->name; l++) {
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, l->func, 1);
    lua_setfield(L, -3, l->name);
  }
  lua_pop(L, 1);
}

/* The names table of names.h, made once per Lua state, with its NameMap
** at names[N_MAP]. */
static void openNames(lua_State *L) {
  int i;
  lua_createtable(L, N__COUNT, 0);
  for (i = 1; i < N__COUNT; i++) {
    lua_pushstring(L, dzl_azName[i - 1]);
    lua_rawseti(L, -2, i);
  }
  {
    int iNames = lua_gettop(L);
    NameMap *m = (NameMap *)lua_newuserdata(L, sizeof(NameMap));
    dzl_names_map(L, iNames, m);
    lua_rawseti(L, iNames, N_MAP);
  }
  luaL_getmetatable(L, SESSION_MT);
  lua_rawseti(L, -2, N_SESSION_MT);
  *(int *)lua_newuserdata(L, sizeof(int)) = 0;
  lua_rawseti(L, -2, N_USER_CALLS);
  lua_setfield(L, LUA_REGISTRYINDEX, "drizzle.names");
}

/* The prepared metatable's __index: its run methods (session.lua adds
** toSQL). */
static void openPrepMethods(lua_State *L) {
  static const char *const aName[] = { "execute", "all", "get", "run", "values" };
  int i;
  luaL_getmetatable(L, PREP_MT);
  lua_createtable(L, 0, 6);
  for (i = 0; i < 5; i++) {
    lua_getfield(L, LUA_REGISTRYINDEX, "drizzle.names");
    lua_pushvalue(L, -3);
    lua_pushinteger(L, i);               /* M_EXECUTE.. in aName's order */
    lua_pushcclosure(L, l_prepMethod, 3);
    lua_setfield(L, -2, aName[i]);
  }
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

int luaopen_drizzle_core(lua_State *L) {
  newMeta(L, TABLE_MT, table_gc);
  newMeta(L, SESSION_MT, session_gc);
  openNames(L);
  newMeta(L, CONN_MT, conn_gc);
  newMeta(L, PREP_MT, prep_gc);
  newMeta(L, TEMPSTMT_MT, tempstmt_gc);
  openPrepMethods(L);
  lua_newtable(L);
  dzl_setfuncs(L, aFunc);
  lua_pushlightuserdata(L, NULL);
  lua_setfield(L, -2, "NULL");
#define FLAG(n) lua_pushinteger(L, DZ_##n); lua_setfield(L, -2, #n)
  FLAG(COL_NOTNULL); FLAG(COL_PRIMARY); FLAG(COL_AUTOINC); FLAG(COL_UNIQUE);
  FLAG(COL_HASDEFAULT); FLAG(COL_GENERATED); FLAG(COL_KEYASNAME);
  FLAG(COL_NUMERIC_BIGINT); FLAG(COL_IDENTITY); FLAG(COL_SELECTION_FIELD);
#undef FLAG
  /* the JSON codec, also where codec.c finds it */
  dzj_open(L);
  lua_getfield(L, -1, "encode");
  lua_setfield(L, LUA_REGISTRYINDEX, "drizzle.json.encode");
  lua_getfield(L, -1, "decode");
  lua_setfield(L, LUA_REGISTRYINDEX, "drizzle.json.decode");
  lua_setfield(L, -2, "json");
  dzl_register_ddl(L);
  dzl_register_debug(L);
  dzl_register_template(L);
  return 1;
}
