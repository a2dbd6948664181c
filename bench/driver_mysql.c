/*
** bench/driver_mysql.c: the scenarios of bench/raw_mysql.c through the
** core's mysql dz_driver (no Lua), so the driver's own cost shows apart
** from the binding's: prepared get by id (bind + step + every cell + reset)
** and read-all (step + every cell), us per get / per row, best of 3.
**
** usage: driver_mysql URL        (ROWS=100000 by default)
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dz_driver.h"

#define GETS 5000
#define RUNS 3

static double usNow(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static long long g_sink;

static void consume(const dz_driver *D, dz_stmt *p, int nCol){
  dz_value v;
  int k;
  for(k=0; k<nCol; k++){
    D->xColumn(p, k, &v);
    if( v.t==DZ_INT ) g_sink += v.u.i;
    else if( v.t==DZ_FLOAT ) g_sink += (long long)v.u.f;
    else if( v.t==DZ_TEXT || v.t==DZ_BLOB ) g_sink += (long long)v.u.s.n;
  }
}

int main(int argc, char **argv){
  const dz_driver *D = dz_driver_find("mysql");
  int nRows = getenv("ROWS") ? atoi(getenv("ROWS")) : 100000;
  dz_conn *c;
  dz_stmt *pGet, *pAll;
  dz_dberr err;
  dz_value id;
  double get = 1e18, all = 1e18;
  int r, i, rc;
  if( argc<2 || D==NULL ){ fprintf(stderr, "usage: driver_mysql URL (mysql driver compiled in)\n"); return 2; }
  if( D->xOpen(argv[1], 0, &c, &err)!=DZ_OK ){ fprintf(stderr, "%s\n", err.zMsg); return 1; }
  if( D->xPrepare(c, "select * from users where id = ?", 32, &pGet, &err)
   || D->xPrepare(c, "select * from users", 19, &pAll, &err) ){
    fprintf(stderr, "%s\n", err.zMsg); return 1;
  }
  id.t = DZ_INT;
  for(r=0; r<RUNS; r++){
    double s = usNow(), t;
    int n = 0;
    for(i=0; i<GETS; i++){
      id.u.i = (i % nRows) + 1;
      D->xBind(pGet, &id, 1, &err);
      while( (rc = D->xStep(pGet, &err))==DZ_ROW ) consume(D, pGet, 8);
      if( rc!=DZ_DONE ){ fprintf(stderr, "%s\n", err.zMsg); return 1; }
      D->xReset(pGet);
    }
    t = (usNow() - s) / GETS;
    if( t<get ) get = t;
    s = usNow();
    D->xBind(pAll, NULL, 0, &err);
    while( (rc = D->xStep(pAll, &err))==DZ_ROW ){ consume(D, pAll, 8); n++; }
    if( rc!=DZ_DONE ){ fprintf(stderr, "%s\n", err.zMsg); return 1; }
    D->xReset(pAll);
    t = (usNow() - s) / n;
    if( t<all ) all = t;
  }
  printf("{\"prepared_get\":%.4f,\"read_all\":%.4f,\"sink\":%lld}\n", get, all, g_sink % 7);
  D->xFinalize(pGet);
  D->xFinalize(pAll);
  D->xClose(c);
  return 0;
}
