/*
** ds_store_write.c -- writing a segment: documents and their parts, token types, gaps,
** spans and the segment's in-memory postings, then the flush and commit (ds_store.h).
*/
#include "ds_storeInt.h"
#include "ds_date.h"
#include "ds_annotate.h"
#include "ds_doc.h"
#include "ds_intern.h"
#include "ds_postings.h"
#include "ds_strmap.h"
#include "ds_utf8.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* Structure kinds: `s`, then the paragraph kinds (DS_PARA_* or -1 for every paragraph). */
static const struct { int kind; const char *zKind; } aSpanKind[NSTRUCTKIND] = {
  {-2, "s"}, {-1, "p"}, {DS_PARA_HEADING, "head"}, {DS_PARA_FOOTNOTE, "note"},
};

/* The name a span kind is stored under (k < NSPANKIND). */
static const char *span_kind_name(int k) {
  return k < NSTRUCTKIND ? aSpanKind[k].zKind : ds_spankind_get(k - NSTRUCTKIND)->zName;
}

/* ====================== writing ====================== */

void ds_corpus_set_read(ds_corpus *c, const ds_read_opts *o) {
  c->read = *o;
  c->read.zName = NULL;
}

const ds_read_opts *ds_corpus_read_opts(const ds_corpus *c) { return &c->read; }

void ds_corpus_set_budget(ds_corpus *c, size_t nBytes) {
  c->nBudget = nBytes;
  /* an add writes its pages in one transaction: with SQLite's default cache of 2 MB
     they spill to the WAL and are written there again as the tables grow; a cache of an
     eighth of the budget (2 to 64 MB) holds them */
  size_t nKib = nBytes / 8 / 1024;
  if (nKib < 2048) nKib = 2048;
  if (!nBytes || nKib > 65536) nKib = 65536;
  char zSql[64];
  snprintf(zSql, sizeof zSql, "PRAGMA cache_size=-%zu", nKib);
  if (c->db && !c->bReadonly && nKib != c->nCacheKib &&     /* (each add_text sets it) */
      sqlite3_exec(c->db, zSql, NULL, NULL, NULL) == SQLITE_OK)
    c->nCacheKib = nKib;
}

size_t ds_corpus_budget(const ds_corpus *c) { return c->nBudget; }

void ds_corpus_set_doc_savepoints(ds_corpus *c, int bOn) { c->bNoDocSavepoint = !bOn; }

static int new_segment(ds_corpus *c, ds_error *e) {
  char zNow[32];
  sqlite3_stmt *st = ds_store_prep(c, "INSERT INTO segments(created, cpos_start) VALUES(?1, ?2)", e);
  if (!st) return DS_SQL;
  ds_store_now_iso(zNow, sizeof zNow);
  sqlite3_bind_text(st, 1, zNow, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, c->nextCpos);
  int rc = ds_store_step_done(c, st, e, "new segment");
  c->iSeg = sqlite3_last_insert_rowid(c->db);
  c->segDocs = 0;
  c->segTokens = 0;
  c->nTypesSeg = c->tt.n;
  return rc;
}

int ds_corpus_begin(ds_corpus *c, ds_error *e) {
  if (c->bReadonly) return ds_error_set(e, DS_MISUSE, -1, "%s: opened read-only", c->zPath);
  if (c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "a segment is already open");
  c->bFirstAdd = ds_store_first_add_journal(c);
  int rc = ds_store_exec(c, "BEGIN IMMEDIATE", e);
  if (rc) {
    if (c->bFirstAdd) ds_store_wal_again(c, NULL);
    c->bFirstAdd = 0;
    return rc;
  }
  c->bInTxn = 1;
  rc = ds_store_load_docs(c, e);     /* another writer may have added documents */
  /* if another connection has committed since, it may have added types and strings:
     then the maps start afresh; else what this writer learnt still holds */
  int64_t dv = rc ? -1 : ds_store_count(c, "PRAGMA data_version", -1);
  if (rc == DS_OK && (dv < 0 || dv != c->dataVersion || !c->bTypesLoaded || c->bMapsStale)) {
    c->bMapsStale = 0;
    for (int a = 0; a < DS_NATTR; a++) ds_lexmap_clear(&c->aLex[a]);
    ds_lexmap_clear(&c->types);
    c->typesGen++;
    ds_store_drop_typeview(c);
    ds_lexmap_clear(&c->gapmap);
    c->bTypesLoaded = 0;
    rc = ds_store_load_types(c, e);
  }
  c->dataVersion = dv;
  c->nTypesBegin = c->tt.n;
  if (rc == DS_OK) rc = new_segment(c, e);
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) {
    sqlite3_stmt *st = ds_store_prep(c, "SELECT COALESCE(MAX(id) + 1, 0) FROM lexicon WHERE attr=?1", e);
    if (!st) { rc = DS_SQL; break; }
    sqlite3_bind_int(st, 1, a);
    if (sqlite3_step(st) == SQLITE_ROW) c->aNextId[a] = (uint32_t)sqlite3_column_int64(st, 0);
    else rc = ds_store_sql_error(c, e, "read lexicon");
    c->abLexEmpty[a] = c->aNextId[a] == 0;     /* nothing to look up in the file */
    sqlite3_finalize(st);
  }
  if (rc == DS_OK) {
    sqlite3_stmt *st = ds_store_prep(c, "SELECT COALESCE(MAX(id) + 1, 0) FROM gaps", e);
    if (!st) rc = DS_SQL;
    else {
      int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
      sqlite3_finalize(st);
      if (n < GAP_FIXED || n >= UINT32_MAX)
        rc = ds_error_set(e, DS_CORRUPT, -1, "%s: the gaps table is damaged", c->zPath);
      else c->nextGap = (uint32_t)n;
    }
  }
  if (rc) ds_corpus_rollback(c);
  return rc;
}

/* The lexicon entry for z[0..n) in attr, from the map, the stored lexicon, or new. */
static ds_lexent *intern(ds_corpus *c, sqlite3_stmt *pFind, int attr, const char *z, size_t n,
                         int *pRc, ds_error *e) {
  ds_lexmap *m = &c->aLex[attr];
  ds_lexent *ent = ds_lexmap_find(m, z, n);
  if (ent) return ent;
  int src = SQLITE_DONE;
  if (!c->abLexEmpty[attr]) {
    sqlite3_bind_int(pFind, 1, attr);
    sqlite3_bind_text(pFind, 2, z, (int)n, SQLITE_STATIC);
    src = sqlite3_step(pFind);
  }
  if (src == SQLITE_ROW) {
    ent = ds_lexmap_add(m, z, n, (uint32_t)sqlite3_column_int64(pFind, 0), 0);
    sqlite3_reset(pFind);
  } else if (src == SQLITE_DONE) {
    sqlite3_reset(pFind);
    if (c->aNextId[attr] == UINT32_MAX - 1) { *pRc = DS_LIMIT; return NULL; }
    ent = ds_lexmap_add(m, z, n, c->aNextId[attr]++, 1);
  } else {
    *pRc = ds_store_sql_error(c, e, "read lexicon");
    sqlite3_reset(pFind);
    return NULL;
  }
  if (!ent) *pRc = DS_NOMEM;
  return ent;
}

/*
** The entry of `types` for a token: word z[0..n) with the given tags and lemma (the key
** is in c->key). New to this writer: its attribute values are interned and the type is
** found among the stored ones, or made.
*/
static ds_lexent *type_of(ds_corpus *c, sqlite3_stmt *pFind, const char *z, size_t n,
                          const char *const az[DS_NATTR], const size_t an[DS_NATTR], int *pRc,
                          ds_error *e) {
  ds_lexent *ent = ds_lexmap_find(&c->types, (const char *)c->key.p, c->key.n);
  if (ent) return ent;
  uint32_t aIdx[DS_NATTR], aId[DS_NATTR];
  ds_buf *fold = &c->scratch;
  ds_buf_reset(fold);
  if (ds_utf8_fold(z, n, fold)) { *pRc = DS_NOMEM; return NULL; }
  for (int a = 0; a < DS_NATTR; a++) {
    const char *zv = a == DS_ATTR_NORM ? (const char *)fold->p : az[a];
    size_t nv = a == DS_ATTR_NORM ? fold->n : an[a];
    ds_lexent *v = intern(c, pFind, a, zv ? zv : "", nv, pRc, e);
    if (!v) return NULL;
    aId[a] = v->id;
    aIdx[a] = (uint32_t)(v - c->aLex[a].aEnt);
    if (a >= DS_ATTR_LEMMA && nv == 1 && zv[0] == '_') aIdx[a] |= NOPOST;
  }
  int64_t found = ds_ttypes_find(&c->tt, aId);
  uint32_t type;
  if (found >= 0) type = (uint32_t)found;
  else if ((*pRc = ds_ttypes_add(&c->tt, aId, &type)) != DS_OK) return NULL;
  size_t k = c->types.nEnt;
  if ((k + 1) * DS_NATTR > c->nTypeEntAlloc) {
    size_t nNew = c->nTypeEntAlloc ? c->nTypeEntAlloc * 2 : 1024 * DS_NATTR;
    uint32_t *a = ds_realloc_n(c->aTypeEnt, nNew, sizeof *a);
    if (!a) { *pRc = DS_NOMEM; return NULL; }
    c->aTypeEnt = a;
    c->nTypeEntAlloc = nNew;
  }
  ent = ds_lexmap_add(&c->types, (const char *)c->key.p, c->key.n, type, 0);
  if (!ent) { *pRc = DS_NOMEM; return NULL; }
  memcpy(c->aTypeEnt + k * DS_NATTR, aIdx, sizeof aIdx);
  return ent;
}

/* The id of the gap z[0..n) between two tokens. */
static int gap_id(ds_corpus *c, sqlite3_stmt *pFind, const char *z, size_t n, uint32_t *pId,
                  ds_error *e) {
  if (n == 0) { *pId = GAP_NONE; return DS_OK; }
  if (n == 1 && z[0] == ' ') { *pId = GAP_SPACE; return DS_OK; }
  if (n == 1 && z[0] == '\n') { *pId = GAP_LF; return DS_OK; }
  if (n == 2 && z[0] == '\n' && z[1] == '\n') { *pId = GAP_PARA; return DS_OK; }
  ds_lexent *ent = ds_lexmap_find(&c->gapmap, z, n);
  if (!ent) {
    sqlite3_bind_blob(pFind, 1, z, (int)n, SQLITE_STATIC);
    int src = sqlite3_step(pFind);
    if (src == SQLITE_ROW) ent = ds_lexmap_add(&c->gapmap, z, n, (uint32_t)sqlite3_column_int64(pFind, 0), 0);
    sqlite3_reset(pFind);
    if (src != SQLITE_ROW && src != SQLITE_DONE) return ds_store_sql_error(c, e, "read gaps");
    if (src == SQLITE_DONE) {
      if (c->nextGap == UINT32_MAX - 1)
        return ds_error_set(e, DS_LIMIT, -1, "%s: too many kinds of white space", c->zPath);
      ent = ds_lexmap_add(&c->gapmap, z, n, c->nextGap++, 1);
    }
    if (!ent) return ds_store_nomem(e);
  }
  *pId = ent->id;
  return DS_OK;
}

/* Store metadata key = value for document docId; dates become ISO 8601 when they can. */
static int put_meta_row(ds_corpus *c, sqlite3_stmt *st, int64_t docId, const char *zKey,
                        const char *zVal, ds_error *e) {
  char zIso[32];
  if (strcmp(zKey, "date") == 0 && ds_date_iso(zVal, strlen(zVal), zIso)) zVal = zIso;
  sqlite3_bind_int64(st, 1, docId);
  sqlite3_bind_text(st, 2, zKey, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, zVal, -1, SQLITE_TRANSIENT);
  return ds_store_step_reset(c, st, e, "write metadata");
}

static int insert_spans(ds_corpus *c, const char *zKind, int64_t docId, int64_t n, const ds_buf *b,
                        const ds_buf *pVals, ds_error *e) {
  sqlite3_stmt *st = ds_store_cached(c, ST_SPANS, e);
  if (!st) return DS_SQL;
  sqlite3_bind_text(st, 1, zKind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, docId);
  sqlite3_bind_int64(st, 3, n);
  sqlite3_bind_blob(st, 4, b->p ? (const void *)b->p : "", (int)b->n, SQLITE_STATIC);
  if (pVals) sqlite3_bind_blob(st, 5, pVals->p ? (const void *)pVals->p : "", (int)pVals->n, SQLITE_STATIC);
  else sqlite3_bind_null(st, 5);
  return ds_store_step_reset(c, st, e, "write spans");
}

/* Put span [first, last) of one kind; bJoin: it continues the held-back one, if adjacent. */
static void span_put(spanacc *a, uint64_t first, uint64_t last, int bJoin) {
  if (a->bPending && bJoin && a->last == first) {
    a->last = last;
    return;
  }
  if (a->bPending) {
    ds_buf_put_varint(&a->b, a->first - a->prevEnd);
    ds_buf_put_varint(&a->b, a->last - a->first);
    a->prevEnd = a->last;
    a->n++;
  }
  a->first = first;
  a->last = last;
  a->bPending = 1;
}

static void spans_reset(ds_corpus *c) {
  for (int k = 0; k < NSPANKIND; k++) {
    ds_buf_reset(&c->aSpan[k].b);
    ds_buf_reset(&c->aSpan[k].vals);
    c->aSpan[k].n = 0;
    c->aSpan[k].prevEnd = c->aSpan[k].first = c->aSpan[k].last = 0;
    c->aSpan[k].bPending = 0;
  }
}

/*
** The sentences and paragraphs of part d, whose first token is token `base` of its
** document. The first sentence (paragraph) continues the last one of the part before when
** DS_PART_JOIN_SENT (DS_PART_JOIN_PARA) is set: the part was cut inside it.
*/
static int spans_add(ds_corpus *c, const ds_doc *d, uint64_t base, int flags, ds_error *e) {
  int rc = DS_OK;
  for (size_t i = 0; i < d->nSent; i++)
    span_put(&c->aSpan[0], base + d->aSent[i].first, base + d->aSent[i].last,
             i == 0 && (flags & DS_PART_JOIN_SENT));
  for (int k = 1; k < NSTRUCTKIND; k++) {
    int bFirst = 1;
    for (size_t p = 0; p < d->nPara; p++) {
      const ds_range *r = &d->aPara[p].tok;
      if ((aSpanKind[k].kind >= 0 && d->aPara[p].kind != aSpanKind[k].kind) || r->first == r->last) continue;
      span_put(&c->aSpan[k], base + r->first, base + r->last, bFirst && p == 0 && (flags & DS_PART_JOIN_PARA));
      bFirst = 0;
    }
  }
  /* the recognizers' spans (sorted: longest first), one of a kind at a time: a span inside
  ** or across the last one kept is dropped, as CQP keeps a structure unnested */
  uint64_t aEnd[DS_NSPANKIND] = {0};
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *s = &d->aSpan[i];
    if (s->kind >= DS_NSPANKIND || s->first >= s->last || s->last > d->nTok ||
        (i > 0 && s->first < d->aSpan[i - 1].first))
      return ds_error_set(e, DS_MISUSE, -1, "%s: the recognizers' spans are not sorted and valid (ds_doc_sort_spans)",
                          c->zDocWhere ? c->zDocWhere : "document");
    spanacc *a = &c->aSpan[NSTRUCTKIND + s->kind];
    if (base + s->first < aEnd[s->kind]) continue;
    aEnd[s->kind] = base + s->last;
    span_put(a, base + s->first, base + s->last, 0);
    const char *z = (const char *)d->spanVals.p + s->vals;
    for (int v = ds_spankind_get((int)s->kind)->nAttr; v > 0; v--) {
      size_t n = strlen(z) + 1;
      ds_buf_append(&a->vals, z, n);
      z += n;
    }
  }
  for (int k = 0; k < NSPANKIND; k++)
    if (c->aSpan[k].b.rc || c->aSpan[k].vals.rc) rc = ds_store_nomem(e);
  return rc;
}

/* Write the document's spans rows (a `p` row even without paragraphs). */
static int spans_store(ds_corpus *c, int64_t docId, ds_error *e) {
  int rc = DS_OK;
  for (int k = 0; k < NSPANKIND && rc == DS_OK; k++) {
    spanacc *a = &c->aSpan[k];
    span_put(a, 0, 0, 0);          /* out goes the held-back span */
    a->bPending = 0;
    if (a->b.rc) rc = ds_store_nomem(e);
    else if (a->n || k < 2)
      rc = insert_spans(c, span_kind_name(k), docId, a->n, &a->b, k < NSTRUCTKIND ? NULL : &a->vals, e);
  }
  return rc;
}

/* Bits needed for v (at least 1). */
static int bit_width(uint32_t v) {
  int w = 1;
  while (w < 32 && (v >> w)) w++;
  return w;
}

/* Append n ids of `width` bits, packed little-endian, to b. */
static void pack_bits(ds_buf *b, const uint32_t *a, size_t n, int width) {
  uint64_t acc = 0;
  int nAcc = 0;
  if (ds_buf_reserve(b, (n * (size_t)width + 7) / 8)) return;
  for (size_t i = 0; i < n; i++) {
    acc |= (uint64_t)a[i] << nAcc;
    nAcc += width;
    while (nAcc >= 8) {
      b->p[b->n++] = (unsigned char)acc;
      acc >>= 8;
      nAcc -= 8;
    }
  }
  if (nAcc > 0) b->p[b->n++] = (unsigned char)acc;
}

/* ====================== the workers' view of the token types ====================== */

struct ds_typeview {
  atomic_int nRef;
  uint64_t gen;               /* c->typesGen when it was made */
  size_t nEnt;                /* entries of `types` it holds (0 .. nEnt-1) */
  ds_strmap map;              /* type key -> entry of `types` */
};

void ds_typeview_retain(ds_typeview *v) { atomic_fetch_add(&v->nRef, 1); }

void ds_typeview_release(ds_typeview *v) {
  if (v && atomic_fetch_sub(&v->nRef, 1) == 1) {
    ds_strmap_free(&v->map);
    ds_free(v);
  }
}

void ds_store_drop_typeview(ds_corpus *c) {
  ds_typeview_release(c->pView);
  c->pView = NULL;
}

ds_typeview *ds_corpus_typeview(ds_corpus *c) {
  if (!c->bInTxn) return NULL;
  ds_typeview *v = c->pView;
  size_t n = c->types.nEnt;
  /* a new copy costs a pass over every type: made as the map grows by a quarter, the
     copies cost a few passes in all */
  if (!v || v->gen != c->typesGen || n >= v->nEnt + v->nEnt / 4 + 256) {
    ds_typeview *w = ds_malloc(sizeof *w);
    int rc = w ? DS_OK : DS_NOMEM;
    if (w) {
      atomic_init(&w->nRef, 1);
      w->gen = c->typesGen;
      w->nEnt = n;
      ds_strmap_init(&w->map);
    }
    for (size_t i = 0; i < n && rc == DS_OK; i++) {
      const ds_lexent *ent = &c->types.aEnt[i];
      rc = ds_strmap_put(&w->map, ds_lexent_str(&c->types, ent), ent->len, (uint32_t)i);
    }
    if (rc) {
      ds_typeview_release(w);           /* no memory: the old view (if any) still serves */
      if (v && v->gen != c->typesGen) ds_store_drop_typeview(c);
    } else {
      ds_store_drop_typeview(c);
      c->pView = v = w;
    }
  }
  if (c->pView) ds_typeview_retain(c->pView);
  return c->pView;
}

int ds_typeview_resolve(const ds_typeview *v, ds_doc *d) {
  if (!d->aTypeOf || d->aTypeRef) return DS_OK;
  uint32_t *aRef = ds_malloc_n(d->nType + 1, sizeof *aRef);
  const char **azKey = ds_malloc_n(d->nType + 1, sizeof *azKey);
  size_t *anKey = ds_malloc_n(d->nType + 1, sizeof *anKey);
  ds_buf keys = DS_BUF_INIT;
  int rc = aRef && azKey && anKey ? DS_OK : DS_NOMEM;
  /* every key first, end to end, then one lookup of them all (their misses overlap);
     room for them all at once, as a guess: the words' bytes and a few of tags each */
  if (rc == DS_OK) ds_buf_reserve(&keys, d->nText + 16 * d->nType + 64);
  for (size_t u = 0; u < d->nType && rc == DS_OK; u++) {
    size_t off = keys.n;
    ds_doc_type_key_append(d, d->aTypeTok[u], &keys);
    anKey[u] = keys.n - off;
    if (keys.rc) rc = DS_NOMEM;
  }
  if (rc == DS_OK) {
    for (size_t u = 0, off = 0; u < d->nType; off += anKey[u++]) azKey[u] = (const char *)keys.p + off;
    ds_strmap_get_many(&v->map, azKey, anKey, d->nType, aRef, DS_TYPEREF_NONE);
  }
  ds_buf_free(&keys);
  ds_free(azKey);
  ds_free(anKey);
  if (rc) {
    ds_free(aRef);
    return rc;
  }
  d->aTypeRef = aRef;
  d->typeGen = v->gen;
  return DS_OK;
}

/*
** The global token type of token t of d, a type new to this document (its key built into
** c->key): interned with its attribute values. *pEnt is its entry in `types`.
*/
static int global_type(ds_corpus *c, sqlite3_stmt *pFind, const ds_doc *d, size_t t,
                       uint32_t *pType, uint32_t *pEnt, ds_error *e) {
  int rc = DS_OK;
  ds_doc_type_key(d, t, &c->key);
  if (c->key.rc) return ds_store_nomem(e);
  const char *z = d->zText + d->aTok[t].start;
  size_t n = d->aTok[t].end - d->aTok[t].start, nLemma;
  const char *zLemma = ds_doc_lemma(d, t, &nLemma);
  const char *zPos = ds_doc_upos(d, t), *zXpos = ds_doc_xpos(d, t);
  const char *az[DS_NATTR] = {z, NULL, zLemma, zPos, zXpos};
  size_t an[DS_NATTR] = {n, 0, nLemma, strlen(zPos), strlen(zXpos)};
  ds_lexent *ent = type_of(c, pFind, z, n, az, an, &rc, e);
  if (!ent) {
    if (rc == DS_NOMEM) return ds_store_nomem(e);
    if (rc == DS_LIMIT) return ds_error_set(e, DS_LIMIT, -1, "%s: lexicon full", c->zPath);
    return rc ? rc : DS_SQL;
  }
  *pType = ent->id;
  *pEnt = (uint32_t)(ent - c->types.aEnt);
  return DS_OK;
}

/* Tokens between the stages of store_part's prefetching (measured: 8 to 16 do as well). */
#define POST_AHEAD 8

/*
** Store part d of the open document (its tokens from token c->docTok on): token types,
** white space, spans; then, once every row is written, its occurrences go into the
** segment's in-memory postings (so a failure leaves them as they were). The document's
** own types (ds_intern.h; found here unless a worker did) are looked up once each.
*/
static int store_part(ds_corpus *c, const ds_doc *d, int flags, ds_error *e) {
  uint32_t *aOwnOf = NULL, *aOwnTok = NULL;
  const uint32_t *aTypeOf = d->aTypeOf, *aTypeTok = d->aTypeTok;
  size_t nType = d->nType;
  int rc = DS_OK;
  if (!aTypeOf) {
    rc = ds_intern_types(d, &aOwnOf, &aOwnTok, &nType) ? ds_store_nomem(e) : DS_OK;
    aTypeOf = aOwnOf;
    aTypeTok = aOwnTok;
  }
  int64_t cpos = c->docCpos + c->docTok;
  size_t nTok = d->nTok;
  uint32_t *aType = ds_malloc_n(nTok + 1, sizeof *aType);
  uint32_t *aTypeG = ds_malloc_n(nType + 1, sizeof *aTypeG);   /* per document type */
  uint32_t *aEntG = ds_malloc_n(nType + 1, sizeof *aEntG);     /* its entry of `types` */
  ds_buf codes = DS_BUF_INIT, extra = DS_BUF_INIT, packed = DS_BUF_INIT;
  sqlite3_stmt *pFind = ds_store_cached(c, ST_FIND, e);
  sqlite3_stmt *pGap = pFind ? ds_store_cached(c, ST_GAP, e) : NULL;
  if (rc == DS_OK && (!pFind || !pGap)) rc = DS_SQL;
  else if (rc == DS_OK && (!aType || !aTypeG || !aEntG || ds_buf_reserve(&codes, nTok / 4 + 1)))
    rc = ds_store_nomem(e);
  uint32_t maxType = 0, prevEnd = 0;
  /* types a worker found in the view (of this very map) need no lookup here */
  const uint32_t *aRef = d->aTypeRef && d->aTypeOf == aTypeOf && d->typeGen == c->typesGen
                         ? d->aTypeRef : NULL;
  for (size_t u = 0; u < nType && rc == DS_OK; u++) {
    if (aRef && u + POST_AHEAD < nType && aRef[u + POST_AHEAD] != DS_TYPEREF_NONE)
      DS_PREFETCH(&c->types.aEnt[aRef[u + POST_AHEAD]].id);
    if (aRef && aRef[u] != DS_TYPEREF_NONE) {
      aEntG[u] = aRef[u];
      aTypeG[u] = c->types.aEnt[aRef[u]].id;
    } else {
      rc = global_type(c, pFind, d, aTypeTok[u], &aTypeG[u], &aEntG[u], e);
    }
    if (rc == DS_OK && aTypeG[u] > maxType) maxType = aTypeG[u];
  }
  unsigned acc = 0;
  for (size_t t = 0; t <= nTok && rc == DS_OK; t++) {
    /* the gap before token t (t == nTok: after the last) */
    uint32_t start = t < nTok ? d->aTok[t].start : (uint32_t)d->nText, gap = 0;
    rc = gap_id(c, pGap, d->zText + prevEnd, start - prevEnd, &gap, e);
    if (rc) break;
    unsigned code = gap < 3 ? gap : 3;
    if (code == 3) ds_buf_put_varint(&extra, gap - 3);
    acc |= code << (2 * (t & 3));
    if ((t & 3) == 3 || t == nTok) {
      codes.p[codes.n++] = (unsigned char)acc;
      acc = 0;
    }
    if (t == nTok) break;
    prevEnd = d->aTok[t].end;
    aType[t] = aTypeG[aTypeOf[t]];
  }
  int width = bit_width(maxType);
  if (rc == DS_OK) {
    pack_bits(&packed, aType, nTok, width);
    ds_buf_append(&codes, extra.p, extra.n);
    if (packed.rc || codes.rc || extra.rc) rc = ds_store_nomem(e);
  }
  if (rc == DS_OK) {
    sqlite3_stmt *st = ds_store_cached(c, ST_TOKENS, e);
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, c->docId);
      sqlite3_bind_int64(st, 2, c->docTok);
      sqlite3_bind_int64(st, 3, (int64_t)nTok);
      sqlite3_bind_int(st, 4, width);
      sqlite3_bind_blob(st, 5, packed.p, (int)packed.n, SQLITE_STATIC);
      sqlite3_bind_blob(st, 6, codes.p, (int)codes.n, SQLITE_STATIC);
      rc = ds_store_step_reset(c, st, e, "write tokens");
    }
  }
  ds_buf_free(&packed);
  ds_buf_free(&codes);
  ds_buf_free(&extra);
  ds_free(aType);
  ds_free(aTypeG);
  if (rc == DS_OK) rc = spans_add(c, d, (uint64_t)c->docTok, flags, e);
  /* each type's values' entries, gathered once per part (the rows are scattered over
     memory): then each token touches only its values' entries and their lists' ends,
     asked for ahead, the entry a stage before its list's end */
  ds_lexent **aEntOf = rc == DS_OK ? ds_malloc_n(nType * DS_NATTR + 1, sizeof *aEntOf) : NULL;
  uint8_t *aNoPost = rc == DS_OK ? ds_malloc(nType + 1) : NULL;   /* bit a: counted, not listed */
  if (rc == DS_OK && (!aEntOf || !aNoPost)) rc = ds_store_nomem(e);
  for (size_t u = 0; u < nType && rc == DS_OK; u++) {
    if (u + POST_AHEAD < nType) DS_PREFETCH(c->aTypeEnt + (size_t)aEntG[u + POST_AHEAD] * DS_NATTR);
    const uint32_t *ai = c->aTypeEnt + (size_t)aEntG[u] * DS_NATTR;
    aNoPost[u] = 0;
    for (int a = 0; a < DS_NATTR; a++) {
      aEntOf[u * DS_NATTR + a] = &c->aLex[a].aEnt[ai[a] & ~NOPOST];
      if (ai[a] & NOPOST) aNoPost[u] |= (uint8_t)(1u << a);
    }
  }
  for (size_t t = 0; t < nTok && rc == DS_OK; t++) {
    if (t + 2 * POST_AHEAD < nTok) {
      size_t u = aTypeOf[t + 2 * POST_AHEAD];
      for (int a = 0; a < DS_NATTR; a++)
        if (!(aNoPost[u] >> a & 1)) {
          const ds_lexent *v = aEntOf[u * DS_NATTR + a];
          DS_PREFETCH(&v->nAdded);
          DS_PREFETCH(&v->post.cap);
        }
    }
    if (t + POST_AHEAD < nTok) {
      size_t u = aTypeOf[t + POST_AHEAD];
      for (int a = 0; a < DS_NATTR; a++)
        if (!(aNoPost[u] >> a & 1)) {
          const ds_lexent *v = aEntOf[u * DS_NATTR + a];
          if (v->post.p) DS_PREFETCH(v->post.p + v->post.n);
        }
    }
    size_t u = aTypeOf[t];
    for (int a = 0; a < DS_NATTR; a++) {
      ds_lexent *v = aEntOf[u * DS_NATTR + a];
      if (aNoPost[u] >> a & 1) ds_lexent_count(v);
      else if (ds_lexent_occur(v, cpos + (int64_t)t)) {
        c->bBroken = 1;    /* postings half-written: the segment cannot be committed */
        rc = ds_store_nomem(e);
        break;
      }
    }
  }
  ds_free(aEntOf);
  ds_free(aNoPost);
  ds_free(aEntG);
  ds_free(aOwnOf);
  ds_free(aOwnTok);
  return rc;
}

int ds_corpus_has_sha(ds_corpus *c, const char *zSha, ds_error *e) {
  sqlite3_stmt *st = ds_store_cached(c, ST_SHA, e);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, zSha, -1, SQLITE_STATIC);
  int src = sqlite3_step(st);
  sqlite3_reset(st);
  if (src == SQLITE_ROW) return 1;
  if (src != SQLITE_DONE) {
    ds_store_sql_error(c, e, "find document");
    return -1;
  }
  return 0;
}

int ds_corpus_shas(ds_corpus *c, ds_buf *out, size_t *pn, ds_error *e) {
  sqlite3_stmt *st = ds_store_prep(c, "SELECT sha256 FROM docs ORDER BY sha256", e);
  int src;
  *pn = 0;
  if (!st) return DS_SQL;
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    if (sqlite3_column_bytes(st, 0) != 64) continue;      /* damaged: cannot match anyway */
    ds_buf_append(out, sqlite3_column_text(st, 0), 64);
    (*pn)++;
  }
  sqlite3_finalize(st);
  if (src != SQLITE_DONE) return ds_store_sql_error(c, e, "read documents");
  return out->rc ? ds_store_nomem(e) : DS_OK;
}

static int flush_segment(ds_corpus *c, ds_error *e);

int ds_corpus_doc_begin(ds_corpus *c, const char *zSha, size_t nBytes, const char *zName,
                        const char *zPath, const ds_meta *pMeta, const ds_doc *pOwn,
                        ds_error *e) {
  int rc;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open (call begin first)");
  if (c->bDocOpen) return ds_error_set(e, DS_MISUSE, -1, "a document is already open");
  if (!zName) zName = zPath ? zPath : "<text>";
  /* everything of this document goes in a savepoint: on error, none of it stays */
  if (!c->bNoDocSavepoint) {
    sqlite3_stmt *pSave = ds_store_cached(c, ST_SAVE, e);
    if (!pSave) return DS_SQL;
    rc = ds_store_step_reset(c, pSave, e, "savepoint");
    if (rc) return rc;
  }
  int64_t docId = 0;
  sqlite3_stmt *st = ds_store_cached(c, ST_DOC, e);
  if (!st) rc = DS_SQL;
  else {
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, c->iSeg);
    sqlite3_bind_text(st, 2, zName, -1, SQLITE_STATIC);
    if (zPath) sqlite3_bind_text(st, 3, zPath, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, zSha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (int64_t)nBytes);
    sqlite3_bind_int64(st, 6, c->nextCpos);
    sqlite3_bind_int64(st, 7, 0);              /* ntok and nsent: set by ds_corpus_doc_end */
    sqlite3_bind_int64(st, 8, 0);
    rc = ds_store_step_reset(c, st, e, "write document");
    docId = sqlite3_last_insert_rowid(c->db);
  }
  /* the document's own metadata first: what the caller gives replaces it */
  st = rc ? NULL : ds_store_cached(c, ST_META, e);
  if (!rc && !st) rc = DS_SQL;
  size_t off = 0;
  const char *zKey, *zVal;
  while (rc == DS_OK && pOwn && ds_meta_next(&pOwn->meta, &off, &zKey, &zVal))
    rc = put_meta_row(c, st, docId, zKey, zVal, e);
  for (size_t i = 0; rc == DS_OK && pMeta && i < pMeta->n; i++)
    rc = put_meta_row(c, st, docId, pMeta->azKey[i], pMeta->azVal[i], e);
  if (rc) {
    if (c->bNoDocSavepoint) c->bBroken = 1;       /* its rows stay: nothing may be committed */
    else sqlite3_exec(c->db, "ROLLBACK TO doc; RELEASE doc", NULL, NULL, NULL);
    return rc;
  }
  c->bDocOpen = 1;
  c->bDocFlushed = 0;
  c->docId = docId;
  c->docCpos = c->nextCpos;
  c->docTok = 0;
  c->zDocWhere = zPath ? zPath : zName;
  spans_reset(c);
  return DS_OK;
}

/* Past the budget (about 12 bytes of postings per token), postings go out as a segment. */
static int check_budget(ds_corpus *c, ds_error *e) {
  if (!c->nBudget || (size_t)c->segTokens * 12 <= c->nBudget) return DS_OK;
  int rc = flush_segment(c, e);
  if (rc == DS_OK) rc = new_segment(c, e);
  if (rc) c->bBroken = 1;
  if (c->bDocOpen) c->bDocFlushed = 1;
  return rc;
}

int ds_corpus_doc_part(ds_corpus *c, const ds_doc *d, int flags, ds_error *e) {
  if (!c->bDocOpen) return ds_error_set(e, DS_MISUSE, -1, "no document open");
  if (d->nTok == 0) return DS_OK;
  if ((uint64_t)c->docTok + d->nTok > UINT32_MAX - 1)
    return ds_error_set(e, DS_LIMIT, -1, "%s: more than 2^32 tokens in one document", c->zDocWhere);
  /* a large document may fill a segment's postings by itself */
  int rc = c->docTok ? check_budget(c, e) : DS_OK;
  if (rc == DS_OK) rc = store_part(c, d, flags, e);
  if (rc) return rc;
  c->docTok += (int64_t)d->nTok;
  c->nextCpos += (int64_t)d->nTok;
  c->segTokens += (int64_t)d->nTok;
  return DS_OK;
}

void ds_corpus_doc_abort(ds_corpus *c) {
  if (!c->bDocOpen) return;
  if (c->bNoDocSavepoint) c->bBroken = 1;         /* its rows stay: nothing may be committed */
  else sqlite3_exec(c->db, "ROLLBACK TO doc; RELEASE doc", NULL, NULL, NULL);
  /* postings of its stored parts are in the segment's memory (or written out in a
     segment of their own) and cannot be taken back: the segment cannot be committed */
  if (c->bDocFlushed || c->docTok > 0) c->bBroken = 1;
  else c->segTokens -= c->docTok;
  c->nextCpos = c->docCpos;
  c->bDocOpen = 0;
}

int ds_corpus_doc_end(ds_corpus *c, int64_t *pDocId, ds_error *e) {
  int rc = DS_OK;
  *pDocId = 0;
  if (!c->bDocOpen) return ds_error_set(e, DS_MISUSE, -1, "no document open");
  if (c->docTok == 0) rc = ds_error_set(e, DS_FORMAT, -1, "%s: no text (empty or blank)", c->zDocWhere);
  if (rc == DS_OK) rc = spans_store(c, c->docId, e);
  sqlite3_stmt *st = rc ? NULL : ds_store_cached(c, ST_DOCEND, e);
  if (rc == DS_OK && !st) rc = DS_SQL;
  if (rc == DS_OK) {
    sqlite3_bind_int64(st, 1, c->docId);
    sqlite3_bind_int64(st, 2, c->docTok);
    sqlite3_bind_int64(st, 3, c->aSpan[0].n);
    rc = ds_store_step_reset(c, st, e, "write document");
  }
  if (rc == DS_OK && !c->bNoDocSavepoint) {
    sqlite3_stmt *pRelease = ds_store_cached(c, ST_RELEASE, e);
    rc = pRelease ? ds_store_step_reset(c, pRelease, e, "release savepoint") : DS_SQL;
  }
  if (rc) {
    ds_corpus_doc_abort(c);
    return rc;
  }
  c->bDocOpen = 0;
  c->segDocs++;
  *pDocId = c->docId;
  return check_budget(c, e);
}

/* ds_corpus_add_parsed once the corpus is known not to hold these bytes: one part. */
static int add_new(ds_corpus *c, const ds_doc *d, const char *zSha, size_t nBytes,
                   const char *zName, const char *zPath, const ds_meta *pMeta,
                   int64_t *pDocId, ds_error *e) {
  const char *zWhere = zPath ? zPath : zName;      /* errors name the file */
  if (d->nTok == 0) return ds_error_set(e, DS_FORMAT, -1, "%s: no text (empty or blank)", zWhere);
  int rc = ds_corpus_doc_begin(c, zSha, nBytes, zName, zPath, pMeta, d, e);
  if (rc) return rc;
  rc = ds_corpus_doc_part(c, d, 0, e);
  if (rc) {
    ds_corpus_doc_abort(c);
    return rc;
  }
  return ds_corpus_doc_end(c, pDocId, e);
}

/* *pbNew: a segment is open and the corpus does not hold these bytes yet. */
static int check_new(ds_corpus *c, const char *zSha, int *pbNew, ds_error *e) {
  *pbNew = 0;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open (call begin first)");
  int has = ds_corpus_has_sha(c, zSha, e);
  if (has < 0) return DS_SQL;
  *pbNew = !has;
  return DS_OK;
}

int ds_corpus_add_parsed(ds_corpus *c, const ds_doc *d, const char *zSha, size_t nBytes,
                         const char *zName, const char *zPath, const ds_meta *pMeta,
                         int64_t *pDocId, ds_error *e) {
  int bNew, rc = check_new(c, zSha, &bNew, e);
  *pDocId = 0;
  if (rc || !bNew) return rc;                 /* an error, or the same bytes are stored */
  return add_new(c, d, zSha, nBytes, zName ? zName : zPath ? zPath : "<text>", zPath, pMeta,
                 pDocId, e);
}

/* Write lexicon frequencies and the segment's postings for one attribute. */
static int flush_attr(ds_corpus *c, int attr, ds_error *e) {
  ds_lexmap *m = &c->aLex[attr];
  int rc = DS_OK;
  ds_buf blob = DS_BUF_INIT;
  sqlite3_stmt *pNew = ds_store_prep(c, "INSERT INTO lexicon(attr, id, str, freq) VALUES(?1, ?2, ?3, ?4)", e);
  sqlite3_stmt *pUpd = ds_store_prep(c, "UPDATE lexicon SET freq = freq + ?3 WHERE attr=?1 AND id=?2", e);
  sqlite3_stmt *pPost = ds_store_prep(c, "INSERT INTO postings(attr, id, seg, n, data) VALUES(?1, ?2, ?3, ?4, ?5)", e);
  if (!pNew || !pUpd || !pPost) rc = DS_SQL;
  unsigned nTick = 0;
  for (size_t i = 0; i < m->nEnt && rc == DS_OK; i++) {
    ds_lexent *ent = &m->aEnt[i];
    /* Ctrl-C: the add is rolled back by its caller (a flush before the commit included) */
    if (ds_interrupt_due(&nTick, 1023)) {
      rc = ds_interrupt_error(e);
      break;
    }
    /* a new string whose document failed still owns its id: store it with frequency 0 */
    if (ent->isNew) {
      sqlite3_bind_int(pNew, 1, attr);
      sqlite3_bind_int64(pNew, 2, ent->id);
      sqlite3_bind_text(pNew, 3, ds_lexent_str(m, ent), (int)ent->len, SQLITE_STATIC);
      sqlite3_bind_int64(pNew, 4, (int64_t)ent->nAdded);
      rc = ds_store_step_reset(c, pNew, e, "write lexicon");
    } else if (ent->nAdded) {
      sqlite3_bind_int(pUpd, 1, attr);
      sqlite3_bind_int64(pUpd, 2, ent->id);
      sqlite3_bind_int64(pUpd, 3, (int64_t)ent->nAdded);
      rc = ds_store_step_reset(c, pUpd, e, "write lexicon");
    }
    if (rc == DS_OK && ent->nPost) {
      ds_buf_reset(&blob);
      /* the skip entries were made as the postings came (ds_lexent_occur) */
      const ds_skipacc *k = ent->pSkip;
      if (ds_postings_join(ent->nPost, k ? k->b.p : NULL, k ? k->b.n : 0, ent->post.p, ent->post.n, &blob))
        rc = ds_store_nomem(e);
      else {
        sqlite3_bind_int(pPost, 1, attr);
        sqlite3_bind_int64(pPost, 2, ent->id);
        sqlite3_bind_int64(pPost, 3, c->iSeg);
        sqlite3_bind_int64(pPost, 4, (int64_t)ent->nPost);
        sqlite3_bind_blob(pPost, 5, blob.p, (int)blob.n, SQLITE_STATIC);
        rc = ds_store_step_reset(c, pPost, e, "write postings");
      }
    }
    if (rc == DS_OK) {
      ent->isNew = 0;
      ent->nAdded = 0;
      ds_lexent_drop_postings(ent);
    }
  }
  sqlite3_finalize(pNew);
  sqlite3_finalize(pUpd);
  sqlite3_finalize(pPost);
  ds_buf_free(&blob);
  return rc;
}

/* Write the open segment: lexicons, postings, its new types and gaps, its row. */
static int flush_segment(ds_corpus *c, ds_error *e) {
  int rc = DS_OK;
  for (int a = 0; a < DS_NATTR && rc == DS_OK; a++) rc = flush_attr(c, a, e);
  if (rc == DS_OK && c->tt.n > c->nTypesSeg) {
    ds_buf b = DS_BUF_INIT;
    for (size_t t = c->nTypesSeg; t < c->tt.n; t++)
      for (int a = 0; a < DS_NATTR; a++) ds_buf_put_varint(&b, ds_ttype_attr(&c->tt, (uint32_t)t, a));
    sqlite3_stmt *st = b.rc ? NULL : ds_store_prep(c, "INSERT INTO types(first, n, seg, data) VALUES(?1, ?2, ?3, ?4)", e);
    if (b.rc) rc = ds_store_nomem(e);
    else if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, (int64_t)c->nTypesSeg);
      sqlite3_bind_int64(st, 2, (int64_t)(c->tt.n - c->nTypesSeg));
      sqlite3_bind_int64(st, 3, c->iSeg);
      sqlite3_bind_blob(st, 4, b.p, (int)b.n, SQLITE_STATIC);
      rc = ds_store_step_done(c, st, e, "write token types");
    }
    ds_buf_free(&b);
    if (rc == DS_OK) c->nTypesSeg = c->tt.n;
  }
  if (rc == DS_OK) {
    sqlite3_stmt *st = ds_store_prep(c, "INSERT INTO gaps(id, str) VALUES(?1, ?2)", e);
    if (!st) rc = DS_SQL;
    for (size_t i = 0; st && i < c->gapmap.nEnt && rc == DS_OK; i++) {
      ds_lexent *g = &c->gapmap.aEnt[i];
      if (!g->isNew) continue;
      sqlite3_bind_int64(st, 1, g->id);
      sqlite3_bind_blob(st, 2, ds_lexent_str(&c->gapmap, g), (int)g->len, SQLITE_STATIC);
      rc = ds_store_step_reset(c, st, e, "write gaps");
      g->isNew = 0;
    }
    sqlite3_finalize(st);
  }
  if (rc == DS_OK) {
    sqlite3_stmt *st = c->segDocs || c->segTokens    /* (a part of a document counts) */
      ? ds_store_prep(c, "UPDATE segments SET cpos_end=?2, ndocs=?3 WHERE id=?1", e)
      : ds_store_prep(c, "DELETE FROM segments WHERE id=?1", e);     /* nothing added: no segment */
    if (!st) rc = DS_SQL;
    else {
      sqlite3_bind_int64(st, 1, c->iSeg);
      if (c->segDocs || c->segTokens) {
        sqlite3_bind_int64(st, 2, c->nextCpos);
        sqlite3_bind_int64(st, 3, c->segDocs);
      }
      rc = ds_store_step_done(c, st, e, "close segment");
    }
  }
  return rc;
}

int ds_corpus_commit(ds_corpus *c, ds_error *e) {
  int rc = DS_OK;
  if (!c->bInTxn) return ds_error_set(e, DS_MISUSE, -1, "no segment open");
  if (c->bDocOpen) {
    ds_corpus_rollback(c);
    return ds_error_set(e, DS_MISUSE, -1, "a document is still open (ds_corpus_doc_end)");
  }
  if (c->bBroken) {
    ds_corpus_rollback(c);
    return ds_error_set(e, DS_NOMEM, -1, "%s: segment abandoned after a failure while writing",
                        c->zPath);
  }
  rc = flush_segment(c, e);
  if (rc == DS_OK) rc = ds_store_exec(c, "COMMIT", e);
  if (rc) {
    ds_corpus_rollback(c);
    return rc;
  }
  c->bInTxn = 0;
  /* the add is stored: should a reader hold the file past the busy timeout, it stays
     out of WAL mode until the next writer opens it (ds_corpus_open sets it) */
  if (c->bFirstAdd) ds_store_wal_again(c, NULL);
  c->bFirstAdd = 0;
  ds_store_checkpoint(c);
  return ds_store_load_docs(c, e);
}

void ds_corpus_rollback(ds_corpus *c) {
  if (!c->bInTxn) return;
  sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  c->bInTxn = 0;
  if (c->bFirstAdd) ds_store_wal_again(c, NULL);
  c->bFirstAdd = 0;
  c->bBroken = 0;
  c->bDocOpen = 0;
  for (int a = 0; a < DS_NATTR; a++) ds_lexmap_clear(&c->aLex[a]);
  ds_lexmap_clear(&c->types);
  c->typesGen++;
  ds_store_drop_typeview(c);
  ds_lexmap_clear(&c->gapmap);
  ds_ttypes_truncate(&c->tt, c->nTypesBegin);
  c->dataVersion = -1;
  ds_store_load_docs(c, NULL);
}
