#!/bin/sh
# recognize_speed.sh -- single-thread speed of the recognizers (ds_recognize.h) beside
# parsing alone, and their time per token on inputs made to be hard for them.
#
#   bench/recognize_speed.sh        (from anywhere; about a minute)
#
# Input: the five sample files corpus/seeds/*.txt, each ended by one blank line,
# concatenated and repeated to BENCH_MB x 10^6 bytes (the same bytes every time), in
# $BENCH_DIR (default build/bench/). build/bench_recognize (bench/bench_recognize.c)
# cuts it into documents of about DOC_BYTES at blank lines and reports, pinned to CPU
# $BENCH_CPU when taskset works: parse alone, parse + every recognizer, and each
# recognizer alone on parsed documents (tokens/s, best and median of RUNS), then the
# scaling table (ns per token from 100 KB to 6.4 MB). Nothing is asserted.
#
# Settings (environment): BENCH_MB=20 RUNS=3 DOC_BYTES=16000 BENCH_CPU=0 BENCH_DIR=build/bench
set -eu
export LC_ALL=C
cd "$(dirname "$0")/.."
BENCH_MB=${BENCH_MB:-20}
RUNS=${RUNS:-3}
DOC_BYTES=${DOC_BYTES:-16000}
BENCH_CPU=${BENCH_CPU:-0}
BENCH_DIR=${BENCH_DIR:-build/bench}

mkdir -p "$BENCH_DIR"
unit=$BENCH_DIR/seeds-once.txt
input=$BENCH_DIR/seeds-${BENCH_MB}MB.txt
for f in corpus/seeds/*.txt; do printf '%s\n\n' "$(cat "$f")"; done > "$unit"
unit_bytes=$(wc -c < "$unit")
copies=$(( (BENCH_MB * 1000000 + unit_bytes - 1) / unit_bytes ))
if [ ! -f "$input" ] || [ "$(wc -c < "$input")" -ne $(( copies * unit_bytes )) ]; then
  i=0
  while [ $i -lt "$copies" ]; do cat "$unit"; i=$((i + 1)); done > "$input.tmp"
  mv "$input.tmp" "$input"
fi

make --no-print-directory build/bench_recognize >&2
pin=""
if command -v taskset > /dev/null 2>&1 && taskset -c "$BENCH_CPU" true 2>/dev/null; then
  pin="taskset -c $BENCH_CPU"
fi
echo "date     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine  $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg) before the run"
echo "source   dossier $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
$pin build/bench_recognize -n "$RUNS" -d "$DOC_BYTES" "$input"
