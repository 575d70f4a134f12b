/*
** cql_run_drive.c -- the candidate starts of a query body (cql_run.c tries each): the
** positions of values and sets from postings, seekers over them, and CQP's strategies:
** `A []{n,m} B` from two posting lists, leapfrog cursors, open repeats under `within`,
** the driver with prefilter cursors, alternation, and the scan of every position.
*/
#include "cql_runInt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ====================== candidates ====================== */

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/*
** Sort a[0..n), the positions of several values (each value's ascending, none twice):
** many of them through a bitmap over the positions (one pass to set, one to read back),
** a few with qsort.
*/
static int sort_positions(int64_t *a, size_t n) {
  int64_t max = 0;
  for (size_t i = 0; i < n; i++)
    if (a[i] > max) max = a[i];
  if ((uint64_t)n < (uint64_t)max / 1024 || max < 0) {
    qsort(a, n, sizeof *a, cmp_i64);
    return DS_OK;
  }
  size_t nWord = (size_t)(max / 64) + 1;
  uint64_t *aBit = ds_malloc_n(nWord, sizeof *aBit);
  if (!aBit) return DS_NOMEM;
  memset(aBit, 0, nWord * sizeof *aBit);
  for (size_t i = 0; i < n; i++) aBit[a[i] >> 6] |= (uint64_t)1 << (a[i] & 63);
  size_t j = 0;
  for (size_t w = 0; w < nWord; w++)
    for (uint64_t v = aBit[w]; v; v &= v - 1) a[j++] = (int64_t)(w * 64 + (size_t)__builtin_ctzll(v));
  ds_free(aBit);
  return j == n ? DS_OK : DS_CORRUPT;         /* a position twice: the lists overlap */
}

/*
** The positions of value id of attr in the documents searched, ascending, into *pb
** (ds_malloc'd): all of them, or for some documents through a cursor from the first.
*/
static int value_positions(runner *r, int attr, uint32_t id, int64_t **pb, size_t *pm) {
  if (r->bAll) return ds_corpus_postings(r->c, attr, id, pb, pm, r->e);
  *pb = NULL;
  *pm = 0;
  ds_cursor *k;
  int rc = ds_corpus_cursor(r->c, attr, id, &k, r->e);
  if (rc) return rc;
  int64_t *a = NULL, pos;
  size_t n = 0, nAlloc = 0;
  for (rc = ds_cursor_seek(k, r->cLo, &pos); rc == DS_OK && pos < r->cHi; rc = ds_cursor_next(k, &pos)) {
    if (n == nAlloc) {
      size_t nNew = nAlloc ? 2 * nAlloc : 64;
      int64_t *b = ds_realloc_n(a, nNew, sizeof *b);
      if (!b) {
        rc = DS_NOMEM;
        break;
      }
      a = b;
      nAlloc = nNew;
    }
    a[n++] = pos;
  }
  ds_cursor_free(k);
  if (rc == DS_DONE) rc = DS_OK;
  if (rc) {
    ds_free(a);
    return rc == DS_NOMEM ? nomem(r) : ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings");
  }
  *pb = a;
  *pm = n;
  return DS_OK;
}

/* The positions of the values of s, ascending, into *pa (ds_malloc'd). */
static int set_positions(runner *r, const cql_idset *s, int64_t **pa, size_t *pn) {
  int64_t *a = NULL;
  size_t n = 0, nAlloc = 0;
  for (size_t i = 0; i < s->nId; i++) {
    int64_t *b;
    size_t m;
    int rc = tick(r);
    if (rc == DS_OK) rc = value_positions(r, s->attr, s->aId[i], &b, &m);
    if (rc == DS_NOTFOUND) continue;
    if (rc) {
      ds_free(a);
      return rc;
    }
    if (n + m > nAlloc) {
      size_t nNew = (n + m) * 2;         /* positions in memory: the sum does not wrap, the bytes are checked */
      int64_t *c = ds_realloc_n(a, nNew, sizeof *c);
      if (!c) {
        ds_free(a);
        ds_free(b);
        return nomem(r);
      }
      a = c;
      nAlloc = nNew;
    }
    if (m) memcpy(a + n, b, m * sizeof *b);
    n += m;
    ds_free(b);
  }
  if (s->nId > 1 && n > 1) {
    int rc = sort_positions(a, n);
    if (rc) {
      ds_free(a);
      return rc == DS_NOMEM ? nomem(r) : ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings: a position twice");
    }
  }
  *pa = a;
  *pn = n;
  return DS_OK;
}

/* The driver's positions, ascending, into *pa (ds_malloc'd). */
static int driver_positions(runner *r, int64_t **pa, size_t *pn) {
  return set_positions(r, &r->p->vm.aCons[r->p->iDriver].set, pa, pn);
}

/* ====================== `A []{n,m} B` from postings ====================== */

int cql_run_seeker_open(runner *r, const cql_idset *s, seeker *q) {
  memset(q, 0, sizeof *q);
  q->pos = -1;
  if (s->nId == 1) return ds_corpus_cursor(r->c, s->attr, s->aId[0], &q->k, r->e);
  return set_positions(r, s, &q->a, &q->n);
}

/* The first position >= target into q->pos (INT64_MAX: none). */
int cql_run_seeker_seek(seeker *q, int64_t target) {
  if (q->pos >= target) return DS_OK;
  if (q->k) {
    int rc = ds_cursor_seek(q->k, target, &q->pos);
    if (rc == DS_DONE) q->pos = INT64_MAX;
    return rc == DS_DONE ? DS_OK : rc;
  }
  size_t lo = q->i, hi = q->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (q->a[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  q->i = lo;
  q->pos = lo < q->n ? q->a[lo] : INT64_MAX;
  return DS_OK;
}

void cql_run_seeker_close(seeker *q) {
  ds_cursor_free(q->k);
  ds_free(q->a);
}

/*
** `A []{n,m} B` (cql_gap_plan): from each A the shortest match ends at the first B at
** n + 1 .. m + 1 tokens on, in the same document. Driven by the rarer side's positions,
** the other read with a seeking cursor: from A, the first B at or after A + n + 1; from B
** at q, the As at q - m - 1 .. q - n - 1 whose first B that far on is q, i.e. after the
** B before q less n (strategies then reduce the matches as the matcher's).
*/
int cql_run_gap(runner *r, ds_matchset *out) {
  const ds_eval *p = r->p;
  const cql_idset *sa = &p->vm.aCons[p->iGapA].set, *sb = &p->vm.aCons[p->iGapB].set;
  int bFromA = sa->freq <= sb->freq;
  int64_t *a = NULL;
  size_t n = 0;
  seeker q;
  int rc = set_positions(r, bFromA ? sa : sb, &a, &n);
  if (rc == DS_OK) rc = cql_run_seeker_open(r, bFromA ? sb : sa, &q);
  else memset(&q, 0, sizeof q);
  int64_t prev = INT64_MIN / 2;              /* from B: the B before */
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    int64_t pos = a[i];
    if ((rc = tick(r)) != DS_OK) break;
    int ok = enter_pos(r, pos);
    if (ok < 0) {
      rc = -ok;
      break;
    }
    if (!ok) {
      prev = pos;
      continue;
    }
    if (bFromA) {
      int64_t hi = pos + 1 + p->gapHi < r->hi ? pos + 1 + p->gapHi : r->hi - 1;
      rc = cql_run_seeker_seek(&q, pos + 1 + p->gapLo);
      if (rc == DS_OK && q.pos <= hi && ds_matchset_add(out, pos, q.pos) < 0) rc = nomem(r);
    } else {
      int64_t lo = pos - 1 - p->gapHi, hi = pos - 1 - p->gapLo;
      if (lo < prev - p->gapLo) lo = prev - p->gapLo;
      if (lo < r->lo) lo = r->lo;
      for (rc = cql_run_seeker_seek(&q, lo); rc == DS_OK && q.pos <= hi; rc = cql_run_seeker_seek(&q, q.pos + 1))
        if (ds_matchset_add(out, q.pos, pos) < 0) rc = nomem(r);
      prev = pos;
    }
  }
  cql_run_seeker_close(&q);
  ds_free(a);
  if (rc == DS_CORRUPT) rc = ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings");
  return rc == DS_NOTFOUND ? DS_OK : rc;
}

/*
** A plain body with cursors: the driver's positions and each cursor in step; a start is
** tried when every cursor stands on its token there, and a cursor past it moves the
** driver on (leapfrog).
*/
static int run_leapfrog(runner *r, const int64_t *a, size_t n, ds_matchset *out) {
  const ds_eval *p = r->p;
  ds_cursor *ak[8];
  int64_t aPos[8];
  int nOpen = 0, rc = DS_OK;
  for (; nOpen < p->nLeap && rc == DS_OK; nOpen++) {
    const cql_idset *s = &p->vm.aCons[p->aFixCons[p->aLeap[nOpen]]].set;
    aPos[nOpen] = -1;
    rc = ds_corpus_cursor(r->c, s->attr, s->aId[0], &ak[nOpen], r->e);
    if (rc) break;
  }
  for (size_t i = 0; i < n && rc == DS_OK;) {
    int64_t s = a[i] - p->offLo, next = -1;
    if ((rc = tick(r)) != DS_OK) break;
    for (int c = 0; c < nOpen && next < 0 && rc == DS_OK; c++) {
      int64_t want = s + p->aLeap[c];
      if (aPos[c] < want) rc = ds_cursor_seek(ak[c], want, &aPos[c]);
      if (rc == DS_OK && aPos[c] > want) next = aPos[c] - p->aLeap[c] + p->offLo;   /* the driver's next chance */
    }
    if (rc) break;
    if (next >= 0) {                         /* on to the first driver position >= next */
      size_t lo = i + 1, step = 1;           /* galloping: it is mostly near */
      while (lo + step < n && a[lo + step] < next) lo += step, step *= 2;
      size_t hi = lo + step < n ? lo + step : n;
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < next) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
      continue;
    }
    int64_t pos = a[i++];
    int ok = enter_pos(r, pos);
    if (ok < 0) {
      rc = -ok;
      break;
    }
    if (!ok || s < r->lo) continue;
    r->bLeap = 1;
    rc = cql_run_try_start(r, s, out);
    r->bLeap = 0;
  }
  for (int c = 0; c < nOpen; c++) ds_cursor_free(ak[c]);
  if (rc == DS_CORRUPT) rc = ds_error_set(r->e, DS_CORRUPT, -1, "corrupt postings");
  return rc == DS_DONE || rc == DS_NOTFOUND ? DS_OK : rc;
}

/* Prefilter cursors: can a match start at s? 1, 0, or < 0. */
typedef struct prefilter {
  ds_cursor *ak[8];
  int64_t aPos[8];
  int n;
} prefilter;

static int pre_ok(const ds_eval *p, prefilter *f, int64_t s, int64_t back) {
  for (int c = 0; c < f->n; c++) {
    int64_t lo = s + p->aPreLo[c], hi = p->aPreHi[c] >= 0 ? s + p->aPreHi[c] : s + back;
    if (f->aPos[c] < lo) {
      int rc = ds_cursor_seek(f->ak[c], lo, &f->aPos[c]);
      if (rc == DS_DONE) f->aPos[c] = INT64_MAX;
      else if (rc) return -rc;
    }
    if (f->aPos[c] > hi) return 0;
  }
  return 1;
}

/* Is span sp of kind zKind alone over its tokens (no other of its kind starts inside it)? */
static int span_alone(runner *r, const char *zKind, ds_span sp) {
  const ds_span *a = NULL;
  size_t n = 0;
  if (cql_run_spans_of(r, zKind, &a, &n)) return 0;
  size_t lo = 0, hi = n;                     /* the first span starting after sp's start */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (a[mid].first <= sp.first) lo = mid + 1;
    else hi = mid;
  }
  return lo == n || a[lo].first > sp.last;
}

/*
** The matches of `[]{n,} X` (or `[]{n,} X []{m,}`: m >= 0) from starts S0 on in a
** structure ending at E and holding X at aX[0..nX), as the strategy's reduction leaves
** them: from start s the matcher ends at the first x >= s + n (+ m, if that is not past E;
** a later x ends later still), at the last such x (or at E, with m) when longest; standard
** keeps, of the starts ending alike, the first; shortest the last (x - n), which holds no
** other; longest the first start's match, which holds every other; traditional keeps all
** (and, with n = 0, a start on an X also ends at the next X, the way that begins with []).
** In order of starts.
*/
static int open_matches(runner *r, int64_t S0, int64_t E, const int64_t *aX, size_t nX, ds_matchset *out) {
  int64_t n = r->p->openLead, m = r->p->openTrail;
  if (m >= 0)                                 /* only the Xs with room for m tokens after */
    while (nX > 0 && aX[nX - 1] + m > E) nX--;
  if (nX == 0) return DS_OK;
  int64_t xLast = aX[nX - 1], add = m > 0 ? m : 0, nAdd = 0;
  switch (r->p->eStrategy) {
  case DS_CQL_LONGEST:
    if (S0 + n <= xLast) nAdd = ds_matchset_add(out, S0, m >= 0 ? E : xLast);
    break;
  case DS_CQL_STANDARD:
  case DS_CQL_SHORTEST:
    for (size_t i = 0; i < nX && nAdd >= 0; i++) {
      int64_t lo = i > 0 && aX[i - 1] - n + 1 > S0 ? aX[i - 1] - n + 1 : S0, hi = aX[i] - n;
      if (lo <= hi) nAdd = ds_matchset_add(out, r->p->eStrategy == DS_CQL_STANDARD ? lo : hi, aX[i] + add);
    }
    break;
  default: {                                 /* traditional: with n = 0 a match may begin */
    size_t ix = 0;                            /* with X too (CQP tries each way): a start on X */
    for (int64_t s = S0; s + n <= xLast && nAdd >= 0; s++) {   /* matches X alone as well */
      while (aX[ix] < s + n) ix++;
      nAdd = ds_matchset_add(out, s, aX[ix] + add);
      if (n == 0 && aX[ix] == s && ix + 1 < nX && nAdd >= 0) nAdd = ds_matchset_add(out, s, aX[ix + 1] + add);
    }
  }
  }
  return nAdd < 0 ? nomem(r) : DS_OK;
}

/*
** `[]{n,} X (...) within KIND` from X's positions a[0..nA) (cql_run_driver's): in a structure
** [S, E] holding X at x1 < .. < xk, the matches the matcher would find from the starts S ..
** xk - n (the structure each start's limit) are made by open_matches without running it,
** and the strategy's reduction then takes them as the matcher's. A structure longer than the
** longest match, or with another of its kind inside, goes start by start as before.
*/
static int run_open(runner *r, const int64_t *a, size_t nA, ds_matchset *out) {
  const ds_eval *p = r->p;
  int64_t n = p->openLead, next = -1;         /* next: the first start not tried yet */
  int64_t *aX = NULL;                         /* X's positions in one structure */
  size_t nX = 0, nAlloc = 0;
  int rc = DS_OK;
  for (size_t i = 0; i < nA && rc == DS_OK;) {
    int64_t pos = a[i];
    if ((rc = tick(r)) != DS_OK) break;
    int v = enter_pos(r, pos);
    ds_span sp = {0, -1};
    if (v > 0) v = cql_run_span_at(r, p->zWithin, pos, &sp);
    if (v <= 0) {
      rc = -v;
      i++;
      continue;
    }
    if (sp.last + 1 - sp.first > DS_EVAL_MAX_REGION || !span_alone(r, p->zWithin, sp)) {
      int64_t s0 = pos - DS_EVAL_MAX_REGION, s1 = pos - n;   /* as cql_run_driver: start by start */
      if (s0 < sp.first) s0 = sp.first;
      if (s0 < next) s0 = next;
      for (int64_t s = s0; s <= s1 && rc == DS_OK; s++) rc = cql_run_try_start(r, s, out);
      if (s1 + 1 > next) next = s1 + 1;
      i++;
      continue;
    }
    size_t j = i;                             /* the driver's positions in [pos, E] */
    while (j < nA && a[j] <= sp.last) j++;
    nX = 0;                                   /* X whole where the driver (one of its values) is */
    for (; i < j; i++) {
      v = p->iOpenCons == p->iDriver ? 1 : cql_vm_test(&p->vm, p->iOpenCons, &r->rd, a[i]);  /* the postings said so */
      if (v < 0) {
        rc = -v;
        break;
      }
      if (!v) continue;
      if (nX == nAlloc) {
        size_t nNew = nAlloc ? 2 * nAlloc : 64;
        int64_t *aNew = ds_realloc_n(aX, nNew, sizeof *aNew);
        if (!aNew) {
          rc = nomem(r);
          break;
        }
        aX = aNew, nAlloc = nNew;
      }
      aX[nX++] = a[i];
    }
    if (rc || nX == 0) continue;
    rc = open_matches(r, sp.first > next ? sp.first : next, sp.last, aX, nX, out);
    if (a[j - 1] - n + 1 > next) next = a[j - 1] - n + 1;
  }
  ds_free(aX);
  return rc;
}

int cql_run_driver(runner *r, ds_matchset *out) {
  const ds_eval *p = r->p;
  int64_t *a = NULL;
  size_t n = 0;
  int rc = driver_positions(r, &a, &n);
  if (rc) return rc;
  if (p->bOpen && p->zWithin[0] && !p->nAnchor && (p->iG < 0 || !p->bGLabels)) {
    rc = run_open(r, a, n, out);
    ds_free(a);
    return rc == DS_NOTFOUND ? DS_OK : rc;
  }
  if (p->nFix && p->nLeap) {
    rc = run_leapfrog(r, a, n, out);
    ds_free(a);
    return rc;
  }
  prefilter f;
  f.n = 0;
  int64_t span = p->zWithin[0] ? DS_EVAL_MAX_REGION                 /* the longest match */
                 : p->nWithinTokens ? p->nWithinTokens : DS_EVAL_HARD_BOUNDARY;
  if (n >= DS_EVAL_MIN_LEAPFROG)
    for (; f.n < p->nPre && rc == DS_OK; f.n++) {
      const cql_idset *s = &p->vm.aCons[p->aPreCons[f.n]].set;
      f.aPos[f.n] = -1;
      rc = ds_corpus_cursor(r->c, s->attr, s->aId[0], &f.ak[f.n], r->e);
      if (rc) break;
    }
  int64_t next = -1;                         /* the first start not tried yet */
  int64_t back = p->offHi >= 0 ? p->offHi
                 : p->zWithin[0] ? DS_EVAL_MAX_REGION
                 : p->nWithinTokens ? p->nWithinTokens : DS_EVAL_HARD_BOUNDARY;
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    int64_t pos = a[i];
    if ((rc = tick(r)) != DS_OK) break;
    int ok = enter_pos(r, pos);
    if (ok < 0) {
      rc = -ok;
      break;
    }
    if (!ok) continue;
    int64_t s0 = pos - back, s1 = pos - p->offLo;
    if (s0 < r->lo) s0 = r->lo;
    if (p->offHi < 0 && p->zWithin[0]) {     /* an open prefix: from its structure's start */
      ds_span sp = {0, -1};
      int v = cql_run_span_at(r, p->zWithin, pos, &sp);
      if (v < 0) rc = -v;
      if (v <= 0) continue;
      if (sp.first > s0) s0 = sp.first;
    }
    if (s0 < next) s0 = next;
    for (int64_t s = s0; s <= s1 && rc == DS_OK; s++) {
      int v = f.n ? pre_ok(p, &f, s, span) : 1;
      if (v < 0) rc = ds_error_set(r->e, -v, -1, "corrupt postings");
      else if (v) rc = cql_run_try_start(r, s, out);
    }
    if (s1 + 1 > next) next = s1 + 1;
  }
  for (int c = 0; c < f.n; c++) ds_cursor_free(f.ak[c]);
  ds_free(a);
  return rc == DS_NOTFOUND ? DS_OK : rc;
}

/* A range of starts to try, [s0, s1], in document k. */
typedef struct startrange {
  int64_t s0, s1, k;
} startrange;

static int cmp_range(const void *a, const void *b) {
  const startrange *x = a, *y = b;
  if (x->s0 != y->s0) return x->s0 < y->s0 ? -1 : 1;
  return x->s1 < y->s1 ? -1 : x->s1 > y->s1;
}

/*
** A union drives (ds_eval's aAlt*): each alternative's positions give ranges of starts;
** sorted by their first start, each start is tried once, in order.
*/
int cql_run_alt(runner *r, ds_matchset *out) {
  const ds_eval *p = r->p;
  startrange *a = NULL;
  size_t n = 0, nAlloc = 0;
  int rc = DS_OK;
  int64_t deflt = p->zWithin[0] ? DS_EVAL_MAX_REGION : p->nWithinTokens ? p->nWithinTokens : DS_EVAL_HARD_BOUNDARY;
  for (int j = 0; j < p->nAlt && rc == DS_OK; j++) {
    const cql_idset *s = &p->vm.aCons[p->aAltCons[j]].set;
    int64_t back = p->aAltHi[j] >= 0 ? p->aAltHi[j] : deflt;
    for (size_t i = 0; i < s->nId && rc == DS_OK; i++) {
      int64_t *b;
      size_t m;
      rc = value_positions(r, s->attr, s->aId[i], &b, &m);
      if (rc == DS_NOTFOUND) {
        rc = DS_OK;
        continue;
      }
      if (rc) break;
      if (n + m > nAlloc) {
        size_t nNew = (n + m) * 2;
        startrange *c = nNew <= SIZE_MAX / sizeof *c ? ds_realloc(a, nNew * sizeof *c) : NULL;
        if (!c) {
          ds_free(b);
          rc = nomem(r);
          break;
        }
        a = c;
        nAlloc = nNew;
      }
      for (size_t q = 0; q < m && rc == DS_OK; q++) {
        int64_t pos = b[q];
        int ok = enter_pos(r, pos);
        if (ok < 0) {
          rc = -ok;
          break;
        }
        if (!ok) continue;
        int64_t s0 = pos - back, s1 = pos - p->aAltLo[j];
        if (s0 < r->lo) s0 = r->lo;
        if (p->aAltHi[j] < 0 && p->zWithin[0]) {     /* an open prefix: from its structure's start */
          ds_span sp = {0, -1};
          int v = cql_run_span_at(r, p->zWithin, pos, &sp);
          if (v < 0) rc = -v;
          if (v <= 0) continue;
          if (sp.first > s0) s0 = sp.first;
        }
        if (s1 >= s0) a[n++] = (startrange){s0, s1, r->k};
      }
      ds_free(b);
    }
  }
  if (rc == DS_OK && n > 1) qsort(a, n, sizeof *a, cmp_range);
  int64_t next = -1;                         /* the first start not tried yet */
  for (size_t i = 0; i < n && rc == DS_OK; i++) {
    if (a[i].k != r->k) enter_doc(r, a[i].k);
    int64_t s0 = a[i].s0 < next ? next : a[i].s0;
    for (int64_t s = s0; s <= a[i].s1 && rc == DS_OK; s++) rc = cql_run_try_start(r, s, out);
    if (a[i].s1 + 1 > next) next = a[i].s1 + 1;
  }
  ds_free(a);
  return rc;
}

int cql_run_scan(runner *r, ds_matchset *out) {
  int rc = DS_OK;
  for (size_t k = r->k0; k < r->k1 && rc == DS_OK; k++) {
    enter_doc(r, (int64_t)k);
    int ok = doc_ok(r, r->k);
    if (ok < 0) {
      rc = -ok;
      break;
    }
    if (!ok) {
      rc = tick(r);
      continue;
    }
    for (int64_t s = r->lo; s < r->hi && rc == DS_OK; s++) rc = cql_run_try_start(r, s, out);
  }
  return rc;
}
