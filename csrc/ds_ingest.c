/*
** ds_ingest.c -- many documents at once: parsing on worker threads, one writer (see
** ds_ingest.h).
*/
#include "ds_ingest.h"
#include "ds_annotate.h"
#include "ds_date.h"
#include "ds_doc.h"
#include "ds_extract.h"
#include "ds_hash.h"
#include "ds_intern.h"
#include "ds_parse.h"
#include "ds_parts.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A document's way through: parsed by a worker, stored by the writer. */
typedef struct slot {
  ds_doc *d;              /* the parsed document, or NULL (duplicate, or failed) */
  char zSha[65];
  size_t nBytes;          /* raw bytes */
  size_t nCost;           /* memory counted against the budget while in flight */
  int rc;                 /* DS_OK, or the failure (in *pErr) */
  uint8_t bDone;          /* the worker is through with it */
  uint8_t bKnown;         /* its bytes are in the corpus already */
  uint8_t bParts;         /* large: read, parsed and stored in parts by the writer */
  ds_error *pErr;         /* what failed (allocated only then: slots are many) */
} slot;

typedef struct ingest {
  ds_corpus *c;                  /* asked directly when there are no workers (aKnown unused) */
  const ds_source *aSrc;
  size_t nSrc;
  slot *aSlot;
  const unsigned char *aKnown;   /* sorted SHA-256 hex records of the corpus, 64 bytes */
  size_t nKnown;
  pthread_mutex_t mu;
  pthread_cond_t cvDone;         /* a slot is done */
  pthread_cond_t cvRoom;         /* memory was freed, or the writer moved on */
  size_t iNext;                  /* next document to hand to a worker */
  size_t iStore;                 /* next document the writer stores */
  size_t nInFlight;              /* memory of documents handed out and not yet stored */
  size_t nBudget;
  size_t nPart;                  /* raw bytes per part */
  int bStop;
  int bThreads;                  /* workers run: they resolve types in the writer's view */
  ds_typeview *pView;            /* the latest view of the writer's token types (mu) */
} ingest;

/*
** Bytes of a source (0 if its file cannot be read: that fails later, with a message);
** *pbStream: it is a pipe, socket or device (read through a temporary copy, ds_spool).
*/
static size_t size_of(const ds_source *s, int *pbStream) {
  struct stat st;
  *pbStream = 0;
  if (!s->zPath) return s->n;
  if (stat(s->zPath, &st) != 0) return 0;
  *pbStream = !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
  return (size_t)st.st_size;
}

/* Memory a document will hold while parsed (about ten times its bytes, measured). */
static size_t cost_of(size_t n) { return n * 10 + 4096; }

/* Does the corpus hold these bytes already? (-1: could not tell; the writer asks again) */
static int known(const ingest *g, const char *zSha) {
  if (!g->aKnown) return g->c ? ds_corpus_has_sha(g->c, zSha, NULL) : 0;
  size_t lo = 0, hi = g->nKnown;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(g->aKnown + 64 * mid, zSha, 64);
    if (c == 0) return 1;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/* The date (ISO) in a source's metadata, into zIso; NULL when it has none it can read. */
static const char *source_date(const ds_meta *m, char zIso[32]) {
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->azKey[i], "date") == 0 && ds_date_iso(m->azVal[i], strlen(m->azVal[i]), zIso)) return zIso;
  return NULL;
}

/* Read, hash and (unless the corpus has it) parse and tag document i into its slot. */
static void prepare(ingest *g, size_t i, ds_lemma_memo *memo) {
  const ds_source *s = &g->aSrc[i];
  slot *sl = &g->aSlot[i];
  char *zOwn = NULL;
  const char *z = s->z;
  size_t n = s->n;
  ds_error e;
  if (ds_interrupted()) {               /* Ctrl-C: the writer stops at this document */
    sl->rc = ds_interrupt_error(&e);
    goto failed;
  }
  if (s->zPath && sl->bParts) {
    uint64_t nAll;
    sl->rc = ds_sha256_file(s->zPath, sl->zSha, &nAll, &e);   /* a block at a time */
    if (sl->rc) goto failed;
    sl->nBytes = (size_t)nAll;
    sl->bKnown = known(g, sl->zSha) == 1;
    return;
  }
  if (s->zPath) {
    sl->rc = ds_read_file(s->zPath, &zOwn, &n, &e);
    if (sl->rc) goto failed;
    z = zOwn;
  }
  sl->nBytes = n;
  sl->rc = ds_sha256_hex(z ? z : "", n, sl->zSha, &e);
  if (sl->rc) {
    ds_free(zOwn);
    goto failed;
  }
  if (known(g, sl->zSha) == 1) sl->bKnown = 1;
  else if (sl->bParts) {}                /* the writer reads it in parts */
  else {
    ds_read_opts ro = s->read;
    ro.zName = s->zWhere ? s->zWhere : s->zPath ? s->zPath : s->zName;
    ro.pTagger = NULL;                   /* tagged below, with this thread's memo */
    ro.pExtract = NULL;                  /* and the recognizers after the tagger */
    sl->rc = ds_parse_and_tag(z ? z : "", n, &ro, &sl->d, &e);
    if (sl->rc == DS_OK && s->read.pTagger)
      sl->rc = ds_annotate_memo(sl->d, s->read.pTagger, s->read.pLemma, memo, &e);
    char zIso[32];
    if (sl->rc == DS_OK && s->read.pExtract)
      sl->rc = ds_extract(sl->d, s->read.pExtract, source_date(&s->meta, zIso), &e);
    /* the document's types are found here, and which of them the writer knows already,
       from the latest view of its map (all at once, ds_typeview_resolve): cheaper on a
       worker than the writer's own lookups, which would take the cores' time as well */
    ds_typeview *v = NULL;
    if (sl->rc == DS_OK && g->bThreads) {
      pthread_mutex_lock(&g->mu);
      if ((v = g->pView) != NULL) ds_typeview_retain(v);
      pthread_mutex_unlock(&g->mu);
      if (ds_doc_intern(sl->d) || (v && ds_typeview_resolve(v, sl->d)))
        sl->rc = ds_error_set(&e, DS_NOMEM, -1, "out of memory");
      ds_typeview_release(v);
    }
  }
  ds_free(zOwn);
failed:
  if (sl->rc && (sl->pErr = ds_malloc(sizeof e)) != NULL) *sl->pErr = e;
}

static void *worker(void *p) {
  ingest *g = p;
  ds_lemma_memo *memo = ds_lemma_memo_new();      /* NULL (no memory): lemmatize each time */
  pthread_mutex_lock(&g->mu);
  while (!g->bStop && g->iNext < g->nSrc) {
    size_t i = g->iNext, cost = g->aSlot[i].nCost;
    if (ds_interrupted()) {              /* Ctrl-C: no more documents are taken */
      g->bStop = 1;
      pthread_cond_broadcast(&g->cvDone);
      pthread_cond_broadcast(&g->cvRoom);
      break;
    }
    if (g->nInFlight + cost > g->nBudget && i != g->iStore) {
      pthread_cond_wait(&g->cvRoom, &g->mu);
      continue;
    }
    g->iNext++;
    g->nInFlight += cost;
    pthread_mutex_unlock(&g->mu);
    prepare(g, i, memo);
    pthread_mutex_lock(&g->mu);
    g->aSlot[i].bDone = 1;
    pthread_cond_broadcast(&g->cvDone);
  }
  pthread_mutex_unlock(&g->mu);
  ds_lemma_memo_free(memo);
  return NULL;
}

/* Read, parse, tag and store the large document s in parts. */
static int store_parts(ds_corpus *c, const ingest *g, const ds_source *s, const slot *sl,
                       const char *zName, const char *zWhere, ds_lemma_memo **ppMemo,
                       int64_t *pId, ds_error *e) {
  ds_read_opts ro = s->read;
  ro.zName = zWhere ? zWhere : zName;
  char zIso[32];
  ro.zDate = source_date(&s->meta, zIso);
  if (ro.pTagger && !*ppMemo) *ppMemo = ds_lemma_memo_new();   /* NULL: none, slower */
  ds_parts p;
  *pId = 0;
  if (ds_corpus_has_sha(c, sl->zSha, NULL) == 1) return DS_OK;     /* (added meanwhile) */
  int rc = ds_parts_open(&p, s->zPath, s->z, s->n, &ro, g->nPart, *ppMemo, e);
  if (rc == DS_OK) rc = ds_corpus_doc_begin(c, sl->zSha, sl->nBytes, zName ? zName : "<text>",
                                            zWhere, &s->meta, NULL, e);
  if (rc == DS_OK) {
    ds_doc *d;
    int flags;
    int64_t base;
    while ((rc = ds_parts_next(&p, &d, &flags, &base, e)) == DS_OK) {
      rc = ds_corpus_doc_part(c, d, flags, e);
      ds_doc_free(d);
      if (rc == DS_OK && ds_interrupted()) rc = ds_interrupt_error(e);   /* Ctrl-C: a part at a time */
      if (rc) break;
    }
    if (rc == DS_DONE) rc = ds_corpus_doc_end(c, pId, e);
    else ds_corpus_doc_abort(c);
  }
  ds_parts_close(&p);
  return rc;
}

/* Store document i (parsed); the first failure ends the run. */
static int store(ds_corpus *c, const ingest *g, size_t i, const ds_ingest_opts *o,
                 size_t *pnAdded, ds_lemma_memo **ppMemo, ds_error *e) {
  const ds_source *s = &g->aSrc[i];
  slot *sl = &g->aSlot[i];
  if (sl->rc) {
    if (sl->pErr) *e = *sl->pErr;
    else ds_error_set(e, DS_NOMEM, -1, "out of memory");
    return sl->rc;
  }
  const char *zWhere = s->zWhere ? s->zWhere : s->zPath;
  const char *zName = s->zName ? s->zName : zWhere;
  if (ds_interrupted()) return ds_interrupt_error(e);    /* Ctrl-C: a look per document */
  if (o && o->xProgress && o->xProgress(o->pCtx, i, g->nSrc, zWhere ? zWhere : zName))
    return ds_error_set(e, DS_ABORT, -1, "stopped");
  if (sl->bKnown) return DS_OK;
  int64_t id = 0;
  int rc;
  if (sl->bParts) {
    rc = store_parts(c, g, s, sl, zName, zWhere, ppMemo, &id, e);
  } else {
    rc = ds_corpus_add_parsed(c, sl->d, sl->zSha, sl->nBytes, zName, zWhere, &s->meta, &id, e);
  }
  if (rc == DS_OK && id) (*pnAdded)++;
  if (rc == DS_OK && s->pId) *s->pId = id;
  return rc;
}

/*
** ds_ingest with the pipes and devices of aSrc first copied to temporary files as they
** come (ds_spool, which stops at a NUL byte as it arrives), then read as files: in parts
** when large, so memory stays bounded however much comes through a pipe, as in the CLI.
** Names and messages keep the path given.
*/
static int ingest_spooled(ds_corpus *c, const ds_source *aSrc, size_t n, const ds_ingest_opts *o,
                          size_t *pnAdded, ds_error *e) {
  ds_source *aCopy = ds_malloc_n(n, sizeof *aCopy);
  char **azTmp = ds_malloc_n(n, sizeof *azTmp);
  int rc = aCopy && azTmp ? DS_OK : ds_error_set(e, DS_NOMEM, -1, "out of memory");
  size_t nTmp = 0;
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    char *zTmp = NULL;
    aCopy[i] = aSrc[i];
    if (aSrc[i].zPath && (rc = ds_spool(aSrc[i].zPath, &zTmp, e)) == DS_OK && zTmp) {
      azTmp[nTmp++] = zTmp;
      aCopy[i].zWhere = aSrc[i].zWhere ? aSrc[i].zWhere : aSrc[i].zPath;
      aCopy[i].zPath = zTmp;
    }
  }
  if (rc == DS_OK) rc = ds_ingest(c, aCopy, n, o, pnAdded, e);   /* no streams left */
  for (size_t k = 0; k < nTmp; k++) {
    unlink(azTmp[k]);
    ds_free(azTmp[k]);
  }
  ds_free(azTmp);
  ds_free(aCopy);
  return rc;
}

int ds_ingest(ds_corpus *c, const ds_source *aSrc, size_t n, const ds_ingest_opts *o,
              size_t *pnAdded, ds_error *e) {
  *pnAdded = 0;
  ingest g;
  ds_buf known = DS_BUF_INIT;
  int rc = DS_OK;
  memset(&g, 0, sizeof g);
  g.aSrc = aSrc;
  g.nSrc = n;
  size_t nMemory = o && o->nMemory ? o->nMemory : DS_INGEST_MEMORY;
  g.nPart = o && o->nPart ? o->nPart : nMemory / 64;
  if (!(o && o->nPart) && g.nPart < DS_PART_MIN) g.nPart = DS_PART_MIN;
  if (!(o && o->nPart) && g.nPart > DS_PART_BYTES) g.nPart = DS_PART_BYTES;
  if (!(g.aSlot = ds_malloc_n(n + 1, sizeof *g.aSlot))) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(g.aSlot, 0, (n + 1) * sizeof *g.aSlot);
  /* one stat a source: a stream sends the whole run through ingest_spooled */
  for (size_t i = 0; i < n; i++) {
    int bStream;
    size_t nBytes = size_of(&aSrc[i], &bStream);
    if (bStream) {
      ds_free(g.aSlot);
      return ingest_spooled(c, aSrc, n, o, pnAdded, e);
    }
    /* large plain text goes in parts: in flight, it holds no more than a part */
    g.aSlot[i].bParts = nBytes > g.nPart && aSrc[i].read.format == DS_FMT_TEXT;
    g.aSlot[i].nCost = cost_of(g.aSlot[i].bParts ? 0 : nBytes);
  }
  g.nBudget = nMemory / 2;
  ds_corpus_set_budget(c, nMemory / 2);

  int nJobs = o ? o->nJobs : 1;
  if (nJobs > 64) nJobs = 64;
  if (nJobs > (int)n) nJobs = (int)n;
  /* workers look duplicates up in a sorted list of the corpus's hashes; without them
     the corpus is asked (one document need not read every hash) */
  g.c = c;
  if (nJobs > 1) {
    rc = ds_corpus_shas(c, &known, &g.nKnown, e);
    g.aKnown = known.p ? known.p : (const unsigned char *)"";
  }
  if (rc) {
    ds_free(g.aSlot);
    ds_buf_free(&known);
    return rc;
  }
  /* many documents: the first failure ends the run and the caller rolls back, so no
     document needs a savepoint of its own; one document (add_text) keeps it */
  ds_corpus_set_doc_savepoints(c, n <= 1);

  pthread_t aThread[64];
  int nThread = 0;
  if (nJobs > 1) {
    g.bThreads = 1;
    g.pView = ds_corpus_typeview(c);
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cvDone, NULL);
    pthread_cond_init(&g.cvRoom, NULL);
    for (int j = 0; j < nJobs; j++)
      if (ds_thread_start(&aThread[nThread], worker, &g) == 0) nThread++;
    if (nThread == 0) nJobs = 1;        /* no threads to be had: do it here */
  }
  if (!nThread) g.aKnown = NULL;        /* the corpus is asked directly */
  ds_lemma_memo *memo = nThread ? NULL : ds_lemma_memo_new();
  ds_lemma_memo *wmemo = NULL;          /* the writer's, for documents in parts */
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    int bTaken = 1;
    if (nThread) {
      pthread_mutex_lock(&g.mu);
      /* a worker that saw Ctrl-C stops handing documents out: i may never be taken */
      while (!g.aSlot[i].bDone && !(g.bStop && i >= g.iNext)) pthread_cond_wait(&g.cvDone, &g.mu);
      bTaken = g.aSlot[i].bDone;
      pthread_mutex_unlock(&g.mu);
    } else {
      prepare(&g, i, memo);
    }
    rc = bTaken ? store(c, &g, i, o, pnAdded, nThread ? &wmemo : &memo, e) : ds_interrupt_error(e);
    ds_typeview *v = nThread && rc == DS_OK ? ds_corpus_typeview(c) : NULL;
    if (v && v == g.pView) ds_typeview_release(v);     /* the same: the worker's is enough */
    else if (v) {
      pthread_mutex_lock(&g.mu);
      ds_typeview *old = g.pView;
      g.pView = v;
      pthread_mutex_unlock(&g.mu);
      ds_typeview_release(old);
    }
    ds_doc_free(g.aSlot[i].d);
    g.aSlot[i].d = NULL;
    if (nThread) {
      pthread_mutex_lock(&g.mu);
      g.nInFlight -= g.aSlot[i].nCost;
      g.iStore = i + 1;
      if (rc) g.bStop = 1;
      pthread_cond_broadcast(&g.cvRoom);
      pthread_mutex_unlock(&g.mu);
    }
  }
  if (nThread) {
    for (int j = 0; j < nThread; j++) pthread_join(aThread[j], NULL);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cvDone);
    pthread_cond_destroy(&g.cvRoom);
  }
  ds_typeview_release(g.pView);
  for (size_t i = 0; i < n; i++) {
    ds_doc_free(g.aSlot[i].d);
    ds_free(g.aSlot[i].pErr);
  }
  ds_lemma_memo_free(memo);
  ds_lemma_memo_free(wmemo);
  ds_free(g.aSlot);
  ds_buf_free(&known);
  ds_corpus_set_doc_savepoints(c, 1);
  return rc;
}

/* A document given alone: read as the corpus's read options say, on this thread. */
static int add_one(ds_corpus *c, const char *zPath, const char *z, size_t n, const char *zName,
                   const char *zWhere, const ds_meta *pMeta, int64_t *pDocId, ds_error *e) {
  ds_source src = {.zPath = zPath, .z = z, .n = n, .zName = zName, .zWhere = zWhere,
                   .read = *ds_corpus_read_opts(c)};
  if (pMeta) src.meta = *pMeta;
  /* the corpus's budget stays as it is (none: as good as none); parts as large as
     DS_PART_BYTES */
  size_t nBudget = ds_corpus_budget(c);
  ds_ingest_opts o = {.nJobs = 1, .nMemory = nBudget ? 2 * nBudget : SIZE_MAX, .nPart = DS_PART_BYTES};
  size_t nAdded = 0;
  *pDocId = 0;
  src.pId = pDocId;
  int rc = ds_ingest(c, &src, 1, &o, &nAdded, e);
  ds_corpus_set_budget(c, nBudget);
  return rc;
}

int ds_corpus_add_text(ds_corpus *c, const char *z, size_t n, const char *zName,
                       const char *zPath, const ds_meta *pMeta, int64_t *pDocId, ds_error *e) {
  return add_one(c, NULL, z ? z : "", n, zName ? zName : zPath ? zPath : "<text>", zPath, pMeta,
                 pDocId, e);
}

int ds_corpus_add_file(ds_corpus *c, const char *zPath, const char *zName,
                       const ds_meta *pMeta, int64_t *pDocId, ds_error *e) {
  return add_one(c, zPath, NULL, 0, zName ? zName : zPath, zPath, pMeta, pDocId, e);
}

int ds_ncpu(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}
