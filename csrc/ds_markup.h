/*
** ds_markup.h -- readers for marked-up documents: HTML (libgumbo, an HTML5 parser) and
** Markdown (libcmark, CommonMark; YAML front matter with libyaml).
**
** Each turns valid UTF-8 into plain text made of blocks separated by blank lines (a
** paragraph, a heading, a list item, a table row...), notes which blocks are headings,
** and collects the document's own metadata (HTML <title> and <meta>, <time>; Markdown
** front matter). Scripts, styles, navigation, page headers and footers, asides and forms
** are left out of HTML text.
**
** The text comes with a map back to the input's byte offsets (ds_offmap.h): each piece of
** text to the source bytes it was read from, a character reference or a Markdown escape
** to the whole of it, and what the reader inserts (blank lines between blocks, spaces for
** table cells and soft line breaks, <br>) to nothing.
*/
#ifndef DS_MARKUP_H
#define DS_MARKUP_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_langdata.h"
#include "ds_offmap.h"

typedef struct ds_markup {
  ds_buf text;          /* the plain text, blocks separated by "\n\n" (owned) */
  ds_offmap map;        /* text's offsets to the input's (owned) */
  uint32_t *aHead;      /* start offsets in text of the heading blocks (owned) */
  size_t nHead, nHeadAlloc;
  ds_buf meta;          /* metadata as "key\0value\0" pairs (owned) */
  size_t nMeta;
  size_t nDropped;      /* blocks left out as boilerplate */
} ds_markup;

#define DS_MARKUP_INIT {DS_BUF_INIT, DS_OFFMAP_INIT, NULL, 0, 0, DS_BUF_INIT, 0, 0}

void ds_markup_free(ds_markup *m);

/*
** HTML z[0..n) (valid UTF-8) to blocks and metadata. Blocks that are site furniture by
** pLang's boilerplate list are dropped when pLang is not NULL. Errors: DS_NOMEM.
*/
int ds_html_read(const char *z, size_t n, const ds_langdata *pLang, ds_markup *out, ds_error *e);

/*
** Markdown z[0..n) (valid UTF-8) to blocks and metadata (front matter between `---`
** lines at the top, YAML: `key: value`, lists joined with "; "). Errors: DS_NOMEM,
** DS_FORMAT for malformed front matter (with its line).
*/
int ds_markdown_read(const char *z, size_t n, const ds_langdata *pLang, ds_markup *out,
                     ds_error *e);

#endif
