/*
** ds_recognize.h -- recognizers: dates, money, percentages, citations, URLs and
** quotations found in a parsed document, added as spans with normalized values.
**
** Each ds_find_* reads a tokenized document (ds_parse_text; tags are not needed) and
** appends spans with ds_doc_add_span (kinds and value order: ds_doc.h). They are pure:
** no global mutable state, nothing read but the document and the arguments, so workers
** run them in parallel on their own documents. Each is linear in the text: every rule
** looks a bounded number of tokens around where it stands. Each returns DS_OK, or
** DS_NOMEM (spans added before the failure stay). Spans are added in text order per
** recognizer; ds_doc_sort_spans orders them all.
**
**   ds_doc *d;
**   if (ds_parse_text(z, n, NULL, &d, &e) == DS_OK) {
**     rc = ds_recognize(d, "2021-11-15");     (or each ds_find_* on its own)
**     for (size_t i = 0; i < d->nSpan; i++) ... ds_docspan_value(d, &d->aSpan[i], 0) ...
**   }
**
** The rule everywhere: no silent wrong answer. Where the text does not settle a value,
** the recognizer adds nothing, or says in the value what it assumed (see each).
*/
#ifndef DS_RECOGNIZE_H
#define DS_RECOGNIZE_H

#include "ds_doc.h"

/*
** Dates and periods (kind date: value, precision). zDocDate is the document's own date
** in ISO 8601 (`2021-11-15`, `2021-11`, `2021`) or NULL; it only resolves relative dates.
**
**   form                                   value                    precision
**   20 October 2020, December 7, 2015,     2020-10-20, 2015-12-07   day
**     1st March 2020, Dec. 7, 2015
**   2018-11-07, 2018/11/07                 2018-11-07               day
**   25/11/2018, 11/25/2018 (one reading)   2018-11-25               day
**   07/11/2018, 7.11.2018 (both <= 12)     2018-11-07               ambiguous
**   November 2021, mid-November 2021       2021-11                  month
**   in 2019, since 2014, by 2024           2019                     year
**   2019–2021, 2019-2021, 2019–21,         2019/2021                interval
**     between 2006 and 2010, from 2019 to 2021
**   20-22 March 2023                       2023-03-20/2023-03-22    interval
**   the 1990s, 1990's / the early 2000s,   1990/1999 / 2000/2003,   decade
**     the mid-1990s, the late 1990s          1994/1996, 1997/1999
**   the 21st century, the twentieth        2000/2099, 1900/1999     century
**     century (early: first third, mid: second, late: last)
**   last year / next month / this week     with zDocDate: 2020,     year, month, week
**                                            2021-12, 2021-W46
**                                          without: year-1,         relative
**                                            month+1, week+0
**
** Numeric dates are read day first (the usage of the field's European, Russian and
** Chinese-English sources) unless the first number is over 12 and the second is not
** (then month first: 11/25/2018), or the document's metadata says the locale is
** American (key `locale`, `lang` or `language` with value en-US or en_US: month first).
** When both readings are valid dates and differ, and no locale settled it, the value is
** the day-first reading and the precision is `ambiguous` (07/11/2018 is 7 November or
** 11 July): a consumer that needs certainty leaves these out. A day or month 0 is no
** date. Two-digit years are not read, except as the end of an interval (2019–21). Qualifiers early, mid and late narrow decades and centuries as shown (a decade's
** early is its years 0-3, mid 4-6, late 7-9); on a month or year they are in the span
** and the value stays the month or year. A century is the popular one (the 21st is
** 2000/2099). Precisions `ambiguous` and `week` extend ds_doc.h's list.
**
** A year alone (four digits, 1000-2199) is a date only when a word that makes it one
** comes right before it: in, since, by, until, till, before, after, during, from,
** through, throughout, circa, c., of after a stretch of time (`the summer of 2020`, `the
** end of 2019`, not `out of 2019`), year, early, late,
** mid-, spring, summer, autumn, fall, winter, FY; and only when what follows is not a
** word it could count (`in 2019 units`): the next token must be punctuation, a
** capitalized word, a number-free function word (the, and, it, was, ...), in a tagged
** document any verb, adverb or function word (`the treaty in 2021 reflects`), or nothing.
** A year right after a year so found and `and`, `or` or `,` is one too (`in 2019 and
** 2020`); so is a year between `the` or a possessive and a capitalized word or a thing a
** year names (`the 1991 Sino-Soviet Border Agreement`, `HPSCI's 2012 report`, `the 2020
** election`; not `the 2000 employees`).
** So `2019 units`, `page 2019`, `(Smith, 2019)`, `p. 106`, `section 2.3` are not dates.
** A week day and a comma before a day's date are in its span (`Tuesday, June 28, 2022`).
** A year interval needs both years between 1800 and 2100, the second later, at most 100
** years apart, and no page or section word (p., pp., page, section, no., vol., ...) or
** currency before it. `last year` means the calendar year before the document's; `the
** last year` and `the past year` (the twelve months before) are not dates. A span holds
** the date's own tokens, qualifiers included, prepositions not (`by 2024`: `2024`).
*/
int ds_find_dates(ds_doc *d, const char *zDocDate);

/*
** Money (kind money: amount, currency). The amount is the plain decimal number the
** text means, computed exactly on the digits (no floating point): `$442 million` ->
** 442000000, `€2.5bn` -> 2500000000, `$185,000` -> 185000, `$2.5` -> 2.5.
**
** Forms: symbol or code, then a number, then an optional multiplier (`$442 million`,
** `US$3 billion`, `€2.5bn`, `RMB 1bn`, `£3.2m`, `₽100`); or a number, an optional
** multiplier and a currency word or code (`31.5 billion roubles`, `5 trillion yuan`,
** `100 US dollars`, `1bn RMB`). Multipliers: thousand, million, billion, trillion, mn,
** mln, bn, bln, tn, trn, attached or not (`1bn`, `1 bn`), and k, m, b only attached
** (`£3.2m`: a lone `m` may be metres). Numbers: digits with comma groups
** of three and a decimal point (`1,000,000.5`); other separators (`1.000.000`, `1,5`)
** are not read, nor is a range (`$2-3 billion`, `$2 to 3 billion`: no span, since the
** first number's multiplier is unknown; `$2 and $3 billion` gives only the second), nor a
** number with a sign.
**
** Currencies: $ and dollar(s) are USD, as the field writes them (US$, U.S. dollars,
** US dollars too); A$, C$, HK$, S$ are AUD, CAD, HKD, SGD, and `dollars` after another
** country's adjective (`Australian dollars`) is not read. € and euro(s) EUR; £, pounds
** sterling GBP (`pounds` alone is a weight as often: not read); ₽, rouble(s), ruble(s),
** RUB and RUR RUB; RMB, CNY, yuan, renminbi, CN¥ and 元 CNY; yen, JPY and JP¥ JPY; HKD
** HKD. The span runs from the sign, code or number to the currency (`pounds
** sterling` both words). A bare ¥ is CNY
** when the document names the yuan, renminbi, RMB or China and not the yen or Japan,
** JPY in the opposite case, and otherwise a money span with currency "" (unknown). `$`
** or any currency word with no number is not money, nor is a price level (`in 2019
** dollars`, `constant 2015 US dollars`: a year before the currency after in, constant,
** real, current, nominal); `31.5 billion roubles ($426 million)` is two spans.
*/
int ds_find_money(ds_doc *d);

/*
** Percentages (kind percent: value): a number followed by `%`, `per cent`, `percent` or
** `pct` -> the number without group commas (`35.5`, `1,000%` -> `1000`); a `-` or `+`
** written against the number (`-5%`) is kept in the value. `percentage points` are not
** percentages (a difference of two), and in `5–10%` only `10%` is one.
*/
int ds_find_percent(ds_doc *d);

/*
** Author-year citations (kind cite: authors, year, extra).
**
** Parenthetical: `(` then segments separated by `;`, each AUTHORS [,] YEAR [, YEAR...]
** [, or : EXTRA], then `)`, within 80 tokens. One span per segment: over its tokens
** (not the parentheses nor the `;`) when the parenthesis holds several
** (`(Smith 2019; Jones 2020)` is two spans), over the whole parenthesis, brackets
** included, when it holds one (`(Greitens, 2020)`).
** Narrative: AUTHORS right before `(YEAR[, EXTRA])`: `Xu et al. (2021)`, `Farrell and
** Newman (2019)`; the span runs from the first author's token to the `)`.
**
** AUTHORS: names (capitalized words, with hyphens, apostrophes and inner particles such
** as of, the, de, van, von: `Kendall-Taylor`, `European Chamber`, `Ukaz Prezidenta RF`)
** joined by `,`, `&`, `and`, optionally ending in `et al.`; or a title in quotation marks
** (`‘Russia slows down Twitter’`). A leading `see`, `cf.` or `e.g.` is dropped. Value:
** the names separated by "; " (`Gavrilyuk; Builov`), `et al.` kept on its name as
** written with one space (`Kendall-Taylor et al.`), a title without its marks.
** YEAR: four digits 1500-2100, perhaps with a letter (`2019a`); several years of the
** same authors (`Kukkola et al., 2017, 2019`) are one span, year `2017; 2019`.
** EXTRA: the rest of the segment as written, one space for each run of white space
** (`March 10`, `p. 106 & 112`, `1054`); "" when none.
** Not citations: a parenthesis without a year (`(see above)`, `(p. 5)`), a year with no
** name before it (`(2019)` after a lower-case word), a name that is a month or a word
** such as In, See, Figure, Table (`(January 2020)` is a date).
*/
int ds_find_citations(ds_doc *d);

/*
** URLs and e-mail addresses (kind url: value): each token the tokenizer marked
** DS_TOK_URL, the value as written without trailing punctuation (. , ; : ! ? and a `)`
** or `]` that closes nothing inside it), the span the token.
*/
int ds_find_urls(ds_doc *d);

/*
** Quotations (kind quote: speaker).
**
** Marks are paired within a paragraph: “ with ”, ‘ with ’, « with », ‹ with ›, „ with “
** or ”, and straight " and ' (a straight mark opens after white space or an opening
** bracket and closes before white space or punctuation; a straight " that could do
** either closes an open one, else opens; such a ' is passed over). A ’ with no ‘ open
** is an apostrophe, and a `)` drops the marks opened inside its parenthesis. Nested pairs are matched but only the outermost becomes a span; a mark
** never closed in its paragraph makes no span. The span holds the marks and what they
** enclose.
** A quoted stretch is a quotation when it holds at least four words (numbers count), is
** not a title (every word capitalized but short function words such as of, the, and,
** between: `“Global Data Security Initiative”`), does not follow a naming word (titled,
** entitled, called, named, dubbed, so-called, termed, labelled, as; `titled the "..."`),
** and is not a cited title (right after `(` or `;` and followed by `,` and a year).
** So `‘friendship’`, `"sovereign internets"` and a law's name are not quotations.
** Block quotation: the paragraph right after one ending in `:` whose last sentence has
** a cue (a speech verb, `the following`, `according`) is a quotation, the span its
** tokens (only that paragraph: where a block ends is not marked in plain text).
**
** Speaker: the sentence holding the quotation (outside it), nearest first, is searched
** within 40 tokens for a cue; else, when the quotation begins its sentence, the sentence
** before (`Medvedev said as much. “...”`). A cue is `according to X`, or a speech verb
** (said, says, told, stated, added, wrote, noted, declared, explained, argued, claimed,
** announced, warned, stressed, reads, includes, ...) with its subject before it (adverbs
** and auxiliaries skipped: `Putin also said`), or a possessive before the subject
** (`Putin's statement about the meeting includes the following:`), or, only right after
** the quotation or a comma, after the verb (`"...," said Putin`; never after told or
** asked, whose object is the listener). The first cue found decides, even when it names
** no one (`the ministry said`: ""); a quotation whose sentence has its own subject and
** verb without a cue (`X urged Sweden to ‘...’`) gets "" rather than a neighbour's name. The speaker is
** the canonical name of an ent span of type PERSON or ORG there (ds_doc.h), else the
** capitalized name sequence there without a leading opener (The, But, ...) and without a
** person's title and the words before it (`Russian President Vladimir Putin`: `Vladimir
** Putin`; `the President` alone: ""; an organisation keeps its words: `Chinese Foreign
** Ministry`), else "". The ent span wins over the capitalized words wherever it starts
** or ends at the subject's place.
*/
int ds_find_quotes(ds_doc *d);

/* Every recognizer above, in the order dates, money, percent, citations, urls, quotes. */
int ds_recognize(ds_doc *d, const char *zDocDate);

#endif
