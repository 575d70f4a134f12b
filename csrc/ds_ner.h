/*
** ds_ner.h -- statistical named-entity recognizer: PERSON, ORG and LOC spans for names a
** lexicon lacks.
**
** An averaged perceptron labels each token of a sentence, greedy and left to right, with
** a BILOU tag (Begin, Inside, Last, Unit, Outside: Ratinov & Roth 2009) of one of the
** three types; a transition that BILOU forbids (I after O, B after B...) is never
** chosen. The features of a token are the tagger's (lower-cased form, prefixes,
** suffixes, shape, capitalisation, the words two to each side), the word as written,
** the case profile of its sentence (lower-case text, headline, capitals), its UPOS and
** its neighbours' (when the document is tagged), the two previous predicted tags, and
** word classes learnt offline from unlabeled text and shipped in the model: two
** clusterings of words found in the same contexts (exchange algorithm), a frequency
** bucket, and how often the word is capitalised where capitals are not forced
** (tools/train_ner.c); and gazetteer matches: the model carries lists of names baked in
** by the trainer (the domain lexicon, WordNet's people, organizations and places,
** GeoNames' places, given names, words that end names of organisations), matched
** case-blind, and a token inside a match of type T at position B, I, L or U of it has that
** as a feature (Ratinov & Roth 2009); so the recognizer needs no file but its model.
**
** A two-stage model (feature set DS_NER_FEATS_DOC) tags each document twice: a first
** pass with the features above (the first stage's weights), then a second pass whose
** weights see, beside the same features, how the first pass labelled the other
** occurrences of the same word in the document (non-local features: Ratinov & Roth
** 2009's prediction aggregation). The
** document is what ds_ner_tag is given, so the caller decides what one is. The token analysis is the tagger's
** (ds_tagger_tokinfo, and its lower-case hash keys the word classes and the gazetteer):
** a change there needs this model retrained too.
**
** A model (corpus/models/en-uner.ner, made by tools/train_ner.sh) is one block read once
** and never written afterwards: one ds_ner may be shared by any number of threads.
**
**   ds_ner *m; ds_error err;
**   if (ds_ner_load("corpus/models/en-uner.ner", &m, &err)) die(err.msg);
**   ... ds_parse_text, ds_annotate (optional but better), a gazetteer ...
**   if (ds_ner_tag(m, d)) die("out of memory");
**   for (size_t i = 0; i < d->nSpan; i++) ... ds_docspan_value(d, &d->aSpan[i], 0) ...
**   ds_ner_free(m);
**
** The spans it adds (kind DS_SPAN_ENT, tokens [first, last) inside one sentence) carry
**   type     PERSON, ORG or LOC (UNER's PER is PERSON)
**   id       the surface form as written, each run of white space between or inside its
**            tokens collapsed to one space ("Carnegie  Endowment" -> "Carnegie Endowment");
**            case is kept: it tells names apart ("Apple", "apple") and matches the
**            lexicon's canonical names, which are written with capitals
**   name     the same string
**   country  ""
**   source   model
** Tokens already inside an ent span (a gazetteer's, added before) are left alone: they
** are tagged O, so no model span overlaps them, and the model's spans stop at them.
**
** Model file format (version 3; all integers little-endian; the host must be too):
**
**   header, 64 bytes (the envelope of ds_model.h):
**     0  char[8]  magic "DSNERMOD"
**     8  u32      format version (DS_NER_VERSION)
**     12 u32      scheme: DS_NER_BILOU (13 classes) or DS_NER_BIO (7 classes)
**     16 u32      feature set: DS_NER_FEATS_FULL, DS_NER_FEATS_DOC (two stages: the
**                 second stage's feature hashes are ds_ner_feats' with DS_NER_FEATS_DOC,
**                 both stages' in the one table) or DS_NER_FEATS_WORD (baseline)
**     20 u32      nFeatSlot   feature hash slots (power of two)
**     24 u32      nRow        weight rows
**     28 u32      nWordSlot   word-class slots (power of two)
**     32 u32      nGazSlot    gazetteer slots (power of two, or 0: no gazetteer)
**     36 u32      reserved (0) x 3
**     48 u64      nBody       bytes after the header (the file is exactly 64 + nBody)
**     56 u64      FNV-1a 64 checksum of the body
**   body:
**     u32[2*nFeatSlot]   feature slots (fingerprint, row); fingerprint 0 = empty slot;
**                        linear probing from hash & mask
**     i16[16*nRow]       weight rows: the weight of class c at index c (indexes past
**                        the last class are not read; the trainer writes 0); averaged
**                        perceptron weights times a scale the trainer chose so that the
**                        largest fits. A token's score is the sum of its features' rows,
**                        in vector code
**     u32[2*nWordSlot]   word classes (fingerprint of the lower-cased word, value:
**                        capitalisation bucket in bits 0-3, frequency bucket in bits 4-7,
**                        cluster in bits 8-19, coarse cluster in bits 20-31; 0 = none)
**     u32[nGazSlot]      gazetteer, one u32 a slot: a 24-bit fingerprint of a phrase hash
**                        (DS_NER_GAZ_FP, never 0) above 8 value bits: bit t set when the
**                        phrase is a name of gazetteer type t (DS_NER_GAZ_*), bit 7 when
**                        it begins a longer name; 0 = empty slot, linear probing from
**                        hash & mask. The phrase hash chains the lower-case hashes of its
**                        tokens: ds_ner_gaz_next
** Classes: 0 is O; type k (0 PERSON, 1 ORG, 2 LOC) has 1 + 4k + {0 B, 1 I, 2 L, 3 U}
** under BILOU and 1 + 2k + {0 B, 1 I} under BIO.
** Version 3 added DS_NER_FEATS_DOC; version 2 files are refused (DS_CORRUPT, "format 2,
** this build reads 3"): retrain with tools/train_ner.sh.
*/
#ifndef DS_NER_H
#define DS_NER_H

#include "ds.h"
#include "ds_doc.h"
#include "ds_model.h"
#include "ds_tagger.h"

#define DS_NER_VERSION 3

/* A loaded model: read-only, shareable between threads. */
typedef struct ds_ner ds_ner;

/*
** Load the model file zPath into a new recognizer (*pp, freed with ds_ner_free). Fails
** with DS_IO when the file cannot be read, DS_FORMAT when it is not an NER model (wrong
** magic), DS_VERSION_MISMATCH for a newer format version and DS_CORRUPT when it is
** truncated, its checksum does not match or its tables are inconsistent; the message
** names zPath and what is wrong. *pp is NULL on failure.
*/
int ds_ner_load(const char *zPath, ds_ner **pp, ds_error *e);

/*
** Same from a model image in memory (n bytes at p, copied; the caller keeps p). zName
** names the image in error messages.
*/
int ds_ner_load_mem(const void *p, size_t n, const char *zName, ds_ner **pp, ds_error *e);

/* Free a recognizer. Safe with NULL. */
void ds_ner_free(ds_ner *m);

/*
** Tag every sentence of d and add an ent span (values above) for each name found.
** Uses d->aUpos when the document is tagged (d->pTagger names the ids). Tokens inside
** an ent span already in d are not tagged. Returns DS_OK, DS_NOMEM, or DS_MISUSE for
** NULL arguments. Allocates only scratch space for the call; thread-safe on a shared
** model (each thread its own document).
*/
int ds_ner_tag(const ds_ner *m, ds_doc *d);

/*
** The same for sentences [firstSent, lastSent) of d only, taken as one document (the
** trainer tags a file of many documents this way, one at a time).
*/
int ds_ner_tag_sents(const ds_ner *m, ds_doc *d, size_t firstSent, size_t lastSent);

/* Number of classes of the model (13 for BILOU, 7 for BIO). */
int ds_ner_nclass(const ds_ner *m);

/*
** {====== Interface for the trainer (tools/train_ner.c) ======
** Training must see exactly the features tagging computes, so the trainer uses these
** instead of a copy. Not needed to tag.
*/

enum { DS_NER_BIO = 1, DS_NER_BILOU = 2 };
enum { DS_NER_FEATS_WORD = 1, DS_NER_FEATS_FULL = 2, DS_NER_FEATS_DOC = 3 };
enum { DS_NER_PERSON = 0, DS_NER_ORG, DS_NER_LOC, DS_NER_NTYPE };

/* Weights in a row (the classes, padded). */
#define DS_NER_ROW 16

/* The envelope of NER model files (ds_model.h): magic, version, 64-byte header. */
extern const ds_model_fmt ds_ner_fmt;

/* Classes of a scheme; the type (DS_NER_PERSON..) and part (0 B, 1 I, 2 L, 3 U; BIO: 0 B,
   1 I) of class c > 0. */
int ds_ner_scheme_nclass(int scheme);
int ds_ner_class_type(int scheme, int c);
int ds_ner_class_part(int scheme, int c);
/* The class of (type, part), as above. */
int ds_ner_class(int scheme, int type, int part);

/* Can class c follow class prev (-1 at the start of a sentence) under the scheme? And
   may a sentence end after c? */
int ds_ner_allowed(int scheme, int prev, int c);
int ds_ner_can_end(int scheme, int c);

/* What the features need to know of one token. */
typedef struct ds_nertok {
  ds_tagtok w;          /* the tagger's analysis of the word */
  uint64_t hRaw;        /* hash of the word as written (case kept) */
  uint64_t hUpos;       /* hash of its UPOS name, 0 when not tagged */
  uint32_t uWord;       /* its word-class value (model format above), 0 when unknown */
  uint32_t uSent;       /* the case profile of its sentence (ds_ner_sent_profile) */
  uint32_t uGaz;        /* gazetteer matches over it: bit 4 * type + part (0 B, 1 I, 2 L,
                           3 U) for each type with a match (ds_ner_gaz_mark) */
  uint32_t uDoc;        /* second stage: the first pass's labels of the word elsewhere in
                           the document (ds_ner_doc_values), 0 when it occurs only here */
} ds_nertok;

/* Gazetteer types, and the value bit of a phrase that begins a longer name. */
enum { DS_NER_GAZ_PERSON = 0, DS_NER_GAZ_ORG, DS_NER_GAZ_LOC, DS_NER_GAZ_OTHER, DS_NER_GAZ_FIRST,
       DS_NER_GAZ_ORGHEAD, DS_NER_GAZ_NTYPE };
#define DS_NER_GAZ_PREFIX 0x80u
/* Names longer than this many tokens are not matched. */
#define DS_NER_GAZ_MAXLEN 8

/* The fingerprint (24 bits, never 0) kept for phrase hash h in a gazetteer slot. */
#define DS_NER_GAZ_FP(h) ((uint32_t)((h) >> 40) | 1u)

/* The hash of the empty phrase, and of a phrase followed by a token of lower-case hash h. */
#define DS_NER_GAZ_START 0x6A7E5EEDull
uint64_t ds_ner_gaz_next(uint64_t hPhrase, uint64_t hLow);

/*
** Set the uGaz of the n tokens aTok (one sentence, in order) from the gazetteer aGaz
** (one u32 per slot, mask = slots - 1; NULL for none): every match of every type.
*/
void ds_ner_gaz_mark(const uint32_t *aGaz, uint32_t mask, ds_nertok *aTok, size_t n);

/*
** The case profile of tokens [first, last) of d: 1 lower-case text (fewer than 1 in 20
** words after the first start with a capital), 2 ordinary, 3 headline (more than half
** capitalised), 4 capitals (more than half written in capitals), 0 no words.
*/
uint32_t ds_ner_sent_profile(const ds_doc *d, size_t first, size_t last);

/*
** Fill *p for the n bytes at z, with UPOS name zUpos (NULL when untagged), looking the
** word up in word-class slots aWord (2 u32 per slot, mask = slots - 1; NULL for none).
** uSent and uGaz are left 0: the caller sets them.
*/
void ds_ner_tokinfo(const char *z, size_t n, const char *zUpos, const uint32_t *aWord,
                    uint32_t mask, ds_nertok *p);

/* The word-class value of a lower-cased word hash (ds_tagger_hash_lower), 0 if absent. */
uint32_t ds_ner_word_find(const uint32_t *aWord, uint32_t mask, uint64_t h);

/* Most features one token can have (115 with every gazetteer bit set, 5 more for the
   second stage). */
#define DS_NER_MAXFEAT 128

/*
** {------ The second stage's document values ------
** Each token of a document gets a key (ds_ner_doc_key: its lower-case hash, 0 for a
** token without letters, which gets no value) and is counted when it is written with a
** capital or the first pass put it in a name (ds_ner_doc_counted). ds_ner_doc_values
** then gives every keyed token, from the counted occurrences of its key in the whole
** document (itself included when counted), provided some other occurrence is counted:
**   bits 0-3    which labels they got: bit 0 O, bit 1 + t type t
**   bits 4-6    the most frequent of them: 1 O, 2 + t type t (ties: the names, PERSON first)
**   bit 7       set (a value is there)
**   bits 8-19   which (type, part) classes they got: bit 8 + class - 1
**   bits 20-21  how many other counted occurrences: 0 one, 1 two, 2 three or four, 3 more
*/
uint64_t ds_ner_doc_key(const ds_nertok *t);
int ds_ner_doc_counted(const ds_nertok *t, int cls1);

/*
** aKey, aCounted and aCls1 (first-pass classes, BILOU) of the n tokens of one document
** give aOut[0..n). Returns DS_OK or DS_NOMEM (scratch space: a table of about 48 bytes a
** keyed token).
*/
int ds_ner_doc_values(const uint64_t *aKey, const uint8_t *aCounted, const uint8_t *aCls1,
                      size_t n, uint32_t *aOut);
/* }------ */

/*
** Write the feature hashes of token win[2] to aOut (at most DS_NER_MAXFEAT) given its
** neighbours win[0], win[1], win[3], win[4] (NULL outside the sentence) and the classes
** of the two previous tokens (-1 before the start). Returns the count. DS_NER_FEATS_DOC
** gives the second stage's: those of DS_NER_FEATS_FULL, hashed again apart, and the
** features of uDoc.
*/
size_t ds_ner_feats(int featset, const ds_nertok *const win[5], int t1, int t2,
                    uint64_t *aOut);

/* Fingerprint stored in a slot for hash h (never 0), and the first slot to probe. */
#define DS_NER_FP(h) ((uint32_t)((h) >> 32) | 1u)
#define DS_NER_SLOT(h, mask) ((uint32_t)(h) & (mask))

/* }====== */

#endif
