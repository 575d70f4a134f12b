/*
** lds.h -- internal header of the Lua binding (`dossier.core`), included only by the
** csrc/lds_*.c files. The binding only translates: it checks arguments, calls the core
** and pushes results. Two rules hold in every file:
**   - no Lua error unwinds through the core: core callbacks never touch the Lua state
**     (they collect into C memory, pushed after the core returns) or run Lua under
**     lua_pcall and stop the core with a nonzero return (ingest progress);
**   - C memory held across a call that may raise sits in a userdata with __gc (a
**     scratch buffer, lds_newbuf), so a memory error leaks nothing.
*/
#ifndef LDS_H
#define LDS_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_reader.h"

#include <lauxlib.h>
#include <lua.h>

/* Metatable names, as users see them in errors ("dossier.corpus expected, got nil"). */
#define LDS_CORPUS "dossier.corpus"
#define LDS_MATCHSET "dossier.matchset"
#define LDS_TAGGER "dossier.tagger"
#define LDS_LANGDATA "dossier.langdata"
#define LDS_SITELINES "dossier.sitelines"
#define LDS_FILEPEEK "dossier.filepeek"
#define LDS_EXTRACTOR "dossier.extractor"

/* {====== lds_core.c: shared helpers ====== */

/*
** Register a type: metatable zName (with __name) holding the metamethods `meta`, and
** `methods` (may be NULL) as its __index table. lds_methods adds more methods to a type
** registered before (the corpus's methods live in several files).
*/
void lds_register(lua_State *L, const char *zName, const luaL_Reg *meta, const luaL_Reg *methods);
void lds_methods(lua_State *L, const char *zName, const luaL_Reg *methods);

/* Raise the core's error as a Lua error with its message (free C memory first). */
int lds_raise(lua_State *L, const ds_error *e);

/* t[k] = v for the table at the top of the stack. */
void lds_setint(lua_State *L, const char *k, lua_Integer v);

/*
** Push a new scratch buffer: a userdata holding an empty ds_buf, freed by __gc and
** __close (or at once by lds_freebuf), so a Lua error between filling and pushing it
** leaks nothing. lds_pushbuf pushes its bytes as a string.
*/
ds_buf *lds_newbuf(lua_State *L);
void lds_freebuf(ds_buf *b);
void lds_pushbuf(lua_State *L, const ds_buf *b);

/*
** Read options from the table at index t (nil or none: nothing), fields:
**   name      names the input in messages
**   rules     clean-up rule bits (DS_CLEAN_*)
**   langdata  language data (core.langdata)
**   format    "txt" | "html" | "md"
**   encoding  "utf8" | "latin1"
**   tagger    a tagger (core.tagger)
**   extractor the recognizers (core.extractor)
**   site      a site's repeated lines (core.sitelines)
** Absent fields keep their value in *o. Bad fields are errors of argument iArg, or plain
** errors when iArg is 0 (a table that is not an argument). The strings and handles
** stay valid while the table is referenced.
*/
void lds_read_opts(lua_State *L, int t, int iArg, ds_read_opts *o);

/* }====== */

/* {====== accessors of the types other files take as arguments ====== */

/* A tagger with its lemmatizer (lds_models.c). */
typedef struct lds_tagger {
  struct ds_tagger *t;
  struct ds_lemmatizer *l;
} lds_tagger;

lds_tagger *lds_check_tagger(lua_State *L, int i);
const struct ds_extractor *lds_check_extractor(lua_State *L, int i);     /* lds_models.c */
const struct ds_langdata *lds_check_langdata(lua_State *L, int i);
struct ds_sitelines *lds_check_sitelines(lua_State *L, int i);      /* lds_sitelines.c */
struct ds_corpus *lds_check_corpus(lua_State *L, int i);            /* lds_corpus.c */
/* lds_check_corpus without reading the documents' rows (for corpus:count_by_freq alone) */
struct ds_corpus *lds_check_corpus_nodocs(lua_State *L, int i);     /* lds_corpus.c */
/* The match set of a dossier.matchset, for recipes that take a query's matches directly. */
struct ds_matchset *lds_check_matchset(lua_State *L, int i);        /* lds_query.c */

/* }====== */

/*
** Each file's part of the module: registers its types and sets its functions into the
** module table at the top of the stack (luaopen_dossier_core calls them in turn).
*/
void lds_open_models(lua_State *L);     /* langdata, tagger */
void lds_open_sitelines(lua_State *L);  /* sitelines */
void lds_open_parse(lua_State *L);      /* parse, parse_parts, conllu */
void lds_open_uax29(lua_State *L);    /* uax29_words, uax29_sentences */
void lds_open_corpus(lua_State *L);     /* open, ncpu; the corpus type */
void lds_open_search(lua_State *L);     /* corpus methods: search, snippet, ... */
void lds_open_query(lua_State *L);      /* corpus methods: query, kwic; the matchset type */
void lds_open_testing(lua_State *L);    /* _fail_alloc, for the error-path specs */
void lds_open_count(lua_State *L);      /* corpus methods: count_freq, count_ngrams, ... (recipes) */
void lds_open_merge(lua_State *L);      /* merge: counts of several corpus files */
void lds_open_recipes(lua_State *L);    /* corpus methods: similar, count_in_spans (recipes) */
/* (lds_count.c) The documents argument at i: one byte per document of c, or NULL for nil. */
const unsigned char *lds_check_docs(lua_State *L, int i, struct ds_corpus *c);
/* (lds_count.c) Run the query string at index i into *ms (errors are Lua errors). */
void lds_run_query(lua_State *L, int i, struct ds_corpus *c, struct ds_matchset *ms);

#endif
