#!/bin/sh
# store_bench.sh -- how fast `dossier index` builds a corpus file and how big it is, beside
# SQLite FTS5's own index of the same files, in the same run (issue 7, item 6).
#
#   bench/store_bench.sh        (from the repository root or anywhere; ~4 minutes at 20 M)
#
# What it does:
#   1. Builds the shared benchmark corpus, once: ../shared/bench/make_corpus.py --tokens
#      $BENCH_TOKENS --out $BENCH_DIR/corpus-$BENCH_TOKENS (one .txt per document; under
#      build/, ignored by git). The script's own token count (\w+|[^\w\s]) is printed.
#   2. `make`, then times under /usr/bin/time -v (wall, user+sys CPU, peak RSS), each into
#      a new file under $BENCH_DIR:
#        dossier index --no-tag --no-recognize -q   (tokenize, split, clean, store)
#        dossier index --no-recognize -q            (the same with tags and lemmas)
#        dossier index -q                           (the default: tags, lemmas and the
#                                                    recognizers; 2 jobs only)
#        bench/fts5_index.py index       (one FTS5 unicode61 row per document, one
#                                         transaction, text stored: the reference)
#      dossier with --jobs 1 and --jobs 2; then `dossier optimize` of a tagged corpus
#      indexed in segments (--memory 128M); FTS5 is single-threaded.
#   3. Prints one table: wall and CPU seconds, tokens (each tool's own: dossier's from
#      `info --format json`, FTS5's from fts5vocab), tokens/s of wall time, peak RSS, file
#      bytes (the .db plus any -wal/-journal left) and bytes per token; then dossier's file
#      by table (SQLite's dbstat), the reference figures of ../shared/research/
#      peer-cwb-bench20m.md and the targets of issue 7 with today's standing against them.
#
# Nothing is asserted. The machine's load is printed before and after: other processes
# on the CPUs slow every row (FTS5's too, so compare ratios within one run).
#
# Settings (environment): BENCH_TOKENS=20000000 BENCH_DIR=build/store-bench
#   PYTHON=python3 SHARED=../shared
# Needs: the `make` dependencies, /usr/bin/time (Debian package `time`), python3 with
# FTS5 in its sqlite3 module, the sqlite3 CLI for the per-table sizes (optional).
set -eu
export LC_ALL=C

cd "$(dirname "$0")/.."
BENCH_TOKENS=${BENCH_TOKENS:-20000000}
BENCH_DIR=${BENCH_DIR:-build/store-bench}
PYTHON=${PYTHON:-python3}
SHARED=${SHARED:-../shared}

if [ ! -x /usr/bin/time ]; then
  echo "store_bench.sh: /usr/bin/time missing: apt-get install time" >&2
  exit 1
fi

# 1. Corpus (kept between runs; make_corpus.py's output is deterministic).
corpus=$BENCH_DIR/corpus-$BENCH_TOKENS
mkdir -p "$BENCH_DIR"
if [ ! -f "$corpus.stats" ]; then
  echo "building $corpus" >&2
  rm -rf "$corpus"
  "$PYTHON" "$SHARED/bench/make_corpus.py" --tokens "$BENCH_TOKENS" --out "$corpus" \
    > "$corpus.stats.tmp"
  mv "$corpus.stats.tmp" "$corpus.stats"
fi
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$corpus.stats"; }

# 2. Build and run.
make --no-print-directory >&2

# run NAME COMMAND...: times COMMAND; leaves NAME.time (time -v output) in $BENCH_DIR.
run() {
  name=$1; shift
  echo "running $name: $*" >&2
  /usr/bin/time -v -o "$BENCH_DIR/$name.time" "$@" > "$BENCH_DIR/$name.out"
}
# field NAME LABEL: a value from NAME.time ("Maximum resident set size (kbytes): 224888").
field() { awk -F': ' -v k="$2" 'index($0, k) { print $2 }' "$BENCH_DIR/$1.time"; }
# wall NAME: elapsed seconds (time -v prints h:mm:ss or m:ss.cc).
wall() {
  field "$1" "Elapsed (wall clock)" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}
# bytes DB: the file plus what SQLite left beside it.
bytes() { cat "$1" "$1-wal" "$1-journal" 2>/dev/null | wc -c; }
dossier_tokens() {
  bin/dossier info --db "$1" --format json |
    "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["tokens"])'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=$BENCH_DIR/rows.tsv
: > "$rows"
for jobs in 1 2; do
  for mode in notag tag; do
    name=dossier-$mode-j$jobs
    db=$BENCH_DIR/$name.db
    rm -f "$db" "$db-wal" "$db-shm"
    if [ $mode = notag ]; then run "$name" bin/dossier index "$corpus" --db "$db" --no-tag --no-recognize -q --jobs $jobs
    else run "$name" bin/dossier index "$corpus" --db "$db" --no-recognize -q --jobs $jobs; fi
    size=$(bytes "$db")                      # before `info` opens (and may checkpoint) it
    printf '%s\t%s\t%s\t%s\t%s\n' "dossier index, $jobs job$( [ $jobs = 1 ] || echo s), $( [ $mode = notag ] && echo no tags || echo tags)" \
      "$name" "$(dossier_tokens "$db")" "$size" "$db" >> "$rows"
  done
done
# the default: tags, lemmas and the recognizers (entities, dates, money, ...)
name=dossier-rec-j2
db=$BENCH_DIR/$name.db
rm -f "$db" "$db-wal" "$db-shm"
run "$name" bin/dossier index "$corpus" --db "$db" -q --jobs 2
printf '%s\t%s\t%s\t%s\t%s\n' "dossier index, 2 jobs, tags and recognizers" \
  "$name" "$(dossier_tokens "$db")" "$(bytes "$db")" "$db" >> "$rows"
# the memory budget: the same run as the first without tags at 2 jobs, in 128 MB
name=dossier-notag-j2-m128
db=$BENCH_DIR/$name.db
rm -f "$db" "$db-wal" "$db-shm"
run "$name" bin/dossier index "$corpus" --db "$db" --no-tag --no-recognize -q --jobs 2 --memory 128M
printf '%s\t%s\t%s\t%s\t%s\n' "dossier index, 2 jobs, no tags, --memory 128M" \
  "$name" "$(dossier_tokens "$db")" "$(bytes "$db")" "$db" >> "$rows"
# optimize: the tagged corpus, indexed in segments of about 64 MB of postings each
odb=$BENCH_DIR/dossier-segments.db
rm -f "$odb" "$odb-wal" "$odb-shm"
bin/dossier index "$corpus" --db "$odb" --no-recognize -q --jobs 2 --memory 128M
nseg=$(bin/dossier info --db "$odb" --format json | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["segments"])')
run optimize bin/dossier optimize --db "$odb" -q
fdb=$BENCH_DIR/fts5.db
rm -f "$fdb" "$fdb-journal" "$fdb-wal"
run fts5 "$PYTHON" bench/fts5_index.py index "$corpus" "$fdb"
size=$(bytes "$fdb")
printf '%s\t%s\t%s\t%s\t%s\n' "SQLite FTS5 unicode61 (ref.)" fts5 \
  "$("$PYTHON" bench/fts5_index.py count "$fdb" | awk '$1 == "tokens" { print $2 }')" \
  "$size" "$fdb" >> "$rows"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# 3. Report.
echo "# store_bench.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), revision $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $(uname -sr)"
echo "# SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?'), load average before $load_before, after $load_after"
echo "# corpus $corpus: $(stat_of documents) documents, $(stat_of tokens) simple tokens, $(stat_of bytes) bytes"
echo
printf '| %-46s | %7s | %7s | %10s | %9s | %8s | %13s | %7s |\n' \
  "" "wall s" "CPU s" "tokens" "tokens/s" "peak RSS" "file bytes" "B/token"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
while IFS="$(printf '\t')" read -r label name tokens size db; do
  w=$(wall "$name")
  cpu=$(awk -v u="$(field "$name" "User time")" -v s="$(field "$name" "System time")" \
    'BEGIN { printf "%.1f", u + s }')
  rss=$(field "$name" "Maximum resident set size")
  awk -v l="$label" -v w="$w" -v c="$cpu" -v t="$tokens" -v r="$rss" -v b="$size" 'BEGIN {
    printf "| %-46s | %7.1f | %7s | %10d | %9d | %5d MB | %13d | %7.1f |\n",
      l, w, c, t, t / w, r / 1024, b, b / t }'
done < "$rows"

if command -v sqlite3 > /dev/null; then
  echo
  echo "dossier's file by table (dbstat, bytes per dossier token):"
  for mode in notag tag; do
    db=$BENCH_DIR/dossier-$mode-j2.db
    t=$(awk -F'\t' -v n="dossier-$mode-j2" '$2 == n { print $3 }' "$rows")
    printf '  %-6s' "$mode:"
    sqlite3 "$db" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6" |
      awk -F'|' -v t="$t" '{ printf " %s %.1f", $1, $2 / t } END { print "" }'
  done
fi

echo
echo "optimize: $nseg segments of the tagged corpus merged into one in $(wall optimize) s" \
  "(peak RSS $(( $(field optimize "Maximum resident set size") / 1024 )) MB)"

# Today's standing against issue 7's targets (2 jobs).
n_wall=$(wall dossier-notag-j2); f_wall=$(wall fts5)
t_tok=$(awk -F'\t' '$2 == "dossier-tag-j2" { print $3 }' "$rows")
t_wall=$(wall dossier-tag-j2)
b_tag=$(awk -F'\t' '$2 == "dossier-tag-j2" { printf "%.1f", $4 / $3 }' "$rows")
cat <<EOF

Reference (../shared/research/peer-cwb-bench20m.md, same corpus generator at 20 M tokens,
quiet machine): CWB 3.4.16 encode + makeall 9.2 s (2.17 M tokens/s, pre-tokenized input),
16.6 bytes/token; SQLite FTS5 3.8 s on 22 copies of the KJV (20.2 M tokens; the
brief for this benchmark quotes 3.6 s).

Aims (2 jobs) and this run:
EOF
r_tok=$(awk -F'\t' '$2 == "dossier-rec-j2" { print $3 }' "$rows")
r_wall=$(wall dossier-rec-j2)
awk -v n="$n_wall" -v f="$f_wall" -v tt="$t_tok" -v tw="$t_wall" -v b="$b_tag" \
    -v rt="$r_tok" -v rw="$r_wall" 'BEGIN {
  printf "  issue 13: without tagging <= 1.0 x FTS5 time      : %.2f x (%.1f s / %.1f s)\n", n / f, n, f
  printf "  issue 13: with tagging <= 2.5 x FTS5 time         : %.2f x (%.1f s / %.1f s)\n", tw / f, tw, f
  printf "  issue 17: with the recognizers >= 500,000 tokens/s : %d tokens/s\n", rt / rw
  printf "  issue 7: with tagging >= 600,000 tokens/s         : %d tokens/s\n", tt / tw
  printf "  issue 7: <= 16 bytes/token                        : %.1f (tagged file)\n", b }'
