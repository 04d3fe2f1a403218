#!/usr/bin/env python3
"""test_cli_signals.py ZSFRAG - compare's replays die with compare; a signalled gen or
trace convert leaves no hidden temporary file.

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


def writer_killed(c, name, args, sig=signal.SIGTERM):
    """A command writing a trace to a temporary file (OUT in args), signalled once it exists,
    removes it: the directory it writes to is left empty."""
    out = c.path("w-" + name)
    os.makedirs(out)
    dest = os.path.join(out, "big.trace")
    p = subprocess.Popen([c.zsfrag] + [dest if a == "OUT" else a for a in args], cwd=c.tmp,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not os.listdir(out) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # poll the condition above, gently
    tmp = os.listdir(out)
    if not c.check(p.poll() is None and len(tmp) == 1 and tmp[0].startswith(".big.trace.tmp-"),
                   "%s: writing its temporary file (saw %r, rc %r)" % (name, tmp, p.poll())):
        p.kill()
        p.communicate()
        return
    os.kill(p.pid, sig)
    p.communicate(timeout=120)
    c.eq(p.returncode, -sig, "%s: exit status" % name)
    c.eq(sorted(os.listdir(out)), [], "%s: files left behind" % name)


def gnuplot_orphan(c):
    """gnuplot, started by `zsfrag plot`, dies when zsfrag is SIGKILLed (a stand-in gnuplot
    that records its pid and waits)."""
    fake = c.path("fakebin")
    os.makedirs(fake)
    pidfile = c.path("gnuplot.pid")
    with open(os.path.join(fake, "gnuplot"), "w") as f:
        f.write("#!/bin/sh\necho $$ > %s.tmp && mv %s.tmp %s\nexec sleep 1000\n"
                % (pidfile, pidfile, pidfile))
    os.chmod(os.path.join(fake, "gnuplot"), 0o755)
    trace = c.path("small.trace")
    with open(trace, "w") as f:
        f.write("zsfrag-trace 1\n" + "".join("a %d 300\n" % i for i in range(100)) + "s x\n")
    rc, so, se = c.run("replay", trace, "--json", c.path("small.json"), "--no-timing", "-q")
    c.eq(rc, 0, "replay the small trace (stderr %r)" % se)
    env = dict(os.environ, PATH=fake + ":" + os.environ["PATH"])
    p = subprocess.Popen([c.zsfrag, "plot", "timeseries", c.path("small.json"), "-o",
                          c.path("fig")], cwd=c.tmp, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not os.path.exists(pidfile) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # poll the condition above, gently
    if not c.check(os.path.exists(pidfile), "the stand-in gnuplot started (rc %r)" % p.poll()):
        p.kill()
        p.communicate()
        return
    gp = int(open(pidfile).read())
    p.kill()
    p.communicate()
    deadline = time.monotonic() + 30
    while not gone(gp) and time.monotonic() < deadline:
        time.sleep(0.005)
    dead = gone(gp)
    if not dead:
        os.kill(gp, signal.SIGKILL)
    c.check(dead, "gnuplot outlived a SIGKILLed zsfrag plot by 30 s")


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
        # convert: a text trace of 500 k events written from the binary one takes seconds
        bin_trace = c.path("slow.ztb")
        rc, so, se = c.run("trace", "convert", trace, bin_trace, timeout=120)
        c.eq(rc, 0, "convert to binary (stderr %r)" % se)
        writer_killed(c, "convert", ["trace", "convert", bin_trace, "OUT"])
    writer_killed(c, "gen", ["gen", "churn", "--param", "events=50000000", "--param",
                             "duration=1e6", "-q", "-o", "OUT"])
    writer_killed(c, "gen-int", ["gen", "churn", "--param", "events=50000000", "--param",
                                 "duration=1e6", "-q", "-o", "OUT"], signal.SIGINT)
    gnuplot_orphan(c)
    c.finish()


if __name__ == "__main__":
    main()
