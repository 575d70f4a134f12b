/*
** ds_store.c -- the corpus file: schema, segments, lexicon, streams, postings, spans.
** (See ds_store.h for the format.)
*/
#include "ds_store.h"
#include "ds_annotate.h"
#include "ds_date.h"
#include "ds_doc.h"
#include "ds_lexicon.h"
#include "ds_parse.h"
#include "ds_reader.h"
#include "ds_utf8.h"

#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const azAttr[DS_NATTR] = {"word", "norm", "lemma", "pos", "xpos"};

const char *ds_attr_name(int attr) {
  return attr >= 0 && attr < DS_NATTR ? azAttr[attr] : NULL;
}

int ds_attr_find(const char *zName) {
  for (int a = 0; a < DS_NATTR; a++)
    if (strcmp(azAttr[a], zName) == 0) return a;
  return -1;
}

/* One decoded stream blob, cached for reading. */
typedef struct stream_cache {
  int64_t docIdx;             /* index in aDoc, or -1 */
  ds_buf ids;                 /* packed u32 */
} stream_cache;

struct ds_corpus {
  sqlite3 *db;
  char *zPath;
  int bReadonly;
  /* documents in corpus order */
  ds_docinfo *aDoc;
  size_t nDoc, nDocAlloc;
  ds_buf names;               /* arena of document names */
  int64_t nextCpos;           /* first position of the next document */
  /* writer state, while a segment is open */
  ds_read_opts read;          /* how documents are read */
  int bInTxn;
  int bBroken;                /* the open segment cannot be committed */
  int64_t iSeg;
  int64_t segCpos;
  int64_t segDocs;
  uint32_t aNextId[DS_NATTR];
  ds_lexmap aLex[DS_NATTR];
  ds_buf scratch;
  /* reader caches */
  stream_cache aStream[DS_NATTR];
  int64_t textDoc;            /* index in aDoc of the cached text, or -1 */
  ds_buf text;                /* its clean text */
  uint32_t *aOff;             /* token (start, end) byte pairs */
  size_t nOffAlloc;
};

/* ====================== SQL helpers ====================== */

static int sql_error(ds_corpus *c, ds_error *e, const char *zWhat) {
  return ds_error_set(e, DS_SQL, -1, "%s: %s: %s", c->zPath, zWhat, sqlite3_errmsg(c->db));
}

static int exec(ds_corpus *c, const char *zSql, ds_error *e) {
  if (sqlite3_exec(c->db, zSql, NULL, NULL, NULL) != SQLITE_OK) return sql_error(c, e, zSql);
  return DS_OK;
}

static sqlite3_stmt *prep(ds_corpus *c, const char *zSql, ds_error *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db, zSql, -1, &st, NULL) != SQLITE_OK) {
    sql_error(c, e, "prepare");
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

/* Step a statement that returns no rows, and finalize it. */
static int step_done(ds_corpus *c, sqlite3_stmt *st, ds_error *e, const char *zWhat) {
  int rc = sqlite3_step(st);
  int out = rc == SQLITE_DONE ? DS_OK : sql_error(c, e, zWhat);
  sqlite3_finalize(st);
  return out;
}

static const char zSchema[] =
  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
  "CREATE TABLE attrs(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
  "CREATE TABLE segments(id INTEGER PRIMARY KEY, created TEXT NOT NULL,"
  "  cpos_start INTEGER NOT NULL, cpos_end INTEGER, ndocs INTEGER);"
  "CREATE TABLE docs(id INTEGER PRIMARY KEY, seg INTEGER NOT NULL, name TEXT NOT NULL,"
  "  path TEXT, sha256 TEXT NOT NULL UNIQUE, bytes INTEGER NOT NULL, cpos INTEGER NOT NULL,"
  "  ntok INTEGER NOT NULL, nsent INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX docs_cpos ON docs(cpos);"
  "CREATE TABLE doc_meta(doc INTEGER NOT NULL, key TEXT NOT NULL, value TEXT,"
  "  PRIMARY KEY(doc, key)) WITHOUT ROWID;"
  "CREATE TABLE doc_text(doc INTEGER PRIMARY KEY, text TEXT NOT NULL, offsets BLOB NOT NULL);"
  "CREATE TABLE lexicon(attr INTEGER NOT NULL, id INTEGER NOT NULL, str TEXT NOT NULL,"
  "  freq INTEGER NOT NULL, PRIMARY KEY(attr, id)) WITHOUT ROWID;"
  "CREATE UNIQUE INDEX lexicon_str ON lexicon(attr, str);"
  "CREATE TABLE streams(attr INTEGER NOT NULL, doc INTEGER NOT NULL, ids BLOB NOT NULL,"
  "  PRIMARY KEY(attr, doc)) WITHOUT ROWID;"
  "CREATE TABLE postings(attr INTEGER NOT NULL, id INTEGER NOT NULL, seg INTEGER NOT NULL,"
  "  n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(attr, id, seg)) WITHOUT ROWID;"
  "CREATE TABLE spans(kind TEXT NOT NULL, doc INTEGER NOT NULL, n INTEGER NOT NULL,"
  "  data BLOB NOT NULL, PRIMARY KEY(kind, doc)) WITHOUT ROWID;";

static void now_iso(char *z, size_t n) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(z, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int create_schema(ds_corpus *c, ds_error *e) {
  char zNow[32];
  int rc = exec(c, "BEGIN", e);
  if (rc == DS_OK) rc = exec(c, zSchema, e);
  if (rc == DS_OK) {
    sqlite3_stmt *st = prep(c, "INSERT INTO meta VALUES('format_version', ?1),"
                               "('dossier_version', ?2), ('created', ?3)", e);
    if (!st) rc = DS_SQL;
    else {
      now_iso(zNow, sizeof zNow);
      sqlite3_bind_int(st, 1, DS_FORMAT_VERSION);
      sqlite3_bind_text(st, 2, DS_VERSION, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, zNow, -1, SQLITE_STATIC);
      rc = step_done(c, st, e, "write meta");
    }
  }
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) {
    sqlite3_stmt *st = prep(c, "INSERT INTO attrs VALUES(?1, ?2)", e);
    if (!st) { rc = DS_SQL; break; }
    sqlite3_bind_int(st, 1, a);
    sqlite3_bind_text(st, 2, azAttr[a], -1, SQLITE_STATIC);
    rc = step_done(c, st, e, "write attrs");
  }
  if (rc == DS_OK) rc = exec(c, "COMMIT", e);
  else sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

/* Check that the open database is a dossier corpus we can read. */
static int check_format(ds_corpus *c, int flags, ds_error *e) {
  sqlite3_stmt *st = NULL;
  int nTables = -1, rc;
  if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    nTables = sqlite3_column_int(st, 0);
  rc = sqlite3_errcode(c->db);
  sqlite3_finalize(st);
  if (nTables < 0) {
    if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
      return ds_error_set(e, DS_CORRUPT, -1, "%s: not a dossier corpus (not an SQLite database)",
                          c->zPath);
    return sql_error(c, e, "open");
  }
  if (nTables == 0) {
    if (!(flags & DS_OPEN_CREATE) || (flags & DS_OPEN_READONLY))
      return ds_error_set(e, DS_CORRUPT, -1, "%s: not a dossier corpus (empty database)", c->zPath);
    return create_schema(c, e);
  }
  int version = -1;
  if (sqlite3_prepare_v2(c->db, "SELECT value FROM meta WHERE key='format_version'", -1, &st,
                         NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return ds_error_set(e, DS_CORRUPT, -1, "%s: not a dossier corpus (no meta table)", c->zPath);
  }
  if (sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (version < 1)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: not a dossier corpus (no format version)", c->zPath);
  if (version < DS_FORMAT_VERSION)
    return ds_error_set(e, DS_VERSION_MISMATCH, -1,
                        "%s: corpus format version %d is older than this dossier's (%d); "
                        "index the documents again into a new file", c->zPath, version,
                        DS_FORMAT_VERSION);
  if (version > DS_FORMAT_VERSION)
    return ds_error_set(e, DS_VERSION_MISMATCH, -1,
                        "%s: corpus format version %d is newer than this dossier's (%d); "
                        "upgrade dossier", c->zPath, version, DS_FORMAT_VERSION);
  return DS_OK;
}

/* (Re)load the list of documents. */
static int load_docs(ds_corpus *c, ds_error *e) {
  sqlite3_stmt *st = prep(c, "SELECT id, cpos, ntok, nsent, name FROM docs WHERE deleted=0 "
                             "ORDER BY cpos", e);
  if (!st) return DS_SQL;
  c->nDoc = 0;
  ds_buf_reset(&c->names);
  ds_buf nameOff = DS_BUF_INIT;        /* size_t offset of each name in c->names */
  int rc = DS_OK, src;
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    if (c->nDoc == c->nDocAlloc) {
      size_t nNew = c->nDocAlloc ? c->nDocAlloc * 2 : 64;
      ds_docinfo *a = ds_realloc(c->aDoc, nNew * sizeof *a);
      if (!a) { rc = DS_NOMEM; break; }
      c->aDoc = a;
      c->nDocAlloc = nNew;
    }
    ds_docinfo *d = &c->aDoc[c->nDoc];
    d->id = sqlite3_column_int64(st, 0);
    d->cpos = sqlite3_column_int64(st, 1);
    d->nTok = sqlite3_column_int64(st, 2);
    d->nSent = sqlite3_column_int64(st, 3);
    const char *zName = (const char *)sqlite3_column_text(st, 4);
    /* a damaged file must not make sizes that overflow later arithmetic */
    if (d->cpos < 0 || d->nTok < 0 || d->nTok > (int64_t)UINT32_MAX || d->cpos > INT64_MAX / 2) {
      rc = ds_error_set(e, DS_CORRUPT, -1, "%s: document %lld has impossible positions (corrupt file)",
                        c->zPath, (long long)d->id);
      break;
    }
    size_t off = c->names.n;
    ds_buf_append(&nameOff, &off, sizeof off);
    ds_buf_puts(&c->names, zName ? zName : "");
    ds_buf_putc(&c->names, 0);
    c->nDoc++;
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read docs");
  sqlite3_finalize(st);
  if (rc == DS_OK && (c->names.rc || nameOff.rc)) rc = DS_NOMEM;
  if (rc == DS_NOMEM) ds_error_set(e, DS_NOMEM, -1, "out of memory");
  if (rc) c->nDoc = 0;
  for (size_t i = 0; rc == DS_OK && i < c->nDoc; i++) {
    size_t off;
    memcpy(&off, nameOff.p + i * sizeof off, sizeof off);
    c->aDoc[i].zName = (const char *)c->names.p + off;
  }
  ds_buf_free(&nameOff);
  if (rc) return rc;
  /* the next position follows every document ever added, deleted ones included */
  st = prep(c, "SELECT COALESCE(MAX(cpos + ntok), 0) FROM docs WHERE cpos >= 0 AND ntok >= 0", e);
  if (!st) return DS_SQL;
  c->nextCpos = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (c->nextCpos < 0 || c->nextCpos > INT64_MAX / 2)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: corpus positions out of range (corrupt file)", c->zPath);
  c->textDoc = -1;
  for (int a = 0; a < DS_NATTR; a++) c->aStream[a].docIdx = -1;
  return DS_OK;
}

int ds_corpus_open(const char *zPath, int flags, ds_corpus **ppOut, ds_error *e) {
  ds_corpus *c;
  struct stat st;
  int rc, oflags;
  *ppOut = NULL;
  if (stat(zPath, &st) != 0 && !(flags & DS_OPEN_CREATE))
    return ds_error_set(e, DS_IO, -1, "%s: no such corpus file", zPath);
  if (stat(zPath, &st) == 0 && S_ISDIR(st.st_mode))
    return ds_error_set(e, DS_IO, -1, "%s: is a directory, not a corpus file", zPath);
  c = ds_malloc(sizeof *c);
  if (!c) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(c, 0, sizeof *c);
  c->zPath = ds_malloc(strlen(zPath) + 1);
  if (!c->zPath) {
    ds_free(c);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  strcpy(c->zPath, zPath);
  c->bReadonly = (flags & DS_OPEN_READONLY) != 0;
  c->textDoc = -1;
  for (int a = 0; a < DS_NATTR; a++) {
    ds_lexmap_init(&c->aLex[a]);
    c->aStream[a].docIdx = -1;
  }
  oflags = c->bReadonly ? SQLITE_OPEN_READONLY
                        : SQLITE_OPEN_READWRITE | ((flags & DS_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(zPath, &c->db, oflags, NULL) != SQLITE_OK) {
    rc = ds_error_set(e, DS_IO, -1, "%s: cannot open: %s", zPath,
                      c->db ? sqlite3_errmsg(c->db) : "out of memory");
    ds_corpus_close(c);
    return rc;
  }
  sqlite3_busy_timeout(c->db, 10000);
  rc = check_format(c, flags, e);
  if (rc == DS_OK && !c->bReadonly) {
    /* WAL: readers go on while a writer adds; set only once the file is known to be ours */
    rc = exec(c, "PRAGMA journal_mode=WAL", e);
    if (rc == DS_OK) rc = exec(c, "PRAGMA synchronous=NORMAL", e);
  }
  if (rc == DS_OK) rc = load_docs(c, e);
  if (rc) {
    ds_corpus_close(c);
    return rc;
  }
  *ppOut = c;
  return DS_OK;
}

void ds_corpus_close(ds_corpus *c) {
  if (!c) return;
  if (c->bInTxn) ds_corpus_rollback(c);
  sqlite3_close_v2(c->db);
  for (int a = 0; a < DS_NATTR; a++) {
    ds_lexmap_free(&c->aLex[a]);
    ds_buf_free(&c->aStream[a].ids);
  }
  ds_buf_free(&c->scratch);
  ds_buf_free(&c->names);
  ds_buf_free(&c->text);
  ds_free(c->aOff);
  ds_free(c->aDoc);
  ds_free(c->zPath);
  ds_free(c);
}

/* ====================== writing ====================== */

void ds_corpus_set_read(ds_corpus *c, const ds_read_opts *o) {
  c->read = *o;
  c->read.zName = NULL;
}

int ds_corpus_begin(ds_corpus *c, ds_error *e) {
  char zNow[32];
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is already open");
  int rc = exec(c, "BEGIN IMMEDIATE", e);
  if (rc) return rc;
  c->bInTxn = 1;
  rc = load_docs(c, e);     /* another writer may have added documents */
  sqlite3_stmt *st = rc ? NULL : prep(c, "INSERT INTO segments(created, cpos_start) VALUES(?1, ?2)", e);
  if (st) {
    now_iso(zNow, sizeof zNow);
    sqlite3_bind_text(st, 1, zNow, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, c->nextCpos);
    rc = step_done(c, st, e, "new segment");
  } else if (!rc) rc = DS_SQL;
  c->iSeg = sqlite3_last_insert_rowid(c->db);
  c->segCpos = c->nextCpos;
  c->segDocs = 0;
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) {
    st = prep(c, "SELECT COALESCE(MAX(id) + 1, 0) FROM lexicon WHERE attr=?1", e);
    if (!st) { rc = DS_SQL; break; }
    sqlite3_bind_int(st, 1, a);
    if (sqlite3_step(st) == SQLITE_ROW) c->aNextId[a] = (uint32_t)sqlite3_column_int64(st, 0);
    else rc = sql_error(c, e, "read lexicon");
    sqlite3_finalize(st);
  }
  if (rc) ds_corpus_rollback(c);
  return rc;
}

/* The lexicon entry for z[0..n) in attr, from the map, the stored lexicon, or new. */
static ds_lexent *intern(ds_corpus *c, sqlite3_stmt *pFind, int attr, const char *z, size_t n,
                         int *pRc, ds_error *e) {
  ds_lexmap *m = &c->aLex[attr];
  ds_lexent *ent = ds_lexmap_find(m, z, n);
  if (ent) return ent;
  sqlite3_reset(pFind);
  sqlite3_bind_int(pFind, 1, attr);
  sqlite3_bind_text(pFind, 2, z, (int)n, SQLITE_STATIC);
  int src = sqlite3_step(pFind);
  if (src == SQLITE_ROW) {
    ent = ds_lexmap_add(m, z, n, (uint32_t)sqlite3_column_int64(pFind, 0), 0);
  } else if (src == SQLITE_DONE) {
    if (c->aNextId[attr] == UINT32_MAX) { *pRc = DS_LIMIT; return NULL; }
    ent = ds_lexmap_add(m, z, n, c->aNextId[attr]++, 1);
  } else {
    *pRc = sql_error(c, e, "read lexicon");
    return NULL;
  }
  if (!ent) *pRc = DS_NOMEM;
  return ent;
}

static void sha256_hex(const char *z, size_t n, char *zHex) {
  struct sha256_ctx ctx;
  uint8_t dig[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, n, (const uint8_t *)z);
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, dig);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
    zHex[2 * i] = "0123456789abcdef"[dig[i] >> 4];
    zHex[2 * i + 1] = "0123456789abcdef"[dig[i] & 15];
  }
  zHex[2 * SHA256_DIGEST_SIZE] = 0;
}

static int store_text(ds_corpus *c, const ds_doc *d, int64_t docId, ds_error *e);

/* Encode a list of token ranges as a spans blob. */
static void encode_spans(ds_buf *b, const ds_range *a, size_t n, size_t stride) {
  uint32_t prevEnd = 0;
  for (size_t i = 0; i < n; i++) {
    const ds_range *r = (const ds_range *)((const char *)a + i * stride);
    ds_buf_put_varint(b, r->first - prevEnd);
    ds_buf_put_varint(b, r->last - r->first);
    prevEnd = r->last;
  }
}

/* Store metadata key = value for document docId; dates become ISO 8601 when they can. */
static int put_meta_row(ds_corpus *c, int64_t docId, const char *zKey, const char *zVal,
                        ds_error *e) {
  char zIso[32];
  if (strcmp(zKey, "date") == 0 && ds_date_iso(zVal, strlen(zVal), zIso)) zVal = zIso;
  sqlite3_stmt *st = prep(c, "INSERT OR REPLACE INTO doc_meta(doc, key, value) VALUES(?1, ?2, ?3)", e);
  if (!st) return DS_SQL;
  sqlite3_bind_int64(st, 1, docId);
  sqlite3_bind_text(st, 2, zKey, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, zVal, -1, SQLITE_TRANSIENT);
  return step_done(c, st, e, "write metadata");
}

static int insert_blob(ds_corpus *c, const char *zSql, int64_t k1, int64_t k2, int64_t k3,
                       const ds_buf *b, ds_error *e) {
  sqlite3_stmt *st = prep(c, zSql, e);
  if (!st) return DS_SQL;
  sqlite3_bind_int64(st, 1, k1);
  sqlite3_bind_int64(st, 2, k2);
  sqlite3_bind_int64(st, 3, k3);
  sqlite3_bind_blob(st, 4, b->p ? (const void *)b->p : "", (int)b->n, SQLITE_STATIC);
  return step_done(c, st, e, "write");
}

/*
** Store the parsed document d as document docId: token streams, text, spans; then, once
** every row is written, its occurrences go into the segment's in-memory postings (so a
** failure leaves the postings as they were).
*/
static int store_doc(ds_corpus *c, const ds_doc *d, int64_t docId, int64_t cpos, ds_error *e) {
  int rc = DS_OK;
  ds_buf ids[DS_NATTR];
  for (int a = 0; a < DS_NATTR; a++) ids[a] = (ds_buf)DS_BUF_INIT;
  ds_buf ents = DS_BUF_INIT;                 /* entry index per (token, attr), u32 */
  ds_buf *fold = &c->scratch;
  sqlite3_stmt *pFind = prep(c, "SELECT id FROM lexicon WHERE attr=?1 AND str=?2", e);
  if (!pFind) return DS_SQL;
  for (size_t t = 0; t < d->nTok && rc == DS_OK; t++) {
    const char *z = d->zText + d->aTok[t].start;
    size_t n = d->aTok[t].end - d->aTok[t].start;
    ds_buf_reset(fold);
    if (ds_utf8_fold(z, n, fold)) { rc = DS_NOMEM; break; }
    size_t nLemma;
    const char *zLemma = ds_doc_lemma(d, t, &nLemma);
    const char *zPos = ds_doc_upos(d, t), *zXpos = ds_doc_xpos(d, t);
    const char *az[DS_NATTR] = {z, (const char *)fold->p, zLemma, zPos, zXpos};
    size_t an[DS_NATTR] = {n, fold->n, nLemma, strlen(zPos), strlen(zXpos)};
    for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) {
      ds_lexent *ent = intern(c, pFind, a, az[a], an[a], &rc, e);
      if (!ent) break;
      ds_buf_put_u32(&ids[a], ent->id);
      ds_buf_put_u32(&ents, (uint32_t)(ent - c->aLex[a].aEnt));
    }
  }
  sqlite3_finalize(pFind);
  if (rc == DS_OK && ents.rc) rc = DS_NOMEM;
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) {
    if (ids[a].rc) rc = DS_NOMEM;
    else rc = insert_blob(c, "INSERT INTO streams(attr, doc, ids) VALUES(?1, ?2, ?4)", a, docId,
                          0, &ids[a], e);
  }
  for (int a = 0; a < DS_NATTR; a++) ds_buf_free(&ids[a]);
  if (rc) {
    ds_buf_free(&ents);
    return rc == DS_NOMEM ? ds_error_set(e, DS_NOMEM, -1, "out of memory")
         : rc == DS_LIMIT ? ds_error_set(e, DS_LIMIT, -1, "%s: lexicon full", c->zPath)
         : rc;
  }
  rc = store_text(c, d, docId, e);
  for (size_t t = 0; t < d->nTok && rc == DS_OK; t++)
    for (int a = 0; a < DS_NATTR; a++) {
      ds_lexent *ent = &c->aLex[a].aEnt[ds_get_u32(ents.p + 4 * (t * DS_NATTR + (size_t)a))];
      if (ds_lexent_occur(ent, cpos + (int64_t)t)) {
        c->bBroken = 1;    /* postings half-written: the segment cannot be committed */
        rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
        break;
      }
    }
  ds_buf_free(&ents);
  return rc;
}

/* Store the clean text, token offsets and spans of d. */
static int store_text(ds_corpus *c, const ds_doc *d, int64_t docId, ds_error *e) {
  int rc = DS_OK;
  /* text and token offsets */
  ds_buf off = DS_BUF_INIT;
  uint32_t prevEnd = 0;
  for (size_t t = 0; t < d->nTok; t++) {
    ds_buf_put_varint(&off, d->aTok[t].start - prevEnd);
    ds_buf_put_varint(&off, d->aTok[t].end - d->aTok[t].start);
    prevEnd = d->aTok[t].end;
  }
  sqlite3_stmt *st = prep(c, "INSERT INTO doc_text(doc, text, offsets) VALUES(?1, ?2, ?3)", e);
  if (!st) rc = DS_SQL;
  else if (off.rc) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  else {
    sqlite3_bind_int64(st, 1, docId);
    sqlite3_bind_text(st, 2, d->zText, (int)d->nText, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, off.p ? (const void *)off.p : "", (int)off.n, SQLITE_STATIC);
    rc = step_done(c, st, e, "write text");
    st = NULL;
  }
  sqlite3_finalize(st);
  ds_buf_free(&off);

  /* sentences, paragraphs, headings, footnotes */
  ds_buf b = DS_BUF_INIT;
  if (rc == DS_OK) {
    encode_spans(&b, d->aSent, d->nSent, sizeof *d->aSent);
    rc = b.rc ? ds_error_set(e, DS_NOMEM, -1, "out of memory")
              : insert_blob(c, "INSERT INTO spans VALUES('s', ?1, ?2, ?4)", docId,
                            (int64_t)d->nSent, 0, &b, e);
  }
  static const struct { int kind; const char *zSql; } aKind[] = {
    {-1, "INSERT INTO spans VALUES('p', ?1, ?2, ?4)"},
    {DS_PARA_HEADING, "INSERT INTO spans VALUES('head', ?1, ?2, ?4)"},
    {DS_PARA_FOOTNOTE, "INSERT INTO spans VALUES('note', ?1, ?2, ?4)"},
  };
  for (size_t k = 0; k < sizeof aKind / sizeof *aKind && rc == DS_OK; k++) {
    uint32_t spanEnd = 0;
    size_t nSpan = 0;
    ds_buf_reset(&b);
    for (size_t p = 0; p < d->nPara; p++) {
      const ds_range *r = &d->aPara[p].tok;
      if ((aKind[k].kind >= 0 && d->aPara[p].kind != aKind[k].kind) || r->first == r->last) continue;
      ds_buf_put_varint(&b, r->first - spanEnd);
      ds_buf_put_varint(&b, r->last - r->first);
      spanEnd = r->last;
      nSpan++;
    }
    if (b.rc) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    else if (nSpan || aKind[k].kind < 0) rc = insert_blob(c, aKind[k].zSql, docId, (int64_t)nSpan, 0, &b, e);
  }
  ds_buf_free(&b);
  return rc;
}

int ds_corpus_add_text(ds_corpus *c, const char *z, size_t n, const char *zName,
                       const char *zPath, const ds_meta *pMeta, int64_t *pDocId,
                       ds_error *e) {
  char zSha[2 * SHA256_DIGEST_SIZE + 1];
  ds_doc *d = NULL;
  int rc;
  *pDocId = 0;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open (call begin first)");
  if (!zName) zName = zPath ? zPath : "<text>";
  sha256_hex(z, n, zSha);
  sqlite3_stmt *st = prep(c, "SELECT id FROM docs WHERE sha256=?1", e);
  if (!st) return DS_SQL;
  sqlite3_bind_text(st, 1, zSha, -1, SQLITE_STATIC);
  int src = sqlite3_step(st);
  sqlite3_finalize(st);
  if (src == SQLITE_ROW) return DS_OK;            /* the same bytes are already stored */
  if (src != SQLITE_DONE) return sql_error(c, e, "find document");

  const char *zWhere = zPath ? zPath : zName;      /* errors name the file */
  ds_read_opts ro = c->read;
  ro.zName = zWhere;
  rc = ds_parse(z, n, &ro, &d, e);
  if (rc) return rc;
  if (d->nTok == 0) {
    ds_doc_free(d);
    return ds_error_set(e, DS_FORMAT, -1, "%s: no text (empty or blank)", zWhere);
  }
  /* everything of this document goes in a savepoint: on error, none of it stays */
  rc = exec(c, "SAVEPOINT doc", e);
  if (rc) { ds_doc_free(d); return rc; }
  int64_t cpos = c->nextCpos, docId = 0;
  st = prep(c, "INSERT INTO docs(seg, name, path, sha256, bytes, cpos, ntok, nsent) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", e);
  if (!st) rc = DS_SQL;
  else {
    sqlite3_bind_int64(st, 1, c->iSeg);
    sqlite3_bind_text(st, 2, zName, -1, SQLITE_STATIC);
    if (zPath) sqlite3_bind_text(st, 3, zPath, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, zSha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (int64_t)n);
    sqlite3_bind_int64(st, 6, cpos);
    sqlite3_bind_int64(st, 7, (int64_t)d->nTok);
    sqlite3_bind_int64(st, 8, (int64_t)d->nSent);
    rc = step_done(c, st, e, "write document");
    docId = sqlite3_last_insert_rowid(c->db);
  }
  /* the document's own metadata first: what the caller gives replaces it */
  for (size_t i = 0, off = 0; rc == DS_OK && i < d->nMeta; i++) {
    const char *zKey = (const char *)d->meta.p + off;
    const char *zVal = zKey + strlen(zKey) + 1;
    off += strlen(zKey) + strlen(zVal) + 2;
    rc = put_meta_row(c, docId, zKey, zVal, e);
  }
  for (size_t i = 0; rc == DS_OK && pMeta && i < pMeta->n; i++)
    rc = put_meta_row(c, docId, pMeta->azKey[i], pMeta->azVal[i], e);
  if (rc == DS_OK) rc = store_doc(c, d, docId, cpos, e);
  if (rc == DS_OK) rc = exec(c, "RELEASE doc", e);
  if (rc) {
    /* the in-memory postings of this document are lost with the map: start it afresh */
    sqlite3_exec(c->db, "ROLLBACK TO doc; RELEASE doc", NULL, NULL, NULL);
    ds_doc_free(d);
    return rc;
  }
  c->nextCpos += (int64_t)d->nTok;
  c->segDocs++;
  ds_doc_free(d);
  *pDocId = docId;
  return DS_OK;
}

int ds_corpus_add_file(ds_corpus *c, const char *zPath, const char *zName,
                       const ds_meta *pMeta, int64_t *pDocId, ds_error *e) {
  char *z;
  size_t n;
  *pDocId = 0;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open (call begin first)");
  int rc = ds_read_file(zPath, &z, &n, e);
  if (rc) return rc;
  rc = ds_corpus_add_text(c, z, n, zName ? zName : zPath, zPath, pMeta, pDocId, e);
  ds_free(z);
  return rc;
}

/* Write lexicon frequencies and the segment's postings for one attribute. */
static int flush_attr(ds_corpus *c, int attr, ds_error *e) {
  ds_lexmap *m = &c->aLex[attr];
  int rc = DS_OK;
  sqlite3_stmt *pNew = prep(c, "INSERT INTO lexicon(attr, id, str, freq) VALUES(?1, ?2, ?3, ?4)", e);
  sqlite3_stmt *pUpd = prep(c, "UPDATE lexicon SET freq = freq + ?4 WHERE attr=?1 AND id=?2", e);
  sqlite3_stmt *pPost = prep(c, "INSERT INTO postings(attr, id, seg, n, data) "
                                "VALUES(?1, ?2, ?5, ?4, ?6)", e);
  if (!pNew || !pUpd || !pPost) rc = DS_SQL;
  for (size_t i = 0; i < m->nEnt && rc == DS_OK; i++) {
    ds_lexent *ent = &m->aEnt[i];
    /* a new string whose document failed still owns its id: store it with frequency 0 */
    if (ent->nAdded == 0 && !ent->isNew) continue;
    sqlite3_stmt *aSt[2] = {ent->isNew ? pNew : pUpd, pPost};
    for (int k = 0; k < (ent->nAdded ? 2 : 1) && rc == DS_OK; k++) {
      sqlite3_stmt *st = aSt[k];
      sqlite3_reset(st);
      sqlite3_bind_int(st, 1, attr);
      sqlite3_bind_int64(st, 2, ent->id);
      if (st == pNew) sqlite3_bind_text(st, 3, ds_lexent_str(m, ent), (int)ent->len, SQLITE_STATIC);
      sqlite3_bind_int64(st, 4, (int64_t)ent->nAdded);
      if (st == pPost) {
        sqlite3_bind_int64(st, 5, c->iSeg);
        sqlite3_bind_blob(st, 6, ent->post.p, (int)ent->post.n, SQLITE_STATIC);
      }
      if (sqlite3_step(st) != SQLITE_DONE) rc = sql_error(c, e, "write lexicon");
    }
  }
  sqlite3_finalize(pNew);
  sqlite3_finalize(pUpd);
  sqlite3_finalize(pPost);
  return rc;
}

int ds_corpus_commit(ds_corpus *c, ds_error *e) {
  int rc = DS_OK;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open");
  if (c->bBroken) {
    ds_corpus_rollback(c);
    return ds_error_set(e, DS_NOMEM, -1, "%s: segment abandoned after running out of memory",
                        c->zPath);
  }
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) rc = flush_attr(c, a, e);
  if (rc == DS_OK) {
    sqlite3_stmt *st = c->segDocs
      ? prep(c, "UPDATE segments SET cpos_end=?2, ndocs=?3 WHERE id=?1", e)
      : prep(c, "DELETE FROM segments WHERE id=?1", e);     /* nothing added: no segment */
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, c->iSeg);
      if (c->segDocs) {
        sqlite3_bind_int64(st, 2, c->nextCpos);
        sqlite3_bind_int64(st, 3, c->segDocs);
      }
      rc = step_done(c, st, e, "close segment");
    }
  }
  if (rc == DS_OK) rc = exec(c, "COMMIT", e);
  if (rc) {
    ds_corpus_rollback(c);
    return rc;
  }
  c->bInTxn = 0;
  for (int a = 0; a < DS_NATTR; a++) {
    ds_lexmap *m = &c->aLex[a];
    for (size_t i = 0; i < m->nEnt; i++) {
      m->aEnt[i].isNew = 0;
      m->aEnt[i].nAdded = 0;
      m->aEnt[i].lastPos = -1;
      ds_buf_free(&m->aEnt[i].post);
    }
  }
  return load_docs(c, e);
}

void ds_corpus_rollback(ds_corpus *c) {
  if (!c->bInTxn) return;
  sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  c->bInTxn = 0;
  c->bBroken = 0;
  for (int a = 0; a < DS_NATTR; a++) ds_lexmap_clear(&c->aLex[a]);
  load_docs(c, NULL);
}

/* ====================== reading ====================== */

static int64_t count_of(ds_corpus *c, const char *zSql, int attr) {
  sqlite3_stmt *st = NULL;
  int64_t n = -1;
  if (sqlite3_prepare_v2(c->db, zSql, -1, &st, NULL) == SQLITE_OK) {
    if (attr >= 0) sqlite3_bind_int(st, 1, attr);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return n;
}

int ds_corpus_info(ds_corpus *c, ds_info *p, ds_error *e) {
  memset(p, 0, sizeof *p);
  p->formatVersion = (int)count_of(c, "SELECT value FROM meta WHERE key='format_version'", -1);
  p->nDocs = count_of(c, "SELECT count(*) FROM docs WHERE deleted=0", -1);
  p->nTokens = count_of(c, "SELECT COALESCE(SUM(ntok), 0) FROM docs WHERE deleted=0", -1);
  p->nSegments = count_of(c, "SELECT count(*) FROM segments", -1);
  p->nSentences = count_of(c, "SELECT COALESCE(SUM(n), 0) FROM spans WHERE kind='s' AND doc IN "
                              "(SELECT id FROM docs WHERE deleted=0)", -1);
  p->nParagraphs = count_of(c, "SELECT COALESCE(SUM(n), 0) FROM spans WHERE kind='p' AND doc IN "
                               "(SELECT id FROM docs WHERE deleted=0)", -1);
  p->nBytes = count_of(c, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", -1);
  for (int a = 0; a < DS_NATTR; a++)
    p->anTypes[a] = count_of(c, "SELECT count(*) FROM lexicon WHERE attr=?1 AND freq>0", a);
  if (p->nDocs < 0 || p->nTokens < 0 || p->nSegments < 0) return sql_error(c, e, "info");
  return DS_OK;
}

size_t ds_corpus_ndocs(const ds_corpus *c) { return c->nDoc; }

const ds_docinfo *ds_corpus_doc(const ds_corpus *c, size_t i) {
  return i < c->nDoc ? &c->aDoc[i] : NULL;
}

int64_t ds_corpus_doc_at(const ds_corpus *c, int64_t cpos) {
  size_t lo = 0, hi = c->nDoc;
  while (lo < hi) {                      /* first document starting after cpos */
    size_t mid = lo + (hi - lo) / 2;
    if (c->aDoc[mid].cpos <= cpos) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return -1;
  const ds_docinfo *d = &c->aDoc[lo - 1];
  return cpos < d->cpos + d->nTok ? (int64_t)(lo - 1) : -1;
}

int ds_corpus_doc_meta(ds_corpus *c, int64_t docId,
                       int (*xMeta)(void *ctx, const char *zKey, const char *zVal),
                       void *ctx, ds_error *e) {
  sqlite3_stmt *st = prep(c, "SELECT key, value FROM doc_meta WHERE doc=?1 ORDER BY key", e);
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
  if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read metadata");
  sqlite3_finalize(st);
  return rc;
}

int ds_corpus_lookup(ds_corpus *c, int attr, const char *z, size_t n, uint32_t *pId,
                     int64_t *pFreq, ds_error *e) {
  sqlite3_stmt *st = prep(c, "SELECT id, freq FROM lexicon WHERE attr=?1 AND str=?2", e);
  if (!st) return DS_SQL;
  sqlite3_bind_int(st, 1, attr);
  sqlite3_bind_text(st, 2, z, (int)n, SQLITE_STATIC);
  int src = sqlite3_step(st), rc = DS_DONE;
  if (src == SQLITE_ROW) {
    *pId = (uint32_t)sqlite3_column_int64(st, 0);
    *pFreq = sqlite3_column_int64(st, 1);
    rc = DS_OK;
  } else if (src != SQLITE_DONE) {
    rc = sql_error(c, e, "read lexicon");
  }
  sqlite3_finalize(st);
  return rc;
}

int ds_corpus_postings(ds_corpus *c, int attr, uint32_t id, int64_t **pa, size_t *pn,
                       ds_error *e) {
  sqlite3_stmt *st = prep(c, "SELECT data FROM postings WHERE attr=?1 AND id=?2 ORDER BY seg", e);
  size_t nAlloc = 0;
  int rc = DS_OK, src;
  *pa = NULL;
  *pn = 0;
  if (!st) return DS_SQL;
  sqlite3_bind_int(st, 1, attr);
  sqlite3_bind_int64(st, 2, id);
  while (rc == DS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    size_t nBefore = *pn;
    const unsigned char *pData = sqlite3_column_blob(st, 0);
    if (!pData) {                         /* NULL or empty: a damaged row */
      rc = DS_CORRUPT;
      break;
    }
    rc = ds_postings_decode(pData, (size_t)sqlite3_column_bytes(st, 0), pa, pn, &nAlloc);
    if (rc == DS_OK && nBefore > 0 && *pn > nBefore && (*pa)[nBefore] <= (*pa)[nBefore - 1])
      rc = DS_CORRUPT;
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read postings");
  sqlite3_finalize(st);
  if (rc == DS_CORRUPT)
    ds_error_set(e, rc, -1, "%s: corrupt postings for %s id %u", c->zPath, azAttr[attr], id);
  else if (rc == DS_NOMEM)
    ds_error_set(e, rc, -1, "out of memory");
  if (rc) {
    ds_free(*pa);
    *pa = NULL;
    *pn = 0;
  }
  return rc;
}

int ds_corpus_id_at(ds_corpus *c, int attr, int64_t cpos, uint32_t *pId, ds_error *e) {
  int64_t k = ds_corpus_doc_at(c, cpos);
  if (k < 0) return ds_error_set(e, DS_MISUSE, -1, "corpus position %lld is in no document",
                                 (long long)cpos);
  stream_cache *sc = &c->aStream[attr];
  const ds_docinfo *d = &c->aDoc[k];
  if (sc->docIdx != k) {
    sqlite3_stmt *st = prep(c, "SELECT ids FROM streams WHERE attr=?1 AND doc=?2", e);
    if (!st) return DS_SQL;
    sqlite3_bind_int(st, 1, attr);
    sqlite3_bind_int64(st, 2, d->id);
    int src = sqlite3_step(st);
    size_t n = src == SQLITE_ROW ? (size_t)sqlite3_column_bytes(st, 0) : 0;
    sc->docIdx = -1;
    ds_buf_reset(&sc->ids);
    if (src == SQLITE_ROW && n == (size_t)d->nTok * 4) ds_buf_append(&sc->ids, sqlite3_column_blob(st, 0), n);
    sqlite3_finalize(st);
    if (src != SQLITE_ROW || n != (size_t)d->nTok * 4)
      return ds_error_set(e, DS_CORRUPT, -1, "%s: token stream of %s missing or of the wrong size",
                          c->zPath, d->zName);
    if (sc->ids.rc) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
    sc->docIdx = k;
  }
  *pId = ds_get_u32(sc->ids.p + 4 * (size_t)(cpos - d->cpos));
  return DS_OK;
}

/* Load document k's text and token offsets into the cache. */
static int load_text(ds_corpus *c, int64_t k, ds_error *e) {
  if (c->textDoc == k) return DS_OK;
  const ds_docinfo *d = &c->aDoc[k];
  sqlite3_stmt *st = prep(c, "SELECT text, offsets FROM doc_text WHERE doc=?1", e);
  if (!st) return DS_SQL;
  sqlite3_bind_int64(st, 1, d->id);
  c->textDoc = -1;
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return ds_error_set(e, DS_CORRUPT, -1, "%s: text of %s is missing", c->zPath, d->zName);
  }
  size_t nText = (size_t)sqlite3_column_bytes(st, 0);
  const unsigned char *zText = sqlite3_column_text(st, 0);
  ds_buf_reset(&c->text);
  if (zText) ds_buf_append(&c->text, zText, nText);
  const unsigned char *p = sqlite3_column_blob(st, 1);
  if (!p) p = (const unsigned char *)"";    /* NULL or empty: the decoding below reports it */
  const unsigned char *end = p + sqlite3_column_bytes(st, 1);
  size_t nTok = (size_t)d->nTok;
  int rc = DS_OK;
  if (2 * nTok > c->nOffAlloc) {
    uint32_t *a = ds_realloc(c->aOff, 2 * nTok * sizeof *a);
    if (!a) rc = DS_NOMEM;
    else { c->aOff = a; c->nOffAlloc = 2 * nTok; }
  }
  uint64_t prevEnd = 0;
  for (size_t t = 0; t < nTok && rc == DS_OK; t++) {
    uint64_t gap, len;
    if (ds_get_varint(&p, end, &gap) || ds_get_varint(&p, end, &len) || gap > nText ||
        len > nText || prevEnd + gap + len > nText) {
      rc = DS_CORRUPT;
      break;
    }
    c->aOff[2 * t] = (uint32_t)(prevEnd + gap);
    c->aOff[2 * t + 1] = (uint32_t)(prevEnd + gap + len);
    prevEnd += gap + len;
  }
  sqlite3_finalize(st);
  if (rc == DS_OK && c->text.rc) rc = DS_NOMEM;
  if (rc == DS_CORRUPT)
    return ds_error_set(e, rc, -1, "%s: token offsets of %s are corrupt", c->zPath, d->zName);
  if (rc) return ds_error_set(e, rc, -1, "out of memory");
  c->textDoc = k;
  return DS_OK;
}

/* Append z[a..b) with line breaks and tabs as spaces. */
static void put_flat(ds_buf *b, const char *z, size_t a, size_t e) {
  for (size_t i = a; i < e; i++) {
    char ch = z[i];
    ds_buf_putc(b, (ch == '\n' || ch == '\t' || ch == '\r') ? ' ' : ch);
  }
}

int ds_corpus_kwic(ds_corpus *c, int64_t first, int64_t last, int width, ds_buf *pLeft,
                   ds_buf *pMatch, ds_buf *pRight, ds_error *e) {
  int64_t k = ds_corpus_doc_at(c, first);
  if (k < 0 || ds_corpus_doc_at(c, last) != k || last < first)
    return ds_error_set(e, DS_MISUSE, -1, "match %lld..%lld is not inside one document",
                        (long long)first, (long long)last);
  int rc = load_text(c, k, e);
  if (rc) return rc;
  const ds_docinfo *d = &c->aDoc[k];
  const char *z = (const char *)c->text.p;
  size_t nText = c->text.n;
  size_t a = c->aOff[2 * (first - d->cpos)], b = c->aOff[2 * (last - d->cpos) + 1];
  /* `width` code points back from a and forward from b, skipping continuation bytes */
  size_t l = a, r = b;
  for (int n = 0; n < width && l > 0; n++) {
    l--;
    while (l > 0 && ((unsigned char)z[l] & 0xC0) == 0x80) l--;
  }
  for (int n = 0; n < width && r < nText; n++) {
    r++;
    while (r < nText && ((unsigned char)z[r] & 0xC0) == 0x80) r++;
  }
  put_flat(pLeft, z, l, a);
  put_flat(pMatch, z, a, b);
  put_flat(pRight, z, b, r);
  if (pLeft->rc || pMatch->rc || pRight->rc) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  return DS_OK;
}

/* ====================== integrity ====================== */

static void problem(ds_buf *r, int64_t *pn, const char *zFmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

static void problem(ds_buf *r, int64_t *pn, const char *zFmt, ...) {
  char z[512];
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(z, sizeof z, zFmt, ap);
  va_end(ap);
  if (*pn < 100) {                 /* a damaged file could give millions; the first do */
    ds_buf_puts(r, z);
    ds_buf_putc(r, '\n');
  }
  (*pn)++;
}

int ds_corpus_check(ds_corpus *c, ds_buf *r, int64_t *pn, ds_error *e) {
  *pn = 0;
  sqlite3_stmt *st = prep(c, "PRAGMA integrity_check", e);
  if (!st) return DS_SQL;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *z = (const char *)sqlite3_column_text(st, 0);
    if (z && strcmp(z, "ok") != 0) problem(r, pn, "sqlite: %s", z);
  }
  sqlite3_finalize(st);
  if (*pn) return DS_OK;               /* the rest would only repeat the damage */

  /* documents: laid end to end in corpus order */
  int64_t expect = 0;
  st = prep(c, "SELECT id, name, cpos, ntok FROM docs ORDER BY cpos", e);
  if (!st) return DS_SQL;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t cpos = sqlite3_column_int64(st, 2), ntok = sqlite3_column_int64(st, 3);
    if (cpos != expect || ntok <= 0)
      problem(r, pn, "document %lld (%s): positions %lld..%lld, expected to start at %lld",
              (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1), (long long)cpos,
              (long long)(cpos + ntok - 1), (long long)expect);
    expect = cpos + ntok;
  }
  sqlite3_finalize(st);

  /* per live document: streams, text offsets, spans */
  for (size_t k = 0; k < c->nDoc; k++) {
    const ds_docinfo *d = &c->aDoc[k];
    for (int a = 0; a < DS_NATTR; a++) {
      uint32_t id;
      ds_error e2;
      c->aStream[a].docIdx = -1;
      if (ds_corpus_id_at(c, a, d->cpos, &id, &e2)) problem(r, pn, "%s", e2.msg);
    }
    ds_error e3;
    c->textDoc = -1;
    if (load_text(c, (int64_t)k, &e3)) problem(r, pn, "%s", e3.msg);
    st = prep(c, "SELECT kind, n, data FROM spans WHERE doc=?1", e);
    if (!st) return DS_SQL;
    sqlite3_bind_int64(st, 1, d->id);
    while (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char *p = sqlite3_column_blob(st, 2);
      if (!p) {
        problem(r, pn, "document %s: `%s` spans are missing", d->zName, sqlite3_column_text(st, 0));
        continue;
      }
      const unsigned char *end = p + sqlite3_column_bytes(st, 2);
      int64_t n = sqlite3_column_int64(st, 1), i = 0;
      uint64_t at = 0, gap, len;
      for (; i < n; i++) {
        if (ds_get_varint(&p, end, &gap) || ds_get_varint(&p, end, &len)) break;
        at += gap + len;
      }
      if (i < n || p != end || at > (uint64_t)d->nTok)
        problem(r, pn, "document %s: `%s` spans are corrupt", d->zName, sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
  }

  /* postings: ascending, inside live documents, counting what the lexicon says */
  st = prep(c, "SELECT l.attr, l.id, l.str, l.freq, "
               "(SELECT COALESCE(SUM(n), 0) FROM postings p WHERE p.attr=l.attr AND p.id=l.id) "
               "FROM lexicon l", e);
  if (!st) return DS_SQL;
  while (sqlite3_step(st) == SQLITE_ROW && *pn < 100) {
    int attr = sqlite3_column_int(st, 0);
    uint32_t id = (uint32_t)sqlite3_column_int64(st, 1);
    int64_t freq = sqlite3_column_int64(st, 3), nPost = sqlite3_column_int64(st, 4);
    if (freq != nPost)
      problem(r, pn, "lexicon %s `%s`: frequency %lld but %lld postings", ds_attr_name(attr),
              sqlite3_column_text(st, 2), (long long)freq, (long long)nPost);
    int64_t *aPos;
    size_t nPos;
    ds_error e2;
    if (ds_corpus_postings(c, attr, id, &aPos, &nPos, &e2)) {
      problem(r, pn, "%s", e2.msg);
      continue;
    }
    if ((int64_t)nPos != nPost)
      problem(r, pn, "postings of %s `%s`: %zu positions, the rows say %lld", ds_attr_name(attr),
              sqlite3_column_text(st, 2), nPos, (long long)nPost);
    for (size_t i = 0; i < nPos; i++) {
      if (aPos[i] >= expect || (i > 0 && aPos[i] <= aPos[i - 1])) {
        problem(r, pn, "postings of %s `%s`: position %lld out of order or range", ds_attr_name(attr),
                sqlite3_column_text(st, 2), (long long)aPos[i]);
        break;
      }
      /* a sample of positions must hold the id in the token stream */
      if ((i & 63) == 0) {
        uint32_t got;
        if (ds_corpus_doc_at(c, aPos[i]) >= 0 && ds_corpus_id_at(c, attr, aPos[i], &got, &e2) == DS_OK &&
            got != id)
          problem(r, pn, "postings of %s `%s`: position %lld holds id %u", ds_attr_name(attr),
                  sqlite3_column_text(st, 2), (long long)aPos[i], got);
      }
    }
    ds_free(aPos);
  }
  sqlite3_finalize(st);
  if (r->rc) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  return DS_OK;
}
