/*
** cql_runInt.h -- what the runner's files (cql_run*.c) share: the runner (a run's state:
** its current document, the spans of its structures, the matcher's reader), the seekers,
** and the helpers more than one file calls. Only cql_run*.c include it; the public API is
** ds_eval.h (ds_eval_run, ds_eval_run_docs).
**
**   cql_run.c        the runner: documents, structures and their spans, the matcher's
**                    reader and the global constraints, one start, the plan's dispatch
**                    and the entry points
**   cql_run_drive.c  candidate starts from postings: positions of values and sets, seekers,
**                    `A []{n,m} B`, leapfrog, open repeats, the driver, alternation, scan
**   cql_run_meet.c   what takes other plans' matches or spans: `containing`, E_SPANS, MU
**                    meet and union, `expand`
*/
#ifndef CQL_RUNINT_H
#define CQL_RUNINT_H

#include "cql_plan.h"
#include "ds_doc.h"

#include <stdint.h>

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
  int64_t *aFirstEnd;   /* (?traditional), several ways to begin: a start's ends, their labels */
  int64_t *aFirstSlot;
} runner;

/* Inline: the strategies call them at every candidate position. */
static inline int nomem(runner *r) { return ds_error_set(r->e, DS_NOMEM, -1, "out of memory"); }

/* Ctrl-C (ds_interrupt): DS_INTERRUPTED every 256th call once it came, else DS_OK. */
static inline int tick(runner *r) { return ds_interrupt_due(&r->nTick, 255) ? ds_interrupt_error(r->e) : DS_OK; }

/* Make document k (its index) current. */
static inline void enter_doc(runner *r, int64_t k) {
  r->k = k;
  if (k < 0) {
    r->lo = r->hi = 0;
    return;
  }
  const ds_docinfo *d = ds_corpus_doc(r->c, (size_t)k);
  r->lo = d->cpos;
  r->hi = d->cpos + d->nTok;
}

/* Can document k hold matches? 1 or 0, or -rc (the metadata filter: cql_doc_ok). */
static inline int doc_ok(runner *r, int64_t k) {
  if (k < 0) return 0;
  if (!r->p->aDocOk) return 1;
  if ((size_t)k < r->p->nDocs && r->p->aDocOk[k] != CQL_DOC_UNKNOWN) return r->p->aDocOk[k];
  return cql_doc_ok(r->p, r->c, (size_t)k, r->e);
}

/* Make the document holding corpus position pos current (if it is not); doc_ok of it. */
static inline int enter_pos(runner *r, int64_t pos) {
  if (pos < r->lo || pos >= r->hi) enter_doc(r, ds_corpus_doc_at(r->c, pos));
  return doc_ok(r, r->k);
}

/* {====== cql_run.c ====== */

/* (their contracts are at their definitions) */
int cql_run_spans_of(runner *r, const char *zKind, const ds_span **pa, size_t *pn);
int cql_run_span_passes(const spanset *s, size_t i, const cql_spantest *a, int n);
const spanset *cql_run_spanset_of(const runner *r, const char *zKind);
int cql_run_span_at(runner *r, const char *zKind, int64_t pos, ds_span *pSpan);
int cql_run_try_start(runner *r, int64_t s, ds_matchset *out);
int cql_run_plan(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *out, int64_t *pnCut,
                 ds_error *e);

/* }====== */

/* {====== cql_run_drive.c ====== */

/* The positions of one side read forward: a cursor (one value), or all of them in memory. */
typedef struct seeker {
  ds_cursor *k;
  int64_t *a;
  size_t n, i;
  int64_t pos;          /* the current position (INT64_MAX: past the end; -1: none yet) */
} seeker;

int cql_run_seeker_open(runner *r, const cql_idset *s, seeker *q);
int cql_run_seeker_seek(seeker *q, int64_t target);
void cql_run_seeker_close(seeker *q);

/* The strategies: candidate starts of a body, each tried by cql_run_try_start. */
int cql_run_gap(runner *r, ds_matchset *out);
int cql_run_driver(runner *r, ds_matchset *out);
int cql_run_alt(runner *r, ds_matchset *out);
int cql_run_scan(runner *r, ds_matchset *out);

/* }====== */

/* {====== cql_run_meet.c ====== */

int cql_run_filter_containing(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *out,
                              int64_t *pnCut, ds_error *e);
int cql_run_spans(runner *r, ds_matchset *out);
int cql_run_meet(runner *r, ds_matchset *out, int64_t *pnCut);
int cql_run_expand(runner *r, ds_matchset *out);

/* }====== */

#endif
