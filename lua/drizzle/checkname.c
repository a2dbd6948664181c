/*
** checkname.c: names (tables, columns, schemas, aliases, identifiers, DDL
** text) reach the core as C strings, so a NUL byte inside one would cut it
** short without a word ("a\0b" would name table "a"). SQLite, PostgreSQL
** and MySQL cannot hold a NUL in an identifier either, so the binding
** refuses such a name with a message naming it, before any SQL runs.
*/
#include <string.h>
#include "binding.h"

/* Raise when z[0..n) holds a NUL byte; zWhat says what z is ("table
** name"). The name is shown with \0 for each NUL, cut at 80 bytes.
** Does not return then. [-0,+0,v] */
void dzl_check_nul(lua_State *L, const char *z, size_t n, const char *zWhat) {
  luaL_Buffer b;
  size_t i;
  if (!memchr(z, 0, n)) return;
  luaL_buffinit(L, &b);
  for (i = 0; i < n && i < 80; i++) {
    if (z[i]) luaL_addchar(&b, z[i]);
    else luaL_addstring(&b, "\\0");
  }
  if (n > 80) luaL_addstring(&b, "...");
  luaL_pushresult(&b);
  luaL_error(L, "drizzle: %s \"%s\" contains a NUL byte, which SQL names cannot hold", zWhat, lua_tostring(L, -1));
}
