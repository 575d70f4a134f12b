/*
** ds_countInt.h -- what the counting files (ds_count*.c) share: a document's ids and
** sentences read from the store, the sequence table's struct, the hashes. Only
** ds_count*.c include it; the public API is ds_count.h.
**
**   ds_count.c          reading a document's ids, frequencies and keyness, the lexicon's
**                       strings, subcorpora by metadata
**   ds_count_seqs.c     the sequence table (ds_seqs) and its order
**   ds_count_ngram.c    n-grams within sentences: packed keys, the two counting threads
**   ds_count_matches.c  counts over a match set: its sequences, collocates, n-grams
**                       around it, dispersion
**   ds_count_merge.c    merging the counts of several corpus files (ds_merge_*)
*/
#ifndef DS_COUNTINT_H
#define DS_COUNTINT_H

#include "ds_count.h"

/* The out-of-memory error; is document k in the set (NULL: every document); is attr one. */
static inline int nomem(ds_error *e) { return ds_error_set(e, DS_NOMEM, -1, "out of memory"); }

static inline int in_set(const unsigned char *abDoc, size_t k) { return abDoc == NULL || abDoc[k] != 0; }

static inline int check_attr(int attr, ds_error *e) {
  if (attr < 0 || attr >= DS_NATTR) return ds_error_set(e, DS_MISUSE, -1, "no attribute %d", attr);
  return DS_OK;
}

/* {====== ds_count.c: reading a document's ids ====== */

/* A growable array of lexicon ids. */
typedef struct idvec {
  uint32_t *a;
  size_t n, nAlloc;
} idvec;

/* A half-open range of a document's tokens (a sentence: ds_count_doc_segments). */
typedef struct seg { int64_t from, to; } seg;

/* (their contracts are at their definitions) */
int ds_count_idvec_room(idvec *v, size_t n);
int ds_count_doc_ids_add(ds_corpus *c, size_t k, int attr, int64_t t0, int64_t t1, idvec *v, ds_error *e);
int ds_count_doc_ids(ds_corpus *c, size_t k, int attr, int64_t t0, int64_t t1, idvec *v, ds_error *e);
int ds_count_doc_segments(ds_corpus *c, size_t k, const char *zKind, seg **pa, size_t *pAlloc, size_t *pn,
                          ds_error *e);

/* }====== */

/* {====== ds_count.c: frequencies ====== */

/* Room in f for ids below nId, their counts 0: DS_OK or DS_NOMEM. */
int ds_count_freq_room(ds_freq *f, size_t nId);

/* Count id once more, in document k (range counts each document once). */
static inline int freq_add(ds_freq *f, uint32_t id, int64_t k) {
  if (id >= f->nId && ds_count_freq_room(f, (size_t)id + 1)) return DS_NOMEM;
  f->aFreq[id]++;
  if (f->aLast[id] != k + 1) {
    f->aLast[id] = k + 1;
    f->aRange[id]++;
  }
  return DS_OK;
}

/* }====== */

/* {====== the hashes ====== */

/* A sequence's hash: its low bits pick the slot, its high 32 bits are the slot's tag,
   its top bit the thread counting it (ds_count_ngram.c). */
static inline uint64_t seq_hash(const uint32_t *a, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  for (size_t i = 0; i < n; i++) {
    h ^= a[i];
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  h *= 0xc4ceb9fe1a85ec53ull;     /* so the low bits (the slot) depend on every id */
  return h ^ (h >> 29);
}

/* A key's hash: the top bit picks the thread counting it, the low bits its slot. */
static inline uint64_t pk_hash(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ull;
  return k ^ (k >> 33);
}

/* }====== */

/* {====== ds_count_seqs.c: the sequence table ====== */

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
** tables are joined (ds_count_seqs_join) aSlot is NULL: the table is read, never added to.
*/
struct ds_seqs {
  seqent *aEnt;
  size_t nEnt, nEntAlloc;
  uint64_t *aSlot;     /* power-of-two size */
  size_t nSlot;
  idvec ids;
  int64_t total;
};

/* (their contracts are at their definitions) */
int ds_count_seqs_new(ds_seqs **ps);
int ds_count_seqs_add_h(ds_seqs *s, const uint32_t *a, size_t n, uint64_t h, int64_t k);
int ds_count_seqs_add(ds_seqs *s, const uint32_t *a, size_t n, int64_t k);
int ds_count_seqs_join(ds_seqs *a, ds_seqs *b);

/* The (k+1)-th largest of a[0..n) (k < n); a is reordered. */
int64_t ds_count_kth_largest(int64_t *a, size_t n, size_t k);

/* }====== */

#endif
