/*
** ds_intern.c -- a document's distinct token types (see ds_intern.h).
*/
#include "ds_intern.h"
#include "ds_annotate.h"
#include "ds_lexicon.h"

#include <string.h>

void ds_doc_type_key(const ds_doc *d, size_t t, ds_buf *key) {
  const char *z = d->zText + d->aTok[t].start;
  size_t n = d->aTok[t].end - d->aTok[t].start, nLemma;
  const char *zLemma = ds_doc_lemma(d, t, &nLemma);
  const char *zPos = ds_doc_upos(d, t), *zXpos = ds_doc_xpos(d, t);
  size_t nPos = strlen(zPos), nXpos = strlen(zXpos), nKey = n + nPos + nXpos + nLemma + 3;
  key->n = 0;
  if (ds_buf_reserve(key, nKey)) return;
  unsigned char *p = key->p;
  memcpy(p, z, n);
  p += n;
  *p++ = 0xFF;
  memcpy(p, zPos, nPos);
  p += nPos;
  *p++ = 0xFF;
  memcpy(p, zXpos, nXpos);
  p += nXpos;
  *p++ = 0xFF;
  memcpy(p, zLemma, nLemma);
  key->n = nKey;
}

int ds_intern_types(const ds_doc *d, uint32_t **paOf, uint32_t **paTok, size_t *pnType) {
  *paOf = *paTok = NULL;
  *pnType = 0;
  uint32_t *aOf = ds_malloc((d->nTok + 1) * sizeof *aOf);
  uint32_t *aTok = ds_malloc((d->nTok + 1) * sizeof *aTok);
  ds_lexmap m;
  ds_buf key = DS_BUF_INIT;
  int rc = aOf && aTok ? DS_OK : DS_NOMEM;
  size_t nType = 0;
  ds_lexmap_init(&m);
  for (size_t t = 0; t < d->nTok && rc == DS_OK; t++) {
    ds_doc_type_key(d, t, &key);
    if (key.rc) { rc = DS_NOMEM; break; }
    ds_lexent *ent = ds_lexmap_find(&m, (const char *)key.p, key.n);
    if (!ent) {
      ent = ds_lexmap_add(&m, (const char *)key.p, key.n, (uint32_t)nType, 0);
      if (!ent) { rc = DS_NOMEM; break; }
      aTok[nType++] = (uint32_t)t;
    }
    aOf[t] = ent->id;
  }
  ds_lexmap_free(&m);
  ds_buf_free(&key);
  if (rc) {
    ds_free(aOf);
    ds_free(aTok);
    return rc;
  }
  *paOf = aOf;
  *paTok = aTok;
  *pnType = nType;
  return DS_OK;
}

int ds_doc_intern(ds_doc *d) {
  if (d->aTypeOf) return DS_OK;
  return ds_intern_types(d, &d->aTypeOf, &d->aTypeTok, &d->nType);
}
