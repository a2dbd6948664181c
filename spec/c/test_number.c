/*
** test_number.c: dz_text_to_double (core/number.c) against strtod in the C
** locale: the same double, bit for bit, for the texts PostgreSQL writes
** (shortest round-trip floats), edge cases of the fast path, and texts
** that take the slow path; then the same under a comma-decimal locale,
** where strtod alone would stop at the '.'.
*/
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dz_driver.h"

static int nFail = 0;

static void checkSame(const char *z, double want) {
  double got = dz_text_to_double(z);
  if (memcmp(&got, &want, sizeof got) != 0 && !(isnan(got) && isnan(want))) {
    fprintf(stderr, "dz_text_to_double(\"%s\") = %.17g, want %.17g\n", z, got, want);
    nFail++;
  }
}

static const char *const g_azFixed[] = {
  "0", "-0", "1", "-1", "0.5", "50000.5", "0.1", "0.3", "-0.25", "123.456",
  "1e+100", "1e-100", "1.5e10", "2.5E-3", "9007199254740992", "9007199254740993",
  "123456789012345678", "1234567890123456789", "12345678901234567890",
  "0.000123", "000123.4500", "1e22", "1e23", "1e-22", "1e-23", "4.9e-324",
  "1.7976931348623157e+308", "3.4028235e+38", "1.1754944e-38", "NaN",
  "Infinity", "-Infinity", "0.30000000000000004", "17.100000381469727",
};

int main(void) {
  size_t i;
  char a[64];
  unsigned long x = 88172645463325252UL;
  for (i = 0; i < sizeof g_azFixed / sizeof g_azFixed[0]; i++) checkSame(g_azFixed[i], strtod(g_azFixed[i], NULL));
  /* random doubles printed the way pg prints them (shortest %.17g that
  ** round-trips), as floats, and as short decimals */
  for (i = 0; i < 200000; i++) {
    double f;
    int prec;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    switch (i % 3) {
      case 0: memcpy(&f, &x, sizeof f); if (!isfinite(f)) continue; break;
      case 1: f = (double)(float)((double)(x % 2000000) / 8.0 - 100000.0); break;
      default: f = (double)(long)(x % 100000000) / 1000.0; break;
    }
    for (prec = 1; prec <= 17; prec++) {
      snprintf(a, sizeof a, "%.*g", prec, f);
      if (strtod(a, NULL) == f) break;
    }
    checkSame(a, strtod(a, NULL));
  }
  /* dz_strtod stops where the number ends, as strtod does */
  {
    const char *zEnd;
    double f = dz_strtod("(1.5,-2e3)", NULL);
    if (f != 0) { fprintf(stderr, "'(' is not a number: got %g\n", f); nFail++; }
    f = dz_strtod("1.5,-2e3)", &zEnd);
    if (f != 1.5 || *zEnd != ',') { fprintf(stderr, "1.5 then ','\n"); nFail++; }
    f = dz_strtod(zEnd + 1, &zEnd);
    if (f != -2000 || *zEnd != ')') { fprintf(stderr, "-2e3 then ')'\n"); nFail++; }
    f = dz_strtod("12345678901234567890123e-3]", &zEnd);
    if (f != strtod("12345678901234567890123e-3", NULL) || *zEnd != ']') { fprintf(stderr, "slow path end\n"); nFail++; }
    f = dz_strtod("7e", &zEnd);
    if (f != 7 || *zEnd != 'e') { fprintf(stderr, "'7e' is 7 then 'e'\n"); nFail++; }
  }
  /* a comma-decimal locale, when the machine has one */
  if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "de_DE.utf8")) {
    double got = dz_text_to_double("1.5"), got2 = dz_text_to_double("1.2345678901234567891e5");
    if (got != 1.5 || fabs(got2 - 123456.78901234567891) > 1e-9) {
      fprintf(stderr, "under de_DE: %.17g %.17g\n", got, got2);
      nFail++;
    }
    dz_double_to_text(a, sizeof a, 15, 1.5);
    if (strcmp(a, "1.5") != 0) { fprintf(stderr, "under de_DE: 1.5 written as %s\n", a); nFail++; }
    dz_double_to_text(a, sizeof a, 15, 0.1 + 0.2);
    if (strcmp(a, "0.30000000000000004") != 0) { fprintf(stderr, "under de_DE: 0.1+0.2 written as %s\n", a); nFail++; }
    setlocale(LC_NUMERIC, "C");
  } else {
    printf("test_number: no de_DE locale, comma-decimal check skipped\n");
  }
  if (nFail) fprintf(stderr, "test_number: %d failures\n", nFail);
  return nFail != 0;
}
