/*
** json.c -- JSON encoder/decoder for the drizzle-c Lua binding.
**
** Why: rendered SQL params are compared byte for byte with real Drizzle, so
** JSON must come out exactly as JavaScript's JSON.stringify writes it (shortest
** round-trip numbers in JS's format, JS string escapes), with object keys sorted
** bytewise so the output is deterministic.  Integers must stay exact both ways,
** which Debian's lua-cjson 2.1.0 does not do.
**
** Memory: nothing here calls malloc.  The encoder's output buffer is a C array
** on the C stack, then a Lua full userdata anchored in one stack slot, so a Lua
** error (longjmp) anywhere leaks nothing.  The decoder builds strings with a
** luaL_Buffer for the same reason.
**
** The only code that depends on the Lua version is the compat block below.
*/
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "json.h"

/* [-0, +1, v]  Push the double spelled by a JSON number literal. */
static void push_float_literal (lua_State *L, const char *z, size_t n);

/* ------------------------------------------------------------------ compat
** Lua 5.3+ has an integer subtype (lua_Integer assumed to be 64-bit, the
** default build).  Lua 5.1 and LuaJIT only have doubles: integer literals that
** a double cannot hold exactly are kept as their decimal string instead.
*/
#if LUA_VERSION_NUM >= 503

/* [-0, +0, -]  Is stack slot i a Lua integer?  Then store it in *pv. */
static int get_integer (lua_State *L, int i, long long *pv) {
  if (!lua_isinteger(L, i)) return 0;
  *pv = (long long)lua_tointeger(L, i);
  return 1;
}

/* [-0, +0, -]  Is the table key at slot i a positive integer?  (Lua 5.3+
** normalises integral float keys to integers, so only integers count.) */
static int get_index_key (lua_State *L, int i, long long *pk) {
  return get_integer(L, i, pk) && *pk >= 1;
}

/* [-0, +1, m]  Push an integer literal: a Lua integer when it fits int64,
** otherwise (documented) the nearest double. */
static void push_integer_literal (lua_State *L, int fits, int64_t v,
                                  const char *z, size_t n) {
  if (fits) lua_pushinteger(L, (lua_Integer)v);
  else push_float_literal(L, z, n);
}

#else  /* Lua 5.1, LuaJIT */

#define DZJ_MAXSAFE 9007199254740992.0  /* 2^53: doubles are exact up to here */
#define DZJ_MAXSAFE_I INT64_C(9007199254740992)

static int get_integer (lua_State *L, int i, long long *pv) {
  (void)L; (void)i; (void)pv;
  return 0;                        /* every number is a double */
}

static int get_index_key (lua_State *L, int i, long long *pk) {
  lua_Number d = lua_tonumber(L, i);
  if (!(d >= 1 && d <= DZJ_MAXSAFE && d == floor(d))) return 0;
  *pk = (long long)d;
  return 1;
}

/* [-0, +1, m]  A number when |v| <= 2^53, else the literal's decimal string. */
static void push_integer_literal (lua_State *L, int fits, int64_t v,
                                  const char *z, size_t n) {
  if (fits && v <= DZJ_MAXSAFE_I && v >= -DZJ_MAXSAFE_I)   /* compare exactly */
    lua_pushnumber(L, (lua_Number)v);
  else
    lua_pushlstring(L, z, n);
}

#endif
/* ------------------------------------------------------------ end compat */

/* lua_absindex is 5.2+. */
static int abs_index (lua_State *L, int i) {
  return (i > 0 || i <= LUA_REGISTRYINDEX) ? i : lua_gettop(L) + i + 1;
}

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 if it is not
** one (overlong forms, surrogates and code points above U+10FFFF are not). */
static size_t utf8_seq (const unsigned char *s, size_t n) {
  unsigned c = s[0];
  unsigned lo = 0x80, hi = 0xBF;
  size_t len, k;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;          /* overlong */
    else if (c == 0xED) hi = 0x9F;     /* surrogates */
  }
  else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;          /* overlong */
    else if (c == 0xF4) hi = 0x8F;     /* > U+10FFFF */
  }
  else return 0;
  if (n < len) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (k = 2; k < len; k++)
    if (s[k] < 0x80 || s[k] > 0xBF) return 0;
  return len;
}

/* ================================================================ encoder */

typedef struct Enc {
  lua_State *L;
  char *z;            /* output so far: aInit, or the userdata in slot iBuf */
  size_t n, cap;
  int iBuf;           /* stack slot anchoring the heap buffer (nil at first) */
  int depth;
  char aInit[512];
} Enc;

typedef struct Key { const char *z; size_t n; } Key;

/* [-0, +0, m]  Make room for `need` more bytes.  The new buffer is a fresh
** userdata that replaces the old one in slot iBuf (the old one becomes
** garbage), so a later error leaks nothing. */
static void enc_reserve (Enc *e, size_t need) {
  size_t cap = e->cap;
  char *p;
  if (need <= cap - e->n) return;
  if (need > ((size_t)-1) / 2 - e->n) luaL_error(e->L, "JSON output too large");
  while (cap - e->n < need) cap *= 2;
  p = (char *)lua_newuserdata(e->L, cap);
  memcpy(p, e->z, e->n);
  lua_replace(e->L, e->iBuf);
  e->z = p;
  e->cap = cap;
}

static void enc_put (Enc *e, const char *s, size_t n) {      /* [-0, +0, m] */
  enc_reserve(e, n);
  memcpy(e->z + e->n, s, n);
  e->n += n;
}

static void enc_char (Enc *e, char c) {                      /* [-0, +0, m] */
  enc_reserve(e, 1);
  e->z[e->n++] = c;
}

/* [-0, +0, v]  A JSON string literal, escaped as JSON.stringify does:
** \" \\ \b \f \n \r \t, other bytes below 0x20 as \u00xx, the rest raw.
** Invalid UTF-8 raises, since a JavaScript string could not hold it. */
static void enc_string (Enc *e, const char *str, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, run = 0;             /* s[run..i) is pending raw output */
  enc_reserve(e, n + 2);
  enc_char(e, '"');
  while (i < n) {
    unsigned c = s[i];
    char esc[6];
    size_t len;
    if (c >= 0x80) {
      len = utf8_seq(s + i, n - i);
      if (len == 0) luaL_error(e->L, "invalid UTF-8 in JSON string");
      i += len;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') { i++; continue; }
    enc_put(e, str + run, i - run);
    esc[0] = '\\';
    switch (c) {
      case '"':  esc[1] = '"';  len = 2; break;
      case '\\': esc[1] = '\\'; len = 2; break;
      case '\b': esc[1] = 'b';  len = 2; break;
      case '\f': esc[1] = 'f';  len = 2; break;
      case '\n': esc[1] = 'n';  len = 2; break;
      case '\r': esc[1] = 'r';  len = 2; break;
      case '\t': esc[1] = 't';  len = 2; break;
      default:
        esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
        esc[4] = hex[c >> 4]; esc[5] = hex[c & 15]; len = 6; break;
    }
    enc_put(e, esc, len);
    run = ++i;
  }
  enc_put(e, str + run, n - run);
  enc_char(e, '"');
}

/* Split "%.*e" output for |d| into its significant digits (trailing zeros
** dropped) and decimal exponent.  Only digits are read, so the locale's
** decimal point does not matter. */
static int split_e (const char *buf, char *dig, int *pExp) {
  int nd = 0;
  for (; *buf && *buf != 'e'; buf++)
    if (*buf >= '0' && *buf <= '9') dig[nd++] = *buf;
  *pExp = (*buf == 'e') ? atoi(buf + 1) : 0;
  while (nd > 1 && dig[nd - 1] == '0') nd--;
  dig[nd] = '\0';
  return nd;
}

/* Does the decimal dig[0..nd) x 10^(exp-nd+1) read back as x?  The probe
** string has no decimal point, so strtod's locale does not matter. */
static int round_trips (const char *dig, int nd, int exp, double x) {
  char buf[48];
  snprintf(buf, sizeof buf, "%se%d", dig, exp - nd + 1);
  return strtod(buf, NULL) == x;
}

/* Shortest decimal digits that round-trip to x > 0 (ties: the closest), as
** ECMAScript Number::toString chooses them.  Returns the digit count; *pExp
** is the exponent of the first digit (x ~ d.ddd x 10^exp).  For normal
** doubles the 15-digit grid is coarser than the doubles, so the correctly
** rounded "%.14e" output is the answer when <= 15 digits suffice; at 16 a
** neighbour of the nearest decimal may round-trip when the nearest does not
** (the rounding interval is lopsided at powers of two); 17 always does. */
static int shortest_digits (double x, char *dig, int *pExp) {
  char buf[48];
  int prec, nd, exp, delta;
  if (x < DBL_MIN) {                 /* subnormal: few bits, so few digits */
    for (prec = 1; prec <= 17; prec++) {
      snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
      nd = split_e(buf, dig, &exp);
      if (round_trips(dig, nd, exp, x)) break;
    }
    *pExp = exp;
    return nd;
  }
  for (prec = 15; prec <= 16; prec++) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
    nd = split_e(buf, dig, &exp);
    if (round_trips(dig, nd, exp, x)) { *pExp = exp; return nd; }
  }
  for (delta = -1; delta <= 1; delta += 2) {        /* buf holds 16 digits */
    char m[24], probe[48];
    unsigned long long v;
    int len, k = 0, e2;
    const char *q;
    for (q = buf; *q && *q != 'e'; q++)
      if (*q >= '0' && *q <= '9') m[k++] = *q;
    m[k] = '\0';
    v = strtoull(m, NULL, 10);
    v = delta < 0 ? v - 1 : v + 1;
    len = snprintf(probe, sizeof probe, "%llu", v);
    nd = split_e(probe, dig, &e2);                 /* no 'e': digits only */
    e2 = exp - 15 + (len - 1);                     /* first digit's exponent */
    if (round_trips(dig, nd, e2, x)) { *pExp = e2; return nd; }
  }
  snprintf(buf, sizeof buf, "%.16e", x);
  nd = split_e(buf, dig, &exp);
  *pExp = exp;
  return nd;
}

/* Format a finite double as JavaScript's Number::toString does (-0 -> "0").
** Returns the length written to out (at least 32 bytes). */
static size_t fmt_double (double x, char *out) {
  char dig[24];
  char *p = out;
  int k, n, e, i;
  if (x == 0) { out[0] = '0'; return 1; }
  if (x < 0) { *p++ = '-'; x = -x; }
  k = shortest_digits(x, dig, &e);
  n = e + 1;                     /* x = 0.dig x 10^n, ECMAScript's n */
  if (k <= n && n <= 21) {       /* integer: digits then zeros */
    memcpy(p, dig, (size_t)k); p += k;
    for (i = k; i < n; i++) *p++ = '0';
  }
  else if (0 < n && n <= 21) {   /* 123.45 */
    memcpy(p, dig, (size_t)n); p += n;
    *p++ = '.';
    memcpy(p, dig + n, (size_t)(k - n)); p += k - n;
  }
  else if (-6 < n && n <= 0) {   /* 0.000123 */
    *p++ = '0'; *p++ = '.';
    for (i = n; i < 0; i++) *p++ = '0';
    memcpy(p, dig, (size_t)k); p += k;
  }
  else {                         /* 1.5e-7, 1e+21 */
    *p++ = dig[0];
    if (k > 1) { *p++ = '.'; memcpy(p, dig + 1, (size_t)(k - 1)); p += k - 1; }
    p += sprintf(p, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
  }
  return (size_t)(p - out);
}

/* [-0, +0, v]  Integers exactly; floats as JSON.stringify; NaN/inf raise. */
static void enc_number (Enc *e, int i) {
  char buf[64];
  long long v;
  lua_Number d;
  if (get_integer(e->L, i, &v)) {
    enc_put(e, buf, (size_t)snprintf(buf, sizeof buf, "%lld", v));
    return;
  }
  d = lua_tonumber(e->L, i);
  if (isnan(d) || isinf(d))
    luaL_error(e->L, "cannot encode NaN or infinity as JSON");
  enc_put(e, buf, fmt_double((double)d, buf));
}

static void enc_value (Enc *e, int i);

/* Bytewise order, a proper prefix first (memcmp order, like strcmp on UTF-8). */
static int key_cmp (const void *pa, const void *pb) {
  const Key *a = (const Key *)pa, *b = (const Key *)pb;
  int c = memcmp(a->z, b->z, a->n < b->n ? a->n : b->n);
  if (c) return c;
  return (a->n > b->n) - (a->n < b->n);
}

/* [-0, +0, v]  Table i has nKey string keys and nothing else.  The key
** pointers stay valid: the keys are held by table i, which is on the stack
** and not modified here, and Lua's collector never moves strings. */
static void enc_object (Enc *e, int i, size_t nKey) {
  lua_State *L = e->L;
  Key *aKey = (Key *)lua_newuserdata(L, nKey * sizeof(Key));
  size_t k = 0;
  lua_pushnil(L);
  while (lua_next(L, i)) {
    lua_pop(L, 1);
    aKey[k].z = lua_tolstring(L, -1, &aKey[k].n);    /* a string: no conversion */
    k++;
  }
  qsort(aKey, nKey, sizeof(Key), key_cmp);
  enc_char(e, '{');
  for (k = 0; k < nKey; k++) {
    if (k) enc_char(e, ',');
    enc_string(e, aKey[k].z, aKey[k].n);
    enc_char(e, ':');
    lua_pushlstring(L, aKey[k].z, aKey[k].n);
    lua_rawget(L, i);
    enc_value(e, lua_gettop(L));
    lua_pop(L, 1);
  }
  enc_char(e, '}');
  lua_pop(L, 1);                                     /* aKey */
}

/* [-0, +0, v]  Table i holds exactly the keys 1..n (n may be 0: "[]"). */
static void enc_array (Enc *e, int i, long long n) {
  long long k;
  enc_char(e, '[');
  for (k = 1; k <= n; k++) {
    if (k > 1) enc_char(e, ',');
    lua_rawgeti(e->L, i, (int)k);
    enc_value(e, lua_gettop(e->L));
    lua_pop(e->L, 1);
  }
  enc_char(e, ']');
}

/* [-0, +0, v]  Classify table i by its keys, then write it as an array or an
** object.  The depth check also stops cycles.  does not return on error */
static void enc_table (Enc *e, int i) {
  lua_State *L = e->L;
  size_t nStr = 0;
  long long nInt = 0, maxInt = 0, k;
  int bad = 0;
  if (++e->depth > DZJ_MAXDEPTH)
    luaL_error(L, "cannot encode JSON nested deeper than %d levels (cyclic table?)",
               DZJ_MAXDEPTH);
  luaL_checkstack(L, 4, "JSON nesting too deep");
  lua_pushnil(L);
  while (lua_next(L, i)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) nStr++;
    else if (get_index_key(L, -1, &k)) { nInt++; if (k > maxInt) maxInt = k; }
    else { bad = 1; lua_pop(L, 1); break; }
  }
  if (bad || (nStr && nInt) || maxInt != nInt)
    luaL_error(L, "cannot encode table with mixed or non-string keys as JSON");
  if (nStr) enc_object(e, i, nStr);
  else enc_array(e, i, nInt);
  e->depth--;
}

/* [-0, +0, v]  Dispatch on the type of slot i. */
static void enc_value (Enc *e, int i) {
  lua_State *L = e->L;
  switch (lua_type(L, i)) {
    case LUA_TNUMBER: enc_number(e, i); return;
    case LUA_TSTRING: {
      size_t n;
      const char *s = lua_tolstring(L, i, &n);
      enc_string(e, s, n);
      return;
    }
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, i)) enc_put(e, "true", 4);
      else enc_put(e, "false", 5);
      return;
    case LUA_TTABLE: enc_table(e, i); return;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, i) == NULL) { enc_put(e, "null", 4); return; }
      break;
    default: break;
  }
  luaL_error(L, "cannot encode %s as JSON", luaL_typename(L, i));
}

const char *dzj_encode (lua_State *L, int idx, size_t *pLen) {
  Enc e;
  idx = abs_index(L, idx);
  luaL_checkstack(L, 4, "cannot encode JSON");
  lua_pushnil(L);                     /* slot for the heap buffer */
  e.L = L;
  e.z = e.aInit;
  e.n = 0;
  e.cap = sizeof e.aInit;
  e.iBuf = lua_gettop(L);
  e.depth = 0;
  enc_value(&e, idx);
  lua_pushlstring(L, e.z, e.n);
  lua_replace(L, e.iBuf);             /* result takes the buffer's slot */
  return lua_tolstring(L, -1, pLen);
}

/* ================================================================ decoder */

typedef struct Dec {
  lua_State *L;
  const char *z;
  size_t n, i;        /* input and read position */
  int depth;
  int iNumMT;         /* stack index of decode()'s second argument, or 0 */
} Dec;

/* [-0, +0, v]  does not return */
static void dec_error (Dec *d, size_t pos, const char *reason) {
  char num[32];
  snprintf(num, sizeof num, "%lu", (unsigned long)pos);
  luaL_error(d->L, "invalid JSON at position %s: %s", num, reason);
}

/* [-0, +0, v]  does not return.  Names the unexpected byte (or end of input) at pos. */
static void dec_unexpected (Dec *d, size_t pos, const char *expected) {
  char msg[96];
  unsigned char c;
  if (pos >= d->n) dec_error(d, pos, "unexpected end of input");
  c = (unsigned char)d->z[pos];
  if (c > 0x20 && c < 0x7f)
    snprintf(msg, sizeof msg, "unexpected '%c'%s%s", c,
             expected ? ", expected " : "", expected ? expected : "");
  else
    snprintf(msg, sizeof msg, "unexpected byte 0x%02x%s%s", c,
             expected ? ", expected " : "", expected ? expected : "");
  dec_error(d, pos, msg);
}

static void dec_skip_ws (Dec *d) {
  while (d->i < d->n) {
    char c = d->z[d->i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    d->i++;
  }
}

static int is_digit (Dec *d, size_t j) {
  return j < d->n && d->z[j] >= '0' && d->z[j] <= '9';
}

/* [-0, +1, m] */
static void push_float_literal (lua_State *L, const char *z, size_t n) {
  /* Rewrite "-12.5e3" as "-125e2": strtod then never sees a decimal point,
  ** so the C locale's decimal separator cannot matter. */
  char aBuf[128], *buf = aBuf;
  size_t i = 0, o = 0, nFrac = 0;
  long long exp = 0;
  int expNeg = 0;
  if (n + 32 > sizeof aBuf) buf = (char *)lua_newuserdata(L, n + 32);
  if (z[i] == '-') buf[o++] = z[i++];
  while (i < n && z[i] >= '0' && z[i] <= '9') buf[o++] = z[i++];
  if (i < n && z[i] == '.')
    for (i++; i < n && z[i] >= '0' && z[i] <= '9'; nFrac++) buf[o++] = z[i++];
  if (i < n && (z[i] == 'e' || z[i] == 'E')) {
    i++;
    if (z[i] == '+' || z[i] == '-') expNeg = (z[i++] == '-');
    for (; i < n; i++)               /* saturate: beyond this it is 0 or inf */
      if (exp < 100000000) exp = exp * 10 + (z[i] - '0');
  }
  if (expNeg) exp = -exp;
  exp -= (long long)nFrac;
  snprintf(buf + o, 32, "e%lld", exp);
  lua_pushnumber(L, (lua_Number)strtod(buf, NULL));
  if (buf != aBuf) lua_remove(L, -2);
}

/* [-0, +1, v]  Number literal per RFC 8259; integers stay exact. */
static void dec_number (Dec *d) {
  size_t p = d->i, j = d->i, k;
  int neg = 0, isInt = 1, fits = 1;
  uint64_t mag = 0;
  if (d->z[j] == '-') { neg = 1; j++; }
  if (!is_digit(d, j)) dec_unexpected(d, j, "a digit");
  if (d->z[j] == '0') {
    j++;
    if (is_digit(d, j)) dec_error(d, j - 1, "leading zeros are not allowed");
  }
  else while (is_digit(d, j)) j++;
  if (j < d->n && d->z[j] == '.') {
    isInt = 0;
    if (!is_digit(d, ++j)) dec_unexpected(d, j, "a digit after '.'");
    while (is_digit(d, j)) j++;
  }
  if (j < d->n && (d->z[j] == 'e' || d->z[j] == 'E')) {
    isInt = 0;
    j++;
    if (j < d->n && (d->z[j] == '+' || d->z[j] == '-')) j++;
    if (!is_digit(d, j)) dec_unexpected(d, j, "a digit in the exponent");
    while (is_digit(d, j)) j++;
  }
  d->i = j;
  if (isInt) {
    for (k = p + neg; k < j; k++) {
      unsigned dg = (unsigned)(d->z[k] - '0');
      if (mag > (UINT64_MAX - dg) / 10) { fits = 0; break; }
      mag = mag * 10 + dg;
    }
    if (fits) fits = neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX;
  }
  if (d->iNumMT && (!isInt || !fits)) {
    /* decode(s, mt): such a number stays its literal, setmetatable({ text }, mt) */
    lua_createtable(d->L, 1, 0);
    lua_pushlstring(d->L, d->z + p, j - p);
    lua_rawseti(d->L, -2, 1);
    lua_pushvalue(d->L, d->iNumMT);
    lua_setmetatable(d->L, -2);
    return;
  }
  if (!isInt) { push_float_literal(d->L, d->z + p, j - p); return; }
  push_integer_literal(d->L, fits,
                       neg ? (int64_t)(0 - mag) : (int64_t)mag,   /* wraps for INT64_MIN */
                       d->z + p, j - p);
}

/* Four hex digits at z[j..j+4), or -1. */
static long hex4 (Dec *d, size_t j) {
  long v = 0;
  size_t k;
  if (j > d->n || d->n - j < 4) return -1;
  for (k = j; k < j + 4; k++) {
    char c = d->z[k];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return -1;
  }
  return v;
}

/* Write code point cp as UTF-8 into out; returns the length. */
static size_t utf8_put (unsigned long cp, char *out) {
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The escape at z[j] ('\\' at z[j-1]) into out; advances *pj past it.
** does not return on a bad escape or lone surrogate */
static size_t dec_escape (Dec *d, size_t *pj, char *out) {
  size_t j = *pj;
  long cp, lo;
  if (j >= d->n) dec_error(d, j, "unexpected end of input");
  *pj = j + 1;
  switch (d->z[j]) {
    case '"': out[0] = '"'; return 1;
    case '\\': out[0] = '\\'; return 1;
    case '/': out[0] = '/'; return 1;
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: dec_error(d, j - 1, "invalid escape");
  }
  cp = hex4(d, j + 1);
  if (cp < 0) dec_error(d, j - 1, "invalid \\u escape");
  *pj = j + 5;
  if (cp >= 0xDC00 && cp <= 0xDFFF) dec_error(d, j - 1, "lone surrogate in \\u escape");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    lo = (j + 6 < d->n && d->z[j + 5] == '\\' && d->z[j + 6] == 'u')
         ? hex4(d, j + 7) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF)
      dec_error(d, j - 1, "lone surrogate in \\u escape");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    *pj = j + 11;
  }
  return utf8_put((unsigned long)cp, out);
}

/* [-0, +1, v]  String literal at z[i] == '"'.  Without escapes it is pushed
** straight from the input; otherwise built in a luaL_Buffer (nothing else
** touches the stack while the buffer is open). */
static void dec_string (Dec *d) {
  const unsigned char *s = (const unsigned char *)d->z;
  size_t start = d->i + 1, j = start, run;
  luaL_Buffer b;
  int buffered = 0;
  run = start;
  for (;;) {
    unsigned c;
    if (j >= d->n) dec_error(d, d->i, "unterminated string");
    c = s[j];
    if (c == '"') break;
    if (c < 0x20) dec_error(d, j, "control character in string (escape it)");
    if (c >= 0x80) {
      size_t len = utf8_seq(s + j, d->n - j);
      if (len == 0) dec_error(d, j, "invalid UTF-8 in string");
      j += len;
      continue;
    }
    if (c == '\\') {
      char out[4];
      size_t len;
      if (!buffered) { luaL_buffinit(d->L, &b); buffered = 1; }
      luaL_addlstring(&b, d->z + run, j - run);
      j++;
      len = dec_escape(d, &j, out);
      luaL_addlstring(&b, out, len);
      run = j;
      continue;
    }
    j++;
  }
  if (buffered) {
    luaL_addlstring(&b, d->z + run, j - run);
    luaL_pushresult(&b);
  }
  else lua_pushlstring(d->L, d->z + start, j - start);
  d->i = j + 1;
}

static void dec_value (Dec *d);

/* [-0, +0, v]  does not return past the limit */
static void dec_enter (Dec *d) {
  if (++d->depth > DZJ_MAXDEPTH) {
    char msg[64];
    snprintf(msg, sizeof msg, "nested deeper than %d levels", DZJ_MAXDEPTH);
    dec_error(d, d->i, msg);
  }
  luaL_checkstack(d->L, 4, "JSON nesting too deep");
}

/* [-0, +1, v]  Array at z[i] == '['; JSON null stays a slot (NULL lightuserdata). */
static void dec_array (Dec *d) {
  int k;
  dec_enter(d);
  d->i++;
  lua_newtable(d->L);
  dec_skip_ws(d);
  if (d->i < d->n && d->z[d->i] == ']') { d->i++; d->depth--; return; }
  for (k = 1;; k++) {
    dec_value(d);
    lua_rawseti(d->L, -2, k);
    dec_skip_ws(d);
    if (d->i < d->n && d->z[d->i] == ',') { d->i++; continue; }
    if (d->i < d->n && d->z[d->i] == ']') { d->i++; break; }
    dec_unexpected(d, d->i, "',' or ']'");
  }
  d->depth--;
}

/* [-0, +1, v]  Object at z[i] == '{'; a repeated key keeps the last value. */
static void dec_object (Dec *d) {
  dec_enter(d);
  d->i++;
  lua_newtable(d->L);
  dec_skip_ws(d);
  if (d->i < d->n && d->z[d->i] == '}') { d->i++; d->depth--; return; }
  for (;;) {
    dec_skip_ws(d);
    if (d->i >= d->n || d->z[d->i] != '"') dec_unexpected(d, d->i, "a string key");
    dec_string(d);
    dec_skip_ws(d);
    if (d->i >= d->n || d->z[d->i] != ':') dec_unexpected(d, d->i, "':'");
    d->i++;
    dec_value(d);
    lua_rawset(d->L, -3);
    dec_skip_ws(d);
    if (d->i < d->n && d->z[d->i] == ',') { d->i++; continue; }
    if (d->i < d->n && d->z[d->i] == '}') { d->i++; break; }
    dec_unexpected(d, d->i, "',' or '}'");
  }
  d->depth--;
}

/* [-0, +1, v]  true / false / null. */
static void dec_literal (Dec *d, const char *word, size_t len) {
  if (d->n - d->i < len || memcmp(d->z + d->i, word, len) != 0)
    dec_unexpected(d, d->i, NULL);
  d->i += len;
  if (word[0] == 'n') lua_pushlightuserdata(d->L, NULL);
  else lua_pushboolean(d->L, word[0] == 't');
}

/* [-0, +1, v]  Any value, after optional whitespace. */
static void dec_value (Dec *d) {
  dec_skip_ws(d);
  if (d->i >= d->n) dec_error(d, d->i, "unexpected end of input");
  switch (d->z[d->i]) {
    case '{': dec_object(d); return;
    case '[': dec_array(d); return;
    case '"': dec_string(d); return;
    case 't': dec_literal(d, "true", 4); return;
    case 'f': dec_literal(d, "false", 5); return;
    case 'n': dec_literal(d, "null", 4); return;
    default:
      if (d->z[d->i] == '-' || is_digit(d, d->i)) { dec_number(d); return; }
      dec_unexpected(d, d->i, NULL);
  }
}

static void decode_with (lua_State *L, const char *z, size_t n, int iNumMT) {
  Dec d;
  d.L = L; d.z = z; d.n = n; d.i = 0; d.depth = 0; d.iNumMT = iNumMT;
  dec_value(&d);
  dec_skip_ws(&d);
  if (d.i < n) dec_unexpected(&d, d.i, "end of input");
}

void dzj_decode (lua_State *L, const char *z, size_t n) {
  decode_with(L, z, n, 0);
}

/* ============================================================ Lua module */

static int l_encode (lua_State *L) {       /* encode(v) -> string */
  luaL_checkany(L, 1);
  dzj_encode(L, 1, NULL);
  return 1;
}

/* decode(s [, mt]) -> value.  With a table mt, a number literal that is
** not an integer fitting int64 (12.50, 1e3, 99999999999999999999) comes
** back as setmetatable({ "<literal>" }, mt) instead of a double, so a
** caller that knows the value's column (numeric in relational JSON) keeps
** it exact. */
static int l_decode (lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  int iNumMT = 0;
  if (lua_type(L, 2) == LUA_TTABLE) iNumMT = 2;
  decode_with(L, z, n, iNumMT);
  return 1;
}

int dzj_open (lua_State *L) {
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, l_encode);
  lua_setfield(L, -2, "encode");
  lua_pushcfunction(L, l_decode);
  lua_setfield(L, -2, "decode");
  lua_pushlightuserdata(L, NULL);
  lua_setfield(L, -2, "null");
  return 1;
}
