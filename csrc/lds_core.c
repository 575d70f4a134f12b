/*
** lds_core.c -- `dossier.core`: luaopen_dossier_core assembling the binding's files
** (lds_*.c), and the helpers they share: type registration, errors, scratch buffers
** and the one decoder of read options.
*/
#include "lds.h"
#include "ds_clean.h"
#include "ds_hash.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* {====== shared helpers ====== */

static void interrupt_spent(void);

void lds_register(lua_State *L, const char *zName, const luaL_Reg *meta, const luaL_Reg *methods) {
  luaL_newmetatable(L, zName);          /* sets __name, for luaL_typeerror's messages */
  luaL_setfuncs(L, meta, 0);
  if (methods) {
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
}

void lds_methods(lua_State *L, const char *zName, const luaL_Reg *methods) {
  luaL_getmetatable(L, zName);
  lua_getfield(L, -1, "__index");
  luaL_setfuncs(L, methods, 0);
  lua_pop(L, 2);
}

int lds_raise(lua_State *L, const ds_error *e) {
  if (e->code == DS_INTERRUPTED) interrupt_spent();    /* this error is the Ctrl-C's answer */
  /* no position prefix: the message already says where (file, line, query position) */
  lua_pushstring(L, e->msg[0] ? e->msg : ds_status_name(e->code));
  return lua_error(L);
}

void lds_setint(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

#define BUF_MT "dossier.buf"

ds_buf *lds_newbuf(lua_State *L) {
  ds_buf *b = lua_newuserdatauv(L, sizeof *b, 0);
  *b = (ds_buf)DS_BUF_INIT;
  luaL_setmetatable(L, BUF_MT);
  return b;
}

void lds_freebuf(ds_buf *b) {
  ds_buf_free(b);
  *b = (ds_buf)DS_BUF_INIT;
}

static int buf_gc(lua_State *L) {
  lds_freebuf(luaL_checkudata(L, 1, BUF_MT));
  return 0;
}

void lds_pushbuf(lua_State *L, const ds_buf *b) {
  lua_pushlstring(L, b->p ? (const char *)b->p : "", b->n);
}

/* }====== */

/* {====== read options ====== */

/* An error in an options table: of argument iArg, or a plain one when iArg is 0. */
static int opt_error(lua_State *L, int iArg, const char *zMsg) {
  if (iArg > 0) return luaL_argerror(L, iArg, zMsg);
  return luaL_error(L, "%s", zMsg);
}

/* Push field zKey of the table at t; 0 (and nothing pushed) when it is nil. */
static int get_opt(lua_State *L, int t, const char *zKey) {
  if (lua_getfield(L, t, zKey) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  return 0;
}

/* The string at the top of the stack (kept referenced by the table), or an error. */
static const char *opt_string(lua_State *L, int iArg, const char *zKey) {
  if (lua_type(L, -1) != LUA_TSTRING) {
    opt_error(L, iArg, lua_pushfstring(L, "option '%s' must be a string", zKey));
  }
  return lua_tostring(L, -1);
}

void lds_read_opts(lua_State *L, int t, int iArg, ds_read_opts *o) {
  if (lua_isnoneornil(L, t)) return;
  t = lua_absindex(L, t);
  if (!lua_istable(L, t)) opt_error(L, iArg, "options must be a table");
  if (get_opt(L, t, "name")) {
    o->zName = opt_string(L, iArg, "name");
    lua_pop(L, 1);
  }
  if (get_opt(L, t, "rules")) {
    int bInt;
    lua_Integer rules = lua_tointegerx(L, -1, &bInt);
    if (!bInt || rules < 0 || rules > DS_CLEAN_ALL) opt_error(L, iArg, "clean-up rules out of range");
    o->cleanRules = (unsigned)rules;
    lua_pop(L, 1);
  }
  if (get_opt(L, t, "langdata")) {
    o->pLang = lds_check_langdata(L, lua_gettop(L));
    lua_pop(L, 1);
  }
  if (get_opt(L, t, "format")) {
    o->format = ds_format_find(opt_string(L, iArg, "format"));
    if (o->format < 0) opt_error(L, iArg, "format must be \"txt\", \"html\", \"md\" or \"pdf\"");
    lua_pop(L, 1);
  }
  if (get_opt(L, t, "front_matter")) {      /* false: leave Markdown front matter out */
    o->bNoFrontMatter = !lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  if (get_opt(L, t, "encoding")) {
    const char *z = opt_string(L, iArg, "encoding");
    int bUtf8 = strcmp(z, "utf8") == 0 || strcmp(z, "utf-8") == 0;
    int bLatin1 = strcmp(z, "latin1") == 0 || strcmp(z, "iso-8859-1") == 0 ||
                  strcmp(z, "cp1252") == 0 || strcmp(z, "windows-1252") == 0;
    if (!bUtf8 && !bLatin1)
      opt_error(L, iArg, "encoding must be \"utf8\", \"latin1\" or \"cp1252\"");
    o->bLatin1 = bLatin1;
    lua_pop(L, 1);
  }
  if (get_opt(L, t, "tagger")) {
    lds_tagger *b = lds_check_tagger(L, lua_gettop(L));
    o->pTagger = b->t;
    o->pLemma = b->l;
    lua_pop(L, 1);
  }
  if (get_opt(L, t, "extractor")) {
    o->pExtract = lds_check_extractor(L, lua_gettop(L));
    lua_pop(L, 1);
  }
  if (get_opt(L, t, "site")) {
    o->pSite = lds_check_sitelines(L, lua_gettop(L));
    lua_pop(L, 1);
  }
}

/* }====== */

/* core.clean_rules() -> {name = bit} */
static int l_clean_rules(lua_State *L) {
  lua_newtable(L);
  for (unsigned bit = 1; bit <= DS_CLEAN_ALL; bit <<= 1) {
    lua_pushinteger(L, bit);
    lua_setfield(L, -2, ds_clean_rule_name(bit));
  }
  return 1;
}

/* {====== Ctrl-C ====== */

static lua_State *sigL;                 /* the state whose running code Ctrl-C stops */

/* The Lua code running is stopped: that answers the Ctrl-C, so the flag is cleared too
   (else the next C call, a corpus's close in the clean-up, would stop a second time). */
static void sig_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  ds_interrupt_clear();
  luaL_error(L, "interrupted");
}

/* As lua.c's laction: only the flag and a hook (lua_sethook is safe in a handler). */
static void on_sigint(int sig) {
  (void)sig;
  ds_interrupt();
  if (sigL) lua_sethook(sigL, sig_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/*
** When the state closes, its C modules are unloaded: Ctrl-C must not find on_sigint
** (in this module) still the handler, nor sigL (the closing state) to hook. A value in
** the registry whose __gc runs before the modules go (it is made after them) puts the
** default action back, unless another handler has been set since.
*/
static int sigint_release(lua_State *L) {
  (void)L;
  struct sigaction cur;
  if (sigaction(SIGINT, NULL, &cur) == 0 && cur.sa_handler == on_sigint) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
  }
  sigL = NULL;
  return 0;
}

/*
** core.catch_interrupts(on [, "once" | "ignore"]): with on, Ctrl-C (SIGINT) stops the
** running Lua code with the error "interrupted" at its next instruction, and C loops that
** check ds_interrupted() within their next round (their error says "interrupted" too);
** the process goes on, and so it does after a second Ctrl-C (the REPL), or with "once", a
** second Ctrl-C ends it (the command line). Without on, the default action (the process
** ends), or with "ignore" none: the command line's work is done and it is closing (its
** modules unloaded). Either drops a Ctrl-C caught but not acted on yet. Call it from the
** main thread.
*/
static int l_catch_interrupts(lua_State *L) {
  int on = lua_toboolean(L, 1);
  static const char *const azMode[] = {"always", "once", "ignore", NULL};
  int mode = luaL_checkoption(L, 2, "always", azMode);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on && mode != 2 ? on_sigint : mode == 2 ? SIG_IGN : SIG_DFL;
  if (on && mode == 1) sa.sa_flags = SA_RESETHAND;
  if (sa.sa_handler == on_sigint &&
      lua_getfield(L, LUA_REGISTRYINDEX, "dossier.sigint") == LUA_TNIL) {
    lua_newuserdatauv(L, 1, 0);
    lua_newtable(L);
    lua_pushcfunction(L, sigint_release);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, "dossier.sigint");
  }
  lua_settop(L, 2);
  if (sa.sa_handler != on_sigint && lua_gethook(L) == sig_hook) lua_sethook(L, NULL, 0, 0);
  sigL = sa.sa_handler == on_sigint ? L : NULL;
  sigaction(SIGINT, &sa, NULL);
  ds_interrupt_clear();
  return 0;
}

/*
** GNU readline (loaded by lua-readline) resumes reading after a signal, so Ctrl-C at
** the prompt would not end the line. When its library is in the process, dossier reads
** its characters instead (rl_getc_function) and, on an interrupted read after Ctrl-C,
** empties the line and ends it; readline then returns and the pending hook raises
** "interrupted" in the REPL, which cancels the line. Found with dlopen(RTLD_NOLOAD):
** nothing is loaded or linked that is not there already.
*/
typedef int (*rl_getc_fn)(FILE *);
static void (*rl_replace_line_fn)(const char *, int);

static int rl_getc_interruptible(FILE *f) {
  for (;;) {
    unsigned char ch;
    ssize_t n = read(fileno(f), &ch, 1);
    if (n == 1) return ch;
    if (n == 0) return EOF;
    if (errno != EINTR) return EOF;
    if (ds_interrupted()) {
      if (rl_replace_line_fn) rl_replace_line_fn("", 0);
      return '\n';
    }
  }
}

/* core.readline_interruptible() -> whether GNU readline was found and set up */
static int l_readline_interruptible(lua_State *L) {
  void *h = dlopen("libreadline.so.8", RTLD_LAZY | RTLD_NOLOAD);
  if (!h) h = dlopen("libreadline.so", RTLD_LAZY | RTLD_NOLOAD);
  rl_getc_fn *pGetc = h ? (rl_getc_fn *)dlsym(h, "rl_getc_function") : NULL;
  int *pCatch = h ? (int *)dlsym(h, "rl_catch_signals") : NULL;
  void *pReplace = h ? dlsym(h, "rl_replace_line") : NULL;
  if (pGetc && pCatch && pReplace) {
    memcpy(&rl_replace_line_fn, &pReplace, sizeof pReplace);   /* object to function pointer */
    *pGetc = rl_getc_interruptible;
    *pCatch = 0;                        /* SIGINT is dossier's: on_sigint */
  }
  if (h) dlclose(h);
  lua_pushboolean(L, pGetc && pCatch && pReplace);
  return 1;
}

/*
** A C loop stopped on Ctrl-C and its error is being raised: the interrupt is answered, so
** the flag is cleared and the pending hook dropped (it would raise a second "interrupted"
** at the next Lua instruction, in the middle of the caller's clean-up, e.g. a rollback).
*/
static void interrupt_spent(void) {
  ds_interrupt_clear();
  if (sigL) lua_sethook(sigL, NULL, 0, 0);
}

/* core.interrupted() -> whether Ctrl-C came since the last call (and clear it) */
static int l_interrupted(lua_State *L) {
  lua_pushboolean(L, ds_interrupted());
  ds_interrupt_clear();
  if (sigL) lua_sethook(sigL, NULL, 0, 0);
  return 1;
}

/* }====== */

/*
** core.ignore_file_size_signal(): the command line's choice. Past a file-size limit
** (ulimit -f) the system sends SIGXFSZ, which kills without a word; ignored, the write
** fails with EFBIG instead, the add is rolled back and the error says why.
*/
static int l_ignore_file_size_signal(lua_State *L) {
  (void)L;
  signal(SIGXFSZ, SIG_IGN);
  return 0;
}

/* A hash64 as Lua sees it: 16 hex digits. */
static void push_hash64(lua_State *L, uint64_t h) {
  char zHex[17];
  snprintf(zHex, sizeof zHex, "%016" PRIx64, h);
  lua_pushlstring(L, zHex, 16);
}

/* core.hash64(s) -> ds_hash64 of the string s, 16 hex digits (not cryptographic: the
   bytecode cache's check, lua/dossier/loader.lua) */
static int l_hash64(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  push_hash64(L, ds_hash64(z, n));
  return 1;
}

/* core.file_hash64(path) -> the hash64 of the file's bytes, or nil and the reason: the
   loader's check of a module's source, without making a Lua string of it */
static int l_file_hash64(lua_State *L) {
  const char *zPath = luaL_checkstring(L, 1);
  char *z;
  size_t n;
  ds_error e;
  if (ds_read_file(zPath, &z, &n, &e)) {
    luaL_pushfail(L);
    lua_pushstring(L, e.msg);
    return 2;
  }
  uint64_t h = ds_hash64(z, n);
  ds_free(z);                           /* before a push that may raise */
  push_hash64(L, h);
  return 1;
}

/* core.clock() -> seconds on a monotonic clock (for timing the parts of a job) */
static int l_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
  return 1;
}

static const luaL_Reg funcs[] = {
  {"clean_rules", l_clean_rules},
  {"clock", l_clock},
  {"hash64", l_hash64},
  {"file_hash64", l_file_hash64},
  {"ignore_file_size_signal", l_ignore_file_size_signal},
  {"catch_interrupts", l_catch_interrupts},
  {"interrupted", l_interrupted},
  {"readline_interruptible", l_readline_interruptible},
  {"version", NULL},
  {"format_version", NULL},
  {NULL, NULL}
};

static const luaL_Reg buf_meta[] = {
  {"__gc", buf_gc},
  {"__close", buf_gc},
  {NULL, NULL}
};

/* The module's one exported symbol: the Makefile builds with -fvisibility=hidden, so the
   core's own calls are bound inside the module at link time (no symbol lookups when Lua
   loads it, no PLT hops in hot loops). */
#define LDS_EXPORT __attribute__((visibility("default")))

LUAMOD_API LDS_EXPORT int luaopen_dossier_core(lua_State *L);

LUAMOD_API LDS_EXPORT int luaopen_dossier_core(lua_State *L) {
  lds_register(L, BUF_MT, buf_meta, NULL);
  luaL_newlib(L, funcs);
  lua_pushliteral(L, DS_VERSION);
  lua_setfield(L, -2, "version");
  lua_pushinteger(L, DS_FORMAT_VERSION);
  lua_setfield(L, -2, "format_version");
  lds_open_models(L);
  lds_open_sitelines(L);
  lds_open_parse(L);
  lds_open_uax29(L);
  lds_open_corpus(L);
  lds_open_search(L);
  lds_open_query(L);
  lds_open_testing(L);
  lds_open_count(L);
  lds_open_merge(L);
  lds_open_recipes(L);
  return 1;
}
