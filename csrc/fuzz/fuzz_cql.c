/*
** fuzz_cql.c -- the CQL parser alone (ds_cql_parse, ds_cql_explain) on arbitrary query
** strings, no corpus. A bad query must give DS_QUERY naming a position inside it (the
** byte offset, and the character position in the message agreeing with it); a good one,
** a tree whose nodes come from inside the query (children inside their parent, values
** in the pool, valid UTF-8), as many tokens as the limit allows, and an explanation.
** Queries grow deep (groups, brackets), long (repetitions) and regex-heavy here; the
** evaluator's side (regex limits on a lexicon) is fuzz_query's.
*/
#include "ds_cql.h"
#include "ds_utf8.h"
#include "fuzz.h"

/* Every node of t sound; returns the number of TOKEN nodes under node i. */
static size_t check_node(const ds_cql *t, int i, size_t nQuery, int depth) {
  FUZZ_CHECK(i >= 0 && (size_t)i < t->nNode && depth < 4 * DS_CQL_MAX_DEPTH + 16);
  const ds_cql_node *x = ds_cql_at(t, i);
  FUZZ_CHECK(x->iStart <= x->iEnd && x->iEnd <= nQuery);
  FUZZ_CHECK(x->eKind >= DS_CQL_SEQ && x->eKind <= DS_CQL_UNION);
  if (x->eKind == DS_CQL_CMP || x->eKind == DS_CQL_META) {
    FUZZ_CHECK(x->iValue + x->nValue < t->pool.n && ds_cql_str(t, x->iValue)[x->nValue] == 0);
    FUZZ_CHECK(ds_utf8_check(ds_cql_str(t, x->iValue), x->nValue) < 0);
    FUZZ_CHECK(x->eOp >= DS_CQL_EQ && x->eOp <= DS_CQL_GE && x->eOp != DS_CQL_OPEN &&
               x->eOp != DS_CQL_CLOSE && x->eOp != DS_CQL_SPAN);
    if (x->eKind == DS_CQL_CMP && !x->nName) FUZZ_CHECK(x->eOp == DS_CQL_EQ || x->eOp == DS_CQL_NE);
  }
  if (x->eKind == DS_CQL_REPEAT)
    FUZZ_CHECK(x->nMin >= 0 && x->nMin <= DS_CQL_MAX_REPEAT && x->nMax <= DS_CQL_MAX_REPEAT &&
               (x->nMax < 0 || x->nMax >= x->nMin));
  size_t nTok = x->eKind == DS_CQL_TOKEN, nChild = 0;
  for (int c = x->iChild; c >= 0; c = ds_cql_at(t, c)->iNext) {
    const ds_cql_node *y = ds_cql_at(t, c);
    FUZZ_CHECK(c != i && y->iStart >= x->iStart && y->iEnd <= x->iEnd);
    nTok += check_node(t, c, nQuery, depth + 1);
    nChild++;
  }
  FUZZ_CHECK(nChild == (size_t)x->nChild);
  if (x->eKind == DS_CQL_TOKEN) FUZZ_CHECK(nChild <= 1);
  return nTok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *zQuery = fuzz_cstr(data, size);
  size_t n = strlen(zQuery);
  ds_cql *t;
  ds_error e;
  int rc = ds_cql_parse(zQuery, &t, &e);
  if (rc) {
    FUZZ_CHECK(t == NULL && e.code == rc && (rc == DS_QUERY || rc == DS_NOMEM));
    if (rc == DS_QUERY) {
      FUZZ_CHECK(e.offset >= 0 && (size_t)e.offset <= n);
      char zWant[64];
      snprintf(zWant, sizeof zWant, " at position %zu", ds_cql_char_pos(zQuery, (size_t)e.offset));
      size_t nMsg = strlen(e.msg), nWant = strlen(zWant);
      FUZZ_CHECK(nMsg > nWant && strcmp(e.msg + nMsg - nWant, zWant) == 0);
    }
    free(zQuery);
    return 0;
  }
  FUZZ_CHECK(t->nQuery == n && t->nToken <= DS_QUERY_MAX_TOKENS);   /* `<s/>` alone has none */
  FUZZ_CHECK(ds_cql_at(t, t->iRoot)->eKind == DS_CQL_SEQ);
  FUZZ_CHECK(check_node(t, t->iRoot, n, 0) <= t->nToken);   /* the rest: `containing` */
  if (t->iGlobal >= 0) check_node(t, t->iGlobal, n, 0);
  if (t->iContaining >= 0) check_node(t, t->iContaining, n, 0);
  for (int flags = 0; flags <= DS_CQL_EXPLAIN_OFFSETS; flags++) {
    ds_buf out = DS_BUF_INIT;
    rc = ds_cql_explain(t, flags, &out);
    FUZZ_CHECK(rc == DS_OK || rc == DS_NOMEM);
    if (rc == DS_OK)
      FUZZ_CHECK(out.n > 2 && out.p[0] == '(' && out.p[out.n - 1] == ')' &&
                 ds_utf8_check((const char *)out.p, out.n) < 0);
    ds_buf_free(&out);
  }
  ds_cql_free(t);
  free(zQuery);
  return 0;
}
