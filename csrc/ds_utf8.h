/*
** ds_utf8.h -- UTF-8 validation, decoding, NFC and case folding (utf8proc underneath).
*/
#ifndef DS_UTF8_H
#define DS_UTF8_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_offmap.h"

/*
** Offset of the first byte of the first ill-formed sequence in z[0..n), or -1 if z is
** well-formed UTF-8. Overlong forms, surrogates and code points past U+10FFFF are
** ill-formed.
*/
int64_t ds_utf8_check(const char *z, size_t n);

/*
** Decode the code point at z[i] (z must be valid UTF-8, i < n); store it in *pcp and
** return its length in bytes (1..4).
*/
static inline int ds_utf8_decode(const unsigned char *z, size_t i, size_t n, int32_t *pcp) {
  unsigned c = z[i];
  if (c < 0x80) { *pcp = (int32_t)c; return 1; }
  if (c < 0xE0 && i + 1 < n) { *pcp = (int32_t)(((c & 0x1F) << 6) | (z[i+1] & 0x3F)); return 2; }
  if (c < 0xF0 && i + 2 < n) {
    *pcp = (int32_t)(((c & 0x0F) << 12) | ((z[i+1] & 0x3F) << 6) | (z[i+2] & 0x3F));
    return 3;
  }
  if (i + 3 < n) {
    *pcp = (int32_t)(((c & 0x07) << 18) | ((z[i+1] & 0x3F) << 12) | ((z[i+2] & 0x3F) << 6) |
                     (z[i+3] & 0x3F));
    return 4;
  }
  *pcp = 0xFFFD;   /* truncated: only reachable on unvalidated input */
  return 1;
}

/* Append the UTF-8 encoding of cp to b. */
void ds_utf8_put(ds_buf *b, int32_t cp);

/*
** Append the NFC form of valid UTF-8 z[0..n) to `out`. ASCII passes through unchanged.
** Returns DS_OK or DS_NOMEM.
*/
int ds_utf8_nfc(const char *z, size_t n, ds_buf *out);

/* ds_utf8_nfc, recording in *map (when not NULL) where each output byte came from. */
int ds_utf8_nfc_map(const char *z, size_t n, ds_buf *out, ds_offmap *map);

/*
** Append the case-folded NFC form of valid UTF-8 z[0..n) to `out` (Unicode full case
** folding, as in `%c` queries and the `norm` attribute), with the typographic
** apostrophes ’ (U+2019) and ʼ (U+02BC) folded to ' (U+0027). Returns DS_OK or DS_NOMEM.
*/
int ds_utf8_fold(const char *z, size_t n, ds_buf *out);

#endif
