#!/usr/bin/env bash
# compare-test.sh - ctest for scripts/kernel-check-compare, no VM needed.
# halves-6.1.console is a real guest console log of halves.trace on Debian's
# 6.1; halves-zsfrag-v6.1.json is what `zsfrag replay --profile v6.1 --arch
# x86_64` wrote for it. The test checks that agreement gives 0, that the hand-computed
# expectations hold, and that a changed class count, a changed compaction
# result and a missing snapshot each give exit status 1 and are named.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CMP="$HERE/../../scripts/kernel-check-compare"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail=0 pass=0

check() { # NAME WANT_RC GREP_PATTERN ARGS...
	local name=$1 want=$2 pat=$3 rc
	shift 3
	python3 "$CMP" --kernel-log "$HERE/halves-6.1.console" --kernel 6.1 "$@" >"$TMP/out" 2>&1
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

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
