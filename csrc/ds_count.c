/*
** ds_count.c -- counting for the analysis recipes (ds_count.h), on the store's read
** API only: documents are read a window of token types at a time and each type mapped to
** its attribute's lexicon id, so no count ever touches postings or text.
*/
#include "ds_count.h"
#include "ds_eval.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens asked of the store per window: bounded memory for a document of any size. */
#define CHUNK 65536

static int nomem(ds_error *e) { return ds_error_set(e, DS_NOMEM, -1, "out of memory"); }

static int in_set(const unsigned char *abDoc, size_t k) { return abDoc == NULL || abDoc[k] != 0; }

static int check_attr(int attr, ds_error *e) {
  if (attr < 0 || attr >= DS_NATTR) return ds_error_set(e, DS_MISUSE, -1, "no attribute %d", attr);
  return DS_OK;
}

/* {====== reading a document's ids ====== */

/* A growable array of lexicon ids. */
typedef struct idvec {
  uint32_t *a;
  size_t n, nAlloc;
} idvec;

static int idvec_room(idvec *v, size_t n) {
  if (n <= v->nAlloc) return DS_OK;
  size_t m = v->nAlloc ? v->nAlloc : 1024;
  while (m < n) m *= 2;
  uint32_t *a = ds_realloc_n(v->a, m, sizeof *a);
  if (!a) return DS_NOMEM;
  v->a = a;
  v->nAlloc = m;
  return DS_OK;
}

/* The ids of attr of tokens [t0, t1) of document k appended to v. */
static int doc_ids_add(ds_corpus *c, size_t k, int attr, int64_t t0, int64_t t1, idvec *v, ds_error *e) {
  if (t1 <= t0) return DS_OK;
  if (idvec_room(v, v->n + (size_t)(t1 - t0))) return nomem(e);
  for (int64_t t = t0; t < t1;) {
    ds_window w;
    int64_t want = t1 - t < CHUNK ? t1 : t + CHUNK;
    if (t > t0 && ds_interrupted()) return ds_interrupt_error(e);   /* a long document */
    int rc = ds_corpus_window(c, k, t, want, 0, &w, e);
    if (rc) return rc;
    int64_t end = w.first + (int64_t)w.n;
    if (w.first > t || end <= t) return ds_error_set(e, DS_CORRUPT, -1, "a window misses token %lld", (long long)t);
    if (end > t1) end = t1;
    ds_corpus_type_ids(c, w.aType + (t - w.first), (size_t)(end - t), attr, v->a + v->n);
    v->n += (size_t)(end - t);
    t = end;
  }
  return DS_OK;
}

/* The ids of attr of tokens [t0, t1) of document k into v (replacing what it held). */
static int doc_ids(ds_corpus *c, size_t k, int attr, int64_t t0, int64_t t1, idvec *v, ds_error *e) {
  v->n = 0;
  return doc_ids_add(c, k, attr, t0, t1, v, e);
}

/*
** The sentences of document k as half-open token ranges relative to its start, every
** token in exactly one: `s` spans, and each run of tokens outside them as one more.
** Into *pa (growable, *pAlloc) and *pn.
*/
typedef struct seg { int64_t from, to; } seg;

static int doc_segments(ds_corpus *c, size_t k, const char *zKind, seg **pa, size_t *pAlloc, size_t *pn,
                        ds_error *e) {
  const ds_docinfo *d = ds_corpus_doc(c, k);
  int64_t base = d->cpos, nTok = d->nTok;
  const ds_span *as;
  size_t ns;
  int rc = ds_corpus_spans(c, k, zKind, &as, &ns, e);
  if (rc) return rc;
  size_t need = 2 * ns + 1;
  if (need > *pAlloc) {
    seg *a = ds_realloc_n(*pa, need, sizeof *a);
    if (!a) return nomem(e);
    *pa = a;
    *pAlloc = need;
  }
  size_t n = 0;
  int64_t at = 0;
  for (size_t i = 0; i < ns; i++) {
    int64_t from = as[i].first - base, to = as[i].last - base + 1;
    if (from < at) from = at;             /* overlapping spans: never count a token twice */
    if (to > nTok) to = nTok;
    if (to <= from) continue;
    if (from > at) (*pa)[n++] = (seg){at, from};
    (*pa)[n++] = (seg){from, to};
    at = to;
  }
  if (at < nTok) (*pa)[n++] = (seg){at, nTok};
  *pn = n;
  return DS_OK;
}

/* }====== */

/* {====== frequencies ====== */

static int freq_room(ds_freq *f, size_t nId) {
  if (nId <= f->nId) return DS_OK;
  size_t m = f->nId ? f->nId : 4096;
  while (m < nId) m *= 2;
  int64_t *a = ds_realloc_n(f->aFreq, m, sizeof *a);
  if (!a) return DS_NOMEM;
  f->aFreq = a;
  a = ds_realloc_n(f->aRange, m, sizeof *a);
  if (!a) return DS_NOMEM;
  f->aRange = a;
  a = ds_realloc_n(f->aLast, m, sizeof *a);
  if (!a) return DS_NOMEM;
  f->aLast = a;
  memset(f->aFreq + f->nId, 0, (m - f->nId) * sizeof *a);
  memset(f->aRange + f->nId, 0, (m - f->nId) * sizeof *a);
  memset(f->aLast + f->nId, 0, (m - f->nId) * sizeof *a);
  f->nId = m;
  return DS_OK;
}

/* Count id once more, in document k (range counts each document once). */
static inline int freq_add(ds_freq *f, uint32_t id, int64_t k) {
  if (id >= f->nId && freq_room(f, (size_t)id + 1)) return DS_NOMEM;
  f->aFreq[id]++;
  if (f->aLast[id] != k + 1) {
    f->aLast[id] = k + 1;
    f->aRange[id]++;
  }
  return DS_OK;
}

int ds_count_freq(ds_corpus *c, int attr, const unsigned char *abDoc, ds_freq *f, ds_error *e) {
  if (check_attr(attr, e)) return DS_MISUSE;
  size_t nDoc = ds_corpus_ndocs(c);
  for (size_t k = 0; k < nDoc; k++) {
    if (!in_set(abDoc, k)) continue;
    const ds_docinfo *d = ds_corpus_doc(c, k);
    for (int64_t t = 0; t < d->nTok;) {
      ds_window w;
      if (ds_interrupted()) return ds_interrupt_error(e);   /* Ctrl-C: a look per window */
      int rc = ds_corpus_window(c, k, t, t + CHUNK, 0, &w, e);
      if (rc) return rc;
      int64_t end = w.first + (int64_t)w.n;
      if (w.first > t || end <= t) return ds_error_set(e, DS_CORRUPT, -1, "a window misses token %lld", (long long)t);
      for (int64_t i = t; i < end; i++) {
        if (freq_add(f, ds_corpus_type_id(c, w.aType[i - w.first], attr), (int64_t)k)) return nomem(e);
      }
      t = end;
    }
    f->nTok += d->nTok;
    f->nDoc++;
  }
  return DS_OK;
}

/* Counts by token type, grown as types appear. */
typedef struct typecount {
  int64_t *a;
  size_t n;
} typecount;

static int typecount_room(typecount *tc, size_t n) {
  size_t m = tc->n ? tc->n : 65536;
  while (m < n) m *= 2;
  int64_t *a = ds_realloc_n(tc->a, m, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a + tc->n, 0, (m - tc->n) * sizeof *a);
  tc->a = a;
  tc->n = m;
  return DS_OK;
}

/* Add the counts of tc by type into f by the types' ids of attr. */
static int typecount_to_freq(ds_corpus *c, const typecount *tc, int attr, ds_freq *f) {
  for (size_t ty = 0; ty < tc->n; ty++) {
    if (!tc->a[ty]) continue;
    uint32_t id = ds_corpus_type_id(c, (uint32_t)ty, attr);
    if (id >= f->nId && freq_room(f, (size_t)id + 1)) return DS_NOMEM;
    f->aFreq[id] += tc->a[ty];
  }
  return DS_OK;
}

int ds_count_keyness(ds_corpus *c, int attr, const unsigned char *abT, const unsigned char *abR, ds_freq *ft,
                     ds_freq *fr, ds_error *e) {
  if (check_attr(attr, e)) return DS_MISUSE;
  typecount tc[2] = {{NULL, 0}, {NULL, 0}};
  int rc = DS_OK;
  size_t nDoc = ds_corpus_ndocs(c);
  for (size_t k = 0; rc == DS_OK && k < nDoc; k++) {
    int bT = in_set(abT, k), bR = in_set(abR, k);
    if (!bT && !bR) continue;
    const ds_docinfo *d = ds_corpus_doc(c, k);
    for (int64_t t = 0; rc == DS_OK && t < d->nTok;) {
      ds_window w;
      if (ds_interrupted()) {
        rc = ds_interrupt_error(e);   /* Ctrl-C: a look per window */
        break;
      }
      rc = ds_corpus_window(c, k, t, t + CHUNK, 0, &w, e);
      if (rc) break;
      int64_t end = w.first + (int64_t)w.n;
      if (w.first > t || end <= t) {
        rc = ds_error_set(e, DS_CORRUPT, -1, "a window misses token %lld", (long long)t);
        break;
      }
      for (int side = 0; rc == DS_OK && side < 2; side++) {
        if (!(side ? bR : bT)) continue;
        typecount *x = &tc[side];
        for (int64_t i = t; i < end; i++) {
          uint32_t ty = w.aType[i - w.first];
          if (ty >= x->n && typecount_room(x, (size_t)ty + 1)) {
            rc = nomem(e);
            break;
          }
          x->a[ty]++;
        }
      }
      t = end;
    }
    if (bT) ft->nTok += d->nTok, ft->nDoc++;
    if (bR) fr->nTok += d->nTok, fr->nDoc++;
  }
  if (rc == DS_OK && (typecount_to_freq(c, &tc[0], attr, ft) || typecount_to_freq(c, &tc[1], attr, fr)))
    rc = nomem(e);
  ds_free(tc[0].a);
  ds_free(tc[1].a);
  return rc;
}

void ds_freq_free(ds_freq *f) {
  ds_free(f->aFreq);
  ds_free(f->aRange);
  ds_free(f->aLast);
  memset(f, 0, sizeof *f);
}

/* }====== */

/* {====== sequences: an open-addressing hash of id sequences ====== */

/* Ids kept in the entry itself, so a lookup of a short sequence reads one entry. */
#define SEQ_INLINE 4

typedef struct seqent {
  int64_t freq, range, last;
  size_t off;          /* its ids: s->ids.a[off .. off + len) */
  uint32_t len;
  uint32_t aKey[SEQ_INLINE];   /* the ids again when len <= SEQ_INLINE */
} seqent;

/*
** A slot is the entry's index + 1 in its low 32 bits (0: empty) and the high 32 bits of
** the sequence's hash in its high bits, compared before the entry is read. Once two
** tables are joined (seqs_join) aSlot is NULL: the table is read, never added to.
*/
struct ds_seqs {
  seqent *aEnt;
  size_t nEnt, nEntAlloc;
  uint64_t *aSlot;     /* power-of-two size */
  size_t nSlot;
  idvec ids;
  int64_t total;
};

static uint64_t seq_hash(const uint32_t *a, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  for (size_t i = 0; i < n; i++) {
    h ^= a[i];
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  h *= 0xc4ceb9fe1a85ec53ull;     /* so the low bits (the slot) depend on every id */
  return h ^ (h >> 29);
}

static int seqs_new(ds_seqs **ps) {
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
static int seqs_add_h(ds_seqs *s, const uint32_t *a, size_t n, uint64_t h, int64_t k) {
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
  if (idvec_room(&s->ids, off + n)) return DS_NOMEM;
  memcpy(s->ids.a + off, a, n * sizeof *a);
  s->ids.n += n;
  seqent *y = &s->aEnt[s->nEnt];
  *y = (seqent){1, 1, k + 1, off, (uint32_t)n, {0}};
  if (n <= SEQ_INLINE) memcpy(y->aKey, a, n * sizeof *a);
  s->aSlot[j] = tag | (uint64_t)++s->nEnt;
  if (s->nEnt * 2 > s->nSlot) return seqs_grow(s);    /* load at most a half */
  return DS_OK;
}

static int seqs_add(ds_seqs *s, const uint32_t *a, size_t n, int64_t k) {
  return seqs_add_h(s, a, n, seq_hash(a, n), k);
}

/*
** Append table b's entries to a's (b's sequences are none of a's, and b's documents none
** of a's, or counted in both with the ranges meant to add), free b; a is read-only after.
*/
static int seqs_join(ds_seqs *a, ds_seqs *b) {
  size_t nEnt = a->nEnt + b->nEnt;
  if (nEnt >= UINT32_MAX - 1) return DS_NOMEM;
  if (nEnt > a->nEntAlloc) {
    seqent *x = ds_realloc_n(a->aEnt, nEnt, sizeof *x);
    if (!x) return DS_NOMEM;
    a->aEnt = x;
    a->nEntAlloc = nEnt;
  }
  size_t base = a->ids.n;
  if (idvec_room(&a->ids, base + b->ids.n)) return DS_NOMEM;
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
static int64_t kth_largest(int64_t *a, size_t n, size_t k) {
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
      int64_t f = kth_largest(aF, m, nMax - 1);
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

/*
** N-grams are counted a batch of documents at a time: this thread reads the batches' ids
** (the corpus handle is not shared) while two more count the batch before, each into its
** own table the n-grams whose hash has its top bit 0 (table 0) or 1 (table 1), so no
** n-gram is in both and the tables are joined without a lookup.
*/
#ifndef DS_NGRAM_BATCH             /* tokens read before counting; make asan/tsan set it */
#define DS_NGRAM_BATCH (1 << 20)   /* small, so their tests pass several batches */
#endif

typedef struct ngrun { size_t at, len; int64_t k; } ngrun;   /* a sentence: ids at..at+len, document k */

typedef struct ngbatch {
  const uint32_t *aId;
  const ngrun *aRun;
  size_t nRun;
  int n;
  int bits;            /* > 0: n-grams packed as keys of n * bits bits (pktab), else ds_seqs */
} ngbatch;

/*
** When n ids of bits bits each fit in 64 (bits: enough for every id of the attribute,
** ds_corpus_type_id_bound), an n-gram is its ids packed into one integer, the first id
** in the highest bits, and is counted in a table of such keys: an entry holds the key and
** its counts (no pointer to ids elsewhere, so a lookup reads one cache line), and the key
** is built as a window slides along a sentence (a shift and an or per token, no loop
** over the n ids). 3-grams of a lexicon below 2^21 values are counted this way.
*/
typedef struct pkent {
  uint64_t key;
  int64_t freq;        /* 0: an empty slot */
  uint32_t range;      /* documents holding it */
  uint32_t last;       /* the last document counted, plus one */
} pkent;

typedef struct pktab {
  pkent *a;
  size_t nSlot;        /* power of two */
  size_t n;            /* entries */
  int64_t total;       /* n-grams counted */
} pktab;

/* A key's hash: the top bit picks the thread counting it, the low bits its slot. */
static inline uint64_t pk_hash(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ull;
  return k ^ (k >> 33);
}

static int pktab_init(pktab *t, size_t nSlot) {
  t->a = ds_malloc_n(nSlot, sizeof *t->a);
  if (!t->a) return DS_NOMEM;
  memset(t->a, 0, nSlot * sizeof *t->a);
  t->nSlot = nSlot;
  t->n = 0;
  return DS_OK;
}

static int pktab_grow(pktab *t) {
  size_t m = t->nSlot * 2;
  pkent *a = ds_malloc_n(m, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a, 0, m * sizeof *a);
  for (size_t i = 0; i < t->nSlot; i++) {
    if (!t->a[i].freq) continue;
    size_t j = (size_t)pk_hash(t->a[i].key) & (m - 1);
    while (a[j].freq) j = (j + 1) & (m - 1);
    a[j] = t->a[i];
  }
  ds_free(t->a);
  t->a = a;
  t->nSlot = m;
  return DS_OK;
}

typedef struct ngpart {
  const ngbatch *b;
  ds_seqs *s;
  pktab pk;            /* with b->bits > 0 */
  unsigned part;       /* 0 or 1: the top bit of the hashes counted here */
  int rc;
} ngpart;

/*
** The n-grams of a table are added a group at a time, their slots and then their entries
** fetched ahead (the table is much larger than the caches, so each lookup would otherwise
** wait on memory twice).
*/
#define NGRAM_GROUP 256
#define NGRAM_AHEAD 16

typedef struct nggroup {
  const uint32_t *aSeq[NGRAM_GROUP];
  uint64_t aHash[NGRAM_GROUP];
  int64_t aDoc[NGRAM_GROUP];
  size_t n;
} nggroup;

static int ngram_flush(ds_seqs *s, nggroup *g, size_t n) {
  for (size_t i = 0; i < g->n; i++) {
    size_t mask = s->nSlot - 1;
    if (i + NGRAM_AHEAD < g->n) __builtin_prefetch(&s->aSlot[(size_t)g->aHash[i + NGRAM_AHEAD] & mask]);
    if (i + NGRAM_AHEAD / 2 < g->n) {
      uint64_t x = s->aSlot[(size_t)g->aHash[i + NGRAM_AHEAD / 2] & mask];
      if (x) __builtin_prefetch(&s->aEnt[(uint32_t)x - 1]);
    }
    s->total++;
    if (seqs_add_h(s, g->aSeq[i], n, g->aHash[i], g->aDoc[i])) return DS_NOMEM;
  }
  g->n = 0;
  return DS_OK;
}

/* Keys of a group of pkgroup, with their hashes and documents (plus one). */
typedef struct pkgroup {
  uint64_t aKey[NGRAM_GROUP], aHash[NGRAM_GROUP];
  uint32_t aDoc[NGRAM_GROUP];
  size_t n;
} pkgroup;

static int pk_flush(pktab *t, pkgroup *g) {
  for (size_t i = 0; i < g->n; i++) {
    size_t mask = t->nSlot - 1;
    if (i + NGRAM_AHEAD < g->n) __builtin_prefetch(&t->a[(size_t)g->aHash[i + NGRAM_AHEAD] & mask]);
    uint64_t key = g->aKey[i];
    size_t j = (size_t)g->aHash[i] & mask;
    pkent *x;
    for (x = &t->a[j]; x->freq && x->key != key; x = &t->a[j]) j = (j + 1) & mask;
    if (x->freq) {
      x->freq++;
      if (x->last != g->aDoc[i]) {
        x->last = g->aDoc[i];
        x->range++;
      }
    } else {
      *x = (pkent){key, 1, 1, g->aDoc[i]};
      if (++t->n * 4 > t->nSlot * 3 && pktab_grow(t)) return DS_NOMEM;    /* load at most 3/4 */
    }
  }
  t->total += (int64_t)g->n;
  g->n = 0;
  return DS_OK;
}

/* The packed n-grams of batch b whose hash's top bit is p->part, into p->pk. */
static void pk_part(ngpart *p) {
  const ngbatch *b = p->b;
  size_t n = (size_t)b->n;
  unsigned bits = (unsigned)b->bits;
  uint64_t mask = n * bits >= 64 ? ~0ull : (1ull << (n * bits)) - 1;
  pkgroup *g = ds_malloc(sizeof *g);
  if (!g) {
    p->rc = DS_NOMEM;
    return;
  }
  g->n = 0;
  for (size_t r = 0; p->rc == DS_OK && r < b->nRun; r++) {
    const ngrun *x = &b->aRun[r];
    if (x->len < n) continue;
    const uint32_t *a = b->aId + x->at;
    uint32_t doc = (uint32_t)x->k + 1;
    uint64_t key = 0;
    for (size_t t = 0; t + 1 < n; t++) key = (key << bits) | a[t];
    for (size_t t = n - 1; t < x->len; t++) {
      key = ((key << bits) | a[t]) & mask;
      uint64_t h = pk_hash(key);
      g->aKey[g->n] = key;      /* written always, kept when the hash is this thread's */
      g->aHash[g->n] = h;
      g->aDoc[g->n] = doc;
      g->n += (unsigned)(h >> 63) == p->part;
      if (g->n == NGRAM_GROUP && pk_flush(&p->pk, g)) {
        p->rc = DS_NOMEM;
        break;
      }
    }
  }
  if (p->rc == DS_OK && pk_flush(&p->pk, g)) p->rc = DS_NOMEM;
  ds_free(g);
}

/*
** The entries of the packed tables t[0..2) (no key in both) as a read-only ds_seqs of
** n-grams of n ids of bits bits, into a new *ps; the tables are freed as they are read.
*/
static int pk_to_seqs(pktab *t, int n, int bits, ds_seqs **ps) {
  ds_seqs *s = ds_malloc(sizeof *s);
  if (!s) return DS_NOMEM;
  memset(s, 0, sizeof *s);
  size_t nEnt = t[0].n + t[1].n;
  s->aEnt = ds_malloc_n(nEnt ? nEnt : 1, sizeof *s->aEnt);
  if (!s->aEnt || idvec_room(&s->ids, nEnt * (size_t)n + 1)) {
    ds_seqs_free(s);
    return DS_NOMEM;
  }
  s->nEntAlloc = nEnt ? nEnt : 1;
  uint64_t one = (1ull << bits) - 1;
  for (int i = 0; i < 2; i++) {
    for (size_t j = 0; j < t[i].nSlot; j++) {
      const pkent *x = &t[i].a[j];
      if (!x->freq) continue;
      seqent *y = &s->aEnt[s->nEnt++];
      *y = (seqent){x->freq, x->range, x->last, s->ids.n, (uint32_t)n, {0}};
      uint32_t *a = s->ids.a + s->ids.n;
      for (int m = 0; m < n; m++) a[m] = (uint32_t)((x->key >> ((unsigned)(n - 1 - m) * (unsigned)bits)) & one);
      if (n <= SEQ_INLINE) memcpy(y->aKey, a, (size_t)n * sizeof *a);
      s->ids.n += (size_t)n;
    }
    s->total += t[i].total;
    ds_free(t[i].a);
    t[i].a = NULL;
  }
  *ps = s;
  return DS_OK;
}

static void *ngram_part(void *arg) {
  ngpart *p = arg;
  const ngbatch *b = p->b;
  size_t n = (size_t)b->n;
  if (b->bits > 0) {
    pk_part(p);
    return NULL;
  }
  nggroup *g = ds_malloc(sizeof *g);
  if (!g) {
    p->rc = DS_NOMEM;
    return NULL;
  }
  g->n = 0;
  for (size_t r = 0; p->rc == DS_OK && r < b->nRun; r++) {
    const ngrun *x = &b->aRun[r];
    if (x->len < n) continue;
    const uint32_t *a = b->aId + x->at;
    for (size_t t = 0; t + n <= x->len; t++) {
      uint64_t h = seq_hash(a + t, n);
      if ((unsigned)(h >> 63) != p->part) continue;
      g->aSeq[g->n] = a + t;
      g->aHash[g->n] = h;
      g->aDoc[g->n++] = x->k;
      if (g->n == NGRAM_GROUP && ngram_flush(p->s, g, n)) {
        p->rc = DS_NOMEM;
        break;
      }
    }
  }
  if (p->rc == DS_OK && ngram_flush(p->s, g, n)) p->rc = DS_NOMEM;
  ds_free(g);
  return NULL;
}

/*
** The counting threads: two workers, each counting its half of every batch the reading
** thread posts, while that thread reads the next batch into the other buffer. seq is the
** number of batches posted, aDone[i] the number worker i has counted; the reader posts
** batch seq + 1 only when both have counted batch seq, so a buffer is refilled only once
** no worker reads it.
*/
typedef struct ngpool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  ngpart p[2];
  ngbatch b;           /* the batch posted last */
  uint64_t seq, aDone[2];
  int bStop;
} ngpool;

typedef struct ngworker { ngpool *pool; int i; } ngworker;

static void *ngram_worker(void *arg) {
  ngworker *w = arg;
  ngpool *pool = w->pool;
  uint64_t seen = 0;
  pthread_mutex_lock(&pool->mu);
  for (;;) {
    while (pool->seq == seen && !pool->bStop) pthread_cond_wait(&pool->cv, &pool->mu);
    if (pool->seq == seen) break;                 /* stopped, nothing posted */
    seen = pool->seq;
    pool->p[w->i].b = &pool->b;
    pthread_mutex_unlock(&pool->mu);
    ngram_part(&pool->p[w->i]);
    pthread_mutex_lock(&pool->mu);
    pool->aDone[w->i] = seen;
    pthread_cond_broadcast(&pool->cv);
  }
  pthread_mutex_unlock(&pool->mu);
  return NULL;
}

/* Wait until both workers have counted every batch posted. */
static void ngram_wait(ngpool *pool) {
  pthread_mutex_lock(&pool->mu);
  while (pool->aDone[0] != pool->seq || pool->aDone[1] != pool->seq) pthread_cond_wait(&pool->cv, &pool->mu);
  pthread_mutex_unlock(&pool->mu);
}

/* Post batch b (after ngram_wait). */
static void ngram_post(ngpool *pool, const ngbatch *b) {
  pthread_mutex_lock(&pool->mu);
  pool->b = *b;
  pool->seq++;
  pthread_cond_broadcast(&pool->cv);
  pthread_mutex_unlock(&pool->mu);
}

int ds_count_ngrams(ds_corpus *c, int attr, int n, const unsigned char *abDoc, ds_seqs **ps,
                    ds_error *e) {
  *ps = NULL;
  if (check_attr(attr, e)) return DS_MISUSE;
  if (n < 1 || n > DS_COUNT_MAX_N) return ds_error_set(e, DS_MISUSE, -1, "n must be 1 to %d", DS_COUNT_MAX_N);
  ngpool pool;
  memset(&pool, 0, sizeof pool);
  pool.p[1].part = 1;
  uint32_t bound;
  int rc = ds_corpus_type_id_bound(c, attr, &bound, e);
  if (rc) return rc;
  int bits = 1;                 /* the bits of an id, when n of them fit in 64 (else 0) */
  while (bits < 32 && bound > 1 && (bound - 1) >> bits) bits++;
  if (n * bits > 64) bits = 0;
  if (bits ? pktab_init(&pool.p[0].pk, 1 << 16) || pktab_init(&pool.p[1].pk, 1 << 16)
           : seqs_new(&pool.p[0].s) || seqs_new(&pool.p[1].s)) {
    ds_seqs_free(pool.p[0].s);
    ds_free(pool.p[0].pk.a);
    return nomem(e);
  }
  uint32_t wide = bits ? ~0u << bits : 0;    /* an id with one of these bits is past the bound */
  if (bits == 32) wide = 0;
  ngworker aw[2] = {{&pool, 0}, {&pool, 1}};
  pthread_t ath[2];
  int nThread = 0;
  if (pthread_mutex_init(&pool.mu, NULL)) rc = nomem(e);
  else if (pthread_cond_init(&pool.cv, NULL)) {
    pthread_mutex_destroy(&pool.mu);
    rc = nomem(e);
  }
  if (rc) {
    ds_seqs_free(pool.p[0].s);
    ds_seqs_free(pool.p[1].s);
    return rc;
  }
  for (; nThread < 2; nThread++)
    if (ds_thread_start(&ath[nThread], ngram_worker, &aw[nThread])) break;
  idvec aBatch[2] = {{0}, {0}};
  ds_buf aRuns[2] = {DS_BUF_INIT, DS_BUF_INIT};
  int cur = 0;
  seg *aSeg = NULL;
  size_t nSegAlloc = 0, nSeg;
  size_t nDoc = ds_corpus_ndocs(c);
  for (size_t k = 0; rc == DS_OK && k <= nDoc; k++) {
    idvec *batch = &aBatch[cur];
    ds_buf *runs = &aRuns[cur];
    if (k < nDoc) {
      if (!in_set(abDoc, k)) continue;
      rc = ds_interrupted() ? ds_interrupt_error(e) : DS_OK;   /* Ctrl-C: a look per document */
      if (rc == DS_OK) rc = doc_segments(c, k, "s", &aSeg, &nSegAlloc, &nSeg, e);
      size_t at = batch->n;
      if (rc == DS_OK) rc = doc_ids_add(c, k, attr, 0, ds_corpus_doc(c, k)->nTok, batch, e);
      if (rc) break;
      for (size_t i = 0; i < nSeg; i++) {
        ngrun r = {at + (size_t)aSeg[i].from, (size_t)(aSeg[i].to - aSeg[i].from), (int64_t)k};
        ds_buf_append(runs, &r, sizeof r);
      }
      uint32_t any = 0;
      for (size_t i = at; wide && i < batch->n; i++) any |= batch->a[i];
      if (any & wide) {
        rc = ds_error_set(e, DS_CORRUPT, -1, "a token's id is past its lexicon");
        break;
      }
      if (runs->rc) {
        rc = nomem(e);
        break;
      }
    }
    if (batch->n >= DS_NGRAM_BATCH || (k == nDoc && runs->n)) {
      ngbatch b = {batch->a, (const ngrun *)runs->p, runs->n / sizeof(ngrun), n, bits};
      if (nThread == 2) {
        ngram_wait(&pool);             /* the other buffer is free again */
        if (pool.p[0].rc || pool.p[1].rc) rc = nomem(e);
        else ngram_post(&pool, &b);
      } else {                         /* no threads: count here */
        pool.p[0].b = pool.p[1].b = &b;
        ngram_part(&pool.p[0]);
        ngram_part(&pool.p[1]);
        if (pool.p[0].rc || pool.p[1].rc) rc = nomem(e);
      }
      cur ^= 1;
      aBatch[cur].n = 0;
      ds_buf_reset(&aRuns[cur]);
    }
  }
  if (nThread == 2) ngram_wait(&pool);
  pthread_mutex_lock(&pool.mu);
  pool.bStop = 1;
  pthread_cond_broadcast(&pool.cv);
  pthread_mutex_unlock(&pool.mu);
  for (int i = 0; i < nThread; i++) pthread_join(ath[i], NULL);
  pthread_cond_destroy(&pool.cv);
  pthread_mutex_destroy(&pool.mu);
  if (rc == DS_OK && (pool.p[0].rc || pool.p[1].rc)) rc = nomem(e);
  for (int i = 0; i < 2; i++) {
    ds_free(aBatch[i].a);
    ds_buf_free(&aRuns[i]);
  }
  ds_free(aSeg);
  if (rc == DS_OK && bits) {
    pktab t[2] = {pool.p[0].pk, pool.p[1].pk};
    pool.p[0].pk.a = pool.p[1].pk.a = NULL;
    if (pk_to_seqs(t, n, bits, ps)) rc = nomem(e);
    ds_free(t[0].a);
    ds_free(t[1].a);
    return rc;
  }
  ds_free(pool.p[0].pk.a);
  ds_free(pool.p[1].pk.a);
  if (rc == DS_OK) {
    if (seqs_join(pool.p[0].s, pool.p[1].s)) rc = nomem(e);
    else pool.p[1].s = NULL;      /* freed by the join */
  }
  if (rc) {
    ds_seqs_free(pool.p[0].s);
    ds_seqs_free(pool.p[1].s);
    return rc;
  }
  *ps = pool.p[0].s;
  return DS_OK;
}

int ds_count_matches(ds_corpus *c, int attr, const ds_matchset *ms, const unsigned char *abDoc,
                     ds_seqs **ps, ds_error *e) {
  *ps = NULL;
  if (check_attr(attr, e)) return DS_MISUSE;
  ds_seqs *s;
  if (seqs_new(&s)) return nomem(e);
  idvec v = {0};
  int rc = DS_OK;
  unsigned nTick = 0;
  for (size_t i = 0; rc == DS_OK && i < ms->n; i++) {
    if (ds_interrupt_due(&nTick, 1023)) {
      rc = ds_interrupt_error(e);
      break;
    }
    int64_t k = ds_corpus_doc_at(c, ms->a[i].first);
    if (k < 0 || !in_set(abDoc, (size_t)k)) continue;
    const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
    int64_t t0 = ms->a[i].first - d->cpos, t1 = ms->a[i].last - d->cpos + 1;
    if (t1 > d->nTok) t1 = d->nTok;
    rc = doc_ids(c, (size_t)k, attr, t0, t1, &v, e);
    if (rc == DS_OK) {
      s->total++;
      if (seqs_add(s, v.a, v.n, k)) rc = nomem(e);
    }
  }
  ds_free(v.a);
  if (rc) {
    ds_seqs_free(s);
    return rc;
  }
  *ps = s;
  return DS_OK;
}

/* }====== */

/* {====== merging the counts of several corpus files ====== */

typedef struct mrow {
  size_t off, n;       /* its string: m->text.p + off, n bytes */
  uint64_t hash;
} mrow;

struct ds_merge {
  int nCol;
  mrow *aRow;
  size_t nRow, nRowAlloc;
  int64_t *aVal;       /* nCol per row */
  uint32_t *aSlot;     /* row + 1, 0 empty; power-of-two size */
  size_t nSlot;
  ds_buf text;
};

static uint64_t str_hash(const char *z, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;       /* FNV-1a, then a final mix for the low bits */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)z[i]) * 0x100000001b3ull;
  return pk_hash(h);
}

int ds_merge_new(int nCol, ds_merge **pm) {
  *pm = NULL;
  if (nCol < 1 || nCol > DS_MERGE_MAXCOL) return DS_MISUSE;
  ds_merge *m = ds_malloc(sizeof *m);
  if (!m) return DS_NOMEM;
  memset(m, 0, sizeof *m);
  m->nCol = nCol;
  m->text = (ds_buf)DS_BUF_INIT;
  m->nSlot = 1024;
  m->aSlot = ds_malloc_n(m->nSlot, sizeof *m->aSlot);
  if (!m->aSlot) {
    ds_free(m);
    return DS_NOMEM;
  }
  memset(m->aSlot, 0, m->nSlot * sizeof *m->aSlot);
  *pm = m;
  return DS_OK;
}

void ds_merge_free(ds_merge *m) {
  if (!m) return;
  ds_free(m->aRow);
  ds_free(m->aVal);
  ds_free(m->aSlot);
  ds_buf_free(&m->text);
  ds_free(m);
}

static int merge_grow(ds_merge *m) {
  size_t n = m->nSlot * 2;
  uint32_t *a = ds_malloc_n(n, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a, 0, n * sizeof *a);
  for (size_t r = 0; r < m->nRow; r++) {
    size_t j = (size_t)m->aRow[r].hash & (n - 1);
    while (a[j]) j = (j + 1) & (n - 1);
    a[j] = (uint32_t)r + 1;
  }
  ds_free(m->aSlot);
  m->aSlot = a;
  m->nSlot = n;
  return DS_OK;
}

int ds_merge_add(ds_merge *m, const char *z, size_t n, const int64_t *aVal) {
  uint64_t h = str_hash(z, n);
  size_t j = (size_t)h & (m->nSlot - 1);
  for (uint32_t x; (x = m->aSlot[j]) != 0; j = (j + 1) & (m->nSlot - 1)) {
    const mrow *r = &m->aRow[x - 1];
    if (r->hash == h && r->n == n && memcmp(m->text.p + r->off, z, n) == 0) {
      int64_t *v = m->aVal + (size_t)(x - 1) * (size_t)m->nCol;
      for (int c = 0; c < m->nCol; c++) v[c] += aVal[c];
      return DS_OK;
    }
  }
  if (m->nRow >= UINT32_MAX - 1) return DS_NOMEM;
  if (m->nRow == m->nRowAlloc) {
    size_t k = m->nRowAlloc ? 2 * m->nRowAlloc : 1024;
    mrow *a = ds_realloc_n(m->aRow, k, sizeof *a);
    if (!a) return DS_NOMEM;
    m->aRow = a;
    int64_t *v = ds_realloc_n(m->aVal, k * (size_t)m->nCol, sizeof *v);
    if (!v) return DS_NOMEM;
    m->aVal = v;
    m->nRowAlloc = k;
  }
  size_t off = m->text.n;
  ds_buf_append(&m->text, z, n);
  if (m->text.rc) return DS_NOMEM;
  m->aRow[m->nRow] = (mrow){off, n, h};
  memcpy(m->aVal + m->nRow * (size_t)m->nCol, aVal, (size_t)m->nCol * sizeof *aVal);
  m->aSlot[j] = (uint32_t)++m->nRow;
  if (m->nRow * 2 > m->nSlot) return merge_grow(m);
  return DS_OK;
}

int ds_merge_add_freq(ds_merge *m, const ds_freq *f, const ds_lexstrs *lex) {
  if (m->nCol != 2) return DS_MISUSE;
  for (size_t id = 0; id < f->nId; id++) {
    if (!f->aFreq[id]) continue;
    int64_t a[2] = {f->aFreq[id], f->aRange[id]};
    const char *z = "";
    size_t n = 0;
    if (id < lex->nId) z = (const char *)lex->text.p + lex->aOff[id], n = lex->aOff[id + 1] - lex->aOff[id];
    if (ds_merge_add(m, z, n, a)) return DS_NOMEM;
  }
  return DS_OK;
}

int ds_merge_add_seqs(ds_merge *m, const ds_seqs *s, const ds_lexstrs *lex) {
  if (m->nCol != 2) return DS_MISUSE;
  ds_buf v = DS_BUF_INIT;
  int rc = DS_OK;
  for (size_t i = 0; rc == DS_OK && i < s->nEnt; i++) {
    const seqent *x = &s->aEnt[i];
    const uint32_t *a = s->ids.a + x->off;
    ds_buf_reset(&v);
    for (uint32_t j = 0; j < x->len; j++) {
      if (j) ds_buf_putc(&v, ' ');
      if (a[j] < lex->nId) ds_buf_append(&v, lex->text.p + lex->aOff[a[j]], lex->aOff[a[j] + 1] - lex->aOff[a[j]]);
    }
    int64_t c[2] = {x->freq, x->range};
    if (v.rc || ds_merge_add(m, (const char *)v.p, v.n, c)) rc = DS_NOMEM;
  }
  ds_buf_free(&v);
  return rc;
}

size_t ds_merge_count(const ds_merge *m) { return m->nRow; }

void ds_merge_get(const ds_merge *m, size_t i, const char **pz, size_t *pn, const int64_t **paVal) {
  *pz = (const char *)m->text.p + m->aRow[i].off;
  *pn = m->aRow[i].n;
  *paVal = m->aVal + i * (size_t)m->nCol;
}

/* qsort has no context argument: the table being ordered, set around the call (the
   binding calls from one thread at a time per Lua state, but two states may sort at
   once, so it is thread-local) */
static _Thread_local const ds_merge *tlMerge;
static _Thread_local int tlSort;

static int merge_cmp(const void *pa, const void *pb) {
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  const ds_merge *m = tlMerge;
  if (tlSort >= 0) {
    int64_t x = m->aVal[a * (size_t)m->nCol + (size_t)tlSort], y = m->aVal[b * (size_t)m->nCol + (size_t)tlSort];
    if (x != y) return x > y ? -1 : 1;
  }
  const mrow *ra = &m->aRow[a], *rb = &m->aRow[b];
  size_t n = ra->n < rb->n ? ra->n : rb->n;
  int c = n ? memcmp(m->text.p + ra->off, m->text.p + rb->off, n) : 0;
  if (c) return c;
  return ra->n < rb->n ? -1 : ra->n > rb->n;
}

int ds_merge_order(const ds_merge *m, int iSort, const int64_t *aMin, size_t nMax, size_t **paIdx, size_t *pn,
                   size_t *pnAll) {
  *paIdx = NULL;
  *pn = *pnAll = 0;
  size_t *a = ds_malloc_n(m->nRow + 1, sizeof *a);
  if (!a) return DS_NOMEM;
  size_t n = 0;
  for (size_t r = 0; r < m->nRow; r++) {
    const int64_t *v = m->aVal + r * (size_t)m->nCol;
    int ok = 1;
    for (int c = 0; aMin && ok && c < m->nCol; c++) ok = v[c] >= aMin[c];
    if (ok) a[n++] = r;
  }
  *pnAll = n;
  if (iSort >= 0 && iSort < m->nCol && nMax < n) {
    /* only rows as large as the nMax-th largest can be among the first nMax: the others
       are left out before the sort (a top 20 of a million rows sorts a few) */
    int64_t *aV = ds_malloc_n(n + 1, sizeof *aV);
    if (!aV) {
      ds_free(a);
      return DS_NOMEM;
    }
    for (size_t r = 0; r < n; r++) aV[r] = m->aVal[a[r] * (size_t)m->nCol + (size_t)iSort];
    int64_t vMin = nMax ? kth_largest(aV, n, nMax - 1) : INT64_MAX;
    ds_free(aV);
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
      if (m->aVal[a[r] * (size_t)m->nCol + (size_t)iSort] >= vMin) a[k++] = a[r];
    n = k;
  }
  tlMerge = m;
  tlSort = iSort < m->nCol ? iSort : -1;
  qsort(a, n, sizeof *a, merge_cmp);
  tlMerge = NULL;
  *pn = n < nMax ? n : nMax;
  *paIdx = a;
  return DS_OK;
}

/* }====== */

/* {====== collocates ====== */

/* The segment (sentence) of aSeg[0..n) holding token t (relative), by binary search. */
static const seg *seg_at(const seg *aSeg, size_t n, int64_t t) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (aSeg[mid].to <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo < n ? &aSeg[lo] : NULL;
}

int ds_count_collocates(ds_corpus *c, int attr, const ds_matchset *ms, const unsigned char *abDoc,
                        int nLeft, int nRight, const char *zWithin, ds_colloc *out, ds_error *e) {
  if (check_attr(attr, e)) return DS_MISUSE;
  if (nLeft < 0 || nRight < 0) return ds_error_set(e, DS_MISUSE, -1, "negative window");
  idvec v = {0};
  seg *aSeg = NULL;
  size_t nSegAlloc = 0, nSeg = 0, nSeenAlloc = 0;
  unsigned char *abSeen = NULL;    /* per token of the document: already in a window */
  int64_t kDoc = -1;               /* the document whose ids (and sentences) v holds */
  int rc = DS_OK;
  unsigned nTick = 0;
  for (size_t i = 0; rc == DS_OK && i < ms->n; i++) {
    if (ds_interrupt_due(&nTick, 1023)) {
      rc = ds_interrupt_error(e);
      break;
    }
    int64_t k = ds_corpus_doc_at(c, ms->a[i].first);
    if (k < 0 || !in_set(abDoc, (size_t)k)) continue;
    const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
    if (k != kDoc) {               /* matches come in corpus order: each document read once */
      rc = doc_ids(c, (size_t)k, attr, 0, d->nTok, &v, e);
      if (rc == DS_OK && zWithin) rc = doc_segments(c, (size_t)k, zWithin, &aSeg, &nSegAlloc, &nSeg, e);
      if (rc) break;
      if ((size_t)d->nTok > nSeenAlloc) {
        unsigned char *a = ds_realloc(abSeen, (size_t)d->nTok);
        if (!a) {
          rc = nomem(e);
          break;
        }
        abSeen = a;
        nSeenAlloc = (size_t)d->nTok;
      }
      if (d->nTok) memset(abSeen, 0, (size_t)d->nTok);
      kDoc = k;
    }
    int64_t first = ms->a[i].first - d->cpos, last = ms->a[i].last - d->cpos;
    if (last >= d->nTok) last = d->nTok - 1;
    int64_t lo = first - nLeft, hi = last + nRight;     /* inclusive */
    if (lo < 0) lo = 0;
    if (hi > d->nTok - 1) hi = d->nTok - 1;
    if (zWithin) {
      const seg *sl = seg_at(aSeg, nSeg, first), *sr = seg_at(aSeg, nSeg, last);
      if (sl && lo < sl->from) lo = sl->from;
      if (sr && hi > sr->to - 1) hi = sr->to - 1;
    }
    out->nNode++;
    for (int64_t t = lo; rc == DS_OK && t <= hi; t++) {
      if (t == first) t = last + 1;                     /* not the node's own tokens */
      if (t > hi) break;
      if (abSeen[t]) continue;                          /* in an earlier match's window */
      abSeen[t] = 1;
      out->nWindow++;
      if (freq_add(&out->xy, v.a[t], k)) rc = nomem(e);
    }
  }
  ds_free(v.a);
  ds_free(aSeg);
  ds_free(abSeen);
  return rc;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Count the n-grams starting at the distinct positions of aStart[0..nStart) (document k, ids v). */
static int around_flush(ds_seqs *s, const idvec *v, int n, int64_t *aStart, size_t nStart, int64_t k) {
  qsort(aStart, nStart, sizeof *aStart, cmp_i64);
  for (size_t j = 0; j < nStart; j++) {
    if (j && aStart[j] == aStart[j - 1]) continue;
    s->total++;
    if (seqs_add(s, v->a + aStart[j], (size_t)n, k)) return DS_NOMEM;
  }
  return DS_OK;
}

int ds_count_around(ds_corpus *c, int attr, int n, int slot, const ds_matchset *ms,
                    const unsigned char *abDoc, ds_seqs **ps, ds_error *e) {
  *ps = NULL;
  if (check_attr(attr, e)) return DS_MISUSE;
  if (n < 1 || n > DS_COUNT_MAX_N) return ds_error_set(e, DS_MISUSE, -1, "n must be 1 to %d", DS_COUNT_MAX_N);
  if (slot < -n || slot > n) return ds_error_set(e, DS_MISUSE, -1, "slot must be -%d to %d", n, n);
  ds_seqs *s;
  if (seqs_new(&s)) return nomem(e);
  idvec v = {0};
  seg *aSeg = NULL;
  size_t nSegAlloc = 0, nSeg = 0, nStart = 0, nStartAlloc = 0;
  int64_t *aStart = NULL;
  int64_t kDoc = -1;
  int rc = DS_OK;
  for (size_t i = 0; rc == DS_OK && i <= ms->n; i++) {
    int64_t k = i < ms->n ? ds_corpus_doc_at(c, ms->a[i].first) : -2;
    if (k == -1 || (k >= 0 && !in_set(abDoc, (size_t)k))) continue;
    if (k != kDoc) {               /* matches come in corpus order: each document read once */
      if (kDoc >= 0 && nStart) rc = around_flush(s, &v, n, aStart, nStart, kDoc);
      if (rc) rc = nomem(e);
      nStart = 0;
      if (k < 0 || rc) break;
      const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
      rc = doc_ids(c, (size_t)k, attr, 0, d->nTok, &v, e);
      if (rc == DS_OK) rc = doc_segments(c, (size_t)k, "s", &aSeg, &nSegAlloc, &nSeg, e);
      if (rc) break;
      kDoc = k;
    }
    const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
    int64_t first = ms->a[i].first - d->cpos, last = ms->a[i].last - d->cpos;
    if (last >= d->nTok || last - first + 1 > n) continue;
    const seg *sg = seg_at(aSeg, nSeg, first);
    if (!sg || last >= sg->to) continue;                 /* across a sentence boundary */
    int64_t lo = last - n + 1, hi = first;               /* the starts holding the match */
    if (slot) {                                          /* ... with the match at its slot */
      int64_t t = slot > 0 ? first - (slot - 1) : last - n - slot;
      if (t < lo || t > hi) continue;
      lo = hi = t;
    }
    if (lo < sg->from) lo = sg->from;
    if (hi > sg->to - n) hi = sg->to - n;
    for (int64_t t = lo; t <= hi; t++) {
      if (nStart == nStartAlloc) {
        size_t m = nStartAlloc ? 2 * nStartAlloc : 256;
        int64_t *a = ds_realloc(aStart, m * sizeof *a);
        if (!a) {
          rc = nomem(e);
          break;
        }
        aStart = a;
        nStartAlloc = m;
      }
      aStart[nStart++] = t;
    }
  }
  ds_free(v.a);
  ds_free(aSeg);
  ds_free(aStart);
  if (rc) {
    ds_seqs_free(s);
    return rc;
  }
  *ps = s;
  return DS_OK;
}

void ds_colloc_free(ds_colloc *o) {
  ds_freq_free(&o->xy);
  memset(o, 0, sizeof *o);
}

/* }====== */

/* {====== dispersion ====== */

int ds_count_dispersion(ds_corpus *c, const ds_matchset *ms, const unsigned char *abDoc,
                        size_t nParts, ds_parts_count *out, ds_error *e) {
  size_t nDoc = ds_corpus_ndocs(c);
  /* the subcorpus's documents end to end: the offset of each document in it */
  int64_t *aBase = ds_malloc_n(nDoc + 1, sizeof *aBase);
  if (!aBase) return nomem(e);
  int64_t total = 0;
  size_t nIn = 0;
  for (size_t k = 0; k < nDoc; k++) {
    aBase[k] = total;
    if (in_set(abDoc, k)) {
      total += ds_corpus_doc(c, k)->nTok;
      nIn++;
    }
  }
  size_t n = nParts ? nParts : nIn;
  out->nPart = n;
  out->aSize = ds_malloc_n(n ? n : 1, sizeof(int64_t));
  out->aHit = ds_malloc_n(n ? n : 1, sizeof(int64_t));
  out->aDoc = ds_malloc_n(n ? n : 1, sizeof(int64_t));
  int64_t *aPart = ds_malloc_n(nDoc ? nDoc : 1, sizeof(int64_t));   /* document -> part */
  if (!out->aSize || !out->aHit || !out->aDoc || !aPart) {
    ds_free(aBase);
    ds_free(aPart);
    ds_parts_count_free(out);
    return nomem(e);
  }
  memset(out->aHit, 0, n * sizeof(int64_t));
  if (nParts == 0) {
    size_t j = 0;
    for (size_t k = 0; k < nDoc; k++) {
      aPart[k] = -1;
      if (!in_set(abDoc, k)) continue;
      aPart[k] = (int64_t)j;
      out->aSize[j] = ds_corpus_doc(c, k)->nTok;
      out->aDoc[j++] = (int64_t)k;
    }
  } else {
    for (size_t j = 0; j < n; j++) {
      out->aSize[j] = total / (int64_t)n + ((int64_t)j < total % (int64_t)n ? 1 : 0);
      out->aDoc[j] = -1;
    }
  }
  /* part j starts at j * (total / n) + min(j, total % n) */
  int64_t q = n ? total / (int64_t)n : 0, r = n ? total % (int64_t)n : 0;
  for (size_t i = 0; i < ms->n; i++) {
    int64_t k = ds_corpus_doc_at(c, ms->a[i].first);
    if (k < 0 || !in_set(abDoc, (size_t)k)) continue;
    if (nParts == 0) {
      out->aHit[aPart[k]]++;
      continue;
    }
    int64_t at = aBase[k] + ms->a[i].first - ds_corpus_doc(c, (size_t)k)->cpos;
    int64_t j = at < r * (q + 1) ? at / (q + 1) : r + (q ? (at - r * (q + 1)) / q : 0);
    if (j >= (int64_t)n) j = (int64_t)n - 1;
    out->aHit[j]++;
  }
  ds_free(aBase);
  ds_free(aPart);
  return DS_OK;
}

void ds_parts_count_free(ds_parts_count *p) {
  ds_free(p->aSize);
  ds_free(p->aHit);
  ds_free(p->aDoc);
  memset(p, 0, sizeof *p);
}

/* }====== */

/* {====== lexicon strings ====== */

typedef struct lexctx {
  ds_lexstrs *l;
  size_t nAlloc;
  int rc;
} lexctx;

static int lex_each(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq) {
  lexctx *x = ctx;
  ds_lexstrs *l = x->l;
  if (id < l->nId) {                /* ids come in ascending order */
    x->rc = DS_CORRUPT;
    return 1;
  }
  if ((size_t)id + 2 > x->nAlloc) {
    size_t m = x->nAlloc ? 2 * x->nAlloc : 4096;
    while (m < (size_t)id + 2) m *= 2;
    size_t *a = ds_realloc_n(l->aOff, m, sizeof *a);
    int64_t *f = a ? ds_realloc_n(l->aFreq, m, sizeof *f) : NULL;
    if (a) l->aOff = a;
    if (!f) {
      x->rc = DS_NOMEM;
      return 1;
    }
    l->aFreq = f;
    x->nAlloc = m;
  }
  while (l->nId < id) {             /* an id never handed out: an empty string */
    l->aFreq[l->nId++] = 0;
    l->aOff[l->nId] = l->text.n;
  }
  l->aOff[l->nId] = l->text.n;
  ds_buf_append(&l->text, z, n);
  l->aFreq[l->nId] = freq;
  l->nId++;
  l->aOff[l->nId] = l->text.n;
  return 0;
}

int ds_count_lexicon(ds_corpus *c, int attr, ds_lexstrs *out, ds_error *e) {
  if (check_attr(attr, e)) return DS_MISUSE;
  lexctx x = {out, 0, DS_OK};
  out->aOff = ds_malloc(sizeof *out->aOff);
  if (!out->aOff) return nomem(e);
  out->aOff[0] = 0;
  x.nAlloc = 1;
  int rc = ds_corpus_lexicon_scan(c, attr, lex_each, &x, e);
  if (x.rc == DS_CORRUPT) return ds_error_set(e, DS_CORRUPT, -1, "the lexicon's ids are out of order");
  if (x.rc || out->text.rc) return nomem(e);
  return rc == DS_DONE ? DS_OK : rc;
}

void ds_lexstrs_free(ds_lexstrs *l) {
  ds_free(l->aOff);
  ds_free(l->aFreq);
  ds_buf_free(&l->text);
  memset(l, 0, sizeof *l);
}

/* }====== */

/* {====== subcorpora by metadata ====== */

#define WHERE_PREFIX "[] :: "

/* Make error e's position count in the constraint rather than the query it was put in. */
static int where_error(ds_error *e, int rc) {
  const size_t nPre = sizeof WHERE_PREFIX - 1;
  char *z = strstr(e->msg, " at position ");
  if (z) {
    long pos = strtol(z + 13, NULL, 10);
    if (pos > (long)nPre) snprintf(z, sizeof e->msg - (size_t)(z - e->msg), " at position %ld", pos - (long)nPre);
  }
  if (e->offset >= (int64_t)nPre) e->offset -= (int64_t)nPre;
  return rc;
}

int ds_count_where(ds_corpus *c, const char *zWhere, unsigned char **paDoc, size_t *pnIn, ds_error *e) {
  *paDoc = NULL;
  *pnIn = 0;
  size_t n = strlen(zWhere);
  char *zQuery = ds_malloc(sizeof WHERE_PREFIX + n);
  if (!zQuery) return nomem(e);
  memcpy(zQuery, WHERE_PREFIX, sizeof WHERE_PREFIX - 1);
  memcpy(zQuery + sizeof WHERE_PREFIX - 1, zWhere, n + 1);
  ds_cql *t = NULL;
  ds_eval *p = NULL;
  int rc = ds_cql_parse(zQuery, &t, e);
  if (rc == DS_OK && (t->nWithin || t->nWithinTokens || t->iContaining >= 0 || t->nExpand || t->nExpandTokens))
    rc = ds_error_set(e, DS_QUERY, -1, "a metadata constraint only (doc.KEY = \"VALUE\" ...), not within, "
                      "containing or expand at position %zu", ds_cql_char_pos(zQuery, n + sizeof WHERE_PREFIX - 1));
  if (rc == DS_OK) rc = ds_eval_bind(c, t, &p, e);
  const unsigned char *abOk = NULL;
  if (rc == DS_OK) rc = ds_eval_docset(c, p, &abOk, e);
  if (rc == DS_OK && !abOk)
    rc = ds_error_set(e, DS_QUERY, 6, "a metadata constraint only (doc.KEY = \"VALUE\" ...), not labels, "
                      "at position %zu", sizeof WHERE_PREFIX);
  size_t nDoc = ds_corpus_ndocs(c);
  unsigned char *a = rc == DS_OK ? ds_malloc(nDoc + 1) : NULL;
  if (rc == DS_OK && !a) rc = nomem(e);
  if (rc == DS_OK) {
    for (size_t k = 0; k < nDoc; k++) {
      a[k] = abOk[k] ? 1 : 0;
      *pnIn += a[k];
    }
    *paDoc = a;
  }
  ds_eval_free(p);
  ds_cql_free(t);
  ds_free(zQuery);
  return rc == DS_OK || rc == DS_NOMEM ? rc : where_error(e, rc);
}

/* }====== */
