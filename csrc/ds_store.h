/*
** ds_store.h -- a corpus in one SQLite file.
**
** Format (version DS_FORMAT_VERSION, in table `meta`):
**   meta(key, value)                 format_version, dossier_version, created
**   attrs(id, name)                  positional attributes: 0 word, 1 norm (case-folded),
**                                    2 lemma, 3 pos (UPOS), 4 xpos (Penn tag)
**   segments(id, created, cpos_start, cpos_end, ndocs)   one per add (an add larger
**                                    than the memory budget writes several; one may
**                                    end inside a document in parts)
**   docs(id, seg, name, path, sha256, bytes, cpos, ntok, nsent, deleted)
**   doc_meta(doc, key, value)        metadata, free keys
**   lexicon(attr, id, str, freq)     ids are global per attribute and append-only;
**                                    freq is kept current (deleted documents excluded)
**   types(seg, first, n, data)       token types (ds_ttype.h) created in segment seg,
**                                    ids first..first+n-1: per type the varint lexicon
**                                    ids of word, norm, lemma, pos, xpos
**   tokens(doc, first, n, width, types, ws)   the document's tokens first..first+n-1
**                                    (a part: one row for most documents, several for
**                                    a large one, so that token i is read without the
**                                    rest): their type ids, bit-packed little-endian at
**                                    `width` bits each (token first+j at bit j*width);
**                                    and the white space around them (below)
**   gaps(id, str)                    the distinct strings between tokens: 0 "", 1 " ",
**                                    2 "\n", 3 "\n\n", then append-only
**   postings(attr, id, seg, n, data) corpus positions of `id` in segment `seg`, with
**                                    skip data (ds_postings.h); values `_` of lemma,
**                                    pos and xpos (untagged text) have no postings
**   spans(kind, doc, n, data, vals)  spans of a kind (`s` sentence, `p` paragraph, `head`
**                                    heading, `note` footnote; the recognizers' `ent`,
**                                    `date`, `money`, `percent`, `cite`, `url`, `quote`)
**                                    in a document, ordered by start: varint pairs (gap
**                                    from the previous span's end, length), in tokens
**                                    from the doc's start; spans of one kind never
**                                    overlap (a recognizer's span inside another of its
**                                    kind is not stored). vals (recognizers' kinds only,
**                                    else NULL): per span its values, each NUL-ended, in
**                                    the kind's order (ds_doc.h)
**   search(text)                     FTS5, contentless: a row per part, rowid = doc id *
**                                    2^20 + the part's number; search_docs(doc) the
**                                    documents in it
** The clean text of a document is not stored apart: it is its tokens' words with the
** gaps between them. A part's `ws` holds its n + 1 gap ids (before each token, then after
** its last, up to where the next part's text starts) as 2-bit codes, four to a byte, code
** 3 meaning "the next varint after the codes, plus 3"; so text and token offsets come
** back exactly, the document's text being its parts' texts end to end. Spans are per
** document (a sentence or paragraph cut by a part boundary is stored whole).
** Version 6 added the recognizers' spans and `vals`; version 4 added parts (tokens.first, tokens.n); files of older versions are refused
** with a message to index the documents again.
** Corpus positions (cpos) are global: the documents of a corpus are laid end to end in
** the order they were added, and a position is never reused.
**
** Writing: ds_corpus_begin, then ds_corpus_add_parsed for each parsed document, or
** ds_corpus_doc_begin / _part / _end for one in parts, then ds_corpus_commit (one
** transaction) or ds_corpus_rollback. Reading and parsing files is the ingest side's
** (ds_ingest.h: ds_ingest, ds_corpus_add_file, ds_corpus_add_text), which alone decides
** whether a document goes whole or in parts.
** The store's code is split by concern: see ds_storeInt.h.
*/
#ifndef DS_STORE_H
#define DS_STORE_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_doc.h"
#include "ds_hash.h"
#include "ds_langdata.h"
#include "ds_reader.h"
#include "ds_ttype.h"

struct ds_doc;

typedef struct ds_corpus ds_corpus;

/* Flags for ds_corpus_open. */
#define DS_OPEN_CREATE   0x01   /* create the file if it does not exist */
#define DS_OPEN_READONLY 0x02   /* never write */
/*
** With DS_OPEN_READONLY: the documents' rows are read by ds_corpus_load_docs, not at
** open (a process that only counts a word from the lexicon never reads them). Until
** then the corpus has no documents for ds_corpus_ndocs, ds_corpus_doc and the rest:
** the caller loads them before any call but ds_eval_count_by_freq's (lds_corpus.c does).
*/
#define DS_OPEN_LAZY_DOCS 0x04


/* Name of an attribute ("word", ...), or NULL. */
const char *ds_attr_name(int attr);
/* Attribute number of a name, or -1. */
int ds_attr_find(const char *zName);

/* Document metadata given to ds_corpus_add_*: n key/value pairs. */
typedef struct ds_meta {
  size_t n;
  const char *const *azKey;
  const char *const *azVal;
} ds_meta;

/* What the corpus holds. */
typedef struct ds_info {
  int formatVersion;
  int64_t nDocs;              /* documents (not deleted) */
  int64_t nTokens;            /* tokens in them */
  int64_t nSegments;
  int64_t nSentences;         /* `s` spans */
  int64_t nParagraphs;        /* `p` spans */
  int64_t nBytes;             /* size of the database file */
  int64_t anTypes[DS_NATTR];  /* distinct values per attribute */
  int64_t anSpans[DS_NSPANKIND];  /* the recognizers' spans by kind (ds_doc.h's DS_SPAN_*) */
} ds_info;

/* A document, as listed in memory (ordered by cpos). */
typedef struct ds_docinfo {
  int64_t id;                 /* docs.id */
  int64_t cpos;               /* corpus position of its first token */
  int64_t nTok;               /* number of tokens */
  int64_t nSent;              /* number of sentences */
  const char *zName;          /* name (owned by the corpus) */
} ds_docinfo;

/*
** Open (or with DS_OPEN_CREATE, create) the corpus file zPath. A file that is not a
** dossier corpus, or of a newer format, is refused without being changed. Opened with
** DS_OPEN_READONLY, the corpus is read as it was when it was opened until it is closed,
** whatever writers commit meanwhile.
** Errors: DS_IO (cannot open), DS_CORRUPT (not a dossier corpus), DS_VERSION_MISMATCH.
*/
int ds_corpus_open(const char *zPath, int flags, ds_corpus **ppOut, ds_error *e);

/*
** Read the documents' rows if they are not read yet (DS_OPEN_LAZY_DOCS); DS_OK at once
** when they are. Errors: DS_CORRUPT (impossible positions), DS_SQL, DS_NOMEM.
*/
int ds_corpus_load_docs(ds_corpus *c, ds_error *e);
/* Are the documents' rows still to be read (DS_OPEN_LAZY_DOCS)? */
int ds_corpus_docs_pending(const ds_corpus *c);

/*
** Bring a writable corpus handle (outside a segment) up to what other connections have
** committed since it last read or wrote: documents, token types. Queries and searches do
** it first. A read-only handle keeps the snapshot it opened with.
*/
int ds_corpus_refresh(ds_corpus *c, ds_error *e);

/* Close (rolling back an unfinished segment). Safe with NULL. */
void ds_corpus_close(ds_corpus *c);

/*
** How documents given to ds_corpus_add_file / ds_corpus_add_text (ds_ingest.h) are read
** (ds_reader.h): format, clean-up rules and the language data they use (which must
** outlive its use by the corpus). zName is unused. ds_corpus_read_opts returns them.
*/
void ds_corpus_set_read(ds_corpus *c, const ds_read_opts *o);
const ds_read_opts *ds_corpus_read_opts(const ds_corpus *c);

/* Start a segment (a write transaction). */
int ds_corpus_begin(ds_corpus *c, ds_error *e);

/*
** Add a document parsed (and tagged) from raw bytes of length nBytes whose SHA-256 is
** zSha (64 hex digits, ds_hash.h). zName names it in the corpus and in messages; zPath
** (may be NULL) is where it came from. The document's own metadata (HTML <meta>, front
** matter) is stored first; pMeta's replaces it key by key. *pDocId is the new document's
** id, or 0 if a document with the same bytes is already in the corpus. On error nothing
** of this document is stored; the segment stays open. d stays the caller's.
*/
int ds_corpus_add_parsed(ds_corpus *c, const struct ds_doc *d, const char *zSha, size_t nBytes,
                         const char *zName, const char *zPath, const ds_meta *pMeta,
                         int64_t *pDocId, ds_error *e);

/*
** Add a document in parts (ds_parts.h reads a large file so): ds_corpus_doc_begin writes
** its row and metadata (pOwn, may be NULL: its own metadata, which pMeta's replaces),
** ds_corpus_doc_part stores each part's tokens and spans in order, ds_corpus_doc_end
** stores the spans and sets *pDocId. The caller checks for duplicates (ds_corpus_has_sha)
** first. On error in a part, call ds_corpus_doc_abort: nothing of the document stays
** (unless a segment was written out meanwhile: then the segment cannot be committed).
** zName and zPath must live until ds_corpus_doc_end.
*/
#define DS_PART_JOIN_SENT 0x01   /* the part's first sentence continues the last one */
#define DS_PART_JOIN_PARA 0x02   /* the part's first paragraph continues the last one */
int ds_corpus_doc_begin(ds_corpus *c, const char *zSha, size_t nBytes, const char *zName,
                        const char *zPath, const ds_meta *pMeta, const struct ds_doc *pOwn,
                        ds_error *e);
int ds_corpus_doc_part(ds_corpus *c, const struct ds_doc *d, int flags, ds_error *e);
int ds_corpus_doc_end(ds_corpus *c, int64_t *pDocId, ds_error *e);
void ds_corpus_doc_abort(ds_corpus *c);

/*
** A read-only copy of the token types the writer knows, for worker threads: a document's
** types resolved in it (ds_typeview_resolve, after ds_doc_intern) need no lookup by the
** writer, which then only merges and stores. On the writer's thread, between
** ds_corpus_begin and the commit, ds_corpus_typeview returns the latest view with a
** reference taken (NULL if there is none to be had), made anew once the writer's types
** have grown by a quarter since the last; any thread may resolve in it and release it.
** A view is never written after it is made, so no lock is needed to read it.
**
**   writer:  v = ds_corpus_typeview(c);  ... hand v to a worker ...
**   worker:  ds_doc_intern(d); ds_typeview_resolve(v, d); ds_typeview_release(v);
*/
struct ds_typeview;
typedef struct ds_typeview ds_typeview;
ds_typeview *ds_corpus_typeview(ds_corpus *c);
void ds_typeview_retain(ds_typeview *v);
void ds_typeview_release(ds_typeview *v);            /* safe with NULL */
/* Fill d->aTypeRef and d->typeGen for d's types (ds_doc_intern first). DS_OK or DS_NOMEM. */
int ds_typeview_resolve(const ds_typeview *v, struct ds_doc *d);

/* Is a document with these bytes (SHA-256 in hex) in the corpus? 1, 0, or -1 on error. */
int ds_corpus_has_sha(ds_corpus *c, const char *zSha, ds_error *e);

/*
** The SHA-256 (hex) of every document in the corpus, removed ones included, in ascending
** order: *pn records of 64 bytes appended to out (not NUL-terminated).
*/
int ds_corpus_shas(ds_corpus *c, ds_buf *out, size_t *pn, ds_error *e);

/*
** Set the memory budget of a segment being written (bytes): once its in-memory postings
** pass it, they are written out as a segment of their own and a new one starts, in the
** same transaction. 0 means no limit. SQLite's page cache is set to an eighth of it
** (2 to 64 MB; 64 MB with no limit).
*/
void ds_corpus_set_budget(ds_corpus *c, size_t nBytes);
size_t ds_corpus_budget(const ds_corpus *c);

/*
** Whether each document is written in a savepoint of its own (on by default): then a
** document that fails before its first part is stored leaves nothing and the segment goes
** on. A run that ends at its first failure anyway (ds_ingest of many documents, whose
** caller rolls back) turns it off, saving a journal of the pages each document changes;
** a failed document then leaves the segment uncommittable (ds_corpus_commit refuses it).
*/
void ds_corpus_set_doc_savepoints(ds_corpus *c, int bOn);

/* Write the segment's lexicon and postings and commit. On failure, rolls back. */
int ds_corpus_commit(ds_corpus *c, ds_error *e);

/* Abandon the open segment: the corpus is as it was before ds_corpus_begin. */
void ds_corpus_rollback(ds_corpus *c);

/*
** Remove document docId (docs.id): it is hidden from queries and counts at once (its
** lexicon frequencies are taken off) and its rows are freed by the next optimize. One
** transaction. DS_NOTFOUND if there is no such live document.
*/
int ds_corpus_remove(ds_corpus *c, int64_t docId, ds_error *e);

/*
** Merge every segment into one: postings concatenated per (attribute, id) without the
** positions of removed documents, whose rows are deleted; token types in one row. One
** transaction; corpus positions do not change.
*/
int ds_corpus_optimize(ds_corpus *c, ds_error *e);

/*
** Document search (FTS5, dossier's tokenizer; see ds_fts5.h). ds_corpus_search_update
** indexes the documents not yet in the search index, in one transaction (*pnAdded of
** them); removing a document takes it out at once. ds_corpus_search_missing counts the
** documents not yet indexed (-1 on error).
*/
int ds_corpus_search_update(ds_corpus *c, size_t *pnAdded, ds_error *e);
int64_t ds_corpus_search_missing(ds_corpus *c);

/*
** The documents matching zQuery (FTS5 query syntax: words, "phrases", AND, OR, NOT,
** NEAR, prefix*), best first by bm25, at most nLimit (0: all): xHit(ctx, document
** index, score) for each, higher scores better; nonzero from xHit stops (DS_DONE).
** A malformed query is DS_QUERY with SQLite's words for what is wrong. A query longer than
** DS_SEARCH_MAX_BYTES or with more than DS_SEARCH_MAX_TERMS terms is DS_QUERY naming the
** character where it passes the limit (FTS5's time grows with terms times matching rows).
*/
#define DS_SEARCH_MAX_BYTES 4096
#define DS_SEARCH_MAX_TERMS 64
int ds_corpus_search(ds_corpus *c, const char *zQuery, int64_t nLimit,
                     int (*xHit)(void *ctx, size_t k, double score), void *ctx, ds_error *e);

/*
** A snippet of document k for zQuery: the nTokens tokens (0: 20) holding most of the
** query's terms, each term in [brackets], "..." where text is cut; appended to out.
*/
int ds_corpus_snippet(ds_corpus *c, size_t k, const char *zQuery, int nTokens, ds_buf *out,
                      ds_error *e);

/*
** Verify the corpus file: SQLite's integrity check, then dossier's own invariants
** (documents laid end to end without overlap, token streams and offsets of the right
** size within their text, postings ascending and inside live documents, lexicon
** frequencies equal to their postings' counts, spans inside their documents). Appends
** one line per problem found to `report` and sets *pnProblems.
*/
int ds_corpus_check(ds_corpus *c, ds_buf *report, int64_t *pnProblems, ds_error *e);

/* Fill *pInfo. */
int ds_corpus_info(ds_corpus *c, ds_info *pInfo, ds_error *e);

/* ====================== the read API (ds_store_read.c; posting cursors in ds_store_postlists.c) ======================
** What the query engine and the recipes read: documents and their metadata, the
** lexicons, posting cursors, windows of tokens (types, attribute ids, text), spans.
** Pointers a call hands out are the corpus's, valid until the next call on it that
** reads or writes (unless said otherwise).
*/

/* Documents, in corpus order. The pointer is valid until the next write. */
size_t ds_corpus_ndocs(const ds_corpus *c);
const ds_docinfo *ds_corpus_doc(const ds_corpus *c, size_t i);

/* Index of the document holding corpus position cpos, or -1. */
int64_t ds_corpus_doc_at(const ds_corpus *c, int64_t cpos);

/*
** Call xMeta(ctx, key, value) for each metadata pair of document docId, in key order.
** A nonzero return from xMeta stops with DS_DONE.
*/
int ds_corpus_doc_meta(ds_corpus *c, int64_t docId,
                       int (*xMeta)(void *ctx, const char *zKey, const char *zVal),
                       void *ctx, ds_error *e);

/*
** Look up the string z[0..n) in attribute attr: *pId and *pFreq are set and DS_OK
** returned, or DS_NOTFOUND if it is not in the lexicon.
*/
int ds_corpus_lookup(ds_corpus *c, int attr, const char *z, size_t n, uint32_t *pId,
                     int64_t *pFreq, ds_error *e);

/*
** All corpus positions of id in attr, ascending, into *pa (ds_malloc'd, caller frees
** with ds_free) and *pn (positions of removed documents included: ds_corpus_doc_at
** tells them). DS_NOTFOUND (nothing in *pa) for a value without postings: see
** ds_corpus_indexed.
*/
int ds_corpus_postings(ds_corpus *c, int attr, uint32_t id, int64_t **pa, size_t *pn,
                       ds_error *e);

/* Does value id of attr have postings? (`_` of lemma, pos and xpos has not.) */
int ds_corpus_indexed(ds_corpus *c, int attr, uint32_t id);

/*
** Call xEach(ctx, id, string, length, frequency) for every entry of attr's lexicon, in id
** order (entries of frequency 0 included: removed or failed documents leave them). A
** nonzero return stops with DS_DONE. (The query engine runs regular expressions so, over
** the lexicon rather than the text.)
*/
int ds_corpus_lexicon_scan(ds_corpus *c, int attr,
                           int (*xEach)(void *ctx, uint32_t id, const char *z, size_t n,
                                        int64_t freq),
                           void *ctx, ds_error *e);

/*
** Call xEach(ctx, id, string, length, frequency) once for every value of attribute attr
** that a token type with value byId of attribute byAttr has (in no set order): a word's
** forms of one norm, say. DS_DONE when xEach stopped it (nonzero).
*/
int ds_corpus_type_values(ds_corpus *c, int byAttr, uint32_t byId, int attr,
                          int (*xEach)(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq),
                          void *ctx, ds_error *e);

/*
** A cursor over the postings of one lexicon id: its corpus positions in ascending order,
** segment after segment, read lazily (skip data lets ds_cursor_seek jump over blocks).
** Positions of removed documents are included (ds_corpus_doc_at tells them).
**
**   ds_cursor *k; int64_t pos;
**   if (ds_corpus_cursor(c, DS_ATTR_WORD, id, &k, &e) == DS_OK) {
**     for (rc = ds_cursor_seek(k, 1000, &pos); rc == DS_OK; rc = ds_cursor_next(k, &pos)) ...
**     ds_cursor_free(k);         -- rc is DS_DONE at the end, DS_CORRUPT on damage
**   }
** The cursor holds a copy of the blobs: it stays valid while the corpus is read and
** written (and after a reader closes it), and shows the postings as they were when it was
** made. A reader (DS_OPEN_READONLY) keeps the copies of long lists (16 KiB and more, up
** to 64 MiB in all) for the next cursors on the same values: its snapshot never changes.
*/
typedef struct ds_cursor ds_cursor;
/* DS_NOTFOUND (and no cursor) for a value without postings (ds_corpus_indexed). */
int ds_corpus_cursor(ds_corpus *c, int attr, uint32_t id, ds_cursor **pk, ds_error *e);
/* Does a reader hold the postings of (attr, id) already (a cursor on them reads nothing)? */
int ds_corpus_postings_kept(const ds_corpus *c, int attr, uint32_t id);
/* The next position: DS_OK, DS_DONE at the end, DS_CORRUPT. */
int ds_cursor_next(ds_cursor *k, int64_t *pPos);
/* The first position >= target from the cursor on (it only moves forward). */
int ds_cursor_seek(ds_cursor *k, int64_t target, int64_t *pPos);
/* Number of positions in the list (all segments), known without reading them. */
uint64_t ds_cursor_count(const ds_cursor *k);
void ds_cursor_free(ds_cursor *k);

/* Lexicon id of attribute attr at corpus position cpos (which must be in a document). */
int ds_corpus_id_at(ds_corpus *c, int attr, int64_t cpos, uint32_t *pId, ds_error *e);

/*
** A window on consecutive tokens of one document: whole stored parts holding the tokens
** asked for (a document of one part: all of it). The token t of the document (t from
** first to first + n - 1) has token type aType[t - first]; with text, its bytes are
** zText[aOff[2(t - first)] .. aOff[2(t - first) + 1]), the text before it from the end of
** the token before (the window's text starts with the white space before its first token).
*/
typedef struct ds_window {
  int64_t first;              /* the window's first token, counted from its document's start */
  size_t n;                   /* tokens in the window */
  const uint32_t *aType;      /* their token types: attribute ids by ds_corpus_type_id */
  const char *zText;          /* with bText: the window's text (else NULL) */
  size_t nText;
  const uint32_t *aOff;       /* with bText: (start, end) byte pairs of its tokens in zText */
} ds_window;

/* The window holding tokens [t0, t1) of document k (ds_corpus_doc order); bText: with text. */
int ds_corpus_window(ds_corpus *c, size_t k, int64_t t0, int64_t t1, int bText, ds_window *w,
                     ds_error *e);

/*
** As ds_corpus_window, but decoding only tokens [t0, t1) (w->first is t0, w->n t1 - t0;
** with text, from the white space before t0 to the white space after t1 - 1): the stored
** part is kept as stored, so further windows in it read no row again. For the matcher and
** concordance lines, which need a few tokens of a document, not all of it. (When [t0, t1)
** crosses from one stored part into the next, the window is ds_corpus_window's.) Its
** arrays belong to the corpus, apart from ds_corpus_window's, and stay valid until the
** next window of either kind is asked for.
*/
int ds_corpus_window_exact(ds_corpus *c, size_t k, int64_t t0, int64_t t1, int bText, ds_window *w,
                           ds_error *e);

/*
** A hint: ds_corpus_window_exact will next be asked for windows of documents aK[0..n)
** (ds_corpus_doc order), one document after another in this order (several windows of
** one document count once), so their parts can be read in batches, several times
** cheaper than one at a time. A window of any other document ends the hint, and so does
** n = 0, which a caller gives when done (a reader's hint holds a statement open).
*/
int ds_corpus_read_ahead(ds_corpus *c, const size_t *aK, size_t n, ds_error *e);

/* The lexicon id of attribute attr of a token type (from a window). */
uint32_t ds_corpus_type_id(const ds_corpus *c, uint32_t type, int attr);

/* The lexicon ids of attribute attr of the n token types aType[0..n) into aOut[0..n). */
void ds_corpus_type_ids(const ds_corpus *c, const uint32_t *aType, size_t n, int attr, uint32_t *aOut);

/* One more than the largest lexicon id of attribute attr among the corpus's token types
   (0 with none) into *pBound: every id ds_corpus_type_id gives for attr is below it.
   Loads the types if no window has yet. */
int ds_corpus_type_id_bound(ds_corpus *c, int attr, uint32_t *pBound, ds_error *e);

/* A span: inclusive corpus positions of its first and last token. */
typedef struct ds_span {
  int64_t first;
  int64_t last;
} ds_span;

/*
** The spans of kind zKind (`s`, `p`, `head`, `note`) of document k, in order, into *pa
** (owned by the corpus: valid until the next call on it) and *pn (0 for a kind the
** document has none of).
*/
int ds_corpus_spans(ds_corpus *c, size_t k, const char *zKind, const ds_span **pa, size_t *pn,
                    ds_error *e);

/*
** The values of the spans of a recognizer's kind zKind (`ent`, `date`, ...: ds_doc.h) of
** document k: *pnAttr values per span, in the kind's order (ds_spankind_get), span i's
** from (*pazVal)[i * nAttr]; in the order of ds_corpus_spans, whose array they share the
** lifetime of. NULL and 0 for the structure's kinds.
*/
int ds_corpus_span_values(ds_corpus *c, size_t k, const char *zKind, const char *const **pazVal,
                          int *pnAttr, ds_error *e);

/*
** The span of kind zKind holding corpus position cpos into *pSpan: DS_OK, or DS_NOTFOUND
** when no span of that kind holds it (or cpos is in no document).
*/
int ds_corpus_span_at(ds_corpus *c, const char *zKind, int64_t cpos, ds_span *pSpan,
                      ds_error *e);

/*
** The clean text of the document at index k (ds_corpus_doc order) into *pz / *pn (owned
** by the corpus, valid until the next call that reads text), and its token offsets:
** token t spans bytes (*paOff)[2t] .. (*paOff)[2t+1].
*/
int ds_corpus_text(ds_corpus *c, size_t k, const char **pz, size_t *pn, const uint32_t **paOff,
                   ds_error *e);

/*
** As ds_corpus_lexicon_scan, only the entries starting with the bytes zPrefix[0..nPrefix)
** (by the lexicon's index: a regex with a literal start reads only its range), in no set
** order.
*/
int ds_corpus_lexicon_scan_prefix(ds_corpus *c, int attr, const char *zPrefix, size_t nPrefix,
                                  int (*xEach)(void *ctx, uint32_t id, const char *z, size_t n,
                                               int64_t freq),
                                  void *ctx, ds_error *e);

/*
** The value of metadata key zKey of every document having it: xEach(ctx, docs.id, value),
** in no set order (removed documents included: match the id against ds_corpus_doc). With
** zKey NULL: every key any document has, once each, in order, as xEach(ctx, 0, key). A
** nonzero return stops with DS_DONE. (Queries' `:: doc.kind = "news"` read it once.)
*/
int ds_corpus_meta_by_key(ds_corpus *c, const char *zKey,
                          int (*xEach)(void *ctx, int64_t docId, const char *zVal), void *ctx,
                          ds_error *e);

#endif
