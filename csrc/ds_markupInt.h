/*
** ds_markupInt.h -- what the two markup readers share: the block builder, aligning a
** node's text with its source bytes, metadata. Only ds_markup*.c include it; the public
** API is ds_markup.h.
**
**   ds_markup.c        the block builder, text aligned with its source, metadata
**   ds_markup_html.c   HTML (libgumbo): furniture, head metadata, the nesting-depth check
**   ds_markup_md.c     Markdown (libcmark) and its YAML front matter (libyaml)
*/
#ifndef DS_MARKUPINT_H
#define DS_MARKUPINT_H

#include "ds_markup.h"

typedef struct builder {
  ds_markup *out;
  ds_buf block;         /* the block being gathered */
  ds_offmap map;        /* block's offsets to the input's */
  int bHeading;         /* it is a heading */
  int bPre;             /* keep its white space (preformatted) */
  const ds_langdata *pLang;
  int rc;
} builder;

#define BUILDER_INIT(OUT, LANG) {(OUT), DS_BUF_INIT, DS_OFFMAP_INIT, 0, 0, (LANG), DS_OK}

/* What a text was read from: HTML, Markdown text (escapes), Markdown code (neither
   references nor escapes). */
enum { ALIGN_HTML = 0, ALIGN_MD, ALIGN_CODE };

/* (their contracts are at their definitions in ds_markup.c) */
void ds_markup_put_span(builder *b, const char *zAdd, size_t nAdd, size_t a, const ds_offmap *src);
void ds_markup_put_text(builder *b, const char *z, size_t n, const ds_offmap *src);
void ds_markup_end_block(builder *b);
size_t ds_markup_refused(const char *s, size_t nS, size_t j);
int ds_markup_starts_at(const char *t, size_t nT, size_t i, const char *s, size_t nS, size_t j,
                        int mode);
int ds_markup_align(const char *t, size_t nT, const char *s, size_t nS, size_t base, int mode,
                    int bStrict, ds_offmap *res, size_t *pEnd);
void ds_markup_add_meta(ds_markup *m, const char *zKey, const char *zVal, size_t nVal);
void ds_markup_put_meta(ds_markup *m, const char *zKey, const char *zVal, size_t nVal);

#endif
