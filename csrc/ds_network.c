/*
** ds_network.c -- co-occurrence networks of span values (see ds_network.h).
*/
#include "ds_network.h"
#include "ds_doc.h"
#include "ds_strmap.h"

#include <stdlib.h>
#include <string.h>

typedef struct netctx {
  ds_network *g;
  ds_strmap nodes;              /* key -> node */
  ds_strmap edges;              /* (a, b) as 8 bytes -> edge */
  size_t nNodeAlloc, nEdgeAlloc;
  int rc;
} netctx;

static int nomem(ds_error *e) { return ds_error_set(e, DS_NOMEM, -1, "out of memory"); }

static size_t put_str(ds_network *g, const char *z) {
  size_t off = g->strs.n;
  ds_buf_append(&g->strs, z, strlen(z) + 1);
  return off;
}

/* The node of key z (added with its label and group when new), or -1 when out of memory. */
static int64_t node_of(netctx *x, const char *zKey, const char *zLabel, const char *zGroup) {
  uint32_t v;
  size_t n = strlen(zKey);
  if (ds_strmap_get(&x->nodes, zKey, n, &v)) return v;
  ds_network *g = x->g;
  if (g->nNode == x->nNodeAlloc) {
    size_t m = x->nNodeAlloc ? 2 * x->nNodeAlloc : 256;
    ds_netnode *p = ds_realloc_n(g->aNode, m, sizeof *p);
    if (!p) return -1;
    g->aNode = p;
    x->nNodeAlloc = m;
  }
  if (g->nNode >= UINT32_MAX - 1 || ds_strmap_put(&x->nodes, zKey, n, (uint32_t)g->nNode)) return -1;
  ds_netnode *d = &g->aNode[g->nNode];
  d->iKey = put_str(g, zKey);
  d->iLabel = put_str(g, zLabel);
  d->iGroup = put_str(g, zGroup);
  d->nFreq = 0;
  if (g->strs.rc) return -1;
  return (int64_t)g->nNode++;
}

/* Count one more co-occurrence of nodes a and b (a != b). */
static int edge_add(netctx *x, uint32_t a, uint32_t b) {
  if (a > b) {
    uint32_t t = a;
    a = b;
    b = t;
  }
  unsigned char key[8];
  for (int i = 0; i < 4; i++) key[i] = (unsigned char)(a >> (8 * i)), key[4 + i] = (unsigned char)(b >> (8 * i));
  uint32_t v;
  ds_network *g = x->g;
  if (!ds_strmap_get(&x->edges, (const char *)key, 8, &v)) {
    if (g->nEdge == x->nEdgeAlloc) {
      size_t m = x->nEdgeAlloc ? 2 * x->nEdgeAlloc : 256;
      ds_netedge *p = ds_realloc_n(g->aEdge, m, sizeof *p);
      if (!p) return DS_NOMEM;
      g->aEdge = p;
      x->nEdgeAlloc = m;
    }
    if (g->nEdge >= UINT32_MAX - 1 || ds_strmap_put(&x->edges, (const char *)key, 8, (uint32_t)g->nEdge))
      return DS_NOMEM;
    v = (uint32_t)g->nEdge++;
    g->aEdge[v] = (ds_netedge){a, b, 0};
  }
  g->aEdge[v].n++;
  return DS_OK;
}

static int cmp_u32(const void *p, const void *q) {
  uint32_t a = *(const uint32_t *)p, b = *(const uint32_t *)q;
  return a < b ? -1 : a > b;
}

static int cmp_edge(const void *p, const void *q) {
  const ds_netedge *a = p, *b = q;
  if (a->a != b->a) return a->a < b->a ? -1 : 1;
  return a->b < b->b ? -1 : a->b > b->b;
}

/* One unit's nodes a[0..n): each counted once, each pair once. */
static int unit_done(netctx *x, uint32_t *a, size_t n) {
  qsort(a, n, sizeof *a, cmp_u32);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (m == 0 || a[m - 1] != a[i]) a[m++] = a[i];
  for (size_t i = 0; i < m; i++) {
    x->g->aNode[a[i]].nFreq++;
    for (size_t j = i + 1; j < m; j++)
      if (edge_add(x, a[i], a[j])) return DS_NOMEM;
  }
  return DS_OK;
}

int ds_count_network(ds_corpus *c, const char *zKind, int iKey, int iLabel, int iGroup, const char *zUnit,
                     int64_t nWindow, const unsigned char *abDoc, ds_network *out, ds_error *e) {
  memset(out, 0, sizeof *out);
  const ds_spankind *sk = ds_spankind_get(ds_spankind_find(zKind));
  if (!sk || iKey < 0 || iKey >= sk->nAttr || iLabel < 0 || iLabel >= sk->nAttr || iGroup < 0 ||
      iGroup >= sk->nAttr || (!zUnit && nWindow <= 0))
    return ds_error_set(e, DS_MISUSE, -1, "network: a recognizer's kind with its values, and a unit or a window");
  netctx x = {.g = out, .nodes = DS_STRMAP_INIT, .edges = DS_STRMAP_INIT};
  uint32_t *aIn = NULL;           /* a unit's nodes, or (windows) each mention's node */
  int64_t *aAt = NULL;            /* (windows) each mention's first token */
  size_t nInAlloc = 0;
  ds_span *aUnit = NULL;
  size_t nUnitAlloc = 0;
  int rc = DS_OK;
  for (size_t k = 0; k < ds_corpus_ndocs(c) && rc == DS_OK; k++) {
    if (abDoc && !abDoc[k]) continue;
    if (ds_interrupted()) {
      rc = ds_interrupt_error(e);
      break;
    }
    const ds_docinfo *d = ds_corpus_doc(c, k);
    const ds_span *a, *u = NULL;
    size_t n, nu = 0;
    if (zUnit) {                   /* the units first: the corpus reuses its span buffer */
      rc = ds_corpus_spans(c, k, zUnit, &u, &nu, e);
      if (rc) break;
      if (nu > nUnitAlloc) {
        ds_span *p = ds_realloc_n(aUnit, nu, sizeof *p);
        if (!p) {
          rc = nomem(e);
          break;
        }
        aUnit = p;
        nUnitAlloc = nu;
      }
      if (nu) memcpy(aUnit, u, nu * sizeof *u);
      out->n += (int64_t)nu;
    } else {
      out->n += d->nTok;
    }
    const char *const *az;
    int nAttr;
    rc = ds_corpus_spans(c, k, zKind, &a, &n, e);
    if (rc == DS_OK) rc = ds_corpus_span_values(c, k, zKind, &az, &nAttr, e);
    if (rc) break;
    if (n > nInAlloc) {
      uint32_t *p = ds_realloc_n(aIn, n, sizeof *p);
      int64_t *q = p ? ds_realloc_n(aAt, n, sizeof *q) : NULL;
      if (p) aIn = p;
      if (q) aAt = q;
      if (!p || !q) {
        rc = nomem(e);
        break;
      }
      nInAlloc = n;
    }
    size_t nIn = 0, iu = 0;
    for (size_t i = 0; i <= n && rc == DS_OK; i++) {
      /* units: a unit is done when the next mention starts past it (or at the end) */
      if (zUnit) {
        while (iu < nu && (i == n || aUnit[iu].last < a[i].first)) {
          if (nIn && unit_done(&x, aIn, nIn)) rc = nomem(e);
          nIn = 0;
          iu++;
        }
        if (i == n || rc) break;
        if (iu >= nu || aUnit[iu].first > a[i].first) continue;     /* in no unit */
      } else if (i == n) {
        break;
      }
      const char *const *v = az + i * (size_t)nAttr;
      if (!*v[iKey]) continue;
      int64_t node = node_of(&x, v[iKey], v[iLabel], v[iGroup]);
      if (node < 0) {
        rc = nomem(e);
        break;
      }
      aIn[nIn] = (uint32_t)node;
      aAt[nIn++] = a[i].first;
    }
    if (rc || zUnit) continue;
    /* windows: each mention with the later ones at most nWindow tokens on */
    for (size_t i = 0; i < nIn && rc == DS_OK; i++) {
      out->aNode[aIn[i]].nFreq++;
      for (size_t j = i + 1; j < nIn && aAt[j] - aAt[i] <= nWindow && rc == DS_OK; j++)
        if (aIn[j] != aIn[i] && edge_add(&x, aIn[i], aIn[j])) rc = nomem(e);
    }
  }
  ds_free(aIn);
  ds_free(aAt);
  ds_free(aUnit);
  ds_strmap_free(&x.nodes);
  ds_strmap_free(&x.edges);
  if (rc == DS_OK && out->strs.rc) rc = nomem(e);
  if (rc) {
    ds_network_free(out);
    return rc;
  }
  if (out->nEdge > 1) qsort(out->aEdge, out->nEdge, sizeof *out->aEdge, cmp_edge);
  return DS_OK;
}

void ds_network_free(ds_network *g) {
  ds_free(g->aNode);
  ds_free(g->aEdge);
  ds_buf_free(&g->strs);
  memset(g, 0, sizeof *g);
}
