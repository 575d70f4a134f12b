/*
** ds_lemma.h -- English lemmatizer: treebank lexicon, WordNet exceptions, suffix rules.
**
** A lemma is found, in order, by:
**   1. the lexicon learned from UD English EWT train: (form, UPOS, XPOS) and then
**      (form, UPOS) -> the lemma the treebank gives it most often, first for the form as
**      written, then lower-cased (`Was`/AUX -> be, `n't`/PART -> not, `her`/PRP -> she,
**      `her`/PRP$ -> her);
**   2. the WordNet 3.0 exception lists for nouns, verbs (also AUX), adjectives and adverbs
**      (`geese` -> goose, `went` -> go, `better` -> good);
**   3. rules by UPOS, refined by the Penn XPOS when given: proper nouns keep their form
**      (NNPS drop a plural -s: `Americans` -> American); nouns, verbs and adjectives lose
**      inflectional suffixes (Morphy's detachment rules, plus undoubling: `running` -> run),
**      the first candidate that is a known lemma (WordNet's lemma lists and the treebank's
**      lemmas) winning, else a fallback rule; everything else is lower-cased (punctuation,
**      symbols and numerals in digits are kept as written, but for thousands separators:
**      `12,000` -> 12000).
** As in UD English, lemmas are lower case except for proper nouns and `I`.
**
** The data (corpus/models/en-ewt.lemmas, made by tools/train_tagger) is loaded with one
** read and read-only afterwards: a ds_lemmatizer may be shared by threads.
**
**   ds_lemmatizer *l; ds_buf out = DS_BUF_INIT;
**   if (ds_lemma_load("corpus/models/en-ewt.lemmas", &l, &err)) die(err.msg);
**   ds_lemmatize(l, "running", 7, "VERB", "VBG", &out);   -- out holds "run" (no NUL)
**   ds_buf_free(&out); ds_lemma_free(l);
**
** File format (version 1, little-endian):
**   header, 48 bytes: "DSLEMMAS", u32 version, u32 nLexSlot, u32 nSetSlot, u32 nPool,
**     u32 reserved, u32 reserved, u64 nBody (bytes after the header), u64 FNV-1a 64 of body
**   u32[2*nLexSlot]  lexicon slots: fingerprint (0 = empty) of hash(key bytes, kind),
**                    value: bits 0-1 = 0 string at pool offset (bits 2-31), 1 lower-case
**                    form, 2 form as written
**   u32[nSetSlot]    known-lemma set: fingerprints of hash(lemma, part of speech)
**   char[nPool]      NUL-terminated lemma strings, padded to 4 bytes
*/
#ifndef DS_LEMMA_H
#define DS_LEMMA_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_model.h"

#define DS_LEMMA_VERSION 1

typedef struct ds_lemmatizer ds_lemmatizer;

/*
** Load the lemma data file zPath (*pp, freed with ds_lemma_free). Errors as for
** ds_tagger_load: DS_IO, DS_FORMAT (not a lemma file), DS_VERSION_MISMATCH, DS_CORRUPT;
** the message names zPath.
*/
int ds_lemma_load(const char *zPath, ds_lemmatizer **pp, ds_error *e);

/* Same from an image in memory (copied); zName names it in errors. */
int ds_lemma_load_mem(const void *p, size_t n, const char *zName, ds_lemmatizer **pp,
                      ds_error *e);

/* Free a lemmatizer. Safe with NULL. */
void ds_lemma_free(ds_lemmatizer *l);

/*
** Append the lemma of the n bytes at zWord (UTF-8) to out, given its UPOS name ("NOUN")
** and, when known, its Penn XPOS name ("NNS"; may be NULL). Unknown or NULL UPOS names
** are treated like X (form kept). Invalid UTF-8 is copied as is. Returns DS_OK, or
** DS_NOMEM when out could not grow (out->rc is set too).
*/
int ds_lemmatize(const ds_lemmatizer *l, const char *zWord, size_t n, const char *zUpos,
                 const char *zXpos, ds_buf *out);

/*
** {====== Interface for the builder (tools/train_tagger.c) ======
*/

/* The envelope of lemma files (ds_model.h): magic, version, 48-byte header. The
   header's fields, in order: nLexSlot, nSetSlot, nPool. */
extern const ds_model_fmt ds_lemma_fmt;

/* Key kinds for lexicon and set hashes. */
enum {
  DS_LEMMA_K_EXACT = 0,   /* + UPOS id: the form as written */
  DS_LEMMA_K_LOWER = 32,  /* + UPOS id: the form lower-cased */
  DS_LEMMA_K_EXC = 64,    /* + DS_LEMMA_P_*: a WordNet exception (lower-cased form) */
  DS_LEMMA_K_SET = 96,    /* + DS_LEMMA_P_*: a known lemma */
  DS_LEMMA_K_XPOS = 128   /* + UPOS id, XPOS after the form: the form as written */
};
enum { DS_LEMMA_P_NOUN = 0, DS_LEMMA_P_VERB, DS_LEMMA_P_ADJ, DS_LEMMA_P_ADV };

/* Id of a UPOS name in UD's list of 17 (ADJ = 0 ... X = 16), or -1. */
int ds_lemma_upos_id(const char *zUpos);

/* Hash of n bytes under a key kind (DS_LEMMA_K_* + id). */
uint64_t ds_lemma_hash(const char *z, size_t n, unsigned kind);

/* Hash of the key (form as written, UPOS id, XPOS name). */
uint64_t ds_lemma_hash_xpos(const char *z, size_t n, unsigned upos, const char *zXpos);

/* }====== */

#endif
