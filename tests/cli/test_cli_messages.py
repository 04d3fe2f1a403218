#!/usr/bin/env python3
"""test_cli_messages.py ZSFRAG - what the CLI says when something is off: one line on stderr
naming the file, no line numbers for a file that never opened, no raw non-UTF-8 bytes, --help
wherever a user would type it, and the facts the summary owes (allocation failures).
"""
import json
import os

from clitest import Checker

EX_USAGE, EX_DATAERR, EX_NOINPUT = 64, 65, 66


def one_line(c, what, rc, err, code, *needles):
    c.eq(rc, code, "%s: exit code (stderr %r)" % (what, err))
    c.eq(len(err.splitlines()), 1, "%s: one line on stderr: %r" % (what, err))
    for n in needles:
        c.check(n in err, "%s: stderr %r lacks %r" % (what, err, n))


def helps(c):
    # sweep's actions take --help anywhere, as the other commands do
    for args in (["expand", "--help"], ["run", "--help"], ["merge", "--help"],
                 ["run", "spec.json", "--index", "0", "-h"]):
        rc, out, err = c.run("sweep", *args)
        c.eq(rc, 0, "sweep %s: exit code (stderr %r)" % (args, err))
        c.check(out.startswith("usage: zsfrag sweep expand") and err == "",
                "sweep %s: stdout %r stderr %r" % (args, out[:60], err))
    # every command and action: --help is usage on stdout, exit 0, nothing on stderr
    for cmd in ("classes", "gen", "replay", "trace", "trace info", "trace convert", "trace cat",
                "trace validate", "trace from-process", "trace from-core", "trace from-capture",
                "compare", "plot", "plot timeseries", "plot classes", "plot compare",
                "plot regress", "sweep", "sweep expand", "sweep run", "sweep merge"):
        rc, out, err = c.run(*(cmd.split() + ["--help"]))
        c.check(rc == 0 and "usage" in out and err == "",
                "%s --help: exit %d, stdout %r, stderr %r" % (cmd, rc, out[:40], err))
    rc, out, _ = c.run("compare", "--help")
    c.check(rc == 0 and "--variants" in out and "PROFILE:POLICIES" in out,
            "compare --help names --variants")
    rc, out, _ = c.run("gen", "--help")
    c.check(rc == 0 and "text format v1" not in out and ".ztb" in out and "binary" in out,
            "gen --help says the name picks the format")
    # a bad gen parameter: one line (README: Workloads), exit 64, no output file
    out = c.path("g.trace")
    for p in ("nosuch=1", "duration=abc", "churn.rate"):
        rc, so, se = c.run("gen", "churn", "--param", p, "-o", out)
        one_line(c, "gen --param %s" % p, rc, se, EX_USAGE, "zsfrag gen: ", "--help")
        c.eq(se.count("--help"), 1, "gen --param %s: the hint once: %r" % (p, se))
        c.check(not os.path.exists(out), "gen --param %s left %s" % (p, out))


def json_files(c, good):
    os.mkdir(c.path("adir"))
    # a file that does not open has no line and column
    for args, code in ((["plot", "timeseries", "nosuch.json"], None),
                       (["plot", "classes", "nosuch.json"], None),
                       (["replay", good, "--config", "nosuch.json"], 78),
                       (["sweep", "expand", "nosuch.json"], EX_DATAERR)):
        rc, so, se = c.run(*args)
        c.check(rc != 0, "%s: exit code %d" % (args, rc))
        if code:
            c.eq(rc, code, "%s: exit code" % args)
        c.check("nosuch.json: cannot open: No such file or directory" in se and "-1" not in se,
                "%s: stderr %r" % (args, se))
        c.eq(len(se.splitlines()), 1, "%s: one line" % args)
    rc, so, se = c.run("plot", "timeseries", "adir")
    c.check(rc != 0 and "adir: cannot read: Is a directory" in se, "plot on a directory: %r" % se)
    # bad JSON keeps its position
    bad = c.write("bad.json", '{"snapshots": [1,\n')
    rc, so, se = c.run("plot", "timeseries", bad)
    c.check(rc != 0 and (bad + ":2:") in se, "bad JSON position: %r" % se)


def trace_inputs(c, good):
    os.makedirs(c.path("tdir"), exist_ok=True)
    # a directory as the trace: the file is named
    for args in (["replay", "tdir"], ["trace", "info", "tdir"], ["trace", "cat", "tdir"]):
        rc, so, se = c.run(*args)
        c.check(rc != 0, "%s: exit code" % args)
        c.check(se.splitlines()[:1] == ["zsfrag %s: tdir: read error: Is a directory" %
                                        " ".join(args[:-1])], "%s: stderr %r" % (args, se))
    # a closed stdin
    p = __import__("subprocess").run([c.zsfrag, "replay", "-"], stdin=None, close_fds=True,
                                     capture_output=True, text=True, cwd=c.tmp,
                                     preexec_fn=lambda: os.close(0))
    c.eq(p.returncode, EX_DATAERR, "closed stdin: exit code (%r)" % p.stderr)
    c.check("<stdin>: read error: Bad file descriptor" in p.stderr, "closed stdin: %r" % p.stderr)
    # the header is exact: "zsfrag-trace 01" is not version 1
    t = c.write("h01.trace", "zsfrag-trace 01\nw 0 100\n")
    rc, so, se = c.run("replay", t)
    one_line(c, "zsfrag-trace 01", rc, se, EX_DATAERR, "h01.trace:1: bad trace version in header (01)")


def raw_bytes(c, good):
    # names and values that are not UTF-8 come back as \xNN, never as the raw bytes
    bad = os.fsencode(c.tmp) + b"/\xff\xfeq\x01.trace"
    import subprocess
    p = subprocess.run([os.fsencode(c.zsfrag), b"replay", bad], capture_output=True)
    c.eq(p.returncode, EX_NOINPUT, "non-UTF-8 name: exit code")
    c.check(b"\\xff\\xfeq\\x01.trace: cannot open" in p.stderr, "non-UTF-8 name: %r" % p.stderr)
    c.check(b"\xff" not in p.stderr and b"\x01" not in p.stderr, "raw bytes echoed: %r" % p.stderr)
    p = subprocess.run([os.fsencode(c.zsfrag), b"replay", os.fsencode(good), b"--policy",
                        b"caf\xc3\xa9,\xc3"], capture_output=True)
    c.check(b"unknown policy 'caf\xc3\xa9" in p.stderr or b"\\xc3'" in p.stderr,
            "policy echo: %r" % p.stderr)
    c.check(b"\xc3'" not in p.stderr, "a stray byte echoed raw: %r" % p.stderr)
    # replay --json keeps the trace's name, escaped losslessly, when it is not UTF-8
    name = os.fsencode(c.tmp) + b"/a\\b\xff.trace"
    with open(good, "rb") as f, open(name, "wb") as g:
        g.write(f.read())
    p = subprocess.run([os.fsencode(c.zsfrag), b"replay", name, b"-q", b"--json", b"-"],
                       capture_output=True)
    c.eq(p.returncode, 0, "non-UTF-8 trace: exit code (%r)" % p.stderr)
    if p.returncode == 0:
        inp = json.loads(p.stdout)["inputs"]
        c.eq(inp.get("trace"), c.tmp + "/a\\\\b\\xff.trace", "inputs.trace escaped")
        c.eq(inp.get("trace_escaped"), True, "inputs.trace_escaped")
        # undo the two escapes: the bytes of the name
        raw = inp["trace"].encode()
        back, i = b"", 0
        while i < len(raw):
            if raw[i:i + 2] == b"\\\\":
                back, i = back + b"\\", i + 2
            elif raw[i:i + 2] == b"\\x":
                back, i = back + bytes([int(raw[i + 2:i + 4], 16)]), i + 4
            else:
                back, i = back + raw[i:i + 1], i + 1
        c.eq(back, name, "the escape is lossless")
    rc, so, _ = c.run("replay", good, "-q", "--json", "-")
    inp = json.loads(so)["inputs"]
    c.check(inp["trace"] == good and "trace_escaped" not in inp, "a UTF-8 name is as it is")


def summary(c):
    # a 4 MiB machine (1024 pages, 16 kept by min_free_kbytes 64): 1100 order-0 `g` blocks,
    # then 3 objects with no page left: 1008 held, 92 found no memory, 3 zs_malloc failures
    lines = ["zsfrag-trace 1"] + ["g %d 0 u" % (i + 1) for i in range(1100)] + \
        ["a %d 3000" % (i + 1) for i in range(3)]
    t = c.write("full.trace", "\n".join(lines) + "\n")
    cfg = c.write("tiny.json", json.dumps({"ram_mb": 4, "highmem": False, "pageblock_order": 6,
                                           "min_free_kbytes": 64, "zram_disksize_mb": 1}))
    rc, so, se = c.run("replay", t, "--config", cfg, "--json", c.path("full.json"))
    c.eq(rc, 0, "full machine: exit code (%r)" % se)
    with open(c.path("full.json")) as f:
        other = json.load(f)["snapshots"][-1]["other"]
    c.eq((other["alloc_failures"], other["blocks_live"] + other["block_failures"]), (3, 1100),
         "JSON: failures")
    want = "allocations: 0 `a` objects live, %d zs_malloc failures; %d `g` blocks held, " \
           "%d found no memory" % (other["alloc_failures"], other["blocks_live"],
                                   other["block_failures"])
    c.check(want in so, "summary lacks %r: %r" % (want, so))


def kernel_thread(c):
    # from-process on a kernel thread: it has no user memory (as root too), not "needs root"
    for pid in sorted(int(d) for d in os.listdir("/proc") if d.isdigit()):
        try:
            with open("/proc/%d/stat" % pid) as f:
                flags = int(f.read().rsplit(")", 1)[1].split()[6])
        except (OSError, IndexError, ValueError):
            continue
        if flags & 0x00200000:  # PF_KTHREAD
            break
    else:
        print("note: no kernel thread visible here, from-process case not run")
        return
    out = c.path("kt.trace")
    rc, so, se = c.run("trace", "from-process", pid, "-o", out)
    one_line(c, "from-process on kernel thread %d" % pid, rc, se, EX_DATAERR,
             "pid %d is a kernel thread: it has no user memory" % pid)
    c.check("root" not in se and not os.path.exists(out), "kernel thread: %r" % se)


def sweep_policies(c, good):
    # one point's policies combine with '+', as in compare; ',' is refused, not read as '+'
    spec = c.write("s.json", json.dumps({"traces": [good], "policies": ["none", "manual,periodic"]}))
    rc, so, se = c.run("sweep", "expand", spec, "--count")
    one_line(c, "sweep with ','", rc, se, EX_DATAERR, '"policies": item 1',
             "combine one point's policies with '+'")
    spec = c.write("s.json", json.dumps({"traces": [good], "policies": ["none", "manual+periodic"]}))
    rc, so, se = c.run("sweep", "expand", spec, "--count")
    c.eq((rc, so), (0, "2\n"), "sweep with '+' (%r)" % se)
    rc, so, se = c.run("sweep", "run", spec, "--index", "1", "--out", "pts")
    c.eq(rc, 0, "sweep point manual+periodic (%r)" % se)
    with open(c.path("pts/point-00001.json")) as f:
        c.eq(json.load(f)["inputs"]["policies"], "manual,periodic", "the point's policies")
    # merge of a directory that is not there: one line, nothing leaked (ASan build)
    rc, so, se = c.run("sweep", "merge", "nosuch-dir")
    one_line(c, "sweep merge nosuch-dir", rc, se, EX_NOINPUT, "nosuch-dir")
    c.eq(so, "", "sweep merge nosuch-dir: stdout")
    # replay takes '+' as compare and sweep write it
    rc, so, se = c.run("replay", good, "--policy", "manual+periodic", "-q", "--json", "-")
    c.check(rc == 0 and json.loads(so)["inputs"]["policies"] == "manual,periodic",
            "replay --policy manual+periodic: %r" % se)


def main():
    c = Checker()
    good = c.write("good.trace", "zsfrag-trace 1\nw 0 100\nw 1 3000\nc\ns one\n")
    helps(c)
    json_files(c, good)
    trace_inputs(c, good)
    raw_bytes(c, good)
    summary(c)
    kernel_thread(c)
    sweep_policies(c, good)
    c.finish()


if __name__ == "__main__":
    main()
