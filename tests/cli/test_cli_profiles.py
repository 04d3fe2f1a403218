#!/usr/bin/env python3
"""test_cli_profiles.py ZSFRAG - every kernel profile on both arches replays
the mixed trace of test_cli_determinism.py (3000 events, 4 MiB machine) with
every policy on and the invariant walk after every third event
(--check-every 3): a clean exit, no payload mismatch, and what each profile
may do:
  - one manual compaction per `c` where the profile has zs_compact (all but
    v3.18, which has none at all);
  - shrinker compactions and forks rescued by the shrinker only from 4.3;
  - zspage pages moved by kernel compaction only from 4.8 (migration).
"""
import json
import random

from clitest import Checker
from test_cli_determinism import make_trace

PROFILES = ["v3.18", "rfc2014", "v4.1", "v4.3", "v4.8", "v6.1", "v6.12"]
HAS_SHRINKER = {"v4.3", "v4.8", "v6.1", "v6.12"}
HAS_MIGRATION = {"v4.8", "v6.1", "v6.12"}


def main():
    c = Checker()
    text = make_trace(random.Random(7), 3000)
    n_compact = sum(1 for line in text.splitlines() if line.split()[-1:] == ["c"])
    trace = c.write("mix.trace", text)
    cfg = c.write("machine.json", json.dumps({
        "ram_mb": 4, "highmem": False, "pageblock_order": 6, "min_free_kbytes": 64,
        "zram_disksize_mb": 8, "periodic_events": 1000, "threshold_pages": 8,
        "check_interval": 64}))
    c.check(n_compact > 0, "the trace has no `c`")
    for p in PROFILES:
        for arch in ("arm32", "x86_64"):
            name = "%s/%s" % (p, arch)
            out = c.path("out.json")
            rc, so, se = c.run("replay", trace, "--config", cfg, "--profile", p, "--arch", arch,
                               "--policy",
                               "manual,periodic,threshold,on-pgd-failure,shrinker,migration",
                               "--check-every", "3", "--no-timing", "-q", "--json", out)
            if not c.eq(rc, 0, "%s: exit code (stderr %r)" % (name, se)):
                continue
            with open(out) as f:
                doc = json.load(f)
            final = doc["snapshots"][-1]
            trig = [x["trigger"] for x in doc["compactions"]]
            c.eq(final["other"]["verify_mismatches"], 0, "%s: verify mismatches" % name)
            c.eq(final["io_stat"]["failed_reads"], 0, "%s: failed reads" % name)
            c.check(len(doc["verify"]) > 0, "%s: no verify ran" % name)
            c.eq(trig.count("manual"), 0 if p == "v3.18" else n_compact,
                 "%s: manual compactions" % name)
            if p == "v3.18":
                c.eq(trig, [], "%s: compactions" % name)
            if p not in HAS_SHRINKER:
                c.eq(trig.count("shrinker"), 0, "%s: shrinker runs" % name)
                c.eq(final["forks"]["succeeded_by"]["shrinker"], 0, "%s: shrinker forks" % name)
            elif arch == "arm32":
                # the trace's pressure comes from order-2 pgds; x86_64's pgd is order 1
                c.check(trig.count("shrinker") > 0, "%s: the shrinker never ran" % name)
            if p not in HAS_MIGRATION:
                c.eq(final["kcompact"]["zs_pages_migrated"], 0,
                     "%s: zspage pages migrated" % name)
            c.eq(final["pool_pages"] * 4096, final["mm_stat"]["mem_used_total"],
                 "%s: pool pages vs mem_used_total" % name)
    c.finish()


if __name__ == "__main__":
    main()
