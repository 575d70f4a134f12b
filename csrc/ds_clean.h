/*
** ds_clean.h -- undo the damage of text extraction: hyphenated line breaks, paragraphs
** broken by page breaks, footnotes in the text flow, page furniture, site boilerplate.
**
** Works on lines of NFC text with LF line ends (what the plain-text reader makes), and
** records every change with its line so that a user can see what was done and why
** (`dossier clean --explain`). Each rule can be switched off.
*/
#ifndef DS_CLEAN_H
#define DS_CLEAN_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_langdata.h"
#include "ds_offmap.h"
#include "ds_sitelines.h"

/* The rules, by bit; DS_CLEAN_ALL is the default. */
#define DS_CLEAN_HYPHENS     0x01   /* `surveil-` / `lance` -> `surveillance`; `dual-use` kept */
#define DS_CLEAN_PAGEBREAKS  0x02   /* a paragraph cut by a page break is joined again */
#define DS_CLEAN_FOOTNOTES   0x04   /* footnotes at page ends go to the end; markers leave */
#define DS_CLEAN_FURNITURE   0x08   /* page numbers, running heads, repeated link lines */
#define DS_CLEAN_BOILERPLATE 0x10   /* lines of site furniture (corpus/lexicon/boilerplate.txt) */
#define DS_CLEAN_PARAGRAPHS  0x20   /* paragraphs of hard-wrapped text without blank lines */
#define DS_CLEAN_REPEATED    0x40   /* lines repeated across the site's documents (ds_sitelines.h) */
#define DS_CLEAN_ALL         0x7F

/* Name of one rule bit ("hyphens", ...), or NULL; and the bit of a name, or 0. */
const char *ds_clean_rule_name(unsigned rule);
unsigned ds_clean_rule_find(const char *zName);

/* One change, for --explain. */
typedef struct ds_change {
  unsigned rule;        /* DS_CLEAN_* bit */
  int64_t line;         /* 1-based line of the input where it happened */
  int64_t start, end;   /* that line's bytes in the input (64-bit: inputs read in parts
                           pass 4 GB) */
  char zWhat[200];      /* what was done, for a person */
} ds_change;

typedef struct ds_cleaned {
  ds_buf text;          /* the clean text (owned) */
  size_t footStart;     /* offset in text where the moved footnotes begin (= text.n if none) */
  ds_change *aChange;   /* changes in input order (owned) */
  size_t nChange, nChangeAlloc;
  ds_offmap map;        /* clean offsets to input offsets */
} ds_cleaned;

#define DS_CLEANED_INIT {DS_BUF_INIT, 0, NULL, 0, 0, DS_OFFMAP_INIT}

/*
** Clean z[0..n) with the rules in `rules`, deciding words with ld (may be NULL: then the
** document's own words decide hyphenation, and the boilerplate rule does nothing).
** Fills *out (free with ds_cleaned_free). Errors: DS_NOMEM.
*/
int ds_clean(const char *z, size_t n, unsigned rules, const ds_langdata *ld, ds_cleaned *out,
             ds_error *e);

/*
** ds_clean, with the lines repeated across the documents of the document's site (may be
** NULL): the `repeated` rule drops them, but for a heading the site's documents share:
** a paragraph of its own followed by prose.
*/
int ds_clean_with(const char *z, size_t n, unsigned rules, const ds_langdata *ld,
                  const ds_sitelines *site, ds_cleaned *out, ds_error *e);

void ds_cleaned_free(ds_cleaned *c);

#endif
