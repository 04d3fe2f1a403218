#!/usr/bin/env python3
"""test_cli_results_format.py ZSFRAG - results files say their layout version,
and an older file stays readable.

A replay writes "results_format": 2 with per-outcome fork counters. The same
document made into format 1 (no "results_format", forks as an older zsfrag
wrote them: succeeded_by and a failed count of forks without a pgd) is read
by `zsfrag plot regress` beside the new one: the table shows the metrics
both have, says on stderr that the old file is format 1, and gives its
stalls and OOM kills no number (a ratio over "-" is no ratio).

The machine is tests/cli/pgd.json's, whose fork on fragmented memory needs
an OOM kill under v4.1 (test_cli_pgd.py has the derivation).
"""
import json
import os

from clitest import Checker, data
from test_cli_pgd import make_trace


def main():
    c = Checker()
    trace = c.write("pgd.trace", make_trace("u"))
    os.makedirs(c.path("new"))
    os.makedirs(c.path("old"))
    new = c.path("new/run.json")
    rc, so, se = c.run("replay", trace, "--config", data("pgd.json"), "--profile", "v4.1",
                       "--policy", "manual", "--json", new, "--no-timing", "-q")
    c.eq(rc, 0, "replay exit (stderr %r)" % se)
    with open(new) as f:
        doc = json.load(f)
    c.eq(doc.get("results_format"), 2, "results_format")
    fk = doc["snapshots"][-1]["forks"]
    c.eq((fk["outcomes"]["oom_kill"], fk["stalls"], fk["failed"]), (1, 1, 0),
         "format 2: the fork needed an OOM kill")

    # what an older zsfrag wrote: no version, succeeded_by, the fork counted as failed
    del doc["results_format"]
    for s in doc["snapshots"]:
        f = s["forks"]
        f["succeeded_by"] = {"fast": 0, "kcompact": 0, "shrinker": 0, "zs_compact": 0}
        f["failed"] = f["attempted"] - f["outcomes"]["fast"]
        for k in ("outcomes", "stalls", "oom_kills", "stall_reasons"):
            del f[k]
    with open(c.path("old/run.json"), "w") as f:
        json.dump(doc, f)

    rc, so, se = c.run("plot", "regress", "old", "new", "--metric", "pool_end", "--no-figure")
    c.eq(rc, 0, "regress exit (stdout %r, stderr %r)" % (so, se))
    c.check("old/run.json: results format 1" in se and "not recorded" in se,
            "no format-1 note on stderr: %r" % se)
    c.check("new/run.json" not in se, "a format-2 file was noted: %r" % se)
    rows = {l.split()[0]: l for l in so.splitlines() if l.strip()}
    c.check("pool_end" in rows, "pool_end row missing: %r" % so)
    for m in ("forks_stalled", "forks_oom_kill"):
        c.check(m not in rows or "-" in rows[m].split()[1:],
                "%s compared across formats: %r" % (m, rows.get(m)))
    c.finish()


if __name__ == "__main__":
    main()
