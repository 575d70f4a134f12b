/*
** ds_tagger.c -- averaged-perceptron POS tagger: model loading, features, tagging.
** See ds_tagger.h for the contract and the model file format.
*/
#include "ds_tagger.h"
#include "ds_buf.h"
#include "ds_model.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct ds_tagger {
  ds_model model;             /* the model file, one block (owned) */
  uint32_t nClass, nUpos, nXpos;
  uint32_t featMask;          /* feature slots - 1 */
  uint32_t lexMask;           /* lexicon slots - 1 */
  uint32_t nEntry;
  const uint8_t *aClass;      /* 2 per class: UPOS id, XPOS id */
  const uint32_t *aFeat;      /* 2 per slot: fingerprint, entry ref */
  const uint32_t *aEntry;     /* class | weight << 8 */
  const uint32_t *aLex;       /* 2 per slot: fingerprint, lexicon value */
  const char *azUpos[256];    /* names, pointing into the model's image */
  const char *azXpos[256];
};

#define HEADER_BYTES 64

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* {====== Hashing ====== */

/*
** splitmix64's finaliser: spreads every input bit over the output, so features that
** differ in one template id or one class land far apart.
*/
static inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

/* Feature hash of template `tmpl` over value a. */
static inline uint64_t fx(uint64_t tmpl, uint64_t a) {
  return mix64(a ^ (tmpl * 0x9e3779b97f4a7c15ull));
}

/* Feature hash of template `tmpl` over the pair (a, b). */
static inline uint64_t fx2(uint64_t tmpl, uint64_t a, uint64_t b) {
  return mix64(fx(tmpl, a) + b * 0xc2b2ae3d27d4eb4full);
}

/*
** Lower-case one byte of UTF-8 given the previous byte: ASCII A-Z, and the Latin-1
** capitals U+00C0..U+00DE (second byte of C3 80..9E, except the multiplication sign).
** Other scripts are hashed as written: this is a feature key, not a case folding.
*/
static inline unsigned lowbyte(unsigned prev, unsigned c) {
  if (c - 'A' < 26u) return c + 32;
  if (prev == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97) return c + 32;
  return c;
}

/* FNV-1a over the lower-cased bytes z[i..n), i > 0 knowing the byte before. */
static uint64_t hash_low_from(const unsigned char *z, size_t i, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  unsigned prev = i ? z[i - 1] : 0;
  for (; i < n; i++) {
    unsigned c = z[i];
    h = (h ^ lowbyte(prev, c)) * 0x100000001b3ull;
    prev = c;
  }
  return mix64(h ^ (uint64_t)n);
}

uint64_t ds_tagger_hash_lower(const char *z, size_t n) {
  return hash_low_from((const unsigned char *)z, 0, n);
}

/* }====== */

/* {====== Token information and features ====== */

/* Shape class of the character starting with byte c (continuation bytes are skipped). */
static inline unsigned shapeclass(unsigned c) {
  if (c - 'A' < 26u) return 'X';
  if (c - 'a' < 26u) return 'x';
  if (c - '0' < 10u) return 'd';
  if (c >= 0x80) return 'u';
  return c;
}

/*
** Look a lower-cased word hash up in lexicon slots; 0 when absent.
*/
static uint32_t lex_find(const uint32_t *aLex, uint32_t mask, uint64_t h) {
  if (!aLex) return 0;
  uint32_t fp = DS_TAGGER_FP(h), i = DS_TAGGER_SLOT(h, mask);
  for (;;) {
    uint32_t k = aLex[2 * i];
    if (k == fp) return aLex[2 * i + 1];
    if (k == 0) return 0;
    i = (i + 1) & mask;
  }
}

/*
** One pass over the bytes gives flags and shape; suffixes and prefixes are hashed from
** character boundaries found by skipping UTF-8 continuation bytes.
*/
void ds_tagger_tokinfo(const char *zWord, size_t n, const uint32_t *aLex, uint32_t mask,
                       ds_tagtok *p) {
  const unsigned char *z = (const unsigned char *)zWord;
  uint32_t m = 0;
  uint64_t hs = 0xcbf29ce484222325ull;
  unsigned last = 0, nUp = 0, nLow = 0;
  size_t lastHyph = 0, nChar = 0;
  int allPunct = n > 0;
  for (size_t i = 0; i < n; i++) {
    unsigned c = z[i];
    if ((c & 0xC0) == 0x80) continue;
    nChar++;
    unsigned k = shapeclass(c);
    if (k == 'X') nUp++;
    else if (k == 'x') nLow++;
    else if (k == 'd') m |= DS_TT_DIGIT;
    else if (k == 'u') m |= DS_TT_NONASC;
    else if (c == '-' && i > 0 && i + 1 < n) { m |= DS_TT_HYPHEN; lastHyph = i + 1; }
    if (k == 'X' || k == 'x' || k == 'd' || k == 'u') allPunct = 0;
    if (k != last) hs = (hs ^ k) * 0x100000001b3ull;  /* runs collapse: "Xxxx" -> "Xx" */
    last = k;
  }
  if (n && shapeclass(z[0]) == 'X') m |= DS_TT_UPPER1;
  if (nUp > 1 && nLow == 0) m |= DS_TT_ALLCAP;
  if (nUp + nLow) m |= DS_TT_ALPHA;
  if (allPunct) m |= DS_TT_PUNCT;
  if (n > 12) m |= DS_TT_LONG;
  p->mFlag = m;
  p->hShape = mix64(hs);
  p->hLow = hash_low_from(z, 0, n);
  p->hHyph = lastHyph ? hash_low_from(z, lastHyph, n) : 0;
  /* suffixes (the last k characters, only when shorter than the word, k > 1) in one
     backward pass, prefixes (first k) in one forward pass: each hash extends the last */
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i = n;
  for (int k = 0; k < 5; k++) {
    while (i > 0) {
      i--;
      h = (h ^ lowbyte(i ? z[i - 1] : 0, z[i])) * 0x100000001b3ull;
      if ((z[i] & 0xC0) != 0x80) break;
    }
    p->ahSuf[k] = (k == 0 || (size_t)k + 1 < nChar) && n ? mix64(h + (uint64_t)k) : 0;
  }
  h = 0xcbf29ce484222325ull;
  i = 0;
  for (int k = 0; k < 3; k++) {
    while (i < n) {
      h = (h ^ lowbyte(i ? z[i - 1] : 0, z[i])) * 0x100000001b3ull;
      i++;
      if (i >= n || (z[i] & 0xC0) != 0x80) break;
    }
    p->ahPre[k] = (size_t)k + 1 < nChar ? mix64(h + 0x51ull + (uint64_t)k) : 0;
  }
  p->uLex = lex_find(aLex, mask, p->hLow);
}

/* Sentence boundary stand-ins for neighbours outside the sentence. */
static const ds_tagtok tokBos = {0x1111, 0x2222, {0x3333, 0x3333, 0x3333, 0x3333, 0x3333},
                                 {0x4444, 0x4444, 0x4444}, 0, 0, 0xFFFFFF00u};
static const ds_tagtok tokEos = {0x5555, 0x6666, {0x7777, 0x7777, 0x7777, 0x7777, 0x7777},
                                 {0x8888, 0x8888, 0x8888}, 0, 0, 0xFFFFFE00u};

/*
** The feature templates. Numbers are template ids: changing one changes every hash, so
** a model must be retrained (and DS_TAGGER_VERSION raised if the file format changes).
*/
size_t ds_tagger_feats(const ds_tagtok *const win[5], int t1, int t2, uint64_t *a) {
  const ds_tagtok *w = win[2];
  const ds_tagtok *p1 = win[1] ? win[1] : &tokBos, *p2 = win[0] ? win[0] : &tokBos;
  const ds_tagtok *n1 = win[3] ? win[3] : &tokEos, *n2 = win[4] ? win[4] : &tokEos;
  uint64_t u1 = (uint64_t)(t1 & 0xFF), u2 = (uint64_t)(t2 & 0xFF);
  uint64_t amb = (w->uLex >> 8) & 0xFFF, amb1 = (n1->uLex >> 8) & 0xFFF;
  uint64_t bro = w->uLex >> 20;
  size_t k = 0;
  a[k++] = fx(1, 0);
  a[k++] = fx(2, w->hLow);
  for (int j = 0; j < 5; j++)
    if (w->ahSuf[j]) a[k++] = fx(3 + (uint64_t)j, w->ahSuf[j]);
  for (int j = 0; j < 3; j++)
    if (w->ahPre[j]) a[k++] = fx(8 + (uint64_t)j, w->ahPre[j]);
  a[k++] = fx(11, w->hShape);
  a[k++] = fx(12, w->mFlag);
  a[k++] = fx2(13, w->mFlag, win[1] == NULL);
  a[k++] = fx(14, p1->hLow);
  a[k++] = fx(15, n1->hLow);
  a[k++] = fx(16, p2->hLow);
  a[k++] = fx(17, n2->hLow);
  a[k++] = fx(18, u1);
  a[k++] = fx(19, u2);
  a[k++] = fx2(20, u1, u2);
  a[k++] = fx2(21, u1, w->hLow);
  a[k++] = fx(22, amb);
  a[k++] = fx(23, amb1);
  a[k++] = fx(24, (n2->uLex >> 8) & 0xFFF);
  a[k++] = fx(25, (p1->uLex >> 8) & 0xFFF);
  a[k++] = fx(26, p1->ahSuf[2]);
  a[k++] = fx(27, n1->ahSuf[2]);
  a[k++] = fx(28, n1->hShape);
  a[k++] = fx(29, p1->hShape);
  if (w->hHyph) a[k++] = fx(30, w->hHyph);
  a[k++] = fx2(31, u1, amb1);
  a[k++] = fx2(32, w->hLow, n1->hLow);
  a[k++] = fx2(33, p1->hLow, w->hLow);
  a[k++] = fx2(34, u1, w->ahSuf[2]);
  a[k++] = fx2(35, u1, w->hShape);
  a[k++] = fx2(36, amb, amb1);
  a[k++] = fx2(37, amb, bro);
  a[k++] = fx(38, n1->uLex >> 20);
  a[k++] = fx(39, p1->uLex >> 20);
  return k;
}

/* }====== */

/* {====== Loading ====== */

/* The envelope of a model file (ds_model.h); the fields are those of ds_tagger.h. */
const ds_model_fmt ds_tagger_fmt = {"DSTAGGER", DS_TAGGER_VERSION, HEADER_BYTES, "tagger model"};

/* Bytes of a body part, padded to 4. */
static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/*
** Check the header fields and every table of the model in t->model (its envelope is
** checked) and set the pointers.
*/
static int parse_tables(ds_tagger *t, const char *zName, ds_error *e) {
  const ds_model *m = &t->model;
  t->nClass = ds_model_field(m, 0);
  t->nUpos = ds_model_field(m, 1);
  t->nXpos = ds_model_field(m, 2);
  uint32_t nFeatSlot = ds_model_field(m, 3);
  t->nEntry = ds_model_field(m, 4);
  uint32_t nLexSlot = ds_model_field(m, 5);
  uint32_t nName = ds_model_field(m, 6);
  uint64_t nBody = m->nBody;
  if (t->nClass == 0 || t->nClass >= DS_TAGGER_DENSE || t->nUpos == 0 || t->nUpos > 255 || t->nXpos == 0 ||
      t->nXpos > 255 || nFeatSlot == 0 || (nFeatSlot & (nFeatSlot - 1)) || nLexSlot == 0 ||
      (nLexSlot & (nLexSlot - 1)) || t->nEntry > (1u << 24))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger model header out of range", zName);
  uint64_t need = (uint64_t)pad4(2 * (size_t)t->nClass) + 8ull * nFeatSlot +
                  4ull * t->nEntry + 8ull * nLexSlot + pad4(nName);
  if (need != nBody)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger model tables do not fit its size", zName);
  const unsigned char *q = m->pBody;
  t->aClass = q;
  q += pad4(2 * (size_t)t->nClass);
  t->aFeat = (const uint32_t *)(const void *)q;
  q += 8ull * nFeatSlot;
  t->aEntry = (const uint32_t *)(const void *)q;
  q += 4ull * t->nEntry;
  t->aLex = (const uint32_t *)(const void *)q;
  q += 8ull * nLexSlot;
  t->featMask = nFeatSlot - 1;
  t->lexMask = nLexSlot - 1;
  for (uint32_t c = 0; c < t->nClass; c++)
    if (t->aClass[2 * c] >= t->nUpos || t->aClass[2 * c + 1] >= t->nXpos)
      return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger class %u out of range", zName, c);
  for (uint32_t i = 0; i < nFeatSlot; i++) {
    uint32_t ref = t->aFeat[2 * i + 1];
    uint32_t cnt = (ref & 0xFF) == DS_TAGGER_DENSE ? (t->nClass + 1) / 2 : (ref & 0xFF);
    if (t->aFeat[2 * i] && (ref >> 8) + cnt > t->nEntry)
      return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger feature slot %u out of range", zName, i);
  }
  /* sparse entries name their class; dense rows (int16 pairs) need no check */
  for (uint32_t i = 0; i < nFeatSlot; i++) {
    uint32_t ref = t->aFeat[2 * i + 1];
    if (!t->aFeat[2 * i] || (ref & 0xFF) == DS_TAGGER_DENSE) continue;
    for (uint32_t j = ref >> 8; j < (ref >> 8) + (ref & 0xFF); j++)
      if ((t->aEntry[j] & 0xFF) >= t->nClass)
        return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger weight %u out of range", zName, j);
  }
  for (uint32_t i = 0; i < nLexSlot; i++)
    if (t->aLex[2 * i] && (t->aLex[2 * i + 1] & 0xFF) > t->nClass)
      return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger lexicon slot %u out of range", zName, i);
  if (!ds_model_has_empty_slot(t->aFeat, nFeatSlot, 2) || !ds_model_has_empty_slot(t->aLex, nLexSlot, 2))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger hash table full", zName);
  /* names: nUpos + nXpos NUL-terminated strings filling the name block */
  const char *z = (const char *)q, *zEnd = z + nName;
  for (uint32_t i = 0; i < t->nUpos + t->nXpos; i++) {
    const char *zNul = memchr(z, 0, (size_t)(zEnd - z));
    if (!zNul) return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger tag names truncated", zName);
    /* names go to CoNLL-U columns and JSON: printable ASCII, not empty, no spaces */
    if (zNul == z) return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger tag %u has no name", zName, i);
    for (const char *c = z; c < zNul; c++)
      if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7F)
        return ds_error_set(e, DS_CORRUPT, -1, "%s: tagger tag %u: byte 0x%02X in its name", zName,
                            i, (unsigned char)*c);
    if (i < t->nUpos) t->azUpos[i] = z;
    else t->azXpos[i - t->nUpos] = z;
    z = zNul + 1;
  }
  return DS_OK;
}

/* A tagger on the loaded model *m (taken over, freed on failure). */
static int from_model(ds_model *m, const char *zName, ds_tagger **pp, ds_error *e) {
  ds_tagger *t = ds_malloc(sizeof *t);
  if (!t) {
    ds_model_free(m);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory loading %s", zName);
  }
  memset(t, 0, sizeof *t);
  t->model = *m;
  int rc = parse_tables(t, zName, e);
  if (rc) {
    ds_tagger_free(t);
    return rc;
  }
  *pp = t;
  return DS_OK;
}

int ds_tagger_load_mem(const void *pData, size_t n, const char *zName, ds_tagger **pp,
                       ds_error *e) {
  *pp = NULL;
  if (!pData && n) return ds_error_set(e, DS_MISUSE, -1, "ds_tagger_load_mem: no data");
  ds_model m;
  int rc = ds_model_load_mem(pData, n, zName, &ds_tagger_fmt, &m, e);
  return rc ? rc : from_model(&m, zName, pp, e);
}

/* The file is read whole into one block (ds_model_load), which becomes the tagger's. */
int ds_tagger_load(const char *zPath, ds_tagger **pp, ds_error *e) {
  *pp = NULL;
  if (!zPath) return ds_error_set(e, DS_MISUSE, -1, "ds_tagger_load: no path");
  ds_model m;
  int rc = ds_model_load(zPath, &ds_tagger_fmt, &m, e);
  return rc ? rc : from_model(&m, zPath, pp, e);
}

void ds_tagger_free(ds_tagger *t) {
  if (!t) return;
  ds_model_free(&t->model);
  ds_free(t);
}

/* }====== */

/* {====== Tagging ====== */

/*
** Score one token: add the weights of every feature found, return the best class
** (the lowest id on ties, as in training).
*/
static int predict(const ds_tagger *t, const uint64_t *aH, size_t nH) {
  int32_t sc[256];
  uint32_t aRef[DS_TAGGER_MAXFEAT];
  const uint32_t *aFeat = t->aFeat, *aEntry = t->aEntry;
  uint32_t mask = t->featMask;
  size_t nRef = 0;
  /* the lookups are independent cache misses: start them all, then use them */
  for (size_t f = 0; f < nH; f++) PREFETCH(&aFeat[2 * DS_TAGGER_SLOT(aH[f], mask)]);
  for (size_t f = 0; f < nH; f++) {
    uint32_t fp = DS_TAGGER_FP(aH[f]), i = DS_TAGGER_SLOT(aH[f], mask);
    for (;;) {
      uint32_t k = aFeat[2 * i];
      if (k == fp) {
        aRef[nRef++] = aFeat[2 * i + 1];
        PREFETCH(&aEntry[aFeat[2 * i + 1] >> 8]);
        break;
      }
      if (k == 0) break;
      i = (i + 1) & mask;
    }
  }
  memset(sc, 0, sizeof(int32_t) * t->nClass);
  uint32_t nClass = t->nClass;
  for (size_t r = 0; r < nRef; r++) {
    const uint32_t *pe = aEntry + (aRef[r] >> 8);
    if ((aRef[r] & 0xFF) == DS_TAGGER_DENSE) {
      /* int16 for every class: half the cache lines, a loop the compiler vectorizes */
      const int16_t *pw = (const int16_t *)(const void *)pe;
      for (uint32_t c = 0; c < nClass; c++) sc[c] += pw[c];
    } else {
      const uint32_t *peEnd = pe + (aRef[r] & 0xFF);
      for (; pe < peEnd; pe++) sc[*pe & 0xFF] += (int32_t)(*pe & 0xFFFFFF00u) / 256;
    }
  }
  /* the maximum first (a reduction the compiler vectorizes), then its first class */
  int32_t max = sc[0];
  for (uint32_t c = 1; c < nClass; c++) max = sc[c] > max ? sc[c] : max;
  int best = 0;
  while (sc[best] != max) best++;
  return best;
}

/*
** Left to right with a ring of token information for positions i-2 .. i+2, so each
** token is analysed once and nothing is allocated whatever the sentence length.
*/
int ds_tagger_tag(const ds_tagger *t, const char *const *azWord, const size_t *anWord,
                  size_t n, uint8_t *aUpos, uint8_t *aXpos) {
  if (!t || (n && (!azWord || !anWord))) return DS_MISUSE;
  ds_tagtok ring[8];
  uint64_t aH[DS_TAGGER_MAXFEAT];
  int t1 = -1, t2 = -1;
  for (size_t i = 0; i < n && i < 2; i++)
    ds_tagger_tokinfo(azWord[i] ? azWord[i] : "", azWord[i] ? anWord[i] : 0, t->aLex,
                      t->lexMask, &ring[i]);
  for (size_t i = 0; i < n; i++) {
    size_t j = i + 2;
    if (j < n)
      ds_tagger_tokinfo(azWord[j] ? azWord[j] : "", azWord[j] ? anWord[j] : 0, t->aLex,
                        t->lexMask, &ring[j & 7]);
    const ds_tagtok *cur = &ring[i & 7];
    int c;
    if (cur->uLex & 0xFF) {
      c = (int)(cur->uLex & 0xFF) - 1;   /* unambiguous frequent word */
    } else {
      const ds_tagtok *win[5];
      for (int k = 0; k < 5; k++) {
        size_t pos = i + (size_t)k;   /* position + 2 */
        win[k] = pos >= 2 && pos - 2 < n ? &ring[(pos - 2) & 7] : NULL;
      }
      size_t nH = ds_tagger_feats(win, t1, t2, aH);
      c = predict(t, aH, nH);
    }
    if (aUpos) aUpos[i] = t->aClass[2 * c];
    if (aXpos) aXpos[i] = t->aClass[2 * c + 1];
    t2 = t1;
    t1 = c;
  }
  return DS_OK;
}

/* }====== */

/* {====== Tag names ====== */

int ds_tagger_nupos(const ds_tagger *t) { return (int)t->nUpos; }
int ds_tagger_nxpos(const ds_tagger *t) { return (int)t->nXpos; }

const char *ds_tagger_upos_name(const ds_tagger *t, int id) {
  return id >= 0 && (uint32_t)id < t->nUpos ? t->azUpos[id] : NULL;
}

const char *ds_tagger_xpos_name(const ds_tagger *t, int id) {
  return id >= 0 && (uint32_t)id < t->nXpos ? t->azXpos[id] : NULL;
}

int ds_tagger_upos_id(const ds_tagger *t, const char *zName) {
  for (uint32_t i = 0; i < t->nUpos; i++)
    if (strcmp(t->azUpos[i], zName) == 0) return (int)i;
  return -1;
}

int ds_tagger_xpos_id(const ds_tagger *t, const char *zName) {
  for (uint32_t i = 0; i < t->nXpos; i++)
    if (strcmp(t->azXpos[i], zName) == 0) return (int)i;
  return -1;
}

/* }====== */
