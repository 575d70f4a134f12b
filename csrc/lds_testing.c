/*
** lds_testing.c -- hooks for the specs: core._fail_alloc, for the error paths
** (spec/91-errors_spec.lua), runs a function with an allocator that fails after a given
** number of allocations, so each memory error the binding may meet can be made to
** happen; core._interrupt_after and core._interrupt_looks raise the Ctrl-C flag at a
** known point of a C loop and count its looks (spec/24-interrupts_spec.lua).
*/
#include "lds.h"

typedef struct failing {
  lua_Alloc xAlloc;     /* the state's own allocator */
  void *ud;
  lua_Integer nLeft;    /* allocations that may still succeed */
  lua_Integer nFailed;  /* allocations refused */
} failing;

/* Growing allocations fail once nLeft is spent; freeing and shrinking never do (Lua
   requires it). When p is NULL, osize is a type tag, not a size. */
static void *failing_alloc(void *ud, void *p, size_t osize, size_t nsize) {
  failing *f = ud;
  if (nsize > 0 && (p == NULL || nsize > osize)) {
    if (f->nLeft <= 0) {
      f->nFailed++;
      return NULL;
    }
    f->nLeft--;
  }
  return f->xAlloc(f->ud, p, osize, nsize);
}

/*
** core._fail_alloc(n, fn, ...) -> ok, results or error, refused: calls fn(...) under
** lua_pcall while all but the first n allocations of the Lua state fail, then restores
** the allocator (before anything else is allocated). `refused` counts the allocations
** that failed: 0 means fn needed at most n.
*/
static int l_fail_alloc(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_checkany(L, 2);
  int nArg = lua_gettop(L) - 2;
  failing f;
  f.xAlloc = lua_getallocf(L, &f.ud);
  f.nLeft = n;
  f.nFailed = 0;
  lua_setallocf(L, failing_alloc, &f);
  int rc = lua_pcall(L, nArg, LUA_MULTRET, 0);
  lua_setallocf(L, f.xAlloc, f.ud);
  luaL_checkstack(L, 2, "results");
  lua_pushboolean(L, rc == LUA_OK);
  lua_replace(L, 1);                    /* ok, results or error */
  lua_pushinteger(L, f.nFailed);
  return lua_gettop(L);
}

/*
** core._interrupt_after(n): the interrupt flag rises by itself at the nth look a C loop
** takes at it from now (as if Ctrl-C came then); 0 stops that. The flag is cleared first.
*/
static int l_interrupt_after(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0, 1, "a count of looks, 0 or more");
  ds_interrupt_clear();
  ds_interrupt_after((int64_t)n);
  return 0;
}

/* core._interrupt_looks() -> the looks C loops took at the flag since _interrupt_after */
static int l_interrupt_looks(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)ds_interrupt_looks());
  return 1;
}

static const luaL_Reg funcs[] = {
  {"_fail_alloc", l_fail_alloc},
  {"_interrupt_after", l_interrupt_after},
  {"_interrupt_looks", l_interrupt_looks},
  {NULL, NULL}
};

void lds_open_testing(lua_State *L) { luaL_setfuncs(L, funcs, 0); }
