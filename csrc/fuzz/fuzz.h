/*
** fuzz.h -- what dossier's libFuzzer targets share (see run.sh).
**
** A target is one file csrc/fuzz/fuzz_<name>.c defining LLVMFuzzerTestOneInput; run.sh
** finds it by its name, seeds it from csrc/fuzz/seeds/<name>/ and
** spec/fuzz-regressions/<name>/, and uses csrc/fuzz/<name>.dict when there is one.
** An invariant that fails calls abort() through FUZZ_CHECK, so libFuzzer reports it
** as a crash and saves the input.
*/
#ifndef DS_FUZZ_H
#define DS_FUZZ_H

#include "ds.h"
#include "ds_conllu.h"
#include "ds_doc.h"
#include "ds_reader.h"
#include "ds_store.h"
#include "ds_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_CHECK(cond)                                                             \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                       \
    }                                                                                \
  } while (0)

/* The input as a NUL-terminated string (C APIs that take one stop at an inner NUL). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
  char *z = malloc(size + 1);
  if (!z) abort();
  memcpy(z, data, size);
  z[size] = 0;
  return z;
}

/* Remove a corpus file and its WAL companions. */
static inline void fuzz_remove_db(const char *zPath) {
  char z[512];
  remove(zPath);
  snprintf(z, sizeof z, "%s-wal", zPath);
  remove(z);
  snprintf(z, sizeof z, "%s-shm", zPath);
  remove(z);
}

/*
** A per-process scratch path for a corpus file, on tmpfs when there is one (the store
** target writes a file per input). Removed at exit; a crash leaves it behind, which
** is harmless.
*/
static char fuzz_tmp_paths[4][256];
static int fuzz_ntmp;
static void fuzz_tmp_cleanup(void) {
  for (int i = 0; i < fuzz_ntmp; i++) fuzz_remove_db(fuzz_tmp_paths[i]);
}
static inline const char *fuzz_tmp_path(const char *zTag) {
  if (fuzz_ntmp == 4) abort();
  if (fuzz_ntmp == 0) atexit(fuzz_tmp_cleanup);
  const char *zDir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  char *z = fuzz_tmp_paths[fuzz_ntmp++];
  snprintf(z, sizeof fuzz_tmp_paths[0], "%s/dossier-fuzz-%s-%ld.db", zDir, zTag, (long)getpid());
  fuzz_remove_db(z);
  return z;
}

/*
** Build a small corpus at zPath: two documents of corpus/seeds (the directory is
** $DS_FUZZ_SEEDS, default corpus/seeds, so run from the repository root) and a text
** with the things the tokenizer and NFC treat specially, with metadata; two segments,
** so postings span segments. Aborts if anything fails: the target would be useless.
*/
static inline void fuzz_build_corpus(const char *zPath) {
  static const char *const azSeed[] = {"2023-blog-strategic-partnership-it.txt",
                                       "2023-register-xi-putin-ai-infosec.txt"};
  static const char zExtra[] =
    "Dr. J. Smith met the U.S. envoy. Russia's 5G plans don't stop: Sino-Russian "
    "cooperation grew 31.5% (see https://example.org/a?b=1 or ask a@b.cc).\r\n\r\n"
    "Cafe\xCC\x81 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x87\xB7\xF0\x9F\x87\xBA \xC3\x9F STRASSE "
    "the the the. \xE2\x80\x9CQuoted!\xE2\x80\x9D Then\xE2\x80\xA6 digital sovereignty.\n";
  static const char *const azKey[] = {"title", "year"}, *const azVal[] = {"Extra", "2024"};
  const ds_meta meta = {2, azKey, azVal};
  const char *zDir = getenv("DS_FUZZ_SEEDS") ? getenv("DS_FUZZ_SEEDS") : "corpus/seeds";
  ds_corpus *c;
  ds_error e;
  int rc;
  int64_t id;
  char zFile[1024], *z;
  size_t n;
  fuzz_remove_db(zPath);
  if (ds_corpus_open(zPath, DS_OPEN_CREATE, &c, &e)) goto fail;
  for (int seg = 0; seg < 2; seg++) {
    if (ds_corpus_begin(c, &e)) goto fail;
    snprintf(zFile, sizeof zFile, "%s/%s", zDir, azSeed[seg]);
    /* stored without its directory: the file's bytes (and so byte-patch reproducers)
       do not depend on where the repository is */
    if (ds_read_file(zFile, &z, &n, &e)) goto fail;
    rc = ds_corpus_add_text(c, z, n, azSeed[seg], NULL, seg ? &meta : NULL, &id, &e);
    ds_free(z);
    if (rc) goto fail;
    if (seg && ds_corpus_add_text(c, zExtra, sizeof zExtra - 1, "extra", NULL, &meta, &id, &e))
      goto fail;
    if (ds_corpus_commit(c, &e)) goto fail;
  }
  ds_corpus_close(c);
  return;
fail:
  fprintf(stderr, "fuzz: cannot build the corpus %s: %s\n", zPath, e.msg);
  abort();
}

/* Is byte i the first byte of a code point (or the end)? UTF-8 cuts stay valid. */
static inline int fuzz_boundary(const ds_doc *d, size_t i) {
  return i == d->nText || ((unsigned char)d->zText[i] & 0xC0) != 0x80;
}

/*
** The contract of a parsed document (ds_doc.h), which every reader, the tokenizer and
** the splitter must keep whatever the input; then its CoNLL-U (zDocId may be NULL).
*/
static inline void fuzz_check_doc(const ds_doc *d, const char *zDocId) {
  FUZZ_CHECK(d->zText && d->zText[d->nText] == 0);
  FUZZ_CHECK(ds_utf8_check(d->zText, d->nText) < 0);
  for (size_t t = 0; t < d->nTok; t++) {
    const ds_token *k = &d->aTok[t];
    FUZZ_CHECK(k->start < k->end && k->end <= d->nText);
    FUZZ_CHECK(t == 0 || d->aTok[t - 1].end <= k->start);
    FUZZ_CHECK(fuzz_boundary(d, k->start) && fuzz_boundary(d, k->end));
    /* CoNLL-U separates columns with tabs and tokens with line breaks */
    FUZZ_CHECK(!memchr(d->zText + k->start, '\t', k->end - k->start));
    FUZZ_CHECK(!memchr(d->zText + k->start, '\n', k->end - k->start));
  }
  /* sentences: non-empty, in order, end to end, covering every token */
  size_t next = 0;
  for (size_t s = 0; s < d->nSent; s++) {
    FUZZ_CHECK(d->aSent[s].first == next && d->aSent[s].last > next);
    next = d->aSent[s].last;
  }
  FUZZ_CHECK(next == d->nTok);
  /* paragraphs: ordered byte ranges holding their tokens, end to end */
  next = 0;
  for (size_t p = 0; p < d->nPara; p++) {
    const ds_para *q = &d->aPara[p];
    FUZZ_CHECK(q->start <= q->end && q->end <= d->nText);
    FUZZ_CHECK(p == 0 || d->aPara[p - 1].end <= q->start);
    FUZZ_CHECK(q->tok.first == next && q->tok.first <= q->tok.last);
    for (size_t t = q->tok.first; t < q->tok.last; t++)
      FUZZ_CHECK(d->aTok[t].start >= q->start && d->aTok[t].end <= q->end);
    next = q->tok.last;
  }
  FUZZ_CHECK(next == d->nTok);
  ds_buf out = DS_BUF_INIT;
  size_t nSent = 0;
  FUZZ_CHECK(ds_conllu_write(d, zDocId, &nSent, &out) == DS_OK);
  FUZZ_CHECK(nSent == d->nSent);
  FUZZ_CHECK(ds_utf8_check((const char *)out.p, out.n) < 0);
  ds_buf_free(&out);
}

#endif
