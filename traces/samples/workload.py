#!/usr/bin/env python3
"""workload.py - the program whose memory traces/samples/python-wordindex.trace was taken from.

A word index over the repository's text files, rebuilt with a different slice of the
files every second: a typical interpreter heap (dicts, strings, lists, freed and
reallocated), so successive snapshots see pages written, rewritten and released.
Prints its PID once the first index is built (regen.sh starts sampling on that line), then
runs for the given number of seconds (default 10).
"""
import os
import sys
import time

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
texts = []
for d, _, files in os.walk(root):
    if "/build" in d or "/.git" in d or "/fuzz/corpus" in d:
        continue
    for f in sorted(files):
        if f.endswith((".c", ".h", ".md", ".py", ".txt")):
            try:
                with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                    texts.append(fh.read())
            except OSError:
                pass
end = time.time() + (float(sys.argv[1]) if len(sys.argv) > 1 else 10.0)
round_ = 0
keep = []
while round_ == 0 or time.time() < end:
    index = {}
    for i, t in enumerate(texts[round_ % 4::4]):
        for n, word in enumerate(t.split()):
            index.setdefault(word, []).append((i, n))
    keep.append(index)
    if len(keep) > 2:
        keep.pop(0)
    if round_ == 0:
        print(os.getpid(), flush=True)
    round_ += 1
    time.sleep(0.2)  # the workload's pace between rebuilds, not a synchronisation
