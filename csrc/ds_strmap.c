/*
** ds_strmap.c -- the build-once, read-only string map (see ds_strmap.h).
**
** An entry is a record in the arena, 8-byte aligned: u32 key length, u32 value, the key's
** bytes. The slot table holds each entry's hash beside its place in the arena (in units
** of 8 bytes), so that a probe compares keys only when the hashes agree and goes from the
** slot to the key with no table between. Lookups read the table and the arena and write
** nothing.
*/
#include "ds_strmap.h"

#include <string.h>

/* 64-bit multiply-xorshift over eight bytes at a time, folded to 32 bits. */
static uint32_t hash_key(const char *z, size_t n) {
  uint64_t h = 0x243F6A8885A308D3u + (uint64_t)n * 0x9E3779B97F4A7C15u;
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, z, 8);
    h = (h ^ v) * 0xD6E8FEB86659FD93u;
    h ^= h >> 32;
    z += 8;
    n -= 8;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= (uint64_t)(unsigned char)z[i] << (8 * i);
  h = (h ^ v) * 0xD6E8FEB86659FD93u;
  h ^= h >> 29;
  h *= 0x9E3779B97F4A7C15u;
  return (uint32_t)(h >> 32);
}

/* A slot: the hash, and the entry's arena offset / 8 + 1 (0: empty). */
#define SLOT(h, off) ((uint64_t)(h) << 32 | (uint64_t)((off) / 8 + 1))
#define SLOT_OFF(s) ((size_t)((uint32_t)(s) - 1) * 8)

void ds_strmap_init(ds_strmap *m) {
  memset(m, 0, sizeof *m);
}

void ds_strmap_free(ds_strmap *m) {
  ds_free(m->aSlot);
  ds_buf_free(&m->arena);
  memset(m, 0, sizeof *m);
}

/* Does the entry at arena offset off hold the key z[0..n)? Its value goes to *pv when it does. */
static int entry_is(const ds_strmap *m, size_t off, const char *z, size_t n, uint32_t *pv) {
  const unsigned char *p = m->arena.p + off;
  uint32_t len;
  memcpy(&len, p, 4);
  if (len != n || !ds_same_bytes(p + 8, z, n)) return 0;
  if (pv) memcpy(pv, p + 4, 4);
  return 1;
}

int ds_strmap_get(const ds_strmap *m, const char *z, size_t n, uint32_t *pv) {
  if (!m->nSlot) return 0;
  uint32_t h = hash_key(z, n);
  size_t mask = m->nSlot - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint64_t s = m->aSlot[i];
    if (!s) return 0;
    if ((uint32_t)(s >> 32) == h && entry_is(m, SLOT_OFF(s), z, n, pv)) return 1;
  }
}


/* Keys between the stages of ds_strmap_get_many (a ring of 4 * MANY_AHEAD keys). */
#define MANY_AHEAD 8

/*
** Three stages, MANY_AHEAD keys apart: hash a key and ask for its slot; find the first
** slot with its hash and ask for the entry; compare. A slot whose hash agrees but whose
** key does not (rare) is settled by ds_strmap_get.
*/
void ds_strmap_get_many(const ds_strmap *m, const char *const *az, const size_t *an, size_t n,
                        uint32_t *av, uint32_t vMiss) {
  enum { RING = 4 * MANY_AHEAD };
  uint32_t aHash[RING], aCand[RING];   /* a key's hash; its candidate's slot value (0: none) */
  if (!m->nSlot) {
    for (size_t i = 0; i < n; i++) av[i] = vMiss;
    return;
  }
  size_t mask = m->nSlot - 1;
  for (size_t s = 0; s < n + 2 * MANY_AHEAD; s++) {
    if (s < n) {
      uint32_t h = hash_key(az[s], an[s]);
      aHash[s % RING] = h;
      DS_PREFETCH(&m->aSlot[h & mask]);
    }
    if (s >= MANY_AHEAD && s - MANY_AHEAD < n) {
      size_t j = s - MANY_AHEAD;
      uint32_t h = aHash[j % RING], cand = 0;
      for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t x = m->aSlot[i];
        if (!x) break;
        if ((uint32_t)(x >> 32) == h) {
          cand = (uint32_t)x;
          DS_PREFETCH(m->arena.p + SLOT_OFF(x));
          break;
        }
      }
      aCand[j % RING] = cand;
    }
    if (s >= 2 * MANY_AHEAD) {
      size_t j = s - 2 * MANY_AHEAD;
      uint32_t cand = aCand[j % RING];
      if (!cand) av[j] = vMiss;
      else if (!entry_is(m, SLOT_OFF(cand), az[j], an[j], &av[j]) && !ds_strmap_get(m, az[j], an[j], &av[j]))
        av[j] = vMiss;
    }
  }
}

/* Grow the slot table to nSlot (a power of two) and place every entry again. */
static int rehash(ds_strmap *m, size_t nSlot) {
  uint64_t *a = ds_malloc_n(nSlot, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a, 0, nSlot * sizeof *a);
  for (size_t i = 0; i < m->nSlot; i++) {
    uint64_t s = m->aSlot[i];
    if (!s) continue;
    size_t j = (uint32_t)(s >> 32) & (nSlot - 1);
    while (a[j]) j = (j + 1) & (nSlot - 1);
    a[j] = s;
  }
  ds_free(m->aSlot);
  m->aSlot = a;
  m->nSlot = nSlot;
  return DS_OK;
}

int ds_strmap_put(ds_strmap *m, const char *z, size_t n, uint32_t v) {
  size_t off = (m->arena.n + 7) & ~(size_t)7;     /* entries start 8-byte aligned */
  /* the slot holds off / 8 + 1 in 32 bits: an arena of up to 32 GiB */
  if (n > UINT32_MAX || m->nEnt >= UINT32_MAX - 1 || off / 8 >= UINT32_MAX - 1) return DS_NOMEM;
  if (ds_strmap_get(m, z, n, NULL)) return DS_OK;
  if ((m->nEnt + 1) * 2 > m->nSlot && rehash(m, m->nSlot ? m->nSlot * 2 : 64)) return DS_NOMEM;
  size_t nOld = m->arena.n;
  static const unsigned char aZero[8] = {0};
  uint32_t len = (uint32_t)n;
  ds_buf_append(&m->arena, aZero, off - nOld);
  ds_buf_append(&m->arena, &len, 4);
  ds_buf_append(&m->arena, &v, 4);
  ds_buf_append(&m->arena, z, n);
  if (m->arena.rc) {
    m->arena.n = nOld;            /* the map as it was (a later put may work) */
    m->arena.rc = DS_OK;
    return DS_NOMEM;
  }
  uint32_t h = hash_key(z, n);
  size_t i = h & (m->nSlot - 1);
  while (m->aSlot[i]) i = (i + 1) & (m->nSlot - 1);
  m->aSlot[i] = SLOT(h, off);
  m->nEnt++;
  return DS_OK;
}
