/*
** ds_lexicon.h -- the in-memory side of one positional attribute's lexicon while a
** segment is being written: string -> id (append-only ids shared with the stored
** lexicon), the frequency each id gains in this segment, and its new postings.
**
** One thread only: even ds_lexmap_find writes (it caches the key it found in the front
** cache), so a map may not be shared between threads, not even to read. The store's
** writer keeps its maps on the writer's thread (ds_ingest.h); the other users keep one
** per call or per thread (a document's words in ds_clean.c, a worker's lemma memo in
** ds_annotate.c). A string set that threads share is a ds_strmap (ds_strmap.h).
*/
#ifndef DS_LEXICON_H
#define DS_LEXICON_H

#include "ds_buf.h"
#include "ds_postings.h"

/*
** The skip entries of a posting list as it grows (ds_postings.h's layout), kept for lists
** past one block only: writing the segment then joins header, skips and deltas without
** reading the deltas again.
*/
typedef struct ds_skipacc {
  ds_buf b;             /* the skip entries so far */
  int64_t prevPos;      /* position of the last entry (entry 0: the first posting) */
  uint64_t prevOff;     /* its data offset */
} ds_skipacc;

typedef struct ds_lexent {
  uint32_t id;          /* lexicon id (global per attribute) */
  uint32_t hash;        /* hash of the string */
  size_t off;           /* string at arena + off */
  uint32_t len;         /* string length in bytes */
  int isNew;            /* not yet in the stored lexicon */
  uint64_t nAdded;      /* occurrences added in this segment */
  uint64_t nPost;       /* of which in `post` */
  int64_t lastPos;      /* last corpus position appended to `post` */
  ds_buf post;          /* postings of this segment: varint deltas of cpos */
  ds_skipacc *pSkip;    /* their skip entries, once past DS_POST_BLOCK (else NULL) */
} ds_lexent;

/* A slot of the front cache: a recently found short key, inline. */
typedef struct ds_lexfront {
  uint32_t hash;
  uint32_t idx;         /* entry index + 1 (0: empty) */
  uint8_t len;
  char key[23];
} ds_lexfront;

#define DS_LEXFRONT_SLOTS 1024

typedef struct ds_lexmap {
  ds_lexfront *aFront;  /* DS_LEXFRONT_SLOTS slots, direct-mapped by hash: the frequent
                           keys answer from cache-resident memory (allocated on first add) */
  ds_lexent *aEnt;      /* entries, in insertion order */
  size_t nEnt, nEntAlloc;
  uint64_t *aSlot;      /* open addressing: hash << 32 | entry index + 1 (0 = empty) */
  size_t nSlot;         /* power of two */
  ds_buf arena;         /* string bytes */
} ds_lexmap;

void ds_lexmap_init(ds_lexmap *m);
void ds_lexmap_free(ds_lexmap *m);

/* Forget every entry (after a rollback: ids handed out are void). */
void ds_lexmap_clear(ds_lexmap *m);

/* The entry for z[0..n), or NULL. Writes the front cache: not for a shared map. */
ds_lexent *ds_lexmap_find(ds_lexmap *m, const char *z, size_t n);

/* Add z[0..n) with id (it must not be present). Returns the entry, or NULL (no memory). */
ds_lexent *ds_lexmap_add(ds_lexmap *m, const char *z, size_t n, uint32_t id, int isNew);

/* Add the skip entry of posting nPost - 1 of e, at pos (ds_lexent_occur's rare case). */
int ds_lexent_skip(ds_lexent *e, int64_t pos);

/* Forget e's postings (written out, or void). */
void ds_lexent_drop_postings(ds_lexent *e);

/* Record an occurrence of e at corpus position pos (positions must increase). */
static inline int ds_lexent_occur(ds_lexent *e, int64_t pos) {
  /* the first delta of a segment is relative to -1, so it is pos + 1 */
  uint64_t v = (uint64_t)(pos - e->lastPos);
  ds_buf *b = &e->post;
  if (b->cap - b->n < 10 && ds_buf_reserve(b, 10)) return DS_NOMEM;
  unsigned char *p = b->p + b->n;
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  b->n = (size_t)(p - b->p);
  e->lastPos = pos;
  e->nAdded++;
  /* every DS_POST_BLOCK postings after the first, a skip entry */
  if ((e->nPost++ & (DS_POST_BLOCK - 1)) == 0 && e->nPost > 1) return ds_lexent_skip(e, pos);
  return DS_OK;
}

/* Count an occurrence of e without a posting (values that are not indexed, as `_`). */
static inline void ds_lexent_count(ds_lexent *e) { e->nAdded++; }

/* The string of an entry. */
static inline const char *ds_lexent_str(const ds_lexmap *m, const ds_lexent *e) {
  return (const char *)m->arena.p + e->off;
}

#endif
