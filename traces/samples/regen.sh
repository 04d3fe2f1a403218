#!/usr/bin/env bash
# traces/samples/regen.sh ZSFRAG: remake the sample traces (root needed for the real-memory one).
#   python-wordindex.trace  real memory: workload.py (python3) sampled 3 times, 1 s apart,
#                           every anonymous page compressed with lz4
#   churn-forkstorm.ztb.zst  synthetic: zsfrag gen churn,forkstorm, 60000 events, seed 7
# Checks that each one validates and replays.
set -euo pipefail
cd "$(dirname "$0")"
z="${1:?usage: regen.sh path/to/zsfrag}"
# workload.py prints its PID down the pipe once its first index is built: sampling starts when
# the heap is there, whatever the machine's load, not after a guessed delay.
coproc WL { exec python3 workload.py 6; }
read -r wl_pid <&"${WL[0]}"
"$z" trace from-process "$wl_pid" --samples 3 --interval 1 --compressor lz4 \
	-o python-wordindex.trace
wait "$WL_PID"
"$z" gen churn,forkstorm --param events=60000 --param churn.target=10000 --param compact=5 \
	--seed 7 -q -o churn-forkstorm.trace
"$z" trace convert churn-forkstorm.trace churn-forkstorm.ztb.zst
rm churn-forkstorm.trace
for t in python-wordindex.trace churn-forkstorm.ztb.zst; do
	"$z" trace validate "$t"
	"$z" replay "$t" --profile v6.1 --arch x86_64 --no-timing -q
done
