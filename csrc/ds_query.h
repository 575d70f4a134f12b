/*
** ds_query.h -- queries over a corpus in one call: parse (ds_cql.h), bind and run
** (ds_eval.h), matches in a ds_matchset (ds_matchset.h).
**
** The language is CQP's CQL (ds_cql.h lists it; a bare word is an error).
**
**   ds_query *q; ds_matchset ms = DS_MATCHSET_INIT;
**   if (ds_query_compile(c, "\"digital\" \"silk\"", &q, &err) == DS_OK) {
**     if (ds_query_run(c, q, &ms, &err) == DS_OK) ... ms.a[i].first ...
**     ds_query_free(q); ds_matchset_free(&ms);
**   }
** To check or explain a query without a corpus, use ds_cql_parse and ds_cql_explain.
*/
#ifndef DS_QUERY_H
#define DS_QUERY_H

#include "ds_cql.h"
#include "ds_eval.h"
#include "ds_matchset.h"
#include "ds_store.h"

typedef struct ds_query ds_query;

/*
** Compile zQuery against corpus c (brought up to date first: ds_corpus_refresh). Errors
** (DS_QUERY) give the 1-based character position in the message ("... at position 7")
** and the byte offset in e->offset.
*/
int ds_query_compile(ds_corpus *c, const char *zQuery, ds_query **pq, ds_error *e);

void ds_query_free(ds_query *q);

/* Fewest tokens a match of q spans. */
size_t ds_query_length(const ds_query *q);

/* The plan (for ds_eval_anchor_name, ds_eval_explain ...). */
const ds_eval *ds_query_plan(const ds_query *q);

/* Append every match of q in c to *pOut, in corpus order. */
int ds_query_run(ds_corpus *c, const ds_query *q, ds_matchset *pOut, ds_error *e);

/* The same in documents [k0, k1) only (ds_eval_run_docs). */
int ds_query_run_docs(ds_corpus *c, const ds_query *q, size_t k0, size_t k1, ds_matchset *pOut, ds_error *e);

/*
** The number of matches of q in c into *pn: a query of one token constraint from the
** lexicon's frequencies (ds_eval_count_by_freq), any other by running it.
*/
int ds_query_count(ds_corpus *c, const ds_query *q, int64_t *pn, ds_error *e);

#endif
