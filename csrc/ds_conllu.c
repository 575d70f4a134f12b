/*
** ds_conllu.c -- CoNLL-U writer (see ds_conllu.h).
*/
#include "ds_conllu.h"
#include "ds_annotate.h"

#include <stdint.h>
#include <string.h>

/* Per token, the entity span it is in (index in d->aSpan + 1), or 0; NULL when none. */
static uint32_t *entity_of_tokens(const ds_doc *d, int *pbNoMem) {
  *pbNoMem = 0;
  size_t nEnt = 0;
  for (size_t i = 0; i < d->nSpan; i++) nEnt += d->aSpan[i].kind == DS_SPAN_ENT;
  if (nEnt == 0 || d->nSpan > UINT32_MAX - 1) return NULL;
  uint32_t *a = d->nTok <= SIZE_MAX / sizeof *a ? ds_malloc(d->nTok * sizeof *a + 1) : NULL;
  if (!a) {
    *pbNoMem = 1;
    return NULL;
  }
  memset(a, 0, d->nTok * sizeof *a);
  for (size_t i = 0; i < d->nSpan; i++) {       /* the first span to claim a token keeps it */
    const ds_docspan *s = &d->aSpan[i];
    if (s->kind != DS_SPAN_ENT) continue;
    int bFree = 1;
    for (uint32_t t = s->first; t < s->last; t++) bFree &= a[t] == 0;
    for (uint32_t t = s->first; bFree && t < s->last; t++) a[t] = (uint32_t)i + 1;
  }
  return a;
}

/* MISC of token t: Ent=B-TYPE / I-TYPE, EntId on the first, SpaceAfter=No; `_` if none. */
static void put_misc(const ds_doc *d, const uint32_t *aEnt, uint32_t t, ds_buf *out) {
  const ds_token *tok = &d->aTok[t];
  int spaceAfter = (tok->flags & DS_TOK_SPACE_AFTER) || tok->end >= d->nText;
  int bAny = 0;
  if (aEnt && aEnt[t]) {
    const ds_docspan *s = &d->aSpan[aEnt[t] - 1];
    int bBegin = t == s->first;
    ds_buf_printf(out, "Ent=%s-%s", bBegin ? "B" : "I", ds_docspan_value(d, s, 0));
    const char *zId = ds_docspan_value(d, s, 1);
    if (bBegin && *zId) {                     /* a MISC value has no `|` (its separator) */
      ds_buf_puts(out, "|EntId=");
      for (; *zId; zId++) ds_buf_putc(out, *zId == '|' || *zId == ' ' || *zId == '\t' ? '_' : *zId);
    }
    bAny = 1;
  }
  if (!spaceAfter) ds_buf_puts(out, bAny ? "|SpaceAfter=No" : "SpaceAfter=No");
  else if (!bAny) ds_buf_putc(out, '_');
  ds_buf_putc(out, '\n');
}

int ds_conllu_write(const ds_doc *d, const char *zDocId, size_t *pnSent, ds_buf *out) {
  size_t nSent = pnSent ? *pnSent : 0, para = 0;
  int bNoMem;
  uint32_t *aEnt = entity_of_tokens(d, &bNoMem);
  if (bNoMem) return DS_NOMEM;
  if (zDocId) ds_buf_printf(out, "# newdoc id = %s\n", zDocId);
  for (size_t s = 0; s < d->nSent; s++) {
    const ds_range *r = &d->aSent[s];
    if (r->first == r->last) continue;
    while (para < d->nPara && d->aPara[para].tok.last <= r->first) para++;
    if (para < d->nPara && d->aPara[para].tok.first == r->first) ds_buf_puts(out, "# newpar\n");
    nSent++;
    if (zDocId) ds_buf_printf(out, "# sent_id = %s-%zu\n", zDocId, nSent);
    else ds_buf_printf(out, "# sent_id = %zu\n", nSent);
    ds_buf_puts(out, "# text = ");
    ds_doc_sentence_text(d, s, out);
    ds_buf_putc(out, '\n');
    for (uint32_t t = r->first; t < r->last; t++) {
      const ds_token *tok = &d->aTok[t];
      ds_buf_printf(out, "%u\t", t - r->first + 1);
      ds_buf_append(out, d->zText + tok->start, tok->end - tok->start);
      size_t nLemma;
      const char *zLemma = ds_doc_lemma(d, t, &nLemma);
      ds_buf_putc(out, '\t');
      ds_buf_append(out, zLemma, nLemma);
      ds_buf_printf(out, "\t%s\t%s\t_\t_\t_\t_\t", ds_doc_upos(d, t), ds_doc_xpos(d, t));
      put_misc(d, aEnt, t, out);
    }
    ds_buf_putc(out, '\n');
  }
  if (pnSent) *pnSent = nSent;
  ds_free(aEnt);
  return out->rc;
}
