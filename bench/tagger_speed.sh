#!/bin/sh
# Tagging speed and accuracy on UD English EWT test (gold tokens), one core, beside
# NLTK's averaged perceptron trained on the same data, in the same run.
#   bench/tagger_speed.sh [DATA_DIR [TEXT]]   (from the project root; DATA_DIR: ../shared/data)
# dossier: build/test_tagger (C, the shipped model corpus/models/en-ewt.tagger) prints
# accuracy and tokens/s of CPU time, best of 5, then tags TEXT (a file or a directory of
# them; default: the 2 M-token benchmark corpus when bench/store_bench.sh has made it,
# else DATA_DIR/bench-text/kjv-1MB.txt) with and without a ds_tagger_cache (as dossier
# index tags), checks every tag is the same and prints both speeds. NLTK: the reference script
# ../shared/research/baselines/nltk_perceptron_ewt.py (Debian python3-nltk), trained on EWT
# train, UPOS then XPOS. Figures vary with the machine's load: run it on a quiet machine.
set -eu
DATA=${1:-../shared/data}
TEXT=${2:-build/store-bench/corpus-2000000}
[ -e "$TEXT" ] || TEXT="$DATA/bench-text/kjv-1MB.txt"
BASE=$(dirname "$DATA")/research/baselines
PIN=""
command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null && PIN="taskset -c 0"
make --no-print-directory build/test_tagger >/dev/null
echo "date     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
echo "== dossier (build/test_tagger)"
echo "text     $TEXT"
$PIN build/test_tagger "$DATA" "$TEXT" | grep -E 'EWT test|tagging|lemmatizing|texts|checks'
if [ -f "$BASE/nltk_perceptron_ewt.py" ] && /usr/bin/python3 -c 'import nltk' 2>/dev/null; then
  for col in upos xpos; do
    echo "== NLTK averaged perceptron, $col"
    $PIN /usr/bin/python3 "$BASE/nltk_perceptron_ewt.py" "$DATA/ud-english-ewt" --column $col --repeats 3 2>&1 | grep -E 'acc|tokens_per_second_best' 
  done
else
  echo "== NLTK: not run (needs $BASE/nltk_perceptron_ewt.py and Debian's python3-nltk)"
fi
