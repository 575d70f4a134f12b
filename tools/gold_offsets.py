#!/usr/bin/env python3
"""Turn hand-written gold annotations (.ann) into span TSV files with byte offsets.

The .ann format is the one of spec/data/extract-gold/README.md:

    @doc spec/data/public/NAME.txt
    # comment
    TYPE <tab> VALUE <tab> SPEC

VALUE is `-` for an empty value.  SPEC is the text (found exactly once),
`left[[text]]right` (the whole found once; the span is `text`), or `*text`
(every occurrence not inside a span of an earlier line; quotations do not
count, so names inside them are found).  In SPEC a space
matches any run of white space, line breaks included; a match never starts or
ends inside a word.  Spans may not overlap, except quotations (`quote`), which
may hold other spans.

This script reads the document's bytes as they are: it is meant for plain
UTF-8 text files whose clean text is the file itself (no markup, no page
breaks, no hyphenation at line ends; see spec/data/public-gold/README.md).  It
stops with the file and line number when a SPEC is not found, is found more
than once, or overlaps another span.  Every row written is checked: its text
is the bytes at start..end.

    python3 tools/gold_offsets.py spec/data/public-gold/ann/*.ann -o spec/data/public-gold
"""
import argparse
import os
import re
import sys

WORD = re.compile(r"\w", re.UNICODE)


def escape(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def pattern(text):
    parts = re.split(r"\s+", text.strip(" "))
    return r"\s+".join(re.escape(p) for p in parts)


def ws_pattern(text):
    """Like pattern(), but white space at the ends counts too."""
    return "".join(r"\s+" if p.isspace() else re.escape(p) for p in re.split(r"(\s+)", text) if p)


def word_edge_ok(s, a, b):
    if a > 0 and WORD.match(s[a - 1]) and WORD.match(s[a]):
        return False
    if b < len(s) and WORD.match(s[b - 1]) and WORD.match(s[b]):
        return False
    return True


def find_all(s, text):
    out = []
    for m in re.finditer(pattern(text), s):
        if word_edge_ok(s, m.start(), m.end()):
            out.append((m.start(), m.end()))
    return out


class AnnError(Exception):
    pass


def resolve(s, spec, taken, where):
    """Return a list of (start, end) character spans for one SPEC."""
    if spec.startswith("*"):
        text = spec[1:]
        hits = [h for h in find_all(s, text)
                if not any(a <= h[0] and h[1] <= b and not q for a, b, q in taken)]
        if not hits:
            raise AnnError(f"{where}: *{text!r} has no occurrence left")
        return hits
    m = re.fullmatch(r"(.*)\[\[(.*)\]\](.*)", spec, re.S)
    if m:
        left, mid, right = m.groups()
        rx = ws_pattern(left) + "(" + pattern(mid) + ")" + ws_pattern(right)
        hits = [(h.start(1), h.end(1)) for h in re.finditer(rx, s)
                if word_edge_ok(s, h.start(), h.end()) and word_edge_ok(s, h.start(1), h.end(1))]
        if len(hits) != 1:
            raise AnnError(f"{where}: {spec!r} found {len(hits)} times")
        return hits
    hits = find_all(s, spec)
    if len(hits) != 1:
        raise AnnError(f"{where}: {spec!r} found {len(hits)} times")
    return hits


def convert(ann_path):
    doc = None
    rows = []
    taken = []  # (start, end, is_quote) in characters
    with open(ann_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    s = None
    for n, line in enumerate(lines, 1):
        where = f"{ann_path}:{n}"
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@doc "):
            doc = line[5:].strip()
            with open(doc, "rb") as g:
                raw = g.read()
            s = raw.decode("utf-8")
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise AnnError(f"{where}: expected TYPE<tab>VALUE<tab>SPEC")
        typ, value, spec = parts
        value = "" if value == "-" else value
        for a, b in resolve(s, spec, taken, where):
            q = typ == "quote"
            for ta, tb, tq in taken:
                if a < tb and ta < b and not (q or tq):
                    raise AnnError(f"{where}: {s[a:b]!r} overlaps {s[ta:tb]!r}")
                if q and tq and a < tb and ta < b:
                    raise AnnError(f"{where}: quotation overlaps a quotation")
            taken.append((a, b, q))
            rows.append((a, b, typ, value))
    bs = s.encode("utf-8")
    out = []
    for a, b, typ, value in rows:
        ba = len(s[:a].encode("utf-8"))
        bb = ba + len(s[a:b].encode("utf-8"))
        text = s[a:b]
        assert bs[ba:bb].decode("utf-8") == text
        out.append((ba, bb, text, typ, value))
    out.sort(key=lambda r: (r[0], -r[1]))
    return doc, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ann", nargs="+")
    ap.add_argument("-o", "--out", required=True, help="directory for the .tsv files")
    args = ap.parse_args()
    try:
        for path in args.ann:
            doc, rows = convert(path)
            name = os.path.splitext(os.path.basename(path))[0]
            with open(os.path.join(args.out, name + ".tsv"), "w", encoding="utf-8", newline="\n") as f:
                f.write("doc\tstart\tend\ttext\ttype\tvalue\n")
                for a, b, text, typ, value in rows:
                    f.write(f"{doc}\t{a}\t{b}\t{escape(text)}\t{typ}\t{escape(value)}\n")
            print(f"{name}: {len(rows)} spans", file=sys.stderr)
    except AnnError as e:
        sys.exit(str(e))


if __name__ == "__main__":
    main()
