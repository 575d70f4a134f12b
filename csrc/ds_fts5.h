/*
** ds_fts5.h -- dossier's tokenizer as an SQLite FTS5 tokenizer, for ranked search over
** whole documents.
**
** Registered as "dossier": the tokens are those of ds_tokenize (clitics, hyphens, URLs
** as in the corpus), case-folded as the `norm` attribute, without punctuation; so a
** document search and a token query agree on what a word is. Query strings are
** normalized to NFC first; invalid UTF-8 is an error.
**
**   CREATE VIRTUAL TABLE search USING fts5(text, content='', tokenize='dossier');
*/
#ifndef DS_FTS5_H
#define DS_FTS5_H

#include "ds.h"
#include "ds_buf.h"

#include <sqlite3.h>

/*
** Register the tokenizer on db, and the rank function `dossier_rank(search)`: BM25
** (k1 = 1.2, b = 0.75) with the inverse document frequency ln(1 + (N - n + 0.5) /
** (n + 0.5)), which stays positive for a term found in most documents (FTS5's own bm25
** floors it at 1e-6 there, so in a small corpus a common word or a prefix scores 0).
** Like bm25 it returns minus the score (smaller is better). Returns DS_OK or DS_SQL (no
** FTS5 in this SQLite).
*/
int ds_fts5_register(sqlite3 *db);

/*
** The user's search z[0..n) (valid UTF-8) as an FTS5 query in *out: each bare word is
** quoted, so that dossier's tokenizer reads it as it reads documents (`Sino-Russian`,
** `China's`, `U.S.`); FTS5's operators stay: AND, OR, NOT, NEAR(... , N), parentheses,
** "phrases", a trailing `*` for a prefix. A syntax error is DS_QUERY with the position
** (in characters, from 1) in the user's words: `search: unclosed " at character 7`.
*/
int ds_fts5_query(const char *z, size_t n, ds_buf *out, ds_error *e);

/*
** Call xTerm(ctx, term, n) for each search term of z[0..n) (valid UTF-8), as the
** tokenizer makes them. Returns DS_OK, DS_UTF8, DS_NOMEM, or DS_ABORT if xTerm
** returned nonzero.
*/
int ds_fts5_terms(const char *z, size_t n, int bQuery,
                  int (*xTerm)(void *ctx, const char *zTerm, size_t nTerm, size_t iStart,
                               size_t iEnd),
                  void *ctx);

#endif
