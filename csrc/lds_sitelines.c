/*
** lds_sitelines.c -- dossier.sitelines: the lines repeated across a site's documents
** (ds_sitelines.h), counted here and given to the reader as the `site` read option.
*/
#include "lds.h"
#include "ds_sitelines.h"

ds_sitelines *lds_check_sitelines(lua_State *L, int i) {
  ds_sitelines **box = luaL_checkudata(L, i, LDS_SITELINES);
  if (!*box) luaL_error(L, "site lines already freed");
  return *box;
}

/* core.sitelines() -> an empty set */
static int l_sitelines(lua_State *L) {
  ds_sitelines **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = NULL;
  luaL_setmetatable(L, LDS_SITELINES);
  if (!(*box = ds_sitelines_new())) return luaL_error(L, "out of memory");
  return 1;
}

static int sitelines_gc(lua_State *L) {
  ds_sitelines **box = luaL_checkudata(L, 1, LDS_SITELINES);
  ds_sitelines_free(*box);
  *box = NULL;
  return 0;
}

/* set:add_file(path) / set:add_text(text): count one document's lines */
static int sitelines_add_file(lua_State *L) {
  ds_error e;
  if (ds_sitelines_add_file(lds_check_sitelines(L, 1), luaL_checkstring(L, 2), &e)) return lds_raise(L, &e);
  return 0;
}

static int sitelines_add_text(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 2, &n);
  if (ds_sitelines_add(lds_check_sitelines(L, 1), z, n)) return luaL_error(L, "out of memory");
  return 0;
}

/* set:finish(min_docs, min_share) */
static int sitelines_finish(lua_State *L) {
  lua_Integer minDocs = luaL_checkinteger(L, 2);
  lua_Number share = luaL_checknumber(L, 3);
  luaL_argcheck(L, minDocs >= 1, 2, "min_docs must be at least 1");
  luaL_argcheck(L, share >= 0 && share <= 1, 3, "min_share must be 0 to 1");
  ds_sitelines_finish(lds_check_sitelines(L, 1), (size_t)minDocs, share);
  return 0;
}

/* set:count(line) -> documents it was found in, 0 if not kept; set:docs() -> documents */
static int sitelines_count(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 2, &n);
  lua_pushinteger(L, (lua_Integer)ds_sitelines_count(lds_check_sitelines(L, 1), z, n));
  return 1;
}

static int sitelines_docs(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)ds_sitelines_ndocs(lds_check_sitelines(L, 1)));
  return 1;
}

static const luaL_Reg sitelines_methods[] = {
  {"add_file", sitelines_add_file},
  {"add_text", sitelines_add_text},
  {"finish", sitelines_finish},
  {"count", sitelines_count},
  {"docs", sitelines_docs},
  {NULL, NULL}
};

static const luaL_Reg sitelines_meta[] = {
  {"__gc", sitelines_gc},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"sitelines", l_sitelines},
  {NULL, NULL}
};

void lds_open_sitelines(lua_State *L) {
  lds_register(L, LDS_SITELINES, sitelines_meta, sitelines_methods);
  luaL_setfuncs(L, funcs, 0);
}
