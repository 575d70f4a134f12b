/*
** ds_count_seqs.c -- the sequence table (ds_seqs, ds_count.h): an open-addressing hash
** of id sequences with their frequency and range, filled by the n-gram and match
** counts, and its order (most frequent first, ties by the ids' strings).
*/
#include "ds_countInt.h"

#include <stdlib.h>
#include <string.h>

/* {====== sequences: an open-addressing hash of id sequences ====== */

int ds_count_seqs_new(ds_seqs **ps) {
  ds_seqs *s = ds_malloc(sizeof *s);
  if (!s) return DS_NOMEM;
  memset(s, 0, sizeof *s);
  s->nSlot = 1024;
  s->aSlot = ds_malloc_n(s->nSlot, sizeof *s->aSlot);
  if (!s->aSlot) {
    ds_free(s);
    return DS_NOMEM;
  }
  memset(s->aSlot, 0, s->nSlot * sizeof *s->aSlot);
  *ps = s;
  return DS_OK;
}

static int seqs_grow(ds_seqs *s) {
  size_t m = s->nSlot * 2;
  uint64_t *a = ds_malloc_n(m, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a, 0, m * sizeof *a);
  for (size_t i = 0; i < s->nEnt; i++) {
    const seqent *x = &s->aEnt[i];
    uint64_t h = seq_hash(s->ids.a + x->off, x->len);
    size_t j = (size_t)h & (m - 1);   /* the low bits */
    while (a[j]) j = (j + 1) & (m - 1);
    a[j] = (h & 0xffffffff00000000ull) | ((uint64_t)i + 1);
  }
  ds_free(s->aSlot);
  s->aSlot = a;
  s->nSlot = m;
  return DS_OK;
}

static int ids_equal(const uint32_t *a, const uint32_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* Count the sequence a[0..n), whose hash is h, once more, in document k. */
int ds_count_seqs_add_h(ds_seqs *s, const uint32_t *a, size_t n, uint64_t h, int64_t k) {
  uint64_t tag = h & 0xffffffff00000000ull;
  size_t j = (size_t)h & (s->nSlot - 1);
  for (uint64_t x; (x = s->aSlot[j]) != 0; j = (j + 1) & (s->nSlot - 1)) {
    if ((x & 0xffffffff00000000ull) != tag) continue;
    seqent *y = &s->aEnt[(uint32_t)x - 1];
    if (y->len != n || !ids_equal(n <= SEQ_INLINE ? y->aKey : s->ids.a + y->off, a, n)) continue;
    y->freq++;
    if (y->last != k + 1) {
      y->last = k + 1;
      y->range++;
    }
    return DS_OK;
  }
  if (s->nEnt >= UINT32_MAX - 1) return DS_NOMEM;
  if (s->nEnt == s->nEntAlloc) {
    size_t m = s->nEntAlloc ? 2 * s->nEntAlloc : 1024;
    seqent *x = ds_realloc_n(s->aEnt, m, sizeof *x);
    if (!x) return DS_NOMEM;
    s->aEnt = x;
    s->nEntAlloc = m;
  }
  size_t off = s->ids.n;
  if (ds_count_idvec_room(&s->ids, off + n)) return DS_NOMEM;
  memcpy(s->ids.a + off, a, n * sizeof *a);
  s->ids.n += n;
  seqent *y = &s->aEnt[s->nEnt];
  *y = (seqent){1, 1, k + 1, off, (uint32_t)n, {0}};
  if (n <= SEQ_INLINE) memcpy(y->aKey, a, n * sizeof *a);
  s->aSlot[j] = tag | (uint64_t)++s->nEnt;
  if (s->nEnt * 2 > s->nSlot) return seqs_grow(s);    /* load at most a half */
  return DS_OK;
}

int ds_count_seqs_add(ds_seqs *s, const uint32_t *a, size_t n, int64_t k) {
  return ds_count_seqs_add_h(s, a, n, seq_hash(a, n), k);
}

/*
** Append table b's entries to a's (b's sequences are none of a's, and b's documents none
** of a's, or counted in both with the ranges meant to add), free b; a is read-only after.
*/
int ds_count_seqs_join(ds_seqs *a, ds_seqs *b) {
  size_t nEnt = a->nEnt + b->nEnt;
  if (nEnt >= UINT32_MAX - 1) return DS_NOMEM;
  if (nEnt > a->nEntAlloc) {
    seqent *x = ds_realloc_n(a->aEnt, nEnt, sizeof *x);
    if (!x) return DS_NOMEM;
    a->aEnt = x;
    a->nEntAlloc = nEnt;
  }
  size_t base = a->ids.n;
  if (ds_count_idvec_room(&a->ids, base + b->ids.n)) return DS_NOMEM;
  if (b->ids.n) memcpy(a->ids.a + base, b->ids.a, b->ids.n * sizeof *b->ids.a);
  a->ids.n += b->ids.n;
  for (size_t i = 0; i < b->nEnt; i++) {
    a->aEnt[a->nEnt + i] = b->aEnt[i];
    a->aEnt[a->nEnt + i].off += base;
  }
  a->nEnt = nEnt;
  a->total += b->total;
  ds_free(a->aSlot);
  a->aSlot = NULL;
  a->nSlot = 0;
  ds_seqs_free(b);
  return DS_OK;
}

size_t ds_seqs_count(const ds_seqs *s) { return s->nEnt; }

void ds_seqs_get(const ds_seqs *s, size_t i, const uint32_t **paId, size_t *pnId, int64_t *pFreq,
                 int64_t *pRange) {
  const seqent *x = &s->aEnt[i];
  *paId = s->ids.a + x->off;
  *pnId = x->len;
  *pFreq = x->freq;
  *pRange = x->range;
}

int64_t ds_seqs_total(const ds_seqs *s) { return s->total; }

/* A lexicon string with its id, for ranking. */
typedef struct lexref {
  const char *z;
  size_t n;
  uint32_t id;
} lexref;

static int lexref_cmp(const void *pa, const void *pb) {
  const lexref *a = pa, *b = pb;
  size_t n = a->n < b->n ? a->n : b->n;
  int c = memcmp(a->z, b->z, n);
  if (c) return c;
  return a->n < b->n ? -1 : a->n > b->n;
}

/* A row to order: a key (the frequency inverted, then the first id's rank), its ids and
   the ranks of ids for ties. */
typedef struct seqrank {
  uint64_t key;
  uint64_t key2;             /* the ranks of the second and third ids (0: none) */
  const uint32_t *aId;
  const uint32_t *aRank;     /* rank by id (the same array in every row) */
  uint32_t nId, nRank;
  size_t i;
} seqrank;

static inline uint32_t rank_of(const seqrank *a, uint32_t id) { return id < a->nRank ? a->aRank[id] : 0; }

static int seqrank_cmp(const void *pa, const void *pb) {
  const seqrank *a = pa, *b = pb;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  if (a->key2 != b->key2) return a->key2 < b->key2 ? -1 : 1;
  uint32_t n = a->nId < b->nId ? a->nId : b->nId;
  for (uint32_t j = 3; j < n; j++) {
    uint32_t x = rank_of(a, a->aId[j]), y = rank_of(b, b->aId[j]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a->nId != b->nId) return a->nId < b->nId ? -1 : 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

/*
** The (k+1)-th largest of a[0..n) (k < n), found by selection (Hoare's partition around
** a median of three, on the side holding k): linear on average, where a sort of a
** million frequencies to read one of them was a tenth of a second. a is reordered.
*/
int64_t ds_count_kth_largest(int64_t *a, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int64_t x = a[lo], y = a[mid], z = a[hi];
    int64_t p = x > y ? (y > z ? y : (x > z ? z : x)) : (x > z ? x : (y > z ? z : y));
    size_t i = lo, j = hi;
    while (i <= j) {                       /* larger before smaller */
      while (a[i] > p) i++;
      while (a[j] < p) j--;
      if (i <= j) {
        int64_t t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        if (j == 0) break;
        j--;
      }
    }
    if (k <= j && j != (size_t)-1 && i > j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/* A row to order by (k1, k2) alone: sequences of one length up to 3 (n-grams), whose
   keys (frequency and the ids' ranks) differ unless the ids are past the lexicon. */
typedef struct radrow { uint64_t k1, k2, i; } radrow;

/*
** Sort a[0..n) by (k1, k2) ascending, ties in their order (LSD radix, 16-bit digits,
** skipping digits every row shares): a sort of a million rows without a comparison call.
** DS_OK or DS_NOMEM.
*/
static int radix_sort(radrow *a, size_t n) {
  radrow *b = ds_malloc_n(n ? n : 1, sizeof *b);
  size_t *aCount = ds_malloc_n(65536, sizeof *aCount);
  if (!b || !aCount) {
    ds_free(b), ds_free(aCount);
    return DS_NOMEM;
  }
  radrow *src = a, *dst = b;
  for (int pass = 0; pass < 8; pass++) {
    int shift = (pass % 4) * 16;
    memset(aCount, 0, 65536 * sizeof *aCount);
    for (size_t r = 0; r < n; r++) aCount[((pass < 4 ? src[r].k2 : src[r].k1) >> shift) & 0xffff]++;
    if (n == 0 || aCount[((pass < 4 ? src[0].k2 : src[0].k1) >> shift) & 0xffff] == n) continue;
    size_t at = 0;
    for (size_t d = 0; d < 65536; d++) {
      size_t c = aCount[d];
      aCount[d] = at;
      at += c;
    }
    for (size_t r = 0; r < n; r++) dst[aCount[((pass < 4 ? src[r].k2 : src[r].k1) >> shift) & 0xffff]++] = src[r];
    radrow *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
  ds_free(b);
  ds_free(aCount);
  return DS_OK;
}

int ds_seqs_order(const ds_seqs *s, const ds_lexstrs *lex, int64_t minF, int64_t minR, size_t nMax,
                  size_t **paIdx, size_t *pn, size_t *pnAll) {
  *paIdx = NULL;
  *pn = *pnAll = 0;
  size_t nLex = lex->nId;
  lexref *aRef = ds_malloc((nLex + 1) * sizeof *aRef);
  uint32_t *aRank = ds_malloc((nLex + 1) * sizeof *aRank);
  seqrank *aRow = ds_malloc((s->nEnt + 1) * sizeof *aRow);
  size_t *aIdx = ds_malloc((s->nEnt + 1) * sizeof *aIdx);
  if (!aRef || !aRank || !aRow || !aIdx) {
    ds_free(aRef), ds_free(aRank), ds_free(aRow), ds_free(aIdx);
    return DS_NOMEM;
  }
  for (size_t id = 0; id < nLex; id++)
    aRef[id] = (lexref){(const char *)lex->text.p + lex->aOff[id], lex->aOff[id + 1] - lex->aOff[id], (uint32_t)id};
  qsort(aRef, nLex, sizeof *aRef, lexref_cmp);
  for (size_t r = 0; r < nLex; r++) aRank[aRef[r].id] = (uint32_t)r + 1;   /* 0: an id past the lexicon */
  /* with nMax, only the rows as frequent as the nMax-th most frequent can be among them */
  int64_t minTop = minF;
  size_t nPass = 0;
  for (size_t i = 0; i < s->nEnt; i++)
    if (s->aEnt[i].freq >= minF && s->aEnt[i].range >= minR) nPass++;
  if (nMax < nPass) {
    int64_t *aF = ds_malloc((nPass + 1) * sizeof *aF);
    if (!aF) {
      ds_free(aRef), ds_free(aRank), ds_free(aRow), ds_free(aIdx);
      return DS_NOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < s->nEnt; i++)
      if (s->aEnt[i].freq >= minF && s->aEnt[i].range >= minR) aF[m++] = s->aEnt[i].freq;
    if (nMax > 0) {
      int64_t f = ds_count_kth_largest(aF, m, nMax - 1);
      if (f > minTop) minTop = f;
    }
    if (nMax == 0) minTop = INT64_MAX;
    ds_free(aF);
  }
  size_t n = 0;
  int bRadix = 1;          /* one length up to 3: (key, key2) decide, ties by index, as seqrank_cmp */
  for (size_t i = 0; bRadix && i < s->nEnt; i++) bRadix = s->aEnt[i].len <= 3 && s->aEnt[i].len == s->aEnt[0].len;
  if (bRadix) {            /* the keys straight into the radix sort's rows */
    radrow *aRad = ds_malloc_n(s->nEnt + 1, sizeof *aRad);
    for (size_t i = 0; aRad && i < s->nEnt; i++) {
      const seqent *x = &s->aEnt[i];
      if (x->freq < minTop || x->range < minR) continue;
      const uint32_t *a = s->ids.a + x->off;
      uint64_t key = ((uint64_t)(UINT32_MAX - (x->freq > UINT32_MAX ? UINT32_MAX : (uint32_t)x->freq)) << 32) |
                     (x->len && a[0] < nLex ? aRank[a[0]] : 0);
      uint64_t key2 = ((uint64_t)(x->len > 1 && a[1] < nLex ? aRank[a[1]] : 0) << 32) |
                      (x->len > 2 && a[2] < nLex ? aRank[a[2]] : 0);
      aRad[n++] = (radrow){key, key2, i};
    }
    if (!aRad || radix_sort(aRad, n)) {
      ds_free(aRad), ds_free(aRef), ds_free(aRank), ds_free(aRow), ds_free(aIdx);
      return DS_NOMEM;
    }
    if (n > nMax) n = nMax;
    for (size_t r = 0; r < n; r++) aIdx[r] = (size_t)aRad[r].i;
    ds_free(aRad);
    ds_free(aRef);
    ds_free(aRank);
    ds_free(aRow);
    *paIdx = aIdx;
    *pn = n;
    *pnAll = nPass;
    return DS_OK;
  }
  for (size_t i = 0; i < s->nEnt; i++) {
    const seqent *x = &s->aEnt[i];
    if (x->freq < minTop || x->range < minR) continue;
    uint64_t key = ((uint64_t)(UINT32_MAX - (x->freq > UINT32_MAX ? UINT32_MAX : (uint32_t)x->freq)) << 32) |
                   (x->len && s->ids.a[x->off] < nLex ? aRank[s->ids.a[x->off]] : 0);
    const uint32_t *a = s->ids.a + x->off;
    uint64_t key2 = ((uint64_t)(x->len > 1 && a[1] < nLex ? aRank[a[1]] : 0) << 32) |
                    (x->len > 2 && a[2] < nLex ? aRank[a[2]] : 0);
    aRow[n++] = (seqrank){key, key2, a, aRank, x->len, (uint32_t)nLex, i};
  }
  qsort(aRow, n, sizeof *aRow, seqrank_cmp);
  if (n > nMax) n = nMax;
  for (size_t r = 0; r < n; r++) aIdx[r] = aRow[r].i;
  ds_free(aRef);
  ds_free(aRank);
  ds_free(aRow);
  *paIdx = aIdx;
  *pn = n;
  *pnAll = nPass;
  return DS_OK;
}

void ds_seqs_free(ds_seqs *s) {
  if (!s) return;
  ds_free(s->aEnt);
  ds_free(s->aSlot);
  ds_free(s->ids.a);
  ds_free(s);
}

/* }====== */
