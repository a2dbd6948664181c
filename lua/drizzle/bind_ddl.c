/*
** bind_ddl.c: the DDL functions of drizzle.core (core/ddl.c for Lua).
**
**   core.ddl_create_table(dialect, table)            -> "CREATE TABLE ..."
**   core.ddl_create_index(dialect, index)            -> "CREATE INDEX ..."
**   core.ddl_drop_table(dialect, name[, schema])     -> "DROP TABLE ..."
**   core.ddl_drop_index(dialect, index)              -> "DROP INDEX ..."
**   core.ddl_add_column(dialect, table, column[, fk[, schema]]) -> "ALTER TABLE ... ADD ..."
**   core.ddl_drop_column(dialect, table, column[, schema])      -> "ALTER TABLE ... DROP COLUMN ..."
**   core.ddl_add_foreign_key(dialect, fk)            -> "ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ..."
**   core.ddl_alter_column(dialect, alter)            -> "ALTER TABLE ... ALTER|MODIFY COLUMN ..."
**   core.ddl_schema(dialect, name[, drop])           -> "CREATE SCHEMA ..." (pg)
**   core.ddl_create_enum / ddl_drop_enum / ddl_enum_add_value(dialect, enum)  (pg)
**   core.ddl_sequence(dialect, sequence[, drop])     -> "CREATE SEQUENCE ..." (pg)
**   core.ddl_create_view(dialect, view)              -> "CREATE [MATERIALIZED] VIEW ..."
**   core.ddl_drop_view(dialect, view)                -> "DROP [MATERIALIZED] VIEW ..."
**
** dialect is "sqlite", "pg" (or "postgresql") or "mysql". The descriptions
** are drizzle-kit snapshot objects with lists where the snapshot has maps:
**
**   table  = { name, schema?, columns = { column... },
**              compositePrimaryKeys = { { columns = {...}, name? }... },
**              foreignKeys = { fk... }, uniqueConstraints = { { name, columns }... },
**              checkConstraints = { { name, value }... } }
**   column = { name, type, primaryKey?, notNull?, autoincrement?, typeSchema?, onUpdate?,
**              identity? = { type, name, increment, minValue, maxValue, startWith, cache, cycle },
**              default? (string | number | boolean: the rendered default),
**              generated? = { as = "(expr)", type = "stored" | "virtual" } }
**   fk     = { name, tableFrom, tableTo, columnsFrom = {...}, columnsTo = {...},
**              onUpdate?, onDelete? }
**   index  = { name, table, schema?, columns = { "a", "lower(\"b\")" },
**              isExpression? = { [i] = true }, isUnique?, where?,
**              desc? = { [i] = true }, nulls? = { "first"|"last" ... }, opclass? = {...},
**              method?, concurrently?, withKeys? = {...}, withValues? = {...} }   (pg)
**   view   = { name, schema?, definition, materialized?, withKeys? = {...},
**              withValues? = {...} (a WITH (...) clause when withKeys is a table),
**              using?, tablespace?, withNoData?,                          (pg)
**              algorithm?, sqlSecurity?, withCheckOption?, replace? }     (MySQL)
**
** Memory: every C array is a Lua userdata and every string a Lua string,
** anchored in one table on the stack while the description is read, so a
** Lua error half-way (a wrong type, out of memory) leaks nothing. The output
** buffer lives in a userdata with __gc, so a failing lua_pushlstring does
** not leak it either. Core calls happen only after all Lua reads.
*/
#include <stdio.h>
#include <string.h>

#include "binding.h"
#include "dz_ddl.h"

#define DDLBUF_MT "drizzle.DdlBuffer"

/* One call's state: the anchor table's stack index, the function's name for
** messages, and the dialect and output buffer that finish() needs. */
typedef struct Reader {
  lua_State *L;
  int iAnchor;          /* absolute index of the anchor table */
  int nAnchor;
  const char *zFn;      /* "ddl_create_table" */
  const dz_dialect *d;
  dz_buf *b;            /* owned by a userdata in the anchor table */
} Reader;

/* [-1, +0, m] Keep the value on top alive until the call ends; pops it. */
static void anchor(Reader *r) {
  lua_rawseti(r->L, r->iAnchor, ++r->nAnchor);
}

/* [-0, +0, m] Zeroed memory owned by the anchor table. */
static void *newArray(Reader *r, size_t nElem, size_t szElem) {
  void *p;
  if (nElem == 0) return NULL;
  p = lua_newuserdata(r->L, nElem * szElem);
  memset(p, 0, nElem * szElem);
  anchor(r);
  return p;
}

/* Does not return. */
static int typeError(Reader *r, const char *zPath, const char *zKey, const char *zWant, int idx) {
  return luaL_error(r->L, "%s: %s%s%s: %s expected, got %s", r->zFn, zPath,
                    zKey[0] == '[' ? "" : ".", zKey, zWant, luaL_typename(r->L, idx));
}

/* [-0, +0, e] The string at t[key]; NULL when nil (or when optional is 0, an
** error). Numbers and booleans are accepted where bLoose: numbers as Lua
** prints them, booleans as true/false. */
static const char *getString(Reader *r, int t, const char *zPath, const char *zKey, int bOptional, int bLoose) {
  lua_State *L = r->L;
  const char *z = NULL;
  int tt;
  lua_getfield(L, t, zKey);
  tt = lua_type(L, -1);
  if (tt == LUA_TNIL) {
    if (!bOptional) typeError(r, zPath, zKey, "string", -1);
    lua_pop(L, 1);
    return NULL;
  }
  if (tt == LUA_TSTRING) {
    z = lua_tostring(L, -1);
  } else if (bLoose && tt == LUA_TNUMBER) {
    z = lua_tostring(L, -1);              /* converts the stack copy in place */
  } else if (bLoose && tt == LUA_TBOOLEAN) {
    lua_pushstring(L, lua_toboolean(L, -1) ? "true" : "false");
    lua_remove(L, -2);
    z = lua_tostring(L, -1);
  } else {
    typeError(r, zPath, zKey, bLoose ? "string, number or boolean" : "string", -1);
  }
  {
    size_t n;
    (void)lua_tolstring(L, -1, &n);
    if (memchr(z, 0, n)) {
      lua_pushfstring(L, "%s: %s%s%s", r->zFn, zPath, zKey[0] == '[' ? "" : ".", zKey);
      dzl_check_nul(L, z, n, lua_tostring(L, -1));
    }
  }
  anchor(r);                              /* the string stays alive */
  return z;
}

static int getBool(Reader *r, int t, const char *zKey) {
  int b;
  lua_getfield(r->L, t, zKey);
  b = lua_toboolean(r->L, -1);
  lua_pop(r->L, 1);
  return b;
}

/* [-0, +0, e] A list of strings at t[key] (nil: empty unless required). */
static const char *const *getStringList(Reader *r, int t, const char *zPath, const char *zKey, int *pN, int bRequired) {
  lua_State *L = r->L;
  const char **az;
  int i, n, iList;
  lua_getfield(L, t, zKey);
  if (lua_isnil(L, -1) && !bRequired) { lua_pop(L, 1); *pN = 0; return NULL; }
  if (!lua_istable(L, -1)) typeError(r, zPath, zKey, "list of strings", -1);
  iList = lua_gettop(L);
  n = (int)dzl_rawlen(L, iList);
  az = (const char **)newArray(r, (size_t)n, sizeof(const char *));
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, iList, i + 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      char zKeyI[64];
      snprintf(zKeyI, sizeof zKeyI, "%.40s[%d]", zKey, i + 1);
      typeError(r, zPath, zKeyI, "string", -1);
    }
    {
      size_t nz;
      az[i] = lua_tolstring(L, -1, &nz);
      if (memchr(az[i], 0, nz)) {
        lua_pushfstring(L, "%s: %s.%s[%d]", r->zFn, zPath, zKey, i + 1);
        dzl_check_nul(L, az[i], nz, lua_tostring(L, -1));
      }
    }
    lua_pop(L, 1);                        /* the list (anchored below) keeps it */
  }
  anchor(r);                              /* the list itself */
  *pN = n;
  return az;
}

/* [-0, +0, e] n entries of the list at t[key], each a string or nil (NULL);
** nil list: NULL. Numbers are accepted as Lua prints them. */
static const char *const *getOptStrings(Reader *r, int t, const char *zPath, const char *zKey, int n) {
  lua_State *L = r->L;
  const char **az;
  int i, iList;
  lua_getfield(L, t, zKey);
  if (lua_isnil(L, -1) || n <= 0) { lua_pop(L, 1); return NULL; }
  if (!lua_istable(L, -1)) typeError(r, zPath, zKey, "list of strings", -1);
  iList = lua_gettop(L);
  az = (const char **)newArray(r, (size_t)n, sizeof(const char *));
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, iList, i + 1);
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
      az[i] = lua_tostring(L, -1);
      lua_rawseti(L, iList, i + 1);       /* the converted copy stays in the list */
    } else {
      if (!lua_isnil(L, -1)) {
        char zKeyI[64];
        snprintf(zKeyI, sizeof zKeyI, "%.40s[%d]", zKey, i + 1);
        typeError(r, zPath, zKeyI, "string", -1);
      }
      lua_pop(L, 1);
    }
  }
  anchor(r);
  return az;
}

/* [-0, +0, e] n booleans of the list at t[key]; nil list: NULL. */
static const unsigned char *getBools(Reader *r, int t, const char *zKey, int n) {
  lua_State *L = r->L;
  unsigned char *ab = NULL;
  lua_getfield(L, t, zKey);
  if (lua_istable(L, -1) && n > 0) {
    int i, e = lua_gettop(L);
    ab = (unsigned char *)newArray(r, (size_t)n, 1);
    for (i = 0; i < n; i++) {
      lua_rawgeti(L, e, i + 1);
      ab[i] = (unsigned char)lua_toboolean(L, -1);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return ab;
}

/* [-0, +0, e] Calls fn(r, itemIndex, path, pOut + i*sz) for each table of
** the list at t[key]; returns the array and its length. */
typedef void (*ItemFn)(Reader *r, int idx, const char *zPath, void *pOut);
static void *getList(Reader *r, int t, const char *zPath, const char *zKey, size_t sz, ItemFn fn, int *pN) {
  lua_State *L = r->L;
  char *a;
  int i, n, iList;
  lua_getfield(L, t, zKey);
  if (lua_isnil(L, -1)) { lua_pop(L, 1); *pN = 0; return NULL; }
  if (!lua_istable(L, -1)) typeError(r, zPath, zKey, "list of tables", -1);
  iList = lua_gettop(L);
  n = (int)dzl_rawlen(L, iList);
  a = (char *)newArray(r, (size_t)n, sz);
  for (i = 0; i < n; i++) {
    char zItem[160];
    snprintf(zItem, sizeof zItem, "%.100s%s%.40s[%d]", zPath, zPath[0] ? "." : "", zKey, i + 1);
    lua_rawgeti(L, iList, i + 1);
    if (!lua_istable(L, -1)) typeError(r, "", zItem, "table", -1);
    fn(r, lua_gettop(L), zItem, a + (size_t)i * sz);
    lua_pop(L, 1);
  }
  anchor(r);
  *pN = n;
  return a;
}

/* ------------------------------------------------------- descriptions */

static void readColumn(Reader *r, int t, const char *zPath, void *pOut) {
  lua_State *L = r->L;
  dz_ddl_column *c = (dz_ddl_column *)pOut;
  c->zName = getString(r, t, zPath, "name", 0, 0);
  c->zType = getString(r, t, zPath, "type", 0, 0);
  c->bPrimaryKey = getBool(r, t, "primaryKey");
  c->bNotNull = getBool(r, t, "notNull");
  c->bAutoincrement = getBool(r, t, "autoincrement");
  c->zDefault = getString(r, t, zPath, "default", 1, 1);
  c->zTypeSchema = getString(r, t, zPath, "typeSchema", 1, 0);
  c->bOnUpdate = getBool(r, t, "onUpdate");
  lua_getfield(L, t, "identity");
  if (lua_istable(L, -1)) {
    char zId[200];
    int g = lua_gettop(L);
    dz_ddl_identity *p = &c->identity;
    snprintf(zId, sizeof zId, "%.180s.identity", zPath);
    p->zType = getString(r, g, zId, "type", 0, 0);
    p->zName = getString(r, g, zId, "name", 1, 0);
    p->zIncrement = getString(r, g, zId, "increment", 1, 1);
    p->zMinValue = getString(r, g, zId, "minValue", 1, 1);
    p->zMaxValue = getString(r, g, zId, "maxValue", 1, 1);
    p->zStartWith = getString(r, g, zId, "startWith", 1, 1);
    p->zCache = getString(r, g, zId, "cache", 1, 1);
    p->bCycle = getBool(r, g, "cycle");
  } else if (!lua_isnil(L, -1)) {
    typeError(r, zPath, "identity", "table", -1);
  }
  lua_pop(L, 1);
  lua_getfield(L, t, "generated");
  if (lua_istable(L, -1)) {
    char zGen[200];
    const char *zType;
    int g = lua_gettop(L);
    snprintf(zGen, sizeof zGen, "%.180s.generated", zPath);
    c->zGenerated = getString(r, g, zGen, "as", 0, 0);
    zType = getString(r, g, zGen, "type", 1, 0);
    if (zType && strcmp(zType, "stored") == 0) c->eGenerated = DZ_DDL_GEN_STORED;
    else if (!zType || strcmp(zType, "virtual") == 0) c->eGenerated = DZ_DDL_GEN_VIRTUAL;
    else luaL_error(L, "%s: %s.type: \"stored\" or \"virtual\" expected, got \"%s\"", r->zFn, zGen, zType);
  } else if (!lua_isnil(L, -1)) {
    typeError(r, zPath, "generated", "table", -1);
  }
  lua_pop(L, 1);
}

static void readKey(Reader *r, int t, const char *zPath, void *pOut) {
  dz_ddl_key *k = (dz_ddl_key *)pOut;
  k->zName = getString(r, t, zPath, "name", 1, 0);
  k->azCol = getStringList(r, t, zPath, "columns", &k->nCol, 1);
}

static void readUnique(Reader *r, int t, const char *zPath, void *pOut) {
  dz_ddl_key *k = (dz_ddl_key *)pOut;
  k->zName = getString(r, t, zPath, "name", 0, 0);
  k->azCol = getStringList(r, t, zPath, "columns", &k->nCol, 1);
  k->bNullsNotDistinct = getBool(r, t, "nullsNotDistinct");
  k->abExpr = getBools(r, t, "isExpression", k->nCol);
}

static void readFk(Reader *r, int t, const char *zPath, void *pOut) {
  dz_ddl_fk *f = (dz_ddl_fk *)pOut;
  f->zName = getString(r, t, zPath, "name", 1, 0);
  f->zTableFrom = getString(r, t, zPath, "tableFrom", 1, 0);
  f->zTableTo = getString(r, t, zPath, "tableTo", 0, 0);
  f->azColFrom = getStringList(r, t, zPath, "columnsFrom", &f->nColFrom, 1);
  f->azColTo = getStringList(r, t, zPath, "columnsTo", &f->nColTo, 1);
  f->zOnUpdate = getString(r, t, zPath, "onUpdate", 1, 0);
  f->zOnDelete = getString(r, t, zPath, "onDelete", 1, 0);
  f->zSchemaTo = getString(r, t, zPath, "schemaTo", 1, 0);
  f->zSchema = getString(r, t, zPath, "schema", 1, 0);
}

static void readCheck(Reader *r, int t, const char *zPath, void *pOut) {
  dz_ddl_check *c = (dz_ddl_check *)pOut;
  c->zName = getString(r, t, zPath, "name", 0, 0);
  c->zValue = getString(r, t, zPath, "value", 0, 0);
}

static void readTable(Reader *r, int t, dz_ddl_table *p) {
  p->zName = getString(r, t, "table", "name", 0, 0);
  p->zSchema = getString(r, t, "table", "schema", 1, 0);
  p->aCol = (const dz_ddl_column *)getList(r, t, "", "columns", sizeof(dz_ddl_column), readColumn, &p->nCol);
  p->aPk = (const dz_ddl_key *)getList(r, t, "", "compositePrimaryKeys", sizeof(dz_ddl_key), readKey, &p->nPk);
  p->aFk = (const dz_ddl_fk *)getList(r, t, "", "foreignKeys", sizeof(dz_ddl_fk), readFk, &p->nFk);
  p->aUnique = (const dz_ddl_key *)getList(r, t, "", "uniqueConstraints", sizeof(dz_ddl_key), readUnique, &p->nUnique);
  p->aCheck = (const dz_ddl_check *)getList(r, t, "", "checkConstraints", sizeof(dz_ddl_check), readCheck, &p->nCheck);
}

static int checkAll(const char *const *az, int n) {
  int i;
  if (!az) return 0;
  for (i = 0; i < n; i++) if (!az[i]) return 0;
  return 1;
}

/* [-0, +0, e] The WITH (key = value, ...) lists of an index or a view, read
** alike for both: 0 when t.withKeys is not a table, else 1 (a view renders
** WITH () even for empty lists). The two lists must be as long as each other. */
static int getWithLists(Reader *r, int t, const char *zPath, const char *const **pazKey,
                        const char *const **pazValue, int *pN) {
  lua_State *L = r->L;
  int n;
  lua_getfield(L, t, "withKeys");
  if (!lua_istable(L, -1)) { lua_pop(L, 1); return 0; }
  n = (int)dzl_rawlen(L, -1);
  lua_pop(L, 1);
  *pazKey = getOptStrings(r, t, zPath, "withKeys", n);
  *pazValue = getOptStrings(r, t, zPath, "withValues", n);
  if (n > 0 && (!checkAll(*pazKey, n) || !checkAll(*pazValue, n))) {
    luaL_error(L, "%s: %s.withKeys and %s.withValues must be lists of the same length", r->zFn, zPath, zPath);
  }
  *pN = n;
  return 1;
}

static void readIndex(Reader *r, int t, dz_ddl_index *x, int bColumns) {
  x->zName = getString(r, t, "index", "name", 0, 0);
  x->zTable = getString(r, t, "index", "table", !bColumns, 0);
  x->zSchema = getString(r, t, "index", "schema", 1, 0);
  if (!bColumns) return;
  x->azCol = getStringList(r, t, "index", "columns", &x->nCol, 1);
  x->bUnique = getBool(r, t, "isUnique");
  x->zWhere = getString(r, t, "index", "where", 1, 0);
  x->abExpr = getBools(r, t, "isExpression", x->nCol);
  x->abDesc = getBools(r, t, "desc", x->nCol);
  x->azNulls = getOptStrings(r, t, "index", "nulls", x->nCol);
  x->azOpclass = getOptStrings(r, t, "index", "opclass", x->nCol);
  x->zMethod = getString(r, t, "index", "method", 1, 0);
  x->bConcurrently = getBool(r, t, "concurrently");
  (void)getWithLists(r, t, "index", &x->azWithKey, &x->azWithValue, &x->nWith);
}

/* ------------------------------------------------------------- output */

static int bufGc(lua_State *L) {
  dz_buf *b = (dz_buf *)luaL_checkudata(L, 1, DDLBUF_MT);
  dz_buf_free(b);
  return 0;
}

/* [-0, +0, e] Starts a call: checks the dialect, pushes the anchor table
** and the output buffer (a userdata freed by __gc). */
static void begin(lua_State *L, Reader *r, const char *zFn) {
  const char *zDialect = luaL_checkstring(L, 1);
  if (strcmp(zDialect, "postgresql") == 0) zDialect = "pg";
  r->d = dz_dialect_find(zDialect);
  if (!r->d) luaL_error(L, "%s: unknown dialect \"%s\" (sqlite, pg, mysql)", zFn, zDialect);
  lua_newtable(L);
  r->L = L;
  r->iAnchor = lua_gettop(L);
  r->nAnchor = 0;
  r->zFn = zFn;
  r->b = (dz_buf *)lua_newuserdata(L, sizeof(dz_buf));
  dz_buf_init(r->b);
  luaL_getmetatable(L, DDLBUF_MT);
  lua_setmetatable(L, -2);
  anchor(r);
}

/* [-0, +0, e] Starts a call whose argument 2 is a description table (checked
** before the dialect, as every such call did) and zeroes the C description
** (szDesc bytes at pDesc, when not NULL) that it will be read into. */
static void beginDescribed(lua_State *L, Reader *r, const char *zFn, void *pDesc, size_t szDesc) {
  luaL_checktype(L, 2, LUA_TTABLE);
  begin(L, r, zFn);
  if (pDesc) memset(pDesc, 0, szDesc);
}

/* [-0, +1, e] Pushes the statement, or raises naming the dialect. */
static int finish(Reader *r, int rc) {
  lua_State *L = r->L;
  if (rc == DZ_UNSUPPORTED) {
    return luaL_error(L, "%s: not supported for the %s dialect yet", r->zFn, dz_dialect_name(r->d));
  }
  if (rc == DZ_NOMEM) return luaL_error(L, "%s: out of memory", r->zFn);
  if (rc != DZ_OK) return luaL_error(L, "%s: invalid description (a name or a list is missing)", r->zFn);
  lua_pushlstring(L, r->b->z ? r->b->z : "", r->b->n);   /* if this raises, __gc frees b */
  dz_buf_free(r->b);
  return 1;
}

/* ddl_create_table(dialect, table) -> string */
static int l_create_table(lua_State *L) {
  Reader r;
  dz_ddl_table t;
  beginDescribed(L, &r, "ddl_create_table", &t, sizeof t);
  readTable(&r, 2, &t);
  return finish(&r, dz_ddl_create_table(r.d, &t, r.b));
}

/* ddl_create_index(dialect, index) -> string */
static int l_create_index(lua_State *L) {
  Reader r;
  dz_ddl_index x;
  beginDescribed(L, &r, "ddl_create_index", &x, sizeof x);
  readIndex(&r, 2, &x, 1);
  return finish(&r, dz_ddl_create_index(r.d, &x, r.b));
}

/* ddl_drop_index(dialect, { name, table?, schema? }) -> string */
static int l_drop_index(lua_State *L) {
  Reader r;
  dz_ddl_index x;
  beginDescribed(L, &r, "ddl_drop_index", &x, sizeof x);
  readIndex(&r, 2, &x, 0);
  return finish(&r, dz_ddl_drop_index(r.d, &x, r.b));
}

/* ddl_drop_table(dialect, name[, schema]) -> string */
static int l_drop_table(lua_State *L) {
  Reader r;
  const char *zName = luaL_checkstring(L, 2);
  const char *zSchema = luaL_optstring(L, 3, NULL);
  begin(L, &r, "ddl_drop_table");
  return finish(&r, dz_ddl_drop_table(r.d, zSchema, zName, r.b));
}

/* ddl_add_column(dialect, tableName, column[, fk[, schema]]) -> string */
static int l_add_column(lua_State *L) {
  Reader r;
  dz_ddl_column c;
  dz_ddl_fk fk;
  const char *zTable = luaL_checkstring(L, 2);
  const char *zSchema = luaL_optstring(L, 5, NULL);
  int bFk;
  luaL_checktype(L, 3, LUA_TTABLE);
  bFk = !lua_isnoneornil(L, 4);
  if (bFk) luaL_checktype(L, 4, LUA_TTABLE);
  begin(L, &r, "ddl_add_column");
  memset(&c, 0, sizeof c);
  memset(&fk, 0, sizeof fk);
  readColumn(&r, 3, "column", &c);
  if (bFk) readFk(&r, 4, "referenceData", &fk);
  return finish(&r, dz_ddl_add_column(r.d, zSchema, zTable, &c, bFk ? &fk : NULL, r.b));
}

/* ddl_drop_column(dialect, tableName, columnName[, schema]) -> string */
static int l_drop_column(lua_State *L) {
  Reader r;
  const char *zTable = luaL_checkstring(L, 2);
  const char *zColumn = luaL_checkstring(L, 3);
  const char *zSchema = luaL_optstring(L, 4, NULL);
  begin(L, &r, "ddl_drop_column");
  return finish(&r, dz_ddl_drop_column(r.d, zSchema, zTable, zColumn, r.b));
}

/* ddl_add_foreign_key(dialect, fk) -> string */
static int l_add_foreign_key(lua_State *L) {
  Reader r;
  dz_ddl_fk f;
  beginDescribed(L, &r, "ddl_add_foreign_key", &f, sizeof f);
  readFk(&r, 2, "fk", &f);
  return finish(&r, dz_ddl_add_foreign_key(r.d, &f, r.b));
}

/* ddl_alter_column(dialect, { kind, table, column, schema?, type?, typeSchema?,
**   using? (0|1|2), cast?, default?, definition? (a column, for "modify") }) -> string
** kind: "set_type" | "set_default" | "drop_default" | "set_notnull" | "drop_notnull" | "modify" */
static int l_alter_column(lua_State *L) {
  static const char *const azKind[] = { "set_type", "set_default", "drop_default", "set_notnull",
                                        "drop_notnull", "modify", NULL };
  Reader r;
  dz_ddl_alter a;
  dz_ddl_column c;
  const char *zKind;
  int i;
  beginDescribed(L, &r, "ddl_alter_column", &a, sizeof a);
  memset(&c, 0, sizeof c);
  zKind = getString(&r, 2, "alter", "kind", 0, 0);
  for (i = 0; azKind[i] && strcmp(azKind[i], zKind) != 0; i++) {}
  if (!azKind[i]) luaL_error(L, "ddl_alter_column: unknown kind \"%s\"", zKind);
  a.eKind = (dz_ddl_alter_kind)(DZ_DDL_SET_TYPE + i);
  a.zTable = getString(&r, 2, "alter", "table", 0, 0);
  a.zColumn = getString(&r, 2, "alter", "column", 0, 0);
  a.zSchema = getString(&r, 2, "alter", "schema", 1, 0);
  a.zType = getString(&r, 2, "alter", "type", 1, 0);
  a.zTypeSchema = getString(&r, 2, "alter", "typeSchema", 1, 0);
  a.zDefault = getString(&r, 2, "alter", "default", 1, 1);
  a.bCast = getBool(&r, 2, "cast");
  lua_getfield(L, 2, "using");
  a.bUsing = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, 2, "definition");
  if (lua_istable(L, -1)) {
    readColumn(&r, lua_gettop(L), "definition", &c);
    a.pColumn = &c;
  }
  lua_pop(L, 1);
  return finish(&r, dz_ddl_alter_column(r.d, &a, r.b));
}

/* ddl_schema(dialect, name[, drop]) -> string */
static int l_schema(lua_State *L) {
  Reader r;
  const char *zName = luaL_checkstring(L, 2);
  int bDrop = lua_toboolean(L, 3);
  begin(L, &r, "ddl_schema");
  return finish(&r, dz_ddl_schema(r.d, zName, bDrop, r.b));
}

/* ddl_create_enum(dialect, { schema?, name, values = {...} }) -> string */
static int l_create_enum(lua_State *L) {
  Reader r;
  const char *zName, *zSchema;
  const char *const *az;
  int n;
  beginDescribed(L, &r, "ddl_create_enum", NULL, 0);
  zName = getString(&r, 2, "enum", "name", 0, 0);
  zSchema = getString(&r, 2, "enum", "schema", 1, 0);
  az = getStringList(&r, 2, "enum", "values", &n, 1);
  return finish(&r, dz_ddl_create_enum(r.d, zSchema, zName, az, n, r.b));
}

/* ddl_drop_enum(dialect, { schema?, name }) -> string */
static int l_drop_enum(lua_State *L) {
  Reader r;
  const char *zName, *zSchema;
  beginDescribed(L, &r, "ddl_drop_enum", NULL, 0);
  zName = getString(&r, 2, "enum", "name", 0, 0);
  zSchema = getString(&r, 2, "enum", "schema", 1, 0);
  return finish(&r, dz_ddl_drop_enum(r.d, zSchema, zName, r.b));
}

/* ddl_enum_add_value(dialect, { schema?, name, value, before? }) -> string */
static int l_enum_add_value(lua_State *L) {
  Reader r;
  const char *zName, *zSchema, *zValue, *zBefore;
  beginDescribed(L, &r, "ddl_enum_add_value", NULL, 0);
  zName = getString(&r, 2, "enum", "name", 0, 0);
  zSchema = getString(&r, 2, "enum", "schema", 1, 0);
  zValue = getString(&r, 2, "enum", "value", 0, 0);
  zBefore = getString(&r, 2, "enum", "before", 1, 0);
  return finish(&r, dz_ddl_enum_add_value(r.d, zSchema, zName, zValue, zBefore, r.b));
}

/* ddl_sequence(dialect, { schema?, name, increment?, minValue?, maxValue?,
**   startWith?, cache?, cycle? }[, drop]) -> string */
static int l_sequence(lua_State *L) {
  Reader r;
  dz_ddl_sequence q;
  int bDrop = lua_toboolean(L, 3);
  beginDescribed(L, &r, "ddl_sequence", &q, sizeof q);
  q.zName = getString(&r, 2, "sequence", "name", 0, 0);
  q.zSchema = getString(&r, 2, "sequence", "schema", 1, 0);
  q.zIncrement = getString(&r, 2, "sequence", "increment", 1, 1);
  q.zMinValue = getString(&r, 2, "sequence", "minValue", 1, 1);
  q.zMaxValue = getString(&r, 2, "sequence", "maxValue", 1, 1);
  q.zStartWith = getString(&r, 2, "sequence", "startWith", 1, 1);
  q.zCache = getString(&r, 2, "sequence", "cache", 1, 1);
  q.bCycle = getBool(&r, 2, "cycle");
  return finish(&r, dz_ddl_seq(r.d, &q, bDrop, r.b));
}

/* The view description (see the top of this file). */
static void readView(Reader *r, int t, dz_ddl_view *v, int bCreate) {
  v->zName = getString(r, t, "view", "name", 0, 0);
  v->zSchema = getString(r, t, "view", "schema", 1, 0);
  v->bMaterialized = getBool(r, t, "materialized");
  if (!bCreate) return;
  v->zDefinition = getString(r, t, "view", "definition", 0, 0);
  v->bWith = getWithLists(r, t, "view", &v->azWithKey, &v->azWithValue, &v->nWith);
  v->zUsing = getString(r, t, "view", "using", 1, 0);
  v->zTablespace = getString(r, t, "view", "tablespace", 1, 0);
  v->bWithNoData = getBool(r, t, "withNoData");
  v->zAlgorithm = getString(r, t, "view", "algorithm", 1, 0);
  v->zSqlSecurity = getString(r, t, "view", "sqlSecurity", 1, 0);
  v->zCheckOption = getString(r, t, "view", "withCheckOption", 1, 0);
  v->bReplace = getBool(r, t, "replace");
}

/* ddl_create_view(dialect, view) -> string */
static int l_create_view(lua_State *L) {
  Reader r;
  dz_ddl_view v;
  beginDescribed(L, &r, "ddl_create_view", &v, sizeof v);
  readView(&r, 2, &v, 1);
  return finish(&r, dz_ddl_create_view(r.d, &v, r.b));
}

/* ddl_drop_view(dialect, { name, schema?, materialized? }) -> string */
static int l_drop_view(lua_State *L) {
  Reader r;
  dz_ddl_view v;
  beginDescribed(L, &r, "ddl_drop_view", &v, sizeof v);
  readView(&r, 2, &v, 0);
  return finish(&r, dz_ddl_drop_view(r.d, &v, r.b));
}

static const luaL_Reg aDdlFns[] = {
  { "ddl_create_view", l_create_view },
  { "ddl_drop_view", l_drop_view },
  { "ddl_create_table", l_create_table },
  { "ddl_create_index", l_create_index },
  { "ddl_drop_table", l_drop_table },
  { "ddl_drop_index", l_drop_index },
  { "ddl_add_column", l_add_column },
  { "ddl_drop_column", l_drop_column },
  { "ddl_add_foreign_key", l_add_foreign_key },
  { "ddl_alter_column", l_alter_column },
  { "ddl_schema", l_schema },
  { "ddl_create_enum", l_create_enum },
  { "ddl_drop_enum", l_drop_enum },
  { "ddl_enum_add_value", l_enum_add_value },
  { "ddl_sequence", l_sequence },
  { NULL, NULL }
};

/* [-0, +0, m] Adds the functions above to the module table at the top. */
void dzl_register_ddl(lua_State *L) {
  if (luaL_newmetatable(L, DDLBUF_MT)) {
    lua_pushcfunction(L, bufGc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  dzl_setfuncs(L, aDdlFns);
}
