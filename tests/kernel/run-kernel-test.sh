#!/usr/bin/env bash
# run-kernel-test.sh ZSFRAG - ctest "kernel_check": replays halves.trace
# through Debian's real 6.1 and 6.12 kernels (qemu; emulated where KVM is not
# usable) and through `zsfrag replay` (ZSFRAG, the program under test), and
# checks both against each other and against the hand-computed
# halves.expect. Exits 77 (ctest skip) only when qemu or the kernel packages
# cannot be had on this machine.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ZS="${1:-}"
rc_all=0 skipped=""
for k in 6.1 6.12; do
	echo "=== kernel $k"
	args=(--kernel "$k" --expect "$HERE/halves.expect")
	[ -z "$ZS" ] || args+=(--zsfrag "$ZS")
	"$HERE/../../scripts/kernel-check" "$HERE/halves.trace" "${args[@]}"
	rc=$?
	case $rc in
	0) ;;
	77) skipped="$skipped $k" ;;
	*) echo "kernel $k: kernel-check exit $rc"; rc_all=1 ;;
	esac
done
if [ "$rc_all" = 0 ] && [ -n "$skipped" ]; then
	echo "SKIPPED: qemu or the kernel packages are unavailable for:$skipped"
	exit 77
fi
exit $rc_all
