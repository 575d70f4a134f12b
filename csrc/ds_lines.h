/*
** ds_lines.h -- reading a line-oriented data file: word lists, abbreviation and
** exception lists, furniture phrases, gazetteers.
**
** The file is read whole (ds_read_file) into a buffer the reader owns. ds_lines_next
** steps over its lines: LF ends a line, a CR before it is dropped (CRLF files read the
** same), the last line needs no LF. Empty lines and lines whose first byte is `#` are
** skipped (a line of spaces is not empty: the caller decides). Lines are numbered from 1
** counting every line, so that ds_lines_error names the line of the file a person sees:
** `corpus/lexicon/en-words.txt:12: a word must be lower-case letters`.
**
**   ds_lines r;
**   if (ds_lines_open(&r, zPath, &e)) return e.code;           -- DS_IO, DS_NOMEM
**   while (rc == DS_OK && ds_lines_next(&r)) {
**     ds_field a[2];
**     if (ds_lines_fields(&r, '\t', a, 2) < 2) rc = ds_lines_error(&r, &e, DS_FORMAT, "no tab");
**     ... a[0].z, a[0].n ...
**   }
**   ds_lines_close(&r);
*/
#ifndef DS_LINES_H
#define DS_LINES_H

#include "ds.h"

typedef struct ds_lines {
  const char *zPath;    /* the file, named in errors (not owned: keep it while reading) */
  char *z;              /* its bytes, NUL after them (owned, see ds_lines_take) */
  size_t n;
  size_t iNext;         /* offset of the next line */
  size_t iLine;         /* number of the current line, 1-based (0 before the first) */
  char *zLine;          /* the current line, in z, NUL-terminated (its LF or CR becomes NUL) */
  size_t nLine;         /* its length */
} ds_lines;

/* One field of a line: bytes of the line buffer, not NUL-terminated. */
typedef struct ds_field {
  char *z;
  size_t n;
} ds_field;

/* Read zPath. Errors (DS_IO, DS_NOMEM) name the file; r is then closed. */
int ds_lines_open(ds_lines *r, const char *zPath, ds_error *e);

/* Step to the next line that is neither empty nor a comment: 1, or 0 at the end. */
int ds_lines_next(ds_lines *r);

/*
** Split the current line at each `sep` into at most nMax fields (the last one takes the
** rest of the line, separators and all); returns how many were written. A line without
** `sep` is one field.
*/
size_t ds_lines_fields(const ds_lines *r, char sep, ds_field *a, size_t nMax);

/* Set e to `file:line: ` and the message; returns code. */
int ds_lines_error(const ds_lines *r, ds_error *e, int code, const char *zFmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

/* Hand the buffer (r->z, n bytes + NUL) to the caller, who frees it with ds_free: lines
   and fields returned so far stay valid in it. The reader is closed. */
char *ds_lines_take(ds_lines *r);

/* Free the buffer. Safe to call twice, and after ds_lines_take. */
void ds_lines_close(ds_lines *r);

#endif
