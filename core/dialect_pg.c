/*
** dialect_pg.c: what PostgreSQL spells differently from the shared walk.
**
** Placeholders are numbered ($1, $2, ...), and the conflict target names
** bare columns joined by "," with no space: Drizzle's pg insert builder
** escapes each target column's name and joins them with ',' before handing
** the list over as raw SQL, unlike SQLite's builder which renders them
** through the column path. Everything else PostgreSQL can do is a feature
** bit the shared walk checks.
*/
#include <string.h>
#include "dz_int.h"

static void pgParam(dz_buf *b, int iParam) {
  dz_buf_addc(b, '$');
  dz_buf_addi(b, iParam + 1);
}

/* (a,b) with the db's casing, or the raw SQL of a target given as sql. */
static void pgConflictTarget(dz_render *r, const dz_conflict *c) {
  int i;
  dz_buf_addc(&r->sql, '(');
  for (i = 0; i < c->nTarget; i++) {
    const dz_chunk *t = &c->aTarget[i];
    if (i) dz_buf_addc(&r->sql, ',');
    if (t->k == DZ_K_COLUMN) dz_render_column_name(r, t->u.c.pCol);
    else dz_render_chunk(r, t);
  }
  dz_buf_addc(&r->sql, ')');
}

/* on conflict [(target) [where ..]] do nothing [where ..]
** on conflict (target) [where ..] do update set ... [where ..] */
static void pgConflict(dz_render *r, const dz_insert *s, const dz_conflict *c) {
  (void)s;
  dz_render_text(r, " on conflict ");
  if (!c->bUpdate) {
    if (c->nTarget) {
      pgConflictTarget(r, c);
      if (c->pWhere) { dz_render_text(r, " where "); dz_render_sql_list(r, c->pWhere); }
      dz_buf_addc(&r->sql, ' ');
    }
    dz_render_text(r, "do nothing");
    return;
  }
  pgConflictTarget(r, c);
  if (c->pTargetWhere) { dz_render_text(r, " where "); dz_render_sql_list(r, c->pTargetWhere); }
  dz_render_text(r, " do update set ");
  dz_render_set_items(r, c->aSet, c->nSet);
  if (c->pWhere) { dz_render_text(r, " where "); dz_render_sql_list(r, c->pWhere); }
  if (c->pSetWhere) { dz_render_text(r, " where "); dz_render_sql_list(r, c->pSetWhere); }
}

const dz_dialect dz_dialect_pg = {
  "pg",
  '"',
  DZ_F_RETURNING | DZ_F_DISTINCT_ON | DZ_F_FULL_JOIN | DZ_F_LATERAL | DZ_F_LOCKING |
    DZ_F_UPDATE_FROM | DZ_F_SETOP_PARENS | DZ_F_INSERT_DEFAULT | DZ_F_SETOP_ALL_EXCEPT | DZ_F_SCHEMA_IN_SELECTION,
  pgParam,
  pgConflict,
};
