/*
** ds_similar.c -- documents alike: tf-idf cosine and MinHash near-duplicates (see
** ds_similar.h).
*/
#include "ds_similar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096              /* tokens read at a time */

static int nomem(ds_error *e) { return ds_error_set(e, DS_NOMEM, -1, "out of memory"); }

/* A value of a document's vector. */
typedef struct term {
  uint32_t id;
  float w;                      /* tf then, once weighed, the normalized weight */
} term;

/* What is kept of each document compared. */
typedef struct simdoc {
  size_t k;                     /* its index in the corpus (ds_corpus_doc order) */
  size_t iTerm, nTerm;          /* its terms: aTerm[iTerm .. iTerm + nTerm), by id */
  int bSig;                     /* it has shingles: a signature */
} simdoc;

typedef struct simctx {
  ds_corpus *c;
  const ds_simopts *o;
  ds_error *e;
  simdoc *aDoc;
  size_t nDoc;
  term *aTerm;
  size_t nTerm, nTermAlloc;
  uint64_t *aSig;               /* nHash values per document */
  uint64_t aA[1024], aB[1024];  /* the hash functions (mod_hash) */
  uint32_t *aId, *aNorm;        /* scratch: one document's counted ids and norm ids */
  size_t nIdAlloc, nNormAlloc;
} simctx;

static uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* The high 32 bits of a x + b (mod 2^64) for x < 2^32: a universal family of hashes
   (Dietzfelbinger's multiply-add-shift) with random a, b. */
static uint64_t mod_hash(uint64_t a, uint64_t b, uint64_t x) {
  return (a * x + b) >> 32;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int grow_u32(uint32_t **pa, size_t *pAlloc, size_t n) {
  if (n <= *pAlloc) return DS_OK;
  size_t m = *pAlloc ? *pAlloc : 1024;
  while (m < n) m *= 2;
  if (m > SIZE_MAX / sizeof **pa) return DS_NOMEM;
  uint32_t *p = ds_realloc_n(*pa, m, sizeof *p);
  if (!p) return DS_NOMEM;
  *pa = p;
  *pAlloc = m;
  return DS_OK;
}

/* Read document i's tokens: its counted values into terms, its shingles into its signature. */
static int read_doc(simctx *x, size_t i) {
  const ds_simopts *o = x->o;
  simdoc *sd = &x->aDoc[i];
  const ds_docinfo *d = ds_corpus_doc(x->c, sd->k);
  size_t nId = 0, nNorm = 0;
  if (grow_u32(&x->aNorm, &x->nNormAlloc, (size_t)d->nTok) || grow_u32(&x->aId, &x->nIdAlloc, (size_t)d->nTok))
    return nomem(x->e);
  for (int64_t t = 0; t < d->nTok;) {
    ds_window w;
    int rc = ds_corpus_window(x->c, sd->k, t, t + CHUNK, 0, &w, x->e);
    if (rc) return rc;
    int64_t end = w.first + (int64_t)w.n;
    if (w.first > t || end <= t) return ds_error_set(x->e, DS_CORRUPT, -1, "a window misses token %lld", (long long)t);
    for (int64_t j = t; j < end; j++) {
      uint32_t type = w.aType[j - w.first];
      x->aNorm[nNorm++] = ds_corpus_type_id(x->c, type, DS_ATTR_NORM);
      if (o->abPos) {
        uint32_t pos = ds_corpus_type_id(x->c, type, DS_ATTR_POS);
        if (pos >= o->nPos || !o->abPos[pos]) continue;
      }
      x->aId[nId++] = ds_corpus_type_id(x->c, type, o->attr);
    }
    t = end;
  }
  /* terms: the distinct ids with their counts */
  qsort(x->aId, nId, sizeof *x->aId, cmp_u32);
  sd->iTerm = x->nTerm;
  for (size_t j = 0; j < nId;) {
    size_t r = j;
    while (r < nId && x->aId[r] == x->aId[j]) r++;
    if (x->nTerm == x->nTermAlloc) {
      size_t m = x->nTermAlloc ? 2 * x->nTermAlloc : 4096;
      term *p = m <= SIZE_MAX / sizeof *p ? ds_realloc(x->aTerm, m * sizeof *p) : NULL;
      if (!p) return nomem(x->e);
      x->aTerm = p;
      x->nTermAlloc = m;
    }
    x->aTerm[x->nTerm++] = (term){x->aId[j], (float)(r - j)};
    j = r;
  }
  sd->nTerm = x->nTerm - sd->iTerm;
  /* signature: the least hash of its shingles under each function */
  int k = o->nShingle, nHash = o->nHash;
  uint64_t *sig = x->aSig + i * (size_t)nHash;
  for (int h = 0; h < nHash; h++) sig[h] = UINT64_MAX;
  sd->bSig = nNorm >= (size_t)k;
  for (size_t j = 0; j + (size_t)k <= nNorm; j++) {
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    for (int m = 0; m < k; m++) s = mix64(s ^ x->aNorm[j + (size_t)m]);
    uint64_t v = s >> 32 ^ (s & 0xffffffffULL);  /* 32 bits for the universal hashes */
    for (int h = 0; h < nHash; h++) {
      uint64_t y = mod_hash(x->aA[h], x->aB[h], v);
      if (y < sig[h]) sig[h] = y;
    }
  }
  return DS_OK;
}

/* Weigh every document's terms by tf-idf and normalize each vector to length 1. */
static int weigh(simctx *x) {
  uint32_t maxId = 0;
  for (size_t t = 0; t < x->nTerm; t++) if (x->aTerm[t].id > maxId) maxId = x->aTerm[t].id;
  uint32_t *aDf = ds_malloc_n((size_t)maxId + 1, sizeof *aDf);
  if (!aDf) return nomem(x->e);
  memset(aDf, 0, ((size_t)maxId + 1) * sizeof *aDf);
  for (size_t t = 0; t < x->nTerm; t++) aDf[x->aTerm[t].id]++;
  double n = (double)x->nDoc;
  for (size_t i = 0; i < x->nDoc; i++) {
    term *a = x->aTerm + x->aDoc[i].iTerm;
    double len = 0;
    for (size_t t = 0; t < x->aDoc[i].nTerm; t++) {
      double w = (1.0 + log((double)a[t].w)) * log(n / (double)aDf[a[t].id]);
      a[t].w = (float)w;
      len += w * w;
    }
    len = sqrt(len);
    for (size_t t = 0; t < x->aDoc[i].nTerm; t++) a[t].w = len > 0 ? (float)(a[t].w / len) : 0.0f;
  }
  ds_free(aDf);
  return DS_OK;
}

/* Cosine of documents i and j: the dot product of their (normalized) vectors. */
static double cosine(const simctx *x, size_t i, size_t j) {
  const term *a = x->aTerm + x->aDoc[i].iTerm, *b = x->aTerm + x->aDoc[j].iTerm;
  size_t na = x->aDoc[i].nTerm, nb = x->aDoc[j].nTerm, p = 0, q = 0;
  double dot = 0;
  while (p < na && q < nb) {
    if (a[p].id < b[q].id) p++;
    else if (a[p].id > b[q].id) q++;
    else dot += (double)a[p++].w * (double)b[q++].w;
  }
  return dot > 1.0 ? 1.0 : dot;
}

static double jaccard(const simctx *x, size_t i, size_t j) {
  if (!x->aDoc[i].bSig || !x->aDoc[j].bSig) return 0;
  int nHash = x->o->nHash, same = 0;
  const uint64_t *a = x->aSig + i * (size_t)nHash, *b = x->aSig + j * (size_t)nHash;
  for (int h = 0; h < nHash; h++) same += a[h] == b[h];
  return (double)same / nHash;
}

/* Candidate pairs (i < j, as i * nDoc + j) gathered from both methods. */
typedef struct pairset {
  uint64_t *a;
  size_t n, nAlloc;
} pairset;

static int pair_add(pairset *s, uint64_t v) {
  if (s->n == s->nAlloc) {
    size_t m = s->nAlloc ? 2 * s->nAlloc : 1024;
    uint64_t *p = m <= SIZE_MAX / sizeof *p ? ds_realloc(s->a, m * sizeof *p) : NULL;
    if (!p) return DS_NOMEM;
    s->a = p;
    s->nAlloc = m;
  }
  s->a[s->n++] = v;
  return DS_OK;
}

/*
** Pairs whose cosine may reach the threshold: each document's dot products with the later
** ones, accumulated over an inverted index whose cursors move past each document as it
** is done.
*/
static int cosine_candidates(simctx *x, pairset *ps) {
  if (x->o->minCosine > 1.0) return DS_OK;
  uint32_t maxId = 0;
  for (size_t t = 0; t < x->nTerm; t++) if (x->aTerm[t].id > maxId) maxId = x->aTerm[t].id;
  size_t nId = (size_t)maxId + 1;
  size_t *aStart = ds_malloc_n(nId + 1, sizeof *aStart), *aCur = ds_malloc_n(nId, sizeof *aCur);
  uint32_t *aPostDoc = ds_malloc_n(x->nTerm + 1, sizeof *aPostDoc);
  float *aPostW = ds_malloc_n(x->nTerm + 1, sizeof *aPostW);
  double *aAcc = ds_malloc_n(x->nDoc + 1, sizeof *aAcc);
  uint32_t *aTouched = ds_malloc_n(x->nDoc + 1, sizeof *aTouched);
  int rc = DS_OK;
  if (!aStart || !aCur || !aPostDoc || !aPostW || !aAcc || !aTouched) {
    rc = nomem(x->e);
    goto done;
  }
  memset(aStart, 0, (nId + 1) * sizeof *aStart);
  for (size_t t = 0; t < x->nTerm; t++)
    if (x->aTerm[t].w > 0) aStart[x->aTerm[t].id + 1]++;
  for (size_t v = 0; v < nId; v++) aStart[v + 1] += aStart[v];
  memcpy(aCur, aStart, nId * sizeof *aCur);
  for (size_t i = 0; i < x->nDoc; i++)             /* postings in document order */
    for (size_t t = x->aDoc[i].iTerm; t < x->aDoc[i].iTerm + x->aDoc[i].nTerm; t++) {
      if (!(x->aTerm[t].w > 0)) continue;
      size_t p = aCur[x->aTerm[t].id]++;
      aPostDoc[p] = (uint32_t)i;
      aPostW[p] = x->aTerm[t].w;
    }
  memcpy(aCur, aStart, nId * sizeof *aCur);
  for (size_t j = 0; j < x->nDoc; j++) aAcc[j] = 0;
  for (size_t i = 0; i < x->nDoc && rc == DS_OK; i++) {
    size_t nTouched = 0;
    for (size_t t = x->aDoc[i].iTerm; t < x->aDoc[i].iTerm + x->aDoc[i].nTerm; t++) {
      if (!(x->aTerm[t].w > 0)) continue;
      uint32_t id = x->aTerm[t].id;
      size_t p = ++aCur[id];                   /* past document i's own entry */
      double w = x->aTerm[t].w;
      for (; p < aStart[id + 1]; p++) {
        uint32_t j = aPostDoc[p];
        if (aAcc[j] == 0) aTouched[nTouched++] = j;
        aAcc[j] += w * aPostW[p];
      }
    }
    for (size_t m = 0; m < nTouched; m++) {
      uint32_t j = aTouched[m];
      if (aAcc[j] >= x->o->minCosine - 1e-9 && pair_add(ps, (uint64_t)i * x->nDoc + j)) rc = nomem(x->e);
      aAcc[j] = 0;
    }
  }
done:
  ds_free(aStart);
  ds_free(aCur);
  ds_free(aPostDoc);
  ds_free(aPostW);
  ds_free(aAcc);
  ds_free(aTouched);
  return rc;
}

/* A band of a signature and its document, for finding equal bands by sorting. */
typedef struct bandkey {
  uint64_t h;
  uint32_t doc;
} bandkey;

static int cmp_band(const void *a, const void *b) {
  const bandkey *x = a, *y = b;
  if (x->h != y->h) return x->h < y->h ? -1 : 1;
  return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* Pairs with an equal band of 4 hashes: near-duplicate candidates. */
static int jaccard_candidates(simctx *x, pairset *ps) {
  if (x->o->minJaccard > 1.0) return DS_OK;
  int nHash = x->o->nHash, nBand = nHash / 4, rc = DS_OK;
  bandkey *a = ds_malloc_n(x->nDoc + 1, sizeof *a);
  if (!a) return nomem(x->e);
  for (int band = 0; band < nBand && rc == DS_OK; band++) {
    size_t n = 0;
    for (size_t i = 0; i < x->nDoc; i++) {
      if (!x->aDoc[i].bSig) continue;
      const uint64_t *s = x->aSig + i * (size_t)nHash + (size_t)band * 4;
      a[n++] = (bandkey){mix64(s[0] ^ mix64(s[1] ^ mix64(s[2] ^ mix64(s[3])))), (uint32_t)i};
    }
    qsort(a, n, sizeof *a, cmp_band);
    for (size_t p = 0; p < n && rc == DS_OK; p++)
      for (size_t q = p + 1; q < n && a[q].h == a[p].h && rc == DS_OK; q++)
        if (pair_add(ps, (uint64_t)a[p].doc * x->nDoc + a[q].doc)) rc = nomem(x->e);
  }
  ds_free(a);
  return rc;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int cmp_pair(const void *a, const void *b) {
  const ds_simpair *x = a, *y = b;
  if (x->cosine != y->cosine) return x->cosine > y->cosine ? -1 : 1;
  if (x->a != y->a) return x->a < y->a ? -1 : 1;
  return x->b < y->b ? -1 : x->b > y->b;
}

int ds_similar(ds_corpus *c, const unsigned char *abDoc, const ds_simopts *opts, ds_simpair **pa,
               size_t *pn, ds_error *e) {
  *pa = NULL;
  *pn = 0;
  ds_simopts o = *opts;
  if (o.nShingle == 0) o.nShingle = 5;
  if (o.nHash == 0) o.nHash = 128;
  if (o.attr < 0 || o.attr >= DS_NATTR || o.nShingle < 1 || o.nShingle > 16 || o.nHash < 4 ||
      o.nHash > 1024 || o.nHash % 4 || !(o.minCosine >= 0) || !(o.minJaccard >= 0))
    return ds_error_set(e, DS_MISUSE, -1, "similar: an attribute, 1 to 16 tokens a shingle, 4 to 1024 hashes "
                        "(a multiple of 4) and thresholds from 0 expected");
  simctx x = {.c = c, .o = &o, .e = e};
  size_t nAll = ds_corpus_ndocs(c);
  x.aDoc = ds_malloc_n(nAll + 1, sizeof *x.aDoc);
  if (!x.aDoc) return nomem(e);
  for (size_t k = 0; k < nAll; k++)
    if (!abDoc || abDoc[k]) x.aDoc[x.nDoc++] = (simdoc){k, 0, 0, 0};
  int rc = DS_OK;
  pairset ps = {NULL, 0, 0};
  if (x.nDoc > UINT32_MAX / 2 || (size_t)o.nHash > SIZE_MAX / sizeof *x.aSig / (x.nDoc + 1)) {
    rc = ds_error_set(e, DS_LIMIT, -1, "similar: too many documents");
    goto done;
  }
  x.aSig = ds_malloc((x.nDoc + 1) * (size_t)o.nHash * sizeof *x.aSig);
  if (!x.aSig) {
    rc = nomem(e);
    goto done;
  }
  uint64_t seed = 0x5eed5eed12345678ULL;   /* fixed: the same signatures every run */
  for (int h = 0; h < o.nHash; h++) {
    x.aA[h] = mix64(seed += 0x9e3779b97f4a7c15ULL) | 1;
    x.aB[h] = mix64(seed += 0x9e3779b97f4a7c15ULL);
  }
  for (size_t i = 0; i < x.nDoc && rc == DS_OK; i++) {
    if (ds_interrupted()) rc = ds_interrupt_error(e);
    else rc = read_doc(&x, i);
  }
  if (rc == DS_OK) rc = weigh(&x);
  if (rc == DS_OK) rc = cosine_candidates(&x, &ps);
  if (rc == DS_OK) rc = jaccard_candidates(&x, &ps);
  if (rc) goto done;
  qsort(ps.a, ps.n, sizeof *ps.a, cmp_u64);
  ds_simpair *out = ds_malloc_n(ps.n + 1, sizeof *out);
  if (!out) {
    rc = nomem(e);
    goto done;
  }
  size_t n = 0;
  for (size_t p = 0; p < ps.n; p++) {
    if (p > 0 && ps.a[p] == ps.a[p - 1]) continue;
    size_t i = (size_t)(ps.a[p] / x.nDoc), j = (size_t)(ps.a[p] % x.nDoc);
    double cs = cosine(&x, i, j), jc = jaccard(&x, i, j);
    if (cs >= o.minCosine - 1e-9 || jc >= o.minJaccard)
      out[n++] = (ds_simpair){x.aDoc[i].k, x.aDoc[j].k, cs, jc};
  }
  qsort(out, n, sizeof *out, cmp_pair);
  *pa = out;
  *pn = n;
done:
  ds_free(ps.a);
  ds_free(x.aDoc);
  ds_free(x.aTerm);
  ds_free(x.aSig);
  ds_free(x.aId);
  ds_free(x.aNorm);
  return rc;
}
