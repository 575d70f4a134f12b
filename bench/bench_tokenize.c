/*
** bench_tokenize.c -- single-thread throughput of dossier's tokenize + sentence split.
**
**   bench_tokenize [-n RUNS] [-d DOC_BYTES] [-m parse|stages|uax29] FILE
**
** FILE (UTF-8 text) is read into memory once and cut into documents: each document ends
** at the first blank line ("\n\n") at or after DOC_BYTES bytes from its start (default
** 1,000,000), or at the end of the input. Cutting at a paragraph boundary changes no
** token or sentence (a paragraph end is a sentence end), and cutting at all keeps each
** document to the size `corpus:add` sees for a report-sized file instead of one 100 MB
** document; `-d` shows how much per-document cost there is (`-d 16000` is close to the
** sample files' mean of 13 KB).
**
** Measured, each over every document in order, RUNS times (default 3):
**   parse     ds_parse_text: UTF-8 check, NFC, paragraphs, tokens, sentences, then
**             ds_doc_free -- what `dossier tag` and `corpus:add` run before storage;
**   stages    the same three stages timed one by one (ds_read_text, ds_tokenize,
**             ds_split_sentences), to show where the time goes;
**   uax29     ds_uax29_words alone (UAX #29 word boundaries, no rules, no NFC, no
**             allocation) over the same documents' raw bytes, for context. Its "tokens"
**             are the pieces that do not start with ASCII white space.
**
** `-m` runs only that measurement (for a profiler: `perf record ... -m parse FILE`).
**
** Output: a few "#" comment lines, then a tab-separated table with a header line:
**   tool  bytes  tokens  sentences  runs  best_s  median_s  MBps_best  MBps_median
**   tokps_best  tokps_median
** MB = 10^6 bytes of input; time is CLOCK_MONOTONIC wall time of the loop over all
** documents (file reading excluded). Nothing is asserted: this reports, it never fails
** on a slow machine. Exit status 1 only on bad usage or if the input does not parse.
*/
#include "ds_parse.h"
#include "ds_reader.h"
#include "ds_uax29.h"
#include "ds_sentence.h"
#include "ds_tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 100

/* A document: a byte range of the input. */
typedef struct doc_range {
  size_t start, n;
} doc_range;

/* Totals of one pass over the input; times in seconds. */
typedef struct pass {
  size_t nTok, nSent;
  double t, tRead, tTok, tSent;
} pass;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(void) {
  fprintf(stderr, "usage: bench_tokenize [-n RUNS] [-d DOC_BYTES] [-m parse|stages|uax29] FILE\n");
  exit(1);
}

/* Cut z[0..n) into documents (see the header comment). Returns the count; *paDoc is
** malloc'ed. */
static size_t cut_documents(const char *z, size_t n, size_t target, doc_range **paDoc) {
  size_t nDoc = 0, nAlloc = 16, start = 0;
  doc_range *a = malloc(nAlloc * sizeof *a);
  if (!a) { fprintf(stderr, "bench_tokenize: out of memory\n"); exit(1); }
  while (start < n) {
    size_t end = start + target < n ? start + target : n;
    /* extend to just past the next "\n\n" (the blank line stays with this document) */
    while (end < n && !(end >= 2 && z[end - 1] == '\n' && z[end - 2] == '\n')) end++;
    if (nDoc == nAlloc) {
      doc_range *p = realloc(a, 2 * nAlloc * sizeof *a);
      if (!p) { free(a); fprintf(stderr, "bench_tokenize: out of memory\n"); exit(1); }
      a = p;
      nAlloc *= 2;
    }
    a[nDoc++] = (doc_range){start, end - start};
    start = end;
  }
  *paDoc = a;
  return nDoc;
}

static void fail(const ds_error *e) {
  fprintf(stderr, "bench_tokenize: %s\n", e->msg);
  exit(1);
}

/* One pass of ds_parse_text over every document. */
static pass run_parse(const char *z, const doc_range *aDoc, size_t nDoc) {
  pass p = {0};
  ds_error e;
  double t0 = now();
  for (size_t i = 0; i < nDoc; i++) {
    ds_doc *d;
    if (ds_parse_text(z + aDoc[i].start, aDoc[i].n, NULL, &d, &e)) fail(&e);
    p.nTok += d->nTok;
    p.nSent += d->nSent;
    ds_doc_free(d);
  }
  p.t = now() - t0;
  return p;
}

/*
** The stages of ds_parse_text timed one by one. This mirrors ds_parse.c; main() checks
** that it gives the same token and sentence counts, so a new pipeline stage that this
** copy lacks shows up as a warning rather than as a silently wrong breakdown.
*/
static pass run_stages(const char *z, const doc_range *aDoc, size_t nDoc) {
  pass p = {0};
  ds_error e;
  for (size_t i = 0; i < nDoc; i++) {
    ds_doc *d = ds_doc_new();
    if (!d) { fprintf(stderr, "bench_tokenize: out of memory\n"); exit(1); }
    double t0 = now();
    if (ds_read_text(z + aDoc[i].start, aDoc[i].n, NULL, d, &e)) fail(&e);
    double t1 = now();
    int rc = ds_tokenize(d);
    double t2 = now();
    if (rc == DS_OK) rc = ds_split_sentences(d);
    double t3 = now();
    if (rc) { fprintf(stderr, "bench_tokenize: out of memory\n"); exit(1); }
    p.tRead += t1 - t0;
    p.tTok += t2 - t1;
    p.tSent += t3 - t2;
    p.nTok += d->nTok;
    p.nSent += d->nSent;
    ds_doc_free(d);
  }
  return p;
}

typedef struct seg_count {
  const char *z;
  size_t nSeg, nTok;
} seg_count;

static int count_piece(void *ctx, size_t start, size_t end) {
  seg_count *c = ctx;
  char ch = c->z[start];
  (void)end;
  c->nSeg++;
  c->nTok += !(ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r');
  return 0;
}

/* One pass of the bare UAX #29 word splitter over every document. */
static pass run_uax29(const char *z, const doc_range *aDoc, size_t nDoc) {
  pass p = {0};
  double t0 = now();
  for (size_t i = 0; i < nDoc; i++) {
    seg_count c = {z + aDoc[i].start, 0, 0};
    if (ds_uax29_words(c.z, aDoc[i].n, count_piece, &c) != DS_OK) {
      fprintf(stderr, "bench_tokenize: ill-formed UTF-8 in document %zu\n", i + 1);
      exit(1);
    }
    p.nTok += c.nTok;
  }
  p.t = now() - t0;
  return p;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Print one table row from the times of `runs` passes (sorted in place). */
static void report(const char *zTool, size_t nByte, size_t nTok, size_t nSent, double *aT,
                   int runs) {
  qsort(aT, (size_t)runs, sizeof *aT, cmp_double);
  double best = aT[0];
  double med = runs % 2 ? aT[runs / 2] : (aT[runs / 2 - 1] + aT[runs / 2]) / 2;
  printf("%s\t%zu\t%zu\t%zu\t%d\t%.4f\t%.4f\t%.2f\t%.2f\t%.0f\t%.0f\n", zTool, nByte, nTok,
         nSent, runs, best, med, nByte / 1e6 / best, nByte / 1e6 / med, nTok / best,
         nTok / med);
}

int main(int argc, char **argv) {
  int runs = 3;
  size_t docBytes = 1000000;
  const char *zPath = NULL, *zOnly = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-d") && i + 1 < argc) docBytes = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-m") && i + 1 < argc) zOnly = argv[++i];
    else if (argv[i][0] == '-' || zPath) usage();
    else zPath = argv[i];
  }
  if (!zPath || runs < 1 || runs > MAX_RUNS || docBytes < 1) usage();
  int bParse = !zOnly || !strcmp(zOnly, "parse");
  int bStages = !zOnly || !strcmp(zOnly, "stages");
  int bUax29 = !zOnly || !strcmp(zOnly, "uax29");
  if (!bParse && !bStages && !bUax29) usage();

  char *z;
  size_t n;
  ds_error e;
  if (ds_read_file(zPath, &z, &n, &e)) fail(&e);
  doc_range *aDoc;
  size_t nDoc = cut_documents(z, n, docBytes, &aDoc);

  double aParse[MAX_RUNS], aRead[MAX_RUNS], aTok[MAX_RUNS], aSent[MAX_RUNS], aSeg[MAX_RUNS];
  pass parse = {0}, stages = {0}, seg = {0};
  for (int r = 0; bParse && r < runs; r++) {
    parse = run_parse(z, aDoc, nDoc);
    aParse[r] = parse.t;
  }
  for (int r = 0; bStages && r < runs; r++) {
    stages = run_stages(z, aDoc, nDoc);
    aRead[r] = stages.tRead;
    aTok[r] = stages.tTok;
    aSent[r] = stages.tSent;
  }
  for (int r = 0; bUax29 && r < runs; r++) {
    seg = run_uax29(z, aDoc, nDoc);
    aSeg[r] = seg.t;
  }

  printf("# bench_tokenize (dossier %s): %s, %zu bytes, %zu document%s cut at the first "
         "blank line after each %zu bytes, best and median of %d run%s\n",
         DS_VERSION, zPath, n, nDoc, nDoc == 1 ? "" : "s", docBytes, runs, runs == 1 ? "" : "s");
  if (bParse && bStages && (stages.nTok != parse.nTok || stages.nSent != parse.nSent))
    printf("# warning: the stage breakdown (%zu tokens, %zu sentences) differs from "
           "ds_parse_text (%zu, %zu): bench/bench_tokenize.c needs updating\n",
           stages.nTok, stages.nSent, parse.nTok, parse.nSent);
  printf("tool\tbytes\ttokens\tsentences\truns\tbest_s\tmedian_s\tMBps_best\tMBps_median"
         "\ttokps_best\ttokps_median\n");
  if (bParse) report("dossier ds_parse_text", n, parse.nTok, parse.nSent, aParse, runs);
  if (bStages) {
    report("  stage: reader (UTF-8, NFC, paragraphs)", n, stages.nTok, stages.nSent, aRead, runs);
    report("  stage: ds_tokenize", n, stages.nTok, stages.nSent, aTok, runs);
    report("  stage: ds_split_sentences", n, stages.nTok, stages.nSent, aSent, runs);
  }
  if (bUax29) report("dossier ds_uax29_words (UAX #29 only)", n, seg.nTok, 0, aSeg, runs);

  free(aDoc);
  ds_free(z);
  return 0;
}
