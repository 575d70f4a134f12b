/*
** fuzz_langdata.c -- ds_langdata_load (the line reader of ds_lines.c, the string map of
** ds_strmap.c) on arbitrary word lists and furniture lists, then
** ds_langdata_is_word and ds_langdata_boilerplate on the input's lines. Input: byte 0
** bit 0 set: the rest is en-words.txt (beside a one-line boilerplate.txt), else it is
** boilerplate.txt (beside a short word list). A refused file is DS_FORMAT with a
** message naming it and its line; a phrase found must be in the line, ignoring case.
*/
#include "ds_langdata.h"
#include "fuzz.h"

#include <ctype.h>
#include <sys/stat.h>

static char zDir[256];

static void put(const char *zFile, const void *p, size_t n) {
  char z[512];
  snprintf(z, sizeof z, "%s/%s", zDir, zFile);
  FILE *f = fopen(z, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f)) abort();
}

static void cleanup(void) {
  char z[512];
  if (!fuzz_is_owner()) return;
  snprintf(z, sizeof z, "%s/en-words.txt", zDir);
  remove(z);
  snprintf(z, sizeof z, "%s/boilerplate.txt", zDir);
  remove(z);
  rmdir(zDir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *zTmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(zDir, sizeof zDir, "%s/dossier-fuzz-langdata-%ld", zTmp, (long)getpid());
  if (mkdir(zDir, 0700) && errno != EEXIST) abort();
  fuzz_owner = getpid();
  atexit(cleanup);
  return 0;
}

/* Is the phrase z inside line[0..n), ignoring ASCII case? */
static int inside(const char *z, const char *zLine, size_t n) {
  size_t m = strlen(z);
  for (size_t k = 0; k + m <= n; k++) {
    size_t j = 0;
    while (j < m && tolower((unsigned char)zLine[k + j]) == (unsigned char)z[j]) j++;
    if (j == m) return 1;
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char zWords[] = "# a comment\ncountry\ngather\nrelationship\n";
  static const char zPhrases[] = "line\tShare this\ncontains\tall rights reserved\n";
  if (size == 0) return 0;
  const char *z = (const char *)data + 1;
  size_t n = size - 1;
  if (data[0] & 1) {
    put("en-words.txt", z, n);
    put("boilerplate.txt", zPhrases, sizeof zPhrases - 1);
  } else {
    put("en-words.txt", zWords, sizeof zWords - 1);
    put("boilerplate.txt", z, n);
  }
  ds_langdata *ld;
  ds_error e;
  int rc = ds_langdata_load(zDir, &ld, &e);
  if (rc) {
    FUZZ_CHECK(ld == NULL && e.code == rc && rc == DS_FORMAT);
    FUZZ_CHECK(strstr(e.msg, data[0] & 1 ? "en-words.txt:" : "boilerplate.txt:"));
    return 0;
  }
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && z[j] != '\n') j++;
    (void)ds_langdata_is_word(ld, z + i, j - i);
    const char *zFound = ds_langdata_boilerplate(ld, z + i, j - i);
    FUZZ_CHECK(!zFound || (*zFound && inside(zFound, z + i, j - i)));
    i = j + 1;
  }
  /* the file the input did not replace still works */
  if (data[0] & 1) FUZZ_CHECK(ds_langdata_boilerplate(ld, "Share this:", 11) != NULL);
  else FUZZ_CHECK(ds_langdata_is_word(ld, "Countries", 9) == 1);
  ds_langdata_free(ld);
  return 0;
}
