/*
** lds_parse.c -- documents without a corpus: core.parse (a document as Lua tables),
** core.parse_parts (the same, read in parts as a large file is indexed) and
** core.conllu (CoNLL-U text).
*/
#include "lds.h"
#include "ds_pdf.h"
#include "ds_clean.h"
#include "ds_conllu.h"
#include "ds_doc.h"
#include "ds_offmap.h"
#include "ds_parse.h"
#include "ds_parts.h"
#include "ds_store.h"

#include <string.h>

/* raw_from, raw_to: where zText[start, end) came from in the raw input, when mapped
   (rawBase: where the raw bytes of d's map start in the whole input, for a part). */
static void set_source(lua_State *L, const ds_doc *d, int64_t rawBase, size_t start, size_t end) {
  if (!d->aMap) return;
  ds_offmap m = {d->aMap, d->nMap, d->nMap};
  lds_setint(L, "raw_from", rawBase + (lua_Integer)ds_offmap_start(&m, start) + 1);
  lds_setint(L, "raw_to", rawBase + (lua_Integer)ds_offmap_end(&m, end));
}

static const char *token_kind(int flags) {
  return (flags & DS_TOK_URL) ? "url"
       : (flags & DS_TOK_ABBREV) ? "abbrev"
       : (flags & DS_TOK_WORD) ? "word"
       : (flags & DS_TOK_NUMBER) ? "number"
       : (flags & DS_TOK_PUNCT) ? "punct" : "symbol";
}

/* The tokens of sentence r as a list of {word, from, to, space_after, kind[, pos, xpos, lemma]}. */
static void push_tokens(lua_State *L, const ds_doc *d, int64_t rawBase, const ds_range *r) {
  lua_createtable(L, (int)(r->last - r->first), 0);
  for (uint32_t t = r->first; t < r->last; t++) {
    const ds_token *tok = &d->aTok[t];
    lua_createtable(L, 0, 5);
    lua_pushlstring(L, d->zText + tok->start, tok->end - tok->start);
    lua_setfield(L, -2, "word");
    lds_setint(L, "from", tok->start + 1);
    lds_setint(L, "to", tok->end);
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
    lua_pushstring(L, token_kind(tok->flags));
    lua_setfield(L, -2, "kind");
    lua_rawseti(L, -2, (lua_Integer)(t - r->first + 1));
  }
}

/*
** The recognizers' spans of d as a list of {kind, from, to (bytes of text, as tokens'),
** first, last (tokens, from 1), values = {name = value}} in the document's span order.
*/
static void push_spans(lua_State *L, const ds_doc *d) {
  lua_createtable(L, (int)d->nSpan, 0);
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *s = &d->aSpan[i];
    const ds_spankind *k = ds_spankind_get((int)s->kind);
    lua_createtable(L, 0, 6);
    lua_pushstring(L, k->zName);
    lua_setfield(L, -2, "kind");
    lds_setint(L, "from", d->aTok[s->first].start + 1);
    lds_setint(L, "to", d->aTok[s->last - 1].end);
    lds_setint(L, "first", (lua_Integer)s->first + 1);
    lds_setint(L, "last", (lua_Integer)s->last);
    lua_createtable(L, 0, k->nAttr);
    for (int a = 0; a < k->nAttr; a++) {
      lua_pushstring(L, ds_docspan_value(d, s, a));
      lua_setfield(L, -2, k->azAttr[a]);
    }
    lua_setfield(L, -2, "values");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/*
** Push the document d as a table {text, sentences, paragraphs, changes, spans, meta}; `text` is
** scratch space in a box the caller holds (pushing may raise a memory error).
*/
static void push_doc(lua_State *L, const ds_doc *d, int64_t rawBase, ds_buf *text) {
  lua_createtable(L, 0, 5);
  lua_pushlstring(L, d->zText, d->nText);
  lua_setfield(L, -2, "text");
  lua_createtable(L, (int)d->nSent, 0);
  for (size_t s = 0; s < d->nSent; s++) {
    const ds_range *r = &d->aSent[s];
    lua_createtable(L, 0, 4);
    lds_setint(L, "from", d->aTok[r->first].start + 1);
    lds_setint(L, "to", d->aTok[r->last - 1].end);
    ds_buf_reset(text);
    ds_doc_sentence_text(d, s, text);
    lds_pushbuf(L, text);
    lua_setfield(L, -2, "text");
    push_tokens(L, d, rawBase, r);
    lua_setfield(L, -2, "tokens");
    lua_rawseti(L, -2, (lua_Integer)s + 1);
  }
  lua_setfield(L, -2, "sentences");
  lua_createtable(L, (int)d->nPara, 0);
  for (size_t p = 0; p < d->nPara; p++) {
    static const char *const azKind[] = {"text", "heading", "footnote"};
    lua_createtable(L, 0, 3);
    lds_setint(L, "from", d->aPara[p].start + 1);
    lds_setint(L, "to", d->aPara[p].end);
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
    lds_setint(L, "line", d->aChange[c].line);
    lds_setint(L, "raw_from", d->aChange[c].start + 1);
    lds_setint(L, "raw_to", d->aChange[c].end);
    lua_pushstring(L, d->aChange[c].zWhat);
    lua_setfield(L, -2, "what");
    lua_rawseti(L, -2, (lua_Integer)c + 1);
  }
  lua_setfield(L, -2, "changes");
  push_spans(L, d);
  lua_setfield(L, -2, "spans");
  lua_createtable(L, 0, (int)d->nMeta);
  size_t off = 0;
  const char *zKey, *zVal;
  while (ds_meta_next(&d->meta, &off, &zKey, &zVal)) {
    lua_pushstring(L, zVal);
    lua_setfield(L, -2, zKey);
  }
  lua_setfield(L, -2, "meta");
}

/* {====== core.parse ====== */

#define DOCBOX_MT "dossier.docbox"

/* What core.parse holds while it builds Lua tables (which may raise). */
typedef struct docbox {
  ds_doc *d;
  ds_buf text;
} docbox;

static void docbox_free(docbox *box) {
  ds_doc_free(box->d);
  box->d = NULL;
  ds_buf_free(&box->text);
  box->text = (ds_buf)DS_BUF_INIT;
}

static int docbox_gc(lua_State *L) {
  docbox_free(luaL_checkudata(L, 1, DOCBOX_MT));
  return 0;
}

/* Read options of a text-only function: defaults, then the table at argument i. */
static ds_read_opts check_read_opts(lua_State *L, int i) {
  ds_read_opts o;
  memset(&o, 0, sizeof o);
  o.format = DS_FMT_TEXT;
  lds_read_opts(L, i, i, &o);
  return o;
}

/* core.parse(text [, opts]) -> document table; opts: read options (lds.h) */
static int l_parse(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  ds_read_opts o = check_read_opts(L, 2);
  lua_settop(L, 2);
  docbox *box = lua_newuserdatauv(L, sizeof *box, 0);
  box->d = NULL;
  box->text = (ds_buf)DS_BUF_INIT;
  luaL_setmetatable(L, DOCBOX_MT);
  ds_error e;
  if (ds_parse_and_tag(z, n, &o, &box->d, &e)) return lds_raise(L, &e);
  push_doc(L, box->d, 0, &box->text);
  docbox_free(box);             /* now, not at collection */
  return 1;
}

/* }====== */

/* {====== core.parse_parts ====== */

#define PARTSBOX_MT "dossier.partsbox"

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
  box->text = (ds_buf)DS_BUF_INIT;
}

static int partsbox_gc(lua_State *L) {
  partsbox_free(luaL_checkudata(L, 1, PARTSBOX_MT));
  return 0;
}

/*
** core.parse_parts(text, part [, opts]) -> list of document tables, one per part of
** about `part` raw bytes (ds_parts.h), each with raw_base (0-based offset of its first
** byte), join_sentence and join_paragraph; raw_from and raw_to are of the whole text.
** For tests of the reading in parts.
*/
static int l_parse_parts(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  lua_Integer nPart = luaL_checkinteger(L, 2);
  luaL_argcheck(L, nPart > 0, 2, "part size must be positive");
  ds_read_opts o = check_read_opts(L, 3);
  luaL_argcheck(L, o.format == DS_FMT_TEXT, 3, "only plain text is read in parts");
  lua_settop(L, 3);
  partsbox *box = lua_newuserdatauv(L, sizeof *box, 1);
  memset(box, 0, sizeof *box);
  luaL_setmetatable(L, PARTSBOX_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);            /* the text outlives the reading, even to __gc */
  ds_error e;
  if (ds_parts_open(&box->p, NULL, z, n, &o, (size_t)nPart, NULL, &e)) return lds_raise(L, &e);
  box->bOpen = 1;
  lua_newtable(L);
  int rc, flags;
  int64_t base;
  lua_Integer i = 0;
  /* between two ds_parts_next calls the core holds nothing on the C stack: pushing may raise */
  while ((rc = ds_parts_next(&box->p, &box->d, &flags, &base, &e)) == DS_OK) {
    push_doc(L, box->d, base, &box->text);
    lds_setint(L, "raw_base", base);
    lua_pushboolean(L, (flags & DS_PART_JOIN_SENT) != 0);
    lua_setfield(L, -2, "join_sentence");
    lua_pushboolean(L, (flags & DS_PART_JOIN_PARA) != 0);
    lua_setfield(L, -2, "join_paragraph");
    lua_rawseti(L, -2, ++i);
    ds_doc_free(box->d);
    box->d = NULL;
  }
  partsbox_free(box);
  if (rc != DS_DONE) return lds_raise(L, &e);
  return 1;
}

/* }====== */

/* core.conllu(text, docid [, opts]) -> CoNLL-U string, number of sentences */
static int l_conllu(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  const char *zId = luaL_optstring(L, 2, NULL);
  ds_read_opts o = check_read_opts(L, 3);
  ds_buf *out = lds_newbuf(L);
  size_t nSent = 0;
  ds_doc *d;
  ds_error e;
  if (ds_parse_and_tag(z, n, &o, &d, &e)) return lds_raise(L, &e);
  int rc = ds_conllu_write(d, zId, &nSent, out);
  ds_doc_free(d);
  if (rc) return luaL_error(L, "out of memory");
  lds_pushbuf(L, out);
  lds_freebuf(out);
  lua_pushinteger(L, (lua_Integer)nSent);
  return 2;
}

static const luaL_Reg docbox_meta[] = {
  {"__gc", docbox_gc},
  {NULL, NULL}
};

static const luaL_Reg partsbox_meta[] = {
  {"__gc", partsbox_gc},
  {NULL, NULL}
};

/* core.pdf_probe(bytes, name) -> nil, or the message why the PDF cannot be read */
static int l_pdf_probe(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  const char *zName = luaL_checkstring(L, 2);
  ds_error e;
  if (ds_pdf_probe(z, n, zName, &e) == DS_OK) return 0;
  lua_pushstring(L, e.msg);
  return 1;
}

static const luaL_Reg funcs[] = {
  {"pdf_probe", l_pdf_probe},
  {"parse", l_parse},
  {"parse_parts", l_parse_parts},
  {"conllu", l_conllu},
  {NULL, NULL}
};

void lds_open_parse(lua_State *L) {
  lds_register(L, DOCBOX_MT, docbox_meta, NULL);
  lds_register(L, PARTSBOX_MT, partsbox_meta, NULL);
  luaL_setfuncs(L, funcs, 0);
}
