/*
** ds_annotate.h -- the tagging stage: part of speech (UPOS, Penn XPOS) and lemma for
** every token of a document, sentence by sentence (ds_tagger.h, ds_lemma.h).
*/
#ifndef DS_ANNOTATE_H
#define DS_ANNOTATE_H

#include "ds_doc.h"
#include "ds_lemma.h"
#include "ds_tagger.h"

/*
** Fill d->aUpos, d->aXpos (tag ids of t) and the lemmas (d->lemmas, d->aLemmaOff) of
** every token of d, which must be tokenized and split into sentences. l may be NULL
** (then no lemmas). Errors: DS_NOMEM.
*/
int ds_annotate(ds_doc *d, const ds_tagger *t, const ds_lemmatizer *l, ds_error *e);

/*
** A memo of lemmas: the lemma of a word follows from the word and its two tags, so a
** thread that annotates many documents looks each (word, UPOS, XPOS) up once. One
** thread at a time; it forgets everything when it grows past a few million entries.
** It also holds the tagger's cache (ds_tagger_cache, ~15 MB), made on first use.
*/
typedef struct ds_lemma_memo ds_lemma_memo;
ds_lemma_memo *ds_lemma_memo_new(void);
void ds_lemma_memo_free(ds_lemma_memo *m);

/* ds_annotate with a memo (which may be NULL). */
int ds_annotate_memo(ds_doc *d, const ds_tagger *t, const ds_lemmatizer *l, ds_lemma_memo *m,
                     ds_error *e);

/* The UPOS / XPOS name / lemma of token i of an annotated document ("_" if not tagged). */
const char *ds_doc_upos(const ds_doc *d, size_t i);
const char *ds_doc_xpos(const ds_doc *d, size_t i);
const char *ds_doc_lemma(const ds_doc *d, size_t i, size_t *pn);

#endif
