/*
** number.c: decimal text to double for the drivers.
**
** PostgreSQL sends float4/float8 cells as text, one per cell of every row
** read, so this is on the hot path of a read. The common cell ("50000.5",
** "-0.25", "1e+100") has few significant digits and a small exponent; for
** those the value is m * 10^e or m / 10^-e with m and 10^|e| exact doubles
** (m < 2^53, |e| <= 22), and one IEEE multiplication or division of exact
** operands is correctly rounded (Clinger's fast path, as in strtod
** implementations themselves). Everything else goes to strtod with the
** decimal point the C locale expects, so the result never depends on
** setlocale().
*/
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dz_driver.h"

static const double g_aPow10[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* The slow path: strtod on a copy whose '.' is the locale's decimal point. */
static double viaStrtod(const char *z) {
  char a[512];
  const char *zPoint = localeconv()->decimal_point;
  size_t n = strlen(z), i;
  if (zPoint[0] == '.' || n >= sizeof a) return strtod(z, NULL);
  for (i = 0; i <= n; i++) a[i] = z[i] == '.' ? zPoint[0] : z[i];
  return strtod(a, NULL);
}

double dz_text_to_double(const char *z) {
  const char *p = z;
  uint64_t m = 0;
  int nDigit = 0, e = 0, bNeg = 0;
  if (*p == '-' || *p == '+') bNeg = *p++ == '-';
  while (*p == '0') p++;                        /* leading zeros are not significant */
  for (; *p >= '0' && *p <= '9'; p++, nDigit++) m = m * 10 + (uint64_t)(*p - '0');
  if (*p == '.') {
    p++;
    if (nDigit == 0) while (*p == '0') { p++; e--; }
    for (; *p >= '0' && *p <= '9'; p++, nDigit++, e--) m = m * 10 + (uint64_t)(*p - '0');
  }
  if (*p == 'e' || *p == 'E') {
    int bNegExp = 0, x = 0, nExpDigit = 0;
    p++;
    if (*p == '-' || *p == '+') bNegExp = *p++ == '-';
    for (; *p >= '0' && *p <= '9' && x < 10000; p++, nExpDigit++) x = x * 10 + (*p - '0');
    if (nExpDigit == 0) return viaStrtod(z);
    e += bNegExp ? -x : x;
  }
  if (*p != '\0' || nDigit > 19 || m > ((uint64_t)1 << 53) || e < -22 || e > 22) return viaStrtod(z);
  {
    double v = (double)m;
    v = e < 0 ? v / g_aPow10[-e] : v * g_aPow10[e];
    return bNeg ? -v : v;
  }
}
