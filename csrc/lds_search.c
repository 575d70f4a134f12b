/*
** lds_search.c -- the corpus's document search (FTS5, ds_store.h): corpus:search,
** corpus:snippet, corpus:search_update and corpus:search_missing.
*/
#include "lds.h"
#include "ds_store.h"

#include <string.h>

/* One hit of ds_corpus_search, kept in C memory while its statement runs. */
typedef struct hit {
  size_t k;             /* document index, corpus order */
  double score;
} hit;

/* Search callback: append the hit; the Lua tables are made after the search returned
   (a memory error there must not unwind through the live statement). */
static int collect_hit(void *ctx, size_t k, double score) {
  ds_buf *b = ctx;
  hit h = {k, score};
  ds_buf_append(b, &h, sizeof h);
  return b->rc != DS_OK;                /* out of memory: stop */
}

/* corpus:search(query [, limit]) -> {{index = document (1-based), doc = name, score}, ...},
   best first */
static int corpus_search(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  const char *zQuery = luaL_checkstring(L, 2);
  lua_Integer nLimit = luaL_optinteger(L, 3, 0);
  ds_buf *b = lds_newbuf(L);
  ds_error e;
  int rc = ds_corpus_search(c, zQuery, nLimit, collect_hit, b, &e);
  if (rc > DS_DONE) return lds_raise(L, &e);
  if (b->rc) return luaL_error(L, "out of memory");
  size_t n = b->n / sizeof(hit);
  lua_createtable(L, n < 1u << 30 ? (int)n : 0, 0);
  for (size_t i = 0; i < n; i++) {
    hit h;
    memcpy(&h, b->p + i * sizeof h, sizeof h);
    lua_createtable(L, 0, 3);
    lds_setint(L, "index", (lua_Integer)h.k + 1);
    lua_pushstring(L, ds_corpus_doc(c, h.k)->zName);
    lua_setfield(L, -2, "doc");
    lua_pushnumber(L, h.score);
    lua_setfield(L, -2, "score");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lds_freebuf(b);
  return 1;
}

/* corpus:snippet(document index, query [, tokens]) -> text with the terms in [brackets] */
static int corpus_snippet(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  lua_Integer k = luaL_checkinteger(L, 2);
  const char *zQuery = luaL_checkstring(L, 3);
  lua_Integer n = luaL_optinteger(L, 4, 20);
  luaL_argcheck(L, k >= 1 && (size_t)k <= ds_corpus_ndocs(c), 2, "no such document");
  ds_buf *b = lds_newbuf(L);
  ds_error e;
  if (ds_corpus_snippet(c, (size_t)k - 1, zQuery, (int)n, b, &e)) return lds_raise(L, &e);
  lds_pushbuf(L, b);
  lds_freebuf(b);
  return 1;
}

/* corpus:search_update() -> documents newly indexed for search */
static int corpus_search_update(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  size_t n;
  ds_error e;
  if (ds_corpus_search_update(c, &n, &e)) return lds_raise(L, &e);
  lua_pushinteger(L, (lua_Integer)n);
  return 1;
}

/* corpus:search_missing() -> documents not yet in the search index */
static int corpus_search_missing(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)ds_corpus_search_missing(lds_check_corpus(L, 1)));
  return 1;
}

static const luaL_Reg methods[] = {
  {"search", corpus_search},
  {"snippet", corpus_snippet},
  {"search_update", corpus_search_update},
  {"search_missing", corpus_search_missing},
  {NULL, NULL}
};

void lds_open_search(lua_State *L) { lds_methods(L, LDS_CORPUS, methods); }
