/*
** ds_rec_money.c -- amounts of money and percentages (rules: ds_recognize.h).
**
** Amounts are computed on the digits as written: the number's integer and fraction
** digits and a power of ten from the multiplier give the plain decimal number, so
** `31.5 billion` is 31500000000 exactly, with no floating point between.
*/
#include "ds_recInt.h"

#include <stdio.h>

/* ====== Numbers ====== */

/* A number as written: its digits without group commas, where the point falls. */
typedef struct number {
  char zInt[32];        /* integer digits */
  char zFrac[32];       /* fraction digits ("" when none) */
  int exp;              /* power of ten from an attached multiplier (`2.5bn`), else 0 */
} number;

/* Multipliers, written alone or attached to the number, and their powers of ten. */
typedef struct mult { const char *z; int exp; int bAlone; } mult;
static const mult aMult[] = {
  {"thousand", 3, 1}, {"million", 6, 1}, {"billion", 9, 1}, {"trillion", 12, 1},
  {"k", 3, 0}, {"m", 6, 0}, {"mn", 6, 1}, {"mln", 6, 1}, {"bn", 9, 1}, {"b", 9, 0},
  {"bln", 9, 1}, {"tn", 12, 1}, {"trn", 12, 1}, {NULL, 0, 0}};

/* The power of ten of multiplier z[0..n), or -1; bAlone: written as its own word. */
static int mult_of(const char *z, size_t n, int bAlone) {
  for (int k = 0; aMult[k].z; k++)
    if (strlen(aMult[k].z) == n && strncasecmp(z, aMult[k].z, n) == 0 && (!bAlone || aMult[k].bAlone))
      return aMult[k].exp;
  return -1;
}

/*
** Read token i as a number: digits, comma groups of three, a decimal point, and (when
** bSuffix) an attached multiplier. 1 with *p filled, else 0.
*/
static int number_at(const ds_doc *d, size_t i, int bSuffix, number *p) {
  if (i >= d->nTok || !(d->aTok[i].flags & (DS_TOK_NUMBER | DS_TOK_WORD))) return 0;
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i), k = 0, ni = 0, nf = 0, group = 0;
  int bComma = 0;
  memset(p, 0, sizeof *p);
  while (k < n) {
    char c = z[k];
    if (c >= '0' && c <= '9') {
      if (ni >= sizeof p->zInt - 1) return 0;
      p->zInt[ni++] = c;
      group++;
      k++;
    } else if (c == ',' && ni > 0 && (bComma ? group == 3 : group <= 3) && k + 1 < n &&
               z[k + 1] >= '0' && z[k + 1] <= '9') {
      bComma = 1;
      group = 0;
      k++;
    } else {
      break;
    }
  }
  if (ni == 0 || (bComma && group != 3)) return 0;
  if (k < n && z[k] == '.' && k + 1 < n && z[k + 1] >= '0' && z[k + 1] <= '9') {
    k++;
    while (k < n && z[k] >= '0' && z[k] <= '9') {
      if (nf >= sizeof p->zFrac - 1) return 0;
      p->zFrac[nf++] = z[k++];
    }
  }
  if (k < n) {
    if (!bSuffix || (p->exp = mult_of(z + k, n - k, 0)) < 0) return 0;
  }
  return 1;
}

/* Write the number times 10^exp as a plain decimal into zOut (at least 96 bytes). */
static void number_put(const number *p, int exp, char *zOut) {
  char zDig[64];
  size_t ni = strlen(p->zInt), nf = strlen(p->zFrac), nd = 0, o = 0;
  int e = p->exp + exp;
  memcpy(zDig, p->zInt, ni);
  memcpy(zDig + ni, p->zFrac, nf);
  nd = ni + nf;
  size_t point = ni + (size_t)e;          /* digits before the point */
  for (size_t k = 0; k < point; k++) {
    char c = k < nd ? zDig[k] : '0';
    if (o == 1 && zOut[0] == '0') o = 0;                   /* leading zeros go */
    zOut[o++] = c;
  }
  size_t last = nd;
  while (last > point && zDig[last - 1] == '0') last--;     /* trailing zeros */
  if (last > point) {
    zOut[o++] = '.';
    for (size_t k = point; k < last; k++) zOut[o++] = zDig[k];
  }
  zOut[o] = 0;
}

/* }====== */

/* ====== Currencies ====== */

/* Currency codes written as words, and the ISO 4217 code each stands for. */
typedef struct curword { const char *z; const char *zIso; } curword;
static const curword aCode[] = {
  {"USD", "USD"}, {"EUR", "EUR"}, {"GBP", "GBP"}, {"RUB", "RUB"}, {"RUR", "RUB"},
  {"CNY", "CNY"}, {"RMB", "CNY"}, {"JPY", "JPY"}, {"HKD", "HKD"}, {NULL, NULL}};
/* Currency names after a number (lower case as written). */
static const curword aName[] = {
  {"dollar", "USD"}, {"dollars", "USD"}, {"euro", "EUR"}, {"euros", "EUR"},
  {"rouble", "RUB"}, {"roubles", "RUB"}, {"ruble", "RUB"}, {"rubles", "RUB"},
  {"yuan", "CNY"}, {"renminbi", "CNY"}, {"yen", "JPY"}, {"元", "CNY"}, {NULL, NULL}};

static const char *code_at(const ds_doc *d, size_t i, const curword *a, int bCase) {
  for (int k = 0; a[k].z; k++)
    if (bCase ? rec_is(d, i, a[k].z) : rec_isi(d, i, a[k].z)) return a[k].zIso;
  return NULL;
}

/* Does the document name the yuan side (1), the yen side (2), both (3) or neither (0)? */
static int yen_context(const ds_doc *d) {
  static const char *const azCn[] = {"yuan", "renminbi", "RMB", "CNY", "China", "Chinese", NULL};
  static const char *const azJp[] = {"yen", "JPY", "Japan", "Japanese", NULL};
  int r = 0;
  for (size_t i = 0; i < d->nTok && r != 3; i++) {
    if (rec_in(d, i, azCn) >= 0) r |= 1;
    if (rec_in(d, i, azJp) >= 0) r |= 2;
  }
  return r;
}

/*
** A currency symbol at i, with the letters touching it before (`US$`, `HK$`, `CN¥`):
** its ISO code ("" for a bare ¥ the document does not settle), *pFirst the first token;
** NULL when i is no currency symbol or its prefix is one not known.
*/
static const char *symbol_at(const ds_doc *d, size_t i, int *pYen, size_t *pFirst) {
  static const struct { const char *zPre, *zSym, *zIso; } a[] = {
    {"", "$", "USD"}, {"US", "$", "USD"}, {"A", "$", "AUD"}, {"C", "$", "CAD"},
    {"HK", "$", "HKD"}, {"S", "$", "SGD"}, {"", "\xE2\x82\xAC", "EUR"}, {"", "\xC2\xA3", "GBP"},
    {"", "\xE2\x82\xBD", "RUB"}, {"CN", "\xC2\xA5", "CNY"}, {"JP", "\xC2\xA5", "JPY"},
    {"", "\xC2\xA5", NULL}, {NULL, NULL, NULL}};
  int bPre = i > 0 && rec_touch(d, i - 1) && (d->aTok[i - 1].flags & DS_TOK_WORD);
  for (int k = 0; a[k].zPre; k++) {
    if (!rec_is(d, i, a[k].zSym)) continue;
    if (bPre != (a[k].zPre[0] != 0) || (bPre && !rec_is(d, i - 1, a[k].zPre))) continue;
    *pFirst = bPre ? i - 1 : i;
    if (a[k].zIso) return a[k].zIso;
    if (*pYen < 0) *pYen = yen_context(d);
    return *pYen == 1 ? "CNY" : *pYen == 2 ? "JPY" : "";
  }
  return NULL;
}

/* }====== */

/* A multiplier word at i (with a period after an abbreviation); its power, or -1. */
static int mult_at(const ds_doc *d, size_t i, size_t *pNext) {
  if (i >= d->nTok || !(d->aTok[i].flags & DS_TOK_WORD)) return -1;
  const char *z = rec_z(d, i);
  size_t n = rec_n(d, i);
  if (n > 1 && z[n - 1] == '.') n--;
  int e = mult_of(z, n, 1);
  if (e >= 0) *pNext = i + 1;
  return e;
}

/* Does a range go on at i (`-3`, `to 3`, `and $3 billion`)? Then the first number's
   multiplier is not known. */
static int range_at(const ds_doc *d, size_t i) {
  int bAnd = rec_isi(d, i, "and") || rec_isi(d, i, "or");
  if (!(rec_dash(d, i) || rec_isi(d, i, "to") || bAnd)) return 0;
  size_t j = i + 1, k;
  int yen = 0;
  if (j < d->nTok && symbol_at(d, j, &yen, &k)) j++;
  else if (bAnd) return 0;            /* `$2 and 3 million people`: not one range */
  number nb;
  return number_at(d, j, 1, &nb) && (nb.exp > 0 || mult_at(d, j + 1, &k) >= 0 || rec_dash(d, i));
}

static int add_money(ds_doc *d, size_t a, size_t b, const number *p, int exp, const char *zIso) {
  char zAmt[96];
  number_put(p, exp, zAmt);
  const char *az[2] = {zAmt, zIso};
  return ds_doc_add_span(d, DS_SPAN_MONEY, (uint32_t)a, (uint32_t)b, az);
}

int ds_find_money(ds_doc *d) {
  int yen = -1, rc;
  size_t i = 0;
  while (i < d->nTok) {
    const char *zIso;
    size_t first = i, j, k;
    number nb;
    int e = 0;
    /* money starts with a symbol, a three-letter code or a digit: pass the rest at once */
    unsigned char c0 = (unsigned char)d->zText[d->aTok[i].start];
    if (!(d->aTok[i].flags & DS_TOK_SYMBOL) && !(c0 >= '0' && c0 <= '9') &&
        !(c0 >= 'A' && c0 <= 'Z' && rec_n(d, i) == 3)) {
      i++;
      continue;
    }
    /* symbol or code, then a number and a multiplier: $442 million, RMB 1bn */
    if ((zIso = symbol_at(d, i, &yen, &first)) != NULL || (zIso = code_at(d, i, aCode, 1)) != NULL) {
      if (number_at(d, i + 1, 1, &nb)) {
        j = i + 2;
        if (nb.exp == 0 && (e = mult_at(d, j, &k)) >= 0) j = k;
        else e = 0;
        if (!(nb.exp == 0 && e == 0 && range_at(d, j))) {
          if ((rc = add_money(d, first, j, &nb, e, zIso)) != DS_OK) return rc;
          i = j;
          continue;
        }
        i = j;
        continue;
      }
      i++;
      continue;
    }
    /* a number, a multiplier, a currency: 31.5 billion roubles, 1bn RMB */
    if ((d->aTok[i].flags & (DS_TOK_NUMBER | DS_TOK_WORD)) && number_at(d, i, 1, &nb) &&
        !(i > 0 && rec_touch(d, i - 1) && (rec_dash(d, i - 1) || rec_is(d, i - 1, ".")))) {
      j = i + 1;
      if (nb.exp == 0 && (e = mult_at(d, j, &k)) >= 0) j = k;
      else e = 0;
      size_t c = j;
      int bForeign = 0;
      if (rec_is(d, c, "US") || rec_is(d, c, "U.S.") || rec_is(d, c, "American") ||
          rec_is(d, c, "Russian") || rec_is(d, c, "Chinese"))
        c++;
      else if (rec_upper(d, c) && !code_at(d, c, aCode, 1))
        bForeign = 1;                         /* `Australian dollars`: another currency */
      size_t cEnd = c;                        /* the currency's last token */
      if ((rec_isi(d, c, "pounds") || rec_isi(d, c, "pound")) && rec_isi(d, c + 1, "sterling")) {
        zIso = "GBP";                         /* `pounds` alone may weigh: not read */
        cEnd = c + 1;
      } else if (rec_isi(d, c, "sterling")) {
        zIso = "GBP";
      } else {
        zIso = code_at(d, c, aName, 0);
        if (!zIso) zIso = code_at(d, c, aCode, 1);
      }
      /* `in 2019 dollars`, `constant 2015 US dollars`: a price level, not an amount */
      int v = 0;
      int bLevel = nb.exp == 0 && e == 0 && rec_n(d, i) == 4 && rec_digits(d, i, &v) && v >= 1800 &&
                   v <= 2100 && i > 0 && (rec_isi(d, i - 1, "in") || rec_isi(d, i - 1, "constant") ||
                                          rec_isi(d, i - 1, "real") || rec_isi(d, i - 1, "current") ||
                                          rec_isi(d, i - 1, "nominal"));
      if (zIso) {
        if (!bForeign && !bLevel && !(nb.exp == 0 && e == 0 && i > 0 && rec_dash(d, i - 1) && rec_touch(d, i - 1))) {
          if ((rc = add_money(d, i, cEnd + 1, &nb, e, zIso)) != DS_OK) return rc;
        }
        i = cEnd + 1;
        continue;
      }
      if (bForeign && code_at(d, c + 1, aName, 0)) {
        i = c + 2;
        continue;
      }
    }
    i++;
  }
  return DS_OK;
}

int ds_find_percent(ds_doc *d) {
  for (size_t i = 0; i < d->nTok; i++) {
    number nb;
    size_t j = i + 1;
    if (!(d->aTok[i].flags & DS_TOK_NUMBER) || !number_at(d, i, 0, &nb)) continue;
    if (i > 0 && rec_touch(d, i - 1) && rec_is(d, i - 1, ".")) continue;
    if (rec_is(d, j, "%")) j++;
    else if (rec_isi(d, j, "percent") || rec_isi(d, j, "pct")) j++;
    else if (rec_isi(d, j, "per") && rec_isi(d, j + 1, "cent")) j += 2;
    else continue;
    /* a sign written against the number, after white space or an opening bracket */
    size_t first = i;
    char zVal[96];
    size_t o = 0;
    if (i > 0 && rec_touch(d, i - 1) && (rec_is(d, i - 1, "-") || rec_is(d, i - 1, "+") ||
                                        rec_is(d, i - 1, "\xE2\x88\x92")) &&
        (i == 1 || !rec_touch(d, i - 2) || rec_is(d, i - 2, "("))) {
      zVal[o++] = rec_is(d, i - 1, "+") ? '+' : '-';
      first = i - 1;
    }
    number_put(&nb, 0, zVal + o);
    const char *az[1] = {zVal};
    int rc = ds_doc_add_span(d, DS_SPAN_PERCENT, (uint32_t)first, (uint32_t)j, az);
    if (rc) return rc;
    i = j - 1;
  }
  return DS_OK;
}
