#!/usr/bin/env python3
"""Where `dossier index` spends its time, by phase, from `perf script` output.

    perf script -i perf.data | python3 bench/perf_phases.py

Reads call stacks (record with --call-graph dwarf: the libraries have no frame pointers)
and charges every sample to the innermost of the functions in PHASES on its stack, so the
shares add up to 100%. Also prints each phase's inclusive share and the top self symbols. Samples whose stack
perf could not unwind (it fails out of some libc string functions and kernel I/O) are
listed by their leaf as "not unwound: ...".
Used by bench/store_profile.sh; the phase names follow csrc/ds_store.c and ds_parse.c.
"""
import collections
import re
import sys

# Function (as perf names it, inlined ones included) -> phase label.
PHASES = {
    "ds_read_file": "read file",
    "ds_sha256_hex": "SHA-256 of the bytes",
    "ds_parse_and_tag": "parse (other)",
    "ds_read_text_opts": "parse: read, UTF-8, NFC",
    "ds_clean": "parse: clean-up rules",
    "ds_tokenize": "parse: tokenize",
    "ds_split_sentences": "parse: sentences",
    "ds_annotate_memo": "parse: tag + lemma",
    "ds_tagger_tag": "parse: tag + lemma",
    "ds_lemmatize": "parse: tag + lemma",
    "worker": "worker thread (other)",
    "ds_corpus_add_parsed": "store (other: docs row, savepoint, types, gaps)",
    "store_doc": "store: token types, white space, postings",
    "type_of": "store: new token types (intern, SELECT lexicon)",
    "ds_utf8_fold": "store: case-fold for norm",
    "intern": "store: new token types (intern, SELECT lexicon)",
    "store_spans": "store: INSERT spans",
    "ds_lexent_occur": "store: postings in memory",
    "ds_corpus_commit": "commit (other: COMMIT, WAL)",
    "flush_segment": "commit: INSERT lexicon, postings, types",
    "flush_attr": "commit: INSERT lexicon, postings, types",
    "sqlite3_prepare_v2": "sqlite3_prepare (SQL compiled)",
    "sqlite3_prepare_v3": "sqlite3_prepare (SQL compiled)",
}

FRAME = re.compile(r"^\s+[0-9a-f]+\s+(.+?)\s+\((.*)\)$")


def samples(lines):
    stack = []
    for line in lines:
        if not line.strip():
            if stack:
                yield stack
            stack = []
            continue
        m = FRAME.match(line)
        if m:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", m.group(1))
            sym = sym.replace(" (inlined)", "")
            stack.append((sym, m.group(2).rsplit("/", 1)[-1]))
    if stack:
        yield stack


def main():
    excl, incl, self_ = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for stack in samples(sys.stdin):           # stack[0] is the leaf
        total += 1
        names = [s for s, _ in stack]
        inner = next((PHASES[s] for s in names if s in PHASES), None)
        if inner is None:
            # perf could not unwind out of some libc string functions and the kernel:
            # such samples are shown by their leaf rather than hidden under "other"
            inner = ("Lua, startup, other" if "lua_pcallk" in names
                     else "not unwound: %s" % (stack[0][0] if stack[0][1] == "libc.so.6"
                                               or "inlined" in stack[0][1] else stack[0][1]))
        excl[inner] += 1
        for ph in {PHASES[s] for s in names if s in PHASES}:
            incl[ph] += 1
        self_["%s (%s)" % stack[0]] += 1
    if not total:
        sys.exit("perf_phases.py: no samples with call stacks on stdin")
    print("%d samples\n\n%-48s %8s %8s" % (total, "phase (innermost on the stack)", "self %", "incl %"))
    for ph, n in excl.most_common():
        print("%-48s %8.1f %8.1f" % (ph, 100 * n / total, 100 * incl[ph] / total))
    print("\ntop self symbols")
    for sym, n in self_.most_common(15):
        print("  %5.1f%%  %s" % (100 * n / total, sym))


if __name__ == "__main__":
    main()
