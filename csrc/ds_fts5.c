/*
** ds_fts5.c -- the "dossier" FTS5 tokenizer (see ds_fts5.h).
*/
#include "ds_fts5.h"
#include "ds_doc.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <math.h>
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

/* {====== the rank function ====== */

typedef struct rank_data {
  int nPhrase;
  double avgdl;               /* average tokens per row */
  double *aIdf, *aFreq;       /* per phrase */
} rank_data;

static int count_row(const Fts5ExtensionApi *pApi, Fts5Context *pFts, void *pUser) {
  (void)pApi;
  (void)pFts;
  (*(sqlite3_int64 *)pUser)++;
  return SQLITE_OK;
}

/* dossier_rank(search): see ds_fts5.h. The per-query figures are kept as aux data. */
static void rank_fn(const Fts5ExtensionApi *pApi, Fts5Context *pFts, sqlite3_context *pCtx,
                    int nVal, sqlite3_value **apVal) {
  (void)nVal;
  (void)apVal;
  rank_data *p = pApi->xGetAuxdata(pFts, 0);
  int rc = SQLITE_OK;
  if (!p) {
    int nPhrase = pApi->xPhraseCount(pFts);
    sqlite3_int64 nRow = 0, nTok = 0;
    p = sqlite3_malloc64(sizeof *p + 2 * (size_t)(nPhrase > 0 ? nPhrase : 1) * sizeof(double));
    if (!p) { sqlite3_result_error_nomem(pCtx); return; }
    p->nPhrase = nPhrase;
    p->aIdf = (double *)&p[1];
    p->aFreq = p->aIdf + nPhrase;
    rc = pApi->xRowCount(pFts, &nRow);
    if (rc == SQLITE_OK) rc = pApi->xColumnTotalSize(pFts, -1, &nTok);
    p->avgdl = nRow > 0 && nTok > 0 ? (double)nTok / (double)nRow : 1.0;
    for (int i = 0; rc == SQLITE_OK && i < nPhrase; i++) {
      sqlite3_int64 nHit = 0;
      rc = pApi->xQueryPhrase(pFts, i, &nHit, count_row);
      p->aIdf[i] = log(1.0 + ((double)nRow - (double)nHit + 0.5) / ((double)nHit + 0.5));
    }
    if (rc == SQLITE_OK) rc = pApi->xSetAuxdata(pFts, p, sqlite3_free);
    else sqlite3_free(p);
    if (rc != SQLITE_OK) { sqlite3_result_error_code(pCtx, rc); return; }
  }
  int nInst = 0, nDocTok = 0;
  for (int i = 0; i < p->nPhrase; i++) p->aFreq[i] = 0;
  rc = pApi->xInstCount(pFts, &nInst);
  for (int i = 0; rc == SQLITE_OK && i < nInst; i++) {
    int ip, ic, io;
    rc = pApi->xInst(pFts, i, &ip, &ic, &io);
    if (rc == SQLITE_OK && ip >= 0 && ip < p->nPhrase) p->aFreq[ip] += 1.0;
  }
  if (rc == SQLITE_OK) rc = pApi->xColumnSize(pFts, -1, &nDocTok);
  if (rc != SQLITE_OK) { sqlite3_result_error_code(pCtx, rc); return; }
  const double k1 = 1.2, b = 0.75;
  double score = 0, norm = k1 * (1 - b + b * (double)nDocTok / p->avgdl);
  for (int i = 0; i < p->nPhrase; i++)
    score += p->aIdf[i] * p->aFreq[i] * (k1 + 1) / (p->aFreq[i] + norm);
  sqlite3_result_double(pCtx, -score);
}

/* }====== */

/* {====== the user's query ====== */

/* Character position (from 1) of byte i of z. */
static size_t char_at(const char *z, size_t i) {
  size_t c = 1;
  for (size_t k = 0; k < i; k++) c += ((unsigned char)z[k] & 0xC0) != 0x80;
  return c;
}

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

enum { Q_START, Q_TERM, Q_OP, Q_OPEN };     /* what came last */

int ds_fts5_query(const char *z, size_t n, ds_buf *out, ds_error *e) {
  unsigned char aNear[64];                   /* per open parenthesis: NEAR's? */
  size_t aOpen[64], nDepth = 0, i = 0, iOp = 0, nTerm = 0;
  int last = Q_START;
#define QERR(at, ...) return ds_error_set(e, DS_QUERY, (int64_t)(at), __VA_ARGS__)
  while (i < n) {
    char ch = z[i];
    if (is_space(ch)) { ds_buf_putc(out, ' '); i++; continue; }
    if (ch == '(') {
      if (nDepth == 64) QERR(i, "search: parentheses nested too deep at character %zu", char_at(z, i));
      aNear[nDepth] = 0;
      aOpen[nDepth++] = i++;
      ds_buf_putc(out, '(');
      last = Q_OPEN;
    } else if (ch == ')') {
      if (nDepth == 0) QERR(i, "search: ) at character %zu closes nothing", char_at(z, i));
      if (last == Q_OP) QERR(iOp, "search: the operator at character %zu needs a term after it", char_at(z, iOp));
      if (last == Q_OPEN) QERR(i, "search: empty parentheses at character %zu", char_at(z, i));
      nDepth--;
      ds_buf_putc(out, ')');
      i++;
      last = Q_TERM;
    } else if (ch == ',' && nDepth > 0 && aNear[nDepth - 1]) {
      size_t k = i + 1, d;
      while (k < n && is_space(z[k])) k++;
      for (d = k; d < n && z[d] >= '0' && z[d] <= '9'; d++) {}
      if (d == k || d - k > 6) QERR(i, "search: NEAR's comma at character %zu needs a distance (a number)", char_at(z, i));
      ds_buf_puts(out, ", ");
      ds_buf_append(out, z + k, d - k);
      i = d;
      while (i < n && is_space(z[i])) i++;
      if (i >= n || z[i] != ')') QERR(i, "search: NEAR's distance must end it with ) at character %zu", char_at(z, i));
    } else if (ch == '"') {
      size_t k = i + 1;
      for (;;) {
        while (k < n && z[k] != '"') k++;
        if (k + 1 < n && z[k + 1] == '"') { k += 2; continue; }   /* "" inside */
        break;
      }
      if (k >= n) QERR(i, "search: unclosed \" at character %zu", char_at(z, i));
      ds_buf_append(out, z + i, k + 1 - i);
      i = k + 1;
      if (i < n && z[i] == '*') { ds_buf_putc(out, '*'); i++; }
      last = Q_TERM;
      nTerm++;
    } else {
      int bNear = nDepth > 0 && aNear[nDepth - 1];
      size_t k = i;
      while (k < n && !is_space(z[k]) && z[k] != '(' && z[k] != ')' && z[k] != '"' &&
             !(bNear && z[k] == ','))
        k++;
      size_t w = k - i;
      if ((w == 3 && memcmp(z + i, "AND", 3) == 0) || (w == 2 && memcmp(z + i, "OR", 2) == 0) ||
          (w == 3 && memcmp(z + i, "NOT", 3) == 0)) {
        if (last != Q_TERM)
          QERR(i, "search: %.*s at character %zu needs a term before it", (int)w, z + i, char_at(z, i));
        ds_buf_append(out, z + i, w);
        iOp = i;
        last = Q_OP;
      } else if (w == 4 && memcmp(z + i, "NEAR", 4) == 0 && k < n && z[k] == '(') {
        if (nDepth == 64) QERR(i, "search: parentheses nested too deep at character %zu", char_at(z, i));
        aNear[nDepth] = 1;
        aOpen[nDepth++] = k;
        ds_buf_puts(out, "NEAR(");
        k++;
        last = Q_OPEN;
      } else {
        int bPrefix = 0;
        while (w > 0 && z[i + w - 1] == '*') { w--; bPrefix = 1; }
        if (w == 0) QERR(i, "search: * at character %zu needs a word before it", char_at(z, i));
        ds_buf_putc(out, '"');
        for (size_t x = i; x < i + w; x++) ds_buf_putc(out, z[x]);
        ds_buf_putc(out, '"');
        if (bPrefix) ds_buf_putc(out, '*');
        last = Q_TERM;
        nTerm++;
      }
      i = k;
    }
  }
  if (nDepth > 0) QERR(aOpen[nDepth - 1], "search: unclosed ( at character %zu", char_at(z, aOpen[nDepth - 1]));
  if (last == Q_OP) QERR(iOp, "search: the operator at character %zu needs a term after it", char_at(z, iOp));
  if (nTerm == 0) QERR(0, "search: nothing to search for");
#undef QERR
  return out->rc ? ds_error_set(e, DS_NOMEM, -1, "search: out of memory") : DS_OK;
}

/* }====== */

int ds_fts5_register(sqlite3 *db) {
  fts5_api *api = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  if (!api || api->iVersion < 2) return DS_SQL;
  if (api->xCreateTokenizer(api, "dossier", &tokenizer_tag, &tokenizer, NULL) != SQLITE_OK)
    return DS_SQL;
  return api->xCreateFunction(api, "dossier_rank", NULL, rank_fn, NULL) == SQLITE_OK ? DS_OK : DS_SQL;
}
