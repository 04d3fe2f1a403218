#!/usr/bin/env bash
# zram_capture_test.sh ZSFRAG SRC - scripts/zram-capture with a fake bpftrace
# (and fake id and modprobe) on PATH: when bpftrace cannot attach, whatever
# its exit status, the script fails (non-zero) with bpftrace's reason and
# leaves no headerless capture; with and without CAPTURE_SECONDS; a capture
# that has its header is kept and converts with zsfrag trace from-capture; the
# optional probes kept are the ones the kernel's symbols and version allow.
set -u
ZS="${1:?usage: zram_capture_test.sh ZSFRAG SRC}"
SRC="${2:?usage: zram_capture_test.sh ZSFRAG SRC}"
T="$(mktemp -d "${TMPDIR:-/tmp}/zsfrag-zcap.XXXXXX")"
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkdir "$T/bin"
# root as far as the script can tell, and no module loading on the test machine
printf '#!/bin/sh\necho 0\n' >"$T/bin/id"
printf '#!/bin/sh\nexit 0\n' >"$T/bin/modprobe"
# bpftrace -e PROG (OUT its stdout), behaving as $FAKE says
cat >"$T/bin/bpftrace" <<'FAKE'
#!/bin/sh
prog="" out=/dev/stdout # the script gives OUT as its stdout
while [ $# -gt 0 ]; do
	case "$1" in -e) prog="$2"; shift 2 ;; -o) out="$2"; shift 2 ;; *) shift ;; esac
done
case "$prog" in *'printf("zram-capture 1'*) ;; *) echo "fake: no header in the program" >&2; exit 9 ;; esac
[ -z "${PROG_OUT:-}" ] || printf '%s\n' "$prog" >"$PROG_OUT"
printf 'Attaching 12 probes...\n' >"$out"
case "$FAKE" in
attach0 | attach1)
	echo "ERROR: kprobe target zs_malloc not found (fake)" >&2
	[ "$FAKE" = attach0 ] && exit 0 || exit 1 ;;
ok | late)
	printf 'zram-capture 1 page_size=4096\n100 7 W 3 1\n110 7 M 900 18446612686529052672\n120 7 D 3\n130 7 E 0\n' >>"$out"
	[ "$FAKE" = ok ] && exit 0
	echo "ERROR: lost the perf buffer (fake)" >&2
	exit 2 ;;
esac
FAKE
chmod +x "$T/bin/"*
export PATH="$T/bin:$PATH"

run() { # MODE SECONDS: run the script into $T/cap.txt; rc in $rc, stderr in $T/err
	rm -f "$T/cap.txt"
	FAKE=$1 CAPTURE_SECONDS=$2 "$SRC/scripts/zram-capture" "$T/cap.txt" 2>"$T/err"
	rc=$?
}

for secs in "" 30; do
	for mode in attach0 attach1; do
		what="$mode${secs:+ CAPTURE_SECONDS=$secs}"
		run "$mode" "$secs"
		[ "$rc" -ne 0 ] || fail "$what: exit 0 though bpftrace attached nothing"
		grep -q 'zram-capture: bpftrace recorded nothing.*kprobe target zs_malloc not found' \
			"$T/err" || fail "$what: no reason on stderr: $(cat "$T/err")"
		[ ! -e "$T/cap.txt" ] || fail "$what: a capture without a header was left"
	done
	what="ok${secs:+ CAPTURE_SECONDS=$secs}"
	run ok "$secs"
	[ "$rc" = 0 ] || fail "$what: exit $rc: $(cat "$T/err")"
	grep -q '^zram-capture: 4 event lines in ' "$T/err" || fail "$what: no summary: $(cat "$T/err")"
	if "$ZS" trace from-capture --mode zram "$T/cap.txt" -o "$T/cap.trace" 2>"$T/conv"; then
		grep -q 'w 3 900$' "$T/cap.trace" || fail "$what: converted trace lacks the write"
	else
		fail "$what: the capture does not convert: $(cat "$T/conv")"
	fi
done
# a failure after the header: bpftrace's status, the capture kept for what it holds
run late ""
[ "$rc" = 2 ] || fail "late failure: exit $rc, want bpftrace's 2"
grep -q "bpftrace failed (exit 2)" "$T/err" || fail "late failure: $(cat "$T/err")"
[ -s "$T/cap.txt" ] || fail "late failure: the capture was removed"

# Which optional probes it keeps: a kernel's symbols (ZRAM_CAPTURE_KALLSYMS) and its
# release (a fake uname). Debian's 6.1: zram_rw_page and isolate_zspage are functions,
# putback_zspage is inlined; 6.12: putback_zspage, no zram_rw_page; a clone's dotted name
# (isolate_zspage.isra.0) is not the function bpftrace would attach to.
kernel_syms() { # RELEASE SYM...: the fake uname and kallsyms of such a kernel
	printf '#!/bin/sh\necho %s\n' "$1" >"$T/bin/uname"
	chmod +x "$T/bin/uname"
	shift
	for s in zs_malloc zs_free zs_compact zram_free_page zram_submit_bio vfs_write "$@"; do
		echo "0000000000000000 t $s	[zsmalloc]"
	done >"$T/kallsyms"
	echo "0000000000000000 d putback_zspage_data" >>"$T/kallsyms" # data, not a function
}
probes_of() { # the kprobes of the program the script handed bpftrace
	rm -f "$T/prog"
	FAKE=ok PROG_OUT="$T/prog" ZRAM_CAPTURE_KALLSYMS="$T/kallsyms" CAPTURE_SECONDS=1 \
		"$SRC/scripts/zram-capture" "$T/cap.txt" 2>"$T/err" || fail "probe choice: $(cat "$T/err")"
	grep -E '^k(ret)?probe:' "$T/prog" | tr '\n' ' '
}
want61="kprobe:zs_malloc kretprobe:zs_malloc kprobe:zs_free kprobe:zs_compact kretprobe:zs_compact kprobe:zram_free_page kprobe:zram_submit_bio kretprobe:zram_submit_bio"
kernel_syms 6.1.0-57-amd64 zram_rw_page isolate_zspage __free_zspage zs_shrinker_scan
got="$(probes_of)"
[ "$got" = "$want61 kprobe:zram_rw_page kretprobe:zram_rw_page kprobe:vfs_write kprobe:isolate_zspage kprobe:__free_zspage kprobe:zs_shrinker_scan " ] ||
	fail "6.1 probes: $got"
grep -q "no probe on putback_zspage" "$T/err" || fail "6.1: putback_zspage's absence not said: $(cat "$T/err")"
kernel_syms 6.12.118+deb12-amd64 putback_zspage isolate_zspage.isra.0 __free_zspage
got="$(probes_of)"
[ "$got" = "$want61 kprobe:vfs_write kprobe:putback_zspage kprobe:__free_zspage " ] ||
	fail "6.12 probes: $got"
# a kernel that has both step functions takes the one of its version
kernel_syms 5.15.0 isolate_zspage putback_zspage
got="$(probes_of)"
case "$got" in *isolate_zspage*putback_zspage* | *putback_zspage*) fail "5.15 probes: $got" ;; esac
case "$got" in *kprobe:isolate_zspage*) ;; *) fail "5.15: no isolate_zspage step: $got" ;; esac
rm -f "$T/bin/uname"

[ "$fails" = 0 ] && echo "zram_capture_test: ok" || echo "zram_capture_test: $fails failed"
[ "$fails" = 0 ]
