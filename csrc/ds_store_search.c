/*
** ds_store_search.c -- document search: the FTS5 index (a row per part of a document,
** tokenized by ds_fts5.c), ranked search and snippets (ds_store.h).
*/
#include "ds_storeInt.h"
#include "ds_fts5.h"
#include "ds_utf8.h"

#include <string.h>

/* ====================== document search (FTS5) ====================== */

/* The 1-based character position of byte off of z (UTF-8). */
static size_t char_pos(const char *z, size_t off) {
  size_t n = 1;
  for (size_t i = 0; i < off && z[i]; i++) n += ((unsigned char)z[i] & 0xC0) != 0x80;
  return n;
}

static int is_operator(const char *zQuery, size_t iStart, size_t iEnd) {
  static const char *const azOp[] = {"AND", "OR", "NOT", "NEAR"};
  for (size_t i = 0; i < 4; i++)
    if (iEnd - iStart == strlen(azOp[i]) && memcmp(zQuery + iStart, azOp[i], iEnd - iStart) == 0) return 1;
  return 0;
}

/* Counts a search query's terms; stops (nonzero) at the first past the limit. */
typedef struct count_terms {
  const char *zQuery;
  int n;
  size_t iOver;               /* byte offset of the first term past the limit */
} count_terms;

static int count_term(void *ctx, const char *z, size_t n, size_t iStart, size_t iEnd) {
  count_terms *x = ctx;
  (void)z; (void)n;
  if (is_operator(x->zQuery, iStart, iEnd)) return 0;
  if (++x->n > DS_SEARCH_MAX_TERMS) { x->iOver = iStart; return 1; }
  return 0;
}

/*
** The search index has a row per part of a document (so that no document's whole text is
** needed at once), its rowid the document's id times 2^20 plus the part's number.
*/
#define SEARCH_PART_BITS 20

/*
** Put each part of document k into the search index with pPut (rowid, text), or take it
** out (pPut the 'delete' command, which needs the very text that was indexed).
*/
static int search_parts(ds_corpus *c, int64_t k, sqlite3_stmt *pPut, ds_error *e) {
  int rc = DS_OK;
  int64_t id = c->aDoc[k].id, j = 0;
  if (id > INT64_MAX >> SEARCH_PART_BITS) return ds_error_set(e, DS_CORRUPT, -1, "%s: document id out of range", c->zPath);
  for (int64_t t = 0; rc == DS_OK && t < c->aDoc[k].nTok; j++) {
    if (j >> SEARCH_PART_BITS)
      return ds_error_set(e, DS_LIMIT, -1, "%s: %s has too many parts to search", c->zPath, c->aDoc[k].zName);
    c->streamDoc = -1;                 /* exactly the part holding t, not a wider window */
    rc = ds_store_load_window(c, k, t, t + 1, 1, e);
    if (rc) break;
    sqlite3_bind_int64(pPut, 1, id << SEARCH_PART_BITS | j);
    sqlite3_bind_text(pPut, 2, (const char *)c->text.p, (int)c->text.n, SQLITE_STATIC);
    rc = ds_store_step_reset(c, pPut, e, "update search index");
    t = c->streamFirst + (int64_t)c->streamN;
  }
  return rc;
}

/* Take document k out of the search index, if it is there (its text is still at hand). */
int ds_store_search_forget(ds_corpus *c, int64_t k, ds_error *e) {
  int64_t id = c->aDoc[k].id;
  sqlite3_stmt *st = ds_store_prep(c, "SELECT 1 FROM search_docs WHERE doc=?1", e);
  if (!st) return DS_SQL;
  sqlite3_bind_int64(st, 1, id);
  int src = sqlite3_step(st);
  sqlite3_finalize(st);
  if (src == SQLITE_DONE) return DS_OK;
  if (src != SQLITE_ROW) return ds_store_sql_error(c, e, "read search index");
  st = ds_store_prep(c, "INSERT INTO search(search, rowid, text) VALUES('delete', ?1, ?2)", e);
  if (!st) return DS_SQL;
  int rc = search_parts(c, k, st, e);
  sqlite3_finalize(st);
  if (rc == DS_OK) {
    st = ds_store_prep(c, "DELETE FROM search_docs WHERE doc=?1", e);
    if (!st) return DS_SQL;
    sqlite3_bind_int64(st, 1, id);
    rc = ds_store_step_done(c, st, e, "update search index");
  }
  return rc;
}

int ds_corpus_search_update(ds_corpus *c, size_t *pnAdded, ds_error *e) {
  *pnAdded = 0;
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is open");
  int rc = ds_store_exec(c, "BEGIN IMMEDIATE", e);
  if (rc) return rc;
  rc = ds_store_load_docs(c, e);
  sqlite3_stmt *pHas = rc ? NULL : ds_store_prep(c, "SELECT 1 FROM search_docs WHERE doc=?1", e);
  sqlite3_stmt *pPut = pHas ? ds_store_prep(c, "INSERT INTO search(rowid, text) VALUES(?1, ?2)", e) : NULL;
  sqlite3_stmt *pDone = pPut ? ds_store_prep(c, "INSERT INTO search_docs(doc) VALUES(?1)", e) : NULL;
  if (rc == DS_OK && !pDone) rc = DS_SQL;
  for (size_t k = 0; rc == DS_OK && k < c->nDoc; k++) {
    int64_t id = c->aDoc[k].id;
    if (ds_interrupted()) {              /* Ctrl-C: a look per document; rolled back below */
      rc = ds_interrupt_error(e);
      break;
    }
    sqlite3_bind_int64(pHas, 1, id);
    int src = sqlite3_step(pHas);
    sqlite3_reset(pHas);
    if (src == SQLITE_ROW) continue;
    if (src != SQLITE_DONE) { rc = ds_store_sql_error(c, e, "read search index"); break; }
    rc = search_parts(c, (int64_t)k, pPut, e);
    sqlite3_bind_int64(pDone, 1, id);
    if (rc == DS_OK) rc = ds_store_step_reset(c, pDone, e, "update search index");
    if (rc == DS_OK) (*pnAdded)++;
  }
  sqlite3_finalize(pHas);
  sqlite3_finalize(pPut);
  sqlite3_finalize(pDone);
  if (rc == DS_OK) rc = ds_store_exec(c, "COMMIT", e);
  if (rc) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

int64_t ds_corpus_search_missing(ds_corpus *c) {
  return ds_store_count(c, "SELECT count(*) FROM docs WHERE deleted=0 AND id NOT IN (SELECT doc FROM search_docs)", -1);
}

/* SQLite's progress callback: stop a search when Ctrl-C came (ds_interrupt). */
static int search_progress(void *p) {
  (void)p;
  return ds_interrupted();
}

int ds_corpus_search(ds_corpus *c, const char *zQuery, int64_t nLimit,
                     int (*xHit)(void *ctx, size_t k, double score), void *ctx, ds_error *e) {
  if (ds_utf8_check(zQuery, strlen(zQuery)) >= 0)
    return ds_error_set(e, DS_QUERY, -1, "search: the query is not valid UTF-8");
  if (strlen(zQuery) > DS_SEARCH_MAX_BYTES)
    return ds_error_set(e, DS_QUERY, DS_SEARCH_MAX_BYTES, "search: query too long: more than %d bytes at position %zu",
                        DS_SEARCH_MAX_BYTES, char_pos(zQuery, DS_SEARCH_MAX_BYTES));
  count_terms ct = {zQuery, 0, 0};
  int rcT = ds_fts5_terms(zQuery, strlen(zQuery), 0, count_term, &ct);
  if (rcT == DS_NOMEM) return ds_store_nomem(e);
  if (rcT == DS_ABORT)
    return ds_error_set(e, DS_QUERY, (int64_t)ct.iOver, "search: query too long: more than the limit of %d terms at position %zu",
                        DS_SEARCH_MAX_TERMS, char_pos(zQuery, ct.iOver));
  ds_buf q = DS_BUF_INIT;             /* the user's words as an FTS5 query (ds_fts5.h) */
  if (ds_fts5_query(zQuery, strlen(zQuery), &q, e)) {
    ds_buf_free(&q);
    return e ? e->code : DS_QUERY;
  }
  if (ds_corpus_refresh(c, e)) { ds_buf_free(&q); return e ? e->code : DS_SQL; }
  /* rows are parts: a document scores as its best part, and counts once */
  sqlite3_stmt *st = ds_store_prep(c, "WITH h AS MATERIALIZED (SELECT rowid >> 20 AS doc, dossier_rank(search) AS score "
                             "FROM search WHERE search MATCH ?1) "
                             "SELECT doc, min(score) AS best FROM h GROUP BY doc ORDER BY best LIMIT ?2", e);
  if (!st) { ds_buf_free(&q); return DS_SQL; }
  sqlite3_bind_text(st, 1, (const char *)q.p, (int)q.n, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, nLimit > 0 ? nLimit : INT64_MAX);
  int rc = DS_OK, src;
  sqlite3_progress_handler(c->db, 10000, search_progress, NULL);
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t k = ds_store_doc_index(c, sqlite3_column_int64(st, 0));
    if (k < 0) continue;                      /* removed since */
    if (xHit(ctx, (size_t)k, -sqlite3_column_double(st, 1))) { rc = DS_DONE; break; }
  }
  sqlite3_progress_handler(c->db, 0, NULL, NULL);
  if (rc == DS_OK && src == SQLITE_INTERRUPT)
    rc = ds_interrupt_error(e);
  /* the query was checked above: what FTS5 still refuses is named as the user wrote it */
  if (rc == DS_OK && src != SQLITE_DONE)
    rc = ds_error_set(e, DS_QUERY, -1, "search: cannot run the search %s (%s)", zQuery,
                      sqlite3_errmsg(c->db));
  sqlite3_finalize(st);
  ds_buf_free(&q);
  return rc;
}

#define SNIP_TERMS 256
typedef struct snip_terms {
  ds_corpus *c;
  uint32_t aId[SNIP_TERMS];   /* norm ids of the query's terms (a prefix's: all it starts) */
  int n;
  const char *zQuery;
  size_t nQuery;
  const char *zPrefix;        /* during a lexicon scan: the prefix */
  size_t nPrefix;
} snip_terms;

/* A norm that starts with the prefix being looked for. */
static int snip_prefix(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq) {
  snip_terms *s = ctx;
  if (freq > 0 && n >= s->nPrefix && memcmp(z, s->zPrefix, s->nPrefix) == 0) s->aId[s->n++] = id;
  return s->n >= SNIP_TERMS;
}

static int snip_term(void *ctx, const char *z, size_t n, size_t iStart, size_t iEnd) {
  snip_terms *s = ctx;
  (void)iStart;
  if (is_operator(s->zQuery, iStart, iEnd)) return 0;     /* FTS5's operators are no terms to mark */
  uint32_t id;
  int64_t freq;
  size_t q = iEnd;
  while (q < s->nQuery && s->zQuery[q] == '"') q++;
  if (q < s->nQuery && s->zQuery[q] == '*') {        /* the last word of a prefix */
    s->zPrefix = z;
    s->nPrefix = n;
    if (s->n < SNIP_TERMS) ds_corpus_lexicon_scan(s->c, DS_ATTR_NORM, snip_prefix, s, NULL);
  } else if (s->n < SNIP_TERMS && ds_corpus_lookup(s->c, DS_ATTR_NORM, z, n, &id, &freq, NULL) == DS_OK) {
    s->aId[s->n++] = id;
  }
  return 0;
}

int ds_corpus_snippet(ds_corpus *c, size_t k, const char *zQuery, int nTokens, ds_buf *out,
                      ds_error *e) {
  if (k >= c->nDoc) return ds_error_set(e, DS_MISUSE, -1, "no document %zu", k);
  snip_terms s = {c, {0}, 0, zQuery, strlen(zQuery), NULL, 0};
  int rc = ds_fts5_terms(zQuery, strlen(zQuery), 0, snip_term, &s);
  if (rc == DS_UTF8) return ds_error_set(e, DS_QUERY, -1, "search: the query is not valid UTF-8");
  if (rc) return ds_store_nomem(e);
  size_t nTok = (size_t)c->aDoc[k].nTok, w = nTokens > 0 ? (size_t)nTokens : 20;
  if (w > nTok) w = nTok;
  /* the window of w tokens with the most matches (the first such), found a part at a
     time: aHit keeps the last w tokens' hits, round */
  size_t best = 0, bestN = 0, cur = 0;
  uint8_t *aHit = ds_malloc(w + 1);
  if (!aHit) return ds_store_nomem(e);
  for (size_t t = 0; t < nTok && rc == DS_OK;) {
    rc = ds_store_load_window(c, (int64_t)k, (int64_t)t, (int64_t)t + 1, 0, e);
    size_t end = rc ? t : (size_t)c->streamFirst + c->streamN;
    for (; t < end; t++) {
      uint32_t norm = ds_ttype_attr(&c->tt, c->aTypes[t - (size_t)c->streamFirst], DS_ATTR_NORM);
      uint8_t hit = 0;
      for (int j = 0; j < s.n; j++) if (s.aId[j] == norm) hit = 1;
      if (t >= w) cur -= aHit[t % w];
      aHit[t % w] = hit;
      cur += hit;
      if (t + 1 >= w && cur > bestN) { bestN = cur; best = t + 1 - w; }
    }
  }
  ds_free(aHit);
  if (rc == DS_OK) rc = ds_store_load_window(c, (int64_t)k, (int64_t)best, (int64_t)(best + w), 1, e);
  if (rc) return rc;
  const char *z = (const char *)c->text.p;
  const uint32_t *aOff = c->aOff;
  size_t o = 2 * (size_t)c->streamFirst;       /* aOff is by token of the window */
  if (best > 0) ds_buf_puts(out, "...");
  for (size_t t = best; t < best + w; t++) {
    uint32_t norm = ds_ttype_attr(&c->tt, c->aTypes[t - (size_t)c->streamFirst], DS_ATTR_NORM);
    int hit = 0;
    for (int j = 0; j < s.n; j++) if (s.aId[j] == norm) hit = 1;
    if (t > best) ds_buf_put_flat(out, z + aOff[2 * t - 1 - o], aOff[2 * t - o] - aOff[2 * t - 1 - o]);
    if (hit) ds_buf_putc(out, '[');
    ds_buf_put_flat(out, z + aOff[2 * t - o], aOff[2 * t + 1 - o] - aOff[2 * t - o]);
    if (hit) ds_buf_putc(out, ']');
  }
  if (best + w < nTok) ds_buf_puts(out, "...");
  return out->rc ? ds_store_nomem(e) : DS_OK;
}
