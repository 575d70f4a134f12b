/*
** ds_eval.h -- running a query tree (ds_cql.h) over a corpus: bind, plan, match.
**
** ds_eval_bind looks the tree's values up in the corpus's lexicons (ds_corpus_lookup) and
** makes a plan; ds_eval_run finds its matches. The plan for a sequence of tokens:
**   - a value the corpus does not have, required (`=`) somewhere: no matches, no reading;
**   - the rarest required value with postings drives (its posting cursor); the other
**     required values with postings are intersected with it, cursor against cursor with
**     seek (leapfrog: each cursor jumps over its skip blocks to where the others are),
**     unless the driver has few positions (under 64): then they are checked in the stream;
**   - what postings cannot answer (`!=`, values without postings such as `_`) is checked
**     in the token stream, one window of the document per candidate (ds_corpus_window);
**   - with no required value at all, every position of every document is a candidate.
** A candidate counts when the whole match lies in one live document (positions of
** removed documents are still in the postings: they are skipped).
**
** Today the evaluator takes what the parser makes (sequences, tokens, `=`/`!=` on one
** attribute, %c); other node kinds are refused with DS_QUERY ("... not supported yet")
** at their place in the query.
**
**   ds_eval *p; ds_matchset ms = DS_MATCHSET_INIT;
**   if (ds_eval_bind(c, tree, &p, &e) == DS_OK) {     -- the tree may be freed after
**     if (ds_eval_run(c, p, &ms, &e) == DS_OK) ... ms.a[i].first ...
**     ds_eval_free(p);
**   }
**   ds_matchset_free(&ms);
*/
#ifndef DS_EVAL_H
#define DS_EVAL_H

#include "ds_cql.h"
#include "ds_matchset.h"
#include "ds_store.h"

typedef struct ds_eval ds_eval;

/*
** Bind tree t to corpus c (its lexicons as they are now): a new plan in *pp, freed with
** ds_eval_free. Errors: DS_QUERY (a construct not supported yet, at its offset), DS_SQL,
** DS_NOMEM. The plan does not point into t.
*/
int ds_eval_bind(ds_corpus *c, const ds_cql *t, ds_eval **pp, ds_error *e);

void ds_eval_free(ds_eval *p);

/* Fewest tokens a match of p spans. */
size_t ds_eval_length(const ds_eval *p);

/* Anchor columns its match sets carry: 0, or 2 + labels (target, keyword, the labels). */
size_t ds_eval_anchors(const ds_eval *p);

/* The name of anchor column j: "target", "keyword", a label's name; NULL past the end. */
const char *ds_eval_anchor_name(const ds_eval *p, size_t j);

/* The longest match allowed, in tokens (matchset nCut counts starts cut there). */
int64_t ds_eval_cut_limit(const ds_eval *p);

/*
** The documents a global constraint on metadata alone (`:: doc.kind = "news"`) lets
** through: one byte per document (ds_corpus_ndocs; nonzero: in), owned by p; NULL when
** the query has no such constraint. For subcorpora (--where) evaluated as `::` is.
** Each document is asked about now (see cql_meta_doc): errors as ds_eval_bind's.
*/
int ds_eval_docset(ds_corpus *c, const ds_eval *p, const unsigned char **paOk, ds_error *e);

/* Append every match of p in c to *pOut, in corpus order. */
int ds_eval_run(ds_corpus *c, const ds_eval *p, ds_matchset *pOut, ds_error *e);

/*
** The same for documents [k0, k1) only (ds_corpus_doc order; k1 past the last: to the
** end): their matches are those ds_eval_run finds in them (a match never crosses
** documents), and only their positions are read, so a caller can go through a large
** corpus a slice at a time in bounded memory.
*/
int ds_eval_run_docs(ds_corpus *c, const ds_eval *p, size_t k0, size_t k1, ds_matchset *pOut, ds_error *e);

/*
** The number of matches of a plan of one token constraint on one attribute (`"the"`,
** `[lemma="cooperat.*"]`, `[word!="the"]`, `[]`) with no structure, metadata, `within`,
** `containing` or `expand`, from the lexicon's frequencies, without reading a posting:
** 1 and *pn, or 0 when the plan is not such a one (run it instead), or -1 when it is but
** counts every token (`[]`, `!=`) of a corpus whose documents' rows are not read yet
** (DS_OPEN_LAZY_DOCS: ds_corpus_load_docs, then ask again).
*/
int ds_eval_count_by_freq(ds_corpus *c, const ds_eval *p, int64_t *pn);

/*
** Append the plan in words to out, e.g.
**   "tokens 2; driver 1 word#812 (63); cursor 0 word#3 (60211); stream: 0 norm!=#5"
** (positions in the sequence, attribute#lexicon id (postings)), for tests and `explain`.
*/
int ds_eval_explain(const ds_eval *p, ds_buf *out);

#endif
