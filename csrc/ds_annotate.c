/*
** ds_annotate.c -- tag and lemmatize a document (see ds_annotate.h).
*/
#include "ds_annotate.h"
#include "ds_lexicon.h"

#include <string.h>

struct ds_lemma_memo {
  ds_lexmap map;        /* word \xFF upos xpos -> offset of the lemma in `lemmas` */
  ds_buf lemmas;        /* NUL-ended lemmas */
  ds_buf key;
  ds_tagger_cache *pTagCache;   /* the tagger's per-word sums, made on first use (owned) */
};

#define MEMO_MAX 4000000

ds_lemma_memo *ds_lemma_memo_new(void) {
  ds_lemma_memo *m = ds_malloc(sizeof *m);
  if (!m) return NULL;
  memset(m, 0, sizeof *m);
  ds_lexmap_init(&m->map);
  return m;
}

void ds_lemma_memo_free(ds_lemma_memo *m) {
  if (!m) return;
  ds_lexmap_free(&m->map);
  ds_buf_free(&m->lemmas);
  ds_buf_free(&m->key);
  ds_tagger_cache_free(m->pTagCache);
  ds_free(m);
}

/* Append the lemma of word z[0..n) with tag ids upos, xpos to out (from the memo if it can). */
static int lemma_of(const ds_tagger *t, const ds_lemmatizer *l, ds_lemma_memo *m, const char *z,
                    size_t n, int upos, int xpos, ds_buf *out) {
  const char *zUpos = ds_tagger_upos_name(t, upos), *zXpos = ds_tagger_xpos_name(t, xpos);
  if (!m) return ds_lemmatize(l, z, n, zUpos, zXpos, out);
  ds_buf_reset(&m->key);
  ds_buf_append(&m->key, z, n);
  ds_buf_putc(&m->key, 0xFF);            /* never in UTF-8 */
  ds_buf_putc(&m->key, upos);
  ds_buf_putc(&m->key, xpos);
  if (m->key.rc) return DS_NOMEM;
  ds_lexent *ent = ds_lexmap_find(&m->map, (const char *)m->key.p, m->key.n);
  if (!ent) {
    if (m->map.nEnt >= MEMO_MAX) {
      ds_lexmap_clear(&m->map);
      ds_buf_reset(&m->lemmas);
    }
    size_t off = m->lemmas.n;
    int rc = ds_lemmatize(l, z, n, zUpos, zXpos, &m->lemmas);
    ds_buf_putc(&m->lemmas, 0);
    if (rc || m->lemmas.rc || off > UINT32_MAX) return DS_NOMEM;
    ent = ds_lexmap_add(&m->map, (const char *)m->key.p, m->key.n, (uint32_t)off, 0);
    if (!ent) return DS_NOMEM;
  }
  ds_buf_puts(out, (const char *)m->lemmas.p + ent->id);
  return out->rc;
}

int ds_annotate(ds_doc *d, const ds_tagger *t, const ds_lemmatizer *l, ds_error *e) {
  return ds_annotate_memo(d, t, l, NULL, e);
}

int ds_annotate_memo(ds_doc *d, const ds_tagger *t, const ds_lemmatizer *l, ds_lemma_memo *m,
                     ds_error *e) {
  size_t maxLen = 0;
  for (size_t s = 0; s < d->nSent; s++) {
    size_t n = d->aSent[s].last - d->aSent[s].first;
    if (n > maxLen) maxLen = n;
  }
  const char **az = ds_malloc_n(maxLen + 1, sizeof *az);
  size_t *an = ds_malloc_n(maxLen + 1, sizeof *an);
  uint8_t *aUpos = ds_malloc(d->nTok + 1), *aXpos = ds_malloc(d->nTok + 1);
  uint32_t *aOff = l ? ds_malloc_n(d->nTok + 1, sizeof *aOff) : NULL;
  ds_buf lemmas = DS_BUF_INIT;
  int rc = (!az || !an || !aUpos || !aXpos || (l && !aOff)) ? DS_NOMEM : DS_OK;
  if (m && (!m->pTagCache || ds_tagger_cache_tagger(m->pTagCache) != t)) {
    ds_tagger_cache_free(m->pTagCache);
    m->pTagCache = ds_tagger_cache_new(t, 0);      /* NULL (no memory): tag without */
  }
  ds_tagger_cache *tc = m ? m->pTagCache : NULL;
  unsigned nTick = 0;
  for (size_t s = 0; s < d->nSent && rc == DS_OK; s++) {
    size_t first = d->aSent[s].first, n = d->aSent[s].last - first;
    if (ds_interrupt_due(&nTick, 255)) {          /* Ctrl-C: a large document's tagging */
      rc = DS_INTERRUPTED;
      break;
    }
    for (size_t k = 0; k < n; k++) {
      az[k] = d->zText + d->aTok[first + k].start;
      an[k] = d->aTok[first + k].end - d->aTok[first + k].start;
    }
    rc = ds_tagger_tag_cached(t, tc, az, an, n, aUpos + first, aXpos + first);
    for (size_t k = 0; l && k < n && rc == DS_OK; k++) {
      aOff[first + k] = (uint32_t)lemmas.n;
      rc = lemma_of(t, l, m, az[k], an[k], aUpos[first + k], aXpos[first + k], &lemmas);
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
    if (rc == DS_INTERRUPTED) return ds_interrupt_error(e);
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
  ds_free(d->aTypeOf);           /* types found before tagging are void */
  ds_free(d->aTypeTok);
  d->aTypeOf = d->aTypeTok = NULL;
  d->nType = 0;
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
