#!/usr/bin/env bash
# capture-sample-test.sh ZSFRAG - ctest "capture_sample": the live capture stored in
# traces/samples/ (Debian 6.1 guest, tracefs kit; its README says how it was made), replayed
# with --profile v6.1 --arch x86_64, must give zram's own mm_stat, as the guest read it, at
# every one of its read points (tests/kernel/capture-compare.py).
set -eu
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ZS="${1:?usage: capture-sample-test.sh ZSFRAG}"
S="$HERE/../../traces/samples/capture-6.1-swapload"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo '{"ram_mb": 1024, "zram_disksize_mb": 288}' >"$TMP/machine.json"
"$ZS" replay "$S.ztb.zst" --profile v6.1 --arch x86_64 --config "$TMP/machine.json" \
	--json "$TMP/replay.json" --no-timing -q
python3 "$HERE/capture-compare.py" "$S.readings" "$TMP/replay.json"
