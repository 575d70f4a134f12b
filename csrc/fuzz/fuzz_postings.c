/*
** fuzz_postings.c -- a posting-list blob from a damaged corpus file: decoding it whole
** and reading it with a cursor that seeks must agree, and never read past the blob.
** Input: byte 0 picks the seek targets' spacing; the rest is the blob.
*/
#include "fuzz.h"
#include "ds_postings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int64_t *a = NULL, pos;
  size_t n = 0, nAlloc = 0;
  int rc = ds_postings_decode(data + 1, size - 1, &a, &n, &nAlloc);
  if (rc == DS_OK) {
    /* the positions ascend, and seeking finds each of them from the start */
    for (size_t i = 1; i < n; i++) FUZZ_CHECK(a[i] > a[i - 1]);
    ds_postcur c;
    FUZZ_CHECK(ds_postcur_init(&c, data + 1, size - 1) == DS_OK);
    size_t step = 1 + data[0] % 16;
    for (size_t i = 0; i < n; i += step) {
      FUZZ_CHECK(ds_postcur_seek(&c, a[i], &pos) == DS_OK && pos == a[i]);
    }
    FUZZ_CHECK(ds_postcur_seek(&c, n ? a[n - 1] + 1 : 0, &pos) == DS_DONE);
  } else {
    FUZZ_CHECK(rc == DS_CORRUPT || rc == DS_NOMEM);
    /* a cursor on a damaged blob may stop anywhere, but only with an answer */
    ds_postcur c;
    if (ds_postcur_init(&c, data + 1, size - 1) == DS_OK)
      for (int k = 0; k < 1000 && ds_postcur_seek(&c, (int64_t)k * (1 + data[0]), &pos) == DS_OK; k++) {}
  }
  free(a);
  return 0;
}
