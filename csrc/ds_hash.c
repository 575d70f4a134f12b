/*
** ds_hash.c -- SHA-256 of bytes in memory or of a file (see ds_hash.h).
*/
#include "ds_hash.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <string.h>
#include <unistd.h>

static void to_hex(struct sha256_ctx *ctx, char *zHex) {
  uint8_t dig[SHA256_DIGEST_SIZE];
  sha256_digest(ctx, SHA256_DIGEST_SIZE, dig);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
    zHex[2 * i] = "0123456789abcdef"[dig[i] >> 4];
    zHex[2 * i + 1] = "0123456789abcdef"[dig[i] & 15];
  }
  zHex[2 * SHA256_DIGEST_SIZE] = 0;
}

void ds_sha256_hex(const char *z, size_t n, char *zHex) {
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, n, (const uint8_t *)z);
  to_hex(&ctx, zHex);
}

static int io_error(ds_error *e, const char *zName) {
  return ds_error_set(e, DS_IO, -1, "%s: cannot read: %s", zName, strerror(errno));
}

int ds_sha256_file(const char *zPath, char *zHex, uint64_t *pnBytes, ds_error *e) {
  int fd = open(zPath, O_RDONLY);
  if (fd < 0) return io_error(e, zPath);
  struct sha256_ctx ctx;
  unsigned char *blk = ds_malloc(1 << 16);
  if (!blk) {
    close(fd);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  sha256_init(&ctx);
  uint64_t n = 0;
  ssize_t got;
  while ((got = read(fd, blk, 1 << 16)) > 0 || (got < 0 && errno == EINTR)) {
    if (got < 0) continue;
    sha256_update(&ctx, (size_t)got, blk);
    n += (uint64_t)got;
  }
  int rc = got < 0 ? io_error(e, zPath) : DS_OK;
  close(fd);
  ds_free(blk);
  if (rc) return rc;
  to_hex(&ctx, zHex);
  *pnBytes = n;
  return DS_OK;
}
