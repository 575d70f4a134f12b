/*
** ds_sentence.c -- sentence splitter: rules, then a learned model (see ds_sentence.h).
**
** Per paragraph: a block of short lines (a list, a menu, an address) is split at its
** line breaks first; numbered, lettered and bulleted list items start units of their
** own; then a unit ends after a terminal (`.`, `!`, `?`, `…`, an abbreviation's period)
** when what follows opens a sentence. Last, the boundary model (ds_boundary.h) may cut
** each sentence the rules found where punctuation is missing.
*/
#include "ds_sentence.h"
#include "ds_boundary.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <string.h>
#include <utf8proc.h>

/* Lines of at most this many characters make a block of short lines. */
#define SHORT_LINE 40

static const char *tok_text(const ds_doc *d, size_t t, size_t *pn) {
  *pn = d->aTok[t].end - d->aTok[t].start;
  return d->zText + d->aTok[t].start;
}

static int tok_is(const ds_doc *d, size_t t, const char *z) {
  size_t n;
  const char *zTok = tok_text(d, t, &n);
  return n == strlen(z) && memcmp(zTok, z, n) == 0;
}

static int32_t first_cp(const ds_doc *d, size_t t) {
  int32_t cp;
  ds_utf8_decode((const unsigned char *)d->zText, d->aTok[t].start, d->aTok[t].end, &cp);
  return cp;
}

/* Is token t directly followed by token t+1, with no space between? */
static int attached(const ds_doc *d, size_t t) { return !(d->aTok[t].flags & DS_TOK_SPACE_AFTER); }

/* Exactly one space between tokens t and t+1. */
static int one_space(const ds_doc *d, size_t t) {
  return d->aTok[t + 1].start == d->aTok[t].end + 1 && d->zText[d->aTok[t].end] == ' ';
}

/* `.` `!` `?` `…` or a run of them. */
static int is_terminal(const ds_doc *d, size_t t) {
  if (!(d->aTok[t].flags & DS_TOK_PUNCT)) return 0;
  size_t n;
  const char *z = tok_text(d, t, &n);
  if (n == 3 && memcmp(z, "\xE2\x80\xA6", 3) == 0) return 1;
  for (size_t k = 0; k < n; k++)
    if (z[k] != '.' && z[k] != '!' && z[k] != '?') return 0;
  return 1;
}

static int is_ellipsis(const ds_doc *d, size_t t) {
  return tok_is(d, t, "...") || tok_is(d, t, "\xE2\x80\xA6");
}

/* Bullets that start a list item: • ◦ ▪ ‣ ⁃ */
static int is_bullet(const ds_doc *d, size_t t) {
  if ((unsigned char)d->zText[d->aTok[t].start] < 0xE2) return 0;
  int32_t cp = first_cp(d, t);
  return cp == 0x2022 || cp == 0x25E6 || cp == 0x25AA || cp == 0x2023 || cp == 0x2043;
}

/* A quote or bracket that closes what came before: attached to the previous token. */
static int is_closer(const ds_doc *d, size_t t) {
  int32_t cp = first_cp(d, t);
  if (!attached(d, t - 1)) return 0;
  if (cp == '"' || cp == '\'' || cp == ')' || cp == ']') return 1;
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_PF || c == UTF8PROC_CATEGORY_PE;
}

/* The token can open a sentence: capital, digit, opening quote or bracket. */
static int opens_sentence(const ds_doc *d, size_t t) {
  int32_t cp = first_cp(d, t);
  utf8proc_category_t c = utf8proc_category(cp);
  if (c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT || c == UTF8PROC_CATEGORY_ND ||
      c == UTF8PROC_CATEGORY_LO)
    return 1;
  return cp == '"' || cp == '\'' || cp == '(' || cp == '[' || c == UTF8PROC_CATEGORY_PI ||
         c == UTF8PROC_CATEGORY_PS;
}

/*
** After a sentence's end, what starts a unit though no sentence: a URL or e-mail address
** (`... on our site. http://...`), a rule or divider (`***`, `=====`; not `--`, which
** prose uses as a dash: `and -- voila! -- you`).
*/
static int opens_unit(const ds_doc *d, size_t t) {
  if (d->aTok[t].flags & DS_TOK_URL) return 1;
  size_t n;
  const char *z = tok_text(d, t, &n);
  if (n < 3) return 0;
  for (size_t k = 0; k < n; k++)
    if (!strchr("*-=_~#", z[k]) || z[k] == 0) return 0;
  return 1;
}

/*
** After a sentence's end, marks that lead into the next unit: `** Google defies ...`,
** `- Eleanor Roosevelt`, `< http://...>`, `? WE`, or that close the paragraph
** (`Katrina. *...*`). Up to three tokens of punctuation or symbols, not those that
** continue a sentence (`,` `;` `:` `)` `%` ...), then what opens a sentence or a unit.
*/
static int marks_then_opener(const ds_doc *d, size_t e, size_t last) {
  size_t k = e;
  for (; k < last && k < e + 3; k++) {
    const ds_token *tok = &d->aTok[k];
    if (!(tok->flags & (DS_TOK_PUNCT | DS_TOK_SYMBOL)) || (tok->flags & DS_TOK_URL)) break;
    unsigned char c = (unsigned char)d->zText[tok->start];
    if (c < 0x80 && strchr(",;:)]}%&/|", c)) return 0;
    if (c >= 0x80) {
      utf8proc_category_t cat = utf8proc_category(first_cp(d, k));
      if (cat == UTF8PROC_CATEGORY_PE || cat == UTF8PROC_CATEGORY_PF) return 0;
    }
  }
  if (k == e) return 0;
  if (k >= last)              /* punctuation alone (`*...*`), not `parrots? ?` nor `®` */
    return !(d->aTok[e].flags & DS_TOK_SYMBOL) &&
           (!is_terminal(d, e) || d->zText[d->aTok[e].start] == '.');
  return opens_sentence(d, k) || opens_unit(d, k);
}

/* A capitalised word of two letters or more (`Today`, `Mr.`): after `world.` with no
   space, it still starts a sentence. */
static int capitalised_word(const ds_doc *d, size_t t) {
  size_t n;
  const char *z = tok_text(d, t, &n);
  return (d->aTok[t].flags & DS_TOK_WORD) && n >= 2 && z[0] >= 'A' && z[0] <= 'Z' &&
         z[1] >= 'a' && z[1] <= 'z';
}

/*
** After terminal t comes a lower-case word e, as in informal writing (`whatever. i will`,
** `bet? really`, `was friendly . and`). A period ends the sentence when what comes before
** it is an ordinary word (two letters or more, not a known abbreviation; the period may
** stand apart from it), or, attached, a number or a closing bracket or quote (`call
** 303-832-8160. they`, `(ext. 3264). you`); `?` ends it; `!` unless it is part of a name
** (`Yahoo! in`).
*/
static int lower_after(const ds_doc *d, size_t t, size_t first, size_t e) {
  int32_t cp = first_cp(d, e);
  if (utf8proc_category(cp) != UTF8PROC_CATEGORY_LL || !(d->aTok[e].flags & DS_TOK_WORD)) return 0;
  if (t == first) return 0;
  const ds_token *prev = &d->aTok[t - 1];
  size_t n;
  const char *z = tok_text(d, t, &n);
  if (n == 1 && z[0] == '.' && (prev->flags & DS_TOK_WORD))
    return prev->end - prev->start >= 2 && !(prev->flags & DS_TOK_ABBREV);
  /* a question mark, a run of `!` or a `!` set apart (`gift...?? i`, `ASAP!!! esp`,
     `opener ! complete`) */
  if (memchr(z, '?', n) || (z[0] == '!' && (n > 1 || !attached(d, t - 1)))) return 1;
  if (!attached(d, t - 1)) return 0;
  int32_t cpPrev = first_cp(d, t - 1);
  if (z[0] == '!') return !(cpPrev >= 'A' && cpPrev <= 'Z');
  if (n != 1) return 0;                                   /* `...` before lower case */
  if (prev->flags & DS_TOK_NUMBER) return 1;
  utf8proc_category_t c = utf8proc_category(cpPrev);
  return cpPrev == ')' || cpPrev == '"' || c == UTF8PROC_CATEGORY_PE || c == UTF8PROC_CATEGORY_PF;
}

/*
** Does the sentence [first, t) followed by `,` or `:` at t open or close a letter
** (`Dear Ms. Li,` `Hi David:` `Best regards,` `Thanks,`)? Then what follows is a sentence.
*/
static int address_or_signoff(const ds_doc *d, size_t first, size_t t) {
  static const char *const azOpen[] = {"Dear", "Hi", "Hello", "Hey", NULL};
  static const char *const azClose[] = {"Thanks", "Thank you", "Best", "Best regards",
                                        "Regards", "Kind regards", "Cheers", "Sincerely",
                                        "Good luck", "Yours", "Cordially", "Love", NULL};
  if (t == first || t - first > 4) return 0;
  size_t n;
  const char *z = tok_text(d, first, &n);
  for (int k = 0; azOpen[k]; k++)
    if (strlen(azOpen[k]) == n && memcmp(azOpen[k], z, n) == 0) return 1;
  const char *zEnd = d->zText + d->aTok[t - 1].end;
  for (int k = 0; azClose[k]; k++) {
    size_t m = strlen(azClose[k]);
    if ((size_t)(zEnd - z) == m && memcmp(azClose[k], z, m) == 0) return 1;
  }
  return 0;
}

/* ====================== lists ====================== */

/*
** The value of a list marker at token t (`1.` `2)` `3.)` `a.` `b)`), with *pEnd one past
** its last token, or -1. The item text must follow after a space.
*/
static int marker_value(const ds_doc *d, size_t t, size_t last, size_t *pEnd) {
  size_t n;
  const char *z = tok_text(d, t, &n);
  if (n > 2) return -1;
  int v = -1;
  size_t e = t + 1;
  if ((d->aTok[t].flags & DS_TOK_NUMBER) && n <= 2 && z[0] >= '0' && z[0] <= '9') {
    v = z[0] - '0';
    if (n == 2) v = z[1] >= '0' && z[1] <= '9' ? v * 10 + z[1] - '0' : -1;
  } else if (n == 1 && z[0] >= 'a' && z[0] <= 'z') {
    v = 1000 + z[0];
  } else if (n == 2 && (d->aTok[t].flags & DS_TOK_ABBREV) && z[0] >= 'a' && z[0] <= 'z') {
    v = 1000 + z[0];                        /* `a.` kept whole by the tokenizer */
    e = t;
  }
  if (v < 0) return -1;
  if (e == t + 1) {                         /* its `.`, `)` or `.)` */
    if (e >= last || !attached(d, t)) return -1;
    if (tok_is(d, e, ".") && e + 1 < last && attached(d, e) && tok_is(d, e + 1, ")")) e += 2;
    else if (tok_is(d, e, ".") || tok_is(d, e, ")")) e += 1;
    else return -1;
  } else {
    e = t + 1;
  }
  if (e >= last || attached(d, e - 1)) return -1;
  *pEnd = e;
  return v;
}

/*
** Mark list items in tokens [first, last): aStart[t] = 1 where an item starts (at its
** bullet if it has one), aMarker[t] = 1 on the tokens of its marker. A marker counts only
** next to another with the value before or after it, so `in 2019. 2020 ...` is no list.
*/
static void find_list_items(const ds_doc *d, size_t first, size_t last, unsigned char *aStart,
                            unsigned char *aMarker) {
  int prevV = -10;
  size_t prevT = 0, prevE = 0;
  for (size_t t = first; t < last; t++) {
    size_t e;
    int v = marker_value(d, t, last, &e);
    if (v < 0) continue;
    if (t > first && !(is_bullet(d, t - 1) || !attached(d, t - 1))) continue;
    if (v == prevV + 1) {
      for (size_t k = prevT; k < prevE; k++) aMarker[k - first] = 1;
      for (size_t k = t; k < e; k++) aMarker[k - first] = 1;
      size_t a = prevT > first && is_bullet(d, prevT - 1) ? prevT - 1 : prevT;
      size_t b = t > first && is_bullet(d, t - 1) ? t - 1 : t;
      aStart[a - first] = aStart[b - first] = 1;
    }
    prevV = v;
    prevT = t;
    prevE = e;
  }
}

/* ====================== terminals ====================== */

/* Is token t a `.` followed by another `.` after exactly one space? */
static int spaced_dot_pair(const ds_doc *d, size_t t, size_t last) {
  return t + 1 < last && tok_is(d, t, ".") && tok_is(d, t + 1, ".") && one_space(d, t);
}

/*
** The run of dots separated by single spaces (`. . .`) that holds token t, as [*pA, *pB]
** (a run of one when there is none). The run found last is remembered in *pRun, so a
** long run is measured once, not once per dot.
*/
typedef struct dot_run { size_t a, b; } dot_run;

static void spaced_dots(const ds_doc *d, size_t t, size_t first, size_t last, dot_run *pRun) {
  if (pRun->b >= t && pRun->a <= t && pRun->b > pRun->a) return;
  size_t a = t, b = t;
  while (a > first && spaced_dot_pair(d, a - 1, last)) a--;
  while (spaced_dot_pair(d, b, last)) b++;
  pRun->a = a;
  pRun->b = b;
}

/* Tokens a bracket spans at most for inside_brackets. */
#define BRACKET_SPAN 40

/*
** Is terminal t inside brackets that close a few tokens later, not right after it:
** `(‘Taking Control? Internet censorship’, 2019)`, `(see p. 4. Also ...)`? Then the
** sentence goes on through them.
*/
/* Is token t the one byte c? */
static int tok_char(const ds_doc *d, size_t t, char c) {
  return d->aTok[t].end == d->aTok[t].start + 1 && d->zText[d->aTok[t].start] == c;
}

static int inside_brackets(const ds_doc *d, size_t t, size_t first, size_t last) {
  int depth = 0;
  size_t k = t;
  while (k > first && t - k < BRACKET_SPAN) {
    k--;
    if (tok_char(d, k, ')')) depth--;
    else if (tok_char(d, k, '(') && ++depth > 0) break;
  }
  if (depth <= 0) return 0;
  for (k = t + 1; k < last && k - t < BRACKET_SPAN; k++) {
    if (tok_char(d, k, '(')) return 0;
    if (tok_char(d, k, ')')) return k > t + 1 && !(k == t + 2 && is_closer(d, t + 1));
  }
  return 0;
}

/*
** Does a sentence end after token t? The sentence began at `first`; `last` ends the
** unit. Sets *pEnd to the first token of the next sentence.
*/
static int ends_after(const ds_doc *d, size_t t, size_t first, size_t last, dot_run *pRun,
                      size_t *pEnd) {
  int abbrev = (d->aTok[t].flags & DS_TOK_ABBREV) != 0;
  if (!abbrev && !is_terminal(d, t)) {
    *pEnd = t + 1;
    return (tok_is(d, t, ":") || tok_is(d, t, ",")) && t + 1 < last && !attached(d, t) &&
           address_or_signoff(d, first, t) && opens_sentence(d, t + 1);
  }
  *pEnd = t + 1;
  if (is_ellipsis(d, t) && t > first && t + 1 < last && tok_is(d, t - 1, "[") &&
      tok_is(d, t + 1, "]"))
    return 0;                                         /* `[...]`: an omission */
  if (tok_is(d, t, ".")) {
    /* spaced ellipses: `. . .` never ends a sentence; of four dots, the period of the
       sentence is the first when attached to its word (`compounds. . . . The`), else
       the last (`with a period . . . . Next`) */
    spaced_dots(d, t, first, last, pRun);
    size_t before = t - (pRun->a > first ? pRun->a : first), after = pRun->b - t;
    if (before + after >= 2) {
      if (before == 0 && after >= 3 && t > first && attached(d, t - 1))
        return t + after + 1 < last && opens_sentence(d, t + after + 1);
      if (!(after == 0 && before >= 3)) return 0;
    }
  }
  if (inside_brackets(d, t, first, last)) return 0;
  size_t e = t + 1;
  while (e < last && is_closer(d, e)) e++;
  *pEnd = e;
  if (e >= last) return 1;
  if (attached(d, e - 1)) {
    /* no space: `world.Today` ends a sentence, `U.S.-based` or `Mail.Ru` does not */
    return !abbrev && capitalised_word(d, e);
  }
  if (!opens_sentence(d, e)) {
    if (abbrev) return 0;
    return opens_unit(d, e) || (e == t + 1 && lower_after(d, t, first, e)) ||
           marks_then_opener(d, e, last);
  }
  if (!abbrev) {
    /* `N°. 1026`: a number after a symbol's period continues the sentence */
    int32_t cp = first_cp(d, e);
    if (cp >= '0' && cp <= '9' && t > first && (d->aTok[t - 1].flags & DS_TOK_SYMBOL)) return 0;
    return 1;
  }
  size_t n, nNext;
  const char *z = tok_text(d, t, &n);
  const char *zNext = tok_text(d, e, &nNext);
  if (n == 2 && z[0] >= 'A' && z[0] <= 'Z')          /* an initial: `and I. Did` */
    return ds_is_sentence_starter(zNext, nNext);
  if (ds_abbrev_is_prepositive(z, n)) return 0;
  return ds_is_sentence_starter(zNext, nNext);
}

/*
** Add the sentence [first, last) found by the rules, cut further where the model m (if
** any) finds an unpunctuated boundary.
*/
static int add_sentence(ds_doc *d, size_t first, size_t last, const ds_boundary_model *m) {
  size_t start = first;
  ds_boundary_cache cache;
  memset(&cache, 0, sizeof cache);
  for (size_t t = first; m && t + 1 < last; t++) {
    if (!ds_boundary_maybe(d, t) || !ds_boundary_candidate(d, t, first, last)) continue;
    if (ds_boundary_score(m, d, t, first, last, &cache) < m->threshold) continue;
    if (ds_doc_add_sentence(d, (uint32_t)start, (uint32_t)(t + 1))) return DS_NOMEM;
    start = t + 1;
  }
  return ds_doc_add_sentence(d, (uint32_t)start, (uint32_t)last);
}

/* Split tokens [first, last) into sentences. */
static int split_unit(ds_doc *d, size_t first, size_t last, const ds_boundary_model *m) {
  if (first >= last) return DS_OK;
  size_t n = last - first, start = first;
  unsigned char small[2 * 256], *aStart = small, *aMarker;
  if (n > 256 && !(aStart = ds_malloc(2 * n))) return DS_NOMEM;
  aMarker = aStart + n;
  memset(aStart, 0, 2 * n);
  find_list_items(d, first, last, aStart, aMarker);
  int rc = DS_OK;
  dot_run run = {0, 0};
  for (size_t t = first; t < last && rc == DS_OK; t++) {
    size_t end;
    if (t > start && (aStart[t - first] || is_bullet(d, t))) {
      rc = add_sentence(d, start, t, m);
      start = t;
    }
    if (aMarker[t - first] || rc) continue;
    if (ends_after(d, t, start, last, &run, &end) && end < last) {
      rc = add_sentence(d, start, end, m);
      start = end;
      t = end - 1;
    }
  }
  if (rc == DS_OK && start < last) rc = add_sentence(d, start, last, m);
  if (aStart != small) ds_free(aStart);
  return rc;
}

/* Is z[a..b) at most SHORT_LINE characters? (A character is 1 to 4 bytes.) */
static int short_line(const char *z, size_t a, size_t b) {
  if (b - a <= SHORT_LINE) return 1;
  if (b - a > 4 * SHORT_LINE) return 0;
  size_t n = 0;
  for (size_t i = a; i < b; i++) n += ((unsigned char)z[i] & 0xC0) != 0x80;
  return n <= SHORT_LINE;
}

/* Is the paragraph a block of three or more short lines? */
static int short_line_block(const ds_doc *d, const ds_para *p) {
  size_t nLines = 0, a = p->start;
  while (a < p->end) {
    const char *nl = memchr(d->zText + a, '\n', p->end - a);
    size_t b = nl ? (size_t)(nl - d->zText) : p->end;
    if (!short_line(d->zText, a, b)) return 0;
    nLines++;
    a = b + 1;
  }
  return nLines >= 3;
}

/*
** Is there a unit boundary at a line break between tokens t-1 and t? In a block of short
** lines, every break is one; elsewhere, a short line followed by a line that starts with
** a capital or a digit (a heading, a label, the lines of a title page). Never after a
** function word, nor before one that the line goes on from, nor after a colon that the
** paragraph's last line follows (paraEnd is the paragraph's end). *pLine is where
** the current line starts; it moves past each line break seen.
*/
static int line_cut(const ds_doc *d, size_t t, int bBlock, size_t paraEnd, size_t *pLine) {
  const char *z = d->zText;
  size_t a = d->aTok[t - 1].end, b = d->aTok[t].start;
  if (b - a <= 1 && (a == b || z[a] == ' ')) return 0;
  const char *nl = memchr(z + a, '\n', b - a);
  if (!nl) return 0;
  size_t lineStart = *pLine, lineEnd = (size_t)(nl - z);
  const char *nlLast = nl;
  while ((nl = memchr(nl + 1, '\n', (size_t)(z + b - nl - 1))) != NULL) nlLast = nl;
  *pLine = (size_t)(nlLast - z) + 1;
  /* a line that ends on a function word runs on (`published by` / `Digital Russia`), and
     so does one that the next continues with one (`Digital Russia` / `on December 7`) */
  if (ds_boundary_function_word(d, t - 1)) return 0;
  if (t + 1 < d->nTok && (ds_boundary_function_word(d, t) || tok_is(d, t, "on") || tok_is(d, t, "in")) &&
      !memchr(z + d->aTok[t].end, '\n', d->aTok[t + 1].start - d->aTok[t].end))
    return 0;
  /* a title's last line after its colon (`... Relations:` / `Common Goals and ...`) */
  if (tok_is(d, t - 1, ":") && !memchr(z + b, '\n', paraEnd - b)) return 0;
  if (bBlock) return 1;
  if (!short_line(z, lineStart, lineEnd)) return 0;
  int32_t cp = first_cp(d, t);
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT || c == UTF8PROC_CATEGORY_ND;
}

int ds_split_sentences(ds_doc *d) { return ds_split_sentences_with(d, &ds_boundary_en); }

int ds_split_sentences_with(ds_doc *d, const ds_boundary_model *m) {
  for (size_t p = 0; p < d->nPara; p++) {
    const ds_para *para = &d->aPara[p];
    size_t first = para->tok.first, last = para->tok.last, start = first;
    size_t line = para->start;
    int bBlock = short_line_block(d, para);
    for (size_t t = first + 1; t <= last; t++) {
      if (t < last && !line_cut(d, t, bBlock, para->end, &line)) continue;
      if (split_unit(d, start, t, m)) return DS_NOMEM;
      start = t;
    }
  }
  return DS_OK;
}
