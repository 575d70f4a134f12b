/*
** ds_count.h -- counting over a corpus and over match sets, for the analysis recipes
** (lua/dossier/recipes/): frequencies with range, n-grams within sentences, the values
** of matches, collocate windows, and hits per part for dispersion. Only the store's
** read API is used (ds_store.h): documents are read a window of token types at a time.
**
** A subcorpus is a set of documents: abDoc[k] nonzero puts document k (ds_corpus_doc
** order, ds_corpus_ndocs entries) in it; abDoc NULL means every document. Counts are
** over the tokens of the documents in the set; matches outside it are skipped.
**
** Results are plain structs the caller owns and frees (ds_freq_free, ds_seqs_free, ...).
** Every function returns DS_OK or an error code with e filled (DS_NOMEM, DS_CORRUPT,
** DS_MISUSE for bad arguments).
**
**   ds_freq f = DS_FREQ_INIT;
**   if (ds_count_freq(c, DS_ATTR_LEMMA, NULL, &f, &e) == DS_OK)
**     for (uint32_t id = 0; id < f.nId; id++) if (f.aFreq[id]) use(id, f.aFreq[id], f.aRange[id]);
**   ds_freq_free(&f);
*/
#ifndef DS_COUNT_H
#define DS_COUNT_H

#include "ds.h"
#include "ds_matchset.h"
#include "ds_store.h"

struct ds_lexstrs;     /* below: a lexicon's strings */

/* {====== frequencies by lexicon id ====== */

typedef struct ds_freq {
  size_t nId;          /* ids 0 .. nId - 1 have entries in aFreq and aRange */
  int64_t *aFreq;      /* occurrences of id (owned) */
  int64_t *aRange;     /* documents in which id occurs at least once (owned) */
  int64_t *aLast;      /* scratch: the last document counted for id, plus one (owned) */
  int64_t nTok;        /* tokens counted (the subcorpus's size) */
  int64_t nDoc;        /* documents counted */
} ds_freq;
#define DS_FREQ_INIT {0, NULL, NULL, NULL, 0, 0}

/* Frequency and range of every value of attribute attr in the documents of abDoc. */
int ds_count_freq(ds_corpus *c, int attr, const unsigned char *abDoc, ds_freq *f, ds_error *e);
void ds_freq_free(ds_freq *f);

/*
** The frequency of every value of attr in two document sets at once, abT into *ft and
** abR into *fr (a document in both counts for both; NULL: every document): aFreq, nTok
** and nDoc only (aRange stays 0). Tokens are counted by type, then by value, so the loop
** over tokens does no lookup.
*/
int ds_count_keyness(ds_corpus *c, int attr, const unsigned char *abT, const unsigned char *abR, ds_freq *ft,
                     ds_freq *fr, ds_error *e);

/* }====== */

/* {====== counts of id sequences: n-grams, the values of matches ====== */

typedef struct ds_seqs ds_seqs;    /* opaque: a hash of id sequences with freq and range */

/* Number of distinct sequences counted. */
size_t ds_seqs_count(const ds_seqs *s);
/* Sequence i (0 <= i < count): its ids in *paId / *pnId, its frequency and range. */
void ds_seqs_get(const ds_seqs *s, size_t i, const uint32_t **paId, size_t *pnId,
                 int64_t *pFreq, int64_t *pRange);
/*
** The first nMax (SIZE_MAX: all) of the sequences with frequency >= minF and range >=
** minR, most frequent first, ties by their values (each id's string in lex compared in
** byte order, id by id, a sequence that is a prefix of another first: the order of the
** values joined by spaces, as no value holds a space or a control character): a new
** array of their indices in *paIdx (ds_free it) and their number in *pn; *pnAll the
** number of sequences passing the minimums. DS_OK or DS_NOMEM. Frequencies past 2^32
** tie (the order among them is by value).
*/
int ds_seqs_order(const ds_seqs *s, const struct ds_lexstrs *lex, int64_t minF, int64_t minR, size_t nMax,
                  size_t **paIdx, size_t *pn, size_t *pnAll);

/* Tokens (n-grams: positions) looked at. */
int64_t ds_seqs_total(const ds_seqs *s);
void ds_seqs_free(ds_seqs *s);     /* safe with NULL */

/*
** The n-grams (1 <= n <= DS_COUNT_MAX_N) of attribute attr in the documents of abDoc,
** none across a sentence boundary (`s` spans; a document without sentences is one), into
** a new *ps. Frequency is occurrences, range the documents holding one. Counted on two
** threads (this one reads the documents; each thread counts half of the n-grams, split
** by hash); c is used from the calling thread only. When n ids of attr fit in 64 bits
** (ds_corpus_type_id_bound) an n-gram is counted as one packed integer; the result is
** the same either way.
*/
#define DS_COUNT_MAX_N 8
int ds_count_ngrams(ds_corpus *c, int attr, int n, const unsigned char *abDoc, ds_seqs **ps,
                    ds_error *e);

/*
** The values of attribute attr of each match of ms (in the documents of abDoc), a
** match's tokens in order, counted as sequences into a new *ps.
*/
int ds_count_matches(ds_corpus *c, int attr, const ds_matchset *ms, const unsigned char *abDoc,
                     ds_seqs **ps, ds_error *e);

/*
** Clusters around matches (AntConc's clusters): the n-grams of attr that hold a whole
** match of ms (in the documents of abDoc), inside one sentence as ds_count_ngrams cuts
** them. slot k > 0: the match's first token is the n-gram's k-th; k < 0: its last token
** is the n-gram's -k-th from the end (-1: the n-gram ends with the match); 0: every
** n-gram holding the match. An n-gram position holding several matches counts once; a
** match longer than n, or across a sentence boundary, has none. total: n-grams counted.
*/
int ds_count_around(ds_corpus *c, int attr, int n, int slot, const ds_matchset *ms,
                    const unsigned char *abDoc, ds_seqs **ps, ds_error *e);

/* }====== */

/* {====== merging the counts of several corpus files ====== */

/*
** Counts of several files summed by value: a table of byte strings (a value, or an
** n-gram's values joined by spaces), each with nCol 64-bit sums. The files' lexicons
** differ, so values meet by their strings; a row is added to, never removed.
**
**   ds_merge *m;
**   ds_merge_new(2, &m);                        (freq and range)
**   for each file: ds_merge_add_freq(m, &f, &lex) or ds_merge_add_seqs(m, s, &lex)
**   ds_merge_order(m, 0, aMin, SIZE_MAX, &aIdx, &n, &nAll);
**   for (i < n) ds_merge_get(m, aIdx[i], &z, &nz, &aVal);
**   ds_free(aIdx); ds_merge_free(m);
*/
typedef struct ds_merge ds_merge;

#define DS_MERGE_MAXCOL 4
int ds_merge_new(int nCol, ds_merge **pm);          /* DS_OK, DS_NOMEM or DS_MISUSE */
void ds_merge_free(ds_merge *m);                    /* safe with NULL */
/* Add aVal[0..nCol) to the row of the string z[0..n) (made, zero, when new). */
int ds_merge_add(ds_merge *m, const char *z, size_t n, const int64_t *aVal);
/* Add (aFreq[id], aRange[id]) of every id of f counted at least once, by its string in lex. */
int ds_merge_add_freq(ds_merge *m, const ds_freq *f, const struct ds_lexstrs *lex);
/* Add (freq, range) of every sequence of s, its ids' strings in lex joined by spaces. */
int ds_merge_add_seqs(ds_merge *m, const ds_seqs *s, const struct ds_lexstrs *lex);
size_t ds_merge_count(const ds_merge *m);
/* Row i: its string in *pz / *pn, its nCol sums in *paVal (valid until the next add). */
void ds_merge_get(const ds_merge *m, size_t i, const char **pz, size_t *pn, const int64_t **paVal);
/*
** The first nMax rows whose every column j is at least aMin[j] (aMin NULL: all rows),
** column iSort largest first (iSort < 0: no column), ties by their strings in byte
** order: a new array of row indices in *paIdx (ds_free it), their number in *pn, the
** rows passing the minimums in *pnAll. DS_OK or DS_NOMEM.
*/
int ds_merge_order(const ds_merge *m, int iSort, const int64_t *aMin, size_t nMax, size_t **paIdx, size_t *pn,
                   size_t *pnAll);

/* }====== */

/* {====== collocates ====== */

/*
** Surface co-occurrence in windows around matches (Evert 2008): the window of a match
** [first, last] is the nLeft tokens before first and the nRight after last, clipped at
** its document's edges and, with zWithin (`s`, `p`; NULL: none), at the edges of the
** spans of that kind holding first (left) and last (right); the match's own tokens are
** not in it (another match's may be). The windows are merged: a corpus position in the
** windows of several matches is counted once, so xy.aFreq[id] (f_xy, the positions of
** the union holding id) never passes id's frequency and nWindow is the size of the
** union; the 2x2 table (O11 = f_xy, R1 = nWindow, C1 = f_y) has no negative cell.
** nNode is the matches counted.
*/
typedef struct ds_colloc {
  ds_freq xy;          /* f_xy per id of attr (aRange: the documents whose windows hold id) */
  int64_t nNode;       /* f_x: matches in the documents of abDoc */
  int64_t nWindow;     /* the positions in the union of their windows */
} ds_colloc;
#define DS_COLLOC_INIT {DS_FREQ_INIT, 0, 0}

int ds_count_collocates(ds_corpus *c, int attr, const ds_matchset *ms, const unsigned char *abDoc,
                        int nLeft, int nRight, const char *zWithin, ds_colloc *out, ds_error *e);
void ds_colloc_free(ds_colloc *o);

/* }====== */

/* {====== dispersion ====== */

/*
** Hits of ms over parts of the subcorpus abDoc: with nParts 0 the parts are its documents
** (in order); otherwise its tokens (documents end to end) cut into nParts parts of equal
** size (the first size % nParts parts one token longer). aSize[j] and aHit[j] (nPart
** entries, owned) are part j's tokens and the matches starting in it; aDoc[j] the
** document index of part j (with nParts 0), else -1.
*/
typedef struct ds_parts_count {
  size_t nPart;
  int64_t *aSize;
  int64_t *aHit;
  int64_t *aDoc;
} ds_parts_count;
#define DS_PARTS_COUNT_INIT {0, NULL, NULL, NULL}

int ds_count_dispersion(ds_corpus *c, const ds_matchset *ms, const unsigned char *abDoc,
                        size_t nParts, ds_parts_count *out, ds_error *e);
void ds_parts_count_free(ds_parts_count *p);

/* }====== */

/* {====== subcorpora by metadata ====== */

/*
** The documents meeting zWhere, the constraint of a CQL query's `::` part on metadata
** (`doc.kind = "news|report" & doc.date >= "2019"`: = and != match regular expressions
** against the whole value, <, <=, >, >= compare ISO dates, `doc.name` is the document's
** name), evaluated by the query engine itself (ds_eval.h), so --where and `::` never
** disagree: *paDoc (ds_malloc'd, one byte per document, 1 in, 0 out; the caller frees it
** with ds_free) and *pnIn the documents in it. Errors (DS_QUERY) name the 1-based
** character position in zWhere ("... at position 12").
*/
int ds_count_where(ds_corpus *c, const char *zWhere, unsigned char **paDoc, size_t *pnIn, ds_error *e);

/* }====== */

/* {====== lexicon strings ====== */

/* Every string of an attribute's lexicon by id: z + aOff[id] .. z + aOff[id + 1]. */
typedef struct ds_lexstrs {
  size_t nId;
  size_t *aOff;        /* nId + 1 offsets (owned) */
  ds_buf text;         /* the strings end to end */
  int64_t *aFreq;      /* the lexicon's frequency of each id (owned) */
} ds_lexstrs;
#define DS_LEXSTRS_INIT {0, NULL, DS_BUF_INIT, NULL}

int ds_count_lexicon(ds_corpus *c, int attr, ds_lexstrs *out, ds_error *e);
void ds_lexstrs_free(ds_lexstrs *l);

/* }====== */

#endif
