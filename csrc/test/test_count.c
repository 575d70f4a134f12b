/*
** test_count.c -- the recipes' counting (ds_count.h) on two small documents counted by
** hand: frequencies and range, n-grams within sentences, values of matches, collocate
** windows clipped at documents and sentences, hits per part, lexicon strings, misuse;
** clusters around matches, subcorpora by metadata, KWIC in tokens, the order of n-grams.
*/
#include "ds_count.h"
#include "ds_ingest.h"
#include "ds_kwic.h"
#include "ds_query.h"
#include "tests.h"

#include <stdio.h>
#include <string.h>

static const char *zDb = "build/test_count.db";

/*
** Tokens (corpus positions):
**   a: one two three node four five . | six node seven .      (0..10, sentences 0-6, 7-10)
**   b: node eight nine .                                       (11..14)
*/
static ds_corpus *make_corpus(void) {
  remove(zDb);
  ds_corpus *c;
  ds_error e;
  int64_t id;
  static const char *const azKey[] = {"kind"};
  static const char *const azA[] = {"x"}, *const azB[] = {"y"};
  ds_meta ma = {1, azKey, azA}, mb = {1, azKey, azB};
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "open: %s", e.msg);
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  const char *a = "one two three node four five. six node seven.", *b = "node eight nine.";
  check(ds_corpus_add_text(c, a, strlen(a), "a", NULL, &ma, &id, &e) == DS_OK, "add a: %s", e.msg);
  check(ds_corpus_add_text(c, b, strlen(b), "b", NULL, &mb, &id, &e) == DS_OK, "add b: %s", e.msg);
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  return c;
}

/* The id of word z, or UINT32_MAX. */
static uint32_t word_id(ds_corpus *c, const char *z) {
  uint32_t id;
  int64_t f;
  ds_error e;
  return ds_corpus_lookup(c, DS_ATTR_WORD, z, strlen(z), &id, &f, &e) == DS_OK ? id : UINT32_MAX;
}

static void run(ds_corpus *c, const char *zQuery, ds_matchset *ms) {
  ds_query *q;
  ds_error e;
  check(ds_query_compile(c, zQuery, &q, &e) == DS_OK, "compile %s", zQuery);
  check(ds_query_run(c, q, ms, &e) == DS_OK, "run %s", zQuery);
  ds_query_free(q);
}

static void test_freq(ds_corpus *c) {
  ds_error e;
  ds_freq f = DS_FREQ_INIT;
  check(ds_count_freq(c, DS_ATTR_WORD, NULL, &f, &e) == DS_OK, "freq");
  uint32_t node = word_id(c, "node"), dot = word_id(c, ".");
  check(f.aFreq[node] == 3 && f.aRange[node] == 2, "node: 3 in 2 documents");
  check(f.aFreq[dot] == 3 && f.aRange[dot] == 2, ".: 3 in 2 documents");
  check(f.nTok == 15 && f.nDoc == 2, "15 tokens, 2 documents: %lld", (long long)f.nTok);
  ds_freq_free(&f);
  const unsigned char ab[2] = {0, 1};                 /* document b only */
  check(ds_count_freq(c, DS_ATTR_WORD, ab, &f, &e) == DS_OK, "freq of b");
  check(f.aFreq[node] == 1 && f.nTok == 4 && f.nDoc == 1, "node once in b");
  ds_freq_free(&f);
  check(ds_count_freq(c, 9, NULL, &f, &e) == DS_MISUSE, "no attribute 9");
  ds_freq_free(&f);
}

static void test_ngrams(ds_corpus *c) {
  ds_error e;
  ds_seqs *s;
  check(ds_count_ngrams(c, DS_ATTR_WORD, 2, NULL, &s, &e) == DS_OK, "bigrams");
  /* within sentences: 6 + 3 + 3 positions */
  check(ds_seqs_total(s) == 12, "12 bigram positions: %lld", (long long)ds_seqs_total(s));
  uint32_t dot = word_id(c, "."), six = word_id(c, "six"), node = word_id(c, "node");
  int sawCross = 0, sawNodeDot = 0;
  for (size_t i = 0; i < ds_seqs_count(s); i++) {
    const uint32_t *a;
    size_t n;
    int64_t f, r;
    ds_seqs_get(s, i, &a, &n, &f, &r);
    check(n == 2, "length 2");
    if (a[0] == dot && (a[1] == six || a[1] == node)) sawCross = 1;
    if (a[0] == node && a[1] == dot) sawNodeDot = 1;
  }
  check(!sawCross && !sawNodeDot, "no bigram across a sentence boundary");
  ds_seqs_free(s);
  check(ds_count_ngrams(c, DS_ATTR_WORD, 8, NULL, &s, &e) == DS_OK && ds_seqs_count(s) == 0, "no 8-gram");
  ds_seqs_free(s);
  check(ds_count_ngrams(c, DS_ATTR_WORD, 7, NULL, &s, &e) == DS_OK && ds_seqs_count(s) == 1, "one 7-gram");
  ds_seqs_free(s);
  check(ds_count_ngrams(c, DS_ATTR_WORD, 9, NULL, &s, &e) == DS_MISUSE && s == NULL, "n = 9 refused");
}

static void test_matches_and_windows(ds_corpus *c) {
  ds_error e;
  ds_matchset ms = DS_MATCHSET_INIT;
  run(c, "\"node\"", &ms);
  check(ms.n == 3, "3 nodes");
  ds_colloc co = DS_COLLOC_INIT;
  check(ds_count_collocates(c, DS_ATTR_WORD, &ms, NULL, 2, 2, NULL, &co, &e) == DS_OK, "windows");
  uint32_t dot = word_id(c, "."), one = word_id(c, "one"), node = word_id(c, "node");
  /* node@3: two three | four five; node@8: . six | seven .; node@11: | eight nine */
  check(co.nNode == 3 && co.nWindow == 10, "10 positions: %lld", (long long)co.nWindow);
  check(co.xy.aFreq[dot] == 2 && co.xy.aRange[dot] == 1, ". twice, in one match's window");
  check(one >= co.xy.nId || co.xy.aFreq[one] == 0, "one is three tokens away");
  check(node >= co.xy.nId || co.xy.aFreq[node] == 0, "a node is not in its window");
  ds_colloc_free(&co);
  check(ds_count_collocates(c, DS_ATTR_WORD, &ms, NULL, 2, 2, "s", &co, &e) == DS_OK, "within s");
  check(co.nWindow == 9 && co.xy.aFreq[dot] == 1, "node@8's left window stops at six: %lld",
        (long long)co.nWindow);
  ds_colloc_free(&co);
  /* 3,3: node@3 one two three | four five . and node@8 five . six | seven . overlap on
     "five ." (5, 6), counted once: 6 + 3 in a, 3 in b (eight nine .) */
  check(ds_count_collocates(c, DS_ATTR_WORD, &ms, NULL, 3, 3, NULL, &co, &e) == DS_OK, "windows 3,3");
  uint32_t five = word_id(c, "five");
  check(co.nWindow == 12, "12 positions in the union: %lld", (long long)co.nWindow);
  check(co.xy.aFreq[five] == 1, "five once, though in two windows: %lld", (long long)co.xy.aFreq[five]);
  check(co.xy.aFreq[dot] == 3 && co.xy.aRange[dot] == 2, ". at 6, 10 and in b: %lld", (long long)co.xy.aFreq[dot]);
  ds_colloc_free(&co);

  ds_seqs *s;
  ds_matchset ms2 = DS_MATCHSET_INIT;
  run(c, "\"node\" []", &ms2);
  check(ds_count_matches(c, DS_ATTR_WORD, &ms2, NULL, &s, &e) == DS_OK && ds_seqs_count(s) == 3 &&
        ds_seqs_total(s) == 3, "node four, node seven, node eight");
  ds_seqs_free(s);
  ds_matchset_free(&ms2);

  ds_parts_count p = DS_PARTS_COUNT_INIT;
  check(ds_count_dispersion(c, &ms, NULL, 0, &p, &e) == DS_OK && p.nPart == 2, "parts: documents");
  check(p.aSize[0] == 11 && p.aHit[0] == 2 && p.aSize[1] == 4 && p.aHit[1] == 1 && p.aDoc[1] == 1, "hits per document");
  ds_parts_count_free(&p);
  /* 15 tokens in 4 parts: 4 4 4 3, starting at 0 4 8 12; nodes at 3, 8, 11 */
  check(ds_count_dispersion(c, &ms, NULL, 4, &p, &e) == DS_OK && p.nPart == 4, "4 parts");
  check(p.aSize[0] == 4 && p.aSize[3] == 3 && p.aHit[0] == 1 && p.aHit[1] == 0 && p.aHit[2] == 2 && p.aHit[3] == 0,
        "hits per equal part: %lld %lld %lld %lld", (long long)p.aHit[0], (long long)p.aHit[1],
        (long long)p.aHit[2], (long long)p.aHit[3]);
  ds_parts_count_free(&p);
  ds_matchset_free(&ms);
}

static void test_lexicon(ds_corpus *c) {
  ds_error e;
  ds_lexstrs l = DS_LEXSTRS_INIT;
  check(ds_count_lexicon(c, DS_ATTR_WORD, &l, &e) == DS_OK, "lexicon");
  uint32_t id = word_id(c, "seven");
  check(id < l.nId && l.aOff[id + 1] - l.aOff[id] == 5 && memcmp(l.text.p + l.aOff[id], "seven", 5) == 0 &&
        l.aFreq[id] == 1, "seven by id");
  ds_lexstrs_free(&l);
}

/* The joined words of sequence i of s, into z. */
static void seq_words(ds_corpus *c, const ds_lexstrs *l, const ds_seqs *s, size_t i, char *z, size_t n) {
  const uint32_t *a;
  size_t len;
  int64_t f, r;
  (void)c;
  ds_seqs_get(s, i, &a, &len, &f, &r);
  z[0] = 0;
  for (size_t j = 0; j < len; j++) {
    size_t at = strlen(z);
    snprintf(z + at, n - at, "%s%.*s", j ? " " : "", (int)(l->aOff[a[j] + 1] - l->aOff[a[j]]),
             (const char *)l->text.p + l->aOff[a[j]]);
  }
}

/* nodes at 3, 8 (a) and 11 (b, first of its document) */
static void test_around(ds_corpus *c) {
  ds_error e;
  ds_matchset ms = DS_MATCHSET_INIT;
  run(c, "\"node\"", &ms);
  ds_lexstrs l = DS_LEXSTRS_INIT;
  check(ds_count_lexicon(c, DS_ATTR_WORD, &l, &e) == DS_OK, "lexicon");
  ds_seqs *s;
  /* slot 0: three node, node four | six node, node seven | node eight */
  check(ds_count_around(c, DS_ATTR_WORD, 2, 0, &ms, NULL, &s, &e) == DS_OK, "around");
  check(ds_seqs_count(s) == 5 && ds_seqs_total(s) == 5, "5 bigrams hold a node: %zu", ds_seqs_count(s));
  size_t *aIdx, n, nAll;
  check(ds_seqs_order(s, &l, 1, 1, SIZE_MAX, &aIdx, &n, &nAll) == DS_OK && n == 5 && nAll == 5, "order");
  char z[64];
  static const char *const azWant[] = {"node eight", "node four", "node seven", "six node", "three node"};
  for (size_t i = 0; i < n; i++) {
    seq_words(c, &l, s, aIdx[i], z, sizeof z);
    check(strcmp(z, azWant[i]) == 0, "row %zu: %s", i, z);
  }
  ds_free(aIdx);
  check(ds_seqs_order(s, &l, 1, 1, 2, &aIdx, &n, &nAll) == DS_OK && n == 2 && nAll == 5, "the top 2");
  seq_words(c, &l, s, aIdx[1], z, sizeof z);
  check(strcmp(z, "node four") == 0, "second: %s", z);
  ds_free(aIdx);
  ds_seqs_free(s);
  check(ds_count_around(c, DS_ATTR_WORD, 2, 1, &ms, NULL, &s, &e) == DS_OK && ds_seqs_count(s) == 3, "slot 1: 3");
  ds_seqs_free(s);
  check(ds_count_around(c, DS_ATTR_WORD, 2, -1, &ms, NULL, &s, &e) == DS_OK && ds_seqs_count(s) == 2,
        "slot -1: three node, six node (b's node starts its sentence)");
  ds_seqs_free(s);
  unsigned char ab[2] = {0, 1};
  check(ds_count_around(c, DS_ATTR_WORD, 3, 0, &ms, ab, &s, &e) == DS_OK && ds_seqs_count(s) == 1,
        "in b: node eight nine alone");
  ds_seqs_free(s);
  check(ds_count_around(c, DS_ATTR_WORD, 2, 3, &ms, NULL, &s, &e) == DS_MISUSE && s == NULL, "slot 3 of 2 refused");
  ds_lexstrs_free(&l);
  ds_matchset_free(&ms);
}

/*
** N-grams over many batches (make asan and tsan build with small batches): 400 documents
** of "alpha beta gamma alpha beta . dK beta ." (dK a word of document K's own), whose
** bigrams are known: alpha beta 800 in 400, beta . 800 in 400, beta gamma and gamma
** alpha 400 in 400, each dK beta once; 7 positions a document.
*/
static void test_ngrams_many(void) {
  static const char zMany[] = "build/test_count_many.db";
  remove(zMany);
  ds_corpus *c;
  ds_error e;
  int64_t id;
  int rc = ds_corpus_open(zMany, DS_OPEN_CREATE, &c, &e);
  check(rc == DS_OK, "open: %s", e.msg);
  if (rc) return;
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  for (int k = 0; k < 400; k++) {
    char zText[96], zName[16];
    snprintf(zText, sizeof zText, "alpha beta gamma alpha beta. d%d beta.", k);
    snprintf(zName, sizeof zName, "m%03d", k);
    if (ds_corpus_add_text(c, zText, strlen(zText), zName, NULL, NULL, &id, &e)) {
      check(0, "add %s: %s", zName, e.msg);
      break;
    }
  }
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  ds_seqs *s;
  rc = ds_count_ngrams(c, DS_ATTR_WORD, 2, NULL, &s, &e);
  check(rc == DS_OK, "bigrams of 400 documents: %s", e.msg);
  if (rc == DS_OK) {
    uint32_t alpha = word_id(c, "alpha"), beta = word_id(c, "beta"), gamma = word_id(c, "gamma"),
             dot = word_id(c, ".");
    int64_t sum = 0, nOnce = 0;
    int ok = 1;
    for (size_t i = 0; i < ds_seqs_count(s); i++) {
      const uint32_t *a;
      size_t n;
      int64_t f, r;
      ds_seqs_get(s, i, &a, &n, &f, &r);
      sum += f;
      if ((a[0] == alpha && a[1] == beta) || (a[0] == beta && a[1] == dot)) ok &= f == 800 && r == 400;
      else if ((a[0] == beta && a[1] == gamma) || (a[0] == gamma && a[1] == alpha)) ok &= f == 400 && r == 400;
      else if (a[1] == beta && f == 1 && r == 1) nOnce++;
      else ok = 0;
    }
    check(ok && nOnce == 400 && ds_seqs_count(s) == 404, "400 documents: %zu bigrams, %lld once",
          ds_seqs_count(s), (long long)nOnce);
    check(sum == 2800 && ds_seqs_total(s) == 2800, "2800 positions: %lld", (long long)sum);
    ds_seqs_free(s);
  }
  ds_corpus_close(c);
  remove(zMany);
}

/*
** N-grams packed into 64-bit keys and N-grams counted as id sequences give the same
** counts: 300 documents "alpha beta gamma delta alpha beta gamma delta dK." (dK a word of
** document K's own: more than 256 word types, 9 bits an id), so 7-grams (63 bits) are
** packed and 8-grams (72) are not. Each document's one sentence of 10 tokens holds four
** 7-grams and three 8-grams; read from the text: "alpha beta gamma delta alpha beta gamma"
** and "beta gamma delta alpha beta gamma delta" 300 times in 300 documents, the two
** 7-grams holding dK once each; "alpha beta gamma delta alpha beta gamma delta" 300
** times, the two 8-grams holding dK once each.
*/
static void test_ngrams_wide(void) {
  static const char zWide[] = "build/test_count_wide.db";
  remove(zWide);
  ds_corpus *c;
  ds_error e;
  int64_t id;
  int rc = ds_corpus_open(zWide, DS_OPEN_CREATE, &c, &e);
  check(rc == DS_OK, "open: %s", e.msg);
  if (rc) return;
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  for (int k = 0; k < 300; k++) {
    char zText[96], zName[16];
    snprintf(zText, sizeof zText, "alpha beta gamma delta alpha beta gamma delta d%d.", k);
    snprintf(zName, sizeof zName, "w%03d", k);
    if (ds_corpus_add_text(c, zText, strlen(zText), zName, NULL, NULL, &id, &e)) {
      check(0, "add %s: %s", zName, e.msg);
      break;
    }
  }
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  uint32_t alpha = word_id(c, "alpha");
  for (int n = 7; n <= 8; n++) {
    ds_seqs *s;
    rc = ds_count_ngrams(c, DS_ATTR_WORD, n, NULL, &s, &e);
    check(rc == DS_OK, "%d-grams: %s", n, e.msg);
    if (rc) continue;
    int64_t nMany = 0, nOnce = 0, sum = 0;
    for (size_t i = 0; i < ds_seqs_count(s); i++) {
      const uint32_t *a;
      size_t len;
      int64_t f, r;
      ds_seqs_get(s, i, &a, &len, &f, &r);
      sum += f;
      if (len == (size_t)n && f == 300 && r == 300) nMany++;
      else if (len == (size_t)n && f == 1 && r == 1) nOnce++;
      if (f == 300 && n == 8) check(a[0] == alpha && a[4] == alpha, "the 8-gram starts with alpha, twice");
    }
    int64_t wantMany = n == 7 ? 2 : 1;
    check(nMany == wantMany && nOnce == 600 && ds_seqs_count(s) == (size_t)(wantMany + 600),
          "%d-grams: %lld 300 times, %lld once", n, (long long)nMany, (long long)nOnce);
    check(sum == 300 * (11 - n) && ds_seqs_total(s) == 300 * (11 - n), "%d-gram positions: %lld", n, (long long)sum);
    ds_seqs_free(s);
  }
  ds_corpus_close(c);
  remove(zWide);
}

/* Counts of two files summed by value: "b" 2 + 3, range 1 + 1; "a" 5 alone; "ab" 5 (a
   tie with "a": byte order, the shorter first); a minimum range of 2 keeps "b" alone. */
static void test_merge(void) {
  ds_merge *m;
  check(ds_merge_new(2, &m) == DS_OK, "merge");
  if (!m) return;
  int64_t b1[2] = {2, 1}, a1[2] = {5, 1}, b2[2] = {3, 1}, ab[2] = {5, 2};
  check(ds_merge_add(m, "b", 1, b1) == DS_OK && ds_merge_add(m, "a", 1, a1) == DS_OK &&
        ds_merge_add(m, "b", 1, b2) == DS_OK && ds_merge_add(m, "ab", 2, ab) == DS_OK, "adds");
  for (int k = 0; k < 3000; k++) {        /* past the first table size: rows found after a grow */
    char z[16];
    int64_t one[2] = {1, 1};
    int n = snprintf(z, sizeof z, "x%d", k % 1500);
    ds_merge_add(m, z, (size_t)n, one);
  }
  check(ds_merge_count(m) == 1503, "1503 rows: %zu", ds_merge_count(m));
  size_t *a, n, nAll;
  const char *z;
  size_t nz;
  const int64_t *v;
  check(ds_merge_order(m, 0, NULL, 3, &a, &n, &nAll) == DS_OK && n == 3 && nAll == 1503, "order");
  ds_merge_get(m, a[0], &z, &nz, &v);
  check(nz == 1 && z[0] == 'a' && v[0] == 5, "a first (5, ties with ab)");
  ds_merge_get(m, a[1], &z, &nz, &v);
  check(nz == 2 && memcmp(z, "ab", 2) == 0 && v[1] == 2, "then ab");
  ds_merge_get(m, a[2], &z, &nz, &v);
  check(nz == 1 && z[0] == 'b' && v[0] == 5 && v[1] == 2, "b: 2 + 3 in 1 + 1");
  ds_free(a);
  int64_t aMin[2] = {3, 2};
  check(ds_merge_order(m, 0, aMin, SIZE_MAX, &a, &n, &nAll) == DS_OK && n == 2 && nAll == 2, "minimums");
  ds_free(a);
  ds_merge_free(m);
  check(ds_merge_new(5, &m) == DS_MISUSE && m == NULL, "5 columns refused");
}

static void test_where(ds_corpus *c) {
  ds_error e;
  unsigned char *a;
  size_t n;
  check(ds_count_where(c, "doc.kind = \"x|y\"", &a, &n, &e) == DS_OK && n == 2 && a[0] && a[1], "x|y: both");
  ds_free(a);
  check(ds_count_where(c, "doc.kind = \"y\" | doc.name = \"q\"", &a, &n, &e) == DS_OK && n == 1 && !a[0] && a[1],
        "y: b");
  ds_free(a);
  check(ds_count_where(c, "doc.kind = y", &a, &n, &e) == DS_QUERY && a == NULL &&
        strcmp(e.msg, "expected a quoted string at position 12") == 0, "error at 12: %s", e.msg);
}

static void test_kwic_tokens(ds_corpus *c) {
  ds_error e;
  ds_buf l = DS_BUF_INIT, m = DS_BUF_INIT, r = DS_BUF_INIT;
  check(ds_corpus_kwic_tokens(c, 3, 3, 2, &l, &m, &r, &e) == DS_OK, "kwic");
  check(l.n == 10 && memcmp(l.p, "two three ", 10) == 0 && m.n == 4 && r.n == 10 && memcmp(r.p, " four five", 10) == 0,
        "two tokens each side: '%.*s'", (int)l.n, (const char *)l.p);
  ds_buf_reset(&l), ds_buf_reset(&m), ds_buf_reset(&r);
  check(ds_corpus_kwic_tokens(c, 11, 11, 5, &l, &m, &r, &e) == DS_OK && l.n == 0 && r.n == 12 &&
        memcmp(r.p, " eight nine.", 12) == 0, "cut at the document's edges");
  ds_buf_free(&l), ds_buf_free(&m), ds_buf_free(&r);
}

int main(int argc, char **argv) {
  (void)argc;
  ds_corpus *c = make_corpus();
  if (c) {
    test_freq(c);
    test_ngrams(c);
    test_matches_and_windows(c);
    test_lexicon(c);
    test_around(c);
    test_where(c);
    test_kwic_tokens(c);
    ds_corpus_close(c);
  }
  test_ngrams_many();
  test_ngrams_wide();
  test_merge();
  remove(zDb);
  return tests_report(argv[0]);
}
