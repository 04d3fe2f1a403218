# lib-progress.sh - sourced by scripts/build and scripts/bench: run a long build with one
# short progress line instead of cmake's hundreds (or none at all), and say how long it took.
#
# zsk_build_progress LABEL COMMAND...: runs COMMAND with its output in a log; shows cmake's
# "[ NN%]" as "LABEL: NN%" on stderr (in place on a terminal, else at every 25%); on failure
# prints the log and returns COMMAND's status.
zsk_build_progress() {
	local label=$1 log rc start errexit=$-
	shift
	log="$(mktemp "${TMPDIR:-/tmp}/zsfrag-build.XXXXXX")"
	start=$(date +%s)
	set +e
	"$@" 2>&1 | tee "$log" | awk -v label="$label" -v tty="$([ -t 2 ] && echo 1)" '
		match($0, /^\[ *[0-9]+%\]/) {
			p = substr($0, 2, RLENGTH - 3) + 0
			if (tty) { if (p != last) printf "\r%s: %3d%%", label, p > "/dev/stderr" }
			else if (p >= next_step) { printf "%s: %d%%\n", label, p > "/dev/stderr"; next_step = (int(p / 25) + 1) * 25 }
			last = p
		}
		END { if (tty && last != "") printf "\r" > "/dev/stderr" }'
	rc=${PIPESTATUS[0]}
	case $errexit in *e*) set -e ;; esac
	if [ "$rc" -ne 0 ]; then
		cat "$log" >&2
		echo "$label: FAILED (exit $rc), the build's output is above" >&2
	else
		echo "$label: done in $(($(date +%s) - start)) s" >&2
	fi
	rm -f "$log"
	return "$rc"
}
