/*
** ds_count.c -- counting for the analysis recipes (ds_count.h), on the store's read
** API only: documents are read a window of token types at a time and each type mapped to
** its attribute's lexicon id, so no count ever touches postings or text. This file: the
** reading every count shares, frequencies and keyness, the lexicon's strings, subcorpora
** by metadata; the others are listed in ds_countInt.h.
*/
#include "ds_countInt.h"
#include "ds_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens asked of the store per window: bounded memory for a document of any size. */
#define CHUNK 65536

/* {====== reading a document's ids ====== */

/* Room for n ids in v: DS_OK or DS_NOMEM. */
int ds_count_idvec_room(idvec *v, size_t n) {
  if (n <= v->nAlloc) return DS_OK;
  size_t m = v->nAlloc ? v->nAlloc : 1024;
  while (m < n) m *= 2;
  uint32_t *a = ds_realloc_n(v->a, m, sizeof *a);
  if (!a) return DS_NOMEM;
  v->a = a;
  v->nAlloc = m;
  return DS_OK;
}

/* The ids of attr of tokens [t0, t1) of document k appended to v. */
int ds_count_doc_ids_add(ds_corpus *c, size_t k, int attr, int64_t t0, int64_t t1, idvec *v, ds_error *e) {
  if (t1 <= t0) return DS_OK;
  if (ds_count_idvec_room(v, v->n + (size_t)(t1 - t0))) return nomem(e);
  for (int64_t t = t0; t < t1;) {
    ds_window w;
    int64_t want = t1 - t < CHUNK ? t1 : t + CHUNK;
    if (t > t0 && ds_interrupted()) return ds_interrupt_error(e);   /* a long document */
    int rc = ds_corpus_window(c, k, t, want, 0, &w, e);
    if (rc) return rc;
    int64_t end = w.first + (int64_t)w.n;
    if (w.first > t || end <= t) return ds_error_set(e, DS_CORRUPT, -1, "a window misses token %lld", (long long)t);
    if (end > t1) end = t1;
    ds_corpus_type_ids(c, w.aType + (t - w.first), (size_t)(end - t), attr, v->a + v->n);
    v->n += (size_t)(end - t);
    t = end;
  }
  return DS_OK;
}

/* The ids of attr of tokens [t0, t1) of document k into v (replacing what it held). */
int ds_count_doc_ids(ds_corpus *c, size_t k, int attr, int64_t t0, int64_t t1, idvec *v, ds_error *e) {
  v->n = 0;
  return ds_count_doc_ids_add(c, k, attr, t0, t1, v, e);
}

/*
** The sentences of document k as half-open token ranges relative to its start, every
** token in exactly one: `s` spans, and each run of tokens outside them as one more.
** Into *pa (growable, *pAlloc) and *pn.
*/
int ds_count_doc_segments(ds_corpus *c, size_t k, const char *zKind, seg **pa, size_t *pAlloc, size_t *pn,
                          ds_error *e) {
  const ds_docinfo *d = ds_corpus_doc(c, k);
  int64_t base = d->cpos, nTok = d->nTok;
  const ds_span *as;
  size_t ns;
  int rc = ds_corpus_spans(c, k, zKind, &as, &ns, e);
  if (rc) return rc;
  size_t need = 2 * ns + 1;
  if (need > *pAlloc) {
    seg *a = ds_realloc_n(*pa, need, sizeof *a);
    if (!a) return nomem(e);
    *pa = a;
    *pAlloc = need;
  }
  size_t n = 0;
  int64_t at = 0;
  for (size_t i = 0; i < ns; i++) {
    int64_t from = as[i].first - base, to = as[i].last - base + 1;
    if (from < at) from = at;             /* overlapping spans: never count a token twice */
    if (to > nTok) to = nTok;
    if (to <= from) continue;
    if (from > at) (*pa)[n++] = (seg){at, from};
    (*pa)[n++] = (seg){from, to};
    at = to;
  }
  if (at < nTok) (*pa)[n++] = (seg){at, nTok};
  *pn = n;
  return DS_OK;
}

/* }====== */

/* {====== frequencies ====== */

int ds_count_freq_room(ds_freq *f, size_t nId) {
  if (nId <= f->nId) return DS_OK;
  size_t m = f->nId ? f->nId : 4096;
  while (m < nId) m *= 2;
  int64_t *a = ds_realloc_n(f->aFreq, m, sizeof *a);
  if (!a) return DS_NOMEM;
  f->aFreq = a;
  a = ds_realloc_n(f->aRange, m, sizeof *a);
  if (!a) return DS_NOMEM;
  f->aRange = a;
  a = ds_realloc_n(f->aLast, m, sizeof *a);
  if (!a) return DS_NOMEM;
  f->aLast = a;
  memset(f->aFreq + f->nId, 0, (m - f->nId) * sizeof *a);
  memset(f->aRange + f->nId, 0, (m - f->nId) * sizeof *a);
  memset(f->aLast + f->nId, 0, (m - f->nId) * sizeof *a);
  f->nId = m;
  return DS_OK;
}


int ds_count_freq(ds_corpus *c, int attr, const unsigned char *abDoc, ds_freq *f, ds_error *e) {
  if (check_attr(attr, e)) return DS_MISUSE;
  size_t nDoc = ds_corpus_ndocs(c);
  for (size_t k = 0; k < nDoc; k++) {
    if (!in_set(abDoc, k)) continue;
    const ds_docinfo *d = ds_corpus_doc(c, k);
    for (int64_t t = 0; t < d->nTok;) {
      ds_window w;
      if (ds_interrupted()) return ds_interrupt_error(e);   /* Ctrl-C: a look per window */
      int rc = ds_corpus_window(c, k, t, t + CHUNK, 0, &w, e);
      if (rc) return rc;
      int64_t end = w.first + (int64_t)w.n;
      if (w.first > t || end <= t) return ds_error_set(e, DS_CORRUPT, -1, "a window misses token %lld", (long long)t);
      for (int64_t i = t; i < end; i++) {
        if (freq_add(f, ds_corpus_type_id(c, w.aType[i - w.first], attr), (int64_t)k)) return nomem(e);
      }
      t = end;
    }
    f->nTok += d->nTok;
    f->nDoc++;
  }
  return DS_OK;
}

/* Counts by token type, grown as types appear. */
typedef struct typecount {
  int64_t *a;
  size_t n;
} typecount;

static int typecount_room(typecount *tc, size_t n) {
  size_t m = tc->n ? tc->n : 65536;
  while (m < n) m *= 2;
  int64_t *a = ds_realloc_n(tc->a, m, sizeof *a);
  if (!a) return DS_NOMEM;
  memset(a + tc->n, 0, (m - tc->n) * sizeof *a);
  tc->a = a;
  tc->n = m;
  return DS_OK;
}

/* Add the counts of tc by type into f by the types' ids of attr. */
static int typecount_to_freq(ds_corpus *c, const typecount *tc, int attr, ds_freq *f) {
  for (size_t ty = 0; ty < tc->n; ty++) {
    if (!tc->a[ty]) continue;
    uint32_t id = ds_corpus_type_id(c, (uint32_t)ty, attr);
    if (id >= f->nId && ds_count_freq_room(f, (size_t)id + 1)) return DS_NOMEM;
    f->aFreq[id] += tc->a[ty];
  }
  return DS_OK;
}

int ds_count_keyness(ds_corpus *c, int attr, const unsigned char *abT, const unsigned char *abR, ds_freq *ft,
                     ds_freq *fr, ds_error *e) {
  if (check_attr(attr, e)) return DS_MISUSE;
  typecount tc[2] = {{NULL, 0}, {NULL, 0}};
  int rc = DS_OK;
  size_t nDoc = ds_corpus_ndocs(c);
  for (size_t k = 0; rc == DS_OK && k < nDoc; k++) {
    int bT = in_set(abT, k), bR = in_set(abR, k);
    if (!bT && !bR) continue;
    const ds_docinfo *d = ds_corpus_doc(c, k);
    for (int64_t t = 0; rc == DS_OK && t < d->nTok;) {
      ds_window w;
      if (ds_interrupted()) {
        rc = ds_interrupt_error(e);   /* Ctrl-C: a look per window */
        break;
      }
      rc = ds_corpus_window(c, k, t, t + CHUNK, 0, &w, e);
      if (rc) break;
      int64_t end = w.first + (int64_t)w.n;
      if (w.first > t || end <= t) {
        rc = ds_error_set(e, DS_CORRUPT, -1, "a window misses token %lld", (long long)t);
        break;
      }
      for (int side = 0; rc == DS_OK && side < 2; side++) {
        if (!(side ? bR : bT)) continue;
        typecount *x = &tc[side];
        for (int64_t i = t; i < end; i++) {
          uint32_t ty = w.aType[i - w.first];
          if (ty >= x->n && typecount_room(x, (size_t)ty + 1)) {
            rc = nomem(e);
            break;
          }
          x->a[ty]++;
        }
      }
      t = end;
    }
    if (bT) ft->nTok += d->nTok, ft->nDoc++;
    if (bR) fr->nTok += d->nTok, fr->nDoc++;
  }
  if (rc == DS_OK && (typecount_to_freq(c, &tc[0], attr, ft) || typecount_to_freq(c, &tc[1], attr, fr)))
    rc = nomem(e);
  ds_free(tc[0].a);
  ds_free(tc[1].a);
  return rc;
}

void ds_freq_free(ds_freq *f) {
  ds_free(f->aFreq);
  ds_free(f->aRange);
  ds_free(f->aLast);
  memset(f, 0, sizeof *f);
}

/* }====== */
/* {====== lexicon strings ====== */

typedef struct lexctx {
  ds_lexstrs *l;
  size_t nAlloc;
  int rc;
} lexctx;

static int lex_each(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq) {
  lexctx *x = ctx;
  ds_lexstrs *l = x->l;
  if (id < l->nId) {                /* ids come in ascending order */
    x->rc = DS_CORRUPT;
    return 1;
  }
  if ((size_t)id + 2 > x->nAlloc) {
    size_t m = x->nAlloc ? 2 * x->nAlloc : 4096;
    while (m < (size_t)id + 2) m *= 2;
    size_t *a = ds_realloc_n(l->aOff, m, sizeof *a);
    int64_t *f = a ? ds_realloc_n(l->aFreq, m, sizeof *f) : NULL;
    if (a) l->aOff = a;
    if (!f) {
      x->rc = DS_NOMEM;
      return 1;
    }
    l->aFreq = f;
    x->nAlloc = m;
  }
  while (l->nId < id) {             /* an id never handed out: an empty string */
    l->aFreq[l->nId++] = 0;
    l->aOff[l->nId] = l->text.n;
  }
  l->aOff[l->nId] = l->text.n;
  ds_buf_append(&l->text, z, n);
  l->aFreq[l->nId] = freq;
  l->nId++;
  l->aOff[l->nId] = l->text.n;
  return 0;
}

int ds_count_lexicon(ds_corpus *c, int attr, ds_lexstrs *out, ds_error *e) {
  if (check_attr(attr, e)) return DS_MISUSE;
  lexctx x = {out, 0, DS_OK};
  out->aOff = ds_malloc(sizeof *out->aOff);
  if (!out->aOff) return nomem(e);
  out->aOff[0] = 0;
  x.nAlloc = 1;
  int rc = ds_corpus_lexicon_scan(c, attr, lex_each, &x, e);
  if (x.rc == DS_CORRUPT) return ds_error_set(e, DS_CORRUPT, -1, "the lexicon's ids are out of order");
  if (x.rc || out->text.rc) return nomem(e);
  return rc == DS_DONE ? DS_OK : rc;
}

void ds_lexstrs_free(ds_lexstrs *l) {
  ds_free(l->aOff);
  ds_free(l->aFreq);
  ds_buf_free(&l->text);
  memset(l, 0, sizeof *l);
}

/* }====== */

/* {====== subcorpora by metadata ====== */

#define WHERE_PREFIX "[] :: "

/* Make error e's position count in the constraint rather than the query it was put in. */
static int where_error(ds_error *e, int rc) {
  const size_t nPre = sizeof WHERE_PREFIX - 1;
  char *z = strstr(e->msg, " at position ");
  if (z) {
    long pos = strtol(z + 13, NULL, 10);
    if (pos > (long)nPre) snprintf(z, sizeof e->msg - (size_t)(z - e->msg), " at position %ld", pos - (long)nPre);
  }
  if (e->offset >= (int64_t)nPre) e->offset -= (int64_t)nPre;
  return rc;
}

int ds_count_where(ds_corpus *c, const char *zWhere, unsigned char **paDoc, size_t *pnIn, ds_error *e) {
  *paDoc = NULL;
  *pnIn = 0;
  size_t n = strlen(zWhere);
  char *zQuery = ds_malloc(sizeof WHERE_PREFIX + n);
  if (!zQuery) return nomem(e);
  memcpy(zQuery, WHERE_PREFIX, sizeof WHERE_PREFIX - 1);
  memcpy(zQuery + sizeof WHERE_PREFIX - 1, zWhere, n + 1);
  ds_cql *t = NULL;
  ds_eval *p = NULL;
  int rc = ds_cql_parse(zQuery, &t, e);
  if (rc == DS_OK && (t->nWithin || t->nWithinTokens || t->iContaining >= 0 || t->nExpand || t->nExpandTokens))
    rc = ds_error_set(e, DS_QUERY, -1, "a metadata constraint only (doc.KEY = \"VALUE\" ...), not within, "
                      "containing or expand at position %zu", ds_cql_char_pos(zQuery, n + sizeof WHERE_PREFIX - 1));
  if (rc == DS_OK) rc = ds_eval_bind(c, t, &p, e);
  const unsigned char *abOk = NULL;
  if (rc == DS_OK) rc = ds_eval_docset(c, p, &abOk, e);
  if (rc == DS_OK && !abOk)
    rc = ds_error_set(e, DS_QUERY, 6, "a metadata constraint only (doc.KEY = \"VALUE\" ...), not labels, "
                      "at position %zu", sizeof WHERE_PREFIX);
  size_t nDoc = ds_corpus_ndocs(c);
  unsigned char *a = rc == DS_OK ? ds_malloc(nDoc + 1) : NULL;
  if (rc == DS_OK && !a) rc = nomem(e);
  if (rc == DS_OK) {
    for (size_t k = 0; k < nDoc; k++) {
      a[k] = abOk[k] ? 1 : 0;
      *pnIn += a[k];
    }
    *paDoc = a;
  }
  ds_eval_free(p);
  ds_cql_free(t);
  ds_free(zQuery);
  return rc == DS_OK || rc == DS_NOMEM ? rc : where_error(e, rc);
}

/* }====== */
