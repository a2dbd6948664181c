/*
** bench/raw_sqlite.c: the floor for bench/drizzle_sqlite.lua, straight on the
** sqlite3 C API. Same scenarios and timing method as the peer benchmark:
** CLOCK_MONOTONIC, best of 3 runs for the repeated scenarios, the insert of
** ROWS rows (one transaction, one prepared statement) timed once.
**
** Prints one JSON line of microseconds per operation:
**   {"insert_row_builder":..,"prepared_get":..,"read_all":..,"sink":..}
** (read_all is per row; "sink" keeps the reads from being optimized out).
*/
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GET_ITERS 100000
#define RUNS 3

static double usNow(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static long long g_sink;

/* Read every cell of the current row by its storage class, as a binding
** building a row would. */
static void consumeRow(sqlite3_stmt *st, int nCol) {
  int c;
  for (c = 0; c < nCol; c++) {
    int t = sqlite3_column_type(st, c);
    if (t == SQLITE_INTEGER) {
      g_sink += sqlite3_column_int64(st, c);
    } else if (t == SQLITE_FLOAT) {
      g_sink += (long long)sqlite3_column_double(st, c);
    } else if (t == SQLITE_TEXT) {
      const unsigned char *z = sqlite3_column_text(st, c);
      g_sink += (long long)strlen((const char *)z);
    }
  }
}

static void must(int rc, sqlite3 *db, const char *what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fprintf(stderr, "raw_sqlite: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
  }
}

int main(void) {
  const char *zRows = getenv("ROWS");
  int nRows = zRows ? atoi(zRows) : 100000;
  sqlite3 *db;
  sqlite3_stmt *pIns, *pGet, *pAll;
  char buf[64];
  double t0, best, insertUs, getUs, readUs;
  int i, r;

  if (nRows < 1) nRows = 1;
  must(sqlite3_open(":memory:", &db), db, "open");
  must(sqlite3_exec(db,
    "create table users (id integer primary key, name text not null, email text not null, "
    "age integer, score real, city text, created integer, active integer)", 0, 0, 0), db, "create users");
  must(sqlite3_exec(db, "create table posts (id integer primary key, user_id integer, title text)", 0, 0, 0),
       db, "create posts");

  /* insert_row_builder: ROWS rows, one prepared insert, one transaction */
  t0 = usNow();
  must(sqlite3_exec(db, "begin", 0, 0, 0), db, "begin");
  must(sqlite3_prepare_v2(db, "insert into users (id, name, email, age, score, city, created, active) "
                              "values (?, ?, ?, ?, ?, ?, ?, ?)", -1, &pIns, 0), db, "prepare insert");
  for (i = 1; i <= nRows; i++) {
    sqlite3_bind_int64(pIns, 1, i);
    snprintf(buf, sizeof buf, "name%d", i);
    sqlite3_bind_text(pIns, 2, buf, -1, SQLITE_TRANSIENT);
    snprintf(buf, sizeof buf, "e%d@x.io", i);
    sqlite3_bind_text(pIns, 3, buf, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(pIns, 4, i % 90);
    sqlite3_bind_double(pIns, 5, i * 0.5);
    snprintf(buf, sizeof buf, "city%d", i % 100);
    sqlite3_bind_text(pIns, 6, buf, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(pIns, 7, 1700000000LL + i);
    sqlite3_bind_int64(pIns, 8, i % 2);
    must(sqlite3_step(pIns), db, "insert");
    sqlite3_reset(pIns);
  }
  sqlite3_finalize(pIns);
  must(sqlite3_exec(db, "commit", 0, 0, 0), db, "commit");
  insertUs = (usNow() - t0) / nRows;

  /* prepared_get: select * by primary key, one prepared statement */
  must(sqlite3_prepare_v2(db, "select * from users where id = ?", -1, &pGet, 0), db, "prepare get");
  best = 1e300;
  for (r = 0; r < RUNS; r++) {
    double t;
    t0 = usNow();
    for (i = 0; i < GET_ITERS; i++) {
      sqlite3_bind_int64(pGet, 1, (i % nRows) + 1);
      if (sqlite3_step(pGet) == SQLITE_ROW) consumeRow(pGet, 8);
      sqlite3_reset(pGet);
    }
    t = (usNow() - t0) / GET_ITERS;
    if (t < best) best = t;
  }
  getUs = best;
  sqlite3_finalize(pGet);

  /* read_all: every row and every column, per row */
  must(sqlite3_prepare_v2(db, "select * from users", -1, &pAll, 0), db, "prepare all");
  best = 1e300;
  for (r = 0; r < RUNS; r++) {
    double t;
    t0 = usNow();
    while (sqlite3_step(pAll) == SQLITE_ROW) consumeRow(pAll, 8);
    sqlite3_reset(pAll);
    t = (usNow() - t0) / nRows;
    if (t < best) best = t;
  }
  readUs = best;
  sqlite3_finalize(pAll);

  sqlite3_close(db);
  printf("{\"insert_row_builder\":%.4f,\"prepared_get\":%.4f,\"read_all\":%.4f,\"sink\":%lld}\n",
         insertUs, getUs, readUs, g_sink % 7);
  return 0;
}
