/*
** ds_markup.c -- what the HTML and Markdown readers (ds_markup.h) share: the block
** builder (blocks of plain text with their map to the input), aligning a node's text with
** the source bytes it was read from (character references, escapes), metadata. The
** readers are ds_markup_html.c and ds_markup_md.c.
*/
#include "ds_markupInt.h"
#include "ds_doc.h"

#include <string.h>

void ds_markup_free(ds_markup *m) {
  ds_buf_free(&m->text);
  ds_offmap_free(&m->map);
  ds_free(m->aHead);
  ds_buf_free(&m->meta);
  memset(m, 0, sizeof *m);
}

/* ====================== shared: blocks and metadata ====================== */

/*
** Append zAdd[0..nAdd) to the block, mapped as src maps its offsets [a, a+nAdd) (src
** NULL: text the reader inserts, mapped to nothing).
*/
void ds_markup_put_span(builder *b, const char *zAdd, size_t nAdd, size_t a, const ds_offmap *src) {
  static const ds_offmap none = DS_OFFMAP_INIT;
  if (ds_offmap_slice(src ? src : &none, a, a + nAdd, b->block.n, &b->map)) b->rc = DS_NOMEM;
  ds_buf_append(&b->block, zAdd, nAdd);
}

/*
** Append z[0..n) to the current block, white space collapsed unless preformatted; src
** maps z's offsets to the input's (NULL: inserted text). A collapsed run of white space
** maps to its first character.
*/
void ds_markup_put_text(builder *b, const char *z, size_t n, const ds_offmap *src) {
  if (b->bPre) {
    ds_markup_put_span(b, z, n, 0, src);
    return;
  }
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = z[i];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f') {
      if (run < i) ds_markup_put_span(b, z + run, i - run, run, src);
      run = i + 1;
      if (b->block.n > 0 && b->block.p[b->block.n - 1] != ' ' && b->block.p[b->block.n - 1] != '\n')
        ds_markup_put_span(b, " ", 1, i, src);
    }
  }
  if (run < n) ds_markup_put_span(b, z + run, n - run, run, src);
}

/* End the current block: trimmed, dropped if furniture, else appended to the text. */
void ds_markup_end_block(builder *b) {
  const char *z = (const char *)b->block.p;
  size_t a = 0, e = b->block.n;
  while (a < e && (z[a] == ' ' || z[a] == '\n')) a++;
  while (e > a && (z[e - 1] == ' ' || z[e - 1] == '\n')) e--;
  const ds_buf *t = &b->out->text;
  /* the block just written again (a photo caption printed twice): once is enough */
  int bTwice = e > a && e - a <= 500 && t->n >= e - a &&
               memcmp(t->p + t->n - (e - a), z + a, e - a) == 0 &&
               (t->n == e - a || (t->n >= e - a + 2 && memcmp(t->p + t->n - (e - a) - 2, "\n\n", 2) == 0));
  if (e > a) {
    if (bTwice || (b->pLang && ds_langdata_boilerplate(b->pLang, z + a, e - a))) {
      b->out->nDropped++;
    } else {
      ds_markup *m = b->out;
      static const ds_offmap none = DS_OFFMAP_INIT;
      if (m->text.n) {
        if (ds_offmap_slice(&none, 0, 2, m->text.n, &m->map)) b->rc = DS_NOMEM;
        ds_buf_append(&m->text, "\n\n", 2);
      }
      if (b->bHeading) {
        if (m->nHead == m->nHeadAlloc) {
          size_t nNew = m->nHeadAlloc ? 2 * m->nHeadAlloc : 16;
          uint32_t *p = ds_realloc_n(m->aHead, nNew, sizeof *p);
          if (!p) b->rc = DS_NOMEM;
          else { m->aHead = p; m->nHeadAlloc = nNew; }
        }
        if (!b->rc) m->aHead[m->nHead++] = (uint32_t)m->text.n;
      }
      if (ds_offmap_slice(&b->map, a, e, m->text.n, &m->map)) b->rc = DS_NOMEM;
      ds_buf_append(&m->text, z + a, e - a);
    }
  }
  ds_buf_reset(&b->block);
  b->map.n = 0;
  b->bHeading = 0;
  if (b->block.rc || b->out->text.rc) b->rc = DS_NOMEM;
}

/* ====================== shared: text to its source ====================== */

/* Bytes of the UTF-8 character at z[i] (z[0..n) valid UTF-8, i < n). */
static size_t char_len(const char *z, size_t i, size_t n) {
  unsigned char c = (unsigned char)z[i];
  size_t l = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return l < n - i ? l : n - i;
}

/*
** Length of the character at s[j] if it is one HTML parsing reads as U+FFFD (controls
** but white space, C1 controls, noncharacters), else 0.
*/
size_t ds_markup_refused(const char *s, size_t nS, size_t j) {
  const unsigned char *u = (const unsigned char *)s + j;
  size_t n = char_len(s, j, nS);
  if (n == 1) return (u[0] < 0x20 && u[0] != '\t' && u[0] != '\n' && u[0] != '\f' && u[0] != '\r') || u[0] == 0x7F;
  if (n == 2) return u[0] == 0xC2 && u[1] <= 0x9F ? 2 : 0;
  if (n == 3 && u[0] == 0xEF && ((u[1] == 0xB7 && u[2] >= 0x90 && u[2] <= 0xAF) ||
                                 (u[1] == 0xBF && u[2] >= 0xBE)))
    return 3;                   /* U+FDD0-FDEF, U+FFFE, U+FFFF */
  if (n == 4 && (u[1] & 0x0F) == 0x0F && u[2] == 0xBF && u[3] >= 0xBE) return 4;
  return 0;
}

static int is_fffd(const char *t, size_t nT, size_t i) {
  return nT - i >= 3 && memcmp(t + i, "\xEF\xBF\xBD", 3) == 0;
}

static int is_alnum(char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Is s[j] a Markdown backslash escape (before ASCII punctuation)? */
static int md_escape(const char *s, size_t nS, size_t j) {
  char c = j + 1 < nS ? s[j + 1] : 0;
  return s[j] == '\\' && c > ' ' && c < 0x7F && !is_alnum(c);
}

/*
** Could t[i..] be what s[j..] reads as, judging by the next few bytes? A reference, an
** escape or (HTML) what may be a tag in s, the end of t, and a U+FFFD in t for a refused character
** in s end the comparison undecided: yes; so does the end of s before t's last byte, a
** line break (an unclosed code block's last line). Markdown turns line breaks in code
** spans into spaces (ALIGN_CODE). 2: yes, 1: undecided before any byte agreed, 0: no.
*/
static int agree(const char *t, size_t nT, size_t i, const char *s, size_t nS, size_t j, int mode) {
  for (size_t k = 0, nSkip = 0; k < 8 && i + k < nT; k++, j++) {
    if (j >= nS) return k > 0 && i + k + 1 == nT && t[i + k] == '\n' ? 2 : 0;
    char a = t[i + k], c = s[j];
    if ((c == '&' && mode != ALIGN_CODE) || (mode == ALIGN_MD && c == '\\') ||
        (mode == ALIGN_HTML && c == '<' && j + 1 < nS &&   /* a tag: <a, </, <!, <? */
         (((s[j + 1] | 0x20) >= 'a' && (s[j + 1] | 0x20) <= 'z') || s[j + 1] == '/' ||
          s[j + 1] == '!' || s[j + 1] == '?')))
      return k ? 2 : 1;
    if (a == '\xEF' && a != c && is_fffd(t, nT, i + k) && ds_markup_refused(s, nS, j))
      return k ? 2 : 1;          /* U+FFFD for what the parser refused (see ds_markup_align) */
    if (a == c || (mode == ALIGN_CODE && a == ' ' && c == '\n')) continue;
    if (mode && k > 0 && (c == ' ' || c == '\t') && ++nSkip <= 8) {
      k--;                       /* indentation cmark dropped (see ds_markup_align) */
      continue;
    }
    return 0;
  }
  return 2;
}

/*
** The named references of HTML5 that stand for ASCII (every other starts with a character
** outside it); the first four also without their `;` (as `&amp`, legacy).
*/
static const char *const azAsciiRef[] = {
  "amp\0&", "lt\0<", "gt\0>", "quot\0\"", "AMP\0&", "LT\0<", "GT\0>", "QUOT\0\"",
  "apos\0'", "ast\0*", "midast\0*", "bsol\0\\", "colon\0:", "comma\0,", "commat\0@",
  "dollar\0$", "equals\0=", "excl\0!", "grave\0`", "DiacriticalGrave\0`", "Hat\0^",
  "lbrace\0{", "lcub\0{", "lbrack\0[", "lsqb\0[", "rbrace\0}", "rcub\0}", "rbrack\0]",
  "rsqb\0]", "lowbar\0_", "UnderBar\0_", "lpar\0(", "rpar\0)", "num\0#", "percnt\0%",
  "period\0.", "plus\0+", "quest\0?", "semi\0;", "sol\0/", "verbar\0|", "vert\0|",
  "VerticalLine\0|", "Tab\0\t", "NewLine\0\n", "fjlig\0fj", "bne\0=\xE2\x83\xA5",
  "nvgt\0>\xE2\x83\x92", "nvlt\0<\xE2\x83\x92", NULL};

/* What the reference `&name;` (bSemi) or `&name` stands for when that is ASCII, or NULL. */
static const char *ascii_ref(const char *zName, size_t nName, int bSemi) {
  for (size_t k = 0; azAsciiRef[k]; k++) {
    const char *z = azAsciiRef[k];
    if ((bSemi || k < 8) && strlen(z) == nName && memcmp(z, zName, nName) == 0) return z + nName + 1;
  }
  return NULL;
}

/* UTF-8 of what the numeric reference to code point v stands for in t at i: its length
   if t holds that there, else 0 (v 0x80-0x9F: HTML reads windows-1252, not checked). */
static size_t numeric_ref(const char *t, size_t nT, size_t i, uint32_t v) {
  size_t n1 = char_len(t, i, nT);
  unsigned char c = (unsigned char)t[i];
  if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
  if (v >= 0x80 && v <= 0x9F) return c >= 0x80 ? n1 : 0;
  char z[4];
  size_t n = v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4;
  if (n == 1) z[0] = (char)v;
  else {
    for (size_t k = n; k-- > 1; v >>= 6) z[k] = (char)(0x80 | (v & 0x3F));
    z[0] = (char)((n == 2 ? 0xC0 : n == 3 ? 0xE0 : 0xF0) | v);
  }
  return n == n1 && memcmp(z, t + i, n) == 0 ? n : 0;
}

/*
** Is s[j..] a character reference (or, for Markdown, a backslash escape) that t[i..]
** holds decoded? Then *pnIn, *pnOut are its lengths in s and t. A numeric reference, or
** one that stands for ASCII, is checked; rather than hold the other two thousand names
** of HTML5 (some legacy, without their `;`), take the longest reading as one or two
** characters after which s and t agree again.
*/
static int ref_at(const char *t, size_t nT, size_t i, const char *s, size_t nS, size_t j,
                  int mode, size_t *pnIn, size_t *pnOut) {
  if (mode == ALIGN_CODE) return 0;
  if (mode == ALIGN_MD && s[j] == '\\') {
    if (md_escape(s, nS, j) && t[i] == s[j + 1]) {
      *pnIn = 2;
      *pnOut = 1;
      return 1;
    }
    return 0;
  }
  if (s[j] != '&' || j + 2 >= nS) return 0;
  size_t n1 = char_len(t, i, nT), n2 = i + n1 < nT ? n1 + char_len(t, i + n1, nT) : 0;
  int bAscii = (unsigned char)t[i] < 0x80;
  size_t k = j + 1;
  if (s[k] == '#') {
    int bHex = (s[++k] | 0x20) == 'x';
    if (bHex) k++;
    size_t d = k;
    uint32_t v = 0;
    for (; k < nS && (bHex ? is_alnum(s[k]) && (s[k] | 0x20) <= 'f' : s[k] >= '0' && s[k] <= '9'); k++)
      if (v <= 0x10FFFF) v = v * (bHex ? 16 : 10) + (uint32_t)(s[k] <= '9' ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10);
    if (k == d) return 0;
    if (k < nS && s[k] == ';') k++;
    else if (mode) return 0;
    size_t nOut = numeric_ref(t, nT, i, v);
    if (!nOut || !agree(t, nT, i + nOut, s, nS, k, mode)) return 0;
    *pnIn = k - j;
    *pnOut = nOut;
    return 1;
  }
  size_t e = k;
  while (e < nS && e - k < 32 && is_alnum(s[e])) e++;
  if (e == k) return 0;
  size_t full = e < nS && s[e] == ';' ? e + 1 : 0;
  /* `&name;` as one character or two (`&NotEqualTilde;`), then (HTML only) a name
     without `;` of six letters or fewer, longest first, as one character (`&copy2023`,
     `&notit;`): of the readings after which t and s agree, the one after which they
     agree longest byte for byte (`&nbspt;;` is `&nbsp` then `t;;`), the first of equals */
  size_t bestIn = 0, bestOut = 0, bestLen = 0;
  for (int c = 0; c < 2 + 6; c++) {
    size_t end, nOut;
    const char *zA = NULL;
    if (c < 2) {                 /* the full name */
      if (!full) continue;
      end = full;
      zA = bAscii ? ascii_ref(s + k, e - k, 1) : NULL;
      nOut = zA ? strlen(zA) : c ? n2 : n1;
      if (bAscii && (!zA || c || nOut > nT - i || memcmp(zA, t + i, nOut) != 0)) continue;
    } else {                     /* a legacy name of 8 - c letters */
      end = k + (size_t)(8 - c);
      if (mode || end > e) continue;
      zA = bAscii ? ascii_ref(s + k, end - k, 0) : NULL;
      if (bAscii && (!zA || *zA != t[i])) continue;
      nOut = n1;
    }
    if (!nOut || !agree(t, nT, i + nOut, s, nS, end, mode)) continue;
    size_t len = 0;
    while (len < 256 && i + nOut + len < nT && end + len < nS && t[i + nOut + len] == s[end + len])
      len++;
    if (!bestIn || len > bestLen) bestIn = end - j, bestOut = nOut, bestLen = len;
  }
  *pnIn = bestIn;
  *pnOut = bestOut;
  return bestIn != 0;
}

/* Does t[i..] start at s[j..]: as the same bytes, or as a reference there? */
int ds_markup_starts_at(const char *t, size_t nT, size_t i, const char *s, size_t nS, size_t j,
                        int mode) {
  size_t nIn, nOut;
  if (s[j] == '&' || (mode && s[j] == '\\')) {
    if (ref_at(t, nT, i, s, nS, j, mode, &nIn, &nOut)) return 1;
  }
  if (ds_markup_refused(s, nS, j) && is_fffd(t, nT, i)) return 1;
  if (mode && s[j] == '\t' && t[i] == ' ') return 1;     /* an expanded tab (see ds_markup_align) */
  if (mode == ALIGN_MD && md_escape(s, nS, j)) return 0;
  return (s[j] == t[i] || (mode == ALIGN_CODE && t[i] == ' ' && s[j] == '\n')) && agree(t, nT, i, s, nS, j, mode);
}

/* Source bytes align skips at most to find the text again (bounds its time per node). */
#define DS_ALIGN_SKIP 1024

/*
** Map t[0..nT), the text a node holds, to s[0..nS), the source it was read from (at
** input offset `base`), into *res (emptied first); *pEnd: how far into s it was found.
** The two are walked in step, a character reference or escape mapping to the whole of
** it; source bytes that are not text (a tag the parser ignored, a code fence,
** indentation) are skipped. Text not found again within DS_ALIGN_SKIP bytes maps as a
** whole to as many source bytes from where it was lost. bStrict: DS_FORMAT instead of
** skipping anything (does t start cleanly at s?).
*/
int ds_markup_align(const char *t, size_t nT, const char *s, size_t nS, size_t base, int mode,
                    int bStrict, ds_offmap *res, size_t *pEnd) {
  size_t i = 0, j = 0, i0 = 0, j0 = 0;     /* the current run of equal bytes starts at i0, j0 */
  int rc = DS_OK;
  res->n = 0;
#define FLUSH() do { if (i > i0 && rc == DS_OK) rc = ds_offmap_put(res, i0, i - i0, base + j0, i - i0); } while (0)
  while (i < nT && rc == DS_OK) {
    size_t nIn, nOut;
    if (j < nS && (s[j] == '&' || (mode && s[j] == '\\')) &&
        ref_at(t, nT, i, s, nS, j, mode, &nIn, &nOut)) {
      FLUSH();
      if (rc == DS_OK) rc = ds_offmap_put(res, i, nOut, base + j, nIn);
      i += nOut;
      j += nIn;
      i0 = i, j0 = j;
      continue;
    }
    if (j < nS && (nIn = ds_markup_refused(s, nS, j)) != 0 && is_fffd(t, nT, i)) {
      /* U+FFFD for a character the parser refuses */
      FLUSH();
      if (rc == DS_OK) rc = ds_offmap_put(res, i, 3, base + j, nIn);
      i += 3;
      j += nIn;
      i0 = i, j0 = j;
      continue;
    }
    if (mode == ALIGN_CODE && j < nS && t[i] == ' ' && s[j] == '\n') {
      FLUSH();                             /* a code span's line break read as a space */
      if (rc == DS_OK) rc = ds_offmap_put(res, i, 1, base + j, 1);
      i++;
      j++;
      i0 = i, j0 = j;
      continue;
    }
    if (j < nS && s[j] == t[i] && !(mode == ALIGN_MD && md_escape(s, nS, j))) {
      i++, j++;
      continue;
    }
    if (mode && j < nS && s[j] == '\t' && t[i] == ' ') {
      /* cmark expands a tab that indents to spaces (the part left of a tab, too) */
      FLUSH();
      size_t n = 1;
      while (n < 4 && i + n < nT && t[i + n] == ' ') n++;
      if (rc == DS_OK) rc = ds_offmap_put(res, i, n, base + j, 1);
      i += n;
      j++;
      i0 = i, j0 = j;
      continue;
    }
    if (mode && j < nS && (s[j] == ' ' || s[j] == '\t' || (ds_markup_refused(s, nS, j) && s[j] != '\x7F')) &&
        !(bStrict && i == 0)) {
      FLUSH();                             /* indentation cmark dropped, or a control */
      j++;
      i0 = i, j0 = j;
      continue;
    }
    if (bStrict) return DS_FORMAT;
    FLUSH();
    size_t k = j + 1;
    while (k < nS && k - j <= DS_ALIGN_SKIP && !ds_markup_starts_at(t, nT, i, s, nS, k, mode)) k++;
    if (k >= nS || k - j > DS_ALIGN_SKIP) {
      size_t nRest = j < nS ? nS - j : 0;
      if (nRest > nT - i) nRest = nT - i;
      if (rc == DS_OK) rc = ds_offmap_put(res, i, nT - i, base + j, nRest);
      *pEnd = j;                           /* as far as it was found */
      return rc;
    }
    j = k;
    i0 = i, j0 = j;
  }
  FLUSH();
#undef FLUSH
  *pEnd = j;
  return rc;
}

/* Record metadata key = value (white space collapsed); the caller knows the key has no
   value yet. */
void ds_markup_add_meta(ds_markup *m, const char *zKey, const char *zVal, size_t nVal) {
  size_t a = 0, e = nVal;
  while (a < e && (zVal[a] == ' ' || zVal[a] == '\n' || zVal[a] == '\t')) a++;
  while (e > a && (zVal[e - 1] == ' ' || zVal[e - 1] == '\n' || zVal[e - 1] == '\t')) e--;
  if (e == a) return;
  ds_buf_puts(&m->meta, zKey);
  ds_buf_putc(&m->meta, 0);
  for (size_t i = a; i < e; i++) {
    char ch = zVal[i];
    if (ch == '\n' || ch == '\t' || ch == '\r') ch = ' ';
    if (ch == ' ' && i > a && (zVal[i - 1] == ' ' || zVal[i - 1] == '\n')) continue;
    ds_buf_putc(&m->meta, ch);
  }
  ds_buf_putc(&m->meta, 0);
  m->nMeta++;
}

/* Record metadata key = value, unless the key has one already (a scan of the keys: for
   the few keys of HTML; front matter keeps a map of its own). */
void ds_markup_put_meta(ds_markup *m, const char *zKey, const char *zVal, size_t nVal) {
  size_t off = 0;
  const char *zK, *zV;
  while (ds_meta_next(&m->meta, &off, &zK, &zV))
    if (strcmp(zK, zKey) == 0) return;
  ds_markup_add_meta(m, zKey, zVal, nVal);
}
