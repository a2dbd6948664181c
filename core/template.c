/*
** template.c: the text of Drizzle's sql`...` template as drizzle-c writes
** it in Lua, d.sql("length(?) < ?", col, 10): "?" marks a value, "??" is a
** literal "?". Split into the literal parts between the marks, so a
** template with k marks has k + 1 parts (possibly empty).
**
** The parse is greedy from the left: "???" is a literal "?" then a mark.
** It is exactly invertible, which fuzz/fuzz_template.c checks: doubling
** every "?" of each part and joining the parts with "?" gives the text back.
**
** Pure C; the binding (core.parseTemplate) and the fuzzer are its callers.
*/
#include <string.h>
#include "dz_int.h"

/*
** Split z[0..n) into parts. xPart(pCtx, zPart, nPart) is called once per
** part, in order; a part is a copy made in *pBuf (literal "??" already
** reduced to "?"), valid only during the call. Returns DZ_OK, DZ_NOMEM (the
** buffer could not grow; parts already reported stay reported), or the
** first non-zero value xPart returned.
*/
int dz_template_split(const char *z, size_t n, dz_buf *pBuf,
                      int (*xPart)(void *pCtx, const char *zPart, size_t nPart), void *pCtx) {
  size_t i = 0, iStart = 0;
  int rc;
  dz_buf_reset(pBuf);
  while (i < n) {
    const char *q = memchr(z + i, '?', n - i);
    if (!q) break;
    i = (size_t)(q - z);
    if (i + 1 < n && z[i + 1] == '?') {           /* "??": a literal "?" */
      dz_buf_add(pBuf, z + iStart, i - iStart + 1);
      i += 2;
      iStart = i;
      continue;
    }
    dz_buf_add(pBuf, z + iStart, i - iStart);      /* "?": a mark ends a part */
    if (pBuf->err) return pBuf->err;
    rc = xPart(pCtx, pBuf->z ? pBuf->z : "", pBuf->n);
    if (rc) return rc;
    dz_buf_reset(pBuf);
    i++;
    iStart = i;
  }
  dz_buf_add(pBuf, z + iStart, n - iStart);
  if (pBuf->err) return pBuf->err;
  return xPart(pCtx, pBuf->z ? pBuf->z : "", pBuf->n);
}
