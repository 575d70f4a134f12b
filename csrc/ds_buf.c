/*
** ds_buf.c -- growable byte buffer and varints (see ds_buf.h).
*/
#include "ds_buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void ds_buf_free(ds_buf *b) {
  ds_free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
  b->rc = DS_OK;
}

void ds_buf_reset(ds_buf *b) { b->n = 0; }

int ds_buf_reserve(ds_buf *b, size_t extra) {
  if (b->rc) return b->rc;
  if (extra > SIZE_MAX / 2 - b->n) return b->rc = DS_NOMEM;   /* the sum or its doubling would wrap */
  if (b->n + extra > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    unsigned char *p;
    while (cap < b->n + extra) cap *= 2;
    p = ds_realloc(b->p, cap);
    if (!p) return b->rc = DS_NOMEM;
    b->p = p;
    b->cap = cap;
  }
  return DS_OK;
}

void ds_buf_append(ds_buf *b, const void *p, size_t n) {
  if (n == 0 || ds_buf_reserve(b, n)) return;
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

void ds_buf_putc(ds_buf *b, int c) {
  if (ds_buf_reserve(b, 1)) return;
  b->p[b->n++] = (unsigned char)c;
}

void ds_buf_puts(ds_buf *b, const char *z) { ds_buf_append(b, z, strlen(z)); }

void ds_buf_printf(ds_buf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || ds_buf_reserve(b, (size_t)n + 1)) return;
  va_start(ap, fmt);
  vsnprintf((char *)b->p + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

void ds_buf_put_varint(ds_buf *b, uint64_t v) {
  unsigned char tmp[10];
  size_t n = 0;
  do {
    unsigned char c = v & 0x7f;
    v >>= 7;
    tmp[n++] = c | (v ? 0x80 : 0);
  } while (v);
  ds_buf_append(b, tmp, n);
}

void ds_buf_put_u32(ds_buf *b, uint32_t v) {
  unsigned char tmp[4];
  tmp[0] = v & 0xff;
  tmp[1] = (v >> 8) & 0xff;
  tmp[2] = (v >> 16) & 0xff;
  tmp[3] = (v >> 24) & 0xff;
  ds_buf_append(b, tmp, 4);
}

int ds_get_varint(const unsigned char **pp, const unsigned char *end, uint64_t *pv) {
  const unsigned char *p = *pp;
  uint64_t v = 0;
  int shift = 0;
  while (p < end && shift < 64) {
    unsigned char c = *p++;
    v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *pp = p;
      *pv = v;
      return 0;
    }
    shift += 7;
  }
  return -1;
}

void ds_buf_put_flat(ds_buf *b, const char *z, size_t n) {
  if (ds_buf_reserve(b, n)) return;
  for (size_t i = 0; i < n; i++) {
    char ch = z[i];
    b->p[b->n++] = (unsigned char)((ch == '\n' || ch == '\t' || ch == '\r') ? ' ' : ch);
  }
}
