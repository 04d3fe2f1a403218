#!/usr/bin/env bash
# capture-live-test.sh ZSFRAG KERNEL - ctest "capture_live_6.1" / "capture_live_6.12" /
# "capture_live_6.1_arm": boots Debian's KERNEL (6.1 or 6.12 amd64, or 6.1-arm: armmp under
# qemu-system-arm) with zram as its only swap and a short swapload (amd64: 3 processes of
# 20 MiB in 128 MiB; ARM: 3 of 22 MiB in 104 MiB, as its kernel leaves more of 128 MiB free
# than amd64's: about 30 s of TCG each; at 96 MiB a loaded host's slow kswapd left zram's
# writes, which do not reclaim directly, without pages and the OOM killer took swapload in
# 1 of 9 runs), captures it live with scripts/zram-capture-tracefs,
# converts it (`trace from-capture`), replays it (`replay --profile vSERIES --arch x86_64 or
# arm32`) and requires zram's own mm_stat, all six compared fields, at every read point
# (scripts/capture-check; the long run is `scripts/capture-check --kernel KERNEL`).
# Exit 77 (ctest skip, the reason printed) only where qemu or the kernel packages cannot be had.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ZS="${1:?usage: capture-live-test.sh ZSFRAG 6.1|6.12|6.1-arm}"
K="${2:?usage: capture-live-test.sh ZSFRAG 6.1|6.12|6.1-arm}"
size=(--procs 3 --mb 20 --ram 128)
case "$K" in *-arm) size=(--procs 3 --mb 22 --ram 104) ;; esac
exec nice "$HERE/../../scripts/capture-check" --kernel "$K" --zsfrag "$ZS" --runs capture \
	"${size[@]}" --timeout 500
