/*
** fuzz_query.c -- ds_query_compile and ds_query_run on arbitrary query strings, over a
** small corpus built once (fuzz_build_corpus). A bad query must give DS_QUERY with an
** offset inside it; a good one, matches in corpus order, each inside one document and
** as long as the query, whose concordance lines can be cut.
*/
#include "ds_ingest.h"
#include "ds_kwic.h"
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
  FUZZ_CHECK(len > 0);
  FUZZ_CHECK(ds_query_run(corpus, q, &ms, &e) == DS_OK);
  for (size_t i = 0; i < ms.n; i++) {
    const ds_match *m = &ms.a[i];
    FUZZ_CHECK(i == 0 || m[-1].first < m->first);
    FUZZ_CHECK(m->last - m->first + 1 == len);
    int64_t k = ds_corpus_doc_at(corpus, m->first);
    FUZZ_CHECK(k >= 0 && ds_corpus_doc_at(corpus, m->last) == k);
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
