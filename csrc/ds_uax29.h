/*
** ds_uax29.h -- word and sentence boundaries (Unicode UAX #29, Unicode 15.0.0).
**
** Splits UTF-8 text into words and sentences by the default rules of UAX #29 ("Unicode
** Text Segmentation"), with the properties of ds_uniprop.h; conformance is checked
** against the official WordBreakTest.txt and SentenceBreakTest.txt.
**
** A division into pieces covers its input: the pieces [start, end) are byte offsets, in
** order, non-empty, each starting where the previous one ended, the first at 0 and
** the last ending at n. Word pieces include spaces and punctuation (UAX #29 puts a
** boundary on each side of them); the iterator's `bWordLike` tells which pieces
** hold letters or digits. Sentence pieces keep their trailing spaces and newline.
**
** Two forms:
**   - a callback (ds_uax29_words, ds_uax29_sentences), FTS5-style;
**   - an iterator whose state the caller holds (usually on the stack):
**
**       ds_wordbreak it;
**       size_t s, e;
**       int rc;
**       ds_wordbreak_init(&it, z, n);
**       while ((rc = ds_wordbreak_next(&it, &s, &e)) == DS_OK) {
**         if (it.bWordLike) use(z + s, e - s);
**       }
**       if (rc != DS_DONE) ... rc is DS_UTF8, it.iErr the bad byte's offset ...
**
** Time is linear in n and no memory is allocated: the look-behind the rules need is a
** few bytes of state, and the look-ahead (WB6/7b/12 over ignored Extend/Format/ZWJ,
** SB8 up to the next letter or terminator) is done at most once per position and
** never crosses text another look-ahead crossed, so each byte is read at most three
** times whatever the input (long runs of Regional_Indicator, Extend, spaces, ...).
** There is no global state; distinct iterators may run in distinct threads.
**
** Input must be well-formed UTF-8 (validate it first, e.g. with ds_utf8_check). On
** ill-formed input (overlong forms, surrogates, code points past U+10FFFF, truncated
** or stray bytes) the functions return DS_UTF8 without reading out of bounds; the
** pieces already reported end at or before the bad byte, but near it they may
** differ from what the valid text would give.
*/
#ifndef DS_UAX29_H
#define DS_UAX29_H

#include "ds.h"

/*
** Called once per piece [start, end) (byte offsets into the text). Return 0 to go
** on, nonzero to stop: the splitting function then returns DS_DONE.
*/
typedef int (*ds_uax29_cb)(void *ctx, size_t start, size_t end);

/*
** Call cb(ctx, start, end) for each word piece of z[0..n) in order (UAX #29 word
** boundaries: words, runs of spaces, single punctuation marks, ...). z is only read
** and may be NULL when n is 0; empty input gives no pieces. Returns DS_OK after the
** last piece, DS_DONE if cb stopped it, DS_UTF8 on ill-formed input.
*/
int ds_uax29_words(const char *z, size_t n, ds_uax29_cb cb, void *ctx);

/*
** Same as ds_uax29_words, for UAX #29 sentence boundaries.
*/
int ds_uax29_sentences(const char *z, size_t n, ds_uax29_cb cb, void *ctx);

/*
** Word-boundary iterator. Fields marked "read" may be read by the caller; the others
** are the iterator's look-behind state. The text is borrowed: it must stay unchanged
** and alive while the iterator is used. Nothing to free.
*/
typedef struct ds_wordbreak {
  const unsigned char *z;   /* the text (borrowed) */
  size_t n;                 /* its length in bytes */
  size_t i;                 /* read: offset where the next piece starts */
  size_t iErr;              /* read: after DS_UTF8, offset of the ill-formed byte */
  int rc;                   /* DS_OK, or DS_UTF8 once ill-formed input was seen */
  int bWordLike;            /* read: last piece has a letter, digit, kana or ideograph */
  unsigned char eRaw;       /* Word_Break of the last character taken */
  unsigned char eLast;      /* ... of the last one WB4 does not ignore */
  unsigned char ePrior;     /* ... of the one before eLast (WB7, WB7c, WB11) */
  unsigned char bRiOdd;     /* eLast ends an odd-length run of Regional_Indicator */
} ds_wordbreak;

/* Start iterating over the word pieces of z[0..n). Cannot fail. */
void ds_wordbreak_init(ds_wordbreak *p, const char *z, size_t n);

/*
** Next word piece: store its bounds in *piStart and *piEnd and return DS_OK; return
** DS_DONE when the text is used up, or DS_UTF8 (with p->iErr set) on ill-formed input.
** After DS_DONE or DS_UTF8 every later call returns the same.
*/
int ds_wordbreak_next(ds_wordbreak *p, size_t *piStart, size_t *piEnd);

/* Sentence-boundary iterator; same contract as ds_wordbreak. */
typedef struct ds_sentbreak {
  const unsigned char *z;   /* the text (borrowed) */
  size_t n;                 /* its length in bytes */
  size_t i;                 /* read: offset where the next piece starts */
  size_t iErr;              /* read: after DS_UTF8, offset of the ill-formed byte */
  int rc;                   /* DS_OK, or DS_UTF8 once ill-formed input was seen */
  unsigned char eRaw;       /* Sentence_Break of the last character taken */
  unsigned char eLast;      /* ... of the last one SB5 does not ignore */
  unsigned char ePrior;     /* ... of the one before eLast (SB7) */
  unsigned char eTerm;      /* after "SATerm Close* Sp*": DS_SB_ATERM or DS_SB_STERM; else 0 */
  unsigned char bSp;        /* that sequence has reached its Sp* part */
} ds_sentbreak;

/* Start iterating over the sentences of z[0..n). Cannot fail. */
void ds_sentbreak_init(ds_sentbreak *p, const char *z, size_t n);

/* Next sentence; same contract as ds_wordbreak_next. */
int ds_sentbreak_next(ds_sentbreak *p, size_t *piStart, size_t *piEnd);

#endif
