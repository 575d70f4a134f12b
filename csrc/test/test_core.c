/*
** test_core.c -- the plain C API without Lua: UTF-8, tokenizer, sentences, store,
** queries. Usage: test_core DATA_DIR (unused here; the corpus comes from corpus/seeds).
** Run from the project root.
*/
#include "ds.h"
#include "ds_clean.h"
#include "ds_markup.h"
#include "ds_conllu.h"
#include "ds_date.h"
#include "ds_dynlib.h"
#include "ds_hash.h"
#include "ds_langdata.h"
#include "ds_parse.h"
#include "ds_query.h"
#include "ds_reader.h"
#include "ds_ingest.h"
#include "ds_kwic.h"
#include "ds_store.h"
#include "ds_strmap.h"
#include "ds_utf8.h"
#include "tests.h"

#include <utf8proc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <math.h>
#include <sys/mman.h>

/* Tokens of text joined by '|'. */
static char *tokens_of(const char *text) {
  static char out[4096];
  ds_doc *d;
  ds_error e;
  out[0] = 0;
  if (ds_parse_text(text, strlen(text), "t", &d, &e)) {
    snprintf(out, sizeof out, "ERROR %s", e.msg);
    return out;
  }
  size_t n = 0;
  for (size_t t = 0; t < d->nTok; t++) {
    n += (size_t)snprintf(out + n, sizeof out - n, "%s%.*s", t ? "|" : "",
                          (int)(d->aTok[t].end - d->aTok[t].start), d->zText + d->aTok[t].start);
  }
  ds_doc_free(d);
  return out;
}

/* Sentences of text joined by " // ". */
static char *sentences_of(const char *text) {
  static char out[4096];
  ds_doc *d;
  ds_error e;
  out[0] = 0;
  if (ds_parse_text(text, strlen(text), "t", &d, &e)) return strcpy(out, "ERROR");
  size_t n = 0;
  for (size_t s = 0; s < d->nSent; s++) {
    uint32_t a = d->aTok[d->aSent[s].first].start, b = d->aTok[d->aSent[s].last - 1].end;
    n += (size_t)snprintf(out + n, sizeof out - n, "%s%.*s", s ? " // " : "", (int)(b - a),
                          d->zText + a);
  }
  ds_doc_free(d);
  return out;
}

#define CHECK_TOKENS(text, want) \
  do { const char *got_ = tokens_of(text); check(strcmp(got_, want) == 0, "tokens of <%s>: got <%s>, want <%s>", text, got_, want); } while (0)
#define CHECK_SENTS(text, want) \
  do { const char *got_ = sentences_of(text); check(strcmp(got_, want) == 0, "sentences of <%s>: got <%s>, want <%s>", text, got_, want); } while (0)

static void test_utf8(void) {
  check(ds_utf8_check("abc", 3) == -1, "ASCII is valid");
  check(ds_utf8_check("a\xC3\xA9z", 4) == -1, "é is valid");
  check(ds_utf8_check("ab\xFFz", 4) == 2, "0xFF at byte 2");
  check(ds_utf8_check("a\xC0\xAF", 3) == 1, "overlong '/' refused");
  check(ds_utf8_check("\xED\xA0\x80", 3) == 0, "surrogate refused");
  check(ds_utf8_check("\xF4\x90\x80\x80", 4) == 0, "past U+10FFFF refused");
  check(ds_utf8_check("ab\xE2\x82", 4) == 2, "truncated sequence at the end");

  ds_buf b = DS_BUF_INIT;
  ds_utf8_nfc("e\xCC\x81", 3, &b);          /* e + combining acute -> é */
  check(b.n == 2 && memcmp(b.p, "\xC3\xA9", 2) == 0, "NFC composes e+acute");
  ds_buf_reset(&b);
  ds_utf8_fold("Stra\xC3\x9F" "E", 7, &b);  /* Straße -> strasse */
  check(b.n == 7 && memcmp(b.p, "strasse", 7) == 0, "fold: got %.*s", (int)b.n, b.p);
  ds_buf_free(&b);

  ds_doc *d;
  ds_error e;
  check(ds_parse_text("ok\nbad \xC3(", 9, "f.txt", &d, &e) == DS_UTF8 && e.offset == 7,
        "invalid UTF-8 reported at byte 7");
  check(strstr(e.msg, "f.txt") && strstr(e.msg, "line 2"), "message names file and line: %s", e.msg);
  check(ds_parse_text("a\0b", 3, "bin", &d, &e) == DS_FORMAT, "NUL byte: binary");
}

/* ds_utf8_nfc (with its fast path) agrees with utf8proc's NFC on every code point, in
   contexts where it could compose, and on random mixtures. */
static void test_nfc_exhaustive(void) {
  static const int32_t aBefore[] = {'a', 'e', 0x1100, 0xAC00, 0x0B47, 0x0300};
  static const int32_t aAfter[] = {'x', 0x0301, 0x1161, 0x11A8, 0x0B3E, 0x0327};
  int nBad = 0;
  ds_buf in = DS_BUF_INIT, out = DS_BUF_INIT;
  for (int32_t cp = 0x80; cp < 0x110000; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    for (size_t k = 0; k < sizeof aBefore / sizeof *aBefore; k++) {
      ds_buf_reset(&in);
      ds_buf_reset(&out);
      ds_utf8_put(&in, aBefore[k]);
      ds_utf8_put(&in, cp);
      ds_utf8_put(&in, aAfter[k]);
      ds_utf8_nfc((const char *)in.p, in.n, &out);
      ds_buf_putc(&in, 0);
      utf8proc_uint8_t *want = utf8proc_NFC(in.p);
      if (strlen((char *)want) != out.n || memcmp(want, out.p, out.n) != 0) {
        if (nBad++ < 5) fprintf(stderr, "NFC differs for U+%04X after U+%04X\n", cp, aBefore[k]);
      }
      free(want);
    }
  }
  /* random mixtures of inert and active code points */
  static const int32_t aPool[] = {'a', 'e', ' ', 0xE9, 0x0301, 0x0327, 0x1100, 0x1161,
                                  0x11A8, 0xAC00, 0x0B47, 0x0B3E, 0x212B, 0x0439, 0x4E2D,
                                  0x0340, 0x1E0A, 0x0323, 0x00C5, 0x0958};
  unsigned seed = 12345;
  for (int r = 0; r < 20000; r++) {
    ds_buf_reset(&in);
    ds_buf_reset(&out);
    for (int k = 0; k < 12; k++) {
      seed = seed * 1103515245u + 12345u;
      ds_utf8_put(&in, aPool[(seed >> 16) % (sizeof aPool / sizeof *aPool)]);
    }
    ds_utf8_nfc((const char *)in.p, in.n, &out);
    ds_buf_putc(&in, 0);
    utf8proc_uint8_t *want = utf8proc_NFC(in.p);
    if (strlen((char *)want) != out.n || memcmp(want, out.p, out.n) != 0) nBad++;
    free(want);
  }
  check(nBad == 0, "%d NFC differences from utf8proc", nBad);
  ds_buf_free(&in);
  ds_buf_free(&out);
}

static void test_tokenizer(void) {
  CHECK_TOKENS("Don't stop.", "Do|n't|stop|.");
  CHECK_TOKENS("Russia's and Russia\xE2\x80\x99s", "Russia|'s|and|Russia|\xE2\x80\x99s");
  CHECK_TOKENS("They can't, we won't.", "They|ca|n't|,|we|wo|n't|.");
  CHECK_TOKENS("Sino-Russian ties", "Sino|-|Russian|ties");
  CHECK_TOKENS("It grew 31.5% to $1,000.", "It|grew|31.5|%|to|$|1,000|.");
  CHECK_TOKENS("the U.S. and e.g. this", "the|U.S.|and|e.g.|this");
  CHECK_TOKENS("Dr. Li et al. (2019), p. 106", "Dr.|Li|et|al.|(|2019|)|,|p.|106");
  CHECK_TOKENS("See https://example.org/a_b?x=1. Then", "See|https://example.org/a_b?x=1|.|Then");
  CHECK_TOKENS("Mail me at jane.doe@example.com.", "Mail|me|at|jane.doe@example.com|.");
  CHECK_TOKENS("Wait... what?!", "Wait|...|what|?!");
  CHECK_TOKENS("5G and AI", "5G|and|AI");
  CHECK_TOKENS("No. 22/2019", "No.|22/2019");
  CHECK_TOKENS("I cannot", "I|can|not");
  CHECK_TOKENS("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 ok", "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9|ok");
  CHECK_TOKENS("", "");
}

static void test_sentences(void) {
  CHECK_SENTS("Hello world. This is it.", "Hello world. // This is it.");
  CHECK_SENTS("Dr. Li met J. Smith. They talked.", "Dr. Li met J. Smith. // They talked.");
  CHECK_SENTS("He lives in the U.S. The rest is history.", "He lives in the U.S. // The rest is history.");
  CHECK_SENTS("U.S. policy is odd.", "U.S. policy is odd.");
  CHECK_SENTS("He said \"Stop.\" Then he left.", "He said \"Stop.\" // Then he left.");
  CHECK_SENTS("It was 3.5 percent. Next.", "It was 3.5 percent. // Next.");
  CHECK_SENTS("A heading\n\nA paragraph starts here", "A heading // A paragraph starts here");
  CHECK_SENTS("Is it? Yes! Fine.", "Is it? // Yes! // Fine.");
  CHECK_SENTS("see Mail.Ru Group", "see Mail.Ru Group");
}

static const char *zDb = "build/test_core.db";
#include "test_corpus.h"



static void test_store(void) {
  ds_corpus *c;
  ds_error e;
  int64_t id;
  remove_db();
  check(ds_corpus_open(zDb, 0, &c, &e) == DS_IO, "missing corpus without create fails");
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_OK, "create: %s", e.msg);
  const char *zA = "China and Russia. Russia's digital sovereignty grew.\n\nDigital Silk Road.";
  const char *zB = "The digital silk road, said Russia.";
  const char *azKey[] = {"title", "date"}, *azVal[] = {"A", "2023-03"};
  ds_meta meta = {2, azKey, azVal};
  check(ds_corpus_begin(c, &e) == DS_OK, "begin: %s", e.msg);
  check(ds_corpus_add_text(c, zA, strlen(zA), "a", NULL, &meta, &id, &e) == DS_OK && id > 0, "add a");
  check(ds_corpus_add_text(c, zA, strlen(zA), "a2", NULL, NULL, &id, &e) == DS_OK && id == 0,
        "identical bytes are not added twice");
  check(ds_corpus_commit(c, &e) == DS_OK, "commit: %s", e.msg);
  check(ds_corpus_begin(c, &e) == DS_OK, "begin 2");
  check(ds_corpus_add_text(c, zB, strlen(zB), "b", NULL, NULL, &id, &e) == DS_OK && id > 0, "add b");
  check(ds_corpus_add_text(c, "x\xFF", 2, "bad", NULL, NULL, &id, &e) == DS_UTF8, "bad UTF-8 refused");
  check(ds_corpus_commit(c, &e) == DS_OK, "commit 2: %s", e.msg);

  ds_info info;
  check(ds_corpus_info(c, &info, &e) == DS_OK, "info");
  check(info.nDocs == 2 && info.nSegments == 2, "2 docs in 2 segments: %lld %lld",
        (long long)info.nDocs, (long long)info.nSegments);
  check(info.nTokens == 14 + 8, "tokens: %lld", (long long)info.nTokens);
  check(info.nSentences == 4, "sentences: %lld", (long long)info.nSentences);

  check(count_matches(c, "\"Russia\"") == 3, "Russia x3: %ld", count_matches(c, "\"Russia\""));
  check(count_matches(c, "\"digital\" \"silk\"") == 1, "digital silk (exact case)");
  check(count_matches(c, "\"digital\"%c \"silk\"%c \"road\"%c") == 2, "digital silk road %%c");
  check(count_matches(c, "\"Russia's\"") == 1, "phrase with clitic");
  check(count_matches(c, "[word=\"Russia\"] []") == 3, "Russia followed by any token");
  check(count_matches(c, "[norm!=\"russia\"] \"\\.\"") == 2, "negation");
  check(count_matches(c, "\"nowhere\"") == 0, "unknown word: no matches");
  check(count_matches(c, "nowhere") == -1, "a bare word: an error");
  check(count_matches(c, "\"road\" \"The\"") == 0, "no match across documents");

  ds_query *q;
  check(ds_query_compile(c, "\"a\" [word=\"b\"", &q, &e) == DS_QUERY && e.offset == 4 &&
        strstr(e.msg, "position 5"), "error position: %s", e.msg);
  check(ds_query_compile(c, "[tag=\"NOUN\"]", &q, &e) == DS_QUERY, "unknown attribute");

  /* KWIC keeps the original spacing */
  ds_matchset ms = DS_MATCHSET_INIT;
  check(ds_query_compile(c, "\"sovereignty\"", &q, &e) == DS_OK, "compile");
  check(ds_query_run(c, q, &ms, &e) == DS_OK && ms.n == 1, "run");
  ds_buf l = DS_BUF_INIT, m = DS_BUF_INIT, r = DS_BUF_INIT;
  check(ds_corpus_kwic(c, ms.a[0].first, ms.a[0].last, 10, &l, &m, &r, &e) == DS_OK, "kwic");
  check(l.n == 10 && memcmp(l.p, "s digital ", 10) == 0 && m.n == 11 &&
        r.n == 10 && memcmp(r.p, " grew.  Di", 10) == 0, "kwic text: <%.*s|%.*s|%.*s>", (int)l.n, l.p,
        (int)m.n, m.p, (int)r.n, r.p);
  ds_buf_free(&l);
  ds_buf_free(&m);
  ds_buf_free(&r);
  ds_matchset_free(&ms);
  ds_query_free(q);
  ds_corpus_close(c);

  /* reopen: everything is still there; a foreign SQLite file is refused */
  check(ds_corpus_open(zDb, DS_OPEN_READONLY, &c, &e) == DS_OK, "reopen read-only");
  check(ds_corpus_ndocs(c) == 2 && count_matches(c, "\"Russia\"") == 3, "persisted");
  ds_corpus_close(c);
  remove_db();
  FILE *f = fopen(zDb, "wb");
  fputs("this is not a database, just text that is long enough to look like a header..", f);
  fclose(f);
  check(ds_corpus_open(zDb, DS_OPEN_CREATE, &c, &e) == DS_CORRUPT, "text file refused: %s", e.msg);
  remove_db();
}

/*
** Pathological text: every input parses, tokens are in order without overlap and cover
** every non-space byte, and sentences cover every token once. (Time is measured in
** bench/, not asserted; these sizes keep a quadratic slip from going unnoticed.)
*/
static void test_pathological(void) {
  static const struct { const char *zName, *zUnit; size_t n; } a[] = {
    {"letters without a space", "a", 1000000},
    {"combining marks", "a\xCC\x81\xCC\x82\xCC\x83", 200000},
    {"lone combining marks", "\xCC\x81", 300000},
    {"emoji ZWJ sequences", "\xF0\x9F\x91\xA8\xE2\x80\x8D", 200000},
    {"regional indicators", "\xF0\x9F\x87\xB7", 300000},
    {"hyphen runs", "a-", 300000},
    {"spaced dots", ". ", 300000},
    {"dotted letters", "a.", 300000},
    {"digit groups", "1,", 300000},
    {"URL-like", "http://x", 100000},
    {"mixed scripts", "\xD0\xA0\xD0\xBE\xD1\x81 \xE4\xB8\xAD\xE6\x96\x87 abc ", 100000},
    {"apostrophes", "a'", 300000},
    {"list markers", "1. x ", 200000},
    {"abbreviations", "Dr. ", 200000},
    {"one sentence, many tokens", "word ", 300000},
    {"closing quotes", ".\" ", 200000},
  };
  for (size_t k = 0; k < sizeof a / sizeof *a; k++) {
    size_t u = strlen(a[k].zUnit), n = u * a[k].n;
    char *z = malloc(n + 1);
    for (size_t i = 0; i < a[k].n; i++) memcpy(z + i * u, a[k].zUnit, u);
    z[n] = 0;
    ds_doc *d;
    ds_error e;
    int rc = ds_parse_text(z, n, a[k].zName, &d, &e);
    check(rc == DS_OK, "%s: %s", a[k].zName, e.msg);
    if (rc == DS_OK) {
      int ok = 1;
      size_t covered = 0, nonSpace = 0, inSent = 0;
      for (size_t t = 0; t < d->nTok; t++) {
        ok &= d->aTok[t].start < d->aTok[t].end && (t == 0 || d->aTok[t - 1].end <= d->aTok[t].start);
        covered += d->aTok[t].end - d->aTok[t].start;
      }
      for (size_t i = 0; i < d->nText; i++) nonSpace += d->zText[i] != ' ' && d->zText[i] != '\n';
      for (size_t s = 0; s < d->nSent; s++) {
        ok &= d->aSent[s].first < d->aSent[s].last && (s == 0 || d->aSent[s - 1].last == d->aSent[s].first);
        inSent += d->aSent[s].last - d->aSent[s].first;
      }
      check(ok && covered == nonSpace && inSent == d->nTok,
            "%s: tokens or sentences malformed (%zu of %zu bytes, %zu of %zu tokens)",
            a[k].zName, covered, nonSpace, inSent, d->nTok);
      ds_doc_free(d);
    }
    free(z);
  }
}

/* Clean text of z with all rules and the shipped language data. */
static char *cleaned(const ds_langdata *ld, const char *z, ds_cleaned *out) {
  ds_error e;
  ds_cleaned_free(out);
  if (ds_clean(z, strlen(z), DS_CLEAN_ALL, ld, out, &e)) return "ERROR";
  ds_buf_putc(&out->text, 0);
  out->text.n--;
  return (char *)out->text.p;
}

/* Offset maps: runs of one ratio merge and stay exact at character boundaries; composing
   a copy with a conversion keeps the conversion's boundaries. */
static void test_offmap(void) {
  ds_offmap utf16 = DS_OFFMAP_INIT, clean = DS_OFFMAP_INIT, both = DS_OFFMAP_INIT;
  /* "ab–c" from UTF-16 (BOM at 0): a b at 2 4, the dash (3 bytes) at 6, c at 8 */
  ds_offmap_put(&utf16, 0, 1, 2, 2);
  ds_offmap_put(&utf16, 1, 1, 4, 2);
  ds_offmap_put(&utf16, 2, 3, 6, 2);
  ds_offmap_put(&utf16, 5, 1, 8, 2);
  check(utf16.n == 3, "offmap merges runs of one ratio: %zu segments", utf16.n);
  check(ds_offmap_start(&utf16, 1) == 4 && ds_offmap_end(&utf16, 2) == 6 &&
        ds_offmap_start(&utf16, 2) == 6 && ds_offmap_end(&utf16, 5) == 8 &&
        ds_offmap_end(&utf16, 6) == 10, "offmap: %zu %zu", ds_offmap_start(&utf16, 1),
        ds_offmap_end(&utf16, 5));
  /* the clean-up keeps "b–c" (drops "a"), then adds an unmapped "\n" */
  ds_offmap_put(&clean, 0, 5, 1, 5);
  ds_offmap_put(&clean, 5, 1, 6, 0);
  check(ds_offmap_compose(&clean, &utf16, &both) == DS_OK && ds_offmap_start(&both, 0) == 4 &&
        ds_offmap_start(&both, 1) == 6 && ds_offmap_end(&both, 4) == 8 &&
        ds_offmap_end(&both, 5) == 10 && ds_offmap_start(&both, 5) == 10 &&
        ds_offmap_end(&both, 6) == 10, "offmap compose: %zu %zu %zu", ds_offmap_start(&both, 1),
        ds_offmap_end(&both, 4), ds_offmap_end(&both, 6));
  ds_offmap_free(&utf16);
  ds_offmap_free(&clean);
  ds_offmap_free(&both);
}

/* Is m's map of text [a, e) the input range [from, to)? */
static int maps_to(const ds_offmap *m, size_t a, size_t e, size_t from, size_t to) {
  return ds_offmap_start(m, a) == from && ds_offmap_end(m, e) == to;
}

/* A map covers its text end to end, in order (what ds_doc.h promises of aMap). */
static int end_to_end(const ds_offmap *m, size_t nText) {
  size_t at = 0;
  for (size_t k = 0; k < m->n; k++) {
    if (m->a[k].out != at || m->a[k].nOut == 0) return 0;
    at += m->a[k].nOut;
  }
  return at == nText;
}

/* Slicing maps; the markup readers' maps: references to the whole of them, text across
   tags, inserted separators to nothing, front matter skipped by offset. */
static void test_markup_map(void) {
  ds_offmap m = DS_OFFMAP_INIT, r = DS_OFFMAP_INIT, none = DS_OFFMAP_INIT;
  ds_offmap_put(&m, 0, 3, 10, 3);          /* "abc" copied from 10 */
  ds_offmap_put(&m, 3, 1, 20, 5);          /* "&" from "&amp;" at 20 */
  check(ds_offmap_slice(&m, 1, 4, 7, &r) == DS_OK && r.n == 2 && r.a[0].out == 7 &&
        r.a[0].nOut == 2 && r.a[0].in == 11 && r.a[1].in == 20 && r.a[1].nIn == 5,
        "offmap slice: %zu segments", r.n);
  check(ds_offmap_slice(&m, 4, 6, 10, &r) == DS_OK && r.n == 3 && r.a[2].out == 10 &&
        r.a[2].nOut == 2 && r.a[2].in == 25 && r.a[2].nIn == 0, "offmap slice past the map");
  check(ds_offmap_slice(&none, 0, 1, 12, &r) == DS_OK && r.n == 3 && r.a[2].nOut == 3,
        "offmap slice of nothing merges with the inserted text before it");
  ds_offmap_free(&m);
  ds_offmap_free(&r);

  ds_markup mk = DS_MARKUP_INIT;
  ds_error e;
  static const char zHtml[] = "<p>a&amp;b <b>c</b>d</p>\n<p>e<br>f&#3111111111;g</p>";
  int rc = ds_html_read(zHtml, sizeof zHtml - 1, NULL, &mk, &e);
  check(rc == DS_OK && mk.text.n == 15 && memcmp(mk.text.p, "a&b cd\n\ne\nf\xEF\xBF\xBDg", 15) == 0,
        "HTML text: %d %.*s", rc, (int)mk.text.n, (const char *)mk.text.p);
  check(end_to_end(&mk.map, mk.text.n), "HTML map end to end");
  check(maps_to(&mk.map, 0, 1, 3, 4) && maps_to(&mk.map, 1, 2, 4, 9) && maps_to(&mk.map, 2, 3, 9, 10) &&
        maps_to(&mk.map, 4, 6, 14, 20) && maps_to(&mk.map, 8, 9, 28, 29),   /* cd across </b> */
        "HTML map: %zu %zu", ds_offmap_start(&mk.map, 1), ds_offmap_end(&mk.map, 2));
  check(ds_offmap_start(&mk.map, 6) == ds_offmap_end(&mk.map, 8) &&   /* the blank line */
        ds_offmap_start(&mk.map, 9) == ds_offmap_end(&mk.map, 10),   /* the <br> */
        "inserted text maps to nothing: %zu %zu", ds_offmap_start(&mk.map, 6), ds_offmap_end(&mk.map, 8));
  /* the over-long reference gumbo never saw maps to the whole of it in the input */
  check(maps_to(&mk.map, 10, 11, 33, 34) && maps_to(&mk.map, 11, 14, 34, 47) && maps_to(&mk.map, 14, 15, 47, 48),
        "HTML map of a rewritten reference: %zu %zu", ds_offmap_start(&mk.map, 11), ds_offmap_end(&mk.map, 14));
  ds_markup_free(&mk);

  static const char zMd[] = "---\nk: v\n---\n*a* \\* `c`\n  &amp;d\n";
  rc = ds_markdown_read(zMd, sizeof zMd - 1, NULL, &mk, &e);
  check(rc == DS_OK && mk.text.n == 8 && memcmp(mk.text.p, "a * c &d", 8) == 0,
        "Markdown text: %d %.*s", rc, (int)mk.text.n, (const char *)mk.text.p);
  check(end_to_end(&mk.map, mk.text.n), "Markdown map end to end");
  check(maps_to(&mk.map, 0, 1, 14, 15) && maps_to(&mk.map, 2, 3, 17, 19) && maps_to(&mk.map, 4, 5, 21, 22) &&
        maps_to(&mk.map, 6, 7, 26, 31) && maps_to(&mk.map, 7, 8, 31, 32),
        "Markdown map: %zu %zu %zu", ds_offmap_start(&mk.map, 0), ds_offmap_start(&mk.map, 6),
        ds_offmap_end(&mk.map, 7));
  ds_markup_free(&mk);
}

/* Hostile HTML: nesting past the limit is refused with the tag's offset, in linear time;
   deep but legal nesting (900), many unclosed paragraphs and a huge attribute are read. */
static void test_hostile_html(void) {
  ds_buf b = DS_BUF_INIT;
  ds_markup m = DS_MARKUP_INIT;
  ds_error e;
  static const char *const azTag[] = {"div", "b"};
  for (int t = 0; t < 2; t++) {
    ds_buf_reset(&b);
    ds_buf_puts(&b, "<html><body>");
    for (int k = 0; k < 1000000; k++) ds_buf_printf(&b, "<%s>", azTag[t]);
    ds_buf_puts(&b, "x");
    int rc = ds_html_read((const char *)b.p, b.n, NULL, &m, &e);
    check(rc == DS_LIMIT && e.offset > 1000 && strstr(e.msg, "nested more than") != NULL,
          "10^6 nested <%s>: %d %s", azTag[t], rc, e.msg);
    ds_markup_free(&m);
  }
  ds_buf_reset(&b);
  for (int r = 0; r < 20; r++) {
    for (int k = 0; k < 450; k++) ds_buf_puts(&b, "<div><span>");
    ds_buf_puts(&b, "Deep text.");
    for (int k = 0; k < 450; k++) ds_buf_puts(&b, "</span></div>");
  }
  int rc = ds_html_read((const char *)b.p, b.n, NULL, &m, &e);
  check(rc == DS_OK && m.text.n >= 10 && memcmp(m.text.p, "Deep text.", 10) == 0,
        "900 deep, closed: %d %s", rc, rc ? e.msg : "");
  ds_markup_free(&m);
  ds_buf_reset(&b);
  for (int k = 0; k < 5000; k++) ds_buf_printf(&b, "<p>Paragraph %d<li>item", k);
  rc = ds_html_read((const char *)b.p, b.n, NULL, &m, &e);
  check(rc == DS_OK && m.text.n > 5000 * 20, "5000 unclosed <p> and <li>: %d %s", rc, rc ? e.msg : "");
  ds_markup_free(&m);
  ds_buf_reset(&b);
  ds_buf_puts(&b, "<p title=\"");
  for (int k = 0; k < 1000000; k++) ds_buf_puts(&b, "aaaaaaaaa>");
  ds_buf_puts(&b, "\">After the attribute.</p><script>if (a < b) { x = '<div>'; }</script>");
  rc = ds_html_read((const char *)b.p, b.n, NULL, &m, &e);
  check(rc == DS_OK && m.text.n == 20 && memcmp(m.text.p, "After the attribute.", 20) == 0,
        "10 MB attribute: %d %.*s", rc, (int)(m.text.n > 40 ? 40 : m.text.n), (const char *)m.text.p);
  ds_markup_free(&m);
  ds_buf_free(&b);
}

static void test_clean(void) {
  ds_langdata *ld;
  ds_error e;
  ds_cleaned c = DS_CLEANED_INIT;
  check(ds_langdata_load("corpus/lexicon", &ld, &e) == DS_OK, "load language data: %s", e.msg);
  if (!ld) return;
  check(ds_langdata_is_word(ld, "Countries", 9) && ds_langdata_is_word(ld, "gathered", 8) &&
        !ds_langdata_is_word(ld, "zorblax", 7), "word list with inflections");
  check(strcmp(cleaned(ld, "the gath-\nering of data and dual-\nuse goods\n", &c),
               "the gathering of data and dual-use goods") == 0, "hyphens: %s", c.text.p);
  check(c.nChange == 2 && c.aChange[0].line == 1 && c.aChange[0].rule == DS_CLEAN_HYPHENS,
        "two hyphen changes on line 1");
  /* the map points clean offsets back to the input */
  check(ds_offmap_start(&c.map, 4) == 4 && ds_offmap_start(&c.map, 8) == 10 &&
        ds_offmap_end(&c.map, 8) == 8 && ds_offmap_end(&c.map, 9) == 11, "map: %zu %zu",
        ds_offmap_start(&c.map, 4), ds_offmap_start(&c.map, 8));
  /* a page break is judged only where the text shows pages: here its page number */
  check(strcmp(cleaned(ld, "In 2016 the app was launched in the city of Rongcheng, which\n\n7\n\n\n"
                           "used the score.\n", &c),
               "In 2016 the app was launched in the city of Rongcheng, which\nused the score.") == 0,
        "page break inside a paragraph: %s", c.text.p);
  check(strcmp(cleaned(ld, "In 2016 the app was launched in the city of Rongcheng, which\n\f"
                           "used the score.\n", &c),                  /* pdftotext's form */
               "In 2016 the app was launched in the city of Rongcheng, which\nused the score.") == 0,
        "a form feed is a page break: %s", c.text.p);
  /* a web page saved as text has blank lines, not pages: its headline stays apart */
  check(strcmp(cleaned(ld, "Beijing and Moscow see no way to prevent this\n\n\n"
                           "Despite efforts, the deal went on.\n", &c),
               "Beijing and Moscow see no way to prevent this\n\nDespite efforts, the deal went on.") == 0,
        "a headline is not joined across blank lines: %s", c.text.p);
  check(strcmp(cleaned(ld, "Policy report\n\n\nSend it\n", &c), "Policy report\n\nSend it") == 0,
        "short lines and blank lines stay apart: %s", c.text.p);
  check(strcmp(cleaned(ld, "They said so (Nye, 2014).2 China agreed with the whole plan, and it\n\n"
                           "2ICANN lets others in.\n31\n\n\nwent on.\n", &c),
               "They said so (Nye, 2014). China agreed with the whole plan, and it\nwent on.\n"
               "\n2 ICANN lets others in.\n") == 0, "footnote and marker: %s", c.text.p);
  check(strcmp(cleaned(ld, "End of a page.\n\n12\n\n\nNext page.\n", &c),
               "End of a page.\n\nNext page.") == 0, "page number: %s", c.text.p);
  check(strcmp(cleaned(ld, "Leave a Reply\n\nText stays.\n", &c), "Text stays.") == 0,
        "boilerplate: %s", c.text.p);
  const char *zHead = "Body one.\n\n\nA Running Head\nBody two.\n\n\nA Running Head\n"
                      "Body three.\n\n\nA Running Head\nBody four.\n";
  check(strstr(cleaned(ld, zHead, &c), "Running") == NULL, "running head: %s", c.text.p);
  ds_cleaned_free(&c);
  ds_langdata_free(ld);
  check(ds_langdata_load("no/such/dir", &ld, &e) == DS_IO && strstr(e.msg, "no/such/dir/en-words.txt"),
        "missing data names the file: %s", e.msg);
}

/* A library loaded at its first use: found and its symbols resolved, or the reason it
   was not, each once; and ds_hash64, which the bytecode cache trusts to see damage. */
static void test_dynlib(void) {
  __typeof__(&cos) xCos = NULL;
  static const char *const azFile[] = {"", "libdossier-no-such.so.0", "libm.so.6", NULL};
  static const char *const azSym[] = {"cos", NULL};
  void **const apSlot[] = {(void **)&xCos};
  ds_dynlib m = {azFile, azSym, apSlot, 0, ""};
  check(ds_dynlib_load(&m) == DS_OK && xCos && xCos(0.0) == 1.0, "libm loaded after a name that is not there: %s", m.zErr);
  check(ds_dynlib_load(&m) == DS_OK, "loaded once, then known");
  static const char *const azNone[] = {"libdossier-no-such.so.0", NULL};
  ds_dynlib none = {azNone, azSym, apSlot, 0, ""};
  check(ds_dynlib_load(&none) == DS_IO && strstr(none.zErr, "libdossier-no-such.so.0"), "why: %s", none.zErr);
  check(ds_dynlib_load(&none) == DS_IO, "a failure is kept, not tried again");
  static const char *const azBadSym[] = {"cos", "ds_no_such_symbol", NULL};
  void *pOther = NULL;
  void **const apTwo[] = {(void **)&xCos, &pOther};
  ds_dynlib bad = {azFile, azBadSym, apTwo, 0, ""};
  check(ds_dynlib_load(&bad) == DS_IO && strstr(bad.zErr, "no ds_no_such_symbol in libm.so.6"), "why: %s", bad.zErr);
  char zHex[DS_SHA256_HEX + 1];
  ds_error e;
  check(ds_sha256_hex("abc", 3, zHex, &e) == DS_OK &&
        strcmp(zHex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "SHA-256 of abc: %s", zHex);
  /* every one-byte change of a 100-byte text changes the hash (within one 8-byte word
     each step is a bijection), and so do lengths 0..16 of the same bytes */
  char z[100];
  for (int i = 0; i < 100; i++) z[i] = (char)(i * 7);
  uint64_t h = ds_hash64(z, sizeof z);
  int nSame = 0;
  for (int i = 0; i < 100; i++)
    for (int bit = 0; bit < 8; bit++) {
      z[i] ^= (char)(1 << bit);
      nSame += ds_hash64(z, sizeof z) == h;
      z[i] ^= (char)(1 << bit);
    }
  for (size_t n = 0; n < 16; n++) nSame += ds_hash64(z, n) == ds_hash64(z, n + 1);
  check(nSame == 0, "%d changes not seen by ds_hash64", nSame);
}

static void test_sitelines(void) {
  ds_sitelines *s = ds_sitelines_new();
  check(s != NULL, "new site lines");
  if (!s) return;
  /* case and white space do not count; a line twice in one document counts once */
  const char *azDoc[] = {
    "Home\nNews\n\nFirst story text.\n\nShare this story\n",
    "  HOME \n News\n\nSecond story.\nHome\n\nShare   this story\n",
    "Home\r\nNews\r\n\r\nThird story.\r\n\r\nShare this story\r\n42\n",
    "Home\nSport\n\nFourth story.\n",
  };
  for (int k = 0; k < 4; k++) ds_sitelines_add(s, azDoc[k], strlen(azDoc[k]));
  check(ds_sitelines_count(s, "Home", 4) == 0, "nothing kept before finish");
  ds_sitelines_finish(s, 3, 0.5);
  check(ds_sitelines_ndocs(s) == 4, "documents counted");
  check(ds_sitelines_count(s, "home", 4) == 4, "Home in 4: %zu", ds_sitelines_count(s, "home", 4));
  check(ds_sitelines_count(s, "News", 4) == 3, "News in 3");
  check(ds_sitelines_count(s, " share this  story", 18) == 3, "Share this story in 3");
  check(ds_sitelines_count(s, "Sport", 5) == 0 && ds_sitelines_count(s, "42", 2) == 0,
        "a line of one document, a line without letters: not kept");
  ds_sitelines_free(s);

  /* a file larger than both peeks: its first and last lines count, its middle not */
  s = ds_sitelines_new();
  char zPath[] = "/tmp/dossier-sitelines-XXXXXX";
  int fd = mkstemp(zPath);
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  check(f != NULL, "temporary file");
  if (!f || !s) {
    ds_sitelines_free(s);
    return;
  }
  fputs("Top menu\n", f);
  for (int k = 0; k < 20000; k++) fprintf(f, "Body line %d of the long report.\n", k);
  fputs("Bottom banner\n", f);
  fclose(f);
  ds_error e;
  int rc = DS_OK;
  for (int k = 0; k < 3 && rc == DS_OK; k++) rc = ds_sitelines_add_file(s, zPath, &e);
  check(rc == DS_OK, "read the file: %s", rc ? e.msg : "");
  ds_sitelines_finish(s, 3, 0.5);
  check(ds_sitelines_count(s, "Top menu", 8) == 3 && ds_sitelines_count(s, "Bottom banner", 13) == 3,
        "first and last lines of a large file");
  check(ds_sitelines_count(s, "Body line 10000 of the long report.", 35) == 0, "its middle is not read");
  remove(zPath);
  check(ds_sitelines_add_file(s, zPath, &e) == DS_IO && strstr(e.msg, zPath), "a missing file: %s", e.msg);
  ds_sitelines_free(s);

  /* the rule drops repeated lines among furniture or at the edges, not a shared heading */
  ds_langdata *ld;
  s = ds_sitelines_new();
  const char *zPage = "Home\nNews\n\nThe story begins here.\n\nIntroduction\n\nThe story goes on, "
                      "and on, for longer than a line of furniture ever does in a page.\n\n"
                      "Share this story\n(c) Example Media\n";
  for (int k = 0; k < 3; k++) {
    char zOther[200];
    snprintf(zOther, sizeof zOther, "Home\nNews\n\nStory %d.\n\nIntroduction\n\nMore of %d.\n\n"
             "Share this story\n(c) Example Media\n", k, k);
    ds_sitelines_add(s, k ? zOther : zPage, strlen(k ? zOther : zPage));
  }
  ds_sitelines_finish(s, 3, 0.5);
  if (ds_langdata_load("corpus/lexicon", &ld, &e) == DS_OK) {
    ds_cleaned c = DS_CLEANED_INIT;
    check(ds_clean_with(zPage, strlen(zPage), DS_CLEAN_ALL, ld, s, &c, &e) == DS_OK, "clean");
    const char *zWant = "The story begins here.\n\nIntroduction\n\nThe story goes on, and on, for "
                        "longer than a line of furniture ever does in a page.";
    check(c.text.n == strlen(zWant) && memcmp(c.text.p, zWant, c.text.n) == 0, "repeated: %.*s",
          (int)c.text.n, (const char *)c.text.p);
    ds_cleaned_free(&c);
    check(ds_clean_with(zPage, strlen(zPage), DS_CLEAN_ALL & ~DS_CLEAN_REPEATED, ld, s, &c, &e) == DS_OK &&
          c.text.n > 17 && memcmp(c.text.p + c.text.n - 17, "(c) Example Media", 17) == 0,
          "rule off: %.*s", (int)c.text.n, (const char *)c.text.p);
    ds_cleaned_free(&c);
    ds_langdata_free(ld);
  }
  ds_sitelines_free(s);
}

static void test_dates(void) {
  static const char *const a[][2] = {
    {"2015-12-07", "2015-12-07"}, {"2019-10", "2019-10"}, {"2022", "2022"},
    {"2023-03-22T10:00:00Z", "2023-03-22T10:00:00Z"}, {"2015/12/07", "2015-12-07"},
    {"7.12.2015", "2015-12-07"}, {"December 7, 2015", "2015-12-07"}, {"Dec. 7, 2015", "2015-12-07"},
    {"7 December 2015", "2015-12-07"}, {"March 2023", "2023-03"}, {"Sept 1, 2019", "2019-09-01"},
    {"Mon, 07 Dec 2015 10:00:00 GMT", "2015-12-07"}, {" 2021 ", "2021"},
    {"2015-02-30", NULL}, {"yesterday", NULL}, {"12/07", NULL}, {"", NULL},
  };
  for (size_t k = 0; k < sizeof a / sizeof *a; k++) {
    char z[32] = "";
    int ok = ds_date_iso(a[k][0], strlen(a[k][0]), z);
    check(a[k][1] ? ok && strcmp(z, a[k][1]) == 0 : !ok, "date <%s>: got <%s>", a[k][0], ok ? z : "none");
  }
}

/* Every allocation failing in turn must give DS_NOMEM, never a crash or a leak. */
static int nFail = -1;
static void *fail_malloc(size_t n) { return nFail-- == 0 ? NULL : malloc(n); }
static void *fail_realloc(void *p, size_t n) { return nFail-- == 0 ? NULL : realloc(p, n); }

static void test_nomem(void) {
  const char *z = "Russia's 5G cooperation with China, e.g. Huawei. It grew!";
  int nOk = 0;
  for (int k = 0; k < 200; k++) {
    ds_doc *d;
    ds_error e;
    nFail = k;
    ds_set_allocator(fail_malloc, fail_realloc, NULL);
    int rc = ds_parse_text(z, strlen(z), "t", &d, &e);
    ds_set_allocator(NULL, NULL, NULL);
    if (rc == DS_OK) {
      nOk++;
      ds_doc_free(d);
    } else {
      check(rc == DS_NOMEM, "allocation %d failing gives DS_NOMEM, got %d", k, rc);
    }
  }
  check(nOk > 0, "parsing succeeds once allocations stop failing");
}

static void test_conllu(void) {
  ds_doc *d;
  ds_error e;
  ds_buf b = DS_BUF_INIT;
  const char *z = "Hi there. Don't go.";
  check(ds_parse_text(z, strlen(z), "t", &d, &e) == DS_OK, "parse");
  ds_conllu_write(d, "doc1", NULL, &b);
  ds_buf_putc(&b, 0);
  const char *want =
    "# newdoc id = doc1\n# newpar\n# sent_id = doc1-1\n# text = Hi there.\n"
    "1\tHi\t_\t_\t_\t_\t_\t_\t_\t_\n2\tthere\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
    "3\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n"
    "# sent_id = doc1-2\n# text = Don't go.\n"
    "1\tDo\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n2\tn't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "3\tgo\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n4\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n";
  check(strcmp((char *)b.p, want) == 0, "CoNLL-U:\n%s", (char *)b.p);
  ds_buf_free(&b);
  ds_doc_free(d);
}

/* The read-only string map: keys of any bytes, first value kept, growth, misses. */
static void test_strmap(void) {
  ds_strmap m = DS_STRMAP_INIT;
  uint32_t v = 7;
  check(!ds_strmap_has(&m, "a", 1) && !ds_strmap_get(&m, "", 0, &v) && v == 7, "empty map");
  char z[32];
  for (uint32_t i = 0; i < 5000; i++) {
    int n = snprintf(z, sizeof z, "key%u", i);
    check(ds_strmap_put(&m, z, (size_t)n, i) == DS_OK, "put %s", z);
  }
  check(ds_strmap_put(&m, "key17", 5, 99) == DS_OK && ds_strmap_count(&m) == 5000, "a key twice: one entry");
  check(ds_strmap_get(&m, "key17", 5, &v) && v == 17, "the first value stays: %u", v);
  check(ds_strmap_put(&m, "", 0, 1) == DS_OK && ds_strmap_put(&m, "a\0b", 3, 2) == DS_OK, "odd keys");
  check(ds_strmap_get(&m, "", 0, &v) && v == 1 && ds_strmap_get(&m, "a\0b", 3, &v) && v == 2, "found");
  check(!ds_strmap_has(&m, "a", 1) && !ds_strmap_has(&m, "key5000", 7) && !ds_strmap_has(&m, "key1", 3),
        "misses (a prefix is not a key)");
  int bad = 0;
  for (uint32_t i = 0; i < 5000; i++) {
    int n = snprintf(z, sizeof z, "key%u", i);
    bad += !ds_strmap_get(&m, z, (size_t)n, &v) || v != i;
  }
  check(bad == 0, "%d keys lost after growing", bad);
  /* many at once: hits, misses and odd keys in any order, and lists shorter than a stage */
  static char azBuf[6000][16];
  static const char *az[6000];
  static size_t an[6000];
  static uint32_t av[6000];
  for (uint32_t i = 0; i < 6000; i++) {
    uint32_t k = (i * 2654435761u) % 6000;      /* every key once, shuffled; 5000.. miss */
    an[i] = (size_t)snprintf(azBuf[i], sizeof azBuf[i], "key%u", k);
    az[i] = azBuf[i];
  }
  az[10] = "a\0b", an[10] = 3;
  az[11] = "", an[11] = 0;
  az[12] = "key1", an[12] = 3;
  for (size_t nMany = 0; nMany <= 6000; nMany = nMany < 20 ? nMany + 1 : nMany * 3) {
    ds_strmap_get_many(&m, az, an, nMany, av, 0xFFFFFFFFu);
    bad = 0;
    for (size_t i = 0; i < nMany; i++) {
      uint32_t want = 0xFFFFFFFFu;
      if (!ds_strmap_get(&m, az[i], an[i], &want)) want = 0xFFFFFFFFu;
      bad += av[i] != want;
    }
    check(bad == 0, "get_many of %zu keys: %d differ from get", nMany, bad);
  }
  check(av[10] == 2 && av[11] == 1 && av[12] == 0xFFFFFFFFu, "get_many: odd keys and a prefix");
  ds_strmap_free(&m);
  ds_strmap_get_many(&m, az, an, 3, av, 5);
  check(av[0] == 5 && av[2] == 5, "get_many on an empty map: misses");
  check(!ds_strmap_has(&m, "key1", 4) && ds_strmap_count(&m) == 0, "freed: empty");
}

/* Sizes near SIZE_MAX are refused as out of memory: no endless doubling, no wrapped sum. */
static void test_buf_overflow(void) {
  ds_buf b = DS_BUF_INIT;
  ds_buf_puts(&b, "abc");
  check(ds_buf_reserve(&b, (size_t)1 << 63) == DS_NOMEM, "2^63 bytes: DS_NOMEM");
  ds_buf_free(&b);
  ds_buf_puts(&b, "abc");
  check(ds_buf_reserve(&b, SIZE_MAX - 1) == DS_NOMEM && b.n == 3, "a sum that wraps: DS_NOMEM");
  ds_buf_free(&b);
  check(ds_buf_reserve(&b, 100) == DS_OK && b.cap >= 100, "an ordinary size still works");
  ds_buf_free(&b);
}

/* An allocator for test_size_overflow: it records each request and refuses those of 1 MB or more. */
static size_t nLastAsk, nAsks;
static void *asking_malloc(size_t n) { nLastAsk = n; nAsks++; return n >= ((size_t)1 << 20) ? NULL : malloc(n); }
static void *asking_realloc(void *p, size_t n) { nLastAsk = n; nAsks++; return n >= ((size_t)1 << 20) ? NULL : realloc(p, n); }

/* Sizes added and multiplied at the edge of size_t: DS_NOMEM or NULL, never a wrapped size. */
static void test_size_overflow(void) {
  size_t n = 7;
  check(ds_size_add(SIZE_MAX - 1, 1, &n) == DS_OK && n == SIZE_MAX, "SIZE_MAX - 1 + 1 fits");
  n = 7;
  check(ds_size_add(SIZE_MAX, 1, &n) == DS_NOMEM && n == 7, "SIZE_MAX + 1 wraps: DS_NOMEM, n untouched");
  check(ds_size_mul(SIZE_MAX / 8, 8, &n) == DS_OK && n == SIZE_MAX / 8 * 8, "SIZE_MAX / 8 * 8 fits");
  n = 7;
  check(ds_size_mul(SIZE_MAX / 8 + 1, 8, &n) == DS_NOMEM && n == 7, "(SIZE_MAX / 8 + 1) * 8 wraps");
  check(ds_size_mul(SIZE_MAX, 0, &n) == DS_OK && n == 0, "times 0 is 0");
  ds_set_allocator(asking_malloc, asking_realloc, NULL);
  nAsks = 0;
  /* 2^61 + 1 elements of 8 bytes is 2^64 + 8 bytes: 8 when wrapped, which malloc would give */
  check(ds_malloc_n(((size_t)1 << 61) + 1, 8) == NULL && nAsks == 0, "a wrapping array: NULL, nothing asked");
  check(ds_realloc_n(NULL, ((size_t)1 << 61) + 1, 8) == NULL && nAsks == 0, "the same through realloc");
  void *p = ds_malloc_n(3, 4);
  check(p && nLastAsk == 12, "3 x 4 bytes asked: %zu", nLastAsk);
  ds_free(p);
  /* growth: doubling 2^60 elements of 16 bytes would wrap to 0 bytes */
  void *a = NULL;
  size_t nAlloc = (size_t)1 << 60;
  nAsks = 0;
  check(ds_grow(&a, &nAlloc, nAlloc + 1, 16, 64) == DS_NOMEM && nAlloc == (size_t)1 << 60 && !a && nAsks == 0,
        "doubling that wraps the bytes: DS_NOMEM, unchanged, nothing asked (%zu asks)", nAsks);
  /* bytes: 2^63 + 2 doubled wraps to 4; the request is for what is needed instead */
  nAlloc = ((size_t)1 << 63) + 2;
  check(ds_grow(&a, &nAlloc, nAlloc + 1, 1, 64) == DS_NOMEM && nLastAsk == ((size_t)1 << 63) + 3,
        "a count past SIZE_MAX / 2 grows to the need (asked %zu)", nLastAsk);
  /* the largest need ends the doubling loop (2^63 doubled would be 0) */
  nAlloc = 0;
  check(ds_grow(&a, &nAlloc, SIZE_MAX, 1, 16) == DS_NOMEM && nLastAsk == SIZE_MAX && nAlloc == 0,
        "need SIZE_MAX: asked once for it, refused");
  /* ordinary growth: 16, 32, 64, 128 */
  check(ds_grow(&a, &nAlloc, 100, 4, 16) == DS_OK && a && nAlloc == 128 && nLastAsk == 512, "100 -> 128 x 4 bytes");
  check(ds_grow(&a, &nAlloc, 128, 4, 16) == DS_OK && nAlloc == 128, "room enough: unchanged");
  /* a doubling refused for its size, the need alone granted */
  size_t nBig = ((size_t)1 << 19) + 1;
  check(ds_grow(&a, &nAlloc, nBig, 1, 16) == DS_OK && nAlloc == nBig && nLastAsk == nBig,
        "2^20 refused, 2^19 + 1 granted: %zu", nAlloc);
  ds_free(a);
  ds_set_allocator(NULL, NULL, NULL);
}

/*
** An input past DS_MAX_DOC_BYTES given whole to the C API: refused by its size at once,
** never read (its offsets would not fit the 32-bit maps). The bytes are a read-only
** mapping of /dev/zero, which costs no memory.
*/
static void test_doc_limit(void) {
  size_t n = (size_t)DS_MAX_DOC_BYTES + 1;
  int fd = open("/dev/zero", O_RDONLY);
  void *p = fd < 0 ? MAP_FAILED : mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
  if (fd >= 0) close(fd);
  if (p == MAP_FAILED) { printf("test_doc_limit skipped: cannot map %zu bytes of /dev/zero\n", n); return; }
  for (int fmt = DS_FMT_TEXT; fmt <= DS_FMT_MARKDOWN; fmt++) {
    ds_doc *d = NULL;
    ds_error e = {0};
    ds_read_opts o = {.zName = "big", .format = fmt};
    int rc = ds_parse_and_tag(p, n, &o, &d, &e);
    check(rc == DS_FORMAT && !d && strcmp(e.msg, "big: larger than the 4294967280-byte document limit") == 0,
          "format %d: %d %s", fmt, rc, e.msg);
  }
  munmap(p, n);
}

/* Recognizers' spans on a document: values in the kind's order, sorting, removal. */
static void test_doc_spans(void) {
  ds_doc *d = NULL;
  ds_error e = {0};
  const char *z = "Huawei signed a $2bn deal with MTS on 20 October 2020.";
  check(ds_parse_text(z, strlen(z), NULL, &d, &e) == DS_OK && d->nTok == 13, "parsed: %zu tokens", d ? d->nTok : 0);
  if (!d) return;
  const char *azEnt[] = {"ORG", "Q160120", "Huawei", "CN", "lexicon"};
  const char *azDate[] = {"2020-10-20", "day"};
  check(ds_doc_add_span(d, DS_SPAN_DATE, 9, 12, azDate) == DS_OK, "date added");
  check(ds_doc_add_span(d, DS_SPAN_ENT, 0, 1, azEnt) == DS_OK, "ent added");
  check(ds_doc_add_span(d, DS_SPAN_MONEY, 3, 5, NULL) == DS_OK, "NULL values: all empty");
  check(ds_doc_add_span(d, DS_SPAN_ENT, 3, 3, azEnt) == DS_MISUSE, "empty range refused");
  check(ds_doc_add_span(d, DS_SPAN_ENT, 12, 14, azEnt) == DS_MISUSE, "range past the end refused");
  check(ds_doc_add_span(d, DS_NSPANKIND, 0, 1, azEnt) == DS_MISUSE, "unknown kind refused");
  ds_doc_sort_spans(d);
  check(d->nSpan == 3 && d->aSpan[0].kind == DS_SPAN_ENT && d->aSpan[1].kind == DS_SPAN_MONEY &&
        d->aSpan[2].kind == DS_SPAN_DATE, "sorted by first token");
  check(strcmp(ds_docspan_value(d, &d->aSpan[0], 2), "Huawei") == 0 &&
        strcmp(ds_docspan_value(d, &d->aSpan[0], 4), "lexicon") == 0 &&
        strcmp(ds_docspan_value(d, &d->aSpan[0], 5), "") == 0, "ent values by position");
  check(strcmp(ds_docspan_value(d, &d->aSpan[1], 1), "") == 0, "money's missing value is empty");
  check(strcmp(ds_docspan_value(d, &d->aSpan[2], 0), "2020-10-20") == 0, "date value");
  ds_doc_remove_span(d, 1);
  check(d->nSpan == 2 && d->aSpan[1].kind == DS_SPAN_DATE, "removed the middle span");
  check(ds_spankind_find("quote") == DS_SPAN_QUOTE && ds_spankind_find("s") == -1, "kinds by name");
  check(strcmp(ds_spankind_get(DS_SPAN_CITE)->azAttr[0], "authors") == 0, "cite's first attribute");
  ds_doc_free(d);
}

int main(int argc, char **argv) {
  (void)argc;
  test_doc_spans();
  test_buf_overflow();
  test_size_overflow();
  test_doc_limit();
  test_strmap();
  test_utf8();
  test_nfc_exhaustive();
  test_tokenizer();
  test_sentences();
  test_pathological();
  test_offmap();
  test_markup_map();
  test_hostile_html();
  test_clean();
  test_sitelines();
  test_dynlib();
  test_dates();
  test_store();
  test_nomem();
  test_conllu();
  return tests_report(argv[0]);
}
