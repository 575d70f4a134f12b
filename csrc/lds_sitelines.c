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

/* A first look at files (ds_sitelines_peek_files): n results. */
typedef struct lds_peeks {
  size_t n;
  ds_filepeek *a;
} lds_peeks;

static lds_peeks *check_peeks(lua_State *L, int i) { return luaL_checkudata(L, i, LDS_FILEPEEK); }

/* 1-based index i of peeks at Lua stack slot k */
static const ds_filepeek *peek_at(lua_State *L, const lds_peeks *p, int k) {
  lua_Integer i = luaL_checkinteger(L, k);
  luaL_argcheck(L, i >= 1 && (lua_Unsigned)i <= p->n, k, "no such file in the look");
  return &p->a[i - 1];
}

/*
** core.peek_files(paths, flags, jobs) -> peeks: a look at each file of the list paths,
** flags[i] (1: a NUL byte makes it binary, 2: hash its lines for its site) on `jobs`
** threads; peeks:why(i) -> nil, "empty file", "binary file" or "unreadable".
*/
static int l_peek_files(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Integer nJobs = luaL_optinteger(L, 3, 1);
  luaL_argcheck(L, nJobs >= 1 && nJobs <= 64, 3, "jobs must be 1 to 64");
  size_t n = (size_t)luaL_len(L, 1);
  lds_peeks *p = lua_newuserdatauv(L, sizeof *p, 0);
  p->n = 0;
  p->a = NULL;
  luaL_setmetatable(L, LDS_FILEPEEK);
  const char **azPath = ds_malloc_n(n + 1, sizeof *azPath);
  unsigned char *aFlags = ds_malloc(n + 1);
  p->a = ds_malloc_n(n + 1, sizeof *p->a);
  if (!azPath || !aFlags || !p->a) {
    ds_free(azPath);
    ds_free(aFlags);
    return luaL_error(L, "out of memory");
  }
  /* the strings stay alive: they are in table 1, which the call holds */
  for (size_t i = 0; i < n; i++) {
    lua_geti(L, 1, (lua_Integer)i + 1);
    azPath[i] = lua_tostring(L, -1);
    lua_pop(L, 1);
    lua_geti(L, 2, (lua_Integer)i + 1);
    lua_Integer f = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (!azPath[i] || f < 0 || f > (DS_PEEK_NUL | DS_PEEK_LINES)) {
      ds_free(azPath);
      ds_free(aFlags);
      return luaL_error(L, "peek_files: entry %d: a path and flags 0 to 3 expected", (int)i + 1);
    }
    aFlags[i] = (unsigned char)f;
  }
  int rc = ds_sitelines_peek_files(azPath, aFlags, n, (int)nJobs, p->a);
  ds_free(azPath);
  ds_free(aFlags);
  if (rc == DS_INTERRUPTED) return luaL_error(L, "interrupted");
  if (rc) return luaL_error(L, "out of memory");
  p->n = n;
  return 1;
}

static int peeks_why(lua_State *L) {
  const ds_filepeek *f = peek_at(L, check_peeks(L, 1), 2);
  static const char *const azWhy[] = {NULL, "empty file", "binary file", "unreadable"};
  if (f->why == DS_PEEK_OK) lua_pushnil(L);
  else lua_pushstring(L, azWhy[f->why]);
  return 1;
}

static int peeks_gc(lua_State *L) {
  lds_peeks *p = check_peeks(L, 1);
  ds_free(p->a);
  p->a = NULL;
  p->n = 0;
  return 0;
}

/* set:add_peek(peeks, i): count the file peeks[i] as set:add_file would */
static int sitelines_add_peek(lua_State *L) {
  ds_sitelines *s = lds_check_sitelines(L, 1);
  const ds_filepeek *f = peek_at(L, check_peeks(L, 2), 3);
  if (f->why == DS_PEEK_UNREAD) return 0;      /* reading it will say why */
  if (ds_sitelines_add_peek(s, f)) return luaL_error(L, "out of memory");
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
  {"add_peek", sitelines_add_peek},
  {"finish", sitelines_finish},
  {"count", sitelines_count},
  {"docs", sitelines_docs},
  {NULL, NULL}
};

static const luaL_Reg sitelines_meta[] = {
  {"__gc", sitelines_gc},
  {NULL, NULL}
};

static const luaL_Reg peeks_methods[] = {
  {"why", peeks_why},
  {NULL, NULL}
};

static const luaL_Reg peeks_meta[] = {
  {"__gc", peeks_gc},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"sitelines", l_sitelines},
  {"peek_files", l_peek_files},
  {NULL, NULL}
};

void lds_open_sitelines(lua_State *L) {
  lds_register(L, LDS_SITELINES, sitelines_meta, sitelines_methods);
  lds_register(L, LDS_FILEPEEK, peeks_meta, peeks_methods);
  luaL_setfuncs(L, funcs, 0);
}
