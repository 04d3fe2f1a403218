#!/usr/bin/env bash
# run-compressed-test.sh ZSFRAG - ctest "kernel_check_compressed": kernel-check
# takes traces in any zsfrag format. halves.trace as a zstd-compressed binary
# trace (.ztb.zst) is converted to text for the guest and must agree with
# Debian's 6.1 and with halves.expect exactly as the text trace does (fed as
# raw bytes, the module saw garbage: 76 lines differed on a sample trace). A
# file that is no trace is refused before any VM boots. Exits 77 (ctest skip)
# only when qemu or the kernel packages cannot be had on this machine.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KCHECK="$HERE/../../scripts/kernel-check"
ZS="${1:?usage: run-compressed-test.sh ZSFRAG}"
T="$(mktemp -d "${TMPDIR:-/tmp}/zsfrag-kcz.XXXXXX")"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# not a trace at all: refused with zsfrag's reason, exit 2 (usage), no VM
printf '\x28\xb5\x2f\xfdgarbage' >"$T/bad.zst"
"$KCHECK" "$T/bad.zst" --kernel 6.1 --zsfrag "$ZS" >"$T/bad.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "a file that is no trace: exit $rc, want 2: $(cat "$T/bad.out")"
grep -q "cannot convert $T/bad.zst to a text trace" "$T/bad.out" ||
	fail "a file that is no trace: $(cat "$T/bad.out")"
grep -q "booting" "$T/bad.out" && fail "a VM booted for a file that is no trace"

"$ZS" trace convert "$HERE/halves.trace" "$T/halves.ztb.zst" || fail "trace convert"
[ "$(head -c 4 "$T/halves.ztb.zst" | od -An -tx1 | tr -d ' ')" = 28b52ffd ] ||
	fail "halves.ztb.zst is not zstd"
"$KCHECK" "$T/halves.ztb.zst" --kernel 6.1 --expect "$HERE/halves.expect" --zsfrag "$ZS" \
	>"$T/out" 2>&1
rc=$?
cat "$T/out"
case $rc in
0) grep -q "converted with zsfrag trace convert" "$T/out" || fail "no conversion reported" ;;
77) exit 77 ;;
*) fail "kernel-check on halves.ztb.zst: exit $rc" ;;
esac
