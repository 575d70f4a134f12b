/*
** ds_buf.h -- a growable byte buffer and LEB128 varints.
**
** Errors chain: once an append fails for lack of memory, `rc` holds DS_NOMEM and every
** later append on the buffer does nothing, so a writer checks once at the end.
*/
#ifndef DS_BUF_H
#define DS_BUF_H

#include "ds.h"

#include <string.h>

typedef struct ds_buf {
  unsigned char *p;   /* bytes (owned; ds_buf_free releases) */
  size_t n;           /* bytes in use */
  size_t cap;         /* bytes allocated */
  int rc;             /* DS_OK, or DS_NOMEM after a failed append */
} ds_buf;

#define DS_BUF_INIT {NULL, 0, 0, DS_OK}

void ds_buf_free(ds_buf *b);
void ds_buf_reset(ds_buf *b);                     /* n = 0, keeps memory */
int ds_buf_reserve(ds_buf *b, size_t extra);      /* room for `extra` more bytes */
void ds_buf_append(ds_buf *b, const void *p, size_t n);
void ds_buf_putc(ds_buf *b, int c);
void ds_buf_puts(ds_buf *b, const char *z);
void ds_buf_printf(ds_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
void ds_buf_put_varint(ds_buf *b, uint64_t v);
void ds_buf_put_u32(ds_buf *b, uint32_t v);       /* little-endian */
/* Append z[0..n) on one line: line breaks and tabs become spaces (concordances, snippets). */
void ds_buf_put_flat(ds_buf *b, const char *z, size_t n);

/*
** Read a varint at *pp (not past `end`). Returns 0 on success and advances *pp; returns
** -1 on a truncated or over-long varint (corrupt data).
*/
int ds_get_varint(const unsigned char **pp, const unsigned char *end, uint64_t *pv);

static inline uint32_t ds_get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Are a[0..n) and b[0..n) the same bytes? Inline, for the short keys of hot loops (a
   word, a type's key), where a call to memcmp costs more than the comparison: whole
   words, the last one overlapping the one before, so no loop runs byte by byte. */
static inline int ds_same_bytes(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  if (n >= 8) {
    uint64_t x, y;
    for (; n > 8; p += 8, q += 8, n -= 8) {
      memcpy(&x, p, 8);
      memcpy(&y, q, 8);
      if (x != y) return 0;
    }
    memcpy(&x, p + n - 8, 8);
    memcpy(&y, q + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x0, y0, x1, y1;
    memcpy(&x0, p, 4);
    memcpy(&y0, q, 4);
    memcpy(&x1, p + n - 4, 4);
    memcpy(&y1, q + n - 4, 4);
    return x0 == y0 && x1 == y1;
  }
  for (; n > 0; n--)
    if (*p++ != *q++) return 0;
  return 1;
}

#endif
