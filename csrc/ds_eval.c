/*
** ds_eval.c -- bind a query tree to a corpus, plan it and find its matches (see ds_eval.h).
*/
#include "ds_eval.h"

#include <string.h>

/*
** Fewest positions of the driver for the other required values to be read with cursors
** (leapfrog) rather than checked in the token stream. On a 10 M token corpus, cursors
** made `"said" "the"` 10 times faster, `"of" "the"` 3 times; with a driver of 6 to 58
** positions both ways took under 0.3 ms. (spec/07 counts on a rare driver reading the
** stream: a damaged stream is then reported.)
*/
#define DS_EVAL_MIN_LEAPFROG 64

/* What a token of the sequence asks. */
enum { E_ANY, E_EQ, E_NE };

typedef struct etok {
  int kind;             /* E_ANY, E_EQ, E_NE */
  int attr;             /* DS_ATTR_* compared */
  int bFound;           /* the value is in the lexicon */
  int bIndexed;         /* ... and has postings */
  uint32_t id;          /* its id when found */
  int64_t freq;         /* its frequency when found */
} etok;

struct ds_eval {
  etok *a;              /* the sequence, one per token (owned) */
  size_t n;
  int bEmpty;           /* a required value is not in the corpus: no matches */
  size_t *aiCur;        /* tokens read with posting cursors, the driver first (owned) */
  size_t nCur;
  size_t *aiStream;     /* tokens checked in the token stream (owned) */
  size_t nStream;
};

/* ====================== binding ====================== */

typedef struct binder {
  ds_corpus *c;
  const ds_cql *t;
  ds_eval *p;
  size_t nAlloc;
  ds_error *e;
} binder;

static int unsupported(binder *b, const ds_cql_node *x) {
  return ds_error_set(b->e, DS_QUERY, (int64_t)x->iStart, "%s is not supported yet at position %zu",
                      ds_cql_kind_name(x->eKind), ds_cql_char_pos(ds_cql_str(b->t, 0), x->iStart));
}

/* A TOKEN node: one more token of the sequence, its value looked up. */
static int bind_token(binder *b, const ds_cql_node *x) {
  ds_eval *p = b->p;
  if (p->n >= DS_QUERY_MAX_TOKENS) return unsupported(b, x);   /* parsers keep under it */
  if (p->n == b->nAlloc) {
    size_t nNew = b->nAlloc ? 2 * b->nAlloc : 8;
    etok *a = ds_realloc(p->a, nNew * sizeof *a);
    if (!a) return ds_error_set(b->e, DS_NOMEM, -1, "out of memory");
    p->a = a;
    b->nAlloc = nNew;
  }
  etok *k = &p->a[p->n++];
  memset(k, 0, sizeof *k);
  if (x->iChild < 0) return DS_OK;                       /* [] */
  const ds_cql_node *y = ds_cql_at(b->t, x->iChild);
  if (y->eKind != DS_CQL_CMP || y->iNext >= 0 || !(y->flags & DS_CQL_LITERAL) ||
      (y->eOp != DS_CQL_EQ && y->eOp != DS_CQL_NE) || !ds_attr_name(y->iAttr))
    return unsupported(b, y);
  k->kind = y->eOp == DS_CQL_EQ ? E_EQ : E_NE;
  k->attr = y->flags & DS_CQL_FOLD ? DS_ATTR_NORM : y->iAttr;    /* folded forms are norm's */
  int rc = ds_corpus_lookup(b->c, k->attr, ds_cql_str(b->t, y->iValue), y->nValue, &k->id,
                            &k->freq, b->e);
  if (rc == DS_NOTFOUND) return DS_OK;
  if (rc) return rc;
  k->bFound = 1;
  k->bIndexed = ds_corpus_indexed(b->c, k->attr, k->id);
  return DS_OK;
}

/* Node i: sequences are laid flat, tokens bound. */
static int bind_node(binder *b, int i, int depth) {
  const ds_cql_node *x = ds_cql_at(b->t, i);
  if (x->eKind == DS_CQL_TOKEN) return bind_token(b, x);
  if (x->eKind != DS_CQL_SEQ || depth > 64) return unsupported(b, x);
  for (int c = x->iChild; c >= 0; c = ds_cql_at(b->t, c)->iNext) {
    int rc = bind_node(b, c, depth + 1);
    if (rc) return rc;
  }
  return DS_OK;
}

/*
** Which tokens the postings answer and which the token stream: every required value with
** postings gets a cursor (rarest first: the driver); `!=` of a known value and required
** values without postings are read in the stream.
*/
static int plan(ds_eval *p) {
  p->aiCur = ds_malloc((p->n + 1) * sizeof *p->aiCur);
  p->aiStream = ds_malloc((p->n + 1) * sizeof *p->aiStream);
  if (!p->aiCur || !p->aiStream) return DS_NOMEM;
  for (size_t i = 0; i < p->n; i++) {
    const etok *k = &p->a[i];
    if (k->kind == E_EQ && !k->bFound) p->bEmpty = 1;
    if (k->kind == E_EQ && k->bIndexed) {
      size_t j = p->nCur++;                /* insertion by frequency, ties in query order */
      while (j > 0 && p->a[p->aiCur[j - 1]].freq > k->freq) {
        p->aiCur[j] = p->aiCur[j - 1];
        j--;
      }
      p->aiCur[j] = i;
    } else if ((k->kind == E_EQ || k->kind == E_NE) && k->bFound) {
      p->aiStream[p->nStream++] = i;
    }
  }
  /* a driver with few positions: its candidates are checked in the stream, as few reads
     as opening the other posting lists would take (measured: under 0.3 ms either way) */
  if (p->nCur > 1 && p->a[p->aiCur[0]].freq < DS_EVAL_MIN_LEAPFROG) {
    for (size_t j = 1; j < p->nCur; j++) p->aiStream[p->nStream++] = p->aiCur[j];
    p->nCur = 1;
  }
  return DS_OK;
}

int ds_eval_bind(ds_corpus *c, const ds_cql *t, ds_eval **pp, ds_error *e) {
  *pp = NULL;
  ds_eval *p = ds_malloc(sizeof *p);
  if (!p) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(p, 0, sizeof *p);
  binder b = {c, t, p, 0, e};
  int rc = bind_node(&b, t->iRoot, 0);
  if (rc == DS_OK && p->n == 0) rc = ds_error_set(e, DS_QUERY, 0, "empty query at position 1");
  if (rc == DS_OK && plan(p)) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  if (rc) {
    ds_eval_free(p);
    return rc;
  }
  *pp = p;
  return DS_OK;
}

void ds_eval_free(ds_eval *p) {
  if (!p) return;
  ds_free(p->a);
  ds_free(p->aiCur);
  ds_free(p->aiStream);
  ds_free(p);
}

size_t ds_eval_length(const ds_eval *p) { return p->n; }

int ds_eval_explain(const ds_eval *p, ds_buf *out) {
  static const char *const azOp[] = {"", "=", "!="};
  ds_buf_printf(out, "tokens %zu", p->n);
  if (p->bEmpty) ds_buf_puts(out, "; empty");
  for (size_t j = 0; j < p->nCur; j++) {
    const etok *k = &p->a[p->aiCur[j]];
    ds_buf_printf(out, "; %s %zu %s#%u (%lld)", j ? "cursor" : "driver", p->aiCur[j],
                  ds_attr_name(k->attr), k->id, (long long)k->freq);
  }
  if (p->nStream) ds_buf_puts(out, "; stream:");
  for (size_t j = 0; j < p->nStream; j++) {
    const etok *k = &p->a[p->aiStream[j]];
    ds_buf_printf(out, " %zu %s%s#%u", p->aiStream[j], ds_attr_name(k->attr), azOp[k->kind], k->id);
  }
  return out->rc ? DS_NOMEM : DS_OK;
}

/* ====================== running ====================== */

typedef struct runner {
  ds_corpus *c;
  const ds_eval *p;
  ds_matchset *out;
  ds_error *e;
  int64_t len;          /* tokens in a match */
  int64_t k;            /* the document of the last candidate (-1: none) */
  int64_t lo, hi;       /* its positions [lo, hi) */
} runner;

/* Append the match starting at s. */
static int add(runner *r, int64_t s) {
  if (ds_matchset_add(r->out, s, s + r->len - 1) < 0)
    return ds_error_set(r->e, DS_NOMEM, -1, "out of memory");
  return DS_OK;
}

/* Do the stream tokens hold at the match starting at token t of the window? */
static int stream_ok(runner *r, const ds_window *w, int64_t t) {
  const ds_eval *p = r->p;
  for (size_t j = 0; j < p->nStream; j++) {
    const etok *k = &p->a[p->aiStream[j]];
    uint32_t type = w->aType[t + (int64_t)p->aiStream[j] - w->first];
    if ((k->kind == E_EQ) != (ds_corpus_type_id(r->c, type, k->attr) == k->id)) return 0;
  }
  return 1;
}

/* A candidate start s from the postings: in one live document, and the stream agrees? */
static int candidate(runner *r, int64_t s) {
  if (s < r->lo || s >= r->hi) {
    r->k = ds_corpus_doc_at(r->c, s);
    if (r->k < 0) {                         /* a removed document */
      r->lo = r->hi = 0;
      return DS_OK;
    }
    const ds_docinfo *d = ds_corpus_doc(r->c, (size_t)r->k);
    r->lo = d->cpos;
    r->hi = d->cpos + d->nTok;
  }
  if (s + r->len > r->hi) return DS_OK;    /* runs past its document's end */
  if (r->p->nStream) {
    ds_window w;
    int64_t t = s - r->lo;
    int rc = ds_corpus_window(r->c, (size_t)r->k, t, t + r->len, 0, &w, r->e);
    if (rc) return rc;
    if (!stream_ok(r, &w, t)) return DS_OK;
  }
  return add(r, s);
}

/* A posting cursor and where it stands (-1 before its first position). */
typedef struct lcur {
  ds_cursor *k;
  int64_t pos;
  int64_t off;          /* its token's place in the sequence */
} lcur;

/* Move l to its first position >= target: DS_OK, DS_DONE, DS_CORRUPT. */
static int lcur_seek(lcur *l, int64_t target) {
  if (l->pos >= target) return DS_OK;
  if (l->pos >= 0 && target == l->pos + 1) return ds_cursor_next(l->k, &l->pos);
  return ds_cursor_seek(l->k, target, &l->pos);
}

/*
** The driver and the other cursors in step (leapfrog): a start s is a candidate when
** every cursor has its token's position at s + its offset; a cursor past that moves s on,
** and the others seek after it.
*/
static int run_cursors(runner *r) {
  const ds_eval *p = r->p;
  lcur *a = ds_malloc(p->nCur * sizeof *a);
  if (!a) return ds_error_set(r->e, DS_NOMEM, -1, "out of memory");
  int rc = DS_OK;
  size_t nOpen = 0;
  for (; nOpen < p->nCur && rc == DS_OK; nOpen++) {
    const etok *k = &p->a[p->aiCur[nOpen]];
    a[nOpen].pos = -1;
    a[nOpen].off = (int64_t)p->aiCur[nOpen];
    rc = ds_corpus_cursor(r->c, k->attr, k->id, &a[nOpen].k, r->e);
    if (rc) break;
  }
  int64_t s = 0;
  while (rc == DS_OK) {
    for (size_t j = 0; j < p->nCur && rc == DS_OK;) {
      rc = lcur_seek(&a[j], s + a[j].off);
      if (rc == DS_CORRUPT)
        rc = ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings for %s id %u",
                          ds_attr_name(p->a[p->aiCur[j]].attr), p->a[p->aiCur[j]].id);
      if (rc == DS_OK && a[j].pos > s + a[j].off) {
        s = a[j].pos - a[j].off;        /* the next possible start: all again */
        j = j ? 0 : 1;
      } else {
        j++;
      }
    }
    if (rc == DS_OK) rc = candidate(r, s++);
  }
  for (size_t j = 0; j < nOpen; j++) ds_cursor_free(a[j].k);
  ds_free(a);
  /* DS_NOTFOUND: a value lost its postings since it was bound: no matches */
  return rc == DS_DONE || rc == DS_NOTFOUND ? DS_OK : rc;
}

/* No required value with postings: every start of every document, window by window. */
static int run_scan(runner *r) {
  int rc = DS_OK;
  for (size_t k = 0; k < ds_corpus_ndocs(r->c) && rc == DS_OK; k++) {
    const ds_docinfo *d = ds_corpus_doc(r->c, k);
    for (int64_t t = 0; t + r->len <= d->nTok && rc == DS_OK;) {
      ds_window w;
      rc = ds_corpus_window(r->c, k, t, t + r->len, 0, &w, r->e);
      int64_t tEnd = rc ? t : w.first + (int64_t)w.n - r->len;     /* last start in it */
      for (; t <= tEnd && rc == DS_OK; t++)
        if (stream_ok(r, &w, t)) rc = add(r, d->cpos + t);
    }
  }
  return rc;
}

int ds_eval_run(ds_corpus *c, const ds_eval *p, ds_matchset *pOut, ds_error *e) {
  runner r = {c, p, pOut, e, (int64_t)p->n, -1, 0, 0};
  if (p->bEmpty) return DS_OK;                  /* a word the corpus does not have */
  return p->nCur ? run_cursors(&r) : run_scan(&r);
}
