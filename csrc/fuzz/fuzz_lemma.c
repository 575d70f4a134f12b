/*
** fuzz_lemma.c -- ds_lemma_load_mem (the model envelope of ds_model.c, then the
** lemma tables) on damaged copies of the shipped lemma data
** (corpus/models/en-ewt.lemmas, or $DS_FUZZ_MODELS/en-ewt.lemmas; see fuzz_model_image
** for the input). Refused: DS_FORMAT, DS_CORRUPT or DS_VERSION_MISMATCH, naming the
** file. Taken: every lemma of a UTF-8 word is UTF-8 that CoNLL-U can hold.
*/
#include "fuzz.h"

static unsigned char *aBase, aMini[48 + 32 + 16 + 12];
static size_t nBase;
static const fuzz_model_fmt fmt = {48, 32, 40};

/*
** A small valid lemma file (ds_lemma.h): 4 lexicon slots (`was`/AUX -> be from the
** pool, `Was`/NOUN -> the form lower-cased), 4 known-lemma slots, a 12-byte pool.
*/
static void make_mini(void) {
  unsigned char *p = aMini, *q = p + 48;
  memcpy(p, "DSLEMMAS", 8);
  fuzz_put_u32(p + 8, DS_LEMMA_VERSION);
  fuzz_put_u32(p + 12, 4);
  fuzz_put_u32(p + 16, 4);
  fuzz_put_u32(p + 20, 12);
  uint32_t aLex[8] = {0}, aSet[4] = {0};
  uint64_t h = ds_lemma_hash("was", 3, DS_LEMMA_K_EXACT + (unsigned)ds_lemma_upos_id("AUX"));
  uint32_t i = (uint32_t)h & 3;
  aLex[2 * i] = (uint32_t)(h >> 32) | 1u, aLex[2 * i + 1] = 0 << 2 | 0;      /* "be" */
  h = ds_lemma_hash("Was", 3, DS_LEMMA_K_EXACT + (unsigned)ds_lemma_upos_id("NOUN"));
  i = ((uint32_t)h & 3) == i ? (i + 1) & 3 : (uint32_t)h & 3;
  aLex[2 * i] = (uint32_t)(h >> 32) | 1u, aLex[2 * i + 1] = 1;              /* lower */
  h = ds_lemma_hash("run", 3, DS_LEMMA_K_SET + DS_LEMMA_P_VERB);
  aSet[(uint32_t)h & 3] = (uint32_t)(h >> 32) | 1u;
  for (int k = 0; k < 8; k++, q += 4) fuzz_put_u32(q, aLex[k]);
  for (int k = 0; k < 4; k++, q += 4) fuzz_put_u32(q, aSet[k]);
  memcpy(q, "be\0run\0goes\0", 12);
  fuzz_model_seal(aMini, sizeof aMini, &fmt);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *zModels = getenv("DS_FUZZ_MODELS");
  char z[1024];
  snprintf(z, sizeof z, "%s/en-ewt.lemmas", zModels ? zModels : "corpus/models");
  aBase = fuzz_slurp(z, &nBase);
  make_mini();
  ds_lemmatizer *l;
  ds_error e;
  if (ds_lemma_load_mem(aMini, sizeof aMini, "mini", &l, &e)) {
    fprintf(stderr, "fuzz_lemma: the small lemma file does not load: %s\n", e.msg);
    abort();
  }
  ds_lemma_free(l);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const azWord[] = {"was", "n't", "her", "geese", "went", "better",
                                       "Americans", "running", "12,000", "Countries", "I",
                                       "studies", "\xC3\x89tats", "e-mail"};
  static const char *const azUpos[] = {"NOUN", "VERB", "AUX", "ADJ", "ADV", "PROPN", "NUM",
                                       "PRON", "PART", "PUNCT", "X", "bogus", NULL};
  static const char *const azXpos[] = {NULL, "NNS", "VBD", "VBG", "NNPS", "JJR", "PRP$", "CD"};
  size_t n;
  ds_lemmatizer *l;
  ds_error e;
  unsigned char *p = fuzz_model_image(aBase, nBase, aMini, sizeof aMini, &fmt, data, size, &n);
  int rc = ds_lemma_load_mem(p, n, "fuzz.lemmas", &l, &e);
  free(p);
  if (rc) {
    FUZZ_CHECK(l == NULL && e.code == rc && strstr(e.msg, "fuzz.lemmas"));
    FUZZ_CHECK(rc == DS_FORMAT || rc == DS_CORRUPT || rc == DS_VERSION_MISMATCH);
    return 0;
  }
  ds_buf out = DS_BUF_INIT;
  for (size_t w = 0; w < sizeof azWord / sizeof *azWord; w++)
    for (size_t u = 0; u < sizeof azUpos / sizeof *azUpos; u++)
      for (size_t x = 0; x < sizeof azXpos / sizeof *azXpos; x++) {
        out.n = 0;
        FUZZ_CHECK(ds_lemmatize(l, azWord[w], strlen(azWord[w]), azUpos[u], azXpos[x], &out) == DS_OK);
        FUZZ_CHECK(fuzz_column_ok((const char *)out.p, out.n));
      }
  ds_buf_free(&out);
  ds_lemma_free(l);
  return 0;
}
