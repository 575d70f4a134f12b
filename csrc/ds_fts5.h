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

#include <sqlite3.h>

/* Register the tokenizer on db. Returns DS_OK or DS_SQL (no FTS5 in this SQLite). */
int ds_fts5_register(sqlite3 *db);

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
