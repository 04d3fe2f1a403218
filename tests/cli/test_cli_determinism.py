#!/usr/bin/env python3
"""test_cli_determinism.py ZSFRAG - replaying the same trace twice with the
same seed gives the same results.

The trace is generated here from a fixed Python seed: a few thousand events
of every kind (zram writes of all sizes, same-filled pages, reads, discards,
raw objects, other users' blocks, forks and exits, compaction requests,
snapshots and verifies) on a 5 MiB machine, tight enough that writes and
allocations fail, forks stall into OOM kills and compactions run for every
trigger (manual, periodic and on-pgd-failure).

  - with --no-timing, two runs are byte-identical (cmp);
  - with timing, the runs differ at most in the compactions' cpu_ns fields:
    with those removed the documents are equal; and they are equal to the
    --no-timing document but for inputs.timing;
  - another --seed changes payload bytes only: the documents are equal but
    for inputs.seed;
  - --json - writes the same document to stdout, with nothing else there.
"""
import filecmp
import json
import random

from clitest import Checker


def make_trace(rng, n):
    out = ["zsfrag-trace 1", "! source test_cli_determinism.py"]
    live_obj, live_blk, live_pid = set(), set(), set()
    next_obj = next_blk = next_pid = 1
    t = 0
    for i in range(n):
        t += rng.randrange(0, 1000)
        r = rng.random()
        pre = "@%d " % t if rng.random() < 0.5 else ""
        if r < 0.40:
            size = rng.choice([rng.randrange(1, 4097), rng.randrange(30, 400), 4096])
            out.append(pre + "w %d %d" % (rng.randrange(0, 2048), size))
        elif r < 0.45:
            out.append(pre + "z %d" % rng.randrange(0, 2048))
        elif r < 0.52:
            out.append(pre + "r %d" % rng.randrange(0, 2048))
        elif r < 0.65:
            out.append(pre + "d %d" % rng.randrange(0, 2048))
        elif r < 0.72:
            out.append(pre + "a %d %d" % (next_obj, rng.randrange(1, 4097)))
            live_obj.add(next_obj)
            next_obj += 1
        elif r < 0.77 and live_obj:
            o = rng.choice(sorted(live_obj))
            live_obj.discard(o)
            out.append(pre + "f %d" % o)
        elif r < 0.84:
            out.append(pre + "g %d %d %s" % (next_blk, rng.choice([0, 0, 0, 1, 2, 3]),
                                               rng.choice("umr")))
            live_blk.add(next_blk)
            next_blk += 1
        elif r < 0.88 and live_blk:
            b = rng.choice(sorted(live_blk))
            live_blk.discard(b)
            out.append(pre + "p %d" % b)
        elif r < 0.93:
            out.append(pre + "k %d" % next_pid)
            live_pid.add(next_pid)
            next_pid += 1
        elif r < 0.96 and live_pid:
            p = rng.choice(sorted(live_pid))
            live_pid.discard(p)
            out.append(pre + "x %d" % p)
        elif r < 0.97:
            out.append(pre + "c")
        elif r < 0.99:
            out.append(pre + "s s%d" % i)
        else:
            out.append(pre + "v")
    out.append("v")
    out.append("s end")
    return "\n".join(out) + "\n"


def strip(doc, keys):
    """doc without any object member whose name is in keys, at any depth."""
    if isinstance(doc, dict):
        return {k: strip(v, keys) for k, v in doc.items() if k not in keys}
    if isinstance(doc, list):
        return [strip(v, keys) for v in doc]
    return doc


def count_key(doc, key):
    if isinstance(doc, dict):
        return (key in doc) + sum(count_key(v, key) for v in doc.values())
    if isinstance(doc, list):
        return sum(count_key(v, key) for v in doc)
    return 0


def main():
    c = Checker()
    trace = c.write("mix.trace", make_trace(random.Random(20141), 6000))
    cfg = c.write("machine.json", json.dumps({
        "ram_mb": 5, "highmem": False, "pageblock_order": 6, "min_free_kbytes": 64,
        "zram_disksize_mb": 8, "periodic_events": 1000}))
    common = ["replay", trace, "--config", cfg, "--policy", "manual,periodic,on-pgd-failure",
              "--sample-every", "500", "--check-every", "997", "-q"]

    docs = {}
    for name, extra in [("nt1", ["--no-timing"]), ("nt2", ["--no-timing"]), ("t1", []),
                        ("t2", []), ("seed9", ["--no-timing", "--seed", "9"])]:
        out = c.path(name + ".json")
        rc, so, se = c.run(*(common + extra + ["--json", out]))
        c.eq(rc, 0, "%s: exit code (stderr %r)" % (name, se))
        with open(out) as f:
            docs[name] = json.load(f)

    c.check(filecmp.cmp(c.path("nt1.json"), c.path("nt2.json"), shallow=False),
            "--no-timing runs are not byte-identical")
    nt, t1, t2 = docs["nt1"], docs["t1"], docs["t2"]

    # the trace must exercise what the determinism claim covers
    comps = nt["compactions"]
    c.check(len(comps) >= 6, "only %d compactions" % len(comps))
    c.check({x["trigger"] for x in comps} == {"manual", "periodic", "on-pgd-failure"},
            "triggers %r" % {x["trigger"] for x in comps})
    final = nt["snapshots"][-1]
    c.eq(final["label"], "final", "last snapshot")
    c.check(final["forks"]["stalls"] > 0 and final["forks"]["outcomes"]["oom_kill"] > 0,
            "forks %r" % final["forks"])
    c.check(final["io_stat"]["failed_writes"] > 0, "no failed writes")
    io = final["io_stat"]
    c.eq(io["failed_writes_alloc"] + io["failed_writes_mem_limit"], io["failed_writes"],
         "failed writes = those zs_malloc could not place + those over mem_limit")
    c.check(final["other"]["block_failures"] > 0, "no block failures")
    c.check(sum(x["label"] == "sample" for x in nt["snapshots"]) == 12, "12 samples")
    c.check(all(v["mismatches"] == 0 for v in nt["verify"]), "payload mismatches")
    c.eq(count_key(nt, "cpu_ns"), 0, "cpu_ns fields with --no-timing")
    c.eq(count_key(t1, "cpu_ns"), len(comps), "cpu_ns fields with timing")

    c.check(strip(t1, {"cpu_ns"}) == strip(t2, {"cpu_ns"}),
            "timed runs differ beyond cpu_ns")
    c.eq(t1["inputs"]["timing"], True, "inputs.timing")
    c.eq(nt["inputs"]["timing"], False, "inputs.timing with --no-timing")
    c.check(strip(t1, {"cpu_ns", "timing"}) == strip(nt, {"timing"}),
            "timed and untimed runs differ beyond cpu_ns")
    # --json - (without -q) puts the same document, and nothing else, on stdout
    args = [a for a in common if a != "-q"] + ["--no-timing", "--json", "-"]
    rc, so, se = c.run(*args)
    c.eq(rc, 0, "--json -: exit code")
    try:
        c.check(json.loads(so) == nt, "--json - differs from --json FILE")
    except ValueError as e:
        c.check(False, "--json -: stdout is not JSON (%s): %r" % (e, so[:200]))
    c.eq(docs["seed9"]["inputs"]["seed"], 9, "inputs.seed")
    c.check(strip(docs["seed9"], {"seed"}) == strip(nt, {"seed"}),
            "another payload seed changed a metric")
    c.finish()


if __name__ == "__main__":
    main()
