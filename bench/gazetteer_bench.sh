#!/bin/sh
# gazetteer_bench.sh -- the gazetteer's load time and tagging throughput with generated
# lexicons of 100, 1,000 and 10,000 entries, beside parsing (and parsing with tagging)
# of the same documents in the same run.
#
#   bench/gazetteer_bench.sh          (from anywhere; a few minutes)
#
# What it does:
#   1. Builds the shared benchmark corpus, real English text, once:
#      ../shared/bench/make_corpus.py --tokens $BENCH_TOKENS into $BENCH_DIR/corpus (one
#      .txt per document; never committed). Without ../shared it says so and exits 0.
#   2. Writes the lexicons $BENCH_DIR/lexicon-{100,1000,10000}.tsv with
#      bench/gazetteer_lexicon.py from that text (phrases of the text and made-up names;
#      deterministic).
#   3. Links build/gazetteer_bench from bench/gazetteer_bench.c and build/ds*.o, and runs
#      it pinned to one CPU (taskset -c $BENCH_CPU, when it works): parse, parse+tag, then
#      for each lexicon its load and its tagging of every tagged document (see the .c).
#   4. Prints the machine, load average, revision, and the table.
# Nothing is asserted: compare the rows of one run (the other rows are the baseline).
#
# Settings (environment): BENCH_TOKENS=2000000 RUNS=3 BENCH_CPU=0 SHARED=../shared
#   BENCH_DIR=build/gazetteer-bench PYTHON=python3 CC=cc
set -eu
export LC_ALL=C
cd "$(dirname "$0")/.."
BENCH_TOKENS=${BENCH_TOKENS:-2000000}
RUNS=${RUNS:-3}
BENCH_CPU=${BENCH_CPU:-0}
SHARED=${SHARED:-../shared}
BENCH_DIR=${BENCH_DIR:-build/gazetteer-bench}
PYTHON=${PYTHON:-python3}
CC=${CC:-cc}

if [ ! -f "$SHARED/bench/make_corpus.py" ]; then
  echo "gazetteer_bench.sh: skipped: no $SHARED/bench/make_corpus.py (set SHARED=DIR)"
  exit 0
fi

# 1. Corpus.
mkdir -p "$BENCH_DIR"
corpus=$BENCH_DIR/corpus-$BENCH_TOKENS
if [ ! -f "$corpus.list" ]; then
  rm -rf "$corpus"
  "$PYTHON" "$SHARED/bench/make_corpus.py" --tokens "$BENCH_TOKENS" --out "$corpus" >&2
  find "$corpus" -name '*.txt' | sort > "$corpus.list.tmp"
  mv "$corpus.list.tmp" "$corpus.list"
fi

# 2. Lexicons.
for n in 100 1000 10000; do
  lex=$BENCH_DIR/lexicon-$n.tsv
  [ -f "$lex" ] && [ "$lex" -nt "$corpus.list" ] && [ "$lex" -nt bench/gazetteer_lexicon.py ] ||
    "$PYTHON" bench/gazetteer_lexicon.py "$n" "$corpus.list" > "$lex"
done

# 3. Build and run.
make --no-print-directory -j2 >&2
bin=build/gazetteer_bench
if [ ! -x "$bin" ] || [ -n "$(find bench/gazetteer_bench.c build -maxdepth 1 \
     \( -name gazetteer_bench.c -o -name 'ds*.o' -o -name 'cql*.o' \) -newer "$bin")" ]; then
  libs=$(make -s --no-print-directory --eval='print-libs: ; @echo $(LIBS)' print-libs)
  # shellcheck disable=SC2046,SC2086 # one word per object file and library
  $CC -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Icsrc bench/gazetteer_bench.c \
    $(ls build/ds*.o build/cql*.o) $libs -o "$bin"
fi
load_before=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
pin=""
if command -v taskset > /dev/null 2>&1 && taskset -c "$BENCH_CPU" true 2>/dev/null; then
  pin="taskset -c $BENCH_CPU"
fi
out=$BENCH_DIR/results.txt
$pin "$bin" -n "$RUNS" "$corpus.list" "$BENCH_DIR/lexicon-100.tsv" \
  "$BENCH_DIR/lexicon-1000.tsv" "$BENCH_DIR/lexicon-10000.tsv" > "$out"

# 4. Report.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo "unknown")
if [ "$rev" != unknown ] && ! git diff --quiet HEAD -- csrc 2>/dev/null; then
  rev="$rev + uncommitted changes in csrc/"
fi
echo "date     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine  ${cpu:-unknown CPU}, $(nproc) CPUs, $(uname -sr)"
echo "load     $load_before before, $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?") after"
echo "pinning  ${pin:-none (taskset unavailable)}"
echo "source   dossier $rev"
echo "corpus   $corpus ($(wc -l < "$corpus.list") files)"
echo
cat "$out"
