/*
** ds_tagger.h -- part-of-speech tagger: averaged perceptron, UPOS and Penn XPOS at once.
**
** The tagger reads one sentence of tokens (UTF-8 strings with lengths, gold or
** tokenizer output) and gives every token a UPOS tag (the 17 Universal Dependencies
** tags) and a Penn Treebank XPOS tag. It predicts the pair as one class, so the two
** always agree (no `PROPN`/`VBZ`). Decoding is greedy, left to right; the features of a
** token are its lower-cased form, prefixes and suffixes, shape, capitalisation, digits,
** hyphen parts, the words and suffixes two to each side, the classes a training-set
** lexicon allows for it and its right neighbours, and the two previous predicted tags.
** Frequent words that the training data always tags the same way skip the model.
**
** A model (corpus/models/en-ewt.tagger, made by tools/train_tagger) is loaded with one
** read into one block and never written afterwards: one ds_tagger may be shared by any
** number of threads. Tagging allocates nothing and keeps its state on the stack, so
** sentences of any length work and the tagger is reentrant.
**
**   ds_tagger *t; ds_error err;
**   if (ds_tagger_load("corpus/models/en-ewt.tagger", &t, &err)) die(err.msg);
**   const char *az[] = {"They", "run", "."}; size_t an[] = {4, 3, 1};
**   uint8_t up[3], xp[3];
**   ds_tagger_tag(t, az, an, 3, up, xp);        -- PRON VERB PUNCT / PRP VBP .
**   printf("%s/%s\n", ds_tagger_upos_name(t, up[1]), ds_tagger_xpos_name(t, xp[1]));
**   ds_tagger_free(t);
**
** Model file format (version 1; all integers little-endian; the host must be too):
**
**   header, 64 bytes:
**     0  char[8]  magic "DSTAGGER"
**     8  u32      format version (DS_TAGGER_VERSION)
**     12 u32      nClass   joint (UPOS, XPOS) classes, < 255
**     16 u32      nUpos, 20 u32 nXpos   tag names, each <= 255
**     24 u32      nFeatSlot   feature hash slots (power of two)
**     28 u32      nEntry      weight entries
**     32 u32      nLexSlot    lexicon hash slots (power of two)
**     36 u32      nName       bytes of the name block
**     40 u32      reserved (0)
**     44 u32      reserved (0)
**     48 u64      nBody       bytes after the header (the file is exactly 64 + nBody)
**     56 u64      FNV-1a 64 checksum of the body
**   body, each part padded to 4 bytes:
**     u8[2*nClass]       class c = (UPOS id, XPOS id)
**     u32[2*nFeatSlot]   feature slots (fingerprint, first entry << 8 | entry count);
**                        fingerprint 0 = empty slot; linear probing from hash & mask;
**                        count DS_TAGGER_DENSE = a dense row: (nClass+1)/2 entries
**                        holding an int16 weight per class, class c at int16 index c
**                        (features that weigh most classes: added with vector code)
**     u32[nEntry]        weight entries: class in bits 0-7, signed weight in bits 8-31
**                        (weights are averaged perceptron weights x 64)
**     u32[2*nLexSlot]    lexicon slots (fingerprint of the lower-cased word,
**                        ambiguity-class signature << 8 | unambiguous class + 1 or 0)
**     char[nName]        UPOS names then XPOS names, each NUL-terminated
*/
#ifndef DS_TAGGER_H
#define DS_TAGGER_H

#include "ds.h"
#include "ds_model.h"

#define DS_TAGGER_VERSION 1

/* A loaded model: read-only, shareable between threads. */
typedef struct ds_tagger ds_tagger;

/*
** Load the model file zPath into a new tagger (*pp, freed with ds_tagger_free). Fails
** with DS_IO when the file cannot be read, DS_FORMAT when it is not a tagger model
** (wrong magic), DS_VERSION_MISMATCH for a newer format version and DS_CORRUPT when it
** is truncated, its checksum does not match or its tables are inconsistent; the
** message names zPath. *pp is NULL on failure.
*/
int ds_tagger_load(const char *zPath, ds_tagger **pp, ds_error *e);

/*
** Same as ds_tagger_load from a model image in memory (n bytes at p, copied; the
** caller keeps p). zName names the image in error messages.
*/
int ds_tagger_load_mem(const void *p, size_t n, const char *zName, ds_tagger **pp,
                       ds_error *e);

/* Free a tagger. Safe with NULL. */
void ds_tagger_free(ds_tagger *t);

/*
** Tag one sentence of n tokens: token i is the anWord[i] bytes at azWord[i] (UTF-8; any
** bytes are accepted, empty tokens too). Writes the tags' ids to aUpos[i] and aXpos[i]
** (either may be NULL when not wanted). Returns DS_OK, or DS_MISUSE for NULL arguments
** (n == 0 is fine). Allocates nothing; thread-safe on a shared tagger.
*/
int ds_tagger_tag(const ds_tagger *t, const char *const *azWord, const size_t *anWord,
                  size_t n, uint8_t *aUpos, uint8_t *aXpos);

/*
** A cache of what tagging works out for each word, for one thread (or one caller at a
** time) that tags much text with one tagger: a word's token information and, once
** needed, the summed weights of the features that depend on that word alone (as the
** token tagged, and as the one before or after it), and those of each pair of previous
** tags. A token then costs a few vector additions and seven lookups instead of ~38. The
** sums are of integers, so the tags are exactly those of ds_tagger_tag. It holds the last
** word seen in each of up to nSlot slots (a power of two, rounded up; 0: 16384), 768
** bytes each with the EWT model's 102 classes (12 MB, and up to 2.2 MB for the tag
** pairs); it starts with 1,024 and grows while it meets many new words. Words of more
** than DS_TAGGER_CACHE_KEY bytes are analysed each time.
*/
typedef struct ds_tagger_cache ds_tagger_cache;

#define DS_TAGGER_CACHE_KEY 31

/* A new empty cache for tagger t (which must outlive it), or NULL when out of memory. */
ds_tagger_cache *ds_tagger_cache_new(const ds_tagger *t, size_t nSlot);

/* Free a cache. Safe with NULL. */
void ds_tagger_cache_free(ds_tagger_cache *c);

/* The tagger a cache belongs to. */
const ds_tagger *ds_tagger_cache_tagger(const ds_tagger_cache *c);

/*
** ds_tagger_tag with a cache c made for t (NULL: none, then it is ds_tagger_tag). The
** same tags; DS_MISUSE also when c belongs to another tagger. Not thread-safe on one c.
*/
int ds_tagger_tag_cached(const ds_tagger *t, ds_tagger_cache *c, const char *const *azWord,
                         const size_t *anWord, size_t n, uint8_t *aUpos, uint8_t *aXpos);

/* Number of UPOS / XPOS tags of the model; ids are 0 .. n-1. */
int ds_tagger_nupos(const ds_tagger *t);
int ds_tagger_nxpos(const ds_tagger *t);

/* Name of a UPOS / XPOS id ("NOUN", "NNS"), or NULL for an id out of range. */
const char *ds_tagger_upos_name(const ds_tagger *t, int id);
const char *ds_tagger_xpos_name(const ds_tagger *t, int id);

/* Id of a UPOS / XPOS name, or -1 when the model does not have it. */
int ds_tagger_upos_id(const ds_tagger *t, const char *zName);
int ds_tagger_xpos_id(const ds_tagger *t, const char *zName);

/*
** {====== Interface for the trainer (tools/train_tagger.c) ======
** Training must see exactly the features tagging computes, so the trainer uses these
** instead of a copy. Not needed to tag.
*/

/* What the features need to know of one token; filled by ds_tagger_tokinfo. */
typedef struct ds_tagtok {
  uint64_t hLow;        /* hash of the lower-cased form */
  uint64_t hShape;      /* hash of the word shape (Xx, d.d, x-x, ...) */
  uint64_t ahSuf[5];    /* hashes of the last 1..5 characters, lower-cased */
  uint64_t ahPre[3];    /* hashes of the first 1..3 characters, lower-cased */
  uint64_t hHyph;       /* hash of the part after the last inner hyphen, or 0 */
  uint32_t mFlag;       /* DS_TT_* bits */
  uint32_t uLex;        /* lexicon value: ambiguity signature << 8 | class + 1 */
} ds_tagtok;

#define DS_TT_UPPER1  0x01  /* first character is an upper-case letter */
#define DS_TT_ALLCAP  0x02  /* letters, all upper case, more than one */
#define DS_TT_DIGIT   0x04  /* has a digit */
#define DS_TT_HYPHEN  0x08  /* has an inner hyphen */
#define DS_TT_ALPHA   0x10  /* has a letter */
#define DS_TT_PUNCT   0x20  /* only ASCII punctuation */
#define DS_TT_NONASC  0x40  /* has non-ASCII bytes */
#define DS_TT_LONG    0x80  /* more than 12 bytes */

/* Hash a lower-cased word (the lexicon's key); same function as hLow. */
uint64_t ds_tagger_hash_lower(const char *z, size_t n);

/*
** Fill *pTok for the n bytes at z, looking the word up in the lexicon slots aLex
** (2 u32 per slot, mask = slots - 1; aLex may be NULL for none).
*/
void ds_tagger_tokinfo(const char *z, size_t n, const uint32_t *aLex, uint32_t mask,
                       ds_tagtok *pTok);

/* The envelope of tagger model files (ds_model.h): magic, version, 64-byte header. The
   header's fields, in order: nClass, nUpos, nXpos, nFeatSlot, nEntry, nLexSlot, nName. */
extern const ds_model_fmt ds_tagger_fmt;

/* Entry count of a feature slot that means "dense row" (so at most 254 classes). */
#define DS_TAGGER_DENSE 255

/* Most features one token can have. */
#define DS_TAGGER_MAXFEAT 48

/*
** Write the feature hashes of the token win[2] to aOut (at most DS_TAGGER_MAXFEAT),
** given its neighbours win[0], win[1], win[3], win[4] (NULL outside the sentence) and
** the classes of the two previous tokens (-1 before the start). Returns the count.
*/
size_t ds_tagger_feats(const ds_tagtok *const win[5], int t1, int t2, uint64_t *aOut);

/*
** The same features as ds_tagger_feats, grouped the way a ds_tagger_cache sums them
** (so a test can check that the groups are exactly the templates): the token's own, the
** neighbours' as p1, n1, p2, n2, then those of the tags and of pairs of words.
*/
size_t ds_tagger_feats_grouped(const ds_tagtok *const win[5], int t1, int t2, uint64_t *aOut);

/* Fingerprint stored in a slot for hash h (never 0), and the first slot to probe. */
#define DS_TAGGER_FP(h) ((uint32_t)((h) >> 32) | 1u)
#define DS_TAGGER_SLOT(h, mask) ((uint32_t)(h) & (mask))

/* }====== */

#endif
