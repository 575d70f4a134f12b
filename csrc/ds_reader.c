/*
** ds_reader.c -- file reading and the plain-text reader (see ds_reader.h).
*/
#include "ds_reader.h"
#include "ds_buf.h"
#include "ds_utf8.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int ds_read_file(const char *zPath, char **pz, size_t *pn, ds_error *e) {
  struct stat st;
  FILE *f;
  char *z;
  *pz = NULL;
  *pn = 0;
  if (stat(zPath, &st) != 0)
    return ds_error_set(e, DS_IO, -1, "%s: %s", zPath, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return ds_error_set(e, DS_IO, -1, "%s: is a directory", zPath);
  f = fopen(zPath, "rb");
  if (!f) return ds_error_set(e, DS_IO, -1, "%s: %s", zPath, strerror(errno));
  ds_buf b = DS_BUF_INIT;
  if (S_ISREG(st.st_mode)) ds_buf_reserve(&b, (size_t)st.st_size + 1);
  for (;;) {
    if (ds_buf_reserve(&b, 1 << 16)) break;
    size_t got = fread(b.p + b.n, 1, b.cap - b.n - 1, f);
    b.n += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (b.rc) {
    ds_buf_free(&b);
    return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory reading the file", zPath);
  }
  if (bad) {
    ds_buf_free(&b);
    return ds_error_set(e, DS_IO, -1, "%s: read error", zPath);
  }
  z = (char *)b.p;
  if (!z) z = ds_malloc(1);
  if (!z) return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zPath);
  z[b.n] = '\0';
  *pz = z;
  *pn = b.n;
  return DS_OK;
}

/* 1-based line and column (in bytes) of byte offset `off`. */
static void line_col(const char *z, size_t off, size_t *pLine, size_t *pCol) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < off; i++) {
    if (z[i] == '\n') { line++; col = 1; }
    else col++;
  }
  *pLine = line;
  *pCol = col;
}

/* Is the line z[a..b) empty or only spaces and tabs? */
static int blank(const char *z, size_t a, size_t b) {
  for (size_t i = a; i < b; i++)
    if (z[i] != ' ' && z[i] != '\t' && z[i] != '\f' && z[i] != '\v') return 0;
  return 1;
}

/* Split d->zText into paragraphs at blank lines. */
static int split_paragraphs(ds_doc *d) {
  const char *z = d->zText;
  size_t n = d->nText, i = 0, start = 0, end = 0;
  int inPara = 0;
  while (i < n) {
    size_t eol = i;
    while (eol < n && z[eol] != '\n') eol++;
    if (blank(z, i, eol)) {
      if (inPara && ds_doc_add_para(d, (uint32_t)start, (uint32_t)end)) return DS_NOMEM;
      inPara = 0;
    } else {
      if (!inPara) start = i;
      inPara = 1;
      end = eol;
    }
    i = eol + 1;
  }
  if (inPara && ds_doc_add_para(d, (uint32_t)start, (uint32_t)end)) return DS_NOMEM;
  return DS_OK;
}

int ds_read_text(const char *z, size_t n, const char *zName, ds_doc *d, ds_error *e) {
  const char *nul = memchr(z, '\0', n);
  if (!zName) zName = "<text>";
  if (nul)
    return ds_error_set(e, DS_FORMAT, nul - z, "%s: binary file (NUL byte at byte %zu)",
                        zName, (size_t)(nul - z));
  if (n > DS_MAX_DOC_BYTES)
    return ds_error_set(e, DS_FORMAT, -1, "%s: larger than the %u-byte document limit",
                        zName, DS_MAX_DOC_BYTES);
  int64_t bad = ds_utf8_check(z, n);
  if (bad >= 0) {
    size_t line, col;
    line_col(z, (size_t)bad, &line, &col);
    return ds_error_set(e, DS_UTF8, bad,
                        "%s: invalid UTF-8 at byte %lld (line %zu, column %zu)", zName,
                        (long long)bad, line, col);
  }
  if (n >= 3 && memcmp(z, "\xEF\xBB\xBF", 3) == 0) {
    z += 3;
    n -= 3;
  }
  /* line ends to LF */
  ds_buf lf = DS_BUF_INIT, out = DS_BUF_INIT;
  const char *cr = memchr(z, '\r', n);
  if (cr) {
    for (size_t i = 0; i < n; i++) {
      if (z[i] != '\r') ds_buf_putc(&lf, z[i]);
      else if (i + 1 >= n || z[i + 1] != '\n') ds_buf_putc(&lf, '\n');
    }
    z = (const char *)lf.p;
    n = lf.n;
  }
  int rc = lf.rc ? lf.rc : ds_utf8_nfc(z, n, &out);
  ds_buf_free(&lf);
  if (rc == DS_OK) ds_buf_putc(&out, '\0');
  if (rc || out.rc) {
    ds_buf_free(&out);
    return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
  }
  ds_free(d->zText);
  d->zText = (char *)out.p;
  d->nText = out.n - 1;
  if (split_paragraphs(d)) return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
  return DS_OK;
}
