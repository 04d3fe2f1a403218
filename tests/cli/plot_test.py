#!/usr/bin/env python3
"""zsfrag plot and compare --figures: every figure is produced, non-empty and a valid PNG / SVG;
plot regress passes identical inputs, flags a planted regression (exit 1) and not an
improvement, honours the threshold and the chosen metric, and pairs runs across profiles.

usage: plot_test.py ZSFRAG
"""
import glob
import json
import os
import re
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
check_eq([r[0] for r in rows[1:]], ["v4.1 manual", "v6.12 manual"], "compare.tsv: one row per run")
check_eq(rows[1][19:21], ["0", "n/a"], "no CPU time with --no-timing: n/a, not 0")
# every bar is labelled with its value, so that a zero shows; v4.1 has no kcompact migration
for r in rows[1:]:
    check(all(r[c] for c in range(3, len(r), 2)), "a label for every bar", r)
with open("out/compare-forks.tsv") as f:
    frows = [l.split("\t") for l in f.read().splitlines()]
check(any(h.startswith("needing an OOM kill") for h in frows[0]), "the fork outcomes are the columns", frows[0])
with open("out/compare.svg") as f:
    svg = f.read()
check("policies manual" in svg and "policies manual," not in svg, "the title spells policies once")

# a trace without forks, compactions or labels still draws every figure
with open("plain.trace", "w") as f:
    f.write("zsfrag-trace 1\n! page_size 4096\n" + "".join("a %d 300\n" % i for i in range(1, 200)))
run([zsfrag, "compare", "plain.trace", "--policies", "none", "--no-timing", "-o", "plain",
     "--figures", "-q"])
for b in ("plain/compare", "plain/plain-none-timeseries", "plain/plain-none-classes"):
    figure_ok(b)
with open("plain/plain-none-timeseries.svg") as f:
    check("trace events replayed" in f.read(), "a trace without times: events on the x axis")

# the time series' free memory is in pages (not blocks): the stack's top is the zone's free pages
with open("out/demo-v4.1-manual.json") as f:
    doc = json.load(f)
with open("out/demo-v4.1-manual-timeseries.tsv") as f:
    ts = [l.split("\t") for l in f.read().splitlines()]
check_eq(len(ts), len(doc["snapshots"]), "one row per snapshot")
for r, snap in zip(ts, doc["snapshots"]):
    z = pgd_zone(snap)
    if not check_eq(int(r[9]), z["free_pages"], "free pages stacked = the zone's free pages"):
        break
    bi = z["buddyinfo"]
    check_eq(int(r[7]), bi[0] + 2 * bi[1] + 4 * bi[2], "pages in blocks of order <= 2")
    # the index drawn where the zone is above its low watermark, marked apart where it is not
    ok = z["free_pages"] > z["watermarks"]["low"]
    check_eq((r[10] != "NaN", r[11] != "NaN"), (ok, not ok), "index meaningful or not %r" % r[9:14])
    check_eq(int(r[12]), z["watermarks"]["low"], "the low watermark drawn")
# fork outcomes other than fast, as the share of each interval's forks (cumulative counts differ)
with open("out/demo-v4.1-manual-timeseries-forks.tsv") as f:
    fr = [l.split("\t") for l in f.read().splitlines()]
fin = doc["snapshots"][-1]["forks"]
oom = fin["outcomes"]["oom_kill"]
check("needing an OOM kill: %d of %d forks" % (oom, fin["attempted"]) in fr[0],
      "the outcome totals in the key", fr[0])
check_eq(sum(int(r[1]) for r in fr[1:]), fin["attempted"], "every fork in an interval")
oom_col = [i for i, h in enumerate(fr[0]) if h.startswith("needing an OOM kill")][0]
check_eq(round(sum(float(r[oom_col]) * int(r[1]) / 100 for r in fr[1:])), oom,
         "rates x forks = the OOM kills")

# ticks stay few on any data range (a leftover "ytics 0, 1" once put 160,000 labels in one SVG)
def synthetic(path, pool, failed, attempts):
    zone = {"name": "Normal", "free_pages": 50, "managed_pages": 200000, "buddyinfo": [50, 0, 0],
            "unusable_index": 0.0, "watermarks": {"min": 700, "low": 875, "high": 1050}}
    snaps = []
    for i in range(40):
        snaps.append({"label": "sample" if i % 10 else "s%d" % i, "event_index": i * 1000,
                      "time_ns": 0, "pool_pages": pool * i // 39, "ideal_pages": pool * i // 40,
                      "stored_bytes": pool * 2000 * i // 39, "zones": [zone],
                      "forks": {"attempted": attempts * i // 39, "failed": failed * i // 39,
                                "succeeded_by": {"fast": (attempts - failed) * i // 39}}})
    with open(path, "w") as f:
        json.dump({"inputs": {"trace": "syn.trace", "profile": "v4.1", "arch": "arm32",
                              "policies": "none", "page_size": 4096},
                   "snapshots": snaps, "compactions": []}, f)


for pool, failed, attempts in ((160000, 0, 30000), (3, 1, 2)):
    synthetic("syn.json", pool, failed, attempts)
    run([zsfrag, "plot", "timeseries", "syn.json", "-o", "syn"])
    figure_ok("syn")
    with open("syn.svg") as f:
        svg = f.read()
    check(len(svg) < 600000, "pool %d: SVG of %d bytes" % (pool, len(svg)))
    check(svg.count("<text") < 400, "pool %d: %d text elements" % (pool, svg.count("<text")))
    # the zone sits below its watermark all along: no index is drawn as meaningful
    check("not meaningful: the zone at or below its low watermark" in svg, "the legend says so")

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
# the variants on one time axis: one block per run, named, in both data files
run([zsfrag, "plot", "overlay", "out", "-o", "ov"])
figure_ok("ov")
for tsv in ("ov.tsv", "ov-forks.tsv"):
    with open(tsv) as f:
        blocks = [b.splitlines() for b in f.read().split("\n\n\n") if b.strip()]
    check_eq([b[0].split("\t")[0] for b in blocks], ["v4.1 manual", "v6.12 manual"], tsv)
with open("out/demo-v4.1-manual.json") as f:
    check_eq(len(blocks and open("ov.tsv").read().split("\n\n\n")[0].splitlines()) - 1,
             len(json.load(f)["snapshots"]), "a row per snapshot")
figure_ok("out/overlay")  # compare --figures draws it too

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
# +20% of each run's pool, rounded to whole pages: 19.9-20.1% over the pair
check(re.search(r"REGRESSION: pool_end \+(19\.9|20\.0|20\.1)%", p.stdout),
      "planted +20% pool is flagged", p.stdout)
figure_ok("reg-worse")
with open("reg-worse.tsv") as f:
    row = [l.split("\t") for l in f.read().splitlines()
           if l.split("\t")[1] == "[gated] pool pages at end"][0]
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
    row = [l.split("\t") for l in fh.read().splitlines() if "pool pages at end" in l.split("\t")[1]][0]
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
# the baseline's pools 20% smaller, rounded to whole pages: about +25% now
check(re.search(r"REGRESSION: pool_end \+(24\.[89]|25\.[0-2])%", p.stdout), "compare --baseline flags it",
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
p = run([zsfrag, "plot", "regress", "zero", "zero", "--metric", "forks_failed", "--no-figure"],
        ok=(0,))
check(re.search(r"forks_failed .*0 in both \(2 pairs\) \(gated\)", p.stdout),
      "0/0 pairs have no ratio: said, not counted as 1", p.stdout)
# one pair 0/0, the other 0 -> 3: the ratio is the clamped 50 of the second alone
shutil.copytree("zero", "mixed")
f = "mixed/demo-v6.12-manual.json"
with open(f) as fh:
    d = json.load(fh)
d["snapshots"][-1]["forks"]["failed"] = 3
with open(f, "w") as fh:
    json.dump(d, fh)
p = run([zsfrag, "plot", "regress", "zero", "mixed", "--metric", "forks_failed", "--no-figure"],
        ok=(1,))
check("REGRESSION: forks_failed +4900.0%" in p.stdout and "1 pair 0 in both left out" in p.stdout,
      "a 0/0 pair is left out of the mean", p.stdout)
# host CPU time is shown, not judged, unless named; 'all' leaves it out
for name, ms in (("cpubase", 1), ("cpu", 3)):
    os.makedirs(name)
    for f in glob.glob("out/*.json"):
        with open(f) as fh:
            d = json.load(fh)
        d["inputs"]["timing"] = True
        for c in d["compactions"]:
            c["cpu_ns"] = ms * 1000000
        with open(os.path.join(name, os.path.basename(f)), "w") as fh:
            json.dump(d, fh)
p = run([zsfrag, "plot", "regress", "cpubase", "cpu", "--metric", "all", "-o", "reg-cpu"], ok=(0,))
check(re.search(r"cpu_ms .* info .*host time, not judged unless --metric names it", p.stdout),
      "host CPU time x3: shown, not judged", p.stdout)
p = run([zsfrag, "plot", "regress", "cpubase", "cpu", "--metric", "cpu_ms", "--no-figure"], ok=(1,))
check("REGRESSION: cpu_ms +200.0%" in p.stdout, "judged when named", p.stdout)
# the figure: human names with units, gated metrics marked, the title names the profiles
with open("reg-cpu.tsv") as fh:
    names = [l.split("\t")[1] for l in fh.read().splitlines()]
check("[gated] pool pages at end" in names and
      "compaction CPU time, ms (host)" in names, "names in the figure", names)
with open("reg-cpu.svg") as fh:
    check("profile v4.1, v6.12, policies manual (cpu) (new) vs profile v4.1, v6.12, policies "
          "manual (cpubase) (base)" in fh.read(), "the title names profiles and policies")

# two profiles of one compare run: paired by trace, arch, policies and seed
os.makedirs("b41")
os.makedirs("b612")
shutil.copy("out/demo-v4.1-manual.json", "b41/")
shutil.copy("out/demo-v6.12-manual.json", "b612/")
p = run([zsfrag, "plot", "regress", "b41", "b612", "--no-figure"], ok=(0, 1))
check("1 pairs of runs, paired by trace, arch, policies and seed" in p.stdout, p.stdout)
# a run without a partner is named, not silently dropped
shutil.copy("out/demo-v6.12-manual.json", "b41/other-v6.12-manual.json")
with open("b41/other-v6.12-manual.json") as fh:
    d = json.load(fh)
d["inputs"]["trace"] = "other.trace"
with open("b41/other-v6.12-manual.json", "w") as fh:
    json.dump(d, fh)
p = run([zsfrag, "plot", "regress", "b41", "b612", "--no-figure"], ok=(0, 1))
check("unpaired runs, left out: b41/other-v6.12-manual.json (1 run)" in p.stdout, p.stdout)
run([zsfrag, "plot", "regress", "out", "nosuchdir"], ok=(66,))
done()
