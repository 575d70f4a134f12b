/*
** lds_corpus.c -- dossier.corpus, a corpus file: open and close, transactions, adding
** documents (one at a time or by ds_ingest, with a progress function), and the
** documents' list, metadata, texts, counts and checks. Search and queries add their
** methods from lds_search.c and lds_query.c.
*/
#include "lds.h"
#include "ds_ingest.h"
#include "ds_store.h"

#include <string.h>

/* A corpus handle: user values 1-3 keep the language data, tagger and site lines of
   corpus:set_read alive while the core points at them. */
typedef struct corpus_box {
  ds_corpus *c;         /* NULL once closed */
  int bBusy;            /* a C call (corpus:ingest) is using c: it calls back into Lua */
  lua_Integer nCommit;  /* commits done through this handle (counted before returning) */
} corpus_box;

static corpus_box *get_corpus(lua_State *L, int i) { return luaL_checkudata(L, i, LDS_CORPUS); }

/*
** The open corpus at index i. While corpus:ingest runs (and calls the progress function)
** the corpus is busy: every method, close included, is refused, so no callback can free
** it under the core or write, commit or roll back part of the add.
*/
ds_corpus *lds_check_corpus_nodocs(lua_State *L, int i) {
  corpus_box *b = get_corpus(L, i);
  if (!b->c) luaL_error(L, "attempt to use a closed corpus");
  if (b->bBusy) luaL_error(L, "the corpus is busy adding documents (a progress function cannot use it)");
  return b->c;
}

/* The same, with its documents' rows read (a reader reads them at its first use). */
ds_corpus *lds_check_corpus(lua_State *L, int i) {
  ds_corpus *c = lds_check_corpus_nodocs(L, i);
  ds_error e;
  if (ds_corpus_docs_pending(c) && ds_corpus_load_docs(c, &e)) lds_raise(L, &e);
  return c;
}

/* {====== lifetime and transactions ====== */

/*
** core.open(path [, mode]) mode: "c" create if missing (default), "w" must exist, "r"
** read-only (its documents' rows are read at the first method that needs them)
*/
static int l_open(lua_State *L) {
  const char *zPath = luaL_checkstring(L, 1);
  const char *zMode = luaL_optstring(L, 2, "c");
  int flags = strcmp(zMode, "c") == 0 ? DS_OPEN_CREATE
            : strcmp(zMode, "w") == 0 ? 0
            : strcmp(zMode, "r") == 0 ? DS_OPEN_READONLY | DS_OPEN_LAZY_DOCS : -1;
  luaL_argcheck(L, flags >= 0, 2, "mode must be \"c\", \"w\" or \"r\"");
  corpus_box *b = lua_newuserdatauv(L, sizeof *b, 4);
  b->c = NULL;                       /* closed until opened: __gc has nothing to do */
  b->bBusy = 0;
  b->nCommit = 0;
  luaL_setmetatable(L, LDS_CORPUS);
  ds_error e;
  if (ds_corpus_open(zPath, flags, &b->c, &e)) return lds_raise(L, &e);
  return 1;
}

/* corpus:close(), also __gc and __close: idempotent */
static int corpus_close(lua_State *L) {
  corpus_box *b = get_corpus(L, 1);
  if (b->bBusy)          /* not __gc: the busy handle is on the stack of corpus:ingest */
    return luaL_error(L, "cannot close the corpus while it is adding documents (close it after corpus:add returns)");
  ds_corpus_close(b->c);
  b->c = NULL;
  return 0;
}

static int corpus_isopen(lua_State *L) {
  lua_pushboolean(L, get_corpus(L, 1)->c != NULL);
  return 1;
}

/*
** corpus:commits() -> commits done through this handle. Counted in C before commit
** returns, so a Lua error raised at its return (Ctrl-C's hook) cannot hide one.
*/
static int corpus_commits(lua_State *L) {
  lua_pushinteger(L, get_corpus(L, 1)->nCommit);
  return 1;
}

static int corpus_tostring(lua_State *L) {
  corpus_box *b = get_corpus(L, 1);
  if (b->c) lua_pushfstring(L, "dossier.corpus (%d documents)", (int)ds_corpus_ndocs(lds_check_corpus(L, 1)));
  else lua_pushliteral(L, "dossier.corpus (closed)");
  return 1;
}

static int corpus_begin(lua_State *L) {
  ds_error e;
  if (ds_corpus_begin(lds_check_corpus(L, 1), &e)) return lds_raise(L, &e);
  return 0;
}

static int corpus_commit(lua_State *L) {
  ds_error e;
  if (ds_corpus_commit(lds_check_corpus(L, 1), &e)) return lds_raise(L, &e);
  get_corpus(L, 1)->nCommit++;
  return 0;
}

static int corpus_rollback(lua_State *L) {
  ds_corpus_rollback(lds_check_corpus(L, 1));
  return 0;
}

/* corpus:set_read([opts]): how documents added from now on are read (read options,
   lds.h; the name is not used) */
static int corpus_set_read(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  ds_read_opts o;
  memset(&o, 0, sizeof o);
  o.format = DS_FMT_TEXT;
  lds_read_opts(L, 2, 2, &o);
  o.zName = NULL;
  static const char *const azKeep[] = {"langdata", "tagger", "site", "extractor"};
  for (int k = 0; k < 4; k++) {         /* keep what the core points at alive */
    if (lua_istable(L, 2)) lua_getfield(L, 2, azKeep[k]);
    else lua_pushnil(L);
    lua_setiuservalue(L, 1, k + 1);
  }
  ds_corpus_set_read(c, &o);
  return 0;
}

/* }====== */

/* {====== adding documents ====== */

/*
** The metadata string at index i (a key, or the value of key zKey): a C string, so no
** NUL; zWhere (may be NULL) names the document in the error.
*/
static const char *meta_string(lua_State *L, int i, const char *zKey, const char *zWhere) {
  size_t n;
  const char *z = lua_tolstring(L, i, &n);
  if (strlen(z) != n) {
    lua_pushfstring(L, "%s%s", zWhere ? zWhere : "", zWhere ? ": " : "");
    if (zKey) lua_pushfstring(L, "metadata value of '%s' holds a NUL byte", zKey);
    else lua_pushliteral(L, "a metadata key holds a NUL byte");
    lua_concat(L, 2);
    lua_error(L);
  }
  return z;
}

/*
** Pairs in the metadata table at (absolute) index t, all strings, or an error: of
** argument iArg when it is one (iArg > 0).
*/
static size_t meta_count(lua_State *L, int t, int iArg) {
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
      if (iArg > 0) luaL_error(L, "bad argument #%d (metadata keys and values must be strings)", iArg);
      luaL_error(L, "metadata keys and values must be strings");
    }
    n++;
    lua_pop(L, 1);
  }
  return n;
}

/*
** Point m at the pairs of the metadata table at (absolute) index t, with 2 * its count
** pointers from *pp on (which moves past them); zWhere names the document in errors.
*/
static void meta_fill(lua_State *L, int t, ds_meta *m, const char ***pp, const char *zWhere, int iAnchor) {
  const char **a = *pp;
  size_t n = meta_count(L, t, 0), k = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    a[k] = meta_string(L, -2, NULL, zWhere);   /* both stay referenced by the table */
    a[n + k] = meta_string(L, -1, a[k], zWhere);
    if (iAnchor) {                             /* and by the anchor, if a callback may run */
      lua_pushvalue(L, -2);
      lua_rawseti(L, iAnchor, luaL_len(L, iAnchor) + 1);
      lua_pushvalue(L, -1);
      lua_rawseti(L, iAnchor, luaL_len(L, iAnchor) + 1);
    }
    lua_pop(L, 1);
    k++;
  }
  m->n = n;
  m->azKey = a;
  m->azVal = a + n;
  *pp = a + 2 * n;
}

/*
** Collect a metadata table {key = value} at index i (strings only) into arrays held by
** a userdata on the Lua stack, so nothing leaks if a later call raises.
*/
static void check_meta(lua_State *L, int i, ds_meta *m) {
  memset(m, 0, sizeof *m);
  if (lua_isnoneornil(L, i)) return;
  luaL_checktype(L, i, LUA_TTABLE);
  size_t n = meta_count(L, i, i);
  const char **a = lua_newuserdatauv(L, 2 * n * sizeof *a + 1, 0);
  meta_fill(L, i, m, &a, NULL, 0);
}

/* The string argument i (optional when bOpt): a C string, so no NUL byte; zWhat names it
   in the error (a name cut at a NUL would be stored as another name). */
static const char *check_cstr(lua_State *L, int i, int bOpt, const char *zWhat) {
  if (bOpt && lua_isnoneornil(L, i)) return NULL;
  size_t n;
  const char *z = luaL_checklstring(L, i, &n);
  if (strlen(z) != n) luaL_argerror(L, i, lua_pushfstring(L, "the %s holds a NUL byte", zWhat));
  return z;
}

/* corpus:add_file(path [, name [, meta]]) -> doc id, or 0 for a duplicate */
static int corpus_add_file(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  const char *zPath = check_cstr(L, 2, 0, "path");
  const char *zName = check_cstr(L, 3, 1, "document name");
  ds_meta m;
  ds_error e;
  int64_t id;
  check_meta(L, 4, &m);
  if (ds_corpus_add_file(c, zPath, zName, &m, &id, &e)) return lds_raise(L, &e);
  lua_pushinteger(L, (lua_Integer)id);
  return 1;
}

/* corpus:add_text(text, name [, meta [, where]]) -> doc id, or 0 for a duplicate;
   `where` (a path, `file:line`) is stored as the document's path and names it in errors */
static int corpus_add_text(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  size_t n;
  const char *z = luaL_checklstring(L, 2, &n);
  const char *zName = check_cstr(L, 3, 0, "document name");
  const char *zWhere = check_cstr(L, 5, 1, "document's place");
  ds_meta m;
  ds_error e;
  int64_t id;
  check_meta(L, 4, &m);
  if (ds_corpus_add_text(c, z, n, zName, zWhere, &m, &id, &e)) return lds_raise(L, &e);
  lua_pushinteger(L, (lua_Integer)id);
  return 1;
}

/* A string field of the table at the top of the stack, or NULL; the anchor table at
   index iAnchor keeps it alive whatever a callback does to the table. */
static const char *opt_field(lua_State *L, const char *zKey, size_t *pn, int iAnchor) {
  lua_getfield(L, -1, zKey);
  const char *z = lua_isnil(L, -1) ? NULL : luaL_checklstring(L, -1, pn);
  if (z && strcmp(zKey, "text") != 0 && strlen(z) != *pn)
    luaL_error(L, "a document's %s holds a NUL byte", zKey);
  if (z) lua_rawseti(L, iAnchor, luaL_len(L, iAnchor) + 1);
  else lua_pop(L, 1);
  return z;
}

/* An integer field of the options table at argument t, or def when absent. */
static lua_Integer opt_int(lua_State *L, int t, const char *zKey, lua_Integer def) {
  lua_getfield(L, t, zKey);
  int bInt = 1;
  lua_Integer v = lua_isnil(L, -1) ? def : lua_tointegerx(L, -1, &bInt);
  if (!bInt) luaL_argerror(L, t, lua_pushfstring(L, "option '%s' must be an integer", zKey));
  lua_pop(L, 1);
  return v;
}

/* Calls the progress function inside lua_pcall: fn, i, n, name (light userdata). */
static int progress_call(lua_State *L) {
  lua_pushstring(L, (const char *)lua_touserdata(L, 4));
  lua_replace(L, 4);
  lua_call(L, 3, 0);
  return 0;
}

typedef struct progress_ctx {
  lua_State *L;
  int iFn;              /* stack index of the Lua function */
  int bFailed;          /* it raised: its error is on the stack */
} progress_ctx;

/*
** ds_ingest's progress callback, on the caller's thread while the core is mid-segment:
** the Lua function runs under lua_pcall, its error stays on the stack and a nonzero
** return stops ds_ingest (DS_ABORT); corpus_ingest raises it once the core returned.
** What is pushed before the pcall allocates nothing (the stack room was made before).
*/
static int ingest_progress(void *p, size_t i, size_t n, const char *zName) {
  progress_ctx *x = p;
  lua_State *L = x->L;
  lua_pushcfunction(L, progress_call);
  lua_pushvalue(L, x->iFn);
  lua_pushinteger(L, (lua_Integer)i + 1);
  lua_pushinteger(L, (lua_Integer)n);
  lua_pushlightuserdata(L, (void *)zName);
  if (lua_pcall(L, 4, 0, 0) != LUA_OK) {
    x->bFailed = 1;
    return 1;
  }
  return 0;
}

/*
** corpus:ingest(list [, opts]) -> documents added. opts: read options (lds.h) and jobs
** (threads, default: processors), memory (bytes; 0 or nil: the default), progress (a
** function (i, n, name), called before document i is stored), part_bytes (raw bytes per
** part of a large document; 0 or nil: from memory). Each item of list: {path = file |
** text = bytes, name, where, meta = {k = v}} plus read options of its own (format, site).
*/
static int corpus_ingest(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  ds_read_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.format = DS_FMT_TEXT;
  lds_read_opts(L, 3, 3, &ro);
  ro.zName = NULL;
  if (lua_isnil(L, 3)) {
    lua_newtable(L);                          /* the defaults */
    lua_replace(L, 3);
  }
  lua_Integer nJobs = opt_int(L, 3, "jobs", ds_ncpu());
  lua_Integer nMemory = opt_int(L, 3, "memory", 0);
  lua_Integer nPart = opt_int(L, 3, "part_bytes", 0);
  luaL_argcheck(L, nJobs >= 1 && nJobs <= 64, 3, "jobs must be 1 to 64");
  luaL_argcheck(L, nMemory >= 0, 3, "memory must not be negative");
  luaL_argcheck(L, nPart >= 0, 3, "part size must not be negative");
  lua_getfield(L, 3, "progress");             /* at index 4, for the callback */
  luaL_argcheck(L, lua_isnil(L, 4) || lua_isfunction(L, 4), 3, "progress must be a function");
  progress_ctx x = {L, 4, 0};
  lua_newtable(L);                            /* index 5: keeps every string the core uses */
  for (int k = 0; k < 4; k++) {               /* and the options' handles */
    static const char *const azKeep[] = {"site", "langdata", "tagger", "extractor"};
    lua_getfield(L, 3, azKeep[k]);
    lua_rawseti(L, 5, luaL_len(L, 5) + 1);
  }
  size_t n = (size_t)luaL_len(L, 2), nPtr = 0;
  for (size_t i = 0; i < n; i++) {            /* count metadata pointers */
    lua_geti(L, 2, (lua_Integer)i + 1);
    luaL_argcheck(L, lua_istable(L, -1), 2, "documents must be tables");
    lua_getfield(L, -1, "meta");
    if (lua_istable(L, -1)) nPtr += 2 * meta_count(L, lua_absindex(L, -1), 0);
    lua_pop(L, 2);
  }
  ds_source *aSrc = lua_newuserdatauv(L, (n + 1) * sizeof *aSrc, 0);
  const char **aPtr = lua_newuserdatauv(L, (nPtr + 1) * sizeof *aPtr, 0), **pp = aPtr;
  memset(aSrc, 0, (n + 1) * sizeof *aSrc);
  for (size_t i = 0; i < n; i++) {
    ds_source *s = &aSrc[i];
    lua_geti(L, 2, (lua_Integer)i + 1);
    size_t nz;
    s->zPath = opt_field(L, "path", &nz, 5);
    s->z = opt_field(L, "text", &s->n, 5);
    s->zName = opt_field(L, "name", &nz, 5);
    s->zWhere = opt_field(L, "where", &nz, 5);
    if (!s->zPath && !s->z) luaL_error(L, "document %d has neither a path nor a text", (int)i + 1);
    s->read = ro;
    lds_read_opts(L, -1, 0, &s->read);        /* its own format, site */
    s->read.zName = NULL;
    for (int k = 0; k < 4; k++) {             /* the anchor keeps the handles it points at */
      static const char *const azKeep[] = {"site", "langdata", "tagger", "extractor"};
      lua_getfield(L, -1, azKeep[k]);
      lua_rawseti(L, 5, luaL_len(L, 5) + 1);  /* a nil makes a hole no later index reaches */
    }
    lua_getfield(L, -1, "meta");
    if (lua_istable(L, -1)) meta_fill(L, lua_absindex(L, -1), &s->meta, &pp, s->zWhere ? s->zWhere : s->zPath, 5);
    lua_pop(L, 2);
  }
  luaL_checkstack(L, 8, "progress");         /* the callback's pushes must not allocate */
  ds_ingest_opts o = {(int)nJobs, (size_t)nMemory, lua_isnil(L, 4) ? NULL : ingest_progress, &x,
                      (size_t)nPart};
  size_t nAdded = 0;
  ds_error e;
  corpus_box *b = get_corpus(L, 1);
  b->bBusy = 1;                               /* nothing may raise until it is cleared */
  int rc = ds_ingest(c, aSrc, n, &o, &nAdded, &e);
  b->bBusy = 0;
  if (x.bFailed) return lua_error(L);         /* the progress function's error */
  if (rc) return lds_raise(L, &e);
  lua_pushinteger(L, (lua_Integer)nAdded);
  return 1;
}

/* }====== */

/* {====== documents ====== */

/* corpus:find(name or id) -> index (1-based, corpus order), id; or nothing */
static int corpus_find(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  ds_error e;
  if (ds_corpus_refresh(c, &e)) return lds_raise(L, &e);
  int bId = lua_type(L, 2) == LUA_TNUMBER;
  lua_Integer id = bId ? luaL_checkinteger(L, 2) : 0;
  const char *zName = bId ? NULL : luaL_checkstring(L, 2);
  for (size_t k = 0; k < ds_corpus_ndocs(c); k++) {
    const ds_docinfo *d = ds_corpus_doc(c, k);
    if (bId ? d->id == id : strcmp(d->zName, zName) == 0) {
      lua_pushinteger(L, (lua_Integer)k + 1);
      lua_pushinteger(L, (lua_Integer)d->id);
      return 2;
    }
  }
  return 0;
}

/* corpus:remove(doc id) -> true, or false if there is no such document */
static int corpus_remove(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  ds_error e;
  int rc = ds_corpus_remove(c, luaL_checkinteger(L, 2), &e);
  if (rc && rc != DS_NOTFOUND) return lds_raise(L, &e);
  lua_pushboolean(L, rc == DS_OK);
  return 1;
}

static int corpus_optimize(lua_State *L) {
  ds_error e;
  if (ds_corpus_optimize(lds_check_corpus(L, 1), &e)) return lds_raise(L, &e);
  return 0;
}

/* corpus:text(k) -> the clean text of document k (1-based, corpus order) */
static int corpus_text(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  lua_Integer k = luaL_checkinteger(L, 2);
  luaL_argcheck(L, k >= 1 && (size_t)k <= ds_corpus_ndocs(c), 2, "no such document");
  const char *z;
  size_t n;
  const uint32_t *aOff;
  ds_error e;
  if (ds_corpus_text(c, (size_t)k - 1, &z, &n, &aOff, &e)) return lds_raise(L, &e);
  lua_pushlstring(L, z, n);             /* z is the corpus's: nothing to free */
  return 1;
}

/*
** corpus:spans(k, kind [, bytes]) -> the spans of kind (`s`, `p`, `ent`, `date` ...) of
** document k: a list of {first, last (its tokens, from 1), from, to (bytes of
** corpus:text(k); left out when bytes is false: the text is not rebuilt), values = {name
** = value} (a recognizer's kind)}.
*/
static int corpus_spans(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  lua_Integer k = luaL_checkinteger(L, 2);
  luaL_argcheck(L, k >= 1 && (size_t)k <= ds_corpus_ndocs(c), 2, "no such document");
  const char *zKind = luaL_checkstring(L, 3);
  int bBytes = lua_isnoneornil(L, 4) || lua_toboolean(L, 4);
  const ds_spankind *sk = ds_spankind_get(ds_spankind_find(zKind));
  const char *z;
  size_t n, nSpan;
  const uint32_t *aOff = NULL;
  const ds_span *a;
  const char *const *azVal;
  int nAttr;
  ds_error e;
  if (bBytes && ds_corpus_text(c, (size_t)k - 1, &z, &n, &aOff, &e)) return lds_raise(L, &e);
  if (ds_corpus_spans(c, (size_t)k - 1, zKind, &a, &nSpan, &e)) return lds_raise(L, &e);
  if (ds_corpus_span_values(c, (size_t)k - 1, zKind, &azVal, &nAttr, &e)) return lds_raise(L, &e);
  int64_t cpos = ds_corpus_doc(c, (size_t)k - 1)->cpos;
  lua_createtable(L, (int)nSpan, 0);
  for (size_t i = 0; i < nSpan; i++) {
    int64_t t0 = a[i].first - cpos, t1 = a[i].last - cpos;
    lua_createtable(L, 0, 5);
    lds_setint(L, "first", t0 + 1);
    lds_setint(L, "last", t1 + 1);
    if (aOff) {
      lds_setint(L, "from", aOff[2 * t0] + 1);
      lds_setint(L, "to", aOff[2 * t1 + 1]);
    }
    if (sk && nAttr == sk->nAttr) {
      lua_createtable(L, 0, nAttr);
      for (int j = 0; j < nAttr; j++) {
        lua_pushstring(L, azVal[i * (size_t)nAttr + (size_t)j]);
        lua_setfield(L, -2, sk->azAttr[j]);
      }
      lua_setfield(L, -2, "values");
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int corpus_info(lua_State *L) {
  ds_info info;
  ds_error e;
  if (ds_corpus_info(lds_check_corpus(L, 1), &info, &e)) return lds_raise(L, &e);
  lua_createtable(L, 0, 9);
  lds_setint(L, "format_version", info.formatVersion);
  lds_setint(L, "documents", info.nDocs);
  lds_setint(L, "tokens", info.nTokens);
  lds_setint(L, "segments", info.nSegments);
  lds_setint(L, "sentences", info.nSentences);
  lds_setint(L, "paragraphs", info.nParagraphs);
  lds_setint(L, "bytes", info.nBytes);
  lua_createtable(L, 0, DS_NATTR);
  for (int a = 0; a < DS_NATTR; a++) {
    lua_pushinteger(L, info.anTypes[a]);
    lua_setfield(L, -2, ds_attr_name(a));
  }
  lua_setfield(L, -2, "types");
  lua_createtable(L, 0, DS_NSPANKIND);
  for (int k = 0; k < DS_NSPANKIND; k++) {
    lua_pushinteger(L, info.anSpans[k]);
    lua_setfield(L, -2, ds_spankind_get(k)->zName);
  }
  lua_setfield(L, -2, "spans");
  return 1;
}

/* Metadata callback: keep "key\0value\0" in C memory while the statement runs; the
   Lua strings are made after ds_corpus_doc_meta returned. */
static int collect_meta(void *ctx, const char *zKey, const char *zVal) {
  ds_buf *b = ctx;
  ds_buf_append(b, zKey, strlen(zKey) + 1);
  ds_buf_append(b, zVal, strlen(zVal) + 1);
  return b->rc != DS_OK;                /* out of memory: stop */
}

/* corpus:docs() -> list of {id, name, cpos, tokens, sentences, meta = {...}} */
static int corpus_docs(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  ds_error e;
  if (ds_corpus_refresh(c, &e)) return lds_raise(L, &e);
  ds_buf *meta = lds_newbuf(L);
  size_t n = ds_corpus_ndocs(c);
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    const ds_docinfo *d = ds_corpus_doc(c, i);
    ds_buf_reset(meta);
    if (ds_corpus_doc_meta(c, d->id, collect_meta, meta, &e) > DS_DONE) return lds_raise(L, &e);
    if (meta->rc) return luaL_error(L, "out of memory");
    lua_createtable(L, 0, 6);
    lds_setint(L, "id", d->id);
    lua_pushstring(L, d->zName);
    lua_setfield(L, -2, "name");
    lds_setint(L, "cpos", d->cpos);
    lds_setint(L, "tokens", d->nTok);
    lds_setint(L, "sentences", d->nSent);
    lua_newtable(L);
    for (size_t off = 0; off < meta->n;) {
      const char *zKey = (const char *)meta->p + off;
      const char *zVal = zKey + strlen(zKey) + 1;
      off += strlen(zKey) + strlen(zVal) + 2;
      lua_pushstring(L, zVal);
      lua_setfield(L, -2, zKey);
    }
    lua_setfield(L, -2, "meta");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lds_freebuf(meta);
  return 1;
}

/* corpus:check() -> number of problems, report (one line each) */
static int corpus_check(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  ds_buf *r = lds_newbuf(L);
  int64_t n;
  ds_error e;
  if (ds_corpus_check(c, r, &n, &e)) return lds_raise(L, &e);
  lua_pushinteger(L, (lua_Integer)n);
  lds_pushbuf(L, r);
  lds_freebuf(r);
  return 2;
}

/* corpus:doc_at(cpos) -> document number (1-based, as in corpus:docs()), name; or nil */
static int corpus_doc_at(lua_State *L) {
  ds_corpus *c = lds_check_corpus(L, 1);
  int64_t k = ds_corpus_doc_at(c, luaL_checkinteger(L, 2));
  if (k < 0) return 0;
  lua_pushinteger(L, (lua_Integer)k + 1);
  lua_pushstring(L, ds_corpus_doc(c, (size_t)k)->zName);
  return 2;
}

/* }====== */

/* core.ncpu() -> processors online, the default number of jobs */
static int l_ncpu(lua_State *L) {
  lua_pushinteger(L, ds_ncpu());
  return 1;
}

static const luaL_Reg corpus_methods[] = {
  {"close", corpus_close},
  {"isopen", corpus_isopen},
  {"commits", corpus_commits},
  {"begin", corpus_begin},
  {"commit", corpus_commit},
  {"rollback", corpus_rollback},
  {"set_read", corpus_set_read},
  {"add_file", corpus_add_file},
  {"add_text", corpus_add_text},
  {"ingest", corpus_ingest},
  {"find", corpus_find},
  {"remove", corpus_remove},
  {"optimize", corpus_optimize},
  {"text", corpus_text},
  {"spans", corpus_spans},
  {"info", corpus_info},
  {"docs", corpus_docs},
  {"doc_at", corpus_doc_at},
  {"check", corpus_check},
  {NULL, NULL}
};

static const luaL_Reg corpus_meta[] = {
  {"__gc", corpus_close},
  {"__close", corpus_close},
  {"__tostring", corpus_tostring},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"open", l_open},
  {"ncpu", l_ncpu},
  {NULL, NULL}
};

void lds_open_corpus(lua_State *L) {
  lds_register(L, LDS_CORPUS, corpus_meta, corpus_methods);
  luaL_setfuncs(L, funcs, 0);
}
