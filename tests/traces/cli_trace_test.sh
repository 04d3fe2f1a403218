#!/usr/bin/env bash
# cli_trace_test.sh ZSFRAG SRCDIR: end-to-end checks of `zsfrag trace` and of replaying every
# format: conversions round-trip byte for byte, validate's exit codes and its list of problems,
# cat's ranges, from-capture against the hand-worked expectations, from-process on a child this
# script starts (root only), and the sample traces replay.
set -uo pipefail
z="$1"
src="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok   $*" >&2; }

t="$src/tests/kernel/halves.trace"
"$z" trace cat "$t" >"$tmp/canon.trace" || fail "cat"
for out in x.ztb x.ztb.gz x.trace.zst x.trace.gz; do
	"$z" trace convert "$t" "$tmp/$out" || fail "convert to $out"
	"$z" trace cat "$tmp/$out" >"$tmp/back.trace"
	cmp -s "$tmp/canon.trace" "$tmp/back.trace" || fail "$out does not read back as the text"
done
"$z" trace convert "$tmp/x.ztb.gz" "$tmp/y.ztb" && cmp -s "$tmp/x.ztb" "$tmp/y.ztb" ||
	fail "binary -> gzip -> binary differs"
ok "conversions round-trip"

# replay reads every format and gives the same summary
"$z" replay "$t" --profile v6.1 --no-timing -q --json "$tmp/a.json" || fail "replay text"
"$z" replay "$tmp/x.ztb.gz" --profile v6.1 --no-timing -q --json "$tmp/b.json" || fail "replay gz"
sed 's/x\.ztb\.gz/X/;s#"[^"]*halves\.trace"#"X"#' "$tmp/b.json" >"$tmp/b2.json"
sed 's#"[^"]*halves\.trace"#"X"#' "$tmp/a.json" >"$tmp/a2.json"
sed -i 's#"[^"]*/X"#"X"#' "$tmp/b2.json"
cmp -s "$tmp/a2.json" "$tmp/b2.json" || fail "replay of text and binary+gzip differ"
ok "replay of text and binary+gzip agree"

# validate: every problem, exit 65; clean: exit 0
printf 'zsfrag-trace 1\na 1 100\nf 2\nq\na 1 5\n@5 c\n@4 c\n' >"$tmp/bad.trace"
"$z" trace validate -q "$tmp/bad.trace" >"$tmp/problems.txt"
rc=$?
[ "$rc" = 65 ] || fail "validate exit $rc, expected 65"
[ "$(wc -l <"$tmp/problems.txt")" = 4 ] || fail "validate found $(wc -l <"$tmp/problems.txt") problems, expected 4"
grep -qx "$tmp/bad.trace:7: time goes backwards, previous @5 (@4)" "$tmp/problems.txt" ||
	fail "validate: no time fault on line 7"
"$z" trace validate -q "$tmp/x.ztb" || fail "validate of a clean trace"
"$z" trace validate -q "$tmp/nonexistent" >/dev/null
[ $? = 66 ] || fail "validate of a missing file is not EX_NOINPUT"
head -c 200 "$tmp/x.ztb" >"$tmp/cut.ztb"
"$z" trace validate -q "$tmp/cut.ztb" >"$tmp/cut.txt"
grep -q "^$tmp/cut.ztb: offset [0-9]*: truncated file" "$tmp/cut.txt" ||
	fail "truncated binary not reported with its offset"
ok "validate"

# cat ranges
# (canon.trace: the header and 2 metadata lines, then event 1 on line 4)
[ "$("$z" trace cat --from 3 --count 2 "$tmp/x.ztb")" = "$(sed -n '6,7p' "$tmp/canon.trace")" ] ||
	fail "cat --from 3 --count 2"
ok "cat ranges"

# from-capture against the hand-worked expectations. phone.capture lost 2 events (and, for
# alloc, frees a handle it never saw): refused without --repair, no output left; with it, the
# counts are in the trace's metadata.
for mode in alloc zram; do
	rm -f "$tmp/cap.ztb"
	if "$z" trace from-capture -q --mode "$mode" "$src/tests/traces/capture/phone.capture" \
		-o "$tmp/cap.ztb" 2>"$tmp/err"; then
		fail "from-capture --mode $mode converted a capture that lost events"
	else
		grep -q 'needs repairs (2 lost events' "$tmp/err" || fail "no reason: $(cat "$tmp/err")"
		[ ! -e "$tmp/cap.ztb" ] || fail "a refused conversion left its output"
	fi
	"$z" trace from-capture -q --repair --mode "$mode" "$src/tests/traces/capture/phone.capture" -o "$tmp/cap.ztb" ||
		fail "from-capture --mode $mode"
	"$z" trace cat --no-header "$tmp/cap.ztb" >"$tmp/cap.txt"
	grep -v '^#' "$src/tests/traces/capture/phone.$mode.expect" | cmp -s - "$tmp/cap.txt" ||
		fail "from-capture --mode $mode differs from phone.$mode.expect"
	"$z" trace cat "$tmp/cap.ztb" | grep -q '^! capture_repairs lost=2 ' ||
		fail "from-capture --mode $mode: no capture_repairs metadata"
done
ok "from-capture"

# from-process on a child of ours
if [ "$(id -u)" = 0 ]; then
	# The child writes its 128 pages, then says so with one byte down a pipe, and lives until
	# we close its stdin: we sample it when it is ready however slow the machine is, never
	# after a guessed delay.
	coproc CHILD {
		exec python3 -c 'import sys
b = bytearray(b"x" * 4096 * 64) + bytes(4096 * 64)
sys.stdout.write("r")
sys.stdout.flush()
sys.stdin.read()'
	}
	child=$CHILD_PID
	to_child=${CHILD[1]}
	ready=""
	read -r -n 1 -u "${CHILD[0]}" ready
	[ "$ready" = r ] || fail "from-process: the child did not say its pages are written"
	"$z" trace from-process "$child" --samples 2 --interval 0.2 -C zstd -q -o "$tmp/proc.ztb" ||
		fail "from-process"
	exec {to_child}>&-
	wait "$child"
	"$z" trace validate -q "$tmp/proc.ztb" || fail "from-process output does not validate"
	n=$("$z" trace cat --no-header "$tmp/proc.ztb" | grep -c '^@[0-9]* [wz] ')
	[ "$n" -ge 128 ] || fail "from-process: only $n page writes for a child with 128+ pages"
	# its 64 pages of "x" and 64 of zeros are same-filled pages: at least 128 z events
	n=$("$z" trace cat --no-header "$tmp/proc.ztb" | grep -c '^@[0-9]* z ')
	[ "$n" -ge 128 ] || fail "from-process: only $n same-filled pages for a child with 128"
	"$z" trace from-process 999999999 -q -o "$tmp/none.trace" 2>/dev/null
	[ $? = 66 ] || fail "from-process of no process is not EX_NOINPUT"
	[ ! -e "$tmp/none.trace" ] || fail "from-process left an output after failing"
	ok "from-process"
else
	echo "skip from-process: not root" >&2
fi

# the samples replay, on a 256 MiB machine: a debug build's check walks every frame at each
# allocation, and the default 1 GiB made this loop take minutes on a loaded host
echo '{"ram_mb": 256}' >"$tmp/m256.json"
for s in "$src"/traces/samples/*.trace "$src"/traces/samples/*.zst; do
	"$z" replay "$s" --profile v6.1 --arch x86_64 --config "$tmp/m256.json" --no-timing -q ||
		fail "sample $s does not replay"
done
ok "samples replay"

# merge: a zram-only trace (as from a capture) with forks and another user's blocks. B's objects
# and slots move above A's highest (A has no PIDs or blocks: those stay); times interleave, A
# first at a tie.
printf 'zsfrag-trace 1\n@0 w 3 100\n@10 a 5 200\n@20 z 7\n@30 s cap\n@40 d 3\n' >"$tmp/a.trace"
printf 'zsfrag-trace 1\n@5 k 1\n@10 w 0 300\n@15 g 2 1 m\n@20 a 1 50\n@35 x 1\n@50 p 2\n' >"$tmp/b.trace"
"$z" trace merge -q "$tmp/a.trace" "$tmp/b.trace" -o "$tmp/m.trace" || fail "merge"
"$z" trace cat --no-header "$tmp/m.trace" >"$tmp/m.txt"
printf '%s\n' '@0 w 3 100' '@5 k 1' '@10 a 5 200' '@10 w 8 300' '@15 g 2 1 m' '@20 z 7' \
	'@20 a 7 50' '@30 s cap' '@35 x 1' '@40 d 3' '@50 p 2' | cmp -s - "$tmp/m.txt" ||
	fail "merge: $(tr '\n' '|' <"$tmp/m.txt")"
"$z" trace merge -q --offset 100 "$tmp/a.trace" "$tmp/b.trace" -o "$tmp/m2.trace" &&
	"$z" trace cat --no-header "$tmp/m2.trace" | tail -n 1 | grep -qx '@150 p 2' ||
	fail "merge --offset 100"
"$z" trace merge -q - "$tmp/b.trace" -o "$tmp/m3.trace" 2>/dev/null && fail "merge read A from stdin"
printf 'zsfrag-trace 1\n! page_size 16384\n@0 w 1 100\n' >"$tmp/c.trace"
"$z" trace merge -q "$tmp/a.trace" "$tmp/c.trace" -o "$tmp/m4.trace" 2>"$tmp/err" &&
	fail "merge of two page sizes"
grep -q 'page size' "$tmp/err" || fail "merge of two page sizes: $(cat "$tmp/err")"
# a swapped-out put's slot moves with B's slots (A's highest is 7: B's slot 2 becomes 10)
printf 'zsfrag-trace 1\n@0 g 9 0 m\n@1 w 2 100\n@1 p 9 s 2\n' >"$tmp/bs.trace"
"$z" trace merge -q "$tmp/a.trace" "$tmp/bs.trace" -o "$tmp/m5.trace" || fail "merge p s"
"$z" trace cat --no-header "$tmp/m5.trace" | tr '\n' '|' | grep -q '@1 w 10 100|@1 p 9 s 10|' ||
	fail "merge p s: $("$z" trace cat --no-header "$tmp/m5.trace" | tr '\n' '|')"
# replay warns where fork figures are asked for (--json) and the trace has no k or F
"$z" replay "$tmp/a.trace" --json "$tmp/a.json" >/dev/null 2>"$tmp/err" || fail "replay a"
grep -q 'has no fork events (k, F)' "$tmp/err" || fail "no fork warning: $(cat "$tmp/err")"
"$z" replay "$tmp/m.trace" --json "$tmp/m.json" >/dev/null 2>"$tmp/err" || fail "replay m"
grep -q 'has no fork events' "$tmp/err" && fail "fork warning on a trace with forks"
"$z" replay "$tmp/a.trace" >/dev/null 2>"$tmp/err" || fail "replay a, no json"
grep -q 'has no fork events' "$tmp/err" && fail "fork warning without fork figures asked for"
ok "merge"

[ "$fails" = 0 ] && echo "all cli trace checks passed" >&2
exit $((fails > 0))
