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

/* Keep the lines of at least minDocs documents and minShare (0..1) of all; no more adds. */
void ds_sitelines_finish(ds_sitelines *s, size_t minDocs, double minShare);

/* In how many documents the line z[0..n) was found, if it was kept; else 0. */
size_t ds_sitelines_count(const ds_sitelines *s, const char *z, size_t n);

/* Documents counted. */
size_t ds_sitelines_ndocs(const ds_sitelines *s);

#endif
