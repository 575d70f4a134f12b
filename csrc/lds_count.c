/*
** lds_count.c -- the counting of the analysis recipes (ds_count.h) as corpus methods.
** Each returns one compact table of parallel arrays (values, freq, range, ...) that
** the recipes in lua/dossier/recipes/ turn into rows. Arguments shared by all:
**   attr    an attribute name ("word", "norm", "lemma", "pos", "xpos")
**   docs    nil (every document) or a string of one byte per document (corpus:docs()
**           order), "\1" for a document in the subcorpus, "\0" for one out of it
**   query   a CQL query (ds_query.h), run here, or a dossier.matchset of this corpus
**           (corpus:query), whose matches are read where they are (in corpus order)
** What C allocates sits in a `dossier.counts` userdata until it is pushed, so a Lua
** error on the way (out of memory) leaks nothing. Also here: rows kept in C, and TSV
** text from columns (core.tsv_columns). core.merge is lds_merge.c; what the two files
** share is lds_countInt.h.
*/
#include "lds.h"
#include "lds_countInt.h"
#include "ds_query.h"
#include "ds_store.h"
#include "ds_utf8.h"

#include <stdio.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int counts_gc(lua_State *L) {
  counts_box *b = luaL_checkudata(L, 1, LDS_COUNTS);
  ds_matchset_free(&b->ms);
  ds_freq_free(&b->f);
  ds_freq_free(&b->fy);
  ds_colloc_free(&b->co);
  ds_seqs_free(b->seqs);
  b->seqs = NULL;
  ds_lexstrs_free(&b->lex);
  for (int a = 0; a < DS_NATTR; a++) ds_lexstrs_free(&b->aLex[a]);
  ds_parts_count_free(&b->parts);
  ds_free(b->aIdx);
  b->aIdx = NULL;
  b->nRow = 0;
  return 0;
}

counts_box *lds_counts_new(lua_State *L) {
  counts_box *b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  b->ms = (ds_matchset)DS_MATCHSET_INIT;
  b->lex = (ds_lexstrs)DS_LEXSTRS_INIT;
  for (int a = 0; a < DS_NATTR; a++) b->aLex[a] = (ds_lexstrs)DS_LEXSTRS_INIT;
  luaL_setmetatable(L, LDS_COUNTS);
  return b;
}

/* Free the box at stack index i now (the result is pushed). */
void lds_counts_done(lua_State *L, int i) {
  lua_pushcfunction(L, counts_gc);
  lua_pushvalue(L, i);
  lua_call(L, 1, 0);
}

int lds_check_attr(lua_State *L, int i) {
  const char *z = luaL_checkstring(L, i);
  int a = ds_attr_find(z);
  if (a < 0) luaL_argerror(L, i, lua_pushfstring(L, "no attribute '%s'", z));
  return a;
}

/* The document set at index i: NULL for nil, else one byte per document. */
const unsigned char *lds_check_docs(lua_State *L, int i, ds_corpus *c) {
  if (lua_isnoneornil(L, i)) return NULL;
  size_t n;
  const char *z = luaL_checklstring(L, i, &n);
  luaL_argcheck(L, n == ds_corpus_ndocs(c), i, "one byte per document expected");
  return (const unsigned char *)z;
}

void lds_refresh(lua_State *L, ds_corpus *c) {
  ds_error e;
  if (ds_corpus_refresh(c, &e)) lds_raise(L, &e);
}

/* Run query string at index i into b->ms. */
void lds_run_query(lua_State *L, int i, ds_corpus *c, ds_matchset *ms) {
  size_t n;
  const char *z = luaL_checklstring(L, i, &n);
  if (strlen(z) != n) luaL_error(L, "a NUL byte in the query at position %d", (int)strlen(z) + 1);
  ds_query *q;
  ds_error e;
  if (ds_query_compile(c, z, &q, &e)) lds_raise(L, &e);
  int rc = ds_query_run(c, q, ms, &e);
  ds_query_free(q);
  if (rc) lds_raise(L, &e);
}

/*
** The matches at index i: a query string run into b->ms, or the set of a dossier.matchset
** of corpus c (argument 1), used in place.
*/
/* The set of the dossier.matchset at index i, which must be of corpus c (argument 1). */
static ds_matchset *own_matchset(lua_State *L, int i) {
  ds_matchset *ms = lds_check_matchset(L, i);
  lua_getiuservalue(L, i, 1);
  int same = lua_rawequal(L, -1, 1);
  lua_pop(L, 1);
  luaL_argcheck(L, same, i, "the matches of another corpus");
  return ms;
}

static const ds_matchset *matches(lua_State *L, int i, ds_corpus *c, counts_box *b) {
  if (lua_type(L, i) == LUA_TSTRING) {
    lds_run_query(L, i, c, &b->ms);
    return &b->ms;
  }
  return own_matchset(L, i);
}

void lds_load_lexicon(lua_State *L, ds_corpus *c, int attr, counts_box *b) {
  ds_error e;
  if (ds_count_lexicon(c, attr, &b->lex, &e)) lds_raise(L, &e);
}

/* t[k] = a new table of the columns; leaves the result table on the stack. */
static void new_columns(lua_State *L, int n, const char *const *azCol, int nCol) {
  lua_createtable(L, 0, nCol + 4);
  for (int j = 0; j < nCol; j++) {
    lua_createtable(L, n, 0);
    lua_setfield(L, -2, azCol[j]);
  }
}

/* Append the value at the top of the stack to column zCol of the table at index t, at row r. */
static void set_cell(lua_State *L, int t, const char *zCol, lua_Integer r) {
  lua_getfield(L, t, zCol);
  lua_insert(L, -2);
  lua_rawseti(L, -2, r);
  lua_pop(L, 1);
}

/* {====== methods ====== */

static const char *const azFreqCol[] = {"values", "freq", "range"};

/* An id to order by frequency, then string. */
typedef struct freqrow {
  int64_t freq;
  const char *z;
  size_t n;
  uint32_t id;
} freqrow;

static int freqrow_cmp(const void *pa, const void *pb) {
  const freqrow *a = pa, *b = pb;
  if (a->freq != b->freq) return a->freq > b->freq ? -1 : 1;
  size_t n = a->n < b->n ? a->n : b->n;
  int d = memcmp(a->z, b->z, n);
  if (d) return d;
  return a->n < b->n ? -1 : a->n > b->n;
}

/*
** corpus:count_freq(attr, docs [, sorted]) -> {values, freq, range, tokens, docs}: by id,
** or with `sorted` most frequent first, then by value (byte order), sorted in C.
*/
static int corpus_count_freq(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  int attr = lds_check_attr(L, 2);
  lds_refresh(L, c);
  const unsigned char *abDoc = lds_check_docs(L, 3, c);
  int bSorted = lua_toboolean(L, 4);
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  ds_error e;
  if (ds_count_freq(c, attr, abDoc, &b->f, &e)) return lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  ds_buf *rows = lds_newbuf(L);
  size_t nRow = 0;
  for (size_t id = 0; id < b->f.nId; id++) {
    if (!b->f.aFreq[id]) continue;
    freqrow r = {b->f.aFreq[id], "", 0, (uint32_t)id};
    if (id < b->lex.nId) r.z = (const char *)b->lex.text.p + b->lex.aOff[id], r.n = b->lex.aOff[id + 1] - b->lex.aOff[id];
    ds_buf_append(rows, &r, sizeof r);
    nRow++;
  }
  if (rows->rc) return luaL_error(L, "out of memory");
  freqrow *aRow = (freqrow *)rows->p;
  if (bSorted && nRow > 1) qsort(aRow, nRow, sizeof *aRow, freqrow_cmp);
  new_columns(L, (int)nRow, azFreqCol, 3);
  int t = lua_gettop(L);
  for (int j = 0; j < 3; j++) lua_getfield(L, t, azFreqCol[j]);
  for (size_t i = 0; i < nRow; i++) {
    lua_pushlstring(L, aRow[i].z, aRow[i].n);
    lua_rawseti(L, t + 1, (lua_Integer)i + 1);
    lua_pushinteger(L, aRow[i].freq);
    lua_rawseti(L, t + 2, (lua_Integer)i + 1);
    lua_pushinteger(L, b->f.aRange[aRow[i].id]);
    lua_rawseti(L, t + 3, (lua_Integer)i + 1);
  }
  lua_pop(L, 3);
  lds_setint(L, "tokens", b->f.nTok);
  lds_setint(L, "docs", b->f.nDoc);
  lds_freebuf(rows);
  lds_counts_done(L, box);
  return 1;
}

/*
** corpus:count_keyness(attr, tdocs, rdocs) -> {values, f_target, f_reference, n_target,
** n_reference}: the frequency of every value of attr in two document sets (nil: every
** document), the values counted in either, by lexicon id.
*/
static int corpus_count_keyness(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  int attr = lds_check_attr(L, 2);
  lds_refresh(L, c);
  const unsigned char *abT = lds_check_docs(L, 3, c), *abR = lds_check_docs(L, 4, c);
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  ds_error e;
  if (ds_count_keyness(c, attr, abT, abR, &b->f, &b->fy, &e)) return lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  size_t nId = b->f.nId > b->fy.nId ? b->f.nId : b->fy.nId, nRow = 0;
  for (size_t id = 0; id < nId; id++)
    if ((id < b->f.nId && b->f.aFreq[id]) || (id < b->fy.nId && b->fy.aFreq[id])) nRow++;
  static const char *const azCol[] = {"values", "f_target", "f_reference"};
  new_columns(L, (int)nRow, azCol, 3);
  int t = lua_gettop(L);
  for (int j = 0; j < 3; j++) lua_getfield(L, t, azCol[j]);
  lua_Integer r = 0;
  for (size_t id = 0; id < nId; id++) {
    int64_t f1 = id < b->f.nId ? b->f.aFreq[id] : 0, f2 = id < b->fy.nId ? b->fy.aFreq[id] : 0;
    if (!f1 && !f2) continue;
    r++;
    if (id < b->lex.nId) lua_pushlstring(L, LEXSTR(&b->lex, id));
    else lua_pushliteral(L, "");
    lua_rawseti(L, t + 1, r);
    lua_pushinteger(L, f1);
    lua_rawseti(L, t + 2, r);
    lua_pushinteger(L, f2);
    lua_rawseti(L, t + 3, r);
  }
  lua_pop(L, 3);
  lds_setint(L, "n_target", b->f.nTok);
  lds_setint(L, "n_reference", b->fy.nTok);
  lds_counts_done(L, box);
  return 1;
}

/*
** Push the sequences of b->seqs with freq >= minF and range >= minR, sorted in C (most
** frequent first, then by value, ds_seqs_order), so a recipe over one file needs no sort
** of its own; the first nMax of them (nMax < 0: all), with `rows` the number there are.
*/
static void push_seqs(lua_State *L, counts_box *b, lua_Integer minF, lua_Integer minR, lua_Integer nMax) {
  size_t nRow, nAll;
  if (ds_seqs_order(b->seqs, &b->lex, minF, minR, nMax >= 0 ? (size_t)nMax : SIZE_MAX, &b->aIdx, &nRow, &nAll))
    luaL_error(L, "out of memory");
  ds_buf *text = lds_newbuf(L);
  new_columns(L, (int)nRow, azFreqCol, 3);
  int t = lua_gettop(L);
  lua_getfield(L, t, "values");
  lua_getfield(L, t, "freq");
  lua_getfield(L, t, "range");
  for (size_t i = 0; i < nRow; i++) {
    const uint32_t *a;
    size_t len;
    int64_t f, rg;
    ds_seqs_get(b->seqs, b->aIdx[i], &a, &len, &f, &rg);
    ds_buf_reset(text);
    for (size_t j = 0; j < len; j++) {
      if (j) ds_buf_putc(text, ' ');
      if (a[j] < b->lex.nId) ds_buf_append(text, LEXSTR(&b->lex, a[j]));
    }
    if (text->rc) luaL_error(L, "out of memory");
    lds_pushbuf(L, text);
    lua_rawseti(L, t + 1, (lua_Integer)i + 1);
    lua_pushinteger(L, f);
    lua_rawseti(L, t + 2, (lua_Integer)i + 1);
    lua_pushinteger(L, rg);
    lua_rawseti(L, t + 3, (lua_Integer)i + 1);
  }
  lua_pop(L, 3);
  lds_setint(L, "total", ds_seqs_total(b->seqs));
  lds_setint(L, "rows", (lua_Integer)nAll);
  lds_freebuf(text);
}

/*
** corpus:count_ngrams(attr, n, docs, minfreq, minrange, max [, rows]) -> {values, freq,
** range, total, rows}: the first `max` rows (nil: all) of `rows`. With `rows` true, the
** rows stay in C: a dossier.counts (#rows, rows:get(i), rows:tsv(...), below), the
** n-grams counted and the number of rows passing the minimums.
*/
static int corpus_count_ngrams(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  int attr = lds_check_attr(L, 2);
  lua_Integer n = luaL_checkinteger(L, 3);
  luaL_argcheck(L, n >= 1 && n <= DS_COUNT_MAX_N, 3, "n must be 1 to 8");
  lds_refresh(L, c);
  const unsigned char *abDoc = lds_check_docs(L, 4, c);
  lua_Integer minF = luaL_optinteger(L, 5, 1), minR = luaL_optinteger(L, 6, 1);
  lua_Integer nMax = luaL_optinteger(L, 7, -1);
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  ds_error e;
  if (ds_count_ngrams(c, attr, (int)n, abDoc, &b->seqs, &e)) return lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  if (lua_toboolean(L, 8)) {
    size_t nAll;
    if (ds_seqs_order(b->seqs, &b->lex, minF, minR, nMax >= 0 ? (size_t)nMax : SIZE_MAX, &b->aIdx, &b->nRow, &nAll))
      return luaL_error(L, "out of memory");
    lua_pushinteger(L, (lua_Integer)ds_seqs_total(b->seqs));
    lua_pushinteger(L, (lua_Integer)nAll);
    return 3;
  }
  push_seqs(L, b, minF, minR, nMax);
  lds_counts_done(L, box);
  return 1;
}

/* corpus:count_matches(query, attr, docs) -> {values, freq, range, total} */
static int corpus_count_matches(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  int attr = lds_check_attr(L, 3);
  lds_refresh(L, c);
  const unsigned char *abDoc = lds_check_docs(L, 4, c);
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  const ds_matchset *ms = matches(L, 2, c, b);
  ds_error e;
  if (ds_count_matches(c, attr, ms, abDoc, &b->seqs, &e)) return lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  push_seqs(L, b, 1, 1, -1);
  lds_counts_done(L, box);
  return 1;
}

static const char *const azCollCol[] = {"values", "f_xy", "f_y", "range"};

/*
** The collocate counts for corpus c (at stack slot k) and the arguments after it: query,
** attr, left, right, within (a span kind `s` or `p`, true for `s`, nil/false for none),
** docs. In a new box (pushed; its slot in *pBox): b->co, the attribute's lexicon, and
** f_y of a subcorpus in b->fy; *pabDoc its documents (NULL: all), *pnTok its tokens.
*/
counts_box *lds_collocate_counts(lua_State *L, int k, ds_corpus *c, const unsigned char **pabDoc,
                                    int64_t *pnTok, int *pBox) {
  int attr = lds_check_attr(L, k + 2);
  lua_Integer left = luaL_checkinteger(L, k + 3), right = luaL_checkinteger(L, k + 4);
  luaL_argcheck(L, left >= 0 && left <= 1000, k + 3, "window out of range");
  luaL_argcheck(L, right >= 0 && right <= 1000, k + 4, "window out of range");
  const char *zWithin = lua_type(L, k + 5) == LUA_TSTRING ? lua_tostring(L, k + 5)
                        : lua_toboolean(L, k + 5) ? "s" : NULL;
  luaL_argcheck(L, !zWithin || strcmp(zWithin, "s") == 0 || strcmp(zWithin, "p") == 0, k + 5, "within: s or p");
  lds_refresh(L, c);
  const unsigned char *abDoc = lds_check_docs(L, k + 6, c);
  counts_box *b = lds_counts_new(L);
  *pBox = lua_gettop(L);
  const ds_matchset *ms = matches(L, k + 1, c, b);
  ds_error e;
  if (ds_count_collocates(c, attr, ms, abDoc, (int)left, (int)right, zWithin, &b->co, &e)) lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  if (abDoc) {             /* f_y of a subcorpus counted; of the whole corpus, the lexicon's */
    if (ds_count_freq(c, attr, abDoc, &b->fy, &e)) lds_raise(L, &e);
    *pnTok = b->fy.nTok;
  } else {
    ds_info info;
    if (ds_corpus_info(c, &info, &e)) lds_raise(L, &e);
    *pnTok = info.nTokens;
  }
  *pabDoc = abDoc;
  return b;
}

/*
** corpus:count_collocates(query, attr, left, right, within_s, docs) ->
**   {values, f_xy, f_y, range (documents whose windows hold it), f_x, window (positions in
**   the union of the windows, each counted once), n}
** f_y and n are over the subcorpus (the lexicon's frequencies for the whole corpus).
*/
static int corpus_count_collocates(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  const unsigned char *abDoc;
  int64_t nTok;
  int box;
  counts_box *b = lds_collocate_counts(L, 1, c, &abDoc, &nTok, &box);
  new_columns(L, 0, azCollCol, 4);
  int t = lua_gettop(L);
  lua_Integer r = 0;
  for (size_t id = 0; id < b->co.xy.nId; id++) {
    if (!b->co.xy.aFreq[id]) continue;
    r++;
    if (id < b->lex.nId) lua_pushlstring(L, LEXSTR(&b->lex, id));
    else lua_pushliteral(L, "");
    set_cell(L, t, "values", r);
    lua_pushinteger(L, b->co.xy.aFreq[id]);
    set_cell(L, t, "f_xy", r);
    lua_pushinteger(L, b->co.xy.aRange[id]);
    set_cell(L, t, "range", r);
    int64_t fy = abDoc ? (id < b->fy.nId ? b->fy.aFreq[id] : 0) : (id < b->lex.nId ? b->lex.aFreq[id] : 0);
    lua_pushinteger(L, fy);
    set_cell(L, t, "f_y", r);
  }
  lds_setint(L, "f_x", b->co.nNode);
  lds_setint(L, "window", b->co.nWindow);
  lds_setint(L, "n", nTok);
  lds_counts_done(L, box);
  return 1;
}

/*
** corpus:count_dispersion(query, docs, nparts) -> {size = {...}, hits = {...},
**   doc = {...} (1-based corpus:docs() index of each part; only when parts are documents)}
*/
static int corpus_count_dispersion(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  lds_refresh(L, c);
  const unsigned char *abDoc = lds_check_docs(L, 3, c);
  lua_Integer nParts = luaL_optinteger(L, 4, 0);
  luaL_argcheck(L, nParts >= 0 && nParts <= 1000000, 4, "parts out of range");
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  const ds_matchset *ms = matches(L, 2, c, b);
  ds_error e;
  if (ds_count_dispersion(c, ms, abDoc, (size_t)nParts, &b->parts, &e)) return lds_raise(L, &e);
  static const char *const azCol[] = {"size", "hits", "doc"};
  new_columns(L, (int)b->parts.nPart, azCol, nParts ? 2 : 3);
  int t = lua_gettop(L);
  for (size_t j = 0; j < b->parts.nPart; j++) {
    lua_pushinteger(L, b->parts.aSize[j]);
    set_cell(L, t, "size", (lua_Integer)j + 1);
    lua_pushinteger(L, b->parts.aHit[j]);
    set_cell(L, t, "hits", (lua_Integer)j + 1);
    if (!nParts) {
      lua_pushinteger(L, b->parts.aDoc[j] + 1);
      set_cell(L, t, "doc", (lua_Integer)j + 1);
    }
  }
  lds_setint(L, "matches", (lua_Integer)ms->n);
  lds_counts_done(L, box);
  return 1;
}

/*
** corpus:count_around(query, attr, n, slot, docs, minfreq, minrange, max) -> {values, freq,
** range, total, rows}: the n-grams holding a match, the match at `slot` (ds_count_around).
*/
static int corpus_count_around(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  int attr = lds_check_attr(L, 3);
  lua_Integer n = luaL_checkinteger(L, 4);
  luaL_argcheck(L, n >= 1 && n <= DS_COUNT_MAX_N, 4, "n must be 1 to 8");
  lua_Integer slot = luaL_optinteger(L, 5, 0);
  luaL_argcheck(L, slot >= -n && slot <= n, 5, "slot must be -n to n");
  lds_refresh(L, c);
  const unsigned char *abDoc = lds_check_docs(L, 6, c);
  lua_Integer minF = luaL_optinteger(L, 7, 1), minR = luaL_optinteger(L, 8, 1);
  lua_Integer nMax = luaL_optinteger(L, 9, -1);
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  const ds_matchset *ms = matches(L, 2, c, b);
  ds_error e;
  if (ds_count_around(c, attr, (int)n, (int)slot, ms, abDoc, &b->seqs, &e)) return lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  push_seqs(L, b, minF, minR, nMax);
  lds_counts_done(L, box);
  return 1;
}

/*
** corpus:mkeep(matchset, docs [, indices]) -> matches left: keeps, in place, the matches
** in the documents of docs (nil: all), then, given a list of indices (1-based, ascending,
** into what is left), those alone (a sample). Anchors move with their matches. Also
** returns the longest match left, in tokens.
*/
static int corpus_mkeep(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  ds_matchset *ms = own_matchset(L, 2);
  const unsigned char *abDoc = lds_check_docs(L, 3, c);
  size_t n = 0;
  for (size_t i = 0; i < ms->n; i++) {
    int64_t k = ds_corpus_doc_at(c, ms->a[i].first);
    if (abDoc && (k < 0 || !abDoc[k])) continue;
    if (n != i) ds_matchset_move(ms, n, i);
    n++;
  }
  ms->n = n;
  if (!lua_isnoneornil(L, 4)) {
    luaL_checktype(L, 4, LUA_TTABLE);
    lua_Integer nIdx = luaL_len(L, 4), prev = 0;
    size_t m = 0;
    for (lua_Integer j = 1; j <= nIdx; j++) {
      lua_rawgeti(L, 4, j);
      lua_Integer x = luaL_checkinteger(L, -1);
      lua_pop(L, 1);
      luaL_argcheck(L, x > prev && x <= (lua_Integer)ms->n, 4, "indices ascending, within the matches");
      if ((size_t)x - 1 != m) ds_matchset_move(ms, m, (size_t)x - 1);
      m++;
      prev = x;
    }
    ms->n = m;
  }
  int64_t nLong = 0;
  for (size_t i = 0; i < ms->n; i++)
    if (ms->a[i].last - ms->a[i].first + 1 > nLong) nLong = ms->a[i].last - ms->a[i].first + 1;
  lua_pushinteger(L, (lua_Integer)ms->n);
  lua_pushinteger(L, nLong);
  return 2;
}

/*
** corpus:where_docs(constraint) -> a string of one byte per document (corpus:docs()
** order), "\1" in and "\0" out, and the number in: the documents meeting a constraint
** in the syntax of CQL's `::` part, evaluated by the query engine (ds_count_where).
*/
static int corpus_where_docs(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  size_t n;
  const char *z = luaL_checklstring(L, 2, &n);
  if (strlen(z) != n) return luaL_error(L, "a NUL byte in the constraint at position %d", (int)strlen(z) + 1);
  lds_refresh(L, c);
  ds_buf *b = lds_newbuf(L);
  unsigned char *a;
  size_t nIn;
  ds_error e;
  if (ds_count_where(c, z, &a, &nIn, &e)) return lds_raise(L, &e);
  ds_buf_append(b, a, ds_corpus_ndocs(c));
  ds_free(a);
  if (b->rc) return luaL_error(L, "out of memory");
  lds_pushbuf(L, b);
  lds_freebuf(b);
  lua_pushinteger(L, (lua_Integer)nIn);
  return 2;
}

/* Push document k (0-based) as doc_tokens gives it, the lexicons in b->aLex. */
static void push_doc(lua_State *L, ds_corpus *c, size_t k, counts_box *b) {
  const ds_docinfo *d = ds_corpus_doc(c, k);
  int64_t nTok = d->nTok, base = d->cpos;
  lua_createtable(L, 0, 7);
  int t = lua_gettop(L);
  for (int attr = 0; attr < DS_NATTR; attr++) {
    const ds_lexstrs *l = &b->aLex[attr];
    lua_createtable(L, (int)nTok, 0);
    lua_Integer r = 0;
    for (int64_t at = 0; at < nTok;) {
      ds_window w;
      ds_error e;
      if (ds_corpus_window(c, k, at, at + 65536, 0, &w, &e)) lds_raise(L, &e);
      int64_t end = w.first + (int64_t)w.n;
      if (w.first > at || end <= at) luaL_error(L, "a window misses token %d", (int)at);
      for (int64_t i = at; i < end; i++) {
        uint32_t id = ds_corpus_type_id(c, w.aType[i - w.first], attr);
        if (id < l->nId) lua_pushlstring(L, LEXSTR(l, id));
        else lua_pushliteral(L, "");
        lua_rawseti(L, -2, ++r);
      }
      at = end;
    }
    lua_setfield(L, t, ds_attr_name(attr));
  }
  lua_createtable(L, 0, 4);
  static const char *const azKind[] = {"s", "p", "head", "note"};
  for (int j = 0; j < 4; j++) {
    const ds_span *as;
    size_t ns;
    ds_error e;
    if (ds_corpus_spans(c, k, azKind[j], &as, &ns, &e)) lds_raise(L, &e);
    lua_createtable(L, (int)ns, 0);
    for (size_t i = 0; i < ns; i++) {
      lua_createtable(L, 2, 0);
      lua_pushinteger(L, as[i].first - base + 1);
      lua_rawseti(L, -2, 1);
      lua_pushinteger(L, as[i].last - base + 1);
      lua_rawseti(L, -2, 2);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, azKind[j]);
  }
  lua_setfield(L, t, "spans");
}

/*
** corpus:doc_tokens(from, to) -> list of documents from..to (1-based, corpus:docs()
** order), each {word = {...}, norm, lemma, pos, xpos, spans = {s = {{from, to}, ...}, p,
** head, note}}, token numbers 1-based within the document. For the exports: the
** lexicons are read once per call, so ask for documents in batches.
*/
static int corpus_doc_tokens(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  lds_refresh(L, c);
  lua_Integer from = luaL_checkinteger(L, 2);
  lua_Integer to = luaL_optinteger(L, 3, from);
  lua_Integer n = (lua_Integer)ds_corpus_ndocs(c);
  luaL_argcheck(L, from >= 1 && from <= n, 2, "no such document");
  luaL_argcheck(L, to >= from && to <= n, 3, "no such document");
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  for (int attr = 0; attr < DS_NATTR; attr++) {
    ds_error e;
    if (ds_count_lexicon(c, attr, &b->aLex[attr], &e)) return lds_raise(L, &e);
  }
  lua_createtable(L, (int)(to - from + 1), 0);
  for (lua_Integer k = from; k <= to; k++) {
    push_doc(L, c, (size_t)k - 1, b);
    lua_rawseti(L, -2, k - from + 1);
  }
  lds_counts_done(L, box);
  return 1;
}

/* }====== */

/* {====== rows kept in C (count_ngrams with `rows`) ====== */

static counts_box *check_rows(lua_State *L) {
  counts_box *b = luaL_checkudata(L, 1, LDS_COUNTS);
  if (!b->seqs || !b->aIdx) luaL_error(L, "attempt to use freed counts");
  return b;
}

/* Append row r's value (its ids' strings joined by spaces) to out. */
static void row_value(const counts_box *b, size_t r, ds_buf *out, int64_t *pFreq, int64_t *pRange) {
  const uint32_t *a;
  size_t len;
  ds_seqs_get(b->seqs, b->aIdx[r], &a, &len, pFreq, pRange);
  for (size_t j = 0; j < len; j++) {
    if (j) ds_buf_putc(out, ' ');
    if (a[j] < b->lex.nId) ds_buf_append(out, LEXSTR(&b->lex, a[j]));
  }
}

/* #rows */
static int rows_len(lua_State *L) {
  counts_box *b = luaL_checkudata(L, 1, LDS_COUNTS);
  lua_pushinteger(L, (lua_Integer)b->nRow);
  return 1;
}

/* rows:get(i) -> value, freq, range of row i (1-based), or nothing past the end */
static int rows_get(lua_State *L) {
  counts_box *b = check_rows(L);
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 1 || (size_t)i > b->nRow) return 0;
  ds_buf *text = lds_newbuf(L);
  int64_t f, rg;
  row_value(b, (size_t)i - 1, text, &f, &rg);
  if (text->rc) return luaL_error(L, "out of memory");
  lds_pushbuf(L, text);
  lds_freebuf(text);
  lua_pushinteger(L, f);
  lua_pushinteger(L, rg);
  return 3;
}

/* Whether TSV prints s as it is: printable ASCII, or well-formed UTF-8 without C0 or C1
   controls (format.tsv_field changes nothing then). */
int lds_tsv_plain(const char *z, size_t n) {
  int bHigh = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)z[i];
    if (ch < 0x20 || ch == 0x7f) return 0;
    if (ch == 0xc2 && i + 1 < n && (unsigned char)z[i + 1] >= 0x80 && (unsigned char)z[i + 1] <= 0x9f) return 0;
    bHigh |= ch >= 0x80;
  }
  return !bHigh || ds_utf8_check(z, n) < 0;
}

void lds_put_int(ds_buf *out, int64_t v) {
  char a[24];
  int n = snprintf(a, sizeof a, "%lld", (long long)v);
  ds_buf_append(out, a, (size_t)n);
}

/*
** rows:tsv(header, escape [, max]) -> the TSV text: header, then a line per row (at most
** max) `value<TAB>freq<TAB>range`, lines joined by "\n" (none at the end); a value that
** is not plain (tsv_plain) goes through escape (format.tsv_field) first.
*/
static int rows_tsv(lua_State *L) {
  counts_box *b = check_rows(L);
  size_t nHead;
  const char *zHead = luaL_checklstring(L, 2, &nHead);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  lua_Integer nMax = luaL_optinteger(L, 4, (lua_Integer)b->nRow);
  size_t n = nMax < 0 ? 0 : (size_t)nMax < b->nRow ? (size_t)nMax : b->nRow;
  ds_buf *out = lds_newbuf(L);
  ds_buf *val = lds_newbuf(L);
  ds_buf_append(out, zHead, nHead);
  for (size_t r = 0; r < n; r++) {
    int64_t f, rg;
    ds_buf_reset(val);
    row_value(b, r, val, &f, &rg);
    if (val->rc) break;
    ds_buf_putc(out, '\n');
    if (lds_tsv_plain((const char *)val->p, val->n)) {
      ds_buf_append(out, val->p, val->n);
    } else {
      lua_pushvalue(L, 3);
      lds_pushbuf(L, val);
      lua_call(L, 1, 1);
      size_t nz;
      const char *z = luaL_checklstring(L, -1, &nz);
      ds_buf_append(out, z, nz);
      lua_pop(L, 1);
    }
    ds_buf_putc(out, '\t');
    lds_put_int(out, f);
    ds_buf_putc(out, '\t');
    lds_put_int(out, rg);
  }
  if (out->rc || val->rc) return luaL_error(L, "out of memory");
  lds_pushbuf(L, out);
  lds_freebuf(out);
  lds_freebuf(val);
  return 1;
}

static const luaL_Reg rows_methods[] = {
  {"get", rows_get},
  {"tsv", rows_tsv},
  {NULL, NULL}
};

/* }====== */

/* {====== TSV from columns ====== */

/* Append the value at stack index i as a TSV cell (as Result:tsv's cell(v, 6) and
   format.tsv_field at index iEsc print it). */
static void tsv_cell(lua_State *L, int i, int iEsc, ds_buf *out) {
  char a[400];         /* "%.6f" of the largest double: 309 digits, the point and 6 more */
  int n;
  switch (lua_type(L, i)) {
  case LUA_TNIL:
    return;
  case LUA_TNUMBER:
    if (lua_isinteger(L, i)) {
      n = snprintf(a, sizeof a, LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, i));
    } else {
      lua_Number v = lua_tonumber(L, i);
      if (v != v) n = snprintf(a, sizeof a, "NaN");
      else if (v == (lua_Number)HUGE_VAL) n = snprintf(a, sizeof a, "Inf");
      else if (v == -(lua_Number)HUGE_VAL) n = snprintf(a, sizeof a, "-Inf");
      else n = snprintf(a, sizeof a, "%.6f", (double)v);
    }
    ds_buf_append(out, a, (size_t)n);
    return;
  case LUA_TSTRING: {
    size_t nz;
    const char *z = lua_tolstring(L, i, &nz);
    if (lds_tsv_plain(z, nz)) {
      ds_buf_append(out, z, nz);
      return;
    }
  } /* fall through */
  default: {
    lua_pushvalue(L, iEsc);
    lua_pushvalue(L, i);
    lua_call(L, 1, 1);
    size_t nz;
    const char *z = luaL_checklstring(L, -1, &nz);
    ds_buf_append(out, z, nz);
    lua_pop(L, 1);
  }
  }
}

/*
** core.tsv_columns(header, columns, order, n, escape) -> the TSV text of a
** result kept as columns (common.columnar): the header, then rows 1..n, row i being
** order[i] (order nil: i), each cell columns[j][k] (a table) or columns[j](k) (a
** function); strings through escape (format.tsv_field) unless plain, floats "%.6f",
** Inf, -Inf, NaN; nil empty. Lines joined
** by "\n", none at the end.
*/
static int l_tsv_columns(lua_State *L) {
  size_t nHead;
  const char *zHead = luaL_checklstring(L, 1, &nHead);
  luaL_checktype(L, 2, LUA_TTABLE);
  int bOrder = !lua_isnoneornil(L, 3);
  if (bOrder) luaL_checktype(L, 3, LUA_TTABLE);
  lua_Integer n = luaL_checkinteger(L, 4);
  luaL_checktype(L, 5, LUA_TFUNCTION);
  lua_settop(L, 5);
  lua_Integer nCol = luaL_len(L, 2);
  luaL_argcheck(L, nCol >= 1 && nCol <= 64, 2, "1 to 64 columns");
  luaL_checkstack(L, (int)nCol + 8, "too many columns");
  int base = lua_gettop(L);
  for (lua_Integer j = 1; j <= nCol; j++) {
    int t = lua_rawgeti(L, 2, j);
    luaL_argcheck(L, t == LUA_TTABLE || t == LUA_TFUNCTION, 2, "columns: tables or functions");
  }
  ds_buf *out = lds_newbuf(L);
  ds_buf_append(out, zHead, nHead);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_Integer k = i;
    if (bOrder) {
      lua_rawgeti(L, 3, i);
      k = lua_tointeger(L, -1);
      lua_pop(L, 1);
    }
    ds_buf_putc(out, '\n');
    for (lua_Integer j = 1; j <= nCol; j++) {
      int c = base + (int)j;
      if (j > 1) ds_buf_putc(out, '\t');
      if (lua_type(L, c) == LUA_TTABLE) {
        lua_rawgeti(L, c, k);
      } else {
        lua_pushvalue(L, c);
        lua_pushinteger(L, k);
        lua_call(L, 1, 1);
      }
      tsv_cell(L, lua_gettop(L), 5, out);
      lua_pop(L, 1);
    }
    if (out->rc) break;
  }
  if (out->rc) return luaL_error(L, "out of memory");
  lds_pushbuf(L, out);
  lds_freebuf(out);
  return 1;
}

static const luaL_Reg count_funcs[] = {
  {"tsv_columns", l_tsv_columns},
  {NULL, NULL}
};

/* }====== */

static const luaL_Reg corpus_methods[] = {
  {"count_freq", corpus_count_freq},
  {"count_ngrams", corpus_count_ngrams},
  {"count_matches", corpus_count_matches},
  {"count_collocates", corpus_count_collocates},
  {"count_dispersion", corpus_count_dispersion},
  {"count_around", corpus_count_around},
  {"count_keyness", corpus_count_keyness},
  {"mkeep", corpus_mkeep},
  {"where_docs", corpus_where_docs},
  {"doc_tokens", corpus_doc_tokens},
  {NULL, NULL}
};

static const luaL_Reg counts_meta[] = {
  {"__gc", counts_gc},
  {"__close", counts_gc},
  {"__len", rows_len},
  {NULL, NULL}
};

void lds_open_count(lua_State *L) {
  lds_register(L, LDS_COUNTS, counts_meta, rows_methods);
  luaL_setfuncs(L, count_funcs, 0);
  lds_methods(L, LDS_CORPUS, corpus_methods);
}
