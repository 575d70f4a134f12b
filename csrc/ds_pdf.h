/*
** ds_pdf.h -- text and metadata of a PDF file, through Poppler's C API (poppler-glib).
**
** Each page's text comes in Poppler's reading order (its text layout analysis, as
** `pdftotext` without -layout); pages are separated by a line holding only a form feed
** ("\n\f\n"), which the clean-up (ds_clean.h) takes as an exact page break, so running
** heads, page numbers and footnotes are judged on the real pages. Within a page, the
** lines of one paragraph follow each other and a paragraph starts after an empty line,
** found from the layout: more space above a line than the document's line spacing, or
** a first-line indent (ds_pdf.c). The document
** information gives metadata: title, authors (Author), subject, keywords, date
** (CreationDate, else ModDate, as ISO 8601), creator, producer, pages.
**
** Errors name the input (zName): an encrypted PDF that opens only with a password, a
** damaged one, one without any text (scanned images: dossier does not do OCR).
*/
#ifndef DS_PDF_H
#define DS_PDF_H

#include "ds.h"
#include "ds_buf.h"

typedef struct ds_pdf {
  ds_buf text;          /* UTF-8 text, pages separated by "\n\f\n" (owned) */
  ds_buf meta;          /* metadata as "key\0value\0" pairs (owned; ds_meta_next walks it) */
  size_t nMeta;
  size_t nPage;         /* pages in the document */
  size_t nEmpty;        /* pages without text */
} ds_pdf;

#define DS_PDF_INIT {DS_BUF_INIT, DS_BUF_INIT, 0, 0, 0}

/*
** Read the PDF in z[0..n) into *out (free it with ds_pdf_free, also after an error).
** Errors: DS_FORMAT (not a PDF, damaged, encrypted, no text on any page), DS_NOMEM.
*/
int ds_pdf_read(const char *z, size_t n, const char *zName, ds_pdf *out, ds_error *e);

void ds_pdf_free(ds_pdf *p);

/*
** Can the PDF in z[0..n) be read, and has it text? Opens it and reads pages until one
** has text (the first, as a rule): a quick look before a directory's files are added,
** so that one encrypted or scanned report is passed over with a warning. DS_OK, or the
** error ds_pdf_read would give (DS_FORMAT, DS_NOMEM).
*/
int ds_pdf_probe(const char *z, size_t n, const char *zName, ds_error *e);

#endif
