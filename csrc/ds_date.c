/*
** ds_date.c -- metadata dates to ISO 8601 (see ds_date.h).
*/
#include "ds_date.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const azMonth[] = {"january", "february", "march", "april", "may", "june",
                                      "july", "august", "september", "october", "november",
                                      "december"};

/* Month number of a name or abbreviation of three letters or more (`Dec`, `Sept`), or 0. */
static int month_of(const char *z, size_t n) {
  if (n < 3) return 0;
  for (int m = 0; m < 12; m++)
    if (n <= strlen(azMonth[m]) && strncasecmp(z, azMonth[m], n) == 0) return m + 1;
  if (n == 4 && strncasecmp(z, "sept", 4) == 0) return 9;
  return 0;
}

static int digits(const char *z, size_t k);

/* Tokens of a date: numbers and words, with their lengths. */
typedef struct tok { const char *z; size_t n; int bNum; } tok;

static int days_in(int y, int m) {
  static const int a[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : a[m - 1];
}

/* A token's number; long digit runs are no date part (-1). */
static int num(const tok *t) {
  return t->n <= 4 ? digits(t->z, t->n) : -1;
}

static int put(char *zOut, int y, int m, int d) {
  if (y < 0 || m < 0 || d < 0) return 0;
  if (y < 1000 || y > 2999 || m < 0 || m > 12 || (m == 0 && d) || d < 0 || (m && d > days_in(y, m)))
    return 0;
  if (d) snprintf(zOut, 32, "%04d-%02d-%02d", y, m, d);
  else if (m) snprintf(zOut, 32, "%04d-%02d", y, m);
  else snprintf(zOut, 32, "%04d", y);
  return 1;
}

/* Exactly k ASCII digits at z[0..k) as a number, or -1. */
static int digits(const char *z, size_t k) {
  int v = 0;
  for (size_t i = 0; i < k; i++) {
    if (z[i] < '0' || z[i] > '9') return -1;
    v = v * 10 + z[i] - '0';
  }
  return v;
}

int ds_date_iso(const char *z, size_t n, char *zOut) {
  while (n > 0 && (*z == ' ' || *z == '\t')) { z++; n--; }
  while (n > 0 && (z[n - 1] == ' ' || z[n - 1] == '\t')) n--;
  if (n == 0 || n > 64 || memchr(z, '\0', n)) return 0;
  /* ISO date, perhaps with a time: keep it whole when the date part is valid */
  if (n >= 4 && n < 32 && digits(z, 4) >= 0 && (n == 4 || z[4] == '-')) {
    int y = digits(z, 4);
    if (n == 4) return put(zOut, y, 0, 0);
    int m = n >= 7 ? digits(z + 5, 2) : -1;
    if (m < 0) return 0;
    if (n == 7) return put(zOut, y, m, 0);
    int d = n >= 10 && z[7] == '-' ? digits(z + 8, 2) : -1;
    if (d < 0 || !put(zOut, y, m, d)) return 0;
    if (n == 10) return 1;
    if (z[10] != 'T' && z[10] != ' ') return 0;
    for (size_t i = 11; i < n; i++)       /* a time: digits, `:` `.` `+` `-` and `Z` */
      if (!((z[i] >= '0' && z[i] <= '9') || z[i] == ':' || z[i] == '.' || z[i] == '+' ||
            z[i] == '-' || z[i] == 'Z'))
        return 0;
    memcpy(zOut, z, n);
    zOut[10] = 'T';
    zOut[n] = 0;
    return 1;
  }
  /* otherwise: numbers and words */
  tok a[8];
  size_t nTok = 0;
  for (size_t i = 0; i < n && nTok < 8;) {
    if (z[i] >= '0' && z[i] <= '9') {
      size_t j = i;
      while (j < n && z[j] >= '0' && z[j] <= '9') j++;
      a[nTok++] = (tok){z + i, j - i, 1};
      i = j;
    } else if ((z[i] | 0x20) >= 'a' && (z[i] | 0x20) <= 'z') {
      size_t j = i;
      while (j < n && (z[j] | 0x20) >= 'a' && (z[j] | 0x20) <= 'z') j++;
      /* an ordinal's ending right after its number (`1st`), and `of` (`1st of March`),
         say nothing */
      int bOrd = j - i == 2 && nTok > 0 && a[nTok - 1].bNum && a[nTok - 1].z + a[nTok - 1].n == z + i &&
                 (strncasecmp(z + i, "st", 2) == 0 || strncasecmp(z + i, "nd", 2) == 0 ||
                  strncasecmp(z + i, "rd", 2) == 0 || strncasecmp(z + i, "th", 2) == 0);
      int bOf = j - i == 2 && nTok > 0 && strncasecmp(z + i, "of", 2) == 0;
      if (!bOrd && !bOf) a[nTok++] = (tok){z + i, j - i, 0};
      i = j;
    } else {
      i++;
    }
  }
  /* drop a weekday and a trailing time (`Mon, 07 Dec 2015 10:00:00 GMT`) */
  size_t s = 0;
  if (nTok > 0 && !a[0].bNum && !month_of(a[0].z, a[0].n)) s = 1;
  size_t e = nTok;
  for (size_t k = nTok; k-- > s + 1;)      /* a year ends the date: drop a time after it */
    if (a[k].bNum && a[k].n == 4) { e = k + 1; break; }
  if (e - s > 3) e = s + 3;
  size_t m = e - s;
  const tok *t = a + s;
  int mon;
  if (m == 3 && t[0].bNum && t[1].bNum && t[2].bNum) {
    if (t[0].n == 4) return put(zOut, num(&t[0]), num(&t[1]), num(&t[2]));   /* 2015/12/07 */
    if (t[2].n == 4) return put(zOut, num(&t[2]), num(&t[1]), num(&t[0]));   /* 7.12.2015 */
    return 0;
  }
  if (m == 3 && !t[0].bNum && (mon = month_of(t[0].z, t[0].n)) && t[1].bNum && t[2].bNum && t[2].n == 4)
    return put(zOut, num(&t[2]), mon, num(&t[1]));                         /* Dec 7, 2015 */
  if (m == 3 && t[0].bNum && !t[1].bNum && (mon = month_of(t[1].z, t[1].n)) && t[2].bNum && t[2].n == 4)
    return put(zOut, num(&t[2]), mon, num(&t[0]));                         /* 7 December 2015 */
  if (m == 2 && !t[0].bNum && (mon = month_of(t[0].z, t[0].n)) && t[1].bNum && t[1].n == 4)
    return put(zOut, num(&t[1]), mon, 0);                                  /* December 2015 */
  return 0;
}
