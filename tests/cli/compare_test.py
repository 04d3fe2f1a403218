#!/usr/bin/env python3
"""zsfrag compare end to end: the table's numbers equal the runs' results JSON; the ideal-pages
bound on a hand-calculated case; one results file per variant; parallel runs equal serial ones.

usage: compare_test.py ZSFRAG
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
workdir()

# --- the ideal-pages bound, by hand ---
# Profile v4.1 on arm32 with 4 KiB pages: every object carries a 4-byte handle header and the
# classes are 32 + 16k bytes. 252 + 4 = 256 bytes: class 256, 4096 / 256 = 16 objects in a
# one-page zspage. 1020 + 4 = 1024: class 1024, 4 objects in a one-page zspage.
# 160 objects of 252 bytes -> 10 zspages; 10 objects of 1020 -> 3 zspages (4 + 4 + 2).
# Freeing every odd 252-byte object leaves 8 of 16 in each of the 10 zspages (no zspage empties):
# 80 objects, ideal ceil(80 / 16) * 1 = 5 pages, held 10. Freeing 1020-byte objects 161..165
# empties the first zspage (161..164, freed) and leaves 3 + 2: 5 objects, ideal ceil(5 / 4) = 2,
# held 2. Ideal total 5 + 2 = 7 pages; without compaction the pool holds 10 + 2 = 12; a full
# compaction frees the 5 surplus pages of class 256.
ev = ["zsfrag-trace 1", "! page_size 4096"]
ev += ["a %d 252" % i for i in range(1, 161)] + ["a %d 1020" % i for i in range(161, 171)]
ev += ["s filled"] + ["f %d" % i for i in range(1, 161, 2)] + ["f %d" % i for i in range(161, 166)]
ev += ["s fragmented", "c", "s compacted"]
with open("ideal.trace", "w") as f:
    f.write("\n".join(ev) + "\n")
p = run([zsfrag, "compare", "ideal.trace", "--profiles", "v4.1", "--policies", "none,manual",
         "--no-timing", "-o", "ideal-out", "-q"])
t = parse_table(p.stdout)
check_eq(sorted(t), ["v4.1 manual", "v4.1 none"], "ideal: the table's columns")
for col in t:
    check_eq(t[col].get("ideal pages at end"), "7", "ideal pages, %s" % col)
check_eq(t["v4.1 none"].get("pool pages at end"), "12", "pool without compaction")
check_eq(t["v4.1 none"].get("pool pages before compaction"), "-", "no compaction under none")
check_eq(t["v4.1 manual"].get("pool pages before compaction"), "12", "pool before compaction")
check_eq(t["v4.1 manual"].get("pool pages after compaction"), "7", "compaction reaches the ideal")
check_eq(t["v4.1 manual"].get("pages freed by compaction"), "5", "pages freed")
check_eq(t["v4.1 manual"].get("compaction CPU time, ms (host)"), "-", "no CPU time with --no-timing")

# parallel children write the same bytes as one at a time
run([zsfrag, "compare", "ideal.trace", "--profiles", "v4.1", "--policies", "none,manual",
     "--no-timing", "-o", "ideal-serial", "-q", "-j", "1"])
for f in sorted(glob.glob("ideal-out/*.json")):
    with open(f) as a, open(os.path.join("ideal-serial", os.path.basename(f))) as b:
        check(a.read() == b.read(), "-j 1 and parallel results differ: %s" % f)

# --variants: explicit PROFILE:POLICIES items instead of the product
p = run([zsfrag, "compare", "ideal.trace", "--variants", "v4.1:none,v6.12:manual+migration",
         "--no-timing", "-o", "variants", "-q"])
check_eq(sorted(parse_table(p.stdout)), ["v4.1 none", "v6.12 manual+migration"], "variant columns")
with open("variants/ideal-v6.12-manual+migration.json") as f:
    inp = json.load(f)["inputs"]
check_eq((inp["profile"], inp["policies"]), ("v6.12", "manual,migration"), "a variant's inputs")
run([zsfrag, "compare", "ideal.trace", "--variants", "v4.1:none", "--policies", "none"], ok=(64,))

# --- the table equals the results JSON, on the demo trace with timing on ---
# a small phone whose forks fail: every row has numbers worth comparing
gen_trace(zsfrag, "demo.trace")
small_phone("machine.json", periodic_events=2000)  # several periodic runs, the biggest reported
p = run([zsfrag, "compare", "demo.trace", "--profiles", "v4.1,v6.12", "--config", "machine.json",
         "--policies", "none,manual+on-pgd-failure,periodic", "-o", "out", "-q"])
t = parse_table(p.stdout)
files = sorted(glob.glob("out/*.json"))
check_eq([os.path.basename(f) for f in files],
         ["demo-v4.1-manual+on-pgd-failure.json", "demo-v4.1-none.json", "demo-v4.1-periodic.json",
          "demo-v6.12-manual+on-pgd-failure.json", "demo-v6.12-none.json",
          "demo-v6.12-periodic.json"], "one file per variant")
for prof in ("v4.1", "v6.12"):
    for pol in ("none", "manual+on-pgd-failure", "periodic"):
        col = "%s %s" % (prof, pol)
        with open("out/demo-%s-%s.json" % (prof, pol)) as f:
            doc = json.load(f)
        check_eq(doc["inputs"]["profile"], prof, "%s: inputs.profile" % col)
        check_eq(doc["inputs"]["policies"], pol.replace("+", ","), "%s: inputs.policies" % col)
        check(doc["inputs"]["sample_every"] >= 1, "%s: compare samples over time" % col)
        want = metrics(doc)
        check_eq(sorted(t[col]), sorted(want), "%s: the table's rows" % col)
        for row, w in want.items():
            got = cell_value(t[col].get(row, "?"))
            if w is None or got is None:
                check_eq(got, w, "%s / %s" % (col, row))
            else:
                # the table rounds to its printed decimals
                dec = len(t[col][row].split(".")[1]) if "." in t[col][row] else 0
                check(abs(got - w) <= 0.5 * 10 ** -dec + 1e-12, "%s / %s" % (col, row),
                      "table", t[col][row], "json", w)
check(cell_value(t["v4.1 periodic"]["zs_compact runs"]) >= 3, "periodic compacted several times")
check(cell_value(t["v4.1 none"]["fork OOM kills"]) > 0, "forks OOM-killed")
check(cell_value(t["v4.1 none"]["forks failed (-ENOMEM)"]) == 0, "no fork really fails")
check(cell_value(t["v4.1 none"]["zram writes failed"]) ==
      cell_value(t["v4.1 none"]["of which zs_malloc found no page"]) +
      cell_value(t["v4.1 none"]["of which over mem_limit"]), "failed zram writes by reason")
check(cell_value(t["v4.1 none"]["order-2 unusable index, mean"]) > 0.1, "fragmented memory")
# the demo fills, frees half and compacts: compaction must have found work
check(cell_value(t["v4.1 manual+on-pgd-failure"]["pages freed by compaction"]) > 0,
      "the demo trace's compaction freed nothing")

# progress on a terminal: one bar per variant, then events, rate and time (script(1) gives a pty)
if shutil.which("script"):
    p = run(["script", "-qec", "%s compare demo.trace -c machine.json --policies none,manual "
             "--no-timing -o tty" % zsfrag, "/dev/null"])
    out = p.stdout.replace("\r", "\n")
    for v in ("none", "manual"):
        check(re.search(r"  %s +\[#+\] 100%% done" % v, out), "a finished bar for " + v, out[-600:])
    check(re.search(r"\d+ of \d+ events, [\d.]+ M events/s, [\d.]+ s", out), "the totals line")
    p = run([zsfrag, "compare", "demo.trace", "-c", "machine.json", "--policies", "none", "--no-timing",
             "-o", "notty"])
    check_eq(p.stderr, "", "no progress when stderr is not a terminal")
else:
    print("note: script(1) missing, progress display not checked")

# --- failed zram writes and why: a 1 MiB mem_limit refuses what does not fit ---
small_phone("limited.json", zram_mem_limit_mb=1)
with open("limit.trace", "w") as f:
    f.write("zsfrag-trace 1\n! page_size 4096\n" + "".join("w %d 3000\n" % i for i in range(600)))
p = run([zsfrag, "replay", "limit.trace", "--config", "limited.json", "--no-timing"])
# 3000 B + 4 B header: class 3072, 4 objects per 3-page zspage; 1 MiB = 256 pages = 85 zspages
# = 340 objects; the 341st write needs an 86th zspage and is refused, and so is every later one
check("600 writes, 260 failed (0: zs_malloc found no free page, 260: over mem_limit)" in p.stdout,
      "the summary says how many writes failed and why", p.stdout)
p = run([zsfrag, "compare", "limit.trace", "--config", "limited.json", "--policies", "none",
         "--no-timing", "-o", "limit", "-q"])
t = parse_table(p.stdout)
check_eq((t["none"]["zram writes failed"], t["none"]["of which over mem_limit"],
          t["none"]["of which zs_malloc found no page"]), ("260", "260", "0"), "the table")

# --- every trace format counts its events alike (through the trace reader) ---
# The default --sample-every is 1/200 of the trace's events: the same trace as text, .ztb and
# .ztb.zst must get the same one, hence the same snapshots (counting text lines in the raw bytes
# once gave a .ztb.zst 50 times too many).
with open("demo.trace") as f:
    lines = f.read().split("\n")[1:]
nev = sum(1 for ln in lines if ln and ln[0] not in "!#e")
run([zsfrag, "trace", "convert", "demo.trace", "fmt.ztb"])
run([zsfrag, "trace", "convert", "demo.trace", "fmt.ztb.zst"])
counts = {}
for t in ("demo.trace", "fmt.ztb", "fmt.ztb.zst"):
    d = "fmt-" + t.replace(".", "_")
    run([zsfrag, "compare", t, "-c", "machine.json", "--policies", "none", "--no-timing", "-o", d,
         "-q"])
    (res,) = glob.glob(d + "/*.json")
    with open(res) as f:
        doc = json.load(f)
    counts[t] = (doc["inputs"]["sample_every"], len(doc["snapshots"]))
check_eq(counts["demo.trace"][0], max(1, nev // 200), "sample_every: 1/200 of the text's events")
check(nev // counts["demo.trace"][0] <= counts["demo.trace"][1],
      "a snapshot every sample_every events at least", counts)
check_eq(counts["fmt.ztb"], counts["demo.trace"], ".ztb: sample_every and snapshots as text")
check_eq(counts["fmt.ztb.zst"], counts["demo.trace"], ".ztb.zst: sample_every and snapshots")

# --- across seeds: --seeds, means and intervals equal to the runs' own numbers ---
for sd in (1, 2, 3):
    demo_trace("rep-%d.trace" % sd, seed=sd)
p = run([zsfrag, "compare", "rep-{seed}.trace", "--seeds", "1-3", "--variants",
         "v4.1:none,v4.1:manual", "--no-timing", "-o", "reps", "-q", "--reference", "v4.1:none"])
check("mean ± half-width of the 95% interval" in p.stdout, "the means table", p.stdout)
check("against v4.1 none" in p.stdout, "the paired block names the reference", p.stdout)
with open("reps/stats.json") as f:
    st = json.load(f)
(wl,) = st["workloads"]
check_eq(wl["workload"], "rep-{seed}", "the workload is the name with {seed}")
check_eq([v["variant"] for v in wl["variants"]], ["v4.1 none", "v4.1 manual"], "variant order")
pools = {}
for v in wl["variants"]:
    vals = []
    for sd in (1, 2, 3):
        prof, pol = v["variant"].split(" ")
        with open("reps/rep-%d-%s-%s.json" % (sd, prof, pol)) as f:
            doc = json.load(f)
        check_eq(doc["inputs"]["replicate"], sd, "inputs.replicate")
        vals.append(doc["snapshots"][-1]["pool_pages"])
    pools[v["variant"]] = vals
    m = v["metrics"]["pool_end"]
    check_eq(m["values"], [float(x) for x in vals], "pool_end values per seed")
    mean = sum(vals) / 3.0
    sd_ = (sum((x - mean) ** 2 for x in vals) / 2) ** 0.5
    check(abs(m["mean"] - mean) < 1e-6, "mean by hand", m["mean"], mean)
    # t(0.975, 2) = 4.302652730
    check(abs((m["ci_high"] - m["mean"]) - 4.302652730 * sd_ / 3 ** 0.5) < 1e-6,
          "the interval's half-width is t(0.975, 2) s / sqrt 3", m)
(pair,) = wl["paired"]
d = [b - a for a, b in zip(pools["v4.1 none"], pools["v4.1 manual"])]
check(abs(pair["metrics"]["pool_end"]["mean_diff"] - sum(d) / 3) < 1e-6, "paired mean", pair)
check_eq(pair["metrics"]["pool_end"]["df"], 2, "paired df")
q = run([zsfrag, "compare", "--from", "reps", "--reference", "v4.1:none"])
check_eq(q.stdout.split("statistics of")[0], p.stdout.split("statistics of")[0],
         "--from prints what the runs printed")
p = run([zsfrag, "compare", "rep-1.trace", "--seeds", "1-3", "-o", "x", "-q"], ok=(64,))
check("{seed}" in p.stderr, "--seeds without {seed} in a name is refused", p.stderr)
p = run([zsfrag, "compare", "rep-{seed}.trace", "-o", "x", "-q"], ok=(64,))
check("--seeds" in p.stderr, "{seed} without --seeds is refused", p.stderr)

# --- errors ---
p = run([zsfrag, "compare", "-", "--policies", "none"], ok=(64,))
p = run([zsfrag, "compare", "demo.trace", "--profiles", "v9.9", "-o", "bad", "-q"], ok=(64,))
check("unknown profile" in p.stderr, "an unknown profile is named", p.stderr)
check(not glob.glob("bad/*.json"), "no results for a failed run")
done()
