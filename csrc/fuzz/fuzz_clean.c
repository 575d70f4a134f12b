/*
** fuzz_clean.c -- the reader with every extraction clean-up rule (ds_clean.h), with the
** English word list ($DS_FUZZ_LEXICON, default corpus/lexicon) and, on odd-sized
** inputs, without it. The document must keep the contract of fuzz_check_doc, and the
** map back to the text before clean-up must run forward inside the clean text.
*/
#include "ds_parse.h"
#include "fuzz.h"

static ds_langdata *lang;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *zDir = getenv("DS_FUZZ_LEXICON") ? getenv("DS_FUZZ_LEXICON") : "corpus/lexicon";
  ds_error e;
  if (ds_langdata_load(zDir, &lang, &e)) fprintf(stderr, "fuzz_clean: no word list: %s\n", e.msg);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_read_opts o = {"fuzz", DS_CLEAN_ALL, size & 1 ? NULL : lang};
  ds_doc *d;
  ds_error e;
  int rc = ds_parse((const char *)data, size, &o, &d, &e);
  if (rc) {
    FUZZ_CHECK(d == NULL && (rc == DS_UTF8 || rc == DS_FORMAT || rc == DS_NOMEM));
    return 0;
  }
  fuzz_check_doc(d, "doc");
  for (size_t i = 0; 2 * i + 1 < d->nMap; i++)   /* nMap counts both halves of the pairs */
    FUZZ_CHECK(d->aMap[2 * i] <= d->nText && (i == 0 || d->aMap[2 * i - 2] <= d->aMap[2 * i]));
  ds_doc_free(d);
  return 0;
}
