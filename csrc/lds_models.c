/*
** lds_models.c -- the read-only data the reader and tagger load once: dossier.langdata
** (word list, furniture phrases), dossier.tagger (tagger model with its lemmatizer) and
** dossier.extractor (the recognizers: lexicons, the NER model).
*/
#include "lds.h"
#include "ds_langdata.h"
#include "ds_lemma.h"
#include "ds_tagger.h"
#include "ds_extract.h"
#include "ds_gazetteer.h"
#include "ds_ner.h"

#include <string.h>

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

/* {====== extractor ====== */

/* The recognizers (ds_extract.h) with what they own. */
typedef struct lds_extractor {
  ds_extractor x;
  ds_gazetteer *pGaz;
  ds_ner *pNer;
} lds_extractor;

const ds_extractor *lds_check_extractor(lua_State *L, int i) {
  return &((lds_extractor *)luaL_checkudata(L, i, LDS_EXTRACTOR))->x;
}

/*
** core.extractor{lexicons = {paths}, model = path, others = bool} -> extractor: entities
** from the lexicon files (in order: later entries override earlier ones) and from the
** model, and (others) dates, money, percentages, citations, URLs and quotations.
*/
static int l_extractor(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lds_extractor *b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);                /* created empty: __gc has nothing to do */
  luaL_setmetatable(L, LDS_EXTRACTOR);
  ds_error e;
  lua_getfield(L, 1, "lexicons");
  if (!lua_isnil(L, -1)) {
    luaL_argcheck(L, lua_istable(L, -1), 1, "lexicons must be a list of paths");
    int n = (int)luaL_len(L, -1);
    luaL_argcheck(L, n <= 1000, 1, "more than 1,000 lexicon files");
    const char **az = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *az, 0);   /* collected with L */
    for (int i = 0; i < n; i++) {
      lua_geti(L, -2, i + 1);
      az[i] = lua_tostring(L, -1);
      luaL_argcheck(L, az[i] != NULL, 1, "lexicons must be a list of paths");
      lua_pop(L, 1);                      /* the string stays: the list holds it */
    }
    if (n > 0 && ds_gazetteer_load(az, n, &b->pGaz, &e)) return lds_raise(L, &e);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "model");
  if (!lua_isnil(L, -1)) {
    const char *zModel = lua_tostring(L, -1);
    luaL_argcheck(L, zModel != NULL, 1, "model must be a path");
    if (ds_ner_load(zModel, &b->pNer, &e)) return lds_raise(L, &e);
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "others");
  b->x.bOthers = lua_isnil(L, -1) || lua_toboolean(L, -1);
  lua_pop(L, 1);
  b->x.pGaz = b->pGaz;
  b->x.pNer = b->pNer;
  return 1;
}

static int extractor_gc(lua_State *L) {
  lds_extractor *b = luaL_checkudata(L, 1, LDS_EXTRACTOR);
  ds_gazetteer_free(b->pGaz);
  ds_ner_free(b->pNer);
  memset(b, 0, sizeof *b);
  return 0;
}

/* extractor:entries() -> entries of its lexicons */
static int extractor_entries(lua_State *L) {
  lds_extractor *b = luaL_checkudata(L, 1, LDS_EXTRACTOR);
  lua_pushinteger(L, b->pGaz ? (lua_Integer)ds_gazetteer_count(b->pGaz) : 0);
  return 1;
}

static const luaL_Reg extractor_meta[] = {
  {"__gc", extractor_gc},
  {NULL, NULL}
};

static const luaL_Reg extractor_methods[] = {
  {"entries", extractor_entries},
  {NULL, NULL}
};

/* }====== */

static const luaL_Reg funcs[] = {
  {"langdata", l_langdata},
  {"tagger", l_tagger},
  {"extractor", l_extractor},
  {NULL, NULL}
};

void lds_open_models(lua_State *L) {
  lds_register(L, LDS_LANGDATA, langdata_meta, NULL);
  lds_register(L, LDS_TAGGER, tagger_meta, tagger_methods);
  lds_register(L, LDS_EXTRACTOR, extractor_meta, extractor_methods);
  luaL_setfuncs(L, funcs, 0);
}
