#!/bin/sh
# tokenize_speed.sh -- single-thread speed of dossier's tokenize + sentence split, beside
# NLTK's TreebankWordTokenizer on the same input in the same run.
#
#   bench/tokenize_speed.sh            (from the repository root or anywhere; ~2 minutes)
#
# What it does:
#   1. Builds the input: the five sample files corpus/seeds/*.txt in byte order of their
#      names, each with its trailing newlines replaced by one blank line (so no paragraph
#      runs into the next file), concatenated; that block repeated until it reaches
#      BENCH_MB x 10^6 bytes. Same bytes every time (its SHA-256 is printed). Written to
#      $BENCH_DIR (default build/bench/, ignored by git), rebuilt when its size is wrong.
#   2. `make` (the core objects), then links build/bench_tokenize from
#      bench/bench_tokenize.c and build/ds*.o (not lds_*.o: no Lua) when out of date.
#   3. Runs, pinned to one CPU with `taskset -c $BENCH_CPU` when taskset works:
#        build/bench_tokenize: ds_parse_text (UTF-8 check, NFC, paragraphs, tokens,
#          sentences) over the input cut into ~1 MB documents at blank lines, its three
#          stages timed apart, and the bare UAX #29 word splitter (see the .c file);
#        bench/nltk_tokenize.py with Debian's /usr/bin/python3 (python3-nltk): Treebank
#          line by line, as in ../shared/research/baselines/nltk_tokenizer_speed.py, over
#          the first NLTK_MB x 10^6 bytes only (whole lines): at ~1-4 MB/s the whole input
#          would take minutes per run. Rates are per byte, so they compare.
#   4. Prints the machine (CPU model, kernel, load), the date, the source revision and
#      one table: tool, MB/s (best and median of RUNS), tokens/s, tokens, bytes.
#
# MB = 10^6 bytes of input. Tokens are each tool's own: dossier follows UD English
# (hyphens split, URLs whole), Treebank the Penn Treebank, so counts differ by a few %.
# NLTK does no UTF-8 check, NFC, paragraphs or sentences; dossier's row includes them.
# Nothing is asserted; the figures vary by a few % run to run and much more if another
# process shares the CPU (the load average is printed: run it on a quiet machine).
#
# Settings (environment): BENCH_MB=100 NLTK_MB=10 RUNS=3 DOC_BYTES=1000000 BENCH_CPU=0
#   BENCH_DIR=build/bench PYTHON=/usr/bin/python3 CC=cc
# Needs: the `make` dependencies, python3-nltk (apt-get install python3-nltk), taskset
# (util-linux) optional.
set -eu
export LC_ALL=C

cd "$(dirname "$0")/.."
BENCH_MB=${BENCH_MB:-100}
NLTK_MB=${NLTK_MB:-10}
RUNS=${RUNS:-3}
DOC_BYTES=${DOC_BYTES:-1000000}
BENCH_CPU=${BENCH_CPU:-0}
BENCH_DIR=${BENCH_DIR:-build/bench}
PYTHON=${PYTHON:-/usr/bin/python3}
CC=${CC:-cc}

# 1. Input.
mkdir -p "$BENCH_DIR"
unit=$BENCH_DIR/seeds-once.txt
input=$BENCH_DIR/seeds-${BENCH_MB}MB.txt
for f in corpus/seeds/*.txt; do printf '%s\n\n' "$(cat "$f")"; done > "$unit"
unit_bytes=$(wc -c < "$unit")
copies=$(( (BENCH_MB * 1000000 + unit_bytes - 1) / unit_bytes ))
want_bytes=$(( copies * unit_bytes ))
if [ ! -f "$input" ] || [ "$(wc -c < "$input")" -ne "$want_bytes" ]; then
  echo "building $input: $copies copies of the five sample files ($unit_bytes bytes)" >&2
  i=0
  while [ $i -lt "$copies" ]; do cat "$unit"; i=$((i + 1)); done > "$input.tmp"
  mv "$input.tmp" "$input"
fi

# 2. Build.
make --no-print-directory >&2
bin=build/bench_tokenize
if [ ! -x "$bin" ] || [ -n "$(find bench/bench_tokenize.c build -maxdepth 1 \
     \( -name bench_tokenize.c -o -name 'ds*.o' \) -newer "$bin")" ]; then
  echo "linking $bin" >&2
  # shellcheck disable=SC2046 # one word per object file
  $CC -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Icsrc bench/bench_tokenize.c \
    $(ls build/ds*.o) -lsqlite3 -lutf8proc -o "$bin"
fi
if ! "$PYTHON" -c 'import nltk' 2>/dev/null; then
  echo "tokenize_speed.sh: $PYTHON has no nltk: apt-get install python3-nltk" >&2
  exit 1
fi

# 3. Run.
load_before=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
pin=""
if command -v taskset > /dev/null 2>&1 && taskset -c "$BENCH_CPU" true 2>/dev/null; then
  pin="taskset -c $BENCH_CPU"
fi
out=$BENCH_DIR/results
mkdir -p "$out"
$pin "$bin" -n "$RUNS" -d "$DOC_BYTES" "$input" > "$out/dossier.tsv"
$pin "$PYTHON" bench/nltk_tokenize.py "$input" --runs "$RUNS" \
  --max-bytes $((NLTK_MB * 1000000)) > "$out/nltk.tsv"

# 4. Report.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo "unknown")
if [ "$rev" != unknown ] && ! git diff --quiet HEAD -- csrc 2>/dev/null; then
  rev="$rev + uncommitted changes in csrc/"
fi
echo "date     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine  ${cpu:-unknown CPU}, $(nproc) CPUs, $(uname -sr), load average $load_before before the run"
case $load_before in
  0.[0-4]*|"?") ;;
  *) echo "warning  the machine was busy before the run (load $load_before): figures may be low" ;;
esac
echo "pinning  ${pin:-none (taskset unavailable)}"
echo "source   dossier $rev; $($CC --version | head -n 1)"
echo "input    $input, $(wc -c < "$input") bytes, sha256 $(sha256sum "$input" | cut -c1-16)..."
grep -h '^#' "$out/dossier.tsv" "$out/nltk.tsv" | sed 's/^# /         /'
echo
awk -F '\t' '
  /^#/ || $1 == "tool" { next }
  !hdr++ {
    printf "%-42s %9s %9s %12s %11s %11s\n", "tool", "MB/s", "(median)", "tokens/s", "tokens", "bytes"
  }
  {
    printf "%-42s %9.2f %9.2f %12.0f %11d %11d\n", $1, $8, $9, $10, $3, $2
    if ($1 == "dossier ds_parse_text") ds = $8
    if ($1 ~ /^NLTK/) nl = $8
  }
  END {
    if (ds && nl) printf "\ndossier ds_parse_text / NLTK Treebank: %.1fx (MB/s, best of runs)\n", ds / nl
    if (ds) printf "goal (issue): >= 50 MB/s for ds_parse_text; now %.1f MB/s\n", ds
  }' "$out/dossier.tsv" "$out/nltk.tsv"
