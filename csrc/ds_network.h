/*
** ds_network.h -- who is named with whom: co-occurrence of the values of a recognizer's
** spans (entities by id, usually) within a unit (a sentence, a paragraph) or a window of
** tokens, for the `network` recipe.
**
** Units (zUnit `s`, `p` ...): a node's frequency is the number of units naming it, an
** edge's the number of units naming both; N is the number of units. Windows (nWindow >
** 0, zUnit NULL): a node's frequency is its mentions, an edge's the pairs of mentions of
** the two whose first tokens are at most nWindow tokens apart (in one document); N is
** the number of tokens. Two mentions of one node never make an edge.
*/
#ifndef DS_NETWORK_H
#define DS_NETWORK_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_store.h"

typedef struct ds_netnode {
  size_t iKey, iLabel, iGroup;  /* its key, label (first seen) and group: offsets in strs */
  int64_t nFreq;                /* units naming it, or (windows) its mentions */
} ds_netnode;

typedef struct ds_netedge {
  uint32_t a, b;                /* nodes, a < b */
  int64_t n;                    /* units naming both, or pairs of mentions in a window */
} ds_netedge;

typedef struct ds_network {
  ds_netnode *aNode;            /* in order of first mention (owned) */
  size_t nNode;
  ds_netedge *aEdge;            /* by a, then b (owned) */
  size_t nEdge;
  int64_t n;                    /* N: units, or tokens */
  ds_buf strs;                  /* the nodes' strings, each NUL-ended (owned) */
} ds_network;

#define DS_NETWORK_INIT {NULL, 0, NULL, 0, 0, DS_BUF_INIT}

/*
** The network of the spans of kind zKind (`ent`) in the documents of abDoc (NULL: all):
** nodes keyed by value iKey of each span (`id`), labelled by value iLabel (`name`) and
** grouped by value iGroup (`type`); spans whose key is "" are left out. A span counts
** in the unit holding its first token. DS_OK, DS_MISUSE (a kind without such values, no
** unit and no window), DS_NOMEM, or the store's error.
*/
int ds_count_network(ds_corpus *c, const char *zKind, int iKey, int iLabel, int iGroup, const char *zUnit,
                     int64_t nWindow, const unsigned char *abDoc, ds_network *out, ds_error *e);

/* The string at offset i of the network's strs. */
static inline const char *ds_network_str(const ds_network *g, size_t i) { return (const char *)g->strs.p + i; }

void ds_network_free(ds_network *g);

#endif
