/*
** test_driver_sqlite.c: the sqlite dz_driver against a real sqlite3, with
** no Lua in the way, so a driver bug shows up here and not as a puzzling
** spec failure three layers up.
**
** Covers: every dz_value type round-tripped exactly (int64 limits, a double,
** text with an embedded NUL, blobs, empty text/blob, NULL, bool), statement
** reuse through reset, changes / last insert id, transactions through exec,
** and the error paths users match on (SQLITE_ERROR, the SQLITE_CONSTRAINT_*
** names, misuse). Runs on ":memory:" and on a temporary file. Prints one
** ok / FAIL line per check; exit status 0 only when all pass.
**
** Build: cc -std=c11 -Icore -Icore/include spec/c/test_driver_sqlite.c \
**        build/libdzcore.a -lsqlite3
*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dz_driver.h"

static int nFail = 0;
static int nPass = 0;

/* Record one check; the message says what was expected. */
static int check(int bOk, const char *zWhat, const char *zCtx){
  if( bOk ){
    nPass++;
    printf("ok   %s [%s]\n", zWhat, zCtx);
  }else{
    nFail++;
    printf("FAIL %s [%s]\n", zWhat, zCtx);
  }
  return bOk;
}

#define D (&dz_driver_sqlite)

/* Exec that must succeed. */
static void mustExec(dz_conn *pConn, const char *zSql, const char *zCtx){
  dz_dberr err;
  int rc = D->xExec(pConn, zSql, &err);
  if( !check(rc==DZ_OK, zSql, zCtx) ) printf("     -> rc=%d %s: %s\n", rc, err.zCodeName, err.zMsg);
}

static dz_stmt *mustPrepare(dz_conn *pConn, const char *zSql, const char *zCtx){
  dz_dberr err;
  dz_stmt *pStmt = NULL;
  int rc = D->xPrepare(pConn, zSql, strlen(zSql), &pStmt, &err);
  if( !check(rc==DZ_OK && pStmt!=NULL, zSql, zCtx) ){
    printf("     -> rc=%d %s: %s\n", rc, err.zCodeName, err.zMsg);
  }
  return pStmt;
}

/* Exact equality of two values, bytes and all (doubles bitwise). */
static int sameValue(const dz_value *a, const dz_value *b){
  if( a->t!=b->t ) return 0;
  switch( a->t ){
    case DZ_NULL: return 1;
    case DZ_INT: case DZ_BOOL: return a->u.i==b->u.i;
    case DZ_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof(double))==0;
    case DZ_TEXT: case DZ_BLOB:
      return a->u.s.n==b->u.s.n && (a->u.s.n==0 || memcmp(a->u.s.z, b->u.s.z, a->u.s.n)==0);
    default: return 0;
  }
}

static dz_value vInt(int64_t i){ dz_value v; v.t = DZ_INT; v.u.i = i; return v; }
static dz_value vFloat(double f){ dz_value v; v.t = DZ_FLOAT; v.u.f = f; return v; }
static dz_value vNull(void){ dz_value v; v.t = DZ_NULL; v.u.i = 0; return v; }
static dz_value vBool(int b){ dz_value v; v.t = DZ_BOOL; v.u.i = b; return v; }
static dz_value vBytes(dz_type t, const char *z, size_t n){
  dz_value v; v.t = t; v.u.s.z = z; v.u.s.n = n; return v;
}

/* Insert two rows covering every type, read them back, compare exactly. */
static void testRoundTrip(dz_conn *pConn, const char *zCtx){
  static const char aBlob[] = { 0, 1, 2, (char)0xff, 0 };
  dz_value aRow[2][6], v;
  dz_stmt *pIns, *pSel;
  dz_dberr err;
  int r, c, rc;
  char zLabel[64];

  mustExec(pConn, "create table t(id integer primary key, i integer, f real, s text, b blob, n any, bo integer)", zCtx);
  pIns = mustPrepare(pConn, "insert into t(i, f, s, b, n, bo) values (?, ?, ?, ?, ?, ?)", zCtx);
  if( pIns==NULL ) return;

  aRow[0][0] = vInt(INT64_MIN);
  aRow[0][1] = vFloat(3.141592653589793);
  aRow[0][2] = vBytes(DZ_TEXT, "a\0b\xc3\xa9", 5);     /* embedded NUL + UTF-8 */
  aRow[0][3] = vBytes(DZ_BLOB, aBlob, 5);
  aRow[0][4] = vNull();
  aRow[0][5] = vBool(1);
  aRow[1][0] = vInt(INT64_MAX);
  aRow[1][1] = vFloat(-2.5e-300);                      /* (sqlite stores -0.0 as 0.0) */
  aRow[1][2] = vBytes(DZ_TEXT, NULL, 0);                /* empty text, not NULL */
  aRow[1][3] = vBytes(DZ_BLOB, NULL, 0);                /* empty blob, not NULL */
  aRow[1][4] = vFloat(1e300);
  aRow[1][5] = vBool(0);

  for(r=0; r<2; r++){
    rc = D->xBind(pIns, aRow[r], 6, &err);
    check(rc==DZ_OK, "bind every type", zCtx);
    rc = D->xStep(pIns, &err);
    check(rc==DZ_DONE, "insert steps to DZ_DONE", zCtx);
    check(D->xChanges(pConn)==1, "changes() is 1 after one insert", zCtx);
    check(D->xLastInsertId(pConn)==r+1, "lastInsertId() is the new rowid", zCtx);
    D->xReset(pIns);
  }
  D->xFinalize(pIns);

  pSel = mustPrepare(pConn, "select i, f, s, b, n, bo from t order by id", zCtx);
  if( pSel==NULL ) return;
  check(D->xColumnCount(pSel)==6, "column count 6", zCtx);
  check(D->xColumnName(pSel, 2) && strcmp(D->xColumnName(pSel, 2), "s")==0, "column name", zCtx);
  for(r=0; r<2; r++){
    rc = D->xStep(pSel, &err);
    check(rc==DZ_ROW, "select steps to DZ_ROW", zCtx);
    if( rc!=DZ_ROW ) break;
    for(c=0; c<6; c++){
      dz_value want = aRow[r][c];
      if( want.t==DZ_BOOL ) want.t = DZ_INT;            /* sqlite has no booleans */
      D->xColumn(pSel, c, &v);
      snprintf(zLabel, sizeof(zLabel), "row %d col %d reads back exactly", r, c);
      if( !check(sameValue(&v, &want), zLabel, zCtx) ){
        printf("     -> got type %d, want type %d\n", (int)v.t, (int)want.t);
      }
    }
  }
  check(D->xColumnDbType(pSel, 0)==1 /* SQLITE_INTEGER */, "xColumnDbType is the storage class", zCtx);
  check(D->xStep(pSel, &err)==DZ_DONE, "select ends with DZ_DONE", zCtx);
  D->xFinalize(pSel);
}

/* One statement, bound and run several times through reset. */
static void testReuse(dz_conn *pConn, const char *zCtx){
  dz_stmt *pStmt = mustPrepare(pConn, "select ? + 1, ?", zCtx);
  dz_dberr err;
  dz_value a[2], v;
  int k;
  char zBuf[16];
  if( pStmt==NULL ) return;
  for(k=0; k<3; k++){
    snprintf(zBuf, sizeof(zBuf), "x%d", k);
    a[0] = vInt(k*10);
    a[1] = vBytes(DZ_TEXT, zBuf, strlen(zBuf));
    check(D->xBind(pStmt, a, 2, &err)==DZ_OK, "rebind after reset", zCtx);
    check(D->xStep(pStmt, &err)==DZ_ROW, "reused statement yields a row", zCtx);
    D->xColumn(pStmt, 0, &v);
    check(v.t==DZ_INT && v.u.i==k*10+1, "reused statement sees the new param", zCtx);
    D->xColumn(pStmt, 1, &v);
    check(v.t==DZ_TEXT && v.u.s.n==strlen(zBuf) && memcmp(v.u.s.z, zBuf, v.u.s.n)==0,
          "reused statement sees the new text", zCtx);
    check(D->xReset(pStmt)==DZ_OK, "reset", zCtx);
  }
  /* binding mid-step resets implicitly */
  a[0] = vInt(1);
  D->xBind(pStmt, a, 2, &err);
  D->xStep(pStmt, &err);
  a[0] = vInt(41);
  check(D->xBind(pStmt, a, 2, &err)==DZ_OK, "bind while mid-step", zCtx);
  check(D->xStep(pStmt, &err)==DZ_ROW, "step after bind mid-step", zCtx);
  D->xColumn(pStmt, 0, &v);
  check(v.t==DZ_INT && v.u.i==42, "bind mid-step restarted the statement", zCtx);
  D->xFinalize(pStmt);
}

/* Expect a failing step of zSql (bound with aVal) with iCode and zName. */
static void expectStepError(dz_conn *pConn, const char *zSql, const dz_value *aVal, int nVal,
                            int iCode, const char *zName, const char *zMsgPart, const char *zCtx){
  dz_stmt *pStmt = mustPrepare(pConn, zSql, zCtx);
  dz_dberr err;
  int rc;
  if( pStmt==NULL ) return;
  D->xBind(pStmt, aVal, nVal, &err);
  rc = D->xStep(pStmt, &err);
  check(rc==DZ_DRIVER, "violation fails with DZ_DRIVER", zCtx);
  if( !check(err.iCode==iCode && strcmp(err.zCodeName, zName)==0, zName, zCtx) ){
    printf("     -> got %d %s\n", err.iCode, err.zCodeName);
  }
  if( !check(strstr(err.zMsg, zMsgPart)!=NULL, "error message", zCtx) ){
    printf("     -> got \"%s\", want \"%s\"\n", err.zMsg, zMsgPart);
  }
  check(err.zState[0]==0 && err.zDetail[0]==0 && err.zConstraint[0]==0, "pg-only fields empty", zCtx);
  D->xReset(pStmt);
  D->xFinalize(pStmt);
}

static void testErrors(dz_conn *pConn, const char *zCtx){
  dz_dberr err;
  dz_stmt *pStmt = NULL;
  dz_value a[2];
  int rc;

  rc = D->xPrepare(pConn, "selec 1", 7, &pStmt, &err);
  check(rc==DZ_DRIVER && pStmt==NULL, "syntax error fails prepare", zCtx);
  check(err.iCode==1 && strcmp(err.zCodeName, "SQLITE_ERROR")==0, "syntax error is SQLITE_ERROR", zCtx);
  if( !check(strstr(err.zMsg, "syntax error")!=NULL, "syntax error message", zCtx) ) printf("     -> %s\n", err.zMsg);

  mustExec(pConn, "create table u(id integer primary key, name text not null unique, age integer check (age >= 0))", zCtx);
  mustExec(pConn, "create table p(id integer primary key, uid integer references u(id))", zCtx);
  mustExec(pConn, "insert into u(name) values ('x')", zCtx);
  a[0] = vBytes(DZ_TEXT, "x", 1);
  expectStepError(pConn, "insert into u(name) values (?)", a, 1,
                  2067, "SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: u.name", zCtx);
  a[0] = vNull();
  expectStepError(pConn, "insert into u(name) values (?)", a, 1,
                  1299, "SQLITE_CONSTRAINT_NOTNULL", "NOT NULL constraint failed: u.name", zCtx);
  a[0] = vBytes(DZ_TEXT, "y", 1); a[1] = vInt(-1);
  expectStepError(pConn, "insert into u(name, age) values (?, ?)", a, 2,
                  275, "SQLITE_CONSTRAINT_CHECK", "CHECK constraint failed", zCtx);
  a[0] = vInt(1);
  expectStepError(pConn, "insert into u(id, name) values (?, 'z')", a, 1,
                  1555, "SQLITE_CONSTRAINT_PRIMARYKEY", "UNIQUE constraint failed: u.id", zCtx);
  a[0] = vInt(999);
  expectStepError(pConn, "insert into p(uid) values (?)", a, 1,
                  787, "SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed", zCtx);

  /* misuse: unfilled placeholder, wrong count, unbound pointers cleared */
  pStmt = mustPrepare(pConn, "select ?", zCtx);
  if( pStmt ){
    a[0] = vBytes(DZ_PLACEHOLDER, "id", 2);
    rc = D->xBind(pStmt, a, 1, &err);
    check(rc==DZ_MISUSE, "placeholder binds as DZ_MISUSE", zCtx);
    if( !check(strstr(err.zMsg, "placeholder not filled")!=NULL && strstr(err.zMsg, "\"id\"")!=NULL,
               "placeholder message names it", zCtx) ) printf("     -> %s\n", err.zMsg);
    rc = D->xBind(pStmt, a, 2, &err);
    check(rc==DZ_MISUSE && strstr(err.zMsg, "expects 1 parameter, got 2")!=NULL, "param count mismatch", zCtx);
    D->xFinalize(pStmt);
  }
  pStmt = NULL;
  rc = D->xPrepare(pConn, "select 1; select 2", 18, &pStmt, &err);
  check(rc==DZ_MISUSE && pStmt==NULL, "two statements refused by prepare", zCtx);
  rc = D->xPrepare(pConn, "-- nothing", 10, &pStmt, &err);
  check(rc==DZ_MISUSE && pStmt==NULL && strstr(err.zMsg, "no statements"), "no statement refused", zCtx);
  rc = D->xPrepare(pConn, "select 1; -- trailing\n /* c */ ;", 32, &pStmt, &err);
  check(rc==DZ_OK && pStmt!=NULL, "trailing comments and ; allowed", zCtx);
  D->xFinalize(pStmt);
  pStmt = NULL;
  /* length is honoured: text past nSql is not SQL */
  rc = D->xPrepare(pConn, "select 7 garbage", 8, &pStmt, &err);
  check(rc==DZ_OK && pStmt!=NULL, "nSql bounds the text", zCtx);
  D->xFinalize(pStmt);
  pStmt = NULL;
  rc = D->xPrepare(pConn, "select \"nope\" from u", 20, &pStmt, &err);
  check(rc==DZ_DRIVER && strstr(err.zMsg, "no such column: nope"), "double-quoted string literals off", zCtx);

  rc = D->xExec(pConn, "insert into u(name) values ('x')", &err);
  check(rc==DZ_DRIVER && strcmp(err.zCodeName, "SQLITE_CONSTRAINT_UNIQUE")==0, "exec reports the extended code", zCtx);
}

/* changes(), and begin/rollback through exec really rolling back. */
static int64_t countRows(dz_conn *pConn, const char *zCtx){
  dz_stmt *pStmt = mustPrepare(pConn, "select count(*) from w", zCtx);
  dz_dberr err;
  dz_value v;
  v.t = DZ_NULL; v.u.i = -1;
  if( pStmt==NULL ) return -1;
  if( D->xStep(pStmt, &err)==DZ_ROW ) D->xColumn(pStmt, 0, &v);
  D->xFinalize(pStmt);
  return v.t==DZ_INT ? v.u.i : -1;
}

static void testTransactions(dz_conn *pConn, const char *zCtx){
  mustExec(pConn, "create table w(x); insert into w values (1), (2), (3)", zCtx);
  mustExec(pConn, "update w set x = x + 1 where x >= 2", zCtx);
  check(D->xChanges(pConn)==2, "changes() counts the updated rows", zCtx);
  mustExec(pConn, "begin", zCtx);
  mustExec(pConn, "insert into w values (4)", zCtx);
  mustExec(pConn, "savepoint sp1", zCtx);
  mustExec(pConn, "delete from w", zCtx);
  check(countRows(pConn, zCtx)==0, "delete visible inside the transaction", zCtx);
  mustExec(pConn, "rollback to sp1", zCtx);
  mustExec(pConn, "release sp1", zCtx);
  check(countRows(pConn, zCtx)==4, "rollback to savepoint restores rows", zCtx);
  mustExec(pConn, "rollback", zCtx);
  check(countRows(pConn, zCtx)==3, "rollback drops the insert", zCtx);
  mustExec(pConn, "begin; insert into w values (9); commit", zCtx);
  check(countRows(pConn, zCtx)==4, "commit keeps the insert", zCtx);
}

static void testDatabase(const char *zTarget, const char *zCtx){
  dz_conn *pConn = NULL;
  dz_dberr err;
  int rc = D->xOpen(zTarget, 0, &pConn, &err);
  if( !check(rc==DZ_OK && pConn!=NULL, "open", zCtx) ){
    printf("     -> %s\n", err.zMsg);
    return;
  }
  testRoundTrip(pConn, zCtx);
  testReuse(pConn, zCtx);
  testErrors(pConn, zCtx);
  testTransactions(pConn, zCtx);
  D->xClose(pConn);
}

/* Open failures, flags, lookup, and a statement outliving its connection. */
static void testOpenAndLifetimes(const char *zFile){
  dz_conn *pConn = (dz_conn*)&pConn;
  dz_stmt *pStmt = NULL;
  dz_dberr err;
  int rc;

  check(dz_driver_find("sqlite")==&dz_driver_sqlite, "dz_driver_find(\"sqlite\")", "lookup");
  check(dz_driver_find("oracle")==NULL && dz_driver_find(NULL)==NULL, "unknown driver is NULL", "lookup");

  rc = D->xOpen("/nonexistent-dir/x.db", 0, &pConn, &err);
  check(rc==DZ_DRIVER && pConn==NULL, "open in a missing dir fails", "open");
  if( !check(strcmp(err.zCodeName, "SQLITE_CANTOPEN")==0 && err.zMsg[0], "SQLITE_CANTOPEN", "open") ){
    printf("     -> %d %s: %s\n", err.iCode, err.zCodeName, err.zMsg);
  }
  rc = D->xOpen(NULL, 0, &pConn, &err);
  check(rc==DZ_MISUSE && pConn==NULL, "NULL target is misuse", "open");

  /* read-only on an existing file: writes fail with SQLITE_READONLY */
  rc = D->xOpen(zFile, DZ_OPEN_READONLY, &pConn, &err);
  if( check(rc==DZ_OK, "open read-only", "open") ){
    rc = D->xExec(pConn, "insert into w values (5)", &err);
    check(rc==DZ_DRIVER && strncmp(err.zCodeName, "SQLITE_READONLY", 15)==0, "read-only write refused", "open");
    D->xClose(pConn);
  }

  rc = D->xOpen(":memory:", 0, &pConn, &err);
  if( !check(rc==DZ_OK, "open :memory:", "lifetimes") ) return;
  pStmt = mustPrepare(pConn, "select 'still here'", "lifetimes");
  D->xClose(pConn);                                   /* statement outlives it */
  D->xFinalize(pStmt);                                /* frees the zombie (valgrind) */
  D->xClose(NULL);
  D->xFinalize(NULL);
}

int main(void){
  char zFile[] = "/tmp/dz_test_driver_XXXXXX";
  char zSide[64];
  int fd = mkstemp(zFile);
  testDatabase(":memory:", ":memory:");
  if( check(fd>=0, "mkstemp", "file") ){
    close(fd);
    testDatabase(zFile, "file");
    testOpenAndLifetimes(zFile);
    unlink(zFile);
    snprintf(zSide, sizeof(zSide), "%s-journal", zFile); unlink(zSide);
    snprintf(zSide, sizeof(zSide), "%s-wal", zFile); unlink(zSide);
  }
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail==0 ? 0 : 1;
}
