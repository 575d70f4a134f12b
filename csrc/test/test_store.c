/*
** test_store.c -- the corpus file: posting lists with skip data, token streams and the
** text rebuilt from them, removing documents and merging segments, the memory budget,
** documents in parts.
** Run from the repository root (it reads corpus/seeds).
*/
#include "ds_doc.h"
#include "ds_ingest.h"
#include "ds_parse.h"
#include "ds_parts.h"
#include "ds_postings.h"
#include "ds_query.h"
#include "ds_kwic.h"
#include "ds_lexicon.h"
#include "ds_store.h"
#include "tests.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *zDb = "build/test_store.db";
#include "test_corpus.h"


/* A deterministic pseudo-random sequence (xorshift). */
static uint64_t rng = 88172645463325252u;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void test_postings(void) {
  static const size_t aN[] = {1, 2, 127, 128, 129, 256, 257, 1000, 100000};
  for (size_t k = 0; k < sizeof aN / sizeof *aN; k++) {
    size_t n = aN[k];
    int64_t *a = malloc(n * sizeof *a), *got = NULL;
    ds_buf deltas = DS_BUF_INIT, blob = DS_BUF_INIT;
    int64_t pos = -1;
    for (size_t i = 0; i < n; i++) {
      /* mostly small gaps, now and then a huge one */
      int64_t gap = 1 + (int64_t)(next_rand() % ((i % 50) ? 20 : 5000000));
      a[i] = pos + gap;
      ds_buf_put_varint(&deltas, (uint64_t)gap);
      pos = a[i];
    }
    check(ds_postings_encode(deltas.p, deltas.n, n, &blob) == DS_OK, "encode %zu", n);
    size_t nGot = 0, nAlloc = 0;
    check(ds_postings_decode(blob.p, blob.n, &got, &nGot, &nAlloc) == DS_OK && nGot == n &&
          memcmp(got, a, n * sizeof *a) == 0, "decode %zu", n);
    /* seeking finds the first position >= target, from any point on */
    int bad = 0;
    for (int round = 0; round < 200 && !bad; round++) {
      ds_postcur cur;
      int64_t target = (int64_t)(next_rand() % (uint64_t)(a[n - 1] + 2)) - 1, p;
      if (ds_postcur_init(&cur, blob.p, blob.n)) { bad = 1; break; }
      size_t i = 0;
      while (i < n && a[i] < target) i++;
      int rc = ds_postcur_seek(&cur, target, &p);
      if (i == n ? rc != DS_DONE : (rc != DS_OK || p != a[i])) bad = 1;
      /* and a second seek further on, then the next position */
      int64_t t2 = target + (int64_t)(next_rand() % 100000);
      size_t j = i;
      while (j < n && a[j] < t2) j++;
      if (!bad && i < n) {
        rc = ds_postcur_seek(&cur, t2, &p);
        if (j == n ? rc != DS_DONE : (rc != DS_OK || p != a[j])) bad = 1;
        if (!bad && j + 1 < n && (ds_postcur_next(&cur, &p) != DS_OK || p != a[j + 1])) bad = 1;
      }
    }
    check(!bad, "seek in a list of %zu", n);
    /* every truncation is an error, never a crash or a wrong list */
    int crashfree = 1;
    for (size_t cut = 0; cut < blob.n && cut < 600; cut++) {
      int64_t *b = NULL;
      size_t nb = 0, na = 0;
      if (ds_postings_decode(blob.p, cut, &b, &nb, &na) == DS_OK) crashfree = 0;
      free(b);
    }
    check(crashfree, "truncated blobs of %zu refused", n);
    /* a lexicon entry makes the skip entries as positions come: the joined blob is the
       encoded one, and so is a second segment's after the first is dropped */
    ds_lexmap m;
    ds_lexmap_init(&m);
    ds_lexent *ent = ds_lexmap_add(&m, "w", 1, 7, 1);
    for (int seg = 0; seg < 2 && ent; seg++) {
      int ok = 1;
      for (size_t i = 0; i < n && ok; i++) ok = ds_lexent_occur(ent, a[i]) == DS_OK;
      ds_buf joined = DS_BUF_INIT;
      const ds_skipacc *sk = ent->pSkip;
      ok = ok && ds_postings_join(ent->nPost, sk ? sk->b.p : NULL, sk ? sk->b.n : 0, ent->post.p,
                                  ent->post.n, &joined) == DS_OK;
      check(ok && ent->nPost == n && (sk != NULL) == (n > DS_POST_BLOCK) && joined.n == blob.n &&
            memcmp(joined.p, blob.p, blob.n) == 0, "joined blob of %zu = encoded (segment %d)", n, seg);
      ds_buf_free(&joined);
      ds_lexent_drop_postings(ent);
    }
    ds_lexmap_free(&m);
    free(a);
    free(got);
    ds_buf_free(&deltas);
    ds_buf_free(&blob);
  }
}


static int64_t problems(ds_corpus *c) {
  ds_buf r = DS_BUF_INIT;
  int64_t n = -1;
  ds_error e;
  if (ds_corpus_check(c, &r, &n, &e)) n = -1;
  if (n) fprintf(stderr, "%.*s", (int)r.n, r.p);
  ds_buf_free(&r);
  return n;
}

static const char *const azQuery[] = {"\"China\"", "\"Russia\"", "\"digital\"%c", "\"Sino-Russian\"",
                                      "[] \"cooperation\"", "\"the\"%c [norm!=\"digital\"]"};
#define NQUERY (sizeof azQuery / sizeof *azQuery)

/* lexicon scan: each entry once; counts the word ids and their total frequency */
typedef struct scan_acc { size_t n; int64_t nFreq; uint32_t nextId; int bOrdered; } scan_acc;
static int scan_entry(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq) {
  scan_acc *a = ctx;
  (void)z;
  (void)n;
  if (id < a->nextId) a->bOrdered = 0;
  a->nextId = id + 1;
  a->n++;
  a->nFreq += freq;
  return 0;
}

/*
** The read API on a corpus of several segments, against what the token stream says:
** cursors give exactly the positions the tokens hold (with seek), windows the text,
** spans the sentences the document counts.
*/
static void test_read_api(ds_corpus *c) {
  ds_error e;
  ds_info info;
  check(ds_corpus_info(c, &info, &e) == DS_OK && info.nSegments > 1, "several segments");
  /* the lexicon scan covers every word, and frequencies sum to the tokens */
  scan_acc acc = {0, 0, 0, 1};
  check(ds_corpus_lexicon_scan(c, DS_ATTR_WORD, scan_entry, &acc, &e) == DS_OK, "scan: %s", e.msg);
  check(acc.bOrdered && (int64_t)acc.n == info.anTypes[DS_ATTR_WORD] && acc.nFreq == info.nTokens,
        "scan: %zu words, %lld tokens (info: %lld, %lld)", acc.n, (long long)acc.nFreq,
        (long long)info.anTypes[DS_ATTR_WORD], (long long)info.nTokens);
  /* the positions of "the" and "China", read from the token stream */
  static const char *const azWord[] = {"the", "China", "Russia", "."};
  for (size_t w = 0; w < 4; w++) {
    uint32_t id;
    int64_t freq;
    check(ds_corpus_lookup(c, DS_ATTR_WORD, azWord[w], strlen(azWord[w]), &id, &freq, &e) == DS_OK, "lookup %s", azWord[w]);
    int64_t *aPos = ds_malloc((size_t)freq * sizeof *aPos), n = 0;
    int bad = 0;
    for (size_t k = 0; k < ds_corpus_ndocs(c) && aPos; k++) {
      const ds_docinfo *d = ds_corpus_doc(c, k);
      for (int64_t t = 0; t < d->nTok;) {
        ds_window win;
        if (ds_corpus_window(c, k, t, t + 1, 0, &win, &e)) { bad = 1; break; }
        for (size_t i = (size_t)(t - win.first); i < win.n; i++)
          if (ds_corpus_type_id(c, win.aType[i], DS_ATTR_WORD) == id && n < freq) aPos[n++] = d->cpos + win.first + (int64_t)i;
        t = win.first + (int64_t)win.n;
      }
    }
    check(!bad && n == freq, "%s: %lld in the token stream, lexicon says %lld", azWord[w], (long long)n, (long long)freq);
    ds_cursor *k;
    int64_t pos, i = 0;
    check(ds_corpus_cursor(c, DS_ATTR_WORD, id, &k, &e) == DS_OK && ds_cursor_count(k) == (uint64_t)freq,
          "%s: cursor of %lld", azWord[w], (long long)freq);
    int rc;
    while ((rc = ds_cursor_next(k, &pos)) == DS_OK && i < n && pos == aPos[i]) i++;
    check(rc == DS_DONE && i == n, "%s: cursor reads the %lld positions in order", azWord[w], (long long)n);
    ds_cursor_free(k);
    /* seeks to positions just before, at and after each tenth position, across segments */
    for (int64_t j = 0; j < n; j += 10) {
      for (int64_t delta = -1; delta <= 1; delta++) {
        int64_t target = aPos[j] + delta, want = 0;
        while (want < n && aPos[want] < target) want++;
        ds_corpus_cursor(c, DS_ATTR_WORD, id, &k, &e);
        if (j > 0) ds_cursor_seek(k, aPos[j / 2], &pos);      /* from some point on */
        rc = ds_cursor_seek(k, target, &pos);
        if (want == n ? rc != DS_DONE : (rc != DS_OK || pos != aPos[want])) bad = 1;
        ds_cursor_free(k);
      }
    }
    check(!bad, "%s: seek finds the first position at or after a target", azWord[w]);
    ds_free(aPos);
  }
  /* spans: the document's sentences, end to end over its tokens; span_at agrees */
  for (size_t k = 0; k < ds_corpus_ndocs(c); k++) {
    const ds_docinfo *d = ds_corpus_doc(c, k);
    const ds_span *a;
    size_t n;
    check(ds_corpus_spans(c, k, "s", &a, &n, &e) == DS_OK && (int64_t)n == d->nSent, "%s: %zu sentences", d->zName, n);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
      if (a[i].first > a[i].last || (i ? a[i].first != a[i - 1].last + 1 : a[i].first != d->cpos)) bad = 1;
    if (n && a[n - 1].last != d->cpos + d->nTok - 1) bad = 1;
    ds_span first = n ? a[0] : (ds_span){0, 0}, last = n ? a[n - 1] : (ds_span){0, 0}, sp;
    check(!bad, "%s: sentences cover the document end to end", d->zName);
    check(ds_corpus_span_at(c, "s", last.last, &sp, &e) == DS_OK && sp.first == last.first &&
          ds_corpus_span_at(c, "s", first.first, &sp, &e) == DS_OK && sp.last == first.last,
          "%s: span_at finds the first and last sentence", d->zName);
    check(ds_corpus_span_at(c, "nosuchkind", d->cpos, &sp, &e) == DS_NOTFOUND, "no span of an unknown kind");
  }
}

static void test_text_and_segments(void) {
  char azFile[16][256];
  size_t nFile = seed_files(azFile, 16);
  check(nFile == 5, "five seed files, found %zu", nFile);
  ds_corpus *c;
  ds_error e;
  int64_t id;
  remove_db();
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create: %s", e.msg);
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  for (size_t i = 0; i < nFile; i++)
    check(ds_corpus_add_file(c, azFile[i], NULL, NULL, &id, &e) == DS_OK && id > 0, "add %s: %s", azFile[i], e.msg);
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);

  /* the text comes back byte for byte, with every token where the parser put it */
  for (size_t i = 0; i < nFile; i++) {
    char *z;
    size_t n;
    ds_doc *d = NULL;
    check(ds_read_file(azFile[i], &z, &n, &e) == DS_OK, "read");
    check(ds_parse_text(z, n, azFile[i], &d, &e) == DS_OK, "parse");
    const char *zText;
    size_t nText;
    const uint32_t *aOff;
    check(ds_corpus_text(c, i, &zText, &nText, &aOff, &e) == DS_OK, "text: %s", e.msg);
    check(d && nText == d->nText && memcmp(zText, d->zText, nText) == 0, "%s: text rebuilt exactly", azFile[i]);
    int same = d && (size_t)ds_corpus_doc(c, i)->nTok == d->nTok;
    for (size_t t = 0; same && t < d->nTok; t++)
      same = aOff[2 * t] == d->aTok[t].start && aOff[2 * t + 1] == d->aTok[t].end;
    check(same, "%s: token offsets rebuilt exactly", azFile[i]);
    ds_doc_free(d);
    ds_free(z);
  }
  check(problems(c) == 0, "sound after one add");
  long aOne[NQUERY];
  for (size_t q = 0; q < NQUERY; q++) aOne[q] = count_matches(c, azQuery[q]);
  check(aOne[0] > 50 && aOne[3] > 5, "queries find things (%ld, %ld)", aOne[0], aOne[3]);
  ds_corpus_close(c);

  /* the same documents one segment each, then a small memory budget: same answers */
  remove_db();
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create");
  for (size_t i = 0; i < 2; i++) {
    check(ds_corpus_begin(c, &e) == DS_OK, "begin");
    check(ds_corpus_add_file(c, azFile[i], NULL, NULL, &id, &e) == DS_OK, "add");
    check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  }
  ds_corpus_set_budget(c, 1000 * 12);      /* a segment per thousand tokens */
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  for (size_t i = 2; i < nFile; i++) check(ds_corpus_add_file(c, azFile[i], NULL, NULL, &id, &e) == DS_OK, "add");
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  ds_info info;
  check(ds_corpus_info(c, &info, &e) == DS_OK && info.nSegments == 4, "4 segments (2 adds, then 8301 + 1126 tokens), got %lld",
        (long long)info.nSegments);
  for (size_t q = 0; q < NQUERY; q++)
    check(count_matches(c, azQuery[q]) == aOne[q], "%s: same count over segments", azQuery[q]);
  check(problems(c) == 0, "sound over segments");
  test_read_api(c);

  /* remove: gone at once; optimize: one segment, rows freed, same answers */
  int64_t docId = ds_corpus_doc(c, 2)->id, nTok2 = ds_corpus_doc(c, 2)->nTok;
  long nChina = count_matches(c, "\"China\"");
  check(ds_corpus_remove(c, docId, &e) == DS_OK, "remove: %s", e.msg);
  check(ds_corpus_remove(c, docId, &e) == DS_NOTFOUND, "removed twice");
  check(ds_corpus_ndocs(c) == 4, "four documents left");
  long nAfter = count_matches(c, "\"China\"");
  check(nAfter < nChina && nAfter > 0, "China: %ld before, %ld after", nChina, nAfter);
  uint32_t wid;
  int64_t freq;
  check(ds_corpus_lookup(c, DS_ATTR_WORD, "China", 5, &wid, &freq, &e) == DS_OK && freq == nAfter,
        "frequency kept current: %lld vs %ld", (long long)freq, nAfter);
  check(problems(c) == 0, "sound after remove");
  ds_info before;
  ds_corpus_info(c, &before, &e);
  check(before.nTokens == info.nTokens - nTok2, "token count without the removed document");
  check(ds_corpus_optimize(c, &e) == DS_OK, "optimize: %s", e.msg);
  ds_info after;
  check(ds_corpus_info(c, &after, &e) == DS_OK && after.nSegments == 1 && after.nDocs == 4,
        "one segment, four documents");
  check(count_matches(c, "\"China\"") == nAfter, "same count after optimize");
  check(problems(c) == 0, "sound after optimize");
  ds_corpus_close(c);
  check(ds_corpus_open(zDb, DS_OPEN_READONLY, &c, &e) == DS_OK, "reopen");
  check(count_matches(c, "\"China\"") == nAfter && ds_corpus_ndocs(c) == 4, "persisted");
  ds_corpus_close(c);
  remove_db();
}

static int note_order(void *ctx, size_t i, size_t n, const char *zName) {
  size_t *pNext = ctx;
  (void)n;
  (void)zName;
  if (i != *pNext) return 1;               /* out of order: stop */
  (*pNext)++;
  return 0;
}

/* Parallel ingest: any number of jobs and any budget give the same corpus, in order. */
static void test_ingest(void) {
  char azFile[16][256];
  size_t nFile = seed_files(azFile, 16);
  ds_source aSrc[32];
  memset(aSrc, 0, sizeof aSrc);
  for (size_t i = 0; i < 30; i++) aSrc[i].zPath = azFile[i % nFile];   /* duplicates, too */
  static const char zText[] = "Huawei and ZTE build 5G networks in Russia.";
  aSrc[30].z = zText;
  aSrc[30].n = sizeof zText - 1;
  aSrc[30].zName = "note";
  long aBase[NQUERY];
  static const struct { int nJobs; size_t nMemory; } aRun[] = {{1, 0}, {2, 0}, {4, 0}, {3, 20000}};
  for (size_t r = 0; r < sizeof aRun / sizeof *aRun; r++) {
    ds_corpus *c;
    ds_error e;
    remove_db();
    check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create");
    check(ds_corpus_begin(c, &e) == DS_OK, "begin");
    size_t nAdded = 0, next = 0;
    ds_ingest_opts o = {aRun[r].nJobs, aRun[r].nMemory, note_order, &next, 0};
    int rc = ds_ingest(c, aSrc, 31, &o, &nAdded, &e);
    check(rc == DS_OK && nAdded == nFile + 1 && next == 31, "ingest with %d jobs: %s (%zu added)",
          aRun[r].nJobs, rc ? e.msg : "ok", nAdded);
    check(ds_corpus_commit(c, &e) == DS_OK, "commit");
    check(ds_corpus_ndocs(c) == nFile + 1 && strcmp(ds_corpus_doc(c, nFile)->zName, "note") == 0 &&
          strcmp(ds_corpus_doc(c, 0)->zName, azFile[0]) == 0, "documents in the order given");
    for (size_t q = 0; q < NQUERY; q++) {
      long n = count_matches(c, azQuery[q]);
      if (r == 0) aBase[q] = n;
      else check(n == aBase[q], "%s: %ld with %d jobs, %ld with 1", azQuery[q], n, aRun[r].nJobs, aBase[q]);
    }
    check(problems(c) == 0, "sound");
    /* a bad document stops the run with its error; the segment rolls back */
    check(ds_corpus_begin(c, &e) == DS_OK, "begin");
    ds_source bad[3] = {{.z = "fine text.", .n = 10, .zName = "ok"}, {.z = "bad \xFF", .n = 5, .zName = "bad"},
                        {.z = "more text.", .n = 10, .zName = "later"}};
    next = 0;
    check(ds_ingest(c, bad, 3, &o, &nAdded, &e) == DS_UTF8 && strstr(e.msg, "bad"), "bad input named: %s", e.msg);
    ds_corpus_rollback(c);
    check(ds_corpus_ndocs(c) == nFile + 1, "nothing of the failed run");
    ds_corpus_close(c);
  }
  remove_db();
}

/* Every allocation failing in turn (one at a time) inside an ingest of several documents. */
static long nFailAt = -1, nAllocs = 0;
static void *fail_malloc(size_t n) { nAllocs++; return nFailAt-- == 0 ? NULL : malloc(n); }
static void *fail_realloc(void *p, size_t n) { nAllocs++; return nFailAt-- == 0 ? NULL : realloc(p, n); }

/*
** A run of several documents has no savepoint per document: a document that fails
** half-written must leave the segment uncommittable, and a commit that does go through
** (the failure came before any of its rows) stores whole documents only. One file; each
** round adds three new texts (so none is known already) with the k-th allocation failing.
*/
static void test_failed_document(void) {
  ds_corpus *c;
  ds_error e;
  remove_db();
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create");
  long nOk = 0, nRefused = 0, nCommitted = 0, bad = 0, nRound = -1;
  for (long k = 0; nRound < 0 || k <= nRound; k++) {
    char az[3][64];
    int an[3];
    an[0] = snprintf(az[0], sizeof az[0], "China and Russia sign treaty %ld.", k);
    an[1] = snprintf(az[1], sizeof az[1], "Huawei builds the networks in Moscow %ld.", k);
    an[2] = snprintf(az[2], sizeof az[2], "Xi met Putin %ld times. They spoke about AI.", k);
    ds_source aSrc[3];
    memset(aSrc, 0, sizeof aSrc);
    for (int i = 0; i < 3; i++) {
      aSrc[i].z = az[i];
      aSrc[i].n = (size_t)an[i];
      aSrc[i].zName = i == 0 ? "a" : i == 1 ? "b" : "c";
    }
    size_t nBefore = ds_corpus_ndocs(c), nAdded = 0;
    if (ds_corpus_begin(c, &e)) { bad++; break; }
    ds_ingest_opts o = {1, 0, NULL, NULL, 0};
    nAllocs = 0;
    nFailAt = nRound < 0 ? -1 : k;       /* the first round counts the allocations */
    ds_set_allocator(fail_malloc, fail_realloc, NULL);
    int rc = ds_ingest(c, aSrc, 3, &o, &nAdded, &e);
    ds_set_allocator(NULL, NULL, NULL);
    if (nRound < 0) {
      nRound = nAllocs;
      k = -1;
    }
    if (rc == DS_OK) nOk++;
    else if (rc != DS_NOMEM) bad++;
    int rcCommit = ds_corpus_commit(c, &e);     /* (rolls back when it refuses) */
    if (rc == DS_OK && (rcCommit || ds_corpus_ndocs(c) != nBefore + 3)) bad++;
    if (rc && rcCommit) nRefused++;
    if (rc && !rcCommit) nCommitted++;
    /* what was committed is whole: every document has its text */
    for (size_t i = nBefore; i < ds_corpus_ndocs(c); i++)
      if (ds_corpus_doc(c, i)->nTok < 6) bad++;
  }
  check(problems(c) == 0, "sound after every round");
  check(nOk > 0 && bad == 0 && nRefused > 0 && nCommitted > 0,
        "each of %ld allocations failing in turn: %ld refused, %ld committed before the failing "
        "document, %ld whole, %ld bad", nRound, nRefused, nCommitted, nOk, bad);
  ds_corpus_close(c);
  remove_db();
}

/* Two writers on one file, one after the other: each sees what the other added. */
static void test_two_handles(void) {
  char azFile[16][256];
  size_t nFile = seed_files(azFile, 16);
  ds_corpus *a, *b;
  ds_error e;
  int64_t id;
  remove_db();
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &a, &e) == DS_OK, "open a");
  check(ds_corpus_open(zDb, 0, &b, &e) == DS_OK, "open b");
  for (size_t i = 0; i < nFile; i++) {
    ds_corpus *w = i % 2 ? b : a;          /* alternate: each add follows the other's */
    check(ds_corpus_begin(w, &e) == DS_OK, "begin: %s", e.msg);
    check(ds_corpus_add_file(w, azFile[i], NULL, NULL, &id, &e) == DS_OK && id > 0, "add: %s", e.msg);
    check(ds_corpus_commit(w, &e) == DS_OK, "commit: %s", e.msg);
  }
  check(problems(a) == 0, "sound after alternating writers");
  long n = count_matches(a, "\"digital\"%c"), m = count_matches(b, "\"digital\"%c");
  check(n > 0 && n == m, "both see the same corpus: %ld, %ld", n, m);
  ds_corpus_close(a);
  ds_corpus_close(b);
  remove_db();
}

/* One TSV line's left, match and right fields (after doc, first, last), or 0. */
static int tsv_fields(const char *z, size_t n, const char **az, size_t *an) {
  const char *end = z + n, *p = z;
  for (int f = 0; f < 6; f++) {
    const char *q = memchr(p, '\t', (size_t)(end - p));
    if (!q) q = end;
    if (f >= 3) az[f - 3] = p, an[f - 3] = (size_t)(q - p);
    if (q == end && f < 5) return 0;
    p = q + 1;
  }
  return 1;
}

/*
** Concordance lines made by ds_kwic_render, which reads the documents' stored parts
** ahead in batches at guessed rows: the same left, match and right as ds_corpus_kwic
** (which reads part by part), for a line every 97 tokens of documents aK[0..nK), in
** corpus order and then round the documents from the last (a document after one in
** parts is guessed at a row of that one's: the guesses miss, and are made anew).
*/
static void check_lines_read_ahead(ds_corpus *c, const size_t *aK, size_t nK) {
  ds_error e;
  size_t nM = 0, nAlloc = 0;
  for (size_t j = 0; j < nK; j++) nAlloc += (size_t)(ds_corpus_doc(c, aK[j])->nTok / 97 + 1);
  ds_match *aOrder = ds_malloc_n(nAlloc, sizeof *aOrder), *aMixed = ds_malloc_n(nAlloc, sizeof *aMixed);
  check(aOrder && aMixed, "memory");
  if (!aOrder || !aMixed) return;
  for (size_t j = 0; j < nK; j++) {
    const ds_docinfo *d = ds_corpus_doc(c, aK[j]);
    for (int64_t t = 0; t + 3 < d->nTok; t += 97) aOrder[nM++] = (ds_match){d->cpos + t, d->cpos + t + 3};
  }
  size_t nMixed = 0;
  for (int64_t t = 0; nMixed < nM; t += 97)
    for (size_t j = nK; j-- > 0;) {
      const ds_docinfo *d = ds_corpus_doc(c, aK[j]);
      if (t + 3 < d->nTok) aMixed[nMixed++] = (ds_match){d->cpos + t, d->cpos + t + 3};
    }
  int nDiff = 0, nLines = 0;
  for (int pass = 0; pass < 2; pass++) {
    const ds_match *aM = pass ? aMixed : aOrder;
    ds_kwic_style st = {DS_KWIC_TSV, 40, -1, -1};
    ds_buf out = DS_BUF_INIT;
    check(ds_kwic_render(c, aM, nM, &st, &out, &e) == DS_OK, "render: %s", e.msg);
    const char *z = (const char *)out.p, *end = z + out.n;
    for (size_t i = 0; i < nM && z && z <= end; i++) {
      const char *nl = memchr(z, '\n', (size_t)(end - z));
      size_t n = nl ? (size_t)(nl - z) : (size_t)(end - z);
      ds_buf l = DS_BUF_INIT, m = DS_BUF_INIT, r = DS_BUF_INIT;
      ds_corpus_kwic(c, aM[i].first, aM[i].last, 40, &l, &m, &r, &e);
      const char *az[3];
      size_t an[3];
      const ds_buf *want[3] = {&l, &m, &r};
      int ok = tsv_fields(z, n, az, an);
      for (int f = 0; ok && f < 3; f++) ok = an[f] == want[f]->n && (an[f] == 0 || memcmp(az[f], want[f]->p, an[f]) == 0);
      nDiff += !ok;
      nLines++;
      ds_buf_free(&l), ds_buf_free(&m), ds_buf_free(&r);
      z = nl ? nl + 1 : end + 1;
    }
    ds_buf_free(&out);
  }
  check(nDiff == 0 && nLines == (int)(2 * nM) && nM > 40, "lines read ahead: %d of %d differ (%zu matches)", nDiff,
        nLines, nM);
  ds_free(aOrder);
  ds_free(aMixed);
}

/*
** A document stored in parts (ds_parts.h, tiny parts) reads back as the same document
** stored whole: token access across part boundaries, the text rebuilt across parts, the
** concordance of a match that straddles a boundary, removal.
*/

static void test_parts(void) {
  char azFile[16][256];
  size_t nFile = seed_files(azFile, 16);
  char *z = NULL;
  size_t n = 0;
  ds_error e;
  ds_corpus *c;
  int64_t idWhole = 0, idParts = 0;
  int bRead = nFile == 5 && ds_read_file(azFile[2], &z, &n, &e) == DS_OK;
  check(bRead, "read the long seed");
  if (!bRead) return;
  remove_db();
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create: %s", e.msg);
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  check(ds_corpus_add_text(c, z, n, "whole", NULL, NULL, &idWhole, &e) == DS_OK, "add whole: %s", e.msg);
  /* the same bytes again, in parts (a changed hash: the duplicate check would skip it) */
  ds_read_opts ro = {.zName = "parts", .format = DS_FMT_TEXT};
  ds_parts p;
  size_t nParts = 0;
  int rc = ds_parts_open(&p, NULL, z, n, &ro, 3000, NULL, &e);
  check(rc == DS_OK, "open parts: %s", e.msg);
  check(ds_corpus_doc_begin(c, "parts", n, "parts", NULL, NULL, NULL, &e) == DS_OK, "doc begin: %s", e.msg);
  ds_doc *d;
  int flags;
  int64_t base;
  while ((rc = ds_parts_next(&p, &d, &flags, &base, &e)) == DS_OK) {
    check(ds_corpus_doc_part(c, d, flags, &e) == DS_OK, "part: %s", e.msg);
    nParts += d->nTok > 0;
    ds_doc_free(d);
  }
  ds_parts_close(&p);
  check(rc == DS_DONE, "parts read: %s", e.msg);
  check(ds_corpus_doc_end(c, &idParts, &e) == DS_OK && idParts > 0, "doc end: %s", e.msg);
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  check(nParts > 10, "in more than 10 parts: %zu", nParts);

  const ds_docinfo *a = ds_corpus_doc(c, 0), *b = ds_corpus_doc(c, 1);
  check(a && b && a->nTok == b->nTok && a->nSent == b->nSent, "same size: %lld/%lld tokens, %lld/%lld sentences",
        a ? (long long)a->nTok : -1, b ? (long long)b->nTok : -1, a ? (long long)a->nSent : -1,
        b ? (long long)b->nSent : -1);
  /* every token, backwards so each part is read again and again */
  int64_t nDiff = 0;
  for (int64_t t = a->nTok; t-- > 0;)
    for (int attr = 0; attr < DS_NATTR; attr++) {
      uint32_t x = 0, y = 1;
      ds_corpus_id_at(c, attr, a->cpos + t, &x, &e);
      ds_corpus_id_at(c, attr, b->cpos + t, &y, &e);
      nDiff += x != y;
    }
  check(nDiff == 0, "token ids differ at %lld places", (long long)nDiff);
  const char *zA, *zB;
  size_t nA, nB;
  const uint32_t *aOffA, *aOffB;
  char *zCopy = NULL;
  uint32_t *aCopy = NULL;
  if (ds_corpus_text(c, 0, &zA, &nA, &aOffA, &e) == DS_OK) {
    zCopy = malloc(nA + 1);
    aCopy = malloc((size_t)a->nTok * 2 * sizeof *aCopy);
    memcpy(zCopy, zA, nA);
    memcpy(aCopy, aOffA, (size_t)a->nTok * 2 * sizeof *aCopy);
  }
  check(zCopy && ds_corpus_text(c, 1, &zB, &nB, &aOffB, &e) == DS_OK && nA == nB &&
        memcmp(zCopy, zB, nA) == 0 && memcmp(aCopy, aOffB, (size_t)a->nTok * 2 * sizeof *aCopy) == 0,
        "the same text and offsets rebuilt across parts");
  /* exact windows of the document in parts (across part boundaries too): the tokens, and
     the white space between them, of the whole document's text */
  int nExact = 0;
  for (int64_t t = 0; zCopy && t < a->nTok; t += 37) {
    static const int64_t aw[] = {1, 2, 7, 90};
    for (size_t j = 0; j < sizeof aw / sizeof *aw; j++) {
      int64_t t1 = t + aw[j] < a->nTok ? t + aw[j] : a->nTok;
      ds_window w;
      if (ds_corpus_window_exact(c, 1, t, t1, 1, &w, &e) || w.first > t || w.first + (int64_t)w.n < t1) {
        nExact++;
        continue;
      }
      for (int64_t u = t; u < t1; u++) {
        size_t i = (size_t)(u - w.first);
        size_t n1 = w.aOff[2 * i + 1] - w.aOff[2 * i], n2 = aCopy[2 * u + 1] - aCopy[2 * u];
        if (n1 != n2 || memcmp(w.zText + w.aOff[2 * i], zCopy + aCopy[2 * u], n1) != 0) nExact++;
        if (u > t) {
          size_t g1 = w.aOff[2 * i] - w.aOff[2 * i - 1], g2 = aCopy[2 * u] - aCopy[2 * u - 1];
          if (g1 != g2 || memcmp(w.zText + w.aOff[2 * i - 1], zCopy + aCopy[2 * u - 1], g1) != 0) nExact++;
        }
      }
      ds_window wt;                             /* without text: the same token types */
      if (ds_corpus_window_exact(c, 1, t, t1, 0, &wt, &e) || wt.first > t || wt.first + (int64_t)wt.n < t1) nExact++;
      else
        for (int64_t u = t; u < t1; u++) {
          uint32_t id;
          ds_corpus_id_at(c, DS_ATTR_WORD, a->cpos + u, &id, &e);
          ds_corpus_window_exact(c, 1, t, t1, 0, &wt, &e);  /* id_at may have read another part */
          if (ds_corpus_type_id(c, wt.aType[u - wt.first], DS_ATTR_WORD) != id) nExact++;
        }
    }
  }
  check(nExact == 0, "exact windows: %d tokens or gaps differ", nExact);
  free(zCopy);
  free(aCopy);
  /* concordances everywhere, across part boundaries too */
  int nKwic = 0;
  for (int64_t t = 0; t + 3 < a->nTok; t += 97) {
    ds_buf l1 = DS_BUF_INIT, m1 = DS_BUF_INIT, r1 = DS_BUF_INIT, l2 = DS_BUF_INIT, m2 = DS_BUF_INIT, r2 = DS_BUF_INIT;
    ds_corpus_kwic(c, a->cpos + t, a->cpos + t + 3, 40, &l1, &m1, &r1, &e);
    ds_corpus_kwic(c, b->cpos + t, b->cpos + t + 3, 40, &l2, &m2, &r2, &e);
    nKwic += !(l1.n == l2.n && m1.n == m2.n && r1.n == r2.n && m1.n > 0 && memcmp(l1.p, l2.p, l1.n) == 0 &&
               memcmp(m1.p, m2.p, m1.n) == 0 && memcmp(r1.p, r2.p, r1.n) == 0);
    ds_buf_free(&l1), ds_buf_free(&m1), ds_buf_free(&r1);
    ds_buf_free(&l2), ds_buf_free(&m2), ds_buf_free(&r2);
  }
  check(nKwic == 0, "%d concordance lines differ", nKwic);
  /* a third document, whole, after the one in parts (its text with a line before it: new
     bytes), for concordance lines read ahead across all three */
  ds_buf third = DS_BUF_INIT;
  ds_buf_puts(&third, "A third copy.\n\n");
  ds_buf_append(&third, z, n);
  int64_t idThird = 0;
  check(ds_corpus_begin(c, &e) == DS_OK && ds_corpus_add_text(c, (const char *)third.p, third.n, "third", NULL, NULL,
                                                              &idThird, &e) == DS_OK &&
        ds_corpus_commit(c, &e) == DS_OK, "add a third: %s", e.msg);
  ds_buf_free(&third);
  a = ds_corpus_doc(c, 0), b = ds_corpus_doc(c, 1);
  check_lines_read_ahead(c, (const size_t[]){0, 1, 2}, 3);
  check(ds_corpus_remove(c, idThird, &e) == DS_OK, "remove the third: %s", e.msg);
  a = ds_corpus_doc(c, 0), b = ds_corpus_doc(c, 1);
  ds_buf report = DS_BUF_INIT;
  int64_t nProblems = -1;
  check(ds_corpus_check(c, &report, &nProblems, &e) == DS_OK && nProblems == 0, "check: %.*s",
        (int)report.n, report.p ? (const char *)report.p : "");
  ds_buf_free(&report);
  long nWhole = count_matches(c, "\"Russia\"");
  check(ds_corpus_remove(c, idParts, &e) == DS_OK, "remove the document in parts: %s", e.msg);
  check(count_matches(c, "\"Russia\"") * 2 == nWhole && nWhole > 0, "its matches gone: %ld of %ld",
        count_matches(c, "\"Russia\""), nWhole);
  check(ds_corpus_optimize(c, &e) == DS_OK, "optimize: %s", e.msg);
  ds_corpus_close(c);
  ds_free(z);
  remove_db();
}

/* Peak memory is compared only without a sanitizer (ASan keeps freed memory). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MEASURE_RSS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MEASURE_RSS 0
#endif
#endif
#ifndef MEASURE_RSS
#define MEASURE_RSS 1
#endif

/* FIFO_REPS sentences of 5 tokens: "W beta gamma delta." with W the first word. */
enum { FIFO_REPS = 400000 };
static void fifo_text(ds_buf *b, const char *zFirst) {
  for (int i = 0; i < FIFO_REPS; i++) ds_buf_printf(b, "%s beta gamma delta.%s", i ? "Alpha" : zFirst, i % 8 == 7 ? "\n" : " ");
}

/* In a child: add zPath as zName to the corpus zDb, commit; exit status 0 if it went. */
static pid_t add_in_child(const char *zPath, const char *zName) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  ds_corpus *c;
  ds_error e;
  int64_t id = 0;
  int rc = ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e);
  if (rc == DS_OK && (rc = ds_corpus_begin(c, &e)) == DS_OK &&
      (rc = ds_corpus_add_file(c, zPath, zName, NULL, &id, &e)) == DS_OK)
    rc = ds_corpus_commit(c, &e);
  if (rc) fprintf(stderr, "add_in_child %s: %s\n", zPath, e.msg);
  if (c) ds_corpus_close(c);
  _exit(rc || id <= 0 ? 1 : 0);
}

/* In a child: write b to the FIFO zFifo, then close it. */
static pid_t write_fifo(const char *zFifo, const ds_buf *b) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open(zFifo, O_WRONLY);
  size_t i = 0;
  while (fd >= 0 && i < b->n) {
    ssize_t k = write(fd, b->p + i, b->n - i > 4096 ? 4096 : b->n - i);
    if (k <= 0) break;
    i += (size_t)k;
  }
  if (fd >= 0) close(fd);
  _exit(i == b->n ? 0 : 1);
}

/*
** A named pipe given to ds_corpus_add_file: copied as it comes and read like a file, in
** parts when large (it was read whole into memory): the same tokens as from a regular
** file, peak memory within 8 MB of the regular file's (read whole, 20 MB more), a NUL byte refused with its
** offset and nothing stored.
*/
static void test_fifo(void) {
  const char *zFile = "build/test_store_fifo.txt", *zFifo = "build/test_store.fifo";
  ds_buf a = DS_BUF_INIT, b = DS_BUF_INIT;
  fifo_text(&a, "Alpha");
  fifo_text(&b, "Omega");                   /* other bytes: not a duplicate of a */
  FILE *f = fopen(zFile, "wb");
  check(f && fwrite(a.p, 1, a.n, f) == a.n && fclose(f) == 0, "wrote %s", zFile);
  remove_db();
  unlink(zFifo);
  check(mkfifo(zFifo, 0600) == 0, "mkfifo %s", zFifo);
  struct rusage ruFile, ruFifo;
  int st = -1, stW = -1;
  pid_t p1 = add_in_child(zFile, "file");
  /* (the children's peak: the largest of those waited for, and these are the first) */
  check(waitpid(p1, &st, 0) == p1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the regular file added");
  getrusage(RUSAGE_CHILDREN, &ruFile);
  pid_t pw = write_fifo(zFifo, &b);
  pid_t p2 = add_in_child(zFifo, NULL);
  check(waitpid(p2, &st, 0) == p2 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the FIFO added");
  check(waitpid(pw, &stW, 0) == pw && WIFEXITED(stW) && WEXITSTATUS(stW) == 0, "the writer wrote it all");
  getrusage(RUSAGE_CHILDREN, &ruFifo);        /* the FIFO's, unless under the file's */
  if (MEASURE_RSS)
    check(ruFifo.ru_maxrss <= ruFile.ru_maxrss + 8 * 1024, "peak memory: FIFO %ld KB, file %ld KB",
          ruFifo.ru_maxrss, ruFile.ru_maxrss);
  ds_corpus *c;
  ds_error e;
  check(ds_corpus_open(zDb, 0, &c, &e) == DS_OK, "open: %s", e.msg);
  const ds_docinfo *d0 = ds_corpus_doc(c, 0), *d1 = ds_corpus_doc(c, 1);
  check(d0 && d1 && d0->nTok == 5 * FIFO_REPS && d1->nTok == 5 * FIFO_REPS && d1->nSent == FIFO_REPS,
        "5 x %d tokens from each: %lld, %lld (%lld sentences)", FIFO_REPS, d0 ? (long long)d0->nTok : -1,
        d1 ? (long long)d1->nTok : -1, d1 ? (long long)d1->nSent : -1);
  check(d1 && strcmp(d1->zName, zFifo) == 0, "named by its path: %s", d1 ? d1->zName : "");
  check(count_matches(c, "\"Omega\" \"beta\"") == 1 && count_matches(c, "\"delta\" \".\" \"Alpha\"") == 2 * (FIFO_REPS - 1),
        "its tokens as written");
  /* a NUL byte: refused where it is, nothing stored */
  ds_buf_reset(&b);
  ds_buf_puts(&b, "Some text");
  ds_buf_putc(&b, 0);
  ds_buf_puts(&b, "more");
  pw = write_fifo(zFifo, &b);
  int64_t id = 7;
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  int rc = ds_corpus_add_file(c, zFifo, NULL, NULL, &id, &e);
  char zWant[128];
  snprintf(zWant, sizeof zWant, "%s: binary file (NUL byte at byte 9)", zFifo);
  check(rc == DS_FORMAT && strcmp(e.msg, zWant) == 0 && e.offset == 9, "NUL: %d %s", rc, e.msg);
  ds_corpus_rollback(c);
  waitpid(pw, &stW, 0);
  ds_info info;
  check(ds_corpus_info(c, &info, &e) == DS_OK && info.nDocs == 2, "still 2 documents");
  ds_corpus_close(c);
  ds_buf_free(&a);
  ds_buf_free(&b);
  unlink(zFifo);
  unlink(zFile);
  remove_db();
}

/*
** Offsets past 4 GB in parts: a clean-up change in a part that starts at input byte
** 5,000,000,000 is placed there and on its line, not 4 GB earlier (they were 32-bit).
** The part's start is set by hand: reading 5 GB would take minutes.
*/
static void test_parts_offsets_64(void) {
  const char *z = "the gath-\nering of data\n";
  ds_read_opts ro = {.zName = "far", .format = DS_FMT_TEXT, .cleanRules = DS_CLEAN_HYPHENS};
  ds_parts p;
  ds_error e;
  ds_doc *d = NULL;
  int flags;
  int64_t base = 0, far = 5000000000;
  check(ds_parts_open(&p, NULL, z, strlen(z), &ro, 0, NULL, &e) == DS_OK, "open: %s", e.msg);
  p.base = far;                        /* as if 5e9 bytes and 3e9 lines came before */
  p.line = 3000000000u;
  check(ds_parts_next(&p, &d, &flags, &base, &e) == DS_OK && d && base == far, "the far part: base %lld",
        (long long)base);
  check(d && d->nChange == 1 && d->aChange[0].start == far && d->aChange[0].end == far + 9 &&
        d->aChange[0].line == 3000000001, "the change at %lld..%lld, line %lld",
        d && d->nChange ? (long long)d->aChange[0].start : -1, d && d->nChange ? (long long)d->aChange[0].end : -1,
        d && d->nChange ? (long long)d->aChange[0].line : -1);
  ds_doc_free(d);
  ds_parts_close(&p);
}

/*
** A reader keeps its long posting lists (ds_storeInt.h: at least 16 KiB, 32 of them):
** 40 words in turn, 17,000 sentences of them, so word w stands at 41 r + w (the full stop
** after each sentence is token 40) and each list is 17 KB. Every list read twice (the
** second time some from the cache, some read again after being pushed out), two cursors
** on one list at once, and a cursor still reading when the corpus closes.
*/
static void test_postcache(void) {
  enum { NWORD = 40, NREP = 17000, STRIDE = NWORD + 1 };
  ds_buf text = DS_BUF_INIT;
  for (int r = 0; r < NREP; r++)
    for (int w = 0; w < NWORD; w++) ds_buf_printf(&text, "w%02d%s", w, w + 1 < NWORD ? " " : ".\n");
  ds_error e;
  ds_corpus *c;
  int64_t id;
  remove_db();
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create: %s", e.msg);
  check(ds_corpus_begin(c, &e) == DS_OK, "begin");
  check(ds_corpus_add_text(c, (const char *)text.p, text.n, "words", NULL, NULL, &id, &e) == DS_OK, "add: %s", e.msg);
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  ds_corpus_close(c);
  ds_buf_free(&text);
  check(ds_corpus_open(zDb, DS_OPEN_READONLY, &c, &e) == DS_OK, "open read-only: %s", e.msg);
  uint32_t aId[NWORD];
  for (int w = 0; w < NWORD; w++) {
    char z[8];
    int64_t freq;
    snprintf(z, sizeof z, "w%02d", w);
    check(ds_corpus_lookup(c, DS_ATTR_WORD, z, 3, &aId[w], &freq, &e) == DS_OK && freq == NREP, "lookup %s", z);
  }
  for (int pass = 0; pass < 2; pass++)
    for (int w = 0; w < NWORD; w++) {
      ds_cursor *k;
      int64_t pos;
      int r = 0, bad = 0, rc;
      check(ds_corpus_cursor(c, DS_ATTR_WORD, aId[w], &k, &e) == DS_OK, "cursor: %s", e.msg);
      for (rc = ds_cursor_next(k, &pos); rc == DS_OK; rc = ds_cursor_next(k, &pos), r++)
        bad += pos != (int64_t)r * STRIDE + w;
      check(rc == DS_DONE && r == NREP && !bad && ds_cursor_count(k) == NREP, "pass %d, w%02d: %d positions, %d wrong",
            pass, w, r, bad);
      ds_cursor_free(k);
    }
  /* two cursors on w07 at once: one seeks, the other reads on undisturbed */
  ds_cursor *k1 = NULL, *k2 = NULL;
  int64_t p1, p2;
  check(ds_corpus_cursor(c, DS_ATTR_WORD, aId[7], &k1, &e) == DS_OK &&
        ds_corpus_cursor(c, DS_ATTR_WORD, aId[7], &k2, &e) == DS_OK, "two cursors");
  check(ds_cursor_seek(k1, 1000 * STRIDE, &p1) == DS_OK && p1 == 1000 * STRIDE + 7, "seek: %lld", (long long)p1);
  check(ds_cursor_next(k2, &p2) == DS_OK && p2 == 7, "the other from the start: %lld", (long long)p2);
  check(ds_cursor_next(k1, &p1) == DS_OK && p1 == 1001 * STRIDE + 7, "next after seek: %lld", (long long)p1);
  ds_cursor_free(k1);
  /* k2 outlives the corpus */
  ds_corpus_close(c);
  int r = 1, bad = 0, rc;
  for (rc = ds_cursor_next(k2, &p2); rc == DS_OK; rc = ds_cursor_next(k2, &p2), r++) bad += p2 != (int64_t)r * STRIDE + 7;
  check(rc == DS_DONE && r == NREP && !bad, "after close: %d positions, %d wrong", r, bad);
  ds_cursor_free(k2);
  remove_db();
}

int main(int argc, char **argv) {
  (void)argc;
  test_parts_offsets_64();
  test_fifo();
  test_two_handles();
  test_postings();
  test_text_and_segments();
  test_ingest();
  test_failed_document();
  test_parts();
  test_postcache();
  return tests_report(argv[0]);
}
