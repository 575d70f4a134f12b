/*
** test_recognize.c -- the recognizers (ds_recognize.h) on sentences written for the
** purpose and on the sample corpus (corpus/seeds). Every expected value is what the
** text says, worked out by hand. Usage: test_recognize [DATA_DIR] (unused); run from
** the project root.
*/
#include "ds.h"
#include "ds_parse.h"
#include "ds_reader.h"
#include "ds_recognize.h"
#include "tests.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ====== Helpers ====== */

/* Append span s as `surface => v1 | v2`, the surface with each white-space run one space. */
static void put_span(const ds_doc *d, const ds_docspan *s, ds_buf *out) {
  const ds_spankind *k = ds_spankind_get((int)s->kind);
  uint32_t a = d->aTok[s->first].start, b = d->aTok[s->last - 1].end;
  int bSpace = 0;
  for (uint32_t i = a; i < b; i++) {
    char c = d->zText[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      bSpace = 1;
      continue;
    }
    if (bSpace) ds_buf_putc(out, ' ');
    bSpace = 0;
    ds_buf_putc(out, c);
  }
  ds_buf_puts(out, " =>");
  for (int j = 0; j < k->nAttr; j++) {
    ds_buf_puts(out, j ? " | " : " ");
    ds_buf_puts(out, ds_docspan_value(d, s, j));
  }
}

/* Parse text, with metadata `key\0value\0` pairs when zMeta is set (nMeta bytes). */
static ds_doc *parse(const char *text, const char *zMeta, size_t nMeta) {
  ds_doc *d;
  ds_error e;
  if (ds_parse_text(text, strlen(text), "t", &d, &e)) {
    check(0, "parse failed: %s", e.msg);
    return NULL;
  }
  if (zMeta) {
    ds_buf_append(&d->meta, zMeta, nMeta);
    d->nMeta++;
  }
  return d;
}

/* The spans of `kind` in d in text order, one per line. */
static char *list(ds_doc *d, int kind) {
  static char out[8192];
  ds_buf b = {0};
  ds_doc_sort_spans(d);
  for (size_t i = 0; i < d->nSpan; i++) {
    if ((int)d->aSpan[i].kind != kind) continue;
    if (b.n) ds_buf_putc(&b, '\n');
    put_span(d, &d->aSpan[i], &b);
  }
  snprintf(out, sizeof out, "%.*s", (int)b.n, b.p ? (const char *)b.p : "");
  ds_buf_free(&b);
  return out;
}

/* The spans of `kind` found in text by all the recognizers (zDocDate for dates). */
static char *found(const char *text, const char *zDocDate, int kind) {
  static char out[8192];
  ds_doc *d = parse(text, NULL, 0);
  if (!d) return strcpy(out, "ERROR");
  int rc = ds_recognize(d, zDocDate);
  check(rc == DS_OK, "ds_recognize: %d", rc);
  snprintf(out, sizeof out, "%s", list(d, kind));
  ds_doc_free(d);
  return out;
}

#define EXPECT(text, date, kind, want)                                                   \
  do {                                                                                   \
    const char *got_ = found(text, date, kind);                                          \
    check(strcmp(got_, want) == 0, "%s\n  got:  %s\n  want: %s", text, got_, want);      \
  } while (0)

/* Is there a span of `kind` in d reading exactly `line` (put_span's form)? */
static int has(ds_doc *d, int kind, const char *line) {
  ds_buf b = {0};
  int bHit = 0;
  for (size_t i = 0; i < d->nSpan && !bHit; i++) {
    if ((int)d->aSpan[i].kind != kind) continue;
    ds_buf_reset(&b);
    put_span(d, &d->aSpan[i], &b);
    bHit = b.n == strlen(line) && memcmp(b.p, line, b.n) == 0;
  }
  ds_buf_free(&b);
  return bHit;
}

/* Does any span of `kind` in d cover a byte of the first occurrence of zText? */
static int covered(ds_doc *d, int kind, const char *zText) {
  const char *z = strstr(d->zText, zText);
  if (!z) {
    check(0, "not in the document: %s", zText);
    return 1;
  }
  uint32_t a = (uint32_t)(z - d->zText), b = a + (uint32_t)strlen(zText);
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *s = &d->aSpan[i];
    if ((int)s->kind == kind && d->aTok[s->first].start < b && d->aTok[s->last - 1].end > a) return 1;
  }
  return 0;
}

/* A seed document, parsed and recognized with its date from MANIFEST.tsv. */
static ds_doc *seed(const char *zFile, const char *zDocDate) {
  char zPath[512], *z;
  size_t n;
  ds_error e;
  ds_doc *d;
  snprintf(zPath, sizeof zPath, "corpus/seeds/%s", zFile);
  if (ds_read_file(zPath, &z, &n, &e)) {
    check(0, "%s: %s", zPath, e.msg);
    return NULL;
  }
  int rc = ds_parse_text(z, n, zPath, &d, &e);
  ds_free(z);
  if (rc) {
    check(0, "%s: %s", zPath, e.msg);
    return NULL;
  }
  check(ds_recognize(d, zDocDate) == DS_OK, "%s: recognize", zFile);
  return d;
}

/* }====== */

static void test_dates(void) {
  EXPECT("The board met on 20 October 2020 and again on December 7, 2015.", NULL, DS_SPAN_DATE,
         "20 October 2020 => 2020-10-20 | day\nDecember 7, 2015 => 2015-12-07 | day");
  EXPECT("Signed Dec. 7, 2015, in force 1st of March 2020.", NULL, DS_SPAN_DATE,
         "Dec. 7, 2015 => 2015-12-07 | day\n1st of March 2020 => 2020-03-01 | day");
  /* numbers: day first; a first number over 12 cannot be a month, a second one can't */
  EXPECT("Filed 25/11/2018, heard 11/25/2018, decided 2018-11-07.", NULL, DS_SPAN_DATE,
         "25/11/2018 => 2018-11-25 | day\n11/25/2018 => 2018-11-25 | day\n"
         "2018-11-07 => 2018-11-07 | day");
  /* both readings valid: the day-first one, and the precision says it is assumed */
  EXPECT("The order of 07/11/2018 and of 7.11.2018 stands.", NULL, DS_SPAN_DATE,
         "07/11/2018 => 2018-11-07 | ambiguous\n7.11.2018 => 2018-11-07 | ambiguous");
  EXPECT("The letter of 05/05/2019 arrived.", NULL, DS_SPAN_DATE, "05/05/2019 => 2019-05-05 | day");
  {
    static const char zMeta[] = "locale\0en-US";
    ds_doc *d = parse("The order of 07/11/2018 stands.", zMeta, sizeof zMeta);
    if (d) {
      check(ds_find_dates(d, NULL) == DS_OK, "dates");
      const char *got = list(d, DS_SPAN_DATE);
      check(strcmp(got, "07/11/2018 => 2018-07-11 | day") == 0, "en-US: %s", got);
      ds_doc_free(d);
    }
  }
  EXPECT("Invalid: 31/02/2020, 07/11/18, 2019/13/01, 00/11/2018, 2018-11-00.", NULL, DS_SPAN_DATE, "");
  EXPECT("Protests began in mid-November 2021 and peaked in March 2022.", NULL, DS_SPAN_DATE,
         "mid-November 2021 => 2021-11 | month\nMarch 2022 => 2022-03 | month");
  EXPECT("Russia wants a sovereign Runet by 2024; since 2014, sanctions hurt.", NULL, DS_SPAN_DATE,
         "2024 => 2024 | year\n2014 => 2014 | year");
  EXPECT("In 2019, Huawei opened a lab. The plan for 2019–2021 and 2019-2021 and 2019–21.", NULL,
         DS_SPAN_DATE,
         "2019 => 2019 | year\n2019–2021 => 2019/2021 | interval\n2019-2021 => 2019/2021 | interval\n"
         "2019–21 => 2019/2021 | interval");
  EXPECT("Google operated in China between 2006 and 2010, and from 2019 to 2021 it did not.", NULL,
         DS_SPAN_DATE, "2006 and 2010 => 2006/2010 | interval\n2019 to 2021 => 2019/2021 | interval");
  EXPECT("The summit ran 20-22 March 2023 in Moscow.", NULL, DS_SPAN_DATE,
         "20-22 March 2023 => 2023-03-20/2023-03-22 | interval");
  EXPECT("In the 1990s, the early 2000s, the mid-1990s and the late 1980s; the 1950's.", NULL,
         DS_SPAN_DATE,
         "1990s => 1990/1999 | decade\nearly 2000s => 2000/2003 | decade\n"
         "mid-1990s => 1994/1996 | decade\nlate 1980s => 1987/1989 | decade\n"
         "1950's => 1950/1959 | decade");
  EXPECT("Since the twentieth century, and in the 21st century, and the early twenty-first century.",
         NULL, DS_SPAN_DATE,
         "twentieth century => 1900/1999 | century\n21st century => 2000/2099 | century\n"
         "early twenty-first century => 2000/2032 | century");
  /* years listed after one (`in 2019 and 2020`); a year naming a thing after `the` or a
     possessive; a week day before a day's date */
  EXPECT("In 2019 and 2020, Congress acted; in 2015, 2016 or 2017.", NULL, DS_SPAN_DATE,
         "2019 => 2019 | year\n2020 => 2020 | year\n2015 => 2015 | year\n2016 => 2016 | year\n"
         "2017 => 2017 | year");
  EXPECT("After HPSCI's 2012 report and the 1991 Sino-Soviet Border Agreement, the 2000 employees left.",
         NULL, DS_SPAN_DATE, "2012 => 2012 | year\n1991 => 1991 | year");
  EXPECT("It was announced on Tuesday, June 28, 2022, and on Friday 1 July 2022.", NULL, DS_SPAN_DATE,
         "Tuesday, June 28, 2022 => 2022-06-28 | day\n1 July 2022 => 2022-07-01 | day");
  /* relative dates: resolved against the document's date (2021-11-15 is a Monday of
     ISO week 46), else left relative */
  EXPECT("Last year the law passed; next week it is reviewed; last month it was amended.",
         "2021-11-15", DS_SPAN_DATE,
         "Last year => 2020 | year\nnext week => 2021-W47 | week\nlast month => 2021-10 | month");
  EXPECT("Last year the law passed; next month it is reviewed.", "2021-01", DS_SPAN_DATE,
         "Last year => 2020 | year\nnext month => 2021-02 | month");
  EXPECT("Last year the law passed; next week it is reviewed.", NULL, DS_SPAN_DATE,
         "Last year => year-1 | relative\nnext week => week+1 | relative");
  EXPECT("On 2021-01-01, the week was W53: this week.", "2021-01-01", DS_SPAN_DATE,
         "2021-01-01 => 2021-01-01 | day\nthis week => 2020-W53 | week");
  /* a month needs the document's month; a year alone does not do */
  EXPECT("Next month it is reviewed.", "2021", DS_SPAN_DATE, "Next month => month+1 | relative");
  /* not dates */
  EXPECT("They shipped 2019 units, see page 2019, section 2.3 and p. 106.", NULL, DS_SPAN_DATE, "");
  EXPECT("In 2019 units were sold out.", NULL, DS_SPAN_DATE, "");
  EXPECT("Answers came from 1500 out of 2019. In the summer of 2020, and at the end of 2019.",
         NULL, DS_SPAN_DATE, "2020 => 2020 | year\n2019 => 2019 | year");
  EXPECT("May I ask? They may 2019 not.", NULL, DS_SPAN_DATE, "");
  EXPECT("Over the last year and the past year, prices rose.", "2021-11-15", DS_SPAN_DATE, "");
  EXPECT("This is argued elsewhere (Greitens, 2020) and (Tan, 2020, May 4).", NULL, DS_SPAN_DATE, "");
  EXPECT("See pp. 1995–2001 and $2019–2021.", NULL, DS_SPAN_DATE, "");
  EXPECT("Growth in 2019% terms.", NULL, DS_SPAN_DATE, "");
}

static void test_money(void) {
  EXPECT("Shutting it down would cost more than $442 million.", NULL, DS_SPAN_MONEY,
         "$442 million => 442000000 | USD");
  EXPECT("A plan to invest 31.5 billion roubles ($426 million) in AI.", NULL, DS_SPAN_MONEY,
         "31.5 billion roubles => 31500000000 | RUB\n$426 million => 426000000 | USD");
  EXPECT("Loans of RMB 1bn, €2.5bn, $2bn and US$3 billion.", NULL, DS_SPAN_MONEY,
         "RMB 1bn => 1000000000 | CNY\n€2.5bn => 2500000000 | EUR\n$2bn => 2000000000 | USD\n"
         "US$3 billion => 3000000000 | USD");
  EXPECT("A fund of 5 trillion yuan, £3.2m, ₽100, $185,000 and 13.7 million rubles.", NULL,
         DS_SPAN_MONEY,
         "5 trillion yuan => 5000000000000 | CNY\n£3.2m => 3200000 | GBP\n₽100 => 100 | RUB\n"
         "$185,000 => 185000 | USD\n13.7 million rubles => 13700000 | RUB");
  EXPECT("Prices: 100 US dollars, 20 euros, 1,250.75 USD, 1.5 mln roubles, HK$40.", NULL,
         DS_SPAN_MONEY,
         "100 US dollars => 100 | USD\n20 euros => 20 | EUR\n1,250.75 USD => 1250.75 | USD\n"
         "1.5 mln roubles => 1500000 | RUB\nHK$40 => 40 | HKD");
  EXPECT("A ticket costs $2.50 or 0.5 million dollars.", NULL, DS_SPAN_MONEY,
         "$2.50 => 2.5 | USD\n0.5 million dollars => 500000 | USD");
  EXPECT("Aid fell from $0.5 million to €0, or 0bn roubles.", NULL, DS_SPAN_MONEY,
         "$0.5 million => 500000 | USD\n€0 => 0 | EUR\n0bn roubles => 0 | RUB");
  EXPECT("A fine of 5 million pounds sterling, or 2 million sterling; 5 pounds of rice.", NULL,
         DS_SPAN_MONEY,
         "5 million pounds sterling => 5000000 | GBP\n2 million sterling => 2000000 | GBP");
  /* ¥: the document decides */
  EXPECT("Chinese banks lent ¥500 million.", NULL, DS_SPAN_MONEY, "¥500 million => 500000000 | CNY");
  EXPECT("Tokyo paid ¥500 million to a Japanese firm.", NULL, DS_SPAN_MONEY,
         "¥500 million => 500000000 | JPY");
  EXPECT("It paid ¥500 million.", NULL, DS_SPAN_MONEY, "¥500 million => 500000000 | ");
  EXPECT("Japan and China both paid ¥5.", NULL, DS_SPAN_MONEY, "¥5 => 5 | ");
  /* not money */
  EXPECT("Hundreds of millions of dollars; the $ sign; 5 pounds of rice.", NULL, DS_SPAN_MONEY, "");
  EXPECT("A deal worth $2-3 billion, or 2–3 billion roubles.", NULL, DS_SPAN_MONEY, "");
  EXPECT("Paid 40 Australian dollars and 1.000.000 roubles and 1,5 euros.", NULL, DS_SPAN_MONEY, "");
  EXPECT("Between $2 and $3 billion.", NULL, DS_SPAN_MONEY, "$3 billion => 3000000000 | USD");
  EXPECT("GDP in 2015 dollars, in constant 2010 US dollars, and 2019 roubles in cash.", NULL,
         DS_SPAN_MONEY, "2019 roubles => 2019 | RUB");
}

static void test_percent(void) {
  EXPECT("Shares rose 35.5%, then 35.5 per cent, then 35.5 percent, then 1,000%.", NULL,
         DS_SPAN_PERCENT,
         "35.5% => 35.5\n35.5 per cent => 35.5\n35.5 percent => 35.5\n1,000% => 1000");
  EXPECT("A change of -5% and (+3.5%) and 5–10% and 2 percentage points.", NULL, DS_SPAN_PERCENT,
         "-5% => -5\n+3.5% => +3.5\n10% => 10");
}

static void test_citations(void) {
  EXPECT("Bans followed (Gavrilyuk & Builov, 2021, March 10).", NULL, DS_SPAN_CITE,
         "(Gavrilyuk & Builov, 2021, March 10) => Gavrilyuk; Builov | 2021 | March 10");
  EXPECT("A network (Kendall-Taylor et al., 2020, p. 106 & 112).", NULL, DS_SPAN_CITE,
         "(Kendall-Taylor et al., 2020, p. 106 & 112) => Kendall-Taylor et al. | 2020 | p. 106 & 112");
  EXPECT("Regimes learn (Ebert and Maurer 2013, 1054).", NULL, DS_SPAN_CITE,
         "(Ebert and Maurer 2013, 1054) => Ebert; Maurer | 2013 | 1054");
  EXPECT("Twitter was slowed (‘Russia slows down Twitter’, 2021, March 10).", NULL, DS_SPAN_CITE,
         "(‘Russia slows down Twitter’, 2021, March 10) => Russia slows down Twitter | 2021 | March 10");
  EXPECT("As shown (Smith 2019; Jones 2020).", NULL, DS_SPAN_CITE,
         "Smith 2019 => Smith | 2019 | \nJones 2020 => Jones | 2020 | ");
  EXPECT("As shown (see Smith, Brown, & Lee, 2019a: 45).", NULL, DS_SPAN_CITE,
         "(see Smith, Brown, & Lee, 2019a: 45) => Smith; Brown; Lee | 2019a | 45");
  EXPECT("By 2024 (Kukkola et al., 2017, 2019).", NULL, DS_SPAN_CITE,
         "(Kukkola et al., 2017, 2019) => Kukkola et al. | 2017; 2019 | ");
  EXPECT("Data (European Chamber, 2019) and (Ministry of Defence, 2020, p. 3).", NULL, DS_SPAN_CITE,
         "(European Chamber, 2019) => European Chamber | 2019 | \n"
         "(Ministry of Defence, 2020, p. 3) => Ministry of Defence | 2020 | p. 3");
  EXPECT("In a paper, Xu et al. (2021) agree with Farrell and Newman (2019) and O'Brien (2018).",
         NULL, DS_SPAN_CITE,
         "Xu et al. (2021) => Xu et al. | 2021 | \nFarrell and Newman (2019) => Farrell; Newman | 2019 | \n"
         "O'Brien (2018) => O'Brien | 2018 | ");
  EXPECT("A view shared by policy makers and Brussee (2021).", NULL, DS_SPAN_CITE,
         "Brussee (2021) => Brussee | 2021 | ");
  /* not citations */
  EXPECT("As noted (see above) and (p. 5) and (2019) and (January 2020).", NULL, DS_SPAN_CITE, "");
  EXPECT("The Digital Silk Road (2019) and the report (2020, p. 3).", NULL, DS_SPAN_CITE, "");
  EXPECT("Some (In 2019, things) changed.", NULL, DS_SPAN_CITE, "");
}

static void test_urls(void) {
  EXPECT("See https://example.org/a?b=1. Or write to a.b@c.org, then www.example.com/x;", NULL,
         DS_SPAN_URL,
         "https://example.org/a?b=1 => https://example.org/a?b=1\na.b@c.org => a.b@c.org\n"
         "www.example.com/x => www.example.com/x");
  EXPECT("The page (https://en.wikipedia.org/wiki/Runet_(network)) says so.", NULL, DS_SPAN_URL,
         "https://en.wikipedia.org/wiki/Runet_(network) => https://en.wikipedia.org/wiki/Runet_(network)");
}

static void test_quotes(void) {
  EXPECT("Putin said: “We will build a new internet with China.” He praised the ‘friendship’.",
         NULL, DS_SPAN_QUOTE, "“We will build a new internet with China.” => Putin");
  EXPECT("“Both sides support the new convention on cybercrime,” said Foreign Minister Sergei "
         "Lavrov.", NULL, DS_SPAN_QUOTE,
         "“Both sides support the new convention on cybercrime,” => Sergei Lavrov");
  /* a long title with no person the recognizers know: no speaker rather than the title */
  EXPECT("“The sweeping export controls are biting harder,” said Under Secretary of Commerce for "
         "Industry and Security Alan Estevez.", NULL, DS_SPAN_QUOTE,
         "“The sweeping export controls are biting harder,” => ");
  EXPECT("According to Xi Jinping, \"the two nations are partners in every field\".", NULL,
         DS_SPAN_QUOTE, "\"the two nations are partners in every field\" => Xi Jinping");
  EXPECT("The Chinese Foreign Ministry said: “Sweden should correct its mistake at once.” "
         "Russian President Vladimir Putin said: “We will answer in kind, if needed.” "
         "The President said: “Nothing has been decided on this matter.”", NULL, DS_SPAN_QUOTE,
         "“Sweden should correct its mistake at once.” => Chinese Foreign Ministry\n"
         "“We will answer in kind, if needed.” => Vladimir Putin\n"
         "“Nothing has been decided on this matter.” => ");
  EXPECT("General Motors said: “We will not sell cars in Russia this year.”", NULL, DS_SPAN_QUOTE,
         "“We will not sell cars in Russia this year.” => General Motors");
  EXPECT("The ministry said Russia would \"answer every hostile act in kind\".", NULL, DS_SPAN_QUOTE,
         "\"answer every hostile act in kind\" => ");
  EXPECT("Medvedev said as much. “We have no plans to isolate our internet at all.”", NULL,
         DS_SPAN_QUOTE, "“We have no plans to isolate our internet at all.” => Medvedev");
  /* nested: one span, the outer one */
  EXPECT("Lavrov told reporters: “They call it a ‘digital iron curtain’ but it is not.”", NULL,
         DS_SPAN_QUOTE, "“They call it a ‘digital iron curtain’ but it is not.” => Lavrov");
  EXPECT("Er sagte: „Wir bauen das Netz gemeinsam auf.“ Und: «Nous construisons le réseau "
         "ensemble.»", NULL, DS_SPAN_QUOTE,
         "„Wir bauen das Netz gemeinsam auf.“ => \n«Nous construisons le réseau ensemble.» => ");
  /* not quotations: scare quotes, short quotes, titles, names, cited titles, apostrophes */
  EXPECT("The ‘friendship’ of the two ‘sovereign internets’ is a ‘splinternet’.", NULL,
         DS_SPAN_QUOTE, "");
  EXPECT("The ‘Sovereign Internet Law’ and the “Global Data Security Initiative” passed.", NULL,
         DS_SPAN_QUOTE, "");
  EXPECT("They issued a document titled the \"Joint Statement on Deepening the Partnership of "
         "Coordination in the New Era.\"", NULL, DS_SPAN_QUOTE, "");
  EXPECT("It slowed (‘Russia slows down Twitter’, 2021, March 10) and the nations’ plans stood.",
         NULL, DS_SPAN_QUOTE, "");
  EXPECT("An opening ‘that never closes in this paragraph at all.", NULL, DS_SPAN_QUOTE, "");
  /* a quotation does not run out of a parenthesis it opened in */
  EXPECT("Sources (‘The return of Alexei Navalny, 2021). Then ‘a quotation of five words’.", NULL,
         DS_SPAN_QUOTE, "‘a quotation of five words’ => ");
  /* block quotation after a cue and a colon */
  EXPECT("Putin's statement about the meeting includes the following:\n\n"
         "Technological sovereignty is the key to sustainability. We propose more.\n\n"
         "Xi replied.", NULL, DS_SPAN_QUOTE,
         "Technological sovereignty is the key to sustainability. We propose more. => Putin");
  EXPECT("The agenda has three items:\n\nCables, chips and satellites are on it.", NULL,
         DS_SPAN_QUOTE, "");
  /* an ent span (from the gazetteer) gives the canonical name */
  {
    ds_doc *d = parse("Putin said that “the West will not isolate Russia from the world”.", NULL, 0);
    if (d) {
      static const char *const azEnt[] = {"PERSON", "Q7747", "Vladimir Putin", "RU", "lexicon"};
      check(ds_doc_add_span(d, DS_SPAN_ENT, 0, 1, azEnt) == DS_OK, "ent span");
      check(ds_find_quotes(d) == DS_OK, "quotes");
      const char *got = list(d, DS_SPAN_QUOTE);
      check(strcmp(got, "“the West will not isolate Russia from the world” => Vladimir Putin") == 0,
            "ent speaker: %s", got);
      ds_doc_free(d);
    }
  }
}

/* The sample corpus: what its texts say, found where they say it. */
static void test_seeds(void) {
  ds_doc *d = seed("2022-sinkkonen-lassila-digital-authoritarianism.txt", "2022");
  if (d) {
    check(has(d, DS_SPAN_MONEY, "$442 million => 442000000 | USD"), "$442 million");
    check(has(d, DS_SPAN_MONEY, "$221 million => 221000000 | USD"), "$221 million");
    check(has(d, DS_SPAN_MONEY, "4.8 billion roubles => 4800000000 | RUB"), "4.8 billion roubles");
    check(has(d, DS_SPAN_MONEY, "$65 million => 65000000 | USD"), "$65 million");
    check(has(d, DS_SPAN_MONEY, "13.7 million roubles => 13700000 | RUB"), "13.7 million roubles");
    check(has(d, DS_SPAN_MONEY, "$185,000 => 185000 | USD"), "$185,000");
    check(has(d, DS_SPAN_MONEY, "31.5 billion roubles => 31500000000 | RUB"), "31.5bn roubles");
    check(has(d, DS_SPAN_MONEY, "$426 million => 426000000 | USD"), "$426 million");
    check(has(d, DS_SPAN_MONEY, "7 billion roubles => 7000000000 | RUB"), "7bn roubles");
    check(has(d, DS_SPAN_CITE, "(Gavrilyuk & Builov, 2021, March 10) => Gavrilyuk; Builov | 2021 | March 10"),
          "Gavrilyuk & Builov");
    check(has(d, DS_SPAN_CITE, "Kendall-Taylor et al. (2020, p. 106 & 112) => Kendall-Taylor et al. | 2020 | p. 106 & 112"),
          "Kendall-Taylor narrative");
    check(has(d, DS_SPAN_CITE, "(Kukkola et al., 2017, 2019) => Kukkola et al. | 2017; 2019 | "), "Kukkola");
    check(has(d, DS_SPAN_CITE, "Drinhausen and Brussee (2021, March 3) => Drinhausen; Brussee | 2021 | March 3"),
          "Drinhausen and Brussee");
    check(has(d, DS_SPAN_CITE, "(Ukaz Prezidenta RF, 2019, October 14) => Ukaz Prezidenta RF | 2019 | October 14"),
          "Ukaz");
    check(has(d, DS_SPAN_CITE, "(‘Russia slows down Twitter’, 2021, March 10) => Russia slows down Twitter | 2021 | March 10"),
          "title as author");
    check(has(d, DS_SPAN_CITE, "Rühlig and Björk (2020) => Rühlig; Björk | 2020 | "), "Rühlig and Björk");
    check(has(d, DS_SPAN_CITE, "(Bach, 2020, p. 495–497.) => Bach | 2020 | p. 495–497."), "Bach");
    check(has(d, DS_SPAN_DATE, "20 October 2020 => 2020-10-20 | day"), "20 October 2020");
    check(has(d, DS_SPAN_DATE, "1 November 2021 => 2021-11-01 | day"), "1 November 2021");
    check(has(d, DS_SPAN_DATE, "mid-November 2021 => 2021-11 | month"), "mid-November 2021");
    check(has(d, DS_SPAN_DATE, "mid-1990s => 1994/1996 | decade"), "mid-1990s");
    check(has(d, DS_SPAN_DATE, "early 2000s => 2000/2003 | decade"), "early 2000s");
    check(has(d, DS_SPAN_DATE, "2006 and 2010 => 2006/2010 | interval"), "between 2006 and 2010");
    check(has(d, DS_SPAN_DATE, "twenty-first century => 2000/2099 | century"), "twenty-first century");
    check(has(d, DS_SPAN_QUOTE, "‘failed to remove prohibited content’ => "), "failed to remove");
    /* a year in a programme's name, a citation's year and month are no dates */
    check(!covered(d, DS_SPAN_DATE, "China 2025 program"), "Made in China 2025");
    check(!covered(d, DS_SPAN_DATE, "Greitens, 2020"), "citation year");
    check(!covered(d, DS_SPAN_DATE, "2020, May 4"), "citation month");
    /* the quotation the Chinese Foreign Ministry urged on Sweden is not Sweden's */
    check(!has(d, DS_SPAN_QUOTE, "‘correct its mistake and to avoid [a] negative impact on the Swedish "
                                 "businesses operating in China’ => Sweden"), "Sweden is not the speaker");
    check(has(d, DS_SPAN_QUOTE, "‘correct its mistake and to avoid [a] negative impact on the Swedish "
                                "businesses operating in China’ => "), "the Swedish quotation");
    /* scare quotes and a law's name */
    check(!covered(d, DS_SPAN_QUOTE, "‘smart voting’"), "smart voting");
    check(!covered(d, DS_SPAN_QUOTE, "‘Sovereign Internet Law’"), "Sovereign Internet Law");
    ds_doc_free(d);
  }
  d = seed("2015-carnegie-digital-bromance.txt", "2015-12-07");
  if (d) {
    check(has(d, DS_SPAN_DATE, "December 7, 2015 => 2015-12-07 | day"), "December 7, 2015");
    check(has(d, DS_SPAN_DATE, "January 2015 => 2015-01 | month"), "January 2015");
    check(has(d, DS_SPAN_DATE, "early 1950s => 1950/1953 | decade"), "early 1950s");
    check(has(d, DS_SPAN_DATE, "last year => 2014 | year"), "last year, resolved");
    check(has(d, DS_SPAN_PERCENT, "500% => 500"), "500%%");
    check(has(d, DS_SPAN_PERCENT, "7.4% => 7.4"), "7.4%%");
    check(!covered(d, DS_SPAN_MONEY, "hundreds of millions of dollars"), "no number, no money");
    check(!covered(d, DS_SPAN_QUOTE, "'An Interconnected World Shared and Governed by All'"), "a title");
    ds_doc_free(d);
  }
  d = seed("2023-register-xi-putin-ai-infosec.txt", "2023-03");
  if (d) {
    check(has(d, DS_SPAN_DATE, "2021–2025 => 2021/2025 | interval"), "2021–2025");
    check(!covered(d, DS_SPAN_QUOTE, "\"Joint Statement between"), "a document's title");
    check(!covered(d, DS_SPAN_QUOTE, "\"multipolar\""), "one word");
    check(has(d, DS_SPAN_QUOTE,
              "\"Both sides support the United Nations Ad Hoc Committee to develop a comprehensive "
              "international convention against the use of information and communication technologies "
              "for criminal purposes,\" => "), "the document adds");
    ds_doc_free(d);
  }
}

/* ====== Workers ====== */

/* One worker: parse and recognize every seed file, keep the spans as text. */
typedef struct worker { pthread_t th; ds_buf out; int rc; } worker;

static const char *const azSeedFile[] = {
  "2015-carnegie-digital-bromance.txt", "2019-aspi-sino-russian-high-tech-partnership.txt",
  "2022-sinkkonen-lassila-digital-authoritarianism.txt", "2023-blog-strategic-partnership-it.txt",
  "2023-register-xi-putin-ai-infosec.txt"};

static void *work(void *p) {
  worker *w = p;
  for (size_t k = 0; k < sizeof azSeedFile / sizeof azSeedFile[0]; k++) {
    char zPath[512], *z;
    size_t n;
    ds_error e;
    ds_doc *d;
    snprintf(zPath, sizeof zPath, "corpus/seeds/%s", azSeedFile[k]);
    if (ds_read_file(zPath, &z, &n, &e)) { w->rc = 1; return NULL; }
    int rc = ds_parse_text(z, n, zPath, &d, &e);
    ds_free(z);
    if (rc || ds_recognize(d, "2021-11-15")) { w->rc = 1; if (!rc) ds_doc_free(d); return NULL; }
    for (size_t i = 0; i < d->nSpan; i++) {
      put_span(d, &d->aSpan[i], &w->out);
      ds_buf_putc(&w->out, '\n');
    }
    ds_doc_free(d);
  }
  return NULL;
}

/* The recognizers are pure: four threads at once find what one finds alone (and
** `make tsan` runs this under ThreadSanitizer). */
static void test_threads(void) {
  worker one = {0}, aW[4];
  work(&one);
  check(one.rc == 0 && one.out.n > 0, "serial run");
  memset(aW, 0, sizeof aW);
  for (int t = 0; t < 4; t++) check(pthread_create(&aW[t].th, NULL, work, &aW[t]) == 0, "thread %d", t);
  for (int t = 0; t < 4; t++) {
    pthread_join(aW[t].th, NULL);
    check(aW[t].rc == 0 && aW[t].out.n == one.out.n && memcmp(aW[t].out.p, one.out.p, one.out.n) == 0,
          "thread %d found other spans", t);
    ds_buf_free(&aW[t].out);
  }
  ds_buf_free(&one.out);
}

/* }====== */

int main(int argc, char **argv) {
  (void)argc;
  test_dates();
  test_money();
  test_percent();
  test_citations();
  test_urls();
  test_quotes();
  test_seeds();
  test_threads();
  return tests_report(argv[0]);
}
