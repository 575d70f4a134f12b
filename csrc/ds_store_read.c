/*
** ds_store_read.c -- the read API (ds_store.h): token types and strings loaded for
** reading, lexicon lookup and scan, windows of a document's tokens and text, spans,
** document metadata (the postings: ds_store_postlists.c).
*/
#include "ds_storeInt.h"

#include <string.h>

/* ====================== token types and strings, for reading ====================== */

/* Load every stored token type into c->tt (once). */
int ds_store_load_types(ds_corpus *c, ds_error *e) {
  if (c->bTypesLoaded) return DS_OK;
  ds_ttypes_truncate(&c->tt, 0);
  sqlite3_stmt *st = ds_store_prep(c, "SELECT first, n, data FROM types ORDER BY first", e);
  if (!st) return DS_SQL;
  int rc = DS_OK, src;
  while (rc == DS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t first = sqlite3_column_int64(st, 0), n = sqlite3_column_int64(st, 1);
    const unsigned char *p = sqlite3_column_blob(st, 2);
    const unsigned char *end = p ? p + sqlite3_column_bytes(st, 2) : NULL;
    if (first != (int64_t)c->tt.n || n < 0 || n > UINT32_MAX || !p) {
      rc = DS_CORRUPT;
      break;
    }
    for (int64_t i = 0; i < n && rc == DS_OK; i++) {
      uint32_t aId[DS_NATTR], type;
      for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) {
        uint64_t v;
        if (ds_get_varint(&p, end, &v) || v >= UINT32_MAX) rc = DS_CORRUPT;
        else aId[a] = (uint32_t)v;
      }
      if (rc == DS_OK) rc = ds_ttypes_add(&c->tt, aId, &type);
    }
    if (rc == DS_OK && p != end) rc = DS_CORRUPT;
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read token types");
  sqlite3_finalize(st);
  if (rc == DS_CORRUPT) rc = ds_error_set(e, rc, -1, "%s: the token types are corrupt", c->zPath);
  else if (rc == DS_NOMEM) ds_store_nomem(e);
  else if (rc == DS_LIMIT) rc = ds_error_set(e, rc, -1, "%s: too many token types", c->zPath);
  if (rc) {
    ds_ttypes_truncate(&c->tt, 0);
    return rc;
  }
  c->bTypesLoaded = 1;
  return DS_OK;
}

/* Load strings by id from zSql (rows: id, string) into t. */
static int load_strtab(ds_corpus *c, strtab *t, const char *zSql, ds_error *e) {
  if (t->bLoaded) return DS_OK;
  sqlite3_stmt *st = ds_store_prep(c, zSql, e);
  if (!st) return DS_SQL;
  ds_buf_reset(&t->arena);
  t->n = 0;
  int rc = DS_OK, src;
  size_t nAlloc = 0;
  while (rc == DS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(st, 0);
    const void *z = sqlite3_column_blob(st, 1);
    size_t n = (size_t)sqlite3_column_bytes(st, 1);
    if (id < (int64_t)t->n || id >= UINT32_MAX) { rc = DS_CORRUPT; break; }
    if ((size_t)id + 2 > nAlloc) {
      size_t nNew = nAlloc ? nAlloc * 2 : 1024;
      while (nNew < (size_t)id + 2) nNew *= 2;
      uint32_t *a = ds_realloc_n(t->aOff, nNew, sizeof *a);
      if (!a) { rc = DS_NOMEM; break; }
      t->aOff = a;
      nAlloc = nNew;
    }
    if (t->n == 0) t->aOff[0] = 0;
    while (t->n < (size_t)id) t->aOff[++t->n] = (uint32_t)t->arena.n;   /* ids without a row */
    if (t->arena.n + n >= UINT32_MAX) { rc = DS_LIMIT; break; }
    ds_buf_append(&t->arena, z, n);
    t->aOff[++t->n] = (uint32_t)t->arena.n;
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read strings");
  sqlite3_finalize(st);
  if (rc == DS_OK && t->arena.rc) rc = DS_NOMEM;
  if (rc == DS_CORRUPT) return ds_error_set(e, rc, -1, "%s: the lexicon is corrupt", c->zPath);
  if (rc == DS_NOMEM) return ds_store_nomem(e);
  if (rc == DS_LIMIT) return ds_error_set(e, rc, -1, "%s: lexicon too large", c->zPath);
  if (rc) return rc;
  t->bLoaded = 1;
  return DS_OK;
}

static int strtab_get(const strtab *t, uint64_t id, const char **pz, size_t *pn) {
  if (id >= t->n) return DS_CORRUPT;
  *pz = (const char *)t->arena.p + t->aOff[id];
  *pn = t->aOff[id + 1] - t->aOff[id];
  return DS_OK;
}

int ds_corpus_indexed(ds_corpus *c, int attr, uint32_t id) {
  if (attr < DS_ATTR_LEMMA) return 1;
  if (c->aBlank[attr] == -2) {
    uint32_t bid;
    int64_t freq;
    c->aBlank[attr] = ds_corpus_lookup(c, attr, "_", 1, &bid, &freq, NULL) == DS_OK ? (int64_t)bid : -1;
  }
  return c->aBlank[attr] != (int64_t)id;
}

void ds_store_strtab_free(strtab *t) {
  ds_buf_free(&t->arena);
  ds_free(t->aOff);
  memset(t, 0, sizeof *t);
}

int ds_corpus_doc_meta(ds_corpus *c, int64_t docId,
                       int (*xMeta)(void *ctx, const char *zKey, const char *zVal),
                       void *ctx, ds_error *e) {
  sqlite3_stmt *st = ds_store_prep(c, "SELECT key, value FROM doc_meta WHERE doc=?1 ORDER BY key", e);
  int rc = DS_OK, src;
  if (!st) return DS_SQL;
  sqlite3_bind_int64(st, 1, docId);
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    const char *zKey = (const char *)sqlite3_column_text(st, 0);
    const char *zVal = (const char *)sqlite3_column_text(st, 1);
    if (!zKey) continue;                  /* a damaged row: no key, nothing to say */
    if (xMeta(ctx, zKey, zVal ? zVal : "")) {
      rc = DS_DONE;
      break;
    }
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read metadata");
  sqlite3_finalize(st);
  return rc;
}

int ds_corpus_lookup(ds_corpus *c, int attr, const char *z, size_t n, uint32_t *pId,
                     int64_t *pFreq, ds_error *e) {
  sqlite3_stmt *st = ds_store_cached(c, ST_LOOKUP, e);
  if (!st) return DS_SQL;
  sqlite3_bind_int(st, 1, attr);
  sqlite3_bind_text(st, 2, z, (int)n, SQLITE_STATIC);
  int src = sqlite3_step(st), rc = DS_NOTFOUND;
  if (src == SQLITE_ROW) {
    *pId = (uint32_t)sqlite3_column_int64(st, 0);
    *pFreq = sqlite3_column_int64(st, 1);
    rc = DS_OK;
  } else if (src != SQLITE_DONE) {
    rc = ds_store_sql_error(c, e, "read lexicon");
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

/* What a window needs loaded: the token types, and with bText the words and the gaps. */
static int load_for_window(ds_corpus *c, int bText, ds_error *e) {
  int rc = ds_store_load_types(c, e);
  if (rc == DS_OK && bText) rc = load_strtab(c, &c->words, "SELECT id, str FROM lexicon WHERE attr=0 ORDER BY id", e);
  if (rc == DS_OK && bText) rc = load_strtab(c, &c->gaps, "SELECT id, str FROM gaps ORDER BY id", e);
  return rc;
}

/* Make room for n types and (when bText) n offset pairs in the window arrays. */
static int window_room(ds_corpus *c, size_t n, int bText) {
  if (n > c->nTypesAlloc) {
    size_t nNew = c->nTypesAlloc ? c->nTypesAlloc : 1024;
    while (nNew < n) nNew *= 2;
    uint32_t *a = ds_realloc_n(c->aTypes, nNew, sizeof *a);
    if (!a) return DS_NOMEM;
    c->aTypes = a;
    c->nTypesAlloc = nNew;
  }
  if (bText && 2 * n > c->nOffAlloc) {
    size_t nNew = c->nOffAlloc ? c->nOffAlloc : 2048;
    while (nNew < 2 * n) nNew *= 2;
    uint32_t *a = ds_realloc_n(c->aOff, nNew, sizeof *a);
    if (!a) return DS_NOMEM;
    c->aOff = a;
    c->nOffAlloc = nNew;
  }
  return DS_OK;
}

/* Decode token types i0..i1-1 of `width` bits from p[0..nb) into aOut[0..i1-i0). */
static int unpack_types(const ds_corpus *c, const unsigned char *p, size_t nb, int width, size_t i0,
                        size_t i1, uint32_t *aOut) {
  uint64_t mask = width == 32 ? 0xFFFFFFFFu : ((uint64_t)1 << width) - 1;
  for (size_t i = i0; i < i1; i++) {
    size_t bit = i * (size_t)width, byte = bit >> 3;
    uint64_t v = 0;
    for (size_t b = 0; b < 5 && byte + b < nb; b++) v |= (uint64_t)p[byte + b] << (8 * b);
    uint32_t t = (uint32_t)((v >> (bit & 7)) & mask);
    if (t >= c->tt.n) return DS_CORRUPT;
    aOut[i - i0] = t;
  }
  return DS_OK;
}

/* ds_buf_append for the short strings of put_text: bytes copied inline when they fit. */
static inline void put_bytes(ds_buf *b, const char *z, size_t n) {
  if (n == 0) return;
  if (b->rc == DS_OK && n <= b->cap - b->n && n <= 16) {
    unsigned char *d = b->p + b->n;
    for (size_t i = 0; i < n; i++) d[i] = (unsigned char)z[i];
    b->n += n;
  } else {
    ds_buf_append(b, z, n);
  }
}

/*
** Append to b the white space of gaps g0..g1 (2-bit codes at w, code 3 a varint read at
** *px) and the words of the tokens between them (types aType[0..g1-g0)), with each
** token's offsets in b at aOff[0..2(g1-g0)).
*/
/* Append the white space of gap g (2-bit codes at w, code 3 a varint read at *px). */
static inline int put_gap(ds_corpus *c, const unsigned char *w, const unsigned char **px,
                          const unsigned char *end, size_t g, ds_buf *b) {
  uint64_t gap = (w[g >> 2] >> (2 * (g & 3))) & 3;
  if (gap == 3) {
    if (ds_get_varint(px, end, &gap) || gap > UINT32_MAX) return DS_CORRUPT;
    gap += 3;
  }
  const char *z;
  size_t nz;
  if (strtab_get(&c->gaps, gap, &z, &nz)) return DS_CORRUPT;
  put_bytes(b, z, nz);
  return DS_OK;
}

static int put_text(ds_corpus *c, const unsigned char *w, const unsigned char **px, const unsigned char *end,
                    size_t g0, size_t g1, const uint32_t *aType, ds_buf *b, uint32_t *aOff) {
  /* the words a batch at a time, each step over the whole batch before the next: the
     lookups (type -> word id -> string) mostly miss the cache, and done token by token
     each waits for the one before; side by side they overlap */
  enum { BATCH = 32 };
  const uint32_t *aAttr = c->tt.aAttr + DS_ATTR_WORD;
  for (size_t g = g0;;) {
    size_t nb = g1 - g < BATCH ? g1 - g : BATCH;
    uint32_t aWord[BATCH];
    const char *az[BATCH];
    size_t an[BATCH];
    for (size_t k = 0; k < nb; k++) aWord[k] = aAttr[(size_t)aType[g - g0 + k] * DS_NATTR];
    for (size_t k = 0; k < nb; k++) {
      if (strtab_get(&c->words, aWord[k], &az[k], &an[k])) return DS_CORRUPT;
      DS_PREFETCH(az[k]);
    }
    for (size_t k = 0; k < nb; k++, g++) {
      if (put_gap(c, w, px, end, g, b) || b->n + an[k] > UINT32_MAX) return DS_CORRUPT;
      aOff[2 * (g - g0)] = (uint32_t)b->n;
      put_bytes(b, az[k], an[k]);
      aOff[2 * (g - g0) + 1] = (uint32_t)b->n;
    }
    if (g == g1) return put_gap(c, w, px, end, g, b);
  }
}

/*
** Append the text of a part of n tokens (types at c->aTypes + at) from its white space
** p[0..nb) to c->text, with the offsets of its tokens.
*/
static int rebuild_text(ds_corpus *c, const unsigned char *p, size_t nb, size_t n, size_t at) {
  size_t nCodes = n / 4 + 1;
  if (!p || nb < nCodes) return DS_CORRUPT;
  const unsigned char *x = p + nCodes, *end = p + nb;
  if (put_text(c, p, &x, end, 0, n, c->aTypes + at, &c->text, c->aOff + 2 * at)) return DS_CORRUPT;
  return x == end ? DS_OK : DS_CORRUPT;
}

/*
** Load the parts of document k that hold its tokens [t0, t1) into the window: their
** token types, and with bText their text and token offsets. A document of one part is
** one row; a large one is read a part at a time, never all of it unless asked.
*/
int ds_store_load_window(ds_corpus *c, int64_t k, int64_t t0, int64_t t1, int bText, ds_error *e) {
  if (c->streamDoc == k && t0 >= c->streamFirst && t1 <= c->streamFirst + (int64_t)c->streamN &&
      (c->bText || !bText))
    return DS_OK;
  int rc = load_for_window(c, bText, e);
  if (rc) return rc;
  const ds_docinfo *d = &c->aDoc[k];
  sqlite3_stmt *st = ds_store_cached(c, ST_PARTS, e);
  if (!st) return DS_SQL;
  sqlite3_bind_int64(st, 1, d->id);
  sqlite3_bind_int64(st, 2, t0);
  sqlite3_bind_int64(st, 3, t1);
  c->streamDoc = -1;
  c->bText = 0;
  ds_buf_reset(&c->text);
  int64_t first0 = -1, next = -1;
  size_t nWin = 0;
  int src;
  while (rc == DS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t first = sqlite3_column_int64(st, 0), n = sqlite3_column_int64(st, 1);
    int width = sqlite3_column_int(st, 2);
    const unsigned char *p = sqlite3_column_blob(st, 3);
    size_t nb = (size_t)sqlite3_column_bytes(st, 3);
    /* parts are contiguous and inside the document */
    if ((next >= 0 ? first != next : first > t0) || n < 1 || n > d->nTok - first || width < 1 ||
        width > 32 || !p || nb != ((size_t)n * (size_t)width + 7) / 8) {
      rc = DS_DONE;
      break;
    }
    if (first0 < 0) first0 = first;
    if (window_room(c, nWin + (size_t)n, bText)) { rc = DS_NOMEM; break; }
    if (unpack_types(c, p, nb, width, 0, (size_t)n, c->aTypes + nWin)) { rc = DS_CORRUPT; break; }
    if (bText && rebuild_text(c, sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4),
                              (size_t)n, nWin)) {
      rc = DS_LIMIT;
      break;
    }
    nWin += (size_t)n;
    next = first + n;
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = DS_SQL;
  if (rc == DS_OK && (first0 < 0 || next < t1)) rc = DS_DONE;    /* tokens missing */
  sqlite3_reset(st);
  if (rc == DS_OK && c->text.rc) rc = DS_NOMEM;
  switch (rc) {
  case DS_OK: break;
  case DS_SQL: return ds_store_sql_error(c, e, "read tokens");
  case DS_NOMEM: return ds_store_nomem(e);
  case DS_CORRUPT:
    return ds_error_set(e, DS_CORRUPT, -1, "%s: token stream of %s holds an unknown token type",
                        c->zPath, d->zName);
  case DS_LIMIT:
    return ds_error_set(e, DS_CORRUPT, -1, "%s: the text of %s cannot be rebuilt (corrupt file)",
                        c->zPath, d->zName);
  default:
    return ds_error_set(e, DS_CORRUPT, -1, "%s: token stream of %s missing or of the wrong size",
                        c->zPath, d->zName);
  }
  c->streamDoc = k;
  c->streamFirst = first0;
  c->streamN = nWin;
  c->bText = bText;
  return DS_OK;
}

/* The token type of token t of document k (decoding it alone from its stored part). */
static int type_at(ds_corpus *c, int64_t k, int64_t t, uint32_t *pType, ds_error *e) {
  ds_window w;
  int rc = ds_corpus_window_exact(c, (size_t)k, t, t + 1, 0, &w, e);
  if (rc == DS_OK) *pType = w.aType[t - w.first];
  return rc;
}

int ds_corpus_id_at(ds_corpus *c, int attr, int64_t cpos, uint32_t *pId, ds_error *e) {
  int64_t k = ds_corpus_doc_at(c, cpos);
  if (k < 0) return ds_error_set(e, DS_MISUSE, -1, "corpus position %lld is in no document",
                                 (long long)cpos);
  uint32_t type;
  int rc = type_at(c, k, cpos - c->aDoc[k].cpos, &type, e);
  if (rc) return rc;
  *pId = ds_ttype_attr(&c->tt, type, attr);
  return DS_OK;
}

/* Rebuild document k's whole text and token offsets from its words and gaps. */
static int load_text(ds_corpus *c, int64_t k, ds_error *e) {
  return ds_store_load_window(c, k, 0, c->aDoc[k].nTok, 1, e);
}

int ds_corpus_text(ds_corpus *c, size_t k, const char **pz, size_t *pn, const uint32_t **paOff,
                   ds_error *e) {
  if (k >= c->nDoc) return ds_error_set(e, DS_MISUSE, -1, "no document %zu", k);
  int rc = load_text(c, (int64_t)k, e);
  if (rc) return rc;
  *pz = (const char *)c->text.p;
  *pn = c->text.n;
  *paOff = c->aOff;
  return DS_OK;
}

/* Step st (rows: id, string, frequency) calling xEach on each; finalizes st. */
static int each_lexicon_row(ds_corpus *c, sqlite3_stmt *st,
                            int (*xEach)(void *ctx, uint32_t id, const char *z, size_t n,
                                         int64_t freq),
                            void *ctx, ds_error *e) {
  int rc = DS_OK, src;
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    const char *z = (const char *)sqlite3_column_text(st, 1);
    if (!z) continue;                     /* a damaged row */
    if (xEach(ctx, (uint32_t)sqlite3_column_int64(st, 0), z, (size_t)sqlite3_column_bytes(st, 1),
              sqlite3_column_int64(st, 2))) {
      rc = DS_DONE;
      break;
    }
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read lexicon");
  sqlite3_finalize(st);
  return rc;
}

/* Load attr's lexicon into memory (once, until the corpus changes: forget_caches). */
static int load_lexicon(ds_corpus *c, int attr, ds_error *e) {
  if (c->abLexLoaded[attr]) return DS_OK;
  sqlite3_stmt *st = ds_store_prep(c, "SELECT id, str, freq FROM lexicon WHERE attr=?1 ORDER BY id", e);
  if (!st) return DS_SQL;
  sqlite3_bind_int(st, 1, attr);
  ds_buf *arena = &c->aLexArena[attr];
  ds_buf_reset(arena);
  size_t n = 0, nAlloc = 0;
  int rc = DS_OK, src;
  while (rc == DS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(st, 0);
    const char *z = (const char *)sqlite3_column_text(st, 1);
    size_t nz = (size_t)sqlite3_column_bytes(st, 1);
    if (!z) continue;                     /* a damaged row */
    if (id < (int64_t)n || id >= UINT32_MAX) { rc = DS_CORRUPT; break; }
    if ((size_t)id + 2 > nAlloc) {
      size_t nNew = nAlloc ? nAlloc * 2 : 1024;
      while (nNew < (size_t)id + 2) nNew *= 2;
      uint32_t *a = ds_realloc_n(c->aLexOff[attr], nNew, sizeof *a);
      if (a) c->aLexOff[attr] = a;
      int64_t *f = a ? ds_realloc_n(c->aLexFreq[attr], nNew, sizeof *f) : NULL;
      if (!f) { rc = DS_NOMEM; break; }
      c->aLexFreq[attr] = f;
      nAlloc = nNew;
    }
    while (n < (size_t)id) {              /* ids without a row */
      c->aLexOff[attr][n] = (uint32_t)arena->n;
      c->aLexFreq[attr][n++] = -1;
      ds_buf_putc(arena, 0);
    }
    if (arena->n + nz + 1 >= UINT32_MAX) { rc = DS_LIMIT; break; }
    c->aLexOff[attr][n] = (uint32_t)arena->n;
    c->aLexFreq[attr][n++] = sqlite3_column_int64(st, 2);
    ds_buf_append(arena, z, nz);
    ds_buf_putc(arena, 0);
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read lexicon");
  sqlite3_finalize(st);
  if (rc == DS_OK && n == nAlloc) {         /* room for the end offset (an empty lexicon) */
    uint32_t *a = ds_realloc_n(c->aLexOff[attr], n + 1, sizeof *a);
    if (!a) rc = DS_NOMEM;
    else c->aLexOff[attr] = a;
  }
  if (rc == DS_OK && arena->rc) rc = DS_NOMEM;
  if (rc == DS_OK) c->aLexOff[attr][n] = (uint32_t)arena->n;
  if (rc == DS_CORRUPT) return ds_error_set(e, rc, -1, "%s: the lexicon is corrupt", c->zPath);
  if (rc == DS_NOMEM) return ds_store_nomem(e);
  if (rc == DS_LIMIT) return ds_error_set(e, rc, -1, "%s: lexicon too large", c->zPath);
  if (rc) return rc;
  c->anLex[attr] = n;
  c->abLexLoaded[attr] = 1;
  return DS_OK;
}

int ds_corpus_lexicon_scan(ds_corpus *c, int attr,
                           int (*xEach)(void *ctx, uint32_t id, const char *z, size_t n,
                                        int64_t freq),
                           void *ctx, ds_error *e) {
  if (!ds_attr_name(attr)) return ds_error_set(e, DS_MISUSE, -1, "no attribute %d", attr);
  int rc = load_lexicon(c, attr, e);
  if (rc) return rc;
  const char *zArena = (const char *)c->aLexArena[attr].p;
  const uint32_t *aOff = c->aLexOff[attr];
  const int64_t *aFreq = c->aLexFreq[attr];
  for (size_t i = 0; i < c->anLex[attr]; i++) {
    if (aFreq[i] < 0) continue;
    if (xEach(ctx, (uint32_t)i, zArena + aOff[i], aOff[i + 1] - aOff[i] - 1, aFreq[i])) return DS_DONE;
  }
  return DS_OK;
}

int ds_corpus_type_values(ds_corpus *c, int byAttr, uint32_t byId, int attr,
                          int (*xEach)(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq),
                          void *ctx, ds_error *e) {
  if (!ds_attr_name(attr) || !ds_attr_name(byAttr)) return ds_error_set(e, DS_MISUSE, -1, "no such attribute");
  int rc = ds_store_load_types(c, e);
  if (rc) return rc;
  uint32_t *a = NULL;                         /* the values, each once (a few: forms of a norm) */
  size_t n = 0, nAlloc = 0;
  for (size_t t = 0; t < c->tt.n; t++) {
    if (ds_ttype_attr(&c->tt, (uint32_t)t, byAttr) != byId) continue;
    uint32_t id = ds_ttype_attr(&c->tt, (uint32_t)t, attr);
    size_t j = 0;
    while (j < n && a[j] != id) j++;
    if (j < n) continue;
    if (n == nAlloc) {
      size_t nNew = nAlloc ? 2 * nAlloc : 8;
      uint32_t *b = ds_realloc_n(a, nNew, sizeof *b);
      if (!b) {
        ds_free(a);
        return ds_store_nomem(e);
      }
      a = b, nAlloc = nNew;
    }
    a[n++] = id;
  }
  sqlite3_stmt *st = n ? ds_store_prep(c, "SELECT str, freq FROM lexicon WHERE attr=?1 AND id=?2", e) : NULL;
  if (n && !st) rc = DS_SQL;
  for (size_t j = 0; j < n && rc == DS_OK; j++) {
    sqlite3_bind_int(st, 1, attr);
    sqlite3_bind_int64(st, 2, a[j]);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
      const char *z = (const char *)sqlite3_column_text(st, 0);
      size_t nz = (size_t)sqlite3_column_bytes(st, 0);
      if (z && xEach(ctx, a[j], z, nz, sqlite3_column_int64(st, 1))) rc = DS_DONE;
    } else if (src != SQLITE_DONE) {
      rc = ds_store_sql_error(c, e, "read lexicon");
    }
    sqlite3_reset(st);
  }
  if (st) sqlite3_finalize(st);
  ds_free(a);
  return rc;
}

/* ====================== windows and spans ====================== */

/* A window's tokens [*pt0, *pt1) of document k, clamped to the document (one at least). */
static int window_range(const ds_corpus *c, size_t k, int64_t *pt0, int64_t *pt1, ds_error *e) {
  if (k >= c->nDoc) return ds_error_set(e, DS_MISUSE, -1, "no document %zu", k);
  const ds_docinfo *d = &c->aDoc[k];
  if (*pt0 < 0) *pt0 = 0;
  if (*pt1 > d->nTok) *pt1 = d->nTok;
  if (*pt1 <= *pt0) *pt1 = *pt0 + 1;
  if (*pt0 >= d->nTok) return ds_error_set(e, DS_MISUSE, -1, "no token %lld in %s", (long long)*pt0, d->zName);
  return DS_OK;
}

int ds_corpus_window(ds_corpus *c, size_t k, int64_t t0, int64_t t1, int bText, ds_window *w,
                     ds_error *e) {
  int rc = window_range(c, k, &t0, &t1, e);
  if (rc == DS_OK) rc = ds_store_load_window(c, (int64_t)k, t0, t1, bText, e);
  if (rc) return rc;
  w->first = c->streamFirst;
  w->n = c->streamN;
  w->aType = c->aTypes;
  w->zText = bText ? (const char *)c->text.p : NULL;
  w->nText = bText ? c->text.n : 0;
  w->aOff = bText ? c->aOff : NULL;
  return DS_OK;
}

/*
** Take the part of document d holding token t from st's row (columns i .. i + 4: first,
** n, width, types, ws) as the part held (c->raw*): DS_DONE if the row is not that part
** or not sound. A reader keeps the blobs where SQLite has them (its snapshot never
** changes, and the statement stays on the row while the part is held); a writer copies
** them, as its own writes could move the row.
*/
static int take_part(ds_corpus *c, sqlite3_stmt *st, int i, const ds_docinfo *d, int64_t t) {
  int64_t first = sqlite3_column_int64(st, i), n = sqlite3_column_int64(st, i + 1);
  int width = sqlite3_column_int(st, i + 2);
  const unsigned char *p = sqlite3_column_blob(st, i + 3);
  size_t nb = (size_t)sqlite3_column_bytes(st, i + 3);
  const unsigned char *pWs = sqlite3_column_blob(st, i + 4);
  size_t nWs = (size_t)sqlite3_column_bytes(st, i + 4);
  if (first > t || n < 1 || n > d->nTok - first || t >= first + n || width < 1 || width > 32 || !p ||
      nb != ((size_t)n * (size_t)width + 7) / 8 || !pWs || nWs < (size_t)n / 4 + 1)
    return DS_DONE;
  if (c->bReadonly) {
    c->pRawTypes = p, c->pRawWs = pWs;
  } else {
    ds_buf_reset(&c->rawTypes);
    ds_buf_reset(&c->rawWs);
    ds_buf_append(&c->rawTypes, p, nb);
    ds_buf_append(&c->rawWs, pWs, nWs);
    if (c->rawTypes.rc || c->rawWs.rc) return DS_NOMEM;
    c->pRawTypes = c->rawTypes.p, c->pRawWs = c->rawWs.p;
  }
  c->nRawTypes = nb, c->nRawWs = nWs;
  c->rawFirst = first, c->rawN = n, c->rawWidth = width;
  return DS_OK;
}

/* {====== reading ahead ====== */

/*
** Parts read one statement at a time cost about 1.4 us each (reset, two B-tree seeks,
** cursors opened and closed), which is most of a KWIC line whose document differs from
** the line before. Documents announced in order (ds_corpus_read_ahead) are read by one
** statement over a batch of row ids (about 0.6 us a part). A document's first part's
** row id is guessed as its docs.id plus the difference last seen (a file indexed in one
** go, its documents of one part each, has them equal); every row is checked against the
** document and token asked for, and a miss reads the part by its key as before.
*/
enum { AHEAD_BATCH = 64 };

void ds_store_read_ahead_end(ds_corpus *c) {
  if (c->bRawAhead) c->rawDocId = -1;           /* its blobs go with the row */
  c->bRawAhead = 0;
  if (c->aSt[ST_AHEAD]) sqlite3_reset(c->aSt[ST_AHEAD]);
  c->nAhead = c->iAhead = c->iAheadEnd = 0;
}

int ds_corpus_read_ahead(ds_corpus *c, const size_t *aK, size_t n, ds_error *e) {
  ds_store_read_ahead_end(c);
  if (n == 0 || c->bNoAhead) return DS_OK;
  if (n > c->nAheadAlloc) {
    int64_t *a = ds_realloc_n(c->aAheadDoc, n, sizeof *a);
    if (!a) return ds_store_nomem(e);
    c->aAheadDoc = a;
    c->nAheadAlloc = n;
  }
  for (size_t i = 0; i < n; i++) {
    if (aK[i] >= c->nDoc) return ds_error_set(e, DS_MISUSE, -1, "no document %zu", aK[i]);
    c->aAheadDoc[i] = c->aDoc[aK[i]].id;
  }
  c->nAhead = n;
  return DS_OK;
}

/* Ask ST_AHEAD for the next batch of announced documents at their guessed row ids. */
static int ahead_batch(ds_corpus *c) {
  sqlite3_stmt *st = c->aSt[ST_AHEAD];
  if (!st) {
    st = ds_store_cached(c, ST_AHEAD, NULL);
    if (!st) {
      c->bNoAhead = 1;
      return DS_DONE;
    }
  }
  sqlite3_reset(st);
  size_t end = c->nAhead - c->iAhead > AHEAD_BATCH ? c->iAhead + AHEAD_BATCH : c->nAhead;
  ds_buf *b = &c->aheadIds;
  ds_buf_reset(b);
  for (size_t i = c->iAhead; i < end; i++) {
    char z[24], *p = z + sizeof z;              /* the id's digits, backwards */
    int64_t id = c->aAheadDoc[i] + c->rowDelta;
    uint64_t u = id < 0 ? 0 - (uint64_t)id : (uint64_t)id;
    do *--p = (char)('0' + u % 10); while ((u /= 10) > 0);
    if (id < 0) *--p = '-';
    ds_buf_putc(b, i > c->iAhead ? ',' : '[');
    ds_buf_append(b, p, (size_t)(z + sizeof z - p));
  }
  ds_buf_putc(b, ']');
  if (b->rc) return DS_NOMEM;
  sqlite3_bind_text(st, 1, (const char *)b->p, (int)b->n, SQLITE_STATIC);
  c->iAheadEnd = end;
  c->aheadDelta = c->rowDelta;
  return DS_OK;
}

/*
** The part of document d holding token t from the parts read ahead, if d is the next
** document announced: DS_OK, or DS_DONE (read it by its key: another part of the last
** document, or a miss), or DS_NOMEM.
*/
static int ahead_part(ds_corpus *c, const ds_docinfo *d, int64_t t) {
  if (c->iAhead > 0 && c->aAheadDoc[c->iAhead - 1] == d->id) return DS_DONE;   /* its next part */
  if (c->aAheadDoc[c->iAhead] != d->id) {      /* not the order announced: no more guesses */
    ds_store_read_ahead_end(c);
    return DS_DONE;
  }
  /* a new batch when this one is used up, or the guess changed (a miss, read by key,
     found a document's first part elsewhere) */
  if (c->iAhead == c->iAheadEnd || c->aheadDelta != c->rowDelta) {
    int rc = ahead_batch(c);
    if (rc) {
      ds_store_read_ahead_end(c);
      return rc;
    }
  }
  sqlite3_stmt *st = c->aSt[ST_AHEAD];
  c->iAhead++;
  c->bRawAhead = 0;
  if (sqlite3_step(st) != SQLITE_ROW) {
    ds_store_read_ahead_end(c);
    return DS_DONE;
  }
  if (sqlite3_column_type(st, 0) == SQLITE_NULL || sqlite3_column_int64(st, 0) != d->id) return DS_DONE;
  int rc = take_part(c, st, 1, d, t);
  if (rc == DS_OK) c->bRawAhead = c->bReadonly;
  return rc;
}

/* }====== */

/* Keep the stored part of document k holding token t, as stored (c->raw*). */
static int load_raw_part(ds_corpus *c, size_t k, int64_t t, ds_error *e) {
  const ds_docinfo *d = &c->aDoc[k];
  if (c->rawDocId == d->id && t >= c->rawFirst && t < c->rawFirst + c->rawN) return DS_OK;
  c->rawDocId = -1;
  int rc = DS_DONE;
  if (c->iAhead < c->nAhead) {
    rc = ahead_part(c, d, t);
    if (rc == DS_NOMEM) return ds_store_nomem(e);
  }
  if (rc == DS_DONE) {
    sqlite3_stmt *st = ds_store_cached(c, ST_PART, e);
    if (!st) return DS_SQL;
    sqlite3_reset(st);                  /* the row of the part held before */
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, t);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
      rc = take_part(c, st, 0, d, t);
      if (rc == DS_OK && c->rawFirst == 0) c->rowDelta = sqlite3_column_int64(st, 5) - d->id;
    } else {
      rc = src == SQLITE_DONE ? DS_DONE : DS_SQL;
    }
    if (rc || !c->bReadonly) sqlite3_reset(st);
    if (rc == DS_SQL) return ds_store_sql_error(c, e, "read tokens");
    if (rc == DS_NOMEM) return ds_store_nomem(e);
    if (rc) return ds_error_set(e, DS_CORRUPT, -1, "%s: token stream of %s missing or of the wrong size",
                                c->zPath, d->zName);
  }
  c->rawDocId = d->id;
  return DS_OK;
}

/* Room for n decoded tokens in c->aExType / c->aExOff. */
static int exact_room(ds_corpus *c, size_t n) {
  if (n <= c->nExAlloc) return DS_OK;
  size_t nNew = c->nExAlloc ? c->nExAlloc : 64;
  while (nNew < n) nNew *= 2;
  uint32_t *a = ds_realloc_n(c->aExType, nNew, sizeof *a);
  if (!a) return DS_NOMEM;
  c->aExType = a;
  uint32_t *b = ds_realloc_n(c->aExOff, 2 * nNew, sizeof *b);
  if (!b) return DS_NOMEM;
  c->aExOff = b;
  c->nExAlloc = nNew;
  return DS_OK;
}

/*
** Decode tokens [i0, i1) of the raw part (counted from its first token) into c->aExType,
** and with bText their text (from the white space before i0 to the white space after
** i1 - 1) into c->exText and offsets into c->aExOff.
*/
static int decode_raw(ds_corpus *c, size_t i0, size_t i1, int bText) {
  if (unpack_types(c, c->pRawTypes, c->nRawTypes, c->rawWidth, i0, i1, c->aExType)) return DS_CORRUPT;
  if (!bText) return DS_OK;
  /* the white space: a 2-bit code per gap (before each token, and one after the last),
     code 3 a varint after the codes; skip the varints of the gaps before i0 */
  const unsigned char *w = c->pRawWs, *end = w + c->nRawWs;
  size_t n = (size_t)c->rawN, nCodes = n / 4 + 1;
  const unsigned char *x = w + nCodes;
  size_t nEsc = 0;                      /* gaps before i0 with code 3, four to a byte */
  size_t b = 0;
  for (; b + 8 <= i0 >> 2; b += 8) {
    uint64_t v;
    memcpy(&v, w + b, 8);
    v = v & (v >> 1) & 0x5555555555555555u;          /* a bit per code 3 */
    v = (v & 0x3333333333333333u) + ((v >> 2) & 0x3333333333333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
    nEsc += (size_t)((v * 0x0101010101010101u) >> 56);
  }
  for (size_t g = b << 2; g < i0; g++) nEsc += ((w[g >> 2] >> (2 * (g & 3))) & 3) == 3;
  for (size_t j = 0; j < nEsc; j++) {
    uint64_t skip;
    if (ds_get_varint(&x, end, &skip)) return DS_CORRUPT;
  }
  ds_buf_reset(&c->exText);
  if (put_text(c, w, &x, end, i0, i1, c->aExType, &c->exText, c->aExOff)) return DS_CORRUPT;
  return c->exText.rc ? DS_NOMEM : DS_OK;
}

int ds_corpus_window_exact(ds_corpus *c, size_t k, int64_t t0, int64_t t1, int bText, ds_window *w,
                           ds_error *e) {
  int rc = window_range(c, k, &t0, &t1, e);
  if (rc == DS_OK) rc = load_for_window(c, bText, e);
  if (rc == DS_OK) rc = load_raw_part(c, k, t0, e);
  if (rc) return rc;
  const ds_docinfo *d = &c->aDoc[k];
  if (t1 > c->rawFirst + c->rawN) return ds_corpus_window(c, k, t0, t1, bText, w, e);   /* parts meet */
  size_t i0 = (size_t)(t0 - c->rawFirst), i1 = (size_t)(t1 - c->rawFirst);
  rc = exact_room(c, i1 - i0);
  if (rc == DS_OK) rc = decode_raw(c, i0, i1, bText);
  if (rc) {
    c->rawDocId = -1;
    if (rc == DS_NOMEM) return ds_store_nomem(e);
    return ds_error_set(e, DS_CORRUPT, -1, "%s: token stream of %s is corrupt", c->zPath, d->zName);
  }
  w->first = t0;
  w->n = i1 - i0;
  w->aType = c->aExType;
  w->zText = bText ? (const char *)c->exText.p : NULL;
  w->nText = bText ? c->exText.n : 0;
  w->aOff = bText ? c->aExOff : NULL;
  return DS_OK;
}

uint32_t ds_corpus_type_id(const ds_corpus *c, uint32_t type, int attr) {
  return ds_ttype_attr(&c->tt, type, attr);
}

void ds_corpus_type_ids(const ds_corpus *c, const uint32_t *aType, size_t n, int attr, uint32_t *aOut) {
  const uint32_t *aAttr = c->tt.aAttr + attr;
  for (size_t i = 0; i < n; i++) aOut[i] = aAttr[(size_t)aType[i] * DS_NATTR];
}

int ds_corpus_type_id_bound(ds_corpus *c, int attr, uint32_t *pBound, ds_error *e) {
  *pBound = 0;
  int rc = ds_store_load_types(c, e);
  if (rc) return rc;
  uint32_t m = 0;
  for (size_t t = 0; t < c->tt.n; t++) {
    uint32_t id = ds_ttype_attr(&c->tt, (uint32_t)t, attr);
    if (id >= m) m = id + 1;
  }
  *pBound = m;
  return DS_OK;
}

/*
** The values of n spans of a recognizer's kind (blob p[0..nb): nAttr NUL-ended strings
** per span) into the span cache's pointers; nothing for the structure's kinds.
*/
static int load_span_values(ds_corpus *c, const char *zKind, size_t n, const void *p, size_t nb) {
  const ds_spankind *sk = ds_spankind_get(ds_spankind_find(zKind));
  if (!sk) return p ? DS_CORRUPT : DS_OK;
  size_t nVal = n * (size_t)sk->nAttr;
  if (nVal > c->nSpanValAlloc) {
    const char **a = ds_realloc_n(c->azSpanVal, nVal, sizeof *a);
    if (!a) return DS_NOMEM;
    c->azSpanVal = a;
    c->nSpanValAlloc = nVal;
  }
  ds_buf_reset(&c->spanVals);
  if (nb) ds_buf_append(&c->spanVals, p, nb);
  if (c->spanVals.rc) return DS_NOMEM;
  const char *z = (const char *)c->spanVals.p, *end = z + nb;
  for (size_t i = 0; i < nVal; i++) {
    const char *nul = z < end ? memchr(z, 0, (size_t)(end - z)) : NULL;
    if (!nul) return DS_CORRUPT;
    c->azSpanVal[i] = z;
    z = nul + 1;
  }
  return z == end ? DS_OK : DS_CORRUPT;
}

/* Decode the spans of zKind of document k into the span cache (once). */
static int load_spans(ds_corpus *c, size_t k, const char *zKind, ds_error *e) {
  if (c->spanDoc == (int64_t)k && strcmp(c->zSpanKind, zKind) == 0) return DS_OK;
  if (strlen(zKind) >= sizeof c->zSpanKind) {
    c->spanDoc = -1;
    c->nSpanRead = 0;
    return DS_OK;                       /* no such kind is stored */
  }
  const ds_docinfo *d = &c->aDoc[k];
  sqlite3_stmt *st = ds_store_cached(c, ST_SPANREAD, e);    /* a document's spans of a kind */
  if (!st) return DS_SQL;
  sqlite3_bind_text(st, 1, zKind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, d->id);
  c->spanDoc = -1;
  c->nSpanRead = 0;
  int rc = DS_OK, src = sqlite3_step(st);
  if (src == SQLITE_ROW) {
    int64_t n = sqlite3_column_int64(st, 0);
    const unsigned char *p = sqlite3_column_blob(st, 1);
    const unsigned char *end = p ? p + sqlite3_column_bytes(st, 1) : NULL;
    if (n < 0 || (n > 0 && !p) || (uint64_t)n > (uint64_t)d->nTok) rc = DS_CORRUPT;
    else if ((size_t)n > c->nSpanReadAlloc) {
      ds_span *a = ds_realloc_n(c->aSpanRead, (size_t)n, sizeof *a);
      if (!a) rc = DS_NOMEM;
      else {
        c->aSpanRead = a;
        c->nSpanReadAlloc = (size_t)n;
      }
    }
    uint64_t at = 0, gap, len;
    for (int64_t i = 0; rc == DS_OK && i < n; i++) {
      if (ds_get_varint(&p, end, &gap) || ds_get_varint(&p, end, &len) || len == 0 ||
          gap > (uint64_t)d->nTok || len > (uint64_t)d->nTok || at + gap + len > (uint64_t)d->nTok) {
        rc = DS_CORRUPT;
        break;
      }
      at += gap;
      c->aSpanRead[i].first = d->cpos + (int64_t)at;
      at += len;
      c->aSpanRead[i].last = d->cpos + (int64_t)at - 1;
    }
    if (rc == DS_OK) rc = load_span_values(c, zKind, (size_t)n, sqlite3_column_blob(st, 2),
                                           (size_t)sqlite3_column_bytes(st, 2));
    if (rc == DS_OK) c->nSpanRead = (size_t)n;
  } else if (src != SQLITE_DONE) {
    rc = ds_store_sql_error(c, e, "read spans");
  }
  sqlite3_reset(st);
  if (rc == DS_CORRUPT)
    return ds_error_set(e, rc, -1, "%s: `%s` spans of %s are corrupt", c->zPath, zKind, d->zName);
  if (rc == DS_NOMEM) return ds_store_nomem(e);
  if (rc) return rc;
  c->spanDoc = (int64_t)k;
  strcpy(c->zSpanKind, zKind);
  return DS_OK;
}

int ds_corpus_spans(ds_corpus *c, size_t k, const char *zKind, const ds_span **pa, size_t *pn,
                    ds_error *e) {
  *pa = NULL;
  *pn = 0;
  if (k >= c->nDoc) return ds_error_set(e, DS_MISUSE, -1, "no document %zu", k);
  int rc = load_spans(c, k, zKind, e);
  if (rc) return rc;
  *pa = c->aSpanRead;
  *pn = c->nSpanRead;
  return DS_OK;
}

int ds_corpus_span_values(ds_corpus *c, size_t k, const char *zKind, const char *const **pazVal,
                          int *pnAttr, ds_error *e) {
  *pazVal = NULL;
  *pnAttr = 0;
  if (k >= c->nDoc) return ds_error_set(e, DS_MISUSE, -1, "no document %zu", k);
  const ds_spankind *sk = ds_spankind_get(ds_spankind_find(zKind));
  if (!sk) return DS_OK;
  int rc = load_spans(c, k, zKind, e);
  if (rc) return rc;
  *pazVal = c->azSpanVal;
  *pnAttr = sk->nAttr;
  return DS_OK;
}

int ds_corpus_span_at(ds_corpus *c, const char *zKind, int64_t cpos, ds_span *pSpan, ds_error *e) {
  int64_t k = ds_corpus_doc_at(c, cpos);
  if (k < 0) return DS_NOTFOUND;
  int rc = load_spans(c, (size_t)k, zKind, e);
  if (rc) return rc;
  size_t lo = 0, hi = c->nSpanRead;
  while (lo < hi) {                      /* the first span starting after cpos */
    size_t mid = lo + (hi - lo) / 2;
    if (c->aSpanRead[mid].first <= cpos) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0 || c->aSpanRead[lo - 1].last < cpos) return DS_NOTFOUND;
  *pSpan = c->aSpanRead[lo - 1];
  return DS_OK;
}

/* ====================== metadata of all documents (for queries) ====================== */

int ds_corpus_meta_by_key(ds_corpus *c, const char *zKey,
                          int (*xEach)(void *ctx, int64_t docId, const char *zVal), void *ctx,
                          ds_error *e) {
  sqlite3_stmt *st = ds_store_prep(c, zKey ? "SELECT doc, value FROM doc_meta WHERE key=?1"
                                           : "SELECT DISTINCT 0, key FROM doc_meta ORDER BY key", e);
  int rc = DS_OK, src;
  if (!st) return DS_SQL;
  if (zKey) sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    const char *zVal = (const char *)sqlite3_column_text(st, 1);
    if (xEach(ctx, sqlite3_column_int64(st, 0), zVal ? zVal : "")) {
      rc = DS_DONE;
      break;
    }
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read metadata");
  sqlite3_finalize(st);
  return rc;
}

int ds_corpus_lexicon_scan_prefix(ds_corpus *c, int attr, const char *zPrefix, size_t nPrefix,
                                  int (*xEach)(void *ctx, uint32_t id, const char *z, size_t n,
                                               int64_t freq),
                                  void *ctx, ds_error *e) {
  if (!ds_attr_name(attr)) return ds_error_set(e, DS_MISUSE, -1, "no attribute %d", attr);
  if (nPrefix == 0) return ds_corpus_lexicon_scan(c, attr, xEach, ctx, e);
  char *zEnd = ds_malloc(nPrefix);           /* the first string after every one with the prefix */
  if (!zEnd) return ds_store_nomem(e);
  memcpy(zEnd, zPrefix, nPrefix);
  size_t nEnd = nPrefix;
  while (nEnd > 0 && (unsigned char)zEnd[nEnd - 1] == 0xFF) nEnd--;
  if (nEnd) zEnd[nEnd - 1] = (char)((unsigned char)zEnd[nEnd - 1] + 1);
  sqlite3_stmt *st = ds_store_prep(c, nEnd ? "SELECT id, str, freq FROM lexicon WHERE attr=?1 AND str>=?2 AND str<?3"
                                           : "SELECT id, str, freq FROM lexicon WHERE attr=?1 AND str>=?2", e);
  if (!st) {
    ds_free(zEnd);
    return DS_SQL;
  }
  sqlite3_bind_int(st, 1, attr);
  sqlite3_bind_text(st, 2, zPrefix, (int)nPrefix, SQLITE_STATIC);
  if (nEnd) sqlite3_bind_text(st, 3, zEnd, (int)nEnd, SQLITE_STATIC);
  int rc = each_lexicon_row(c, st, xEach, ctx, e);
  ds_free(zEnd);
  return rc;
}
