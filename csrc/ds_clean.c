/*
** ds_clean.c -- extraction clean-up (see ds_clean.h).
**
** The text is taken as lines. First each line gets a fate (kept, dropped as furniture or
** boilerplate, moved as a footnote); then each gap between two kept lines gets a joint
** (keep the line break, or join the lines: page break inside a paragraph, hyphenated
** word); last the clean text is written from the kept lines and their joints.
*/
#include "ds_clean.h"
#include "ds_lexicon.h"
#include "ds_sitelines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const azRule[] = {"hyphens", "pagebreaks", "footnotes", "furniture",
                                     "boilerplate", "paragraphs", "repeated"};
#define N_RULES (sizeof azRule / sizeof *azRule)

const char *ds_clean_rule_name(unsigned rule) {
  for (unsigned k = 0; k < N_RULES; k++)
    if (rule == 1u << k) return azRule[k];
  return NULL;
}

unsigned ds_clean_rule_find(const char *zName) {
  for (unsigned k = 0; k < N_RULES; k++)
    if (strcmp(zName, azRule[k]) == 0) return 1u << k;
  return 0;
}

enum { KEEP, DROP, FOOTNOTE };                 /* a line's fate */
enum { J_BREAK, J_JOIN_WORD, J_JOIN_HYPHEN, J_JOIN_LINE, J_PARA };  /* the joint after a line */

typedef struct line {
  size_t a, b;          /* bytes [a, b) of the input, without the '\n' */
  int bBlank;
  int bPage;            /* a form feed: a page break (the text then shows its pages) */
  int fate;
  int joint;            /* how this line joins the next kept one */
  int footNo;           /* FOOTNOTE: its number */
} line;

typedef struct cleaner {
  const char *z;
  size_t n;
  unsigned rules;
  const ds_langdata *ld;
  const ds_sitelines *site;
  line *aLine;
  size_t nLine;
  ds_lexmap words;      /* lower-case words of the document */
  ds_lexmap hyph;       /* its hyphenated words `left-right` (as written, letters each side) */
  int bWords;           /* words and hyph are collected (at the first line-end hyphen) */
  int bPages;           /* page breaks are form feeds (a PDF's text): only they count */
  int bShowsPages;      /* the text shows pages (form feeds, page numbers or running heads
                           at its breaks): only then is a paragraph joined across a break */
  ds_cleaned *out;
  int rc;
} cleaner;

static void note(cleaner *c, unsigned rule, size_t iLine, const char *zFmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

#include <stdarg.h>
static void note(cleaner *c, unsigned rule, size_t iLine, const char *zFmt, ...) {
  ds_cleaned *o = c->out;
  if (c->rc) return;
  if (o->nChange == o->nChangeAlloc) {
    size_t nNew = o->nChangeAlloc ? 2 * o->nChangeAlloc : 32;
    ds_change *a = ds_realloc_n(o->aChange, nNew, sizeof *a);
    if (!a) { c->rc = DS_NOMEM; return; }
    o->aChange = a;
    o->nChangeAlloc = nNew;
  }
  ds_change *ch = &o->aChange[o->nChange++];
  ch->rule = rule;
  ch->line = (int64_t)iLine + 1;
  ch->start = (int64_t)c->aLine[iLine].a;
  ch->end = (int64_t)c->aLine[iLine].b;
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(ch->zWhat, sizeof ch->zWhat, zFmt, ap);
  va_end(ap);
}

/* Line text as printf arguments: "%.*s". */
#define LINE_ARGS(c, i) (int)((c)->aLine[i].b - (c)->aLine[i].a), (c)->z + (c)->aLine[i].a

static int is_lower(char ch) { return ch >= 'a' && ch <= 'z'; }
static int is_letter(char ch) { return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'; }
static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* ====================== lines ====================== */

static int split_lines(cleaner *c) {
  size_t nAlloc = 0, i = 0;
  while (i <= c->n) {
    const char *nl = memchr(c->z + i, '\n', c->n - i);
    size_t b = nl ? (size_t)(nl - c->z) : c->n;
    if (c->nLine == nAlloc) {
      nAlloc = nAlloc ? 2 * nAlloc : 256;
      line *a = ds_realloc_n(c->aLine, nAlloc, sizeof *a);
      if (!a) return DS_NOMEM;
      c->aLine = a;
    }
    /* `\fText`, as pdftotext starts a page: the form feed is a line of its own */
    size_t e = b;
    if (i + 1 < b && c->z[i] == '\f') e = i + 1;
    int blank = 1, page = 0;
    for (size_t k = i; k < e && blank; k++) {
      blank = c->z[k] == ' ' || c->z[k] == '\t' || c->z[k] == '\f';
      page |= c->z[k] == '\f';
    }
    page &= blank;
    c->bPages |= page;
    c->aLine[c->nLine++] = (line){i, e, blank, page, KEEP, J_BREAK, 0};
    if (e < b) { i = e; continue; }
    if (!nl) break;
    i = b + 1;
  }
  return DS_OK;
}

/* Number of blank lines from line i on. */
static size_t blanks_from(const cleaner *c, size_t i) {
  size_t k = i;
  while (k < c->nLine && c->aLine[k].bBlank) k++;
  return k - i;
}

/* Is there a page break (two or more blank lines, or the end) after line i, allowing
   one blank line and dropped lines before it? In a text with form feeds, only a form
   feed (or the end) is a page break. */
static int page_break_after(const cleaner *c, size_t i) {
  size_t k = i + 1;
  if (c->bPages) {
    for (; k < c->nLine && (c->aLine[k].bBlank || c->aLine[k].fate != KEEP); k++)
      if (c->aLine[k].bPage) return 1;
    return k >= c->nLine;
  }
  for (;;) {
    size_t nb = blanks_from(c, k);
    if (k + nb >= c->nLine || nb >= 2) return 1;
    k += nb;
    if (c->aLine[k].fate == KEEP) return 0;
    k++;
  }
}

static int is_page_break_before(const cleaner *c, size_t i) {
  size_t nb = 0;
  if (c->bPages) {                      /* lines dropped already (a running head) are passed */
    while (i > nb && (c->aLine[i - 1 - nb].bBlank || c->aLine[i - 1 - nb].fate != KEEP))
      if (c->aLine[i - 1 - nb++].bPage) return 1;
    return i == nb;
  }
  while (i > nb && c->aLine[i - 1 - nb].bBlank) nb++;
  return nb >= 2 || i == nb;
}

/* The line is a link and nothing else (a PDF's link annotation repeated as text). */
static int url_line(const cleaner *c, size_t i) {
  const char *z = c->z + c->aLine[i].a;
  size_t n = c->aLine[i].b - c->aLine[i].a;
  while (n > 0 && z[0] == ' ') { z++; n--; }
  if (!(n > 8 && (memcmp(z, "http://", 7) == 0 || memcmp(z, "https://", 8) == 0))) return 0;
  for (size_t k = 0; k < n; k++)
    if (z[k] == ' ') return 0;
  return 1;
}

/* Footnote number of a line like `1See also ...` or `12 The law ...` (ending with a
   sentence), or 0. */
static int footnote_no(const cleaner *c, size_t i) {
  const char *z = c->z + c->aLine[i].a;
  size_t n = c->aLine[i].b - c->aLine[i].a, k = 0;
  while (k < n && z[k] == ' ') k++;
  size_t d = k;
  while (k < n && k - d < 3 && is_digit(z[k])) k++;
  if (k == d || k - d > 2 || k >= n) return 0;
  int no = 0;
  for (size_t x = d; x < k; x++) no = no * 10 + z[x] - '0';
  if (no == 0) return 0;
  if (z[k] >= 'A' && z[k] <= 'Z') return no;                     /* `1See`: a superscript */
  if (z[k] == ' ' && k + 1 < n && z[k + 1] >= 'A' && z[k + 1] <= 'Z') {
    size_t e = n;
    while (e > 0 && z[e - 1] == ' ') e--;
    return e > 0 && z[e - 1] == '.' ? no : 0;                    /* `12 The law ...` */
  }
  return 0;
}

/* Skip the bytes of z[*pk..b) that equal zWord (ASCII, case as given); 1 when they did. */
static int skip_word(const char *z, size_t *pk, size_t b, const char *zWord) {
  size_t n = strlen(zWord);
  if (*pk + n > b || memcmp(z + *pk, zWord, n) != 0) return 0;
  *pk += n;
  return 1;
}

/* The number of 1 to 4 digits at *pk (advanced past them), or -1. */
static int skip_digits(const char *z, size_t *pk, size_t b) {
  size_t n = 0;
  int v = 0;
  while (*pk + n < b && is_digit(z[*pk + n])) v = v * 10 + (z[*pk + n++] - '0');
  if (n == 0 || n > 4) return -1;
  *pk += n;
  return v;
}

/*
** Is line i a page number and nothing else: `12`, `12/40`, `12 / 40`, `12 of 40`,
** `Page 12`, `page 12 of 40`, `- 12 -`, as printers and browsers set them? Of two
** numbers the first is at most the second, which is under 1000 (`22/2019` is a report's
** number, not a page).
*/
static int digits_line(const cleaner *c, size_t i) {
  const char *z = c->z;
  size_t k = c->aLine[i].a, b = c->aLine[i].b;
  while (b > k && z[b - 1] == ' ') b--;
  while (k < b && z[k] == ' ') k++;
  int bDash = skip_word(z, &k, b, "- ");
  if (!bDash) (void)(skip_word(z, &k, b, "Page ") || skip_word(z, &k, b, "page "));
  int page = skip_digits(z, &k, b);
  if (page < 0) return 0;
  if (skip_word(z, &k, b, "/") || skip_word(z, &k, b, " / ") || skip_word(z, &k, b, " of ")) {
    int of = skip_digits(z, &k, b);
    if (of < page || of >= 1000) return 0;
  }
  if (bDash && !skip_word(z, &k, b, " -")) return 0;
  return k == b;
}

/* ====================== fates ====================== */

static void find_boilerplate(cleaner *c) {
  if (!(c->rules & DS_CLEAN_BOILERPLATE) || !c->ld) return;
  for (size_t i = 0; i < c->nLine; i++) {
    line *l = &c->aLine[i];
    if (l->bBlank || l->fate != KEEP) continue;
    const char *zPhrase = ds_langdata_boilerplate(c->ld, c->z + l->a, l->b - l->a);
    if (zPhrase) {
      l->fate = DROP;
      note(c, DS_CLEAN_BOILERPLATE, i, "dropped site furniture (\"%s\"): %.*s", zPhrase,
           LINE_ARGS(c, i));
    }
  }
}

/* A line of at least this many bytes reads as prose, not furniture. */
#define PROSE_LINE 80

/*
** Lines repeated across the site's documents are dropped, but for a heading the site's
** documents share (`Introduction`, `Key findings`): a paragraph of its own, followed by
** prose. A repeated line next to another repeated or boilerplate line (a menu, a footer)
** goes in any case.
*/
static void find_repeated(cleaner *c) {
  if (!(c->rules & DS_CLEAN_REPEATED) || !c->site) return;
  unsigned char *aRep = ds_malloc(c->nLine + 1);
  if (!aRep) {
    c->rc = DS_NOMEM;
    return;
  }
  /* 1: repeated, 2: dropped already as boilerplate */
  for (size_t i = 0; i < c->nLine; i++) {
    const line *l = &c->aLine[i];
    aRep[i] = l->bBlank ? 0 : l->fate == DROP ? 2
            : ds_sitelines_count(c->site, c->z + l->a, l->b - l->a) > 0;
  }
  for (size_t i = 0; i < c->nLine; i++) {
    line *l = &c->aLine[i];
    if (aRep[i] != 1 || l->fate != KEEP) continue;
    int bBlock = (i > 0 && aRep[i - 1]) || (i + 1 < c->nLine && aRep[i + 1]);
    if (!bBlock) {
      size_t q = i + 1;
      while (q < c->nLine && c->aLine[q].bBlank) q++;
      int bOwn = (i == 0 || c->aLine[i - 1].bBlank) && q > i + 1;
      if (bOwn && q < c->nLine && !aRep[q] && c->aLine[q].b - c->aLine[q].a >= PROSE_LINE) continue;
    }
    l->fate = DROP;
    note(c, DS_CLEAN_REPEATED, i, "dropped a line found in %zu of the site's %zu documents: %.*s",
         ds_sitelines_count(c->site, c->z + l->a, l->b - l->a), ds_sitelines_ndocs(c->site),
         LINE_ARGS(c, i));
  }
  ds_free(aRep);
}

/*
** Page foot zones: going up from each page break, repeated link lines are dropped and
** footnotes (`1See also ...`) are moved; page numbers next to a break are dropped.
*/
static void find_page_feet(cleaner *c) {
  size_t top = 0;       /* the first line of this page: the walk up stops there (linear) */
  for (size_t i = 0; i < c->nLine; i++) {
    line *l = &c->aLine[i];
    if (l->bBlank || l->fate != KEEP || !page_break_after(c, i)) continue;
    /* walk up over the foot of this page; a footnote may run on for a few lines */
    size_t aCont[3], nCont = 0, floor = top;
    top = i + 1;
    for (size_t k = i + 1; k-- > floor;) {
      line *m = &c->aLine[k];
      if (m->bBlank) {
        if (nCont) break;
        continue;
      }
      if (m->fate != KEEP) continue;
      if (nCont == 0 && (c->rules & DS_CLEAN_FURNITURE) && digits_line(c, k))
        continue;                       /* a page number under the notes: dropped below */
      int no;
      if ((c->rules & DS_CLEAN_FURNITURE) && url_line(c, k) && nCont == 0) {
        m->fate = DROP;
        note(c, DS_CLEAN_FURNITURE, k, "dropped a link line at a page end: %.*s", LINE_ARGS(c, k));
      } else if ((c->rules & DS_CLEAN_FOOTNOTES) && (no = footnote_no(c, k)) != 0) {
        m->fate = FOOTNOTE;
        m->footNo = no;
        note(c, DS_CLEAN_FOOTNOTES, k, "moved footnote %d to the end: %.*s", no, LINE_ARGS(c, k));
        for (size_t x = nCont; x-- > 0;) {
          c->aLine[aCont[x]].fate = FOOTNOTE;
          c->aLine[aCont[x]].footNo = -no;            /* continues footnote `no` */
        }
        nCont = 0;
      } else if (nCont < 3) {
        aCont[nCont++] = k;
      } else {
        break;
      }
    }
  }
  if (!(c->rules & DS_CLEAN_FURNITURE)) return;
  for (size_t i = 0; i < c->nLine; i++) {
    line *l = &c->aLine[i];
    if (l->bBlank || l->fate != KEEP) continue;
    if (digits_line(c, i) && (is_page_break_before(c, i) || page_break_after(c, i))) {
      l->fate = DROP;
      note(c, DS_CLEAN_FURNITURE, i, "dropped a page number: %.*s", LINE_ARGS(c, i));
    }
  }
}

/* Running heads: a short line found three times or more next to page breaks. */
static void find_running_heads(cleaner *c) {
  if (!(c->rules & DS_CLEAN_FURNITURE)) return;
  ds_lexmap seen;
  ds_lexmap_init(&seen);
  for (size_t i = 0; i < c->nLine && c->rc == DS_OK; i++) {
    line *l = &c->aLine[i];
    if (l->bBlank || l->fate != KEEP || l->b - l->a > 80) continue;
    if (!is_page_break_before(c, i) && !page_break_after(c, i)) continue;
    ds_lexent *ent = ds_lexmap_find(&seen, c->z + l->a, l->b - l->a);
    if (!ent) ent = ds_lexmap_add(&seen, c->z + l->a, l->b - l->a, 0, 0);
    if (!ent) c->rc = DS_NOMEM;
    else ent->nAdded++;
  }
  for (size_t i = 0; i < c->nLine && c->rc == DS_OK; i++) {
    line *l = &c->aLine[i];
    if (l->bBlank || l->fate != KEEP || l->b - l->a > 80) continue;
    ds_lexent *ent = ds_lexmap_find(&seen, c->z + l->a, l->b - l->a);
    if (ent && ent->nAdded >= 3 && (is_page_break_before(c, i) || page_break_after(c, i))) {
      l->fate = DROP;
      c->bShowsPages = 1;
      note(c, DS_CLEAN_FURNITURE, i, "dropped a running head (%llu times): %.*s",
           (unsigned long long)ent->nAdded, LINE_ARGS(c, i));
    }
  }
  ds_lexmap_free(&seen);
}

/* ====================== joints ====================== */

/*
** Does the text show its pages? Form feeds, or a page number (a line of 1-4 digits) next
** to a break of two or more blank lines (running heads set c->bShowsPages when found).
** Where it does not, a break of blank lines cuts a paragraph only after a line that
** goes on from the line above it (a wrapped paragraph, as a page end cuts it): a web
** page's headline, a line of its own, is not joined to the next paragraph (`no way to
** prevent this` / `Despite efforts`). That is decided line by line, so a document read
** in parts (ds_parts.h) is cleaned as the whole is.
*/
static int shows_pages(const cleaner *c) {
  if (c->bPages) return 1;
  for (size_t i = 0; i < c->nLine; i++) {
    if (c->aLine[i].bBlank || !digits_line(c, i)) continue;
    if ((i > 0 && is_page_break_before(c, i)) || page_break_after(c, i)) return 1;
  }
  return 0;
}

/* The next kept line after line i, and whether a page break lies between them. */
static size_t next_kept(const cleaner *c, size_t i, int *pPageBreak) {
  size_t nBlankRun = 0, maxRun = 0;
  int bFeed = 0;
  for (size_t k = i + 1; k < c->nLine; k++) {
    const line *l = &c->aLine[k];
    if (l->bBlank) {
      if (++nBlankRun > maxRun) maxRun = nBlankRun;
      if (l->bPage) bFeed = 1;
      continue;
    }
    nBlankRun = 0;
    if (l->fate == KEEP) {
      *pPageBreak = c->bPages ? bFeed : maxRun >= 2;
      return k;
    }
  }
  return c->nLine;
}

/* Last non-space character of line i, or 0. */
static char last_char(const cleaner *c, size_t i) {
  size_t b = c->aLine[i].b;
  while (b > c->aLine[i].a && c->z[b - 1] == ' ') b--;
  return b > c->aLine[i].a ? c->z[b - 1] : 0;
}

/* Does line i end a sentence (`.` `!` `?` `:`, perhaps followed by closing quotes or
   brackets)? */
static int ends_sentence(const cleaner *c, size_t i) {
  size_t b = c->aLine[i].b;
  while (b > c->aLine[i].a) {
    unsigned char ch = (unsigned char)c->z[b - 1];
    if (ch == ' ' || ch == ')' || ch == '"' || ch == '\'' || ch == 0x99 || ch == 0x9D) {
      b--;                   /* 0x99, 0x9D: last bytes of ’ and ” */
      if (ch >= 0x80) b -= 2;
      continue;
    }
    return ch == '.' || ch == '!' || ch == '?' || ch == ':';
  }
  return 0;
}

static int first_char(const cleaner *c, size_t i) {
  size_t a = c->aLine[i].a;
  while (a < c->aLine[i].b && c->z[a] == ' ') a++;
  return a < c->aLine[i].b ? (unsigned char)c->z[a] : 0;
}

/*
** Add the lower-case ASCII words of the document to c->words, and each `left-right`
** (two runs of ASCII letters around one hyphen) to c->hyph: one pass, so the hyphens
** rule is linear in the document whatever the number of hyphens at line ends.
*/
static void collect_words(cleaner *c) {
  char w[64];
  size_t i = 0, prevA = 0, prevB = 0;     /* the letter run before this one */
  while (i < c->n && c->rc == DS_OK) {
    if (!is_letter(c->z[i])) { i++; continue; }
    size_t j = i;
    while (j < c->n && is_letter(c->z[j])) j++;
    if (prevB && prevB + 1 == i && c->z[prevB] == '-' && j - prevA < 130 &&
        !ds_lexmap_find(&c->hyph, c->z + prevA, j - prevA) &&
        !ds_lexmap_add(&c->hyph, c->z + prevA, j - prevA, 0, 0))
      c->rc = DS_NOMEM;
    prevA = i;
    prevB = j;
    int whole = (i == 0 || (unsigned char)c->z[i - 1] < 0x80) && (j == c->n || (unsigned char)c->z[j] < 0x80);
    if (whole && j - i < sizeof w && !(j < c->n && c->z[j] == '-' && j + 1 < c->n && c->z[j + 1] == '\n')) {
      for (size_t k = i; k < j; k++) w[k - i] = (char)(c->z[k] | 0x20);
      if (!ds_lexmap_find(&c->words, w, j - i) && !ds_lexmap_add(&c->words, w, j - i, 0, 0))
        c->rc = DS_NOMEM;
    }
    i = j;
  }
}

static int known(cleaner *c, const char *z, size_t n) {
  char w[64];
  if (n == 0 || n >= sizeof w) return 0;
  for (size_t k = 0; k < n; k++) w[k] = (char)(z[k] | 0x20);
  if (ds_lexmap_find(&c->words, w, n)) return 1;
  return c->ld && ds_langdata_is_word(c->ld, z, n);
}

/* Does `left-right` occur in the document (a lookup in c->hyph, built once)? */
static int hyphenated_in_doc(cleaner *c, const char *zL, size_t nL, const char *zR, size_t nR) {
  char w[130];
  if (nL + nR + 1 >= sizeof w) return 0;
  memcpy(w, zL, nL);
  w[nL] = '-';
  memcpy(w + nL + 1, zR, nR);
  return ds_lexmap_find(&c->hyph, w, nL + 1 + nR) != NULL;
}

/*
** A word broken by a hyphen at the end of line i, continued on line j: joined when the
** joined form is a word (the word list, or the document itself) and the hyphenated form
** is not in the document; kept when the hyphenated form is there, or when both halves
** are words and the joined form is not (`dual-` `use`); joined otherwise, as most such
** hyphens are the typesetter's.
*/
static void hyphen_joint(cleaner *c, size_t i, size_t j) {
  line *l = &c->aLine[i];
  size_t b = l->b;
  while (b > l->a && c->z[b - 1] == ' ') b--;
  if (b - l->a < 3 || c->z[b - 1] != '-' || !is_letter(c->z[b - 2])) return;
  size_t la = b - 1;
  while (la > l->a && is_letter(c->z[la - 1])) la--;
  if (la > l->a && ((unsigned char)c->z[la - 1] >= 0x80 || c->z[la - 1] == '-')) return;
  size_t ra = c->aLine[j].a, rb;
  while (ra < c->aLine[j].b && c->z[ra] == ' ') ra++;
  if (ra >= c->aLine[j].b || !is_lower(c->z[ra])) return;
  for (rb = ra; rb < c->aLine[j].b && is_letter(c->z[rb]); rb++) {}
  if (rb < c->aLine[j].b && (unsigned char)c->z[rb] >= 0x80) return;
  const char *zL = c->z + la, *zR = c->z + ra;
  size_t nL = b - 1 - la, nR = rb - ra;
  char joined[128];
  if (nL + nR >= sizeof joined) return;
  memcpy(joined, zL, nL);
  memcpy(joined + nL, zR, nR);
  int bKeep;
  if (!c->bWords) {               /* most documents break no word at a line end */
    c->bWords = 1;
    collect_words(c);
    if (c->rc) return;
  }
  if (hyphenated_in_doc(c, zL, nL, zR, nR)) bKeep = 1;
  else if (known(c, joined, nL + nR)) bKeep = 0;
  else bKeep = known(c, zL, nL) && known(c, zR, nR);
  l->joint = bKeep ? J_JOIN_HYPHEN : J_JOIN_WORD;
  if (bKeep)
    note(c, DS_CLEAN_HYPHENS, i, "kept the hyphen of %.*s-%.*s across the line break",
         (int)nL, zL, (int)nR, zR);
  else
    note(c, DS_CLEAN_HYPHENS, i, "rejoined %.*s- %.*s as %.*s", (int)nL, zL, (int)nR, zR,
         (int)(nL + nR), joined);
}

static void find_joints(cleaner *c) {
  for (size_t i = 0; i < c->nLine && c->rc == DS_OK; i++) {
    line *l = &c->aLine[i];
    if (l->bBlank || l->fate != KEEP) continue;
    int bPage;
    size_t j = next_kept(c, i, &bPage);
    if (j >= c->nLine) break;
    int bSameParagraph = j == i + 1 || (j > i + 1 && c->aLine[i + 1].fate != KEEP && !c->aLine[i + 1].bBlank);
    /* only dropped lines between: as good as adjacent */
    for (size_t k = i + 1; k < j && bSameParagraph; k++) bSameParagraph = !c->aLine[k].bBlank;
    int bWrapped = i > 0 && !c->aLine[i - 1].bBlank;   /* the line goes on from the one above */
    if (!bSameParagraph && bPage && (c->bShowsPages || bWrapped) && (c->rules & DS_CLEAN_PAGEBREAKS)) {
      int fc = first_char(c, j);
      char lc = last_char(c, i);
      /* a full line cut off mid-sentence, or a lower-case continuation: not a heading
         or a label followed by blank lines, which web pages have too */
      int bFull = c->aLine[i].b - c->aLine[i].a >= 50;
      if (lc != 0 && ((bFull && !ends_sentence(c, i)) || is_lower((char)fc))) {
        l->joint = J_JOIN_LINE;
        bSameParagraph = 1;
        note(c, DS_CLEAN_PAGEBREAKS, i, "joined the paragraph across a page break (line %zu)", j + 1);
      }
    }
    if (bSameParagraph && l->joint != J_PARA && (c->rules & DS_CLEAN_HYPHENS)) hyphen_joint(c, i, j);
  }
}

/* ====================== paragraphs ====================== */

/* Characters (not bytes) of line i without its trailing spaces, and its indentation. */
static size_t line_width(const cleaner *c, size_t i, size_t *pIndent) {
  size_t a = c->aLine[i].a, b = c->aLine[i].b, n = 0, ind = 0;
  while (b > a && c->z[b - 1] == ' ') b--;
  while (a + ind < b && (c->z[a + ind] == ' ' || c->z[a + ind] == '\t'))
    ind += c->z[a + ind] == '\t' ? 4 : 1;
  for (size_t k = a; k < b; k++) n += ((unsigned char)c->z[k] & 0xC0) != 0x80;
  if (pIndent) *pIndent = ind;
  return n;
}

/* Does line i start like a paragraph: a capital letter or digit, perhaps after an
   opening quote or bracket? */
static int starts_paragraph(const cleaner *c, size_t i) {
  size_t a = c->aLine[i].a, b = c->aLine[i].b;
  while (a < b && (c->z[a] == ' ' || c->z[a] == '\t')) a++;
  if (a < b && (c->z[a] == '"' || c->z[a] == '(' || c->z[a] == '\'')) a++;
  else if (b - a >= 3 && memcmp(c->z + a, "\xE2\x80\x9C", 3) == 0) a += 3;   /* “ */
  return a < b && ((c->z[a] >= 'A' && c->z[a] <= 'Z') || is_digit(c->z[a]));
}

static int cmp_size(const void *x, const void *y) {
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  return a < b ? -1 : a > b;
}

/*
** Paragraphs of hard-wrapped text that has no blank line between them: in a block of
** three or more kept lines whose usual width W (the 75th percentile of its line widths)
** is 40 characters or more, a line (not after a hyphen) starts a paragraph when it is
** indented two or more columns deeper than the block's usual indentation (the median),
** or when it starts with a capital or a digit and the line before it ends a sentence
** and is shorter than 3/4 W.
*/
static void find_paragraphs(cleaner *c) {
  if (!(c->rules & DS_CLEAN_PARAGRAPHS)) return;
  size_t *aW = NULL, nAlloc = 0;
  for (size_t i = 0; i < c->nLine && c->rc == DS_OK;) {
    if (c->aLine[i].bBlank) { i++; continue; }
    size_t e = i, nKept = 0;                    /* the block: lines [i, e) */
    while (e < c->nLine && !c->aLine[e].bBlank) nKept += c->aLine[e++].fate == KEEP;
    if (nKept >= 3) {
      if (nKept > nAlloc) {
        size_t *a = ds_realloc_n(aW, 2 * nKept, sizeof *a);
        if (!a) { c->rc = DS_NOMEM; break; }
        aW = a;
        nAlloc = nKept;
      }
      size_t n = 0, *aInd = aW + nKept;
      for (size_t k = i; k < e; k++) {
        if (c->aLine[k].fate != KEEP) continue;
        aW[n] = line_width(c, k, &aInd[n]);
        n++;
      }
      qsort(aInd, n, sizeof *aInd, cmp_size);
      size_t usualIndent = aInd[n / 2];
      qsort(aW, n, sizeof *aW, cmp_size);
      size_t w = aW[(3 * n) / 4 < n ? (3 * n) / 4 : n - 1];
      for (size_t k = i, prev = SIZE_MAX; w >= 40 && k < e; k++) {
        if (c->aLine[k].fate != KEEP) continue;
        if (prev != SIZE_MAX && last_char(c, prev) != '-') {
          size_t ind, wPrev = line_width(c, prev, NULL);
          line_width(c, k, &ind);
          int bShort = 4 * wPrev < 3 * w && ends_sentence(c, prev) && starts_paragraph(c, k);
          int bIndent = ind > usualIndent + 1;
          if (bShort || bIndent) {
            size_t nShow = c->aLine[k].b - c->aLine[k].a;
            if (nShow > 40) {
              nShow = 40;
              while (nShow > 0 && ((unsigned char)c->z[c->aLine[k].a + nShow] & 0xC0) == 0x80) nShow--;
            }
            c->aLine[prev].joint = J_PARA;
            note(c, DS_CLEAN_PARAGRAPHS, k, "started a paragraph after %s: %.*s",
                 bShort ? "a short line ending a sentence" : "an indented line", (int)nShow,
                 c->z + c->aLine[k].a);
          }
        }
        prev = k;
      }
    }
    i = e;
  }
  ds_free(aW);
}

/* ====================== footnote markers ====================== */

/*
** Remove in-text markers of the footnotes moved: the number right after a word or a
** closing punctuation mark (`p. 54).2 China`), once per footnote, before the footnote.
** Marks bytes to skip in aSkip.
*/
/* Bytes of w: each b with 0x2F < b < 0x3A (an ASCII digit) has its high bit set in the
   result, the others (for a test of any) none. */
static uint64_t digit_bytes(uint64_t w) {
  const uint64_t k1 = ~(uint64_t)0 / 255;
  uint64_t low = w & k1 * 127;
  return (k1 * (127 + 0x3A) - low) & ~w & (low + k1 * (127 - 0x2F)) & k1 * 128;
}

/* The first position of z[k..b) that holds an ASCII digit, or b: 8 bytes at a look
   (text is mostly letters). */
static size_t next_digit(const char *z, size_t k, size_t b) {
  for (; k + 8 <= b; k += 8) {
    uint64_t w;
    memcpy(&w, z + k, 8);
    if (digit_bytes(w)) break;
  }
  while (k < b && !is_digit(z[k])) k++;
  return k;
}

static void find_markers(cleaner *c, unsigned char *aSkip) {
  /* One pass: aPos[no] - 1 is the latest marker `no` seen (the rightmost on the nearest
     line before), aLine its line; footnote numbers are 1 to 99 (footnote_no). */
  size_t aPos[100] = {0}, aAt[100] = {0};
  const char *z = c->z;
  for (size_t i = 0; i < c->nLine; i++) {
    const line *l = &c->aLine[i];
    if (l->fate == FOOTNOTE) {
      int no = l->footNo;
      if (no > 0 && no < 100 && aPos[no]) {
        memset(aSkip + aPos[no] - 1, 1, no < 10 ? 1 : 2);
        note(c, DS_CLEAN_FOOTNOTES, aAt[no], "removed footnote marker %d from the text", no);
      }
      continue;
    }
    if (l->bBlank || l->fate != KEEP) continue;
    for (size_t k = next_digit(z, l->a + 1, l->b); k < l->b; k = next_digit(z, k + 1, l->b)) {
      char prev = z[k - 1];
      if (z[k] == '0' || is_digit(prev)) continue;
      size_t e = k;
      while (e < l->b && is_digit(z[e])) e++;
      if (e - k > 2) { k = e - 1; continue; }
      int after = e == l->b || z[e] == ' ' || z[e] == ',' || z[e] == ';';
      int before = is_lower(prev) || prev == '.' || prev == ')' || prev == ',' || prev == ';' ||
                   (unsigned char)prev == 0x99 || (unsigned char)prev == 0x9D;
      if (after && before && !(k >= 2 && is_digit(z[k - 2]) && prev == '.')) {
        int no = 0;
        for (size_t x = k; x < e; x++) no = no * 10 + z[x] - '0';
        aPos[no] = k + 1;
        aAt[no] = i;
      }
      k = e - 1;
    }
  }
}

/* ====================== output ====================== */

/* Append n bytes z that came from input bytes [in, in+nIn), and map them. */
static void emit(cleaner *c, const char *z, size_t n, size_t in, size_t nIn) {
  ds_cleaned *o = c->out;
  if (c->rc == DS_OK) c->rc = ds_offmap_put(&o->map, o->text.n, n, in, nIn);
  ds_buf_append(&o->text, z, n);
}

/* Append input bytes [a, b), leaving out those marked in aSkip. */
static void put_range(cleaner *c, size_t a, size_t b, const unsigned char *aSkip) {
  size_t k = a;
  while (k < b) {
    const unsigned char *pSkip = memchr(aSkip + k, 1, b - k);    /* (marks are 1) */
    size_t e = pSkip ? (size_t)(pSkip - aSkip) : b;
    if (e > k) emit(c, c->z + k, e - k, k, e - k);
    while (e < b && aSkip[e]) e++;
    k = e;
  }
}

static void write_text(cleaner *c, const unsigned char *aSkip) {
  ds_buf *t = &c->out->text;
  int pending = 0;          /* line breaks owed before the next kept line */
  for (size_t i = 0; i < c->nLine; i++) {
    const line *l = &c->aLine[i];
    if (l->bBlank) {
      if (pending) pending++;
      continue;
    }
    if (l->fate != KEEP) continue;
    if (pending)          /* the line breaks stand for the one before this line */
      emit(c, "\n\n", pending > 2 ? 2 : (size_t)pending, l->a > 0 ? l->a - 1 : 0, l->a > 0);
    size_t b = l->b;
    if (l->joint == J_JOIN_WORD) {
      while (b > l->a && c->z[b - 1] == ' ') b--;
      b--;                                    /* the hyphen */
    } else if (l->joint == J_JOIN_HYPHEN) {
      while (b > l->a && c->z[b - 1] == ' ') b--;
    }
    size_t a = l->a;
    if (pending == 0 && i > 0 && t->n > 0) {
      /* continuing a joined line: drop its indentation */
      while (a < b && c->z[a] == ' ') a++;
    }
    put_range(c, a, b, aSkip);
    if (l->joint == J_JOIN_LINE) {
      emit(c, "\n", 1, l->b, l->b < c->n);
      pending = 0;
    } else {
      pending = l->joint == J_BREAK ? 1 : l->joint == J_PARA ? 2 : 0;
    }
  }
  /* the footnotes, each a paragraph of its own */
  int bNotes = 0;
  for (size_t i = 0; i < c->nLine && !bNotes; i++) bNotes = c->aLine[i].fate == FOOTNOTE;
  if (bNotes && t->n && t->p[t->n - 1] != '\n') emit(c, "\n", 1, c->n, 0);
  c->out->footStart = t->n;
  for (size_t i = 0; i < c->nLine; i++) {
    const line *l = &c->aLine[i];
    if (l->fate != FOOTNOTE) continue;
    size_t a = l->a, d;
    while (a < l->b && c->z[a] == ' ') a++;
    if (l->footNo > 0) {
      emit(c, "\n", 1, a, 0);              /* a paragraph per footnote: `1 See ...` */
      for (d = a; d < l->b && is_digit(c->z[d]); d++) {}
      emit(c, c->z + a, d - a, a, d - a);
      emit(c, " ", 1, d, 0);
      a = d;
      while (a < l->b && c->z[a] == ' ') a++;
    }
    emit(c, c->z + a, l->b - a, a, l->b - a);
    emit(c, "\n", 1, l->b, l->b < c->n);
  }
}

/* Changes in the order of their lines (stable: insertion sort, lists are short). */
/* Changes in line order, stable (a merge sort: linear-logarithmic however the rules
   interleaved them); DS_NOMEM if its scratch space cannot be had. */
static int sort_changes(ds_cleaned *o) {
  size_t n = o->nChange;
  if (n < 2) return DS_OK;
  ds_change *a = o->aChange, *tmp = ds_malloc_n(n, sizeof *tmp);
  if (!tmp) return DS_NOMEM;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = a[j].line < a[i].line ? a[j++] : a[i++];
      while (i < mid) tmp[k++] = a[i++];
      while (j < hi) tmp[k++] = a[j++];
    }
    memcpy(a, tmp, n * sizeof *a);
  }
  ds_free(tmp);
  return DS_OK;
}

int ds_clean(const char *z, size_t n, unsigned rules, const ds_langdata *ld, ds_cleaned *out,
             ds_error *e) {
  return ds_clean_with(z, n, rules, ld, NULL, out, e);
}

int ds_clean_with(const char *z, size_t n, unsigned rules, const ds_langdata *ld,
                  const ds_sitelines *site, ds_cleaned *out, ds_error *e) {
  cleaner c;
  memset(&c, 0, sizeof c);
  c.z = z;
  c.n = n;
  c.rules = rules;
  c.ld = ld;
  c.site = site;
  c.out = out;
  ds_lexmap_init(&c.words);
  ds_lexmap_init(&c.hyph);
  unsigned char *aSkip = ds_malloc(n + 1);
  if (!aSkip || split_lines(&c)) c.rc = DS_NOMEM;
  if (c.rc == DS_OK) {
    memset(aSkip, 0, n + 1);
    find_boilerplate(&c);
    find_repeated(&c);
    find_page_feet(&c);
    find_running_heads(&c);
    find_running_heads(&c);       /* a head's second line (a title under the date) is next to the break now */
    find_paragraphs(&c);
    c.bShowsPages |= shows_pages(&c);
    find_joints(&c);
    if (rules & DS_CLEAN_FOOTNOTES) find_markers(&c, aSkip);
    if (c.rc == DS_OK) write_text(&c, aSkip);
    if (c.rc == DS_OK) c.rc = sort_changes(out);
    if (c.rc == DS_OK && out->text.rc) c.rc = DS_NOMEM;
  }
  ds_free(aSkip);
  ds_free(c.aLine);
  ds_lexmap_free(&c.words);
  ds_lexmap_free(&c.hyph);
  if (c.rc) return ds_error_set(e, c.rc, -1, "out of memory cleaning the text");
  return DS_OK;
}

void ds_cleaned_free(ds_cleaned *c) {
  ds_buf_free(&c->text);
  ds_free(c->aChange);
  ds_offmap_free(&c->map);
  memset(c, 0, sizeof *c);
}
