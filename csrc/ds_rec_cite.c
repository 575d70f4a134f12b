/*
** ds_rec_cite.c -- author-year citations and URLs (rules: ds_recognize.h).
**
** A parenthesis is read once: its segments (split at `;`) each as AUTHORS, YEAR(S),
** EXTRA; when it holds a year and nothing before it, the names just before the
** parenthesis are its authors (a narrative citation).
*/
#include "ds_recInt.h"

#include <stdio.h>

/* The most tokens a citation's parenthesis holds. */
#define CITE_MAX_TOKENS 80

/* Capitalized words that are not names: sentence openers, months, parts of a text. */
static const char *const azNotName[] = {
  "In", "See", "On", "At", "By", "For", "From", "To", "The", "A", "An", "As", "This", "These",
  "That", "Those", "It", "Its", "He", "She", "They", "We", "I", "But", "And", "Or", "If",
  "When", "While", "Since", "Until", "After", "Before", "During", "According", "Moreover",
  "However", "Also", "Thus", "Hence", "Here", "There", "Then", "Table", "Figure", "Fig.",
  "Section", "Chapter", "Note", "Notes", "Page", "Vol.", "No.", "Appendix", "Annex", "Part",
  "Article", "Art.", "Source", "Sources", "Ibid", "Ibid.", "Cf.", "E.g.", "January",
  "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.",
  "Sept.", "Oct.", "Nov.", "Dec.", "Spring", "Summer", "Autumn", "Winter", NULL};

/* Lower-case particles inside a name: `Ministry of Defence`, `van der Berg`. */
static const char *const azParticle[] = {"of", "the", "for", "and", "de", "van", "von", "der",
                                         "den", "la", "le", "du", "da", "di", "al", "bin",
                                         "on", "in", NULL};

/* Opening quotation marks a cited title may start with, and each one's closer. */
static const char *const azOpen[] = {"\xE2\x80\x98", "\xE2\x80\x9C", "\"", "'", "\xC2\xAB", NULL};
static const char *const azClose[] = {"\xE2\x80\x99", "\xE2\x80\x9D", "\"", "'", "\xC2\xBB", NULL};

/* A publication year at i: 1500-2100, perhaps with a letter (`2019a`). */
static int pub_year(const ds_doc *d, size_t i) {
  if (i >= d->nTok) return 0;
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i);
  if (n != 4 && !(n == 5 && z[4] >= 'a' && z[4] <= 'z')) return 0;
  int v = 0;
  for (int k = 0; k < 4; k++) {
    if (z[k] < '0' || z[k] > '9') return 0;
    v = v * 10 + (z[k] - '0');
  }
  return v >= 1500 && v <= 2100;
}

/* A word that may be (part of) a name: capitalized, not in azNotName. */
static int name_word(const ds_doc *d, size_t i) {
  return i < d->nTok && rec_upper(d, i) && rec_in(d, i, azNotName) < 0;
}

/*
** One name from i: capitalized words joined by touching hyphens or apostrophes, with
** lower-case particles between them; at most bMulti ? 6 : 1 words. Returns the token
** after it, or i when there is none.
*/
static size_t name_at(const ds_doc *d, size_t i, size_t b, int bMulti) {
  size_t j = i, end = i;
  int nWord = 0;
  while (j < b) {
    if (!name_word(d, j)) break;
    j++;
    /* Kendall-Taylor, O'Brien: joined pieces */
    while (j + 1 < b && rec_touch(d, j - 1) && rec_touch(d, j) &&
           (rec_dash(d, j) || rec_is(d, j, "'") || rec_is(d, j, "\xE2\x80\x99")) &&
           (d->aTok[j + 1].flags & DS_TOK_WORD))
      j += 2;
    end = j;
    if (++nWord >= (bMulti ? 6 : 1)) break;
    size_t k = j;
    while (k < b && rec_in(d, k, azParticle) >= 0 && !rec_isi(d, k, "and")) k++;
    if (k < b && name_word(d, k)) j = k;
    else break;
  }
  return end;
}

/* Is et al. at i? The token after it, else i. */
static size_t etal_at(const ds_doc *d, size_t i) {
  if (rec_is(d, i, "et") && (rec_is(d, i + 1, "al.") || rec_is(d, i + 1, "al"))) {
    if (rec_is(d, i + 1, "al") && rec_is(d, i + 2, ".") && rec_touch(d, i + 1)) return i + 3;
    return i + 2;
  }
  return i;
}

/*
** Authors in [a, b): names joined by `,` `&` `and`, ending perhaps in et al., or a
** title in quotation marks. Appends them ("; "-separated) to out; returns the token
** after them, or a when there are none.
*/
static size_t authors_at(const ds_doc *d, size_t a, size_t b, int bMulti, ds_buf *out) {
  int q = rec_in(d, a, azOpen);
  if (q >= 0) {                                 /* a cited title */
    for (size_t j = a + 1; j < b && j < a + CITE_MAX_TOKENS; j++)
      if (rec_is(d, j, azClose[q])) {
        if (j == a + 1) return a;
        rec_text(d, a + 1, j, out);
        return j + 1;
      }
    return a;
  }
  size_t j = a, e;
  int nName = 0;
  for (;;) {
    if ((e = name_at(d, j, b, bMulti)) == j) break;
    if (nName++) ds_buf_append(out, "; ", 2);
    rec_text(d, j, e, out);
    j = e;
    if ((e = etal_at(d, j)) != j) {
      ds_buf_append(out, " ", 1);
      rec_text(d, j, e, out);
      return e;
    }
    /* a separator, then another name (not a year) */
    size_t k = j;
    if (rec_is(d, k, ",")) k++;
    if (rec_is(d, k, "&") || rec_isi(d, k, "and")) k++;
    if (k == j || k >= b || !name_word(d, k)) break;
    j = k;
  }
  return nName ? j : a;
}

/* Add a cite span over [a, b) with its values. */
static int add_cite(ds_doc *d, size_t a, size_t b, ds_buf *authors, ds_buf *years, ds_buf *extra) {
  ds_buf_append(authors, "", 1);
  ds_buf_append(years, "", 1);
  ds_buf_append(extra, "", 1);
  if (authors->rc || years->rc || extra->rc) return DS_NOMEM;
  const char *az[3] = {(const char *)authors->p, (const char *)years->p, (const char *)extra->p};
  return ds_doc_add_span(d, DS_SPAN_CITE, (uint32_t)a, (uint32_t)b, az);
}

/*
** Years and extra in [j, b): YEAR [, YEAR...] [, or : EXTRA]. Appends them; returns 1
** when [j, b) is that, else 0.
*/
static int years_at(const ds_doc *d, size_t j, size_t b, ds_buf *years, ds_buf *extra) {
  if (j >= b || !pub_year(d, j)) return 0;
  rec_text(d, j, j + 1, years);
  j++;
  while (j + 1 < b && rec_is(d, j, ",") && pub_year(d, j + 1) &&
         (j + 2 == b || rec_is(d, j + 2, ",") || rec_is(d, j + 2, ":"))) {
    ds_buf_append(years, "; ", 2);
    rec_text(d, j + 1, j + 2, years);
    j += 2;
  }
  if (j == b) return 1;
  if (!(rec_is(d, j, ",") || rec_is(d, j, ":")) || j + 1 >= b) return 0;
  rec_text(d, j + 1, b, extra);
  return 1;
}

/*
** One segment [a, b) of a parenthesis: a citation? Then its span is added: the
** segment, or [s0, s1) (the whole parenthesis, brackets included, when it holds one
** work and no more).
*/
static int segment(ds_doc *d, size_t a, size_t b, size_t s0, size_t s1, ds_buf *aBuf, int *pFound) {
  for (int k = 0; k < 3; k++) ds_buf_reset(&aBuf[k]);
  if (rec_isi(d, a, "see") || rec_isi(d, a, "cf.") || rec_isi(d, a, "e.g.")) {
    a++;
    if (rec_is(d, a, ",")) a++;
  }
  size_t j = authors_at(d, a, b, 1, &aBuf[0]);
  if (j == a) return DS_OK;
  if (rec_is(d, j, ",")) j++;
  if (!years_at(d, j, b, &aBuf[1], &aBuf[2])) return DS_OK;
  *pFound = 1;
  return add_cite(d, s0, s1, &aBuf[0], &aBuf[1], &aBuf[2]);
}

/*
** A narrative citation: the authors ending right before the `(` at p, whose content
** [p+1, c) is YEAR[, EXTRA]. Names here are one word each (`Xu et al.`, `Farrell and
** Newman`), and the word before the first may not be capitalized unless it is one
** such as In or See: `Digital Silk Road (2019)` is no citation.
*/
static int narrative(ds_doc *d, size_t p, size_t c, ds_buf *aBuf) {
  for (int k = 0; k < 3; k++) ds_buf_reset(&aBuf[k]);
  if (p == 0 || !years_at(d, p + 1, c, &aBuf[1], &aBuf[2])) return DS_OK;
  /* walk back over names joined by and/& (at most four), perhaps ending in et al. */
  size_t e = p, s;
  if (e >= 2 && rec_is(d, e - 2, "et") && rec_is(d, e - 1, "al.")) e -= 2;
  size_t first = e, end = e;               /* the names found start at first; end: where
                                              the next one (before and/&) must end */
  for (int nName = 0; nName < 4; nName++) {
    /* the name ending at end: one word, perhaps hyphen-joined */
    if (end == 0) break;
    s = end - 1;
    while (s >= 2 && rec_touch(d, s - 2) && rec_touch(d, s - 1) &&
           (rec_dash(d, s - 1) || rec_is(d, s - 1, "'") || rec_is(d, s - 1, "\xE2\x80\x99")))
      s -= 2;
    if (name_at(d, s, end, 0) != end) break;
    first = s;
    if (first >= 2 && (rec_is(d, first - 1, "&") || rec_is(d, first - 1, "and")))
      end = first - 1;
    else
      break;
  }
  if (first == e || !name_word(d, first)) return DS_OK;
  if (first > 0 && rec_upper(d, first - 1) && rec_in(d, first - 1, azNotName) < 0) return DS_OK;
  size_t endNames = authors_at(d, first, p, 0, &aBuf[0]);
  if (endNames != p) return DS_OK;
  return add_cite(d, first, c + 1, &aBuf[0], &aBuf[1], &aBuf[2]);
}

int ds_find_citations(ds_doc *d) {
  ds_buf aBuf[3] = {{0}, {0}, {0}};
  int rc = DS_OK;
  size_t i = 0;
  while (i < d->nTok && rc == DS_OK) {
    if (!rec_is(d, i, "(")) {
      i++;
      continue;
    }
    size_t c = i + 1;
    while (c < d->nTok && c <= i + CITE_MAX_TOKENS && !rec_is(d, c, ")") && !rec_is(d, c, "(")) c++;
    if (c >= d->nTok || !rec_is(d, c, ")")) {
      i = c < d->nTok && rec_is(d, c, "(") ? c : i + 1;
      continue;
    }
    int bFound = 0, bOne = 1;
    for (size_t j = i + 1; j < c; j++) bOne &= !rec_is(d, j, ";");
    size_t a = i + 1;
    for (size_t j = i + 1; j <= c && rc == DS_OK; j++) {
      if (j == c || rec_is(d, j, ";")) {
        if (j > a) rc = segment(d, a, j, bOne ? i : a, bOne ? c + 1 : j, aBuf, &bFound);
        a = j + 1;
      }
    }
    if (rc == DS_OK && !bFound) rc = narrative(d, i, c, aBuf);
    i = c + 1;
  }
  for (int k = 0; k < 3; k++) ds_buf_free(&aBuf[k]);
  return rc;
}

/* ====== URLs ====== */

int ds_find_urls(ds_doc *d) {
  for (size_t i = 0; i < d->nTok; i++) {
    if (!(d->aTok[i].flags & DS_TOK_URL)) continue;
    const char *z = rec_z(d, i);
    size_t n = rec_n(d, i);
    /* trailing punctuation, and a bracket that closes nothing inside */
    while (n > 0) {
      char c = z[n - 1];
      if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' ||
          c == '"') {
        n--;
      } else if (c == ')' || c == ']') {
        char o = c == ')' ? '(' : '[';
        int depth = 0;
        for (size_t k = 0; k < n; k++) depth += z[k] == o ? 1 : z[k] == c ? -1 : 0;
        if (depth >= 0) break;
        n--;
      } else {
        break;
      }
    }
    if (n == 0) continue;
    ds_buf v = {0};
    ds_buf_append(&v, z, n);
    ds_buf_append(&v, "", 1);
    int rc = v.rc ? DS_NOMEM : DS_OK;
    const char *az[1] = {(const char *)v.p};
    if (rc == DS_OK) rc = ds_doc_add_span(d, DS_SPAN_URL, (uint32_t)i, (uint32_t)i + 1, az);
    ds_buf_free(&v);
    if (rc) return rc;
  }
  return DS_OK;
}
