/*
** ldossier.c -- the Lua binding: `dossier.core`. The only file that includes lua.h.
**
** It checks arguments, calls the C core, and pushes results. Core errors become Lua
** errors carrying the core's message (which names the file, line or query position).
** Types: dossier.corpus (a corpus file) and dossier.matchset (a query's matches, which
** keeps its corpus alive through its user value).
*/
#include "ds.h"
#include "ds_annotate.h"
#include "ds_buf.h"
#include "ds_clean.h"
#include "ds_conllu.h"
#include "ds_langdata.h"
#include "ds_ingest.h"
#include "ds_kwic.h"
#include "ds_parse.h"
#include "ds_parts.h"
#include "ds_query.h"
#include "ds_reader.h"
#include "ds_segment.h"
#include "ds_sitelines.h"
#include "ds_store.h"
#include "ds_utf8.h"

#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#define CORPUS_MT "dossier.corpus"
#define MATCHSET_MT "dossier.matchset"

typedef struct corpus_box {
  ds_corpus *c;         /* NULL once closed */
} corpus_box;

typedef struct matchset_box {
  ds_matchset ms;
  lua_Integer len;      /* tokens per match */
} matchset_box;

/* Raise the core's error message (after the caller freed what it holds). */
static int raise_error(lua_State *L, const ds_error *e) {
  /* no position prefix: the message already says where (file, line, query position) */
  lua_pushstring(L, e->msg[0] ? e->msg : ds_status_name(e->code));
  return lua_error(L);
}

/* ====================== parse ====================== */

static void set_int(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

/* raw_from, raw_to: where zText[start, end) came from in the raw input, when mapped
   (rawBase: where the raw bytes of d's map start in the whole input, for a part). */
static void set_source(lua_State *L, const ds_doc *d, int64_t rawBase, size_t start, size_t end) {
  if (!d->aMap) return;
  ds_offmap m = {d->aMap, d->nMap, d->nMap};
  set_int(L, "raw_from", rawBase + (lua_Integer)ds_offmap_start(&m, start) + 1);
  set_int(L, "raw_to", rawBase + (lua_Integer)ds_offmap_end(&m, end));
}

/* Push the document d as a table {text=, sentences={...}, paragraphs={...}}; `text`
   is scratch space (the caller frees it). */
static void push_doc(lua_State *L, const ds_doc *d, int64_t rawBase, ds_buf *text) {
  lua_createtable(L, 0, 3);
  lua_pushlstring(L, d->zText, d->nText);
  lua_setfield(L, -2, "text");
  lua_createtable(L, (int)d->nSent, 0);
  for (size_t s = 0; s < d->nSent; s++) {
    const ds_range *r = &d->aSent[s];
    lua_createtable(L, 0, 4);
    set_int(L, "from", d->aTok[r->first].start + 1);
    set_int(L, "to", d->aTok[r->last - 1].end);
    ds_buf_reset(text);
    ds_doc_sentence_text(d, s, text);
    lua_pushlstring(L, text->p ? (const char *)text->p : "", text->n);
    lua_setfield(L, -2, "text");
    lua_createtable(L, (int)(r->last - r->first), 0);
    for (uint32_t t = r->first; t < r->last; t++) {
      const ds_token *tok = &d->aTok[t];
      lua_createtable(L, 0, 5);
      lua_pushlstring(L, d->zText + tok->start, tok->end - tok->start);
      lua_setfield(L, -2, "word");
      set_int(L, "from", tok->start + 1);
      set_int(L, "to", tok->end);
      set_source(L, d, rawBase, tok->start, tok->end);
      lua_pushboolean(L, (tok->flags & DS_TOK_SPACE_AFTER) != 0);
      lua_setfield(L, -2, "space_after");
      if (d->aUpos) {
        size_t nLemma;
        const char *zLemma = ds_doc_lemma(d, t, &nLemma);
        lua_pushstring(L, ds_doc_upos(d, t));
        lua_setfield(L, -2, "pos");
        lua_pushstring(L, ds_doc_xpos(d, t));
        lua_setfield(L, -2, "xpos");
        lua_pushlstring(L, zLemma, nLemma);
        lua_setfield(L, -2, "lemma");
      }
      lua_pushstring(L, (tok->flags & DS_TOK_URL) ? "url"
                        : (tok->flags & DS_TOK_ABBREV) ? "abbrev"
                        : (tok->flags & DS_TOK_WORD) ? "word"
                        : (tok->flags & DS_TOK_NUMBER) ? "number"
                        : (tok->flags & DS_TOK_PUNCT) ? "punct" : "symbol");
      lua_setfield(L, -2, "kind");
      lua_rawseti(L, -2, (lua_Integer)(t - r->first + 1));
    }
    lua_setfield(L, -2, "tokens");
    lua_rawseti(L, -2, (lua_Integer)s + 1);
  }
  lua_setfield(L, -2, "sentences");
  lua_createtable(L, (int)d->nPara, 0);
  for (size_t p = 0; p < d->nPara; p++) {
    static const char *const azKind[] = {"text", "heading", "footnote"};
    lua_createtable(L, 0, 3);
    set_int(L, "from", d->aPara[p].start + 1);
    set_int(L, "to", d->aPara[p].end);
    set_source(L, d, rawBase, d->aPara[p].start, d->aPara[p].end);
    lua_pushstring(L, azKind[d->aPara[p].kind]);
    lua_setfield(L, -2, "kind");
    lua_rawseti(L, -2, (lua_Integer)p + 1);
  }
  lua_setfield(L, -2, "paragraphs");
  lua_createtable(L, (int)d->nChange, 0);
  for (size_t c = 0; c < d->nChange; c++) {
    lua_createtable(L, 0, 3);
    lua_pushstring(L, ds_clean_rule_name(d->aChange[c].rule));
    lua_setfield(L, -2, "rule");
    set_int(L, "line", d->aChange[c].line);
    set_int(L, "raw_from", d->aChange[c].start + 1);
    set_int(L, "raw_to", d->aChange[c].end);
    lua_pushstring(L, d->aChange[c].zWhat);
    lua_setfield(L, -2, "what");
    lua_rawseti(L, -2, (lua_Integer)c + 1);
  }
  lua_setfield(L, -2, "changes");
  lua_createtable(L, 0, (int)d->nMeta);
  for (size_t i = 0, off = 0; i < d->nMeta; i++) {
    const char *zKey = (const char *)d->meta.p + off;
    const char *zVal = zKey + strlen(zKey) + 1;
    off += strlen(zKey) + strlen(zVal) + 2;
    lua_pushstring(L, zVal);
    lua_setfield(L, -2, zKey);
  }
  lua_setfield(L, -2, "meta");
}

/* ====================== language data ====================== */

#define LANGDATA_MT "dossier.langdata"

/* core.langdata(dir) -> language data (word list, furniture phrases) */
static int l_langdata(lua_State *L) {
  const char *zDir = luaL_checkstring(L, 1);
  ds_langdata **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = NULL;
  luaL_setmetatable(L, LANGDATA_MT);
  ds_error e;
  if (ds_langdata_load(zDir, box, &e)) return raise_error(L, &e);
  return 1;
}

static int langdata_gc(lua_State *L) {
  ds_langdata **box = luaL_checkudata(L, 1, LANGDATA_MT);
  ds_langdata_free(*box);
  *box = NULL;
  return 0;
}

/* ====================== tagger ====================== */

#define TAGGER_MT "dossier.tagger"

/* A tagger with its lemmatizer, loaded from two model files. */
typedef struct tagger_box {
  ds_tagger *t;
  ds_lemmatizer *l;
} tagger_box;

/* core.tagger(tagger_path, lemmas_path) -> tagger */
static int l_tagger(lua_State *L) {
  const char *zTagger = luaL_checkstring(L, 1);
  const char *zLemmas = luaL_checkstring(L, 2);
  tagger_box *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->t = NULL;
  b->l = NULL;
  luaL_setmetatable(L, TAGGER_MT);
  ds_error e;
  if (ds_tagger_load(zTagger, &b->t, &e) || ds_lemma_load(zLemmas, &b->l, &e)) return raise_error(L, &e);
  return 1;
}

static int tagger_gc(lua_State *L) {
  tagger_box *b = luaL_checkudata(L, 1, TAGGER_MT);
  ds_tagger_free(b->t);
  ds_lemma_free(b->l);
  b->t = NULL;
  b->l = NULL;
  return 0;
}

/* tagger:tag(words) -> upos, xpos, lemmas: three lists for one sentence's words */
static int tagger_tag(lua_State *L) {
  tagger_box *b = luaL_checkudata(L, 1, TAGGER_MT);
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
  ds_buf lemma = DS_BUF_INIT;
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    const char *zU = ds_tagger_upos_name(b->t, aU[i - 1]), *zX = ds_tagger_xpos_name(b->t, aX[i - 1]);
    lua_pushstring(L, zU);
    lua_rawseti(L, -4, i);
    lua_pushstring(L, zX);
    lua_rawseti(L, -3, i);
    ds_buf_reset(&lemma);
    if (ds_lemmatize(b->l, az[i - 1], an[i - 1], zU, zX, &lemma) || lemma.rc) {
      ds_buf_free(&lemma);
      return luaL_error(L, "lemmatizing failed");
    }
    lua_pushlstring(L, lemma.p ? (const char *)lemma.p : "", lemma.n);
    lua_rawseti(L, -2, i);
  }
  ds_buf_free(&lemma);
  return 3;
}

/* The tagger at argument i, or NULL for nil/none. */
static tagger_box *opt_tagger(lua_State *L, int i) {
  return lua_isnoneornil(L, i) ? NULL : luaL_checkudata(L, i, TAGGER_MT);
}

/* {====== lines repeated across a site's documents ====== */

#define SITELINES_MT "dossier.sitelines"

static ds_sitelines *check_sitelines(lua_State *L, int i) {
  ds_sitelines **box = luaL_checkudata(L, i, SITELINES_MT);
  if (!*box) luaL_error(L, "site lines already freed");
  return *box;
}

/* core.sitelines() -> an empty set (ds_sitelines.h) */
static int l_sitelines(lua_State *L) {
  ds_sitelines **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = NULL;
  luaL_setmetatable(L, SITELINES_MT);
  if (!(*box = ds_sitelines_new())) return luaL_error(L, "out of memory");
  return 1;
}

static int sitelines_gc(lua_State *L) {
  ds_sitelines **box = luaL_checkudata(L, 1, SITELINES_MT);
  ds_sitelines_free(*box);
  *box = NULL;
  return 0;
}

/* set:add_file(path) / set:add_text(text): count one document's lines */
static int sitelines_add_file(lua_State *L) {
  ds_error e;
  if (ds_sitelines_add_file(check_sitelines(L, 1), luaL_checkstring(L, 2), &e)) return raise_error(L, &e);
  return 0;
}

static int sitelines_add_text(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 2, &n);
  if (ds_sitelines_add(check_sitelines(L, 1), z, n)) return luaL_error(L, "out of memory");
  return 0;
}

/* set:finish(min_docs, min_share) */
static int sitelines_finish(lua_State *L) {
  lua_Integer minDocs = luaL_checkinteger(L, 2);
  lua_Number share = luaL_checknumber(L, 3);
  luaL_argcheck(L, minDocs >= 1, 2, "min_docs must be at least 1");
  luaL_argcheck(L, share >= 0 && share <= 1, 3, "min_share must be 0 to 1");
  ds_sitelines_finish(check_sitelines(L, 1), (size_t)minDocs, share);
  return 0;
}

/* set:count(line) -> documents it was found in, 0 if not kept; set:docs() -> documents */
static int sitelines_count(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 2, &n);
  lua_pushinteger(L, (lua_Integer)ds_sitelines_count(check_sitelines(L, 1), z, n));
  return 1;
}

static int sitelines_docs(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)ds_sitelines_ndocs(check_sitelines(L, 1)));
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
  {"__index", NULL},
  {NULL, NULL}
};

/* }====== */

/* Clean-up rules at argument i and language data at i+1 (optional both). */
static void check_clean(lua_State *L, int i, unsigned *pRules, const ds_langdata **ppLang) {
  lua_Integer rules = luaL_optinteger(L, i, 0);
  luaL_argcheck(L, rules >= 0 && rules <= DS_CLEAN_ALL, i, "clean-up rules out of range");
  *pRules = (unsigned)rules;
  *ppLang = lua_isnoneornil(L, i + 1) ? NULL : *(ds_langdata **)luaL_checkudata(L, i + 1, LANGDATA_MT);
}

/* A format name at argument i ("txt", "html", "md"; default "txt"). */
static int check_format(lua_State *L, int i) {
  int fmt = ds_format_find(luaL_optstring(L, i, "txt"));
  luaL_argcheck(L, fmt >= 0, i, "format must be \"txt\", \"html\" or \"md\"");
  return fmt;
}

/* An encoding name at argument i ("utf8" or "latin1"; default "utf8"): 1 for latin1. */
static int check_latin1(lua_State *L, int i) {
  const char *z = luaL_optstring(L, i, "utf8");
  int bUtf8 = strcmp(z, "utf8") == 0 || strcmp(z, "utf-8") == 0;
  int bLatin1 = strcmp(z, "latin1") == 0 || strcmp(z, "iso-8859-1") == 0;
  luaL_argcheck(L, bUtf8 || bLatin1, i, "encoding must be \"utf8\" or \"latin1\"");
  return bLatin1;
}

/* Read options from arguments i (name), i+1 (clean-up rules), i+2 (language data),
   i+3 (format), i+4 (encoding), i+5 (tagger), i+6 (site lines). */
static ds_read_opts check_read_opts(lua_State *L, int i) {
  ds_read_opts o;
  memset(&o, 0, sizeof o);
  o.zName = luaL_optstring(L, i, NULL);
  check_clean(L, i + 1, &o.cleanRules, &o.pLang);
  o.format = check_format(L, i + 3);
  o.bLatin1 = check_latin1(L, i + 4);
  tagger_box *b = opt_tagger(L, i + 5);
  o.pTagger = b ? b->t : NULL;
  o.pLemma = b ? b->l : NULL;
  o.pSite = lua_isnoneornil(L, i + 6) ? NULL : check_sitelines(L, i + 6);
  return o;
}

/* core.clean_rules() -> {name = bit} */
static int l_clean_rules(lua_State *L) {
  lua_newtable(L);
  for (unsigned bit = 1; bit <= DS_CLEAN_ALL; bit <<= 1) {
    lua_pushinteger(L, bit);
    lua_setfield(L, -2, ds_clean_rule_name(bit));
  }
  return 1;
}

/* What core.parse holds while it builds Lua tables (which may raise). */
typedef struct docbox {
  ds_doc *d;
  ds_buf text;
} docbox;

static int docbox_gc(lua_State *L) {
  docbox *box = luaL_checkudata(L, lua_type(L, 1) == LUA_TUSERDATA ? 1 : -2, "dossier.docbox");
  ds_doc_free(box->d);
  box->d = NULL;
  ds_buf_free(&box->text);
  return 0;
}

/* core.parse(text [, name [, rules [, langdata]]]) -> document table */
static int l_parse(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  ds_read_opts o = check_read_opts(L, 2);
  ds_doc *d;
  ds_error e;
  if (ds_parse(z, n, &o, &d, &e)) return raise_error(L, &e);
  /* push_doc can only fail by a Lua memory error; keep d in a to-be-freed box meanwhile */
  docbox *box = lua_newuserdatauv(L, sizeof *box, 0);
  box->d = d;
  box->text = (ds_buf)DS_BUF_INIT;
  luaL_setmetatable(L, "dossier.docbox");
  push_doc(L, d, 0, &box->text);
  docbox_gc(L);                 /* box is below the table: free now, not at collection */
  return 1;
}

/* What core.parse_parts holds while it builds Lua tables. */
typedef struct partsbox {
  ds_parts p;
  int bOpen;
  ds_doc *d;
  ds_buf text;
} partsbox;

static void partsbox_free(partsbox *box) {
  if (box->bOpen) ds_parts_close(&box->p);
  box->bOpen = 0;
  ds_doc_free(box->d);
  box->d = NULL;
  ds_buf_free(&box->text);
}

static int partsbox_gc(lua_State *L) {
  partsbox_free(luaL_checkudata(L, 1, "dossier.partsbox"));
  return 0;
}

/*
** core.parse_parts(text, name, rules, langdata, format, encoding, tagger, site, part) -> list of
** document tables, one per part of about `part` raw bytes (ds_parts.h), each with
** raw_base (0-based offset of its first byte), join_sentence and join_paragraph; raw_from
** and raw_to are of the whole text. For tests of the reading in parts.
*/
static int l_parse_parts(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  ds_read_opts o = check_read_opts(L, 2);
  lua_Integer nPart = luaL_checkinteger(L, 9);
  luaL_argcheck(L, nPart > 0, 9, "part size must be positive");
  luaL_argcheck(L, o.format == DS_FMT_TEXT, 5, "only plain text is read in parts");
  ds_error e;
  partsbox *box = lua_newuserdatauv(L, sizeof *box, 1);
  memset(box, 0, sizeof *box);
  luaL_setmetatable(L, "dossier.partsbox");
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);            /* the text outlives the reading */
  if (ds_parts_open(&box->p, NULL, z, n, &o, (size_t)nPart, NULL, &e)) return raise_error(L, &e);
  box->bOpen = 1;
  lua_newtable(L);
  int rc, flags;
  int64_t base;
  lua_Integer i = 0;
  while ((rc = ds_parts_next(&box->p, &box->d, &flags, &base, &e)) == DS_OK) {
    push_doc(L, box->d, base, &box->text);
    set_int(L, "raw_base", base);
    lua_pushboolean(L, (flags & DS_PART_JOIN_SENT) != 0);
    lua_setfield(L, -2, "join_sentence");
    lua_pushboolean(L, (flags & DS_PART_JOIN_PARA) != 0);
    lua_setfield(L, -2, "join_paragraph");
    lua_rawseti(L, -2, ++i);
    ds_doc_free(box->d);
    box->d = NULL;
  }
  partsbox_free(box);
  if (rc != DS_DONE) return raise_error(L, &e);
  return 1;
}

/* core.conllu(text, docid [, name [, rules [, langdata]]]) -> CoNLL-U string, number
   of sentences. name names the input in error messages. */
static int l_conllu(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  const char *zId = luaL_optstring(L, 2, NULL);
  ds_read_opts o = check_read_opts(L, 3);
  size_t nSent = 0;
  ds_doc *d;
  ds_error e;
  if (ds_parse(z, n, &o, &d, &e)) return raise_error(L, &e);
  ds_buf out = DS_BUF_INIT;
  int rc = ds_conllu_write(d, zId, &nSent, &out);
  ds_doc_free(d);
  if (rc) {
    ds_buf_free(&out);
    return luaL_error(L, "out of memory");
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, out.p ? (const char *)out.p : "", out.n);
  ds_buf_free(&out);
  luaL_pushresult(&b);
  lua_pushinteger(L, (lua_Integer)nSent);
  return 2;
}

/* ====================== UAX #29 ====================== */

typedef struct seg_ctx {
  lua_State *L;
  const char *z;
  lua_Integer n;
} seg_ctx;

static int push_segment(void *ctx, size_t start, size_t end) {
  seg_ctx *p = ctx;
  lua_pushlstring(p->L, p->z + start, end - start);
  lua_rawseti(p->L, -2, ++p->n);
  return 0;
}

/* core.uax29_words(s) / core.uax29_sentences(s) -> list of segments (strings) */
static int uax29(lua_State *L, int (*xSeg)(const char *, size_t, ds_segment_cb, void *)) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  int64_t bad = ds_utf8_check(z, n);
  if (bad >= 0) return luaL_error(L, "invalid UTF-8 at byte %d", (int)bad);
  seg_ctx ctx = {L, z, 0};
  lua_newtable(L);
  xSeg(z, n, push_segment, &ctx);
  return 1;
}

static int l_uax29_words(lua_State *L) { return uax29(L, ds_segment_words); }
static int l_uax29_sentences(lua_State *L) { return uax29(L, ds_segment_sentences); }

/* ====================== corpus ====================== */

static corpus_box *get_corpus(lua_State *L, int i) { return luaL_checkudata(L, i, CORPUS_MT); }

static ds_corpus *check_corpus(lua_State *L, int i) {
  corpus_box *b = get_corpus(L, i);
  if (!b->c) luaL_error(L, "attempt to use a closed corpus");
  return b->c;
}

/* core.open(path [, mode]) mode: "c" create if missing (default), "w" must exist, "r" read-only */
static int l_open(lua_State *L) {
  const char *zPath = luaL_checkstring(L, 1);
  const char *zMode = luaL_optstring(L, 2, "c");
  int flags = strcmp(zMode, "c") == 0 ? DS_OPEN_CREATE
            : strcmp(zMode, "w") == 0 ? 0
            : strcmp(zMode, "r") == 0 ? DS_OPEN_READONLY : -1;
  luaL_argcheck(L, flags >= 0, 2, "mode must be \"c\", \"w\" or \"r\"");
  corpus_box *b = lua_newuserdatauv(L, sizeof *b, 2);   /* user values: language data, tagger */
  b->c = NULL;                       /* closed until opened: __gc has nothing to do */
  luaL_setmetatable(L, CORPUS_MT);
  ds_error e;
  if (ds_corpus_open(zPath, flags, &b->c, &e)) return raise_error(L, &e);
  return 1;
}

static int corpus_close(lua_State *L) {
  corpus_box *b = get_corpus(L, 1);
  ds_corpus_close(b->c);
  b->c = NULL;
  return 0;
}

static int corpus_isopen(lua_State *L) {
  lua_pushboolean(L, get_corpus(L, 1)->c != NULL);
  return 1;
}

static int corpus_tostring(lua_State *L) {
  corpus_box *b = get_corpus(L, 1);
  if (b->c) lua_pushfstring(L, "dossier.corpus (%d documents)", (int)ds_corpus_ndocs(b->c));
  else lua_pushliteral(L, "dossier.corpus (closed)");
  return 1;
}

static int corpus_begin(lua_State *L) {
  ds_error e;
  if (ds_corpus_begin(check_corpus(L, 1), &e)) return raise_error(L, &e);
  return 0;
}

static int corpus_commit(lua_State *L) {
  ds_error e;
  if (ds_corpus_commit(check_corpus(L, 1), &e)) return raise_error(L, &e);
  return 0;
}

/* corpus:set_read(rules [, langdata [, format [, encoding [, tagger]]]]): how documents
   added from now on are read */
static int corpus_set_read(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  ds_read_opts o = {.format = DS_FMT_TEXT};
  check_clean(L, 2, &o.cleanRules, &o.pLang);
  o.format = check_format(L, 4);
  o.bLatin1 = check_latin1(L, 5);
  tagger_box *b = opt_tagger(L, 6);
  o.pTagger = b ? b->t : NULL;
  o.pLemma = b ? b->l : NULL;
  lua_settop(L, 6);
  lua_pushvalue(L, 3);
  lua_setiuservalue(L, 1, 1);                /* keep the language data and the tagger alive */
  lua_pushvalue(L, 6);
  lua_setiuservalue(L, 1, 2);
  ds_corpus_set_read(c, &o);
  return 0;
}

static int corpus_rollback(lua_State *L) {
  ds_corpus_rollback(check_corpus(L, 1));
  return 0;
}

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
static void meta_fill(lua_State *L, int t, ds_meta *m, const char ***pp, const char *zWhere) {
  const char **a = *pp;
  size_t n = meta_count(L, t, 0), k = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    a[k] = meta_string(L, -2, NULL, zWhere);   /* both stay referenced by the table */
    a[n + k] = meta_string(L, -1, a[k], zWhere);
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
  meta_fill(L, i, m, &a, NULL);
}

/* corpus:add_file(path [, name [, meta]]) -> doc id, or 0 for a duplicate */
static int corpus_add_file(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  const char *zPath = luaL_checkstring(L, 2);
  const char *zName = luaL_optstring(L, 3, NULL);
  ds_meta m;
  ds_error e;
  int64_t id;
  check_meta(L, 4, &m);
  if (ds_corpus_add_file(c, zPath, zName, &m, &id, &e)) return raise_error(L, &e);
  lua_pushinteger(L, (lua_Integer)id);
  return 1;
}

/* corpus:add_text(text, name [, meta [, where]]) -> doc id, or 0 for a duplicate;
   `where` (a path, `file:line`) is stored as the document's path and names it in errors */
static int corpus_add_text(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  size_t n;
  const char *z = luaL_checklstring(L, 2, &n);
  const char *zName = luaL_checkstring(L, 3);
  const char *zWhere = luaL_optstring(L, 5, NULL);
  ds_meta m;
  ds_error e;
  int64_t id;
  check_meta(L, 4, &m);
  if (ds_corpus_add_text(c, z, n, zName, zWhere, &m, &id, &e)) return raise_error(L, &e);
  lua_pushinteger(L, (lua_Integer)id);
  return 1;
}

/* A string field of the table at the top of the stack, or NULL (the table keeps it). */
static const char *opt_field(lua_State *L, const char *zKey, size_t *pn) {
  lua_getfield(L, -1, zKey);
  const char *z = lua_isnil(L, -1) ? NULL : luaL_checklstring(L, -1, pn);
  lua_pop(L, 1);
  return z;
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

static int ingest_progress(void *p, size_t i, size_t n, const char *zName) {
  progress_ctx *x = p;
  lua_State *L = x->L;
  /* nothing here allocates outside the pcall, so nothing unwinds through ds_ingest */
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
** corpus:ingest(list, rules, langdata, encoding, tagger, jobs, memory [, progress [, part]])
** -> documents added. part: raw bytes per part of a large document (0 or nil: from memory). Each item of list: {path = file | text = bytes, name, where, format,
** meta = {k = v}}. progress(i, n, name) is called before document i is stored.
*/
static int corpus_ingest(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  ds_read_opts ro = {.format = DS_FMT_TEXT};
  check_clean(L, 3, &ro.cleanRules, &ro.pLang);
  ro.bLatin1 = check_latin1(L, 5);
  tagger_box *tb = opt_tagger(L, 6);
  ro.pTagger = tb ? tb->t : NULL;
  ro.pLemma = tb ? tb->l : NULL;
  lua_Integer nJobs = luaL_optinteger(L, 7, ds_ncpu());
  lua_Integer nMemory = luaL_optinteger(L, 8, 0);
  luaL_argcheck(L, nJobs >= 1 && nJobs <= 64, 7, "jobs must be 1 to 64");
  luaL_argcheck(L, nMemory >= 0, 8, "memory must not be negative");
  lua_Integer nPart = luaL_optinteger(L, 10, 0);
  luaL_argcheck(L, nPart >= 0, 10, "part size must not be negative");
  progress_ctx x = {L, 9, 0};
  if (!lua_isnoneornil(L, 9)) luaL_checktype(L, 9, LUA_TFUNCTION);
  lua_settop(L, 10);
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
    s->zPath = opt_field(L, "path", &nz);
    s->z = opt_field(L, "text", &s->n);
    s->zName = opt_field(L, "name", &nz);
    s->zWhere = opt_field(L, "where", &nz);
    if (!s->zPath && !s->z) luaL_error(L, "document %d has neither a path nor a text", (int)i + 1);
    s->read = ro;
    const char *zFormat = opt_field(L, "format", &nz);
    if (zFormat) {
      s->read.format = ds_format_find(zFormat);
      if (s->read.format < 0) luaL_error(L, "format must be \"txt\", \"html\" or \"md\"");
    }
    lua_getfield(L, -1, "site");        /* the documents table keeps it alive */
    if (!lua_isnil(L, -1)) s->read.pSite = check_sitelines(L, lua_absindex(L, -1));
    lua_pop(L, 1);
    lua_getfield(L, -1, "meta");
    if (lua_istable(L, -1)) meta_fill(L, lua_absindex(L, -1), &s->meta, &pp, s->zWhere ? s->zWhere : s->zPath);
    lua_pop(L, 2);
  }
  ds_ingest_opts o = {(int)nJobs, (size_t)nMemory, lua_isnil(L, 9) ? NULL : ingest_progress, &x,
                      (size_t)nPart};
  size_t nAdded = 0;
  ds_error e;
  int rc = ds_ingest(c, aSrc, n, &o, &nAdded, &e);
  if (x.bFailed) return lua_error(L);         /* the progress function's error */
  if (rc) return raise_error(L, &e);
  lua_pushinteger(L, (lua_Integer)nAdded);
  return 1;
}

/* corpus:find(name or id) -> index (1-based, corpus order), id; or nothing */
static int corpus_find(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  ds_error e;
  if (ds_corpus_refresh(c, &e)) return raise_error(L, &e);
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
  ds_corpus *c = check_corpus(L, 1);
  ds_error e;
  int rc = ds_corpus_remove(c, luaL_checkinteger(L, 2), &e);
  if (rc && rc != DS_NOTFOUND) return raise_error(L, &e);
  lua_pushboolean(L, rc == DS_OK);
  return 1;
}

static int corpus_optimize(lua_State *L) {
  ds_error e;
  if (ds_corpus_optimize(check_corpus(L, 1), &e)) return raise_error(L, &e);
  return 0;
}

/* corpus:text(k) -> the clean text of document k (1-based, corpus order) */
static int corpus_text(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  lua_Integer k = luaL_checkinteger(L, 2);
  luaL_argcheck(L, k >= 1 && (size_t)k <= ds_corpus_ndocs(c), 2, "no such document");
  const char *z;
  size_t n;
  const uint32_t *aOff;
  ds_error e;
  if (ds_corpus_text(c, (size_t)k - 1, &z, &n, &aOff, &e)) return raise_error(L, &e);
  lua_pushlstring(L, z, n);
  return 1;
}

typedef struct hit_ctx {
  lua_State *L;
  ds_corpus *c;
} hit_ctx;

static int push_hit(void *ctx, size_t k, double score) {
  hit_ctx *h = ctx;
  lua_State *L = h->L;
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, (lua_Integer)k + 1);
  lua_setfield(L, -2, "index");
  lua_pushstring(L, ds_corpus_doc(h->c, k)->zName);
  lua_setfield(L, -2, "doc");
  lua_pushnumber(L, score);
  lua_setfield(L, -2, "score");
  lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
  return 0;
}

/* corpus:search(query [, limit]) -> {{index = document (1-based), doc = name, score}, ...},
   best first */
static int corpus_search(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  const char *zQuery = luaL_checkstring(L, 2);
  lua_Integer n = luaL_optinteger(L, 3, 0);
  ds_error e;
  lua_newtable(L);
  /* push_hit only adds to a table: memory errors there unwind no C state of the core */
  hit_ctx h = {L, c};
  int rc = ds_corpus_search(c, zQuery, n, push_hit, &h, &e);
  if (rc > DS_DONE) return raise_error(L, &e);
  return 1;
}

/* corpus:snippet(document index, query [, tokens]) -> text with the terms in [brackets] */
static int corpus_snippet(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  lua_Integer k = luaL_checkinteger(L, 2);
  const char *zQuery = luaL_checkstring(L, 3);
  lua_Integer n = luaL_optinteger(L, 4, 20);
  luaL_argcheck(L, k >= 1 && (size_t)k <= ds_corpus_ndocs(c), 2, "no such document");
  ds_buf b = DS_BUF_INIT;
  ds_error e;
  int rc = ds_corpus_snippet(c, (size_t)k - 1, zQuery, (int)n, &b, &e);
  if (rc) {
    ds_buf_free(&b);
    return raise_error(L, &e);
  }
  lua_pushlstring(L, b.p ? (const char *)b.p : "", b.n);
  ds_buf_free(&b);
  return 1;
}

/* corpus:search_update() -> documents newly indexed for search, documents still missing */
static int corpus_search_update(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  size_t n;
  ds_error e;
  if (ds_corpus_search_update(c, &n, &e)) return raise_error(L, &e);
  lua_pushinteger(L, (lua_Integer)n);
  return 1;
}

static int corpus_search_missing(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)ds_corpus_search_missing(check_corpus(L, 1)));
  return 1;
}

static int l_ncpu(lua_State *L) {
  lua_pushinteger(L, ds_ncpu());
  return 1;
}

static int corpus_info(lua_State *L) {
  ds_info info;
  ds_error e;
  if (ds_corpus_info(check_corpus(L, 1), &info, &e)) return raise_error(L, &e);
  lua_createtable(L, 0, 9);
  set_int(L, "format_version", info.formatVersion);
  set_int(L, "documents", info.nDocs);
  set_int(L, "tokens", info.nTokens);
  set_int(L, "segments", info.nSegments);
  set_int(L, "sentences", info.nSentences);
  set_int(L, "paragraphs", info.nParagraphs);
  set_int(L, "bytes", info.nBytes);
  lua_createtable(L, 0, DS_NATTR);
  for (int a = 0; a < DS_NATTR; a++) {
    lua_pushinteger(L, info.anTypes[a]);
    lua_setfield(L, -2, ds_attr_name(a));
  }
  lua_setfield(L, -2, "types");
  return 1;
}

static int push_meta_pair(void *ctx, const char *zKey, const char *zVal) {
  lua_State *L = ctx;
  lua_pushstring(L, zVal);
  lua_setfield(L, -2, zKey);
  return 0;
}

/* corpus:docs() -> list of {id, name, cpos, tokens, sentences, meta = {...}} */
static int corpus_docs(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  ds_error e0;
  if (ds_corpus_refresh(c, &e0)) return raise_error(L, &e0);
  size_t n = ds_corpus_ndocs(c);
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    const ds_docinfo *d = ds_corpus_doc(c, i);
    ds_error e;
    lua_createtable(L, 0, 6);
    set_int(L, "id", d->id);
    lua_pushstring(L, d->zName);
    lua_setfield(L, -2, "name");
    set_int(L, "cpos", d->cpos);
    set_int(L, "tokens", d->nTok);
    set_int(L, "sentences", d->nSent);
    lua_newtable(L);
    if (ds_corpus_doc_meta(c, d->id, push_meta_pair, L, &e) > DS_DONE) return raise_error(L, &e);
    lua_setfield(L, -2, "meta");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* corpus:query(q) -> matchset */
static int corpus_query(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  size_t nQuery;
  const char *zQuery = luaL_checklstring(L, 2, &nQuery);
  if (strlen(zQuery) != nQuery) {
    lua_pushfstring(L, "a NUL byte in the query at position %d", (int)strlen(zQuery) + 1);
    return lua_error(L);
  }
  matchset_box *m = lua_newuserdatauv(L, sizeof *m, 1);
  memset(m, 0, sizeof *m);
  luaL_setmetatable(L, MATCHSET_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);        /* the matches keep their corpus alive */
  ds_query *q;
  ds_error e;
  if (ds_query_compile(c, zQuery, &q, &e)) return raise_error(L, &e);
  m->len = (lua_Integer)ds_query_length(q);
  int rc = ds_query_run(c, q, &m->ms, &e);
  ds_query_free(q);
  if (rc) return raise_error(L, &e);
  return 1;
}

static matchset_box *check_matchset(lua_State *L, int i) { return luaL_checkudata(L, i, MATCHSET_MT); }

/* Index of document holding cpos, or an error. */
static const ds_docinfo *doc_of(lua_State *L, ds_corpus *c, int64_t cpos) {
  int64_t k = ds_corpus_doc_at(c, cpos);
  if (k < 0) luaL_error(L, "corpus position %d is in no document", (int)cpos);
  return ds_corpus_doc(c, (size_t)k);
}

/* corpus:kwic(matchset, width [, from [, to]]) -> list of {left, match, right, doc, first, last} */
static int corpus_kwic(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  matchset_box *m = check_matchset(L, 2);
  lua_Integer width = luaL_checkinteger(L, 3);
  lua_Integer from = luaL_optinteger(L, 4, 1);
  lua_Integer to = luaL_optinteger(L, 5, (lua_Integer)m->ms.n);
  luaL_argcheck(L, width >= 0 && width <= 100000, 3, "width out of range");
  if (from < 1) from = 1;
  if (to > (lua_Integer)m->ms.n) to = (lua_Integer)m->ms.n;
  ds_buf parts[3] = {DS_BUF_INIT, DS_BUF_INIT, DS_BUF_INIT};
  lua_createtable(L, to >= from ? (int)(to - from + 1) : 0, 0);
  for (lua_Integer i = from; i <= to; i++) {
    const ds_match *x = &m->ms.a[i - 1];
    ds_error e;
    for (int k = 0; k < 3; k++) ds_buf_reset(&parts[k]);
    if (ds_corpus_kwic(c, x->first, x->last, (int)width, &parts[0], &parts[1], &parts[2], &e)) {
      for (int k = 0; k < 3; k++) ds_buf_free(&parts[k]);
      return raise_error(L, &e);
    }
    lua_createtable(L, 0, 6);
    static const char *const azPart[3] = {"left", "match", "right"};
    for (int k = 0; k < 3; k++) {
      lua_pushlstring(L, parts[k].p ? (const char *)parts[k].p : "", parts[k].n);
      lua_setfield(L, -2, azPart[k]);
    }
    lua_pushstring(L, doc_of(L, c, x->first)->zName);
    lua_setfield(L, -2, "doc");
    set_int(L, "first", x->first);
    set_int(L, "last", x->last);
    lua_rawseti(L, -2, i - from + 1);
  }
  for (int k = 0; k < 3; k++) ds_buf_free(&parts[k]);
  return 1;
}

/* corpus:check() -> number of problems, report (one line each) */
static int corpus_check(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  ds_buf r = DS_BUF_INIT;
  int64_t n;
  ds_error e;
  if (ds_corpus_check(c, &r, &n, &e)) {
    ds_buf_free(&r);
    return raise_error(L, &e);
  }
  lua_pushinteger(L, (lua_Integer)n);
  lua_pushlstring(L, r.p ? (const char *)r.p : "", r.n);
  ds_buf_free(&r);
  return 2;
}

/* corpus:doc_at(cpos) -> document number (1-based, as in corpus:docs()), name; or nil */
static int corpus_doc_at(lua_State *L) {
  ds_corpus *c = check_corpus(L, 1);
  int64_t k = ds_corpus_doc_at(c, luaL_checkinteger(L, 2));
  if (k < 0) return 0;
  lua_pushinteger(L, (lua_Integer)k + 1);
  lua_pushstring(L, ds_corpus_doc(c, (size_t)k)->zName);
  return 2;
}

/* ====================== matchset ====================== */

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

/* ====================== registration ====================== */

static const luaL_Reg corpus_methods[] = {
  {"close", corpus_close},
  {"isopen", corpus_isopen},
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
  {"search", corpus_search},
  {"snippet", corpus_snippet},
  {"search_update", corpus_search_update},
  {"search_missing", corpus_search_missing},
  {"info", corpus_info},
  {"docs", corpus_docs},
  {"query", corpus_query},
  {"kwic", corpus_kwic},
  {"doc_at", corpus_doc_at},
  {"check", corpus_check},
  {NULL, NULL}
};

static const luaL_Reg corpus_meta[] = {
  {"__gc", corpus_close},
  {"__close", corpus_close},
  {"__tostring", corpus_tostring},
  {"__index", NULL},
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
  {"__index", NULL},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"parse", l_parse},
  {"parse_parts", l_parse_parts},
  {"conllu", l_conllu},
  {"open", l_open},
  {"uax29_words", l_uax29_words},
  {"langdata", l_langdata},
  {"tagger", l_tagger},
  {"clean_rules", l_clean_rules},
  {"sitelines", l_sitelines},
  {"ncpu", l_ncpu},
  {"uax29_sentences", l_uax29_sentences},
  {"version", NULL},
  {"format_version", NULL},
  {NULL, NULL}
};

static void create_meta(lua_State *L, const char *zName, const luaL_Reg *meta,
                        const luaL_Reg *methods) {
  luaL_newmetatable(L, zName);
  luaL_setfuncs(L, meta, 0);
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

LUAMOD_API int luaopen_dossier_core(lua_State *L);

LUAMOD_API int luaopen_dossier_core(lua_State *L) {
  create_meta(L, CORPUS_MT, corpus_meta, corpus_methods);
  create_meta(L, MATCHSET_MT, matchset_meta, matchset_methods);
  create_meta(L, SITELINES_MT, sitelines_meta, sitelines_methods);
  luaL_newmetatable(L, TAGGER_MT);
  lua_pushcfunction(L, tagger_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  lua_pushcfunction(L, tagger_tag);
  lua_setfield(L, -2, "tag");
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newmetatable(L, LANGDATA_MT);
  lua_pushcfunction(L, langdata_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newmetatable(L, "dossier.partsbox");
  lua_pushcfunction(L, partsbox_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newmetatable(L, "dossier.docbox");
  lua_pushcfunction(L, docbox_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newlib(L, funcs);
  lua_pushliteral(L, DS_VERSION);
  lua_setfield(L, -2, "version");
  lua_pushinteger(L, DS_FORMAT_VERSION);
  lua_setfield(L, -2, "format_version");
  return 1;
}
