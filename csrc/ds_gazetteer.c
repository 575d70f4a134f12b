/*
** ds_gazetteer.c -- lexicon files into a token trie; documents tagged with its entities
** (see ds_gazetteer.h).
**
** The trie's labels are word ids: every distinct case-folded token of every form gets
** one (the map `words`). An edge (parent node, word id) -> child node sits in one open
** addressing table. A node where forms end holds their variants: the forms as written
** (for the case rules), all of one entry. Tagging folds each token of the document once,
** looks its word id up once, then walks the trie from each start; it writes only its own
** arrays and the document.
*/
#include "ds_gazetteer.h"

#include "ds_buf.h"
#include "ds_lines.h"
#include "ds_strmap.h"
#include "ds_tokenize.h"
#include "ds_utf8.h"

#include <string.h>
#include <utf8proc.h>

#define GZ_NONE 0xFFFFFFFFu

/* Rules of an entry (its sixth column). */
#define GZ_RULE_EXACT   0x01
#define GZ_RULE_ANY     0x02
#define GZ_RULE_NOSTART 0x04

/* Case rule of a form as written. */
enum {
  GZ_CASE_ANY = 0,   /* any case: `any`, or no upper-case letter in the form */
  GZ_CASE_CAPS,      /* only in capitals: upper-case letters and no lower-case one */
  GZ_CASE_INITIAL,   /* each word with a capital initial keeps one */
  GZ_CASE_EXACT      /* only as written */
};

static const char *const azType[] = {"PERSON", "ORG", "GPE", "LOC", "TECH", "POLICY", "EVENT"};

/* ISO 3166-1 alpha-2, the assigned codes, in order. */
static const char zCountries[] =
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO "
  "BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ "
  "DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP "
  "GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG "
  "KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML "
  "MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE "
  "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL "
  "SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM "
  "US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/* Words after a `nostart` name that show it is the company: `Apple Inc.`, `Apple shares`. */
static const char *const azCue[] = {"inc", "inc.", "corp", "corp.", "corporation", "co.",
                                    "ltd", "ltd.", "llc", "plc", "company", "shares", "stock"};

typedef struct gz_entry {
  uint32_t zId, zType, zName, zCountry;   /* offsets in strs of NUL-ended strings */
  uint32_t iFile, iLine;                  /* where it was read */
  uint32_t iSlot;                         /* its id's slot among all files' ids */
  uint32_t rules;                         /* GZ_RULE_* */
} gz_entry;

/* A form of an entry as written, ending at a trie node. */
typedef struct gz_var {
  uint32_t iEnt;        /* its entry */
  uint32_t iNode;       /* the node its tokens lead to */
  uint32_t iTok;        /* its tokens: aFormTok[2*iTok ..] start, end offsets in strs */
  uint16_t nTok;
  uint8_t eCase;        /* GZ_CASE_* */
  uint8_t flags;        /* GZ_VAR_*, set when built */
  uint32_t capMask;     /* GZ_CASE_INITIAL: bit k set when the form's token k starts with
                           a capital (DS_GAZ_MAX_TOKENS is 32) */
} gz_var;

#define GZ_VAR_NOSTART 0x01   /* its entry has the rule nostart */
#define GZ_VAR_LAST    0x02   /* the last variant of its node */

/* Where a step leads. */
typedef struct gz_next {
  uint32_t child;       /* the node */
  uint32_t iVar;        /* its first variant in aVar, or GZ_NONE (set when built, so that a
                           step finds what ends there without another lookup) */
} gz_next;

typedef struct gz_edge {
  uint64_t key;         /* parent << 32 | word id; GZ_EDGE_EMPTY for a free slot */
  gz_next next;
} gz_edge;
#define GZ_EDGE_EMPTY UINT64_MAX

struct ds_gazetteer {
  ds_strmap words;      /* case-folded token -> word id */
  uint32_t nWord;
  gz_edge *aEdge;       /* the trie's edges, open addressing (power of two slots) */
  size_t nEdgeSlot, nEdge;
  uint32_t nNode;       /* node 0 is the root */
  gz_next *aRoot;       /* the root's step by each word id (child GZ_NONE when none): the
                           first step of every walk, so an array rather than the table */
  uint64_t *aChildMask; /* per node, bit (w % 64) set for each word w it has a child by:
                           most steps that lead nowhere end here, without a probe */
  gz_var *aVar;         /* grouped by node once built (GZ_VAR_LAST ends a group); only
                           the variants that can match */
  size_t nVar, nVarAlloc;
  gz_entry *aEnt;       /* every entry read, the replaced ones too */
  size_t nEnt, nEntAlloc;
  size_t nLive;         /* entries not replaced by a later file's */
  size_t nForm;         /* nodes that hold variants */
  uint32_t *aFormTok;   /* token offsets of the variants' forms */
  size_t nFormTok, nFormTokAlloc;
  ds_buf strs;          /* strings: ids, types, names, countries, forms */
};

/* {====== Small helpers ====== */

/* Make room for one more element of size sz in *pa (n used, *pnAlloc allocated). */
static int grow(void **pa, size_t *pnAlloc, size_t n, size_t sz) {
  if (n < *pnAlloc) return DS_OK;
  size_t nNew = *pnAlloc ? *pnAlloc * 2 : 64;
  void *p = ds_realloc(*pa, nNew * sz);
  if (!p) return DS_NOMEM;
  *pa = p;
  *pnAlloc = nNew;
  return DS_OK;
}

/* Copy z[0..n) with a NUL into the string arena; its offset in *pOff. */
static int put_str(ds_gazetteer *g, const char *z, size_t n, uint32_t *pOff) {
  if (g->strs.n + n + 1 > UINT32_MAX) return DS_LIMIT;
  *pOff = (uint32_t)g->strs.n;
  ds_buf_append(&g->strs, z, n);
  ds_buf_putc(&g->strs, 0);
  return g->strs.rc;
}

static const char *str_at(const ds_gazetteer *g, uint32_t off) {
  return (const char *)g->strs.p + off;
}

static int is_upper(int32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z';
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

static int is_lower(int32_t cp) {
  if (cp < 0x80) return cp >= 'a' && cp <= 'z';
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_LL;
}

/* Does valid UTF-8 z[0..n) start with an upper-case letter? */
static int starts_upper(const char *z, size_t n) {
  int32_t cp;
  if (n == 0) return 0;
  ds_utf8_decode((const unsigned char *)z, 0, n, &cp);
  return is_upper(cp);
}

/* Does valid UTF-8 z[0..n) hold a lower-case letter? */
static int has_lower(const char *z, size_t n) {
  for (size_t i = 0; i < n;) {
    int32_t cp;
    i += (size_t)ds_utf8_decode((const unsigned char *)z, i, n, &cp);
    if (is_lower(cp)) return 1;
  }
  return 0;
}

static int has_upper(const char *z, size_t n) {
  for (size_t i = 0; i < n;) {
    int32_t cp;
    i += (size_t)ds_utf8_decode((const unsigned char *)z, i, n, &cp);
    if (is_upper(cp)) return 1;
  }
  return 0;
}

/* Is z[0..n) the field `zWord`? */
static int field_is(const char *z, size_t n, const char *zWord) {
  return strlen(zWord) == n && memcmp(z, zWord, n) == 0;
}

/* }====== */

/* {====== The trie ====== */

static size_t edge_slot(uint64_t key, size_t mask) {
  uint64_t h = key * 0x9E3779B97F4A7C15u;
  h ^= h >> 29;
  return (size_t)(h * 0xD6E8FEB86659FD93u >> 32) & mask;
}

/* The edge from `parent` by word w, or NULL. Only reads. */
static const gz_edge *edge_find(const ds_gazetteer *g, uint32_t parent, uint32_t w) {
  if (!g->nEdgeSlot) return NULL;
  uint64_t key = (uint64_t)parent << 32 | w;
  size_t mask = g->nEdgeSlot - 1;
  for (size_t i = edge_slot(key, mask);; i = (i + 1) & mask) {
    if (g->aEdge[i].key == key) return &g->aEdge[i];
    if (g->aEdge[i].key == GZ_EDGE_EMPTY) return NULL;
  }
}

/* The child of `parent` by word w, or GZ_NONE. */
static uint32_t edge_get(const ds_gazetteer *g, uint32_t parent, uint32_t w) {
  const gz_edge *p = edge_find(g, parent, w);
  return p ? p->next.child : GZ_NONE;
}

static void edge_place(gz_edge *a, size_t nSlot, uint64_t key, uint32_t child) {
  size_t mask = nSlot - 1, i = edge_slot(key, mask);
  while (a[i].key != GZ_EDGE_EMPTY) i = (i + 1) & mask;
  a[i].key = key;
  a[i].next = (gz_next){child, GZ_NONE};
}

/* Where the step from `node` by word w leads when tagging, or NULL. */
static inline const gz_next *step(const ds_gazetteer *g, uint32_t node, uint32_t w) {
  if (node == 0) return g->aRoot[w].child == GZ_NONE ? NULL : &g->aRoot[w];
  if (!(g->aChildMask[node] >> (w & 63) & 1)) return NULL;
  const gz_edge *p = edge_find(g, node, w);
  return p ? &p->next : NULL;
}

/* The child of `parent` by word w, made if it is not there. */
static int edge_make(ds_gazetteer *g, uint32_t parent, uint32_t w, uint32_t *pChild) {
  uint32_t c = edge_get(g, parent, w);
  if (c != GZ_NONE) {
    *pChild = c;
    return DS_OK;
  }
  if (g->nNode == GZ_NONE - 1) return DS_LIMIT;
  if (2 * (g->nEdge + 1) > g->nEdgeSlot) {        /* keep the table at most half full */
    size_t nNew = g->nEdgeSlot ? g->nEdgeSlot * 2 : 1024;
    gz_edge *a = ds_malloc(nNew * sizeof *a);
    if (!a) return DS_NOMEM;
    for (size_t i = 0; i < nNew; i++) a[i].key = GZ_EDGE_EMPTY;
    for (size_t i = 0; i < g->nEdgeSlot; i++)
      if (g->aEdge[i].key != GZ_EDGE_EMPTY) edge_place(a, nNew, g->aEdge[i].key, g->aEdge[i].next.child);
    ds_free(g->aEdge);
    g->aEdge = a;
    g->nEdgeSlot = nNew;
  }
  *pChild = g->nNode++;
  edge_place(g->aEdge, g->nEdgeSlot, (uint64_t)parent << 32 | w, *pChild);
  g->nEdge++;
  return DS_OK;
}

/* }====== */

/* {====== Loading ====== */

/* What loading needs besides the gazetteer; freed when it is built. */
typedef struct gz_build {
  ds_gazetteer *g;
  ds_strmap ids;          /* every file's ids -> slot */
  uint32_t *aLatest;      /* slot -> the last entry read with that id */
  size_t nSlot, nSlotAlloc;
  ds_strmap fileIds;      /* this file's ids -> entry */
  ds_strmap fileForms;    /* this file's forms (folded tokens apart by 0xFF) -> entry */
  ds_buf nfc, fold, key;  /* scratch */
  uint32_t aTok[2 * (DS_GAZ_MAX_TOKENS + 1)];   /* the tokens of the form at hand */
  int nTok;
} gz_build;

static int on_form_token(void *ctx, const char *z, size_t n, uint32_t flags, size_t iStart,
                         size_t iEnd) {
  gz_build *b = ctx;
  (void)z, (void)n, (void)flags;
  if (b->nTok > DS_GAZ_MAX_TOKENS) return 1;
  b->aTok[2 * b->nTok] = (uint32_t)iStart;
  b->aTok[2 * b->nTok + 1] = (uint32_t)iEnd;
  b->nTok++;
  return 0;
}

/* The word id of the folded token z[0..n), made if new. */
static int word_make(ds_gazetteer *g, const char *z, size_t n, uint32_t *pw) {
  if (ds_strmap_get(&g->words, z, n, pw)) return DS_OK;
  if (g->nWord == GZ_NONE - 1) return DS_LIMIT;
  *pw = g->nWord;
  int rc = ds_strmap_put(&g->words, z, n, g->nWord);
  if (rc == DS_OK) g->nWord++;
  return rc;
}

/*
** One form z[0..n) (the name or an alias) of entry iEnt, read on the current line of r:
** tokenize it, add its path to the trie and a variant at its end.
*/
static int add_form(gz_build *b, ds_lines *r, uint32_t iEnt, const char *z, size_t n,
                    const char *zWhat, ds_error *e) {
  ds_gazetteer *g = b->g;
  gz_entry *ent = &g->aEnt[iEnt];
  int rc;
  ds_buf_reset(&b->nfc);
  if ((rc = ds_utf8_nfc(z, n, &b->nfc)) != DS_OK) return rc;
  b->nTok = 0;
  rc = ds_tokenize_string((const char *)b->nfc.p, b->nfc.n, on_form_token, b);
  if (rc == DS_ABORT || b->nTok > DS_GAZ_MAX_TOKENS)
    return ds_lines_error(r, e, DS_FORMAT, "the %s '%.*s' has more than %d tokens", zWhat,
                          (int)n, z, DS_GAZ_MAX_TOKENS);
  if (rc) return rc;
  if (b->nTok == 0)
    return ds_lines_error(r, e, DS_FORMAT, "the %s '%.*s' has no tokens", zWhat, (int)n, z);
  uint32_t off;
  if ((rc = put_str(g, (const char *)b->nfc.p, b->nfc.n, &off)) != DS_OK) return rc;
  /* the trie path and the form's key */
  uint32_t node = 0;
  ds_buf_reset(&b->key);
  for (int k = 0; k < b->nTok; k++) {
    const char *zTok = (const char *)b->nfc.p + b->aTok[2 * k];
    uint32_t w;
    ds_buf_reset(&b->fold);
    if ((rc = ds_utf8_fold(zTok, b->aTok[2 * k + 1] - b->aTok[2 * k], &b->fold)) != DS_OK) return rc;
    if ((rc = word_make(g, (const char *)b->fold.p, b->fold.n, &w)) != DS_OK) return rc;
    if ((rc = edge_make(g, node, w, &node)) != DS_OK) return rc;
    if (k) ds_buf_putc(&b->key, 0xFF);
    ds_buf_append(&b->key, b->fold.p, b->fold.n);
  }
  if (b->key.rc) return b->key.rc;
  uint32_t iOther;
  if (ds_strmap_get(&b->fileForms, (const char *)b->key.p, b->key.n, &iOther)) {
    if (iOther != iEnt)
      return ds_lines_error(r, e, DS_FORMAT,
                            "the form '%.*s' is given to %s on line %u and to %s on line %zu",
                            (int)n, z, str_at(g, g->aEnt[iOther].zId), g->aEnt[iOther].iLine,
                            str_at(g, ent->zId), r->iLine);
  } else if ((rc = ds_strmap_put(&b->fileForms, (const char *)b->key.p, b->key.n, iEnt)) != DS_OK) {
    return rc;
  }
  /* the variant, with its case rule */
  const char *zForm = (const char *)b->nfc.p;
  int eCase = GZ_CASE_INITIAL;
  if (ent->rules & GZ_RULE_EXACT) eCase = GZ_CASE_EXACT;
  else if ((ent->rules & GZ_RULE_ANY) || !has_upper(zForm, b->nfc.n)) eCase = GZ_CASE_ANY;
  else if (!has_lower(zForm, b->nfc.n)) eCase = GZ_CASE_CAPS;
  if (grow((void **)&g->aVar, &g->nVarAlloc, g->nVar, sizeof *g->aVar)) return DS_NOMEM;
  for (int k = 0; k < 2 * b->nTok; k++) {
    if (grow((void **)&g->aFormTok, &g->nFormTokAlloc, g->nFormTok, sizeof *g->aFormTok))
      return DS_NOMEM;
    g->aFormTok[g->nFormTok++] = off + b->aTok[k];
  }
  uint32_t capMask = 0;
  for (int k = 0; k < b->nTok; k++)
    if (starts_upper(zForm + b->aTok[2 * k], b->aTok[2 * k + 1] - b->aTok[2 * k]))
      capMask |= (uint32_t)1 << k;
  g->aVar[g->nVar++] = (gz_var){iEnt, node, (uint32_t)(g->nFormTok / 2 - (size_t)b->nTok),
                                (uint16_t)b->nTok, (uint8_t)eCase, 0, capMask};
  return DS_OK;
}

static int valid_id(const char *z, size_t n) {
  if (n >= 2 && z[0] == 'Q') {
    if (z[1] == '0' || n > 12) return 0;
    for (size_t i = 1; i < n; i++)
      if (z[i] < '0' || z[i] > '9') return 0;
    return 1;
  }
  if (n < 4 || memcmp(z, "ds:", 3) != 0) return 0;
  for (size_t i = 3; i < n; i++) {
    char c = z[i];
    int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !((c == '-' || c == '_' || c == '.') && i > 3 && i + 1 < n)) return 0;
  }
  return 1;
}

static int valid_country(const char *z, size_t n) {
  if (n == 0) return 1;
  if (n != 2 || z[0] < 'A' || z[0] > 'Z' || z[1] < 'A' || z[1] > 'Z') return 0;
  for (size_t i = 0; i + 2 <= sizeof zCountries - 1; i += 3)
    if (zCountries[i] == z[0] && zCountries[i + 1] == z[1]) return 1;
  return 0;
}

/* The rules column into *pRules. */
static int parse_rules(ds_lines *r, const ds_field *f, uint32_t *pRules, ds_error *e) {
  uint32_t rules = 0;
  size_t i = 0;
  while (i < f->n) {
    size_t j = i;
    while (j < f->n && f->z[j] != ',') j++;
    size_t a = i, z = j;
    while (a < z && f->z[a] == ' ') a++;
    while (z > a && f->z[z - 1] == ' ') z--;
    const char *zFlag = f->z + a;
    if (field_is(zFlag, z - a, "exact")) rules |= GZ_RULE_EXACT;
    else if (field_is(zFlag, z - a, "any")) rules |= GZ_RULE_ANY;
    else if (field_is(zFlag, z - a, "nostart")) rules |= GZ_RULE_NOSTART;
    else
      return ds_lines_error(r, e, DS_FORMAT, "unknown rule '%.*s' (exact, any, nostart)",
                            (int)(z - a), zFlag);
    if (j == f->n - 1) return ds_lines_error(r, e, DS_FORMAT, "empty rule after ','");
    i = j + 1;
  }
  if ((rules & GZ_RULE_EXACT) && (rules & GZ_RULE_ANY))
    return ds_lines_error(r, e, DS_FORMAT, "the rules exact and any exclude each other");
  *pRules = rules;
  return DS_OK;
}

/* One line of a lexicon file: an entry. */
static int read_entry(gz_build *b, ds_lines *r, uint32_t iFile, ds_error *e) {
  ds_gazetteer *g = b->g;
  char *zLine = r->zLine;
  size_t nLine = r->nLine;
  int rc;
  int64_t bad = ds_utf8_check(zLine, nLine);
  if (bad >= 0)
    return ds_lines_error(r, e, DS_FORMAT, "invalid UTF-8 at byte %lld of the line",
                          (long long)bad + 1);
  if (memchr(zLine, 0, nLine)) return ds_lines_error(r, e, DS_FORMAT, "a NUL byte in the line");
  size_t nCol = 1;
  for (size_t i = 0; i < nLine; i++) nCol += zLine[i] == '\t';
  if (nCol < 3 || nCol > 6)
    return ds_lines_error(r, e, DS_FORMAT,
                          "%zu columns; expected 6 (id, type, name, country, aliases, rules; "
                          "the last three may be left out)", nCol);
  ds_field a[6] = {{NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}};
  ds_lines_fields(r, '\t', a, 6);
  if (!valid_id(a[0].z, a[0].n))
    return ds_lines_error(r, e, DS_FORMAT, "bad id '%.*s' (Q and digits, or ds: and a slug)",
                          (int)a[0].n, a[0].z);
  int iType = -1;
  for (int k = 0; k < (int)(sizeof azType / sizeof *azType); k++)
    if (field_is(a[1].z, a[1].n, azType[k])) iType = k;
  if (iType < 0)
    return ds_lines_error(r, e, DS_FORMAT,
                          "bad type '%.*s' (PERSON, ORG, GPE, LOC, TECH, POLICY or EVENT)",
                          (int)a[1].n, a[1].z);
  size_t i0 = 0, i1 = a[2].n;
  while (i0 < i1 && (a[2].z[i0] == ' ')) i0++;
  while (i1 > i0 && (a[2].z[i1 - 1] == ' ')) i1--;
  if (i0 == i1) return ds_lines_error(r, e, DS_FORMAT, "empty name");
  if (!valid_country(a[3].z, a[3].n))
    return ds_lines_error(r, e, DS_FORMAT, "bad country '%.*s' (ISO 3166-1 alpha-2, or empty)",
                          (int)a[3].n, a[3].z);
  uint32_t rules = 0;
  if ((rc = parse_rules(r, &a[5], &rules, e)) != DS_OK) return rc;
  /* an id once per file */
  uint32_t iOther;
  if (ds_strmap_get(&b->fileIds, a[0].z, a[0].n, &iOther))
    return ds_lines_error(r, e, DS_FORMAT, "the id %.*s is given on line %u and on line %zu",
                          (int)a[0].n, a[0].z, g->aEnt[iOther].iLine, r->iLine);
  if (g->nEnt >= GZ_NONE - 1) return DS_LIMIT;
  uint32_t iEnt = (uint32_t)g->nEnt;
  if ((rc = ds_strmap_put(&b->fileIds, a[0].z, a[0].n, iEnt)) != DS_OK) return rc;
  /* the id's slot: the last entry with an id wins */
  uint32_t iSlot;
  if (!ds_strmap_get(&b->ids, a[0].z, a[0].n, &iSlot)) {
    iSlot = (uint32_t)b->nSlot;
    if ((rc = ds_strmap_put(&b->ids, a[0].z, a[0].n, iSlot)) != DS_OK) return rc;
    if (grow((void **)&b->aLatest, &b->nSlotAlloc, b->nSlot, sizeof *b->aLatest)) return DS_NOMEM;
    b->nSlot++;
  }
  b->aLatest[iSlot] = iEnt;
  /* the entry */
  if (grow((void **)&g->aEnt, &g->nEntAlloc, g->nEnt, sizeof *g->aEnt)) return DS_NOMEM;
  gz_entry ent = {0, 0, 0, 0, iFile, (uint32_t)r->iLine, iSlot, rules};
  if ((rc = put_str(g, a[0].z, a[0].n, &ent.zId)) != DS_OK ||
      (rc = put_str(g, azType[iType], strlen(azType[iType]), &ent.zType)) != DS_OK ||
      (rc = put_str(g, a[3].z, a[3].n, &ent.zCountry)) != DS_OK)
    return rc;
  ds_buf_reset(&b->nfc);
  if ((rc = ds_utf8_nfc(a[2].z + i0, i1 - i0, &b->nfc)) != DS_OK) return rc;
  if ((rc = put_str(g, (const char *)b->nfc.p, b->nfc.n, &ent.zName)) != DS_OK) return rc;
  g->aEnt[g->nEnt++] = ent;
  /* its forms */
  if ((rc = add_form(b, r, iEnt, a[2].z, a[2].n, "name", e)) != DS_OK) return rc;
  for (size_t i = 0; a[4].n && i <= a[4].n;) {
    size_t j = i;
    while (j < a[4].n && a[4].z[j] != '|') j++;
    if (j == i) return ds_lines_error(r, e, DS_FORMAT, "empty alias in '%.*s'", (int)a[4].n, a[4].z);
    if ((rc = add_form(b, r, iEnt, a[4].z + i, j - i, "alias", e)) != DS_OK) return rc;
    i = j + 1;
  }
  return DS_OK;
}

/* Is the line nothing but spaces and tabs? */
static int blank(const char *z, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (z[i] != ' ' && z[i] != '\t') return 0;
  return 1;
}

/* Every entry of one file, read by r (which this closes). */
static int read_file(gz_build *b, ds_lines *r, uint32_t iFile, ds_error *e) {
  int rc = DS_OK;
  ds_strmap_free(&b->fileIds);
  ds_strmap_free(&b->fileForms);
  while (rc == DS_OK && ds_lines_next(r)) {
    if (r->iLine == 1 && r->nLine >= 3 && memcmp(r->zLine, "\xEF\xBB\xBF", 3) == 0) {
      r->zLine += 3;      /* a byte-order mark */
      r->nLine -= 3;
      if (r->nLine && r->zLine[0] == '#') continue;
    }
    if (blank(r->zLine, r->nLine)) continue;
    rc = read_entry(b, r, iFile, e);
  }
  ds_lines_close(r);
  if (rc == DS_NOMEM) ds_error_set(e, rc, -1, "%s: out of memory", r->zPath);
  else if (rc == DS_LIMIT) ds_error_set(e, rc, -1, "%s: the lexicons are too large", r->zPath);
  return rc;
}

/*
** After the last file: drop the entries a later file replaced and the variants of forms
** a later file claimed; sort the rest by node.
*/
static int finish(gz_build *b) {
  ds_gazetteer *g = b->g;
  size_t nNode = g->nNode, nKeep = 0;
  uint32_t *aOwner = ds_malloc(nNode * sizeof *aOwner);
  uint32_t *aNodeVar = ds_malloc((nNode + 1) * sizeof *aNodeVar);
  g->aRoot = ds_malloc((g->nWord ? g->nWord : 1) * sizeof *g->aRoot);
  g->aChildMask = ds_malloc(nNode * sizeof *g->aChildMask);
  gz_var *aSorted = NULL;
  int rc = DS_NOMEM;
  if (!aOwner || !aNodeVar || !g->aRoot || !g->aChildMask) goto done;
  g->nLive = 0;
  for (size_t i = 0; i < g->nEnt; i++) g->nLive += b->aLatest[g->aEnt[i].iSlot] == i;
  /* variants are in the order read, so the last live entry to claim a node owns it */
  for (size_t k = 0; k < nNode; k++) aOwner[k] = GZ_NONE;
  for (size_t v = 0; v < g->nVar; v++) {
    const gz_var *p = &g->aVar[v];
    if (b->aLatest[g->aEnt[p->iEnt].iSlot] == p->iEnt) aOwner[p->iNode] = p->iEnt;
  }
  /* the owners' variants, grouped by node: aNodeVar[k] .. aNodeVar[k+1] */
  memset(aNodeVar, 0, (nNode + 1) * sizeof *aNodeVar);
  for (size_t v = 0; v < g->nVar; v++) {
    gz_var *p = &g->aVar[v];
    if (aOwner[p->iNode] != p->iEnt) p->iEnt = GZ_NONE;      /* dropped */
    else aNodeVar[p->iNode + 1]++, nKeep++;
  }
  g->nForm = 0;
  for (size_t k = 0; k < nNode; k++) {
    g->nForm += aNodeVar[k + 1] > 0;
    aNodeVar[k + 1] += aNodeVar[k];
  }
  if (!(aSorted = ds_malloc((nKeep ? nKeep : 1) * sizeof *aSorted))) goto done;
  uint32_t *aNext = aOwner;               /* now the next place of each node's variants */
  for (size_t k = 0; k < nNode; k++) aNext[k] = aNodeVar[k];
  for (size_t v = 0; v < g->nVar; v++) {
    gz_var *p = &g->aVar[v];
    if (p->iEnt == GZ_NONE) continue;
    p->flags = (g->aEnt[p->iEnt].rules & GZ_RULE_NOSTART) ? GZ_VAR_NOSTART : 0;
    if (aNext[p->iNode] + 1 == aNodeVar[p->iNode + 1]) p->flags |= GZ_VAR_LAST;
    aSorted[aNext[p->iNode]++] = *p;
  }
  ds_free(g->aVar);
  g->aVar = aSorted;
  g->nVar = g->nVarAlloc = nKeep;
  /* each edge learns where its child's variants are; the root's edges go to an array */
  memset(g->aChildMask, 0, nNode * sizeof *g->aChildMask);
  for (size_t i = 0; i < g->nEdgeSlot; i++) {
    gz_edge *p = &g->aEdge[i];
    if (p->key == GZ_EDGE_EMPTY) continue;
    uint32_t c = p->next.child;
    p->next.iVar = aNodeVar[c] < aNodeVar[c + 1] ? aNodeVar[c] : GZ_NONE;
    g->aChildMask[p->key >> 32] |= (uint64_t)1 << (p->key & 63);
  }
  for (uint32_t w = 0; w < g->nWord; w++) {
    const gz_edge *p = edge_find(g, 0, w);
    g->aRoot[w] = p ? p->next : (gz_next){GZ_NONE, GZ_NONE};
  }
  rc = DS_OK;
done:
  ds_free(aOwner);
  ds_free(aNodeVar);
  return rc;
}

/* Load n lexicons, each from a file (az NULL) or from memory. */
static int load(const char *const *azName, const char *const *az, const size_t *an, int n,
                ds_gazetteer **pg, ds_error *e) {
  *pg = NULL;
  ds_error_clear(e);
  if (n < 1) return ds_error_set(e, DS_MISUSE, -1, "no lexicon file given");
  ds_gazetteer *g = ds_malloc(sizeof *g);
  gz_build b;
  if (!g) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  memset(g, 0, sizeof *g);
  memset(&b, 0, sizeof b);
  b.g = g;
  g->nNode = 1;                           /* the root */
  ds_buf nfc = DS_BUF_INIT;
  b.nfc = b.fold = b.key = nfc;
  int rc = DS_OK;
  for (int i = 0; rc == DS_OK && i < n; i++) {
    ds_lines r;
    if (az) {
      memset(&r, 0, sizeof r);
      r.zPath = azName[i];
      r.z = ds_malloc(an[i] + 1);
      if (!r.z) {
        rc = ds_error_set(e, DS_NOMEM, -1, "out of memory");
        break;
      }
      memcpy(r.z, az[i], an[i]);
      r.z[an[i]] = 0;
      r.n = an[i];
    } else if ((rc = ds_lines_open(&r, azName[i], e)) != DS_OK) {
      break;
    }
    rc = read_file(&b, &r, (uint32_t)i, e);
  }
  if (rc == DS_OK && (rc = finish(&b)) != DS_OK) ds_error_set(e, rc, -1, "out of memory");
  ds_strmap_free(&b.ids);
  ds_strmap_free(&b.fileIds);
  ds_strmap_free(&b.fileForms);
  ds_free(b.aLatest);
  ds_buf_free(&b.nfc);
  ds_buf_free(&b.fold);
  ds_buf_free(&b.key);
  if (rc) {
    ds_gazetteer_free(g);
    return rc;
  }
  *pg = g;
  return DS_OK;
}

int ds_gazetteer_load(const char *const *azPath, int nPath, ds_gazetteer **pg, ds_error *e) {
  return load(azPath, NULL, NULL, nPath, pg, e);
}

int ds_gazetteer_load_mem(const char *const *azName, const char *const *az, const size_t *an,
                          int n, ds_gazetteer **pg, ds_error *e) {
  return load(azName, az, an, n, pg, e);
}

size_t ds_gazetteer_count(const ds_gazetteer *g) { return g->nLive; }

size_t ds_gazetteer_nform(const ds_gazetteer *g) { return g->nForm; }

void ds_gazetteer_free(ds_gazetteer *g) {
  if (!g) return;
  ds_strmap_free(&g->words);
  ds_free(g->aEdge);
  ds_free(g->aRoot);
  ds_free(g->aChildMask);
  ds_free(g->aVar);
  ds_free(g->aEnt);
  ds_free(g->aFormTok);
  ds_buf_free(&g->strs);
  ds_free(g);
}

/* }====== */

/* {====== Tagging ====== */

/*
** The norm of token text z[0..n): in a[] when it is short ASCII (most tokens; folded as
** ds_utf8_fold folds ASCII), else in fold. Its length in *pn; NULL when out of memory.
*/
static const char *fold_token(const char *z, size_t n, char a[64], ds_buf *fold, size_t *pn) {
  size_t i = 0;
  *pn = n;
  if (n <= 64) {
    for (; i < n && (unsigned char)z[i] < 0x80; i++) a[i] = (char)(z[i] >= 'A' && z[i] <= 'Z' ? z[i] + 32 : z[i]);
    if (i == n) return a;
  }
  ds_buf_reset(fold);
  if (ds_utf8_fold(z, n, fold)) return NULL;
  *pn = fold->n;
  return (const char *)fold->p;
}

/* The word id of folded text z[0..n), or GZ_NONE. */
static uint32_t word_id(const ds_gazetteer *g, const char *z, size_t n) {
  uint32_t w;
  return ds_strmap_get(&g->words, z, n, &w) ? w : GZ_NONE;
}

/* Is token t a company cue (ASCII, any case)? */
static int is_cue(const ds_doc *d, size_t t) {
  const char *z = d->zText + d->aTok[t].start;
  size_t n = d->aTok[t].end - d->aTok[t].start;
  char zLow[16];
  if (n >= sizeof zLow) return 0;
  for (size_t i = 0; i < n; i++) zLow[i] = (char)(z[i] >= 'A' && z[i] <= 'Z' ? z[i] + 32 : z[i]);
  for (size_t k = 0; k < sizeof azCue / sizeof *azCue; k++)
    if (field_is(zLow, n, azCue[k])) return 1;
  return 0;
}

/* Does the text's token t pass variant v's case rule for the form's token k? */
static int case_ok(const ds_gazetteer *g, const gz_var *v, int k, const ds_doc *d, size_t t,
                   int bLemma) {
  const char *z = d->zText + d->aTok[t].start;
  size_t n = d->aTok[t].end - d->aTok[t].start;
  switch (v->eCase) {
    case GZ_CASE_EXACT: {
      const uint32_t *a = &g->aFormTok[2 * (v->iTok + (uint32_t)k)];
      return !bLemma && n == a[1] - a[0] && memcmp(z, str_at(g, a[0]), n) == 0;
    }
    /* by lemma, a plural's final s may be lower case: NGOs, SMEs */
    case GZ_CASE_CAPS: return !has_lower(z, n - (bLemma && n > 1 && z[n - 1] == 's'));
    case GZ_CASE_INITIAL: return !(v->capMask >> k & 1) || starts_upper(z, n);
    default: return 1;
  }
}

/*
** The entry of the variants from aVar[iVar] (one node's) if one of them matches tokens
** [i, end) of sentence s (its last token by lemma when bLemma), else GZ_NONE.
*/
static uint32_t accept(const ds_gazetteer *g, const ds_doc *d, const ds_range *s, uint32_t iVar,
                       size_t i, size_t end, int bLemma) {
  for (uint32_t iv = iVar; iv != GZ_NONE; iv = (g->aVar[iv].flags & GZ_VAR_LAST) ? GZ_NONE : iv + 1) {
    const gz_var *v = &g->aVar[iv];
    int ok = 1;
    for (int k = 0; ok && k < v->nTok; k++)
      ok = case_ok(g, v, k, d, i + (size_t)k, bLemma && i + (size_t)k + 1 == end);
    if (ok && (v->flags & GZ_VAR_NOSTART)) {
      size_t t = s->first;
      while (t < i && (d->aTok[t].flags & DS_TOK_PUNCT)) t++;
      if (t == i) {                       /* the sentence's first word: a cue must show */
        size_t j = end;
        if (j < s->last && d->aTok[j].end - d->aTok[j].start == 1 && d->zText[d->aTok[j].start] == ',')
          j++;
        ok = (end - i > 1 && is_cue(d, end - 1)) || (j < s->last && is_cue(d, j));
      }
    }
    if (ok) return v->iEnt;
  }
  return GZ_NONE;
}

/*
** The word ids of token t: by its norm (*pNorm) and by its lemma (*pLemma, GZ_NONE when
** the document has no lemmas or the lemma's id is the norm's). DS_OK or DS_NOMEM.
*/
static int token_ids(const ds_gazetteer *g, const ds_doc *d, size_t t, ds_buf *fold,
                     uint32_t *pNorm, uint32_t *pLemma) {
  const char *z = d->zText + d->aTok[t].start, *zNorm, *zFold;
  size_t n = d->aTok[t].end - d->aTok[t].start, nNorm, nFold;
  char aNormBuf[64], aLemmaBuf[64];
  *pLemma = GZ_NONE;
  if (!(zNorm = fold_token(z, n, aNormBuf, fold, &nNorm))) return DS_NOMEM;
  *pNorm = word_id(g, zNorm, nNorm);
  if (!d->aLemmaOff) return DS_OK;
  const char *zLemma = (const char *)d->lemmas.p + d->aLemmaOff[t];
  size_t nLemma = strlen(zLemma);
  /* most lemmas are the word or its norm (`The` -> `the`) */
  if ((nLemma == n && memcmp(zLemma, z, n) == 0) ||
      (nLemma == nNorm && memcmp(zLemma, zNorm, nNorm) == 0))
    return DS_OK;
  if (!(zFold = fold_token(zLemma, nLemma, aLemmaBuf, fold, &nFold))) return DS_NOMEM;
  *pLemma = word_id(g, zFold, nFold);
  if (*pLemma == *pNorm) *pLemma = GZ_NONE;
  return DS_OK;
}

int ds_gazetteer_tag(const ds_gazetteer *g, ds_doc *d) {
  if (d->nTok == 0 || g->nVar == 0) return DS_OK;
  if (d->nSent == 0) return DS_MISUSE;
  uint32_t *aNorm = ds_malloc(2 * d->nTok * sizeof *aNorm);
  if (!aNorm) return DS_NOMEM;
  uint32_t *aLemma = aNorm + d->nTok;
  ds_buf fold = DS_BUF_INIT;
  int rc = DS_OK;
  if (d->aTypeOf && d->aTypeTok) {
    /* interned (ds_intern.h): tokens of one type share word and lemma, so their ids */
    uint32_t *aType = ds_malloc((2 * d->nType + 1) * sizeof *aType);
    if (!aType) rc = DS_NOMEM;
    for (size_t k = 0; rc == DS_OK && k < d->nType; k++)
      rc = token_ids(g, d, d->aTypeTok[k], &fold, &aType[2 * k], &aType[2 * k + 1]);
    for (size_t t = 0; rc == DS_OK && t < d->nTok; t++) {
      aNorm[t] = aType[2 * d->aTypeOf[t]];
      aLemma[t] = aType[2 * d->aTypeOf[t] + 1];
    }
    ds_free(aType);
  } else {
    for (size_t t = 0; rc == DS_OK && t < d->nTok; t++)
      rc = token_ids(g, d, t, &fold, &aNorm[t], &aLemma[t]);
  }
  for (size_t si = 0; rc == DS_OK && si < d->nSent; si++) {
    const ds_range *s = &d->aSent[si];
    size_t i = s->first;
    while (rc == DS_OK && i < s->last) {
      size_t bestEnd = 0;
      uint32_t bestEnt = GZ_NONE, node = 0;
      for (size_t j = i; j < s->last; j++) {
        const gz_next *p;
        uint32_t iEnt;
        if (aLemma[j] != GZ_NONE && (p = step(g, node, aLemma[j])) != NULL &&
            (iEnt = accept(g, d, s, p->iVar, i, j + 1, 1)) != GZ_NONE)
          bestEnd = j + 1, bestEnt = iEnt;
        if (aNorm[j] == GZ_NONE || (p = step(g, node, aNorm[j])) == NULL) break;
        if ((iEnt = accept(g, d, s, p->iVar, i, j + 1, 0)) != GZ_NONE) bestEnd = j + 1, bestEnt = iEnt;
        node = p->child;
      }
      if (bestEnt == GZ_NONE) {
        i++;
        continue;
      }
      const gz_entry *ent = &g->aEnt[bestEnt];
      const char *azVal[5] = {str_at(g, ent->zType), str_at(g, ent->zId), str_at(g, ent->zName),
                              str_at(g, ent->zCountry), "lexicon"};
      rc = ds_doc_add_span(d, DS_SPAN_ENT, (uint32_t)i, (uint32_t)bestEnd, azVal);
      i = bestEnd;
    }
  }
  ds_buf_free(&fold);
  ds_free(aNorm);
  return rc;
}

/* }====== */
