/*
** tests.h -- the little there is to dossier's C test programs.
**
** Each test program is one .c file that includes this header, calls check() as often
** as it likes and ends main() with `return tests_report(argv[0]);`. A failed check
** prints file:line and the message to stderr and counts; nothing aborts, so one run
** shows every failure.
*/
#ifndef DS_TESTS_H
#define DS_TESTS_H

#include <stdio.h>

static int tests_run;       /* checks made */
static int tests_failed;    /* checks that failed */

/* Count a check; if `cond` is false, print the printf-style message and count a failure. */
#define check(cond, ...)                                                          \
  do {                                                                            \
    tests_run++;                                                                  \
    if (!(cond)) {                                                                \
      tests_failed++;                                                             \
      fprintf(stderr, "%s:%d: check failed: ", __FILE__, __LINE__);               \
      fprintf(stderr, __VA_ARGS__);                                               \
      fputc('\n', stderr);                                                        \
    }                                                                             \
  } while (0)

/* Print the totals; returns main's exit status (0 only if nothing failed). */
static inline int tests_report(const char *name) {
  printf("%s: %d checks, %d failed\n", name, tests_run, tests_failed);
  return tests_failed ? 1 : 0;
}

#endif
