/*
** ds_conllu_read.c -- read a CoNLL-U treebank into memory (see ds_conllu_read.h).
*/
#include "ds_conllu_read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
** Read the whole file zPath into a new NUL-terminated buffer (*pz, *pn bytes).
*/
static int slurp(const char *zPath, char **pz, size_t *pn, ds_error *e) {
  FILE *f = fopen(zPath, "rb");
  if (!f) return ds_error_set(e, DS_IO, -1, "cannot open %s: %s", zPath, strerror(errno));
  char *z = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (cap - n < 65536) {
      size_t c2 = cap ? cap * 2 : 1 << 20;
      char *z2 = c2 < SIZE_MAX / 4 ? ds_realloc(z, c2 + 1) : NULL;   /* a size that wraps fails */
      if (!z2) { ds_free(z); fclose(f); return ds_error_set(e, DS_NOMEM, -1, "out of memory reading %s", zPath); }
      z = z2;
      cap = c2;
    }
    size_t got = fread(z + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { ds_free(z); return ds_error_set(e, DS_IO, -1, "cannot read %s", zPath); }
  z[n] = 0;
  *pz = z;
  *pn = n;
  return DS_OK;
}

/*
** Append to a growable array of `sz`-byte items; returns 0 or -1 when out of memory.
*/
static int grow(void **pa, size_t *pcap, size_t n, size_t sz) {
  return ds_grow(pa, pcap, n + 1, sz, 1024) ? -1 : 0;
}

/*
** Split the buffer line by line; keep word lines, record sentence starts.
*/
int ds_conllu_read(const char *zPath, ds_conllu_bank **pp, ds_error *e) {
  *pp = NULL;
  ds_conllu_bank *b = ds_malloc(sizeof *b);
  if (!b) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(b, 0, sizeof *b);
  size_t n = 0, capWord = 0, capSent = 0;
  int rc = slurp(zPath, &b->zData, &n, e);
  if (rc) { ds_free(b); return rc; }
  char *z = b->zData, *end = z + n;
  size_t line = 0, sentStart = 0;
  while (z < end || b->nWord > sentStart) {
    char *eol = z < end ? memchr(z, '\n', (size_t)(end - z)) : NULL;
    if (z < end && !eol) eol = end;
    line++;
    int blank = z >= end || eol == z || (eol == z + 1 && z[0] == '\r');
    if (blank) {
      if (b->nWord > sentStart) {
        if (grow((void **)&b->aiSent, &capSent, b->nSent + 1, sizeof(size_t))) goto nomem;
        b->aiSent[b->nSent++] = sentStart;
        sentStart = b->nWord;
      }
    } else if (z[0] != '#') {
      char *col[10];
      int k = 0;
      char *p = z;
      *eol = 0;
      if (eol > z && eol[-1] == '\r') eol[-1] = 0;
      while (k < 10) {
        col[k++] = p;
        char *tab = strchr(p, '\t');
        if (!tab) break;
        *tab = 0;
        p = tab + 1;
      }
      if (k < 10) {
        rc = ds_error_set(e, DS_FORMAT, -1, "%s:%zu: a word line needs 10 columns, has %d",
                          zPath, line, k);
        goto fail;
      }
      /* ranges (1-2) and empty nodes (1.1) are not syntactic words */
      if (!strchr(col[0], '-') && !strchr(col[0], '.')) {
        if (grow((void **)&b->aWord, &capWord, b->nWord, sizeof(ds_conllu_word))) goto nomem;
        ds_conllu_word *w = &b->aWord[b->nWord++];
        w->zForm = col[1];
        w->zLemma = col[2];
        w->zUpos = col[3];
        w->zXpos = col[4];
        w->nForm = (uint32_t)strlen(col[1]);
      }
    }
    if (z >= end) break;
    z = eol + 1;
  }
  if (grow((void **)&b->aiSent, &capSent, b->nSent + 1, sizeof(size_t))) goto nomem;
  b->aiSent[b->nSent] = b->nWord;
  *pp = b;
  return DS_OK;
nomem:
  rc = ds_error_set(e, DS_NOMEM, -1, "out of memory reading %s", zPath);
fail:
  ds_conllu_bank_free(b);
  return rc;
}

/*
** Free a bank and its buffers.
*/
void ds_conllu_bank_free(ds_conllu_bank *b) {
  if (!b) return;
  ds_free(b->zData);
  ds_free(b->aWord);
  ds_free(b->aiSent);
  ds_free(b);
}
