/*
** ds_postings.h -- posting lists: the ascending corpus positions of one lexicon id in
** one segment, as a self-describing blob with skip data.
**
** Blob layout (all numbers LEB128 varints):
**   n                          number of positions
**   k                          number of skip entries: (n - 1) / DS_POST_BLOCK
**   k x (dpos, doff)           skip entry j (1..k): the position of posting j*BLOCK,
**                              as a delta from entry j-1's (entry 0: the first
**                              posting), and the byte offset in `data` where posting
**                              j*BLOCK + 1 starts, as a delta from entry j-1's
**   data                       n deltas: posting i - posting i-1 (posting -1 is -1),
**                              so every delta is >= 1
** A cursor reads the positions in order and can seek forward by whole blocks through
** the skip entries, so intersecting a short list with a long one reads a fraction of it.
**
**   ds_postcur cur; int64_t pos;
**   if (ds_postcur_init(&cur, blob, nBlob) == DS_OK)
**     while (ds_postcur_next(&cur, &pos) == DS_OK) ...;     (DS_DONE at the end)
*/
#ifndef DS_POSTINGS_H
#define DS_POSTINGS_H

#include "ds_buf.h"

#define DS_POST_BLOCK 128

/*
** Append the blob for n positions whose deltas (as above) are deltas[0..nDeltas) to
** out. Returns DS_OK, DS_NOMEM or DS_CORRUPT (the deltas do not hold n positions).
*/
int ds_postings_encode(const unsigned char *deltas, size_t nDeltas, uint64_t n, ds_buf *out);

/*
** Append the blob for n positions to out from its parts made as the positions came: the
** skip entries skip[0..nSkip) ((n - 1) / DS_POST_BLOCK of them, as above) and the deltas.
** Returns DS_OK or DS_NOMEM.
*/
int ds_postings_join(uint64_t n, const unsigned char *skip, size_t nSkip,
                     const unsigned char *deltas, size_t nDeltas, ds_buf *out);

/* A reading position in one blob. */
typedef struct ds_postcur {
  const unsigned char *pSkip;   /* the skip entries */
  const unsigned char *pData;   /* start of the deltas */
  const unsigned char *p;       /* next delta to read */
  const unsigned char *end;     /* end of the blob */
  uint64_t n;                   /* positions in the list */
  uint64_t nSkip;               /* skip entries */
  uint64_t i;                   /* positions read so far */
  int64_t pos;                  /* the last position read (-1 before the first) */
  /* skip entries read so far, for seeking */
  uint64_t iSkip;               /* entries consumed */
  int64_t skipPos;              /* position of the last consumed entry */
  uint64_t skipOff;             /* its data offset */
  const unsigned char *pSkipNext;
} ds_postcur;

/* Start reading blob b[0..nb). Returns DS_OK or DS_CORRUPT (a damaged header). */
int ds_postcur_init(ds_postcur *c, const unsigned char *b, size_t nb);

/* The next position into *pPos: DS_OK, DS_DONE at the end, DS_CORRUPT. */
int ds_postcur_next(ds_postcur *c, int64_t *pPos);

/*
** The first position >= target into *pPos (from the cursor on: it only moves forward):
** DS_OK, DS_DONE if there is none, DS_CORRUPT.
*/
int ds_postcur_seek(ds_postcur *c, int64_t target, int64_t *pPos);

/*
** Decode a whole blob, appending its positions to *pa (grown with ds_realloc; *pAlloc is
** its capacity) and *pn. Returns DS_OK, DS_NOMEM or DS_CORRUPT.
*/
int ds_postings_decode(const unsigned char *b, size_t nb, int64_t **pa, size_t *pn,
                       size_t *pAlloc);

#endif
