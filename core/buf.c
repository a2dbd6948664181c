/*
** buf.c: a growable byte buffer with a sticky error (SQLite's StrAccum,
** lua-cjson's strbuf). Renderers append without checking; whoever finishes
** the render checks b->err once.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "dz_int.h"

void dz_buf_init(dz_buf *b) {
  b->z = NULL;
  b->n = b->cap = 0;
  b->err = DZ_OK;
}

void dz_buf_free(dz_buf *b) {
  dz_free(b->z, b->cap);
  dz_buf_init(b);
}

void dz_buf_reset(dz_buf *b) {
  b->n = 0;
  b->err = DZ_OK;
}

/* Make room for n more bytes plus a NUL; sets the sticky error on failure. */
int dz_buf_reserve(dz_buf *b, size_t n) {
  size_t cap;
  char *z;
  if (b->err) return 0;
  if (b->n + n + 1 <= b->cap) return 1;
  cap = b->cap ? b->cap : 256;
  while (cap < b->n + n + 1) cap *= 2;
  z = dz_realloc(b->z, b->cap, cap);
  if (!z) { b->err = DZ_NOMEM; return 0; }
  b->z = z;
  b->cap = cap;
  return 1;
}

void dz_buf_add(dz_buf *b, const char *z, size_t n) {
  if (!dz_buf_reserve(b, n)) return;
  memcpy(b->z + b->n, z, n);
  b->n += n;
  b->z[b->n] = 0;
}

void dz_buf_adds(dz_buf *b, const char *z) {
  dz_buf_add(b, z, strlen(z));
}

void dz_buf_addc(dz_buf *b, char c) {
  if (!dz_buf_reserve(b, 1)) return;
  b->z[b->n++] = c;
  b->z[b->n] = 0;
}

/* q + z + q, each q inside z doubled: an identifier quoted with a
** dialect's quote (render.c), or with a quote drizzle-kit picks (ddl.c). */
void dz_buf_add_quoted(dz_buf *b, char q, const char *z, size_t n) {
  size_t i, iStart = 0;
  if (!memchr(z, q, n)) {
    /* the usual name, with no quote inside: one reservation, no scan */
    if (dz_buf_reserve(b, n + 2)) {
      char *p = b->z + b->n;
      p[0] = q;
      memcpy(p + 1, z, n);
      p[n + 1] = q;
      p[n + 2] = 0;
      b->n += n + 2;
    }
    return;
  }
  dz_buf_addc(b, q);
  for (i = 0; i < n; i++) {
    if (z[i] == q) {
      dz_buf_add(b, z + iStart, i - iStart + 1);
      dz_buf_addc(b, q);
      iStart = i + 1;
    }
  }
  dz_buf_add(b, z + iStart, n - iStart);
  dz_buf_addc(b, q);
}

void dz_buf_addi(dz_buf *b, int64_t i) {
  char a[24];
  int n = snprintf(a, sizeof a, "%lld", (long long)i);
  dz_buf_add(b, a, (size_t)n);
}

void dz_buf_printf(dz_buf *b, const char *zFmt, ...) {
  va_list ap;
  int n;
  va_start(ap, zFmt);
  n = vsnprintf(NULL, 0, zFmt, ap);
  va_end(ap);
  if (n < 0 || !dz_buf_reserve(b, (size_t)n)) return;
  va_start(ap, zFmt);
  vsnprintf(b->z + b->n, (size_t)n + 1, zFmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}
