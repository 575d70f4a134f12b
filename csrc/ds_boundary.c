/*
** ds_boundary.c -- features and scores of unpunctuated sentence boundaries (see
** ds_boundary.h).
*/
#include "ds_boundary.h"
#include "ds_utf8.h"

#include <string.h>
#include <utf8proc.h>

/* Bytes of a token that its form and shape look at: a token of any length costs the same. */
#define LOOK 32

/* Feature templates: a key mixes one of these with one or two values. */
enum {
  F_BIAS = 1, F_WB, F_WC, F_SA, F_SB, F_SC, F_SE, F_SB_SC, F_WB_SC, F_SB_WC, F_WA_WB,
  F_WC_WE, F_SA_SB_SC, F_SB_SC_SE, F_FROM_SC, F_TO_SB, F_WB_WC, F_SA_SB, F_SC_SE
};

typedef ds_boundary_tok tokinfo;

static uint32_t fnv(const unsigned char *z, size_t n, uint32_t h) {
  for (size_t i = 0; i < n; i++) h = (h ^ z[i]) * 16777619u;
  return h;
}

static uint32_t mix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

static uint32_t key(uint32_t tmpl, uint32_t a, uint32_t b) {
  uint32_t h = mix(tmpl * 0x9E3779B1u ^ a ^ (b * 0x27D4EB2Fu + (b >> 15)));
  return h ? h : 1;
}

/* Shape classes of ASCII bytes: X upper, x lower, d digit, else the byte itself. */
static unsigned char ascii_class(unsigned char c) {
  return (unsigned char)(c >= 'A' && c <= 'Z' ? 'X' : c >= 'a' && c <= 'z' ? 'x'
                                             : c >= '0' && c <= '9' ? 'd' : c);
}

/* Shape class of the non-ASCII character at z[i..end), its length in *pLen. */
static unsigned char other_class(const char *z, size_t i, size_t end, size_t *pLen) {
  int32_t cp;
  int n = ds_utf8_decode((const unsigned char *)z, i, end, &cp);
  *pLen = n > 0 ? (size_t)n : 1;
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT: return 'X';
  case UTF8PROC_CATEGORY_LL: return 'x';
  case UTF8PROC_CATEGORY_ND: return 'd';
  case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: return '"';
  case UTF8PROC_CATEGORY_PD: return '-';
  default: return 'u';
  }
}

/*
** The token's lower-cased form and its shape: runs of one class collapsed (`McConnell`
** -> `XxXx`, `07/06/2000` -> `d/d/d`), a single letter marked, URLs and e-mail
** addresses as one shape each. Only the first LOOK bytes count.
*/
static void describe(const ds_doc *d, size_t t, tokinfo *p) {
  const ds_token *tok = &d->aTok[t];
  const char *z = d->zText;
  size_t a = tok->start, b = tok->end, end = b - a > LOOK ? a + LOOK : b;
  uint32_t h = 2166136261u, hs = 2166136261u;
  unsigned char last = 0;
  size_t m = 0, chars = 0;
  for (size_t i = a; i < end;) {
    unsigned char c = (unsigned char)z[i], k;
    if (c < 0x80) {
      k = ascii_class(c);
      h = (h ^ (k == 'X' ? (unsigned char)(c + 32) : c)) * 16777619u;
      i++;
    } else {
      size_t len;
      k = other_class(z, i, b, &len);
      for (size_t j = i; j < i + len && j < end; j++) h = (h ^ (unsigned char)z[j]) * 16777619u;
      i += len;
    }
    if (k != last && m < 8) {
      hs = (hs ^ k) * 16777619u;
      last = k;
      m++;
    }
    chars++;
  }
  p->word = h;
  if (tok->flags & DS_TOK_URL) {
    int mail = memchr(z + a, '@', b - a) != NULL;
    hs = fnv((const unsigned char *)(mail ? "@mail" : "@url"), mail ? 5 : 4, 2166136261u);
  } else if (end < b) {
    hs = (hs ^ '+') * 16777619u;
  } else if (chars == 1 && (last == 'X' || last == 'x')) {
    hs = (hs ^ '1') * 16777619u;
  }
  p->shape = hs;
}

/* Token t's description, from the cache when it is there. */
static const tokinfo *info(const ds_doc *d, size_t t, ds_boundary_cache *c) {
  size_t slot = t & 3;
  if (c->aIdx[slot] != t + 1) {
    describe(d, t, &c->aTok[slot]);
    c->aIdx[slot] = t + 1;
  }
  return &c->aTok[slot];
}

/* Bins of a distance in tokens. */
static uint32_t bin(size_t n) {
  return n < 4 ? (uint32_t)n : n < 7 ? 4 : n < 11 ? 5 : n < 21 ? 6 : 7;
}

/* `.` `!` `?` `…` or a run of them, or an abbreviation: the rules have decided there. */
static int terminal(const ds_doc *d, size_t t) {
  const ds_token *tok = &d->aTok[t];
  if (tok->flags & DS_TOK_ABBREV) return 1;
  if (!(tok->flags & DS_TOK_PUNCT)) return 0;
  for (size_t i = tok->start; i < tok->end; i++) {
    unsigned char c = (unsigned char)d->zText[i];
    if (c == 0xE2 && i + 2 < tok->end && (unsigned char)d->zText[i + 1] == 0x80 &&
        (unsigned char)d->zText[i + 2] == 0xA6)
      i += 2;
    else if (c != '.' && c != '!' && c != '?')
      return 0;
  }
  return 1;
}

/* A closing quote or bracket right after a terminal (`.)` `!"`): the rules' too. */
static int closes_terminal(const ds_doc *d, size_t t, size_t first) {
  if (t == first || (d->aTok[t - 1].flags & DS_TOK_SPACE_AFTER)) return 0;
  unsigned char c = (unsigned char)d->zText[d->aTok[t].start];
  int closer = c == ')' || c == ']' || c == '"' || c == '\'';
  if (!closer && c >= 0x80) {
    int32_t cp;
    ds_utf8_decode((const unsigned char *)d->zText, d->aTok[t].start, d->aTok[t].end, &cp);
    utf8proc_category_t cat = utf8proc_category(cp);
    closer = cat == UTF8PROC_CATEGORY_PE || cat == UTF8PROC_CATEGORY_PF;
  }
  return closer && terminal(d, t - 1);
}

int ds_boundary_function_word(const ds_doc *d, size_t t) {
#define W(z) {z, sizeof z - 1}
  static const struct { const char *z; size_t n; } a[] = {
    W("a"), W("against"), W("among"), W("an"), W("and"), W("as"), W("at"), W("between"),
    W("but"), W("by"), W("during"), W("for"), W("from"), W("if"), W("into"), W("its"),
    W("nor"), W("of"), W("or"), W("our"), W("such"), W("than"), W("the"), W("their"),
    W("to"), W("with")
  };
#undef W
  /* where the words of each first letter start in a[] ('a' .. 'z', then the end) */
  static const unsigned char aFirst[27] = {0, 7, 10, 10, 11, 11, 13, 13, 13, 16, 16, 16, 16, 16,
                                           17, 20, 20, 20, 20, 21, 25, 25, 25, 26, 26, 26, 26};
  const ds_token *tok = &d->aTok[t];
  size_t n = tok->end - tok->start;
  const char *z = d->zText + tok->start;
  if (n > 7 || z[0] < 'a' || z[0] > 'z') return 0;
  for (size_t k = aFirst[z[0] - 'a']; k < aFirst[z[0] - 'a' + 1]; k++)
    if (a[k].n == n && memcmp(a[k].z, z, n) == 0) return 1;
  return 0;
}

/* A dash alone: `-`, `–`, `—`. */
static int dash(const ds_doc *d, size_t t) {
  const ds_token *tok = &d->aTok[t];
  const char *z = d->zText + tok->start;
  size_t n = tok->end - tok->start;
  return (n == 1 && z[0] == '-') ||
         (n == 3 && memcmp(z, "\xE2\x80", 2) == 0 && (z[2] == '\x93' || z[2] == '\x94'));
}

/* A `)` that no `(` opened in the few tokens before: a list marker (`ii)`, `b)`). */
static int list_marker(const ds_doc *d, size_t t, size_t first) {
  for (size_t k = t; k > first && t - k < 8; k--)
    if (d->zText[d->aTok[k - 1].start] == '(') return 0;
  return 1;
}


/* Is token t an ordinal number (`23rd`, `1st`, `4TH`)? It modifies what follows. */
static int ordinal(const ds_doc *d, size_t t) {
  const char *z = d->zText + d->aTok[t].start;
  size_t n = d->aTok[t].end - d->aTok[t].start, k = 0;
  while (k < n && z[k] >= '0' && z[k] <= '9') k++;
  if (k == 0 || n - k != 2) return 0;
  char a = (char)(z[k] | 0x20), b = (char)(z[k + 1] | 0x20);
  return (a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
         (a == 't' && b == 'h');
}

static int boundary_candidate(const ds_doc *d, size_t t, size_t first) {
  const ds_token *c = &d->aTok[t + 1];
  unsigned char ch = (unsigned char)d->zText[c->start];
  if (c->flags & DS_TOK_URL) {
    /* a URL may start a line of its own */
  } else if (ch < 0x80) {
    /* no sentence opens with a lower-case word or these */
    static const unsigned char aNo[128] = {
      [','] = 1, ['.'] = 1, [';'] = 1, [':'] = 1, ['!'] = 1, ['?'] = 1, [')'] = 1,
      [']'] = 1, ['}'] = 1, ['%'] = 1, ['&'] = 1, ['/'] = 1, ['|'] = 1};
    if ((ch >= 'a' && ch <= 'z') || aNo[ch]) return 0;
  } else {
    int32_t cp;
    ds_utf8_decode((const unsigned char *)d->zText, c->start, c->end, &cp);
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_PE ||
        cat == UTF8PROC_CATEGORY_PF || cat == UTF8PROC_CATEGORY_PO)
      return 0;
  }
  unsigned char cb = (unsigned char)d->zText[d->aTok[t].start];
  if (cb >= 'a' && cb <= 'z') return !ds_boundary_function_word(d, t);
  if (cb == ')' && list_marker(d, t, first)) return 0;
  if (dash(d, t)) return 0;      /* prose has dashes before names: `leaders – Xi and` */
  if (ordinal(d, t)) return 0;   /* `The 23rd China meeting was held.` */
  /* a bullet or other mark opening the sentence belongs to it */
  if (t == first && !(d->aTok[t].flags & (DS_TOK_WORD | DS_TOK_NUMBER | DS_TOK_URL))) return 0;
  return !terminal(d, t) && !closes_terminal(d, t, first);
}

int ds_boundary_candidate(const ds_doc *d, size_t t, size_t first, size_t last) {
  if (t < first || t + 1 >= last) return 0;
  return ds_boundary_maybe(d, t) && boundary_candidate(d, t, first);
}

/* The keys of the features of tokens t and t+1 alone, but for the bias. */
static size_t near_keys(const ds_doc *d, size_t t, size_t last, ds_boundary_cache *cache,
                        uint32_t *aKey) {
  tokinfo b = *info(d, t, cache), c = *info(d, t + 1, cache);
  size_t k = 0;
  aKey[k++] = key(F_WB, b.word, 0);
  aKey[k++] = key(F_WC, c.word, 0);
  aKey[k++] = key(F_SB, b.shape, 0);
  aKey[k++] = key(F_SC, c.shape, 0);
  aKey[k++] = key(F_SB_SC, b.shape, c.shape);
  aKey[k++] = key(F_WB_SC, b.word, c.shape);
  aKey[k++] = key(F_SB_WC, b.shape, c.word);
  aKey[k++] = key(F_WB_WC, b.word, c.word);
  aKey[k++] = key(F_TO_SB, bin(last - t - 1), b.shape);
  return k;
}

/* The keys of the features that look further: at t-1, t+2, the sentence's start. */
static size_t far_keys(const ds_doc *d, size_t t, size_t first, size_t last,
                       ds_boundary_cache *cache, uint32_t *aKey) {
  static const tokinfo edge = {0x5A5A5A5Au, 0xA5A5A5A5u};
  tokinfo a = t > first ? *info(d, t - 1, cache) : edge, b = *info(d, t, cache),
          c = *info(d, t + 1, cache), e = t + 2 < last ? *info(d, t + 2, cache) : edge;
  size_t k = 0;
  aKey[k++] = key(F_SA, a.shape, 0);
  aKey[k++] = key(F_SE, e.shape, 0);
  aKey[k++] = key(F_WA_WB, a.word, b.word);
  aKey[k++] = key(F_WC_WE, c.word, e.word);
  aKey[k++] = key(F_SA_SB_SC, a.shape, mix(b.shape) ^ c.shape);
  aKey[k++] = key(F_SB_SC_SE, b.shape, mix(c.shape) ^ e.shape);
  aKey[k++] = key(F_FROM_SC, bin(t + 1 - first), c.shape);
  aKey[k++] = key(F_SA_SB, a.shape, b.shape);
  aKey[k++] = key(F_SC_SE, c.shape, e.shape);
  return k;
}

size_t ds_boundary_features(const ds_doc *d, size_t t, size_t first, size_t last,
                            ds_boundary_cache *cache, uint32_t *aKey) {
  aKey[0] = key(F_BIAS, 0, 0);
  size_t k = 1 + near_keys(d, t, last, cache, aKey + 1);
  return k + far_keys(d, t, first, last, cache, aKey + k);
}

static int32_t sum(const ds_boundary_model *m, const uint32_t *aKey, size_t n) {
  uint32_t mask = m->nSlot - 1;
  int32_t score = 0;
  for (size_t k = 0; k < n; k++) {
    for (uint32_t s = aKey[k] & mask;; s = (s + 1) & mask) {
      if (m->aKey[s] == aKey[k]) { score += m->aWeight[s]; break; }
      if (m->aKey[s] == 0) break;
    }
  }
  return score;
}

int32_t ds_boundary_score(const ds_boundary_model *m, const ds_doc *d, size_t t, size_t first,
                          size_t last, ds_boundary_cache *c) {
  uint32_t aKey[DS_BOUNDARY_MAXFEAT];
  size_t n = near_keys(d, t, last, c, aKey);
  int32_t score = m->bias + sum(m, aKey, n);
  /* most gaps are decided by their two tokens alone: of the gaps of train and dev that
     the whole model calls boundaries, 1% score that low on them (tools/train_boundary.c) */
  if (score < m->nearMin) return score;
  n = far_keys(d, t, first, last, c, aKey);
  return score + sum(m, aKey, n);
}
