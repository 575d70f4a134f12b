/*
** ds_doc.h -- the annotated document: the only contract between pipeline stages.
**
** A reader fills zText (clean NFC text) and aPara; the tokenizer appends tokens; the
** sentence splitter fills aSent; later stages (tagger, recognizers) fill their own
** arrays parallel to aTok or add spans. Consumers (index writer, CoNLL-U writer, Lua
** tables) only read it. Byte offsets are into zText; token ranges are [first, last+1).
**
**   ds_doc *d;
**   if (ds_parse_text(z, n, NULL, &d, &err) == DS_OK) { ... d->nTok ...; ds_doc_free(d); }
*/
#ifndef DS_DOC_H
#define DS_DOC_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_clean.h"

/* Token flags. */
#define DS_TOK_SPACE_AFTER 0x01   /* whitespace follows the token in zText */
#define DS_TOK_WORD        0x02   /* letters (possibly with digits, marks, apostrophes) */
#define DS_TOK_NUMBER      0x04   /* digits with separators */
#define DS_TOK_PUNCT       0x08   /* punctuation */
#define DS_TOK_SYMBOL      0x10   /* symbols, emoji, anything else */
#define DS_TOK_URL         0x20   /* URL or e-mail address */
#define DS_TOK_ABBREV      0x40   /* word with its abbreviation period attached */

typedef struct ds_token {
  uint32_t start;     /* byte offset of the first byte in zText */
  uint32_t end;       /* byte offset one past the last byte */
  uint32_t flags;     /* DS_TOK_* */
} ds_token;

/* A range of tokens [first, last) -- sentences, paragraphs. */
typedef struct ds_range {
  uint32_t first;     /* first token */
  uint32_t last;      /* one past the last token */
} ds_range;

/*
** Kinds of span the recognizers add, each with the attributes it carries, in this order
** (ds_spankind_get gives the names). Values are strings; "" when unknown.
**   ent      type (PERSON ORG GPE LOC TECH POLICY EVENT MISC), id (Wikidata QID, else
**            a lexicon id, else the normalized surface form), name (canonical), country
**            (ISO 3166 alpha-2 or ""), source (`lexicon` or `model`)
**   date     value (ISO 8601 at its precision: 2015-12-07, 2021-03, 2019, 201x decades as
**            2010/2019, intervals 2019/2021, ISO weeks 2021-W46), precision (day month
**            year decade century interval relative, and week and ambiguous: a day-first
**            reading of a numeric date that could be read either way; ds_recognize.h)
**   money    amount (a plain number: 442000000), currency (ISO 4217)
**   percent  value (a plain number: 35.5)
**   cite     authors (separated by "; "), year, extra
**   url      value (the URL or e-mail address as written)
**   quote    speaker (canonical name, "" when none)
*/
enum {
  DS_SPAN_ENT = 0, DS_SPAN_DATE, DS_SPAN_MONEY, DS_SPAN_PERCENT, DS_SPAN_CITE, DS_SPAN_URL,
  DS_SPAN_QUOTE, DS_NSPANKIND
};

typedef struct ds_spankind {
  const char *zName;            /* "ent", "date", ... (CQL's structure name) */
  int nAttr;
  const char *const *azAttr;    /* attribute names */
} ds_spankind;

/* The kind's description, or NULL for an unknown kind. */
const ds_spankind *ds_spankind_get(int kind);
/* Kind of a name ("ent"), or -1. */
int ds_spankind_find(const char *zName);

/* A span a recognizer found: tokens [first, last) of a kind, with its values. */
typedef struct ds_docspan {
  uint32_t first, last;
  uint32_t kind;        /* DS_SPAN_* */
  uint32_t vals;        /* offset in ds_doc.spanVals of its values, each NUL-ended, in order */
} ds_docspan;

/* Kinds of paragraph. */
enum { DS_PARA_TEXT = 0, DS_PARA_HEADING, DS_PARA_FOOTNOTE };

/* A paragraph: byte range of zText, and the tokens it holds once tokenized. */
typedef struct ds_para {
  uint32_t start, end;  /* byte range in zText */
  ds_range tok;         /* tokens, filled by the tokenizer */
  int kind;             /* DS_PARA_* */
} ds_para;

typedef struct ds_doc {
  char *zText;          /* clean text, NFC, NUL-terminated (owned) */
  size_t nText;         /* its length in bytes */
  ds_token *aTok;       /* tokens in text order (owned) */
  size_t nTok, nTokAlloc;
  ds_range *aSent;      /* sentences in order, covering every token (owned) */
  size_t nSent, nSentAlloc;
  ds_para *aPara;       /* paragraphs in order (owned) */
  size_t nPara, nParaAlloc;
  ds_change *aChange;   /* what the clean-up changed, in input order (owned; may be NULL) */
  size_t nChange;
  ds_offseg *aMap;      /* zText offsets to the raw input's bytes (ds_offmap.h; owned) */
  size_t nMap;
  ds_buf meta;          /* the document's own metadata, "key\0value\0" pairs (owned) */
  size_t nMeta;
  /* filled by the tagging stage (ds_annotate.h); NULL when not tagged */
  uint8_t *aUpos;       /* UPOS id per token (owned) */
  uint8_t *aXpos;       /* XPOS id per token (owned) */
  uint32_t *aLemmaOff;  /* lemma of token i at lemmas.p + aLemmaOff[i], NUL-ended (owned) */
  ds_buf lemmas;
  const struct ds_tagger *pTagger;   /* names of the tag ids (borrowed) */
  /* filled by the recognizers (ds_doc_add_span); in the order added until
  ** ds_doc_sort_spans */
  ds_docspan *aSpan;
  size_t nSpan, nSpanAlloc;
  ds_buf spanVals;
  /* filled by ds_doc_intern (ds_intern.h), after tagging; NULL when not done */
  uint32_t *aTypeOf;    /* the token type of each token, among the document's (owned) */
  uint32_t *aTypeTok;   /* the first token of each type (owned) */
  size_t nType;
  /* filled by ds_typeview_resolve (ds_store.h) on a worker; NULL when not done */
  uint32_t *aTypeRef;   /* each type's entry in the writer's map, or DS_TYPEREF_NONE (owned) */
  uint64_t typeGen;     /* the writer's map they refer to */
} ds_doc;

/* A document type the writer's map did not hold when the worker looked. */
#define DS_TYPEREF_NONE 0xFFFFFFFFu

/* Largest document text the pipeline takes (offsets are 32-bit). */
#define DS_MAX_DOC_BYTES 0xFFFFFFF0u

/* New empty document, or NULL when out of memory. */
ds_doc *ds_doc_new(void);

/* Free a document and everything it owns. Safe with NULL. */
void ds_doc_free(ds_doc *d);

/* Append a token / sentence / paragraph. Return DS_OK or DS_NOMEM. */
static inline int ds_doc_add_token(ds_doc *d, uint32_t start, uint32_t end, uint32_t flags);
int ds_doc_add_sentence(ds_doc *d, uint32_t first, uint32_t last);
int ds_doc_add_para(ds_doc *d, uint32_t start, uint32_t end);

/*
** Add span [first, last) (first < last <= nTok) of `kind` with the kind's nAttr values
** azVal[0..nAttr) (a NULL array or entry stands for ""). DS_OK, DS_NOMEM, or DS_MISUSE
** for a bad kind or range.
*/
int ds_doc_add_span(ds_doc *d, int kind, uint32_t first, uint32_t last, const char *const *azVal);

/* Value iAttr of span s (the kind's order), "" when iAttr is out of range. */
const char *ds_docspan_value(const ds_doc *d, const ds_docspan *s, int iAttr);

/* Sort the spans by first token, then longest first, then kind. */
void ds_doc_sort_spans(ds_doc *d);

/* Remove span i (keeps the order of the rest). */
void ds_doc_remove_span(ds_doc *d, size_t i);

/*
** Walk metadata held as "key\0value\0" pairs (ds_doc.meta, and the readers' own):
**   size_t off = 0; const char *zKey, *zVal;
**   while (ds_meta_next(&d->meta, &off, &zKey, &zVal)) ...
** Returns 1 with the next pair, 0 at the end (or at a pair cut short).
*/
int ds_meta_next(const ds_buf *b, size_t *pOff, const char **pzKey, const char **pzVal);

/*
** Append the text of sentence s on one line: from its first token to its last, with each
** run of white space that holds a line break shown as one space.
*/
void ds_doc_sentence_text(const ds_doc *d, size_t s, ds_buf *out);

/* Room for one more token (ds_doc_add_token's rare case). DS_OK or DS_NOMEM. */
int ds_doc_grow_tokens(ds_doc *d);

/* (Inline: the tokenizer adds every token through it.) */
static inline int ds_doc_add_token(ds_doc *d, uint32_t start, uint32_t end, uint32_t flags) {
  if (d->nTok >= d->nTokAlloc && ds_doc_grow_tokens(d)) return DS_NOMEM;
  d->aTok[d->nTok++] = (ds_token){start, end, flags};
  return DS_OK;
}

#endif
