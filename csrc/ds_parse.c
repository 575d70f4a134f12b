/*
** ds_parse.c -- run the pipeline stages over one document (see ds_parse.h).
*/
#include "ds_parse.h"
#include "ds_annotate.h"
#include "ds_extract.h"
#include "ds_reader.h"
#include "ds_sentence.h"
#include "ds_tokenize.h"

int ds_parse_and_tag(const char *z, size_t n, const ds_read_opts *o, ds_doc **pDoc, ds_error *e) {
  ds_doc *d = ds_doc_new();
  int rc;
  *pDoc = NULL;
  if (!d) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  rc = ds_read_text_opts(z, n, o, d, e);
  if (rc == DS_OK && (ds_tokenize(d) || ds_split_sentences(d)))
    rc = ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", o && o->zName ? o->zName : "<text>");
  if (rc == DS_OK && o && o->pTagger) rc = ds_annotate(d, o->pTagger, o->pLemma, e);
  if (rc == DS_OK && o && o->pExtract) rc = ds_extract(d, o->pExtract, o->zDate, e);
  if (rc) {
    ds_doc_free(d);
    return rc;
  }
  *pDoc = d;
  return DS_OK;
}

int ds_parse_text(const char *z, size_t n, const char *zName, ds_doc **pDoc, ds_error *e) {
  ds_read_opts o = {.zName = zName, .format = DS_FMT_TEXT};
  return ds_parse_and_tag(z, n, &o, pDoc, e);
}
