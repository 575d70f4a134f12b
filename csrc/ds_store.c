/*
** ds_store.c -- the corpus file's base: attribute names, SQL helpers, the schema and
** format checks, opening and closing, the list of documents, refresh and info. The rest
** of the store is in ds_store_*.c (see ds_storeInt.h).
*/
#include "ds_storeInt.h"
#include "ds_fts5.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static const char *const azAttr[DS_NATTR] = {"word", "norm", "lemma", "pos", "xpos"};

const char *ds_attr_name(int attr) {
  return attr >= 0 && attr < DS_NATTR ? azAttr[attr] : NULL;
}

int ds_attr_find(const char *zName) {
  for (int a = 0; a < DS_NATTR; a++)
    if (strcmp(azAttr[a], zName) == 0) return a;
  return -1;
}

/* The SQL of the statements kept prepared (ST_*, ds_storeInt.h). */
static const char *const azStSql[ST_N] = {
  "SELECT id FROM docs WHERE sha256=?1",
  "INSERT INTO docs(seg, name, path, sha256, bytes, cpos, ntok, nsent) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  "INSERT OR REPLACE INTO doc_meta(doc, key, value) VALUES(?1, ?2, ?3)",
  "INSERT INTO tokens(doc, first, n, width, types, ws) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
  "INSERT INTO spans(kind, doc, n, data, vals) VALUES(?1, ?2, ?3, ?4, ?5)",
  "SELECT id FROM lexicon WHERE attr=?1 AND str=?2",
  "SELECT id FROM gaps WHERE str=?1",
  "SAVEPOINT doc",
  "RELEASE doc",
  "UPDATE docs SET ntok=?2, nsent=?3 WHERE id=?1",
  /* the parts of document ?1 holding tokens ?2 .. ?3-1 (the part holding ?2, then on) */
  "SELECT first, n, width, types, ws FROM tokens WHERE doc=?1 AND first < ?3 AND first >= "
  "COALESCE((SELECT first FROM tokens WHERE doc=?1 AND first <= ?2 ORDER BY first DESC LIMIT 1), 0) "
  "ORDER BY first",
  "SELECT id, freq FROM lexicon WHERE attr=?1 AND str=?2",
  "SELECT n, data FROM postings WHERE attr=?1 AND id=?2 ORDER BY seg",
  /* the part of document ?1 holding token ?2 */
  "SELECT first, n, width, types, ws, rowid FROM tokens WHERE doc=?1 AND first<=?2 ORDER BY first DESC LIMIT 1",
  "SELECT n, data, vals FROM spans WHERE kind=?1 AND doc=?2",
  /* the parts whose row ids are the JSON array ?1, a row each in its order (NULLs where
     there is no such row) */
  "SELECT t.doc, t.first, t.n, t.width, t.types, t.ws FROM json_each(?1) LEFT JOIN tokens AS t ON t.rowid = value",
};

/* ====================== SQL helpers ====================== */

static int writable_dir(const char *zPath);

/* Is the file zPath + zSuffix there and not writable by this process? */
static int readonly_sidecar(const char *zPath, const char *zSuffix) {
  char z[4096];
  if (snprintf(z, sizeof z, "%s%s", zPath, zSuffix) >= (int)sizeof z) return 0;
  return access(z, F_OK) == 0 && access(z, W_OK) != 0;
}

/*
** Why a write to c was refused as read-only, naming the cause: the corpus file, its
** -wal or -shm file (left by a reader of a read-only corpus), or its directory.
*/
static int readonly_error(ds_corpus *c, ds_error *e, const char *zWhat) {
  const char *zP = c->zPath;
  if (c->bReadonly)
    return ds_error_set(e, DS_IO, -1, "%s: %s: the corpus was opened read-only", zP, zWhat);
  if (access(zP, W_OK) != 0)
    return ds_error_set(e, DS_IO, -1, "%s: %s: the corpus file is read-only", zP, zWhat);
  for (int k = 0; k < 2; k++) {
    const char *zSfx = k ? "-shm" : "-wal";
    if (readonly_sidecar(zP, zSfx))
      return ds_error_set(e, DS_IO, -1, "%s: %s: the corpus's %s%s file is read-only (make it "
                          "writable, or remove %s-wal and %s-shm while no process uses the corpus)",
                          zP, zWhat, zP, zSfx, zP, zP);
  }
  if (!writable_dir(zP))
    return ds_error_set(e, DS_IO, -1, "%s: %s: its directory is read-only (SQLite makes its "
                        "-wal and -shm files beside the corpus)", zP, zWhat);
  return ds_error_set(e, DS_IO, -1, "%s: %s: the corpus file is read-only (%s)", zP, zWhat,
                      sqlite3_errmsg(c->db));
}

int ds_store_sql_error(ds_corpus *c, ds_error *e, const char *zWhat) {
  int rc = sqlite3_errcode(c->db);
  if ((rc & 0xFF) == SQLITE_FULL)
    return ds_error_set(e, DS_IO, -1, "%s: %s: the disk is full (nothing of this run was stored)",
                        c->zPath, zWhat);
  if ((rc & 0xFF) == SQLITE_READONLY) return readonly_error(c, e, zWhat);
  if ((rc & 0xFF) == SQLITE_CANTOPEN && !c->bReadonly && !writable_dir(c->zPath))
    return readonly_error(c, e, zWhat);
  if ((rc & 0xFF) == SQLITE_BUSY)
    return ds_error_set(e, DS_IO, -1, "%s: %s: another process is writing to this corpus "
                        "(waited 10 s)", c->zPath, zWhat);
  if ((rc & 0xFF) == SQLITE_IOERR || (rc & 0xFF) == SQLITE_CANTOPEN) {
    /* the system's reason: SQLite keeps it only for some calls, so look at the limits too */
    int sys = sqlite3_system_errno(c->db);
    struct rlimit lim;
    struct statvfs vfs;
    char zWhy[160];
    if (sys == EFBIG || (!sys && getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY))
      snprintf(zWhy, sizeof zWhy, "file too large: the file-size limit (ulimit -f) was reached");
    else if (sys == ENOSPC || (!sys && statvfs(c->zPath, &vfs) == 0 && vfs.f_bavail * vfs.f_frsize < (1u << 20)))
      snprintf(zWhy, sizeof zWhy, "the disk is full");
    else
      snprintf(zWhy, sizeof zWhy, "%s", sys ? strerror(sys) : "no reason given by the system");
    return ds_error_set(e, DS_IO, -1, "%s: %s: %s (%s); nothing of this run was stored", c->zPath,
                        zWhat, sqlite3_errmsg(c->db), zWhy);
  }
  return ds_error_set(e, DS_SQL, -1, "%s: %s: %s", c->zPath, zWhat, sqlite3_errmsg(c->db));
}

/* Run zSql; an error names a short statement (BEGIN, a PRAGMA) by its text and a longer
   one by what it does, with SQLite's reason, never the statement's text. */
int ds_store_exec(ds_corpus *c, const char *zSql, ds_error *e) {
  if (sqlite3_exec(c->db, zSql, NULL, NULL, NULL) != SQLITE_OK)
    return ds_store_sql_error(c, e, strlen(zSql) <= 32 && !strchr(zSql, ';') ? zSql : "update the corpus");
  return DS_OK;
}

sqlite3_stmt *ds_store_prep(ds_corpus *c, const char *zSql, ds_error *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db, zSql, -1, &st, NULL) != SQLITE_OK) {
    ds_store_sql_error(c, e, "prepare");
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

/* Step a statement that returns no rows, and finalize it. */
int ds_store_step_done(ds_corpus *c, sqlite3_stmt *st, ds_error *e, const char *zWhat) {
  int rc = sqlite3_step(st);
  int out = rc == SQLITE_DONE ? DS_OK : ds_store_sql_error(c, e, zWhat);
  sqlite3_finalize(st);
  return out;
}

/* Step a reused statement that returns no rows, and reset it. */
int ds_store_step_reset(ds_corpus *c, sqlite3_stmt *st, ds_error *e, const char *zWhat) {
  int rc = sqlite3_step(st);
  int out = rc == SQLITE_DONE ? DS_OK : ds_store_sql_error(c, e, zWhat);
  sqlite3_reset(st);
  return out;
}

int ds_store_nomem(ds_error *e) { return ds_error_set(e, DS_NOMEM, -1, "out of memory"); }

/* Statement k of the write path, prepared on first use; the caller resets it after use. */
sqlite3_stmt *ds_store_cached(ds_corpus *c, int k, ds_error *e) {
  if (!c->aSt[k] &&
      sqlite3_prepare_v3(c->db, azStSql[k], -1, SQLITE_PREPARE_PERSISTENT, &c->aSt[k], NULL) != SQLITE_OK) {
    ds_store_sql_error(c, e, "prepare");
    sqlite3_finalize(c->aSt[k]);
    c->aSt[k] = NULL;
  }
  return c->aSt[k];
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
  "CREATE TABLE lexicon(attr INTEGER NOT NULL, id INTEGER NOT NULL, str TEXT NOT NULL,"
  "  freq INTEGER NOT NULL, PRIMARY KEY(attr, id)) WITHOUT ROWID;"
  "CREATE UNIQUE INDEX lexicon_str ON lexicon(attr, str);"
  "CREATE TABLE types(first INTEGER PRIMARY KEY, n INTEGER NOT NULL, seg INTEGER NOT NULL,"
  "  data BLOB NOT NULL);"
  "CREATE TABLE tokens(doc INTEGER NOT NULL, first INTEGER NOT NULL, n INTEGER NOT NULL,"
  "  width INTEGER NOT NULL, types BLOB NOT NULL, ws BLOB NOT NULL, PRIMARY KEY(doc, first));"
  "CREATE TABLE gaps(id INTEGER PRIMARY KEY, str BLOB NOT NULL UNIQUE);"
  "INSERT INTO gaps VALUES(0, X''), (1, X'20'), (2, X'0A'), (3, X'0A0A');"
  "CREATE TABLE postings(attr INTEGER NOT NULL, id INTEGER NOT NULL, seg INTEGER NOT NULL,"
  "  n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(attr, id, seg)) WITHOUT ROWID;"
  "CREATE TABLE spans(kind TEXT NOT NULL, doc INTEGER NOT NULL, n INTEGER NOT NULL,"
  "  data BLOB NOT NULL, vals BLOB, PRIMARY KEY(kind, doc)) WITHOUT ROWID;"
  "CREATE VIRTUAL TABLE search USING fts5(text, content='', tokenize='dossier');"
  "CREATE TABLE search_docs(doc INTEGER PRIMARY KEY);";

void ds_store_now_iso(char *z, size_t n) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(z, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int table_count(ds_corpus *c);

/*
** Make the schema of a new corpus, in an immediate transaction (a second writer creating
** the same file waits for it, as for any writer) after counting the tables again: if
** another process made them meanwhile, *pbMade is 0 and the caller checks them as those
** of an existing file.
*/
static int create_schema(ds_corpus *c, int *pbMade, ds_error *e) {
  char zNow[32];
  *pbMade = 0;
  /* before any table: lets optimize give freed pages back to the file system (a no-op
     on a file that has tables already) */
  int rc = ds_store_exec(c, "PRAGMA auto_vacuum=INCREMENTAL", e);
  if (rc == DS_OK) rc = ds_store_exec(c, "BEGIN IMMEDIATE", e);
  if (rc == DS_OK && table_count(c) != 0) {        /* another writer was first */
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return DS_OK;
  }
  *pbMade = 1;
  if (rc == DS_OK && sqlite3_exec(c->db, zSchema, NULL, NULL, NULL) != SQLITE_OK)
    rc = ds_store_sql_error(c, e, "create the corpus");
  if (rc == DS_OK) {
    sqlite3_stmt *st = ds_store_prep(c, "INSERT INTO meta VALUES('format_version', ?1),"
                               "('dossier_version', ?2), ('created', ?3)", e);
    if (!st) rc = DS_SQL;
    else {
      ds_store_now_iso(zNow, sizeof zNow);
      sqlite3_bind_int(st, 1, DS_FORMAT_VERSION);
      sqlite3_bind_text(st, 2, DS_VERSION, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, zNow, -1, SQLITE_STATIC);
      rc = ds_store_step_done(c, st, e, "write meta");
    }
  }
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) {
    sqlite3_stmt *st = ds_store_prep(c, "INSERT INTO attrs VALUES(?1, ?2)", e);
    if (!st) { rc = DS_SQL; break; }
    sqlite3_bind_int(st, 1, a);
    sqlite3_bind_text(st, 2, azAttr[a], -1, SQLITE_STATIC);
    rc = ds_store_step_done(c, st, e, "write attrs");
  }
  if (rc == DS_OK) rc = ds_store_exec(c, "COMMIT", e);
  else sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

/* Tables in the file, or -1 if it cannot be read (the error is c->db's). */
static int table_count(ds_corpus *c) {
  sqlite3_stmt *st = NULL;
  int nTables = -1;
  if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    nTables = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return nTables;
}

/* Does SQLite's quick check find the file sound? (Only asked on the rare paths where a
   value in meta looks wrong, to tell damage from a file of another version.) */
static int file_sound(ds_corpus *c) {
  sqlite3_stmt *st = NULL;
  int ok = 0;
  if (sqlite3_prepare_v2(c->db, "PRAGMA quick_check(1)", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const char *z = (const char *)sqlite3_column_text(st, 0);
    ok = z && strcmp(z, "ok") == 0;
  }
  sqlite3_finalize(st);
  return ok;
}

/* Check that the open database is a dossier corpus we can read. */
static int check_format(ds_corpus *c, int flags, ds_error *e) {
  sqlite3_stmt *st = NULL;
  int nTables = table_count(c), rc = sqlite3_errcode(c->db);
  if (nTables < 0) {
    if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
      return ds_error_set(e, DS_CORRUPT, -1, "%s: not a dossier corpus (not an SQLite database)",
                          c->zPath);
    return ds_store_sql_error(c, e, "open");
  }
  if (nTables == 0) {
    if (!(flags & DS_OPEN_CREATE) || (flags & DS_OPEN_READONLY))
      return ds_error_set(e, DS_CORRUPT, -1, "%s: not a dossier corpus (empty database)", c->zPath);
    int bMade;
    rc = create_schema(c, &bMade, e);
    if (rc || bMade) return rc;
  }
  int version = -1, eType = SQLITE_NULL;
  if (sqlite3_prepare_v2(c->db, "SELECT value FROM meta WHERE key='format_version'", -1, &st,
                         NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return ds_error_set(e, DS_CORRUPT, -1, "%s: not a dossier corpus (no meta table)", c->zPath);
  }
  if (sqlite3_step(st) == SQLITE_ROW) {
    /* digits only (the column keeps text); '4abc' is damage, not version 4 */
    eType = sqlite3_column_type(st, 0);
    const char *z = (const char *)sqlite3_column_text(st, 0);
    size_t n = z ? strlen(z) : 0, k = 0;
    while (k < n && z[k] >= '0' && z[k] <= '9') k++;
    version = n > 0 && n <= 9 && k == n ? atoi(z) : 0;
  }
  sqlite3_finalize(st);
  if (eType != SQLITE_NULL && version < 1)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: damaged corpus file: its format version is not a "
                        "positive integer (run dossier check)", c->zPath);
  if (version < 1)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: not a dossier corpus (no format version)", c->zPath);
  if (version != DS_FORMAT_VERSION && !file_sound(c))
    return ds_error_set(e, DS_CORRUPT, -1, "%s: damaged corpus file: SQLite's check fails, and its "
                        "format version reads %d (run dossier check)", c->zPath, version);
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

static void forget_caches(ds_corpus *c) {
  c->streamDoc = -1;
  c->bText = 0;
  ds_store_read_ahead_end(c);
  c->rawDocId = -1;
  for (int a = 0; a < DS_NATTR; a++) c->abLexLoaded[a] = 0;
  c->words.bLoaded = 0;
  c->gaps.bLoaded = 0;
  for (int a = 0; a < DS_NATTR; a++) c->aBlank[a] = -2;
  c->spanDoc = -1;
}

static int load_docs_pass(ds_corpus *c, int bByIndex, int *pbOrdered, ds_error *e);

/*
** (Re)load the list of documents. The table is read in its own order (ids grow with
** positions: no index lookup per row), which also gives the next position; a file whose
** live documents are not in position order there is read again through the index.
*/
static int load_docs_rows(ds_corpus *c, ds_error *e);

int ds_store_load_docs(ds_corpus *c, ds_error *e) {
  int rc = load_docs_rows(c, e);
  if (rc == DS_OK) forget_caches(c);
  return rc;
}

/*
** The first read of a reader's documents (DS_OPEN_LAZY_DOCS): what it read before
** (lexicons) stays, being of the same snapshot; nothing read before held a document.
*/
int ds_corpus_load_docs(ds_corpus *c, ds_error *e) {
  return c->bDocsPending ? load_docs_rows(c, e) : DS_OK;
}

int ds_corpus_docs_pending(const ds_corpus *c) { return c->bDocsPending; }

/* The documents' rows into aDoc and names, and the next position. */
static int load_docs_rows(ds_corpus *c, ds_error *e) {
  int rc = DS_OK;
  for (int bByIndex = 0; bByIndex < 2; bByIndex++) {
    int bOrdered = 1;
    rc = load_docs_pass(c, bByIndex, &bOrdered, e);
    if (rc || bOrdered) break;
  }
  if (rc) return rc;
  if (c->nextCpos < 0 || c->nextCpos > INT64_MAX / 2)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: corpus positions out of range (corrupt file)", c->zPath);
  c->bDocsPending = 0;
  return DS_OK;
}

/*
** One pass of ds_store_load_docs: by the table's order (bByIndex 0; *pbOrdered 0 when the
** live documents are not in position order there), or by position (1).
*/
static int load_docs_pass(ds_corpus *c, int bByIndex, int *pbOrdered, ds_error *e) {
  sqlite3_stmt *st = ds_store_prep(c, bByIndex ? "SELECT id, cpos, ntok, nsent, name, deleted FROM docs "
                                                 "WHERE deleted=0 ORDER BY cpos"
                                               : "SELECT id, cpos, ntok, nsent, name, deleted FROM docs", e);
  if (!st) return DS_SQL;
  c->nDoc = 0;
  c->nextCpos = 0;
  ds_buf_reset(&c->names);
  ds_buf nameOff = DS_BUF_INIT;        /* size_t offset of each name in c->names */
  int rc = DS_OK, src;
  int64_t prevEnd = 0;
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t cpos = sqlite3_column_int64(st, 1), ntok = sqlite3_column_int64(st, 2);
    /* the next position follows every document ever added, removed ones included */
    if (cpos >= 0 && ntok >= 0 && cpos <= INT64_MAX / 2 && ntok <= INT64_MAX / 2 && cpos + ntok > c->nextCpos)
      c->nextCpos = cpos + ntok;
    if (sqlite3_column_int64(st, 5) != 0) continue;
    if (!bByIndex && cpos < prevEnd) {
      *pbOrdered = 0;                  /* out of order (or overlapping): by the index instead */
      break;
    }
    if (c->nDoc == c->nDocAlloc) {
      size_t nNew = c->nDocAlloc ? c->nDocAlloc * 2 : 64;
      ds_docinfo *a = ds_realloc_n(c->aDoc, nNew, sizeof *a);
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
    /* a damaged file must not make sizes that overflow later arithmetic, nor overlap */
    if (d->cpos < prevEnd || d->nTok <= 0 || d->nTok > (int64_t)UINT32_MAX || d->cpos > INT64_MAX / 2) {
      rc = ds_error_set(e, DS_CORRUPT, -1, "%s: document %lld has impossible positions (corrupt file)",
                        c->zPath, (long long)d->id);
      break;
    }
    prevEnd = d->cpos + d->nTok;
    size_t off = c->names.n;
    ds_buf_append(&nameOff, &off, sizeof off);
    ds_buf_puts(&c->names, zName ? zName : "");
    ds_buf_putc(&c->names, 0);
    c->nDoc++;
  }
  if (rc == DS_OK && *pbOrdered && src != SQLITE_DONE) rc = ds_store_sql_error(c, e, "read docs");
  sqlite3_finalize(st);
  if (rc == DS_OK && (c->names.rc || nameOff.rc)) rc = DS_NOMEM;
  if (rc == DS_NOMEM) ds_store_nomem(e);
  if (rc) c->nDoc = 0;
  for (size_t i = 0; rc == DS_OK && i < c->nDoc; i++) {
    size_t off;
    memcpy(&off, nameOff.p + i * sizeof off, sizeof off);
    c->aDoc[i].zName = (const char *)c->names.p + off;
  }
  ds_buf_free(&nameOff);
  if (rc == DS_OK && bByIndex) {        /* the removed documents too, for the next position */
    st = ds_store_prep(c, "SELECT COALESCE(MAX(cpos + ntok), 0) FROM docs WHERE cpos >= 0 AND ntok >= 0", e);
    if (!st) return DS_SQL;
    c->nextCpos = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
  }
  return rc;
}

/* Can files be made in the directory of zPath? */
static int writable_dir(const char *zPath) {
  const char *zSlash = strrchr(zPath, '/');
  if (!zSlash) return access(".", W_OK) == 0;
  size_t n = (size_t)(zSlash - zPath);
  char *zDir = ds_malloc(n + 2);
  if (!zDir) return 1;
  memcpy(zDir, zPath, n ? n : 1);
  zDir[n ? n : 1] = 0;
  int ok = access(zDir, W_OK) == 0;
  ds_free(zDir);
  return ok;
}

/*
** A reader creates the -wal and -shm files with the corpus file's permissions: a corpus
** its owner made read-only (444) would keep them read-only after a `chmod 644`, and
** every later write would fail. The owner's own -wal and -shm are made writable for it.
*/
static void owner_writable_sidecars(const char *zPath) {
  char z[4096];
  struct stat st;
  for (int k = 0; k < 2; k++) {
    if (snprintf(z, sizeof z, "%s%s", zPath, k ? "-shm" : "-wal") >= (int)sizeof z) return;
    if (stat(z, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & S_IWUSR))
      chmod(z, (st.st_mode & 07777) | S_IWUSR);
  }
}

/* Size of the file zPath + zSuffix, or -1 if there is none. */
static long long sidecar_size(const char *zPath, const char *zSuffix) {
  char z[4096];
  struct stat st;
  if (snprintf(z, sizeof z, "%s%s", zPath, zSuffix) >= (int)sizeof z) return -1;
  return stat(z, &st) == 0 ? (long long)st.st_size : -1;
}

/* zPath as an SQLite URI file name with query zQuery: %, ?, # percent-encoded. */
static char *file_uri(const char *zPath, const char *zQuery) {
  ds_buf b = DS_BUF_INIT;
  ds_buf_puts(&b, "file:");
  for (const char *p = zPath; *p; p++) {
    if (*p == '%' || *p == '?' || *p == '#') ds_buf_printf(&b, "%%%02X", (unsigned char)*p);
    else ds_buf_putc(&b, *p);
  }
  ds_buf_puts(&b, zQuery);
  ds_buf_putc(&b, 0);
  if (b.rc) { ds_buf_free(&b); return NULL; }
  return (char *)b.p;
}

/* The journal mode SQLite reports ("wal", "delete", ...) into z[n]; "" if it cannot tell. */
static void journal_mode(ds_corpus *c, char *z, size_t n) {
  sqlite3_stmt *st = NULL;
  z[0] = 0;
  if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    snprintf(z, n, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
}

/*
** Put the file in WAL mode. Another process that has just made the same new file may be
** switching it, or adding to it, at this moment: switching waits for nobody, so a busy
** file is looked at again (for 10 s, as the busy timeout) until it is in WAL mode.
*/
static int set_wal(ds_corpus *c, ds_error *e) {
  char zMode[16];
  for (int i = 0; i < 200; i++) {
    journal_mode(c, zMode, sizeof zMode);
    if (strcmp(zMode, "wal") == 0) return DS_OK;
    int rc = sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
      journal_mode(c, zMode, sizeof zMode);
      if (strcmp(zMode, "wal") == 0) return DS_OK;
    } else if ((rc & 0xFF) != SQLITE_BUSY && (rc & 0xFF) != SQLITE_LOCKED) {
      return ds_store_sql_error(c, e, "set the journal mode");
    }
    sqlite3_sleep(50);
  }
  return ds_store_exec(c, "PRAGMA journal_mode=WAL", e);      /* the last try says why */
}

/*
** A corpus's first add goes to the file itself, not through the WAL (which would hold
** every page once more until a checkpoint copied it: a third of the time after the last
** document of a large first index). Only while the file holds no document and no other
** connection has it open (SQLite refuses to leave WAL mode otherwise); a rollback
** journal then keeps the add undoable, and readers that come meanwhile wait for it.
*/
int ds_store_first_add_journal(ds_corpus *c) {
  if (ds_store_count(c, "SELECT EXISTS (SELECT 1 FROM docs)", -1) != 0) return 0;
  if (sqlite3_exec(c->db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) return 0;
  char zMode[16];
  journal_mode(c, zMode, sizeof zMode);
  return strcmp(zMode, "delete") == 0;
}

int ds_store_wal_again(ds_corpus *c, ds_error *e) { return set_wal(c, e); }

int ds_corpus_open(const char *zPath, int flags, ds_corpus **ppOut, ds_error *e) {
  ds_corpus *c;
  struct stat st;
  int rc, oflags;
  *ppOut = NULL;
  /* a corpus is a file: not SQLite's in-memory databases nor its URIs (which would store
     nothing, or somewhere else than the name says), nor a FIFO or device */
  if (!zPath[0])
    return ds_error_set(e, DS_MISUSE, -1, "the corpus path is empty: give the path of a file");
  if (strcmp(zPath, ":memory:") == 0 || strncmp(zPath, "file:", 5) == 0)
    return ds_error_set(e, DS_MISUSE, -1, "%s: not a file path (SQLite's in-memory names and "
                        "file: URIs are not corpus files; for a file of that name write ./%s)", zPath, zPath);
  int bExists = stat(zPath, &st) == 0;
  if (bExists && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
    return ds_error_set(e, DS_IO, -1, "%s: not a regular file (a FIFO, device or socket), not a corpus file", zPath);
  if (!bExists && !(flags & DS_OPEN_CREATE))
    return ds_error_set(e, DS_IO, -1, "%s: no such corpus file", zPath);
  if (bExists && S_ISDIR(st.st_mode))
    return ds_error_set(e, DS_IO, -1, "%s: is a directory, not a corpus file", zPath);
  if (!bExists && !writable_dir(zPath))
    return ds_error_set(e, DS_IO, -1, "%s: cannot create: permission denied (its directory is "
                        "not writable, or missing)", zPath);
  c = ds_malloc(sizeof *c);
  if (!c) return ds_store_nomem(e);
  memset(c, 0, sizeof *c);
  c->zPath = ds_malloc(strlen(zPath) + 1);
  if (!c->zPath) {
    ds_free(c);
    return ds_store_nomem(e);
  }
  strcpy(c->zPath, zPath);
  c->bReadonly = (flags & DS_OPEN_READONLY) != 0;
  c->dataVersion = -1;
  forget_caches(c);
  for (int a = 0; a < DS_NATTR; a++) ds_lexmap_init(&c->aLex[a]);
  ds_lexmap_init(&c->types);
  ds_lexmap_init(&c->gapmap);
  oflags = c->bReadonly ? SQLITE_OPEN_READONLY
                        : SQLITE_OPEN_READWRITE | ((flags & DS_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
  /* a handle is used by one thread at a time (ds_ingest's workers never touch it): no
     mutex around every SQLite call */
  oflags |= SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(zPath, &c->db, oflags, NULL) != SQLITE_OK) {
    int sys = c->db ? sqlite3_system_errno(c->db) : 0;
    rc = ds_error_set(e, DS_IO, -1, "%s: cannot open: %s", zPath,
                      sys ? strerror(sys) : c->db ? sqlite3_errmsg(c->db) : "out of memory");
    ds_corpus_close(c);
    return rc;
  }
  sqlite3_busy_timeout(c->db, 10000);
  rc = ds_fts5_register(c->db) ? ds_error_set(e, DS_SQL, -1, "%s: this SQLite has no FTS5", zPath) : DS_OK;
  if (rc == DS_OK) rc = check_format(c, flags, e);
  if (rc && c->bReadonly && access(zPath, R_OK) == 0 && !writable_dir(zPath)) {
    /* read-only storage: WAL's shared-memory file cannot be made beside the corpus, and no
       writer can be at work there either, so the file is read as it stands */
    sqlite3_close_v2(c->db);
    c->db = NULL;
    if (sidecar_size(zPath, "-wal") > 0) {
      /* immutable=1 would ignore the -wal, and answer for an older state than committed */
      rc = ds_error_set(e, DS_IO, -1, "%s: cannot be read here: its last changes are still in "
                        "%s-wal, which SQLite reads only with a %s-shm file it cannot make or "
                        "use here (read-only storage). Open it once where its directory is writable (any dossier "
                        "command folds the changes into the file), or copy it with its -wal file "
                        "to writable storage", zPath, zPath, zPath);
    } else {
      char *zUri = file_uri(zPath, "?immutable=1");
      int orc = zUri ? sqlite3_open_v2(zUri, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) : SQLITE_NOMEM;
      ds_free(zUri);
      rc = orc == SQLITE_OK && ds_fts5_register(c->db) == DS_OK ? check_format(c, flags, e)
                                                                 : ds_error_set(e, DS_IO, -1, "%s: cannot open", zPath);
    }
  }
  if (rc == DS_OK) owner_writable_sidecars(zPath);
  if (rc == DS_OK && !c->bReadonly) {
    /* WAL: readers go on while a writer adds; set only once the file is known to be ours */
    rc = set_wal(c, e);
    if (rc == DS_OK) rc = ds_store_exec(c, "PRAGMA synchronous=NORMAL", e);
    /* each document is written inside a savepoint, whose journal of the pages it
       changes would otherwise go to a temporary file, page after page */
    if (rc == DS_OK) rc = ds_store_exec(c, "PRAGMA temp_store=MEMORY", e);
  }
  /* a reader sees one snapshot from open to close: every call agrees with every other,
     whatever a writer commits meanwhile (WAL keeps the snapshot's pages for it) */
  /* a reader maps the file rather than copying each page it reads (token parts of many
     documents, for a query's matches or concordance lines: a quarter less time) */
  if (rc == DS_OK && c->bReadonly) rc = ds_store_exec(c, "PRAGMA mmap_size=1073741824", e);
  if (rc == DS_OK && c->bReadonly) rc = ds_store_exec(c, "BEGIN", e);
  if (rc == DS_OK && c->bReadonly && (flags & DS_OPEN_LAZY_DOCS)) {
    /* a read now starts the snapshot (BEGIN alone waits for one); the rows come later */
    rc = ds_store_exec(c, "SELECT 1 FROM meta LIMIT 1", e);
    c->bDocsPending = 1;
  } else if (rc == DS_OK) {
    rc = ds_store_load_docs(c, e);
  }
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
  ds_store_postcache_clear(c);
  ds_store_drop_typeview(c);
  for (int k = 0; k < ST_N; k++) sqlite3_finalize(c->aSt[k]);
  sqlite3_close_v2(c->db);
  for (int a = 0; a < DS_NATTR; a++) ds_lexmap_free(&c->aLex[a]);
  ds_lexmap_free(&c->types);
  ds_lexmap_free(&c->gapmap);
  ds_ttypes_free(&c->tt);
  ds_store_strtab_free(&c->words);
  ds_store_strtab_free(&c->gaps);
  ds_free(c->aTypeEnt);
  ds_free(c->aTypes);
  for (int k = 0; k < NSPANKIND; k++) {
    ds_buf_free(&c->aSpan[k].b);
    ds_buf_free(&c->aSpan[k].vals);
  }
  ds_buf_free(&c->spanVals);
  ds_free(c->azSpanVal);
  ds_buf_free(&c->scratch);
  ds_buf_free(&c->key);
  ds_buf_free(&c->names);
  ds_buf_free(&c->text);
  ds_free(c->aOff);
  for (int a = 0; a < DS_NATTR; a++) {
    ds_buf_free(&c->aLexArena[a]);
    ds_free(c->aLexOff[a]);
    ds_free(c->aLexFreq[a]);
  }
  ds_buf_free(&c->rawTypes);
  ds_buf_free(&c->rawWs);
  ds_free(c->aAheadDoc);
  ds_buf_free(&c->aheadIds);
  ds_free(c->aExType);
  ds_free(c->aExOff);
  ds_buf_free(&c->exText);
  ds_free(c->aSpanRead);
  ds_free(c->aDoc);
  ds_free(c->zPath);
  ds_free(c);
}

void ds_store_checkpoint(ds_corpus *c) {
  if (sidecar_size(c->zPath, "-wal") <= DS_WAL_CHECKPOINT_BYTES) return;
  sqlite3_busy_timeout(c->db, 250);
  sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);   /* busy: later */
  sqlite3_busy_timeout(c->db, 10000);
}

/* ====================== reading ====================== */

int64_t ds_store_count(ds_corpus *c, const char *zSql, int attr) {
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
  p->formatVersion = (int)ds_store_count(c, "SELECT value FROM meta WHERE key='format_version'", -1);
  p->nDocs = ds_store_count(c, "SELECT count(*) FROM docs WHERE deleted=0", -1);
  p->nTokens = ds_store_count(c, "SELECT COALESCE(SUM(ntok), 0) FROM docs WHERE deleted=0", -1);
  p->nSegments = ds_store_count(c, "SELECT count(*) FROM segments", -1);
  p->nBytes = ds_store_count(c, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", -1);
  for (int a = 0; a < DS_NATTR; a++)
    p->anTypes[a] = ds_store_count(c, "SELECT count(*) FROM lexicon WHERE attr=?1 AND freq>0", a);
  sqlite3_stmt *st = ds_store_prep(c, "SELECT kind, SUM(n) FROM spans WHERE doc IN "
                                      "(SELECT id FROM docs WHERE deleted=0) GROUP BY kind", e);
  if (!st) return DS_SQL;
  /* every kind's total in one pass: sentences and paragraphs too */
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *zKind = (const char *)sqlite3_column_text(st, 0);
    int64_t n = sqlite3_column_int64(st, 1);
    int k = zKind ? ds_spankind_find(zKind) : -1;
    if (k >= 0) p->anSpans[k] = n;
    else if (zKind && strcmp(zKind, "s") == 0) p->nSentences = n;
    else if (zKind && strcmp(zKind, "p") == 0) p->nParagraphs = n;
  }
  sqlite3_finalize(st);
  if (p->nDocs < 0 || p->nTokens < 0 || p->nSegments < 0) return ds_store_sql_error(c, e, "info");
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

int ds_corpus_refresh(ds_corpus *c, ds_error *e) {
  if (c->bReadonly || c->bInTxn) return DS_OK;     /* a snapshot, or our own writing */
  int64_t dv = ds_store_count(c, "PRAGMA data_version", -1);
  if (dv >= 0 && dv == c->dataVersion) return DS_OK;
  c->bTypesLoaded = 0;           /* types, words and gaps may have grown */
  c->bMapsStale = 1;
  int rc = ds_store_load_docs(c, e);
  if (rc == DS_OK) rc = ds_store_load_types(c, e);
  c->dataVersion = rc ? -1 : dv;
  /* the writer's maps may be stale now: the next begin starts them afresh */
  return rc;
}

/* Index in aDoc of the document with id docId, or -1 (ids grow with positions). */
int64_t ds_store_doc_index(const ds_corpus *c, int64_t docId) {
  size_t lo = 0, hi = c->nDoc;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->aDoc[mid].id < docId) lo = mid + 1;
    else hi = mid;
  }
  if (lo < c->nDoc && c->aDoc[lo].id == docId) return (int64_t)lo;
  for (size_t k = 0; k < c->nDoc; k++)
    if (c->aDoc[k].id == docId) return (int64_t)k;
  return -1;
}
