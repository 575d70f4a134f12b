/*
** ds_langdata.h -- language data read from corpus/lexicon: an English word list and the
** phrases of site furniture. Loaded once; read-only afterwards, so threads may share it.
**
**   ds_langdata *ld;
**   if (ds_langdata_load("corpus/lexicon", &ld, &err) == DS_OK) {
**     ... ds_langdata_is_word(ld, "countries", 9) ...
**     ds_langdata_free(ld);
**   }
*/
#ifndef DS_LANGDATA_H
#define DS_LANGDATA_H

#include "ds.h"

typedef struct ds_langdata ds_langdata;

/*
** Load zDir/en-words.txt and zDir/boilerplate.txt. Errors (DS_IO, DS_FORMAT) name the
** file and line.
*/
int ds_langdata_load(const char *zDir, ds_langdata **ppOut, ds_error *e);

/* Free. Safe with NULL. */
void ds_langdata_free(ds_langdata *ld);

/*
** Is z[0..n) an English word, in any case and with regular inflections (`Countries`,
** `gathered`, `relationships`), by WordNet's Morphy suffix rules? Non-letters: no.
*/
int ds_langdata_is_word(const ds_langdata *ld, const char *z, size_t n);

/*
** Is the line z[0..n) site furniture by the boilerplate list? Returns the matching
** phrase (NUL-terminated, owned by ld), or NULL.
*/
const char *ds_langdata_boilerplate(const ds_langdata *ld, const char *z, size_t n);

#endif
