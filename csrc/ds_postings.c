/*
** ds_postings.c -- posting-list blobs with skip data (see ds_postings.h).
*/
#include "ds_postings.h"

int ds_postings_encode(const unsigned char *deltas, size_t nDeltas, uint64_t n, ds_buf *out) {
  const unsigned char *p = deltas, *end = deltas + nDeltas;
  uint64_t nSkip = n ? (n - 1) / DS_POST_BLOCK : 0;
  ds_buf skip = DS_BUF_INIT;
  int64_t pos = -1, prevSkipPos = 0;
  uint64_t prevSkipOff = 0;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t d;
    if (ds_get_varint(&p, end, &d) || d == 0) {
      ds_buf_free(&skip);
      return DS_CORRUPT;
    }
    pos += (int64_t)d;
    if (i == 0) prevSkipPos = pos;
    else if (i % DS_POST_BLOCK == 0) {
      uint64_t off = (uint64_t)(p - deltas);
      ds_buf_put_varint(&skip, (uint64_t)(pos - prevSkipPos));
      ds_buf_put_varint(&skip, off - prevSkipOff);
      prevSkipPos = pos;
      prevSkipOff = off;
    }
  }
  if (p != end) {
    ds_buf_free(&skip);
    return DS_CORRUPT;
  }
  ds_buf_put_varint(out, n);
  ds_buf_put_varint(out, nSkip);
  ds_buf_append(out, skip.p, skip.n);
  ds_buf_append(out, deltas, nDeltas);
  int rc = skip.rc ? skip.rc : out->rc;
  ds_buf_free(&skip);
  return rc;
}

int ds_postings_join(uint64_t n, const unsigned char *skip, size_t nSkip,
                     const unsigned char *deltas, size_t nDeltas, ds_buf *out) {
  ds_buf_put_varint(out, n);
  ds_buf_put_varint(out, n ? (n - 1) / DS_POST_BLOCK : 0);
  ds_buf_append(out, skip, nSkip);
  ds_buf_append(out, deltas, nDeltas);
  return out->rc;
}

int ds_postcur_init(ds_postcur *c, const unsigned char *b, size_t nb) {
  if (!b) return DS_CORRUPT;            /* a NULL or empty blob in a damaged row */
  const unsigned char *p = b, *end = b + nb;
  uint64_t n, k;
  if (ds_get_varint(&p, end, &n) || ds_get_varint(&p, end, &k)) return DS_CORRUPT;
  if (n == 0 || k != (n - 1) / DS_POST_BLOCK || n > nb) return DS_CORRUPT;
  c->pSkip = p;
  /* the skip entries: each at least two bytes */
  for (uint64_t j = 0; j < k; j++) {
    uint64_t a, o;
    if (ds_get_varint(&p, end, &a) || ds_get_varint(&p, end, &o)) return DS_CORRUPT;
  }
  c->pData = p;
  c->p = p;
  c->end = end;
  c->n = n;
  c->nSkip = k;
  c->i = 0;
  c->pos = -1;
  c->iSkip = 0;
  c->skipPos = -1;
  c->skipOff = 0;
  c->pSkipNext = c->pSkip;
  return DS_OK;
}

int ds_postcur_next(ds_postcur *c, int64_t *pPos) {
  if (c->i >= c->n) return c->p == c->end ? DS_DONE : DS_CORRUPT;
  uint64_t d;
  if (ds_get_varint(&c->p, c->end, &d) || d == 0 || d > (uint64_t)INT64_MAX - (uint64_t)(c->pos + 1))
    return DS_CORRUPT;
  c->pos += (int64_t)d;
  c->i++;
  if (c->i == 1 && c->iSkip == 0) c->skipPos = c->pos;    /* entry 0 is the first posting */
  *pPos = c->pos;
  return DS_OK;
}

int ds_postcur_seek(ds_postcur *c, int64_t target, int64_t *pPos) {
  int rc;
  if (c->i == 0) {
    rc = ds_postcur_next(c, pPos);
    if (rc || c->pos >= target) return rc;
  } else if (c->pos >= target) {
    *pPos = c->pos;
    return DS_OK;
  }
  /* jump over whole blocks whose first posting is still <= target */
  while (c->iSkip < c->nSkip) {
    const unsigned char *p = c->pSkipNext;
    uint64_t dpos, doff;
    if (ds_get_varint(&p, c->pData, &dpos) || ds_get_varint(&p, c->pData, &doff)) return DS_CORRUPT;
    /* entries ascend and point inside the data; a damaged one is an error, not a jump */
    if (dpos == 0 || dpos > (uint64_t)(INT64_MAX - c->skipPos) ||
        doff == 0 || doff > (uint64_t)(c->end - c->pData) - c->skipOff)
      return DS_CORRUPT;
    int64_t pos = c->skipPos + (int64_t)dpos;
    uint64_t off = c->skipOff + doff;
    if (pos > target) break;
    uint64_t iBlock = (c->iSkip + 1) * DS_POST_BLOCK;     /* index of that posting */
    c->iSkip++;
    c->skipPos = pos;
    c->skipOff = off;
    c->pSkipNext = p;
    if (iBlock + 1 > c->i) {          /* ahead of the cursor: jump */
      c->i = iBlock + 1;
      c->pos = pos;
      c->p = c->pData + off;
    }
  }
  while (c->pos < target) {
    rc = ds_postcur_next(c, pPos);
    if (rc) return rc;
  }
  *pPos = c->pos;
  return DS_OK;
}

int ds_postings_decode(const unsigned char *b, size_t nb, int64_t **pa, size_t *pn,
                       size_t *pAlloc) {
  ds_postcur c;
  int64_t pos;
  int rc = ds_postcur_init(&c, b, nb);
  if (rc) return rc;
  if (*pn + c.n > *pAlloc) {
    size_t nNew = *pn + (size_t)c.n;
    if (nNew < 2 * *pAlloc) nNew = 2 * *pAlloc;
    int64_t *a = ds_realloc_n(*pa, nNew, sizeof *a);
    if (!a) return DS_NOMEM;
    *pa = a;
    *pAlloc = nNew;
  }
  /* every skip entry is checked against the data, so a list that decodes also seeks right */
  const unsigned char *pSkip = c.pSkip;
  int64_t skipPos = 0;
  uint64_t skipOff = 0;
  size_t nBefore = *pn;
  while ((rc = ds_postcur_next(&c, &pos)) == DS_OK) {
    (*pa)[(*pn)++] = pos;
    uint64_t i = c.i - 1;                  /* index of the posting just read */
    if (i == 0) skipPos = pos;
    else if (i % DS_POST_BLOCK == 0) {
      uint64_t dpos, doff;
      if (ds_get_varint(&pSkip, c.pData, &dpos) || ds_get_varint(&pSkip, c.pData, &doff) ||
          dpos != (uint64_t)(pos - skipPos) || doff != (uint64_t)(c.p - c.pData) - skipOff) {
        rc = DS_CORRUPT;
        break;
      }
      skipPos = pos;
      skipOff = (uint64_t)(c.p - c.pData);
    }
  }
  if (rc == DS_DONE && pSkip != c.pData) rc = DS_CORRUPT;
  if (rc != DS_DONE) {
    *pn = nBefore;
    return rc;
  }
  return DS_OK;
}
