/*
** ds_dynlib.h -- a shared library loaded when it is first needed (dlopen), not with
** dossier: libgumbo for HTML (ds_markup_html.c), libcmark and libyaml for Markdown
** (ds_markup_md.c), Nettle for SHA-256 (ds_hash.c). Linked, they were loaded by every
** process, 0.44 ms of a 4.3 ms `dossier query --count` that reads none of them.
**
** The user keeps its symbols in a struct of typed fields and lists the fields' names and
** addresses (an X-macro makes all three from one list, see ds_markup_html.c):
**
**   static ds_dynlib gumbo = {azFile, azSym, apSlot, 0, ""};
**   if (ds_dynlib_load(&gumbo)) return ds_error_set(e, DS_FORMAT, -1, "...: %s", gumbo.zErr);
**
** The file names are tried in order: the soname the Makefile found for the library it
** built against (DS_SONAME_*), else the one Debian's package has, then the development
** link (lib*.so) that comes with the headers dossier was built from.
*/
#ifndef DS_DYNLIB_H
#define DS_DYNLIB_H

#include "ds.h"

#include <stdatomic.h>

typedef struct ds_dynlib {
  const char *const *azFile;   /* file names to try, in order, NULL-ended ("" skipped) */
  const char *const *azSym;    /* the symbols, NULL-ended */
  void **const *apSlot;        /* where each symbol's address goes, in azSym's order */
  atomic_int eState;           /* 0 not tried yet, 1 loaded, 2 failed: tried once only */
  char zErr[256];              /* why it failed */
} ds_dynlib;

/* Load p's library and its symbols once (from any thread; the first call does it):
   DS_OK, or DS_IO with the reason in p->zErr. */
int ds_dynlib_load(ds_dynlib *p);

#endif
