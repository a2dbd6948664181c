/*
** dialect_sqlite.c: what SQLite spells differently from the shared walk.
**
** Only the differences live here (Sequel's per-adapter hooks): "?"
** placeholders, and the conflict clause, whose target names columns
** qualified ("t"."a", "t"."b") because Drizzle's sqlite builder renders the
** target array through the ordinary column path.
*/
#include "dz_int.h"

static void sqliteParam(dz_buf *b, int iParam) {
  (void)iParam;
  dz_buf_addc(b, '?');
}

/* on conflict ("t"."a", "t"."b") [where ..] do nothing | do update set ... */
static void sqliteConflict(dz_render *r, const dz_insert *s, const dz_conflict *c) {
  int i;
  (void)s;
  dz_render_text(r, " on conflict ");
  if (c->nTarget) {
    dz_buf_addc(&r->sql, '(');
    for (i = 0; i < c->nTarget; i++) {
      if (i) dz_render_text(r, ", ");
      dz_render_chunk(r, &c->aTarget[i]);
    }
    dz_buf_addc(&r->sql, ')');
    if (c->pTargetWhere) { dz_render_text(r, " where "); dz_render_sql_list(r, c->pTargetWhere); }
    dz_buf_addc(&r->sql, ' ');
  }
  if (!c->bUpdate) {
    dz_render_text(r, "do nothing");
    if (c->pWhere) { dz_render_text(r, " where "); dz_render_sql_list(r, c->pWhere); }
    return;
  }
  dz_render_text(r, "do update set ");
  dz_render_set_items(r, c->aSet, c->nSet);
  if (c->pWhere) { dz_render_text(r, " where "); dz_render_sql_list(r, c->pWhere); }
  if (c->pSetWhere) { dz_render_text(r, " where "); dz_render_sql_list(r, c->pSetWhere); }
}

const dz_dialect dz_dialect_sqlite = {
  "sqlite",
  '"',
  DZ_F_RETURNING | DZ_F_FULL_JOIN | DZ_F_UPDATE_FROM | DZ_F_ORDER_LIMIT_DML,
  sqliteParam,
  sqliteConflict,
};
