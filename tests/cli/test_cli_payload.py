#!/usr/bin/env python3
"""test_cli_payload.py ZSFRAG - payload modes and the look-ahead change what
the host keeps and how fast it runs, never what the emulated machine does.

A generated trace (zram churn beside other users' pages, forks and
compaction requests) on a tight 40 MiB x86_64 v6.1 machine with manual,
migration, on-pgd-failure and shrinker compaction, so that writes fail,
forks need OOM kills and zs_compact runs; the trace ends with v and s.

  - --payload full, header and none give the same results document (pool,
    classes, buddy state, forks, vmstat, compactions, every snapshot) but
    for inputs.payload and the verify records' objects_checked, which only
    full can fill (header and none keep no payload bytes);
  - --check-every walks the invariants in every mode without a failure;
  - the summary's verify line says what each mode checked;
  - --lookahead 0, the default and 16 give byte-identical documents and
    summaries, and so does a replay without the host's huge pages, prefault
    thread and decoding thread (host_thp, host_prefault, host_reader_thread
    false: host side only);
  - auto is full on a small machine; a bad mode is a usage error (64), a
    bad config value a config error (78).
"""
import json

from clitest import Checker

MACHINE = {"profile": "v6.1", "arch": "x86_64", "ram_mb": 40, "lowmem_mb": 40,
           "max_order": 11, "pageblock_order": 9, "zram_disksize_mb": 64,
           "policies": "manual,migration,on-pgd-failure,shrinker"}


def main():
    c = Checker()
    cfg = c.write("m.json", json.dumps(MACHINE))
    rc, _, err = c.run("gen", "appswitch,forkstorm,pressure,churn", "--param", "duration=60",
                       "--param", "compact=10", "--param", "churn.target=6000", "--param",
                       "disksize_mb=64", "--param", "events=30000", "--seed", "3", "-q", "-o",
                       "t.trace")
    if not c.eq(rc, 0, "gen: " + err):
        return c.finish()
    with open(c.path("t.trace")) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("e ")]
    c.write("t.trace", "\n".join(lines + ["c", "v", "s end"]) + "\n")

    docs, outs = {}, {}
    for mode in ("full", "header", "none"):
        rc, out, err = c.run("replay", "t.trace", "--config", cfg, "--no-timing", "--payload",
                             mode, "--check-every", "2000", "--json", mode + ".json")
        c.eq(rc, 0, "replay --payload %s: %s" % (mode, err))
        with open(c.path(mode + ".json")) as f:
            docs[mode] = json.load(f)
        outs[mode] = out
    full = docs["full"]
    c.check(full["compactions"], "the trace runs compactions")
    c.check(full["snapshots"][-1]["forks"]["oom_kills"] > 0, "forks need OOM kills")
    c.check(full["verify"] and all(v["objects_checked"] > 0 for v in full["verify"]),
            "full compares objects at v: %r" % full["verify"])
    c.check("0 mismatches (payload full" in outs["full"], "full's verify line")
    for mode in ("full", "header", "none"):
        c.eq(docs[mode]["inputs"]["payload"], mode, "inputs.payload")
    for mode in ("header", "none"):
        d = docs[mode]
        c.check(all(v["objects_checked"] == 0 and v["mismatches"] == 0 for v in d["verify"]),
                "%s compares no bytes: %r" % (mode, d["verify"]))
        c.check("payload %s: no object bytes kept" % mode in outs[mode],
                "%s's verify line says so: %s" % (mode, outs[mode]))
        for k in ("snapshots", "compactions"):
            c.check(d[k] == full[k], "%s: %s as with full payloads" % (mode, k))
        c.eq(len(d["verify"]), len(full["verify"]), "%s: verify records" % mode)
        c.eq([v["event_index"] for v in d["verify"]],
             [v["event_index"] for v in full["verify"]], "%s: verify events" % mode)
        a = dict(d["inputs"], payload=None)
        b = dict(full["inputs"], payload=None)
        c.check(a == b, "%s: inputs but payload as full's" % mode)
        c.eq(outs[mode].splitlines()[:-1], outs["full"].splitlines()[:-1],
             "%s: summary but the verify line" % mode)

    ref = None
    bare = c.write("bare.json", json.dumps(dict(MACHINE, host_thp=False, host_prefault=False,
                                                host_reader_thread=False)))
    for la, mcfg in (("0", cfg), (None, cfg), ("16", cfg), (None, bare)):
        args = ["replay", "t.trace", "--config", mcfg, "--no-timing", "--json", "la.json"]
        if la is not None:
            args += ["--lookahead", la]
        rc, out, err = c.run(*args)
        c.eq(rc, 0, "replay --lookahead %s, %s: %s" % (la, mcfg, err))
        with open(c.path("la.json"), "rb") as f:
            got = f.read()
        if mcfg == bare:  # the inputs block records neither host key: the document is the same
            c.check(b"host_" not in got, "host keys are not recorded")
        got = (got, out)
        if ref is None:
            ref = got
        else:
            c.check(got == ref, "--lookahead %s, %s: byte-identical to --lookahead 0" % (la, mcfg))

    rc, _, _ = c.run("replay", "t.trace", "--config", cfg, "--no-timing", "--payload", "auto",
                     "--json", "auto.json", "-q")
    with open(c.path("auto.json")) as f:
        c.eq(json.load(f)["inputs"]["payload"], "full", "auto on a 40 MiB machine")
    rc, _, err = c.run("replay", "t.trace", "--payload", "some")
    c.eq(rc, 64, "bad --payload")
    c.check("bad --payload 'some'" in err, "bad --payload message: " + err)
    rc, _, err = c.run("replay", "t.trace", "--lookahead", "17")
    c.eq(rc, 64, "--lookahead beyond 16")
    bad = c.write("bad.json", '{"payload": "most"}')
    rc, _, err = c.run("replay", "t.trace", "--config", bad)
    c.eq(rc, 78, "bad payload key")
    c.check('key "payload"' in err, "bad payload key message: " + err)
    return c.finish()


if __name__ == "__main__":
    main()
