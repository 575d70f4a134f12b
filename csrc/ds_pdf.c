/*
** ds_pdf.c -- PDF text and metadata through poppler-glib (see ds_pdf.h).
**
** Poppler is loaded when the first PDF is read (dlopen), not with dossier: it brings some
** fifty shared libraries (cairo, GLib, fonts ...), whose loading took 25-30 ms of every
** process, a query's as much as an add of PDFs.
*/
#include "ds_pdf.h"
#include "ds_utf8.h"

#include <dlfcn.h>
#include <math.h>
#include <poppler.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* {====== Poppler and GLib, loaded on first use ====== */

/* The functions used here, by name: the table's fields in the same order. */
#define PDF_FUNCS(X) \
  X(poppler_document_new_from_bytes) X(poppler_document_get_n_pages) X(poppler_document_get_page) \
  X(poppler_page_get_text) X(poppler_page_get_text_layout) X(poppler_document_get_title) \
  X(poppler_document_get_author) X(poppler_document_get_subject) X(poppler_document_get_keywords) \
  X(poppler_document_get_creation_date) X(poppler_document_get_modification_date) \
  X(poppler_document_get_creator) X(poppler_document_get_producer) X(poppler_error_quark) \
  X(g_free) X(g_bytes_new_static) X(g_bytes_unref) X(g_error_free) X(g_unichar_isspace) \
  X(g_utf8_get_char) X(g_object_unref)

static struct {
#define PDF_FIELD(f) __typeof__(&f) f;
  PDF_FUNCS(PDF_FIELD)
#undef PDF_FIELD
} pp;

static pthread_once_t ppOnce = PTHREAD_ONCE_INIT;
static char zPpError[256];    /* why Poppler could not be loaded ("" : it was) */

static void pp_load(void) {
  static const char *const azLib[] = {"libpoppler-glib.so.8", "libpoppler-glib.so"};
  void *h = NULL;
  for (size_t i = 0; i < sizeof azLib / sizeof *azLib && !h; i++) h = dlopen(azLib[i], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *z = dlerror();
    snprintf(zPpError, sizeof zPpError, "%s", z ? z : "libpoppler-glib not found");
    return;
  }
  /* dlsym on the handle also finds what Poppler's own dependencies (GLib, GObject) define */
#define PDF_SYM(f) \
  if (!zPpError[0] && !(*(void **)&pp.f = dlsym(h, #f))) snprintf(zPpError, sizeof zPpError, "no %s in libpoppler-glib", #f);
  PDF_FUNCS(PDF_SYM)
#undef PDF_SYM
}

/* Load Poppler once (any thread): DS_OK, or DS_FORMAT with the reason. */
static int pp_ready(const char *zName, ds_error *e) {
  pthread_once(&ppOnce, pp_load);
  if (!zPpError[0]) return DS_OK;
  return ds_error_set(e, DS_FORMAT, -1, "%s: PDF cannot be read: Poppler (libpoppler-glib) cannot be loaded: %s",
                      zName, zPpError);
}

/* The calls below go through the table. */
#define PDF_CALL(f) pp.f
#define poppler_document_new_from_bytes PDF_CALL(poppler_document_new_from_bytes)
#define poppler_document_get_n_pages PDF_CALL(poppler_document_get_n_pages)
#define poppler_document_get_page PDF_CALL(poppler_document_get_page)
#define poppler_page_get_text PDF_CALL(poppler_page_get_text)
#define poppler_page_get_text_layout PDF_CALL(poppler_page_get_text_layout)
#define poppler_document_get_title PDF_CALL(poppler_document_get_title)
#define poppler_document_get_author PDF_CALL(poppler_document_get_author)
#define poppler_document_get_subject PDF_CALL(poppler_document_get_subject)
#define poppler_document_get_keywords PDF_CALL(poppler_document_get_keywords)
#define poppler_document_get_creation_date PDF_CALL(poppler_document_get_creation_date)
#define poppler_document_get_modification_date PDF_CALL(poppler_document_get_modification_date)
#define poppler_document_get_creator PDF_CALL(poppler_document_get_creator)
#define poppler_document_get_producer PDF_CALL(poppler_document_get_producer)
#define poppler_error_quark PDF_CALL(poppler_error_quark)
#define g_free PDF_CALL(g_free)
#define g_bytes_new_static PDF_CALL(g_bytes_new_static)
#define g_bytes_unref PDF_CALL(g_bytes_unref)
#define g_error_free PDF_CALL(g_error_free)
#define g_unichar_isspace PDF_CALL(g_unichar_isspace)
#define g_utf8_get_char PDF_CALL(g_utf8_get_char)
#define g_object_unref PDF_CALL(g_object_unref)

/* }====== */

/* Append key and value (spaces and line ends squeezed) unless the value is empty. */
static void put_meta(ds_pdf *p, const char *zKey, const char *zVal) {
  if (!zVal) return;
  size_t a = 0, b = strlen(zVal);
  while (a < b && (unsigned char)zVal[a] <= ' ') a++;
  while (b > a && (unsigned char)zVal[b - 1] <= ' ') b--;
  if (a == b || ds_utf8_check(zVal + a, b - a) >= 0) return;
  ds_buf_puts(&p->meta, zKey);
  ds_buf_putc(&p->meta, 0);
  for (size_t i = a; i < b; i++) {
    char ch = (unsigned char)zVal[i] < ' ' ? ' ' : zVal[i];
    if (ch == ' ' && i > a && (unsigned char)zVal[i - 1] <= ' ') continue;
    ds_buf_putc(&p->meta, ch);
  }
  ds_buf_putc(&p->meta, 0);
  p->nMeta++;
}

/* A GLib string from Poppler: put it and free it. */
static void put_gstr(ds_pdf *p, const char *zKey, gchar *z) {
  put_meta(p, zKey, z);
  g_free(z);
}

/* A document date (seconds since the epoch, or -1) as ISO 8601 in UTC. */
static void put_date(ds_pdf *p, const char *zKey, time_t t) {
  if (t == (time_t)-1 || t == 0) return;
  struct tm tm;
  char z[32];
  if (!gmtime_r(&t, &tm) || !strftime(z, sizeof z, "%Y-%m-%d", &tm)) return;
  put_meta(p, zKey, z);
}

/* Append z[0..n): line ends as LF, no NUL or other control bytes but tab. */
static void put_text(ds_buf *b, const char *z, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)z[i];
    if (ch == '\r') {
      if (i + 1 < n && z[i + 1] == '\n') continue;
      ch = '\n';
    } else if (ch < ' ' && ch != '\n' && ch != '\t') {
      ch = ' ';
    }
    ds_buf_putc(b, (char)ch);
  }
}

/* {====== paragraphs from the layout ====== */

/*
** Poppler gives a page's text as lines in reading order, and a rectangle per character
** (poppler_page_get_text_layout; y grows down the page). A line's box is the union of
** its visible characters'. Between two lines of a page, a paragraph starts when
**   - the vertical step from one line's top to the next's is more than 1.3 times the
**     document's line spacing (the commonest step between lines of the same height) and
**     the space between them is more than a quarter of a line: a skipped line, a title
**     set apart, a footnote at the foot of the page; or
**   - the line is indented by more than a third of its height (about an em) against the
**     one before, which ended a sentence, and the next line comes back: a first-line
**     indent (a hanging indent, or a block of indented lines, is not one).
** Lines that run on stay lines of one paragraph. The paragraph break is written as an
** empty line, as plain text marks it; the clean-up then works on the page as before.
*/
typedef struct pline {
  size_t a, b;          /* its bytes in the page's text, without the line end */
  double x1, y1, y2;    /* its box: left, top, bottom (bBox) */
  int bBox;
  int bEnds;            /* its last visible character ends a sentence */
} pline;

typedef struct ppage {
  gchar *z;             /* the page's text (g_free) */
  pline *a;             /* its lines (g_free) */
  size_t n;
} ppage;

/* Steps between lines, counted in quarter points up to 100 pt, for the commonest. */
#define PITCH_BINS 400

/* Does the UTF-8 text z[a..b) end (spaces aside) with a sentence's end? */
static int ends_sentence(const char *z, size_t a, size_t b) {
  while (b > a && (unsigned char)z[b - 1] <= ' ') b--;
  if (b == a) return 0;
  unsigned char c = (unsigned char)z[b - 1];
  if (strchr(".!?:;)\"'", c)) return 1;
  /* ” ’ » (U+201D, U+2019, U+00BB) */
  if (b - a >= 3 && memcmp(z + b - 3, "\xE2\x80\x9D", 3) == 0) return 1;
  if (b - a >= 3 && memcmp(z + b - 3, "\xE2\x80\x99", 3) == 0) return 1;
  if (b - a >= 2 && memcmp(z + b - 2, "\xC2\xBB", 2) == 0) return 1;
  return 0;
}

/* The lines of page text z and their boxes from the rectangles a[0..nRect). */
static int page_lines(const gchar *z, const PopplerRectangle *aRect, guint nRect, ppage *pg) {
  size_t nAlloc = 16, n = 0;
  pline *a = ds_malloc_n(nAlloc, sizeof *a);
  if (!a) return DS_NOMEM;
  const gchar *s = z;
  guint k = 0;                  /* the character's index: its rectangle */
  pline cur = {0, 0, 0, 0, 0, 0, 0};
  for (;;) {
    gunichar ch = *s ? g_utf8_get_char(s) : '\n';
    if (ch == '\n') {
      cur.b = (size_t)(s - z);
      cur.bEnds = ends_sentence(z, cur.a, cur.b);
      if (n == nAlloc) {
        pline *b = ds_realloc_n(a, nAlloc *= 2, sizeof *b);
        if (!b) { ds_free(a); return DS_NOMEM; }
        a = b;
      }
      a[n++] = cur;
      if (!*s) break;
      memset(&cur, 0, sizeof cur);
      cur.a = (size_t)(s - z) + 1;
    } else if (!g_unichar_isspace(ch) && k < nRect && aRect[k].y2 > aRect[k].y1) {
      const PopplerRectangle *r = &aRect[k];
      if (!cur.bBox || r->x1 < cur.x1) cur.x1 = r->x1;
      if (!cur.bBox || r->y1 < cur.y1) cur.y1 = r->y1;
      if (!cur.bBox || r->y2 > cur.y2) cur.y2 = r->y2;
      cur.bBox = 1;
    }
    if (!*s) break;
    do s++; while (((unsigned char)*s & 0xC0) == 0x80);    /* the next character (valid UTF-8) */
    k++;
  }
  pg->a = a;
  pg->n = n;
  return DS_OK;
}

/* Count the steps between lines of about the same height on the page. */
static void count_pitches(const ppage *pg, unsigned *aBin) {
  for (size_t i = 1; i < pg->n; i++) {
    const pline *p = &pg->a[i - 1], *q = &pg->a[i];
    if (!p->bBox || !q->bBox) continue;
    double hp = p->y2 - p->y1, hq = q->y2 - q->y1, d = q->y1 - p->y1;
    if (hp <= 0 || hq <= 0 || hp > 1.2 * hq || hq > 1.2 * hp || d <= 0) continue;
    long bin = lround(d * 4);
    if (bin > 0 && bin < PITCH_BINS) aBin[bin]++;
  }
}

/* Does line i of the page start a paragraph? (pitch: the document's line spacing, or 0) */
static int starts_paragraph(const ppage *pg, size_t i, double pitch) {
  const pline *p = &pg->a[i - 1], *q = &pg->a[i];
  if (!p->bBox || !q->bBox || q->a == q->b) return 0;
  double h = p->y2 - p->y1 > q->y2 - q->y1 ? p->y2 - p->y1 : q->y2 - q->y1;
  double d = q->y1 - p->y1, gap = q->y1 - p->y2;
  if (pitch > 0 && d > 1.3 * pitch && gap > 0.25 * h) return 1;
  if (pitch <= 0 && gap > h) return 1;                 /* no spacing known: a skipped line */
  if (q->x1 > p->x1 + h / 3 && p->bEnds && d > 0) {    /* a first-line indent */
    const pline *r = i + 1 < pg->n && pg->a[i + 1].bBox ? &pg->a[i + 1] : NULL;
    return r && r->x1 < q->x1 - h / 3;
  }
  return 0;
}

/* Append the page's text, an empty line where a paragraph starts. */
static void put_page(ds_buf *b, const ppage *pg, double pitch) {
  for (size_t i = 0; i < pg->n; i++) {
    if (i > 0) ds_buf_putc(b, '\n');
    if (i > 0 && starts_paragraph(pg, i, pitch)) ds_buf_putc(b, '\n');
    put_text(b, pg->z + pg->a[i].a, pg->a[i].b - pg->a[i].a);
  }
}

/* }====== */

/* Open the PDF, or an error naming zName: not a PDF, encrypted, damaged. */
static PopplerDocument *open_pdf(const char *z, size_t n, const char *zName, ds_error *e) {
  GError *err = NULL;
  if (n < 5 || memcmp(z, "%PDF-", 5) != 0) {
    ds_error_set(e, DS_FORMAT, 0, "%s: not a PDF file (no %%PDF- header)", zName);
    return NULL;
  }
  if (pp_ready(zName, e)) return NULL;
  GBytes *bytes = g_bytes_new_static(z, n);
  PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
  g_bytes_unref(bytes);
  if (!doc) {
    int bEnc = err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED;
    ds_error_set(e, DS_FORMAT, -1, bEnc
      ? "%s: encrypted PDF (it needs a password; decrypt it first, e.g. qpdf --decrypt)"
      : "%s: damaged PDF, Poppler cannot read it (%s)", zName,
      err && err->message ? err->message : "unknown error");
  }
  if (err) g_error_free(err);
  return doc;
}

/* The error for a PDF without text. */
static int no_text(int nPage, const char *zName, ds_error *e) {
  return ds_error_set(e, DS_FORMAT, -1,
                      "%s: no text in its %d page%s (scanned images? dossier does not do OCR)",
                      zName, nPage, nPage == 1 ? "" : "s");
}

int ds_pdf_probe(const char *z, size_t n, const char *zName, ds_error *e) {
  PopplerDocument *doc = open_pdf(z, n, zName, e);
  if (!doc) return DS_FORMAT;
  int nPage = poppler_document_get_n_pages(doc), bText = 0;
  for (int i = 0; i < nPage && !bText; i++) {
    PopplerPage *page = poppler_document_get_page(doc, i);
    gchar *zPage = page ? poppler_page_get_text(page) : NULL;
    for (const char *p = zPage; p && *p && !bText; p++) bText = (unsigned char)*p > ' ';
    g_free(zPage);
    if (page) g_object_unref(page);
  }
  g_object_unref(doc);
  return bText ? DS_OK : no_text(nPage, zName, e);
}

int ds_pdf_read(const char *z, size_t n, const char *zName, ds_pdf *out, ds_error *e) {
  PopplerDocument *doc = open_pdf(z, n, zName, e);
  if (!doc) return DS_FORMAT;
  int nPage = poppler_document_get_n_pages(doc), rc = DS_OK;
  out->nPage = nPage > 0 ? (size_t)nPage : 0;
  size_t nText = 0;
  /* first every page's text and lines, and the document's line spacing; then the text */
  ppage *aPage = nPage > 0 ? ds_malloc_n((size_t)nPage, sizeof *aPage) : NULL;
  unsigned *aBin = ds_malloc_n(PITCH_BINS, sizeof *aBin);
  if ((nPage > 0 && !aPage) || !aBin) rc = DS_NOMEM;
  if (aPage) memset(aPage, 0, (size_t)nPage * sizeof *aPage);
  if (aBin) memset(aBin, 0, PITCH_BINS * sizeof *aBin);
  for (int i = 0; i < nPage && rc == DS_OK; i++) {
    if (ds_interrupted()) rc = DS_INTERRUPTED;         /* Ctrl-C: a long report */
    PopplerPage *page = rc ? NULL : poppler_document_get_page(doc, i);
    if (!page) continue;
    PopplerRectangle *aRect = NULL;
    guint nRect = 0;
    aPage[i].z = poppler_page_get_text(page);
    if (aPage[i].z && !poppler_page_get_text_layout(page, &aRect, &nRect)) nRect = 0;
    if (aPage[i].z && page_lines(aPage[i].z, aRect, nRect, &aPage[i])) rc = DS_NOMEM;
    else count_pitches(&aPage[i], aBin);
    g_free(aRect);
    g_object_unref(page);
  }
  double pitch = 0;
  unsigned nBest = 0;
  for (int k = 1; k < PITCH_BINS && rc == DS_OK; k++)
    if (aBin[k] > nBest) nBest = aBin[k], pitch = k / 4.0;
  for (int i = 0; i < nPage && rc == DS_OK && out->text.rc == DS_OK; i++) {
    if (i > 0) ds_buf_append(&out->text, "\n\f\n", 3);
    size_t before = out->text.n;
    put_page(&out->text, &aPage[i], pitch);
    /* a page of only spaces has no text */
    int bText = 0;
    for (size_t k = before; k < out->text.n && !bText; k++) bText = out->text.p[k] > ' ';
    if (bText) nText++;
    else out->nEmpty++;
    while (out->text.n > before && (out->text.p[out->text.n - 1] == '\n' ||
                                    out->text.p[out->text.n - 1] == ' '))
      out->text.n--;
  }
  for (int i = 0; aPage && i < nPage; i++) {
    g_free(aPage[i].z);
    ds_free(aPage[i].a);
  }
  ds_free(aPage);
  ds_free(aBin);
  if (rc) {
    g_object_unref(doc);
    return rc == DS_INTERRUPTED ? ds_interrupt_error(e) : ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
  }
  ds_buf_putc(&out->text, '\n');
  put_gstr(out, "title", poppler_document_get_title(doc));
  put_gstr(out, "authors", poppler_document_get_author(doc));
  put_gstr(out, "subject", poppler_document_get_subject(doc));
  put_gstr(out, "keywords", poppler_document_get_keywords(doc));
  time_t tCreated = poppler_document_get_creation_date(doc);
  put_date(out, "date", tCreated != (time_t)-1 && tCreated != 0 ? tCreated
                                                                : poppler_document_get_modification_date(doc));
  put_gstr(out, "creator", poppler_document_get_creator(doc));
  put_gstr(out, "producer", poppler_document_get_producer(doc));
  char zPages[24];
  snprintf(zPages, sizeof zPages, "%d", nPage);
  put_meta(out, "pages", zPages);
  g_object_unref(doc);
  if (out->text.rc || out->meta.rc) return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
  if (nText == 0) return no_text(nPage, zName, e);
  return DS_OK;
}

void ds_pdf_free(ds_pdf *p) {
  ds_buf_free(&p->text);
  ds_buf_free(&p->meta);
  memset(p, 0, sizeof *p);
}
