/*
** ds_matchsort.c -- sorting, grouping and combining match sets (see ds_matchsort.h).
*/
#include "ds_matchsort.h"
#include "ds_utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One attribute's lexicon in the order a key compares: id -> rank, id -> string. */
typedef struct lexorder {
  int attr, flags;
  char **az;            /* strings by id, as compared (folded, reversed) (owned) */
  uint32_t *aRank;      /* rank by id (owned) */
  uint32_t n;
} lexorder;

typedef struct lexload {
  lexorder *o;
  uint32_t nAlloc;
  ds_buf fold;
  int rc;
} lexload;

/* Reverse z's characters (UTF-8 aware) in place. */
static void reverse_utf8(char *z, size_t n) {
  for (size_t i = 0, j; i < n; i = j) {        /* each character's bytes first */
    j = i + 1;
    while (j < n && ((unsigned char)z[j] & 0xC0) == 0x80) j++;
    for (size_t a = i, b = j - 1; a < b; a++, b--) { char t = z[a]; z[a] = z[b]; z[b] = t; }
  }
  for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) { char t = z[a]; z[a] = z[b]; z[b] = t; }
}

static int lex_each(void *ctx, uint32_t id, const char *z, size_t n, int64_t freq) {
  lexload *l = ctx;
  lexorder *o = l->o;
  (void)freq;
  if (id >= l->nAlloc) {
    size_t nNew = ((size_t)id + 1) * 2;     /* ids reach 2^32 - 2: no 32-bit sum */
    char **a = ds_realloc_n(o->az, nNew, sizeof *a);
    if (!a) return l->rc = DS_NOMEM, 1;
    memset(a + l->nAlloc, 0, (nNew - l->nAlloc) * sizeof *a);
    o->az = a;
    l->nAlloc = nNew;
  }
  if (id + 1 > o->n) o->n = id + 1;
  if (o->flags & DS_SORT_FOLD) {
    ds_buf_reset(&l->fold);
    if (ds_utf8_fold(z, n, &l->fold) || l->fold.rc) return l->rc = DS_NOMEM, 1;
    z = l->fold.p ? (const char *)l->fold.p : "";
    n = l->fold.n;
  }
  char *s = ds_malloc(n + 1);
  if (!s) return l->rc = DS_NOMEM, 1;
  memcpy(s, z, n);
  s[n] = 0;
  if (o->flags & DS_SORT_REVERSE) reverse_utf8(s, n);
  ds_free(o->az[id]);
  o->az[id] = s;
  return 0;
}

/* A stable merge sort with a context (qsort has none, and threads share statics). */
typedef int (*cmp_ctx)(const void *a, const void *b, const void *ctx);
static int sort_ctx(void *base, size_t n, size_t sz, cmp_ctx xCmp, const void *ctx) {
  if (n < 2) return DS_OK;
  unsigned char *a = base, *tmp = ds_malloc_n(n, sz);
  if (!tmp) return DS_NOMEM;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (xCmp(a + j * sz, a + i * sz, ctx) < 0) memcpy(tmp + k++ * sz, a + j++ * sz, sz);
        else memcpy(tmp + k++ * sz, a + i++ * sz, sz);
      }
      if (i < mid) memcpy(tmp + k * sz, a + i * sz, (mid - i) * sz), k += mid - i;
      if (j < hi) memcpy(tmp + k * sz, a + j * sz, (hi - j) * sz);
    }
    memcpy(a, tmp, n * sz);
  }
  ds_free(tmp);
  return DS_OK;
}

static int cmp_str_id(const void *a, const void *b, const void *ctx) {
  char *const *az = ctx;
  const char *x = az[*(const uint32_t *)a], *y = az[*(const uint32_t *)b];
  return strcmp(x ? x : "", y ? y : "");
}

static void free_order(lexorder *o) {
  for (uint32_t i = 0; i < o->n; i++) ds_free(o->az[i]);
  ds_free(o->az);
  ds_free(o->aRank);
  memset(o, 0, sizeof *o);
}

static int load_order(ds_corpus *c, int attr, int flags, lexorder *o, ds_error *e) {
  memset(o, 0, sizeof *o);
  o->attr = attr;
  o->flags = flags;
  lexload l = {o, 0, DS_BUF_INIT, DS_OK};
  int rc = ds_corpus_lexicon_scan(c, attr, lex_each, &l, e);
  ds_buf_free(&l.fold);
  if (rc == DS_DONE) rc = l.rc;
  uint32_t *aId = rc ? NULL : ds_malloc_n(o->n + 1, sizeof *aId);
  o->aRank = rc ? NULL : ds_malloc_n(o->n + 1, sizeof *o->aRank);
  if (!rc && (!aId || !o->aRank)) rc = DS_NOMEM;
  if (!rc) {
    for (uint32_t i = 0; i < o->n; i++) aId[i] = i;
    rc = sort_ctx(aId, o->n, sizeof *aId, cmp_str_id, o->az);   /* ranks: equal strings share one */
    for (uint32_t r = 0, k = 0; r < o->n && !rc; r++) {
      if (r && cmp_str_id(&aId[r - 1], &aId[r], o->az) != 0) k = r;
      o->aRank[aId[r]] = k;
    }
  }
  ds_free(aId);
  if (rc) {
    free_order(o);
    return rc == DS_NOMEM ? ds_error_set(e, DS_NOMEM, -1, "out of memory") : rc;
  }
  return DS_OK;
}

/* The id of key k's token for match i, or UINT32_MAX for none. */
static int key_id(ds_corpus *c, const ds_matchset *m, size_t i, const ds_sortkey *k, uint32_t *pId,
                  ds_error *e) {
  int64_t pos = k->anchor == DS_ANCHOR_MATCH ? m->a[i].first
                : k->anchor == DS_ANCHOR_MATCHEND ? m->a[i].last
                : ds_matchset_anchor(m, i, (size_t)k->anchor);
  *pId = UINT32_MAX;
  if (pos < 0) return DS_OK;
  int64_t doc = ds_corpus_doc_at(c, m->a[i].first);
  if (doc < 0) return DS_OK;
  const ds_docinfo *d = ds_corpus_doc(c, (size_t)doc);
  pos += k->offset;
  if (pos < d->cpos || pos >= d->cpos + d->nTok) return DS_OK;
  if ((k->flags & DS_SORT_INMATCH) && (pos < m->a[i].first || pos > m->a[i].last)) return DS_OK;
  return ds_corpus_id_at(c, k->attr, pos, pId, e);
}

typedef struct keyrow {
  uint32_t *aRank;      /* nKey ranks (UINT32_MAX... no: 0 is "", real ranks + 1) */
  size_t i;             /* the match */
} keyrow;

typedef struct keys {
  const ds_sortkey *a;
  size_t n;
} keys;

static int cmp_row(const void *pa, const void *pb, const void *ctx) {
  const keyrow *a = pa, *b = pb;
  const keys *k = ctx;
  for (size_t j = 0; j < k->n; j++) {
    if (a->aRank[j] != b->aRank[j]) {
      int d = a->aRank[j] < b->aRank[j] ? -1 : 1;
      return (k->a[j].flags & DS_SORT_DESC) ? -d : d;
    }
  }
  return a->i < b->i ? -1 : a->i > b->i;
}

/* Match indices by their first token (ctx: the match set). */
static int cmp_first(const void *pa, const void *pb, const void *ctx) {
  const ds_matchset *m = ctx;
  int64_t a = m->a[*(const size_t *)pa].first, b = m->a[*(const size_t *)pb].first;
  return a < b ? -1 : a > b;
}

/* Rows of ranks for every match (the orders of each key loaded into ao). */
static int make_rows(ds_corpus *c, const ds_matchset *m, const ds_sortkey *aKey, size_t nKey,
                     lexorder *ao, keyrow **paRow, uint32_t **paRank, ds_error *e) {
  for (size_t j = 0; j < nKey; j++) {
    if (aKey[j].anchor >= 0 && (size_t)aKey[j].anchor >= m->nAnchor)
      return ds_error_set(e, DS_MISUSE, -1, "the matches have no such anchor (the query set no target or label)");
    if (!ds_attr_name(aKey[j].attr)) return ds_error_set(e, DS_MISUSE, -1, "no attribute %d", aKey[j].attr);
  }
  int rc = DS_OK;
  for (size_t j = 0; j < nKey && rc == DS_OK; j++) rc = load_order(c, aKey[j].attr, aKey[j].flags, &ao[j], e);
  keyrow *aRow = rc ? NULL : ds_malloc_n(m->n + 1, sizeof *aRow);
  size_t nRank = 0;                    /* m->n * nKey ranks, when that fits */
  if (!rc && ds_size_mul(m->n, nKey, &nRank)) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  uint32_t *aRank = rc ? NULL : ds_malloc_n(nRank + 1, sizeof *aRank);
  if (!rc && (!aRow || !aRank)) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  /* the tokens are read in corpus order (a stored part once, not once a match): matches
     sorted otherwise are visited through a permutation */
  size_t *aOrd = NULL;
  int bSorted = 1;
  for (size_t i = 1; i < m->n && bSorted; i++) bSorted = m->a[i].first >= m->a[i - 1].first;
  if (rc == DS_OK && !bSorted) {
    aOrd = ds_malloc_n(m->n, sizeof *aOrd);
    if (!aOrd) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    for (size_t i = 0; aOrd && i < m->n; i++) aOrd[i] = i;
    if (aOrd && sort_ctx(aOrd, m->n, sizeof *aOrd, cmp_first, m)) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  unsigned nTick = 0;
  for (size_t t = 0; t < m->n && rc == DS_OK; t++) {
    size_t i = aOrd ? aOrd[t] : t;
    aRow[i].i = i;
    aRow[i].aRank = aRank + i * nKey;
    if (ds_interrupt_due(&nTick, 1023)) rc = ds_interrupt_error(e);     /* Ctrl-C */
    for (size_t j = 0; j < nKey && rc == DS_OK; j++) {
      uint32_t id;
      rc = key_id(c, m, i, &aKey[j], &id, e);
      aRow[i].aRank[j] = id < ao[j].n ? ao[j].aRank[id] + 1 : 0;
    }
  }
  ds_free(aOrd);
  *paRow = aRow;
  *paRank = aRank;
  return rc;
}

int ds_matchset_sort_by(ds_corpus *c, ds_matchset *m, const ds_sortkey *aKey, size_t nKey,
                        ds_error *e) {
  lexorder ao[16];
  keyrow *aRow = NULL;
  uint32_t *aRank = NULL;
  if (nKey == 0 || nKey > 16) return ds_error_set(e, DS_MISUSE, -1, "1 to 16 sort keys");
  memset(ao, 0, sizeof ao);
  int rc = make_rows(c, m, aKey, nKey, ao, &aRow, &aRank, e);
  ds_matchset copy = DS_MATCHSET_INIT;
  if (rc == DS_OK) {
    keys ks = {aKey, nKey};
    if (sort_ctx(aRow, m->n, sizeof *aRow, cmp_row, &ks)) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    if (rc == DS_OK && ds_matchset_anchors(&copy, m->nAnchor)) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    for (size_t i = 0; i < m->n && rc == DS_OK; i++) {
      int64_t k = ds_matchset_add(&copy, m->a[aRow[i].i].first, m->a[aRow[i].i].last);
      if (k < 0) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
      for (size_t j = 0; rc == DS_OK && j < m->nAnchor; j++)
        ds_matchset_set_anchor(&copy, (size_t)k, j, ds_matchset_anchor(m, aRow[i].i, j));
    }
    if (rc == DS_OK) {
      copy.nCut = m->nCut;
      ds_matchset_free(m);
      *m = copy;
    } else {
      ds_matchset_free(&copy);
    }
  }
  for (size_t j = 0; j < nKey; j++) free_order(&ao[j]);
  ds_free(aRow);
  ds_free(aRank);
  return rc;
}

typedef struct groupcount {
  size_t iRow;          /* a row of the group */
  int64_t n;
} groupcount;

static int cmp_count(const void *pa, const void *pb, const void *ctx) {
  (void)ctx;
  const groupcount *a = pa, *b = pb;
  if (a->n != b->n) return a->n > b->n ? -1 : 1;
  return a->iRow < b->iRow ? -1 : a->iRow > b->iRow;
}

int ds_matchset_group(ds_corpus *c, const ds_matchset *m, const ds_sortkey *aKey, size_t nKey,
                      int (*xGroup)(void *ctx, const char *const *azValue, int64_t n), void *ctx,
                      ds_error *e) {
  lexorder ao[16];
  keyrow *aRow = NULL;
  uint32_t *aRank = NULL;
  groupcount *aG = NULL;
  if (nKey == 0 || nKey > 16) return ds_error_set(e, DS_MISUSE, -1, "1 to 16 group keys");
  memset(ao, 0, sizeof ao);
  ds_sortkey ak[16];
  for (size_t j = 0; j < nKey; j++) ak[j] = aKey[j], ak[j].flags &= ~DS_SORT_DESC;
  int rc = make_rows(c, m, ak, nKey, ao, &aRow, &aRank, e);
  size_t nG = 0;
  if (rc == DS_OK) {
    keys k = {ak, nKey};                       /* equal tuples side by side, by string */
    if (sort_ctx(aRow, m->n, sizeof *aRow, cmp_row, &k)) rc = DS_NOMEM;
    aG = rc ? NULL : ds_malloc_n(m->n + 1, sizeof *aG);
    if (!aG) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    for (size_t i = 0; i < m->n && rc == DS_OK; i++) {
      if (nG && memcmp(aRow[aG[nG - 1].iRow].aRank, aRow[i].aRank, nKey * sizeof *aRank) == 0) aG[nG - 1].n++;
      else aG[nG++] = (groupcount){i, 1};
    }
  }
  if (rc == DS_OK) {
    if (sort_ctx(aG, nG, sizeof *aG, cmp_count, NULL)) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
    for (size_t g = 0; g < nG && rc == DS_OK; g++) {   /* the forms compared (folded, reversed) */
      const char *az[16];
      for (size_t j = 0; j < nKey; j++) {    /* the string as the corpus has it */
        uint32_t id;
        rc = key_id(c, m, aRow[aG[g].iRow].i, &aKey[j], &id, e);
        az[j] = rc == DS_OK && id < ao[j].n && ao[j].az[id] ? ao[j].az[id] : "";
      }
      if (rc == DS_OK && xGroup(ctx, az, aG[g].n)) rc = DS_DONE;
    }
  }
  for (size_t j = 0; j < nKey; j++) free_order(&ao[j]);
  ds_free(aRow);
  ds_free(aRank);
  ds_free(aG);
  return rc;
}

int ds_matchset_key_strings(ds_corpus *c, const ds_matchset *m, size_t from, size_t to,
                            const ds_sortkey *aKey, size_t nKey,
                            int (*xRow)(void *ctx, size_t i, const char *const *azValue), void *ctx,
                            ds_error *e) {
  lexorder ao[16];
  if (nKey == 0 || nKey > 16) return ds_error_set(e, DS_MISUSE, -1, "1 to 16 sort keys");
  if (to > m->n) to = m->n;
  memset(ao, 0, sizeof ao);
  int rc = DS_OK;
  for (size_t j = 0; j < nKey && rc == DS_OK; j++) {
    if (aKey[j].anchor >= 0 && (size_t)aKey[j].anchor >= m->nAnchor)
      rc = ds_error_set(e, DS_MISUSE, -1, "the matches have no such anchor (the query set no target or label)");
    else rc = load_order(c, aKey[j].attr, aKey[j].flags, &ao[j], e);
  }
  for (size_t i = from; i < to && rc == DS_OK; i++) {
    const char *az[16];
    for (size_t j = 0; j < nKey && rc == DS_OK; j++) {
      uint32_t id;
      rc = key_id(c, m, i, &aKey[j], &id, e);
      az[j] = rc == DS_OK && id < ao[j].n && ao[j].az[id] ? ao[j].az[id] : "";
    }
    if (rc == DS_OK && xRow(ctx, i, az)) rc = DS_DONE;
  }
  for (size_t j = 0; j < nKey; j++) free_order(&ao[j]);
  return rc;
}

int ds_matchset_combine(const ds_matchset *a, const ds_matchset *b, int eOp, ds_matchset *out) {
  ds_matchset_clear(out);
  size_t i = 0, j = 0;
  while (i < a->n || j < b->n) {
    int d;
    if (i == a->n) d = 1;
    else if (j == b->n) d = -1;
    else if (a->a[i].first != b->a[j].first) d = a->a[i].first < b->a[j].first ? -1 : 1;
    else d = a->a[i].last < b->a[j].last ? -1 : a->a[i].last > b->a[j].last;
    const ds_match *x = NULL;
    if (d < 0) x = eOp != DS_SET_INTERSECT ? &a->a[i] : NULL, i++;
    else if (d > 0) x = eOp == DS_SET_UNION ? &b->a[j] : NULL, j++;
    else x = eOp != DS_SET_MINUS ? &a->a[i] : NULL, i++, j++;
    if (x && ds_matchset_add(out, x->first, x->last) < 0) return DS_NOMEM;
  }
  return DS_OK;
}
