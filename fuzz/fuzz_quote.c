/*
** fuzz_quote.c: libFuzzer target for the escape helpers every dialect
** renders names and inlined strings with: dz_quote_ident and
** dz_quote_string (core/render.c), and the DZ_K_NAME / inlined DZ_TEXT
** chunks that reach them through dz_render_sql, in every dialect
** dz_dialect_find knows ("sqlite", "pg", "mysql"; a missing one aborts).
**
** Checks: the output starts and ends with the quote character and,
** unquoted by the SQL rule (a doubled quote inside is one quote), gives the
** input back byte for byte; no single quote character is left alone inside
** (so nothing can end the identifier or literal early); the same text comes
** out of a render of a NAME chunk / an inlined TEXT param.
**
** Not checked here: MySQL's backslash escapes inside '...' literals, which
** depend on the server's sql_mode (NO_BACKSLASH_ESCAPES); the mysql spec must
** cover dz_quote_string there.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dz_int.h"

static void checkQuoted(const char *zIn, size_t nIn, const dz_buf *b, char q) {
  size_t i, j = 0;
  if (b->err) abort();
  if (b->n < 2 || b->z[0] != q || b->z[b->n - 1] != q) abort();
  for (i = 1; i + 1 < b->n; i++) {
    char c = b->z[i];
    if (c == q) {
      if (i + 2 >= b->n || b->z[i + 1] != q) abort();   /* a lone quote inside */
      i++;
    }
    if (j >= nIn || zIn[j] != c) abort();
    j++;
  }
  if (j != nIn) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const azDialect[] = { "sqlite", "pg", "mysql" };
  const char *z = (const char *)data;
  int iD;
  for (iD = 0; iD < 3; iD++) {
    const dz_dialect *d = dz_dialect_find(azDialect[iD]);
    dz_buf b;
    dz_render R;
    dz_chunk c;
    dz_sql s;
    if (!d) abort();                                       /* every dialect is linked in */
    dz_buf_init(&b);
    dz_quote_ident(d, &b, z, size);
    checkQuoted(z, size, &b, d->cQuote);
    /* the same bytes through a NAME chunk */
    dz_render_init(&R, d, DZ_CASING_NONE);
    memset(&c, 0, sizeof c);
    c.k = DZ_K_NAME; c.s.z = z; c.s.n = size;
    s.n = 1; s.a = &c; s.bInline = 0;
    if (dz_render_sql(&R, &s) != DZ_OK) abort();
    if (R.sql.n != b.n || memcmp(R.sql.z, b.z, b.n) != 0) abort();
    /* string literals, and the same through an inlined TEXT param */
    dz_buf_reset(&b);
    dz_quote_string(d, &b, z, size);
    checkQuoted(z, size, &b, '\'');
    dz_render_reset(&R);
    memset(&c, 0, sizeof c);
    c.k = DZ_K_PARAM; c.u.v.t = DZ_TEXT; c.u.v.u.s.z = z; c.u.v.u.s.n = size;
    s.bInline = 1;
    if (dz_render_sql(&R, &s) != DZ_OK) abort();
    if (R.nParam != 0) abort();
    if (R.sql.n != b.n || memcmp(R.sql.z, b.z, b.n) != 0) abort();
    dz_render_free(&R);
    dz_buf_free(&b);
  }
  return 0;
}
