/*
** fuzz_markdown.c -- the Markdown reader (libcmark, YAML front matter with libyaml)
** through the whole pipeline (fuzz_read_opts).
*/
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_read_opts o = fuzz_read_opts(DS_FMT_MARKDOWN, size);
  fuzz_parse_opts(data, size, &o);
  return 0;
}
