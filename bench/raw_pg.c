/*
** raw_pg.c: the raw libpq floor for the PostgreSQL scenarios of the peer
** benchmark (../shared/peerbench/raw_server.c's pg part, same table), so
** drizzle-c's pg numbers have a baseline from the same run.
**
**   raw_pg CONNINFO          prints one JSON line, microseconds:
**     prepared_get   per execution of a prepared `select * from users where
**                    id = $1` (5000 runs), every column read into C values
**     read_all       per row of `select * from users` (all rows), same reading
**     insert_one     per row, 1000 prepared inserts, one round trip each
**     insert_batch   per row, the same 1000 in pipeline mode, one sync
**   and batch_speedup = insert_one / insert_batch. Best of 3 runs each.
**
** Expects users(id integer primary key, name text not null, email text not
** null, age integer, score real, city text, created bigint, active boolean)
** filled with ROWS rows (bench/run_pg.sh loads it); creates and drops its own
** users_ins for the inserts.
*/
#define _POSIX_C_SOURCE 200809L
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec*1e6 + (double)t.tv_nsec/1e3;
}

/* A row read into C values, the way a driver must at least do. */
typedef struct Row {
  int64_t id, age, created;
  double score;
  int active;
  const char *name, *email, *city;
  int nName, nEmail, nCity;
} Row;

static long sink;

static int64_t toInt(const char *z){
  int neg = *z=='-';
  int64_t v = 0;
  if( neg ) z++;
  while( *z>='0' && *z<='9' ) v = v*10 + (*z++ - '0');
  return neg ? -v : v;
}

static void readRow(PGresult *r, int i, Row *p){
  p->id = toInt(PQgetvalue(r, i, 0));
  p->name = PQgetvalue(r, i, 1); p->nName = PQgetlength(r, i, 1);
  p->email = PQgetvalue(r, i, 2); p->nEmail = PQgetlength(r, i, 2);
  p->age = PQgetisnull(r, i, 3) ? 0 : toInt(PQgetvalue(r, i, 3));
  p->score = PQgetisnull(r, i, 4) ? 0 : strtod(PQgetvalue(r, i, 4), NULL);
  p->city = PQgetvalue(r, i, 5); p->nCity = PQgetlength(r, i, 5);
  p->created = PQgetisnull(r, i, 6) ? 0 : toInt(PQgetvalue(r, i, 6));
  p->active = PQgetvalue(r, i, 7)[0]=='t';
  sink += p->id + p->nName + p->nEmail + p->nCity + p->age + (long)p->score + p->active + (long)(p->created & 1);
}

static void quiet(void *pArg, const char *zMsg){ (void)pArg; (void)zMsg; }

static void die(PGconn *c, const char *zWhat){
  fprintf(stderr, "raw_pg: %s: %s", zWhat, PQerrorMessage(c));
  exit(1);
}

static void execOk(PGconn *c, const char *zSql){
  PGresult *r = PQexec(c, zSql);
  if( PQresultStatus(r)!=PGRES_COMMAND_OK && PQresultStatus(r)!=PGRES_TUPLES_OK ) die(c, zSql);
  PQclear(r);
}

int main(int argc, char **argv){
  PGconn *c;
  PGresult *r;
  char zId[24], zName[32], zEmail[40], zAge[16], zScore[24], zCity[16], zCreated[24];
  const char *azVal[8] = { zId, zName, zEmail, zAge, zScore, zCity, zCreated, NULL };
  double get = 1e18, all = 1e18, one = 1e18, batch = 1e18, t;
  int nRows, k, i;
  Row row;
  if( argc<2 ){ fprintf(stderr, "usage: raw_pg CONNINFO\n"); return 2; }
  c = PQconnectdb(argv[1]);
  if( PQstatus(c)!=CONNECTION_OK ) die(c, "connect");
  PQsetNoticeProcessor(c, quiet, NULL);    /* "does not exist, skipping" */
  r = PQexec(c, "select count(*) from users");
  if( PQresultStatus(r)!=PGRES_TUPLES_OK ) die(c, "count users");
  nRows = atoi(PQgetvalue(r, 0, 0));
  PQclear(r);
  if( nRows<1 ){ fprintf(stderr, "raw_pg: table users is empty\n"); return 1; }
  r = PQprepare(c, "byid", "select * from users where id = $1", 0, NULL);
  if( PQresultStatus(r)!=PGRES_COMMAND_OK ) die(c, "prepare byid");
  PQclear(r);
  execOk(c, "drop table if exists users_ins; create table users_ins (id integer primary key, name text not null,"
            " email text not null, age integer, score real, city text, created bigint, active boolean)");
  r = PQprepare(c, "ins", "insert into users_ins values ($1,$2,$3,$4,$5,$6,$7,$8)", 0, NULL);
  if( PQresultStatus(r)!=PGRES_COMMAND_OK ) die(c, "prepare ins");
  PQclear(r);

  for(k=0; k<3; k++){
    /* (a) prepared get by primary key */
    t = now();
    for(i=0; i<5000; i++){
      snprintf(zId, sizeof(zId), "%d", (i % nRows) + 1);
      r = PQexecPrepared(c, "byid", 1, azVal, NULL, NULL, 0);
      if( PQntuples(r)!=1 ) die(c, "byid");
      readRow(r, 0, &row);
      PQclear(r);
    }
    t = (now() - t)/5000;
    if( t<get ) get = t;

    /* (b) read all */
    t = now();
    r = PQexec(c, "select * from users");
    for(i=0; i<PQntuples(r); i++) readRow(r, i, &row);
    t = (now() - t)/PQntuples(r);
    PQclear(r);
    if( t<all ) all = t;

    /* (c) 1000 inserts: one at a time, then pipelined */
    execOk(c, "truncate users_ins");
    t = now();
    for(i=0; i<1000; i++){
      snprintf(zId, sizeof(zId), "%d", i+1);
      snprintf(zName, sizeof(zName), "name%d", i);
      snprintf(zEmail, sizeof(zEmail), "e%d@x.io", i);
      snprintf(zAge, sizeof(zAge), "%d", i%90);
      snprintf(zScore, sizeof(zScore), "%g", i*0.5);
      snprintf(zCity, sizeof(zCity), "city%d", i%100);
      snprintf(zCreated, sizeof(zCreated), "%d", 1700000000+i);
      azVal[7] = (i & 1) ? "t" : "f";
      r = PQexecPrepared(c, "ins", 8, azVal, NULL, NULL, 0);
      if( PQresultStatus(r)!=PGRES_COMMAND_OK ) die(c, "insert");
      PQclear(r);
    }
    t = (now() - t)/1000;
    if( t<one ) one = t;

    execOk(c, "truncate users_ins");
    t = now();
    if( !PQenterPipelineMode(c) ) die(c, "pipeline");
    for(i=0; i<1000; i++){
      snprintf(zId, sizeof(zId), "%d", i+1);
      snprintf(zName, sizeof(zName), "name%d", i);
      snprintf(zEmail, sizeof(zEmail), "e%d@x.io", i);
      snprintf(zAge, sizeof(zAge), "%d", i%90);
      snprintf(zScore, sizeof(zScore), "%g", i*0.5);
      snprintf(zCity, sizeof(zCity), "city%d", i%100);
      snprintf(zCreated, sizeof(zCreated), "%d", 1700000000+i);
      azVal[7] = (i & 1) ? "t" : "f";
      if( !PQsendQueryPrepared(c, "ins", 8, azVal, NULL, NULL, 0) ) die(c, "send");
    }
    if( !PQpipelineSync(c) ) die(c, "sync");
    for(;;){                      /* each query: a result, then NULL; then the sync */
      r = PQgetResult(c);
      if( r==NULL ) continue;
      if( PQresultStatus(r)==PGRES_PIPELINE_SYNC ){ PQclear(r); break; }
      if( PQresultStatus(r)!=PGRES_COMMAND_OK ) die(c, "pipelined insert");
      PQclear(r);
    }
    if( !PQexitPipelineMode(c) ) die(c, "exit pipeline");
    t = (now() - t)/1000;
    if( t<batch ) batch = t;
  }
  execOk(c, "drop table users_ins");
  printf("{\"prepared_get\":%.4f,\"read_all\":%.4f,\"insert_one\":%.4f,\"insert_batch\":%.4f,"
         "\"batch_speedup\":%.2f,\"rows\":%d,\"sink\":%ld}\n",
         get, all, one, batch, one/batch, nRows, sink % 7);
  PQfinish(c);
  return 0;
}
