/*
** test_ner.c -- the named-entity recognizer (ds_ner.h):
**   - spans, ids and the respect of spans already there, on a small model built here
**     whose weights decide the tags (so the expected spans follow from the weights);
**   - the gazetteer's matches (ds_ner_gaz_mark) on a table built here;
**   - the loader's refusals of damaged files, each message naming the file and the fault;
**   - the shipped model on sentences written for this test, spans read off the sentences;
**   - the shipped model on Universal NER EWT test: exact-span F1 at or above a floor
**     (skipped when DATA_DIR lacks it).
**
**   build/test_ner DATA_DIR      (e.g. ../shared/data; run from the project root)
*/
#include "ds.h"
#include "ds_annotate.h"
#include "ds_buf.h"
#include "ds_model.h"
#include "ds_ner.h"
#include "ds_parse.h"
#include "ds_tagger.h"
#include "tests.h"

#include "../../tools/ner_iob.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NER_MODEL "corpus/models/en-uner.ner"
#define TAGGER_MODEL "corpus/models/en-ewt.tagger"

/*
** Floor on UNER EWT test, exact spans, overall F1: the shipped model scores 0.760 (see
** corpus/models/PROVENANCE.md); the floor is that less 0.013.
*/
#define F1_FLOOR 0.747

/* {====== A small model built here ====== */

/*
** A BILOU model with one feature, the bias (the first hash ds_ner_feats gives, whatever
** the token), weighing classes as aW[0..13), and an empty word table. Greedy decoding
** with BILOU's transitions then gives every run of free tokens the same chunk: the best
** allowed class at each step.
*/
static void mini_image(const int16_t *aW, ds_buf *b) {
  ds_nertok tok;
  memset(&tok, 0, sizeof tok);
  const ds_nertok *win[5] = {NULL, NULL, &tok, NULL, NULL};
  uint64_t aH[DS_NER_MAXFEAT];
  ds_ner_feats(DS_NER_FEATS_FULL, win, -1, -1, aH);
  uint64_t hBias = aH[0];
  uint32_t nSlot = 4, aSlot[8] = {0};
  uint32_t i = DS_NER_SLOT(hBias, nSlot - 1);
  aSlot[2 * i] = DS_NER_FP(hBias);
  aSlot[2 * i + 1] = 0;                 /* row 0 */
  uint32_t aField[5] = {DS_NER_BILOU, DS_NER_FEATS_FULL, nSlot, 1, 2};
  ds_model_begin(b, &ds_ner_fmt, aField, 5);
  for (int k = 0; k < 8; k++) ds_buf_put_u32(b, aSlot[k]);
  for (int c = 0; c < DS_NER_ROW; c++) {
    uint16_t w = (uint16_t)(c < 13 ? aW[c] : 0);
    ds_buf_putc(b, w & 0xFF);
    ds_buf_putc(b, w >> 8);
  }
  for (int k = 0; k < 4; k++) ds_buf_put_u32(b, 0);
  ds_model_seal(b->p, b->n, &ds_ner_fmt);
}

/* The ent spans of d as "first-last TYPE id source; ..." */
static void spans_str(const ds_doc *d, char *z, size_t n) {
  size_t k = 0;
  z[0] = 0;
  for (size_t i = 0; i < d->nSpan && k < n; i++) {
    const ds_docspan *s = &d->aSpan[i];
    if (s->kind != DS_SPAN_ENT) continue;
    int m = snprintf(z + k, n - k, "%s%u-%u %s %s %s", k ? "; " : "", s->first, s->last,
                     ds_docspan_value(d, s, 0), ds_docspan_value(d, s, 1), ds_docspan_value(d, s, 4));
    if (m < 0) break;
    k += (size_t)m;
  }
}

static ds_doc *parse(const char *z) {
  ds_doc *d;
  ds_error e;
  if (ds_parse_text(z, strlen(z), "test", &d, &e)) {
    fprintf(stderr, "parse: %s\n", e.msg);
    exit(1);
  }
  return d;
}

static void test_mini(void) {
  /* B-ORG first, then I-ORG over L-ORG: one ORG chunk per run of free tokens */
  static const int16_t aW[13] = {0, 0, 0, 0, 0, 9, 8, 7, 1, 0, 0, 0, 0};
  ds_buf b = DS_BUF_INIT;
  mini_image(aW, &b);
  ds_ner *m;
  ds_error e;
  int rc = ds_ner_load_mem(b.p, b.n, "mini", &m, &e);
  check(rc == DS_OK, "mini model: %s", e.msg);
  if (rc) return;
  check(ds_ner_nclass(m) == 13, "13 classes, not %d", ds_ner_nclass(m));

  /* one sentence of four tokens; white space inside the name collapses in id and name */
  ds_doc *d = parse("Carnegie \t  Endowment  for Peace");
  char z[1024];
  check(d->nSent == 1 && d->nTok == 4, "4 tokens in 1 sentence: %zu, %zu", d->nTok, d->nSent);
  check(ds_ner_tag(m, d) == DS_OK, "tag");
  spans_str(d, z, sizeof z);
  check(!strcmp(z, "0-4 ORG Carnegie Endowment for Peace model"), "one ORG span: %s", z);
  if (d->nSpan == 1) {
    check(!strcmp(ds_docspan_value(d, &d->aSpan[0], 2), "Carnegie Endowment for Peace"), "name");
    check(!strcmp(ds_docspan_value(d, &d->aSpan[0], 3), ""), "country empty");
  }
  ds_doc_free(d);

  /* a span already there (a lexicon's) splits the run and is left as it was */
  d = parse("Carnegie Endowment met officials in Astana");
  static const char *const azLex[5] = {"ORG", "Q123", "Lexicon Name", "US", "lexicon"};
  check(ds_doc_add_span(d, DS_SPAN_ENT, 2, 4, azLex) == DS_OK, "add lexicon span");
  check(ds_ner_tag(m, d) == DS_OK, "tag");
  spans_str(d, z, sizeof z);
  check(!strcmp(z, "2-4 ORG Q123 lexicon; 0-2 ORG Carnegie Endowment model; 4-6 ORG in Astana model"),
        "runs around the lexicon span: %s", z);
  ds_doc_free(d);

  /* U-PER above everything: one-token PERSON spans, every token; sentences apart */
  static const int16_t aW2[13] = {0, 0, 0, 0, 5};
  ds_ner_free(m);
  mini_image(aW2, &b);
  rc = ds_ner_load_mem(b.p, b.n, "mini2", &m, &e);
  check(rc == DS_OK, "mini2 model: %s", e.msg);
  if (rc == DS_OK) {
    d = parse("Xi met Putin. Both left.");
    check(ds_ner_tag(m, d) == DS_OK, "tag");
    spans_str(d, z, sizeof z);
    check(!strcmp(z, "0-1 PERSON Xi model; 1-2 PERSON met model; 2-3 PERSON Putin model; "
                     "3-4 PERSON . model; 4-5 PERSON Both model; 5-6 PERSON left model; "
                     "6-7 PERSON . model"), "unit spans: %s", z);
    ds_doc_free(d);
    d = parse("");
    check(ds_ner_tag(m, d) == DS_OK && d->nSpan == 0, "empty document");
    ds_doc_free(d);
  }
  check(ds_ner_tag(NULL, NULL) == DS_MISUSE, "NULL arguments");
  ds_ner_free(m);
  ds_buf_free(&b);
}

/* }====== */

/* {====== The gazetteer ====== */

/* The lower-case hash of word z, as the tagger's analysis gives it. */
static uint64_t low(const char *z) {
  ds_tagtok t;
  ds_tagger_tokinfo(z, strlen(z), NULL, 0, &t);
  return t.hLow;
}

/* Put phrase hash h with value v in table a (nSlot slots). */
static void gaz_put(uint32_t *a, uint32_t nSlot, uint64_t h, uint32_t v) {
  uint32_t i = DS_NER_SLOT(h, nSlot - 1);
  while (a[i] && a[i] >> 8 != DS_NER_GAZ_FP(h)) i = (i + 1) & (nSlot - 1);
  a[i] = DS_NER_GAZ_FP(h) << 8 | (a[i] & 0xFF) | v;
}

/* Add the name of words az[0..n) of gazetteer type t to table a. */
static void gaz_name(uint32_t *a, uint32_t nSlot, const char *const *az, int n, int t) {
  uint64_t h = DS_NER_GAZ_START;
  for (int k = 0; k < n; k++) {
    h = ds_ner_gaz_next(h, low(az[k]));
    gaz_put(a, nSlot, h, k + 1 < n ? DS_NER_GAZ_PREFIX : 1u << t);
  }
}

#define GB(t, part) (1u << (4 * (t) + (part)))   /* part: 0 B, 1 I, 2 L, 3 U */

static void test_gazetteer(void) {
  uint32_t a[64] = {0};
  static const char *const azNY[] = {"New", "York"}, *const azNYU[] = {"New", "York", "University"};
  static const char *const azYork[] = {"York"}, *const azParis[] = {"Paris"};
  gaz_name(a, 64, azNY, 2, DS_NER_GAZ_LOC);
  gaz_name(a, 64, azNYU, 3, DS_NER_GAZ_ORG);
  gaz_name(a, 64, azYork, 1, DS_NER_GAZ_LOC);
  gaz_name(a, 64, azParis, 1, DS_NER_GAZ_PERSON);
  gaz_name(a, 64, azParis, 1, DS_NER_GAZ_LOC);
  /* "she left new york university for paris ." (matching ignores case) */
  static const char *const azText[] = {"she", "left", "new", "York", "University", "for", "PARIS", "."};
  ds_nertok aTok[8];
  for (int i = 0; i < 8; i++) ds_ner_tokinfo(azText[i], strlen(azText[i]), NULL, NULL, 0, &aTok[i]);
  ds_ner_gaz_mark(a, 63, aTok, 8);
  const uint32_t aWant[8] = {
    0, 0,
    GB(DS_NER_GAZ_LOC, 0) | GB(DS_NER_GAZ_ORG, 0),                          /* new: B-LOC, B-ORG */
    GB(DS_NER_GAZ_LOC, 2) | GB(DS_NER_GAZ_ORG, 1) | GB(DS_NER_GAZ_LOC, 3),  /* york: L, I, U */
    GB(DS_NER_GAZ_ORG, 2),                                                  /* university */
    0,
    GB(DS_NER_GAZ_PERSON, 3) | GB(DS_NER_GAZ_LOC, 3),                       /* paris */
    0};
  for (int i = 0; i < 8; i++)
    check(aTok[i].uGaz == aWant[i], "gazetteer bits of '%s': %#x, want %#x", azText[i], aTok[i].uGaz,
          aWant[i]);
  /* "new" alone is no name, only the start of one; no table, no matches */
  ds_ner_gaz_mark(a, 63, aTok + 2, 1);
  check(aTok[2].uGaz == 0, "'new' alone: %#x", aTok[2].uGaz);
  ds_ner_gaz_mark(NULL, 0, aTok, 8);
  for (int i = 0; i < 8; i++) check(aTok[i].uGaz == 0, "no gazetteer: token %d has %#x", i, aTok[i].uGaz);
}

/*
** The second stage's document values (ds_ner_doc_values): what the first pass made of the
** other occurrences of a word in the document.
*/
static void test_doc_values(void) {
  const uint8_t uORG = (uint8_t)ds_ner_class(DS_NER_BILOU, DS_NER_ORG, 3);   /* U-ORG */
  /* word A three times (U-ORG, O, O not counted), B once, a token without letters */
  const uint64_t aKey[5] = {0xA1, 0xB1, 0xA1, 0xA1, 0};
  const uint8_t aCounted[5] = {1, 1, 1, 0, 0}, aCls1[5] = {uORG, 0, 0, 0, 0};
  uint32_t aOut[5];
  check(ds_ner_doc_values(aKey, aCounted, aCls1, 5, aOut) == DS_OK, "doc values");
  /* A's counted occurrences: one O, one U-ORG: types O and ORG, ORG the most frequent (a tie
     with O goes to the name), U-ORG among the classes */
  uint32_t uA = 0x1u | 0x4u | (2u + DS_NER_ORG) << 4 | 0x80u | 1u << (8 + uORG - 1);
  check(aOut[0] == uA, "A (U-ORG), one other: %#x, want %#x", aOut[0], uA);
  check(aOut[1] == 0, "B, alone in the document: %#x", aOut[1]);
  check(aOut[2] == uA, "A (O), one other: %#x, want %#x", aOut[2], uA);
  check(aOut[3] == (uA | 1u << 20), "A not counted itself, two others: %#x", aOut[3]);
  check(aOut[4] == 0, "no key, no value: %#x", aOut[4]);
  check(ds_ner_doc_values(aKey, aCounted, aCls1, 0, aOut) == DS_OK, "an empty document");
}

/* }====== */

/* {====== The loader's refusals ====== */

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Load image p[0..n) from a file and check the code and that the message has zWhat. */
static void refuse(const unsigned char *p, size_t n, int code, const char *zWhat) {
  const char *zPath = "build/test_ner_damaged.ner";
  FILE *f = fopen(zPath, "wb");
  if (!f) {
    check(0, "cannot write %s", zPath);
    return;
  }
  fwrite(p, 1, n, f);
  fclose(f);
  ds_ner *m = (ds_ner *)1;
  ds_error e;
  int rc = ds_ner_load(zPath, &m, &e);
  check(rc == code && m == NULL, "%s: code %d (%s), want %d", zWhat, rc, e.msg, code);
  check(rc == DS_OK || (strstr(e.msg, zPath) && strstr(e.msg, zWhat)),
        "message names the file and '%s': %s", zWhat, e.msg);
  remove(zPath);
}

static void test_refusals(void) {
  static const int16_t aW[13] = {1, 2, 3};
  ds_buf b = DS_BUF_INIT;
  mini_image(aW, &b);
  unsigned char *p = malloc(b.n + 8);
  size_t n = b.n;
  memcpy(p, b.p, n);
  ds_ner *m;
  ds_error e;
  check(ds_ner_load("build/no-such-model.ner", &m, &e) == DS_IO && m == NULL &&
        strstr(e.msg, "build/no-such-model.ner"), "missing file: %s", e.msg);

  memcpy(p, "DSTAGGER", 8);
  refuse(p, n, DS_FORMAT, "not a dossier NER model");
  memcpy(p, b.p, n);
  refuse(p, 40, DS_CORRUPT, "truncated");
  p[70] ^= 1;   /* a body byte: the checksum no longer matches */
  refuse(p, n, DS_CORRUPT, "checksum");
  memcpy(p, b.p, n);
  put_u32(p + 8, DS_NER_VERSION + 1);
  refuse(p, n, DS_VERSION_MISMATCH, "this build reads");

  /* table checks (the envelope resealed, so they are reached) */
  struct { size_t off; uint32_t v; const char *zWhat; } aCase[] = {
    {12, 7, "unknown tag scheme"},
    {16, 9, "unknown feature set"},
    {20, 3, "not powers of two"},
    {24, 1u << 25, "more than 2^24"},
    {24, 2, "tables of"},
  };
  for (size_t k = 0; k < sizeof aCase / sizeof *aCase; k++) {
    memcpy(p, b.p, n);
    put_u32(p + aCase[k].off, aCase[k].v);
    ds_model_seal(p, n, &ds_ner_fmt);
    refuse(p, n, DS_CORRUPT, aCase[k].zWhat);
  }
  /* a two-stage model under BIO */
  memcpy(p, b.p, n);
  put_u32(p + 12, DS_NER_BIO);
  put_u32(p + 16, DS_NER_FEATS_DOC);
  ds_model_seal(p, n, &ds_ner_fmt);
  refuse(p, n, DS_CORRUPT, "two stages need the BILOU scheme");
  /* an old file: format 2 is refused with the version in the message */
  memcpy(p, b.p, n);
  put_u32(p + 8, 2);
  refuse(p, n, DS_CORRUPT, "format 2, this build reads 3");
  /* a feature slot pointing past the weights */
  memcpy(p, b.p, n);
  for (int s = 0; s < 4; s++)
    if (ds_get_u32(p + 64 + 8 * s)) put_u32(p + 64 + 8 * s + 4, 1);
  ds_model_seal(p, n, &ds_ner_fmt);
  refuse(p, n, DS_CORRUPT, "points outside the weights");
  /* a gazetteer size that is not a power of two (no table behind it: the size check comes
     first), and a full gazetteer */
  memcpy(p, b.p, n);
  put_u32(p + 32, 3);
  ds_model_seal(p, n, &ds_ner_fmt);
  refuse(p, n, DS_CORRUPT, "gazetteer size 3 is not a power of two");
  {
    unsigned char *q = malloc(n + 8);
    memcpy(q, b.p, n);
    put_u32(q + 32, 2);
    put_u32(q + n, 0x101);
    put_u32(q + n + 4, 0x202);
    ds_model_seal(q, n + 8, &ds_ner_fmt);
    refuse(q, n + 8, DS_CORRUPT, "gazetteer has no empty slot");
    put_u32(q + n + 4, 0);
    ds_model_seal(q, n + 8, &ds_ner_fmt);
    ds_ner *mg;
    ds_error eg;
    check(ds_ner_load_mem(q, n + 8, "with gazetteer", &mg, &eg) == DS_OK, "a gazetteer of 2 slots: %s",
          eg.msg);
    ds_ner_free(mg);
    free(q);
  }
  /* a full feature table: every slot used */
  memcpy(p, b.p, n);
  for (int s = 0; s < 4; s++) {
    put_u32(p + 64 + 8 * s, 0x100u + (uint32_t)s);
    put_u32(p + 64 + 8 * s + 4, 0);
  }
  ds_model_seal(p, n, &ds_ner_fmt);
  refuse(p, n, DS_CORRUPT, "no empty slot");
  free(p);
  ds_buf_free(&b);
}

/* }====== */

/* {====== The shipped model ====== */

/*
** Sentences written for this test, each with the spans a reader gives it under the UNER
** guidelines (PER, ORG, LOC; countries and cities are LOC; titles and "the" left out):
** 28 spans. The shipped model is scored on them as on UNER (exact spans); every miss and
** every span it adds is printed. The floor: the F1 the shipped model reached (0.982:
** 27 of 28 found, none added; the one-stage model before it, 0.923) less about one span's
** worth.
*/
static const struct { const char *zText, *zSpans; } aSent[] = {
  {"Alexander Gabuev of the Carnegie Endowment met officials in Astana.",
   "PERSON Alexander Gabuev|ORG Carnegie Endowment|LOC Astana"},
  {"Vladimir Putin and Xi Jinping signed the agreement in Moscow on Tuesday.",
   "PERSON Vladimir Putin|PERSON Xi Jinping|LOC Moscow"},
  {"Huawei opened a research centre in Novosibirsk last year.",
   "ORG Huawei|LOC Novosibirsk"},
  {"The report was written by Maria Ivanova, who works for Rosatom in St. Petersburg.",
   "PERSON Maria Ivanova|ORG Rosatom|LOC St. Petersburg"},
  {"Engineers from Tsinghua University visited Kazan in March.",
   "ORG Tsinghua University|LOC Kazan"},
  {"According to Reuters, the deal between Gazprom and CNPC was signed in Beijing.",
   "ORG Reuters|ORG Gazprom|ORG CNPC|LOC Beijing"},
  {"Dmitry Medvedev said that Russia would buy more chips from China.",
   "PERSON Dmitry Medvedev|LOC Russia|LOC China"},
  {"Sergei Lavrov flew to Shanghai to meet Wang Yi.",
   "PERSON Sergei Lavrov|LOC Shanghai|PERSON Wang Yi"},
  {"Analysts at the Higher School of Economics in Moscow expect trade to grow.",
   "ORG Higher School of Economics|LOC Moscow"},
  {"Yandex and Alibaba announced a joint venture in Hong Kong.",
   "ORG Yandex|ORG Alibaba|LOC Hong Kong"},
};

#define SENT_F1_FLOOR 0.94

/* Is "TYPE id" one of the |-separated entries of zList? */
static int in_list(const char *zList, const char *zEnt) {
  size_t n = strlen(zEnt);
  for (const char *z = zList; z; z = strchr(z, '|') ? strchr(z, '|') + 1 : NULL)
    if (!strncmp(z, zEnt, n) && (z[n] == '|' || z[n] == 0)) return 1;
  return 0;
}

static void test_shipped(ds_ner *m, const ds_tagger *t) {
  long tp = 0, nPred = 0, nGold = 0;
  for (size_t k = 0; k < sizeof aSent / sizeof *aSent; k++) {
    ds_doc *d = parse(aSent[k].zText);
    ds_error e;
    check(ds_annotate(d, t, NULL, &e) == DS_OK, "annotate: %s", e.msg);
    check(ds_ner_tag(m, d) == DS_OK, "tag");
    char zGot[1024] = "", zEnt[256];
    for (size_t i = 0; i < d->nSpan; i++) {
      const ds_docspan *s = &d->aSpan[i];
      check(s->kind == DS_SPAN_ENT && !strcmp(ds_docspan_value(d, s, 4), "model") &&
            !strcmp(ds_docspan_value(d, s, 3), "") &&
            !strcmp(ds_docspan_value(d, s, 1), ds_docspan_value(d, s, 2)),
            "an ent span, source model, no country, id = name");
      snprintf(zEnt, sizeof zEnt, "%s %s", ds_docspan_value(d, s, 0), ds_docspan_value(d, s, 1));
      nPred++;
      if (in_list(aSent[k].zSpans, zEnt)) tp++;
      else printf("  added: %s (in \"%s\")\n", zEnt, aSent[k].zText);
      size_t o = strlen(zGot);
      snprintf(zGot + o, sizeof zGot - o, "%s%s", o ? "|" : "", zEnt);
    }
    for (const char *z = aSent[k].zSpans; z; z = strchr(z, '|') ? strchr(z, '|') + 1 : NULL) {
      size_t n = strchr(z, '|') ? (size_t)(strchr(z, '|') - z) : strlen(z);
      snprintf(zEnt, sizeof zEnt, "%.*s", (int)n, z);
      nGold++;
      if (!in_list(zGot, zEnt)) printf("  missed: %s (in \"%s\")\n", zEnt, aSent[k].zText);
    }
    ds_doc_free(d);
  }
  double p = nPred ? (double)tp / (double)nPred : 0, r = (double)tp / (double)nGold;
  double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
  printf("sentences written for the test: %ld of %ld spans found, %ld added; P %.3f R %.3f "
         "F1 %.3f (floor %.2f)\n", tp, nGold, nPred - tp, p, r, f1, SENT_F1_FLOOR);
  check(nGold == 28, "28 spans written, %ld read", nGold);
  check(f1 >= SENT_F1_FLOOR, "F1 %.3f on the sentences written for the test, below %.2f", f1,
        SENT_F1_FLOOR);
}

/*
** One model shared by threads: each thread tags its own copies of the sentences written
** for the test, many times; every thread must find the spans a lone thread finds.
*/
typedef struct tjob {
  const ds_ner *m;
  const ds_tagger *t;
  char zSpans[4096];    /* all the spans found, in order */
  int rc;
} tjob;

static void *tjob_run(void *pArg) {
  tjob *j = pArg;
  for (int r = 0; r < 50; r++) {
    size_t o = 0;
    for (size_t k = 0; k < sizeof aSent / sizeof *aSent; k++) {
      ds_doc *d = parse(aSent[k].zText);
      ds_error e;
      if (ds_annotate(d, j->t, NULL, &e) || ds_ner_tag(j->m, d)) j->rc = 1;
      for (size_t i = 0; i < d->nSpan && o < sizeof j->zSpans; i++)
        o += (size_t)snprintf(j->zSpans + o, sizeof j->zSpans - o, "%u-%u %s;", d->aSpan[i].first,
                              d->aSpan[i].last, ds_docspan_value(d, &d->aSpan[i], 1));
      ds_doc_free(d);
    }
  }
  return NULL;
}

static void test_threads(const ds_ner *m, const ds_tagger *t) {
  tjob one = {m, t, "", 0}, aJob[3];
  tjob_run(&one);
  pthread_t aTh[3];
  for (int i = 0; i < 3; i++) {
    aJob[i] = one;
    aJob[i].zSpans[0] = 0;
    check(pthread_create(&aTh[i], NULL, tjob_run, &aJob[i]) == 0, "pthread_create");
  }
  for (int i = 0; i < 3; i++) {
    pthread_join(aTh[i], NULL);
    check(aJob[i].rc == 0 && !strcmp(aJob[i].zSpans, one.zSpans), "thread %d: %s\n  alone: %s", i,
          aJob[i].zSpans, one.zSpans);
  }
}

/*
** F1 on UNER EWT test, through ds_parse-free documents as the trainer scores them: each of
** the file's documents tagged as one (the second stage looks across a document).
*/
static void test_uner(ds_ner *m, const ds_tagger *t, const char *zData) {
  char zPath[4096], zErr[4200];
  snprintf(zPath, sizeof zPath, "%s/uner-english-ewt/en_ewt-ud-test.iob2", zData);
  FILE *f = fopen(zPath, "rb");
  if (!f) {
    printf("skipped: F1 on UNER EWT test (no %s; run with ../shared/data beside the clone: "
           "make test SHARED=DIR)\n", zPath);
    return;
  }
  fclose(f);
  ner_set s;
  int rc = ner_set_read(zPath, &s, zErr, sizeof zErr);
  check(rc == 0, "%s", zErr);
  if (rc) return;
  check(s.nGold == 1088, "1088 test spans (PROVENANCE.md), read %zu", s.nGold);
  ds_error e;
  check(ds_annotate(s.d, t, NULL, &e) == DS_OK, "annotate: %s", e.msg);
  check(s.nDoc == 316, "316 test documents (# newdoc), read %zu", s.nDoc);
  check(ner_tag_docs(m, &s) == DS_OK, "tag");
  ner_counts c;
  memset(&c, 0, sizeof c);
  ner_score(&s, s.d, &c);
  double p, r, f1;
  ner_prf(&c, -1, &p, &r, &f1);
  printf("UNER EWT test: P %.3f R %.3f F1 %.3f (floor %.3f)\n", p, r, f1, F1_FLOOR);
  check(f1 >= F1_FLOOR, "F1 %.3f below the floor %.3f", f1, F1_FLOOR);
  ner_set_free(&s);
}

/* }====== */

int main(int argc, char **argv) {
  const char *zData = argc > 1 ? argv[1] : "../shared/data";
  test_mini();
  test_gazetteer();
  test_doc_values();
  test_refusals();
  ds_ner *m;
  ds_tagger *t;
  ds_error e;
  int rc = ds_ner_load(NER_MODEL, &m, &e);
  check(rc == DS_OK, "load %s: %s", NER_MODEL, e.msg);
  int rc2 = ds_tagger_load(TAGGER_MODEL, &t, &e);
  check(rc2 == DS_OK, "load %s: %s", TAGGER_MODEL, e.msg);
  if (rc == DS_OK && rc2 == DS_OK) {
    test_shipped(m, t);
    test_threads(m, t);
    test_uner(m, t, zData);
  }
  ds_ner_free(m);
  ds_tagger_free(t);
  return tests_report(argv[0]);
}
