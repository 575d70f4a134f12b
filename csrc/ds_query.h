/*
** ds_query.h -- queries over a corpus: a sequence of token constraints.
**
** This is the first subset of CQL, which the CQL issue grows into the full dialect:
**   "digital" "silk" "road"     literal strings (a string that holds several tokens,
**                                such as "Sino-Russian", stands for their sequence)
**   "china"%c                    case-insensitive (matches the `norm` attribute)
**   [word="Russia"] [norm!="the"] [] 
**   sovereignty                  a bare word is a literal string
** Strings are literal in this version; a backslash escapes the next character.
**
**   ds_query *q; ds_matchset ms = DS_MATCHSET_INIT;
**   if (ds_query_compile(c, "\"digital\" \"silk\"", &q, &err) == DS_OK) {
**     if (ds_query_run(c, q, &ms, &err) == DS_OK) ... ms.a[i].first ...
**     ds_query_free(q); ds_matchset_free(&ms);
**   }
*/
#ifndef DS_QUERY_H
#define DS_QUERY_H

#include "ds_store.h"

typedef struct ds_query ds_query;

/* Longest query, in token constraints: longer ones are refused (their time grows with it). */
#define DS_QUERY_MAX_TOKENS 1000

/* A match: inclusive corpus positions of its first and last token. */
typedef struct ds_match {
  int64_t first;
  int64_t last;
} ds_match;

typedef struct ds_matchset {
  ds_match *a;          /* matches in corpus order (owned) */
  size_t n, nAlloc;
} ds_matchset;

#define DS_MATCHSET_INIT {NULL, 0, 0}

/*
** Compile zQuery against corpus c. Errors (DS_QUERY) give the 1-based character
** position in the message ("... at position 7") and the byte offset in e->offset.
*/
int ds_query_compile(ds_corpus *c, const char *zQuery, ds_query **pq, ds_error *e);

void ds_query_free(ds_query *q);

/* Number of tokens a match of q spans. */
size_t ds_query_length(const ds_query *q);

/* Append every match of q in c to *pOut, in corpus order. */
int ds_query_run(ds_corpus *c, const ds_query *q, ds_matchset *pOut, ds_error *e);

void ds_matchset_free(ds_matchset *m);

#endif
