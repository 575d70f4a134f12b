/*
** ds_hash.h -- SHA-256 of a document's raw bytes (nettle): how the store knows a
** document it holds already.
*/
#ifndef DS_HASH_H
#define DS_HASH_H

#include "ds.h"

/* Length of a SHA-256 in hex, without its NUL. */
#define DS_SHA256_HEX 64

/* The SHA-256 of z[0..n) in hex, into zHex[65]. */
void ds_sha256_hex(const char *z, size_t n, char *zHex);

/* The SHA-256 (hex, zHex[65]) and size of the file zPath, read a block at a time. */
int ds_sha256_file(const char *zPath, char *zHex, uint64_t *pnBytes, ds_error *e);

#endif
