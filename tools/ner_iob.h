/*
** ner_iob.h -- Universal NER IOB2 files as documents, and exact-span scoring: shared by
** tools/train_ner.c (training and the evaluation it prints) and csrc/test/test_ner.c
** (the floor on the shipped model), so both score the same way.
**
** A file (`ID<TAB>FORM<TAB>LABEL...` lines, `#` comments, a blank line after each
** sentence) becomes one ds_doc: the forms joined by one space, a line break between
** sentences, one token per form, one sentence per sentence. Labels B-PER/I-PER,
** B-ORG/I-ORG, B-LOC/I-LOC give the gold spans; anything else (O, and the pre-release
** train file's B-O, B-OTH, I-OTH: see shared/data/uner-english-ewt/PROVENANCE.md) is O.
** An I- that does not continue a chunk of its type starts one. A `# newdoc` comment starts
** a document: aDocSent lists the first sentence of each (one document when there are
** none), so the recognizer can be run document by document (ds_ner_tag_sents).
**
** Scoring is exact match of (first token, last token, type) between the gold spans and
** the document's ent spans, counted per type; P = tp / (tp + fp), R = tp / (tp + fn),
** F1 their harmonic mean (0 when undefined).
*/
#ifndef NER_IOB_H
#define NER_IOB_H

#include "ds.h"
#include "ds_buf.h"
#include "ds_doc.h"
#include "ds_ner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ner_span {
  uint32_t first, last;   /* tokens [first, last) */
  int type;               /* DS_NER_PERSON, DS_NER_ORG, DS_NER_LOC */
} ner_span;

typedef struct ner_set {
  ds_doc *d;              /* the text, tokens and sentences (owned) */
  ner_span *aGold;        /* gold spans in order (owned, malloc) */
  size_t nGold;
  size_t *aDocSent;       /* the first sentence of each document (owned, malloc) */
  size_t nDoc;
} ner_set;

typedef struct ner_counts {
  long tp[DS_NER_NTYPE], fp[DS_NER_NTYPE], fn[DS_NER_NTYPE];
} ner_counts;

static inline int ner_label_type(const char *z) {
  if (!strcmp(z, "PER")) return DS_NER_PERSON;
  if (!strcmp(z, "ORG")) return DS_NER_ORG;
  if (!strcmp(z, "LOC")) return DS_NER_LOC;
  return -1;
}

static inline void ner_set_free(ner_set *s) {
  ds_doc_free(s->d);
  free(s->aGold);
  free(s->aDocSent);
  memset(s, 0, sizeof *s);
}

/*
** Read zPath into *s. 0 on success; else -1 with a message in zErr (nErr bytes).
*/
static inline int ner_set_read(const char *zPath, ner_set *s, char *zErr, size_t nErr) {
  memset(s, 0, sizeof *s);
  FILE *f = fopen(zPath, "rb");
  if (!f) {
    snprintf(zErr, nErr, "cannot open %s", zPath);
    return -1;
  }
  ds_buf text = DS_BUF_INIT;
  /* per token: start, end, type (-1 for O), begins a chunk */
  size_t nTok = 0, nAlloc = 0, nSentTok = 0;
  uint32_t *aStart = NULL, *aEnd = NULL;
  int *aType = NULL, *aBegin = NULL;
  size_t *aSentEnd = NULL, nSent = 0, nSentAlloc = 0;
  char zLine[4096];
  int bad = 0;
  for (;;) {
    char *z = fgets(zLine, sizeof zLine, f);
    size_t n = z ? strlen(z) : 0;
    while (n && (z[n - 1] == '\n' || z[n - 1] == '\r')) z[--n] = 0;
    if (!z || n == 0) {            /* end of a sentence */
      if (nSentTok) {
        if (nSent == nSentAlloc) {
          nSentAlloc = nSentAlloc ? 2 * nSentAlloc : 1024;
          aSentEnd = realloc(aSentEnd, nSentAlloc * sizeof *aSentEnd);
          if (!aSentEnd) abort();
        }
        aSentEnd[nSent++] = nTok;
        ds_buf_putc(&text, '\n');
        nSentTok = 0;
      }
      if (!z) break;
      continue;
    }
    if (z[0] == '#') {
      if (!strncmp(z, "# newdoc", 8) && (s->nDoc == 0 || s->aDocSent[s->nDoc - 1] != nSent)) {
        s->aDocSent = realloc(s->aDocSent, (s->nDoc + 1) * sizeof *s->aDocSent);
        if (!s->aDocSent) abort();
        s->aDocSent[s->nDoc++] = nSent;
      }
      continue;
    }
    char *zForm = strchr(z, '\t');
    char *zLabel = zForm ? strchr(zForm + 1, '\t') : NULL;
    if (!zLabel) {
      bad = 1;
      break;
    }
    *zLabel++ = 0;
    zForm++;
    char *zTab = strchr(zLabel, '\t');
    if (zTab) *zTab = 0;
    if (nTok == nAlloc) {
      nAlloc = nAlloc ? 2 * nAlloc : 65536;
      aStart = realloc(aStart, nAlloc * sizeof *aStart);
      aEnd = realloc(aEnd, nAlloc * sizeof *aEnd);
      aType = realloc(aType, nAlloc * sizeof *aType);
      aBegin = realloc(aBegin, nAlloc * sizeof *aBegin);
      if (!aStart || !aEnd || !aType || !aBegin) abort();
    }
    if (nSentTok) ds_buf_putc(&text, ' ');
    aStart[nTok] = (uint32_t)text.n;
    ds_buf_puts(&text, zForm);
    aEnd[nTok] = (uint32_t)text.n;
    int type = -1, begin = 0;
    if ((zLabel[0] == 'B' || zLabel[0] == 'I') && zLabel[1] == '-') {
      type = ner_label_type(zLabel + 2);
      int prevType = nSentTok ? aType[nTok - 1] : -1;
      begin = type >= 0 && (zLabel[0] == 'B' || prevType != type);
    }
    aType[nTok] = type;
    aBegin[nTok] = begin;
    nTok++;
    nSentTok++;
  }
  fclose(f);
  if (bad || text.rc) {
    snprintf(zErr, nErr, "%s: %s", zPath, bad ? "a token line without a label" : "out of memory");
    ds_buf_free(&text);
    free(aStart), free(aEnd), free(aType), free(aBegin), free(aSentEnd);
    free(s->aDocSent);
    s->aDocSent = NULL;
    s->nDoc = 0;
    return -1;
  }
  ds_doc *d = ds_doc_new();
  if (!d) abort();
  ds_buf_putc(&text, 0);
  d->zText = (char *)text.p;    /* ds_buf memory is ds_malloc'd, as the document's */
  d->nText = text.n - 1;
  for (size_t i = 0; i < nTok; i++)
    if (ds_doc_add_token(d, aStart[i], aEnd[i], DS_TOK_WORD | DS_TOK_SPACE_AFTER)) abort();
  for (size_t k = 0, first = 0; k < nSent; first = aSentEnd[k], k++)
    if (ds_doc_add_sentence(d, (uint32_t)first, (uint32_t)aSentEnd[k])) abort();
  s->aGold = malloc((nTok + 1) * sizeof *s->aGold);
  if (!s->aGold) abort();
  for (size_t k = 0, first = 0; k < nSent; first = aSentEnd[k], k++) {
    for (size_t i = first; i < aSentEnd[k];) {
      if (!aBegin[i]) {
        i++;
        continue;
      }
      size_t j = i + 1;
      while (j < aSentEnd[k] && !aBegin[j] && aType[j] == aType[i]) j++;
      s->aGold[s->nGold++] = (ner_span){(uint32_t)i, (uint32_t)j, aType[i]};
      i = j;
    }
  }
  free(aStart), free(aEnd), free(aType), free(aBegin), free(aSentEnd);
  if (s->nDoc == 0 || s->aDocSent[0] != 0) {   /* sentences before the first # newdoc */
    s->aDocSent = realloc(s->aDocSent, (s->nDoc + 1) * sizeof *s->aDocSent);
    if (!s->aDocSent) abort();
    memmove(s->aDocSent + 1, s->aDocSent, s->nDoc * sizeof *s->aDocSent);
    s->aDocSent[0] = 0;
    s->nDoc++;
  }
  s->d = d;
  return 0;
}

/* The gold class of every token under a scheme (ds_ner.h) into aCls[0..nTok). */
static inline void ner_gold_classes(const ner_set *s, int scheme, uint8_t *aCls) {
  memset(aCls, 0, s->d->nTok);
  for (size_t g = 0; g < s->nGold; g++) {
    const ner_span *sp = &s->aGold[g];
    for (uint32_t i = sp->first; i < sp->last; i++) {
      int part = i == sp->first ? 0 : 1;
      if (scheme == DS_NER_BILOU) {
        if (sp->last - sp->first == 1) part = 3;
        else if (i + 1 == sp->last) part = 2;
      }
      aCls[i] = (uint8_t)ds_ner_class(scheme, sp->type, part);
    }
  }
}

static inline int ner_span_cmp(const void *a, const void *b) {
  const ner_span *x = a, *y = b;
  if (x->first != y->first) return x->first < y->first ? -1 : 1;
  if (x->last != y->last) return x->last < y->last ? -1 : 1;
  return x->type - y->type;
}

/* Add to *c the exact-span counts of d's ent spans against s's gold spans. */
static inline void ner_score(const ner_set *s, const ds_doc *d, ner_counts *c) {
  ner_span *aPred = malloc((d->nSpan + 1) * sizeof *aPred);
  if (!aPred) abort();
  size_t nPred = 0;
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *sp = &d->aSpan[i];
    if (sp->kind != DS_SPAN_ENT) continue;
    const char *zType = ds_docspan_value(d, sp, 0);
    int type = !strcmp(zType, "PERSON") ? DS_NER_PERSON : !strcmp(zType, "ORG") ? DS_NER_ORG
             : !strcmp(zType, "LOC") ? DS_NER_LOC : -1;
    if (type < 0) continue;
    aPred[nPred++] = (ner_span){sp->first, sp->last, type};
  }
  qsort(aPred, nPred, sizeof *aPred, ner_span_cmp);
  ner_span *aGold = malloc((s->nGold + 1) * sizeof *aGold);
  if (!aGold) abort();
  memcpy(aGold, s->aGold, s->nGold * sizeof *aGold);
  qsort(aGold, s->nGold, sizeof *aGold, ner_span_cmp);
  size_t i = 0, j = 0;
  while (i < nPred || j < s->nGold) {
    int k = i == nPred ? 1 : j == s->nGold ? -1 : ner_span_cmp(&aPred[i], &aGold[j]);
    if (k == 0) c->tp[aPred[i].type]++, i++, j++;
    else if (k < 0) c->fp[aPred[i].type]++, i++;
    else c->fn[aGold[j].type]++, j++;
  }
  free(aPred);
  free(aGold);
}

/* P, R, F1 of one type (0..2) or all (-1). */
static inline void ner_prf(const ner_counts *c, int type, double *pP, double *pR, double *pF) {
  long tp = 0, fp = 0, fn = 0;
  for (int t = 0; t < DS_NER_NTYPE; t++)
    if (type < 0 || t == type) tp += c->tp[t], fp += c->fp[t], fn += c->fn[t];
  *pP = tp + fp ? (double)tp / (double)(tp + fp) : 0;
  *pR = tp + fn ? (double)tp / (double)(tp + fn) : 0;
  *pF = *pP + *pR > 0 ? 2 * *pP * *pR / (*pP + *pR) : 0;
}

/* The sentences of document k of s: [*pFirst, *pLast). */
static inline void ner_doc_sents(const ner_set *s, size_t k, size_t *pFirst, size_t *pLast) {
  *pFirst = s->aDocSent[k];
  *pLast = k + 1 < s->nDoc ? s->aDocSent[k + 1] : s->d->nSent;
}

/* Tag s with m document by document (each one ds_ner_tag_sents call). DS_OK or an error. */
static inline int ner_tag_docs(const ds_ner *m, ner_set *s) {
  for (size_t k = 0; k < s->nDoc; k++) {
    size_t a, b;
    ner_doc_sents(s, k, &a, &b);
    int rc = ds_ner_tag_sents(m, s->d, a, b);
    if (rc) return rc;
  }
  return DS_OK;
}

/* Remove d's ent spans (to tag a set again). */
static inline void ner_clear_spans(ds_doc *d) {
  d->nSpan = 0;
  ds_buf_reset(&d->spanVals);
}

#endif
