/*
** ds_conllu.c -- CoNLL-U writer (see ds_conllu.h).
*/
#include "ds_conllu.h"
#include "ds_annotate.h"

int ds_conllu_write(const ds_doc *d, const char *zDocId, size_t *pnSent, ds_buf *out) {
  size_t nSent = pnSent ? *pnSent : 0, para = 0;
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
      int spaceAfter = (tok->flags & DS_TOK_SPACE_AFTER) || tok->end >= d->nText;
      ds_buf_puts(out, spaceAfter ? "_\n" : "SpaceAfter=No\n");
    }
    ds_buf_putc(out, '\n');
  }
  if (pnSent) *pnSent = nSent;
  return out->rc;
}
