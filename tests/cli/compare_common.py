"""Helpers shared by the tests/cli/*_test.py end-to-end tests of zsfrag compare, plot, sweep.

Each test takes the zsfrag binary as argv[1], works in a fresh temporary directory, exits 0 on
success, 1 on a failed check (printing both sides), 77 (ctest SKIP_RETURN_CODE) when a tool it
needs is missing, saying which.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = 0
work = None


def check(cond, what, *detail):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, *detail)
    return cond


def check_eq(a, b, what):
    return check(a == b, what, "got", repr(a), "want", repr(b))


def done():
    """Exit with the verdict; the work directory stays for a look when something failed."""
    print("%s: %s" % (os.path.basename(sys.argv[0]), "FAILED (%d)" % failures if failures else "ok"))
    if failures:
        print("work directory kept:", work)
    elif work:
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def workdir():
    global work
    work = tempfile.mkdtemp(prefix="zsfrag-cli-")
    os.chdir(work)
    return work


def run(args, ok=(0,), **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode not in ok:
        print("command failed (%d): %s\n%s%s" % (p.returncode, " ".join(args), p.stdout, p.stderr))
        sys.exit(1)
    return p


def demo_trace(path, seed=1, scale=0.004):
    """A small demo trace: fill, lose half, fork, compact (scripts/gen-demo-trace.py)."""
    with open(path, "w") as f:
        subprocess.run([sys.executable, os.path.join(SRC, "scripts", "gen-demo-trace.py"),
                        "--seed", str(seed), "--scale", str(scale)], stdout=f, check=True)
    return path


SMALL_PHONE = {"ram_mb": 20, "lowmem_mb": 16, "zram_disksize_mb": 16}


def gen_trace(zsfrag, path, seed=1):
    """The demo's story on a small phone (SMALL_PHONE, 20 MiB): zram and slab fill lowmem, lose
    70% and half, then forks fail for want of order-2 blocks and a `c` compacts (zsfrag gen)."""
    params = ["duration=160", "snapshot=10", "filldrain.pages=3000", "filldrain.rate=150",
              "drain=0.7", "filldrain.start=2", "filldrain.gap=50", "cache=1000", "slab=3600",
              "ramp=25", "pressure.rate=10", "order1=0", "order2=0", "order3=0",
              "reclaimable=0", "period=140", "depth=0.5", "disksize_mb=16", "forkstorm.rate=5",
              "forkstorm.start=110", "life=1000", "life_dist=fixed"]
    args = [zsfrag, "gen", "filldrain,forkstorm,pressure", "--seed", str(seed), "-q", "-o", path]
    for p in params:
        args += ["--param", p]
    subprocess.run(args, check=True)
    return path


def small_phone(path, **extra):
    with open(path, "w") as f:
        json.dump(dict(SMALL_PHONE, **extra), f)
    return path


def parse_table(text):
    """The side-by-side table: {column heading: {row label: cell}}."""
    lines = [l for l in text.splitlines()]
    head = re.split(r"\s{2,}", lines[0].strip())
    table = {h: {} for h in head}
    for l in lines[1:]:
        if not l.strip():
            break
        cells = re.split(r"\s{2,}", l.strip())
        for h, c in zip(head, cells[1:]):
            table[h][cells[0]] = c
    return table


def pgd_zone(snap):
    """The zone a pgd comes from: the highest lowmem zone (the last that is not HighMem)."""
    zones = snap.get("zones", [])
    low = [z for z in zones if z["name"] != "HighMem"]
    return low[-1] if low else (zones[0] if zones else None)


def index_meaningful(zone):
    """The index says something about fragmentation only above the zone's low watermark."""
    low = zone["watermarks"]["low"] if "watermarks" in zone else 1024
    return zone["free_pages"] > low


OUTCOME_LABELS = {"fast": "fast (off the free lists)", "compaction": "after direct compaction",
                  "reclaim": "after direct reclaim", "oom_kill": "needing an OOM kill",
                  "kcompact": "after direct compaction",
                  "shrinker": "after reclaim (zsmalloc shrinker)",
                  "zs_compact": "after zs_compact (on-pgd-failure)",
                  "failed": "failed (-ENOMEM; format 1: no order-2 pgd)"}


def fork_outcomes(forks):
    """{outcome: forks}: forks.outcomes, else succeeded_by's members and then failed."""
    if "outcomes" in forks:
        return dict(forks["outcomes"])
    out = dict(forks.get("succeeded_by", {}))
    out.update(forks.get("failed_by", {"failed": forks["failed"]}))
    return out


def metrics(doc):
    """The comparison's numbers computed from a results document, independently of the C code
    (definitions in README "Comparing runs")."""
    snaps, comps, fin = doc["snapshots"], doc["compactions"], doc["snapshots"][-1]
    u = [pgd_zone(s)["unusable_index"] for s in snaps if index_meaningful(pgd_zone(s))]
    timing = doc["inputs"].get("timing", False)
    big = None  # the compaction that freed the most pages, the first of equals
    for c in comps:
        if big is None or c["pages_freed"] > big["pages_freed"]:
            big = c
    io = fin["io_stat"]
    m = {
        "pool pages, peak": max([s["pool_pages"] for s in snaps] +
                                [c["pool_pages_before"] for c in comps]),
        "pool pages before compaction": big["pool_pages_before"] if big else None,
        "pool pages after compaction": big["pool_pages_after"] if big else None,
        "pool pages at end": fin["pool_pages"],
        "ideal pages at end": fin["ideal_pages"],
        "used ratio at end": fin["used_ratio"],
        "zram writes": io["writes"],
        "zram writes failed": io["failed_writes"],
        "of which zs_malloc found no page": io.get("failed_writes_alloc"),
        "of which over mem_limit": io.get("failed_writes_mem_limit"),
        "fork attempts": fin["forks"]["attempted"],
        "fork stalls (compaction, reclaim, OOM)": fin["forks"]["stalls"],
        "fork stalls below the watermark": fin["forks"]["stall_reasons"]["watermark"],
        "fork stalls on fragmentation": fin["forks"]["stall_reasons"]["fragmentation"],
        "fork OOM kills": fin["forks"]["outcomes"]["oom_kill"],
        "forks failed (-ENOMEM)": fin["forks"]["failed"],
        "order-2 unusable index, mean": sum(u) / len(u) if u else None,
        "order-2 unusable index, worst": max(u) if u else None,
        "snapshots left out: zone below low wmark": len(snaps) - len(u),
        "zs_compact runs": len(comps),
        "pages freed by compaction": sum(c["pages_freed"] for c in comps),
        "objects migrated": sum(c["objs_migrated"] for c in comps),
        "bytes copied": sum(c["bytes_copied"] for c in comps),
        "compaction CPU time, ms (host)": sum(c["cpu_ns"] for c in comps) / 1e6 if timing else None,
        "zspage pages moved by kcompactd": fin["kcompact"]["zs_pages_migrated"],
    }
    for name, n in fork_outcomes(fin["forks"]).items():
        m["pgd " + OUTCOME_LABELS.get(name, name.replace("_", " "))] = n
    return m


def cell_value(cell):
    return None if cell == "-" else float(cell)


def valid_png(path):
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 33 or b[:8] != b"\x89PNG\r\n\x1a\n" or b[12:16] != b"IHDR" or b[-8:-4] != b"IEND":
        return False, "not a PNG (signature, IHDR or IEND missing)"
    w, h = int.from_bytes(b[16:20], "big"), int.from_bytes(b[20:24], "big")
    return (w >= 400 and h >= 300), "%dx%d" % (w, h)


def valid_svg(path):
    import xml.etree.ElementTree as ET
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return False, "not XML: %s" % e
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        return False, "root is %s" % root.tag
    drawn = sum(1 for e in root.iter() if e.tag.split("}")[-1] in ("path", "polygon", "rect", "polyline"))
    return drawn >= 10, "%d drawn elements" % drawn
