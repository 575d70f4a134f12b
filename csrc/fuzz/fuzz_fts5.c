/*
** fuzz_fts5.c -- the search tokenizer (ds_fts5_terms) on arbitrary bytes, as FTS5 feeds
** it documents and queries: every term must be non-empty and lie inside the input.
** Input: byte 0 bit 0 chooses a query (normalized to NFC first) or a document. A query
** also goes through the user-query translation (ds_fts5_query): an FTS5 query, or a
** DS_QUERY error whose position lies inside the input.
*/
#include "fuzz.h"
#include "ds_fts5.h"

typedef struct seen { size_t n, nText; int bQuery; } seen;

static int on_term(void *ctx, const char *z, size_t n, size_t iStart, size_t iEnd) {
  seen *s = ctx;
  FUZZ_CHECK(z && n > 0);
  if (!s->bQuery) FUZZ_CHECK(iStart < iEnd && iEnd <= s->nText);
  s->n++;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  seen s = {0, size - 1, data[0] & 1};
  int rc = ds_fts5_terms((const char *)data + 1, size - 1, s.bQuery, on_term, &s);
  FUZZ_CHECK(rc == DS_OK || rc == DS_UTF8 || rc == DS_NOMEM);
  if (s.bQuery && rc == DS_OK) {
    ds_buf q = DS_BUF_INIT;
    ds_error e;
    rc = ds_fts5_query((const char *)data + 1, size - 1, &q, &e);
    FUZZ_CHECK(rc == DS_OK || rc == DS_NOMEM || (rc == DS_QUERY && e.offset >= 0 && (size_t)e.offset <= size - 1));
    FUZZ_CHECK(rc != DS_OK || q.n > 0);
    ds_buf_free(&q);
  }
  return 0;
}
