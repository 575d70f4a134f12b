/*
** ds_model.h -- the envelope of dossier's model files (tagger, lemmatizer, and what
** comes: NER): reading one into a block of memory and checking its header, and writing
** the header of a new one (tools/train_tagger.c).
**
** Layout (all integers little-endian; the host must be little-endian too, as the
** tables are used in place):
**   0              char[8]  magic ("DSTAGGER", "DSLEMMAS")
**   8              u32      format version
**   12 ..          u32      the format's own fields (counts of its tables), then zeros
**   nHeader - 16   u64      nBody: bytes after the header (the file is nHeader + nBody)
**   nHeader - 8    u64      FNV-1a 64 checksum of the body
**   nHeader ..              the body: the format's tables, which its loader checks
**
** A loaded model is one block (pImage, owned) that is never written afterwards, so the
** object built on it may be shared by threads. Errors name the file (or image) and the
** kind of file (fmt->zWhat): DS_FORMAT (wrong magic, big-endian host),
** DS_VERSION_MISMATCH (a newer version), DS_CORRUPT (truncated, longer than it says,
** checksum, an older version), DS_IO and DS_NOMEM.
**
**   static const ds_model_fmt fmt = {"DSTAGGER", DS_TAGGER_VERSION, 64, "tagger model"};
**   ds_model m;
**   if (ds_model_load(zPath, &fmt, &m, &e)) return e.code;
**   uint32_t nClass = ds_model_field(&m, 0);     -- the u32 at offset 12
**   ... check and use the tables at m.pBody ...; ds_model_free(&m) when done
*/
#ifndef DS_MODEL_H
#define DS_MODEL_H

#include "ds.h"
#include "ds_buf.h"

/* A format: what identifies its files and how its errors call them. */
typedef struct ds_model_fmt {
  const char *zMagic;       /* 8 bytes */
  uint32_t version;         /* the one this build reads and writes */
  size_t nHeader;           /* header bytes, a multiple of 8, at least 32 */
  const char *zWhat;        /* "tagger model": in messages */
} ds_model_fmt;

/* A model file in memory. */
typedef struct ds_model {
  unsigned char *pImage;    /* the whole file (owned; ds_malloc'd) */
  size_t nImage;
  const unsigned char *pBody;   /* pImage + nHeader: 8-byte aligned */
  size_t nBody;
} ds_model;

/* Read zPath whole and check its envelope; *m is zeroed on failure. */
int ds_model_load(const char *zPath, const ds_model_fmt *f, ds_model *m, ds_error *e);

/* Same from n bytes at p (copied); zName names the image in errors. */
int ds_model_load_mem(const void *p, size_t n, const char *zName, const ds_model_fmt *f,
                      ds_model *m, ds_error *e);

/* Free the image. Safe on a zeroed model. */
void ds_model_free(ds_model *m);

/* The format's field i: the u32 at offset 12 + 4i of the header. */
static inline uint32_t ds_model_field(const ds_model *m, size_t i) {
  return ds_get_u32(m->pImage + 12 + 4 * i);
}

/* FNV-1a 64 over n bytes: the checksum of a model body. */
uint64_t ds_model_checksum(const unsigned char *p, size_t n);

/* Does a table of nSlot slots of `stride` u32 each have a slot whose first u32 is 0? A
   probe loop stops there, so a crafted table without one would loop for ever. */
int ds_model_has_empty_slot(const uint32_t *a, uint32_t nSlot, uint32_t stride);

/*
** {====== Writing (tools/train_tagger.c) ======
*/

/*
** Start an image in b (reset first): the magic, the version, the nField u32 fields,
** zeros to the end of the header. The body follows; ds_model_seal ends it.
*/
void ds_model_begin(ds_buf *b, const ds_model_fmt *f, const uint32_t *aField, size_t nField);

/* Write the body's size and checksum into the header of the image p[0..n). */
void ds_model_seal(unsigned char *p, size_t n, const ds_model_fmt *f);

/* }====== */

#endif
