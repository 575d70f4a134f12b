/*
** ds_count_matches.c -- counts over a match set (ds_count.h): the matches' own sequences,
** their collocates, the n-grams around them, and their dispersion over parts.
*/
#include "ds_countInt.h"

#include <stdlib.h>
#include <string.h>

/* {====== the matches' sequences ====== */

int ds_count_matches(ds_corpus *c, int attr, const ds_matchset *ms, const unsigned char *abDoc,
                     ds_seqs **ps, ds_error *e) {
  *ps = NULL;
  if (check_attr(attr, e)) return DS_MISUSE;
  ds_seqs *s;
  if (ds_count_seqs_new(&s)) return nomem(e);
  idvec v = {0};
  int rc = DS_OK;
  unsigned nTick = 0;
  for (size_t i = 0; rc == DS_OK && i < ms->n; i++) {
    if (ds_interrupt_due(&nTick, 1023)) {
      rc = ds_interrupt_error(e);
      break;
    }
    int64_t k = ds_corpus_doc_at(c, ms->a[i].first);
    if (k < 0 || !in_set(abDoc, (size_t)k)) continue;
    const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
    int64_t t0 = ms->a[i].first - d->cpos, t1 = ms->a[i].last - d->cpos + 1;
    if (t1 > d->nTok) t1 = d->nTok;
    rc = ds_count_doc_ids(c, (size_t)k, attr, t0, t1, &v, e);
    if (rc == DS_OK) {
      s->total++;
      if (ds_count_seqs_add(s, v.a, v.n, k)) rc = nomem(e);
    }
  }
  ds_free(v.a);
  if (rc) {
    ds_seqs_free(s);
    return rc;
  }
  *ps = s;
  return DS_OK;
}

/* }====== */

/* {====== collocates ====== */

/* The segment (sentence) of aSeg[0..n) holding token t (relative), by binary search. */
static const seg *seg_at(const seg *aSeg, size_t n, int64_t t) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (aSeg[mid].to <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo < n ? &aSeg[lo] : NULL;
}

int ds_count_collocates(ds_corpus *c, int attr, const ds_matchset *ms, const unsigned char *abDoc,
                        int nLeft, int nRight, const char *zWithin, ds_colloc *out, ds_error *e) {
  if (check_attr(attr, e)) return DS_MISUSE;
  if (nLeft < 0 || nRight < 0) return ds_error_set(e, DS_MISUSE, -1, "negative window");
  idvec v = {0};
  seg *aSeg = NULL;
  size_t nSegAlloc = 0, nSeg = 0, nSeenAlloc = 0;
  unsigned char *abSeen = NULL;    /* per token of the document: already in a window */
  int64_t kDoc = -1;               /* the document whose ids (and sentences) v holds */
  int rc = DS_OK;
  unsigned nTick = 0;
  for (size_t i = 0; rc == DS_OK && i < ms->n; i++) {
    if (ds_interrupt_due(&nTick, 1023)) {
      rc = ds_interrupt_error(e);
      break;
    }
    int64_t k = ds_corpus_doc_at(c, ms->a[i].first);
    if (k < 0 || !in_set(abDoc, (size_t)k)) continue;
    const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
    if (k != kDoc) {               /* matches come in corpus order: each document read once */
      rc = ds_count_doc_ids(c, (size_t)k, attr, 0, d->nTok, &v, e);
      if (rc == DS_OK && zWithin) rc = ds_count_doc_segments(c, (size_t)k, zWithin, &aSeg, &nSegAlloc, &nSeg, e);
      if (rc) break;
      if ((size_t)d->nTok > nSeenAlloc) {
        unsigned char *a = ds_realloc(abSeen, (size_t)d->nTok);
        if (!a) {
          rc = nomem(e);
          break;
        }
        abSeen = a;
        nSeenAlloc = (size_t)d->nTok;
      }
      if (d->nTok) memset(abSeen, 0, (size_t)d->nTok);
      kDoc = k;
    }
    int64_t first = ms->a[i].first - d->cpos, last = ms->a[i].last - d->cpos;
    if (last >= d->nTok) last = d->nTok - 1;
    int64_t lo = first - nLeft, hi = last + nRight;     /* inclusive */
    if (lo < 0) lo = 0;
    if (hi > d->nTok - 1) hi = d->nTok - 1;
    if (zWithin) {
      const seg *sl = seg_at(aSeg, nSeg, first), *sr = seg_at(aSeg, nSeg, last);
      if (sl && lo < sl->from) lo = sl->from;
      if (sr && hi > sr->to - 1) hi = sr->to - 1;
    }
    out->nNode++;
    for (int64_t t = lo; rc == DS_OK && t <= hi; t++) {
      if (t == first) t = last + 1;                     /* not the node's own tokens */
      if (t > hi) break;
      if (abSeen[t]) continue;                          /* in an earlier match's window */
      abSeen[t] = 1;
      out->nWindow++;
      if (freq_add(&out->xy, v.a[t], k)) rc = nomem(e);
    }
  }
  ds_free(v.a);
  ds_free(aSeg);
  ds_free(abSeen);
  return rc;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Count the n-grams starting at the distinct positions of aStart[0..nStart) (document k, ids v). */
static int around_flush(ds_seqs *s, const idvec *v, int n, int64_t *aStart, size_t nStart, int64_t k) {
  qsort(aStart, nStart, sizeof *aStart, cmp_i64);
  for (size_t j = 0; j < nStart; j++) {
    if (j && aStart[j] == aStart[j - 1]) continue;
    s->total++;
    if (ds_count_seqs_add(s, v->a + aStart[j], (size_t)n, k)) return DS_NOMEM;
  }
  return DS_OK;
}

int ds_count_around(ds_corpus *c, int attr, int n, int slot, const ds_matchset *ms,
                    const unsigned char *abDoc, ds_seqs **ps, ds_error *e) {
  *ps = NULL;
  if (check_attr(attr, e)) return DS_MISUSE;
  if (n < 1 || n > DS_COUNT_MAX_N) return ds_error_set(e, DS_MISUSE, -1, "n must be 1 to %d", DS_COUNT_MAX_N);
  if (slot < -n || slot > n) return ds_error_set(e, DS_MISUSE, -1, "slot must be -%d to %d", n, n);
  ds_seqs *s;
  if (ds_count_seqs_new(&s)) return nomem(e);
  idvec v = {0};
  seg *aSeg = NULL;
  size_t nSegAlloc = 0, nSeg = 0, nStart = 0, nStartAlloc = 0;
  int64_t *aStart = NULL;
  int64_t kDoc = -1;
  int rc = DS_OK;
  for (size_t i = 0; rc == DS_OK && i <= ms->n; i++) {
    int64_t k = i < ms->n ? ds_corpus_doc_at(c, ms->a[i].first) : -2;
    if (k == -1 || (k >= 0 && !in_set(abDoc, (size_t)k))) continue;
    if (k != kDoc) {               /* matches come in corpus order: each document read once */
      if (kDoc >= 0 && nStart) rc = around_flush(s, &v, n, aStart, nStart, kDoc);
      if (rc) rc = nomem(e);
      nStart = 0;
      if (k < 0 || rc) break;
      const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
      rc = ds_count_doc_ids(c, (size_t)k, attr, 0, d->nTok, &v, e);
      if (rc == DS_OK) rc = ds_count_doc_segments(c, (size_t)k, "s", &aSeg, &nSegAlloc, &nSeg, e);
      if (rc) break;
      kDoc = k;
    }
    const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
    int64_t first = ms->a[i].first - d->cpos, last = ms->a[i].last - d->cpos;
    if (last >= d->nTok || last - first + 1 > n) continue;
    const seg *sg = seg_at(aSeg, nSeg, first);
    if (!sg || last >= sg->to) continue;                 /* across a sentence boundary */
    int64_t lo = last - n + 1, hi = first;               /* the starts holding the match */
    if (slot) {                                          /* ... with the match at its slot */
      int64_t t = slot > 0 ? first - (slot - 1) : last - n - slot;
      if (t < lo || t > hi) continue;
      lo = hi = t;
    }
    if (lo < sg->from) lo = sg->from;
    if (hi > sg->to - n) hi = sg->to - n;
    for (int64_t t = lo; t <= hi; t++) {
      if (nStart == nStartAlloc) {
        size_t m = nStartAlloc ? 2 * nStartAlloc : 256;
        int64_t *a = ds_realloc(aStart, m * sizeof *a);
        if (!a) {
          rc = nomem(e);
          break;
        }
        aStart = a;
        nStartAlloc = m;
      }
      aStart[nStart++] = t;
    }
  }
  ds_free(v.a);
  ds_free(aSeg);
  ds_free(aStart);
  if (rc) {
    ds_seqs_free(s);
    return rc;
  }
  *ps = s;
  return DS_OK;
}

void ds_colloc_free(ds_colloc *o) {
  ds_freq_free(&o->xy);
  memset(o, 0, sizeof *o);
}

/* }====== */

/* {====== dispersion ====== */

int ds_count_dispersion(ds_corpus *c, const ds_matchset *ms, const unsigned char *abDoc,
                        size_t nParts, ds_parts_count *out, ds_error *e) {
  size_t nDoc = ds_corpus_ndocs(c);
  /* the subcorpus's documents end to end: the offset of each document in it */
  int64_t *aBase = ds_malloc_n(nDoc + 1, sizeof *aBase);
  if (!aBase) return nomem(e);
  int64_t total = 0;
  size_t nIn = 0;
  for (size_t k = 0; k < nDoc; k++) {
    aBase[k] = total;
    if (in_set(abDoc, k)) {
      total += ds_corpus_doc(c, k)->nTok;
      nIn++;
    }
  }
  size_t n = nParts ? nParts : nIn;
  out->nPart = n;
  out->aSize = ds_malloc_n(n ? n : 1, sizeof(int64_t));
  out->aHit = ds_malloc_n(n ? n : 1, sizeof(int64_t));
  out->aDoc = ds_malloc_n(n ? n : 1, sizeof(int64_t));
  int64_t *aPart = ds_malloc_n(nDoc ? nDoc : 1, sizeof(int64_t));   /* document -> part */
  if (!out->aSize || !out->aHit || !out->aDoc || !aPart) {
    ds_free(aBase);
    ds_free(aPart);
    ds_parts_count_free(out);
    return nomem(e);
  }
  memset(out->aHit, 0, n * sizeof(int64_t));
  if (nParts == 0) {
    size_t j = 0;
    for (size_t k = 0; k < nDoc; k++) {
      aPart[k] = -1;
      if (!in_set(abDoc, k)) continue;
      aPart[k] = (int64_t)j;
      out->aSize[j] = ds_corpus_doc(c, k)->nTok;
      out->aDoc[j++] = (int64_t)k;
    }
  } else {
    for (size_t j = 0; j < n; j++) {
      out->aSize[j] = total / (int64_t)n + ((int64_t)j < total % (int64_t)n ? 1 : 0);
      out->aDoc[j] = -1;
    }
  }
  /* part j starts at j * (total / n) + min(j, total % n) */
  int64_t q = n ? total / (int64_t)n : 0, r = n ? total % (int64_t)n : 0;
  for (size_t i = 0; i < ms->n; i++) {
    int64_t k = ds_corpus_doc_at(c, ms->a[i].first);
    if (k < 0 || !in_set(abDoc, (size_t)k)) continue;
    if (nParts == 0) {
      out->aHit[aPart[k]]++;
      continue;
    }
    int64_t at = aBase[k] + ms->a[i].first - ds_corpus_doc(c, (size_t)k)->cpos;
    int64_t j = at < r * (q + 1) ? at / (q + 1) : r + (q ? (at - r * (q + 1)) / q : 0);
    if (j >= (int64_t)n) j = (int64_t)n - 1;
    out->aHit[j]++;
  }
  ds_free(aBase);
  ds_free(aPart);
  return DS_OK;
}

void ds_parts_count_free(ds_parts_count *p) {
  ds_free(p->aSize);
  ds_free(p->aHit);
  ds_free(p->aDoc);
  memset(p, 0, sizeof *p);
}

/* }====== */
