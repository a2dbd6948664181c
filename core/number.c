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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dz_driver.h"

static const double g_aPow10[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* The slow path: strtod on a copy of the n-byte number at z whose '.' is the
** locale's decimal point; *pzEnd maps back into z. */
static double viaStrtod(const char *z, size_t n, const char **pzEnd) {
  char a[512], *zStop;
  const char *zPoint = localeconv()->decimal_point;
  size_t i;
  double v;
  if (zPoint[0] == '.' || zPoint[1] != '\0' || n >= sizeof a) {
    v = strtod(z, &zStop);
    if (pzEnd) *pzEnd = zStop;
    return v;
  }
  for (i = 0; i < n; i++) a[i] = z[i] == '.' ? zPoint[0] : z[i];
  a[n] = '\0';
  v = strtod(a, &zStop);
  if (pzEnd) *pzEnd = z + (zStop - a);
  return v;
}

double dz_strtod(const char *z, const char **pzEnd) {
  const char *p = z;
  uint64_t m = 0;
  int nDigit = 0, nSeen = 0, e = 0, bNeg = 0;
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;      /* as strtod */
  z = p;
  if (*p == '-' || *p == '+') bNeg = *p++ == '-';
  while (*p == '0') { p++; nSeen++; }             /* leading zeros are not significant */
  for (; *p >= '0' && *p <= '9'; p++, nDigit++) m = m * 10 + (uint64_t)(*p - '0');
  if (*p == '.') {
    p++;
    if (nDigit == 0) while (*p == '0') { p++; e--; nSeen++; }
    for (; *p >= '0' && *p <= '9'; p++, nDigit++, e--) m = m * 10 + (uint64_t)(*p - '0');
  }
  nSeen += nDigit;
  if (nSeen == 0) return viaStrtod(z, strlen(z), pzEnd);   /* NaN, Infinity, or no number */
  if (*p == 'e' || *p == 'E') {
    const char *q = p + 1;
    int bNegExp = 0, x = 0, nExpDigit = 0;
    if (*q == '-' || *q == '+') bNegExp = *q++ == '-';
    for (; *q >= '0' && *q <= '9'; q++, nExpDigit++) if (x < 10000) x = x * 10 + (*q - '0');
    if (nExpDigit > 0) {                          /* else "1e" is 1 followed by "e" */
      p = q;
      e += bNegExp ? -x : x;
    }
  }
  if (nDigit > 19 || m > ((uint64_t)1 << 53) || e < -22 || e > 22) return viaStrtod(z, (size_t)(p - z), pzEnd);
  if (pzEnd) *pzEnd = p;
  {
    double v = (double)m;
    v = e < 0 ? v / g_aPow10[-e] : v * g_aPow10[e];
    return bNeg ? -v : v;
  }
}

double dz_text_to_double(const char *z) {
  return dz_strtod(z, NULL);
}

/* snprintf's %g writes the locale's decimal point; SQL wants '.'. */
static int formatG(char *z, size_t nz, int prec, double f) {
  const char *zPoint = localeconv()->decimal_point;
  int n = snprintf(z, nz, "%.*g", prec, f);
  if (zPoint[0] != '.' && zPoint[0] != '\0') {
    char *p = strchr(z, zPoint[0]);
    if (p) {
      size_t nPoint = strlen(zPoint);
      *p = '.';
      if (nPoint > 1) {                       /* a multibyte point: close the gap */
        memmove(p + 1, p + nPoint, strlen(p + nPoint) + 1);
        n -= (int)nPoint - 1;
      }
    }
  }
  return n;
}

int dz_double_to_text(char *z, size_t nz, int nMinPrec, double f) {
  int prec, n = 0;
  for (prec = nMinPrec; prec <= 17; prec++) {
    n = formatG(z, nz, prec, f);
    if (dz_text_to_double(z) == f) break;
  }
  return n;
}
