/*
** fuzz_conllu_read.c -- the CoNLL-U treebank reader (ds_conllu_read.h) on arbitrary
** files. A bank must hold non-empty sentences end to end and fields that are strings
** inside its buffer, without the tabs and line breaks that delimit them.
*/
#include "ds_conllu_read.h"
#include "fuzz.h"

static const char *zPath;

static void check_field(const ds_conllu_bank *b, size_t size, const char *z) {
  FUZZ_CHECK(z >= b->zData && z <= b->zData + size);
  FUZZ_CHECK(!strchr(z, '\t') && !strchr(z, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ds_conllu_bank *b;
  ds_error e;
  if (!zPath) zPath = fuzz_tmp_path("conllu");
  FILE *f = fopen(zPath, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f)) abort();
  int rc = ds_conllu_read(zPath, &b, &e);
  if (rc) {
    FUZZ_CHECK(b == NULL && (rc == DS_FORMAT || rc == DS_NOMEM));
    return 0;
  }
  FUZZ_CHECK(b->aiSent[0] == 0 && b->aiSent[b->nSent] == b->nWord);
  for (size_t s = 0; s < b->nSent; s++) FUZZ_CHECK(b->aiSent[s] < b->aiSent[s + 1]);
  for (size_t i = 0; i < b->nWord; i++) {
    const ds_conllu_word *w = &b->aWord[i];
    check_field(b, size, w->zForm);
    check_field(b, size, w->zLemma);
    check_field(b, size, w->zUpos);
    check_field(b, size, w->zXpos);
    FUZZ_CHECK(strlen(w->zForm) == w->nForm);
  }
  ds_conllu_bank_free(b);
  return 0;
}
