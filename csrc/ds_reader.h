/*
** ds_reader.h -- turn raw bytes into clean text with paragraphs.
**
** This is the plain-text reader: it validates UTF-8, drops a UTF-8 byte order mark,
** turns CR LF and CR into LF, normalizes to NFC, and splits paragraphs at blank lines.
** Readers for HTML, Markdown and JSON Lines will sit beside it with the same contract.
*/
#ifndef DS_READER_H
#define DS_READER_H

#include "ds_doc.h"
#include "ds_langdata.h"



/*
** Plain-text reader: fill d->zText and d->aPara from z[0..n). zName names the input in
** error messages. UTF-16 with a byte order mark is converted. Errors: DS_FORMAT (NUL
** byte: a binary file; too large), DS_UTF8 (with the byte offset, line and column of the
** first bad byte; for UTF-16, the first unpaired surrogate), DS_NOMEM.
*/
int ds_read_text(const char *z, size_t n, const char *zName, ds_doc *d, ds_error *e);

/* Input formats. */
enum { DS_FMT_TEXT = 0, DS_FMT_HTML, DS_FMT_MARKDOWN, DS_FMT_PDF };

/* Format of a name ("txt", "text", "html", "htm", "md", "markdown", "pdf"), or -1. */
int ds_format_find(const char *zName);

/* How to read: the name in messages, the format, clean-up rules and their language data. */
typedef struct ds_read_opts {
  const char *zName;            /* names the input in messages (may be NULL) */
  unsigned cleanRules;          /* DS_CLEAN_* bits; 0: no clean-up */
  const ds_langdata *pLang;     /* word list and furniture phrases (may be NULL) */
  int format;                   /* DS_FMT_*: HTML and Markdown go through ds_markup.h, */
                                /* where only the boilerplate rule applies; PDF through */
                                /* ds_pdf.h, then as plain text (raw offsets are then */
                                /* into the text extracted, not the PDF's bytes) */
  int bNoFrontMatter;           /* Markdown: leave its YAML front matter out (a caller */
                                /* found it broken and warned): the text alone */
  int bLatin1;                  /* input that is not valid UTF-8 is Windows-1252 (a */
                                /* superset of ISO 8859-1's printable characters); */
                                /* valid UTF-8 is read as UTF-8 */
  const struct ds_tagger *pTagger;       /* ds_parse_and_tag tags with it when not NULL */
  const struct ds_lemmatizer *pLemma;    /* and lemmatizes with it when not NULL */
  const struct ds_extractor *pExtract;   /* then finds entities, dates ... with it (ds_extract.h) */
  const char *zDate;            /* the document's date given by the caller (ISO), for
                                   relative dates; NULL: its own metadata's */
  const struct ds_sitelines *pSite;      /* lines repeated across the document's site, for
                                            the `repeated` rule (may be NULL) */
  /* where z[0] is in the whole input when z is a part of it (ds_parts.h), for the byte
     offsets, lines and columns of error messages: 0 for a whole input */
  int64_t rawBase;              /* its byte offset */
  uint64_t lineBase, colBase;   /* the lines before it, and its line's bytes before it */
} ds_read_opts;

/*
** ds_read_text with clean-up (ds_clean.h) between normalization and paragraphs: the
** document keeps the list of changes and the map back to the normalized text. Moved
** footnotes become paragraphs of kind DS_PARA_FOOTNOTE at the end; short title-like
** lines standing alone become DS_PARA_HEADING.
*/
int ds_read_text_opts(const char *z, size_t n, const ds_read_opts *o, ds_doc *d, ds_error *e);

#endif
