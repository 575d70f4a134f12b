# Drive `bin/dossier repl` in a pseudo-terminal as a person types (spec/11-repl_spec.lua):
# a line cancelled with Ctrl-C, a long loop stopped with Ctrl-C, Tab completion, history.
# Prints what the terminal showed after each step, one step per line, as JSON.
import json, os, pty, select, sys, time

home = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.environ["HOME"] = home
    os.execv("bin/dossier", ["bin/dossier", "repl"])

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
os.write(fd, b"x = 4"); time.sleep(0.3); os.write(fd, b"\x03")
steps["cancel"] = read(0.7)
os.write(fd, b"x\n")
steps["x"] = read(0.7)
os.write(fd, b"while true do end\n"); time.sleep(0.7)
t0 = time.time(); os.write(fd, b"\x03")
out = ""
while "dossier> " not in out and time.time() - t0 < 5:
    out += read(0.05)
steps["interrupt"] = out
steps["interrupt_seconds"] = time.time() - t0
os.write(fd, b"1 + 1\n")
steps["after"] = read(0.7)
os.write(fd, b"dossier.vers\t")
steps["tab"] = read(0.7)
os.write(fd, b"\n\x04")
steps["end"] = read(1.0)
os.waitpid(pid, 0)
print(json.dumps(steps))
