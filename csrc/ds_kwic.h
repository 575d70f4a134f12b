/*
** ds_kwic.h -- key word in context: the text of a match with its context on each side,
** read through the store's read API (a window of the match's document, never all of it).
*/
#ifndef DS_KWIC_H
#define DS_KWIC_H

#include "ds_store.h"
#include "ds_matchset.h"

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

/* How ds_kwic_render lays out its lines. */
enum { DS_KWIC_TEXT, DS_KWIC_TSV };
typedef struct ds_kwic_style {
  int eFormat;      /* DS_KWIC_TEXT: `doc  left[match]right`; DS_KWIC_TSV: doc first last left match right */
  int width;        /* characters of context each side (text: the left side padded to it) */
  int nTok;         /* >= 0: the context is nTok tokens each side instead (as ds_corpus_kwic_tokens) */
  int docw;         /* text: the document column's width, longer names cut with "…"; < 0: the
                       widest name among the lines */
} ds_kwic_style;

/*
** Concordance lines of the n matches a[0..n), one line each, joined by "\n" (none after
** the last), appended to *pOut: the text dossier prints, byte for byte what the Lua
** formatter (dossier.format's kwic, and its tsv rows) makes of the rows ds_corpus_kwic
** gives: invalid UTF-8 shown as U+FFFD, control characters as \xHH or \u{HH}, a TSV
** field's tabs and line breaks as spaces. Stops with DS_INTERRUPTED on Ctrl-C.
*/
int ds_kwic_render(ds_corpus *c, const ds_match *a, size_t n, const ds_kwic_style *s, ds_buf *pOut,
                   ds_error *e);

#endif
