#!/usr/bin/env python3
"""gen_test.py ZSFRAG - `zsfrag gen` end to end: parameter errors are one line and exit 64,
the same seed gives a byte-identical file, a generated mix replays through `zsfrag replay`
(text through a pipe too) without trace errors, and the filldrain story holds under v4.1:
the used ratio falls well below 1 after the drain and is back near 1 after the compaction."""
import json
import os
import subprocess
import sys
import tempfile

zs = os.path.abspath(sys.argv[1])
tmp = tempfile.mkdtemp(prefix="zsfrag-gen-")
fails = 0


def run(*args, **kw):
    return subprocess.run([zs] + [str(a) for a in args], cwd=tmp, capture_output=True,
                          text=True, timeout=240, **kw)


def check(cond, what):
    global fails
    if not cond:
        fails += 1
        print("FAIL: %s" % what)


# errors: one line on stderr (plus the --help hint), exit 64, no output file
for args, want in [
        (["churn", "--param", "bogus=1"], "unknown parameter 'bogus'"),
        (["churn", "--param", "rate=fast"], "not a number"),
        (["churn", "--param", "churn.target=999999999"], "exceeds the disk"),
        (["churn,forkstorm", "--param", "rate=3"], "ambiguous parameter 'rate'"),
        (["nosuch"], "unknown model 'nosuch'"),
        ([], "no model given"),
        (["churn", "--seed", "-1"], "bad seed")]:
    p = run("gen", *args, "-o", "bad.trace")
    check(p.returncode == 64, "%s: exit %d, want 64" % (args, p.returncode))
    check(want in p.stderr.splitlines()[0] if p.stderr else False,
          "%s: first stderr line %r lacks %r" % (args, p.stderr[:200], want))
    check(not os.path.exists(os.path.join(tmp, "bad.trace")), "%s: wrote a file" % args)

# a small machine (64 MiB, 32 MiB of zram), so that debug builds' invariant walks stay quick
small = os.path.join(tmp, "small.json")
with open(small, "w") as f:
    json.dump({"ram_mb": 64, "lowmem_mb": 48, "zram_disksize_mb": 32}, f)

# determinism
mix = ["appswitch,forkstorm,pressure", "--param", "duration=40", "--param", "compact=20",
       "--param", "apps=6", "--param", "ws_mb=3", "--param", "ram_mb=8", "--param", "cached=4",
       "--param", "switch=1", "--param", "cache=1500", "--param", "slab=1500",
       "--param", "pressure.rate=100", "--param", "ramp=2", "--param", "disksize_mb=32"]
for name, seed in [("a", 4), ("b", 4), ("c", 5)]:
    p = run("gen", *mix, "--seed", seed, "-o", name + ".trace", "-q")
    check(p.returncode == 0, "gen %s: %s" % (name, p.stderr))
a, b, c = (open(os.path.join(tmp, n + ".trace"), "rb").read() for n in "abc")
check(len(a) > 20000, "trace too small (%d bytes)" % len(a))
check(a == b, "same seed, different traces")
check(a != c, "different seeds, same trace")
check(b"! source zsfrag gen appswitch,forkstorm,pressure --seed 4" in a, "source metadata")
check(b"@20000000000 c\n@20000000000 s c_20000ms\n" in a, "compaction with its after-snapshot")

# replays cleanly, from a file and from a pipe
p = run("replay", "a.trace", "--config", small, "--no-timing", "-q", "--json", "a.json")
check(p.returncode == 0, "replay a.trace: %s" % p.stderr)
g = subprocess.Popen([zs, "gen", "churn", "--param", "duration=2", "--param", "target=2000",
                      "--param", "rate=500", "--param", "disksize_mb=32", "-q"], cwd=tmp,
                     stdout=subprocess.PIPE)
p = subprocess.run([zs, "replay", "-", "--config", small, "--no-timing"], cwd=tmp, stdin=g.stdout,
                   capture_output=True, text=True, timeout=240)
g.wait()
check(g.returncode == 0 and p.returncode == 0, "gen | replay -: %s" % p.stderr)
check("forks:" in p.stdout, "replay summary from a pipe")

# the seed's first observation: filldrain under v4.1
p = run("gen", "filldrain", "--param", "pages=8000", "--param", "disksize_mb=32", "-o",
        "fd.trace", "-q")
check(p.returncode == 0, "gen filldrain: %s" % p.stderr)
p = run("replay", "fd.trace", "--config", small, "--profile", "v4.1", "--no-timing", "-q",
        "--json", "fd.json")
check(p.returncode == 0, "replay fd.trace: %s" % p.stderr)
if p.returncode == 0:
    snaps = {s["label"]: s for s in json.load(open(os.path.join(tmp, "fd.json")))["snapshots"]}
    f, d, c = (snaps[k]["used_ratio"] for k in ("filled", "drained", "compacted"))
    check(f > 0.9, "used ratio after the fill %.3f, want > 0.9" % f)
    check(d < 0.75, "used ratio after a random half is freed %.3f, want < 0.75" % d)
    check(c > 0.9, "used ratio after the compaction %.3f, want > 0.9" % c)

subprocess.run(["rm", "-rf", tmp])
print("%s" % ("ok" if not fails else "%d failed" % fails))
sys.exit(1 if fails else 0)
