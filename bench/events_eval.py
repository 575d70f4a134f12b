#!/usr/bin/env python3
"""Score an events TSV (the columns of `dossier events --format tsv`) against gold events.

    python3 bench/events_eval.py GOLD.tsv FOUND.tsv [--docs DIR|MANIFEST.tsv] [--errors]

Both files are TSV with a header naming the columns `doc sentence date date_source actor1
actor1_country actor2 actor2_country action object money certainty` (other columns are
ignored, missing ones read as empty; `\\t` `\\n` `\\r` `\\\\` are unescaped).  FOUND may be
`-` (standard input).

Documents are matched by name: a path and an extension are dropped
(`spec/data/public/x.txt` and `x` are the same document).  The documents scored are those
of `--docs` (a directory: its files' names; or a MANIFEST.tsv: its `file` column) and the
gold's; found rows of other documents are left out and counted on stderr.  Give `--docs`
when some scored documents have no gold event, or their false alarms are not counted.

An event found matches a gold event of the same document when the actions are equal and
the sentences agree: after folding white space, typographic quotes and dashes and case,
they are equal, or one holds the other (a splitter that cuts a sentence differently still
matches, as long as the shorter of the two has 25 characters or more).  Each gold event is
matched at most once and each found event at most once; where several pairings are
possible, equal sentences are preferred, then the pairing whose fields agree most.

Printed: gold, found and matched counts with precision, recall and F1, overall, with the
action ignored (event sentences found), and per action; then, over the matched events, the
share whose fields agree: actors (the set of non-empty actor1/actor2 names, case-folded),
actor1, actor countries (the set), date, date_source, object (equal, or one holds the
other, case-folded), money, certainty.  `--errors` lists the gold events missed, the false
alarms, and the matched events whose fields disagree.
"""
import argparse
import os
import re
import sys
from collections import Counter, defaultdict

COLUMNS = ["doc", "sentence", "date", "date_source", "actor1", "actor1_country", "actor2",
           "actor2_country", "action", "object", "money", "certainty"]
MIN_CONTAINED = 25
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                      "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
                      "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-",
                      "\u00a0": " "})


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def doc_name(path):
    base = os.path.basename(path.strip().rstrip("/"))
    root, ext = os.path.splitext(base)
    return root if ext else base


def norm_text(s):
    return re.sub(r"\s+", " ", s.translate(FOLD)).strip().casefold()


def norm_field(s):
    return re.sub(r"\s+", " ", s).strip().casefold()


def read_tsv(path):
    f = sys.stdin if path == "-" else open(path, encoding="utf-8-sig", newline="")
    with f:
        lines = f.read().split("\n")
    lines = [l.rstrip("\r") for l in lines]
    lines = [l for l in lines if l.strip()]
    if not lines:
        return []
    head = lines[0].split("\t")
    if "doc" not in head or "action" not in head:
        sys.exit(f"{path}: the header names no doc and action columns")
    rows = []
    for n, line in enumerate(lines[1:], 2):
        cells = line.split("\t")
        row = {c: "" for c in COLUMNS}
        for name, cell in zip(head, cells):
            row[name] = unescape(cell)
        row["doc"] = doc_name(row["doc"])
        row["line"] = n
        rows.append(row)
    return rows


def read_docs(path):
    if os.path.isdir(path):
        return {doc_name(f) for f in os.listdir(path)
                if not f.startswith(".") and f not in ("MANIFEST.tsv", "PROVENANCE.md", "README.md")}
    names = set()
    with open(path, encoding="utf-8-sig") as f:
        head = f.readline().rstrip("\r\n").split("\t")
        col = head.index("file") if "file" in head else 0
        for line in f:
            cells = line.rstrip("\r\n").split("\t")
            if len(cells) > col and cells[col].strip():
                names.add(doc_name(cells[col]))
    return names


def sentence_match(g, f):
    """2: equal, 1: one holds the other, 0: no match."""
    a, b = norm_text(g), norm_text(f)
    if not a or not b:
        return 0
    if a == b:
        return 2
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= MIN_CONTAINED and short in long_:
        return 1
    return 0


def actors(e):
    return frozenset(norm_field(e[k]) for k in ("actor1", "actor2") if norm_field(e[k]))


def countries(e):
    return frozenset(norm_field(e[k]) for k in ("actor1_country", "actor2_country") if norm_field(e[k]))


def object_agrees(g, f):
    a, b = norm_field(g), norm_field(f)
    if a == b:
        return True
    return bool(a) and bool(b) and (a in b or b in a)


FIELDS = [
    ("actors", lambda g, f: actors(g) == actors(f)),
    ("actor1", lambda g, f: norm_field(g["actor1"]) == norm_field(f["actor1"])),
    ("countries", lambda g, f: countries(g) == countries(f)),
    ("date", lambda g, f: norm_field(g["date"]) == norm_field(f["date"])),
    ("date_source", lambda g, f: norm_field(g["date_source"]) == norm_field(f["date_source"])),
    ("object", lambda g, f: object_agrees(g["object"], f["object"])),
    ("money", lambda g, f: norm_field(g["money"]) == norm_field(f["money"])),
    ("certainty", lambda g, f: norm_field(g["certainty"]) == norm_field(f["certainty"])),
]


def agreement(g, f):
    return sum(1 for _, ok in FIELDS if ok(g, f))


def match(gold, found, use_action=True):
    """One-to-one pairs (gold index, found index) per document."""
    pairs = []
    by_doc_g, by_doc_f = defaultdict(list), defaultdict(list)
    for i, g in enumerate(gold):
        by_doc_g[g["doc"]].append(i)
    for j, f in enumerate(found):
        by_doc_f[f["doc"]].append(j)
    for doc, gi in by_doc_g.items():
        cands = []
        for i in gi:
            for j in by_doc_f.get(doc, []):
                if use_action and norm_field(gold[i]["action"]) != norm_field(found[j]["action"]):
                    continue
                s = sentence_match(gold[i]["sentence"], found[j]["sentence"])
                if s:
                    cands.append((-s, -agreement(gold[i], found[j]), i, j))
        cands.sort()
        used_g, used_f = set(), set()
        for _, _, i, j in cands:
            if i not in used_g and j not in used_f:
                used_g.add(i)
                used_f.add(j)
                pairs.append((i, j))
    return pairs


def prf(m, g, f):
    p = m / f if f else None
    r = m / g if g else None
    if p is None or r is None:
        return p, r, None
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def pct(x):
    return "-" if x is None else f"{100 * x:.1f}"


def row(label, g, f, m):
    p, r, f1 = prf(m, g, f)
    return f"{label:<14} {g:>5} {f:>5} {m:>7} {pct(p):>6} {pct(r):>6} {pct(f1):>6}"


def show(e):
    a = " / ".join(x for x in (e["actor1"], e["actor2"]) if x) or "(no actor)"
    extra = ", ".join(f"{k}={e[k]}" for k in ("object", "date", "certainty") if e[k])
    s = re.sub(r"\s+", " ", e["sentence"]).strip()
    if len(s) > 160:
        s = s[:157] + "..."
    return f"[{e['doc']}] {e['action']}: {a} ({extra})\n      {s}"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Score an events TSV against gold events.")
    ap.add_argument("gold")
    ap.add_argument("found", help="events TSV, or - for standard input")
    ap.add_argument("--docs", help="the scored documents: a directory or a MANIFEST.tsv")
    ap.add_argument("--errors", action="store_true", help="list misses, false alarms and field disagreements")
    args = ap.parse_args(argv)

    gold = read_tsv(args.gold)
    found_all = read_tsv(args.found)
    docs = {g["doc"] for g in gold}
    if args.docs:
        docs |= read_docs(args.docs)
    found = [f for f in found_all if f["doc"] in docs]
    left = len(found_all) - len(found)
    if left:
        others = sorted({f["doc"] for f in found_all if f["doc"] not in docs})
        print(f"left out: {left} found events of {len(others)} documents without gold "
              f"({', '.join(others[:5])}{', ...' if len(others) > 5 else ''})", file=sys.stderr)

    pairs = match(gold, found)
    print(f"{'':<14} {'gold':>5} {'found':>5} {'matched':>7} {'P':>6} {'R':>6} {'F1':>6}")
    print(row("all", len(gold), len(found), len(pairs)))
    loose = match(gold, found, use_action=False)
    print(row("any action", len(gold), len(found), len(loose)))
    gc = Counter(norm_field(g["action"]) for g in gold)
    fc = Counter(norm_field(f["action"]) for f in found)
    mc = Counter(norm_field(gold[i]["action"]) for i, _ in pairs)
    for act in sorted(set(gc) | set(fc)):
        print(row(act or "(none)", gc[act], fc[act], mc[act]))

    print()
    print(f"fields agreeing on the {len(pairs)} matched events:")
    for name, ok in FIELDS:
        n = sum(1 for i, j in pairs if ok(gold[i], found[j]))
        share = pct(n / len(pairs)) if pairs else "-"
        print(f"  {name:<12} {n:>4} {share:>6}")

    if args.errors:
        mg = {i for i, _ in pairs}
        mf = {j for _, j in pairs}
        print()
        print("missed (gold events not found):")
        for i, g in enumerate(gold):
            if i not in mg:
                print("  - " + show(g))
        print("false alarms (found events not in the gold):")
        for j, f in enumerate(found):
            if j not in mf:
                print("  + " + show(f))
        print("matched, with fields that disagree (gold -> found):")
        for i, j in sorted(pairs):
            bad = [name for name, ok in FIELDS if not ok(gold[i], found[j])]
            if bad:
                g, f = gold[i], found[j]
                diffs = []
                for name in bad:
                    if name == "actors":
                        diffs.append(f"actors {sorted(actors(g))} -> {sorted(actors(f))}")
                    elif name == "countries":
                        diffs.append(f"countries {sorted(countries(g))} -> {sorted(countries(f))}")
                    else:
                        diffs.append(f"{name} {g[name]!r} -> {f[name]!r}")
                print("  ~ " + show(g) + "\n      " + "; ".join(diffs))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        sys.exit(0)
