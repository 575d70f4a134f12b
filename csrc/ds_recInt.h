/*
** ds_recInt.h -- what the recognizers (ds_rec_*.c) share: looking at tokens.
**
** Internal to ds_rec_*.c; the public API is ds_recognize.h. Everything here reads the
** document only, so the recognizers stay pure (no global mutable state).
*/
#ifndef DS_RECINT_H
#define DS_RECINT_H

#include "ds_doc.h"
#include "ds_recognize.h"
#include "ds_utf8.h"

#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* Token i's text and length. */
static inline const char *rec_z(const ds_doc *d, size_t i) { return d->zText + d->aTok[i].start; }
static inline size_t rec_n(const ds_doc *d, size_t i) {
  return d->aTok[i].end - d->aTok[i].start;
}

/* ASCII lower case of c. */
static inline int rec_lc(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : (unsigned char)c; }

/*
** Is token i (in range) exactly zWord (case-sensitive / ASCII case-insensitive)? The
** first byte is compared before anything else: most tokens differ there.
*/
static inline int rec_is(const ds_doc *d, size_t i, const char *zWord) {
  if (i >= d->nTok || rec_z(d, i)[0] != zWord[0]) return 0;
  size_t n = strlen(zWord);
  return rec_n(d, i) == n && memcmp(rec_z(d, i), zWord, n) == 0;
}
static inline int rec_isi(const ds_doc *d, size_t i, const char *zWord) {
  if (i >= d->nTok || rec_lc(rec_z(d, i)[0]) != rec_lc(zWord[0])) return 0;
  size_t n = strlen(zWord);
  return rec_n(d, i) == n && strncasecmp(rec_z(d, i), zWord, n) == 0;
}

/* Index of token i's text in the NULL-ended list az (ASCII case-insensitive), or -1. */
static inline int rec_in(const ds_doc *d, size_t i, const char *const *az) {
  for (int k = 0; az[k]; k++)
    if (rec_isi(d, i, az[k])) return k;
  return -1;
}

/* Do tokens i and i+1 touch (no white space between them)? */
static inline int rec_touch(const ds_doc *d, size_t i) {
  return i + 1 < d->nTok && d->aTok[i].end == d->aTok[i + 1].start;
}

/* Is token i a dash joining two things: `-`, `–` (en dash), `—`, `‑`, `−`? */
static inline int rec_dash(const ds_doc *d, size_t i) {
  return rec_is(d, i, "-") || rec_is(d, i, "\xE2\x80\x93") || rec_is(d, i, "\xE2\x80\x94") ||
         rec_is(d, i, "\xE2\x80\x91") || rec_is(d, i, "\xE2\x88\x92");
}

/* Is token i all ASCII digits? Its value in *pv when it has at most 9 of them. */
static inline int rec_digits(const ds_doc *d, size_t i, int *pv) {
  if (i >= d->nTok) return 0;
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i);
  if (n == 0 || n > 9) return 0;
  int v = 0;
  for (size_t k = 0; k < n; k++) {
    if (z[k] < '0' || z[k] > '9') return 0;
    v = v * 10 + (z[k] - '0');
  }
  if (pv) *pv = v;
  return 1;
}

/* A four-digit year between 1000 and 2199 in token i: the year, else -1. */
static inline int rec_year(const ds_doc *d, size_t i) {
  int v;
  if (!rec_digits(d, i, &v) || rec_n(d, i) != 4 || v < 1000 || v > 2199) return -1;
  return v;
}

/* Does token i begin with an upper-case letter (any script)? */
static inline int rec_upper(const ds_doc *d, size_t i) {
  if (i >= d->nTok || !(d->aTok[i].flags & DS_TOK_WORD)) return 0;
  int32_t cp;
  ds_utf8_decode((const unsigned char *)d->zText, d->aTok[i].start, d->nText, &cp);
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_LU ||
         utf8proc_category(cp) == UTF8PROC_CATEGORY_LT;
}

/* Does token i begin with a lower-case letter? */
static inline int rec_lower(const ds_doc *d, size_t i) {
  if (i >= d->nTok || !(d->aTok[i].flags & DS_TOK_WORD)) return 0;
  int32_t cp;
  ds_utf8_decode((const unsigned char *)d->zText, d->aTok[i].start, d->nText, &cp);
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_LL;
}

/* Is token i a possessive ending (`'s`, `’s`) or a lone apostrophe after a plural? */
static inline int rec_possessive(const ds_doc *d, size_t i) {
  return rec_isi(d, i, "'s") || rec_isi(d, i, "\xE2\x80\x99s");
}

/*
** Append tokens [a, b) to out as written, each run of white space between them shown as
** one space (a name broken over two lines reads as one).
*/
static inline void rec_text(const ds_doc *d, size_t a, size_t b, ds_buf *out) {
  for (size_t i = a; i < b; i++) {
    if (i > a && d->aTok[i - 1].end < d->aTok[i].start) ds_buf_append(out, " ", 1);
    ds_buf_append(out, rec_z(d, i), rec_n(d, i));
  }
}

/* The sentence holding token i (sentences cover every token; binary search). */
static inline size_t rec_sentence_of(const ds_doc *d, size_t i) {
  size_t lo = 0, hi = d->nSent;
  while (lo + 1 < hi) {
    size_t mid = (lo + hi) / 2;
    if (d->aSent[mid].first <= i) lo = mid;
    else hi = mid;
  }
  return lo;
}

#endif
