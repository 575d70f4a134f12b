/*
** ds_matchset.h -- match sets: what a query finds, in corpus order.
**
** A match is the inclusive corpus positions of its first and last token (CQP's `match`
** and `matchend`). A set may also carry anchor columns (CQP's `@` target, the keyword,
** named labels): column j holds, for match i, aaAnchor[j][i], the corpus position the
** query marked, or -1 when the match did not set it. Which column is which is the
** query's business (ds_eval.h: target first, keyword next, labels after them in the
** order the query names them); the set only keeps them in step with the matches.
**
** A set is a plain struct the caller owns, empty at DS_MATCHSET_INIT; the evaluator
** appends to it and the caller frees it with ds_matchset_free:
**
**   ds_matchset ms = DS_MATCHSET_INIT;
**   if (ds_matchset_add(&ms, 10, 12) < 0) ...                 -- DS_NOMEM
**   for (size_t i = 0; i < ms.n; i++) use(ms.a[i].first, ms.a[i].last);
**   ds_matchset_free(&ms);
*/
#ifndef DS_MATCHSET_H
#define DS_MATCHSET_H

#include "ds.h"

/* A match: inclusive corpus positions of its first and last token. */
typedef struct ds_match {
  int64_t first;
  int64_t last;
} ds_match;

/* Most anchor columns a set can have. */
#define DS_MATCHSET_MAX_ANCHORS 64

typedef struct ds_matchset {
  ds_match *a;          /* matches in corpus order (owned) */
  size_t n, nAlloc;     /* matches, and room for them in a and in each column */
  size_t nAnchor;       /* anchor columns (0 unless ds_matchset_anchors made some) */
  int64_t **aaAnchor;   /* nAnchor columns of nAlloc positions, -1 when unset (owned) */
  int64_t nCut;         /* starts whose match was cut by the longest match allowed (ds_eval.h) */
} ds_matchset;

#define DS_MATCHSET_INIT {NULL, 0, 0, 0, NULL, 0}

/*
** Give the set nAnchor anchor columns (at most DS_MATCHSET_MAX_ANCHORS), every entry
** -1; only while it holds no match, or with the number it has. DS_OK, DS_NOMEM, or
** DS_MISUSE.
*/
int ds_matchset_anchors(ds_matchset *m, size_t nAnchor);

/*
** Append the match (first, last), its anchors unset (-1). Returns its index, or -1 when
** out of memory (the set is unchanged).
*/
int64_t ds_matchset_add(ds_matchset *m, int64_t first, int64_t last);

/* Set anchor column j of match i to corpus position pos (-1 unsets it). */
static inline void ds_matchset_set_anchor(ds_matchset *m, size_t i, size_t j, int64_t pos) {
  m->aaAnchor[j][i] = pos;
}

/* Anchor column j of match i: a corpus position, or -1. */
static inline int64_t ds_matchset_anchor(const ds_matchset *m, size_t i, size_t j) {
  return m->aaAnchor[j][i];
}

/*
** Put the matches in corpus order (by first, then last; anchors move with them) and
** drop repeats of the same (first, last), keeping the first of each. For evaluators
** that find matches out of order (alternations, several drivers). DS_OK or DS_NOMEM.
*/
int ds_matchset_sort(ds_matchset *m);

/* Copy match `from` (and its anchors) over match `to` (to <= from; for filtering in place). */
void ds_matchset_move(ds_matchset *m, size_t to, size_t from);

/*
** CQP's reductions after its matcher, on the matches from index `from` on (in order of
** their starts, at most one per start), keeping the order:
**   DS_MATCHSET_LEFTMOST  of the matches ending at the same token, the one starting
**                         first (the `standard` strategy: leading optional elements in)
**   DS_MATCHSET_MINIMAL   drop every match that holds another (`shortest`)
**   DS_MATCHSET_MAXIMAL   drop every match another holds (`longest`)
** DS_OK or DS_NOMEM.
*/
enum { DS_MATCHSET_LEFTMOST = 1, DS_MATCHSET_MINIMAL, DS_MATCHSET_MAXIMAL };
int ds_matchset_reduce(ds_matchset *m, size_t from, int eHow);

/* Empty the set, keeping its columns and memory. */
void ds_matchset_clear(ds_matchset *m);

/* Free what the set holds; it is DS_MATCHSET_INIT again. Safe on an empty set. */
void ds_matchset_free(ds_matchset *m);

#endif
