#!/usr/bin/env python3
"""zsfrag sweep: 8 points (2 traces x 2 profiles x 2 policy lists) run through GNU parallel,
merged, equal (results files byte for byte, merged document) to the same points run one by one;
$SLURM_ARRAY_TASK_ID picks the point; a missing point fails the merge; no temporary file stays.

usage: sweep_test.py ZSFRAG
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_common import *  # noqa: E402,F403

zsfrag = sys.argv[1]
if not shutil.which("parallel"):
    skip("GNU parallel is not installed (Debian: parallel)")
workdir()
os.makedirs("traces")
for seed in (1, 2):
    gen_trace(zsfrag, "traces/demo-%d.trace" % seed, seed=seed)
small_phone("phone.json")
spec = {"traces": ["traces/demo-{seed}.trace"], "profiles": ["v4.1", "v6.12"],
        "policies": ["none", "manual+on-pgd-failure"], "seeds": [1, 2], "config": "phone.json",
        "out": "par"}
with open("spec.json", "w") as f:
    json.dump(spec, f)

check_eq(run([zsfrag, "sweep", "expand", "spec.json", "--count"]).stdout, "8\n", "8 points")
lines = run([zsfrag, "sweep", "expand", "spec.json"]).stdout.splitlines()
check_eq(len(lines), 8, "one command line per point")
check(all(l.endswith("--index %d" % i) for i, l in enumerate(lines)), "lines by index", lines[:2])

# GNU parallel runs the lines from another directory: the spec's paths are absolute in them
os.makedirs("elsewhere")
p = subprocess.run("%s sweep expand spec.json | (cd elsewhere && parallel -j 2 --halt now,fail=1)"
                   % zsfrag, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
check_eq(p.returncode, 0, "parallel: " + p.stderr)
for i in range(8):
    run([zsfrag, "sweep", "run", "spec.json", "--index", str(i), "--out", "serial"])
names = sorted(os.listdir("par"))
check_eq(names, ["point-%05d.json" % i for i in range(8)], "every point written, nothing else")
check_eq(sorted(os.listdir("serial")), names, "the serial run's files")
for n in names:
    with open("par/" + n, "rb") as a, open("serial/" + n, "rb") as b:
        check(a.read() == b.read(), "point %s differs between parallel and serial" % n)
a = run([zsfrag, "sweep", "merge", "par", "--spec", "spec.json"]).stdout
b = run([zsfrag, "sweep", "merge", "serial", "--spec", "spec.json"]).stdout
check(a == b, "merged documents differ")
m = json.loads(a)
check_eq(m["points_merged"], 8, "merged points")
pts = m["points"]
check_eq([p["index"] for p in pts], list(range(8)), "merged in point order")
# trace-major, then profile, policy list, seed
check_eq([(p["trace"], p["profile"], p["policies"], p["seed"]) for p in pts[:3]],
         [("demo-1.trace", "v4.1", "none", 1), ("demo-2.trace", "v4.1", "none", 2),
          ("demo-1.trace", "v4.1", "manual,on-pgd-failure", 1)], "point order")
with open("par/point-00003.json") as f:
    doc = json.load(f)
check_eq(doc["inputs"]["sweep_index"], 3, "a point records its index")
check_eq(pts[3]["metrics"]["pool_end"], doc["snapshots"][-1]["pool_pages"], "merge's numbers")
check(pts[2]["metrics"]["compactions"] >= 1 and pts[0]["metrics"]["compactions"] == 0,
      "the manual points compacted, the none points did not")

# Slurm: the array task id picks the point
env = dict(os.environ, SLURM_ARRAY_TASK_ID="5")
run([zsfrag, "sweep", "run", "spec.json", "--out", "slurm"], env=env)
check_eq(os.listdir("slurm"), ["point-00005.json"], "SLURM_ARRAY_TASK_ID=5")
with open("slurm/point-00005.json", "rb") as x, open("par/point-00005.json", "rb") as y:
    check(x.read() == y.read(), "the Slurm point equals the parallel one")

# --skip-existing leaves a written point alone (a resubmitted job), and reruns a missing one
os.utime("slurm/point-00005.json", (1, 1))
run([zsfrag, "sweep", "run", "spec.json", "--out", "slurm", "--skip-existing"], env=env)
check_eq(os.stat("slurm/point-00005.json").st_mtime, 1, "--skip-existing rewrote a point")
run([zsfrag, "sweep", "run", "spec.json", "--out", "slurm", "--index", "4", "--skip-existing"])
check(os.path.exists("slurm/point-00004.json"), "--skip-existing ran a missing point")

# a missing point fails the merge and is named; an index out of range is a usage error
os.remove("serial/point-00006.json")
p = run([zsfrag, "sweep", "merge", "serial", "--spec", "spec.json"], ok=(65,))
check("point 6 is missing" in p.stderr, p.stderr)
run([zsfrag, "sweep", "run", "spec.json", "--index", "8"], ok=(64,))
with open("bad.json", "w") as f:
    f.write('{"traces": ["x"], "profile": "v4.1"}')
p = run([zsfrag, "sweep", "expand", "bad.json"], ok=(65,))
check('unknown key "profile"' in p.stderr, p.stderr)
done()
