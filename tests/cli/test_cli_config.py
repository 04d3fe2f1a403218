#!/usr/bin/env python3
"""test_cli_config.py ZSFRAG - the machine config's ranges, data-driven.

tests/cli/configs/invalid/NAME.json must make `zsfrag replay` exit 78
(EX_CONFIG) with one stderr line that starts with the config's path and
contains NAME.expect, and write no results; tests/cli/configs/valid/*.json
(the edges of each range) must replay a small trace cleanly. The same
invalid files seed the config fuzzer's corpus.

`replay --config-keys` (printed from the loader's own tables) must list the
keys README's Configuration table lists, no more and no fewer, the loader
must know every key it lists, and the results' inputs block must record each
(but the four it leaves out on purpose, named in the test).
"""
import glob
import json
import os
import re

from clitest import Checker, data

EX_CONFIG = 78
TRACE = "zsfrag-trace 1\nw 0 100\nk 5\nx 5\ns one\n"


def main():
    c = Checker()
    trace = c.write("t.trace", TRACE)
    out = c.path("out.json")
    bad = sorted(glob.glob(data("configs/invalid/*.json")))
    good = sorted(glob.glob(data("configs/valid/*.json")))
    c.check(len(bad) >= 20 and len(good) >= 3, "cases found: %d invalid, %d valid" %
            (len(bad), len(good)))
    for path in bad:
        name = os.path.basename(path)
        with open(path[:-len(".json")] + ".expect") as f:
            want = f.read().strip()
        rc, so, se = c.run("replay", trace, "--config", path, "--json", out, "-q")
        c.eq(rc, EX_CONFIG, "%s: exit code (stderr %r)" % (name, se))
        c.check(se.startswith("zsfrag replay: %s: " % path), "%s: stderr %r" % (name, se))
        c.check(want in se, "%s: stderr %r lacks %r" % (name, se, want))
        c.eq(len(se.splitlines()), 1, "%s: stderr lines" % name)
        c.check(not os.path.exists(out), "%s: results written" % name)
    for path in good:
        name = os.path.basename(path)
        rc, so, se = c.run("replay", trace, "--config", path, "--json", out, "-q")
        c.eq(rc, 0, "%s: exit code (stderr %r)" % (name, se))
        c.check(os.path.exists(out), "%s: no results" % name)
        if os.path.exists(out):
            os.remove(out)
    check_key_list(c, trace)
    check_pcp_profile(c, trace)
    c.finish()


def check_pcp_profile(c, trace):
    """"pcp": "profile" picks the lists of the profile's kernel: 4.x's before 5.13."""
    cfg = c.write("pcp.json", json.dumps({"pcp": "profile"}))
    want = {"v3.18": "4.x", "rfc2014": "4.x", "v4.1": "4.x", "v4.3": "4.x", "v4.8": "4.x",
            "v6.1": "6.1", "v6.12": "6.12", None: "4.x"}  # replay's default profile: v4.1
    for profile, pcp in sorted(want.items(), key=lambda kv: str(kv[0])):
        out = c.path("pcp-out.json")
        args = ["replay", trace, "--config", cfg, "--json", out, "-q", "--no-timing"]
        if profile:
            args += ["--profile", profile]
        rc, so, se = c.run(*args)
        c.eq(rc, 0, "pcp profile %s: exit code (stderr %r)" % (profile, se))
        if rc == 0:
            with open(out) as f:
                c.eq(json.load(f)["inputs"]["pcp"], pcp, "pcp for profile %s" % profile)


def readme_keys():
    """The keys in the first column of README's Configuration table."""
    with open(data("../../README.md")) as f:
        text = f.read()
    section = text.split("### Configuration", 1)[1].split("\n#", 1)[0]
    keys = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            keys.update(re.findall(r"`([a-z0-9_]+)`", line.split("|")[1]))
    return keys


def check_key_list(c, trace):
    rc, so, se = c.run("replay", "--config-keys")
    c.eq(rc, 0, "--config-keys exit code (stderr %r)" % se)
    listed = set(m.group(1) for m in re.finditer(r"^  ([a-z0-9_]+) ", so, re.M))
    c.check(len(listed) >= 40, "--config-keys lists %d keys" % len(listed))
    documented = readme_keys()
    c.eq(sorted(listed - documented), [], "keys listed but not in README's table")
    c.eq(sorted(documented - listed), [], "keys in README's table but not listed")
    # the results' inputs block records every key, but those it leaves out on purpose
    rc, so, se = c.run("replay", trace, "--json", c.path("inputs.json"), "-q", "--no-timing")
    c.eq(rc, 0, "replay for the inputs block (stderr %r)" % se)
    if rc == 0:
        with open(c.path("inputs.json")) as f:
            inputs = json.load(f)["inputs"]
        # host_thp, host_prefault, host_reader_thread: host side only; free_blocks, pageblocks: recorded only when given;
        # fork_slab: recorded as fork_slab_pages unless "slub"; fork_slab_start only when given
        unrecorded = {"host_thp", "host_prefault", "host_reader_thread", "free_blocks",
                      "pageblocks", "fork_slab", "fork_slab_start"}
        c.eq(sorted(listed - set(inputs) - unrecorded), [], "keys missing from results' inputs")
    # a value of the wrong type: refused for its value, never as an unknown key
    for key in sorted(listed):
        cfg = c.write("key.json", json.dumps({key: "?"}))
        rc, so, se = c.run("replay", trace, "--config", cfg, "-q")
        c.eq(rc, EX_CONFIG, "%s given \"?\": exit code (stderr %r)" % (key, se))
        c.check("unknown key" not in se, "%s: the loader does not know it: %r" % (key, se))


if __name__ == "__main__":
    main()
