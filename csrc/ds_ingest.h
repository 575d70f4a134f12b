/*
** ds_ingest.h -- adding many documents at once: reading, parsing and tagging on worker
** threads, storing on the caller's thread (the one writer), in the order given.
**
** Workers take documents in order, never more than the memory budget allows in flight
** (the next document to store is always let through, so a document larger than the
** budget still goes, alone); the writer stores each as soon as it and all before it are
** parsed. A worker also finds the document's distinct token types (ds_intern.h) and
** which of them the writer already knows, in a read-only view of its map that the writer
** republishes as it grows (ds_typeview, ds_store.h): the writer looks up only the types
** new to it, then stores the tokens and appends their postings. Documents whose bytes
** are already in the corpus are not parsed at all. A plain-text document larger than a
** part (nPart) is only hashed by a worker; the writer reads, parses, tags and stores it a
** part at a time (ds_parts.h), so that it holds no more than a part's memory however
** large it is. This is the one place that decides whether a document goes whole or in
** parts (ds_corpus_add_file and ds_corpus_add_text, below, come here too). A path that
** is a pipe, socket or device is first copied to a temporary file as it comes
** (ds_spool, ds.h), then read as a file: in parts when large, as in the CLI.
**
**   ds_source a[2] = {{.zPath = "a.txt", .read = ro}, {.zPath = "b.html", .read = ro2}};
**   ds_ingest_opts o = {.nJobs = 2, .nMemory = 512 << 20};
**   if (ds_corpus_begin(c, &e) == DS_OK) {
**     if (ds_ingest(c, a, 2, &o, &nAdded, &e) == DS_OK) rc = ds_corpus_commit(c, &e);
**     else ds_corpus_rollback(c);
**   }
*/
#ifndef DS_INGEST_H
#define DS_INGEST_H

#include "ds_store.h"

/* One document to add. */
typedef struct ds_source {
  const char *zPath;      /* file to read; NULL when z holds the bytes */
  const char *z;          /* the bytes, when zPath is NULL */
  size_t n;
  const char *zName;      /* its name in the corpus (NULL: zWhere, or zPath) */
  const char *zWhere;     /* stored as its path and named in errors (NULL: zPath) */
  ds_meta meta;           /* metadata (over the document's own) */
  ds_read_opts read;      /* how to read and tag it (zName is ignored) */
  int64_t *pId;           /* if set: gets the new document's id (0: its bytes were stored) */
} ds_source;

typedef struct ds_ingest_opts {
  int nJobs;              /* worker threads; 1 or less: everything on the caller's thread */
  size_t nMemory;         /* bytes: half for documents in flight, half for the segment's
                             postings (ds_corpus_set_budget); 0: DS_INGEST_MEMORY */
  /* called on the caller's thread before document i is stored; nonzero stops (DS_ABORT) */
  int (*xProgress)(void *pCtx, size_t i, size_t n, const char *zName);
  void *pCtx;
  /* raw bytes per part (ds_parts.h): a plain-text document larger than this is read,
     parsed, tagged and stored in parts on the writer's thread, so that its memory is
     bounded; 0: nMemory / 64, within DS_PART_MIN .. DS_PART_BYTES. Tests set it tiny. */
  size_t nPart;
} ds_ingest_opts;

/* The default budget: about what a large single file (read in parts) peaks at, whatever
   its size; more lets a large add write fewer segments (see README "Memory"). */
#define DS_INGEST_MEMORY ((size_t)512 << 20)

/*
** Add aSrc[0..n) to the open segment of c; *pnAdded counts the documents added (those
** already in the corpus are skipped). On error, e holds the first failure in document
** order and the segment should be rolled back: nothing of the call is then stored.
*/
int ds_ingest(ds_corpus *c, const ds_source *aSrc, size_t n, const ds_ingest_opts *o,
              size_t *pnAdded, ds_error *e);

/*
** One document, read as ds_corpus_set_read says, on the caller's thread, in a segment
** the caller opened: the file zPath (ds_corpus_add_file), or the bytes z[0..n)
** (ds_corpus_add_text; zName names it, zPath, if not NULL, is where it came from). Plain
** text larger than DS_PART_BYTES goes in parts, as in ds_ingest. *pDocId is the new
** document's id, or 0 if the corpus holds the same bytes already (by SHA-256). On error
** nothing of the document is stored; the segment stays open.
*/
int ds_corpus_add_file(ds_corpus *c, const char *zPath, const char *zName,
                       const ds_meta *pMeta, int64_t *pDocId, ds_error *e);
int ds_corpus_add_text(ds_corpus *c, const char *z, size_t n, const char *zName,
                       const char *zPath, const ds_meta *pMeta, int64_t *pDocId, ds_error *e);

/* Number of processors online (at least 1): the default number of jobs. */
int ds_ncpu(void);

#endif
