/*
** train_boundary.c -- train the model of unpunctuated sentence boundaries
** (csrc/ds_boundary.h) on UD English EWT.
**
**   tools/train_boundary.sh [DATA_DIR]       (builds this program, then runs it)
**   build/train_boundary --data DATA_DIR [--iter N] [--seed S] [--min-count K]
**                        [--min-precision P] [--cascade-loss L] [--out csrc/ds_boundary_model.c]
**
** Paragraphs are made as bench/segeval.lua makes them (a sentence marked `# newpar` or
** `# newdoc` starts one; its sentences' `# text` joined by one space) and parsed without
** clean-up; the rules alone split them (ds_split_sentences_with(d, NULL)). Every
** candidate gap inside a rule sentence is an example, positive when a gold sentence
** ends there. An averaged perceptron is trained on train only; after each iteration
** the averaged, quantized weights score dev, and the threshold is the one with the best
** F1 of all dev boundaries (rules plus model) among those keeping precision >= P. The
** best iteration is written as C source, with the cascade's cut (ds_boundary_score looks
** past a gap's two tokens only when they score at least what a share L of the model's
** boundaries in train and dev score on them). Integer arithmetic and a fixed seed: the same
** data gives the same file, byte for byte. Test is never read.
*/
#include "ds.h"
#include "ds_boundary.h"
#include "ds_parse.h"
#include "ds_reader.h"
#include "ds_sentence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NFEAT DS_BOUNDARY_MAXFEAT

static void die(const char *zMsg) {
  fprintf(stderr, "train_boundary: %s\n", zMsg);
  exit(1);
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) die("out of memory");
  return p;
}

static uint64_t rng_state;
static uint64_t rng_next(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

/* {====== Examples ====== */

typedef struct example {
  uint32_t aKey[NFEAT];
  uint8_t nKey;
  uint8_t label;         /* a gold boundary */
} example;

typedef struct dataset {
  example *a;
  size_t n, nAlloc;
  size_t nGold;          /* gold boundaries inside paragraphs */
  size_t nRulePred;      /* boundaries the rules found */
  size_t nRuleHit;       /* of which gold */
  size_t nPara;
} dataset;

/* Is `end` the end of a gold sentence (sorted aEnd)? */
static int is_gold(const size_t *aEnd, size_t nEnd, size_t end) {
  size_t lo = 0, hi = nEnd;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (aEnd[mid] < end) lo = mid + 1;
    else hi = mid;
  }
  return lo < nEnd && aEnd[lo] == end;
}

static void add_paragraph(dataset *ds, const char *z, size_t n, const size_t *aEnd, size_t nEnd) {
  ds_read_opts o = {.zName = "<ewt>", .format = DS_FMT_TEXT};
  ds_doc *d;
  ds_error e;
  if (ds_parse_and_tag(z, n, &o, &d, &e)) die(e.msg);
  if (d->nText != n || memcmp(d->zText, z, n)) die("the clean text differs from the input");
  d->nSent = 0;
  if (ds_split_sentences_with(d, NULL)) die("out of memory");
  ds->nGold += nEnd;
  ds->nPara++;
  for (size_t s = 0; s < d->nSent; s++) {
    size_t first = d->aSent[s].first, last = d->aSent[s].last;
    if (s + 1 < d->nSent) {
      ds->nRulePred++;
      ds->nRuleHit += (size_t)is_gold(aEnd, nEnd, d->aTok[last - 1].end);
    }
    ds_boundary_cache cache;
    memset(&cache, 0, sizeof cache);
    for (size_t t = first; t + 1 < last; t++) {
      if (!ds_boundary_candidate(d, t, first, last)) continue;
      if (ds->n == ds->nAlloc) {
        ds->nAlloc = ds->nAlloc ? 2 * ds->nAlloc : 4096;
        ds->a = xrealloc(ds->a, ds->nAlloc * sizeof *ds->a);
      }
      example *x = &ds->a[ds->n++];
      x->nKey = (uint8_t)ds_boundary_features(d, t, first, last, &cache, x->aKey);
      x->label = (uint8_t)is_gold(aEnd, nEnd, d->aTok[t].end);
    }
  }
  ds_doc_free(d);
}

/* Read a CoNLL-U file into paragraphs of examples. */
static void read_conllu(const char *zPath, dataset *ds) {
  FILE *f = fopen(zPath, "rb");
  if (!f) die(zPath);
  char *zLine = NULL;
  size_t nLine = 0;
  ssize_t len;
  char *zPara = NULL;
  size_t nPara = 0, nParaAlloc = 0, *aEnd = NULL, nEnd = 0, nEndAlloc = 0;
  int bStart = 0, bHaveText = 0;
  const char *zText = NULL;
  char *zSaved = NULL;
  while ((len = getline(&zLine, &nLine, f)) >= 0) {
    while (len > 0 && (zLine[len - 1] == '\n' || zLine[len - 1] == '\r')) zLine[--len] = 0;
    if (len == 0) {                              /* end of a sentence */
      if (bHaveText) {
        if (bStart && nPara > 0) {
          if (nEnd > 0) nEnd--;                   /* the last sentence's end is no boundary */
          add_paragraph(ds, zPara, nPara, aEnd, nEnd);
          nPara = nEnd = 0;
        }
        size_t m = strlen(zSaved);
        if (nPara + m + 2 > nParaAlloc) {
          nParaAlloc = 2 * (nPara + m + 2);
          zPara = xrealloc(zPara, nParaAlloc);
        }
        if (nPara > 0) zPara[nPara++] = ' ';
        memcpy(zPara + nPara, zSaved, m);
        nPara += m;
        if (nEnd == nEndAlloc) {
          nEndAlloc = nEndAlloc ? 2 * nEndAlloc : 64;
          aEnd = xrealloc(aEnd, nEndAlloc * sizeof *aEnd);
        }
        aEnd[nEnd++] = nPara;
      }
      bStart = bHaveText = 0;
      continue;
    }
    if (strncmp(zLine, "# newpar", 8) == 0 || strncmp(zLine, "# newdoc", 8) == 0) bStart = 1;
    else if (strncmp(zLine, "# text = ", 9) == 0) {
      zText = zLine + 9;
      free(zSaved);
      zSaved = strdup(zText);
      if (!zSaved) die("out of memory");
      bHaveText = 1;
    }
  }
  if (nPara > 0) add_paragraph(ds, zPara, nPara, aEnd, nEnd > 0 ? nEnd - 1 : 0);
  free(zLine);
  free(zPara);
  free(aEnd);
  free(zSaved);
  fclose(f);
}

/* }====== */
/* {====== Perceptron ====== */

/* Weights by feature key: open addressing, key 0 = empty. */
typedef struct weights {
  uint32_t *aKey;
  int32_t *aW;           /* current weight */
  int64_t *aU;           /* sum of (time of update x change), for averaging */
  uint32_t *aCount;      /* times seen in train */
  uint8_t *aTmpl;        /* position in the feature list (its template) */
  size_t nSlot, nUsed;
} weights;

static size_t slot_of(const weights *w, uint32_t k) {
  size_t mask = w->nSlot - 1, s = k & mask;
  while (w->aKey[s] && w->aKey[s] != k) s = (s + 1) & mask;
  return s;
}

static void weights_init(weights *w, size_t nSlot) {
  w->nSlot = nSlot;
  w->nUsed = 0;
  w->aKey = calloc(nSlot, sizeof *w->aKey);
  w->aW = calloc(nSlot, sizeof *w->aW);
  w->aU = calloc(nSlot, sizeof *w->aU);
  w->aCount = calloc(nSlot, sizeof *w->aCount);
  w->aTmpl = calloc(nSlot, sizeof *w->aTmpl);
  if (!w->aKey || !w->aW || !w->aU || !w->aCount || !w->aTmpl) die("out of memory");
}

static void count_features(weights *w, const dataset *ds) {
  for (size_t i = 0; i < ds->n; i++)
    for (size_t k = 0; k < ds->a[i].nKey; k++) {
      size_t s = slot_of(w, ds->a[i].aKey[k]);
      if (!w->aKey[s]) {
        if (2 * ++w->nUsed > w->nSlot) die("weight table full");
        w->aKey[s] = ds->a[i].aKey[k];
        w->aTmpl[s] = (uint8_t)k;
      }
      w->aCount[s]++;
    }
}

/* A compiled model from the averaged weights at time c: weights x 16, rounded. */
typedef struct model {
  uint32_t *aKey;
  int16_t *aWeight;
  uint32_t nSlot, nFeat;
  int32_t nearMin;       /* gaps whose near features score below this are no boundary */
  int32_t bias;          /* the weight of the bias feature (the first of every gap) */
} model;

static void model_free(model *m) {
  free(m->aKey);
  free(m->aWeight);
}

static int32_t score(const model *m, const example *x);

static model average(const weights *w, int64_t c) {
  model m;
  size_t nKeep = 0;
  int64_t *aAvg = calloc(w->nSlot, sizeof *aAvg);
  if (!aAvg) die("out of memory");
  for (size_t s = 0; s < w->nSlot; s++) {
    if (!w->aKey[s]) continue;
    /* averaged weight x 16 = (w c - u) x 16 / c, rounded to nearest */
    int64_t num = ((int64_t)w->aW[s] * c - w->aU[s]) * 16;
    int64_t q = num >= 0 ? (num + c / 2) / c : -((-num + c / 2) / c);
    if (q > 32767) q = 32767;
    if (q < -32767) q = -32767;
    aAvg[s] = q;
    nKeep += q != 0;
  }
  m.nearMin = INT32_MIN;
  m.bias = 0;
  m.nSlot = 1;
  while (m.nSlot < 2 * nKeep + 2) m.nSlot *= 2;   /* at most half full */
  m.nFeat = (uint32_t)nKeep;
  m.aKey = calloc(m.nSlot, sizeof *m.aKey);
  m.aWeight = calloc(m.nSlot, sizeof *m.aWeight);
  if (!m.aKey || !m.aWeight) die("out of memory");
  for (size_t s = 0; s < w->nSlot; s++) {   /* in key order of the source table: stable */
    if (!w->aKey[s] || !aAvg[s]) continue;
    uint32_t mask = m.nSlot - 1, t = w->aKey[s] & mask;
    while (m.aKey[t]) t = (t + 1) & mask;
    m.aKey[t] = w->aKey[s];
    m.aWeight[t] = (int16_t)aAvg[s];
  }
  free(aAvg);
  return m;
}

/* The weight of the bias, the first feature of every gap (bias_key). */
static void set_bias(model *m, uint32_t bias_key) {
  example x;
  x.aKey[0] = bias_key;
  x.nKey = 1;
  m->bias = score(m, &x);
}

static int32_t score(const model *m, const example *x) {
  int32_t sc = 0;
  uint32_t mask = m->nSlot - 1;
  for (size_t k = 0; k < x->nKey; k++)
    for (uint32_t s = x->aKey[k] & mask; x->aKey[k]; s = (s + 1) & mask) {
      if (m->aKey[s] == x->aKey[k]) { sc += m->aWeight[s]; break; }
      if (!m->aKey[s]) break;
    }
  return sc;
}

typedef struct result { int32_t threshold; size_t tp, pred; double p, r, f1; } result;

static int cmp_asc(const void *a, const void *b) {
  const int64_t *x = a, *y = b;
  return (x[0] > y[0]) - (x[0] < y[0]);
}

static int cmp_desc(const void *a, const void *b) {
  const int64_t *x = a, *y = b;
  return (x[0] < y[0]) - (x[0] > y[0]);
}

/* The best threshold on ds for model m: F1 of rules plus model, precision >= minP. */
static result choose_threshold(const model *m, const dataset *ds, double minP) {
  int64_t *a = malloc(2 * (ds->n + 1) * sizeof *a);
  if (!a) die("out of memory");
  for (size_t i = 0; i < ds->n; i++) {
    a[2 * i] = score(m, &ds->a[i]);
    a[2 * i + 1] = ds->a[i].label;
  }
  qsort(a, ds->n, 2 * sizeof *a, cmp_desc);
  result best = {INT32_MAX, ds->nRuleHit, ds->nRulePred, 0, 0, 0};
  size_t tp = ds->nRuleHit, pred = ds->nRulePred;
  best.p = pred ? (double)tp / (double)pred : 0;
  best.r = (double)tp / (double)ds->nGold;
  best.f1 = best.p + best.r > 0 ? 2 * best.p * best.r / (best.p + best.r) : 0;
  for (size_t i = 0; i < ds->n; i++) {
    tp += (size_t)a[2 * i + 1];
    pred++;
    if (i + 1 < ds->n && a[2 * (i + 1)] == a[2 * i]) continue;   /* ties go together */
    if (a[2 * i] <= 0) break;
    double p = (double)tp / (double)pred, r = (double)tp / (double)ds->nGold;
    double f1 = 2 * p * r / (p + r);
    if (p >= minP && f1 > best.f1) {
      best = (result){(int32_t)a[2 * i], tp, pred, p, r, f1};
    }
  }
  free(a);
  return best;
}

/* Rules plus model on ds with the cascade of ds_boundary_score. */
static result choose_cascade(const model *m, const dataset *ds, int32_t threshold) {
  result r = {threshold, ds->nRuleHit, ds->nRulePred, 0, 0, 0};
  for (size_t i = 0; i < ds->n; i++) {
    example x = ds->a[i];
    x.nKey = DS_BOUNDARY_NEAR;
    if (score(m, &x) < m->nearMin || score(m, &ds->a[i]) < threshold) continue;
    r.pred++;
    r.tp += ds->a[i].label;
  }
  r.p = (double)r.tp / (double)r.pred;
  r.r = (double)r.tp / (double)ds->nGold;
  r.f1 = 2 * r.p * r.r / (r.p + r.r);
  return r;
}

/* }====== */

static void write_model(const char *zOut, const model *m, int32_t threshold, const char *zInfo) {
  char zTmp[4200];
  snprintf(zTmp, sizeof zTmp, "%s.new", zOut);
  FILE *f = fopen(zTmp, "w");
  if (!f) die(zTmp);
  fprintf(f, "/*\n** GENERATED by tools/train_boundary.c (tools/train_boundary.sh): do not edit.\n"
             "** The model of unpunctuated sentence boundaries (ds_boundary.h), trained on UD\n"
             "** English EWT r2.16 train (CC BY-SA 4.0; see corpus/models/PROVENANCE.md).\n%s*/\n"
             "#include \"ds_boundary.h\"\n\n", zInfo);
  fprintf(f, "static const uint32_t aKey[%u] = {", m->nSlot);
  for (uint32_t s = 0; s < m->nSlot; s++)
    fprintf(f, "%s%u", s == 0 ? "\n  " : s % 8 ? ", " : ",\n  ", m->aKey[s]);
  fprintf(f, "\n};\n\nstatic const int16_t aWeight[%u] = {", m->nSlot);
  for (uint32_t s = 0; s < m->nSlot; s++)
    fprintf(f, "%s%d", s == 0 ? "\n  " : s % 12 ? ", " : ",\n  ", m->aWeight[s]);
  fprintf(f, "\n};\n\nconst ds_boundary_model ds_boundary_en = {%u, aKey, aWeight, %d, %d, %d};\n",
          m->nSlot, threshold, m->nearMin, m->bias);
  if (fclose(f)) die(zTmp);
  if (rename(zTmp, zOut)) die(zOut);
}

int main(int argc, char **argv) {
  const char *zData = "../shared/data", *zOut = "csrc/ds_boundary_model.c";
  int nIter = 10;
  unsigned minCount = 2;
  uint64_t seed = 20251201;
  double minP = 0.96, loss = 0.01;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) die("usage: train_boundary --data DIR [--iter N] [--seed S] [--min-count K] [--min-precision P] [--cascade-loss L] [--out FILE]");
    if (!strcmp(argv[i], "--data")) zData = argv[++i];
    else if (!strcmp(argv[i], "--out")) zOut = argv[++i];
    else if (!strcmp(argv[i], "--iter")) nIter = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--min-count")) minCount = (unsigned)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--min-precision")) minP = atof(argv[++i]);
    else if (!strcmp(argv[i], "--cascade-loss")) loss = atof(argv[++i]);
    else die("unknown option");
  }
  char zPath[4096];
  dataset train = {0}, dev = {0};
  snprintf(zPath, sizeof zPath, "%s/ud-english-ewt/en_ewt-ud-train.conllu", zData);
  read_conllu(zPath, &train);
  snprintf(zPath, sizeof zPath, "%s/ud-english-ewt/en_ewt-ud-dev.conllu", zData);
  read_conllu(zPath, &dev);
  size_t nPos = 0;
  for (size_t i = 0; i < train.n; i++) nPos += train.a[i].label;
  printf("train: %zu paragraphs, %zu gold boundaries, rules find %zu (%zu right); "
         "%zu candidate gaps, %zu boundaries among them\n",
         train.nPara, train.nGold, train.nRulePred, train.nRuleHit, train.n, nPos);
  printf("dev:   %zu paragraphs, %zu gold boundaries, rules find %zu (%zu right); %zu candidate gaps\n",
         dev.nPara, dev.nGold, dev.nRulePred, dev.nRuleHit, dev.n);

  weights w;
  weights_init(&w, 1u << 23);
  count_features(&w, &train);
  /* rare features are dropped from the examples: they would only memorise */
  for (size_t i = 0; i < train.n; i++) {
    example *x = &train.a[i];
    for (size_t k = 0; k < x->nKey; k++)   /* 0: no feature (positions keep their template) */
      if (w.aCount[slot_of(&w, x->aKey[k])] < minCount) x->aKey[k] = 0;
  }
  size_t *aOrder = malloc(train.n * sizeof *aOrder);
  if (!aOrder) die("out of memory");
  for (size_t i = 0; i < train.n; i++) aOrder[i] = i;
  rng_state = seed;
  int64_t c = 1;
  model best = {0};
  result bestR = {0};
  int bestIter = 0;
  for (int it = 1; it <= nIter; it++) {
    for (size_t i = train.n; i > 1; i--) {
      size_t j = (size_t)(rng_next() % i), tmp = aOrder[i - 1];
      aOrder[i - 1] = aOrder[j];
      aOrder[j] = tmp;
    }
    size_t nErr = 0;
    for (size_t i = 0; i < train.n; i++, c++) {
      const example *x = &train.a[aOrder[i]];
      int64_t sc = 0;
      size_t aSlot[NFEAT];
      size_t nSlot = 0;
      for (size_t k = 0; k < x->nKey; k++)
        if (x->aKey[k]) sc += w.aW[aSlot[nSlot++] = slot_of(&w, x->aKey[k])];
      int y = x->label ? 1 : -1;
      if (y * sc > 0) continue;
      nErr++;
      for (size_t k = 0; k < nSlot; k++) {
        w.aW[aSlot[k]] += y;
        w.aU[aSlot[k]] += c * y;
      }
    }
    model m = average(&w, c);
    result r = choose_threshold(&m, &dev, minP);
    printf("iteration %d: %zu train errors; dev P %.4f R %.4f F1 %.4f at threshold %d (%u features)\n",
           it, nErr, r.p, r.r, r.f1, r.threshold, m.nFeat);
    fflush(stdout);
    if (r.f1 > bestR.f1) {
      model_free(&best);
      best = m;
      bestR = r;
      bestIter = it;
    } else {
      model_free(&m);
    }
  }
  /* The cascade: gaps whose near features score below nearMin are not looked at
     further. nearMin is the near score that a share `loss` of the gaps the whole model
     calls boundaries (in train and dev) fall below. */
  int64_t *aNear = malloc((train.n + dev.n + 1) * sizeof *aNear);
  size_t nNear = 0, nSettled = 0;
  if (!aNear) die("out of memory");
  for (int pass = 0; pass < 2; pass++) {
    const dataset *ds = pass ? &dev : &train;
    for (size_t i = 0; i < ds->n; i++) {
      example x = ds->a[i];
      if (score(&best, &x) < bestR.threshold) continue;
      x.nKey = DS_BOUNDARY_NEAR;
      aNear[nNear++] = score(&best, &x);
    }
  }
  qsort(aNear, nNear, sizeof *aNear, cmp_asc);
  best.nearMin = nNear ? (int32_t)aNear[(size_t)(loss * (double)nNear)] : INT32_MIN;
  free(aNear);
  set_bias(&best, train.a[0].aKey[0]);
  for (size_t i = 0; i < dev.n; i++) {
    example x = dev.a[i];
    x.nKey = DS_BOUNDARY_NEAR;
    nSettled += score(&best, &x) < best.nearMin;
  }
  result cascade = choose_cascade(&best, &dev, bestR.threshold);
  printf("near features settle %.1f%% of dev gaps (below %d); dev with the cascade P %.4f R %.4f F1 %.4f\n",
         100.0 * (double)nSettled / (double)dev.n, best.nearMin, cascade.p, cascade.r, cascade.f1);
  bestR = cascade;
  double p0 = (double)dev.nRuleHit / (double)dev.nRulePred, r0 = (double)dev.nRuleHit / (double)dev.nGold;
  char zInfo[1024];
  snprintf(zInfo, sizeof zInfo,
           "** Iteration %d of %d kept (seed %llu, features seen >= %u times, %u weights).\n"
           "** Dev boundaries: rules alone P %.4f R %.4f F1 %.4f; with the model P %.4f R %.4f\n"
           "** F1 %.4f (threshold chosen for precision >= %.3f). Near scores below %d settle a gap.\n",
           bestIter, nIter, (unsigned long long)seed, minCount, best.nFeat, p0, r0,
           2 * p0 * r0 / (p0 + r0), bestR.p, bestR.r, bestR.f1, minP, best.nearMin);
  printf("kept iteration %d: dev P %.4f R %.4f F1 %.4f (rules alone F1 %.4f)\n", bestIter,
         bestR.p, bestR.r, bestR.f1, 2 * p0 * r0 / (p0 + r0));
  write_model(zOut, &best, bestR.threshold, zInfo);
  model_free(&best);
  free(aOrder);
  free(train.a);
  free(dev.a);
  free(w.aKey);
  free(w.aW);
  free(w.aU);
  free(w.aCount);
  free(w.aTmpl);
  return 0;
}
