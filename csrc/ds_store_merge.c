/*
** ds_store_merge.c -- removing documents (hidden at once, freed by optimize) and merging
** every segment into one (ds_store.h).
*/
#include "ds_storeInt.h"
#include "ds_postings.h"

#include <stdlib.h>
#include <string.h>

/* ====================== removing and merging ====================== */

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int ds_corpus_remove(ds_corpus *c, int64_t docId, ds_error *e) {
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is open");
  int rc = ds_store_exec(c, "BEGIN IMMEDIATE", e);
  if (rc) return rc;
  rc = ds_store_load_docs(c, e);
  size_t k = 0;
  while (rc == DS_OK && k < c->nDoc && c->aDoc[k].id != docId) k++;
  if (rc == DS_OK && k == c->nDoc) rc = DS_NOTFOUND;
  if (rc == DS_OK) rc = ds_store_search_forget(c, (int64_t)k, e);
  /* every (attribute, id) of the document with its count, taken off the lexicon, a part
     at a time */
  uint64_t *aKey = NULL;
  size_t nKeyAlloc = 0;
  sqlite3_stmt *st = rc ? NULL : ds_store_prep(c, "UPDATE lexicon SET freq = freq - ?3 WHERE attr=?1 AND id=?2", e);
  if (rc == DS_OK && !st) rc = DS_SQL;
  int64_t nTok = rc == DS_OK ? c->aDoc[k].nTok : 0;
  for (int64_t t = 0; rc == DS_OK && t < nTok;) {
    rc = ds_store_load_window(c, (int64_t)k, t, t + 1, 0, e);
    if (rc) break;
    size_t nPart = c->streamN, nKey = nPart * DS_NATTR;
    if (nKey > nKeyAlloc) {
      ds_free(aKey);
      if (!(aKey = ds_malloc_n(nKey, sizeof *aKey))) { rc = ds_store_nomem(e); break; }
      nKeyAlloc = nKey;
    }
    for (size_t i = 0; i < nPart; i++)
      for (int a = 0; a < DS_NATTR; a++)
        aKey[i * DS_NATTR + (size_t)a] = (uint64_t)a << 32 | ds_ttype_attr(&c->tt, c->aTypes[i], a);
    t = c->streamFirst + (int64_t)nPart;
    qsort(aKey, nKey, sizeof *aKey, cmp_u64);
    for (size_t i = 0; rc == DS_OK && i < nKey;) {
      size_t j = i;
      while (j < nKey && aKey[j] == aKey[i]) j++;
      sqlite3_bind_int(st, 1, (int)(aKey[i] >> 32));
      sqlite3_bind_int64(st, 2, (int64_t)(aKey[i] & 0xFFFFFFFFu));
      sqlite3_bind_int64(st, 3, (int64_t)(j - i));
      rc = ds_store_step_reset(c, st, e, "update lexicon");
      i = j;
    }
  }
  sqlite3_finalize(st);
  ds_free(aKey);
  if (rc == DS_OK) {
    /* its SHA-256 goes with it: the same file can be added again at once */
    st = ds_store_prep(c, "UPDATE docs SET deleted=1, sha256='removed:' || id WHERE id=?1", e);
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, docId);
      rc = ds_store_step_done(c, st, e, "remove document");
    }
  }
  if (rc == DS_OK) rc = ds_store_exec(c, "COMMIT", e);
  if (rc) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  int rc2 = ds_store_load_docs(c, rc ? NULL : e);
  return rc ? rc : rc2;
}

/* Merge the postings of every (attr, id) into segment iSeg, dropping removed documents. */
static int merge_postings(ds_corpus *c, int64_t iSeg, ds_error *e) {
  sqlite3_stmt *pIds = ds_store_prep(c, "SELECT DISTINCT attr, id FROM postings", e);
  sqlite3_stmt *pGet = ds_store_prep(c, "SELECT data FROM postings WHERE attr=?1 AND id=?2 ORDER BY seg", e);
  sqlite3_stmt *pDel = ds_store_prep(c, "DELETE FROM postings WHERE attr=?1 AND id=?2", e);
  sqlite3_stmt *pPut = ds_store_prep(c, "INSERT INTO postings(attr, id, seg, n, data) VALUES(?1, ?2, ?3, ?4, ?5)", e);
  ds_buf keys = DS_BUF_INIT, deltas = DS_BUF_INIT, blob = DS_BUF_INIT;
  int rc = pIds && pGet && pDel && pPut ? DS_OK : DS_SQL, src;
  /* the keys first: the table changes under the loop below */
  while (rc == DS_OK && (src = sqlite3_step(pIds)) == SQLITE_ROW) {
    uint64_t key = (uint64_t)sqlite3_column_int(pIds, 0) << 32 | (uint32_t)sqlite3_column_int64(pIds, 1);
    ds_buf_append(&keys, &key, sizeof key);
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read postings");
  if (rc == DS_OK && keys.rc) rc = ds_store_nomem(e);
  int64_t *aPos = NULL;
  size_t nAlloc = 0;
  unsigned nTick = 0;
  for (size_t i = 0; rc == DS_OK && i < keys.n / sizeof(uint64_t); i++) {
    uint64_t key;
    if (ds_interrupt_due(&nTick, 255)) {     /* Ctrl-C: optimize rolls back */
      rc = ds_interrupt_error(e);
      break;
    }
    memcpy(&key, keys.p + i * sizeof key, sizeof key);
    int attr = (int)(key >> 32);
    int64_t id = (int64_t)(key & 0xFFFFFFFFu);
    size_t nPos = 0;
    sqlite3_bind_int(pGet, 1, attr);
    sqlite3_bind_int64(pGet, 2, id);
    while (rc == DS_OK && (src = sqlite3_step(pGet)) == SQLITE_ROW)
      rc = ds_postings_decode(sqlite3_column_blob(pGet, 0), (size_t)sqlite3_column_bytes(pGet, 0),
                              &aPos, &nPos, &nAlloc);
    if (rc == DS_OK && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read postings");
    sqlite3_reset(pGet);
    if (rc == DS_CORRUPT) rc = ds_error_set(e, rc, -1, "%s: corrupt postings for %s id %lld",
                                            c->zPath, ds_attr_name(attr), (long long)id);
    else if (rc == DS_NOMEM) ds_store_nomem(e);
    /* the live positions, as deltas */
    ds_buf_reset(&deltas);
    int64_t prev = -1;
    uint64_t n = 0;
    for (size_t j = 0; rc == DS_OK && j < nPos; j++) {
      if (aPos[j] <= prev) {
        rc = ds_error_set(e, DS_CORRUPT, -1, "%s: postings of %s id %lld out of order", c->zPath,
                          ds_attr_name(attr), (long long)id);
        break;
      }
      if (ds_corpus_doc_at(c, aPos[j]) < 0) continue;
      ds_buf_put_varint(&deltas, (uint64_t)(aPos[j] - prev));
      prev = aPos[j];
      n++;
    }
    if (rc == DS_OK) {
      sqlite3_bind_int(pDel, 1, attr);
      sqlite3_bind_int64(pDel, 2, id);
      rc = ds_store_step_reset(c, pDel, e, "merge postings");
    }
    if (rc == DS_OK && n) {
      ds_buf_reset(&blob);
      rc = ds_postings_encode(deltas.p, deltas.n, n, &blob);
      if (rc) rc = ds_store_nomem(e);
      else {
        sqlite3_bind_int(pPut, 1, attr);
        sqlite3_bind_int64(pPut, 2, id);
        sqlite3_bind_int64(pPut, 3, iSeg);
        sqlite3_bind_int64(pPut, 4, (int64_t)n);
        sqlite3_bind_blob(pPut, 5, blob.p, (int)blob.n, SQLITE_STATIC);
        rc = ds_store_step_reset(c, pPut, e, "merge postings");
      }
    }
  }
  ds_free(aPos);
  ds_buf_free(&keys);
  ds_buf_free(&deltas);
  ds_buf_free(&blob);
  sqlite3_finalize(pIds);
  sqlite3_finalize(pGet);
  sqlite3_finalize(pDel);
  sqlite3_finalize(pPut);
  return rc;
}

/* All token types in one row of segment iSeg. */
static int merge_types(ds_corpus *c, int64_t iSeg, ds_error *e) {
  int rc = ds_store_load_types(c, e);
  if (rc || c->tt.n == 0) return rc;
  ds_buf b = DS_BUF_INIT;
  for (size_t t = 0; t < c->tt.n; t++)
    for (int a = 0; a < DS_NATTR; a++) ds_buf_put_varint(&b, ds_ttype_attr(&c->tt, (uint32_t)t, a));
  if (b.rc) rc = ds_store_nomem(e);
  if (rc == DS_OK) rc = ds_store_exec(c, "DELETE FROM types", e);
  sqlite3_stmt *st = rc ? NULL : ds_store_prep(c, "INSERT INTO types(first, n, seg, data) VALUES(0, ?1, ?2, ?3)", e);
  if (rc == DS_OK && !st) rc = DS_SQL;
  if (st) {
    sqlite3_bind_int64(st, 1, (int64_t)c->tt.n);
    sqlite3_bind_int64(st, 2, iSeg);
    sqlite3_bind_blob(st, 3, b.p, (int)b.n, SQLITE_STATIC);
    rc = ds_store_step_done(c, st, e, "merge token types");
  }
  ds_buf_free(&b);
  return rc;
}

int ds_corpus_optimize(ds_corpus *c, ds_error *e) {
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is open");
  int rc = ds_store_exec(c, "BEGIN IMMEDIATE", e);
  if (rc) return rc;
  rc = ds_store_load_docs(c, e);
  c->bTypesLoaded = 0;
  int64_t nSeg = rc ? 0 : ds_store_count(c, "SELECT count(*) FROM segments", -1);
  int64_t nDead = rc ? 0 : ds_store_count(c, "SELECT count(*) FROM docs WHERE deleted<>0", -1);
  int64_t nTypeRows = rc ? 0 : ds_store_count(c, "SELECT count(*) FROM types", -1);
  if (rc == DS_OK && (nSeg < 0 || nDead < 0 || nTypeRows < 0)) rc = ds_store_sql_error(c, e, "optimize");
  if (rc == DS_OK && (nSeg > 1 || nDead > 0 || nTypeRows > 1)) {
    char zNow[32];
    ds_store_now_iso(zNow, sizeof zNow);
    sqlite3_stmt *st = ds_store_prep(c, "INSERT INTO segments(created, cpos_start, cpos_end, ndocs) VALUES(?1, ?2, ?3, ?4)", e);
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_text(st, 1, zNow, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, c->nDoc ? c->aDoc[0].cpos : c->nextCpos);
      sqlite3_bind_int64(st, 3, c->nextCpos);
      sqlite3_bind_int64(st, 4, (int64_t)c->nDoc);
      rc = ds_store_step_done(c, st, e, "new segment");
    }
    int64_t iSeg = sqlite3_last_insert_rowid(c->db);
    if (rc == DS_OK) rc = merge_postings(c, iSeg, e);
    if (rc == DS_OK) rc = merge_types(c, iSeg, e);
    static const char *const azFree[] = {
      "DELETE FROM tokens WHERE doc IN (SELECT id FROM docs WHERE deleted<>0)",
      "DELETE FROM spans WHERE doc IN (SELECT id FROM docs WHERE deleted<>0)",
      "DELETE FROM doc_meta WHERE doc IN (SELECT id FROM docs WHERE deleted<>0)",
      "DELETE FROM docs WHERE deleted<>0",
    };
    for (size_t i = 0; rc == DS_OK && i < sizeof azFree / sizeof *azFree; i++) rc = ds_store_exec(c, azFree[i], e);
    if (rc == DS_OK) {
      st = ds_store_prep(c, "UPDATE docs SET seg=?1", e);
      if (!st) rc = DS_SQL;
      else {
        sqlite3_bind_int64(st, 1, iSeg);
        rc = ds_store_step_done(c, st, e, "merge segments");
      }
    }
    if (rc == DS_OK) {
      st = ds_store_prep(c, "DELETE FROM segments WHERE id<>?1", e);
      if (!st) rc = DS_SQL;
      else {
        sqlite3_bind_int64(st, 1, iSeg);
        rc = ds_store_step_done(c, st, e, "merge segments");
      }
    }
  }
  if (rc == DS_OK) rc = ds_store_exec(c, "COMMIT", e);
  if (rc) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  else sqlite3_exec(c->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);   /* free pages back */
  c->bTypesLoaded = 0;
  int rc2 = ds_store_load_docs(c, rc ? NULL : e);
  return rc ? rc : rc2;
}
