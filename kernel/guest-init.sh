#!/bin/busybox sh
# guest-init.sh - /init of the initramfs that scripts/kernel-check boots.
#
# Layout of the initramfs (made by scripts/kernel-check):
#   /bin/busybox          busybox-static; applets are linked at start
#   /zsk/zsmalloc.ko      only when the kernel builds zsmalloc as a module
#   /zsk/zsfrag_kreplay.ko
#   /zsk/trace/NNNNN.trace  the trace, cut after every "s" line
#
# Each piece is written to /proc/zsfrag_kreplay, which replays it at once;
# between pieces (that is, right after each snapshot) the guest's free-page
# figures are printed: /proc/buddyinfo alone is misleading, because freed
# pages first wait on per-CPU lists, so the per-CPU counts of
# /proc/zoneinfo go beside it. Every result line starts with "ZSK "; the
# host stops reading at "ZSK guest_done" or when the VM powers off.

/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin
/bin/busybox --install -s /bin
export PATH=/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

fatal() {
	echo "ZSK fatal msg=$*"
	poweroff -f
}

# The module reports through the kernel log at KERN_INFO: let the console
# show it, now that the boot messages are past.
echo "7 4 1 7" > /proc/sys/kernel/printk
# Proactive compaction would migrate zspage pages behind our back.
[ -w /proc/sys/vm/compaction_proactiveness ] && echo 0 > /proc/sys/vm/compaction_proactiveness

echo "ZSK guest kernel=$(uname -r) mem_total_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo) cpus=$(grep -c ^processor /proc/cpuinfo)"

if [ -f /zsk/zsmalloc.ko ]; then
	insmod /zsk/zsmalloc.ko || fatal "insmod zsmalloc.ko failed"
fi
insmod /zsk/zsfrag_kreplay.ko || fatal "insmod zsfrag_kreplay.ko failed"
[ -w /proc/zsfrag_kreplay ] || fatal "/proc/zsfrag_kreplay missing"

free_pages() {
	sed "s/^/ZSK buddyinfo chunk=$1 /" /proc/buddyinfo
	awk -v chunk="$1" '
		/^Node/ { zone = $4 }
		/cpu:/ { cpu = $2 }
		/^ +count:/ { if (cpu != "") print "ZSK pcp chunk=" chunk " zone=" zone " cpu=" cpu " count=" $2 }
		/^Node/ { cpu = "" }
	' /proc/zoneinfo
}

i=0
for piece in /zsk/trace/*.trace; do
	cat "$piece" > /proc/zsfrag_kreplay || fatal "replay write failed at $piece"
	free_pages "$i"
	i=$((i + 1))
done

rmmod zsfrag_kreplay || fatal "rmmod zsfrag_kreplay failed"
echo "ZSK guest_done pieces=$i"
sync
poweroff -f
