#!/usr/bin/env bash
# traces/samples/regen.sh ZSFRAG: remake the sample traces (root needed for the real-memory one).
#   python-wordindex.trace  real memory: workload.py (python3) sampled 3 times, 1 s apart,
#                           every anonymous page compressed with lz4
#   churn-forkstorm.ztb.zst  synthetic: zsfrag gen churn,forkstorm, 60000 events, seed 7
# Checks that each one validates and replays.
set -euo pipefail
cd "$(dirname "$0")"
z="${1:?usage: regen.sh path/to/zsfrag}"
python3 workload.py 6 > pid.txt &
wl=$!
while [ ! -s pid.txt ]; do sleep 0.1; done
sleep 1.5
"$z" trace from-process "$(cat pid.txt)" --samples 3 --interval 1 --compressor lz4 \
	-o python-wordindex.trace
wait "$wl"
rm -f pid.txt
"$z" gen churn,forkstorm --param events=60000 --param churn.target=10000 --param compact=5 \
	--seed 7 -q -o churn-forkstorm.trace
"$z" trace convert churn-forkstorm.trace churn-forkstorm.ztb.zst
rm churn-forkstorm.trace
for t in python-wordindex.trace churn-forkstorm.ztb.zst; do
	"$z" trace validate "$t"
	"$z" replay "$t" --profile v6.1 --arch x86_64 --no-timing -q
done
