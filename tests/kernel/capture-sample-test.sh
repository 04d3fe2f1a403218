#!/usr/bin/env bash
# capture-sample-test.sh ZSFRAG - ctest "capture_sample": the live capture stored in
# traces/samples/ (Debian 6.1 guest, tracefs kit; its README says how it was made), replayed
# with --profile v6.1 --arch x86_64, must give zram's own mm_stat, as the guest read it, at
# every one of its read points (tests/kernel/capture-compare.py). The sample must be one the
# current kit made whole: no repairs in its metadata (the first session's sample had a cut
# tail), and its interleaved compactions in steps (`y` records; without them this capture
# differs from zram's mm_stat at 6 of 54 fields, kernel/README.md).
set -eu
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ZS="${1:?usage: capture-sample-test.sh ZSFRAG}"
S="$HERE/../../traces/samples/capture-6.1-swapload"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$ZS" trace info "$S.ztb.zst" >"$TMP/info"
if grep -q 'capture_repairs' "$TMP/info"; then
	grep 'capture_repairs' "$TMP/info" >&2
	echo "capture-sample-test: the sample was repaired (a cut or lossy capture)" >&2
	exit 1
fi
steps=$("$ZS" trace cat "$S.ztb.zst" | awk '{ op = ($1 ~ /^@/) ? $2 : $1 } op == "y" { n++ } END { print n + 0 }')
[ "$steps" -gt 0 ] || { echo "capture-sample-test: no compaction steps (y) in the sample" >&2; exit 1; }
# trace info counts them too (its op list once left y out)
info_steps=$(awk '$1 == "y" { print $2 }' "$TMP/info")
[ "$info_steps" = "$steps" ] ||
	{ echo "capture-sample-test: trace info says ${info_steps:-no} y events, trace cat $steps" >&2; exit 1; }
echo "capture-sample-test: $steps compaction step records"
# The guest had 192 MiB, so its pool never needs more than a 256 MiB machine gives; a
# larger one only slows the debug build, whose check walks every frame at each allocation.
echo '{"ram_mb": 256, "zram_disksize_mb": 288}' >"$TMP/machine.json"
"$ZS" replay "$S.ztb.zst" --profile v6.1 --arch x86_64 --config "$TMP/machine.json" \
	--json "$TMP/replay.json" --no-timing -q
python3 "$HERE/capture-compare.py" "$S.readings" "$TMP/replay.json"
