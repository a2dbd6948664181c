/*
** test_driver_mysql.c: the mysql dz_driver against a real MariaDB (or
** MySQL) server, with no Lua in the way.
**
** The server: $DZ_MYSQL_URL (mysql://user:pass@host:port/db), as
** scripts/mysql_server.sh prints it; when unset the test says
** "skipped: DZ_MYSQL_URL not set" and passes.
**
** Covers: every column type decoded as the driver promises (ints at their
** limits, unsigned BIGINT max as exact text, FLOAT/DOUBLE, DECIMAL as exact
** text, strings, 1 MB text through the truncation path, blobs with NUL
** bytes, BINARY padding, JSON, DATE/DATETIME/TIMESTAMP with fsp, signed
** TIME, YEAR, BIT, boolean as tinyint, ENUM) and NULL in each; the
** xColumnDbType flags; errors with errno + SQLSTATE; misuse (two
** statements, unfilled placeholder, wrong parameter count); statement
** reuse; changes / insert id of a 3-row insert; transactions and
** savepoints through exec; scripts with ';' in quotes and comments; a
** connection KILLed from a second connection giving a clean DZ_DRIVER,
** then xReconnect and the same statement working again; a statement that
** outlives its connection; streamed rows (xStreamNext), whole and
** abandoned half way, with a statement finalized during the stream. Prints one ok / FAIL line per check; exit
** status 0 only when all pass. Clean under
** valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1
** with no suppressions (libmariadb keeps 224 bytes "still reachable").
*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dz_driver.h"

static int nFail = 0;
static int nPass = 0;

static int check(int bOk, const char *zWhat){
  if( bOk ){ nPass++; printf("ok   %s\n", zWhat); }
  else{ nFail++; printf("FAIL %s\n", zWhat); }
  return bOk;
}

static const dz_driver *D;

static void showErr(int rc, const dz_dberr *e){
  printf("     -> rc=%d errno=%d state=%s: %s\n", rc, e->iCode, e->zState, e->zMsg);
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

static int isInt(const dz_value *v, int64_t i){ return v->t==DZ_INT && v->u.i==i; }
static int isBytes(const dz_value *v, dz_type t, const char *z, size_t n){
  return v->t==t && v->u.s.n==n && (n==0 || memcmp(v->u.s.z, z, n)==0);
}
static int isText(const dz_value *v, const char *z){ return isBytes(v, DZ_TEXT, z, strlen(z)); }

/* Bind + step once; returns the step's rc. */
static int run(dz_stmt *p, const dz_value *a, int n, dz_dberr *pErr){
  int rc = D->xBind(p, a, n, pErr);
  if( rc!=DZ_OK ) return rc;
  return D->xStep(p, pErr);
}

/* A single integer from a query with no parameters, or -1. */
static int64_t scalar(dz_conn *c, const char *zSql){
  dz_dberr err;
  dz_stmt *p = NULL;
  dz_value v;
  int64_t r = -1;
  if( D->xPrepare(c, zSql, strlen(zSql), &p, &err)!=DZ_OK ){ showErr(-1, &err); return -1; }
  if( run(p, NULL, 0, &err)==DZ_ROW ){
    D->xColumn(p, 0, &v);
    if( v.t==DZ_INT ) r = v.u.i;
  }
  D->xFinalize(p);
  return r;
}

/* ------------------------------------------------------------------ */

static const char *zTypesDdl =
  "drop table if exists ty;\n"
  "-- a comment with a ; in it\n"
  "create table ty (\n"
  "  id int primary key auto_increment,\n"
  "  ti tinyint, si smallint, mi mediumint, i int, bi bigint,\n"
  "  ubi bigint unsigned, ui int unsigned, yr year,\n"
  "  f float, d double, dec1 decimal(30,10),\n"
  "  vc varchar(100), tx text, lt longtext, bl blob, vb varbinary(20), bn binary(4),\n"
  "  js json, dt date, dtm datetime, dtm3 datetime(3), ts6 timestamp(6) null default null,\n"
  "  tm time, tm2 time(2), bt bit(10), bo boolean, en enum('a','b;c'),\n"
  "  note varchar(20) default 'it''s; fine' /* not ; a statement */\n"
  ");";

#define NCOLS 29

static void testTypes(dz_conn *c){
  dz_dberr err;
  dz_stmt *pIns, *pSel;
  dz_value a[NCOLS-2], v;
  int rc, i;
  static const char zBlob[] = { 'a', 0, 'b', (char)0xff, 0 };
  char *zLong = malloc(1<<20);
  const char *zIns =
    "insert into ty (ti, si, mi, i, bi, ubi, ui, yr, f, d, dec1, vc, tx, lt, bl, vb, bn,"
    " js, dt, dtm, dtm3, ts6, tm, tm2, bt, bo, en) values"
    " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  for(i=0; i<(1<<20); i++) zLong[i] = (char)('a' + i%26);

  mustExec(c, zTypesDdl);
  pIns = mustPrepare(c, zIns);
  if( pIns==NULL ){ free(zLong); return; }
  a[0] = vInt(-128); a[1] = vInt(-32768); a[2] = vInt(-8388608);
  a[3] = vInt(-2147483647-1); a[4] = vInt(INT64_MIN);
  a[5] = vText("18446744073709551615"); a[6] = vInt(4294967295LL); a[7] = vInt(2024);
  a[8] = vFloat(1.1); a[9] = vFloat(0.1+0.2);
  a[10] = vText("12345678901234567890.0123456789");
  a[11] = vText("h\xc3\xa9llo \xf0\x9f\x98\x80");    /* 4-byte UTF-8: utf8mb4 */
  a[12] = vBytes(DZ_TEXT, "nul\0inside", 10);
  a[13] = vBytes(DZ_TEXT, zLong, 1<<20);
  a[14] = vBytes(DZ_BLOB, zBlob, 4);
  a[15] = vBytes(DZ_BLOB, "", 0);
  a[16] = vBytes(DZ_BLOB, "ab", 2);
  a[17] = vText("{\"a\":[1,2,{\"b\":null}]}");
  a[18] = vText("2024-01-02"); a[19] = vText("2024-01-02 03:04:05");
  a[20] = vText("2024-01-02 03:04:05.123"); a[21] = vText("2024-01-02 03:04:05.000001");
  a[22] = vText("-838:59:59"); a[23] = vText("12:34:56.78");
  a[24] = vInt(682); a[25] = vBool(1); a[26] = vText("b;c");
  rc = run(pIns, a, NCOLS-2, &err);
  if( !check(rc==DZ_DONE, "insert a row of every type") ) showErr(rc, &err);
  check(D->xChanges(c)==1, "one row changed");
  check(D->xLastInsertId(c)==1, "insert id 1");
  /* a row of NULLs, through the same statement (reuse) */
  for(i=0; i<NCOLS-2; i++) a[i] = vNull();
  rc = run(pIns, a, NCOLS-2, &err);
  if( !check(rc==DZ_DONE, "insert a row of NULLs (statement reused)") ) showErr(rc, &err);
  check(D->xLastInsertId(c)==2, "insert id 2");
  /* and a short row after the long one: the grown buffer must not leak bytes */
  a[13] = vText("short");
  rc = run(pIns, a, NCOLS-2, &err);
  check(rc==DZ_DONE, "insert a third row");
  D->xFinalize(pIns);

  pSel = mustPrepare(c, "select * from ty order by id");
  if( pSel==NULL ){ free(zLong); return; }
  check(D->xColumnCount(pSel)==NCOLS, "29 columns before the first step");
  check(D->xColumnName(pSel, 1) && strcmp(D->xColumnName(pSel, 1), "ti")==0, "column name ti");
  rc = run(pSel, NULL, 0, &err);
  if( !check(rc==DZ_ROW, "first row") ) showErr(rc, &err);
  D->xColumn(pSel, 0, &v); check(isInt(&v, 1), "id 1");
  D->xColumn(pSel, 1, &v); check(isInt(&v, -128), "tinyint -128");
  D->xColumn(pSel, 2, &v); check(isInt(&v, -32768), "smallint -32768");
  D->xColumn(pSel, 3, &v); check(isInt(&v, -8388608), "mediumint -8388608");
  D->xColumn(pSel, 4, &v); check(isInt(&v, -2147483647-1), "int min");
  D->xColumn(pSel, 5, &v); check(isInt(&v, INT64_MIN), "bigint min");
  D->xColumn(pSel, 6, &v); check(isText(&v, "18446744073709551615"), "bigint unsigned max is exact text");
  D->xColumn(pSel, 7, &v); check(isInt(&v, 4294967295LL), "int unsigned max");
  D->xColumn(pSel, 8, &v); check(isInt(&v, 2024), "year 2024");
  D->xColumn(pSel, 9, &v); check(v.t==DZ_FLOAT && v.u.f==1.1, "float 1.1 reads 1.1");
  D->xColumn(pSel, 10, &v); check(v.t==DZ_FLOAT && v.u.f==0.1+0.2, "double exact");
  D->xColumn(pSel, 11, &v); check(isText(&v, "12345678901234567890.0123456789"), "decimal exact text");
  D->xColumn(pSel, 12, &v); check(isText(&v, "h\xc3\xa9llo \xf0\x9f\x98\x80"), "utf8mb4 varchar");
  D->xColumn(pSel, 13, &v); check(isBytes(&v, DZ_TEXT, "nul\0inside", 10), "text with a NUL");
  D->xColumn(pSel, 14, &v); check(isBytes(&v, DZ_TEXT, zLong, 1<<20), "1 MB longtext");
  D->xColumn(pSel, 15, &v); check(isBytes(&v, DZ_BLOB, zBlob, 4), "blob with NUL and 0xff");
  D->xColumn(pSel, 16, &v); check(isBytes(&v, DZ_BLOB, "", 0), "empty varbinary");
  D->xColumn(pSel, 17, &v); check(isBytes(&v, DZ_BLOB, "ab\0\0", 4), "binary(4) padded with NULs");
  D->xColumn(pSel, 18, &v); check(isText(&v, "{\"a\":[1,2,{\"b\":null}]}"), "json as text");
  D->xColumn(pSel, 19, &v); check(isText(&v, "2024-01-02"), "date");
  D->xColumn(pSel, 20, &v); check(isText(&v, "2024-01-02 03:04:05"), "datetime");
  D->xColumn(pSel, 21, &v); check(isText(&v, "2024-01-02 03:04:05.123"), "datetime(3)");
  D->xColumn(pSel, 22, &v); check(isText(&v, "2024-01-02 03:04:05.000001"), "timestamp(6)");
  D->xColumn(pSel, 23, &v); check(isText(&v, "-838:59:59"), "time, negative, > 24 h");
  D->xColumn(pSel, 24, &v); check(isText(&v, "12:34:56.78"), "time(2)");
  D->xColumn(pSel, 25, &v); check(isInt(&v, 682), "bit(10)");
  D->xColumn(pSel, 25, &v); check(isInt(&v, 682), "bit(10) read twice");
  D->xColumn(pSel, 6, &v); check(isText(&v, "18446744073709551615"), "bigint unsigned max read twice");
  D->xColumn(pSel, 22, &v); check(isText(&v, "2024-01-02 03:04:05.000001"), "timestamp(6) read twice");
  D->xColumn(pSel, 26, &v); check(isInt(&v, 1), "boolean is tinyint(1): 1");
  D->xColumn(pSel, 27, &v); check(isText(&v, "b;c"), "enum");
  D->xColumn(pSel, 28, &v); check(isText(&v, "it's; fine"), "default from a script with ; in quotes");

  /* xColumnDbType: type + flags */
  check(DZ_MYSQL_TYPE(D->xColumnDbType(pSel, 6))==8 && (D->xColumnDbType(pSel, 6) & DZ_MYSQL_UNSIGNED),
        "dbtype bigint unsigned: LONGLONG | UNSIGNED");
  check(DZ_MYSQL_TYPE(D->xColumnDbType(pSel, 5))==8 && !(D->xColumnDbType(pSel, 5) & DZ_MYSQL_UNSIGNED),
        "dbtype bigint: LONGLONG, signed");
  check((D->xColumnDbType(pSel, 15) & DZ_MYSQL_BINARY) && !(D->xColumnDbType(pSel, 13) & DZ_MYSQL_BINARY),
        "dbtype blob BINARY, text not");
  check((D->xColumnDbType(pSel, 18) & DZ_MYSQL_JSON)!=0, "dbtype json flag");
  check(!(D->xColumnDbType(pSel, 13) & DZ_MYSQL_JSON), "dbtype text has no json flag");
  check(DZ_MYSQL_TYPE(D->xColumnDbType(pSel, 11))==246, "dbtype decimal NEWDECIMAL (246)");
  check(DZ_MYSQL_TYPE(D->xColumnDbType(pSel, 26))==1, "dbtype boolean TINY (1)");

  rc = D->xStep(pSel, &err);
  check(rc==DZ_ROW, "second row");
  for(i=1; i<NCOLS-1; i++){
    D->xColumn(pSel, i, &v);
    if( v.t!=DZ_NULL ){ printf("     column %d not NULL (t=%d)\n", i, v.t); break; }
  }
  check(i==NCOLS-1, "every column NULL in the second row");
  rc = D->xStep(pSel, &err);
  check(rc==DZ_ROW, "third row");
  D->xColumn(pSel, 14, &v); check(isText(&v, "short"), "short text after a long one");
  rc = D->xStep(pSel, &err);
  check(rc==DZ_DONE, "done after three rows");
  D->xReset(pSel);
  rc = D->xStep(pSel, &err);
  check(rc==DZ_ROW, "reset + step runs again (no parameters)");
  D->xFinalize(pSel);

  /* unsigned bigint around INT64_MAX, in expressions */
  pSel = mustPrepare(c, "select cast(9223372036854775807 as unsigned), cast(9223372036854775808 as unsigned),"
                        " 1.50, cast(null as signed), X'00ff', now(3), 1e0");
  if( pSel && run(pSel, NULL, 0, &err)==DZ_ROW ){
    D->xColumn(pSel, 0, &v); check(isInt(&v, INT64_MAX), "unsigned INT64_MAX is an int");
    D->xColumn(pSel, 1, &v); check(isText(&v, "9223372036854775808"), "unsigned INT64_MAX+1 is text");
    D->xColumn(pSel, 2, &v); check(isText(&v, "1.50"), "decimal literal keeps its scale");
    D->xColumn(pSel, 3, &v); check(v.t==DZ_NULL, "null expression");
    D->xColumn(pSel, 4, &v); check(isBytes(&v, DZ_BLOB, "\0\xff", 2), "hex literal is a blob");
    D->xColumn(pSel, 5, &v); check(v.t==DZ_TEXT && v.u.s.n==23 && v.u.s.z[19]=='.', "now(3) has 3 fractional digits");
    D->xColumn(pSel, 6, &v); check(v.t==DZ_FLOAT && v.u.f==1.0, "double literal");
  }else{
    check(0, "expression select");
  }
  D->xFinalize(pSel);
  free(zLong);
}

static void testErrors(dz_conn *c){
  dz_dberr err;
  dz_stmt *p = NULL;
  dz_value a[2];
  int rc;
  mustExec(c, "drop table if exists u; create table u (id int primary key auto_increment, email varchar(50) unique, n int)");
  p = mustPrepare(c, "insert into u (email, n) values (?, ?)");
  if( p==NULL ) return;
  a[0] = vText("a@x.io"); a[1] = vInt(1);
  check(run(p, a, 2, &err)==DZ_DONE, "first insert");
  rc = run(p, a, 2, &err);
  check(rc==DZ_DRIVER && err.iCode==1062 && strcmp(err.zState, "23000")==0
        && strstr(err.zMsg, "Duplicate entry")!=NULL, "duplicate key: 1062 / 23000");
  if( rc!=DZ_DRIVER ) showErr(rc, &err);
  a[0] = vText("b@x.io");
  check(run(p, a, 2, &err)==DZ_DONE, "statement usable after an error");
  rc = D->xBind(p, a, 1, &err);
  check(rc==DZ_MISUSE && strstr(err.zMsg, "expects 2 parameters, got 1"), "wrong parameter count: misuse");
  a[1].t = DZ_PLACEHOLDER; a[1].u.s.z = "n"; a[1].u.s.n = 1;
  rc = D->xBind(p, a, 2, &err);
  check(rc==DZ_MISUSE && strstr(err.zMsg, "placeholder not filled"), "placeholder: misuse");
  rc = D->xStep(p, &err);
  check(rc==DZ_MISUSE, "step after a failed bind: misuse, not a stale execute");
  D->xFinalize(p);

  p = NULL;
  rc = D->xPrepare(c, "select 1; select 2", 18, &p, &err);
  check(rc==DZ_MISUSE && p==NULL, "two statements: misuse");
  rc = D->xPrepare(c, "select ';' -- ;\n;  /* x */ ", 27, &p, &err);
  check(rc==DZ_OK && p!=NULL, "one statement with ; in quotes, comments and a trailing ;");
  D->xFinalize(p); p = NULL;
  rc = D->xPrepare(c, " -- nothing\n", 12, &p, &err);
  check(rc==DZ_MISUSE && p==NULL, "no statement: misuse");
  rc = D->xPrepare(c, "selec 1", 7, &p, &err);
  check(rc==DZ_DRIVER && err.iCode==1064 && strcmp(err.zState, "42000")==0, "syntax error: 1064 / 42000");
  rc = D->xPrepare(c, "select * from nosuch", 20, &p, &err);
  check(rc==DZ_DRIVER && err.iCode==1146 && strcmp(err.zState, "42S02")==0, "missing table: 1146 / 42S02");
  rc = D->xExec(c, "insert into u (email) values ('a@x.io')", &err);
  check(rc==DZ_DRIVER && err.iCode==1062, "exec reports errors too");
  rc = D->xExec(c, "select 1; insert into u (email) values ('a@x.io'); select 3", &err);
  check(rc==DZ_DRIVER && err.iCode==1062, "a failing statement in a script");
  check(scalar(c, "select 41+1")==42, "connection fine after a failed script");
  rc = D->xExec(c, "select 1; select 2", &err);
  check(rc==DZ_OK, "a script of selects");
  p = NULL;
  rc = D->xPrepare(c, "select 1; select 2", 18, &p, &err);
  check(rc==DZ_MISUSE, "multi-statements are off again after exec");
}

static void testChangesAndTx(dz_conn *c){
  dz_dberr err;
  dz_stmt *p;
  dz_value a[3];
  int rc;
  mustExec(c, "drop table if exists m; create table m (id bigint primary key auto_increment, v int)");
  mustExec(c, "insert into m (v) values (100)");
  check(D->xLastInsertId(c)==1 && D->xChanges(c)==1, "exec: insert id and changes");
  p = mustPrepare(c, "insert into m (v) values (?), (?), (?)");
  if( p==NULL ) return;
  a[0] = vInt(1); a[1] = vInt(2); a[2] = vInt(3);
  rc = run(p, a, 3, &err);
  check(rc==DZ_DONE, "3-row insert");
  check(D->xChanges(c)==3, "3 rows changed");
  check(D->xLastInsertId(c)==2, "insert id is the first of the three (2)");
  D->xFinalize(p);

  p = mustPrepare(c, "update m set v = 2 where v >= ?");
  a[0] = vInt(2);
  rc = run(p, a, 1, &err);
  check(rc==DZ_DONE && D->xChanges(c)==3, "update counts matched rows (found rows, as mysql2), not changed");
  D->xFinalize(p);

  mustExec(c, "begin");
  mustExec(c, "insert into m (v) values (7)");
  mustExec(c, "savepoint s1");
  mustExec(c, "insert into m (v) values (8)");
  mustExec(c, "rollback to savepoint s1");
  mustExec(c, "commit");
  check(scalar(c, "select count(*) from m where v in (7, 8)")==1, "savepoint rolled back alone");
  mustExec(c, "start transaction");
  mustExec(c, "delete from m");
  mustExec(c, "rollback");
  check(scalar(c, "select count(*) from m")==5, "rollback keeps the rows");
}

/* Streamed rows (xStreamNext): read whole, and a stream abandoned half way.
** Then another statement runs first (the rest is read off the wire, the
** abandoned one's next step is DZ_MISUSE, bound again it works), and a
** statement finalized while a stream is open is closed only after it
** (the stream reads on intact). */
static void testStream(dz_conn *c){
  dz_dberr err;
  dz_stmt *pAll, *pOne, *pGone;
  dz_value v;
  int rc, n = 0, bOrder = 1;
  mustExec(c, "drop table if exists st; create table st (id int primary key, s varchar(600))");
  mustExec(c, "insert into st select seq, repeat('x', seq % 600) from seq_1_to_3000");
  pAll = mustPrepare(c, "select id, s from st order by id");
  pOne = mustPrepare(c, "select count(*) from st");
  pGone = mustPrepare(c, "select 1");
  if( pAll==NULL || pOne==NULL || pGone==NULL ) return;

  D->xBind(pAll, NULL, 0, &err);
  D->xStreamNext(pAll);
  while( (rc = D->xStep(pAll, &err))==DZ_ROW ){
    n++;
    D->xColumn(pAll, 0, &v);
    if( !isInt(&v, n) ) bOrder = 0;
    D->xColumn(pAll, 1, &v);
    if( v.t!=DZ_TEXT || v.u.s.n!=(size_t)(n % 600) ) bOrder = 0;
    if( n==1000 ) D->xFinalize(pGone);   /* as the garbage collector may */
  }
  check(rc==DZ_DONE && n==3000 && bOrder, "stream: 3000 rows in order, a statement finalized half way");
  check(scalar(c, "select 7")==7, "stream: the connection is free after it");

  D->xBind(pAll, NULL, 0, &err);
  D->xStreamNext(pAll);
  rc = D->xStep(pAll, &err);
  check(rc==DZ_ROW, "stream again: first row");
  rc = run(pOne, NULL, 0, &err);
  D->xColumn(pOne, 0, &v);
  check(rc==DZ_ROW && isInt(&v, 3000), "another statement runs while a stream is open");
  D->xReset(pOne);
  rc = D->xStep(pAll, &err);
  check(rc==DZ_MISUSE && strstr(err.zMsg, "dropped")!=NULL, "the abandoned stream's next step: DZ_MISUSE, rows dropped");
  rc = D->xStep(pAll, &err);
  check(rc==DZ_MISUSE, "and it stays refused until bound again");
  n = 0;
  D->xBind(pAll, NULL, 0, &err);
  while( (rc = D->xStep(pAll, &err))==DZ_ROW ) n++;
  check(rc==DZ_DONE && n==3000, "bound again, buffered: 3000 rows");

  D->xBind(pAll, NULL, 0, &err);
  D->xStreamNext(pAll);
  D->xStep(pAll, &err);
  mustExec(c, "select 1");   /* exec settles the open stream too */
  D->xFinalize(pAll);
  D->xFinalize(pOne);
  mustExec(c, "drop table st");
}

/* Kill the connection from a second one: a clean DZ_DRIVER, then
** xReconnect and the very same statement working again. */
static void testKillReconnect(const char *zUrl){
  dz_dberr err;
  dz_conn *c = NULL, *k = NULL;
  dz_stmt *p;
  dz_value a[1], v;
  char zKill[64];
  int64_t id, id2;
  int rc;
  if( D->xOpen(zUrl, 0, &c, &err)!=DZ_OK || D->xOpen(zUrl, 0, &k, &err)!=DZ_OK ){
    check(0, "open two connections"); showErr(-1, &err);
    D->xClose(c); D->xClose(k);
    return;
  }
  mustExec(c, "drop table if exists kr; create table kr (id int primary key, name text); insert into kr values (1, 'one'), (2, 'two')");
  p = mustPrepare(c, "select name from kr where id = ?");
  a[0] = vInt(1);
  check(run(p, a, 1, &err)==DZ_ROW, "reused statement before the kill");
  D->xReset(p);
  id = scalar(c, "select connection_id()");
  check(D->xBroken && !D->xBroken(c), "xBroken: not before the kill");
  snprintf(zKill, sizeof(zKill), "kill %lld", (long long)id);
  mustExec(k, zKill);
  a[0] = vInt(2);
  rc = run(p, a, 1, &err);
  check(rc==DZ_DRIVER && (err.iCode==2006 || err.iCode==2013 || err.iCode==1927),
        "killed connection: DZ_DRIVER with 2006 / 2013 / 1927");
  printf("     (errno %d state %s: %s)\n", err.iCode, err.zState, err.zMsg);
  check(D->xBroken(c), "xBroken after the lost connection");
  rc = D->xReconnect(c, &err);
  if( !check(rc==DZ_OK, "xReconnect") ) showErr(rc, &err);
  check(!D->xBroken(c), "xBroken cleared by xReconnect");
  id2 = scalar(c, "select connection_id()");
  check(id2>0 && id2!=id, "a new connection id");
  rc = run(p, a, 1, &err);
  if( !check(rc==DZ_ROW, "the same statement re-prepares and runs after reconnect") ) showErr(rc, &err);
  D->xColumn(p, 0, &v);
  check(isText(&v, "two"), "and reads the right row");
  /* statement outlives its connection: only finalize is allowed */
  D->xClose(c);
  rc = run(p, a, 1, &err);
  check(rc==DZ_MISUSE, "statement of a closed connection: misuse");
  check(D->xReconnect(c, &err)==DZ_MISUSE && D->xBroken(c), "closed connection: reconnect is misuse, xBroken true");
  D->xFinalize(p);
  D->xClose(k);
}

static void testOpen(const char *zUrl){
  dz_dberr err;
  dz_conn *c = NULL;
  char zBad[512];
  const char *zAt = strchr(zUrl, '@'), *zColon;
  int rc;
  rc = D->xOpen("postgres://x@y/z", 0, &c, &err);
  check(rc==DZ_MISUSE && c==NULL, "non-mysql URL: misuse");
  rc = D->xOpen("mysql://u:p@127.0.0.1:1/db?sslmode=x", 0, &c, &err);
  check(rc==DZ_MISUSE && strstr(err.zMsg, "sslmode"), "unknown URL parameter: misuse");
  /* wrong password: same URL with the password replaced */
  zColon = zAt ? memchr(zUrl+8, ':', (size_t)(zAt-zUrl-8)) : NULL;
  if( zColon ){
    snprintf(zBad, sizeof(zBad), "%.*s:wr%%6Fng%s", (int)(zColon-zUrl), zUrl, zAt);
    rc = D->xOpen(zBad, 0, &c, &err);
    check(rc==DZ_DRIVER && c==NULL && err.iCode==1045 && strcmp(err.zState, "28000")==0,
          "wrong password: 1045 / 28000");
    /* percent-encoded right password: drizzle-pw is drizzle%2Dpw */
    {
      const char *zDash = memchr(zColon, '-', (size_t)(zAt-zColon));
      if( zDash ){
        snprintf(zBad, sizeof(zBad), "%.*s%%2d%s", (int)(zDash-zUrl), zUrl, zDash+1);
        rc = D->xOpen(zBad, 0, &c, &err);
        check(rc==DZ_OK, "percent-decoded password");
        D->xClose(c); c = NULL;
      }
    }
  }
  D->xClose(NULL);
}

int main(void){
  const char *zUrl = getenv("DZ_MYSQL_URL");
  dz_dberr err;
  dz_conn *c = NULL;
  int rc;
  if( zUrl==NULL || zUrl[0]==0 ){
    printf("skipped: DZ_MYSQL_URL not set\n");
    return 0;
  }
  D = dz_driver_find("mysql");
  if( !check(D!=NULL, "mysql driver compiled in") ) return 1;
  rc = D->xOpen(zUrl, 0, &c, &err);
  if( !check(rc==DZ_OK, "open $DZ_MYSQL_URL") ){ showErr(rc, &err); return 1; }
  testOpen(zUrl);
  testTypes(c);
  testErrors(c);
  testChangesAndTx(c);
  testStream(c);
  D->xClose(c);
  testKillReconnect(zUrl);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
