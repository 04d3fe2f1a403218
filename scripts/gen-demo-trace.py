#!/usr/bin/env python3
"""gen-demo-trace.py [--seed N] [--scale F] > TRACE

The demo's trace: a 32-bit ARM phone (1 GiB, 760 MiB lowmem) whose HighMem is taken by page
cache, whose lowmem fills with slab and zram's pool, then loses half its swapped pages and half
its slab, and then forks. Stand-in until workloads/ has its generators (issue 5).
"""
import argparse
import random

p = argparse.ArgumentParser()
p.add_argument("--seed", type=int, default=1)
p.add_argument("--scale", type=float, default=1.0, help="multiply every count")
a = p.parse_args()
rng = random.Random(a.seed)
S = lambda n: max(1, int(n * a.scale))
out = ["zsfrag-trace 1", "! source scripts/gen-demo-trace.py --seed %d --scale %g" % (a.seed, a.scale),
       "! page_size 4096"]
t = 0
def ev(s):
    global t
    t += 1000
    out.append("@%d %s" % (t, s))

def comp_size():
    # lz4-like mix: 6% zero pages, 2.5% other same-filled, 10% incompressible, the rest ~2.6x
    r = rng.random()
    if r < 0.085:
        return 0
    if r < 0.185:
        return 4096
    return max(64, min(4096, int(rng.lognormvariate(7.3, 0.45))))

blk = 0
# page cache and anonymous memory fill HighMem (movable, highmem allowed)
for _ in range(S(66000)):
    ev("g %d 0 m" % blk); blk += 1
slab = []
slots = S(110000)
for s in range(slots):
    c = comp_size()
    ev("z %d" % s if c == 0 else "w %d %d" % (s, c))
    for _ in range(2 if s % 3 == 0 else 1):
        ev("g %d 0 u" % blk); slab.append(blk); blk += 1
ev("s filled")
# the system swaps in or frees half of the slots, and shrinks its slab by half
order = list(range(slots)); rng.shuffle(order)
for s in order[: slots // 2]:
    ev("d %d" % s)
rng.shuffle(slab)
for b in slab[: len(slab) // 2]:
    ev("p %d" % b)
ev("s fragmented")
pid = 1
for _ in range(S(2500)):
    ev("k %d" % pid); pid += 1
ev("s forks")
ev("c")
ev("s compacted")
for _ in range(S(2500)):
    ev("k %d" % pid); pid += 1
ev("s forks-after-compaction")
ev("v")
print("\n".join(out))
