/*
** ds_gazetteer.h -- the gazetteer: named entities from lexicon files, found in documents
** as sequences of tokens (a trie over normalized tokens), added as `ent` spans.
**
** LEXICON FILES. UTF-8, one entry per line, TAB between columns; lines whose first byte
** is `#` and lines of nothing but spaces and tabs are skipped (a UTF-8 byte-order mark
** at the start of a file is skipped too). Columns, of which the last three may be left
** out or empty:
**   id       `Q` and digits (a Wikidata QID, no leading zero), or `ds:` and a slug of
**            lower-case ASCII letters, digits, `-`, `_` and `.` (`ds:mail-ru-group`)
**   type     PERSON ORG GPE LOC TECH POLICY EVENT
**   name     the canonical name; it is matched itself
**   country  ISO 3166-1 alpha-2, an assigned code (`CN`, `RU`), or empty
**   aliases  other forms, separated by `|` (no empty one)
**   rules    flags separated by `,`: `exact` (a form matches only exactly as written),
**            `any` (in any case), `nostart` (not as a sentence's first word -- an opening
**            quote or bracket before it does not count -- unless the match ends with or
**            is followed by a company cue, after an optional comma: Inc, Inc., Corp,
**            Corp., Corporation, Co., Ltd, Ltd., LLC, PLC, company, shares, stock, in any
**            case: `Apple Inc. said`, `Apple, Inc. said`, `Apple shares fell`). `exact`
**            and `any` exclude each other. The rules apply to all the entry's forms.
** The case rule of a form, unless `exact` or `any`: a form without upper-case letters
** matches in any case (`facial recognition`); a form with upper-case letters and no
** lower-case ones matches only in capitals (`AI`, `PRC`, `5G`: not `ai`, `Ai`, `5g`;
** matched by lemma, a plural's final `s` may be small: `NGOs`);
** any other form matches when each of its words that starts with a capital starts with
** one in the text (`Huawei` matches Huawei and HUAWEI, not huawei). Case is judged on
** the text as written; everything else on the tokens' `norm` (NFC, case folded,
** typographic apostrophes folded: ds_utf8_fold).
**
** Forms are tokenized exactly as documents are (ds_tokenize_string), so `Sino-Russian`
** is the three tokens Sino - Russian, and `Mail.ru`, `5G`, `U.S.`, `Inc.` are one token
** each, as in a document. A form has 1 to DS_GAZ_MAX_TOKENS tokens.
**
** Several files load in order, later ones overriding earlier ones: an entry with an id
** that an earlier file has replaces that entry (whose forms are then forgotten), and a
** form (case folded) that entries of two files claim belongs to the later file's entry.
** Within one file an id given twice, or one form (case folded) given to two entries, is
** an error naming the file and both lines. Every other fault is an error (DS_FORMAT)
** naming the file and the line: wrong number of columns (3 to 6), a bad id, type,
** country or rule, invalid UTF-8, an empty name or alias, a form without tokens or of
** more than DS_GAZ_MAX_TOKENS. Files that cannot be read are DS_IO.
**
** MATCHING. Sentence by sentence (a match never crosses a sentence boundary), from the
** left: at each token the longest form that matches there and passes its rules is
** taken and the scan goes on after it (leftmost, then longest; spans do not overlap);
** where none does the scan moves one token on. The last token of a form matches the
** text's token by its norm or, when the document is tagged with lemmas, by its lemma
** (case folded), so `facial recognition systems` matches a `facial recognition system`
** entry (an `exact` form matches only as written, never by lemma). Each start is
** followed for at most as many tokens as the longest form, so tagging is linear in the
** text. Each match is a DS_SPAN_ENT span with the values type, id, canonical name,
** country and `lexicon`.
**
** THREADS. Once loaded, a gazetteer is only read: any number of threads may tag
** documents with one gazetteer at once (each its own document), without a lock.
**
**   ds_gazetteer *g;
**   const char *az[] = {"corpus/lexicon/entities.tsv", "my-entities.tsv"};
**   if (ds_gazetteer_load(az, 2, &g, &err) != DS_OK) ... err.msg ...;
**   ... on any thread: rc = ds_gazetteer_tag(g, doc); -- adds spans to doc
**   ds_gazetteer_free(g);
*/
#ifndef DS_GAZETTEER_H
#define DS_GAZETTEER_H

#include "ds.h"
#include "ds_doc.h"

/* Most tokens in one form. */
#define DS_GAZ_MAX_TOKENS 32

typedef struct ds_gazetteer ds_gazetteer;

/*
** Load the lexicon files azPath[0..nPath) (nPath >= 1), in order, into a new gazetteer
** *pg (free with ds_gazetteer_free). DS_OK; DS_IO or DS_FORMAT with e naming the file
** (and line); DS_NOMEM; DS_MISUSE for nPath < 1. On error *pg is NULL.
*/
int ds_gazetteer_load(const char *const *azPath, int nPath, ds_gazetteer **pg, ds_error *e);

/*
** The same from memory: n lexicons, the i-th the bytes az[i][0..an[i]) (not NUL-ended,
** not kept), named azName[i] in errors as a file would be.
*/
int ds_gazetteer_load_mem(const char *const *azName, const char *const *az, const size_t *an,
                          int n, ds_gazetteer **pg, ds_error *e);

/*
** Add a DS_SPAN_ENT span for every match in d, which must be tokenized and split into
** sentences (tagged or not). DS_OK, DS_NOMEM (some spans may have been added), or
** DS_MISUSE when d has tokens and no sentences. g is not written: thread-safe. On a
** document already interned (ds_doc_intern) the tokens' norms and lemmas are looked up
** once per token type instead of once per token: the same spans, sooner.
*/
int ds_gazetteer_tag(const ds_gazetteer *g, ds_doc *d);

/* Number of entries (after the overrides between files). */
size_t ds_gazetteer_count(const ds_gazetteer *g);

/* Number of distinct forms that can match (each case-folded token sequence once). */
size_t ds_gazetteer_nform(const ds_gazetteer *g);

/* Free. Safe with NULL. */
void ds_gazetteer_free(ds_gazetteer *g);

#endif
