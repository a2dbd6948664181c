/* names.c: the strings of names.h, in the same order, and the map that
** finds a name by the address of its interned string. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lua.h"
#include "names.h"

static unsigned slotOf(const char *z) {
  return (unsigned)((((uintptr_t)z >> 3) * 2654435761u) >> 7) & (NAME_SLOTS - 1);
}

void dzl_names_map(lua_State *L, int idx, NameMap *m) {
  int i;
  memset(m, 0, sizeof *m);
  for (i = 1; i < N__COUNT; i++) {
    const char *z;
    unsigned h;
    lua_rawgeti(L, idx, i);
    z = lua_tostring(L, -1);      /* the names table keeps it alive */
    lua_pop(L, 1);
    for (h = slotOf(z); m->az[h]; h = (h + 1) & (NAME_SLOTS - 1)) {}
    m->az[h] = z;
    m->aId[h] = (unsigned char)i;
  }
}

int dzl_name_id(const NameMap *m, const char *z) {
  unsigned h;
  int i;
  for (h = slotOf(z); m->az[h]; h = (h + 1) & (NAME_SLOTS - 1)) {
    if (m->az[h] == z) return m->aId[h];
  }
  for (i = 0; dzl_azName[i]; i++) {
    if (strcmp(dzl_azName[i], z) == 0) return i + 1;
  }
  return 0;
}

const char *const dzl_azName[] = {
  "__dz",
  "__name",
  "alias",
  "aliasName",
  "all",
  "c",
  "cfg",
  "col",
  "columns",
  "core",
  "countFilters",
  "countSource",
  "decoder",
  "defaultFunc",
  "defaultValue",
  "distinct",
  "distinctOn",
  "fields",
  "from",
  "fromDriver",
  "groupBy",
  "having",
  "ignore",
  "inline",
  "insertId",
  "isSelectionField",
  "isWith",
  "joins",
  "key",
  "lateral",
  "limit",
  "list",
  "lock",
  "n",
  "name",
  "noWait",
  "nullable",
  "of",
  "offset",
  "on",
  "onConflict",
  "onUpdateFunc",
  "orderBy",
  "ptr",
  "refmt",
  "returning",
  "returningId",
  "right",
  "rowsAffected",
  "sel",
  "select",
  "seq",
  "set",
  "setOps",
  "setWhere",
  "skipLocked",
  "sql",
  "strength",
  "table",
  "target",
  "targetWhere",
  "type",
  "update",
  "value",
  "values",
  "where",
  "withList",
  NULL
};
