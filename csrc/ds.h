/*
** ds.h -- dossier's C core: version, status codes, errors, allocation.
**
** Every core function returns a status (DS_OK or a DS_* error code) and puts its
** outputs in the last arguments. A function that can fail for a reason worth telling
** the user also takes a `ds_error *` and fills it: code, a message naming the file,
** line or query position, and a byte offset when one applies. The core never includes
** lua.h; the Lua binding (lds_*.c) only translates.
*/
#ifndef DS_H
#define DS_H

#include <stddef.h>
#include <stdint.h>

#define DS_VERSION "0.1.0"

/* Store format version, written to the `meta` table of every corpus file. */
#define DS_FORMAT_VERSION 6   /* 6: spans of the recognizers, with their values */

/* Ask for the cache line at p ahead of its use (a hint: nothing where the compiler has none). */
#if defined(__GNUC__)
#define DS_PREFETCH(p) __builtin_prefetch(p)
#else
#define DS_PREFETCH(p) ((void)0)
#endif

/* Status codes. DS_OK is 0; everything else is a failure, except DS_DONE and DS_NOTFOUND. */
enum {
  DS_OK = 0,
  DS_DONE,     /* an iteration or callback stopped early; not an error */
  DS_NOMEM,    /* out of memory */
  DS_IO,       /* file could not be read or written */
  DS_UTF8,     /* input is not valid UTF-8 (offset set) */
  DS_FORMAT,   /* input is not in the expected format (binary, empty, ...) */
  DS_SQL,      /* SQLite failed */
  DS_CORRUPT,  /* a corpus file is damaged or not a dossier corpus */
  DS_VERSION_MISMATCH, /* a corpus file of a newer format */
  DS_QUERY,    /* malformed query (offset set) */
  DS_MISUSE,   /* bad argument or call order */
  DS_ABORT,    /* stopped by a callback */
  DS_LIMIT,    /* a documented limit was exceeded */
  DS_NOTFOUND, /* a lookup found nothing (a string, a document); not an error */
  DS_INTERRUPTED /* stopped by an interrupt (Ctrl-C, ds_interrupt): message "interrupted" */
};

/* What went wrong, for a person: filled by the function that failed. */
typedef struct ds_error {
  int code;             /* DS_* status */
  int64_t offset;       /* byte offset in the input, or -1 */
  char msg[512];        /* full message, NUL-terminated */
} ds_error;

/* Name of a status code ("nomem", "utf8", ...). */
const char *ds_status_name(int code);

/*
** Interrupts (Ctrl-C in the REPL and the command line): a signal handler calls
** ds_interrupt(), which only sets a flag (async-signal-safe, and safe to read from any
** thread); long loops look at it with ds_interrupt_due at a cheap stride (every few
** hundred documents, starts or positions) and stop with ds_interrupt_error: status
** DS_INTERRUPTED, message "interrupted". What they stop leaves no partial result: a
** write is rolled back by its caller. The flag stays set until ds_interrupt_clear().
**
**   unsigned nTick = 0;
**   for (...; rc == DS_OK; ...) {
**     if (ds_interrupt_due(&nTick, 255)) rc = ds_interrupt_error(e);
**     ...
**   }
*/
void ds_interrupt(void);
int ds_interrupted(void);
void ds_interrupt_clear(void);

/* Set e to DS_INTERRUPTED, "interrupted"; returns DS_INTERRUPTED. Safe with NULL e. */
int ds_interrupt_error(ds_error *e);

/* Whether to stop: every (mask + 1)th call, by the caller's counter *pn, the flag is read. */
static inline int ds_interrupt_due(unsigned *pn, unsigned mask) {
  return (++*pn & mask) == 0 && ds_interrupted();
}

/*
** For tests: the flag rises by itself at the nth look at it from now (n 0: never), as if
** Ctrl-C came then; ds_interrupt_looks() counts the looks since. Lets a test interrupt a
** loop at a known point and see how much more work it did before it stopped.
*/
void ds_interrupt_after(int64_t n);
int64_t ds_interrupt_looks(void);

/*
** Start a worker thread (pthread_create's arguments, *pThread a pthread_t) that never
** takes SIGINT: Ctrl-C is then always handled on the caller's thread, whose handler
** (the binding's) must finish before that thread answers the interrupt, or a handler
** running late on a worker could re-arm what the caller has already answered.
** Returns pthread_create's result.
*/
int ds_thread_start(void *pThread, void *(*xRun)(void *), void *pArg);

/* Reset an error to "no error". Safe with NULL. */
void ds_error_clear(ds_error *e);

/*
** Record an error (printf-style message) and return `code`, so callers can write
** `return ds_error_set(e, DS_IO, -1, "cannot open %s", path);`. Safe with NULL `e`.
*/
int ds_error_set(ds_error *e, int code, int64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

/*
** Read the whole file zPath into a new buffer (*pz, NUL-terminated, freed with
** ds_free) of *pn bytes. Errors (DS_IO) name the file and the system's reason.
*/
int ds_read_file(const char *zPath, char **pz, size_t *pn, ds_error *e);

/*
** A pipe, socket or device zPath (anything that stat says is not a regular file or a
** directory) copied as it comes, a block at a time, to a new temporary file in $TMPDIR
** (else /tmp), so that it can be read as a file, in parts when large, with bounded
** memory: *pzTmp gets its path (the caller removes the file and ds_frees the path). A
** NUL byte stops the copy as soon as it arrives (DS_FORMAT, "binary file", as the readers
** say) unless the input starts with a UTF-16 byte order mark. For anything else (a
** regular file, a directory, a path stat cannot see) *pzTmp is NULL and nothing is read.
** Errors: DS_IO (naming the input or the temporary directory), DS_FORMAT, DS_ABORT
** (interrupted).
*/
int ds_spool(const char *zPath, char **pzTmp, ds_error *e);

/*
** Allocation. All core memory goes through these, so tests can inject failures.
** ds_set_allocator(NULL, NULL, NULL) restores malloc/realloc/free.
*/
void *ds_malloc(size_t n);
void *ds_realloc(void *p, size_t n);
void ds_free(void *p);
void ds_set_allocator(void *(*xMalloc)(size_t), void *(*xRealloc)(void *, size_t),
                      void (*xFree)(void *));

/*
** Checked sizes: the sum or product of two sizes in *pn and DS_OK, or DS_NOMEM (*pn
** untouched) when it does not fit in size_t. A size computed from a count never wraps.
*/
static inline int ds_size_add(size_t a, size_t b, size_t *pn) {
  if (a > SIZE_MAX - b) return DS_NOMEM;
  *pn = a + b;
  return DS_OK;
}
static inline int ds_size_mul(size_t a, size_t b, size_t *pn) {
  if (b && a > SIZE_MAX / b) return DS_NOMEM;
  *pn = a * b;
  return DS_OK;
}

/*
** Arrays of n elements of `size` bytes: ds_malloc and ds_realloc of n * size, or NULL
** (as when memory is short, nothing freed) when that product would wrap.
*/
void *ds_malloc_n(size_t n, size_t size);
void *ds_realloc_n(void *p, size_t n, size_t size);

/*
** Make the array *pa, with room for *pnAlloc elements of `size` bytes, hold at least
** `need`: its room doubles from nFirst (or from *pnAlloc) until it does. DS_OK, or
** DS_NOMEM with *pa and *pnAlloc unchanged when memory is short or the size would wrap.
*/
int ds_grow(void **pa, size_t *pnAlloc, size_t need, size_t size, size_t nFirst);

#endif
