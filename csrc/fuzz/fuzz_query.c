/*
** fuzz_query.c -- ds_query_compile and ds_query_run on arbitrary query strings, over a
** small corpus built once (fuzz_build_corpus). A bad query must give DS_QUERY with an
** offset inside it (a regex over its limits included: never a hang); a good one, matches
** in corpus order, each inside one document, at least as long as the query's shortest
** match and no longer than the limit, anchors inside their match, whose concordance lines
** can be cut, and which sort, group and combine.
*/
#include "ds_ingest.h"
#include "ds_kwic.h"
#include "ds_matchsort.h"
#include "ds_query.h"
#include "ds_utf8.h"
#include "fuzz.h"

static ds_corpus *corpus;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *zPath = fuzz_tmp_path("query");
  ds_error e;
  fuzz_build_corpus(zPath);
  if (ds_corpus_open(zPath, 0, &corpus, &e)) {
    fprintf(stderr, "fuzz_query: %s\n", e.msg);
    abort();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *zQuery = fuzz_cstr(data, size);
  ds_query *q;
  ds_error e;
  int rc = ds_query_compile(corpus, zQuery, &q, &e);
  if (rc) {
    FUZZ_CHECK(q == NULL && e.code == rc && (rc == DS_QUERY || rc == DS_NOMEM));
    FUZZ_CHECK(e.offset >= -1 && e.offset <= (int64_t)strlen(zQuery));
    free(zQuery);
    return 0;
  }
  ds_matchset ms = DS_MATCHSET_INIT;
  int64_t len = (int64_t)ds_query_length(q);
  const ds_eval *p = ds_query_plan(q);
  int bExpand = strstr(zQuery, "expand") != NULL;
  FUZZ_CHECK(ds_query_run(corpus, q, &ms, &e) == DS_OK);
  FUZZ_CHECK(ms.nAnchor == ds_eval_anchors(p));
  for (size_t i = 0; i < ms.n; i++) {
    const ds_match *m = &ms.a[i];
    FUZZ_CHECK(i == 0 || m[-1].first < m->first || (m[-1].first == m->first && m[-1].last < m->last));
    FUZZ_CHECK(m->last >= m->first && (bExpand || m->last - m->first + 1 >= len));
    FUZZ_CHECK(bExpand || m->last - m->first + 1 <= ds_eval_cut_limit(p));
    int64_t k = ds_corpus_doc_at(corpus, m->first);
    FUZZ_CHECK(k >= 0 && ds_corpus_doc_at(corpus, m->last) == k);
    for (size_t j = 0; j < ms.nAnchor; j++) {
      int64_t a = ds_matchset_anchor(&ms, i, j);
      FUZZ_CHECK(a == -1 || bExpand || (a >= m->first && a <= m->last));
    }
  }
  /* sorted, grouped and combined with itself */
  if (ms.n) {
    ds_sortkey ak[2] = {{DS_ATTR_WORD, DS_ANCHOR_MATCHEND, (int)(size % 5) - 2, (int)(size % 8)},
                        {DS_ATTR_LEMMA, DS_ANCHOR_MATCH, 0, 0}};
    ds_matchset copy = DS_MATCHSET_INIT, both = DS_MATCHSET_INIT;
    for (size_t i = 0; i < ms.n; i++) ds_matchset_add(&copy, ms.a[i].first, ms.a[i].last);
    FUZZ_CHECK(ds_matchset_combine(&ms, &copy, DS_SET_INTERSECT, &both) == DS_OK && both.n == ms.n);
    FUZZ_CHECK(ds_matchset_combine(&ms, &copy, DS_SET_MINUS, &both) == DS_OK && both.n == 0);
    FUZZ_CHECK(ds_matchset_sort_by(corpus, &copy, ak, 2, &e) == DS_OK && copy.n == ms.n);
    ds_matchset_free(&copy);
    ds_matchset_free(&both);
  }
  /* concordance lines of the first matches, cut at code points */
  for (size_t i = 0; i < ms.n && i < 8; i++) {
    ds_buf l = DS_BUF_INIT, mid = DS_BUF_INIT, r = DS_BUF_INIT;
    int width = (int)(size % 50);
    FUZZ_CHECK(ds_corpus_kwic(corpus, ms.a[i].first, ms.a[i].last, width, &l, &mid, &r, &e) == DS_OK);
    FUZZ_CHECK(ds_utf8_check((const char *)l.p, l.n) < 0 && ds_utf8_check((const char *)mid.p, mid.n) < 0 &&
               ds_utf8_check((const char *)r.p, r.n) < 0);
    ds_buf_free(&l);
    ds_buf_free(&mid);
    ds_buf_free(&r);
  }
  ds_matchset_free(&ms);
  ds_query_free(q);
  free(zQuery);
  return 0;
}
