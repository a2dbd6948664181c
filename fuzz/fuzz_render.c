/*
** fuzz_render.c: libFuzzer target. Builds statement ASTs (select, insert,
** update, delete) from the fuzzer's bytes, with every chunk kind, params
** of every type, nested SQL, subqueries, joins, CTEs, set operations,
** conflicts and locking, over tables whose names, aliases, schemas and
** columns are arbitrary bytes, and renders each one in every dialect that
** dz_dialect_find knows ("sqlite", "pg", "mysql"; a missing one aborts),
** with every casing and render flag.
**
** The generator keeps the AST contract of dz.h (what lua/drizzle/convert.c
** produces): required pointers are set, counts match arrays. Checks: no
** crash or sanitizer report; rc is a dz_rc; an error leaves a message; a
** second render after dz_render_reset gives the same bytes and params.
**
** Build and run: make fuzz (scripts/fuzz.sh), or by hand
**   clang -fsanitize=fuzzer,address,undefined -Icore/include -Icore \
**     fuzz/fuzz_render.c core/{alloc,arena,buf,render,template,dialect_*}.c
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dz_int.h"

typedef struct Rd { const uint8_t *p; size_t n; dz_arena *a; int nNode; } Rd;

static unsigned u8(Rd *r) {
  if (r->n == 0) return 0;
  r->n--;
  return *r->p++;
}
static unsigned pick(Rd *r, unsigned n) { return n ? u8(r) % n : 0; }

static void *nalloc(Rd *r, size_t n) {
  void *p = dz_arena_alloc(r->a, n);
  if (!p) abort();             /* the default allocator: only a real OOM */
  return p;
}

/* Bytes of the input as a string: short mostly, sometimes long. */
static const char *bytes(Rd *r, size_t *pn, int bCString) {
  size_t n = u8(r);
  char *z;
  if (n >= 250) n = (n - 250) * 700;         /* up to 3500 bytes */
  else n %= 24;
  if (n > r->n) n = r->n;
  z = nalloc(r, n + 1);
  memcpy(z, r->p, n);
  z[n] = 0;
  r->p += n; r->n -= n;
  if (bCString) n = strlen(z);
  if (pn) *pn = n;
  return z;
}
static const char *cstr(Rd *r) { return bytes(r, NULL, 1); }

typedef struct Schema { dz_table *apTab[6]; int nTab; } Schema;

static dz_table *newTable(Rd *r) {
  dz_table *t = nalloc(r, sizeof *t);
  int i;
  t->zName = cstr(r);
  t->zOrigName = t->zName;
  if (u8(r) & 1) t->zSchema = cstr(r);
  t->nCol = 1 + (int)pick(r, 4);
  t->apCol = nalloc(r, sizeof(dz_column *) * (size_t)t->nCol);
  for (i = 0; i < t->nCol; i++) {
    dz_column *c = nalloc(r, sizeof *c);
    unsigned f = u8(r);
    c->zName = cstr(r);
    c->zKey = c->zName;
    c->zSqlType = "text";
    c->mFlags = f & (DZ_COL_KEYASNAME | DZ_COL_NUMERIC_BIGINT | DZ_COL_NOTNULL | DZ_COL_PRIMARY);
    if (c->mFlags & DZ_COL_KEYASNAME) {
      if (f & 0x100) c->zSnake = cstr(r);
      if (u8(r) & 1) c->zCamel = cstr(r);
    }
    c->pTable = t;
    c->iOrder = i;
    t->apCol[i] = c;
  }
  return t;
}

static void makeSchema(Rd *r, Schema *s) {
  int i, n = 1 + (int)pick(r, 3);
  for (i = 0; i < n; i++) s->apTab[s->nTab++] = newTable(r);
  /* aliases share columns, as aliasTable does */
  n = (int)pick(r, 3);
  for (i = 0; i < n; i++) {
    dz_table *t = nalloc(r, sizeof *t);
    *t = *s->apTab[pick(r, (unsigned)s->nTab)];
    t->zName = cstr(r);
    t->bAlias = 1;
    s->apTab[s->nTab++] = t;
  }
}

static const dz_table *anyTable(Rd *r, Schema *s) { return s->apTab[pick(r, (unsigned)s->nTab)]; }
static const dz_column *anyColumn(Rd *r, Schema *s) {
  const dz_table *t = anyTable(r, s);
  return t->apCol[pick(r, (unsigned)t->nCol)];
}

static dz_select *genSelect(Rd *r, Schema *s, int depth);
static dz_insert *genInsert(Rd *r, Schema *s, int depth);
static dz_update *genUpdate(Rd *r, Schema *s, int depth);
static dz_delete *genDelete(Rd *r, Schema *s, int depth);
static dz_sql *genSql(Rd *r, Schema *s, int depth);

static void genValue(Rd *r, dz_value *v) {
  size_t n;
  switch (pick(r, 7)) {
    case 0: v->t = DZ_NULL; break;
    case 1: { int i; uint64_t x = 0; v->t = DZ_INT; for (i = 0; i < 8; i++) x = (x << 8) | u8(r); v->u.i = (int64_t)x; break; }
    case 2: { uint64_t x = 0; int i; v->t = DZ_FLOAT; for (i = 0; i < 8; i++) x = (x << 8) | u8(r); memcpy(&v->u.f, &x, 8); break; }
    case 3: v->t = DZ_TEXT; v->u.s.z = bytes(r, &n, 0); v->u.s.n = n; break;
    case 4: v->t = DZ_BLOB; v->u.s.z = bytes(r, &n, 0); v->u.s.n = n; break;
    case 5: v->t = DZ_BOOL; v->u.i = u8(r) & 1; break;
    default: v->t = DZ_PLACEHOLDER; v->u.s.z = bytes(r, &n, 1); v->u.s.n = n; break;
  }
}

/* One chunk of any kind (statement kinds only while depth allows). */
static void genChunk(Rd *r, Schema *s, int depth, dz_chunk *c) {
  unsigned k = pick(r, depth > 0 ? 15 : 6);
  size_t n;
  r->nNode++;
  if (r->nNode > 400) k = 0;
  switch (k) {
    case 0: c->k = DZ_K_TEXT; c->s.z = bytes(r, &n, 0); c->s.n = n; break;
    case 1: c->k = DZ_K_NAME; c->s.z = bytes(r, &n, 0); c->s.n = n; break;
    case 2: c->k = DZ_K_COLUMN; c->u.c.pCol = anyColumn(r, s); if (u8(r) & 1) c->u.c.zAlias = cstr(r); break;
    case 3: c->k = DZ_K_TABLE; c->u.pTab = anyTable(r, s); break;
    case 4: case 5: c->k = DZ_K_PARAM; genValue(r, &c->u.v); c->iParamTag = (int)u8(r); break;
    case 6: c->k = DZ_K_SQL; c->u.p = genSql(r, s, depth - 1); break;
    case 7: c->k = DZ_K_LIST; c->u.p = genSql(r, s, depth - 1); break;
    case 8: c->k = DZ_K_ALIASED; c->u.p = genSql(r, s, depth - 1); c->s.z = bytes(r, &n, 1); c->s.n = n; break;
    case 9: c->k = DZ_K_SUBQUERY; c->u.pSel = genSelect(r, s, depth - 1); c->bWith = u8(r) & 1;
            c->s.z = bytes(r, &n, 1); c->s.n = n; break;
    case 10: c->k = DZ_K_SELECT; c->u.pSel = genSelect(r, s, depth - 1); break;
    case 11: c->k = DZ_K_WRAPPED; c->u.p = genSql(r, s, depth - 1); break;
    case 12: c->k = DZ_K_INSERT; c->u.pIns = genInsert(r, s, depth - 1); c->bBare = u8(r) & 1; break;
    case 13: c->k = DZ_K_UPDATE; c->u.pUpd = genUpdate(r, s, depth - 1); c->bBare = u8(r) & 1; break;
    default: c->k = DZ_K_DELETE; c->u.pDel = genDelete(r, s, depth - 1); c->bBare = u8(r) & 1; break;
  }
}

static dz_sql *genSql(Rd *r, Schema *s, int depth) {
  dz_sql *p = nalloc(r, sizeof *p);
  int i;
  p->n = (int)pick(r, 5);
  p->a = nalloc(r, sizeof(dz_chunk) * (size_t)(p->n + 1));
  for (i = 0; i < p->n; i++) genChunk(r, s, depth, &p->a[i]);
  p->bInline = (u8(r) & 7) == 0;
  return p;
}
static dz_sql *maybeSql(Rd *r, Schema *s, int depth) { return (u8(r) & 1) ? genSql(r, s, depth) : NULL; }

static dz_chunk *genChunks(Rd *r, Schema *s, int depth, int *pn, int nMax) {
  int i, n = (int)pick(r, (unsigned)nMax + 1);
  dz_chunk *a = nalloc(r, sizeof(dz_chunk) * (size_t)(n + 1));
  for (i = 0; i < n; i++) genChunk(r, s, depth, &a[i]);
  *pn = n;
  return a;
}

/* A source: a table, a subquery or SQL. */
static void genSource(Rd *r, Schema *s, int depth, dz_chunk *c) {
  size_t n;
  switch (depth > 0 ? pick(r, 3) : 0) {
    case 0: c->k = DZ_K_TABLE; c->u.pTab = anyTable(r, s); break;
    case 1: c->k = DZ_K_SUBQUERY; c->u.pSel = genSelect(r, s, depth - 1); c->s.z = bytes(r, &n, 1); c->s.n = n;
            c->bWith = u8(r) & 1; break;
    default: c->k = DZ_K_SQL; c->u.p = genSql(r, s, depth - 1); break;
  }
}

static dz_field *genFields(Rd *r, Schema *s, int depth, int *pn, int nMin) {
  int i, n = nMin + (int)pick(r, 4);
  dz_field *a = nalloc(r, sizeof(dz_field) * (size_t)(n + 1));
  for (i = 0; i < n; i++) {
    dz_field *f = &a[i];
    if (u8(r) & 1) { f->expr.k = DZ_K_COLUMN; f->expr.u.c.pCol = anyColumn(r, s); }
    else genChunk(r, s, depth, &f->expr);
    if ((u8(r) & 3) == 0) { f->zAlias = cstr(r); f->bSelectionField = u8(r) & 1; }
    if (u8(r) & 1) f->zPath = cstr(r);
  }
  *pn = n;
  return a;
}

static dz_cte *genWith(Rd *r, Schema *s, int depth, int *pn) {
  int i, n = depth > 0 ? (int)pick(r, 3) : 0;
  dz_cte *a = nalloc(r, sizeof(dz_cte) * (size_t)(n + 1));
  for (i = 0; i < n; i++) {
    a[i].zName = cstr(r);
    if (u8(r) & 1) { a[i].body.k = DZ_K_SELECT_SQL; a[i].body.u.pSel = genSelect(r, s, depth - 1); }
    else { a[i].body.k = DZ_K_SQL; a[i].body.u.p = genSql(r, s, depth - 1); }
  }
  *pn = n;
  return a;
}

static void genLimit(Rd *r, dz_chunk *c) {
  if (u8(r) & 1) { c->k = DZ_K_PARAM; genValue(r, &c->u.v); }
}

static dz_join *genJoins(Rd *r, Schema *s, int depth, int *pn) {
  int i, n = (int)pick(r, 4);
  dz_join *a = nalloc(r, sizeof(dz_join) * (size_t)(n + 1));
  for (i = 0; i < n; i++) {
    a[i].eKind = 1 + (int)pick(r, 5);
    a[i].bLateral = (u8(r) & 7) == 0;
    genSource(r, s, depth, &a[i].src);
    if (a[i].eKind != DZ_JOIN_CROSS) a[i].pOn = genSql(r, s, depth);
  }
  *pn = n;
  return a;
}

static dz_select *genSelect(Rd *r, Schema *s, int depth) {
  static const char *const azLock[] = { NULL, "update", "no key update", "share", "key share" };
  dz_select *p = nalloc(r, sizeof *p);
  unsigned f = u8(r);
  int i;
  if (depth < 0) depth = 0;
  p->aWith = genWith(r, s, depth, &p->nWith);
  p->bDistinct = f & 1;
  if ((f & 0x6) == 0x6) p->aDistinctOn = genChunks(r, s, depth, &p->nDistinctOn, 2);
  p->aField = genFields(r, s, depth, &p->nField, 1);
  if (!(f & 0x8)) genSource(r, s, depth, &p->from);
  p->aJoin = genJoins(r, s, depth, &p->nJoin);
  p->pWhere = maybeSql(r, s, depth);
  if (f & 0x10) { p->aGroupBy = genChunks(r, s, depth, &p->nGroupBy, 2); p->pHaving = maybeSql(r, s, depth); }
  p->aOrderBy = genChunks(r, s, depth, &p->nOrderBy, 2);
  genLimit(r, &p->limit);
  genLimit(r, &p->offset);
  if (depth > 0 && (f & 0x20)) {
    p->nSetOp = 1 + (int)pick(r, 2);
    p->aSetOp = nalloc(r, sizeof(dz_setop) * (size_t)p->nSetOp);
    for (i = 0; i < p->nSetOp; i++) {
      dz_setop *o = &p->aSetOp[i];
      o->eKind = 1 + (int)pick(r, 3);
      o->bAll = u8(r) & 1;
      o->pRight = genSelect(r, s, depth - 1);
      o->aOrderBy = genChunks(r, s, depth - 1, &o->nOrderBy, 2);
      genLimit(r, &o->limit);
      genLimit(r, &o->offset);
    }
  }
  p->lock.zStrength = azLock[pick(r, 5)];
  if (p->lock.zStrength) {
    p->lock.nOf = (int)pick(r, 3);
    p->lock.apOf = nalloc(r, sizeof(dz_table *) * (size_t)(p->lock.nOf + 1));
    for (i = 0; i < p->lock.nOf; i++) p->lock.apOf[i] = anyTable(r, s);
    p->lock.bNoWait = u8(r) & 1;
    p->lock.bSkipLocked = u8(r) & 1;
  }
  return p;
}

static dz_set_item *genSet(Rd *r, Schema *s, const dz_table *t, int depth, int *pn) {
  int i, n = 1 + (int)pick(r, 3);
  dz_set_item *a = nalloc(r, sizeof(dz_set_item) * (size_t)n);
  for (i = 0; i < n; i++) {
    a[i].pCol = t->apCol[pick(r, (unsigned)t->nCol)];
    genChunk(r, s, depth, &a[i].value);
  }
  *pn = n;
  return a;
}

static dz_insert *genInsert(Rd *r, Schema *s, int depth) {
  dz_insert *p = nalloc(r, sizeof *p);
  const dz_table *t = anyTable(r, s);
  unsigned f = u8(r);
  int i;
  if (depth < 0) depth = 0;
  p->aWith = genWith(r, s, depth, &p->nWith);
  p->pTable = t;
  p->nCol = 1 + (int)pick(r, (unsigned)t->nCol);
  p->apCol = nalloc(r, sizeof(dz_column *) * (size_t)p->nCol);
  for (i = 0; i < p->nCol; i++) p->apCol[i] = t->apCol[pick(r, (unsigned)t->nCol)];
  if ((f & 3) == 1 && depth > 0) p->pSelect = genSelect(r, s, depth - 1);
  else if ((f & 3) == 2) p->pSelectSql = genSql(r, s, depth);
  else {
    p->nRow = 1 + (int)pick(r, 4);
    p->aCell = nalloc(r, sizeof(dz_chunk) * (size_t)(p->nRow * p->nCol));
    for (i = 0; i < p->nRow * p->nCol; i++) {
      if (u8(r) & 1) { p->aCell[i].k = DZ_K_PARAM; genValue(r, &p->aCell[i].u.v); }
      else genChunk(r, s, depth, &p->aCell[i]);
    }
  }
  p->nConflict = (int)pick(r, 3);
  p->aConflict = nalloc(r, sizeof(dz_conflict) * (size_t)(p->nConflict + 1));
  for (i = 0; i < p->nConflict; i++) {
    dz_conflict *c = &p->aConflict[i];
    int j;
    c->bUpdate = u8(r) & 1;
    c->nTarget = (int)pick(r, 3);
    c->aTarget = nalloc(r, sizeof(dz_chunk) * (size_t)(c->nTarget + 1));
    for (j = 0; j < c->nTarget; j++) { c->aTarget[j].k = DZ_K_COLUMN; c->aTarget[j].u.c.pCol = t->apCol[pick(r, (unsigned)t->nCol)]; }
    c->pTargetWhere = maybeSql(r, s, depth);
    if (c->bUpdate) c->aSet = genSet(r, s, t, depth, &c->nSet);
    c->pWhere = maybeSql(r, s, depth);
    c->pSetWhere = maybeSql(r, s, depth);
  }
  p->bIgnore = (f & 0x10) != 0;
  p->bReturning = (f & 0x20) != 0;
  if (p->bReturning) p->aReturning = genFields(r, s, depth, &p->nReturning, 0);
  return p;
}

static dz_update *genUpdate(Rd *r, Schema *s, int depth) {
  dz_update *p = nalloc(r, sizeof *p);
  unsigned f = u8(r);
  if (depth < 0) depth = 0;
  p->aWith = genWith(r, s, depth, &p->nWith);
  p->pTable = anyTable(r, s);
  p->aSet = genSet(r, s, p->pTable, depth, &p->nSet);
  if (f & 1) genSource(r, s, depth, &p->from);
  p->aJoin = genJoins(r, s, depth, &p->nJoin);
  p->pWhere = maybeSql(r, s, depth);
  if (f & 2) p->aOrderBy = genChunks(r, s, depth, &p->nOrderBy, 2);
  if (f & 4) genLimit(r, &p->limit);
  p->bReturning = (f & 8) != 0;
  if (p->bReturning) p->aReturning = genFields(r, s, depth, &p->nReturning, 0);
  return p;
}

static dz_delete *genDelete(Rd *r, Schema *s, int depth) {
  dz_delete *p = nalloc(r, sizeof *p);
  unsigned f = u8(r);
  if (depth < 0) depth = 0;
  p->aWith = genWith(r, s, depth, &p->nWith);
  p->pTable = anyTable(r, s);
  p->pWhere = maybeSql(r, s, depth);
  if (f & 2) p->aOrderBy = genChunks(r, s, depth, &p->nOrderBy, 2);
  if (f & 4) genLimit(r, &p->limit);
  p->bReturning = (f & 8) != 0;
  if (p->bReturning) p->aReturning = genFields(r, s, depth, &p->nReturning, 0);
  return p;
}

static int renderOne(dz_render *pR, int eStmt, const void *pStmt) {
  switch (eStmt) {
    case 0: return dz_render_select(pR, (const dz_select *)pStmt);
    case 1: return dz_render_insert(pR, (const dz_insert *)pStmt);
    case 2: return dz_render_update(pR, (const dz_update *)pStmt);
    case 3: return dz_render_delete(pR, (const dz_delete *)pStmt);
    default: return dz_render_sql(pR, (const dz_sql *)pStmt);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const azDialect[] = { "sqlite", "pg", "mysql" };
  dz_arena a;
  Rd r;
  Schema s;
  const void *pStmt;
  int eStmt, iD, depth;
  unsigned mFlags, eCasing;
  dz_arena_init(&a);
  r.p = data; r.n = size; r.a = &a; r.nNode = 0;
  memset(&s, 0, sizeof s);
  makeSchema(&r, &s);
  eStmt = (int)pick(&r, 5);
  depth = 1 + (int)pick(&r, 3);
  mFlags = u8(&r) & (DZ_RENDER_BARE_COLUMNS | DZ_RENDER_INLINE);
  eCasing = pick(&r, 3);
  switch (eStmt) {
    case 0: pStmt = genSelect(&r, &s, depth); break;
    case 1: pStmt = genInsert(&r, &s, depth); break;
    case 2: pStmt = genUpdate(&r, &s, depth); break;
    case 3: pStmt = genDelete(&r, &s, depth); break;
    default: pStmt = genSql(&r, &s, depth); break;
  }
  for (iD = 0; iD < 3; iD++) {
    const dz_dialect *d = dz_dialect_find(azDialect[iD]);
    dz_render R;
    int rc, rc2;
    char *zFirst;
    size_t nFirst;
    int nParam;
    if (!d) abort();                                       /* every dialect is linked in */
    dz_render_init(&R, d, (dz_casing)eCasing);
    R.mFlags = mFlags;
    rc = renderOne(&R, eStmt, pStmt);
    if (rc < DZ_OK || rc > DZ_DRIVER) abort();
    if (rc != DZ_OK && R.zErr[0] == 0) abort();            /* an error always says why */
    zFirst = malloc(R.sql.n + 1);
    if (!zFirst) abort();
    memcpy(zFirst, R.sql.z ? R.sql.z : "", R.sql.n);
    nFirst = R.sql.n;
    nParam = R.nParam;
    dz_render_reset(&R);
    R.mFlags = mFlags;
    rc2 = renderOne(&R, eStmt, pStmt);
    if (rc2 != rc) abort();                                /* renders are deterministic */
    if (rc == DZ_OK && (R.sql.n != nFirst || memcmp(zFirst, R.sql.z ? R.sql.z : "", nFirst) != 0 || R.nParam != nParam)) abort();
    free(zFirst);
    dz_render_free(&R);
  }
  dz_arena_free(&a);
  return 0;
}
