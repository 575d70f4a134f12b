/*
** ds_kwic.c -- key word in context (see ds_kwic.h).
*/
#include "ds_kwic.h"
#include "ds_utf8.h"

#include <string.h>

/* One line's bytes: the window's text z, the left context z[l..a), the match z[a..b), the
   right context z[b..r) (valid until the next window of the corpus). */
typedef struct kwic_cut {
  const char *z;
  size_t l, a, b, r;
} kwic_cut;

/* Does document d hold the match [first, last] whole? */
static int doc_holds(const ds_docinfo *d, int64_t first, int64_t last) {
  return d && first >= d->cpos && last < d->cpos + d->nTok && last >= first;
}

/* The document k holding the match [first, last], or an error if no one document does. */
static int match_doc(ds_corpus *c, int64_t first, int64_t last, int64_t *pk, ds_error *e) {
  int64_t k = ds_corpus_doc_at(c, first);
  const ds_docinfo *d = k >= 0 ? ds_corpus_doc(c, (size_t)k) : NULL;
  if (!doc_holds(d, first, last))
    return ds_error_set(e, DS_MISUSE, -1, "match %lld..%lld is not inside one document",
                        (long long)first, (long long)last);
  *pk = k;
  return DS_OK;
}

/* The cut of the match [first, last] of document k with `width` characters each side. */
static int cut_chars(ds_corpus *c, int64_t k, int64_t first, int64_t last, int width, kwic_cut *x,
                     ds_error *e) {
  const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
  /* the parts around the match: a token has at least one character, so `width` tokens
     on each side hold the context, and the window reaches the document's edges if it
     must */
  /* first a quarter as many tokens (English averages about five characters a token with
     its space: a fifth fell short, and was decoded again, for 5-20% of the lines), then
     twice as many while that falls short of `width` inside the document, up to `width` +
     1 (a token has a character at least) */
  int64_t w = width > 0 ? width : 0;
  ds_window win;
  const char *z;
  size_t nText, a, b, l, r;
  for (int64_t nTok = w / 4 + 2;; nTok = 2 * nTok < w + 1 ? 2 * nTok : w + 1) {
    int64_t t0 = first - d->cpos - nTok, t1 = last - d->cpos + nTok + 1;
    int rc = ds_corpus_window_exact(c, (size_t)k, t0 < 0 ? 0 : t0, t1 > d->nTok ? d->nTok : t1, 1, &win, e);
    if (rc) return rc;
    z = win.zText;
    nText = win.nText;
    int64_t base = d->cpos + win.first;
    a = win.aOff[2 * (first - base)], b = win.aOff[2 * (last - base) + 1];
    /* `width` code points back from a and forward from b, skipping continuation bytes */
    int nl = 0, nr = 0;
    for (l = a; nl < width && l > 0; nl++) {
      l--;
      while (l > 0 && ((unsigned char)z[l] & 0xC0) == 0x80) l--;
    }
    for (r = b; nr < width && r < nText; nr++) {
      r++;
      while (r < nText && ((unsigned char)z[r] & 0xC0) == 0x80) r++;
    }
    int bShortL = nl < width && win.first > 0;
    int bShortR = nr < width && win.first + (int64_t)win.n < d->nTok;
    if (nTok > w || !(bShortL || bShortR)) break;
  }
  *x = (kwic_cut){z, l, a, b, r};
  return DS_OK;
}

/* The cut of the match [first, last] of document k with nTok tokens each side. */
static int cut_tokens(ds_corpus *c, int64_t k, int64_t first, int64_t last, int nTok, kwic_cut *x,
                      ds_error *e) {
  const ds_docinfo *d = ds_corpus_doc(c, (size_t)k);
  int64_t w = nTok > 0 ? nTok : 0;
  int64_t t0 = first - d->cpos - w, t1 = last - d->cpos + w + 1;     /* [t0, t1) */
  if (t0 < 0) t0 = 0;
  if (t1 > d->nTok) t1 = d->nTok;
  ds_window win;
  int rc = ds_corpus_window_exact(c, (size_t)k, t0, t1, 1, &win, e);
  if (rc) return rc;
  int64_t base = d->cpos + win.first;
  if (t0 < win.first || t1 > win.first + (int64_t)win.n)
    return ds_error_set(e, DS_CORRUPT, -1, "a window misses tokens %lld..%lld", (long long)t0, (long long)t1);
  *x = (kwic_cut){win.zText, win.aOff[2 * (d->cpos + t0 - base)], win.aOff[2 * (first - base)],
                  win.aOff[2 * (last - base) + 1], win.aOff[2 * (d->cpos + t1 - 1 - base) + 1]};
  return DS_OK;
}

static int put_cut(const kwic_cut *x, ds_buf *pLeft, ds_buf *pMatch, ds_buf *pRight, ds_error *e) {
  ds_buf_put_flat(pLeft, x->z + x->l, x->a - x->l);
  ds_buf_put_flat(pMatch, x->z + x->a, x->b - x->a);
  ds_buf_put_flat(pRight, x->z + x->b, x->r - x->b);
  if (pLeft->rc || pMatch->rc || pRight->rc) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  return DS_OK;
}

int ds_corpus_kwic(ds_corpus *c, int64_t first, int64_t last, int width, ds_buf *pLeft,
                   ds_buf *pMatch, ds_buf *pRight, ds_error *e) {
  int64_t k = -1;
  kwic_cut x;
  int rc = match_doc(c, first, last, &k, e);
  if (rc == DS_OK) rc = cut_chars(c, k, first, last, width, &x, e);
  return rc ? rc : put_cut(&x, pLeft, pMatch, pRight, e);
}

int ds_corpus_kwic_tokens(ds_corpus *c, int64_t first, int64_t last, int nTok, ds_buf *pLeft,
                          ds_buf *pMatch, ds_buf *pRight, ds_error *e) {
  int64_t k = -1;
  kwic_cut x;
  int rc = match_doc(c, first, last, &k, e);
  if (rc == DS_OK) rc = cut_tokens(c, k, first, last, nTok, &x, e);
  return rc ? rc : put_cut(&x, pLeft, pMatch, pRight, e);
}

/* {====== lines as printed ====== */

/*
** The length of the UTF-8 sequence at z[0..n) as Lua's utf8.len takes it (strict: no
** overlong forms, surrogates or code points past U+10FFFF, as ds_utf8_check), or 0 when
** it is invalid.
*/
static size_t utf8_seq(const unsigned char *z, size_t n) {
  unsigned ch = z[0];
  size_t len = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
  return len <= n && ds_utf8_check((const char *)z, len) < 0 ? len : 0;
}

static const char hex[] = "0123456789ABCDEF";

/*
** Append z[0..n) as dossier.format's printable shows it (with bFlat, tabs and line
** breaks first made spaces, as its tsv_field does): each byte of invalid UTF-8 as U+FFFD,
** C0 controls but tab and line feed, and DEL, as \xHH, C1 controls as \u{HH}. Returns
** the width in code points of what it appended.
*/
static size_t put_printable(ds_buf *b, const char *z0, size_t n, int bFlat) {
  const unsigned char *z = (const unsigned char *)z0;
  if (ds_buf_reserve(b, 4 * n)) return 0;       /* at most 4 bytes out for one in */
  unsigned char *o = b->p + b->n;
  size_t w = 0;
  for (size_t i = 0; i < n;) {
    /* the common case, eight bytes at a time: printable ASCII (none >= 0x80, < 0x20, 0x7F) */
    if (n - i >= 8) {
      uint64_t v;
      memcpy(&v, z + i, 8);
      const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
      uint64_t vDel = v ^ (0x7F * ones);
      if (!((v | ((v - 0x20 * ones) & ~v) | ((vDel - ones) & ~vDel)) & highs)) {
        memcpy(o, &v, 8);
        o += 8, i += 8, w += 8;
        continue;
      }
    }
    unsigned ch = z[i];
    if (ch >= 0x20 && ch < 0x7F) {              /* printable ASCII */
      *o++ = (unsigned char)ch, i++, w++;
      continue;
    }
    if (ch < 0x80) {
      if (bFlat && (ch == '\t' || ch == '\n' || ch == '\r')) ch = ' ';
      if (ch < 0x20 && ch != '\t' && ch != '\n') {
        *o++ = '\\', *o++ = 'x', *o++ = (unsigned char)hex[ch >> 4], *o++ = (unsigned char)hex[ch & 15];
        w += 4;
      } else if (ch == 0x7F) {
        memcpy(o, "\\x7F", 4), o += 4, w += 4;
      } else {
        *o++ = (unsigned char)ch, w++;
      }
      i++;
      continue;
    }
    size_t len = utf8_seq(z + i, n - i);
    if (len == 0) {                             /* one bad byte: U+FFFD */
      memcpy(o, "\xEF\xBF\xBD", 3), o += 3, i++, w++;
    } else if (ch == 0xC2 && z[i + 1] < 0xA0) { /* U+0080..U+009F: \u{HH}, 2 bytes in, 6 out */
      memcpy(o, "\\u{", 3), o += 3;
      *o++ = (unsigned char)hex[z[i + 1] >> 4], *o++ = (unsigned char)hex[z[i + 1] & 15], *o++ = '}';
      i += 2, w += 6;
    } else {
      memcpy(o, z + i, len), o += len, i += len, w++;
    }
  }
  b->n = (size_t)(o - b->p);
  return w;
}

static void put_spaces(ds_buf *b, size_t n) {
  if (ds_buf_reserve(b, n)) return;
  memset(b->p + b->n, ' ', n);
  b->n += n;
}

/*
** Append the document name z as the text's document column: printable, cut to docw
** code points (the last of them "…") when wider, padded with spaces to docw.
*/
static void put_doc_column(ds_buf *b, const char *z, size_t docw) {
  size_t at = b->n, w = put_printable(b, z, strlen(z), 0);
  if (w > docw) {                              /* keep docw - 1 code points, then "…" */
    size_t i = at, nKeep = docw > 0 ? docw - 1 : 0;
    for (size_t m = 0; m < nKeep; m++)
      for (i++; i < b->n && (b->p[i] & 0xC0) == 0x80; i++) {}
    b->n = i;
    ds_buf_append(b, "\xE2\x80\xA6", 3);
    w = nKeep + 1;
  }
  if (w < docw) put_spaces(b, docw - w);
}

/*
** The documents of the lines, in order, a run of lines in one document counted once
** (*paK, *pnK: the caller frees *paK), and with pW the printable width of the widest of
** their names.
*/
static int line_docs(ds_corpus *c, const ds_match *a, size_t n, size_t **paK, size_t *pnK, size_t *pW,
                     ds_error *e) {
  size_t *aK = ds_malloc_n(n ? n : 1, sizeof *aK), nK = 0, wMax = 0;
  ds_buf tmp = DS_BUF_INIT;
  int rc = aK ? DS_OK : ds_error_set(e, DS_NOMEM, -1, "out of memory");
  const ds_docinfo *d = NULL;
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    if (doc_holds(d, a[i].first, a[i].last)) continue;
    int64_t k = -1;
    rc = match_doc(c, a[i].first, a[i].last, &k, e);
    if (rc) break;
    d = ds_corpus_doc(c, (size_t)k);
    aK[nK++] = (size_t)k;
    if (pW) {
      ds_buf_reset(&tmp);
      size_t w = put_printable(&tmp, d->zName, strlen(d->zName), 0);
      if (w > wMax) wMax = w;
    }
  }
  if (rc == DS_OK && tmp.rc) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  ds_buf_free(&tmp);
  if (rc) {
    ds_free(aK);
    return rc;
  }
  *paK = aK, *pnK = nK;
  if (pW) *pW = wMax;
  return DS_OK;
}

int ds_kwic_render(ds_corpus *c, const ds_match *a, size_t n, const ds_kwic_style *s, ds_buf *pOut,
                   ds_error *e) {
  size_t docw = s->docw >= 0 ? (size_t)s->docw : 0;
  size_t *aK = NULL, nK = 0, iK = 0;
  int rc = line_docs(c, a, n, &aK, &nK, s->eFormat == DS_KWIC_TEXT && s->docw < 0 ? &docw : NULL, e);
  if (rc == DS_OK) rc = ds_corpus_read_ahead(c, aK, nK, e);
  ds_buf left = DS_BUF_INIT;                   /* the left context, measured before it is padded */
  unsigned nTick = 0;
  int64_t k = -1;
  const ds_docinfo *d = NULL;
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    int64_t first = a[i].first, last = a[i].last;
    if (ds_interrupt_due(&nTick, 255)) {
      rc = ds_interrupt_error(e);
      break;
    }
    /* the document: the last line's again, or the next of line_docs's (the same test) */
    if (!doc_holds(d, first, last)) {
      k = (int64_t)aK[iK++];
      d = ds_corpus_doc(c, (size_t)k);
    }
    kwic_cut x;
    rc = s->nTok >= 0 ? cut_tokens(c, k, first, last, s->nTok, &x, e)
                      : cut_chars(c, k, first, last, s->width, &x, e);
    if (rc) break;
    if (i > 0) ds_buf_putc(pOut, '\n');
    if (s->eFormat == DS_KWIC_TSV) {
      put_printable(pOut, d->zName, strlen(d->zName), 1);
      ds_buf_printf(pOut, "\t%lld\t%lld\t", (long long)first, (long long)last);
      put_printable(pOut, x.z + x.l, x.a - x.l, 1);
      ds_buf_putc(pOut, '\t');
      put_printable(pOut, x.z + x.a, x.b - x.a, 1);
      ds_buf_putc(pOut, '\t');
      put_printable(pOut, x.z + x.b, x.r - x.b, 1);
    } else {
      put_doc_column(pOut, d->zName, docw);
      ds_buf_append(pOut, "  ", 2);
      ds_buf_reset(&left);
      size_t w = put_printable(&left, x.z + x.l, x.a - x.l, 1);
      if (s->width > 0 && w < (size_t)s->width) put_spaces(pOut, (size_t)s->width - w);
      ds_buf_append(pOut, left.p, left.n);
      ds_buf_putc(pOut, '[');
      put_printable(pOut, x.z + x.a, x.b - x.a, 1);
      ds_buf_putc(pOut, ']');
      put_printable(pOut, x.z + x.b, x.r - x.b, 1);
    }
    if (pOut->rc || left.rc) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  ds_corpus_read_ahead(c, NULL, 0, NULL);
  ds_free(aK);
  ds_buf_free(&left);
  return rc;
}

/* }====== */
