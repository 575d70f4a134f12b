/*
** test_tagger.c -- the POS tagger and the lemmatizer on UD English EWT test.
**
**   build/test_tagger DATA_DIR [TEXT ...]   (e.g. ../shared/data; from the project root)
**
** Loads corpus/models/en-ewt.tagger and en-ewt.lemmas, tags EWT test with gold tokens
** and checks accuracy floors a little below the figures in corpus/models/PROVENANCE.md;
** then that a ds_tagger_cache changes no tag, damaged and foreign model files, and
** hostile tokens. Each TEXT (a file, or a directory of them) is parsed and tagged with
** and without a cache, which must agree on every token. Prints accuracies and tokens/s
** (CPU time) but asserts no speed: the machine may be busy.
*/
#include "ds_annotate.h"
#include "ds_conllu_read.h"
#include "ds_parse.h"
#include "ds_lemma.h"
#include "ds_model.h"
#include "ds_parse.h"
#include "ds_tagger.h"
#include "tests.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAGGER_PATH "corpus/models/en-ewt.tagger"
#define LEMMAS_PATH "corpus/models/en-ewt.lemmas"

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Read a whole file (for the damaged-copy tests); NULL on failure. */
static unsigned char *read_all(const char *zPath, size_t *pn) {
  FILE *f = fopen(zPath, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *p = malloc((size_t)n + 1);
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
  fclose(f);
  *pn = (size_t)n;
  return p;
}

static void write_all(const char *zPath, const void *p, size_t n) {
  FILE *f = fopen(zPath, "wb");
  if (f) {
    fwrite(p, 1, n, f);
    fclose(f);
  }
}

/*
** Accuracy on EWT test: UPOS >= 95.6%, XPOS >= 94.9%, lemma (with the tagger's tags)
** >= 97.0% (measured 95.81 / 95.15 / 97.30).
*/
static void test_accuracy(const ds_tagger *t, const ds_lemmatizer *l, const char *zData) {
  char zPath[4096];
  snprintf(zPath, sizeof zPath, "%s/ud-english-ewt/en_ewt-ud-test.conllu", zData);
  FILE *f = fopen(zPath, "rb");
  if (!f) {      /* evaluation data lives outside the project (README, "Tests") */
    printf("skipped: accuracy on EWT test (no %s; run with ../shared/data beside the clone: "
           "make test SHARED=DIR)\n", zPath);
    return;
  }
  fclose(f);
  ds_conllu_bank *b;
  ds_error e;
  int rc = ds_conllu_read(zPath, &b, &e);
  check(rc == DS_OK, "read %s: %s", zPath, e.msg);
  if (rc) return;
  const char **az = malloc(b->nWord * sizeof *az);
  size_t *an = malloc(b->nWord * sizeof *an);
  uint8_t *au = malloc(b->nWord), *ax = malloc(b->nWord);
  for (size_t i = 0; i < b->nWord; i++) {
    az[i] = b->aWord[i].zForm;
    an[i] = b->aWord[i].nForm;
  }
  double best = 1e9;
  for (int r = 0; r < 5; r++) {
    double t0 = cpu_now();
    for (size_t s = 0; s < b->nSent; s++) {
      size_t i = b->aiSent[s];
      rc = ds_tagger_tag(t, az + i, an + i, b->aiSent[s + 1] - i, au + i, ax + i);
      if (rc) break;
    }
    double dt = cpu_now() - t0;
    if (dt < best) best = dt;
  }
  check(rc == DS_OK, "ds_tagger_tag returned %d", rc);
  /* with a cache, new for each run: EWT test is small, so most words are first seen */
  uint8_t *auC = malloc(b->nWord), *axC = malloc(b->nWord);
  double bestC = 1e9;
  for (int r = 0; r < 5; r++) {
    ds_tagger_cache *tc = ds_tagger_cache_new(t, 0);
    check(tc != NULL, "ds_tagger_cache_new");
    double t0 = cpu_now();
    for (size_t s = 0; s < b->nSent && tc; s++) {
      size_t i = b->aiSent[s];
      rc = ds_tagger_tag_cached(t, tc, az + i, an + i, b->aiSent[s + 1] - i, auC + i, axC + i);
      if (rc) break;
    }
    double dt = cpu_now() - t0;
    if (dt < bestC) bestC = dt;
    ds_tagger_cache_free(tc);
  }
  check(rc == DS_OK && memcmp(au, auC, b->nWord) == 0 && memcmp(ax, axC, b->nWord) == 0,
        "EWT test: the cache changed tags");
  free(auC);
  free(axC);
  size_t okU = 0, okX = 0, okL = 0;
  ds_buf out = DS_BUF_INIT;
  double tl = 0;
  for (size_t i = 0; i < b->nWord; i++) {
    const ds_conllu_word *w = &b->aWord[i];
    const char *zU = ds_tagger_upos_name(t, au[i]), *zX = ds_tagger_xpos_name(t, ax[i]);
    okU += strcmp(zU, w->zUpos) == 0;
    okX += strcmp(zX, w->zXpos) == 0;
    ds_buf_reset(&out);
    double t0 = cpu_now();
    ds_lemmatize(l, w->zForm, w->nForm, zU, zX, &out);
    tl += cpu_now() - t0;
    okL += out.n == strlen(w->zLemma) && memcmp(out.p, w->zLemma, out.n) == 0;
  }
  double pu = 100.0 * (double)okU / (double)b->nWord, px = 100.0 * (double)okX / (double)b->nWord;
  double pl = 100.0 * (double)okL / (double)b->nWord;
  printf("EWT test, %zu words: UPOS %.2f%%  XPOS %.2f%%  lemma %.2f%%\n", b->nWord, pu, px, pl);
  printf("tagging: %.0f tokens/s (CPU time, best of 5)\n", (double)b->nWord / best);
  printf("tagging with a new ds_tagger_cache: %.0f tokens/s (CPU time, best of 5)\n",
         (double)b->nWord / bestC);
  printf("lemmatizing: %.0f tokens/s (CPU time)\n", (double)b->nWord / tl);
  check(pu >= 95.6, "UPOS accuracy %.2f%% below 95.6%%", pu);
  check(px >= 94.9, "XPOS accuracy %.2f%% below 94.9%%", px);
  check(pl >= 97.0, "lemma accuracy %.2f%% below 97.0%%", pl);
  ds_buf_free(&out);
  free(az);
  free(an);
  free(au);
  free(ax);
  ds_conllu_bank_free(b);
}

/* Some sentences whose tags are beyond doubt, and lemmas of inflected words. */
static void test_examples(const ds_tagger *t, const ds_lemmatizer *l) {
  const char *az[] = {"The", "children", "were", "running", "to", "the", "houses", "."};
  size_t an[8];
  uint8_t au[8], ax[8];
  for (int i = 0; i < 8; i++) an[i] = strlen(az[i]);
  check(ds_tagger_tag(t, az, an, 8, au, ax) == DS_OK, "tag");
  const char *azU[] = {"DET", "NOUN", "AUX", "VERB", "ADP", "DET", "NOUN", "PUNCT"};
  const char *azX[] = {"DT", "NNS", "VBD", "VBG", "IN", "DT", "NNS", "."};
  const char *azL[] = {"the", "child", "be", "run", "to", "the", "house", "."};
  ds_buf out = DS_BUF_INIT;
  for (int i = 0; i < 8; i++) {
    check(strcmp(ds_tagger_upos_name(t, au[i]), azU[i]) == 0, "%s: UPOS %s", az[i],
          ds_tagger_upos_name(t, au[i]));
    check(strcmp(ds_tagger_xpos_name(t, ax[i]), azX[i]) == 0, "%s: XPOS %s", az[i],
          ds_tagger_xpos_name(t, ax[i]));
    ds_buf_reset(&out);
    ds_lemmatize(l, az[i], an[i], azU[i], azX[i], &out);
    check(out.n == strlen(azL[i]) && memcmp(out.p, azL[i], out.n) == 0, "%s: lemma %.*s",
          az[i], (int)out.n, (char *)out.p);
  }
  /* unseen words go through the rules; names keep their case */
  static const char *aCase[][4] = {
    {"reorganizing", "VERB", "VBG", "reorganize"}, {"Zorblaxes", "PROPN", "NNPS", "Zorblax"},
    {"Zorblax", "PROPN", "NNP", "Zorblax"}, {"blorped", "VERB", "VBD", "blorp"},
    {"12,000", "NUM", "CD", "12000"}, {"CATS", "NOUN", "NNS", "cat"},
    {"bigger", "ADJ", "JJR", "big"}, {"geese", "NOUN", "NNS", "goose"}, {"ÉCOLES", "NOUN", "NNS", "école"}};
  for (size_t i = 0; i < sizeof aCase / sizeof aCase[0]; i++) {
    ds_buf_reset(&out);
    ds_lemmatize(l, aCase[i][0], strlen(aCase[i][0]), aCase[i][1], aCase[i][2], &out);
    check(out.n == strlen(aCase[i][3]) && memcmp(out.p, aCase[i][3], out.n) == 0,
          "lemma of %s: got %.*s, want %s", aCase[i][0], (int)out.n, (char *)out.p, aCase[i][3]);
  }
  check(ds_tagger_upos_id(t, "NOUN") >= 0 && ds_tagger_xpos_id(t, "NNS") >= 0, "tag ids");
  check(ds_tagger_upos_id(t, "nope") == -1 && ds_tagger_upos_name(t, 999) == NULL, "bad tag ids");
  ds_buf_free(&out);
}

/*
** A thread's memo of lemmas answers as the lemmatizer does: the sample chapter annotated
** with a cold memo, again with it warm, and a third time without one, token for token.
*/
static void test_memo(const ds_tagger *t, const ds_lemmatizer *l) {
  FILE *f = fopen("corpus/seeds/2022-sinkkonen-lassila-digital-authoritarianism.txt", "rb");
  check(f != NULL, "open the sample chapter");
  if (!f) return;
  static char zText[1 << 17];
  size_t n = fread(zText, 1, sizeof zText, f);
  fclose(f);
  ds_read_opts ro = {.zName = "chapter", .format = DS_FMT_TEXT};
  ds_doc *aDoc[3] = {NULL, NULL, NULL};
  ds_lemma_memo *m = ds_lemma_memo_new();
  ds_error e;
  int ok = m != NULL;
  for (int i = 0; i < 3 && ok; i++)
    ok = ds_parse_and_tag(zText, n, &ro, &aDoc[i], &e) == DS_OK &&
         ds_annotate_memo(aDoc[i], t, l, i < 2 ? m : NULL, &e) == DS_OK;
  check(ok, "annotate the chapter three times");
  size_t bad = 0, nTok = ok ? aDoc[0]->nTok : 0;
  for (size_t k = 0; k < nTok; k++) {
    size_t a, b, c;
    const char *z0 = ds_doc_lemma(aDoc[0], k, &a), *z1 = ds_doc_lemma(aDoc[1], k, &b);
    const char *z2 = ds_doc_lemma(aDoc[2], k, &c);
    bad += a != c || b != c || memcmp(z0, z2, c) != 0 || memcmp(z1, z2, c) != 0;
  }
  check(nTok > 5000 && bad == 0, "memo cold, warm and none: %zu of %zu lemmas differ", bad, nTok);
  for (int i = 0; i < 3; i++) ds_doc_free(aDoc[i]);
  ds_lemma_memo_free(m);
}

/* Missing, truncated, damaged and foreign files give a clear error naming the file. */
static void test_bad_files(void) {
  ds_tagger *t = (ds_tagger *)1;
  ds_lemmatizer *l = (ds_lemmatizer *)1;
  ds_error e;
  int rc = ds_tagger_load("corpus/models/no-such.tagger", &t, &e);
  check(rc == DS_IO && t == NULL && strstr(e.msg, "no-such.tagger"), "missing: %d %s", rc, e.msg);
  rc = ds_lemma_load("corpus/models/no-such.lemmas", &l, &e);
  check(rc == DS_IO && l == NULL && strstr(e.msg, "no-such.lemmas"), "missing: %d %s", rc, e.msg);
  rc = ds_tagger_load(LEMMAS_PATH, &t, &e);   /* a foreign file */
  check(rc == DS_FORMAT && strstr(e.msg, "en-ewt.lemmas") && strstr(e.msg, "not a"),
        "foreign: %d %s", rc, e.msg);
  rc = ds_lemma_load(TAGGER_PATH, &l, &e);
  check(rc == DS_FORMAT && strstr(e.msg, "en-ewt.tagger"), "foreign: %d %s", rc, e.msg);
  rc = ds_tagger_load("csrc", &t, &e);   /* a directory */
  check(rc == DS_IO && strstr(e.msg, "csrc"), "directory: %d %s", rc, e.msg);

  size_t n;
  unsigned char *p = read_all(TAGGER_PATH, &n);
  check(p != NULL, "read %s", TAGGER_PATH);
  if (!p) return;
  const char *zTmp = "build/test_tagger.tmp";
  size_t cut[] = {0, 5, 40, 64, 100, n / 2, n - 1};
  for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
    write_all(zTmp, p, cut[i]);
    rc = ds_tagger_load(zTmp, &t, &e);
    check(rc != DS_OK && t == NULL && strstr(e.msg, zTmp), "truncated at %zu: %d %s", cut[i], rc,
          e.msg);
  }
  for (size_t off = 64; off < n; off += n / 7) {   /* one flipped byte: checksum */
    p[off] ^= 0x40;
    rc = ds_tagger_load_mem(p, n, "flipped", &t, &e);
    check(rc == DS_CORRUPT && strstr(e.msg, "checksum"), "flip at %zu: %d %s", off, rc, e.msg);
    p[off] ^= 0x40;
  }
  p[8] = 99;   /* a newer format */
  rc = ds_tagger_load_mem(p, n, "newer", &t, &e);
  check(rc == DS_VERSION_MISMATCH, "newer version: %d %s", rc, e.msg);
  free(p);
  p = read_all(LEMMAS_PATH, &n);
  if (p) {
    write_all(zTmp, p, n - 3);
    rc = ds_lemma_load(zTmp, &l, &e);
    check(rc == DS_CORRUPT && l == NULL && strstr(e.msg, zTmp), "lemmas truncated: %d %s", rc, e.msg);
    p[100] ^= 1;
    rc = ds_lemma_load_mem(p, n, "flipped", &l, &e);
    check(rc == DS_CORRUPT, "lemmas flipped: %d %s", rc, e.msg);
    free(p);
  }
  remove(zTmp);
}

/* Tagging and lemmatizing never fail on odd tokens, and long sentences work. */
static void test_hostile(const ds_tagger *t, const ds_lemmatizer *l) {
  static char big[10240 + 1];
  memset(big, 'A', 10240);
  for (int i = 0; i < 10240; i += 7) big[i] = (char)(0x80 | (i & 0x3F));   /* stray bytes */
  const char *az[] = {"", big, "Москва", "東京", "😀", "\xF0\x9F", "\xFF\xFE", "a-b-c-",
                      "-", "1,000,000", "U.S.", "e-mail@example.com", "\t", "ʼ"};
  enum { N = sizeof az / sizeof az[0] };
  size_t an[N];
  uint8_t au[N], ax[N];
  for (int i = 0; i < N; i++) an[i] = i == 1 ? 10240 : strlen(az[i]);
  check(ds_tagger_tag(t, az, an, N, au, ax) == DS_OK, "hostile sentence");
  ds_buf out = DS_BUF_INIT;
  for (int i = 0; i < N; i++) {
    check(au[i] < ds_tagger_nupos(t) && ax[i] < ds_tagger_nxpos(t), "tag ids of token %d", i);
    for (int u = 0; u < ds_tagger_nupos(t); u++) {
      ds_buf_reset(&out);
      check(ds_lemmatize(l, az[i], an[i], ds_tagger_upos_name(t, u), i % 2 ? NULL : "NNS", &out) == DS_OK,
            "lemmatize token %d", i);
    }
  }
  check(ds_tagger_tag(t, az, an, 0, au, ax) == DS_OK, "empty sentence");
  check(ds_tagger_tag(t, az, an, 1, NULL, NULL) == DS_OK, "no outputs");
  check(ds_tagger_tag(NULL, az, an, 1, au, ax) == DS_MISUSE, "NULL tagger");
  check(ds_tagger_tag(t, NULL, an, 1, au, ax) == DS_MISUSE, "NULL words");
  ds_buf_reset(&out);
  check(ds_lemmatize(l, "x", 1, NULL, NULL, &out) == DS_OK && out.n == 1, "NULL UPOS");
  /* a sentence of 100,000 tokens: the tagger keeps nothing per token */
  enum { LONG = 100000 };
  const char **azL = malloc(LONG * sizeof *azL);
  size_t *anL = malloc(LONG * sizeof *anL);
  uint8_t *auL = malloc(LONG);
  const char *azW[] = {"the", "dog", "barks", "and", "runs", ","};
  for (size_t i = 0; i < LONG; i++) {
    azL[i] = azW[i % 6];
    anL[i] = strlen(azL[i]);
  }
  check(ds_tagger_tag(t, azL, anL, LONG, auL, NULL) == DS_OK, "long sentence");
  check(strcmp(ds_tagger_upos_name(t, auL[LONG / 6 * 6 - 6]), "DET") == 0, "long sentence tags");
  free(azL);
  free(anL);
  free(auL);
  ds_buf_free(&out);
}


/* {====== The cache ====== */

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/*
** The cache sums the features in groups: together the groups must be exactly the
** templates, for every window of EWT test (edges of sentences included), whatever the
** previous tags.
*/
static void test_groups(const ds_conllu_bank *b) {
  ds_tagtok *aTok = malloc(b->nWord * sizeof *aTok);
  for (size_t i = 0; i < b->nWord; i++)   /* no lexicon: amb classes are 0 ... */
    ds_tagger_tokinfo(b->aWord[i].zForm, b->aWord[i].nForm, NULL, 0, &aTok[i]);
  for (size_t i = 0; i < b->nWord; i += 7) aTok[i].uLex = (uint32_t)i * 0x9E3779B1u & ~0xFFu;
  size_t nBad = 0, nWin = 0;
  for (size_t s = 0; s < b->nSent; s++) {
    size_t i0 = b->aiSent[s], n = b->aiSent[s + 1] - i0;
    for (size_t i = 0; i < n; i++) {
      const ds_tagtok *win[5];
      for (int k = 0; k < 5; k++) {
        size_t pos = i + (size_t)k;
        win[k] = pos >= 2 && pos - 2 < n ? &aTok[i0 + pos - 2] : NULL;
      }
      int t1 = i ? (int)((i * 7) % 102) : -1, t2 = i > 1 ? (int)((i * 3) % 102) : -1;
      uint64_t a[DS_TAGGER_MAXFEAT], g[DS_TAGGER_MAXFEAT];
      size_t na = ds_tagger_feats(win, t1, t2, a), ng = ds_tagger_feats_grouped(win, t1, t2, g);
      qsort(a, na, sizeof a[0], cmp_u64);
      qsort(g, ng, sizeof g[0], cmp_u64);
      nBad += na != ng || memcmp(a, g, na * sizeof a[0]) != 0;
      nWin++;
    }
  }
  check(nBad == 0 && nWin == b->nWord, "feature groups differ from the templates in %zu of %zu windows",
        nBad, nWin);
  free(aTok);
}

/* Tag az[0..n) with and without cache tc; 1 if every tag agrees. */
static int same_tags(const ds_tagger *t, ds_tagger_cache *tc, const char *const *az, const size_t *an,
                     size_t n) {
  uint8_t au[64], ax[64], auC[64], axC[64];
  if (n > 64) return 0;
  int rc = ds_tagger_tag(t, az, an, n, au, ax);
  int rcC = ds_tagger_tag_cached(t, tc, az, an, n, auC, axC);
  return rc == DS_OK && rcC == DS_OK && memcmp(au, auC, n) == 0 && memcmp(ax, axC, n) == 0;
}

/*
** Words the cache keys with care: longer than its keys, exactly as long, case and NUL
** bytes apart, empty and missing; with one or two slots every word evicts another, and
** a word's slot is often held by a neighbour still to tag.
*/
static void test_cache_words(const ds_tagger *t) {
  char z31[32], z32[33], z33[34];
  memset(z31, 'a', 31);
  z31[0] = 'R';
  z31[31] = 0;
  memcpy(z32, z31, 31);
  strcpy(z32 + 31, "s");
  memcpy(z33, z32, 32);
  strcpy(z33 + 32, "s");
  check(DS_TAGGER_CACHE_KEY == 31, "key size %d: the words below assume 31", DS_TAGGER_CACHE_KEY);
  const char *az[] = {"Rain", z31, "rain", "RAIN", "a\0", "a", "", NULL, z32, "the", z33, "rains",
                      "the", z32, z31, "Rain", "rain", "a\0", "a", "ran", "."};
  enum { N = sizeof az / sizeof az[0] };
  size_t an[N];
  for (int i = 0; i < N; i++) an[i] = az[i] ? strlen(az[i]) : 5;   /* NULL: an empty word */
  an[4] = an[17] = 2;                              /* "a\0", which the tagger takes for a verb */
  uint8_t auA[2];
  check(ds_tagger_tag(t, az + 4, an + 4, 2, auA, NULL) == DS_OK && auA[0] != auA[1],
        "\"a\\0\" and \"a\" have the same tag: the keys' lengths go untested");
  size_t aSize[] = {1, 2, 3, 16, 0};
  for (size_t k = 0; k < sizeof aSize / sizeof aSize[0]; k++) {
    ds_tagger_cache *tc = ds_tagger_cache_new(t, aSize[k]);
    check(tc != NULL && ds_tagger_cache_tagger(tc) == t, "cache of %zu slots", aSize[k]);
    if (!tc) continue;
    for (int rep = 0; rep < 3; rep++) {   /* the second time from the cache */
      check(same_tags(t, tc, az, an, N), "%zu slots, round %d: tags differ", aSize[k], rep);
      for (size_t m = 1; m <= 4; m++)     /* short sentences: the edges */
        for (size_t i = 0; i + m <= N; i += 3)
          check(same_tags(t, tc, az + i, an + i, m), "%zu slots: %zu words from %zu differ", aSize[k], m, i);
    }
    check(ds_tagger_tag_cached(t, tc, az, an, 0, NULL, NULL) == DS_OK, "empty sentence");
    check(ds_tagger_tag_cached(t, tc, NULL, an, 1, NULL, NULL) == DS_MISUSE, "NULL words");
    ds_tagger_cache_free(tc);
  }
  /* a cache belongs to its tagger */
  ds_tagger *t2;
  ds_error e;
  if (ds_tagger_load(TAGGER_PATH, &t2, &e) == DS_OK) {
    ds_tagger_cache *tc = ds_tagger_cache_new(t2, 4);
    uint8_t au[N];
    check(ds_tagger_tag_cached(t, tc, az, an, N, au, NULL) == DS_MISUSE, "another tagger's cache");
    check(ds_tagger_tag_cached(t2, tc, az, an, N, au, NULL) == DS_OK, "its own tagger's cache");
    check(ds_tagger_tag_cached(t, NULL, az, an, N, au, NULL) == DS_OK, "no cache");
    ds_tagger_cache_free(tc);
    ds_tagger_free(t2);
  }
  check(ds_tagger_cache_new(NULL, 0) == NULL, "cache of no tagger");
  ds_tagger_cache_free(NULL);
}

/* Tag every sentence of EWT test with cache tc (NULL: none) into au, ax. */
static void tag_bank(const ds_tagger *t, ds_tagger_cache *tc, const ds_conllu_bank *b, const char **az,
                     const size_t *an, uint8_t *au, uint8_t *ax) {
  for (size_t s = 0; s < b->nSent; s++) {
    size_t i = b->aiSent[s];
    ds_tagger_tag_cached(t, tc, az + i, an + i, b->aiSent[s + 1] - i, au + i, ax + i);
  }
}

/*
** A model whose weights are scaled by `mul` (dense rows by mul / 8, both clamped), so the
** cache's int16 sums overflow: it must then add the features one by one, and still
** give the tags of ds_tagger_tag. mul 1 leaves the model as it is.
*/
static ds_tagger *scaled_model(int mul) {
  size_t n;
  unsigned char *p = read_all(TAGGER_PATH, &n);
  if (!p) return NULL;
  uint32_t nClass, nFeatSlot, nEntry;
  memcpy(&nClass, p + 12, 4);
  memcpy(&nFeatSlot, p + 24, 4);
  memcpy(&nEntry, p + 28, 4);
  unsigned char *pFeat = p + 64 + ((2 * nClass + 3) & ~3u), *pEntry = pFeat + 8 * (size_t)nFeatSlot;
  for (uint32_t i = 0; i < nFeatSlot; i++) {
    uint32_t fp, ref;
    memcpy(&fp, pFeat + 8 * i, 4);
    memcpy(&ref, pFeat + 8 * i + 4, 4);
    if (!fp) continue;
    if ((ref & 0xFF) == DS_TAGGER_DENSE) {
      for (uint32_t c = 0; c < nClass; c++) {
        int16_t w;
        memcpy(&w, pEntry + 4 * (size_t)(ref >> 8) + 2 * c, 2);
        int32_t v = (int32_t)w * (mul / 8 > 1 ? mul / 8 : 1);
        w = (int16_t)(v > INT16_MAX ? INT16_MAX : v < -INT16_MAX ? -INT16_MAX : v);
        memcpy(pEntry + 4 * (size_t)(ref >> 8) + 2 * c, &w, 2);
      }
    } else {
      for (uint32_t j = ref >> 8; j < (ref >> 8) + (ref & 0xFF); j++) {
        uint32_t e;
        memcpy(&e, pEntry + 4 * (size_t)j, 4);
        int64_t w = (int64_t)((int32_t)(e & 0xFFFFFF00u) / 256) * mul;
        w = w > 0x7FFFFF ? 0x7FFFFF : w < -0x7FFFFF ? -0x7FFFFF : w;
        e = (e & 0xFF) | ((uint32_t)w << 8);
        memcpy(pEntry + 4 * (size_t)j, &e, 4);
      }
    }
  }
  uint64_t sum = ds_model_checksum(p + 64, n - 64);
  memcpy(p + 56, &sum, 8);
  ds_tagger *t = NULL;
  ds_error e;
  int rc = ds_tagger_load_mem(p, n, "scaled", &t, &e);
  check(rc == DS_OK, "scaled model: %s", e.msg);
  free(p);
  return t;
}

/* EWT test with caches of several sizes, on the model and on scaled copies. */
static void test_cache_ewt(const ds_conllu_bank *b) {
  const char **az = malloc(b->nWord * sizeof *az);
  size_t *an = malloc(b->nWord * sizeof *an);
  uint8_t *au = malloc(b->nWord), *ax = malloc(b->nWord), *auC = malloc(b->nWord),
          *axC = malloc(b->nWord);
  for (size_t i = 0; i < b->nWord; i++) {
    az[i] = b->aWord[i].zForm;
    an[i] = b->aWord[i].nForm;
  }
  int aMul[] = {1, 4, 64, 4096};
  size_t aSize[] = {1, 64, 4096, 0};   /* (4096 and 0 start with fewer and grow) */
  for (size_t m = 0; m < sizeof aMul / sizeof aMul[0]; m++) {
    ds_tagger *t = scaled_model(aMul[m]);
    if (!t) continue;
    tag_bank(t, NULL, b, az, an, au, ax);
    for (size_t k = 0; k < sizeof aSize / sizeof aSize[0]; k++) {
      ds_tagger_cache *tc = ds_tagger_cache_new(t, aSize[k]);
      for (int rep = 0; rep < 2; rep++) {
        memset(auC, 0xFF, b->nWord);
        tag_bank(t, tc, b, az, an, auC, axC);
        check(memcmp(au, auC, b->nWord) == 0 && memcmp(ax, axC, b->nWord) == 0,
              "weights x%d, %zu slots, round %d: the cache changed tags", aMul[m], aSize[k], rep);
      }
      ds_tagger_cache_free(tc);
    }
    ds_tagger_free(t);
  }
  free(az);
  free(an);
  free(au);
  free(ax);
  free(auC);
  free(axC);
}

/* The documents parsed from files and directories (one level of files in each). */
typedef struct textset {
  ds_doc **aDoc;
  size_t nDoc, nAlloc, nTok;
} textset;

static void text_add(textset *ts, const char *zPath) {
  DIR *d = opendir(zPath);
  if (d) {
    struct dirent *de;
    char z[4096];
    while ((de = readdir(d)) != NULL) {
      if (de->d_name[0] == '.') continue;
      snprintf(z, sizeof z, "%s/%s", zPath, de->d_name);
      text_add(ts, z);
    }
    closedir(d);
    return;
  }
  size_t n;
  unsigned char *p = read_all(zPath, &n);
  check(p != NULL, "read %s", zPath);
  if (!p) return;
  ds_doc *doc;
  ds_error e;
  if (ds_parse_text((const char *)p, n, zPath, &doc, &e) == DS_OK) {
    if (ts->nDoc == ts->nAlloc) {
      ts->nAlloc = ts->nAlloc ? 2 * ts->nAlloc : 64;
      ts->aDoc = realloc(ts->aDoc, ts->nAlloc * sizeof *ts->aDoc);
    }
    ts->aDoc[ts->nDoc++] = doc;
    ts->nTok += doc->nTok;
  }
  free(p);
}

/* Tag every sentence of ts with cache tc (NULL: none) into au, ax; the CPU time. */
static double tag_texts(const ds_tagger *t, ds_tagger_cache *tc, const textset *ts, uint8_t *au,
                        uint8_t *ax) {
  const char **az = NULL;
  size_t *an = NULL, nMax = 0, o = 0;
  for (size_t i = 0; i < ts->nDoc; i++)
    for (size_t s = 0; s < ts->aDoc[i]->nSent; s++) {
      size_t m = ts->aDoc[i]->aSent[s].last - ts->aDoc[i]->aSent[s].first;
      nMax = m > nMax ? m : nMax;
    }
  az = malloc((nMax + 1) * sizeof *az);
  an = malloc((nMax + 1) * sizeof *an);
  double t0 = cpu_now();
  for (size_t i = 0; i < ts->nDoc; i++) {
    const ds_doc *d = ts->aDoc[i];
    for (size_t s = 0; s < d->nSent; s++) {
      size_t first = d->aSent[s].first, m = d->aSent[s].last - first;
      for (size_t k = 0; k < m; k++) {
        az[k] = d->zText + d->aTok[first + k].start;
        an[k] = d->aTok[first + k].end - d->aTok[first + k].start;
      }
      ds_tagger_tag_cached(t, tc, az, an, m, au + o, ax + o);
      o += m;
    }
  }
  double dt = cpu_now() - t0;
  free(az);
  free(an);
  return dt;
}

/*
** Texts named on the command line, tagged with and without a cache (new for each of
** the 3 runs, as an indexing thread starts with an empty one): every tag the same.
*/
static void test_texts(const ds_tagger *t, char **azPath, int nPath) {
  textset ts = {NULL, 0, 0, 0};
  for (int i = 0; i < nPath; i++) text_add(&ts, azPath[i]);
  uint8_t *au = malloc(ts.nTok + 1), *ax = malloc(ts.nTok + 1), *auC = malloc(ts.nTok + 1),
          *axC = malloc(ts.nTok + 1);
  double best = 1e9, bestC = 1e9;
  for (int r = 0; r < 3; r++) {
    double dt = tag_texts(t, NULL, &ts, au, ax);
    best = dt < best ? dt : best;
    ds_tagger_cache *tc = ds_tagger_cache_new(t, 0);
    dt = tag_texts(t, tc, &ts, auC, axC);
    bestC = dt < bestC ? dt : bestC;
    ds_tagger_cache_free(tc);
    check(memcmp(au, auC, ts.nTok) == 0 && memcmp(ax, axC, ts.nTok) == 0,
          "texts: the cache changed tags");
  }
  size_t nSame = 0;
  for (size_t i = 0; i < ts.nTok; i++) nSame += au[i] == auC[i] && ax[i] == axC[i];
  printf("texts, %zu documents, %zu tokens: %zu tags the same with the cache\n", ts.nDoc, ts.nTok, nSame);
  printf("tagging texts: %.0f tokens/s; with a ds_tagger_cache: %.0f tokens/s (CPU time, best of 3)\n",
         (double)ts.nTok / best, (double)ts.nTok / bestC);
  for (size_t i = 0; i < ts.nDoc; i++) ds_doc_free(ts.aDoc[i]);
  free(ts.aDoc);
  free(au);
  free(ax);
  free(auC);
  free(axC);
}

/* }====== */

int main(int argc, char **argv) {
  const char *zData = argc > 1 ? argv[1] : "../shared/data";
  ds_tagger *t;
  ds_lemmatizer *l;
  ds_error e;
  int rc = ds_tagger_load(TAGGER_PATH, &t, &e);
  check(rc == DS_OK, "load %s: %s", TAGGER_PATH, e.msg);
  int rc2 = ds_lemma_load(LEMMAS_PATH, &l, &e);
  check(rc2 == DS_OK, "load %s: %s", LEMMAS_PATH, e.msg);
  if (rc == DS_OK && rc2 == DS_OK) {
    test_accuracy(t, l, zData);
    test_examples(t, l);
    test_memo(t, l);
    test_hostile(t, l);
    test_cache_words(t);
    char zPath[4096];
    snprintf(zPath, sizeof zPath, "%s/ud-english-ewt/en_ewt-ud-test.conllu", zData);
    ds_conllu_bank *b;
    if (ds_conllu_read(zPath, &b, &e) == DS_OK) {
      test_groups(b);
      test_cache_ewt(b);
      ds_conllu_bank_free(b);
    }
    if (argc > 2) test_texts(t, argv + 2, argc - 2);
  }
  test_bad_files();
  ds_tagger_free(t);
  ds_lemma_free(l);
  return tests_report(argv[0]);
}
