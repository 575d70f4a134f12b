/*
** ds_doc.c -- the annotated document (see ds_doc.h).
*/
#include "ds_doc.h"

#include <string.h>

ds_doc *ds_doc_new(void) {
  ds_doc *d = ds_malloc(sizeof *d);
  if (d) memset(d, 0, sizeof *d);
  return d;
}

void ds_doc_free(ds_doc *d) {
  if (!d) return;
  ds_free(d->zText);
  ds_free(d->aTok);
  ds_free(d->aSent);
  ds_free(d->aPara);
  ds_free(d->aChange);
  ds_free(d->aMap);
  ds_buf_free(&d->meta);
  ds_free(d->aUpos);
  ds_free(d->aXpos);
  ds_free(d->aLemmaOff);
  ds_buf_free(&d->lemmas);
  ds_free(d->aTypeOf);
  ds_free(d->aTypeTok);
  ds_free(d->aTypeRef);
  ds_free(d);
}

/* Grow *pa (elements of `size` bytes) to hold one more than *pn. */
static int grow(void **pa, size_t *pAlloc, size_t n, size_t size) {
  if (n < *pAlloc) return DS_OK;
  size_t nNew = *pAlloc ? *pAlloc * 2 : 64;
  void *p = ds_realloc(*pa, nNew * size);
  if (!p) return DS_NOMEM;
  *pa = p;
  *pAlloc = nNew;
  return DS_OK;
}

int ds_doc_add_token(ds_doc *d, uint32_t start, uint32_t end, uint32_t flags) {
  if (grow((void **)&d->aTok, &d->nTokAlloc, d->nTok, sizeof *d->aTok)) return DS_NOMEM;
  d->aTok[d->nTok++] = (ds_token){start, end, flags};
  return DS_OK;
}

int ds_doc_add_sentence(ds_doc *d, uint32_t first, uint32_t last) {
  if (grow((void **)&d->aSent, &d->nSentAlloc, d->nSent, sizeof *d->aSent)) return DS_NOMEM;
  d->aSent[d->nSent++] = (ds_range){first, last};
  return DS_OK;
}

int ds_doc_add_para(ds_doc *d, uint32_t start, uint32_t end) {
  if (grow((void **)&d->aPara, &d->nParaAlloc, d->nPara, sizeof *d->aPara)) return DS_NOMEM;
  d->aPara[d->nPara++] = (ds_para){start, end, {0, 0}, DS_PARA_TEXT};
  return DS_OK;
}

void ds_doc_sentence_text(const ds_doc *d, size_t s, ds_buf *out) {
  const ds_range *r = &d->aSent[s];
  if (r->first == r->last) return;
  const char *z = d->zText;
  size_t i = d->aTok[r->first].start, e = d->aTok[r->last - 1].end;
  while (i < e) {
    if (z[i] == ' ' || z[i] == '\t' || z[i] == '\n') {
      size_t j = i;
      int nl = 0;
      while (j < e && (z[j] == ' ' || z[j] == '\t' || z[j] == '\n')) nl |= z[j++] == '\n';
      if (nl) ds_buf_putc(out, ' ');
      else ds_buf_append(out, z + i, j - i);
      i = j;
    } else {
      ds_buf_putc(out, z[i++]);
    }
  }
}

int ds_meta_next(const ds_buf *b, size_t *pOff, const char **pzKey, const char **pzVal) {
  size_t off = *pOff;
  if (!b->p || off >= b->n) return 0;
  const char *zKey = (const char *)b->p + off;
  const void *pEndKey = memchr(zKey, 0, b->n - off);
  if (!pEndKey) return 0;
  const char *zVal = (const char *)pEndKey + 1;
  size_t nLeft = b->n - (size_t)(zVal - (const char *)b->p);
  const void *pEndVal = nLeft ? memchr(zVal, 0, nLeft) : NULL;
  if (!pEndVal) return 0;
  *pzKey = zKey;
  *pzVal = zVal;
  *pOff = (size_t)((const char *)pEndVal + 1 - (const char *)b->p);
  return 1;
}
