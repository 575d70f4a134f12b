#!/bin/sh
# Index single-line plain-text files of 50, 100 and 200 MB (the sample documents' text
# joined without line breaks, repeated) with default settings; print wall time and peak
# RSS of each run. A document that large is read, parsed and stored in parts
# (csrc/ds_parts.h), so its peak memory should not grow with it.
#
#   bench/bigfile_bench.sh [SIZES_MB...]      (default: 50 100 200; files under /tmp)
#
# Run from the repository root after `make`. Needs /usr/bin/time (GNU time).
set -eu
sizes=${*:-50 100 200}
tmp=${TMPDIR:-/tmp}/dossier-bigfile
mkdir -p "$tmp"
one="$tmp/one.txt"
# the sample text on one line: line breaks and runs of white space become one space
cat corpus/seeds/*.txt | tr '\n\r\t' '   ' | tr -s ' ' > "$one"
printf '%-6s %10s %12s %10s %12s\n' size tokens "wall (s)" "peak MB" "tokens/s"
for mb in $sizes; do
  f="$tmp/line-$mb.txt"
  want=$((mb * 1000 * 1000))
  if [ ! -f "$f" ] || [ "$(wc -c < "$f")" -ne "$want" ]; then
    : > "$f.tmp"
    while [ "$(wc -c < "$f.tmp")" -lt "$want" ]; do cat "$one" "$one" "$one" "$one" >> "$f.tmp"; done
    head -c "$want" "$f.tmp" > "$f"
    rm -f "$f.tmp"
  fi
  db="$tmp/line-$mb.db"
  rm -f "$db" "$db-wal" "$db-shm"
  /usr/bin/time -v -o "$tmp/time-$mb.txt" bin/dossier index "$f" --db "$db" --quiet
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time-$mb.txt" |
         awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time-$mb.txt")
  tokens=$(bin/dossier info --db "$db" --format json | sed -n 's/.*"tokens": *\([0-9]*\).*/\1/p' | head -1)
  printf '%-6s %10s %12s %10d %12.0f\n' "${mb}MB" "$tokens" "$wall" $((rss / 1024)) \
    "$(echo "$tokens $wall" | awk '{ print $1 / $2 }')"
  rm -f "$db" "$db-wal" "$db-shm"
done
