/*
** fuzz_lexicon.c -- the gazetteer's loader (ds_gazetteer_load_mem) on arbitrary lexicon
** files, then its tagging of a fixed small document (tagged and lemmatized, and not)
** and of the input itself read as text.
**
** Input: one lexicon, or two split at the first byte 0x1E (record separator), named
** a.tsv and b.tsv. A refused lexicon is DS_FORMAT with a message `a.tsv:LINE: ` or
** `b.tsv:LINE: ` naming a line the file has. A loaded one tags without error; its spans
** are ent spans in order, inside one sentence each, not overlapping, with a known type,
** an id of the documented shape, a name, a country of two capitals or none, and the
** source `lexicon`; tagging the same document twice gives the same spans.
*/
#include "ds_gazetteer.h"
#include "fuzz.h"

static ds_doc *aDoc[2];          /* the fixed document, tagged and not */
static ds_tagger *pTagger;       /* kept for the life of the process: aDoc[0] names its tags */
static ds_lemmatizer *pLemma;

static const char zDocText[] =
  "Huawei and ZTE built 5G networks with the PRC's blessing. Apple Inc. said so; Apple "
  "shares fell. apple pie. AI, ai and Ai Weiwei met in the U.S. and the People's "
  "Republic of China.\n\nSino-Russian cooperation on facial recognition systems grew, "
  "Mail.ru and Mail.Ru Group too. \xE2\x80\x9CYandex\xE2\x80\x9D runs YANDEX.\n\n"
  "Caf\xC3\xA9 Stra\xC3\x9F" "e \xE4\xB8\xAD\xE5\x9B\xBD and the \xC3\x89tat.\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *zModels = getenv("DS_FUZZ_MODELS");
  char z[1024];
  ds_error e;
  snprintf(z, sizeof z, "%s/en-ewt.tagger", zModels ? zModels : "corpus/models");
  if (ds_tagger_load(z, &pTagger, &e)) fprintf(stderr, "fuzz: %s (the document is not tagged)\n", e.msg);
  snprintf(z, sizeof z, "%s/en-ewt.lemmas", zModels ? zModels : "corpus/models");
  if (ds_lemma_load(z, &pLemma, &e)) fprintf(stderr, "fuzz: %s\n", e.msg);
  for (int i = 0; i < 2; i++) {
    ds_read_opts o = {.zName = "doc", .pTagger = i ? NULL : pTagger,
                      .pLemma = i ? NULL : pLemma};
    if (ds_parse_and_tag(zDocText, sizeof zDocText - 1, &o, &aDoc[i], &e)) {
      fprintf(stderr, "fuzz: cannot parse the document: %s\n", e.msg);
      abort();
    }
  }
  return 0;
}

static int known_type(const char *z) {
  static const char *const az[] = {"PERSON", "ORG", "GPE", "LOC", "TECH", "POLICY", "EVENT"};
  for (size_t i = 0; i < sizeof az / sizeof *az; i++)
    if (strcmp(z, az[i]) == 0) return 1;
  return 0;
}

static int id_shape(const char *z) {
  if (z[0] == 'Q' && z[1] >= '1' && z[1] <= '9') return strspn(z + 1, "0123456789") == strlen(z + 1);
  return strncmp(z, "ds:", 3) == 0 && z[3] &&
         strspn(z + 3, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == strlen(z + 3);
}

/* Spans added to d from index `from` on: the contract above. */
static void check_spans(const ds_doc *d, size_t from) {
  size_t s = 0;
  uint32_t prevLast = 0;
  for (size_t i = from; i < d->nSpan; i++) {
    const ds_docspan *p = &d->aSpan[i];
    FUZZ_CHECK(p->kind == DS_SPAN_ENT && p->first < p->last && p->last <= d->nTok);
    FUZZ_CHECK(p->first >= prevLast);
    prevLast = p->last;
    while (s < d->nSent && d->aSent[s].last <= p->first) s++;
    FUZZ_CHECK(s < d->nSent && d->aSent[s].first <= p->first && p->last <= d->aSent[s].last);
    const char *zCountry = ds_docspan_value(d, p, 3);
    FUZZ_CHECK(known_type(ds_docspan_value(d, p, 0)));
    FUZZ_CHECK(id_shape(ds_docspan_value(d, p, 1)));
    FUZZ_CHECK(ds_docspan_value(d, p, 2)[0] != 0);
    FUZZ_CHECK(zCountry[0] == 0 || (strlen(zCountry) == 2 && zCountry[0] >= 'A' &&
                                    zCountry[0] <= 'Z' && zCountry[1] >= 'A' && zCountry[1] <= 'Z'));
    FUZZ_CHECK(strcmp(ds_docspan_value(d, p, 4), "lexicon") == 0);
  }
}

/* Tag d twice: the same spans; then remove them. */
static void tag_twice(const ds_gazetteer *g, ds_doc *d) {
  size_t from = d->nSpan;
  FUZZ_CHECK(ds_gazetteer_tag(g, d) == DS_OK);
  check_spans(d, from);
  size_t n = d->nSpan - from;
  FUZZ_CHECK(ds_gazetteer_tag(g, d) == DS_OK);
  FUZZ_CHECK(d->nSpan - from == 2 * n);
  for (size_t i = 0; i < n; i++) {
    const ds_docspan *a = &d->aSpan[from + i], *b = &d->aSpan[from + n + i];
    FUZZ_CHECK(a->first == b->first && a->last == b->last);
    for (int k = 0; k < 5; k++)
      FUZZ_CHECK(strcmp(ds_docspan_value(d, a, k), ds_docspan_value(d, b, k)) == 0);
  }
  while (d->nSpan > from) ds_doc_remove_span(d, d->nSpan - 1);
}

/* Lines of z[0..n) as ds_lines counts them (a last line without LF counts). */
static size_t count_lines(const char *z, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += z[i] == '\n';
  return k + (n > 0 && z[n - 1] != '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *z = (const char *)data;
  const char *sep = memchr(z, 0x1E, size);
  const char *azName[] = {"a.tsv", "b.tsv"}, *az[2] = {z, sep ? sep + 1 : NULL};
  size_t an[2] = {sep ? (size_t)(sep - z) : size, sep ? size - (size_t)(sep - z) - 1 : 0};
  int n = sep ? 2 : 1;
  ds_gazetteer *g = (ds_gazetteer *)&an;
  ds_error e;
  int rc = ds_gazetteer_load_mem(azName, az, an, n, &g, &e);
  if (rc) {
    FUZZ_CHECK(g == NULL && e.code == rc && rc == DS_FORMAT);
    int iFile = strncmp(e.msg, "a.tsv:", 6) == 0 ? 0 : strncmp(e.msg, "b.tsv:", 6) == 0 ? 1 : -1;
    FUZZ_CHECK(iFile >= 0 && iFile < n);
    char *zEnd;
    unsigned long line = strtoul(e.msg + 6, &zEnd, 10);
    FUZZ_CHECK(zEnd > e.msg + 6 && zEnd[0] == ':' && zEnd[1] == ' ');
    FUZZ_CHECK(line >= 1 && line <= count_lines(az[iFile], an[iFile]));
    return 0;
  }
  FUZZ_CHECK(g != NULL && ds_gazetteer_count(g) <= count_lines(az[0], an[0]) + count_lines(az[1], an[1]));
  tag_twice(g, aDoc[0]);
  tag_twice(g, aDoc[1]);
  /* the input itself as a document */
  ds_doc *d;
  if (ds_parse_text(z, size, "input", &d, &e) == DS_OK) {
    tag_twice(g, d);
    ds_doc_free(d);
  }
  ds_gazetteer_free(g);
  return 0;
}
