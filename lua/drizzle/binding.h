/*
** binding.h: what the C files of the Lua binding share (never installed).
**
** The binding is one loadable module, drizzle/core.so, built from every C file
** of lua/drizzle: core.c (luaopen_drizzle_core, AST conversion, rendering,
** sessions and rows), json.c (the JSON codec), bind_ddl.c (DDL). Each part
** registers its functions into the module table through a dzl_register_*.
*/
#ifndef DZ_BINDING_H
#define DZ_BINDING_H

#include "lua.h"
#include "lauxlib.h"
#include "dz.h"

/* Lua 5.1 / LuaJIT vs 5.3+: the few differences, in one place. */
#if LUA_VERSION_NUM < 502
# define dzl_rawlen(L, i)        lua_objlen((L), (i))
#else
# define dzl_rawlen(L, i)        lua_rawlen((L), (i))
#endif
/* lua_rawgeti / lua_rawget that return the type of what they pushed, as
** 5.3+ do: one C API call less where the type decides what follows. */
#if LUA_VERSION_NUM >= 503
# define dzl_rawgeti(L, t, i)    lua_rawgeti((L), (t), (i))
# define dzl_rawget(L, t)        lua_rawget((L), (t))
#else
# define dzl_rawgeti(L, t, i)    (lua_rawgeti((L), (t), (i)), lua_type((L), -1))
# define dzl_rawget(L, t)        (lua_rawget((L), (t)), lua_type((L), -1))
#endif

/* Every binding function carries the field-name table of names.h as its
** upvalue 1 (see dzl_setfuncs); hot paths read fields through it. */
#define DZL_NAMES lua_upvalueindex(1)

/* User functions called while a statement is being built or read (a
** defaultFn or onUpdateFn, customType toDriver / fromDriver, a mapWith
** function, a logger) may run queries on the same db themselves.
** dzl_call_user calls one as lua_call would, with the count of such calls
** raised; through lua_pcall, so the count is right again when it raises
** (the error goes on as it was). While the count is above zero
** (dzl_in_user_call) a query renders into a session of its own and runs a
** statement of its own, so the statement around it keeps its AST, render
** buffers, bound values and cached statements. Needs DZL_NAMES.
** [-(nArgs+1),+nRes,e] */
void dzl_call_user(lua_State *L, int nArgs, int nRes);
int dzl_in_user_call(lua_State *L);

/* Register the functions of l into the table on top of the stack, each a
** closure over the names table. [-0,+0,m] */
void dzl_setfuncs(lua_State *L, const luaL_Reg *l);

/* luaL_testudata, which Lua 5.1 lacks: the userdata at i if its metatable
** is the registry's tname, else NULL. [-0,+0,m] */
void *dzl_testudata(lua_State *L, int i, const char *tname);

/* Push an int64 as Lua keeps it exact: an integer on 5.3+; on 5.1/LuaJIT a
** number up to 2^53 and a decimal string beyond. [-0,+1,m] */
void dzl_pushint64(lua_State *L, int64_t v);

/* Read an exact int64 from a Lua integer (or, on 5.1/LuaJIT, an integral
** number within 2^53 or a decimal string). Returns 1 on success. [-0,+0,-] */
int dzl_toint64(lua_State *L, int idx, int64_t *pOut);

/* Render an sql node (the table at idx) with the given dialect, casing and
** DZ_RENDER_* flags; pushes the SQL text and a params table. Raises a Lua
** error naming the problem. [-0,+2,e] */
void dzl_render_sql_node(lua_State *L, int idx, const dz_dialect *pDialect, dz_casing eCasing, unsigned mFlags);

/* json.c */
int dzj_open(lua_State *L);

/* bind_ddl.c: adds the DDL functions to the module table at the stack top. */
void dzl_register_ddl(lua_State *L);

/* debug.c: the counting core allocator (installed once) and the
** debug_allocStats / debug_failAlloc functions of the specs. [-0,+0,m] */
void dzl_register_debug(lua_State *L);

/* bind_template.c: parseTemplate, over the core's dz_template_split. [-0,+0,m] */
void dzl_register_template(lua_State *L);

/* checkname.c: raise "drizzle: <zWhat> \"a\\0b\" contains a NUL byte..." when
** z[0..n) holds a NUL (names reach the core as C strings). [-0,+0,v] */
void dzl_check_nul(lua_State *L, const char *z, size_t n, const char *zWhat);

#endif

/* ------------------------------------------------------------------------
** Shared between core.c, convert.c and codec.c.
*/

/* Node kinds: the __dz field of a node's metatable (lua/drizzle/ast.lua). */
enum {
  K_COLUMN = 1, K_COLREF = 2, K_SQL = 3, K_PARAM = 4, K_PLACEHOLDER = 5,
  K_NAME = 6, K_ALIASED = 7, K_TABLE = 8, K_SUBQUERY = 9, K_SELECT = 10,
  K_SELECT_SQL = 11, K_VIEW = 12, K_INSERT = 110, K_UPDATE = 111, K_DELETE = 112
};

/* How a column's values travel to the driver and back. */
enum {
  CODEC_NONE = 0, CODEC_BOOLEAN_INT, CODEC_TIMESTAMP_S, CODEC_TIMESTAMP_MS, CODEC_JSON,
  CODEC_BLOB, CODEC_BLOB_JSON, CODEC_BLOB_BIGINT, CODEC_NUMERIC_STRING,
  CODEC_NUMERIC_NUMBER, CODEC_NUMERIC_BIGINT, CODEC_CUSTOM,
  /* decoders of selected expressions (mapWith) */
  CODEC_NUMBER, CODEC_STRING, CODEC_FUNCTION,
  /* server dialects (codec_text.c holds their text forms) */
  CODEC_BIGINT,          /* exact int64; a decimal string on 5.1/LuaJIT */
  CODEC_BOOLEAN,         /* a bool bound as is; 1/0 read back as true/false (mysql) */
  CODEC_TIMESTAMP_ISO,   /* seconds <-> ISO 8601 text (pg timestamp/date 'date' mode) */
  CODEC_MYSQL_DATETIME,  /* seconds <-> 'YYYY-MM-DD hh:mm:ss.mmm' */
  CODEC_MYSQL_DATE,      /* seconds -> a datetime string; a date read back as its instant */
  CODEC_PG_ARRAY,        /* Lua sequence <-> array literal; element codec in bits 8..15 */
  CODEC_POINT_XY, CODEC_POINT_TUPLE, CODEC_LINE_ABC, CODEC_LINE_TUPLE,
  CODEC_GEOMETRY_XY, CODEC_GEOMETRY_TUPLE, CODEC_VECTOR,
  CODEC_NUMERIC_BIGINT64 /* sqlite numeric 'bigint': int64 only (numeric affinity would round more) */
};

/* A codec number may carry an array's element codec and element kind:
** base | elem << 8 | kind << 16. */
#define CODEC_BASE(e)      ((e) & 0xff)
#define CODEC_ELEM(e)      (((e) >> 8) & 0xff)
#define CODEC_ELEMKIND(e)  (((e) >> 16) & 0xff)
/* An array of a customType: its toDriver/fromDriver map each element. */
#define CODEC_IS_CUSTOM_ARRAY(e) (CODEC_BASE(e) == CODEC_PG_ARRAY && CODEC_ELEM(e) == CODEC_CUSTOM)
enum { ELEM_TEXT = 0, ELEM_INT, ELEM_FLOAT, ELEM_BOOL };

/* A table registered with the core: its dz_table and columns live in one
** arena owned by this userdata (core.c). */
typedef struct LTable {
  dz_arena arena;
  dz_table *pTab;
} LTable;

/* A column as the binding knows it: the core's column plus its codec. */
typedef struct LCol {
  dz_column c;
  int eCodec;
} LCol;

/* How one result column lands in a row: object iObj (0 = the row itself)
** under key iKey (an index into the shape's key list). */
typedef struct LField {
  int iObj;
  int iKey;          /* index of the key string in the keys table (1-based) */
  int eCodec;
  int iFn;           /* index of a decoder function in the keys table, or 0 */
} LField;

/* A nested object of a row: made under iParent at key iKey. bNullify: the
** object is one left-joined table's columns, left out (nil) when the first
** of them is NULL, as Drizzle's mapResultRow does. */
typedef struct LObj {
  int iParent;
  int iKey;
  int bNullify;
  int iFirstField;
} LObj;

typedef struct LShape {
  int nField, nObj;       /* nObj counts the root */
  LField *aField;
  LObj *aObj;
} LShape;

/* The conversion of one statement from Lua builder configs to the core AST. */
typedef struct Conv {
  lua_State *L;
  dz_arena *pArena;
  const dz_dialect *pDialect;
  int iAnchor;            /* stack index: table keeping strings made on the way alive */
  int nAnchor;
  int iAux;               /* stack index: tag -> { placeholder, encoder column } */
  int nAux;
  int iKeys;              /* stack index: shape keys and decoder functions */
  int nKeys;
  const struct NameMap *pNames;  /* field names by address (names.h) */
  LShape *pShape;         /* the shape of the top statement's rows, or NULL */
  int bWantShape;         /* record the shape (execute, prepare; not toSQL) */
  int nFieldAlloc, nObjAlloc;
} Conv;

/* convert.c */
void dzl_conv_init(Conv *cv, lua_State *L, dz_arena *a, const dz_dialect *d);
void dzl_slot_table(lua_State *L, int idx);
dz_select *dzl_conv_select(Conv *cv, int idx, int bTop);
dz_insert *dzl_conv_insert(Conv *cv, int idx);
dz_update *dzl_conv_update(Conv *cv, int idx);
dz_delete *dzl_conv_delete(Conv *cv, int idx);
dz_sql *dzl_conv_sql(Conv *cv, int idx);
void dzl_conv_chunk(Conv *cv, int idx, dz_chunk *pOut, int bStringIsText);
void dzl_check_fields(lua_State *L, int iTable, int iRows, const char *zWhat);

/* codec.c */
int dzl_codec_from_name(const char *z);
void dzl_encode(Conv *cv, int idx, int iCol, dz_value *pOut);
void dzl_encode_value(lua_State *L, int idx, int eCodec, int iCol, dz_value *pOut, int iAnchor, int *pnAnchor);
void dzl_push_decoded(lua_State *L, const dz_value *v, int eCodec, int iFnIdx);
/* A non-NULL driver value as is. Inline: it is the common cell of every
** row read (core.c), so a plain column costs no call. [-0,+1,m] */
static inline void dzl_push_value(lua_State *L, const dz_value *v) {
  switch (v->t) {
    case DZ_INT: dzl_pushint64(L, v->u.i); break;
    case DZ_FLOAT: lua_pushnumber(L, v->u.f); break;
    case DZ_TEXT: case DZ_BLOB: lua_pushlstring(L, v->u.s.z, v->u.s.n); break;
    case DZ_BOOL: lua_pushboolean(L, (int)v->u.i); break;
    default: lua_pushnil(L); break;
  }
}
int dzl_value_error(lua_State *L, int iCol, const char *zFmt, ...);
void dzl_fmt_number(char *a, size_t n, double f);

/* codec_text.c */
int dzl_parse_instant(const char *z, size_t n, double *pOut);
void dzl_format_instant(char *a, size_t n, double secs, int bMysql);
void dzl_push_shape_text(lua_State *L, int idx, int eCodec, int iCol);
void dzl_push_shape_value(lua_State *L, const char *z, size_t n, int eCodec);
void dzl_push_array_text(lua_State *L, int idx, int eElem, int iCol, int iAnchor, int *pnAnchor);
void dzl_push_array_value(lua_State *L, const char *z, size_t n, int eElem, int eKind, int iFnIdx);
LCol *dzl_colptr(lua_State *L, int iColObj);
int dzl_kind(lua_State *L, int idx);
