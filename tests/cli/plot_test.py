#!/usr/bin/env python3
"""zsfrag plot and compare --figures: every figure is produced, non-empty and a valid PNG / SVG;
plot regress passes identical inputs, flags a planted regression (exit 1) and not an
improvement, honours the threshold and the chosen metric, and pairs runs across profiles.

usage: plot_test.py ZSFRAG
"""
import glob
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_common import *  # noqa: E402,F403

zsfrag = sys.argv[1]
if not shutil.which("gnuplot"):
    skip("gnuplot is not installed (Debian: gnuplot-nox)")
workdir()
gen_trace(zsfrag, "demo.trace")
small_phone("phone.json")


def figure_ok(base):
    for ext, fn in (("png", valid_png), ("svg", valid_svg)):
        path = "%s.%s" % (base, ext)
        if not check(os.path.exists(path) and os.path.getsize(path) > 0, "missing or empty: " + path):
            continue
        ok, why = fn(path)
        check(ok, "invalid figure %s: %s" % (path, why))


# compare --figures: the comparison and, per run, the time series and the class view
run([zsfrag, "compare", "demo.trace", "--profiles", "v4.1,v6.12", "--policies", "manual",
     "--config", "phone.json", "--no-timing", "-o", "out", "--figures", "-q"])
figure_ok("out/compare")
for v in ("v4.1-manual", "v6.12-manual"):
    figure_ok("out/demo-%s-timeseries" % v)
    figure_ok("out/demo-%s-classes" % v)
    check(os.path.getsize("out/demo-%s-timeseries.tsv" % v) > 0, "time series data kept")
with open("out/compare.tsv") as f:
    rows = [l.split("\t") for l in f.read().splitlines()]
check_eq([r[0] for r in rows], ["v4.1 manual", "v6.12 manual"], "compare.tsv: one row per run")
check_eq(rows[0][10], "", "no CPU time with --no-timing: an empty cell, not 0")

# a trace without forks, compactions or labels still draws every figure
with open("plain.trace", "w") as f:
    f.write("zsfrag-trace 1\n! page_size 4096\n" + "".join("a %d 300\n" % i for i in range(1, 200)))
run([zsfrag, "compare", "plain.trace", "--policies", "none", "--no-timing", "-o", "plain",
     "--figures", "-q"])
for b in ("plain/compare", "plain/plain-none-timeseries", "plain/plain-none-classes"):
    figure_ok(b)
with open("plain/plain-none-timeseries.svg") as f:
    check("trace events replayed" in f.read(), "a trace without times: events on the x axis")

# plot on its own, with titles naming trace, profile and policy
p = run([zsfrag, "plot", "timeseries", "out/demo-v4.1-manual.json", "-o", "ts"])
check_eq(p.stdout.split(), ["ts.png", "ts.svg"], "plot prints what it wrote")
figure_ok("ts")
with open("ts.svg") as f:
    svg = f.read()
check("trace demo.trace, profile v4.1 (arm32), policies manual" in svg, "time series title")
# the demo trace has simulated times: seconds on the x axis
check("simulated time (s)" in svg and "pages (4 KiB each)" in svg, "axis labels with units")
run([zsfrag, "plot", "classes", "out/demo-v4.1-manual.json", "--snapshot", "drained", "-o", "cl"])
figure_ok("cl")
with open("cl.svg") as f:
    check("snapshot 'drained'" in f.read(), "the class view names its snapshot")
p = run([zsfrag, "plot", "classes", "out/demo-v4.1-manual.json", "--snapshot", "nosuch"], ok=(65,))
check("no snapshot labelled 'nosuch'" in p.stderr, p.stderr)
run([zsfrag, "plot", "compare", "out", "-o", "cmp"])
figure_ok("cmp")

# without gnuplot: a clear message and EX_UNAVAILABLE, the table still printed
env = dict(os.environ, PATH="/nonexistent")
p = run([zsfrag, "compare", "demo.trace", "--policies", "none", "--config", "phone.json",
         "--no-timing", "-o", "nognuplot", "--figures", "-q"], ok=(69,), env=env)
check("gnuplot not found" in p.stderr and "pool pages at end" in p.stdout, p.stderr)

# --- plot regress ---
shutil.copytree("out", "same")
p = run([zsfrag, "plot", "regress", "out", "same", "-o", "reg-same"])
check("2 pairs of runs, paired by file name" in p.stdout, p.stdout)
check("WORSE" not in p.stdout and "better" not in p.stdout, "identical inputs: all same", p.stdout)
figure_ok("reg-same")


def planted(name, scale_pool=1.0, more_failures=0):
    shutil.copytree("out", name)
    for f in glob.glob(name + "/*.json"):
        with open(f) as fh:
            d = json.load(fh)
        fin = d["snapshots"][-1]
        fin["pool_pages"] = int(round(fin["pool_pages"] * scale_pool))
        fin["forks"]["failed"] += more_failures
        with open(f, "w") as fh:
            json.dump(d, fh)


planted("worse", scale_pool=1.2)
p = run([zsfrag, "plot", "regress", "out", "worse", "-o", "reg-worse"], ok=(1,))
check("REGRESSION: pool_end +20.0%" in p.stdout, "planted +20% pool is flagged", p.stdout)
figure_ok("reg-worse")
with open("reg-worse.tsv") as f:
    row = [l.split("\t") for l in f.read().splitlines() if l.split("\t")[1] == "pool_end"][0]
check_eq(row[5], "1", "the figure marks pool_end as worse")
check(abs(float(row[2]) - 1.2) < 0.01, "the ratio is 1.2", row)
run([zsfrag, "plot", "regress", "out", "worse", "--threshold", "0.5", "--no-figure"], ok=(0,))
run([zsfrag, "plot", "regress", "out", "worse", "--metric", "forks_failed", "--no-figure"], ok=(0,))
# one of the two pairs worse by 20%: ratio sqrt(1.2) (geometric mean), spread 1.0 .. 1.2
shutil.copytree("out", "half")
f = "half/demo-v6.12-manual.json"
with open(f) as fh:
    d = json.load(fh)
d["snapshots"][-1]["pool_pages"] = int(round(d["snapshots"][-1]["pool_pages"] * 1.2))
with open(f, "w") as fh:
    json.dump(d, fh)
p = run([zsfrag, "plot", "regress", "out", "half", "-o", "reg-half"], ok=(1,))
with open("reg-half.tsv") as fh:
    row = [l.split("\t") for l in fh.read().splitlines() if l.split("\t")[1] == "pool_end"][0]
check(abs(float(row[2]) - 1.2 ** 0.5) < 0.002, "geometric mean of 1 and 1.2", row)
check(abs(float(row[3]) - 1.0) < 1e-9 and abs(float(row[4]) - 1.2) < 0.002, "spread 1 .. 1.2", row)
figure_ok("reg-half")

planted("better", scale_pool=0.8)
p = run([zsfrag, "plot", "regress", "out", "better", "--no-figure"], ok=(0,))
check("better" in p.stdout and "REGRESSION" not in p.stdout, "an improvement passes", p.stdout)
# compare --baseline: the same check right after the runs (the baseline 20% smaller: +25% now)
p = run([zsfrag, "compare", "demo.trace", "--profiles", "v4.1,v6.12", "--policies", "manual",
         "--config", "phone.json", "--no-timing", "-o", "again", "--baseline", "better",
         "--figures", "-q"], ok=(1,))
check(re.search(r"REGRESSION: pool_end \+25\.\d%", p.stdout), "compare --baseline flags it",
      p.stdout[-500:])
figure_ok("again/regress")
run([zsfrag, "compare", "demo.trace", "--profiles", "v4.1,v6.12", "--policies", "manual",
     "--config", "phone.json", "--no-timing", "-o", "again2", "--baseline", "out", "-q"], ok=(0,))

planted("forks", more_failures=100)
p = run([zsfrag, "plot", "regress", "out", "forks", "--metric", "forks_failed", "--no-figure"],
        ok=(1,))
check("REGRESSION: forks_failed" in p.stdout, "100 more fork failures is flagged", p.stdout)

# from none to some: a base of 0 counts as the largest ratio, not a division by zero
for name, failed in (("zero", 0), ("three", 3)):
    shutil.copytree("out", name)
    for f in glob.glob(name + "/*.json"):
        with open(f) as fh:
            d = json.load(fh)
        d["snapshots"][-1]["forks"]["failed"] = failed
        with open(f, "w") as fh:
            json.dump(d, fh)
p = run([zsfrag, "plot", "regress", "zero", "three", "--metric", "forks_failed", "-o", "reg-zero"],
        ok=(1,))
check("REGRESSION: forks_failed +4900.0%" in p.stdout, "0 -> 3 failures: clamped ratio 50", p.stdout)
figure_ok("reg-zero")
run([zsfrag, "plot", "regress", "zero", "zero", "--metric", "forks_failed", "--no-figure"], ok=(0,))

# two profiles of one compare run: paired by trace, arch, policies and seed
os.makedirs("b41")
os.makedirs("b612")
shutil.copy("out/demo-v4.1-manual.json", "b41/")
shutil.copy("out/demo-v6.12-manual.json", "b612/")
p = run([zsfrag, "plot", "regress", "b41", "b612", "--no-figure"], ok=(0, 1))
check("1 pairs of runs, paired by trace, arch, policies and seed" in p.stdout, p.stdout)
run([zsfrag, "plot", "regress", "out", "nosuchdir"], ok=(66,))
done()
