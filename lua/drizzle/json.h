/*
** json.h -- drizzle-c's own JSON codec for the Lua binding.
**
** Why not lua-cjson: Debian's lua-cjson 2.1.0 decodes every number as a
** double (on Lua 5.4 `1` becomes `1.0`, 9007199254740993 is rounded) and
** writes object keys in hash order.  drizzle-c compares rendered SQL params
** byte for byte with real Drizzle, so it needs exact integers and output that
** matches JavaScript's JSON.stringify, with object keys sorted bytewise so the
** result is deterministic.
**
** The codec compiles against Lua 5.4, Lua 5.1 and LuaJIT 2.1 headers.  JSON
** null is the NULL light userdata (d.NULL, same value as cjson.null).
** Both directions allow nesting up to DZJ_MAXDEPTH arrays/objects.
*/
#ifndef DRIZZLE_JSON_H
#define DRIZZLE_JSON_H

#include <stddef.h>
#include "lua.h"

#define DZJ_MAXDEPTH 1000   /* deepest nesting of arrays/objects accepted */

/*
** [-0, +1, v]  Encode the value at stack index `idx` as JSON, the way
** JSON.stringify would (object keys sorted bytewise).  Leaves the encoded
** string pushed on the stack and returns a pointer to it (valid while that
** string stays on the stack); if pLen is not NULL, *pLen gets its length.
** Rules: a table with only keys 1..n (n >= 1) is an array, an empty table is
** `[]`, a table with only string keys is an object; other tables, NaN/inf,
** invalid UTF-8, nesting deeper than DZJ_MAXDEPTH (also how cycles are caught)
** and non-JSON types raise a Lua error.  Metatables are ignored (raw access).
** Never leaks memory when it raises: its buffer is Lua-managed.
*/
const char *dzj_encode(lua_State *L, int idx, size_t *pLen);

/*
** [-0, +1, v]  Decode the JSON text z[0..n) and push the value.  Raises
** "invalid JSON at position N: <reason>" (N is a 0-based byte offset, as in
** JavaScript's JSON.parse messages).  Objects become tables with string keys,
** arrays sequences, null the NULL light userdata (kept inside arrays, so they
** keep their length).  Integer literals that fit int64 become Lua integers on
** Lua 5.3+; on Lua 5.1/LuaJIT they become numbers when |v| <= 2^53 and
** otherwise the literal's decimal string (never a rounded number).  Integer
** literals outside int64 become floats on 5.3+ and strings on 5.1.  Other
** numbers are doubles (locale-independent parsing).
*/
void dzj_decode(lua_State *L, const char *z, size_t n);

/*
** [-0, +1, m]  Push a table { encode = f, decode = f, null = NULL lightuserdata }.
** encode(v) -> string; decode(s) -> value.  Usable as a lua_CFunction
** (luaopen-style) or called directly by the module opener.
*/
int dzj_open(lua_State *L);

#endif
