/*
** ds_cql.c -- the CQL parser: query text -> tree (see ds_cql.h; cql_explain.c prints it).
** No corpus here: literal values are normalized and tokenized as the corpus stores them,
** regexes kept as written (NFC), and the evaluator (ds_eval.c) resolves both.
*/
#include "ds_cql.h"
#include "ds_store.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
  const char *z;        /* the query */
  size_t i;             /* current byte */
  ds_cql *t;            /* the tree being built */
  ds_error *e;
  ds_buf str;           /* the string being read, as written (escapes kept) */
  ds_buf lit;           /* ... unescaped */
  ds_buf norm;          /* NFC or folded form of a value */
  ds_buf fold;          /* a token of a literal, folded */
  int rc;               /* set by the token callback */
  int depth;            /* nesting of groups, brackets, constraints */
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
    ds_cql_node *a = ds_realloc_n(t->aNode, nNew, sizeof *a);
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

static ds_cql_node *N(parser *p, int i) { return &p->t->aNode[i]; }

/* ====================== lexing ====================== */

static void skip_space(parser *p) {
  while (p->z[p->i] == ' ' || p->z[p->i] == '\t' || p->z[p->i] == '\n' || p->z[p->i] == '\r')
    p->i++;
}

static int is_ident_start(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}
static int is_ident(char ch) { return is_ident_start(ch) || (ch >= '0' && ch <= '9'); }

/* The identifier at p->i (not consumed) into z (cut to n - 1 bytes); its length. */
static size_t peek_ident(parser *p, size_t at, char *z, size_t n) {
  size_t k = 0;
  if (!is_ident_start(p->z[at])) return 0;
  while (is_ident(p->z[at + k])) k++;
  size_t m = k < n - 1 ? k : n - 1;
  memcpy(z, p->z + at, m);
  z[m] = 0;
  return k;
}

/* Is the keyword zKw at p->i (a whole identifier)? */
static int at_keyword(parser *p, const char *zKw) {
  size_t n = strlen(zKw);
  return strncmp(p->z + p->i, zKw, n) == 0 && !is_ident(p->z[p->i + n]);
}

static int expect(parser *p, char ch, const char *zWhat) {
  skip_space(p);
  if (p->z[p->i] == ch) {
    p->i++;
    return DS_OK;
  }
  char zMsg[96];
  snprintf(zMsg, sizeof zMsg, "expected %s", zWhat);
  return perr(p, p->i, zMsg);
}

/* Read a quoted string at p->i (the opening quote): as written into p->str (a backslash
   and the character it escapes both kept), unescaped into p->lit. */
static int read_string(parser *p) {
  char quote = p->z[p->i];
  size_t start = p->i++;
  ds_buf_reset(&p->str);
  ds_buf_reset(&p->lit);
  for (;;) {
    char ch = p->z[p->i];
    if (ch == '\0') return perr(p, start, "unterminated string");
    p->i++;
    if (ch == quote) break;
    if (ch == '\\') {
      if (p->z[p->i] == '\0') return perr(p, p->i - 1, "backslash at the end of the query");
      char esc = p->z[p->i++];
      if (esc != quote) ds_buf_putc(&p->str, '\\');   /* \" is " to the regex too */
      ds_buf_putc(&p->str, esc);
      ds_buf_putc(&p->lit, esc);
      continue;
    }
    ds_buf_putc(&p->str, ch);
    ds_buf_putc(&p->lit, ch);
  }
  return p->str.rc || p->lit.rc ? nomem(p) : DS_OK;
}

/* Is the string as written a literal: no regex character, escapes only of punctuation? */
static int is_literal(const ds_buf *b) {
  const char *z = (const char *)b->p;
  for (size_t i = 0; i < b->n; i++) {
    char ch = z[i];
    if (ch == '\\') {
      if (i + 1 < b->n && is_ident(z[i + 1])) return 0;   /* \d \w ...: a regex */
      i++;
    } else if (strchr(".*+?[](){}|^$", ch)) {
      return 0;
    }
  }
  return 1;
}

/* Read flags `%c`, `%d`, `%cd`, `%l` into *pFlags (DS_CQL_FOLD, DS_CQL_DIACR, DS_CQL_LITERAL). */
static int read_flags(parser *p, int *pFlags) {
  *pFlags = 0;
  while (p->z[p->i] == '%') {
    size_t at = p->i++;
    if (!strchr("cdl", p->z[p->i]) || !p->z[p->i])
      return perr(p, at, "expected a flag (%c, %d, %l) after '%'");
    while (p->z[p->i] && strchr("cdl", p->z[p->i])) {
      char ch = p->z[p->i++];
      *pFlags |= ch == 'c' ? DS_CQL_FOLD : ch == 'd' ? DS_CQL_DIACR : DS_CQL_LITERAL;
    }
  }
  return DS_OK;
}

/* Normal form (NFC) of z[0..n) into p->norm (%c is the resolver's: cql_idset.c). */
static int normalize(parser *p, const ds_buf *b, size_t at) {
  const char *z = b->p ? (const char *)b->p : "";
  ds_buf_reset(&p->norm);
  if (ds_utf8_check(z, b->n) >= 0) return perr(p, at, "invalid UTF-8 in a string");
  int rc = ds_utf8_nfc(z, b->n, &p->norm);
  return rc || p->norm.rc ? nomem(p) : DS_OK;
}

/* A CMP node comparing attr with eOp to the string just read (flags from read_flags). */
static int new_cmp(parser *p, int attr, int eOp, int flags, size_t iStart) {
  int lit = (flags & DS_CQL_LITERAL) || is_literal(&p->str);
  int rc = normalize(p, lit ? &p->lit : &p->str, iStart);
  if (rc) return -1;
  int x = new_node(p, DS_CQL_CMP, iStart, p->i);
  if (x < 0) return nomem(p), -1;
  N(p, x)->eOp = eOp;
  N(p, x)->iAttr = attr;
  N(p, x)->flags = (flags & (DS_CQL_FOLD | DS_CQL_DIACR)) | (lit ? DS_CQL_LITERAL : 0);
  N(p, x)->nValue = p->norm.n;
  if (pool_add(p, p->norm.p ? (const char *)p->norm.p : "", p->norm.n, &N(p, x)->iValue)) return -1;
  return x;
}

/* An attribute name at p->i: its DS_ATTR_*, or -1 with the error set. */
static int read_attr(parser *p) {
  char zName[32];
  size_t at = p->i, n = peek_ident(p, at, zName, sizeof zName);
  if (!n) return perr(p, at, "expected an attribute name"), -1;
  p->i += n;
  int attr = ds_attr_find(zName);
  if (attr < 0) {
    char zMsg[112];
    snprintf(zMsg, sizeof zMsg, "unknown attribute '%s' (known: word, norm, lemma, pos, xpos)", zName);
    return perr(p, at, zMsg), -1;
  }
  return attr;
}

/* `=` or `!=` (and with bDates `<` `<=` `>` `>=`) at p->i: the operator, or 0 with the error. */
static int read_op(parser *p, int bDates) {
  skip_space(p);
  const char *z = p->z + p->i;
  int eOp = 0, n = 1;
  if (z[0] == '=') eOp = DS_CQL_EQ;
  else if (z[0] == '!' && z[1] == '=') eOp = DS_CQL_NE, n = 2;
  else if (bDates && z[0] == '<' && z[1] == '=') eOp = DS_CQL_LE, n = 2;
  else if (bDates && z[0] == '>' && z[1] == '=') eOp = DS_CQL_GE, n = 2;
  else if (bDates && z[0] == '<') eOp = DS_CQL_LT;
  else if (bDates && z[0] == '>') eOp = DS_CQL_GT;
  if (!eOp) {
    perr(p, p->i, bDates ? "expected '=', '!=', '<', '<=', '>' or '>='" : "expected '=' or '!='");
    return 0;
  }
  p->i += (size_t)n;
  skip_space(p);
  return eOp;
}

/* ====================== token constraints: inside [ ] ====================== */

static int parse_bool(parser *p);

/* `!x`, `(x)` or `attr op "value"`. */
static int parse_bool_atom(parser *p) {
  skip_space(p);
  size_t at = p->i;
  if (p->z[p->i] == '!' && p->z[p->i + 1] != '=') {
    p->i++;
    int x = new_node(p, DS_CQL_NOT, at, at);
    if (x < 0) return nomem(p), -1;
    int c = parse_bool_atom(p), last = -1;
    if (c < 0) return -1;
    add_child(p, x, c, &last);
    N(p, x)->iEnd = p->i;
    return x;
  }
  if (p->z[p->i] == '(') {
    p->i++;
    int x = parse_bool(p);
    if (x < 0 || expect(p, ')', "')' or an operator")) return -1;
    return x;
  }
  int attr = read_attr(p);
  if (attr < 0) return -1;
  int eOp = read_op(p, 0);
  if (!eOp) return -1;
  char zRef[32];
  size_t nRef = peek_ident(p, p->i, zRef, sizeof zRef);
  if (nRef && p->z[p->i + nRef] == '.')
    return perr(p, p->i, "comparing with a label's attribute is not supported yet (use :: a.attr = b.attr)"), -1;
  if (p->z[p->i] != '"' && p->z[p->i] != '\'') return perr(p, p->i, "expected a quoted string"), -1;
  int flags;
  if (read_string(p) || read_flags(p, &flags)) return -1;
  return new_cmp(p, attr, eOp, flags, at);
}

/* Operands joined by `&` (eKind AND) or `|` (OR): one node, or a node of that kind. */
static int parse_bool_list(parser *p, char op, int eKind, int (*xSub)(parser *)) {
  size_t at = p->i;
  if (++p->depth > DS_CQL_MAX_DEPTH) return perr(p, p->i, "nested too deep"), -1;
  int first = xSub(p);
  if (first < 0) return -1;
  skip_space(p);
  if (p->z[p->i] != op || p->z[p->i + 1] == op) {
    p->depth--;
    return first;
  }
  int x = new_node(p, eKind, at, at), last = -1;
  if (x < 0) return nomem(p), -1;
  add_child(p, x, first, &last);
  while (p->z[p->i] == op) {
    p->i++;
    int c = xSub(p);
    if (c < 0) return -1;
    add_child(p, x, c, &last);
    skip_space(p);
  }
  N(p, x)->iEnd = p->i;
  p->depth--;
  return x;
}

static int parse_bool_and(parser *p) { return parse_bool_list(p, '&', DS_CQL_AND, parse_bool_atom); }
static int parse_bool(parser *p) { return parse_bool_list(p, '|', DS_CQL_OR, parse_bool_and); }

/* ====================== the sequence ====================== */

static int push_token_node(parser *p, size_t iStart) {
  if (p->t->nToken >= DS_QUERY_MAX_TOKENS) {
    char zMsg[80];
    snprintf(zMsg, sizeof zMsg, "query too long: more than the limit of %d tokens", DS_QUERY_MAX_TOKENS);
    return perr(p, p->i, zMsg), -1;
  }
  int x = new_node(p, DS_CQL_TOKEN, iStart, p->i);
  if (x < 0) return nomem(p), -1;
  p->t->nToken++;
  return x;
}

/* `[` ... `]` at p->i: a TOKEN node. */
static int parse_bracket(parser *p) {
  size_t open = p->i++;
  skip_space(p);
  if (p->z[p->i] == ']') {
    p->i++;
    return push_token_node(p, open);
  }
  if (!p->z[p->i]) return perr(p, open, "missing ']' to close this '['"), -1;
  int c = parse_bool(p);
  if (c < 0) return -1;
  skip_space(p);
  if (p->z[p->i] != ']')
    return (p->z[p->i] ? perr(p, p->i, "expected ']' or an operator ('&', '|')")
                       : perr(p, open, "missing ']' to close this '['")), -1;
  p->i++;
  int x = push_token_node(p, open), last = -1;
  if (x < 0) return -1;
  add_child(p, x, c, &last);
  return x;
}

/* Where the tokens of a literal go. */
typedef struct phrase {
  parser *p;
  int parent, iLast;    /* the node they are children of, and its last child */
  int flags;
  size_t iStart;        /* the literal's bytes in the query, to p->i */
} phrase;

/* A token of a literal string: a TOKEN node comparing it as a whole. */
static int phrase_token(void *ctx, const char *z, size_t n, uint32_t flags, size_t iStart,
                        size_t iEnd) {
  phrase *ph = ctx;
  parser *p = ph->p;
  (void)flags, (void)iStart, (void)iEnd;
  ds_buf_reset(&p->lit);
  ds_buf_append(&p->lit, z, n);
  ds_buf_reset(&p->str);
  ds_buf_append(&p->str, z, n);
  int tok = push_token_node(p, ph->iStart), last = -1;
  int cmp = tok < 0 ? -1 : new_cmp(p, DS_ATTR_WORD, DS_CQL_EQ, ph->flags | DS_CQL_LITERAL, ph->iStart);
  if (cmp < 0) {
    p->rc = p->e->code ? p->e->code : DS_NOMEM;
    return 1;
  }
  N(p, tok)->iEnd = N(p, cmp)->iEnd = p->i;
  add_child(p, tok, cmp, &last);
  add_child(p, ph->parent, tok, &ph->iLast);
  return 0;
}

static int count_token(void *ctx, const char *z, size_t n, uint32_t flags, size_t iStart,
                       size_t iEnd) {
  (void)z, (void)n, (void)flags, (void)iStart, (void)iEnd;
  (*(size_t *)ctx)++;
  return 0;
}

/*
** A quoted string at p->i outside brackets: [word="..."]; a literal of several tokens
** (tokenized as documents are) is the SEQ of them.
*/
static int parse_string(parser *p) {
  size_t at = p->i;
  int flags;
  if (read_string(p) || read_flags(p, &flags)) return -1;
  int lit = (flags & DS_CQL_LITERAL) || is_literal(&p->str);
  if (!lit || (flags & DS_CQL_DIACR)) {
    int tok = push_token_node(p, at), last = -1;
    int cmp = tok < 0 ? -1 : new_cmp(p, DS_ATTR_WORD, DS_CQL_EQ, flags, at);
    if (cmp < 0) return -1;
    add_child(p, tok, cmp, &last);
    N(p, tok)->iEnd = p->i;
    return tok;
  }
  if (normalize(p, &p->lit, at)) return -1;
  ds_buf text = p->norm;                      /* tokenized below: keep it apart */
  p->norm = (ds_buf)DS_BUF_INIT;
  const char *z = text.p ? (const char *)text.p : "";
  size_t nTok = 0;
  int rc = ds_tokenize_string(z, text.n, count_token, &nTok), x = -1;
  if (rc) rc = rc == DS_NOMEM ? nomem(p) : ds_error_set(p->e, rc, -1, "string too long");
  else if (nTok == 0) rc = perr(p, at, "empty string");
  else {
    int seq = new_node(p, DS_CQL_SEQ, at, p->i);
    if (seq < 0) rc = nomem(p);
    else {
      phrase ph = {p, seq, -1, flags, at};
      p->rc = DS_OK;
      rc = ds_tokenize_string(z, text.n, phrase_token, &ph);
      if (rc == DS_ABORT) rc = p->rc;
      else if (rc) rc = nomem(p);
      x = seq;
      if (rc == DS_OK && nTok == 1) x = N(p, seq)->iChild;   /* one token: no sequence */
    }
  }
  ds_buf_free(&text);
  return rc ? -1 : x;
}

/* `<s>`, `</s>`, `<s/>`, `<doc kind="news">` at p->i: a STRUCT node. */
static int parse_struct(parser *p) {
  size_t at = p->i++;
  int eOp = DS_CQL_OPEN;
  if (p->z[p->i] == '/') eOp = DS_CQL_CLOSE, p->i++;
  char zName[32];
  size_t n = peek_ident(p, p->i, zName, sizeof zName);
  if (!n) return perr(p, p->i, "expected a structure name (s, p, head, note, doc)"), -1;
  int x = new_node(p, DS_CQL_STRUCT, at, at), last = -1;
  if (x < 0 || pool_add(p, p->z + p->i, n, &N(p, x)->iName)) return nomem(p), -1;
  N(p, x)->nName = n;
  p->i += n;
  skip_space(p);
  while (eOp == DS_CQL_OPEN && is_ident_start(p->z[p->i])) {   /* attributes */
    size_t atA = p->i;
    size_t nKey = peek_ident(p, p->i, zName, sizeof zName);
    p->i += nKey;
    int op = read_op(p, 1);
    if (!op) return -1;
    if (p->z[p->i] != '"' && p->z[p->i] != '\'') return perr(p, p->i, "expected a quoted string"), -1;
    int flags;
    if (read_string(p) || read_flags(p, &flags)) return -1;
    int m = new_cmp(p, -1, op, flags, atA);
    if (m < 0) return -1;
    N(p, m)->eKind = DS_CQL_META;
    if (pool_add(p, p->z + atA, nKey, &N(p, m)->iName)) return -1;
    N(p, m)->nName = nKey;
    add_child(p, x, m, &last);
    skip_space(p);
  }
  if (eOp == DS_CQL_OPEN && p->z[p->i] == '/') eOp = DS_CQL_SPAN, p->i++;
  if (p->z[p->i] != '>') return perr(p, p->i, "expected '>' (or an attribute)"), -1;
  p->i++;
  N(p, x)->eOp = eOp;
  N(p, x)->iEnd = p->i;
  return x;
}

/* The index of label zName (new ones added when bAdd), or -1. */
static int label_index(parser *p, const char *zName, int bAdd) {
  for (size_t j = 0; j < p->t->nLabel; j++)
    if (strcmp(p->t->azLabel[j], zName) == 0) return (int)j;
  if (!bAdd || p->t->nLabel >= DS_CQL_MAX_LABELS) return -1;
  snprintf(p->t->azLabel[p->t->nLabel], sizeof p->t->azLabel[0], "%s", zName);
  return (int)p->t->nLabel++;
}

/* Is p->i where the body ends (a clause, `)`, `|`, the end)? */
static int at_body_end(parser *p) {
  char ch = p->z[p->i];
  return !ch || ch == ')' || ch == '|' || ch == ';' || (ch == ':' && p->z[p->i + 1] == ':') ||
         at_keyword(p, "within") || at_keyword(p, "containing") || at_keyword(p, "not") ||
         at_keyword(p, "expand");
}

static int parse_alt(parser *p);

/* Read a number at p->i into *pn (bounded); returns its digit count. */
static size_t read_int(parser *p, int64_t *pn) {
  size_t k = 0;
  *pn = 0;
  while (p->z[p->i] >= '0' && p->z[p->i] <= '9') {
    if (*pn < 1000000000) *pn = *pn * 10 + (p->z[p->i] - '0');
    p->i++, k++;
  }
  return k;
}

/* A quantifier after an element: wrap x in a REPEAT (or return x). */
static int parse_quant(parser *p, int x, size_t at) {
  for (;;) {
    char ch = p->z[p->i];
    int64_t lo, hi;
    size_t q = p->i;
    if (ch == '?') lo = 0, hi = 1, p->i++;
    else if (ch == '*') lo = 0, hi = -1, p->i++;
    else if (ch == '+') lo = 1, hi = -1, p->i++;
    else if (ch == '{') {
      p->i++;
      skip_space(p);
      size_t nLo = read_int(p, &lo);
      skip_space(p);
      if (p->z[p->i] == '}') {
        if (!nLo) return perr(p, p->i, "expected a number in '{...}'"), -1;
        hi = lo;
      } else if (p->z[p->i] == ',') {
        p->i++;
        skip_space(p);
        if (!read_int(p, &hi)) hi = -1;
        if (!nLo && hi < 0) return perr(p, p->i, "expected a number in '{...}'"), -1;
        skip_space(p);
      } else {
        return perr(p, p->i, "expected ',' or '}' in a repetition"), -1;
      }
      if (p->z[p->i] != '}') return perr(p, p->i, "expected '}'"), -1;
      p->i++;
      if (lo > DS_CQL_MAX_REPEAT || hi > DS_CQL_MAX_REPEAT) {
        char zMsg[96];
        snprintf(zMsg, sizeof zMsg, "repetition over the limit of %d", DS_CQL_MAX_REPEAT);
        return perr(p, q, zMsg), -1;
      }
      if (hi >= 0 && hi < lo) return perr(p, q, "repetition {n,m} with m < n"), -1;
    } else {
      return x;
    }
    int r = new_node(p, DS_CQL_REPEAT, at, p->i), last = -1;
    if (r < 0) return nomem(p), -1;
    N(p, r)->nMin = (int)lo;
    N(p, r)->nMax = (int)hi;
    add_child(p, r, x, &last);
    x = r;
    skip_space(p);
  }
}

/* One element of a sequence, with its label and quantifier. */
static int parse_item(parser *p) {
  size_t at = p->i;
  int iLabel = -2;                          /* -2: none, -1: the target */
  char zName[32];
  size_t n = peek_ident(p, p->i, zName, sizeof zName);
  if (n && p->z[p->i + n] == ':' && p->z[p->i + n + 1] != ':') {
    if (n >= sizeof zName) return perr(p, at, "label name too long"), -1;
    if (strcmp(zName, "doc") == 0 || strcmp(zName, "match") == 0)
      return perr(p, at, "'doc' and 'match' are not label names"), -1;
    iLabel = label_index(p, zName, 1);
    if (iLabel < 0) return perr(p, at, "too many labels"), -1;
    p->i += n + 1;
    skip_space(p);
  } else if (p->z[p->i] == '@') {
    iLabel = -1;
    p->t->bTarget = 1;
    p->i++;
    skip_space(p);
  }
  char ch = p->z[p->i];
  int x;
  size_t atAtom = p->i;
  if (ch == '[') x = parse_bracket(p);
  else if (ch == '"' || ch == '\'') x = parse_string(p);
  else if (ch == '(') {
    if (p->z[p->i + 1] == '?') return perr(p, p->i, "a strategy (?...) stands only at the start"), -1;
    p->i++;
    if (++p->depth > DS_CQL_MAX_DEPTH) return perr(p, atAtom, "nested too deep"), -1;
    x = parse_alt(p);
    p->depth--;
    if (x >= 0 && expect(p, ')', "')' to close this group")) return -1;
  } else if (ch == '<') x = parse_struct(p);
  else if (n) {
    char zMsg[160];
    snprintf(zMsg, sizeof zMsg, "a bare word '%s' is not a query: quote it (\"%s\") or write [word=\"%s\"]",
             zName, zName, zName);
    return perr(p, at, zMsg), -1;
  } else if (!ch) return perr(p, p->i, "expected a token ([...] or \"...\")"), -1;
  else {
    char zMsg[80];
    snprintf(zMsg, sizeof zMsg, "unexpected '%c': expected a token ([...] or \"...\")", ch);
    return perr(p, p->i, zMsg), -1;
  }
  if (x < 0) return -1;
  if (iLabel > -2) {
    if (N(p, x)->eKind != DS_CQL_TOKEN) return perr(p, at, "a label marks one token ([...] or \"...\")"), -1;
    int l = new_node(p, DS_CQL_LABEL, at, p->i), last = -1;
    if (l < 0) return nomem(p), -1;
    N(p, l)->nMin = iLabel;
    const char *zL = iLabel < 0 ? "@" : p->t->azLabel[iLabel];
    if (pool_add(p, zL, strlen(zL), &N(p, l)->iName)) return -1;
    N(p, l)->nName = strlen(zL);
    add_child(p, l, x, &last);
    x = l;
  }
  skip_space(p);
  if (N(p, x)->eKind == DS_CQL_STRUCT && strchr("?*+{", p->z[p->i]) && p->z[p->i])
    return perr(p, p->i, "a structure boundary takes no repetition"), -1;
  return parse_quant(p, x, at);
}

/* Elements up to the body's end: a SEQ. */
static int parse_seq(parser *p) {
  skip_space(p);
  size_t at = p->i;
  int x = new_node(p, DS_CQL_SEQ, at, at), last = -1;
  if (x < 0) return nomem(p), -1;
  while (!at_body_end(p)) {
    int c = parse_item(p);
    if (c < 0) return -1;
    add_child(p, x, c, &last);
    skip_space(p);
  }
  if (last < 0) return perr(p, p->i, p->z[p->i] ? "expected a token ([...] or \"...\")" : "empty query"), -1;
  N(p, x)->iEnd = p->i;
  return x;
}

/* Sequences joined by `|`: a SEQ, or an ALT of them. */
static int parse_alt(parser *p) {
  size_t at = p->i;
  int first = parse_seq(p);
  if (first < 0 || p->z[p->i] != '|') return first;
  int x = new_node(p, DS_CQL_ALT, at, at), last = -1;
  if (x < 0) return nomem(p), -1;
  add_child(p, x, first, &last);
  while (p->z[p->i] == '|') {
    p->i++;
    int c = parse_seq(p);
    if (c < 0) return -1;
    add_child(p, x, c, &last);
  }
  N(p, x)->iEnd = p->i;
  return x;
}

/* ====================== the global constraint ====================== */

static int parse_global(parser *p);

/* `label.attr`, `doc.key`, `match.text_key`: the name's bytes, and *pbDoc for metadata. */
static int parse_ref(parser *p, char *zLabel, size_t nLabel, int *pbDoc, int *pAttr,
                     size_t *piKey, size_t *pnKey) {
  size_t at = p->i;
  size_t n = peek_ident(p, p->i, zLabel, nLabel);
  if (!n || p->z[p->i + n] != '.')
    return perr(p, at, "expected label.attribute, doc.key or match.text_key");
  p->i += n + 1;
  *pbDoc = strcmp(zLabel, "doc") == 0 || strcmp(zLabel, "match") == 0;
  if (*pbDoc) {
    char zKey[64];
    size_t k = peek_ident(p, p->i, zKey, sizeof zKey);
    if (!k) return perr(p, p->i, "expected a metadata key");
    *piKey = p->i, *pnKey = k;
    if (strcmp(zLabel, "match") == 0) {
      if (strncmp(zKey, "text_", 5) != 0 || k <= 5)
        return perr(p, p->i, "expected match.text_KEY (a document's metadata)");
      *piKey += 5, *pnKey -= 5;
    }
    p->i += k;
    return DS_OK;
  }
  if (label_index(p, zLabel, 0) < 0) {
    char zMsg[96];
    snprintf(zMsg, sizeof zMsg, "unknown label '%s'", zLabel);
    return perr(p, at, zMsg);
  }
  *pAttr = read_attr(p);
  return *pAttr < 0 ? DS_QUERY : DS_OK;
}

static int parse_global_atom(parser *p) {
  skip_space(p);
  size_t at = p->i;
  if (p->z[p->i] == '!' && p->z[p->i + 1] != '=') {
    p->i++;
    int x = new_node(p, DS_CQL_NOT, at, at), last = -1;
    int c = x < 0 ? -1 : parse_global_atom(p);
    if (c < 0) return x < 0 ? (nomem(p), -1) : -1;
    add_child(p, x, c, &last);
    N(p, x)->iEnd = p->i;
    return x;
  }
  if (p->z[p->i] == '(') {
    p->i++;
    int x = parse_global(p);
    if (x < 0 || expect(p, ')', "')' or an operator")) return -1;
    return x;
  }
  char zLabel[32];
  int bDoc, attr = -1;
  size_t iKey = 0, nKey = 0;
  if (parse_ref(p, zLabel, sizeof zLabel, &bDoc, &attr, &iKey, &nKey)) return -1;
  int eOp = read_op(p, bDoc);
  if (!eOp) return -1;
  if (!bDoc && is_ident_start(p->z[p->i])) {            /* label.attr = label2.attr2 */
    char zLabel2[32];
    int bDoc2, attr2 = -1;
    size_t i2, n2;
    size_t at2 = p->i;
    if (parse_ref(p, zLabel2, sizeof zLabel2, &bDoc2, &attr2, &i2, &n2)) return -1;
    if (bDoc2) return perr(p, at2, "compare a label with a label or a string"), -1;
    int x = new_node(p, DS_CQL_REFEQ, at, p->i);
    if (x < 0) return nomem(p), -1;
    N(p, x)->eOp = eOp;
    N(p, x)->iAttr = attr;
    N(p, x)->iAttr2 = attr2;
    N(p, x)->nMin = label_index(p, zLabel, 0);
    N(p, x)->nMax = label_index(p, zLabel2, 0);
    if (pool_add(p, zLabel, strlen(zLabel), &N(p, x)->iName) ||
        pool_add(p, zLabel2, strlen(zLabel2), &N(p, x)->iName2))
      return -1;
    N(p, x)->nName = strlen(zLabel);
    N(p, x)->nName2 = strlen(zLabel2);
    return x;
  }
  if (p->z[p->i] != '"' && p->z[p->i] != '\'') return perr(p, p->i, "expected a quoted string"), -1;
  int flags;
  if (read_string(p) || read_flags(p, &flags)) return -1;
  int x = new_cmp(p, attr, eOp, flags, at);
  if (x < 0) return -1;
  if (bDoc) {
    N(p, x)->eKind = DS_CQL_META;
    N(p, x)->iAttr = 0;
    if (pool_add(p, p->z + iKey, nKey, &N(p, x)->iName)) return -1;
    N(p, x)->nName = nKey;
  } else {
    N(p, x)->nMin = label_index(p, zLabel, 0);
    if (pool_add(p, zLabel, strlen(zLabel), &N(p, x)->iName)) return -1;
    N(p, x)->nName = strlen(zLabel);
  }
  return x;
}

static int parse_global_and(parser *p) { return parse_bool_list(p, '&', DS_CQL_AND, parse_global_atom); }
static int parse_global(parser *p) { return parse_bool_list(p, '|', DS_CQL_OR, parse_global_and); }

/* ====================== MU ====================== */

/* A MU argument: a token, or a parenthesized (meet ...) / (union ...). */
static int parse_mu_arg(parser *p);

static int parse_meet(parser *p, size_t at) {
  int bUnion = at_keyword(p, "union");
  if (!bUnion && !at_keyword(p, "meet")) return perr(p, p->i, "expected 'meet' or 'union'"), -1;
  p->i += bUnion ? 5 : 4;
  if (++p->depth > DS_CQL_MAX_DEPTH) return perr(p, at, "nested too deep"), -1;
  int x = new_node(p, bUnion ? DS_CQL_UNION : DS_CQL_MEET, at, at), last = -1;
  if (x < 0) return nomem(p), -1;
  for (int k = 0; k < 2; k++) {
    int c = parse_mu_arg(p);
    if (c < 0) return -1;
    add_child(p, x, c, &last);
  }
  if (!bUnion) {
    skip_space(p);
    char zName[32];
    size_t n = peek_ident(p, p->i, zName, sizeof zName);
    if (n) {
      if (pool_add(p, p->z + p->i, n, &N(p, x)->iName)) return -1;
      N(p, x)->nName = n;
      p->i += n;
    } else {
      int64_t v[2];
      for (int k = 0; k < 2; k++) {
        skip_space(p);
        int neg = p->z[p->i] == '-';
        if (neg || p->z[p->i] == '+') p->i++;
        if (!read_int(p, &v[k]))
          return perr(p, p->i, "expected a structure (s) or a window (-5 5) in meet"), -1;
        if (v[k] > DS_CQL_MAX_REPEAT) return perr(p, p->i, "meet window over the limit of 1000"), -1;
        if (neg) v[k] = -v[k];
      }
      if (v[0] > v[1]) return perr(p, p->i, "meet window with its start after its end"), -1;
      N(p, x)->nMin = (int)v[0];
      N(p, x)->nMax = (int)v[1];
    }
  }
  p->depth--;
  N(p, x)->iEnd = p->i;
  return x;
}

static int parse_mu_arg(parser *p) {
  skip_space(p);
  size_t at = p->i;
  if (p->z[p->i] == '(') {
    p->i++;
    skip_space(p);
    int x = parse_meet(p, at);
    if (x < 0 || expect(p, ')', "')' to close this meet")) return -1;
    return x;
  }
  int x = p->z[p->i] == '[' ? parse_bracket(p)
          : (p->z[p->i] == '"' || p->z[p->i] == '\'') ? parse_string(p)
          : (perr(p, p->i, "expected a token ([...] or \"...\") or (meet ...)"), -1);
  if (x >= 0 && N(p, x)->eKind != DS_CQL_TOKEN) return perr(p, at, "a MU argument is one token"), -1;
  return x;
}

/* ====================== the query ====================== */

static const char *const azStrategy[] = {"standard", "shortest", "longest", "traditional"};

static int parse_clauses(parser *p) {
  skip_space(p);
  if (p->z[p->i] == ':' && p->z[p->i + 1] == ':') {
    p->i += 2;
    p->t->iGlobal = parse_global(p);
    if (p->t->iGlobal < 0) return p->e->code;
    skip_space(p);
  }
  if (at_keyword(p, "within")) {
    p->i += 6;
    skip_space(p);
    char zName[32];
    size_t n = peek_ident(p, p->i, zName, sizeof zName);
    if (n) {
      p->t->iWithinAt = p->i;
      if (pool_add(p, p->z + p->i, n, &p->t->iWithin)) return DS_NOMEM;
      p->t->nWithin = n;
      p->i += n;
    } else if (!read_int(p, &p->t->nWithinTokens) || p->t->nWithinTokens < 1) {
      return perr(p, p->i, "expected a structure (s, p, doc, ...) or a number of tokens after 'within'");
    }
    skip_space(p);
  }
  int bNot = at_keyword(p, "not");
  if (bNot) {
    p->i += 3;
    skip_space(p);
    if (!at_keyword(p, "containing")) return perr(p, p->i, "expected 'containing' after 'not'");
  }
  if (at_keyword(p, "containing")) {
    p->i += 10;
    p->t->bNotContaining = bNot;
    p->t->iContaining = parse_alt(p);
    if (p->t->iContaining < 0) return p->e->code;
    skip_space(p);
  }
  if (at_keyword(p, "expand")) {
    p->i += 6;
    skip_space(p);
    if (!at_keyword(p, "to")) return perr(p, p->i, "expected 'to' after 'expand'");
    p->i += 2;
    skip_space(p);
    char zName[32];
    size_t n = peek_ident(p, p->i, zName, sizeof zName);
    if (n) {
      p->t->iExpandAt = p->i;
      if (pool_add(p, p->z + p->i, n, &p->t->iExpand)) return DS_NOMEM;
      p->t->nExpand = n;
      p->i += n;
    } else if (!read_int(p, &p->t->nExpandTokens) || p->t->nExpandTokens < 1) {
      return perr(p, p->i, "expected a structure or a number of tokens after 'expand to'");
    }
    skip_space(p);
  }
  if (p->z[p->i] == ';') {
    p->i++;
    skip_space(p);
  }
  if (p->z[p->i]) {
    const char *zMsg = p->z[p->i] == ')' ? "unexpected ')': no group to close"
                       : at_keyword(p, "within") || p->z[p->i] == ':'
                           ? "clauses go in the order :: ... within ... containing ... expand to ..."
                           : "expected the end of the query";
    return perr(p, p->i, zMsg);
  }
  return DS_OK;
}

static int parse_query(parser *p) {
  skip_space(p);
  if (!p->z[p->i]) return perr(p, 0, "empty query");
  if (p->z[p->i] == '(' && p->z[p->i + 1] == '?') {
    size_t at = p->i;
    p->i += 2;
    char zName[32];
    size_t n = peek_ident(p, p->i, zName, sizeof zName);
    int k = 0;
    while (k < 4 && (n != strlen(azStrategy[k]) || strcmp(zName, azStrategy[k]) != 0)) k++;
    if (k == 4) return perr(p, at, "unknown strategy (standard, shortest, longest, traditional)");
    p->i += n;
    if (p->z[p->i] != ')') return perr(p, p->i, "expected ')'");
    p->i++;
    p->t->eStrategy = k;
    skip_space(p);
  }
  int body;
  if (at_keyword(p, "MU")) {
    size_t at = p->i;
    p->i += 2;
    if (expect(p, '(', "'(' after MU")) return p->e->code;
    skip_space(p);
    body = parse_meet(p, at);
    if (body < 0 || expect(p, ')', "')' to close MU(")) return p->e->code;
  } else {
    body = parse_alt(p);
    if (body < 0) return p->e->code;
  }
  if (N(p, body)->eKind == DS_CQL_SEQ) {
    p->t->iRoot = body;
    N(p, body)->iStart = 0;                 /* the root: the whole query */
    N(p, body)->iEnd = p->t->nQuery;
  } else {                                   /* the root is always a SEQ */
    int root = new_node(p, DS_CQL_SEQ, 0, p->t->nQuery), last = -1;
    if (root < 0) return nomem(p);
    add_child(p, root, body, &last);
    p->t->iRoot = root;
  }
  return parse_clauses(p);
}

int ds_cql_parse(const char *zQuery, ds_cql **pt, ds_error *e) {
  parser p;
  *pt = NULL;
  memset(&p, 0, sizeof p);
  memset(e, 0, sizeof *e);
  p.z = zQuery;
  p.e = e;
  p.t = ds_malloc(sizeof *p.t);
  if (!p.t) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(p.t, 0, sizeof *p.t);
  p.t->iGlobal = p.t->iContaining = p.t->iRoot = -1;
  p.t->nQuery = strlen(zQuery);
  ds_buf_append(&p.t->pool, zQuery, p.t->nQuery);       /* the text first: ds_cql_str(t, 0) */
  ds_buf_putc(&p.t->pool, 0);
  int rc = p.t->pool.rc ? nomem(&p) : DS_OK;
  int64_t bad = rc ? -1 : ds_utf8_check(zQuery, p.t->nQuery);
  if (bad >= 0) rc = perr(&p, (size_t)bad, "invalid UTF-8");
  if (rc == DS_OK) rc = parse_query(&p);
  if (rc == DS_OK && p.t->pool.rc) rc = nomem(&p);
  ds_buf_free(&p.str);
  ds_buf_free(&p.lit);
  ds_buf_free(&p.norm);
  ds_buf_free(&p.fold);
  if (rc) {
    if (!e->code) rc = nomem(&p);
    ds_cql_free(p.t);
    return e->code;
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
