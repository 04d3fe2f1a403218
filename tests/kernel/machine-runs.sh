#!/usr/bin/env bash
# machine-runs.sh OUTDIR [ZSFRAG] - the machine comparison of kernel/README.md:
# for each guest (ARM 6.1 at 768 and 1024 MiB, x86_64 6.1 and 6.12 at 1024
# MiB), a fill / free-half / compact trace with the pool at about 65% of
# lowmem and one at the brim (about 88%), each with a fork probe before every
# snapshot, through scripts/kernel-check. Writes OUTDIR/GUEST-CASE.{trace,
# out,json,log}; prints a summary table per run (scripts/kernel-check-compare
# is what makes the tables; machine-table.py turns the JSONs into Markdown).
# Slow: 4-8 min per run under TCG on a loaded 2-core host. Give a release
# build as ZSFRAG: the debug build checks all of memory at every page
# allocation, which a 500k-event replay on a 196k-page machine cannot afford.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: machine-runs.sh OUTDIR [ZSFRAG]}"
ZS="${2:-}"
mkdir -p "$OUT"
# GUEST KERNEL RAM LOWMEM_MANAGED HIGHMEM_MANAGED (pages, from the guests'
# /proc/zoneinfo): zram's gfp has __GFP_HIGHMEM, so HighMem fills first and
# the pool's target is HighMem plus the share of lowmem.
GUESTS=(
	"arm-768 6.1-arm 768 190029 0"
	"arm-1024 6.1-arm 1024 189461 65536"
	"x86_64-6.1 6.1 1024 245936 0"
	"x86_64-6.12 6.12 1024 245936 0"
)
for g in "${GUESTS[@]}"; do
	set -- $g
	name=$1 kernel=$2 ram=$3 low=$4 high=$5
	for c in "65 300" "88 3000"; do
		set -- $c
		share=$1 probe=$2
		base="$OUT/$name-$share"
		pages=$((high + low * share / 100))
		python3 "$HERE/make-traces.py" fillhalf "$base.trace" --pages "$pages" --probe "$probe"
		args=(--kernel "$kernel" --ram "$ram" --json "$base.json" --log "$base.log")
		[ -z "$ZS" ] || args+=(--zsfrag "$ZS")
		echo "=== $name, pool at $share% of lowmem ($pages pages), probes of $probe forks" >&2
		"$HERE/../../scripts/kernel-check" "$base.trace" "${args[@]}" >"$base.out" 2>&1
		echo "kernel-check exit $?" >>"$base.out"
		tail -n 1 "$base.out" >&2
	done
done
