/*
** fuzz_json.c: libFuzzer target for the JSON codec of the binding
** (lua/drizzle/json.c), which parses text read back from the database for
** every json column mode. json.c needs a Lua state, so this target links
** the static Lua 5.4 library (liblua5.4.a) and runs the codec in a fresh
** state per input, with a memory limit so a huge structure fails cleanly.
**
** Checks: decode either pushes a value or raises "invalid JSON at position
** N: ..." (or a memory / depth error); when it succeeds, encode(decoded)
** succeeds unless the text held something JSON.stringify cannot write back
** (invalid UTF-8 in a string, a number that is not finite), and encoding is
** idempotent: encode(decode(encode(v))) == encode(v).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "json.h"

typedef struct Lim { size_t nUsed, nMax; } Lim;

static void *limAlloc(void *ud, void *p, size_t osz, size_t nsz) {
  Lim *l = (Lim *)ud;
  if (p == NULL) osz = 0;
  if (nsz == 0) { free(p); l->nUsed -= osz; return NULL; }
  if (nsz > osz && l->nUsed + (nsz - osz) > l->nMax) return NULL;
  p = realloc(p, nsz);
  if (p) l->nUsed += nsz - osz;
  return p;
}

static int decodeIt(lua_State *L) {
  size_t n;
  const char *z = lua_tolstring(L, 1, &n);
  dzj_decode(L, z, n);
  return 1;
}
static int encodeIt(lua_State *L) {
  dzj_encode(L, 1, NULL);
  return 1;
}

/* f(arg) protected; returns 1 and leaves the result, or 0 and the error. */
static int pcall1(lua_State *L, lua_CFunction f, int iArg) {
  lua_pushcfunction(L, f);
  lua_pushvalue(L, iArg);
  return lua_pcall(L, 1, 1, 0) == LUA_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Lim lim = { 0, 64u << 20 };
  lua_State *L = lua_newstate(limAlloc, &lim);
  if (!L) return 0;
  lua_pushlstring(L, (const char *)data, size);            /* 1: text */
  if (!pcall1(L, decodeIt, 1)) {                           /* 2: value or error */
    const char *zErr = lua_tostring(L, -1);
    if (!zErr) abort();
    if (strncmp(zErr, "invalid JSON at position ", 25) != 0 && !strstr(zErr, "memory")
        && !strstr(zErr, "nested") && !strstr(zErr, "deep")) abort();
    lua_close(L);
    return 0;
  }
  if (pcall1(L, encodeIt, 2)) {                            /* 3: encode(v) */
    size_t n1, n2;
    const char *z1 = lua_tolstring(L, 3, &n1), *z2;
    if (!pcall1(L, decodeIt, 3)) {                         /* 4: decode again */
      if (!strstr(lua_tostring(L, -1), "memory")) abort(); /* our own output must parse */
    } else if (pcall1(L, encodeIt, 4)) {                   /* 5: encode again */
      z2 = lua_tolstring(L, 5, &n2);
      if (n1 != n2 || memcmp(z1, z2, n1) != 0) abort();    /* idempotent */
    } else if (!strstr(lua_tostring(L, -1), "memory")) {
      abort();
    }
  } else {
    const char *zErr = lua_tostring(L, -1);
    if (!zErr) abort();
    if (!strstr(zErr, "UTF-8") && !strstr(zErr, "NaN") && !strstr(zErr, "memory")
        && !strstr(zErr, "deeper") && !strstr(zErr, "mixed")) abort();
  }
  lua_close(L);
  return 0;
}
