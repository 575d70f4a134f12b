/*
** ds_fts5.c -- the "dossier" FTS5 tokenizer (see ds_fts5.h).
*/
#include "ds_fts5.h"
#include "ds_doc.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <string.h>

typedef struct terms_call {
  int (*xTerm)(void *ctx, const char *zTerm, size_t nTerm, size_t iStart, size_t iEnd);
  void *ctx;
  ds_buf fold;                /* the term, case-folded */
  int rc;                     /* DS_NOMEM when folding failed */
} terms_call;

/* A token of the text: its folded form is a term, unless it is punctuation. */
static int terms_token(void *ctx, const char *z, size_t n, uint32_t flags, size_t iStart,
                       size_t iEnd) {
  terms_call *t = ctx;
  if (flags & DS_TOK_PUNCT) return 0;
  ds_buf_reset(&t->fold);
  if ((t->rc = ds_utf8_fold(z, n, &t->fold)) != DS_OK) return 1;
  return t->xTerm(t->ctx, (const char *)t->fold.p, t->fold.n, iStart, iEnd);
}

int ds_fts5_terms(const char *z, size_t n, int bQuery,
                  int (*xTerm)(void *ctx, const char *zTerm, size_t nTerm, size_t iStart,
                               size_t iEnd),
                  void *ctx) {
  if (ds_utf8_check(z, n) >= 0) return DS_UTF8;
  if (n > DS_MAX_DOC_BYTES) return DS_LIMIT;
  ds_buf text = DS_BUF_INIT;
  terms_call t = {xTerm, ctx, DS_BUF_INIT, DS_OK};
  int rc = DS_OK;
  /* documents come as clean NFC text; a query is made so, offsets do not matter there */
  if (bQuery) {
    rc = ds_utf8_nfc(z, n, &text);
    if (rc == DS_OK && text.rc) rc = DS_NOMEM;
    z = (const char *)text.p;
    n = text.n;
  }
  if (rc == DS_OK && n > DS_MAX_DOC_BYTES) rc = DS_LIMIT;
  if (rc == DS_OK) rc = ds_tokenize_string(z ? z : "", n, terms_token, &t);
  if (rc == DS_ABORT && t.rc) rc = t.rc;
  ds_buf_free(&text);
  ds_buf_free(&t.fold);
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
