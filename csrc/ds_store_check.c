/*
** ds_store_check.c -- the integrity check of a corpus file: SQLite's, then dossier's own
** invariants (ds_store.h, ds_corpus_check).
*/
#include "ds_storeInt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* Do a spans row's values hold nAttr strings per span (a recognizer's kind), or none? */
static int span_values_sound(const char *zKind, int64_t n, const void *p, size_t nb) {
  static const char *const azStruct[] = {"s", "p", "head", "note"};
  for (size_t i = 0; i < sizeof azStruct / sizeof *azStruct; i++)
    if (zKind && strcmp(zKind, azStruct[i]) == 0) return p == NULL;
  const ds_spankind *sk = ds_spankind_get(ds_spankind_find(zKind ? zKind : ""));
  if (!sk) return 0;
  int64_t nNul = 0;
  for (size_t i = 0; i < nb; i++) nNul += ((const char *)p)[i] == 0;
  return nNul == n * sk->nAttr && (nb == 0 || ((const char *)p)[nb - 1] == 0);
}

int ds_corpus_check(ds_corpus *c, ds_buf *r, int64_t *pn, ds_error *e) {
  *pn = 0;
  sqlite3_stmt *st = ds_store_prep(c, "PRAGMA integrity_check", e);
  if (!st) return DS_SQL;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *z = (const char *)sqlite3_column_text(st, 0);
    if (z && strcmp(z, "ok") != 0) problem(r, pn, "sqlite: %s", z);
  }
  sqlite3_finalize(st);
  if (*pn) return DS_OK;               /* the rest would only repeat the damage */

  /* documents: in corpus order without overlap (removed ones leave their positions) */
  int64_t expect = 0;
  st = ds_store_prep(c, "SELECT id, name, cpos, ntok FROM docs ORDER BY cpos", e);
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
  if (ds_store_load_types(c, &e1)) problem(r, pn, "%s", e1.msg);

  /* per live document: token stream, text, spans */
  for (size_t k = 0; k < c->nDoc; k++) {
    const ds_docinfo *d = &c->aDoc[k];
    ds_error e2;
    c->streamDoc = -1;
    for (int64_t t = 0; t < d->nTok; t = c->streamFirst + (int64_t)c->streamN)   /* part by part */
      if (ds_store_load_window(c, (int64_t)k, t, t + 1, 1, &e2)) {
        problem(r, pn, "%s", e2.msg);
        break;
      } else if (c->streamFirst != t) {
        problem(r, pn, "document %s: token parts overlap at token %lld", d->zName, (long long)t);
        break;
      }
    st = ds_store_prep(c, "SELECT kind, n, data, vals FROM spans WHERE doc=?1", e);
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
      else if (!span_values_sound((const char *)sqlite3_column_text(st, 0), n, sqlite3_column_blob(st, 3),
                                  (size_t)sqlite3_column_bytes(st, 3)))
        problem(r, pn, "document %s: the values of `%s` spans are corrupt", d->zName, sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
  }

  /* postings: ascending, counting (in live documents) what the lexicon says */
  st = ds_store_prep(c, "SELECT attr, id, str, freq FROM lexicon", e);
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
  if (r->rc) return ds_store_nomem(e);
  return DS_OK;
}
