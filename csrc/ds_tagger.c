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

/*
** The same templates in groups by what they depend on, so a caller can sum a group's
** weights once and reuse the sum (ds_tagger_cache): the word itself (and whether it
** starts the sentence), the word as the token before / after / two before / two after
** the one tagged, the two previous tags, and the rest (a tag or a neighbour with the
** word). ds_tagger_feats_grouped lets a test check they are exactly ds_tagger_feats.
*/
static size_t feats_self(const ds_tagtok *w, int bFirst, uint64_t *a) {
  uint64_t amb = (w->uLex >> 8) & 0xFFF;
  size_t k = 0;
  a[k++] = fx(1, 0);
  a[k++] = fx(2, w->hLow);
  for (int j = 0; j < 5; j++)
    if (w->ahSuf[j]) a[k++] = fx(3 + (uint64_t)j, w->ahSuf[j]);
  for (int j = 0; j < 3; j++)
    if (w->ahPre[j]) a[k++] = fx(8 + (uint64_t)j, w->ahPre[j]);
  a[k++] = fx(11, w->hShape);
  a[k++] = fx(12, w->mFlag);
  a[k++] = fx2(13, w->mFlag, bFirst != 0);
  a[k++] = fx(22, amb);
  if (w->hHyph) a[k++] = fx(30, w->hHyph);
  a[k++] = fx2(37, amb, w->uLex >> 20);
  return k;
}

static size_t feats_as_p1(const ds_tagtok *p1, uint64_t *a) {
  a[0] = fx(14, p1->hLow);
  a[1] = fx(25, (p1->uLex >> 8) & 0xFFF);
  a[2] = fx(26, p1->ahSuf[2]);
  a[3] = fx(29, p1->hShape);
  a[4] = fx(39, p1->uLex >> 20);
  return 5;
}

static size_t feats_as_n1(const ds_tagtok *n1, uint64_t *a) {
  a[0] = fx(15, n1->hLow);
  a[1] = fx(23, (n1->uLex >> 8) & 0xFFF);
  a[2] = fx(27, n1->ahSuf[2]);
  a[3] = fx(28, n1->hShape);
  a[4] = fx(38, n1->uLex >> 20);
  return 5;
}

static size_t feats_as_p2(const ds_tagtok *p2, uint64_t *a) {
  a[0] = fx(16, p2->hLow);
  return 1;
}

static size_t feats_as_n2(const ds_tagtok *n2, uint64_t *a) {
  a[0] = fx(17, n2->hLow);
  a[1] = fx(24, (n2->uLex >> 8) & 0xFFF);
  return 2;
}

static size_t feats_tags(int t1, int t2, uint64_t *a) {
  uint64_t u1 = (uint64_t)(t1 & 0xFF), u2 = (uint64_t)(t2 & 0xFF);
  a[0] = fx(18, u1);
  a[1] = fx(19, u2);
  a[2] = fx2(20, u1, u2);
  return 3;
}

static size_t feats_context(const ds_tagtok *w, const ds_tagtok *p1, const ds_tagtok *n1,
                            int t1, uint64_t *a) {
  uint64_t u1 = (uint64_t)(t1 & 0xFF);
  uint64_t amb = (w->uLex >> 8) & 0xFFF, amb1 = (n1->uLex >> 8) & 0xFFF;
  a[0] = fx2(21, u1, w->hLow);
  a[1] = fx2(31, u1, amb1);
  a[2] = fx2(32, w->hLow, n1->hLow);
  a[3] = fx2(33, p1->hLow, w->hLow);
  a[4] = fx2(34, u1, w->ahSuf[2]);
  a[5] = fx2(35, u1, w->hShape);
  a[6] = fx2(36, amb, amb1);
  return 7;
}

size_t ds_tagger_feats_grouped(const ds_tagtok *const win[5], int t1, int t2, uint64_t *a) {
  const ds_tagtok *p1 = win[1] ? win[1] : &tokBos, *p2 = win[0] ? win[0] : &tokBos;
  const ds_tagtok *n1 = win[3] ? win[3] : &tokEos, *n2 = win[4] ? win[4] : &tokEos;
  size_t k = feats_self(win[2], win[1] == NULL, a);
  k += feats_as_p1(p1, a + k);
  k += feats_as_n1(n1, a + k);
  k += feats_as_p2(p2, a + k);
  k += feats_as_n2(n2, a + k);
  k += feats_tags(t1, t2, a + k);
  k += feats_context(win[2], p1, n1, t1, a + k);
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

/* The weight entries of a feature slot's ref: 0 (no entries) for a feature not in the model. */
static inline uint32_t find_ref(const uint32_t *aFeat, uint32_t mask, uint64_t h) {
  uint32_t fp = DS_TAGGER_FP(h), i = DS_TAGGER_SLOT(h, mask);
  for (;;) {
    uint32_t k = aFeat[2 * i];
    if (k == fp) return aFeat[2 * i + 1];
    if (k == 0) return 0;
    i = (i + 1) & mask;
  }
}

/* Add the weights of one feature (its slot's ref) to the class scores sc. */
static inline void add_ref(const ds_tagger *t, uint32_t ref, int32_t *sc) {
  const uint32_t *pe = t->aEntry + (ref >> 8);
  uint32_t nClass = t->nClass;   /* in a local: sc might alias t->nClass, else */
  if ((ref & 0xFF) == DS_TAGGER_DENSE) {
    /* int16 for every class: half the cache lines, a loop the compiler vectorizes */
    const int16_t *pw = (const int16_t *)(const void *)pe;
    for (uint32_t c = 0; c < nClass; c++) sc[c] += pw[c];
  } else {
    const uint32_t *peEnd = pe + (ref & 0xFF);
    for (; pe < peEnd; pe++) sc[*pe & 0xFF] += (int32_t)(*pe & 0xFFFFFF00u) / 256;
  }
}

/* Add the weights of every feature of aH[0..nH) found in the model to sc. */
static void add_feats(const ds_tagger *t, const uint64_t *aH, size_t nH, int32_t *sc) {
  uint32_t aRef[DS_TAGGER_MAXFEAT];
  const uint32_t *aFeat = t->aFeat;
  uint32_t mask = t->featMask;
  size_t nRef = 0;
  /* the lookups are independent cache misses: start them all, then use them */
  for (size_t f = 0; f < nH; f++) DS_PREFETCH(&aFeat[2 * DS_TAGGER_SLOT(aH[f], mask)]);
  for (size_t f = 0; f < nH; f++) {
    uint32_t ref = find_ref(aFeat, mask, aH[f]);
    if (ref) {
      aRef[nRef++] = ref;
      DS_PREFETCH(&t->aEntry[ref >> 8]);
    }
  }
  for (size_t r = 0; r < nRef; r++) add_ref(t, aRef[r], sc);
}

/* The best class of the scores sc (the lowest id on ties, as in training). */
static int best_class(const int32_t *sc, uint32_t nClass) {
  /* the maximum first (a reduction the compiler vectorizes), then its first class */
  int32_t max = sc[0];
  for (uint32_t c = 1; c < nClass; c++) max = sc[c] > max ? sc[c] : max;
  int best = 0;
  while (sc[best] != max) best++;
  return best;
}

/* Score one token: add the weights of every feature found, return the best class. */
static int predict(const ds_tagger *t, const uint64_t *aH, size_t nH) {
  int32_t sc[256];
  memset(sc, 0, sizeof(int32_t) * t->nClass);
  add_feats(t, aH, nH, sc);
  return best_class(sc, t->nClass);
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

/* {====== The per-word cache ====== */

/*
** A group's summed weights are kept as int16 (a vector costs half the memory and cache
** lines) with the largest magnitude in it, so a token adds its vectors as int16 when
** their bounds show the sum fits. A sum beyond int16 (the EWT model's largest on 2 M
** tokens of text: ~8,400) is marked wide and its features are added one by one instead.
*/
enum { VEC_SELF, VEC_P1, VEC_N1, NVEC };   /* a word's vectors: feats_self (not first in
                                              its sentence), feats_as_p1, feats_as_n1 */
#define VEC_NONE 0xFFFF  /* a vector's state: not summed yet; */
#define VEC_WIDE 0xFFFE  /* its sum is beyond int16; else its largest magnitude */

/*
** What the cache keeps of one word, in a slot or in a scratch record for a word it does
** not keep; NVEC vectors of nVec int16 follow it (rec_vec).
*/
typedef struct wordrec {
  uint64_t aKey[4];     /* the word's bytes, 8 to a word from the low byte, zero-padded;
                           its length in the top byte of the last */
  ds_tagtok tt;         /* its token information */
  uint16_t aVec[NVEC];  /* state of each vector (VEC_NONE ...) */
  uint8_t bWord;        /* aKey and tt hold a word (0: an empty slot) */
  uint8_t bP2, bN2;     /* refP2 / aRefN2 are looked up */
  uint32_t refP2;       /* slot ref of its feature as p2, 0 if not in the model */
  uint32_t aRefN2[2];   /* slot refs of its features as n2 */
  uint32_t boundP2;     /* the largest magnitude in each of those features' weights */
  uint32_t aBoundN2[2];
} wordrec;

#define REC_HDR ((sizeof(wordrec) + 15) & ~(size_t)15)
#define NO_SLOT 0xFFFFFFFFu
#define CACHE_SLOTS_DEFAULT 16384
#define CACHE_SLOTS_FIRST 1024     /* a cache starts with this many slots (or fewer) */
#define CACHE_GROW 4               /* and has this many times more once as many words
                                      as 2 x its slots took one: a short text costs little */

struct ds_tagger_cache {
  const ds_tagger *t;
  uint32_t mask;          /* slots - 1 */
  size_t nSlotMax;        /* the most slots it may grow to */
  size_t nTaken;          /* words that took a slot since it had this many */
  uint32_t nVec;          /* int16 per vector: nClass rounded up to 8 */
  size_t nRec;            /* bytes per record, its vectors included */
  unsigned char *aRec;    /* the slots, then 8 scratch records (one per ring position),
                             then the sentence-boundary stand-ins before and after */
  int16_t *aTagVec;       /* feats_tags' vector of each pair (t1, t2), -1 included */
  uint16_t *aTagState;    /* the state of each (VEC_NONE ...) */
  int16_t *aZero;         /* a vector of zeros */
};

static inline wordrec *rec_at(const ds_tagger_cache *tc, size_t i) {
  return (wordrec *)(void *)(tc->aRec + i * tc->nRec);
}

static inline int16_t *rec_vec(const ds_tagger_cache *tc, wordrec *r, int k) {
  return (int16_t *)(void *)((unsigned char *)r + REC_HDR) + (size_t)k * tc->nVec;
}

/*
** Make the slots (nSlot, a power of two) anew, empty; DS_NOMEM leaves the cache as it was.
** Only between sentences: no record may be in use.
*/
static int cache_slots(ds_tagger_cache *tc, size_t nSlot) {
  unsigned char *aRec = ds_malloc_n(nSlot + 10, tc->nRec);
  if (!aRec) return DS_NOMEM;
  ds_free(tc->aRec);
  tc->aRec = aRec;
  tc->mask = (uint32_t)nSlot - 1;
  tc->nTaken = 0;
  memset(tc->aRec, 0, (nSlot + 10) * tc->nRec);   /* bWord 0: every slot empty */
  for (int k = 0; k < 2; k++) {
    wordrec *r = rec_at(tc, nSlot + 8 + (size_t)k);
    r->tt = k ? tokEos : tokBos;
    r->bWord = 1;
    for (int v = 0; v < NVEC; v++) r->aVec[v] = VEC_NONE;
  }
  return DS_OK;
}

/* A cache starts small and grows (CACHE_GROW) while it sees many new words. */
ds_tagger_cache *ds_tagger_cache_new(const ds_tagger *t, size_t nSlot) {
  if (!t) return NULL;
  size_t nPow = 1, nPair = (size_t)(t->nClass + 1) * (t->nClass + 1);
  if (nSlot == 0) nSlot = CACHE_SLOTS_DEFAULT;
  while (nPow < nSlot && nPow < ((size_t)1 << 24)) nPow <<= 1;
  ds_tagger_cache *tc = ds_malloc(sizeof *tc);
  if (!tc) return NULL;
  memset(tc, 0, sizeof *tc);
  tc->t = t;
  tc->nSlotMax = nPow;
  tc->nVec = (t->nClass + 7) & ~7u;
  tc->nRec = (REC_HDR + NVEC * tc->nVec * sizeof(int16_t) + 63) & ~(size_t)63;
  tc->aTagVec = ds_malloc_n(nPair, tc->nVec * sizeof(int16_t));
  tc->aTagState = ds_malloc_n(nPair, sizeof(uint16_t));
  tc->aZero = ds_malloc_n(tc->nVec, sizeof(int16_t));
  if (!tc->aTagVec || !tc->aTagState || !tc->aZero ||
      cache_slots(tc, nPow < CACHE_SLOTS_FIRST ? nPow : CACHE_SLOTS_FIRST)) {
    ds_tagger_cache_free(tc);
    return NULL;
  }
  for (size_t i = 0; i < nPair; i++) tc->aTagState[i] = VEC_NONE;
  memset(tc->aZero, 0, tc->nVec * sizeof(int16_t));
  return tc;
}

void ds_tagger_cache_free(ds_tagger_cache *tc) {
  if (!tc) return;
  ds_free(tc->aRec);
  ds_free(tc->aTagVec);
  ds_free(tc->aTagState);
  ds_free(tc->aZero);
  ds_free(tc);
}

const ds_tagger *ds_tagger_cache_tagger(const ds_tagger_cache *tc) { return tc->t; }

/* A word's key (as wordrec.aKey) and its slot. */
typedef struct wordkey {
  uint64_t a[4];
  uint32_t slot;        /* NO_SLOT for a word longer than DS_TAGGER_CACHE_KEY */
} wordkey;

/* The key of word z[0..n); its slot's record is fetched into the CPU cache meanwhile. */
static inline void word_key(const ds_tagger_cache *tc, const char *z, size_t n, wordkey *k) {
  k->slot = NO_SLOT;
  if (n > DS_TAGGER_CACHE_KEY) return;
  /* built in registers: a memcpy's byte stores read back as words would stall */
  const unsigned char *p = (const unsigned char *)z;
  uint64_t a[4] = {0, 0, 0, (uint64_t)n << 56};   /* "a" and "a\0" differ */
  for (size_t i = 0; i < n; i++) a[i >> 3] |= (uint64_t)p[i] << (8 * (i & 7));
  memcpy(k->a, a, sizeof a);
  uint64_t h = mix64(a[0] + a[1] * 0x9e3779b97f4a7c15ull + a[2] * 0xc2b2ae3d27d4eb4full +
                     a[3] * 0x165667b19e3779f9ull);
  k->slot = (uint32_t)h & tc->mask;
  DS_PREFETCH(rec_at(tc, k->slot));
}

/*
** The record of word z[0..n) (key *k) at sentence position pos: its slot when the slot
** holds the word or may take it, else the scratch record of the position (pos & 7).
** aLive[k & 7] is the slot of position k (NO_SLOT for scratch); a slot that one of the
** positions pos-4 .. pos-1 still uses is not taken, since its token is not tagged yet.
*/
static wordrec *rec_get(ds_tagger_cache *tc, const char *z, size_t n, const wordkey *k,
                        size_t pos, uint32_t aLive[8]) {
  const ds_tagger *t = tc->t;
  uint32_t s = k->slot;
  wordrec *r;
  if (s != NO_SLOT) {
    r = rec_at(tc, s);
    if (r->bWord && r->aKey[0] == k->a[0] && r->aKey[1] == k->a[1] && r->aKey[2] == k->a[2] &&
        r->aKey[3] == k->a[3]) {
      aLive[pos & 7] = s;
      return r;
    }
    for (size_t d = 1; d <= 4; d++)
      if (aLive[(pos - d) & 7] == s) s = NO_SLOT;
  }
  if (s == NO_SLOT) {
    r = rec_at(tc, (size_t)tc->mask + 1 + (pos & 7));
  } else {
    r = rec_at(tc, s);
    memcpy(r->aKey, k->a, sizeof k->a);
    tc->nTaken++;
  }
  aLive[pos & 7] = s;
  ds_tagger_tokinfo(z, n, t->aLex, t->lexMask, &r->tt);
  r->bWord = 1;
  for (int v = 0; v < NVEC; v++) r->aVec[v] = VEC_NONE;
  r->bP2 = r->bN2 = 0;
  return r;
}

/* Sum the weights of aH[0..nH) into v (nVec int16); its state: its bound, or VEC_WIDE. */
static uint16_t sum_vec(const ds_tagger_cache *tc, const uint64_t *aH, size_t nH, int16_t *v) {
  int32_t sc[256];
  memset(sc, 0, sizeof(int32_t) * tc->nVec);
  add_feats(tc->t, aH, nH, sc);
  int32_t lo = 0, hi = 0;      /* two reductions the compiler vectorizes */
  for (uint32_t c = 0; c < tc->nVec; c++) {
    lo = sc[c] < lo ? sc[c] : lo;
    hi = sc[c] > hi ? sc[c] : hi;
  }
  if (hi > INT16_MAX || lo < -INT16_MAX) return VEC_WIDE;
  for (uint32_t c = 0; c < tc->nVec; c++) v[c] = (int16_t)sc[c];
  return (uint16_t)(hi > -lo ? hi : -lo);
}

/* The features of vector k of record r. */
static size_t rec_feats(const wordrec *r, int k, uint64_t *aH) {
  return k == VEC_SELF ? feats_self(&r->tt, 0, aH)
       : k == VEC_P1   ? feats_as_p1(&r->tt, aH)
                       : feats_as_n1(&r->tt, aH);
}

/*
** Vector k of record r, summed the first time, its bound added to *pBound; when it is
** wide, its features are added to sc and the zero vector stands in for it.
*/
static const int16_t *rec_sum(const ds_tagger_cache *tc, wordrec *r, int k, uint32_t *pBound,
                              int32_t *sc) {
  uint64_t aH[DS_TAGGER_MAXFEAT];
  if (r->aVec[k] == VEC_NONE) r->aVec[k] = sum_vec(tc, aH, rec_feats(r, k, aH), rec_vec(tc, r, k));
  if (r->aVec[k] != VEC_WIDE) {
    *pBound += r->aVec[k];
    return rec_vec(tc, r, k);
  }
  add_feats(tc->t, aH, rec_feats(r, k, aH), sc);
  return tc->aZero;
}

/* The same for the vector of the tags features of (t1, t2). */
static const int16_t *tags_sum(const ds_tagger_cache *tc, int t1, int t2, uint32_t *pBound,
                               int32_t *sc) {
  size_t i = (size_t)(t1 + 1) * (tc->t->nClass + 1) + (size_t)(t2 + 1);
  int16_t *v = tc->aTagVec + i * tc->nVec;
  uint64_t aH[3];
  if (tc->aTagState[i] == VEC_NONE) tc->aTagState[i] = sum_vec(tc, aH, feats_tags(t1, t2, aH), v);
  if (tc->aTagState[i] != VEC_WIDE) {
    *pBound += tc->aTagState[i];
    return v;
  }
  add_feats(tc->t, aH, feats_tags(t1, t2, aH), sc);
  return tc->aZero;
}

/* The largest magnitude among the weights of a feature's slot ref. */
static uint32_t ref_bound(const ds_tagger *t, uint32_t ref) {
  const uint32_t *pe = t->aEntry + (ref >> 8);
  int32_t lo = 0, hi = 0;
  if ((ref & 0xFF) == DS_TAGGER_DENSE) {
    const int16_t *pw = (const int16_t *)(const void *)pe;
    for (uint32_t c = 0; c < t->nClass; c++) {
      lo = pw[c] < lo ? pw[c] : lo;
      hi = pw[c] > hi ? pw[c] : hi;
    }
  } else {
    for (uint32_t j = 0; j < (ref & 0xFF); j++) {
      int32_t w = (int32_t)(pe[j] & 0xFFFFFF00u) / 256;
      lo = w < lo ? w : lo;
      hi = w > hi ? w : hi;
    }
  }
  return (uint32_t)(hi > -lo ? hi : -lo);
}

/*
** A feature's weights (slot ref, bound) as an int16 vector to add with the others, its
** bound added to *pBound, when they are a dense row; else they are added to sc now and
** the zero vector stands in.
*/
static const int16_t *ref_row(const ds_tagger_cache *tc, uint32_t ref, uint32_t bound,
                              uint32_t *pBound, int32_t *sc) {
  if ((ref & 0xFF) != DS_TAGGER_DENSE) {
    if (ref) add_ref(tc->t, ref, sc);
    return tc->aZero;
  }
  *pBound += bound;
  return (const int16_t *)(const void *)(tc->t->aEntry + (ref >> 8));
}

/* Look record r's features as p2 and as n2 up, once. */
static void rec_look_p2(const ds_tagger *t, wordrec *r) {
  if (r->bP2) return;
  uint64_t h;
  feats_as_p2(&r->tt, &h);
  r->refP2 = find_ref(t->aFeat, t->featMask, h);
  r->boundP2 = ref_bound(t, r->refP2);
  r->bP2 = 1;
}

static void rec_look_n2(const ds_tagger *t, wordrec *r) {
  if (r->bN2) return;
  uint64_t aH[2];
  feats_as_n2(&r->tt, aH);
  for (int k = 0; k < 2; k++) {
    r->aRefN2[k] = find_ref(t->aFeat, t->featMask, aH[k]);
    r->aBoundN2[k] = ref_bound(t, r->aRefN2[k]);
  }
  r->bN2 = 1;
}

/*
** As ds_tagger_tag, with records instead of token information in the ring: a token's
** score is the sum of its groups of features (ds_tagger_feats_grouped), most of them
** summed once per word or pair of tags.
*/
int ds_tagger_tag_cached(const ds_tagger *t, ds_tagger_cache *tc, const char *const *azWord,
                         const size_t *anWord, size_t n, uint8_t *aUpos, uint8_t *aXpos) {
  if (!tc) return ds_tagger_tag(t, azWord, anWord, n, aUpos, aXpos);
  if (!t || tc->t != t || (n && (!azWord || !anWord))) return DS_MISUSE;
  size_t nSlot = (size_t)tc->mask + 1;
  if (tc->nTaken >= 2 * nSlot && nSlot < tc->nSlotMax) {
    size_t nNew = nSlot * CACHE_GROW < tc->nSlotMax ? nSlot * CACHE_GROW : tc->nSlotMax;
    if (cache_slots(tc, nNew)) tc->nSlotMax = nSlot;   /* no memory: stay this size */
  }
  wordrec *ring[8];
  wordkey aKey[2];        /* keys of the next two words: their records are on their way */
  uint32_t aLive[8];
  uint64_t aH[DS_TAGGER_MAXFEAT];
  int32_t sc[256];
  int t1 = -1, t2 = -1;
  wordrec *pBos = rec_at(tc, (size_t)tc->mask + 9), *pEos = rec_at(tc, (size_t)tc->mask + 10);
  for (int k = 0; k < 8; k++) aLive[k] = NO_SLOT;
#define WORD(j) (azWord[j] ? azWord[j] : ""), (azWord[j] ? anWord[j] : 0)
  for (size_t j = 0; j < 2 && j < n; j++) word_key(tc, WORD(j), &aKey[j]);
  for (size_t j = 0; j < n + 2; j++) {
    /* the record of token i + 2 is ready before token i is tagged */
    if (j < n) {
      ring[j & 7] = rec_get(tc, WORD(j), &aKey[j & 1], j, aLive);
      if (j + 2 < n) word_key(tc, WORD(j + 2), &aKey[j & 1]);
    }
    if (j < 2) continue;
    size_t i = j - 2;
    wordrec *cur = ring[i & 7];
    int c;
    if (cur->tt.uLex & 0xFF) {
      c = (int)(cur->tt.uLex & 0xFF) - 1;   /* unambiguous frequent word */
    } else {
      wordrec *p1 = i >= 1 ? ring[(i - 1) & 7] : pBos, *p2 = i >= 2 ? ring[(i - 2) & 7] : pBos;
      wordrec *n1 = i + 1 < n ? ring[(i + 1) & 7] : pEos, *n2 = i + 2 < n ? ring[(i + 2) & 7] : pEos;
      /* the context features' slots are fetched while the vectors are added */
      size_t nH = feats_context(&cur->tt, &p1->tt, &n1->tt, t1, aH);
      for (size_t f = 0; f < nH; f++) DS_PREFETCH(&t->aFeat[2 * DS_TAGGER_SLOT(aH[f], t->featMask)]);
      memset(sc, 0, sizeof(int32_t) * tc->nVec);
      const int16_t *vs, *vp, *vn, *vt;
      uint32_t bound = 0;
      if (i > 0) {
        vs = rec_sum(tc, cur, VEC_SELF, &bound, sc);
      } else {     /* the vector is that of a word inside a sentence */
        uint64_t aHSelf[DS_TAGGER_MAXFEAT];
        add_feats(t, aHSelf, feats_self(&cur->tt, 1, aHSelf), sc);
        vs = tc->aZero;
      }
      vp = rec_sum(tc, p1, VEC_P1, &bound, sc);
      vn = rec_sum(tc, n1, VEC_N1, &bound, sc);
      vt = tags_sum(tc, t1, t2, &bound, sc);
      rec_look_p2(t, p2);
      rec_look_n2(t, n2);
      const int16_t *w1 = ref_row(tc, p2->refP2, p2->boundP2, &bound, sc);
      const int16_t *w2 = ref_row(tc, n2->aRefN2[0], n2->aBoundN2[0], &bound, sc);
      const int16_t *w3 = ref_row(tc, n2->aRefN2[1], n2->aBoundN2[1], &bound, sc);
      uint32_t nClass = t->nClass;   /* (a model's rows have nClass weights) */
      if (bound <= INT16_MAX) {   /* no sum can overflow: add as int16, widen once */
        for (uint32_t u = 0; u < nClass; u++)
          sc[u] += (int16_t)(vs[u] + vp[u] + vn[u] + vt[u] + w1[u] + w2[u] + w3[u]);
      } else {
        for (uint32_t u = 0; u < nClass; u++)
          sc[u] += vs[u] + vp[u] + vn[u] + vt[u] + w1[u] + w2[u] + w3[u];
      }
      add_feats(t, aH, nH, sc);
      c = best_class(sc, t->nClass);
    }
    if (aUpos) aUpos[i] = t->aClass[2 * c];
    if (aXpos) aXpos[i] = t->aClass[2 * c + 1];
    t2 = t1;
    t1 = c;
  }
  return DS_OK;
#undef WORD
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
