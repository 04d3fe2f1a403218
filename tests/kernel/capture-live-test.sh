#!/usr/bin/env bash
# capture-live-test.sh ZSFRAG KERNEL - ctest "capture_live_6.1" / "capture_live_6.12": boots
# Debian's KERNEL (amd64) under qemu with zram as its only swap and a short swapload (3
# processes of 20 MiB in 128 MiB: about 30 s of TCG), captures it live with
# scripts/zram-capture-tracefs, converts it (`trace from-capture`), replays it (`replay
# --profile vKERNEL`) and requires zram's own mm_stat, all six compared fields, at every read
# point (scripts/capture-check; the long run is `scripts/capture-check --kernel KERNEL`).
# Exit 77 (ctest skip, the reason printed) only where qemu or the kernel packages cannot be had.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ZS="${1:?usage: capture-live-test.sh ZSFRAG 6.1|6.12}"
K="${2:?usage: capture-live-test.sh ZSFRAG 6.1|6.12}"
exec nice "$HERE/../../scripts/capture-check" --kernel "$K" --zsfrag "$ZS" --runs capture \
	--procs 3 --mb 20 --ram 128 --timeout 500
