/*
** lds_query.c -- queries: corpus:query (CQL, ds_query.h) giving a dossier.matchset,
** which keeps its corpus alive through its user value, and corpus:kwic (concordance
** lines of a match set).
*/
#include "lds.h"
#include "ds_kwic.h"
#include "ds_query.h"
#include "ds_store.h"

#include <string.h>

typedef struct matchset_box {
  ds_matchset ms;
} matchset_box;

static matchset_box *check_matchset(lua_State *L, int i) { return luaL_checkudata(L, i, LDS_MATCHSET); }

/* corpus:query(q) -> matchset */
static int corpus_query(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  size_t nQuery;
  const char *zQuery = luaL_checklstring(L, 2, &nQuery);
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
  int rc = ds_query_run(c, q, &m->ms, &e);
  ds_query_free(q);
  if (rc) return lds_raise(L, &e);
  return 1;
}

/* The name of the document holding cpos, or an error. */
static const char *doc_name_at(lua_State *L, ds_corpus *c, int64_t cpos) {
  int64_t k = ds_corpus_doc_at(c, cpos);
  if (k < 0) luaL_error(L, "corpus position %d is in no document", (int)cpos);
  return ds_corpus_doc(c, (size_t)k)->zName;
}

/* corpus:kwic(matchset, width [, from [, to]]) -> list of {left, match, right, doc, first, last} */
static int corpus_kwic(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  matchset_box *m = check_matchset(L, 2);
  lua_Integer width = luaL_checkinteger(L, 3);
  lua_Integer from = luaL_optinteger(L, 4, 1);
  lua_Integer to = luaL_optinteger(L, 5, (lua_Integer)m->ms.n);
  luaL_argcheck(L, width >= 0 && width <= 100000, 3, "width out of range");
  if (from < 1) from = 1;
  if (to > (lua_Integer)m->ms.n) to = (lua_Integer)m->ms.n;
  ds_buf *parts[3];
  for (int k = 0; k < 3; k++) parts[k] = lds_newbuf(L);
  lua_createtable(L, to >= from ? (int)(to - from + 1) : 0, 0);
  for (lua_Integer i = from; i <= to; i++) {
    const ds_match *x = &m->ms.a[i - 1];
    ds_error e;
    for (int k = 0; k < 3; k++) ds_buf_reset(parts[k]);
    if (ds_corpus_kwic(c, x->first, x->last, (int)width, parts[0], parts[1], parts[2], &e)) {
      return lds_raise(L, &e);
    }
    lua_createtable(L, 0, 6);
    static const char *const azPart[3] = {"left", "match", "right"};
    for (int k = 0; k < 3; k++) {
      lds_pushbuf(L, parts[k]);
      lua_setfield(L, -2, azPart[k]);
    }
    lua_pushstring(L, doc_name_at(L, c, x->first));
    lua_setfield(L, -2, "doc");
    lds_setint(L, "first", x->first);
    lds_setint(L, "last", x->last);
    lua_rawseti(L, -2, i - from + 1);
  }
  for (int k = 0; k < 3; k++) lds_freebuf(parts[k]);
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

/* ms:corpus() -> the corpus userdata */
static int matchset_corpus(lua_State *L) {
  check_matchset(L, 1);
  lua_getiuservalue(L, 1, 1);
  return 1;
}

/* }====== */

static const luaL_Reg corpus_methods[] = {
  {"query", corpus_query},
  {"kwic", corpus_kwic},
  {NULL, NULL}
};

static const luaL_Reg matchset_methods[] = {
  {"get", matchset_get},
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
