/*
** fuzz_clean.c -- the plain-text reader with every extraction clean-up rule (ds_clean.h),
** tagging and lemmas (fuzz_read_opts); the input read as ISO 8859-1 when its size has
** bit 2 set.
*/
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_read_opts o = fuzz_read_opts(DS_FMT_TEXT, size);
  o.bLatin1 = (size & 4) != 0;
  fuzz_parse_opts(data, size, &o);
  return 0;
}
