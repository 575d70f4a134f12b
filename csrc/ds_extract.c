/*
** ds_extract.c -- the recognition stage (see ds_extract.h).
*/
#include "ds_extract.h"
#include "ds_date.h"
#include "ds_gazetteer.h"
#include "ds_ner.h"
#include "ds_recognize.h"

#include <string.h>

/*
** What a citation holds is the citation's: its authors are sources, not actors of the
** text (`(European Chamber, 2019)`), so entity spans inside a cite span go. d's spans are
** sorted: those inside a cite follow it.
*/
static void drop_cited_names(ds_doc *d) {
  size_t n = 0;
  uint32_t citeFirst = 0, citeLast = 0;       /* the last cite span seen: [first, last) */
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *s = &d->aSpan[i];
    if (s->kind == DS_SPAN_CITE) citeFirst = s->first, citeLast = s->last;
    else if (s->kind == DS_SPAN_ENT && s->first >= citeFirst && s->last <= citeLast) continue;
    d->aSpan[n++] = *s;
  }
  d->nSpan = n;
}

/*
** A name the model found right before a person the lexicon knows is that person's given
** names or initials (`Michael R.` + `Pompeo`): one span, the lexicon's. d's spans are
** sorted; 1 if any span changed (they need sorting again).
*/
static int join_person_names(ds_doc *d) {
  int bChanged = 0;
  for (size_t i = 0; i < d->nSpan; i++) {
    const ds_docspan *m = &d->aSpan[i];
    if (m->kind != DS_SPAN_ENT || strcmp(ds_docspan_value(d, m, 0), "PERSON") != 0 ||
        strcmp(ds_docspan_value(d, m, 4), "model") != 0)
      continue;
    for (size_t j = i + 1; j < d->nSpan && d->aSpan[j].first <= m->last; j++) {
      ds_docspan *l = &d->aSpan[j];
      if (l->kind == DS_SPAN_ENT && l->first == m->last && strcmp(ds_docspan_value(d, l, 0), "PERSON") == 0 &&
          strcmp(ds_docspan_value(d, l, 4), "lexicon") == 0) {
        l->first = m->first;
        ds_doc_remove_span(d, i);
        i--;
        bChanged = 1;
        break;
      }
    }
  }
  return bChanged;
}

int ds_extract(ds_doc *d, const ds_extractor *x, const char *zDate, ds_error *e) {
  char zIso[32];
  if (!zDate) {                               /* the document's own date, if it has one */
    size_t off = 0;
    const char *zKey, *zVal;
    while (ds_meta_next(&d->meta, &off, &zKey, &zVal))
      if (strcmp(zKey, "date") == 0 && ds_date_iso(zVal, strlen(zVal), zIso)) zDate = zIso;
  }
  int rc = DS_OK;
  if (x->pGaz) rc = ds_gazetteer_tag(x->pGaz, d);
  if (rc == DS_OK && x->pNer) rc = ds_ner_tag(x->pNer, d);
  if (rc == DS_OK && x->bOthers) rc = ds_recognize(d, zDate);
  if (rc) return ds_error_set(e, rc, -1, "out of memory finding entities, dates and quotations");
  ds_doc_sort_spans(d);
  if (join_person_names(d)) ds_doc_sort_spans(d);
  drop_cited_names(d);
  return DS_OK;
}
