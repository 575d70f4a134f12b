/*
** gazetteer_bench.c -- what the gazetteer costs: loading lexicons and tagging documents,
** beside parsing and tagging the same documents in the same run.
**
**   gazetteer_bench [-n RUNS] [-m MODELS_DIR] FILELIST LEXICON...
**
** FILELIST names text files, one per line: each is one document, read into memory
** once. Then, each RUNS times (default 3), best and median reported:
**   parse       ds_parse_text over every document (reader, tokens, sentences);
**   parse+tag   ds_parse_and_tag with the tagger and lemmatizer of MODELS_DIR (default
**               corpus/models) -- the documents the gazetteer is then run on are these;
**   load        ds_gazetteer_load of each LEXICON alone;
**   gazetteer   ds_gazetteer_tag over every (tagged) document, with each lexicon; the
**               spans are removed after each run, outside the clock;
**   intern      ds_doc_intern of every document, once (ingest's workers do it);
**   gazetteer interned   the same over the interned documents, where the gazetteer looks
**               word ids up once per token type instead of once per token.
** Output: "#" lines (documents, tokens, bytes), then a table: what, entries, forms,
** seconds (best, median), tokens/s (best), spans found, and for the gazetteer its time as
** a share of parse+tag. Time is the process's CPU time (CLOCK_PROCESS_CPUTIME_ID: the
** machine is shared, and time spent waiting for a CPU is not the code's). Nothing is
** asserted.
*/
#include "ds_gazetteer.h"
#include "ds_intern.h"
#include "ds_lemma.h"
#include "ds_parse.h"
#include "ds_tagger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 50

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Best and median of a[0..n) (sorts a). */
static void best_median(double *a, int n, double *pBest, double *pMedian) {
  qsort(a, (size_t)n, sizeof *a, cmp_double);
  *pBest = a[0];
  *pMedian = a[n / 2];
}

static void die(const char *zMsg) {
  fprintf(stderr, "gazetteer_bench: %s\n", zMsg);
  exit(1);
}

int main(int argc, char **argv) {
  int nRun = 3, i = 1;
  const char *zModels = "corpus/models";
  while (i < argc && argv[i][0] == '-') {
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) nRun = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) zModels = argv[i + 1];
    else die("usage: gazetteer_bench [-n RUNS] [-m MODELS_DIR] FILELIST LEXICON...");
    i += 2;
  }
  if (argc - i < 2 || nRun < 1 || nRun > MAX_RUNS)
    die("usage: gazetteer_bench [-n RUNS] [-m MODELS_DIR] FILELIST LEXICON...");
  const char *zList = argv[i++];
  char **azLex = argv + i;
  int nLex = argc - i;
  ds_error e;

  /* the documents */
  char *zNames;
  size_t nNames, nDoc = 0, nBytes = 0;
  if (ds_read_file(zList, &zNames, &nNames, &e)) die(e.msg);
  char **azText = NULL;
  size_t *anText = NULL, nAlloc = 0;
  for (char *z = zNames; z < zNames + nNames;) {
    char *nl = memchr(z, '\n', (size_t)(zNames + nNames - z));
    if (nl) *nl = 0;
    if (*z) {
      if (nDoc == nAlloc) {
        nAlloc = nAlloc ? 2 * nAlloc : 1024;
        azText = realloc(azText, nAlloc * sizeof *azText);
        anText = realloc(anText, nAlloc * sizeof *anText);
        if (!azText || !anText) die("out of memory");
      }
      if (ds_read_file(z, &azText[nDoc], &anText[nDoc], &e)) die(e.msg);
      nBytes += anText[nDoc++];
    }
    z = nl ? nl + 1 : zNames + nNames;
  }
  ds_tagger *pTagger;
  ds_lemmatizer *pLemma;
  char zPath[4096];
  snprintf(zPath, sizeof zPath, "%s/en-ewt.tagger", zModels);
  if (ds_tagger_load(zPath, &pTagger, &e)) die(e.msg);
  snprintf(zPath, sizeof zPath, "%s/en-ewt.lemmas", zModels);
  if (ds_lemma_load(zPath, &pLemma, &e)) die(e.msg);

  double aT[MAX_RUNS], best, median, parseTag = 0;
  size_t nTok = 0, nSent = 0;
  ds_doc **aDoc = calloc(nDoc ? nDoc : 1, sizeof *aDoc);
  if (!aDoc) die("out of memory");

  printf("%-26s %8s %8s %10s %10s %13s %9s %8s\n", "what", "entries", "forms", "best_s",
         "median_s", "tokens/s", "spans", "of_tag");
  /* parsing alone */
  for (int r = 0; r < nRun; r++) {
    double t0 = now();
    nTok = nSent = 0;
    for (size_t k = 0; k < nDoc; k++) {
      ds_doc *d;
      if (ds_parse_text(azText[k], anText[k], "bench", &d, &e)) die(e.msg);
      nTok += d->nTok;
      nSent += d->nSent;
      ds_doc_free(d);
    }
    aT[r] = now() - t0;
  }
  best_median(aT, nRun, &best, &median);
  printf("%-26s %8s %8s %10.4f %10.4f %13.0f %9s %8s\n", "parse", "", "", best, median,
         (double)nTok / best, "", "");
  /* parsing, tagging and lemmatizing: the documents kept from the last run */
  ds_read_opts o = {.zName = "bench", .pTagger = pTagger, .pLemma = pLemma};
  for (int r = 0; r < nRun; r++) {
    for (size_t k = 0; k < nDoc; k++) ds_doc_free(aDoc[k]);
    double t0 = now();
    for (size_t k = 0; k < nDoc; k++)
      if (ds_parse_and_tag(azText[k], anText[k], &o, &aDoc[k], &e)) die(e.msg);
    aT[r] = now() - t0;
  }
  best_median(aT, nRun, &best, &median);
  parseTag = best;
  printf("%-26s %8s %8s %10.4f %10.4f %13.0f %9s %8s\n", "parse+tag", "", "", best, median,
         (double)nTok / best, "", "");
  /* each lexicon: loading */
  ds_gazetteer **aG = calloc((size_t)nLex, sizeof *aG);
  if (!aG) die("out of memory");
  for (int l = 0; l < nLex; l++) {
    for (int r = 0; r < nRun; r++) {
      double t0 = now();
      if (ds_gazetteer_load((const char *const *)&azLex[l], 1, &aG[l], &e)) die(e.msg);
      aT[r] = now() - t0;
      if (r + 1 < nRun) ds_gazetteer_free(aG[l]);
    }
    char zWhat[64];
    best_median(aT, nRun, &best, &median);
    snprintf(zWhat, sizeof zWhat, "load %zu", ds_gazetteer_count(aG[l]));
    printf("%-26s %8zu %8zu %10.4f %10.4f %13s %9s %8s\n", zWhat, ds_gazetteer_count(aG[l]),
           ds_gazetteer_nform(aG[l]), best, median, "", "", "");
  }
  /* tagging: the documents as parsed, then with their token types found (ds_doc_intern,
     as ingest does on its workers: word ids are then looked up once per type) */
  for (int bInterned = 0; bInterned < 2; bInterned++) {
    if (bInterned) {
      double t0 = now();
      for (size_t k = 0; k < nDoc; k++)
        if (ds_doc_intern(aDoc[k])) die("ds_doc_intern failed");
      double t = now() - t0;
      printf("%-26s %8s %8s %10.4f %10s %13.0f %9s %8s\n", "intern (once)", "", "", t, "",
             (double)nTok / t, "", "");
    }
    for (int l = 0; l < nLex; l++) {
      ds_gazetteer *g = aG[l];
      size_t nEnt = ds_gazetteer_count(g), nForm = ds_gazetteer_nform(g), nSpan = 0;
      char zWhat[64];
      for (int r = 0; r < nRun; r++) {
        double t0 = now();
        for (size_t k = 0; k < nDoc; k++)
          if (ds_gazetteer_tag(g, aDoc[k])) die("ds_gazetteer_tag failed");
        aT[r] = now() - t0;
        nSpan = 0;
        for (size_t k = 0; k < nDoc; k++) {
          nSpan += aDoc[k]->nSpan;
          while (aDoc[k]->nSpan) ds_doc_remove_span(aDoc[k], aDoc[k]->nSpan - 1);
        }
      }
      best_median(aT, nRun, &best, &median);
      snprintf(zWhat, sizeof zWhat, "gazetteer %zu%s", nEnt, bInterned ? " interned" : "");
      printf("%-26s %8zu %8zu %10.4f %10.4f %13.0f %9zu %7.1f%%\n", zWhat, nEnt, nForm, best,
             median, (double)nTok / best, nSpan, 100.0 * best / parseTag);
    }
  }
  for (int l = 0; l < nLex; l++) ds_gazetteer_free(aG[l]);
  free(aG);
  printf("# %zu documents, %zu tokens, %zu sentences, %zu bytes; %d runs\n", nDoc, nTok, nSent,
         nBytes, nRun);
  for (size_t k = 0; k < nDoc; k++) {
    ds_doc_free(aDoc[k]);
    ds_free(azText[k]);
  }
  free(aDoc);
  free(azText);
  free(anText);
  ds_free(zNames);
  ds_tagger_free(pTagger);
  ds_lemma_free(pLemma);
  return 0;
}
