/*
** ds_conllu_read.h -- read a CoNLL-U treebank file into memory (training and tests).
**
** Only word lines are kept: multiword-token range lines (`1-2`) and empty nodes (`1.1`)
** are skipped, comments are ignored, a blank line ends a sentence. For each word the
** FORM, LEMMA, UPOS and XPOS columns are kept as NUL-terminated strings that point into
** one buffer holding the file, so a whole treebank costs one read and three arrays.
**
**   ds_conllu_bank *b;
**   if (ds_conllu_read("en_ewt-ud-dev.conllu", &b, &err) == DS_OK) {
**     for (size_t s = 0; s < b->nSent; s++)
**       for (size_t i = b->aiSent[s]; i < b->aiSent[s + 1]; i++) puts(b->aWord[i].zForm);
**     ds_conllu_bank_free(b);
**   }
*/
#ifndef DS_CONLLU_READ_H
#define DS_CONLLU_READ_H

#include "ds.h"

typedef struct ds_conllu_word {
  const char *zForm;    /* FORM column (points into the bank's buffer) */
  const char *zLemma;   /* LEMMA column */
  const char *zUpos;    /* UPOS column */
  const char *zXpos;    /* XPOS column ("_" when absent) */
  uint32_t nForm;       /* strlen(zForm) */
} ds_conllu_word;

typedef struct ds_conllu_bank {
  char *zData;          /* the file's bytes, fields cut with NULs (owned) */
  ds_conllu_word *aWord;/* every word of every sentence, in file order (owned) */
  size_t nWord;
  size_t *aiSent;       /* sentence s is words [aiSent[s], aiSent[s+1]) (nSent+1 entries, owned) */
  size_t nSent;
} ds_conllu_bank;

/*
** Read the CoNLL-U file zPath into a new bank (*pp, freed with ds_conllu_bank_free).
** Fails with DS_IO when the file cannot be read and DS_FORMAT (naming the file and line)
** when a word line has fewer than 10 tab-separated columns.
*/
int ds_conllu_read(const char *zPath, ds_conllu_bank **pp, ds_error *e);

/* Free a bank. Safe with NULL. */
void ds_conllu_bank_free(ds_conllu_bank *b);

#endif
