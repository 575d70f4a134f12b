/*
** cql_run.c -- running a bound query (ds_eval_run, ds_eval.h): candidate starts from the
** driver's postings, the matcher (cql_vm.c) from each, CQP's strategies, then
** `containing`, MU and `expand`.
*/
#include "cql_plan.h"
#include "ds_doc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Spans of one kind in the current document, copied (the corpus reuses its buffer). */
typedef struct spanset {
  char zKind[16];
  int64_t k;            /* the document they are of (-1: none loaded) */
  ds_span *a;
  size_t n, nAlloc;
  ds_buf vals;          /* a recognizer's kind: the values, end to end */
  size_t *aVal;         /* value j of span i at vals.p + aVal[i * nAttr + j] */
  size_t nValAlloc;
  int nAttr;            /* 0: the kind has no values */
} spanset;

#define MAX_KINDS 8

typedef struct runner {
  ds_corpus *c;
  const ds_eval *p;
  ds_error *e;
  int64_t k;            /* the current document (-1: none) */
  int64_t lo, hi;       /* its positions [lo, hi) */
  ds_window w;          /* the window last read (w.n 0: none) */
  int64_t wDoc;
  spanset aSpan[MAX_KINDS];
  int nSpan;
  cql_run run;
  cql_reader rd;
  int bLeap;            /* the cursors of aLeap agree at the start being tried */
  int64_t nCut;         /* starts whose threads ran into the hard boundary */
  unsigned nTick;       /* starts and items done: an interrupt is looked for now and then */
  size_t k0, k1;        /* the documents searched: [k0, k1) */
  int64_t cLo, cHi;     /* their positions [cLo, cHi) (positions outside are never read) */
  int bAll;             /* every document */
} runner;

static int nomem(runner *r) { return ds_error_set(r->e, DS_NOMEM, -1, "out of memory"); }

/* Ctrl-C (ds_interrupt): DS_INTERRUPTED every 256th call once it came, else DS_OK. */
static int tick(runner *r) { return ds_interrupt_due(&r->nTick, 255) ? ds_interrupt_error(r->e) : DS_OK; }

/* Make document k (its index) current. */
static void enter_doc(runner *r, int64_t k) {
  r->k = k;
  if (k < 0) {
    r->lo = r->hi = 0;
    return;
  }
  const ds_docinfo *d = ds_corpus_doc(r->c, (size_t)k);
  r->lo = d->cpos;
  r->hi = d->cpos + d->nTok;
}

/* The values of the n spans of s->zKind just read, copied into s (a recognizer's kind). */
static int copy_values(runner *r, spanset *s, size_t n) {
  const char *const *az;
  int nAttr;
  s->nAttr = 0;
  int rc = ds_corpus_span_values(r->c, (size_t)r->k, s->zKind, &az, &nAttr, r->e);
  if (rc || nAttr == 0) return rc;
  size_t nVal = n * (size_t)nAttr;
  if (nVal > s->nValAlloc) {
    size_t *a = ds_realloc_n(s->aVal, nVal, sizeof *a);
    if (!a) return nomem(r);
    s->aVal = a;
    s->nValAlloc = nVal;
  }
  ds_buf_reset(&s->vals);
  for (size_t i = 0; i < nVal; i++) {
    s->aVal[i] = s->vals.n;
    ds_buf_append(&s->vals, az[i], strlen(az[i]) + 1);
  }
  if (s->vals.rc) return nomem(r);
  s->nAttr = nAttr;
  return DS_OK;
}

/* The spans of zKind in the current document (for `doc`: the document itself). */
static int spans_of(runner *r, const char *zKind, const ds_span **pa, size_t *pn) {
  spanset *s = NULL;
  for (int i = 0; i < r->nSpan && !s; i++)
    if (strcmp(r->aSpan[i].zKind, zKind) == 0) s = &r->aSpan[i];
  if (!s) {
    if (r->nSpan == MAX_KINDS) return ds_error_set(r->e, DS_QUERY, 0, "too many structures in one query");
    s = &r->aSpan[r->nSpan++];
    memset(s, 0, sizeof *s);
    snprintf(s->zKind, sizeof s->zKind, "%s", zKind);
    s->k = -1;
  }
  if (s->k != r->k) {
    const ds_span *a;
    size_t n;
    ds_span whole = {r->lo, r->hi - 1};
    if (strcmp(zKind, "doc") == 0) {
      a = &whole, n = 1;
    } else {
      int rc = ds_corpus_spans(r->c, (size_t)r->k, zKind, &a, &n, r->e);
      if (rc) return rc;
      r->w.n = 0;                          /* the corpus may have reused the window's memory */
    }
    if (n > s->nAlloc) {
      ds_span *b = ds_realloc_n(s->a, n, sizeof *b);
      if (!b) return nomem(r);
      s->a = b;
      s->nAlloc = n;
    }
    if (n) memcpy(s->a, a, n * sizeof *a);
    s->n = n;
    s->k = r->k;
    int rc = copy_values(r, s, n);
    if (rc) return rc;
  }
  *pa = s->a;
  *pn = s->n;
  return DS_OK;
}

/* Do span i of s pass the tests (a recognizer's values)? 1, 0, or < 0 (an error). */
static int span_passes(const spanset *s, size_t i, const cql_spantest *a, int n) {
  for (int t = 0; t < n; t++) {
    const char *z = a[t].iAttr < s->nAttr ? (const char *)s->vals.p + s->aVal[i * (size_t)s->nAttr + (size_t)a[t].iAttr] : "";
    int ok;
    if (a[t].eOp == DS_CQL_EQ || a[t].eOp == DS_CQL_NE) {
      int v = cql_regex_test(a[t].re, z, strlen(z));
      if (v < 0) return v;
      ok = v == (a[t].eOp == DS_CQL_EQ);
    } else if (!*z) {
      ok = 0;                               /* no date: no comparison holds */
    } else {
      int d = cql_date_cmp(z, a[t].zWant);
      ok = a[t].eOp == DS_CQL_LT ? d < 0 : a[t].eOp == DS_CQL_LE ? d <= 0 : a[t].eOp == DS_CQL_GT ? d > 0 : d >= 0;
    }
    if (!ok) return 0;
  }
  return 1;
}

/* The spanset of zKind (as spans_of loaded it for the current document). */
static const spanset *spanset_of(const runner *r, const char *zKind) {
  for (int i = 0; i < r->nSpan; i++)
    if (strcmp(r->aSpan[i].zKind, zKind) == 0) return &r->aSpan[i];
  return NULL;
}

/*
** The span of zKind holding pos in the current document: 1 (in *pSpan), 0, or < 0; with
** tests, a span that fails them counts as none.
*/
static int span_at_with(runner *r, const char *zKind, int64_t pos, ds_span *pSpan, const cql_spantest *aTest,
                        int nTest);

static int span_at(runner *r, const char *zKind, int64_t pos, ds_span *pSpan) {
  return span_at_with(r, zKind, pos, pSpan, NULL, 0);
}

static int span_at_with(runner *r, const char *zKind, int64_t pos, ds_span *pSpan, const cql_spantest *aTest,
                        int nTest) {
  const ds_span *a = NULL;
  size_t n = 0;
  int rc = spans_of(r, zKind, &a, &n);
  if (rc) return -rc;
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (a[mid].first <= pos) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0 || a[lo - 1].last < pos) return 0;
  if (nTest) {
    int v = span_passes(spanset_of(r, zKind), lo - 1, aTest, nTest);
    if (v <= 0) return v < 0 ? -DS_QUERY : 0;
  }
  *pSpan = a[lo - 1];
  return 1;
}

/* ====================== the reader the matcher uses ====================== */

static int rd_id(void *ctx, int64_t pos, int attr, uint32_t *pId) {
  runner *r = ctx;
  int64_t t = pos - r->lo;
  if (r->w.n == 0 || r->wDoc != r->k || t < r->w.first || t >= r->w.first + (int64_t)r->w.n) {
    int rc = ds_corpus_window_exact(r->c, (size_t)r->k, t, t + 16, 0, &r->w, r->e);
    if (rc) {
      r->w.n = 0;
      return rc;
    }
    r->wDoc = r->k;
  }
  *pId = ds_corpus_type_id(r->c, r->w.aType[t - r->w.first], attr);
  return DS_OK;
}

static int rd_struct(void *ctx, int iStruct, int64_t pos, int bOpen) {
  runner *r = ctx;
  const cql_struct *s = &r->p->vm.aStruct[iStruct];
  if (s->aDocOk && !s->aDocOk[r->k]) return 0;
  ds_span sp = {0, -1};
  int v = span_at_with(r, s->zKind, bOpen ? pos : pos - 1, &sp, s->aTest, s->nTest);
  if (v <= 0) return v;
  return bOpen ? sp.first == pos : sp.last == pos - 1;
}

/* Global constraint node j for a match with labels aSlot. */
static int global_match(runner *r, int j, const int64_t *aSlot) {
  const ds_eval *p = r->p;
  const cql_gnode *g = &p->aG[j];
  switch (g->eKind) {
  case DS_CQL_META: return r->k < 0 ? 0 : cql_meta_doc(p, r->c, j, (size_t)r->k, r->e);
  case DS_CQL_NOT: {
    int v = global_match(r, p->aGKid[g->iKid], aSlot);
    return v < 0 ? v : !v;
  }
  case DS_CQL_CMP: {
    if (aSlot[g->iSlot] < 0) return 0;     /* the label was not set: nothing holds */
    uint32_t id;
    int rc = rd_id(r, aSlot[g->iSlot], g->attr, &id);
    if (rc) return -rc;
    return cql_idset_has(&g->set, id) == (g->eOp == DS_CQL_EQ);
  }
  case DS_CQL_REFEQ: {
    if (aSlot[g->iSlot] < 0 || aSlot[g->iSlot2] < 0) return 0;
    uint32_t a, b;
    int rc = rd_id(r, aSlot[g->iSlot], g->attr, &a);
    if (rc == DS_OK) rc = rd_id(r, aSlot[g->iSlot2], g->attr2, &b);
    if (rc) return -rc;
    if (g->attr != g->attr2) return g->eOp == DS_CQL_NE;   /* different lexicons: different ids */
    return (a == b) == (g->eOp == DS_CQL_EQ);
  }
  default: {
    int bAnd = g->eKind == DS_CQL_AND;
    for (int i = 0; i < g->nKid; i++) {
      int v = global_match(r, p->aGKid[g->iKid + i], aSlot);
      if (v < 0) return v;
      if (v != bAnd) return v;
    }
    return bAnd;
  }
  }
}

static int rd_global(void *ctx, int64_t first, int64_t last, const int64_t *aSlot) {
  runner *r = ctx;
  (void)first, (void)last;
  return r->p->iG < 0 || !r->p->bGLabels ? 1 : global_match(r, r->p->iG, aSlot);
}

/* ====================== one start ====================== */

static int is_leap(const ds_eval *p, int k) {
  for (int i = 0; i < p->nLeap; i++)
    if (p->aLeap[i] == k) return 1;
  return 0;
}

/* A body of plain tokens from s (ending before lim): its match, or none (*pLast -1). */
static int try_fixed(runner *r, int64_t s, int64_t lim, int64_t *pLast, int64_t *aSlot) {
  const ds_eval *p = r->p;
  *pLast = -1;
  if (s + p->nFix > lim) return DS_OK;
  for (int j = 0; j < p->vm.nSlot; j++) aSlot[j] = -1;
  for (int k = 0; k < p->nFix; k++) {
    int j = p->aFixCons[k];
    if (p->aFixSlot[k] >= 0) aSlot[p->aFixSlot[k]] = s + k;
    if (j < 0 || (j == p->iDriver && k == p->offLo && p->offHi == p->offLo)) continue;   /* the postings said so */
    if (r->bLeap && p->vm.aCons[j].eKind == DS_CQL_CMP && is_leap(p, k)) continue;      /* so did a cursor */
    int v = cql_vm_test(&p->vm, j, &r->rd, s + k);
    if (v < 0) return -v;
    if (!v) return DS_OK;
  }
  int v = rd_global(r, s, s + p->nFix - 1, aSlot);
  if (v < 0) return -v;
  if (v) *pLast = s + p->nFix - 1;
  return DS_OK;
}

/* Run the matcher from s (in the current document); append what it finds. */
static int try_start(runner *r, int64_t s, ds_matchset *out) {
  const ds_eval *p = r->p;
  int64_t lim = r->hi;
  int bHard = 0;
  int rc = tick(r);
  if (rc) return rc;
  if (p->zWithin[0]) {
    ds_span sp = {0, -1};
    int v = span_at(r, p->zWithin, s, &sp);
    if (v < 0) return -v;
    if (v == 0) return DS_OK;              /* in no such structure */
    lim = sp.last + 1;
    if (lim - s > DS_EVAL_MAX_REGION) lim = s + DS_EVAL_MAX_REGION, bHard = 1;
  } else {
    int64_t n = p->nWithinTokens ? p->nWithinTokens : DS_EVAL_HARD_BOUNDARY;
    if (s + n < lim) lim = s + n, bHard = !p->nWithinTokens;
  }
  if (lim - s < p->minLen) return DS_OK;
  int64_t last, aSlot[DS_CQL_MAX_LABELS + 1];
  int bCut = 0;
  rc = p->nFix ? try_fixed(r, s, lim, &last, aSlot)
                   : cql_vm_run(&p->vm, &r->run, &r->rd, s, lim, p->eStrategy == DS_CQL_LONGEST, &last,
                                aSlot, &bCut, r->e);
  if (rc) return rc;
  if (bCut && bHard) r->nCut++;
  if (last < 0) return DS_OK;
  int64_t i = ds_matchset_add(out, s, last);
  if (i < 0) return nomem(r);
  if (p->nAnchor) {
    ds_matchset_set_anchor(out, (size_t)i, 0, aSlot[0]);
    for (size_t j = 2; j < p->nAnchor; j++) ds_matchset_set_anchor(out, (size_t)i, j, aSlot[j - 1]);
  }
  return DS_OK;
}

/* Can document k hold matches? 1 or 0, or -rc (the metadata filter: cql_doc_ok). */
static int doc_ok(runner *r, int64_t k) {
  if (k < 0) return 0;
  if (!r->p->aDocOk) return 1;
  if ((size_t)k < r->p->nDocs && r->p->aDocOk[k] != CQL_DOC_UNKNOWN) return r->p->aDocOk[k];
  return cql_doc_ok(r->p, r->c, (size_t)k, r->e);
}

/* ====================== candidates ====================== */

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/*
** Sort a[0..n), the positions of several values (each value's ascending, none twice):
** many of them through a bitmap over the positions (one pass to set, one to read back),
** a few with qsort.
*/
static int sort_positions(int64_t *a, size_t n) {
  int64_t max = 0;
  for (size_t i = 0; i < n; i++)
    if (a[i] > max) max = a[i];
  if ((uint64_t)n < (uint64_t)max / 1024 || max < 0) {
    qsort(a, n, sizeof *a, cmp_i64);
    return DS_OK;
  }
  size_t nWord = (size_t)(max / 64) + 1;
  uint64_t *aBit = ds_malloc_n(nWord, sizeof *aBit);
  if (!aBit) return DS_NOMEM;
  memset(aBit, 0, nWord * sizeof *aBit);
  for (size_t i = 0; i < n; i++) aBit[a[i] >> 6] |= (uint64_t)1 << (a[i] & 63);
  size_t j = 0;
  for (size_t w = 0; w < nWord; w++)
    for (uint64_t v = aBit[w]; v; v &= v - 1) a[j++] = (int64_t)(w * 64 + (size_t)__builtin_ctzll(v));
  ds_free(aBit);
  return j == n ? DS_OK : DS_CORRUPT;         /* a position twice: the lists overlap */
}

/*
** The positions of value id of attr in the documents searched, ascending, into *pb
** (ds_malloc'd): all of them, or for some documents through a cursor from the first.
*/
static int value_positions(runner *r, int attr, uint32_t id, int64_t **pb, size_t *pm) {
  if (r->bAll) return ds_corpus_postings(r->c, attr, id, pb, pm, r->e);
  *pb = NULL;
  *pm = 0;
  ds_cursor *k;
  int rc = ds_corpus_cursor(r->c, attr, id, &k, r->e);
  if (rc) return rc;
  int64_t *a = NULL, pos;
  size_t n = 0, nAlloc = 0;
  for (rc = ds_cursor_seek(k, r->cLo, &pos); rc == DS_OK && pos < r->cHi; rc = ds_cursor_next(k, &pos)) {
    if (n == nAlloc) {
      size_t nNew = nAlloc ? 2 * nAlloc : 64;
      int64_t *b = ds_realloc_n(a, nNew, sizeof *b);
      if (!b) {
        rc = DS_NOMEM;
        break;
      }
      a = b;
      nAlloc = nNew;
    }
    a[n++] = pos;
  }
  ds_cursor_free(k);
  if (rc == DS_DONE) rc = DS_OK;
  if (rc) {
    ds_free(a);
    return rc == DS_NOMEM ? nomem(r) : ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings");
  }
  *pb = a;
  *pm = n;
  return DS_OK;
}

/* The positions of the values of s, ascending, into *pa (ds_malloc'd). */
static int set_positions(runner *r, const cql_idset *s, int64_t **pa, size_t *pn) {
  int64_t *a = NULL;
  size_t n = 0, nAlloc = 0;
  for (size_t i = 0; i < s->nId; i++) {
    int64_t *b;
    size_t m;
    int rc = tick(r);
    if (rc == DS_OK) rc = value_positions(r, s->attr, s->aId[i], &b, &m);
    if (rc == DS_NOTFOUND) continue;
    if (rc) {
      ds_free(a);
      return rc;
    }
    if (n + m > nAlloc) {
      size_t nNew = (n + m) * 2;         /* positions in memory: the sum does not wrap, the bytes are checked */
      int64_t *c = ds_realloc_n(a, nNew, sizeof *c);
      if (!c) {
        ds_free(a);
        ds_free(b);
        return nomem(r);
      }
      a = c;
      nAlloc = nNew;
    }
    if (m) memcpy(a + n, b, m * sizeof *b);
    n += m;
    ds_free(b);
  }
  if (s->nId > 1 && n > 1) {
    int rc = sort_positions(a, n);
    if (rc) {
      ds_free(a);
      return rc == DS_NOMEM ? nomem(r) : ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings: a position twice");
    }
  }
  *pa = a;
  *pn = n;
  return DS_OK;
}

/* The driver's positions, ascending, into *pa (ds_malloc'd). */
static int driver_positions(runner *r, int64_t **pa, size_t *pn) {
  return set_positions(r, &r->p->vm.aCons[r->p->iDriver].set, pa, pn);
}

/* ====================== `A []{n,m} B` from postings ====================== */

/* The positions of one side read forward: a cursor (one value), or all of them in memory. */
typedef struct seeker {
  ds_cursor *k;
  int64_t *a;
  size_t n, i;
  int64_t pos;          /* the current position (INT64_MAX: past the end; -1: none yet) */
} seeker;

static int seeker_open(runner *r, const cql_idset *s, seeker *q) {
  memset(q, 0, sizeof *q);
  q->pos = -1;
  if (s->nId == 1) return ds_corpus_cursor(r->c, s->attr, s->aId[0], &q->k, r->e);
  return set_positions(r, s, &q->a, &q->n);
}

/* The first position >= target into q->pos (INT64_MAX: none). */
static int seeker_seek(seeker *q, int64_t target) {
  if (q->pos >= target) return DS_OK;
  if (q->k) {
    int rc = ds_cursor_seek(q->k, target, &q->pos);
    if (rc == DS_DONE) q->pos = INT64_MAX;
    return rc == DS_DONE ? DS_OK : rc;
  }
  size_t lo = q->i, hi = q->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (q->a[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  q->i = lo;
  q->pos = lo < q->n ? q->a[lo] : INT64_MAX;
  return DS_OK;
}

static void seeker_close(seeker *q) {
  ds_cursor_free(q->k);
  ds_free(q->a);
}

/*
** `A []{n,m} B` (cql_gap_plan): from each A the shortest match ends at the first B at
** n + 1 .. m + 1 tokens on, in the same document. Driven by the rarer side's positions,
** the other read with a seeking cursor: from A, the first B at or after A + n + 1; from B
** at q, the As at q - m - 1 .. q - n - 1 whose first B that far on is q, i.e. after the
** B before q less n (strategies then reduce the matches as the matcher's).
*/
static int run_gap(runner *r, ds_matchset *out) {
  const ds_eval *p = r->p;
  const cql_idset *sa = &p->vm.aCons[p->iGapA].set, *sb = &p->vm.aCons[p->iGapB].set;
  int bFromA = sa->freq <= sb->freq;
  int64_t *a = NULL;
  size_t n = 0;
  seeker q;
  int rc = set_positions(r, bFromA ? sa : sb, &a, &n);
  if (rc == DS_OK) rc = seeker_open(r, bFromA ? sb : sa, &q);
  else memset(&q, 0, sizeof q);
  int64_t prev = INT64_MIN / 2;              /* from B: the B before */
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    int64_t pos = a[i];
    if ((rc = tick(r)) != DS_OK) break;
    if (pos < r->lo || pos >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, pos));
    int ok = doc_ok(r, r->k);
    if (ok < 0) {
      rc = -ok;
      break;
    }
    if (!ok) {
      prev = pos;
      continue;
    }
    if (bFromA) {
      int64_t hi = pos + 1 + p->gapHi < r->hi ? pos + 1 + p->gapHi : r->hi - 1;
      rc = seeker_seek(&q, pos + 1 + p->gapLo);
      if (rc == DS_OK && q.pos <= hi && ds_matchset_add(out, pos, q.pos) < 0) rc = nomem(r);
    } else {
      int64_t lo = pos - 1 - p->gapHi, hi = pos - 1 - p->gapLo;
      if (lo < prev - p->gapLo) lo = prev - p->gapLo;
      if (lo < r->lo) lo = r->lo;
      for (rc = seeker_seek(&q, lo); rc == DS_OK && q.pos <= hi; rc = seeker_seek(&q, q.pos + 1))
        if (ds_matchset_add(out, q.pos, pos) < 0) rc = nomem(r);
      prev = pos;
    }
  }
  seeker_close(&q);
  ds_free(a);
  if (rc == DS_CORRUPT) rc = ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings");
  return rc == DS_NOTFOUND ? DS_OK : rc;
}

/*
** A plain body with cursors: the driver's positions and each cursor in step; a start is
** tried when every cursor stands on its token there, and a cursor past it moves the
** driver on (leapfrog).
*/
static int run_leapfrog(runner *r, const int64_t *a, size_t n, ds_matchset *out) {
  const ds_eval *p = r->p;
  ds_cursor *ak[8];
  int64_t aPos[8];
  int nOpen = 0, rc = DS_OK;
  for (; nOpen < p->nLeap && rc == DS_OK; nOpen++) {
    const cql_idset *s = &p->vm.aCons[p->aFixCons[p->aLeap[nOpen]]].set;
    aPos[nOpen] = -1;
    rc = ds_corpus_cursor(r->c, s->attr, s->aId[0], &ak[nOpen], r->e);
    if (rc) break;
  }
  for (size_t i = 0; i < n && rc == DS_OK;) {
    int64_t s = a[i] - p->offLo, next = -1;
    if ((rc = tick(r)) != DS_OK) break;
    for (int c = 0; c < nOpen && next < 0 && rc == DS_OK; c++) {
      int64_t want = s + p->aLeap[c];
      if (aPos[c] < want) rc = ds_cursor_seek(ak[c], want, &aPos[c]);
      if (rc == DS_OK && aPos[c] > want) next = aPos[c] - p->aLeap[c] + p->offLo;   /* the driver's next chance */
    }
    if (rc) break;
    if (next >= 0) {                         /* on to the first driver position >= next */
      size_t lo = i + 1, step = 1;           /* galloping: it is mostly near */
      while (lo + step < n && a[lo + step] < next) lo += step, step *= 2;
      size_t hi = lo + step < n ? lo + step : n;
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < next) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
      continue;
    }
    int64_t pos = a[i++];
    if (pos < r->lo || pos >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, pos));
    int ok = doc_ok(r, r->k);
    if (ok < 0) {
      rc = -ok;
      break;
    }
    if (!ok || s < r->lo) continue;
    r->bLeap = 1;
    rc = try_start(r, s, out);
    r->bLeap = 0;
  }
  for (int c = 0; c < nOpen; c++) ds_cursor_free(ak[c]);
  if (rc == DS_CORRUPT) rc = ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings");
  return rc == DS_DONE || rc == DS_NOTFOUND ? DS_OK : rc;
}

/* Prefilter cursors: can a match start at s? 1, 0, or < 0. */
typedef struct prefilter {
  ds_cursor *ak[8];
  int64_t aPos[8];
  int n;
} prefilter;

static int pre_ok(const ds_eval *p, prefilter *f, int64_t s, int64_t back) {
  for (int c = 0; c < f->n; c++) {
    int64_t lo = s + p->aPreLo[c], hi = p->aPreHi[c] >= 0 ? s + p->aPreHi[c] : s + back;
    if (f->aPos[c] < lo) {
      int rc = ds_cursor_seek(f->ak[c], lo, &f->aPos[c]);
      if (rc == DS_DONE) f->aPos[c] = INT64_MAX;
      else if (rc) return -rc;
    }
    if (f->aPos[c] > hi) return 0;
  }
  return 1;
}

/* Is span sp of kind zKind alone over its tokens (no other of its kind starts inside it)? */
static int span_alone(runner *r, const char *zKind, ds_span sp) {
  const ds_span *a = NULL;
  size_t n = 0;
  if (spans_of(r, zKind, &a, &n)) return 0;
  size_t lo = 0, hi = n;                     /* the first span starting after sp's start */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (a[mid].first <= sp.first) lo = mid + 1;
    else hi = mid;
  }
  return lo == n || a[lo].first > sp.last;
}

/*
** The matches of `[]{n,} X` (or `[]{n,} X []{m,}`: m >= 0) from starts S0 on in a
** structure ending at E and holding X at aX[0..nX), as the strategy's reduction leaves
** them: from start s the matcher ends at the first x >= s + n (+ m, if that is not past E;
** a later x ends later still), at the last such x (or at E, with m) when longest; standard
** keeps, of the starts ending alike, the first; shortest the last (x - n), which holds no
** other; longest the first start's match, which holds every other; traditional keeps all.
** In order of starts.
*/
static int open_matches(runner *r, int64_t S0, int64_t E, const int64_t *aX, size_t nX, ds_matchset *out) {
  int64_t n = r->p->openLead, m = r->p->openTrail;
  if (m >= 0)                                 /* only the Xs with room for m tokens after */
    while (nX > 0 && aX[nX - 1] + m > E) nX--;
  if (nX == 0) return DS_OK;
  int64_t xLast = aX[nX - 1], add = m > 0 ? m : 0, nAdd = 0;
  switch (r->p->eStrategy) {
  case DS_CQL_LONGEST:
    if (S0 + n <= xLast) nAdd = ds_matchset_add(out, S0, m >= 0 ? E : xLast);
    break;
  case DS_CQL_STANDARD:
  case DS_CQL_SHORTEST:
    for (size_t i = 0; i < nX && nAdd >= 0; i++) {
      int64_t lo = i > 0 && aX[i - 1] - n + 1 > S0 ? aX[i - 1] - n + 1 : S0, hi = aX[i] - n;
      if (lo <= hi) nAdd = ds_matchset_add(out, r->p->eStrategy == DS_CQL_STANDARD ? lo : hi, aX[i] + add);
    }
    break;
  default: {
    size_t ix = 0;
    for (int64_t s = S0; s + n <= xLast && nAdd >= 0; s++) {
      while (aX[ix] < s + n) ix++;
      nAdd = ds_matchset_add(out, s, aX[ix] + add);
    }
  }
  }
  return nAdd < 0 ? nomem(r) : DS_OK;
}

/*
** `[]{n,} X (...) within KIND` from X's positions a[0..nA) (run_driver's): in a structure
** [S, E] holding X at x1 < .. < xk, the matches the matcher would find from the starts S ..
** xk - n (the structure each start's limit) are made by open_matches without running it,
** and the strategy's reduction then takes them as the matcher's. A structure longer than the
** longest match, or with another of its kind inside, goes start by start as before.
*/
static int run_open(runner *r, const int64_t *a, size_t nA, ds_matchset *out) {
  const ds_eval *p = r->p;
  int64_t n = p->openLead, next = -1;         /* next: the first start not tried yet */
  int64_t *aX = NULL;                         /* X's positions in one structure */
  size_t nX = 0, nAlloc = 0;
  int rc = DS_OK;
  for (size_t i = 0; i < nA && rc == DS_OK;) {
    int64_t pos = a[i];
    if ((rc = tick(r)) != DS_OK) break;
    if (pos < r->lo || pos >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, pos));
    int v = doc_ok(r, r->k);
    ds_span sp = {0, -1};
    if (v > 0) v = span_at(r, p->zWithin, pos, &sp);
    if (v <= 0) {
      rc = -v;
      i++;
      continue;
    }
    if (sp.last + 1 - sp.first > DS_EVAL_MAX_REGION || !span_alone(r, p->zWithin, sp)) {
      int64_t s0 = pos - DS_EVAL_MAX_REGION, s1 = pos - n;   /* as run_driver: start by start */
      if (s0 < sp.first) s0 = sp.first;
      if (s0 < next) s0 = next;
      for (int64_t s = s0; s <= s1 && rc == DS_OK; s++) rc = try_start(r, s, out);
      if (s1 + 1 > next) next = s1 + 1;
      i++;
      continue;
    }
    size_t j = i;                             /* the driver's positions in [pos, E] */
    while (j < nA && a[j] <= sp.last) j++;
    nX = 0;                                   /* X whole where the driver (one of its values) is */
    for (; i < j; i++) {
      v = p->iOpenCons == p->iDriver ? 1 : cql_vm_test(&p->vm, p->iOpenCons, &r->rd, a[i]);  /* the postings said so */
      if (v < 0) {
        rc = -v;
        break;
      }
      if (!v) continue;
      if (nX == nAlloc) {
        size_t nNew = nAlloc ? 2 * nAlloc : 64;
        int64_t *aNew = ds_realloc_n(aX, nNew, sizeof *aNew);
        if (!aNew) {
          rc = nomem(r);
          break;
        }
        aX = aNew, nAlloc = nNew;
      }
      aX[nX++] = a[i];
    }
    if (rc || nX == 0) continue;
    rc = open_matches(r, sp.first > next ? sp.first : next, sp.last, aX, nX, out);
    if (a[j - 1] - n + 1 > next) next = a[j - 1] - n + 1;
  }
  ds_free(aX);
  return rc;
}

static int run_driver(runner *r, ds_matchset *out) {
  const ds_eval *p = r->p;
  int64_t *a = NULL;
  size_t n = 0;
  int rc = driver_positions(r, &a, &n);
  if (rc) return rc;
  if (p->bOpen && p->zWithin[0] && !p->nAnchor && (p->iG < 0 || !p->bGLabels)) {
    rc = run_open(r, a, n, out);
    ds_free(a);
    return rc == DS_NOTFOUND ? DS_OK : rc;
  }
  if (p->nFix && p->nLeap) {
    rc = run_leapfrog(r, a, n, out);
    ds_free(a);
    return rc;
  }
  prefilter f;
  f.n = 0;
  int64_t span = p->zWithin[0] ? DS_EVAL_MAX_REGION                 /* the longest match */
                 : p->nWithinTokens ? p->nWithinTokens : DS_EVAL_HARD_BOUNDARY;
  if (n >= DS_EVAL_MIN_LEAPFROG)
    for (; f.n < p->nPre && rc == DS_OK; f.n++) {
      const cql_idset *s = &p->vm.aCons[p->aPreCons[f.n]].set;
      f.aPos[f.n] = -1;
      rc = ds_corpus_cursor(r->c, s->attr, s->aId[0], &f.ak[f.n], r->e);
      if (rc) break;
    }
  int64_t next = -1;                         /* the first start not tried yet */
  int64_t back = p->offHi >= 0 ? p->offHi
                 : p->zWithin[0] ? DS_EVAL_MAX_REGION
                 : p->nWithinTokens ? p->nWithinTokens : DS_EVAL_HARD_BOUNDARY;
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    int64_t pos = a[i];
    if ((rc = tick(r)) != DS_OK) break;
    if (pos < r->lo || pos >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, pos));
    int ok = doc_ok(r, r->k);
    if (ok < 0) {
      rc = -ok;
      break;
    }
    if (!ok) continue;
    int64_t s0 = pos - back, s1 = pos - p->offLo;
    if (s0 < r->lo) s0 = r->lo;
    if (p->offHi < 0 && p->zWithin[0]) {     /* an open prefix: from its structure's start */
      ds_span sp = {0, -1};
      int v = span_at(r, p->zWithin, pos, &sp);
      if (v < 0) rc = -v;
      if (v <= 0) continue;
      if (sp.first > s0) s0 = sp.first;
    }
    if (s0 < next) s0 = next;
    for (int64_t s = s0; s <= s1 && rc == DS_OK; s++) {
      int v = f.n ? pre_ok(p, &f, s, span) : 1;
      if (v < 0) rc = ds_error_set(r->e, -v, -1, "corrupt postings");
      else if (v) rc = try_start(r, s, out);
    }
    if (s1 + 1 > next) next = s1 + 1;
  }
  for (int c = 0; c < f.n; c++) ds_cursor_free(f.ak[c]);
  ds_free(a);
  return rc == DS_NOTFOUND ? DS_OK : rc;
}

/* A range of starts to try, [s0, s1], in document k. */
typedef struct startrange {
  int64_t s0, s1, k;
} startrange;

static int cmp_range(const void *a, const void *b) {
  const startrange *x = a, *y = b;
  if (x->s0 != y->s0) return x->s0 < y->s0 ? -1 : 1;
  return x->s1 < y->s1 ? -1 : x->s1 > y->s1;
}

/*
** A union drives (ds_eval's aAlt*): each alternative's positions give ranges of starts;
** sorted by their first start, each start is tried once, in order.
*/
static int run_alt(runner *r, ds_matchset *out) {
  const ds_eval *p = r->p;
  startrange *a = NULL;
  size_t n = 0, nAlloc = 0;
  int rc = DS_OK;
  int64_t deflt = p->zWithin[0] ? DS_EVAL_MAX_REGION : p->nWithinTokens ? p->nWithinTokens : DS_EVAL_HARD_BOUNDARY;
  for (int j = 0; j < p->nAlt && rc == DS_OK; j++) {
    const cql_idset *s = &p->vm.aCons[p->aAltCons[j]].set;
    int64_t back = p->aAltHi[j] >= 0 ? p->aAltHi[j] : deflt;
    for (size_t i = 0; i < s->nId && rc == DS_OK; i++) {
      int64_t *b;
      size_t m;
      rc = value_positions(r, s->attr, s->aId[i], &b, &m);
      if (rc == DS_NOTFOUND) {
        rc = DS_OK;
        continue;
      }
      if (rc) break;
      if (n + m > nAlloc) {
        size_t nNew = (n + m) * 2;
        startrange *c = nNew <= SIZE_MAX / sizeof *c ? ds_realloc(a, nNew * sizeof *c) : NULL;
        if (!c) {
          ds_free(b);
          rc = nomem(r);
          break;
        }
        a = c;
        nAlloc = nNew;
      }
      for (size_t q = 0; q < m && rc == DS_OK; q++) {
        int64_t pos = b[q];
        if (pos < r->lo || pos >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, pos));
        int ok = doc_ok(r, r->k);
        if (ok < 0) {
          rc = -ok;
          break;
        }
        if (!ok) continue;
        int64_t s0 = pos - back, s1 = pos - p->aAltLo[j];
        if (s0 < r->lo) s0 = r->lo;
        if (p->aAltHi[j] < 0 && p->zWithin[0]) {     /* an open prefix: from its structure's start */
          ds_span sp = {0, -1};
          int v = span_at(r, p->zWithin, pos, &sp);
          if (v < 0) rc = -v;
          if (v <= 0) continue;
          if (sp.first > s0) s0 = sp.first;
        }
        if (s1 >= s0) a[n++] = (startrange){s0, s1, r->k};
      }
      ds_free(b);
    }
  }
  if (rc == DS_OK && n > 1) qsort(a, n, sizeof *a, cmp_range);
  int64_t next = -1;                         /* the first start not tried yet */
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    if (a[i].k != r->k) enter_doc(r, a[i].k);
    int64_t s0 = a[i].s0 < next ? next : a[i].s0;
    for (int64_t s = s0; s <= a[i].s1 && rc == DS_OK; s++) rc = try_start(r, s, out);
    if (a[i].s1 + 1 > next) next = a[i].s1 + 1;
  }
  ds_free(a);
  return rc;
}

static int run_scan(runner *r, ds_matchset *out) {
  int rc = DS_OK;
  for (size_t k = r->k0; k < r->k1 && rc == DS_OK; k++) {
    enter_doc(r, (int64_t)k);
    int ok = doc_ok(r, r->k);
    if (ok < 0) {
      rc = -ok;
      break;
    }
    if (!ok) {
      rc = tick(r);
      continue;
    }
    for (int64_t s = r->lo; s < r->hi && rc == DS_OK; s++) rc = try_start(r, s, out);
  }
  return rc;
}

/* ====================== after matching ====================== */

static int run_plan(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *out, int64_t *pnCut,
                    ds_error *e);

/* Keep the matches of out that hold (or, bNot, do not hold) a match of sub. */
static int filter_containing(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *out, int64_t *pnCut,
                             ds_error *e) {
  ds_matchset b = DS_MATCHSET_INIT;
  int rc = run_plan(c, p->pContaining, k0, k1, &b, pnCut, e);
  int64_t *aMin = NULL;
  if (rc == DS_OK && b.n) {
    aMin = ds_malloc_n(b.n, sizeof *aMin);     /* aMin[i]: the least last of b from i on */
    if (!aMin) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    for (size_t i = b.n; rc == DS_OK && i-- > 0;)
      aMin[i] = i + 1 < b.n && aMin[i + 1] < b.a[i].last ? aMin[i + 1] : b.a[i].last;
  }
  if (rc == DS_OK) {
    size_t nKeep = 0;
    for (size_t i = 0; i < out->n; i++) {
      size_t lo = 0, hi = b.n;               /* the first b starting at or after the match */
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b.a[mid].first < out->a[i].first) lo = mid + 1;
        else hi = mid;
      }
      int bHas = lo < b.n && aMin[lo] <= out->a[i].last;
      if (bHas != p->bNotContaining) ds_matchset_move(out, nKeep++, i);
    }
    out->n = nKeep;
  }
  ds_free(aMin);
  ds_matchset_free(&b);
  return rc;
}

/* E_SPANS: every span of the kind. */
static int run_spans(runner *r, ds_matchset *out) {
  int rc = DS_OK;
  for (size_t k = r->k0; k < r->k1 && rc == DS_OK; k++) {
    enter_doc(r, (int64_t)k);
    if (r->p->aSpanDocOk && !r->p->aSpanDocOk[k]) continue;
    const ds_span *a = NULL;
    size_t n = 0;
    rc = tick(r);
    if (rc == DS_OK) rc = spans_of(r, r->p->zSpan, &a, &n);
    for (size_t i = 0; i < n && rc == DS_OK; i++) {
      int v = r->p->nSpanTest ? span_passes(spanset_of(r, r->p->zSpan), i, r->p->aSpanTest, r->p->nSpanTest) : 1;
      if (v < 0) rc = ds_error_set(r->e, DS_QUERY, -1, "regular expression over its limits on <%s> values", r->p->zSpan);
      else if (v && ds_matchset_add(out, a[i].first, a[i].last) < 0) rc = nomem(r);
    }
  }
  return rc;
}

/*
** B of a meet is one value with postings and nothing else ([word="the"], "China"): its
** positions are its matches, read with seeking cursors instead of matched one by one.
*/
static const cql_idset *one_value_plan(const ds_eval *b) {
  if (b->eKind != E_BODY || b->nFix != 1 || b->aFixCons[0] < 0 || b->iG >= 0 || b->aDocOk || b->zWithin[0] ||
      b->nWithinTokens || b->pContaining || b->zExpand[0] || b->nExpandTokens || b->vm.bEmpty)
    return NULL;
  const cql_cons *k = &b->vm.aCons[b->aFixCons[0]];
  return k->eKind == DS_CQL_CMP && !k->bNe && k->set.bIndexed ? &k->set : NULL;
}

/* Is there a position of B in [lo, hi] besides x? B read by two forward cursors (q[1]
   past x), opened again should lo go back (nested structures). */
static int seek_meet(runner *r, const cql_idset *s, seeker q[2], int64_t *pLastLo, int64_t x, int64_t lo,
                     int64_t hi, int *pbHas) {
  int rc = DS_OK;
  if (lo < *pLastLo) {
    seeker_close(&q[0]);
    seeker_close(&q[1]);
    rc = seeker_open(r, s, &q[0]);
    if (rc == DS_OK) rc = seeker_open(r, s, &q[1]);
  }
  *pLastLo = lo;
  if (rc == DS_OK) rc = seeker_seek(&q[0], lo);
  int64_t pos = q[0].pos;
  if (rc == DS_OK && pos == x) {
    rc = seeker_seek(&q[1], x + 1);
    pos = q[1].pos;
  }
  *pbHas = rc == DS_OK && pos <= hi;
  return rc;
}

/* E_MEET: the positions of A with a position of B in the window or in the same structure. */
static int run_meet(runner *r, ds_matchset *out, int64_t *pnCut) {
  const ds_eval *p = r->p;
  ds_matchset a = DS_MATCHSET_INIT, b = DS_MATCHSET_INIT;
  const cql_idset *sB = p->eKind == E_MEET ? one_value_plan(p->pB) : NULL;
  seeker q[2];
  memset(q, 0, sizeof q);
  int64_t lastLo = INT64_MIN;
  int rc = run_plan(r->c, p->pA, r->k0, r->k1, &a, pnCut, r->e);
  if (rc == DS_OK && sB) {
    rc = seeker_open(r, sB, &q[0]);
    if (rc == DS_OK) rc = seeker_open(r, sB, &q[1]);
  } else if (rc == DS_OK) {
    rc = run_plan(r->c, p->pB, r->k0, r->k1, &b, pnCut, r->e);
  }
  for (size_t i = 0; i < a.n && rc == DS_OK; i++) {
    int64_t x = a.a[i].first, lo = x + p->meetLo, hi = x + p->meetHi;
    if (p->eKind == E_UNION) break;
    if ((rc = tick(r)) != DS_OK) break;
    if (x < r->lo || x >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, x));
    if (p->zMeet[0]) {
      ds_span sp = {0, -1};
      int v = span_at(r, p->zMeet, x, &sp);
      if (v < 0) rc = -v;
      if (v <= 0) continue;
      lo = sp.first, hi = sp.last;
    }
    if (lo < r->lo) lo = r->lo;
    if (hi >= r->hi) hi = r->hi - 1;
    int bHas = 0;
    if (sB) {
      rc = seek_meet(r, sB, q, &lastLo, x, lo, hi, &bHas);
    } else {
      size_t j0 = 0, j1 = b.n;                /* the first b at or after lo */
      while (j0 < j1) {
        size_t mid = j0 + (j1 - j0) / 2;
        if (b.a[mid].first < lo) j0 = mid + 1;
        else j1 = mid;
      }
      for (size_t j = j0; j < b.n && b.a[j].first <= hi && !bHas; j++) bHas = b.a[j].first != x;
    }
    if (rc == DS_OK && bHas && ds_matchset_add(out, x, a.a[i].last) < 0) rc = nomem(r);
  }
  if (rc == DS_OK && p->eKind == E_UNION) {
    for (size_t i = 0; i < a.n && rc == DS_OK; i++)
      if (ds_matchset_add(out, a.a[i].first, a.a[i].last) < 0) rc = nomem(r);
    for (size_t i = 0; i < b.n && rc == DS_OK; i++)
      if (ds_matchset_add(out, b.a[i].first, b.a[i].last) < 0) rc = nomem(r);
    if (rc == DS_OK && ds_matchset_sort(out)) rc = nomem(r);
  }
  seeker_close(&q[0]);
  seeker_close(&q[1]);
  ds_matchset_free(&a);
  ds_matchset_free(&b);
  return rc;
}

/* expand to KIND / N: each match grown to its structures (or by N tokens each side). */
static int expand(runner *r, ds_matchset *out) {
  const ds_eval *p = r->p;
  for (size_t i = 0; i < out->n; i++) {
    ds_match *m = &out->a[i];
    int rc = tick(r);
    if (rc) return rc;
    if (m->first < r->lo || m->first >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, m->first));
    if (r->k < 0) continue;
    if (p->nExpandTokens) {
      m->first = m->first - p->nExpandTokens < r->lo ? r->lo : m->first - p->nExpandTokens;
      m->last = m->last + p->nExpandTokens >= r->hi ? r->hi - 1 : m->last + p->nExpandTokens;
      continue;
    }
    ds_span sp = {0, -1};
    int v = span_at(r, p->zExpand, m->first, &sp);
    if (v < 0) return -v;
    if (v) m->first = sp.first;
    v = span_at(r, p->zExpand, m->last, &sp);
    if (v < 0) return -v;
    if (v) m->last = sp.last;
  }
  return ds_matchset_sort(out) ? nomem(r) : DS_OK;
}

static int run_plan(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *out, int64_t *pnCut,
                    ds_error *e) {
  runner r;
  memset(&r, 0, sizeof r);
  r.c = c, r.p = p, r.e = e, r.k = -1, r.wDoc = -1;
  size_t nDoc = ds_corpus_ndocs(c);
  r.k0 = k0 < nDoc ? k0 : nDoc;
  r.k1 = k1 < nDoc ? k1 : nDoc;
  if (r.k1 < r.k0) r.k1 = r.k0;
  r.bAll = r.k0 == 0 && r.k1 == nDoc;
  r.cLo = r.k0 < r.k1 ? ds_corpus_doc(c, r.k0)->cpos : 0;
  r.cHi = r.k0 < r.k1 ? ds_corpus_doc(c, r.k1 - 1)->cpos + ds_corpus_doc(c, r.k1 - 1)->nTok : 0;
  r.rd = (cql_reader){&r, rd_id, rd_struct, rd_global};
  int rc = DS_OK;
  if (ds_corpus_ndocs(c) != p->nDocs)
    rc = ds_error_set(e, DS_MISUSE, -1, "the corpus changed since the query was compiled: compile it again");
  if (rc == DS_OK && p->nAnchor && out->n == 0 && out->nAnchor != p->nAnchor) rc = ds_matchset_anchors(out, p->nAnchor);
  if (rc) return rc == DS_NOMEM ? nomem(&r) : rc;
  size_t n0 = out->n;
  if (p->eKind == E_SPANS) rc = run_spans(&r, out);
  else if (p->eKind == E_MEET || p->eKind == E_UNION) rc = run_meet(&r, out, pnCut);
  else if (!p->vm.bEmpty) {
    rc = cql_gap_plan(p) ? run_gap(&r, out)
         : p->iDriver >= 0 ? run_driver(&r, out) : p->nAlt ? run_alt(&r, out) : run_scan(&r, out);
    if (rc == DS_OK) {
      static const int aReduce[] = {DS_MATCHSET_LEFTMOST, DS_MATCHSET_MINIMAL, DS_MATCHSET_MAXIMAL, 0};
      /* plain tokens: one match per start, all as long: nothing to reduce */
      if (aReduce[p->eStrategy & 3] && !p->nFix && ds_matchset_reduce(out, n0, aReduce[p->eStrategy & 3]))
        rc = nomem(&r);
    }
  }
  if (rc == DS_OK && p->pContaining) rc = filter_containing(c, p, r.k0, r.k1, out, pnCut, e);
  if (rc == DS_OK && (p->zExpand[0] || p->nExpandTokens)) rc = expand(&r, out);
  *pnCut += r.nCut;
  for (int i = 0; i < r.nSpan; i++) {
    ds_free(r.aSpan[i].a);
    ds_free(r.aSpan[i].aVal);
    ds_buf_free(&r.aSpan[i].vals);
  }
  cql_run_free(&r.run);
  if (rc && !e->code) ds_error_set(e, rc, -1, "query failed");
  return rc;
}

int ds_eval_run(ds_corpus *c, const ds_eval *p, ds_matchset *pOut, ds_error *e) {
  return ds_eval_run_docs(c, p, 0, SIZE_MAX, pOut, e);
}

int ds_eval_run_docs(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *pOut, ds_error *e) {
  int64_t nCut = 0;
  memset(e, 0, sizeof *e);
  int rc = run_plan(c, p, k0, k1, pOut, &nCut, e);
  pOut->nCut += nCut;
  return rc;
}
