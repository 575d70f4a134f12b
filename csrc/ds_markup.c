/*
** ds_markup.c -- HTML and Markdown readers (see ds_markup.h).
**
** Both walk their library's tree without recursion (an explicit stack for HTML, cmark's
** iterator for Markdown), so deeply nested input cannot exhaust the C stack here.
*/
#include "ds_markup.h"

#include <cmark.h>
#include <gumbo.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

void ds_markup_free(ds_markup *m) {
  ds_buf_free(&m->text);
  ds_free(m->aHead);
  ds_buf_free(&m->meta);
  memset(m, 0, sizeof *m);
}

/* ====================== shared: blocks and metadata ====================== */

typedef struct builder {
  ds_markup *out;
  ds_buf block;         /* the block being gathered */
  int bHeading;         /* it is a heading */
  int bPre;             /* keep its white space (preformatted) */
  const ds_langdata *pLang;
  int rc;
} builder;

/* Append text to the current block, white space collapsed unless preformatted. */
static void put_text(builder *b, const char *z, size_t n) {
  if (b->bPre) {
    ds_buf_append(&b->block, z, n);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    char ch = z[i];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f') {
      if (b->block.n > 0 && b->block.p[b->block.n - 1] != ' ' && b->block.p[b->block.n - 1] != '\n')
        ds_buf_putc(&b->block, ' ');
    } else {
      ds_buf_putc(&b->block, ch);
    }
  }
}

/* End the current block: trimmed, dropped if furniture, else appended to the text. */
static void end_block(builder *b) {
  const char *z = (const char *)b->block.p;
  size_t a = 0, e = b->block.n;
  while (a < e && (z[a] == ' ' || z[a] == '\n')) a++;
  while (e > a && (z[e - 1] == ' ' || z[e - 1] == '\n')) e--;
  if (e > a) {
    if (b->pLang && ds_langdata_boilerplate(b->pLang, z + a, e - a)) {
      b->out->nDropped++;
    } else {
      ds_markup *m = b->out;
      if (m->text.n) ds_buf_append(&m->text, "\n\n", 2);
      if (b->bHeading) {
        if (m->nHead == m->nHeadAlloc) {
          size_t nNew = m->nHeadAlloc ? 2 * m->nHeadAlloc : 16;
          uint32_t *p = ds_realloc(m->aHead, nNew * sizeof *p);
          if (!p) b->rc = DS_NOMEM;
          else { m->aHead = p; m->nHeadAlloc = nNew; }
        }
        if (!b->rc) m->aHead[m->nHead++] = (uint32_t)m->text.n;
      }
      ds_buf_append(&m->text, z + a, e - a);
    }
  }
  ds_buf_reset(&b->block);
  b->bHeading = 0;
  if (b->block.rc || b->out->text.rc) b->rc = DS_NOMEM;
}

/* Record metadata key = value (white space collapsed), unless the key has one already. */
static void put_meta(ds_markup *m, const char *zKey, const char *zVal, size_t nVal) {
  for (size_t off = 0, k = 0; k < m->nMeta; k++) {
    const char *zK = (const char *)m->meta.p + off;
    if (strcmp(zK, zKey) == 0) return;
    off += strlen(zK) + 1;
    off += strlen((const char *)m->meta.p + off) + 1;
  }
  size_t a = 0, e = nVal;
  while (a < e && (zVal[a] == ' ' || zVal[a] == '\n' || zVal[a] == '\t')) a++;
  while (e > a && (zVal[e - 1] == ' ' || zVal[e - 1] == '\n' || zVal[e - 1] == '\t')) e--;
  if (e == a) return;
  ds_buf_puts(&m->meta, zKey);
  ds_buf_putc(&m->meta, 0);
  for (size_t i = a; i < e; i++) {
    char ch = zVal[i];
    if (ch == '\n' || ch == '\t' || ch == '\r') ch = ' ';
    if (ch == ' ' && i > a && (zVal[i - 1] == ' ' || zVal[i - 1] == '\n')) continue;
    ds_buf_putc(&m->meta, ch);
  }
  ds_buf_putc(&m->meta, 0);
  m->nMeta++;
}

/* ====================== HTML ====================== */

/* Elements whose content is not document text. */
static int skipped(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SVG: case GUMBO_TAG_IFRAME: case GUMBO_TAG_NAV:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FORM: case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_HEAD: case GUMBO_TAG_HEADER: case GUMBO_TAG_MENU:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_CANVAS: case GUMBO_TAG_MATH:
      return 1;
    default:
      return 0;
  }
}

/* Elements that begin and end a block of text. */
static int block(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_LI:
    case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
    case GUMBO_TAG_TR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_HR: case GUMBO_TAG_BODY: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_TITLE:
      return 1;
    default:
      return 0;
  }
}

static int heading(GumboTag t) {
  return t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 || t == GUMBO_TAG_H4 ||
         t == GUMBO_TAG_H5 || t == GUMBO_TAG_H6;
}

/* The text inside node (for <title>), appended to b. */
static void node_text(const GumboNode *node, ds_buf *b) {
  const GumboVector *kids = &node->v.element.children;
  for (unsigned i = 0; i < kids->length; i++) {
    const GumboNode *k = kids->data[i];
    if (k->type == GUMBO_NODE_TEXT || k->type == GUMBO_NODE_WHITESPACE) ds_buf_puts(b, k->v.text.text);
  }
}

/* Metadata from <head>: title, meta tags. */
static void html_meta(const GumboNode *head, ds_markup *m) {
  static const struct { const char *zAttr, *zKey; } aMap[] = {
    {"citation_title", "title"}, {"og:title", "title"}, {"dc.title", "title"},
    {"author", "authors"}, {"citation_author", "authors"}, {"article:author", "authors"},
    {"dc.creator", "authors"}, {"citation_publication_date", "date"},
    {"article:published_time", "date"}, {"date", "date"}, {"dc.date", "date"},
    {"pubdate", "date"}, {"description", "description"}, {"og:description", "description"},
    {"og:site_name", "publisher"}, {"citation_publisher", "publisher"}, {"dc.publisher", "publisher"},
    {"og:url", "url"}, {"keywords", "keywords"},
  };
  const GumboVector *kids = &head->v.element.children;
  for (size_t k = 0; k < sizeof aMap / sizeof *aMap; k++) {
    for (unsigned i = 0; i < kids->length; i++) {
      const GumboNode *n = kids->data[i];
      if (n->type != GUMBO_NODE_ELEMENT || n->v.element.tag != GUMBO_TAG_META) continue;
      const GumboAttribute *name = gumbo_get_attribute(&n->v.element.attributes, "name");
      if (!name) name = gumbo_get_attribute(&n->v.element.attributes, "property");
      const GumboAttribute *content = gumbo_get_attribute(&n->v.element.attributes, "content");
      if (!name || !content || strcasecmp(name->value, aMap[k].zAttr) != 0) continue;
      put_meta(m, aMap[k].zKey, content->value, strlen(content->value));
    }
  }
  for (unsigned i = 0; i < kids->length; i++) {
    const GumboNode *n = kids->data[i];
    if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_TITLE) {
      ds_buf t = DS_BUF_INIT;
      node_text(n, &t);
      put_meta(m, "title", t.p ? (const char *)t.p : "", t.n);
      ds_buf_free(&t);
    }
  }
}

/* A step of the walk: a node, entered or left. */
typedef struct step {
  const GumboNode *node;
  int bLeave;
} step;

/*
** Numeric character references too long for any code point (`&#3111111111;`) overflow an
** int inside gumbo 0.10; write them as U+FFFD, which is what they mean, before parsing.
** Returns z itself, or a copy in *pCopy.
*/
static const char *tame_char_refs(const char *z, size_t n, ds_buf *pCopy) {
  const char *p = z, *end = z + n;
  size_t copied = 0;
  while ((p = memchr(p, '&', (size_t)(end - p))) != NULL) {
    const char *d = p + 1;
    if (d < end && *d == '#') {
      d++;
      int hex = d < end && (*d == 'x' || *d == 'X');
      if (hex) d++;
      const char *q = d;
      while (q < end && (hex ? ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f') || (*q >= '0' && *q <= '9')
                             : (*q >= '0' && *q <= '9')))
        q++;
      if (q - d > (hex ? 6 : 7)) {
        ds_buf_append(pCopy, z + copied, (size_t)(p - z) - copied);
        ds_buf_puts(pCopy, "&#65533");
        copied = (size_t)(q - z);
      }
      p = q;
    } else {
      p = d;
    }
  }
  if (copied == 0) return z;
  ds_buf_append(pCopy, z + copied, n - copied);
  return pCopy->rc ? NULL : (const char *)pCopy->p;
}

/* ====================== HTML: nesting depth ====================== */

/*
** libgumbo 0.10 takes time proportional to the depth of open elements for each tag and
** frees its tree recursively, so 10^6 nested <div> or <b> take minutes or overflow the
** C stack. html_depth_check follows the nesting in one pass before gumbo sees the text,
** as the HTML5 tree builder roughly does: void elements do not nest, a start tag of an
** element whose end tag may be left out (p, li, td...) closes the open one, an end tag
** closes up to its element, and the text of script, style and the like is skipped.
*/
#define DS_HTML_MAX_DEPTH 1000

static int tag_is(const char *zTag, size_t nTag, const char *const *az) {
  for (; *az; az++)
    if (strlen(*az) == nTag && strncasecmp(zTag, *az, nTag) == 0) return 1;
  return 0;
}

static const char *const azVoid[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
  "link", "meta", "param", "source", "track", "wbr", "keygen", "frame", NULL};
static const char *const azOptionalEnd[] = {"p", "li", "dt", "dd", "option", "optgroup", "tr",
  "td", "th", "rb", "rt", "rp", "thead", "tbody", "tfoot", "colgroup", "caption", NULL};
static const char *const azRawText[] = {"script", "style", "textarea", "title", "xmp", "iframe",
  "noembed", "noframes", "noscript", "plaintext", NULL};

typedef struct open_tag { uint32_t off; uint16_t n; } open_tag;

/* DS_OK, or DS_LIMIT with the byte offset of the tag that nests too deep. */
static int html_depth_check(const char *z, size_t n, ds_error *e) {
  open_tag *aOpen = ds_malloc(DS_HTML_MAX_DEPTH * sizeof *aOpen);
  if (!aOpen) return ds_error_set(e, DS_NOMEM, -1, "out of memory reading HTML");
  size_t nOpen = 0, i = 0;
  int rc = DS_OK;
  while (i < n && rc == DS_OK) {
    const char *lt = memchr(z + i, '<', n - i);
    if (!lt) break;
    size_t a = (size_t)(lt - z), k = a + 1;
    int bEnd = k < n && z[k] == '/';
    if (bEnd) k++;
    if (k >= n || !((z[k] | 0x20) >= 'a' && (z[k] | 0x20) <= 'z')) {
      if (k < n && z[k] == '!' && n - k >= 3 && memcmp(z + k, "!--", 3) == 0) {
        const char *end = NULL;      /* a comment runs to --> */
        for (size_t m = k + 3; m + 2 < n + 0 && !end; m++)
          if (z[m] == '-' && z[m + 1] == '-' && z[m + 2] == '>') end = z + m + 3;
        i = end ? (size_t)(end - z) : n;
      } else {
        i = k;
      }
      continue;
    }
    size_t t = k;
    while (k < n && z[k] != '>' && z[k] != '/' && z[k] != ' ' && z[k] != '\t' && z[k] != '\n' &&
           z[k] != '\r' && z[k] != '\f')
      k++;
    const char *zTag = z + t;
    size_t nTag = k - t;
    char q = 0;                      /* to the end of the tag, over quoted values */
    while (k < n && (q || z[k] != '>')) {
      if (q ? z[k] == q : (z[k] == '"' || z[k] == '\'')) q = q ? 0 : z[k];
      k++;
    }
    i = k < n ? k + 1 : n;
    if (nTag > 0xFFFF) continue;
    if (bEnd) {
      for (size_t m = nOpen; m-- > 0;)
        if (aOpen[m].n == nTag && strncasecmp(z + aOpen[m].off, zTag, nTag) == 0) {
          nOpen = m;
          break;
        }
      continue;
    }
    if (tag_is(zTag, nTag, azVoid)) continue;
    if (tag_is(zTag, nTag, azRawText)) {
      size_t m = i;                  /* its text runs to its end tag */
      while (m + 2 + nTag <= n && !(z[m] == '<' && z[m + 1] == '/' &&
                                    strncasecmp(z + m + 2, zTag, nTag) == 0))
        m++;
      i = m + 2 + nTag <= n ? m : n;
      continue;
    }
    if (tag_is(zTag, nTag, azOptionalEnd))
      for (size_t m = nOpen; m-- > 0 && nOpen - m <= 8;)
        if (aOpen[m].n == nTag && strncasecmp(z + aOpen[m].off, zTag, nTag) == 0) {
          nOpen = m;
          break;
        }
    if (nOpen == DS_HTML_MAX_DEPTH) {
      rc = ds_error_set(e, DS_LIMIT, (int64_t)a,
                        "HTML elements nested more than %d deep (<%.*s> at byte %zu)",
                        DS_HTML_MAX_DEPTH, (int)(nTag > 20 ? 20 : nTag), zTag, a);
      break;
    }
    aOpen[nOpen++] = (open_tag){(uint32_t)t, (uint16_t)nTag};
  }
  ds_free(aOpen);
  return rc;
}

int ds_html_read(const char *z, size_t n, const ds_langdata *pLang, ds_markup *out, ds_error *e) {
  GumboOptions opts = kGumboDefaultOptions;
  opts.max_errors = 0;                     /* we want the tree, not the error list */
  int rcDepth = html_depth_check(z, n, e);
  if (rcDepth) return rcDepth;
  ds_buf copy = DS_BUF_INIT;
  const char *zIn = tame_char_refs(z, n, &copy);
  if (!zIn) {
    ds_buf_free(&copy);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory reading HTML");
  }
  GumboOutput *g = gumbo_parse_with_options(&opts, zIn, zIn == z ? n : copy.n);
  if (!g) {
    ds_buf_free(&copy);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory parsing HTML");
  }
  builder b = {out, DS_BUF_INIT, 0, 0, pLang, DS_OK};
  step *aStack = NULL;
  size_t nStack = 0, nAlloc = 0;
  /* language and metadata */
  const GumboNode *html = g->root;
  const GumboAttribute *lang = gumbo_get_attribute(&html->v.element.attributes, "lang");
  for (unsigned i = 0; i < html->v.element.children.length; i++) {
    const GumboNode *k = html->v.element.children.data[i];
    if (k->type == GUMBO_NODE_ELEMENT && k->v.element.tag == GUMBO_TAG_HEAD) html_meta(k, out);
  }
  if (lang) put_meta(out, "language", lang->value, strlen(lang->value));
#define PUSH(N, L) do { \
    if (nStack == nAlloc) { \
      size_t nNew_ = nAlloc ? 2 * nAlloc : 256; \
      step *p_ = ds_realloc(aStack, nNew_ * sizeof *p_); \
      if (!p_) { b.rc = DS_NOMEM; break; } \
      aStack = p_; nAlloc = nNew_; \
    } \
    aStack[nStack++] = (step){(N), (L)}; \
  } while (0)
  PUSH(g->root, 0);
  while (nStack > 0 && b.rc == DS_OK) {
    step s = aStack[--nStack];
    const GumboNode *node = s.node;
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
        node->type == GUMBO_NODE_CDATA) {
      put_text(&b, node->v.text.text, strlen(node->v.text.text));
      continue;
    }
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    GumboTag tag = node->v.element.tag;
    if (s.bLeave) {
      if (block(tag)) end_block(&b);
      if (tag == GUMBO_TAG_PRE) b.bPre = 0;
      continue;
    }
    if (skipped(tag)) continue;
    if (tag == GUMBO_TAG_TIME) {
      const GumboAttribute *dt = gumbo_get_attribute(&node->v.element.attributes, "datetime");
      if (dt) put_meta(out, "date", dt->value, strlen(dt->value));
    }
    if (tag == GUMBO_TAG_BR) {
      ds_buf_putc(&b.block, '\n');
      continue;
    }
    if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) put_text(&b, " ", 1);
    if (block(tag)) {
      end_block(&b);
      if (heading(tag)) b.bHeading = 1;
      if (tag == GUMBO_TAG_PRE) b.bPre = 1;
    }
    PUSH(node, 1);
    const GumboVector *kids = &node->v.element.children;
    for (unsigned i = kids->length; i-- > 0 && b.rc == DS_OK;) PUSH(kids->data[i], 0);
  }
#undef PUSH
  if (b.rc == DS_OK) end_block(&b);
  ds_free(aStack);
  ds_buf_free(&b.block);
  gumbo_destroy_output(&opts, g);
  ds_buf_free(&copy);
  if (b.rc == DS_OK && out->meta.rc) b.rc = DS_NOMEM;
  return b.rc ? ds_error_set(e, b.rc, -1, "out of memory reading HTML") : DS_OK;
}

/* ====================== Markdown ====================== */

/*
** YAML front matter z[0..n) to metadata: top-level `key: scalar` and `key: [list]` or a
** block list (joined with "; "). Errors name the line.
*/
static int front_matter(const char *z, size_t n, ds_markup *m, ds_error *e) {
  yaml_parser_t p;
  yaml_event_t ev;
  int rc = DS_OK, depth = 0, done = 0;
  char zKey[64] = "";
  int bKey = 1;                 /* the next top-level scalar is a key */
  ds_buf list = DS_BUF_INIT;
  int inList = 0;
  if (!yaml_parser_initialize(&p)) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
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
          put_meta(m, zKey, list.p ? (const char *)list.p : "", list.n);
          inList = 0;
          bKey = 1;
        }
        break;
      case YAML_SCALAR_EVENT: {
        const char *zVal = (const char *)ev.data.scalar.value;
        size_t nVal = ev.data.scalar.length;
        if (depth == 1) {
          if (bKey) snprintf(zKey, sizeof zKey, "%.*s", (int)nVal, zVal);
          else put_meta(m, zKey, zVal, nVal);
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
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&p);
  ds_buf_free(&list);
  return rc;
}

int ds_markdown_read(const char *z, size_t n, const ds_langdata *pLang, ds_markup *out,
                     ds_error *e) {
  /* front matter: `---` on the first line, up to the next `---` or `...` line */
  if (n >= 4 && memcmp(z, "---\n", 4) == 0) {
    size_t i = 4;
    while (i < n) {
      const char *nl = memchr(z + i, '\n', n - i);
      size_t eol = nl ? (size_t)(nl - z) : n;
      if ((eol - i == 3 && (memcmp(z + i, "---", 3) == 0 || memcmp(z + i, "...", 3) == 0))) {
        int rc = front_matter(z + 4, i - 4, out, e);
        if (rc) return rc;
        z += eol;
        n -= eol;
        break;
      }
      i = eol + 1;
    }
  }
  cmark_node *doc = cmark_parse_document(z, n, CMARK_OPT_DEFAULT);
  if (!doc) return ds_error_set(e, DS_NOMEM, -1, "out of memory reading Markdown");
  builder b = {out, DS_BUF_INIT, 0, 0, pLang, DS_OK};
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while (b.rc == DS_OK && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(node);
    switch (t) {
      case CMARK_NODE_PARAGRAPH: case CMARK_NODE_HEADING: case CMARK_NODE_ITEM:
      case CMARK_NODE_BLOCK_QUOTE: case CMARK_NODE_THEMATIC_BREAK:
        end_block(&b);
        if (ev == CMARK_EVENT_ENTER && t == CMARK_NODE_HEADING) b.bHeading = 1;
        break;
      case CMARK_NODE_CODE_BLOCK: {
        end_block(&b);
        const char *zLit = cmark_node_get_literal(node);
        b.bPre = 1;
        if (zLit) put_text(&b, zLit, strlen(zLit));
        b.bPre = 0;
        end_block(&b);
        break;
      }
      case CMARK_NODE_TEXT: case CMARK_NODE_CODE: {
        const char *zLit = cmark_node_get_literal(node);
        if (zLit) put_text(&b, zLit, strlen(zLit));
        break;
      }
      case CMARK_NODE_SOFTBREAK:
        put_text(&b, " ", 1);
        break;
      case CMARK_NODE_LINEBREAK:
        ds_buf_putc(&b.block, '\n');
        break;
      default:                 /* emphasis, links: their text comes as TEXT nodes */
        break;
    }
  }
  if (b.rc == DS_OK) end_block(&b);
  cmark_iter_free(it);
  cmark_node_free(doc);
  ds_buf_free(&b.block);
  if (b.rc == DS_OK && out->meta.rc) b.rc = DS_NOMEM;
  return b.rc ? ds_error_set(e, b.rc, -1, "out of memory reading Markdown") : DS_OK;
}
