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

/* ------------------------------------------------------- pg and MySQL */

static const char *const azTagsPk[] = { "region", "code" };
static const char *const azUnq[] = { "slug", "lang" };
static dz_ddl_column aPgCol[] = {
  { "id", "integer", 1, 1, 0, NULL, NULL, DZ_DDL_GEN_NONE, NULL, 0,
    { "always", "t_id_seq", "1", "1", "2147483647", "1", "1", 0 } },
  { "mood", "mood[]", 0, 0, 0, NULL, NULL, DZ_DDL_GEN_NONE, "billing", 0, { NULL } },
  { "ip", "inet", 0, 1, 0, "'::1'", NULL, DZ_DDL_GEN_NONE, NULL, 0, { NULL } },
  { "g", "text", 0, 0, 0, NULL, "\"t\".\"ip\" || 'x'", DZ_DDL_GEN_STORED, NULL, 0, { NULL } },
};
static const dz_ddl_key aPgPk[] = { { "t_pk", azTagsPk, 2, 0, NULL } };
static const dz_ddl_key aPgUnique[] = { { "t_slug_lang_unique", azUnq, 2, 1, NULL } };
static const dz_ddl_check aPgCheck[] = { { "c", "\"t\".\"id\" > 0" } };
static const dz_ddl_table pgTable = {
  "s", "t", aPgCol, 4, aPgPk, 1, NULL, 0, aPgUnique, 1, aPgCheck, 1
};
static const char zPgTable[] =
  "CREATE TABLE \"s\".\"t\" (\n"
  "\t\"id\" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name \"s\".\"t_id_seq\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),\n"
  "\t\"mood\" \"billing\".\"mood\"[],\n"
  "\t\"ip\" \"inet\" DEFAULT '::1' NOT NULL,\n"
  "\t\"g\" text GENERATED ALWAYS AS (\"t\".\"ip\" || 'x') STORED,\n"
  "\tCONSTRAINT \"t_pk\" PRIMARY KEY(\"region\",\"code\"),\n"
  "\tCONSTRAINT \"t_slug_lang_unique\" UNIQUE NULLS NOT DISTINCT(\"slug\",\"lang\"),\n"
  "\tCONSTRAINT \"c\" CHECK (\"t\".\"id\" > 0)\n"
  ");\n";

static const char *const azIdxCol[] = { "lower(\"a\")", "b", "c" };
static const unsigned char abIdxExpr[] = { 1, 0, 0 };
static const unsigned char abIdxDesc[] = { 0, 1, 0 };
static const char *const azIdxOp[] = { NULL, NULL, "vector_l2_ops" };
static const char *const azWithK[] = { "m", "ef_construction" };
static const char *const azWithV[] = { "16", "64" };
static const dz_ddl_index pgIndex = {
  NULL, "t", "i", azIdxCol, 3, abIdxExpr, 1, "\"t\".\"b\" > 1",
  abIdxDesc, NULL, azIdxOp, "hnsw", 0, azWithK, azWithV, 2
};
static const char zPgIndex[] =
  "CREATE UNIQUE INDEX \"i\" ON \"t\" USING hnsw (lower(\"a\"),\"b\" DESC NULLS LAST,\"c\" vector_l2_ops)"
  " WITH (m=16,ef_construction=64) WHERE \"t\".\"b\" > 1;";

static const dz_ddl_alter pgAlter = {
  DZ_DDL_SET_TYPE, NULL, "t", "m", "mood", "public", 2, 0, NULL, NULL
};
static const char zPgAlter[] =
  "ALTER TABLE \"t\" ALTER COLUMN \"m\" SET DATA TYPE \"public\".\"mood\" USING \"m\"::text::\"public\".\"mood\";";

static void testPg(void) {
  const dz_dialect *d = dz_dialect_find("pg");
  const char *const azVal[] = { "a", "it's" };
  dz_ddl_sequence q = { "public", "n", "-1", "1", "100", "100", "1", 1 };
  dz_buf b;
  dz_buf_init(&b);
  CHECK(dz_ddl_create_table(d, &pgTable, &b) == DZ_OK);
  checkText("pg table", &b, zPgTable);
  b.n = 0;
  CHECK(dz_ddl_create_index(d, &pgIndex, &b) == DZ_OK);
  checkText("pg index", &b, zPgIndex);
  b.n = 0;
  CHECK(dz_ddl_alter_column(d, &pgAlter, &b) == DZ_OK);
  checkText("pg alter", &b, zPgAlter);
  b.n = 0;
  CHECK(dz_ddl_create_enum(d, "public", "e", azVal, 2, &b) == DZ_OK);
  checkText("pg enum", &b, "CREATE TYPE \"public\".\"e\" AS ENUM('a', 'it''s');");
  b.n = 0;
  CHECK(dz_ddl_seq(d, &q, 0, &b) == DZ_OK);
  checkText("pg sequence", &b,
    "CREATE SEQUENCE \"public\".\"n\" INCREMENT BY -1 MINVALUE 1 MAXVALUE 100 START WITH 100 CACHE 1 CYCLE;");
  b.n = 0;
  CHECK(dz_ddl_schema(d, "x", 1, &b) == DZ_OK);
  checkText("pg drop schema", &b, "DROP SCHEMA \"x\";\n");
  b.n = 0;
  CHECK(dz_ddl_schema(dz_dialect_find("mysql"), "x", 0, &b) == DZ_UNSUPPORTED);
  CHECK(dz_ddl_create_enum(d, NULL, NULL, azVal, 2, &b) == DZ_MISUSE);
  dz_buf_free(&b);
}

static const char *const azMyUnq[] = { "(lower(`email`))" };
static const unsigned char abMyExpr[] = { 1 };
static const char *const azMyPk[] = { "id" };
static dz_ddl_column aMyCol[] = {
  { "id", "serial", 0, 1, 1, NULL, NULL, DZ_DDL_GEN_NONE, NULL, 0, { NULL } },
  { "at", "timestamp", 0, 0, 0, "(now())", NULL, DZ_DDL_GEN_NONE, NULL, 1, { NULL } },
  { "g", "text", 0, 0, 0, NULL, "`u`.`email` || 'x'", DZ_DDL_GEN_VIRTUAL, NULL, 0, { NULL } },
};
static const dz_ddl_key aMyPk[] = { { "u_id", azMyPk, 1, 0, NULL } };
static const dz_ddl_key aMyUnique[] = { { "emailIdx", azMyUnq, 1, 0, abMyExpr } };
static const dz_ddl_table myTable = { NULL, "u", aMyCol, 3, aMyPk, 1, NULL, 0, aMyUnique, 1, NULL, 0 };

static void testMysql(void) {
  const dz_dialect *d = dz_dialect_find("mysql");
  dz_ddl_alter a = { DZ_DDL_MODIFY, NULL, "u", "at", NULL, NULL, 0, 0, NULL, &aMyCol[1] };
  dz_buf b;
  dz_buf_init(&b);
  CHECK(dz_ddl_create_table(d, &myTable, &b) == DZ_OK);
  checkText("mysql table", &b,
    "CREATE TABLE `u` (\n"
    "\t`id` serial AUTO_INCREMENT NOT NULL,\n"
    "\t`at` timestamp DEFAULT (now()) ON UPDATE CURRENT_TIMESTAMP,\n"
    "\t`g` text GENERATED ALWAYS AS (`u`.`email` || 'x') VIRTUAL,\n"
    "\tCONSTRAINT `u_id` PRIMARY KEY(`id`),\n"
    "\tCONSTRAINT `emailIdx` UNIQUE((lower(`email`)))\n"
    ");\n");
  b.n = 0;
  CHECK(dz_ddl_alter_column(d, &a, &b) == DZ_OK);
  checkText("mysql modify", &b, "ALTER TABLE `u` MODIFY COLUMN `at` timestamp DEFAULT (now()) ON UPDATE CURRENT_TIMESTAMP;");
  b.n = 0;
  CHECK(dz_ddl_add_column(d, NULL, "u", &aMyCol[1], NULL, &b) == DZ_OK);
  checkText("mysql add column", &b, "ALTER TABLE `u` ADD `at` timestamp DEFAULT (now()) ON UPDATE CURRENT_TIMESTAMP;");
  dz_buf_free(&b);
}

/* The failing-allocation loop over the pg statements that use scratch buffers. */
static int runPgOom(int i, dz_buf *b) {
  const dz_dialect *d = dz_dialect_find("pg");
  if (i == 0) return dz_ddl_create_table(d, &pgTable, b);
  if (i == 1) return dz_ddl_create_index(d, &pgIndex, b);
  return dz_ddl_alter_column(d, &pgAlter, b);
}

static void testPgOom(void) {
  int i;
  dz_set_allocator(failingAlloc, NULL);
  for (i = 0; i < 3; i++) {
    long n;
    int done = 0;
    for (n = 0; n < 100 && !done; n++) {
      dz_buf b;
      int rc;
      nAllocLeft = n;
      dz_buf_init(&b);
      rc = runPgOom(i, &b);
      CHECK(rc == DZ_OK || rc == DZ_NOMEM);
      if (rc == DZ_OK) {
        done = 1;
        checkText("pg oom", &b, i == 0 ? zPgTable : i == 1 ? zPgIndex : zPgAlter);
      }
      dz_buf_free(&b);
      CHECK(nLive == 0);
    }
    CHECK(done);
  }
  nAllocLeft = -1;
  dz_set_allocator(NULL, NULL);
}

/* Views: PgCreateViewConvertor, MySqlCreateViewConvertor, SqliteCreateViewConvertor
** and the drop convertors. */
static void testViews(void) {
  const dz_dialect *pgd = dz_dialect_find("pg"), *my = dz_dialect_find("mysql"), *lite = dz_dialect_find("sqlite");
  const char *const azKey[] = { "fillfactor", "user_catalog_table" };
  const char *const azVal[] = { "70", "true" };
  dz_ddl_view v;
  dz_buf b;
  dz_buf_init(&b);
  memset(&v, 0, sizeof v);
  v.zSchema = "public"; v.zName = "m"; v.zDefinition = "select \"id\" from \"t\"";
  v.bMaterialized = 1; v.bWith = 1; v.azWithKey = azKey; v.azWithValue = azVal; v.nWith = 2;
  v.zUsing = "heap"; v.zTablespace = "pg_default"; v.bWithNoData = 1;
  CHECK(dz_ddl_create_view(pgd, &v, &b) == DZ_OK);
  checkText("pg materialized view", &b,
    "CREATE MATERIALIZED VIEW \"public\".\"m\" USING \"heap\" WITH (fillfactor = 70, user_catalog_table = true) "
    "TABLESPACE pg_default AS (select \"id\" from \"t\") WITH NO DATA;");
  b.n = 0;
  CHECK(dz_ddl_drop_view(pgd, &v, &b) == DZ_OK);
  checkText("pg drop materialized view", &b, "DROP MATERIALIZED VIEW \"public\".\"m\";");
  memset(&v, 0, sizeof v);
  v.zName = "v"; v.zDefinition = "select 1"; v.zAlgorithm = "merge"; v.zSqlSecurity = "invoker";
  v.zCheckOption = "cascaded"; v.bReplace = 1;
  b.n = 0;
  CHECK(dz_ddl_create_view(my, &v, &b) == DZ_OK);
  checkText("mysql view", &b,
    "CREATE OR REPLACE ALGORITHM = merge\nSQL SECURITY invoker\nVIEW `v` AS (select 1)\nWITH cascaded CHECK OPTION;");
  b.n = 0;
  CHECK(dz_ddl_create_view(lite, &v, &b) == DZ_OK);
  checkText("sqlite view", &b, "CREATE VIEW `v` AS select 1;");
  b.n = 0;
  CHECK(dz_ddl_drop_view(my, &v, &b) == DZ_OK);
  checkText("mysql drop view", &b, "DROP VIEW `v`;");
  v.zDefinition = NULL;
  CHECK(dz_ddl_create_view(pgd, &v, &b) == DZ_MISUSE);
  CHECK(dz_ddl_drop_view(pgd, NULL, &b) == DZ_MISUSE);
  dz_buf_free(&b);
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
  testPg();
  testMysql();
  testPgOom();
  testViews();
  if (nFail) { fprintf(stderr, "test_ddl: %d failure(s)\n", nFail); return 1; }
  return 0;
}
