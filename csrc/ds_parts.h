/*
** ds_parts.h -- a large plain-text input read, parsed and tagged a part at a time, so
** that memory does not grow with the document.
**
** The raw bytes are read about nPart at a time; each chunk is parsed as a document of its
** own (ds_parse_and_tag) and cut before its last paragraph, else its last sentence, else its last
** token, which go again at the head of the next chunk: so the parts' sentences are those
** of the whole document (the sentence splitter sees every boundary with its context on
** both sides). A part is cut inside a sentence or a paragraph only when a chunk holds no
** boundary, and the flags say so (DS_PART_JOIN_*, ds_store.h: the store joins them
** again). Byte offsets in error messages and clean-up changes, and the lines of changes,
** are of the whole input; a part's token offsets map to raw bytes through its aMap plus
** *pRawBase.
**
**   ds_parts p;
**   if (ds_parts_open(&p, "big.txt", NULL, 0, &ro, 0, NULL, &e) == DS_OK) {
**     ds_doc *d; int flags; int64_t base;
**     while ((rc = ds_parts_next(&p, &d, &flags, &base, &e)) == DS_OK) { ...; ds_doc_free(d); }
**     ds_parts_close(&p);      -- rc is DS_DONE at the end, else an error
**   }
** Only plain text (DS_FMT_TEXT) is read in parts; HTML and Markdown are parsed whole.
*/
#ifndef DS_PARTS_H
#define DS_PARTS_H

#include "ds_annotate.h"
#include "ds_doc.h"
#include "ds_reader.h"

/* Raw bytes per part: the default, and the least that ds_ingest derives from a budget. */
#define DS_PART_BYTES ((size_t)4 << 20)
#define DS_PART_MIN   ((size_t)1 << 20)

typedef struct ds_parts {
  int fd;                     /* the file, or -1 when reading z */
  const char *z;              /* the bytes, when in memory */
  size_t n;
  size_t iz;                  /* bytes of z taken into buf */
  ds_read_opts ro;            /* how to read (pTagger: tag each part with it) */
  ds_lemma_memo *pMemo;       /* lemma memo for tagging (borrowed; may be NULL) */
  size_t nPart;               /* raw bytes per chunk */
  size_t nGrow;               /* more bytes for this chunk: no cut found (a long token) */
  ds_buf buf;                 /* a byte order mark (nPre bytes), then the input from base */
  size_t nPre;
  int64_t base;               /* input offset of the first byte after the prefix */
  uint64_t line, col;         /* lines before base, and bytes before it on its line */
  int enc;                    /* 0 UTF-8 or ISO 8859-1, 1 UTF-16 LE, 2 UTF-16 BE */
  int bEof;                   /* all of the input is in buf */
  int flags;                  /* DS_PART_JOIN_* of the next part */
  int bPrevCR;                /* the last byte consumed was CR (for counting CR LF once) */
} ds_parts;

/*
** Read zPath (or, when zPath is NULL, z[0..n)) in parts of about nPart raw bytes (0:
** DS_PART_BYTES; tests use tiny parts). o->format must be DS_FMT_TEXT. When o->pTagger
** is set, each part is tagged, with pMemo (may be NULL). Errors: DS_IO.
*/
int ds_parts_open(ds_parts *p, const char *zPath, const char *z, size_t n, const ds_read_opts *o,
                  size_t nPart, ds_lemma_memo *pMemo, ds_error *e);

/*
** The next part: a new document *pd (the caller frees it; it may have no tokens), the
** DS_PART_JOIN_* flags that join it to the part before, and the input offset its aMap
** is relative to. DS_DONE when the input is through; errors as ds_parse_and_tag's.
*/
int ds_parts_next(ds_parts *p, ds_doc **pd, int *pFlags, int64_t *pRawBase, ds_error *e);

void ds_parts_close(ds_parts *p);

#endif
