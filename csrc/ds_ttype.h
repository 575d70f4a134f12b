/*
** ds_ttype.h -- token types: the distinct (word, norm, lemma, pos, xpos) tuples of a
** corpus, each with an id.
**
** A corpus stores one type id per token; every positional attribute of the token is
** then one array access away (aAttr[type * DS_NATTR + attr]), and the attributes that
** follow from the word (norm) or from the word and its tags (lemma) cost nothing per
** token. Type ids are global and append-only, like lexicon ids.
*/
#ifndef DS_TTYPE_H
#define DS_TTYPE_H

#include "ds.h"

/* Positional attributes: `_` where a document was not tagged. */
enum { DS_ATTR_WORD = 0, DS_ATTR_NORM, DS_ATTR_LEMMA, DS_ATTR_POS, DS_ATTR_XPOS, DS_NATTR };

typedef struct ds_ttypes {
  uint32_t *aAttr;      /* DS_NATTR lexicon ids per type (owned) */
  size_t n, nAlloc;     /* types, and room for them */
  uint32_t *aSlot;      /* open addressing: type + 1, keyed by the attribute ids */
  size_t nSlot;         /* power of two, or 0 */
} ds_ttypes;

#define DS_TTYPES_INIT {NULL, 0, 0, NULL, 0}

void ds_ttypes_free(ds_ttypes *t);

/* Append a type with attribute ids aId (it must not be present); *pType is its id.
   Returns DS_OK, DS_NOMEM or DS_LIMIT (2^32 types). */
int ds_ttypes_add(ds_ttypes *t, const uint32_t aId[DS_NATTR], uint32_t *pType);

/* The type with attribute ids aId, or -1. (The norm follows from the word, so the
   word, lemma, pos and xpos identify a type.) */
int64_t ds_ttypes_find(const ds_ttypes *t, const uint32_t aId[DS_NATTR]);

/* Forget the types from id n on (after a rollback). */
void ds_ttypes_truncate(ds_ttypes *t, size_t n);

/* Attribute attr of type id (which must be < t->n). */
static inline uint32_t ds_ttype_attr(const ds_ttypes *t, uint32_t id, int attr) {
  return t->aAttr[(size_t)id * DS_NATTR + (size_t)attr];
}

#endif
