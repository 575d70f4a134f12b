#!/usr/bin/env python3
"""SQLite FTS5 reference index for bench/store_bench.sh.

    fts5_index.py index DIR DB     index DIR's .txt files (recursively, in name order)
    fts5_index.py count DB         print documents and tokens of an index made above

`index` makes a new FTS5 table with the `unicode61` tokenizer (its defaults) in DB, one
row per document (name unindexed, text indexed and stored, as dossier stores its text),
all in one transaction, as `dossier index` does with one `add`. It prints nothing, so that
`/usr/bin/time` around it measures the reading and indexing alone. `count` prints
"documents N" and "tokens N" (FTS5's own tokens, summed from an fts5vocab table).
Only the standard library's sqlite3 module is used (it must have FTS5, as Debian's has).
"""
import os
import sqlite3
import sys


def txt_files(root):
    """The .txt files under root, in name order (as dossier walks a directory)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".txt"):
                yield os.path.join(dirpath, name)


def index(root, db_path):
    if os.path.exists(db_path):
        sys.exit("fts5_index.py: %s exists; remove it first" % db_path)
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(name UNINDEXED, text, "
               "tokenize='unicode61')")
    db.execute("BEGIN")
    for path in txt_files(root):
        with open(path, encoding="utf-8") as f:
            db.execute("INSERT INTO docs(name, text) VALUES(?, ?)",
                       (os.path.relpath(path, root), f.read()))
    db.execute("COMMIT")
    db.close()


def count(db_path):
    db = sqlite3.connect(db_path)
    db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, docs, row)")
    (ndocs,) = db.execute("SELECT count(*) FROM docs").fetchone()
    (ntok,) = db.execute("SELECT COALESCE(SUM(cnt), 0) FROM temp.vocab").fetchone()
    print("documents\t%d\ntokens\t%d" % (ndocs, ntok))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "index":
        index(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "count":
        count(sys.argv[2])
    else:
        sys.exit(__doc__.split("\n\n")[1])
