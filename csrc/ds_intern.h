/*
** ds_intern.h -- a document's distinct token types. Tokens of the same word with the same
** tags and lemma share a type; the store keeps each token as its type's id (ds_ttype.h).
** ds_doc_intern finds them on the thread that parsed the document, so the store's one
** writer looks each type up once per document instead of once per token (ds_ingest.h).
**
**   if (ds_doc_intern(d) == DS_OK)
**     for (size_t t = 0; t < d->nTok; t++) ... d->aTypeOf[t] ... d->aTypeTok[d->aTypeOf[t]] ...
*/
#ifndef DS_INTERN_H
#define DS_INTERN_H

#include "ds_doc.h"

/*
** Fill d->aTypeOf (the type of each token, numbered from 0 in order of first occurrence),
** d->aTypeTok (the first token of each type) and d->nType. Done again, it does nothing.
** DS_OK or DS_NOMEM (then nothing is set).
*/
int ds_doc_intern(ds_doc *d);

/* The same into new arrays (ds_free them) for a document that stays as it is. */
int ds_intern_types(const ds_doc *d, uint32_t **paOf, uint32_t **paTok, size_t *pnType);

/*
** The key of token t's type into key (reset first): word, UPOS, XPOS and lemma apart by
** 0xFF, a byte UTF-8 never holds, so that different types never share a key.
*/
void ds_doc_type_key(const ds_doc *d, size_t t, ds_buf *key);

/* The same key appended to keys (many keys end to end, without a copy each). */
void ds_doc_type_key_append(const ds_doc *d, size_t t, ds_buf *keys);

#endif
