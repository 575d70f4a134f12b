/*
** ds_cql.c -- the CQL parser: query text -> tree, and the tree printed back (see ds_cql.h).
** No corpus here: values are normalized and literal strings tokenized as the corpus
** stores them, and the evaluator (ds_eval.c) looks them up.
*/
#include "ds_cql.h"
#include "ds_store.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <stdio.h>
#include <string.h>

typedef struct parser {
  const char *z;        /* the query */
  size_t i;             /* current byte */
  ds_cql *t;            /* the tree being built */
  ds_error *e;
  ds_buf str;           /* the string being read */
  ds_buf norm;          /* NFC or folded form of it */
  ds_buf fold;          /* a token of a literal, folded */
  int rc;               /* set by the token callback */
} parser;

/* ====================== the tree ====================== */

static int nomem(parser *p) { return ds_error_set(p->e, DS_NOMEM, -1, "out of memory"); }

size_t ds_cql_char_pos(const char *z, size_t off) {
  size_t n = 1;
  for (size_t i = 0; i < off; i++)
    if (((unsigned char)z[i] & 0xC0) != 0x80) n++;
  return n;
}

static int perr(parser *p, size_t off, const char *zMsg) {
  return ds_error_set(p->e, DS_QUERY, (int64_t)off, "%s at position %zu", zMsg,
                      ds_cql_char_pos(p->z, off));
}

/* A new node of kind eKind from bytes [iStart, iEnd): its index, or -1 out of memory. */
static int new_node(parser *p, int eKind, size_t iStart, size_t iEnd) {
  ds_cql *t = p->t;
  if (t->nNode == t->nAlloc) {
    size_t nNew = t->nAlloc ? t->nAlloc * 2 : 16;
    ds_cql_node *a = ds_realloc(t->aNode, nNew * sizeof *a);
    if (!a) return -1;
    t->aNode = a;
    t->nAlloc = nNew;
  }
  ds_cql_node *x = &t->aNode[t->nNode];
  memset(x, 0, sizeof *x);
  x->eKind = eKind;
  x->iChild = x->iNext = -1;
  x->iStart = iStart;
  x->iEnd = iEnd;
  return (int)t->nNode++;
}

/* Append child to parent's children; *piLast is the parent's last child (-1: none yet). */
static void add_child(parser *p, int parent, int child, int *piLast) {
  ds_cql_node *a = p->t->aNode;
  if (*piLast < 0) a[parent].iChild = child;
  else a[*piLast].iNext = child;
  a[parent].nChild++;
  *piLast = child;
}

/* Copy z[0..n) into the pool (with a NUL); its offset in *pi. */
static int pool_add(parser *p, const char *z, size_t n, size_t *pi) {
  *pi = p->t->pool.n;
  ds_buf_append(&p->t->pool, z, n);
  ds_buf_putc(&p->t->pool, 0);
  return p->t->pool.rc ? nomem(p) : DS_OK;
}

/*
** A token constraining attr with eOp to value z[0..n) (or none, for `[]`), made a child
** of parent; the token spans [iStart, iEnd), its constraint [iCmp, iEnd).
*/
static int push_token(parser *p, int parent, int *piLast, int eOp, int attr, int flags,
                      const char *z, size_t n, size_t iStart, size_t iCmp, size_t iEnd) {
  if (p->t->nToken >= DS_QUERY_MAX_TOKENS) {
    char zMsg[80];
    snprintf(zMsg, sizeof zMsg, "query too long: more than the limit of %d tokens", DS_QUERY_MAX_TOKENS);
    return perr(p, p->i, zMsg);
  }
  int tok = new_node(p, DS_CQL_TOKEN, iStart, iEnd);
  if (tok < 0) return nomem(p);
  add_child(p, parent, tok, piLast);
  p->t->nToken++;
  if (!eOp) return DS_OK;
  int cmp = new_node(p, DS_CQL_CMP, iCmp, iEnd), last = -1;
  if (cmp < 0) return nomem(p);
  add_child(p, tok, cmp, &last);
  ds_cql_node *x = &p->t->aNode[cmp];
  x->eOp = eOp;
  x->iAttr = attr;
  x->flags = flags;
  x->nValue = n;
  return pool_add(p, z ? z : "", n, &p->t->aNode[cmp].iValue);
}

/* ====================== parsing ====================== */

static void skip_space(parser *p) {
  while (p->z[p->i] == ' ' || p->z[p->i] == '\t' || p->z[p->i] == '\n' || p->z[p->i] == '\r')
    p->i++;
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
  return p->str.rc ? nomem(p) : DS_OK;
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

/* Normal form of p->str into p->norm: NFC, or case-folded when fold is set. */
static int normalize(parser *p, int fold) {
  const char *z = p->str.p ? (const char *)p->str.p : "";   /* "" leaves no buffer */
  ds_buf_reset(&p->norm);
  if (ds_utf8_check(z, p->str.n) >= 0)
    return ds_error_set(p->e, DS_QUERY, -1, "invalid UTF-8 in query string");
  int rc = fold ? ds_utf8_fold(z, p->str.n, &p->norm) : ds_utf8_nfc(z, p->str.n, &p->norm);
  return rc || p->norm.rc ? nomem(p) : DS_OK;
}

/* Where the tokens of a literal go. */
typedef struct phrase {
  parser *p;
  int parent, iLast;    /* the node they are children of, and its last child */
  int bFold;
  size_t iStart;        /* the literal's bytes in the query, to p->i */
} phrase;

/* A token of a literal string: a TOKEN node comparing it as a whole. */
static int phrase_token(void *ctx, const char *z, size_t n, uint32_t flags, size_t iStart,
                        size_t iEnd) {
  phrase *ph = ctx;
  parser *p = ph->p;
  (void)flags, (void)iStart, (void)iEnd;
  int attrFlags = DS_CQL_LITERAL;
  if (ph->bFold) {
    ds_buf_reset(&p->fold);
    if (ds_utf8_fold(z, n, &p->fold) || p->fold.rc) {
      p->rc = nomem(p);
      return 1;
    }
    z = (const char *)p->fold.p;
    n = p->fold.n;
    attrFlags |= DS_CQL_FOLD;
  }
  p->rc = push_token(p, ph->parent, &ph->iLast, DS_CQL_EQ, DS_ATTR_WORD, attrFlags, z, n,
                     ph->iStart, ph->iStart, p->i);
  return p->rc != DS_OK;
}

/* Count the tokens of a literal (to know whether it needs a sequence of its own). */
static int count_token(void *ctx, const char *z, size_t n, uint32_t flags, size_t iStart,
                       size_t iEnd) {
  (void)z, (void)n, (void)flags, (void)iStart, (void)iEnd;
  (*(size_t *)ctx)++;
  return 0;
}

/*
** The literal p->str (from byte `at` to p->i): tokenized as documents are, one TOKEN per
** token, under a SEQ of its own when it holds several.
*/
static int push_phrase(parser *p, int root, int *piLast, int fold, size_t at) {
  int rc = normalize(p, 0);
  if (rc) return rc;
  const char *z = p->norm.p ? (const char *)p->norm.p : "";
  size_t nTok = 0;
  rc = ds_tokenize_string(z, p->norm.n, count_token, &nTok);
  if (rc) return rc == DS_NOMEM ? nomem(p) : ds_error_set(p->e, rc, -1, "string too long");
  if (nTok == 0) return perr(p, at, "empty string");
  phrase ph = {p, root, -1, fold, at};
  if (nTok > 1) {                        /* "Sino-Russian": a sequence of its own */
    int seq = new_node(p, DS_CQL_SEQ, at, p->i);
    if (seq < 0) return nomem(p);
    add_child(p, root, seq, piLast);
    ph.parent = seq;
  } else {
    ph.iLast = *piLast;
  }
  p->rc = DS_OK;
  rc = ds_tokenize_string(z, p->norm.n, phrase_token, &ph);
  if (rc == DS_ABORT) return p->rc;
  if (rc) return nomem(p);
  if (nTok == 1) *piLast = ph.iLast;
  return DS_OK;
}

/* `[` ... `]` at p->i. */
static int parse_bracket(parser *p, int root, int *piLast) {
  size_t open = p->i++;
  skip_space(p);
  if (p->z[p->i] == ']') {
    p->i++;
    return push_token(p, root, piLast, 0, 0, 0, NULL, 0, open, open, p->i);
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
  int eOp;
  if (p->z[p->i] == '=') { eOp = DS_CQL_EQ; p->i++; }
  else if (p->z[p->i] == '!' && p->z[p->i + 1] == '=') { eOp = DS_CQL_NE; p->i += 2; }
  else return perr(p, p->i, "expected '=' or '!='");
  skip_space(p);
  if (p->z[p->i] != '"' && p->z[p->i] != '\'') return perr(p, p->i, "expected a quoted string");
  int rc = read_string(p), fold;
  if (rc == DS_OK) rc = read_flags(p, &fold);
  if (rc) return rc;
  size_t iCmpEnd = p->i;
  skip_space(p);
  if (p->z[p->i] != ']') {
    if (p->z[p->i] == '&' || p->z[p->i] == '|')
      return perr(p, p->i, "'&' and '|' are not supported yet");
    return p->z[p->i] ? perr(p, p->i, "expected ']'") : perr(p, open, "missing ']' to close this '['");
  }
  p->i++;
  rc = normalize(p, fold);
  if (rc) return rc;
  rc = push_token(p, root, piLast, eOp, attr, DS_CQL_LITERAL | (fold ? DS_CQL_FOLD : 0),
                  (const char *)p->norm.p, p->norm.n, open, at, p->i);
  if (rc == DS_OK) p->t->aNode[p->t->aNode[*piLast].iChild].iEnd = iCmpEnd;
  return rc;
}

static int is_bare(char ch) {
  return ch && !strchr(" \t\r\n\"'[]%(){}|&!=<>;", ch);
}

int ds_cql_parse(const char *zQuery, ds_cql **pt, ds_error *e) {
  parser p;
  *pt = NULL;
  memset(&p, 0, sizeof p);
  p.z = zQuery;
  p.e = e;
  p.t = ds_malloc(sizeof *p.t);
  if (!p.t) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(p.t, 0, sizeof *p.t);
  p.t->nQuery = strlen(zQuery);
  ds_buf_append(&p.t->pool, zQuery, p.t->nQuery);       /* the text first: ds_cql_str(t, 0) */
  ds_buf_putc(&p.t->pool, 0);
  int rc = p.t->pool.rc ? nomem(&p) : DS_OK, iLast = -1;
  int root = rc ? -1 : new_node(&p, DS_CQL_SEQ, 0, p.t->nQuery);
  if (rc == DS_OK && root < 0) rc = nomem(&p);
  p.t->iRoot = root;
  int64_t bad = rc ? -1 : ds_utf8_check(zQuery, p.t->nQuery);
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
      if (rc == DS_OK) rc = push_phrase(&p, root, &iLast, fold, at);
    } else if (ch == '[') {
      rc = parse_bracket(&p, root, &iLast);
    } else if (is_bare(ch)) {
      ds_buf_reset(&p.str);
      while (is_bare(p.z[p.i])) ds_buf_putc(&p.str, p.z[p.i++]);
      rc = p.str.rc ? nomem(&p) : read_flags(&p, &fold);
      if (rc == DS_OK) rc = push_phrase(&p, root, &iLast, fold, at);
    } else {
      char zMsg[64];
      snprintf(zMsg, sizeof zMsg, "unexpected '%c'", ch);
      rc = perr(&p, at, zMsg);
    }
    skip_space(&p);
  }
  ds_buf_free(&p.str);
  ds_buf_free(&p.norm);
  ds_buf_free(&p.fold);
  if (rc) {
    ds_cql_free(p.t);
    return rc;
  }
  *pt = p.t;
  return DS_OK;
}

void ds_cql_free(ds_cql *t) {
  if (!t) return;
  ds_free(t->aNode);
  ds_buf_free(&t->pool);
  ds_free(t);
}

/* ====================== explaining ====================== */

const char *ds_cql_kind_name(int eKind) {
  static const char *const az[] = {"?", "seq", "token", "cmp", "and", "or", "not", "repeat",
                                   "alt", "struct", "within", "meta", "label"};
  return eKind > 0 && eKind <= DS_CQL_LABEL ? az[eKind] : "?";
}

/* z[0..n) in double quotes, `"` and `\` escaped, control bytes as \xHH. */
static void put_quoted(ds_buf *out, const char *z, size_t n, char open, char close) {
  ds_buf_putc(out, open);
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)z[i];
    if (ch == (unsigned char)close || ch == '\\') {
      ds_buf_putc(out, '\\');
      ds_buf_putc(out, ch);
    } else if (ch < 0x20 || ch == 0x7F) {
      ds_buf_printf(out, "\\x%02X", ch);
    } else {
      ds_buf_putc(out, ch);
    }
  }
  ds_buf_putc(out, close);
}

/* A value: "literal" or /regex/, then its flags. */
static void put_value(const ds_cql *t, const ds_cql_node *x, ds_buf *out) {
  const char *z = ds_cql_str(t, x->iValue);
  if (x->flags & DS_CQL_LITERAL) put_quoted(out, z, x->nValue, '"', '"');
  else put_quoted(out, z, x->nValue, '/', '/');
  if (x->flags & DS_CQL_FOLD) ds_buf_puts(out, " %c");
  if (x->flags & DS_CQL_DIACR) ds_buf_puts(out, " %d");
}

static const char *op_name(int eOp) {
  switch (eOp) {
  case DS_CQL_EQ: return "=";
  case DS_CQL_NE: return "!=";
  case DS_CQL_OPEN: return "open";
  case DS_CQL_CLOSE: return "close";
  default: return "?";
  }
}

/* Node i and its children; depth bounds the recursion (a tree is never that deep). */
static int explain_node(const ds_cql *t, int i, int flags, ds_buf *out, int depth) {
  if (i < 0 || (size_t)i >= t->nNode || depth > 10000) return DS_MISUSE;
  const ds_cql_node *x = &t->aNode[i];
  ds_buf_putc(out, '(');
  if (x->eKind == DS_CQL_CMP) ds_buf_puts(out, op_name(x->eOp));
  else ds_buf_puts(out, ds_cql_kind_name(x->eKind));
  if (flags & DS_CQL_EXPLAIN_OFFSETS) ds_buf_printf(out, " %zu:%zu", x->iStart, x->iEnd);
  switch (x->eKind) {
  case DS_CQL_CMP:
    ds_buf_printf(out, " %s ", ds_attr_name(x->iAttr) ? ds_attr_name(x->iAttr) : "?");
    put_value(t, x, out);
    break;
  case DS_CQL_REPEAT:
    if (x->nMax < 0) ds_buf_printf(out, " %d inf", x->nMin);
    else ds_buf_printf(out, " %d %d", x->nMin, x->nMax);
    break;
  case DS_CQL_STRUCT:
    ds_buf_printf(out, " %s %s", op_name(x->eOp), ds_cql_str(t, x->iName));
    break;
  case DS_CQL_WITHIN:
  case DS_CQL_LABEL:
    ds_buf_printf(out, " %s", ds_cql_str(t, x->iName));
    break;
  case DS_CQL_META:
    ds_buf_printf(out, " %s %s ", ds_cql_str(t, x->iName), op_name(x->eOp));
    put_value(t, x, out);
    break;
  default:
    break;
  }
  for (int c = x->iChild; c >= 0; c = t->aNode[c].iNext) {
    ds_buf_putc(out, ' ');
    int rc = explain_node(t, c, flags, out, depth + 1);
    if (rc) return rc;
  }
  ds_buf_putc(out, ')');
  return DS_OK;
}

int ds_cql_explain(const ds_cql *t, int flags, ds_buf *out) {
  int rc = explain_node(t, t->iRoot, flags, out, 0);
  return rc ? rc : out->rc ? DS_NOMEM : DS_OK;
}
