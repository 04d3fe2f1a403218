#!/usr/bin/env python3
"""How zsfrag writes its outputs (traces/outfile.h, README: How outputs are written):

- an output that is an input under another name (./x, a hard link, a symlink, stdout
  appended to the input) is refused and the input stays byte for byte;
- a device node, a FIFO and a /dev/fd pipe are written straight through and stay what they
  are; a symlink's target is replaced and the link stays a link; a dangling link, a
  directory are refused and nothing is created;
- a file appears only complete: a failed run leaves an existing output as it was, creates
  nothing, and leaves no temporary file; a replaced file keeps its permission bits;
- a full disk (/dev/full) is "No space left on device", rc 73;
- compare with two traces of the same name writes two distinct results (jobs 1 and 2).

usage: outputs_test.py ZSFRAG
"""
import json
import os
import stat
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Checker  # noqa: E402

c = Checker()
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(name):
    """name's bytes, None when it is gone."""
    try:
        with open(c.path(name), "rb") as f:
            return f.read()
    except OSError:
        return None


def listing():
    return sorted(os.listdir(c.tmp))


def no_temp(what):
    c.check(not [n for n in listing() if ".tmp-" in n], "%s: a temporary file stayed: %r"
            % (what, listing()))


def refused(args, name, what):
    """args must fail with EX_USAGE naming 'the same file', name untouched."""
    before = read(name)
    rc, _, err = c.run(*args)
    c.eq(rc, 64, what + ": rc")
    c.check("the same file" in err, what + ": message: %r" % err)
    c.check(read(name) == before, what + ": the input changed")
    no_temp(what)


# a trace and a config to play with
rc, _, err = c.run("gen", "churn", "--param", "events=3000", "-s", "1", "-o", "t.trace", "-q")
c.eq(rc, 0, "gen: " + err)
c.write("m.json", '{"ram_mb": 64}\n')
trace = read("t.trace")

# ---- 12.1 output over input, by identity ----
os.link(c.path("t.trace"), c.path("hard.trace"))
os.symlink("t.trace", c.path("sym.trace"))
refused(["trace", "convert", "t.trace", "./t.trace"], "t.trace", "convert IN ./IN")
refused(["trace", "convert", "t.trace", "hard.trace"], "t.trace", "convert to a hard link")
refused(["trace", "convert", "t.trace", "sym.trace"], "t.trace", "convert to a symlink")
refused(["trace", "convert", "sym.trace", c.path("t.trace")], "t.trace", "convert from a link")
os.unlink(c.path("hard.trace"))
os.unlink(c.path("sym.trace"))
with open(os.path.join(SRC, "tests/traces/capture/phone.capture"), "rb") as f:
    c.write("p.cap", f.read().decode())
refused(["trace", "from-capture", "p.cap", "-o", "p.cap"], "p.cap", "from-capture -o CAPTURE")
refused(["trace", "from-capture", "p.cap", "-o", "./p.cap"], "p.cap",
        "from-capture -o ./CAPTURE")
c.write("core.x", "not really a core, but ours\n" * 100)
refused(["trace", "from-core", "core.x", "-o", "./core.x"], "core.x", "from-core -o ./CORE")
refused(["replay", "t.trace", "--json", "./t.trace", "-q"], "t.trace", "replay --json TRACE")
refused(["replay", "t.trace", "-c", "m.json", "--json", "m.json", "-q"], "m.json",
        "replay --json CONFIG")
os.symlink("t.trace", c.path("t-manual.json"))
refused(["compare", "t.trace", "-o", ".", "-P", "manual", "-q"], "t.trace",
        "compare: a result that is the trace")
os.unlink(c.path("t-manual.json"))
# stdout appended to the input would read its own output forever
with open(c.path("t.trace"), "ab") as out:
    p = subprocess.run([c.zsfrag, "trace", "convert", "t.trace", "-"], cwd=c.tmp, stdout=out,
                       stderr=subprocess.PIPE, text=True, timeout=60)
c.eq(p.returncode, 64, "convert IN - >> IN: rc")
c.check(read("t.trace") == trace, "convert IN - >> IN: the input changed")

# ---- a failed run creates nothing and keeps what was there ----
c.write("cut.trace", trace.decode()[: len(trace) // 2].rsplit("\n", 2)[0] + "\nbogus line\n")
rc, _, _ = c.run("trace", "convert", "cut.trace", "new.ztb")
c.eq(rc, 65, "convert of a bad trace: rc")
c.check(not os.path.exists(c.path("new.ztb")), "convert of a bad trace created its output")
c.write("old.ztb", "precious\n")
rc, _, _ = c.run("trace", "convert", "cut.trace", "old.ztb")
c.eq(rc, 65, "convert of a bad trace over a file: rc")
c.eq(read("old.ztb"), b"precious\n", "convert of a bad trace: the old output")
no_temp("failed convert")
# a replaced file keeps its mode; a new one gets the umask's
os.chmod(c.path("old.ztb"), 0o640)
rc, _, err = c.run("trace", "convert", "t.trace", "old.ztb")
c.eq(rc, 0, "convert over a file: " + err)
c.eq(stat.S_IMODE(os.stat(c.path("old.ztb")).st_mode), 0o640, "a replaced file's mode")
rc, _, _ = c.run("trace", "cat", "old.ztb")
c.eq(rc, 0, "the converted trace reads back")

# ---- 12.2 what the output name is decides how it is written ----
def json_into(name, args=("replay", "t.trace", "-q", "--json")):
    return c.run(*(list(args) + [name]))


if os.geteuid() == 0:
    os.mknod(c.path("null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    for args in (("replay", "t.trace", "-q", "--json"),
                 ("trace", "convert", "t.trace"), ("gen", "churn", "-q", "-o")):
        rc, _, err = json_into("null", args)
        c.eq(rc, 0, "%s into a device node: %s" % (args[0], err))
        c.check(stat.S_ISCHR(os.stat(c.path("null")).st_mode),
                "%s replaced the device node" % args[0])
else:
    print("skip device nodes: not root")
# a FIFO: read by a thread of ours; the JSON arrives whole
os.mkfifo(c.path("fifo"))
got = []
reader = threading.Thread(target=lambda: got.append(open(c.path("fifo"), "rb").read()))
reader.start()
rc, _, err = json_into("fifo")
reader.join(timeout=60)
c.eq(rc, 0, "replay --json FIFO: " + err)
c.check(stat.S_ISFIFO(os.stat(c.path("fifo")).st_mode), "the FIFO was replaced")
c.check(got and json.loads(got[0])["inputs"]["trace"] == "t.trace", "JSON through the FIFO")
# --json >(jq .): a /dev/fd name of a pipe
p = subprocess.run(["bash", "-c", '"$0" replay t.trace -q --json >(wc -c >fdcount); wait',
                    c.zsfrag], cwd=c.tmp, stderr=subprocess.PIPE, text=True, timeout=60)
c.eq(p.returncode, 0, "replay --json >(...): " + p.stderr)
# a symlink: the target is replaced, the link stays
c.write("target.json", "old\n")
os.symlink("target.json", c.path("link.json"))
rc, _, err = json_into("link.json")
c.eq(rc, 0, "replay --json LINK: " + err)
c.check(os.path.islink(c.path("link.json")), "the symlink was replaced by a file")
c.check(json.loads(read("target.json"))["inputs"]["trace"] == "t.trace", "the link's target")
rc, _, err = c.run("sweep", "merge", ".", "-o", "link.json")  # merge too goes through it
c.check(os.path.islink(c.path("link.json")), "sweep merge -o LINK replaced the link")
# dangling link, directory: refused, nothing created
os.symlink("nowhere.json", c.path("dangling.json"))
rc, _, err = json_into("dangling.json")
c.eq(rc, 73, "replay --json DANGLING: rc")
c.check(not os.path.exists(c.path("nowhere.json")), "a dangling link's target was created")
c.check(os.path.islink(c.path("dangling.json")), "the dangling link was replaced")
os.mkdir(c.path("adir"))
rc, _, err = json_into("adir")
c.eq(rc, 73, "replay --json DIR: rc")
c.check("directory" in err, "replay --json DIR: message %r" % err)
no_temp("outputs by kind")

# ---- 12.3 full disk ----
for args in (("gen", "churn", "-q", "-o", "/dev/full"),
             ("replay", "t.trace", "-q", "--json", "/dev/full"),
             ("trace", "convert", "t.trace", "/dev/full"),
             ("sweep", "merge", ".", "-o", "/dev/full")):
    rc, _, err = c.run(*args)
    c.eq(rc, 73, "%s to /dev/full: rc" % args[0])
    c.check("No space left on device" in err, "%s to /dev/full: message %r" % (args[0], err))
    c.check(os.path.exists("/dev/full") and stat.S_ISCHR(os.stat("/dev/full").st_mode),
            "/dev/full is still a device")

# ---- a text trace cut at a line boundary: the end line shows it ----
lines = trace.decode().splitlines(keepends=True)
c.check(lines[-1].startswith("e "), "gen's text trace ends with its end line: %r" % lines[-1])
c.write("cut-end.trace", "".join(lines[: len(lines) // 2] + lines[-1:]))
rc, out, err = c.run("trace", "validate", "cut-end.trace")
c.eq(rc, 65, "a cut trace that kept its end line: rc")
c.check("cut or edited" in out, "a cut trace that kept its end line: %r" % out)
c.write("cut-noend.trace", "".join(lines[: len(lines) // 2]))
rc, out, err = c.run("trace", "validate", "cut-noend.trace")
c.eq(rc, 0, "a cut trace without the end line still reads")
c.check("no end line" in err, "validate names a trace without the end line: %r" % err)
rc, out, err = c.run("trace", "validate", "t.trace")
c.check(rc == 0 and "no end line" not in err, "gen's trace validates with its end line")

# ---- 12.4 compare: two traces of the same name ----
os.mkdir(c.path("d1"))
os.mkdir(c.path("d2"))
for d, seed in (("d1", "1"), ("d2", "2")):
    rc, _, err = c.run("gen", "churn", "--param", "events=3000", "-s", seed, "-o",
                       d + "/t.trace", "-q")
    c.eq(rc, 0, "gen %s: %s" % (d, err))
for jobs in ("1", "2"):
    out = "cmp" + jobs
    rc, table, err = c.run("compare", "d1/t.trace", "d2/t.trace", "-P", "manual", "-j", jobs,
                           "-o", out, "-q", "--no-timing")
    c.eq(rc, 0, "compare d1/t d2/t --jobs %s: %s" % (jobs, err))
    names = sorted(os.listdir(c.path(out)))
    c.eq(names, ["t-1-manual.json", "t-2-manual.json"], "compare --jobs %s names" % jobs)
    if len(names) == 2:
        a, b = (json.loads(read(out + "/" + n)) for n in names)
        c.eq((a["inputs"]["trace"], b["inputs"]["trace"]), ("d1/t.trace", "d2/t.trace"),
             "compare --jobs %s: each file has its own trace" % jobs)
        c.check(a["snapshots"][-1] != b["snapshots"][-1],
                "compare --jobs %s: the two runs' numbers are the same" % jobs)
rc, _, err = c.run("compare", "d1/t.trace", "-P", "manual,manual", "-o", "cmp3", "-q")
c.eq(rc, 64, "compare with a variant twice: rc")
c.check("both write" in err, "compare with a variant twice: message %r" % err)

c.finish()
