/*
** ds_annotate.c -- tag and lemmatize a document (see ds_annotate.h).
*/
#include "ds_annotate.h"

#include <string.h>


/*
** The memo is one table of records, each a word's bytes, its two tags and its lemma side
** by side, so that a lookup touches a slot and one record (a map of strings to lemma
** offsets touched four places, each a cache miss once the memo outgrows the caches).
*/
struct ds_lemma_memo {
  uint64_t *aSlot;      /* hash << 32 | offset of a record in rec + 1; 0: empty */
  size_t nSlot;         /* power of two, at least twice nEnt */
  size_t nEnt;
  ds_buf rec;           /* records: u32 word bytes, u32 lemma bytes, UPOS, XPOS, word, lemma */
  ds_buf scratch;       /* a lemma being made */
  ds_tagger_cache *pTagCache;   /* the tagger's per-word sums, made on first use (owned) */
};

#define REC_HEAD 10
#define MEMO_MAX_ENT 4000000
#define MEMO_MAX_BYTES (256u << 20)

ds_lemma_memo *ds_lemma_memo_new(void) {
  ds_lemma_memo *m = ds_malloc(sizeof *m);
  if (!m) return NULL;
  memset(m, 0, sizeof *m);
  return m;
}

void ds_lemma_memo_free(ds_lemma_memo *m) {
  if (!m) return;
  ds_free(m->aSlot);
  ds_buf_free(&m->rec);
  ds_buf_free(&m->scratch);
  ds_tagger_cache_free(m->pTagCache);
  ds_free(m);
}

/* The record of (z[0..n), upos, xpos) whose hash is h, or NULL. */
static const unsigned char *memo_find(const ds_lemma_memo *m, uint32_t h, const char *z, size_t n,
                                      int upos, int xpos) {
  if (!m->nSlot) return NULL;
  for (size_t i = h & (m->nSlot - 1);; i = (i + 1) & (m->nSlot - 1)) {
    uint64_t x = m->aSlot[i];
    if (!x) return NULL;
    if ((uint32_t)(x >> 32) != h) continue;
    const unsigned char *r = m->rec.p + (uint32_t)x - 1;
    uint32_t nKey;
    memcpy(&nKey, r, 4);
    if (nKey == n && r[8] == upos && r[9] == xpos && memcmp(r + REC_HEAD, z, n) == 0) return r;
  }
}

/* Put a record's offset + 1 with hash h into the slots of m (there is room). */
static void memo_place(uint64_t *aSlot, size_t nSlot, uint32_t h, uint64_t ref) {
  size_t i = h & (nSlot - 1);
  while (aSlot[i]) i = (i + 1) & (nSlot - 1);
  aSlot[i] = (uint64_t)h << 32 | ref;
}

/* Add the record of (z[0..n), upos, xpos) -> lemma zL[0..nL) with hash h. */
static int memo_add(ds_lemma_memo *m, uint32_t h, const char *z, size_t n, int upos, int xpos,
                    const unsigned char *zL, size_t nL) {
  if (m->nEnt >= MEMO_MAX_ENT || m->rec.n + REC_HEAD + n + nL > MEMO_MAX_BYTES) {
    /* full: start afresh */
    if (m->aSlot) memset(m->aSlot, 0, m->nSlot * sizeof *m->aSlot);
    m->nEnt = 0;
    ds_buf_reset(&m->rec);
    if (REC_HEAD + n + nL > MEMO_MAX_BYTES) return DS_OK;   /* never kept */
  }
  if (2 * (m->nEnt + 1) > m->nSlot) {
    size_t nSlot = m->nSlot ? 2 * m->nSlot : 4096;
    uint64_t *a = ds_malloc_n(nSlot, sizeof *a);
    if (!a) return DS_NOMEM;
    memset(a, 0, nSlot * sizeof *a);
    for (size_t i = 0; i < m->nSlot; i++)
      if (m->aSlot[i]) memo_place(a, nSlot, (uint32_t)(m->aSlot[i] >> 32), (uint32_t)m->aSlot[i]);
    ds_free(m->aSlot);
    m->aSlot = a;
    m->nSlot = nSlot;
  }
  uint64_t ref = (uint64_t)m->rec.n + 1;
  uint32_t nKey = (uint32_t)n, nLemma = (uint32_t)nL;
  unsigned char tags[2] = {(unsigned char)upos, (unsigned char)xpos};
  ds_buf_append(&m->rec, &nKey, 4);
  ds_buf_append(&m->rec, &nLemma, 4);
  ds_buf_append(&m->rec, tags, 2);
  ds_buf_append(&m->rec, z, n);
  ds_buf_append(&m->rec, zL, nL);
  if (m->rec.rc) return DS_NOMEM;
  memo_place(m->aSlot, m->nSlot, h, ref);
  m->nEnt++;
  return DS_OK;
}

/*
** Append the lemma of word z[0..n) with tag ids upos, xpos (h: their token_key_hash) to
** out, from the memo if it can.
*/
static int lemma_of(const ds_tagger *t, const ds_lemmatizer *l, ds_lemma_memo *m, uint32_t h,
                    const char *z, size_t n, int upos, int xpos, ds_buf *out) {
  const char *zUpos = ds_tagger_upos_name(t, upos), *zXpos = ds_tagger_xpos_name(t, xpos);
  if (!m) return ds_lemmatize(l, z, n, zUpos, zXpos, out);
  const unsigned char *r = memo_find(m, h, z, n, upos, xpos);
  if (r) {
    uint32_t nKey, nLemma;
    memcpy(&nKey, r, 4);
    memcpy(&nLemma, r + 4, 4);
    ds_buf_append(out, r + REC_HEAD + nKey, nLemma);
    return out->rc;
  }
  ds_buf_reset(&m->scratch);
  int rc = ds_lemmatize(l, z, n, zUpos, zXpos, &m->scratch);
  if (rc || m->scratch.rc) return rc ? rc : DS_NOMEM;
  rc = memo_add(m, h, z, n, upos, xpos, m->scratch.p, m->scratch.n);
  ds_buf_append(out, m->scratch.p, m->scratch.n);
  return rc ? rc : out->rc;
}

int ds_annotate(ds_doc *d, const ds_tagger *t, const ds_lemmatizer *l, ds_error *e) {
  return ds_annotate_memo(d, t, l, NULL, e);
}

/* A hash of a token's bytes and its two tags, for the document's table of first tokens. */
static uint32_t token_key_hash(const char *z, size_t n, int upos, int xpos) {
  uint64_t h = 0x9E3779B97F4A7C15u ^ ((uint64_t)n << 16) ^ ((uint64_t)upos << 8) ^ (uint64_t)xpos;
  for (; n >= 8; z += 8, n -= 8) {
    uint64_t v;
    memcpy(&v, z, 8);
    h = (h ^ v) * 0xff51afd7ed558ccdu;
    h ^= h >> 32;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= (uint64_t)(unsigned char)z[i] << (8 * i);
  h = (h ^ v) * 0xc4ceb9fe1a85ec53u;
  h ^= h >> 29;
  return (uint32_t)(h ^ (h >> 32));
}

/* Tokens between the stages of the memo lookups in lemmatize_doc. */
#define MEMO_AHEAD 4

/*
** The lemmas of d's tokens, tagged in aUpos, aXpos. Each distinct (word, UPOS, XPOS) of
** the document is lemmatized once (a table of first tokens, as large as the document,
** stays in the caches), through the thread's memo, whose slot and record are asked for
** a few words ahead; the document's other tokens share the lemma of the first.
*/
static int lemmatize_doc(const ds_doc *d, const ds_tagger *t, const ds_lemmatizer *l,
                         ds_lemma_memo *m, const uint8_t *aUpos, const uint8_t *aXpos,
                         uint32_t *aOff, ds_buf *lemmas) {
  size_t nSlot = 16;
  while (nSlot < 2 * d->nTok) nSlot *= 2;
  uint64_t *aSlot = ds_malloc_n(nSlot, sizeof *aSlot);  /* hash << 32 | first token + 1 */
  uint32_t *aFirst = ds_malloc_n(d->nTok + 1, sizeof *aFirst);   /* a token's first token */
  uint32_t *aHash = ds_malloc_n(d->nTok + 1, sizeof *aHash);     /* first tokens' hashes */
  size_t *aF = ds_malloc_n(d->nTok + 1, sizeof *aF);            /* the first tokens */
  int rc = aSlot && aFirst && aHash && aF ? DS_OK : DS_NOMEM;
  size_t nF = 0;
  if (rc == DS_OK) memset(aSlot, 0, nSlot * sizeof *aSlot);
  for (size_t k = 0; k < d->nTok && rc == DS_OK; k++) {
    const char *z = d->zText + d->aTok[k].start;
    size_t n = d->aTok[k].end - d->aTok[k].start;
    uint32_t h = token_key_hash(z, n, aUpos[k], aXpos[k]);
    size_t i = h & (nSlot - 1);
    for (;; i = (i + 1) & (nSlot - 1)) {
      uint64_t x = aSlot[i];
      if (!x) break;
      size_t f = (uint32_t)x - 1;
      if ((uint32_t)(x >> 32) == h && aUpos[f] == aUpos[k] && aXpos[f] == aXpos[k] &&
          d->aTok[f].end - d->aTok[f].start == n && ds_same_bytes(d->zText + d->aTok[f].start, z, n))
        break;
    }
    if (aSlot[i]) {
      aFirst[k] = (uint32_t)aSlot[i] - 1;
    } else {
      aSlot[i] = (uint64_t)h << 32 | (uint64_t)(k + 1);
      aFirst[k] = (uint32_t)k;
      aHash[nF] = h;
      aF[nF++] = k;
    }
  }
  unsigned nTick = 0;
  for (size_t s = 0; s < nF + 2 * MEMO_AHEAD && rc == DS_OK; s++) {
    if (m && m->nSlot && s < nF) DS_PREFETCH(&m->aSlot[aHash[s] & (m->nSlot - 1)]);
    if (m && m->nSlot && s >= MEMO_AHEAD && s - MEMO_AHEAD < nF) {
      /* the record of the first slot with the hash (most often the one) */
      uint32_t h = aHash[s - MEMO_AHEAD];
      for (size_t i = h & (m->nSlot - 1); m->aSlot[i]; i = (i + 1) & (m->nSlot - 1))
        if ((uint32_t)(m->aSlot[i] >> 32) == h) {
          DS_PREFETCH(m->rec.p + (uint32_t)m->aSlot[i] - 1);
          break;
        }
    }
    if (s < 2 * MEMO_AHEAD) continue;
    size_t j = s - 2 * MEMO_AHEAD, k = aF[j];
    if (ds_interrupt_due(&nTick, 65535)) {        /* Ctrl-C: a large document's lemmas */
      rc = DS_INTERRUPTED;
      break;
    }
    aOff[k] = (uint32_t)lemmas->n;
    rc = lemma_of(t, l, m, aHash[j], d->zText + d->aTok[k].start, d->aTok[k].end - d->aTok[k].start,
                  aUpos[k], aXpos[k], lemmas);
    ds_buf_putc(lemmas, 0);
    if (rc == DS_OK && (lemmas->rc || lemmas->n > UINT32_MAX)) rc = DS_NOMEM;
  }
  for (size_t k = 0; k < d->nTok && rc == DS_OK; k++) aOff[k] = aOff[aFirst[k]];
  ds_free(aSlot);
  ds_free(aFirst);
  ds_free(aHash);
  ds_free(aF);
  return rc;
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
  if (rc == DS_OK) {              /* (a token outside every sentence reads as tag 0) */
    memset(aUpos, 0, d->nTok + 1);
    memset(aXpos, 0, d->nTok + 1);
  }
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
  }
  if (rc == DS_OK && l) rc = lemmatize_doc(d, t, l, m, aUpos, aXpos, aOff, &lemmas);
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
