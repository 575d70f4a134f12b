/*
** fuzz_parse.c -- ds_parse_text (the plain-text reader: UTF-8 validation, NFC,
** paragraphs; tokenizer; sentence splitter) and the CoNLL-U writer on arbitrary bytes.
** Errors are fine; a parsed document must be well formed (fuzz_check_doc), since the
** store, the CoNLL-U writer and the Lua tables index with its offsets unchecked.
*/
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_doc *d;
  ds_error e;
  int rc = ds_parse_text((const char *)data, size, "fuzz", &d, &e);
  if (rc) {
    fuzz_check_parse_error(rc, d, &e);
    return 0;
  }
  fuzz_check_doc(d, size & 1 ? "doc" : NULL);
  ds_doc_free(d);
  return 0;
}
