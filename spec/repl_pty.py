# Drive `bin/dossier repl` in a pseudo-terminal as a person types (spec/11-repl_spec.lua):
# a line cancelled with Ctrl-C, a long loop stopped with Ctrl-C, Tab completion, history.
# Prints what the terminal showed after each step, one step per line, as JSON.
import json, os, pty, select, sys, time

#
# With a corpus, `repl_pty.py HOME DB LINE CPU` instead types LINE (a long call into
# the C core), presses Ctrl-C once the REPL has used CPU seconds of processor time, and
# reports what the terminal showed and the processor seconds used after the Ctrl-C
# until the prompt came back (spec/24-interrupts_spec.lua).
home = sys.argv[1]
db = sys.argv[2] if len(sys.argv) > 2 else None
pid, fd = pty.fork()
if pid == 0:
    os.environ["HOME"] = home
    os.execv("bin/dossier", ["bin/dossier", "repl"] + (["--db", db] if db else []))

def cpu():
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def read(t):
    out, end = b"", time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out.decode(errors="replace")

steps = {}
steps["start"] = read(2.0)
if db:
    os.write(fd, sys.argv[3].encode() + b"\n")
    t0 = time.time()
    while cpu() < float(sys.argv[4]) and time.time() - t0 < 60:
        time.sleep(0.02)
    at, t1 = cpu(), time.time()
    os.write(fd, b"\x03")
    out = ""
    while "dossier> " not in out and time.time() - t0 < 60:
        out += read(0.05)
    steps["interrupt"] = out
    steps["cpu_after"] = cpu() - at
    steps["seconds_after"] = time.time() - t1       # a figure for people, never asserted
    os.write(fd, b"n\n")
    steps["after"] = read(0.7)
    os.write(fd, b"\x04")
    steps["end"] = read(1.0)
    os.waitpid(pid, 0)
    print(json.dumps(steps))
    sys.exit(0)
os.write(fd, b"x = 4"); time.sleep(0.3); os.write(fd, b"\x03")
steps["cancel"] = read(0.7)
os.write(fd, b"x\n")
steps["x"] = read(0.7)
os.write(fd, b"while true do end\n"); time.sleep(0.7)
t0, at = time.time(), cpu(); os.write(fd, b"\x03")
out = ""
while "dossier> " not in out and time.time() - t0 < 5:
    out += read(0.05)
steps["interrupt"] = out
steps["interrupt_seconds"] = time.time() - t0      # a figure for people, never asserted
steps["cpu_after"] = cpu() - at                    # the loop's work after Ctrl-C
os.write(fd, b"1 + 1\n")
steps["after"] = read(0.7)
os.write(fd, b"dossier.vers\t")
steps["tab"] = read(0.7)
os.write(fd, b"\n\x04")
steps["end"] = read(1.0)
os.waitpid(pid, 0)
print(json.dumps(steps))
