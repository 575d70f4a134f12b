/*
** test_uax29.c -- tests for ds_uniprop (property tables) and ds_uax29 (UAX #29
** word and sentence boundaries).
**
**   test_uax29 DATA-DIR        (DATA-DIR holds unicode-15.0/)
**
** 1. The tables against WordBreakProperty.txt, SentenceBreakProperty.txt and
**    emoji-data.txt, for every code point.
** 2. The official WordBreakTest.txt and SentenceBreakTest.txt, every line.
** 3. A slow, obviously-correct reference (rules applied to an array, looking back and
**    forward as far as needed) checked on the official lines, then compared with the
**    streaming splitters on many random strings.
** 4. Hand cases: English, error handling, early stop, the iterator.
** 5. Pathological inputs that a backward-rescanning splitter would take quadratic
**    time on: we check they complete with the right number of pieces.
** 6. The model of unpunctuated sentence boundaries (ds_boundary.h): where it may cut,
**    what it adds on the five sample documents (policy prose, where it should add
**    next to nothing), and inputs where every gap is scored.
** Exits non-zero if any check fails or a data file cannot be opened.
*/
#include "ds_boundary.h"
#include "ds_parse.h"
#include "ds_uax29.h"
#include "ds_sentence.h"
#include "ds_uniprop.h"
#include "tests.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXCP 0x10FFFF
#define MAXLINE 16384
#define MAXTEST 256          /* code points per test line / random string, at most */

static const char *azWbName[DS_WB_COUNT] = {
  [DS_WB_OTHER] = "Other", [DS_WB_CR] = "CR", [DS_WB_LF] = "LF",
  [DS_WB_NEWLINE] = "Newline", [DS_WB_EXTEND] = "Extend", [DS_WB_ZWJ] = "ZWJ",
  [DS_WB_REGIONAL_INDICATOR] = "Regional_Indicator", [DS_WB_FORMAT] = "Format",
  [DS_WB_KATAKANA] = "Katakana", [DS_WB_HEBREW_LETTER] = "Hebrew_Letter",
  [DS_WB_ALETTER] = "ALetter", [DS_WB_SINGLE_QUOTE] = "Single_Quote",
  [DS_WB_DOUBLE_QUOTE] = "Double_Quote", [DS_WB_MIDNUMLET] = "MidNumLet",
  [DS_WB_MIDLETTER] = "MidLetter", [DS_WB_MIDNUM] = "MidNum", [DS_WB_NUMERIC] = "Numeric",
  [DS_WB_EXTENDNUMLET] = "ExtendNumLet", [DS_WB_WSEGSPACE] = "WSegSpace"
};

static const char *azSbName[DS_SB_COUNT] = {
  [DS_SB_OTHER] = "Other", [DS_SB_CR] = "CR", [DS_SB_LF] = "LF", [DS_SB_EXTEND] = "Extend",
  [DS_SB_SEP] = "Sep", [DS_SB_FORMAT] = "Format", [DS_SB_SP] = "Sp", [DS_SB_LOWER] = "Lower",
  [DS_SB_UPPER] = "Upper", [DS_SB_OLETTER] = "OLetter", [DS_SB_NUMERIC] = "Numeric",
  [DS_SB_ATERM] = "ATerm", [DS_SB_SCONTINUE] = "SContinue", [DS_SB_STERM] = "STerm",
  [DS_SB_CLOSE] = "Close"
};

static const char *zDataDir;

/* The in-project copy of the small test files (spec/data/unicode-15.0/PROVENANCE.md). */
#define LOCAL_DATA "spec/data"

/*
** Path of a Unicode data file in a static buffer: DATA-DIR/unicode-15.0/NAME if it is
** there, else the in-project copy, else NULL.
*/
static const char *data_path(const char *zName) {
  static char zPath[4096];
  const char *azDir[2] = {zDataDir, LOCAL_DATA};
  for (int k = 0; k < 2; k++) {
    snprintf(zPath, sizeof zPath, "%s/unicode-15.0/%s", azDir[k], zName);
    FILE *f = fopen(zPath, "r");
    if (f) { fclose(f); return zPath; }
  }
  return NULL;
}

/*
** Open a data file; when it is in neither place, print one line saying what is skipped
** and how to run it, and return NULL.
*/
static FILE *open_data(const char *zName) {
  const char *zPath = data_path(zName);
  FILE *f = zPath ? fopen(zPath, "r") : NULL;
  if (!f)
    printf("skipped: checks that need %s (not in %s/unicode-15.0/ or %s/unicode-15.0/; "
           "run with ../shared/data beside the clone: make test SHARED=DIR)\n",
           zName, zDataDir, LOCAL_DATA);
  return f;
}

/*
** Append the UTF-8 form of cp to z[*pn]; z must have 4 bytes free.
*/
static void put_utf8(char *z, size_t *pn, uint32_t cp) {
  unsigned char *p = (unsigned char *)z + *pn;
  if (cp < 0x80) { p[0] = (unsigned char)cp; *pn += 1; }
  else if (cp < 0x800) {
    p[0] = (unsigned char)(0xC0 | (cp >> 6)); p[1] = (unsigned char)(0x80 | (cp & 0x3F));
    *pn += 2;
  } else if (cp < 0x10000) {
    p[0] = (unsigned char)(0xE0 | (cp >> 12)); p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    p[2] = (unsigned char)(0x80 | (cp & 0x3F));
    *pn += 3;
  } else {
    p[0] = (unsigned char)(0xF0 | (cp >> 18)); p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); p[3] = (unsigned char)(0x80 | (cp & 0x3F));
    *pn += 4;
  }
}

/* ------------------------------------------------------------------------------- */
/* 1. Property tables                                                               */
/* ------------------------------------------------------------------------------- */

/*
** Read a UCD property file into aVal[cp] (index of the value in azName, or -1 for
** lines whose value is not in azName). Returns 0 if the file could not be read.
*/
static int read_prop_file(const char *zName, const char **azName, int nName,
                          signed char *aVal) {
  FILE *f = open_data(zName);
  char zLine[MAXLINE];
  if (!f) return 0;
  while (fgets(zLine, sizeof zLine, f)) {
    unsigned long lo, hi;
    char zVal[64];
    char *zHash = strchr(zLine, '#');
    int k, v = -1;
    if (zHash) *zHash = '\0';
    if (sscanf(zLine, " %lx..%lx ; %63[A-Za-z_]", &lo, &hi, zVal) != 3) {
      if (sscanf(zLine, " %lx ; %63[A-Za-z_]", &lo, zVal) != 2) continue;
      hi = lo;
    }
    for (k = 0; k < nName; k++) {
      if (strcmp(zVal, azName[k]) == 0) v = k;
    }
    if (v < 0) continue;
    for (; lo <= hi && lo <= MAXCP; lo++) aVal[lo] = (signed char)v;
  }
  fclose(f);
  return 1;
}

/*
** Every code point's Word_Break, Sentence_Break and Extended_Pictographic value as
** the files give it (unlisted = Other / No) against the generated tables.
*/
static void test_tables(void) {
  static const char *azEp[1] = {"Extended_Pictographic"};
  signed char *aWb = malloc(MAXCP + 1), *aSb = malloc(MAXCP + 1), *aEp = malloc(MAXCP + 1);
  uint32_t cp;
  int nBad = 0;
  if (!aWb || !aSb || !aEp) { fprintf(stderr, "out of memory\n"); exit(2); }
  memset(aWb, DS_WB_OTHER, MAXCP + 1);
  memset(aSb, DS_SB_OTHER, MAXCP + 1);
  memset(aEp, -1, MAXCP + 1);
  if (read_prop_file("WordBreakProperty.txt", azWbName, DS_WB_COUNT, aWb) &&
      read_prop_file("SentenceBreakProperty.txt", azSbName, DS_SB_COUNT, aSb) &&
      read_prop_file("emoji-data.txt", azEp, 1, aEp)) {
    for (cp = 0; cp <= MAXCP; cp++) {
      int ep = aEp[cp] == 0;
      if (ds_wb_prop(cp) != aWb[cp] || ds_sb_prop(cp) != aSb[cp] || ds_is_extpict(cp) != ep) {
        if (nBad++ < 10)
          check(0, "U+%04lX: table says wb=%d sb=%d ep=%d, files say %d %d %d",
                (unsigned long)cp, ds_wb_prop(cp), ds_sb_prop(cp), ds_is_extpict(cp),
                aWb[cp], aSb[cp], ep);
      }
    }
    check(nBad == 0, "%d code points with wrong properties", nBad);
    check(ds_wb_prop(0x110000) == DS_WB_OTHER && ds_sb_prop(0xFFFFFFFFu) == DS_SB_OTHER &&
          !ds_is_extpict(0x7FFFFFFF), "out-of-range code points are not Other");
    printf("property tables: %lu code points checked, %d wrong\n",
           (unsigned long)MAXCP + 1, nBad);
  }
  free(aWb);
  free(aSb);
  free(aEp);
}

/* ------------------------------------------------------------------------------- */
/* 3. Reference splitters: the rules read straight off UAX #29, on an array        */
/* ------------------------------------------------------------------------------- */

static int ref_wb_ign(int e) {
  return e == DS_WB_EXTEND || e == DS_WB_FORMAT || e == DS_WB_ZWJ;
}
static int ref_wb_nl(int e) { return e == DS_WB_CR || e == DS_WB_LF || e == DS_WB_NEWLINE; }
static int ref_ah(int e) { return e == DS_WB_ALETTER || e == DS_WB_HEBREW_LETTER; }
static int ref_midletq(int e) {
  return e == DS_WB_MIDLETTER || e == DS_WB_MIDNUMLET || e == DS_WB_SINGLE_QUOTE;
}
static int ref_midnumq(int e) {
  return e == DS_WB_MIDNUM || e == DS_WB_MIDNUMLET || e == DS_WB_SINGLE_QUOTE;
}

/*
** Index of the character that WB4 makes "the one before position k" (the X that
** absorbs any Extend/Format/ZWJ run), or -1 at the start.
*/
static int ref_wb_back(const int *w, int k) {
  int j = k - 1;
  if (j < 0) return -1;
  while (j > 0 && ref_wb_ign(w[j]) && !ref_wb_nl(w[j - 1])) j--;
  return j;
}

/* Index of the first character after position k that WB4 does not absorb, or -1. */
static int ref_wb_fwd(const int *w, int m, int k) {
  int j = k + 1;
  while (j < m && ref_wb_ign(w[j])) j++;
  return j < m ? j : -1;
}

/*
** aBrk[k] = 1 if there is a word boundary before cps[k] (k = 0..m).
*/
static void ref_words(const uint32_t *cps, int m, int *aBrk) {
  int w[MAXTEST], k;
  for (k = 0; k < m; k++) w[k] = ds_wb_prop(cps[k]);
  aBrk[0] = aBrk[m] = 1;                                            /* WB1, WB2 */
  for (k = 1; k < m; k++) {
    int c = w[k], r = w[k - 1];
    int j1, j2, jn, l = -1, l2 = -1, nx = -1, b;
    if (r == DS_WB_CR && c == DS_WB_LF) { aBrk[k] = 0; continue; }             /* WB3 */
    if (ref_wb_nl(r) || ref_wb_nl(c)) { aBrk[k] = 1; continue; }        /* WB3a, 3b */
    if (r == DS_WB_ZWJ && ds_is_extpict(cps[k])) { aBrk[k] = 0; continue; }   /* WB3c */
    if (r == DS_WB_WSEGSPACE && c == DS_WB_WSEGSPACE) { aBrk[k] = 0; continue; }
    if (ref_wb_ign(c)) { aBrk[k] = 0; continue; }                              /* WB4 */
    j1 = ref_wb_back(w, k);
    j2 = j1 >= 0 ? ref_wb_back(w, j1) : -1;
    jn = ref_wb_fwd(w, m, k);
    if (j1 >= 0) l = w[j1];
    if (j2 >= 0) l2 = w[j2];
    if (jn >= 0) nx = w[jn];
    b = 1;
    if (ref_ah(l) && ref_ah(c)) b = 0;                                          /* WB5 */
    else if (ref_ah(l) && ref_midletq(c) && ref_ah(nx)) b = 0;                  /* WB6 */
    else if (ref_ah(l2) && ref_midletq(l) && ref_ah(c)) b = 0;                  /* WB7 */
    else if (l == DS_WB_HEBREW_LETTER && c == DS_WB_SINGLE_QUOTE) b = 0;       /* WB7a */
    else if (l == DS_WB_HEBREW_LETTER && c == DS_WB_DOUBLE_QUOTE &&
             nx == DS_WB_HEBREW_LETTER) b = 0;                                 /* WB7b */
    else if (l2 == DS_WB_HEBREW_LETTER && l == DS_WB_DOUBLE_QUOTE &&
             c == DS_WB_HEBREW_LETTER) b = 0;                                  /* WB7c */
    else if (l == DS_WB_NUMERIC && c == DS_WB_NUMERIC) b = 0;                   /* WB8 */
    else if (ref_ah(l) && c == DS_WB_NUMERIC) b = 0;                            /* WB9 */
    else if (l == DS_WB_NUMERIC && ref_ah(c)) b = 0;                           /* WB10 */
    else if (l2 == DS_WB_NUMERIC && ref_midnumq(l) && c == DS_WB_NUMERIC) b = 0;  /* 11 */
    else if (l == DS_WB_NUMERIC && ref_midnumq(c) && nx == DS_WB_NUMERIC) b = 0;  /* 12 */
    else if (l == DS_WB_KATAKANA && c == DS_WB_KATAKANA) b = 0;                /* WB13 */
    else if ((ref_ah(l) || l == DS_WB_NUMERIC || l == DS_WB_KATAKANA ||
              l == DS_WB_EXTENDNUMLET) && c == DS_WB_EXTENDNUMLET) b = 0;     /* WB13a */
    else if (l == DS_WB_EXTENDNUMLET && (ref_ah(c) || c == DS_WB_NUMERIC ||
                                         c == DS_WB_KATAKANA)) b = 0;         /* WB13b */
    else if (c == DS_WB_REGIONAL_INDICATOR) {                            /* WB15, WB16 */
      int nRi = 0, j = j1;
      while (j >= 0 && w[j] == DS_WB_REGIONAL_INDICATOR) { nRi++; j = ref_wb_back(w, j); }
      if (nRi % 2 == 1) b = 0;
    }
    aBrk[k] = b;                                                              /* WB999 */
  }
}

static int ref_sb_ign(int e) { return e == DS_SB_EXTEND || e == DS_SB_FORMAT; }
static int ref_parasep(int e) { return e == DS_SB_SEP || e == DS_SB_CR || e == DS_SB_LF; }
static int ref_saterm(int e) { return e == DS_SB_ATERM || e == DS_SB_STERM; }

/* Like ref_wb_back, for SB5. */
static int ref_sb_back(const int *s, int k) {
  int j = k - 1;
  if (j < 0) return -1;
  while (j > 0 && ref_sb_ign(s[j]) && !ref_parasep(s[j - 1])) j--;
  return j;
}

/*
** If the text before position k ends with "SATerm Close* Sp*" (after SB5), return
** the index of the SATerm and set *pbClose / *pbSp to whether Close / Sp chars
** follow it; else return -1.
*/
static int ref_sb_term(const int *s, int k, int *pbClose, int *pbSp) {
  int j = ref_sb_back(s, k);
  *pbClose = *pbSp = 0;
  while (j >= 0 && s[j] == DS_SB_SP) { *pbSp = 1; j = ref_sb_back(s, j); }
  while (j >= 0 && s[j] == DS_SB_CLOSE) { *pbClose = 1; j = ref_sb_back(s, j); }
  return j >= 0 && ref_saterm(s[j]) ? j : -1;
}

/*
** Is there a sentence boundary before s[k] (0 < k < m)? Rules in order; the first
** that matches decides.
*/
static int ref_sb_at(const int *s, int m, int k) {
  int c = s[k], r = s[k - 1];
  int j1, j2, jt, bClose, bSp, t;
  if (r == DS_SB_CR && c == DS_SB_LF) return 0;                                 /* SB3 */
  if (ref_parasep(r)) return 1;                                                 /* SB4 */
  if (ref_sb_ign(c)) return 0;                                                  /* SB5 */
  j1 = ref_sb_back(s, k);
  j2 = j1 >= 0 ? ref_sb_back(s, j1) : -1;
  jt = ref_sb_term(s, k, &bClose, &bSp);
  if (j1 >= 0 && s[j1] == DS_SB_ATERM && c == DS_SB_NUMERIC) return 0;          /* SB6 */
  if (j2 >= 0 && (s[j2] == DS_SB_UPPER || s[j2] == DS_SB_LOWER) &&
      s[j1] == DS_SB_ATERM && c == DS_SB_UPPER) return 0;                        /* SB7 */
  if (jt >= 0 && s[jt] == DS_SB_ATERM) {                                        /* SB8 */
    for (t = k; t < m; t++) {
      if (s[t] == DS_SB_OLETTER || s[t] == DS_SB_UPPER || s[t] == DS_SB_LOWER ||
          ref_parasep(s[t]) || ref_saterm(s[t])) break;
    }
    if (t < m && s[t] == DS_SB_LOWER) return 0;
  }
  if (jt < 0) return 0;                                                       /* SB998 */
  if (c == DS_SB_SCONTINUE || ref_saterm(c)) return 0;                         /* SB8a */
  if (!bSp && (c == DS_SB_CLOSE || c == DS_SB_SP || ref_parasep(c))) return 0;  /* SB9 */
  if (c == DS_SB_SP || ref_parasep(c)) return 0;                               /* SB10 */
  return 1;                                                                    /* SB11 */
}

/*
** aBrk[k] = 1 if there is a sentence boundary before cps[k] (k = 0..m).
*/
static void ref_sentences(const uint32_t *cps, int m, int *aBrk) {
  int s[MAXTEST], k;
  for (k = 0; k < m; k++) s[k] = ds_sb_prop(cps[k]);
  aBrk[0] = aBrk[m] = 1;                                                  /* SB1, SB2 */
  for (k = 1; k < m; k++) aBrk[k] = ref_sb_at(s, m, k);
}

/* ------------------------------------------------------------------------------- */
/* 2. Conformance files                                                             */
/* ------------------------------------------------------------------------------- */

typedef int (*split_fn)(const char *, size_t, ds_uax29_cb, void *);
typedef void (*ref_fn)(const uint32_t *, int, int *);

/* Boundaries reported by a splitter, for comparing. */
typedef struct bounds {
  size_t a[MAXTEST * 4 + 2];
  int n;
  int bBad;            /* a piece was empty, out of order or not contiguous */
} bounds;

static int collect_cb(void *ctx, size_t start, size_t end) {
  bounds *p = ctx;
  if (p->n == 0) {
    if (start != 0) p->bBad = 1;
    p->a[p->n++] = start;
  }
  if (start != p->a[p->n - 1] || end <= start || p->n >= MAXTEST * 4 + 1) {
    p->bBad = 1;
    return 1;
  }
  p->a[p->n++] = end;
  return 0;
}

/*
** Piece cps[0..m) with fn and compare with the expected byte boundaries aExp[0..nExp).
** Returns 1 if they agree.
*/
static int same_bounds(split_fn fn, const char *z, size_t n, const size_t *aExp, int nExp,
                       bounds *pGot) {
  int k, rc;
  memset(pGot, 0, sizeof *pGot);
  rc = fn(z, n, collect_cb, pGot);
  if (rc != DS_OK || pGot->bBad || pGot->n != nExp) return 0;
  for (k = 0; k < nExp; k++) {
    if (pGot->a[k] != aExp[k]) return 0;
  }
  return 1;
}

/*
** Run every line of a UAX #29 test file through fn, and through the reference ref;
** print "N passed, M failed".
*/
static void test_conformance(const char *zName, split_fn fn, ref_fn ref) {
  FILE *f = open_data(zName);
  char zLine[MAXLINE];
  int nLine = 0, nPass = 0, nFail = 0, nRefFail = 0;
  static bounds got;
  if (!f) return;
  while (fgets(zLine, sizeof zLine, f)) {
    char zText[MAXTEST * 4];
    size_t n = 0, aExp[MAXTEST + 2];
    uint32_t aCp[MAXTEST];
    int aExpBrk[MAXTEST + 1], aRefBrk[MAXTEST + 1];
    int nExp = 0, m = 0, k, bRefOk = 1;
    char *p = zLine, *zHash;
    nLine++;
    if (!strchr(zLine, '\n') && !feof(f)) {
      check(0, "%s:%d: line too long", zName, nLine);
      break;
    }
    zHash = strchr(zLine, '#');
    if (zHash) *zHash = '\0';
    for (;;) {
      while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
      if (!*p) break;
      if (strncmp(p, "\xC3\xB7", 2) == 0) {              /* ÷ */
        aExp[nExp++] = n;
        aExpBrk[m] = 1;
        p += 2;
      } else if (strncmp(p, "\xC3\x97", 2) == 0) {       /* × */
        aExpBrk[m] = 0;
        p += 2;
      } else {
        char *zEnd;
        unsigned long cp = strtoul(p, &zEnd, 16);
        if (zEnd == p || cp > MAXCP || m >= MAXTEST) {
          check(0, "%s:%d: cannot parse test line", zName, nLine);
          m = 0;
          break;
        }
        aCp[m++] = (uint32_t)cp;
        put_utf8(zText, &n, (uint32_t)cp);
        p = zEnd;
      }
    }
    if (m == 0) continue;
    if (same_bounds(fn, zText, n, aExp, nExp, &got)) {
      nPass++;
    } else {
      nFail++;
      if (nFail <= 10) {
        fprintf(stderr, "%s:%d: FAIL:", zName, nLine);
        for (k = 0; k < m; k++) fprintf(stderr, " %04lX", (unsigned long)aCp[k]);
        fprintf(stderr, "\n  expected byte boundaries:");
        for (k = 0; k < nExp; k++) fprintf(stderr, " %lu", (unsigned long)aExp[k]);
        fprintf(stderr, "\n  got:");
        for (k = 0; k < got.n; k++) fprintf(stderr, " %lu", (unsigned long)got.a[k]);
        fprintf(stderr, "\n");
      }
    }
    ref(aCp, m, aRefBrk);
    for (k = 0; k <= m; k++) {
      if (aRefBrk[k] != aExpBrk[k]) bRefOk = 0;
    }
    if (!bRefOk && nRefFail++ < 5) fprintf(stderr, "%s:%d: reference disagrees\n", zName, nLine);
  }
  fclose(f);
  printf("%s: %d passed, %d failed\n", zName, nPass, nFail);
  check(nFail == 0 && nPass > 0, "%s: %d of %d lines failed", zName, nFail, nPass + nFail);
  check(nRefFail == 0, "%s: the reference splitter fails %d lines", zName, nRefFail);
}

/* ------------------------------------------------------------------------------- */
/* Random strings: streaming splitter against the reference                        */
/* ------------------------------------------------------------------------------- */

static uint32_t rng_state = 0x2545F491u;

static uint32_t rng(void) {                   /* xorshift32: fixed seed, reproducible */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* One of every property value, and the characters the rules single out. */
static const uint32_t aPool[] = {
  'a', 'B', 'z', 'Q', '0', '7', '.', ',', ';', ':', '\'', '"', ' ', ' ', '\t', '\r', '\n',
  '!', '?', '(', ')', '_', '-', 0x85, 0x2028, 0x2029, 0x0308, 0x0301, 0x200D, 0x00AD,
  0x200B, 0x30A2, 0x30FC, 0x05D0, 0x05D1, 0x1F1E6, 0x1F1E7, 0x1F1E8, 0x1F6D1, 0x2701,
  0x00A9, 0x1F3FB, 0x3000, 0x00BB, 0x00AB, 0x3002, 0x4E00, 0x3042, 0x0E01, 0x2018, 0x2019,
  0xFE52, 0xFF0E, 0x2024, 0x00B7, 0x066C, 0x0660, 0x00C0, 0x00E9, 0x2060, 0xFEFF, 0x202F,
  0x1680, 0x3001, 0xFF0C, 0x0589, 0x037E, 0x0387, 0x055D, 0x2044, 0xE0020, 0xE0100
};

/*
** A random code point: mostly from aPool, sometimes anywhere (no surrogates).
*/
static uint32_t random_cp(void) {
  uint32_t r = rng();
  if (r % 8 != 0) return aPool[(r >> 3) % (sizeof aPool / sizeof aPool[0])];
  for (;;) {
    uint32_t cp = rng() % (r & 8 ? 0x20000 : 0x110000);
    if (cp < 0xD800 || cp > 0xDFFF) return cp;
  }
}

/*
** Compare the splitters with the reference on nString random strings.
*/
static void test_random(int nString) {
  static bounds got;
  int t, nWordBad = 0, nSentBad = 0;
  for (t = 0; t < nString; t++) {
    uint32_t aCp[MAXTEST];
    char zText[MAXTEST * 4];
    size_t n = 0, aWord[MAXTEST + 1], aSent[MAXTEST + 1];
    int aBrk[MAXTEST + 1], m = (int)(rng() % 40), k, nW = 0, nS = 0;
    size_t aOff[MAXTEST + 1];
    for (k = 0; k < m; k++) {
      aCp[k] = random_cp();
      aOff[k] = n;
      put_utf8(zText, &n, aCp[k]);
    }
    aOff[m] = n;
    ref_words(aCp, m, aBrk);
    for (k = 0; k <= m; k++) if (aBrk[k] && m > 0) aWord[nW++] = aOff[k];
    ref_sentences(aCp, m, aBrk);
    for (k = 0; k <= m; k++) if (aBrk[k] && m > 0) aSent[nS++] = aOff[k];
    if (!same_bounds(ds_uax29_words, zText, n, aWord, nW, &got) && nWordBad++ < 5) {
      fprintf(stderr, "random words differ from reference:");
      for (k = 0; k < m; k++) fprintf(stderr, " %04lX", (unsigned long)aCp[k]);
      fprintf(stderr, "\n");
    }
    if (!same_bounds(ds_uax29_sentences, zText, n, aSent, nS, &got) && nSentBad++ < 5) {
      fprintf(stderr, "random sentences differ from reference:");
      for (k = 0; k < m; k++) fprintf(stderr, " %04lX", (unsigned long)aCp[k]);
      fprintf(stderr, "\n");
    }
  }
  printf("random strings: %d, word mismatches %d, sentence mismatches %d\n", nString,
         nWordBad, nSentBad);
  check(nWordBad == 0 && nSentBad == 0, "splitters differ from the reference");
}

/* ------------------------------------------------------------------------------- */
/* 4. Hand cases                                                                    */
/* ------------------------------------------------------------------------------- */

/* Pieces as strings joined by '|', to compare with an expected spelling. */
typedef struct joined {
  const char *z;
  char zOut[1024];
  size_t n;
  int nPiece;
} joined;

static int join_cb(void *ctx, size_t start, size_t end) {
  joined *p = ctx;
  if (p->n + (end - start) + 2 >= sizeof p->zOut) return 1;
  if (p->nPiece++) p->zOut[p->n++] = '|';
  memcpy(p->zOut + p->n, p->z + start, end - start);
  p->n += end - start;
  p->zOut[p->n] = '\0';
  return 0;
}

/*
** Check that fn splits z into the '|'-separated pieces of zExpect.
*/
static void check_split(split_fn fn, const char *z, const char *zExpect) {
  joined j;
  int rc;
  memset(&j, 0, sizeof j);
  j.z = z;
  rc = fn(z, strlen(z), join_cb, &j);
  check(rc == DS_OK && strcmp(j.zOut, zExpect) == 0,
        "split of \"%s\": got \"%s\" (rc %d), want \"%s\"", z, j.zOut, rc, zExpect);
}

static int count_cb(void *ctx, size_t start, size_t end) {
  (void)start; (void)end;
  ++*(size_t *)ctx;
  return 0;
}

static int stop_cb(void *ctx, size_t start, size_t end) {
  (void)start; (void)end;
  ++*(int *)ctx;
  return 1;
}

static void test_hand(void) {
  const char *zDont = "Don't stop. He said \"Hi.\" Then left.";
  ds_wordbreak wit;
  ds_sentbreak sit;
  size_t s, e, nPiece = 0;
  int rc, nCall = 0;
  char zWordLike[64];
  size_t nWordLike = 0;

  check_split(ds_uax29_words, zDont,
              "Don't| |stop|.| |He| |said| |\"|Hi|.|\"| |Then| |left|.");
  check_split(ds_uax29_sentences, zDont, "Don't stop. |He said \"Hi.\" |Then left.");
  check_split(ds_uax29_words, "U.S. policy", "U.S|.| |policy");
  check_split(ds_uax29_sentences, "U.S. policy", "U.S. policy");
  check_split(ds_uax29_sentences, "Mr. Smith left. e.g. this one", "Mr. |Smith left. e.g. this one");
  check_split(ds_uax29_words, "3.14 and 1,000,000 or $5", "3.14| |and| |1,000,000| |or| |$|5");
  check_split(ds_uax29_words, "can't  stop\r\nnow", "can't|  |stop|\r\n|now");
  check_split(ds_uax29_sentences, "One.\r\nTwo!\n\nThree?  (four.)  five", 
              "One.\r\n|Two!\n|\n|Three?  |(four.)  five");
  check_split(ds_uax29_words, "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD ok",        /* 👍🏽 */
              "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD| |ok");
  check_split(ds_uax29_words, "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7",
              "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8|\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7");  /* 🇺🇸|🇫🇷 */
  check_split(ds_uax29_words, "\xE6\x97\xA5\xE6\x9C\xAC\xE3\x82\xAB\xE3\x82\xBF",
              "\xE6\x97\xA5|\xE6\x9C\xAC|\xE3\x82\xAB\xE3\x82\xBF");       /* 日|本|カタ */

  /* Empty input, NULL text. */
  check(ds_uax29_words(NULL, 0, count_cb, &nPiece) == DS_OK && nPiece == 0, "empty words");
  check(ds_uax29_sentences("", 0, count_cb, &nPiece) == DS_OK && nPiece == 0, "empty sentences");

  /* Early stop. */
  check(ds_uax29_words(zDont, strlen(zDont), stop_cb, &nCall) == DS_DONE && nCall == 1,
        "words: stop after one piece (calls %d)", nCall);
  nCall = 0;
  check(ds_uax29_sentences(zDont, strlen(zDont), stop_cb, &nCall) == DS_DONE && nCall == 1,
        "sentences: stop after one piece (calls %d)", nCall);

  /* The iterator, with bWordLike. */
  ds_wordbreak_init(&wit, zDont, strlen(zDont));
  while ((rc = ds_wordbreak_next(&wit, &s, &e)) == DS_OK) {
    if (nWordLike < sizeof zWordLike - 1) zWordLike[nWordLike++] = wit.bWordLike ? 'w' : '-';
  }
  zWordLike[nWordLike] = '\0';
  check(rc == DS_DONE && strcmp(zWordLike, "w-w--w-w--w---w-w-") == 0,
        "bWordLike pattern %s", zWordLike);
  check(ds_wordbreak_next(&wit, &s, &e) == DS_DONE, "DS_DONE is sticky");
  ds_sentbreak_init(&sit, zDont, strlen(zDont));
  nPiece = 0;
  while ((rc = ds_sentbreak_next(&sit, &s, &e)) == DS_OK) nPiece++;
  check(rc == DS_DONE && nPiece == 3 && e == strlen(zDont), "sentence iterator");

  /* Ill-formed UTF-8: DS_UTF8, the offset, and no piece past the bad byte. */
  {
    static const struct { const char *z; size_t n, iBad; } aBad[] = {
      {"ab \x80", 4, 3},                    /* stray continuation byte */
      {"ab \xC0\x80", 5, 3},                /* overlong NUL */
      {"x\xE0\x80\xAF", 4, 1},              /* overlong '/' */
      {"x\xED\xA0\x80 y", 6, 1},            /* surrogate */
      {"x\xF4\x90\x80\x80", 5, 1},          /* past U+10FFFF */
      {"x\xF5\x80\x80\x80", 5, 1},          /* bad lead byte */
      {"hello\xE2\x82", 7, 5},              /* truncated */
      {"a.\xFF", 3, 2},
      {"Hi. \xC3", 5, 4},
    };
    size_t t;
    for (t = 0; t < sizeof aBad / sizeof aBad[0]; t++) {
      size_t nW = 0;
      ds_wordbreak_init(&wit, aBad[t].z, aBad[t].n);
      while ((rc = ds_wordbreak_next(&wit, &s, &e)) == DS_OK) {
        check(e <= aBad[t].iBad, "bad utf-8 case %lu: piece past the bad byte",
              (unsigned long)t);
        nW++;
      }
      check(rc == DS_UTF8 && wit.iErr == aBad[t].iBad,
            "bad utf-8 case %lu (words): rc %d iErr %lu", (unsigned long)t, rc,
            (unsigned long)wit.iErr);
      check(ds_wordbreak_next(&wit, &s, &e) == DS_UTF8, "DS_UTF8 is sticky");
      ds_sentbreak_init(&sit, aBad[t].z, aBad[t].n);
      while ((rc = ds_sentbreak_next(&sit, &s, &e)) == DS_OK) {
        check(e <= aBad[t].iBad, "bad utf-8 case %lu: sentence past the bad byte",
              (unsigned long)t);
      }
      check(rc == DS_UTF8 && sit.iErr == aBad[t].iBad,
            "bad utf-8 case %lu (sentences): rc %d iErr %lu", (unsigned long)t, rc,
            (unsigned long)sit.iErr);
      nPiece = 0;
      check(ds_uax29_words(aBad[t].z, aBad[t].n, count_cb, &nPiece) == DS_UTF8 &&
            ds_uax29_sentences(aBad[t].z, aBad[t].n, count_cb, &nPiece) == DS_UTF8,
            "bad utf-8 case %lu: callback form", (unsigned long)t);
    }
  }
}

/* ------------------------------------------------------------------------------- */
/* 5. Pathological inputs                                                           */
/* ------------------------------------------------------------------------------- */

/* A growable test buffer; exits on out-of-memory (this is a test). */
typedef struct tbuf { char *z; size_t n, cap; } tbuf;

static void tb_cp(tbuf *b, uint32_t cp, size_t nTimes) {
  while (nTimes--) {
    if (b->n + 4 > b->cap) {
      b->cap = b->cap ? b->cap * 2 : 1024;
      b->z = realloc(b->z, b->cap);
      if (!b->z) { fprintf(stderr, "out of memory\n"); exit(2); }
    }
    put_utf8(b->z, &b->n, cp);
  }
}

static void tb_str(tbuf *b, const char *z) {
  while (*z) tb_cp(b, (unsigned char)*z++, 1);
}

/*
** Piece b with fn, check the piece count, and print how long it took.
*/
static void check_count(const char *zWhat, split_fn fn, tbuf *b, size_t nWant) {
  size_t nPiece = 0;
  clock_t t0 = clock();
  int rc = fn(b->z, b->n, count_cb, &nPiece);
  double ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC;
  printf("  %-44s %9lu bytes %8lu pieces %8.1f ms\n", zWhat, (unsigned long)b->n,
         (unsigned long)nPiece, ms);
  check(rc == DS_OK && nPiece == nWant, "%s: rc %d, %lu pieces, want %lu", zWhat, rc,
        (unsigned long)nPiece, (unsigned long)nWant);
  b->n = 0;
}

static void test_pathological(void) {
  const size_t M = 1000000;
  tbuf b = {NULL, 0, 0};
  size_t k;
  printf("pathological inputs (must finish; times for information):\n");

  tb_cp(&b, 'a', M);
  check_count("1e6 'a': words", ds_uax29_words, &b, 1);
  tb_cp(&b, 'a', M);
  check_count("1e6 'a': sentences", ds_uax29_sentences, &b, 1);

  tb_cp(&b, 0x1F1E6, M);
  check_count("1e6 Regional_Indicator: words", ds_uax29_words, &b, M / 2);
  tb_cp(&b, 'x', 1);
  for (k = 0; k < M; k++) tb_cp(&b, k % 2 ? 0x0308 : 0x1F1E6, 1);
  check_count("x (RI Extend)*5e5: words", ds_uax29_words, &b, 1 + M / 4);

  tb_cp(&b, 'a', 1);
  tb_cp(&b, 0x0308, M);
  check_count("a + 1e6 Extend: words", ds_uax29_words, &b, 1);
  tb_cp(&b, 0x0308, M);
  check_count("1e6 Extend at sot: words", ds_uax29_words, &b, 1);
  tb_cp(&b, 'a', 1);
  for (k = 0; k < M; k++) tb_cp(&b, k % 3 == 0 ? 0x200D : k % 3 == 1 ? 0x00AD : 0x0301, 1);
  check_count("a + 1e6 ZWJ/Format/Extend: sentences", ds_uax29_sentences, &b, 1);

  /* WB6/WB12 look-ahead across long ignored runs, many times. */
  for (k = 0; k < 1000; k++) {
    tb_str(&b, "a.");
    tb_cp(&b, 0x0308, 1000);
  }
  tb_str(&b, "a");
  check_count("(a . Extend*1000)*1000 a: words", ds_uax29_words, &b, 1);
  for (k = 0; k < 1000; k++) {
    tb_str(&b, "1,");
    tb_cp(&b, 0x200D, 1000);
  }
  check_count("(1 , ZWJ*1000)*1000: words", ds_uax29_words, &b, 2);

  /* SB8 look-ahead: long runs after "ATerm Sp". */
  tb_str(&b, "a. ");
  tb_cp(&b, '1', M);
  tb_str(&b, " b");
  check_count("a. 1e6 digits b: sentences", ds_uax29_sentences, &b, 1);
  tb_str(&b, "a. ");
  tb_cp(&b, '1', M);
  tb_str(&b, " B");
  check_count("a. 1e6 digits B: sentences", ds_uax29_sentences, &b, 2);
  for (k = 0; k < M / 4; k++) tb_str(&b, "a. 1");     /* SB8 holds except at the end */
  check_count("(a. 1)*2.5e5: sentences", ds_uax29_sentences, &b, 2);
  tb_str(&b, "Hi.");
  tb_cp(&b, ')', M);
  tb_cp(&b, ' ', M);
  tb_str(&b, "Yes");
  check_count("Hi. Close*1e6 Sp*1e6 Yes: sentences", ds_uax29_sentences, &b, 2);
  for (k = 0; k < M / 2; k++) tb_str(&b, ". ");       /* SB8a: no break before ATerm */
  check_count("(. )*5e5: sentences", ds_uax29_sentences, &b, 1);
  for (k = 0; k < M / 4; k++) tb_str(&b, "a. (");     /* SB8 scans to the next 'a' */
  check_count("(a. ()*2.5e5: sentences", ds_uax29_sentences, &b, 2);

  /* 1e6 words of English-like text. */
  for (k = 0; k < M / 8; k++) tb_str(&b, "The cat. ");
  check_count("(The cat. )*125000: sentences", ds_uax29_sentences, &b, M / 8);
  for (k = 0; k < M / 8; k++) tb_str(&b, "The cat. ");
  check_count("(The cat. )*125000: words", ds_uax29_words, &b, M / 8 * 5);
  free(b.z);
}

/* ====================== the boundary model ====================== */

/* Parse z; the index of the token with text zTok (the first), or -1. */
static long find_token(const ds_doc *d, const char *zTok) {
  for (size_t t = 0; t < d->nTok; t++) {
    size_t n = d->aTok[t].end - d->aTok[t].start;
    if (n == strlen(zTok) && memcmp(d->zText + d->aTok[t].start, zTok, n) == 0) return (long)t;
  }
  return -1;
}

/*
** Gaps the model never scores: after a function word, a terminal, an abbreviation, a
** dash, a list marker's `)`, a sentence's opening bullet; before a lower-case word or a
** comma. The gap is the one after the token named.
*/
static void test_boundary_candidates(void) {
  static const struct { const char *zText, *zTok; int want; } a[] = {
    {"the leaders of China met", "of", 0},
    {"the leaders met China today", "met", 1},
    {"Mike McConnell 07/06/2000 14:57 John", "14:57", 1},
    {"Xi Jinping \xE2\x80\x93 Source", "\xE2\x80\x93", 0},
    {"ii) Hello world", ")", 0},
    {"(Reuters) Hello world", ")", 1},
    {"\xE2\x80\xA2 In a world", "\xE2\x80\xA2", 0},
    {"We left Dr. Li there", "Dr.", 0},
    {"Thanks Elizabeth", "Thanks", 1},
    {"Thanks elizabeth", "Thanks", 0},
    {"Thanks , Elizabeth", "Thanks", 0},
  };
  for (size_t k = 0; k < sizeof a / sizeof *a; k++) {
    ds_doc *d;
    ds_error e;
    if (ds_parse_text(a[k].zText, strlen(a[k].zText), "case", &d, &e)) {
      check(0, "%s: %s", a[k].zText, e.msg);
      continue;
    }
    long t = find_token(d, a[k].zTok);
    check(t >= 0, "%s: no token %s", a[k].zText, a[k].zTok);
    if (t >= 0)
      check(ds_boundary_candidate(d, (size_t)t, 0, d->nTok) == a[k].want,
            "%s: after %s, candidate should be %d", a[k].zText, a[k].zTok, a[k].want);
    ds_doc_free(d);
  }
}

/* Read a whole file (NULL if it cannot be read). */
static char *slurp(const char *zPath, size_t *pn) {
  FILE *f = fopen(zPath, "rb");
  if (!f) return NULL;
  char *z = NULL;
  size_t n = 0, cap = 0, got;
  do {
    if (n + 65536 > cap) z = realloc(z, cap = 2 * (n + 65536));
    got = fread(z + n, 1, cap - n, f);
    n += got;
  } while (got > 0);
  fclose(f);
  *pn = n;
  return z;
}

/*
** The five sample documents are policy prose with headings, bylines and lists: the rules
** split them, and the model, trained on web text, should add (almost) nothing. Run from
** the repository root (as `make ctest` does).
*/
static void test_boundary_seeds(void) {
  static const char *const az[] = {
    "2015-carnegie-digital-bromance.txt", "2019-aspi-sino-russian-high-tech-partnership.txt",
    "2022-sinkkonen-lassila-digital-authoritarianism.txt", "2023-blog-strategic-partnership-it.txt",
    "2023-register-xi-putin-ai-infosec.txt"};
  size_t nRules = 0, nModel = 0;
  for (size_t k = 0; k < sizeof az / sizeof *az; k++) {
    char zPath[256];
    size_t n;
    snprintf(zPath, sizeof zPath, "corpus/seeds/%s", az[k]);
    char *z = slurp(zPath, &n);
    check(z != NULL, "cannot read %s (run from the repository root)", zPath);
    if (!z) continue;
    ds_doc *d;
    ds_error e;
    if (ds_parse_text(z, n, az[k], &d, &e) == DS_OK) {
      nModel += d->nSent;
      d->nSent = 0;
      check(ds_split_sentences_with(d, NULL) == DS_OK, "%s: split", az[k]);
      nRules += d->nSent;
      ds_doc_free(d);
    } else {
      check(0, "%s: %s", az[k], e.msg);
    }
    free(z);
  }
  printf("sample documents: %lu sentences by the rules, %lu with the model\n",
         (unsigned long)nRules, (unsigned long)nModel);
  check(nRules > 300, "only %lu sentences in the sample documents", (unsigned long)nRules);
  check(nModel >= nRules && nModel <= nRules + 2,
        "the model adds %ld sentences to the sample documents (at most 2; look at them)",
        (long)nModel - (long)nRules);
}

/*
** Inputs where the model scores every gap (capitalised words, numbers and names without
** punctuation): they finish, and the sentences cover every token once, in order.
*/
static void test_boundary_pathological(void) {
  static const struct { const char *zName, *zUnit; size_t n; } a[] = {
    {"capitalised words", "Aa ", 300000},
    {"names and times", "Mike McConnell 07/06/2000 14:57 ", 40000},
    {"URLs", "http://x.org/a ", 100000},
    {"closing brackets", "a) ", 200000},
    {"one long word", "A", 1000000},
  };
  for (size_t k = 0; k < sizeof a / sizeof *a; k++) {
    size_t u = strlen(a[k].zUnit), n = u * a[k].n;
    char *z = malloc(n);
    for (size_t i = 0; i < a[k].n; i++) memcpy(z + i * u, a[k].zUnit, u);
    ds_doc *d;
    ds_error e;
    clock_t c0 = clock();
    int rc = ds_parse_text(z, n, a[k].zName, &d, &e);
    check(rc == DS_OK, "%s: %s", a[k].zName, rc ? e.msg : "");
    if (rc == DS_OK) {
      size_t next = 0;
      int ok = 1;
      for (size_t s = 0; s < d->nSent; s++) {
        ok &= d->aSent[s].first == next && d->aSent[s].last > d->aSent[s].first;
        next = d->aSent[s].last;
      }
      check(ok && next == d->nTok, "%s: sentences do not cover the tokens", a[k].zName);
      printf("  %-20s %8lu tokens %8lu sentences %.2f s\n", a[k].zName, (unsigned long)d->nTok,
             (unsigned long)d->nSent, (double)(clock() - c0) / CLOCKS_PER_SEC);
      ds_doc_free(d);
    }
    free(z);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA-DIR   (the directory holding unicode-15.0/; the\n"
            "  conformance test files fall back to " LOCAL_DATA "/unicode-15.0/)\n", argv[0]);
    return 2;
  }
  zDataDir = argv[1];
  test_tables();
  test_conformance("WordBreakTest.txt", ds_uax29_words, ref_words);
  test_conformance("SentenceBreakTest.txt", ds_uax29_sentences, ref_sentences);
  test_random(200000);
  test_hand();
  test_pathological();
  test_boundary_candidates();
  test_boundary_seeds();
  test_boundary_pathological();
  return tests_report(argv[0]);
}
