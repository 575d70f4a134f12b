/*
** fuzz_recognize.c -- the recognizers (ds_recognize.h) on arbitrary text: ds_parse_text,
** then every ds_find_*. Spans must be valid token ranges of a known kind, and values
** well formed: dates ISO 8601 (ds_date_iso reads them back) at their precision, amounts
** and percentages plain numbers, currencies ISO codes or "", citations with authors and
** years, URLs a prefix of their token. The recognizers are pure: a second run on a second
** parse of the same text gives the same spans.
**
** Byte 0 sets the run, the rest is the text: bits 0-2 the document's date (none,
** 2021-11-15, 2021-01, 2021, 2020-12-31, 2020-02-29), bit 3 ent spans (PERSON) over every
** capitalized word first, as the gazetteer would, bit 4 an American locale in metadata.
*/
#include "ds_date.h"
#include "ds_recognize.h"
#include "fuzz.h"

static const char *const azDocDate[] = {NULL, "2021-11-15", "2021-01", "2021", "2020-12-31",
                                        "2020-02-29", NULL, NULL};

/* Is z (n bytes) digits and the characters of zAlso only, starting with a digit? */
static int digits_and(const char *z, size_t n, const char *zAlso) {
  if (n == 0 || z[0] < '0' || z[0] > '9') return 0;
  for (size_t i = 0; i < n; i++)
    if (!((z[i] >= '0' && z[i] <= '9') || strchr(zAlso, z[i]))) return 0;
  return 1;
}

/* An ISO date or week at one precision: read back by ds_date_iso (weeks by shape). */
static int iso_point(const char *z, size_t n, const char *zPrec) {
  char zOut[64];
  if (n == 8 && z[4] == '-' && z[5] == 'W')
    return strcmp(zPrec, "week") == 0 && digits_and(z, 4, "") && digits_and(z + 6, 2, "") &&
           atoi(z + 6) >= 1 && atoi(z + 6) <= 53;
  if (!(n == 4 || n == 7 || n == 10) || !digits_and(z, n, "-")) return 0;
  if (!ds_date_iso(z, n, zOut) || strlen(zOut) != n || memcmp(zOut, z, n) != 0) return 0;
  if (strcmp(zPrec, "day") == 0 || strcmp(zPrec, "ambiguous") == 0) return n == 10;
  if (strcmp(zPrec, "month") == 0) return n == 7;
  if (strcmp(zPrec, "year") == 0) return n == 4;
  return strcmp(zPrec, "interval") == 0 || strcmp(zPrec, "decade") == 0 || strcmp(zPrec, "century") == 0;
}

static void check_date(const char *zVal, const char *zPrec) {
  size_t n = strlen(zVal);
  const char *zSlash = strchr(zVal, '/');
  if (strcmp(zPrec, "relative") == 0) {
    const char *z = zVal;
    if (strncmp(z, "year", 4) == 0) z += 4;
    else if (strncmp(z, "month", 5) == 0) z += 5;
    else if (strncmp(z, "week", 4) == 0) z += 4;
    else FUZZ_CHECK(0);
    FUZZ_CHECK((*z == '+' || *z == '-') && digits_and(z + 1, strlen(z + 1), ""));
    return;
  }
  if (zSlash) {
    size_t a = (size_t)(zSlash - zVal);
    FUZZ_CHECK(strcmp(zPrec, "interval") == 0 || strcmp(zPrec, "decade") == 0 ||
               strcmp(zPrec, "century") == 0);
    FUZZ_CHECK(iso_point(zVal, a, zPrec) && iso_point(zSlash + 1, n - a - 1, zPrec));
    FUZZ_CHECK(a == n - a - 1 && memcmp(zVal, zSlash + 1, a) < 0);   /* same form, in order */
    return;
  }
  FUZZ_CHECK(strcmp(zPrec, "interval") != 0 && strcmp(zPrec, "decade") != 0 &&
             strcmp(zPrec, "century") != 0);
  FUZZ_CHECK(iso_point(zVal, n, zPrec));
}

/* A plain number: digits without needless leading zeros, a fraction without trailing ones. */
static void check_number(const char *z, int bSign) {
  if (bSign && (*z == '-' || *z == '+')) z++;
  size_t n = strlen(z);
  const char *zPoint = strchr(z, '.');
  FUZZ_CHECK(digits_and(z, n, "."));
  size_t ni = zPoint ? (size_t)(zPoint - z) : n;
  FUZZ_CHECK(ni >= 1 && (ni == 1 || z[0] != '0'));
  if (zPoint) FUZZ_CHECK(n > ni + 1 && z[n - 1] != '0' && !strchr(zPoint + 1, '.'));
}

static void check_spans(const ds_doc *d) {
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *s = &d->aSpan[i];
    FUZZ_CHECK(s->first < s->last && s->last <= d->nTok);
    FUZZ_CHECK(ds_spankind_get((int)s->kind) != NULL);
    const ds_spankind *k = ds_spankind_get((int)s->kind);
    for (int j = 0; j < k->nAttr; j++) {
      const char *z = ds_docspan_value(d, s, j);
      FUZZ_CHECK(ds_utf8_check(z, strlen(z)) < 0);
    }
    const char *v0 = ds_docspan_value(d, s, 0), *v1 = ds_docspan_value(d, s, 1);
    switch (s->kind) {
      case DS_SPAN_DATE: check_date(v0, v1); break;
      case DS_SPAN_MONEY:
        check_number(v0, 0);
        FUZZ_CHECK(strlen(v1) == 0 || (strlen(v1) == 3 && v1[0] >= 'A' && v1[0] <= 'Z' &&
                                       v1[1] >= 'A' && v1[1] <= 'Z' && v1[2] >= 'A' && v1[2] <= 'Z'));
        break;
      case DS_SPAN_PERCENT: check_number(v0, 1); break;
      case DS_SPAN_CITE: {
        FUZZ_CHECK(*v0);
        /* years: four digits, perhaps a letter, separated by "; " */
        const char *z = v1;
        for (;;) {
          FUZZ_CHECK(digits_and(z, 4, ""));
          z += 4;
          if (*z >= 'a' && *z <= 'z') z++;
          if (!*z) break;
          FUZZ_CHECK(z[0] == ';' && z[1] == ' ');
          z += 2;
        }
        break;
      }
      case DS_SPAN_URL:
        FUZZ_CHECK(s->last == s->first + 1 && *v0 && strlen(v0) <= d->aTok[s->first].end - d->aTok[s->first].start);
        FUZZ_CHECK(memcmp(v0, d->zText + d->aTok[s->first].start, strlen(v0)) == 0);
        break;
      case DS_SPAN_QUOTE: break;
      default: FUZZ_CHECK(s->kind == DS_SPAN_ENT);
    }
  }
}

/* Parse and recognize as byte 0 says; NULL when the text does not parse. */
static ds_doc *run(const uint8_t *data, size_t size) {
  ds_doc *d;
  ds_error e;
  int rc = ds_parse_text((const char *)data + 1, size - 1, "fuzz", &d, &e);
  if (rc) {
    fuzz_check_parse_error(rc, d, &e);
    return NULL;
  }
  if (data[0] & 8) {
    for (size_t t = 0; t < d->nTok; t++) {
      int32_t cp;
      if (!(d->aTok[t].flags & DS_TOK_WORD)) continue;
      ds_utf8_decode((const unsigned char *)d->zText, d->aTok[t].start, d->nText, &cp);
      if (cp < 'A' || cp > 'Z') continue;
      const char *az[5] = {"PERSON", "", t & 1 ? "Canonical Name" : "", "", "lexicon"};
      FUZZ_CHECK(ds_doc_add_span(d, DS_SPAN_ENT, (uint32_t)t, (uint32_t)t + 1, az) == DS_OK);
    }
  }
  if (data[0] & 16) {
    static const char zMeta[] = "locale\0en-US";
    ds_buf_append(&d->meta, zMeta, sizeof zMeta);
    d->nMeta++;
  }
  FUZZ_CHECK(ds_recognize(d, azDocDate[data[0] & 7]) == DS_OK);
  return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  ds_doc *d = run(data, size);
  if (!d) return 0;
  check_spans(d);
  ds_doc *d2 = run(data, size);
  FUZZ_CHECK(d2 && d2->nSpan == d->nSpan && d2->spanVals.n == d->spanVals.n);
  FUZZ_CHECK(d->nSpan == 0 || memcmp(d2->aSpan, d->aSpan, d->nSpan * sizeof *d->aSpan) == 0);
  FUZZ_CHECK(d->spanVals.n == 0 || memcmp(d2->spanVals.p, d->spanVals.p, d->spanVals.n) == 0);
  ds_doc_free(d);
  ds_doc_free(d2);
  return 0;
}
