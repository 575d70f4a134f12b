/*
** test_corpus.h -- what the C tests of corpus files share: a scratch corpus path to
** clear, the sample corpus's files, and counting a query's matches. Each test program defines zDb before including it.
*/
#ifndef DS_TEST_CORPUS_H
#define DS_TEST_CORPUS_H

#include "ds_query.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The sample corpus's .txt files (corpus/seeds), sorted, into az; their number. */
static inline size_t seed_files(char az[][256], size_t nMax) {
  DIR *d = opendir("corpus/seeds");
  struct dirent *de;
  size_t n = 0;
  while (d && (de = readdir(d)) && n < nMax) {
    size_t len = strlen(de->d_name);
    if (len > 4 && strcmp(de->d_name + len - 4, ".txt") == 0)
      snprintf(az[n++], 256, "corpus/seeds/%s", de->d_name);
  }
  if (d) closedir(d);
  qsort(az, n, 256, (int (*)(const void *, const void *))strcmp);
  return n;
}

/* Remove the scratch corpus zDb and what SQLite keeps beside it. */
static void remove_db(void) {
  char z[256];
  unlink(zDb);
  snprintf(z, sizeof z, "%s-wal", zDb);
  unlink(z);
  snprintf(z, sizeof z, "%s-shm", zDb);
  unlink(z);
}

/* Number of matches of zQuery, or -1 on error. */
static long count_matches(ds_corpus *c, const char *zQuery) {
  ds_query *q;
  ds_matchset ms = DS_MATCHSET_INIT;
  ds_error e;
  if (ds_query_compile(c, zQuery, &q, &e)) return -1;
  long n = ds_query_run(c, q, &ms, &e) ? -1 : (long)ms.n;
  ds_query_free(q);
  ds_matchset_free(&ms);
  return n;
}

#endif
