/*
** ddl.c: CREATE / ALTER / DROP text for the schema objects of a drizzle-kit
** snapshot, per dialect (see dz_ddl.h).
**
** Each dialect is one row of function pointers (DdlOps); a NULL entry means
** "not written yet" and the public function answers DZ_UNSUPPORTED. The
** texts follow drizzle-kit 0.31's sqlgenerator.ts convertor by convertor;
** the comment above each function names the convertor it mirrors. Adding
** pg or MySQL is adding their rows and the few functions that differ.
*/
#include <string.h>

#include "dz_int.h"
#include "dz_ddl.h"

typedef struct DdlOps DdlOps;
struct DdlOps {
  const char *zName;          /* dz_dialect_name() of the dialect */
  char cQuote;                /* identifier quote of drizzle-kit's DDL for it */
  int (*xCreateTable)(const DdlOps *, const dz_ddl_table *, dz_buf *);
  int (*xCreateIndex)(const DdlOps *, const dz_ddl_index *, dz_buf *);
  int (*xDropTable)(const DdlOps *, const char *, const char *, dz_buf *);
  int (*xDropIndex)(const DdlOps *, const dz_ddl_index *, dz_buf *);
  int (*xAddColumn)(const DdlOps *, const char *, const char *, const dz_ddl_column *,
                    const dz_ddl_fk *, dz_buf *);
  int (*xDropColumn)(const DdlOps *, const char *, const char *, const char *, dz_buf *);
};

/* ------------------------------------------------------------ helpers */

/* q + z + q, the quote character doubled inside z. */
static void addQuoted(dz_buf *b, char q, const char *z) {
  size_t i, iStart = 0, n = strlen(z);
  dz_buf_addc(b, q);
  for (i = 0; i < n; i++) {
    if (z[i] == q) {
      dz_buf_add(b, z + iStart, i - iStart + 1);
      dz_buf_addc(b, q);
      iStart = i + 1;
    }
  }
  dz_buf_add(b, z + iStart, n - iStart);
  dz_buf_addc(b, q);
}

static void ident(const DdlOps *o, dz_buf *b, const char *z) {
  addQuoted(b, o->cQuote, z);
}

/* `a`<sep>`b`<sep>`c` */
static void identList(const DdlOps *o, dz_buf *b, const char *const *az, int n, const char *zSep) {
  int i;
  for (i = 0; i < n; i++) {
    if (i) dz_buf_adds(b, zSep);
    ident(o, b, az[i]);
  }
}

static int isSet(const char *z) { return z && z[0]; }

static int finish(dz_buf *b) { return b->err ? DZ_NOMEM : DZ_OK; }

/* The type names drizzle-kit prints upper-case: generated.type.toUpperCase(). */
static const char *genName(dz_ddl_gen e) {
  return e == DZ_DDL_GEN_STORED ? "STORED" : "VIRTUAL";
}

static int checkList(const char *const *az, int n) {
  int i;
  if (n < 0 || (n > 0 && !az)) return 0;
  for (i = 0; i < n; i++) if (!az[i]) return 0;
  return 1;
}

static int checkColumn(const dz_ddl_column *c) {
  return c && c->zName && c->zType;
}

static int checkTable(const dz_ddl_table *t) {
  int i;
  if (!t || !t->zName || t->nCol < 0 || (t->nCol && !t->aCol)) return 0;
  for (i = 0; i < t->nCol; i++) if (!checkColumn(&t->aCol[i])) return 0;
  if (t->nPk < 0 || (t->nPk && !t->aPk)) return 0;
  for (i = 0; i < t->nPk; i++) if (!checkList(t->aPk[i].azCol, t->aPk[i].nCol)) return 0;
  if (t->nFk < 0 || (t->nFk && !t->aFk)) return 0;
  for (i = 0; i < t->nFk; i++) {
    const dz_ddl_fk *f = &t->aFk[i];
    if (!f->zTableTo || !checkList(f->azColFrom, f->nColFrom) || !checkList(f->azColTo, f->nColTo)) return 0;
  }
  if (t->nUnique < 0 || (t->nUnique && !t->aUnique)) return 0;
  for (i = 0; i < t->nUnique; i++) {
    if (!t->aUnique[i].zName || !checkList(t->aUnique[i].azCol, t->aUnique[i].nCol)) return 0;
  }
  if (t->nCheck < 0 || (t->nCheck && !t->aCheck)) return 0;
  for (i = 0; i < t->nCheck; i++) if (!t->aCheck[i].zName || !t->aCheck[i].zValue) return 0;
  return 1;
}

/* ------------------------------------------------------------- SQLite */

/* SQLiteCreateTableConvertor:
**
**   CREATE TABLE `t` (\n
**   \t`c` type[ PRIMARY KEY][ AUTOINCREMENT][ DEFAULT d][ GENERATED ALWAYS AS (e) VIRTUAL][ NOT NULL],\n
**   \tPRIMARY KEY(`a`, `b`),\n
**   \tFOREIGN KEY (`a`) REFERENCES `u`(`id`) ON UPDATE x ON DELETE y,\n
**   \tCONSTRAINT name UNIQUE(`a`,`b`),\n
**   \tCONSTRAINT "name" CHECK(cond)\n
**   );\n
*/
static int sqliteCreateTable(const DdlOps *o, const dz_ddl_table *t, dz_buf *b) {
  int i;
  dz_buf_adds(b, "CREATE TABLE ");
  ident(o, b, t->zName);
  dz_buf_adds(b, " (\n");
  for (i = 0; i < t->nCol; i++) {
    const dz_ddl_column *c = &t->aCol[i];
    dz_buf_addc(b, '\t');
    ident(o, b, c->zName);
    dz_buf_addc(b, ' ');
    dz_buf_adds(b, c->zType);
    if (c->bPrimaryKey) dz_buf_adds(b, " PRIMARY KEY");
    if (c->bAutoincrement) dz_buf_adds(b, " AUTOINCREMENT");
    if (c->zDefault) { dz_buf_adds(b, " DEFAULT "); dz_buf_adds(b, c->zDefault); }
    if (c->zGenerated) {
      dz_buf_adds(b, " GENERATED ALWAYS AS ");
      dz_buf_adds(b, c->zGenerated);
      dz_buf_addc(b, ' ');
      dz_buf_adds(b, genName(c->eGenerated));
    }
    if (c->bNotNull) dz_buf_adds(b, " NOT NULL");
    if (i < t->nCol - 1) dz_buf_adds(b, ",\n");
  }
  for (i = 0; i < t->nPk; i++) {
    dz_buf_adds(b, ",\n\tPRIMARY KEY(");
    identList(o, b, t->aPk[i].azCol, t->aPk[i].nCol, ", ");
    dz_buf_addc(b, ')');
  }
  for (i = 0; i < t->nFk; i++) {
    const dz_ddl_fk *f = &t->aFk[i];
    dz_buf_adds(b, ",\n\tFOREIGN KEY (");
    identList(o, b, f->azColFrom, f->nColFrom, ",");
    dz_buf_adds(b, ") REFERENCES ");
    ident(o, b, f->zTableTo);
    dz_buf_addc(b, '(');
    identList(o, b, f->azColTo, f->nColTo, ",");
    dz_buf_addc(b, ')');
    if (isSet(f->zOnUpdate)) { dz_buf_adds(b, " ON UPDATE "); dz_buf_adds(b, f->zOnUpdate); }
    if (isSet(f->zOnDelete)) { dz_buf_adds(b, " ON DELETE "); dz_buf_adds(b, f->zOnDelete); }
  }
  for (i = 0; i < t->nUnique; i++) {
    /* drizzle-kit writes this constraint name bare */
    dz_buf_adds(b, ",\n\tCONSTRAINT ");
    dz_buf_adds(b, t->aUnique[i].zName);
    dz_buf_adds(b, " UNIQUE(");
    identList(o, b, t->aUnique[i].azCol, t->aUnique[i].nCol, ",");
    dz_buf_addc(b, ')');
  }
  for (i = 0; i < t->nCheck; i++) {
    dz_buf_adds(b, ",\n\tCONSTRAINT ");
    addQuoted(b, '"', t->aCheck[i].zName);
    dz_buf_adds(b, " CHECK(");
    dz_buf_adds(b, t->aCheck[i].zValue);
    dz_buf_addc(b, ')');
  }
  dz_buf_adds(b, "\n);\n");
  return finish(b);
}

/* CreateSqliteIndexConvertor:
**   CREATE [UNIQUE ]INDEX `name` ON `table` (`a`,lower("b"))[ WHERE w];  */
static int sqliteCreateIndex(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  int i;
  dz_buf_adds(b, x->bUnique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
  ident(o, b, x->zName);
  dz_buf_adds(b, " ON ");
  ident(o, b, x->zTable);
  dz_buf_adds(b, " (");
  for (i = 0; i < x->nCol; i++) {
    if (i) dz_buf_addc(b, ',');
    if (x->abExpr && x->abExpr[i]) dz_buf_adds(b, x->azCol[i]);
    else ident(o, b, x->azCol[i]);
  }
  dz_buf_addc(b, ')');
  if (isSet(x->zWhere)) { dz_buf_adds(b, " WHERE "); dz_buf_adds(b, x->zWhere); }
  dz_buf_addc(b, ';');
  return finish(b);
}

/* SQLiteDropTableConvertor: DROP TABLE `t`; */
static int sqliteDropTable(const DdlOps *o, const char *zSchema, const char *zName, dz_buf *b) {
  (void)zSchema;
  dz_buf_adds(b, "DROP TABLE ");
  ident(o, b, zName);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* SqliteDropIndexConvertor: DROP INDEX `name`; */
static int sqliteDropIndex(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  dz_buf_adds(b, "DROP INDEX ");
  ident(o, b, x->zName);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* SQLiteAlterTableAddColumnConvertor:
**   ALTER TABLE `t` ADD `c` type[ PRIMARY KEY][ DEFAULT d][ GENERATED ALWAYS AS e VIRTUAL]
**     [ NOT NULL][ REFERENCES u(a,b)];
** (drizzle-kit writes the referenced table and columns bare here.) */
static int sqliteAddColumn(const DdlOps *o, const char *zSchema, const char *zTable,
                           const dz_ddl_column *c, const dz_ddl_fk *pRef, dz_buf *b) {
  int i;
  (void)zSchema;
  dz_buf_adds(b, "ALTER TABLE ");
  ident(o, b, zTable);
  dz_buf_adds(b, " ADD ");
  ident(o, b, c->zName);
  dz_buf_addc(b, ' ');
  dz_buf_adds(b, c->zType);
  if (c->bPrimaryKey) dz_buf_adds(b, " PRIMARY KEY");
  if (c->zDefault) { dz_buf_adds(b, " DEFAULT "); dz_buf_adds(b, c->zDefault); }
  if (c->zGenerated) {
    dz_buf_adds(b, " GENERATED ALWAYS AS ");
    dz_buf_adds(b, c->zGenerated);
    dz_buf_addc(b, ' ');
    dz_buf_adds(b, genName(c->eGenerated));
  }
  if (c->bNotNull) dz_buf_adds(b, " NOT NULL");
  if (pRef) {
    dz_buf_adds(b, " REFERENCES ");
    dz_buf_adds(b, pRef->zTableTo);
    dz_buf_addc(b, '(');
    for (i = 0; i < pRef->nColTo; i++) {
      if (i) dz_buf_addc(b, ',');
      dz_buf_adds(b, pRef->azColTo[i]);
    }
    dz_buf_addc(b, ')');
  }
  dz_buf_addc(b, ';');
  return finish(b);
}

/* SQLiteAlterTableDropColumnConvertor: ALTER TABLE `t` DROP COLUMN `c`; */
static int sqliteDropColumn(const DdlOps *o, const char *zSchema, const char *zTable,
                            const char *zColumn, dz_buf *b) {
  (void)zSchema;
  dz_buf_adds(b, "ALTER TABLE ");
  ident(o, b, zTable);
  dz_buf_adds(b, " DROP COLUMN ");
  ident(o, b, zColumn);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* ---------------------------------------------------------- the table */

static const DdlOps aOps[] = {
  { "sqlite", '`', sqliteCreateTable, sqliteCreateIndex, sqliteDropTable, sqliteDropIndex,
    sqliteAddColumn, sqliteDropColumn },
  /* pg ('"') and mysql ('`') come here: identity, enums, sequences,
  ** schemas and views add their own entry points next to these. */
  { "pg", '"', 0, 0, 0, 0, 0, 0 },
  { "mysql", '`', 0, 0, 0, 0, 0, 0 },
};

static const DdlOps *opsFor(const dz_dialect *d) {
  size_t i;
  const char *z;
  if (!d) return NULL;
  z = dz_dialect_name(d);
  for (i = 0; i < sizeof aOps / sizeof aOps[0]; i++) {
    if (strcmp(aOps[i].zName, z) == 0) return &aOps[i];
  }
  return NULL;
}

/* ---------------------------------------------------------- public API */

int dz_ddl_create_table(const dz_dialect *d, const dz_ddl_table *t, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !checkTable(t)) return DZ_MISUSE;
  if (!o || !o->xCreateTable) return DZ_UNSUPPORTED;
  return o->xCreateTable(o, t, b);
}

int dz_ddl_create_index(const dz_dialect *d, const dz_ddl_index *x, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !x || !x->zName || !x->zTable || !checkList(x->azCol, x->nCol)) return DZ_MISUSE;
  if (!o || !o->xCreateIndex) return DZ_UNSUPPORTED;
  return o->xCreateIndex(o, x, b);
}

int dz_ddl_drop_table(const dz_dialect *d, const char *zSchema, const char *zName, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !zName) return DZ_MISUSE;
  if (!o || !o->xDropTable) return DZ_UNSUPPORTED;
  return o->xDropTable(o, zSchema, zName, b);
}

int dz_ddl_drop_index(const dz_dialect *d, const dz_ddl_index *x, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !x || !x->zName) return DZ_MISUSE;
  if (!o || !o->xDropIndex) return DZ_UNSUPPORTED;
  return o->xDropIndex(o, x, b);
}

int dz_ddl_add_column(const dz_dialect *d, const char *zSchema, const char *zTable,
                      const dz_ddl_column *c, const dz_ddl_fk *pRef, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !zTable || !checkColumn(c)) return DZ_MISUSE;
  if (pRef && (!pRef->zTableTo || !checkList(pRef->azColTo, pRef->nColTo))) return DZ_MISUSE;
  if (!o || !o->xAddColumn) return DZ_UNSUPPORTED;
  return o->xAddColumn(o, zSchema, zTable, c, pRef, b);
}

int dz_ddl_drop_column(const dz_dialect *d, const char *zSchema, const char *zTable,
                       const char *zColumn, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !zTable || !zColumn) return DZ_MISUSE;
  if (!o || !o->xDropColumn) return DZ_UNSUPPORTED;
  return o->xDropColumn(o, zSchema, zTable, zColumn, b);
}
