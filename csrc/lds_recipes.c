/*
** lds_recipes.c -- corpus methods for the recipes beyond counting values (those are
** lds_count.c): corpus:similar (ds_similar.h), corpus:count_in_spans (ds_cooccur.h) and
** corpus:network (ds_network.h).
*/
#include "lds.h"
#include "cql_idset.h"
#include "ds_cooccur.h"
#include "ds_cql.h"
#include "ds_doc.h"
#include "ds_network.h"
#include "ds_similar.h"
#include "ds_store.h"

#include <string.h>

/* A result held in C while it becomes Lua tables (freed by __gc on any error). */
typedef struct simbox {
  ds_simpair *a;
  unsigned char *abPos;
} simbox;

static int simbox_gc(lua_State *L) {
  simbox *b = lua_touserdata(L, 1);
  ds_free(b->a);
  ds_free(b->abPos);
  b->a = NULL;
  b->abPos = NULL;
  return 0;
}

static double opt_number(lua_State *L, int t, const char *k, double dflt) {
  lua_getfield(L, t, k);
  double v = lua_isnil(L, -1) ? dflt : luaL_checknumber(L, -1);
  lua_pop(L, 1);
  return v;
}

/*
** corpus:similar(opts, docs) -> {{a, b, cosine, jaccard}, ...} (a, b: documents, from 1),
** by falling cosine. opts: by (attribute name, default "lemma"), pos = {UPOS names} (only
** those tokens count for the cosine; values the corpus lacks count none), min_cosine,
** min_jaccard, shingle, hashes; docs: one byte per document, or nil.
*/
static int corpus_similar(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  const unsigned char *abDoc = lds_check_docs(L, 3, c);
  ds_error e;
  if (ds_corpus_refresh(c, &e)) return lds_raise(L, &e);
  ds_simopts o;
  memset(&o, 0, sizeof o);
  lua_getfield(L, 2, "by");
  o.attr = ds_attr_find(lua_isnil(L, -1) ? "lemma" : luaL_checkstring(L, -1));
  if (o.attr < 0) return luaL_error(L, "similar: by must be word, norm, lemma, pos or xpos");
  lua_pop(L, 1);
  o.minCosine = opt_number(L, 2, "min_cosine", 0.5);
  o.minJaccard = opt_number(L, 2, "min_jaccard", 0.5);
  double nShingle = opt_number(L, 2, "shingle", 5), nHash = opt_number(L, 2, "hashes", 128);
  o.nShingle = nShingle >= 1 && nShingle <= 16 ? (int)nShingle : -1;     /* (0 is C's "default") */
  o.nHash = nHash >= 4 && nHash <= 1024 ? (int)nHash : -1;
  simbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, simbox_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_getfield(L, 2, "pos");
  if (!lua_isnil(L, -1)) {
    luaL_checktype(L, -1, LUA_TTABLE);
    lua_Integer nName = luaL_len(L, -1);
    luaL_argcheck(L, nName <= 64, 2, "at most 64 parts of speech");
    uint32_t aId[64], maxId = 0;
    int nId = 0;
    for (lua_Integer i = 1; i <= nName; i++) {
      lua_geti(L, -1, i);
      size_t nz;
      const char *z = luaL_checklstring(L, -1, &nz);
      int64_t f;
      int rc = ds_corpus_lookup(c, DS_ATTR_POS, z, nz, &aId[nId], &f, &e);
      if (rc == DS_OK && aId[nId] >= maxId) maxId = aId[nId];
      if (rc == DS_OK) nId++;
      else if (rc != DS_NOTFOUND) return lds_raise(L, &e);
      lua_pop(L, 1);
    }
    b->abPos = ds_malloc((size_t)maxId + 1);
    if (!b->abPos) return luaL_error(L, "out of memory");
    memset(b->abPos, 0, (size_t)maxId + 1);
    for (int i = 0; i < nId; i++) b->abPos[aId[i]] = 1;
    o.abPos = b->abPos;
    o.nPos = nId ? (size_t)maxId + 1 : 0;     /* none of them in the corpus: no token counts */
  }
  lua_pop(L, 1);
  size_t n;
  if (ds_similar(c, abDoc, &o, &b->a, &n, &e)) return lds_raise(L, &e);
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    lua_createtable(L, 0, 4);
    lds_setint(L, "a", (lua_Integer)b->a[i].a + 1);
    lds_setint(L, "b", (lua_Integer)b->a[i].b + 1);
    lua_pushnumber(L, b->a[i].cosine);
    lua_setfield(L, -2, "cosine");
    lua_pushnumber(L, b->a[i].jaccard);
    lua_setfield(L, -2, "jaccard");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* Two match sets held in C while a call may raise (freed by __gc). */
typedef struct msbox {
  ds_matchset a, b;
} msbox;

static int msbox_gc(lua_State *L) {
  msbox *m = lua_touserdata(L, 1);
  ds_matchset_free(&m->a);
  ds_matchset_free(&m->b);
  return 0;
}


/*
** corpus:count_in_spans(hits, with, kind, docs) -> {spans, tokens, hits}: the spans of
** kind holding a match of query `with`, their tokens, and the matches of query `hits`
** starting in them (docs: one byte per document, or nil). With a list of queries as
** `hits`, a list of such results, one per query (`with` run once).
*/
static int corpus_count_in_spans(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  const char *zKind = luaL_checkstring(L, 4);
  const unsigned char *abDoc = lds_check_docs(L, 5, c);
  ds_error e;
  if (ds_corpus_refresh(c, &e)) return lds_raise(L, &e);
  msbox *m = lua_newuserdatauv(L, sizeof *m, 0);
  m->a = (ds_matchset)DS_MATCHSET_INIT;
  m->b = (ds_matchset)DS_MATCHSET_INIT;
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, msbox_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lds_run_query(L, 3, c, &m->b);
  int bList = lua_istable(L, 2);
  lua_Integer nQuery = bList ? luaL_len(L, 2) : 1;
  if (bList) lua_createtable(L, (int)nQuery, 0);
  for (lua_Integer i = 1; i <= nQuery; i++) {
    if (bList) lua_geti(L, 2, i);
    else lua_pushvalue(L, 2);
    ds_matchset_clear(&m->a);
    lds_run_query(L, lua_gettop(L), c, &m->a);
    lua_pop(L, 1);
    ds_spancount sc;
    if (ds_count_in_spans(c, &m->a, &m->b, zKind, abDoc, &sc, &e)) return lds_raise(L, &e);
    lua_createtable(L, 0, 3);
    lds_setint(L, "spans", sc.nSpans);
    lds_setint(L, "tokens", sc.nTokens);
    lds_setint(L, "hits", sc.nHits);
    if (bList) lua_rawseti(L, -2, i);
  }
  return 1;
}

static int netbox_gc(lua_State *L) {
  ds_network_free(lua_touserdata(L, 1));
  return 0;
}

/* The place of value zName in kind sk's values, or a Lua error. */
static int value_index(lua_State *L, const ds_spankind *sk, const char *zName) {
  for (int i = 0; i < sk->nAttr; i++)
    if (strcmp(sk->azAttr[i], zName) == 0) return i;
  return luaL_error(L, "network: <%s> has no value '%s'", sk->zName, zName);
}

/*
** corpus:network{kind, key, label, group, unit | window}, docs -> {n, nodes = {{key, label,
** group, freq}}, edges = {{a, b, n}}} (a, b: nodes, from 1); see ds_network.h.
*/
static int corpus_network(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  const unsigned char *abDoc = lds_check_docs(L, 3, c);
  lua_getfield(L, 2, "kind");
  const char *zKind = luaL_optstring(L, -1, "ent");
  const ds_spankind *sk = ds_spankind_get(ds_spankind_find(zKind));
  if (!sk) return luaL_error(L, "network: '%s' is not a kind of span with values (ent, date, ...)", zKind);
  int aiVal[3];
  static const char *const azField[] = {"key", "label", "group"}, *const azDefault[] = {"id", "name", "type"};
  for (int i = 0; i < 3; i++) {
    lua_getfield(L, 2, azField[i]);
    const char *z = lua_tostring(L, -1);
    aiVal[i] = value_index(L, sk, z ? z : (strcmp(zKind, "ent") == 0 ? azDefault[i] : sk->azAttr[0]));
  }
  lua_getfield(L, 2, "unit");
  const char *zUnit = lua_tostring(L, -1);
  lua_getfield(L, 2, "window");
  lua_Integer nWindow = luaL_optinteger(L, -1, 0);
  if (!zUnit && nWindow <= 0) return luaL_error(L, "network: a unit (s, p) or a window of tokens expected");
  ds_error e;
  if (ds_corpus_refresh(c, &e)) return lds_raise(L, &e);
  ds_network *g = lua_newuserdatauv(L, sizeof *g, 0);
  *g = (ds_network)DS_NETWORK_INIT;
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, netbox_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  if (ds_count_network(c, zKind, aiVal[0], aiVal[1], aiVal[2], zUnit, zUnit ? 0 : nWindow, abDoc, g, &e))
    return lds_raise(L, &e);
  lua_createtable(L, 0, 3);
  lds_setint(L, "n", g->n);
  lua_createtable(L, (int)g->nNode, 0);
  for (size_t i = 0; i < g->nNode; i++) {
    lua_createtable(L, 0, 4);
    lua_pushstring(L, ds_network_str(g, g->aNode[i].iKey));
    lua_setfield(L, -2, "key");
    lua_pushstring(L, ds_network_str(g, g->aNode[i].iLabel));
    lua_setfield(L, -2, "label");
    lua_pushstring(L, ds_network_str(g, g->aNode[i].iGroup));
    lua_setfield(L, -2, "group");
    lds_setint(L, "freq", g->aNode[i].nFreq);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "nodes");
  lua_createtable(L, (int)g->nEdge, 0);
  for (size_t i = 0; i < g->nEdge; i++) {
    lua_createtable(L, 0, 3);
    lds_setint(L, "a", (lua_Integer)g->aEdge[i].a + 1);
    lds_setint(L, "b", (lua_Integer)g->aEdge[i].b + 1);
    lds_setint(L, "n", g->aEdge[i].n);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "edges");
  return 1;
}

/* {====== regex: the recipes' --match, as CQL matches values ====== */

#define LDS_REGEX "dossier.regex"

static int regex_gc(lua_State *L) {
  cql_regex **box = luaL_checkudata(L, 1, LDS_REGEX);
  cql_regex_free(*box);
  *box = NULL;
  return 0;
}

/*
** core.regex(pattern [, fold]) -> a regular expression (PCRE2, UTF) matched against a
** whole value, as CQL's values are; fold: case-insensitive. A bad pattern is an error
** with PCRE2's message and its position.
*/
static int l_regex(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  int flags = lua_toboolean(L, 2) ? DS_CQL_FOLD : 0;
  cql_regex **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = NULL;
  luaL_setmetatable(L, LDS_REGEX);
  ds_error e;
  if (cql_regex_new(z, n, flags, box, z, 0, &e)) return lds_raise(L, &e);
  return 1;
}

/* re:test(s) -> whether s matches as a whole */
static int regex_test(lua_State *L) {
  cql_regex **box = luaL_checkudata(L, 1, LDS_REGEX);
  size_t n;
  const char *z = luaL_checklstring(L, 2, &n);
  int v = *box ? cql_regex_test(*box, z, n) : -1;
  if (v < 0) return luaL_error(L, "regular expression over its limits on '%s'", z);
  lua_pushboolean(L, v);
  return 1;
}

static const luaL_Reg regex_meta[] = {{"__gc", regex_gc}, {NULL, NULL}};
static const luaL_Reg regex_methods[] = {{"test", regex_test}, {NULL, NULL}};

/* }====== */

static const luaL_Reg methods[] = {
  {"network", corpus_network},
  {"similar", corpus_similar},
  {"count_in_spans", corpus_count_in_spans},
  {NULL, NULL}
};

void lds_open_recipes(lua_State *L) {
  lds_methods(L, LDS_CORPUS, methods);
  lds_register(L, LDS_REGEX, regex_meta, regex_methods);
  lua_pushcfunction(L, l_regex);
  lua_setfield(L, -2, "regex");
}
