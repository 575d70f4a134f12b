/*
** cql_idset.c -- CQL values resolved to lexicon id sets (see cql_idset.h).
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include "cql_idset.h"
#include "ds_cql.h"
#include "ds_utf8.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct cql_regex {
  pcre2_code *re;
  pcre2_match_data *md;
  pcre2_match_context *mc;
  int bDiacr;           /* compare without diacritics */
  char zSuffix[32];     /* what every match ends with (literal_suffix), "" if unknown */
  size_t nSuffix;
  int bFold;            /* compared case-insensitively (ASCII only: see literal_suffix) */
};

/*
** The literal end of regex z[0..n) that every (end-anchored) match ends with: the run of
** plain characters after the last metacharacter, into zOut (at most nOut - 1 bytes, the
** run's end kept); 0 when it cannot say (`|`, `\`, `(?` options anywhere, or no run). With
** bFold the run must be ASCII letters and digits without k or s, whose only caseless
** equivalents are their ASCII cases (k and s also match U+212A and U+017F).
*/
static size_t literal_suffix(const char *z, size_t n, int bFold, char *zOut, size_t nOut) {
  if (memchr(z, '|', n) || memchr(z, '\\', n)) return 0;
  for (size_t i = 0; i + 1 < n; i++)
    if (z[i] == '(' && z[i + 1] == '?') return 0;
  size_t k = n;
  while (k > 0 && !strchr(".*+?[](){}|^$\\", z[k - 1]) && n - k < nOut - 1) {
    unsigned char ch = (unsigned char)z[k - 1];
    if (bFold && !((ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z' &&
                                                  (ch | 0x20) != 'k' && (ch | 0x20) != 's')))
      break;
    k--;
  }
  while (k < n && ((unsigned char)z[k] & 0xC0) == 0x80) k++;    /* whole characters */
  memcpy(zOut, z + k, n - k);
  zOut[n - k] = 0;
  return n - k;
}

/* z without its combining marks (NFD, marks dropped, NFC), malloc'd by utf8proc; or NULL. */
static char *strip_marks(const char *z, size_t n) {
  utf8proc_uint8_t *out = NULL;
  utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)z, (utf8proc_ssize_t)n, &out,
                                    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
  return r < 0 ? NULL : (char *)out;
}

/*
** Regex z[0..n) with its POSIX classes [:upper:] and [:lower:] (and [:^upper:], [:^lower:])
** inside brackets written as [:alpha:] ([:^alpha:]), into out: for %c, where CQP's PCRE
** reads them so (an upper case letter, case aside, is any letter) and PCRE2 with Unicode
** properties keeps them to one case. Escapes and \Q...\E are copied as they are.
*/
static void posix_case_to_alpha(const char *z, size_t n, ds_buf *out) {
  int bClass = 0;
  for (size_t i = 0; i < n;) {
    if (z[i] == '\\' && i + 1 < n && z[i + 1] == 'Q') {          /* literal up to \E */
      size_t j = i + 2;
      while (j < n && !(z[j] == '\\' && j + 1 < n && z[j + 1] == 'E')) j++;
      j = j < n ? j + 2 : n;
      ds_buf_append(out, z + i, j - i);
      i = j;
    } else if (z[i] == '\\') {
      ds_buf_append(out, z + i, i + 1 < n ? 2 : 1);
      i += 2;
    } else if (!bClass && z[i] == '[') {                         /* `[]...]` and `[^]...]` */
      size_t j = i + 1;
      if (j < n && z[j] == '^') j++;
      if (j < n && z[j] == ']') j++;
      ds_buf_append(out, z + i, j - i);
      i = j;
      bClass = 1;
    } else if (bClass && z[i] == '[' && i + 1 < n && z[i + 1] == ':') {
      size_t j = i + 2;
      while (j + 1 < n && !(z[j] == ':' && z[j + 1] == ']')) j++;
      size_t nName = j - (i + 2);
      const char *zName = z + i + 2;
      int bNeg = nName > 0 && zName[0] == '^';
      if (j + 1 < n && nName == 5 + (size_t)bNeg &&
          (memcmp(zName + bNeg, "upper", 5) == 0 || memcmp(zName + bNeg, "lower", 5) == 0)) {
        ds_buf_puts(out, bNeg ? "[:^alpha:]" : "[:alpha:]");
        i = j + 2;
      } else {
        ds_buf_append(out, z + i, 2);
        i += 2;
      }
    } else {
      if (bClass && z[i] == ']') bClass = 0;
      ds_buf_putc(out, z[i]);
      i++;
    }
  }
}

static int qerr(ds_error *e, const char *zQuery, size_t iAt, const char *zMsg) {
  return ds_error_set(e, DS_QUERY, (int64_t)iAt, "%s at position %zu", zMsg,
                      ds_cql_char_pos(zQuery, iAt));
}

void cql_regex_free(cql_regex *re) {
  if (!re) return;
  pcre2_match_data_free(re->md);
  pcre2_match_context_free(re->mc);
  pcre2_code_free(re->re);
  ds_free(re);
}

int cql_regex_new(const char *z, size_t n, int flags, cql_regex **pre, const char *zQuery,
                  size_t iAt, ds_error *e) {
  *pre = NULL;
  if (n > CQL_REGEX_MAX_PATTERN) return qerr(e, zQuery, iAt, "regular expression too long");
  cql_regex *re = ds_malloc(sizeof *re);
  if (!re) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(re, 0, sizeof *re);
  char *zStrip = NULL;
  re->bDiacr = (flags & DS_CQL_DIACR) != 0;
  if (re->bDiacr) {
    zStrip = strip_marks(z, n);
    if (!zStrip) {
      ds_free(re);
      return ds_error_set(e, DS_NOMEM, -1, "out of memory");
    }
    z = zStrip, n = strlen(zStrip);
  }
  /* PCRE2_UCP as CQP's cl_new_regex: \w \d [:punct:] [:upper:] ... by Unicode properties */
  uint32_t opt = PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED;
  if (flags & DS_CQL_FOLD) opt |= PCRE2_CASELESS;
  opt |= flags & DS_CQL_LITERAL ? PCRE2_LITERAL : PCRE2_UCP;   /* LITERAL admits no UCP */
  ds_buf alpha = DS_BUF_INIT;
  const char *zPat = z ? z : "";
  size_t nPat = n;
  if ((flags & DS_CQL_FOLD) && !(flags & DS_CQL_LITERAL) && memchr(zPat, ':', nPat)) {
    posix_case_to_alpha(zPat, nPat, &alpha);
    if (alpha.rc) {
      free(zStrip);
      ds_free(re);
      return ds_error_set(e, DS_NOMEM, -1, "out of memory");
    }
    zPat = alpha.p ? (const char *)alpha.p : "", nPat = alpha.n;
  }
  int err;
  PCRE2_SIZE off;
  re->re = pcre2_compile((PCRE2_SPTR)zPat, nPat, opt, &err, &off, NULL);
  ds_buf_free(&alpha);
  free(zStrip);
  if (!re->re) {
    char zPcre[160], zMsg[256];
    pcre2_get_error_message(err, (PCRE2_UCHAR *)zPcre, sizeof zPcre);
    snprintf(zMsg, sizeof zMsg, "bad regular expression: %s (at offset %zu of the pattern)", zPcre, (size_t)off);
    ds_free(re);
    return qerr(e, zQuery, iAt, zMsg);
  }
  pcre2_jit_compile(re->re, PCRE2_JIT_COMPLETE);      /* where the platform has it */
  /* a cheap test before PCRE2's (`.*ization` over a lexicon: most strings fail at once) */
  re->bFold = (flags & DS_CQL_FOLD) != 0;
  if (!re->bDiacr && !(flags & DS_CQL_LITERAL))
    re->nSuffix = literal_suffix(z, n, re->bFold, re->zSuffix, sizeof re->zSuffix);
  re->md = pcre2_match_data_create_from_pattern(re->re, NULL);
  re->mc = pcre2_match_context_create(NULL);
  if (!re->md || !re->mc) {
    cql_regex_free(re);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  pcre2_set_match_limit(re->mc, CQL_REGEX_MATCH_LIMIT);
  pcre2_set_depth_limit(re->mc, CQL_REGEX_DEPTH_LIMIT);
  *pre = re;
  return DS_OK;
}

/* Does z[0..n) end with the regex's literal suffix (ASCII case aside with bFold)? */
static int ends_with_suffix(const cql_regex *re, const char *z, size_t n) {
  if (n < re->nSuffix) return 0;
  const char *t = z + n - re->nSuffix;
  if (!re->bFold) return memcmp(t, re->zSuffix, re->nSuffix) == 0;
  for (size_t i = 0; i < re->nSuffix; i++)
    if (((unsigned char)t[i] | 0x20) != ((unsigned char)re->zSuffix[i] | 0x20)) return 0;
  return 1;
}

int cql_regex_test(cql_regex *re, const char *z, size_t n) {
  if (re->nSuffix && !ends_with_suffix(re, z, n)) return 0;
  char *zStrip = NULL;
  if (re->bDiacr) {
    zStrip = strip_marks(z, n);
    if (!zStrip) return 0;              /* not valid UTF-8: cannot match */
    z = zStrip, n = strlen(zStrip);
  }
  int r = pcre2_match(re->re, (PCRE2_SPTR)z, n, 0, 0, re->md, re->mc);
  free(zStrip);
  if (r >= 0) return 1;
  if (r == PCRE2_ERROR_NOMATCH || (r <= PCRE2_ERROR_UTF8_ERR1 && r >= PCRE2_ERROR_UTF8_ERR21)) return 0;
  return r;
}

/*
** Is z[0..n) ASCII without the line ends (LF, VT, FF, CR) that `.` may not match? Then
** `.*` matches it, whatever newline convention PCRE2 was built with; other values go to
** PCRE2.
*/
static int plain_ascii(const char *z, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)z[i];
    if (ch >= 0x80 || (ch >= 0x0A && ch <= 0x0D)) return 0;
  }
  return 1;
}

typedef struct scan {
  cql_regex *re;
  int bAny;             /* the regex is `.*`: every value without a newline character */
  cql_idset *s;
  size_t nAlloc;
  int rc;               /* DS_OK, DS_NOMEM, DS_INTERRUPTED, or a PCRE2 error code (< 0) */
  unsigned nTick;       /* entries tested: Ctrl-C is looked for every 1024 */
} scan;

static int add_id(cql_idset *s, size_t *pnAlloc, uint32_t id, int64_t freq) {
  if (s->nId == *pnAlloc) {
    size_t nNew = *pnAlloc ? 2 * *pnAlloc : 16;
    uint32_t *a = ds_realloc_n(s->aId, nNew, sizeof *a);
    if (!a) return DS_NOMEM;
    s->aId = a;
    *pnAlloc = nNew;
  }
  s->aId[s->nId++] = id;
  s->freq += freq;
  return DS_OK;
}

static int scan_entry(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq) {
  scan *sc = ctx;
  if (ds_interrupt_due(&sc->nTick, 1023)) return sc->rc = DS_INTERRUPTED, 1;   /* a large lexicon */
  int r = sc->bAny && plain_ascii(z, n) ? 1 : cql_regex_test(sc->re, z, n);
  if (r < 0) return sc->rc = r, 1;
  if (r && add_id(sc->s, &sc->nAlloc, id, freq)) return sc->rc = DS_NOMEM, 1;
  return 0;
}

/*
** The literal start of regex z[0..n) (bytes every match begins with), or 0: none when it
** holds `|` or starts with a group or class; a quantified last character is not in it.
*/
static size_t literal_prefix(const char *z, size_t n) {
  if (memchr(z, '|', n)) return 0;
  size_t k = 0;
  while (k < n && !strchr(".*+?[](){}|^$\\", z[k])) k++;
  if (k < n && strchr("?*{", z[k]) && k > 0) {      /* `ab?`: the b is optional */
    k--;
    while (k > 0 && ((unsigned char)z[k] & 0xC0) == 0x80) k--;   /* whole characters */
  }
  return k;
}

static int make_bits(cql_idset *s) {
  uint32_t nMax = 0;
  for (size_t i = 0; i < s->nId; i++)
    if (s->aId[i] + 1 > nMax) nMax = s->aId[i] + 1;
  s->nBits = nMax;
  s->aBits = ds_malloc_n((size_t)nMax / 64 + 1, sizeof *s->aBits);
  if (!s->aBits) return DS_NOMEM;
  memset(s->aBits, 0, ((size_t)nMax / 64 + 1) * sizeof *s->aBits);
  for (size_t i = 0; i < s->nId; i++) s->aBits[s->aId[i] >> 6] |= (uint64_t)1 << (s->aId[i] & 63);
  return DS_OK;
}

/*
** Are the words whose norm is zf[0..nf), the fold of z[0..n), all equal to z case aside?
** So when z is ASCII and zf holds no ' (a word's ’ and ʼ fold to it) and none of ss ff fi
** fl st: besides ASCII only K (Kelvin) and ſ fold into ASCII, and PCRE2 takes both as k and
** s; ß, ẞ and the ligatures fold into those pairs, which PCRE2 does not match.
*/
static int fold_is_caseless(const char *z, size_t n, const char *zf, size_t nf) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)z[i] >= 0x80) return 0;
  if (memchr(zf, '\'', nf)) return 0;
  static const char azPair[][3] = {"ss", "ff", "fi", "fl", "st"};
  for (size_t i = 0; i + 1 < nf; i++)
    for (size_t k = 0; k < sizeof azPair / sizeof azPair[0]; k++)
      if (zf[i] == azPair[k][0] && zf[i + 1] == azPair[k][1]) return 0;
  return 1;
}

/*
** A folded literal z[0..n) of word or norm (attr): the values equal to it case aside, as
** PCRE2's caseless matching (CQP's %c) has them, into s. Such values share z's norm (norm
** folds case fully, and apostrophes too), so only that norm, or for word the forms of the
** norm's token types, are compared: no lexicon scan. Where all the norm's words are equal
** to z case aside (fold_is_caseless), the set is the norm's value itself.
*/
static int resolve_folded(ds_corpus *c, int attr, const char *z, size_t n, cql_idset *s, size_t *pnAlloc,
                          const char *zQuery, size_t iAt, ds_error *e) {
  ds_buf f = DS_BUF_INIT;
  if (ds_utf8_fold(z, n, &f) || f.rc) {
    ds_buf_free(&f);
    return DS_NOMEM;
  }
  uint32_t id;
  int64_t freq;
  const char *zf = f.p ? (const char *)f.p : "";
  int rc = ds_corpus_lookup(c, DS_ATTR_NORM, zf, f.n, &id, &freq, e);
  scan sc = {NULL, 0, s, *pnAlloc, DS_OK, 0};
  if (rc == DS_OK && attr == DS_ATTR_WORD && fold_is_caseless(z, n, zf, f.n)) {
    s->attr = DS_ATTR_NORM;                   /* every word of the norm: the norm's postings */
    rc = add_id(s, &sc.nAlloc, id, freq);
  } else if (rc == DS_OK && (rc = cql_regex_new(z, n, DS_CQL_FOLD | DS_CQL_LITERAL, &sc.re, zQuery, iAt, e)) == DS_OK) {
    if (attr == DS_ATTR_NORM) {
      if (scan_entry(&sc, id, zf, f.n, freq)) rc = sc.rc;
    } else {
      rc = ds_corpus_type_values(c, DS_ATTR_NORM, id, DS_ATTR_WORD, scan_entry, &sc, e);
      if (rc == DS_DONE) rc = sc.rc;
    }
  }
  *pnAlloc = sc.nAlloc;
  cql_regex_free(sc.re);
  ds_buf_free(&f);
  return rc == DS_NOTFOUND ? DS_OK : rc;
}

int cql_idset_resolve(ds_corpus *c, int attr, const char *z, size_t n, int flags, cql_idset *s,
                      const char *zQuery, size_t iAt, ds_error *e) {
  memset(s, 0, sizeof *s);
  s->attr = attr;
  size_t nAlloc = 0;
  int rc = DS_OK;
  /* a literal is looked up; folded, of word or norm, through norm (resolve_folded); a folded
     literal of another attribute (lemma, pos) goes over that attribute's lexicon caselessly */
  int bFoldWord = attr == DS_ATTR_WORD || attr == DS_ATTR_NORM;
  if ((flags & DS_CQL_LITERAL) && !(flags & DS_CQL_DIACR) && (flags & DS_CQL_FOLD) && bFoldWord) {
    rc = resolve_folded(c, attr, z, n, s, &nAlloc, zQuery, iAt, e);
    if (rc == DS_QUERY) return rc;
  } else if ((flags & DS_CQL_LITERAL) && !(flags & DS_CQL_DIACR) && !(flags & DS_CQL_FOLD)) {
    uint32_t id;
    int64_t freq;
    rc = ds_corpus_lookup(c, s->attr, z, n, &id, &freq, e);
    if (rc == DS_OK) rc = add_id(s, &nAlloc, id, freq);
    else if (rc == DS_NOTFOUND) rc = DS_OK;
  } else {
    scan sc = {NULL, n == 2 && z[0] == '.' && z[1] == '*', s, 0, DS_OK, 0};
    rc = cql_regex_new(z, n, flags, &sc.re, zQuery, iAt, e);
    if (rc) return rc;
    size_t nPrefix = flags & (DS_CQL_FOLD | DS_CQL_DIACR | DS_CQL_LITERAL) ? 0 : literal_prefix(z, n);
    rc = ds_corpus_lexicon_scan_prefix(c, attr, z, nPrefix, scan_entry, &sc, e);
    if (rc == DS_DONE) rc = sc.rc;
    nAlloc = sc.nAlloc;
    cql_regex_free(sc.re);
    if (rc < 0) {
      char zPcre[160], zMsg[256];
      pcre2_get_error_message(rc, (PCRE2_UCHAR *)zPcre, sizeof zPcre);
      snprintf(zMsg, sizeof zMsg, "regular expression over its limits on the lexicon (%s)", zPcre);
      cql_idset_free(s);
      return qerr(e, zQuery, iAt, zMsg);
    }
  }
  if (rc == DS_OK) rc = make_bits(s);
  if (rc == DS_NOMEM) ds_error_set(e, DS_NOMEM, -1, "out of memory");
  if (rc == DS_INTERRUPTED) ds_interrupt_error(e);
  if (rc) {
    cql_idset_free(s);
    return rc;
  }
  s->bIndexed = 1;
  for (size_t i = 0; i < s->nId && s->bIndexed; i++) s->bIndexed = ds_corpus_indexed(c, s->attr, s->aId[i]);
  return DS_OK;
}

void cql_idset_free(cql_idset *s) {
  ds_free(s->aBits);
  ds_free(s->aId);
  memset(s, 0, sizeof *s);
}
