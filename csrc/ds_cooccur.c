/*
** ds_cooccur.c -- what occurs together in a span (see ds_cooccur.h).
*/
#include "ds_cooccur.h"

#include <string.h>

/* The span of a[0..n) (in order, not overlapping) holding pos, or -1. */
static int64_t span_holding(const ds_span *a, size_t n, int64_t pos) {
  size_t lo = 0, hi = n;
  while (lo < hi) {                     /* the first span starting after pos */
    size_t mid = lo + (hi - lo) / 2;
    if (a[mid].first <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && a[lo - 1].last >= pos ? (int64_t)lo - 1 : -1;
}

int ds_count_in_spans(ds_corpus *c, const ds_matchset *pHits, const ds_matchset *pWith, const char *zKind,
                      const unsigned char *abDoc, ds_spancount *out, ds_error *e) {
  memset(out, 0, sizeof *out);
  unsigned char *abMark = NULL;
  size_t nMarkAlloc = 0, iHit = 0, iWith = 0;
  int rc = DS_OK;
  for (size_t k = 0; k < ds_corpus_ndocs(c) && rc == DS_OK; k++) {
    const ds_docinfo *d = ds_corpus_doc(c, k);
    int64_t lo = d->cpos, hi = d->cpos + d->nTok;
    while (iWith < pWith->n && pWith->a[iWith].first < lo) iWith++;
    while (iHit < pHits->n && pHits->a[iHit].first < lo) iHit++;
    if (abDoc && !abDoc[k]) continue;
    if (iWith >= pWith->n || pWith->a[iWith].first >= hi) continue;      /* no mention here */
    const ds_span *a;
    size_t n;
    rc = ds_corpus_spans(c, k, zKind, &a, &n, e);
    if (rc) break;
    if (n > nMarkAlloc) {
      unsigned char *p = ds_realloc(abMark, n);
      if (!p) {
        rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
        break;
      }
      abMark = p;
      nMarkAlloc = n;
    }
    if (n) memset(abMark, 0, n);
    for (; iWith < pWith->n && pWith->a[iWith].first < hi; iWith++) {
      int64_t s = span_holding(a, n, pWith->a[iWith].first);
      if (s >= 0 && !abMark[s]) {
        abMark[s] = 1;
        out->nSpans++;
        out->nTokens += a[s].last - a[s].first + 1;
      }
    }
    for (; iHit < pHits->n && pHits->a[iHit].first < hi; iHit++) {
      int64_t s = span_holding(a, n, pHits->a[iHit].first);
      if (s >= 0 && abMark[s]) out->nHits++;
    }
  }
  ds_free(abMark);
  return rc;
}
