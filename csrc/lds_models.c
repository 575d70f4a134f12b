/*
** lds_models.c -- the read-only data the reader and tagger load once: dossier.langdata
** (word list, furniture phrases) and dossier.tagger (tagger model with its lemmatizer).
*/
#include "lds.h"
#include "ds_langdata.h"
#include "ds_lemma.h"
#include "ds_tagger.h"

/* {====== language data ====== */

const ds_langdata *lds_check_langdata(lua_State *L, int i) {
  ds_langdata **box = luaL_checkudata(L, i, LDS_LANGDATA);
  if (!*box) luaL_error(L, "attempt to use freed language data");
  return *box;
}

/* core.langdata(dir) -> language data (word list, furniture phrases) */
static int l_langdata(lua_State *L) {
  const char *zDir = luaL_checkstring(L, 1);
  ds_langdata **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = NULL;                          /* created empty: __gc has nothing to do */
  luaL_setmetatable(L, LDS_LANGDATA);
  ds_error e;
  if (ds_langdata_load(zDir, box, &e)) return lds_raise(L, &e);
  return 1;
}

static int langdata_gc(lua_State *L) {
  ds_langdata **box = luaL_checkudata(L, 1, LDS_LANGDATA);
  ds_langdata_free(*box);
  *box = NULL;
  return 0;
}

/* }====== */

/* {====== tagger ====== */

lds_tagger *lds_check_tagger(lua_State *L, int i) {
  lds_tagger *b = luaL_checkudata(L, i, LDS_TAGGER);
  if (!b->t || !b->l) luaL_error(L, "attempt to use a freed tagger");
  return b;
}

/* core.tagger(tagger_path, lemmas_path) -> tagger */
static int l_tagger(lua_State *L) {
  const char *zTagger = luaL_checkstring(L, 1);
  const char *zLemmas = luaL_checkstring(L, 2);
  lds_tagger *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->t = NULL;
  b->l = NULL;
  luaL_setmetatable(L, LDS_TAGGER);
  ds_error e;
  if (ds_tagger_load(zTagger, &b->t, &e) || ds_lemma_load(zLemmas, &b->l, &e)) return lds_raise(L, &e);
  return 1;
}

static int tagger_gc(lua_State *L) {
  lds_tagger *b = luaL_checkudata(L, 1, LDS_TAGGER);
  ds_tagger_free(b->t);
  ds_lemma_free(b->l);
  b->t = NULL;
  b->l = NULL;
  return 0;
}

/* tagger:tag(words) -> upos, xpos, lemmas: three lists for one sentence's words */
static int tagger_tag(lua_State *L) {
  lds_tagger *b = lds_check_tagger(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Integer n = luaL_len(L, 2);
  luaL_argcheck(L, n >= 0 && n < (1 << 24), 2, "too many words");
  /* scratch in userdata boxes, freed by the collector even if a call below raises */
  const char **az = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *az, 0);
  size_t *an = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *an, 0);
  uint8_t *aU = lua_newuserdatauv(L, (size_t)n + 1, 0), *aX = lua_newuserdatauv(L, (size_t)n + 1, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, 2, i);
    az[i - 1] = luaL_checklstring(L, -1, &an[i - 1]);   /* anchored by the table */
    lua_pop(L, 1);
  }
  if (ds_tagger_tag(b->t, az, an, (size_t)n, aU, aX)) return luaL_error(L, "tagging failed");
  ds_buf *lemma = lds_newbuf(L);
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    const char *zU = ds_tagger_upos_name(b->t, aU[i - 1]), *zX = ds_tagger_xpos_name(b->t, aX[i - 1]);
    lua_pushstring(L, zU);
    lua_rawseti(L, -4, i);
    lua_pushstring(L, zX);
    lua_rawseti(L, -3, i);
    ds_buf_reset(lemma);
    if (ds_lemmatize(b->l, az[i - 1], an[i - 1], zU, zX, lemma) || lemma->rc) {
      return luaL_error(L, "lemmatizing failed");
    }
    lds_pushbuf(L, lemma);
    lua_rawseti(L, -2, i);
  }
  lds_freebuf(lemma);
  return 3;
}

/* }====== */

static const luaL_Reg langdata_meta[] = {
  {"__gc", langdata_gc},
  {NULL, NULL}
};

static const luaL_Reg tagger_meta[] = {
  {"__gc", tagger_gc},
  {NULL, NULL}
};

static const luaL_Reg tagger_methods[] = {
  {"tag", tagger_tag},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"langdata", l_langdata},
  {"tagger", l_tagger},
  {NULL, NULL}
};

void lds_open_models(lua_State *L) {
  lds_register(L, LDS_LANGDATA, langdata_meta, NULL);
  lds_register(L, LDS_TAGGER, tagger_meta, tagger_methods);
  luaL_setfuncs(L, funcs, 0);
}
