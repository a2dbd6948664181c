/*
** dialect_mysql.c: what MySQL spells differently from the shared walk.
**
** Backquoted names, "?" placeholders, and "on duplicate key update" in
** place of "on conflict": MySQL has no conflict target, so a conflict
** clause is only its set list (Drizzle's onDuplicateKeyUpdate). No
** returning, distinct on, full join or update ... from: the feature bits
** leave them out and the shared walk refuses them by name.
*/
#include "dz_int.h"

static void mysqlParam(dz_buf *b, int iParam) {
  (void)iParam;
  dz_buf_addc(b, '?');
}

static void mysqlConflict(dz_render *r, const dz_insert *s, const dz_conflict *c) {
  (void)s;
  if (!c->bUpdate || c->nTarget || c->pWhere || c->pTargetWhere || c->pSetWhere) {
    dz_render_error(r, DZ_UNSUPPORTED,
                    "onConflictDoNothing/onConflictDoUpdate are not supported by the mysql dialect: use onDuplicateKeyUpdate");
    return;
  }
  dz_render_text(r, " on duplicate key update ");
  dz_render_set_items(r, c->aSet, c->nSet);
}

const dz_dialect dz_dialect_mysql = {
  "mysql",
  '`',
  DZ_F_LATERAL | DZ_F_LOCKING | DZ_F_SETOP_PARENS | DZ_F_INSERT_DEFAULT |
    DZ_F_ORDER_LIMIT_DML | DZ_F_SETOP_ALL_EXCEPT | DZ_F_SCHEMA_IN_SELECTION,
  mysqlParam,
  mysqlConflict,
};
