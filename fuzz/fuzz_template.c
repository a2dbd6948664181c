/*
** fuzz_template.c: libFuzzer target for the sql template parser,
** dz_template_split (core/template.c), which d.sql("a ? b ?? c", x) uses
** through core.parseTemplate.
**
** Checks, for any bytes: parts are reported in order, each no longer than
** the text; the number of parts is the number of "?" marks (a "?" not
** part of a "??" pair, read greedily from the left) plus one; and the split
** is exactly invertible: doubling each "?" of every part and joining the
** parts with "?" gives the input back byte for byte.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dz_int.h"

typedef struct Ctx { dz_buf out; int nPart; size_t nMax; } Ctx;

static int onPart(void *p, const char *z, size_t n) {
  Ctx *c = (Ctx *)p;
  size_t i;
  if (n > c->nMax) abort();
  if (c->nPart++) dz_buf_addc(&c->out, '?');
  for (i = 0; i < n; i++) {
    dz_buf_addc(&c->out, z[i]);
    if (z[i] == '?') dz_buf_addc(&c->out, '?');
  }
  return 0;
}

static int stopAt(void *p, const char *z, size_t n) {
  (void)z; (void)n;
  return --*(int *)p == 0 ? 99 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *z = (const char *)data;
  dz_buf b;
  Ctx c;
  size_t i;
  int nMark = 0, rc, nStop;
  for (i = 0; i < size; i++) {
    if (z[i] != '?') continue;
    if (i + 1 < size && z[i + 1] == '?') i++;
    else nMark++;
  }
  dz_buf_init(&b);
  dz_buf_init(&c.out);
  c.nPart = 0;
  c.nMax = size;
  rc = dz_template_split(z, size, &b, onPart, &c);
  if (rc != DZ_OK) abort();
  if (c.nPart != nMark + 1) abort();
  if (c.out.n != size || (size && memcmp(c.out.z, z, size) != 0)) abort();
  /* a callback's non-zero result stops the split and is returned as is */
  nStop = 1 + (int)(size % 3);
  rc = dz_template_split(z, size, &b, stopAt, &nStop);
  if (!(rc == 99 || (rc == DZ_OK && nMark + 1 < 1 + (int)(size % 3)))) abort();
  dz_buf_free(&b);
  dz_buf_free(&c.out);
  return 0;
}
