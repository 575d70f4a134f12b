/*
** fuzz.h -- what dossier's libFuzzer targets share (see run.sh).
**
** A target is one file csrc/fuzz/fuzz_<name>.c defining LLVMFuzzerTestOneInput; run.sh
** finds it by its name, seeds it from csrc/fuzz/seeds/<name>/ and
** spec/fuzz-regressions/<name>/, and uses csrc/fuzz/<name>.dict when there is one.
** An invariant that fails calls abort() through FUZZ_CHECK, so libFuzzer reports it
** as a crash and saves the input. A target for a new reader is a few lines: its
** fuzz_read_opts, then fuzz_parse_opts (see fuzz_html.c). `make test` builds every
** target with gcc and csrc/test/fuzz_replay.c (no libFuzzer) and replays its
** spec/fuzz-regressions/ and seeds, so a target must build with plain C11 and POSIX too.
*/
#ifndef DS_FUZZ_H
#define DS_FUZZ_H

#include "ds.h"
#include "ds_conllu.h"
#include "ds_doc.h"
#include "ds_lemma.h"
#include "ds_offmap.h"
#include "ds_parse.h"
#include "ds_parts.h"
#include "ds_reader.h"
#include "ds_ingest.h"
#include "ds_store.h"
#include "ds_tagger.h"
#include "ds_utf8.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a target defines (LLVMFuzzerInitialize is optional; see csrc/test/fuzz_replay.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
** The process that made the scratch files: only it removes them at exit (the replay
** driver runs each input in a forked child, which must leave them to the next one).
*/
static pid_t fuzz_owner;
static inline int fuzz_is_owner(void) { return fuzz_owner == getpid(); }

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
** Remove the scratch files of processes that are gone: libFuzzer often ends a process
** without running atexit handlers (crashes, merges, _Exit), so each start sweeps.
*/
static inline void fuzz_tmp_sweep(const char *zDir) {
  DIR *dir = opendir(zDir);
  struct dirent *ent;
  while (dir && (ent = readdir(dir)) != NULL) {
    const char *zEnd = strstr(ent->d_name, ".db"), *zPid = zEnd;
    if (strncmp(ent->d_name, "dossier-fuzz-", 13) != 0 || !zEnd) continue;
    while (zPid > ent->d_name && zPid[-1] >= '0' && zPid[-1] <= '9') zPid--;
    long pid = strtol(zPid, NULL, 10);
    if (zPid < zEnd && zPid[-1] == '-' && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
      char z[512];
      snprintf(z, sizeof z, "%s/%s", zDir, ent->d_name);
      remove(z);
    }
  }
  if (dir) closedir(dir);
}

/*
** A per-process scratch path for a corpus file, on tmpfs when there is one (the store
** target writes a file per input). Removed at exit, or by a later process's sweep.
*/
static char fuzz_tmp_paths[4][256];
static int fuzz_ntmp;
static void fuzz_tmp_cleanup(void) {
  if (!fuzz_is_owner()) return;
  for (int i = 0; i < fuzz_ntmp; i++) fuzz_remove_db(fuzz_tmp_paths[i]);
}
static inline const char *fuzz_tmp_path(const char *zTag) {
  const char *zDir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  if (fuzz_ntmp == 4) abort();
  if (fuzz_ntmp == 0) {
    fuzz_tmp_sweep(zDir);
    fuzz_owner = getpid();
    atexit(fuzz_tmp_cleanup);
  }
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
/* Add the file zFile again as a document in parts of 600 bytes (ds_parts.h). */
static inline int fuzz_add_parts(ds_corpus *c, const char *zFile, ds_error *e) {
  ds_read_opts ro = {.zName = "parts", .format = DS_FMT_TEXT};
  ds_parts p;
  ds_doc *d;
  int flags, rc;
  int64_t base, id;
  char zSha[65];
  /* not the file's SHA-256: it is in the corpus already */
  if ((rc = ds_sha256_hex("parts", 5, zSha, e)) != DS_OK) return rc;
  if ((rc = ds_parts_open(&p, zFile, NULL, 0, &ro, 600, NULL, e)) != DS_OK) return rc;
  rc = ds_corpus_doc_begin(c, zSha, 0, "parts", NULL, NULL, NULL, e);
  while (rc == DS_OK && (rc = ds_parts_next(&p, &d, &flags, &base, e)) == DS_OK) {
    rc = ds_corpus_doc_part(c, d, flags, e);
    ds_doc_free(d);
  }
  ds_parts_close(&p);
  return rc == DS_DONE ? ds_corpus_doc_end(c, &id, e) : rc;
}

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
    if (seg && fuzz_add_parts(c, zFile, &e)) goto fail;      /* the same text, in parts */
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
  /* the map back to the raw input: segments in order, end to end, over the clean text */
  for (size_t i = 0; i < d->nMap; i++)
    FUZZ_CHECK(d->aMap[i].nOut > 0 && d->aMap[i].out + d->aMap[i].nOut <= d->nText &&
               d->aMap[i].out == (i == 0 ? 0 : d->aMap[i - 1].out + d->aMap[i - 1].nOut));
  FUZZ_CHECK(!d->aMap || d->nMap == 0 || d->aMap[d->nMap - 1].out + d->aMap[d->nMap - 1].nOut == d->nText);
  /* metadata: nMeta "key\0value\0" pairs of UTF-8, filling the buffer */
  size_t i = 0;
  for (size_t k = 0; k < 2 * d->nMeta; k++) {
    const char *z = (const char *)d->meta.p + i;
    FUZZ_CHECK(i < d->meta.n && memchr(z, 0, d->meta.n - i));
    FUZZ_CHECK(ds_utf8_check(z, strlen(z)) < 0);
    i += strlen(z) + 1;
  }
  FUZZ_CHECK(i == d->meta.n);
  /* tags name the tagger's tag sets; lemmas are UTF-8 strings in d->lemmas */
  for (size_t t = 0; t < d->nTok; t++) {
    if (d->aUpos) FUZZ_CHECK(d->aUpos[t] < ds_tagger_nupos(d->pTagger));
    if (d->aXpos) FUZZ_CHECK(d->aXpos[t] < ds_tagger_nxpos(d->pTagger));
    if (d->aLemmaOff) {
      const char *z = (const char *)d->lemmas.p + d->aLemmaOff[t];
      FUZZ_CHECK(d->aLemmaOff[t] < d->lemmas.n && memchr(z, 0, d->lemmas.n - d->aLemmaOff[t]));
      FUZZ_CHECK(ds_utf8_check(z, strlen(z)) < 0);
    }
  }
}

/*
** A failed parse: *pDoc NULL, the error filled in, and one of the documented reasons
** for bad input. Not DS_NOMEM: inputs are small and allocations of 2 GB or less do not
** fail here (run.sh), so "out of memory" would be some other error mislabelled.
*/
static inline void fuzz_check_parse_error(int rc, const ds_doc *d, const ds_error *e) {
  FUZZ_CHECK(d == NULL && e->code == rc && memchr(e->msg, 0, sizeof e->msg));
  FUZZ_CHECK(rc == DS_UTF8 || rc == DS_FORMAT);
}

/*
** Parse the input with options o (reader, clean-up, language data): an error must be a
** documented one, a document must pass fuzz_check_doc. For reader targets.
*/
static inline void fuzz_parse_opts(const uint8_t *data, size_t size, const ds_read_opts *o) {
  ds_doc *d;
  ds_error e;
  int rc = ds_parse_and_tag((const char *)data, size, o, &d, &e);
  if (rc) {
    fuzz_check_parse_error(rc, d, &e);
    return;
  }
  fuzz_check_doc(d, size & 1 ? "doc" : NULL);
  /* every reader maps its text back to the input, inside it */
  FUZZ_CHECK(d->nText == 0 || (d->aMap && d->nMap > 0));
  for (size_t i = 0; i < d->nMap; i++) FUZZ_CHECK((size_t)d->aMap[i].in + d->aMap[i].nIn <= size);
  /* a markup reader inserts only white space: each token came from some bytes */
  ds_offmap m = {d->aMap, d->nMap, d->nMap};
  int bUtf16 = size >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF));
  for (size_t t = 0; o->format != DS_FMT_TEXT && t < d->nTok; t++) {
    const ds_token *k = &d->aTok[t];
    size_t a = ds_offmap_start(&m, k->start), b = ds_offmap_end(&m, k->end), i = a;
    FUZZ_CHECK(a < b);
    /* bytes that no stage changes (ASCII letters and digits alone, not in UTF-16) are the
       token's */
    while (!bUtf16 && i < b && (((data[i] | 0x20) >= 'a' && (data[i] | 0x20) <= 'z') || (data[i] >= '0' && data[i] <= '9')))
      i++;
    FUZZ_CHECK(bUtf16 || i < b || (b - a == k->end - k->start && memcmp(data + a, d->zText + k->start, b - a) == 0));
  }
  ds_doc_free(d);
}

/*
** Options for the reader targets: every clean-up rule, and the language data, tagger and
** lemmatizer ($DS_FUZZ_LEXICON, $DS_FUZZ_MODELS; default corpus/lexicon, corpus/models)
** loaded once. Bits of the input's size vary them, so the corpus covers each: bit 0
** leaves out the language data, bit 1 the tagger and lemmatizer.
*/
static inline ds_read_opts fuzz_read_opts(int format, size_t size) {
  static int bLoaded;
  static ds_langdata *ld;
  static ds_tagger *tagger;
  static ds_lemmatizer *lemma;
  if (!bLoaded) {
    const char *zLex = getenv("DS_FUZZ_LEXICON"), *zModels = getenv("DS_FUZZ_MODELS");
    char z[1024];
    ds_error e;
    bLoaded = 1;
    if (ds_langdata_load(zLex ? zLex : "corpus/lexicon", &ld, &e)) fprintf(stderr, "fuzz: %s\n", e.msg);
    snprintf(z, sizeof z, "%s/en-ewt.tagger", zModels ? zModels : "corpus/models");
    if (ds_tagger_load(z, &tagger, &e)) fprintf(stderr, "fuzz: %s\n", e.msg);
    snprintf(z, sizeof z, "%s/en-ewt.lemmas", zModels ? zModels : "corpus/models");
    if (ds_lemma_load(z, &lemma, &e)) fprintf(stderr, "fuzz: %s\n", e.msg);
  }
  ds_read_opts o = {.zName = "fuzz", .cleanRules = DS_CLEAN_ALL, .format = format,
                    .pLang = size & 1 ? NULL : ld, .pTagger = size & 2 ? NULL : tagger,
                    .pLemma = size & 2 ? NULL : lemma};
  return o;
}

/* {====== Damaged model images (fuzz_tagger.c, fuzz_lemma.c) ====== */

/* FNV-1a 64, the checksum of the model formats (ds_model.h). */
static inline uint64_t fuzz_fnv64(const unsigned char *p, size_t n) {
  return ds_model_checksum(p, n);
}

static inline void fuzz_put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Read a whole file, or abort: a target without its base image is useless. */
static inline unsigned char *fuzz_slurp(const char *zFile, size_t *pn) {
  char *z;
  ds_error e;
  if (ds_read_file(zFile, &z, pn, &e)) {
    fprintf(stderr, "fuzz: %s\n", e.msg);
    abort();
  }
  return (unsigned char *)z;
}

/*
** The layout of a checksummed model file: header bytes, where the u64 body size and
** the u64 FNV-1a checksum of the body sit in it.
*/
typedef struct fuzz_model_fmt { size_t nHeader, offBody, offSum; } fuzz_model_fmt;

/*
** A damaged copy of the model image base[0..nBase) (malloc'd, its size in *pn), as the
** input says:
**   byte 0  flags: 1 the image is the rest of the input (no base, no patches);
**           high four bits 0011: start from the shipped model (base) instead of the
**           small image (base2, made by the target), which is a thousand times faster
**           to load, so fifteen runs in sixteen use it;
**           2 resize the image to the 3-byte size that follows (modulo nBase + 64);
**           4 keep the header's body size as patched (else: set to the real size);
**           8 keep the checksum as patched (else: recomputed, so the loader's checks
**           behind it are reached)
**   then patches, as many as fit: offset (3 bytes, big-endian; high bit set: inside the
**   header, modulo its size; else modulo the image size), length (1), the bytes.
** The real loaders reject nearly every byte flip at the checksum; recomputing it is what
** lets the fuzzer reach the table checks, and the sizes it lets through.
*/
static inline unsigned char *fuzz_model_image(const unsigned char *base, size_t nBase,
                                              const unsigned char *base2, size_t nBase2,
                                              const fuzz_model_fmt *f, const uint8_t *data,
                                              size_t size, size_t *pn) {
  unsigned char *p;
  size_t i = 1;
  if (size == 0) {
    *pn = 0;
    return malloc(1);
  }
  if ((data[0] & 0xF0) != 0x30) {
    base = base2;
    nBase = nBase2;
  }
  size_t n = nBase;
  if (data[0] & 1) {
    *pn = size - 1;
    p = malloc(size);
    if (!p) abort();
    memcpy(p, data + 1, size - 1);
    return p;
  }
  if ((data[0] & 2) && size >= 4) {
    n = ((size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3]) % (nBase + 64);
    i = 4;
  }
  p = calloc(n ? n : 1, 1);
  if (!p) abort();
  memcpy(p, base, n < nBase ? n : nBase);
  while (n && i + 4 <= size) {
    size_t off = (size_t)data[i] << 16 | (size_t)data[i + 1] << 8 | data[i + 2];
    size_t len = data[i + 3];
    off = (off & 0x800000) ? (off & 0x7FFFFF) % f->nHeader : off;
    off %= n;                             /* the image may be shorter than a header */
    i += 4;
    if (len > size - i) len = size - i;
    if (len > n - off) len = n - off;
    memcpy(p + off, data + i, len);
    i += len;
  }
  if (n >= f->nHeader) {
    if (!(data[0] & 4)) fuzz_put_u64(p + f->offBody, n - f->nHeader);
    if (!(data[0] & 8)) fuzz_put_u64(p + f->offSum, fuzz_fnv64(p + f->nHeader, n - f->nHeader));
  }
  *pn = n;
  return p;
}

/* Set the body size and checksum of a model image that the target built. */
static inline void fuzz_model_seal(unsigned char *p, size_t n, const fuzz_model_fmt *f) {
  fuzz_put_u64(p + f->offBody, n - f->nHeader);
  fuzz_put_u64(p + f->offSum, fuzz_fnv64(p + f->nHeader, n - f->nHeader));
}

static inline void fuzz_put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Is z a string a CoNLL-U column can hold: non-empty UTF-8, no tab, line break or space? */
static inline int fuzz_column_ok(const char *z, size_t n) {
  if (n == 0 || ds_utf8_check(z, n) >= 0) return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)z[i] <= ' ' || z[i] == 0x7F) return 0;
  return 1;
}

/* }====== */

#endif
