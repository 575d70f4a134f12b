/*
** ds.c -- status names, errors and the allocator hooks declared in ds.h.
*/
#include "ds.h"

#include <stdatomic.h>

#include "ds_buf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

static void *(*xMallocHook)(size_t) = malloc;
static void *(*xReallocHook)(void *, size_t) = realloc;
static void (*xFreeHook)(void *) = free;

void *ds_malloc(size_t n) { return xMallocHook(n ? n : 1); }
void *ds_realloc(void *p, size_t n) { return xReallocHook(p, n ? n : 1); }
void ds_free(void *p) { if (p) xFreeHook(p); }

void *ds_malloc_n(size_t n, size_t size) {
  size_t nb;
  return ds_size_mul(n, size, &nb) ? NULL : ds_malloc(nb);
}

void *ds_realloc_n(void *p, size_t n, size_t size) {
  size_t nb;
  return ds_size_mul(n, size, &nb) ? NULL : ds_realloc(p, nb);
}

int ds_grow(void **pa, size_t *pnAlloc, size_t need, size_t size, size_t nFirst) {
  if (need <= *pnAlloc) return DS_OK;
  size_t nNew = *pnAlloc ? *pnAlloc : (nFirst ? nFirst : 1);
  while (nNew < need) nNew = nNew > SIZE_MAX / 2 ? need : 2 * nNew;   /* never wraps */
  void *p = ds_realloc_n(*pa, nNew, size);
  if (!p && nNew > need) p = ds_realloc_n(*pa, nNew = need, size);   /* the doubling was too much */
  if (!p) return DS_NOMEM;
  *pa = p;
  *pnAlloc = nNew;
  return DS_OK;
}

void ds_set_allocator(void *(*xMalloc)(size_t), void *(*xRealloc)(void *, size_t),
                      void (*xFree)(void *)) {
  xMallocHook = xMalloc ? xMalloc : malloc;
  xReallocHook = xRealloc ? xRealloc : realloc;
  xFreeHook = xFree ? xFree : free;
}

const char *ds_status_name(int code) {
  switch (code) {
    case DS_OK: return "ok";
    case DS_DONE: return "done";
    case DS_NOTFOUND: return "notfound";
    case DS_NOMEM: return "out of memory";
    case DS_IO: return "i/o error";
    case DS_UTF8: return "invalid utf-8";
    case DS_FORMAT: return "bad format";
    case DS_SQL: return "sqlite error";
    case DS_CORRUPT: return "corrupt corpus";
    case DS_VERSION_MISMATCH: return "format version mismatch";
    case DS_QUERY: return "query error";
    case DS_MISUSE: return "misuse";
    case DS_ABORT: return "aborted";
    case DS_LIMIT: return "limit exceeded";
    case DS_INTERRUPTED: return "interrupted";
    default: return "unknown error";
  }
}

void ds_error_clear(ds_error *e) {
  if (!e) return;
  e->code = DS_OK;
  e->offset = -1;
  e->msg[0] = '\0';
}

int ds_error_set(ds_error *e, int code, int64_t offset, const char *fmt, ...) {
  if (e) {
    va_list ap;
    e->code = code;
    e->offset = offset;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

int ds_read_file(const char *zPath, char **pz, size_t *pn, ds_error *e) {
  struct stat st;
  char *z;
  *pz = NULL;
  *pn = 0;
  /* open, fstat and read: one look-up of the path and no stdio buffer (a corpus is
     thousands of small files) */
  int fd = open(zPath, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ds_error_set(e, DS_IO, -1, "%s: %s", zPath, strerror(errno));
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ds_error_set(e, DS_IO, -1, "%s: %s", zPath, strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return ds_error_set(e, DS_IO, -1, "%s: is a directory", zPath);
  }
  ds_buf b = DS_BUF_INIT;
  /* a regular file: room for its bytes, the NUL and one more, so that the read after the
     last meets the end without growing the buffer */
  if (S_ISREG(st.st_mode)) ds_buf_reserve(&b, (size_t)st.st_size + 2);
  int bad = 0;
  for (;;) {
    if ((b.cap - b.n < 2 && ds_buf_reserve(&b, 1 << 16)) || b.rc) break;
    ssize_t got = read(fd, b.p + b.n, b.cap - b.n - 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      bad = got < 0;
      break;
    }
    b.n += (size_t)got;
  }
  close(fd);
  if (b.rc) {
    ds_buf_free(&b);
    return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory reading the file", zPath);
  }
  if (bad) {
    ds_buf_free(&b);
    return ds_error_set(e, DS_IO, -1, "%s: read error", zPath);
  }
  z = (char *)b.p;
  if (!z) z = ds_malloc(1);
  if (!z) return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zPath);
  z[b.n] = '\0';
  *pz = z;
  *pn = b.n;
  return DS_OK;
}

/* Write z[0..n) to fd whole (short writes and EINTR retried); 0 or -1 (errno set). */
static int write_all(int fd, const char *z, size_t n) {
  while (n > 0) {
    ssize_t k = write(fd, z, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    z += k;
    n -= (size_t)k;
  }
  return 0;
}

int ds_spool(const char *zPath, char **pzTmp, ds_error *e) {
  struct stat st;
  *pzTmp = NULL;
  if (stat(zPath, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return DS_OK;
  const char *zDir = getenv("TMPDIR");
  if (!zDir || !*zDir) zDir = "/tmp";
  size_t nTmp = strlen(zDir) + 32;
  char *zTmp = ds_malloc(nTmp);
  if (!zTmp) return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zPath);
  int in = open(zPath, O_RDONLY);
  if (in < 0) {
    ds_free(zTmp);
    return ds_error_set(e, DS_IO, -1, "%s: %s", zPath, strerror(errno));
  }
  snprintf(zTmp, nTmp, "%s/dossier-spool-XXXXXX", zDir);
  int out = mkstemp(zTmp);
  if (out < 0) {
    int rc = ds_error_set(e, DS_IO, -1, "%s: cannot make a temporary copy in %s: %s", zPath, zDir,
                          strerror(errno));
    close(in);
    ds_free(zTmp);
    return rc;
  }
  enum { BLOCK = 1 << 16 };
  char *aBlock = ds_malloc(BLOCK);
  int64_t at = 0;                /* input bytes copied */
  unsigned char first = 0;       /* the input's first byte */
  int bUtf16 = 0, rc = aBlock ? DS_OK : ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zPath);
  while (rc == DS_OK) {
    if (ds_interrupted()) { rc = ds_error_set(e, DS_ABORT, -1, "interrupted"); break; }
    ssize_t got = read(in, aBlock, BLOCK);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) { rc = ds_error_set(e, DS_IO, -1, "%s: cannot read: %s", zPath, strerror(errno)); break; }
    if (got == 0) break;
    const unsigned char *u = (const unsigned char *)aBlock;
    if (at == 0) first = u[0];
    if (at <= 1 && at + got >= 2) {   /* the byte order mark, from the first two bytes */
      unsigned char second = u[1 - at];
      bUtf16 = (first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF);
    }
    const char *nul = bUtf16 ? NULL : memchr(aBlock, 0, (size_t)got);
    if (nul) {
      int64_t off = at + (nul - aBlock);
      rc = ds_error_set(e, DS_FORMAT, off, "%s: binary file (NUL byte at byte %lld)", zPath, (long long)off);
      break;
    }
    if (write_all(out, aBlock, (size_t)got)) {
      rc = ds_error_set(e, DS_IO, -1, "%s: cannot write its temporary copy %s: %s", zPath, zTmp, strerror(errno));
      break;
    }
    at += got;
  }
  ds_free(aBlock);
  close(in);
  if (close(out) != 0 && rc == DS_OK)
    rc = ds_error_set(e, DS_IO, -1, "%s: cannot write its temporary copy %s: %s", zPath, zTmp, strerror(errno));
  if (rc) {
    unlink(zTmp);
    ds_free(zTmp);
    return rc;
  }
  *pzTmp = zTmp;
  return DS_OK;
}

/* {====== interrupts ====== */

/* Atomics: the flag is set in a signal handler (on any thread) and read by workers. */
static atomic_int interrupt_flag;
static _Atomic int64_t interrupt_countdown;   /* tests: looks left before the flag rises */
static _Atomic int64_t interrupt_looks;       /* tests: looks since ds_interrupt_after */

void ds_interrupt(void) { atomic_store_explicit(&interrupt_flag, 1, memory_order_relaxed); }

int ds_interrupted(void) {
  if (atomic_load_explicit(&interrupt_countdown, memory_order_relaxed) > 0) {
    atomic_fetch_add_explicit(&interrupt_looks, 1, memory_order_relaxed);
    if (atomic_fetch_sub_explicit(&interrupt_countdown, 1, memory_order_relaxed) == 1) ds_interrupt();
  } else if (atomic_load_explicit(&interrupt_looks, memory_order_relaxed) > 0) {
    atomic_fetch_add_explicit(&interrupt_looks, 1, memory_order_relaxed);
  }
  return atomic_load_explicit(&interrupt_flag, memory_order_relaxed) != 0;
}

void ds_interrupt_clear(void) { atomic_store_explicit(&interrupt_flag, 0, memory_order_relaxed); }

int ds_thread_start(void *pThread, void *(*xRun)(void *), void *pArg) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &old);       /* the new thread inherits the mask */
  int rc = pthread_create((pthread_t *)pThread, NULL, xRun, pArg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

int ds_interrupt_error(ds_error *e) { return ds_error_set(e, DS_INTERRUPTED, -1, "interrupted"); }

void ds_interrupt_after(int64_t n) {
  atomic_store(&interrupt_looks, n > 0 ? 1 : 0);   /* 1: counting; the count is looks + 1 */
  atomic_store(&interrupt_countdown, n > 0 ? n : 0);
}

int64_t ds_interrupt_looks(void) {
  int64_t n = atomic_load(&interrupt_looks);
  return n > 0 ? n - 1 : 0;
}

/* }====== */
