/*
** bench_ner.c -- single-thread throughput of the named-entity recognizer, and of the
** pipeline it joins.
**
**   build/bench_ner [-n RUNS] FILE
**
** FILE (UTF-8 text) is parsed once (ds_parse_text) and tagged (ds_annotate with
** corpus/models/en-ewt.tagger and en-ewt.lemmas), then, RUNS times (default 5):
**   ner        ds_ner_tag over the document (its spans removed between runs);
**   parse+tag  ds_parse_text + ds_annotate, the pipeline before the recognizers;
**   +ner       the same with ds_ner_tag after it.
** Output: a tab-separated table (stage, tokens, best_s, tokps_best) of CPU time
** (CLOCK_PROCESS_CPUTIME_ID). Nothing is asserted: it reports, it never fails on a slow
** machine. Indexing with 2 jobs runs this per job, plus interning and the writer.
*/
#include "ds_annotate.h"
#include "ds_lemma.h"
#include "ds_ner.h"
#include "ds_parse.h"
#include "ds_tagger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *z) {
  fprintf(stderr, "bench_ner: %s\n", z);
  exit(1);
}

int main(int argc, char **argv) {
  int nRun = 5;
  const char *zFile = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) nRun = atoi(argv[++i]);
    else zFile = argv[i];
  }
  if (!zFile || nRun < 1) die("usage: bench_ner [-n RUNS] FILE");
  char *z;
  size_t n;
  ds_error e;
  ds_ner *m;
  ds_tagger *t;
  ds_lemmatizer *l;
  if (ds_read_file(zFile, &z, &n, &e)) die(e.msg);
  if (ds_ner_load("corpus/models/en-uner.ner", &m, &e)) die(e.msg);
  if (ds_tagger_load("corpus/models/en-ewt.tagger", &t, &e)) die(e.msg);
  if (ds_lemma_load("corpus/models/en-ewt.lemmas", &l, &e)) die(e.msg);
  ds_doc *d;
  if (ds_parse_text(z, n, zFile, &d, &e) || ds_annotate(d, t, l, &e)) die(e.msg);
  size_t nTok = d->nTok;
  double best[3] = {1e9, 1e9, 1e9};
  for (int r = 0; r < nRun; r++) {
    d->nSpan = 0;
    ds_buf_reset(&d->spanVals);
    double t0 = cpu_now();
    if (ds_ner_tag(m, d)) die("ds_ner_tag failed");
    double dt = cpu_now() - t0;
    if (dt < best[0]) best[0] = dt;
  }
  printf("# %s: %zu tokens, %zu names found\n", zFile, nTok, d->nSpan);
  ds_doc_free(d);
  for (int r = 0; r < nRun; r++) {
    for (int k = 1; k <= 2; k++) {
      double t0 = cpu_now();
      if (ds_parse_text(z, n, zFile, &d, &e) || ds_annotate(d, t, l, &e)) die(e.msg);
      if (k == 2 && ds_ner_tag(m, d)) die("ds_ner_tag failed");
      double dt = cpu_now() - t0;
      ds_doc_free(d);
      if (dt < best[k]) best[k] = dt;
    }
  }
  static const char *const azStage[3] = {"ner", "parse+tag", "+ner"};
  printf("stage\ttokens\tbest_s\ttokps_best\n");
  for (int k = 0; k < 3; k++)
    printf("%s\t%zu\t%.4f\t%.0f\n", azStage[k], nTok, best[k], (double)nTok / best[k]);
  ds_ner_free(m);
  ds_tagger_free(t);
  ds_lemma_free(l);
  ds_free(z);
  return 0;
}
