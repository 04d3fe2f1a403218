#!/usr/bin/env python3
"""test_cli_profiles.py ZSFRAG - every kernel profile on both arches replays
the mixed trace of test_cli_determinism.py (3000 events, 4 MiB machine) with
every policy its kernel has on and the invariant walk after every third event
(--check-every 3): a clean exit, no payload mismatch, and what each profile
may do:
  - one manual compaction per `c` where the profile has zs_compact (all but
    v3.18, which has none at all);
  - shrinker compactions (kswapd, direct reclaim) and forks served after
    reclaim only from 4.3;
  - zspage pages moved by kernel compaction only from 4.8 (migration);
  - a policy the kernel does not have is refused (exit 64, one line naming the
    profile, the policy and the first profile with it), never run as a no-op;
    without --policy, v3.18 runs none and the others manual.
"""
import json
import os
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
            pols = ["shrinker", "migration"] if p in HAS_MIGRATION else \
                ["shrinker"] if p in HAS_SHRINKER else []
            if p != "v3.18":
                pols = ["manual", "periodic", "threshold", "on-pgd-failure"] + pols
            rc, so, se = c.run("replay", trace, "--config", cfg, "--profile", p, "--arch", arch,
                               "--policy", ",".join(pols) or "none",
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
            shrinks = sum(t in ("kswapd", "direct reclaim") for t in trig)
            if p not in HAS_SHRINKER:
                c.eq(shrinks, 0, "%s: shrinker runs" % name)
                c.eq(final["forks"]["outcomes"]["reclaim"], 0, "%s: reclaim forks" % name)
            elif arch == "arm32":
                # the trace's pressure comes from order-2 pgds; x86_64's pgd is order 1
                c.check(shrinks > 0, "%s: the shrinker never ran" % name)
            if p not in HAS_MIGRATION:
                c.eq(final["kcompact"]["zs_pages_migrated"], 0,
                     "%s: zspage pages migrated" % name)
            c.eq(final["pool_pages"] * 4096, final["mm_stat"]["mem_used_total"],
                 "%s: pool pages vs mem_used_total" % name)
    refusals(c, trace)
    c.finish()


FIRST = {"manual": "rfc2014", "shrinker": "v4.3", "migration": "v4.8"}


def refusals(c, trace):
    """What a profile's kernel lacks is an error, the same in replay, compare and sweep."""
    for p in PROFILES:
        for pol in ("manual", "shrinker", "migration"):
            has = {"manual": p != "v3.18", "shrinker": p in HAS_SHRINKER,
                   "migration": p in HAS_MIGRATION}[pol]
            if has:
                continue
            out = c.path("refused.json")
            rc, so, se = c.run("replay", trace, "--profile", p, "--policy", "manual+" + pol
                               if pol != "manual" and p != "v3.18" else pol, "--json", out)
            name = "%s %s" % (p, pol)
            c.eq(rc, 64, "%s: exit code (stderr %r)" % (name, se))
            c.eq(len(se.splitlines()), 1, "%s: one line (%r)" % (name, se))
            c.check(("profile %s cannot honour policy %s" % (p, pol)) in se and
                    ("profiles from %s on have it" % FIRST[pol]) in se, "%s: %r" % (name, se))
            c.check(not os.path.exists(out), "%s: results written" % name)
    # targeted needs zs_compact; grouped is page placement alone, which every kernel can do
    rc, so, se = c.run("replay", trace, "--profile", "v3.18", "--policy", "targeted", "-q",
                       "--json", "-")
    c.check(rc == 64 and "cannot honour policy targeted" in se and "zs_compact" in se,
            "v3.18 targeted: exit %d (%r)" % (rc, se))
    rc, so, se = c.run("replay", trace, "--profile", "v3.18", "--policy", "grouped", "-q",
                       "--json", "-")
    c.eq(rc, 0, "v3.18 grouped: exit (%r)" % se)
    if rc == 0:
        c.eq(json.loads(so)["inputs"]["policies"], "grouped", "v3.18 grouped: policies")
    # without --policy: manual where zs_compact exists, none on v3.18 (nothing refused)
    for p, want in (("v3.18", "none"), ("v4.1", "manual")):
        rc, so, se = c.run("replay", trace, "--profile", p, "-q", "--json", "-")
        c.eq(rc, 0, "%s default policy: exit (%r)" % (p, se))
        if rc == 0:
            c.eq(json.loads(so)["inputs"]["policies"], want, "%s default policy" % p)
    # compare: refused before any run, naming the variant, pointing at --variants
    rc, so, se = c.run("compare", trace, "--profiles", "v4.1", "--policies",
                       "shrinker,migration", "--out", "cmp", "-q")
    c.eq(rc, 64, "compare v4.1 shrinker: exit code (%r)" % se)
    c.check("variant v4.1 shrinker: profile v4.1 cannot honour policy shrinker" in se and
            "--variants" in se, "compare stderr %r" % se)
    c.check(not os.path.exists(c.path("cmp")), "compare created its directory before refusing")
    rc, so, se = c.run("compare", trace, "--variants", "v4.1:manual+migration", "--out", "cmp",
                       "-q")
    c.eq(rc, 64, "compare --variants v4.1:manual+migration: exit code (%r)" % se)
    c.check("cannot honour policy migration" in se, "compare --variants stderr %r" % se)
    # sweep: expand (and --count) refuse the spec; run refuses the point
    spec = c.write("sweep.json", json.dumps({"traces": [trace], "profiles": ["v6.12", "v4.1"],
                                             "policies": ["none", "manual+migration"]}))
    for args in (["expand", spec], ["expand", spec, "--count"],
                 ["run", spec, "--index", "3", "--out", "pts"]):
        rc, so, se = c.run("sweep", *args)
        c.check(rc != 0 and so == "", "sweep %s: exit %d, stdout %r" % (args[:1], rc, so))
        c.check("v4.1 manual+migration" in se and "cannot honour policy migration" in se,
                "sweep %s: stderr %r" % (args, se))
    c.check(not os.path.exists(c.path("pts/point-00003.json")), "sweep run wrote the point")


if __name__ == "__main__":
    main()
