/*
** ds_strmap.h -- a map from strings to 32-bit values that is built once and then only
** read: the word lists, exception lists and (later) gazetteers that worker threads share.
**
** Two phases. While it is built (ds_strmap_put), a map belongs to one thread. Once built,
** it is never written again: ds_strmap_get and ds_strmap_has touch nothing but reads (no
** cache, no counters), so any number of threads may look up in one map at once without a
** lock, as long as nobody puts or frees. A map that one thread writes while it reads (a
** segment's lexicon) is ds_lexmap (ds_lexicon.h), which caches on lookup.
**
**   ds_strmap m = DS_STRMAP_INIT;
**   if (ds_strmap_put(&m, "goose", 5, 0) != DS_OK) ...;       -- one thread, building
**   ... share &m (as const) with workers: ds_strmap_has(&m, "goose", 5) ...
**   ds_strmap_free(&m);                                        -- after the workers
**
** The map owns copies of its strings. Keys are any bytes (NUL too), of any length.
*/
#ifndef DS_STRMAP_H
#define DS_STRMAP_H

#include "ds.h"
#include "ds_buf.h"

typedef struct ds_strmap {
  uint64_t *aSlot;      /* open addressing, linear probing: hash << 32 | entry's arena
                           offset / 8 + 1; 0 empty */
  size_t nSlot;         /* power of two, at least twice nEnt (0 before the first put) */
  size_t nEnt;          /* keys */
  ds_buf arena;         /* entries, 8-byte aligned: u32 length, u32 value, the key's bytes */
} ds_strmap;

#define DS_STRMAP_INIT {NULL, 0, 0, DS_BUF_INIT}

void ds_strmap_init(ds_strmap *m);

/* Free what the map holds (it is empty and reusable afterwards). Safe on an empty map. */
void ds_strmap_free(ds_strmap *m);

/*
** Building: map z[0..n) to v; a key already there keeps its first value (its entry is
** not duplicated). DS_OK, or DS_NOMEM (the map is unchanged). Not thread-safe.
*/
int ds_strmap_put(ds_strmap *m, const char *z, size_t n, uint32_t v);

/* Reading: 1 and *pv (may be NULL) set when z[0..n) is a key, else 0. Thread-safe. */
int ds_strmap_get(const ds_strmap *m, const char *z, size_t n, uint32_t *pv);

/*
** Reading n keys at once: av[i] is the value of az[i][0..an[i]), or vMiss. The probes'
** cache misses overlap (each key's slot, entry and bytes are asked for ahead of use),
** which counts once a map outgrows the caches. Thread-safe.
*/
void ds_strmap_get_many(const ds_strmap *m, const char *const *az, const size_t *an, size_t n,
                        uint32_t *av, uint32_t vMiss);

/* Is z[0..n) a key? Thread-safe. */
static inline int ds_strmap_has(const ds_strmap *m, const char *z, size_t n) {
  return ds_strmap_get(m, z, n, NULL);
}

/* Number of keys. */
static inline size_t ds_strmap_count(const ds_strmap *m) { return m->nEnt; }

#endif
