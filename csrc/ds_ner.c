/*
** ds_ner.c -- statistical named-entity recognizer: model loading, features, greedy
** BILOU decoding, spans. See ds_ner.h for the contract and the model file format.
*/
#include "ds_ner.h"
#include "ds_buf.h"

#include <string.h>

struct ds_ner {
  ds_model model;             /* the model file, one block (owned) */
  int scheme, featset, nClass;
  uint32_t featMask, wordMask, nRow;
  const uint32_t *aFeat;      /* 2 per slot: fingerprint, row */
  const int16_t *aRow;        /* DS_NER_ROW weights per row */
  const uint32_t *aWord;      /* 2 per slot: fingerprint, word-class value */
  const uint32_t *aGaz;       /* fingerprint << 8 | phrase value; NULL: none */
  uint32_t gazMask;
};

#define HEADER_BYTES 64


static const char *const azType[DS_NER_NTYPE] = {"PERSON", "ORG", "LOC"};

/* {====== Classes and transitions ====== */

int ds_ner_scheme_nclass(int scheme) {
  return scheme == DS_NER_BILOU ? 1 + 4 * DS_NER_NTYPE : 1 + 2 * DS_NER_NTYPE;
}

int ds_ner_class_type(int scheme, int c) {
  return c <= 0 ? -1 : (c - 1) / (scheme == DS_NER_BILOU ? 4 : 2);
}

int ds_ner_class_part(int scheme, int c) {
  return c <= 0 ? -1 : (c - 1) % (scheme == DS_NER_BILOU ? 4 : 2);
}

int ds_ner_class(int scheme, int type, int part) {
  return 1 + type * (scheme == DS_NER_BILOU ? 4 : 2) + part;
}

/* A chunk is open after c: B or I (BILOU); BIO chunks may always go on or stop. */
static int is_open(int scheme, int c) {
  int part = ds_ner_class_part(scheme, c);
  return scheme == DS_NER_BILOU && (part == 0 || part == 1);
}

/*
** BILOU: after B or I of a type only I or L of that type; elsewhere only O, B or U.
** BIO: I only after B or I of its type.
*/
int ds_ner_allowed(int scheme, int prev, int c) {
  int part = ds_ner_class_part(scheme, c);
  if (scheme == DS_NER_BILOU) {
    if (is_open(scheme, prev))
      return c > 0 && ds_ner_class_type(scheme, c) == ds_ner_class_type(scheme, prev) &&
             (part == 1 || part == 2);
    return c == 0 || part == 0 || part == 3;
  }
  if (part == 1) return prev > 0 && ds_ner_class_type(scheme, prev) == ds_ner_class_type(scheme, c);
  return 1;
}

int ds_ner_can_end(int scheme, int c) { return !is_open(scheme, c); }

/* }====== */

/* {====== Hashing and features ====== */

/* A 64-bit finaliser: every input bit reaches every output bit. */
static inline uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 33)) * 0xff51afd7ed558ccdull;
  x = (x ^ (x >> 33)) * 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

/* Feature hash of template `tmpl` over value a, and over the pair (a, b). */
static inline uint64_t fx(uint64_t tmpl, uint64_t a) {
  return mix(a + (tmpl + 0x4E52) * 0x9e3779b97f4a7c15ull);
}
static inline uint64_t fx2(uint64_t tmpl, uint64_t a, uint64_t b) {
  return mix(fx(tmpl, a) ^ (b * 0xd6e8feb86659fd93ull));
}

uint32_t ds_ner_word_find(const uint32_t *aWord, uint32_t mask, uint64_t h) {
  if (!aWord) return 0;
  uint32_t fp = DS_NER_FP(h), i = DS_NER_SLOT(h, mask);
  for (;;) {
    uint32_t k = aWord[2 * i];
    if (k == fp) return aWord[2 * i + 1];
    if (k == 0) return 0;
    i = (i + 1) & mask;
  }
}

/* FNV-1a of a NUL-ended name, mixed (0 stands for "none", so never 0). */
static uint64_t hash_name(const char *z) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *z; z++) h = (h ^ (unsigned char)*z) * 0x100000001b3ull;
  return mix(h) | 1;
}

void ds_ner_tokinfo(const char *z, size_t n, const char *zUpos, const uint32_t *aWord,
                    uint32_t mask, ds_nertok *p) {
  ds_tagger_tokinfo(z, n, NULL, 0, &p->w);
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)z[i]) * 0x100000001b3ull;
  p->hRaw = h;
  p->hUpos = zUpos ? hash_name(zUpos) : 0;
  p->uWord = ds_ner_word_find(aWord, mask, p->w.hLow);
  p->uSent = 0;
  p->uGaz = 0;
  p->uDoc = 0;
}

uint64_t ds_ner_gaz_next(uint64_t hPhrase, uint64_t hLow) {
  return mix(hPhrase * 0x9e3779b97f4a7c15ull + hLow) | 1;
}

/*
** From each token, follow the phrases starting there while the table says a longer name
** begins so; each name found marks its tokens B/I/L (or U) of its types.
*/
/* The value of phrase hash h in the gazetteer, 0 when absent. */
static uint32_t gaz_find(const uint32_t *aGaz, uint32_t mask, uint64_t h) {
  uint32_t fp = DS_NER_GAZ_FP(h);
  for (uint32_t k = DS_NER_SLOT(h, mask); aGaz[k]; k = (k + 1) & mask)
    if (aGaz[k] >> 8 == fp) return aGaz[k] & 0xFF;
  return 0;
}

void ds_ner_gaz_mark(const uint32_t *aGaz, uint32_t mask, ds_nertok *aTok, size_t n) {
  for (size_t i = 0; i < n; i++) aTok[i].uGaz = 0;
  if (!aGaz) return;
  for (size_t i = 0; i < n; i++) {
    uint64_t h = DS_NER_GAZ_START;
    for (size_t j = i; j < n && j - i < DS_NER_GAZ_MAXLEN; j++) {
      h = ds_ner_gaz_next(h, aTok[j].w.hLow);
      uint32_t v = gaz_find(aGaz, mask, h);
      for (uint32_t t = 0; t < DS_NER_GAZ_NTYPE; t++) {
        if (!(v >> t & 1)) continue;
        if (j == i) {
          aTok[i].uGaz |= 1u << (4 * t + 3);
          continue;
        }
        aTok[i].uGaz |= 1u << (4 * t);
        for (size_t k = i + 1; k < j; k++) aTok[k].uGaz |= 1u << (4 * t + 1);
        aTok[j].uGaz |= 1u << (4 * t + 2);
      }
      if (!(v & DS_NER_GAZ_PREFIX)) break;
    }
  }
}

uint32_t ds_ner_sent_profile(const ds_doc *d, size_t first, size_t last) {
  size_t nWord = 0, nCap = 0, nAllCap = 0;
  for (size_t i = first + 1; i < last; i++) {
    const unsigned char *z = (const unsigned char *)d->zText + d->aTok[i].start;
    size_t n = d->aTok[i].end - d->aTok[i].start, nUp = 0, nLow = 0;
    for (size_t k = 0; k < n; k++) {
      if ((unsigned)z[k] - 'A' < 26u) nUp++;
      else if ((unsigned)z[k] - 'a' < 26u) nLow++;
    }
    if (nUp + nLow == 0) continue;
    nWord++;
    if ((unsigned)z[0] - 'A' < 26u) nCap++;
    if (nUp > 1 && nLow == 0) nAllCap++;
  }
  if (nWord == 0) return 0;
  if (2 * nAllCap > nWord) return 4;
  if (2 * nCap > nWord) return 3;
  return 20 * nCap < nWord ? 1 : 2;
}

/* Stand-ins for neighbours outside the sentence. */
static const ds_nertok tokBos = {{0x1111, 0x2222, {0x3333, 0x3333, 0x3333, 0x3333, 0x3333},
                                  {0x4444, 0x4444, 0x4444}, 0, 0, 0}, 0xB0B, 0xB05, 0xFFFFFFF0u, 0, 0, 0};
static const ds_nertok tokEos = {{0x5555, 0x6666, {0x7777, 0x7777, 0x7777, 0x7777, 0x7777},
                                  {0x8888, 0x8888, 0x8888}, 0, 0, 0}, 0xE0E, 0xE05, 0xFFFFFFF1u, 0, 0, 0};

#define CAPB(t) ((t)->uWord & 0xF)
#define FREQB(t) (((t)->uWord >> 4) & 0xF)
#define CLUS(t) ((t)->uWord >> 8 & 0xFFF)
#define COARSE(t) ((t)->uWord >> 20)

/*
** The feature templates. Numbers are template ids: changing one changes every hash, so
** a model must be retrained.
*/
static size_t local_feats(int featset, const ds_nertok *const win[5], int t1, int t2, uint64_t *a) {
  const ds_nertok *w = win[2];
  const ds_nertok *p1 = win[1] ? win[1] : &tokBos, *p2 = win[0] ? win[0] : &tokBos;
  const ds_nertok *n1 = win[3] ? win[3] : &tokEos, *n2 = win[4] ? win[4] : &tokEos;
  uint64_t u1 = (uint64_t)(t1 + 1), u2 = (uint64_t)(t2 + 1);
  size_t k = 0;
  a[k++] = fx(1, 0);
  a[k++] = fx(2, w->w.hLow);
  a[k++] = fx(3, p1->w.hLow);
  a[k++] = fx(4, n1->w.hLow);
  a[k++] = fx(5, p2->w.hLow);
  a[k++] = fx(6, n2->w.hLow);
  a[k++] = fx(7, u1);
  a[k++] = fx2(8, u1, u2);
  if (featset == DS_NER_FEATS_WORD) return k;
  for (int j = 0; j < 4; j++)
    if (w->w.ahSuf[j]) a[k++] = fx(10 + (uint64_t)j, w->w.ahSuf[j]);
  for (int j = 0; j < 3; j++)
    if (w->w.ahPre[j]) a[k++] = fx(14 + (uint64_t)j, w->w.ahPre[j]);
  a[k++] = fx(17, w->w.hShape);
  a[k++] = fx(18, w->w.mFlag);
  a[k++] = fx2(19, w->w.mFlag, win[1] == NULL);
  a[k++] = fx(20, p1->w.hShape);
  a[k++] = fx(21, n1->w.hShape);
  a[k++] = fx2(22, p1->w.hShape, w->w.hShape);
  a[k++] = fx2(23, w->w.hShape, n1->w.hShape);
  a[k++] = fx2(24, u1, w->w.hLow);
  a[k++] = fx2(25, u1, w->w.hShape);
  a[k++] = fx2(26, w->w.hLow, n1->w.hLow);
  a[k++] = fx2(27, p1->w.hLow, w->w.hLow);
  a[k++] = fx(28, p1->w.mFlag);
  a[k++] = fx(29, n1->w.mFlag);
  if (w->w.hHyph) a[k++] = fx(30, w->w.hHyph);
  a[k++] = fx(31, p1->w.ahSuf[2]);
  a[k++] = fx(32, n1->w.ahSuf[2]);
  a[k++] = fx(33, w->hRaw);
  a[k++] = fx2(34, p1->w.mFlag << 8 | w->w.mFlag, n1->w.mFlag);
  a[k++] = fx2(35, CLUS(w), w->w.hShape);
  a[k++] = fx2(36, w->uSent, w->w.mFlag);
  a[k++] = fx2(37, w->uSent << 4 | CAPB(w), w->w.mFlag);
  a[k++] = fx2(38, w->uSent, w->w.hLow);
  if (w->hUpos) {
    a[k++] = fx(40, w->hUpos);
    a[k++] = fx(41, p1->hUpos);
    a[k++] = fx(42, n1->hUpos);
    a[k++] = fx2(43, p1->hUpos, w->hUpos);
    a[k++] = fx2(44, w->hUpos, n1->hUpos);
    a[k++] = fx2(45, u1, w->hUpos);
    a[k++] = fx2(46, w->hUpos, w->w.mFlag);
    a[k++] = fx(47, p2->hUpos);
    a[k++] = fx(48, n2->hUpos);
    a[k++] = fx2(49, w->hUpos, CAPB(w));
  }
  a[k++] = fx(50, CAPB(w));
  a[k++] = fx2(51, CAPB(w), w->w.mFlag);
  a[k++] = fx2(52, CAPB(w), win[1] == NULL);
  a[k++] = fx2(53, FREQB(w), w->w.mFlag);
  a[k++] = fx(54, CAPB(p1));
  a[k++] = fx(55, CAPB(n1));
  if (CLUS(w)) {
    a[k++] = fx(60, CLUS(w));
    a[k++] = fx(61, COARSE(w));
    a[k++] = fx2(62, u1, CLUS(w));
    a[k++] = fx2(63, CLUS(w), w->w.mFlag);
  }
  a[k++] = fx(64, CLUS(p1));
  a[k++] = fx(65, CLUS(n1));
  a[k++] = fx(66, COARSE(p1));
  a[k++] = fx(67, COARSE(n1));
  a[k++] = fx(68, CLUS(p2));
  a[k++] = fx(69, CLUS(n2));
  uint32_t gz = w->uGaz, capf = w->w.mFlag & (DS_TT_UPPER1 | DS_TT_ALLCAP);
  if (gz) {
    a[k++] = fx(70, gz);
    a[k++] = fx2(71, gz, capf);
    for (uint64_t bit = 0; bit < 4 * DS_NER_GAZ_NTYPE; bit++) {
      if (!(gz >> bit & 1)) continue;
      a[k++] = fx(72, bit);
      a[k++] = fx2(73, bit, capf);
    }
  }
  a[k++] = fx2(74, p1->uGaz, gz);
  a[k++] = fx2(75, gz, n1->uGaz);
  return k;
}

#define DOC_TYPES(u) ((u) & 0xF)
#define DOC_MAJOR(u) ((u) >> 4 & 0x7)
#define DOC_PARTS(u) ((u) >> 8 & 0xFFF)
#define DOC_COUNT(u) ((u) >> 20 & 0x3)

size_t ds_ner_feats(int featset, const ds_nertok *const win[5], int t1, int t2, uint64_t *a) {
  if (featset != DS_NER_FEATS_DOC) return local_feats(featset, win, t1, t2, a);
  /* the second stage: the first's features apart, then what the first pass made of the
     word elsewhere in the document */
  size_t k = local_feats(DS_NER_FEATS_FULL, win, t1, t2, a);
  for (size_t j = 0; j < k; j++) a[j] = mix(a[j] ^ 0x5EC0D57A6Eull);
  const ds_nertok *w = win[2];
  uint32_t u = w->uDoc, capf = w->w.mFlag & (DS_TT_UPPER1 | DS_TT_ALLCAP);
  if (u) {
    a[k++] = fx(83, DOC_TYPES(u));
    a[k++] = fx(84, DOC_MAJOR(u));
    a[k++] = fx2(85, DOC_MAJOR(u), capf);
    a[k++] = fx(87, DOC_PARTS(u));
    a[k++] = fx2(88, DOC_MAJOR(u), DOC_COUNT(u));
  }
  return k;
}

/* {------ Document values ------ */

uint64_t ds_ner_doc_key(const ds_nertok *t) {
  return t->w.mFlag & DS_TT_ALPHA ? t->w.hLow | 1 : 0;
}

int ds_ner_doc_counted(const ds_nertok *t, int cls1) {
  return (t->w.mFlag & DS_TT_ALPHA) && ((t->w.mFlag & (DS_TT_UPPER1 | DS_TT_ALLCAP)) || cls1 > 0);
}

/* One word of the document: its key and the counts of the first pass's classes. */
typedef struct docent {
  uint64_t key;           /* 0: empty slot */
  uint16_t aCount[1 + 4 * DS_NER_NTYPE];   /* counted occurrences by class (saturating) */
} docent;

static docent *doc_slot(docent *a, uint32_t mask, uint64_t key) {
  uint32_t i = (uint32_t)(key >> 17) & mask;
  while (a[i].key && a[i].key != key) i = (i + 1) & mask;
  return &a[i];
}

int ds_ner_doc_values(const uint64_t *aKey, const uint8_t *aCounted, const uint8_t *aCls1,
                      size_t n, uint32_t *aOut) {
  size_t nKeyed = 0;
  for (size_t i = 0; i < n; i++) nKeyed += aKey[i] != 0;
  if (nKeyed > (1u << 30)) return DS_NOMEM;   /* the table would not fit 32-bit slots */
  uint32_t nSlot = 16;
  while (nSlot < 2 * nKeyed) nSlot *= 2;
  docent *a = ds_malloc_n(nSlot, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a, 0, (size_t)nSlot * sizeof *a);
  uint32_t mask = nSlot - 1;
  const int nCls = 1 + 4 * DS_NER_NTYPE;
  for (size_t i = 0; i < n; i++) {
    if (!aKey[i] || !aCounted[i] || aCls1[i] >= nCls) continue;
    docent *e = doc_slot(a, mask, aKey[i]);
    e->key = aKey[i];
    if (e->aCount[aCls1[i]] < UINT16_MAX) e->aCount[aCls1[i]]++;
  }
  for (size_t i = 0; i < n; i++) {
    aOut[i] = 0;
    if (!aKey[i]) continue;
    const docent *e = doc_slot(a, mask, aKey[i]);
    if (!e->key) continue;
    unsigned aType[1 + DS_NER_NTYPE] = {0}, nAll = 0, parts = 0;
    for (int c = 0; c < nCls; c++) {
      unsigned k = e->aCount[c];
      if (!k) continue;
      nAll += k;
      aType[c == 0 ? 0 : 1 + ds_ner_class_type(DS_NER_BILOU, c)] += k;
      if (c > 0) parts |= 1u << (c - 1);
    }
    unsigned nOther = nAll - (aCounted[i] && aCls1[i] < nCls ? 1 : 0);
    if (nOther == 0) continue;
    uint32_t types = 0;
    int best = 0;                     /* the most frequent type, 0 when none */
    for (int t = 0; t <= DS_NER_NTYPE; t++) {
      if (aType[t]) types |= 1u << t;
      if (t > 0 && aType[t] > (best ? aType[best] : 0)) best = t;
    }
    int major = best && aType[best] >= aType[0] ? best : 0;
    uint32_t cnt = nOther == 1 ? 0 : nOther == 2 ? 1 : nOther <= 4 ? 2 : 3;
    aOut[i] = types | (uint32_t)(major + 1) << 4 | 0x80u | parts << 8 | cnt << 20;
  }
  ds_free(a);
  return DS_OK;
}

/* }------ */

/* }====== */

/* {====== Loading ====== */

const ds_model_fmt ds_ner_fmt = {"DSNERMOD", DS_NER_VERSION, HEADER_BYTES, "NER model"};

/*
** Check the header fields and every table of the model in m->model (its envelope is
** checked) and set the pointers.
*/
static int parse_tables(ds_ner *m, const char *zName, ds_error *e) {
  const ds_model *md = &m->model;
  uint32_t scheme = ds_model_field(md, 0), featset = ds_model_field(md, 1);
  uint32_t nFeatSlot = ds_model_field(md, 2), nRow = ds_model_field(md, 3);
  uint32_t nWordSlot = ds_model_field(md, 4), nGazSlot = ds_model_field(md, 5);
  if (scheme != DS_NER_BIO && scheme != DS_NER_BILOU)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: unknown tag scheme %u", zName, scheme);
  if (featset == DS_NER_FEATS_DOC && scheme != DS_NER_BILOU)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: two stages need the BILOU scheme", zName);
  if (featset != DS_NER_FEATS_WORD && featset != DS_NER_FEATS_FULL && featset != DS_NER_FEATS_DOC)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: unknown feature set %u", zName, featset);
  if (nFeatSlot == 0 || (nFeatSlot & (nFeatSlot - 1)) || nWordSlot == 0 ||
      (nWordSlot & (nWordSlot - 1)))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: hash table sizes %u and %u are not "
                        "powers of two", zName, nFeatSlot, nWordSlot);
  if (nGazSlot & (nGazSlot - 1))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: gazetteer size %u is not a power of "
                        "two", zName, nGazSlot);
  if (nRow > (1u << 24))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: %u weight rows, more than 2^24", zName, nRow);
  uint64_t need = 8ull * nFeatSlot + 2ull * DS_NER_ROW * nRow + 8ull * nWordSlot + 4ull * nGazSlot;
  if (need != md->nBody)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: tables of %llu bytes in a body of %llu",
                        zName, (unsigned long long)need, (unsigned long long)md->nBody);
  m->scheme = (int)scheme;
  m->featset = (int)featset;
  m->nClass = ds_ner_scheme_nclass(m->scheme);
  m->nRow = nRow;
  m->featMask = nFeatSlot - 1;
  m->wordMask = nWordSlot - 1;
  const unsigned char *q = md->pBody;
  m->aFeat = (const uint32_t *)(const void *)q;
  m->aRow = (const int16_t *)(const void *)(q + 8ull * nFeatSlot);
  m->aWord = (const uint32_t *)(const void *)(q + 8ull * nFeatSlot + 2ull * DS_NER_ROW * nRow);
  m->aGaz = nGazSlot ? m->aWord + 2ull * nWordSlot : NULL;
  m->gazMask = nGazSlot ? nGazSlot - 1 : 0;
  for (uint32_t i = 0; i < nFeatSlot; i++)
    if (m->aFeat[2 * i] && m->aFeat[2 * i + 1] >= nRow)
      return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: feature slot %u points outside the "
                          "weights", zName, i);
  if (!ds_model_has_empty_slot(m->aFeat, nFeatSlot, 2))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: feature table has no empty slot", zName);
  if (!ds_model_has_empty_slot(m->aWord, nWordSlot, 2))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: word-class table has no empty slot", zName);
  if (m->aGaz && !ds_model_has_empty_slot(m->aGaz, nGazSlot, 1))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: NER model: gazetteer has no empty slot", zName);
  return DS_OK;
}

/* A recognizer on the loaded model *md (taken over, freed on failure). */
static int from_model(ds_model *md, const char *zName, ds_ner **pp, ds_error *e) {
  ds_ner *m = ds_malloc(sizeof *m);
  if (!m) {
    ds_model_free(md);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory loading %s", zName);
  }
  memset(m, 0, sizeof *m);
  m->model = *md;
  int rc = parse_tables(m, zName, e);
  if (rc) {
    ds_ner_free(m);
    return rc;
  }
  *pp = m;
  return DS_OK;
}

int ds_ner_load_mem(const void *p, size_t n, const char *zName, ds_ner **pp, ds_error *e) {
  *pp = NULL;
  if (!p && n) return ds_error_set(e, DS_MISUSE, -1, "ds_ner_load_mem: no data");
  if (!zName) zName = "NER model image";
  ds_model md;
  int rc = ds_model_load_mem(p, n, zName, &ds_ner_fmt, &md, e);
  return rc ? rc : from_model(&md, zName, pp, e);
}

int ds_ner_load(const char *zPath, ds_ner **pp, ds_error *e) {
  *pp = NULL;
  if (!zPath) return ds_error_set(e, DS_MISUSE, -1, "ds_ner_load: no path");
  ds_model md;
  int rc = ds_model_load(zPath, &ds_ner_fmt, &md, e);
  return rc ? rc : from_model(&md, zPath, pp, e);
}

void ds_ner_free(ds_ner *m) {
  if (!m) return;
  ds_model_free(&m->model);
  ds_free(m);
}

int ds_ner_nclass(const ds_ner *m) { return m->nClass; }

/* }====== */

/* {====== Tagging ====== */

/*
** Add the weights of every feature found to sc[0..nClass).
*/
static void score(const ds_ner *m, const uint64_t *aH, size_t nH, int32_t *sc) {
  uint32_t aRef[DS_NER_MAXFEAT];
  const uint32_t *aFeat = m->aFeat;
  uint32_t mask = m->featMask;
  size_t nRef = 0;
  /* the lookups are independent cache misses: start them all, then use them */
  for (size_t f = 0; f < nH; f++) DS_PREFETCH(&aFeat[2 * DS_NER_SLOT(aH[f], mask)]);
  for (size_t f = 0; f < nH; f++) {
    uint32_t fp = DS_NER_FP(aH[f]), i = DS_NER_SLOT(aH[f], mask);
    for (;;) {
      uint32_t k = aFeat[2 * i];
      if (k == fp) {
        aRef[nRef++] = aFeat[2 * i + 1];
        DS_PREFETCH(&m->aRow[(size_t)DS_NER_ROW * aFeat[2 * i + 1]]);
        break;
      }
      if (k == 0) break;
      i = (i + 1) & mask;
    }
  }
  int32_t acc[DS_NER_ROW] = {0};
  for (size_t r = 0; r < nRef; r++) {
    const int16_t *pw = m->aRow + (size_t)DS_NER_ROW * aRef[r];
    for (int c = 0; c < DS_NER_ROW; c++) acc[c] += pw[c];   /* vector code */
  }
  for (int c = 0; c < m->nClass; c++) sc[c] = acc[c];
}

/*
** The best class allowed after prev (the lowest id on ties); when bEnd, only one that
** may end a chunk. O is always allowed, so there is one.
*/
static int best_allowed(const ds_ner *m, const int32_t *sc, int prev, int bEnd) {
  int best = 0;
  for (int c = 1; c < m->nClass; c++) {
    if (sc[c] <= sc[best] || !ds_ner_allowed(m->scheme, prev, c)) continue;
    if (bEnd && !ds_ner_can_end(m->scheme, c)) continue;
    best = c;
  }
  return best;
}

#define COVERED 0xFF   /* a token inside an ent span that was there before */

/* Token i's word. */
static const char *tok_text(const ds_doc *d, size_t i, size_t *pn) {
  *pn = d->aTok[i].end - d->aTok[i].start;
  return d->zText + d->aTok[i].start;
}

/*
** Fill aTok[0..last - first) with the token information of tokens [first, last) of a
** sentence; for the second stage also the document values (aDoc, from the sentence's
** first token on).
*/
static void sentence_info(const ds_ner *m, const ds_doc *d, const uint64_t *aUposHash,
                          size_t first, size_t last, const uint32_t *aDoc, ds_nertok *aTok) {
  size_t n = last - first;
  uint32_t uSent = ds_ner_sent_profile(d, first, last);
  for (size_t j = 0; j < n; j++) {
    size_t nz;
    const char *z = tok_text(d, first + j, &nz);
    ds_ner_tokinfo(z, nz, NULL, m->aWord, m->wordMask, &aTok[j]);
    aTok[j].hUpos = aUposHash ? aUposHash[d->aUpos[first + j]] : 0;
    aTok[j].uSent = uSent;
    if (aDoc) aTok[j].uDoc = aDoc[j];
  }
  ds_ner_gaz_mark(m->aGaz, m->gazMask, aTok, n);
}

/*
** Tag the n tokens of a sentence into aCls[0..n) (entries COVERED stay and count as O)
** with the features of featset, the sentence's token information in aTok.
*/
static void tag_sentence(const ds_ner *m, int featset, size_t n, const ds_nertok *aTok,
                         uint8_t *aCls) {
  uint64_t aH[DS_NER_MAXFEAT];
  int32_t sc[16];
  int t1 = -1, t2 = -1;
  for (size_t i = 0; i < n; i++) {
    int c = 0;
    if (aCls[i] != COVERED) {
      const ds_nertok *win[5];
      for (int k = 0; k < 5; k++) {
        size_t pos = i + (size_t)k;   /* position + 2 */
        win[k] = pos >= 2 && pos - 2 < n ? &aTok[pos - 2] : NULL;
      }
      size_t nH = ds_ner_feats(featset, win, t1, t2, aH);
      score(m, aH, nH, sc);
      int bEnd = i + 1 == n || aCls[i + 1] == COVERED;
      c = best_allowed(m, sc, t1, bEnd);
      aCls[i] = (uint8_t)c;
    }
    t2 = t1;
    t1 = c;
  }
}

/* The text of tokens [first, last), white space runs collapsed to one space, NUL-ended. */
static void span_text(const ds_doc *d, size_t first, size_t last, ds_buf *b) {
  ds_buf_reset(b);
  int bSpace = 0;
  for (size_t i = first; i < last; i++) {
    if (i > first && d->aTok[i].start > d->aTok[i - 1].end) bSpace = 1;
    for (uint32_t k = d->aTok[i].start; k < d->aTok[i].end; k++) {
      char c = d->zText[k];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        bSpace = 1;
        continue;
      }
      if (bSpace && b->n) ds_buf_putc(b, ' ');
      bSpace = 0;
      ds_buf_putc(b, (unsigned char)c);
    }
  }
  ds_buf_putc(b, 0);
}

/* Add the chunks of tokens [first, last) as spans, their classes at aCls0[first - t0 ..). */
static int add_spans(const ds_ner *m, ds_doc *d, const uint8_t *aCls0, size_t t0, size_t first,
                     size_t last, ds_buf *b) {
  int sch = m->scheme;
  for (size_t i = first; i < last;) {
    int c = aCls0[i - t0];
    if (c == 0 || c == COVERED) {
      i++;
      continue;
    }
    int type = ds_ner_class_type(sch, c), part = ds_ner_class_part(sch, c);
    size_t j = i + 1;
    if (!(sch == DS_NER_BILOU && part == 3)) {
      /* I (and for BILOU, L ending it) of the same type go on the chunk */
      while (j < last && aCls0[j - t0] != COVERED && aCls0[j - t0] != 0 &&
             ds_ner_class_type(sch, aCls0[j - t0]) == type && ds_ner_class_part(sch, aCls0[j - t0]) != 0 &&
             !(sch == DS_NER_BILOU && ds_ner_class_part(sch, aCls0[j - t0]) == 3)) {
        int pj = ds_ner_class_part(sch, aCls0[j - t0]);
        j++;
        if (sch == DS_NER_BILOU && pj == 2) break;
      }
    }
    span_text(d, i, j, b);
    if (b->rc) return DS_NOMEM;
    const char *az[5] = {azType[type], (const char *)b->p, (const char *)b->p, "", "model"};
    int rc = ds_doc_add_span(d, DS_SPAN_ENT, (uint32_t)i, (uint32_t)j, az);
    if (rc) return rc;
    i = j;
  }
  return DS_OK;
}

int ds_ner_tag_sents(const ds_ner *m, ds_doc *d, size_t s0, size_t s1) {
  if (!m || !d) return DS_MISUSE;
  if (s1 > d->nSent) s1 = d->nSent;
  if (d->nTok == 0 || s0 >= s1) return DS_OK;
  /* the tokens of the sentences: [t0, t1) */
  uint32_t t0 = UINT32_MAX, t1 = 0;
  size_t nMax = 0;                /* the longest sentence */
  for (size_t s = s0; s < s1; s++) {
    size_t first = d->aSent[s].first, last = d->aSent[s].last;
    if (last > d->nTok || first >= last) continue;
    if (first < t0) t0 = (uint32_t)first;
    if (last > t1) t1 = (uint32_t)last;
    if (last - first > nMax) nMax = last - first;
  }
  if (nMax == 0) return DS_OK;
  size_t n = t1 - t0;             /* aCls, aDoc, aKey, aCounted: token i at i - t0 */
  uint8_t *aCls = ds_malloc(n);
  if (!aCls) return DS_NOMEM;
  memset(aCls, 0, n);
  for (size_t s = 0; s < d->nSpan; s++) {
    const ds_docspan *sp = &d->aSpan[s];
    if (sp->kind != DS_SPAN_ENT) continue;
    for (uint32_t i = sp->first > t0 ? sp->first : t0; i < sp->last && i < t1; i++) aCls[i - t0] = COVERED;
  }
  /* the hash of each UPOS name once, not per token */
  uint64_t aUposHash[256], *pUpos = NULL;
  if (d->aUpos && d->pTagger) {
    for (int k = 0; k < 256; k++) {
      const char *z = ds_tagger_upos_name(d->pTagger, k);
      aUposHash[k] = z ? hash_name(z) : 0;
    }
    pUpos = aUposHash;
  }
  ds_nertok *aTok = ds_malloc_n(nMax, sizeof *aTok);
  int bTwo = m->featset == DS_NER_FEATS_DOC;
  /* the second stage's inputs: the tokens' document keys, which count, their values */
  uint8_t *aCounted = bTwo ? ds_malloc(n) : NULL;
  uint32_t *aDoc = bTwo ? ds_malloc_n(n, sizeof *aDoc) : NULL;
  uint64_t *aKey = bTwo ? ds_malloc_n(n, sizeof *aKey) : NULL;
  int rc = !aTok || (bTwo && (!aDoc || !aKey || !aCounted)) ? DS_NOMEM : DS_OK;
  if (rc == DS_OK && bTwo) {
    memset(aKey, 0, n * sizeof *aKey);
    memset(aCounted, 0, n);
  }
  /* the first pass (the only one for a one-stage model) */
  int featset1 = bTwo ? DS_NER_FEATS_FULL : m->featset;
  for (size_t s = s0; s < s1 && rc == DS_OK; s++) {
    size_t first = d->aSent[s].first, last = d->aSent[s].last;
    if (last > d->nTok || first >= last) continue;
    sentence_info(m, d, pUpos, first, last, NULL, aTok);
    tag_sentence(m, featset1, last - first, aTok, aCls + (first - t0));
    for (size_t j = first; bTwo && j < last; j++) {
      int c = aCls[j - t0];
      if (c == COVERED) continue;   /* a span's: no key, not counted */
      aKey[j - t0] = ds_ner_doc_key(&aTok[j - first]);
      aCounted[j - t0] = (uint8_t)ds_ner_doc_counted(&aTok[j - first], c);
    }
  }
  /* the second, on what the first found in the whole document */
  if (bTwo && rc == DS_OK) {
    rc = ds_ner_doc_values(aKey, aCounted, aCls, n, aDoc);   /* COVERED: not counted */
    for (size_t i = 0; i < n; i++)
      if (aCls[i] != COVERED) aCls[i] = 0;
    for (size_t s = s0; s < s1 && rc == DS_OK; s++) {
      size_t first = d->aSent[s].first, last = d->aSent[s].last;
      if (last > d->nTok || first >= last) continue;
      sentence_info(m, d, pUpos, first, last, aDoc + (first - t0), aTok);
      tag_sentence(m, DS_NER_FEATS_DOC, last - first, aTok, aCls + (first - t0));
    }
  }
  ds_buf b = DS_BUF_INIT;
  for (size_t s = s0; s < s1 && rc == DS_OK; s++) {
    size_t first = d->aSent[s].first, last = d->aSent[s].last;
    if (last > d->nTok || first >= last) continue;
    rc = add_spans(m, d, aCls, t0, first, last, &b);
  }
  ds_buf_free(&b);
  ds_free(aTok);
  ds_free(aCounted);
  ds_free(aDoc);
  ds_free(aKey);
  ds_free(aCls);
  return rc;
}

int ds_ner_tag(const ds_ner *m, ds_doc *d) {
  if (!m || !d) return DS_MISUSE;
  return ds_ner_tag_sents(m, d, 0, d->nSent);
}

/* }====== */
