/*
** ds_store.c -- the corpus file: schema, segments, lexicons, token types, token
** streams, postings, spans. (See ds_store.h for the format.)
*/
#include "ds_store.h"
#include "ds_annotate.h"
#include "ds_date.h"
#include "ds_doc.h"
#include "ds_fts5.h"
#include "ds_lexicon.h"
#include "ds_parse.h"
#include "ds_parts.h"
#include "ds_postings.h"
#include "ds_reader.h"
#include "ds_utf8.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <sqlite3.h>
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

/* Strings by id, loaded from a table for reading (words, gaps). */
typedef struct strtab {
  ds_buf arena;               /* the strings, end to end */
  uint32_t *aOff;             /* string i is arena[aOff[i] .. aOff[i+1]) */
  size_t n;                   /* strings (ids 0..n-1; a missing id has length 0) */
  int bLoaded;
} strtab;

/* The writer marks a token type's attribute that is counted but has no postings. */
#define NOPOST 0x80000000u

/* Statements of the per-document write path, kept prepared (see cached()). */
enum { ST_SHA, ST_DOC, ST_META, ST_TOKENS, ST_SPANS, ST_FIND, ST_GAP, ST_SAVE, ST_RELEASE,
       ST_DOCEND, ST_PARTS, ST_N };
static const char *const azStSql[ST_N] = {
  "SELECT id FROM docs WHERE sha256=?1",
  "INSERT INTO docs(seg, name, path, sha256, bytes, cpos, ntok, nsent) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  "INSERT OR REPLACE INTO doc_meta(doc, key, value) VALUES(?1, ?2, ?3)",
  "INSERT INTO tokens(doc, first, n, width, types, ws) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
  "INSERT INTO spans(kind, doc, n, data) VALUES(?1, ?2, ?3, ?4)",
  "SELECT id FROM lexicon WHERE attr=?1 AND str=?2",
  "SELECT id FROM gaps WHERE str=?1",
  "SAVEPOINT doc",
  "RELEASE doc",
  "UPDATE docs SET ntok=?2, nsent=?3 WHERE id=?1",
  /* the parts of document ?1 holding tokens ?2 .. ?3-1 (the part holding ?2, then on) */
  "SELECT first, n, width, types, ws FROM tokens WHERE doc=?1 AND first < ?3 AND first >= "
  "COALESCE((SELECT first FROM tokens WHERE doc=?1 AND first <= ?2 ORDER BY first DESC LIMIT 1), 0) "
  "ORDER BY first",
};

/* Spans of one kind of a document being written, encoded as they come (see ds_store.h). */
typedef struct spanacc {
  ds_buf b;                   /* the spans blob so far */
  int64_t n;                  /* spans in it */
  uint64_t prevEnd;           /* end of the last span in b */
  uint64_t first, last;       /* the last span, held back: the next part may continue it */
  int bPending;
} spanacc;

/* Span kinds: `s`, then the paragraph kinds (DS_PARA_* or -1 for every paragraph). */
static const struct { int kind; const char *zKind; } aSpanKind[] = {
  {-2, "s"}, {-1, "p"}, {DS_PARA_HEADING, "head"}, {DS_PARA_FOOTNOTE, "note"},
};
#define NSPANKIND 4

/* Common gaps have fixed ids and never go through the map. */
enum { GAP_NONE = 0, GAP_SPACE, GAP_LF, GAP_PARA, GAP_FIXED };

struct ds_corpus {
  sqlite3 *db;
  char *zPath;
  int bReadonly;
  /* documents in corpus order */
  ds_docinfo *aDoc;
  size_t nDoc, nDocAlloc;
  ds_buf names;               /* arena of document names */
  int64_t nextCpos;           /* first position of the next document */
  /* token types, words and gaps (loaded when first needed) */
  ds_ttypes tt;
  int bTypesLoaded;
  int64_t dataVersion;        /* PRAGMA data_version when the writer's maps were last valid */
  int bMapsStale;             /* a refresh saw another writer's commit: the maps must go */
  strtab words, gaps;
  int64_t aBlank[DS_NATTR];   /* id of `_` per attribute, -1 if none, -2 not looked up */
  /* writer state, while a segment is open */
  ds_read_opts read;          /* how documents are read */
  int bInTxn;
  int bBroken;                /* the open segment cannot be committed */
  int64_t iSeg;
  int64_t segDocs;
  int64_t segTokens;
  size_t nBudget;             /* bytes of in-memory postings per segment; 0: no limit */
  uint32_t aNextId[DS_NATTR];
  ds_lexmap aLex[DS_NATTR];
  ds_lexmap types;            /* word \xFF pos \xFF xpos \xFF lemma -> type id */
  uint32_t *aTypeEnt;         /* per entry of `types`: DS_NATTR aLex entry indices (| NOPOST) */
  size_t nTypeEntAlloc;
  size_t nTypesBegin;         /* tt.n when the transaction began (rollback goes back) */
  size_t nTypesSeg;           /* tt.n when the segment began (its new types follow) */
  ds_lexmap gapmap;           /* other gaps -> id */
  uint32_t nextGap;
  ds_buf scratch, key;
  uint8_t abLexEmpty[DS_NATTR];  /* the stored lexicon had no entry when the add began */
  sqlite3_stmt *aSt[ST_N];    /* statements of the write path, prepared once */
  /* the document being added (ds_corpus_doc_begin .. ds_corpus_doc_end) */
  int bDocOpen;
  int bDocFlushed;            /* a segment was written out in the middle of it */
  int64_t docId, docCpos, docTok;
  const char *zDocWhere;      /* names it in errors (the caller's) */
  spanacc aSpan[NSPANKIND];
  /* reader caches: a window of whole parts of one document */
  int64_t streamDoc;          /* index in aDoc of the decoded window, or -1 */
  int64_t streamFirst;        /* its first token (from the document's start) */
  size_t streamN;             /* its tokens */
  uint32_t *aTypes;           /* their token types */
  size_t nTypesAlloc;
  int bText;                  /* the window's text is rebuilt too: */
  ds_buf text;                /* its clean text, from its first part's start */
  uint32_t *aOff;             /* token (start, end) byte pairs in it */
  size_t nOffAlloc;
};

/* ====================== SQL helpers ====================== */

static int sql_error(ds_corpus *c, ds_error *e, const char *zWhat) {
  int rc = sqlite3_errcode(c->db);
  if ((rc & 0xFF) == SQLITE_FULL)
    return ds_error_set(e, DS_IO, -1, "%s: %s: the disk is full (nothing of this run was stored)",
                        c->zPath, zWhat);
  if ((rc & 0xFF) == SQLITE_READONLY)
    return ds_error_set(e, DS_IO, -1, "%s: %s: the corpus file is read-only", c->zPath, zWhat);
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

/* Step a reused statement that returns no rows, and reset it. */
static int step_reset(ds_corpus *c, sqlite3_stmt *st, ds_error *e, const char *zWhat) {
  int rc = sqlite3_step(st);
  int out = rc == SQLITE_DONE ? DS_OK : sql_error(c, e, zWhat);
  sqlite3_reset(st);
  return out;
}

static int nomem(ds_error *e) { return ds_error_set(e, DS_NOMEM, -1, "out of memory"); }

/* Statement k of the write path, prepared on first use; the caller resets it after use. */
static sqlite3_stmt *cached(ds_corpus *c, int k, ds_error *e) {
  if (!c->aSt[k] &&
      sqlite3_prepare_v3(c->db, azStSql[k], -1, SQLITE_PREPARE_PERSISTENT, &c->aSt[k], NULL) != SQLITE_OK) {
    sql_error(c, e, "prepare");
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
  "  data BLOB NOT NULL, PRIMARY KEY(kind, doc)) WITHOUT ROWID;"
  "CREATE VIRTUAL TABLE search USING fts5(text, content='', tokenize='dossier');"
  "CREATE TABLE search_docs(doc INTEGER PRIMARY KEY);";

static void now_iso(char *z, size_t n) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(z, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int create_schema(ds_corpus *c, ds_error *e) {
  char zNow[32];
  /* before any table: lets optimize give freed pages back to the file system */
  int rc = exec(c, "PRAGMA auto_vacuum=INCREMENTAL", e);
  if (rc == DS_OK) rc = exec(c, "BEGIN", e);
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

static void forget_caches(ds_corpus *c) {
  c->streamDoc = -1;
  c->bText = 0;
  c->words.bLoaded = 0;
  c->gaps.bLoaded = 0;
  for (int a = 0; a < DS_NATTR; a++) c->aBlank[a] = -2;
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
  int64_t prevEnd = 0;
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
  if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read docs");
  sqlite3_finalize(st);
  if (rc == DS_OK && (c->names.rc || nameOff.rc)) rc = DS_NOMEM;
  if (rc == DS_NOMEM) nomem(e);
  if (rc) c->nDoc = 0;
  for (size_t i = 0; rc == DS_OK && i < c->nDoc; i++) {
    size_t off;
    memcpy(&off, nameOff.p + i * sizeof off, sizeof off);
    c->aDoc[i].zName = (const char *)c->names.p + off;
  }
  ds_buf_free(&nameOff);
  if (rc) return rc;
  /* the next position follows every document ever added, removed ones included */
  st = prep(c, "SELECT COALESCE(MAX(cpos + ntok), 0) FROM docs WHERE cpos >= 0 AND ntok >= 0", e);
  if (!st) return DS_SQL;
  c->nextCpos = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (c->nextCpos < 0 || c->nextCpos > INT64_MAX / 2)
    return ds_error_set(e, DS_CORRUPT, -1, "%s: corpus positions out of range (corrupt file)", c->zPath);
  forget_caches(c);
  return DS_OK;
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

int ds_corpus_open(const char *zPath, int flags, ds_corpus **ppOut, ds_error *e) {
  ds_corpus *c;
  struct stat st;
  int rc, oflags;
  *ppOut = NULL;
  int bExists = stat(zPath, &st) == 0;
  if (!bExists && !(flags & DS_OPEN_CREATE))
    return ds_error_set(e, DS_IO, -1, "%s: no such corpus file", zPath);
  if (bExists && S_ISDIR(st.st_mode))
    return ds_error_set(e, DS_IO, -1, "%s: is a directory, not a corpus file", zPath);
  if (!bExists && !writable_dir(zPath))
    return ds_error_set(e, DS_IO, -1, "%s: cannot create: permission denied (its directory is "
                        "not writable, or missing)", zPath);
  c = ds_malloc(sizeof *c);
  if (!c) return nomem(e);
  memset(c, 0, sizeof *c);
  c->zPath = ds_malloc(strlen(zPath) + 1);
  if (!c->zPath) {
    ds_free(c);
    return nomem(e);
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
    char *zUri = sqlite3_mprintf("file:%s?immutable=1", zPath);
    int orc = zUri ? sqlite3_open_v2(zUri, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) : SQLITE_NOMEM;
    sqlite3_free(zUri);
    rc = orc == SQLITE_OK && ds_fts5_register(c->db) == DS_OK ? check_format(c, flags, e)
                                                               : ds_error_set(e, DS_IO, -1, "%s: cannot open", zPath);
  }
  if (rc == DS_OK && !c->bReadonly) {
    /* WAL: readers go on while a writer adds; set only once the file is known to be ours */
    rc = exec(c, "PRAGMA journal_mode=WAL", e);
    if (rc == DS_OK) rc = exec(c, "PRAGMA synchronous=NORMAL", e);
  }
  /* a reader sees one snapshot from open to close: every call agrees with every other,
     whatever a writer commits meanwhile (WAL keeps the snapshot's pages for it) */
  if (rc == DS_OK && c->bReadonly) rc = exec(c, "BEGIN", e);
  if (rc == DS_OK) rc = load_docs(c, e);
  if (rc) {
    ds_corpus_close(c);
    return rc;
  }
  *ppOut = c;
  return DS_OK;
}

static void strtab_free(strtab *t) {
  ds_buf_free(&t->arena);
  ds_free(t->aOff);
  memset(t, 0, sizeof *t);
}

void ds_corpus_close(ds_corpus *c) {
  if (!c) return;
  if (c->bInTxn) ds_corpus_rollback(c);
  for (int k = 0; k < ST_N; k++) sqlite3_finalize(c->aSt[k]);
  sqlite3_close_v2(c->db);
  for (int a = 0; a < DS_NATTR; a++) ds_lexmap_free(&c->aLex[a]);
  ds_lexmap_free(&c->types);
  ds_lexmap_free(&c->gapmap);
  ds_ttypes_free(&c->tt);
  strtab_free(&c->words);
  strtab_free(&c->gaps);
  ds_free(c->aTypeEnt);
  ds_free(c->aTypes);
  for (int k = 0; k < NSPANKIND; k++) ds_buf_free(&c->aSpan[k].b);
  ds_buf_free(&c->scratch);
  ds_buf_free(&c->key);
  ds_buf_free(&c->names);
  ds_buf_free(&c->text);
  ds_free(c->aOff);
  ds_free(c->aDoc);
  ds_free(c->zPath);
  ds_free(c);
}

/* ====================== token types and strings, for reading ====================== */

/* Load every stored token type into c->tt (once). */
static int load_types(ds_corpus *c, ds_error *e) {
  if (c->bTypesLoaded) return DS_OK;
  ds_ttypes_truncate(&c->tt, 0);
  sqlite3_stmt *st = prep(c, "SELECT first, n, data FROM types ORDER BY first", e);
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
  if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read token types");
  sqlite3_finalize(st);
  if (rc == DS_CORRUPT) rc = ds_error_set(e, rc, -1, "%s: the token types are corrupt", c->zPath);
  else if (rc == DS_NOMEM) nomem(e);
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
  sqlite3_stmt *st = prep(c, zSql, e);
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
      uint32_t *a = ds_realloc(t->aOff, nNew * sizeof *a);
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
  if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read strings");
  sqlite3_finalize(st);
  if (rc == DS_OK && t->arena.rc) rc = DS_NOMEM;
  if (rc == DS_CORRUPT) return ds_error_set(e, rc, -1, "%s: the lexicon is corrupt", c->zPath);
  if (rc == DS_NOMEM) return nomem(e);
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

/* ====================== writing ====================== */

void ds_corpus_set_read(ds_corpus *c, const ds_read_opts *o) {
  c->read = *o;
  c->read.zName = NULL;
}

void ds_corpus_set_budget(ds_corpus *c, size_t nBytes) { c->nBudget = nBytes; }

static int new_segment(ds_corpus *c, ds_error *e) {
  char zNow[32];
  sqlite3_stmt *st = prep(c, "INSERT INTO segments(created, cpos_start) VALUES(?1, ?2)", e);
  if (!st) return DS_SQL;
  now_iso(zNow, sizeof zNow);
  sqlite3_bind_text(st, 1, zNow, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, c->nextCpos);
  int rc = step_done(c, st, e, "new segment");
  c->iSeg = sqlite3_last_insert_rowid(c->db);
  c->segDocs = 0;
  c->segTokens = 0;
  c->nTypesSeg = c->tt.n;
  return rc;
}

static int64_t count_of(ds_corpus *c, const char *zSql, int attr);

int ds_corpus_refresh(ds_corpus *c, ds_error *e) {
  if (c->bReadonly || c->bInTxn) return DS_OK;     /* a snapshot, or our own writing */
  int64_t dv = count_of(c, "PRAGMA data_version", -1);
  if (dv >= 0 && dv == c->dataVersion) return DS_OK;
  c->bTypesLoaded = 0;           /* types, words and gaps may have grown */
  c->bMapsStale = 1;
  int rc = load_docs(c, e);
  if (rc == DS_OK) rc = load_types(c, e);
  c->dataVersion = rc ? -1 : dv;
  /* the writer's maps may be stale now: the next begin starts them afresh */
  return rc;
}

int ds_corpus_begin(ds_corpus *c, ds_error *e) {
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is already open");
  int rc = exec(c, "BEGIN IMMEDIATE", e);
  if (rc) return rc;
  c->bInTxn = 1;
  rc = load_docs(c, e);     /* another writer may have added documents */
  /* if another connection has committed since, it may have added types and strings:
     then the maps start afresh; else what this writer learnt still holds */
  int64_t dv = rc ? -1 : count_of(c, "PRAGMA data_version", -1);
  if (rc == DS_OK && (dv < 0 || dv != c->dataVersion || !c->bTypesLoaded || c->bMapsStale)) {
    c->bMapsStale = 0;
    for (int a = 0; a < DS_NATTR; a++) ds_lexmap_clear(&c->aLex[a]);
    ds_lexmap_clear(&c->types);
    ds_lexmap_clear(&c->gapmap);
    c->bTypesLoaded = 0;
    rc = load_types(c, e);
  }
  c->dataVersion = dv;
  c->nTypesBegin = c->tt.n;
  if (rc == DS_OK) rc = new_segment(c, e);
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) {
    sqlite3_stmt *st = prep(c, "SELECT COALESCE(MAX(id) + 1, 0) FROM lexicon WHERE attr=?1", e);
    if (!st) { rc = DS_SQL; break; }
    sqlite3_bind_int(st, 1, a);
    if (sqlite3_step(st) == SQLITE_ROW) c->aNextId[a] = (uint32_t)sqlite3_column_int64(st, 0);
    else rc = sql_error(c, e, "read lexicon");
    c->abLexEmpty[a] = c->aNextId[a] == 0;     /* nothing to look up in the file */
    sqlite3_finalize(st);
  }
  if (rc == DS_OK) {
    sqlite3_stmt *st = prep(c, "SELECT COALESCE(MAX(id) + 1, 0) FROM gaps", e);
    if (!st) rc = DS_SQL;
    else {
      int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
      sqlite3_finalize(st);
      if (n < GAP_FIXED || n >= UINT32_MAX)
        rc = ds_error_set(e, DS_CORRUPT, -1, "%s: the gaps table is damaged", c->zPath);
      else c->nextGap = (uint32_t)n;
    }
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
  int src = SQLITE_DONE;
  if (!c->abLexEmpty[attr]) {
    sqlite3_bind_int(pFind, 1, attr);
    sqlite3_bind_text(pFind, 2, z, (int)n, SQLITE_STATIC);
    src = sqlite3_step(pFind);
  }
  if (src == SQLITE_ROW) {
    ent = ds_lexmap_add(m, z, n, (uint32_t)sqlite3_column_int64(pFind, 0), 0);
    sqlite3_reset(pFind);
  } else if (src == SQLITE_DONE) {
    sqlite3_reset(pFind);
    if (c->aNextId[attr] == UINT32_MAX - 1) { *pRc = DS_LIMIT; return NULL; }
    ent = ds_lexmap_add(m, z, n, c->aNextId[attr]++, 1);
  } else {
    *pRc = sql_error(c, e, "read lexicon");
    sqlite3_reset(pFind);
    return NULL;
  }
  if (!ent) *pRc = DS_NOMEM;
  return ent;
}

/*
** The entry of `types` for a token: word z[0..n) with the given tags and lemma (the key
** is in c->key). New to this writer: its attribute values are interned and the type is
** found among the stored ones, or made.
*/
static ds_lexent *type_of(ds_corpus *c, sqlite3_stmt *pFind, const char *z, size_t n,
                          const char *const az[DS_NATTR], const size_t an[DS_NATTR], int *pRc,
                          ds_error *e) {
  ds_lexent *ent = ds_lexmap_find(&c->types, (const char *)c->key.p, c->key.n);
  if (ent) return ent;
  uint32_t aIdx[DS_NATTR], aId[DS_NATTR];
  ds_buf *fold = &c->scratch;
  ds_buf_reset(fold);
  if (ds_utf8_fold(z, n, fold)) { *pRc = DS_NOMEM; return NULL; }
  for (int a = 0; a < DS_NATTR; a++) {
    const char *zv = a == DS_ATTR_NORM ? (const char *)fold->p : az[a];
    size_t nv = a == DS_ATTR_NORM ? fold->n : an[a];
    ds_lexent *v = intern(c, pFind, a, zv ? zv : "", nv, pRc, e);
    if (!v) return NULL;
    aId[a] = v->id;
    aIdx[a] = (uint32_t)(v - c->aLex[a].aEnt);
    if (a >= DS_ATTR_LEMMA && nv == 1 && zv[0] == '_') aIdx[a] |= NOPOST;
  }
  int64_t found = ds_ttypes_find(&c->tt, aId);
  uint32_t type;
  if (found >= 0) type = (uint32_t)found;
  else if ((*pRc = ds_ttypes_add(&c->tt, aId, &type)) != DS_OK) return NULL;
  size_t k = c->types.nEnt;
  if ((k + 1) * DS_NATTR > c->nTypeEntAlloc) {
    size_t nNew = c->nTypeEntAlloc ? c->nTypeEntAlloc * 2 : 1024 * DS_NATTR;
    uint32_t *a = ds_realloc(c->aTypeEnt, nNew * sizeof *a);
    if (!a) { *pRc = DS_NOMEM; return NULL; }
    c->aTypeEnt = a;
    c->nTypeEntAlloc = nNew;
  }
  ent = ds_lexmap_add(&c->types, (const char *)c->key.p, c->key.n, type, 0);
  if (!ent) { *pRc = DS_NOMEM; return NULL; }
  memcpy(c->aTypeEnt + k * DS_NATTR, aIdx, sizeof aIdx);
  return ent;
}

/* The id of the gap z[0..n) between two tokens. */
static int gap_id(ds_corpus *c, sqlite3_stmt *pFind, const char *z, size_t n, uint32_t *pId,
                  ds_error *e) {
  if (n == 0) { *pId = GAP_NONE; return DS_OK; }
  if (n == 1 && z[0] == ' ') { *pId = GAP_SPACE; return DS_OK; }
  if (n == 1 && z[0] == '\n') { *pId = GAP_LF; return DS_OK; }
  if (n == 2 && z[0] == '\n' && z[1] == '\n') { *pId = GAP_PARA; return DS_OK; }
  ds_lexent *ent = ds_lexmap_find(&c->gapmap, z, n);
  if (!ent) {
    sqlite3_bind_blob(pFind, 1, z, (int)n, SQLITE_STATIC);
    int src = sqlite3_step(pFind);
    if (src == SQLITE_ROW) ent = ds_lexmap_add(&c->gapmap, z, n, (uint32_t)sqlite3_column_int64(pFind, 0), 0);
    sqlite3_reset(pFind);
    if (src != SQLITE_ROW && src != SQLITE_DONE) return sql_error(c, e, "read gaps");
    if (src == SQLITE_DONE) {
      if (c->nextGap == UINT32_MAX - 1)
        return ds_error_set(e, DS_LIMIT, -1, "%s: too many kinds of white space", c->zPath);
      ent = ds_lexmap_add(&c->gapmap, z, n, c->nextGap++, 1);
    }
    if (!ent) return nomem(e);
  }
  *pId = ent->id;
  return DS_OK;
}

void ds_sha256_hex(const char *z, size_t n, char *zHex) {
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

/* Store metadata key = value for document docId; dates become ISO 8601 when they can. */
static int put_meta_row(ds_corpus *c, sqlite3_stmt *st, int64_t docId, const char *zKey,
                        const char *zVal, ds_error *e) {
  char zIso[32];
  if (strcmp(zKey, "date") == 0 && ds_date_iso(zVal, strlen(zVal), zIso)) zVal = zIso;
  sqlite3_bind_int64(st, 1, docId);
  sqlite3_bind_text(st, 2, zKey, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, zVal, -1, SQLITE_TRANSIENT);
  return step_reset(c, st, e, "write metadata");
}

static int insert_spans(ds_corpus *c, const char *zKind, int64_t docId, int64_t n, const ds_buf *b,
                        ds_error *e) {
  sqlite3_stmt *st = cached(c, ST_SPANS, e);
  if (!st) return DS_SQL;
  sqlite3_bind_text(st, 1, zKind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, docId);
  sqlite3_bind_int64(st, 3, n);
  sqlite3_bind_blob(st, 4, b->p ? (const void *)b->p : "", (int)b->n, SQLITE_STATIC);
  return step_reset(c, st, e, "write spans");
}

/* Put span [first, last) of one kind; bJoin: it continues the held-back one, if adjacent. */
static void span_put(spanacc *a, uint64_t first, uint64_t last, int bJoin) {
  if (a->bPending && bJoin && a->last == first) {
    a->last = last;
    return;
  }
  if (a->bPending) {
    ds_buf_put_varint(&a->b, a->first - a->prevEnd);
    ds_buf_put_varint(&a->b, a->last - a->first);
    a->prevEnd = a->last;
    a->n++;
  }
  a->first = first;
  a->last = last;
  a->bPending = 1;
}

static void spans_reset(ds_corpus *c) {
  for (int k = 0; k < NSPANKIND; k++) {
    ds_buf_reset(&c->aSpan[k].b);
    c->aSpan[k].n = 0;
    c->aSpan[k].prevEnd = c->aSpan[k].first = c->aSpan[k].last = 0;
    c->aSpan[k].bPending = 0;
  }
}

/*
** The sentences and paragraphs of part d, whose first token is token `base` of its
** document. The first sentence (paragraph) continues the last one of the part before when
** DS_PART_JOIN_SENT (DS_PART_JOIN_PARA) is set: the part was cut inside it.
*/
static int spans_add(ds_corpus *c, const ds_doc *d, uint64_t base, int flags, ds_error *e) {
  int rc = DS_OK;
  for (size_t i = 0; i < d->nSent; i++)
    span_put(&c->aSpan[0], base + d->aSent[i].first, base + d->aSent[i].last,
             i == 0 && (flags & DS_PART_JOIN_SENT));
  for (int k = 1; k < NSPANKIND; k++) {
    int bFirst = 1;
    for (size_t p = 0; p < d->nPara; p++) {
      const ds_range *r = &d->aPara[p].tok;
      if ((aSpanKind[k].kind >= 0 && d->aPara[p].kind != aSpanKind[k].kind) || r->first == r->last) continue;
      span_put(&c->aSpan[k], base + r->first, base + r->last, bFirst && p == 0 && (flags & DS_PART_JOIN_PARA));
      bFirst = 0;
    }
  }
  for (int k = 0; k < NSPANKIND; k++)
    if (c->aSpan[k].b.rc) rc = nomem(e);
  return rc;
}

/* Write the document's spans rows (a `p` row even without paragraphs). */
static int spans_store(ds_corpus *c, int64_t docId, ds_error *e) {
  int rc = DS_OK;
  for (int k = 0; k < NSPANKIND && rc == DS_OK; k++) {
    spanacc *a = &c->aSpan[k];
    span_put(a, 0, 0, 0);          /* out goes the held-back span */
    a->bPending = 0;
    if (a->b.rc) rc = nomem(e);
    else if (a->n || k < 2) rc = insert_spans(c, aSpanKind[k].zKind, docId, a->n, &a->b, e);
  }
  return rc;
}

/* Bits needed for v (at least 1). */
static int bit_width(uint32_t v) {
  int w = 1;
  while (w < 32 && (v >> w)) w++;
  return w;
}

/* Append n ids of `width` bits, packed little-endian, to b. */
static void pack_bits(ds_buf *b, const uint32_t *a, size_t n, int width) {
  uint64_t acc = 0;
  int nAcc = 0;
  if (ds_buf_reserve(b, (n * (size_t)width + 7) / 8)) return;
  for (size_t i = 0; i < n; i++) {
    acc |= (uint64_t)a[i] << nAcc;
    nAcc += width;
    while (nAcc >= 8) {
      b->p[b->n++] = (unsigned char)acc;
      acc >>= 8;
      nAcc -= 8;
    }
  }
  if (nAcc > 0) b->p[b->n++] = (unsigned char)acc;
}

/*
** Store part d of the open document (its tokens from token c->docTok on): token types,
** white space, spans; then, once every row is written, its occurrences go into the
** segment's in-memory postings (so a failure leaves them as they were).
*/
static int store_part(ds_corpus *c, const ds_doc *d, int flags, ds_error *e) {
  int rc = DS_OK;
  int64_t cpos = c->docCpos + c->docTok;
  size_t nTok = d->nTok;
  uint32_t *aType = ds_malloc((nTok + 1) * sizeof *aType);
  uint32_t *aEnt = ds_malloc((nTok + 1) * sizeof *aEnt);     /* entry of `types` per token */
  ds_buf codes = DS_BUF_INIT, extra = DS_BUF_INIT, packed = DS_BUF_INIT;
  sqlite3_stmt *pFind = cached(c, ST_FIND, e);
  sqlite3_stmt *pGap = pFind ? cached(c, ST_GAP, e) : NULL;
  if (!pFind || !pGap) rc = DS_SQL;
  else if (!aType || !aEnt || ds_buf_reserve(&codes, nTok / 4 + 1)) rc = nomem(e);
  uint32_t maxType = 0, prevEnd = 0;
  unsigned acc = 0;
  for (size_t t = 0; t <= nTok && rc == DS_OK; t++) {
    /* the gap before token t (t == nTok: after the last) */
    uint32_t start = t < nTok ? d->aTok[t].start : (uint32_t)d->nText, gap = 0;
    rc = gap_id(c, pGap, d->zText + prevEnd, start - prevEnd, &gap, e);
    if (rc) break;
    unsigned code = gap < 3 ? gap : 3;
    if (code == 3) ds_buf_put_varint(&extra, gap - 3);
    acc |= code << (2 * (t & 3));
    if ((t & 3) == 3 || t == nTok) {
      codes.p[codes.n++] = (unsigned char)acc;
      acc = 0;
    }
    if (t == nTok) break;
    const char *z = d->zText + d->aTok[t].start;
    size_t n = d->aTok[t].end - d->aTok[t].start;
    prevEnd = d->aTok[t].end;
    size_t nLemma;
    const char *zLemma = ds_doc_lemma(d, t, &nLemma);
    const char *zPos = ds_doc_upos(d, t), *zXpos = ds_doc_xpos(d, t);
    const char *az[DS_NATTR] = {z, NULL, zLemma, zPos, zXpos};
    size_t an[DS_NATTR] = {n, 0, nLemma, strlen(zPos), strlen(zXpos)};
    /* the key: word, pos, xpos, lemma, apart by 0xFF (never in UTF-8, so unambiguous) */
    ds_buf *k = &c->key;
    size_t nKey = n + an[DS_ATTR_POS] + an[DS_ATTR_XPOS] + nLemma + 3;
    k->n = 0;
    if (ds_buf_reserve(k, nKey)) { rc = nomem(e); break; }
    unsigned char *pk = k->p;
    memcpy(pk, z, n);
    pk += n;
    *pk++ = 0xFF;
    memcpy(pk, zPos, an[DS_ATTR_POS]);
    pk += an[DS_ATTR_POS];
    *pk++ = 0xFF;
    memcpy(pk, zXpos, an[DS_ATTR_XPOS]);
    pk += an[DS_ATTR_XPOS];
    *pk++ = 0xFF;
    memcpy(pk, zLemma, nLemma);
    k->n = nKey;
    ds_lexent *ent = type_of(c, pFind, z, n, az, an, &rc, e);
    if (!ent) {
      if (rc == DS_NOMEM) nomem(e);
      else if (rc == DS_LIMIT) ds_error_set(e, DS_LIMIT, -1, "%s: lexicon full", c->zPath);
      break;
    }
    aType[t] = ent->id;
    aEnt[t] = (uint32_t)(ent - c->types.aEnt);
    if (ent->id > maxType) maxType = ent->id;
  }
  int width = bit_width(maxType);
  if (rc == DS_OK) {
    pack_bits(&packed, aType, nTok, width);
    ds_buf_append(&codes, extra.p, extra.n);
    if (packed.rc || codes.rc || extra.rc) rc = nomem(e);
  }
  if (rc == DS_OK) {
    sqlite3_stmt *st = cached(c, ST_TOKENS, e);
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, c->docId);
      sqlite3_bind_int64(st, 2, c->docTok);
      sqlite3_bind_int64(st, 3, (int64_t)nTok);
      sqlite3_bind_int(st, 4, width);
      sqlite3_bind_blob(st, 5, packed.p, (int)packed.n, SQLITE_STATIC);
      sqlite3_bind_blob(st, 6, codes.p, (int)codes.n, SQLITE_STATIC);
      rc = step_reset(c, st, e, "write tokens");
    }
  }
  ds_buf_free(&packed);
  ds_buf_free(&codes);
  ds_buf_free(&extra);
  ds_free(aType);
  if (rc == DS_OK) rc = spans_add(c, d, (uint64_t)c->docTok, flags, e);
  for (size_t t = 0; t < nTok && rc == DS_OK; t++) {
    const uint32_t *ai = c->aTypeEnt + (size_t)aEnt[t] * DS_NATTR;
    for (int a = 0; a < DS_NATTR; a++) {
      ds_lexent *v = &c->aLex[a].aEnt[ai[a] & ~NOPOST];
      if (ai[a] & NOPOST) ds_lexent_count(v);
      else if (ds_lexent_occur(v, cpos + (int64_t)t)) {
        c->bBroken = 1;    /* postings half-written: the segment cannot be committed */
        rc = nomem(e);
        break;
      }
    }
  }
  ds_free(aEnt);
  return rc;
}

int ds_corpus_has_sha(ds_corpus *c, const char *zSha, ds_error *e) {
  sqlite3_stmt *st = cached(c, ST_SHA, e);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, zSha, -1, SQLITE_STATIC);
  int src = sqlite3_step(st);
  sqlite3_reset(st);
  if (src == SQLITE_ROW) return 1;
  if (src != SQLITE_DONE) {
    sql_error(c, e, "find document");
    return -1;
  }
  return 0;
}

int ds_corpus_shas(ds_corpus *c, ds_buf *out, size_t *pn, ds_error *e) {
  sqlite3_stmt *st = prep(c, "SELECT sha256 FROM docs ORDER BY sha256", e);
  int src;
  *pn = 0;
  if (!st) return DS_SQL;
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    if (sqlite3_column_bytes(st, 0) != 64) continue;      /* damaged: cannot match anyway */
    ds_buf_append(out, sqlite3_column_text(st, 0), 64);
    (*pn)++;
  }
  sqlite3_finalize(st);
  if (src != SQLITE_DONE) return sql_error(c, e, "read documents");
  return out->rc ? nomem(e) : DS_OK;
}

static int flush_segment(ds_corpus *c, ds_error *e);

int ds_corpus_doc_begin(ds_corpus *c, const char *zSha, size_t nBytes, const char *zName,
                        const char *zPath, const ds_meta *pMeta, const ds_doc *pOwn,
                        ds_error *e) {
  int rc;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open (call begin first)");
  if (c->bDocOpen) return ds_error_set(e, DS_MISUSE, -1, "a document is already open");
  if (!zName) zName = zPath ? zPath : "<text>";
  /* everything of this document goes in a savepoint: on error, none of it stays */
  sqlite3_stmt *pSave = cached(c, ST_SAVE, e);
  if (!pSave) return DS_SQL;
  rc = step_reset(c, pSave, e, "savepoint");
  if (rc) return rc;
  int64_t docId = 0;
  sqlite3_stmt *st = cached(c, ST_DOC, e);
  if (!st) rc = DS_SQL;
  else {
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, c->iSeg);
    sqlite3_bind_text(st, 2, zName, -1, SQLITE_STATIC);
    if (zPath) sqlite3_bind_text(st, 3, zPath, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, zSha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (int64_t)nBytes);
    sqlite3_bind_int64(st, 6, c->nextCpos);
    sqlite3_bind_int64(st, 7, 0);              /* ntok and nsent: set by ds_corpus_doc_end */
    sqlite3_bind_int64(st, 8, 0);
    rc = step_reset(c, st, e, "write document");
    docId = sqlite3_last_insert_rowid(c->db);
  }
  /* the document's own metadata first: what the caller gives replaces it */
  st = rc ? NULL : cached(c, ST_META, e);
  if (!rc && !st) rc = DS_SQL;
  for (size_t i = 0, off = 0; rc == DS_OK && pOwn && i < pOwn->nMeta; i++) {
    const char *zKey = (const char *)pOwn->meta.p + off;
    const char *zVal = zKey + strlen(zKey) + 1;
    off += strlen(zKey) + strlen(zVal) + 2;
    rc = put_meta_row(c, st, docId, zKey, zVal, e);
  }
  for (size_t i = 0; rc == DS_OK && pMeta && i < pMeta->n; i++)
    rc = put_meta_row(c, st, docId, pMeta->azKey[i], pMeta->azVal[i], e);
  if (rc) {
    sqlite3_exec(c->db, "ROLLBACK TO doc; RELEASE doc", NULL, NULL, NULL);
    return rc;
  }
  c->bDocOpen = 1;
  c->bDocFlushed = 0;
  c->docId = docId;
  c->docCpos = c->nextCpos;
  c->docTok = 0;
  c->zDocWhere = zPath ? zPath : zName;
  spans_reset(c);
  return DS_OK;
}

/* Past the budget (about 12 bytes of postings per token), postings go out as a segment. */
static int check_budget(ds_corpus *c, ds_error *e) {
  if (!c->nBudget || (size_t)c->segTokens * 12 <= c->nBudget) return DS_OK;
  int rc = flush_segment(c, e);
  if (rc == DS_OK) rc = new_segment(c, e);
  if (rc) c->bBroken = 1;
  if (c->bDocOpen) c->bDocFlushed = 1;
  return rc;
}

int ds_corpus_doc_part(ds_corpus *c, const ds_doc *d, int flags, ds_error *e) {
  if (!c->bDocOpen) return ds_error_set(e, DS_MISUSE, -1, "no document open");
  if (d->nTok == 0) return DS_OK;
  if ((uint64_t)c->docTok + d->nTok > UINT32_MAX - 1)
    return ds_error_set(e, DS_LIMIT, -1, "%s: more than 2^32 tokens in one document", c->zDocWhere);
  /* a large document may fill a segment's postings by itself */
  int rc = c->docTok ? check_budget(c, e) : DS_OK;
  if (rc == DS_OK) rc = store_part(c, d, flags, e);
  if (rc) return rc;
  c->docTok += (int64_t)d->nTok;
  c->nextCpos += (int64_t)d->nTok;
  c->segTokens += (int64_t)d->nTok;
  return DS_OK;
}

void ds_corpus_doc_abort(ds_corpus *c) {
  if (!c->bDocOpen) return;
  sqlite3_exec(c->db, "ROLLBACK TO doc; RELEASE doc", NULL, NULL, NULL);
  /* postings already written out in a segment of their own cannot be taken back */
  if (c->bDocFlushed) c->bBroken = 1;
  else c->segTokens -= c->docTok;
  c->nextCpos = c->docCpos;
  c->bDocOpen = 0;
}

int ds_corpus_doc_end(ds_corpus *c, int64_t *pDocId, ds_error *e) {
  int rc = DS_OK;
  *pDocId = 0;
  if (!c->bDocOpen) return ds_error_set(e, DS_MISUSE, -1, "no document open");
  if (c->docTok == 0) rc = ds_error_set(e, DS_FORMAT, -1, "%s: no text (empty or blank)", c->zDocWhere);
  if (rc == DS_OK) rc = spans_store(c, c->docId, e);
  sqlite3_stmt *st = rc ? NULL : cached(c, ST_DOCEND, e);
  if (rc == DS_OK && !st) rc = DS_SQL;
  if (rc == DS_OK) {
    sqlite3_bind_int64(st, 1, c->docId);
    sqlite3_bind_int64(st, 2, c->docTok);
    sqlite3_bind_int64(st, 3, c->aSpan[0].n);
    rc = step_reset(c, st, e, "write document");
  }
  sqlite3_stmt *pRelease = rc ? NULL : cached(c, ST_RELEASE, e);
  if (rc == DS_OK) rc = pRelease ? step_reset(c, pRelease, e, "release savepoint") : DS_SQL;
  if (rc) {
    ds_corpus_doc_abort(c);
    return rc;
  }
  c->bDocOpen = 0;
  c->segDocs++;
  *pDocId = c->docId;
  return check_budget(c, e);
}

/* ds_corpus_add_parsed once the corpus is known not to hold these bytes: one part. */
static int add_new(ds_corpus *c, const ds_doc *d, const char *zSha, size_t nBytes,
                   const char *zName, const char *zPath, const ds_meta *pMeta,
                   int64_t *pDocId, ds_error *e) {
  const char *zWhere = zPath ? zPath : zName;      /* errors name the file */
  if (d->nTok == 0) return ds_error_set(e, DS_FORMAT, -1, "%s: no text (empty or blank)", zWhere);
  int rc = ds_corpus_doc_begin(c, zSha, nBytes, zName, zPath, pMeta, d, e);
  if (rc) return rc;
  rc = ds_corpus_doc_part(c, d, 0, e);
  if (rc) {
    ds_corpus_doc_abort(c);
    return rc;
  }
  return ds_corpus_doc_end(c, pDocId, e);
}

/* *pbNew: a segment is open and the corpus does not hold these bytes yet. */
static int check_new(ds_corpus *c, const char *zSha, int *pbNew, ds_error *e) {
  *pbNew = 0;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open (call begin first)");
  int has = ds_corpus_has_sha(c, zSha, e);
  if (has < 0) return DS_SQL;
  *pbNew = !has;
  return DS_OK;
}

int ds_corpus_add_parsed(ds_corpus *c, const ds_doc *d, const char *zSha, size_t nBytes,
                         const char *zName, const char *zPath, const ds_meta *pMeta,
                         int64_t *pDocId, ds_error *e) {
  int bNew, rc = check_new(c, zSha, &bNew, e);
  *pDocId = 0;
  if (rc || !bNew) return rc;                 /* an error, or the same bytes are stored */
  return add_new(c, d, zSha, nBytes, zName ? zName : zPath ? zPath : "<text>", zPath, pMeta,
                 pDocId, e);
}

int ds_corpus_add_parts(ds_corpus *c, ds_parts *p, const char *zSha, size_t nBytes,
                        const char *zName, const char *zPath, const ds_meta *pMeta,
                        int64_t *pDocId, ds_error *e) {
  *pDocId = 0;
  int bNew, rc = check_new(c, zSha, &bNew, e);   /* before parsing: no duplicate is parsed */
  if (rc || !bNew) return rc;
  rc = ds_corpus_doc_begin(c, zSha, nBytes, zName, zPath, pMeta, NULL, e);
  if (rc) return rc;
  ds_doc *d;
  int flags;
  int64_t base;
  while ((rc = ds_parts_next(p, &d, &flags, &base, e)) == DS_OK) {
    rc = ds_corpus_doc_part(c, d, flags, e);
    ds_doc_free(d);
    if (rc) break;
  }
  if (rc != DS_DONE) {
    ds_corpus_doc_abort(c);
    return rc;
  }
  return ds_corpus_doc_end(c, pDocId, e);
}

int ds_corpus_add_text(ds_corpus *c, const char *z, size_t n, const char *zName,
                       const char *zPath, const ds_meta *pMeta, int64_t *pDocId,
                       ds_error *e) {
  char zSha[2 * SHA256_DIGEST_SIZE + 1];
  ds_doc *d = NULL;
  *pDocId = 0;
  if (!zName) zName = zPath ? zPath : "<text>";
  ds_sha256_hex(z, n, zSha);
  ds_read_opts ro = c->read;
  ro.zName = zPath ? zPath : zName;
  if (n > DS_PART_BYTES && ro.format == DS_FMT_TEXT) {     /* large: in parts */
    ds_parts p;
    int rc = ds_parts_open(&p, NULL, z, n, &ro, 0, NULL, e);
    if (rc == DS_OK) rc = ds_corpus_add_parts(c, &p, zSha, n, zName, zPath, pMeta, pDocId, e);
    ds_parts_close(&p);
    return rc;
  }
  int bNew, rc = check_new(c, zSha, &bNew, e);   /* before parsing: no duplicate is parsed */
  if (rc || !bNew) return rc;
  rc = ds_parse(z, n, &ro, &d, e);
  if (rc) return rc;
  rc = add_new(c, d, zSha, n, zName, zPath, pMeta, pDocId, e);
  ds_doc_free(d);
  return rc;
}

int ds_corpus_add_file(ds_corpus *c, const char *zPath, const char *zName,
                       const ds_meta *pMeta, int64_t *pDocId, ds_error *e) {
  char *z;
  size_t n;
  struct stat st;
  *pDocId = 0;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open (call begin first)");
  if (c->read.format == DS_FMT_TEXT && stat(zPath, &st) == 0 && (uint64_t)st.st_size > DS_PART_BYTES) {
    char zSha[2 * SHA256_DIGEST_SIZE + 1];      /* large: hashed, then read, in parts */
    uint64_t nBytes;
    ds_read_opts ro = c->read;
    ro.zName = zPath;
    ds_parts p;
    int rc = ds_sha256_file(zPath, zSha, &nBytes, e);
    if (rc == DS_OK) rc = ds_parts_open(&p, zPath, NULL, 0, &ro, 0, NULL, e);
    if (rc == DS_OK) {
      rc = ds_corpus_add_parts(c, &p, zSha, (size_t)nBytes, zName ? zName : zPath, zPath, pMeta, pDocId, e);
      ds_parts_close(&p);
    }
    return rc;
  }
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
  ds_buf blob = DS_BUF_INIT;
  sqlite3_stmt *pNew = prep(c, "INSERT INTO lexicon(attr, id, str, freq) VALUES(?1, ?2, ?3, ?4)", e);
  sqlite3_stmt *pUpd = prep(c, "UPDATE lexicon SET freq = freq + ?3 WHERE attr=?1 AND id=?2", e);
  sqlite3_stmt *pPost = prep(c, "INSERT INTO postings(attr, id, seg, n, data) VALUES(?1, ?2, ?3, ?4, ?5)", e);
  if (!pNew || !pUpd || !pPost) rc = DS_SQL;
  for (size_t i = 0; i < m->nEnt && rc == DS_OK; i++) {
    ds_lexent *ent = &m->aEnt[i];
    /* a new string whose document failed still owns its id: store it with frequency 0 */
    if (ent->isNew) {
      sqlite3_bind_int(pNew, 1, attr);
      sqlite3_bind_int64(pNew, 2, ent->id);
      sqlite3_bind_text(pNew, 3, ds_lexent_str(m, ent), (int)ent->len, SQLITE_STATIC);
      sqlite3_bind_int64(pNew, 4, (int64_t)ent->nAdded);
      rc = step_reset(c, pNew, e, "write lexicon");
    } else if (ent->nAdded) {
      sqlite3_bind_int(pUpd, 1, attr);
      sqlite3_bind_int64(pUpd, 2, ent->id);
      sqlite3_bind_int64(pUpd, 3, (int64_t)ent->nAdded);
      rc = step_reset(c, pUpd, e, "write lexicon");
    }
    if (rc == DS_OK && ent->nPost) {
      ds_buf_reset(&blob);
      rc = ds_postings_encode(ent->post.p, ent->post.n, ent->nPost, &blob);
      if (rc) rc = rc == DS_NOMEM ? nomem(e) : ds_error_set(e, rc, -1, "postings out of order");
      else {
        sqlite3_bind_int(pPost, 1, attr);
        sqlite3_bind_int64(pPost, 2, ent->id);
        sqlite3_bind_int64(pPost, 3, c->iSeg);
        sqlite3_bind_int64(pPost, 4, (int64_t)ent->nPost);
        sqlite3_bind_blob(pPost, 5, blob.p, (int)blob.n, SQLITE_STATIC);
        rc = step_reset(c, pPost, e, "write postings");
      }
    }
    if (rc == DS_OK) {
      ent->isNew = 0;
      ent->nAdded = 0;
      ent->nPost = 0;
      ent->lastPos = -1;
      ds_buf_free(&ent->post);
    }
  }
  sqlite3_finalize(pNew);
  sqlite3_finalize(pUpd);
  sqlite3_finalize(pPost);
  ds_buf_free(&blob);
  return rc;
}

/* Write the open segment: lexicons, postings, its new types and gaps, its row. */
static int flush_segment(ds_corpus *c, ds_error *e) {
  int rc = DS_OK;
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) rc = flush_attr(c, a, e);
  if (rc == DS_OK && c->tt.n > c->nTypesSeg) {
    ds_buf b = DS_BUF_INIT;
    for (size_t t = c->nTypesSeg; t < c->tt.n; t++)
      for (int a = 0; a < DS_NATTR; a++) ds_buf_put_varint(&b, ds_ttype_attr(&c->tt, (uint32_t)t, a));
    sqlite3_stmt *st = b.rc ? NULL : prep(c, "INSERT INTO types(first, n, seg, data) VALUES(?1, ?2, ?3, ?4)", e);
    if (b.rc) rc = nomem(e);
    else if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, (int64_t)c->nTypesSeg);
      sqlite3_bind_int64(st, 2, (int64_t)(c->tt.n - c->nTypesSeg));
      sqlite3_bind_int64(st, 3, c->iSeg);
      sqlite3_bind_blob(st, 4, b.p, (int)b.n, SQLITE_STATIC);
      rc = step_done(c, st, e, "write token types");
    }
    ds_buf_free(&b);
    if (rc == DS_OK) c->nTypesSeg = c->tt.n;
  }
  if (rc == DS_OK) {
    sqlite3_stmt *st = prep(c, "INSERT INTO gaps(id, str) VALUES(?1, ?2)", e);
    if (!st) rc = DS_SQL;
    for (size_t i = 0; st && i < c->gapmap.nEnt && rc == DS_OK; i++) {
      ds_lexent *g = &c->gapmap.aEnt[i];
      if (!g->isNew) continue;
      sqlite3_bind_int64(st, 1, g->id);
      sqlite3_bind_blob(st, 2, ds_lexent_str(&c->gapmap, g), (int)g->len, SQLITE_STATIC);
      rc = step_reset(c, st, e, "write gaps");
      g->isNew = 0;
    }
    sqlite3_finalize(st);
  }
  if (rc == DS_OK) {
    sqlite3_stmt *st = c->segDocs || c->segTokens    /* (a part of a document counts) */
      ? prep(c, "UPDATE segments SET cpos_end=?2, ndocs=?3 WHERE id=?1", e)
      : prep(c, "DELETE FROM segments WHERE id=?1", e);     /* nothing added: no segment */
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, c->iSeg);
      if (c->segDocs || c->segTokens) {
        sqlite3_bind_int64(st, 2, c->nextCpos);
        sqlite3_bind_int64(st, 3, c->segDocs);
      }
      rc = step_done(c, st, e, "close segment");
    }
  }
  return rc;
}

int ds_corpus_commit(ds_corpus *c, ds_error *e) {
  int rc = DS_OK;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open");
  if (c->bDocOpen) {
    ds_corpus_rollback(c);
    return ds_error_set(e, DS_MISUSE, -1, "a document is still open (ds_corpus_doc_end)");
  }
  if (c->bBroken) {
    ds_corpus_rollback(c);
    return ds_error_set(e, DS_NOMEM, -1, "%s: segment abandoned after a failure while writing",
                        c->zPath);
  }
  rc = flush_segment(c, e);
  if (rc == DS_OK) rc = exec(c, "COMMIT", e);
  if (rc) {
    ds_corpus_rollback(c);
    return rc;
  }
  c->bInTxn = 0;
  return load_docs(c, e);
}

void ds_corpus_rollback(ds_corpus *c) {
  if (!c->bInTxn) return;
  sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  c->bInTxn = 0;
  c->bBroken = 0;
  c->bDocOpen = 0;
  for (int a = 0; a < DS_NATTR; a++) ds_lexmap_clear(&c->aLex[a]);
  ds_lexmap_clear(&c->types);
  ds_lexmap_clear(&c->gapmap);
  ds_ttypes_truncate(&c->tt, c->nTypesBegin);
  c->dataVersion = -1;
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
  *pa = NULL;
  *pn = 0;
  if (!ds_corpus_indexed(c, attr, id)) return DS_DONE;
  sqlite3_stmt *st = prep(c, "SELECT data FROM postings WHERE attr=?1 AND id=?2 ORDER BY seg", e);
  size_t nAlloc = 0;
  int rc = DS_OK, src;
  if (!st) return DS_SQL;
  sqlite3_bind_int(st, 1, attr);
  sqlite3_bind_int64(st, 2, id);
  while (rc == DS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    size_t nBefore = *pn;
    const unsigned char *pData = sqlite3_column_blob(st, 0);
    rc = ds_postings_decode(pData, (size_t)sqlite3_column_bytes(st, 0), pa, pn, &nAlloc);
    if (rc == DS_OK && nBefore > 0 && *pn > nBefore && (*pa)[nBefore] <= (*pa)[nBefore - 1])
      rc = DS_CORRUPT;
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read postings");
  sqlite3_finalize(st);
  if (rc == DS_CORRUPT)
    ds_error_set(e, rc, -1, "%s: corrupt postings for %s id %u", c->zPath, azAttr[attr], id);
  else if (rc == DS_NOMEM)
    nomem(e);
  if (rc) {
    ds_free(*pa);
    *pa = NULL;
    *pn = 0;
  }
  return rc;
}

/* Make room for n types and (when bText) n offset pairs in the window arrays. */
static int window_room(ds_corpus *c, size_t n, int bText) {
  if (n > c->nTypesAlloc) {
    size_t nNew = c->nTypesAlloc ? c->nTypesAlloc : 1024;
    while (nNew < n) nNew *= 2;
    uint32_t *a = ds_realloc(c->aTypes, nNew * sizeof *a);
    if (!a) return DS_NOMEM;
    c->aTypes = a;
    c->nTypesAlloc = nNew;
  }
  if (bText && 2 * n > c->nOffAlloc) {
    size_t nNew = c->nOffAlloc ? c->nOffAlloc : 2048;
    while (nNew < 2 * n) nNew *= 2;
    uint32_t *a = ds_realloc(c->aOff, nNew * sizeof *a);
    if (!a) return DS_NOMEM;
    c->aOff = a;
    c->nOffAlloc = nNew;
  }
  return DS_OK;
}

/* Decode n token types of `width` bits from p[0..nb) into c->aTypes + at. */
static int unpack_types(ds_corpus *c, const unsigned char *p, size_t nb, int width, size_t n,
                        size_t at) {
  uint64_t mask = width == 32 ? 0xFFFFFFFFu : ((uint64_t)1 << width) - 1;
  for (size_t i = 0; i < n; i++) {
    size_t bit = i * (size_t)width, byte = bit >> 3;
    uint64_t v = 0;
    for (size_t b = 0; b < 5 && byte + b < nb; b++) v |= (uint64_t)p[byte + b] << (8 * b);
    uint32_t t = (uint32_t)((v >> (bit & 7)) & mask);
    if (t >= c->tt.n) return DS_CORRUPT;
    c->aTypes[at + i] = t;
  }
  return DS_OK;
}

/*
** Append the text of a part of n tokens (types at c->aTypes + at) from its white space
** p[0..nb) to c->text, with the offsets of its tokens.
*/
static int rebuild_text(ds_corpus *c, const unsigned char *p, size_t nb, size_t n, size_t at) {
  size_t nCodes = n / 4 + 1;
  if (!p || nb < nCodes) return DS_CORRUPT;
  const unsigned char *x = p + nCodes, *end = p + nb;
  for (size_t t = 0; t <= n; t++) {
    uint64_t gap = (p[t >> 2] >> (2 * (t & 3))) & 3;
    if (gap == 3) {
      if (ds_get_varint(&x, end, &gap) || gap > UINT32_MAX) return DS_CORRUPT;
      gap += 3;
    }
    const char *z;
    size_t nz;
    if (strtab_get(&c->gaps, gap, &z, &nz)) return DS_CORRUPT;
    ds_buf_append(&c->text, z, nz);
    if (t == n) break;
    uint32_t word = ds_ttype_attr(&c->tt, c->aTypes[at + t], DS_ATTR_WORD);
    if (strtab_get(&c->words, word, &z, &nz) || c->text.n + nz > UINT32_MAX) return DS_CORRUPT;
    c->aOff[2 * (at + t)] = (uint32_t)c->text.n;
    ds_buf_append(&c->text, z, nz);
    c->aOff[2 * (at + t) + 1] = (uint32_t)c->text.n;
  }
  return x == end ? DS_OK : DS_CORRUPT;
}

/*
** Load the parts of document k that hold its tokens [t0, t1) into the window: their
** token types, and with bText their text and token offsets. A document of one part is
** one row; a large one is read a part at a time, never all of it unless asked.
*/
static int load_window(ds_corpus *c, int64_t k, int64_t t0, int64_t t1, int bText, ds_error *e) {
  if (c->streamDoc == k && t0 >= c->streamFirst && t1 <= c->streamFirst + (int64_t)c->streamN &&
      (c->bText || !bText))
    return DS_OK;
  int rc = load_types(c, e);
  if (rc == DS_OK && bText) rc = load_strtab(c, &c->words, "SELECT id, str FROM lexicon WHERE attr=0 ORDER BY id", e);
  if (rc == DS_OK && bText) rc = load_strtab(c, &c->gaps, "SELECT id, str FROM gaps ORDER BY id", e);
  if (rc) return rc;
  const ds_docinfo *d = &c->aDoc[k];
  sqlite3_stmt *st = cached(c, ST_PARTS, e);
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
    if (unpack_types(c, p, nb, width, (size_t)n, nWin)) { rc = DS_CORRUPT; break; }
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
  case DS_SQL: return sql_error(c, e, "read tokens");
  case DS_NOMEM: return nomem(e);
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

/* The token type of token t of document k (loading its part). */
static int type_at(ds_corpus *c, int64_t k, int64_t t, uint32_t *pType, ds_error *e) {
  int rc = load_window(c, k, t, t + 1, 0, e);
  if (rc == DS_OK) *pType = c->aTypes[t - c->streamFirst];
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
  return load_window(c, k, 0, c->aDoc[k].nTok, 1, e);
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
  const ds_docinfo *d = &c->aDoc[k];
  /* the parts around the match: a token has at least one character, so `width` tokens
     on each side hold the context, and the window reaches the document's edges if it
     must */
  int64_t w = width > 0 ? width : 0, t0 = first - d->cpos - w - 1, t1 = last - d->cpos + w + 2;
  int rc = load_window(c, k, t0 < 0 ? 0 : t0, t1 > d->nTok ? d->nTok : t1, 1, e);
  if (rc) return rc;
  const char *z = (const char *)c->text.p;
  size_t nText = c->text.n;
  int64_t base = d->cpos + c->streamFirst;
  size_t a = c->aOff[2 * (first - base)], b = c->aOff[2 * (last - base) + 1];
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
  if (pLeft->rc || pMatch->rc || pRight->rc) return nomem(e);
  return DS_OK;
}

/* ====================== document search (FTS5) ====================== */

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
    rc = load_window(c, k, t, t + 1, 1, e);
    if (rc) break;
    sqlite3_bind_int64(pPut, 1, id << SEARCH_PART_BITS | j);
    sqlite3_bind_text(pPut, 2, (const char *)c->text.p, (int)c->text.n, SQLITE_STATIC);
    rc = step_reset(c, pPut, e, "update search index");
    t = c->streamFirst + (int64_t)c->streamN;
  }
  return rc;
}

/* Take document k out of the search index, if it is there (its text is still at hand). */
static int search_forget(ds_corpus *c, int64_t k, ds_error *e) {
  int64_t id = c->aDoc[k].id;
  sqlite3_stmt *st = prep(c, "SELECT 1 FROM search_docs WHERE doc=?1", e);
  if (!st) return DS_SQL;
  sqlite3_bind_int64(st, 1, id);
  int src = sqlite3_step(st);
  sqlite3_finalize(st);
  if (src == SQLITE_DONE) return DS_OK;
  if (src != SQLITE_ROW) return sql_error(c, e, "read search index");
  st = prep(c, "INSERT INTO search(search, rowid, text) VALUES('delete', ?1, ?2)", e);
  if (!st) return DS_SQL;
  int rc = search_parts(c, k, st, e);
  sqlite3_finalize(st);
  if (rc == DS_OK) {
    st = prep(c, "DELETE FROM search_docs WHERE doc=?1", e);
    if (!st) return DS_SQL;
    sqlite3_bind_int64(st, 1, id);
    rc = step_done(c, st, e, "update search index");
  }
  return rc;
}

int ds_corpus_search_update(ds_corpus *c, size_t *pnAdded, ds_error *e) {
  *pnAdded = 0;
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is open");
  int rc = exec(c, "BEGIN IMMEDIATE", e);
  if (rc) return rc;
  rc = load_docs(c, e);
  sqlite3_stmt *pHas = rc ? NULL : prep(c, "SELECT 1 FROM search_docs WHERE doc=?1", e);
  sqlite3_stmt *pPut = pHas ? prep(c, "INSERT INTO search(rowid, text) VALUES(?1, ?2)", e) : NULL;
  sqlite3_stmt *pDone = pPut ? prep(c, "INSERT INTO search_docs(doc) VALUES(?1)", e) : NULL;
  if (rc == DS_OK && !pDone) rc = DS_SQL;
  for (size_t k = 0; rc == DS_OK && k < c->nDoc; k++) {
    int64_t id = c->aDoc[k].id;
    sqlite3_bind_int64(pHas, 1, id);
    int src = sqlite3_step(pHas);
    sqlite3_reset(pHas);
    if (src == SQLITE_ROW) continue;
    if (src != SQLITE_DONE) { rc = sql_error(c, e, "read search index"); break; }
    rc = search_parts(c, (int64_t)k, pPut, e);
    sqlite3_bind_int64(pDone, 1, id);
    if (rc == DS_OK) rc = step_reset(c, pDone, e, "update search index");
    if (rc == DS_OK) (*pnAdded)++;
  }
  sqlite3_finalize(pHas);
  sqlite3_finalize(pPut);
  sqlite3_finalize(pDone);
  if (rc == DS_OK) rc = exec(c, "COMMIT", e);
  if (rc) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

int64_t ds_corpus_search_missing(ds_corpus *c) {
  return count_of(c, "SELECT count(*) FROM docs WHERE deleted=0 AND id NOT IN (SELECT doc FROM search_docs)", -1);
}

/* Index in aDoc of the document with id docId, or -1 (ids grow with positions). */
static int64_t doc_index(const ds_corpus *c, int64_t docId) {
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

int ds_corpus_search(ds_corpus *c, const char *zQuery, int64_t nLimit,
                     int (*xHit)(void *ctx, size_t k, double score), void *ctx, ds_error *e) {
  if (ds_utf8_check(zQuery, strlen(zQuery)) >= 0)
    return ds_error_set(e, DS_QUERY, -1, "search: the query is not valid UTF-8");
  if (ds_corpus_refresh(c, e)) return e ? e->code : DS_SQL;
  /* rows are parts: a document scores as its best part, and counts once */
  sqlite3_stmt *st = prep(c, "WITH h AS MATERIALIZED (SELECT rowid >> 20 AS doc, bm25(search) AS score "
                             "FROM search WHERE search MATCH ?1) "
                             "SELECT doc, min(score) AS best FROM h GROUP BY doc ORDER BY best LIMIT ?2", e);
  if (!st) return DS_SQL;
  sqlite3_bind_text(st, 1, zQuery, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, nLimit > 0 ? nLimit : INT64_MAX);
  int rc = DS_OK, src;
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t k = doc_index(c, sqlite3_column_int64(st, 0));
    if (k < 0) continue;                      /* removed since */
    if (xHit(ctx, (size_t)k, -sqlite3_column_double(st, 1))) { rc = DS_DONE; break; }
  }
  if (rc == DS_OK && src != SQLITE_DONE)
    rc = ds_error_set(e, DS_QUERY, -1, "search: %s", sqlite3_errmsg(c->db));
  sqlite3_finalize(st);
  return rc;
}

typedef struct snip_terms {
  ds_corpus *c;
  uint32_t aId[64];           /* norm ids of the query's terms */
  int n;
  const char *zQuery;
} snip_terms;

static int snip_term(void *ctx, const char *z, size_t n, size_t iStart, size_t iEnd) {
  snip_terms *s = ctx;
  (void)iStart;
  /* FTS5's operators are no terms to mark */
  static const char *const azOp[] = {"AND", "OR", "NOT", "NEAR"};
  for (size_t i = 0; i < 4; i++)
    if (iEnd - iStart == strlen(azOp[i]) && memcmp(s->zQuery + iStart, azOp[i], iEnd - iStart) == 0) return 0;
  uint32_t id;
  int64_t freq;
  if (s->n < 64 && ds_corpus_lookup(s->c, DS_ATTR_NORM, z, n, &id, &freq, NULL) == DS_OK) s->aId[s->n++] = id;
  return 0;
}

int ds_corpus_snippet(ds_corpus *c, size_t k, const char *zQuery, int nTokens, ds_buf *out,
                      ds_error *e) {
  if (k >= c->nDoc) return ds_error_set(e, DS_MISUSE, -1, "no document %zu", k);
  snip_terms s = {c, {0}, 0, zQuery};
  int rc = ds_fts5_terms(zQuery, strlen(zQuery), 0, snip_term, &s);
  if (rc == DS_UTF8) return ds_error_set(e, DS_QUERY, -1, "search: the query is not valid UTF-8");
  if (rc) return nomem(e);
  size_t nTok = (size_t)c->aDoc[k].nTok, w = nTokens > 0 ? (size_t)nTokens : 20;
  if (w > nTok) w = nTok;
  /* the window of w tokens with the most matches (the first such), found a part at a
     time: aHit keeps the last w tokens' hits, round */
  size_t best = 0, bestN = 0, cur = 0;
  uint8_t *aHit = ds_malloc(w + 1);
  if (!aHit) return nomem(e);
  for (size_t t = 0; t < nTok && rc == DS_OK;) {
    rc = load_window(c, (int64_t)k, (int64_t)t, (int64_t)t + 1, 0, e);
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
  if (rc == DS_OK) rc = load_window(c, (int64_t)k, (int64_t)best, (int64_t)(best + w), 1, e);
  if (rc) return rc;
  const char *z = (const char *)c->text.p;
  const uint32_t *aOff = c->aOff;
  size_t o = 2 * (size_t)c->streamFirst;       /* aOff is by token of the window */
  if (best > 0) ds_buf_puts(out, "...");
  for (size_t t = best; t < best + w; t++) {
    uint32_t norm = ds_ttype_attr(&c->tt, c->aTypes[t - (size_t)c->streamFirst], DS_ATTR_NORM);
    int hit = 0;
    for (int j = 0; j < s.n; j++) if (s.aId[j] == norm) hit = 1;
    if (t > best) put_flat(out, z, aOff[2 * t - 1 - o], aOff[2 * t - o]);
    if (hit) ds_buf_putc(out, '[');
    put_flat(out, z, aOff[2 * t - o], aOff[2 * t + 1 - o]);
    if (hit) ds_buf_putc(out, ']');
  }
  if (best + w < nTok) ds_buf_puts(out, "...");
  return out->rc ? nomem(e) : DS_OK;
}

/* ====================== removing and merging ====================== */

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int ds_corpus_remove(ds_corpus *c, int64_t docId, ds_error *e) {
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is open");
  int rc = exec(c, "BEGIN IMMEDIATE", e);
  if (rc) return rc;
  rc = load_docs(c, e);
  size_t k = 0;
  while (rc == DS_OK && k < c->nDoc && c->aDoc[k].id != docId) k++;
  if (rc == DS_OK && k == c->nDoc) rc = DS_DONE;
  if (rc == DS_OK) rc = search_forget(c, (int64_t)k, e);
  /* every (attribute, id) of the document with its count, taken off the lexicon, a part
     at a time */
  uint64_t *aKey = NULL;
  size_t nKeyAlloc = 0;
  sqlite3_stmt *st = rc ? NULL : prep(c, "UPDATE lexicon SET freq = freq - ?3 WHERE attr=?1 AND id=?2", e);
  if (rc == DS_OK && !st) rc = DS_SQL;
  int64_t nTok = rc == DS_OK ? c->aDoc[k].nTok : 0;
  for (int64_t t = 0; rc == DS_OK && t < nTok;) {
    rc = load_window(c, (int64_t)k, t, t + 1, 0, e);
    if (rc) break;
    size_t nPart = c->streamN, nKey = nPart * DS_NATTR;
    if (nKey > nKeyAlloc) {
      ds_free(aKey);
      if (!(aKey = ds_malloc(nKey * sizeof *aKey))) { rc = nomem(e); break; }
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
      rc = step_reset(c, st, e, "update lexicon");
      i = j;
    }
  }
  sqlite3_finalize(st);
  ds_free(aKey);
  if (rc == DS_OK) {
    /* its SHA-256 goes with it: the same file can be added again at once */
    st = prep(c, "UPDATE docs SET deleted=1, sha256='removed:' || id WHERE id=?1", e);
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, docId);
      rc = step_done(c, st, e, "remove document");
    }
  }
  if (rc == DS_OK) rc = exec(c, "COMMIT", e);
  if (rc) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  int rc2 = load_docs(c, rc ? NULL : e);
  return rc ? rc : rc2;
}

/* Merge the postings of every (attr, id) into segment iSeg, dropping removed documents. */
static int merge_postings(ds_corpus *c, int64_t iSeg, ds_error *e) {
  sqlite3_stmt *pIds = prep(c, "SELECT DISTINCT attr, id FROM postings", e);
  sqlite3_stmt *pGet = prep(c, "SELECT data FROM postings WHERE attr=?1 AND id=?2 ORDER BY seg", e);
  sqlite3_stmt *pDel = prep(c, "DELETE FROM postings WHERE attr=?1 AND id=?2", e);
  sqlite3_stmt *pPut = prep(c, "INSERT INTO postings(attr, id, seg, n, data) VALUES(?1, ?2, ?3, ?4, ?5)", e);
  ds_buf keys = DS_BUF_INIT, deltas = DS_BUF_INIT, blob = DS_BUF_INIT;
  int rc = pIds && pGet && pDel && pPut ? DS_OK : DS_SQL, src;
  /* the keys first: the table changes under the loop below */
  while (rc == DS_OK && (src = sqlite3_step(pIds)) == SQLITE_ROW) {
    uint64_t key = (uint64_t)sqlite3_column_int(pIds, 0) << 32 | (uint32_t)sqlite3_column_int64(pIds, 1);
    ds_buf_append(&keys, &key, sizeof key);
  }
  if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read postings");
  if (rc == DS_OK && keys.rc) rc = nomem(e);
  int64_t *aPos = NULL;
  size_t nAlloc = 0;
  for (size_t i = 0; rc == DS_OK && i < keys.n / sizeof(uint64_t); i++) {
    uint64_t key;
    memcpy(&key, keys.p + i * sizeof key, sizeof key);
    int attr = (int)(key >> 32);
    int64_t id = (int64_t)(key & 0xFFFFFFFFu);
    size_t nPos = 0;
    sqlite3_bind_int(pGet, 1, attr);
    sqlite3_bind_int64(pGet, 2, id);
    while (rc == DS_OK && (src = sqlite3_step(pGet)) == SQLITE_ROW)
      rc = ds_postings_decode(sqlite3_column_blob(pGet, 0), (size_t)sqlite3_column_bytes(pGet, 0),
                              &aPos, &nPos, &nAlloc);
    if (rc == DS_OK && src != SQLITE_DONE) rc = sql_error(c, e, "read postings");
    sqlite3_reset(pGet);
    if (rc == DS_CORRUPT) rc = ds_error_set(e, rc, -1, "%s: corrupt postings for %s id %lld",
                                            c->zPath, azAttr[attr], (long long)id);
    else if (rc == DS_NOMEM) nomem(e);
    /* the live positions, as deltas */
    ds_buf_reset(&deltas);
    int64_t prev = -1;
    uint64_t n = 0;
    for (size_t j = 0; rc == DS_OK && j < nPos; j++) {
      if (aPos[j] <= prev) {
        rc = ds_error_set(e, DS_CORRUPT, -1, "%s: postings of %s id %lld out of order", c->zPath,
                          azAttr[attr], (long long)id);
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
      rc = step_reset(c, pDel, e, "merge postings");
    }
    if (rc == DS_OK && n) {
      ds_buf_reset(&blob);
      rc = ds_postings_encode(deltas.p, deltas.n, n, &blob);
      if (rc) rc = nomem(e);
      else {
        sqlite3_bind_int(pPut, 1, attr);
        sqlite3_bind_int64(pPut, 2, id);
        sqlite3_bind_int64(pPut, 3, iSeg);
        sqlite3_bind_int64(pPut, 4, (int64_t)n);
        sqlite3_bind_blob(pPut, 5, blob.p, (int)blob.n, SQLITE_STATIC);
        rc = step_reset(c, pPut, e, "merge postings");
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
  int rc = load_types(c, e);
  if (rc || c->tt.n == 0) return rc;
  ds_buf b = DS_BUF_INIT;
  for (size_t t = 0; t < c->tt.n; t++)
    for (int a = 0; a < DS_NATTR; a++) ds_buf_put_varint(&b, ds_ttype_attr(&c->tt, (uint32_t)t, a));
  if (b.rc) rc = nomem(e);
  if (rc == DS_OK) rc = exec(c, "DELETE FROM types", e);
  sqlite3_stmt *st = rc ? NULL : prep(c, "INSERT INTO types(first, n, seg, data) VALUES(0, ?1, ?2, ?3)", e);
  if (rc == DS_OK && !st) rc = DS_SQL;
  if (st) {
    sqlite3_bind_int64(st, 1, (int64_t)c->tt.n);
    sqlite3_bind_int64(st, 2, iSeg);
    sqlite3_bind_blob(st, 3, b.p, (int)b.n, SQLITE_STATIC);
    rc = step_done(c, st, e, "merge token types");
  }
  ds_buf_free(&b);
  return rc;
}

int ds_corpus_optimize(ds_corpus *c, ds_error *e) {
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is open");
  int rc = exec(c, "BEGIN IMMEDIATE", e);
  if (rc) return rc;
  rc = load_docs(c, e);
  c->bTypesLoaded = 0;
  int64_t nSeg = rc ? 0 : count_of(c, "SELECT count(*) FROM segments", -1);
  int64_t nDead = rc ? 0 : count_of(c, "SELECT count(*) FROM docs WHERE deleted<>0", -1);
  int64_t nTypeRows = rc ? 0 : count_of(c, "SELECT count(*) FROM types", -1);
  if (rc == DS_OK && (nSeg < 0 || nDead < 0 || nTypeRows < 0)) rc = sql_error(c, e, "optimize");
  if (rc == DS_OK && (nSeg > 1 || nDead > 0 || nTypeRows > 1)) {
    char zNow[32];
    now_iso(zNow, sizeof zNow);
    sqlite3_stmt *st = prep(c, "INSERT INTO segments(created, cpos_start, cpos_end, ndocs) VALUES(?1, ?2, ?3, ?4)", e);
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_text(st, 1, zNow, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, c->nDoc ? c->aDoc[0].cpos : c->nextCpos);
      sqlite3_bind_int64(st, 3, c->nextCpos);
      sqlite3_bind_int64(st, 4, (int64_t)c->nDoc);
      rc = step_done(c, st, e, "new segment");
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
    for (size_t i = 0; rc == DS_OK && i < sizeof azFree / sizeof *azFree; i++) rc = exec(c, azFree[i], e);
    if (rc == DS_OK) {
      st = prep(c, "UPDATE docs SET seg=?1", e);
      if (!st) rc = DS_SQL;
      else {
        sqlite3_bind_int64(st, 1, iSeg);
        rc = step_done(c, st, e, "merge segments");
      }
    }
    if (rc == DS_OK) {
      st = prep(c, "DELETE FROM segments WHERE id<>?1", e);
      if (!st) rc = DS_SQL;
      else {
        sqlite3_bind_int64(st, 1, iSeg);
        rc = step_done(c, st, e, "merge segments");
      }
    }
  }
  if (rc == DS_OK) rc = exec(c, "COMMIT", e);
  if (rc) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  else sqlite3_exec(c->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);   /* free pages back */
  c->bTypesLoaded = 0;
  int rc2 = load_docs(c, rc ? NULL : e);
  return rc ? rc : rc2;
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

  /* documents: in corpus order without overlap (removed ones leave their positions) */
  int64_t expect = 0;
  st = prep(c, "SELECT id, name, cpos, ntok FROM docs ORDER BY cpos", e);
  if (!st) return DS_SQL;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t cpos = sqlite3_column_int64(st, 2), ntok = sqlite3_column_int64(st, 3);
    if (cpos < expect || ntok <= 0)
      problem(r, pn, "document %lld (%s): positions %lld..%lld overlap the previous document's, "
              "which end at %lld", (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
              (long long)cpos, (long long)(cpos + ntok - 1), (long long)expect - 1);
    expect = cpos + ntok;
  }
  sqlite3_finalize(st);

  ds_error e1;
  c->bTypesLoaded = 0;
  if (load_types(c, &e1)) problem(r, pn, "%s", e1.msg);

  /* per live document: token stream, text, spans */
  for (size_t k = 0; k < c->nDoc; k++) {
    const ds_docinfo *d = &c->aDoc[k];
    ds_error e2;
    c->streamDoc = -1;
    for (int64_t t = 0; t < d->nTok; t = c->streamFirst + (int64_t)c->streamN)   /* part by part */
      if (load_window(c, (int64_t)k, t, t + 1, 1, &e2)) {
        problem(r, pn, "%s", e2.msg);
        break;
      } else if (c->streamFirst != t) {
        problem(r, pn, "document %s: token parts overlap at token %lld", d->zName, (long long)t);
        break;
      }
    st = prep(c, "SELECT kind, n, data FROM spans WHERE doc=?1", e);
    if (!st) return DS_SQL;
    sqlite3_bind_int64(st, 1, d->id);
    while (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char *p = sqlite3_column_blob(st, 2);
      if (!p) {
        if (sqlite3_column_int64(st, 1) != 0)
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

  /* postings: ascending, counting (in live documents) what the lexicon says */
  st = prep(c, "SELECT attr, id, str, freq FROM lexicon", e);
  if (!st) return DS_SQL;
  while (sqlite3_step(st) == SQLITE_ROW && *pn < 100) {
    int attr = sqlite3_column_int(st, 0);
    uint32_t id = (uint32_t)sqlite3_column_int64(st, 1);
    int64_t freq = sqlite3_column_int64(st, 3);
    const char *zStr = (const char *)sqlite3_column_text(st, 2);
    if (attr < 0 || attr >= DS_NATTR) {
      problem(r, pn, "lexicon: unknown attribute %d", attr);
      continue;
    }
    if (!ds_corpus_indexed(c, attr, id)) continue;
    int64_t *aPos;
    size_t nPos;
    ds_error e2;
    if (ds_corpus_postings(c, attr, id, &aPos, &nPos, &e2)) {
      problem(r, pn, "%s", e2.msg);
      continue;
    }
    int64_t nLive = 0;
    for (size_t i = 0; i < nPos; i++) {
      if (aPos[i] >= expect || (i > 0 && aPos[i] <= aPos[i - 1])) {
        problem(r, pn, "postings of %s `%s`: position %lld out of order or range", ds_attr_name(attr),
                zStr, (long long)aPos[i]);
        break;
      }
      if (ds_corpus_doc_at(c, aPos[i]) < 0) continue;
      nLive++;
      /* a sample of positions must hold the id in the token stream */
      if ((i & 63) == 0) {
        uint32_t got;
        if (ds_corpus_id_at(c, attr, aPos[i], &got, &e2) == DS_OK && got != id)
          problem(r, pn, "postings of %s `%s`: position %lld holds id %u", ds_attr_name(attr),
                  zStr, (long long)aPos[i], got);
      }
    }
    if (freq != nLive)
      problem(r, pn, "lexicon %s `%s`: frequency %lld but %lld postings", ds_attr_name(attr),
              zStr, (long long)freq, (long long)nLive);
    ds_free(aPos);
  }
  sqlite3_finalize(st);
  if (r->rc) return nomem(e);
  return DS_OK;
}
