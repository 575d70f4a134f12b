/*
** ds_store_postlists.c -- the postings of the read API (ds_store.h): a value's whole list
** (ds_corpus_postings), posting cursors with seek over the blobs of every segment, and a
** reader's cache of long lists for the next cursors on the same values.
*/
#include "ds_storeInt.h"
#include "ds_postings.h"

#include <string.h>

/* ====================== a value's postings, whole ====================== */

int ds_corpus_postings(ds_corpus *c, int attr, uint32_t id, int64_t **pa, size_t *pn,
                       ds_error *e) {
  *pa = NULL;
  *pn = 0;
  if (!ds_corpus_indexed(c, attr, id)) return DS_NOTFOUND;
  sqlite3_stmt *st = ds_store_cached(c, ST_POSTINGS, e);
  size_t nAlloc = 0;
  int rc = DS_OK, src;
  if (!st) return DS_SQL;
  sqlite3_bind_int(st, 1, attr);
  sqlite3_bind_int64(st, 2, id);
  while (rc == DS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    size_t nBefore = *pn;
    const unsigned char *pData = sqlite3_column_blob(st, 1);
    rc = ds_postings_decode(pData, (size_t)sqlite3_column_bytes(st, 1), pa, pn, &nAlloc);
    if (rc == DS_OK && nBefore > 0 && *pn > nBefore && (*pa)[nBefore] <= (*pa)[nBefore - 1])
      rc = DS_CORRUPT;
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read postings");
  sqlite3_reset(st);
  if (rc == DS_CORRUPT)
    ds_error_set(e, rc, -1, "%s: corrupt postings for %s id %u", c->zPath, ds_attr_name(attr), id);
  else if (rc == DS_NOMEM)
    ds_store_nomem(e);
  if (rc) {
    ds_free(*pa);
    *pa = NULL;
    *pn = 0;
  }
  return rc;
}

/* ====================== posting cursors ====================== */

struct ds_cursor {
  ds_postlist *pList;         /* the blobs it reads, its own or shared with the reader's cache */
  size_t iBlob;               /* the one being read */
  ds_postcur cur;             /* the reading position in blob iBlob */
  int64_t last;               /* the last position handed out (-1 before the first) */
  int bDone;
};

static void postlist_free(ds_postlist *l) {
  if (!l) return;
  ds_free(l->p);
  ds_free(l->aEnd);
  ds_free(l);
}

/* A cursor is done with list l (its own, or a cached one it shared). */
static void postlist_release(ds_postlist *l) {
  if (l && --l->nRef <= 0 && (l->bOrphan || l->lastUse == 0)) postlist_free(l);
}

/* The cached list of (attr, id) with one more reader, or NULL. */
static ds_postlist *postcache_get(ds_corpus *c, int attr, uint32_t id) {
  for (int i = 0; i < DS_POSTCACHE_SLOTS; i++) {
    ds_postlist *l = c->aPostCache[i];
    if (l && l->attr == attr && l->id == id) {
      l->nRef++;
      l->lastUse = ++c->postTick;
      return l;
    }
  }
  return NULL;
}

/*
** Keep l (a reader's, long enough) for the next cursor: it takes a free slot, or the
** least recently used lists no cursor reads make room. Lists not kept have lastUse 0
** and go with their cursor.
*/
static void postcache_put(ds_corpus *c, ds_postlist *l) {
  if (!c->bReadonly || l->nBytes < DS_POSTCACHE_MIN || l->nBytes > DS_POSTCACHE_BYTES / 4) return;
  for (;;) {
    int iFree = -1, iOld = -1;
    for (int i = 0; i < DS_POSTCACHE_SLOTS; i++) {
      ds_postlist *m = c->aPostCache[i];
      if (!m) iFree = i;
      else if (m->nRef == 0 && (iOld < 0 || m->lastUse < c->aPostCache[iOld]->lastUse)) iOld = i;
    }
    if (iFree >= 0 && c->nPostCacheBytes + l->nBytes <= DS_POSTCACHE_BYTES) {
      c->aPostCache[iFree] = l;
      c->nPostCacheBytes += l->nBytes;
      l->lastUse = ++c->postTick;
      return;
    }
    if (iOld < 0) return;                  /* every kept list in use: this one is not kept */
    c->nPostCacheBytes -= c->aPostCache[iOld]->nBytes;
    postlist_free(c->aPostCache[iOld]);
    c->aPostCache[iOld] = NULL;
  }
}

void ds_store_postcache_clear(ds_corpus *c) {
  for (int i = 0; i < DS_POSTCACHE_SLOTS; i++) {
    ds_postlist *l = c->aPostCache[i];
    if (!l) continue;
    if (l->nRef > 0) l->bOrphan = 1;       /* its last cursor frees it */
    else postlist_free(l);
    c->aPostCache[i] = NULL;
  }
  c->nPostCacheBytes = 0;
}

/* Start reading blob i; DS_DONE past the last. */
static int cursor_enter(ds_cursor *k, size_t i) {
  const ds_postlist *l = k->pList;
  k->iBlob = i;
  if (i >= l->nBlob) return DS_DONE;
  size_t a = i ? l->aEnd[i - 1] : 0;
  return ds_postcur_init(&k->cur, l->p + a, l->aEnd[i] - a);
}

/* The blobs of (attr, id) in every segment, end to end, read from the store into *pl. */
static int read_postlist(ds_corpus *c, int attr, uint32_t id, ds_postlist **pl, ds_error *e) {
  sqlite3_stmt *st = ds_store_cached(c, ST_POSTINGS, e);
  if (!st) return DS_SQL;
  ds_postlist *l = ds_malloc(sizeof *l);
  ds_buf b = DS_BUF_INIT;
  int rc = l ? DS_OK : DS_NOMEM, src = SQLITE_DONE;
  size_t nAlloc = 0;
  if (l) {
    memset(l, 0, sizeof *l);
    l->attr = attr;
    l->id = id;
    l->nRef = 1;
  }
  sqlite3_bind_int(st, 1, attr);
  sqlite3_bind_int64(st, 2, id);
  while (rc == DS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t n = sqlite3_column_int64(st, 0);
    const void *p = sqlite3_column_blob(st, 1);
    size_t nb = (size_t)sqlite3_column_bytes(st, 1);
    if (n < 0 || !p) { rc = DS_CORRUPT; break; }
    if (l->nBlob == nAlloc) {
      size_t nNew = nAlloc ? 2 * nAlloc : 8;
      size_t *a = ds_realloc_n(l->aEnd, nNew, sizeof *a);
      if (!a) { rc = DS_NOMEM; break; }
      l->aEnd = a;
      nAlloc = nNew;
    }
    ds_buf_append(&b, p, nb);
    l->aEnd[l->nBlob++] = b.n;
    l->n += (uint64_t)n;
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read postings");
  sqlite3_reset(st);
  if (rc == DS_OK && b.rc) rc = DS_NOMEM;
  if (l) {
    l->p = b.p;                         /* taken over from the buffer */
    l->nBytes = b.n;
  } else {
    ds_buf_free(&b);
  }
  if (rc) {
    postlist_free(l);
    return rc;
  }
  *pl = l;
  return DS_OK;
}

int ds_corpus_cursor(ds_corpus *c, int attr, uint32_t id, ds_cursor **pk, ds_error *e) {
  *pk = NULL;
  if (!ds_attr_name(attr)) return ds_error_set(e, DS_MISUSE, -1, "no attribute %d", attr);
  if (!ds_corpus_indexed(c, attr, id)) return DS_NOTFOUND;
  ds_cursor *k = ds_malloc(sizeof *k);
  if (!k) return ds_store_nomem(e);
  memset(k, 0, sizeof *k);
  k->last = -1;
  int rc = DS_OK;
  k->pList = postcache_get(c, attr, id);
  if (!k->pList) {
    rc = read_postlist(c, attr, id, &k->pList, e);
    if (rc == DS_OK) postcache_put(c, k->pList);
  }
  if (rc == DS_OK) {
    int r = cursor_enter(k, 0);
    if (r == DS_DONE) k->bDone = 1;
    else if (r) rc = DS_CORRUPT;
  }
  if (rc == DS_CORRUPT)
    ds_error_set(e, rc, -1, "%s: corrupt postings for %s id %u", c->zPath, ds_attr_name(attr), id);
  else if (rc == DS_NOMEM)
    ds_store_nomem(e);
  if (rc) {
    ds_cursor_free(k);
    return rc;
  }
  *pk = k;
  return DS_OK;
}

int ds_corpus_postings_kept(const ds_corpus *c, int attr, uint32_t id) {
  for (int i = 0; i < DS_POSTCACHE_SLOTS; i++) {
    const ds_postlist *l = c->aPostCache[i];
    if (l && l->attr == attr && l->id == id) return 1;
  }
  return 0;
}

/* After blob iBlob's end: the next blob's first position, which must be past the last. */
static int cursor_advance(ds_cursor *k, int64_t target, int64_t *pPos) {
  for (;;) {
    int rc = cursor_enter(k, k->iBlob + 1);
    if (rc == DS_DONE) { k->bDone = 1; return DS_DONE; }
    if (rc) return rc;
    rc = target >= 0 ? ds_postcur_seek(&k->cur, target, pPos) : ds_postcur_next(&k->cur, pPos);
    if (rc == DS_DONE) continue;
    if (rc == DS_OK && *pPos <= k->last) return DS_CORRUPT;    /* segments overlap */
    return rc;
  }
}

int ds_cursor_next(ds_cursor *k, int64_t *pPos) {
  if (k->bDone) return DS_DONE;
  int rc = ds_postcur_next(&k->cur, pPos);
  if (rc == DS_DONE) rc = cursor_advance(k, -1, pPos);
  if (rc == DS_OK) k->last = *pPos;
  else if (rc == DS_DONE) k->bDone = 1;
  return rc;
}

int ds_cursor_seek(ds_cursor *k, int64_t target, int64_t *pPos) {
  if (k->bDone) return DS_DONE;
  if (target < 0) target = 0;
  if (k->last >= target) return ds_cursor_next(k, pPos);   /* already past it: the next */
  int rc = ds_postcur_seek(&k->cur, target, pPos);
  if (rc == DS_DONE) rc = cursor_advance(k, target, pPos);
  if (rc == DS_OK) k->last = *pPos;
  else if (rc == DS_DONE) k->bDone = 1;
  return rc;
}

uint64_t ds_cursor_count(const ds_cursor *k) { return k->pList->n; }

void ds_cursor_free(ds_cursor *k) {
  if (!k) return;
  postlist_release(k->pList);
  ds_free(k);
}
