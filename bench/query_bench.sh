#!/bin/bash
# Query speed: time a few queries over a benchmark corpus (figures only, asserts nothing).
#
#   bench/query_bench.sh [DB] [DOSSIER...]
#
# DB (default build/bench/query.db) is built when missing: ../shared/bench/make_corpus.py
# writes TOKENS (default 10 M) tokens of real English text and `dossier index --no-tag`
# indexes it. Each DOSSIER command (default bin/dossier; give another checkout's
# bin/dossier to compare) runs `query --count` on each query REPEAT times (default 5); the
# best wall time is printed in milliseconds with the count. The times include starting
# Lua and opening the corpus: the `"zzzzq"` row (a word the corpus lacks) shows that part.
# A second table times the queries inside one Lua process (the checkout's modules beside
# each DOSSIER), ITER times each after a first run (default 10): the query alone, in ms.
set -eu
cd "$(dirname "$0")/.."
DB=${1:-build/bench/query.db}
[ $# -gt 0 ] && shift
BINS=("$@")
[ ${#BINS[@]} -gt 0 ] || BINS=(bin/dossier)
SHARED=${SHARED:-../shared}
TOKENS=${TOKENS:-10000000}
REPEAT=${REPEAT:-5}
ITER=${ITER:-10}

if [ ! -f "$DB" ]; then
  dir=$(dirname "$DB")/text
  mkdir -p "$dir"
  python3 "$SHARED/bench/make_corpus.py" --tokens "$TOKENS" --out "$dir"
  bin/dossier index -q --no-tag "$dir" --db "$DB"
fi

QUERIES=(
  '"zzzzq"'
  '"the"'
  '"Kremlin"'
  '"the" "Kremlin"'
  '"of" "the"'
  '"in" "the" "world"'
  '"said" "the"'
  '"United" "States"'
  '"the"%c [] "of"'
  '[word!="the"] "Kremlin"'
  '"Moscow" [] [] "Kremlin"'
  '[word!="the"] [word!="of"]'
)

best_ms() {   # best wall time of REPEAT runs of "$@", in ms
  local best="" t0 t1 ms
  for _ in $(seq "$REPEAT"); do
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

printf '%-28s' "query ($(basename "$DB"))"
for b in "${BINS[@]}"; do printf '%18s' "$(echo "$b" | tail -c 18)"; done
echo
for q in "${QUERIES[@]}"; do
  printf '%-28s' "$q"
  for b in "${BINS[@]}"; do
    ms=$(best_ms "$b" query --db "$DB" --count "$q")
    n=$("$b" query --db "$DB" --count "$q" | tr -d '[:space:]')
    printf '%8s ms %7s' "$ms" "$n"
  done
  echo
done

echo
printf '%-28s' "in one process, ms/query"
for b in "${BINS[@]}"; do printf '%18s' "$(echo "$b" | tail -c 18)"; done
echo
for q in "${QUERIES[@]}"; do
  printf '%-28s' "$q"
  for b in "${BINS[@]}"; do
    root=$(cd "$(dirname "$b")/.." && pwd)
    lua5.4 - "$root" "$DB" "$q" "$ITER" <<'LUA'
local root, db, q, n = arg[1], arg[2], arg[3], tonumber(arg[4])
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = root .. "/lua/?.so;" .. package.cpath
local c = require("dossier").open(db, {readonly = true})
c:query(q):count()                      -- pages in cache, lexicon statements ready
local t0 = os.clock()
for _ = 1, n do c:query(q):count() end
io.write(string.format("%15.2f ms", (os.clock() - t0) * 1000 / n))
c:close()
LUA
  done
  echo
done
