/*
** lds_uax29.c -- core.uax29_words and core.uax29_sentences: Unicode UAX #29
** division into pieces (ds_uax29.h) as lists of strings.
*/
#include "lds.h"
#include "ds_uax29.h"
#include "ds_utf8.h"

#include <string.h>

/* Piece callback: keep [start, end) in C memory; the Lua strings are made after the
   splitter returns, so a memory error never unwinds through it. */
static int collect_piece(void *ctx, size_t start, size_t end) {
  ds_buf *b = ctx;
  size_t a[2] = {start, end};
  ds_buf_append(b, a, sizeof a);
  return b->rc != DS_OK;                /* out of memory: stop */
}

/* core.uax29_words(s) / core.uax29_sentences(s) -> list of pieces (strings) */
static int uax29(lua_State *L, int (*xSeg)(const char *, size_t, ds_uax29_cb, void *)) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  int64_t bad = ds_utf8_check(z, n);
  if (bad >= 0) return luaL_error(L, "invalid UTF-8 at byte %d", (int)bad);
  ds_buf *b = lds_newbuf(L);
  xSeg(z, n, collect_piece, b);
  if (b->rc) return luaL_error(L, "out of memory");
  size_t nPiece = b->n / (2 * sizeof(size_t));
  lua_createtable(L, nPiece < 1u << 30 ? (int)nPiece : 0, 0);
  for (size_t i = 0; i < nPiece; i++) {
    size_t a[2];
    memcpy(a, b->p + 2 * sizeof(size_t) * i, sizeof a);   /* b->p may be unaligned */
    lua_pushlstring(L, z + a[0], a[1] - a[0]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lds_freebuf(b);
  return 1;
}

static int l_uax29_words(lua_State *L) { return uax29(L, ds_uax29_words); }
static int l_uax29_sentences(lua_State *L) { return uax29(L, ds_uax29_sentences); }

static const luaL_Reg funcs[] = {
  {"uax29_words", l_uax29_words},
  {"uax29_sentences", l_uax29_sentences},
  {NULL, NULL}
};

void lds_open_uax29(lua_State *L) { luaL_setfuncs(L, funcs, 0); }
