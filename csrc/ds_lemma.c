/*
** ds_lemma.c -- English lemmatizer (see ds_lemma.h for the method and the file format).
*/
#include "ds_lemma.h"
#include "ds_model.h"
#include "ds_utf8.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

struct ds_lemmatizer {
  ds_model model;           /* the file, one block (owned) */
  const uint32_t *aLex;     /* 2 per slot: fingerprint, value */
  const uint32_t *aSet;     /* fingerprints */
  const char *zPool;
  uint32_t lexMask, setMask, nPool;
};

#define HEADER_BYTES 48

/* {====== Hashing and lookups ====== */

static uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

/* Streaming FNV-1a: a candidate lemma (stem + ending) is hashed without copying it. */
static uint64_t h_start(unsigned kind) { return 0xcbf29ce484222325ull ^ ((uint64_t)kind << 40); }
static uint64_t h_add(uint64_t h, const char *z, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)z[i]) * 0x100000001b3ull;
  return h;
}
static uint64_t h_end(uint64_t h) { return mix64(h); }

uint64_t ds_lemma_hash(const char *z, size_t n, unsigned kind) {
  return h_end(h_add(h_start(kind), z, n));
}

uint64_t ds_lemma_hash_xpos(const char *z, size_t n, unsigned upos, const char *zXpos) {
  uint64_t h = h_add(h_start(DS_LEMMA_K_XPOS + upos), z, n);
  return h_end(h_add(h, zXpos, strlen(zXpos) + 1));   /* the NUL keeps form and tag apart */
}

static uint32_t fp_of(uint64_t h) { return (uint32_t)(h >> 32) | 1u; }

/* Lexicon value of hash h, or 0xFFFFFFFF when absent. */
static uint32_t lex_get(const ds_lemmatizer *l, uint64_t h) {
  uint32_t fp = fp_of(h), i = (uint32_t)h & l->lexMask;
  for (;;) {
    uint32_t k = l->aLex[2 * i];
    if (k == fp) return l->aLex[2 * i + 1];
    if (k == 0) return 0xFFFFFFFFu;
    i = (i + 1) & l->lexMask;
  }
}

/* Is hash h in the known-lemma set? */
static int set_has(const ds_lemmatizer *l, uint64_t h) {
  uint32_t fp = fp_of(h), i = (uint32_t)h & l->setMask;
  for (;;) {
    uint32_t k = l->aSet[i];
    if (k == fp) return 1;
    if (k == 0) return 0;
    i = (i + 1) & l->setMask;
  }
}

static const char *const azUpos[17] = {
  "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
  "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X"};
enum { U_ADJ = 0, U_ADV = 2, U_AUX = 3, U_NOUN = 7, U_NUM = 8, U_PROPN = 11, U_PUNCT = 12,
       U_SYM = 14, U_VERB = 15, U_X = 16 };

int ds_lemma_upos_id(const char *z) {
  if (!z) return -1;
  for (int i = 0; i < 17; i++)
    if (strcmp(azUpos[i], z) == 0) return i;
  return -1;
}

/* }====== */

/* {====== Loading ====== */

/* The envelope of a lemma file (ds_model.h); the fields are those of ds_lemma.h. */
const ds_model_fmt ds_lemma_fmt = {"DSLEMMAS", DS_LEMMA_VERSION, HEADER_BYTES, "lemma file"};

/*
** Check the header fields and tables of l->model (its envelope is checked) and set the
** pointers.
*/
static int parse_tables(ds_lemmatizer *l, const char *zName, ds_error *e) {
  const ds_model *m = &l->model;
  uint32_t nLex = ds_model_field(m, 0), nSet = ds_model_field(m, 1), nPool = ds_model_field(m, 2);
  uint64_t nBody = m->nBody;
  if (!nLex || (nLex & (nLex - 1)) || !nSet || (nSet & (nSet - 1)) || (nPool & 3) ||
      8ull * nLex + 4ull * nSet + nPool != nBody)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: lemma file tables do not fit its size", zName);
  const unsigned char *q = m->pBody;
  l->aLex = (const uint32_t *)(const void *)q;
  l->aSet = (const uint32_t *)(const void *)(q + 8ull * nLex);
  l->zPool = (const char *)(q + 8ull * nLex + 4ull * nSet);
  l->lexMask = nLex - 1;
  l->setMask = nSet - 1;
  l->nPool = nPool;
  /* the pool: NUL-terminated lemmas, each UTF-8 that a CoNLL-U column can hold (no
     spaces or control characters), and NUL padding; checked once, so a lookup may
     copy any string that starts in it */
  if (nPool && l->zPool[nPool - 1] != 0)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: lemma strings not terminated", zName);
  for (uint32_t i = 0; i < nPool;) {
    const char *z = l->zPool + i;
    size_t len = strlen(z);
    if (ds_utf8_check(z, len) >= 0)
      return ds_error_set(e, DS_CORRUPT, -1, "%s: lemma string at %u is not UTF-8", zName, i);
    for (size_t k = 0; k < len; k++)
      if ((unsigned char)z[k] <= ' ' || z[k] == 0x7F)
        return ds_error_set(e, DS_CORRUPT, -1, "%s: lemma string at %u has a space or control character",
                            zName, i);
    i += (uint32_t)len + 1;
  }
  int emptyLex = 0, emptySet = 0;
  for (uint32_t i = 0; i < nLex; i++) {
    uint32_t v = l->aLex[2 * i + 1];
    if (!l->aLex[2 * i]) { emptyLex = 1; continue; }
    /* a string value must be the start of a non-empty string of the pool */
    if ((v & 3) == 3 || ((v & 3) == 0 && ((v >> 2) >= nPool || l->zPool[v >> 2] == 0 ||
                                          ((v >> 2) > 0 && l->zPool[(v >> 2) - 1] != 0))))
      return ds_error_set(e, DS_CORRUPT, -1, "%s: lemma lexicon slot %u out of range", zName, i);
  }
  for (uint32_t i = 0; i < nSet && !emptySet; i++) emptySet = l->aSet[i] == 0;
  if (!emptyLex || !emptySet)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: lemma hash table full", zName);
  return DS_OK;
}

/* A lemmatizer on the loaded file *m (taken over, freed on failure). */
static int from_model(ds_model *m, const char *zName, ds_lemmatizer **pp, ds_error *e) {
  ds_lemmatizer *l = ds_malloc(sizeof *l);
  if (!l) {
    ds_model_free(m);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory loading %s", zName);
  }
  memset(l, 0, sizeof *l);
  l->model = *m;
  int rc = parse_tables(l, zName, e);
  if (rc) {
    ds_lemma_free(l);
    return rc;
  }
  *pp = l;
  return DS_OK;
}

int ds_lemma_load_mem(const void *pData, size_t n, const char *zName, ds_lemmatizer **pp,
                      ds_error *e) {
  *pp = NULL;
  if (!pData && n) return ds_error_set(e, DS_MISUSE, -1, "ds_lemma_load_mem: no data");
  ds_model m;
  int rc = ds_model_load_mem(pData, n, zName, &ds_lemma_fmt, &m, e);
  return rc ? rc : from_model(&m, zName, pp, e);
}

/* The file is read whole into one block (ds_model_load), which becomes the lemmatizer's. */
int ds_lemma_load(const char *zPath, ds_lemmatizer **pp, ds_error *e) {
  *pp = NULL;
  if (!zPath) return ds_error_set(e, DS_MISUSE, -1, "ds_lemma_load: no path");
  ds_model m;
  int rc = ds_model_load(zPath, &ds_lemma_fmt, &m, e);
  return rc ? rc : from_model(&m, zPath, pp, e);
}

void ds_lemma_free(ds_lemmatizer *l) {
  if (!l) return;
  ds_model_free(&l->model);
  ds_free(l);
}

/* }====== */

/* {====== Lemmatizing ====== */

/*
** Append z lower-cased (full Unicode simple case mapping); invalid UTF-8 bytes are
** copied as they are.
*/
static void append_lower(ds_buf *out, const char *z, size_t n) {
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)z;
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {   /* ASCII fast path */
      unsigned c = p[i++];
      ds_buf_putc(out, (int)(c - 'A' < 26u ? c + 32 : c));
      continue;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
    if (k <= 0) {
      ds_buf_putc(out, p[i++]);
      continue;
    }
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_tolower(cp), enc);
    ds_buf_append(out, enc, (size_t)m);
    i += (size_t)k;
  }
}

static int ends(const char *z, size_t n, const char *zSuf) {
  size_t k = strlen(zSuf);
  return n >= k && memcmp(z + n - k, zSuf, k) == 0;
}

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* A rule: strip zSuf, add zEnd; bUndouble: also drop one of a doubled final consonant. */
typedef struct rule {
  const char *zSuf, *zEnd;
  int bUndouble;
} rule;

static const rule aNounRule[] = {
  {"s", "", 0}, {"ses", "s", 0}, {"xes", "x", 0}, {"zes", "z", 0}, {"ches", "ch", 0},
  {"shes", "sh", 0}, {"men", "man", 0}, {"ies", "y", 0}, {NULL, NULL, 0}};
static const rule aVerbS[] = {{"s", "", 0}, {"ies", "y", 0}, {"es", "e", 0}, {"es", "", 0},
                              {NULL, NULL, 0}};
static const rule aVerbEd[] = {{"ed", "e", 0}, {"ed", "", 0}, {"ed", "", 1}, {"ied", "y", 0},
                               {NULL, NULL, 0}};
static const rule aVerbIng[] = {{"ing", "e", 0}, {"ing", "", 0}, {"ing", "", 1},
                                {"ying", "ie", 0}, {NULL, NULL, 0}};
static const rule aAdjRule[] = {{"er", "", 0}, {"est", "", 0}, {"er", "e", 0}, {"est", "e", 0},
                                {"er", "", 1}, {"est", "", 1}, {"ier", "y", 0},
                                {"iest", "y", 0}, {NULL, NULL, 0}};

/*
** Length of the stem left by rule r on z[0..n), or 0 when it does not apply (the stem
** must keep two bytes; undoubling needs a doubled consonant).
*/
static size_t rule_stem(const rule *r, const char *z, size_t n) {
  size_t k = strlen(r->zSuf);
  if (!ends(z, n, r->zSuf) || n < k + 2) return 0;
  size_t m = n - k;
  if (r->bUndouble) {
    if (m < 3 || z[m - 1] != z[m - 2] || is_vowel(z[m - 1])) return 0;
    m--;
  }
  return m;
}

/*
** Try rules in order on the text at out->p[start..out->n); the first candidate in the
** known-lemma set (part of speech pos) replaces it. Returns 1 when one did.
*/
static int try_rules(const ds_lemmatizer *l, const rule *ar, unsigned pos, ds_buf *out,
                     size_t start) {
  const char *z = (const char *)out->p + start;
  size_t n = out->n - start;
  for (const rule *r = ar; r->zSuf; r++) {
    size_t m = rule_stem(r, z, n);
    if (!m) continue;
    uint64_t h = h_add(h_start(DS_LEMMA_K_SET + pos), z, m);
    h = h_end(h_add(h, r->zEnd, strlen(r->zEnd)));
    if (set_has(l, h)) {
      out->n = start + m;
      ds_buf_puts(out, r->zEnd);
      return 1;
    }
  }
  return 0;
}

/* Strip zSuf (known to end the text) and add zEnd, undoubling a final consonant pair. */
static void strip(ds_buf *out, size_t start, size_t nSuf, const char *zEnd, int bUndouble) {
  out->n -= nSuf;
  const char *z = (const char *)out->p + start;
  size_t m = out->n - start;
  if (bUndouble && m >= 3 && z[m - 1] == z[m - 2] && !is_vowel(z[m - 1]) &&
      !strchr("lsfz", z[m - 1]))
    out->n--;
  ds_buf_puts(out, zEnd);
}

/* Noun plural fallback when no candidate is a known lemma. */
static void noun_fallback(ds_buf *out, size_t start) {
  const char *z = (const char *)out->p + start;
  size_t n = out->n - start;
  if (n < 4) return;
  if (ends(z, n, "ies") && n > 4) strip(out, start, 3, "y", 0);
  else if (ends(z, n, "ches") || ends(z, n, "shes") || ends(z, n, "sses") || ends(z, n, "xes") ||
           ends(z, n, "zes"))
    strip(out, start, 2, "", 0);
  else if (ends(z, n, "s") && !ends(z, n, "ss") && !ends(z, n, "us") && !ends(z, n, "is"))
    strip(out, start, 1, "", 0);
}

/* Verb fallback by ending: -ing, -ed, -s. */
static void verb_fallback(ds_buf *out, size_t start, int bIng, int bEd, int bS) {
  const char *z = (const char *)out->p + start;
  size_t n = out->n - start;
  if (bIng && ends(z, n, "ing") && n > 5) strip(out, start, 3, "", 1);
  else if (bEd && ends(z, n, "ied") && n > 4) strip(out, start, 3, "y", 0);
  else if (bEd && ends(z, n, "ed") && n > 4) strip(out, start, 2, "", 1);
  else if (bS && ends(z, n, "ies") && n > 4) strip(out, start, 3, "y", 0);
  else if (bS && (ends(z, n, "ches") || ends(z, n, "shes") || ends(z, n, "sses") ||
                  ends(z, n, "xes") || ends(z, n, "oes")))
    strip(out, start, 2, "", 0);
  else if (bS && ends(z, n, "s") && !ends(z, n, "ss") && n > 3) strip(out, start, 1, "", 0);
}

/* Replace out[start..] by what lexicon value v says. */
static void emit(const ds_lemmatizer *l, uint32_t v, const char *z, size_t n, ds_buf *out,
                 size_t start) {
  out->n = start;
  if ((v & 3) == 0) ds_buf_puts(out, l->zPool + (v >> 2));
  else if ((v & 3) == 1) append_lower(out, z, n);
  else ds_buf_append(out, z, n);
}

static int has_letter(const char *z, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned)((z[i] | 32) - 'a') < 26u) return 1;
  return 0;
}

/*
** An acronym: two or more capitals (digits may follow the first), no lower case: its
** lemma is its form when the lexicon does not know its lower-case form.
*/
static int acronym(const char *z, size_t n) {
  size_t nUpper = 0;
  for (size_t i = 0; i < n; i++) {
    if (z[i] >= 'A' && z[i] <= 'Z') nUpper++;
    else if (!(z[i] >= '0' && z[i] <= '9' && i > 0) && z[i] != '&') return 0;
  }
  return nUpper >= 2;
}

int ds_lemmatize(const ds_lemmatizer *l, const char *z, size_t n, const char *zUpos,
                 const char *zXpos, ds_buf *out) {
  if (!l || !out || (!z && n)) return DS_MISUSE;
  if (n == 0) return out->rc;   /* the empty token's lemma is empty */
  int u = ds_lemma_upos_id(zUpos);
  if (u < 0) u = U_X;
  const char *x = zXpos ? zXpos : "";
  size_t start = out->n;
  uint32_t v = 0xFFFFFFFFu;
  if (zXpos) v = lex_get(l, ds_lemma_hash_xpos(z, n, (unsigned)u, zXpos));
  if (v == 0xFFFFFFFFu) v = lex_get(l, ds_lemma_hash(z, n, DS_LEMMA_K_EXACT + (unsigned)u));
  if (v != 0xFFFFFFFFu) {
    emit(l, v, z, n, out, start);
    return out->rc;
  }
  int bNnps = u == U_PROPN && strcmp(x, "NNPS") == 0;
  if (u == U_NUM && !has_letter(z, n)) {
    /* 12,000 -> 12000: digits lose their thousands separators, as in UD English */
    for (size_t i = 0; i < n; i++)
      if (z[i] != ',' || i == 0 || i + 1 == n) ds_buf_putc(out, z[i]);
    return out->rc;
  }
  if ((u == U_PROPN && !bNnps) || u == U_PUNCT || u == U_SYM || u == U_X) {
    ds_buf_append(out, z, n);   /* names, symbols and digits keep their form */
    return out->rc;
  }
  if (bNnps) {
    /* plural names keep their case: Americans -> American */
    ds_buf_append(out, z, n);
    if (out->rc) return out->rc;
    if (!try_rules(l, aNounRule, DS_LEMMA_P_NOUN, out, start)) noun_fallback(out, start);
    return out->rc;
  }
  append_lower(out, z, n);
  if (out->rc) return out->rc;
  const char *zl = (const char *)out->p + start;
  size_t nl = out->n - start;
  v = lex_get(l, ds_lemma_hash(zl, nl, DS_LEMMA_K_LOWER + (unsigned)u));
  if (v != 0xFFFFFFFFu) {
    if ((v & 3) == 0) {
      out->n = start;
      ds_buf_puts(out, l->zPool + (v >> 2));
    } else if ((v & 3) == 2) {
      out->n = start;
      ds_buf_append(out, z, n);
    }
    return out->rc;
  }
  if (acronym(z, n)) {          /* `MTS`, `BRICS`: not plurals of `mt`, `bric` */
    out->n = start;
    ds_buf_append(out, z, n);
    return out->rc;
  }
  int pos = u == U_NOUN ? DS_LEMMA_P_NOUN : u == U_VERB || u == U_AUX ? DS_LEMMA_P_VERB
          : u == U_ADJ ? DS_LEMMA_P_ADJ : u == U_ADV ? DS_LEMMA_P_ADV : -1;
  if (pos < 0) return out->rc;
  v = lex_get(l, ds_lemma_hash(zl, nl, DS_LEMMA_K_EXC + (unsigned)pos));
  if (v != 0xFFFFFFFFu) {
    emit(l, v, z, n, out, start);
    return out->rc;
  }
  int bX = zXpos != NULL && zXpos[0] != 0 && strcmp(zXpos, "_") != 0;
  if (pos == DS_LEMMA_P_NOUN) {
    if (bX && strcmp(x, "NNS") != 0) return out->rc;   /* NN: already a lemma */
    if (!try_rules(l, aNounRule, DS_LEMMA_P_NOUN, out, start) && bX) noun_fallback(out, start);
  } else if (pos == DS_LEMMA_P_VERB) {
    int bS = !bX || strcmp(x, "VBZ") == 0, bEd = !bX || strcmp(x, "VBD") == 0 || strcmp(x, "VBN") == 0;
    int bIng = !bX || strcmp(x, "VBG") == 0;
    if (bS && try_rules(l, aVerbS, DS_LEMMA_P_VERB, out, start)) return out->rc;
    if (bEd && try_rules(l, aVerbEd, DS_LEMMA_P_VERB, out, start)) return out->rc;
    if (bIng && try_rules(l, aVerbIng, DS_LEMMA_P_VERB, out, start)) return out->rc;
    if (bX) verb_fallback(out, start, bIng, bEd, bS);
  } else if (pos == DS_LEMMA_P_ADJ) {
    if (bX && strcmp(x, "JJR") != 0 && strcmp(x, "JJS") != 0) return out->rc;
    if (!try_rules(l, aAdjRule, DS_LEMMA_P_ADJ, out, start) && bX) {
      const char *zz = (const char *)out->p + start;
      size_t nz = out->n - start;
      if (ends(zz, nz, "est") && nz > 5) strip(out, start, 3, "", 1);
      else if (ends(zz, nz, "er") && nz > 4) strip(out, start, 2, "", 1);
    }
  }
  return out->rc;
}

/* }====== */
