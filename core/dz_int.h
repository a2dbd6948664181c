/*
** dz_int.h: internals shared by the core's files; never installed.
**
** Holds the dialect struct (what differs between SQL dialects) and the
** assertion macros in SQLite's manner: DZ_ASSERT is on only in debug builds
** (-DDZ_DEBUG); DZ_ALWAYS/DZ_NEVER mark conditions believed impossible that
** are still handled in release builds.
*/
#ifndef DZ_INT_H
#define DZ_INT_H

#include "dz.h"

#ifdef DZ_DEBUG
# include <assert.h>
# define DZ_ASSERT(x) assert(x)
# define DZ_ALWAYS(x) (assert(x), 1)
# define DZ_NEVER(x)  (assert(!(x)), 0)
#else
# define DZ_ASSERT(x) ((void)0)
# define DZ_ALWAYS(x) (x)
# define DZ_NEVER(x)  (x)
#endif

struct dz_dialect {
  const char *zName;                 /* "sqlite" | "pg" | "mysql" */
  char cQuote;                       /* identifier quote: '"' or '`' */
  unsigned mFeature;
  /* The placeholder for the iParam-th bound value (0-based): "?" or "$n". */
  void (*xParam)(dz_buf *b, int iParam);
  /* Conflict clause after the values of an insert. */
  void (*xConflict)(dz_render *r, const dz_insert *s, const dz_conflict *c);
};

/* Shared pieces of render.c that dialect files call back into. */
void dz_render_chunk(dz_render *r, const dz_chunk *c);
void dz_render_sql_list(dz_render *r, const dz_sql *p);
void dz_render_set_items(dz_render *r, const dz_set_item *a, int n);
void dz_render_column_name(dz_render *r, const dz_column *pCol);
void dz_render_error(dz_render *r, int rc, const char *zFmt, ...);
#define dz_render_text(r, z) dz_buf_add(&(r)->sql, (z), sizeof(z) - 1)

/* buf.c: make room for n more bytes and a NUL; 0 (and the sticky error)
** when that fails. For writers that fill the buffer directly. */
int dz_buf_reserve(dz_buf *b, size_t n);

/* One byte, the common case without a call (renderers add many). */
static inline void dz_buf_putc(dz_buf *b, char c) {
  if (b->n + 2 <= b->cap && !b->err) {
    b->z[b->n++] = c;
    b->z[b->n] = 0;
  } else {
    dz_buf_addc(b, c);
  }
}

#endif /* DZ_INT_H */
