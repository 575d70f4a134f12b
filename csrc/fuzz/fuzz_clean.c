/*
** fuzz_clean.c -- the plain-text reader with every extraction clean-up rule (ds_clean.h),
** tagging and lemmas (fuzz_read_opts); the input read as ISO 8859-1 when its size has
** bit 2 set. When bit 3 is set, the input's own lines, counted as three documents and
** its halves as two more, are its site's repeated lines (ds_sitelines.h).
*/
#include "fuzz.h"
#include "ds_sitelines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_read_opts o = fuzz_read_opts(DS_FMT_TEXT, size);
  o.bLatin1 = (size & 4) != 0;
  ds_sitelines *site = (size & 8) ? ds_sitelines_new() : NULL;
  if (site) {
    for (int k = 0; k < 3; k++) ds_sitelines_add(site, (const char *)data, size);
    ds_sitelines_add(site, (const char *)data, size / 2);
    ds_sitelines_add(site, (const char *)data + size / 2, size - size / 2);
    ds_sitelines_finish(site, 3, 0.5);
    o.pSite = site;
  }
  fuzz_parse_opts(data, size, &o);
  ds_sitelines_free(site);
  return 0;
}
