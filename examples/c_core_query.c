/*
** c_core_query.c: the C core with no Lua at all. Describes a table, builds
** a select as an AST, renders it with the SQLite dialect and runs it on the
** sqlite3 driver, the way a C host (a game engine, a server) would use
** drizzle-c without a Lua state. Also run by `make test` (spec/c links it)
** and it checks its own output: exit status 0 only when every step did
** what it should.
**
** Build by hand:
**   cc -std=c11 -Icore/include examples/c_core_query.c build/libdzcore.a -lsqlite3
*/
#include <stdio.h>
#include <string.h>
#include "dz.h"
#include "dz_driver.h"

static int nFail = 0;
#define CHECK(cond, what) do { \
  if (cond) printf("ok - %s\n", what); else { printf("FAIL - %s\n", what); nFail++; } \
} while (0)

int main(void) {
  /* users(id integer primary key, name text not null, age integer) */
  dz_column aCol[3] = {
    { "id", NULL, NULL, "id", "integer", NULL, 0, DZ_COL_PRIMARY | DZ_COL_NOTNULL },
    { "name", NULL, NULL, "name", "text", NULL, 1, DZ_COL_NOTNULL },
    { "age", NULL, NULL, "age", "integer", NULL, 2, 0 },
  };
  dz_column *apCol[3] = { &aCol[0], &aCol[1], &aCol[2] };
  dz_table users = { "users", "users", NULL, 0, 3, apCol };
  dz_field aField[2];
  dz_chunk aWhere[3];
  dz_sql where = { 3, aWhere, 0 };
  dz_select sel;
  dz_render r;
  const dz_driver *pDrv = dz_driver_find("sqlite");
  dz_conn *pConn = NULL;
  dz_stmt *pStmt = NULL;
  dz_dberr err;
  dz_value v, aParam[1];
  int i, nRow = 0, rc;
  char zNames[64] = "";

  for (i = 0; i < 3; i++) aCol[i].pTable = &users;

  /* select "id", "name" from "users" where "users"."age" > ? order by "users"."id" */
  memset(aField, 0, sizeof aField);
  aField[0].expr.k = DZ_K_COLUMN; aField[0].expr.u.c.pCol = &aCol[0]; aField[0].zPath = "id";
  aField[1].expr.k = DZ_K_COLUMN; aField[1].expr.u.c.pCol = &aCol[1]; aField[1].zPath = "name";
  memset(aWhere, 0, sizeof aWhere);
  aWhere[0].k = DZ_K_COLUMN; aWhere[0].u.c.pCol = &aCol[2];
  aWhere[1].k = DZ_K_TEXT; aWhere[1].s.z = " > "; aWhere[1].s.n = 3;
  aWhere[2].k = DZ_K_PARAM; aWhere[2].u.v.t = DZ_INT; aWhere[2].u.v.u.i = 30;
  memset(&sel, 0, sizeof sel);
  sel.aField = aField; sel.nField = 2;
  sel.from.k = DZ_K_TABLE; sel.from.u.pTab = &users;
  sel.pWhere = &where;
  {
    static dz_chunk order;
    memset(&order, 0, sizeof order);
    order.k = DZ_K_COLUMN; order.u.c.pCol = &aCol[0];
    sel.aOrderBy = &order; sel.nOrderBy = 1;
  }

  dz_render_init(&r, dz_dialect_find("sqlite"), DZ_CASING_NONE);
  rc = dz_render_select(&r, &sel);
  CHECK(rc == DZ_OK, "render the select");
  CHECK(strcmp(r.sql.z, "select \"id\", \"name\" from \"users\" where \"users\".\"age\" > ? order by \"users\".\"id\"") == 0,
        "rendered SQL is Drizzle's");
  CHECK(r.nParam == 1 && r.aParam[0].v.t == DZ_INT && r.aParam[0].v.u.i == 30, "one bound param, 30");
  printf("# %s\n", r.sql.z);

  CHECK(pDrv != NULL, "sqlite driver compiled in");
  if (!pDrv) return 1;
  CHECK(pDrv->xOpen(":memory:", 0, &pConn, &err) == DZ_OK, "open :memory:");
  CHECK(pDrv->xExec(pConn, "create table users (id integer primary key, name text not null, age integer);"
                           "insert into users (name, age) values ('ann', 25), ('bob', 41), ('cy', 37)", &err) == DZ_OK,
        "create and fill the table");
  CHECK(pDrv->xPrepare(pConn, r.sql.z, r.sql.n, &pStmt, &err) == DZ_OK, "prepare the rendered SQL");
  aParam[0] = r.aParam[0].v;
  CHECK(pDrv->xBind(pStmt, aParam, 1, &err) == DZ_OK, "bind the params");
  while ((rc = pDrv->xStep(pStmt, &err)) == DZ_ROW) {
    pDrv->xColumn(pStmt, 1, &v);
    strncat(zNames, v.u.s.z, v.u.s.n);
    strcat(zNames, " ");
    nRow++;
  }
  CHECK(rc == DZ_DONE, "step to the end");
  CHECK(nRow == 2 && strcmp(zNames, "bob cy ") == 0, "rows: bob, cy");
  pDrv->xFinalize(pStmt);
  pDrv->xClose(pConn);
  dz_render_free(&r);
  printf("%d failed\n", nFail);
  return nFail ? 1 : 0;
}
