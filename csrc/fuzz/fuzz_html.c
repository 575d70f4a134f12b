/*
** fuzz_html.c -- the HTML reader (libgumbo: text blocks, headings, <title>, <meta> and
** <time> metadata) through the whole pipeline (fuzz_read_opts).
*/
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_read_opts o = fuzz_read_opts(DS_FMT_HTML, size);
  fuzz_parse_opts(data, size, &o);
  return 0;
}
