/*
** test_query.c -- the query engine: the CQL parser alone (tree shapes through explain,
** offsets, error messages and positions), match sets, and the evaluator against a
** brute-force scan of the token stream on the sample corpus (several segments, a removed
** document), for hand-made and random queries.
** Run from the repository root (it reads corpus/seeds).
*/
#include "ds_doc.h"
#include "ds_ingest.h"
#include "ds_network.h"
#include "ds_parse.h"
#include "ds_query.h"
#include "cql_idset.h"
#include "tests.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static const char *zDb = "build/test_query.db";
#include "test_corpus.h"

/* ====================== the parser ====================== */

/* The explanation of zQuery (flags: DS_CQL_EXPLAIN_*), or the error message. */
static const char *explain(const char *zQuery, int flags) {
  static char z[4096];
  ds_cql *t;
  ds_error e;
  if (ds_cql_parse(zQuery, &t, &e)) {
    snprintf(z, sizeof z, "error: %s (offset %lld)", e.msg, (long long)e.offset);
    return z;
  }
  ds_buf out = DS_BUF_INIT;
  if (ds_cql_explain(t, flags, &out)) snprintf(z, sizeof z, "explain failed");
  else snprintf(z, sizeof z, "%.*s", (int)out.n, (const char *)out.p);
  ds_buf_free(&out);
  ds_cql_free(t);
  return z;
}

static void test_parser(void) {
  static const char *const aShape[][2] = {
    {"\"sovereignty\"", "(seq (token (= word \"sovereignty\")))"},
    {"[word=\"surveil.*\"]", "(seq (token (= word /surveil.*/)))"},
    {"\"U\\.S\\.\"", "(seq (token (= word \"U.S.\")))"},        /* escaped: a literal */
    {"[lemma=\"be\" & !(pos=\"AUX\" | pos=\"VERB\")]",
     "(seq (token (and (= lemma \"be\") (not (or (= pos \"AUX\") (= pos \"VERB\"))))))"},
    {"[]{2,3} (\"a\" []?)+ \"b\"*",
     "(seq (repeat 2 3 (token)) (repeat 1 inf (seq (token (= word \"a\")) (repeat 0 1 (token)))) (repeat 0 inf (token (= word \"b\"))))"},
    {"\"a\" | \"b\" \"c\"", "(seq (alt (seq (token (= word \"a\"))) (seq (token (= word \"b\")) (token (= word \"c\")))))"},
    {"<s> a:[] @\"x\" </s> :: a.lemma = \"y\" & doc.date >= \"2019\" within p",
     "(seq (struct open s) (label a (token)) (label @ (token (= word \"x\"))) (struct close s)) "
     "(global (and (= a.lemma \"y\") (meta date >= \"2019\"))) (within p)"},
    {"(?longest) \"a\" []{,3} expand to s", "(seq (token (= word \"a\")) (repeat 0 3 (token))) (strategy longest) (expand s)"},
    {"<doc kind=\"news\"/> not containing \"x\"", "(seq (struct span doc (meta kind = \"news\"))) (not-containing (seq (token (= word \"x\"))))"},
    {"MU(meet \"a\" (meet [] \"b\" -2 2) s)", "(seq (meet s (token (= word \"a\")) (meet -2 2 (token) (token (= word \"b\")))))"},
    {"a:[] b:[] :: a.word != b.norm | match.text_kind = \"news\"",
     "(seq (label a (token)) (label b (token))) (global (or (refeq != a.word b.norm) (meta kind = \"news\")))"},
    {"\"digital\" \"silk\"", "(seq (token (= word \"digital\")) (token (= word \"silk\")))"},
    {"\"China\"%c", "(seq (token (= word \"China\" %c)))"},      /* %c is the resolver's */
    {"\"Sino-Russian\" []",
     "(seq (seq (token (= word \"Sino\")) (token (= word \"-\")) (token (= word \"Russian\"))) (token))"},
    {"\"Russia's\"%c", "(seq (seq (token (= word \"Russia\" %c)) (token (= word \"'s\" %c))))"},
    {"[word=\"Russia\"] [norm!=\"the\"] []",
     "(seq (token (= word \"Russia\")) (token (!= norm \"the\")) (token))"},
    {"[ lemma = 'be'%c ]", "(seq (token (= lemma \"be\" %c)))"},   /* flags follow the quote */
    {"[pos=\"a b\"]", "(seq (token (= pos \"a b\")))"},         /* a bracket's value is not tokenized */
    {"\"a\\\"b\"", "(seq (seq (token (= word \"a\")) (token (= word \"\\\"\")) (token (= word \"b\"))))"},
    {"'it\\'s'", "(seq (seq (token (= word \"it\")) (token (= word \"'s\"))))"},
    {"\"Cafe\xCC\x81\"", "(seq (token (= word \"Caf\xC3\xA9\")))"},       /* NFC */
    {"\"STRASSE\"%c", "(seq (token (= word \"STRASSE\" %c)))"},
  };
  for (size_t i = 0; i < sizeof aShape / sizeof aShape[0]; i++) {
    const char *z = explain(aShape[i][0], 0);
    check(strcmp(z, aShape[i][1]) == 0, "%s:\n  got  %s\n  want %s", aShape[i][0], z, aShape[i][1]);
  }
  /* offsets: where each node came from */
  const char *z = explain(" \"a-b\"%c [word!='x'] ", DS_CQL_EXPLAIN_OFFSETS);
  check(strcmp(z, "(seq 0:21 (seq 1:8 (token 1:8 (= 1:8 word \"a\" %c)) (token 1:8 (= 1:8 word \"-\" %c)) "
                  "(token 1:8 (= 1:8 word \"b\" %c))) (token 9:20 (!= 10:19 word \"x\")))") == 0,
        "offsets: %s", z);
  /* errors: today's messages, character positions and byte offsets */
  static const struct { const char *zQuery, *zMsg; int64_t off; } aErr[] = {
    {"", "empty query at position 1", 0},
    {"   ", "empty query at position 1", 0},
    {"\"a", "unterminated string at position 1", 0},
    {"\"a\\", "backslash at the end of the query at position 3", 2},
    {"\"a\"%x", "expected a flag (%c, %d, %l) after '%' at position 4", 3},
    {"[ ", "missing ']' to close this '[' at position 1", 0},
    {"sovereignty", "a bare word 'sovereignty' is not a query: quote it (\"sovereignty\") or write [word=\"sovereignty\"] at position 1", 0},
    {"\"China\" within", "expected a structure (s, p, doc, ...) or a number of tokens after 'within' at position 15", 14},
    {"[word=\"a\"] [] [word=\"b\"] within s x", "expected the end of the query at position 35", 34},
    {"\"a\" within s :: doc.kind=\"x\"", "clauses go in the order :: ... within ... containing ... expand to ... at position 14", 13},
    {"[]{3,2}", "repetition {n,m} with m < n at position 3", 2},
    {"[]{1001}", "repetition over the limit of 1000 at position 3", 2},
    {"(\"a\"", "expected ')' to close this group at position 5", 4},
    {"a:[] :: b.word = \"x\"", "unknown label 'b' at position 9", 8},
    {"\"a\" :: doc.date > 2019", "expected a quoted string at position 19", 18},
    {"(?quickest) \"a\"", "unknown strategy (standard, shortest, longest, traditional) at position 1", 0},
    {"[word", "expected '=' or '!=' at position 6", 5},
    {"[word=\"a\" \"b\"]", "expected ']' or an operator ('&', '|') at position 11", 10},
    {"[word=x]", "expected a quoted string at position 7", 6},
    {"[word=\"a\"", "missing ']' to close this '[' at position 1", 0},
    {"[word=\"a\" x", "expected ']' or an operator ('&', '|') at position 11", 10},
    {"[tag=\"x\"]", "unknown attribute 'tag' (known: word, norm, lemma, pos, xpos) at position 2", 1},
    {"\" \"", "empty string at position 1", 0},
    {"\"a\" ] b", "unexpected ']': expected a token ([...] or \"...\") at position 5", 4},
    {"\"x\" <s", "expected '>' (or an attribute) at position 7", 6},
    {"\"\xC3\xA9\" \"", "unterminated string at position 5", 5},         /* characters, not bytes */
    {"a\xFF", "invalid UTF-8 at position 2", 1},
  };
  for (size_t i = 0; i < sizeof aErr / sizeof aErr[0]; i++) {
    ds_cql *t;
    ds_error e;
    int rc = ds_cql_parse(aErr[i].zQuery, &t, &e);
    check(rc == DS_QUERY && t == NULL && strcmp(e.msg, aErr[i].zMsg) == 0 && e.offset == aErr[i].off,
          "%s: got %s (offset %lld), want %s (offset %lld)", aErr[i].zQuery, e.msg,
          (long long)e.offset, aErr[i].zMsg, (long long)aErr[i].off);
  }
  /* the token limit: counted in tokens, a string's tokens included */
  ds_buf q = DS_BUF_INIT;
  for (int i = 0; i < DS_QUERY_MAX_TOKENS - 1; i++) ds_buf_puts(&q, "[] ");
  ds_buf_puts(&q, "\"x\"");
  ds_buf_putc(&q, 0);
  ds_cql *t;
  ds_error e;
  check(ds_cql_parse((const char *)q.p, &t, &e) == DS_OK && t->nToken == DS_QUERY_MAX_TOKENS, "1000 tokens");
  ds_cql_free(t);
  q.n -= 2;
  ds_buf_puts(&q, "-y\"");
  ds_buf_putc(&q, 0);
  check(ds_cql_parse((const char *)q.p, &t, &e) == DS_QUERY && e.offset == (int64_t)q.n - 1 &&
        strstr(e.msg, "query too long"), "1002 tokens: %s", e.msg);
  ds_buf_free(&q);
}

/* ====================== match sets ====================== */

static void test_matchset(void) {
  ds_matchset m = DS_MATCHSET_INIT;
  check(ds_matchset_anchors(&m, 2) == DS_OK && m.nAnchor == 2, "two anchor columns");
  static const int64_t a[][2] = {{30, 31}, {10, 12}, {30, 31}, {10, 11}, {20, 20}};
  for (size_t i = 0; i < 5; i++) check(ds_matchset_add(&m, a[i][0], a[i][1]) == (int64_t)i, "add %zu", i);
  for (size_t i = 0; i < 5; i++) ds_matchset_set_anchor(&m, i, 1, a[i][0] + (int64_t)i);
  check(ds_matchset_anchor(&m, 0, 0) == -1, "unset anchors are -1");
  check(ds_matchset_anchors(&m, 3) == DS_MISUSE, "no new columns once there are matches");
  check(ds_matchset_sort(&m) == DS_OK && m.n == 4, "sorted, one repeat dropped: %zu", m.n);
  static const int64_t want[][3] = {{10, 11, 13}, {10, 12, 11}, {20, 20, 24}, {30, 31, 30}};
  int ok = m.n == 4;
  for (size_t i = 0; ok && i < 4; i++)
    ok = m.a[i].first == want[i][0] && m.a[i].last == want[i][1] &&
         ds_matchset_anchor(&m, i, 1) == want[i][2] && ds_matchset_anchor(&m, i, 0) == -1;
  check(ok, "order by first then last; anchors follow; the first of repeats kept");
  for (int i = 0; i < 1000; i++) ds_matchset_add(&m, 100 + i, 100 + i);
  check(m.n == 1004 && ds_matchset_anchor(&m, 1003, 1) == -1, "grows with its columns");
  ds_matchset_free(&m);
  check(m.a == NULL && m.n == 0 && m.nAnchor == 0, "freed: empty again");
  ds_matchset_free(&m);
}

/* ====================== the evaluator against brute force ====================== */

/* Strings of a lexicon by id. */
typedef struct lexicon {
  char **az;
  size_t n;
} lexicon;

static int lex_entry(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq) {
  lexicon *l = ctx;
  (void)freq;
  if (id >= l->n) {
    size_t nNew = (id + 1) * 2;
    l->az = realloc(l->az, nNew * sizeof *l->az);
    memset(l->az + l->n, 0, (nNew - l->n) * sizeof *l->az);
    l->n = nNew;
  }
  l->az[id] = strndup(z, n);
  return 0;
}

static lexicon aLex[DS_NATTR];

/* A token of the query, flattened: kind 0 any, 1 =, 2 !=; attribute compared; value (%c:
   PCRE2's caseless matching of the literal, as CQP's). */
typedef struct btok {
  int kind, attr;
  const char *z;
  cql_regex *re;
} btok;

static size_t flatten(const ds_cql *t, int i, btok *a, size_t n) {
  const ds_cql_node *x = ds_cql_at(t, i);
  if (x->eKind == DS_CQL_TOKEN) {
    a[n] = (btok){0, 0, NULL, NULL};
    if (x->iChild >= 0) {
      const ds_cql_node *y = ds_cql_at(t, x->iChild);
      a[n] = (btok){y->eOp == DS_CQL_EQ ? 1 : 2, y->iAttr, ds_cql_str(t, y->iValue), NULL};
      ds_error e;
      if ((y->flags & DS_CQL_FOLD) &&
          cql_regex_new(a[n].z, strlen(a[n].z), DS_CQL_FOLD | DS_CQL_LITERAL, &a[n].re, a[n].z, 0, &e))
        a[n].kind = -1;
    }
    return n + 1;
  }
  for (int c = x->iChild; c >= 0; c = ds_cql_at(t, c)->iNext) n = flatten(t, c, a, n);
  return n;
}

/* Every match of zQuery by looking at every position of every document. */
static int brute_force(ds_corpus *c, const char *zQuery, ds_matchset *m) {
  ds_cql *t;
  ds_error e;
  if (ds_cql_parse(zQuery, &t, &e)) return -1;
  btok a[64];
  if (t->nToken > 64) return -1;
  size_t n = flatten(t, t->iRoot, a, 0);
  for (size_t k = 0; k < ds_corpus_ndocs(c); k++) {
    const ds_docinfo *d = ds_corpus_doc(c, k);
    ds_window w;
    if (ds_corpus_window(c, k, 0, d->nTok, 0, &w, &e) || w.first != 0 || (int64_t)w.n != d->nTok) return -1;
    for (int64_t s = 0; s + (int64_t)n <= d->nTok; s++) {
      int ok = 1;
      for (size_t i = 0; i < n && ok; i++) {
        if (a[i].kind == 0) continue;
        uint32_t id = ds_corpus_type_id(c, w.aType[s + (int64_t)i], a[i].attr);
        const char *zHere = id < aLex[a[i].attr].n ? aLex[a[i].attr].az[id] : NULL;
        int same = zHere && (a[i].re ? cql_regex_test(a[i].re, zHere, strlen(zHere)) == 1 : strcmp(zHere, a[i].z) == 0);
        ok = same == (a[i].kind == 1);
      }
      if (ok) ds_matchset_add(m, d->cpos + s, d->cpos + s + (int64_t)n - 1);
    }
  }
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    bad |= a[i].kind < 0;
    cql_regex_free(a[i].re);
  }
  ds_cql_free(t);
  return bad ? -1 : 0;
}

/* Does the evaluator find what brute force finds? */
static int cmp_match(const void *pa, const void *pb) {
  const ds_match *a = pa, *b = pb;
  return a->first != b->first ? (a->first > b->first) - (a->first < b->first) : (a->last > b->last) - (a->last < b->last);
}

static int same_matches(ds_corpus *c, const char *zQuery, size_t *pn) {
  ds_matchset want = DS_MATCHSET_INIT, got = DS_MATCHSET_INIT;
  ds_query *q;
  ds_error e;
  int ok = brute_force(c, zQuery, &want) == 0;
  if (ok && ds_query_compile(c, zQuery, &q, &e) == DS_OK) {
    ok = ds_query_run(c, q, &got, &e) == DS_OK && got.n == want.n;
    for (size_t i = 0; ok && i < got.n; i++)
      ok = got.a[i].first == want.a[i].first && got.a[i].last == want.a[i].last;
    ds_query_free(q);
  } else {
    ok = 0;
  }
  if (pn) *pn = want.n;
  if (!ok) fprintf(stderr, "%s: %zu matches, brute force %zu\n", zQuery, got.n, want.n);
  ds_matchset_free(&want);
  ds_matchset_free(&got);
  return ok;
}

static uint64_t rng = 88172645463325252u;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Append z as a quoted literal string, escaping quotes, backslashes and regex characters. */
static void put_string(ds_buf *b, const char *z) {
  ds_buf_putc(b, '"');
  for (; *z; z++) {
    if (*z == '"' || *z == '\\' || strchr(".*+?[](){}|^$", *z)) ds_buf_putc(b, '\\');
    ds_buf_putc(b, *z);
  }
  ds_buf_putc(b, '"');
}

/* A random query of 1 to 4 tokens made from the words at a random place of the corpus. */
static void random_query(ds_corpus *c, ds_buf *b) {
  ds_error e;
  size_t k = (size_t)(next_rand() % ds_corpus_ndocs(c));
  const ds_docinfo *d = ds_corpus_doc(c, k);
  int64_t n = 1 + (int64_t)(next_rand() % 4), s = (int64_t)(next_rand() % (uint64_t)d->nTok);
  ds_window w;
  ds_buf_reset(b);
  if (s + n > d->nTok || ds_corpus_window(c, k, s, s + n, 0, &w, &e)) {
    ds_buf_puts(b, "[]");
    ds_buf_putc(b, 0);
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    uint32_t type = w.aType[s + i - w.first];
    const char *zWord = aLex[DS_ATTR_WORD].az[ds_corpus_type_id(c, type, DS_ATTR_WORD)];
    const char *zNorm = aLex[DS_ATTR_NORM].az[ds_corpus_type_id(c, type, DS_ATTR_NORM)];
    if (i) ds_buf_putc(b, ' ');
    switch (next_rand() % 8) {
    case 0: ds_buf_puts(b, "[]"); break;
    case 1: ds_buf_puts(b, "[word!="); put_string(b, zWord); ds_buf_puts(b, "]"); break;
    case 2: ds_buf_puts(b, "[norm!="); put_string(b, "the"); ds_buf_puts(b, "]"); break;
    case 3: put_string(b, zWord); ds_buf_puts(b, "%c"); break;
    case 4: ds_buf_puts(b, "[norm="); put_string(b, zNorm); ds_buf_puts(b, "]"); break;
    case 5: put_string(b, (next_rand() & 1) ? "the" : "of"); break;
    default: ds_buf_puts(b, "[word="); put_string(b, zWord); ds_buf_puts(b, "]"); break;
    }
  }
  ds_buf_putc(b, 0);
}

/* Hand-made queries, then random ones; nRandom of them. */
static void compare_queries(ds_corpus *c, int nRandom, const char *zWhat) {
  static const char *const azQuery[] = {
    "\"the\"", "\"of\" \"the\"", "\"the\" [] \"of\"", "[norm=\"a\"] \"Sino\"", "\"Sino-Russian\"",
    "\"digital\"%c \"silk\"%c \"road\"%c", "[word!=\"the\"] \"China\"", "\"China\" [word!=\"'s\"]",
    "[] []", "[norm!=\"the\"]", "[] \"the\" []", "\"nowhere\"", "[word!=\"nowhere\"] \"the\"",
    "\"of\" \"the\" \"Chinese\"", "\"the\" \"the\"", "[pos=\"NOUN\"] [pos=\"VERB\"]", "[lemma=\"be\"] \"the\"",
    "\"\\.\" []", "\"Russia\" [] [] [] [] \"China\"",
  };
  int bad = 0;
  size_t nTotal = 0, n;
  for (size_t i = 0; i < sizeof azQuery / sizeof azQuery[0]; i++) {
    if (!same_matches(c, azQuery[i], &n)) bad++;
    nTotal += n;
  }
  check(!bad && nTotal > 1000, "%s: %d hand-made queries differ from brute force (%zu matches)", zWhat, bad, nTotal);
  ds_buf b = DS_BUF_INIT;
  bad = 0;
  nTotal = 0;
  for (int i = 0; i < nRandom; i++) {
    random_query(c, &b);
    if (!same_matches(c, (const char *)b.p, &n)) bad++;
    nTotal += n;
  }
  ds_buf_free(&b);
  check(!bad && nTotal > (size_t)nRandom, "%s: %d of %d random queries differ from brute force (%zu matches)", zWhat, bad,
        nRandom, nTotal);
}

static void load_lexicons(ds_corpus *c) {
  ds_error e;
  for (int a = 0; a < DS_NATTR; a++) {
    for (size_t i = 0; i < aLex[a].n; i++) free(aLex[a].az[i]);
    free(aLex[a].az);
    memset(&aLex[a], 0, sizeof aLex[a]);
    check(ds_corpus_lexicon_scan(c, a, lex_entry, &aLex[a], &e) == DS_OK, "lexicon %d", a);
  }
}

/* The plan in words. */
static const char *plan_of(ds_corpus *c, const char *zQuery) {
  static char z[512];
  ds_cql *t;
  ds_eval *p;
  ds_error e;
  ds_buf out = DS_BUF_INIT;
  z[0] = 0;
  if (ds_cql_parse(zQuery, &t, &e) == DS_OK) {
    if (ds_eval_bind(c, t, &p, &e) == DS_OK) {
      ds_eval_explain(p, &out);
      snprintf(z, sizeof z, "%.*s", (int)out.n, (const char *)out.p);
      ds_eval_free(p);
    }
    ds_cql_free(t);
  }
  ds_buf_free(&out);
  return z;
}

/* Counts from the lexicon's frequencies (ds_query_count) equal the matches found. */
static void check_counts(ds_corpus *c, const char *zWhen) {
  static const char *const az[] = {
    "\"the\"", "[word!=\"the\"]", "[]", "[lemma=\"cooperat.*\"]", "\"china\"%c", "[pos=\"NOUN\"]",
    "[word=\"nowhere-at-all\"]", "[xpos!=\"NN.*\"]", "\"of\" \"the\"", "\"China\" within s", "[word=\"a\" | lemma=\"be\"]",
  };
  for (size_t i = 0; i < sizeof az / sizeof *az; i++) {
    ds_query *q;
    ds_error e;
    int64_t n = -1;
    if (ds_query_compile(c, az[i], &q, &e) == DS_OK) {
      check(ds_query_count(c, q, &n, &e) == DS_OK, "%s: count: %s", az[i], e.msg);
      ds_query_free(q);
    }
    check(n == count_matches(c, az[i]), "%s (%s): counted %lld, found %ld", az[i], zWhen, (long long)n,
          count_matches(c, az[i]));
  }
}

static void test_eval(void) {
  char azFile[16][256];
  size_t nFile = seed_files(azFile, 16);
  check(nFile == 5, "five seed files, found %zu", nFile);
  ds_corpus *c;
  ds_error e;
  int64_t id;
  remove_db();
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create: %s", e.msg);
  for (size_t i = 0; i < nFile; i++) {             /* a segment each */
    check(ds_corpus_begin(c, &e) == DS_OK, "begin");
    check(ds_corpus_add_file(c, azFile[i], NULL, NULL, &id, &e) == DS_OK, "add %s: %s", azFile[i], e.msg);
    check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  }
  load_lexicons(c);
  compare_queries(c, 300, "five segments");

  /* plans: leapfrog for a frequent driver, the stream for a rare one and for != */
  const char *z = plan_of(c, "\"of\" \"the\"");
  check(strstr(z, "; driver word ids 1 (") && strstr(z, ") at 0..0"), "of the: %s", z);   /* of is rarer */
  z = plan_of(c, "[norm=\"a\"] \"Sino\"");
  check(strstr(z, "driver word ids 1 (") && strstr(z, ") at 1..1"), "a Sino: %s", z);
  z = plan_of(c, "[word!=\"the\"] []");
  check(strstr(z, "; scan") && !strstr(z, "driver"), "scan: %s", z);
  z = plan_of(c, "[]* \"Sino\" within s");
  check(strstr(z, ") at 0..open"), "open prefix: %s", z);
  z = plan_of(c, "[word=\"Sin.*\"]");
  check(strstr(z, "driver word ids ") && !strstr(z, "ids 1 ("), "a regex drives with every id it matches: %s", z);
  z = plan_of(c, "\"China\" | \"Russia\" \"and\"");
  check(strstr(z, "; driver union of 2 alternatives") != NULL, "an alternation drives with its union: %s", z);
  z = plan_of(c, "(\"digital\" | \"cyber\") \"sovereignty\"");
  check(strstr(z, "; driver word ids 1") != NULL, "a rarer single token beats the union: %s", z);
  z = plan_of(c, "\"China\" | []");
  check(strstr(z, "; scan") != NULL, "an alternative nothing drives: scan: %s", z);
  z = plan_of(c, "\"the\" \"nowhere\"");
  check(strstr(z, "empty") != NULL, "a word the corpus lacks: %s", z);
  /* a `|` inside a token drives with its union too (it scanned every token before); the
     matches: brute force's of each branch, together */
  static const struct { const char *zQuery; const char *azBranch[3]; } aOr[] = {
    {"[word=\"China\" | word=\"Russia\"]", {"[word=\"China\"]", "[word=\"Russia\"]"}},
    {"[word=\"China\" | (lemma=\"sovereignty\" | norm=\"kremlin\")]",
     {"[word=\"China\"]", "[lemma=\"sovereignty\"]", "[norm=\"kremlin\"]"}},
    {"[word=\"China\" | norm=\"russia\"] \"and\"",
     {"[word=\"China\"] \"and\"", "[norm=\"russia\"] \"and\""}},
    {"[(word=\"China\" | word=\"Russia\") & word!=\"x\"]", {"[word=\"China\"]", "[word=\"Russia\"]"}},
  };
  for (size_t i = 0; i < sizeof aOr / sizeof *aOr; i++) {
    z = plan_of(c, aOr[i].zQuery);
    check(strstr(z, "; driver union of ") != NULL, "%s: a union drives: %s", aOr[i].zQuery, z);
    ds_matchset want = DS_MATCHSET_INIT, got = DS_MATCHSET_INIT;
    for (int k = 0; k < 3 && aOr[i].azBranch[k]; k++)
      check(brute_force(c, aOr[i].azBranch[k], &want) == 0, "brute force %s", aOr[i].azBranch[k]);
    qsort(want.a, want.n, sizeof *want.a, cmp_match);
    ds_query *q;
    check(ds_query_compile(c, aOr[i].zQuery, &q, &e) == DS_OK && ds_query_run(c, q, &got, &e) == DS_OK,
          "%s: %s", aOr[i].zQuery, e.msg);
    int same = got.n == want.n && want.n > 0;
    for (size_t m = 0; same && m < got.n; m++) same = got.a[m].first == want.a[m].first && got.a[m].last == want.a[m].last;
    check(same, "%s: %zu matches, its branches %zu", aOr[i].zQuery, got.n, want.n);
    ds_query_free(q);
    ds_matchset_free(&want);
    ds_matchset_free(&got);
  }
  z = plan_of(c, "[(word=\"China\" | word=\"Russia\") & word=\"China\"]");
  check(strstr(z, "; driver word ids 1") != NULL, "a rarer single value beats the union: %s", z);
  z = plan_of(c, "[word=\"China\" | !word=\"Russia\"]");
  check(strstr(z, "; scan") != NULL, "a branch nothing drives: scan: %s", z);

  check_counts(c, "five segments");
  /* a removed document: its positions stay in the postings, never in the matches */
  long nThe = count_matches(c, "\"the\"");
  check(ds_corpus_remove(c, ds_corpus_doc(c, 1)->id, &e) == DS_OK, "remove: %s", e.msg);
  check(count_matches(c, "\"the\"") < nThe, "fewer matches without the document");
  check_counts(c, "a document removed");
  compare_queries(c, 100, "a document removed");
  check(ds_corpus_optimize(c, &e) == DS_OK, "optimize: %s", e.msg);
  compare_queries(c, 50, "optimized");
  ds_corpus_close(c);
  remove_db();
  for (int a = 0; a < DS_NATTR; a++) {
    for (size_t i = 0; i < aLex[a].n; i++) free(aLex[a].az[i]);
    free(aLex[a].az);
  }
}

/* The error message of zQuery on c ("" when it runs). */
static const char *query_error(ds_corpus *c, const char *zQuery) {
  static ds_error e;
  ds_query *q;
  ds_matchset ms = DS_MATCHSET_INIT;
  e.msg[0] = 0;
  if (ds_query_compile(c, zQuery, &q, &e) == DS_OK) {
    if (ds_query_run(c, q, &ms, &e) == DS_OK) e.msg[0] = 0;
    ds_query_free(q);
  }
  ds_matchset_free(&ms);
  return e.msg;
}

/* The recognizers' spans, stored with their values and queried by kind and value. */
static void test_span_queries(void) {
  static const char zText[] =
    "Huawei and ZTE signed deals with MTS. Xi Jinping met Vladimir Putin in Moscow on 20 October 2020.";
  /* tokens: Huawei 0, and 1, ZTE 2, signed 3, deals 4, with 5, MTS 6, . 7, Xi 8, Jinping 9,
     met 10, Vladimir 11, Putin 12, in 13, Moscow 14, on 15, 20 16, October 17, 2020 18, . 19 */
  static const struct { int kind; uint32_t first, last; const char *az[5]; } aSpan[] = {
    {DS_SPAN_ENT, 11, 12, {"PERSON", "Vladimir", "Vladimir", "", "model"}},   /* inside the next: dropped */
    {DS_SPAN_ENT, 0, 1, {"ORG", "Q160120", "Huawei", "CN", "lexicon"}},
    {DS_SPAN_ENT, 2, 3, {"ORG", "ds:zte", "ZTE", "CN", "lexicon"}},
    {DS_SPAN_ENT, 6, 7, {"ORG", "ds:mts", "MTS", "RU", "lexicon"}},
    {DS_SPAN_ENT, 8, 10, {"PERSON", "Q15031", "Xi Jinping", "CN", "lexicon"}},
    {DS_SPAN_ENT, 11, 13, {"PERSON", "Q7747", "Vladimir Putin", "RU", "lexicon"}},
    {DS_SPAN_ENT, 14, 15, {"GPE", "Q649", "Moscow", "RU", "lexicon"}},
    {DS_SPAN_DATE, 16, 19, {"2020-10-20", "day"}},
  };
  ds_doc *d = NULL;
  ds_error e;
  ds_corpus *c;
  int64_t id;
  check(ds_parse_text(zText, strlen(zText), NULL, &d, &e) == DS_OK && d->nTok == 20, "parsed");
  if (!d || d->nTok != 20) return;
  for (size_t i = 0; i < sizeof aSpan / sizeof *aSpan; i++)
    check(ds_doc_add_span(d, aSpan[i].kind, aSpan[i].first, aSpan[i].last, aSpan[i].az) == DS_OK, "span %zu", i);
  remove_db();
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create: %s", e.msg);
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  check(ds_corpus_add_parsed(c, d, "0000000000000000000000000000000000000000000000000000000000000000", sizeof zText - 1,
                             "x", NULL, NULL, &id, &e) == DS_MISUSE, "unsorted spans refused");
  ds_doc_sort_spans(d);
  check(ds_corpus_add_parsed(c, d, "0000000000000000000000000000000000000000000000000000000000000000", sizeof zText - 1,
                             "x", NULL, NULL, &id, &e) == DS_OK, "add: %s", e.msg);
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  ds_doc_free(d);
  for (int round = 0; round < 2; round++) {       /* as written, then read back from the file */
    check(count_matches(c, "<ent/>") == 6, "six entities (Vladimir inside Vladimir Putin dropped): %ld",
          count_matches(c, "<ent/>"));
    check(count_matches(c, "<ent type=\"PERSON\"/>") == 2, "two people");
    check(count_matches(c, "<ent type=\"ORG\"> []+ </ent>") == 3, "three organizations");
    check(count_matches(c, "<ent country=\"CN\"> []") == 3, "three Chinese: Huawei, ZTE, Xi");
    check(count_matches(c, "<ent type=\"PERSON\" country!=\"CN\"> [] []") == 1, "Vladimir Putin");
    check(count_matches(c, "<ent id=\"Q.*\"/>") == 4, "four with a QID");
    check(count_matches(c, "[] within ent") == 8, "tokens in entities: %ld", count_matches(c, "[] within ent"));
    check(count_matches(c, "\"met\" within ent") == 0, "met is in none");
    check(count_matches(c, "[pos!=\"x\"] </ent> \"met\"") == 1, "an entity's end before met");
    check(count_matches(c, "<date value=\"2020-10.*\" precision=\"day\"/>") == 1, "the date");
    check(count_matches(c, "<date/> containing \"October\"") == 1, "the date contains October");
    check(count_matches(c, "<money/>") == 0, "no money");
    check(strstr(query_error(c, "<ent colour=\"red\"/>"), "<ent> has no attribute 'colour' (it has: type, id, name, country, source) at position 6") != NULL,
          "unknown value name: %s", query_error(c, "<ent colour=\"red\"/>"));
    check(strstr(query_error(c, "<s type=\"x\"/>"), "has no attributes") != NULL, "s has none: %s",
          query_error(c, "<s type=\"x\"/>"));
    check(strstr(query_error(c, "[] within entity"), "unknown structure 'entity'") != NULL, "unknown kind: %s",
          query_error(c, "[] within entity"));
    ds_network g;
    check(ds_count_network(c, "ent", 1, 2, 0, "s", 0, NULL, &g, &e) == DS_OK, "network: %s", e.msg);
    check(g.nNode == 6 && g.nEdge == 6 && g.n == 2, "by sentence: 6 nodes, 3 + 3 pairs, 2 units: %zu %zu %lld",
          g.nNode, g.nEdge, (long long)g.n);
    check(g.nNode == 6 && strcmp(ds_network_str(&g, g.aNode[3].iLabel), "Xi Jinping") == 0 &&
          strcmp(ds_network_str(&g, g.aNode[3].iKey), "Q15031") == 0 &&
          strcmp(ds_network_str(&g, g.aNode[3].iGroup), "PERSON") == 0 && g.aNode[3].nFreq == 1, "Xi's node");
    check(g.nEdge == 6 && g.aEdge[0].a == 0 && g.aEdge[0].b == 1 && g.aEdge[0].n == 1, "Huawei-ZTE first");
    ds_network_free(&g);
    /* mentions at tokens 0 2 6 8 11 14: within 3 tokens Huawei-ZTE, MTS-Xi, Xi-Putin, Putin-Moscow */
    check(ds_count_network(c, "ent", 1, 2, 0, NULL, 3, NULL, &g, &e) == DS_OK && g.nEdge == 4 && g.n == 20,
          "window 3: %zu edges", g.nEdge);
    ds_network_free(&g);
    check(ds_count_network(c, "s", 0, 0, 0, "s", 0, NULL, &g, &e) == DS_MISUSE, "a kind without values refused");
    ds_info info;
    check(ds_corpus_info(c, &info, &e) == DS_OK && info.anSpans[DS_SPAN_ENT] == 6 && info.anSpans[DS_SPAN_DATE] == 1 &&
          info.anSpans[DS_SPAN_QUOTE] == 0, "info counts the spans stored: %lld entities", (long long)info.anSpans[DS_SPAN_ENT]);
    ds_buf r = DS_BUF_INIT;
    int64_t nProblem = -1;
    check(ds_corpus_check(c, &r, &nProblem, &e) == DS_OK && nProblem == 0, "check: %.*s", (int)r.n, r.p ? (char *)r.p : "");
    ds_buf_free(&r);
    ds_corpus_close(c);
    check(ds_corpus_open(zDb, 0, &c, &e) == DS_OK, "reopen: %s", e.msg);
  }
  ds_corpus_close(c);
  remove_db();
}

/* ====================== regexes ====================== */

/* cql_regex_test of pattern z (flags DS_CQL_*) on subject zS: 1, 0, or < 0. */
static int rx(const char *z, int flags, const char *zS) {
  cql_regex *re;
  ds_error e;
  if (cql_regex_new(z, strlen(z), flags, &re, z, 0, &e)) return -100;
  int r = cql_regex_test(re, zS, strlen(zS));
  cql_regex_free(re);
  return r;
}

/*
** The literal-suffix test before PCRE2 (`.*ization`) answers as PCRE2 does: case-folded
** only for ASCII letters that have no other equivalent (k: U+212A, s: U+017F), never
** when the pattern has `|`, `\`, `(?` options or ends in a metacharacter.
*/
static void test_regex(void) {
  static const struct { const char *z; int flags; const char *zS; int want; } a[] = {
    {".*ization", 0, "organization", 1},
    {".*ization", 0, "organizatioN", 0},
    {".*ization", DS_CQL_FOLD, "ORGANIZATION", 1},
    {".*ization", DS_CQL_FOLD, "organizations", 0},
    {".*ization", 0, "ization", 1},
    {".*ization", 0, "zation", 0},
    {".*ks", DS_CQL_FOLD, "boo\xE2\x84\xAA\xC5\xBF", 1},      /* Kelvin sign, long s */
    {".*books", DS_CQL_FOLD, "BOO\xE2\x84\xAAS", 1},
    {".*tion", DS_CQL_FOLD, "NATION", 1},
    {"(?i).*TION", 0, "nation", 1},
    {".*(tion|sion)", 0, "mission", 1},
    {".*tion|x", 0, "x", 1},
    {".*\\.com", 0, "example.com", 1},
    {".*\\.com", 0, "example-com", 0},
    {"[a-z]+ing", 0, "singing", 1},
    {".*café", 0, "le café", 1},
    {".*café", DS_CQL_FOLD, "LE CAFÉ", 1},
    {".*cafe", DS_CQL_DIACR, "café", 1},
    {"ab*", 0, "a", 1},
    {"ab?", 0, "a", 1},
    {"a.c", DS_CQL_LITERAL, "a.c", 1},
    {"a.c", DS_CQL_LITERAL, "abc", 0},
    {".*ion", 0, "nation\n", 0},
  };
  for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
    int r = rx(a[i].z, a[i].flags, a[i].zS);
    check(r == a[i].want, "regex %s (flags %d) on '%s': %d, not %d", a[i].z, a[i].flags, a[i].zS, r, a[i].want);
  }
}

int main(int argc, char **argv) {
  (void)argc;
  test_regex();
  test_span_queries();
  test_parser();
  test_matchset();
  test_eval();
  return tests_report(argv[0]);
}
