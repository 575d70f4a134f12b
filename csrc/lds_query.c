/*
** lds_query.c -- queries: corpus:query (CQL, ds_query.h) giving a dossier.matchset,
** which keeps its corpus alive through its user value, and corpus:kwic (concordance
** lines of a match set); sorting, grouping and set operations (ds_matchsort.h).
*/
#include "lds.h"
#include "ds_kwic.h"
#include "ds_matchsort.h"
#include "ds_query.h"
#include "ds_store.h"

#include <stdio.h>
#include <string.h>

typedef struct matchset_box {
  ds_matchset ms;
} matchset_box;

static matchset_box *check_matchset(lua_State *L, int i) { return luaL_checkudata(L, i, LDS_MATCHSET); }

ds_matchset *lds_check_matchset(lua_State *L, int i) { return &check_matchset(L, i)->ms; }

/*
** corpus:count_by_freq(q) -> the number of matches of q from the lexicon's frequencies,
** or nil when q is not a query of one token constraint (ds_eval_count_by_freq).
*/
/*
** A reader's documents' rows are not read for it unless the count needs them (`[]`):
** the plans it counts need nothing of them, and a query that fails so is compiled again
** with them, for the error it gives then.
*/
static int corpus_count_by_freq(lua_State *L) {
  ds_corpus *c = lds_check_corpus_nodocs(L, 1);
  size_t nQuery;
  const char *zQuery = luaL_checklstring(L, 2, &nQuery);
  if (strlen(zQuery) != nQuery) {
    lua_pushfstring(L, "a NUL byte in the query at position %d", (int)strlen(zQuery) + 1);
    return lua_error(L);
  }
  ds_query *q;
  ds_error e;
  if (ds_query_compile(c, zQuery, &q, &e)) {
    if (!ds_corpus_docs_pending(c)) return lds_raise(L, &e);
    c = lds_check_corpus(L, 1);
    if (ds_query_compile(c, zQuery, &q, &e)) return lds_raise(L, &e);
  }
  int64_t n;
  int bOk = ds_eval_count_by_freq(c, ds_query_plan(q), &n);
  if (bOk < 0) {                      /* it counts every token: the documents tell how many */
    if (ds_corpus_load_docs(c, &e)) {
      ds_query_free(q);
      return lds_raise(L, &e);
    }
    bOk = ds_eval_count_by_freq(c, ds_query_plan(q), &n);
  }
  ds_query_free(q);
  if (bOk <= 0) return 0;
  lua_pushinteger(L, n);
  return 1;
}

/*
** corpus:query(q [, from, to]) -> matchset, {anchor names by column}, starts cut at the
** longest match; with from and to, in documents from .. to only (1-based, inclusive)
*/
static int corpus_query(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  size_t nQuery;
  const char *zQuery = luaL_checklstring(L, 2, &nQuery);
  lua_Integer iFrom = luaL_optinteger(L, 3, 1), iTo = luaL_optinteger(L, 4, LUA_MAXINTEGER);
  luaL_argcheck(L, iFrom >= 1, 3, "documents count from 1");
  size_t k0 = (size_t)(iFrom - 1), k1 = iTo < (lua_Integer)iFrom ? k0 : iTo >= (lua_Integer)(SIZE_MAX / 2) ? SIZE_MAX : (size_t)iTo;
  if (strlen(zQuery) != nQuery) {
    lua_pushfstring(L, "a NUL byte in the query at position %d", (int)strlen(zQuery) + 1);
    return lua_error(L);
  }
  matchset_box *m = lua_newuserdatauv(L, sizeof *m, 1);
  memset(m, 0, sizeof *m);
  luaL_setmetatable(L, LDS_MATCHSET);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);        /* the matches keep their corpus alive */
  ds_query *q;
  ds_error e;
  if (ds_query_compile(c, zQuery, &q, &e)) return lds_raise(L, &e);
  int rc = ds_query_run_docs(c, q, k0, k1, &m->ms, &e);
  if (rc) {
    ds_query_free(q);
    return lds_raise(L, &e);
  }
  /* what the plan says, copied: the query is freed before anything is pushed (a memory
     error while pushing would leak it) */
  const ds_eval *p = ds_query_plan(q);
  size_t nAnchor = ds_eval_anchors(p);
  char azName[DS_MATCHSET_MAX_ANCHORS][32];
  for (size_t j = 0; j < nAnchor && j < DS_MATCHSET_MAX_ANCHORS; j++)
    snprintf(azName[j], sizeof azName[j], "%s", ds_eval_anchor_name(p, j));
  int64_t nLimit = ds_eval_cut_limit(p);
  ds_query_free(q);
  lua_createtable(L, (int)nAnchor, 0);
  for (size_t j = 0; j < nAnchor && j < DS_MATCHSET_MAX_ANCHORS; j++) {
    lua_pushstring(L, azName[j]);
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
  lua_pushinteger(L, m->ms.nCut);
  lua_pushinteger(L, nLimit);
  return 4;
}

/* corpus:ndocs() -> the number of documents, and the widest name (in characters) */
static int corpus_ndocs(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  ds_error e;
  if (ds_corpus_refresh(c, &e)) return lds_raise(L, &e);
  size_t n = ds_corpus_ndocs(c), nWide = 0;
  for (size_t i = 0; i < n; i++) {
    size_t w = 0;
    for (const unsigned char *z = (const unsigned char *)ds_corpus_doc(c, i)->zName; *z; z++) w += (*z & 0xC0) != 0x80;
    if (w > nWide) nWide = w;
  }
  lua_pushinteger(L, (lua_Integer)n);
  lua_pushinteger(L, (lua_Integer)nWide);
  return 2;
}

/* The sort keys at index i: a list of {attr, anchor, offset, flags} into a (at most 16). */
static size_t check_keys(lua_State *L, int i, ds_sortkey *a) {
  luaL_checktype(L, i, LUA_TTABLE);
  size_t n = (size_t)luaL_len(L, i);
  luaL_argcheck(L, n >= 1 && n <= 16, i, "1 to 16 keys");
  for (size_t k = 0; k < n; k++) {
    lua_rawgeti(L, i, (lua_Integer)k + 1);
    luaL_argcheck(L, lua_istable(L, -1), i, "keys are tables");
    static const char *const azField[] = {"attr", "anchor", "offset", "flags"};
    lua_Integer v[4];
    for (int f = 0; f < 4; f++) {
      lua_getfield(L, -1, azField[f]);
      v[f] = luaL_optinteger(L, -1, 0);
      lua_pop(L, 1);
    }
    a[k] = (ds_sortkey){(int)v[0], (int)v[1], (int)v[2], (int)v[3]};
    lua_pop(L, 1);
  }
  return n;
}

/* corpus:msort(matchset, keys): sorts the set in place */
static int corpus_msort(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  matchset_box *m = check_matchset(L, 2);
  ds_sortkey a[16];
  size_t n = check_keys(L, 3, a);
  ds_error e;
  if (ds_matchset_sort_by(c, &m->ms, a, n, &e)) return lds_raise(L, &e);
  return 0;
}

/* The groups, collected in C before anything is pushed: per group its count (8 bytes),
   then its nKey values, each NUL-terminated. */
typedef struct groups {
  ds_buf *b;
  size_t nKey, n;
} groups;

static int group_row(void *ctx, const char *const *azValue, int64_t n) {
  groups *g = ctx;
  ds_buf_append(g->b, &n, sizeof n);
  for (size_t k = 0; k < g->nKey; k++) ds_buf_append(g->b, azValue[k], strlen(azValue[k]) + 1);
  g->n++;
  return g->b->rc != 0;
}

/* corpus:mgroup(matchset, keys) -> {{value, ..., count = n}, ...}, most frequent first */
static int corpus_mgroup(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  matchset_box *m = check_matchset(L, 2);
  ds_sortkey a[16];
  size_t n = check_keys(L, 3, a);
  groups g = {lds_newbuf(L), n, 0};
  ds_error e;
  int rc = ds_matchset_group(c, &m->ms, a, n, group_row, &g, &e);
  if (rc == DS_DONE) return luaL_error(L, "out of memory");
  if (rc) return lds_raise(L, &e);
  lua_createtable(L, (int)g.n, 0);
  const char *z = (const char *)g.b->p;
  for (size_t i = 0; i < g.n; i++) {
    int64_t count;
    memcpy(&count, z, sizeof count);
    z += sizeof count;
    lua_createtable(L, (int)n, 1);
    for (size_t k = 0; k < n; k++) {
      lua_pushstring(L, z);
      lua_rawseti(L, -2, (lua_Integer)k + 1);
      z += strlen(z) + 1;
    }
    lds_setint(L, "count", count);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lds_freebuf(g.b);
  return 1;
}

/* The name of the document holding cpos, or an error. */
static const char *doc_name_at(lua_State *L, ds_corpus *c, int64_t cpos) {
  int64_t k = ds_corpus_doc_at(c, cpos);
  if (k < 0) luaL_error(L, "corpus position %d is in no document", (int)cpos);
  return ds_corpus_doc(c, (size_t)k)->zName;
}

/* The key strings of rows, collected in C before anything is pushed: nKey strings per
   row, each NUL-terminated. */
static int key_row(void *ctx, size_t i, const char *const *azValue) {
  groups *g = ctx;
  (void)i;
  for (size_t k = 0; k < g->nKey; k++) ds_buf_append(g->b, azValue[k], strlen(azValue[k]) + 1);
  g->n++;
  return g->b->rc != 0;
}

/*
** corpus:kwic(matchset, width [, from [, to [, opts]]]) -> list of {left, match, right, doc,
** first, last}, matches from..to (1-based). opts: tokens = N (the context is N tokens
** each side, not `width` characters), keys = sort keys as msort takes them (each row
** gets `keys`, the strings those keys compare, for merging sorted results).
*/
/*
** The arguments corpus_kwic and corpus_kwic_text share: (corpus, matchset, width [, from
** [, to [, opts]]]), from..to clamped to the set, opts.tokens (-1 when absent); whether
** opts is there is the result, for the caller's own fields.
*/
typedef struct kwic_args {
  ds_corpus *c;
  matchset_box *m;
  lua_Integer width, from, to, nTok;
} kwic_args;

static int check_kwic_args(lua_State *L, kwic_args *a) {
  a->c = lds_check_corpus(L, 1);
  a->m = check_matchset(L, 2);
  a->width = luaL_checkinteger(L, 3);
  a->from = luaL_optinteger(L, 4, 1);
  a->to = luaL_optinteger(L, 5, (lua_Integer)a->m->ms.n);
  luaL_argcheck(L, a->width >= 0 && a->width <= 100000, 3, "width out of range");
  if (a->from < 1) a->from = 1;
  if (a->to > (lua_Integer)a->m->ms.n) a->to = (lua_Integer)a->m->ms.n;
  a->nTok = -1;
  if (lua_isnoneornil(L, 6)) return 0;
  luaL_checktype(L, 6, LUA_TTABLE);
  lua_getfield(L, 6, "tokens");
  if (!lua_isnil(L, -1)) {
    a->nTok = luaL_checkinteger(L, -1);
    luaL_argcheck(L, a->nTok >= 0 && a->nTok <= 10000, 6, "tokens out of range");
  }
  lua_pop(L, 1);
  return 1;
}

static int corpus_kwic(lua_State *L) {
  kwic_args a;
  int bOpts = check_kwic_args(L, &a);
  ds_corpus *c = a.c;
  matchset_box *m = a.m;
  lua_Integer width = a.width, from = a.from, to = a.to, nTok = a.nTok;
  ds_sortkey aKey[16];
  size_t nKey = 0;
  if (bOpts) {
    lua_getfield(L, 6, "keys");
    if (!lua_isnil(L, -1)) nKey = check_keys(L, lua_gettop(L), aKey);
    lua_pop(L, 1);
  }
  groups g = {lds_newbuf(L), nKey, 0};
  const char *zKey = NULL;
  if (nKey && to >= from) {
    ds_error e;
    int rc = ds_matchset_key_strings(c, &m->ms, (size_t)from - 1, (size_t)to, aKey, nKey, key_row, &g, &e);
    if (rc == DS_DONE) return luaL_error(L, "out of memory");
    if (rc) return lds_raise(L, &e);
    zKey = (const char *)g.b->p;
  }
  ds_buf *parts[3];
  for (int k = 0; k < 3; k++) parts[k] = lds_newbuf(L);
  lua_createtable(L, to >= from ? (int)(to - from + 1) : 0, 0);
  unsigned nTick = 0;
  for (lua_Integer i = from; i <= to; i++) {
    const ds_match *x = &m->ms.a[i - 1];
    ds_error e;
    if (ds_interrupt_due(&nTick, 255)) {          /* Ctrl-C: the lines so far are dropped */
      ds_interrupt_error(&e);
      return lds_raise(L, &e);
    }
    for (int k = 0; k < 3; k++) ds_buf_reset(parts[k]);
    int rc = nTok >= 0 ? ds_corpus_kwic_tokens(c, x->first, x->last, (int)nTok, parts[0], parts[1], parts[2], &e)
                       : ds_corpus_kwic(c, x->first, x->last, (int)width, parts[0], parts[1], parts[2], &e);
    if (rc) return lds_raise(L, &e);
    lua_createtable(L, 0, 7);
    static const char *const azPart[3] = {"left", "match", "right"};
    for (int k = 0; k < 3; k++) {
      lds_pushbuf(L, parts[k]);
      lua_setfield(L, -2, azPart[k]);
    }
    lua_pushstring(L, doc_name_at(L, c, x->first));
    lua_setfield(L, -2, "doc");
    lds_setint(L, "first", x->first);
    lds_setint(L, "last", x->last);
    if (zKey) {
      lua_createtable(L, (int)nKey, 0);
      for (size_t k = 0; k < nKey; k++) {
        lua_pushstring(L, zKey);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
        zKey += strlen(zKey) + 1;
      }
      lua_setfield(L, -2, "keys");
    }
    lua_rawseti(L, -2, i - from + 1);
  }
  for (int k = 0; k < 3; k++) lds_freebuf(parts[k]);
  lds_freebuf(g.b);
  return 1;
}

/*
** corpus:kwic_text(matchset, width [, from [, to [, opts]]]) -> the lines of matches
** from..to as `dossier query` prints them, in one string (ds_kwic_render: no table per
** line). opts: tokens = N (context in tokens), docw = N (the document column's width;
** default the widest name among the lines), format = "text" | "tsv".
*/
static int corpus_kwic_text(lua_State *L) {
  kwic_args a;
  int bOpts = check_kwic_args(L, &a);
  ds_corpus *c = a.c;
  matchset_box *m = a.m;
  lua_Integer from = a.from, to = a.to;
  ds_kwic_style st = {DS_KWIC_TEXT, (int)a.width, (int)a.nTok, -1};
  if (bOpts) {
    lua_getfield(L, 6, "docw");
    if (!lua_isnil(L, -1)) {
      lua_Integer n = luaL_checkinteger(L, -1);
      luaL_argcheck(L, n >= 0 && n <= 100000, 6, "docw out of range");
      st.docw = (int)n;
    }
    static const char *const azFormat[] = {"text", "tsv", NULL};
    lua_getfield(L, 6, "format");
    if (!lua_isnil(L, -1)) st.eFormat = luaL_checkoption(L, -1, NULL, azFormat) == 1 ? DS_KWIC_TSV : DS_KWIC_TEXT;
    lua_pop(L, 2);
  }
  ds_buf *out = lds_newbuf(L);
  if (to >= from) {
    ds_error e;
    int rc = ds_kwic_render(c, m->ms.a + (from - 1), (size_t)(to - from + 1), &st, out, &e);
    if (rc) {
      lds_freebuf(out);
      return lds_raise(L, &e);
    }
  }
  lds_pushbuf(L, out);
  lds_freebuf(out);
  return 1;
}

/* {====== matchset ====== */

/* __gc and __close: idempotent (ds_matchset_free leaves it empty) */
static int matchset_gc(lua_State *L) {
  matchset_box *m = check_matchset(L, 1);
  ds_matchset_free(&m->ms);
  return 0;
}

static int matchset_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)check_matchset(L, 1)->ms.n);
  return 1;
}

/* ms:get(i) -> first, last (corpus positions), or nothing past the end */
static int matchset_get(lua_State *L) {
  matchset_box *m = check_matchset(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 1 || i > (lua_Integer)m->ms.n) return 0;
  lua_pushinteger(L, m->ms.a[i - 1].first);
  lua_pushinteger(L, m->ms.a[i - 1].last);
  return 2;
}

/* ms:anchor(i, j) -> corpus position of anchor column j (1-based) of match i, or nil */
static int matchset_anchor(lua_State *L) {
  matchset_box *m = check_matchset(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2), j = luaL_checkinteger(L, 3);
  if (i < 1 || i > (lua_Integer)m->ms.n || j < 1 || j > (lua_Integer)m->ms.nAnchor) return 0;
  int64_t pos = ds_matchset_anchor(&m->ms, (size_t)i - 1, (size_t)j - 1);
  if (pos < 0) return 0;
  lua_pushinteger(L, pos);
  return 1;
}

/* ms:combine(other, "union" | "intersect" | "minus") -> a new matchset of the same corpus */
static int matchset_combine(lua_State *L) {
  matchset_box *a = check_matchset(L, 1), *b = check_matchset(L, 2);
  static const char *const azOp[] = {"union", "intersect", "minus", NULL};
  int op = luaL_checkoption(L, 3, NULL, azOp);
  matchset_box *m = lua_newuserdatauv(L, sizeof *m, 1);
  memset(m, 0, sizeof *m);
  luaL_setmetatable(L, LDS_MATCHSET);
  lua_getiuservalue(L, 1, 1);
  lua_setiuservalue(L, -2, 1);
  if (ds_matchset_combine(&a->ms, &b->ms, op + 1, &m->ms)) return luaL_error(L, "out of memory");
  return 1;
}

/* ms:corpus() -> the corpus userdata */
static int matchset_corpus(lua_State *L) {
  check_matchset(L, 1);
  lua_getiuservalue(L, 1, 1);
  return 1;
}

/* }====== */

static const luaL_Reg corpus_methods[] = {
  {"query", corpus_query},
  {"ndocs", corpus_ndocs},
  {"count_by_freq", corpus_count_by_freq},
  {"kwic", corpus_kwic},
  {"kwic_text", corpus_kwic_text},
  {"msort", corpus_msort},
  {"mgroup", corpus_mgroup},
  {NULL, NULL}
};

static const luaL_Reg matchset_methods[] = {
  {"get", matchset_get},
  {"anchor", matchset_anchor},
  {"combine", matchset_combine},
  {"corpus", matchset_corpus},
  {NULL, NULL}
};

static const luaL_Reg matchset_meta[] = {
  {"__gc", matchset_gc},
  {"__close", matchset_gc},
  {"__len", matchset_len},
  {NULL, NULL}
};

void lds_open_query(lua_State *L) {
  lds_methods(L, LDS_CORPUS, corpus_methods);
  lds_register(L, LDS_MATCHSET, matchset_meta, matchset_methods);
}
