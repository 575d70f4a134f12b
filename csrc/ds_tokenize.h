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
** True if the abbreviation token z[0..n) (with its final period) does not end a
** sentence before a capitalised word: titles (`Dr.`), initials (`J.`).
*/
int ds_abbrev_is_prepositive(const char *z, size_t n);

/* True if z[0..n) is a word that typically starts a sentence (`The`, `However`, ...). */
int ds_is_sentence_starter(const char *z, size_t n);

#endif
