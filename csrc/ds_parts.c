/*
** ds_parts.c -- a large plain-text input in parts (see ds_parts.h).
*/
#include "ds_parts.h"
#include "ds_extract.h"
#include "ds_offmap.h"
#include "ds_parse.h"
#include "ds_store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int io_error(ds_error *e, const char *zName) {
  return ds_error_set(e, DS_IO, -1, "%s: cannot read: %s", zName, strerror(errno));
}

int ds_parts_open(ds_parts *p, const char *zPath, const char *z, size_t n, const ds_read_opts *o,
                  size_t nPart, ds_lemma_memo *pMemo, ds_error *e) {
  memset(p, 0, sizeof *p);
  p->fd = -1;
  p->buf = (ds_buf)DS_BUF_INIT;
  p->ro = *o;
  p->pMemo = pMemo;
  p->nPart = nPart ? nPart : DS_PART_BYTES;
  if (p->nPart < 16) p->nPart = 16;         /* room for a character and a byte order mark */
  if (!p->ro.zName) p->ro.zName = zPath ? zPath : "<text>";
  if (o->format != DS_FMT_TEXT)
    return ds_error_set(e, DS_MISUSE, -1, "%s: only plain text is read in parts", p->ro.zName);
  if (zPath) {
    p->fd = open(zPath, O_RDONLY);
    if (p->fd < 0) return io_error(e, zPath);
  } else {
    p->z = z;
    p->n = n;
  }
  return DS_OK;
}

void ds_parts_close(ds_parts *p) {
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
  ds_buf_free(&p->buf);
}

/* Bytes read beyond a chunk: enough to see what the next chunk would start with. */
#define LOOKAHEAD 4

/* Fill buf up to nPart bytes after the prefix, and LOOKAHEAD more (or to the end). */
static int fill(ds_parts *p, ds_error *e) {
  size_t want = p->nPre + p->nPart + p->nGrow + LOOKAHEAD;
  if (p->bEof || p->buf.n >= want) return DS_OK;
  if (ds_buf_reserve(&p->buf, want - p->buf.n))
    return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", p->ro.zName);
  while (p->buf.n < want) {
    size_t k = want - p->buf.n;
    if (p->fd < 0) {
      if (k > p->n - p->iz) k = p->n - p->iz;
      memcpy(p->buf.p + p->buf.n, p->z + p->iz, k);
      p->iz += k;
      p->buf.n += k;
      if (p->iz == p->n) p->bEof = 1;
    } else {
      ssize_t got = read(p->fd, p->buf.p + p->buf.n, k);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return io_error(e, p->ro.zName);
      if (got == 0) p->bEof = 1;
      p->buf.n += (size_t)got;
    }
    if (p->bEof) break;
  }
  /* the encoding, from the byte order mark at the start of the input */
  if (p->base == 0 && p->enc == 0 && p->buf.n >= 2) {
    if (p->buf.p[0] == 0xFF && p->buf.p[1] == 0xFE) p->enc = 1;
    else if (p->buf.p[0] == 0xFE && p->buf.p[1] == 0xFF) p->enc = 2;
  }
  return DS_OK;
}

/* Where a chunk of buf may end (before the prefix's end: none): not inside a character,
   a surrogate pair or a CR LF. */
static size_t safe_end(const ds_parts *p) {
  const unsigned char *b = p->buf.p;
  size_t m = p->buf.n - LOOKAHEAD, lo = p->nPre;     /* (not at the end: buf is full) */
  if (p->enc) {
    size_t from = p->base == 0 ? 2 : lo;       /* the units start after the mark */
    if (m < from) return lo;
    m -= (m - from) & 1;
    if (m >= from + 2) {
      unsigned u = p->enc == 1 ? (unsigned)(b[m - 1] << 8 | b[m - 2]) : (unsigned)(b[m - 2] << 8 | b[m - 1]);
      if ((u >= 0xD800 && u <= 0xDBFF) || u == '\r') m -= 2;
    }
    return m;
  }
  if (p->ro.bLatin1) return m > lo && b[m - 1] == '\r' ? m - 1 : m;
  size_t i = m;
  while (i > lo && m - i < 4 && (b[i - 1] & 0xC0) == 0x80) i--;
  if (i > lo && b[i - 1] >= 0xC0) {              /* a lead byte: is its sequence whole? */
    size_t len = b[i - 1] >= 0xF0 ? 4 : b[i - 1] >= 0xE0 ? 3 : 2;
    if (i - 1 + len > m) m = i - 1;
  }
  if (m > lo && b[m - 1] == '\r') m--;
  return m;
}

/*
** Would a chunk of 8-bit input starting at buf[i] begin with what the reader takes for a
** byte order mark (FF FE, FE FF: UTF-16; EF BB BF: dropped)? Inside the input such bytes
** are text (or invalid), so no chunk may start there. Bytes that may begin one at the end
** of buf count too.
*/
static int bom_at(const ds_parts *p, size_t i) {
  static const unsigned char aBom[3][3] = {{0xFF, 0xFE, 0}, {0xFE, 0xFF, 0}, {0xEF, 0xBB, 0xBF}};
  if (p->enc) return 0;
  for (int k = 0; k < 3; k++) {
    size_t len = k < 2 ? 2 : 3, j = 0;
    while (j < len && i + j < p->buf.n && p->buf.p[i + j] == aBom[k][j]) j++;
    if (j == len || i + j == p->buf.n) return j > 0 || i == p->buf.n;
  }
  return 0;
}

/* Count the line ends and the bytes after the last in the n input bytes consumed. */
static void advance_lines(ds_parts *p, size_t n) {
  const unsigned char *b = p->buf.p + p->nPre;
  size_t step = p->enc ? 2 : 1, i = p->base == 0 && p->enc ? 2 : 0;
  for (; i + step <= n; i += step) {
    unsigned u = p->enc == 1 ? (unsigned)(b[i + 1] << 8 | b[i])
               : p->enc == 2 ? (unsigned)(b[i] << 8 | b[i + 1]) : b[i];
    if (u == '\n' && p->bPrevCR) p->col = 0;    /* CR LF: one line end, already counted */
    else if (u == '\n' || u == '\r') { p->line++; p->col = 0; }
    else p->col += step;
    p->bPrevCR = u == '\r';
  }
}

/* Is token t the first of a paragraph of d? */
static int para_starts_at(const ds_doc *d, uint32_t t) {
  for (size_t i = d->nPara; i-- > 0;) {
    if (d->aPara[i].tok.first == t && d->aPara[i].tok.last > t) return 1;
    if (d->aPara[i].tok.first < t) break;
  }
  return 0;
}

/*
** Does a character of the input start at buf[i]? A token's start inside a stretch that
** NFC changed maps there proportionally (ds_offmap.h), perhaps into a character, a UTF-16
** code unit or a surrogate pair.
*/
static int char_start(const ds_parts *p, size_t i) {
  const unsigned char *b = p->buf.p;
  if (i >= p->buf.n) return 1;
  if (p->enc) {
    if (i & 1 || i + 1 >= p->buf.n) return (i & 1) == 0;
    unsigned u = p->enc == 1 ? (unsigned)(b[i + 1] << 8 | b[i]) : (unsigned)(b[i] << 8 | b[i + 1]);
    return u < 0xDC00 || u > 0xDFFF;                 /* not the second of a pair */
  }
  return p->ro.bLatin1 || (b[i] & 0xC0) != 0x80;
}

/*
** May d be cut before token tc, at raw offset *pRaw of the chunk? Every token before tc
** must come from bytes before it and every token from tc on from bytes after it (moved
** footnotes do not), a character must start there, and the next chunk must not start
** like a byte order mark.
*/
static int cut_ok(const ds_parts *p, const ds_doc *d, uint32_t tc, size_t *pRaw) {
  ds_offmap m = {d->aMap, d->nMap, d->nMap};
  if (!d->aMap || tc == 0 || tc >= d->nTok) return 0;
  size_t raw = ds_offmap_start(&m, d->aTok[tc].start);
  if (raw <= p->nPre || !char_start(p, raw) || bom_at(p, raw)) return 0;
  for (size_t t = 0; t < d->nTok; t++) {
    if (t < tc ? ds_offmap_end(&m, d->aTok[t].end) > raw : ds_offmap_start(&m, d->aTok[t].start) < raw)
      return 0;
  }
  *pRaw = raw;
  return 1;
}

/*
** Where to cut a chunk that is not the input's last: before the last paragraph in its
** second half, else the last sentence there, else the last token. *pFlags: how the part
** after the cut joins this one. 0 if there is no cut to make (keep it all).
*/
static uint32_t choose_cut(const ds_parts *p, const ds_doc *d, size_t *pRaw, int *pFlags) {
  size_t half = d->nText / 2;
  int nTry = 8;                                 /* cut_ok reads every token: a few tries */
  for (size_t i = d->nPara; i-- > 1;) {
    const ds_para *pa = &d->aPara[i];
    if (pa->tok.first == pa->tok.last) continue;
    if (d->aTok[pa->tok.first].start < half) break;
    if (cut_ok(p, d, pa->tok.first, pRaw)) { *pFlags = 0; return pa->tok.first; }
    break;
  }
  for (size_t s = d->nSent; s-- > 1;) {
    uint32_t t = d->aSent[s].first;
    if (d->aTok[t].start < half || nTry-- == 0) break;
    if (cut_ok(p, d, t, pRaw)) {
      *pFlags = para_starts_at(d, t) ? 0 : DS_PART_JOIN_PARA;
      return t;
    }
  }
  nTry = 8;
  for (uint32_t t = (uint32_t)d->nTok; t-- > 1;) {
    if (d->aTok[t].start < half || nTry-- == 0) break;
    if (cut_ok(p, d, t, pRaw)) {
      *pFlags = DS_PART_JOIN_SENT | (para_starts_at(d, t) ? 0 : DS_PART_JOIN_PARA);
      return t;
    }
  }
  return 0;
}

/* Keep only d's tokens before tc (and the text before token tc), and the changes that
   happened before raw offset rawCut. */
static void trim(ds_doc *d, uint32_t tc, size_t rawCut) {
  size_t cut = d->aTok[tc].start;
  d->nTok = tc;
  d->nText = cut;
  d->zText[cut] = 0;
  while (d->nSent > 0 && d->aSent[d->nSent - 1].first >= tc) d->nSent--;
  if (d->nSent > 0 && d->aSent[d->nSent - 1].last > tc) d->aSent[d->nSent - 1].last = tc;
  while (d->nPara > 0 && (d->aPara[d->nPara - 1].tok.first >= tc || d->aPara[d->nPara - 1].start >= cut))
    d->nPara--;
  if (d->nPara > 0) {
    ds_para *pa = &d->aPara[d->nPara - 1];
    if (pa->tok.last > tc) pa->tok.last = tc;
    if (pa->end > cut) pa->end = (uint32_t)cut;
  }
  /* the map covers the text kept, no more (its cut segment keeps its ratio) */
  size_t nMap = 0;
  while (nMap < d->nMap && d->aMap[nMap].out < cut) {
    ds_offseg *g = &d->aMap[nMap++];
    if (g->out + g->nOut > cut) {
      uint32_t k = (uint32_t)(cut - g->out);
      g->nIn = (uint32_t)((uint64_t)g->nIn * k / g->nOut);
      g->nOut = k;
    }
  }
  d->nMap = nMap;
  size_t k = 0;
  for (size_t i = 0; i < d->nChange; i++)
    if (d->aChange[i].start < (int64_t)rawCut) d->aChange[k++] = d->aChange[i];
  d->nChange = k;
}

/*
** Invalid UTF-8 in the chunk buf[0..m): but a NUL byte anywhere makes the input a binary
** file, as when it is read whole (ds_reader.h), so look for one in the rest of it.
*/
static int later_nul(ds_parts *p, size_t m, ds_error *e) {
  ds_error e2;
  int64_t at = p->base - (int64_t)p->nPre;      /* input offset of buf[0] */
  for (;;) {
    const unsigned char *nul = memchr(p->buf.p + m, 0, p->buf.n - m);
    if (nul) {
      int64_t off = at + (nul - p->buf.p);
      return ds_error_set(e, DS_FORMAT, off, "%s: binary file (NUL byte at byte %lld)",
                          p->ro.zName, (long long)off);
    }
    if (p->bEof) return DS_UTF8;                /* e says where the bad byte is */
    at += (int64_t)p->buf.n;
    p->buf.n = m = 0;
    p->nPre = 0;
    if (fill(p, &e2)) return DS_UTF8;
  }
}

int ds_parts_next(ds_parts *p, ds_doc **pd, int *pFlags, int64_t *pRawBase, ds_error *e) {
  *pd = NULL;
again:;
  int rc = fill(p, e);
  if (rc) return rc;
  if (p->buf.n <= p->nPre) return DS_DONE;
  size_t m = p->bEof ? p->buf.n : safe_end(p);
  /* (not where the next chunk would start like a byte order mark: a character earlier) */
  while (!p->bEof && m > p->nPre && bom_at(p, m)) {
    m--;
    while (!p->ro.bLatin1 && m > p->nPre && (p->buf.p[m] & 0xC0) == 0x80) m--;
  }
  if (m <= p->nPre) m = p->buf.n;               /* no boundary at all: take what there is */
  int bLast = m == p->buf.n && p->bEof;
  ds_read_opts ro = p->ro;
  ro.pTagger = NULL;                            /* tagged once cut */
  ro.pExtract = NULL;                           /* and recognized after */
  ro.rawBase = p->base - (int64_t)p->nPre;
  ro.lineBase = p->line;
  ro.colBase = p->col;
  ds_doc *d;
  rc = ds_parse_and_tag((const char *)p->buf.p, m, &ro, &d, e);
  if (rc == DS_UTF8 && !p->enc) return later_nul(p, m, e);
  if (rc) return rc;
  size_t used = m;                              /* bytes of buf this part takes */
  int next = 0;
  if (!bLast) {
    size_t raw;
    uint32_t tc = choose_cut(p, d, &raw, &next);
    if (tc) {
      trim(d, tc, raw);
      used = raw;
    } else {
      /* no token boundary to cut at in the chunk's second half (a token longer than half
         a part): never cut a token, so token counts do not depend on the part size;
         read more for this chunk, as much as the token takes */
      ds_doc_free(d);
      if (p->nGrow > SIZE_MAX / 4 - p->nPart) return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", p->ro.zName);
      p->nGrow = p->nGrow ? 2 * p->nGrow : p->nPart;
      goto again;
    }
  }
  p->nGrow = 0;
  /* the changes' places in the whole input */
  for (size_t i = 0; i < d->nChange; i++) {
    d->aChange[i].start += ro.rawBase;            /* 64-bit: past 4 GB too */
    d->aChange[i].end += ro.rawBase;
    d->aChange[i].line += (int64_t)p->line;
  }
  if (p->ro.pTagger && d->nTok) rc = ds_annotate_memo(d, p->ro.pTagger, p->ro.pLemma, p->pMemo, e);
  if (rc == DS_OK && p->ro.pExtract && d->nTok) rc = ds_extract(d, p->ro.pExtract, p->ro.zDate, e);
  if (rc) {
    ds_doc_free(d);
    return rc;
  }
  *pFlags = p->flags;
  *pRawBase = ro.rawBase;
  p->flags = next;
  /* drop what was used, keeping (after the first part) a byte order mark for UTF-16 */
  size_t nIn = used - p->nPre;
  advance_lines(p, nIn);
  size_t nPre = p->enc ? 2 : 0;
  memmove(p->buf.p + nPre, p->buf.p + used, p->buf.n - used);
  if (nPre) memcpy(p->buf.p, p->enc == 1 ? "\xFF\xFE" : "\xFE\xFF", 2);
  p->buf.n = nPre + p->buf.n - used;
  p->base += (int64_t)nIn;
  p->nPre = nPre;
  *pd = d;
  return DS_OK;
}
