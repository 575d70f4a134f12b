/*
** ds_storeInt.h -- the store's own header: the corpus handle, its statement cache and
** the SQL helpers shared by the store's files. Only ds_store*.c include it.
**
**   ds_store.c            open, schema, format checks, transactions' SQL, documents, info
**   ds_store_write.c      segments: documents and their parts, token types, gaps, spans,
**                         in-memory postings, flush and commit
**   ds_store_read.c       the read API: lexicon lookup and scan, token windows and text,
**                         spans, document metadata
**   ds_store_postlists.c  the read API's postings: whole lists, posting cursors, and the
**                         reader's cache of long lists
**   ds_store_search.c     document search (FTS5) and snippets
**   ds_store_merge.c      removing documents and merging segments (optimize)
**   ds_store_check.c      the integrity check
*/
#ifndef DS_STOREINT_H
#define DS_STOREINT_H

#include "ds_store.h"
#include "ds_doc.h"
#include "ds_lexicon.h"

#include <sqlite3.h>

/* Strings by id, loaded from a table for reading (words, gaps). */
typedef struct strtab {
  ds_buf arena;               /* the strings, end to end */
  uint32_t *aOff;             /* string i is arena[aOff[i] .. aOff[i+1]) */
  size_t n;                   /* strings (ids 0..n-1; a missing id has length 0) */
  int bLoaded;
} strtab;

/* The writer marks a token type's attribute that is counted but has no postings. */
#define NOPOST 0x80000000u

/* Statements kept prepared (see ds_store_cached; their SQL is in ds_store.c). */
enum { ST_SHA, ST_DOC, ST_META, ST_TOKENS, ST_SPANS, ST_FIND, ST_GAP, ST_SAVE, ST_RELEASE,
       ST_DOCEND, ST_PARTS, ST_LOOKUP, ST_POSTINGS, ST_PART, ST_SPANREAD, ST_AHEAD, ST_N };

/* Spans of one kind of a document being written, encoded as they come (see ds_store.h). */
typedef struct spanacc {
  ds_buf b;                   /* the spans blob so far */
  int64_t n;                  /* spans in it */
  uint64_t prevEnd;           /* end of the last span in b */
  uint64_t first, last;       /* the last span, held back: the next part may continue it */
  int bPending;
  ds_buf vals;                /* the recognizers' kinds: each span's values (see ds_store.h) */
} spanacc;

/*
** Span kinds the writer stores: `s`, `p`, `head`, `note` (the structure), then the
** recognizers' kinds (ds_doc.h's DS_SPAN_*, at NSTRUCTKIND + kind) (ds_store_write.c).
*/
#define NSTRUCTKIND 4
#define NSPANKIND (NSTRUCTKIND + DS_NSPANKIND)

/* Common gaps have fixed ids (the schema inserts them) and never go through the map. */
enum { GAP_NONE = 0, GAP_SPACE, GAP_LF, GAP_PARA, GAP_FIXED };

/* A posting list a reader assembled from its segments' blobs, kept for the next cursor. */
typedef struct ds_postlist {
  int attr;
  uint32_t id;
  int nRef;                   /* cursors reading it */
  int bOrphan;                /* the corpus closed while cursors read it: the last frees it */
  uint64_t lastUse;
  unsigned char *p;           /* every segment's blob, end to end */
  size_t nBytes;
  size_t *aEnd;               /* blob i ends at p + aEnd[i] */
  size_t nBlob;
  uint64_t n;                 /* positions */
} ds_postlist;

#define DS_POSTCACHE_SLOTS 32
#define DS_POSTCACHE_BYTES (64u << 20)
#define DS_POSTCACHE_MIN (16u << 10)   /* shorter lists are read again: cheap */

struct ds_corpus {
  sqlite3 *db;
  char *zPath;
  int bReadonly;
  /* a reader's long posting lists, as assembled (its snapshot never changes) */
  ds_postlist *aPostCache[DS_POSTCACHE_SLOTS];
  size_t nPostCacheBytes;
  uint64_t postTick;
  /* documents in corpus order */
  ds_docinfo *aDoc;
  size_t nDoc, nDocAlloc;
  ds_buf names;               /* arena of document names */
  int64_t nextCpos;           /* first position of the next document */
  int bDocsPending;           /* DS_OPEN_LAZY_DOCS: aDoc not read yet (ds_corpus_load_docs) */
  /* token types, words and gaps (loaded when first needed) */
  ds_ttypes tt;
  int bTypesLoaded;
  int64_t dataVersion;        /* PRAGMA data_version when the writer's maps were last valid */
  int bMapsStale;             /* a refresh saw another writer's commit: the maps must go */
  strtab words, gaps;
  int64_t aBlank[DS_NATTR];   /* id of `_` per attribute, -1 if none, -2 not looked up */
  /* the lexicons in memory, per attribute, loaded on the first scan (ds_corpus_lexicon_scan) */
  ds_buf aLexArena[DS_NATTR];   /* the strings, each followed by a NUL */
  uint32_t *aLexOff[DS_NATTR];  /* id i: aLexArena + aLexOff[i] .. aLexOff[i + 1] - 1 */
  int64_t *aLexFreq[DS_NATTR];  /* id i's frequency; -1: no entry */
  size_t anLex[DS_NATTR];       /* ids (0 .. anLex - 1) */
  uint8_t abLexLoaded[DS_NATTR];
  /* writer state, while a segment is open */
  ds_read_opts read;          /* how documents are read (kept for ds_ingest's callers) */
  int bInTxn;
  int bFirstAdd;              /* the open add is the file's first: WAL mode left for it */
  int bBroken;                /* the open segment cannot be committed */
  int bNoDocSavepoint;        /* ds_corpus_set_doc_savepoints(c, 0) */
  int64_t iSeg;
  int64_t segDocs;
  int64_t segTokens;
  size_t nBudget;             /* bytes of in-memory postings per segment; 0: no limit */
  size_t nCacheKib;           /* SQLite's page cache as last set (KiB), 0 before */
  uint32_t aNextId[DS_NATTR];
  ds_lexmap aLex[DS_NATTR];
  ds_lexmap types;            /* word \xFF pos \xFF xpos \xFF lemma -> type id */
  uint64_t typesGen;          /* counts the times `types` was emptied (views of it go stale) */
  struct ds_typeview *pView;  /* the latest read-only copy of `types` for workers, or NULL */
  uint32_t *aTypeEnt;         /* per entry of `types`: DS_NATTR aLex entry indices (| NOPOST) */
  size_t nTypeEntAlloc;
  size_t nTypesBegin;         /* tt.n when the transaction began (rollback goes back) */
  size_t nTypesSeg;           /* tt.n when the segment began (its new types follow) */
  ds_lexmap gapmap;           /* other gaps -> id */
  uint32_t nextGap;
  ds_buf scratch, key;
  uint8_t abLexEmpty[DS_NATTR];  /* the stored lexicon had no entry when the add began */
  sqlite3_stmt *aSt[ST_N];    /* statements prepared once */
  /* the document being added (ds_corpus_doc_begin .. ds_corpus_doc_end) */
  int bDocOpen;
  int bDocFlushed;            /* a segment was written out in the middle of it */
  int64_t docId, docCpos, docTok;
  const char *zDocWhere;      /* names it in errors (the caller's) */
  spanacc aSpan[NSPANKIND];
  /* reader caches: a window of whole parts of one document */
  int64_t streamDoc;          /* index in aDoc of the decoded window, or -1 */
  int64_t streamFirst;        /* its first token (from the document's start) */
  size_t streamN;             /* its tokens */
  uint32_t *aTypes;           /* their token types */
  size_t nTypesAlloc;
  int bText;                  /* the window's text is rebuilt too: */
  ds_buf text;                /* its clean text, from its first part's start */
  uint32_t *aOff;             /* token (start, end) byte pairs in it */
  size_t nOffAlloc;
  /* reader cache: one stored part as stored, for ds_corpus_window_exact (which decodes
     only the tokens asked for from it) */
  int64_t rawDocId;           /* docs.id of the part held, or -1 */
  int64_t rawFirst, rawN;     /* its tokens, from its document's start */
  int rawWidth;               /* bits per token type */
  ds_buf rawTypes, rawWs;     /* its types and white space blobs, copied (a writer's) */
  const unsigned char *pRawTypes, *pRawWs;   /* the blobs: a reader's in ST_PART's row, kept
                                 stepped while the part is held; a writer's in the copies */
  size_t nRawTypes, nRawWs;
  int bRawAhead;              /* the blobs are in ST_AHEAD's row (a reader's) */
  /* reader cache: parts read ahead (ds_corpus_read_ahead) */
  int bNoAhead;               /* ST_AHEAD cannot be prepared (an SQLite without JSON) */
  int64_t *aAheadDoc;         /* docs.id of the documents announced, in order */
  size_t nAhead, nAheadAlloc;
  size_t iAhead;              /* the next one to be asked for */
  size_t iAheadEnd;           /* ST_AHEAD's rows cover [iAhead, iAheadEnd) */
  int64_t rowDelta;           /* tokens.rowid - docs.id of a document's first part, as
                                 last seen: the guess for the next ones */
  int64_t aheadDelta;         /* the guess ST_AHEAD's rows were asked with */
  ds_buf aheadIds;            /* ST_AHEAD's ?1, a JSON array of row ids */
  uint32_t *aExType, *aExOff; /* the decoded tokens and (start, end) byte pairs */
  size_t nExAlloc;
  ds_buf exText;              /* their text */
  /* reader cache: the spans of one kind of one document */
  int64_t spanDoc;            /* index in aDoc, or -1 */
  char zSpanKind[32];
  ds_span *aSpanRead;         /* its spans, in corpus positions */
  size_t nSpanRead, nSpanReadAlloc;
  ds_buf spanVals;            /* a recognizer kind's values, as stored */
  const char **azSpanVal;     /* nSpanRead * the kind's nAttr pointers into spanVals */
  size_t nSpanValAlloc;
};

/* ---- ds_store.c: SQL helpers (errors name the file and what was being done) ---- */
int ds_store_sql_error(ds_corpus *c, ds_error *e, const char *zWhat);
int ds_store_exec(ds_corpus *c, const char *zSql, ds_error *e);
sqlite3_stmt *ds_store_prep(ds_corpus *c, const char *zSql, ds_error *e);
/* Step a statement that returns no rows, and finalize it. */
int ds_store_step_done(ds_corpus *c, sqlite3_stmt *st, ds_error *e, const char *zWhat);
/* Step a reused statement that returns no rows, and reset it. */
int ds_store_step_reset(ds_corpus *c, sqlite3_stmt *st, ds_error *e, const char *zWhat);
int ds_store_nomem(ds_error *e);
/* Statement k (ST_*), prepared on first use; the caller resets it after use. */
sqlite3_stmt *ds_store_cached(ds_corpus *c, int k, ds_error *e);
/* The one integer zSql gives (with ?1 bound to attr when attr >= 0), or -1. */
int64_t ds_store_count(ds_corpus *c, const char *zSql, int attr);
void ds_store_now_iso(char *z, size_t n);
/* (Re)load the list of documents; forgets the reader caches. */
int ds_store_load_docs(ds_corpus *c, ds_error *e);

/*
** After a commit (ds_store.c): once the -wal passes DS_WAL_CHECKPOINT_BYTES, copy it into
** the file and truncate it, waiting a moment at most for readers of older snapshots
** (one that stays, such as a REPL, only puts it off to a later commit). So the -wal stays
** near the size of one add however often a writer adds beside readers.
*/
#define DS_WAL_CHECKPOINT_BYTES (4 << 20)
void ds_store_checkpoint(ds_corpus *c);
/*
** Before a transaction: a file without documents that this connection alone has open
** leaves WAL mode for the add (1: it did; ds_store_wal_again after the add puts it back).
*/
int ds_store_first_add_journal(ds_corpus *c);
int ds_store_wal_again(ds_corpus *c, ds_error *e);
/* Index in aDoc of the document with id docId, or -1. */
int64_t ds_store_doc_index(const ds_corpus *c, int64_t docId);

/* ---- ds_store_read.c: loading for reading ---- */
/* Load every stored token type into c->tt (once). */
int ds_store_load_types(ds_corpus *c, ds_error *e);
void ds_store_strtab_free(strtab *t);
/*
** Load the parts of document k that hold its tokens [t0, t1) into the window (c->aTypes
** from token c->streamFirst, c->streamN of them; with bText c->text and c->aOff too).
*/
int ds_store_load_window(ds_corpus *c, int64_t k, int64_t t0, int64_t t1, int bText, ds_error *e);
/* End reading ahead (ds_corpus_read_ahead), letting go of a part held in its row. */
void ds_store_read_ahead_end(ds_corpus *c);

/* ---- ds_store_write.c ---- */
/* Forget the workers' view of the token types (the writer's maps were emptied or closed). */
void ds_store_drop_typeview(ds_corpus *c);

/* ---- ds_store_search.c ---- */
/* Take document k out of the search index, if it is there (within the caller's transaction). */
int ds_store_search_forget(ds_corpus *c, int64_t k, ds_error *e);

/* ---- ds_store_postlists.c ---- */
/* Free the reader's kept posting lists; lists cursors still read go with them. */
void ds_store_postcache_clear(ds_corpus *c);

#endif
