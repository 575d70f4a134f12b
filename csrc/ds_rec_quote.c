/*
** ds_rec_quote.c -- quotations and their speakers (rules: ds_recognize.h).
**
** Quotation marks are paired paragraph by paragraph with a small stack; an outermost
** pair that passes the quotation rule becomes a span, and its speaker is looked for in
** a window of its sentence, then of the sentence before. Block quotations are the
** paragraph after a cue that ends in a colon.
*/
#include "ds_recInt.h"

#include <stdlib.h>

/* Tokens either side of a quotation searched for its speaker. */
#define QUOTE_WINDOW 40
/* Marks open at once, at most (deeper ones are not paired). */
#define QUOTE_DEPTH 8
/* Words a quotation holds at least. */
#define QUOTE_MIN_WORDS 4

/* Kinds of mark. */
enum { Q_NONE = 0, Q_DOUBLE, Q_SINGLE, Q_GUIL, Q_GUIL1, Q_LOW, Q_STRAIGHT2, Q_STRAIGHT1 };

static const char *const azSpeech[] = {
  "said", "says", "say", "told", "tells", "stated", "states", "added", "adds", "wrote",
  "writes", "noted", "notes", "declared", "declares", "explained", "explains", "argued",
  "argues", "claimed", "claims", "announced", "announces", "warned", "warns", "insisted",
  "insists", "asked", "asks", "replied", "replies", "commented", "remarked", "stressed",
  "stresses", "emphasized", "emphasised", "emphasizes", "emphasises", "promised", "promises",
  "reads", "read", "includes", "included", "continued", "continues", "concluded", "observed",
  "pointed", "underlined", "affirmed", "reiterated", "acknowledged", "admitted", "suggested",
  "proclaimed", "tweeted", "posted", NULL};

/* Verbs after which the next name is not the speaker (`X told Y`). */
static const char *const azToWhom[] = {"told", "tells", "asked", "asks", NULL};

/* Words between a subject and its verb: `Putin also said`, `the Kremlin has said`. */
static const char *const azSkip[] = {
  "also", "has", "had", "have", "was", "is", "reportedly", "later", "recently", "then",
  "once", "publicly", "further", "previously", "earlier", "repeatedly", "again", "himself",
  "herself", "itself", "themselves", "had", "then", "simply", "clearly", "openly", "once",
  "explicitly", "officially", "subsequently", "famously", "bluntly", NULL};

/* Words before a name that are not part of it: sentence openers and determiners. */
static const char *const azLead[] = {
  "The", "A", "An", "This", "That", "But", "And", "As", "In", "On", "At", "When", "While",
  "Yet", "However", "Moreover", "Meanwhile", "Then", "So", "Here", "According", "Also", NULL};

/* A person's titles, dropped from the front of the name they precede. */
static const char *const azPersonTitle[] = {
  "President", "Minister", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Professor",
  "Prof.", "Premier", "Chairman", "Chairwoman", "Senator", "Ambassador", "Chancellor",
  "Secretary", "Spokesperson", "Spokesman", "Spokeswoman", "Director", "CEO", "Governor",
  "Mayor", "Colonel", "Admiral", "Commissioner", "Deputy", "Vice", NULL};

/* Words that may stand before a person's title (`Russian Foreign Minister`). */
static const char *const azTitleWord[] = {
  "Prime", "Foreign", "Defence", "Defense", "Russian", "Chinese", "Chief", "First", "Former",
  "Acting", "Senior", "Executive", "General", "Deputy", "Vice", "Press", "Under", "Assistant",
  "Associate", "Special", NULL};

/* Small words inside a title (`Under Secretary of Commerce for Industry and Security`). */
static const char *const azTitleGlue[] = {"of", "for", "and", "the", "on", "at", "to", NULL};

/* Words before a quoted stretch that make it a name or title (`titled`, `so-called`). */
static const char *const azNaming[] = {"titled", "entitled", "called", "named", "dubbed",
                                       "so-called", "termed", "labelled", "labeled", "as",
                                       NULL};

/* Short words a title leaves in lower case. */
static const char *const azTitleSmall[] = {
  "of", "the", "and", "on", "in", "for", "between", "with", "to", "a", "an", "at", "by",
  "from", "into", "over", "under", "against", "among", "or", "'s", "\xE2\x80\x99s", NULL};

/* The kind of mark token i is: its kind, *pOpen 1 opens / 0 closes / 2 either. */
static int mark_at(const ds_doc *d, size_t i, int *pOpen) {
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i);
  *pOpen = 2;
  if (n == 3 && memcmp(z, "\xE2\x80\x9C", 3) == 0) { *pOpen = 1; return Q_DOUBLE; } /* “ */
  if (n == 3 && memcmp(z, "\xE2\x80\x9D", 3) == 0) { *pOpen = 0; return Q_DOUBLE; }
  if (n == 3 && memcmp(z, "\xE2\x80\x98", 3) == 0) { *pOpen = 1; return Q_SINGLE; }
  if (n == 3 && memcmp(z, "\xE2\x80\x99", 3) == 0) { *pOpen = 0; return Q_SINGLE; }
  if (n == 2 && memcmp(z, "\xC2\xAB", 2) == 0) { *pOpen = 1; return Q_GUIL; }  /* « */
  if (n == 2 && memcmp(z, "\xC2\xBB", 2) == 0) { *pOpen = 0; return Q_GUIL; }
  if (n == 3 && memcmp(z, "\xE2\x80\xB9", 3) == 0) { *pOpen = 1; return Q_GUIL1; } /* ‹ */
  if (n == 3 && memcmp(z, "\xE2\x80\xBA", 3) == 0) { *pOpen = 0; return Q_GUIL1; }
  if (n == 3 && memcmp(z, "\xE2\x80\x9E", 3) == 0) { *pOpen = 1; return Q_LOW; }  /* „ */
  if (n == 1 && (z[0] == '"' || z[0] == '\'')) {
    /* straight: opens after space or an opening bracket, closes against what it ends */
    int bBefore = i == 0 || !rec_touch(d, i - 1) || rec_is(d, i - 1, "(") || rec_is(d, i - 1, "[");
    int bAfter = i + 1 >= d->nTok || !rec_touch(d, i) ||
                 (d->aTok[i + 1].flags & DS_TOK_PUNCT);
    *pOpen = bBefore && !bAfter ? 1 : !bBefore && bAfter ? 0 : 2;
    if (z[0] == '\'' && *pOpen == 2) return Q_NONE;
    return z[0] == '"' ? Q_STRAIGHT2 : Q_STRAIGHT1;
  }
  return Q_NONE;
}

/* ====== Speakers ====== */

/* Ent spans of type PERSON or ORG by first and by last token (index + 1; 0 none). */
typedef struct entmap { uint32_t *aStart, *aEnd; } entmap;

static int entmap_build(const ds_doc *d, entmap *m) {
  m->aStart = m->aEnd = NULL;
  int bAny = 0;
  for (size_t k = 0; k < d->nSpan && !bAny; k++) bAny = d->aSpan[k].kind == DS_SPAN_ENT;
  if (!bAny || d->nTok == 0) return DS_OK;
  m->aStart = calloc(d->nTok, sizeof *m->aStart);
  m->aEnd = calloc(d->nTok, sizeof *m->aEnd);
  if (!m->aStart || !m->aEnd) return DS_NOMEM;
  for (size_t k = 0; k < d->nSpan; k++) {
    const ds_docspan *s = &d->aSpan[k];
    const char *zType = ds_docspan_value(d, s, 0);
    if (s->kind != DS_SPAN_ENT || (strcmp(zType, "PERSON") != 0 && strcmp(zType, "ORG") != 0)) continue;
    if (!m->aStart[s->first]) m->aStart[s->first] = (uint32_t)k + 1;
    if (!m->aEnd[s->last - 1]) m->aEnd[s->last - 1] = (uint32_t)k + 1;
  }
  return DS_OK;
}

/* The name of ent span k-1 (its canonical name, else its text) into out. */
static void ent_name(const ds_doc *d, uint32_t k, ds_buf *out) {
  const ds_docspan *s = &d->aSpan[k - 1];
  const char *z = ds_docspan_value(d, s, 2);
  if (*z) ds_buf_puts(out, z);
  else rec_text(d, s->first, s->last, out);
}

/*
** Capitalized name tokens [a, b) into out, without leading openers (`The Kremlin`) and,
** when a person's title comes before the name, without the title and the words before
** it (`Russian Foreign Minister Sergei Lavrov`: `Sergei Lavrov`). An organisation keeps
** its words (`Chinese Foreign Ministry`). 1 if a name is left.
*/
static int put_name(const ds_doc *d, size_t a, size_t b, ds_buf *out) {
  while (a < b && rec_in(d, a, azLead) >= 0) a++;
  for (size_t k = a; k < b; k++) {
    if (rec_in(d, k, azPersonTitle) >= 0) {
      if (k + 1 < b && rec_in(d, k + 1, azPersonTitle) < 0 && rec_in(d, k + 1, azTitleWord) < 0) {
        a = k + 1;                            /* the name after the title */
        break;
      }
      if (k + 1 == b) return 0;               /* a title alone (`the President`) */
    } else if (rec_in(d, k, azTitleWord) < 0) {
      break;
    }
  }
  if (a >= b) return 0;
  rec_text(d, a, b, out);
  return 1;
}

/* Is token i part of a name: capitalized, or a hyphen or apostrophe inside one? */
static int name_piece(const ds_doc *d, size_t i, size_t lo, size_t hi) {
  if (rec_upper(d, i)) return 1;
  return i > lo && i + 1 < hi && rec_touch(d, i - 1) && rec_touch(d, i) &&
         (rec_dash(d, i) || rec_is(d, i, "'")) && rec_upper(d, i + 1);
}

/* The speaker whose name ends at token u (>= lo): ent span, else capitalized words. */
static int name_ending(const ds_doc *d, const entmap *m, size_t u, size_t lo, ds_buf *out) {
  if (m->aEnd && m->aEnd[u] && d->aSpan[m->aEnd[u] - 1].first >= lo) {
    ent_name(d, m->aEnd[u], out);
    return 1;
  }
  if (!rec_upper(d, u)) return 0;
  size_t a = u;
  while (a > lo && u - a < 8 && name_piece(d, a - 1, lo, u + 1)) a--;
  return put_name(d, a, u + 1, out);
}

/* The speaker whose name starts at token v (< hi). */
static int name_starting(const ds_doc *d, const entmap *m, size_t v, size_t hi, ds_buf *out) {
  if (v >= hi) return 0;
  if (m->aStart && m->aStart[v] && d->aSpan[m->aStart[v] - 1].last <= hi) {
    ent_name(d, m->aStart[v], out);
    return 1;
  }
  /* a person named after a title of capitalized words (`said Under Secretary of Commerce
     for Industry and Security Alan Estevez`) */
  for (size_t k = v + 1; m->aStart && k < hi && k < v + 16; k++) {
    if (!rec_upper(d, k - 1) && rec_in(d, k - 1, azTitleGlue) < 0) break;
    uint32_t e = m->aStart[k];
    if (e && d->aSpan[e - 1].last <= hi && strcmp(ds_docspan_value(d, &d->aSpan[e - 1], 0), "PERSON") == 0) {
      ent_name(d, e, out);
      return 1;
    }
  }
  size_t b = v;
  while (b < hi && b - v < 8 && name_piece(d, b, v, hi)) b++;
  return b > v && put_name(d, v, b, out);
}

/*
** The subject of the speech verb at v, looked for before it back to lo: the name right
** before (adverbs skipped), or the possessor of a noun phrase (`Putin's statement about
** the meeting includes`). 1 if a name was found.
*/
static int subject_before(const ds_doc *d, const entmap *m, size_t v, size_t lo, ds_buf *out) {
  size_t u = v;
  while (u > lo && rec_in(d, u - 1, azSkip) >= 0) u--;
  if (u == lo) return 0;
  u--;
  if (name_ending(d, m, u, lo, out)) return 1;
  /* a noun phrase: its possessor, within eight tokens, not past punctuation */
  for (size_t k = u; k > lo && u - k < 8; k--) {
    if (d->aTok[k].flags & DS_TOK_PUNCT) break;
    if (rec_possessive(d, k) && k - 1 >= lo && rec_touch(d, k - 1)) return name_ending(d, m, k - 1, lo, out);
  }
  return 0;
}

/*
** Look for a cue in tokens [lo, hi) (nearest to `near` first when bBackward); on one,
** the speaker goes to out (nothing when the cue names none) and 1 is returned.
*/
static int cue_in(const ds_doc *d, const entmap *m, size_t lo, size_t hi, int bBackward, ds_buf *out) {
  for (size_t n = 0; n < hi - lo; n++) {
    size_t v = bBackward ? hi - 1 - n : lo + n;
    if (rec_isi(d, v, "according") && rec_isi(d, v + 1, "to") && v + 1 < hi) {
      name_starting(d, m, v + 2, hi, out);
      return 1;
    }
    if (rec_in(d, v, azSpeech) < 0 && !(rec_isi(d, v, "following") && v > lo && rec_isi(d, v - 1, "the")))
      continue;
    if (rec_isi(d, v, "following")) {       /* `X's statement includes the following` */
      size_t w = v - 1;
      while (w > lo && rec_in(d, w - 1, azSpeech) < 0) w--;
      if (w > lo) subject_before(d, m, w - 1, lo, out);
      return 1;
    }
    if (subject_before(d, m, v, lo, out)) return 1;
    /* inverted only right after the quotation: `"...," said Putin` */
    int q;
    if (rec_in(d, v, azToWhom) < 0 && v > 0 &&
        (rec_is(d, v - 1, ",") || mark_at(d, v - 1, &q) != Q_NONE))
      name_starting(d, m, v + 1, hi, out);
    return 1;
  }
  return 0;
}

/* The speaker of the quotation [a, b) into out ("" when none is named). */
static void speaker(const ds_doc *d, const entmap *m, size_t a, size_t b, ds_buf *out) {
  size_t s = rec_sentence_of(d, a), s1 = rec_sentence_of(d, b - 1);
  size_t lo = d->aSent[s].first, hi = d->aSent[s1].last;
  if (a > lo + QUOTE_WINDOW) lo = a - QUOTE_WINDOW;
  if (hi > b + QUOTE_WINDOW) hi = b + QUOTE_WINDOW;
  if (cue_in(d, m, lo, a, 1, out)) return;
  if (cue_in(d, m, b, hi, 0, out)) return;
  /* the sentence before, when the quotation starts its own (`He said so. "..."`) */
  if (s > 0 && d->aSent[s - 1].last <= a && a <= d->aSent[s].first + 1) {
    size_t plo = d->aSent[s - 1].first, phi = d->aSent[s - 1].last;
    if (phi > plo + QUOTE_WINDOW) plo = phi - QUOTE_WINDOW;
    cue_in(d, m, plo, phi, 1, out);
  }
}

/* }====== */

/* Is [a, b) (marks at a and b-1) a quotation by the rule of ds_recognize.h? */
static int is_quotation(const ds_doc *d, size_t a, size_t b) {
  int nWord = 0, nBig = 0, nBigUpper = 0;
  for (size_t k = a + 1; k + 1 < b; k++) {
    uint32_t fl = d->aTok[k].flags;
    if (!(fl & (DS_TOK_WORD | DS_TOK_NUMBER))) continue;
    nWord++;
    if ((fl & DS_TOK_WORD) && rec_in(d, k, azTitleSmall) < 0) {
      nBig++;
      nBigUpper += rec_upper(d, k) || !rec_lower(d, k);
    }
  }
  if (nWord < QUOTE_MIN_WORDS || nBig == nBigUpper) return 0;          /* short, or a title */
  if (a > 0 && (rec_in(d, a - 1, azNaming) >= 0 ||
                (a > 1 && rec_isi(d, a - 1, "the") && rec_in(d, a - 2, azNaming) >= 0)))
    return 0;                                                          /* titled "..." */
  if (a > 0 && (rec_is(d, a - 1, "(") || rec_is(d, a - 1, ";")) && rec_is(d, b, ",") &&
      rec_year(d, b + 1) >= 0)
    return 0;                                                          /* a cited title */
  return 1;
}

static int add_quote(ds_doc *d, const entmap *m, size_t a, size_t b, ds_buf *who) {
  ds_buf_reset(who);
  speaker(d, m, a, b, who);
  ds_buf_append(who, "", 1);
  if (who->rc) return DS_NOMEM;
  const char *az[1] = {(const char *)who->p};
  return ds_doc_add_span(d, DS_SPAN_QUOTE, (uint32_t)a, (uint32_t)b, az);
}

/* Does the paragraph p end in a colon after a cue (a block quotation follows)? */
static int block_cue(const ds_doc *d, size_t p) {
  const ds_para *P = &d->aPara[p];
  if (P->tok.last <= P->tok.first || !rec_is(d, P->tok.last - 1, ":")) return 0;
  size_t s = rec_sentence_of(d, P->tok.last - 1);
  size_t lo = d->aSent[s].first;
  if (lo < P->tok.first) lo = P->tok.first;
  for (size_t k = lo; k < P->tok.last; k++)
    if (rec_in(d, k, azSpeech) >= 0 || rec_isi(d, k, "following") || rec_isi(d, k, "according"))
      return 1;
  return 0;
}

int ds_find_quotes(ds_doc *d) {
  entmap m;
  ds_buf who = {0};
  int rc = entmap_build(d, &m);
  for (size_t p = 0; p < d->nPara && rc == DS_OK; p++) {
    const ds_para *P = &d->aPara[p];
    size_t aOpen[QUOTE_DEPTH];
    int aKind[QUOTE_DEPTH], aDepth[QUOTE_DEPTH], nOpen = 0, bOpen, depth = 0;
    if (P->tok.last <= P->tok.first) continue;
    /* a block quotation: the paragraph after `... includes the following:` */
    if (p > 0 && P->kind == DS_PARA_TEXT && block_cue(d, p - 1)) {
      int bOpenMark = 0;
      if (mark_at(d, P->tok.first, &bOpenMark) == Q_NONE || bOpenMark == 0) {
        size_t a = P->tok.first, b = P->tok.last;
        ds_buf_reset(&who);
        size_t s = rec_sentence_of(d, a - 1), plo = d->aSent[s].first;
        if (plo < d->aPara[p - 1].tok.first) plo = d->aPara[p - 1].tok.first;
        if (a - 1 > plo + QUOTE_WINDOW) plo = a - 1 - QUOTE_WINDOW;
        cue_in(d, &m, plo, a, 1, &who);
        ds_buf_append(&who, "", 1);
        if (who.rc) { rc = DS_NOMEM; break; }
        const char *az[1] = {(const char *)who.p};
        rc = ds_doc_add_span(d, DS_SPAN_QUOTE, (uint32_t)a, (uint32_t)b, az);
        continue;
      }
    }
    for (size_t i = P->tok.first; i < P->tok.last && rc == DS_OK; i++) {
      int kind = mark_at(d, i, &bOpen), k;
      /* a parenthesis closing drops the marks opened inside it */
      if (rec_is(d, i, "(")) depth++;
      if (rec_is(d, i, ")") && depth > 0) {
        depth--;
        while (nOpen > 0 && aDepth[nOpen - 1] > depth) nOpen--;
      }
      if (kind == Q_NONE) continue;
      /* a closer pairs with the innermost open mark of its kind (“ closes „ too) */
      if (kind == Q_DOUBLE && bOpen == 1 && nOpen > 0 && aKind[nOpen - 1] == Q_LOW) bOpen = 0;
      if (bOpen != 1) {
        for (k = nOpen - 1; k >= 0; k--)
          if (aKind[k] == kind || (kind == Q_DOUBLE && aKind[k] == Q_LOW)) break;
        if (k >= 0) {
          nOpen = k;                          /* marks opened inside and left open go too */
          if (nOpen == 0 && is_quotation(d, aOpen[0], i + 1))
            rc = add_quote(d, &m, aOpen[0], i + 1, &who);
          continue;
        }
        if (bOpen == 0) continue;             /* a closer with no opener; ’ an apostrophe */
      }
      if (nOpen < QUOTE_DEPTH) {
        aOpen[nOpen] = i;
        aDepth[nOpen] = depth;
        aKind[nOpen++] = kind;
      }
    }
  }
  free(m.aStart);
  free(m.aEnd);
  ds_buf_free(&who);
  return rc;
}

int ds_recognize(ds_doc *d, const char *zDocDate) {
  int rc = ds_find_dates(d, zDocDate);
  if (rc == DS_OK) rc = ds_find_money(d);
  if (rc == DS_OK) rc = ds_find_percent(d);
  if (rc == DS_OK) rc = ds_find_citations(d);
  if (rc == DS_OK) rc = ds_find_urls(d);
  if (rc == DS_OK) rc = ds_find_quotes(d);
  return rc;
}
