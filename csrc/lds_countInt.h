/*
** lds_countInt.h -- what the counting methods (lds_count.c) and core.merge (lds_merge.c)
** share: the `dossier.counts` box holding what one call allocates, and the helpers both
** read arguments and write TSV with. Only lds_count.c and lds_merge.c include it.
*/
#ifndef LDS_COUNTINT_H
#define LDS_COUNTINT_H

#include "lds.h"
#include "ds_count.h"

#define LDS_COUNTS "dossier.counts"

/* Everything one call may allocate; freed by __gc, or at once by lds_counts_done. */
typedef struct counts_box {
  ds_matchset ms;
  ds_freq f, fy;
  ds_colloc co;
  ds_seqs *seqs;
  ds_lexstrs lex;
  ds_lexstrs aLex[DS_NATTR];   /* doc_tokens: every attribute's */
  ds_parts_count parts;
  size_t *aIdx;                /* an order of b->seqs (ds_seqs_order) */
  size_t nRow;                 /* as rows (count_ngrams with `rows`): aIdx's entries */
} counts_box;

#define LEXSTR(l, id) ((const char *)(l)->text.p + (l)->aOff[id]), ((l)->aOff[(id) + 1] - (l)->aOff[id])

/* (their contracts are at their definitions in lds_count.c) */
counts_box *lds_counts_new(lua_State *L);
void lds_counts_done(lua_State *L, int i);
int lds_check_attr(lua_State *L, int i);
void lds_refresh(lua_State *L, ds_corpus *c);
void lds_load_lexicon(lua_State *L, ds_corpus *c, int attr, counts_box *b);
counts_box *lds_collocate_counts(lua_State *L, int k, ds_corpus *c, const unsigned char **pabDoc,
                                 int64_t *pnTok, int *pBox);
int lds_tsv_plain(const char *z, size_t n);
void lds_put_int(ds_buf *out, int64_t v);

#endif
