#!/usr/bin/env python3
"""The best wall time of N runs of a command, started directly (fork and exec, no shell
in between: a shell's own start would add the same ~1-2 ms to every command compared).

    python3 bench/best_wall.py N [--stdin FILE] -- COMMAND [ARG...]

Prints the best time in milliseconds; the command's output is discarded. Exits non-zero
if a run fails."""
import subprocess
import sys
import time


def main(argv):
    if "--" not in argv or len(argv) < 3:
        sys.exit(__doc__)
    n = int(argv[0])
    opts, cmd = argv[1:argv.index("--")], argv[argv.index("--") + 1:]
    stdin_path = opts[opts.index("--stdin") + 1] if "--stdin" in opts else None
    best = float("inf")
    for _ in range(n):
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        t0 = time.perf_counter()
        rc = subprocess.call(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = time.perf_counter() - t0
        if stdin_path:
            stdin.close()
        if rc != 0:
            sys.exit("best_wall.py: %s exited with %d" % (cmd[0], rc))
        best = min(best, t)
    print("%.2f" % (best * 1000))


if __name__ == "__main__":
    main(sys.argv[1:])
