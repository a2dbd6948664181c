/*
** codec.c: Lua values to driver values and back, by column codec.
**
** A codec is Drizzle's mapToDriverValue / mapFromDriverValue pair for one
** column class: booleans travel as 1/0 on SQLite, timestamps as epoch
** seconds or milliseconds, JSON as text, numeric in 'number' mode as a
** string. Values are bound by their Lua type, never by how they look: the
** string "12E10" stays a string. Integers stay exact (binding.h's rule for
** 5.1/LuaJIT), NaN and infinities are refused as params.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "binding.h"

static const struct { const char *zName; int eCodec; } aCodecName[] = {
  { "none", CODEC_NONE }, { "boolean_int", CODEC_BOOLEAN_INT },
  { "timestamp_s", CODEC_TIMESTAMP_S }, { "timestamp_ms", CODEC_TIMESTAMP_MS },
  { "json", CODEC_JSON }, { "blob", CODEC_BLOB }, { "blob_json", CODEC_BLOB_JSON },
  { "blob_bigint", CODEC_BLOB_BIGINT }, { "numeric_string", CODEC_NUMERIC_STRING },
  { "numeric_number", CODEC_NUMERIC_NUMBER }, { "numeric_bigint", CODEC_NUMERIC_BIGINT },
  { "numeric_bigint64", CODEC_NUMERIC_BIGINT64 },
  { "custom", CODEC_CUSTOM }, { "bigint", CODEC_BIGINT }, { "boolean", CODEC_BOOLEAN },
  { "timestamp_iso", CODEC_TIMESTAMP_ISO }, { "mysql_datetime", CODEC_MYSQL_DATETIME },
  { "mysql_date", CODEC_MYSQL_DATE }, { "pg_array", CODEC_PG_ARRAY },
  { "point_xy", CODEC_POINT_XY }, { "point_tuple", CODEC_POINT_TUPLE },
  { "line_abc", CODEC_LINE_ABC }, { "line_tuple", CODEC_LINE_TUPLE },
  { "geometry_xy", CODEC_GEOMETRY_XY }, { "geometry_tuple", CODEC_GEOMETRY_TUPLE },
  { "vector", CODEC_VECTOR },
};

int dzl_codec_from_name(const char *z) {
  size_t i;
  for (i = 0; i < sizeof aCodecName / sizeof aCodecName[0]; i++) {
    if (strcmp(aCodecName[i].zName, z) == 0) return aCodecName[i].eCodec;
  }
  return -1;
}

/* ------------------------------------------------------------- numbers */

#if LUA_VERSION_NUM >= 503
void dzl_pushint64(lua_State *L, int64_t v) { lua_pushinteger(L, (lua_Integer)v); }
#else
void dzl_pushint64(lua_State *L, int64_t v) {
  if (v >= -9007199254740992LL && v <= 9007199254740992LL) {
    lua_pushnumber(L, (lua_Number)v);
  } else {
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)v);
    lua_pushstring(L, a);
  }
}
#endif

/* A bigint-mode value: a Lua integer on 5.3+, a decimal string on 5.1 and
** LuaJIT (LUA_API.md §5: never a rounded number). */
#if LUA_VERSION_NUM >= 503
static void dzl_pushbigint(lua_State *L, int64_t v) { lua_pushinteger(L, (lua_Integer)v); }
#else
static void dzl_pushbigint(lua_State *L, int64_t v) {
  char a[24];
  snprintf(a, sizeof a, "%lld", (long long)v);
  lua_pushstring(L, a);
}
#endif

/* Parse a decimal integer string exactly; 0 if it is not one. */
static int parseInt64(const char *z, size_t n, int64_t *pOut) {
  char a[32];
  char *zEnd;
  long long v;
  if (n == 0 || n >= sizeof a) return 0;
  memcpy(a, z, n);
  a[n] = 0;
  v = strtoll(a, &zEnd, 10);
  if (*zEnd || zEnd == a) return 0;
  if ((v == LLONG_MAX || v == LLONG_MIN)) {
    /* strtoll saturates: accept only the literal extremes */
    if (strcmp(a, "9223372036854775807") && strcmp(a, "-9223372036854775808")) return 0;
  }
  *pOut = (int64_t)v;
  return 1;
}

/* A decimal integer string ("-"? digits, at most 40 of them) that int64
** cannot hold: 18446744073709551615 for a bigint unsigned column, or a
** decimal(p,0) in bigint mode. Bound as the server's text, never rounded. */
static int isBigDecimalText(lua_State *L, int idx) {
  size_t n, i = 0;
  const char *z;
  if (lua_type(L, idx) != LUA_TSTRING) return 0;
  z = lua_tolstring(L, idx, &n);
  if (n > 0 && z[0] == '-') i = 1;
  if (i == n || n - i > 40) return 0;
  for (; i < n; i++) if (z[i] < '0' || z[i] > '9') return 0;
  return 1;
}

int dzl_toint64(lua_State *L, int idx, int64_t *pOut) {
#if LUA_VERSION_NUM >= 503
  if (lua_isinteger(L, idx)) { *pOut = (int64_t)lua_tointeger(L, idx); return 1; }
#endif
  if (lua_type(L, idx) == LUA_TNUMBER) {
    lua_Number f = lua_tonumber(L, idx);
    if (f == floor(f) && f >= -9007199254740992.0 && f <= 9007199254740992.0) {
      *pOut = (int64_t)f;
      return 1;
    }
    return 0;
  }
  if (lua_type(L, idx) == LUA_TSTRING) {
    size_t n;
    const char *z = lua_tolstring(L, idx, &n);
    return parseInt64(z, n, pOut);
  }
  return 0;
}

/* A double as JavaScript's String(x) writes it (for numeric 'number' mode
** and mapWith(String)): shortest round-trip digits, no ".0". */
void dzl_fmt_number(char *a, size_t n, double f) {
  if (f == floor(f) && fabs(f) < 1e21) {
    snprintf(a, n, "%.0f", f);
    if (strcmp(a, "-0") == 0) strcpy(a, "0");
    return;
  }
  dz_double_to_text(a, n, 15, f);
}

/* ------------------------------------------------------------- encoding */

/* Anchor the string on top of the stack in the anchor table, so the bytes a
** dz_value borrows live as long as the statement. [-1,+0,m] */
static const char *anchorTop(lua_State *L, int iAnchor, int *pnAnchor, size_t *pn) {
  const char *z = lua_tolstring(L, -1, pn);
  dzl_slot_table(L, iAnchor);
  lua_rawseti(L, iAnchor, ++*pnAnchor);
  return z;
}

static void setText(dz_value *v, dz_type t, const char *z, size_t n) {
  v->t = t;
  v->u.s.z = z;
  v->u.s.n = n;
}

/* Raise a bad-value error, naming the column when the caller knows it
** (iCol: stack index of the Lua column, or 0): "... (column "users"."age")". */
int dzl_value_error(lua_State *L, int iCol, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  lua_pushvfstring(L, zFmt, ap);
  va_end(ap);
  if (iCol) {
    LCol *p = dzl_colptr(L, iCol);
    if (p && p->c.pTable) lua_pushfstring(L, " (column \"%s\".\"%s\")", p->c.pTable->zName, p->c.zName);
    else lua_pushliteral(L, "");
    lua_concat(L, 2);
  }
  return lua_error(L);
}

/* Milliseconds of a seconds value, rounded to the nearest millisecond
** (the corpus's 1719791999.123 is not exact in binary). */
static double roundMs(lua_State *L, int idx, const char *zWhat, int iCol) {
  lua_Number s;
  if (lua_type(L, idx) != LUA_TNUMBER) {
    dzl_value_error(L, iCol, "drizzle: %s value must be a number of seconds since the epoch, got %s", zWhat, luaL_typename(L, idx));
  }
  s = lua_tonumber(L, idx);
  if (s != s || s == HUGE_VAL || s == -HUGE_VAL) dzl_value_error(L, iCol, "drizzle: %s value must be finite", zWhat);
  return floor(s * 1000.0 + 0.5);
}

/* A plain Lua value by its type. Does not return on a value that cannot be
** a parameter. */
static void encodePlain(lua_State *L, int idx, dz_value *v, int eBlob, int iCol) {
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER: {
      int64_t i;
#if LUA_VERSION_NUM >= 503
      if (lua_isinteger(L, idx)) { v->t = DZ_INT; v->u.i = (int64_t)lua_tointeger(L, idx); return; }
#endif
      {
        lua_Number f = lua_tonumber(L, idx);
        if (f != f || f == HUGE_VAL || f == -HUGE_VAL) {
          dzl_value_error(L, iCol, "drizzle: cannot bind NaN or infinity as a parameter");
        }
#if LUA_VERSION_NUM < 503
        if (dzl_toint64(L, idx, &i)) { v->t = DZ_INT; v->u.i = i; return; }
#else
        (void)i;
#endif
        v->t = DZ_FLOAT;
        v->u.f = f;
      }
      return;
    }
    case LUA_TSTRING: {
      size_t n;
      const char *z = lua_tolstring(L, idx, &n);
      setText(v, eBlob ? DZ_BLOB : DZ_TEXT, z, n);
      return;
    }
    case LUA_TBOOLEAN:
      v->t = DZ_BOOL;
      v->u.i = lua_toboolean(L, idx);
      return;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) == NULL) { v->t = DZ_NULL; return; }
      break;
    case LUA_TNIL:
      v->t = DZ_NULL;
      return;
    default:
      break;
  }
  dzl_value_error(L, iCol, "drizzle: cannot bind a %s as a parameter", luaL_typename(L, idx));
}

/* Encode the value at idx by codec eCodec; iCol is the stack index of the
** Lua column (for custom codecs), or 0. New strings are anchored. [-0,+0,e] */
void dzl_encode_value(lua_State *L, int idx, int eCodec, int iCol, dz_value *v, int iAnchor, int *pnAnchor) {
  char a[48];
  size_t n;
  int t = lua_type(L, idx);
  if (t == LUA_TNIL || (t == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL)) {
    v->t = DZ_NULL;
    return;
  }
  switch (CODEC_BASE(eCodec)) {
    case CODEC_BOOLEAN_INT:
      if (t == LUA_TBOOLEAN) { v->t = DZ_INT; v->u.i = lua_toboolean(L, idx); return; }
      break;
    case CODEC_TIMESTAMP_ISO:
    case CODEC_MYSQL_DATETIME:
    case CODEC_MYSQL_DATE:
      if (t == LUA_TSTRING) break;          /* already the server's text */
      dzl_format_instant(a, sizeof a, roundMs(L, idx, "timestamp", iCol) / 1000.0, CODEC_BASE(eCodec) != CODEC_TIMESTAMP_ISO);
      lua_pushstring(L, a);
      setText(v, DZ_TEXT, anchorTop(L, iAnchor, pnAnchor, &n), 0);
      v->u.s.n = n;
      return;
    case CODEC_BIGINT: {
      int64_t i;
      if (!dzl_toint64(L, idx, &i) && isBigDecimalText(L, idx)) {
        setText(v, DZ_TEXT, lua_tolstring(L, idx, &n), 0);
        v->u.s.n = n;
        return;
      }
      if (!dzl_toint64(L, idx, &i)) {
        dzl_value_error(L, iCol, "drizzle: bigint value must be an integer (or its decimal string), got %s", luaL_typename(L, idx));
      }
      v->t = DZ_INT;
      v->u.i = i;
      return;
    }
    case CODEC_PG_ARRAY: {
      const char *z;
      dzl_push_array_text(L, idx, CODEC_ELEM(eCodec), iCol, iAnchor, pnAnchor);
      z = anchorTop(L, iAnchor, pnAnchor, &n);
      setText(v, DZ_TEXT, z, n);
      return;
    }
    case CODEC_POINT_XY: case CODEC_POINT_TUPLE: case CODEC_LINE_ABC: case CODEC_LINE_TUPLE:
    case CODEC_GEOMETRY_XY: case CODEC_GEOMETRY_TUPLE: case CODEC_VECTOR: {
      const char *z;
      dzl_push_shape_text(L, idx, CODEC_BASE(eCodec), iCol);
      z = anchorTop(L, iAnchor, pnAnchor, &n);
      setText(v, DZ_TEXT, z, n);
      return;
    }
    case CODEC_TIMESTAMP_S:
      v->t = DZ_INT;
      v->u.i = (int64_t)floor(roundMs(L, idx, "timestamp", iCol) / 1000.0);
      return;
    case CODEC_TIMESTAMP_MS:
      v->t = DZ_INT;
      v->u.i = (int64_t)roundMs(L, idx, "timestamp_ms", iCol);
      return;
    case CODEC_JSON:
    case CODEC_BLOB_JSON: {
      const char *z;
      lua_getfield(L, LUA_REGISTRYINDEX, "drizzle.json.encode");
      lua_pushvalue(L, idx);
      if (lua_pcall(L, 1, 1, 0)) dzl_value_error(L, iCol, "%s", lua_tostring(L, -1));
      z = anchorTop(L, iAnchor, pnAnchor, &n);
      setText(v, eCodec == CODEC_JSON ? DZ_TEXT : DZ_BLOB, z, n);
      return;
    }
    case CODEC_NUMERIC_NUMBER:
      if (t == LUA_TNUMBER) {
        int64_t i;
#if LUA_VERSION_NUM >= 503
        if (lua_isinteger(L, idx)) snprintf(a, sizeof a, "%lld", (long long)lua_tointeger(L, idx));
        else
#endif
        if (dzl_toint64(L, idx, &i) && LUA_VERSION_NUM < 503) snprintf(a, sizeof a, "%lld", (long long)i);
        else if (!isfinite(lua_tonumber(L, idx))) dzl_value_error(L, iCol, "drizzle: cannot bind NaN or infinity as a parameter");
        else dzl_fmt_number(a, sizeof a, lua_tonumber(L, idx));
        lua_pushstring(L, a);
        setText(v, DZ_TEXT, anchorTop(L, iAnchor, pnAnchor, &n), 0);
        v->u.s.n = n;
        return;
      }
      break;
    case CODEC_NUMERIC_BIGINT:
    case CODEC_NUMERIC_BIGINT64:
    case CODEC_BLOB_BIGINT: {
      int64_t i;
      if (eCodec != CODEC_NUMERIC_BIGINT64 && !dzl_toint64(L, idx, &i) && isBigDecimalText(L, idx)) {
        setText(v, eCodec == CODEC_BLOB_BIGINT ? DZ_BLOB : DZ_TEXT, lua_tolstring(L, idx, &n), 0);
        v->u.s.n = n;
        return;
      }
      if (!dzl_toint64(L, idx, &i)) {
        dzl_value_error(L, iCol, "drizzle: bigint value must be an integer, got %s", luaL_typename(L, idx));
      }
      snprintf(a, sizeof a, "%lld", (long long)i);
      lua_pushstring(L, a);
      setText(v, eCodec == CODEC_BLOB_BIGINT ? DZ_BLOB : DZ_TEXT, anchorTop(L, iAnchor, pnAnchor, &n), 0);
      v->u.s.n = n;
      return;
    }
    case CODEC_CUSTOM:
      if (iCol) {
        lua_getfield(L, iCol, "toDriver");
        if (!lua_isnil(L, -1)) {
          lua_pushvalue(L, idx);
          dzl_call_user(L, 1, 1);
          if (lua_type(L, -1) == LUA_TSTRING) {
            const char *z = anchorTop(L, iAnchor, pnAnchor, &n);
            setText(v, DZ_TEXT, z, n);
          } else {
            encodePlain(L, -1, v, 0, iCol);
            lua_pop(L, 1);
          }
          return;
        }
        lua_pop(L, 1);
      }
      break;
    default:
      break;
  }
  encodePlain(L, idx, v, eCodec == CODEC_BLOB, iCol);
}

/* ------------------------------------------------------------- decoding */

static double asDouble(const dz_value *v) {
  switch (v->t) {
    case DZ_INT: case DZ_BOOL: return (double)v->u.i;
    case DZ_FLOAT: return v->u.f;
    case DZ_TEXT: case DZ_BLOB: {
      char a[64];
      size_t n = v->u.s.n < sizeof a - 1 ? v->u.s.n : sizeof a - 1;
      memcpy(a, v->u.s.z, n);
      a[n] = 0;
      return dz_text_to_double(a);
    }
    default: return 0;
  }
}

/* A number from any driver value (count(*) is text on some drivers). */
static void pushNumber(lua_State *L, const dz_value *v) {
  if (v->t == DZ_INT) { dzl_pushint64(L, v->u.i); return; }
  if (v->t == DZ_TEXT) {
    int64_t i;
    if (parseInt64(v->u.s.z, v->u.s.n, &i)) { dzl_pushint64(L, i); return; }
  }
  lua_pushnumber(L, asDouble(v));
}

static void pushString(lua_State *L, const dz_value *v) {
  char a[48];
  switch (v->t) {
    case DZ_INT: snprintf(a, sizeof a, "%lld", (long long)v->u.i); lua_pushstring(L, a); break;
    case DZ_FLOAT: dzl_fmt_number(a, sizeof a, v->u.f); lua_pushstring(L, a); break;
    default: dzl_push_value(L, v); break;
  }
}

/* Push the decoded form of a non-NULL driver value. iFnIdx: stack index of
** a decoder function (CODEC_CUSTOM/CODEC_FUNCTION), else 0. [-0,+1,e] */
void dzl_push_decoded(lua_State *L, const dz_value *v, int eCodec, int iFnIdx) {
  switch (CODEC_BASE(eCodec)) {
    case CODEC_BOOLEAN:
      if (v->t == DZ_BOOL) break;
      lua_pushboolean(L, asDouble(v) == 1.0);
      return;
    case CODEC_BIGINT:
      if (v->t == DZ_INT) { dzl_pushbigint(L, v->u.i); return; }
      if (v->t == DZ_TEXT) {
        int64_t i;
        if (parseInt64(v->u.s.z, v->u.s.n, &i)) { dzl_pushbigint(L, i); return; }
      }
      break;
    case CODEC_TIMESTAMP_ISO:
    case CODEC_MYSQL_DATETIME:
    case CODEC_MYSQL_DATE:
      if (v->t == DZ_TEXT) {
        double secs;
        if (!dzl_parse_instant(v->u.s.z, v->u.s.n, &secs)) {
          luaL_error(L, "drizzle: cannot read '%.*s' as a date/time", (int)(v->u.s.n > 60 ? 60 : v->u.s.n), v->u.s.z);
        }
        if (secs == floor(secs) && fabs(secs) < 9007199254740992.0) dzl_pushint64(L, (int64_t)secs);
        else lua_pushnumber(L, secs);
        return;
      }
      break;
    case CODEC_PG_ARRAY:
      /* iFnIdx: the element decoder of an array of a customType (Drizzle's
      ** PgArray maps each element through the base column's fromDriver) */
      if (v->t == DZ_TEXT) { dzl_push_array_value(L, v->u.s.z, v->u.s.n, CODEC_ELEM(eCodec), CODEC_ELEMKIND(eCodec), iFnIdx); return; }
      break;
    case CODEC_POINT_XY: case CODEC_POINT_TUPLE: case CODEC_LINE_ABC: case CODEC_LINE_TUPLE:
    case CODEC_GEOMETRY_XY: case CODEC_GEOMETRY_TUPLE: case CODEC_VECTOR:
      if (v->t == DZ_TEXT) { dzl_push_shape_value(L, v->u.s.z, v->u.s.n, CODEC_BASE(eCodec)); return; }
      break;
    case CODEC_BOOLEAN_INT:
      lua_pushboolean(L, asDouble(v) == 1.0);
      return;
    case CODEC_TIMESTAMP_S:
      if (v->t == DZ_INT) { dzl_pushint64(L, v->u.i); return; }
      lua_pushnumber(L, asDouble(v));
      return;
    case CODEC_TIMESTAMP_MS:
      lua_pushnumber(L, asDouble(v) / 1000.0);
      return;
    case CODEC_JSON:
    case CODEC_BLOB_JSON:
      if (v->t == DZ_TEXT || v->t == DZ_BLOB) {
        lua_getfield(L, LUA_REGISTRYINDEX, "drizzle.json.decode");
        lua_pushlstring(L, v->u.s.z, v->u.s.n);
        lua_call(L, 1, 1);
        return;
      }
      break;
    case CODEC_NUMERIC_NUMBER:
    case CODEC_NUMBER:
      pushNumber(L, v);
      return;
    case CODEC_NUMERIC_STRING:
    case CODEC_STRING:
      pushString(L, v);
      return;
    case CODEC_NUMERIC_BIGINT:
    case CODEC_NUMERIC_BIGINT64:
    case CODEC_BLOB_BIGINT: {
      int64_t i;
      if ((v->t == DZ_TEXT || v->t == DZ_BLOB) && parseInt64(v->u.s.z, v->u.s.n, &i)) { dzl_pushint64(L, i); return; }
      if (v->t == DZ_INT) { dzl_pushint64(L, v->u.i); return; }
      break;
    }
    case CODEC_CUSTOM:
    case CODEC_FUNCTION:
      if (iFnIdx) {
        lua_pushvalue(L, iFnIdx);
        dzl_push_value(L, v);
        dzl_call_user(L, 1, 1);
        return;
      }
      break;
    default:
      break;
  }
  dzl_push_value(L, v);
}
