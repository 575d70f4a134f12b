/*
** ds_count_merge.c -- merging the counts of several corpus files (ds_merge_*, ds_count.h):
** rows keyed by their value's string, each with nCol sums, and their order.
*/
#include "ds_countInt.h"

#include <stdlib.h>
#include <string.h>

/* {====== merging the counts of several corpus files ====== */

typedef struct mrow {
  size_t off, n;       /* its string: m->text.p + off, n bytes */
  uint64_t hash;
} mrow;

struct ds_merge {
  int nCol;
  mrow *aRow;
  size_t nRow, nRowAlloc;
  int64_t *aVal;       /* nCol per row */
  uint32_t *aSlot;     /* row + 1, 0 empty; power-of-two size */
  size_t nSlot;
  ds_buf text;
};

static uint64_t str_hash(const char *z, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;       /* FNV-1a, then a final mix for the low bits */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)z[i]) * 0x100000001b3ull;
  return pk_hash(h);
}

int ds_merge_new(int nCol, ds_merge **pm) {
  *pm = NULL;
  if (nCol < 1 || nCol > DS_MERGE_MAXCOL) return DS_MISUSE;
  ds_merge *m = ds_malloc(sizeof *m);
  if (!m) return DS_NOMEM;
  memset(m, 0, sizeof *m);
  m->nCol = nCol;
  m->text = (ds_buf)DS_BUF_INIT;
  m->nSlot = 1024;
  m->aSlot = ds_malloc_n(m->nSlot, sizeof *m->aSlot);
  if (!m->aSlot) {
    ds_free(m);
    return DS_NOMEM;
  }
  memset(m->aSlot, 0, m->nSlot * sizeof *m->aSlot);
  *pm = m;
  return DS_OK;
}

void ds_merge_free(ds_merge *m) {
  if (!m) return;
  ds_free(m->aRow);
  ds_free(m->aVal);
  ds_free(m->aSlot);
  ds_buf_free(&m->text);
  ds_free(m);
}

static int merge_grow(ds_merge *m) {
  size_t n = m->nSlot * 2;
  uint32_t *a = ds_malloc_n(n, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a, 0, n * sizeof *a);
  for (size_t r = 0; r < m->nRow; r++) {
    size_t j = (size_t)m->aRow[r].hash & (n - 1);
    while (a[j]) j = (j + 1) & (n - 1);
    a[j] = (uint32_t)r + 1;
  }
  ds_free(m->aSlot);
  m->aSlot = a;
  m->nSlot = n;
  return DS_OK;
}

int ds_merge_add(ds_merge *m, const char *z, size_t n, const int64_t *aVal) {
  uint64_t h = str_hash(z, n);
  size_t j = (size_t)h & (m->nSlot - 1);
  for (uint32_t x; (x = m->aSlot[j]) != 0; j = (j + 1) & (m->nSlot - 1)) {
    const mrow *r = &m->aRow[x - 1];
    if (r->hash == h && r->n == n && memcmp(m->text.p + r->off, z, n) == 0) {
      int64_t *v = m->aVal + (size_t)(x - 1) * (size_t)m->nCol;
      for (int c = 0; c < m->nCol; c++) v[c] += aVal[c];
      return DS_OK;
    }
  }
  if (m->nRow >= UINT32_MAX - 1) return DS_NOMEM;
  if (m->nRow == m->nRowAlloc) {
    size_t k = m->nRowAlloc ? 2 * m->nRowAlloc : 1024;
    mrow *a = ds_realloc_n(m->aRow, k, sizeof *a);
    if (!a) return DS_NOMEM;
    m->aRow = a;
    int64_t *v = ds_realloc_n(m->aVal, k * (size_t)m->nCol, sizeof *v);
    if (!v) return DS_NOMEM;
    m->aVal = v;
    m->nRowAlloc = k;
  }
  size_t off = m->text.n;
  ds_buf_append(&m->text, z, n);
  if (m->text.rc) return DS_NOMEM;
  m->aRow[m->nRow] = (mrow){off, n, h};
  memcpy(m->aVal + m->nRow * (size_t)m->nCol, aVal, (size_t)m->nCol * sizeof *aVal);
  m->aSlot[j] = (uint32_t)++m->nRow;
  if (m->nRow * 2 > m->nSlot) return merge_grow(m);
  return DS_OK;
}

int ds_merge_add_freq(ds_merge *m, const ds_freq *f, const ds_lexstrs *lex) {
  if (m->nCol != 2) return DS_MISUSE;
  for (size_t id = 0; id < f->nId; id++) {
    if (!f->aFreq[id]) continue;
    int64_t a[2] = {f->aFreq[id], f->aRange[id]};
    const char *z = "";
    size_t n = 0;
    if (id < lex->nId) z = (const char *)lex->text.p + lex->aOff[id], n = lex->aOff[id + 1] - lex->aOff[id];
    if (ds_merge_add(m, z, n, a)) return DS_NOMEM;
  }
  return DS_OK;
}

int ds_merge_add_seqs(ds_merge *m, const ds_seqs *s, const ds_lexstrs *lex) {
  if (m->nCol != 2) return DS_MISUSE;
  ds_buf v = DS_BUF_INIT;
  int rc = DS_OK;
  for (size_t i = 0; rc == DS_OK && i < s->nEnt; i++) {
    const seqent *x = &s->aEnt[i];
    const uint32_t *a = s->ids.a + x->off;
    ds_buf_reset(&v);
    for (uint32_t j = 0; j < x->len; j++) {
      if (j) ds_buf_putc(&v, ' ');
      if (a[j] < lex->nId) ds_buf_append(&v, lex->text.p + lex->aOff[a[j]], lex->aOff[a[j] + 1] - lex->aOff[a[j]]);
    }
    int64_t c[2] = {x->freq, x->range};
    if (v.rc || ds_merge_add(m, (const char *)v.p, v.n, c)) rc = DS_NOMEM;
  }
  ds_buf_free(&v);
  return rc;
}

size_t ds_merge_count(const ds_merge *m) { return m->nRow; }

void ds_merge_get(const ds_merge *m, size_t i, const char **pz, size_t *pn, const int64_t **paVal) {
  *pz = (const char *)m->text.p + m->aRow[i].off;
  *pn = m->aRow[i].n;
  *paVal = m->aVal + i * (size_t)m->nCol;
}

/* qsort has no context argument: the table being ordered, set around the call (the
   binding calls from one thread at a time per Lua state, but two states may sort at
   once, so it is thread-local) */
static _Thread_local const ds_merge *tlMerge;
static _Thread_local int tlSort;

static int merge_cmp(const void *pa, const void *pb) {
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  const ds_merge *m = tlMerge;
  if (tlSort >= 0) {
    int64_t x = m->aVal[a * (size_t)m->nCol + (size_t)tlSort], y = m->aVal[b * (size_t)m->nCol + (size_t)tlSort];
    if (x != y) return x > y ? -1 : 1;
  }
  const mrow *ra = &m->aRow[a], *rb = &m->aRow[b];
  size_t n = ra->n < rb->n ? ra->n : rb->n;
  int c = n ? memcmp(m->text.p + ra->off, m->text.p + rb->off, n) : 0;
  if (c) return c;
  return ra->n < rb->n ? -1 : ra->n > rb->n;
}

int ds_merge_order(const ds_merge *m, int iSort, const int64_t *aMin, size_t nMax, size_t **paIdx, size_t *pn,
                   size_t *pnAll) {
  *paIdx = NULL;
  *pn = *pnAll = 0;
  size_t *a = ds_malloc_n(m->nRow + 1, sizeof *a);
  if (!a) return DS_NOMEM;
  size_t n = 0;
  for (size_t r = 0; r < m->nRow; r++) {
    const int64_t *v = m->aVal + r * (size_t)m->nCol;
    int ok = 1;
    for (int c = 0; aMin && ok && c < m->nCol; c++) ok = v[c] >= aMin[c];
    if (ok) a[n++] = r;
  }
  *pnAll = n;
  if (iSort >= 0 && iSort < m->nCol && nMax < n) {
    /* only rows as large as the nMax-th largest can be among the first nMax: the others
       are left out before the sort (a top 20 of a million rows sorts a few) */
    int64_t *aV = ds_malloc_n(n + 1, sizeof *aV);
    if (!aV) {
      ds_free(a);
      return DS_NOMEM;
    }
    for (size_t r = 0; r < n; r++) aV[r] = m->aVal[a[r] * (size_t)m->nCol + (size_t)iSort];
    int64_t vMin = nMax ? ds_count_kth_largest(aV, n, nMax - 1) : INT64_MAX;
    ds_free(aV);
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
      if (m->aVal[a[r] * (size_t)m->nCol + (size_t)iSort] >= vMin) a[k++] = a[r];
    n = k;
  }
  tlMerge = m;
  tlSort = iSort < m->nCol ? iSort : -1;
  qsort(a, n, sizeof *a, merge_cmp);
  tlMerge = NULL;
  *pn = n < nMax ? n : nMax;
  *paIdx = a;
  return DS_OK;
}

/* }====== */
