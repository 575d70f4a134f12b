/*
** ds_uniprop.h -- the Unicode properties that word and sentence segmentation need.
**
** Word_Break, Sentence_Break (UAX #29) and Extended_Pictographic (UTS #51) of a code
** point, for Unicode 15.0.0 (the version of Debian's libutf8proc 2.8.0). The tables
** live in ds_uniprop.c, which tools/gen_uniprop.lua generates from the UCD files
** WordBreakProperty.txt, SentenceBreakProperty.txt and emoji-data.txt; regenerate it
** rather than editing it. Everything here is read-only data: thread-safe.
**
** Any uint32_t is accepted: surrogates, unassigned code points and values past
** U+10FFFF get the default values (Other, Other, not pictographic).
*/
#ifndef DS_UNIPROP_H
#define DS_UNIPROP_H

#include <stdint.h>

/* Unicode version of the tables. */
#define DS_UNIPROP_UNICODE_VERSION "15.0.0"

/* Word_Break property values (UAX #29 table 3). Fits in 5 bits. */
enum {
  DS_WB_OTHER = 0,
  DS_WB_CR,
  DS_WB_LF,
  DS_WB_NEWLINE,
  DS_WB_EXTEND,
  DS_WB_ZWJ,
  DS_WB_REGIONAL_INDICATOR,
  DS_WB_FORMAT,
  DS_WB_KATAKANA,
  DS_WB_HEBREW_LETTER,
  DS_WB_ALETTER,
  DS_WB_SINGLE_QUOTE,
  DS_WB_DOUBLE_QUOTE,
  DS_WB_MIDNUMLET,
  DS_WB_MIDLETTER,
  DS_WB_MIDNUM,
  DS_WB_NUMERIC,
  DS_WB_EXTENDNUMLET,
  DS_WB_WSEGSPACE,
  DS_WB_COUNT         /* number of values, not a value */
};

/* Sentence_Break property values (UAX #29 table 4). Fits in 4 bits. */
enum {
  DS_SB_OTHER = 0,
  DS_SB_CR,
  DS_SB_LF,
  DS_SB_EXTEND,
  DS_SB_SEP,
  DS_SB_FORMAT,
  DS_SB_SP,
  DS_SB_LOWER,
  DS_SB_UPPER,
  DS_SB_OLETTER,
  DS_SB_NUMERIC,
  DS_SB_ATERM,
  DS_SB_SCONTINUE,
  DS_SB_STERM,
  DS_SB_CLOSE,
  DS_SB_COUNT         /* number of values, not a value */
};

/* Word_Break value of cp (a DS_WB_* constant). */
int ds_wb_prop(uint32_t cp);

/* Sentence_Break value of cp (a DS_SB_* constant). */
int ds_sb_prop(uint32_t cp);

/* 1 if cp has Extended_Pictographic=Yes, else 0. */
int ds_is_extpict(uint32_t cp);

/*
** All three properties of cp in one 16-bit value, for code that needs more than one
** per character (the segmenters): take them apart with the macros below.
*/
uint16_t ds_uniprop(uint32_t cp);

/* ds_uniprop(cp) for cp < 0x80, as a table: for inner loops that see mostly ASCII. */
extern const uint16_t ds_uniprop_ascii[128];

#define DS_UNIPROP_SB_SHIFT 5
#define DS_UNIPROP_EP_SHIFT 9
#define DS_UNIPROP_WB(u) ((int)((u) & 0x1F))                              /* DS_WB_* */
#define DS_UNIPROP_SB(u) ((int)(((u) >> DS_UNIPROP_SB_SHIFT) & 0x0F))     /* DS_SB_* */
#define DS_UNIPROP_EP(u) ((int)(((u) >> DS_UNIPROP_EP_SHIFT) & 1))        /* 0 or 1 */

#endif
