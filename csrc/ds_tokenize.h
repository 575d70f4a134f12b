/*
** ds_tokenize.h -- split the paragraphs of a document into tokens.
**
** Conventions follow Universal Dependencies English: clitics split (`do` `n't`,
** `Russia` `'s`), hyphens split (`Sino` `-` `Russian`), numbers with separators kept
** whole (`1,000`, `31.5`), URLs and e-mail addresses kept whole, known abbreviations and
** initials keep their period (`U.S.`, `Dr.`, `J.`), runs of `!`/`?`/`.` kept whole.
*/
#ifndef DS_TOKENIZE_H
#define DS_TOKENIZE_H

#include "ds_doc.h"

/*
** Tokenize every paragraph of d (d->zText and d->aPara must be set): append tokens to
** d->aTok and set each paragraph's token range. Returns DS_OK or DS_NOMEM.
*/
int ds_tokenize(ds_doc *d);

/*
** Tokenize the byte range [start, end) of d->zText, appending tokens to d.
** Returns DS_OK or DS_NOMEM.
*/
int ds_tokenize_range(ds_doc *d, uint32_t start, uint32_t end);

/*
** Tokenize the string z[0..n) exactly as a document's paragraph is tokenized, without a
** document: xToken(ctx, token, its length, DS_TOK_* flags, start, end) for each token in
** order, with its byte offsets in z. z need not be NUL-terminated; it should be valid
** UTF-8 in NFC, as a document's clean text is (a query string or a search term is
** normalized so first). Returns DS_OK, DS_NOMEM, DS_LIMIT (n over DS_MAX_DOC_BYTES), or
** DS_ABORT when xToken returned nonzero (the tokens after it are not given). The one way
** to tokenize a string: the query parser (ds_cql.c) and the search tokenizer (ds_fts5.c)
** both use it.
**
**   static int on_token(void *ctx, const char *z, size_t n, uint32_t flags,
**                       size_t iStart, size_t iEnd) { ...; return 0; }
**   rc = ds_tokenize_string(zText, nText, on_token, &state);
*/
int ds_tokenize_string(const char *z, size_t n,
                       int (*xToken)(void *ctx, const char *zTok, size_t nTok, uint32_t flags,
                                     size_t iStart, size_t iEnd),
                       void *ctx);

/*
** True if the abbreviation token z[0..n) (with its final period) does not end a
** sentence before a capitalised word: titles (`Dr.`), initials (`J.`).
*/
int ds_abbrev_is_prepositive(const char *z, size_t n);

/* True if z[0..n) is a word that typically starts a sentence (`The`, `However`, ...). */
int ds_is_sentence_starter(const char *z, size_t n);

#endif
