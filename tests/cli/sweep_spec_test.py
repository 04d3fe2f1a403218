#!/usr/bin/env python3
"""zsfrag sweep against careless or hostile specs and result directories (issue 12):

- 256^4 points are refused (no count that wraps to 0);
- control characters in spec names are refused; every argument of `expand` is quoted for the
  shell (a spec path with quotes and $(...) runs nothing); --null ends records with NUL;
- merge: stray point files (beyond the count, non-canonical names, 2^32 wrapping to 0) are
  one message, not merged; missing points are named up to 10, then counted;
- each point records the spec's hash and its parameters: merge refuses points of an edited
  spec or of another index, and run --skip-existing runs a stale point again.

usage: sweep_spec_test.py ZSFRAG
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Checker  # noqa: E402

c = Checker()


def spec(name, **kw):
    with open(c.path(name), "w") as f:
        json.dump(kw, f)
    return name


rc, _, err = c.run("gen", "churn", "--param", "events=2000", "-s", "1", "-o", "t.trace", "-q")
c.eq(rc, 0, "gen: " + err)

# ---- the count ----
axis = ["x%d" % i for i in range(256)]
spec("huge.json", traces=axis, profiles=axis, policies=axis, seeds=list(range(256)))
rc, out, err = c.run("sweep", "expand", "huge.json", "--count")
c.eq((rc, out), (65, ""), "256^4 points: refused")
c.check("4294967296 points" in err, "256^4 points: message %r" % err)
spec("big.json", traces=["t.trace"], profiles=["v4.1", "v6.12"], seeds=list(range(150)))
rc, out, _ = c.run("sweep", "expand", "big.json", "--count")
c.eq((rc, out), (0, "300\n"), "300 points")

# ---- names in command lines ----
for key, val in (("traces", ["a\nb.trace"]), ("policies", ["manual\rx"]),
                 ("profiles", ["v4.1\x1b"]), ("out", "r\nx"), ("config", "c\tj.json")):
    kw = {"traces": ["t.trace"], key: val}
    spec("ctl.json", **kw)
    rc, out, err = c.run("sweep", "expand", "ctl.json")
    c.eq((rc, out), (65, ""), "control character in %s: refused" % key)
    c.check("control character" in err and "\n" not in err.rstrip("\n"),
            "control character in %s: one-line message %r" % (key, err))
os.mkdir(c.path("nl\ndir"))
spec("nl\ndir/s.json", traces=["../t.trace"])
rc, out, err = c.run("sweep", "expand", "nl\ndir/s.json")
c.eq((rc, out), (65, ""), "a newline in the spec's path: refused")
# quotes and $(...) in the spec's path: each line runs exactly its point, nothing else
odd = "it's $(touch PWNED) `touch PWNED2` dir"
os.mkdir(c.path(odd))
spec(odd + "/s.json", traces=["../t.trace"], policies=["none", "manual"], out="res")
rc, out, err = c.run("sweep", "expand", odd + "/s.json")
lines = out.splitlines()
c.eq((rc, len(lines)), (0, 2), "expand of the odd spec: " + err)
for line in lines:
    p = subprocess.run(["sh", "-c", line], cwd=c.tmp, capture_output=True, text=True,
                       timeout=120)
    c.eq(p.returncode, 0, "an expanded line runs: " + p.stderr)
c.check(not os.path.exists(c.path("PWNED")) and not os.path.exists(c.path("PWNED2")),
        "an expanded line ran a command from the spec's path")
c.eq(sorted(os.listdir(c.path(odd + "/res"))), ["point-00000.json", "point-00001.json"],
     "the odd spec's points")
rc, out, _ = c.run("sweep", "expand", odd + "/s.json", "--null")
recs = out.split("\0")
c.eq((rc, len(recs), recs[-1]), (0, 3, ""), "--null: two NUL-ended records")
c.check(recs[:2] == lines, "--null: the same records as the lines")

# ---- merge: strays, wrapping names, missing points ----
res = c.path(odd + "/res")
good = os.path.join(res, "point-00001.json")
for stray in ("point-99999999.json", "point-4294967296.json", "point-1.json",
              "point-000000.json"):
    shutil.copy(good, os.path.join(res, stray))
rc, out, err = c.run("sweep", "merge", res, "--spec", odd + "/s.json")
c.eq(rc, 65, "merge with strays: rc")
c.check("4 file(s) named like points" in err, "merge with strays: one message %r" % err)
c.check(len(err.splitlines()) == 1, "merge with strays: %d lines" % len(err.splitlines()))
c.eq([p["index"] for p in json.loads(out)["points"]], [0, 1], "strays not merged")
rc, out, err = c.run("sweep", "merge", res)
c.eq(rc, 65, "merge with strays, no spec: rc")
c.check(len(err.splitlines()) == 1, "merge with strays, no spec: %r" % err[:300])
for stray in ("point-99999999.json", "point-4294967296.json", "point-1.json",
              "point-000000.json"):
    os.unlink(os.path.join(res, stray))
rc, out, err = c.run("sweep", "merge", res, "--spec", odd + "/s.json")
c.eq((rc, err), (0, ""), "merge without strays")
# 300 points, one there but of another spec (so not merged): 10 named, then the count
os.mkdir(c.path("big-results"))
shutil.copy(good, c.path("big-results/point-00005.json"))
rc, out, err = c.run("sweep", "merge", "big-results", "--spec", "big.json")
c.eq(rc, 65, "merge of a mostly missing sweep: rc")
missing = [l for l in err.splitlines() if l.endswith("is missing")]
c.eq(missing, ["zsfrag sweep: point %d is missing" % i for i in range(10)],
     "missing points named")
c.check("300 points missing in all" in err, "missing points counted: %r" % err[-200:])
c.check("another spec" in err, "a point of another spec: %r" % err[-300:])
c.eq(len(err.splitlines()), 12, "merge of a mostly missing sweep: lines")

# ---- stale points ----
spec("s.json", traces=["t.trace"], policies=["none", "manual"], out="stale")
for i in ("0", "1"):
    rc, _, err = c.run("sweep", "run", "s.json", "--index", i)
    c.eq(rc, 0, "run point %s: %s" % (i, err))
rc, out, err = c.run("sweep", "merge", "stale", "--spec", "s.json")
c.eq((rc, json.loads(out)["points_merged"] if rc == 0 else None), (0, 2), "merge: " + err)
# the same index, another point: a copy under the wrong name
os.rename(c.path("stale/point-00001.json"), c.path("stale/keep"))
shutil.copy(c.path("stale/point-00000.json"), c.path("stale/point-00001.json"))
rc, _, err = c.run("sweep", "merge", "stale", "--spec", "s.json")
c.eq(rc, 65, "merge of a point under another index: rc")
c.check("not point 1's" in err, "merge of a point under another index: %r" % err)
os.replace(c.path("stale/keep"), c.path("stale/point-00001.json"))
# the spec edited: its points are stale
spec("s.json", traces=["t.trace"], policies=["manual", "none"], out="stale")
rc, _, err = c.run("sweep", "merge", "stale", "--spec", "s.json")
c.eq(rc, 65, "merge of an edited spec's points: rc")
c.check(err.count("another spec") == 2, "merge of an edited spec's points: %r" % err)
before = os.stat(c.path("stale/point-00000.json")).st_ino
rc, _, err = c.run("sweep", "run", "s.json", "--index", "0", "--skip-existing")
c.eq(rc, 0, "run --skip-existing of a stale point: " + err)
c.check("stale" in err, "run --skip-existing says the point is stale: %r" % err)
c.check(os.stat(c.path("stale/point-00000.json")).st_ino != before, "the stale point ran again")
before = os.stat(c.path("stale/point-00000.json")).st_ino
rc, _, err = c.run("sweep", "run", "s.json", "--index", "0", "--skip-existing")
c.eq((rc, err), (0, ""), "run --skip-existing of a fresh point")
c.eq(os.stat(c.path("stale/point-00000.json")).st_ino, before, "a fresh point is left alone")
rc, _, err = c.run("sweep", "merge", "stale")
c.eq(rc, 65, "merge without spec of points from two specs: rc")
c.check("another spec than the first" in err, "two specs without --spec: %r" % err)
rc, _, err = c.run("sweep", "run", "s.json", "--index", "1")
rc, out, err = c.run("sweep", "merge", "stale", "--spec", "s.json")
c.eq(rc, 0, "merge after re-running: " + err)
c.eq(json.loads(out)["points"][0]["policies"], "manual", "the re-run point's policies")

c.finish()
