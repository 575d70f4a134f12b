/*
** ds_lines.c -- line-oriented data files: lines, fields, errors naming file and line
** (see ds_lines.h).
*/
#include "ds_lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ds_lines_open(ds_lines *r, const char *zPath, ds_error *e) {
  memset(r, 0, sizeof *r);
  r->zPath = zPath;
  return ds_read_file(zPath, &r->z, &r->n, e);
}

int ds_lines_next(ds_lines *r) {
  while (r->z && r->iNext < r->n) {
    size_t i = r->iNext, j = i, end;
    while (j < r->n && r->z[j] != '\n') j++;
    r->iNext = j + 1;
    r->iLine++;
    end = j;
    if (end > i && r->z[end - 1] == '\r') end--;
    if (end == i || r->z[i] == '#') continue;
    r->z[end] = '\0';           /* z[n] is the NUL ds_read_file leaves */
    r->zLine = r->z + i;
    r->nLine = end - i;
    return 1;
  }
  return 0;
}

size_t ds_lines_fields(const ds_lines *r, char sep, ds_field *a, size_t nMax) {
  char *z = r->zLine, *zEnd = r->zLine + r->nLine;
  size_t k = 0;
  while (k + 1 < nMax) {
    char *p = memchr(z, sep, (size_t)(zEnd - z));
    if (!p) break;
    a[k++] = (ds_field){z, (size_t)(p - z)};
    z = p + 1;
  }
  if (k < nMax) a[k++] = (ds_field){z, (size_t)(zEnd - z)};
  return k;
}

int ds_lines_error(const ds_lines *r, ds_error *e, int code, const char *zFmt, ...) {
  char zMsg[400];
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zMsg, sizeof zMsg, zFmt, ap);
  va_end(ap);
  return ds_error_set(e, code, -1, "%s:%zu: %s", r->zPath, r->iLine, zMsg);
}

char *ds_lines_take(ds_lines *r) {
  char *z = r->z;
  r->z = NULL;
  ds_lines_close(r);
  return z;
}

void ds_lines_close(ds_lines *r) {
  ds_free(r->z);
  r->z = NULL;
  r->zLine = NULL;
  r->n = r->nLine = r->iNext = 0;
}
