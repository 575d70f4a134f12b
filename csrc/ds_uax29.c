/*
** ds_uax29.c -- UAX #29 word and sentence boundaries (see ds_uax29.h).
**
** Both splitters walk the text once, left to right. Before each character they
** decide "break or not" from the character, a few bytes of look-behind state and,
** for the rules that look ahead, a forward scan that stops at the first character
** that settles the rule. The rules are numbered as in UAX #29 revision 41
** (Unicode 15.0.0); comments name them.
**
** Why the scans stay linear: a word look-ahead (WB6, WB7b, WB12) starts at a Mid*
** or quote character and crosses only the Extend/Format/ZWJ run after it; the next
** one can only start after that run. The sentence look-ahead (SB8) happens at most
** once per "ATerm Close* Sp*" sequence and stops at the first letter, terminator or
** paragraph separator, so the next sequence starts at or after where it stopped.
** So each byte is read at most twice by scans plus once by the main walk.
*/
#include "ds_uax29.h"
#include "ds_uniprop.h"

/* Bit sets over property values, to test membership in one step. */
#define B(e) (1u << (e))
#define IN(set, e) (((set) >> (e)) & 1u)

/*
** Decode the code point at z[i] (i < n) strictly: store it in *pcp and return its
** length (1..4), or return 0 if the bytes there are not well-formed UTF-8.
*/
static inline int utf8_decode(const unsigned char *z, size_t i, size_t n, uint32_t *pcp) {
  unsigned c = z[i];
  uint32_t cp;
  if (c < 0x80) { *pcp = c; return 1; }
  if (c < 0xC2) return 0;                      /* continuation byte, or overlong lead */
  if (c < 0xE0) {
    if (n - i < 2 || (z[i+1] & 0xC0) != 0x80) return 0;
    *pcp = ((uint32_t)(c & 0x1F) << 6) | (z[i+1] & 0x3F);
    return 2;
  }
  if (c < 0xF0) {
    if (n - i < 3 || (z[i+1] & 0xC0) != 0x80 || (z[i+2] & 0xC0) != 0x80) return 0;
    cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(z[i+1] & 0x3F) << 6) | (z[i+2] & 0x3F);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;   /* overlong, surrogate */
    *pcp = cp;
    return 3;
  }
  if (c < 0xF5) {
    if (n - i < 4 || (z[i+1] & 0xC0) != 0x80 || (z[i+2] & 0xC0) != 0x80 ||
        (z[i+3] & 0xC0) != 0x80) return 0;
    cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(z[i+1] & 0x3F) << 12) |
         ((uint32_t)(z[i+2] & 0x3F) << 6) | (z[i+3] & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    *pcp = cp;
    return 4;
  }
  return 0;
}

/*
** utf8_decode with the ASCII case done in line: what the main loops call.
*/
#define DECODE(z, i, n, pcp) \
  ((z)[i] < 0x80 ? (*(pcp) = (z)[i], 1) : utf8_decode(z, i, n, pcp))

/*
** Packed properties of cp; ASCII, most of most text, from a small table without a call.
*/
static inline uint16_t uniprop(uint32_t cp) {
  return cp < 0x80 ? ds_uniprop_ascii[cp] : ds_uniprop(cp);
}

/* ------------------------------------------------------------------------------- */
/* Word boundaries                                                                  */
/* ------------------------------------------------------------------------------- */

/* A pseudo Word_Break value for "start of text", distinct from every real one. */
#define WB_SOT DS_WB_COUNT

#define WB_NEWLINES  (B(DS_WB_CR) | B(DS_WB_LF) | B(DS_WB_NEWLINE))
#define WB_IGNORED   (B(DS_WB_EXTEND) | B(DS_WB_FORMAT) | B(DS_WB_ZWJ))    /* by WB4 */
#define WB_RESTART   (WB_NEWLINES | B(WB_SOT))      /* after these, WB4 ignores nothing */
#define WB_AHLETTER  (B(DS_WB_ALETTER) | B(DS_WB_HEBREW_LETTER))
#define WB_MIDLETQ   (B(DS_WB_MIDLETTER) | B(DS_WB_MIDNUMLET) | B(DS_WB_SINGLE_QUOTE))
#define WB_MIDNUMQ   (B(DS_WB_MIDNUM) | B(DS_WB_MIDNUMLET) | B(DS_WB_SINGLE_QUOTE))
#define WB_13A_LEFT  (WB_AHLETTER | B(DS_WB_NUMERIC) | B(DS_WB_KATAKANA) | B(DS_WB_EXTENDNUMLET))

/* Pieces holding one of these are "word-like" (letters, digits, kana, ideographs). */
#define WB_WORDLIKE  (WB_AHLETTER | B(DS_WB_NUMERIC) | B(DS_WB_KATAKANA))
#define SB_WORDLIKE  (B(DS_SB_LOWER) | B(DS_SB_UPPER) | B(DS_SB_OLETTER) | B(DS_SB_NUMERIC))

/*
** Word_Break of the first character at or after z[j] that WB4 does not ignore, or
** WB_SOT (which no rule matches) at the end of the text or at ill-formed bytes; the
** main walk reports those when it gets there.
*/
static int wb_ahead(const unsigned char *z, size_t j, size_t n) {
  while (j < n) {
    uint32_t cp;
    int len = utf8_decode(z, j, n, &cp);
    int e;
    if (len == 0) return WB_SOT;
    e = DS_UNIPROP_WB(uniprop(cp));
    if (!IN(WB_IGNORED, e)) return e;
    j += (size_t)len;
  }
  return WB_SOT;
}

/*
** Is there a word boundary between the text taken so far and the next character, of
** packed properties u, whose successor starts at z[j]? The text so far is described
** by the Word_Break of its last character (raw), of its last one WB4 does not ignore
** (last), of the one before that (prior), and whether `last` ends an odd-length run
** of Regional_Indicator (bRiOdd).
*/
static inline int wb_is_break(int raw, int last, int prior, int bRiOdd, uint16_t u,
                              const unsigned char *z, size_t j, size_t n) {
  int e = DS_UNIPROP_WB(u);
  if (raw == DS_WB_CR && e == DS_WB_LF) return 0;                            /* WB3 */
  if (IN(WB_NEWLINES, raw) || IN(WB_NEWLINES, e)) return 1;            /* WB3a, WB3b */
  if (raw == DS_WB_ZWJ && DS_UNIPROP_EP(u)) return 0;                       /* WB3c */
  if (raw == DS_WB_WSEGSPACE && e == DS_WB_WSEGSPACE) return 0;             /* WB3d */
  if (IN(WB_IGNORED, e)) return 0;                                           /* WB4 */
  /* From here on, `last` and `prior` skip what WB4 ignores. */
  switch (e) {
    case DS_WB_ALETTER:
    case DS_WB_HEBREW_LETTER:
      if (IN(WB_AHLETTER, last)) return 0;                                   /* WB5 */
      if (IN(WB_MIDLETQ, last) && IN(WB_AHLETTER, prior)) return 0;          /* WB7 */
      if (e == DS_WB_HEBREW_LETTER && last == DS_WB_DOUBLE_QUOTE &&
          prior == DS_WB_HEBREW_LETTER) return 0;                           /* WB7c */
      if (last == DS_WB_NUMERIC || last == DS_WB_EXTENDNUMLET) return 0; /* WB10, 13b */
      return 1;
    case DS_WB_NUMERIC:
      if (last == DS_WB_NUMERIC || IN(WB_AHLETTER, last)) return 0;        /* WB8, WB9 */
      if (IN(WB_MIDNUMQ, last) && prior == DS_WB_NUMERIC) return 0;         /* WB11 */
      if (last == DS_WB_EXTENDNUMLET) return 0;                             /* WB13b */
      return 1;
    case DS_WB_KATAKANA:
      if (last == DS_WB_KATAKANA || last == DS_WB_EXTENDNUMLET) return 0; /* WB13, 13b */
      return 1;
    case DS_WB_EXTENDNUMLET:
      return !IN(WB_13A_LEFT, last);                                       /* WB13a */
    case DS_WB_SINGLE_QUOTE:
    case DS_WB_MIDLETTER:
    case DS_WB_MIDNUMLET:
    case DS_WB_MIDNUM:
      if (e == DS_WB_SINGLE_QUOTE && last == DS_WB_HEBREW_LETTER) return 0; /* WB7a */
      if (IN(WB_AHLETTER, last) && e != DS_WB_MIDNUM)
        return !IN(WB_AHLETTER, wb_ahead(z, j, n));                         /* WB6 */
      if (last == DS_WB_NUMERIC && e != DS_WB_MIDLETTER)
        return wb_ahead(z, j, n) != DS_WB_NUMERIC;                         /* WB12 */
      return 1;
    case DS_WB_DOUBLE_QUOTE:
      if (last == DS_WB_HEBREW_LETTER)
        return wb_ahead(z, j, n) != DS_WB_HEBREW_LETTER;                  /* WB7b */
      return 1;
    case DS_WB_REGIONAL_INDICATOR:
      return !(last == DS_WB_REGIONAL_INDICATOR && bRiOdd);          /* WB15, WB16 */
    default:
      return 1;                                                           /* WB999 */
  }
}

void ds_wordbreak_init(ds_wordbreak *p, const char *z, size_t n) {
  p->z = (const unsigned char *)z;
  p->n = z ? n : 0;
  p->i = 0;
  p->iErr = 0;
  p->rc = DS_OK;
  p->bWordLike = 0;
  p->eRaw = p->eLast = p->ePrior = WB_SOT;
  p->bRiOdd = 0;
}

/*
** The look-behind state lives in locals during the walk, so it can stay in registers
** (stores through `p` may alias the text bytes and would force reloads).
*/
int ds_wordbreak_next(ds_wordbreak *p, size_t *piStart, size_t *piEnd) {
  const unsigned char *z = p->z;
  size_t n = p->n, i = p->i;
  int raw = p->eRaw, last = p->eLast, prior = p->ePrior, bRiOdd = p->bRiOdd;
  unsigned word = 0;
  uint32_t cp;
  uint16_t u;
  int len, e;

  if (p->rc != DS_OK) return p->rc;
  if (i >= n) return DS_DONE;
  /* The boundary before the first character was settled by the previous call. */
  len = utf8_decode(z, i, n, &cp);
  if (len == 0) goto bad_utf8;
  u = uniprop(cp);
  for (;;) {
    /* Take the character. WB4 makes an Extend/Format/ZWJ invisible to later rules,
       except right after sot or a newline, where it stands for itself. */
    e = DS_UNIPROP_WB(u);
    word |= IN(WB_WORDLIKE, e) | IN(SB_WORDLIKE, DS_UNIPROP_SB(u));
    if (!IN(WB_IGNORED, e) || IN(WB_RESTART, raw)) {
      /* An RI after an odd run pairs up (no break), so the run becomes even. */
      bRiOdd = e == DS_WB_REGIONAL_INDICATOR && !(last == DS_WB_REGIONAL_INDICATOR && bRiOdd);
      prior = last;
      last = e;
    }
    raw = e;
    i += (size_t)len;
    if (e == DS_WB_ALETTER || e == DS_WB_NUMERIC) {
      /* Fast path: a run of ASCII letters (WB5) or digits (WB8) has no boundary and
         leaves the state as one more of them would. */
      size_t k = i;
      while (k < n && z[k] < 0x80 && DS_UNIPROP_WB(ds_uniprop_ascii[z[k]]) == e) k++;
      if (k > i) {
        prior = e;
        i = k;
      }
    }
    if (i >= n) break;
    /* Decide the boundary before the next one. */
    len = DECODE(z, i, n, &cp);
    if (len == 0) goto bad_utf8;
    u = uniprop(cp);
    if (wb_is_break(raw, last, prior, bRiOdd, u, z, i + (size_t)len, n)) break;
  }
  *piStart = p->i;
  *piEnd = i;
  p->i = i;
  p->bWordLike = (int)word;
  p->eRaw = (unsigned char)raw;
  p->eLast = (unsigned char)last;
  p->ePrior = (unsigned char)prior;
  p->bRiOdd = (unsigned char)bRiOdd;
  return DS_OK;

bad_utf8:
  p->rc = DS_UTF8;
  p->iErr = i;
  return DS_UTF8;
}

int ds_uax29_words(const char *z, size_t n, ds_uax29_cb cb, void *ctx) {
  ds_wordbreak it;
  size_t s, e;
  int rc;
  ds_wordbreak_init(&it, z, n);
  while ((rc = ds_wordbreak_next(&it, &s, &e)) == DS_OK) {
    if (cb(ctx, s, e)) return DS_DONE;
  }
  return rc == DS_DONE ? DS_OK : rc;
}

/* ------------------------------------------------------------------------------- */
/* Sentence boundaries                                                              */
/* ------------------------------------------------------------------------------- */

/* A pseudo Sentence_Break value for "start of text". */
#define SB_SOT DS_SB_COUNT

#define SB_PARASEP  (B(DS_SB_SEP) | B(DS_SB_CR) | B(DS_SB_LF))
#define SB_IGNORED  (B(DS_SB_EXTEND) | B(DS_SB_FORMAT))                      /* by SB5 */
#define SB_RESTART  (SB_PARASEP | B(SB_SOT))           /* after these, SB5 ignores nothing */
#define SB_SATERM   (B(DS_SB_ATERM) | B(DS_SB_STERM))
/* What ends the "( not (OLetter | Upper | Lower | ParaSep | SATerm) )*" run of SB8. */
#define SB8_STOP    (B(DS_SB_OLETTER) | B(DS_SB_UPPER) | B(DS_SB_LOWER) | SB_PARASEP | SB_SATERM)

/*
** SB8's look-ahead: is the first character at or after z[j] that is in SB8_STOP a
** Lower? No at the end of the text or at ill-formed bytes. (Extend and Format are
** outside SB8_STOP, so SB5 needs no special care here.)
*/
static int sb8_lower_ahead(const unsigned char *z, size_t j, size_t n) {
  while (j < n) {
    uint32_t cp;
    int len = utf8_decode(z, j, n, &cp);
    int e;
    if (len == 0) return 0;
    e = DS_UNIPROP_SB(uniprop(cp));
    if (IN(SB8_STOP, e)) return e == DS_SB_LOWER;
    j += (size_t)len;
  }
  return 0;
}

/*
** Is there a sentence boundary between the text taken so far and the next character,
** of Sentence_Break e, whose successor starts at z[j]? The text so far is described by
** the Sentence_Break of its last character (raw), of its last one SB5 does not ignore
** (last), of the one before that (prior), and, if it ends with "SATerm Close* Sp*",
** that SATerm (term, else 0) and whether the Sp* part has begun (bSp).
*/
static inline int sb_is_break(int raw, int last, int prior, int term, int bSp, int e,
                              const unsigned char *z, size_t j, size_t n) {
  if (raw == DS_SB_CR && e == DS_SB_LF) return 0;                            /* SB3 */
  if (IN(SB_PARASEP, raw)) return 1;                                         /* SB4 */
  if (IN(SB_IGNORED, e)) return 0;                                           /* SB5 */
  if (!term) return 0;                                                     /* SB998 */
  /* After SATerm Close* Sp*. The "no break" rules first; SB8, the only one that
     scans ahead, last, so it runs only where SB11 would otherwise break. */
  if (last == DS_SB_ATERM) {
    if (e == DS_SB_NUMERIC) return 0;                                        /* SB6 */
    if (e == DS_SB_UPPER && (prior == DS_SB_UPPER || prior == DS_SB_LOWER))
      return 0;                                                              /* SB7 */
  }
  if (e == DS_SB_SCONTINUE || IN(SB_SATERM, e)) return 0;                  /* SB8a */
  if (e == DS_SB_CLOSE && !bSp) return 0;                                    /* SB9 */
  if (e == DS_SB_SP || IN(SB_PARASEP, e)) return 0;                   /* SB9, SB10 */
  if (term == DS_SB_ATERM &&
      (e == DS_SB_LOWER || (!IN(SB8_STOP, e) && sb8_lower_ahead(z, j, n))))
    return 0;                                                                /* SB8 */
  return 1;                                                                 /* SB11 */
}

void ds_sentbreak_init(ds_sentbreak *p, const char *z, size_t n) {
  p->z = (const unsigned char *)z;
  p->n = z ? n : 0;
  p->i = 0;
  p->iErr = 0;
  p->rc = DS_OK;
  p->eRaw = p->eLast = p->ePrior = SB_SOT;
  p->eTerm = 0;
  p->bSp = 0;
}

/*
** Same shape as ds_wordbreak_next.
*/
int ds_sentbreak_next(ds_sentbreak *p, size_t *piStart, size_t *piEnd) {
  const unsigned char *z = p->z;
  size_t n = p->n, i = p->i;
  int raw = p->eRaw, last = p->eLast, prior = p->ePrior, term = p->eTerm, bSp = p->bSp;
  uint32_t cp;
  int len, e;

  if (p->rc != DS_OK) return p->rc;
  if (i >= n) return DS_DONE;
  len = utf8_decode(z, i, n, &cp);
  if (len == 0) goto bad_utf8;
  e = DS_UNIPROP_SB(uniprop(cp));
  for (;;) {
    /* Take the character. SB5 hides Extend/Format, except after sot or ParaSep. */
    if (!IN(SB_IGNORED, e) || IN(SB_RESTART, raw)) {
      prior = last;
      last = e;
      /* Track "SATerm Close* Sp*". */
      if (IN(SB_SATERM, e)) {
        term = e;
        bSp = 0;
      } else if (!(term && (e == DS_SB_SP || (e == DS_SB_CLOSE && !bSp)))) {
        term = 0;
      } else if (e == DS_SB_SP) {
        bSp = 1;
      }
    }
    raw = e;
    i += (size_t)len;
    if (i >= n) break;
    len = DECODE(z, i, n, &cp);
    if (len == 0) goto bad_utf8;
    e = DS_UNIPROP_SB(uniprop(cp));
    if (sb_is_break(raw, last, prior, term, bSp, e, z, i + (size_t)len, n)) break;
  }
  *piStart = p->i;
  *piEnd = i;
  p->i = i;
  p->eRaw = (unsigned char)raw;
  p->eLast = (unsigned char)last;
  p->ePrior = (unsigned char)prior;
  p->eTerm = (unsigned char)term;
  p->bSp = (unsigned char)bSp;
  return DS_OK;

bad_utf8:
  p->rc = DS_UTF8;
  p->iErr = i;
  return DS_UTF8;
}

int ds_uax29_sentences(const char *z, size_t n, ds_uax29_cb cb, void *ctx) {
  ds_sentbreak it;
  size_t s, e;
  int rc;
  ds_sentbreak_init(&it, z, n);
  while ((rc = ds_sentbreak_next(&it, &s, &e)) == DS_OK) {
    if (cb(ctx, s, e)) return DS_DONE;
  }
  return rc == DS_DONE ? DS_OK : rc;
}
