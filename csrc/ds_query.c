/*
** ds_query.c -- a query in one call: ds_cql_parse, then ds_eval_bind (see ds_query.h).
*/
#include "ds_query.h"

struct ds_query {
  ds_eval *plan;        /* owned */
};

int ds_query_compile(ds_corpus *c, const char *zQuery, ds_query **pq, ds_error *e) {
  *pq = NULL;
  int rc = ds_corpus_refresh(c, e);          /* see what other writers committed */
  if (rc) return rc;
  ds_cql *t;
  rc = ds_cql_parse(zQuery, &t, e);
  if (rc) return rc;
  ds_query *q = ds_malloc(sizeof *q);
  if (!q) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  else rc = ds_eval_bind(c, t, &q->plan, e);
  ds_cql_free(t);
  if (rc) {
    ds_free(q);
    return rc;
  }
  *pq = q;
  return DS_OK;
}

void ds_query_free(ds_query *q) {
  if (!q) return;
  ds_eval_free(q->plan);
  ds_free(q);
}

size_t ds_query_length(const ds_query *q) { return ds_eval_length(q->plan); }

const ds_eval *ds_query_plan(const ds_query *q) { return q->plan; }

int ds_query_run(ds_corpus *c, const ds_query *q, ds_matchset *pOut, ds_error *e) {
  return ds_eval_run(c, q->plan, pOut, e);
}

int ds_query_run_docs(ds_corpus *c, const ds_query *q, size_t k0, size_t k1, ds_matchset *pOut, ds_error *e) {
  return ds_eval_run_docs(c, q->plan, k0, k1, pOut, e);
}

int ds_query_count(ds_corpus *c, const ds_query *q, int64_t *pn, ds_error *e) {
  int rc = ds_corpus_load_docs(c, e);
  if (rc) return rc;
  if (ds_eval_count_by_freq(c, q->plan, pn) > 0) return DS_OK;
  ds_matchset ms = DS_MATCHSET_INIT;
  rc = ds_eval_run(c, q->plan, &ms, e);
  *pn = (int64_t)ms.n;
  ds_matchset_free(&ms);
  return rc;
}
