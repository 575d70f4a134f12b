#!/bin/sh
# make valgrind: a representative dossier session under valgrind's memcheck -- index the
# sample corpus (text, HTML, Markdown, JSON Lines), query it, describe and check it, tag
# and clean a document, and the error paths of a bad query and a missing file; the
# binding's error-path spec (memory errors injected into every call) -- then each fuzz
# target's regression inputs (the replay drivers, whose forked children stay under
# valgrind). Fails on any invalid access, use of uninitialized memory, or definite or
# indirect leak; prints one line per step.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
tmp=$(mktemp -d /tmp/dossier-valgrind.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
VG="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --num-callers=30"
fail=0
# step EXPECTED_STATUS ARGS...: run `lua5.4 bin/dossier ARGS` under valgrind
step() {
  want=$1; shift
  $VG --log-file="$tmp/vg.log" lua5.4 bin/dossier "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  if [ "$rc" = 99 ] || [ -s "$tmp/vg.log" ]; then
    echo "valgrind: dossier $*: memory errors:"; cat "$tmp/vg.log"; fail=1
  elif [ "$rc" != "$want" ]; then
    echo "valgrind: dossier $*: exit status $rc, expected $want"; cat "$tmp/err"; fail=1
  else
    echo "valgrind: dossier $*: clean"
  fi
}
db=$tmp/c.db
cp csrc/fuzz/seeds/html/page.html csrc/fuzz/seeds/markdown/note.md "$tmp"/
printf '{"id":"r1","text":"A record of JSON Lines, with a date: 5 May 2021."}\n' >"$tmp/r.jsonl"
step 0 index corpus/seeds --db "$db"
step 0 index "$tmp/page.html" "$tmp/note.md" "$tmp/r.jsonl" --db "$db"
# the long seed again (its first line changed: new bytes), read and stored in 2000-byte parts
{ echo "In parts."; tail -n +2 corpus/seeds/2022-sinkkonen-lassila-digital-authoritarianism.txt; } >"$tmp/long.txt"
export DOSSIER_PART_BYTES=2000
step 0 index "$tmp/long.txt" --db "$db"
unset DOSSIER_PART_BYTES
step 0 search --db "$db" "authoritarianism"
# PDF through Poppler: a report, then the refusals (encrypted, damaged, no text)
step 0 index spec/data/pdf/report.pdf --db "$db"
step 1 clean spec/data/pdf/encrypted.pdf
step 1 clean spec/data/pdf/damaged.pdf
step 1 clean spec/data/pdf/image-only.pdf
step 0 search --db "$db" "Sino-Russian OR surveil*"
step 0 query --db "$db" '"digital" "sovereignty"%c' --width 30
step 0 query --db "$db" '[word="China"] [] [pos="NOUN"]' --format json --limit 5
step 0 query --db "$db" '(?longest) a:[word="surveil.*"%c] @[pos!="PUNCT"]{0,2} [] within s' --sort 'target word %c, match word desc' --limit 5
step 0 query --db "$db" 'a:[pos="ADJ"] [pos="ADJ"]* [pos="NOUN"] :: doc.date >= "2019" & a.word = "x" | match.text_kind = "news.*"' --count
step 0 query --db "$db" '"China" []* "Russia" | <s> [lemma="be"]' --group 'match lemma, matchend word' --limit 5
step 0 query --db "$db" 'MU(meet "China" (meet [pos="NOUN"] "Russia" -3 3) s)' --count
step 0 query --db "$db" '<s/> not containing [word="the"%c] expand to p' --format tsv --limit 3
step 1 query --db "$db" '[word="(a|aa)+\d"] sovereignty'
step 0 info --db "$db" --format json
step 0 check --db "$db"
# the recipes (their counting in csrc/ds_count*.c)
step 0 freq --db "$db" --db "$db" --by lemma --per doc.kind --limit 5
step 0 ngrams --db "$db" -n 3 --min-freq 2 --format tsv
step 0 collocates --db "$db" '"China"' --within s --format json
step 0 keyness --db "$db" --target 'doc.kind = "news"' --limit 5
step 0 dispersion --db "$db" '"Huawei"' --parts 4 --svg "$tmp/d.svg"
step 0 export --db "$db" --format vrt -o "$tmp/c.vrt"
step 0 kwic --db "$db" --db "$db" '"China" []' --sort '1R lemma %c' --sort 'C reverse' --tokens 3 --sample 20 --meta kind --format html
step 0 ngrams --db "$db" -n 3 --around '"Huawei"' --slot 2 --limit 5
step 0 keyness --db "$db" --target 'doc.kind = "news|blog.*"' --format tsv
step 1 freq --db "$db" --where 'doc.kind = news'
step 0 tag corpus/seeds/2023-blog-strategic-partnership-it.txt
step 0 clean --explain corpus/seeds/2022-sinkkonen-lassila-digital-authoritarianism.txt
step 1 query --db "$db" '[word="China"'
step 1 index "$tmp/missing.txt" --db "$db"
# the binding's error paths: spec/91-errors injects memory errors into every call that
# meets the core (busted in this process: --ignore-lua keeps it from starting another)
if $VG --log-file="$tmp/vg.log" lua5.4 "$(command -v busted)" --ignore-lua -o TAP spec/91-errors_spec.lua \
     >"$tmp/out" 2>&1 && [ ! -s "$tmp/vg.log" ]; then
  echo "valgrind: spec/91-errors_spec.lua: clean ($(grep -c '^ok' "$tmp/out") tests)"
else
  echo "valgrind: spec/91-errors_spec.lua: failed"; cat "$tmp/out" "$tmp/vg.log"; fail=1
fi
for r in "$B"/replay_*; do
  n=${r##*/replay_}
  [ -d "spec/fuzz-regressions/$n" ] || continue
  if $VG --log-file="$tmp/vg-$n.%p.log" "$r" "spec/fuzz-regressions/$n" >"$tmp/out" 2>&1 &&
     ! find "$tmp" -name "vg-$n.*.log" -size +0 | grep -q .; then
    echo "valgrind: replay $n: clean ($(tail -n 1 "$tmp/out"))"
  else
    echo "valgrind: replay $n: failed"; cat "$tmp/out" "$tmp"/vg-"$n".*.log; fail=1
  fi
done
exit $fail
