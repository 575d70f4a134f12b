/*
** ds_rec_date.c -- dates and periods in running text (rules: ds_recognize.h).
**
** One pass over the tokens; at each token the forms are tried longest first, each
** looking a few tokens ahead, and a match resumes the pass after it. Dates written with
** a month name or in numbers are checked and converted by ds_date_iso (ds_date.h).
*/
#include "ds_recInt.h"
#include "ds_annotate.h"
#include "ds_date.h"

#include <stdio.h>
#include <stdlib.h>

/* ====== Words ====== */

static const char *const azMonthFull[] = {"January", "February", "March", "April", "May",
                                          "June", "July", "August", "September", "October",
                                          "November", "December", NULL};
static const char *const azMonthAbbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                          "Aug", "Sep", "Oct", "Nov", "Dec", NULL};

/* Words that make the four-digit number after them a year. */
static const char *const azYearCue[] = {
  "in", "since", "by", "until", "till", "before", "after", "during", "from", "through",
  "throughout", "circa", "c.", "of", "year", "early", "late", "mid", "spring",
  "summer", "autumn", "fall", "winter", "FY", NULL};

/* Stretches of time that `of` joins to a year. */
static const char *const azOfPeriod[] = {
  "spring", "summer", "autumn", "fall", "winter", "end", "beginning", "start", "middle",
  "half", "quarter", "course", "rest", "remainder", "January", "February", "March", "April",
  "May", "June", "July", "August", "September", "October", "November", "December", NULL};

/* Lower-case words that may follow a year alone (none of them a thing one counts). */
static const char *const azAfterYear[] = {
  "the", "a", "an", "and", "or", "but", "to", "when", "as", "it", "its", "he", "she", "they",
  "we", "i", "there", "this", "that", "these", "those", "was", "were", "is", "are", "has",
  "had", "have", "will", "would", "could", "should", "can", "might", "with", "in", "on",
  "at", "for", "by", "of", "after", "before", "while", "than", "onwards", "onward", "both",
  "which", "who", "whose", "where", "under", "already", "also", "alone", "only", "through",
  "until", "from", "respectively", "over", "against", "not", "did", "does", "so", "if",
  "because", "then", "saw", "brought", "ended", "began", NULL};

/* Things a year names when it stands between `the` (or a possessive) and them (`the 2020
   election`, `HPSCI's 2012 report`): the year is a date there, not a count. */
static const char *const azYearThing[] = {
  "report", "reports", "election", "elections", "summit", "agreement", "treaty", "law", "act",
  "strategy", "plan", "budget", "census", "survey", "declaration", "statement", "meeting",
  "visit", "forum", "conference", "crisis", "war", "review", "edition", "version", "decision",
  "ban", "sanctions", "deal", "memorandum", "roadmap", "program", "programme", "initiative",
  "order", "rule", "rules", "regulation", "regulations", "amendment", "amendments", "protests",
  "invasion", "annexation", "pandemic", "olympics", "games", "congress", "session", "doctrine",
  "concept", "white", "paper", "guidelines", "policy", "directive", "resolution", "visit",
  "talks", "communique", "communiqué", "joint", "agenda", "cycle", "season", "fiscal", NULL};

/* Week days, which a date may begin with (`Tuesday, June 28, 2022`). */
static const char *const azWeekday[] = {
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", NULL};

/* Words before a number that make it a page, section or the like, or an amount. */
static const char *const azNotDate[] = {
  "p.", "pp.", "p", "pp", "page", "pages", "section", "sections", "§", "no.", "nos.", "vol.",
  "chapter", "ch.", "para.", "paragraph", "art.", "article", "table", "figure", "fig.",
  "line", "lines", "number", "$", "€", "£", "¥", "₽", "US$", "RMB", "USD", "EUR", "RUB",
  "CNY", NULL};

static const char *const azOrdinalWord[] = {
  "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
  "seventeenth", "eighteenth", "nineteenth", "twentieth", NULL};

/*
** The month named by token i (capitalized full name, or a three- or four-letter
** abbreviation with or without its period: `Dec.`, `Sept`), or 0; *pNext is the token
** after it.
*/
static int month_at(const ds_doc *d, size_t i, size_t *pNext) {
  if (i >= d->nTok || !rec_upper(d, i)) return 0;
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i);
  if (n > 1 && z[n - 1] == '.') n--;
  for (int m = 0; m < 12; m++) {
    if ((n == strlen(azMonthFull[m]) && memcmp(z, azMonthFull[m], n) == 0) ||
        (n == 3 && memcmp(z, azMonthAbbr[m], 3) == 0) || (n == 4 && m == 8 && memcmp(z, "Sept", 4) == 0)) {
      *pNext = i + 1;
      if (n == rec_n(d, i) && n <= 4 && m != 4 && rec_is(d, i + 1, ".") && rec_touch(d, i))
        *pNext = i + 2;                     /* `Dec .` split by the tokenizer */
      return m + 1;
    }
  }
  return 0;
}

/* A day of the month in token i: `7`, `07`, `1st`, `22nd`; else 0. */
static int day_at(const ds_doc *d, size_t i) {
  if (i >= d->nTok) return 0;
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i), k = 0;
  int v = 0;
  while (k < n && k < 2 && z[k] >= '0' && z[k] <= '9') v = v * 10 + (z[k++] - '0');
  if (k == 0 || v < 1 || v > 31) return 0;
  if (k == n) return v;
  if (n - k == 2 && (strncasecmp(z + k, "st", 2) == 0 || strncasecmp(z + k, "nd", 2) == 0 ||
                     strncasecmp(z + k, "rd", 2) == 0 || strncasecmp(z + k, "th", 2) == 0))
    return v;
  return 0;
}

/* }====== */

/* ====== Calendar arithmetic ====== */

/* Days from 0000-03-01 (proleptic Gregorian) to y-m-d. */
static long day_number(int y, int m, int d) {
  int yy = m <= 2 ? y - 1 : y;
  int mp = (m + 9) % 12;                  /* March is 0 */
  return 365L * yy + yy / 4 - yy / 100 + yy / 400 + (153L * mp + 2) / 5 + d - 1;
}

/* Write the ISO week (`2021-W46`) of the day n (a day_number). */
static void iso_week(long n, char *zOut) {
  long wd = ((n + 2) % 7 + 7) % 7;        /* 0 Monday (0000-03-01 was a Wednesday) */
  long thu = n - wd + 3;                  /* the week belongs to its Thursday's year */
  int y = (int)(thu / 365) + 1;
  while (day_number(y, 1, 1) > thu) y--;
  while (day_number(y + 1, 1, 1) <= thu) y++;
  snprintf(zOut, 32, "%04d-W%02ld", y, (thu - day_number(y, 1, 1)) / 7 + 1);
}

/* The document's date as year, month, day (0 when not given); 0 if it is not ISO. */
static int doc_date(const char *z, int *py, int *pm, int *pd) {
  char zIso[32];
  *py = *pm = *pd = 0;
  if (!z || !ds_date_iso(z, strlen(z), zIso)) return 0;
  *py = atoi(zIso);
  if (zIso[4] == '-') *pm = atoi(zIso + 5);
  if (zIso[4] == '-' && zIso[7] == '-') *pd = atoi(zIso + 8);
  return 1;
}

/* }====== */

/* ====== Matching ====== */

/* A date found: tokens [.., end), value, precision; for decades and centuries the
   years, which a qualifier narrows. */
typedef struct found {
  size_t end;
  char zVal[64];
  const char *zPrec;
  int y0, y1;           /* a decade or century: its first and last years; else 0 */
} found;

/* Is a numeric date in this document month first? (its metadata names an American locale) */
static int month_first(const ds_doc *d) {
  size_t off = 0;
  const char *zKey, *zVal;
  while (ds_meta_next(&d->meta, &off, &zKey, &zVal))
    if ((strcmp(zKey, "locale") == 0 || strcmp(zKey, "lang") == 0 || strcmp(zKey, "language") == 0) &&
        (strcasecmp(zVal, "en-US") == 0 || strcasecmp(zVal, "en_US") == 0))
      return 1;
  return 0;
}

/* Check y-m-d and write it ISO into f; 1 if it is a date. */
static int put_ymd(found *f, int y, int m, int dd) {
  char z[32];
  snprintf(z, sizeof z, "%04d-%02d-%02d", y, m, dd);
  return y >= 1000 && y <= 2999 && m >= 1 && m <= 12 && dd >= 1 && ds_date_iso(z, strlen(z), f->zVal);
}

/* A date written in numbers in one token: 2018-11-07, 2018/11/07, 07/11/2018, 7.11.2018. */
static int numeric_date(const ds_doc *d, size_t i, int bMonthFirst, found *f) {
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i);
  int a[3] = {0, 0, 0}, len[3] = {0, 0, 0}, k = 0;
  char sep = 0;
  if (n < 8 || n > 10) return 0;
  for (size_t j = 0; j < n; j++) {
    if (z[j] >= '0' && z[j] <= '9') {
      if (++len[k] > 4) return 0;           /* no part of a date is longer */
      a[k] = a[k] * 10 + (z[j] - '0');
    } else if ((z[j] == '/' || z[j] == '.' || z[j] == '-') && k < 2 && len[k] && (!sep || sep == z[j])) {
      sep = z[j];
      k++;
    } else {
      return 0;
    }
  }
  if (k != 2 || !len[2]) return 0;
  f->end = i + 1;
  f->zPrec = "day";
  if (len[0] == 4 && len[1] <= 2 && len[2] <= 2) return put_ymd(f, a[0], a[1], a[2]);
  if (len[2] != 4 || len[0] > 2 || len[1] > 2) return 0;
  found g = *f;
  int okDM = put_ymd(f, a[2], a[1], a[0]);        /* day first */
  int okMD = put_ymd(&g, a[2], a[0], a[1]);       /* month first */
  if (okDM && okMD && a[0] != a[1]) {
    if (bMonthFirst) *f = g;
    else f->zPrec = "ambiguous";
    return 1;
  }
  if (okDM) return 1;
  if (okMD) { *f = g; return 1; }
  return 0;
}

/* Is the token after a year alone one that lets it be a year (see ds_recognize.h)? */
static int after_year_ok(const ds_doc *d, size_t i) {
  if (i >= d->nTok) return 1;
  uint32_t fl = d->aTok[i].flags;
  if (rec_is(d, i, "%") || rec_isi(d, i, "per") || rec_isi(d, i, "percent")) return 0;
  if (fl & DS_TOK_PUNCT) return !(rec_dash(d, i) && rec_touch(d, i - 1));
  if (fl & (DS_TOK_NUMBER | DS_TOK_SYMBOL | DS_TOK_URL)) return 0;
  if (rec_upper(d, i)) return 1;
  if (rec_in(d, i, azAfterYear) >= 0) return 1;
  /* tagged: a verb, adverb or function word counts nothing (`the treaty in 2021 reflects`) */
  if (d->aUpos) {
    static const char *const azUncounting[] = {"VERB", "AUX", "ADV", "ADP", "SCONJ", "CCONJ", "PRON",
                                               "DET", "PART", NULL};
    const char *zPos = ds_doc_upos(d, i);
    for (int k = 0; azUncounting[k]; k++)
      if (strcmp(zPos, azUncounting[k]) == 0) return 1;
  }
  return 0;
}

/* The century named at i (`21st century`, `twentieth century`, `twenty-first century`). */
static int century_at(const ds_doc *d, size_t i, found *f) {
  if (!rec_isi(d, i + 1, "century") && !rec_isi(d, i + 2, "century") && !rec_isi(d, i + 3, "century"))
    return 0;
  int c = 0;
  size_t j = i + 1;
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i);
  int k;
  if (n == 4 && z[0] >= '1' && z[0] <= '2' && z[1] >= '0' && z[1] <= '9' && day_at(d, i))
    c = (z[0] - '0') * 10 + (z[1] - '0');
  else if ((k = rec_in(d, i, azOrdinalWord)) >= 0)
    c = 10 + k;
  else if (rec_isi(d, i, "twenty") && rec_dash(d, i + 1) && (rec_isi(d, i + 2, "first") || rec_isi(d, i + 2, "second")))
    c = rec_isi(d, i + 2, "first") ? 21 : 22, j = i + 3;
  if (c < 11 || c > 22) return 0;
  if (rec_dash(d, j) && rec_touch(d, j - 1)) j++;   /* `21st-century` */
  if (!rec_isi(d, j, "century")) return 0;
  f->end = j + 1;
  f->y0 = (c - 1) * 100;
  f->y1 = f->y0 + 99;
  f->zPrec = "century";
  return 1;
}

/* A decade at i: `1990s`, `1990's`, `1990’s` (a year ending in 0). */
static int decade_at(const ds_doc *d, size_t i, found *f) {
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i);
  int y;
  if (n == 5 && z[4] == 's') {
    y = 0;
    for (int k = 0; k < 4; k++) {
      if (z[k] < '0' || z[k] > '9') return 0;
      y = y * 10 + (z[k] - '0');
    }
    f->end = i + 1;
  } else if ((y = rec_year(d, i)) >= 0 && rec_touch(d, i) && rec_possessive(d, i + 1)) {
    f->end = i + 2;
  } else {
    return 0;
  }
  if (y % 10 != 0 || y < 1000 || y > 2190) return 0;
  f->y0 = y;
  f->y1 = y + 9;
  f->zPrec = "decade";
  return 1;
}

/* A relative date at i: last/next/this year/month/week (see ds_recognize.h). */
static int relative_at(const ds_doc *d, size_t i, const char *zDocDate, found *f) {
  static const char *const azWhen[] = {"last", "this", "next", NULL};
  static const char *const azUnit[] = {"year", "month", "week", NULL};
  int w = rec_in(d, i, azWhen), u = rec_in(d, i + 1, azUnit);
  if (w < 0 || u < 0) return 0;
  memset(f, 0, sizeof *f);
  if (i > 0 && (rec_isi(d, i - 1, "the") || rec_isi(d, i - 1, "a") || rec_isi(d, i - 1, "its") ||
                rec_isi(d, i - 1, "their") || rec_isi(d, i - 1, "his") || rec_isi(d, i - 1, "her") ||
                rec_isi(d, i - 1, "our") || rec_isi(d, i - 1, "my") || rec_isi(d, i - 1, "your")))
    return 0;                                 /* `the last year`: the twelve months before */
  int off = w - 1, y, m, dd;
  f->end = i + 2;
  int bDoc = doc_date(zDocDate, &y, &m, &dd);
  if (u == 0 && bDoc) {
    snprintf(f->zVal, sizeof f->zVal, "%04d", y + off);
    f->zPrec = "year";
  } else if (u == 1 && bDoc && m) {
    int k = y * 12 + (m - 1) + off;
    snprintf(f->zVal, sizeof f->zVal, "%04d-%02d", k / 12, k % 12 + 1);
    f->zPrec = "month";
  } else if (u == 2 && bDoc && dd) {
    iso_week(day_number(y, m, dd) + 7L * off, f->zVal);
    f->zPrec = "week";
  } else {
    snprintf(f->zVal, sizeof f->zVal, "%s%+d", azUnit[u], off);
    f->zPrec = "relative";
  }
  return 1;
}

/* Is the token before i one that makes a number a page, section or amount? */
static int not_date_before(const ds_doc *d, size_t i) {
  return i > 0 && rec_in(d, i - 1, azNotDate) >= 0;
}

/* A year interval at i: 2019–2021, 2019-21, between 2006 and 2010, from 2019 to 2021. */
static int interval_at(const ds_doc *d, size_t i, found *f) {
  int y0 = rec_year(d, i), y1 = -1;
  size_t e = 0;
  if (y0 < 1800 || y0 > 2100 || not_date_before(d, i)) return 0;
  if (rec_dash(d, i + 1) && i + 2 < d->nTok) {
    int v;
    if ((y1 = rec_year(d, i + 2)) < 0 && rec_digits(d, i + 2, &v) && rec_n(d, i + 2) == 2)
      y1 = y0 / 100 * 100 + v;                /* 2019–21 */
    e = i + 3;
    if (rec_touch(d, i + 2) && (rec_dash(d, i + 3) || rec_is(d, i + 3, "%"))) return 0;
  } else if (i > 0 && ((rec_isi(d, i - 1, "between") && rec_isi(d, i + 1, "and")) ||
                       (rec_isi(d, i - 1, "from") && (rec_isi(d, i + 1, "to") || rec_isi(d, i + 1, "until") ||
                                                      rec_isi(d, i + 1, "till"))))) {
    y1 = rec_year(d, i + 2);
    e = i + 3;
  }
  if (y1 <= y0 || y1 > 2100 || y1 - y0 > 100) return 0;
  f->end = e;
  snprintf(f->zVal, sizeof f->zVal, "%04d/%04d", y0, y1);
  f->zPrec = "interval";
  return 1;
}

/* Write text tokens [a, b) into z (n bytes); 0 if it does not fit. */
static int text_of(const ds_doc *d, size_t a, size_t b, char *z, size_t n) {
  size_t s = d->aTok[a].start, e = d->aTok[b - 1].end;
  if (e - s >= n) return 0;
  memcpy(z, d->zText + s, e - s);
  z[e - s] = 0;
  return 1;
}

static int number_at(const ds_doc *d, size_t i, int bCue, int bMonthFirst, found *f);

/* The forms of date_at that start with month m at i, j the token after it. */
static int month_form(const ds_doc *d, size_t i, size_t j, found *f) {
  size_t k;
  char z[80];
  /* December 7, 2015 */
  if (day_at(d, j) != 0) {
    k = rec_is(d, j + 1, ",") ? j + 2 : j + 1;
    if (rec_year(d, k) >= 0 && text_of(d, i, k + 1, z, sizeof z) && ds_date_iso(z, strlen(z), f->zVal)) {
      f->end = k + 1;
      f->zPrec = "day";
      return 1;
    }
  }
  /* November 2021 */
  if (rec_year(d, j) >= 0 && text_of(d, i, j + 1, z, sizeof z) && ds_date_iso(z, strlen(z), f->zVal)) {
    f->end = j + 1;
    f->zPrec = "month";
    return 1;
  }
  return 0;
}


/*
** A date or period starting at token i (no qualifier): f filled, 1; else 0. bCue: 1 when
** a qualifier before makes a four-digit number a year, else -1 (look at the word before).
*/
static int date_at(const ds_doc *d, size_t i, int bCue, int bMonthFirst, found *f) {
  size_t j, k;
  int m, dd;
  char z[80];
  memset(f, 0, sizeof *f);
  unsigned char c = (unsigned char)d->zText[d->aTok[i].start];
  if (!(c >= '0' && c <= '9')) {             /* words: a month, or a century's ordinal */
    if (c >= 'A' && c <= 'Z' && month_at(d, i, &j) != 0) return month_form(d, i, j, f);
    return century_at(d, i, f);
  }
  if ((dd = day_at(d, i)) != 0) {
    /* 20-22 March 2023 */
    if (rec_dash(d, i + 1) && rec_touch(d, i) && day_at(d, i + 2) > dd && (m = month_at(d, i + 3, &k)) &&
        rec_year(d, k) >= 0) {
      found g;
      char z2[32];
      snprintf(z, sizeof z, "%d %s %d", dd, azMonthFull[m - 1], rec_year(d, k));
      snprintf(z2, sizeof z2, "%d %s %d", day_at(d, i + 2), azMonthFull[m - 1], rec_year(d, k));
      if (ds_date_iso(z, strlen(z), f->zVal) && ds_date_iso(z2, strlen(z2), g.zVal)) {
        size_t nv = strlen(f->zVal);
        snprintf(f->zVal + nv, sizeof f->zVal - nv, "/%s", g.zVal);
        f->end = k + 1;
        f->zPrec = "interval";
        return 1;
      }
    }
    /* 20 October 2020, 1st of March 2020 */
    j = rec_isi(d, i + 1, "of") ? i + 2 : i + 1;
    if ((m = month_at(d, j, &k)) && rec_year(d, k) >= 0 && text_of(d, i, k + 1, z, sizeof z) &&
        ds_date_iso(z, strlen(z), f->zVal)) {
      f->end = k + 1;
      f->zPrec = "day";
      return 1;
    }
  }
  return number_at(d, i, bCue, bMonthFirst, f);
}

/* The forms of date_at that start with a number other than a day of a month. */
static int number_at(const ds_doc *d, size_t i, int bCue, int bMonthFirst, found *f) {
  if ((d->aTok[i].flags & DS_TOK_NUMBER) && !not_date_before(d, i) && numeric_date(d, i, bMonthFirst, f))
    return 1;
  if (century_at(d, i, f) || decade_at(d, i, f)) return 1;
  if (interval_at(d, i, f)) return 1;
  int y = rec_year(d, i);
  if (y >= 0 && bCue < 0) {
    bCue = i > 0 && rec_in(d, i - 1, azYearCue) >= 0;
    /* `of` only after a stretch of time (`the summer of 2020`), not `out of 2019` */
    if (bCue && rec_isi(d, i - 1, "of")) bCue = i > 1 && rec_in(d, i - 2, azOfPeriod) >= 0;
  }
  int bThing = y >= 0 && !bCue && i > 0 && (rec_isi(d, i - 1, "the") || rec_possessive(d, i - 1)) &&
               i + 1 < d->nTok && (rec_in(d, i + 1, azYearThing) >= 0 ||
                                   ((d->aTok[i + 1].flags & DS_TOK_WORD) && rec_upper(d, i + 1)));
  if (y >= 0 && (bThing || (bCue && after_year_ok(d, i + 1))) && !(rec_touch(d, i) && rec_dash(d, i + 1))) {
    snprintf(f->zVal, sizeof f->zVal, "%04d", y);
    f->end = i + 1;
    f->zPrec = "year";
    return 1;
  }
  return 0;
}

/* A qualifier at i: 1 early, 2 mid, 3 late; *pNext the token after it (and its dash). */
static int qualifier_at(const ds_doc *d, size_t i, size_t *pNext) {
  int q = rec_isi(d, i, "early") ? 1 : rec_isi(d, i, "mid") ? 2 : rec_isi(d, i, "late") ? 3 : 0;
  if (!q) return 0;
  *pNext = i + 1;
  if (rec_dash(d, i + 1) && rec_touch(d, i)) *pNext = i + 2;
  else if (q == 2) return 0;                  /* `mid` alone is not one */
  return q;
}

/*
** Can a date start with byte c? A digit, or the first letter of early, mid, late, last,
** this, next, a month or a century's ordinal; the other tokens are passed over at once.
*/
static int may_start(unsigned char c) {
  switch (c) {
    case 'e': case 'm': case 'l': case 't': case 'n': case 'f': case 's':
    case 'E': case 'M': case 'L': case 'T': case 'N': case 'F': case 'S':
    case 'J': case 'A': case 'D': case 'O':
      return 1;
    default:
      return c >= '0' && c <= '9';
  }
}

/* }====== */

int ds_find_dates(ds_doc *d, const char *zDocDate) {
  int bMonthFirst = month_first(d);
  size_t i = 0, yearEnd = 0;                  /* the end of the last year found alone */
  while (i < d->nTok) {
    found f;
    size_t j = i;
    unsigned char c = (unsigned char)d->zText[d->aTok[i].start];
    if (!may_start(c)) {
      i++;
      continue;
    }
    int lc = rec_lc((char)c);
    int q = lc == 'e' || lc == 'm' || lc == 'l' ? qualifier_at(d, i, &j) : 0, bCue = -1;
    if (q && j < d->nTok && date_at(d, j, 1, bMonthFirst, &f)) {
      /* early/mid/late before a date */
    } else if ((lc == 'l' || lc == 't' || lc == 'n') && relative_at(d, i, zDocDate, &f)) {
      j = i;
      q = 0;
    } else if ((bCue = yearEnd && yearEnd + 1 == i && (rec_isi(d, i - 1, "and") || rec_isi(d, i - 1, "or") ||
                                                       rec_is(d, i - 1, ","))) != 0 &&
               date_at(d, i, 1, bMonthFirst, &f)) {
      j = i;                                  /* the next of years listed (`in 2019 and 2020`) */
      q = 0;
    } else if (date_at(d, i, -1, bMonthFirst, &f)) {
      j = i;
      q = 0;
    } else {
      i++;
      continue;
    }
    if (f.y1) {                               /* a decade or century, perhaps narrowed */
      int y0 = f.y0, span = f.y1 - f.y0 + 1;
      if (span == 10) {
        if (q == 1) f.y0 = y0, f.y1 = y0 + 3;
        if (q == 2) f.y0 = y0 + 4, f.y1 = y0 + 6;
        if (q == 3) f.y0 = y0 + 7, f.y1 = y0 + 9;
      } else {
        if (q == 1) f.y0 = y0, f.y1 = y0 + 32;
        if (q == 2) f.y0 = y0 + 33, f.y1 = y0 + 66;
        if (q == 3) f.y0 = y0 + 67, f.y1 = y0 + 99;
      }
      snprintf(f.zVal, sizeof f.zVal, "%04d/%04d", f.y0, f.y1);
    }
    /* a week day before a day's date is in its span (`Tuesday, June 28, 2022`) */
    if (strcmp(f.zPrec, "day") == 0 && i >= 2 && rec_is(d, i - 1, ",") && rec_in(d, i - 2, azWeekday) >= 0)
      i -= 2;
    yearEnd = strcmp(f.zPrec, "year") == 0 ? f.end : 0;
    const char *az[2] = {f.zVal, f.zPrec};
    int rc = ds_doc_add_span(d, DS_SPAN_DATE, (uint32_t)i, (uint32_t)f.end, az);
    if (rc) return rc;
    i = f.end;
  }
  return DS_OK;
}
