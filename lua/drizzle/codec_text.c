/*
** codec_text.c: the text forms servers use for structured values, both ways.
**
** PostgreSQL and MySQL hand most values to the client as text (libpq's text
** format, MySQL's temporal strings), and Drizzle's mapToDriverValue writes
** text for them too: ISO instants, array literals ('{"a","b"}'), points
** '(x,y)', lines '{a,b,c}', PostGIS 'point(x y)' in and EWKB hex out,
** pgvector '[1,2,3]'. This file holds exactly those formats, so codec.c
** only decides which one a column uses. Parsers never trust their input:
** malformed text raises a Lua error naming the format, never reads past n.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binding.h"

/* ------------------------------------------------------------ instants */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static int64_t daysFromCivil(int64_t y, int m, int d) {
  int64_t era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civilFromDays(int64_t z, int64_t *py, int *pm, int *pd) {
  int64_t era, doe, yoe, y, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *pd = (int)(doy - (153 * mp + 2) / 5 + 1);
  *pm = (int)(mp < 10 ? mp + 3 : mp - 9);
  *py = y + (*pm <= 2);
}

/* Read exactly nDigit digits at *pz; 0 if they are not there. */
static int digits(const char **pz, const char *zEnd, int nDigit, int *pOut) {
  int v = 0, i;
  if (zEnd - *pz < nDigit) return 0;
  for (i = 0; i < nDigit; i++) {
    char c = (*pz)[i];
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  *pz += nDigit;
  *pOut = v;
  return 1;
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS[.f+]]][Z|(+|-)HH[:MM[:SS]]][ BC]" -> seconds
** since the epoch (UTC when no offset is written; PostgreSQL timestamps
** without time zone and MySQL datetimes are read as UTC, as Drizzle reads
** them). "infinity" / "-infinity" are +-HUGE_VAL. Returns 0 on bad text. */
int dzl_parse_instant(const char *z, size_t n, double *pOut) {
  const char *zEnd = z + n;
  int y4, mo, d, h = 0, mi = 0, s = 0, oh = 0, om = 0, os = 0, sign = 1;
  int64_t y, ms = 0, secs;
  if (n == 8 && memcmp(z, "infinity", 8) == 0) { *pOut = HUGE_VAL; return 1; }
  if (n == 9 && memcmp(z, "-infinity", 9) == 0) { *pOut = -HUGE_VAL; return 1; }
  {
    /* years may have more than four digits */
    const char *p = z;
    y = 0;
    while (p < zEnd && *p >= '0' && *p <= '9') { y = y * 10 + (*p - '0'); p++; }
    if (p - z < 4) return 0;
    z = p;
    (void)y4;
  }
  if (z >= zEnd || *z++ != '-' || !digits(&z, zEnd, 2, &mo) || z >= zEnd || *z++ != '-' || !digits(&z, zEnd, 2, &d)) return 0;
  if (z < zEnd && (*z == ' ' || *z == 'T') && zEnd - z >= 6 && z[1] >= '0' && z[1] <= '9') {
    z++;
    if (!digits(&z, zEnd, 2, &h) || z >= zEnd || *z++ != ':' || !digits(&z, zEnd, 2, &mi)) return 0;
    if (z < zEnd && *z == ':') { z++; if (!digits(&z, zEnd, 2, &s)) return 0; }
    if (z < zEnd && *z == '.') {
      /* milliseconds, as a JavaScript Date keeps them: digits beyond the
      ** third are dropped (the instant is floored to the millisecond) */
      int nDigit = 0;
      z++;
      while (z < zEnd && *z >= '0' && *z <= '9') { if (nDigit < 3) { ms = ms * 10 + (*z - '0'); nDigit++; } z++; }
      while (nDigit && nDigit < 3) { ms *= 10; nDigit++; }
    }
  }
  if (z < zEnd && *z == 'Z') z++;
  else if (z < zEnd && (*z == '+' || *z == '-')) {
    sign = *z++ == '-' ? -1 : 1;
    if (!digits(&z, zEnd, 2, &oh)) return 0;
    if (z < zEnd && *z == ':') z++;
    if (z < zEnd && *z >= '0' && *z <= '9' && !digits(&z, zEnd, 2, &om)) return 0;
    if (z < zEnd && *z == ':') { z++; if (!digits(&z, zEnd, 2, &os)) return 0; }
  }
  if (zEnd - z == 3 && memcmp(z, " BC", 3) == 0) { y = 1 - y; z += 3; }
  if (z != zEnd || mo < 1 || mo > 12 || d < 1 || d > 31) return 0;
  secs = (int64_t)daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  secs -= sign * (oh * 3600 + om * 60 + os);
  /* one division of the exact count of milliseconds: 1700000000.123 reads
  ** as the double nearest to it, the same number as the Lua literal */
  *pOut = (double)(secs * 1000 + ms) / 1000.0;
  return 1;
}

/* Seconds (rounded to the millisecond) -> "YYYY-MM-DDTHH:MM:SS.mmmZ"
** (Date.toISOString) or, bMysql, "YYYY-MM-DD HH:MM:SS.mmm" (Drizzle's MySQL
** datetime/timestamp mapToDriverValue). Writes into a[n]. */
void dzl_format_instant(char *a, size_t n, double secs, int bMysql) {
  double ms = floor(secs * 1000.0 + 0.5);
  int64_t totalMs = (int64_t)ms;
  int64_t days = totalMs >= 0 ? totalMs / 86400000 : -((-totalMs + 86399999) / 86400000);
  int64_t rem = totalMs - days * 86400000;
  int64_t y;
  int m, d;
  civilFromDays(days, &y, &m, &d);
  snprintf(a, n, bMysql ? "%04lld-%02d-%02d %02d:%02d:%02d.%03d" : "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
           (long long)y, m, d, (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}

/* ------------------------------------------------------------ numbers */

static lua_Number checkCoord(lua_State *L, int idx, const char *zWhat, int iCol) {
  lua_Number f;
  if (lua_type(L, idx) != LUA_TNUMBER) dzl_value_error(L, iCol, "drizzle: %s must be numbers, got %s", zWhat, luaL_typename(L, idx));
  f = lua_tonumber(L, idx);
  if (f != f || f == HUGE_VAL || f == -HUGE_VAL) dzl_value_error(L, iCol, "drizzle: %s must be finite", zWhat);
  return f;
}

/* --------------------------------------------------------- geometry out */

/* Point / line / PostGIS point / vector in Drizzle's text: pushes the string.
**   point xy {x=,y=} / tuple {x,y}  -> "(x,y)"
**   line abc {a=,b=,c=} / tuple {a,b,c} -> "{a,b,c}"
**   geometry xy / tuple -> "point(x y)"
**   vector {1,2,3} -> "[1,2,3]"
** Each number is read and popped before the buffer is touched: a
** luaL_Buffer may keep slots of its own on the stack. */
void dzl_push_shape_text(lua_State *L, int idx, int eCodec, int iCol) {
  static const char *const azXY[] = { "x", "y" }, *const azABC[] = { "a", "b", "c" };
  luaL_Buffer b;
  int i, n;
  const char *zOpen = "(", *zSep = ",", *zClose = ")", *zWhat = "point coordinates";
  const char *const *azKey = NULL;
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  if (lua_type(L, idx) == LUA_TSTRING) { lua_pushvalue(L, idx); return; }  /* already text */
  if (!lua_istable(L, idx)) dzl_value_error(L, iCol, "drizzle: a table expected for a point/line/vector value, got %s", luaL_typename(L, idx));
  switch (eCodec) {
    case CODEC_POINT_XY: azKey = azXY; n = 2; break;
    case CODEC_POINT_TUPLE: n = 2; break;
    case CODEC_LINE_ABC: azKey = azABC; n = 3; zOpen = "{"; zClose = "}"; zWhat = "line coefficients"; break;
    case CODEC_LINE_TUPLE: n = 3; zOpen = "{"; zClose = "}"; zWhat = "line coefficients"; break;
    case CODEC_GEOMETRY_XY: azKey = azXY; n = 2; zOpen = "point("; zSep = " "; break;
    case CODEC_GEOMETRY_TUPLE: n = 2; zOpen = "point("; zSep = " "; break;
    default: n = (int)dzl_rawlen(L, idx); zOpen = "["; zClose = "]"; zWhat = "vector elements"; break;
  }
  luaL_buffinit(L, &b);
  luaL_addstring(&b, zOpen);
  for (i = 0; i < n; i++) {
    char a[48];
    if (azKey) lua_getfield(L, idx, azKey[i]); else lua_rawgeti(L, idx, i + 1);
    checkCoord(L, -1, zWhat, iCol);
#if LUA_VERSION_NUM >= 503
    if (lua_isinteger(L, -1)) snprintf(a, sizeof a, "%lld", (long long)lua_tointeger(L, -1));
    else
#endif
    dzl_fmt_number(a, sizeof a, lua_tonumber(L, -1));
    lua_pop(L, 1);
    if (i) luaL_addstring(&b, zSep);
    luaL_addstring(&b, a);
  }
  luaL_addstring(&b, zClose);
  luaL_pushresult(&b);
}

/* ---------------------------------------------------------- geometry in */

/* Parse up to nMax numbers separated by any of zSeps, between cOpen and
** cClose: "(1,2)", "{1,2,3}", "[1,2,3]". Returns the count, or -1. */
static int parseNumbers(const char *z, size_t n, char cOpen, char cClose, double *a, int nMax) {
  const char *zEnd = z + n;
  int i = 0;
  char buf[64];
  if (n < 2 || z[0] != cOpen || z[n - 1] != cClose) return -1;
  z++; zEnd--;
  if (z == zEnd) return 0;
  while (z <= zEnd) {
    const char *p = z;
    size_t m;
    while (p < zEnd && *p != ',') p++;
    m = (size_t)(p - z);
    if (m == 0 || m >= sizeof buf || i >= nMax) return -1;
    memcpy(buf, z, m);
    buf[m] = 0;
    {
      const char *zStop;
      a[i++] = dz_strtod(buf, &zStop);
      if (*zStop) return -1;
    }
    z = p + 1;
    if (p == zEnd) break;
  }
  return i;
}

static void pushNumbersAs(lua_State *L, const double *a, int n, const char *const *azKey) {
  int i;
  lua_createtable(L, azKey ? 0 : n, azKey ? n : 0);
  for (i = 0; i < n; i++) {
    lua_pushnumber(L, a[i]);
    if (azKey) lua_setfield(L, -2, azKey[i]); else lua_rawseti(L, -2, i + 1);
  }
}

static int hexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Bytes of EWKB hex at offset iByte (2 hex chars each), little or big endian. */
static int ewkbBytes(const char *z, size_t n, size_t iByte, int nByte, int bLittle, unsigned char *out) {
  int i;
  if ((iByte + (size_t)nByte) * 2 > n) return 0;
  for (i = 0; i < nByte; i++) {
    int hi = hexNibble(z[(iByte + (size_t)i) * 2]), lo = hexNibble(z[(iByte + (size_t)i) * 2 + 1]);
    if (hi < 0 || lo < 0) return 0;
    out[bLittle ? i : nByte - 1 - i] = (unsigned char)(hi << 4 | lo);
  }
  return 1;
}

/* PostGIS EWKB hex of a point -> x, y (Drizzle's parseEWKB). */
static int parseEwkbPoint(const char *z, size_t n, double *px, double *py) {
  unsigned char b[8];
  uint32_t type;
  size_t off = 1;
  int bLittle;
  if (!ewkbBytes(z, n, 0, 1, 1, b)) return 0;
  bLittle = b[0] == 1;
  if (!ewkbBytes(z, n, off, 4, bLittle, b)) return 0;
  memcpy(&type, b, 4);   /* host order: x86/arm little endian; bytes already arranged */
  off += 4;
  if (type & 0x20000000u) off += 4;    /* an SRID follows */
  if ((type & 0xffffu) != 1) return 0; /* only points */
  if (!ewkbBytes(z, n, off, 8, bLittle, b)) return 0;
  memcpy(px, b, 8);
  if (!ewkbBytes(z, n, off + 8, 8, bLittle, b)) return 0;
  memcpy(py, b, 8);
  return 1;
}

/* Push the Lua form of a point/line/geometry/vector text value. */
void dzl_push_shape_value(lua_State *L, const char *z, size_t n, int eCodec) {
  static const char *const azXY[] = { "x", "y" }, *const azABC[] = { "a", "b", "c" };
  double a[3];
  int k;
  switch (eCodec) {
    case CODEC_POINT_XY: case CODEC_POINT_TUPLE:
      k = parseNumbers(z, n, '(', ')', a, 2);
      if (k != 2) break;
      pushNumbersAs(L, a, 2, eCodec == CODEC_POINT_XY ? azXY : NULL);
      return;
    case CODEC_LINE_ABC: case CODEC_LINE_TUPLE:
      k = parseNumbers(z, n, '{', '}', a, 3);
      if (k != 3) break;
      pushNumbersAs(L, a, 3, eCodec == CODEC_LINE_ABC ? azABC : NULL);
      return;
    case CODEC_GEOMETRY_XY: case CODEC_GEOMETRY_TUPLE:
      if (!parseEwkbPoint(z, n, &a[0], &a[1])) break;
      pushNumbersAs(L, a, 2, eCodec == CODEC_GEOMETRY_XY ? azXY : NULL);
      return;
    default: {  /* vector: any length */
      const char *p = z, *zEnd = z + n;
      int i = 0;
      if (n < 2 || z[0] != '[' || z[n - 1] != ']') break;
      lua_newtable(L);
      p++;
      while (p < zEnd - 1) {
        const char *zStop;
        double f = dz_strtod(p, &zStop);
        if (zStop == p || zStop > zEnd - 1) { lua_pop(L, 1); goto bad; }
        lua_pushnumber(L, f);
        lua_rawseti(L, -2, ++i);
        p = zStop;
        if (*p == ',') p++;
      }
      return;
    }
  }
bad:
  luaL_error(L, "drizzle: cannot read %.*s as a %s value", (int)(n > 60 ? 60 : n), z,
             eCodec == CODEC_VECTOR ? "vector" : (eCodec == CODEC_GEOMETRY_XY || eCodec == CODEC_GEOMETRY_TUPLE) ? "PostGIS point" : "point/line");
}

/* -------------------------------------------------------------- arrays */

/* Lua sequence (nested for more dimensions) -> a pg array literal, Drizzle's
** makePgArray over the element codec's driver values: strings quoted with
** \ and " escaped, numbers and booleans bare, NULL as null. Each level's
** pieces go to a Lua table first and are joined at the end, so element
** encoding (which pushes and anchors strings) never interleaves with a
** luaL_Buffer. Pushes the literal. */
static int isNestedDimension(lua_State *L, int idx, int eElem) {
  if (!lua_istable(L, idx)) return 0;
  if (lua_getmetatable(L, idx)) { lua_pop(L, 1); return 0; }
  /* elements that are tables by themselves (json, points, lines) are values */
  return eElem != CODEC_JSON && eElem != CODEC_POINT_XY && eElem != CODEC_POINT_TUPLE &&
         eElem != CODEC_LINE_ABC && eElem != CODEC_LINE_TUPLE && eElem != CODEC_GEOMETRY_XY &&
         eElem != CODEC_GEOMETRY_TUPLE && eElem != CODEC_VECTOR;
}

static void pushArrayLevel(lua_State *L, int idx, int eElem, int iCol, int iAnchor, int *pnAnchor, int depth) {
  int i, n, iParts;
  luaL_Buffer b;
  if (depth > 32) luaL_error(L, "drizzle: array nested too deeply");
  n = (int)dzl_rawlen(L, idx);
  /* a key outside 1..n would be dropped without a word: refuse it */
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_Number k = lua_type(L, -2) == LUA_TNUMBER ? lua_tonumber(L, -2) : 0;
    if (!(k >= 1 && k <= n && k == (lua_Number)(int)k)) {
      const char *zKey = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : luaL_typename(L, -2);
      dzl_value_error(L, iCol, "drizzle: an array column takes a Lua sequence, got a table with key \"%s\"", zKey);
    }
    lua_pop(L, 1);
  }
  lua_createtable(L, n, 0);
  iParts = lua_gettop(L);
  for (i = 1; i <= n; i++) {
    dz_value v;
    char a[48];
    lua_rawgeti(L, idx, i);
    if (isNestedDimension(L, -1, eElem)) {
      pushArrayLevel(L, lua_gettop(L), eElem, iCol, iAnchor, pnAnchor, depth + 1);
      lua_rawseti(L, iParts, i);
      lua_pop(L, 1);
      continue;
    }
    dzl_encode_value(L, lua_gettop(L), eElem, iCol, &v, iAnchor, pnAnchor);
    switch (v.t) {
      case DZ_NULL: lua_pushliteral(L, "null"); break;
      case DZ_INT: snprintf(a, sizeof a, "%lld", (long long)v.u.i); lua_pushstring(L, a); break;
      case DZ_FLOAT: dzl_fmt_number(a, sizeof a, v.u.f); lua_pushstring(L, a); break;
      case DZ_BOOL: lua_pushstring(L, v.u.i ? "true" : "false"); break;
      case DZ_TEXT: case DZ_BLOB: {
        size_t j;
        luaL_buffinit(L, &b);
        luaL_addchar(&b, '"');
        for (j = 0; j < v.u.s.n; j++) {
          char c = v.u.s.z[j];
          if (c == '\\' || c == '"') luaL_addchar(&b, '\\');
          luaL_addchar(&b, c);
        }
        luaL_addchar(&b, '"');
        luaL_pushresult(&b);
        break;
      }
      default: luaL_error(L, "drizzle: a placeholder cannot be an array element");
    }
    lua_rawseti(L, iParts, i);
    lua_pop(L, 1);
  }
  luaL_buffinit(L, &b);
  luaL_addchar(&b, '{');
  for (i = 1; i <= n; i++) {
    if (i > 1) luaL_addchar(&b, ',');
    lua_rawgeti(L, iParts, i);
    luaL_addvalue(&b);
  }
  luaL_addchar(&b, '}');
  luaL_pushresult(&b);
  lua_remove(L, iParts);
}

void dzl_push_array_text(lua_State *L, int idx, int eElem, int iCol, int iAnchor, int *pnAnchor) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  if (lua_type(L, idx) == LUA_TSTRING) { lua_pushvalue(L, idx); return; }
  if (!lua_istable(L, idx)) dzl_value_error(L, iCol, "drizzle: an array column takes a Lua sequence, got %s", luaL_typename(L, idx));
  pushArrayLevel(L, idx, eElem, iCol, iAnchor, pnAnchor, 0);
}

/* pg array text -> nested Lua sequences. Elements: NULL -> d.NULL-free nil
** holes are not allowed in Lua sequences, so NULL elements become d.NULL
** (the light userdata NULL); others are decoded as eKind (int, float, bool,
** text) and then by the element codec. */
typedef struct ArrayParser {
  lua_State *L;
  const char *z, *zEnd;
  int eElem, eKind;
  int iFnIdx;                  /* absolute index of the element decoder (customType fromDriver), or 0 */
} ArrayParser;

static void pushElement(ArrayParser *p, const char *z, size_t n, int bQuoted) {
  lua_State *L = p->L;
  dz_value v;
  if (!bQuoted && n == 4 && (memcmp(z, "NULL", 4) == 0)) { lua_pushlightuserdata(L, NULL); return; }
  v.t = DZ_TEXT; v.u.s.z = z; v.u.s.n = n;
  switch (p->eKind) {
    case ELEM_INT: {
      char a[32];
      char *zStop;
      if (n < sizeof a) {
        memcpy(a, z, n); a[n] = 0;
        v.t = DZ_INT; v.u.i = (int64_t)strtoll(a, &zStop, 10);
        if (*zStop) v.t = DZ_TEXT;
      }
      break;
    }
    case ELEM_FLOAT: {
      char a[64];
      if (n < sizeof a) {
        memcpy(a, z, n); a[n] = 0;
        v.t = DZ_FLOAT;
        if (strcmp(a, "NaN") == 0) v.u.f = NAN;
        else if (strcmp(a, "Infinity") == 0) v.u.f = HUGE_VAL;
        else if (strcmp(a, "-Infinity") == 0) v.u.f = -HUGE_VAL;
        else v.u.f = dz_text_to_double(a);
      }
      break;
    }
    case ELEM_BOOL: v.t = DZ_BOOL; v.u.i = n > 0 && (z[0] == 't' || z[0] == 'T'); break;
    default: break;
  }
  dzl_push_decoded(L, &v, p->eElem, p->iFnIdx);
}

static void parseArrayLevel(ArrayParser *p, int depth) {
  lua_State *L = p->L;
  int i = 0;
  if (depth > 32 || p->z >= p->zEnd || *p->z != '{') luaL_error(L, "drizzle: malformed array literal");
  p->z++;
  lua_newtable(L);
  if (p->z < p->zEnd && *p->z == '}') { p->z++; return; }
  for (;;) {
    if (p->z >= p->zEnd) luaL_error(L, "drizzle: malformed array literal");
    if (*p->z == '{') {
      parseArrayLevel(p, depth + 1);
    } else if (*p->z == '"') {
      /* quoted: unescape into a Lua buffer-free copy */
      const char *s = ++p->z;
      size_t nOut = 0;
      char *zOut;
      const char *q = s;
      while (q < p->zEnd && *q != '"') { if (*q == '\\') q++; q++; nOut++; }
      if (q >= p->zEnd) luaL_error(L, "drizzle: malformed array literal (unterminated quote)");
      zOut = (char *)lua_newuserdata(L, nOut + 1);
      nOut = 0;
      for (q = s; *q != '"'; q++) { if (*q == '\\') q++; zOut[nOut++] = *q; }
      p->z = q + 1;
      pushElement(p, zOut, nOut, 1);
      lua_remove(L, -2);
    } else {
      const char *s = p->z;
      while (p->z < p->zEnd && *p->z != ',' && *p->z != '}') p->z++;
      pushElement(p, s, (size_t)(p->z - s), 0);
    }
    lua_rawseti(L, -2, ++i);
    if (p->z >= p->zEnd) luaL_error(L, "drizzle: malformed array literal");
    if (*p->z == ',') { p->z++; continue; }
    if (*p->z == '}') { p->z++; return; }
    luaL_error(L, "drizzle: malformed array literal");
  }
}

void dzl_push_array_value(lua_State *L, const char *z, size_t n, int eElem, int eKind, int iFnIdx) {
  ArrayParser p;
  p.L = L; p.z = z; p.zEnd = z + n; p.eElem = eElem; p.eKind = eKind;
  p.iFnIdx = iFnIdx < 0 ? lua_gettop(L) + iFnIdx + 1 : iFnIdx;
  /* dimension decorations: "[1:2]={...}" */
  if (n && z[0] == '[') {
    const char *eq = memchr(z, '=', n);
    if (eq) p.z = eq + 1;
  }
  parseArrayLevel(&p, 0);
}
