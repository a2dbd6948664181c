/*
** test_alloc_fail.c: the core under allocation failure, with no Lua.
**
** A counting allocator (installed with dz_set_allocator) fails the Nth
** allocation, for N = 1, 2, ... until the operation succeeds with nothing
** failed. Operations: a select with joins/where/params/order/limit and a set
** operation rendered in every dialect dz_dialect_find knows, an insert with
** many rows and a conflict and returning, an update, a delete, the template
** splitter, CREATE TABLE / CREATE INDEX text, arena growth past several
** blocks. Each step must return DZ_OK with the reference output, or
** DZ_NOMEM with a message; after the objects are freed no block is live.
** Under `make check-memory` it runs with ASan+UBSan as well.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dz_int.h"
#include "dz_ddl.h"

static long nLive, nFailAt, nFailed, nSteps;
static int nFail, nPass;

static void *failingAlloc(void *ud, void *p, size_t osz, size_t nsz) {
  (void)ud; (void)osz;
  if (nsz == 0) { if (p) { free(p); nLive--; } return NULL; }
  if (nFailAt > 0 && --nFailAt == 0) { nFailed++; return NULL; }
  { void *q = realloc(p, nsz); if (q && !p) nLive++; return q; }
}

#define CHECK(c, ...) do { if (c) nPass++; else { nFail++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* ------------------------------------------------------------- fixtures */

static dz_column colId = { "id", NULL, NULL, "id", "integer", NULL, 0, DZ_COL_PRIMARY };
static dz_column colName = { "name", NULL, NULL, "name", "text", NULL, 1, 0 };
static dz_column colAuthor = { "author_id", NULL, NULL, "authorId", "integer", NULL, 0, 0 };
static dz_column *apUsers[] = { &colId, &colName };
static dz_column *apPosts[] = { &colAuthor };
static dz_table users = { "users", "users", NULL, 0, 2, apUsers };
static dz_table posts = { "posts", "posts", NULL, 0, 1, apPosts };

static void fixtures(void) { colId.pTable = &users; colName.pTable = &users; colAuthor.pTable = &posts; }

static dz_chunk text(const char *z) { dz_chunk c; memset(&c, 0, sizeof c); c.k = DZ_K_TEXT; c.s.z = z; c.s.n = strlen(z); return c; }
static dz_chunk col(dz_column *p) { dz_chunk c; memset(&c, 0, sizeof c); c.k = DZ_K_COLUMN; c.u.c.pCol = p; return c; }
static dz_chunk tab(dz_table *p) { dz_chunk c; memset(&c, 0, sizeof c); c.k = DZ_K_TABLE; c.u.pTab = p; return c; }
static dz_chunk iparam(int64_t i) { dz_chunk c; memset(&c, 0, sizeof c); c.k = DZ_K_PARAM; c.u.v.t = DZ_INT; c.u.v.u.i = i; return c; }
static dz_chunk sparam(const char *z) { dz_chunk c; memset(&c, 0, sizeof c); c.k = DZ_K_PARAM; c.u.v.t = DZ_TEXT; c.u.v.u.s.z = z; c.u.v.u.s.n = strlen(z); return c; }

/* One operation: returns a dz_rc and appends its output to *pOut. */
typedef int (*Op)(const dz_dialect *d, dz_buf *pOut);

static int renderInto(dz_render *r, int rc, dz_buf *pOut) {
  if (rc == DZ_OK) { dz_buf_add(pOut, r->sql.z, r->sql.n); dz_buf_addi(pOut, r->nParam); }
  else if (r->zErr[0] == 0) rc = -1;
  dz_render_free(r);
  if (rc == DZ_OK && pOut->err) rc = DZ_NOMEM;
  return rc;
}

static int opSelect(const dz_dialect *d, dz_buf *pOut) {
  dz_arena a;
  dz_render r;
  dz_select *s, *s2;
  dz_chunk aOn[3], aWhere[40];
  dz_sql on = { 3, aOn, 0 }, where = { 0, aWhere, 0 };
  dz_join j;
  dz_field *aF;
  dz_setop op;
  int i, rc;
  dz_arena_init(&a);
  s = dz_arena_alloc(&a, sizeof *s);
  s2 = dz_arena_alloc(&a, sizeof *s2);
  aF = dz_arena_alloc(&a, sizeof(dz_field) * 2);
  if (!s || !s2 || !aF) { dz_arena_free(&a); return DZ_NOMEM; }
  aF[0].expr = col(&colId); aF[1].expr = col(&colAuthor);
  s->aField = aF; s->nField = 2; s->from = tab(&users);
  aOn[0] = col(&colAuthor); aOn[1] = text(" = "); aOn[2] = col(&colId);
  memset(&j, 0, sizeof j); j.eKind = DZ_JOIN_LEFT; j.src = tab(&posts); j.pOn = &on;
  s->aJoin = &j; s->nJoin = 1;
  for (i = 0; i < 40; i += 2) { aWhere[i] = i ? text(" or \"users\".\"id\" = ") : text("\"users\".\"id\" = "); aWhere[i + 1] = iparam(i); }
  where.n = 40; s->pWhere = &where;
  s->limit = iparam(10);
  s2->aField = aF; s2->nField = 1; s2->from = tab(&users);
  memset(&op, 0, sizeof op); op.eKind = DZ_SET_UNION; op.bAll = 1; op.pRight = s2;
  s->aSetOp = &op; s->nSetOp = 1;
  dz_render_init(&r, d, DZ_CASING_SNAKE);
  rc = renderInto(&r, dz_render_select(&r, s), pOut);
  dz_arena_free(&a);
  return rc;
}

static int opInsert(const dz_dialect *d, dz_buf *pOut) {
  static const dz_column *apCol[] = { &colId, &colName };
  dz_chunk aCell[2 * 300];
  dz_insert s;
  dz_render r;
  dz_conflict c;
  dz_chunk target;
  dz_set_item set;
  dz_field ret;
  int i;
  memset(&s, 0, sizeof s);
  for (i = 0; i < 300; i++) { aCell[2 * i] = iparam(i); aCell[2 * i + 1] = sparam("a name with 'quotes' and \"doubles\""); }
  s.pTable = &users; s.apCol = apCol; s.nCol = 2; s.aCell = aCell; s.nRow = 300;
  memset(&c, 0, sizeof c); target = col(&colId);
  if (strcmp(dz_dialect_name(d), "mysql") == 0) {
    /* mysql has no conflict target: on duplicate key update name = ? */
    set.pCol = &colName; set.value = sparam("dup");
    c.bUpdate = 1; c.aSet = &set; c.nSet = 1;
  } else {
    c.aTarget = &target; c.nTarget = 1;
  }
  s.aConflict = &c; s.nConflict = 1;
  memset(&ret, 0, sizeof ret); ret.expr = col(&colId);
  if (dz_dialect_features(d) & DZ_F_RETURNING) { s.aReturning = &ret; s.nReturning = 1; s.bReturning = 1; }
  dz_render_init(&r, d, DZ_CASING_NONE);
  return renderInto(&r, dz_render_insert(&r, &s), pOut);
}

static int opUpdateDelete(const dz_dialect *d, dz_buf *pOut) {
  dz_set_item set[2];
  dz_chunk aW[2] = { col(&colId), text(" > 3") };
  dz_sql w = { 2, aW, 0 };
  dz_update u;
  dz_delete del;
  dz_render r;
  int rc;
  set[0].pCol = &colName; set[0].value = sparam("bob");
  set[1].pCol = &colId; set[1].value = iparam(4);
  memset(&u, 0, sizeof u); u.pTable = &users; u.aSet = set; u.nSet = 2; u.pWhere = &w;
  dz_render_init(&r, d, DZ_CASING_NONE);
  rc = renderInto(&r, dz_render_update(&r, &u), pOut);
  if (rc) return rc;
  memset(&del, 0, sizeof del); del.pTable = &users; del.pWhere = &w;
  dz_render_init(&r, d, DZ_CASING_NONE);
  return renderInto(&r, dz_render_delete(&r, &del), pOut);
}

static int addPart(void *p, const char *z, size_t n) { dz_buf_add((dz_buf *)p, z, n); dz_buf_addc((dz_buf *)p, '|'); return 0; }

static int opTemplateDdl(const dz_dialect *d, dz_buf *pOut) {
  char zLong[3000];
  dz_buf b;
  int rc;
  static const char *const azCol[] = { "name" };
  dz_ddl_column aCol[] = {
    { .zName = "id", .zType = "integer", .bPrimaryKey = 1, .bNotNull = 1, .bAutoincrement = 1 },
    { .zName = "na`me", .zType = "text", .zDefault = "'x'" },
  };
  dz_ddl_table t = { NULL, "us`ers", aCol, 2, NULL, 0, NULL, 0, NULL, 0, NULL, 0 };
  dz_ddl_index x = { .zTable = "us`ers", .zName = "by_name", .azCol = azCol, .nCol = 1, .bUnique = 1 };
  memset(zLong, '?', sizeof zLong); zLong[7] = 'x'; zLong[sizeof zLong - 1] = 0;
  dz_buf_init(&b);
  rc = dz_template_split(zLong, strlen(zLong), &b, addPart, pOut);
  dz_buf_free(&b);
  if (rc) return rc;
  if (pOut->err) return DZ_NOMEM;           /* a part the callback could not keep */
  rc = dz_ddl_create_table(d, &t, pOut);
  if (rc == DZ_OK) rc = dz_ddl_create_index(d, &x, pOut);
  return rc;
}

static int opArena(const dz_dialect *d, dz_buf *pOut) {
  dz_arena a;
  int i;
  (void)d;
  dz_arena_init(&a);
  for (i = 0; i < 200; i++) {
    char *p = dz_arena_alloc(&a, 100 + (size_t)i * 37);
    if (!p) { dz_arena_free(&a); return DZ_NOMEM; }
    if (i % 50 == 49) dz_arena_reset(&a);
  }
  dz_arena_free(&a);
  dz_buf_adds(pOut, "arena ok");
  return pOut->err ? DZ_NOMEM : DZ_OK;
}

static void failLoop(const char *zName, const dz_dialect *d, Op op) {
  dz_buf ref, out;
  long n;
  int rc;
  dz_set_allocator(failingAlloc, NULL);
  nFailAt = 0;
  dz_buf_init(&ref);
  rc = op(d, &ref);
  CHECK(rc == DZ_OK && nLive == 1, "%s/%s: reference run rc=%d live=%ld", zName, dz_dialect_name(d), rc, nLive);
  for (n = 1; n < 100000; n++) {
    long nBefore = nLive;
    nFailed = 0;
    nFailAt = n;
    dz_buf_init(&out);
    rc = op(d, &out);
    nFailAt = 0;
    if (rc == DZ_OK) {
      CHECK(out.n == ref.n && memcmp(out.z, ref.z, ref.n) == 0, "%s/%s: N=%ld succeeded with different output", zName, dz_dialect_name(d), n);
    } else {
      CHECK(rc == DZ_NOMEM, "%s/%s: N=%ld rc=%d (want DZ_NOMEM)", zName, dz_dialect_name(d), n, rc);
    }
    dz_buf_free(&out);
    CHECK(nLive == nBefore, "%s/%s: N=%ld leaked %ld blocks", zName, dz_dialect_name(d), n, nLive - nBefore);
    nSteps++;
    if (rc == DZ_OK && nFailed == 0) break;
  }
  printf("ok   %s/%s: %ld allocation failures injected\n", zName, dz_dialect_name(d), n - 1);
  dz_buf_free(&ref);
  CHECK(nLive == 0, "%s: %ld blocks live at the end", zName, nLive);
  dz_set_allocator(NULL, NULL);
}

int main(void) {
  static const char *const azDialect[] = { "sqlite", "pg", "mysql" };
  int i;
  fixtures();
  for (i = 0; i < 3; i++) {
    const dz_dialect *d = dz_dialect_find(azDialect[i]);
    if (!d) continue;
    failLoop("select", d, opSelect);
    failLoop("insert", d, opInsert);
    failLoop("update+delete", d, opUpdateDelete);
    failLoop("template+ddl", d, opTemplateDdl);
    failLoop("arena", d, opArena);
  }
  printf("%d checks passed, %d failed, %ld steps\n", nPass, nFail, nSteps);
  return nFail ? 1 : 0;
}
