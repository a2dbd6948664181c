/*
** debug.c: allocation accounting and failure injection for the specs
** (SQLite's OOM tests and the memerr loop of Lua's testes).
**
** At luaopen the core's allocator hook (dz_set_allocator) becomes a libc
** allocator that counts live blocks and bytes. The cost is two additions
** per core allocation; the core allocates per arena block and per buffer
** growth, not per node. Specs read the counts after a full
** collectgarbage() to prove that everything the core allocated was freed
** by a __gc, and arm a failure:
**
**   core.debug_allocStats()       -> { live =, bytes =, total =, failed = }
**   core.debug_failAlloc(n)       the n-th core allocation from now fails
**                                 (once: later ones succeed again); 0 disarms
**   core.debug_failAlloc(n, "lua")  the n-th Lua allocation from now and all
**                                 after it fail until disarmed (Lua retries a
**                                 failed allocation after an emergency
**                                 collection, so a one-shot failure would be
**                                 absorbed); Lua 5.2+ only, LuaJIT ignores
**                                 custom allocators
**   core.debug_failAlloc(0)       disarms both; returns how many failed
**
** Process-wide state: meant for one Lua state at a time (a test runner);
** counters in a multi-threaded host would only be approximate, which is
** harmless since failures are armed only by a spec.
*/
#include <stdlib.h>
#include <string.h>
#include "binding.h"

static struct {
  long nLive;            /* core blocks allocated and not freed */
  long long nBytes;      /* their bytes (as the callers state sizes) */
  long long nTotal;      /* allocations ever made */
  long nFailAt;          /* countdown of core allocations; 0: off */
  long nFailed;          /* failures injected since the last arm */
  /* Lua allocator wrapper */
  lua_Alloc xLuaAlloc;
  void *pLuaUd;
  long nLuaFailAt;       /* countdown; once it reaches 1 every growth fails */
  int bLuaFailing;
} g;

static void *countingAlloc(void *ud, void *p, size_t osz, size_t nsz) {
  void *pNew;
  (void)ud;
  if (nsz == 0) {
    if (p) { free(p); g.nLive--; g.nBytes -= (long long)osz; }
    return NULL;
  }
  if (g.nFailAt > 0 && --g.nFailAt == 0) { g.nFailed++; return NULL; }
  pNew = realloc(p, nsz);
  if (!pNew) return NULL;
  if (!p) { g.nLive++; g.nTotal++; g.nBytes += (long long)nsz; }
  else g.nBytes += (long long)nsz - (long long)osz;
  return pNew;
}

#if LUA_VERSION_NUM >= 502
/* The Lua allocator during a "lua" failure run. Shrinking never fails:
** Lua relies on that. */
static void *failingLuaAlloc(void *ud, void *p, size_t osz, size_t nsz) {
  (void)ud;
  if (nsz > 0 && (p == NULL || nsz > osz)) {
    if (g.bLuaFailing) { g.nFailed++; return NULL; }
    if (g.nLuaFailAt > 0 && --g.nLuaFailAt == 0) { g.bLuaFailing = 1; g.nFailed++; return NULL; }
  }
  return g.xLuaAlloc(g.pLuaUd, p, osz, nsz);
}
#endif

static int l_allocStats(lua_State *L) {
  lua_createtable(L, 0, 4);
  lua_pushinteger(L, (lua_Integer)g.nLive); lua_setfield(L, -2, "live");
  lua_pushinteger(L, (lua_Integer)g.nBytes); lua_setfield(L, -2, "bytes");
  lua_pushinteger(L, (lua_Integer)g.nTotal); lua_setfield(L, -2, "total");
  lua_pushinteger(L, (lua_Integer)g.nFailed); lua_setfield(L, -2, "failed");
  return 1;
}

static void luaDisarm(lua_State *L) {
  if (g.xLuaAlloc) {
    lua_setallocf(L, g.xLuaAlloc, g.pLuaUd);
    g.xLuaAlloc = NULL;
    g.pLuaUd = NULL;
  }
  g.nLuaFailAt = 0;
  g.bLuaFailing = 0;
}

/* debug_failAlloc(n [, "core"|"lua"]) -> failures injected since the last
** arm (when disarming) */
static int l_failAlloc(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  const char *zWhich = luaL_optstring(L, 2, "core");
  long nFailed = g.nFailed;
  luaL_argcheck(L, n >= 0, 1, "allocation number must be >= 0");
  g.nFailAt = 0;
  luaDisarm(L);
  if (n == 0) { lua_pushinteger(L, (lua_Integer)nFailed); return 1; }
  g.nFailed = 0;
  if (strcmp(zWhich, "core") == 0) {
    g.nFailAt = (long)n;
  } else if (strcmp(zWhich, "lua") == 0) {
#if LUA_VERSION_NUM >= 502
    g.xLuaAlloc = lua_getallocf(L, &g.pLuaUd);
    g.nLuaFailAt = (long)n;
    lua_setallocf(L, failingLuaAlloc, NULL);
#else
    return luaL_error(L, "debug_failAlloc: \"lua\" needs Lua 5.2 or later");
#endif
  } else {
    return luaL_argerror(L, 2, "\"core\" or \"lua\" expected");
  }
  lua_pushinteger(L, 0);
  return 1;
}

/* debug_withFailAlloc(n, kind, f) -> failed, ok, result|error
** Arms like debug_failAlloc(n, kind), calls f() protected and disarms in C
** before anything else runs: with the Lua allocator failing, even calling
** debug_failAlloc(0) from Lua could fail (a stack or CallInfo to grow). */
static int l_withFailAlloc(lua_State *L) {
  int rc;
  lua_Integer nFailed;
  luaL_checktype(L, 3, LUA_TFUNCTION);
  lua_settop(L, 3);
  luaL_checkstack(L, 8, "debug_withFailAlloc");
  lua_pushcfunction(L, l_failAlloc);     /* arm */
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 0);
  lua_pushvalue(L, 3);
  rc = lua_pcall(L, 0, 1, 0);
  g.nFailAt = 0;                         /* disarm before anything allocates */
  luaDisarm(L);
  nFailed = (lua_Integer)g.nFailed;
  lua_pushinteger(L, nFailed);
  lua_pushboolean(L, rc == 0);
  lua_pushvalue(L, -3);
  return 3;
}

static const luaL_Reg aDebugFns[] = {
  { "debug_allocStats", l_allocStats },
  { "debug_failAlloc", l_failAlloc },
  { "debug_withFailAlloc", l_withFailAlloc },
  { NULL, NULL }
};

/* [-0,+0,m] Installs the counting allocator (once) and registers the
** functions into the module table on top of the stack. */
void dzl_register_debug(lua_State *L) {
  static int bInstalled = 0;
  if (!bInstalled) {
    dz_set_allocator(countingAlloc, NULL);
    bInstalled = 1;
  }
  dzl_setfuncs(L, aDebugFns);
}
