/*
** ds_sitelines.c -- lines repeated across the documents of one site (see ds_sitelines.h).
**
** A line is known by a 64-bit hash of its normalized form: two different lines of a site
** collide with odds of about n^2 / 2^65, and a collision only drops a line that also
** had to be repeated and sit among repeated lines (ds_clean.c).
*/
#include "ds_sitelines.h"
#include "ds_hash.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct entry {
  uint64_t h;           /* 0: empty slot */
  uint32_t nDocs;       /* documents the line was found in (0 once dropped by finish) */
  uint32_t lastDoc;     /* the last document that counted it, 1-based */
} entry;

struct ds_sitelines {
  entry *a;
  size_t nSlot, nUsed;  /* nSlot a power of two, at most half used */
  size_t nKept;         /* lines kept by finish (none: a count needs no hash) */
  uint32_t nDocs;
  int bFinished;
};

ds_sitelines *ds_sitelines_new(void) {
  ds_sitelines *s = ds_malloc(sizeof *s);
  if (!s) return NULL;
  memset(s, 0, sizeof *s);
  s->nSlot = 256;
  s->a = ds_malloc_n(s->nSlot, sizeof *s->a);
  if (!s->a) {
    ds_free(s);
    return NULL;
  }
  memset(s->a, 0, s->nSlot * sizeof *s->a);
  return s;
}

void ds_sitelines_free(ds_sitelines *s) {
  if (!s) return;
  ds_free(s->a);
  ds_free(s);
}

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* Byte kinds for line_hash: white space (is_space), letters (ASCII, or any byte of a
   multi-byte character), the rest. */
enum { B_OTHER, B_SPACE, B_LETTER };
static unsigned char aByteKind[256];
static pthread_once_t kindsOnce = PTHREAD_ONCE_INIT;

static void init_kinds(void) {
  for (unsigned c = 0; c < 256; c++)
    aByteKind[c] = is_space((unsigned char)c) ? B_SPACE
                 : ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80 ? B_LETTER : B_OTHER;
}

/*
** Hash of the normalized line z[0..n), or 0 when the line is never counted. The line is
** normalized into a buffer first, then hashed 8 bytes at a time: a byte-at-a-time hash
** waited on a multiplication per byte.
*/
static uint64_t line_hash(const char *z, size_t n) {
  while (n > 0 && is_space((unsigned char)z[n - 1])) n--;
  size_t i = 0;
  while (i < n && is_space((unsigned char)z[i])) i++;
  if (n - i == 0 || n - i > DS_SITELINES_MAXLINE) return 0;
  pthread_once(&kindsOnce, init_kinds);
  unsigned char a[DS_SITELINES_MAXLINE + 8];
  size_t k = 0;
  unsigned kinds = 0, bSpace = 0;
  /* without branches (white space comes every few bytes, unpredictably): each byte is
     written, and kept unless it is white space; a run of white space is one space,
     written before the byte that ends it */
  for (; i < n; i++) {
    unsigned char c = (unsigned char)z[i];
    unsigned kind = aByteKind[c], bKeep = kind != B_SPACE;
    a[k] = ' ';
    k += bSpace & bKeep;
    a[k] = (unsigned char)(c + (((unsigned)c - 'A' < 26u) << 5));
    k += bKeep;
    bSpace = !bKeep;
    kinds |= 1u << kind;
  }
  if (!(kinds & 1u << B_LETTER)) return 0;
  uint64_t h = ds_hash64(a, k);
  return h ? h : 1;
}

static entry *slot(const ds_sitelines *s, uint64_t h) {
  size_t mask = s->nSlot - 1;
  for (size_t k = (size_t)h & mask;; k = (k + 1) & mask)
    if (s->a[k].h == h || s->a[k].h == 0) return &s->a[k];
}

static int grow(ds_sitelines *s) {
  ds_sitelines old = *s;
  s->nSlot *= 2;
  s->a = ds_malloc_n(s->nSlot, sizeof *s->a);
  if (!s->a) {
    *s = old;
    return DS_NOMEM;
  }
  memset(s->a, 0, s->nSlot * sizeof *s->a);
  for (size_t k = 0; k < old.nSlot; k++)
    if (old.a[k].h) *slot(s, old.a[k].h) = old.a[k];
  ds_free(old.a);
  return DS_OK;
}

/* Count the line of hash h (not 0) for the current document. */
static int count_hash(ds_sitelines *s, uint64_t h) {
  entry *p = slot(s, h);
  if (p->h == 0) {
    if (2 * (s->nUsed + 1) > s->nSlot) {
      if (grow(s)) return DS_NOMEM;
      p = slot(s, h);
    }
    p->h = h;
    s->nUsed++;
  }
  if (p->lastDoc != s->nDocs) {           /* once per document */
    p->lastDoc = s->nDocs;
    p->nDocs++;
  }
  return DS_OK;
}

/* Is z[a..b) a line with something besides white space? */
static int nonblank(const char *z, size_t a, size_t b) {
  while (a < b && is_space((unsigned char)z[a])) a++;
  return a < b;
}

/* The non-blank lines a head zone saw: where each starts and its hash (0: not counted). */
typedef struct zone_seen {
  size_t n;
  int bAll;             /* they are every non-blank line of the text */
  size_t aStart[DS_SITELINES_ZONE];
  uint64_t aHash[DS_SITELINES_ZONE];
} zone_seen;

/*
** The hashes of the first (bFromEnd = 0) or last DS_SITELINES_ZONE non-blank lines of
** z[0..n) into aOut (lines never counted left out); returns how many. The head zone
** records its lines in *pSeen; the tail zone of the same text takes those lines from it
** once it reaches them (a short document's zones are the same lines: each is found and
** hashed once).
*/
static size_t zone_hashes(const char *z, size_t n, int bFromEnd, uint64_t *aOut, zone_seen *pSeen) {
  size_t nSeen = 0, nOut = 0;
  if (!bFromEnd) {
    size_t a = 0;
    while (a < n && nSeen < DS_SITELINES_ZONE) {
      const char *nl = memchr(z + a, '\n', n - a);
      size_t b = nl ? (size_t)(nl - z) : n;
      if (nonblank(z, a, b)) {
        uint64_t h = line_hash(z + a, b - a);
        pSeen->aStart[nSeen] = a;
        pSeen->aHash[nSeen] = h;
        nSeen++;
        if (h) aOut[nOut++] = h;
      }
      a = b + 1;
    }
    pSeen->n = nSeen;
    pSeen->bAll = a >= n;
    return nOut;
  }
  /* from the end back to the head's last line, if it is met, then the head's lines */
  int bMet = pSeen && pSeen->n && pSeen->bAll;
  for (size_t b = n; b > 0 && nSeen < DS_SITELINES_ZONE && !bMet;) {
    size_t a = b;
    while (a > 0 && z[a - 1] != '\n') a--;
    if (pSeen && pSeen->n && pSeen->aStart[pSeen->n - 1] == a) {
      bMet = 1;
      break;
    }
    if (nonblank(z, a, b)) {
      nSeen++;
      uint64_t h = line_hash(z + a, b - a);
      if (h) aOut[nOut++] = h;
    }
    b = a > 0 ? a - 1 : 0;
  }
  for (size_t k = bMet ? pSeen->n : 0; k > 0 && nSeen < DS_SITELINES_ZONE; k--) {
    nSeen++;
    if (pSeen->aHash[k - 1]) aOut[nOut++] = pSeen->aHash[k - 1];
  }
  return nOut;
}

/* The hashes of a document's zone lines: first lines from zHead[0..nHead), last from zTail. */
static size_t end_hashes(const char *zHead, size_t nHead, const char *zTail, size_t nTail,
                         uint64_t aOut[2 * DS_SITELINES_ZONE]) {
  zone_seen seen;
  size_t k = zone_hashes(zHead, nHead, 0, aOut, &seen);
  int bSame = zHead == zTail && nHead == nTail;
  return k + zone_hashes(zTail, nTail, 1, aOut + k, bSame ? &seen : NULL);
}

/* Count one more document whose zone lines have the hashes a[0..n). */
static int add_hashes(ds_sitelines *s, const uint64_t *a, size_t n) {
  if (s->bFinished || s->nDocs == UINT32_MAX) return DS_OK;
  s->nDocs++;
  for (size_t i = 0; i < n; i++)
    if (count_hash(s, a[i])) return DS_NOMEM;
  return DS_OK;
}

int ds_sitelines_add(ds_sitelines *s, const char *z, size_t n) {
  uint64_t a[2 * DS_SITELINES_ZONE];
  return add_hashes(s, a, end_hashes(z, n, z, n, a));
}

/* Read up to n bytes into z, from the file's position (off < 0) or at offset off: how
   many (fewer at the end of the file), or -1 on an error. */
static ssize_t read_upto(int fd, char *z, size_t n, off_t off) {
  size_t got = 0;
  while (got < n) {
    ssize_t k = off < 0 ? read(fd, z + got, n - got) : pread(fd, z + got, n - got, off + (off_t)got);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return -1;
    if (k == 0) break;
    got += (size_t)k;
  }
  return (ssize_t)got;
}

/*
** Read the ends of the open file fd into zBuf (2 * DS_SITELINES_PEEK bytes): its first
** lines in zHead[0..nHead), its last in zTail[0..nTail) (the same bytes for a small
** file), the first bytes as read in zBuf[0..*pnRaw). DS_OK or DS_IO. (A descriptor, not
** stdio: thousands of small files, and a FILE costs an allocation and a stat each.)
*/
static int read_ends(int fd, char *zBuf, const char **pzHead, size_t *pnHead,
                     const char **pzTail, size_t *pnTail, size_t *pnRaw) {
  ssize_t got = read_upto(fd, zBuf, 2 * DS_SITELINES_PEEK, -1);
  if (got < 0) return DS_IO;
  size_t nHead = (size_t)got, nTail;
  const char *zTail = zBuf;
  *pnRaw = nHead;
  if (nHead == 2 * DS_SITELINES_PEEK) {
    /* a large file: its first PEEK bytes to the last whole line, and its last PEEK
       bytes from the first whole line */
    nHead = DS_SITELINES_PEEK;
    while (nHead > 0 && zBuf[nHead - 1] != '\n') nHead--;
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < (off_t)DS_SITELINES_PEEK) return DS_IO;
    got = read_upto(fd, zBuf + DS_SITELINES_PEEK, DS_SITELINES_PEEK, end - (off_t)DS_SITELINES_PEEK);
    if (got < 0) return DS_IO;
    nTail = (size_t)got;
    zTail = zBuf + DS_SITELINES_PEEK;
    const char *nl = memchr(zTail, '\n', nTail);
    size_t skip = nl ? (size_t)(nl - zTail) + 1 : nTail;
    zTail += skip;
    nTail -= skip;
  } else {
    nTail = nHead;
  }
  *pzHead = zBuf;
  *pnHead = nHead;
  *pzTail = zTail;
  *pnTail = nTail;
  return DS_OK;
}

int ds_sitelines_add_file(ds_sitelines *s, const char *zPath, ds_error *e) {
  ds_filepeek peek;
  const unsigned char flags = DS_PEEK_LINES;
  int rc = ds_sitelines_peek_files(&zPath, &flags, 1, 1, &peek);
  if (rc == DS_OK && peek.why == DS_PEEK_UNREAD) rc = DS_IO;
  if (rc == DS_OK) rc = ds_sitelines_add_peek(s, &peek);
  if (rc == DS_IO) return ds_error_set(e, DS_IO, -1, "%s: cannot read", zPath);
  if (rc) return ds_error_set(e, rc, -1, "%s: out of memory", zPath);
  return DS_OK;
}

int ds_sitelines_add_peek(ds_sitelines *s, const ds_filepeek *p) {
  return add_hashes(s, p->aHash, p->nHash);
}

/* Lua's %s: the white space of the C locale */
static int is_blank_byte(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Look at file zPath as aFlags asks; zBuf: 2 * DS_SITELINES_PEEK bytes of scratch. */
static void peek_one(const char *zPath, unsigned flags, char *zBuf, ds_filepeek *p) {
  p->why = DS_PEEK_OK;
  p->nHash = 0;
  int fd = open(zPath, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    p->why = DS_PEEK_UNREAD;
    return;
  }
  const char *zHead, *zTail;
  size_t nHead, nTail, nRaw;
  int rc = read_ends(fd, zBuf, &zHead, &nHead, &zTail, &nTail, &nRaw);
  close(fd);
  if (rc) {
    p->why = DS_PEEK_UNREAD;
    return;
  }
  size_t nLook = nRaw < DS_PEEK_HEAD ? nRaw : DS_PEEK_HEAD;
  size_t i = 0;
  while (i < nLook && is_blank_byte((unsigned char)zBuf[i])) i++;
  const unsigned char *u = (const unsigned char *)zBuf;
  int bBom16 = nLook >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF));
  if (i == nLook) p->why = DS_PEEK_EMPTY;
  else if ((flags & DS_PEEK_NUL) && !bBom16 && memchr(zBuf, 0, nLook)) p->why = DS_PEEK_BINARY;
  if (p->why != DS_PEEK_BINARY && (flags & DS_PEEK_LINES))
    p->nHash = (unsigned)end_hashes(zHead, nHead, zTail, nTail, p->aHash);
}

typedef struct peekjob {
  const char *const *azPath;
  const unsigned char *aFlags;
  ds_filepeek *aOut;
  size_t n;
  atomic_size_t next;          /* the next file to look at */
  atomic_int bStop;            /* out of memory or interrupted */
} peekjob;

static void *peek_worker(void *pArg) {
  peekjob *j = pArg;
  char *zBuf = ds_malloc(2 * DS_SITELINES_PEEK);
  if (!zBuf) {
    atomic_store(&j->bStop, DS_NOMEM);
    return NULL;
  }
  unsigned nTick = 0;
  for (;;) {
    size_t i = atomic_fetch_add(&j->next, 1);
    if (i >= j->n || atomic_load(&j->bStop)) break;
    if (ds_interrupt_due(&nTick, 63)) {
      atomic_store(&j->bStop, DS_INTERRUPTED);
      break;
    }
    peek_one(j->azPath[i], j->aFlags ? j->aFlags[i] : DS_PEEK_LINES, zBuf, &j->aOut[i]);
  }
  ds_free(zBuf);
  return NULL;
}

int ds_sitelines_peek_files(const char *const *azPath, const unsigned char *aFlags, size_t n,
                            int nJobs, ds_filepeek *aOut) {
  peekjob j = {.azPath = azPath, .aFlags = aFlags, .aOut = aOut, .n = n};
  atomic_init(&j.next, 0);
  atomic_init(&j.bStop, 0);
  pthread_t aThread[64];
  int nThread = 0;
  /* the caller's thread works too: nJobs - 1 more, and none for a handful of files */
  int nMore = nJobs > 64 ? 63 : nJobs - 1;
  if ((size_t)nMore > n / 16) nMore = (int)(n / 16);
  while (nThread < nMore && ds_thread_start(&aThread[nThread], peek_worker, &j) == 0) nThread++;
  peek_worker(&j);
  for (int t = 0; t < nThread; t++) pthread_join(aThread[t], NULL);
  return atomic_load(&j.bStop);
}

void ds_sitelines_finish(ds_sitelines *s, size_t minDocs, double minShare) {
  s->nKept = 0;
  for (size_t k = 0; k < s->nSlot; k++) {
    entry *p = &s->a[k];
    if (p->h && (p->nDocs < minDocs || (double)p->nDocs < minShare * s->nDocs)) p->nDocs = 0;
    if (p->h && p->nDocs) s->nKept++;
  }
  s->bFinished = 1;
}

size_t ds_sitelines_count(const ds_sitelines *s, const char *z, size_t n) {
  if (!s || !s->bFinished || !s->nKept) return 0;     /* (a site without repeated lines) */
  uint64_t h = line_hash(z, n);
  return h ? slot(s, h)->nDocs : 0;
}

size_t ds_sitelines_ndocs(const ds_sitelines *s) { return s ? s->nDocs : 0; }
