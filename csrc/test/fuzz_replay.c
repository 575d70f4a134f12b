/*
** fuzz_replay.c -- run a libFuzzer target's LLVMFuzzerTestOneInput on saved inputs,
** without libFuzzer (so without clang): `make ctest` links it with each
** csrc/fuzz/fuzz_<name>.c and replays spec/fuzz-regressions/<name>/ and
** csrc/fuzz/seeds/<name>/ on every `make test`.
**
**   build/replay_<name> FILE_OR_DIRECTORY...
**
** LLVMFuzzerInitialize runs once, if the target has one; then each input runs in a
** child process of its own, with a time limit, so an input that crashes, trips a
** FUZZ_CHECK (abort) or hangs is named and the others still run. Exit status 1 if any
** failed. Built with the sanitizers (make asan), the children report what they find.
*/
#include "../fuzz/fuzz.h"

#include <sys/stat.h>
#include <sys/wait.h>

/* The target's optional initialization (libFuzzer's convention: a weak symbol). */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { REPLAY_SECONDS = 20 };   /* per input; libFuzzer's -timeout in run.sh is 10 */

/* Run one input in a child; 0 when it passed, else prints why it did not. */
static int replay_one(const char *zFile) {
  char *z;
  size_t n;
  ds_error e;
  if (ds_read_file(zFile, &z, &n, &e)) {
    fprintf(stderr, "replay: %s\n", e.msg);
    return 1;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "replay: fork: %s\n", strerror(errno));
    ds_free(z);
    return 1;
  }
  if (pid == 0) {
    alarm(REPLAY_SECONDS);
    /* a copy of exactly n bytes: a read past the input is then a read past a block */
    uint8_t *p = malloc(n ? n : 1);
    if (!p) _exit(2);
    memcpy(p, z, n);
    LLVMFuzzerTestOneInput(p, n);
    free(p);
    ds_free(z);
    exit(0);   /* exit, not _exit: LeakSanitizer and the targets' atexit run */
  }
  ds_free(z);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  if (WIFSIGNALED(status))
    fprintf(stderr, "replay: %s: %s\n", zFile,
            WTERMSIG(status) == SIGALRM ? "timed out" : strsignal(WTERMSIG(status)));
  else
    fprintf(stderr, "replay: %s: exit status %d\n", zFile, WEXITSTATUS(status));
  return 1;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay a file, or each file of a directory in name order; adds to *pn and *pBad. */
static void replay_path(const char *zPath, int *pn, int *pBad) {
  struct stat st;
  if (stat(zPath, &st) != 0) {
    fprintf(stderr, "replay: %s: %s\n", zPath, strerror(errno));
    (*pBad)++;
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    (*pn)++;
    *pBad += replay_one(zPath);
    return;
  }
  DIR *dir = opendir(zPath);
  struct dirent *ent;
  char **az = NULL;
  size_t nName = 0;
  while (dir && (ent = readdir(dir)) != NULL) {
    if (ent->d_name[0] == '.') continue;
    char **a = realloc(az, (nName + 1) * sizeof *az);
    size_t len = strlen(zPath) + strlen(ent->d_name) + 2;
    if (!a || !(a[nName] = malloc(len))) abort();
    az = a;
    snprintf(az[nName++], len, "%s/%s", zPath, ent->d_name);
  }
  if (dir) closedir(dir);
  qsort(az, nName, sizeof *az, by_name);
  for (size_t i = 0; i < nName; i++) {
    (*pn)++;
    *pBad += replay_one(az[i]);
    free(az[i]);
  }
  free(az);
}

int main(int argc, char **argv) {
  int n = 0, bad = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; i++) replay_path(argv[i], &n, &bad);
  printf("%s: %d inputs, %d failed\n", argv[0], n, bad);
  return bad ? 1 : 0;
}
