/*
** fuzz_store.c -- open a damaged corpus file and use it: info, documents and metadata,
** queries, concordances, the integrity check, and (when the input asks) adding a
** document. Any error is fine; a crash, a leak or undefined behaviour is not.
**
** A valid corpus file is built once; each input damages a copy of it. Input:
**   byte 0   flags: 1 open read-only, 2 SQL patches (else byte patches), 4 add a document
**   then patches, as many as fit:
**     byte patch  offset (3 bytes, big-endian, modulo the file size), length (1), bytes
**     SQL patch   column (1, see aCol), row (2), kind (1), payload (see sql_patch)
** Byte patches damage what SQLite reads (pages, records, serial types); SQL patches
** write well-formed rows with values dossier does not expect (huge ntok, overlapping
** cpos, truncated varint blobs, NULL names), which byte flips rarely reach.
*/
#include "ds_ingest.h"
#include "ds_kwic.h"
#include "ds_query.h"
#include "fuzz.h"

#include <sqlite3.h>

static unsigned char *aBase[2];  /* the valid corpus file; the same without NOT NULL */
static size_t nBase;
static const char *zPath;       /* where each input's damaged copy goes */

/*
** Columns an SQL patch can change; `key` picks a row in a WITHOUT ROWID table too.
** Inputs index this list modulo its length: changing it changes what the SQL-patch
** inputs in spec/fuzz-regressions/store/ do.
*/
static const struct { const char *zTable, *zCol, *zKey; } aCol[] = {
  {"docs", "cpos", "id"}, {"docs", "ntok", "id"}, {"docs", "nsent", "id"},
  {"docs", "name", "id"}, {"docs", "deleted", "id"}, {"docs", "id", "id"},
  {"tokens", "types", "doc, first"}, {"tokens", "ws", "doc, first"}, {"tokens", "doc", "doc, first"},
  {"types", "data", "first"}, {"tokens", "width", "doc, first"},
  {"postings", "data", "attr, id, seg"}, {"postings", "id", "attr, id, seg"},
  {"postings", "seg", "attr, id, seg"}, {"lexicon", "str", "attr, id"},
  {"lexicon", "freq", "attr, id"}, {"lexicon", "id", "attr, id"},
  {"spans", "data", "kind, doc"}, {"spans", "n", "kind, doc"},
  {"meta", "value", "key"}, {"segments", "cpos_start", "id"}, {"doc_meta", "value", "doc, key"},
  {"gaps", "str", "id"}, {"types", "n", "first"}, {"types", "first", "first"},
  {"search_docs", "doc", "doc"},
};
#define NCOL (sizeof aCol / sizeof *aCol)

static unsigned char *read_file(const char *zFile, size_t *pn) {
  FILE *f = fopen(zFile, "rb");
  unsigned char *z = NULL;
  if (!f || fseek(f, 0, SEEK_END) || (*pn = (size_t)ftell(f)) == 0) abort();
  rewind(f);
  if (!(z = malloc(*pn)) || fread(z, 1, *pn, f) != *pn) abort();
  fclose(f);
  return z;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *zBase = fuzz_tmp_path("store-base");
  size_t n;
  sqlite3 *db;
  fuzz_build_corpus(zBase);    /* closed: the WAL is checkpointed into the file */
  aBase[0] = read_file(zBase, &nBase);
  /* SQL patches may write NULL anywhere, as a damaged record can hold it */
  if (sqlite3_open(zBase, &db) != SQLITE_OK ||
      sqlite3_exec(db, "PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql = "
                       "replace(sql, 'NOT NULL', '') WHERE type = 'table'", NULL, NULL, NULL))
    abort();
  sqlite3_close(db);
  aBase[1] = read_file(zBase, &n);
  if (n != nBase) abort();
  zPath = fuzz_tmp_path("store");
  return 0;
}

/* Apply one SQL patch at p[0..n); return the bytes it used (0: input exhausted). */
static size_t sql_patch(sqlite3 *db, const uint8_t *p, size_t n) {
  if (n < 4) return 0;
  size_t col = p[0] % NCOL, used = 4, len;
  int row = p[1] << 8 | p[2], kind = p[3] % 6;
  const char *zExpr;
  switch (kind) {
    case 0: zExpr = "NULL"; break;
    case 1: zExpr = "?2"; break;                       /* an integer: 8 bytes */
    case 2: zExpr = "%s + ?2"; break;                  /* shifted: a signed byte */
    case 3: zExpr = "CAST(?3 AS TEXT)"; break;         /* a string: length, bytes */
    case 4: zExpr = "?3"; break;                       /* a blob: length, bytes */
    default: zExpr = "CAST(substr(%s, 1, ?2) || ?3 || substr(%s, ?2 + length(?3) + 1) AS BLOB)";
  }                                                    /* bytes overwritten: offset, length, bytes */
  char zSet[256], zSql[768];
  snprintf(zSet, sizeof zSet, zExpr, aCol[col].zCol, aCol[col].zCol);
  snprintf(zSql, sizeof zSql,
           "UPDATE %s SET %s = %s WHERE (%s) IN (SELECT %s FROM %s LIMIT 1 OFFSET "
           "?1 %% max(1, (SELECT count(*) FROM %s)))",
           aCol[col].zTable, aCol[col].zCol, zSet, aCol[col].zKey, aCol[col].zKey,
           aCol[col].zTable, aCol[col].zTable);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, zSql, -1, &st, NULL) != SQLITE_OK) abort();   /* our SQL is wrong */
  sqlite3_bind_int(st, 1, row);
  p += 4, n -= 4;
  if (kind == 1) {
    int64_t v = 0;
    for (size_t i = 0; i < 8 && i < n; i++) v |= (int64_t)((uint64_t)p[i] << 8 * i);
    sqlite3_bind_int64(st, 2, v);
    used += n < 8 ? n : 8;
  } else if (kind == 2 && n > 0) {
    sqlite3_bind_int(st, 2, (int8_t)p[0]);
    used++;
  } else if (kind >= 3 && n > 0) {
    size_t off = kind == 5 ? p[0] : 0;
    if (kind == 5) p++, n--, used++;
    len = n ? p[0] : 0;
    if (n) p++, n--, used++;
    if (len > n) len = n;
    sqlite3_bind_int(st, 2, (int)off);
    sqlite3_bind_blob(st, 3, p, (int)len, SQLITE_TRANSIENT);
    used += len;
  }
  sqlite3_step(st);            /* a constraint may refuse it: fine */
  sqlite3_finalize(st);
  return used;
}

/* Write the damaged copy of the corpus file for this input. */
static void damage(const uint8_t *data, size_t size, int bSql) {
  unsigned char *z = malloc(nBase);
  memcpy(z, aBase[bSql != 0], nBase);
  if (!bSql) {
    for (size_t i = 0; i + 4 <= size;) {
      size_t off = ((size_t)data[i] << 16 | (size_t)data[i + 1] << 8 | data[i + 2]) % nBase;
      size_t len = data[i + 3];
      i += 4;
      if (len > size - i) len = size - i;
      if (len > nBase - off) len = nBase - off;
      memcpy(z + off, data + i, len);
      i += len;
    }
  }
  fuzz_remove_db(zPath);
  FILE *f = fopen(zPath, "wb");
  if (!f || fwrite(z, 1, nBase, f) != nBase || fclose(f)) abort();
  free(z);
  if (bSql) {
    sqlite3 *db;
    if (sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) abort();
    for (size_t i = 0, k; i < size && (k = sql_patch(db, data + i, size - i)) > 0; i += k) {}
    sqlite3_close(db);
  }
}

/*
** Known bugs, reported, with a reproducer in spec/fuzz-regressions/store/: inputs that
** reach them are skipped while fuzzing ($DS_FUZZ_SKIP_KNOWN, set by run.sh), or the
** fuzzer would find them again every few seconds. Replays of the regressions see them.
** Remove a line with its fix.
*/
static int known_bug(void) {
  static const char *const azKnown[] = {
    /* e.g. "SELECT 1 FROM doc_meta WHERE key IS NULL",   -- doc-meta-key-null (fixed) */
    NULL
  };
  const char *zSkip = getenv("DS_FUZZ_SKIP_KNOWN");
  sqlite3 *db = NULL;
  int found = 0;
  if (!azKnown[0] || !zSkip || !*zSkip || sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READWRITE, NULL)) {
    sqlite3_close(db);
    return 0;
  }
  for (size_t i = 0; azKnown[i] && !found; i++) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, azKnown[i], -1, &st, NULL) == SQLITE_OK)
      found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return found;
}

static void use_query(ds_corpus *c, const char *zQuery) {
  ds_query *q;
  ds_error e;
  ds_matchset ms = DS_MATCHSET_INIT;
  if (ds_query_compile(c, zQuery, &q, &e)) return;
  ds_query_run(c, q, &ms, &e);
  /* concordances of the first and the last matches */
  for (size_t i = 0; i < ms.n; i = i == 3 && ms.n > 8 ? ms.n - 4 : i + 1) {
    ds_buf l = DS_BUF_INIT, m = DS_BUF_INIT, r = DS_BUF_INIT;
    ds_corpus_kwic(c, ms.a[i].first, ms.a[i].last, 30, &l, &m, &r, &e);
    ds_buf_free(&l);
    ds_buf_free(&m);
    ds_buf_free(&r);
  }
  ds_matchset_free(&ms);
  ds_query_free(q);
}

static int count_meta(void *ctx, const char *zKey, const char *zVal) {
  *(size_t *)ctx += strlen(zKey) + strlen(zVal);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  int flags = data[0];
  ds_corpus *c;
  ds_error e;
  ds_info info;
  damage(data + 1, size - 1, flags & 2);
  if (known_bug()) return 0;
  if (ds_corpus_open(zPath, flags & 1 ? DS_OPEN_READONLY : 0, &c, &e)) return 0;
  ds_corpus_info(c, &info, &e);
  for (size_t i = 0, n = 0; i < ds_corpus_ndocs(c); i++)
    ds_corpus_doc_meta(c, ds_corpus_doc(c, i)->id, count_meta, &n, &e);
  if ((flags & 4) && !(flags & 1) && ds_corpus_begin(c, &e) == DS_OK) {
    static const char zText[] = "The digital sovereignty of the U.S. grew. Zyxxy is new.";
    int64_t id;
    if (ds_corpus_add_text(c, zText, sizeof zText - 1, "added", NULL, NULL, &id, &e) == DS_OK)
      ds_corpus_commit(c, &e);
    else
      ds_corpus_rollback(c);
  }
  use_query(c, "the");
  use_query(c, "\"digital\"%c sovereignty");
  use_query(c, "[word!=\"the\"] []");
  ds_buf report = DS_BUF_INIT;     /* `dossier check`: made for damaged files */
  int64_t nProblems;
  ds_corpus_check(c, &report, &nProblems, &e);
  ds_buf_free(&report);
  ds_corpus_close(c);
  return 0;
}
