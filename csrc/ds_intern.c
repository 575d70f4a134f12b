/*
** ds_intern.c -- a document's distinct token types (see ds_intern.h).
*/
#include "ds_intern.h"
#include "ds_annotate.h"

#include <string.h>

void ds_doc_type_key_append(const ds_doc *d, size_t t, ds_buf *keys) {
  const char *z = d->zText + d->aTok[t].start;
  size_t n = d->aTok[t].end - d->aTok[t].start, nLemma = 1, nPos = 1, nXpos = 1;
  /* untagged, each is `_`: no call and no strlen for it (a key per type of every document) */
  const char *zLemma = d->aLemmaOff ? ds_doc_lemma(d, t, &nLemma) : "_";
  const char *zPos = d->aUpos ? ds_doc_upos(d, t) : "_", *zXpos = d->aXpos ? ds_doc_xpos(d, t) : "_";
  if (d->aUpos) nPos = strlen(zPos);
  if (d->aXpos) nXpos = strlen(zXpos);
  size_t nKey = n + nPos + nXpos + nLemma + 3;
  if (ds_buf_reserve(keys, nKey)) return;
  unsigned char *p = keys->p + keys->n;
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
  keys->n += nKey;
}

void ds_doc_type_key(const ds_doc *d, size_t t, ds_buf *key) {
  key->n = 0;
  ds_doc_type_key_append(d, t, key);
}

/* The hash of token t's type: its word's bytes, tag ids and lemma. The word's bytes go
   in 8 at a time (a multiplication per byte was most of the interning). */
static uint32_t type_hash(const ds_doc *d, size_t t) {
  const unsigned char *p = (const unsigned char *)d->zText + d->aTok[t].start;
  const unsigned char *end = (const unsigned char *)d->zText + d->aTok[t].end;
  uint64_t h = 0x9E3779B97F4A7C15u ^ (uint64_t)(end - p);
  for (; end - p >= 8; p += 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    h = (h ^ v) * 0xD6E8FEB86659FD93u;
    h ^= h >> 32;
  }
  uint64_t v = 0;
  if (p < end && p + 8 <= (const unsigned char *)d->zText + d->nText) {
    /* the last bytes by one load, the bytes past the word masked off (no loop whose end
       is mispredicted: words are short) */
    size_t n = (size_t)(end - p);
    memcpy(&v, p, 8);
    v &= ~(uint64_t)0 >> (64 - 8 * n);
  } else {
    for (unsigned k = 0; p < end; p++, k += 8) v |= (uint64_t)*p << k;
  }
  h = (h ^ v) * 0xD6E8FEB86659FD93u;
  h ^= h >> 32;
  if (d->aUpos) h = (h ^ d->aUpos[t]) * 0x100000001B3u;
  if (d->aXpos) h = (h ^ (uint64_t)d->aXpos[t] << 8) * 0x100000001B3u;
  if (d->aLemmaOff)
    for (p = d->lemmas.p + d->aLemmaOff[t]; *p; p++) h = (h ^ *p) * 0x100000001B3u;
  h ^= h >> 29;
  return (uint32_t)(h ^ h >> 32);
}

/* Are tokens a and b of the same type? */
static int same_type(const ds_doc *d, size_t a, size_t b) {
  uint32_t n = d->aTok[a].end - d->aTok[a].start;
  if (d->aTok[b].end - d->aTok[b].start != n ||
      !ds_same_bytes(d->zText + d->aTok[a].start, d->zText + d->aTok[b].start, n))
    return 0;
  if (d->aUpos && d->aUpos[a] != d->aUpos[b]) return 0;
  if (d->aXpos && d->aXpos[a] != d->aXpos[b]) return 0;
  return !d->aLemmaOff || strcmp((const char *)d->lemmas.p + d->aLemmaOff[a],
                                 (const char *)d->lemmas.p + d->aLemmaOff[b]) == 0;
}

int ds_intern_types(const ds_doc *d, uint32_t **paOf, uint32_t **paTok, size_t *pnType) {
  *paOf = *paTok = NULL;
  *pnType = 0;
  /* open addressing over the tokens themselves: a slot holds a type's hash and its number
     + 1 (the type's first token in aTok), so no key is built and nothing is copied; a
     slot of another hash is passed over without a look at its token */
  size_t nSlot = 64;
  while (nSlot < d->nTok + d->nTok / 2) nSlot *= 2;   /* at most two thirds full */
  uint32_t *aOf = ds_malloc_n(d->nTok + 1, sizeof *aOf);
  uint32_t *aTok = ds_malloc_n(d->nTok + 1, sizeof *aTok);
  uint64_t *aSlot = ds_malloc_n(nSlot, sizeof *aSlot);
  if (!aOf || !aTok || !aSlot) {
    ds_free(aOf);
    ds_free(aTok);
    ds_free(aSlot);
    return DS_NOMEM;
  }
  memset(aSlot, 0, nSlot * sizeof *aSlot);
  size_t nType = 0;
  for (size_t t = 0; t < d->nTok; t++) {
    uint32_t h = type_hash(d, t);
    size_t i = h & (nSlot - 1);
    uint64_t x;
    while ((x = aSlot[i]) != 0 && ((uint32_t)(x >> 32) != h || !same_type(d, aTok[(uint32_t)x - 1], t)))
      i = (i + 1) & (nSlot - 1);
    if (!x) {
      aTok[nType] = (uint32_t)t;
      aSlot[i] = x = (uint64_t)h << 32 | (uint32_t)++nType;
    }
    aOf[t] = (uint32_t)x - 1;
  }
  ds_free(aSlot);
  *paOf = aOf;
  *paTok = aTok;
  *pnType = nType;
  return DS_OK;
}

int ds_doc_intern(ds_doc *d) {
  if (d->aTypeOf) return DS_OK;
  return ds_intern_types(d, &d->aTypeOf, &d->aTypeTok, &d->nType);
}
