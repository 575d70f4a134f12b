/*
** ds_doc.c -- the annotated document (see ds_doc.h).
*/
#include "ds_doc.h"

#include <stdlib.h>
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
  ds_free(d->aSpan);
  ds_buf_free(&d->spanVals);
  ds_free(d->aTypeOf);
  ds_free(d->aTypeTok);
  ds_free(d->aTypeRef);
  ds_free(d);
}

/* Grow *pa (elements of `size` bytes) to hold one more than *pn. */
static int grow(void **pa, size_t *pAlloc, size_t n, size_t size) {
  return n < *pAlloc ? DS_OK : ds_grow(pa, pAlloc, n + 1, size, 64);   /* (a call per token was) */
}

int ds_doc_grow_tokens(ds_doc *d) {
  return grow((void **)&d->aTok, &d->nTokAlloc, d->nTok, sizeof *d->aTok);
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

static const char *const azEntAttr[] = {"type", "id", "name", "country", "source"};
static const char *const azDateAttr[] = {"value", "precision"};
static const char *const azMoneyAttr[] = {"amount", "currency"};
static const char *const azValueAttr[] = {"value"};
static const char *const azCiteAttr[] = {"authors", "year", "extra"};
static const char *const azQuoteAttr[] = {"speaker"};

static const ds_spankind aKind[DS_NSPANKIND] = {
  [DS_SPAN_ENT] = {"ent", 5, azEntAttr},
  [DS_SPAN_DATE] = {"date", 2, azDateAttr},
  [DS_SPAN_MONEY] = {"money", 2, azMoneyAttr},
  [DS_SPAN_PERCENT] = {"percent", 1, azValueAttr},
  [DS_SPAN_CITE] = {"cite", 3, azCiteAttr},
  [DS_SPAN_URL] = {"url", 1, azValueAttr},
  [DS_SPAN_QUOTE] = {"quote", 1, azQuoteAttr},
};

const ds_spankind *ds_spankind_get(int kind) {
  return kind >= 0 && kind < DS_NSPANKIND ? &aKind[kind] : NULL;
}

int ds_spankind_find(const char *zName) {
  for (int k = 0; k < DS_NSPANKIND; k++)
    if (strcmp(aKind[k].zName, zName) == 0) return k;
  return -1;
}

int ds_doc_add_span(ds_doc *d, int kind, uint32_t first, uint32_t last, const char *const *azVal) {
  const ds_spankind *k = ds_spankind_get(kind);
  if (!k || first >= last || last > d->nTok) return DS_MISUSE;
  if (d->spanVals.n > UINT32_MAX - 1) return DS_NOMEM;
  if (grow((void **)&d->aSpan, &d->nSpanAlloc, d->nSpan, sizeof *d->aSpan)) return DS_NOMEM;
  uint32_t off = (uint32_t)d->spanVals.n;
  for (int i = 0; i < k->nAttr; i++) {
    const char *z = azVal && azVal[i] ? azVal[i] : "";
    ds_buf_append(&d->spanVals, z, strlen(z) + 1);
  }
  if (d->spanVals.rc) return DS_NOMEM;
  d->aSpan[d->nSpan++] = (ds_docspan){first, last, (uint32_t)kind, off};
  return DS_OK;
}

const char *ds_docspan_value(const ds_doc *d, const ds_docspan *s, int iAttr) {
  const ds_spankind *k = ds_spankind_get((int)s->kind);
  if (!k || iAttr < 0 || iAttr >= k->nAttr) return "";
  const char *z = (const char *)d->spanVals.p + s->vals;
  while (iAttr-- > 0) z += strlen(z) + 1;
  return z;
}

static int cmp_span(const void *a, const void *b) {
  const ds_docspan *x = a, *y = b;
  if (x->first != y->first) return x->first < y->first ? -1 : 1;
  if (x->last != y->last) return x->last > y->last ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->vals < y->vals ? -1 : x->vals > y->vals;
}

void ds_doc_sort_spans(ds_doc *d) {
  if (d->nSpan > 1) qsort(d->aSpan, d->nSpan, sizeof *d->aSpan, cmp_span);
}

void ds_doc_remove_span(ds_doc *d, size_t i) {
  if (i >= d->nSpan) return;
  memmove(d->aSpan + i, d->aSpan + i + 1, (d->nSpan - i - 1) * sizeof *d->aSpan);
  d->nSpan--;
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
