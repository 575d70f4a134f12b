/*
** bench_recognize.c -- single-thread throughput of the recognizers (ds_recognize.h)
** beside parsing alone, and how their time grows with the input on texts made to be
** hard for them.
**
**   bench_recognize [-n RUNS] [-d DOC_BYTES] FILE
**
** FILE (UTF-8 text) is read once and cut into documents at the first blank line at or
** after DOC_BYTES bytes (default 16000, near the sample files' mean of 13 KB). Each
** measurement runs over every document RUNS times (default 3); best and median are
** reported:
**   parse          ds_parse_text + ds_doc_free
**   parse+recognize the same with ds_recognize (every recognizer) between
**   <recognizer>   one ds_find_* alone, on documents parsed beforehand (its spans are
**                  removed again after each document, outside the clock)
**   all            ds_recognize alone, the same way
** Then the scaling table: documents of 100 KB to 6.4 MB made of one pattern repeated
** (open parentheses, quotation marks that never close, currency signs, years after `in`,
** speech verbs between quotations), ds_recognize alone, nanoseconds per token: figures
** that stay level as the size grows 64-fold mean linear time.
**
** Output: "#" comment lines, then tab-separated tables with a header line. Time is
** CLOCK_MONOTONIC wall time; nothing is asserted (this reports, it never fails).
*/
#include "ds_parse.h"
#include "ds_reader.h"
#include "ds_recognize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 100

typedef struct doc_range { size_t start, n; } doc_range;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *z) {
  fprintf(stderr, "bench_recognize: %s\n", z);
  exit(1);
}

/* Cut z[0..n) into documents ending after a blank line at or past `target` bytes. */
static size_t cut_documents(const char *z, size_t n, size_t target, doc_range **paDoc) {
  size_t nDoc = 0, nAlloc = 16, start = 0;
  doc_range *a = malloc(nAlloc * sizeof *a);
  if (!a) die("out of memory");
  while (start < n) {
    size_t end = start + target < n ? start + target : n;
    while (end < n && !(end >= 2 && z[end - 1] == '\n' && z[end - 2] == '\n')) end++;
    if (nDoc == nAlloc) {
      doc_range *p = realloc(a, 2 * nAlloc * sizeof *a);
      if (!p) die("out of memory");
      a = p;
      nAlloc *= 2;
    }
    a[nDoc++] = (doc_range){start, end - start};
    start = end;
  }
  *paDoc = a;
  return nDoc;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* One recognizer, run alone. */
typedef struct rec { const char *zName; int (*x)(ds_doc *); } rec;
static int find_dates(ds_doc *d) { return ds_find_dates(d, "2021-11-15"); }
static int find_all(ds_doc *d) { return ds_recognize(d, "2021-11-15"); }
static const rec aRec[] = {
  {"ds_find_dates", find_dates}, {"ds_find_money", ds_find_money},
  {"ds_find_percent", ds_find_percent}, {"ds_find_citations", ds_find_citations},
  {"ds_find_urls", ds_find_urls}, {"ds_find_quotes", ds_find_quotes},
  {"all (ds_recognize)", find_all}};

static void row(const char *zTool, size_t nByte, size_t nTok, size_t nSpan, int nRun, double *aT) {
  qsort(aT, (size_t)nRun, sizeof *aT, cmp_double);
  double best = aT[0], med = aT[nRun / 2];
  printf("%s\t%zu\t%zu\t%zu\t%d\t%.4f\t%.4f\t%.2f\t%.0f\t%.0f\n", zTool, nByte, nTok, nSpan, nRun,
         best, med, (double)nByte / best / 1e6, (double)nTok / best, (double)nTok / med);
}

/* A document of about n bytes: zUnit repeated. */
static char *repeat(const char *zUnit, size_t n, size_t *pn) {
  size_t k = strlen(zUnit), m = n / k + 1;
  char *z = malloc(m * k + 1);
  if (!z) die("out of memory");
  for (size_t i = 0; i < m; i++) memcpy(z + i * k, zUnit, k);
  z[m * k] = 0;
  *pn = m * k;
  return z;
}

static void scaling(void) {
  static const struct { const char *zName, *zUnit; } aPat[] = {
    {"open parentheses", "(Smith and ( Jones, "},
    {"unclosed quotes", "\xE2\x80\x9C he said \xE2\x80\x98 so "},
    {"currency signs", "$ 5 and $5 to $ "},
    {"years after in", "in 2019 in 2020, "},
    {"speech and quotes", "Putin said \xE2\x80\x9Cwe will build it now\xE2\x80\x9D and "},
    {"citation-like", "(Kendall-Taylor et al., 2020, p. 106 & 112; "},
  };
  printf("\n# scaling: ds_recognize alone on one document of a repeated pattern\n");
  printf("pattern\tbytes\ttokens\tspans\tns_per_token\n");
  for (size_t p = 0; p < sizeof aPat / sizeof aPat[0]; p++) {
    for (size_t n = 100000; n <= 6400000; n *= 4) {
      size_t nz;
      char *z = repeat(aPat[p].zUnit, n, &nz);
      ds_doc *d;
      ds_error e;
      if (ds_parse_text(z, nz, "bench", &d, &e)) die(e.msg);
      double best = 1e9;
      for (int r = 0; r < 3; r++) {
        while (d->nSpan) ds_doc_remove_span(d, d->nSpan - 1);
        d->spanVals.n = 0;
        double t0 = now();
        if (ds_recognize(d, NULL)) die("recognize failed");
        double t = now() - t0;
        if (t < best) best = t;
      }
      printf("%s\t%zu\t%zu\t%zu\t%.1f\n", aPat[p].zName, nz, d->nTok, d->nSpan, best * 1e9 / (double)d->nTok);
      ds_doc_free(d);
      free(z);
    }
  }
}

int main(int argc, char **argv) {
  int nRun = 3;
  size_t docBytes = 16000;
  const char *zFile = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) nRun = atoi(argv[++i]);
    else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) docBytes = (size_t)atol(argv[++i]);
    else zFile = argv[i];
  }
  if (!zFile || nRun < 1 || nRun > MAX_RUNS || docBytes == 0)
    die("usage: bench_recognize [-n RUNS] [-d DOC_BYTES] FILE");
  char *z;
  size_t n;
  ds_error e;
  if (ds_read_file(zFile, &z, &n, &e)) die(e.msg);
  doc_range *aDoc;
  size_t nDoc = cut_documents(z, n, docBytes, &aDoc);
  ds_doc **apDoc = calloc(nDoc, sizeof *apDoc);
  if (!apDoc) die("out of memory");
  size_t nTok = 0, nSpan = 0;
  for (size_t k = 0; k < nDoc; k++) {
    if (ds_parse_text(z + aDoc[k].start, aDoc[k].n, "bench", &apDoc[k], &e)) die(e.msg);
    nTok += apDoc[k]->nTok;
  }
  printf("# %s: %zu bytes, %zu documents of about %zu bytes, %zu tokens, %d runs\n", zFile, n, nDoc,
         docBytes, nTok, nRun);
  printf("tool\tbytes\ttokens\tspans\truns\tbest_s\tmedian_s\tMBps_best\ttokps_best\ttokps_median\n");
  double aT[MAX_RUNS];
  /* parsing alone, and parsing with every recognizer */
  for (int bRec = 0; bRec < 2; bRec++) {
    for (int r = 0; r < nRun; r++) {
      double t0 = now();
      nSpan = 0;
      for (size_t k = 0; k < nDoc; k++) {
        ds_doc *d;
        if (ds_parse_text(z + aDoc[k].start, aDoc[k].n, "bench", &d, &e)) die(e.msg);
        if (bRec && ds_recognize(d, "2021-11-15")) die("recognize failed");
        nSpan += d->nSpan;
        ds_doc_free(d);
      }
      aT[r] = now() - t0;
    }
    row(bRec ? "parse+recognize" : "parse", n, nTok, nSpan, nRun, aT);
  }
  /* each recognizer alone, and all of them, on the parsed documents */
  for (size_t x = 0; x < sizeof aRec / sizeof aRec[0]; x++) {
    for (int r = 0; r < nRun; r++) {
      double t = 0;
      nSpan = 0;
      for (size_t k = 0; k < nDoc; k++) {
        ds_doc *d = apDoc[k];
        double t0 = now();
        if (aRec[x].x(d)) die("recognize failed");
        t += now() - t0;
        nSpan += d->nSpan;
        while (d->nSpan) ds_doc_remove_span(d, d->nSpan - 1);
        d->spanVals.n = 0;
      }
      aT[r] = t;
    }
    row(aRec[x].zName, n, nTok, nSpan, nRun, aT);
  }
  for (size_t k = 0; k < nDoc; k++) ds_doc_free(apDoc[k]);
  free(apDoc);
  free(aDoc);
  ds_free(z);
  scaling();
  return 0;
}
