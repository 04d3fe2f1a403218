#!/usr/bin/env bash
# config-test.sh - ctest for scripts/kernel-check-config, no VM needed: the machine config
# zsfrag replays with beside a guest, built from two real guests' console lines
# (config-*.console) and checked against figures worked by hand from those lines.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$HERE/../.."
CFG="$ROOT/scripts/kernel-check-config"
X86="$HERE/config-x86_64-6.12-2048.console"
ARM="$HERE/config-arm-6.1-768.console"
BASE="$ROOT/kernel/configs/x86_64-1024.json"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail=0

# run NAME ARGS...: the config in $TMP/NAME.json, the notes in $TMP/NAME.err
run() {
	local name=$1
	shift
	python3 "$CFG" "$@" >"$TMP/$name.json" 2>"$TMP/$name.err" ||
		{ echo "FAIL $name: exit $?: $(cat "$TMP/$name.err")"; fail=1; }
}

# x86_64 at 2048 MiB has no config of its own: the 1024 MiB config's kernel settings,
# the zones and watermarks of this guest
run x86 "" 2048 2048 512 "$X86" 6.12 x86_64 "$BASE"
# the same guest's lines for a size whose zones it does not fit (1024 MiB: DMA32 would hold
# 258,048 pages, the guest manages 501,517)
run small "" 1024 1024 512 "$X86" 6.12 x86_64 "$BASE"
# no config and no base: the RAM split and what the guest held, nothing of its zones
run none "" 8192 8192 512 "$X86" 6.12 x86_64 ""
# a boosted zone at the first snapshot: zoneinfo's min, low and high include the boost
sed 's/zone=DMA free=3776 boost=0 min=86 low=107 high=128/zone=DMA free=3776 boost=10 min=96 low=117 high=138/' \
	"$X86" >"$TMP/boosted.console"
run boosted "" 2048 2048 512 "$TMP/boosted.console" 6.12 x86_64 "$BASE"
# ARM at 768 MiB with its own config
run arm "$ROOT/kernel/configs/arm-768.json" 768 768 1647 "$ARM" 6.1 arm32 ""
# the same with free objects in two caches at the first probe (every cache was full in
# that boot); pid and fs_cache are one merged cache in the guest, read under both names
sed -e 's/cache=signal_cache objects=60 slabs=6/cache=signal_cache objects=55 slabs=6/' \
	-e 's/when=start cache=\(pid\|fs_cache\) objects=64 slabs=1/when=start cache=\1 objects=60 slabs=1/' \
	"$ARM" >"$TMP/free.console"
run armfree "$ROOT/kernel/configs/arm-768.json" 768 768 1647 "$TMP/free.console" 6.1 arm32 ""

python3 - "$TMP" <<'PY' || fail=1
import json, sys
d = sys.argv[1]
cfg = {n: json.load(open(f"{d}/{n}.json"))
       for n in ("x86", "small", "none", "boosted", "arm", "armfree")}
err = {n: open(f"{d}/{n}.err").read() for n in cfg}
bad = []

def want(name, key, value):
    got = cfg[name].get(key)
    if got != value:
        bad.append(f"{name}: {key} is {got!r}, want {value!r}")

# x86_64, 2048 MiB: DMA is pfn 0..4095 (16 MiB), DMA32 the rest up to 2048 MiB
# (524,288 - 4,096 = 520,192 pages); the guest manages 3,840 and 501,517 of them
want("x86", "ram_mb", 2048)
want("x86", "dma_mb", 16)
want("x86", "dma32_mb", 4096)
want("x86", "reserved_pages", {"DMA": 4096 - 3840, "DMA32": 520192 - 501517})
want("x86", "watermarks", {"DMA": [86, 107, 128], "DMA32": [11177, 13971, 16765]})
want("x86", "min_free_kbytes", 45056)
# taken = managed - free - zspage pages (none yet), of which the LRU's pages are movable
want("x86", "taken_pages", {"DMA": 3840 - 3776, "DMA32": 501517 - 494942 - 1588})
want("x86", "taken_movable_pages", {"DMA": 0, "DMA32": 1588})
want("x86", "pcp", "profile")  # kernel settings of the base config
want("x86", "deferred_struct_page_init", True)
want("x86", "fork_slab", None)  # 6.12: not the 6.1 SLUB geometry
if "x86_64-1024.json's kernel settings" not in err["x86"]:
    bad.append(f"x86: no note of the base config: {err['x86']!r}")

want("small", "reserved_pages", None)
if "do not fit" not in err["small"]:
    bad.append(f"small: no note that the zones do not fit: {err['small']!r}")

for k in ("dma_mb", "reserved_pages", "watermarks", "pcp"):
    want("none", k, None)
want("none", "ram_mb", 8192)
if "compare the pool only" not in err["none"]:
    bad.append(f"none: no warning that the machine rows say nothing: {err['none']!r}")

want("boosted", "watermarks", {"DMA": [86, 107, 128], "DMA32": [11177, 13971, 16765]})

# ARM, 768 MiB: ZONE_DMA spans all of it (196,608 pages), 190,029 managed
want("arm", "reserved_pages", {"DMA": 196608 - 190029})
want("arm", "watermarks", {"DMA": [865, 1081, 1297]})
want("arm", "min_free_kbytes", 3461)
want("arm", "fork_slab", "slub")
want("arm", "cma_mb", 16)
want("arm", "deferred_struct_page_init", None)  # armmp has no CONFIG_DEFERRED_STRUCT_PAGE_INIT
# fork_slab_start: slabs * objs_per_slab - objects at the first probe; in this boot every
# cache was full (task_struct 5 x 11 = 55 objects, signal_cache 6 x 10 = 60, ...)
want("arm", "fork_slab_start", None)
# signal_cache 6 x 10 - 55 = 5; pid+fs_cache 1 x 64 - 60 = 4, once
want("armfree", "fork_slab_start", {"signal_cache": 5, "pid+fs_cache": 4})
for b in bad:
    print("FAIL", b)
sys.exit(1 if bad else 0)
PY

# usage: every argument is positional
python3 "$CFG" >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] || { echo "FAIL usage: exit $rc, want 2"; fail=1; }

[ "$fail" = 0 ] && echo "kernel-check-config: all cases as worked by hand"
exit "$fail"
