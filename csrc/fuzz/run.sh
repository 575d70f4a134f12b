#!/bin/bash
# Build dossier's libFuzzer targets and run them.
#
#   csrc/fuzz/run.sh [SECONDS] [TARGET...]    fuzz each target SECONDS (default 60)
#   csrc/fuzz/run.sh 0 [TARGET...]            only replay spec/fuzz-regressions/
#
# A target is csrc/fuzz/fuzz_<name>.c (see fuzz.h); without TARGET, all of them. Each
# is linked with every csrc/ds*.c and csrc/cql*.c and the Makefile's LIBS. Its seeds, merged into
# build/fuzz/<name>/corpus/ (kept between runs, never committed): csrc/fuzz/seeds/<name>/,
# spec/fuzz-regressions/<name>/, and per target the sample corpus or the shared test
# data ($SHARED, default ../shared; see stage_seeds). Optional: csrc/fuzz/<name>.dict (a
# dictionary), csrc/fuzz/<name>.options (more libFuzzer flags).
#
# Per target a summary: runs, coverage (cov: edges, ft: features), corpus size, new
# findings grouped by kind with the smallest input of each (in build/fuzz/<name>/
# artifacts/, the full reports in build/fuzz/<name>/log), and the replay of the
# regression inputs and hand-made seeds. JOBS=N fuzzes N targets at once (default 1).
# Exit status 1 if anything was found or failed to build.
set -u
cd "$(dirname "$0")/../.." || exit 1

SECS=${1:-60}
[ $# -gt 0 ] && shift
OUT=build/fuzz
SHARED=${SHARED:-../shared}
JOBS=${JOBS:-1}
CC=${FUZZ_CC:-clang}
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -Icsrc"
make_var() { make -s --no-print-directory --eval="fuzz-print-var: ; @echo \$($1)" fuzz-print-var; }
LIBS=$(make_var LIBS) || exit 1      # the core's libraries, as the Makefile links them
CFLAGS="$CFLAGS $(make_var PDF_CFLAGS)"   # ds_pdf.c includes Poppler's and GLib's headers
# An allocation over 2 GB fails, as it may on a user's machine: the core must answer
# DS_NOMEM. Undefined behaviour stops the run (halt_on_error) unless csrc/fuzz/ubsan.supp
# lists it: a known bug, reported, with its reproducer in spec/fuzz-regressions/, so the
# fuzzer can look past it. Replaying the regressions ignores that list.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:max_allocation_size_mb=2048}
UBSAN_REPLAY=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
UBSAN_FUZZ=$UBSAN_REPLAY
[ -f csrc/fuzz/ubsan.supp ] && UBSAN_FUZZ="$UBSAN_FUZZ:suppressions=$PWD/csrc/fuzz/ubsan.supp"
export DS_FUZZ_SEEDS=$PWD/corpus/seeds

if [ $# -gt 0 ]; then TARGETS="$*"
else TARGETS=$(for f in csrc/fuzz/fuzz_*.c; do f=${f#csrc/fuzz/fuzz_}; echo "${f%.c}"; done)
fi

tools/deps.sh $(make_var DEB_BUILD) clang libclang-rt-14-dev || exit 1

# ---- build: the core once, then one binary per target
mkdir -p "$OUT/obj"
for src in csrc/ds*.c csrc/cql*.c; do
  o=$OUT/obj/$(basename "${src%.c}").o
  if [ ! -e "$o" ] || [ -n "$(find csrc -maxdepth 1 -name '*.[ch]' -newer "$o" | head -1)" ]; then
    $CC $CFLAGS -c "$src" -o "$o" || exit 1
  fi
done
BUILT=""
for t in $TARGETS; do
  [ -f "csrc/fuzz/fuzz_$t.c" ] || { echo "fuzz: no target $t (csrc/fuzz/fuzz_$t.c)" >&2; exit 1; }
  mkdir -p "$OUT/$t/corpus" "$OUT/$t/artifacts"
  # a target whose parser is being changed may not build: the others still run
  if $CC $CFLAGS -o "$OUT/$t/fuzz_$t" "csrc/fuzz/fuzz_$t.c" "$OUT"/obj/*.o $LIBS; then
    BUILT="$BUILT $t"
  else
    echo "fuzz: $t does not build; skipped" >&2
  fi
done
[ "$BUILT" = " $(echo $TARGETS)" ] || BUILD_FAILED=1
TARGETS=$BUILT

# ---- seeds: one file per input, into $1
shared_seeds() {   # the text of each Unicode break test line / golden rule, one per file
  command -v lua5.4 >/dev/null || return 0
  lua5.4 - "$@" <<'EOF'
local out, n = arg[1], 0
local esc = {["\\"] = "\\", t = "\t", n = "\n", r = "\r"}
local function put(s)
  if #s == 0 then return end
  n = n + 1
  local f = assert(io.open(string.format("%s/shared-%05d", out, n), "wb"))
  f:write(s)
  f:close()
end
for i = 2, #arg do
  local f = io.open(arg[i], "rb")
  if f then
    for line in f:lines() do
      if arg[i]:match("Test%.txt$") then     -- "÷ 0041 × 0308 ÷ ..."
        local cps = {}
        for hex in line:gsub("#.*", ""):gmatch("%x+") do cps[#cps + 1] = utf8.char(tonumber(hex, 16)) end
        put(table.concat(cps))
      elseif not line:match("^#") then       -- golden rules: the text is field 5
        local fields = {}
        for x in (line .. "\t"):gmatch("(.-)\t") do fields[#fields + 1] = x end
        if fields[5] then put((fields[5]:gsub("\\(.)", esc))) end
      end
    end
    f:close()
  end
end
EOF
}

stage_seeds() {
  local t=$1 dir=$2
  rm -rf "$dir" && mkdir -p "$dir"
  case $t in
    parse)
      cp corpus/seeds/*.txt csrc/fuzz/seeds/parse/* "$dir"/ 2>/dev/null
      shared_seeds "$dir" "$SHARED"/data/sentence-golden/*.tsv ;;
    segment)
      cp corpus/seeds/*.txt csrc/fuzz/seeds/parse/* "$dir"/ 2>/dev/null
      shared_seeds "$dir" "$SHARED"/data/unicode-15.0/{Word,Sentence}BreakTest.txt ;;
    clean|recognize)
      cp corpus/seeds/*.txt "$dir"/ ;;
    conllu_read)   # the first sentences of the EWT dev set, a few per file
      [ -f "$SHARED/data/ud-english-ewt/en_ewt-ud-dev.conllu" ] &&
        head -n 3000 "$SHARED/data/ud-english-ewt/en_ewt-ud-dev.conllu" |
        awk -v d="$dir" '{print > (d "/ewt-" int(n / 4))} /^$/ {n++}' ;;
  esac
  for f in csrc/fuzz/seeds/"$t"/* spec/fuzz-regressions/"$t"/*; do
    [ -f "$f" ] && cp "$f" "$dir/$(echo "$f" | tr / _)"
  done
  return 0
}

flags_for() {
  local t=$1
  echo -n "-timeout=10 -rss_limit_mb=2048"
  [ -f "csrc/fuzz/$t.dict" ] && echo -n " -dict=csrc/fuzz/$t.dict"
  [ -f "csrc/fuzz/$t.options" ] && echo -n " $(cat "csrc/fuzz/$t.options")"
  echo
}

# ---- run each file of a directory once; prints "k of n fail[: files]". Regressions
# are replayed as they are; seeds as the fuzzer sees them (known bugs skipped, so a seed
# that fails here is one the fuzzing leaves out).
replay() {
  local t=$1 dir=$2 n=0 bad="" f skip="" ubsan=$UBSAN_REPLAY
  case $dir in csrc/fuzz/seeds/*) skip=1 ubsan=$UBSAN_FUZZ ;; esac
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    UBSAN_OPTIONS=$ubsan DS_FUZZ_SKIP_KNOWN=$skip "$OUT/$t/fuzz_$t" $(flags_for "$t") \
      -artifact_prefix="$OUT/$t/replay-" "$f" >"$OUT/$t/replay-${f##*/}.log" 2>&1 || bad="$bad $f"
  done
  echo "$(echo $bad | wc -w) of $n fail${bad:+:$bad}"
}

# ---- fuzz one target for SECS seconds; writes $OUT/$t/summary
fuzz() {
  local t=$1 d=$OUT/$1 bin=$OUT/$1/fuzz_$1 start end left rc
  local flags
  flags=$(flags_for "$t")
  stage_seeds "$t" "$d/seeds"
  export UBSAN_OPTIONS=$UBSAN_FUZZ DS_FUZZ_SKIP_KNOWN=1
  # a fresh merge: inputs that crash now (a seed, or a corpus entry the code changed
  # under) are left out rather than stopping every start
  rm -rf "$d/corpus.new" && mkdir "$d/corpus.new"
  "$bin" $flags -merge=1 -artifact_prefix="$d/merge-" "$d/corpus.new" "$d/corpus" "$d/seeds" >"$d/merge.log" 2>&1 &&
    rm -rf "$d/corpus" && mv "$d/corpus.new" "$d/corpus"
  : >"$d/log"
  touch "$d/start"
  start=$(date +%s)
  end=$((start + SECS))
  # libFuzzer stops at a finding: start it again (on the grown corpus) until time is up
  while left=$((end - $(date +%s))); [ "$left" -gt 0 ]; do
    "$bin" $flags -max_total_time="$left" -print_final_stats=1 \
      -artifact_prefix="$d/artifacts/" "$d/corpus" >>"$d/log" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && [ -z "$(find "$d/artifacts" -type f -newer "$d/start" ! -name 'slow-unit-*')" ]; then
      echo "fuzz: $t failed without a finding (exit $rc); see $d/log" >&2
      break
    fi
  done
  local runs cov ft corp found
  runs=$(awk '/stat::number_of_executed_units:/ {s += $2} END {print s + 0}' "$d/log")
  cov=$(grep -o 'cov: [0-9]*' "$d/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$d/log" | tail -1 | cut -d' ' -f2)
  corp=$(ls "$d/corpus" | wc -l)
  found=$(find "$d/artifacts" -type f -newer "$d/start" ! -name 'slow-unit-*' | wc -l)
  {
    echo "$t: $runs runs in $(( $(date +%s) - start )) s, cov ${cov:-?} ft ${ft:-?}," \
         "corpus $corp, $found findings"
    echo "  regressions: $(replay "$t" spec/fuzz-regressions/$t); seeds: $(replay "$t" csrc/fuzz/seeds/$t)"
    # the findings grouped by what went wrong, with the smallest input of each kind
    awk -v OFS='\t' '
      /Direct leak|Indirect leak/ {leak = 1}
      leak && !why && / in [^ ]+ .*csrc\// && !/csrc\/ds\.c:/ {why = "leak of memory from " $(NF-1) " " $NF}
      !why && /invariant failed|runtime error:|SUMMARY:|out-of-memory \(malloc/ {why = $0}
      /Test unit written to/ {
        sub(/.*written to /, "")
        # one kind per place: no addresses, no values in UBSan messages
        if (match(why, /runtime error: [^:]*/)) why = substr(why, 1, RSTART + RLENGTH - 1)
        gsub(/ ?\(?(BuildId: )?0x[0-9a-f]+\)?/, "", why)
        if ($0 !~ /slow-unit-/) print why, $0
        why = ""; leak = 0
      }' "$d/log" | while IFS=$'\t' read -r why f; do
        printf '%s\t%s\t%s\n' "$why" "$(stat -c %s "$f" 2>/dev/null || echo 0)" "$f"
      done | sort -t$'\t' -k1,1 -k2,2n | awk -F'\t' '
        $1 != last {if (n) printf "  %d x %s\n      %s\n", n, last, f; last = $1; n = 0; f = $3}
        {n++} END {if (n) printf "  %d x %s\n      %s\n", n, last, f}'
  } >"$d/summary"
}

if [ "$SECS" = 0 ]; then
  fail=0
  for t in $TARGETS; do
    r=$(replay "$t" spec/fuzz-regressions/$t); echo "$t: regressions $r"
    case $r in 0\ of*) ;; *) fail=1 ;; esac
  done
  exit $(( fail | ${BUILD_FAILED:-0} ))
fi

n=0
for t in $TARGETS; do
  fuzz "$t" &
  n=$((n + 1))
  [ "$n" -ge "$JOBS" ] && { wait -n; n=$((n - 1)); }
done
wait
status=${BUILD_FAILED:-0}
for t in $TARGETS; do
  cat "$OUT/$t/summary"
  grep -q ' 0 findings$' "$OUT/$t/summary" && grep -q 'regressions: 0 of.*seeds: 0 of' "$OUT/$t/summary" ||
    status=1
done
exit $status
