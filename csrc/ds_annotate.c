/*
** ds_annotate.c -- tag and lemmatize a document (see ds_annotate.h).
*/
#include "ds_annotate.h"

#include <string.h>

int ds_annotate(ds_doc *d, const ds_tagger *t, const ds_lemmatizer *l, ds_error *e) {
  size_t maxLen = 0;
  for (size_t s = 0; s < d->nSent; s++) {
    size_t n = d->aSent[s].last - d->aSent[s].first;
    if (n > maxLen) maxLen = n;
  }
  const char **az = ds_malloc((maxLen + 1) * sizeof *az);
  size_t *an = ds_malloc((maxLen + 1) * sizeof *an);
  uint8_t *aUpos = ds_malloc(d->nTok + 1), *aXpos = ds_malloc(d->nTok + 1);
  uint32_t *aOff = l ? ds_malloc((d->nTok + 1) * sizeof *aOff) : NULL;
  ds_buf lemmas = DS_BUF_INIT;
  int rc = (!az || !an || !aUpos || !aXpos || (l && !aOff)) ? DS_NOMEM : DS_OK;
  for (size_t s = 0; s < d->nSent && rc == DS_OK; s++) {
    size_t first = d->aSent[s].first, n = d->aSent[s].last - first;
    for (size_t k = 0; k < n; k++) {
      az[k] = d->zText + d->aTok[first + k].start;
      an[k] = d->aTok[first + k].end - d->aTok[first + k].start;
    }
    rc = ds_tagger_tag(t, az, an, n, aUpos + first, aXpos + first);
    for (size_t k = 0; l && k < n && rc == DS_OK; k++) {
      aOff[first + k] = (uint32_t)lemmas.n;
      rc = ds_lemmatize(l, az[k], an[k], ds_tagger_upos_name(t, aUpos[first + k]),
                        ds_tagger_xpos_name(t, aXpos[first + k]), &lemmas);
      ds_buf_putc(&lemmas, 0);
      if (lemmas.rc) rc = DS_NOMEM;
    }
  }
  if (aOff) aOff[d->nTok] = (uint32_t)lemmas.n;
  ds_free(az);
  ds_free(an);
  if (rc) {
    ds_free(aUpos);
    ds_free(aXpos);
    ds_free(aOff);
    ds_buf_free(&lemmas);
    return ds_error_set(e, rc == DS_NOMEM ? DS_NOMEM : rc, -1, "tagging failed (%s)", ds_status_name(rc));
  }
  ds_free(d->aUpos);
  ds_free(d->aXpos);
  ds_free(d->aLemmaOff);
  ds_buf_free(&d->lemmas);
  d->aUpos = aUpos;
  d->aXpos = aXpos;
  d->aLemmaOff = aOff;
  d->lemmas = lemmas;
  d->pTagger = t;
  return DS_OK;
}

const char *ds_doc_upos(const ds_doc *d, size_t i) {
  return d->aUpos ? ds_tagger_upos_name(d->pTagger, d->aUpos[i]) : "_";
}

const char *ds_doc_xpos(const ds_doc *d, size_t i) {
  return d->aXpos ? ds_tagger_xpos_name(d->pTagger, d->aXpos[i]) : "_";
}

const char *ds_doc_lemma(const ds_doc *d, size_t i, size_t *pn) {
  if (!d->aLemmaOff) {
    *pn = 1;
    return "_";
  }
  const char *z = (const char *)d->lemmas.p + d->aLemmaOff[i];
  *pn = strlen(z);
  return z;
}
