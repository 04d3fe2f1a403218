#!/usr/bin/env python3
"""test_cli_pgd.py ZSFRAG - the order-2 pgd scenario through `zsfrag replay`
(the same machine and trace as test_engine.c's pgd tests; the derivations
are there).

tests/cli/pgd.json: 4 MiB (1024 frames), no HighMem, 11 orders, pageblock
order 4, min_free_kbytes 0, a 4 MiB zram disk, a fork that takes its pgd
and nothing else (fork_stack_pages, fork_slab_pages, fork_user_pages 0). The trace fills memory with
one-page zspages (two 2000-byte writes each) alternating with order-0 `g`
blocks (zspage i at frame 2i, block i at 2i+1), puts every block back and
discards one object of each zspage (in the order 511, 255, 510, 254, ...,
256, 0): 512 frames free, every one alone (unusable index 1.000,
fragmentation index 1000 - (1000 + 512000/4)/512 = 749 -> 0.749), then
forks once (`k 1`) and verifies every payload (`v`: 512 slots).

  v4.1 manual                  nothing moves, nothing is reclaimable: the slow
                               path calls the OOM killer (512 pages free, a
                               fragmentation stall); no frame is taken
  v4.1 manual,on-pgd-failure   zs_compact before the OOM killer frees 256 pages;
                               outcome zs_compact
  v4.8 manual,migration        (blocks `m`: the zspage pages' own type, so they
                               interleave) kernel compaction moves zspage
                               pages; outcome compaction
  v4.8 manual                  nothing may move: OOM kill
"""
import json

from clitest import Checker, data


def make_trace(gtype):
    out = ["zsfrag-trace 1", "! source test_cli_pgd.py"]
    for i in range(512):
        out += ["w %d 2000" % (2 * i), "w %d 2000" % (2 * i + 1), "g %d 0 %s" % (i, gtype)]
    out += ["p %d" % i for i in range(512)]
    for j in range(255, -1, -1):
        out += ["d %d" % (2 * (256 + j) + 1), "d %d" % (2 * j + 1)]
    out += ["s before_fork", "k 1", "s after_fork", "v"]
    return "\n".join(out) + "\n"


def main():
    c = Checker()
    traces = {g: c.write("pgd_%s.trace" % g, make_trace(g)) for g in "um"}
    cases = [
        # profile, policies, block type, expected fork outcome
        ("v4.1", "manual", "u", "oom_kill"),
        ("v4.1", "manual,on-pgd-failure", "u", "zs_compact"),
        ("v4.8", "manual,migration", "m", "compaction"),
        ("v4.8", "manual", "m", "oom_kill"),
    ]
    for profile, policy, g, outcome in cases:
        name = "%s %s" % (profile, policy)
        out = c.path("pgd.json.out")
        rc, so, se = c.run("replay", traces[g], "--config", data("pgd.json"), "--profile",
                           profile, "--policy", policy, "--json", out, "--no-timing", "-q",
                           "--check-every", "1024")
        if not c.eq(rc, 0, "%s: exit code (stderr %r)" % (name, se)):
            continue
        with open(out) as f:
            doc = json.load(f)
        snaps = {s["label"]: s for s in doc["snapshots"]}
        before, after = snaps["before_fork"], snaps["after_fork"]
        c.eq(before["free_pages"], 512, "%s: free pages before the fork" % name)
        c.eq(before["buddyinfo"][:4], [512, 0, 0, 0], "%s: buddyinfo before" % name)
        c.eq(before["unusable_index"], 1.0, "%s: unusable index before" % name)
        c.eq(before["fragmentation_index"], 0.749, "%s: fragmentation index before" % name)
        c.eq(before["pool_pages"], 512, "%s: pool pages before" % name)
        f = after["forks"]
        c.eq(doc["results_format"], 2, "%s: results format" % name)
        c.eq(f["attempted"], 1, "%s: forks attempted" % name)
        c.eq((f["succeeded"], f["failed"], f["stalls"]), (1, 0, 1), "%s: fork outcome" % name)
        want = {k: int(k == outcome) for k in
                ("fast", "compaction", "reclaim", "zs_compact", "oom_kill", "failed")}
        c.eq(f["outcomes"], want, "%s: outcomes" % name)
        c.eq(f["stall_reasons"], {"watermark": 0, "fragmentation": 1},
             "%s: stall reasons" % name)
        c.eq(f["free_pages_at_last_stall"], after["free_pages"],
             "%s: free pages at the stall" % name)
        if outcome == "oom_kill":
            c.eq((f["oom_kills"], after["vmstat"]["oom_kill"]), (1, 1), "%s: OOM kills" % name)
            c.eq(after["free_pages"], 512, "%s: free pages after (no frame taken)" % name)
            c.eq(doc["compactions"], [], "%s: compactions" % name)
            c.eq(after["kcompact"]["pages_migrated"], 0, "%s: pages migrated" % name)
        if outcome == "zs_compact":
            c.eq(len(doc["compactions"]), 1, "%s: compactions" % name)
            rec = doc["compactions"][0]
            c.eq((rec["trigger"], rec["pages_freed"], rec["objs_migrated"]),
                 ("on-pgd-failure", 256, 256), "%s: compaction" % name)
            c.eq(after["pool_pages"], 256, "%s: pool after" % name)
            c.eq(after["free_pages"], 512 + 256 - 4, "%s: free pages after" % name)
        if outcome == "compaction":
            c.eq(doc["compactions"], [], "%s: compactions" % name)
            c.check(after["kcompact"]["zs_pages_migrated"] >= 2,
                    "%s: zspage pages migrated %r" % (name, after["kcompact"]))
            c.eq(after["pool_pages"], 512, "%s: pool after" % name)
            c.eq(after["free_pages"], 512 - 4, "%s: free pages after" % name)
        c.eq(len(doc["verify"]), 1, "%s: verify records" % name)
        if doc["verify"]:
            v = doc["verify"][0]
            c.eq((v["objects_checked"], v["mismatches"]), (512, 0), "%s: verify" % name)
    c.finish()


if __name__ == "__main__":
    main()
