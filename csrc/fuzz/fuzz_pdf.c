/*
** fuzz_pdf.c -- the PDF reader (Poppler through poppler-glib: document information,
** each page's text) through the whole pipeline (fuzz_read_opts): clean-up with exact
** page breaks, tokens, sentences. A PDF's raw offsets are offsets in the text extracted
** (ds_reader.h), so the byte checks of fuzz_parse_opts do not apply: the document's own
** invariants (fuzz_check_doc) and the error contract do.
*/
#include "fuzz.h"
#include "ds_pdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_read_opts o = fuzz_read_opts(DS_FMT_PDF, size);
  ds_doc *d;
  ds_error e;
  int rcProbe = ds_pdf_probe((const char *)data, size, "fuzz", &e);
  FUZZ_CHECK(rcProbe == DS_OK || rcProbe == DS_FORMAT || rcProbe == DS_NOMEM);
  int rc = ds_parse_and_tag((const char *)data, size, &o, &d, &e);
  /* what the quick look refuses, reading refuses too */
  FUZZ_CHECK(rcProbe != DS_FORMAT || rc != DS_OK);
  if (rc) {
    fuzz_check_parse_error(rc, d, &e);
    /* every error names the input */
    FUZZ_CHECK(rc == DS_NOMEM || strncmp(e.msg, "fuzz", 4) == 0);
    return 0;
  }
  fuzz_check_doc(d, size & 1 ? "doc" : NULL);
  ds_doc_free(d);
  return 0;
}
