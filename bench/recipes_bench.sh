#!/bin/bash
# Speed of the analysis recipes (figures only, asserts nothing).
#
#   bench/recipes_bench.sh [DB]
#
# DB (default build/bench/recipes.db) is built when missing: ../shared/bench/make_corpus.py
# writes TOKENS (default 2 M) tokens of real English text and `dossier index` indexes and
# tags it. Each recipe runs inside one Lua process (bench/recipes_bench.lua), best of
# REPEAT (default 3), in ms of wall and CPU time: freq of lemmas, 3-grams of words,
# collocates of [lemma="say"] and of "the", keyness of one half of the documents (the
# first half of make_corpus.py's numbered directories) against the other, dispersion of
# "the"; then freq, 3-grams and keyness with every row made TSV text. Beside each, the
# same count done by a short Python script (bench/recipes_bench.py, CPU time) over the
# JSON Lines export of the same corpus, its reading of the export excluded. (CQP's
# count/group are not timed: CWB is not installed here.) bench/recount.py checks the
# numbers themselves (bench/README.md). Then freq, 3-grams, collocates and keyness over
# two files (the corpus opened twice: counts merged by value). BEFORE=DIR times the same
# script with another dossier tree too (an older revision, built: `git archive REV | tar
# -x -C DIR && make -C DIR`), in the same run. The load average is printed at the start
# and the end.

set -eu
cd "$(dirname "$0")/.."
DB=${1:-build/bench/recipes.db}
SHARED=${SHARED:-../shared}
TOKENS=${TOKENS:-2000000}
export REPEAT=${REPEAT:-3}

if [ ! -f "$DB" ]; then
  dir=$(dirname "$DB")/recipes-text
  mkdir -p "$dir"
  python3 "$SHARED/bench/make_corpus.py" --tokens "$TOKENS" --out "$dir"
  bin/dossier index -q "$dir" --db "$DB"
fi
JSONL=${DB%.db}.jsonl
[ -f "$JSONL" ] && [ "$JSONL" -nt "$DB" ] || bin/dossier export --db "$DB" --format jsonl -o "$JSONL"

echo "== $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${BEFORE:-}" ]; then
  echo "== dossier in $BEFORE (one Lua process, best of $REPEAT, ms)"
  "$BEFORE/bin/dossier" run bench/recipes_bench.lua "$DB"
fi
echo "== dossier (one Lua process, best of $REPEAT, ms)"
bin/dossier run bench/recipes_bench.lua "$DB"
echo "== Python over the JSON Lines export (best of $REPEAT, ms, reading excluded)"
python3 bench/recipes_bench.py "$JSONL"
echo "== $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
