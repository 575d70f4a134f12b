/*
** ds_query.c -- parse and run token-sequence queries (see ds_query.h).
*/
#include "ds_query.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <stdio.h>
#include <string.h>

enum { Q_ANY, Q_EQ, Q_NE };

typedef struct qtok {
  int kind;             /* Q_ANY, Q_EQ, Q_NE */
  int attr;             /* DS_ATTR_* */
  int bFound;           /* the string is in the lexicon */
  uint32_t id;          /* its id when found */
  int64_t freq;         /* its frequency when found */
} qtok;

struct ds_query {
  qtok *a;
  size_t n, nAlloc;
};

/* ====================== parsing ====================== */

typedef struct parser {
  ds_corpus *c;
  const char *z;        /* the query */
  size_t i;             /* current byte */
  ds_query *q;
  ds_error *e;
  ds_buf str;           /* the string being read */
  ds_buf norm;          /* NFC or folded form of it */
} parser;

/* 1-based character position of byte offset `off` in the query. */
static size_t char_pos(const char *z, size_t off) {
  size_t n = 1;
  for (size_t i = 0; i < off; i++)
    if (((unsigned char)z[i] & 0xC0) != 0x80) n++;
  return n;
}

static int perr(parser *p, size_t off, const char *zMsg) {
  return ds_error_set(p->e, DS_QUERY, (int64_t)off, "%s at position %zu", zMsg,
                      char_pos(p->z, off));
}

static void skip_space(parser *p) {
  while (p->z[p->i] == ' ' || p->z[p->i] == '\t' || p->z[p->i] == '\n' || p->z[p->i] == '\r')
    p->i++;
}

static int push(parser *p, int kind, int attr, const char *z, size_t n) {
  ds_query *q = p->q;
  if (q->n >= DS_QUERY_MAX_TOKENS) {
    char zMsg[80];
    snprintf(zMsg, sizeof zMsg, "query too long: more than the limit of %d tokens", DS_QUERY_MAX_TOKENS);
    return perr(p, p->i, zMsg);
  }
  if (q->n == q->nAlloc) {
    size_t nNew = q->nAlloc ? q->nAlloc * 2 : 8;
    qtok *a = ds_realloc(q->a, nNew * sizeof *a);
    if (!a) return ds_error_set(p->e, DS_NOMEM, -1, "out of memory");
    q->a = a;
    q->nAlloc = nNew;
  }
  qtok *t = &q->a[q->n++];
  memset(t, 0, sizeof *t);
  t->kind = kind;
  t->attr = attr;
  if (kind == Q_ANY) return DS_OK;
  int rc = ds_corpus_lookup(p->c, attr, z ? z : "", n, &t->id, &t->freq, p->e);
  if (rc == DS_OK) t->bFound = 1;
  return rc == DS_NOTFOUND ? DS_OK : rc;
}

/* Read a quoted string at p->i (the opening quote) into p->str. */
static int read_string(parser *p) {
  char quote = p->z[p->i];
  size_t start = p->i++;
  ds_buf_reset(&p->str);
  for (;;) {
    char ch = p->z[p->i];
    if (ch == '\0') return perr(p, start, "unterminated string");
    p->i++;
    if (ch == quote) break;
    if (ch == '\\') {
      if (p->z[p->i] == '\0') return perr(p, p->i - 1, "backslash at the end of the query");
      ch = p->z[p->i++];
    }
    ds_buf_putc(&p->str, ch);
  }
  return p->str.rc ? ds_error_set(p->e, DS_NOMEM, -1, "out of memory") : DS_OK;
}

/* Read `%c`-style flags; sets *pFold. */
static int read_flags(parser *p, int *pFold) {
  *pFold = 0;
  while (p->z[p->i] == '%') {
    size_t at = p->i++;
    if (p->z[p->i] != 'c' && p->z[p->i] != 'd')
      return perr(p, at, "expected a flag (%c) after '%'");
    while (p->z[p->i] == 'c' || p->z[p->i] == 'd') {
      if (p->z[p->i] == 'd') return perr(p, p->i, "the %d flag is not supported yet");
      *pFold = 1;
      p->i++;
    }
  }
  return DS_OK;
}

/* Normal form of p->str for attribute attr: NFC, or case-folded when fold is set. */
static int normalize(parser *p, int fold) {
  const char *z = p->str.p ? (const char *)p->str.p : "";   /* "" leaves no buffer */
  ds_buf_reset(&p->norm);
  if (ds_utf8_check(z, p->str.n) >= 0)
    return ds_error_set(p->e, DS_QUERY, -1, "invalid UTF-8 in query string");
  int rc = fold ? ds_utf8_fold(z, p->str.n, &p->norm) : ds_utf8_nfc(z, p->str.n, &p->norm);
  return rc ? ds_error_set(p->e, rc, -1, "out of memory") : DS_OK;
}

/*
** A literal phrase: tokenize it as documents are tokenized, one constraint per token.
*/
static int push_phrase(parser *p, int fold, size_t at) {
  ds_doc d;
  memset(&d, 0, sizeof d);
  int rc = normalize(p, 0);
  if (rc) return rc;
  ds_buf_putc(&p->norm, 0);
  if (p->norm.rc) return ds_error_set(p->e, DS_NOMEM, -1, "out of memory");
  d.zText = (char *)p->norm.p;
  d.nText = p->norm.n - 1;
  rc = ds_tokenize_range(&d, 0, (uint32_t)d.nText);
  if (rc == DS_OK && d.nTok == 0) rc = perr(p, at, "empty string");
  ds_buf f = DS_BUF_INIT;
  for (size_t t = 0; t < d.nTok && rc == DS_OK; t++) {
    const char *z = d.zText + d.aTok[t].start;
    size_t n = d.aTok[t].end - d.aTok[t].start;
    if (fold) {
      ds_buf_reset(&f);
      if (ds_utf8_fold(z, n, &f)) { rc = ds_error_set(p->e, DS_NOMEM, -1, "out of memory"); break; }
      rc = push(p, Q_EQ, DS_ATTR_NORM, (const char *)f.p, f.n);
    } else {
      rc = push(p, Q_EQ, DS_ATTR_WORD, z, n);
    }
  }
  ds_buf_free(&f);
  ds_free(d.aTok);
  return rc;
}

/* `[` ... `]` at p->i. */
static int parse_bracket(parser *p) {
  size_t open = p->i++;
  skip_space(p);
  if (p->z[p->i] == ']') {
    p->i++;
    return push(p, Q_ANY, 0, NULL, 0);
  }
  size_t at = p->i;
  while ((p->z[p->i] >= 'a' && p->z[p->i] <= 'z') || p->z[p->i] == '_') p->i++;
  if (p->i == at) return perr(p, at, "expected an attribute name or ']'");
  char zName[32];
  size_t nName = p->i - at < sizeof zName - 1 ? p->i - at : sizeof zName - 1;
  memcpy(zName, p->z + at, nName);
  zName[nName] = 0;
  int attr = ds_attr_find(zName);
  if (attr < 0) {
    char zMsg[96];
    snprintf(zMsg, sizeof zMsg, "unknown attribute '%s' (known: word, norm, lemma, pos, xpos)", zName);
    return perr(p, at, zMsg);
  }
  skip_space(p);
  int kind;
  if (p->z[p->i] == '=') { kind = Q_EQ; p->i++; }
  else if (p->z[p->i] == '!' && p->z[p->i + 1] == '=') { kind = Q_NE; p->i += 2; }
  else return perr(p, p->i, "expected '=' or '!='");
  skip_space(p);
  if (p->z[p->i] != '"' && p->z[p->i] != '\'') return perr(p, p->i, "expected a quoted string");
  int rc = read_string(p), fold;
  if (rc == DS_OK) rc = read_flags(p, &fold);
  if (rc) return rc;
  skip_space(p);
  if (p->z[p->i] != ']') {
    if (p->z[p->i] == '&' || p->z[p->i] == '|')
      return perr(p, p->i, "'&' and '|' are not supported yet");
    return p->z[p->i] ? perr(p, p->i, "expected ']'") : perr(p, open, "missing ']' to close this '['");
  }
  p->i++;
  if (fold) attr = DS_ATTR_NORM;
  rc = normalize(p, fold);
  if (rc) return rc;
  return push(p, kind, attr, (const char *)p->norm.p, p->norm.n);
}

static int is_bare(char ch) {
  return ch && !strchr(" \t\r\n\"'[]%(){}|&!=<>;", ch);
}

int ds_query_compile(ds_corpus *c, const char *zQuery, ds_query **pq, ds_error *e) {
  parser p;
  int rc = DS_OK;
  *pq = NULL;
  memset(&p, 0, sizeof p);
  p.c = c;
  p.z = zQuery;
  p.e = e;
  p.q = ds_malloc(sizeof *p.q);
  if (!p.q) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(p.q, 0, sizeof *p.q);
  rc = ds_corpus_refresh(c, e);          /* see what other writers committed */
  int64_t bad = rc ? -1 : ds_utf8_check(zQuery, strlen(zQuery));
  if (bad >= 0) rc = perr(&p, (size_t)bad, "invalid UTF-8");
  skip_space(&p);
  if (rc == DS_OK && !p.z[p.i]) rc = perr(&p, 0, "empty query");
  while (rc == DS_OK && p.z[p.i]) {
    char ch = p.z[p.i];
    size_t at = p.i;
    int fold;
    if (ch == '"' || ch == '\'') {
      rc = read_string(&p);
      if (rc == DS_OK) rc = read_flags(&p, &fold);
      if (rc == DS_OK) rc = push_phrase(&p, fold, at);
    } else if (ch == '[') {
      rc = parse_bracket(&p);
    } else if (is_bare(ch)) {
      ds_buf_reset(&p.str);
      while (is_bare(p.z[p.i])) ds_buf_putc(&p.str, p.z[p.i++]);
      rc = read_flags(&p, &fold);
      if (rc == DS_OK) rc = push_phrase(&p, fold, at);
    } else {
      char zMsg[64];
      snprintf(zMsg, sizeof zMsg, "unexpected '%c'", ch);
      rc = perr(&p, at, zMsg);
    }
    skip_space(&p);
  }
  ds_buf_free(&p.str);
  ds_buf_free(&p.norm);
  if (rc) {
    ds_query_free(p.q);
    return rc;
  }
  *pq = p.q;
  return DS_OK;
}

void ds_query_free(ds_query *q) {
  if (!q) return;
  ds_free(q->a);
  ds_free(q);
}

size_t ds_query_length(const ds_query *q) { return q->n; }

void ds_matchset_free(ds_matchset *m) {
  ds_free(m->a);
  m->a = NULL;
  m->n = m->nAlloc = 0;
}

/* ====================== evaluation ====================== */

static int add_match(ds_matchset *m, int64_t first, int64_t last) {
  if (m->n == m->nAlloc) {
    size_t nNew = m->nAlloc ? m->nAlloc * 2 : 64;
    ds_match *a = ds_realloc(m->a, nNew * sizeof *a);
    if (!a) return DS_NOMEM;
    m->a = a;
    m->nAlloc = nNew;
  }
  m->a[m->n++] = (ds_match){first, last};
  return DS_OK;
}

/* Does the match starting at `start` satisfy every constraint but `skip`? */
static int verify(ds_corpus *c, const ds_query *q, int64_t start, size_t skip, int *pOk,
                  ds_error *e) {
  *pOk = 0;
  for (size_t k = 0; k < q->n; k++) {
    const qtok *t = &q->a[k];
    if (k == skip || t->kind == Q_ANY || (t->kind == Q_NE && !t->bFound)) continue;
    uint32_t id;
    int rc = ds_corpus_id_at(c, t->attr, start + (int64_t)k, &id, e);
    if (rc) return rc;
    if ((t->kind == Q_EQ) != (id == t->id)) return DS_OK;
  }
  *pOk = 1;
  return DS_OK;
}

int ds_query_run(ds_corpus *c, const ds_query *q, ds_matchset *pOut, ds_error *e) {
  int64_t len = (int64_t)q->n;
  size_t driver = q->n;
  for (size_t k = 0; k < q->n; k++) {
    const qtok *t = &q->a[k];
    if (t->kind != Q_EQ) continue;
    if (!t->bFound) return DS_OK;              /* a word the corpus does not have */
    if (!ds_corpus_indexed(c, t->attr, t->id)) continue;   /* `_`: checked in the streams */
    if (driver == q->n || t->freq < q->a[driver].freq) driver = k;
  }
  int rc = DS_OK, ok;
  if (driver < q->n) {
    /* the rarest word drives; its neighbours are checked in the token streams */
    int64_t *aPos;
    size_t nPos;
    rc = ds_corpus_postings(c, q->a[driver].attr, q->a[driver].id, &aPos, &nPos, e);
    for (size_t i = 0; i < nPos && rc == DS_OK; i++) {
      int64_t start = aPos[i] - (int64_t)driver;
      int64_t k = ds_corpus_doc_at(c, aPos[i]);
      if (k < 0) continue;                          /* a deleted document */
      const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
      if (start < d->cpos || start + len > d->cpos + d->nTok) continue;
      rc = verify(c, q, start, driver, &ok, e);
      if (rc == DS_OK && ok && add_match(pOut, start, start + len - 1))
        rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    }
    ds_free(aPos);
    return rc;
  }
  /* no positive word: every position of every document is a candidate */
  for (size_t k = 0; k < ds_corpus_ndocs(c) && rc == DS_OK; k++) {
    const ds_docinfo *d = ds_corpus_doc(c, k);
    for (int64_t s = d->cpos; s + len <= d->cpos + d->nTok && rc == DS_OK; s++) {
      rc = verify(c, q, s, q->n, &ok, e);
      if (rc == DS_OK && ok && add_match(pOut, s, s + len - 1))
        rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    }
  }
  return rc;
}
