/*
** ds_utf8.c -- UTF-8 validation, NFC and case folding (see ds_utf8.h).
*/
#include "ds_utf8.h"

#include <string.h>
#include <utf8proc.h>

/* Are the 8 bytes at s all ASCII? */
static inline int ascii8(const unsigned char *s) {
  uint64_t w;
  memcpy(&w, s, 8);
  return (w & 0x8080808080808080u) == 0;
}

int64_t ds_utf8_check(const char *z, size_t n) {
  const unsigned char *s = (const unsigned char *)z;
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;   /* allowed range of the second byte */
    if (c < 0x80) {
      i++;
      while (i + 8 <= n && ascii8(s + i)) i += 8;   /* text is mostly ASCII: 8 bytes a look */
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;           /* no overlongs */
      else if (c == 0xED) hi = 0x9F;      /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      else if (c == 0xF4) hi = 0x8F;      /* nothing past U+10FFFF */
    } else return (int64_t)i;
    if (i + len > n) return (int64_t)i;
    if (s[i+1] < lo || s[i+1] > hi) return (int64_t)i;
    for (size_t k = 2; k < len; k++)
      if ((s[i+k] & 0xC0) != 0x80) return (int64_t)i;
    i += len;
  }
  return -1;
}

void ds_utf8_put(ds_buf *b, int32_t cp) {
  unsigned char tmp[4];
  size_t n = (size_t)utf8proc_encode_char(cp, tmp);
  ds_buf_append(b, tmp, n);
}

static int map_utf8(const char *z, size_t n, utf8proc_option_t opt, ds_buf *out);

static int is_ascii(const char *z, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)z[i] >= 0x80) return 0;
  return 1;
}

/*
** True if cp can never be the second element of a canonical composition nor a
** combining mark, so text may be cut before it without changing its NFC form.
*/
static int safe_start(int32_t cp) {
  return cp < 0x300 || (cp >= 0x400 && cp < 0x483) || (cp >= 0x3040 && cp < 0x3099) ||
         (cp >= 0x309B && cp < 0xA000) || (cp >= 0xAC00 && cp < 0xD7A4);
}

/*
** Decompose z with utf8proc options `opt`, then compose and re-encode into `out`.
** Works in chunks so memory stays bounded on huge inputs: a chunk ends only before a
** starter (combining class 0) that is not followed by a combining mark, so no
** composition spans two chunks.
*/
static int map_utf8(const char *z, size_t n, utf8proc_option_t opt, ds_buf *out) {
  enum { CHUNK = 1 << 16 };
  const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)z;
  utf8proc_int32_t *buf = NULL;
  size_t cap = 0, i = 0;
  int rc = DS_OK;
  while (i < n && rc == DS_OK) {
    size_t end = i + CHUNK < n ? i + CHUNK : n;
    /* move `end` to a code point that no composition can attach to the left of */
    while (end < n) {
      int32_t cp;
      while (end < n && (s[end] & 0xC0) == 0x80) end++;
      if (end >= n) break;
      ds_utf8_decode(s, end, n, &cp);
      if (safe_start(cp)) break;
      end++;
    }
    utf8proc_ssize_t need = utf8proc_decompose(s + i, (utf8proc_ssize_t)(end - i), NULL, 0, opt);
    if (need < 0) { rc = DS_UTF8; break; }
    if ((size_t)need + 1 > cap) {
      ds_free(buf);
      cap = (size_t)need + 1;
      buf = ds_malloc_n(cap, sizeof *buf);
      if (!buf) { rc = DS_NOMEM; break; }
    }
    need = utf8proc_decompose(s + i, (utf8proc_ssize_t)(end - i), buf, need, opt);
    utf8proc_ssize_t len = utf8proc_normalize_utf32(buf, need, opt);
    if (len < 0) { rc = DS_UTF8; break; }
    for (utf8proc_ssize_t k = 0; k < len; k++) ds_utf8_put(out, buf[k]);
    rc = out->rc;
    i = end;
  }
  ds_free(buf);
  return rc;
}

/*
** Is cp left as it is by NFC whatever surrounds it, and never joined to what precedes
** it? Combining marks, code points with a canonical decomposition, second halves of
** compositions and Hangul vowel and trailing jamo are not.
*/
static int nfc_inert(int32_t cp) {
  if (cp < 0x300) return cp < 0xC0 || cp == 0xD7 || cp == 0xF7;  /* Latin-1 letters decompose */
  if ((cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF)) return 0;
  if (cp >= 0xAC00 && cp <= 0xD7A3) return 1;     /* Hangul syllables: composed already */
  const utf8proc_property_t *p = utf8proc_get_property(cp);
  if (p->combining_class != 0) return 0;
  if (p->decomp_seqindex != UINT16_MAX && p->decomp_type == 0) return 0;
  if (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000) return 0;
  return 1;
}

/* Is cp a starter that NFC joins to nothing before it, its decomposition's first code
   point too? Then what precedes it is normalized apart from it. */
static int nfc_fresh_start(int32_t cp) {
  if ((cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF)) return 0;
  utf8proc_int32_t a[4];
  int bound = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char(cp, a, 4, UTF8PROC_DECOMPOSE, &bound);
  if (n < 1 || n > 4) return 0;                  /* (longer decompositions: be safe) */
  for (int k = 0; k < 2; k++) {                  /* cp, then the first of its decomposition */
    const utf8proc_property_t *p = utf8proc_get_property(k ? a[0] : cp);
    if (p->combining_class != 0 || (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000)) return 0;
    if (k == 0 && (a[0] >= 0x1160 && a[0] <= 0x11FF)) return 0;
  }
  return 1;
}

int ds_utf8_nfc(const char *z, size_t n, ds_buf *out) {
  return ds_utf8_nfc_map(z, n, out, NULL);
}

/* Append z[a, b) to out (normalized when bNorm) and map it, from out offset `base` on. */
static int put_mapped(const char *z, size_t a, size_t b, int bNorm, ds_buf *out, size_t base,
                      ds_offmap *map) {
  size_t o = out->n;
  int rc = DS_OK;
  if (bNorm) rc = map_utf8(z + a, b - a, UTF8PROC_STABLE | UTF8PROC_COMPOSE, out);
  else ds_buf_append(out, z + a, b - a);
  if (rc == DS_OK) rc = out->rc;
  /* a normalized stretch is one segment: its ends are exact, its inside proportional */
  if (rc == DS_OK && map) rc = ds_offmap_put(map, o - base, out->n - o, a, b - a);
  return rc;
}

int ds_utf8_nfc_map(const char *z, size_t n, ds_buf *out, ds_offmap *map) {
  /* copy runs that NFC cannot change; normalize only the stretches around the rest,
     from the last inert code point before them (marks may attach to it) */
  const unsigned char *s = (const unsigned char *)z;
  size_t i = 0, copied = 0, lastInert = 0, base = out->n;
  while (i < n) {
    if (s[i] < 0x80) {
      lastInert = i++;
      while (i + 8 <= n && ascii8(s + i)) {   /* a run of ASCII, 8 bytes a look */
        lastInert = i + 7;
        i += 8;
      }
      continue;
    }
    int32_t cp;
    int len = ds_utf8_decode(s, i, n, &cp);
    if (nfc_inert(cp)) {
      lastInert = i;
      i += (size_t)len;
      continue;
    }
    /* from the code point itself when nothing before it can join it (a token's start
       then maps to its own bytes, not to the character before) */
    size_t a = nfc_fresh_start(cp) ? i : lastInert > copied ? lastInert : copied, b = i + (size_t)len;
    while (b < n) {
      if (s[b] < 0x80) break;
      len = ds_utf8_decode(s, b, n, &cp);
      if (nfc_inert(cp)) break;
      b += (size_t)len;
    }
    int rc = put_mapped(z, copied, a, 0, out, base, map);
    if (rc == DS_OK) rc = put_mapped(z, a, b, 1, out, base, map);
    if (rc) return rc;
    copied = i = lastInert = b;
  }
  return put_mapped(z, copied, n, 0, out, base, map);
}

/*
** Typographic apostrophes to ASCII in out->p[from..out->n): U+2019 (’, E2 80 99) and
** U+02BC (ʼ, CA BC) become U+0027, so `China’s` and `China's` fold alike.
*/
static void fold_apostrophes(ds_buf *out, size_t from) {
  size_t r = from, w = from;
  unsigned char *p = out->p;
  while (r < out->n) {
    if (r + 2 < out->n && p[r] == 0xE2 && p[r + 1] == 0x80 && p[r + 2] == 0x99) {
      p[w++] = '\'';
      r += 3;
    } else if (r + 1 < out->n && p[r] == 0xCA && p[r + 1] == 0xBC) {
      p[w++] = '\'';
      r += 2;
    } else {
      p[w++] = p[r++];
    }
  }
  out->n = w;
}

int ds_utf8_fold(const char *z, size_t n, ds_buf *out) {
  if (is_ascii(z, n)) {
    if (ds_buf_reserve(out, n)) return out->rc;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)z[i];
      out->p[out->n++] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
    }
    return DS_OK;
  }
  size_t from = out->n;
  int rc = map_utf8(z, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD, out);
  if (rc == DS_OK) fold_apostrophes(out, from);
  return rc;
}
