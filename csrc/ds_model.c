/*
** ds_model.c -- model files: loading and checking the envelope, writing it (see
** ds_model.h).
*/
#include "ds_model.h"

#include <string.h>

uint64_t ds_model_checksum(const unsigned char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

static uint64_t get_u64(const unsigned char *p) {
  return (uint64_t)ds_get_u32(p) | (uint64_t)ds_get_u32(p + 4) << 32;
}

static void put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

int ds_model_has_empty_slot(const uint32_t *a, uint32_t nSlot, uint32_t stride) {
  for (uint32_t i = 0; i < nSlot; i++)
    if (a[(size_t)stride * i] == 0) return 1;
  return 0;
}

/*
** Check the envelope of m->pImage[0..nImage) in the order a reader learns most from:
** host, magic, size of the header, version, size of the body, checksum.
*/
static int check_envelope(ds_model *m, const char *zName, const ds_model_fmt *f, ds_error *e) {
  const unsigned char *p = m->pImage;
  size_t n = m->nImage;
  uint32_t one = 1;
  if (*(const unsigned char *)&one != 1)
    return ds_error_set(e, DS_FORMAT, -1, "%s: a %s needs a little-endian host", zName, f->zWhat);
  if (n < 8 || memcmp(p, f->zMagic, 8) != 0)
    return ds_error_set(e, DS_FORMAT, -1, "%s: not a dossier %s (bad magic)", zName, f->zWhat);
  if (n < f->nHeader)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: truncated %s (%zu bytes)", zName, f->zWhat, n);
  uint32_t ver = ds_get_u32(p + 8);
  if (ver != f->version)
    return ds_error_set(e, ver > f->version ? DS_VERSION_MISMATCH : DS_CORRUPT, -1,
                        "%s: %s format %u, this build reads %u", zName, f->zWhat, ver, f->version);
  uint64_t nBody = get_u64(p + f->nHeader - 16);
  if (nBody != n - f->nHeader)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: truncated %s (%zu of %llu bytes)", zName, f->zWhat,
                        n, (unsigned long long)(nBody + f->nHeader));
  if (ds_model_checksum(p + f->nHeader, n - f->nHeader) != get_u64(p + f->nHeader - 8))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: %s checksum mismatch", zName, f->zWhat);
  m->pBody = p + f->nHeader;
  m->nBody = n - f->nHeader;
  return DS_OK;
}

/* Take the block img[0..n) (ds_malloc'd) as the image of *m and check it. */
static int adopt(unsigned char *img, size_t n, const char *zName, const ds_model_fmt *f,
                 ds_model *m, ds_error *e) {
  m->pImage = img;
  m->nImage = n;
  int rc = check_envelope(m, zName, f, e);
  if (rc) ds_model_free(m);
  return rc;
}

int ds_model_load(const char *zPath, const ds_model_fmt *f, ds_model *m, ds_error *e) {
  char *img;
  size_t n;
  memset(m, 0, sizeof *m);
  int rc = ds_read_file(zPath, &img, &n, e);
  if (rc) return rc;
  return adopt((unsigned char *)img, n, zPath, f, m, e);
}

int ds_model_load_mem(const void *p, size_t n, const char *zName, const ds_model_fmt *f,
                      ds_model *m, ds_error *e) {
  memset(m, 0, sizeof *m);
  unsigned char *img = ds_malloc(n ? n : 1);
  if (!img) return ds_error_set(e, DS_NOMEM, -1, "out of memory loading %s", zName);
  if (n) memcpy(img, p, n);
  return adopt(img, n, zName, f, m, e);
}

void ds_model_free(ds_model *m) {
  ds_free(m->pImage);
  memset(m, 0, sizeof *m);
}

void ds_model_begin(ds_buf *b, const ds_model_fmt *f, const uint32_t *aField, size_t nField) {
  ds_buf_reset(b);
  ds_buf_append(b, f->zMagic, 8);
  ds_buf_put_u32(b, f->version);
  for (size_t i = 0; i < nField; i++) ds_buf_put_u32(b, aField[i]);
  while (b->rc == DS_OK && b->n < f->nHeader) ds_buf_putc(b, 0);   /* reserved, size, sum */
}

void ds_model_seal(unsigned char *p, size_t n, const ds_model_fmt *f) {
  put_u64(p + f->nHeader - 16, n - f->nHeader);
  put_u64(p + f->nHeader - 8, ds_model_checksum(p + f->nHeader, n - f->nHeader));
}
