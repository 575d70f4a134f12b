#!/usr/bin/env python3
"""Recount the recipes' numbers independently of dossier, and compare.

    python3 bench/recount.py --db CORPUS.db [--dossier bin/dossier] [--target-key doc.kind
        --target-value 'news.*'] [--node lemma=say] [--word the] [--jsonl FILE] [-v]

Reads `dossier export --format jsonl` of the corpus (or --jsonl, an export already made),
counts from its tokens with nothing but the Python standard library, runs the dossier
commands for the same analyses (`--format json`, every row; `--format tsv` as well) and
compares row by row: counts exactly, floats to a relative 1e-9 (JSON) and to the six
decimals TSV prints. Every statistic is also recomputed from the counts each TSV row
prints. The formulas are those of issue 18 and the literature
(../shared/research/wave2-anchors.md, section 3), written here from those sources:

  freq        value freq per_million range; per_million = freq / N * 10^6, range =
              documents holding the value; by word, lemma, pos
  ngrams      ngram freq range, n = 2 and 3, never across a sentence (`s` spans; a run of
              tokens outside every sentence is a segment of its own), range = documents
  collocates  of a one-token query, window 5,5 clipped at the document's edges, the node's
              own token not in its window (Evert 2008, surface co-occurrence): f_xy = the
              positions of the union of the windows holding the collocate (a position
              in two windows counts once), f_x = matches, f_y = corpus frequency, n = N,
              window = positions in the union; E = window f_y / n; MI = log2(O/E);
              MI3 = log2(O^3/E); t = (O - E)/sqrt(O); z = (O - E)/sqrt(E); ll = G^2 of
              the 2x2 table with R1 = window, C1 = f_y (Dunning 1993, 0 ln 0 = 0,
              unsigned);
              dice = 2 f_xy/(f_x + f_y); logdice = 14 + log2(dice) (Rychly 2008)
  keyness     target = documents whose metadata value matches a regex whole, reference =
              the rest; E1 = N1 (O1 + O2)/(N1 + N2), E2 likewise; ll = 2 (O1 ln(O1/E1) +
              O2 ln(O2/E2)) (Rayson & Garside 2000); g2 = the full 2x2 G^2 (four cells);
              chi2 = Pearson's 2x2 chi-square, no Yates; log_ratio = log2((O1/N1)/(O2/N2))
              with 0.5 for a zero count (Hardie 2014); pct_diff = 100 (O1/N1 - O2/N2)/(O2/N2)
              (Gabrielatos & Marchi; Inf when O2 = 0); bic = ll - ln(N1 + N2) (Wilson 2013);
              direction + when O1/N1 > O2/N2, - when smaller
  dispersion  hits over the documents (and over 10 equal parts of the corpus laid end to
              end, the first N mod 10 parts a token longer): range = parts with a hit;
              Juilland's D = 1 - (sd_pop(p)/mean(p))/sqrt(n - 1), p_i = v_i/s_i; DP =
              1/2 sum |v_i/f - s_i/S| (Gries 2008); DPnorm = DP/(1 - min s_i/S) (Lijffijt &
              Gries 2012); with --by-part each part's size and hits

Prints one line per check and a summary; exits 1 on any difference, 2 on a usage error.
"""
import argparse
import collections
import json
import math
import os
import re
import subprocess
import sys

REL = 1e-9

# {====== reading the export ======


def load(args):
    if args.jsonl:
        src = open(args.jsonl, encoding="utf-8")
    else:
        p = subprocess.run([args.dossier, "export", "--db", args.db, "--format", "jsonl"],
                           stdout=subprocess.PIPE, check=True)
        src = p.stdout.decode("utf-8").splitlines()
    docs = []
    for line in src:
        if line.strip():
            docs.append(json.loads(line))
    return docs


def segments(d):
    """Half-open token ranges (0-based) of a document's sentences and of the runs of
    tokens outside every sentence, in order, each token in one."""
    n = len(d["tokens"]["word"])
    out, at = [], 0
    for a, b in sorted(d["spans"].get("s", [])):
        a, b = max(a - 1, at), min(b, n)
        if b <= a:
            continue
        if a > at:
            out.append((at, a))
        out.append((a, b))
        at = b
    if at < n:
        out.append((at, n))
    return out

# }======
# {====== counting ======


def count_freq(docs, attr):
    f, rng = collections.Counter(), collections.Counter()
    for d in docs:
        v = d["tokens"][attr]
        f.update(v)
        rng.update(set(v))
    return f, rng


def count_ngrams(docs, n):
    f, rng = collections.Counter(), collections.Counter()
    for d in docs:
        w = d["tokens"]["word"]
        seen = set()
        for a, b in segments(d):
            for t in range(a, b - n + 1):
                g = tuple(w[t:t + n])
                f[g] += 1
                seen.add(g)
        rng.update(seen)
    return f, rng


def count_colloc(docs, attr, value, left, right):
    fxy = collections.Counter()
    fx = window = 0
    for d in docs:
        key, w = d["tokens"][attr], d["tokens"]["word"]
        n = len(w)
        for i, x in enumerate(key):
            if x != value:
                continue
            fx += 1
        # the union of the matches' windows: each position once (a node's own token is
        # not in its window, but may be in another node's)
        union = set()
        for i, x in enumerate(key):
            if x == value:
                union.update(j for j in range(max(0, i - left), min(n, i + right + 1)) if j != i)
        for j in union:
            fxy[w[j]] += 1
        window += len(union)
    return fxy, fx, window


def parts_docs(docs, attr, value):
    return [(d["name"], len(d["tokens"][attr]), sum(1 for x in d["tokens"][attr] if x == value)) for d in docs]


def parts_equal(docs, attr, value, k):
    flat = [x == value for d in docs for x in d["tokens"][attr]]
    size, extra = divmod(len(flat), k)
    out, at = [], 0
    for j in range(k):
        s = size + (1 if j < extra else 0)
        out.append((str(j + 1), s, sum(flat[at:at + s])))
        at += s
    return out

# }======
# {====== statistics (from counts) ======


def xlnx(o, e):
    return o * math.log(o / e) if o > 0 else 0.0


def colloc_stats(o, fx, fy, n, window):
    e = window * fy / n
    r1, c1 = window, fy
    o12, o21 = r1 - o, c1 - o
    o22 = n - r1 - c1 + o
    r2, c2 = n - r1, n - c1
    # windows are merged (each position once), so no cell is negative; should one be,
    # G^2 is undefined (NaN)
    g2 = math.nan if min(o12, o21, o22) < 0 else 2 * (xlnx(o, r1 * c1 / n) + xlnx(o12, r1 * c2 / n) + xlnx(o21, r2 * c1 / n) + xlnx(o22, r2 * c2 / n))
    dice = 2 * o / (fx + fy)
    return {"expected": e, "mi": math.log2(o / e), "mi3": math.log2(o ** 3 / e), "t": (o - e) / math.sqrt(o),
            "z": (o - e) / math.sqrt(e), "ll": g2, "dice": dice, "logdice": 14 + math.log2(dice)}


def keyness_stats(o1, n1, o2, n2):
    n = n1 + n2
    e1, e2 = n1 * (o1 + o2) / n, n2 * (o1 + o2) / n
    ll = 2 * (xlnx(o1, e1) + xlnx(o2, e2))
    g2 = ll + 2 * (xlnx(n1 - o1, n1 - e1) + xlnx(n2 - o2, n2 - e2))
    r1, r2 = o1 + o2, n - o1 - o2
    chi2 = n * (o1 * (n2 - o2) - o2 * (n1 - o1)) ** 2 / (r1 * r2 * n1 * n2) if r2 > 0 else 0.0
    lr = math.log2(((o1 or 0.5) / n1) / ((o2 or 0.5) / n2))
    pct = math.inf if o2 == 0 else 100 * (o1 / n1 - o2 / n2) / (o2 / n2)
    return {"ll": ll, "g2": g2, "chi2": chi2, "log_ratio": lr, "pct_diff": pct, "bic": ll - math.log(n)}


def dispersion_stats(parts):
    sizes = [s for _, s, _ in parts]
    hits = [v for _, _, v in parts]
    k, f, total = len(parts), sum(hits), sum(sizes)
    p = [v / s for s, v in zip(sizes, hits)]
    mean = sum(p) / k
    sd = math.sqrt(sum((x - mean) ** 2 for x in p) / k)
    d = 1 - (sd / mean) / math.sqrt(k - 1) if k > 1 and mean > 0 else None
    dp = 0.5 * sum(abs(v / f - s / total) for s, v in zip(sizes, hits)) if f else None
    dpn = dp / (1 - min(sizes) / total) if dp is not None else None
    return {"hits": f, "parts": k, "range": sum(1 for v in hits if v), "juilland_d": d, "dp": dp, "dp_norm": dpn}

# }======
# {====== comparing ======


class Checker:
    def __init__(self, verbose):
        self.checks = self.values = self.diffs = 0
        self.verbose = verbose

    def num(self, what, got, want, tsv=False):
        """got: dossier's value (number, or "Inf"/"NaN" as printed); want: ours."""
        self.values += 1
        if isinstance(got, str):
            got = {"Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan}.get(got, got)
            if isinstance(got, str):
                try:
                    got = int(got) if re.fullmatch(r"-?\d+", got) else float(got)
                except ValueError:
                    pass
        ok = False
        if want is None or (isinstance(want, float) and math.isnan(want)):
            ok = got is None or got == "" or (isinstance(got, float) and math.isnan(got))
        elif isinstance(want, int) and not isinstance(want, bool):
            ok = got == want
        elif isinstance(got, (int, float)):
            if math.isinf(want) or math.isinf(got):
                ok = got == want
            else:
                tol = max(REL * abs(want), 5.0000001e-7 if tsv else 1e-300)
                if tsv:
                    tol = max(tol, 5.0000001e-7 + 1e-15 * abs(want))
                ok = abs(got - want) <= tol
        if not ok:
            self.diff(f"{what}: dossier {got!r}, recount {want!r}")
        return ok

    def eq(self, what, got, want):
        self.values += 1
        if got != want:
            self.diff(f"{what}: dossier {got!r}, recount {want!r}")

    def diff(self, msg):
        self.diffs += 1
        if self.diffs <= 40 or self.verbose:
            print("  DIFF " + msg)

    def report(self, name, before):
        self.checks += 1
        print(f"{'ok  ' if self.diffs == before else 'FAIL'} {name}")


def run(args, cmd, fmt):
    p = subprocess.run([args.dossier] + cmd + ["--db", args.db, "--format", fmt], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit(f"recount: `dossier {' '.join(cmd)}` failed: {p.stderr.decode(errors='replace').strip()}")
    out = p.stdout.decode("utf-8")
    if fmt == "json":
        return json.loads(out)["rows"]
    lines = out.rstrip("\n").split("\n")
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:] if line != ""]


def tsv_int(r, k):
    return int(r[k])


def compare_rows(ck, name, cmd, args, key, want, order=None, stats=None, tsv_stats=None):
    """want: key -> {column: value}; order: the expected order of keys (None: any);
    stats(row) -> {column: value} recomputed from a row's printed counts."""
    before = ck.diffs
    for fmt in ("json", "tsv"):
        rows = run(args, cmd, fmt)
        tsv = fmt == "tsv"
        got = {}
        for r in rows:
            k = key(r)
            if k in got:
                ck.diff(f"{name} ({fmt}): row {k!r} twice")
            got[k] = r
        missing = [k for k in want if k not in got]
        extra = [k for k in got if k not in want]
        ck.values += 1
        if missing or extra:
            ck.diff(f"{name} ({fmt}): {len(rows)} rows, recount {len(want)}; missing {missing[:5]}, extra {extra[:5]}")
        if order is not None and not missing and not extra:
            keys = [key(r) for r in rows]
            ck.values += 1
            if keys != order:
                i = next(i for i, (a, b) in enumerate(zip(keys, order)) if a != b)
                ck.diff(f"{name} ({fmt}): order differs at row {i + 1}: {keys[i]!r}, recount {order[i]!r}")
        for k, cols in want.items():
            r = got.get(k)
            if r is None:
                continue
            for c, v in cols.items():
                if isinstance(v, str):
                    ck.eq(f"{name} ({fmt}) {k!r} {c}", r.get(c), v)
                else:
                    ck.num(f"{name} ({fmt}) {k!r} {c}", r.get(c), v, tsv)
            if stats:   # every statistic again from the counts this row prints
                for c, v in stats(r).items():
                    ck.num(f"{name} ({fmt}, from its counts) {k!r} {c}", r.get(c), v, tsv)
    ck.report(f"{name}: {len(want)} rows", before)


def byte_key(s):
    return s.encode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--dossier", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bin",
                                                      "dossier"))
    ap.add_argument("--jsonl", help="an export of the corpus already made (default: run dossier export)")
    ap.add_argument("--target-key", default="doc.kind", help="keyness: the metadata key of the target")
    ap.add_argument("--target-value", default="news.*", help="keyness: a regex its value matches whole")
    ap.add_argument("--node", default="lemma=say", help="collocates: ATTR=VALUE, one token")
    ap.add_argument("--word", default="the", help="dispersion: a word")
    ap.add_argument("-v", "--verbose", action="store_true", help="every difference, not the first 40")
    args = ap.parse_args()
    docs = load(args)
    ck = Checker(args.verbose)
    N = sum(len(d["tokens"]["word"]) for d in docs)
    print(f"recount of {args.db}: {len(docs)} documents, {N} tokens")

    for attr in ("word", "lemma", "pos"):
        f, rng = count_freq(docs, attr)
        want = {v: {"freq": c, "per_million": c / N * 1e6, "range": rng[v]} for v, c in f.items()}
        order = sorted(f, key=lambda v: (-f[v], byte_key(v)))
        compare_rows(ck, f"freq by {attr}", ["freq", "--by", attr], args, lambda r: r["value"], want, order,
                     lambda r: {"per_million": tsv_int(r, "freq") / N * 1e6})

    for n in (2, 3):
        f, rng = count_ngrams(docs, n)
        want = {" ".join(g): {"freq": c, "range": rng[g]} for g, c in f.items()}
        order = [" ".join(g) for g in sorted(f, key=lambda g: (-f[g], [byte_key(x) for x in g]))]
        compare_rows(ck, f"{n}-grams of word", ["ngrams", "-n", str(n)], args, lambda r: r["ngram"], want, order)

    attr, value = args.node.split("=", 1)
    fxy, fx, window = count_colloc(docs, attr, value, 5, 5)
    fy, _ = count_freq(docs, "word")
    want = {}
    for w, o in fxy.items():
        row = {"f_xy": o, "f_x": fx, "f_y": fy[w], "n": N, "window": window}
        row.update(colloc_stats(o, fx, fy[w], N, window))
        want[w] = row
    q = f'[{attr}="{value}"]'

    def colloc_from_counts(r):
        return colloc_stats(*(tsv_int(r, k) for k in ("f_xy", "f_x", "f_y", "n", "window")))
    compare_rows(ck, f"collocates of {q}", ["collocates", q], args, lambda r: r["collocate"], want, None,
                 colloc_from_counts)

    key = args.target_key
    rx = re.compile(args.target_value)

    def meta(d):
        return d["name"] if key == "doc.name" else (d.get("meta") or {}).get(key[4:] if key.startswith("doc.") else key)
    tgt = [d for d in docs if meta(d) is not None and rx.fullmatch(meta(d))]
    ref = [d for d in docs if not (meta(d) is not None and rx.fullmatch(meta(d)))]
    if tgt and ref:
        f1, _ = count_freq(tgt, "word")
        f2, _ = count_freq(ref, "word")
        n1, n2 = sum(f1.values()), sum(f2.values())
        want = {}
        for w in set(f1) | set(f2):
            row = {"f_target": f1[w], "f_reference": f2[w], "n_target": n1, "n_reference": n2}
            row.update(keyness_stats(f1[w], n1, f2[w], n2))
            if f1[w] * n2 != f2[w] * n1:
                row["direction"] = "+" if f1[w] * n2 > f2[w] * n1 else "-"
            want[w] = row
        cons = f'{key} = "{args.target_value}"'

        def key_from_counts(r):
            return keyness_stats(*(tsv_int(r, k) for k in ("f_target", "n_target", "f_reference", "n_reference")))
        compare_rows(ck, f"keyness of {cons} against the rest", ["keyness", "--target", cons], args,
                     lambda r: r["item"], want, None, key_from_counts)
    else:
        print(f"skip keyness: {len(tgt)} target and {len(ref)} reference documents for {key} = {args.target_value}")

    q = f'[word="{args.word}"]'
    for label, parts, extra in (("documents", parts_docs(docs, "word", args.word), []),
                                ("10 equal parts", parts_equal(docs, "word", args.word, 10), ["--parts", "10"])):
        compare_rows(ck, f"dispersion of {q} over {label}", ["dispersion", q] + extra, args, lambda r: "summary",
                     {"summary": dispersion_stats(parts)})
        want = {p: {"size": sz, "freq": v} for p, sz, v in parts}
        compare_rows(ck, f"dispersion of {q} over {label}, by part", ["dispersion", q, "--by-part"] + extra, args,
                     lambda r: str(r["part"]), want, [str(p) for p, _, _ in parts])
        # the summary's statistics again from the sizes and hits the by-part TSV prints
        before = ck.diffs
        printed = [(r["part"], int(r["size"]), int(r["freq"])) for r in run(args, ["dispersion", q, "--by-part"] + extra, "tsv")]
        summary = run(args, ["dispersion", q] + extra, "tsv")[0]
        for c, v in dispersion_stats(printed).items():
            ck.num(f"dispersion over {label} (tsv, from the by-part counts) {c}", summary.get(c), v, True)
        ck.report(f"dispersion of {q} over {label}: statistics from the printed part counts", before)

    print(f"{ck.checks} checks, {ck.values} values compared, {ck.diffs} differences")
    sys.exit(1 if ck.diffs else 0)


if __name__ == "__main__":
    main()
