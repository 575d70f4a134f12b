/*
** test_gazetteer.c -- the gazetteer (ds_gazetteer.h): lexicon files and their errors,
** and the entities it finds in sentences written for the test and in the sample corpus.
**
**   build/test_gazetteer [DATA_DIR]      (run from the project root; DATA_DIR is ignored)
**
** Needs nothing of ../shared: the lexicons are inline or in spec/data/gazetteer/, the
** tagger and lemmatizer in corpus/models, the text in corpus/seeds. Every expected span
** was written down from reading the sentence. Spans are compared as text, each
** `surface|id` (the document's text from the span's first token to its last), joined
** by "; ". Ends with four threads tagging with one gazetteer (`make tsan` runs it).
*/
#include "ds_annotate.h"
#include "ds_gazetteer.h"
#include "ds_intern.h"
#include "ds_lemma.h"
#include "ds_parse.h"
#include "ds_tagger.h"
#include "tests.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ds_tagger *pTagger;
static ds_lemmatizer *pLemma;

/* A lexicon for the sentences written for the test. */
static const char zLexicon[] =
  "# id\ttype\tname\tcountry\taliases\trules\n"
  "Q148\tGPE\tChina\tCN\tPRC|People's Republic of China\n"
  "Q30\tGPE\tUnited States\tUS\tU.S.|USA\n"
  "ds:huawei\tORG\tHuawei\tCN\tHuawei Technologies\n"
  "ds:ai\tTECH\tartificial intelligence\t\tAI\n"
  "ds:ai-weiwei\tPERSON\tAi Weiwei\tCN\n"
  "ds:frs\tTECH\tfacial recognition system\n"
  "ds:fr\tTECH\tfacial recognition\n"
  "Q312\tORG\tApple\tUS\tApple Inc.\tnostart\n"
  "ds:yandex\tORG\tYandex\tRU\t\tany\n"
  "ds:iphone\tTECH\tiPhone\tUS\t\texact\n"
  "ds:smartphone\tTECH\tsmartphone\n"
  "ds:mail-ru\tORG\tMail.Ru Group\tRU\tMail.ru\n"
  "ds:5g\tTECH\t5G\n"
  "ds:sino-russian-cooperation\tPOLICY\tSino-Russian cooperation\n"
  "ds:digital-economy\tPOLICY\tdigital economy\n"
  "ds:economy-ministers\tORG\teconomy ministers\n"
  "ds:ngo\tORG\tNGO\n"
  "ds:sme\tORG\tSME\n";

/* Load lexicon texts (names azName) from memory. */
static ds_gazetteer *load_mem(int n, const char *const *azName, const char *const *az,
                              ds_error *e) {
  size_t an[4];
  ds_gazetteer *g = NULL;
  for (int i = 0; i < n; i++) an[i] = strlen(az[i]);
  int rc = ds_gazetteer_load_mem(azName, az, an, n, &g, e);
  check(rc == DS_OK || g == NULL, "a failed load leaves no gazetteer");
  return g;
}

/* The spans of d as `surface|id; ...`. */
static void spans_text(const ds_doc *d, ds_buf *out) {
  ds_buf_reset(out);
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *s = &d->aSpan[i];
    uint32_t a = d->aTok[s->first].start, b = d->aTok[s->last - 1].end;
    if (i) ds_buf_puts(out, "; ");
    ds_buf_append(out, d->zText + a, b - a);
    ds_buf_putc(out, '|');
    ds_buf_puts(out, ds_docspan_value(d, s, 1));
  }
  ds_buf_putc(out, 0);
}

/* Parse z (tagged with lemmas when bTag), find g's entities: a new document. */
static ds_doc *tag_text(const ds_gazetteer *g, const char *z, size_t n, int bTag) {
  ds_read_opts o = {.zName = "test", .pTagger = bTag ? pTagger : NULL,
                    .pLemma = bTag ? pLemma : NULL};
  ds_doc *d = NULL;
  ds_error e;
  int rc = ds_parse_and_tag(z, n, &o, &d, &e);
  check(rc == DS_OK, "parse: %s", e.msg);
  if (rc) return NULL;
  rc = ds_gazetteer_tag(g, d);
  check(rc == DS_OK, "ds_gazetteer_tag: %s", ds_status_name(rc));
  return d;
}

/* The spans g finds in z must be zWant. */
#define expect(g, z, bTag, zWant) expect_at(__LINE__, g, z, bTag, zWant)
static void expect_at(int line, const ds_gazetteer *g, const char *z, int bTag, const char *zWant) {
  ds_doc *d = tag_text(g, z, strlen(z), bTag);
  ds_buf out = DS_BUF_INIT;
  if (!d) return;
  spans_text(d, &out);
  check(strcmp((const char *)out.p, zWant) == 0, "(line %d) in \"%s\"%s:\n  got  %s\n  want %s",
        line, z, bTag ? " (tagged)" : "", (const char *)out.p, zWant);
  ds_buf_free(&out);
  ds_doc_free(d);
}

static void test_matching(void) {
  ds_error e;
  const char *azName[] = {"inline.tsv"}, *az[] = {zLexicon};
  ds_gazetteer *g = load_mem(1, azName, az, &e);
  check(g != NULL, "load: %s", e.msg);
  if (!g) return;
  check(ds_gazetteer_count(g) == 18, "18 entries, not %zu", ds_gazetteer_count(g));
  /* forms: 3 (China) + 3 (US) + 2 each for Huawei, AI, Apple, Mail.Ru, 1 each for 12 */
  check(ds_gazetteer_nform(g) == 26, "26 forms, not %zu", ds_gazetteer_nform(g));

  /* longest match: the whole name, not the China or Huawei inside it */
  expect(g, "The People's Republic of China and Huawei Technologies signed. Huawei grew.", 0,
         "People's Republic of China|Q148; Huawei Technologies|ds:huawei; Huawei|ds:huawei");
  /* leftmost first: `digital economy` is taken before the longer match could start at
     `economy` (economy ministers) */
  expect(g, "The digital economy ministers met.", 0, "digital economy|ds:digital-economy");
  expect(g, "The economy ministers met.", 0, "economy ministers|ds:economy-ministers");

  /* case: AI only in capitals; Ai Weiwei with capital initials; Huawei not in lower case */
  expect(g, "AI is everywhere, ai is not a word here, and Ai alone is no acronym.", 0,
         "AI|ds:ai");
  expect(g, "Ai Weiwei spoke; AI WEIWEI was on the poster; ai weiwei was not.", 0,
         "Ai Weiwei|ds:ai-weiwei; AI WEIWEI|ds:ai-weiwei");
  expect(g, "Huawei, HUAWEI and huawei.", 0, "Huawei|ds:huawei; HUAWEI|ds:huawei");
  /* a lower-case form in any case; `any` lets Yandex match in lower case */
  expect(g, "Artificial Intelligence and ARTIFICIAL INTELLIGENCE; yandex and YANDEX.", 0,
         "Artificial Intelligence|ds:ai; ARTIFICIAL INTELLIGENCE|ds:ai; yandex|ds:yandex; "
         "YANDEX|ds:yandex");
  /* exact: only iPhone as written */
  expect(g, "The iPhone, the IPHONE and the iphone.", 0, "iPhone|ds:iphone");
  /* capitals: 5G, not 5g */
  expect(g, "Russia builds 5G networks, not 5g ones.", 0, "5G|ds:5g");

  /* nostart: Apple opening a sentence is taken only with a company cue */
  expect(g, "Apple shipped phones. Apple Inc. said it grew. Analysts like Apple. "
            "Apple shares fell. Apple, Inc. agreed. \xE2\x80\x9C" "Apple is big,\xE2\x80\x9D he said.",
         0, "Apple Inc.|Q312; Apple|Q312; Apple|Q312; Apple|Q312");

  /* multi-token forms with hyphens and periods, tokenized as documents are */
  expect(g, "Sino-Russian cooperation with the U.S. and USA on Mail.ru and Mail.Ru Group.", 0,
         "Sino-Russian cooperation|ds:sino-russian-cooperation; U.S.|Q30; USA|Q30; "
         "Mail.ru|ds:mail-ru; Mail.Ru Group|ds:mail-ru");
  /* typographic apostrophe: norm folds it */
  expect(g, "The People\xE2\x80\x99s Republic of China.", 0,
         "People\xE2\x80\x99s Republic of China|Q148");

  /* never across a sentence boundary */
  expect(g, "They are going digital. Economy ministers met.", 0,
         "Economy ministers|ds:economy-ministers");
  expect(g, "Its rise was digital. Economy grew.", 0, "");
  /* a heading and a paragraph: no period between `Digital` and `Economy` */
  expect(g, "Going Digital\n\nEconomy ministers met.", 0, "Economy ministers|ds:economy-ministers");

  /* lemma of the last token: plurals, when the document is tagged */
  expect(g, "Police deployed facial recognition systems and smartphones.", 1,
         "facial recognition systems|ds:frs; smartphones|ds:smartphone");
  expect(g, "Police deployed facial recognition systems and smartphones.", 0,
         "facial recognition|ds:fr");
  /* plurals of forms in capitals; not in lower case */
  expect(g, "Many NGOs and SMEs use it, unlike ngos.", 1, "NGOs|ds:ngo; SMEs|ds:sme");
  expect(g, "Many NGOs and SMEs use it, unlike ngos.", 0, "");
  /* an exact form is never matched by its lemma */
  expect(g, "They sold iPhones.", 1, "");
  ds_gazetteer_free(g);
}

/* Two files: the later replaces an id and claims forms. */
static void test_override(void) {
  ds_error e;
  ds_gazetteer *g = NULL;
  const char *az[] = {"spec/data/gazetteer/base.tsv", "spec/data/gazetteer/override.tsv"};
  static const char zText[] = "The PRC and China met Roskomnadzor (RKN) and ZTE.";
  int rc = ds_gazetteer_load(az, 2, &g, &e);
  check(rc == DS_OK, "load: %s", e.msg);
  if (rc) return;
  /* Q148 (the later), ds:rkn (without forms now), ds:zte, ds:rkn-agency */
  check(ds_gazetteer_count(g) == 4, "4 entries, not %zu", ds_gazetteer_count(g));
  check(ds_gazetteer_nform(g) == 6, "6 forms, not %zu", ds_gazetteer_nform(g));
  expect(g, zText, 0, "China|Q148; Roskomnadzor|ds:rkn-agency; RKN|ds:rkn-agency; ZTE|ds:zte");
  ds_doc *d = tag_text(g, zText, sizeof zText - 1, 0);
  if (d && d->nSpan == 4) {
    const ds_docspan *s = &d->aSpan[0];
    check(strcmp(ds_docspan_value(d, s, 0), "GPE") == 0, "type");
    check(strcmp(ds_docspan_value(d, s, 2), "People's Republic of China") == 0, "the later name: %s",
          ds_docspan_value(d, s, 2));
    check(strcmp(ds_docspan_value(d, s, 3), "CN") == 0, "country");
    check(strcmp(ds_docspan_value(d, s, 4), "lexicon") == 0, "source");
  }
  ds_doc_free(d);
  ds_gazetteer_free(g);
  /* the other order: base.tsv wins */
  const char *azRev[] = {az[1], az[0]};
  rc = ds_gazetteer_load(azRev, 2, &g, &e);
  check(rc == DS_OK, "load: %s", e.msg);
  if (rc) return;
  expect(g, zText, 0, "PRC|Q148; China|Q148; Roskomnadzor|ds:rkn; RKN|ds:rkn; ZTE|ds:zte");
  ds_gazetteer_free(g);
}

/*
** A lexicon that loads must fail with code and a message starting `zName:LINE: ` and
** holding zPart.
*/
#define refuse(z, code, line, zPart) refuse_at(__LINE__, z, sizeof(z) - 1, code, line, zPart)
static void refuse_at(int at, const char *z, size_t n, int code, int line, const char *zPart) {
  const char *azName[] = {"good.tsv", "bad.tsv"};
  const char *az[] = {"Q1\tGPE\tEarth\n", z};
  size_t an[] = {strlen(az[0]), n};
  ds_gazetteer *g = (ds_gazetteer *)1;
  ds_error e;
  char zPrefix[64];
  int rc = ds_gazetteer_load_mem(azName, az, an, 2, &g, &e);
  snprintf(zPrefix, sizeof zPrefix, "bad.tsv:%d: ", line);
  check(rc == code && e.code == code && g == NULL, "(line %d) code %s, want %s (%s)", at,
        ds_status_name(rc), ds_status_name(code), e.msg);
  check(strncmp(e.msg, zPrefix, strlen(zPrefix)) == 0 && strstr(e.msg, zPart),
        "(line %d) message '%s', want '%s...%s'", at, e.msg, zPrefix, zPart);
  if (rc == DS_OK) ds_gazetteer_free(g);
}

static void test_errors(void) {
  refuse("Q2\tORG\tAcme\nQ3\tCOMPANY\tBeta\n", DS_FORMAT, 2, "bad type 'COMPANY'");
  refuse("Q2\torg\tAcme\n", DS_FORMAT, 1, "bad type 'org'");
  refuse("Q0123\tORG\tAcme\n", DS_FORMAT, 1, "bad id 'Q0123'");
  refuse("X12\tORG\tAcme\n", DS_FORMAT, 1, "bad id 'X12'");
  refuse("ds:\tORG\tAcme\n", DS_FORMAT, 1, "bad id 'ds:'");
  refuse("ds:Acme\tORG\tAcme\n", DS_FORMAT, 1, "bad id 'ds:Acme'");
  refuse("ds:acme-\tORG\tAcme\n", DS_FORMAT, 1, "bad id 'ds:acme-'");
  refuse("# comment\n\nQ2\tORG\n", DS_FORMAT, 3, "2 columns");
  refuse("Q2\tORG\tAcme\tUS\t\t\t\n", DS_FORMAT, 1, "7 columns");
  refuse("Q2\tORG\tAc\xFFme\n", DS_FORMAT, 1, "invalid UTF-8 at byte 10");
  refuse("Q2\tORG\tAc\xC3\n", DS_FORMAT, 1, "invalid UTF-8");
  refuse("Q2\tORG\t\tUS\tAcme\n", DS_FORMAT, 1, "empty name");
  refuse("Q2\tORG\t   \tUS\n", DS_FORMAT, 1, "empty name");
  refuse("Q2\tORG\tAcme\tXX\n", DS_FORMAT, 1, "bad country 'XX'");
  refuse("Q2\tORG\tAcme\tus\n", DS_FORMAT, 1, "bad country 'us'");
  refuse("Q2\tORG\tAcme\tUS\t\tnostart,upper\n", DS_FORMAT, 1, "unknown rule 'upper'");
  refuse("Q2\tORG\tAcme\tUS\t\tnostart,\n", DS_FORMAT, 1, "empty rule");
  refuse("Q2\tORG\tAcme\tUS\t\texact,any\n", DS_FORMAT, 1, "exclude each other");
  refuse("Q2\tORG\tAcme\tUS\tAcme Corp||ACME\n", DS_FORMAT, 1, "empty alias");
  refuse("Q2\tORG\tAcme\tUS\tACME|\n", DS_FORMAT, 1, "empty alias");
  refuse("Q2\tORG\tAcme\tUS\tACME|  \n", DS_FORMAT, 1, "the alias '  ' has no tokens");
  refuse("Q2\tORG\ta b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7\n",
         DS_FORMAT, 1, "more than 32 tokens");
  refuse("Q2\tORG\tAcme\t\t\t\nQ3\tORG\tBeta\nQ2\tORG\tGamma\n", DS_FORMAT, 3,
         "the id Q2 is given on line 1 and on line 3");
  refuse("Q2\tORG\tHuawei\nQ3\tORG\tHonor\tCN\tHUAWEI\n", DS_FORMAT, 2,
         "the form 'HUAWEI' is given to Q2 on line 1 and to Q3 on line 2");
  refuse("Q2\tORG\tNUL\0byte\n", DS_FORMAT, 1, "NUL");
  /* a good line, then a bad one, each file counting its own lines */
  refuse("\xEF\xBB\xBFQ2\tORG\tAcme\r\n\r\n  \t \r\nQ3\tLOC\tAlps\t\t\tany,\r\n", DS_FORMAT, 4,
         "empty rule");

  /* what loads: a byte-order mark, CRLF, comments, blank lines, 3 to 6 columns */
  const char *azName[] = {"ok.tsv"};
  const char *az[] = {"\xEF\xBB\xBF# comment\r\nQ2\tORG\tAcme\r\n\r\n \t\nQ3\tLOC\tAlps\t\t\t\r\n"
                      "Q4\tORG\tBeta\tDE\tBETA|Beta AG\t exact , nostart \n"};
  ds_error e;
  ds_gazetteer *g = load_mem(1, azName, az, &e);
  check(g != NULL, "load: %s", e.msg);
  if (g) {
    check(ds_gazetteer_count(g) == 3, "3 entries, not %zu", ds_gazetteer_count(g));
    expect(g, "Acme and ACME met Beta AG in the Alps, not BETA's beta.", 0,
           "Acme|Q2; ACME|Q2; Beta AG|Q4; Alps|Q3; BETA|Q4");
    ds_gazetteer_free(g);
  }

  /* files: one that is missing, and a bad line in the second file named by its path */
  const char *azMissing[] = {"spec/data/gazetteer/base.tsv", "spec/data/gazetteer/no-such.tsv"};
  g = (ds_gazetteer *)1;
  int rc = ds_gazetteer_load(azMissing, 2, &g, &e);
  check(rc == DS_IO && g == NULL && strstr(e.msg, "spec/data/gazetteer/no-such.tsv"),
        "missing file: %s %s", ds_status_name(rc), e.msg);
  const char *zBad = "build/test_gazetteer-bad.tsv";
  FILE *f = fopen(zBad, "wb");
  if (f) {
    fputs("# a comment\nds:x\tORG\tX Corp\tUS\nds:y\tORG\tY Corp\tUS\tx corp\n", f);
    fclose(f);
  }
  const char *azTwo[] = {"spec/data/gazetteer/base.tsv", zBad};
  rc = ds_gazetteer_load(azTwo, 2, &g, &e);
  check(rc == DS_FORMAT && strncmp(e.msg, "build/test_gazetteer-bad.tsv:3: ", 32) == 0 &&
            strstr(e.msg, "line 2") && strstr(e.msg, "line 3"),
        "second file: %s", e.msg);
  remove(zBad);
  rc = ds_gazetteer_load(azTwo, 0, &g, &e);
  check(rc == DS_MISUSE && g == NULL, "no file: %s", ds_status_name(rc));
}

/*
** The sample corpus: corpus/seeds/2015-carnegie-digital-bromance.txt, tagged, with a
** lexicon of what it names. The expected list was made by reading the text from the top.
*/
static const char zSeedLexicon[] =
  "ds:huawei\tORG\tHuawei\tCN\n"
  "ds:zte\tORG\tZTE\tCN\n"
  "ds:cisco\tORG\tCisco\tUS\tCISCO\n"
  "ds:nsa\tORG\tNational Security Agency\tUS\tNSA\n"
  "Q30\tGPE\tUnited States\tUS\tU.S.\n"
  "ds:icann\tORG\tICANN\tUS\n"
  "ds:alibaba\tORG\tAlibaba Group\tCN\tAlibaba\n"
  "ds:mail-ru\tORG\tMail.Ru Group\tRU\n"
  "ds:jd\tORG\tJD.com\tCN\n"
  "ds:tencent\tORG\tTencent\tCN\n"
  "ds:xiaomi\tORG\tXiaomi\tCN\n"
  "Q15031\tPERSON\tXi Jinping\tCN\tXi\n"
  "ds:medvedev\tPERSON\tDmitry Medvedev\tRU\tMedvedev\n"
  "Q7747\tPERSON\tVladimir Putin\tRU\tPutin\n"
  "ds:carnegie-moscow\tORG\tCarnegie Moscow Center\tRU\n"
  "ds:moscow\tGPE\tMoscow\tRU\n"
  "ds:beijing\tGPE\tBeijing\tCN\n"
  "ds:wic\tEVENT\tWorld Internet Conference\tCN\n"
  "ds:internet-governance\tPOLICY\tInternet governance\n"
  "ds:sino-russian-cooperation\tPOLICY\tSino-Russian cooperation\n"
  "ds:social-network\tTECH\tsocial network\n"
  "ds:iphone\tTECH\tiPhone\tUS\t\texact\n";

static const char zSeedWant[] =
  "Sino-Russian cooperation|ds:sino-russian-cooperation; "
  "Carnegie Moscow Center|ds:carnegie-moscow; Moscow|ds:moscow; "
  "Alibaba Group|ds:alibaba; World Internet Conference|ds:wic; "
  "Internet governance|ds:internet-governance; "
  "Xi Jinping|Q15031; Dmitry Medvedev|ds:medvedev; Alibaba|ds:alibaba; "
  "Medvedev|ds:medvedev; Moscow|ds:moscow; Beijing|ds:beijing; "
  "ICANN|ds:icann; U.S.|Q30; Internet governance|ds:internet-governance; "
  "Internet governance|ds:internet-governance; ICANN|ds:icann; "
  "CISCO|ds:cisco; ZTE|ds:zte; Huawei|ds:huawei; CISCO|ds:cisco; U.S.|Q30; NSA|ds:nsa; "
  "Alibaba|ds:alibaba; JD.com|ds:jd; Xiaomi|ds:xiaomi; Alibaba|ds:alibaba; "
  "Mail.Ru Group|ds:mail-ru; Tencent|ds:tencent; Mail.Ru Group|ds:mail-ru; "
  "Dmitry Medvedev|ds:medvedev; iPhone|ds:iphone; Xi Jinping|Q15031; "
  "Vladimir Putin|Q7747; Medvedev|ds:medvedev; Xi|Q15031; social networks|ds:social-network";

static const char zSeedFile[] = "corpus/seeds/2015-carnegie-digital-bromance.txt";

static void test_seed(void) {
  ds_error e;
  const char *azName[] = {"seed.tsv"}, *az[] = {zSeedLexicon};
  ds_gazetteer *g = load_mem(1, azName, az, &e);
  char *z;
  size_t n;
  check(g != NULL, "load: %s", e.msg);
  if (!g) return;
  int rc = ds_read_file(zSeedFile, &z, &n, &e);
  check(rc == DS_OK, "%s", e.msg);
  if (rc == DS_OK) {
    ds_doc *d = tag_text(g, z, n, 1);
    ds_buf out = DS_BUF_INIT;
    if (d) {
      spans_text(d, &out);
      check(strcmp((const char *)out.p, zSeedWant) == 0, "in %s:\n  got  %s\n  want %s", zSeedFile,
            (const char *)out.p, zSeedWant);
      /* the same once the document's token types are found (word ids looked up by type) */
      while (d->nSpan) ds_doc_remove_span(d, d->nSpan - 1);
      check(ds_doc_intern(d) == DS_OK && d->aTypeOf && d->nType < d->nTok, "intern");
      check(ds_gazetteer_tag(g, d) == DS_OK, "tag the interned document");
      spans_text(d, &out);
      check(strcmp((const char *)out.p, zSeedWant) == 0, "interned:\n  got  %s\n  want %s",
            (const char *)out.p, zSeedWant);
    }
    ds_buf_free(&out);
    ds_doc_free(d);
    ds_free(z);
  }
  ds_gazetteer_free(g);
}

/* Every allocation failing in turn: DS_NOMEM (or success), never a crash or a leak. */
static int nFail = -1;
static void *fail_malloc(size_t n) { return nFail-- == 0 ? NULL : malloc(n); }
static void *fail_realloc(void *p, size_t n) { return nFail-- == 0 ? NULL : realloc(p, n); }

static void test_nomem(void) {
  const char *azName[] = {"inline.tsv", "seed.tsv"}, *az[] = {zLexicon, zSeedLexicon};
  size_t an[] = {strlen(zLexicon), strlen(zSeedLexicon)};
  int nOk = 0, k;
  for (k = 0; k < 2000 && nOk == 0; k++) {
    ds_gazetteer *g;
    ds_error e;
    nFail = k;
    ds_set_allocator(fail_malloc, fail_realloc, NULL);
    int rc = ds_gazetteer_load_mem(azName, az, an, 2, &g, &e);
    ds_set_allocator(NULL, NULL, NULL);
    check(rc == DS_OK || (rc == DS_NOMEM && g == NULL && strstr(e.msg, "out of memory")),
          "allocation %d failing: %s %s", k, ds_status_name(rc), e.msg);
    if (rc == DS_OK) nOk++, ds_gazetteer_free(g);
  }
  check(nOk == 1, "loading succeeds once allocations stop failing (after %d)", k);
  /* tagging */
  ds_error e;
  ds_gazetteer *g = load_mem(1, azName, az, &e);
  static const char zText[] = "Huawei and the PRC met. Apple Inc. grew facial recognition systems.";
  ds_doc *d = g ? tag_text(g, zText, sizeof zText - 1, 1) : NULL;
  if (!d) {
    check(0, "setup");
    ds_gazetteer_free(g);
    return;
  }
  size_t nWant = d->nSpan;
  check(nWant == 4, "4 spans, not %zu", nWant);
  ds_doc_free(d);
  /* a fresh document each time: a document whose span values once ran out of memory
     keeps failing (ds_buf's sticky error) */
  for (nOk = 0, k = 0; k < 200 && nOk == 0; k++) {
    ds_read_opts o = {.zName = "test", .pTagger = pTagger, .pLemma = pLemma};
    if (ds_parse_and_tag(zText, sizeof zText - 1, &o, &d, &e)) break;
    nFail = k;
    ds_set_allocator(fail_malloc, fail_realloc, NULL);
    int rc = ds_gazetteer_tag(g, d);
    ds_set_allocator(NULL, NULL, NULL);
    check(rc == DS_OK || rc == DS_NOMEM, "allocation %d failing: %s", k, ds_status_name(rc));
    if (rc == DS_OK) {
      nOk++;
      check(d->nSpan == nWant, "%zu spans", d->nSpan);
    }
    ds_doc_free(d);
  }
  check(nOk == 1 && k > 1, "tagging succeeds once allocations stop failing (after %d)", k);
  /* a document with tokens and no sentences is misuse; an empty one has nothing */
  d = ds_doc_new();
  check(d && ds_gazetteer_tag(g, d) == DS_OK && d->nSpan == 0, "empty document");
  if (d) {
    d->zText = ds_malloc(7);
    memcpy(d->zText, "Huawei", 7);
    d->nText = 6;
    check(ds_doc_add_token(d, 0, 6, DS_TOK_WORD) == DS_OK, "token");
    check(ds_gazetteer_tag(g, d) == DS_MISUSE && d->nSpan == 0, "no sentences");
    check(ds_doc_add_sentence(d, 0, 1) == DS_OK && ds_gazetteer_tag(g, d) == DS_OK &&
              d->nSpan == 1, "one sentence");
  }
  ds_doc_free(d);
  ds_gazetteer_free(g);
}

/* {====== Threads: one gazetteer, four taggers ====== */

typedef struct tag_job {
  const ds_gazetteer *g;
  ds_doc *aDoc[5];
  int nDoc;
  int rc;
} tag_job;

static void *tag_thread(void *p) {
  tag_job *j = p;
  for (int r = 0; r < 20 && j->rc == DS_OK; r++)
    for (int i = 0; i < j->nDoc && j->rc == DS_OK; i++) {
      ds_doc *d = j->aDoc[i];
      while (d->nSpan) ds_doc_remove_span(d, d->nSpan - 1);
      j->rc = ds_gazetteer_tag(j->g, d);
    }
  return NULL;
}

static void test_threads(void) {
  ds_error e;
  const char *azName[] = {"seed.tsv"}, *az[] = {zSeedLexicon};
  ds_gazetteer *g = load_mem(1, azName, az, &e);
  char *z;
  size_t n;
  if (!g || ds_read_file(zSeedFile, &z, &n, &e)) {
    check(0, "setup: %s", e.msg);
    ds_gazetteer_free(g);
    return;
  }
  tag_job aJob[4];
  pthread_t aThread[4];
  for (int t = 0; t < 4; t++) {
    aJob[t] = (tag_job){g, {NULL}, 0, DS_OK};
    for (int i = 0; i < 5; i++) {
      ds_doc *d = tag_text(g, z, n, (i + t) & 1);
      if (d) aJob[t].aDoc[aJob[t].nDoc++] = d;
    }
  }
  for (int t = 0; t < 4; t++) check(pthread_create(&aThread[t], NULL, tag_thread, &aJob[t]) == 0, "thread");
  for (int t = 0; t < 4; t++) pthread_join(aThread[t], NULL);
  ds_buf out = DS_BUF_INIT;
  for (int t = 0; t < 4; t++) {
    check(aJob[t].rc == DS_OK, "thread %d: %s", t, ds_status_name(aJob[t].rc));
    for (int i = 0; i < aJob[t].nDoc; i++) {
      ds_doc *d = aJob[t].aDoc[i];
      spans_text(d, &out);
      /* untagged: `social networks` is not found by its lemma */
      if (d->aLemmaOff)
        check(strcmp((const char *)out.p, zSeedWant) == 0, "thread %d doc %d: %s", t, i, (const char *)out.p);
      else
        check(d->nSpan == 36, "thread %d doc %d (untagged): %zu spans", t, i, d->nSpan);
      ds_doc_free(d);
    }
  }
  ds_buf_free(&out);
  ds_free(z);
  ds_gazetteer_free(g);
}

/* }====== */

int main(int argc, char **argv) {
  ds_error e;
  (void)argc;
  if (ds_tagger_load("corpus/models/en-ewt.tagger", &pTagger, &e)) check(0, "%s", e.msg);
  if (ds_lemma_load("corpus/models/en-ewt.lemmas", &pLemma, &e)) check(0, "%s", e.msg);
  test_matching();
  test_override();
  test_errors();
  test_seed();
  test_nomem();
  test_threads();
  ds_tagger_free(pTagger);
  ds_lemma_free(pLemma);
  return tests_report(argv[0]);
}
