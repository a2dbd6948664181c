/*
** driver_sqlite.c: the dz_driver over the sqlite3 C API.
**
** Why it looks the way it does:
**   - A dz_conn is the sqlite3* itself and a dz_stmt is the sqlite3_stmt*
**     itself (cast to our opaque types). No wrapper means nothing of ours to
**     allocate, nothing to leak on an error path, and no extra indirection
**     on the hot path (one xStep + one xColumn per cell when reading rows).
**     Everything sqlite allocates is sqlite's, freed by sqlite.
**   - Connections open READWRITE|CREATE|URI (so "file:x.db?mode=ro" works)
**     and NOMUTEX: a connection belongs to one Lua state, which is never
**     used from two threads at once, so sqlite's per-connection mutex is pure
**     cost. Extended result codes are on, so errors say
**     SQLITE_CONSTRAINT_UNIQUE rather than SQLITE_CONSTRAINT.
**   - PRAGMA foreign_keys = ON at open. better-sqlite3 leaves sqlite's
**     default (off), but Drizzle schemas declare references() and users
**     expect them enforced, as they are on pg and mysql; a silent no-op
**     constraint is the surprising choice. Turn it off per connection with
**     xExec("PRAGMA foreign_keys = OFF") (e.g. around a migration).
**   - Double-quoted string literals are off for DML (SQLITE_DBCONFIG_DQS_DML,
**     as better-sqlite3 builds with SQLITE_DQS=0): Drizzle quotes every
**     identifier with "", and with DQS a misspelt column ("nmae") would
**     silently become the string 'nmae' instead of an error.
**   - busy_timeout 5000 ms, so a second writer waits instead of failing
**     at once with SQLITE_BUSY.
**   - Statements are prepared with SQLITE_PREPARE_PERSISTENT: the binding
**     caches prepared statements per connection, and a one-shot statement
**     loses nothing by the hint.
**   - Text and blobs bind SQLITE_STATIC: no copy. The caller (the Lua
**     binding) keeps the bytes alive and unchanged until the statement is
**     reset, rebound or finalized (sqlite reads a parameter whenever the
**     program reaches it, on any step, not only the first); xReset clears
**     the bindings so no borrowed pointer outlives that. driver.h, "Lifetimes".
*/
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "dz_driver.h"

#define CONN_DB(p)   ((sqlite3*)(p))
#define STMT_VM(p)   ((sqlite3_stmt*)(p))

/* ----------------------------------------------------------- error names */

/* Symbolic names for result codes, so a QueryError can be matched on
** "SQLITE_CONSTRAINT_UNIQUE" as better-sqlite3 users do (err.code).
** Codes newer than the oldest sqlite we support are guarded by #ifdef. */
#define CODE(X) { X, #X }
static const struct { int iCode; const char *zName; } aCodeName[] = {
  CODE(SQLITE_ERROR), CODE(SQLITE_INTERNAL), CODE(SQLITE_PERM),
  CODE(SQLITE_ABORT), CODE(SQLITE_BUSY), CODE(SQLITE_LOCKED),
  CODE(SQLITE_NOMEM), CODE(SQLITE_READONLY), CODE(SQLITE_INTERRUPT),
  CODE(SQLITE_IOERR), CODE(SQLITE_CORRUPT), CODE(SQLITE_NOTFOUND),
  CODE(SQLITE_FULL), CODE(SQLITE_CANTOPEN), CODE(SQLITE_PROTOCOL),
  CODE(SQLITE_EMPTY), CODE(SQLITE_SCHEMA), CODE(SQLITE_TOOBIG),
  CODE(SQLITE_CONSTRAINT), CODE(SQLITE_MISMATCH), CODE(SQLITE_MISUSE),
  CODE(SQLITE_NOLFS), CODE(SQLITE_AUTH), CODE(SQLITE_FORMAT),
  CODE(SQLITE_RANGE), CODE(SQLITE_NOTADB), CODE(SQLITE_NOTICE),
  CODE(SQLITE_WARNING),
  CODE(SQLITE_CONSTRAINT_CHECK), CODE(SQLITE_CONSTRAINT_COMMITHOOK),
  CODE(SQLITE_CONSTRAINT_FOREIGNKEY), CODE(SQLITE_CONSTRAINT_FUNCTION),
  CODE(SQLITE_CONSTRAINT_NOTNULL), CODE(SQLITE_CONSTRAINT_PRIMARYKEY),
  CODE(SQLITE_CONSTRAINT_TRIGGER), CODE(SQLITE_CONSTRAINT_UNIQUE),
  CODE(SQLITE_CONSTRAINT_VTAB), CODE(SQLITE_CONSTRAINT_ROWID),
#ifdef SQLITE_CONSTRAINT_PINNED
  CODE(SQLITE_CONSTRAINT_PINNED),
#endif
#ifdef SQLITE_CONSTRAINT_DATATYPE
  CODE(SQLITE_CONSTRAINT_DATATYPE),
#endif
  CODE(SQLITE_BUSY_RECOVERY), CODE(SQLITE_BUSY_SNAPSHOT),
#ifdef SQLITE_BUSY_TIMEOUT
  CODE(SQLITE_BUSY_TIMEOUT),
#endif
  CODE(SQLITE_LOCKED_SHAREDCACHE),
  CODE(SQLITE_READONLY_RECOVERY), CODE(SQLITE_READONLY_CANTLOCK),
  CODE(SQLITE_READONLY_ROLLBACK), CODE(SQLITE_READONLY_DBMOVED),
#ifdef SQLITE_READONLY_DIRECTORY
  CODE(SQLITE_READONLY_DIRECTORY),
#endif
  CODE(SQLITE_CANTOPEN_NOTEMPDIR), CODE(SQLITE_CANTOPEN_ISDIR),
  CODE(SQLITE_CANTOPEN_FULLPATH),
  CODE(SQLITE_IOERR_READ), CODE(SQLITE_IOERR_SHORT_READ),
  CODE(SQLITE_IOERR_WRITE), CODE(SQLITE_IOERR_FSYNC),
  CODE(SQLITE_IOERR_NOMEM), CODE(SQLITE_IOERR_LOCK),
  CODE(SQLITE_CORRUPT_VTAB), CODE(SQLITE_ABORT_ROLLBACK),
  CODE(SQLITE_AUTH_USER),
};
#undef CODE

/* The symbolic name of an (extended) result code into zOut; unknown
** codes come out as "SQLITE_<number>". Error path only: a linear scan. */
static void codeName(int iCode, char *zOut, size_t nOut){
  size_t i;
  for(i=0; i<sizeof(aCodeName)/sizeof(aCodeName[0]); i++){
    if( aCodeName[i].iCode==iCode ){
      snprintf(zOut, nOut, "%s", aCodeName[i].zName);
      return;
    }
  }
  snprintf(zOut, nOut, "SQLITE_%d", iCode);
}

/* Fill *pErr from sqlite's account of result code rc (an extended code)
** and map it to a dz_rc: out-of-memory stays DZ_NOMEM so the binding can
** raise a memory error; everything else is DZ_DRIVER. db may be NULL
** (sqlite3_open_v2 could not even allocate the handle). */
static int sqlErr(sqlite3 *db, int rc, dz_dberr *pErr){
  int dzrc = (rc & 0xff)==SQLITE_NOMEM ? DZ_NOMEM : DZ_DRIVER;
  if( pErr==NULL ) return dzrc;
  dz_dberr_clear(pErr);
  pErr->iCode = rc;
  codeName(rc, pErr->zCodeName, sizeof(pErr->zCodeName));
  snprintf(pErr->zMsg, sizeof(pErr->zMsg), "%s",
           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  return dzrc;
}

/* ------------------------------------------------------------ connection */

/* Apply the per-connection settings described in the file header. */
static int configure(sqlite3 *db, dz_dberr *pErr){
  int rc;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
#ifdef SQLITE_DBCONFIG_DQS_DML
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int*)0);
#endif
  rc = sqlite3_exec(db, "PRAGMA foreign_keys = ON", 0, 0, 0);
  return rc==SQLITE_OK ? DZ_OK : sqlErr(db, rc, pErr);
}

/* Open zTarget (file name, ":memory:" or file: URI). On any failure the
** half-opened handle is closed, so nothing leaks and *ppConn is NULL. */
static int sqliteOpen(const char *zTarget, int flags, dz_conn **ppConn, dz_dberr *pErr){
  sqlite3 *db = NULL;
  int rc;
  int mOpen = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
#ifdef SQLITE_OPEN_EXRESCODE
  mOpen |= SQLITE_OPEN_EXRESCODE;
#endif
  *ppConn = NULL;
  if( zTarget==NULL ){
    return dz_dberr_set(pErr, DZ_MISUSE, "sqlite: no database name (use \":memory:\" for an in-memory database)");
  }
  if( flags & DZ_OPEN_READONLY ){
    mOpen |= SQLITE_OPEN_READONLY;
  }else{
    mOpen |= SQLITE_OPEN_READWRITE;
    if( (flags & DZ_OPEN_NOCREATE)==0 ) mOpen |= SQLITE_OPEN_CREATE;
  }
  rc = sqlite3_open_v2(zTarget, &db, mOpen, NULL);
  if( rc!=SQLITE_OK ){
    rc = sqlErr(db, db ? sqlite3_extended_errcode(db) : rc, pErr);
    sqlite3_close(db);   /* harmless on NULL */
    return rc;
  }
  rc = configure(db, pErr);
  if( rc!=DZ_OK ){
    sqlite3_close(db);
    return rc;
  }
  *ppConn = (dz_conn*)db;
  return DZ_OK;
}

/* close_v2: if statements are still alive (the Lua GC finalizes in any
** order), sqlite keeps a zombie handle and frees it with the last one. */
static void sqliteClose(dz_conn *pConn){
  if( pConn ) sqlite3_close_v2(CONN_DB(pConn));
}

/* ------------------------------------------------------------ statements */

/* Does anything other than whitespace, ';' and comments remain in
** [z, zEnd)? Used to refuse a second statement after the first without
** compiling it (compiling could fail for unrelated reasons, e.g. a table
** the first statement would create). */
static int hasMoreSql(const char *z, const char *zEnd){
  while( z<zEnd ){
    char c = *z;
    if( c==' ' || c=='\t' || c=='\n' || c=='\r' || c=='\f' || c=='\v' || c==';' ){
      z++;
    }else if( c=='-' && z+1<zEnd && z[1]=='-' ){
      while( z<zEnd && *z!='\n' ) z++;
    }else if( c=='/' && z+1<zEnd && z[1]=='*' ){
      z += 2;
      while( z+1<zEnd && !(z[0]=='*' && z[1]=='/') ) z++;
      z += 2;
    }else{
      return 1;
    }
  }
  return 0;
}

/* Compile exactly one statement; see driver.h. */
static int sqlitePrepare(dz_conn *pConn, const char *zSql, size_t nSql,
                         dz_stmt **ppStmt, dz_dberr *pErr){
  sqlite3 *db = CONN_DB(pConn);
  sqlite3_stmt *pStmt = NULL;
  const char *zTail = NULL;
  int rc;
  *ppStmt = NULL;
  if( zSql==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "sqlite: no SQL text");
  if( nSql>(size_t)INT_MAX ){
    return dz_dberr_set(pErr, DZ_MISUSE, "sqlite: SQL text too long (%zu bytes)", nSql);
  }
  rc = sqlite3_prepare_v3(db, zSql, (int)nSql, SQLITE_PREPARE_PERSISTENT, &pStmt, &zTail);
  if( rc!=SQLITE_OK ) return sqlErr(db, rc, pErr);
  if( pStmt==NULL ){
    return dz_dberr_set(pErr, DZ_MISUSE, "The supplied SQL string contains no statements");
  }
  if( zTail && hasMoreSql(zTail, zSql+nSql) ){
    sqlite3_finalize(pStmt);
    return dz_dberr_set(pErr, DZ_MISUSE,
        "The supplied SQL string contains more than one statement (use exec for scripts)");
  }
  *ppStmt = (dz_stmt*)pStmt;
  return DZ_OK;
}

/* Bind one value to parameter iParam (1-based). Text and blob bytes are
** bound SQLITE_STATIC (borrowed). A NULL pointer with a length of 0 must
** still bind an empty string/blob, not SQL NULL, hence the "". */
static int bindOne(sqlite3_stmt *pStmt, int iParam, const dz_value *pVal, dz_dberr *pErr){
  int rc;
  switch( pVal->t ){
    case DZ_NULL:  rc = sqlite3_bind_null(pStmt, iParam); break;
    case DZ_INT:   rc = sqlite3_bind_int64(pStmt, iParam, pVal->u.i); break;
    case DZ_FLOAT: rc = sqlite3_bind_double(pStmt, iParam, pVal->u.f); break;
    case DZ_BOOL:  rc = sqlite3_bind_int(pStmt, iParam, pVal->u.i!=0); break;
    case DZ_TEXT:
      rc = sqlite3_bind_text64(pStmt, iParam, pVal->u.s.z ? pVal->u.s.z : "",
                               (sqlite3_uint64)pVal->u.s.n, SQLITE_STATIC, SQLITE_UTF8);
      break;
    case DZ_BLOB:
      rc = sqlite3_bind_blob64(pStmt, iParam, pVal->u.s.z ? pVal->u.s.z : "",
                               (sqlite3_uint64)pVal->u.s.n, SQLITE_STATIC);
      break;
    case DZ_PLACEHOLDER:
      return dz_dberr_set(pErr, DZ_MISUSE, "placeholder not filled: \"%.*s\" (parameter %d)",
                          (int)(pVal->u.s.n > 200 ? 200 : pVal->u.s.n),
                          pVal->u.s.z ? pVal->u.s.z : "", iParam);
    default:
      return dz_dberr_set(pErr, DZ_MISUSE, "parameter %d has unknown value type %d",
                          iParam, (int)pVal->t);
  }
  return rc==SQLITE_OK ? DZ_OK : sqlErr(sqlite3_db_handle(pStmt), rc, pErr);
}

/* Bind all parameters. Resets first (binding needs a ready statement). On
** failure every binding is cleared, so no borrowed pointer is left behind. */
static int sqliteBind(dz_stmt *p, const dz_value *aVal, int nVal, dz_dberr *pErr){
  sqlite3_stmt *pStmt = STMT_VM(p);
  int nParam = sqlite3_bind_parameter_count(pStmt);
  int i, rc;
  if( nVal!=nParam ){
    return dz_dberr_set(pErr, DZ_MISUSE, "statement expects %d parameter%s, got %d",
                        nParam, nParam==1 ? "" : "s", nVal);
  }
  sqlite3_reset(pStmt);
  for(i=0; i<nVal; i++){
    rc = bindOne(pStmt, i+1, &aVal[i], pErr);
    if( rc!=DZ_OK ){
      sqlite3_clear_bindings(pStmt);
      return rc;
    }
  }
  return DZ_OK;
}

/* Hot path: one call per row. */
static int sqliteStep(dz_stmt *p, dz_dberr *pErr){
  int rc = sqlite3_step(STMT_VM(p));
  if( rc==SQLITE_ROW ) return DZ_ROW;
  if( rc==SQLITE_DONE ) return DZ_DONE;
  return sqlErr(sqlite3_db_handle(STMT_VM(p)), rc, pErr);
}

static int sqliteColumnCount(dz_stmt *p){
  return sqlite3_column_count(STMT_VM(p));
}

static const char *sqliteColumnName(dz_stmt *p, int i){
  return sqlite3_column_name(STMT_VM(p), i);
}

/* Hot path: one call per cell. Decode by the cell's storage class, which
** is what better-sqlite3 does (no declared-type coercion here; the column
** mappers above decide what a value means). No allocation for UTF-8
** databases: sqlite hands out pointers into its row. The only way
** sqlite3_column_text can return NULL for a TEXT cell is an out-of-memory
** while converting a UTF-16 database; that cell reads as NULL. */
static void sqliteColumn(dz_stmt *p, int i, dz_value *pOut){
  sqlite3_stmt *pStmt = STMT_VM(p);
  const void *z;
  switch( sqlite3_column_type(pStmt, i) ){
    case SQLITE_INTEGER:
      pOut->t = DZ_INT;
      pOut->u.i = sqlite3_column_int64(pStmt, i);
      return;
    case SQLITE_FLOAT:
      pOut->t = DZ_FLOAT;
      pOut->u.f = sqlite3_column_double(pStmt, i);
      return;
    case SQLITE_TEXT:
      z = sqlite3_column_text(pStmt, i);           /* text first, then bytes */
      if( z==NULL ){ pOut->t = DZ_NULL; return; }
      pOut->t = DZ_TEXT;
      pOut->u.s.z = (const char*)z;
      pOut->u.s.n = (size_t)sqlite3_column_bytes(pStmt, i);
      return;
    case SQLITE_BLOB:
      z = sqlite3_column_blob(pStmt, i);
      pOut->t = DZ_BLOB;
      pOut->u.s.n = (size_t)sqlite3_column_bytes(pStmt, i);
      pOut->u.s.z = z ? (const char*)z : "";      /* a zero-length blob has no pointer */
      return;
    default:
      pOut->t = DZ_NULL;
      return;
  }
}

static int sqliteColumnDbType(dz_stmt *p, int i){
  return sqlite3_column_type(STMT_VM(p), i);
}

/* sqlite3_reset repeats the last step's error; xStep already reported it.
** The bindings are cleared too: they borrow the caller's bytes, which the
** caller may release once the statement is reset (driver.h, "Lifetimes"). */
static int sqliteReset(dz_stmt *p){
  sqlite3_reset(STMT_VM(p));
  sqlite3_clear_bindings(STMT_VM(p));
  return DZ_OK;
}

static void sqliteFinalize(dz_stmt *p){
  sqlite3_finalize(STMT_VM(p));     /* harmless on NULL */
}

static int64_t sqliteChanges(dz_conn *pConn){
#if SQLITE_VERSION_NUMBER >= 3037000
  return (int64_t)sqlite3_changes64(CONN_DB(pConn));
#else
  return (int64_t)sqlite3_changes(CONN_DB(pConn));
#endif
}

static int64_t sqliteLastInsertId(dz_conn *pConn){
  return (int64_t)sqlite3_last_insert_rowid(CONN_DB(pConn));
}

/* Scripts and transaction control; any rows are discarded. */
static int sqliteExec(dz_conn *pConn, const char *zSql, dz_dberr *pErr){
  int rc;
  if( zSql==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "sqlite: no SQL text");
  rc = sqlite3_exec(CONN_DB(pConn), zSql, 0, 0, 0);
  return rc==SQLITE_OK ? DZ_OK : sqlErr(CONN_DB(pConn), rc, pErr);
}

const dz_driver dz_driver_sqlite = {
  "sqlite",
  sqliteOpen,
  sqliteClose,
  sqlitePrepare,
  sqliteBind,
  sqliteStep,
  sqliteColumnCount,
  sqliteColumnName,
  sqliteColumn,
  sqliteColumnDbType,
  sqliteReset,
  sqliteFinalize,
  sqliteChanges,
  sqliteLastInsertId,
  sqliteExec,
  NULL,            /* xSetNotice: sqlite has no server notices */
  NULL,            /* xBroken: an embedded database is never disconnected */
  NULL,            /* xReconnect */
  NULL,            /* xBatch: every statement is already a local call */
  NULL,            /* xStreamNext: sqlite3_step already reads row by row */
};
