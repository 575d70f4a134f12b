/*
** ds_count_ngram.c -- n-grams within sentences (ds_count_ngrams): a reading thread and
** two counting threads, the n-grams packed into 64-bit keys when their ids fit.
*/
#include "ds_countInt.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* {====== n-grams ====== */

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
    if (i + NGRAM_AHEAD < g->n) DS_PREFETCH(&s->aSlot[(size_t)g->aHash[i + NGRAM_AHEAD] & mask]);
    if (i + NGRAM_AHEAD / 2 < g->n) {
      uint64_t x = s->aSlot[(size_t)g->aHash[i + NGRAM_AHEAD / 2] & mask];
      if (x) DS_PREFETCH(&s->aEnt[(uint32_t)x - 1]);
    }
    s->total++;
    if (ds_count_seqs_add_h(s, g->aSeq[i], n, g->aHash[i], g->aDoc[i])) return DS_NOMEM;
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
    if (i + NGRAM_AHEAD < g->n) DS_PREFETCH(&t->a[(size_t)g->aHash[i + NGRAM_AHEAD] & mask]);
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
  if (!s->aEnt || ds_count_idvec_room(&s->ids, nEnt * (size_t)n + 1)) {
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
           : ds_count_seqs_new(&pool.p[0].s) || ds_count_seqs_new(&pool.p[1].s)) {
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
      if (rc == DS_OK) rc = ds_count_doc_segments(c, k, "s", &aSeg, &nSegAlloc, &nSeg, e);
      size_t at = batch->n;
      if (rc == DS_OK) rc = ds_count_doc_ids_add(c, k, attr, 0, ds_corpus_doc(c, k)->nTok, batch, e);
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
    if (ds_count_seqs_join(pool.p[0].s, pool.p[1].s)) rc = nomem(e);
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

/* }====== */
