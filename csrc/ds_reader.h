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

/*
** Read the whole file zPath into a new buffer (*pz, NUL-terminated, freed with
** ds_free) of *pn bytes. Errors (DS_IO) name the file and the system's reason.
*/
int ds_read_file(const char *zPath, char **pz, size_t *pn, ds_error *e);

/*
** Plain-text reader: fill d->zText and d->aPara from z[0..n). zName names the input in
** error messages. Errors: DS_FORMAT (NUL byte: a binary file; too large), DS_UTF8 (with
** the byte offset, line and column of the first bad byte), DS_NOMEM.
*/
int ds_read_text(const char *z, size_t n, const char *zName, ds_doc *d, ds_error *e);

#endif
