/*
** ds_markup.c -- HTML and Markdown readers (see ds_markup.h).
**
** Both walk their library's tree without recursion (an explicit stack for HTML, cmark's
** iterator for Markdown), so deeply nested input cannot exhaust the C stack here.
*/
#include "ds_markup.h"
#include "ds_doc.h"
#include "ds_strmap.h"

#include <cmark.h>
#include <gumbo.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

void ds_markup_free(ds_markup *m) {
  ds_buf_free(&m->text);
  ds_offmap_free(&m->map);
  ds_free(m->aHead);
  ds_buf_free(&m->meta);
  memset(m, 0, sizeof *m);
}

/* ====================== shared: blocks and metadata ====================== */

typedef struct builder {
  ds_markup *out;
  ds_buf block;         /* the block being gathered */
  ds_offmap map;        /* block's offsets to the input's */
  int bHeading;         /* it is a heading */
  int bPre;             /* keep its white space (preformatted) */
  const ds_langdata *pLang;
  int rc;
} builder;

#define BUILDER_INIT(OUT, LANG) {(OUT), DS_BUF_INIT, DS_OFFMAP_INIT, 0, 0, (LANG), DS_OK}

/*
** Append zAdd[0..nAdd) to the block, mapped as src maps its offsets [a, a+nAdd) (src
** NULL: text the reader inserts, mapped to nothing).
*/
static void put_span(builder *b, const char *zAdd, size_t nAdd, size_t a, const ds_offmap *src) {
  static const ds_offmap none = DS_OFFMAP_INIT;
  if (ds_offmap_slice(src ? src : &none, a, a + nAdd, b->block.n, &b->map)) b->rc = DS_NOMEM;
  ds_buf_append(&b->block, zAdd, nAdd);
}

/*
** Append z[0..n) to the current block, white space collapsed unless preformatted; src
** maps z's offsets to the input's (NULL: inserted text). A collapsed run of white space
** maps to its first character.
*/
static void put_text(builder *b, const char *z, size_t n, const ds_offmap *src) {
  if (b->bPre) {
    put_span(b, z, n, 0, src);
    return;
  }
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = z[i];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f') {
      if (run < i) put_span(b, z + run, i - run, run, src);
      run = i + 1;
      if (b->block.n > 0 && b->block.p[b->block.n - 1] != ' ' && b->block.p[b->block.n - 1] != '\n')
        put_span(b, " ", 1, i, src);
    }
  }
  if (run < n) put_span(b, z + run, n - run, run, src);
}

/* End the current block: trimmed, dropped if furniture, else appended to the text. */
static void end_block(builder *b) {
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
static size_t refused(const char *s, size_t nS, size_t j) {
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

/* What a text was read from: HTML, Markdown text (escapes), Markdown code (neither
   references nor escapes). */
enum { ALIGN_HTML = 0, ALIGN_MD, ALIGN_CODE };

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
    if (a == '\xEF' && a != c && is_fffd(t, nT, i + k) && refused(s, nS, j))
      return k ? 2 : 1;          /* U+FFFD for what the parser refused (see align) */
    if (a == c || (mode == ALIGN_CODE && a == ' ' && c == '\n')) continue;
    if (mode && k > 0 && (c == ' ' || c == '\t') && ++nSkip <= 8) {
      k--;                       /* indentation cmark dropped (see align) */
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
static int starts_at(const char *t, size_t nT, size_t i, const char *s, size_t nS, size_t j,
                     int mode) {
  size_t nIn, nOut;
  if (s[j] == '&' || (mode && s[j] == '\\')) {
    if (ref_at(t, nT, i, s, nS, j, mode, &nIn, &nOut)) return 1;
  }
  if (refused(s, nS, j) && is_fffd(t, nT, i)) return 1;
  if (mode && s[j] == '\t' && t[i] == ' ') return 1;     /* an expanded tab (see align) */
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
static int align(const char *t, size_t nT, const char *s, size_t nS, size_t base, int mode,
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
    if (j < nS && (nIn = refused(s, nS, j)) != 0 && is_fffd(t, nT, i)) {
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
    if (mode && j < nS && (s[j] == ' ' || s[j] == '\t' || (refused(s, nS, j) && s[j] != '\x7F')) &&
        !(bStrict && i == 0)) {
      FLUSH();                             /* indentation cmark dropped, or a control */
      j++;
      i0 = i, j0 = j;
      continue;
    }
    if (bStrict) return DS_FORMAT;
    FLUSH();
    size_t k = j + 1;
    while (k < nS && k - j <= DS_ALIGN_SKIP && !starts_at(t, nT, i, s, nS, k, mode)) k++;
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
static void add_meta(ds_markup *m, const char *zKey, const char *zVal, size_t nVal) {
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
static void put_meta(ds_markup *m, const char *zKey, const char *zVal, size_t nVal) {
  size_t off = 0;
  const char *zK, *zV;
  while (ds_meta_next(&m->meta, &off, &zK, &zV))
    if (strcmp(zK, zKey) == 0) return;
  add_meta(m, zKey, zVal, nVal);
}

/* ====================== HTML ====================== */

/* Elements whose content is not document text. */
static int skipped(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SVG: case GUMBO_TAG_IFRAME: case GUMBO_TAG_NAV:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FORM: case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_HEAD: case GUMBO_TAG_HEADER: case GUMBO_TAG_MENU:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_CANVAS: case GUMBO_TAG_MATH:
      return 1;
    default:
      return 0;
  }
}

/* Elements that begin and end a block of text. */
/* Text of an element: its length in bytes and how much of it is inside links. */
static void text_weight(const GumboNode *n, int bInLink, size_t *pAll, size_t *pLink, int depth) {
  if (n->type == GUMBO_NODE_TEXT) {
    size_t k = strlen(n->v.text.text);
    *pAll += k;
    if (bInLink) *pLink += k;
    return;
  }
  if ((n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) || depth > 64 ||
      *pAll > 20000)
    return;
  int bLink = bInLink || n->v.element.tag == GUMBO_TAG_A;
  const GumboVector *kids = &n->v.element.children;
  for (unsigned i = 0; i < kids->length; i++) text_weight(kids->data[i], bLink, pAll, pLink, depth + 1);
}

/* Does the attribute value hold one of the words (split at spaces, `-` and `_`)? */
static int attr_has_word(const char *z, const char *const *az) {
  while (*z) {
    while (*z == ' ' || *z == '-' || *z == '_') z++;
    size_t n = 0;
    while (z[n] && z[n] != ' ' && z[n] != '-' && z[n] != '_') n++;
    for (const char *const *w = az; *w && n; w++)
      if (strlen(*w) == n && strncasecmp(z, *w, n) == 0) return 1;
    z += n;
  }
  return 0;
}

/*
** Site furniture built of <div>s: an element whose id, class or role says menu, nav,
** footer, sidebar, share, cookie, breadcrumb..., when it is short or mostly links (a
** wrapper such as `has-sidebar` around the article is neither, and stays). Skip links
** (`<a href="#main">Skip to main content</a>`) go too.
*/
static int furniture(const GumboNode *n) {
  static const char *const azWord[] = {"menu", "nav", "navbar", "navigation", "footer",
    "sidebar", "share", "sharing", "social", "cookie", "cookies", "breadcrumb", "breadcrumbs",
    "banner", "subscribe", "newsletter", "masthead", "toolbar", "skip", "consent", NULL};
  static const char *const azRole[] = {"navigation", "banner", "contentinfo", "complementary",
    "search", NULL};
  GumboTag t = n->v.element.tag;
  const GumboVector *at = &n->v.element.attributes;
  if (t == GUMBO_TAG_A) {
    const GumboAttribute *href = gumbo_get_attribute(at, "href");
    if (!href || href->value[0] != '#') return 0;
    const GumboVector *kids = &n->v.element.children;
    for (unsigned i = 0; i < kids->length; i++) {
      const GumboNode *k = kids->data[i];
      if (k->type == GUMBO_NODE_TEXT) {
        const char *z = k->v.text.text;
        while (*z == ' ' || *z == '\n' || *z == '\t') z++;
        return strncasecmp(z, "skip to ", 8) == 0 || strncasecmp(z, "jump to ", 8) == 0;
      }
    }
    return 0;
  }
  if (t == GUMBO_TAG_BODY || t == GUMBO_TAG_HTML || t == GUMBO_TAG_MAIN || t == GUMBO_TAG_ARTICLE)
    return 0;
  const GumboAttribute *role = gumbo_get_attribute(at, "role");
  const GumboAttribute *id = gumbo_get_attribute(at, "id");
  const GumboAttribute *cls = gumbo_get_attribute(at, "class");
  if (!(role && attr_has_word(role->value, azRole)) && !(id && attr_has_word(id->value, azWord)) &&
      !(cls && attr_has_word(cls->value, azWord)))
    return 0;
  size_t nAll = 0, nLink = 0;
  text_weight(n, 0, &nAll, &nLink, 0);
  return nAll < 400 || 2 * nLink >= nAll;
}

static int block(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_LI:
    case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
    case GUMBO_TAG_TR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_HR: case GUMBO_TAG_BODY: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_TITLE:
      return 1;
    default:
      return 0;
  }
}

static int heading(GumboTag t) {
  return t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 || t == GUMBO_TAG_H4 ||
         t == GUMBO_TAG_H5 || t == GUMBO_TAG_H6;
}

/* The text inside node (for <title>), appended to b. */
static void node_text(const GumboNode *node, ds_buf *b) {
  const GumboVector *kids = &node->v.element.children;
  for (unsigned i = 0; i < kids->length; i++) {
    const GumboNode *k = kids->data[i];
    if (k->type == GUMBO_NODE_TEXT || k->type == GUMBO_NODE_WHITESPACE) ds_buf_puts(b, k->v.text.text);
  }
}

/*
** The length of a <title> without the site's name after it: `Xi and Putin meet | The
** Register` -> `Xi and Putin meet`. The last ` | `, ` :: `, ` - `, ` – ` or ` — `
** separates it when what follows is short (at most 5 words) and what comes before is
** longer than it.
*/
static size_t title_length(const ds_buf *t) {
  static const char *const azSep[] = {" | ", " :: ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", NULL};
  const char *z = t->p ? (const char *)t->p : "";
  size_t n = t->n;
  while (n > 0 && (z[n - 1] == ' ' || z[n - 1] == '\n' || z[n - 1] == '\t')) n--;
  for (const char *const *s = azSep; *s; s++) {
    size_t k = strlen(*s);
    for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;) {
      if (memcmp(z + i, *s, k) != 0) continue;
      size_t nWords = 1;
      for (size_t j = i + k; j < n; j++) nWords += z[j] == ' ';
      if (nWords <= 5 && n - (i + k) < i) return i;
      break;
    }
  }
  return t->n;
}

/* Metadata from <head>: title, meta tags. */
static void html_meta(const GumboNode *head, ds_markup *m) {
  static const struct { const char *zAttr, *zKey; } aMap[] = {
    {"citation_title", "title"}, {"og:title", "title"}, {"dc.title", "title"},
    {"author", "authors"}, {"citation_author", "authors"}, {"article:author", "authors"},
    {"dc.creator", "authors"}, {"citation_publication_date", "date"},
    {"article:published_time", "date"}, {"date", "date"}, {"dc.date", "date"},
    {"pubdate", "date"}, {"description", "description"}, {"og:description", "description"},
    {"og:site_name", "publisher"}, {"citation_publisher", "publisher"}, {"dc.publisher", "publisher"},
    {"og:url", "url"}, {"keywords", "keywords"},
  };
  const GumboVector *kids = &head->v.element.children;
  for (size_t k = 0; k < sizeof aMap / sizeof *aMap; k++) {
    for (unsigned i = 0; i < kids->length; i++) {
      const GumboNode *n = kids->data[i];
      if (n->type != GUMBO_NODE_ELEMENT || n->v.element.tag != GUMBO_TAG_META) continue;
      const GumboAttribute *name = gumbo_get_attribute(&n->v.element.attributes, "name");
      if (!name) name = gumbo_get_attribute(&n->v.element.attributes, "property");
      const GumboAttribute *content = gumbo_get_attribute(&n->v.element.attributes, "content");
      if (!name || !content || strcasecmp(name->value, aMap[k].zAttr) != 0) continue;
      put_meta(m, aMap[k].zKey, content->value, strlen(content->value));
    }
  }
  for (unsigned i = 0; i < kids->length; i++) {
    const GumboNode *n = kids->data[i];
    if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_TITLE) {
      ds_buf t = DS_BUF_INIT;
      node_text(n, &t);
      put_meta(m, "title", t.p ? (const char *)t.p : "", title_length(&t));
      ds_buf_free(&t);
    }
  }
}

/* A step of the walk: a node, entered or left. */
typedef struct step {
  const GumboNode *node;
  int bLeave;
} step;

/*
** Numeric character references too long for any code point (`&#3111111111;`) overflow an
** int inside gumbo 0.10; write them as U+FFFD, which is what they mean, before parsing.
** Returns z itself, or a copy in *pCopy whose offsets *pMap takes back to z's.
*/
static const char *tame_char_refs(const char *z, size_t n, ds_buf *pCopy, ds_offmap *pMap) {
  const char *p = z, *end = z + n;
  size_t copied = 0;
  while ((p = memchr(p, '&', (size_t)(end - p))) != NULL) {
    const char *d = p + 1;
    if (d < end && *d == '#') {
      d++;
      int hex = d < end && (*d == 'x' || *d == 'X');
      if (hex) d++;
      const char *q = d;
      while (q < end && (hex ? ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f') || (*q >= '0' && *q <= '9')
                             : (*q >= '0' && *q <= '9')))
        q++;
      if (q - d > (hex ? 6 : 7)) {
        size_t at = (size_t)(p - z);
        if (ds_offmap_put(pMap, pCopy->n, at - copied, copied, at - copied) ||
            ds_offmap_put(pMap, pCopy->n + at - copied, 7, at, (size_t)(q - p)))
          pCopy->rc = DS_NOMEM;
        ds_buf_append(pCopy, z + copied, at - copied);
        ds_buf_puts(pCopy, "&#65533");      /* the whole reference maps to the whole */
        copied = (size_t)(q - z);
      }
      p = q;
    } else {
      p = d;
    }
  }
  if (copied == 0) return z;
  if (ds_offmap_put(pMap, pCopy->n, n - copied, copied, n - copied)) pCopy->rc = DS_NOMEM;
  ds_buf_append(pCopy, z + copied, n - copied);
  return pCopy->rc ? NULL : (const char *)pCopy->p;
}

/* ====================== HTML: nesting depth ====================== */

/*
** libgumbo 0.10 takes time proportional to the depth of open elements for each tag and
** frees its tree recursively, so 10^6 nested <div> or <b> take minutes or overflow the
** C stack. html_depth_check follows the nesting in one pass before gumbo sees the text,
** as the HTML5 tree builder roughly does: void elements do not nest, a start tag of an
** element whose end tag may be left out (p, li, td...) closes the open one, an end tag
** closes up to its element, and the text of script, style and the like is skipped.
*/
#define DS_HTML_MAX_DEPTH 1000

static int tag_is(const char *zTag, size_t nTag, const char *const *az) {
  for (; *az; az++)
    if (strlen(*az) == nTag && strncasecmp(zTag, *az, nTag) == 0) return 1;
  return 0;
}

static const char *const azVoid[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
  "link", "meta", "param", "source", "track", "wbr", "keygen", "frame", NULL};
static const char *const azOptionalEnd[] = {"p", "li", "dt", "dd", "option", "optgroup", "tr",
  "td", "th", "rb", "rt", "rp", "thead", "tbody", "tfoot", "colgroup", "caption", NULL};
static const char *const azRawText[] = {"script", "style", "textarea", "title", "xmp", "iframe",
  "noembed", "noframes", "noscript", "plaintext", NULL};

typedef struct open_tag { uint32_t off; uint16_t n; } open_tag;

/* DS_OK, or DS_LIMIT with the byte offset of the tag that nests too deep. */
static int html_depth_check(const char *z, size_t n, ds_error *e) {
  open_tag *aOpen = ds_malloc_n(DS_HTML_MAX_DEPTH, sizeof *aOpen);
  if (!aOpen) return ds_error_set(e, DS_NOMEM, -1, "out of memory reading HTML");
  size_t nOpen = 0, i = 0;
  int rc = DS_OK;
  while (i < n && rc == DS_OK) {
    const char *lt = memchr(z + i, '<', n - i);
    if (!lt) break;
    size_t a = (size_t)(lt - z), k = a + 1;
    int bEnd = k < n && z[k] == '/';
    if (bEnd) k++;
    if (k >= n || !((z[k] | 0x20) >= 'a' && (z[k] | 0x20) <= 'z')) {
      if (k < n && z[k] == '!' && n - k >= 3 && memcmp(z + k, "!--", 3) == 0) {
        const char *end = NULL;      /* a comment runs to --> */
        for (size_t m = k + 3; m + 2 < n + 0 && !end; m++)
          if (z[m] == '-' && z[m + 1] == '-' && z[m + 2] == '>') end = z + m + 3;
        i = end ? (size_t)(end - z) : n;
      } else {
        i = k;
      }
      continue;
    }
    size_t t = k;
    while (k < n && z[k] != '>' && z[k] != '/' && z[k] != ' ' && z[k] != '\t' && z[k] != '\n' &&
           z[k] != '\r' && z[k] != '\f')
      k++;
    const char *zTag = z + t;
    size_t nTag = k - t;
    char q = 0;                      /* to the end of the tag, over quoted values */
    while (k < n && (q || z[k] != '>')) {
      if (q ? z[k] == q : (z[k] == '"' || z[k] == '\'')) q = q ? 0 : z[k];
      k++;
    }
    i = k < n ? k + 1 : n;
    if (nTag > 0xFFFF) continue;
    if (bEnd) {
      for (size_t m = nOpen; m-- > 0;)
        if (aOpen[m].n == nTag && strncasecmp(z + aOpen[m].off, zTag, nTag) == 0) {
          nOpen = m;
          break;
        }
      continue;
    }
    if (tag_is(zTag, nTag, azVoid)) continue;
    if (tag_is(zTag, nTag, azRawText)) {
      size_t m = i;                  /* its text runs to its end tag */
      while (m + 2 + nTag <= n && !(z[m] == '<' && z[m + 1] == '/' &&
                                    strncasecmp(z + m + 2, zTag, nTag) == 0))
        m++;
      i = m + 2 + nTag <= n ? m : n;
      continue;
    }
    if (tag_is(zTag, nTag, azOptionalEnd))
      for (size_t m = nOpen; m-- > 0 && nOpen - m <= 8;)
        if (aOpen[m].n == nTag && strncasecmp(z + aOpen[m].off, zTag, nTag) == 0) {
          nOpen = m;
          break;
        }
    if (nTag == 1 && (zTag[0] | 0x20) == 'a')   /* HTML5 closes an open <a> at the next <a> */
      for (size_t m = nOpen; m-- > 0;)
        if (aOpen[m].n == 1 && (z[aOpen[m].off] | 0x20) == 'a') {
          nOpen = m;
          break;
        }
    if (nOpen == DS_HTML_MAX_DEPTH) {
      rc = ds_error_set(e, DS_LIMIT, (int64_t)a,
                        "HTML elements nested more than %d deep (<%.*s> at byte %zu)",
                        DS_HTML_MAX_DEPTH, (int)(nTag > 20 ? 20 : nTag), zTag, a);
      break;
    }
    aOpen[nOpen++] = (open_tag){(uint32_t)t, (uint16_t)nTag};
  }
  ds_free(aOpen);
  return rc;
}

int ds_html_read(const char *z, size_t n, const ds_langdata *pLang, ds_markup *out, ds_error *e) {
  GumboOptions opts = kGumboDefaultOptions;
  opts.max_errors = 0;                     /* we want the tree, not the error list */
  int rcDepth = html_depth_check(z, n, e);
  if (rcDepth) return rcDepth;
  ds_buf copy = DS_BUF_INIT;
  ds_offmap mCopy = DS_OFFMAP_INIT;        /* gumbo reads the copy: its offsets to z's */
  const char *zIn = tame_char_refs(z, n, &copy, &mCopy);
  size_t nIn = zIn == z ? n : copy.n;
  GumboOutput *g = zIn ? gumbo_parse_with_options(&opts, zIn, nIn) : NULL;
  if (!g) {
    ds_buf_free(&copy);
    ds_offmap_free(&mCopy);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory parsing HTML");
  }
  builder b = BUILDER_INIT(out, pLang);
  ds_offmap mNode = DS_OFFMAP_INIT;        /* a text node's offsets to zIn's */
  step *aStack = NULL;
  size_t nStack = 0, nAlloc = 0;
  /* language and metadata */
  const GumboNode *html = g->root;
  const GumboAttribute *lang = gumbo_get_attribute(&html->v.element.attributes, "lang");
  for (unsigned i = 0; i < html->v.element.children.length; i++) {
    const GumboNode *k = html->v.element.children.data[i];
    if (k->type == GUMBO_NODE_ELEMENT && k->v.element.tag == GUMBO_TAG_HEAD) html_meta(k, out);
  }
  if (lang) put_meta(out, "language", lang->value, strlen(lang->value));
#define PUSH(N, L) do { \
    if (nStack == nAlloc) { \
      size_t nNew_ = nAlloc ? 2 * nAlloc : 256; \
      step *p_ = ds_realloc_n(aStack, nNew_, sizeof *p_); \
      if (!p_) { b.rc = DS_NOMEM; break; } \
      aStack = p_; nAlloc = nNew_; \
    } \
    aStack[nStack++] = (step){(N), (L)}; \
  } while (0)
  PUSH(g->root, 0);
  while (nStack > 0 && b.rc == DS_OK) {
    step s = aStack[--nStack];
    const GumboNode *node = s.node;
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
        node->type == GUMBO_NODE_CDATA) {
      const char *zT = node->v.text.text;
      const GumboStringPiece *src = &node->v.text.original_text;
      size_t nT = strlen(zT);
      /* the source of the text: its decoded form is walked against it */
      if (src->data >= zIn && src->length <= nIn && src->data - zIn <= (ptrdiff_t)(nIn - src->length)) {
        size_t nUsed;
        if (align(zT, nT, src->data, src->length, (size_t)(src->data - zIn), ALIGN_HTML, 0, &mNode, &nUsed))
          b.rc = DS_NOMEM;
        put_text(&b, zT, nT, &mNode);
      } else {
        put_text(&b, zT, nT, NULL);
      }
      continue;
    }
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    GumboTag tag = node->v.element.tag;
    if (s.bLeave) {
      if (block(tag)) end_block(&b);
      if (tag == GUMBO_TAG_PRE) b.bPre = 0;
      continue;
    }
    if (skipped(tag) || furniture(node)) continue;
    if (tag == GUMBO_TAG_TIME) {
      const GumboAttribute *dt = gumbo_get_attribute(&node->v.element.attributes, "datetime");
      if (dt) put_meta(out, "date", dt->value, strlen(dt->value));
    }
    if (tag == GUMBO_TAG_BR) {
      put_span(&b, "\n", 1, 0, NULL);
      continue;
    }
    if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) put_text(&b, " ", 1, NULL);
    if (block(tag)) {
      end_block(&b);
      if (heading(tag)) b.bHeading = 1;
      if (tag == GUMBO_TAG_PRE) b.bPre = 1;
    }
    PUSH(node, 1);
    const GumboVector *kids = &node->v.element.children;
    for (unsigned i = kids->length; i-- > 0 && b.rc == DS_OK;) PUSH(kids->data[i], 0);
  }
#undef PUSH
  if (b.rc == DS_OK) end_block(&b);
  if (b.rc == DS_OK && zIn != z) {         /* offsets into z, not into the copy */
    ds_offmap m = DS_OFFMAP_INIT;
    if (ds_offmap_compose(&out->map, &mCopy, &m)) b.rc = DS_NOMEM;
    ds_offmap_free(&out->map);
    out->map = m;
  }
  ds_free(aStack);
  ds_buf_free(&b.block);
  ds_offmap_free(&b.map);
  ds_offmap_free(&mNode);
  ds_offmap_free(&mCopy);
  gumbo_destroy_output(&opts, g);
  ds_buf_free(&copy);
  if (b.rc == DS_OK && out->meta.rc) b.rc = DS_NOMEM;
  return b.rc ? ds_error_set(e, b.rc, -1, "out of memory reading HTML") : DS_OK;
}

/* ====================== Markdown ====================== */

/* Front matter is at most this many bytes and this deep (libyaml's time grows with the
   depth for each token: 10^5 levels took a minute); beyond, the document is refused. */
#define DS_FRONT_MATTER_MAX_BYTES (1 << 20)
#define DS_FRONT_MATTER_MAX_DEPTH 64

/* Record a front-matter key = value unless the key was seen (the first one counts). */
static void put_front(ds_markup *m, ds_strmap *seen, const char *zKey, const char *zVal, size_t nVal) {
  if (ds_strmap_has(seen, zKey, strlen(zKey))) return;
  if (ds_strmap_put(seen, zKey, strlen(zKey), 0)) { m->meta.rc = DS_NOMEM; return; }
  add_meta(m, zKey, zVal, nVal);
}

/*
** YAML front matter z[0..n) to metadata: top-level `key: scalar` and `key: [list]` or a
** block list (joined with "; "). Errors name the line. Linear in the number of keys;
** larger than DS_FRONT_MATTER_MAX_BYTES or deeper than DS_FRONT_MATTER_MAX_DEPTH: refused.
*/
static int front_matter(const char *z, size_t n, ds_markup *m, ds_error *e) {
  yaml_parser_t p;
  yaml_event_t ev;
  int rc = DS_OK, depth = 0, done = 0;
  char zKey[64] = "";
  int bKey = 1;                 /* the next top-level scalar is a key */
  ds_buf list = DS_BUF_INIT;
  int inList = 0;
  if (n > DS_FRONT_MATTER_MAX_BYTES)
    return ds_error_set(e, DS_FORMAT, -1, "front matter of %zu bytes: more than the %d allowed",
                        n, DS_FRONT_MATTER_MAX_BYTES);
  ds_strmap seen = DS_STRMAP_INIT;
  {                             /* the keys already there */
    size_t off = 0;
    const char *zK, *zV;
    while (ds_meta_next(&m->meta, &off, &zK, &zV))
      if (ds_strmap_put(&seen, zK, strlen(zK), 0)) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  if (!yaml_parser_initialize(&p)) {
    ds_strmap_free(&seen);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  yaml_parser_set_input_string(&p, (const unsigned char *)z, n);
  while (!done && rc == DS_OK) {
    if (!yaml_parser_parse(&p, &ev)) {
      rc = ds_error_set(e, DS_FORMAT, -1, "front matter, line %zu: %s", p.problem_mark.line + 2,
                        p.problem ? p.problem : "malformed YAML");
      break;
    }
    switch (ev.type) {
      case YAML_MAPPING_START_EVENT:
        depth++;
        break;
      case YAML_MAPPING_END_EVENT:
        depth--;
        break;
      case YAML_SEQUENCE_START_EVENT:
        if (depth == 1 && !bKey) { inList = 1; ds_buf_reset(&list); }
        depth++;
        break;
      case YAML_SEQUENCE_END_EVENT:
        depth--;
        if (depth == 1 && inList) {
          put_front(m, &seen, zKey, list.p ? (const char *)list.p : "", list.n);
          inList = 0;
          bKey = 1;
        }
        break;
      case YAML_SCALAR_EVENT: {
        const char *zVal = (const char *)ev.data.scalar.value;
        size_t nVal = ev.data.scalar.length;
        if (depth == 1) {
          if (bKey) {
            snprintf(zKey, sizeof zKey, "%.*s", (int)nVal, zVal);
            /* the same name as HTML's <meta name="author"> and PDF's Author give */
            if (strcmp(zKey, "author") == 0) snprintf(zKey, sizeof zKey, "authors");
          } else {
            put_front(m, &seen, zKey, zVal, nVal);
          }
          bKey = !bKey;
        } else if (inList && depth == 2) {
          if (list.n) ds_buf_append(&list, "; ", 2);
          ds_buf_append(&list, zVal, nVal);
        }
        break;
      }
      case YAML_STREAM_END_EVENT:
        done = 1;
        break;
      default:
        break;
    }
    if (depth > DS_FRONT_MATTER_MAX_DEPTH)
      rc = ds_error_set(e, DS_FORMAT, -1, "front matter, line %zu: nested deeper than %d levels",
                        ev.start_mark.line + 2, DS_FRONT_MATTER_MAX_DEPTH);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&p);
  ds_buf_free(&list);
  ds_strmap_free(&seen);
  if (rc == DS_OK && m->meta.rc) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  return rc;
}

/* Offsets of the starts of the lines of z[0..n) in *pa (malloc'd), their count in *pn. */
static int line_starts(const char *z, size_t n, uint32_t **pa, size_t *pn) {
  size_t nLine = 1;
  for (const char *p = z; (p = memchr(p, '\n', (size_t)(z + n - p))) != NULL; p++) nLine++;
  uint32_t *a = ds_malloc_n(nLine, sizeof *a);
  if (!a) return DS_NOMEM;
  a[0] = 0;
  for (size_t i = 0, k = 1; i < n; i++)
    if (z[i] == '\n') a[k++] = (uint32_t)(i + 1);
  *pa = a;
  *pn = nLine;
  return DS_OK;
}

/* Offset in z of 1-based line l, column c, or SIZE_MAX when the line has no such column. */
static size_t md_offset(const uint32_t *aLine, size_t nLine, size_t n, int l, int c) {
  if (l < 1 || (size_t)l > nLine || c < 1) return SIZE_MAX;
  size_t off = aLine[l - 1] + (size_t)c - 1;
  return off < ((size_t)l < nLine ? aLine[l] : n + 1) ? off : SIZE_MAX;
}

/* Offset in z just past the line break ending 1-based line l (n for the last line). */
static size_t md_line_end(const uint32_t *aLine, size_t nLine, size_t n, int l) {
  return l >= 1 && (size_t)l < nLine ? aLine[l] : n;
}

/*
** Where in z[cursor, end) the literal t[0..nT) of an inline node starts. cmark 0.30 gives
** inline nodes positions, but on a paragraph's later lines they can be off: there a
** column is the paragraph's first column (paraCol) plus the offset in the line after its
** container prefix (`>`, a list item's indentation), so on a lazy line, which has no
** prefix, it lies up to paraCol - 1 bytes right of the text; no new line after a code
** span that ran over one. So: on a later line, at the first column from the leftmost
** the text can have where it aligns without a skip; then at the node's position if it
** aligns there (its first 4096 bytes), else where it first does so after the cursor
** (where the previous node's source ended), else at the position if it starts there,
** else from the cursor on, which align skips to the text. *pScratch is overwritten.
*/
static size_t md_inline_start(cmark_node *node, const char *z, const uint32_t *aLine,
                              size_t nLine, size_t cursor, size_t end, const char *t,
                              size_t nT, int mode, int paraLine, int paraCol,
                              ds_offmap *pScratch) {
  int l = cmark_node_get_start_line(node), c = cmark_node_get_start_column(node);
  size_t a = md_offset(aLine, nLine, end, l, c), nUsed;
  int bAt = a != SIZE_MAX && a >= cursor && a < end;
  size_t nKey = nT < 4096 ? nT : 4096;     /* bounds the time per node */
#define CLEAN(K) (align(t, nKey, z + (K), end - (K), 0, mode, 1, pScratch, &nUsed) == DS_OK)
  if (nT == 0) return bAt ? a : cursor;
  for (int k = c - paraCol + 1; l > paraLine && k < c; k++) {   /* prefixes shorter than paraCol - 1 */
    size_t b = k >= 1 ? md_offset(aLine, nLine, end, l, k) : SIZE_MAX;
    if (b != SIZE_MAX && b >= cursor && b < end && CLEAN(b)) return b;
  }
  if (bAt && CLEAN(a)) return a;
  for (size_t k = cursor; k < end && k - cursor <= 256; k++)
    if (CLEAN(k)) return k;
#undef CLEAN
  if (bAt && starts_at(t, nT, 0, z, end, a, mode)) return a;
  return cursor;
}

/*
** Does the code block whose source starts at z[a] (before `end`) open with a fence (three
** or more ` or ~)? Not when that line is the literal's first (an indented block's
** content that looks like one). Its literal then starts on the next line: aligned from
** the fence, the fence's own line break would be taken for the literal's first.
*/
static int md_fenced(const char *z, size_t a, size_t end, const char *zLit) {
  size_t k = a;
  while (k < end && k - a < 3 && (z[k] == '`' || z[k] == '~') && z[k] == z[a]) k++;
  if (k - a < 3) return 0;
  const char *nl = memchr(z + a, '\n', end - a);
  size_t nLine = nl ? (size_t)(nl - (z + a)) : end - a, nFirst = strcspn(zLit, "\n");
  return !(nLine == nFirst && memcmp(z + a, zLit, nLine) == 0);
}

int ds_markdown_read(const char *z, size_t n, const ds_langdata *pLang, ds_markup *out,
                     ds_error *e) {
  size_t skip = 0;              /* bytes of front matter before what cmark reads */
  /* front matter: `---` on the first line, up to the next `---` or `...` line */
  if (n >= 4 && memcmp(z, "---\n", 4) == 0) {
    size_t i = 4;
    while (i < n) {
      const char *nl = memchr(z + i, '\n', n - i);
      size_t eol = nl ? (size_t)(nl - z) : n;
      if ((eol - i == 3 && (memcmp(z + i, "---", 3) == 0 || memcmp(z + i, "...", 3) == 0))) {
        int rc = front_matter(z + 4, i - 4, out, e);
        if (rc) return rc;
        skip = eol;
        z += eol;
        n -= eol;
        break;
      }
      i = eol + 1;
    }
  }
  uint32_t *aLine = NULL;
  size_t nLine = 0;
  if (line_starts(z, n, &aLine, &nLine)) return ds_error_set(e, DS_NOMEM, -1, "out of memory reading Markdown");
  cmark_node *doc = cmark_parse_document(z, n, CMARK_OPT_DEFAULT);
  if (!doc) {
    ds_free(aLine);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory reading Markdown");
  }
  builder b = BUILDER_INIT(out, pLang);
  ds_offmap mNode = DS_OFFMAP_INIT;        /* a node's literal's offsets to the input's */
  size_t cursor = 0, end = n;              /* the current block's source not yet mapped */
  int paraLine = 0, paraCol = 1;           /* where the current paragraph or heading starts */
  /* a literal in z[A, end), mapped to its source, which then ends at the cursor */
#define PUT_LITERAL(LIT, A, MODE) do { \
    size_t nLit_ = strlen(LIT), a_ = (A), nUsed_; \
    if (align((LIT), nLit_, z + a_, end - a_, skip + a_, (MODE), 0, &mNode, &nUsed_)) b.rc = DS_NOMEM; \
    put_text(&b, (LIT), nLit_, &mNode); \
    cursor = a_ + nUsed_; \
  } while (0)
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while (b.rc == DS_OK && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(node);
    switch (t) {
      case CMARK_NODE_PARAGRAPH: case CMARK_NODE_HEADING: case CMARK_NODE_ITEM:
      case CMARK_NODE_BLOCK_QUOTE: case CMARK_NODE_THEMATIC_BREAK:
        end_block(&b);
        if (ev == CMARK_EVENT_ENTER && t == CMARK_NODE_HEADING) b.bHeading = 1;
        if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING)) {
          /* block positions are right: its text lies between its start and its last line's end */
          size_t a = md_offset(aLine, nLine, n, cmark_node_get_start_line(node),
                               cmark_node_get_start_column(node));
          end = md_line_end(aLine, nLine, n, cmark_node_get_end_line(node));
          cursor = a != SIZE_MAX && a < end ? a : end;
          paraLine = cmark_node_get_start_line(node);
          paraCol = cmark_node_get_start_column(node);
        }
        break;
      case CMARK_NODE_CODE_BLOCK: {
        end_block(&b);
        const char *zLit = cmark_node_get_literal(node);
        b.bPre = 1;
        size_t a = md_offset(aLine, nLine, n, cmark_node_get_start_line(node),
                             cmark_node_get_start_column(node));
        end = md_line_end(aLine, nLine, n, cmark_node_get_end_line(node));
        if (zLit && a != SIZE_MAX && a < end && md_fenced(z, a, end, zLit))
          a = md_line_end(aLine, nLine, n, cmark_node_get_start_line(node));
        if (zLit) PUT_LITERAL(zLit, a != SIZE_MAX && a < end ? a : end, ALIGN_CODE);
        b.bPre = 0;
        end_block(&b);
        break;
      }
      case CMARK_NODE_TEXT: case CMARK_NODE_CODE: {
        const char *zLit = cmark_node_get_literal(node);
        int mode = t == CMARK_NODE_CODE ? ALIGN_CODE : ALIGN_MD;
        if (zLit)
          PUT_LITERAL(zLit, md_inline_start(node, z, aLine, nLine, cursor, end, zLit, strlen(zLit), mode,
                                          paraLine, paraCol, &mNode), mode);
        break;
      }
      case CMARK_NODE_SOFTBREAK:
        put_text(&b, " ", 1, NULL);
        break;
      case CMARK_NODE_LINEBREAK:
        put_span(&b, "\n", 1, 0, NULL);
        break;
      default:                 /* emphasis, links: their text comes as TEXT nodes */
        break;
    }
  }
#undef PUT_LITERAL
  if (b.rc == DS_OK) end_block(&b);
  cmark_iter_free(it);
  cmark_node_free(doc);
  ds_free(aLine);
  ds_buf_free(&b.block);
  ds_offmap_free(&b.map);
  ds_offmap_free(&mNode);
  if (b.rc == DS_OK && out->meta.rc) b.rc = DS_NOMEM;
  return b.rc ? ds_error_set(e, b.rc, -1, "out of memory reading Markdown") : DS_OK;
}
