"""The recipes' counts done the plain way, in Python over `dossier export --format jsonl`
(see recipes_bench.sh): best of $REPEAT, in ms, reading the export excluded."""
import collections, json, math, os, sys, time

docs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
REPEAT = int(os.environ.get("REPEAT", "3"))
# the target of keyness: the documents in the first half of make_corpus.py's numbered
# directories (as recipes_bench.lua), the reference the others
DIRS = sorted({d["name"].split("/")[0] for d in docs})
HALF = set(DIRS[:max(1, len(DIRS) // 2)])
TARGET = [d for d in docs if d["name"].split("/")[0] in HALF]
REFERENCE = [d for d in docs if d["name"].split("/")[0] not in HALF]


def timed(name, f):
    best = math.inf
    for _ in range(REPEAT):
        t0 = time.process_time()
        n = f()
        best = min(best, time.process_time() - t0)
    print(f"{name:34s} {best * 1000:9.0f} ms  {n:8d} rows")


def freq_lemma():
    c = collections.Counter()
    rng = collections.Counter()
    for d in docs:
        lem = d["tokens"]["lemma"]
        c.update(lem)
        rng.update(set(lem))
    return len(c)


def sentences(d):
    for a, b in d["spans"]["s"]:
        yield a - 1, b


def trigrams():
    c = collections.Counter()
    for d in docs:
        w = d["tokens"]["word"]
        for a, b in sentences(d):
            c.update(zip(w[a:b], w[a + 1:b], w[a + 2:b]))
    return len(c)


def trigrams_top(k):
    c = collections.Counter()
    for d in docs:
        w = d["tokens"]["word"]
        for a, b in sentences(d):
            c.update(zip(w[a:b], w[a + 1:b], w[a + 2:b]))
    return len(c.most_common(k))


def collocates(attr, value):
    c = collections.Counter()
    for d in docs:
        toks = d["tokens"]
        key, w = toks[attr], toks["word"]
        n = len(w)
        seen = set()            # windows that overlap are merged: a position counts once
        for i, x in enumerate(key):
            if x == value:
                for j in range(max(0, i - 5), min(n, i + 6)):
                    if j != i and j not in seen:
                        seen.add(j)
                        c[w[j]] += 1
    return len(c)


def keyness():
    a, b = collections.Counter(), collections.Counter()
    for d in TARGET:
        a.update(d["tokens"]["word"])
    for d in REFERENCE:
        b.update(d["tokens"]["word"])
    n1, n2 = sum(a.values()), sum(b.values())
    out = 0
    for w in set(a) | set(b):
        o1, o2 = a[w], b[w]
        e1, e2 = n1 * (o1 + o2) / (n1 + n2), n2 * (o1 + o2) / (n1 + n2)
        ll = 2 * ((o1 * math.log(o1 / e1) if o1 else 0) + (o2 * math.log(o2 / e2) if o2 else 0))
        out += ll > 0
    return len(set(a) | set(b))


def keyness_sorted():
    """As keyness, and the rows sorted as dossier sorts them: positive first, by ll."""
    a, b = collections.Counter(), collections.Counter()
    for d in TARGET:
        a.update(d["tokens"]["word"])
    for d in REFERENCE:
        b.update(d["tokens"]["word"])
    n1, n2 = sum(a.values()), sum(b.values())
    rows = []
    for w in set(a) | set(b):
        o1, o2 = a[w], b[w]
        e1, e2 = n1 * (o1 + o2) / (n1 + n2), n2 * (o1 + o2) / (n1 + n2)
        ll = 2 * ((o1 * math.log(o1 / e1) if o1 else 0) + (o2 * math.log(o2 / e2) if o2 else 0))
        rows.append((o1 / n1 < o2 / n2, -ll, w, o1, o2))
    rows.sort()
    return len(rows)


def dispersion():
    hits = [d["tokens"]["word"].count("the") for d in docs]
    return len(hits)


def freq_lemma_tsv():
    """freq with range and per million, sorted as dossier sorts, as TSV text."""
    c = collections.Counter()
    rng = collections.Counter()
    for d in docs:
        lem = d["tokens"]["lemma"]
        c.update(lem)
        rng.update(set(lem))
    n = sum(c.values())
    rows = sorted(c.items(), key=lambda x: (-x[1], x[0]))   # code point order = byte order
    text = "\n".join(["value\tfreq\tper_million\trange"] +
                     [f"{v}\t{f}\t{f / n * 1e6:.6f}\t{rng[v]}" for v, f in rows])
    return len(rows)


def trigrams_tsv():
    """3-grams with range, sorted as dossier sorts, as TSV text."""
    c, rng = collections.Counter(), collections.Counter()
    for d in docs:
        w = d["tokens"]["word"]
        seen = set()
        for a, b in sentences(d):
            g = list(zip(w[a:b], w[a + 1:b], w[a + 2:b]))
            c.update(g)
            seen.update(g)
        rng.update(seen)
    rows = sorted(c.items(), key=lambda x: (-x[1], " ".join(x[0])))   # code point order = byte order
    text = "\n".join(["ngram\tfreq\trange"] + [f"{' '.join(g)}\t{f}\t{rng[g]}" for g, f in rows])
    return len(rows)


def keyness_tsv():
    """keyness with every column of dossier's TSV, sorted as dossier sorts, as TSV text."""
    a, b = collections.Counter(), collections.Counter()
    for d in TARGET:
        a.update(d["tokens"]["word"])
    for d in REFERENCE:
        b.update(d["tokens"]["word"])
    n1, n2 = sum(a.values()), sum(b.values())
    n = n1 + n2
    lnn = math.log(n)
    rows = []

    def xl(o, e):
        return o * math.log(o / e) if o else 0.0
    for w in set(a) | set(b):
        o1, o2 = a[w], b[w]
        e1, e2 = n1 * (o1 + o2) / n, n2 * (o1 + o2) / n
        ll = 2 * (xl(o1, e1) + xl(o2, e2))
        g2 = ll + 2 * (xl(n1 - o1, n1 - e1) + xl(n2 - o2, n2 - e2))
        r2 = n - o1 - o2
        chi2 = n * (o1 * (n2 - o2) - o2 * (n1 - o1)) ** 2 / ((o1 + o2) * r2 * n1 * n2) if r2 else 0.0
        lr = math.log2(((o1 or 0.5) / n1) / ((o2 or 0.5) / n2))
        pct = 100 * (o1 / n1 - o2 / n2) / (o2 / n2) if o2 else math.inf
        plus = o1 / n1 >= o2 / n2
        rows.append((not plus, -ll, w, o1, o2, g2, chi2, lr, pct))
    rows.sort()
    lines = ["item\tf_target\tf_reference\tn_target\tn_reference\tll\tg2\tchi2\tlog_ratio\tpct_diff\tbic\tdirection"]
    for minus, nll, w, o1, o2, g2, chi2, lr, pct in rows:
        lines.append(f"{w}\t{o1}\t{o2}\t{n1}\t{n2}\t{-nll:.6f}\t{g2:.6f}\t{chi2:.6f}\t{lr:.6f}\t"
                     f"{'Inf' if pct == math.inf else format(pct, '.6f')}\t{-nll - lnn:.6f}\t{'-' if minus else '+'}")
    text = "\n".join(lines)
    return len(rows)


timed("freq by lemma", freq_lemma)
timed("3-grams of word", trigrams)
timed("3-grams of word, top 20", lambda: trigrams_top(20))
timed('collocates [lemma="say"] 5,5', lambda: collocates("lemma", "say"))
timed('collocates "the" 5,5', lambda: collocates("word", "the"))
timed("keyness half vs half (word)", keyness)
timed("keyness, rows sorted by ll", keyness_sorted)
timed("freq by lemma, TSV", freq_lemma_tsv)
timed("3-grams of word, TSV", trigrams_tsv)
timed("keyness half vs half, TSV", keyness_tsv)
timed('dispersion "the" over documents', dispersion)
