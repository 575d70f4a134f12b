/*
** ds_hash.h -- SHA-256 of a document's raw bytes (Nettle): how the store knows a
** document it holds already; and a fast 64-bit hash (ds_hash64) for tables and checks
** that need no cryptography.
*/
#ifndef DS_HASH_H
#define DS_HASH_H

#include "ds.h"

#include <string.h>

/* Length of a SHA-256 in hex, without its NUL. */
#define DS_SHA256_HEX 64

/* The SHA-256 of z[0..n) in hex, into zHex[65]. DS_OK, or DS_IO when Nettle cannot be
   loaded (it is loaded at the first call, ds_dynlib.h). */
int ds_sha256_hex(const char *z, size_t n, char *zHex, ds_error *e);

/* The SHA-256 (hex, zHex[65]) and size of the file zPath, read a block at a time. */
int ds_sha256_file(const char *zPath, char *zHex, uint64_t *pnBytes, ds_error *e);

/*
** A 64-bit hash of p[0..n), 8 bytes at a time (the last word padded with zeros, the
** length in the seed): a multiplication per word, not per byte. Not cryptographic: it
** tells damaged or different bytes apart, no adversary's. The site lines' table and
** the Lua loader's bytecode cache use it.
*/
static inline uint64_t ds_hash64(const void *p, size_t n) {
  const unsigned char *z = p;
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    memcpy(&w, z + j, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  if (j < n) {
    w = 0;
    memcpy(&w, z + j, n - j);
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

#endif
