/*
** ds_matchsort.h -- match sets ordered and counted by what their tokens are: CQP's `sort
** by`, `count by` / `group`, in C over lexicon ids (strings compared once per lexicon
** entry, never per match).
**
** A key reads one attribute of the token at an anchor of each match plus an offset:
** `match[-2] word`, `matchend[1] lemma %c`, `target pos`, a label. A token outside the
** match's document, or an anchor the match did not set, reads as "" (sorted first).
**
**   ds_sortkey k = {DS_ATTR_LEMMA, DS_ANCHOR_MATCHEND, 1, DS_SORT_FOLD};
**   ds_matchset_sort_by(c, &ms, &k, 1, &e);      -- matches in order of the lemma after
**   ds_matchset_group(c, &ms, &k, 1, each, ctx, &e);   -- each(ctx, {"say"}, 12) ..., most first
*/
#ifndef DS_MATCHSORT_H
#define DS_MATCHSORT_H

#include "ds_matchset.h"
#include "ds_store.h"

/* Anchors a key reads at (else: an anchor column of the set, 0 target, 1 keyword, 2.. labels). */
#define DS_ANCHOR_MATCH (-1)
#define DS_ANCHOR_MATCHEND (-2)

/* Flags of a key. */
#define DS_SORT_FOLD    0x01   /* %c: case-folded */
#define DS_SORT_REVERSE 0x02   /* strings read backwards (by their ends, as `reverse`) */
#define DS_SORT_DESC    0x04   /* descending */
#define DS_SORT_INMATCH 0x08   /* a token outside the match reads as "" (keys match[0],
                                  match[1] ... compare the match itself, shorter first) */

typedef struct ds_sortkey {
  int attr;             /* DS_ATTR_* */
  int anchor;           /* DS_ANCHOR_MATCH, _MATCHEND, or an anchor column */
  int offset;           /* tokens from the anchor (-2: two before) */
  int flags;            /* DS_SORT_* */
} ds_sortkey;

/*
** Reorder m by the keys, in order (ties: corpus order). Errors: DS_MISUSE (an anchor
** column the set lacks), DS_NOMEM, the store's.
*/
int ds_matchset_sort_by(ds_corpus *c, ds_matchset *m, const ds_sortkey *aKey, size_t nKey,
                        ds_error *e);

/*
** Count m's matches by the keys' values: xGroup(ctx, azValue (nKey strings), count) per
** distinct tuple, most frequent first (ties by the strings). Nonzero from xGroup stops
** with DS_DONE.
*/
int ds_matchset_group(ds_corpus *c, const ds_matchset *m, const ds_sortkey *aKey, size_t nKey,
                      int (*xGroup)(void *ctx, const char *const *azValue, int64_t n), void *ctx,
                      ds_error *e);

/*
** The strings the keys compare for matches [from, to) of m, as compared (folded with
** %c, reversed with `reverse`; "" for a token the key does not reach): xRow(ctx, i,
** azValue) per match, so results of several corpora sorted alike can be merged. Nonzero
** from xRow stops with DS_DONE.
*/
int ds_matchset_key_strings(ds_corpus *c, const ds_matchset *m, size_t from, size_t to,
                            const ds_sortkey *aKey, size_t nKey,
                            int (*xRow)(void *ctx, size_t i, const char *const *azValue), void *ctx,
                            ds_error *e);

/*
** Set operations on (first, last) of sets in corpus order, as CQP's `union` (join),
** `inter` and `diff`: into out (emptied first; anchors are not carried). DS_OK, DS_NOMEM.
*/
enum { DS_SET_UNION = 1, DS_SET_INTERSECT, DS_SET_MINUS };
int ds_matchset_combine(const ds_matchset *a, const ds_matchset *b, int eOp, ds_matchset *out);

#endif
