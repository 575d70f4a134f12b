/*
** ds_langdata.c -- word list and furniture phrases (see ds_langdata.h).
*/
#include "ds_langdata.h"
#include "ds_lines.h"
#include "ds_strmap.h"

#include <stdio.h>
#include <string.h>

/* Lines longer than this are never furniture (and phrases may not be longer). */
#define DS_PHRASE_MAX 200

typedef struct phrase {
  int bWhole;           /* the whole line must be the phrase (else: contains it) */
  size_t off, n;        /* lower-case phrase at zPhrases + off */
} phrase;

struct ds_langdata {
  ds_strmap words;      /* word forms (read-only once loaded: workers share it) */
  phrase *aPhrase;
  size_t nPhrase;
  char *zPhrases;       /* lower-case phrase text */
};

void ds_langdata_free(ds_langdata *ld) {
  if (!ld) return;
  ds_strmap_free(&ld->words);
  ds_free(ld->aPhrase);
  ds_free(ld->zPhrases);
  ds_free(ld);
}

static int load_words(ds_langdata *ld, const char *zDir, ds_error *e) {
  char zPath[4096];
  ds_lines r;
  snprintf(zPath, sizeof zPath, "%s/en-words.txt", zDir);
  int rc = ds_lines_open(&r, zPath, e);
  while (rc == DS_OK && ds_lines_next(&r)) {
    for (size_t k = 0; k < r.nLine && rc == DS_OK; k++)
      if (r.zLine[k] < 'a' || r.zLine[k] > 'z')
        rc = ds_lines_error(&r, e, DS_FORMAT, "a word must be lower-case letters");
    if (rc == DS_OK && ds_strmap_put(&ld->words, r.zLine, r.nLine, 0))
      rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  ds_lines_close(&r);
  return rc;
}

static int load_phrases(ds_langdata *ld, const char *zDir, ds_error *e) {
  char zPath[4096];
  size_t nAlloc = 0;
  ds_lines r;
  snprintf(zPath, sizeof zPath, "%s/boilerplate.txt", zDir);
  int rc = ds_lines_open(&r, zPath, e);
  if (rc) return rc;
  for (size_t k = 0; k < r.n; k++)          /* phrases are matched in lower case */
    if (r.z[k] >= 'A' && r.z[k] <= 'Z') r.z[k] = (char)(r.z[k] + 32);
  while (rc == DS_OK && ds_lines_next(&r)) {
    ds_field a[2];
    size_t nf = ds_lines_fields(&r, '\t', a, 2);
    int bWhole = nf == 2 && a[0].n == 4 && memcmp(a[0].z, "line", 4) == 0;
    int bContains = nf == 2 && a[0].n == 8 && memcmp(a[0].z, "contains", 8) == 0;
    if ((!bWhole && !bContains) || a[1].n == 0) {
      rc = ds_lines_error(&r, e, DS_FORMAT, "expected `line` or `contains`, a tab, a phrase");
      break;
    }
    /* a phrase is returned as a C string (the line's, NUL-terminated by ds_lines) and
       matched against lines of at most DS_PHRASE_MAX bytes: no control characters (a
       NUL would cut it), no longer */
    for (size_t k = 0; k < a[1].n && rc == DS_OK; k++)
      if ((unsigned char)a[1].z[k] < ' ' && a[1].z[k] != '\t')
        rc = ds_lines_error(&r, e, DS_FORMAT, "a control character (byte %zu) in the phrase",
                            (size_t)(a[1].z + k - r.zLine) + 1);
    if (rc == DS_OK && a[1].n > DS_PHRASE_MAX)
      rc = ds_lines_error(&r, e, DS_FORMAT, "a phrase of more than %d bytes never matches", DS_PHRASE_MAX);
    if (rc) break;
    if (ld->nPhrase == nAlloc) {
      nAlloc = nAlloc ? 2 * nAlloc : 64;
      phrase *p = ds_realloc_n(ld->aPhrase, nAlloc, sizeof *p);
      if (!p) { rc = ds_error_set(e, DS_NOMEM, -1, "out of memory"); break; }
      ld->aPhrase = p;
    }
    ld->aPhrase[ld->nPhrase++] = (phrase){bWhole, (size_t)(a[1].z - r.z), a[1].n};
  }
  if (rc) {
    ds_lines_close(&r);
    return rc;
  }
  ld->zPhrases = ds_lines_take(&r);
  return DS_OK;
}

int ds_langdata_load(const char *zDir, ds_langdata **ppOut, ds_error *e) {
  ds_langdata *ld = ds_malloc(sizeof *ld);
  *ppOut = NULL;
  if (!ld) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(ld, 0, sizeof *ld);
  ds_strmap_init(&ld->words);
  int rc = load_words(ld, zDir, e);
  if (rc == DS_OK) rc = load_phrases(ld, zDir, e);
  if (rc) {
    ds_langdata_free(ld);
    return rc;
  }
  *ppOut = ld;
  return DS_OK;
}

static int has(const ds_langdata *ld, const char *z, size_t n) {
  return n > 0 && ds_strmap_has(&ld->words, z, n);
}

int ds_langdata_is_word(const ds_langdata *ld, const char *z, size_t n) {
  /* Morphy's detachment rules (morphy(7WN)): suffix -> ending */
  static const char *const aRule[][2] = {
    {"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"},
    {"men", "man"}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""},
    {"ing", "e"}, {"ing", ""}, {"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"},
    {"ly", ""}, {"ally", "al"}, {"ily", "y"},
  };
  char w[64], t[72];
  if (n < 2 || n >= sizeof w) return 0;
  for (size_t k = 0; k < n; k++) {
    char c = z[k];
    if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
    if (c < 'a' || c > 'z') return 0;
    w[k] = c;
  }
  if (has(ld, w, n)) return 1;
  for (size_t r = 0; r < sizeof aRule / sizeof *aRule; r++) {
    size_t ns = strlen(aRule[r][0]), ne = strlen(aRule[r][1]);
    if (n <= ns + 1 || memcmp(w + n - ns, aRule[r][0], ns) != 0) continue;
    memcpy(t, w, n - ns);
    memcpy(t + n - ns, aRule[r][1], ne);
    if (has(ld, t, n - ns + ne)) return 1;
  }
  return 0;
}

/* The bit of the byte pair (a, b) in a line's set of pairs (PAIR_BITS bits). */
#define PAIR_BITS 1024
static unsigned pair_bit(unsigned char a, unsigned char b) { return ((unsigned)a << 5 ^ b) & (PAIR_BITS - 1); }

/* Might a line whose byte pairs are in aPair hold z[0..n)? (No when a pair is missing.) */
static int pairs_present(const uint64_t *aPair, const char *z, size_t n) {
  for (size_t k = 0; k + 1 < n; k++) {
    unsigned bit = pair_bit((unsigned char)z[k], (unsigned char)z[k + 1]);
    if (!(aPair[bit / 64] >> (bit % 64) & 1)) return 0;
  }
  return 1;
}

const char *ds_langdata_boilerplate(const ds_langdata *ld, const char *z, size_t n) {
  while (n > 0 && (z[0] == ' ' || z[0] == '\t')) { z++; n--; }
  while (n > 0 && (z[n - 1] == ' ' || z[n - 1] == '\t' || z[n - 1] == ':' || z[n - 1] == '.')) n--;
  if (n == 0 || n > DS_PHRASE_MAX) return NULL;
  char low[DS_PHRASE_MAX + 1];
  for (size_t k = 0; k < n; k++) low[k] = (z[k] >= 'A' && z[k] <= 'Z') ? (char)(z[k] + 32) : z[k];
  /* the line's byte pairs, once: a phrase with a pair the line lacks is not looked for
     (most lines of prose have none of the phrases, and each search went over the line) */
  uint64_t aPair[PAIR_BITS / 64];
  int bPairs = 0;
  for (size_t p = 0; p < ld->nPhrase; p++) {
    const phrase *ph = &ld->aPhrase[p];
    const char *zp = ld->zPhrases + ph->off;
    if (ph->bWhole) {
      if (ph->n == n && memcmp(low, zp, n) == 0) return zp;
    } else {
      if (ph->n > n) continue;
      if (!bPairs) {
        memset(aPair, 0, sizeof aPair);
        for (size_t k = 0; k + 1 < n; k++) {
          unsigned bit = pair_bit((unsigned char)low[k], (unsigned char)low[k + 1]);
          aPair[bit / 64] |= (uint64_t)1 << (bit % 64);
        }
        bPairs = 1;
      }
      if (!pairs_present(aPair, zp, ph->n)) continue;
      /* only where the line has the phrase's first byte (memchr finds those fast) */
      const char *q = low, *qEnd = low + (n - ph->n) + 1;   /* starts that leave room */
      while (q < qEnd && (q = memchr(q, zp[0], (size_t)(qEnd - q))) != NULL) {
        if (memcmp(q, zp, ph->n) == 0) return zp;
        q++;
      }
    }
  }
  return NULL;
}
