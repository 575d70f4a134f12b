/*
** lds_merge.c -- core.merge: the counts of several corpus files added up in C (ds_merge_*,
** ds_count.h). A `dossier.merge` holds values with 1 to 4 sums each; each file is counted
** as the corpus methods count (lds_countInt.h), then the rows are ordered and read, or
** written as TSV.
*/
#include "lds.h"
#include "lds_countInt.h"

#include <stdint.h>
#include <string.h>

/* {====== several files: counts merged in C (core.merge) ====== */

#define LDS_MERGE "dossier.merge"

typedef struct merge_box {
  ds_merge *m;
  int nCol;
  size_t *aIdx;        /* the order (m:order), nRow entries */
  size_t nRow;
} merge_box;

static int merge_gc(lua_State *L) {
  merge_box *x = luaL_checkudata(L, 1, LDS_MERGE);
  ds_merge_free(x->m);
  x->m = NULL;
  ds_free(x->aIdx);
  x->aIdx = NULL;
  x->nRow = 0;
  return 0;
}

static merge_box *check_merge(lua_State *L) {
  merge_box *x = luaL_checkudata(L, 1, LDS_MERGE);
  if (!x->m) luaL_error(L, "attempt to use a freed merge");
  return x;
}

/* The rows change: the order is asked again. */
static void merge_touch(merge_box *x) {
  ds_free(x->aIdx);
  x->aIdx = NULL;
  x->nRow = 0;
}

/* core.merge(ncols) -> a dossier.merge: values with ncols (1 to 4) sums each */
static int l_merge(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 1 && n <= DS_MERGE_MAXCOL, 1, "1 to 4 columns");
  merge_box *x = lua_newuserdatauv(L, sizeof *x, 0);
  memset(x, 0, sizeof *x);
  luaL_setmetatable(L, LDS_MERGE);
  if (ds_merge_new((int)n, &x->m)) return luaL_error(L, "out of memory");
  x->nCol = (int)n;
  return 1;
}

static void merge_nomem(lua_State *L, int rc) {
  if (rc) luaL_error(L, rc == DS_MISUSE ? "the merge has another number of columns" : "out of memory");
}

/* m:add_freq(corpus, attr, docs) -> tokens: (freq, range) by value */
static int merge_add_freq(lua_State *L) {
  merge_box *x = check_merge(L);
  ds_corpus *c = lds_check_corpus(L, 2);
  int attr = lds_check_attr(L, 3);
  lds_refresh(L, c);
  const unsigned char *abDoc = lds_check_docs(L, 4, c);
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  ds_error e;
  if (ds_count_freq(c, attr, abDoc, &b->f, &e)) return lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  merge_touch(x);
  merge_nomem(L, ds_merge_add_freq(x->m, &b->f, &b->lex));
  lua_pushinteger(L, (lua_Integer)b->f.nTok);
  lds_counts_done(L, box);
  return 1;
}

/* m:add_ngrams(corpus, attr, n, docs) -> n-grams counted: (freq, range) by n-gram */
static int merge_add_ngrams(lua_State *L) {
  merge_box *x = check_merge(L);
  ds_corpus *c = lds_check_corpus(L, 2);
  int attr = lds_check_attr(L, 3);
  lua_Integer n = luaL_checkinteger(L, 4);
  luaL_argcheck(L, n >= 1 && n <= DS_COUNT_MAX_N, 4, "n must be 1 to 8");
  lds_refresh(L, c);
  const unsigned char *abDoc = lds_check_docs(L, 5, c);
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  ds_error e;
  if (ds_count_ngrams(c, attr, (int)n, abDoc, &b->seqs, &e)) return lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  merge_touch(x);
  merge_nomem(L, ds_merge_add_seqs(x->m, b->seqs, &b->lex));
  lua_pushinteger(L, (lua_Integer)ds_seqs_total(b->seqs));
  lds_counts_done(L, box);
  return 1;
}

/* m:add_keyness(corpus, attr, tdocs, rdocs) -> n_target, n_reference: (f_target,
   f_reference) by value; rdocs false: no reference side from this file */
static int merge_add_keyness(lua_State *L) {
  merge_box *x = check_merge(L);
  ds_corpus *c = lds_check_corpus(L, 2);
  int attr = lds_check_attr(L, 3);
  lds_refresh(L, c);
  const unsigned char *abT = lds_check_docs(L, 4, c);
  int bRef = !(lua_type(L, 5) == LUA_TBOOLEAN && !lua_toboolean(L, 5));
  const unsigned char *abR = bRef ? lds_check_docs(L, 5, c) : NULL;
  counts_box *b = lds_counts_new(L);
  int box = lua_gettop(L);
  ds_error e;
  if (ds_count_keyness(c, attr, abT, abR, &b->f, &b->fy, &e)) return lds_raise(L, &e);
  lds_load_lexicon(L, c, attr, b);
  merge_touch(x);
  size_t nId = b->f.nId > b->fy.nId ? b->f.nId : b->fy.nId;
  for (size_t id = 0; id < nId; id++) {
    int64_t a[2] = {id < b->f.nId ? b->f.aFreq[id] : 0, bRef && id < b->fy.nId ? b->fy.aFreq[id] : 0};
    if (!a[0] && !a[1]) continue;
    merge_nomem(L, id < b->lex.nId ? ds_merge_add(x->m, LEXSTR(&b->lex, id), a) : ds_merge_add(x->m, "", 0, a));
  }
  lua_pushinteger(L, (lua_Integer)b->f.nTok);
  lua_pushinteger(L, bRef ? (lua_Integer)b->fy.nTok : 0);
  lds_counts_done(L, box);
  return 2;
}

/* m:add_collocates(corpus, query, attr, left, right, within, docs) -> f_x, window, n:
   (f_xy, f_y) by value, every value of the (sub)corpus (f_xy 0 where not a collocate) */
static int merge_add_collocates(lua_State *L) {
  merge_box *x = check_merge(L);
  ds_corpus *c = lds_check_corpus(L, 2);
  const unsigned char *abDoc;
  int64_t nTok;
  int box;
  counts_box *b = lds_collocate_counts(L, 2, c, &abDoc, &nTok, &box);
  merge_touch(x);
  size_t nId = abDoc ? b->fy.nId : b->lex.nId;
  for (size_t id = 0; id < nId; id++) {
    int64_t a[2] = {id < b->co.xy.nId ? b->co.xy.aFreq[id] : 0, abDoc ? b->fy.aFreq[id] : b->lex.aFreq[id]};
    if (!a[1]) continue;
    merge_nomem(L, id < b->lex.nId ? ds_merge_add(x->m, LEXSTR(&b->lex, id), a) : ds_merge_add(x->m, "", 0, a));
  }
  lua_pushinteger(L, (lua_Integer)b->co.nNode);
  lua_pushinteger(L, (lua_Integer)b->co.nWindow);
  lua_pushinteger(L, (lua_Integer)nTok);
  lds_counts_done(L, box);
  return 3;
}

/* m:order(sortcol, mins, max) -> rows passing: the rows whose column j is at least
   mins[j] (nil: no minimum), column sortcol (1-based; 0: none) largest first, ties by
   value in byte order, the first max (nil: all) of them kept as the rows (#m, m:get) */
static int merge_order(lua_State *L) {
  merge_box *x = check_merge(L);
  lua_Integer iSort = luaL_checkinteger(L, 2);
  int64_t aMin[DS_MERGE_MAXCOL] = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN};
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    for (int j = 0; j < DS_MERGE_MAXCOL; j++) {
      if (lua_rawgeti(L, 3, j + 1) != LUA_TNIL) aMin[j] = luaL_checkinteger(L, -1);
      lua_pop(L, 1);
    }
  }
  lua_Integer nMax = luaL_optinteger(L, 4, -1);
  merge_touch(x);
  size_t nAll;
  if (ds_merge_order(x->m, (int)iSort - 1, aMin, nMax < 0 ? SIZE_MAX : (size_t)nMax, &x->aIdx, &x->nRow, &nAll))
    return luaL_error(L, "out of memory");
  lua_pushinteger(L, (lua_Integer)nAll);
  return 1;
}

static int merge_len(lua_State *L) {
  merge_box *x = luaL_checkudata(L, 1, LDS_MERGE);
  lua_pushinteger(L, (lua_Integer)x->nRow);
  return 1;
}

/* m:get(i) -> value, col1, ... of row i (1-based) of the order, or nothing past the end */
static int merge_get(lua_State *L) {
  merge_box *x = check_merge(L);
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 1 || (size_t)i > x->nRow) return 0;
  const char *z;
  size_t n;
  const int64_t *a;
  ds_merge_get(x->m, x->aIdx[i - 1], &z, &n, &a);
  lua_pushlstring(L, z, n);
  for (int j = 0; j < x->nCol; j++) lua_pushinteger(L, a[j]);
  return 1 + x->nCol;
}

/* m:columns() -> values, col1, ...: the rows of the order as parallel arrays */
static int merge_columns(lua_State *L) {
  merge_box *x = check_merge(L);
  luaL_checkstack(L, x->nCol + 4, "columns");
  int base = lua_gettop(L);
  for (int j = 0; j <= x->nCol; j++) lua_createtable(L, (int)x->nRow, 0);
  for (size_t r = 0; r < x->nRow; r++) {
    const char *z;
    size_t n;
    const int64_t *a;
    ds_merge_get(x->m, x->aIdx[r], &z, &n, &a);
    lua_pushlstring(L, z, n);
    lua_rawseti(L, base + 1, (lua_Integer)r + 1);
    for (int j = 0; j < x->nCol; j++) {
      lua_pushinteger(L, a[j]);
      lua_rawseti(L, base + 2 + j, (lua_Integer)r + 1);
    }
  }
  return 1 + x->nCol;
}

/*
** m:tsv(header, escape [, max]) -> the TSV text: header, then a line per row of the order
** (at most max): value, then the columns, tab-separated (as rows:tsv).
*/
static int merge_tsv(lua_State *L) {
  merge_box *x = check_merge(L);
  size_t nHead;
  const char *zHead = luaL_checklstring(L, 2, &nHead);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  lua_Integer nMax = luaL_optinteger(L, 4, (lua_Integer)x->nRow);
  size_t nOut = nMax < 0 ? 0 : (size_t)nMax < x->nRow ? (size_t)nMax : x->nRow;
  ds_buf *out = lds_newbuf(L);
  ds_buf_append(out, zHead, nHead);
  for (size_t r = 0; r < nOut && !out->rc; r++) {
    const char *z;
    size_t n;
    const int64_t *a;
    ds_merge_get(x->m, x->aIdx[r], &z, &n, &a);
    ds_buf_putc(out, '\n');
    if (lds_tsv_plain(z, n)) {
      ds_buf_append(out, z, n);
    } else {
      lua_pushvalue(L, 3);
      lua_pushlstring(L, z, n);
      lua_call(L, 1, 1);
      size_t nz;
      const char *zz = luaL_checklstring(L, -1, &nz);
      ds_buf_append(out, zz, nz);
      lua_pop(L, 1);
    }
    for (int j = 0; j < x->nCol; j++) {
      ds_buf_putc(out, '\t');
      lds_put_int(out, a[j]);
    }
  }
  if (out->rc) return luaL_error(L, "out of memory");
  lds_pushbuf(L, out);
  lds_freebuf(out);
  return 1;
}

static const luaL_Reg merge_methods[] = {
  {"add_freq", merge_add_freq},
  {"add_ngrams", merge_add_ngrams},
  {"add_keyness", merge_add_keyness},
  {"add_collocates", merge_add_collocates},
  {"order", merge_order},
  {"get", merge_get},
  {"columns", merge_columns},
  {"tsv", merge_tsv},
  {NULL, NULL}
};

static const luaL_Reg merge_meta[] = {
  {"__gc", merge_gc},
  {"__close", merge_gc},
  {"__len", merge_len},
  {NULL, NULL}
};

static const luaL_Reg merge_funcs[] = {
  {"merge", l_merge},
  {NULL, NULL}
};

/* }====== */

void lds_open_merge(lua_State *L) {
  lds_register(L, LDS_MERGE, merge_meta, merge_methods);
  luaL_setfuncs(L, merge_funcs, 0);
}
