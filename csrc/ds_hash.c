/*
** ds_hash.c -- SHA-256 of bytes in memory or of a file (see ds_hash.h), with Nettle
** loaded at the first one (ds_dynlib.h): a process that adds nothing never loads it.
*/
#include "ds_hash.h"
#include "ds_dynlib.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <string.h>
#include <unistd.h>

#ifndef DS_SONAME_NETTLE
#define DS_SONAME_NETTLE "libnettle.so.8"
#endif

/* (sha2.h names the functions nettle_sha256_*, through macros) */
#define NETTLE_SYMS(X) X(nettle_sha256_init) X(nettle_sha256_update) X(nettle_sha256_digest)

static struct {
#define NETTLE_FIELD(f) __typeof__(&f) f;
  NETTLE_SYMS(NETTLE_FIELD)
#undef NETTLE_FIELD
} nt;

static const char *const azNettleFile[] = {DS_SONAME_NETTLE, "libnettle.so", NULL};
#define NETTLE_NAME(f) #f,
static const char *const azNettleSym[] = {NETTLE_SYMS(NETTLE_NAME) NULL};
#undef NETTLE_NAME
#define NETTLE_SLOT(f) (void **)&nt.f,
static void **const apNettleSlot[] = {NETTLE_SYMS(NETTLE_SLOT)};
#undef NETTLE_SLOT
static ds_dynlib nettle = {azNettleFile, azNettleSym, apNettleSlot, 0, ""};

/* the calls below go through the table */
#define nettle_sha256_init nt.nettle_sha256_init
#define nettle_sha256_update nt.nettle_sha256_update
#define nettle_sha256_digest nt.nettle_sha256_digest

static int nettle_ready(ds_error *e) {
  if (!ds_dynlib_load(&nettle)) return DS_OK;
  return ds_error_set(e, DS_IO, -1, "SHA-256 cannot be computed: Nettle cannot be loaded: %s", nettle.zErr);
}

static void to_hex(struct sha256_ctx *ctx, char *zHex) {
  uint8_t dig[SHA256_DIGEST_SIZE];
  sha256_digest(ctx, SHA256_DIGEST_SIZE, dig);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
    zHex[2 * i] = "0123456789abcdef"[dig[i] >> 4];
    zHex[2 * i + 1] = "0123456789abcdef"[dig[i] & 15];
  }
  zHex[2 * SHA256_DIGEST_SIZE] = 0;
}

int ds_sha256_hex(const char *z, size_t n, char *zHex, ds_error *e) {
  if (nettle_ready(e)) return DS_IO;
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, n, (const uint8_t *)z);
  to_hex(&ctx, zHex);
  return DS_OK;
}

static int io_error(ds_error *e, const char *zName) {
  return ds_error_set(e, DS_IO, -1, "%s: cannot read: %s", zName, strerror(errno));
}

int ds_sha256_file(const char *zPath, char *zHex, uint64_t *pnBytes, ds_error *e) {
  if (nettle_ready(e)) return DS_IO;
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
