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
  lua_rawgeti(L, DZL_NAMES, N_MAP);
  cv->pNames = (const NameMap *)lua_touserdata(L, -1);
  lua_pop(L, 1);
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

/* The kind of the table at idx, 0 for a plain table. A node's metatable
** holds its kind at [0]; a column reference's holds its column's LCol there
** instead (a light userdata, set by schema.lua once the table is
** registered), so one read tells both what the node is and, for the most
** common node, which column it names (*ppCol; left alone for other kinds).
** [-0,+0,-] */
static int nodeKind(lua_State *L, int idx, LCol **ppCol) {
  int k;
  if (!lua_getmetatable(L, idx)) return 0;
  switch (dzl_rawgeti(L, -1, 0)) {
    case LUA_TLIGHTUSERDATA:
      *ppCol = (LCol *)lua_touserdata(L, -1);
      k = K_COLREF;
      break;
    case LUA_TNUMBER:
      k = (int)lua_tointeger(L, -1);
      break;
    default:
      k = 0;
  }
  lua_pop(L, 2);
  return k;
}

/* The __dz kind of the value at idx, or 0. [-0,+0,-] */
int dzl_kind(lua_State *L, int idx) {
  LCol *pCol;
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  return nodeKind(L, idx, &pCol);
}

/* Push t[k] without metamethods; returns its type. [-0,+1,-] */
static int rawfield(lua_State *L, int t, int k) {
  lua_rawgeti(L, DZL_NAMES, k);
  return dzl_rawget(L, t < 0 ? t - 1 : t);
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

/* The LCol of the column node at idx (kind k): a reference's from its
** metatable (pCol, when nodeKind found it there), else the column's ptr. */
static LCol *nodeColumn(lua_State *L, int idx, int k, LCol *pCol) {
  if (pCol) return pCol;
  if (k == K_COLREF) {
    lua_rawgeti(L, idx, 1);
    pCol = dzl_colptr(L, -1);
    lua_pop(L, 1);
    return pCol;
  }
  return dzl_colptr(L, idx);
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

/* Walk the table at idx once and push the fields that names.h knows: a[N_x]
** is then the stack index of t.x, 0 when t has none. A config sets a few of
** the dozen fields a statement may have; one lua_next pass is cheaper than a
** lookup for each. Pushes two values per field found. [-0,+2n,m] */
static void scanFields(Conv *cv, int idx, int *a) {
  lua_State *L = cv->L;
  memset(a, 0, sizeof(int) * N__COUNT);
  luaL_checkstack(L, 2 * N__COUNT + 4, "query config too large");
  lua_pushnil(L);
  while (lua_next(L, idx)) {                /* stack: key, value */
    if (lua_type(L, -2) == LUA_TSTRING) {
      int id = dzl_name_id(cv->pNames, lua_tostring(L, -2));
      if (id && !a[id]) {
        a[id] = lua_gettop(L);              /* keep key and value ... */
        lua_pushvalue(L, -2);               /* ... and go on from the key */
        continue;
      }
    }
    lua_pop(L, 1);
  }
}

/* A param chunk: the value at iVal (of kind k, 0 for a non-node) encoded by
** the column object at iCol whose LCol is pCol (iCol 0: no column). */
static void paramChunk(Conv *cv, int iVal, int k, int iCol, const LCol *pCol, dz_chunk *c) {
  lua_State *L = cv->L;
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
  dzl_encode_value(L, iVal, iCol ? pCol->eCodec : CODEC_NONE, iCol, &c->u.v, cv->iAnchor, &cv->nAnchor);
}

/* The kind of any value: 0 for a non-table. */
static int valueKind(lua_State *L, int idx, LCol **ppCol) {
  return lua_type(L, idx) == LUA_TTABLE ? nodeKind(L, idx, ppCol) : 0;
}

static dz_sql *sqlList(Conv *cv, int idx);

/* A PARAM node { value = v, col = c }. */
static void paramNode(Conv *cv, int idx, dz_chunk *c) {
  lua_State *L = cv->L;
  int top = lua_gettop(L);
  int iCol = 0, kv;
  LCol *pCol = NULL, *pDummy = NULL;
  rawfield(L, idx, N_value);
  if (rawfield(L, idx, N_col) == LUA_TTABLE) {
    int k = nodeKind(L, top + 2, &pCol);
    if (k == K_COLREF) {
      lua_rawgeti(L, top + 2, 1);
      iCol = top + 3;
      if (!pCol) pCol = dzl_colptr(L, iCol);
    } else if (k == K_COLUMN) {
      iCol = top + 2;
      pCol = dzl_colptr(L, iCol);
    }
  }
  kv = valueKind(L, top + 1, &pDummy);
  if (kv == K_SQL) {            /* a mapped value that is SQL renders inline */
    c->k = DZ_K_SQL;
    c->u.p = sqlList(cv, top + 1);
  } else {
    paramChunk(cv, top + 1, kv, iCol, pCol, c);
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

/* The chunk of the table at idx, a node of kind k (0: a plain sequence);
** pCol: the LCol nodeKind found for a column reference, or NULL. c is
** zeroed. */
static void tableChunk(Conv *cv, int idx, int k, LCol *pCol, dz_chunk *c) {
  lua_State *L = cv->L;
  size_t n;
  switch (k) {
    case K_COLUMN:
    case K_COLREF:
      c->k = DZ_K_COLUMN;
      c->u.c.pCol = &nodeColumn(L, idx, k, pCol)->c;
      if (k == K_COLREF) {
        if (dzl_rawgeti(L, idx, 3) == LUA_TSTRING) c->u.c.zAlias = lua_tostring(L, -1);
        lua_pop(L, 1);
      }
      return;
    case K_SQL:
      c->k = DZ_K_SQL;
      c->u.p = sqlList(cv, idx);
      return;
    case K_PARAM:
      paramNode(cv, idx, c);
      return;
    case K_PLACEHOLDER:
      paramChunk(cv, idx, k, 0, NULL, c);
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

/* Convert the value at idx into one chunk. In an sql object's chunk list a
** Lua string is SQL text (bStringIsText); anywhere else it is a value. */
void dzl_conv_chunk(Conv *cv, int idx, dz_chunk *c, int bStringIsText) {
  lua_State *L = cv->L;
  int t = lua_type(L, idx);
  LCol *pCol = NULL;
  memset(c, 0, sizeof *c);
  if (idx < 0) idx = lua_gettop(L) + idx + 1;
  if (t == LUA_TSTRING && bStringIsText) {
    size_t n;
    c->k = DZ_K_TEXT;
    c->s.z = lua_tolstring(L, idx, &n);   /* anchored by the node that holds it */
    c->s.n = n;
    return;
  }
  if (t != LUA_TTABLE) {
    paramChunk(cv, idx, 0, 0, NULL, c);
    return;
  }
  tableChunk(cv, idx, nodeKind(L, idx, &pCol), pCol, c);
}

/* The chunk list of the sql object at idx. Its chunks stay on the stack
** until the end (one settop instead of a pop per chunk) when there is room
** for them; the strings they hold are anchored by the object anyway. */
static dz_sql *sqlList(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_sql *p = NEW(cv, dz_sql, 1);
  int i, n = (int)dzl_rawlen(L, idx), top = lua_gettop(L);
  int bKeep = n <= 32 && lua_checkstack(L, n + LUA_MINSTACK);
  rawfield(L, idx, N_inline);
  p->bInline = lua_toboolean(L, -1);
  lua_pop(L, 1);
  p->a = NEW(cv, dz_chunk, n);
  p->n = n;
  for (i = 0; i < n; i++) {
    dz_chunk *c = &p->a[i];
    int t = dzl_rawgeti(L, idx, i + 1);
    int iTop = lua_gettop(L);
    memset(c, 0, sizeof *c);
    if (t == LUA_TSTRING) {
      size_t nz;
      c->k = DZ_K_TEXT;
      c->s.z = lua_tolstring(L, iTop, &nz);
      c->s.n = nz;
    } else if (t == LUA_TTABLE) {
      LCol *pCol = NULL;
      tableChunk(cv, iTop, nodeKind(L, iTop, &pCol), pCol, c);
    } else if (t == LUA_TNIL) {
      c->k = DZ_K_TEXT;
      c->s.z = "";
    } else {
      paramChunk(cv, iTop, 0, 0, NULL, c);
    }
    if (!bKeep) lua_pop(L, 1);
  }
  if (bKeep) lua_settop(L, top);
  return p;
}

/* An sql object's chunk list (or any single node as a one-chunk list). */
dz_sql *dzl_conv_sql(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_sql *p;
  if (idx < 0) idx = lua_gettop(L) + idx + 1;
  if (dzl_kind(L, idx) == K_SQL) return sqlList(cv, idx);
  p = NEW(cv, dz_sql, 1);
  p->a = NEW(cv, dz_chunk, 1);
  p->n = 1;
  dzl_conv_chunk(cv, idx, &p->a[0], 0);
  return p;
}

/* The value at idx (0: absent) as a condition, or NULL when absent or nil. */
static dz_sql *sqlAt(Conv *cv, int idx) {
  if (!idx || lua_isnil(cv->L, idx)) return NULL;
  return dzl_conv_sql(cv, idx);
}

/* t[key] as a condition list, or NULL when absent. */
static dz_sql *optSql(Conv *cv, int iTbl, int zKey) {
  dz_sql *p = NULL;
  if (rawfield(cv->L, iTbl, zKey) != LUA_TNIL) p = dzl_conv_sql(cv, lua_gettop(cv->L));
  lua_pop(cv->L, 1);
  return p;
}

/* The list at idx (0: absent) as chunks (orderBy, groupBy). */
static int chunksAt(Conv *cv, int idx, dz_chunk **paOut) {
  lua_State *L = cv->L;
  int i, n = 0;
  *paOut = NULL;
  if (idx && lua_type(L, idx) == LUA_TTABLE) {
    n = (int)dzl_rawlen(L, idx);
    *paOut = NEW(cv, dz_chunk, n);
    for (i = 0; i < n; i++) {
      lua_rawgeti(L, idx, i + 1);
      dzl_conv_chunk(cv, lua_gettop(L), &(*paOut)[i], 0);
      lua_pop(L, 1);
    }
  }
  return n;
}

/* t[key] as a list of chunks. */
static int chunkList(Conv *cv, int iTbl, int zKey, dz_chunk **paOut) {
  int n;
  rawfield(cv->L, iTbl, zKey);
  n = chunksAt(cv, lua_gettop(cv->L), paOut);
  lua_pop(cv->L, 1);
  return n;
}

/* limit/offset at idx (0: absent): a number (bound) or a placeholder;
** Drizzle drops a negative limit and a zero offset. */
static void limitAt(Conv *cv, int idx, int bOffset, dz_chunk *c) {
  lua_State *L = cv->L;
  memset(c, 0, sizeof *c);
  if (!idx) return;
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
      return;
    case LUA_TNUMBER: {
      lua_Number v = lua_tonumber(L, idx);
      if (bOffset ? v != 0 : v >= 0) paramChunk(cv, idx, 0, 0, NULL, c);
      return;
    }
    default: {
      LCol *pCol = NULL;
      paramChunk(cv, idx, valueKind(L, idx, &pCol), 0, NULL, c);
    }
  }
}

static void limitChunk(Conv *cv, int iTbl, int zKey, int bOffset, dz_chunk *c) {
  rawfield(cv->L, iTbl, zKey);
  limitAt(cv, lua_gettop(cv->L), bOffset, c);
  lua_pop(cv->L, 1);
}

/* ------------------------------------------------------------ selection */

/* A selection entry: key and value on the stack, the value's kind (and
** column, for a reference) read once, and its place in the order. */
typedef struct Entry { int iKey, iVal, k; LCol *pCol; double seq; } Entry;

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

/* Where a selection value of kind k sorts among its siblings (LUA_API.md §5). */
static double seqOfKind(lua_State *L, int idx, int k) {
  double s = 0;
  if (k == K_COLREF) { lua_rawgeti(L, idx, 2); s = lua_tonumber(L, -1); lua_pop(L, 1); return s; }
  if (k == K_TABLE) { lua_rawgeti(L, idx, 1); rawfield(L, -1, N_seq); s = lua_tonumber(L, -1); lua_pop(L, 2); return s; }
  if (k) { rawfield(L, idx, N_seq); s = lua_tonumber(L, -1); lua_pop(L, 1); return s; }
  if (lua_type(L, idx) == LUA_TTABLE) return mapMinSeq(L, idx);
  return 0;
}

static double seqOf(lua_State *L, int idx) {
  LCol *pCol = NULL;
  return seqOfKind(L, idx, valueKind(L, idx, &pCol));
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
      a[n].pCol = NULL;
      a[n].k = valueKind(L, a[n].iVal, &a[n].pCol);
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
    a[n].iKey = lua_gettop(L) - 1;
    a[n].iVal = lua_gettop(L);
    a[n].pCol = NULL;
    a[n].k = valueKind(L, a[n].iVal, &a[n].pCol);
    a[n].seq = seqOfKind(L, a[n].iVal, a[n].k);
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

/* The decoder of a selected expression at idx (kind k; pCol: a reference's
** column when known, else NULL). */
static void decoderOf(Conv *cv, int idx, int k, LCol *pCol, LField *f) {
  lua_State *L = cv->L;
  f->eCodec = CODEC_NONE;
  f->iFn = 0;
  if (k == K_COLUMN || k == K_COLREF) {
    f->eCodec = nodeColumn(L, idx, k, pCol)->eCodec;
    if (f->eCodec == CODEC_CUSTOM || CODEC_IS_CUSTOM_ARRAY(f->eCodec)) {
      /* a customType's fromDriver (for an array of one: per element) */
      pushColumnObject(L, idx, k);
      rawfield(L, -1, N_fromDriver);
      if (!lua_isnil(L, -1)) f->iFn = addKey(cv, lua_gettop(L));
      else if (f->eCodec == CODEC_CUSTOM) f->eCodec = CODEC_NONE;
      lua_pop(L, 2);
    }
    return;
  }
  if (k == K_ALIASED) {
    rawfield(L, idx, N_sql);
    decoderOf(cv, lua_gettop(L), dzl_kind(L, -1), NULL, f);
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
          if (!lua_next(L, top)) decoderOf(cv, iVal, dzl_kind(L, iVal), NULL, f);   /* ... and the only one */
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
        decoderOf(cv, lua_gettop(L), kd, NULL, f);
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

/* "prefix->key" for error messages; a top-level string key is used as is
** (the selection map holding it keeps it alive). */
static const char *joinPath(Conv *cv, const char *zPrefix, int iKey) {
  size_t nKey, nPre = zPrefix ? strlen(zPrefix) : 0;
  const char *zKey;
  char *z;
  if (!zPrefix && lua_type(cv->L, iKey) == LUA_TSTRING) return lua_tostring(cv->L, iKey);
  zKey = lua_tolstring(cv->L, iKey, &nKey);
  z = NEW(cv, char, nPre + nKey + 3);
  if (nPre) { memcpy(z, zPrefix, nPre); memcpy(z + nPre, "->", 2); nPre += 2; }
  memcpy(z + nPre, zKey, nKey);
  z[nPre + nKey] = 0;
  return z;
}

/* One leaf of a selection: the expression e->iVal under key e->iKey. */
static void selLeaf(Conv *cv, Sel *s, const Entry *e, int iObj, const char *zPath, int bShape) {
  lua_State *L = cv->L;
  int k = e->k, iVal = e->iVal;
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
    tableChunk(cv, iVal, k, e->pCol, &f.expr);
  } else {
    luaL_error(L, "drizzle: select field \"%s\" is not a column or sql expression (got %s)", zPath, luaL_typename(L, iVal));
  }
  selAdd(cv, s, &f);
  if (bShape) {
    LField *pf = newShapeField(cv);
    LShape *sh = cv->pShape;
    pf->iObj = iObj;
    pf->iKey = addKey(cv, e->iKey);
    decoderOf(cv, iVal, k, e->pCol, pf);
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

static void selValue(Conv *cv, Sel *s, const Entry *e, int iObj, const char *zPrefix, int bShape, int iNullable, int depth);

/* A nested object (map, table or ordered list; k: its kind) under iKey. */
static void selObject(Conv *cv, Sel *s, int iVal, int k, int iObj, const char *zPrefix, int bShape, int iNullable, int depth) {
  lua_State *L = cv->L;
  int i, n, base;
  if (depth > 32) luaL_error(L, "drizzle: select fields nested too deeply");
  if (k == K_TABLE) {
    /* every column of the table, in table order, straight from the core's
    ** columns: no Lua reference is made for them */
    const dz_table *pTab = tablePtr(L, iVal);
    const char *zAlias = pTab->bAlias ? pTab->zName : NULL;
    int iList = 0;
    if (!zAlias && pTab->zSchema) {
      /* a view in a schema: its columns read "v"."c", as its column
      ** references do (views.lua sets aliasName; Drizzle reaches a view's
      ** fields through a proxy aliased to the view's bare name) */
      lua_rawgeti(L, iVal, 1);
      rawfield(L, -1, N_aliasName);
      if (lua_type(L, -1) == LUA_TSTRING) zAlias = pTab->zName;
      lua_pop(L, 2);
    }
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
      f.zPathPrefix = zPrefix;     /* joined only if an error names it */
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
      selValue(cv, s, &a[i], iObj, zPrefix, bShape, iNullable, depth + 1);
    }
  }
  lua_settop(L, base);
}

static void selValue(Conv *cv, Sel *s, const Entry *e, int iObj, const char *zPrefix, int bShape, int iNullable, int depth) {
  lua_State *L = cv->L;
  int k = e->k, iVal = e->iVal;
  const char *zPath = joinPath(cv, zPrefix, e->iKey);
  if (k == K_TABLE || (k == 0 && lua_type(L, iVal) == LUA_TTABLE)) {
    int iChild = 0;
    int nBefore = s->n;
    if (bShape) iChild = newShapeObj(cv, iObj, addKey(cv, e->iKey));
    selObject(cv, s, iVal, k, iChild, zPath, bShape, iNullable, depth);
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
  selLeaf(cv, s, e, iObj, zPath, bShape);
}

/* A selection (select fields, returning): the field list and, when bShape,
** the shape of the rows. */
static void convSelection(Conv *cv, int iFields, dz_field **paOut, int *pnOut, int bShape, int iNullable) {
  Sel s;
  memset(&s, 0, sizeof s);
  if (bShape) shapeOf(cv);
  selObject(cv, &s, iFields, dzl_kind(cv->L, iFields), 0, NULL, bShape, iNullable, 0);
  *paOut = s.a;
  *pnOut = s.n;
}

/* --------------------------------------------------------------- select */

static void convSource(Conv *cv, int idx, dz_chunk *c) {
  dzl_conv_chunk(cv, idx, c, 0);
}

/* The CTE list at iList (0: absent). */
static int convWith(Conv *cv, int iList, dz_cte **paOut) {
  lua_State *L = cv->L;
  int i, n = 0;
  *paOut = NULL;
  if (iList && lua_type(L, iList) == LUA_TTABLE) {
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
  return n;
}

static int joinKind(const char *z) {
  if (strcmp(z, "left") == 0) return DZ_JOIN_LEFT;
  if (strcmp(z, "right") == 0) return DZ_JOIN_RIGHT;
  if (strcmp(z, "inner") == 0) return DZ_JOIN_INNER;
  if (strcmp(z, "full") == 0) return DZ_JOIN_FULL;
  return DZ_JOIN_CROSS;
}

/* The join list at iList (0: absent). */
static int convJoins(Conv *cv, int iList, dz_join **paOut) {
  lua_State *L = cv->L;
  int i, n = 0;
  *paOut = NULL;
  if (iList && lua_type(L, iList) == LUA_TTABLE) {
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
  return n;
}

/* The set operations at iList (0: absent). */
static void convSetOps(Conv *cv, int iList, dz_select *s) {
  lua_State *L = cv->L;
  int i;
  if (iList && lua_type(L, iList) == LUA_TTABLE) {
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
}

/* The lock clause at iLock (0: absent). */
static void convLock(Conv *cv, int iLock, dz_lock *l) {
  lua_State *L = cv->L;
  if (iLock && lua_type(L, iLock) == LUA_TTABLE) {
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
}

/* A select builder at idx; bTop: its rows are what execute() returns. */
dz_select *dzl_conv_select(Conv *cv, int idx, int bTop) {
  lua_State *L = cv->L;
  dz_select *s = NEW(cv, dz_select, 1);
  int iCfg, top = lua_gettop(L), iNullable = 0;
  int a[N__COUNT];
  if (idx < 0) idx = top + idx + 1;
  rawfield(L, idx, N_cfg);
  iCfg = lua_gettop(L);
  if (!lua_istable(L, iCfg)) luaL_error(L, "drizzle: not a select query");
  scanFields(cv, iCfg, a);
  luaL_checkstack(L, 40, "select too complex");
  s->nWith = convWith(cv, a[N_withList], &s->aWith);
  s->bDistinct = a[N_distinct] && lua_toboolean(L, a[N_distinct]);
  s->nDistinctOn = chunksAt(cv, a[N_distinctOn], &s->aDistinctOn);
  if (a[N_nullable] && lua_type(L, a[N_nullable]) == LUA_TTABLE) iNullable = a[N_nullable];
  if (!a[N_table] || lua_isnil(L, a[N_table])) {
    luaL_error(L, "drizzle: select without from(): call :from(table) before running or rendering the query");
  }
  convSource(cv, a[N_table], &s->from);
  if (!a[N_fields] || lua_type(L, a[N_fields]) != LUA_TTABLE) {
    luaL_error(L, "drizzle: select has no fields");
  }
  {
    LShape *saved = cv->pShape;
    int bShape = bTop && cv->bWantShape;
    if (!bShape) cv->pShape = NULL;
    convSelection(cv, a[N_fields], &s->aField, &s->nField, bShape, iNullable);
    if (!bShape) cv->pShape = saved;
  }
  s->nJoin = convJoins(cv, a[N_joins], &s->aJoin);
  s->pWhere = sqlAt(cv, a[N_where]);
  s->pHaving = sqlAt(cv, a[N_having]);
  s->nGroupBy = chunksAt(cv, a[N_groupBy], &s->aGroupBy);
  s->nOrderBy = chunksAt(cv, a[N_orderBy], &s->aOrderBy);
  limitAt(cv, a[N_limit], 0, &s->limit);
  limitAt(cv, a[N_offset], 1, &s->offset);
  convSetOps(cv, a[N_setOps], s);
  convLock(cv, a[N_lock], &s->lock);
  lua_settop(L, top);
  return s;
}

/* ------------------------------------------------------------ insert */

static int hasFeature(Conv *cv, unsigned f) {
  return (dz_dialect_features(cv->pDialect) & f) != 0;
}

/* A value for the column object iCol (its LCol pColumn, or NULL to look it
** up) from a user's table: SQL, placeholder, column or a param encoded by
** the column. */
static void cellChunk(Conv *cv, int iVal, int iCol, LCol *pColumn, dz_chunk *c) {
  LCol *pCol = NULL;
  int k = valueKind(cv->L, iVal, &pCol);
  memset(c, 0, sizeof *c);
  if (k == K_SQL || k == K_COLUMN || k == K_COLREF || k == K_SELECT || k == K_SUBQUERY) {
    tableChunk(cv, iVal, k, pCol, c);
  } else if (k == K_PARAM) {
    paramNode(cv, iVal, c);
  } else {
    paramChunk(cv, iVal, k, iCol, pColumn ? pColumn : dzl_colptr(cv->L, iCol), c);
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
  dzl_call_user(L, 0, 1);
  cellChunk(cv, lua_gettop(L), iCol, NULL, c);
  lua_pop(L, 1);
}

/* The cell of a column the row leaves out (buildInsertQuery). pCol's
** HASDEFAULT flag, set when the table was made, says whether the column
** has any of default/defaultFn/onUpdateFn: most left-out columns have
** none, and then no field of the column object needs reading. */
static void defaultCell(Conv *cv, int iCol, const LCol *pCol, dz_chunk *c) {
  lua_State *L = cv->L;
  int bDefaultKw = hasFeature(cv, DZ_F_INSERT_DEFAULT);
  int tDefault;
  if (!(pCol->c.mFlags & DZ_COL_HASDEFAULT)) {
    textChunk(c, bDefaultKw ? "default" : "null");
    return;
  }
  tDefault = rawfield(L, iCol, N_defaultValue);
  if (!bDefaultKw && tDefault != LUA_TNIL && !IS_NULL_UD(L, -1)) {
    cellChunk(cv, lua_gettop(L), iCol, NULL, c);
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
      cellChunk(cv, iVal, iCol, (LCol *)a[m].pCol, &a[m].value);
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

/* The conflict clauses at iList (0: absent). */
static void convConflicts(Conv *cv, int iList, int iTable, dz_insert *s) {
  lua_State *L = cv->L;
  int i;
  if (iList && lua_type(L, iList) == LUA_TTABLE) {
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
}

/* The returning selection at idx (0: absent). */
static void convReturning(Conv *cv, int idx, dz_field **pa, int *pn, int *pb) {
  if (idx && !lua_isnil(cv->L, idx)) {
    *pb = 1;
    convSelection(cv, idx, pa, pn, cv->bWantShape, 0);
  }
}

/* The config of the builder at idx, scanned (scanFields); its table object
** is pushed and returned. Raises unless the config names a table. */
static int dmlConfig(Conv *cv, int idx, int *a) {
  lua_State *L = cv->L;
  int iCfg;
  rawfield(L, idx, N_cfg);
  iCfg = lua_gettop(L);
  if (!lua_istable(L, iCfg)) luaL_error(L, "drizzle: not a query builder");
  scanFields(cv, iCfg, a);
  luaL_checkstack(L, 40, "query too complex");
  if (a[N_table]) lua_pushvalue(L, a[N_table]);
  else lua_pushnil(L);
  return lua_gettop(L);
}

/* The number of keys of the table at idx. */
static int keyCount(lua_State *L, int idx) {
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) { lua_pop(L, 1); n++; }
  return n;
}

/* Raise for the first row of the insert's values at iRows that is not a
** table or names a field its table lacks. An insert counts the fields it
** found in each row against the row's keys and calls this only when they
** differ: most rows name only columns, and then one lua_next pass is the
** whole check. (A key that names a generated column is counted as given
** by neither side's column walk; the full check here accepts it.) */
static void checkRows(lua_State *L, int iTable, int iRows, int bOneRow) {
  if (bOneRow) {
    lua_createtable(L, 1, 0);
    lua_pushvalue(L, iRows);
    lua_rawseti(L, -2, 1);
    iRows = lua_gettop(L);
  }
  dzl_check_fields(L, iTable, iRows, "insert into");
  if (bOneRow) lua_pop(L, 1);
}

/* Is the values table at idx a list of rows (its first element a plain
** table) rather than one row? */
static int isRowList(lua_State *L, int idx) {
  int b = dzl_rawgeti(L, idx, 1) == LUA_TTABLE && dzl_kind(L, -1) == 0;
  lua_pop(L, 1);
  return b;
}

dz_insert *dzl_conv_insert(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_insert *s = NEW(cv, dz_insert, 1);
  int top = lua_gettop(L), iTable, iList, i, n, nCol = 0;
  int *aInsIdx;
  LCol **apInsCol;
  int a[N__COUNT];
  iTable = dmlConfig(cv, idx, a);
  s->pTable = tablePtr(L, iTable);
  s->nWith = convWith(cv, a[N_withList], &s->aWith);
  s->bIgnore = a[N_ignore] && lua_toboolean(L, a[N_ignore]);
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
    if (a[N_select] && !lua_isnil(L, a[N_select])) {
      if (dzl_kind(L, a[N_select]) == K_SELECT) s->pSelect = dzl_conv_select(cv, a[N_select], 0);
      else s->pSelectSql = dzl_conv_sql(cv, a[N_select]);
    } else {
      int iRows = a[N_values], r, bOneRow;
      if (!iRows || lua_type(L, iRows) != LUA_TTABLE) {
        lua_rawgeti(L, iTable, 1);
        rawfield(L, -1, N_name);
        luaL_error(L, "drizzle: insert into \"%s\": call :values(...) or :select(...) first", lua_tostring(L, -1));
      }
      bOneRow = !isRowList(L, iRows);
      s->nRow = bOneRow ? 1 : (int)dzl_rawlen(L, iRows);
      s->aCell = NEW(cv, dz_chunk, s->nRow * nCol);
      for (r = 0; r < s->nRow; r++) {
        int iRow, nGiven = 0;
        if (bOneRow) lua_pushvalue(L, iRows);
        else if (dzl_rawgeti(L, iRows, r + 1) != LUA_TTABLE) checkRows(L, iTable, iRows, 0);
        iRow = lua_gettop(L);
        for (i = 0; i < nCol; i++) {
          int iCol, tVal;
          dz_chunk *c = &s->aCell[r * nCol + i];
          lua_rawgeti(L, iList, aInsIdx[i]);
          iCol = lua_gettop(L);
          rawfield(L, iCol, N_key);
          lua_rawget(L, iRow);
          tVal = lua_type(L, -1);
          nGiven += tVal != LUA_TNIL;
          if (tVal == LUA_TNIL) defaultCell(cv, iCol, apInsCol[i], c);
          else if (tVal != LUA_TTABLE) {
            /* a plain value (the common case): a param encoded by its column */
            memset(c, 0, sizeof *c);
            c->k = DZ_K_PARAM;
            dzl_encode_value(L, iCol + 1, apInsCol[i]->eCodec, iCol, &c->u.v, cv->iAnchor, &cv->nAnchor);
          }
          else cellChunk(cv, lua_gettop(L), iCol, apInsCol[i], c);
          lua_settop(L, iRow);
        }
        if (keyCount(L, iRow) != nGiven) checkRows(L, iTable, iRows, bOneRow);
        lua_pop(L, 1);
      }
    }
  }
  convConflicts(cv, a[N_onConflict], iTable, s);
  convReturning(cv, a[N_returning], &s->aReturning, &s->nReturning, &s->bReturning);
  lua_settop(L, top);
  return s;
}

/* ------------------------------------------------------------ update/delete */

dz_update *dzl_conv_update(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_update *s = NEW(cv, dz_update, 1);
  int top = lua_gettop(L), iTable;
  int a[N__COUNT];
  iTable = dmlConfig(cv, idx, a);
  s->pTable = tablePtr(L, iTable);
  s->nWith = convWith(cv, a[N_withList], &s->aWith);
  if (!a[N_set] || lua_type(L, a[N_set]) != LUA_TTABLE) {
    lua_rawgeti(L, iTable, 1);
    rawfield(L, -1, N_name);
    luaL_error(L, "drizzle: update \"%s\": call :set({...}) first", lua_tostring(L, -1));
  }
  s->nSet = convSet(cv, iTable, a[N_set], &s->aSet);
  if (a[N_from] && !lua_isnil(L, a[N_from])) convSource(cv, a[N_from], &s->from);
  s->nJoin = convJoins(cv, a[N_joins], &s->aJoin);
  s->pWhere = sqlAt(cv, a[N_where]);
  s->nOrderBy = chunksAt(cv, a[N_orderBy], &s->aOrderBy);
  limitAt(cv, a[N_limit], 0, &s->limit);
  convReturning(cv, a[N_returning], &s->aReturning, &s->nReturning, &s->bReturning);
  lua_settop(L, top);
  return s;
}

dz_delete *dzl_conv_delete(Conv *cv, int idx) {
  lua_State *L = cv->L;
  dz_delete *s = NEW(cv, dz_delete, 1);
  int top = lua_gettop(L), iTable;
  int a[N__COUNT];
  iTable = dmlConfig(cv, idx, a);
  s->pTable = tablePtr(L, iTable);
  s->nWith = convWith(cv, a[N_withList], &s->aWith);
  s->pWhere = sqlAt(cv, a[N_where]);
  s->nOrderBy = chunksAt(cv, a[N_orderBy], &s->aOrderBy);
  limitAt(cv, a[N_limit], 0, &s->limit);
  convReturning(cv, a[N_returning], &s->aReturning, &s->nReturning, &s->bReturning);
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
