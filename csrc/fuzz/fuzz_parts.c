/*
** fuzz_parts.c -- a plain-text input read in tiny parts (ds_parts.h) on arbitrary bytes.
** Byte 0 sets the part size (16 to 1036 bytes), byte 1 the options (bit 0 every clean-up
** rule, bit 1 ISO 8859-1); the rest is the input. The parts must fail exactly when the
** whole input fails to parse, with the same error at the same byte, each part must be well formed (fuzz_check_doc), and their
** tokens' raw offsets must be ranges inside the input, starting in order without
** clean-up (which moves footnotes). (Their ends may overlap the next token's start by a
** byte where NFC expands a UTF-16 character, in a whole document as well: the offset
** maps are proportional.)
*/
#include "ds_offmap.h"
#include "ds_parts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  size_t nPart = 16 + (size_t)data[0] * 4;
  ds_read_opts o = fuzz_read_opts(DS_FMT_TEXT, 0);
  if (!(data[1] & 1)) o.cleanRules = 0;
  o.bLatin1 = (data[1] & 2) != 0;
  o.pTagger = NULL;
  o.pLemma = NULL;
  const char *z = (const char *)data + 2;
  size_t n = size - 2;
  ds_doc *d;
  ds_error e;
  int rcWhole = ds_parse_and_tag(z, n, &o, &d, &e);
  int64_t offWhole = e.offset;
  if (rcWhole == DS_OK) ds_doc_free(d);
  ds_parts p;
  FUZZ_CHECK(ds_parts_open(&p, NULL, z, n, &o, nPart, NULL, &e) == DS_OK);
  int rc, flags;
  int64_t base;
  int64_t prevStart = -1;
  while ((rc = ds_parts_next(&p, &d, &flags, &base, &e)) == DS_OK) {
    fuzz_check_doc(d, NULL);
    FUZZ_CHECK(base >= -2 && base <= (int64_t)n);
    ds_offmap m = {d->aMap, d->nMap, d->nMap};
    for (size_t t = 0; t < d->nTok && d->aMap; t++) {
      int64_t a = base + (int64_t)ds_offmap_start(&m, d->aTok[t].start);
      int64_t b = base + (int64_t)ds_offmap_end(&m, d->aTok[t].end);
      FUZZ_CHECK(a >= 0 && a <= b && b <= (int64_t)n);
      if (!o.cleanRules) FUZZ_CHECK(a > prevStart);
      prevStart = a;
    }
    ds_doc_free(d);
  }
  ds_parts_close(&p);
  FUZZ_CHECK((rc == DS_DONE) == (rcWhole == DS_OK));
  /* the same error at the same byte of the whole input */
  if (rc != DS_DONE) FUZZ_CHECK(rc == rcWhole && e.offset == offWhole && e.offset < (int64_t)n);
  return 0;
}
