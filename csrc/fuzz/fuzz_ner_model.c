/*
** fuzz_ner_model.c -- ds_ner_load_mem (the model envelope of ds_model.c, then the NER
** model's tables) on damaged copies of a small valid model made here and of the shipped
** one (corpus/models/en-uner.ner, or $DS_FUZZ_MODELS/en-uner.ner; see fuzz_model_image
** in fuzz.h for how the input damages them). A model it refuses must give DS_FORMAT,
** DS_CORRUPT or DS_VERSION_MISMATCH with a message naming it; a model it takes must tag
** any document, adding only ent spans of PERSON, ORG or LOC inside one sentence, with
** source "model" and an id that is the span's text.
*/
#include "fuzz.h"
#include "ds_ner.h"

static unsigned char *aBase, aMini[64 + 8 * 8 + 2 * 16 * 2 + 8 * 4];
static size_t nBase;
static const fuzz_model_fmt fmt = {64, 48, 56};

/*
** A small valid model (ds_ner.h): BILOU, full features, 8 feature slots of which two
** are used, 2 weight rows, 4 word-class slots (one used).
*/
static void make_mini(void) {
  unsigned char *p = aMini, *q = p + 64;
  memset(aMini, 0, sizeof aMini);
  memcpy(p, "DSNERMOD", 8);
  fuzz_put_u32(p + 8, DS_NER_VERSION);
  fuzz_put_u32(p + 12, DS_NER_BILOU);
  fuzz_put_u32(p + 16, DS_NER_FEATS_FULL);
  fuzz_put_u32(p + 20, 8);     /* nFeatSlot */
  fuzz_put_u32(p + 24, 2);     /* nRow */
  fuzz_put_u32(p + 28, 4);     /* nWordSlot */
  const uint32_t aFeat[16] = {0x1001, 0, 0, 0, 0x2003, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 16; i++, q += 4) fuzz_put_u32(q, aFeat[i]);
  const int16_t aRow[32] = {64, 0, 0, 0, 300, -20, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0,
                            -5, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 32; i++, q += 2) {
    q[0] = (unsigned char)((uint16_t)aRow[i] & 0xFF);
    q[1] = (unsigned char)((uint16_t)aRow[i] >> 8);
  }
  const uint32_t aWord[8] = {0x7001, 0x00120345, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 8; i++, q += 4) fuzz_put_u32(q, aWord[i]);
  if ((size_t)(q - p) != sizeof aMini) abort();   /* the layout above and the size agree */
  fuzz_model_seal(aMini, sizeof aMini, &fmt);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *zModels = getenv("DS_FUZZ_MODELS");
  char z[1024];
  snprintf(z, sizeof z, "%s/en-uner.ner", zModels ? zModels : "corpus/models");
  aBase = fuzz_slurp(z, &nBase);
  make_mini();
  ds_ner *m;
  ds_error e;
  if (ds_ner_load_mem(aMini, sizeof aMini, "mini", &m, &e)) {
    fprintf(stderr, "fuzz_ner_model: the small model does not load: %s\n", e.msg);
    abort();
  }
  ds_ner_free(m);
  return 0;
}

/* Every span the recognizer added is well formed (see the comment at the top). */
static void check_spans(const ds_doc *d, size_t nSpan0) {
  for (size_t i = nSpan0; i < d->nSpan; i++) {
    const ds_docspan *s = &d->aSpan[i];
    FUZZ_CHECK(s->kind == DS_SPAN_ENT && s->first < s->last && s->last <= d->nTok);
    const char *zType = ds_docspan_value(d, s, 0);
    FUZZ_CHECK(!strcmp(zType, "PERSON") || !strcmp(zType, "ORG") || !strcmp(zType, "LOC"));
    FUZZ_CHECK(!strcmp(ds_docspan_value(d, s, 4), "model"));
    FUZZ_CHECK(!strcmp(ds_docspan_value(d, s, 1), ds_docspan_value(d, s, 2)));
    int bIn = 0;
    for (size_t k = 0; k < d->nSent; k++)
      bIn |= d->aSent[k].first <= s->first && s->last <= d->aSent[k].last;
    FUZZ_CHECK(bIn);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char zFixed[] = "Alexander Gabuev of the Carnegie Endowment met officials in "
                               "Astana. Huawei and   Rosatom \xE2\x80\x9C signed \xE2\x80\x9D it";
  ds_ner *m;
  ds_error e;
  size_t n;
  unsigned char *p = fuzz_model_image(aBase, nBase, aMini, sizeof aMini, &fmt, data, size, &n);
  int rc = ds_ner_load_mem(p, n, "fuzz.ner", &m, &e);
  free(p);
  if (rc) {
    FUZZ_CHECK(m == NULL && e.code == rc && strstr(e.msg, "fuzz.ner"));
    FUZZ_CHECK(rc == DS_FORMAT || rc == DS_CORRUPT || rc == DS_VERSION_MISMATCH);
    return 0;
  }
  int nClass = ds_ner_nclass(m);
  FUZZ_CHECK(nClass == 7 || nClass == 13);
  /* a parsed sentence, with a span already there that the model must leave alone */
  ds_doc *d;
  FUZZ_CHECK(ds_parse_text(zFixed, sizeof zFixed - 1, "fixed", &d, &e) == DS_OK);
  static const char *const azLex[5] = {"ORG", "Q1", "Carnegie", "US", "lexicon"};
  if (d->nTok > 5) FUZZ_CHECK(ds_doc_add_span(d, DS_SPAN_ENT, 4, 6, azLex) == DS_OK);
  size_t nSpan0 = d->nSpan;
  FUZZ_CHECK(ds_ner_tag(m, d) == DS_OK);
  check_spans(d, nSpan0);
  for (size_t i = nSpan0; i < d->nSpan; i++)
    FUZZ_CHECK(nSpan0 == 0 || d->aSpan[i].last <= 4 || d->aSpan[i].first >= 6);
  ds_doc_free(d);
  /* and the input's bytes cut in pieces as tokens, one sentence: words never seen */
  d = ds_doc_new();
  FUZZ_CHECK(d != NULL);
  d->zText = ds_malloc(size + 1);
  FUZZ_CHECK(d->zText != NULL);
  if (size) memcpy(d->zText, data, size);
  d->zText[size] = 0;
  d->nText = size;
  for (size_t i = 0; i < size && d->nTok < 40; i += 5)
    FUZZ_CHECK(ds_doc_add_token(d, (uint32_t)i, (uint32_t)(size - i < 5 ? size : i + 5), 0) == DS_OK);
  if (d->nTok) FUZZ_CHECK(ds_doc_add_sentence(d, 0, (uint32_t)d->nTok) == DS_OK);
  FUZZ_CHECK(ds_ner_tag(m, d) == DS_OK);
  check_spans(d, 0);
  ds_doc_free(d);
  ds_ner_free(m);
  return 0;
}
