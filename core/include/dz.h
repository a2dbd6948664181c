/*
** dz.h: the public C API of the drizzle-c core.
**
** The core is pure C11 and knows nothing of Lua. It owns four things:
**   - tagged values (dz_value) that travel as bound parameters and result cells;
**   - the SQL AST: Drizzle's chunk model (a dz_sql is a list of chunks: text,
**     names, columns, tables, params, nested SQL) plus statement nodes for
**     select / insert / update / delete;
**   - rendering: one dialect-independent walk (render.c) steered by a
**     dz_dialect (dialect_sqlite.c, dialect_pg.c, dialect_mysql.c) that holds
**     only what differs;
**   - drivers behind one vtable (driver.h).
**
** Memory: everything a statement needs lives in one dz_arena, freed at once.
** Every allocation goes through the hook set by dz_set_allocator(), so tests
** can fail the Nth allocation. Functions report errors through dz_rc codes
** and a message buffer; the core never aborts and never longjmps.
*/
#ifndef DZ_H
#define DZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- codes */

typedef enum dz_rc {
  DZ_OK = 0,
  DZ_NOMEM,        /* an allocation failed */
  DZ_MISUSE,       /* the caller broke a contract; message says which */
  DZ_UNSUPPORTED,  /* the dialect cannot express it; message names the dialect */
  DZ_DRIVER,       /* the database said no; details in dz_dberr */
  DZ_ROW,          /* a step produced a row */
  DZ_DONE          /* a step finished */
} dz_rc;

/* ------------------------------------------------------------ allocator */

/* Shaped like lua_Alloc: nsz == 0 frees, otherwise (re)allocates. */
typedef void *(*dz_alloc_fn)(void *ud, void *p, size_t osz, size_t nsz);

/* Install the allocator every core allocation goes through (default: libc). */
void dz_set_allocator(dz_alloc_fn f, void *ud);
void *dz_malloc(size_t n);
void *dz_realloc(void *p, size_t osz, size_t nsz);
void dz_free(void *p, size_t osz);
char *dz_strdup(const char *z, size_t n);   /* n bytes + NUL; frees with dz_free(p, n+1) */

/* Numbers as SQL text (core/number.c), independent of the C locale: a
** host that calls setlocale() with a comma decimal point must not turn
** 1.5 into "1,5" on its way to a server, nor "1.5" into 1 on the way back.
** dz_text_to_double: correctly rounded; also "NaN", "Infinity",
** "-Infinity"; dz_strtod: the same, stopping where the number ends. dz_double_to_text: the shortest of precisions nMinPrec..17
** (%.*g) that reads back as f, with a '.' point; returns its length. */
double dz_text_to_double(const char *z);
double dz_strtod(const char *z, const char **pzEnd);   /* strtod, with '.' always */
int dz_double_to_text(char *z, size_t nz, int nMinPrec, double f);

/* ---------------------------------------------------------------- arena */

/* Bump allocator: nodes are only appended; dz_arena_reset drops them all. */
typedef struct dz_arena_block dz_arena_block;
typedef struct dz_arena {
  dz_arena_block *pHead;
  size_t nUsed;           /* bytes used in pHead */
} dz_arena;

void dz_arena_init(dz_arena *a);
void *dz_arena_alloc(dz_arena *a, size_t n);            /* 8-byte aligned, NULL on OOM */
char *dz_arena_strdup(dz_arena *a, const char *z, size_t n);
void dz_arena_reset(dz_arena *a);                       /* keeps the first block */
void dz_arena_free(dz_arena *a);

/* --------------------------------------------------------------- buffer */

/* Growable byte buffer with a sticky error: append freely, check once. */
typedef struct dz_buf {
  char *z;
  size_t n, cap;
  int err;                /* DZ_NOMEM once any append failed */
} dz_buf;

void dz_buf_init(dz_buf *b);
void dz_buf_free(dz_buf *b);
void dz_buf_reset(dz_buf *b);
void dz_buf_add(dz_buf *b, const char *z, size_t n);
void dz_buf_adds(dz_buf *b, const char *z);
void dz_buf_addc(dz_buf *b, char c);
void dz_buf_addi(dz_buf *b, int64_t i);
void dz_buf_add_quoted(dz_buf *b, char q, const char *z, size_t n);   /* q z q, q doubled inside */
void dz_buf_printf(dz_buf *b, const char *fmt, ...);

/* --------------------------------------------------------------- values */

typedef enum dz_type {
  DZ_NULL = 0,
  DZ_INT,          /* int64 */
  DZ_FLOAT,        /* double */
  DZ_TEXT,         /* z, n: UTF-8 text (not necessarily NUL-terminated) */
  DZ_BLOB,         /* z, n: bytes */
  DZ_BOOL,         /* i is 0 or 1; drivers without booleans bind an int */
  DZ_PLACEHOLDER   /* z, n: placeholder name, filled at execute time */
} dz_type;

/* A tagged value. Text and blob bytes are borrowed: the owner (the Lua
** binding, an arena, a driver row) keeps them alive while the value is used. */
typedef struct dz_value {
  dz_type t;
  union {
    int64_t i;
    double f;
    struct { const char *z; size_t n; } s;
  } u;
} dz_value;

/* --------------------------------------------------------------- schema */

/* Column flags. */
#define DZ_COL_NOTNULL       0x0001u
#define DZ_COL_PRIMARY       0x0002u
#define DZ_COL_AUTOINC       0x0004u
#define DZ_COL_UNIQUE        0x0008u
#define DZ_COL_HASDEFAULT    0x0010u
#define DZ_COL_GENERATED     0x0020u   /* generatedAlwaysAs: left out of inserts */
#define DZ_COL_KEYASNAME     0x0040u   /* the name was omitted: casing applies */
#define DZ_COL_NUMERIC_BIGINT 0x0080u  /* sqlite numeric bigint: selected as cast(.. as text) */
#define DZ_COL_IDENTITY      0x0100u   /* pg identity: stays in inserts as default */
#define DZ_COL_SELECTION_FIELD 0x0200u /* a view's aliased expression: always its bare "name"
                                         (Drizzle's SQL.Aliased with isSelectionField) */

typedef struct dz_table dz_table;

/* A column as the renderer needs it. The rest of the schema (defaults,
** generated expressions, references) is described to ddl.c separately. */
typedef struct dz_column {
  const char *zName;       /* database name as written (or the key) */
  const char *zSnake;      /* snake_case form of zName when KEYASNAME */
  const char *zCamel;      /* camelCase form of zName when KEYASNAME */
  const char *zKey;        /* the field key in the table object */
  const char *zSqlType;    /* e.g. "integer", "text", "varchar(256)" */
  dz_table *pTable;
  int iOrder;              /* position in the table */
  unsigned mFlags;
} dz_column;

struct dz_table {
  const char *zName;       /* the name rendered (the alias for an alias) */
  const char *zOrigName;   /* the real table name */
  const char *zSchema;     /* NULL when none */
  int bAlias;
  int nCol;
  dz_column **apCol;       /* in table order */
};

/* ------------------------------------------------------------------ AST */

typedef struct dz_sql dz_sql;
typedef struct dz_select dz_select;

typedef enum dz_chunk_kind {
  DZ_K_TEXT = 1,     /* raw SQL text: s */
  DZ_K_NAME,         /* an identifier, escaped by the dialect: s */
  DZ_K_COLUMN,       /* pCol, rendered "table"."col"; zAlias overrides the table name */
  DZ_K_TABLE,        /* pTab: "schema"."name" (or the alias) */
  DZ_K_PARAM,        /* v: a bound value (already mapped to its driver form) */
  DZ_K_SQL,          /* p: nested chunk list */
  DZ_K_LIST,         /* p: a JS array in a template: (a, b, c) */
  DZ_K_ALIASED,      /* p + s: SQL.Aliased used as a chunk renders the alias name */
  DZ_K_SUBQUERY,     /* pSel + s (alias): (select ...) "alias", or just "alias" when bWith */
  DZ_K_SELECT,       /* pSel: a select builder as an expression: (select ...) */
  DZ_K_SELECT_SQL,   /* pSel: a built select inlined with no parentheses */
  DZ_K_WRAPPED,      /* p: an SQLWrapper getSQL() wrapped in parentheses */
  DZ_K_INSERT,       /* pIns: (insert ...), bare when bBare (a CTE body) */
  DZ_K_UPDATE,       /* pUpd: (update ...) */
  DZ_K_DELETE        /* pDel: (delete ...) */
} dz_chunk_kind;

typedef struct dz_insert dz_insert;
typedef struct dz_update dz_update;
typedef struct dz_delete dz_delete;

typedef struct dz_chunk {
  int k;                 /* dz_chunk_kind */
  int bWith;             /* SUBQUERY: a CTE reference */
  int bBare;             /* INSERT/UPDATE/DELETE: no parentheses */
  struct { const char *z; size_t n; } s;
  union {
    struct { const dz_column *pCol; const char *zAlias; } c;
    const dz_table *pTab;
    dz_value v;
    dz_sql *p;
    dz_select *pSel;
    dz_insert *pIns;
    dz_update *pUpd;
    dz_delete *pDel;
  } u;
  int iParamTag;         /* PARAM: caller's tag, returned with the param (e.g. encoder id) */
} dz_chunk;

struct dz_sql {
  int n;
  dz_chunk *a;
  int bInline;           /* sql`...`.inlineParams() */
};

/* A selected field: an expression and, for SQL.Aliased, its alias. */
typedef struct dz_field {
  dz_chunk expr;         /* COLUMN, SQL, SUBQUERY, SELECT, ... */
  const char *zAlias;    /* non-NULL for SQL.Aliased */
  int bSelectionField;   /* SQL.Aliased.isSelectionField: render just the alias */
  const char *zPath;     /* "author->name", for error messages ... */
  const char *zPathPrefix; /* ... or "name" under this prefix ("author"), when set */
} dz_field;

typedef enum dz_join_kind { DZ_JOIN_LEFT = 1, DZ_JOIN_RIGHT, DZ_JOIN_INNER, DZ_JOIN_FULL, DZ_JOIN_CROSS } dz_join_kind;

typedef struct dz_join {
  int eKind;
  int bLateral;
  dz_chunk src;          /* TABLE, SUBQUERY, SQL */
  dz_sql *pOn;           /* NULL for cross joins */
} dz_join;

typedef struct dz_cte {
  const char *zName;
  dz_chunk body;         /* SELECT_SQL, or SQL */
} dz_cte;

typedef enum dz_setop_kind { DZ_SET_UNION = 1, DZ_SET_INTERSECT, DZ_SET_EXCEPT } dz_setop_kind;

typedef struct dz_setop {
  int eKind;
  int bAll;
  dz_select *pRight;
  dz_chunk *aOrderBy; int nOrderBy;
  dz_chunk limit, offset;   /* k == 0 when absent */
} dz_setop;

/* Row locking clause (pg/mysql): for update|share ... */
typedef struct dz_lock {
  const char *zStrength;   /* "update", "no key update", "share", "key share"; NULL: none */
  const dz_table **apOf; int nOf;
  int bNoWait, bSkipLocked;
} dz_lock;

struct dz_select {
  dz_cte *aWith; int nWith;
  int bDistinct;
  dz_chunk *aDistinctOn; int nDistinctOn;
  dz_field *aField; int nField;
  dz_chunk from;                 /* TABLE, SUBQUERY, SQL; k == 0 for none */
  dz_join *aJoin; int nJoin;
  dz_sql *pWhere, *pHaving;
  dz_chunk *aGroupBy; int nGroupBy;
  dz_chunk *aOrderBy; int nOrderBy;
  dz_chunk limit, offset;        /* PARAM (or placeholder); k == 0 when absent */
  dz_setop *aSetOp; int nSetOp;
  dz_lock lock;
};

/* One conflict clause: on conflict (target) do nothing | do update set ...
** (mysql: on duplicate key update set ...). */
typedef struct dz_set_item { const dz_column *pCol; dz_chunk value; } dz_set_item;

typedef struct dz_conflict {
  int bUpdate;                         /* do update (else do nothing) */
  dz_chunk *aTarget; int nTarget;      /* COLUMN chunks (or SQL); none: no target */
  dz_sql *pTargetWhere;
  dz_set_item *aSet; int nSet;
  dz_sql *pWhere, *pSetWhere;
} dz_conflict;

/* Insert: values are a matrix of prepared cells, one per insertable column. */
struct dz_insert {
  dz_cte *aWith; int nWith;
  const dz_table *pTable;
  const dz_column **apCol; int nCol;   /* insert column list, table order */
  dz_chunk *aCell; int nRow;           /* nRow * nCol cells (PARAM / SQL / TEXT "default") */
  dz_select *pSelect;                  /* insert ... select (instead of values) */
  dz_sql *pSelectSql;                  /* insert ... <sql> */
  dz_conflict *aConflict; int nConflict;
  int bIgnore;                         /* mysql insert ignore */
  dz_field *aReturning; int nReturning; int bReturning;
};

struct dz_update {
  dz_cte *aWith; int nWith;
  const dz_table *pTable;
  dz_set_item *aSet; int nSet;
  dz_chunk from;                 /* update ... from */
  dz_join *aJoin; int nJoin;
  dz_sql *pWhere;
  dz_chunk *aOrderBy; int nOrderBy;
  dz_chunk limit;
  dz_field *aReturning; int nReturning; int bReturning;
};

struct dz_delete {
  dz_cte *aWith; int nWith;
  const dz_table *pTable;
  dz_sql *pWhere;
  dz_chunk *aOrderBy; int nOrderBy;
  dz_chunk limit;
  dz_field *aReturning; int nReturning; int bReturning;
};

/* ------------------------------------------------------------ rendering */

typedef enum dz_casing { DZ_CASING_NONE = 0, DZ_CASING_SNAKE, DZ_CASING_CAMEL } dz_casing;

typedef struct dz_dialect dz_dialect;
extern const dz_dialect dz_dialect_sqlite;
extern const dz_dialect dz_dialect_pg;
extern const dz_dialect dz_dialect_mysql;

/* Feature bits: what a dialect can render. render.c refuses the rest with
** a message naming the dialect; the binding asks them through
** dz_dialect_features(). */
#define DZ_F_RETURNING     0x0001u
#define DZ_F_DISTINCT_ON   0x0002u
#define DZ_F_FULL_JOIN     0x0004u
#define DZ_F_LATERAL       0x0008u
#define DZ_F_LOCKING       0x0010u
#define DZ_F_UPDATE_FROM   0x0020u
#define DZ_F_SETOP_PARENS  0x0040u  /* (a) union (b): pg and mysql */
#define DZ_F_INSERT_DEFAULT 0x0080u /* a missing insert value is `default` (pg/mysql) */
#define DZ_F_ORDER_LIMIT_DML 0x0100u /* update/delete ... order by ... limit */
#define DZ_F_SETOP_ALL_EXCEPT 0x0200u /* intersect all / except all */
#define DZ_F_SCHEMA_IN_SELECTION 0x0400u /* selected columns keep their schema ("s"."t"."c"): pg, mysql */

unsigned dz_dialect_features(const dz_dialect *d);

/* Look a dialect up by name ("sqlite", "pg", "mysql"); NULL if unknown. */
const dz_dialect *dz_dialect_find(const char *zName);
const char *dz_dialect_name(const dz_dialect *d);

/* One rendered param: the value and the tag its chunk carried. */
typedef struct dz_param {
  dz_value v;
  int iTag;
} dz_param;

/* The output of a render: SQL text plus params, reused across renders. */
#define DZ_RENDER_BARE_COLUMNS 0x1u  /* every column as "name" only (invokeSource 'indexes') */
#define DZ_RENDER_INLINE       0x2u  /* every param inlined as a literal */

typedef struct dz_render {
  const dz_dialect *pDialect;
  dz_casing eCasing;
  unsigned mFlags;                   /* DZ_RENDER_*: set by the caller before a render */
  dz_buf sql;
  dz_param *aParam; int nParam, nParamAlloc;
  int rc;
  char zErr[512];
} dz_render;

void dz_render_init(dz_render *r, const dz_dialect *d, dz_casing casing);
void dz_render_reset(dz_render *r);      /* clears text/params/error, keeps buffers */
void dz_render_free(dz_render *r);

/* Each returns DZ_OK, or an error code with r->zErr set. */
int dz_render_sql(dz_render *r, const dz_sql *p);
int dz_render_select(dz_render *r, const dz_select *s);
int dz_render_insert(dz_render *r, const dz_insert *s);
int dz_render_update(dz_render *r, const dz_update *s);
int dz_render_delete(dz_render *r, const dz_delete *s);

/* The sql template text of d.sql("a ? b ?? c", x): the literal parts
** between "?" marks ("??" is a literal "?"), k marks giving k + 1 parts.
** xPart gets each part in order (bytes in *pBuf, valid during the call).
** Returns DZ_OK, DZ_NOMEM, or the first non-zero xPart result (template.c). */
int dz_template_split(const char *z, size_t n, dz_buf *pBuf,
                      int (*xPart)(void *pCtx, const char *zPart, size_t nPart), void *pCtx);

/* Escape helpers of the dialect, for DDL and callers outside statements. */
void dz_quote_ident(const dz_dialect *d, dz_buf *b, const char *z, size_t n);
void dz_quote_string(const dz_dialect *d, dz_buf *b, const char *z, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* DZ_H */
