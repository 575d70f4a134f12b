/*
** ds_ttype.c -- token types (see ds_ttype.h).
*/
#include "ds_ttype.h"

#include <string.h>

static uint32_t hash_ids(const uint32_t *a) {
  uint64_t h = 0x9E3779B97F4A7C15u;
  for (int k = 0; k < DS_NATTR; k++) {
    if (k == DS_ATTR_NORM) continue;
    h = (h ^ a[k]) * 0xff51afd7ed558ccdu;
    h ^= h >> 29;
  }
  return (uint32_t)(h ^ (h >> 32));
}

static int same_key(const uint32_t *a, const uint32_t *b) {
  return a[DS_ATTR_WORD] == b[DS_ATTR_WORD] && a[DS_ATTR_LEMMA] == b[DS_ATTR_LEMMA] &&
         a[DS_ATTR_POS] == b[DS_ATTR_POS] && a[DS_ATTR_XPOS] == b[DS_ATTR_XPOS];
}

void ds_ttypes_free(ds_ttypes *t) {
  ds_free(t->aAttr);
  ds_free(t->aSlot);
  memset(t, 0, sizeof *t);
}

static void slot_put(uint32_t *aSlot, size_t nSlot, const uint32_t *aId, uint32_t type) {
  size_t i = hash_ids(aId) & (nSlot - 1);
  while (aSlot[i]) i = (i + 1) & (nSlot - 1);
  aSlot[i] = type + 1;
}

static int rehash(ds_ttypes *t, size_t nSlot) {
  uint32_t *a = ds_malloc_n(nSlot, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a, 0, nSlot * sizeof *a);
  for (size_t k = 0; k < t->n; k++) slot_put(a, nSlot, t->aAttr + k * DS_NATTR, (uint32_t)k);
  ds_free(t->aSlot);
  t->aSlot = a;
  t->nSlot = nSlot;
  return DS_OK;
}

int ds_ttypes_add(ds_ttypes *t, const uint32_t aId[DS_NATTR], uint32_t *pType) {
  if (t->n >= UINT32_MAX - 1) return DS_LIMIT;
  if ((t->n + 1) * 2 > t->nSlot && rehash(t, t->nSlot ? t->nSlot * 2 : 1024)) return DS_NOMEM;
  if (t->n == t->nAlloc) {
    size_t nNew = t->nAlloc ? t->nAlloc * 2 : 1024;
    uint32_t *a = ds_realloc_n(t->aAttr, nNew * DS_NATTR, sizeof *a);
    if (!a) return DS_NOMEM;
    t->aAttr = a;
    t->nAlloc = nNew;
  }
  memcpy(t->aAttr + t->n * DS_NATTR, aId, DS_NATTR * sizeof *aId);
  slot_put(t->aSlot, t->nSlot, aId, (uint32_t)t->n);
  *pType = (uint32_t)t->n++;
  return DS_OK;
}

int64_t ds_ttypes_find(const ds_ttypes *t, const uint32_t aId[DS_NATTR]) {
  if (!t->nSlot) return -1;
  for (size_t i = hash_ids(aId) & (t->nSlot - 1);; i = (i + 1) & (t->nSlot - 1)) {
    uint32_t s = t->aSlot[i];
    if (!s) return -1;
    if (same_key(t->aAttr + (size_t)(s - 1) * DS_NATTR, aId)) return (int64_t)(s - 1);
  }
}

void ds_ttypes_truncate(ds_ttypes *t, size_t n) {
  if (n >= t->n) return;
  t->n = n;
  if (t->nSlot) {
    memset(t->aSlot, 0, t->nSlot * sizeof *t->aSlot);
    for (size_t k = 0; k < t->n; k++) slot_put(t->aSlot, t->nSlot, t->aAttr + k * DS_NATTR, (uint32_t)k);
  }
}
