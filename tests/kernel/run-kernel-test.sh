#!/usr/bin/env bash
# run-kernel-test.sh ZSFRAG - ctest "kernel_check": replays halves.trace
# through Debian's real 6.1 and 6.12 kernels (x86_64; qemu, emulated where
# KVM is not usable) and, with a fork probe before every snapshot, through
# Debian's 6.1 armmp kernel on a 32-bit ARM guest (qemu-system-arm, TCG,
# 768 MiB: all lowmem), and through `zsfrag replay` (ZSFRAG, the program
# under test). Checks both sides against each other and against the
# hand-computed halves.expect (the pool's numbers are the same on both
# architectures for these five power-of-two classes), and that the ARM
# guest's probes ran all their forks without a stall, as a machine with
# 700 MiB free must. Exits 77 (ctest skip) only when qemu or the kernel
# packages cannot be had on this machine.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ZS="${1:-}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
PROBE=20
# halves.trace with "F 20 probe-LABEL" before every snapshot.
awk -v n=$PROBE '$1 == "s" { print "F " n " probe-" $2 } { print }' \
	"$HERE/halves.trace" >"$TMP/halves-forks.trace"
rc_all=0 skipped=""
for k in 6.1 6.12 6.1-arm; do
	echo "=== kernel $k"
	trace="$HERE/halves.trace"
	args=(--kernel "$k" --expect "$HERE/halves.expect" --json "$TMP/$k.json")
	case $k in *-arm) trace="$TMP/halves-forks.trace" ;; esac
	[ -z "$ZS" ] || args+=(--zsfrag "$ZS")
	"$HERE/../../scripts/kernel-check" "$trace" "${args[@]}"
	rc=$?
	case $rc in
	0) ;;
	77) skipped="$skipped $k"; continue ;;
	*) echo "kernel $k: kernel-check exit $rc"; rc_all=1; continue ;;
	esac
	case $k in *-arm) ;; *) continue ;; esac
	# Every probe: 20 forks, all fast, no OOM kill, on both sides; the
	# guest's memory was read with the per-CPU lists drained.
	python3 - "$TMP/$k.json" $PROBE <<'PY' || rc_all=1
import json, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
bad = []
probes = 0
for i, m in enumerate(d["machine"]):
    if m is None:
        bad.append(f"snapshot {i}: no machine state from the guest")
        continue
    if not m["drained"]:
        bad.append(f"snapshot {i}: per-CPU lists not drained")
    kf, zf = m["forks"]["kernel"], m["forks"]["zsfrag"]
    if i < 5:  # the five trace snapshots each follow one probe; "final" none
        probes += 1
        if (kf["attempted"], kf["fast"], kf["killed"]) != (n, n, 0):
            bad.append(f"snapshot {i}: kernel forks {kf}")
        if zf is not None and (zf["attempted"], zf["fast"]) != (n, n):
            bad.append(f"snapshot {i}: zsfrag forks {zf}")
    if m["zones"]["lowmem"]["kernel"]["free"] < 150000:
        bad.append(f"snapshot {i}: only {m['zones']['lowmem']['kernel']['free']} pages free")
for b in bad:
    print("FAIL:", b)
print(f"ARM probes checked: {probes}, problems: {len(bad)}")
sys.exit(1 if bad or probes != 5 else 0)
PY
done
if [ "$rc_all" = 0 ] && [ -n "$skipped" ]; then
	echo "SKIPPED: qemu or the kernel packages are unavailable for:$skipped"
	exit 77
fi
exit $rc_all
