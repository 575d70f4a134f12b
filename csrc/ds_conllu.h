/*
** ds_conllu.h -- write an annotated document as CoNLL-U.
*/
#ifndef DS_CONLLU_H
#define DS_CONLLU_H

#include "ds_buf.h"
#include "ds_doc.h"

/*
** Append d to out as CoNLL-U: `# newdoc id = zDocId` (when zDocId is not NULL), then
** per paragraph `# newpar`, per sentence `# sent_id = <zDocId>-<n>` (n from 1) and
** `# text = ...`, and one line per token. Columns not yet known are `_`; MISC holds
** `Ent=B-ORG` / `Ent=I-ORG` on the tokens of an entity span (DS_SPAN_ENT) with
** `EntId=<id>` on its first, and `SpaceAfter=No` where no space follows. *pnSent counts sentences written so far
** (so ids continue across documents when zDocId is NULL); may be NULL.
*/
int ds_conllu_write(const ds_doc *d, const char *zDocId, size_t *pnSent, ds_buf *out);

#endif
