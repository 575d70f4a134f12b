/*
** ds_offmap.h -- maps from the byte offsets of a text made from another back to it.
**
** Each stage that rewrites text (UTF-16 or ISO 8859-1 conversion, byte order mark and
** CR LF removal, NFC, the extraction clean-up) records which bytes of its output came
** from which bytes of its input as segments; composing the maps of the stages gives,
** for any range of the clean text, the range of the raw file it came from.
**
** A segment maps out[out, out+nOut) to in[in, in+nIn) proportionally, which is exact at
** every character boundary when the segment is made of characters of one ratio (ASCII
** read from UTF-16: 1 byte out for 2 in; CR LF to LF: 1 for 2; a copy: 1 for 1). Text
** inserted by a stage (a line break, a space) has nIn = 0. An empty map is the identity.
**
**   size_t a = ds_offmap_start(&m, tok.start), b = ds_offmap_end(&m, tok.end);
**   -- raw[a, b) is where the token came from
*/
#ifndef DS_OFFMAP_H
#define DS_OFFMAP_H

#include "ds.h"

typedef struct ds_offseg {
  uint32_t out, nOut;   /* bytes [out, out+nOut) of the text made */
  uint32_t in, nIn;     /* came from bytes [in, in+nIn) of the text read */
} ds_offseg;

typedef struct ds_offmap {
  ds_offseg *a;         /* segments in output order (owned) */
  size_t n, nAlloc;
} ds_offmap;

#define DS_OFFMAP_INIT {NULL, 0, 0}

void ds_offmap_free(ds_offmap *m);

/*
** Record that out[out, out+nOut) came from in[in, in+nIn); calls come in output order.
** A segment continuing the last one at the same ratio extends it. DS_OK or DS_NOMEM.
*/
int ds_offmap_put(ds_offmap *m, size_t out, size_t nOut, size_t in, size_t nIn);

/* Input offset where the output byte at `off` starts (for the start of a range). */
size_t ds_offmap_start(const ds_offmap *m, size_t off);

/* Input offset where the output range ending at `off` ends (for the end of a range). */
size_t ds_offmap_end(const ds_offmap *m, size_t off);

/*
** *res = the map of `outer` (text C from text B) followed by `inner` (text B from text
** A): C's offsets to A's. *res must be empty. DS_OK or DS_NOMEM.
*/
int ds_offmap_compose(const ds_offmap *outer, const ds_offmap *inner, ds_offmap *res);

/*
** Append to *res what m says of m's output range [a, e), moved to start at res's output
** offset `at`: segments cut at a and e (proportionally), and any part m does not cover
** as inserted text (nIn = 0), so res stays end to end. DS_OK or DS_NOMEM.
*/
int ds_offmap_slice(const ds_offmap *m, size_t a, size_t e, size_t at, ds_offmap *res);

#endif
