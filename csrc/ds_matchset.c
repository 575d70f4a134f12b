/*
** ds_matchset.c -- match sets: append, anchor columns, sort and dedupe (see ds_matchset.h).
*/
#include "ds_matchset.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* Room for nNew matches in a and in every anchor column. */
static int grow(ds_matchset *m, size_t nNew) {
  ds_match *a = ds_realloc_n(m->a, nNew, sizeof *a);
  if (!a) return DS_NOMEM;
  m->a = a;
  for (size_t j = 0; j < m->nAnchor; j++) {
    int64_t *col = ds_realloc_n(m->aaAnchor[j], nNew, sizeof *col);
    if (!col) return DS_NOMEM;       /* the columns grown so far keep their room: harmless */
    m->aaAnchor[j] = col;
  }
  m->nAlloc = nNew;
  return DS_OK;
}

int ds_matchset_anchors(ds_matchset *m, size_t nAnchor) {
  if (nAnchor == m->nAnchor) return DS_OK;
  if (m->n > 0 || nAnchor > DS_MATCHSET_MAX_ANCHORS || m->nAnchor > 0) return DS_MISUSE;
  int64_t **aa = ds_malloc_n(nAnchor, sizeof *aa);
  if (!aa) return DS_NOMEM;
  memset(aa, 0, nAnchor * sizeof *aa);
  for (size_t j = 0; j < nAnchor; j++) {
    aa[j] = m->nAlloc ? ds_malloc_n(m->nAlloc, sizeof **aa) : NULL;
    if (m->nAlloc && !aa[j]) {
      for (size_t i = 0; i < j; i++) ds_free(aa[i]);
      ds_free(aa);
      return DS_NOMEM;
    }
  }
  m->aaAnchor = aa;
  m->nAnchor = nAnchor;
  return DS_OK;
}

int64_t ds_matchset_add(ds_matchset *m, int64_t first, int64_t last) {
  if (m->n == m->nAlloc && grow(m, m->nAlloc ? m->nAlloc * 2 : 64)) return -1;
  m->a[m->n] = (ds_match){first, last};
  for (size_t j = 0; j < m->nAnchor; j++) m->aaAnchor[j][m->n] = -1;
  return (int64_t)m->n++;
}

/* Order of two matches (by first, then last), then of their places in the set. */
typedef struct sortkey {
  ds_match m;
  size_t i;
} sortkey;

static int cmp_key(const void *pa, const void *pb) {
  const sortkey *a = pa, *b = pb;
  if (a->m.first != b->m.first) return a->m.first < b->m.first ? -1 : 1;
  if (a->m.last != b->m.last) return a->m.last < b->m.last ? -1 : 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

int ds_matchset_sort(ds_matchset *m) {
  int bSorted = 1;
  for (size_t i = 1; i < m->n && bSorted; i++)
    bSorted = m->a[i - 1].first < m->a[i].first ||
              (m->a[i - 1].first == m->a[i].first && m->a[i - 1].last < m->a[i].last);
  if (bSorted) return DS_OK;                 /* in order and without repeats already */
  sortkey *ak = ds_malloc_n(m->n, sizeof *ak);
  int64_t *tmp = m->nAnchor ? ds_malloc_n(m->n, sizeof *tmp) : NULL;
  if (!ak || (m->nAnchor && !tmp)) {
    ds_free(ak);
    ds_free(tmp);
    return DS_NOMEM;
  }
  for (size_t i = 0; i < m->n; i++) ak[i] = (sortkey){m->a[i], i};
  qsort(ak, m->n, sizeof *ak, cmp_key);
  size_t n = 0;                              /* matches kept */
  for (size_t i = 0; i < m->n; i++) {
    if (n > 0 && ak[i].m.first == ak[n - 1].m.first && ak[i].m.last == ak[n - 1].m.last) continue;
    ak[n++] = ak[i];
  }
  for (size_t j = 0; j < m->nAnchor; j++) {
    for (size_t i = 0; i < n; i++) tmp[i] = m->aaAnchor[j][ak[i].i];
    memcpy(m->aaAnchor[j], tmp, n * sizeof *tmp);
  }
  for (size_t i = 0; i < n; i++) m->a[i] = ak[i].m;
  m->n = n;
  ds_free(ak);
  ds_free(tmp);
  return DS_OK;
}

void ds_matchset_move(ds_matchset *m, size_t to, size_t from) {
  m->a[to] = m->a[from];
  for (size_t j = 0; j < m->nAnchor; j++) m->aaAnchor[j][to] = m->aaAnchor[j][from];
}

static int cmp_last(const void *pa, const void *pb) {
  const sortkey *a = pa, *b = pb;
  if (a->m.last != b->m.last) return a->m.last < b->m.last ? -1 : 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

int ds_matchset_reduce(ds_matchset *m, size_t from, int eHow) {
  size_t n = m->n - from;
  if (n < 2) return DS_OK;
  ds_match *a = m->a + from;
  unsigned char *aKeep = ds_malloc(n);
  if (!aKeep) return DS_NOMEM;
  memset(aKeep, 1, n);
  if (eHow == DS_MATCHSET_LEFTMOST) {
    sortkey *ak = ds_malloc_n(n, sizeof *ak);
    if (!ak) {
      ds_free(aKeep);
      return DS_NOMEM;
    }
    for (size_t i = 0; i < n; i++) ak[i] = (sortkey){a[i], i};
    qsort(ak, n, sizeof *ak, cmp_last);      /* by end, then by start (index order) */
    for (size_t i = 1; i < n; i++)
      if (ak[i].m.last == ak[i - 1].m.last) aKeep[ak[i].i] = 0;
    ds_free(ak);
  } else if (eHow == DS_MATCHSET_MINIMAL) {
    int64_t minLast = INT64_MAX;              /* least end of the matches starting later */
    for (size_t i = n; i-- > 0;) {
      if (minLast <= a[i].last) aKeep[i] = 0;
      if (a[i].last < minLast) minLast = a[i].last;
    }
  } else {
    int64_t maxLast = -1;                     /* greatest end of the matches starting earlier */
    for (size_t i = 0; i < n; i++) {
      if (maxLast >= a[i].last) aKeep[i] = 0;
      if (a[i].last > maxLast) maxLast = a[i].last;
    }
  }
  size_t k = from;
  for (size_t i = 0; i < n; i++)
    if (aKeep[i]) ds_matchset_move(m, k++, from + i);
  m->n = k;
  ds_free(aKeep);
  return DS_OK;
}

void ds_matchset_clear(ds_matchset *m) { m->n = 0; }

void ds_matchset_free(ds_matchset *m) {
  for (size_t j = 0; j < m->nAnchor; j++) ds_free(m->aaAnchor[j]);
  ds_free(m->aaAnchor);
  ds_free(m->a);
  memset(m, 0, sizeof *m);
}
