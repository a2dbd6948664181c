/*
** test_driver_pg.c: the pg dz_driver against a real PostgreSQL server, with
** no Lua in the way.
**
** The server is named by DZ_PG_URL (make test / make ctest run under
** scripts/with_servers.sh, which starts one); without it the test prints
** "skipped: DZ_PG_URL not set" and passes.
**
** Covers: every decoded type (int2/4/8 extremes, oid, float4/8 with NaN and
** the infinities, bool, bytea with NUL bytes) and the text-passed ones
** (numeric, json, jsonb, arrays, timestamps, point, PostGIS geometry, uuid),
** NULLs, statement reuse, errors with SQLSTATE / detail / constraint,
** misuse, DEALLOCATE of finalized statements (also after a failed
** transaction), notices kept off stderr, exec scripts, the pipeline batch
** (timed against one-at-a-time inserts: must be >= 3x faster), and a backend
** killed by pg_terminate_backend: a clean DZ_DRIVER, xBroken, xReconnect,
** and statements that prepare themselves again.
**
** Build: see the Makefile (links build/libdzcore.a -lpq -lsqlite3).
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dz_driver.h"

extern const dz_driver dz_driver_pg;
#define D (&dz_driver_pg)

static int nFail = 0;
static int nPass = 0;

static int check(int bOk, const char *zWhat){
  if( bOk ){ nPass++; printf("ok   %s\n", zWhat); }
  else     { nFail++; printf("FAIL %s\n", zWhat); }
  return bOk;
}

static void showErr(int rc, const dz_dberr *e){
  printf("     -> rc=%d state=%s msg=%s detail=%s constraint=%s\n",
         rc, e->zState, e->zMsg, e->zDetail, e->zConstraint);
}

static void mustExec(dz_conn *c, const char *zSql){
  dz_dberr err;
  int rc = D->xExec(c, zSql, &err);
  if( !check(rc==DZ_OK, zSql) ) showErr(rc, &err);
}

static dz_stmt *mustPrepare(dz_conn *c, const char *zSql){
  dz_dberr err;
  dz_stmt *p = NULL;
  int rc = D->xPrepare(c, zSql, strlen(zSql), &p, &err);
  if( !check(rc==DZ_OK && p!=NULL, zSql) ) showErr(rc, &err);
  return p;
}

static dz_value vInt(int64_t i){ dz_value v; v.t = DZ_INT; v.u.i = i; return v; }
static dz_value vFloat(double f){ dz_value v; v.t = DZ_FLOAT; v.u.f = f; return v; }
static dz_value vNull(void){ dz_value v; v.t = DZ_NULL; v.u.i = 0; return v; }
static dz_value vBool(int b){ dz_value v; v.t = DZ_BOOL; v.u.i = b; return v; }
static dz_value vBytes(dz_type t, const char *z, size_t n){
  dz_value v; v.t = t; v.u.s.z = z; v.u.s.n = n; return v;
}
static dz_value vText(const char *z){ return vBytes(DZ_TEXT, z, strlen(z)); }

/* Bind and step once; returns the step's rc. */
static int run1(dz_stmt *p, const dz_value *a, int n, dz_dberr *pErr){
  int rc = D->xBind(p, a, n, pErr);
  if( rc ) return rc;
  return D->xStep(p, pErr);
}

/* Run a one-row, one-int-column query; -999 on failure. */
static int64_t queryInt(dz_conn *c, const char *zSql){
  dz_dberr err;
  dz_stmt *p = NULL;
  dz_value v;
  int64_t r = -999;
  if( D->xPrepare(c, zSql, strlen(zSql), &p, &err) ){ showErr(-1, &err); return r; }
  if( run1(p, NULL, 0, &err)==DZ_ROW ){
    D->xColumn(p, 0, &v);
    if( v.t==DZ_INT ) r = v.u.i;
  }else{
    showErr(-1, &err);
  }
  D->xFinalize(p);
  return r;
}

static int isText(const dz_value *v, const char *z){
  return v->t==DZ_TEXT && v->u.s.n==strlen(z) && memcmp(v->u.s.z, z, v->u.s.n)==0;
}

static double now(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec/1e9;
}

/* ------------------------------------------------------------------ tests */

static void testOpenFailure(void){
  dz_dberr err;
  dz_conn *c = (dz_conn*)1;
  int rc = D->xOpen("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", 0, &c, &err);
  check(rc==DZ_DRIVER && c==NULL, "open: unreachable server is DZ_DRIVER, no handle");
  check(strcmp(err.zState, "08001")==0 && strstr(err.zMsg, "could not connect")!=NULL,
        "open: SQLSTATE 08001 and a message");
  if( nFail ) showErr(rc, &err);
}

/* Every decoded type, both directions, with NULLs. */
static void testTypes(dz_conn *c){
  static const char aBlob[] = { 'a', 0, 'b', (char)0xff, 0, (char)0x80 };
  dz_dberr err;
  dz_stmt *pIns, *pSel;
  dz_value a[12], v;
  int rc, i;
  mustExec(c, "drop table if exists t_types;"
              "create table t_types(id int primary key, s smallint, i int, b bigint,"
              " r real, d double precision, f boolean, t text, y bytea, y2 bytea, o oid)");
  pIns = mustPrepare(c, "insert into t_types values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)");
  pSel = mustPrepare(c, "select id, s, i, b, r, d, f, t, y, y2, o from t_types where id = $1");
  if( !pIns || !pSel ) return;
  check(D->xColumnCount(pSel)==11, "column count known before the first step");
  check(strcmp(D->xColumnName(pSel, 3), "b")==0, "column name known before the first step");
  check(D->xColumnDbType(pSel, 3)==20 && D->xColumnDbType(pSel, 8)==17, "column OIDs: int8 20, bytea 17");

  /* row 1: extremes */
  a[0] = vInt(1); a[1] = vInt(-32768); a[2] = vInt(2147483647); a[3] = vInt(INT64_MIN);
  a[4] = vFloat(0.1f); a[5] = vFloat(0.1); a[6] = vBool(1); a[7] = vText("h\xc3\xa9llo 'q' \"d\"");
  a[8] = vBytes(DZ_BLOB, aBlob, sizeof(aBlob)); a[9] = vBytes(DZ_BLOB, "", 0); a[10] = vInt(4000000000LL);
  rc = run1(pIns, a, 11, &err);
  if( !check(rc==DZ_DONE, "insert row 1 (extremes)") ) showErr(rc, &err);
  check(D->xChanges(NULL==c ? NULL : c)==1, "changes after insert = 1");
  D->xReset(pIns);
  /* row 2: the other extremes, reusing the statement */
  a[0] = vInt(2); a[1] = vInt(32767); a[2] = vInt(-2147483647-1); a[3] = vInt(INT64_MAX);
  a[4] = vFloat(NAN); a[5] = vFloat(-INFINITY); a[6] = vBool(0); a[7] = vText("");
  a[8] = vBytes(DZ_BLOB, "\0", 1); a[9] = vBytes(DZ_BLOB, "xyz", 3); a[10] = vInt(0);
  rc = run1(pIns, a, 11, &err);
  if( !check(rc==DZ_DONE, "insert row 2 (statement reused)") ) showErr(rc, &err);
  D->xReset(pIns);
  /* row 3: all NULL */
  a[0] = vInt(3);
  for(i=1; i<11; i++) a[i] = vNull();
  rc = run1(pIns, a, 11, &err);
  if( !check(rc==DZ_DONE, "insert row 3 (NULLs)") ) showErr(rc, &err);
  D->xReset(pIns);
  a[0] = vInt(4); a[4] = vFloat(INFINITY); a[5] = vFloat(NAN);
  rc = run1(pIns, a, 11, &err);
  D->xReset(pIns);

  a[0] = vInt(1);
  rc = run1(pSel, a, 1, &err);
  if( check(rc==DZ_ROW, "select row 1") ){
    D->xColumn(pSel, 1, &v); check(v.t==DZ_INT && v.u.i==-32768, "int2 -32768");
    D->xColumn(pSel, 2, &v); check(v.t==DZ_INT && v.u.i==2147483647, "int4 max");
    D->xColumn(pSel, 3, &v); check(v.t==DZ_INT && v.u.i==INT64_MIN, "int8 min exact");
    D->xColumn(pSel, 4, &v); check(v.t==DZ_FLOAT && v.u.f==0.1, "float4 0.1f reads as the double 0.1 (shortest text)");
    D->xColumn(pSel, 5, &v); check(v.t==DZ_FLOAT && v.u.f==0.1, "float8 0.1 exact");
    D->xColumn(pSel, 6, &v); check(v.t==DZ_BOOL && v.u.i==1, "bool true");
    D->xColumn(pSel, 7, &v); check(isText(&v, "h\xc3\xa9llo 'q' \"d\""), "text with UTF-8 and quotes");
    {
      dz_value y, y2;
      D->xColumn(pSel, 8, &y);
      D->xColumn(pSel, 9, &y2);           /* both bytea cells valid at once */
      check(y.t==DZ_BLOB && y.u.s.n==sizeof(aBlob) && memcmp(y.u.s.z, aBlob, sizeof(aBlob))==0,
            "bytea with NUL and high bytes round-trips");
      check(y2.t==DZ_BLOB && y2.u.s.n==0, "empty bytea is an empty blob, not NULL");
    }
    D->xColumn(pSel, 10, &v); check(v.t==DZ_INT && v.u.i==4000000000LL, "oid above 2^31");
    check(D->xStep(pSel, &err)==DZ_DONE, "one row then DZ_DONE");
  }else showErr(rc, &err);
  D->xReset(pSel);

  a[0] = vInt(2);
  rc = run1(pSel, a, 1, &err);
  if( check(rc==DZ_ROW, "select row 2 (statement reused)") ){
    D->xColumn(pSel, 3, &v); check(v.t==DZ_INT && v.u.i==INT64_MAX, "int8 max exact");
    D->xColumn(pSel, 2, &v); check(v.t==DZ_INT && v.u.i==-2147483647-1, "int4 min");
    D->xColumn(pSel, 4, &v); check(v.t==DZ_FLOAT && isnan(v.u.f), "float4 NaN");
    D->xColumn(pSel, 5, &v); check(v.t==DZ_FLOAT && isinf(v.u.f) && v.u.f<0, "float8 -Infinity");
    D->xColumn(pSel, 6, &v); check(v.t==DZ_BOOL && v.u.i==0, "bool false");
    D->xColumn(pSel, 7, &v); check(v.t==DZ_TEXT && v.u.s.n==0, "empty text is text, not NULL");
    D->xColumn(pSel, 8, &v); check(v.t==DZ_BLOB && v.u.s.n==1 && v.u.s.z[0]==0, "bytea of one NUL");
  }else showErr(rc, &err);
  D->xReset(pSel);

  a[0] = vInt(3);
  rc = run1(pSel, a, 1, &err);
  if( check(rc==DZ_ROW, "select row 3") ){
    int bAllNull = 1;
    for(i=1; i<11; i++){ D->xColumn(pSel, i, &v); if( v.t!=DZ_NULL ) bAllNull = 0; }
    check(bAllNull, "every NULL reads as DZ_NULL");
  }
  D->xReset(pSel);
  a[0] = vInt(4);
  rc = run1(pSel, a, 1, &err);
  if( check(rc==DZ_ROW, "select row 4") ){
    D->xColumn(pSel, 4, &v); check(v.t==DZ_FLOAT && isinf(v.u.f) && v.u.f>0, "float4 Infinity");
    D->xColumn(pSel, 5, &v); check(v.t==DZ_FLOAT && isnan(v.u.f), "float8 NaN");
  }
  D->xReset(pSel);
  D->xFinalize(pIns);
  D->xFinalize(pSel);
}

/* Types that come back as the server's text, with their OIDs. */
static void testTextTypes(dz_conn *c){
  struct { const char *zExpr; const char *zText; int oid; } aCase[] = {
    { "12345678901234567890.123456789::numeric", "12345678901234567890.123456789", 1700 },
    { "'{\"a\": [1, 2]}'::json", "{\"a\": [1, 2]}", 114 },
    { "'{\"b\":1, \"a\":2}'::jsonb", "{\"a\": 2, \"b\": 1}", 3802 },
    { "array[1,null,3]::int[]", "{1,NULL,3}", 1007 },
    { "array['a b','c\"d']::text[]", "{\"a b\",\"c\\\"d\"}", 1009 },
    { "'{{1,2},{3,4}}'::int8[]", "{{1,2},{3,4}}", 1016 },
    { "'2024-02-29 13:14:15.123456'::timestamp", "2024-02-29 13:14:15.123456", 1114 },
    { "'2024-02-29 13:14:15+00'::timestamptz at time zone 'UTC'", "2024-02-29 13:14:15", 1114 },
    { "'2024-02-29'::date", "2024-02-29", 1082 },
    { "'1 day 02:03:04'::interval", "1 day 02:03:04", 1186 },
    { "point(1.5, -2)", "(1.5,-2)", 600 },
    { "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", 2950 },
    { "'192.168.0.1/24'::inet", "192.168.0.1/24", 869 },
    { "'ok'::varchar(10)", "ok", 1043 },
  };
  dz_dberr err;
  size_t k;
  char zSql[256];
  dz_value v;
  for(k=0; k<sizeof(aCase)/sizeof(aCase[0]); k++){
    dz_stmt *p;
    int rc;
    snprintf(zSql, sizeof(zSql), "select %s", aCase[k].zExpr);
    p = mustPrepare(c, zSql);
    if( !p ) continue;
    rc = run1(p, NULL, 0, &err);
    if( rc==DZ_ROW ){
      D->xColumn(p, 0, &v);
      if( !check(isText(&v, aCase[k].zText) && D->xColumnDbType(p, 0)==aCase[k].oid, aCase[k].zExpr) ){
        printf("     -> type %d oid %d text %.*s\n", v.t, D->xColumnDbType(p, 0),
               (int)v.u.s.n, v.t==DZ_TEXT ? v.u.s.z : "");
      }
    }else{
      check(0, aCase[k].zExpr); showErr(rc, &err);
    }
    D->xFinalize(p);
  }
  /* PostGIS geometry: the server's text is hex EWKB; the binding decodes it. */
  {
    dz_stmt *p = mustPrepare(c, "select ST_SetSRID(ST_MakePoint(1, 2), 4326)");
    if( p && run1(p, NULL, 0, &err)==DZ_ROW ){
      D->xColumn(p, 0, &v);
      check(isText(&v, "0101000020E6100000000000000000F03F0000000000000040"), "PostGIS geometry as hex EWKB text");
    }
    D->xFinalize(p);
  }
  /* Parameters inferred by the server from context (OID 0): a text that
  ** looks like a number stays what the column makes of it. */
  {
    dz_stmt *p = mustPrepare(c, "select $1::int8 + 1, $2::numeric, $3::text, $4::float8, $5::bool");
    dz_value a[5];
    a[0] = vText("9007199254740993"); a[1] = vText("12E10"); a[2] = vText("12E10");
    a[3] = vFloat(1e300); a[4] = vBool(1);
    if( p && run1(p, a, 5, &err)==DZ_ROW ){
      D->xColumn(p, 0, &v); check(v.t==DZ_INT && v.u.i==9007199254740994LL, "bigint bound as text is exact");
      D->xColumn(p, 1, &v); check(isText(&v, "120000000000"), "numeric from text");
      D->xColumn(p, 2, &v); check(isText(&v, "12E10"), "text stays text");
      D->xColumn(p, 3, &v); check(v.t==DZ_FLOAT && v.u.f==1e300, "double 1e300 round-trips");
      D->xColumn(p, 4, &v); check(v.t==DZ_BOOL && v.u.i==1, "bool param");
    }else{ check(0, "inferred parameters"); showErr(-1, &err); }
    D->xFinalize(p);
  }
  /* Many rows, stepped one at a time. */
  {
    dz_stmt *p = mustPrepare(c, "select g, g*2 from generate_series(1, 1000) g");
    int n = 0, bOk = 1, rc;
    if( p ){
      D->xBind(p, NULL, 0, &err);
      while( (rc = D->xStep(p, &err))==DZ_ROW ){
        n++;
        D->xColumn(p, 1, &v);
        if( v.t!=DZ_INT || v.u.i!=2*n ) bOk = 0;
      }
      check(rc==DZ_DONE && n==1000 && bOk, "1000 rows stepped in order");
      check(D->xChanges(c)==1000, "changes after a select = its row count");
      D->xFinalize(p);
    }
  }
}

static void testErrors(dz_conn *c){
  dz_dberr err;
  dz_stmt *p = NULL;
  dz_value a[2];
  int rc;
  mustExec(c, "drop table if exists t_err; create table t_err(id int primary key, email text constraint t_err_email_key unique)");
  p = mustPrepare(c, "insert into t_err values ($1, $2)");
  if( !p ) return;
  a[0] = vInt(1); a[1] = vText("a@x.io");
  rc = run1(p, a, 2, &err);
  check(rc==DZ_DONE, "first insert");
  D->xReset(p);
  a[0] = vInt(2);
  rc = run1(p, a, 2, &err);
  check(rc==DZ_DRIVER, "unique violation is DZ_DRIVER");
  check(strcmp(err.zState, "23505")==0, "unique violation SQLSTATE 23505");
  check(strcmp(err.zConstraint, "t_err_email_key")==0, "constraint name");
  check(strstr(err.zDetail, "Key (email)=(a@x.io) already exists")!=NULL, "detail");
  check(strstr(err.zMsg, "duplicate key value violates unique constraint")==err.zMsg, "message without severity prefix");
  if( nFail ) showErr(rc, &err);
  D->xReset(p);
  /* misuse */
  a[0] = vBytes(DZ_PLACEHOLDER, "id", 2);
  rc = D->xBind(p, a, 2, &err);
  check(rc==DZ_MISUSE && strstr(err.zMsg, "placeholder not filled")!=NULL, "unfilled placeholder is DZ_MISUSE");
  rc = D->xBind(p, a, 1, &err);
  check(rc==DZ_MISUSE, "wrong parameter count is DZ_MISUSE");
  a[0] = vInt(3); a[1] = vBytes(DZ_TEXT, "a\0b", 3);
  rc = D->xBind(p, a, 2, &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "22021")==0, "text with NUL refused with 22021");
  D->xFinalize(p);
  p = NULL;
  rc = D->xPrepare(c, "select 1; select 2", 18, &p, &err);
  check(rc==DZ_MISUSE && p==NULL, "two statements in xPrepare is DZ_MISUSE");
  rc = D->xPrepare(c, " -- nothing\n ;", 14, &p, &err);
  check(rc==DZ_MISUSE && p==NULL, "no statement in xPrepare is DZ_MISUSE");
  rc = D->xPrepare(c, "selec 1", 7, &p, &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "42601")==0, "syntax error 42601");
  rc = D->xPrepare(c, "select * from no_such_table", 27, &p, &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "42P01")==0, "undefined table 42P01");
  rc = D->xExec(c, "select 1/0", &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "22012")==0, "exec error: division by zero 22012");
  /* SQL text that is not NUL-terminated at nSql */
  rc = D->xPrepare(c, "select 42 garbage", 9, &p, &err);
  if( check(rc==DZ_OK, "xPrepare honours nSql") ){
    dz_value v;
    if( run1(p, NULL, 0, &err)==DZ_ROW ){ D->xColumn(p, 0, &v); check(v.t==DZ_INT && v.u.i==42, "select 42"); }
    D->xFinalize(p);
  }
}

/* Finalized statements are DEALLOCATEd at the next safe moment, even when
** they were finalized inside a failed transaction. */
static void testDeallocate(dz_conn *c){
  dz_dberr err;
  dz_stmt *p;
  int64_t n0, n1, n2;
  int rc;
  const char *zCount = "select count(*) from pg_prepared_statements";
  n0 = queryInt(c, zCount);            /* its own statement counts: n0 >= 1 */
  p = mustPrepare(c, "select 1");
  n1 = queryInt(c, zCount);
  check(n1==n0+1, "a prepared statement is on the server");
  D->xFinalize(p);
  mustExec(c, "select 1");              /* a safe moment: flushes */
  n2 = queryInt(c, zCount);
  check(n2==n0, "finalize + next exec: DEALLOCATEd");
  if( nFail ) printf("     -> %lld %lld %lld\n", (long long)n0, (long long)n1, (long long)n2);

  mustExec(c, "begin");
  p = mustPrepare(c, "select 2");
  rc = D->xExec(c, "select 1/0", &err);
  check(rc==DZ_DRIVER, "error inside a transaction");
  D->xFinalize(p);                      /* in a failed transaction */
  rc = D->xExec(c, "rollback", &err);
  check(rc==DZ_OK, "rollback still works after finalize in a failed transaction");
  n2 = queryInt(c, zCount);
  check(n2==n0, "... and the statement was DEALLOCATEd after the rollback");
  if( nFail ) printf("     -> %lld %lld\n", (long long)n0, (long long)n2);
}

static int nNotice = 0;
static char zLastNotice[256];
static void onNotice(void *pArg, const char *zMsg){
  (void)pArg;
  nNotice++;
  snprintf(zLastNotice, sizeof(zLastNotice), "%s", zMsg);
}

/* Run xExec with stderr sent to a file; returns the bytes written there. */
static long execCapturingStderr(dz_conn *c, const char *zSql){
  char zPath[] = "/tmp/dz_pg_stderr_XXXXXX";
  int fd = mkstemp(zPath), saved;
  long n;
  dz_dberr err;
  if( fd<0 ) return -1;
  fflush(stderr);
  saved = dup(2);
  dup2(fd, 2);
  D->xExec(c, zSql, &err);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  n = (long)lseek(fd, 0, SEEK_END);
  close(fd);
  unlink(zPath);
  return n;
}

static void testNotices(dz_conn *c){
  long n = execCapturingStderr(c, "drop table if exists no_such_table_at_all");
  check(n==0, "notices are not printed to stderr");
  D->xSetNotice(c, onNotice, NULL);
  n = execCapturingStderr(c, "drop table if exists no_such_table_at_all; do $$ begin raise warning 'careful'; end $$");
  check(n==0 && nNotice==2, "the notice callback receives notices and warnings");
  check(strstr(zLastNotice, "WARNING:  careful")==zLastNotice, "notice text with severity, no newline");
  if( nFail ) printf("     -> %d [%s]\n", nNotice, zLastNotice);
  D->xSetNotice(c, NULL, NULL);
}

static void testExecScripts(dz_conn *c){
  dz_dberr err;
  int rc;
  mustExec(c, "drop table if exists t_s; create table t_s(x int); insert into t_s values (1),(2),(3); update t_s set x = x + 1");
  check(D->xChanges(c)==3, "changes of a script = its last command's");
  check(queryInt(c, "select sum(x) from t_s")==9, "script ran every statement");
  rc = D->xExec(c, "insert into t_s values (10); insert into t_s values ('x')", &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "22P02")==0, "script error reported (22P02)");
  check(queryInt(c, "select count(*) from t_s")==3, "a failed script is one implicit transaction");
  mustExec(c, "begin; insert into t_s values (100); savepoint a; insert into t_s values (1000); rollback to savepoint a; commit");
  check(queryInt(c, "select sum(x) from t_s")==109, "transaction with savepoint via exec");
  check(D->xLastInsertId(c)==0, "last insert id is 0 on pg");
}

static void testBatch(dz_conn *c){
  enum { N = 1000 };
  dz_dberr err;
  dz_stmt *pIns, *pSel, *apStmt[N+2];
  dz_value aVal[N][2], aSelVal[1];
  const dz_value *aaVal[N+2];
  int anVal[N+2];
  char azName[N][16];
  double t0, tOne, tBatch;
  int i, rc, bOk;
  dz_value v;
  mustExec(c, "drop table if exists t_b; create table t_b(id int primary key, name text)");
  pIns = mustPrepare(c, "insert into t_b values ($1, $2)");
  pSel = mustPrepare(c, "select name from t_b where id = $1 or id = $1 + 1 order by id");
  if( !pIns || !pSel ) return;
  for(i=0; i<N; i++){
    snprintf(azName[i], sizeof(azName[i]), "n%d", i);
    aVal[i][0] = vInt(i+1);
    aVal[i][1] = vText(azName[i]);
  }
  /* one at a time */
  t0 = now();
  bOk = 1;
  for(i=0; i<N; i++){
    if( run1(pIns, aVal[i], 2, &err)!=DZ_DONE ) bOk = 0;
    D->xReset(pIns);
  }
  tOne = now() - t0;
  check(bOk && queryInt(c, "select count(*) from t_b")==N, "1000 inserts one at a time");
  mustExec(c, "truncate t_b");
  /* pipelined, the same statement N times, then a select in the same batch */
  for(i=0; i<N; i++){ apStmt[i] = pIns; aaVal[i] = aVal[i]; anVal[i] = 2; }
  aSelVal[0] = vInt(5);
  apStmt[N] = pSel; aaVal[N] = aSelVal; anVal[N] = 1;
  t0 = now();
  rc = D->xBatch(c, N+1, apStmt, aaVal, anVal, &err);
  bOk = rc==DZ_OK;
  for(i=0; i<N; i++){
    if( D->xStep(pIns, &err)!=DZ_DONE || D->xChanges(c)!=1 ) bOk = 0;
    D->xReset(pIns);
  }
  tBatch = now() - t0;
  if( !check(bOk, "batch of 1000 inserts: every item DZ_DONE, 1 change each") ) showErr(rc, &err);
  rc = D->xStep(pSel, &err);
  check(rc==DZ_ROW, "batch: the select item has rows");
  D->xColumn(pSel, 0, &v);
  check(isText(&v, "n4"), "batch: row 1 of the select");
  rc = D->xStep(pSel, &err);
  D->xColumn(pSel, 0, &v);
  check(rc==DZ_ROW && isText(&v, "n5"), "batch: row 2 of the select");
  check(D->xStep(pSel, &err)==DZ_DONE, "batch: select done");
  D->xReset(pSel);
  check(queryInt(c, "select count(*) from t_b")==N, "batch inserted 1000 rows");
  printf("     1000 inserts: one at a time %.1f ms, pipelined %.1f ms: %.1fx\n",
         tOne*1e3, tBatch*1e3, tOne/tBatch);
  check(tOne/tBatch>=3.0, "pipelined batch >= 3x faster than one at a time");

  /* Atomic: a failing item rolls back the whole batch. */
  mustExec(c, "truncate t_b");
  aVal[1][0] = vInt(1);                 /* duplicate of item 0 */
  rc = D->xBatch(c, 3, apStmt, aaVal, anVal, &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "23505")==0, "batch: failing item reported (23505)");
  check(D->xStep(pIns, &err)==DZ_DONE, "batch: item 1 ran");
  D->xReset(pIns);
  rc = D->xStep(pIns, &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "23505")==0, "batch: item 2 repeats its error");
  D->xReset(pIns);
  rc = D->xStep(pIns, &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "25P02")==0, "batch: item 3 not run");
  D->xReset(pIns);
  check(queryInt(c, "select count(*) from t_b")==0, "batch: atomic (nothing committed)");
  aVal[1][0] = vInt(2);
  /* A bad value anywhere: nothing is sent. */
  aVal[2][1] = vBytes(DZ_PLACEHOLDER, "x", 1);
  rc = D->xBatch(c, 3, apStmt, aaVal, anVal, &err);
  check(rc==DZ_MISUSE, "batch: unfilled placeholder is DZ_MISUSE");
  check(queryInt(c, "select count(*) from t_b")==0, "batch: nothing ran");
  aVal[2][1] = vText("n2");
  /* Unread results are dropped by the next operation (no leak, no mixup). */
  rc = D->xBatch(c, 3, apStmt, aaVal, anVal, &err);
  check(rc==DZ_OK && queryInt(c, "select count(*) from t_b")==3, "batch: unread results dropped by the next statement");
  D->xFinalize(pIns);
  D->xFinalize(pSel);
}

/* A backend killed from another connection: clean errors, then recovery. */
static void testTerminated(dz_conn *c, const char *zUrl){
  dz_dberr err;
  dz_conn *c2 = NULL;
  dz_stmt *p, *pPid;
  dz_value v, a[1];
  int64_t pid;
  int rc;
  char zSql[96];
  pPid = mustPrepare(c, "select pg_backend_pid() + $1");
  if( !pPid ) return;
  a[0] = vInt(0);
  if( run1(pPid, a, 1, &err)!=DZ_ROW ) return;
  D->xColumn(pPid, 0, &v);
  pid = v.u.i;
  D->xReset(pPid);
  p = mustPrepare(c, "select 1 + $1");
  rc = D->xOpen(zUrl, 0, &c2, &err);
  if( !check(rc==DZ_OK, "second connection") ) return;
  snprintf(zSql, sizeof(zSql), "select pg_terminate_backend(%lld, 5000)", (long long)pid);
  mustExec(c2, zSql);
  check(!D->xBroken(c), "not yet known to be broken");
  a[0] = vInt(1);
  rc = run1(p, a, 1, &err);
  check(rc==DZ_DRIVER, "query on a terminated backend: DZ_DRIVER");
  check(strcmp(err.zState, "57P01")==0 || strcmp(err.zState, "08006")==0, "SQLSTATE 57P01 or 08006");
  check(strstr(err.zMsg, "connection to the server lost")!=NULL, "message says the connection is lost");
  if( nFail ) showErr(rc, &err);
  D->xReset(p);
  check(D->xBroken(c)!=0, "xBroken reports it");
  rc = D->xExec(c, "select 1", &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "08003")==0, "further calls: DZ_DRIVER 08003, no crash");
  rc = D->xReconnect(c, &err);
  if( !check(rc==DZ_OK && !D->xBroken(c), "xReconnect") ) showErr(rc, &err);
  rc = run1(p, a, 1, &err);
  if( check(rc==DZ_ROW, "old statement prepares itself again") ){
    D->xColumn(p, 0, &v);
    check(v.t==DZ_INT && v.u.i==2, "... and gives the right answer");
  }else showErr(rc, &err);
  D->xReset(p);
  a[0] = vInt(0);
  if( run1(pPid, a, 1, &err)==DZ_ROW ){
    D->xColumn(pPid, 0, &v);
    check(v.u.i!=pid, "a new backend");
  }
  D->xFinalize(pPid);
  D->xFinalize(p);
  D->xClose(c2);
}

static void testReadOnly(const char *zUrl){
  dz_dberr err;
  dz_conn *c = NULL;
  int rc = D->xOpen(zUrl, DZ_OPEN_READONLY, &c, &err);
  if( !check(rc==DZ_OK, "open read-only") ) return;
  check(queryInt(c, "select 7")==7, "read-only: reads work");
  rc = D->xExec(c, "create table t_ro(x int)", &err);
  check(rc==DZ_DRIVER && strcmp(err.zState, "25006")==0, "read-only: writes refused (25006)");
  D->xClose(c);
}

/* A statement may outlive its connection (Lua collects in any order). */
static void testLifetimes(const char *zUrl){
  dz_dberr err;
  dz_conn *c = NULL;
  dz_stmt *p;
  int rc;
  if( D->xOpen(zUrl, 0, &c, &err)!=DZ_OK ) return;
  p = mustPrepare(c, "select 1");
  D->xClose(c);
  rc = D->xBind(p, NULL, 0, &err);
  check(rc==DZ_MISUSE && strstr(err.zMsg, "closed")!=NULL, "statement of a closed connection: DZ_MISUSE");
  D->xFinalize(p);
  check(1, "finalize after close");
  D->xClose(NULL);
  D->xFinalize(NULL);
}

int main(void){
  const char *zUrl = getenv("DZ_PG_URL");
  dz_dberr err;
  dz_conn *c = NULL;
  int rc;
  if( zUrl==NULL || zUrl[0]==0 ){
    printf("skipped: DZ_PG_URL not set\n");
    return 0;
  }
  testOpenFailure();
  rc = D->xOpen(zUrl, 0, &c, &err);
  if( !check(rc==DZ_OK, "open DZ_PG_URL") ){ showErr(rc, &err); return 1; }
  check(dz_driver_find("pg")==D, "dz_driver_find(\"pg\")");
  testTypes(c);
  testTextTypes(c);
  testErrors(c);
  testDeallocate(c);
  testNotices(c);
  testExecScripts(c);
  testBatch(c);
  testTerminated(c, zUrl);
  D->xClose(c);
  testLifetimes(zUrl);
  testReadOnly(zUrl);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
