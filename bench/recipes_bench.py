"""The recipes' counts done the plain way, in Python over `dossier export --format jsonl`
(see recipes_bench.sh): best of $REPEAT, in ms, reading the export excluded."""
import collections, json, math, os, sys, time

docs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
REPEAT = int(os.environ.get("REPEAT", "3"))


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
        for i, x in enumerate(key):
            if x == value:
                c.update(w[max(0, i - 5):i])
                c.update(w[i + 1:min(n, i + 6)])
    return len(c)


def keyness():
    h = len(docs) // 2
    a, b = collections.Counter(), collections.Counter()
    for d in docs[:h]:
        a.update(d["tokens"]["word"])
    for d in docs[h:]:
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
    h = len(docs) // 2
    a, b = collections.Counter(), collections.Counter()
    for d in docs[:h]:
        a.update(d["tokens"]["word"])
    for d in docs[h:]:
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


timed("freq by lemma", freq_lemma)
timed("3-grams of word", trigrams)
timed("3-grams of word, top 20", lambda: trigrams_top(20))
timed('collocates [lemma="say"] 5,5', lambda: collocates("lemma", "say"))
timed('collocates "the" 5,5', lambda: collocates("word", "the"))
timed("keyness half vs half (word)", keyness)
timed("keyness, rows sorted by ll", keyness_sorted)
timed('dispersion "the" over documents', dispersion)
