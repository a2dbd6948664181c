/*
** arena.c: a bump allocator for everything one statement's AST needs.
**
** Nodes are only ever appended, never freed one by one (LPeg's one block per
** tree), so building a query costs a pointer bump per node rather than a
** malloc, and dropping it costs one pass over a few blocks.
*/
#include <string.h>
#include "dz_int.h"

struct dz_arena_block {
  dz_arena_block *pNext;
  size_t nSize;                 /* bytes available after the header */
};

#define ARENA_FIRST 4096u
#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)
#define HDR ALIGN8(sizeof(dz_arena_block))

void dz_arena_init(dz_arena *a) {
  a->pHead = NULL;
  a->nUsed = 0;
}

/* Start a new block large enough for n bytes; doubles with each block. */
static int arenaGrow(dz_arena *a, size_t n) {
  size_t nSize = a->pHead ? a->pHead->nSize * 2 : ARENA_FIRST;
  dz_arena_block *p;
  while (nSize < n) nSize *= 2;
  p = dz_malloc(HDR + nSize);
  if (!p) return DZ_NOMEM;
  p->pNext = a->pHead;
  p->nSize = nSize;
  a->pHead = p;
  a->nUsed = 0;
  return DZ_OK;
}

/* n bytes, 8-byte aligned and zeroed; NULL when out of memory. */
void *dz_arena_alloc(dz_arena *a, size_t n) {
  void *p;
  n = ALIGN8(n ? n : 1);
  if (!a->pHead || a->pHead->nSize - a->nUsed < n) {
    if (arenaGrow(a, n)) return NULL;
  }
  p = (char *)a->pHead + HDR + a->nUsed;
  a->nUsed += n;
  memset(p, 0, n);
  return p;
}

char *dz_arena_strdup(dz_arena *a, const char *z, size_t n) {
  char *p = dz_arena_alloc(a, n + 1);
  if (p) { memcpy(p, z, n); p[n] = 0; }
  return p;
}

/* Drop every node but keep the newest (largest) block for the next use. */
void dz_arena_reset(dz_arena *a) {
  dz_arena_block *p;
  if (!a->pHead) return;
  p = a->pHead->pNext;
  while (p) {
    dz_arena_block *pNext = p->pNext;
    dz_free(p, HDR + p->nSize);
    p = pNext;
  }
  a->pHead->pNext = NULL;
  a->nUsed = 0;
}

void dz_arena_free(dz_arena *a) {
  dz_arena_reset(a);
  if (a->pHead) dz_free(a->pHead, HDR + a->pHead->nSize);
  a->pHead = NULL;
  a->nUsed = 0;
}
