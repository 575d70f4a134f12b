/*
** cql_idset.h -- a CQL value resolved against one attribute's lexicon: the set of lexicon
** ids it matches (internal to the query engine: ds_eval.c, cql_vm.c).
**
** A literal is looked up (one id, or none); a regular expression (PCRE2, UTF mode, whole
** value, JIT when the platform has it) and a %d value run over the lexicon once, never
** over the text. A regex hitting its match or depth limit on some entry is an error,
** never a silent miss.
*/
#ifndef CQL_IDSET_H
#define CQL_IDSET_H

#include "ds_store.h"

/* Limits of one regex on one lexicon entry (PCRE2's match and depth limits), pattern size. */
#define CQL_REGEX_MATCH_LIMIT 200000
#define CQL_REGEX_DEPTH_LIMIT 5000
#define CQL_REGEX_MAX_PATTERN 4096

typedef struct cql_idset {
  int attr;             /* the attribute whose ids these are (norm for a %c literal) */
  uint64_t *aBits;      /* bit id set for every id in the set, ids < nBits (owned) */
  uint32_t nBits;
  uint32_t *aId;        /* the ids, in no set order (owned) */
  size_t nId;
  int64_t freq;         /* their frequencies summed */
  int bIndexed;         /* every id has postings */
} cql_idset;

/*
** Resolve value z[0..n) with flags (DS_CQL_LITERAL, _FOLD, _DIACR) on attr into *s
** (zeroed first; free with cql_idset_free). Errors (DS_QUERY) name byte offset iAt of
** zQuery: a bad regex with PCRE2's message, a regex over its limits.
*/
int cql_idset_resolve(ds_corpus *c, int attr, const char *z, size_t n, int flags, cql_idset *s,
                      const char *zQuery, size_t iAt, ds_error *e);

void cql_idset_free(cql_idset *s);

/* A compiled value (regex, or literal with %l/%d) for matching single strings. */
typedef struct cql_regex cql_regex;
int cql_regex_new(const char *z, size_t n, int flags, cql_regex **pre, const char *zQuery,
                  size_t iAt, ds_error *e);
/* Does z[0..n) match as a whole? 1, 0, or < 0 (a PCRE2 error: over the limits). */
int cql_regex_test(cql_regex *re, const char *z, size_t n);
void cql_regex_free(cql_regex *re);

static inline int cql_idset_has(const cql_idset *s, uint32_t id) {
  return id < s->nBits && (s->aBits[id >> 6] >> (id & 63) & 1);
}

#endif
