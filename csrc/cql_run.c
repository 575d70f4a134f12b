/*
** cql_run.c -- running a bound query (ds_eval_run, ds_eval.h): the runner's document and
** the spans of its structures, the reader the matcher (cql_vm.c) uses, the matcher from
** one start, and the plan's dispatch: candidate starts from postings (cql_run_drive.c),
** then `containing`, MU and `expand` (cql_run_meet.c).
*/
#include "cql_runInt.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
int cql_run_spans_of(runner *r, const char *zKind, const ds_span **pa, size_t *pn) {
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
int cql_run_span_passes(const spanset *s, size_t i, const cql_spantest *a, int n) {
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

/* The spanset of zKind (as cql_run_spans_of loaded it for the current document). */
const spanset *cql_run_spanset_of(const runner *r, const char *zKind) {
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

int cql_run_span_at(runner *r, const char *zKind, int64_t pos, ds_span *pSpan) {
  return span_at_with(r, zKind, pos, pSpan, NULL, 0);
}

static int span_at_with(runner *r, const char *zKind, int64_t pos, ds_span *pSpan, const cql_spantest *aTest,
                        int nTest) {
  const ds_span *a = NULL;
  size_t n = 0;
  int rc = cql_run_spans_of(r, zKind, &a, &n);
  if (rc) return -rc;
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (a[mid].first <= pos) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0 || a[lo - 1].last < pos) return 0;
  if (nTest) {
    int v = cql_run_span_passes(cql_run_spanset_of(r, zKind), lo - 1, aTest, nTest);
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

static int rd_struct(void *ctx, int iStruct, int64_t pos, int bOpen, int64_t *pLast) {
  runner *r = ctx;
  const cql_struct *s = &r->p->vm.aStruct[iStruct];
  if (s->aDocOk && !s->aDocOk[r->k]) return 0;
  ds_span sp = {0, -1};
  int v = span_at_with(r, s->zKind, bOpen ? pos : pos - 1, &sp, s->aTest, s->nTest);
  if (v <= 0) return v;
  *pLast = sp.last;
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

/* Append the match [s, last] with labels aSlot to out. */
static int add_match(runner *r, ds_matchset *out, int64_t s, int64_t last, const int64_t *aSlot) {
  int64_t i = ds_matchset_add(out, s, last);
  if (i < 0) return nomem(r);
  if (r->p->nAnchor) {
    ds_matchset_set_anchor(out, (size_t)i, 0, aSlot[0]);
    for (size_t j = 2; j < r->p->nAnchor; j++) ds_matchset_set_anchor(out, (size_t)i, j, aSlot[j - 1]);
  }
  return DS_OK;
}

/*
** (?traditional) when a match can begin in several ways: CQP runs its automaton once for
** each way (each initial pattern) and unites what they find, so a start has a match per
** way, the shortest beginning so, each end once: appended in order of ends.
*/
static int try_each_first(runner *r, int64_t s, int64_t lim, int *pbCut, ds_matchset *out) {
  const cql_vm *vm = &r->p->vm;
  size_t ns = (size_t)vm->nSlot;
  if (!r->aFirstEnd) {
    r->aFirstEnd = ds_malloc_n((size_t)vm->nFirst, sizeof(int64_t));
    r->aFirstSlot = ds_malloc_n((size_t)vm->nFirst * ns, sizeof(int64_t));
    if (!r->aFirstEnd || !r->aFirstSlot) return nomem(r);
  }
  int n = 0;                               /* the ways that matched: their ends and labels */
  for (int f = 0; f < vm->nFirst; f++) {
    int bCut = 0;
    int rc = cql_vm_run(vm, &r->run, &r->rd, s, lim, 0, vm->aFirst[f], &r->aFirstEnd[n],
                        r->aFirstSlot + (size_t)n * ns, &bCut, r->e);
    if (rc) return rc;
    *pbCut |= bCut;
    if (r->aFirstEnd[n] >= 0) n++;
  }
  for (int64_t prev = -1;;) {             /* in order of ends, each once (the first way's labels) */
    int k = -1;
    for (int j = 0; j < n; j++)
      if (r->aFirstEnd[j] > prev && (k < 0 || r->aFirstEnd[j] < r->aFirstEnd[k])) k = j;
    if (k < 0) break;
    int rc = add_match(r, out, s, r->aFirstEnd[k], r->aFirstSlot + (size_t)k * ns);
    if (rc) return rc;
    prev = r->aFirstEnd[k];
  }
  return DS_OK;
}

/* Run the matcher from s (in the current document); append what it finds. */
int cql_run_try_start(runner *r, int64_t s, ds_matchset *out) {
  const ds_eval *p = r->p;
  int64_t lim = r->hi;
  int bHard = 0;
  int rc = tick(r);
  if (rc) return rc;
  if (p->zWithin[0]) {
    ds_span sp = {0, -1};
    int v = cql_run_span_at(r, p->zWithin, s, &sp);
    if (v < 0) return -v;
    if (v == 0) return DS_OK;              /* in no such structure */
    lim = sp.last + 1;
    if (lim - s > DS_EVAL_MAX_REGION) lim = s + DS_EVAL_MAX_REGION, bHard = 1;
  } else {
    int64_t n = p->nWithinTokens ? p->nWithinTokens : DS_EVAL_HARD_BOUNDARY;
    if (s + n < lim) lim = s + n, bHard = !p->nWithinTokens;
  }
  if (lim - s < p->minLen) return DS_OK;
  int64_t last, aSlot[CQL_VM_MAX_SLOTS];
  int bCut = 0;
  if (p->eStrategy == DS_CQL_TRADITIONAL && p->vm.nFirst > 1) {
    rc = try_each_first(r, s, lim, &bCut, out);
    if (bCut && bHard) r->nCut++;
    return rc;
  }
  rc = p->nFix ? try_fixed(r, s, lim, &last, aSlot)
               : cql_vm_run(&p->vm, &r->run, &r->rd, s, lim, p->eStrategy == DS_CQL_LONGEST, -1, &last, aSlot,
                            &bCut, r->e);
  if (rc) return rc;
  if (bCut && bHard) r->nCut++;
  return last < 0 ? DS_OK : add_match(r, out, s, last, aSlot);
}

/* ====================== running a plan ====================== */

int cql_run_plan(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *out, int64_t *pnCut,
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
  if (p->eKind == E_SPANS) rc = cql_run_spans(&r, out);
  else if (p->eKind == E_MEET || p->eKind == E_UNION) rc = cql_run_meet(&r, out, pnCut);
  else if (!p->vm.bEmpty) {
    rc = cql_gap_plan(p) ? cql_run_gap(&r, out)
         : p->iDriver >= 0 ? cql_run_driver(&r, out) : p->nAlt ? cql_run_alt(&r, out) : cql_run_scan(&r, out);
    if (rc == DS_OK) {
      static const int aReduce[] = {DS_MATCHSET_LEFTMOST, DS_MATCHSET_MINIMAL, DS_MATCHSET_MAXIMAL, 0};
      /* plain tokens: one match per start, all as long: nothing to reduce */
      if (aReduce[p->eStrategy & 3] && !p->nFix && ds_matchset_reduce(out, n0, aReduce[p->eStrategy & 3]))
        rc = nomem(&r);
    }
  }
  if (rc == DS_OK && p->pContaining) rc = cql_run_filter_containing(c, p, r.k0, r.k1, out, pnCut, e);
  if (rc == DS_OK && (p->zExpand[0] || p->nExpandTokens)) rc = cql_run_expand(&r, out);
  *pnCut += r.nCut;
  for (int i = 0; i < r.nSpan; i++) {
    ds_free(r.aSpan[i].a);
    ds_free(r.aSpan[i].aVal);
    ds_buf_free(&r.aSpan[i].vals);
  }
  cql_run_free(&r.run);
  ds_free(r.aFirstEnd);
  ds_free(r.aFirstSlot);
  if (rc && !e->code) ds_error_set(e, rc, -1, "query failed");
  return rc;
}

int ds_eval_run(ds_corpus *c, const ds_eval *p, ds_matchset *pOut, ds_error *e) {
  return ds_eval_run_docs(c, p, 0, SIZE_MAX, pOut, e);
}

int ds_eval_run_docs(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *pOut, ds_error *e) {
  int64_t nCut = 0;
  memset(e, 0, sizeof *e);
  int rc = cql_run_plan(c, p, k0, k1, pOut, &nCut, e);
  pOut->nCut += nCut;
  return rc;
}
