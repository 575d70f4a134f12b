/*
** test_threads.c -- worker threads sharing the read-only data: the sample corpus and
** edited copies of it indexed through ds_ingest with clean-up on (every rule, the
** language data of corpus/lexicon loaded: the `hyphens` rule asks its word list), the
** tagger and lemmatizer of corpus/models, and the recognizers (the bundled lexicon's
** gazetteer, the NER model, dates ... quotations), with 1, 2 and 4 jobs. Every run must give
** the same corpus. `make tsan` runs it under ThreadSanitizer, where two workers reading
** one shared object while either writes to it is a failure (halt_on_error=1).
** Run from the repository root; needs nothing of ../shared (its argument is ignored).
*/
#include "ds_extract.h"
#include "ds_gazetteer.h"
#include "ds_ingest.h"
#include "ds_ner.h"
#include "ds_sitelines.h"
#include "ds_langdata.h"
#include "ds_lemma.h"
#include "ds_store.h"
#include "ds_tagger.h"
#include "tests.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

static const char *zDb = "build/test_threads.db";
#include "test_corpus.h"

#define NSEED_MAX 16
#define NCOPY 3               /* edited copies of each seed, besides the seed itself */

/* Words broken at line ends, as text taken out of a PDF has them: only the word list
   tells `surveil-` + `lance` (one word) from `dual-` + `use` (kept). */
static const char zBroken[] =
  "The archi-\npelago, the kanga-\nroos and the tele-\nscopes near the cathe-\ndral, a porcu-\n"
  "pine among the mari-\ngolds by the light-\nhouses, the wheel-\nbarrows and the dual-\n"
  "use goods.\n\n";

static const char *const azQuery[] = {
  "\"archipelago\"", "\"kangaroos\"", "\"telescopes\"", "[lemma=\"marigold\"]",
  "\"digital\"%c", "[lemma=\"be\"]", "[pos=\"PROPN\"] [pos=\"VERB\"]", "\"Copy\"",
  "<ent type=\"ORG\"/>", "<ent source=\"model\"/>", "[] within date", "<cite/>", "<quote/>",
};
#define NQUERY (sizeof azQuery / sizeof *azQuery)

/* Words of 9 to 14 letters from the word list, to break at line ends. */
static char **azWord;
static size_t nWord;

static void load_words(void) {
  char *z;
  size_t n;
  ds_error e;
  if (ds_read_file("corpus/lexicon/en-words.txt", &z, &n, &e)) return;
  azWord = malloc((n / 10 + 1) * sizeof *azWord);
  for (size_t i = 0; azWord && i < n;) {
    const char *nl = memchr(z + i, '\n', n - i);
    size_t j = nl ? (size_t)(nl - z) : n, k = i;
    while (k < j && z[k] >= 'a' && z[k] <= 'z') k++;
    if (k == j && j - i >= 9 && j - i <= 14 && nWord < n / 10) {
      azWord[nWord] = malloc(j - i + 1);
      memcpy(azWord[nWord], z + i, j - i);
      azWord[nWord++][j - i] = 0;
    }
    i = j + 1;
  }
  ds_free(z);
}

/*
** Copy k of seed f, text z[0..n): a first line naming the copy, the broken words, a
** paragraph of 200 more words of the list broken at line ends (a different choice in
** each copy, each word in several), then the text with every tenth line dropped, so
** that no two documents have the same bytes. Each worker then looks up hundreds of words
** that no one looked up before while the others do.
*/
static char *edited_copy(const char *z, size_t n, size_t f, size_t k, const char *zName, size_t *pn) {
  ds_buf b = DS_BUF_INIT;
  char zHead[400];
  snprintf(zHead, sizeof zHead, "Copy %zu of %s.\n\n", k, zName);
  ds_buf_puts(&b, zHead);
  ds_buf_append(&b, zBroken, sizeof zBroken - 1);
  ds_buf_puts(&b, "Then the");
  for (size_t i = 0; nWord && i < 200; i++) {
    const char *w = azWord[((f * NCOPY + k) * 211 + i * 7919) % nWord];
    size_t m = strlen(w);
    ds_buf_puts(&b, " ");
    ds_buf_append(&b, w, m / 2);
    ds_buf_puts(&b, "-\n");
    ds_buf_puts(&b, w + m / 2);
    ds_buf_puts(&b, " and the");
  }
  ds_buf_puts(&b, " end.\n\n");
  size_t line = 0;
  for (size_t i = 0; i < n;) {
    const char *nl = memchr(z + i, '\n', n - i);
    size_t j = nl ? (size_t)(nl - z) + 1 : n;
    if (++line % 10 != k) ds_buf_append(&b, z + i, j - i);
    i = j;
  }
  *pn = b.n;
  return (char *)b.p;
}

/*
** The first look at many files (ds_sitelines_peek_files) on 4 threads gives what it gives
** on one: 96 files, every fifth with a NUL byte, every fifth another blank, the rest
** lines of a site.
*/
static void test_peek_threads(void) {
  enum { NPEEK = 96 };
  static char azPath[NPEEK][64];
  const char *apPath[NPEEK];
  unsigned char aFlag[NPEEK];
  mkdir("build/peek-test", 0755);
  for (int i = 0; i < NPEEK; i++) {
    snprintf(azPath[i], sizeof azPath[i], "build/peek-test/f%02d.txt", i);
    apPath[i] = azPath[i];
    aFlag[i] = DS_PEEK_NUL | DS_PEEK_LINES;
    FILE *f = fopen(azPath[i], "wb");
    if (!f) continue;
    if (i % 5 == 3) fwrite("Menu\nabc\0def\n", 1, 13, f);
    else if (i % 5 == 4) fputs("  \n\t\n", f);
    else fprintf(f, "Home\nWorld\nStory number %d about Huawei.\nShare this story\n", i);
    fclose(f);
  }
  static ds_filepeek a1[NPEEK], a4[NPEEK];
  check(ds_sitelines_peek_files(apPath, aFlag, NPEEK, 1, a1) == DS_OK, "peek, one thread");
  check(ds_sitelines_peek_files(apPath, aFlag, NPEEK, 4, a4) == DS_OK, "peek, four threads");
  int bad = 0;
  for (int i = 0; i < NPEEK; i++) {
    int want = i % 5 == 3 ? DS_PEEK_BINARY : i % 5 == 4 ? DS_PEEK_EMPTY : DS_PEEK_OK;
    bad += a1[i].why != want || a4[i].why != want || a1[i].nHash != a4[i].nHash ||
           a1[i].nHash != (want == DS_PEEK_OK ? 8u : 0u) ||
           memcmp(a1[i].aHash, a4[i].aHash, a1[i].nHash * sizeof a1[i].aHash[0]) != 0;
    remove(azPath[i]);
  }
  rmdir("build/peek-test");
  check(bad == 0, "peek: %d of %d files differ from what they hold or between 1 and 4 threads", bad, NPEEK);
}

int main(int argc, char **argv) {
  (void)argc;
  test_peek_threads();
  char azFile[NSEED_MAX][256];
  size_t nFile = seed_files(azFile, NSEED_MAX), nSrc = 0;
  ds_source aSrc[NSEED_MAX * (NCOPY + 1)];
  char *azText[NSEED_MAX * (NCOPY + 1)], azName[NSEED_MAX * (NCOPY + 1)][300];
  memset(aSrc, 0, sizeof aSrc);
  memset(azText, 0, sizeof azText);
  check(nFile >= 5, "the sample corpus: %zu files in corpus/seeds", nFile);
  ds_tagger *t = NULL;
  ds_lemmatizer *l = NULL;
  ds_gazetteer *g = NULL;
  ds_ner *m = NULL;
  ds_error e;
  static const char *const azLex[] = {"corpus/lexicon/entities.tsv"};
  int rc = ds_gazetteer_load(azLex, 1, &g, &e);
  check(rc == DS_OK, "gazetteer: %s", e.msg);
  if (rc == DS_OK) rc = ds_ner_load("corpus/models/en-uner.ner", &m, &e);
  check(rc == DS_OK, "NER model: %s", e.msg);
  ds_extractor x = {g, m, 1};
  if (rc == DS_OK) rc = ds_tagger_load("corpus/models/en-ewt.tagger", &t, &e);
  check(rc == DS_OK, "tagger: %s", e.msg);
  if (rc == DS_OK) rc = ds_lemma_load("corpus/models/en-ewt.lemmas", &l, &e);
  check(rc == DS_OK, "lemmatizer: %s", e.msg);
  if (rc || nFile == 0) goto done;
  load_words();
  check(nWord > 1000, "words of the word list: %zu", nWord);

  /* the copies of each seed, then the seed: the first documents the workers take at once
     have the broken words, so the workers look them up at the same time */
  ds_read_opts ro = {.cleanRules = DS_CLEAN_ALL, .format = DS_FMT_TEXT, .pTagger = t, .pLemma = l, .pExtract = &x};
  for (size_t f = 0; f < nFile; f++) {
    char *z;
    size_t n;
    rc = ds_read_file(azFile[f], &z, &n, &e);
    check(rc == DS_OK, "read %s: %s", azFile[f], e.msg);
    if (rc) goto done;
    for (size_t k = 1; k <= NCOPY; k++, nSrc++) {
      snprintf(azName[nSrc], sizeof azName[nSrc], "%s~%zu", azFile[f], k);
      azText[nSrc] = edited_copy(z, n, f, k, azFile[f], &aSrc[nSrc].n);
      aSrc[nSrc].z = azText[nSrc];
      aSrc[nSrc].zName = azName[nSrc];
      aSrc[nSrc].read = ro;
    }
    aSrc[nSrc++] = (ds_source){.zPath = azFile[f], .read = ro};
    ds_free(z);
  }

  /* the runs with workers first: on memory that no earlier run used, ThreadSanitizer
     sees every access of theirs (it found no race with a one-job run first) */
  static const int aJobs[] = {2, 4, 1};
  enum { NRUN = sizeof aJobs / sizeof *aJobs };
  long aCount[NRUN][NQUERY];
  for (size_t r = 0; r < NRUN; r++) {
    ds_corpus *c;
    size_t nAdded = 0;
    /* the language data loaded afresh for each run, as a program loads it once: the
       workers are the first to look words up in it */
    ds_langdata *ld;
    rc = ds_langdata_load("corpus/lexicon", &ld, &e);
    check(rc == DS_OK, "language data: %s", e.msg);
    if (rc) goto done;
    for (size_t i = 0; i < nSrc; i++) aSrc[i].read.pLang = ld;
    remove_db();
    check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create: %s", e.msg);
    check(ds_corpus_begin(c, &e) == DS_OK, "begin: %s", e.msg);
    ds_ingest_opts o = {.nJobs = aJobs[r]};
    rc = ds_ingest(c, aSrc, nSrc, &o, &nAdded, &e);
    check(rc == DS_OK && nAdded == nSrc, "ingest with %d jobs: %s (%zu of %zu added)", aJobs[r],
          rc ? e.msg : "ok", nAdded, nSrc);
    check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
    for (size_t q = 0; q < NQUERY; q++) aCount[r][q] = count_matches(c, azQuery[q]);
    /* the broken words were joined in every copy: the word list was asked */
    check(count_matches(c, "\"wheelbarrows\"") == (long)(nFile * NCOPY), "hyphens joined");
    ds_corpus_close(c);
    ds_langdata_free(ld);
  }
  /* every run gives the corpus of the one-job run */
  for (size_t q = 0; q < NQUERY; q++) {
    check(aCount[NRUN - 1][q] > 0, "%s: %ld matches", azQuery[q], aCount[NRUN - 1][q]);
    for (size_t r = 0; r + 1 < NRUN; r++)
      check(aCount[r][q] == aCount[NRUN - 1][q], "%s: %ld with %d jobs, %ld with 1", azQuery[q],
            aCount[r][q], aJobs[r], aCount[NRUN - 1][q]);
  }

  /* Ctrl-C while two workers parse and the writer stores: the add stops with
     DS_INTERRUPTED soon after (by looks at the flag, not by time), and once rolled back
     the corpus holds what it held, intact */
  {
    ds_corpus *c;
    size_t nAdded = 0, nHalf = nSrc / 2;
    ds_langdata *ld;
    rc = ds_langdata_load("corpus/lexicon", &ld, &e);
    check(rc == DS_OK, "language data: %s", e.msg);
    if (rc) goto done;
    for (size_t i = 0; i < nSrc; i++) aSrc[i].read.pLang = ld;
    remove_db();
    check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create: %s", e.msg);
    check(ds_corpus_begin(c, &e) == DS_OK, "begin: %s", e.msg);
    ds_ingest_opts o = {.nJobs = 2};
    check(ds_ingest(c, aSrc, nHalf, &o, &nAdded, &e) == DS_OK, "the first half: %s", e.msg);
    check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
    long nBefore = count_matches(c, "[]");
    check(ds_corpus_begin(c, &e) == DS_OK, "begin: %s", e.msg);
    ds_interrupt_after(5);
    rc = ds_ingest(c, aSrc + nHalf, nSrc - nHalf, &o, &nAdded, &e);
    int64_t nLooks = ds_interrupt_looks();
    ds_interrupt_after(0);
    ds_interrupt_clear();
    check(rc == DS_INTERRUPTED && strcmp(e.msg, "interrupted") == 0, "interrupted add: %d %s", rc, e.msg);
    /* each worker and the writer stop at their next look or the one after (a look per
       document taken, parsed, stored): a few more, not one per document left */
    check(nLooks >= 5 && nLooks <= 5 + 8 && 8 < (int64_t)(nSrc - nHalf), "looks at the flag: %lld of %zu documents",
          (long long)nLooks, nSrc - nHalf);
    ds_corpus_rollback(c);
    check(ds_corpus_ndocs(c) == nHalf, "documents after the rollback: %zu of %zu", ds_corpus_ndocs(c), nHalf);
    check(count_matches(c, "[]") == nBefore, "tokens after the rollback: %ld of %ld", count_matches(c, "[]"), nBefore);
    ds_buf report = DS_BUF_INIT;
    int64_t nProblems = -1;
    check(ds_corpus_check(c, &report, &nProblems, &e) == DS_OK && nProblems == 0, "check: %.*s",
          (int)report.n, report.p ? (const char *)report.p : "");
    ds_buf_free(&report);
    ds_corpus_close(c);
    ds_langdata_free(ld);
  }
  remove_db();
done:
  for (size_t i = 0; i < sizeof azText / sizeof *azText; i++) ds_free(azText[i]);
  for (size_t i = 0; i < nWord; i++) free(azWord[i]);
  free(azWord);
  ds_lemma_free(l);
  ds_tagger_free(t);
  ds_gazetteer_free(g);
  ds_ner_free(m);
  return tests_report(argv[0]);
}
