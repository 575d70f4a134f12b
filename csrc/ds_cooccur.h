/*
** ds_cooccur.h -- what occurs together in a span (a sentence, a paragraph): for the
** `themes` recipe, the hits of a frame's terms in the sentences that mention an actor.
*/
#ifndef DS_COOCCUR_H
#define DS_COOCCUR_H

#include "ds.h"
#include "ds_matchset.h"
#include "ds_store.h"

/* What ds_count_in_spans found. */
typedef struct ds_spancount {
  int64_t nSpans;       /* spans holding a match of the second set (its first token) */
  int64_t nTokens;      /* their tokens */
  int64_t nHits;        /* matches of the first set whose first token is in one of them */
} ds_spancount;

/*
** Among the spans of kind zKind (`s`, `p`, `ent` ...) of the documents of abDoc (NULL:
** all; one byte per document), those holding the first token of a match of pWith; count
** them, their tokens, and the matches of pHits starting inside them. Both sets in corpus
** order (as queries give them). DS_OK, DS_NOMEM, or the store's error.
*/
int ds_count_in_spans(ds_corpus *c, const ds_matchset *pHits, const ds_matchset *pWith, const char *zKind,
                      const unsigned char *abDoc, ds_spancount *out, ds_error *e);

#endif
