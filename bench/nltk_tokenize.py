#!/usr/bin/python3
"""Reference tokenizer speed: NLTK's TreebankWordTokenizer over a text file.

usage: /usr/bin/python3 bench/nltk_tokenize.py FILE [--runs 3] [--max-bytes N]

Measured as in ../shared/research/baselines/nltk_tokenizer_speed.py (the 3.7 MB/s
baseline): the tokenizer is applied line by line (as word_tokenize applies it per
sentence), MB = 10^6 bytes of UTF-8 input counting each line's newline, tokens = tokens
produced, best and median of --runs timed passes (time.perf_counter), one process.
Reading and decoding the file is not timed. Needs Debian's python3-nltk (no downloaded
NLTK data: Treebank is regular expressions only).

--max-bytes N takes only the whole lines of the file's first N bytes or more (the first
line that reaches N is the last one kept), so a slow tokenizer can be timed on a fixed
prefix; the rates are per byte and per token, so they compare with a run over the whole
file. 0 (the default) means the whole file.

Prints "#" comment lines, then the same tab-separated table as bench_tokenize:
  tool bytes tokens sentences runs best_s median_s MBps_best MBps_median tokps_best tokps_median
"""
import argparse
import platform
import statistics
import sys
import time

import nltk
from nltk.tokenize import TreebankWordTokenizer


def read_lines(path, max_bytes):
    """Lines of the file without their newline, and their UTF-8 size with newlines."""
    lines, nbytes = [], 0
    with open(path, encoding='utf-8', newline='') as f:   # newline='': no \r translation
        for line in f:
            nbytes += len(line.encode('utf-8'))
            lines.append(line[:-1] if line.endswith('\n') else line)
            if max_bytes and nbytes >= max_bytes:
                break
    return lines, nbytes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('file')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--max-bytes', type=int, default=0)
    a = ap.parse_args()
    if a.runs < 1:
        ap.error('--runs must be at least 1')

    lines, nbytes = read_lines(a.file, a.max_bytes)
    tokenize = TreebankWordTokenizer().tokenize
    times, ntok = [], 0
    for _ in range(a.runs):
        t0 = time.perf_counter()
        ntok = 0
        for line in lines:
            ntok += len(tokenize(line))
        times.append(time.perf_counter() - t0)

    best, med = min(times), statistics.median(times)
    scope = 'whole file' if not a.max_bytes else f'prefix of >= {a.max_bytes} bytes'
    print(f'# nltk_tokenize (NLTK {nltk.__version__}, Python {platform.python_version()}): '
          f'{a.file}, {nbytes} bytes ({scope}), {len(lines)} lines, '
          f'best and median of {a.runs} runs')
    print('tool\tbytes\ttokens\tsentences\truns\tbest_s\tmedian_s\tMBps_best\tMBps_median'
          '\ttokps_best\ttokps_median')
    print(f'NLTK TreebankWordTokenizer (per line)\t{nbytes}\t{ntok}\t0\t{a.runs}\t'
          f'{best:.4f}\t{med:.4f}\t{nbytes / 1e6 / best:.2f}\t{nbytes / 1e6 / med:.2f}\t'
          f'{ntok / best:.0f}\t{ntok / med:.0f}')


if __name__ == '__main__':
    sys.exit(main())
