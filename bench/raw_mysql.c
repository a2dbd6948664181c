/*
** bench/raw_mysql.c: the raw MariaDB Connector/C floor for the server
** scenarios, measured the way ../shared/peerbench/raw_server.c measures
** its mysql part (so the numbers compare): CLOCK_MONOTONIC, best of 3 runs.
**
**   prepared_get   a prepared "select * from users where id = ?" executed
**                  5000 times (ids 1..ROWS), every column read as a string
**                  (raw_server.c's binding: 8 STRING buffers of 64 bytes);
**                  us per get
**   read_all       "select * from users" in the text protocol
**                  (mysql_query + mysql_store_result), every cell's length
**                  read; us per row
**
** and, to choose how the driver reads rows (not in raw_server.c):
**   read_all_bin_stored  the same select prepared, binary protocol, typed
**                        buffers (LONGLONG / DOUBLE / STRING), after
**                        mysql_stmt_store_result; us per row
**   read_all_bin_stream  the same without store_result (rows streamed from
**                        the socket as fetched); us per row
**
** usage: raw_mysql HOST PORT USER PASS DB     (ROWS=100000 by default)
** Prints one JSON line, as raw_server.c does.
*/
#define _POSIX_C_SOURCE 200809L
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GETS 5000
#define RUNS 3

static double usNow(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static long long g_sink;

static void die(const char *zWhat, const char *zMsg){
  fprintf(stderr, "raw_mysql: %s: %s\n", zWhat, zMsg);
  exit(1);
}

/* raw_server.c's prepared get, verbatim in substance. */
static double benchGet(MYSQL *m, int nRows){
  MYSQL_STMT *st = mysql_stmt_init(m);
  const char *q = "select * from users where id = ?";
  int id, i, k, r;
  MYSQL_BIND p, res[8];
  char bufs[8][64];
  unsigned long lens[8];
  double best = 1e18;
  if( mysql_stmt_prepare(st, q, strlen(q)) ) die("prepare", mysql_stmt_error(st));
  memset(&p, 0, sizeof p);
  p.buffer_type = MYSQL_TYPE_LONG; p.buffer = &id;
  mysql_stmt_bind_param(st, &p);
  memset(res, 0, sizeof res);
  for(k=0; k<8; k++){
    res[k].buffer_type = MYSQL_TYPE_STRING; res[k].buffer = bufs[k];
    res[k].buffer_length = 64; res[k].length = &lens[k];
  }
  mysql_stmt_bind_result(st, res);
  for(r=0; r<RUNS; r++){
    double s = usNow(), t;
    for(i=0; i<GETS; i++){
      id = (i % nRows) + 1;
      if( mysql_stmt_execute(st) ) die("execute", mysql_stmt_error(st));
      while( mysql_stmt_fetch(st)==0 ) for(k=0; k<8; k++) g_sink += (long long)lens[k];
      mysql_stmt_free_result(st);
    }
    t = (usNow() - s) / GETS;
    if( t<best ) best = t;
  }
  mysql_stmt_close(st);
  return best;
}

/* raw_server.c's read-all: text protocol, stored result. */
static double benchReadText(MYSQL *m){
  double best = 1e18;
  int r, k;
  for(r=0; r<RUNS; r++){
    double s = usNow(), t;
    MYSQL_RES *res;
    MYSQL_ROW row;
    int n = 0;
    if( mysql_query(m, "select * from users") ) die("query", mysql_error(m));
    res = mysql_store_result(m);
    while( (row = mysql_fetch_row(res)) ){
      unsigned long *l = mysql_fetch_lengths(res);
      for(k=0; k<8; k++) g_sink += (long long)l[k];
      n++;
    }
    mysql_free_result(res);
    t = (usNow() - s) / n;
    if( t<best ) best = t;
  }
  return best;
}

/* Binary protocol with typed buffers, as the driver reads: id, age,
** created and active as LONGLONG, score as DOUBLE, the texts as STRING. */
static double benchReadBinary(MYSQL *m, int bStore){
  MYSQL_STMT *st = mysql_stmt_init(m);
  const char *q = "select * from users";
  MYSQL_BIND res[8];
  long long aInt[8];
  double f;
  char aText[8][256];
  unsigned long lens[8];
  char isNull[8];
  double best = 1e18;
  int r, k;
  static const int aIsText[8] = { 0, 1, 1, 0, 0, 1, 0, 0 };
  if( mysql_stmt_prepare(st, q, strlen(q)) ) die("prepare", mysql_stmt_error(st));
  memset(res, 0, sizeof res);
  for(k=0; k<8; k++){
    res[k].length = &lens[k];
    res[k].is_null = (void*)&isNull[k];
    if( aIsText[k] ){
      res[k].buffer_type = MYSQL_TYPE_STRING; res[k].buffer = aText[k]; res[k].buffer_length = 256;
    }else if( k==4 ){
      res[k].buffer_type = MYSQL_TYPE_DOUBLE; res[k].buffer = &f;
    }else{
      res[k].buffer_type = MYSQL_TYPE_LONGLONG; res[k].buffer = &aInt[k];
    }
  }
  mysql_stmt_bind_result(st, res);
  for(r=0; r<RUNS; r++){
    double s = usNow(), t;
    int n = 0;
    if( mysql_stmt_execute(st) ) die("execute", mysql_stmt_error(st));
    if( bStore && mysql_stmt_store_result(st) ) die("store", mysql_stmt_error(st));
    while( mysql_stmt_fetch(st)==0 ){
      for(k=0; k<8; k++){
        if( aIsText[k] ) g_sink += (long long)lens[k];
        else if( k==4 ) g_sink += (long long)f;
        else g_sink += aInt[k];
      }
      n++;
    }
    mysql_stmt_free_result(st);
    t = (usNow() - s) / n;
    if( t<best ) best = t;
  }
  mysql_stmt_close(st);
  return best;
}

int main(int argc, char **argv){
  MYSQL *m;
  int nRows = getenv("ROWS") ? atoi(getenv("ROWS")) : 100000;
  double get, all, allStored, allStream;
  if( argc<6 ){
    fprintf(stderr, "usage: raw_mysql HOST PORT USER PASS DB\n");
    return 2;
  }
  m = mysql_init(NULL);
  if( !mysql_real_connect(m, argv[1], argv[3], argv[4], argv[5], (unsigned)atoi(argv[2]), NULL, 0) ){
    die("connect", mysql_error(m));
  }
  get = benchGet(m, nRows);
  all = benchReadText(m);
  allStored = benchReadBinary(m, 1);
  allStream = benchReadBinary(m, 0);
  printf("{\"prepared_get\":%.4f,\"read_all\":%.4f,\"read_all_bin_stored\":%.4f,"
         "\"read_all_bin_stream\":%.4f,\"sink\":%lld}\n",
         get, all, allStored, allStream, g_sink % 7);
  mysql_close(m);
  return 0;
}
