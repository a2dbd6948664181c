/*
** ddl.c: CREATE / ALTER / DROP text for the schema objects of a drizzle-kit
** snapshot, per dialect (see dz_ddl.h).
**
** Each dialect is one row of function pointers (DdlOps); a NULL entry means
** "not written yet" and the public function answers DZ_UNSUPPORTED. The
** texts follow drizzle-kit 0.31's sqlgenerator.ts convertor by convertor;
** the comment above each function names the convertor it mirrors. What the
** convertors write alike is written once: every dialect shares the frame of
** CREATE TABLE (createTableColumns, given the dialect's column writer), the
** head of ALTER TABLE, the DROP texts (dropObject) and DROP COLUMN; pg and
** MySQL share generated clauses and foreign keys. The rows hold what
** differs. The pg objects that have no table (schemas, enums, sequences)
** are plain public functions gated by the row's bPgObjects.
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
  int (*xAddForeignKey)(const DdlOps *, const dz_ddl_fk *, dz_buf *);
  int (*xAlterColumn)(const DdlOps *, const dz_ddl_alter *, dz_buf *);
  int (*xCreateView)(const DdlOps *, const dz_ddl_view *, dz_buf *);
  int (*xDropView)(const DdlOps *, const dz_ddl_view *, dz_buf *);
  int bPgObjects;             /* schemas, enums and sequences exist */
};

/* ------------------------------------------------------------ helpers */

static void addQuoted(dz_buf *b, char q, const char *z) {
  dz_buf_add_quoted(b, q, z, strlen(z));
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

static void defaultClause(dz_buf *b, const char *zDefault) {
  if (zDefault) { dz_buf_adds(b, " DEFAULT "); dz_buf_adds(b, zDefault); }
}

/* zKeyword and zValue, unless zValue is NULL or "" (drizzle-kit's `${x ? ` ON DELETE ${x}` : ""}`). */
static void optClause(dz_buf *b, const char *zKeyword, const char *zValue) {
  if (isSet(zValue)) { dz_buf_adds(b, zKeyword); dz_buf_adds(b, zValue); }
}

/* "schema"."name", or "name" when zSchema is NULL or "" (drizzle-kit's
** `schema ? "${schema}"."${name}" : "${name}"`); sqlite and MySQL pass NULL. */
static void qualified(const DdlOps *o, dz_buf *b, const char *zSchema, const char *zName) {
  if (isSet(zSchema)) { ident(o, b, zSchema); dz_buf_addc(b, '.'); }
  ident(o, b, zName);
}

/* "ALTER TABLE <table>": how every ALTER of every dialect begins. */
static void alterTable(const DdlOps *o, dz_buf *b, const char *zSchema, const char *zTable) {
  dz_buf_adds(b, "ALTER TABLE ");
  qualified(o, b, zSchema, zTable);
}

/* "<zDrop><table>;": the whole text of most DROP convertors (zDrop is
** "DROP INDEX " and the like; sqlite and MySQL pass no schema). */
static int dropObject(const DdlOps *o, dz_buf *b, const char *zDrop, const char *zSchema, const char *zName) {
  dz_buf_adds(b, zDrop);
  qualified(o, b, zSchema, zName);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* Writes what follows a column's quoted name in CREATE TABLE: the dialect's
** type and clauses, in the order its drizzle-kit convertor writes them. */
typedef void (*ColumnFn)(const DdlOps *o, dz_buf *b, const dz_ddl_table *t, const dz_ddl_column *c);

/* The part of CREATE TABLE every dialect writes alike, up to its constraints:
**   CREATE TABLE <table> (\n\t<name><xColumn>,\n\t<name><xColumn> */
static void createTableColumns(const DdlOps *o, dz_buf *b, const dz_ddl_table *t, const char *zSchema,
                               ColumnFn xColumn) {
  int i;
  dz_buf_adds(b, "CREATE TABLE ");
  qualified(o, b, zSchema, t->zName);
  dz_buf_adds(b, " (\n");
  for (i = 0; i < t->nCol; i++) {
    dz_buf_addc(b, '\t');
    ident(o, b, t->aCol[i].zName);
    xColumn(o, b, t, &t->aCol[i]);
    if (i < t->nCol - 1) dz_buf_adds(b, ",\n");
  }
}

/* An index or key part: an expression's SQL as is, else a quoted column. */
static void keyPart(const DdlOps *o, dz_buf *b, const char *z, const unsigned char *abExpr, int i) {
  if (abExpr && abExpr[i]) dz_buf_adds(b, z);
  else ident(o, b, z);
}

/* The n key parts, comma-separated: `a`,lower("b"). */
static void keyParts(const DdlOps *o, dz_buf *b, const char *const *azCol, const unsigned char *abExpr, int n) {
  int i;
  for (i = 0; i < n; i++) {
    if (i) dz_buf_addc(b, ',');
    keyPart(o, b, azCol[i], abExpr, i);
  }
}

/* sqlite and mysql (pg adds concurrently, a schema and a method):
**   CREATE [UNIQUE ]INDEX `name` ON `table` (`a`,(expr)) */
static void createIndexOn(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  dz_buf_adds(b, x->bUnique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
  ident(o, b, x->zName);
  dz_buf_adds(b, " ON ");
  ident(o, b, x->zTable);
  dz_buf_adds(b, " (");
  keyParts(o, b, x->azCol, x->abExpr, x->nCol);
  dz_buf_addc(b, ')');
}

/* ,\n\tCONSTRAINT <name> CHECK(<cond>) for each check. drizzle-kit quotes
** the name with cQuote (SQLite: '"', not its backquote) and writes the
** keyword zCheck (" CHECK(" or pg's " CHECK ("). */
static void checkConstraints(const DdlOps *o, dz_buf *b, const dz_ddl_table *t, char cQuote, const char *zCheck) {
  int i;
  for (i = 0; i < t->nCheck; i++) {
    dz_buf_adds(b, ",\n\tCONSTRAINT ");
    addQuoted(b, cQuote ? cQuote : o->cQuote, t->aCheck[i].zName);
    dz_buf_adds(b, zCheck);
    dz_buf_adds(b, t->aCheck[i].zValue);
    dz_buf_addc(b, ')');
  }
}

/* The end of every dialect's CREATE TABLE: its checks, then the closing "\n);\n". */
static int endCreateTable(const DdlOps *o, dz_buf *b, const dz_ddl_table *t, char cQuote, const char *zCheck) {
  checkConstraints(o, b, t, cQuote, zCheck);
  dz_buf_adds(b, "\n);\n");
  return finish(b);
}

/* pg and mysql: ,\n\tCONSTRAINT "pk" PRIMARY KEY("a","b") for the first composite key. */
static void namedPrimaryKey(const DdlOps *o, dz_buf *b, const dz_ddl_table *t) {
  if (t->nPk == 0) return;
  dz_buf_adds(b, ",\n\tCONSTRAINT ");
  ident(o, b, t->aPk[0].zName ? t->aPk[0].zName : "");
  dz_buf_adds(b, " PRIMARY KEY(");
  identList(o, b, t->aPk[0].azCol, t->aPk[0].nCol, ",");
  dz_buf_addc(b, ')');
}

/* pg and mysql: ,\n\tCONSTRAINT "u"<zUnique>("a",(expr)) for one unique key;
** zUnique is " UNIQUE(" or pg's " UNIQUE NULLS NOT DISTINCT(", and only
** MySQL's keys pass abExpr (pg's key parts are always columns). */
static void namedUnique(const DdlOps *o, dz_buf *b, const dz_ddl_key *k, const char *zUnique,
                        const unsigned char *abExpr) {
  dz_buf_adds(b, ",\n\tCONSTRAINT ");
  ident(o, b, k->zName);
  dz_buf_adds(b, zUnique);
  keyParts(o, b, k->azCol, abExpr, k->nCol);
  dz_buf_addc(b, ')');
}

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

/* A SQLite column after its name, as CREATE TABLE and ADD write it (ADD has
** no AUTOINCREMENT; SQLite stores the generated expression with its parentheses):
**   type[ PRIMARY KEY][ AUTOINCREMENT][ DEFAULT d][ GENERATED ALWAYS AS (e) VIRTUAL][ NOT NULL] */
static void sqliteColumnTail(dz_buf *b, const dz_ddl_column *c, int bAutoincrement) {
  dz_buf_addc(b, ' ');
  dz_buf_adds(b, c->zType);
  if (c->bPrimaryKey) dz_buf_adds(b, " PRIMARY KEY");
  if (bAutoincrement && c->bAutoincrement) dz_buf_adds(b, " AUTOINCREMENT");
  defaultClause(b, c->zDefault);
  if (c->zGenerated) {
    dz_buf_adds(b, " GENERATED ALWAYS AS ");
    dz_buf_adds(b, c->zGenerated);
    dz_buf_addc(b, ' ');
    dz_buf_adds(b, genName(c->eGenerated));
  }
  if (c->bNotNull) dz_buf_adds(b, " NOT NULL");
}

static void sqliteTableColumn(const DdlOps *o, dz_buf *b, const dz_ddl_table *t, const dz_ddl_column *c) {
  (void)o; (void)t;
  sqliteColumnTail(b, c, 1);
}

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
  createTableColumns(o, b, t, NULL, sqliteTableColumn);
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
    optClause(b, " ON UPDATE ", f->zOnUpdate);
    optClause(b, " ON DELETE ", f->zOnDelete);
  }
  for (i = 0; i < t->nUnique; i++) {
    /* drizzle-kit writes this constraint name bare */
    dz_buf_adds(b, ",\n\tCONSTRAINT ");
    dz_buf_adds(b, t->aUnique[i].zName);
    dz_buf_adds(b, " UNIQUE(");
    identList(o, b, t->aUnique[i].azCol, t->aUnique[i].nCol, ",");
    dz_buf_addc(b, ')');
  }
  return endCreateTable(o, b, t, '"', " CHECK(");
}

/* CreateSqliteIndexConvertor:
**   CREATE [UNIQUE ]INDEX `name` ON `table` (`a`,lower("b"))[ WHERE w];  */
static int sqliteCreateIndex(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  createIndexOn(o, x, b);
  optClause(b, " WHERE ", x->zWhere);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* SQLiteDropTableConvertor: DROP TABLE `t`; */
static int sqliteDropTable(const DdlOps *o, const char *zSchema, const char *zName, dz_buf *b) {
  (void)zSchema;
  return dropObject(o, b, "DROP TABLE ", NULL, zName);
}

/* SqliteDropIndexConvertor: DROP INDEX `name`; */
static int sqliteDropIndex(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  return dropObject(o, b, "DROP INDEX ", NULL, x->zName);
}

/* SQLiteAlterTableAddColumnConvertor:
**   ALTER TABLE `t` ADD `c` type[ PRIMARY KEY][ DEFAULT d][ GENERATED ALWAYS AS e VIRTUAL]
**     [ NOT NULL][ REFERENCES u(a,b)];
** (drizzle-kit writes the referenced table and columns bare here.) */
static int sqliteAddColumn(const DdlOps *o, const char *zSchema, const char *zTable,
                           const dz_ddl_column *c, const dz_ddl_fk *pRef, dz_buf *b) {
  int i;
  (void)zSchema;
  alterTable(o, b, NULL, zTable);
  dz_buf_adds(b, " ADD ");
  ident(o, b, c->zName);
  sqliteColumnTail(b, c, 0);
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

/* ------------------------------- pg and MySQL (DROP COLUMN: all three) */

/* " GENERATED ALWAYS AS (e) STORED" (pg) / "... (e) VIRTUAL|STORED" (MySQL) */
static void generatedClause(const DdlOps *o, dz_buf *b, const dz_ddl_column *c) {
  if (!c->zGenerated) return;
  dz_buf_adds(b, " GENERATED ALWAYS AS (");
  dz_buf_adds(b, c->zGenerated);
  dz_buf_adds(b, ") ");
  dz_buf_adds(b, o->cQuote == '"' ? "STORED" : genName(c->eGenerated));
}

/* PgAlterTableDropColumnConvertor: ALTER TABLE "s"."t" DROP COLUMN "c"; */
static int pgDropColumn(const DdlOps *o, const char *zSchema, const char *zTable,
                        const char *zColumn, dz_buf *b) {
  alterTable(o, b, zSchema, zTable);
  dz_buf_adds(b, " DROP COLUMN ");
  ident(o, b, zColumn);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* SQLiteAlterTableDropColumnConvertor / MySqlAlterTableDropColumnConvertor:
** pg's text without a schema, as these convertors have none. */
static int unqualifiedDropColumn(const DdlOps *o, const char *zSchema, const char *zTable,
                                 const char *zColumn, dz_buf *b) {
  (void)zSchema;
  return pgDropColumn(o, NULL, zTable, zColumn, b);
}

/* ALTER TABLE <from> ADD CONSTRAINT "n" FOREIGN KEY ("a","b") REFERENCES <to>("x","y")
**   [ ON DELETE d][ ON UPDATE u];   (PgCreateForeignKeyConvertor, MySqlCreateForeignKeyConvertor) */
static int sharedAddForeignKey(const DdlOps *o, const dz_ddl_fk *f, dz_buf *b) {
  alterTable(o, b, f->zSchema, f->zTableFrom);
  dz_buf_adds(b, " ADD CONSTRAINT ");
  ident(o, b, f->zName);
  dz_buf_adds(b, " FOREIGN KEY (");
  identList(o, b, f->azColFrom, f->nColFrom, ",");
  dz_buf_adds(b, ") REFERENCES ");
  qualified(o, b, f->zSchemaTo, f->zTableTo);
  dz_buf_addc(b, '(');
  identList(o, b, f->azColTo, f->nColTo, ",");
  dz_buf_addc(b, ')');
  optClause(b, " ON DELETE ", f->zOnDelete);
  optClause(b, " ON UPDATE ", f->zOnUpdate);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* ----------------------------------------------------------------- pg */

/* parseType of sqlgenerator.ts: a type drizzle-kit knows as native is
** written as is; any other is quoted, after zPrefix ("\"schema\"." for an
** enum of another schema), with its array brackets kept outside the quotes. */
static const char *const azPgNative[] = {
  "uuid", "smallint", "integer", "bigint", "boolean", "text", "varchar", "serial",
  "bigserial", "decimal", "numeric", "real", "json", "jsonb", "time", "timestamp",
  "date", "interval", "double precision", "char", "vector", "geometry", "halfvec",
  "sparsevec", "bit", 0
};

static void pgType(dz_buf *b, const char *zPrefix, const char *zType) {
  size_t i, n = strlen(zType);
  dz_buf arr;                 /* the [..] parts, in order */
  int bNative = 0;
  for (i = 0; azPgNative[i]; i++) {
    if (strncmp(zType, azPgNative[i], strlen(azPgNative[i])) == 0) { bNative = 1; break; }
  }
  dz_buf_init(&arr);
  if (!bNative) {
    if (zPrefix) dz_buf_adds(b, zPrefix);
    dz_buf_addc(b, '"');
  }
  for (i = 0; i < n; i++) {
    /* /\[\d*(?:\[\d*\])*\]/g : '[' digits ']' */
    if (zType[i] == '[') {
      size_t j = i + 1;
      while (j < n && zType[j] >= '0' && zType[j] <= '9') j++;
      if (j < n && zType[j] == ']') {
        dz_buf_add(&arr, zType + i, j - i + 1);
        i = j;
        continue;
      }
    }
    dz_buf_addc(b, zType[i]);
  }
  if (!bNative) dz_buf_addc(b, '"');
  if (arr.err) b->err = arr.err;
  if (arr.n) dz_buf_add(b, arr.z, arr.n);
  dz_buf_free(&arr);
}

/* The enum schema prefix of PgCreateTableConvertor: "\"s\"." unless public. */
static void pgColumnType(const DdlOps *o, dz_buf *b, const dz_ddl_column *c) {
  dz_buf pre;
  const char *zPre = NULL;
  dz_buf_init(&pre);
  if (isSet(c->zTypeSchema) && strcmp(c->zTypeSchema, "public") != 0) {
    ident(o, &pre, c->zTypeSchema);
    dz_buf_addc(&pre, '.');
    if (pre.err) b->err = pre.err; else zPre = pre.z;
  }
  pgType(b, zPre, c->zType);
  dz_buf_free(&pre);
}

/* [ INCREMENT BY i][ MINVALUE a][ MAXVALUE z][ START WITH s][ CACHE c][ CYCLE]:
** the same for CREATE SEQUENCE and the sequence of an identity column. */
static void sequenceOptions(dz_buf *b, const char *zIncrement, const char *zMinValue, const char *zMaxValue,
                            const char *zStartWith, const char *zCache, int bCycle) {
  optClause(b, " INCREMENT BY ", zIncrement);
  optClause(b, " MINVALUE ", zMinValue);
  optClause(b, " MAXVALUE ", zMaxValue);
  optClause(b, " START WITH ", zStartWith);
  optClause(b, " CACHE ", zCache);
  if (bCycle) dz_buf_adds(b, " CYCLE");
}

/* " GENERATED ALWAYS|BY DEFAULT AS IDENTITY (sequence name <s>.<n> INCREMENT BY ...)" */
static void pgIdentity(const DdlOps *o, dz_buf *b, const char *zSchema, const dz_ddl_identity *p) {
  if (!p->zType) return;
  dz_buf_adds(b, strcmp(p->zType, "always") == 0 ? " GENERATED ALWAYS" : " GENERATED BY DEFAULT");
  dz_buf_adds(b, " AS IDENTITY (sequence name ");
  qualified(o, b, zSchema, p->zName ? p->zName : "undefined");
  sequenceOptions(b, p->zIncrement, p->zMinValue, p->zMaxValue, p->zStartWith, p->zCache, p->bCycle);
  dz_buf_addc(b, ')');
}

/* A pg column after its name, as CREATE TABLE and ADD COLUMN write it:
**   type[ PRIMARY KEY][ DEFAULT d][ GENERATED ALWAYS AS (e) STORED][ NOT NULL][ identity]
** CREATE TABLE leaves NOT NULL out of identity columns, ADD COLUMN does not
** (bIdentityNotNull), as drizzle-kit's two convertors differ. */
static void pgColumnTail(const DdlOps *o, dz_buf *b, const char *zSchema, const dz_ddl_column *c,
                         int bIdentityNotNull) {
  dz_buf_addc(b, ' ');
  pgColumnType(o, b, c);
  if (c->bPrimaryKey) dz_buf_adds(b, " PRIMARY KEY");
  defaultClause(b, c->zDefault);
  generatedClause(o, b, c);
  if (c->bNotNull && (bIdentityNotNull || !c->identity.zType)) dz_buf_adds(b, " NOT NULL");
  pgIdentity(o, b, zSchema, &c->identity);
}

static void pgTableColumn(const DdlOps *o, dz_buf *b, const dz_ddl_table *t, const dz_ddl_column *c) {
  pgColumnTail(o, b, t->zSchema, c, 0);
}

/* PgCreateTableConvertor:
**   CREATE TABLE "s"."t" (\n
**   \t"c" type[ PRIMARY KEY][ DEFAULT d][ GENERATED ALWAYS AS (e) STORED][ NOT NULL][ identity],\n
**   \tCONSTRAINT "pk" PRIMARY KEY("a","b"),\n          (the first composite key only)
**   \tCONSTRAINT "u" UNIQUE[ NULLS NOT DISTINCT]("a","b"),\n
**   \tCONSTRAINT "c" CHECK (cond)\n
**   );\n
** NOT NULL is left out of identity columns. */
static int pgCreateTable(const DdlOps *o, const dz_ddl_table *t, dz_buf *b) {
  int i;
  createTableColumns(o, b, t, t->zSchema, pgTableColumn);
  namedPrimaryKey(o, b, t);
  for (i = 0; i < t->nUnique; i++) {
    const dz_ddl_key *k = &t->aUnique[i];
    namedUnique(o, b, k, k->bNullsNotDistinct ? " UNIQUE NULLS NOT DISTINCT(" : " UNIQUE(", NULL);
  }
  return endCreateTable(o, b, t, 0, " CHECK (");
}

/* " WITH (k=v,...)": pg storage parameters, as written; drizzle-kit spaces a
** view's list (zSep ", ", zEq " = ") but not an index's ("," and "="). */
static void withOptions(dz_buf *b, const char *const *azKey, const char *const *azValue, int n,
                        const char *zSep, const char *zEq) {
  int i;
  dz_buf_adds(b, " WITH (");
  for (i = 0; i < n; i++) {
    if (i) dz_buf_adds(b, zSep);
    dz_buf_adds(b, azKey[i]);
    dz_buf_adds(b, zEq);
    dz_buf_adds(b, azValue[i]);
  }
  dz_buf_addc(b, ')');
}

/* CreatePgIndexConvertor:
**   CREATE [UNIQUE ]INDEX[ CONCURRENTLY] "n" ON "s"."t" USING m (cols)[ WITH (k=v,...)][ WHERE w];
** a column: expr or "col", then " opclass" or " DESC" (when not asc), then
** " NULLS FIRST|LAST" unless (asc and nulls last) or an opclass is given. */
static int pgCreateIndex(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  int i;
  dz_buf_adds(b, x->bUnique ? "CREATE UNIQUE INDEX" : "CREATE INDEX");
  if (x->bConcurrently) dz_buf_adds(b, " CONCURRENTLY");
  dz_buf_addc(b, ' ');
  ident(o, b, x->zName);
  dz_buf_adds(b, " ON ");
  qualified(o, b, x->zSchema, x->zTable);
  dz_buf_adds(b, " USING ");
  dz_buf_adds(b, isSet(x->zMethod) ? x->zMethod : "btree");
  dz_buf_adds(b, " (");
  for (i = 0; i < x->nCol; i++) {
    int bDesc = x->abDesc && x->abDesc[i];
    const char *zNulls = x->azNulls && x->azNulls[i] ? x->azNulls[i] : "last";
    const char *zOp = x->azOpclass ? x->azOpclass[i] : NULL;
    if (i) dz_buf_addc(b, ',');
    keyPart(o, b, x->azCol[i], x->abExpr, i);
    if (isSet(zOp)) { dz_buf_addc(b, ' '); dz_buf_adds(b, zOp); }
    else if (bDesc) dz_buf_adds(b, " DESC");
    if (!((!bDesc && strcmp(zNulls, "last") == 0) || isSet(zOp))) {
      size_t k;
      dz_buf_adds(b, " NULLS ");
      for (k = 0; zNulls[k]; k++) {
        char ch = zNulls[k];
        dz_buf_addc(b, (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch);
      }
    }
  }
  dz_buf_addc(b, ')');
  if (x->nWith > 0) withOptions(b, x->azWithKey, x->azWithValue, x->nWith, ",", "=");
  optClause(b, " WHERE ", x->zWhere);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* PgDropTableConvertor: DROP TABLE "s"."t" CASCADE; */
static int pgDropTable(const DdlOps *o, const char *zSchema, const char *zName, dz_buf *b) {
  dz_buf_adds(b, "DROP TABLE ");
  qualified(o, b, zSchema, zName);
  dz_buf_adds(b, " CASCADE;");
  return finish(b);
}

/* PgDropIndexConvertor: DROP INDEX "s"."n"; */
static int pgDropIndex(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  return dropObject(o, b, "DROP INDEX ", x->zSchema, x->zName);
}

/* PgAlterTableAddColumnConvertor:
**   ALTER TABLE "s"."t" ADD COLUMN "c" type[ PRIMARY KEY][ DEFAULT d][ GENERATED ...][ NOT NULL][ identity];
** (NOT NULL is written for identity columns here, unlike CREATE TABLE.) */
static int pgAddColumn(const DdlOps *o, const char *zSchema, const char *zTable,
                       const dz_ddl_column *c, const dz_ddl_fk *pRef, dz_buf *b) {
  (void)pRef;
  alterTable(o, b, zSchema, zTable);
  dz_buf_adds(b, " ADD COLUMN ");
  ident(o, b, c->zName);
  pgColumnTail(o, b, zSchema, c, 1);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* ALTER TABLE "s"."t" ALTER COLUMN "c" ... (PgAlterTableAlterColumn*Convertor) */
static int pgAlterColumn(const DdlOps *o, const dz_ddl_alter *a, dz_buf *b) {
  alterTable(o, b, a->zSchema, a->zTable);
  dz_buf_adds(b, " ALTER COLUMN ");
  ident(o, b, a->zColumn);
  switch (a->eKind) {
    case DZ_DDL_SET_TYPE:
    case DZ_DDL_SET_DEFAULT: {
      /* the type as parseType(`"${typeSchema}".`, type) writes it
      ** ("undefined" when the column has no type schema, as drizzle-kit does) */
      dz_buf pre, ty;
      int bType = a->eKind == DZ_DDL_SET_TYPE || (a->bCast && a->zType);
      dz_buf_init(&pre);
      dz_buf_init(&ty);
      if (bType) {
        ident(o, &pre, a->zTypeSchema ? a->zTypeSchema : "undefined");
        dz_buf_addc(&pre, '.');
        if (!pre.err) pgType(&ty, pre.z, a->zType);
      }
      if (pre.err || ty.err) b->err = DZ_NOMEM;
      else if (a->eKind == DZ_DDL_SET_DEFAULT) {
        dz_buf_adds(b, " SET DEFAULT ");
        dz_buf_adds(b, a->zDefault);
        if (bType) { dz_buf_adds(b, "::"); dz_buf_add(b, ty.z, ty.n); }
      } else {
        dz_buf_adds(b, " SET DATA TYPE ");
        dz_buf_add(b, ty.z, ty.n);
        if (a->bUsing) {
          dz_buf_adds(b, " USING ");
          ident(o, b, a->zColumn);
          dz_buf_adds(b, a->bUsing == 2 ? "::text::" : "::");
          dz_buf_add(b, ty.z, ty.n);
        }
      }
      dz_buf_free(&pre);
      dz_buf_free(&ty);
      break;
    }
    case DZ_DDL_DROP_DEFAULT: dz_buf_adds(b, " DROP DEFAULT"); break;
    case DZ_DDL_SET_NOTNULL: dz_buf_adds(b, " SET NOT NULL"); break;
    case DZ_DDL_DROP_NOTNULL: dz_buf_adds(b, " DROP NOT NULL"); break;
    default: return DZ_UNSUPPORTED;
  }
  dz_buf_addc(b, ';');
  return finish(b);
}

/* -------------------------------------------------------------- MySQL */

/* The three orders drizzle-kit writes a MySQL column's clauses in. */
typedef enum MysqlColumnOrder { MYSQL_CREATE, MYSQL_ADD, MYSQL_MODIFY } MysqlColumnOrder;

/* A MySQL column after its name, as MySqlCreateTableConvertor, MySqlModifyColumn
** and MySqlAlterTableAddColumnConvertor write it (MODIFY is CREATE without
** PRIMARY KEY):
**   CREATE: type[ AUTO_INCREMENT][ PRIMARY KEY][ GENERATED ...][ NOT NULL][ DEFAULT d][ ON UPDATE ...]
**   ADD:    type[ PRIMARY KEY][ AUTO_INCREMENT][ DEFAULT d][ GENERATED ...][ NOT NULL][ ON UPDATE ...]  */
static void mysqlColumnTail(const DdlOps *o, dz_buf *b, const dz_ddl_column *c, MysqlColumnOrder eOrder) {
  dz_buf_addc(b, ' ');
  dz_buf_adds(b, c->zType);
  if (eOrder == MYSQL_ADD) {
    if (c->bPrimaryKey) dz_buf_adds(b, " PRIMARY KEY");
    if (c->bAutoincrement) dz_buf_adds(b, " AUTO_INCREMENT");
    defaultClause(b, c->zDefault);
    generatedClause(o, b, c);
    if (c->bNotNull) dz_buf_adds(b, " NOT NULL");
  } else {
    if (c->bAutoincrement) dz_buf_adds(b, " AUTO_INCREMENT");
    if (eOrder == MYSQL_CREATE && c->bPrimaryKey) dz_buf_adds(b, " PRIMARY KEY");
    generatedClause(o, b, c);
    if (c->bNotNull) dz_buf_adds(b, " NOT NULL");
    defaultClause(b, c->zDefault);
  }
  if (c->bOnUpdate) dz_buf_adds(b, " ON UPDATE CURRENT_TIMESTAMP");
}

static void mysqlTableColumn(const DdlOps *o, dz_buf *b, const dz_ddl_table *t, const dz_ddl_column *c) {
  (void)t;
  mysqlColumnTail(o, b, c, MYSQL_CREATE);
}

/* MySqlCreateTableConvertor:
**   CREATE TABLE `t` (\n
**   \t`c` type[ AUTO_INCREMENT][ PRIMARY KEY][ GENERATED ALWAYS AS (e) VIRTUAL][ NOT NULL][ DEFAULT d]
**     [ ON UPDATE CURRENT_TIMESTAMP],\n
**   \tCONSTRAINT `pk` PRIMARY KEY(`a`,`b`),\n            (the first key only)
**   \tCONSTRAINT `u` UNIQUE(`a`,(expr)),\n
**   \tCONSTRAINT `c` CHECK(cond)\n
**   );\n  */
static int mysqlCreateTable(const DdlOps *o, const dz_ddl_table *t, dz_buf *b) {
  int i;
  createTableColumns(o, b, t, NULL, mysqlTableColumn);
  namedPrimaryKey(o, b, t);
  for (i = 0; i < t->nUnique; i++) namedUnique(o, b, &t->aUnique[i], " UNIQUE(", t->aUnique[i].abExpr);
  return endCreateTable(o, b, t, 0, " CHECK(");
}

/* CreateMySqlIndexConvertor: CREATE [UNIQUE ]INDEX `n` ON `t` (`a`,(expr));
** (using, algorithm and lock are not written.) */
static int mysqlCreateIndex(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  createIndexOn(o, x, b);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* MySQLDropTableConvertor: DROP TABLE `t`; */
static int mysqlDropTable(const DdlOps *o, const char *zSchema, const char *zName, dz_buf *b) {
  return sqliteDropTable(o, zSchema, zName, b);
}

/* MySqlDropIndexConvertor: DROP INDEX `n` ON `t`; */
static int mysqlDropIndex(const DdlOps *o, const dz_ddl_index *x, dz_buf *b) {
  if (!x->zTable) return DZ_MISUSE;
  dz_buf_adds(b, "DROP INDEX ");
  ident(o, b, x->zName);
  dz_buf_adds(b, " ON ");
  ident(o, b, x->zTable);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* MySqlAlterTableAddColumnConvertor: ALTER TABLE `t` ADD `c` ...; */
static int mysqlAddColumn(const DdlOps *o, const char *zSchema, const char *zTable,
                          const dz_ddl_column *c, const dz_ddl_fk *pRef, dz_buf *b) {
  (void)zSchema; (void)pRef;
  alterTable(o, b, NULL, zTable);
  dz_buf_adds(b, " ADD ");
  ident(o, b, c->zName);
  mysqlColumnTail(o, b, c, MYSQL_ADD);
  dz_buf_addc(b, ';');
  return finish(b);
}


/* MySqlModifyColumn: every column change is ALTER TABLE `t` MODIFY COLUMN `c` ...; */
static int mysqlAlterColumn(const DdlOps *o, const dz_ddl_alter *a, dz_buf *b) {
  if (a->eKind != DZ_DDL_MODIFY || !a->pColumn || !a->pColumn->zType) return DZ_UNSUPPORTED;
  alterTable(o, b, NULL, a->zTable);
  dz_buf_adds(b, " MODIFY COLUMN ");
  ident(o, b, a->zColumn);
  mysqlColumnTail(o, b, a->pColumn, MYSQL_MODIFY);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* ---------------------------------------------------------- views */

/* SqliteCreateViewConvertor: CREATE VIEW `v` AS <definition>; */
static int sqliteCreateView(const DdlOps *o, const dz_ddl_view *v, dz_buf *b) {
  dz_buf_adds(b, "CREATE VIEW ");
  ident(o, b, v->zName);
  dz_buf_adds(b, " AS ");
  dz_buf_adds(b, v->zDefinition);
  dz_buf_addc(b, ';');
  return finish(b);
}

/* SqliteDropViewConvertor / MySqlDropViewConvertor: DROP VIEW `v`; */
static int plainDropView(const DdlOps *o, const dz_ddl_view *v, dz_buf *b) {
  return dropObject(o, b, "DROP VIEW ", NULL, v->zName);
}

/* PgCreateViewConvertor:
**   CREATE [MATERIALIZED ]VIEW "s"."v"[ USING "m"][ WITH (k = v, ...)][ TABLESPACE t]
**     AS (<definition>)[ WITH NO DATA]; */
static int pgCreateView(const DdlOps *o, const dz_ddl_view *v, dz_buf *b) {
  dz_buf_adds(b, v->bMaterialized ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ");
  qualified(o, b, v->zSchema, v->zName);
  if (isSet(v->zUsing)) { dz_buf_adds(b, " USING "); ident(o, b, v->zUsing); }
  if (v->bWith) withOptions(b, v->azWithKey, v->azWithValue, v->nWith, ", ", " = ");
  optClause(b, " TABLESPACE ", v->zTablespace);
  dz_buf_adds(b, " AS (");
  dz_buf_adds(b, v->zDefinition);
  dz_buf_addc(b, ')');
  if (v->bWithNoData) dz_buf_adds(b, " WITH NO DATA");
  dz_buf_addc(b, ';');
  return finish(b);
}

/* PgDropViewConvertor: DROP [MATERIALIZED ]VIEW "s"."v"; */
static int pgDropView(const DdlOps *o, const dz_ddl_view *v, dz_buf *b) {
  return dropObject(o, b, v->bMaterialized ? "DROP MATERIALIZED VIEW " : "DROP VIEW ", v->zSchema, v->zName);
}

/* MySqlCreateViewConvertor (its line breaks kept):
**   CREATE [OR REPLACE ][ALGORITHM = a\n][SQL SECURITY s\n]VIEW `v` AS (<definition>)[\nWITH c CHECK OPTION]; */
static int mysqlCreateView(const DdlOps *o, const dz_ddl_view *v, dz_buf *b) {
  dz_buf_adds(b, "CREATE ");
  if (v->bReplace) dz_buf_adds(b, "OR REPLACE ");
  if (isSet(v->zAlgorithm)) { dz_buf_adds(b, "ALGORITHM = "); dz_buf_adds(b, v->zAlgorithm); dz_buf_addc(b, '\n'); }
  if (isSet(v->zSqlSecurity)) { dz_buf_adds(b, "SQL SECURITY "); dz_buf_adds(b, v->zSqlSecurity); dz_buf_addc(b, '\n'); }
  dz_buf_adds(b, "VIEW ");
  ident(o, b, v->zName);
  dz_buf_adds(b, " AS (");
  dz_buf_adds(b, v->zDefinition);
  dz_buf_addc(b, ')');
  if (isSet(v->zCheckOption)) {
    dz_buf_adds(b, "\nWITH ");
    dz_buf_adds(b, v->zCheckOption);
    dz_buf_adds(b, " CHECK OPTION");
  }
  dz_buf_addc(b, ';');
  return finish(b);
}

/* ---------------------------------------------------------- the table */

static const DdlOps aOps[] = {
  { "sqlite", '`', sqliteCreateTable, sqliteCreateIndex, sqliteDropTable, sqliteDropIndex,
    sqliteAddColumn, unqualifiedDropColumn, 0, 0, sqliteCreateView, plainDropView, 0 },
  { "pg", '"', pgCreateTable, pgCreateIndex, pgDropTable, pgDropIndex,
    pgAddColumn, pgDropColumn, sharedAddForeignKey, pgAlterColumn, pgCreateView, pgDropView, 1 },
  { "mysql", '`', mysqlCreateTable, mysqlCreateIndex, mysqlDropTable, mysqlDropIndex,
    mysqlAddColumn, unqualifiedDropColumn, sharedAddForeignKey, mysqlAlterColumn, mysqlCreateView, plainDropView, 0 },
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


int dz_ddl_add_foreign_key(const dz_dialect *d, const dz_ddl_fk *f, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !f || !f->zName || !f->zTableFrom || !f->zTableTo
      || !checkList(f->azColFrom, f->nColFrom) || !checkList(f->azColTo, f->nColTo)) return DZ_MISUSE;
  if (!o || !o->xAddForeignKey) return DZ_UNSUPPORTED;
  return o->xAddForeignKey(o, f, b);
}

int dz_ddl_alter_column(const dz_dialect *d, const dz_ddl_alter *a, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !a || !a->zTable || !a->zColumn) return DZ_MISUSE;
  if (a->eKind == DZ_DDL_SET_TYPE && !a->zType) return DZ_MISUSE;
  if (a->eKind == DZ_DDL_SET_DEFAULT && !a->zDefault) return DZ_MISUSE;
  if (a->eKind == DZ_DDL_MODIFY && !checkColumn(a->pColumn)) return DZ_MISUSE;
  if (!o || !o->xAlterColumn) return DZ_UNSUPPORTED;
  return o->xAlterColumn(o, a, b);
}

int dz_ddl_create_view(const dz_dialect *d, const dz_ddl_view *v, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !v || !v->zName || !v->zDefinition) return DZ_MISUSE;
  if (v->bWith && !checkList(v->azWithKey, v->nWith)) return DZ_MISUSE;
  if (v->bWith && !checkList(v->azWithValue, v->nWith)) return DZ_MISUSE;
  if (!o || !o->xCreateView) return DZ_UNSUPPORTED;
  return o->xCreateView(o, v, b);
}

int dz_ddl_drop_view(const dz_dialect *d, const dz_ddl_view *v, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !v || !v->zName) return DZ_MISUSE;
  if (!o || !o->xDropView) return DZ_UNSUPPORTED;
  return o->xDropView(o, v, b);
}

/* PgCreateSchemaConvertor / PgDropSchemaConvertor: CREATE SCHEMA "s";\n */
int dz_ddl_schema(const dz_dialect *d, const char *zName, int bDrop, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !zName) return DZ_MISUSE;
  if (!o || !o->bPgObjects) return DZ_UNSUPPORTED;
  dz_buf_adds(b, bDrop ? "DROP SCHEMA " : "CREATE SCHEMA ");
  ident(o, b, zName);
  dz_buf_adds(b, ";\n");
  return finish(b);
}

/* CreateTypeEnumConvertor: CREATE TYPE "s"."n" AS ENUM('a', 'b''c'); */
int dz_ddl_create_enum(const dz_dialect *d, const char *zSchema, const char *zName,
                       const char *const *azValue, int nValue, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  int i;
  if (!b || !zName || !checkList(azValue, nValue)) return DZ_MISUSE;
  if (!o || !o->bPgObjects) return DZ_UNSUPPORTED;
  dz_buf_adds(b, "CREATE TYPE ");
  qualified(o, b, zSchema, zName);
  dz_buf_adds(b, " AS ENUM(");
  for (i = 0; i < nValue; i++) {
    if (i) dz_buf_adds(b, ", ");
    addQuoted(b, '\'', azValue[i]);
  }
  dz_buf_adds(b, ");");
  return finish(b);
}

/* DropTypeEnumConvertor: DROP TYPE "s"."n"; */
int dz_ddl_drop_enum(const dz_dialect *d, const char *zSchema, const char *zName, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !zName) return DZ_MISUSE;
  if (!o || !o->bPgObjects) return DZ_UNSUPPORTED;
  return dropObject(o, b, "DROP TYPE ", zSchema, zName);
}

/* AlterTypeAddValueConvertor: ALTER TYPE "s"."n" ADD VALUE 'v'[ BEFORE 'w'];
** (drizzle-kit does not double quotes inside the value here.) */
int dz_ddl_enum_add_value(const dz_dialect *d, const char *zSchema, const char *zName,
                          const char *zValue, const char *zBefore, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !zName || !zValue) return DZ_MISUSE;
  if (!o || !o->bPgObjects) return DZ_UNSUPPORTED;
  dz_buf_adds(b, "ALTER TYPE ");
  qualified(o, b, zSchema, zName);
  dz_buf_adds(b, " ADD VALUE '");
  dz_buf_adds(b, zValue);
  dz_buf_addc(b, '\'');
  if (isSet(zBefore)) {
    dz_buf_adds(b, " BEFORE '");
    dz_buf_adds(b, zBefore);
    dz_buf_addc(b, '\'');
  }
  dz_buf_addc(b, ';');
  return finish(b);
}

/* CreatePgSequenceConvertor / DropPgSequenceConvertor:
**   CREATE SEQUENCE "s"."n"[ INCREMENT BY i][ MINVALUE a][ MAXVALUE z][ START WITH s][ CACHE c][ CYCLE];
**   DROP SEQUENCE "s"."n"; */
int dz_ddl_seq(const dz_dialect *d, const dz_ddl_sequence *s, int bDrop, dz_buf *b) {
  const DdlOps *o = opsFor(d);
  if (!b || !s || !s->zName) return DZ_MISUSE;
  if (!o || !o->bPgObjects) return DZ_UNSUPPORTED;
  dz_buf_adds(b, bDrop ? "DROP SEQUENCE " : "CREATE SEQUENCE ");
  qualified(o, b, s->zSchema, s->zName);
  if (!bDrop) sequenceOptions(b, s->zIncrement, s->zMinValue, s->zMaxValue, s->zStartWith, s->zCache, s->bCycle);
  dz_buf_addc(b, ';');
  return finish(b);
}
