/*
** fuzz_parse.c -- ds_parse_text (reader, tokenizer, sentence splitter) and the CoNLL-U
** writer on arbitrary bytes. Errors are fine; a parsed document must be well formed
** (fuzz_check_doc), since the store, the CoNLL-U writer and the Lua tables index with
** its offsets unchecked.
*/
#include "ds_parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_doc *d;
  ds_error e;
  int rc = ds_parse_text((const char *)data, size, "fuzz", &d, &e);
  if (rc) {
    FUZZ_CHECK(d == NULL && e.code == rc && memchr(e.msg, 0, sizeof e.msg));
    /* the failures documented for plain text */
    FUZZ_CHECK(rc == DS_UTF8 || rc == DS_FORMAT || rc == DS_NOMEM);
    return 0;
  }
  fuzz_check_doc(d, size & 1 ? "doc" : NULL);
  ds_doc_free(d);
  return 0;
}
