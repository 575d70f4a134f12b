/*
** ds_sitelines.h -- lines repeated across the documents of one site.
**
** Pages saved from one web site, or reports of one publisher, share lines that are not
** part of any one document: menus, `Share this story`, a newsletter banner, a copyright
** line. They sit near a document's top or bottom. A set is filled from a site's
** documents (the first and last DS_SITELINES_ZONE lines of text of each, each distinct
** line counted once per document), then finished: the lines found in at least minDocs
** documents and in at least minShare of them stay. The clean-up's `repeated` rule
** (ds_clean.h) drops them.
**
** Lines are compared trimmed of white space, inner runs of white space as one space,
** ASCII letters in lower case. Lines without a letter (page numbers, rules) and lines
** over DS_SITELINES_MAXLINE bytes are never counted.
*/
#ifndef DS_SITELINES_H
#define DS_SITELINES_H

#include "ds.h"

#define DS_SITELINES_ZONE 30        /* lines counted at each end of a document */
#define DS_SITELINES_MAXLINE 200    /* bytes */
#define DS_SITELINES_PEEK 65536     /* bytes read at each end of a file */

typedef struct ds_sitelines ds_sitelines;

/* A new, empty set, or NULL (out of memory). */
ds_sitelines *ds_sitelines_new(void);
void ds_sitelines_free(ds_sitelines *s);

/* Count the lines of one document, text z[0..n) (UTF-8, LF or CR LF). DS_OK or DS_NOMEM. */
int ds_sitelines_add(ds_sitelines *s, const char *z, size_t n);

/*
** Count the lines of the file zPath: its first and last DS_SITELINES_PEEK bytes only, so
** a file of any size costs the same. DS_OK, DS_IO (cannot read: e names the file) or
** DS_NOMEM.
*/
int ds_sitelines_add_file(ds_sitelines *s, const char *zPath, ds_error *e);

/*
** A first look at many files at once, before any is read whole: whether each can be a
** document, and the lines a site would count. ds_sitelines_peek_files looks at the files
** azPath[0..n) on nJobs threads (the caller's among them; aFlags[i] says what to judge
** of file i, NULL: DS_PEEK_LINES for all) and fills aOut[i]; then ds_sitelines_add_peek
** counts a file into a site's set as ds_sitelines_add_file would (the same bytes read,
** the same lines kept). Returns DS_OK, DS_NOMEM or DS_INTERRUPTED (Ctrl-C, ds.h).
*/
#define DS_PEEK_HEAD 8192          /* bytes judged for DS_PEEK_EMPTY and DS_PEEK_BINARY */

#define DS_PEEK_NUL 1              /* flag: a NUL byte makes it binary (not for PDF) */
#define DS_PEEK_LINES 2            /* flag: hash its lines for a site's set */

#define DS_PEEK_OK 0
#define DS_PEEK_EMPTY 1            /* nothing but white space in its first DS_PEEK_HEAD bytes */
#define DS_PEEK_BINARY 2           /* a NUL byte there (DS_PEEK_NUL; UTF-16 with a BOM is not) */
#define DS_PEEK_UNREAD 3           /* cannot be opened or read */

typedef struct ds_filepeek {
  int why;                               /* DS_PEEK_OK .. DS_PEEK_UNREAD */
  unsigned nHash;                        /* lines hashed (DS_PEEK_LINES) */
  uint64_t aHash[2 * DS_SITELINES_ZONE];
} ds_filepeek;

int ds_sitelines_peek_files(const char *const *azPath, const unsigned char *aFlags, size_t n,
                            int nJobs, ds_filepeek *aOut);
int ds_sitelines_add_peek(ds_sitelines *s, const ds_filepeek *p);

/* Keep the lines of at least minDocs documents and minShare (0..1) of all; no more adds. */
void ds_sitelines_finish(ds_sitelines *s, size_t minDocs, double minShare);

/* In how many documents the line z[0..n) was found, if it was kept; else 0. */
size_t ds_sitelines_count(const ds_sitelines *s, const char *z, size_t n);

/* Documents counted. */
size_t ds_sitelines_ndocs(const ds_sitelines *s);

#endif
