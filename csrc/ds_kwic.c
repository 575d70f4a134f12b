/*
** ds_kwic.c -- key word in context (see ds_kwic.h).
*/
#include "ds_kwic.h"

int ds_corpus_kwic(ds_corpus *c, int64_t first, int64_t last, int width, ds_buf *pLeft,
                   ds_buf *pMatch, ds_buf *pRight, ds_error *e) {
  int64_t k = ds_corpus_doc_at(c, first);
  if (k < 0 || ds_corpus_doc_at(c, last) != k || last < first)
    return ds_error_set(e, DS_MISUSE, -1, "match %lld..%lld is not inside one document",
                        (long long)first, (long long)last);
  const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
  /* the parts around the match: a token has at least one character, so `width` tokens
     on each side hold the context, and the window reaches the document's edges if it
     must */
  /* first a fifth as many tokens (English averages about five characters a token with
     its space), then twice as many while that falls short of `width` inside the
     document, up to `width` + 1 (a token has a character at least) */
  int64_t w = width > 0 ? width : 0;
  ds_window win;
  const char *z;
  size_t nText, a, b, l, r;
  for (int64_t nTok = w / 5 + 2;; nTok = 2 * nTok < w + 1 ? 2 * nTok : w + 1) {
    int64_t t0 = first - d->cpos - nTok, t1 = last - d->cpos + nTok + 1;
    int rc = ds_corpus_window_exact(c, (size_t)k, t0 < 0 ? 0 : t0, t1 > d->nTok ? d->nTok : t1, 1, &win, e);
    if (rc) return rc;
    z = win.zText;
    nText = win.nText;
    int64_t base = d->cpos + win.first;
    a = win.aOff[2 * (first - base)], b = win.aOff[2 * (last - base) + 1];
    /* `width` code points back from a and forward from b, skipping continuation bytes */
    int nl = 0, nr = 0;
    for (l = a; nl < width && l > 0; nl++) {
      l--;
      while (l > 0 && ((unsigned char)z[l] & 0xC0) == 0x80) l--;
    }
    for (r = b; nr < width && r < nText; nr++) {
      r++;
      while (r < nText && ((unsigned char)z[r] & 0xC0) == 0x80) r++;
    }
    int bShortL = nl < width && win.first > 0;
    int bShortR = nr < width && win.first + (int64_t)win.n < d->nTok;
    if (nTok > w || !(bShortL || bShortR)) break;
  }
  ds_buf_put_flat(pLeft, z + l, a - l);
  ds_buf_put_flat(pMatch, z + a, b - a);
  ds_buf_put_flat(pRight, z + b, r - b);
  if (pLeft->rc || pMatch->rc || pRight->rc) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  return DS_OK;
}

int ds_corpus_kwic_tokens(ds_corpus *c, int64_t first, int64_t last, int nTok, ds_buf *pLeft,
                          ds_buf *pMatch, ds_buf *pRight, ds_error *e) {
  int64_t k = ds_corpus_doc_at(c, first);
  if (k < 0 || ds_corpus_doc_at(c, last) != k || last < first)
    return ds_error_set(e, DS_MISUSE, -1, "match %lld..%lld is not inside one document",
                        (long long)first, (long long)last);
  const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
  int64_t w = nTok > 0 ? nTok : 0;
  int64_t t0 = first - d->cpos - w, t1 = last - d->cpos + w + 1;     /* [t0, t1) */
  if (t0 < 0) t0 = 0;
  if (t1 > d->nTok) t1 = d->nTok;
  ds_window win;
  int rc = ds_corpus_window_exact(c, (size_t)k, t0, t1, 1, &win, e);
  if (rc) return rc;
  int64_t base = d->cpos + win.first;
  if (t0 < win.first || t1 > win.first + (int64_t)win.n)
    return ds_error_set(e, DS_CORRUPT, -1, "a window misses tokens %lld..%lld", (long long)t0, (long long)t1);
  const char *z = win.zText;
  size_t l = win.aOff[2 * (d->cpos + t0 - base)], a = win.aOff[2 * (first - base)];
  size_t b = win.aOff[2 * (last - base) + 1], r = win.aOff[2 * (d->cpos + t1 - 1 - base) + 1];
  ds_buf_put_flat(pLeft, z + l, a - l);
  ds_buf_put_flat(pMatch, z + a, b - a);
  ds_buf_put_flat(pRight, z + b, r - b);
  if (pLeft->rc || pMatch->rc || pRight->rc) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  return DS_OK;
}
