#!/usr/bin/env python3
"""machine-table.py [--blocks] RUN.json... - the machine comparison of kernel/README.md as
Markdown: one table per run (the --json of scripts/kernel-check), one row per
snapshot: lowmem order-2 capacity, free pages and unusable index for order 2,
kernel vs zsfrag with the relative difference; the largest relative
difference over the free blocks of orders >= 2 that the kernel has; and the
probe's fork outcomes (kernel fast/compact/reclaim/oom-kill vs zsfrag
fast/compact/reclaim/oom-kill; a request that really failed, which only
costly orders or __GFP_NORETRY do, is added as "+N failed"). With --blocks, a
second table per run: the lowmem free blocks of each order >= 2, kernel / zsfrag."""
import json
import os
import sys


def pct(k, z):
    if k is None or z is None:
        return "-"
    if k == 0:
        return "0" if z == 0 else "inf"
    return f"{(z - k) / k * 100:+.1f}%"


def forks(f, kernel):
    if not f or not f.get("attempted"):
        return "-"
    out = f"{f['fast']}/{f['compact']}/{f['reclaim']}/{f.get('oom', 0)}"
    if f.get("failed"):
        out += f" +{f['failed']} failed"
    return out


def table(path):
    d = json.load(open(path))
    print(f"**{os.path.basename(path)[:-5]}** ({d['kernel'].get('release')}, "
          f"zsfrag {'v' + str(d['kernel'].get('kernel')) if d.get('zsfrag') else 'not run'})\n")
    print("| snapshot | pool pages k / z | free k / z | order-2 capacity k / z (diff) "
          "| unusable(2) k / z | worst block order >= 2 | forks k: fast/compact/reclaim/oom "
          "| z: fast/compact/reclaim/oom |")
    print("|---|---|---|---|---|---|---|---|")
    zsn = (d.get("zsfrag") or {}).get("snapshots", [])
    for n, (ks, m) in enumerate(zip(d["kernel"]["snapshots"], d["machine"])):
        if m is None:
            continue
        zs = zsn[n] if n < len(zsn) else {}
        low = m["zones"].get("lowmem", {})
        k, z = low.get("kernel") or {}, low.get("zsfrag") or {}
        worst = "-"
        if z:
            w = None
            for o, (a, b) in enumerate(zip(k["blocks_ge2"], z["blocks_ge2"])):
                if a and (w is None or abs(b - a) / a > abs(w[2] - w[1]) / w[1]):
                    w = (o + 2, a, b)
            if w:
                worst = f"order {w[0]}: {w[1]} / {w[2]} ({pct(w[1], w[2])})"
        print(f"| {ks['label']} | {ks['pool_pages']} / {zs.get('pool_pages', '-')} "
              f"| {k.get('free')} / {z.get('free', '-')} "
              f"| {k.get('order2_capacity')} / {z.get('order2_capacity', '-')} "
              f"({pct(k.get('order2_capacity'), z.get('order2_capacity'))}) "
              f"| {k.get('unusable_2', 0):.3f} / "
              f"{'-' if not z else format(z['unusable_2'], '.3f')} | {worst} "
              f"| {forks(m['forks']['kernel'], True)} | {forks(m['forks']['zsfrag'], False)} |")
        hi = m["zones"].get("HighMem")
        if hi:
            hk, hz = hi["kernel"], hi.get("zsfrag") or {}
            print(f"| (HighMem) | | {hk['free']} / {hz.get('free', '-')} "
                  f"| {hk['order2_capacity']} / {hz.get('order2_capacity', '-')} "
                  f"({pct(hk['order2_capacity'], hz.get('order2_capacity'))}) | | | | |")
    print()
    if BLOCKS:
        blocks(d)


def blocks(d):
    """Lowmem free blocks of each order >= 2 per snapshot, kernel / zsfrag."""
    rows = [(ks["label"], m["zones"]["lowmem"]) for ks, m in zip(d["kernel"]["snapshots"],
                                                                  d["machine"])
            if m is not None and m["zones"].get("lowmem", {}).get("zsfrag")]
    if not rows:
        return
    n = len(rows[0][1]["kernel"]["blocks_ge2"])
    print("| snapshot | " + " | ".join(f"order {o + 2}" for o in range(n)) + " |")
    print("|---" * (n + 1) + "|")
    for label, low in rows:
        cells = [f"{a} / {b}" for a, b in zip(low["kernel"]["blocks_ge2"],
                                              low["zsfrag"]["blocks_ge2"])]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()


BLOCKS = "--blocks" in sys.argv[1:]
for p in sys.argv[1:]:
    if p != "--blocks":
        table(p)
