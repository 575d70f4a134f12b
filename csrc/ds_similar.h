/*
** ds_similar.h -- documents alike, for the `similar` recipe: what two documents are
** about (tf-idf cosine over one attribute's values, lemmas usually) and whether one
** reprints the other (near-duplicates: the Jaccard similarity of their sets of word
** shingles, estimated by MinHash). Reprinted news and press releases are common in the
** field: a wire story in ten outlets, a ministry's statement on three sites.
**
** Cosine: a document's vector holds, per value v, (1 + ln tf) * ln(N / df) (tf: v's
** occurrences in it, df: documents holding v, N: documents compared); a value in every
** document weighs nothing. Only tokens whose part of speech is allowed count (abPos,
** when the corpus is tagged). The cosine of every pair sharing a value is exact; the
** work grows with the sum over values of df squared.
**
** Near-duplicates: a document's shingles are its runs of nShingle consecutive `norm`
** values; nHash minimum hashes (fixed seeds: the same answer every run) estimate the
** Jaccard similarity J of two sets with a standard error of sqrt(J (1 - J) / nHash)
** (at most 0.044 with 128). Candidate pairs come from banding the signatures (bands of 4
** hashes: a pair with J = 0.5 is a candidate with probability > 0.87 at 128 hashes, 0.98
** at J = 0.6); every candidate's estimate uses all nHash hashes. A document shorter than
** one shingle has none and is nobody's duplicate.
*/
#ifndef DS_SIMILAR_H
#define DS_SIMILAR_H

#include "ds.h"
#include "ds_store.h"

/* A pair of documents alike. */
typedef struct ds_simpair {
  size_t a, b;          /* documents (ds_corpus_doc order), a < b */
  double cosine;        /* tf-idf cosine, 0..1 */
  double jaccard;       /* estimated Jaccard similarity of the shingle sets, 0..1 */
} ds_simpair;

typedef struct ds_simopts {
  int attr;                     /* values for the cosine (DS_ATTR_LEMMA, DS_ATTR_NORM ...) */
  const unsigned char *abPos;   /* per lexicon id of `pos`: 1 counts; NULL: every token */
  size_t nPos;                  /* entries of abPos (ids past it do not count) */
  double minCosine;             /* a pair is listed when its cosine reaches this ... */
  double minJaccard;            /* ... or its estimated Jaccard reaches this */
  int nShingle;                 /* tokens per shingle, 1..16 (0: 5) */
  int nHash;                    /* hashes, a multiple of 4 from 4 to 1024 (0: 128) */
} ds_simopts;

/*
** The pairs of documents of abDoc (NULL: all; see ds_count.h) that pass o's thresholds,
** into *pa (ds_malloc'd, freed with ds_free) and *pn, by falling cosine. Errors: DS_MISUSE
** (bad options), DS_NOMEM, and the store's.
*/
int ds_similar(ds_corpus *c, const unsigned char *abDoc, const ds_simopts *o, ds_simpair **pa,
               size_t *pn, ds_error *e);

#endif
