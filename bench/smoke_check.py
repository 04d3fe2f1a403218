#!/usr/bin/env python3
"""smoke_check.py ZSFRAG_BENCH: the bench-smoke ctest.

Runs every benchmark once on small working sets (--zsfrag_smoke, a tiny --benchmark_min_time) and
checks, without looking at any time, that each listed benchmark ran without error and reported
the counters its family promises, finite, with the values that are known by hand:

  - handle slot + header bytes per object: 0 with direct handles (v3.18); with indirect handles
    (v4.1, v6.12) one word each, 4 + 4 = 8 on arm32 and 8 + 8 = 16 on x86_64;
  - compaction of a pool with half or three quarters of its objects freed moves bytes and frees
    pages; a replay replays every event of its trace and leaves a non-empty pool.
Exit 0 when all hold; otherwise one line per failure and exit 1.
"""
import json
import math
import subprocess
import sys

COUNTERS = {
    "alloc/malloc_free/": ["ns_per_op", "objects", "meta_B_per_obj", "meta_share", "pool_B_per_obj"],
    "alloc/map_": ["ns_per_op", "objects", "meta_B_per_obj", "meta_share", "pool_B_per_obj"],
    "alloc/ratio/": ["ns_v3.18", "ns_v4.1", "ns_v6.12", "ratio_v4.1", "ratio_v6.12", "objects"],
    "compact/zs_compact/": ["objs_per_s", "bytes_per_s", "memcpy_bytes_per_s", "frac_of_memcpy",
                            "x_memcpy", "ns_per_obj", "bytes_moved", "pages_freed", "frag_before"],
    "compact/page_migrate/": ["pages_per_s", "bytes_per_s", "memcpy_bytes_per_s", "frac_of_memcpy",
                              "ns_per_page", "objs_per_page"],
    "replay/": ["events", "events_per_s", "ns_per_event", "cpu_per_event_ns", "pool_pages"],
}


def family(name):
    for prefix, counters in COUNTERS.items():
        if name.startswith(prefix):
            return prefix, counters
    return None, None


def check(b, fail):
    name = b["name"]
    base = b.get("run_name", name)
    if b.get("error_occurred"):
        fail("%s: error: %s" % (name, b.get("error_message")))
        return
    prefix, counters = family(base)
    if prefix is None:
        fail("%s: no known family (add it to smoke_check.py)" % name)
        return
    for c in counters:
        v = b.get(c)
        if v is None:
            fail("%s: counter %s missing" % (name, c))
        elif not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            fail("%s: counter %s = %r" % (name, c, v))
    parts = base.split("/")
    if prefix == "alloc/ratio/":
        for c in ("ns_v3.18", "ns_v4.1", "ns_v6.12", "ratio_v4.1", "ratio_v6.12"):
            if not b.get(c, 0) > 0:
                fail("%s: %s = %r" % (name, c, b.get(c)))
    elif prefix.startswith("alloc/"):
        profile, arch = parts[2], parts[3]
        want = 0 if profile == "v3.18" else (8 if arch == "arm32" else 16)
        if b.get("meta_B_per_obj") != want:
            fail("%s: meta_B_per_obj %r, expected %d" % (name, b.get("meta_B_per_obj"), want))
        if (want == 0) != (b.get("meta_share") == 0):
            fail("%s: meta_share %r with %d meta bytes" % (name, b.get("meta_share"), want))
        if not b.get("objects", 0) > 0 or not b.get("ns_per_op", 0) > 0:
            fail("%s: nothing measured" % name)
    elif prefix == "compact/zs_compact/" and parts[4] in ("free50", "free75"):
        if not b.get("bytes_moved", 0) > 0 or not b.get("pages_freed", 0) > 0:
            fail("%s: compaction moved %r bytes, freed %r pages" %
                 (name, b.get("bytes_moved"), b.get("pages_freed")))
        if not 0 < b.get("frag_before", 0) < 1:
            fail("%s: frag_before %r" % (name, b.get("frag_before")))
        # the interleaved ratio and its inverse, from the same per-iteration pairs
        frac, x = b.get("frac_of_memcpy", 0), b.get("x_memcpy", 0)
        if not frac > 0 or abs(frac * x - 1) > 1e-6:
            fail("%s: frac_of_memcpy %r, x_memcpy %r" % (name, frac, x))
    elif prefix == "compact/page_migrate/":
        if not b.get("pages_per_s", 0) > 0 or not b.get("objs_per_page", 0) > 0:
            fail("%s: no page migrated" % name)
    elif prefix == "replay/":
        if not b.get("events", 0) > 1000 or not b.get("events_per_s", 0) > 0:
            fail("%s: events %r" % (name, b.get("events")))
        if "text_only" not in base and not b.get("pool_pages", 0) > 0:
            fail("%s: empty pool after the replay" % name)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    exe = sys.argv[1]
    listed = subprocess.run([exe, "--zsfrag_smoke", "--benchmark_list_tests"], check=True,
                            capture_output=True, text=True).stdout.split()
    run = subprocess.run([exe, "--zsfrag_smoke", "--benchmark_min_time=0.0001",
                          "--benchmark_format=json"], capture_output=True, text=True)
    failures = []
    fail = failures.append
    if run.returncode != 0:
        fail("%s exited with %d: %s" % (exe, run.returncode, run.stderr.strip()[-500:]))
    try:
        results = json.loads(run.stdout)["benchmarks"]
    except (ValueError, KeyError) as e:
        print("bench-smoke: no JSON from %s (%s)" % (exe, e))
        return 1
    seen = set()
    for b in results:
        seen.add(b.get("run_name", b["name"]))
        check(b, fail)
    for name in listed:
        # names of manual-time benchmarks get a /manual_time suffix in results
        if name not in seen and name + "/manual_time" not in seen:
            fail("%s: listed but did not run" % name)
    for f in failures:
        print("bench-smoke: " + f)
    print("bench-smoke: %d benchmarks, %d failures" % (len(listed), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
