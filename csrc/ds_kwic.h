/*
** ds_kwic.h -- key word in context: the text of a match with its context on each side,
** read through the store's read API (a window of the match's document, never all of it).
*/
#ifndef DS_KWIC_H
#define DS_KWIC_H

#include "ds_store.h"

/*
** Key-word-in-context for the match [first, last] (inclusive corpus positions, in one
** document): the match's text and up to `width` characters of context on each side,
** cut at the document's edges, with line breaks and tabs shown as spaces. Appends to
** the three buffers.
*/
int ds_corpus_kwic(ds_corpus *c, int64_t first, int64_t last, int width, ds_buf *pLeft,
                   ds_buf *pMatch, ds_buf *pRight, ds_error *e);

/*
** The same with the context in tokens: the text from the start of the nTok-th token
** before the match to the end of the nTok-th token after it, each side cut at the
** document's edges (the spaces between tokens as the text has them).
*/
int ds_corpus_kwic_tokens(ds_corpus *c, int64_t first, int64_t last, int nTok, ds_buf *pLeft,
                          ds_buf *pMatch, ds_buf *pRight, ds_error *e);

#endif
