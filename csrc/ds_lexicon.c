/*
** ds_lexicon.c -- segment-time lexicon map and postings (see ds_lexicon.h).
*/
#include "ds_lexicon.h"

#include <string.h>

/* A multiply-xorshift hash, eight bytes at a time. */
static uint32_t hash_str(const char *z, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15u ^ (uint64_t)n;
  for (; n >= 8; z += 8, n -= 8) {
    uint64_t v;
    memcpy(&v, z, 8);
    h = (h ^ v) * 0xff51afd7ed558ccdu;
    h ^= h >> 32;
  }
  if (n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)(unsigned char)z[i] << (8 * i);
    h = (h ^ v) * 0xc4ceb9fe1a85ec53u;
  }
  h ^= h >> 29;
  return (uint32_t)(h ^ (h >> 32));
}

/* A slot holds the hash beside the entry index + 1, so most misses touch no entry. */
#define SLOT(h, k) ((uint64_t)(h) << 32 | (uint64_t)((k) + 1))

void ds_lexmap_init(ds_lexmap *m) { memset(m, 0, sizeof *m); }

void ds_lexmap_clear(ds_lexmap *m) {
  for (size_t i = 0; i < m->nEnt; i++) ds_lexent_drop_postings(&m->aEnt[i]);
  m->nEnt = 0;
  if (m->aFront) memset(m->aFront, 0, DS_LEXFRONT_SLOTS * sizeof *m->aFront);
  if (m->aSlot) memset(m->aSlot, 0, m->nSlot * sizeof *m->aSlot);
  ds_buf_reset(&m->arena);
}

void ds_lexmap_free(ds_lexmap *m) {
  for (size_t i = 0; i < m->nEnt; i++) ds_lexent_drop_postings(&m->aEnt[i]);
  ds_free(m->aFront);                     /* (freed as they are: no clearing first) */
  ds_free(m->aEnt);
  ds_free(m->aSlot);
  ds_buf_free(&m->arena);
  memset(m, 0, sizeof *m);
}

static void front_put(ds_lexmap *m, uint32_t h, const char *z, size_t n, size_t k) {
  if (!m->aFront || n > sizeof m->aFront->key) return;
  ds_lexfront *f = &m->aFront[(h ^ (h >> 16)) & (DS_LEXFRONT_SLOTS - 1)];
  f->hash = h;
  f->idx = (uint32_t)(k + 1);
  f->len = (uint8_t)n;
  memcpy(f->key, z, n);
}

ds_lexent *ds_lexmap_find(ds_lexmap *m, const char *z, size_t n) {
  if (!m->nSlot) return NULL;
  uint32_t h = hash_str(z, n);
  if (m->aFront) {
    const ds_lexfront *f = &m->aFront[(h ^ (h >> 16)) & (DS_LEXFRONT_SLOTS - 1)];
    if (f->idx && f->hash == h && f->len == n && memcmp(f->key, z, n) == 0) return &m->aEnt[f->idx - 1];
  }
  for (size_t i = h & (m->nSlot - 1);; i = (i + 1) & (m->nSlot - 1)) {
    uint64_t s = m->aSlot[i];
    if (!s) return NULL;
    if ((uint32_t)(s >> 32) != h) continue;
    ds_lexent *e = &m->aEnt[(uint32_t)s - 1];
    if (e->len == n && memcmp(m->arena.p + e->off, z, n) == 0) {
      front_put(m, h, z, n, (uint32_t)s - 1);
      return e;
    }
  }
}

static int rehash(ds_lexmap *m, size_t nSlot) {
  uint64_t *a = ds_malloc_n(nSlot, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a, 0, nSlot * sizeof *a);
  for (size_t k = 0; k < m->nEnt; k++) {
    size_t i = m->aEnt[k].hash & (nSlot - 1);
    while (a[i]) i = (i + 1) & (nSlot - 1);
    a[i] = SLOT(m->aEnt[k].hash, k);
  }
  ds_free(m->aSlot);
  m->aSlot = a;
  m->nSlot = nSlot;
  return DS_OK;
}

/* Entries a map holds before it takes a front cache: a small map (a document's lines or
   words, made and freed per document) is quick enough without, and 32 KiB to clear
   cost it more than its lookups. */
#define FRONT_AFTER 256

ds_lexent *ds_lexmap_add(ds_lexmap *m, const char *z, size_t n, uint32_t id, int isNew) {
  if (!m->aFront && m->nEnt >= FRONT_AFTER) {  /* without it (no memory) lookups go to the table */
    m->aFront = ds_malloc_n(DS_LEXFRONT_SLOTS, sizeof *m->aFront);
    if (m->aFront) memset(m->aFront, 0, DS_LEXFRONT_SLOTS * sizeof *m->aFront);
  }
  if ((m->nEnt + 1) * 2 > m->nSlot && rehash(m, m->nSlot ? m->nSlot * 2 : 64)) return NULL;
  if (m->nEnt == m->nEntAlloc) {
    size_t nNew = m->nEntAlloc ? m->nEntAlloc * 2 : 64;
    ds_lexent *a = ds_realloc_n(m->aEnt, nNew, sizeof *a);
    if (!a) return NULL;
    m->aEnt = a;
    m->nEntAlloc = nNew;
  }
  size_t off = m->arena.n;
  ds_buf_append(&m->arena, z, n);
  ds_buf_putc(&m->arena, 0);
  if (m->arena.rc) return NULL;
  ds_lexent *e = &m->aEnt[m->nEnt];
  memset(e, 0, sizeof *e);
  e->id = id;
  e->hash = hash_str(z, n);
  e->off = off;
  e->len = (uint32_t)n;
  e->isNew = isNew;
  e->lastPos = -1;
  m->nEnt++;
  size_t i = e->hash & (m->nSlot - 1);
  while (m->aSlot[i]) i = (i + 1) & (m->nSlot - 1);
  m->aSlot[i] = SLOT(e->hash, m->nEnt - 1);
  return e;
}

void ds_lexent_drop_postings(ds_lexent *e) {
  ds_buf_free(&e->post);
  if (e->pSkip) ds_buf_free(&e->pSkip->b);
  ds_free(e->pSkip);
  e->pSkip = NULL;
  e->nPost = 0;
  e->lastPos = -1;
}

int ds_lexent_skip(ds_lexent *e, int64_t pos) {
  ds_skipacc *k = e->pSkip;
  if (!k) {
    /* the first skip entry: its base is the list's first position, its first delta - 1 */
    const unsigned char *p = e->post.p;
    uint64_t d;
    if (ds_get_varint(&p, e->post.p + e->post.n, &d)) return DS_CORRUPT;
    if (!(k = e->pSkip = ds_malloc(sizeof *k))) return DS_NOMEM;
    memset(k, 0, sizeof *k);
    k->prevPos = (int64_t)d - 1;
  }
  uint64_t off = e->post.n;
  ds_buf_put_varint(&k->b, (uint64_t)(pos - k->prevPos));
  ds_buf_put_varint(&k->b, off - k->prevOff);
  k->prevPos = pos;
  k->prevOff = off;
  return k->b.rc ? DS_NOMEM : DS_OK;
}
