#!/usr/bin/env python3
"""Whole processes timed side by side: each command started directly (fork and exec, no
shell between), the commands taken in turn in every round, so a busy moment of the
machine falls on all of them alike. For each: best, mean and median wall time in ms, and
the mean CPU time (user + system, from wait4: what perf stat calls task-clock).

    python3 bench/whole_process.py ROUNDS [--stdin FILE] -- CMD1 ARGS... -- CMD2 ARGS... [...]

--stdin FILE gives FILE as the standard input of a command whose first word ends in "cqp"
(cqp -c reads its script there). The output of the commands is discarded; a command
that fails stops the run. The first round is a warm-up and is not counted."""
import os
import statistics
import subprocess
import sys
import time


def split_commands(argv):
    cmds, cur = [], None
    for a in argv:
        if a == "--":
            cur = []
            cmds.append(cur)
        elif cur is not None:
            cur.append(a)
    return [c for c in cmds if c]


def run_once(cmd, stdin_path):
    stdin = open(stdin_path, "rb") if stdin_path and cmd[0].endswith("cqp") else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    p.returncode = 0        # (reaped here: Popen must not wait for it again)
    if stdin is not subprocess.DEVNULL:
        stdin.close()
    if status != 0:
        sys.exit("whole_process.py: %s exited with status %d" % (" ".join(cmd), status))
    return t * 1000, (ru.ru_utime + ru.ru_stime) * 1000


def main(argv):
    if "--" not in argv or len(argv) < 3:
        sys.exit(__doc__)
    rounds = int(argv[0])
    opts = argv[1:argv.index("--")]
    stdin_path = opts[opts.index("--stdin") + 1] if "--stdin" in opts else None
    cmds = split_commands(argv[argv.index("--"):])
    times, cpus = [[] for _ in cmds], [[] for _ in cmds]
    for r in range(rounds + 1):
        for i, cmd in enumerate(cmds):
            t, cpu = run_once(cmd, stdin_path)
            if r > 0:
                times[i].append(t)
                cpus[i].append(cpu)
    for cmd, ts, cs in zip(cmds, times, cpus):
        print("%7.2f best %7.2f mean %7.2f median %7.2f cpu  %s" % (min(ts), statistics.mean(ts),
              statistics.median(ts), statistics.mean(cs), " ".join(cmd)))
    if len(cmds) >= 2:
        a, b = times[0], times[1]
        print("first / second: best %.2fx, mean %.2fx, median %.2fx" % (
            min(a) / min(b), statistics.mean(a) / statistics.mean(b),
            statistics.median(a) / statistics.median(b)))


if __name__ == "__main__":
    main(sys.argv[1:])
