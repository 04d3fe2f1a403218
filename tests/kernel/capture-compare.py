#!/usr/bin/env python3
"""capture-compare.py READINGS REPLAY_JSON: zram's mm_stat, read in the guest at each read
point of a live capture (`zsfrag trace from-capture --readings`), against zsfrag's replay of
that capture (`zsfrag replay --json`), snapshot by snapshot (same label).

Prints one row per read point with both sides' numbers where they differ; exit 0 when every
compared field is equal at every point, 1 otherwise, 2 on bad input."""
import json
import sys

# mm_stat's columns (Documentation/admin-guide/blockdev/zram.rst), the ones compared
FIELDS = ["orig_data_size", "compr_data_size", "mem_used_total", "mem_limit", "mem_used_max",
          "same_pages", "pages_compacted", "huge_pages", "huge_pages_since"]
COMPARED = ["orig_data_size", "compr_data_size", "mem_used_total", "same_pages",
            "pages_compacted", "huge_pages"]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    readings = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            tok = line.split()
            if len(tok) < 2 + 8:
                print(f"{sys.argv[1]}:{n}: a reading has {len(tok) - 2} numbers, mm_stat 8 or more")
                return 2
            readings.append((tok[0], dict(zip(FIELDS, map(int, tok[2:])))))
    # A label read twice (swapload re-marks when mm_stat moved under its marker): the last
    # reading counts, as the replay's last snapshot of that label does.
    last = {label: vals for label, vals in readings}
    readings = [(label, last[label]) for label in dict.fromkeys(l for l, _ in readings)]
    with open(sys.argv[2], encoding="utf-8") as f:
        snaps = {s["label"]: s["mm_stat"] for s in json.load(f)["snapshots"]}
    if not readings:
        print("no read points in the capture")
        return 1
    bad = 0
    print(f"{'point':12} " + " ".join(f"{k:>16}" for k in COMPARED))
    for label, kern in readings:
        zs = snaps.get(label)
        if zs is None:
            print(f"{label:12} zsfrag has no snapshot of this label")
            bad += 1
            continue
        row = []
        for k in COMPARED:
            if kern[k] == zs[k]:
                row.append(f"{kern[k]:>16}")
            else:
                row.append(f"{kern[k]}!={zs[k]}".rjust(16))
                bad += 1
        print(f"{label:12} " + " ".join(row))
    print(f"capture-compare: {len(readings)} read points, {bad} fields differ "
          "(kernel!=zsfrag)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
