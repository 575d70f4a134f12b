/*
** ds_eval.c -- bind a query tree to a corpus and plan it (see ds_eval.h; cql_run*.c run
** the plan, cql_vm.c is the matcher, cql_idset.c resolves values).
**
** The plan: the body is compiled to a program (cql_vm.h); the rarest constraint every
** match must hold, at a known range of offsets from the match's start, drives: its
** postings give the candidate starts, and the matcher verifies each one reading only the
** tokens it tests. With no such constraint, every position is a start. The global
** constraint is compiled too; when it reads no label it becomes a filter of documents.
*/
#include "cql_plan.h"
#include "ds_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct binder {
  ds_corpus *c;
  const ds_cql *t;
  ds_error *e;
} binder;

static int nomem(binder *b) { return ds_error_set(b->e, DS_NOMEM, -1, "out of memory"); }

static int qerr(binder *b, size_t at, const char *zMsg) {
  return ds_error_set(b->e, DS_QUERY, (int64_t)at, "%s at position %zu", zMsg,
                      ds_cql_char_pos(ds_cql_str(b->t, 0), at));
}

int cql_known_kind(const char *zKind) {
  static const char *const az[] = {"s", "p", "head", "note", "doc"};
  for (size_t i = 0; i < sizeof az / sizeof az[0]; i++)
    if (strcmp(zKind, az[i]) == 0) return 1;
  return ds_spankind_find(zKind) >= 0;
}

static int check_kind(binder *b, const char *zKind, size_t at) {
  if (cql_known_kind(zKind)) return DS_OK;
  char zMsg[160];
  snprintf(zMsg, sizeof zMsg,
           "unknown structure '%.32s' (known: s, p, head, note, doc, ent, date, money, percent, cite, url, quote)",
           zKind);
  return qerr(b, at, zMsg);
}

/* ====================== metadata ====================== */

typedef struct docmap {
  int64_t *aId;         /* docs.id of document k, sorted with aK */
  size_t *aK;
  size_t n;
} docmap;

typedef struct idk {
  int64_t id;           /* docs.id */
  size_t k;             /* its index */
} idk;

typedef struct metactx {
  binder *b;
  const ds_cql_node *x;
  unsigned char *aOk;   /* per document */
  unsigned char *aHas;  /* the document has the key */
  idk *aIdx;            /* documents sorted by id */
  size_t nDoc;
  cql_regex *re;
  int rc;
  int bFound;           /* the key is known */
} metactx;

static int cmp_doc_id(const void *a, const void *b) {
  int64_t x = ((const idk *)a)->id, y = ((const idk *)b)->id;
  return x < y ? -1 : x > y;
}

/* Compare ISO dates to the precision of the shorter one: <0, 0, >0. */
int cql_date_cmp(const char *zA, const char *zB) {
  size_t n = strlen(zA) < strlen(zB) ? strlen(zA) : strlen(zB);
  return strncmp(zA, zB, n);
}

static int meta_value(metactx *m, size_t k, const char *zVal) {
  const ds_cql_node *x = m->x;
  const char *zWant = ds_cql_str(m->b->t, x->iValue);
  int ok;
  switch (x->eOp) {
  case DS_CQL_EQ:
  case DS_CQL_NE: {
    int r = cql_regex_test(m->re, zVal, strlen(zVal));
    if (r < 0) return m->rc = r, 1;
    ok = r == (x->eOp == DS_CQL_EQ);
    break;
  }
  default: {
    if (!*zVal) { ok = 0; break; }        /* no date: no comparison holds */
    int d = cql_date_cmp(zVal, zWant);
    ok = x->eOp == DS_CQL_LT ? d < 0 : x->eOp == DS_CQL_LE ? d <= 0 : x->eOp == DS_CQL_GT ? d > 0 : d >= 0;
  }
  }
  m->aOk[k] = (unsigned char)ok;
  return 0;
}

static int meta_each(void *ctx, int64_t docId, const char *zVal) {
  metactx *m = ctx;
  size_t lo = 0, hi = m->nDoc;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->aIdx[mid].id < docId) lo = mid + 1;
    else hi = mid;
  }
  if (lo == m->nDoc || m->aIdx[lo].id != docId) return 0;   /* a removed document */
  m->aHas[m->aIdx[lo].k] = 1;
  return meta_value(m, m->aIdx[lo].k, zVal);
}

static int key_each(void *ctx, int64_t docId, const char *zKey) {
  metactx *m = ctx;
  (void)docId;
  if (strcmp(zKey, ds_cql_str(m->b->t, m->x->iName)) == 0) m->bFound = 1;
  return 0;
}

static int key_list(void *ctx, int64_t docId, const char *zKey) {
  ds_buf *out = ctx;
  (void)docId;
  if (out->n < 200) ds_buf_printf(out, "%s%s", out->n ? ", " : "", zKey);
  return 0;
}

static int is_date(const char *z) {
  static const char *const azShape[] = {"dddd", "dddd-dd", "dddd-dd-dd"};
  for (int i = 0; i < 3; i++) {
    const char *s = azShape[i];
    size_t j = 0;
    while (s[j] && z[j] && (s[j] == 'd' ? (z[j] >= '0' && z[j] <= '9') : z[j] == s[j])) j++;
    if (!s[j] && !z[j]) return 1;
  }
  return 0;
}

/*
** META node x into g: which documents pass, in g->aDocOk (ds_malloc'd, one byte per
** document). A regex over doc.name is only compiled here (g->re): a document's name is
** tried when the query first asks about the document (cql_meta_doc).
*/
static int bind_meta(binder *b, const ds_cql_node *x, cql_gnode *g, int bLazy) {
  unsigned char **paOk = &g->aDocOk;
  size_t nDoc = ds_corpus_ndocs(b->c);
  metactx m = {b, x, NULL, NULL, NULL, nDoc, NULL, 0, 0};
  int rc = ds_corpus_meta_by_key(b->c, NULL, key_each, &m, b->e);
  if (rc && rc != DS_DONE) return rc;
  int bName = !m.bFound && strcmp(ds_cql_str(b->t, x->iName), "name") == 0;   /* doc.name: its name */
  if (!m.bFound && !bName) {
    ds_buf keys = DS_BUF_INIT;
    ds_corpus_meta_by_key(b->c, NULL, key_list, &keys, b->e);
    char zMsg[320];
    ds_buf_printf(&keys, "%sname", keys.n ? ", " : "");
    snprintf(zMsg, sizeof zMsg, "unknown metadata key '%.40s' (known: %.*s)", ds_cql_str(b->t, x->iName),
             (int)keys.n, keys.p ? (const char *)keys.p : "name");
    ds_buf_free(&keys);
    return qerr(b, x->iStart, zMsg);
  }
  if (x->eOp != DS_CQL_EQ && x->eOp != DS_CQL_NE && !is_date(ds_cql_str(b->t, x->iValue)))
    return qerr(b, x->iStart, "'<', '<=', '>', '>=' compare ISO dates: expected \"2019\", \"2019-10\" or \"2019-10-07\"");
  if (x->eOp == DS_CQL_EQ || x->eOp == DS_CQL_NE) {
    rc = cql_regex_new(ds_cql_str(b->t, x->iValue), x->nValue, x->flags, &m.re, ds_cql_str(b->t, 0),
                       x->iStart, b->e);
    if (rc) return rc;
  }
  if (bName && m.re && bLazy) {               /* each name at its document's first question */
    g->re = m.re;
    g->iAt = x->iStart;
    g->iCharAt = ds_cql_char_pos(ds_cql_str(b->t, 0), x->iStart);
    *paOk = ds_malloc(nDoc + 1);
    if (!*paOk) return nomem(b);
    memset(*paOk, CQL_DOC_UNKNOWN, nDoc + 1);
    return DS_OK;
  }
  m.aOk = ds_malloc(nDoc + 1);
  m.aHas = ds_malloc(nDoc + 1);
  m.aIdx = ds_malloc_n(nDoc + 1, sizeof *m.aIdx);
  if (!m.aOk || !m.aHas || !m.aIdx) rc = nomem(b);
  else {
    memset(m.aHas, 0, nDoc + 1);
    memset(m.aOk, 0, nDoc + 1);
    int bSorted = 1;                          /* ids grow with positions, as a rule */
    for (size_t k = 0; k < nDoc; k++) {
      m.aIdx[k] = (idk){ds_corpus_doc(b->c, k)->id, k};
      if (k > 0 && m.aIdx[k].id < m.aIdx[k - 1].id) bSorted = 0;
    }
    if (!bSorted) qsort(m.aIdx, nDoc, sizeof *m.aIdx, cmp_doc_id);
    if (bName) {
      for (size_t k = 0; k < nDoc && rc == DS_OK; k++) {
        m.aHas[k] = 1;
        if (meta_value(&m, k, ds_corpus_doc(b->c, k)->zName)) rc = DS_DONE;
      }
    } else {
      rc = ds_corpus_meta_by_key(b->c, ds_cql_str(b->t, x->iName), meta_each, &m, b->e);
    }
    if (rc == DS_DONE) rc = qerr(b, x->iStart, "regular expression over its limits on the metadata");
    for (size_t k = 0; k < nDoc && rc == DS_OK; k++)     /* no value: as the empty string */
      if (!m.aHas[k] && meta_value(&m, k, "")) rc = qerr(b, x->iStart, "regular expression over its limits");
  }
  cql_regex_free(m.re);
  ds_free(m.aHas);
  ds_free(m.aIdx);
  if (rc) {
    ds_free(m.aOk);
    return rc;
  }
  *paOk = m.aOk;
  return DS_OK;
}

/* ====================== the global constraint ====================== */

static int bind_global(binder *b, ds_eval *p, int i, int *pj) {
  const ds_cql_node *x = ds_cql_at(b->t, i);
  cql_gnode *a = ds_realloc_n(p->aG, (size_t)(p->nG + 1), sizeof *a);
  if (!a) return nomem(b);
  p->aG = a;
  int j = p->nG++;
  memset(&a[j], 0, sizeof a[j]);
  a[j].eKind = x->eKind;
  a[j].eOp = x->eOp;
  *pj = j;
  switch (x->eKind) {
  case DS_CQL_META:
    return bind_meta(b, x, &p->aG[j], 1);
  case DS_CQL_REFEQ:
    p->bGLabels = 1;
    a[j].iSlot = x->nMin + 1, a[j].iSlot2 = x->nMax + 1;
    a[j].attr = x->iAttr, a[j].attr2 = x->iAttr2;
    return DS_OK;
  case DS_CQL_CMP: {
    p->bGLabels = 1;
    a[j].iSlot = x->nMin + 1;
    cql_idset set;
    int rc = cql_idset_resolve(b->c, x->iAttr, ds_cql_str(b->t, x->iValue), x->nValue, x->flags, &set,
                               ds_cql_str(b->t, 0), x->iStart, b->e);
    if (rc) return rc;
    p->aG[j].set = set;
    p->aG[j].attr = set.attr;
    return DS_OK;
  }
  default: {
    int aKid[256], n = 0;
    for (int c = x->iChild; c >= 0; c = ds_cql_at(b->t, c)->iNext) {
      if (n == 256) return qerr(b, x->iStart, "too many operands");
      int rc = bind_global(b, p, c, &aKid[n++]);
      if (rc) return rc;
    }
    int *ak = ds_realloc_n(p->aGKid, (size_t)(p->nGKid + n + 1), sizeof *ak);
    if (!ak) return nomem(b);
    p->aGKid = ak;
    p->aG[j].iKid = p->nGKid;
    p->aG[j].nKid = n;
    memcpy(ak + p->nGKid, aKid, (size_t)n * sizeof *aKid);
    p->nGKid += n;
    return DS_OK;
  }
  }
}

int cql_meta_doc(const ds_eval *p, const ds_corpus *c, int j, size_t k, ds_error *e) {
  const cql_gnode *g = &p->aG[j];
  if (k >= p->nDocs) return 0;
  if (g->aDocOk[k] != CQL_DOC_UNKNOWN) return g->aDocOk[k];
  const ds_docinfo *d = ds_corpus_doc(c, k);
  const char *zName = d && d->zName ? d->zName : "";
  int r = cql_regex_test(g->re, zName, strlen(zName));
  if (r < 0)
    return -ds_error_set(e, DS_QUERY, (int64_t)g->iAt, "%s at position %zu",
                         "regular expression over its limits on the metadata", g->iCharAt);
  g->aDocOk[k] = (unsigned char)(r == (g->eOp == DS_CQL_EQ));
  return g->aDocOk[k];
}

/* Without labels: does document k pass node j? 1 or 0, or -rc (cql_meta_doc). */
static int global_doc(const ds_eval *p, const ds_corpus *c, int j, size_t k, ds_error *e) {
  const cql_gnode *g = &p->aG[j];
  if (g->eKind == DS_CQL_META) return cql_meta_doc(p, c, j, k, e);
  if (g->eKind == DS_CQL_NOT) {
    int v = global_doc(p, c, p->aGKid[g->iKid], k, e);
    return v < 0 ? v : !v;
  }
  int bAnd = g->eKind == DS_CQL_AND;
  for (int i = 0; i < g->nKid; i++) {
    int v = global_doc(p, c, p->aGKid[g->iKid + i], k, e);
    if (v < 0) return v;
    if (v != bAnd) return !bAnd;
  }
  return bAnd;
}

int cql_doc_ok(const ds_eval *p, const ds_corpus *c, size_t k, ds_error *e) {
  if (!p->aDocOk) return 1;
  if (k >= p->nDocs) return 0;
  if (p->aDocOk[k] != CQL_DOC_UNKNOWN) return p->aDocOk[k];
  int v = global_doc(p, c, p->iG, k, e);
  if (v >= 0) p->aDocOk[k] = (unsigned char)v;
  return v;
}

/* ====================== the driver ====================== */

/* Fewest and most tokens node i spans (most -1: no bound). */
static void node_len(const ds_cql *t, int i, int64_t *pMin, int64_t *pMax) {
  const ds_cql_node *x = ds_cql_at(t, i);
  int64_t lo = 0, hi = 0, a, b;
  switch (x->eKind) {
  case DS_CQL_TOKEN: lo = hi = 1; break;
  case DS_CQL_LABEL: node_len(t, x->iChild, &lo, &hi); break;
  case DS_CQL_SEQ:
    for (int c = x->iChild; c >= 0; c = ds_cql_at(t, c)->iNext) {
      node_len(t, c, &a, &b);
      lo += a;
      hi = hi < 0 || b < 0 ? -1 : hi + b;
    }
    break;
  case DS_CQL_ALT:
    lo = -1;
    for (int c = x->iChild; c >= 0; c = ds_cql_at(t, c)->iNext) {
      node_len(t, c, &a, &b);
      if (lo < 0 || a < lo) lo = a;
      if (hi >= 0 && (b < 0 || b > hi)) hi = b;
    }
    if (lo < 0) lo = 0;
    break;
  case DS_CQL_REPEAT:
    node_len(t, x->iChild, &a, &b);
    lo = a * x->nMin;
    hi = b == 0 ? 0 : (x->nMax < 0 || b < 0) ? -1 : b * x->nMax;
    break;
  default: break;                           /* structures: no tokens */
  }
  *pMin = lo;
  *pMax = hi;
}

/* The positive CMP under constraint j with the fewest positions, or -1. */
static int positive_cmp(const cql_vm *vm, int j) {
  const cql_cons *k = &vm->aCons[j];
  if (k->eKind == DS_CQL_CMP) return k->bNe ? -1 : j;
  if (k->eKind != DS_CQL_AND) return -1;
  int best = -1;
  for (int i = 0; i < k->nKid; i++) {
    int c = positive_cmp(vm, vm->aKid[k->iKid + i]);
    if (c >= 0 && (best < 0 || vm->aCons[c].set.freq < vm->aCons[best].set.freq)) best = c;
  }
  return best;
}

/* A constraint that could drive: c at offsets [lo, hi] from the match's start. */
typedef struct drv {
  int c;
  int64_t lo, hi;
} drv;

/*
** The rarest indexed positive constraint every match of node i holds (i at [lo, hi]),
** not looking into alternatives: into *d (d->c stays -1 when there is none).
*/
static void best_single(const ds_cql *t, const cql_vm *vm, int i, int64_t lo, int64_t hi, drv *d) {
  const ds_cql_node *x = ds_cql_at(t, i);
  switch (x->eKind) {
  case DS_CQL_TOKEN: {
    int j = vm->aNodeCons[i];
    int c = j >= 0 ? positive_cmp(vm, j) : -1;
    if (c < 0 || !vm->aCons[c].set.bIndexed) return;
    if (d->c < 0 || vm->aCons[c].set.freq < vm->aCons[d->c].set.freq) *d = (drv){c, lo, hi};
    return;
  }
  case DS_CQL_LABEL: best_single(t, vm, x->iChild, lo, hi, d); return;
  case DS_CQL_REPEAT:
    if (x->nMin >= 1) best_single(t, vm, x->iChild, lo, hi, d);
    return;
  case DS_CQL_SEQ:
    for (int c = x->iChild; c >= 0; c = ds_cql_at(t, c)->iNext) {
      int64_t a, b;
      best_single(t, vm, c, lo, hi, d);
      node_len(t, c, &a, &b);
      lo += a;
      hi = hi < 0 || b < 0 ? -1 : hi + b;
    }
    return;
  default: return;
  }
}

/*
** When constraint j is a `|` whose every branch holds an indexed positive comparison
** (or is such a `|` itself), or an `&` holding such a `|`: the comparisons whose
** positions together hold every token j accepts (for an `&`, its rarest such `|`),
** appended to a[*pn] at [lo, hi], their frequencies added to *pFreq. Returns 0 (a and
** the counts then unusable) when there is no such union or it has over CQL_MAX_ALT.
*/
static int cons_alts(const cql_vm *vm, int j, int64_t lo, int64_t hi, drv *a, int *pn,
                     int64_t *pFreq) {
  const cql_cons *k = &vm->aCons[j];
  if (k->eKind == DS_CQL_OR) {
    for (int i = 0; i < k->nKid; i++) {
      int kid = vm->aKid[k->iKid + i];
      int c = positive_cmp(vm, kid);
      if (c >= 0 && vm->aCons[c].set.bIndexed) {
        if (*pn >= CQL_MAX_ALT) return 0;
        a[(*pn)++] = (drv){c, lo, hi};
        *pFreq += vm->aCons[c].set.freq;
      } else if (!cons_alts(vm, kid, lo, hi, a, pn, pFreq)) {
        return 0;
      }
    }
    return 1;
  }
  if (k->eKind != DS_CQL_AND) return 0;
  drv best[CQL_MAX_ALT], cur[CQL_MAX_ALT];
  int nBest = -1;
  int64_t bestFreq = 0;
  for (int i = 0; i < k->nKid; i++) {
    int n = 0;
    int64_t freq = 0;
    if (cons_alts(vm, vm->aKid[k->iKid + i], lo, hi, cur, &n, &freq) && (nBest < 0 || freq < bestFreq)) {
      memcpy(best, cur, (size_t)n * sizeof *cur);
      nBest = n;
      bestFreq = freq;
    }
  }
  if (nBest < 0 || *pn + nBest > CQL_MAX_ALT) return 0;
  memcpy(a + *pn, best, (size_t)nBest * sizeof *best);
  *pn += nBest;
  *pFreq += bestFreq;
  return 1;
}

/* A union of alternatives at [lo, hi] that could drive: kept if rarer than the last. */
static void offer_alts(ds_eval *p, const drv *a, int n, int64_t freq) {
  if (p->nAlt && freq >= p->altFreq) return;
  for (int k = 0; k < n; k++) p->aAltCons[k] = a[k].c, p->aAltLo[k] = a[k].lo, p->aAltHi[k] = a[k].hi;
  p->nAlt = n;
  p->altFreq = freq;
}

/* Every token every match holds, at offsets [lo, hi] from its start: the rarest drives. */
static void find_driver(const ds_cql *t, ds_eval *p, int i, int64_t lo, int64_t hi) {
  const ds_cql_node *x = ds_cql_at(t, i);
  switch (x->eKind) {
  case DS_CQL_ALT: {
    /* a required `|` whose every alternative holds a constraint with postings: the union
       of those constraints' positions can drive (kept if rarer than any single one) */
    if (x->nChild > CQL_MAX_ALT) return;
    drv a[CQL_MAX_ALT];
    int n = 0;
    int64_t freq = 0;
    for (int c = x->iChild; c >= 0; c = ds_cql_at(t, c)->iNext) {
      drv d = {-1, 0, 0};
      best_single(t, &p->vm, c, lo, hi, &d);
      if (d.c < 0) return;
      a[n++] = d;
      freq += p->vm.aCons[d.c].set.freq;
    }
    offer_alts(p, a, n, freq);
    return;
  }
  case DS_CQL_TOKEN: {
    int j = p->vm.aNodeCons[i];
    drv a[CQL_MAX_ALT];
    int n = 0;
    int64_t freq = 0;
    /* `[word="a" | word="b"]`: the union of the two postings (a single value may still
       be rarer, as in `[pos="PROPN" & (word="a" | word="b")]` with a rare PROPN) */
    if (j >= 0 && cons_alts(&p->vm, j, lo, hi, a, &n, &freq)) offer_alts(p, a, n, freq);
    int c = j >= 0 ? positive_cmp(&p->vm, j) : -1;
    if (c < 0) return;
    const cql_idset *s = &p->vm.aCons[c].set;
    if (s->nId == 0) p->vm.bEmpty = 1;      /* a required value the corpus does not have */
    if (!s->bIndexed) return;
    if (s->nId == 1 && p->nPre < 8) {       /* a candidate for the prefilter */
      p->aPreCons[p->nPre] = c;
      p->aPreLo[p->nPre] = lo;
      p->aPreHi[p->nPre++] = hi;
    }
    if (p->iDriver < 0 || s->freq < p->vm.aCons[p->iDriver].set.freq ||
        (s->freq == p->vm.aCons[p->iDriver].set.freq && hi >= 0 && p->offHi < 0)) {
      p->iDriver = c;
      p->offLo = lo;
      p->offHi = hi;
    }
    return;
  }
  case DS_CQL_LABEL: find_driver(t, p, x->iChild, lo, hi); return;
  case DS_CQL_REPEAT:
    if (x->nMin >= 1) find_driver(t, p, x->iChild, lo, hi);
    return;
  case DS_CQL_SEQ:
    for (int c = x->iChild; c >= 0; c = ds_cql_at(t, c)->iNext) {
      int64_t a, b;
      find_driver(t, p, c, lo, hi);
      node_len(t, c, &a, &b);
      lo += a;
      hi = hi < 0 || b < 0 ? -1 : hi + b;
    }
    return;
  default: return;
  }
}

/*
** A body of plain tokens (labels allowed; no repetition, alternative or structure) is
** checked token by token, without the matcher: one match per start, of fixed length.
*/
static int flatten_fixed(const ds_cql *t, ds_eval *p, int i, int nMax) {
  const ds_cql_node *x = ds_cql_at(t, i);
  if (x->eKind == DS_CQL_SEQ) {
    for (int c = x->iChild; c >= 0; c = ds_cql_at(t, c)->iNext)
      if (flatten_fixed(t, p, c, nMax)) return 1;
    return 0;
  }
  int slot = -1;
  if (x->eKind == DS_CQL_LABEL) {
    slot = x->nMin + 1;
    x = ds_cql_at(t, x->iChild);
    i = (int)(x - t->aNode);
  }
  if (x->eKind != DS_CQL_TOKEN || p->nFix >= nMax) return 1;
  p->aFixCons[p->nFix] = p->vm.aNodeCons[i];
  p->aFixSlot[p->nFix++] = slot;
  return 0;
}

/* Is the one-value set s's posting list worth reading beside the driver's positions? */
static int worth_reading(ds_corpus *c, const ds_eval *p, const cql_idset *s) {
  return s->freq / DS_EVAL_MAX_LEAP_RATIO <= p->vm.aCons[p->iDriver].set.freq ||
         ds_corpus_postings_kept(c, s->attr, s->aId[0]);
}

static int plan_fixed(binder *b, ds_eval *p, int i) {
  int nMax = (int)b->t->nToken + 1;
  p->aFixCons = ds_malloc_n((size_t)nMax, sizeof(int));
  p->aFixSlot = ds_malloc_n((size_t)nMax, sizeof(int));
  if (!p->aFixCons || !p->aFixSlot) return nomem(b);
  if (flatten_fixed(b->t, p, i, nMax)) p->nFix = 0;
  if (p->iDriver < 0 || p->vm.aCons[p->iDriver].set.freq < DS_EVAL_MIN_LEAPFROG) return DS_OK;
  for (int k = 0; k < p->nFix && p->nLeap < 8; k++) {   /* one-id values with postings */
    int j = p->aFixCons[k];
    const cql_cons *x = j >= 0 ? &p->vm.aCons[j] : NULL;
    if (x && j != p->iDriver && x->eKind == DS_CQL_CMP && !x->bNe && x->set.nId == 1 && x->set.bIndexed &&
        worth_reading(b->c, p, &x->set))
      p->aLeap[p->nLeap++] = k;
  }
  return DS_OK;
}

/* Constraint of TOKEN node i if it is one `=` test with postings, else -1. */
static int posted_cmp(const ds_eval *p, const ds_cql *t, int i) {
  if (i < 0 || ds_cql_at(t, i)->eKind != DS_CQL_TOKEN) return -1;
  int j = p->vm.aNodeCons[i];
  if (j < 0) return -1;
  const cql_cons *x = &p->vm.aCons[j];
  return x->eKind == DS_CQL_CMP && !x->bNe && x->set.nId > 0 && x->set.bIndexed ? j : -1;
}

/*
** A body `A []{n,m} B` (m bounded), each of A and B one `=` test with postings: its
** matches follow from the two posting lists, the token stream unread (cql_run_gap).
*/
static void plan_gap(const ds_cql *t, ds_eval *p, int i) {
  const ds_cql_node *x = ds_cql_at(t, i);
  if (x->eKind != DS_CQL_SEQ || x->nChild != 3 || p->vm.nStruct) return;
  int iA = x->iChild, iR = ds_cql_at(t, iA)->iNext, iB = ds_cql_at(t, iR)->iNext;
  const ds_cql_node *r = ds_cql_at(t, iR);
  if (r->eKind != DS_CQL_REPEAT || r->nMin < 0 || r->nMax < r->nMin || r->nMax > CQL_MAX_GAP) return;
  const ds_cql_node *any = ds_cql_at(t, r->iChild);
  if (any->eKind != DS_CQL_TOKEN || any->iChild >= 0) return;      /* `[]` */
  int a = posted_cmp(p, t, iA), b = posted_cmp(p, t, iB);
  if (a < 0 || b < 0) return;
  p->iGapA = a, p->iGapB = b;
  p->gapLo = r->nMin, p->gapHi = r->nMax;
}

/* Is node r `[]{n,}` (any token, at least n times, no upper bound)? */
static int open_repeat(const ds_cql *t, const ds_cql_node *r) {
  if (r->eKind != DS_CQL_REPEAT || r->nMin < 0 || r->nMax != -1) return 0;
  const ds_cql_node *any = ds_cql_at(t, r->iChild);
  return any->eKind == DS_CQL_TOKEN && any->iChild < 0;
}

/*
** A body `[]{n,} X` (`[]* X`, `[]+ X`: any token at least n times, then one token with a
** constraint, which drives), or `[]{n,} X []{m,}`: under `within`, run_open
** (cql_run_drive.c) makes its matches from X's positions.
*/
static void plan_open(const ds_cql *t, ds_eval *p, int i) {
  const ds_cql_node *x = ds_cql_at(t, i);
  if (x->eKind != DS_CQL_SEQ || x->nChild < 2 || x->nChild > 3 || p->vm.nStruct || p->iDriver < 0) return;
  const ds_cql_node *r = ds_cql_at(t, x->iChild);
  int iX = r->iNext;
  const ds_cql_node *tok = ds_cql_at(t, iX);
  const ds_cql_node *r2 = tok->iNext >= 0 ? ds_cql_at(t, tok->iNext) : NULL;
  if (!open_repeat(t, r) || (r2 && !open_repeat(t, r2))) return;
  if (tok->eKind != DS_CQL_TOKEN || tok->iChild < 0) return;
  int j = p->vm.aNodeCons[iX];
  if (j < 0) return;
  p->bOpen = 1, p->iOpenCons = j, p->openLead = r->nMin, p->openTrail = r2 ? r2->nMin : -1;
}

/* ====================== binding ====================== */

static int kind_copy(binder *b, char *z, size_t nz, const char *zKind, size_t at) {
  if (strlen(zKind) >= nz) return check_kind(b, "?", at);
  int rc = check_kind(b, zKind, at);
  if (rc == DS_OK) snprintf(z, nz, "%s", zKind);
  return rc;
}

static int bind_body(binder *b, int i, ds_eval **pp);

/*
** The attribute tests of a recognizer's structure node x (`<ent type="ORG">`) into *paTest
** and *pnTest: each names one of the kind's values (ds_doc.h).
*/
static int bind_span_tests(binder *b, const ds_cql_node *x, const ds_spankind *sk, cql_spantest **paTest,
                           int *pnTest) {
  cql_spantest *a = ds_malloc_n((size_t)x->nChild, sizeof *a);
  if (!a) return nomem(b);
  memset(a, 0, (size_t)x->nChild * sizeof *a);
  int n = 0, rc = DS_OK;
  for (int c = x->iChild; c >= 0 && rc == DS_OK; c = ds_cql_at(b->t, c)->iNext) {
    const ds_cql_node *y = ds_cql_at(b->t, c);
    const char *zName = ds_cql_str(b->t, y->iName), *zVal = ds_cql_str(b->t, y->iValue);
    int iAttr = -1;
    for (int j = 0; j < sk->nAttr; j++)
      if (strcmp(sk->azAttr[j], zName) == 0) iAttr = j;
    if (iAttr < 0) {
      char zMsg[200], zList[120] = "";
      for (int j = 0; j < sk->nAttr; j++)
        snprintf(zList + strlen(zList), sizeof zList - strlen(zList), "%s%s", j ? ", " : "", sk->azAttr[j]);
      snprintf(zMsg, sizeof zMsg, "<%s> has no attribute '%.32s' (it has: %s)", sk->zName, zName, zList);
      rc = qerr(b, y->iStart, zMsg);
      break;
    }
    cql_spantest *t = &a[n++];
    t->iAttr = iAttr;
    t->eOp = y->eOp;
    if (y->eOp == DS_CQL_EQ || y->eOp == DS_CQL_NE)
      rc = cql_regex_new(zVal, y->nValue, y->flags, &t->re, ds_cql_str(b->t, 0), y->iStart, b->e);
    else if (!is_date(zVal))
      rc = qerr(b, y->iStart, "'<', '<=', '>', '>=' compare ISO dates: expected \"2019\", \"2019-10\" or \"2019-10-07\"");
    else
      snprintf(t->zWant, sizeof t->zWant, "%s", zVal);
  }
  if (rc) {
    cql_spantests_free(a, n);
    return rc;
  }
  *paTest = a;
  *pnTest = n;
  return DS_OK;
}

/*
** The attributes of structure node x: <doc>'s are its metadata (documents that pass into
** *paOk), a recognizer's kind's are its values (tests into *paTest, *pnTest).
*/
static int bind_struct_attrs(binder *b, const ds_cql_node *x, unsigned char **paOk, cql_spantest **paTest,
                             int *pnTest) {
  *paOk = NULL;
  *paTest = NULL;
  *pnTest = 0;
  if (x->nChild == 0) return DS_OK;
  const ds_spankind *sk = ds_spankind_get(ds_spankind_find(ds_cql_str(b->t, x->iName)));
  if (sk) return bind_span_tests(b, x, sk, paTest, pnTest);
  if (strcmp(ds_cql_str(b->t, x->iName), "doc") != 0) {
    char zMsg[200];
    snprintf(zMsg, sizeof zMsg,
             "structure '%.32s' has no attributes (<doc> has its metadata; ent, date, money, percent, cite, url and quote their values)",
             ds_cql_str(b->t, x->iName));
    return qerr(b, ds_cql_at(b->t, x->iChild)->iStart, zMsg);
  }
  size_t nDoc = ds_corpus_ndocs(b->c);
  unsigned char *aOk = ds_malloc(nDoc + 1);
  if (!aOk) return nomem(b);
  memset(aOk, 1, nDoc + 1);
  for (int c = x->iChild; c >= 0; c = ds_cql_at(b->t, c)->iNext) {
    cql_gnode g1;
    memset(&g1, 0, sizeof g1);
    int rc = bind_meta(b, ds_cql_at(b->t, c), &g1, 0);
    unsigned char *a1 = g1.aDocOk;
    if (rc) {
      ds_free(aOk);
      return rc;
    }
    for (size_t k = 0; k < nDoc; k++) aOk[k] &= a1[k];
    ds_free(a1);
  }
  *paOk = aOk;
  return DS_OK;
}

static ds_eval *new_plan(binder *b) {
  ds_eval *p = ds_malloc(sizeof *p);
  if (!p) return nomem(b), NULL;
  memset(p, 0, sizeof *p);
  p->iDriver = p->iG = -1;
  p->iGapA = p->iGapB = -1;
  p->nDocs = ds_corpus_ndocs(b->c);
  return p;
}

/* A MU argument: a token (a body of one token) or a meet/union. */
static int bind_mu(binder *b, int i, ds_eval **pp) {
  const ds_cql_node *x = ds_cql_at(b->t, i);
  if (x->eKind == DS_CQL_TOKEN) return bind_body(b, i, pp);
  ds_eval *p = new_plan(b);
  if (!p) return DS_NOMEM;
  *pp = p;
  p->eKind = x->eKind == DS_CQL_MEET ? E_MEET : E_UNION;
  int rc = bind_mu(b, x->iChild, &p->pA);
  if (rc == DS_OK) rc = bind_mu(b, ds_cql_at(b->t, x->iChild)->iNext, &p->pB);
  if (rc == DS_OK && x->eKind == DS_CQL_MEET) {
    if (x->nName) rc = kind_copy(b, p->zMeet, sizeof p->zMeet, ds_cql_str(b->t, x->iName), x->iStart);
    p->meetLo = x->nMin;
    p->meetHi = x->nMax;
  }
  return rc;
}

/* Body node i (a SEQ, ALT, TOKEN ...) into a new plan *pp (freed by the caller on error too). */
static int bind_body(binder *b, int i, ds_eval **pp) {
  const ds_cql_node *x = ds_cql_at(b->t, i);
  ds_eval *p = new_plan(b);
  if (!p) return DS_NOMEM;
  *pp = p;
  /* a lone child of the root: MU, or a whole span */
  const ds_cql_node *y = x->eKind == DS_CQL_SEQ && x->nChild == 1 ? ds_cql_at(b->t, x->iChild) : x;
  if (y->eKind == DS_CQL_MEET || y->eKind == DS_CQL_UNION) {
    ds_free(p);
    return bind_mu(b, x->eKind == DS_CQL_SEQ ? x->iChild : i, pp);
  }
  if (y->eKind == DS_CQL_STRUCT && y->eOp == DS_CQL_SPAN) {
    p->eKind = E_SPANS;
    int rc = kind_copy(b, p->zSpan, sizeof p->zSpan, ds_cql_str(b->t, y->iName), y->iStart);
    return rc ? rc : bind_struct_attrs(b, y, &p->aSpanDocOk, &p->aSpanTest, &p->nSpanTest);
  }
  p->eKind = E_BODY;
  int64_t hi;
  node_len(b->t, i, &p->minLen, &hi);
  if (p->minLen == 0 && hi == 0) return qerr(b, x->iStart, "the query matches no token (only structure boundaries)");
  int rc = cql_vm_compile(b->c, b->t, i, &p->vm, b->e);
  if (rc) return rc;
  for (int j = 0; j < p->vm.nStruct && rc == DS_OK; j++) {
    const ds_cql_node *s = ds_cql_at(b->t, p->vm.aStruct[j].iNode);
    rc = check_kind(b, p->vm.aStruct[j].zKind, s->iStart);
    if (rc == DS_OK)
      rc = bind_struct_attrs(b, s, &p->vm.aStruct[j].aDocOk, &p->vm.aStruct[j].aTest, &p->vm.aStruct[j].nTest);
  }
  if (rc) return rc;
  find_driver(b->t, p, i, 0, 0);
  if (p->nAlt && (p->iDriver < 0 || p->altFreq < p->vm.aCons[p->iDriver].set.freq)) p->iDriver = -1;
  else p->nAlt = 0;                         /* a single constraint is rarer: it drives */
  int n = 0;                                /* the driver is no filter of itself */
  for (int k = 0; k < p->nPre; k++)
    if ((p->aPreCons[k] != p->iDriver || p->aPreLo[k] != p->offLo || p->aPreHi[k] != p->offHi) &&
        (p->iDriver < 0 || worth_reading(b->c, p, &p->vm.aCons[p->aPreCons[k]].set))) {
      p->aPreCons[n] = p->aPreCons[k], p->aPreLo[n] = p->aPreLo[k], p->aPreHi[n] = p->aPreHi[k];
      n++;
    }
  p->nPre = n;
  rc = plan_fixed(b, p, i);
  if (p->nFix) p->nPre = 0;                 /* plain bodies: leapfrog instead */
  if (rc == DS_OK && !p->nFix) plan_gap(b->t, p, i);
  if (rc == DS_OK && !p->nFix) plan_open(b->t, p, i);
  return rc;
}

int ds_eval_bind(ds_corpus *c, const ds_cql *t, ds_eval **pp, ds_error *e) {
  *pp = NULL;
  binder b = {c, t, e};
  ds_eval *p = NULL;
  int rc = bind_body(&b, t->iRoot, &p);
  if (rc == DS_OK && p->eKind != E_BODY && t->iGlobal >= 0)
    rc = qerr(&b, ds_cql_at(t, t->iGlobal)->iStart, "'::' goes with a sequence, not MU or a whole span");
  if (rc == DS_OK) p->eStrategy = t->eStrategy;
  if (rc == DS_OK && t->iGlobal >= 0) {
    rc = bind_global(&b, p, t->iGlobal, &p->iG);
    if (rc == DS_OK && !p->bGLabels) {      /* metadata only: a filter of documents */
      p->aDocOk = ds_malloc(p->nDocs + 1);   /* each filled at its first question */
      if (!p->aDocOk) rc = nomem(&b);
      else memset(p->aDocOk, CQL_DOC_UNKNOWN, p->nDocs + 1);
    }
  }
  if (rc == DS_OK && t->nWithin)
    rc = kind_copy(&b, p->zWithin, sizeof p->zWithin, ds_cql_str(t, t->iWithin), t->iWithinAt);
  if (rc == DS_OK) p->nWithinTokens = t->nWithinTokens;
  if (rc == DS_OK && t->iContaining >= 0) {
    rc = bind_body(&b, t->iContaining, &p->pContaining);
    p->bNotContaining = t->bNotContaining;
  }
  if (rc == DS_OK && t->nExpand) rc = kind_copy(&b, p->zExpand, sizeof p->zExpand, ds_cql_str(t, t->iExpand), t->iExpandAt);
  if (rc == DS_OK) p->nExpandTokens = t->nExpandTokens;
  if (rc == DS_OK && (t->bTarget || t->nLabel)) p->nAnchor = 2 + t->nLabel;
  if (rc == DS_OK) memcpy(p->azLabel, t->azLabel, sizeof p->azLabel);
  if (rc) {
    ds_eval_free(p);
    return rc;
  }
  *pp = p;
  return DS_OK;
}

int ds_eval_docset(ds_corpus *c, const ds_eval *p, const unsigned char **paOk, ds_error *e) {
  *paOk = NULL;
  if (p->bGLabels || !p->aDocOk) return DS_OK;
  for (size_t k = 0; k < p->nDocs; k++) {
    int v = cql_doc_ok(p, c, k, e);
    if (v < 0) return -v;
  }
  *paOk = p->aDocOk;
  return DS_OK;
}

void ds_eval_free(ds_eval *p) {
  if (!p) return;
  cql_vm_free(&p->vm);
  for (int j = 0; j < p->nG; j++) {
    cql_idset_free(&p->aG[j].set);
    ds_free(p->aG[j].aDocOk);
    cql_regex_free(p->aG[j].re);
  }
  ds_free(p->aG);
  ds_free(p->aGKid);
  ds_free(p->aFixCons);
  ds_free(p->aFixSlot);
  ds_free(p->aDocOk);
  ds_free(p->aSpanDocOk);
  cql_spantests_free(p->aSpanTest, p->nSpanTest);
  ds_eval_free(p->pContaining);
  ds_eval_free(p->pA);
  ds_eval_free(p->pB);
  ds_free(p);
}

size_t ds_eval_length(const ds_eval *p) { return (size_t)p->minLen; }

int ds_eval_count_by_freq(ds_corpus *c, const ds_eval *p, int64_t *pn) {
  if (p->eKind != E_BODY || p->nFix != 1 || p->iG >= 0 || p->aDocOk || p->zWithin[0] || p->nWithinTokens ||
      p->pContaining || p->zExpand[0] || p->nExpandTokens || p->vm.nStruct)
    return 0;
  if (p->vm.bEmpty) {
    *pn = 0;
    return 1;
  }
  int j = p->aFixCons[0];
  const cql_cons *x = j >= 0 ? &p->vm.aCons[j] : NULL;
  if (x && x->eKind != DS_CQL_CMP) return 0;
  if ((!x || x->bNe) && ds_corpus_docs_pending(c)) return -1;
  int64_t nTok = 0;
  for (size_t k = 0; k < ds_corpus_ndocs(c); k++) nTok += ds_corpus_doc(c, k)->nTok;
  *pn = !x ? nTok : x->bNe ? nTok - x->set.freq : x->set.freq;
  return 1;
}

size_t ds_eval_anchors(const ds_eval *p) { return p->nAnchor; }

const char *ds_eval_anchor_name(const ds_eval *p, size_t j) {
  if (j >= p->nAnchor) return NULL;
  return j == 0 ? "target" : j == 1 ? "keyword" : p->azLabel[j - 2];
}

int64_t ds_eval_cut_limit(const ds_eval *p) {
  return p->zWithin[0] ? DS_EVAL_MAX_REGION : DS_EVAL_HARD_BOUNDARY;
}

int ds_eval_explain(const ds_eval *p, ds_buf *out) {
  static const char *const azKind[] = {"", "sequence", "spans", "meet", "union"};
  ds_buf_printf(out, "%s", azKind[p->eKind]);
  if (p->eKind == E_BODY) {
    if (p->nFix) ds_buf_printf(out, "; tokens %d", p->nFix);
    else if (cql_gap_plan(p)) ds_buf_printf(out, "; gap %lld..%lld from postings", (long long)p->gapLo, (long long)p->gapHi);
    else ds_buf_printf(out, "; program %d", p->vm.nIns);
    if (p->vm.bEmpty) ds_buf_puts(out, "; empty");
    if (p->iDriver >= 0) {
      const cql_idset *s = &p->vm.aCons[p->iDriver].set;
      ds_buf_printf(out, "; driver %s ids %zu (%lld) at %lld..", ds_attr_name(s->attr), s->nId,
                    (long long)s->freq, (long long)p->offLo);
      if (p->offHi < 0) ds_buf_puts(out, "open");
      else ds_buf_printf(out, "%lld", (long long)p->offHi);
    } else if (p->nAlt) {
      ds_buf_printf(out, "; driver union of %d alternatives (%lld)", p->nAlt, (long long)p->altFreq);
    } else {
      ds_buf_puts(out, "; scan");
    }
  }
  return out->rc ? DS_NOMEM : DS_OK;
}
