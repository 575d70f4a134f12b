/*
** ds_markup_md.c -- the Markdown reader (ds_markdown_read, ds_markup.h) on libcmark, with
** YAML front matter (libyaml). It walks the tree with cmark's iterator, not recursion, so
** deeply nested input cannot exhaust the C stack here.
*/
#include "ds_markupInt.h"
#include "ds_doc.h"
#include "ds_dynlib.h"
#include "ds_strmap.h"

#include <cmark.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

/* ============= libcmark and libyaml, loaded at the first Markdown read ============= */

#ifndef DS_SONAME_CMARK
#define DS_SONAME_CMARK "libcmark.so.0.30.2"
#endif
#ifndef DS_SONAME_YAML
#define DS_SONAME_YAML "libyaml-0.so.2"
#endif

#define CMARK_SYMS(X) X(cmark_parse_document) X(cmark_node_free) X(cmark_node_get_type) \
  X(cmark_node_get_literal) X(cmark_node_get_start_line) X(cmark_node_get_start_column) \
  X(cmark_node_get_end_line) X(cmark_iter_new) X(cmark_iter_next) X(cmark_iter_get_node) \
  X(cmark_iter_free)
#define YAML_SYMS(X) X(yaml_parser_initialize) X(yaml_parser_set_input_string) X(yaml_parser_parse) \
  X(yaml_event_delete) X(yaml_parser_delete)

#define MD_FIELD(f) __typeof__(&f) f;
#define MD_NAME(f) #f,
#define MD_SLOT(f) (void **)&md.f,
static struct {
  CMARK_SYMS(MD_FIELD)
  YAML_SYMS(MD_FIELD)
} md;
static const char *const azCmarkFile[] = {DS_SONAME_CMARK, "libcmark.so", NULL};
static const char *const azCmarkSym[] = {CMARK_SYMS(MD_NAME) NULL};
static void **const apCmarkSlot[] = {CMARK_SYMS(MD_SLOT)};
static ds_dynlib cmark = {azCmarkFile, azCmarkSym, apCmarkSlot, 0, ""};
static const char *const azYamlFile[] = {DS_SONAME_YAML, "libyaml.so", NULL};
static const char *const azYamlSym[] = {YAML_SYMS(MD_NAME) NULL};
static void **const apYamlSlot[] = {YAML_SYMS(MD_SLOT)};
static ds_dynlib yaml = {azYamlFile, azYamlSym, apYamlSlot, 0, ""};
#undef MD_FIELD
#undef MD_NAME
#undef MD_SLOT

/* the calls below go through the table */
#define cmark_parse_document md.cmark_parse_document
#define cmark_node_free md.cmark_node_free
#define cmark_node_get_type md.cmark_node_get_type
#define cmark_node_get_literal md.cmark_node_get_literal
#define cmark_node_get_start_line md.cmark_node_get_start_line
#define cmark_node_get_start_column md.cmark_node_get_start_column
#define cmark_node_get_end_line md.cmark_node_get_end_line
#define cmark_iter_new md.cmark_iter_new
#define cmark_iter_next md.cmark_iter_next
#define cmark_iter_get_node md.cmark_iter_get_node
#define cmark_iter_free md.cmark_iter_free
#define yaml_parser_initialize md.yaml_parser_initialize
#define yaml_parser_set_input_string md.yaml_parser_set_input_string
#define yaml_parser_parse md.yaml_parser_parse
#define yaml_event_delete md.yaml_event_delete
#define yaml_parser_delete md.yaml_parser_delete

/* ====================== Markdown ====================== */

/* Front matter is at most this many bytes and this deep (libyaml's time grows with the
   depth for each token: 10^5 levels took a minute); beyond, the document is refused. */
#define DS_FRONT_MATTER_MAX_BYTES (1 << 20)
#define DS_FRONT_MATTER_MAX_DEPTH 64

/* Record a front-matter key = value unless the key was seen (the first one counts). */
static void put_front(ds_markup *m, ds_strmap *seen, const char *zKey, const char *zVal, size_t nVal) {
  if (ds_strmap_has(seen, zKey, strlen(zKey))) return;
  if (ds_strmap_put(seen, zKey, strlen(zKey), 0)) { m->meta.rc = DS_NOMEM; return; }
  ds_markup_add_meta(m, zKey, zVal, nVal);
}

/*
** YAML front matter z[0..n) to metadata: top-level `key: scalar` and `key: [list]` or a
** block list (joined with "; "). Errors name the line. Linear in the number of keys;
** larger than DS_FRONT_MATTER_MAX_BYTES or deeper than DS_FRONT_MATTER_MAX_DEPTH: refused.
*/
static int front_matter(const char *z, size_t n, ds_markup *m, ds_error *e) {
  if (ds_dynlib_load(&yaml))
    return ds_error_set(e, DS_FORMAT, -1, "Markdown front matter cannot be read: libyaml cannot be loaded: %s",
                        yaml.zErr);
  yaml_parser_t p;
  yaml_event_t ev;
  int rc = DS_OK, depth = 0, done = 0;
  char zKey[64] = "";
  int bKey = 1;                 /* the next top-level scalar is a key */
  ds_buf list = DS_BUF_INIT;
  int inList = 0;
  if (n > DS_FRONT_MATTER_MAX_BYTES)
    return ds_error_set(e, DS_FORMAT, -1, "front matter of %zu bytes: more than the %d allowed",
                        n, DS_FRONT_MATTER_MAX_BYTES);
  ds_strmap seen = DS_STRMAP_INIT;
  {                             /* the keys already there */
    size_t off = 0;
    const char *zK, *zV;
    while (ds_meta_next(&m->meta, &off, &zK, &zV))
      if (ds_strmap_put(&seen, zK, strlen(zK), 0)) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  if (!yaml_parser_initialize(&p)) {
    ds_strmap_free(&seen);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  yaml_parser_set_input_string(&p, (const unsigned char *)z, n);
  while (!done && rc == DS_OK) {
    if (!yaml_parser_parse(&p, &ev)) {
      rc = ds_error_set(e, DS_FORMAT, -1, "front matter, line %zu: %s", p.problem_mark.line + 2,
                        p.problem ? p.problem : "malformed YAML");
      break;
    }
    switch (ev.type) {
      case YAML_MAPPING_START_EVENT:
        depth++;
        break;
      case YAML_MAPPING_END_EVENT:
        depth--;
        break;
      case YAML_SEQUENCE_START_EVENT:
        if (depth == 1 && !bKey) { inList = 1; ds_buf_reset(&list); }
        depth++;
        break;
      case YAML_SEQUENCE_END_EVENT:
        depth--;
        if (depth == 1 && inList) {
          put_front(m, &seen, zKey, list.p ? (const char *)list.p : "", list.n);
          inList = 0;
          bKey = 1;
        }
        break;
      case YAML_SCALAR_EVENT: {
        const char *zVal = (const char *)ev.data.scalar.value;
        size_t nVal = ev.data.scalar.length;
        if (depth == 1) {
          if (bKey) {
            snprintf(zKey, sizeof zKey, "%.*s", (int)nVal, zVal);
            /* the same name as HTML's <meta name="author"> and PDF's Author give */
            if (strcmp(zKey, "author") == 0) snprintf(zKey, sizeof zKey, "authors");
          } else {
            put_front(m, &seen, zKey, zVal, nVal);
          }
          bKey = !bKey;
        } else if (inList && depth == 2) {
          if (list.n) ds_buf_append(&list, "; ", 2);
          ds_buf_append(&list, zVal, nVal);
        }
        break;
      }
      case YAML_STREAM_END_EVENT:
        done = 1;
        break;
      default:
        break;
    }
    if (depth > DS_FRONT_MATTER_MAX_DEPTH)
      rc = ds_error_set(e, DS_FORMAT, -1, "front matter, line %zu: nested deeper than %d levels",
                        ev.start_mark.line + 2, DS_FRONT_MATTER_MAX_DEPTH);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&p);
  ds_buf_free(&list);
  ds_strmap_free(&seen);
  if (rc == DS_OK && m->meta.rc) rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
  return rc;
}

/* Offsets of the starts of the lines of z[0..n) in *pa (malloc'd), their count in *pn. */
static int line_starts(const char *z, size_t n, uint32_t **pa, size_t *pn) {
  size_t nLine = 1;
  for (const char *p = z; (p = memchr(p, '\n', (size_t)(z + n - p))) != NULL; p++) nLine++;
  uint32_t *a = ds_malloc_n(nLine, sizeof *a);
  if (!a) return DS_NOMEM;
  a[0] = 0;
  for (size_t i = 0, k = 1; i < n; i++)
    if (z[i] == '\n') a[k++] = (uint32_t)(i + 1);
  *pa = a;
  *pn = nLine;
  return DS_OK;
}

/* Offset in z of 1-based line l, column c, or SIZE_MAX when the line has no such column. */
static size_t md_offset(const uint32_t *aLine, size_t nLine, size_t n, int l, int c) {
  if (l < 1 || (size_t)l > nLine || c < 1) return SIZE_MAX;
  size_t off = aLine[l - 1] + (size_t)c - 1;
  return off < ((size_t)l < nLine ? aLine[l] : n + 1) ? off : SIZE_MAX;
}

/* Offset in z just past the line break ending 1-based line l (n for the last line). */
static size_t md_line_end(const uint32_t *aLine, size_t nLine, size_t n, int l) {
  return l >= 1 && (size_t)l < nLine ? aLine[l] : n;
}

/*
** Where in z[cursor, end) the literal t[0..nT) of an inline node starts. cmark 0.30 gives
** inline nodes positions, but on a paragraph's later lines they can be off: there a
** column is the paragraph's first column (paraCol) plus the offset in the line after its
** container prefix (`>`, a list item's indentation), so on a lazy line, which has no
** prefix, it lies up to paraCol - 1 bytes right of the text; no new line after a code
** span that ran over one. So: on a later line, at the first column from the leftmost
** the text can have where it aligns without a skip; then at the node's position if it
** aligns there (its first 4096 bytes), else where it first does so after the cursor
** (where the previous node's source ended), else at the position if it starts there,
** else from the cursor on, which ds_markup_align skips to the text. *pScratch is overwritten.
*/
static size_t md_inline_start(cmark_node *node, const char *z, const uint32_t *aLine,
                              size_t nLine, size_t cursor, size_t end, const char *t,
                              size_t nT, int mode, int paraLine, int paraCol,
                              ds_offmap *pScratch) {
  int l = cmark_node_get_start_line(node), c = cmark_node_get_start_column(node);
  size_t a = md_offset(aLine, nLine, end, l, c), nUsed;
  int bAt = a != SIZE_MAX && a >= cursor && a < end;
  size_t nKey = nT < 4096 ? nT : 4096;     /* bounds the time per node */
#define CLEAN(K) (ds_markup_align(t, nKey, z + (K), end - (K), 0, mode, 1, pScratch, &nUsed) == DS_OK)
  if (nT == 0) return bAt ? a : cursor;
  for (int k = c - paraCol + 1; l > paraLine && k < c; k++) {   /* prefixes shorter than paraCol - 1 */
    size_t b = k >= 1 ? md_offset(aLine, nLine, end, l, k) : SIZE_MAX;
    if (b != SIZE_MAX && b >= cursor && b < end && CLEAN(b)) return b;
  }
  if (bAt && CLEAN(a)) return a;
  for (size_t k = cursor; k < end && k - cursor <= 256; k++)
    if (CLEAN(k)) return k;
#undef CLEAN
  if (bAt && ds_markup_starts_at(t, nT, 0, z, end, a, mode)) return a;
  return cursor;
}

/*
** Does the code block whose source starts at z[a] (before `end`) open with a fence (three
** or more ` or ~)? Not when that line is the literal's first (an indented block's
** content that looks like one). Its literal then starts on the next line: aligned from
** the fence, the fence's own line break would be taken for the literal's first.
*/
static int md_fenced(const char *z, size_t a, size_t end, const char *zLit) {
  size_t k = a;
  while (k < end && k - a < 3 && (z[k] == '`' || z[k] == '~') && z[k] == z[a]) k++;
  if (k - a < 3) return 0;
  const char *nl = memchr(z + a, '\n', end - a);
  size_t nLine = nl ? (size_t)(nl - (z + a)) : end - a, nFirst = strcspn(zLit, "\n");
  return !(nLine == nFirst && memcmp(z + a, zLit, nLine) == 0);
}

int ds_markdown_read(const char *z, size_t n, const ds_langdata *pLang, ds_markup *out,
                     ds_error *e) {
  if (ds_dynlib_load(&cmark))
    return ds_error_set(e, DS_FORMAT, -1, "Markdown cannot be read: libcmark cannot be loaded: %s", cmark.zErr);
  size_t skip = 0;              /* bytes of front matter before what cmark reads */
  /* front matter: `---` on the first line, up to the next `---` or `...` line */
  if (n >= 4 && memcmp(z, "---\n", 4) == 0) {
    size_t i = 4;
    while (i < n) {
      const char *nl = memchr(z + i, '\n', n - i);
      size_t eol = nl ? (size_t)(nl - z) : n;
      if ((eol - i == 3 && (memcmp(z + i, "---", 3) == 0 || memcmp(z + i, "...", 3) == 0))) {
        int rc = front_matter(z + 4, i - 4, out, e);
        if (rc) return rc;
        skip = eol;
        z += eol;
        n -= eol;
        break;
      }
      i = eol + 1;
    }
  }
  uint32_t *aLine = NULL;
  size_t nLine = 0;
  if (line_starts(z, n, &aLine, &nLine)) return ds_error_set(e, DS_NOMEM, -1, "out of memory reading Markdown");
  cmark_node *doc = cmark_parse_document(z, n, CMARK_OPT_DEFAULT);
  if (!doc) {
    ds_free(aLine);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory reading Markdown");
  }
  builder b = BUILDER_INIT(out, pLang);
  ds_offmap mNode = DS_OFFMAP_INIT;        /* a node's literal's offsets to the input's */
  size_t cursor = 0, end = n;              /* the current block's source not yet mapped */
  int paraLine = 0, paraCol = 1;           /* where the current paragraph or heading starts */
  /* a literal in z[A, end), mapped to its source, which then ends at the cursor */
#define PUT_LITERAL(LIT, A, MODE) do { \
    size_t nLit_ = strlen(LIT), a_ = (A), nUsed_; \
    if (ds_markup_align((LIT), nLit_, z + a_, end - a_, skip + a_, (MODE), 0, &mNode, &nUsed_)) b.rc = DS_NOMEM; \
    ds_markup_put_text(&b, (LIT), nLit_, &mNode); \
    cursor = a_ + nUsed_; \
  } while (0)
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while (b.rc == DS_OK && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(node);
    switch (t) {
      case CMARK_NODE_PARAGRAPH: case CMARK_NODE_HEADING: case CMARK_NODE_ITEM:
      case CMARK_NODE_BLOCK_QUOTE: case CMARK_NODE_THEMATIC_BREAK:
        ds_markup_end_block(&b);
        if (ev == CMARK_EVENT_ENTER && t == CMARK_NODE_HEADING) b.bHeading = 1;
        if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING)) {
          /* block positions are right: its text lies between its start and its last line's end */
          size_t a = md_offset(aLine, nLine, n, cmark_node_get_start_line(node),
                               cmark_node_get_start_column(node));
          end = md_line_end(aLine, nLine, n, cmark_node_get_end_line(node));
          cursor = a != SIZE_MAX && a < end ? a : end;
          paraLine = cmark_node_get_start_line(node);
          paraCol = cmark_node_get_start_column(node);
        }
        break;
      case CMARK_NODE_CODE_BLOCK: {
        ds_markup_end_block(&b);
        const char *zLit = cmark_node_get_literal(node);
        b.bPre = 1;
        size_t a = md_offset(aLine, nLine, n, cmark_node_get_start_line(node),
                             cmark_node_get_start_column(node));
        end = md_line_end(aLine, nLine, n, cmark_node_get_end_line(node));
        if (zLit && a != SIZE_MAX && a < end && md_fenced(z, a, end, zLit))
          a = md_line_end(aLine, nLine, n, cmark_node_get_start_line(node));
        if (zLit) PUT_LITERAL(zLit, a != SIZE_MAX && a < end ? a : end, ALIGN_CODE);
        b.bPre = 0;
        ds_markup_end_block(&b);
        break;
      }
      case CMARK_NODE_TEXT: case CMARK_NODE_CODE: {
        const char *zLit = cmark_node_get_literal(node);
        int mode = t == CMARK_NODE_CODE ? ALIGN_CODE : ALIGN_MD;
        if (zLit)
          PUT_LITERAL(zLit, md_inline_start(node, z, aLine, nLine, cursor, end, zLit, strlen(zLit), mode,
                                          paraLine, paraCol, &mNode), mode);
        break;
      }
      case CMARK_NODE_SOFTBREAK:
        ds_markup_put_text(&b, " ", 1, NULL);
        break;
      case CMARK_NODE_LINEBREAK:
        ds_markup_put_span(&b, "\n", 1, 0, NULL);
        break;
      default:                 /* emphasis, links: their text comes as TEXT nodes */
        break;
    }
  }
#undef PUT_LITERAL
  if (b.rc == DS_OK) ds_markup_end_block(&b);
  cmark_iter_free(it);
  cmark_node_free(doc);
  ds_free(aLine);
  ds_buf_free(&b.block);
  ds_offmap_free(&b.map);
  ds_offmap_free(&mNode);
  if (b.rc == DS_OK && out->meta.rc) b.rc = DS_NOMEM;
  return b.rc ? ds_error_set(e, b.rc, -1, "out of memory reading Markdown") : DS_OK;
}
