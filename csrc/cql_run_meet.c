/*
** cql_run_meet.c -- what a plan does with other plans' matches or with spans (cql_run.c
** dispatches): `containing` filters, every span of a kind (E_SPANS), MU meet and union,
** and `expand` of each match to its structures.
*/
#include "cql_runInt.h"

#include <stdint.h>
#include <string.h>

/* ====================== after matching ====================== */

/* Keep the matches of out that hold (or, bNot, do not hold) a match of sub. */
int cql_run_filter_containing(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *out, int64_t *pnCut,
                              ds_error *e) {
  ds_matchset b = DS_MATCHSET_INIT;
  int rc = cql_run_plan(c, p->pContaining, k0, k1, &b, pnCut, e);
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
int cql_run_spans(runner *r, ds_matchset *out) {
  int rc = DS_OK;
  for (size_t k = r->k0; k < r->k1 && rc == DS_OK; k++) {
    enter_doc(r, (int64_t)k);
    if (r->p->aSpanDocOk && !r->p->aSpanDocOk[k]) continue;
    const ds_span *a = NULL;
    size_t n = 0;
    rc = tick(r);
    if (rc == DS_OK) rc = cql_run_spans_of(r, r->p->zSpan, &a, &n);
    for (size_t i = 0; i < n && rc == DS_OK; i++) {
      int v = r->p->nSpanTest ? cql_run_span_passes(cql_run_spanset_of(r, r->p->zSpan), i, r->p->aSpanTest, r->p->nSpanTest) : 1;
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

/* Is there a position of B in [lo, hi] (x's own included, as CQP's meet_mu)? B read by a
   forward cursor, opened again should lo go back (nested structures). */
static int seek_meet(runner *r, const cql_idset *s, seeker *q, int64_t *pLastLo, int64_t lo, int64_t hi,
                     int *pbHas) {
  int rc = DS_OK;
  if (lo < *pLastLo) {
    cql_run_seeker_close(q);
    rc = cql_run_seeker_open(r, s, q);
  }
  *pLastLo = lo;
  if (rc == DS_OK) rc = cql_run_seeker_seek(q, lo);
  *pbHas = rc == DS_OK && q->pos <= hi;
  return rc;
}

/* E_MEET: the positions of A with a position of B in the window or in the same structure. */
int cql_run_meet(runner *r, ds_matchset *out, int64_t *pnCut) {
  const ds_eval *p = r->p;
  ds_matchset a = DS_MATCHSET_INIT, b = DS_MATCHSET_INIT;
  const cql_idset *sB = p->eKind == E_MEET ? one_value_plan(p->pB) : NULL;
  seeker q;
  memset(&q, 0, sizeof q);
  int64_t lastLo = INT64_MIN;
  int rc = cql_run_plan(r->c, p->pA, r->k0, r->k1, &a, pnCut, r->e);
  if (rc == DS_OK && sB) {
    rc = cql_run_seeker_open(r, sB, &q);
  } else if (rc == DS_OK) {
    rc = cql_run_plan(r->c, p->pB, r->k0, r->k1, &b, pnCut, r->e);
  }
  for (size_t i = 0; i < a.n && rc == DS_OK; i++) {
    int64_t x = a.a[i].first, lo = x + p->meetLo, hi = x + p->meetHi;
    if (p->eKind == E_UNION) break;
    if ((rc = tick(r)) != DS_OK) break;
    if (x < r->lo || x >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, x));
    if (p->zMeet[0]) {
      ds_span sp = {0, -1};
      int v = cql_run_span_at(r, p->zMeet, x, &sp);
      if (v < 0) rc = -v;
      if (v <= 0) continue;
      lo = sp.first, hi = sp.last;
    }
    if (lo < r->lo) lo = r->lo;
    if (hi >= r->hi) hi = r->hi - 1;
    int bHas = 0;
    if (sB) {
      rc = seek_meet(r, sB, &q, &lastLo, lo, hi, &bHas);
    } else {
      size_t j0 = 0, j1 = b.n;                /* the first b at or after lo */
      while (j0 < j1) {
        size_t mid = j0 + (j1 - j0) / 2;
        if (b.a[mid].first < lo) j0 = mid + 1;
        else j1 = mid;
      }
      bHas = j0 < b.n && b.a[j0].first <= hi;
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
  cql_run_seeker_close(&q);
  ds_matchset_free(&a);
  ds_matchset_free(&b);
  return rc;
}

/* expand to KIND / N: each match grown to its structures (or by N tokens each side). */
int cql_run_expand(runner *r, ds_matchset *out) {
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
    int v = cql_run_span_at(r, p->zExpand, m->first, &sp);
    if (v < 0) return -v;
    if (v) m->first = sp.first;
    v = cql_run_span_at(r, p->zExpand, m->last, &sp);
    if (v < 0) return -v;
    if (v) m->last = sp.last;
  }
  return ds_matchset_sort(out) ? nomem(r) : DS_OK;
}
