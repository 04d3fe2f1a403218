#!/usr/bin/env python3
"""test_cli_errors.py ZSFRAG - `zsfrag replay` refuses bad traces and bad
input: a non-zero exit (sysexits), one clear message on stderr, nothing on
stdout, and no results file (even when snapshots were taken before the
error: the JSON is written only after a clean run).

Trace cases (tests/cli/traces, replayed on tests/cli/small.json: 4 MiB,
4 orders, a 1 MiB zram disk of 256 slots) and the line each one breaks at;
the message must read `FILE:LINE: what`.
"""
import os

from clitest import Checker, data

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_CONFIG = 64, 65, 66, 78

TRACE_CASES = [
    # file, line, what the message must say
    ("free_unknown.trace", 5, "free of an unknown object ID (2)"),
    ("reuse_live.trace", 6, "reuse of a live object ID (1)"),
    ("slot_beyond.trace", 6, "slot 256 beyond the zram disk (256 slots)"),
    ("exit_unknown.trace", 6, "exit of an unknown PID (1)"),
    ("put_unknown.trace", 5, "put of an unknown block ID (2)"),
    ("order_beyond.trace", 5, "block order 4 beyond the machine's 4 orders"),
    ("time_backwards.trace", 4, "time goes backwards"),
]


def no_output(c, name, json_path):
    c.check(not os.path.exists(json_path), "%s: %s was written" % (name, json_path))
    c.check(not os.path.exists(json_path + ".tmp"), "%s: %s.tmp left behind" % (name, json_path))


def trace_errors(c):
    cfg = data("small.json")
    for name, line, what in TRACE_CASES:
        src = data(os.path.join("traces", name))
        out = c.path(name + ".json")
        # --check-every 1 too: the invariant walk must not mask the trace error
        for extra in ([], ["--check-every", "1"]):
            rc, so, se = c.run("replay", src, "--config", cfg, "--json", out, *extra)
            c.eq(rc, EX_DATAERR, "%s %s: exit code" % (name, extra))
            want = "zsfrag replay: %s:%d: %s" % (src, line, what)
            c.check(se.startswith(want), "%s: stderr %r does not start with %r" % (name, se, want))
            c.eq(len(se.splitlines()), 1, "%s: stderr lines" % name)
            c.eq(so, "", "%s: stdout" % name)
            no_output(c, name, out)
        # the same trace with the error line cut off replays cleanly and writes JSON
        with open(src) as f:
            lines = f.read().splitlines()
        ok = c.write("ok_" + name, "\n".join(lines[:line - 1]) + "\n")
        rc, so, se = c.run("replay", ok, "--config", cfg, "--json", out, "-q")
        c.eq(rc, 0, "%s without its bad line: exit code (stderr %r)" % (name, se))
        c.check(os.path.exists(out), "%s without its bad line: no JSON" % name)

    # a trace whose page size differs from the machine's: refused before the first event
    t = c.write("p16k.trace", "zsfrag-trace 1\n! page_size 16384\nw 0 100\n")
    out = c.path("p16k.json")
    rc, so, se = c.run("replay", t, "--json", out)
    c.eq(rc, EX_DATAERR, "page size mismatch: exit code")
    c.check("page size 16384 differs" in se, "page size mismatch: stderr %r" % se)
    no_output(c, "page size mismatch", out)


def bad_input(c):
    good = c.write("good.trace", "zsfrag-trace 1\nw 0 100\ns one\n")
    c.write("unknown_key.json", '{"ram_mb": 4, "zram_mem_limit": 1}\n')
    c.write("bad_type.json", '{"ram_mb": "four"}\n')
    c.write("not_json.json", '{"ram_mb": 4,\n')
    c.write("bad_profile.json", '{"profile": "v2.6"}\n')
    c.write("bad_policy.json", '{"policies": ["manual", "sometimes"]}\n')
    cases = [
        # args, exit code, what the first stderr line must contain
        (["--profile", "v5.0"], EX_USAGE, "unknown profile 'v5.0'"),
        (["--arch", "mips"], EX_USAGE, "unknown arch 'mips'"),
        (["--policy", "manual,often"], EX_USAGE, "unknown policy 'often'"),
        (["--policy", ""], EX_USAGE, "unknown policy '(empty)'"),
        (["--policy", "manual,"], EX_USAGE, "unknown policy '(empty)'"),
        (["--check-every", "x"], EX_USAGE, "bad --check-every 'x'"),
        (["--check-every", "-1"], EX_USAGE, "bad --check-every '-1'"),
        (["--check-every", " 5"], EX_USAGE, "bad --check-every ' 5'"),
        (["--check-every", "1e3"], EX_USAGE, "bad --check-every '1e3'"),
        (["--check-every", ""], EX_USAGE, "bad --check-every ''"),
        (["--check-every", "99999999999999999999"], EX_USAGE,
         "bad --check-every '99999999999999999999'"),
        (["--seed", "abc"], EX_USAGE, "bad seed 'abc'"),
        (["--config", "unknown_key.json"], EX_CONFIG, 'unknown key "zram_mem_limit"'),
        (["--config", "bad_type.json"], EX_CONFIG, 'key "ram_mb": expected an integer'),
        (["--config", "not_json.json"], EX_CONFIG, "not_json.json:"),
        (["--config", "bad_profile.json"], EX_CONFIG, 'unknown profile "v2.6"'),
        (["--config", "bad_policy.json"], EX_CONFIG, 'unknown policy "sometimes"'),
        (["--config", "missing.json"], EX_CONFIG, "missing.json"),
        (["--bogus-option"], EX_USAGE, "bad option"),
    ]
    for args, code, what in cases:
        out = c.path("bad.json.out")
        if os.path.exists(out):
            os.remove(out)
        rc, so, se = c.run("replay", good, "--json", out, *args)
        first = se.splitlines()[0] if se else ""
        c.eq(rc, code, "%s: exit code (stderr %r)" % (args, se))
        c.check(first.startswith("zsfrag replay: ") or first.startswith("zsfrag: ") or
                "unrecognized option" in first,
                "%s: first stderr line %r" % (args, first))
        c.check(what in se, "%s: stderr %r lacks %r" % (args, se, what))
        c.check(len(se.splitlines()) <= 3, "%s: stderr is not short: %r" % (args, se))
        c.eq(so, "", "%s: stdout" % args)
        no_output(c, str(args), out)

    # a missing trace file, and no trace at all
    out = c.path("missing.json.out")
    rc, so, se = c.run("replay", "no_such.trace", "--json", out)
    c.eq(rc, EX_NOINPUT, "missing trace: exit code")
    c.check(se.startswith("zsfrag replay: no_such.trace") and "No such file" in se,
            "missing trace: stderr %r" % se)
    c.eq(len(se.splitlines()), 1, "missing trace: stderr lines")
    no_output(c, "missing trace", out)
    rc, so, se = c.run("replay")
    c.eq(rc, EX_USAGE, "no trace: exit code")
    c.check("no trace given" in se, "no trace: stderr %r" % se)
    rc, so, se = c.run("replay", good, good)
    c.eq(rc, EX_USAGE, "two traces: exit code")

    # and the good trace itself is fine with every option at a sane value
    rc, so, se = c.run("replay", good, "--profile", "v6.12", "--arch", "x86_64", "--policy",
                       "manual,periodic", "--check-every", "1", "--seed", "7", "-q",
                       "--json", out)
    c.eq(rc, 0, "good run: exit code (stderr %r)" % se)
    c.check(os.path.exists(out), "good run: JSON written")


def main():
    c = Checker()
    trace_errors(c)
    bad_input(c)
    c.finish()


if __name__ == "__main__":
    main()
