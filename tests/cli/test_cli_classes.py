#!/usr/bin/env python3
"""test_cli_classes.py ZSFRAG - `zsfrag classes`: the JSON document's shape and figures against
the facts sheet, the text table agreeing with the JSON, and bad arguments refused cleanly."""
import json

from clitest import Checker

c = Checker()

# JSON: the documented keys, and the verified 6.1 / 6.12 figures
for profile, distinct, huge in (("v6.1", 69, 3257), ("v6.12", 119, 3625), ("v3.18", 255, 3265),
                                ("rfc2014", 69, 3257)):
    rc, out, err = c.run("classes", "--profile", profile, "--arch", "x86_64", "--json")
    if not c.eq(rc, 0, "%s --json exit (stderr %r)" % (profile, err)):
        continue
    doc = json.loads(out)
    for key in ("profile", "page_size", "distinct_classes", "huge_class_size", "classes"):
        c.check(key in doc, "%s: key %s" % (profile, key))
    c.eq(doc["profile"], profile, "profile name")
    c.eq(doc["page_size"], 4096, "%s page size" % profile)
    c.eq(doc["distinct_classes"], distinct, "%s distinct classes" % profile)
    c.eq(doc["huge_class_size"], huge, "%s huge_class_size" % profile)
    cls = doc["classes"]
    c.eq(len(cls), 255, "%s class indices" % profile)
    c.eq(sum(1 for x in cls if x["merged_into"] == x["index"]), distinct,
         "%s: classes that are their own" % profile)
    for x in cls:
        c.eq(sorted(x), sorted(["index", "size", "pages_per_zspage", "objs_per_zspage",
                                "merged_into", "huge"]), "class keys")
        # objs = pages * PAGE_SIZE / size, and an alias points at a larger, real class
        c.eq(x["objs_per_zspage"], x["pages_per_zspage"] * 4096 // x["size"], "objs of %d" % x["index"])
        own = cls[x["merged_into"]]
        c.check(own["merged_into"] == own["index"] and own["index"] >= x["index"],
                "%s: index %d merged into %d" % (profile, x["index"], x["merged_into"]))
        c.eq(x["huge"], x["pages_per_zspage"] == 1 and x["objs_per_zspage"] == 1, "huge flag")

# 3.18 merges no classes (3.19 brought can_merge): 656 B has class 39 (1 page, 6 objects) to
# itself and 672 B class 40, where the RFC and 3.19+ alias 39 to 40
rc, out, _ = c.run("classes", "--profile", "v3.18", "--json")
cls = json.loads(out)["classes"]
c.eq([cls[39][k] for k in ("size", "pages_per_zspage", "objs_per_zspage", "merged_into")],
     [656, 1, 6, 39], "v3.18 class 39")
c.eq([cls[40][k] for k in ("size", "pages_per_zspage", "objs_per_zspage", "merged_into")],
     [672, 1, 6, 40], "v3.18 class 40")
rc, out, _ = c.run("classes", "--profile", "rfc2014", "--json")
c.eq(json.loads(out)["classes"][39]["merged_into"], 40, "rfc2014 merges 39 into 40")
rc, out, _ = c.run("classes", "--profile", "v3.18")
c.check("255 class indices, 255 distinct classes" in out, "v3.18 text summary line")

# text output: the same figures as JSON
rc, out, _ = c.run("classes", "--profile", "v6.1", "--arch", "x86_64")
c.eq(rc, 0, "text exit")
c.check("69 distinct classes" in out and "huge_class_size 3257" in out, "text summary line")
rc, out, _ = c.run("classes", "--profile", "v6.12", "--chain-size", "16", "--json")
c.eq(json.loads(out)["distinct_classes"], 192, "chain size 16")
rc, out, _ = c.run("classes", "--profile", "v6.1", "--arch", "arm32", "--json")
c.eq(json.loads(out)["huge_class_size"], 3261, "arm32 huge_class_size")
# the defaults are replay's machine (v4.1 on arm32), so both show the same classes
rc, out, _ = c.run("classes", "--json")
doc = json.loads(out)
c.eq((doc["profile"], doc["arch"]), ("v4.1", "arm32"), "default profile and arch")
c.eq(doc["huge_class_size"], 3261, "v4.1 arm32 huge_class_size")
rc, out, _ = c.run("classes", "--profile", "v6.1", "--page-size", "16384", "--json")
c.eq(len(json.loads(out)["classes"]), 257, "16 KiB pages: class indices")

# bad arguments: one clear line, non-zero exit, nothing on stdout
for args, needle in ((["--profile", "v9.9"], "unknown profile"),
                     (["--profile", "v6.12", "--chain-size", "3"], "out of range"),
                     (["--profile", "v6.12", "--chain-size", "17"], "out of range"),
                     (["--profile", "v6.1", "--chain-size", "8"], "fixed chain size"),
                     (["--page-size", "8192"], "bad --page-size '8192'"),
                     (["--page-size", "abc"], "bad --page-size 'abc'"),
                     (["--arch", "mips"], "unknown arch"),
                     (["--bogus"], "option"),
                     (["extra"], "unexpected argument")):
    rc, out, err = c.run("classes", *args)
    c.check(rc != 0, "%s: exit code %d" % (args, rc))
    c.check(needle in err, "%s: stderr %r lacks %r" % (args, err, needle))
    c.eq(out, "", "%s: stdout" % args)
rc, out, _ = c.run("classes", "--help")
c.check(rc == 0 and "--chain-size" in out, "--help")
c.finish()
