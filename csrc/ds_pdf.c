/*
** ds_pdf.c -- PDF text and metadata through poppler-glib (see ds_pdf.h).
*/
#include "ds_pdf.h"
#include "ds_utf8.h"

#include <poppler.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* Append a page's text: line ends as LF, no NUL or other control bytes but tab. */
static void put_text(ds_buf *b, const char *z) {
  size_t n = strlen(z);
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

/* Open the PDF, or an error naming zName: not a PDF, encrypted, damaged. */
static PopplerDocument *open_pdf(const char *z, size_t n, const char *zName, ds_error *e) {
  GError *err = NULL;
  if (n < 5 || memcmp(z, "%PDF-", 5) != 0) {
    ds_error_set(e, DS_FORMAT, 0, "%s: not a PDF file (no %%PDF- header)", zName);
    return NULL;
  }
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
  int nPage = poppler_document_get_n_pages(doc);
  out->nPage = nPage > 0 ? (size_t)nPage : 0;
  size_t nText = 0;
  for (int i = 0; i < nPage && out->text.rc == DS_OK; i++) {
    PopplerPage *page = poppler_document_get_page(doc, i);
    gchar *zPage = page ? poppler_page_get_text(page) : NULL;
    if (i > 0) ds_buf_append(&out->text, "\n\f\n", 3);
    size_t before = out->text.n;
    if (zPage) put_text(&out->text, zPage);
    /* a page of only spaces has no text */
    int bText = 0;
    for (size_t k = before; k < out->text.n && !bText; k++) bText = out->text.p[k] > ' ';
    if (bText) nText++;
    else out->nEmpty++;
    while (out->text.n > before && (out->text.p[out->text.n - 1] == '\n' ||
                                    out->text.p[out->text.n - 1] == ' '))
      out->text.n--;
    g_free(zPage);
    if (page) g_object_unref(page);
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
