/*
** convert.c: Lua builder configs and expression nodes to the core's AST.
**
** The builders in session.lua only collect a config; this file walks it
** once per render, allocating every node from the session's arena (no
** malloc per node, nothing to free one by one), and maps every value through
** its column's codec on the way, so the core only ever sees driver values.
** It also records the shape of the rows a statement returns: where each
** result column lands and how it is decoded.
**
** Errors raise Lua errors directly: the arena is owned by the session and
** reset before its next use, so a longjmp out of here leaks nothing.
** Every stack index kept in Conv is absolute.
*/
#include <string.h>
#include "binding.h"
#include "names.h"

#define IS_NULL_UD(L, i) (lua_type(L, i) == LUA_TLIGHTUSERDATA && lua_touserdata(L, i) == NULL)

static void *arenaAlloc(Conv *cv, size_t n) {
  void *p = dz_arena_alloc(cv->pArena, n);
  if (!p) luaL_error(cv->L, "drizzle: out of memory");
  return p;
}
#define NEW(cv, T, n) ((T *)arenaAlloc((cv), sizeof(T) * (size_t)((n) > 0 ? (n) : 1)))

void dzl_conv_init(Conv *cv, lua_State *L, dz_arena *a, const dz_dialect *d) {
  memset(cv, 0, sizeof *cv);
  cv->L = L;
  cv->pArena = a;
  cv->pDialect = d;
  /* three slots, made tables only when a statement needs them: most
  ** renders need none, and a table is a malloc */
  lua_pushnil(L); cv->iAnchor = lua_gettop(L);
  lua_pushnil(L); cv->iAux = lua_gettop(L);
  lua_pushnil(L); cv->iKeys = lua_gettop(L);
  cv->bWantShape = 0;
}

/* The table in stack slot idx, made on first use. [-0,+0,m] */
void dzl_slot_table(lua_State *L, int idx) {
  if (lua_isnil(L, idx)) {
    lua_newtable(L);
    lua_replace(L, idx);
  }
}

/* The __dz kind of the value at idx, or 0. [-0,+0,-] */
int dzl_kind(lua_State *L, int idx) {
  int k = 0;
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return 0;
  lua_rawgeti(L, -1, 0);      /* mt[0]: the kind, also kept as mt.__dz for Lua */
  k = (int)lua_tointeger(L, -1);
  lua_pop(L, 2);
  return k;
}

/* Push t[k] without metamethods. [-0,+1,-] */
static int rawfield(lua_State *L, int t, int k) {
  lua_rawgeti(L, DZL_NAMES, k);
  lua_rawget(L, t < 0 ? t - 1 : t);
  return lua_type(L, -1);
}

/* The LCol of a column object (or a COLREF's column). [-0,+0,v] */
LCol *dzl_colptr(lua_State *L, int iCol) {
  LCol *p;
  rawfield(L, iCol, N_ptr);
  p = (LCol *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (!p) luaL_error(L, "drizzle: column is not part of a table (was it defined in a table constructor?)");
  return p;
}

/* Push the column object a COLUMN or COLREF stands for. [-0,+1,-] */
static void pushColumnObject(lua_State *L, int idx, int k) {
  if (k == K_COLREF) lua_rawgeti(L, idx, 1);
  else lua_pushvalue(L, idx);
}

/* A string field of a node: the node, reachable from the statement being
** converted, keeps it alive. Not for strings made during conversion. */
static const char *anchorString(Conv *cv, int idx, size_t *pn) {
  const char *z = lua_tolstring(cv->L, idx, pn);
  if (!z) luaL_error(cv->L, "drizzle: expected a string, got %s", luaL_typename(cv->L, idx));
  dzl_check_nul(cv->L, z, *pn, "name");
  return z;
}

/* The table object's core table. [-0,+0,v] */
static const dz_table *tablePtr(lua_State *L, int idx) {
  const LTable *p;
  lua_rawgeti(L, idx, 1);
  rawfield(L, -1, N_c);
  p = (const LTable *)lua_touserdata(L, -1);
  lua_pop(L, 2);
  if (!p || !p->pTab) luaL_error(L, "drizzle: not a table object");
  return p->pTab;
}

/* A param chunk: the value at iVal encoded by the column at iCol (0: none). */
static void paramChunk(Conv *cv, int iVal, int iCol, dz_chunk *c) {
  lua_State *L = cv->L;
  int k = dzl_kind(L, iVal);
  c->k = DZ_K_PARAM;
  if (k == K_PLACEHOLDER) {
    size_t n;
    const char *z;
    rawfield(L, iVal, N_name);
    z = lua_tolstring(L, -1, &n);
    lua_pop(L, 1);
    c->u.v.t = DZ_PLACEHOLDER;
    c->u.v.u.s.z = z;
    c->u.v.u.s.n = n;
    /* aux[tag] = { placeholder, column }: how execute() fills it */
    lua_createtable(L, 2, 0);
    lua_pushvalue(L, iVal); lua_rawseti(L, -2, 1);
    if (iCol) { lua_pushvalue(L, iCol); lua_rawseti(L, -2, 2); }
    dzl_slot_table(L, cv->iAux);
    lua_rawseti(L, cv->iAux, ++cv->nAux);
    c->iParamTag = cv->nAux;
    return;
  }
  if (iCol) {
    LCol *p = dzl_colptr(L, iCol);
    dzl_encode_value(L, iVal, p->eCodec, iCol, &c->u.v, cv->iAnchor, &cv->nAnchor);
  } else {
    dzl_encode_value(L, iVal, CODEC_NONE, 0, &c->u.v, cv->iAnchor, &cv->nAnchor);
  }
}

/* A PARAM node { value = v, col = c }. */
static void paramNode(Conv *cv, int idx, dz_chunk *c) {
  lua_State *L = cv->L;
  int top = lua_gettop(L);
  int iCol = 0;
  rawfield(L, idx, N_value);
  rawfield(L, idx, N_col);
  if (!lua_isnil(L, -1)) {
    int k = dzl_kind(L, -1);
    if (k == K_COLREF) { lua_rawgeti(L, -1, 1); iCol = lua_gettop(L); }
    else if (k == K_COLUMN) iCol = lua_gettop(L);
  }
  {
    int kv = dzl_kind(L, top + 1);
    if (kv == K_SQL) {          /* a mapped value that is SQL renders inline */
      c->k = DZ_K_SQL;
      c->u.p = dzl_conv_sql(cv, top + 1);
    } else {
      paramChunk(cv, top + 1, iCol, c);
    }
  }
  lua_settop(L, top);
}

/* A subquery { sel = builder | sql, alias, isWith }. */
static void subqueryChunk(Conv *cv, int idx, dz_chunk *c) {
  lua_State *L = cv->L;
  size_t n;
  int top = lua_gettop(L);
  c->k = DZ_K_SUBQUERY;
  rawfield(L, idx, N_alias);
  c->s.z = anchorString(cv, -1, &n);
  c->s.n = n;
  rawfield(L, idx, N_isWith);
  c->bWith = lua_toboolean(L, -1);
  if (!c->bWith) {
    rawfield(L, idx, N_sel);
    if (dzl_kind(L, -1) == K_SELECT) {
      c->u.pSel = dzl_conv_select(cv, lua_gettop(L), 0);
    } else {
      /* a subquery over raw sql: (sql) "alias" */
      dz_sql *p = NEW(cv, dz_sql, 1);
      dz_chunk *a = NEW(cv, dz_chunk, 4);
      a[0].k = DZ_K_TEXT; a[0].s.z = "("; a[0].s.n = 1;
      a[1].k = DZ_K_SQL; a[1].u.p = dzl_conv_sql(cv, lua_gettop(L));
      a[2].k = DZ_K_TEXT; a[2].s.z = ") "; a[2].s.n = 2;
      a[3].k = DZ_K_NAME; a[3].s = c->s;
      p->n = 4; p->a = a;
      c->k = DZ_K_SQL;
      c->u.p = p;
    }
  }
  lua_settop(L, top);
}

/* Wrap a DML builder used as a chunk (a CTE body, a subquery): its SQL in
** parentheses is rendered by the core from a SELECT_SQL-like node. */
static void statementChunk(Conv *cv, int idx, int k, dz_chunk *c);

/* Convert the value at idx into one chunk. In an sql object's chunk list a
** Lua string is SQL text (bStringIsText); anywhere else it is a value. */
void dzl_conv_chunk(Conv *cv, int idx, dz_chunk *c, int bStringIsText) {
  lua_State *L = cv->L;
  int t = lua_type(L, idx);
  int k;
  size_t n;
  memset(c, 0, sizeof *c);
  if (idx < 0) idx = lua_gettop(L) + idx + 1;
  if (t == LUA_TSTRING && bStringIsText) {
    c->k = DZ_K_TEXT;
    c->s.z = lua_tolstring(L, idx, &n);   /* anchored by the node that holds it */
    c->s.n = n;
    return;
  }
  if (t != LUA_TTABLE) {
    paramChunk(cv, idx, 0, c);
    return;
  }
  k = dzl_kind(L, idx);
  switch (k) {
    case K_COLUMN:
    case K_COLREF: {
      c->k = DZ_K_COLUMN;
      pushColumnObject(L, idx, k);
      c->u.c.pCol = &dzl_colptr(L, -1)->c;
      lua_pop(L, 1);
      if (k == K_COLREF) {
        lua_rawgeti(L, idx, 3);
        if (lua_type(L, -1) == LUA_TSTRING) c->u.c.zAlias = lua_tostring(L, -1);
        lua_pop(L, 1);
      }
      return;
    }
    case K_SQL:
      c->k = DZ_K_SQL;
      c->u.p = dzl_conv_sql(cv, idx);
      return;
    case K_PARAM:
      paramNode(cv, idx, c);
      return;
    case K_PLACEHOLDER:
      paramChunk(cv, idx, 0, c);
      return;
    case K_NAME:          /* sql.identifier: its value, quoted */
    case K_ALIASED:       /* an aliased expression as a chunk: its alias, quoted */
      rawfield(L, idx, k == K_NAME ? N_value : N_alias);
      c->k = k == K_NAME ? DZ_K_NAME : DZ_K_ALIASED;
      c->s.z = anchorString(cv, -1, &n);
      c->s.n = n;
      lua_pop(L, 1);
      return;
    case K_TABLE:
      c->k = DZ_K_TABLE;
      c->u.pTab = tablePtr(L, idx);
      return;
    case K_SUBQUERY:
      subqueryChunk(cv, idx, c);
      return;
    case K_SELECT:
      c->k = DZ_K_SELECT;
      c->u.pSel = dzl_conv_select(cv, idx, 0);
      return;
    case K_SELECT_SQL:
      rawfield(L, idx, N_sel);
      c->k = DZ_K_SELECT_SQL;
      c->u.pSel = dzl_conv_select(cv, lua_gettop(L), 0);
      lua_pop(L, 1);
      return;
    case K_INSERT: case K_UPDATE: case K_DELETE:
      statementChunk(cv, idx, k, c);
      return;
    case 0: {
      /* a plain sequence: a JS array in a template, (a, b, c) */
      int i, nItem = (int)dzl_rawlen(L, idx);
      dz_sql *p = NEW(cv, dz_sql, 1);
      p->a = NEW(cv, dz_chunk, nItem);
      p->n = nItem;
      for (i = 0; i < nItem; i++) {
        lua_rawgeti(L, idx, i + 1);
        dzl_conv_chunk(cv, lua_gettop(L), &p->a[i], 0);
        lua_pop(L, 1);
      }
      c->k = DZ_K_LIST;
      c->u.p = p;
      return;
    }
    default:
      luaL_error(L, "drizzle: cannot use a %s (kind %d) in SQL", luaL_typename(L, idx), k);
  }
}

/* An sql object's chunk list (or any single node as a one-chunk list). */
dz_sql *dzl_conv_sql(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_sql *p = NEW(cv, dz_sql, 1);
  int i, n;
  if (idx < 0) idx = lua_gettop(L) + idx + 1;
  if (dzl_kind(L, idx) != K_SQL) {
    p->a = NEW(cv, dz_chunk, 1);
    p->n = 1;
    dzl_conv_chunk(cv, idx, &p->a[0], 0);
    return p;
  }
  n = (int)dzl_rawlen(L, idx);
  rawfield(L, idx, N_inline);
  p->bInline = lua_toboolean(L, -1);
  lua_pop(L, 1);
  p->a = NEW(cv, dz_chunk, n);
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, idx, i + 1);
    if (lua_isnil(L, -1)) { p->a[i].k = DZ_K_TEXT; p->a[i].s.z = ""; }
    else dzl_conv_chunk(cv, lua_gettop(L), &p->a[i], 1);
    lua_pop(L, 1);
  }
  p->n = n;
  return p;
}

/* cfg[key] as a condition list, or NULL when absent. */
static dz_sql *optSql(Conv *cv, int iCfg, int zKey) {
  dz_sql *p = NULL;
  if (rawfield(cv->L, iCfg, zKey) != LUA_TNIL) p = dzl_conv_sql(cv, lua_gettop(cv->L));
  lua_pop(cv->L, 1);
  return p;
}

/* cfg[key] as a list of chunks (orderBy, groupBy). */
static int chunkList(Conv *cv, int iCfg, int zKey, dz_chunk **paOut) {
  lua_State *L = cv->L;
  int i, n = 0;
  *paOut = NULL;
  if (rawfield(L, iCfg, zKey) == LUA_TTABLE) {
    int iList = lua_gettop(L);
    n = (int)dzl_rawlen(L, iList);
    *paOut = NEW(cv, dz_chunk, n);
    for (i = 0; i < n; i++) {
      lua_rawgeti(L, iList, i + 1);
      dzl_conv_chunk(cv, lua_gettop(L), &(*paOut)[i], 0);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return n;
}

/* limit/offset: a number (bound) or a placeholder; Drizzle drops a negative
** limit and a zero offset. */
static void limitChunk(Conv *cv, int iCfg, int zKey, int bOffset, dz_chunk *c) {
  lua_State *L = cv->L;
  memset(c, 0, sizeof *c);
  if (rawfield(L, iCfg, zKey) != LUA_TNIL) {
    int idx = lua_gettop(L);
    if (lua_type(L, idx) == LUA_TNUMBER) {
      lua_Number v = lua_tonumber(L, idx);
      if (bOffset ? v != 0 : v >= 0) paramChunk(cv, idx, 0, c);
    } else {
      paramChunk(cv, idx, 0, c);
    }
  }
  lua_pop(L, 1);
}

/* ------------------------------------------------------------ selection */

typedef struct Entry { int iKey, iVal; double seq; } Entry;

static double seqOf(lua_State *L, int idx);

static double mapMinSeq(lua_State *L, int idx) {
  double m = 1e300;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    double s = seqOf(L, lua_gettop(L));
    if (s < m) m = s;
    lua_pop(L, 1);
  }
  return m;
}

/* Where a selection value sorts among its siblings (LUA_API.md §5). */
static double seqOf(lua_State *L, int idx) {
  int k = dzl_kind(L, idx);
  double s = 0;
  if (k == K_COLREF) { lua_rawgeti(L, idx, 2); s = lua_tonumber(L, -1); lua_pop(L, 1); return s; }
  if (k == K_TABLE) { lua_rawgeti(L, idx, 1); rawfield(L, -1, N_seq); s = lua_tonumber(L, -1); lua_pop(L, 2); return s; }
  if (k) { rawfield(L, idx, N_seq); s = lua_tonumber(L, -1); lua_pop(L, 1); return s; }
  if (lua_type(L, idx) == LUA_TTABLE) return mapMinSeq(L, idx);
  return 0;
}

static int isOrdered(lua_State *L, int idx) {
  int r = 0;
  if (lua_getmetatable(L, idx)) {
    rawfield(L, -1, N___name);
    r = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "drizzle.OrderedFields") == 0;
    lua_pop(L, 2);
  }
  return r;
}

/* The entries of a selection map, in order: pushes each key and value onto
** the stack and returns them (stack indices) sorted by the seq of their
** values, or for an Ordered list in its order. */
static Entry *pushEntries(Conv *cv, int idx, int *pn) {
  lua_State *L = cv->L;
  int i, n = 0, nAlloc;
  Entry *a;
  if (isOrdered(L, idx)) {
    int len = (int)dzl_rawlen(L, idx);
    luaL_checkstack(L, len * 2 + 8, "too many fields");
    a = NEW(cv, Entry, len);
    for (i = 1; i <= len; i++) {
      lua_rawgeti(L, idx, i);
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
      lua_remove(L, -3);
      a[n].iKey = lua_gettop(L) - 1;
      a[n].iVal = lua_gettop(L);
      n++;
    }
    *pn = n;
    return a;
  }
  nAlloc = 16;
  a = NEW(cv, Entry, nAlloc);
  lua_pushnil(L);
  while (lua_next(L, idx)) {               /* stack: key, value */
    if (lua_type(L, -2) != LUA_TSTRING) { lua_pop(L, 1); continue; }
    if (n == nAlloc) {
      Entry *b2 = NEW(cv, Entry, nAlloc * 2);
      memcpy(b2, a, sizeof(Entry) * (size_t)n);
      a = b2; nAlloc *= 2;
    }
    luaL_checkstack(L, 8, "too many fields");
    a[n].seq = seqOf(L, lua_gettop(L));
    a[n].iKey = lua_gettop(L) - 1;
    a[n].iVal = lua_gettop(L);
    n++;
    lua_pushvalue(L, -2);                  /* the key again, for lua_next */
  }
  for (i = 1; i < n; i++) {                /* insertion sort: selections are small */
    Entry e = a[i];
    int j = i - 1;
    while (j >= 0 && a[j].seq > e.seq) { a[j + 1] = a[j]; j--; }
    a[j + 1] = e;
  }
  *pn = n;
  return a;
}

typedef struct Sel {
  dz_field *a;
  int n, nAlloc;
} Sel;

static int addKey(Conv *cv, int idx) {
  dzl_slot_table(cv->L, cv->iKeys);
  lua_pushvalue(cv->L, idx);
  lua_rawseti(cv->L, cv->iKeys, ++cv->nKeys);
  return cv->nKeys;
}

static LShape *shapeOf(Conv *cv) {
  if (!cv->pShape) {
    cv->pShape = NEW(cv, LShape, 1);
    cv->nFieldAlloc = 16;
    cv->nObjAlloc = 4;
    cv->pShape->aField = NEW(cv, LField, cv->nFieldAlloc);
    cv->pShape->aObj = NEW(cv, LObj, cv->nObjAlloc);
    cv->pShape->nObj = 1;          /* the root */
    cv->pShape->aObj[0].iFirstField = -1;
  }
  return cv->pShape;
}

static LField *newShapeField(Conv *cv) {
  LShape *s = shapeOf(cv);
  if (s->nField == cv->nFieldAlloc) {
    LField *a = NEW(cv, LField, cv->nFieldAlloc * 2);
    memcpy(a, s->aField, sizeof(LField) * (size_t)s->nField);
    s->aField = a;
    cv->nFieldAlloc *= 2;
  }
  memset(&s->aField[s->nField], 0, sizeof(LField));
  return &s->aField[s->nField++];
}

static int newShapeObj(Conv *cv, int iParent, int iKey) {
  LShape *s = shapeOf(cv);
  if (s->nObj == cv->nObjAlloc) {
    LObj *a = NEW(cv, LObj, cv->nObjAlloc * 2);
    memcpy(a, s->aObj, sizeof(LObj) * (size_t)s->nObj);
    s->aObj = a;
    cv->nObjAlloc *= 2;
  }
  s->aObj[s->nObj].iParent = iParent;
  s->aObj[s->nObj].iKey = iKey;
  s->aObj[s->nObj].bNullify = 0;
  s->aObj[s->nObj].iFirstField = -1;
  return s->nObj++;
}

/* The decoder of a selected expression at idx (kind k). */
static void decoderOf(Conv *cv, int idx, int k, LField *f) {
  lua_State *L = cv->L;
  f->eCodec = CODEC_NONE;
  f->iFn = 0;
  if (k == K_COLUMN || k == K_COLREF) {
    pushColumnObject(L, idx, k);
    f->eCodec = dzl_colptr(L, -1)->eCodec;
    if (f->eCodec == CODEC_CUSTOM) {
      rawfield(L, -1, N_fromDriver);
      if (lua_isnil(L, -1)) f->eCodec = CODEC_NONE;
      else f->iFn = addKey(cv, lua_gettop(L));
      lua_pop(L, 1);
    } else if (CODEC_IS_CUSTOM_ARRAY(f->eCodec)) {
      /* an array of a customType: its fromDriver decodes each element */
      rawfield(L, -1, N_fromDriver);
      if (!lua_isnil(L, -1)) f->iFn = addKey(cv, lua_gettop(L));
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return;
  }
  if (k == K_ALIASED) {
    rawfield(L, idx, N_sql);
    decoderOf(cv, lua_gettop(L), dzl_kind(L, -1), f);
    lua_pop(L, 1);
    return;
  }
  if (k == K_SUBQUERY) {
    /* a one-field subquery decodes like its field */
    rawfield(L, idx, N_sel);
    if (dzl_kind(L, -1) == K_SELECT) {
      rawfield(L, -1, N_cfg);
      rawfield(L, -1, N_fields);
      if (lua_type(L, -1) == LUA_TTABLE && !dzl_kind(L, -1)) {
        int top = lua_gettop(L);
        lua_pushnil(L);
        if (lua_next(L, top)) {               /* the first field ... */
          int iVal = lua_gettop(L);
          lua_pushvalue(L, -2);
          if (!lua_next(L, top)) decoderOf(cv, iVal, dzl_kind(L, iVal), f);   /* ... and the only one */
        }
        lua_settop(L, top);
      }
      lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return;
  }
  if (k == K_SQL) {
    if (rawfield(L, idx, N_decoder) != LUA_TNIL) {
      int kd = dzl_kind(L, -1);
      if (kd == K_COLUMN || kd == K_COLREF) {
        decoderOf(cv, lua_gettop(L), kd, f);
      } else if (lua_isfunction(L, -1)) {
        lua_getglobal(L, "tonumber");
        if (lua_rawequal(L, -1, -2)) f->eCodec = CODEC_NUMBER;
        lua_pop(L, 1);
        if (f->eCodec == CODEC_NONE) {
          lua_getglobal(L, "tostring");
          if (lua_rawequal(L, -1, -2)) f->eCodec = CODEC_STRING;
          lua_pop(L, 1);
        }
        if (f->eCodec == CODEC_NONE) {
          f->eCodec = CODEC_FUNCTION;
          f->iFn = addKey(cv, lua_gettop(L));
        }
      }
    }
    lua_pop(L, 1);
  }
}

static void selAdd(Conv *cv, Sel *s, dz_field *pF) {
  if (s->n == s->nAlloc) {
    int nNew = s->nAlloc ? s->nAlloc * 2 : 16;
    dz_field *a = NEW(cv, dz_field, nNew);
    if (s->n) memcpy(a, s->a, sizeof(dz_field) * (size_t)s->n);
    s->a = a;
    s->nAlloc = nNew;
  }
  s->a[s->n++] = *pF;
}

static const char *joinPath(Conv *cv, const char *zPrefix, int iKey) {
  size_t nKey, nPre = zPrefix ? strlen(zPrefix) : 0;
  const char *zKey = lua_tolstring(cv->L, iKey, &nKey);
  char *z = NEW(cv, char, nPre + nKey + 3);
  if (nPre) { memcpy(z, zPrefix, nPre); memcpy(z + nPre, "->", 2); nPre += 2; }
  memcpy(z + nPre, zKey, nKey);
  z[nPre + nKey] = 0;
  return z;
}

/* One leaf of a selection: the expression at iVal under key iKey. */
static void selLeaf(Conv *cv, Sel *s, int iVal, int iKey, int iObj, const char *zPath, int bShape) {
  lua_State *L = cv->L;
  int k = dzl_kind(L, iVal);
  dz_field f;
  size_t n;
  memset(&f, 0, sizeof f);
  f.zPath = zPath;
  if (k == K_ALIASED) {
    rawfield(L, iVal, N_alias);
    f.zAlias = anchorString(cv, -1, &n);
    lua_pop(L, 1);
    rawfield(L, iVal, N_isSelectionField);
    f.bSelectionField = lua_toboolean(L, -1);
    lua_pop(L, 1);
    rawfield(L, iVal, N_sql);
    dzl_conv_chunk(cv, lua_gettop(L), &f.expr, 0);
    lua_pop(L, 1);
  } else if (k == K_COLUMN || k == K_COLREF || k == K_SQL || k == K_SUBQUERY || k == K_SELECT) {
    dzl_conv_chunk(cv, iVal, &f.expr, 0);
  } else {
    luaL_error(L, "drizzle: select field \"%s\" is not a column or sql expression (got %s)", zPath, luaL_typename(L, iVal));
  }
  selAdd(cv, s, &f);
  if (bShape) {
    LField *pf = newShapeField(cv);
    LShape *sh = cv->pShape;
    pf->iObj = iObj;
    pf->iKey = addKey(cv, iKey);
    decoderOf(cv, iVal, k, pf);
    if (sh->aObj[iObj].iFirstField < 0) sh->aObj[iObj].iFirstField = sh->nField - 1;
  }
}

/* The nullability map entry (cfg.nullable[name]) of a column's table. */
static int tableIsNullable(Conv *cv, int iNullable, const dz_column *pCol, const char *zAlias) {
  lua_State *L = cv->L;
  int r;
  if (!iNullable) return 0;
  lua_pushstring(L, zAlias ? zAlias : pCol->pTable->zName);
  lua_rawget(L, iNullable);
  r = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
  lua_pop(L, 1);
  return r;
}

static void selValue(Conv *cv, Sel *s, int iVal, int iKey, int iObj, const char *zPrefix, int bShape, int iNullable, int depth);

/* A nested object (map, table or ordered list) under iKey. */
static void selObject(Conv *cv, Sel *s, int iVal, int iObj, const char *zPrefix, int bShape, int iNullable, int depth) {
  lua_State *L = cv->L;
  int k = dzl_kind(L, iVal);
  int i, n, base;
  if (depth > 32) luaL_error(L, "drizzle: select fields nested too deeply");
  if (k == K_TABLE) {
    /* every column of the table, in table order, straight from the core's
    ** columns: no Lua reference is made for them */
    const dz_table *pTab = tablePtr(L, iVal);
    const char *zAlias = pTab->bAlias ? pTab->zName : NULL;
    int iList = 0;
    if (bShape) {
      lua_rawgeti(L, iVal, 1);
      rawfield(L, -1, N_list);
      iList = lua_gettop(L);
    }
    for (i = 0; i < pTab->nCol; i++) {
      const LCol *pCol = (const LCol *)pTab->apCol[i];
      dz_field f;
      memset(&f, 0, sizeof f);
      f.expr.k = DZ_K_COLUMN;
      f.expr.u.c.pCol = &pCol->c;
      f.expr.u.c.zAlias = zAlias;
      f.zPath = pCol->c.zKey;
      if (zPrefix) {
        size_t nPre = strlen(zPrefix), nKey = strlen(pCol->c.zKey);
        char *z = NEW(cv, char, nPre + nKey + 3);
        memcpy(z, zPrefix, nPre); memcpy(z + nPre, "->", 2); memcpy(z + nPre + 2, pCol->c.zKey, nKey + 1);
        f.zPath = z;
      }
      selAdd(cv, s, &f);
      if (bShape) {
        LField *pf = newShapeField(cv);
        LShape *sh = cv->pShape;
        lua_rawgeti(L, iList, i + 1);
        rawfield(L, -1, N_key);
        pf->iObj = iObj;
        pf->iKey = addKey(cv, lua_gettop(L));
        pf->eCodec = pCol->eCodec;
        if (pCol->eCodec == CODEC_CUSTOM || CODEC_IS_CUSTOM_ARRAY(pCol->eCodec)) {
          rawfield(L, -2, N_fromDriver);
          if (lua_isnil(L, -1)) { if (pCol->eCodec == CODEC_CUSTOM) pf->eCodec = CODEC_NONE; }
          else pf->iFn = addKey(cv, lua_gettop(L));
          lua_pop(L, 1);
        }
        lua_pop(L, 2);
        if (sh->aObj[iObj].iFirstField < 0) sh->aObj[iObj].iFirstField = sh->nField - 1;
      }
    }
    if (bShape) lua_pop(L, 2);
    return;
  }
  base = lua_gettop(L);
  {
    Entry *a = pushEntries(cv, iVal, &n);
    for (i = 0; i < n; i++) {
      selValue(cv, s, a[i].iVal, a[i].iKey, iObj, zPrefix, bShape, iNullable, depth + 1);
    }
  }
  lua_settop(L, base);
}

static void selValue(Conv *cv, Sel *s, int iVal, int iKey, int iObj, const char *zPrefix, int bShape, int iNullable, int depth) {
  lua_State *L = cv->L;
  int k = dzl_kind(L, iVal);
  const char *zPath = joinPath(cv, zPrefix, iKey);
  if (k == K_TABLE || (k == 0 && lua_type(L, iVal) == LUA_TTABLE)) {
    int iChild = 0;
    int nBefore = s->n;
    if (bShape) iChild = newShapeObj(cv, iObj, addKey(cv, iKey));
    selObject(cv, s, iVal, iChild, zPath, bShape, iNullable, depth);
    /* left-joined table object: nil when its first column is NULL */
    if (bShape && iObj == 0 && s->n > nBefore) {
      int i, bSame = 1;
      const dz_table *pT = NULL;
      const char *zA = NULL;
      int any = 0;
      for (i = nBefore; i < s->n; i++) {
        const dz_chunk *e = &s->a[i].expr;
        if (e->k != DZ_K_COLUMN || s->a[i].zAlias) continue;
        if (!any) { pT = e->u.c.pCol->pTable; zA = e->u.c.zAlias; any = 1; }
        else if (e->u.c.pCol->pTable != pT || (zA == NULL) != (e->u.c.zAlias == NULL) ||
                 (zA && strcmp(zA, e->u.c.zAlias))) bSame = 0;
      }
      if (any && bSame && s->a[nBefore].expr.k == DZ_K_COLUMN &&
          tableIsNullable(cv, iNullable, s->a[nBefore].expr.u.c.pCol, s->a[nBefore].expr.u.c.zAlias)) {
        cv->pShape->aObj[iChild].bNullify = 1;
      }
    }
    return;
  }
  selLeaf(cv, s, iVal, iKey, iObj, zPath, bShape);
}

/* A selection (select fields, returning): the field list and, when bShape,
** the shape of the rows. */
static void convSelection(Conv *cv, int iFields, dz_field **paOut, int *pnOut, int bShape, int iNullable) {
  Sel s;
  memset(&s, 0, sizeof s);
  if (bShape) shapeOf(cv);
  selObject(cv, &s, iFields, 0, NULL, bShape, iNullable, 0);
  *paOut = s.a;
  *pnOut = s.n;
}

/* --------------------------------------------------------------- select */

static void convSource(Conv *cv, int idx, dz_chunk *c) {
  dzl_conv_chunk(cv, idx, c, 0);
}

static int convWith(Conv *cv, int iCfg, dz_cte **paOut) {
  lua_State *L = cv->L;
  int i, n = 0;
  *paOut = NULL;
  if (rawfield(L, iCfg, N_withList) == LUA_TTABLE) {
    int iList = lua_gettop(L);
    n = (int)dzl_rawlen(L, iList);
    *paOut = NEW(cv, dz_cte, n);
    for (i = 0; i < n; i++) {
      size_t len;
      int iSq;
      lua_rawgeti(L, iList, i + 1);
      iSq = lua_gettop(L);
      rawfield(L, iSq, N_alias);
      (*paOut)[i].zName = anchorString(cv, -1, &len);
      lua_pop(L, 1);
      rawfield(L, iSq, N_sel);
      if (dzl_kind(L, -1) == K_SELECT) {
        (*paOut)[i].body.k = DZ_K_SELECT_SQL;
        (*paOut)[i].body.u.pSel = dzl_conv_select(cv, lua_gettop(L), 0);
      } else {
        int kk = dzl_kind(L, -1);
        if (kk == K_INSERT || kk == K_UPDATE || kk == K_DELETE) {
          statementChunk(cv, lua_gettop(L), kk, &(*paOut)[i].body);
          (*paOut)[i].body.bBare = 1;   /* a CTE body is already in parentheses */
        } else {
          dzl_conv_chunk(cv, lua_gettop(L), &(*paOut)[i].body, 0);
        }
      }
      lua_pop(L, 2);
    }
  }
  lua_pop(L, 1);
  return n;
}

static int joinKind(const char *z) {
  if (strcmp(z, "left") == 0) return DZ_JOIN_LEFT;
  if (strcmp(z, "right") == 0) return DZ_JOIN_RIGHT;
  if (strcmp(z, "inner") == 0) return DZ_JOIN_INNER;
  if (strcmp(z, "full") == 0) return DZ_JOIN_FULL;
  return DZ_JOIN_CROSS;
}

static int convJoins(Conv *cv, int iCfg, dz_join **paOut) {
  lua_State *L = cv->L;
  int i, n = 0;
  *paOut = NULL;
  if (rawfield(L, iCfg, N_joins) == LUA_TTABLE) {
    int iList = lua_gettop(L);
    n = (int)dzl_rawlen(L, iList);
    *paOut = NEW(cv, dz_join, n);
    for (i = 0; i < n; i++) {
      dz_join *j = &(*paOut)[i];
      int iJ;
      lua_rawgeti(L, iList, i + 1);
      iJ = lua_gettop(L);
      rawfield(L, iJ, N_type);
      j->eKind = joinKind(lua_tostring(L, -1));
      rawfield(L, iJ, N_lateral);
      j->bLateral = lua_toboolean(L, -1);
      rawfield(L, iJ, N_table);
      convSource(cv, lua_gettop(L), &j->src);
      j->pOn = optSql(cv, iJ, N_on);
      lua_settop(L, iJ - 1);
    }
  }
  lua_pop(L, 1);
  return n;
}

static void convSetOps(Conv *cv, int iCfg, dz_select *s) {
  lua_State *L = cv->L;
  int i;
  if (rawfield(L, iCfg, N_setOps) == LUA_TTABLE) {
    int iList = lua_gettop(L);
    s->nSetOp = (int)dzl_rawlen(L, iList);
    s->aSetOp = NEW(cv, dz_setop, s->nSetOp);
    for (i = 0; i < s->nSetOp; i++) {
      dz_setop *op = &s->aSetOp[i];
      const char *zType;
      int iOp;
      lua_rawgeti(L, iList, i + 1);
      iOp = lua_gettop(L);
      rawfield(L, iOp, N_type);
      zType = lua_tostring(L, -1);
      op->eKind = strcmp(zType, "union") == 0 ? DZ_SET_UNION : strcmp(zType, "intersect") == 0 ? DZ_SET_INTERSECT : DZ_SET_EXCEPT;
      rawfield(L, iOp, N_all);
      op->bAll = lua_toboolean(L, -1);
      rawfield(L, iOp, N_right);
      op->pRight = dzl_conv_select(cv, lua_gettop(L), 0);
      op->nOrderBy = chunkList(cv, iOp, N_orderBy, &op->aOrderBy);
      limitChunk(cv, iOp, N_limit, 0, &op->limit);
      limitChunk(cv, iOp, N_offset, 1, &op->offset);
      lua_settop(L, iOp - 1);
    }
  }
  lua_pop(L, 1);
}

static void convLock(Conv *cv, int iCfg, dz_lock *l) {
  lua_State *L = cv->L;
  if (rawfield(L, iCfg, N_lock) == LUA_TTABLE) {
    int iLock = lua_gettop(L);
    size_t n;
    rawfield(L, iLock, N_strength);
    l->zStrength = anchorString(cv, -1, &n);
    lua_pop(L, 1);
    rawfield(L, iLock, N_noWait); l->bNoWait = lua_toboolean(L, -1); lua_pop(L, 1);
    rawfield(L, iLock, N_skipLocked); l->bSkipLocked = lua_toboolean(L, -1); lua_pop(L, 1);
    if (rawfield(L, iLock, N_of) == LUA_TTABLE) {
      int i, iOf = lua_gettop(L);
      l->nOf = (int)dzl_rawlen(L, iOf);
      l->apOf = (const dz_table **)arenaAlloc(cv, sizeof(dz_table *) * (size_t)(l->nOf + 1));
      for (i = 0; i < l->nOf; i++) {
        lua_rawgeti(L, iOf, i + 1);
        l->apOf[i] = tablePtr(L, lua_gettop(L));
        lua_pop(L, 1);
      }
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* A select builder at idx; bTop: its rows are what execute() returns. */
dz_select *dzl_conv_select(Conv *cv, int idx, int bTop) {
  lua_State *L = cv->L;
  dz_select *s = NEW(cv, dz_select, 1);
  int iCfg, top = lua_gettop(L), iNullable = 0;
  if (idx < 0) idx = top + idx + 1;
  rawfield(L, idx, N_cfg);
  iCfg = lua_gettop(L);
  if (!lua_istable(L, iCfg)) luaL_error(L, "drizzle: not a select query");
  luaL_checkstack(L, 40, "select too complex");
  s->nWith = convWith(cv, iCfg, &s->aWith);
  rawfield(L, iCfg, N_distinct); s->bDistinct = lua_toboolean(L, -1); lua_pop(L, 1);
  s->nDistinctOn = chunkList(cv, iCfg, N_distinctOn, &s->aDistinctOn);
  if (rawfield(L, iCfg, N_nullable) == LUA_TTABLE) iNullable = lua_gettop(L);
  if (rawfield(L, iCfg, N_table) == LUA_TNIL) {
    luaL_error(L, "drizzle: select without from(): call :from(table) before running or rendering the query");
  }
  convSource(cv, lua_gettop(L), &s->from);
  lua_pop(L, 1);
  if (rawfield(L, iCfg, N_fields) != LUA_TTABLE) {
    luaL_error(L, "drizzle: select has no fields");
  }
  {
    LShape *saved = cv->pShape;
    int bShape = bTop && cv->bWantShape;
    if (!bShape) cv->pShape = NULL;
    convSelection(cv, lua_gettop(L), &s->aField, &s->nField, bShape, iNullable);
    if (!bShape) cv->pShape = saved;
  }
  lua_pop(L, 1);
  s->nJoin = convJoins(cv, iCfg, &s->aJoin);
  s->pWhere = optSql(cv, iCfg, N_where);
  s->pHaving = optSql(cv, iCfg, N_having);
  s->nGroupBy = chunkList(cv, iCfg, N_groupBy, &s->aGroupBy);
  s->nOrderBy = chunkList(cv, iCfg, N_orderBy, &s->aOrderBy);
  limitChunk(cv, iCfg, N_limit, 0, &s->limit);
  limitChunk(cv, iCfg, N_offset, 1, &s->offset);
  convSetOps(cv, iCfg, s);
  convLock(cv, iCfg, &s->lock);
  lua_settop(L, top);
  return s;
}

/* ------------------------------------------------------------ insert */

static int hasFeature(Conv *cv, unsigned f) {
  return (dz_dialect_features(cv->pDialect) & f) != 0;
}

/* A value for column iCol from a user's table: SQL, placeholder, column
** or a param encoded by the column. */
static void cellChunk(Conv *cv, int iVal, int iCol, dz_chunk *c) {
  int k = dzl_kind(cv->L, iVal);
  memset(c, 0, sizeof *c);
  if (k == K_SQL || k == K_COLUMN || k == K_COLREF || k == K_SELECT || k == K_SUBQUERY) {
    dzl_conv_chunk(cv, iVal, c, 0);
  } else if (k == K_PARAM) {
    paramNode(cv, iVal, c);
  } else {
    paramChunk(cv, iVal, iCol, c);
  }
}

static void textChunk(dz_chunk *c, const char *z) {
  memset(c, 0, sizeof *c);
  c->k = DZ_K_TEXT;
  c->s.z = z;
  c->s.n = strlen(z);
}

/* Call col[zFn]() and make a cell of what it returns. */
static void fnCell(Conv *cv, int iCol, int zFn, dz_chunk *c) {
  lua_State *L = cv->L;
  rawfield(L, iCol, zFn);
  lua_call(L, 0, 1);
  cellChunk(cv, lua_gettop(L), iCol, c);
  lua_pop(L, 1);
}

/* The cell of a column the row leaves out (buildInsertQuery). */
static void defaultCell(Conv *cv, int iCol, dz_chunk *c) {
  lua_State *L = cv->L;
  int bDefaultKw = hasFeature(cv, DZ_F_INSERT_DEFAULT);
  int tDefault = rawfield(L, iCol, N_defaultValue);
  if (!bDefaultKw && tDefault != LUA_TNIL && !IS_NULL_UD(L, -1)) {
    cellChunk(cv, lua_gettop(L), iCol, c);
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (rawfield(L, iCol, N_defaultFunc) != LUA_TNIL) {
    lua_pop(L, 1);
    fnCell(cv, iCol, N_defaultFunc, c);
    return;
  }
  lua_pop(L, 1);
  rawfield(L, iCol, N_defaultValue);
  tDefault = lua_type(L, -1);
  lua_pop(L, 1);
  if (tDefault == LUA_TNIL && rawfield(L, iCol, N_onUpdateFunc) != LUA_TNIL) {
    lua_pop(L, 1);
    fnCell(cv, iCol, N_onUpdateFunc, c);
    return;
  }
  if (tDefault == LUA_TNIL) lua_pop(L, 1);
  textChunk(c, bDefaultKw ? "default" : "null");
}

/* Push the table info's column list; returns its stack index. */
static int pushColumnList(lua_State *L, int iTable) {
  lua_rawgeti(L, iTable, 1);
  rawfield(L, -1, N_list);
  lua_remove(L, -2);
  return lua_gettop(L);
}

/* buildUpdateSet: the columns set, or with an onUpdateFn, in table order. */
static int convSet(Conv *cv, int iTable, int iSet, dz_set_item **paOut) {
  lua_State *L = cv->L;
  int iList = pushColumnList(L, iTable);
  int i, n = (int)dzl_rawlen(L, iList), m = 0;
  dz_set_item *a = NEW(cv, dz_set_item, n);
  for (i = 1; i <= n; i++) {
    int iCol, iVal;
    lua_rawgeti(L, iList, i);
    iCol = lua_gettop(L);
    rawfield(L, iCol, N_key);
    lua_rawget(L, iSet);
    iVal = lua_gettop(L);
    if (!lua_isnil(L, iVal)) {
      a[m].pCol = &dzl_colptr(L, iCol)->c;
      cellChunk(cv, iVal, iCol, &a[m].value);
      m++;
    } else if (rawfield(L, iCol, N_onUpdateFunc) != LUA_TNIL) {
      a[m].pCol = &dzl_colptr(L, iCol)->c;
      fnCell(cv, iCol, N_onUpdateFunc, &a[m].value);
      m++;
    }
    lua_settop(L, iCol - 1);
  }
  lua_pop(L, 1);
  *paOut = a;
  return m;
}

static void convConflicts(Conv *cv, int iCfg, int iTable, dz_insert *s) {
  lua_State *L = cv->L;
  int i;
  if (rawfield(L, iCfg, N_onConflict) == LUA_TTABLE) {
    int iList = lua_gettop(L);
    s->nConflict = (int)dzl_rawlen(L, iList);
    s->aConflict = NEW(cv, dz_conflict, s->nConflict);
    for (i = 0; i < s->nConflict; i++) {
      dz_conflict *c = &s->aConflict[i];
      int iC;
      lua_rawgeti(L, iList, i + 1);
      iC = lua_gettop(L);
      rawfield(L, iC, N_update); c->bUpdate = lua_toboolean(L, -1); lua_pop(L, 1);
      c->nTarget = chunkList(cv, iC, N_target, &c->aTarget);
      c->pTargetWhere = optSql(cv, iC, N_targetWhere);
      c->pWhere = optSql(cv, iC, N_where);
      c->pSetWhere = optSql(cv, iC, N_setWhere);
      if (rawfield(L, iC, N_set) == LUA_TTABLE) c->nSet = convSet(cv, iTable, lua_gettop(L), &c->aSet);
      lua_settop(L, iC - 1);
    }
  }
  lua_pop(L, 1);
}

static void convReturning(Conv *cv, int iCfg, dz_field **pa, int *pn, int *pb) {
  lua_State *L = cv->L;
  if (rawfield(L, iCfg, N_returning) != LUA_TNIL) {
    *pb = 1;
    convSelection(cv, lua_gettop(L), pa, pn, cv->bWantShape, 0);
  }
  lua_pop(L, 1);
}

dz_insert *dzl_conv_insert(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_insert *s = NEW(cv, dz_insert, 1);
  int top = lua_gettop(L), iCfg, iTable, iList, i, n, nCol = 0;
  int *aInsIdx;
  LCol **apInsCol;
  luaL_checkstack(L, 40, "insert too complex");
  rawfield(L, idx, N_cfg); iCfg = lua_gettop(L);
  if (!lua_istable(L, iCfg)) luaL_error(L, "drizzle: not a query builder");
  rawfield(L, iCfg, N_table); iTable = lua_gettop(L);
  s->pTable = tablePtr(L, iTable);
  s->nWith = convWith(cv, iCfg, &s->aWith);
  rawfield(L, iCfg, N_ignore); s->bIgnore = lua_toboolean(L, -1); lua_pop(L, 1);
  iList = pushColumnList(L, iTable);
  n = (int)dzl_rawlen(L, iList);
  s->apCol = (const dz_column **)arenaAlloc(cv, sizeof(dz_column *) * (size_t)(n + 1));
  /* insertable columns: generated ones are left out; aInsIdx maps them to
  ** their place in the column list, apInsCol keeps their LCol */
  aInsIdx = NEW(cv, int, n);
  apInsCol = NEW(cv, LCol *, n);
  for (i = 1; i <= n; i++) {
    LCol *p;
    if (n == s->pTable->nCol) {
      p = (LCol *)s->pTable->apCol[i - 1];    /* registered in list order (schema.lua) */
    } else {
      lua_rawgeti(L, iList, i);
      p = dzl_colptr(L, -1);
      lua_pop(L, 1);
    }
    if (p->c.mFlags & DZ_COL_GENERATED) continue;
    aInsIdx[nCol] = i;
    apInsCol[nCol] = p;
    s->apCol[nCol++] = &p->c;
  }
  s->nCol = nCol;
  {
    if (rawfield(L, iCfg, N_select) != LUA_TNIL) {
      if (dzl_kind(L, -1) == K_SELECT) s->pSelect = dzl_conv_select(cv, lua_gettop(L), 0);
      else s->pSelectSql = dzl_conv_sql(cv, lua_gettop(L));
      lua_pop(L, 1);
    } else {
      int iRows, r;
      lua_pop(L, 1);
      if (rawfield(L, iCfg, N_values) != LUA_TTABLE) {
        lua_rawgeti(L, iTable, 1);
        rawfield(L, -1, N_name);
        luaL_error(L, "drizzle: insert into \"%s\": call :values(...) or :select(...) first", lua_tostring(L, -1));
      }
      iRows = lua_gettop(L);
      s->nRow = (int)dzl_rawlen(L, iRows);
      s->aCell = NEW(cv, dz_chunk, s->nRow * nCol);
      for (r = 0; r < s->nRow; r++) {
        int iRow;
        lua_rawgeti(L, iRows, r + 1);
        iRow = lua_gettop(L);
        for (i = 0; i < nCol; i++) {
          int iCol, tVal;
          dz_chunk *c = &s->aCell[r * nCol + i];
          lua_rawgeti(L, iList, aInsIdx[i]);
          iCol = lua_gettop(L);
          rawfield(L, iCol, N_key);
          lua_rawget(L, iRow);
          tVal = lua_type(L, -1);
          if (tVal == LUA_TNIL) defaultCell(cv, iCol, c);
          else if (tVal != LUA_TTABLE) {
            /* a plain value (the common case): a param encoded by its column */
            memset(c, 0, sizeof *c);
            c->k = DZ_K_PARAM;
            dzl_encode_value(L, iCol + 1, apInsCol[i]->eCodec, iCol, &c->u.v, cv->iAnchor, &cv->nAnchor);
          }
          else cellChunk(cv, lua_gettop(L), iCol, c);
          lua_settop(L, iRow);
        }
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
  }
  convConflicts(cv, iCfg, iTable, s);
  convReturning(cv, iCfg, &s->aReturning, &s->nReturning, &s->bReturning);
  lua_settop(L, top);
  return s;
}

/* ------------------------------------------------------------ update/delete */

dz_update *dzl_conv_update(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_update *s = NEW(cv, dz_update, 1);
  int top = lua_gettop(L), iCfg, iTable;
  luaL_checkstack(L, 40, "update too complex");
  rawfield(L, idx, N_cfg); iCfg = lua_gettop(L);
  if (!lua_istable(L, iCfg)) luaL_error(L, "drizzle: not a query builder");
  rawfield(L, iCfg, N_table); iTable = lua_gettop(L);
  s->pTable = tablePtr(L, iTable);
  s->nWith = convWith(cv, iCfg, &s->aWith);
  if (rawfield(L, iCfg, N_set) != LUA_TTABLE) {
    lua_rawgeti(L, iTable, 1);
    rawfield(L, -1, N_name);
    luaL_error(L, "drizzle: update \"%s\": call :set({...}) first", lua_tostring(L, -1));
  }
  s->nSet = convSet(cv, iTable, lua_gettop(L), &s->aSet);
  lua_pop(L, 1);
  if (rawfield(L, iCfg, N_from) != LUA_TNIL) convSource(cv, lua_gettop(L), &s->from);
  lua_pop(L, 1);
  s->nJoin = convJoins(cv, iCfg, &s->aJoin);
  s->pWhere = optSql(cv, iCfg, N_where);
  s->nOrderBy = chunkList(cv, iCfg, N_orderBy, &s->aOrderBy);
  limitChunk(cv, iCfg, N_limit, 0, &s->limit);
  convReturning(cv, iCfg, &s->aReturning, &s->nReturning, &s->bReturning);
  lua_settop(L, top);
  return s;
}

dz_delete *dzl_conv_delete(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_delete *s = NEW(cv, dz_delete, 1);
  int top = lua_gettop(L), iCfg, iTable;
  rawfield(L, idx, N_cfg); iCfg = lua_gettop(L);
  if (!lua_istable(L, iCfg)) luaL_error(L, "drizzle: not a query builder");
  rawfield(L, iCfg, N_table); iTable = lua_gettop(L);
  s->pTable = tablePtr(L, iTable);
  s->nWith = convWith(cv, iCfg, &s->aWith);
  s->pWhere = optSql(cv, iCfg, N_where);
  s->nOrderBy = chunkList(cv, iCfg, N_orderBy, &s->aOrderBy);
  limitChunk(cv, iCfg, N_limit, 0, &s->limit);
  convReturning(cv, iCfg, &s->aReturning, &s->nReturning, &s->bReturning);
  lua_settop(L, top);
  return s;
}

/* A DML statement used as a chunk: (insert ...), (update ...), (delete ...).
** Its rows are not the statement's rows, so it records no shape. */
static void statementChunk(Conv *cv, int idx, int k, dz_chunk *c) {
  LShape *saved = cv->pShape;
  cv->pShape = NULL;
  if (k == K_INSERT) { c->k = DZ_K_INSERT; c->u.pIns = dzl_conv_insert(cv, idx); }
  else if (k == K_UPDATE) { c->k = DZ_K_UPDATE; c->u.pUpd = dzl_conv_update(cv, idx); }
  else { c->k = DZ_K_DELETE; c->u.pDel = dzl_conv_delete(cv, idx); }
  cv->pShape = saved;
}

/* ------------------------------------------------------------ field check */

/* values()/set() with a key the table lacks: raise before any SQL runs,
** naming the table and the field. [-0,+0,v] */
void dzl_check_fields(lua_State *L, int iTable, int iRows, const char *zWhat) {
  int r, nRow = (int)dzl_rawlen(L, iRows);
  lua_rawgeti(L, iTable, 1);
  rawfield(L, -1, N_columns);
  for (r = 1; r <= nRow; r++) {
    lua_rawgeti(L, iRows, r);
    if (lua_type(L, -1) != LUA_TTABLE) {
      rawfield(L, -3, N_name);
      luaL_error(L, "drizzle: %s \"%s\": row %d is a %s, not a table", zWhat, lua_tostring(L, -1), r, luaL_typename(L, -2));
    }
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);
      lua_rawget(L, -5);
      if (lua_isnil(L, -1)) {
        const char *zKey = lua_type(L, -3) == LUA_TSTRING ? lua_tostring(L, -3) : luaL_typename(L, -3);
        rawfield(L, -6, N_name);
        luaL_error(L, "drizzle: %s \"%s\": unknown field \"%s\"", zWhat, lua_tostring(L, -1), zKey);
      }
      lua_pop(L, 2);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
}
