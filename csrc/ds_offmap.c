/*
** ds_offmap.c -- offset maps between a text and the text it was made from (see
** ds_offmap.h).
*/
#include "ds_offmap.h"

#include <string.h>

void ds_offmap_free(ds_offmap *m) {
  ds_free(m->a);
  memset(m, 0, sizeof *m);
}

int ds_offmap_put(ds_offmap *m, size_t out, size_t nOut, size_t in, size_t nIn) {
  if (nOut == 0) return DS_OK;
  if (out + nOut > UINT32_MAX || in + nIn > UINT32_MAX) return DS_LIMIT;
  if (m->n > 0) {
    ds_offseg *p = &m->a[m->n - 1];
    if (p->out + p->nOut == out && p->in + p->nIn == in &&
        (uint64_t)p->nIn * nOut == (uint64_t)nIn * p->nOut) {
      p->nOut += (uint32_t)nOut;
      p->nIn += (uint32_t)nIn;
      return DS_OK;
    }
  }
  if (m->n == m->nAlloc) {
    size_t nNew = m->nAlloc ? 2 * m->nAlloc : 16;
    ds_offseg *a = ds_realloc_n(m->a, nNew, sizeof *a);
    if (!a) return DS_NOMEM;
    m->a = a;
    m->nAlloc = nNew;
  }
  m->a[m->n++] = (ds_offseg){(uint32_t)out, (uint32_t)nOut, (uint32_t)in, (uint32_t)nIn};
  return DS_OK;
}

/* Index of the last segment whose output starts before `off` (or at it, when bAt), or
   -1 when there is none. */
static ptrdiff_t find(const ds_offmap *m, size_t off, int bAt) {
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->a[mid].out < off || (bAt && m->a[mid].out == off)) lo = mid + 1;
    else hi = mid;
  }
  return (ptrdiff_t)lo - 1;
}

size_t ds_offmap_start(const ds_offmap *m, size_t off) {
  ptrdiff_t k = find(m, off, 1);
  if (k < 0) return off;
  const ds_offseg *s = &m->a[k];
  size_t d = off - s->out;
  if (d >= s->nOut) return s->in + s->nIn + (d - s->nOut);    /* past the segment */
  return s->in + (size_t)((uint64_t)d * s->nIn / s->nOut);
}

size_t ds_offmap_end(const ds_offmap *m, size_t off) {
  ptrdiff_t k = find(m, off, 0);
  if (k < 0) return off;
  const ds_offseg *s = &m->a[k];
  size_t d = off - s->out;
  if (d > s->nOut) return s->in + s->nIn + (d - s->nOut);
  return s->in + (size_t)(((uint64_t)d * s->nIn + s->nOut - 1) / s->nOut);
}

int ds_offmap_compose(const ds_offmap *outer, const ds_offmap *inner, ds_offmap *res) {
  int rc = DS_OK;
  if (outer->n == 0) {          /* the identity, then inner */
    for (size_t k = 0; k < inner->n && rc == DS_OK; k++) {
      const ds_offseg *s = &inner->a[k];
      rc = ds_offmap_put(res, s->out, s->nOut, s->in, s->nIn);
    }
    return rc;
  }
  for (size_t k = 0; k < outer->n && rc == DS_OK; k++) {
    const ds_offseg *s = &outer->a[k];
    if (s->nIn != s->nOut || inner->n == 0) {
      /* not a copy: only its ends are known, and they map through inner */
      size_t lo = ds_offmap_start(inner, s->in);
      size_t hi = s->nIn ? ds_offmap_end(inner, s->in + s->nIn) : lo;
      rc = ds_offmap_put(res, s->out, s->nOut, lo, hi - lo);
      continue;
    }
    /* a copy: cut it where inner's segments meet, so each piece keeps its ratio */
    size_t a = s->in, b = s->in + s->nIn;
    while (a < b && rc == DS_OK) {
      ptrdiff_t j = find(inner, a, 1);
      size_t e;
      if (j >= 0 && a < (size_t)inner->a[j].out + inner->a[j].nOut)
        e = (size_t)inner->a[j].out + inner->a[j].nOut;
      else if ((size_t)(j + 1) < inner->n)
        e = inner->a[j + 1].out;
      else
        e = b;
      if (e > b) e = b;
      size_t lo = ds_offmap_start(inner, a), hi = ds_offmap_end(inner, e);
      rc = ds_offmap_put(res, s->out + (a - s->in), e - a, lo, hi > lo ? hi - lo : 0);
      a = e;
    }
  }
  return rc;
}

int ds_offmap_slice(const ds_offmap *m, size_t a, size_t e, size_t at, ds_offmap *res) {
  ptrdiff_t k = find(m, a, 1);
  size_t i = a, k0 = k < 0 ? 0 : (size_t)k;
  int rc = DS_OK;
  /* an uncovered part is inserted where the text before it ended */
  size_t inAt = res->n ? res->a[res->n - 1].in + res->a[res->n - 1].nIn : 0;
  for (size_t j = k0; j < m->n && i < e && rc == DS_OK; j++) {
    const ds_offseg *s = &m->a[j];
    size_t lo = s->out > i ? s->out : i, hi = (size_t)s->out + s->nOut;
    if (hi <= i) continue;
    if (lo >= e) break;
    if (hi > e) hi = e;
    if (lo > i) rc = ds_offmap_put(res, at + (i - a), lo - i, inAt, 0);
    if (rc) break;
    size_t inLo = s->in + (size_t)((uint64_t)(lo - s->out) * s->nIn / s->nOut);
    size_t inHi = s->in + (size_t)(((uint64_t)(hi - s->out) * s->nIn + s->nOut - 1) / s->nOut);
    rc = ds_offmap_put(res, at + (lo - a), hi - lo, inLo, inHi - inLo);
    inAt = inHi;
    i = hi;
  }
  if (rc == DS_OK && i < e) rc = ds_offmap_put(res, at + (i - a), e - i, inAt, 0);
  return rc;
}
