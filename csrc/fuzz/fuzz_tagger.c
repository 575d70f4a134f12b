/*
** fuzz_tagger.c -- ds_tagger_load_mem (the model envelope of ds_model.c, then the
** tagger's tables) on damaged copies of the shipped model
** (corpus/models/en-ewt.tagger, or $DS_FUZZ_MODELS/en-ewt.tagger; see fuzz_model_image
** for the input). A model it refuses must give DS_FORMAT, DS_CORRUPT or
** DS_VERSION_MISMATCH with a message naming it; a model it takes must tag any sentence
** with ids of its own tag sets, whose names CoNLL-U can hold, and the same through the
** per-word cache (ds_tagger_tag_cached).
*/
#include "fuzz.h"

static unsigned char *aBase, aMini[208];
static size_t nBase;
static const fuzz_model_fmt fmt = {64, 48, 56};

/*
** A small valid model (ds_tagger.h): 4 classes over 2 UPOS and 2 XPOS tags, 8 feature
** slots (two sparse, one dense row), 6 weight entries, 4 lexicon slots, the names.
*/
static void make_mini(void) {
  static const char zNames[] = "NOUN\0VERB\0NN\0VB\0";   /* 16 bytes */
  unsigned char *p = aMini, *q = p + 64;
  memcpy(p, "DSTAGGER", 8);
  fuzz_put_u32(p + 8, DS_TAGGER_VERSION);
  fuzz_put_u32(p + 12, 4);     /* nClass */
  fuzz_put_u32(p + 16, 2);     /* nUpos */
  fuzz_put_u32(p + 20, 2);     /* nXpos */
  fuzz_put_u32(p + 24, 8);     /* nFeatSlot */
  fuzz_put_u32(p + 28, 6);     /* nEntry */
  fuzz_put_u32(p + 32, 4);     /* nLexSlot */
  fuzz_put_u32(p + 36, sizeof zNames - 1);
  static const unsigned char aClass[8] = {0, 0, 0, 1, 1, 0, 1, 1};
  memcpy(q, aClass, 8);
  q += 8;
  const uint32_t aFeat[16] = {0x1001, 0 << 8 | 2, 0, 0, 0x2003, 2 << 8 | 2,
                              0x3005, 4 << 8 | DS_TAGGER_DENSE, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 16; i++, q += 4) fuzz_put_u32(q, aFeat[i]);
  const uint32_t aEntry[6] = {0 | 64u << 8, 2 | (uint32_t)-32 << 8, 1 | 5u << 8, 3 | 7u << 8,
                              0x00400010, 0xFFF00020};
  for (int i = 0; i < 6; i++, q += 4) fuzz_put_u32(q, aEntry[i]);
  const uint32_t aLex[8] = {0x7001, 3u << 8 | 2, 0, 0, 0x7003, 5u << 8, 0, 0};
  for (int i = 0; i < 8; i++, q += 4) fuzz_put_u32(q, aLex[i]);
  memcpy(q, zNames, sizeof zNames - 1);
  q += sizeof zNames - 1;
  if ((size_t)(q - p) != sizeof aMini) abort();   /* the layout above and the size agree */
  fuzz_model_seal(aMini, sizeof aMini, &fmt);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *zModels = getenv("DS_FUZZ_MODELS");
  char z[1024];
  snprintf(z, sizeof z, "%s/en-ewt.tagger", zModels ? zModels : "corpus/models");
  aBase = fuzz_slurp(z, &nBase);
  make_mini();
  ds_tagger *t;
  ds_error e;
  if (ds_tagger_load_mem(aMini, sizeof aMini, "mini", &t, &e)) {
    fprintf(stderr, "fuzz_tagger: the small model does not load: %s\n", e.msg);
    abort();
  }
  ds_tagger_free(t);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const azFixed[] = {"The", "U.S.", "envoy", "met", "Xi", "in", "2023",
                                        ",", "did", "n't", "he", "?", "\xE2\x80\x9C", ""};
  const char *az[32];
  size_t an[32], nTok = 0, n;
  uint8_t aUp[32], aXp[32];
  ds_tagger *t;
  ds_error e;
  unsigned char *p = fuzz_model_image(aBase, nBase, aMini, sizeof aMini, &fmt, data, size, &n);
  int rc = ds_tagger_load_mem(p, n, "fuzz.tagger", &t, &e);
  free(p);
  if (rc) {
    FUZZ_CHECK(t == NULL && e.code == rc && strstr(e.msg, "fuzz.tagger"));
    FUZZ_CHECK(rc == DS_FORMAT || rc == DS_CORRUPT || rc == DS_VERSION_MISMATCH);
    return 0;
  }
  int nUp = ds_tagger_nupos(t), nXp = ds_tagger_nxpos(t);
  FUZZ_CHECK(nUp > 0 && nUp <= 255 && nXp > 0 && nXp <= 255);
  for (int i = 0; i < nUp; i++) {
    const char *zName = ds_tagger_upos_name(t, i);
    FUZZ_CHECK(zName && fuzz_column_ok(zName, strlen(zName)));
  }
  for (int i = 0; i < nXp; i++) {
    const char *zName = ds_tagger_xpos_name(t, i);
    FUZZ_CHECK(zName && fuzz_column_ok(zName, strlen(zName)));
  }
  FUZZ_CHECK(!ds_tagger_upos_name(t, nUp) && !ds_tagger_xpos_name(t, nXp));
  for (size_t i = 0; i < sizeof azFixed / sizeof *azFixed; i++, nTok++) {
    az[nTok] = azFixed[i];
    an[nTok] = strlen(azFixed[i]);
  }
  /* and the input's bytes cut in pieces: words the model has never seen */
  for (size_t i = 0; i < size && nTok < 32; i += 7, nTok++) {
    az[nTok] = (const char *)data + i;
    an[nTok] = size - i < 7 ? size - i : 7;
  }
  FUZZ_CHECK(ds_tagger_tag(t, az, an, nTok, aUp, aXp) == DS_OK);
  for (size_t i = 0; i < nTok; i++) FUZZ_CHECK(aUp[i] < nUp && aXp[i] < nXp);
  /* a damaged model's sums through the per-word cache give the very same tags, twice
     (the second time from the cache), with a cache of a few slots that evicts too */
  uint8_t aUpC[32], aXpC[32];
  for (size_t nSlot = 0; nSlot <= 2; nSlot += 2) {
    ds_tagger_cache *c = ds_tagger_cache_new(t, nSlot);
    for (int round = 0; c && round < 2; round++) {
      FUZZ_CHECK(ds_tagger_tag_cached(t, c, az, an, nTok, aUpC, aXpC) == DS_OK);
      FUZZ_CHECK(memcmp(aUp, aUpC, nTok) == 0 && memcmp(aXp, aXpC, nTok) == 0);
    }
    ds_tagger_cache_free(c);
  }
  ds_tagger_free(t);
  return 0;
}
