#!/usr/bin/env python3
"""make-traces.py - traces of different character for scripts/kernel-check.

  make-traces.py churn OUT [--ops N] [--seed S]
      allocator churn: a live set that grows to a target and then turns over,
      object sizes from a skewed mixture (small, mid, near-huge, huge), zram
      slot writes / overwrites / same-filled pages / reads / discards mixed
      in, a snapshot every tenth of the trace, a compaction before every second
      one.
  make-traces.py procmem OUT [--pid P] [--max-pages N] [--seed S]
      real process memory: every readable page of process P (default: this
      script itself, after it has imported a good part of Python's standard
      library, so its heap holds real code objects, strings and tables) becomes a zram write whose size is the page's
      zlib-compressed length (level 1; same-filled pages become "z"); then
      half of the slots are discarded at random, and the pool is snapshotted,
      compacted and verified.

  make-traces.py fillhalf OUT --pages P [--probe N] [--seed S]
      the machine check's trace (kernel/README.md): zram writes until the
      pool holds about P pages, then fork probe "F N", snapshot "filled";
      every second slot discarded, probe, "half-freed"; a compaction, probe,
      "compacted". P is chosen per guest (a share of its lowmem; HighMem
      fills first on ARM, zram's gfp has __GFP_HIGHMEM).

Deterministic for a given seed (procmem also depends on the process read).
Sizes follow zram's rule in the trace: the trace gives the compressed length,
the replayer applies the huge cut-off of the kernel version.
"""
import argparse
import os
import random
import re
import sys
import zlib

PAGE = 4096


def header(out, source):
    out.write("zsfrag-trace 1\n! page_size 4096\n")
    out.write(f"! source {source}\n")


def pick_size(rng):
    r = rng.random()
    if r < 0.45:
        return rng.randint(24, 700)        # small: many per page
    if r < 0.85:
        return rng.randint(700, 2600)      # mid
    if r < 0.95:
        return rng.randint(2600, 3700)     # around both kernels' huge cut-offs
    return rng.randint(3700, PAGE)         # huge


def churn(a):
    rng = random.Random(a.seed)
    n = a.ops
    target = max(100, n // 15)
    slots = max(100, n // 20)
    live = []        # object IDs, for O(1) random removal
    pos = {}         # ID -> index in live
    next_id = 0
    with open(a.out, "w") as out:
        header(out, f"tests/kernel/make-traces.py churn --ops {n} --seed {a.seed}")
        for i in range(n):
            if i and i % (n // 10) == 0:
                if (i // (n // 10)) % 2 == 0:
                    out.write("c\n")
                out.write(f"s churn-{i}\n")
            r = rng.random()
            if r < 0.25:  # zram traffic
                slot = rng.randrange(slots)
                q = rng.random()
                if q < 0.6:
                    out.write(f"w {slot} {pick_size(rng)}\n")
                elif q < 0.7:
                    out.write(f"z {slot}\n")
                elif q < 0.85:
                    out.write(f"r {slot}\n")
                else:
                    out.write(f"d {slot}\n")
                continue
            grow = len(live) < target * (0.5 + 0.5 * min(1.0, i / (n / 3)))
            if live and (not grow and rng.random() < 0.55 or rng.random() < 0.2):
                k = rng.randrange(len(live))
                oid = live[k]
                last = live.pop()
                if last != oid:
                    live[k] = last
                    pos[last] = k
                del pos[oid]
                out.write(f"f {oid}\n")
            else:
                oid = next_id
                next_id += 1
                pos[oid] = len(live)
                live.append(oid)
                out.write(f"a {oid} {pick_size(rng)}\n")
        out.write("s churn-end\nc\ns churn-compacted\nv\n")


# Bytes from which 6.1 and 6.12 store a zram page as a whole page (huge
# class, 4 KiB pages; 3264 on x86_64 with 8-byte handles, 3261 on arm32):
# the estimate below needs only roughly where it is.
HUGE_FROM = 3261


def fillhalf(a):
    rng = random.Random(a.seed)
    pages = 0.0
    slot = 0
    n = a.probe
    with open(a.out, "w") as out:
        header(out, f"tests/kernel/make-traces.py fillhalf --pages {a.pages} --probe {n} "
                    f"--seed {a.seed}")
        # about 2% lost to size-class rounding and zspage tails
        while pages < a.pages:
            size = pick_size(rng)
            out.write(f"w {slot} {size}\n")
            pages += 1.0 if size >= HUGE_FROM else size * 1.02 / PAGE
            slot += 1
        out.write(f"F {n} probe-filled\ns filled\n")
        for s in range(1, slot, 2):
            out.write(f"d {s}\n")
        out.write(f"F {n} probe-half-freed\ns half-freed\nc\n")
        out.write(f"F {n} probe-compacted\ns compacted\n")


def proc_pages(pid, max_pages):
    maps = open(f"/proc/{pid}/maps").read().splitlines()
    with open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            if not m or m.group(3)[0] != "r" or "[vvar]" in line or "[vsyscall]" in line:
                continue
            lo, hi = int(m.group(1), 16), int(m.group(2), 16)
            for addr in range(lo, hi, PAGE):
                try:
                    mem.seek(addr)
                    page = mem.read(PAGE)
                except (OSError, ValueError, OverflowError):
                    break
                if len(page) != PAGE:
                    break
                yield page
                max_pages -= 1
                if max_pages == 0:
                    return


def warm_up():
    """Fill this process with real data: the standard library's modules."""
    import importlib
    import warnings
    warnings.simplefilter("ignore")
    skip = ("_", "test", "idlelib", "tkinter", "turtle", "antigravity", "this", "lib2to3")
    for name in sorted(getattr(sys, "stdlib_module_names", ())):
        if name.startswith(skip):
            continue
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - optional modules may be missing
            pass


def procmem(a):
    rng = random.Random(a.seed)
    pid = a.pid or os.getpid()
    if pid == os.getpid():
        warm_up()
    n = same = 0
    with open(a.out, "w") as out:
        header(out, f"tests/kernel/make-traces.py procmem: pages of pid {pid} "
                    f"({open(f'/proc/{pid}/comm').read().strip()}), zlib level 1 sizes")
        for page in proc_pages(pid, a.max_pages):
            if page == page[:8] * (PAGE // 8):
                out.write(f"z {n}\n")
                same += 1
            else:
                out.write(f"w {n} {min(PAGE, len(zlib.compress(page, 1)))}\n")
            n += 1
        if n == 0:
            sys.exit(f"make-traces.py: no readable page in pid {pid}")
        out.write("s procmem-stored\nv\n")
        for slot in rng.sample(range(n), n // 2):
            out.write(f"d {slot}\n")
        out.write("s procmem-half-discarded\nc\ns procmem-compacted\nv\n")
    print(f"make-traces.py: {n} pages ({same} same-filled) from pid {pid}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("churn")
    c.add_argument("out")
    c.add_argument("--ops", type=int, default=300000)
    c.add_argument("--seed", type=int, default=1)
    f = sub.add_parser("fillhalf")
    f.add_argument("out")
    f.add_argument("--pages", type=int, required=True)
    f.add_argument("--probe", type=int, default=300)
    f.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("procmem")
    p.add_argument("out")
    p.add_argument("--pid", type=int, default=0)
    p.add_argument("--max-pages", type=int, default=100000)
    p.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    {"churn": churn, "procmem": procmem, "fillhalf": fillhalf}[a.cmd](a)


if __name__ == "__main__":
    main()
