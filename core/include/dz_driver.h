/*
** driver.h: the one interface every database driver implements.
**
** Why a vtable: the session, the Lua binding and the tests talk to SQLite,
** PostgreSQL (libpq) and MariaDB/MySQL (Connector/C) through this struct
** alone, so a driver can be compiled in or left out (DZ_HAVE_PG,
** DZ_HAVE_MYSQL) without touching anything above it, and a test can plug in
** a recording driver. Pure C11; no Lua here.
**
** Shape: it is SQLite's own prepare / bind / step / column / reset cycle.
** That cycle is the cheapest one for SQLite (the hot path of reading rows is
** one xStep plus one xColumn per cell, with no allocation), and the other
** client libraries fit it: libpq's PQexecPrepared result is walked row by
** row, MySQL's mysql_stmt_fetch is a step.
**
** Return codes are dz_rc values. Every function taking a dz_dberr* fills it
** whenever it returns anything other than DZ_OK / DZ_ROW / DZ_DONE (DZ_DRIVER:
** the database refused; DZ_MISUSE: the caller broke a contract, e.g. an
** unfilled placeholder; DZ_NOMEM). pErr may be NULL when the caller does not
** want the details. Nothing here raises, aborts or longjmps.
**
** Lifetimes:
**   - A dz_stmt may outlive the dz_conn that made it (Lua collects in any
**     order): xClose must not free anything a live statement still uses
**     (sqlite: sqlite3_close_v2 keeps a zombie handle until the last
**     statement is finalized). A statement of a closed connection may only
**     be finalized.
**   - xBind borrows the text and blob bytes of aVal: the caller keeps them
**     alive and unchanged until the statement is reset, rebound or
**     finalized: every step may read them, not only the first (sqlite binds
**     them SQLITE_STATIC, with no copy). xReset drops the bindings, so a
**     statement is always bound again before it runs again.
**   - A cell read by xColumn borrows the driver's row: its bytes are valid
**     until the next xStep, xReset or xFinalize of that statement.
*/
#ifndef DZ_DRIVER_H
#define DZ_DRIVER_H

#include "dz.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dz_conn dz_conn;      /* a connection; opaque, one struct per driver */
typedef struct dz_stmt dz_stmt;      /* a prepared statement; opaque per driver */

/* The database's own account of a failure, kept apart from dz_rc so the
** binding can build a drizzle.QueryError with the fields users match on
** (sqlite code name, pg SQLSTATE, mysql errno). Fixed-size arrays: filling
** it on an error path must not allocate, and a failed allocation must still
** be reportable. Every string is NUL-terminated and "" when absent. */
typedef struct dz_dberr {
  int iCode;              /* sqlite extended result code / mysql errno / 0 (pg, misuse, nomem) */
  char zState[8];         /* SQLSTATE; "" when the driver has none (sqlite) */
  char zCodeName[40];     /* sqlite: "SQLITE_CONSTRAINT_UNIQUE"; "" elsewhere */
  char zMsg[1024];        /* primary message (truncated if longer) */
  char zDetail[512];      /* pg only */
  char zConstraint[128];  /* pg only */
} dz_dberr;

/* xOpen flags. 0 means the usual: read-write, create if missing. */
#define DZ_OPEN_READONLY  0x01   /* open read-only (sqlite: SQLITE_OPEN_READONLY) */
#define DZ_OPEN_NOCREATE  0x02   /* fail if the database does not exist (sqlite only) */

typedef struct dz_driver {
  const char *zName;      /* "sqlite" | "pg" | "mysql" */

  /* zTarget: sqlite a file name, ":memory:" or a file: URI; pg a conninfo
  ** string or a postgres:// URL; mysql a URL. On failure *ppConn is NULL and nothing leaks. */
  int (*xOpen)(const char *zTarget, int flags, dz_conn **ppConn, dz_dberr *pErr);
  /* Frees the connection. NULL is a no-op. See "Lifetimes" above. */
  void (*xClose)(dz_conn*);

  /* Compiles exactly one statement (zSql need not be NUL-terminated).
  ** More than one statement, or none, is DZ_MISUSE: use xExec for scripts. */
  int (*xPrepare)(dz_conn*, const char *zSql, size_t nSql, dz_stmt **ppStmt, dz_dberr*);
  /* Binds all parameters 1..nVal; nVal must equal the statement's parameter
  ** count. Resets a statement that was mid-step first. DZ_BOOL binds as an
  ** int on sqlite; DZ_PLACEHOLDER is DZ_MISUSE ("placeholder not filled"). */
  int (*xBind)(dz_stmt*, const dz_value *aVal, int nVal, dz_dberr*);
  int (*xStep)(dz_stmt*, dz_dberr*);                  /* DZ_ROW, DZ_DONE, or an error */
  int (*xColumnCount)(dz_stmt*);
  const char *(*xColumnName)(dz_stmt*, int i);        /* 0-based; NULL only on OOM */
  /* Cell i (0-based) of the current row. Never allocates on the sqlite path
  ** for UTF-8 databases; bytes valid until next step/reset/finalize. */
  void (*xColumn)(dz_stmt*, int i, dz_value *pOut);
  /* Driver-specific type id of cell i: pg type OID, mysql MYSQL_TYPE_*,
  ** sqlite the storage class of the cell (SQLITE_INTEGER..SQLITE_NULL). */
  int (*xColumnDbType)(dz_stmt*, int i);
  int (*xReset)(dz_stmt*);                            /* ready to bind + step again; clears bindings; DZ_OK */
  void (*xFinalize)(dz_stmt*);                        /* NULL is a no-op */

  int64_t (*xChanges)(dz_conn*);                      /* rows changed by the last statement */
  int64_t (*xLastInsertId)(dz_conn*);                 /* sqlite rowid / mysql insert id / 0 */
  /* Runs SQL text with no parameters, discarding any rows: begin, commit,
  ** savepoint, pragmas, migration scripts (several statements allowed). */
  int (*xExec)(dz_conn*, const char *zSql, dz_dberr*);

  /* ---- Optional slots: NULL when a driver has no such thing (sqlite has
  ** none of them). Appended at the end so existing initializers stay valid.
  **
  ** xSetNotice: server notices and warnings (pg NOTICE/WARNING, e.g. "table
  ** does not exist, skipping") are never printed to stderr; with xFn set,
  ** each is passed to xFn(pArg, zMsg) ("NOTICE:  ...", NUL-terminated, no
  ** trailing newline, valid only during the call). xFn NULL drops them
  ** again. Called from inside any driver call that talks to the server. */
  void (*xSetNotice)(dz_conn*, void (*xFn)(void *pArg, const char *zMsg), void *pArg);
  /* Nonzero when the connection to the server is lost (or closed): every
  ** call then fails with DZ_DRIVER until xReconnect succeeds. */
  int (*xBroken)(dz_conn*);
  /* Drops and re-establishes the connection with the same parameters
  ** (pg: PQreset). Session state is gone (open transaction, temp tables,
  ** server-side prepared statements); existing dz_stmt handles stay valid
  ** and prepare themselves again on their next xBind (or xStep/xBatch).
  ** DZ_OK, or DZ_DRIVER with pErr filled (the connection stays broken). */
  int (*xReconnect)(dz_conn*, dz_dberr*);
  /* Runs a batch in one round trip: statement apStmt[i] with the values
  ** aaVal[i][0..anVal[i]) for i = 0..nStmt-1, in order (pg: pipeline mode
  ** with one sync at the end, so outside a transaction block the batch
  ** commits or rolls back as one implicit transaction; inside one, a
  ** failure aborts it as any error would). A statement may appear several
  ** times. The values are read during the call only. Then read the results
  ** in the same order: for each i, xStep apStmt[i] to DZ_DONE (or an
  ** error), reading rows with xColumn as if it had just run, then xReset
  ** it (xChanges after a DZ_DONE is that item's count). Any xBind, xExec,
  ** xPrepare, xFinalize or xBatch on the connection drops unread results.
  ** Returns DZ_OK when every item succeeded; otherwise DZ_DRIVER (or
  ** DZ_MISUSE for a bad binding, then nothing ran) with the first failure
  ** in pErr; stepping the failed item repeats its error and the items after
  ** it report SQLSTATE 25P02 "not run". */
  int (*xBatch)(dz_conn*, int nStmt, dz_stmt *const *apStmt,
                const dz_value *const *aaVal, const int *anVal, dz_dberr*);
  /* Lets the statement's next execution stream its rows from the server
  ** instead of buffering them all first (mysql: no mysql_stmt_store_result),
  ** so rows are decoded while the server is still sending. The caller
  ** promises to read them in one go: nothing else runs on the connection
  ** (no Lua code that might query) until the statement steps to DZ_DONE or
  ** is reset. If that promise is broken all the same (an error thrown half
  ** way), nothing goes out of sync: the next command on the connection
  ** first reads the rest off the wire, and the abandoned statement's next
  ** step fails with DZ_MISUSE until it is bound again. */
  void (*xStreamNext)(dz_stmt*);
} dz_driver;

extern const dz_driver dz_driver_sqlite;

/* mysql: xColumnDbType(p, i) is the column's MYSQL_TYPE_* (a protocol
** number, 0..255: DZ_MYSQL_TYPE(x)) or'ed with these flags, so callers
** need no mysql.h. UNSIGNED: an integer column declared unsigned (BIGINT
** UNSIGNED above INT64_MAX comes back as DZ_TEXT of its digits). BINARY: a
** string/blob type with the binary charset (63); its cells are DZ_BLOB.
** JSON: a JSON column (MySQL 8: type 245 with the binary charset; MariaDB:
** LONGTEXT whose extended metadata format is "json"); cells are DZ_TEXT. */
#define DZ_MYSQL_TYPE(x)     ((x) & 0xff)
#define DZ_MYSQL_UNSIGNED    0x10000
#define DZ_MYSQL_BINARY      0x20000
#define DZ_MYSQL_JSON        0x40000

/* Looks a compiled-in driver up by name ("sqlite", "pg", "mysql").
** NULL when the name is unknown or the driver was not compiled in. */
const dz_driver *dz_driver_find(const char *zName);

/* Helpers for drivers: clear *pErr, or fill it with a message of our own
** (iCode 0, no SQLSTATE) and return rc, so every driver reports misuse and
** out-of-memory the same way. Both accept pErr == NULL. */
void dz_dberr_clear(dz_dberr *pErr);
int dz_dberr_set(dz_dberr *pErr, int rc, const char *zFmt, ...);

#ifdef __cplusplus
}
#endif
#endif /* DZ_DRIVER_H */
