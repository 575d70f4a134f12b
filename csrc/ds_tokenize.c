/*
** ds_tokenize.c -- rule-based tokenizer following UD English conventions.
**
** One left-to-right pass; every scan either consumes what it looked at or remembers how
** far it looked (e-mail), so time stays linear on pathological input.
*/
#include "ds_tokenize.h"
#include "ds_abbrev.h"
#include "ds_uax29.h"
#include "ds_utf8.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef unsigned char uchar;

/* Character classes. */
enum { C_SPACE, C_LETTER, C_DIGIT, C_MARK, C_PUNCT, C_SYMBOL };

/* Is c one of the characters of set (never true for NUL)? */
static inline int one_of(unsigned c, const char *set) {
  for (; *set; set++)
    if ((unsigned char)*set == c) return 1;
  return 0;
}

static inline int cclass(int32_t cp) {
  if (cp < 0x80) {
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return C_SPACE;
    if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return C_LETTER;
    if (cp >= '0' && cp <= '9') return C_DIGIT;
    if (cp == '_') return C_MARK;
    if (cp < 0x20 || cp == 0x7F) return C_SPACE;     /* control characters separate */
    return one_of((unsigned)cp, "$+<=>^`|~") ? C_SYMBOL : C_PUNCT;
  }
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
      return C_SPACE;
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return C_LETTER;
    case UTF8PROC_CATEGORY_ND:
      return C_DIGIT;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_PC:
      return C_MARK;     /* continue a word: combining marks, soft hyphen, ZWJ, `_` */
    case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: case UTF8PROC_CATEGORY_PO:
      return C_PUNCT;
    default:
      return C_SYMBOL;
  }
}


/* Class of the code point at byte i, or C_SPACE at/after `end`. */
static int class_at(const uchar *z, uint32_t i, uint32_t end, int32_t *pcp, int *plen) {
  int32_t cp = ' ';
  int len = 0;
  if (i < end) len = ds_utf8_decode(z, i, end, &cp);
  if (pcp) *pcp = cp;
  if (plen) *plen = len;
  return i < end ? cclass(cp) : C_SPACE;
}

/* ====================== abbreviations ====================== */

/* The lists are data: corpus/lexicon/en-abbreviations.txt, compiled into ds_abbrev.c. */

static int in_list(const char *const *list, const char *z, size_t n) {
  for (; *list; list++)
    if ((*list)[0] == z[0] && strncmp(*list, z, n) == 0 && (*list)[n] == '\0') return 1;
  return 0;
}

/* Contractions typed without their apostrophe, which UD splits all the same
   (`dont` -> `do` `nt`), with the length of the first part. */
static const struct bare { const char *z; unsigned n; } aBare[] = {   /* sorted */
  {"arent", 3}, {"cant", 2}, {"couldnt", 5}, {"didnt", 3}, {"doesnt", 4}, {"dont", 2},
  {"hadnt", 3}, {"hasnt", 3}, {"havent", 4}, {"heres", 4}, {"im", 1}, {"isnt", 2},
  {"ive", 1}, {"mustnt", 4}, {"shes", 3}, {"shouldnt", 6}, {"thatd", 4}, {"thats", 4},
  {"theres", 5}, {"theyll", 4}, {"theyre", 4}, {"theyve", 4}, {"wasnt", 3},
  {"werent", 4}, {"weve", 2}, {"whats", 4}, {"wont", 2}, {"wouldnt", 5}, {"youll", 3},
  {"youre", 3}, {"youve", 3},
};
#define NBARE (sizeof aBare / sizeof *aBare)
static uint64_t aBarePacked[NBARE];     /* aBare's words as numbers (pack_word) */

/* A word of 1 to 8 bytes as one number, its bytes from the low one up. */
static uint64_t pack_word(const char *z, size_t n) {
  uint64_t v = 0;
  for (size_t k = 0; k < n; k++) v |= (uint64_t)(unsigned char)z[k] << (8 * k);
  return v;
}

/* A list's words of 1 to 8 bytes as sorted numbers: a word is looked up by a binary
   search over numbers instead of a walk over the list comparing strings (the
   abbreviations are asked about at every period). */
#define PACKED_MAX 256
typedef struct packed_list {
  const char *const *list;
  uint64_t a[PACKED_MAX];
  size_t n;
  int bAll;               /* every word of 1 to 8 bytes is in a[] (else the list is walked) */
} packed_list;

static packed_list aPacked[3] = {{ds_azAbbrev, {0}, 0, 0}, {ds_azPrepositive, {0}, 0, 0},
                                 {ds_azStarter, {0}, 0, 0}};
static pthread_once_t packedOnce = PTHREAD_ONCE_INIT;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void pack_lists(void) {
  for (int k = 0; k < 3; k++) {
    packed_list *p = &aPacked[k];
    p->bAll = 1;
    for (const char *const *w = p->list; *w; w++) {
      size_t n = strlen(*w);
      if (n < 1 || n > 8) continue;
      if (p->n < PACKED_MAX) p->a[p->n++] = pack_word(*w, n);
      else p->bAll = 0;
    }
    qsort(p->a, p->n, sizeof *p->a, cmp_u64);
  }
  for (size_t k = 0; k < NBARE; k++) aBarePacked[k] = pack_word(aBare[k].z, strlen(aBare[k].z));
}

/* Is z[0..n) a word of packed list k (0 abbreviations, 1 prepositive, 2 starters)? */
static int in_packed(int k, const char *z, size_t n) {
  pthread_once(&packedOnce, pack_lists);
  const packed_list *p = &aPacked[k];
  if (n < 1 || n > 8) return n > 8 && in_list(p->list, z, n);
  uint64_t v = 0;
  unsigned bNul = 0;
  for (size_t i = 0; i < n; i++) {
    v |= (uint64_t)(unsigned char)z[i] << (8 * i);
    bNul |= z[i] == 0;
  }
  if (bNul) return in_list(p->list, z, n);     /* (a NUL would pack as a shorter word) */
  size_t lo = 0, hi = p->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (p->a[mid] == v) return 1;
    if (p->a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return !p->bAll && in_list(p->list, z, n);
}

int ds_abbrev_is_prepositive(const char *z, size_t n) {
  if (n > 0 && z[n - 1] == '.') n--;
  if (n == 1 && z[0] >= 'A' && z[0] <= 'Z') return 1;   /* an initial */
  return in_packed(1, z, n);
}

int ds_is_sentence_starter(const char *z, size_t n) { return in_packed(2, z, n); }

/* ====================== scanners ====================== */

static int has_prefix_ci(const uchar *z, uint32_t i, uint32_t end, const char *p) {
  for (size_t k = 0; p[k]; k++) {
    if (i + k >= end) return 0;
    uchar c = z[i + k];
    if (c >= 'A' && c <= 'Z') c = (uchar)(c + 32);
    if (c != (uchar)p[k]) return 0;
  }
  return 1;
}

/*
** A URL starting at i (scheme or `www.`): returns its end, or i if none. Trailing
** punctuation is left out, and a closing bracket only stays if it closes one inside.
*/
static uint32_t scan_url(const uchar *z, uint32_t i, uint32_t end) {
  /* cheap look first: `ht`, `ft`, `ww`, `ma` */
  uchar c0 = z[i] | 0x20, c1 = i + 1 < end ? (uchar)(z[i + 1] | 0x20) : 0;
  if (!((c0 == 'h' && c1 == 't') || (c0 == 'f' && c1 == 't') || (c0 == 'w' && c1 == 'w') ||
        (c0 == 'm' && c1 == 'a')))
    return i;
  if (!has_prefix_ci(z, i, end, "http://") && !has_prefix_ci(z, i, end, "https://") &&
      !has_prefix_ci(z, i, end, "ftp://") && !has_prefix_ci(z, i, end, "www.") &&
      !has_prefix_ci(z, i, end, "mailto:"))
    return i;
  uint32_t j = i;
  int nParen = 0, nBracket = 0;
  while (j < end) {
    int32_t cp;
    int len, cls = class_at(z, j, end, &cp, &len);
    if (cls == C_SPACE || cp == '<' || cp == '>' || cp == '"' || cp == 0x201C ||
        cp == 0x201D || cp == 0xAB || cp == 0xBB)
      break;
    if (cp == '(') nParen++;
    if (cp == ')') nParen--;
    if (cp == '[') nBracket++;
    if (cp == ']') nBracket--;
    j += (uint32_t)len;
  }
  while (j > i) {
    uchar c = z[j - 1];
    if (c == ')' && nParen < 0) { nParen++; j--; continue; }
    if (c == ']' && nBracket < 0) { nBracket++; j--; continue; }
    if (one_of(c, ".,;:!?'")) { j--; continue; }
    if (j - i >= 3 && z[j - 3] == 0xE2 && z[j - 2] == 0x80 && (z[j - 1] == 0x99 || z[j - 1] == 0x9D)) {
      j -= 3;  /* ’ or ” */
      continue;
    }
    break;
  }
  return j - i > 7 ? j : i;
}

static int is_alpha_ascii(uchar c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

static int email_char(uchar c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/*
** An e-mail address starting at i: returns its end, or i if none. *pNoAt records how far
** a failed look reached, so later starts inside that stretch are not rescanned.
*/
static uint32_t scan_email(const uchar *z, uint32_t i, uint32_t end, uint32_t *pNoAt) {
  if (i < *pNoAt) return i;
  uint32_t k = i;
  while (k < end && email_char(z[k])) k++;
  if (k == i || k >= end || z[k] != '@') {
    *pNoAt = k;
    return i;
  }
  uint32_t m = k + 1, lastDot = 0;
  while (m < end && (email_char(z[m]) && z[m] != '%' && z[m] != '+' && z[m] != '_')) m++;
  while (m > k + 1 && (z[m - 1] == '.' || z[m - 1] == '-')) m--;
  for (uint32_t x = k + 1; x < m; x++)
    if (z[x] == '.') lastDot = x;
  if (lastDot == 0) {
    /* `Edison@ENRON`: a mail system's address with a one-word domain */
    int letters = m > k + 1;
    for (uint32_t x = k + 1; x < m && letters; x++) letters = is_alpha_ascii(z[x]);
    if (letters) return m;
  }
  if (lastDot == 0 || lastDot + 1 >= m || lastDot == k + 1) {
    *pNoAt = m;
    return i;
  }
  return m;
}

/* Byte length of the apostrophe ending just before byte a, or 0. */
static int apostrophe_before(const uchar *z, uint32_t start, uint32_t a) {
  if (a > start && z[a - 1] == '\'') return 1;
  if (a >= start + 3 && z[a - 3] == 0xE2 && z[a - 2] == 0x80 && z[a - 1] == 0x99) return 3;
  if (a >= start + 2 && z[a - 2] == 0xCA && z[a - 1] == 0xBC) return 2;
  return 0;
}

static int lower_eq(const uchar *z, uint32_t n, const char *w) {
  for (uint32_t k = 0; k < n; k++) {
    uchar c = z[k];
    if (c >= 'A' && c <= 'Z') c = (uchar)(c + 32);
    if (c != (uchar)w[k]) return 0;       /* also stops at w's end */
  }
  return w[n] == '\0';
}

/* Length of the first part of the bare contraction z[0..n), or 0. */
static unsigned bare_split(const uchar *z, uint32_t n) {
  char w[8];
  if (n < 2 || n > 8) return 0;
  switch (((z[n - 2] | 0x20) << 8) | (z[n - 1] | 0x20)) {   /* how they all end */
    case 'n' << 8 | 't': case 't' << 8 | 's': case 'e' << 8 | 's': case 'r' << 8 | 'e':
    case 'v' << 8 | 'e': case 'l' << 8 | 'l': case 'i' << 8 | 'm': case 't' << 8 | 'd':
      break;
    default:
      return 0;
  }
  for (uint32_t k = 0; k < n; k++) {
    if (!((z[k] | 0x20) >= 'a' && (z[k] | 0x20) <= 'z')) return 0;
    w[k] = (char)(z[k] | 0x20);
  }
  /* the lower-case word as a number against the contractions' numbers (a string
     comparison each step was most of this) */
  pthread_once(&packedOnce, pack_lists);
  uint64_t v = pack_word(w, n);
  for (size_t k = 0; k < NBARE; k++)
    if (aBarePacked[k] == v) return aBare[k].n;
  return 0;
}

/*
** Where a word [i, j) splits off a clitic (`'s`, `n't`, `'ll`, ...), or j if it does not.
*/
static uint32_t clitic_split(const uchar *z, uint32_t i, uint32_t j, int bPlain) {
  static const char *const azClitic[] = {"s", "re", "ve", "ll", "d", "m", NULL};
  unsigned nBare = bare_split(z + i, j - i);
  if (nBare) return i + nBare;
  /* words UD writes as two: can|not, gon|na, wan|na, got|ta */
  if (j - i == 6 && lower_eq(z + i, 6, "cannot")) return i + 3;
  if (j - i == 5 && (lower_eq(z + i, 5, "gonna") || lower_eq(z + i, 5, "wanna") ||
                     lower_eq(z + i, 5, "gotta")))
    return i + 3;
  for (uint32_t nSuf = 1; !bPlain && nSuf <= 2 && nSuf < j - i; nSuf++) {
    uint32_t a = j - nSuf;
    int nApos = apostrophe_before(z, i, a);
    if (!nApos) continue;
    uint32_t split = a - (uint32_t)nApos;
    if (nSuf == 1 && (z[a] == 't' || z[a] == 'T') && split > i + 1 &&
        (z[split - 1] == 'n' || z[split - 1] == 'N'))
      return split - 1;                                   /* n't */
    for (int k = 0; azClitic[k]; k++)
      if (lower_eq(z + a, nSuf, azClitic[k]) && split > i) return split;
  }
  return j;
}


/* ====================== driver ====================== */

static int is_digit(uchar c) { return c >= '0' && c <= '9'; }
static int is_alpha(uchar c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/*
** A word segment [i, j) as UAX #29 gives it may take a following period: a dotted
** abbreviation (`U.S`, `e.g`, `Ph.D`, `a.m`: ASCII letter groups of 1-3 joined by
** periods), a known abbreviation, an initial, `No.`/`p.`/`pp.` before a number.
*/
static int takes_period(const uchar *z, uint32_t i, uint32_t j, uint32_t end) {
  uint32_t n = j - i, group = 0, nDots = 0;
  for (uint32_t k = i; k < j; k++) {
    if (z[k] == '.') {
      if (group == 0) return 0;
      nDots++;
      group = 0;
    } else if (!is_alpha(z[k]) || ++group > 3) {
      if (nDots > 0) return 0;
      group = 99;
    }
  }
  if (nDots > 0) return group >= 1 && group <= 3;
  if (n == 1 && z[i] >= 'A' && z[i] <= 'Z') return 1;              /* an initial */
  int beforeNumber = j + 2 < end && z[j + 1] == ' ' && is_digit(z[j + 2]);
  if (beforeNumber && ((n == 2 && (lower_eq(z + i, 2, "no") || lower_eq(z + i, 2, "pp"))) ||
                       (n == 3 && lower_eq(z + i, 3, "nos")) || (n == 1 && z[i] == 'p')))
    return 1;
  return in_packed(0, (const char *)z + i, n);
}

/* End of digits and number separators from i (`2000`, `30`, `1,000.5`). */
static uint32_t scan_digits(const uchar *z, uint32_t i, uint32_t end) {
  while (i < end && (is_digit(z[i]) || ((z[i] == '.' || z[i] == ',') && i + 1 < end && is_digit(z[i + 1]))))
    i++;
  return i;
}

/* Is [i, j) digits and number separators (`.,:/`) only? */
static int all_number(const uchar *z, uint32_t i, uint32_t j) {
  for (uint32_t k = i; k < j; k++)
    if (!is_digit(z[k]) && z[k] != '.' && z[k] != ',' && z[k] != ':' && z[k] != '/') return 0;
  return j > i;
}

/* Emoticons kept whole as EWT does. */
static uint32_t scan_emoticon(const uchar *z, uint32_t i, uint32_t end) {
  static const char *const az[] = {":-)", ":-(", ":-D", ":-P", ";-)", ":)", ":(", ":D",
                                   ":P", ":p", ";)", ";D", ":/", "=)", "(:", "<3", NULL};
  if (!one_of(z[i], ":;=(<")) return i;
  for (int k = 0; az[k]; k++) {
    uint32_t n = (uint32_t)strlen(az[k]);
    if (i + n <= end && memcmp(z + i, az[k], n) == 0 &&
        (i + n == end || class_at(z, i + n, end, NULL, NULL) == C_SPACE))
      return i + n;
  }
  return i;
}

/* The segment [a, b) is all whitespace? */
static int is_space_segment(const uchar *z, uint32_t a, uint32_t b) {
  return class_at(z, a, b, NULL, NULL) == C_SPACE;
}

static int is_space_at(const ds_doc *d, uint32_t i) {
  if (i >= d->nText) return 0;
  uchar c = (uchar)d->zText[i];
  if (c < 0x80) return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c < 0x20 || c == 0x7F;
  return class_at((const uchar *)d->zText, i, (uint32_t)d->nText, NULL, NULL) == C_SPACE;
}

static int emit(ds_doc *d, uint32_t start, uint32_t end, uint32_t flags) {
  if (is_space_at(d, end)) flags |= DS_TOK_SPACE_AFTER;
  return ds_doc_add_token(d, start, end, flags);
}

/* Length of an apostrophe (', ’) at z[i], or 0. */
static int apostrophe_len(const uchar *z, uint32_t i, uint32_t end) {
  if (i < end && z[i] == '\'') return 1;
  if (i + 2 < end && z[i] == 0xE2 && z[i + 1] == 0x80 && z[i + 2] == 0x99) return 3;
  return 0;
}

/* Is z[i] a letter or digit (ASCII) or any non-ASCII byte? */
static int is_word_byte(const uchar *z, uint32_t i, uint32_t end) {
  return i < end && (is_alpha(z[i]) || is_digit(z[i]) || z[i] >= 0x80);
}

/* End of the ASCII letters and digits from i. */
static uint32_t word_end(const uchar *z, uint32_t i, uint32_t end) {
  while (i < end && (is_alpha(z[i]) || is_digit(z[i]))) i++;
  return i;
}

/* Prefixes UD English keeps joined to their word by a hyphen (`e-mail`, `non-human`). */
static int is_prefix(const uchar *z, uint32_t a, uint32_t b) {
  static const char *const az[] = {"e", "non", "pre", "anti", "mid", "re", "co", "post",
                                   "pro", "over", "multi", "sub", "semi", "ex", "counter",
                                   "neo", "un", NULL};
  for (int k = 0; az[k]; k++)
    if (lower_eq(z + a, b - a, az[k])) return 1;
  return 0;
}

/*
** Digit groups joined by hyphens that are one number, not a range: phone numbers
** (`345-9945`, `732-657-3416`), ZIP+4 (`94305-5015`), dates (`01-Feb-02`). Returns the
** new end, or b. Ranges such as `1969-1970` are split.
*/
static uint32_t number_hyphens(const uchar *z, uint32_t a, uint32_t b, uint32_t end) {
  if (b + 1 >= end || z[b] != '-' || !all_number(z, a, b)) return b;
  uint32_t len[4], n = 0, i = a, e = b;
  len[n++] = b - a;
  while (n < 4 && e + 1 < end && z[e] == '-' && (is_digit(z[e + 1]) || is_alpha(z[e + 1]))) {
    i = e + 1;
    e = word_end(z, i, end);
    len[n++] = e - i;
  }
  if (is_word_byte(z, e, end)) return b;
  if (n == 3 && is_alpha(z[a + len[0] + 1])) return len[1] == 3 ? e : b;     /* 01-Feb-02 */
  for (uint32_t k = a; k < e; k++)
    if (is_alpha(z[k])) return b;
  if (n >= 3) return e;
  if ((len[0] == 3 && len[1] == 4) || (len[0] == 5 && len[1] == 4)) return e;
  return b;
}

/* File name extensions that make `name.ext` one token. */
static uint32_t file_extension(const uchar *z, uint32_t dot, uint32_t end) {
  static const char *const az[] = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
                                   "txt", "htm", "html", "jpg", "jpeg", "gif", "png", "zip",
                                   "vcf", "csv", "xml", "exe", "mp3", "wav", "rtf", NULL};
  uint32_t e = word_end(z, dot + 1, end);
  if (e == dot + 1 || is_word_byte(z, e, end)) return dot;
  for (int k = 0; az[k]; k++)
    if (lower_eq(z + dot + 1, e - dot - 1, az[k])) return e;
  return dot;
}

/*
** In a word segment [a, b) that UAX #29 joined across a period (`world.Today`,
** `Tuesday.Mr.`), the offset of a period that ends a sentence, or 0: a lower-case word
** of two letters or more before it, a capitalised word of three letters or more (or a
** known abbreviation with its period) after it. `Mail.Ru`, `JD.com`, `U.S` stay whole.
*/
static uint32_t sentence_dot(const uchar *z, uint32_t a, uint32_t b, uint32_t end) {
  for (uint32_t k = a + 2; k + 1 < b; k++) {
    if (z[k] != '.') continue;
    int lower = 0;
    for (uint32_t i = a; i < k; i++) {
      if (!is_alpha(z[i]) && z[i] < 0x80) return 0;
      lower |= z[i] >= 'a' && z[i] <= 'z';
    }
    if (!lower || !(z[k + 1] >= 'A' && z[k + 1] <= 'Z')) return 0;
    uint32_t e = k + 1;
    while (e < b && is_alpha(z[e])) e++;
    if (e != b) return 0;
    if (b - k - 1 >= 3 && z[k + 2] >= 'a' && z[k + 2] <= 'z' &&
        !lower_eq(z + k + 1, b - k - 1, "com") && !lower_eq(z + k + 1, b - k - 1, "net") &&
        !lower_eq(z + k + 1, b - k - 1, "org"))
      return k;
    if (b < end && z[b] == '.' && in_packed(0, (const char *)z + k + 1, b - k - 1)) return k;
    return 0;
  }
  return 0;
}

/*
** A word-like segment [a, b) (bPlain: only ASCII letters, digits and `_`): extend it (time `10:30`, dates `11/28/2000`, an
** abbreviation's period), split off clitics, emit. Returns the new end.
*/
static uint32_t word_token(ds_doc *d, uint32_t a, uint32_t b, uint32_t end, int bPlain,
                           int *pRc) {
  const uchar *z = (const uchar *)d->zText;
  uint32_t flags = DS_TOK_WORD;
  uint32_t dot = bPlain ? 0 : sentence_dot(z, a, b, end);
  if (dot) {
    /* `world.Today`: two sentences run together; cut at the period */
    word_token(d, a, dot, dot, 0, pRc);
    if (*pRc == DS_OK) *pRc = emit(d, dot, dot + 1, DS_TOK_PUNCT);
    if (*pRc == DS_OK) b = word_token(d, dot + 1, b, end, 0, pRc);
    return b;
  }
  int hasLetter = 0;
  for (uint32_t k = a; k < b && !hasLetter; k++)
    hasLetter = !is_digit(z[k]) && z[k] != '.' && z[k] != ',';
  uint32_t e;
  if (!hasLetter) {
    flags = DS_TOK_NUMBER;
    /* times and dates: `02:45:50`, `01/24/2001` */
    while (b + 1 < end && (z[b] == ':' || z[b] == '/') && is_digit(z[b + 1]) && all_number(z, a, b))
      b = scan_digits(z, b + 1, end);
    uint32_t nApos = b < end ? (uint32_t)apostrophe_len(z, b, end) : 0;
    if ((e = number_hyphens(z, a, b, end)) > b) b = e;
    else if (nApos && b + nApos < end && (z[b + nApos] | 0x20) == 's' &&
             !is_word_byte(z, b + nApos + 1, end))
      b += nApos + 1;                                   /* `80's`, `80’s` (not past the end) */
  } else if (b < end && z[b] == '.' && (e = file_extension(z, b, end)) > b) {
    b = e;                                              /* `image001.jpg` */
  } else if (b < end && z[b] == '.' && takes_period(z, a, b, end)) {
    flags |= DS_TOK_ABBREV;
    b++;
  } else if (b + 1 < end && z[b] == '-' && z[b + 1] >= 'a' && z[b + 1] <= 'z' &&
             is_prefix(z, a, b) &&
             !((e = word_end(z, b + 1, end)) + 1 < end && z[e] == '-' && is_alpha(z[e + 1]))) {
    /* `e-mail`, `non-human`; but `anti-China` stays apart, so that `China` counts it, and
       a compound of three or more (`over-the-counter`) splits at every hyphen, as UD does */
    b = e;
  }
  uint32_t split = (flags & DS_TOK_ABBREV) ? b : clitic_split(z, a, b, bPlain);
  if (split < b) {
    *pRc = ds_doc_add_token(d, a, split, flags);
    if (*pRc == DS_OK) *pRc = emit(d, split, b, DS_TOK_WORD);
  } else {
    *pRc = emit(d, a, b, flags);
  }
  return b;
}

/*
** After an apostrophe that starts a word, at z[i]: the end of a clitic standing alone
** (`s`, `re`, `ve`, `ll`, `d`, `m`, any case, then no more of a word), or 0.
*/
static uint32_t lone_clitic(const uchar *z, uint32_t i, uint32_t end) {
  static const char *const az[] = {"s", "re", "ve", "ll", "d", "m", NULL};
  for (int k = 0; az[k]; k++) {
    uint32_t n = (uint32_t)strlen(az[k]);
    if (i + n <= end && lower_eq(z + i, n, az[k]) && !is_word_byte(z, i + n, end)) return i + n;
  }
  return 0;
}

/* A punctuation or symbol segment [a, b): runs of `.`, of `!?`, of `-` are one token. */
static uint32_t punct_token(ds_doc *d, uint32_t a, uint32_t b, uint32_t end, int *pRc) {
  const uchar *z = (const uchar *)d->zText;
  uint32_t e;
  int n = apostrophe_len(z, a, end);
  int startsWord = a == 0 || !is_word_byte(z, a - 1, end);
  if ((e = scan_emoticon(z, a, end)) > a) {
    b = e;
  } else if (n && startsWord && a + (uint32_t)n + 2 <= end && is_digit(z[a + n]) &&
             is_digit(z[a + n + 1]) && !is_word_byte(z, a + (uint32_t)n + 2, end)) {
    b = a + (uint32_t)n + 2;                           /* `'68` */
  } else if (n && startsWord && (e = lone_clitic(z, a + (uint32_t)n, end)) > a) {
    /* `'s` standing alone (a query's "'s", a list of clitics): the clitic, one word */
    *pRc = emit(d, a, e, DS_TOK_WORD);
    return e;
  } else if (z[a] == '.' && startsWord && (e = file_extension(z, a, end)) > a) {
    b = e;                                             /* `.vcf` */
  } else if (z[a] == '.' || z[a] == '!' || z[a] == '?') {
    while (b < end && (z[b] == '.' || z[b] == '!' || z[b] == '?')) b++;
  } else if (z[a] == '-' || z[a] == '=') {
    while (b < end && (z[b] == '-' || z[b] == '=')) b++;
  } else if (one_of(z[a], "*+^~#_")) {
    while (b < end && z[b] == z[a]) b++;
  }
  int32_t cp;
  class_at(z, a, end, &cp, NULL);
  *pRc = emit(d, a, b, cclass(cp) == C_PUNCT ? DS_TOK_PUNCT : DS_TOK_SYMBOL);
  return b;
}

/* ASCII letters, digits and `_`: the bytes of a plain word (the fast path). */
static const unsigned char aWordByte[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int is_alnum_ascii(uchar c) { return aWordByte[c]; }

/*
** Where the UAX #29 word segment starting with the ASCII letters and digits z[i..j) ends,
** when that can be told from the next two bytes alone (j), or 0 when the full rules are
** needed (a mark, a non-ASCII letter, `.` `:` `'` `,` `;` between letters or digits).
*/
static uint32_t ascii_word_end(const uchar *z, uint32_t j, uint32_t end) {
  if (j >= end) return j;
  uchar c = z[j];
  if (c >= 0x80 || c == '@') return 0;
  if (c == '.' || c == ',' || c == ';' || c == ':' || c == '\'' || c == '"') {
    uchar c2 = j + 1 < end ? z[j + 1] : ' ';
    return c2 < 0x80 && !is_alnum_ascii(c2) ? j : 0;
  }
  return j;
}

/* The next token starts at z[a]: emit it (and any it splits into); return its end. */
static uint32_t token_at(ds_doc *d, uint32_t start, uint32_t a, uint32_t b, int bWordLike,
                         int bPlain, uint32_t end, uint32_t *pNoAt, int *pRc) {
  const uchar *z = (const uchar *)d->zText;
  uint32_t j;
  if ((j = scan_url(z, a, end)) > a && !(a > start && z[a - 1] < 0x80 && is_alpha(z[a - 1]))) {
    *pRc = emit(d, a, j, DS_TOK_URL);
    return j;
  }
  if (bWordLike && (j = scan_email(z, a, end, pNoAt)) > a) {
    *pRc = emit(d, a, j, DS_TOK_URL);
    return j;
  }
  return bWordLike ? word_token(d, a, b, end, bPlain, pRc) : punct_token(d, a, b, end, pRc);
}

int ds_tokenize_range(ds_doc *d, uint32_t start, uint32_t end) {
  const uchar *z = (const uchar *)d->zText;
  /* e-mail addresses need an `@`: without one, no word needs looking at */
  uint32_t noAt = memchr(z + start, '@', end - start) ? 0 : end;
  uint32_t i = start;           /* bytes before i are in tokens */
  ds_wordbreak wb;
  int bWb = 0;                  /* wb is positioned at i */
  int rc = DS_OK;
  while (i < end && rc == DS_OK) {
    uchar c = z[i];
    if (c == ' ' || c == '\n' || c == '\t') {
      i++;
      bWb = 0;
      continue;
    }
    if (is_alnum_ascii(c)) {
      /* fast path: plain ASCII words need no UAX #29 state */
      uint32_t j = i + 1, e;
      while (j < end && is_alnum_ascii(z[j])) j++;
      if ((e = ascii_word_end(z, j, end)) != 0) {
        i = token_at(d, start, i, e, 1, 1, end, &noAt, &rc);
        bWb = 0;
        continue;
      }
    }
    if (!bWb) {
      ds_wordbreak_init(&wb, d->zText + i, end - i);
      bWb = 1;
    }
    size_t s, e;
    int src = ds_wordbreak_next(&wb, &s, &e);
    if (src == DS_DONE) break;
    if (src != DS_OK) return DS_UTF8;         /* the reader validated: cannot happen */
    uint32_t base = (uint32_t)(wb.z - z), a = base + (uint32_t)s, b = base + (uint32_t)e;
    if (is_space_segment(z, a, b)) {
      i = b;
      continue;
    }
    uint32_t next = token_at(d, start, a, b, wb.bWordLike, 0, end, &noAt, &rc);
    bWb = next == b;              /* a longer or shorter token: restart the segmenter */
    i = next;
  }
  return rc;
}

int ds_tokenize_string(const char *z, size_t n,
                       int (*xToken)(void *ctx, const char *zTok, size_t nTok, uint32_t flags,
                                     size_t iStart, size_t iEnd),
                       void *ctx) {
  if (n > DS_MAX_DOC_BYTES) return DS_LIMIT;
  /* a document on the stack around z: the tokenizer reads zText and nText only */
  ds_doc d;
  memset(&d, 0, sizeof d);
  d.zText = (char *)(uintptr_t)z;        /* read, never written */
  d.nText = n;
  int rc = n ? ds_tokenize_range(&d, 0, (uint32_t)n) : DS_OK;
  for (size_t t = 0; rc == DS_OK && t < d.nTok; t++) {
    const ds_token *k = &d.aTok[t];
    if (xToken(ctx, z + k->start, k->end - k->start, k->flags, k->start, k->end)) rc = DS_ABORT;
  }
  ds_free(d.aTok);
  return rc;
}

int ds_tokenize(ds_doc *d) {
  /* English runs at 5 to 6 bytes a token: reserve once instead of growing often */
  if (d->nTokAlloc < d->nText / 5) {
    ds_token *a = ds_realloc_n(d->aTok, d->nText / 5, sizeof *a);
    if (!a) return DS_NOMEM;
    d->aTok = a;
    d->nTokAlloc = d->nText / 5;
  }
  for (size_t p = 0; p < d->nPara; p++) {
    uint32_t first = (uint32_t)d->nTok;
    int rc = ds_tokenize_range(d, d->aPara[p].start, d->aPara[p].end);
    if (rc) return rc;
    d->aPara[p].tok.first = first;
    d->aPara[p].tok.last = (uint32_t)d->nTok;
  }
  return DS_OK;
}
