/*
** ds_extract.h -- the recognition stage: what a document names and states, as spans
** (ds_doc.h): entities from the lexicons (ds_gazetteer.h), then names they lack from the
** statistical model (ds_ner.h: lexicon matches win where the two overlap), then dates,
** money, percentages, citations, URLs and quotations (ds_recognize.h; quotations last,
** so their speakers can be the entities found before).
**
** It runs after tagging (the gazetteer matches lemmas of inflected forms, the model reads
** the tags) in ds_parse_and_tag and in ingest's workers; an extractor is read-only and
** shared by every thread.
*/
#ifndef DS_EXTRACT_H
#define DS_EXTRACT_H

#include "ds_doc.h"

struct ds_gazetteer;
struct ds_ner;

typedef struct ds_extractor {
  const struct ds_gazetteer *pGaz;  /* the lexicons' entities, or NULL: none */
  const struct ds_ner *pNer;        /* the model for other names, or NULL: none */
  int bOthers;                      /* dates, money, percentages, citations, URLs, quotes */
} ds_extractor;

/*
** Add the spans x finds to d (tokenized, split, and tagged if it is to be), sorted
** (ds_doc_sort_spans). zDate: the document's date (ISO 8601) that relative dates (`last
** month`) are resolved against, or NULL: then the document's own `date` metadata, if it
** has one it can read. Errors: DS_NOMEM.
*/
int ds_extract(ds_doc *d, const ds_extractor *x, const char *zDate, ds_error *e);

#endif
