#!/bin/busybox sh
# capture-init.sh - /init of the initramfs that scripts/capture-check boots: zram as real swap,
# a workload that swaps (/cap/swapload), captured live with scripts/zram-capture-tracefs.
#
# Layout (made by scripts/capture-check):
#   /bin/busybox, /lib/modules/RELEASE/   busybox-static; zram and virtio modules (depmod'ed)
#   /cap/zram-capture-tracefs             the kit
#   /cap/swapload                         kernel/swapload.c, static
#   /cap/args                             "NPROC MB DISKSIZE_MB RUNS" for swapload and zram
# The capture goes onto a raw virtio disk (/dev/vda, a sparse file on the host read up to
# its first NUL). Runs: "plain" (no capture, for the capture's overhead), then "capture".
# Console lines start with "CAP ".

/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

fatal() {
	echo "CAP fatal msg=$*"
	poweroff -f
}
echo "CAP guest kernel=$(uname -r) mem_total_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo) cpus=$(grep -c ^processor /proc/cpuinfo)"
modprobe virtio_pci; modprobe virtio_blk
modprobe zram num_devices=1 || fatal "modprobe zram"
[ -w /proc/sys/vm/compaction_proactiveness ] && echo 0 >/proc/sys/vm/compaction_proactiveness
read -r nproc mb disk runs </cap/args
echo "CAP comp_algorithm=$(cat /sys/block/zram0/comp_algorithm)"

# swap_on: zram0 (reset before) of DISK MiB as the only swap device
swap_on() {
	echo "${disk}M" >/sys/block/zram0/disksize || fatal "disksize"
	mkswap /dev/zram0 >/dev/null || fatal "mkswap"
	swapon /dev/zram0 || fatal "swapon"
}

for run in $runs; do
	case "$run" in
	plain)
		echo 1 >/sys/block/zram0/reset
		swap_on
		/cap/swapload "$nproc" "$mb" "" zram0 >/tmp/plain.out || fatal "swapload (plain)"
		echo "CAP plain $(tail -n 1 /tmp/plain.out)"
		swapoff /dev/zram0
		;;
	capture)
		# The kit starts after the reset (which frees the last run's pool) and before
		# mkswap, so the capture holds the swap header's object too.
		echo 1 >/sys/block/zram0/reset
		CAPTURE_BUFFER_KB=16384 /cap/zram-capture-tracefs /dev/vda 2>/tmp/kit.err &
		kit=$!
		n=0
		while ! grep -q 'recording to' /tmp/kit.err; do
			kill -0 "$kit" 2>/dev/null || fatal "the kit stopped: $(cat /tmp/kit.err)"
			n=$((n + 1))
			[ $n -lt 6000 ] || fatal "the kit never started"
			sleep 0.1
		done
		swap_on
		/cap/swapload "$nproc" "$mb" /sys/kernel/tracing/trace_marker zram0 \
			>/tmp/capture.out || fatal "swapload (capture)"
		echo "CAP capture $(tail -n 1 /tmp/capture.out)"
		kill -INT "$kit"
		wait "$kit"
		sync
		echo "CAP kit $(tr '\n' ' ' </tmp/kit.err)"
		;;
	esac
done
echo "CAP vmstat $(grep -E '^(pswpin|pswpout|compact_stall|allocstall_normal|oom_kill) ' /proc/vmstat | tr '\n' ' ')"
echo "CAP guest_done"
poweroff -f
