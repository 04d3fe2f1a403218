#!/bin/busybox sh
# capture-init.sh - /init of the initramfs that scripts/capture-check boots: zram as real swap,
# a workload that swaps (/cap/swapload), captured live with scripts/zram-capture-tracefs.
#
# Layout (made by scripts/capture-check):
#   /bin/busybox, /lib/modules/RELEASE/   busybox-static; zram and virtio modules (depmod'ed)
#   /cap/zram-capture-tracefs             the kit
#   /cap/swapload                         kernel/swapload.c, static
#   /cap/args                             "NPROC MB DISKSIZE_MB RUNS" for swapload and zram
#   /cap/kit                              tracefs, or bpftrace: /cap/zram-capture (and its .bt)
#                                         run from the root disk /dev/vdb (Debian's bpftrace)
# The capture goes onto a raw virtio disk (/dev/vda, a sparse file on the host read up to
# its first NUL). Runs: "plain" (no capture, for the capture's overhead), then "capture".
# Result lines start with "CAP " and go into the kernel log as one record each (see
# guest-init.sh: a line written to the console tty can be cut by a kernel message).

/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

# At level 3 ("<3>"): the console stays as quiet as the boot left it (errors only), so
# the swapping workload's warnings do not slow the serial console down.
echo on >/proc/sys/kernel/printk_devkmsg 2>/dev/null
KMSG=/dev/kmsg
[ -w "$KMSG" ] || KMSG=/dev/console
say() { printf '<3>%s\n' "$*" >"$KMSG" || printf '%s\n' "$*" >/dev/console; }
say_prefixed() { while IFS= read -r line; do say "$1$line"; done <"$2"; }

fatal() {
	say "CAP fatal msg=$*"
	poweroff -f
}
say "CAP guest kernel=$(uname -r) mem_total_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo) cpus=$(grep -c ^processor /proc/cpuinfo)"
# wait_disk DEV WHAT: the virtio disk DEV, probed asynchronously after its driver loads
wait_disk() {
	n=0
	while [ ! -b "$1" ]; do
		n=$((n + 1))
		[ $n -lt 100 ] || fatal "no $1 ($2)"
		sleep 0.1
	done
}
# the capture's disk: virtio over PCI (x86_64) or MMIO (ARM's virt board)
modprobe -q virtio_pci; modprobe -q virtio_mmio; modprobe virtio_blk
wait_disk /dev/vda "the capture's disk"
modprobe zram num_devices=1 || fatal "modprobe zram"
[ -w /proc/sys/vm/compaction_proactiveness ] && echo 0 >/proc/sys/vm/compaction_proactiveness
read -r nproc mb disk runs </cap/args
kit=tracefs
[ -r /cap/kit ] && read -r kit </cap/kit
buffer_kb=16384 # the capture's ring buffer (per CPU)
say "CAP comp_algorithm=$(cat /sys/block/zram0/comp_algorithm)"

# swap_on: zram0 (reset before) of DISK MiB as the only swap device
swap_on() {
	echo "${disk}M" >/sys/block/zram0/disksize || fatal "disksize"
	mkswap /dev/zram0 >/dev/null || fatal "mkswap"
	swapon /dev/zram0 || fatal "swapon"
}

# drain_watch KIT: if the kit's reader has read no event for 60 s while the kit still
# drains, what every task of the capture waits in (state, wchan, kernel stack), how far the
# reader got, then power off: a stalled drain is diagnosed in the console log instead of
# timing out silently (a slow one, on a loaded host, goes on).
drain_read() { cat /sys/kernel/tracing/per_cpu/cpu*/stats | sed -n 's/^read events: *//p' | tr '\n' ' '; }
drain_watch() {
	last=-1
	while sleep 60; do
		kill -0 "$1" 2>/dev/null || return 0
		now=$(drain_read)
		[ "$now" = "$last" ] && break
		last=$now
	done
	say "CAP drain_stalled after=60s_without_reading"
	for d in /proc/[0-9]*; do
		c=$(cat "$d/comm" 2>/dev/null) || continue
		case "$c" in init | sed | sh | zram-capture-tr* | swapload) ;; *) continue ;; esac
		say "CAP task pid=${d#/proc/} comm=$c $(grep '^State' "$d/status" | tr -s '\t ' ' ')" \
			"wchan=$(cat "$d/wchan" 2>/dev/null)"
		say_prefixed "CAP   stack " "$d/stack" 2>/dev/null
		for f in "$d"/fd/*; do
			say "CAP   fd ${f##*/} -> $(readlink "$f") pos=$(sed -n 's/^pos:[[:space:]]*//p' \
				"$d/fdinfo/${f##*/}" 2>/dev/null)"
		done
	done
	for s in /sys/kernel/tracing/per_cpu/cpu*/stats; do say_prefixed "CAP   rb " "$s"; done
	say_prefixed "CAP   kit.err " /tmp/kit.err
	say "CAP   tracing_on=$(cat /sys/kernel/tracing/tracing_on)" \
		"enable=$(cat /sys/kernel/tracing/events/zsfrag/enable 2>/dev/null)"
	poweroff -f
}

# capture_bpftrace: the capture run with the bpftrace kit, from the root disk /dev/vdb (ext4,
# read-only; /tmp in it a tmpfs), its capture on /dev/vda. bpftrace starts the run's swap and
# workload itself once its probes are attached (zram-capture's COMMAND, bpftrace -c) and
# stops when they are done, so neither end needs a wait on the other.
capture_bpftrace() {
	modprobe -q crc32c_generic
	modprobe ext4 || fatal "modprobe ext4"
	wait_disk /dev/vdb "the bpftrace root disk"
	mkdir -p /bt
	mount -t ext4 -o ro /dev/vdb /bt || fatal "mount /dev/vdb"
	mount -t proc proc /bt/proc
	mount -t sysfs sysfs /bt/sys
	mount -t tracefs nodev /bt/sys/kernel/tracing
	mount -t debugfs nodev /bt/sys/kernel/debug
	mount -t devtmpfs devtmpfs /bt/dev
	mount -t tmpfs -o size=8m tmpfs /bt/tmp
	cp /cap/zram-capture /cap/zram-capture.bt /cap/swapload /bt/tmp/
	# (the workload back at nice 0: bpftrace starts it at its own -20)
	cat >/bt/tmp/run.sh <<EOF
renice -n 20 -p \$\$ >/dev/null
echo ${disk}M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null &&
	swapon /dev/zram0 || exit 1
exec /tmp/swapload $nproc $mb /sys/kernel/tracing/trace_marker zram0 >/tmp/capture.out
EOF
	t0=$(cut -d ' ' -f 1 /proc/uptime)
	# bpftrace's per-CPU perf buffers twice the tracefs kit's ring buffer, and its reader
	# ahead of the workload and kswapd for the one CPU: a reader that falls behind loses
	# events where trace_pipe's ring buffer only fills (at 16 MiB and nice 0, 44,072 of
	# about 530,000 lost, at the two exits' bursts of frees); busybox's applets stand in for
	# coreutils, grep and sed (/usr/local/bin)
	# (busybox has renice, no nice)
	PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin BPFTRACE_PERF_RB_PAGES=$((buffer_kb / 2)) \
		sh -c 'renice -n -20 -p $$ >/dev/null && exec chroot /bt /bin/bash /tmp/zram-capture \
		/dev/vda "/usr/local/bin/sh /tmp/run.sh"' 2>/tmp/kit.err ||
		fatal "the kit failed: $(tr '\n' ' ' </tmp/kit.err)"
	grep -q pswpout /bt/tmp/capture.out || fatal "swapload (capture): $(tr '\n' ' ' </tmp/kit.err)"
	say "CAP capture $(tail -n 1 /bt/tmp/capture.out)"
	sync
	say "CAP kit seconds=$(awk -v t0="$t0" '{ print $1 - t0 }' /proc/uptime) $(tr '\n' ' ' </tmp/kit.err)"
}

for run in $runs; do
	case "$run" in
	plain)
		echo 1 >/sys/block/zram0/reset
		# the kit's ring buffer, allocated but unused: both runs have the same memory
		echo "$buffer_kb" >/sys/kernel/tracing/buffer_size_kb
		swap_on
		/cap/swapload "$nproc" "$mb" "" zram0 >/tmp/plain.out || fatal "swapload (plain)"
		say "CAP plain $(tail -n 1 /tmp/plain.out)"
		swapoff /dev/zram0
		;;
	capture)
		# The kit starts after the reset (which frees the last run's pool) and before
		# mkswap, so the capture holds the swap header's object too.
		echo 1 >/sys/block/zram0/reset
		if [ "$kit" = bpftrace ]; then
			capture_bpftrace
			continue
		fi
		CAPTURE_BUFFER_KB=$buffer_kb /cap/zram-capture-tracefs /dev/vda 2>/tmp/kit.err &
		kit_pid=$!
		n=0
		while ! grep -q 'recording to' /tmp/kit.err; do
			kill -0 "$kit_pid" 2>/dev/null || fatal "the kit stopped: $(cat /tmp/kit.err)"
			n=$((n + 1))
			[ $n -lt 6000 ] || fatal "the kit never started"
			sleep 0.1
		done
		swap_on
		/cap/swapload "$nproc" "$mb" /sys/kernel/tracing/trace_marker zram0 \
			>/tmp/capture.out || fatal "swapload (capture)"
		say "CAP capture $(tail -n 1 /tmp/capture.out)"
		# TERM, not INT: a non-interactive shell starts its background jobs with SIGINT
		# ignored, and a shell cannot trap a signal ignored at its start, so INT never
		# reached the kit's trap and the drain never began (the "stalled drain").
		t0=$(cut -d ' ' -f 1 /proc/uptime)
		kill -TERM "$kit_pid"
		drain_watch "$kit_pid" &
		watch=$!
		wait "$kit_pid"
		kill "$watch" 2>/dev/null
		sync
		say "CAP drain seconds=$(awk -v t0="$t0" '{ print $1 - t0 }' /proc/uptime)"
		say "CAP kit $(tr '\n' ' ' </tmp/kit.err)"
		;;
	esac
done
say "CAP vmstat $(grep -E '^(pswpin|pswpout|compact_stall|allocstall_normal|oom_kill) ' /proc/vmstat | tr '\n' ' ')"
say "CAP guest_done"
poweroff -f
