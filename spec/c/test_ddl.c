/*
** test_ddl.c: DDL text from descriptions built in C, checked against what
** drizzle-kit writes (the sqlite DDL cases of the conformance corpus), plus misuse,
** unsupported dialects and failing allocations.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dz.h"
#include "dz_ddl.h"

static int nFail = 0;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); nFail++; } } while (0)

static void checkText(const char *zWhat, dz_buf *b, const char *zWant) {
  if (b->n != strlen(zWant) || memcmp(b->z, zWant, b->n) != 0) {
    fprintf(stderr, "%s: text differs\n--- expected:\n%s\n--- actual:\n%.*s\n", zWhat, zWant, (int)b->n, b->z ? b->z : "");
    nFail++;
  }
}

/* An allocator that fails after N allocations. */
static long nAllocLeft = -1;
static long nLive = 0;
static void *failingAlloc(void *ud, void *p, size_t osz, size_t nsz) {
  (void)ud; (void)osz;
  if (nsz == 0) { if (p) nLive--; free(p); return NULL; }
  if (nAllocLeft == 0) return NULL;
  if (nAllocLeft > 0) nAllocLeft--;
  if (!p) nLive++;
  return realloc(p, nsz);
}

static const dz_ddl_column aAccountCol[] = {
  { "id", "integer", 1, 1, 1, NULL, NULL, DZ_DDL_GEN_NONE },
  { "age", "integer", 0, 0, 0, NULL, NULL, DZ_DDL_GEN_NONE },
  { "balance", "integer", 0, 1, 0, "0", NULL, DZ_DDL_GEN_NONE },
};
static const dz_ddl_check aAccountCheck[] = {
  { "age_check", "\"accounts\".\"age\" >= 18" },
  { "balance_check", "\"accounts\".\"balance\" >= 0" },
};
static const dz_ddl_table accounts = {
  NULL, "accounts", aAccountCol, 3, NULL, 0, NULL, 0, NULL, 0, aAccountCheck, 2
};

static void testCreateTable(const dz_dialect *d) {
  dz_buf b;
  dz_buf_init(&b);
  CHECK(dz_ddl_create_table(d, &accounts, &b) == DZ_OK);
  checkText("accounts", &b,
    "CREATE TABLE `accounts` (\n"
    "\t`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
    "\t`age` integer,\n"
    "\t`balance` integer DEFAULT 0 NOT NULL,\n"
    "\tCONSTRAINT \"age_check\" CHECK(\"accounts\".\"age\" >= 18),\n"
    "\tCONSTRAINT \"balance_check\" CHECK(\"accounts\".\"balance\" >= 0)\n"
    ");\n");
  dz_buf_free(&b);
}

static void testForeignKeysAndPk(const dz_dialect *d) {
  static const char *const azFrom[] = { "userId" };
  static const char *const azTo[] = { "id" };
  static const char *const azPk[] = { "a", "b" };
  static const char *const azUnq[] = { "a", "b" };
  dz_ddl_column aCol[] = {
    { "bloodPressureId", "integer", 1, 1, 1, NULL, NULL, DZ_DDL_GEN_NONE },
    { "userId", "integer", 0, 1, 0, NULL, NULL, DZ_DDL_GEN_NONE },
    { "gen", "text", 0, 0, 0, NULL, "(\"name\" || 'hello')", DZ_DDL_GEN_STORED },
  };
  dz_ddl_fk fk = { "bp_fk", "bloodPressure", "users", azFrom, 1, azTo, 1, "no action", "cascade" };
  dz_ddl_key pk = { NULL, azPk, 2 };
  dz_ddl_key unq = { "u_ab", azUnq, 2 };
  dz_ddl_table t = { NULL, "bloodPressure", aCol, 3, &pk, 1, &fk, 1, &unq, 1, NULL, 0 };
  dz_buf b;
  dz_buf_init(&b);
  CHECK(dz_ddl_create_table(d, &t, &b) == DZ_OK);
  checkText("fk", &b,
    "CREATE TABLE `bloodPressure` (\n"
    "\t`bloodPressureId` integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
    "\t`userId` integer NOT NULL,\n"
    "\t`gen` text GENERATED ALWAYS AS (\"name\" || 'hello') STORED,\n"
    "\tPRIMARY KEY(`a`, `b`),\n"
    "\tFOREIGN KEY (`userId`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,\n"
    "\tCONSTRAINT u_ab UNIQUE(`a`,`b`)\n"
    ");\n");

  dz_buf_reset(&b);
  CHECK(dz_ddl_add_column(d, NULL, "bloodPressure", &aCol[1], &fk, &b) == DZ_OK);
  checkText("add column", &b, "ALTER TABLE `bloodPressure` ADD `userId` integer NOT NULL REFERENCES users(id);");
  dz_buf_reset(&b);
  CHECK(dz_ddl_drop_column(d, NULL, "t", "c`x", &b) == DZ_OK);
  checkText("drop column", &b, "ALTER TABLE `t` DROP COLUMN `c``x`;");
  dz_buf_reset(&b);
  CHECK(dz_ddl_drop_table(d, NULL, "users", &b) == DZ_OK);
  checkText("drop table", &b, "DROP TABLE `users`;");
  dz_buf_free(&b);
}

static void testIndexes(const dz_dialect *d) {
  static const char *const azCol[] = { "name", "lower(\"email\")" };
  static const unsigned char abExpr[] = { 0, 1 };
  dz_ddl_index x = { NULL, "users", "emailUniqueIndex", azCol + 1, 1, abExpr + 1, 1, NULL };
  dz_buf b;
  dz_buf_init(&b);
  CHECK(dz_ddl_create_index(d, &x, &b) == DZ_OK);
  checkText("unique index", &b, "CREATE UNIQUE INDEX `emailUniqueIndex` ON `users` (lower(\"email\"));");
  dz_buf_reset(&b);
  x.azCol = azCol; x.abExpr = abExpr; x.nCol = 2; x.bUnique = 0; x.zName = "i"; x.zWhere = "\"users\".\"id\" > 1";
  CHECK(dz_ddl_create_index(d, &x, &b) == DZ_OK);
  checkText("index", &b, "CREATE INDEX `i` ON `users` (`name`,lower(\"email\")) WHERE \"users\".\"id\" > 1;");
  dz_buf_reset(&b);
  CHECK(dz_ddl_drop_index(d, &x, &b) == DZ_OK);
  checkText("drop index", &b, "DROP INDEX `i`;");
  dz_buf_free(&b);
}

static void testMisuse(const dz_dialect *d) {
  dz_buf b;
  dz_ddl_table t = accounts;
  dz_buf_init(&b);
  t.zName = NULL;
  CHECK(dz_ddl_create_table(d, &t, &b) == DZ_MISUSE);
  t = accounts; t.nCol = 2; t.aCol = NULL;
  CHECK(dz_ddl_create_table(d, &t, &b) == DZ_MISUSE);
  CHECK(dz_ddl_create_table(d, NULL, &b) == DZ_MISUSE);
  CHECK(dz_ddl_drop_table(d, NULL, NULL, &b) == DZ_MISUSE);
  CHECK(dz_ddl_create_table(NULL, &accounts, &b) == DZ_UNSUPPORTED);
  CHECK(b.n == 0);
  dz_buf_free(&b);
}

/* Fail the Nth allocation for N = 0, 1, ... until the statement is made:
** each step must answer DZ_NOMEM or DZ_OK and leak nothing. */
static void testOom(const dz_dialect *d) {
  long n;
  int done = 0;
  dz_set_allocator(failingAlloc, NULL);
  for (n = 0; n < 100 && !done; n++) {
    dz_buf b;
    int rc;
    nAllocLeft = n;
    dz_buf_init(&b);
    rc = dz_ddl_create_table(d, &accounts, &b);
    CHECK(rc == DZ_OK || rc == DZ_NOMEM);
    if (rc == DZ_OK) done = 1;
    dz_buf_free(&b);
    CHECK(nLive == 0);
  }
  CHECK(done);
  nAllocLeft = -1;
  dz_set_allocator(NULL, NULL);
}

int main(void) {
  const dz_dialect *d = dz_dialect_find("sqlite");
  CHECK(d != NULL);
  if (!d) return 1;
  testCreateTable(d);
  testForeignKeysAndPk(d);
  testIndexes(d);
  testMisuse(d);
  testOom(d);
  if (nFail) { fprintf(stderr, "test_ddl: %d failure(s)\n", nFail); return 1; }
  return 0;
}
