/*
** ds_sitelines.c -- lines repeated across the documents of one site (see ds_sitelines.h).
**
** A line is known by a 64-bit hash of its normalized form: two different lines of a site
** collide with odds of about n^2 / 2^65, and a collision only drops a line that also
** had to be repeated and sit among repeated lines (ds_clean.c).
*/
#include "ds_sitelines.h"

#include <stdio.h>
#include <string.h>

typedef struct entry {
  uint64_t h;           /* 0: empty slot */
  uint32_t nDocs;       /* documents the line was found in (0 once dropped by finish) */
  uint32_t lastDoc;     /* the last document that counted it, 1-based */
} entry;

struct ds_sitelines {
  entry *a;
  size_t nSlot, nUsed;  /* nSlot a power of two, at most half used */
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

/* Hash of the normalized line z[0..n), or 0 when the line is never counted. */
static uint64_t line_hash(const char *z, size_t n) {
  while (n > 0 && is_space((unsigned char)z[n - 1])) n--;
  size_t i = 0;
  while (i < n && is_space((unsigned char)z[i])) i++;
  if (n - i == 0 || n - i > DS_SITELINES_MAXLINE) return 0;
  uint64_t h = 14695981039346656037ull;
  int bLetter = 0, bSpace = 0;
  for (; i < n; i++) {
    unsigned char c = (unsigned char)z[i];
    if (is_space(c)) {
      bSpace = 1;
      continue;
    }
    if (bSpace) h = (h ^ ' ') * 1099511628211ull;
    bSpace = 0;
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
    if ((c >= 'a' && c <= 'z') || c >= 0x80) bLetter = 1;
    h = (h ^ c) * 1099511628211ull;
  }
  if (!bLetter) return 0;
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
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

/* Count line z[0..n) for the current document. */
static int count_line(ds_sitelines *s, const char *z, size_t n) {
  uint64_t h = line_hash(z, n);
  if (!h) return DS_OK;
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

/* Count the first (bFromEnd = 0) or last DS_SITELINES_ZONE non-blank lines of z[0..n). */
static int count_zone(ds_sitelines *s, const char *z, size_t n, int bFromEnd) {
  size_t nSeen = 0;
  if (!bFromEnd) {
    for (size_t a = 0; a < n && nSeen < DS_SITELINES_ZONE;) {
      const char *nl = memchr(z + a, '\n', n - a);
      size_t b = nl ? (size_t)(nl - z) : n;
      if (nonblank(z, a, b)) {
        nSeen++;
        if (count_line(s, z + a, b - a)) return DS_NOMEM;
      }
      a = b + 1;
    }
    return DS_OK;
  }
  for (size_t b = n; b > 0 && nSeen < DS_SITELINES_ZONE;) {
    size_t a = b;
    while (a > 0 && z[a - 1] != '\n') a--;
    if (nonblank(z, a, b)) {
      nSeen++;
      if (count_line(s, z + a, b - a)) return DS_NOMEM;
    }
    b = a > 0 ? a - 1 : 0;
  }
  return DS_OK;
}

/* One document whose first lines are in head[0..nHead) and last lines in tail[0..nTail). */
static int add_ends(ds_sitelines *s, const char *zHead, size_t nHead, const char *zTail,
                    size_t nTail) {
  if (s->bFinished || s->nDocs == UINT32_MAX) return DS_OK;
  s->nDocs++;
  if (count_zone(s, zHead, nHead, 0)) return DS_NOMEM;
  return count_zone(s, zTail, nTail, 1);
}

int ds_sitelines_add(ds_sitelines *s, const char *z, size_t n) {
  return add_ends(s, z, n, z, n);
}

int ds_sitelines_add_file(ds_sitelines *s, const char *zPath, ds_error *e) {
  FILE *f = fopen(zPath, "rb");
  if (!f) return ds_error_set(e, DS_IO, -1, "%s: cannot read", zPath);
  char *zBuf = ds_malloc(2 * DS_SITELINES_PEEK);
  if (!zBuf) {
    fclose(f);
    return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zPath);
  }
  size_t nHead = fread(zBuf, 1, 2 * DS_SITELINES_PEEK, f), nTail = 0;
  int rc = ferror(f) ? DS_IO : DS_OK;
  const char *zTail = zBuf;
  if (rc == DS_OK && nHead == 2 * DS_SITELINES_PEEK) {
    /* a large file: its first PEEK bytes to the last whole line, and its last PEEK
       bytes from the first whole line */
    nHead = DS_SITELINES_PEEK;
    while (nHead > 0 && zBuf[nHead - 1] != '\n') nHead--;
    if (fseek(f, -(long)DS_SITELINES_PEEK, SEEK_END) == 0) {
      nTail = fread(zBuf + DS_SITELINES_PEEK, 1, DS_SITELINES_PEEK, f);
      if (ferror(f)) rc = DS_IO;
      zTail = zBuf + DS_SITELINES_PEEK;
      const char *nl = memchr(zTail, '\n', nTail);
      size_t skip = nl ? (size_t)(nl - zTail) + 1 : nTail;
      zTail += skip;
      nTail -= skip;
    } else {
      rc = DS_IO;
    }
  } else {
    nTail = nHead;
  }
  fclose(f);
  if (rc == DS_OK && add_ends(s, zBuf, nHead, zTail, nTail)) rc = DS_NOMEM;
  ds_free(zBuf);
  if (rc == DS_IO) return ds_error_set(e, DS_IO, -1, "%s: cannot read", zPath);
  if (rc) return ds_error_set(e, rc, -1, "%s: out of memory", zPath);
  return DS_OK;
}

void ds_sitelines_finish(ds_sitelines *s, size_t minDocs, double minShare) {
  for (size_t k = 0; k < s->nSlot; k++) {
    entry *p = &s->a[k];
    if (p->h && (p->nDocs < minDocs || (double)p->nDocs < minShare * s->nDocs)) p->nDocs = 0;
  }
  s->bFinished = 1;
}

size_t ds_sitelines_count(const ds_sitelines *s, const char *z, size_t n) {
  if (!s || !s->bFinished) return 0;
  uint64_t h = line_hash(z, n);
  return h ? slot(s, h)->nDocs : 0;
}

size_t ds_sitelines_ndocs(const ds_sitelines *s) { return s ? s->nDocs : 0; }
