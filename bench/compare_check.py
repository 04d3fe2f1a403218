#!/usr/bin/env python3
"""compare_check.py SRCDIR - scripts/bench-compare's verdicts on hand-made runs.

Three benchmarks, 5 repetitions each (times in ns): x/a all 5 repetitions ~39% faster in NEW
(U test p = 0.0079, the smallest 5 against 5 can give), x/b the same code (overlapping times),
x/c all 5 twice as slow. With the default 20% noise floor, x/a is faster and x/c slower; with
--noise 50, x/a is noise; with --null runs in which identical code spanned 58..104 ns for x/a
(floor 104/58 - 1 = 79%), x/a is noise again while x/c, steady in the null runs, stays slower.
--fail-above fails on x/c only. Exit 77 (skipped) when compare.py, scipy or gnuplot is missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

src = sys.argv[1]
if not os.path.exists("/usr/share/benchmark/compare.py") or shutil.which("gnuplot") is None or \
        subprocess.run(["/usr/bin/python3", "-c", "import scipy"], capture_output=True).returncode:
    print("skip: compare.py (libbenchmark-tools), python3-scipy or gnuplot missing")
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix="zsfrag-bench-compare-")
fails = []


def run_file(name, series):
    bs = []
    for bench, times in series.items():
        for i, t in enumerate(times):
            bs.append({"name": bench, "run_name": bench, "run_type": "iteration",
                       "repetitions": len(times), "repetition_index": i, "threads": 1,
                       "iterations": 10, "real_time": t, "cpu_time": t, "time_unit": "ns"})
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump({"context": {"date": "-", "host_name": "-", "num_cpus": 1, "mhz_per_cpu": 1,
                               "library_build_type": "release"}, "benchmarks": bs}, f)
    return path


same = [100, 101, 102, 103, 104]
base = run_file("base.json", {"x/a": same, "x/b": [100, 110, 95, 105, 99], "x/c": same})
new = run_file("new.json", {"x/a": [60, 61, 62, 63, 64], "x/b": [101, 108, 97, 104, 100],
                            "x/c": [200, 201, 202, 203, 204]})
null_a = run_file("null-a.json", {"x/a": same, "x/c": same})
null_b = run_file("null-b.json", {"x/a": [58, 61, 62, 63, 64], "x/c": [100, 101, 102, 103, 105]})


def compare(tag, *extra):
    out = os.path.join(tmp, tag)
    p = subprocess.run([os.path.join(src, "scripts", "bench-compare"), base, new, "--out", out,
                        *extra], capture_output=True, text=True)
    classes = {}
    if os.path.exists(out + ".dat"):
        for line in open(out + ".dat"):
            if not line.startswith("#"):
                f = line.split()
                classes[f[6].strip('"')] = int(f[5])
    return p.returncode, classes, p.stdout


def expect(tag, got, want):
    if got != want:
        fails.append("%s: got %r, expected %r" % (tag, got, want))


rc, cls, _ = compare("default")
expect("default floor 20%: classes", cls, {"x/a": 2, "x/b": 0, "x/c": 1})
expect("default: exit", rc, 0)
rc, cls, out = compare("noise50", "--noise", "50")
expect("--noise 50: classes", cls, {"x/a": 3, "x/b": 0, "x/c": 1})
if "x/a: -39.2% (p = 0.00794), floor 50%" not in out:
    fails.append("--noise 50: the noise line is missing from %r" % out)
rc, cls, out = compare("null", "--null", null_a, null_b)
expect("--null: classes", cls, {"x/a": 3, "x/b": 0, "x/c": 1})
if "floor 79%" not in out:
    fails.append("--null: x/a's floor of 79%% not reported in %r" % out)
rc, cls, _ = compare("fail", "--fail-above", "50")
expect("--fail-above 50: exit", rc, 1)
rc, cls, _ = compare("fail-null", "--fail-above", "50", "--null", null_a, null_b)
expect("--fail-above 50 --null: exit (x/c is beyond its floor of 5%)", rc, 1)
rc, _, _ = compare("bad", "--noise", "lots")
expect("--noise lots: exit", rc, 64)

shutil.rmtree(tmp)
for f in fails:
    print("FAIL:", f)
print("bench-compare checks: %d failed" % len(fails))
sys.exit(1 if fails else 0)
