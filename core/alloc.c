/*
** alloc.c: the one allocator hook every core allocation goes through.
**
** The hook is shaped like lua_Alloc so the Lua binding can hand the core its
** own allocator, and tests can install one that fails the Nth allocation
** (the memerr loop of Lua's testes and SQLite's OOM tests).
*/
#include <stdlib.h>
#include <string.h>
#include "dz_int.h"

static void *defaultAlloc(void *ud, void *p, size_t osz, size_t nsz) {
  (void)ud; (void)osz;
  if (nsz == 0) { free(p); return NULL; }
  return realloc(p, nsz);
}

static dz_alloc_fn xAlloc = defaultAlloc;
static void *pAllocUd = NULL;

/* Install f as the allocator (NULL restores libc). Not thread-safe: call it
** before any other core function, as sqlite3_config is used. */
void dz_set_allocator(dz_alloc_fn f, void *ud) {
  xAlloc = f ? f : defaultAlloc;
  pAllocUd = f ? ud : NULL;
}

void *dz_malloc(size_t n) {
  return xAlloc(pAllocUd, NULL, 0, n ? n : 1);
}

void *dz_realloc(void *p, size_t osz, size_t nsz) {
  return xAlloc(pAllocUd, p, osz, nsz ? nsz : 1);
}

void dz_free(void *p, size_t osz) {
  if (p) xAlloc(pAllocUd, p, osz, 0);
}

/* Copy n bytes and a terminating NUL; free with dz_free(p, n + 1). */
char *dz_strdup(const char *z, size_t n) {
  char *p = dz_malloc(n + 1);
  if (p) { memcpy(p, z, n); p[n] = 0; }
  return p;
}
