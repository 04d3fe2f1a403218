#!/usr/bin/env python3
"""test_cli_e2e.py ZSFRAG - replay tests/cli/traces/e2e_snapshots.trace and
check every snapshot against a calculation made here, from the class table
(`zsfrag classes --json`) and the trace's own sequence of allocations and
frees, without the simulator's code.

The model (v4.1, arm32, 4 KiB pages, zram's defaults):
  - a zram write of LEN bytes stores a PAGE_SIZE object when LEN >= 3073
    (v4.1 zram: more than max_zpage_size = 3/4 page), else LEN bytes; a `z`
    stores nothing (same_pages); `a ID SIZE` stores SIZE bytes;
  - zs_malloc(n) uses the smallest distinct class of at least n + 4 bytes
    (4.1+ prefixes every object with its handle, 4 bytes on 32-bit), except
    PAGE_SIZE objects which go to the huge class (the handle lives in the
    page: no header);
  - a class's objects fill its zspages; a new object goes into the class's
    partial zspage, or a new zspage when none is partial. The model refuses
    (asserts) to place an object when the class has more than one partial
    zspage, where each kernel era chooses differently: the trace avoids it;
  - a zspage is freed with its last object; an overwrite allocates the new
    object before it frees the old one;
  - a compaction (`c`, policy manual) frees nothing in a class with at most
    one partial zspage (no destination besides the source); in a class of
    two objects per zspage every partial zspage holds one object, and
    pairing them frees one zspage per pair. The model asserts the trace
    has no other case.
Per snapshot it derives each class's obj_allocated, obj_used, pages_used;
pool_pages, ideal_pages, the mm_stat fields, free_pages (every frame but
the pool's and the forks', of 1 GiB), fork counters; the compaction record's
pages freed; and the objects a `v` checks.
"""
import json
import math
import subprocess

from clitest import Checker, data

PAGE = 4096
HEADER = 4
ZRAM_HUGE_AT = PAGE // 4 * 3 + 1   # 3073
RAM_PAGES = (1 << 30) // PAGE      # the default machine: 1 GiB
# a v4.1 ARM fork (sim/fork.c): pgd 4 + order-1 kernel stack 2 + slab 2 + page tables and
# first COW pages 11; memory is ample, so every fork takes them straight from the free lists
FORK_PAGES = 19


class Model:
    def __init__(self, table):
        self.distinct = sorted((c for c in table["classes"] if c["merged_into"] == c["index"]),
                               key=lambda c: c["size"])
        self.huge = [c for c in self.distinct if c["size"] == PAGE][0]
        self.zspages = {c["index"]: [] for c in self.distinct}   # class -> list of sets
        self.where = {}        # object key -> (class index, zspage set)
        self.slots = {}        # slot -> ("same", 0) or (object key, stored bytes)
        self.raw = {}          # raw ID -> object key
        self.next_key = 0
        self.pids = 0
        self.pages_compacted = 0
        self.events = 0
        self.huge_since = 0

    def cls(self, nbytes):
        if nbytes == PAGE:
            return self.huge
        return next(c for c in self.distinct if c["size"] >= nbytes + HEADER)

    def alloc(self, nbytes):
        c = self.cls(nbytes)
        zs = self.zspages[c["index"]]
        partial = [z for z in zs if len(z) < c["objs_per_zspage"]]
        assert len(partial) <= 1, "trace outside the model: class %d" % c["size"]
        if not partial:
            zs.append(set())
            partial = [zs[-1]]
        key = self.next_key
        self.next_key += 1
        partial[0].add(key)
        self.where[key] = (c["index"], partial[0])
        return key

    def free(self, key):
        ci, z = self.where.pop(key)
        z.discard(key)
        if not z:
            self.zspages[ci] = [x for x in self.zspages[ci] if x is not z]

    def drop_slot(self, slot):
        old = self.slots.pop(slot, None)
        if old and old[0] != "same":
            self.free(old[0])

    def compact(self):
        freed = 0
        for c in self.distinct:
            zs = self.zspages[c["index"]]
            partial = [z for z in zs if len(z) < c["objs_per_zspage"]]
            if len(partial) <= 1:
                continue
            assert c["objs_per_zspage"] == 2, "trace outside the model: class %d" % c["size"]
            pairs = len(partial) // 2
            for i in range(pairs):
                src, dst = partial[2 * i], partial[2 * i + 1]
                for key in list(src):
                    src.discard(key)
                    dst.add(key)
                    self.where[key] = (c["index"], dst)
                zs.remove(src)
            freed += pairs * c["pages_per_zspage"]
        self.pages_compacted += freed
        return freed

    def event(self, op, f):
        self.events += 1
        if op == "w":
            slot, n = int(f[0]), int(f[1])
            stored = PAGE if n >= ZRAM_HUGE_AT else n
            key = self.alloc(stored)         # the new object first...
            self.drop_slot(slot)             # ...then the old one goes
            self.slots[slot] = (key, stored)
            self.huge_since += stored == PAGE
        elif op == "z":
            self.drop_slot(int(f[0]))
            self.slots[int(f[0])] = ("same", 0)
        elif op == "d":
            self.drop_slot(int(f[0]))
        elif op == "a":
            self.raw[int(f[0])] = self.alloc(int(f[1]))
        elif op == "f":
            self.free(self.raw.pop(int(f[0])))
        elif op == "k":
            self.pids += 1
        elif op in ("s", "c", "v", "r"):
            pass
        else:
            raise AssertionError("op %s is outside the model" % op)

    def snapshot(self):
        classes = []
        for c in self.distinct:
            zs = self.zspages[c["index"]]
            if not zs:
                continue
            used = sum(len(z) for z in zs)
            classes.append({"index": c["index"], "size": c["size"],
                            "pages_per_zspage": c["pages_per_zspage"],
                            "objs_per_zspage": c["objs_per_zspage"],
                            "obj_allocated": len(zs) * c["objs_per_zspage"],
                            "obj_used": used,
                            "pages_used": len(zs) * c["pages_per_zspage"],
                            "ideal": math.ceil(used / c["objs_per_zspage"]) *
                            c["pages_per_zspage"]})
        pool = sum(c["pages_used"] for c in classes)
        data_slots = [v for v in self.slots.values() if v[0] != "same"]
        return {
            "event_index": self.events,
            "classes": classes,
            "pool_pages": pool,
            "ideal_pages": sum(c["ideal"] for c in classes),
            "pages_compacted": self.pages_compacted,
            "mm_stat": {
                "orig_data_size": len(self.slots) * PAGE,
                "compr_data_size": sum(v[1] for v in data_slots),
                "mem_used_total": pool * PAGE,
                "same_pages": len(self.slots) - len(data_slots),
                "huge_pages": sum(v[1] == PAGE for v in data_slots),
                "huge_pages_since": self.huge_since,
                "pages_compacted": self.pages_compacted,
                "mem_limit": 0,
            },
            "free_pages": RAM_PAGES - pool - FORK_PAGES * self.pids,
            "forks": {"attempted": self.pids, "succeeded": self.pids, "failed": 0,
                      "stalls": 0, "oom_kills": 0, "pages_live": FORK_PAGES * self.pids},
            "objects": len(self.slots) + len(self.raw),
        }


def compare(c, label, got, want):
    c.eq(got["event_index"], want["event_index"], "%s: event_index" % label)
    for k in ("pool_pages", "ideal_pages", "pages_compacted", "free_pages"):
        c.eq(got[k], want[k], "%s: %s" % (label, k))
    for k, v in want["mm_stat"].items():
        c.eq(got["mm_stat"][k], v, "%s: mm_stat.%s" % (label, k))
    for k, v in want["forks"].items():
        c.eq(got["forks"][k], v, "%s: forks.%s" % (label, k))
    gc = {x["index"]: x for x in got["classes"]}
    c.eq(sorted(gc), [x["index"] for x in want["classes"]], "%s: classes present" % label)
    for w in want["classes"]:
        g = gc.get(w["index"])
        if not g:
            continue
        for k in ("size", "pages_per_zspage", "objs_per_zspage", "obj_allocated",
                  "obj_used", "pages_used"):
            c.eq(g[k], w[k], "%s: class %d %s" % (label, w["size"], k))


def main():
    c = Checker()
    trace = data("traces/e2e_snapshots.trace")
    rc, so, se = c.run("classes", "--profile", "v4.1", "--arch", "arm32", "--json")
    c.eq(rc, 0, "zsfrag classes: exit code")
    model = Model(json.loads(so))

    # the model's expectations at each `s`, and around the `c`
    want, comp = {}, []
    with open(trace) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#!" or line.startswith("zsfrag-trace"):
                continue
            tok = line.split()
            if tok[0].startswith("@"):
                tok = tok[1:]
            model.event(tok[0], tok[1:])
            if tok[0] == "s":
                want[tok[1]] = model.snapshot()
            elif tok[0] == "c":
                before = model.snapshot()["pool_pages"]
                freed = model.compact()
                comp.append((model.events, before, freed))
            elif tok[0] == "v":
                want_verify = (model.events, model.snapshot()["objects"])
    want["final"] = model.snapshot()

    out = c.path("e2e.json")
    rc, so, se = c.run("replay", trace, "--json", out, "--no-timing", "-q")
    c.eq(rc, 0, "replay: exit code (stderr %r)" % se)
    with open(out) as f:
        doc = json.load(f)
    snaps = {s["label"]: s for s in doc["snapshots"]}
    c.eq([s["label"] for s in doc["snapshots"]],
         ["after_writes", "after_frees", "after_compact", "final"], "snapshot labels")
    for label, w in want.items():
        if c.check(label in snaps, "snapshot %s missing" % label):
            compare(c, label, snaps[label], w)

    # the hand-checked headline figures, as a guard on the model itself
    c.eq(want["after_writes"]["pool_pages"], 99, "model: pool after the writes")
    c.eq(want["after_frees"]["pool_pages"], 94, "model: pool after the frees")
    c.eq(want["after_compact"]["pool_pages"], 58, "model: pool after the compaction")

    c.eq(len(doc["compactions"]), len(comp), "compaction records")
    for rec, (idx, before, freed) in zip(doc["compactions"], comp):
        c.eq(rec["trigger"], "manual", "compaction trigger")
        c.eq(rec["event_index"], idx, "compaction event_index")
        c.eq(rec["pool_pages_before"], before, "compaction pool_pages_before")
        c.eq(rec["pages_freed"], freed, "compaction pages_freed")
        c.eq(rec["pool_pages_after"], before - freed, "compaction pool_pages_after")
        # one 2048-byte object moved per freed one-page zspage
        c.eq(rec["objs_migrated"], freed, "compaction objs_migrated")
        c.eq(rec["bytes_copied"], freed * 2048, "compaction bytes_copied")
    c.eq(len(doc["verify"]), 1, "verify records")
    if doc["verify"]:
        c.eq((doc["verify"][0]["event_index"], doc["verify"][0]["objects_checked"]),
             want_verify, "verify: event and objects checked")
        c.eq(doc["verify"][0]["mismatches"], 0, "verify: mismatches")
    c.finish()


if __name__ == "__main__":
    main()
