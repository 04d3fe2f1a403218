#!/usr/bin/env bash
# build_progress_test.sh SRC - scripts/lib-progress.sh, the progress line of scripts/build and
# scripts/bench: cmake's "[ NN%]" lines become "LABEL: NN%" at every 25% when stderr is not a
# terminal, then "LABEL: done in N s"; the build's own output is shown only when it fails, and
# the failure's status is returned.
set -u
SRC="${1:?usage: build_progress_test.sh SRC}"
# shellcheck source=../../scripts/lib-progress.sh
. "$SRC/scripts/lib-progress.sh"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
fake_build() { # the shape of cmake --build's output
	for p in 3 10 24 25 40 51 77 99 100; do printf '[%3d%%] Building C object x%d.o\n' "$p" "$p"; done
	echo "a warning nobody needs to see"
	return "${1:-0}"
}

err="$(zsk_build_progress "b" fake_build 0 2>&1 >/dev/null)"
rc=$?
[ "$rc" = 0 ] || fail "ok build: status $rc"
want="$(printf 'b: 3%%\nb: 25%%\nb: 51%%\nb: 77%%\nb: 100%%')"
[ "$(printf '%s\n' "$err" | sed '$d')" = "$want" ] || fail "ok build: progress lines: $err"
printf '%s\n' "$err" | tail -n 1 | grep -qE '^b: done in [0-9]+ s$' || fail "ok build: no duration: $err"
case "$err" in *warning*) fail "ok build: the build's output was shown" ;; esac

err="$(zsk_build_progress "b" fake_build 3 2>&1 >/dev/null)"
rc=$?
[ "$rc" = 3 ] || fail "failed build: status $rc, want 3"
case "$err" in *"a warning nobody needs to see"*"b: FAILED (exit 3)"*) ;; *) fail "failed build: $err" ;; esac

[ "$fails" = 0 ] && echo "build_progress_test: ok"
[ "$fails" = 0 ]
