#!/bin/sh
# store_profile.sh -- where `dossier index` spends its time: perf profiles of one index run
# without and one with tagging, on a smaller corpus of the same generator, by phase.
#
#   bench/store_profile.sh      (from the repository root or anywhere; ~1 minute at 2 M)
#
# Records with `perf record -e cpu-clock --call-graph dwarf` (cpu-clock works in VMs
# without hardware counters; dwarf because libsqlite3 and libc have no frame pointers),
# then bench/perf_phases.py charges each sample to the innermost phase on its stack (read
# file, parse stages, tagging, store_doc's lexicon lookups and INSERTs, commit, SQL
# compilation) and lists the top self symbols. The perf.data files stay in $BENCH_DIR for
# `perf report -i FILE --children`.
#
# Settings (environment): PROFILE_TOKENS=2000000 BENCH_DIR=build/store-bench PYTHON=python3
#   SHARED=../shared
# Needs: perf (Debian linux-perf), the `make` dependencies.
set -eu
export LC_ALL=C

cd "$(dirname "$0")/.."
PROFILE_TOKENS=${PROFILE_TOKENS:-2000000}
BENCH_DIR=${BENCH_DIR:-build/store-bench}
PYTHON=${PYTHON:-python3}
SHARED=${SHARED:-../shared}

corpus=$BENCH_DIR/corpus-$PROFILE_TOKENS
mkdir -p "$BENCH_DIR"
if [ ! -f "$corpus.stats" ]; then
  echo "building $corpus" >&2
  rm -rf "$corpus"
  "$PYTHON" "$SHARED/bench/make_corpus.py" --tokens "$PROFILE_TOKENS" --out "$corpus" \
    > "$corpus.stats.tmp"
  mv "$corpus.stats.tmp" "$corpus.stats"
fi
make --no-print-directory >&2

for mode in notag tag; do
  db=$BENCH_DIR/profile-$mode.db
  data=$BENCH_DIR/profile-$mode.perf.data
  rm -f "$db" "$db-wal" "$db-shm"
  # issue 13's terms: untagged = what FTS5 does, tagged = tags and lemmas, no recognizers
  flag=--no-recognize; [ $mode = notag ] && flag="--no-tag --no-recognize"
  # shellcheck disable=SC2086 # $flag is empty or one word
  perf record -q -e cpu-clock --call-graph dwarf,16384 -o "$data" \
    bin/dossier index "$corpus" --db "$db" $flag -q
  echo "== dossier index $flag ($corpus, $(awk '$1 == "tokens" { print $2 }' "$corpus.stats") simple tokens)"
  perf script -i "$data" 2>/dev/null | "$PYTHON" bench/perf_phases.py
  echo
done
