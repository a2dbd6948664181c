/*
** dz_ddl.h: DDL statement text, per dialect, exactly as drizzle-kit's
** sqlgenerator.ts writes it.
**
** The input is a plain description shaped like one table of a drizzle-kit
** snapshot (meta/NNNN_snapshot.json): every name is the database name after
** casing, every default is already rendered text (drizzle-kit stores
** defaults as SQL text in the snapshot), every expression (index
** expressions, generated columns, checks, partial-index where) is already
** rendered SQL. ddl.c only lays these pieces out, so the text and the
** snapshot never disagree.
**
** Every function appends one statement to a dz_buf and returns DZ_OK,
** DZ_NOMEM (the buffer's sticky error), DZ_MISUSE (a NULL name or a list
** without its count) or DZ_UNSUPPORTED (the dialect has no such statement
** yet; the caller names the dialect in its message). Nothing is allocated
** besides the buffer's own growth: the description stays the caller's.
**
** Quoting: identifiers are quoted as drizzle-kit does per dialect (SQLite:
** `name`, constraint names of checks "name"; pg: "name"; MySQL: `name`),
** with the quote character doubled inside a name (drizzle-kit does not
** escape; the two agree for every name without a quote character).
*/
#ifndef DZ_DDL_H
#define DZ_DDL_H

#include "dz.h"

#ifdef __cplusplus
extern "C" {
#endif

/* generated.type of a snapshot column. */
typedef enum dz_ddl_gen {
  DZ_DDL_GEN_NONE = 0,
  DZ_DDL_GEN_VIRTUAL,
  DZ_DDL_GEN_STORED
} dz_ddl_gen;

/* A pg identity column's sequence (snapshot column.identity); every
** number is text as the snapshot stores it, NULL or "" leaves its clause out. */
typedef struct dz_ddl_identity {
  const char *zType;          /* "always" | "byDefault"; NULL: not an identity column */
  const char *zName;          /* sequence name */
  const char *zIncrement, *zMinValue, *zMaxValue, *zStartWith, *zCache;
  int bCycle;
} dz_ddl_identity;

typedef struct dz_ddl_column {
  const char *zName;          /* database name */
  const char *zType;          /* SQL type as the snapshot stores it: "integer", "text(256)" */
  int bPrimaryKey;
  int bNotNull;
  int bAutoincrement;
  const char *zDefault;       /* rendered default ("0", "'a''b'", "(unixepoch())"); NULL: none */
  const char *zGenerated;     /* generated.as as the snapshot stores it; NULL: none.
                              ** SQLite stores it with its parentheses: "(\"a\" || 'b')" */
  dz_ddl_gen eGenerated;      /* generated.type */
  const char *zTypeSchema;    /* pg: schema of an enum type ("public" or NULL: none written) */
  int bOnUpdate;              /* MySQL: ON UPDATE CURRENT_TIMESTAMP */
  dz_ddl_identity identity;   /* pg: identity.zType NULL when none */
} dz_ddl_column;

typedef struct dz_ddl_fk {
  const char *zName;
  const char *zTableFrom;
  const char *zTableTo;
  const char *const *azColFrom; int nColFrom;
  const char *const *azColTo;   int nColTo;
  const char *zOnUpdate;      /* "no action", "cascade", ...; NULL or "": left out */
  const char *zOnDelete;
  const char *zSchemaTo;      /* pg: schema of zTableTo (written always, "public" included) */
  const char *zSchema;        /* pg: schema of zTableFrom (NULL or "": none) */
} dz_ddl_fk;

/* A composite primary key or a unique constraint: a name and columns. */
typedef struct dz_ddl_key {
  const char *zName;          /* may be NULL for a composite primary key */
  const char *const *azCol; int nCol;
  int bNullsNotDistinct;      /* pg unique: UNIQUE NULLS NOT DISTINCT */
  const unsigned char *abExpr;/* MySQL unique: abExpr[i]: azCol[i] is an expression; NULL: none */
} dz_ddl_key;

typedef struct dz_ddl_check {
  const char *zName;
  const char *zValue;         /* rendered SQL of the condition */
} dz_ddl_check;

typedef struct dz_ddl_table {
  const char *zSchema;        /* NULL: default schema (pg only) */
  const char *zName;
  const dz_ddl_column *aCol;  int nCol;    /* in table order */
  const dz_ddl_key *aPk;      int nPk;     /* compositePrimaryKeys */
  const dz_ddl_fk *aFk;       int nFk;     /* foreignKeys (the "referenceData") */
  const dz_ddl_key *aUnique;  int nUnique; /* uniqueConstraints */
  const dz_ddl_check *aCheck; int nCheck;  /* checkConstraints */
} dz_ddl_table;

typedef struct dz_ddl_index {
  const char *zSchema;
  const char *zTable;
  const char *zName;
  const char *const *azCol; int nCol;  /* a column name, or an expression's SQL */
  const unsigned char *abExpr;         /* abExpr[i]: azCol[i] is an expression (written as is);
                                       ** NULL: every entry is a column name */
  int bUnique;
  const char *zWhere;                  /* rendered SQL; NULL or "": none */
  /* pg only (NULL/0: the defaults) */
  const unsigned char *abDesc;         /* abDesc[i]: column i is DESC (asc: false) */
  const char *const *azNulls;          /* "first" | "last" (NULL entry: "last") */
  const char *const *azOpclass;        /* operator class or NULL */
  const char *zMethod;                 /* USING method; NULL: "btree" */
  int bConcurrently;
  const char *const *azWithKey; const char *const *azWithValue; int nWith;  /* WITH (k=v,...) */
} dz_ddl_index;

/* A pg sequence (snapshot sequences entry); numbers as text, NULL or "":
** left out. */
typedef struct dz_ddl_sequence {
  const char *zSchema;        /* NULL or "": unqualified */
  const char *zName;
  const char *zIncrement, *zMinValue, *zMaxValue, *zStartWith, *zCache;
  int bCycle;
} dz_ddl_sequence;

/* One ALTER TABLE ... ALTER COLUMN statement. */
typedef enum dz_ddl_alter_kind {
  DZ_DDL_SET_TYPE = 1,        /* pg: SET DATA TYPE zType[ USING "c"::zType] (bUsing: 1 plain, 2 ::text::) */
  DZ_DDL_SET_DEFAULT,         /* SET DEFAULT zDefault[::zType when bCast] */
  DZ_DDL_DROP_DEFAULT,
  DZ_DDL_SET_NOTNULL,
  DZ_DDL_DROP_NOTNULL,
  DZ_DDL_MODIFY               /* MySQL: MODIFY COLUMN with the whole of pColumn */
} dz_ddl_alter_kind;

typedef struct dz_ddl_alter {
  dz_ddl_alter_kind eKind;
  const char *zSchema;        /* pg table schema, NULL or "": none */
  const char *zTable;
  const char *zColumn;
  const char *zType;          /* SET_TYPE, and SET_DEFAULT with bCast */
  const char *zTypeSchema;    /* SET_TYPE: drizzle-kit writes "<typeSchema>". before a
                              ** non-native type, "undefined" when NULL (as it does) */
  int bUsing;                 /* SET_TYPE: 0 none, 1 USING "c"::t, 2 USING "c"::text::t */
  int bCast;                  /* SET_DEFAULT: append ::type */
  const char *zDefault;       /* SET_DEFAULT */
  const dz_ddl_column *pColumn; /* MODIFY */
} dz_ddl_alter;

/* A view (snapshot views entry). The definition is the rendered query
** (params inlined), written inside AS (...) on pg and MySQL, bare on SQLite. */
typedef struct dz_ddl_view {
  const char *zSchema;        /* pg: NULL or "": unqualified */
  const char *zName;
  const char *zDefinition;    /* required to create; not read to drop */
  int bMaterialized;          /* pg: MATERIALIZED VIEW */
  /* pg: WITH (k = v, ...) when bWith (keys as written: drizzle-kit
  ** snake_cases them, the caller passes them so); values as text */
  int bWith;
  const char *const *azWithKey; const char *const *azWithValue; int nWith;
  const char *zUsing;         /* pg materialized: USING "m"; NULL or "": none */
  const char *zTablespace;    /* pg materialized: TABLESPACE t; NULL or "": none */
  int bWithNoData;            /* pg materialized: WITH NO DATA */
  const char *zAlgorithm;     /* MySQL: ALGORITHM = a; NULL or "": none */
  const char *zSqlSecurity;   /* MySQL: SQL SECURITY s; NULL or "": none */
  const char *zCheckOption;   /* MySQL: WITH c CHECK OPTION; NULL or "": none */
  int bReplace;               /* MySQL: CREATE OR REPLACE */
} dz_ddl_view;

/* CREATE TABLE ... (drizzle-kit: sqlite_create_table / create_table). */
int dz_ddl_create_table(const dz_dialect *d, const dz_ddl_table *t, dz_buf *b);

/* CREATE [UNIQUE] INDEX ... (create_index). */
int dz_ddl_create_index(const dz_dialect *d, const dz_ddl_index *x, dz_buf *b);

/* DROP TABLE ... (drop_table). */
int dz_ddl_drop_table(const dz_dialect *d, const char *zSchema, const char *zName, dz_buf *b);

/* DROP INDEX ... (drop_index; MySQL needs x->zTable). Only zSchema, zTable
** and zName of x are read. */
int dz_ddl_drop_index(const dz_dialect *d, const dz_ddl_index *x, dz_buf *b);

/* ALTER TABLE ... ADD ... (sqlite_alter_table_add_column / alter_table_add_column).
** pRef: SQLite's referenceData, the foreign key whose columnsFrom holds the
** column (NULL: none). */
int dz_ddl_add_column(const dz_dialect *d, const char *zSchema, const char *zTable,
                      const dz_ddl_column *c, const dz_ddl_fk *pRef, dz_buf *b);

/* ALTER TABLE ... DROP COLUMN ... (alter_table_drop_column). */
int dz_ddl_drop_column(const dz_dialect *d, const char *zSchema, const char *zTable,
                       const char *zColumn, dz_buf *b);

/* ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY (create_reference; pg, MySQL). */
int dz_ddl_add_foreign_key(const dz_dialect *d, const dz_ddl_fk *f, dz_buf *b);

/* ALTER TABLE ... ALTER COLUMN ... (pg), ALTER COLUMN / MODIFY COLUMN (MySQL). */
int dz_ddl_alter_column(const dz_dialect *d, const dz_ddl_alter *a, dz_buf *b);

/* pg only: CREATE SCHEMA / DROP SCHEMA (bDrop). */
int dz_ddl_schema(const dz_dialect *d, const char *zName, int bDrop, dz_buf *b);

/* pg only: CREATE TYPE ... AS ENUM(...). */
int dz_ddl_create_enum(const dz_dialect *d, const char *zSchema, const char *zName,
                       const char *const *azValue, int nValue, dz_buf *b);

/* pg only: DROP TYPE ...; */
int dz_ddl_drop_enum(const dz_dialect *d, const char *zSchema, const char *zName, dz_buf *b);

/* pg only: ALTER TYPE ... ADD VALUE 'v'[ BEFORE 'w']; */
int dz_ddl_enum_add_value(const dz_dialect *d, const char *zSchema, const char *zName,
                          const char *zValue, const char *zBefore, dz_buf *b);

/* pg only (dz_ddl_seq): CREATE SEQUENCE ...; / DROP SEQUENCE ...; (bDrop: only names read) */
int dz_ddl_seq(const dz_dialect *d, const dz_ddl_sequence *s, int bDrop, dz_buf *b);

/* CREATE [MATERIALIZED] VIEW ... (create_view / mysql_create_view / sqlite_create_view). */
int dz_ddl_create_view(const dz_dialect *d, const dz_ddl_view *v, dz_buf *b);

/* DROP [MATERIALIZED] VIEW ... (drop_view); only zSchema, zName and
** bMaterialized of v are read. */
int dz_ddl_drop_view(const dz_dialect *d, const dz_ddl_view *v, dz_buf *b);

#ifdef __cplusplus
}
#endif
#endif /* DZ_DDL_H */
