/*
** fuzz_uax29.c -- the UAX #29 word and sentence splitters on arbitrary bytes.
** Contract (ds_uax29.h): valid UTF-8 gives pieces that cover the input exactly;
** ill-formed input gives DS_UTF8, and what was reported before ends at or before the
** first bad byte. The iterators must agree with the callbacks.
*/
#include "ds_uax29.h"
#include "ds_utf8.h"
#include "fuzz.h"

typedef struct seen {
  size_t n;         /* input length */
  size_t end;       /* end of the last piece */
  size_t count;     /* pieces so far */
  size_t *a;        /* their ends, to compare with the iterator */
} seen;

static int on_piece(void *ctx, size_t start, size_t end) {
  seen *p = ctx;
  FUZZ_CHECK(start == p->end && start < end && end <= p->n);
  p->a[p->count++] = end;
  p->end = end;
  return 0;
}

static void check(const char *z, size_t n, int64_t bad, int words) {
  seen s = {n, 0, 0, malloc((n + 1) * sizeof(size_t))};
  int rc = words ? ds_uax29_words(z, n, on_piece, &s)
                 : ds_uax29_sentences(z, n, on_piece, &s);
  if (bad < 0) FUZZ_CHECK(rc == DS_OK && s.end == n);
  else FUZZ_CHECK(rc == DS_UTF8 && s.end <= (size_t)bad);

  /* the same pieces from the iterator, then the same end state for good */
  ds_wordbreak wb;
  ds_sentbreak sb;
  size_t a, e, k = 0, iErr;
  if (words) ds_wordbreak_init(&wb, z, n);
  else ds_sentbreak_init(&sb, z, n);
  while ((rc = words ? ds_wordbreak_next(&wb, &a, &e) : ds_sentbreak_next(&sb, &a, &e)) == DS_OK) {
    FUZZ_CHECK(k < s.count && e == s.a[k]);
    k++;
  }
  FUZZ_CHECK(k == s.count && rc == (bad < 0 ? DS_DONE : DS_UTF8));
  iErr = words ? wb.iErr : sb.iErr;
  if (bad >= 0) FUZZ_CHECK(iErr >= (size_t)bad && iErr < n);
  FUZZ_CHECK((words ? ds_wordbreak_next(&wb, &a, &e) : ds_sentbreak_next(&sb, &a, &e)) == rc);
  free(s.a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* libFuzzer's data is a heap block of exactly `size` bytes: ASan sees any overread */
  const char *z = (const char *)data;
  int64_t bad = ds_utf8_check(z, size);
  check(z, size, bad, 1);
  check(z, size, bad, 0);
  return 0;
}
