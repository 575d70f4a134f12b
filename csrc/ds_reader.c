/*
** ds_reader.c -- file reading and the plain-text reader (see ds_reader.h).
*/
#include "ds_reader.h"
#include "ds_buf.h"
#include "ds_markup.h"
#include "ds_pdf.h"
#include "ds_utf8.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>

/* 1-based line and column (in bytes) of byte offset `off`. */
static void line_col(const char *z, size_t off, size_t *pLine, size_t *pCol) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < off; i++) {
    if (z[i] == '\n') { line++; col = 1; }
    else col++;
  }
  *pLine = line;
  *pCol = col;
}

/* Is the line z[a..b) empty or only spaces and tabs? */
static int blank(const char *z, size_t a, size_t b) {
  for (size_t i = a; i < b; i++)
    if (z[i] != ' ' && z[i] != '\t' && z[i] != '\f' && z[i] != '\v') return 0;
  return 1;
}

/*
** A heading: a paragraph of one line, not too long, starting with a capital or a section
** number and not ending like a sentence or a clause (`2 Digital Surveillance and ...`).
*/
static int is_heading(const char *z, size_t a, size_t b) {
  while (a < b && (z[a] == ' ' || z[a] == '\t')) a++;
  if (a >= b || b - a > 120) return 0;
  const char *nl = memchr(z + a, '\n', b - a);
  /* a numbered heading may wrap once (`4 Technology, Decoupling and ...`) */
  if (nl && (!(z[a] >= '0' && z[a] <= '9') || memchr(nl + 1, '\n', (size_t)(z + b - nl - 1))))
    return 0;
  unsigned char c0 = (unsigned char)z[a], cl = (unsigned char)z[b - 1];
  if (!((c0 >= 'A' && c0 <= 'Z') || (c0 >= '0' && c0 <= '9'))) return 0;
  if (cl == '.' || cl == ',' || cl == ';' || cl == '!' || cl == '?') return 0;
  size_t nWords = 1;
  for (size_t i = a; i < b; i++) nWords += z[i] == ' ' || z[i] == '\n';
  return nWords <= 14;
}

int ds_format_find(const char *zName) {
  static const struct { const char *z; int fmt; } a[] = {
    {"txt", DS_FMT_TEXT}, {"text", DS_FMT_TEXT}, {"html", DS_FMT_HTML}, {"htm", DS_FMT_HTML},
    {"xhtml", DS_FMT_HTML}, {"md", DS_FMT_MARKDOWN}, {"markdown", DS_FMT_MARKDOWN},
    {"pdf", DS_FMT_PDF},
  };
  for (size_t k = 0; k < sizeof a / sizeof *a; k++)
    if (strcmp(zName, a[k].z) == 0) return a[k].fmt;
  return -1;
}

/* Add paragraph [start, end) of d->zText, with its kind (or DS_PARA_HEADING if bHead). */
static int add_para(ds_doc *d, size_t start, size_t end, size_t footStart, int bHead) {
  while (start < end && (d->zText[start] == ' ' || d->zText[start] == '\t')) start++;
  if (ds_doc_add_para(d, (uint32_t)start, (uint32_t)end)) return DS_NOMEM;
  d->aPara[d->nPara - 1].kind = start >= footStart ? DS_PARA_FOOTNOTE
                              : bHead || is_heading(d->zText, start, end) ? DS_PARA_HEADING
                              : DS_PARA_TEXT;
  return DS_OK;
}

/* A numbered section heading on line [a, b): `2 Digital Surveillance and ...`. */
static int numbered_heading(const char *z, size_t a, size_t b) {
  while (a < b && z[a] == ' ') a++;
  size_t d = a;
  while (d < b && ((z[d] >= '0' && z[d] <= '9') || (z[d] == '.' && d > a))) d++;
  if (d == a || d - a > 6 || d + 1 >= b || z[d] != ' ' || !(z[d + 1] >= 'A' && z[d + 1] <= 'Z'))
    return 0;
  return is_heading(z, a, b);
}

static size_t line_end(const char *z, size_t n, size_t i) {
  const char *nl = memchr(z + i, '\n', n - i);
  return nl ? (size_t)(nl - z) : n;
}

/*
** Split d->zText into paragraphs at blank lines; those from footStart on are footnotes.
** A numbered heading stands alone even when the extraction left no blank line around it.
*/
static int split_paragraphs(ds_doc *d, size_t footStart) {
  const char *z = d->zText;
  size_t n = d->nText, i = 0, start = 0, end = 0;
  int inPara = 0;
  while (i < n) {
    size_t eol = line_end(z, n, i);
    if (blank(z, i, eol)) {
      if (inPara && add_para(d, start, end, footStart, 0)) return DS_NOMEM;
      inPara = 0;
    } else if (i < footStart && numbered_heading(z, i, eol) &&
               (!inPara || (end > start && strchr(".!?:", z[end - 1])))) {
      if (inPara && add_para(d, start, end, footStart, 0)) return DS_NOMEM;
      inPara = 0;
      size_t e2 = eol < n ? line_end(z, n, eol + 1) : eol;
      /* a heading wrapped onto a second short line, with a blank line after it */
      if (eol < n && e2 > eol + 1 && e2 - eol - 1 <= 60 && z[eol + 1] >= 'A' && z[eol + 1] <= 'Z' &&
          !strchr(".,;:!?", z[e2 - 1]) && (e2 >= n || z[e2 + 1] == '\n'))
        eol = e2;
      if (add_para(d, i, eol, footStart, 1)) return DS_NOMEM;
    } else {
      if (!inPara) start = i;
      inPara = 1;
      end = eol;
    }
    i = eol + 1;
  }
  if (inPara && add_para(d, start, end, footStart, 0)) return DS_NOMEM;
  return DS_OK;
}

/*
** UTF-16 with a byte order mark (z[0..n), BOM included) to UTF-8 in *out, mapped in *map.
** Errors name the byte offset of an unpaired surrogate or of a final odd byte.
*/
static int utf16_to_utf8(const unsigned char *z, size_t n, const char *zName, int64_t base,
                         ds_buf *out, ds_offmap *map, ds_error *e) {
  int bBig = z[0] == 0xFE;
  for (size_t i = 2; i < n; i += 2) {
    if (i + 1 >= n)
      return ds_error_set(e, DS_UTF8, base + (int64_t)i, "%s: UTF-16 text of an odd length", zName);
    size_t at = i, o = out->n;
    uint32_t u = bBig ? (uint32_t)(z[i] << 8 | z[i + 1]) : (uint32_t)(z[i + 1] << 8 | z[i]);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
      uint32_t v = bBig ? (uint32_t)(z[i + 2] << 8 | z[i + 3]) : (uint32_t)(z[i + 3] << 8 | z[i + 2]);
      if (v >= 0xDC00 && v <= 0xDFFF) {
        u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
        i += 2;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF)
      return ds_error_set(e, DS_UTF8, base + (int64_t)i, "%s: invalid UTF-16 at byte %lld (unpaired surrogate)",
                          zName, (long long)(base + (int64_t)i));
    if (u == 0) return ds_error_set(e, DS_FORMAT, base + (int64_t)i, "%s: binary file (NUL character at byte %lld)",
                                    zName, (long long)(base + (int64_t)i));
    ds_utf8_put(out, (int32_t)u);
    if (ds_offmap_put(map, o, out->n - o, at, i + 2 - at)) out->rc = DS_NOMEM;
  }
  return out->rc ? ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName) : DS_OK;
}

/*
** Windows-1252 bytes to UTF-8 in *out, mapped in *map: ISO 8859-1 but for 0x80-0x9F,
** which Windows-1252 gives printable characters (curly quotes, dashes, €); what most
** text called "latin1" really is. Its five unassigned bytes stay C1 controls, as in
** ISO 8859-1.
*/
static void latin1_to_utf8(const unsigned char *z, size_t n, ds_buf *out, ds_offmap *map) {
  static const uint16_t aC1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  for (size_t i = 0; i < n; i++) {
    size_t o = out->n;
    ds_utf8_put(out, z[i] >= 0x80 && z[i] <= 0x9F ? aC1[z[i] - 0x80] : z[i]);
    if (ds_offmap_put(map, o, out->n - o, i, 1)) out->rc = DS_NOMEM;
  }
}

/*
** Drop a UTF-8 byte order mark and make line ends LF: valid UTF-8 z[0..n) into *out,
** mapped in *map.
*/
static void unify_lines(const char *z, size_t n, ds_buf *out, ds_offmap *map) {
  size_t i = n >= 3 && memcmp(z, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  while (i < n && out->rc == DS_OK) {
    const char *cr = memchr(z + i, '\r', n - i);
    size_t b = cr ? (size_t)(cr - z) : n;
    size_t o = out->n;
    ds_buf_append(out, z + i, b - i);
    int rc = ds_offmap_put(map, o, b - i, i, b - i);
    if (cr) {
      size_t nIn = b + 1 < n && z[b + 1] == '\n' ? 2 : 1;
      ds_buf_putc(out, '\n');
      if (rc == DS_OK) rc = ds_offmap_put(map, out->n - 1, 1, b, nIn);
      b += nIn;
    }
    if (rc) out->rc = rc;
    i = b;
  }
}

/*
** Validate z[0..n) (or convert it: UTF-16 with a BOM; ISO 8859-1 when bLatin1), drop a
** BOM, make line ends LF and normalize to NFC, into *out; *map takes out's offsets back
** to z's.
*/
static int decode(const char *z, size_t n, const char *zName, const ds_read_opts *o, ds_buf *out,
                  ds_offmap *map, ds_error *e) {
  int bLatin1 = o && o->bLatin1;
  int64_t base = o ? o->rawBase : 0;        /* z is a part of the input from there */
  ds_buf conv = DS_BUF_INIT, lf = DS_BUF_INIT;
  ds_offmap mConv = DS_OFFMAP_INIT, mLf = DS_OFFMAP_INIT, mNfc = DS_OFFMAP_INIT,
            mMid = DS_OFFMAP_INIT;
  const unsigned char *u = (const unsigned char *)z;
  int rc = DS_OK, bConverted = 1;
  if (n > DS_MAX_DOC_BYTES)            /* offsets into the input are 32-bit (ds_offmap) */
    return ds_error_set(e, DS_FORMAT, -1, "%s: larger than the %u-byte document limit", zName,
                        DS_MAX_DOC_BYTES);
  const char *nul = memchr(z, '\0', n);
  if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
    rc = utf16_to_utf8(u, n, zName, base, &conv, &mConv, e);
  } else if (nul) {
    return ds_error_set(e, DS_FORMAT, base + (nul - z), "%s: binary file (NUL byte at byte %lld)",
                        zName, (long long)(base + (nul - z)));
  } else if (bLatin1 && ds_utf8_check(z, n) >= 0) {  /* valid UTF-8 stays UTF-8 */
    latin1_to_utf8(u, n, &conv, &mConv);
    if (conv.rc) rc = ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
  } else {
    bConverted = 0;
    int64_t bad = ds_utf8_check(z, n);
    if (bad >= 0) {
      size_t line, col;
      line_col(z, (size_t)bad, &line, &col);
      if (o && line == 1) col += (size_t)o->colBase;
      if (o) line += (size_t)o->lineBase;
      return ds_error_set(e, DS_UTF8, base + bad,
                          "%s: invalid UTF-8 at byte %lld (line %zu, column %zu)", zName,
                          (long long)(base + bad), line, col);
    }
  }
  if (rc == DS_OK && bConverted) {     /* read the UTF-8 made (perhaps none) */
    z = conv.p ? (const char *)conv.p : "";
    n = conv.n;
  }
  if (rc == DS_OK && n > DS_MAX_DOC_BYTES)
    rc = ds_error_set(e, DS_FORMAT, -1, "%s: larger than the %u-byte document limit",
                      zName, DS_MAX_DOC_BYTES);
  if (rc == DS_OK) {
    size_t bom = n >= 3 && memcmp(z, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    if (memchr(z, '\r', n)) {
      unify_lines(z, n, &lf, &mLf);
      rc = lf.rc;
    } else {                         /* no copy when only a BOM goes */
      rc = ds_offmap_put(&mLf, 0, n - bom, bom, n - bom);
    }
    const char *zLf = lf.p ? (const char *)lf.p : z + bom;
    if (rc == DS_OK) rc = ds_utf8_nfc_map(zLf, lf.p ? lf.n : n - bom, out, &mNfc);
    if (rc == DS_OK) rc = ds_offmap_compose(&mNfc, &mLf, &mMid);
    if (rc == DS_OK) rc = ds_offmap_compose(&mMid, &mConv, map);
    if (rc == DS_LIMIT || (rc == DS_OK && out->n > DS_MAX_DOC_BYTES))   /* NFC made it longer */
      rc = ds_error_set(e, DS_FORMAT, -1, "%s: larger than the %u-byte document limit", zName,
                        DS_MAX_DOC_BYTES);
    else if (rc || out->rc) rc = ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
  }
  ds_buf_free(&conv);
  ds_buf_free(&lf);
  ds_offmap_free(&mConv);
  ds_offmap_free(&mLf);
  ds_offmap_free(&mNfc);
  ds_offmap_free(&mMid);
  return rc;
}

/*
** Markdown front matter (`---` on the first line, up to the next `---` or `...` line)
** made spaces, line ends kept: the reader then sees blank lines there, and every offset
** stays where it was.
*/
static void blank_front_matter(ds_buf *b) {
  unsigned char *z = b->p;
  size_t n = b->n, i = 4;
  if (n < 4 || memcmp(z, "---\n", 4) != 0) return;
  while (i < n) {
    const unsigned char *nl = memchr(z + i, '\n', n - i);
    size_t eol = nl ? (size_t)(nl - z) : n;
    if (eol - i == 3 && (memcmp(z + i, "---", 3) == 0 || memcmp(z + i, "...", 3) == 0)) {
      for (size_t k = 0; k < eol; k++)
        if (z[k] != '\n') z[k] = ' ';
      return;
    }
    i = eol + 1;
  }
}

/*
** A PDF: its text (pages apart by form feeds) read as plain text, then its metadata
** (the document information) as the document's own.
*/
static int read_pdf(const char *z, size_t n, const ds_read_opts *o, ds_doc *d, ds_error *e) {
  ds_pdf pdf = DS_PDF_INIT;
  ds_read_opts ot = *o;
  int rc = ds_pdf_read(z, n, o->zName ? o->zName : "<pdf>", &pdf, e);
  ot.format = DS_FMT_TEXT;
  ot.bLatin1 = 0;
  ot.rawBase = 0;
  ot.lineBase = ot.colBase = 0;
  if (rc == DS_OK) rc = ds_read_text_opts((const char *)pdf.text.p, pdf.text.n, &ot, d, e);
  if (rc == DS_OK) {
    ds_buf_free(&d->meta);
    d->meta = pdf.meta;
    d->nMeta = pdf.nMeta;
    pdf.meta = (ds_buf)DS_BUF_INIT;
  }
  ds_pdf_free(&pdf);
  return rc;
}

int ds_read_text_opts(const char *z, size_t n, const ds_read_opts *o, ds_doc *d, ds_error *e) {
  const char *zName = o && o->zName ? o->zName : "<text>";
  if (o && o->format == DS_FMT_PDF) return read_pdf(z, n, o, d, e);
  ds_buf out = DS_BUF_INIT;
  size_t footStart = SIZE_MAX;
  ds_offmap raw = DS_OFFMAP_INIT, map = DS_OFFMAP_INIT;   /* decoded text, then clean */
  int rc = decode(z, n, zName, o, &out, &raw, e);
  ds_markup mk = DS_MARKUP_INIT;
  int format = o ? o->format : DS_FMT_TEXT;
  if (rc == DS_OK && format != DS_FMT_TEXT) {
    const ds_langdata *pLang = (o->cleanRules & DS_CLEAN_BOILERPLATE) ? o->pLang : NULL;
    if (format == DS_FMT_MARKDOWN && o->bNoFrontMatter) blank_front_matter(&out);
    const char *zIn = out.p ? (const char *)out.p : "";
    rc = format == DS_FMT_HTML ? ds_html_read(zIn, out.n, pLang, &mk, e)
                               : ds_markdown_read(zIn, out.n, pLang, &mk, e);
    if (rc == DS_FORMAT || rc == DS_LIMIT) {
      char zMsg[sizeof e->msg];
      snprintf(zMsg, sizeof zMsg, "%s", e->msg);
      ds_error_set(e, rc, e->offset, "%s: %s", zName, zMsg);
    }
    if (rc == DS_OK) {
      ds_buf_free(&out);
      out = mk.text;                         /* blocks separated by blank lines */
      mk.text = (ds_buf)DS_BUF_INIT;
      /* the markup's map, then the decoding's (an empty text has none) */
      if (out.n && ds_offmap_compose(&mk.map, &raw, &map))
        rc = ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
      ds_buf_free(&d->meta);
      d->meta = mk.meta;
      d->nMeta = mk.nMeta;
      mk.meta = (ds_buf)DS_BUF_INIT;
    }
  } else if (rc == DS_OK && o && o->cleanRules) {
    ds_cleaned cl = DS_CLEANED_INIT;
    rc = ds_clean_with(out.p ? (const char *)out.p : "", out.n, o->cleanRules, o->pLang,
                       o->pSite, &cl, e);
    if (rc == DS_OK) {
      ds_buf_free(&out);
      out = cl.text;                         /* the document takes what the clean-up made */
      footStart = cl.footStart;
      ds_free(d->aChange);
      d->aChange = cl.aChange;
      d->nChange = cl.nChange;
      for (size_t k = 0; k < cl.nChange; k++) {      /* lines of the raw input */
        ds_change *ch = &cl.aChange[k];
        ch->end = (int64_t)ds_offmap_end(&raw, (size_t)ch->end);
        ch->start = (int64_t)ds_offmap_start(&raw, (size_t)ch->start);
      }
      if (ds_offmap_compose(&cl.map, &raw, &map))
        rc = ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
      ds_offmap_free(&cl.map);
    } else {
      ds_cleaned_free(&cl);
    }
  } else if (rc == DS_OK) {
    map = raw;                               /* no clean-up: the decoding's map */
    raw = (ds_offmap)DS_OFFMAP_INIT;
  }
  ds_offmap_free(&raw);
  if (rc == DS_OK) {
    ds_free(d->aMap);
    d->aMap = map.a;
    d->nMap = map.n;
    map = (ds_offmap)DS_OFFMAP_INIT;
  }
  ds_offmap_free(&map);
  if (rc == DS_OK) {
    ds_buf_putc(&out, '\0');
    if (out.rc) rc = ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
  }
  if (rc) {
    ds_buf_free(&out);
    ds_markup_free(&mk);
    return rc;
  }
  ds_free(d->zText);
  d->zText = (char *)out.p;
  d->nText = out.n - 1;
  /* nothing left (all of it clean-up or a byte order mark): no offsets to map, and an
     empty stage map stood for the identity, not for "all removed" */
  if (d->nText == 0) d->nMap = 0;
  rc = split_paragraphs(d, footStart);
  /* the blocks a markup reader knew to be headings */
  for (size_t h = 0, p = 0; rc == DS_OK && h < mk.nHead; h++) {
    while (p < d->nPara && d->aPara[p].start < mk.aHead[h]) p++;
    if (p < d->nPara && d->aPara[p].start == mk.aHead[h]) d->aPara[p].kind = DS_PARA_HEADING;
  }
  ds_markup_free(&mk);
  if (rc) return ds_error_set(e, DS_NOMEM, -1, "%s: out of memory", zName);
  return DS_OK;
}

int ds_read_text(const char *z, size_t n, const char *zName, ds_doc *d, ds_error *e) {
  ds_read_opts o = {.zName = zName, .format = DS_FMT_TEXT};
  return ds_read_text_opts(z, n, &o, d, e);
}
