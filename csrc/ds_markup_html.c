/*
** ds_markup_html.c -- the HTML reader (ds_html_read, ds_markup.h) on libgumbo: text
** blocks without the site's furniture, the head's metadata, and a check of the nesting
** depth before parsing. It walks gumbo's tree without recursion (an explicit stack), so
** deeply nested input cannot exhaust the C stack here.
*/
#include "ds_markupInt.h"
#include "ds_dynlib.h"

#include <gumbo.h>
#include <string.h>
#include <strings.h>

/* ====================== libgumbo, loaded at the first HTML read ====================== */

#ifndef DS_SONAME_GUMBO
#define DS_SONAME_GUMBO "libgumbo.so.1"
#endif

#define GUMBO_SYMS(X) X(gumbo_parse_with_options) X(gumbo_destroy_output) X(gumbo_get_attribute) \
  X(kGumboDefaultOptions)

static struct {
#define GUMBO_FIELD(f) __typeof__(&f) f;
  GUMBO_SYMS(GUMBO_FIELD)
#undef GUMBO_FIELD
} gb;

static const char *const azGumboFile[] = {DS_SONAME_GUMBO, "libgumbo.so", NULL};
#define GUMBO_NAME(f) #f,
static const char *const azGumboSym[] = {GUMBO_SYMS(GUMBO_NAME) NULL};
#undef GUMBO_NAME
#define GUMBO_SLOT(f) (void **)&gb.f,
static void **const apGumboSlot[] = {GUMBO_SYMS(GUMBO_SLOT)};
#undef GUMBO_SLOT
static ds_dynlib gumbo = {azGumboFile, azGumboSym, apGumboSlot, 0, ""};

/* the calls below go through the table */
#define gumbo_parse_with_options gb.gumbo_parse_with_options
#define gumbo_destroy_output gb.gumbo_destroy_output
#define gumbo_get_attribute gb.gumbo_get_attribute
#define kGumboDefaultOptions (*gb.kGumboDefaultOptions)

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
/* Text of an element: its length in bytes and how much of it is inside links. */
static void text_weight(const GumboNode *n, int bInLink, size_t *pAll, size_t *pLink, int depth) {
  if (n->type == GUMBO_NODE_TEXT) {
    size_t k = strlen(n->v.text.text);
    *pAll += k;
    if (bInLink) *pLink += k;
    return;
  }
  if ((n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) || depth > 64 ||
      *pAll > 20000)
    return;
  int bLink = bInLink || n->v.element.tag == GUMBO_TAG_A;
  const GumboVector *kids = &n->v.element.children;
  for (unsigned i = 0; i < kids->length; i++) text_weight(kids->data[i], bLink, pAll, pLink, depth + 1);
}

/* Does the attribute value hold one of the words (split at spaces, `-` and `_`)? */
static int attr_has_word(const char *z, const char *const *az) {
  while (*z) {
    while (*z == ' ' || *z == '-' || *z == '_') z++;
    size_t n = 0;
    while (z[n] && z[n] != ' ' && z[n] != '-' && z[n] != '_') n++;
    for (const char *const *w = az; *w && n; w++)
      if (strlen(*w) == n && strncasecmp(z, *w, n) == 0) return 1;
    z += n;
  }
  return 0;
}

/*
** Site furniture built of <div>s: an element whose id, class or role says menu, nav,
** footer, sidebar, share, cookie, breadcrumb..., when it is short or mostly links (a
** wrapper such as `has-sidebar` around the article is neither, and stays). Skip links
** (`<a href="#main">Skip to main content</a>`) go too.
*/
static int furniture(const GumboNode *n) {
  static const char *const azWord[] = {"menu", "nav", "navbar", "navigation", "footer",
    "sidebar", "share", "sharing", "social", "cookie", "cookies", "breadcrumb", "breadcrumbs",
    "banner", "subscribe", "newsletter", "masthead", "toolbar", "skip", "consent", NULL};
  static const char *const azRole[] = {"navigation", "banner", "contentinfo", "complementary",
    "search", NULL};
  GumboTag t = n->v.element.tag;
  const GumboVector *at = &n->v.element.attributes;
  if (t == GUMBO_TAG_A) {
    const GumboAttribute *href = gumbo_get_attribute(at, "href");
    if (!href || href->value[0] != '#') return 0;
    const GumboVector *kids = &n->v.element.children;
    for (unsigned i = 0; i < kids->length; i++) {
      const GumboNode *k = kids->data[i];
      if (k->type == GUMBO_NODE_TEXT) {
        const char *z = k->v.text.text;
        while (*z == ' ' || *z == '\n' || *z == '\t') z++;
        return strncasecmp(z, "skip to ", 8) == 0 || strncasecmp(z, "jump to ", 8) == 0;
      }
    }
    return 0;
  }
  if (t == GUMBO_TAG_BODY || t == GUMBO_TAG_HTML || t == GUMBO_TAG_MAIN || t == GUMBO_TAG_ARTICLE)
    return 0;
  const GumboAttribute *role = gumbo_get_attribute(at, "role");
  const GumboAttribute *id = gumbo_get_attribute(at, "id");
  const GumboAttribute *cls = gumbo_get_attribute(at, "class");
  if (!(role && attr_has_word(role->value, azRole)) && !(id && attr_has_word(id->value, azWord)) &&
      !(cls && attr_has_word(cls->value, azWord)))
    return 0;
  size_t nAll = 0, nLink = 0;
  text_weight(n, 0, &nAll, &nLink, 0);
  return nAll < 400 || 2 * nLink >= nAll;
}

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

/*
** The length of a <title> without the site's name after it: `Xi and Putin meet | The
** Register` -> `Xi and Putin meet`. The last ` | `, ` :: `, ` - `, ` – ` or ` — `
** separates it when what follows is short (at most 5 words) and what comes before is
** longer than it.
*/
static size_t title_length(const ds_buf *t) {
  static const char *const azSep[] = {" | ", " :: ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", NULL};
  const char *z = t->p ? (const char *)t->p : "";
  size_t n = t->n;
  while (n > 0 && (z[n - 1] == ' ' || z[n - 1] == '\n' || z[n - 1] == '\t')) n--;
  for (const char *const *s = azSep; *s; s++) {
    size_t k = strlen(*s);
    for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;) {
      if (memcmp(z + i, *s, k) != 0) continue;
      size_t nWords = 1;
      for (size_t j = i + k; j < n; j++) nWords += z[j] == ' ';
      if (nWords <= 5 && n - (i + k) < i) return i;
      break;
    }
  }
  return t->n;
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
      ds_markup_put_meta(m, aMap[k].zKey, content->value, strlen(content->value));
    }
  }
  for (unsigned i = 0; i < kids->length; i++) {
    const GumboNode *n = kids->data[i];
    if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_TITLE) {
      ds_buf t = DS_BUF_INIT;
      node_text(n, &t);
      ds_markup_put_meta(m, "title", t.p ? (const char *)t.p : "", title_length(&t));
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
** Returns z itself, or a copy in *pCopy whose offsets *pMap takes back to z's.
*/
static const char *tame_char_refs(const char *z, size_t n, ds_buf *pCopy, ds_offmap *pMap) {
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
        size_t at = (size_t)(p - z);
        if (ds_offmap_put(pMap, pCopy->n, at - copied, copied, at - copied) ||
            ds_offmap_put(pMap, pCopy->n + at - copied, 7, at, (size_t)(q - p)))
          pCopy->rc = DS_NOMEM;
        ds_buf_append(pCopy, z + copied, at - copied);
        ds_buf_puts(pCopy, "&#65533");      /* the whole reference maps to the whole */
        copied = (size_t)(q - z);
      }
      p = q;
    } else {
      p = d;
    }
  }
  if (copied == 0) return z;
  if (ds_offmap_put(pMap, pCopy->n, n - copied, copied, n - copied)) pCopy->rc = DS_NOMEM;
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
  open_tag *aOpen = ds_malloc_n(DS_HTML_MAX_DEPTH, sizeof *aOpen);
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
    if (nTag == 1 && (zTag[0] | 0x20) == 'a')   /* HTML5 closes an open <a> at the next <a> */
      for (size_t m = nOpen; m-- > 0;)
        if (aOpen[m].n == 1 && (z[aOpen[m].off] | 0x20) == 'a') {
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
  if (ds_dynlib_load(&gumbo))
    return ds_error_set(e, DS_FORMAT, -1, "HTML cannot be read: libgumbo cannot be loaded: %s", gumbo.zErr);
  GumboOptions opts = kGumboDefaultOptions;
  opts.max_errors = 0;                     /* we want the tree, not the error list */
  int rcDepth = html_depth_check(z, n, e);
  if (rcDepth) return rcDepth;
  ds_buf copy = DS_BUF_INIT;
  ds_offmap mCopy = DS_OFFMAP_INIT;        /* gumbo reads the copy: its offsets to z's */
  const char *zIn = tame_char_refs(z, n, &copy, &mCopy);
  size_t nIn = zIn == z ? n : copy.n;
  GumboOutput *g = zIn ? gumbo_parse_with_options(&opts, zIn, nIn) : NULL;
  if (!g) {
    ds_buf_free(&copy);
    ds_offmap_free(&mCopy);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory parsing HTML");
  }
  builder b = BUILDER_INIT(out, pLang);
  ds_offmap mNode = DS_OFFMAP_INIT;        /* a text node's offsets to zIn's */
  step *aStack = NULL;
  size_t nStack = 0, nAlloc = 0;
  /* language and metadata */
  const GumboNode *html = g->root;
  const GumboAttribute *lang = gumbo_get_attribute(&html->v.element.attributes, "lang");
  for (unsigned i = 0; i < html->v.element.children.length; i++) {
    const GumboNode *k = html->v.element.children.data[i];
    if (k->type == GUMBO_NODE_ELEMENT && k->v.element.tag == GUMBO_TAG_HEAD) html_meta(k, out);
  }
  if (lang) ds_markup_put_meta(out, "language", lang->value, strlen(lang->value));
#define PUSH(N, L) do { \
    if (nStack == nAlloc) { \
      size_t nNew_ = nAlloc ? 2 * nAlloc : 256; \
      step *p_ = ds_realloc_n(aStack, nNew_, sizeof *p_); \
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
      const char *zT = node->v.text.text;
      const GumboStringPiece *src = &node->v.text.original_text;
      size_t nT = strlen(zT);
      /* the source of the text: its decoded form is walked against it */
      if (src->data >= zIn && src->length <= nIn && src->data - zIn <= (ptrdiff_t)(nIn - src->length)) {
        size_t nUsed;
        if (ds_markup_align(zT, nT, src->data, src->length, (size_t)(src->data - zIn), ALIGN_HTML, 0, &mNode, &nUsed))
          b.rc = DS_NOMEM;
        ds_markup_put_text(&b, zT, nT, &mNode);
      } else {
        ds_markup_put_text(&b, zT, nT, NULL);
      }
      continue;
    }
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    GumboTag tag = node->v.element.tag;
    if (s.bLeave) {
      if (block(tag)) ds_markup_end_block(&b);
      if (tag == GUMBO_TAG_PRE) b.bPre = 0;
      continue;
    }
    if (skipped(tag) || furniture(node)) continue;
    if (tag == GUMBO_TAG_TIME) {
      const GumboAttribute *dt = gumbo_get_attribute(&node->v.element.attributes, "datetime");
      if (dt) ds_markup_put_meta(out, "date", dt->value, strlen(dt->value));
    }
    if (tag == GUMBO_TAG_BR) {
      ds_markup_put_span(&b, "\n", 1, 0, NULL);
      continue;
    }
    if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) ds_markup_put_text(&b, " ", 1, NULL);
    if (block(tag)) {
      ds_markup_end_block(&b);
      if (heading(tag)) b.bHeading = 1;
      if (tag == GUMBO_TAG_PRE) b.bPre = 1;
    }
    PUSH(node, 1);
    const GumboVector *kids = &node->v.element.children;
    for (unsigned i = kids->length; i-- > 0 && b.rc == DS_OK;) PUSH(kids->data[i], 0);
  }
#undef PUSH
  if (b.rc == DS_OK) ds_markup_end_block(&b);
  if (b.rc == DS_OK && zIn != z) {         /* offsets into z, not into the copy */
    ds_offmap m = DS_OFFMAP_INIT;
    if (ds_offmap_compose(&out->map, &mCopy, &m)) b.rc = DS_NOMEM;
    ds_offmap_free(&out->map);
    out->map = m;
  }
  ds_free(aStack);
  ds_buf_free(&b.block);
  ds_offmap_free(&b.map);
  ds_offmap_free(&mNode);
  ds_offmap_free(&mCopy);
  gumbo_destroy_output(&opts, g);
  ds_buf_free(&copy);
  if (b.rc == DS_OK && out->meta.rc) b.rc = DS_NOMEM;
  return b.rc ? ds_error_set(e, b.rc, -1, "out of memory reading HTML") : DS_OK;
}
