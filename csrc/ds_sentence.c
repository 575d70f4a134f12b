/*
** ds_sentence.c -- rule-based sentence splitter (see ds_sentence.h).
*/
#include "ds_sentence.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <string.h>
#include <utf8proc.h>

static const char *tok_text(const ds_doc *d, size_t t, size_t *pn) {
  *pn = d->aTok[t].end - d->aTok[t].start;
  return d->zText + d->aTok[t].start;
}

static int32_t first_cp(const ds_doc *d, size_t t) {
  int32_t cp;
  ds_utf8_decode((const unsigned char *)d->zText, d->aTok[t].start, d->aTok[t].end, &cp);
  return cp;
}

/* `.` `!` `?` `…` or a run of them. */
static int is_terminal(const ds_doc *d, size_t t) {
  size_t n;
  const char *z = tok_text(d, t, &n);
  if (n == 3 && memcmp(z, "\xE2\x80\xA6", 3) == 0) return 1;
  if (!(d->aTok[t].flags & DS_TOK_PUNCT)) return 0;
  for (size_t k = 0; k < n; k++)
    if (z[k] != '.' && z[k] != '!' && z[k] != '?') return 0;
  return 1;
}

/* A quote or bracket that closes what came before: attached to the previous token. */
static int is_closer(const ds_doc *d, size_t t) {
  int32_t cp = first_cp(d, t);
  if (d->aTok[t - 1].flags & DS_TOK_SPACE_AFTER) return 0;
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

/* Does a sentence end after token t (last is one past the paragraph's last token)? */
static int ends_after(const ds_doc *d, size_t t, size_t last, size_t *pEnd) {
  const ds_token *tok = &d->aTok[t];
  int abbrev = (tok->flags & DS_TOK_ABBREV) != 0;
  if (!abbrev && !is_terminal(d, t)) return 0;
  size_t e = t + 1;
  while (e < last && is_closer(d, e)) e++;
  *pEnd = e;
  if (e >= last) return 1;
  /* `Mail.Ru`, `3.Next`: no space, no sentence end */
  if (!(d->aTok[e - 1].flags & DS_TOK_SPACE_AFTER)) return 0;
  if (!opens_sentence(d, e)) return 0;
  if (!abbrev) return 1;
  size_t n, nNext;
  const char *z = tok_text(d, t, &n);
  const char *zNext = tok_text(d, e, &nNext);
  if (ds_abbrev_is_prepositive(z, n)) return 0;
  return ds_is_sentence_starter(zNext, nNext);
}

int ds_split_sentences(ds_doc *d) {
  for (size_t p = 0; p < d->nPara; p++) {
    size_t first = d->aPara[p].tok.first, last = d->aPara[p].tok.last, start = first;
    for (size_t t = first; t < last; t++) {
      size_t end;
      if (ends_after(d, t, last, &end)) {
        if (ds_doc_add_sentence(d, (uint32_t)start, (uint32_t)end)) return DS_NOMEM;
        start = end;
        t = end - 1;
      }
    }
    if (start < last && ds_doc_add_sentence(d, (uint32_t)start, (uint32_t)last)) return DS_NOMEM;
  }
  return DS_OK;
}
