#!/usr/bin/env bash
# compare-test.sh - ctest for scripts/kernel-check-compare, no VM needed.
# halves-6.1.console is a real guest console log of halves.trace on Debian's
# 6.1; halves-zsfrag-v6.1.json is what `zsfrag replay --profile v6.1 --arch
# x86_64` wrote for it. The test checks that agreement gives 0, that the hand-computed
# expectations hold, and that a changed class count, a changed compaction
# result and a missing snapshot each give exit status 1 and are named.
# halves-forks-arm-6.1.console is the ZSK lines of halves.trace with "F 20"
# before every snapshot on Debian's 6.1 armmp guest (-m 768), and
# halves-forks-zsfrag-arm-v6.1.json zsfrag's replay of it (arm32, the
# kernel/configs/arm-768.json machine): the machine rows, by hand from the
# drained buddyinfo of snapshot 0 (orders 0..11):
#   kernel 3 2 5 9 5 3 3 3 2 3 2 88: order-2 capacity 5 + 9*2 + 5*4 + 3*8 +
#     3*16 + 3*32 + 2*64 + 3*128 + 2*256 + 88*512 = 46291; free pages
#     3 + 2*2 + 4*46291 = 185171
#   zsfrag 1 0 1 0 1 1 1 0 1 1 0 95: 1 + 4 + 8 + 16 + 64 + 128 + 95*512 =
#     48861 (the kernel's own 6,579 pages are missing: +5.6%)
# and 20 fast forks on both sides.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CMP="$HERE/../../scripts/kernel-check-compare"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail=0 pass=0

LOG="$HERE/halves-6.1.console"
check() { # NAME WANT_RC GREP_PATTERN ARGS...
	local name=$1 want=$2 pat=$3 rc
	shift 3
	python3 "$CMP" --kernel-log "$LOG" --kernel 6.1 "$@" >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && grep -q -- "$pat" "$TMP/out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc (want $want), pattern '$pat'"
		tail -n 5 "$TMP/out"
	fi
}

check agree 0 "agree: 6 snapshots, 1 compactions, 2 verifications" \
	--zsfrag "$HERE/halves-zsfrag-v6.1.json" --expect "$HERE/halves.expect"
check kernel-only 0 "ran cleanly" --expect "$HERE/halves.expect"

python3 - "$HERE/halves-zsfrag-v6.1.json" "$TMP" <<'PY'
import json, sys
src, tmp = sys.argv[1], sys.argv[2]
z = json.load(open(src))
z["snapshots"][2]["classes"][1]["pages_used"] = 39
json.dump(z, open(tmp + "/class.json", "w"))
z = json.load(open(src))
z["compactions"][0]["pages_freed"] = 280
json.dump(z, open(tmp + "/compact.json", "w"))
z = json.load(open(src))
del z["snapshots"][4]
json.dump(z, open(tmp + "/snap.json", "w"))
PY
check class 1 "DIFFERENT snapshot 2 'compacted': class 30 pages_used: kernel 38 zsfrag 39" \
	--zsfrag "$TMP/class.json"
check compact 1 "DIFFERENT compaction 0: pages_freed: kernel 281 zsfrag 280" \
	--zsfrag "$TMP/compact.json"
check snapshots 1 "number of snapshots: kernel 6 zsfrag 5" --zsfrag "$TMP/snap.json"
sed 's/^snap filled pool_pages 1163/snap filled pool_pages 1164/' "$HERE/halves.expect" >"$TMP/bad.expect"
check expect 1 "snap filled pool_pages" --expect "$TMP/bad.expect"
grep -v 'ZSK end' "$HERE/halves-6.1.console" >"$TMP/cut.console"
python3 "$CMP" --kernel-log "$TMP/cut.console" --kernel 6.1 >"$TMP/out" 2>&1
if [ $? = 1 ] && grep -q "kernel run: finished" "$TMP/out"; then pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL unfinished: an unfinished kernel run must be a difference"; fi

# The machine rows (ARM guest with fork probes).
LOG="$HERE/halves-forks-arm-6.1.console"
AZ="$HERE/halves-forks-zsfrag-arm-v6.1.json"
check arm-agree 0 "agree: 6 snapshots" --platform arm --zsfrag "$AZ" --expect "$HERE/halves.expect"
check arm-capacity 0 "order-2 capacity       46291      48861    +5.6%" --platform arm --zsfrag "$AZ"
check arm-free 0 "free pages            185171     195445    +5.5%" --platform arm --zsfrag "$AZ"
check arm-forks 0 "fast               20       20    +0.0%" --platform arm --zsfrag "$AZ"
check arm-drained 0 "machine (per-CPU lists drained)" --platform arm --zsfrag "$AZ"
check arm-tolerance-5 1 "DIFFERENT snapshot 0 'filled': lowmem order-2 capacity (tolerance 5.0%): kernel 46291 zsfrag 48861" \
	--platform arm --zsfrag "$AZ" --machine-tolerance 5
check arm-tolerance-6 0 "agree" --platform arm --zsfrag "$AZ" --machine-tolerance 6
python3 - "$AZ" "$TMP" <<'PY'
import json, sys
z = json.load(open(sys.argv[1]))
# snapshot 0: 5 of the 20 forks failed instead (the probe stops at the first)
f = z["snapshots"][0]["forks"]
f["succeeded_by"]["fast"] = 15
f["succeeded"], f["failed"], f["attempted"] = 15, 1, 16
json.dump(z, open(sys.argv[2] + "/forks.json", "w"))
PY
check arm-forks-differ 1 "DIFFERENT snapshot 0 'filled': forks fast (tolerance 6.0%): kernel 20 zsfrag 15" \
	--platform arm --zsfrag "$TMP/forks.json" --machine-tolerance 6

# Results format 2 (forks.outcomes, cumulative): snapshot i has i of its
# forks counted as oom_kill, so snapshot 1 shows 19 fast and 1 OOM kill.
python3 - "$AZ" "$TMP" <<'PY'
import json, sys
z = json.load(open(sys.argv[1]))
for i, s in enumerate(z["snapshots"]):
    f = s["forks"]
    n = f["attempted"]
    f["outcomes"] = {"fast": n - min(i, 5) * (i + 1) // 2, "compaction": 0, "reclaim": 0,
                     "zs_compact": 0, "oom_kill": min(i, 5) * (i + 1) // 2, "failed": 0}
    f["oom_kills"] = f["outcomes"]["oom_kill"]
    del f["succeeded_by"]
json.dump(z, open(sys.argv[2] + "/format2.json", "w"))
PY
check arm-format2 0 "oom                 0        1      inf" --platform arm --zsfrag "$TMP/format2.json"
check arm-format2-fast 0 "fast               20       19    -5.0%" --platform arm --zsfrag "$TMP/format2.json"

# The per-CPU lists in a probe (fork_pcp lines and each fork's pcp_ZONE=count,high, from
# kernel/forkprobe.c; zsfrag's forks.probe_pcp): the first probe's DMA lists start drained at
# high 1302 (batch 31; a zone whose batch is 1, Movable here, is left out), forks 0 and 1 leave
# 500 and 1400 pages listed (rises 500 and 900), the rest 1380; high 1290 once they are done.
awk '
	/ZSK fork label=probe-filled i=0 / && !done {
		print "ZSK fork_pcp label=probe-filled when=start t_ms=5 zone=DMA count=0 high=1302 batch=31 free=9"
		print "ZSK fork_pcp label=probe-filled when=start t_ms=5 zone=Movable count=0 high=4 batch=1 free=9"
		done = 1
	}
	/ZSK fork_end label=probe-filled / {
		print "ZSK fork_pcp label=probe-filled when=children t_ms=9 zone=DMA count=1380 high=1290 batch=31 free=9"
	}
	/ZSK fork label=probe-filled / {
		sub(/\r$/, "") # the stored console keeps the serial line ends
		pcp = / i=0 / ? "500,1302" : / i=1 / ? "1400,1302" : "1380,1290"
		print $0 " pcp_DMA=" pcp " pcp_Movable=3,4"
		next
	}
	{ print }
' "$LOG" >"$TMP/pcp.console"
python3 - "$AZ" "$TMP" <<'PY'
import json, sys
z = json.load(open(sys.argv[1]))
z["snapshots"][0]["forks"]["probe_pcp"] = {"probes": 1, "high": 1302, "pages_max": 1500,
                                           "rise_max": 1000}
json.dump(z, open(sys.argv[2] + "/pcp.json", "w"))
PY
LOG="$TMP/pcp.console"
check pcp-high 0 "high at the start                      1302     1302" --platform arm --zsfrag "$TMP/pcp.json"
check pcp-max 0 "most listed                            1400     1500" --platform arm --zsfrag "$TMP/pcp.json"
check pcp-rise 0 "largest rise, one fork                  900     1000" --platform arm --zsfrag "$TMP/pcp.json"
check pcp-end 0 "kernel: high 1290 once the forks were done" --platform arm --zsfrag "$TMP/pcp.json"
# without per-fork readings (no kernel-check --probe-pcp) the kernel's most and rise are "-"
sed 's/ pcp_DMA=[0-9,]* pcp_Movable=[0-9,]*//' "$TMP/pcp.console" >"$TMP/pcp-start.console"
LOG="$TMP/pcp-start.console"
check pcp-no-per-fork 0 "most listed                               -     1500" --platform arm --zsfrag "$TMP/pcp.json"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
