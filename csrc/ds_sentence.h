/*
** ds_sentence.h -- split a tokenized document into sentences.
**
** A sentence ends after `.`, `!`, `?`, `…` (and closing quotes or brackets that follow)
** when the next token opens a sentence (capital letter, digit, opening quote), and
** always at a paragraph's end. Abbreviations keep a following capital in the same
** sentence when they are titles or initials (`Dr. Li`, `J. Smith`), or unless the next
** word usually starts sentences (`U.S. The ...`).
*/
#ifndef DS_SENTENCE_H
#define DS_SENTENCE_H

#include "ds_doc.h"

struct ds_boundary_model;

/*
** Fill d->aSent from d->aTok and d->aPara, with the rules and the compiled-in model of
** unpunctuated boundaries (ds_boundary.h). Returns DS_OK or DS_NOMEM.
*/
int ds_split_sentences(ds_doc *d);

/* Same with the boundary model m, or with the rules alone when m is NULL. */
int ds_split_sentences_with(ds_doc *d, const struct ds_boundary_model *m);

#endif
