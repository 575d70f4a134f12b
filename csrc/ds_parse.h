/*
** ds_parse.h -- the pipeline: bytes -> reader -> tokenizer -> sentence splitter.
*/
#ifndef DS_PARSE_H
#define DS_PARSE_H

#include "ds_doc.h"
#include "ds_reader.h"

/*
** Parse plain text z[0..n) into a new annotated document *pDoc (free with ds_doc_free).
** zName names the input in error messages (a path, or NULL). On error *pDoc is NULL and
** e says why (see ds_read_text).
*/
int ds_parse_text(const char *z, size_t n, const char *zName, ds_doc **pDoc, ds_error *e);

/*
** The pipeline whole: read z[0..n) with options (format, clean-up, language data; see
** ds_reader.h), tokenize, split sentences, tag and lemmatize when o->pTagger is set
** (ds_annotate.h), and find entities, dates, money ... when o->pExtract is (ds_extract.h).
*/
int ds_parse_and_tag(const char *z, size_t n, const ds_read_opts *o, ds_doc **pDoc, ds_error *e);

#endif
