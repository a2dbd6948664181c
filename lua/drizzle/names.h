/*
** names.h: the field names the binding reads on hot paths, as indices.
**
** A string key costs a hash and an intern lookup on every lua_pushstring;
** these names are made once (dzl_names_open) and reached by lua_rawgeti on
** the table every binding function carries as upvalue 1. Generated list:
** keep it sorted; add a name here and in azName of names.c.
*/
#ifndef DZ_NAMES_H
#define DZ_NAMES_H

enum {
  N___dz = 1,
  N___name,
  N_alias,
  N_aliasName,
  N_all,
  N_c,
  N_cfg,
  N_col,
  N_columns,
  N_core,
  N_countFilters,
  N_countSource,
  N_decoder,
  N_defaultFunc,
  N_defaultValue,
  N_distinct,
  N_distinctOn,
  N_fields,
  N_from,
  N_fromDriver,
  N_groupBy,
  N_having,
  N_ignore,
  N_inline,
  N_insertId,
  N_isSelectionField,
  N_isWith,
  N_joins,
  N_key,
  N_lateral,
  N_limit,
  N_list,
  N_lock,
  N_n,
  N_name,
  N_noWait,
  N_nullable,
  N_of,
  N_offset,
  N_on,
  N_onConflict,
  N_onUpdateFunc,
  N_orderBy,
  N_ptr,
  N_refmt,
  N_returning,
  N_returningId,
  N_right,
  N_rowsAffected,
  N_sel,
  N_select,
  N_seq,
  N_set,
  N_setOps,
  N_setWhere,
  N_skipLocked,
  N_sql,
  N_strength,
  N_table,
  N_target,
  N_targetWhere,
  N_type,
  N_update,
  N_value,
  N_values,
  N_where,
  N_withList,
  N__COUNT
};

extern const char *const dzl_azName[];

/* Where the names table keeps a NameMap (a full userdata): the names by
** the address of their interned strings, so a key met while walking a
** table (lua_next) is identified without a string compare. */
#define N_MAP N__COUNT
/* ... and the session userdata's metatable, to check a db's session
** without a registry lookup by name. */
#define N_SESSION_MT (N__COUNT + 1)
/* ... and the count of user functions running inside a statement (an int
** in a full userdata; binding.h, dzl_call_user). */
#define N_USER_CALLS (N__COUNT + 2)

/* Open addressing over the string addresses; twice as many slots as names. */
#define NAME_SLOTS 128
typedef struct NameMap {
  const char *az[NAME_SLOTS];   /* the interned string of a name, or NULL */
  unsigned char aId[NAME_SLOTS];
} NameMap;

/* Fill m from the names table at idx (names[i] = dzl_azName[i - 1]). */
void dzl_names_map(lua_State *L, int idx, NameMap *m);

/* The N_* number of the field name z (a string from the Lua state), or 0.
** Equal short strings are one object in every Lua this binding supports,
** so the address finds it; a miss is confirmed by comparing text, so the
** answer never depends on that. */
int dzl_name_id(const NameMap *m, const char *z);
#endif
