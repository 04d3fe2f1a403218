#!/usr/bin/env python3
"""test_cli_signals.py ZSFRAG - compare's replays die with compare.

`zsfrag compare` forks one replay per run. Signalling only the parent
(SIGTERM, SIGINT, SIGKILL from another shell) must end the replays too,
before they write anything: no results file and no temporary file in the
output directory, ever.

Synchronisation without sleeps: the replays are seen in
/proc/PID/task/PID/children before the parent is signalled, and their end
is seen as the end of file on the stdout/stderr pipes that the parent and
every replay hold (a pipe reads EOF only when its last writer has exited).
The trace is long enough (500 k events, seconds of replay) that no replay can finish in
the moments between the two.
"""
import os
import signal
import subprocess
import time

from clitest import Checker


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def gone(pid):
    """Exited: no such process, or a zombie (it can write nothing more)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def one(c, trace, sig):
    name = signal.Signals(sig).name
    out = c.path("out-" + name)
    p = subprocess.Popen([c.zsfrag, "compare", trace, "--policies", "none,manual", "--jobs", "2",
                          "--out", out, "--no-timing"], cwd=c.tmp, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    kids = []
    while len(kids) < 2 and p.poll() is None and time.monotonic() < deadline:
        kids = children(p.pid)
        time.sleep(0.005)  # poll the condition above, gently
    if not c.check(len(kids) == 2 and p.poll() is None,
                   "%s: two replays running (saw %r, rc %r)" % (name, kids, p.poll())):
        p.kill()
        p.communicate()
        return
    os.kill(p.pid, sig)
    try:
        so, se = p.communicate(timeout=120)  # EOF: the parent and both replays have exited
    except subprocess.TimeoutExpired:
        c.check(False, "%s: the replays outlived the parent by 120 s" % name)
        for k in kids:
            os.kill(k, signal.SIGKILL)
        p.communicate()
        return
    c.eq(p.returncode, -sig, "%s: compare's exit status" % name)
    # EOF comes when the last descriptor closes, a moment before the process is a zombie
    deadline = time.monotonic() + 30
    while not all(gone(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.005)
    for k in kids:
        c.check(gone(k), "%s: replay %d still running 30 s after its pipes closed" % (name, k))
    left = sorted(os.listdir(out)) if os.path.isdir(out) else []  # hidden temporaries too
    c.eq(left, [], "%s: files left in the output directory" % name)


def main():
    c = Checker()
    trace = c.path("slow.trace")
    rc, so, se = c.run("gen", "churn", "--param", "events=500000", "--param", "duration=1e6",
                       "--param", "rate=100000", "--param", "fill_rate=100000", "-q", "-o",
                       trace, timeout=120)
    c.eq(rc, 0, "gen the slow trace (stderr %r)" % se)
    if rc == 0:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
            one(c, trace, sig)
    c.finish()


if __name__ == "__main__":
    main()
