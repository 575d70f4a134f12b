/*
** fuzz_date.c -- ds_date_iso (metadata dates as documents write them) on arbitrary
** bytes. An answer must be what ds_date.h promises -- `YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
** or that and `T` and a time -- UTF-8 when the input is, and read back as itself.
** The input ends where an unreadable page begins, so any read past z[n) faults.
*/
/* MAP_ANONYMOUS: not POSIX, so ask for it when the build asks for POSIX only (replay) */
#define _DEFAULT_SOURCE 1
#include "ds_date.h"
#include "fuzz.h"

#include <sys/mman.h>

/* Where size bytes go so that the next byte is on a page no one may read. */
static char *before_guard(size_t size) {
  static char *p;
  long page = sysconf(_SC_PAGESIZE);
  if (!p) {
    p = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + page, (size_t)page, PROT_NONE)) abort();
  }
  if (size > (size_t)page) return NULL;
  return p + page - size;
}

/* The shape of ds_date.h's answers: digits and dashes, then nothing or 'T'. */
static int iso_shape(const char *z, size_t n) {
  static const char pat[] = "dddd-dd-dd";
  size_t m = n > 10 ? 10 : n;
  if ((m != 4 && m != 7 && m != 10) || (n > 10 && z[10] != 'T')) return 0;
  for (size_t i = 0; i < m; i++)
    if (pat[i] == 'd' ? z[i] < '0' || z[i] > '9' : z[i] != '-') return 0;
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *z = before_guard(size), zOut[64], zAgain[64];
  if (!z) return 0;
  memcpy(z, data, size);
  memset(zOut, 0x55, sizeof zOut);
  if (!ds_date_iso(z, size, zOut)) return 0;
  size_t n = strnlen(zOut, sizeof zOut);
  FUZZ_CHECK(n < 32);
  if (ds_utf8_check(z, size) < 0) FUZZ_CHECK(ds_utf8_check(zOut, n) < 0);
  FUZZ_CHECK(iso_shape(zOut, n));
  FUZZ_CHECK(ds_date_iso(zOut, n, zAgain) && strcmp(zOut, zAgain) == 0);
  return 0;
}
