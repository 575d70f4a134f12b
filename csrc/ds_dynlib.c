/*
** ds_dynlib.c -- a shared library loaded when it is first needed (see ds_dynlib.h).
*/
#include "ds_dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* one lock for every library: each is loaded once, so it is never held long */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int load(ds_dynlib *p) {
  void *h = NULL;
  const char *zTried = "";
  for (const char *const *z = p->azFile; *z && !h; z++) {
    if (!**z) continue;
    zTried = *z;
    h = dlopen(*z, RTLD_NOW | RTLD_LOCAL);
  }
  if (!h) {
    const char *zWhy = dlerror();
    snprintf(p->zErr, sizeof p->zErr, "%s", zWhy ? zWhy : zTried);
    return 2;
  }
  /* the library stays loaded for the life of the process: nothing dlcloses it */
  for (size_t i = 0; p->azSym[i]; i++) {
    if (!(*p->apSlot[i] = dlsym(h, p->azSym[i]))) {
      snprintf(p->zErr, sizeof p->zErr, "no %s in %s", p->azSym[i], zTried);
      return 2;
    }
  }
  return 1;
}

int ds_dynlib_load(ds_dynlib *p) {
  int e = atomic_load_explicit(&p->eState, memory_order_acquire);
  if (!e) {
    pthread_mutex_lock(&mu);
    e = atomic_load_explicit(&p->eState, memory_order_relaxed);
    if (!e) atomic_store_explicit(&p->eState, e = load(p), memory_order_release);
    pthread_mutex_unlock(&mu);
  }
  return e == 1 ? DS_OK : DS_IO;
}
