/*
** ds_fts5.c -- the "dossier" FTS5 tokenizer (see ds_fts5.h).
*/
#include "ds_fts5.h"
#include "ds_doc.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <string.h>

int ds_fts5_terms(const char *z, size_t n, int bQuery,
                  int (*xTerm)(void *ctx, const char *zTerm, size_t nTerm, size_t iStart,
                               size_t iEnd),
                  void *ctx) {
  if (ds_utf8_check(z, n) >= 0) return DS_UTF8;
  if (n > DS_MAX_DOC_BYTES) return DS_LIMIT;
  ds_doc *d = ds_doc_new();
  ds_buf text = DS_BUF_INIT, fold = DS_BUF_INIT;
  int rc = d ? DS_OK : DS_NOMEM;
  /* documents come as clean NFC text; a query is made so, offsets do not matter there */
  if (rc == DS_OK && bQuery) rc = ds_utf8_nfc(z, n, &text);
  else ds_buf_append(&text, z, n);
  ds_buf_putc(&text, 0);
  if (rc == DS_OK && text.rc) rc = DS_NOMEM;
  if (rc == DS_OK) {
    d->zText = (char *)text.p;           /* the document owns it now */
    d->nText = text.n - 1;
    text = (ds_buf)DS_BUF_INIT;
    rc = ds_tokenize_range(d, 0, (uint32_t)d->nText);
  }
  for (size_t t = 0; rc == DS_OK && d && t < d->nTok; t++) {
    const ds_token *k = &d->aTok[t];
    if (k->flags & DS_TOK_PUNCT) continue;
    ds_buf_reset(&fold);
    rc = ds_utf8_fold(d->zText + k->start, k->end - k->start, &fold);
    if (rc == DS_OK && xTerm(ctx, (const char *)fold.p, fold.n, k->start, k->end)) rc = DS_ABORT;
  }
  ds_buf_free(&text);
  ds_buf_free(&fold);
  ds_doc_free(d);
  return rc;
}

/* FTS5's side: one tokenizer object serves every table; it has no state. */
static int tok_create(void *pCtx, const char **azArg, int nArg, Fts5Tokenizer **ppOut) {
  (void)azArg;
  (void)nArg;
  *ppOut = (Fts5Tokenizer *)pCtx;
  return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p) { (void)p; }

typedef struct tok_call {
  void *pCtx;
  int (*xToken)(void *, int, const char *, int, int, int);
  int rc;
} tok_call;

static int tok_term(void *ctx, const char *z, size_t n, size_t iStart, size_t iEnd) {
  tok_call *k = ctx;
  k->rc = k->xToken(k->pCtx, 0, z, (int)n, (int)iStart, (int)iEnd);
  return k->rc != SQLITE_OK;
}

static int tok_tokenize(Fts5Tokenizer *p, void *pCtx, int flags, const char *pText, int nText,
                        int (*xToken)(void *, int, const char *, int, int, int)) {
  (void)p;
  tok_call k = {pCtx, xToken, SQLITE_OK};
  int rc = ds_fts5_terms(pText ? pText : "", nText > 0 ? (size_t)nText : 0,
                         (flags & FTS5_TOKENIZE_QUERY) != 0, tok_term, &k);
  if (rc == DS_ABORT) return k.rc;
  return rc == DS_OK ? SQLITE_OK : rc == DS_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

static fts5_tokenizer tokenizer = {tok_create, tok_delete, tok_tokenize};
static char tokenizer_tag;          /* the (stateless) tokenizer object's address */

int ds_fts5_register(sqlite3 *db) {
  fts5_api *api = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  if (!api || api->iVersion < 2) return DS_SQL;
  return api->xCreateTokenizer(api, "dossier", &tokenizer_tag, &tokenizer, NULL) == SQLITE_OK
           ? DS_OK : DS_SQL;
}
