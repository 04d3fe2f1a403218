#!/bin/busybox sh
# guest-init.sh - /init of the initramfs that scripts/kernel-check boots.
#
# Layout of the initramfs (made by scripts/kernel-check):
#   /bin/busybox          busybox-static; applets are linked at start
#   /zsk/zsmalloc.ko      only when the kernel builds zsmalloc as a module
#   /zsk/zsfrag_kreplay.ko
#   /zsk/forkprobe        the fork probe (forkprobe.c), static, for the guest
#   /zsk/trace/NNNNNN.snap   a piece of the trace that ends with an "s" line
#   /zsk/trace/NNNNNN.trace  a piece that ends before an "F" line, or the last
#   /zsk/trace/NNNNNN.fork   an "F N LABEL" event: "N LABEL"
#
# Each trace piece is written to /proc/zsfrag_kreplay, which replays it at
# once; a .fork piece runs the fork probe. Right after each snapshot the
# guest's memory is printed (machine_state): /proc/buddyinfo and the per-CPU
# list counts as they are, then, once the per-CPU lists are drained
# (/proc/zsfrag_kdrain, when the module found drain_all_pages), buddyinfo,
# pagetypeinfo, each zone's free pages, watermarks, protection and zspage
# pages (/proc/zoneinfo), and the reclaim/compaction/OOM counters of
# /proc/vmstat. Every result line starts with "ZSK "; the host stops reading
# at "ZSK guest_done" or when the VM powers off.

/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin
/bin/busybox --install -s /bin
export PATH=/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

# The module reports through the kernel log at KERN_INFO, and so does this
# script (below): let the console show both, now that the boot messages are past.
echo "7 4 1 7" > /proc/sys/kernel/printk

# Result lines go into the kernel log, one record each (/dev/kmsg), never straight onto
# the console tty: the console prints a record whole, but a kernel message printed while a
# tty write is under way lands in the middle of its line (one CI run lost a zone line's
# protection= to "tsc: Refined TSC clocksource calibration", which comes at no fixed time
# under TCG). A record holds under 1 KiB (992 bytes on 6.1): the writers keep lines shorter.
# No pipes here: between the per-CPU drain and the buddyinfo read a pipe's page would be
# taken from the buddy lists being measured.
echo on > /proc/sys/kernel/printk_devkmsg 2>/dev/null
KMSG=/dev/kmsg
[ -w "$KMSG" ] || KMSG=/dev/console
say() { printf '%s\n' "$*" > "$KMSG" || printf '%s\n' "$*" > /dev/console; }
# awk programs that report start with this (and get -v K="$KMSG")
# (cred_jar is named "cred" from 6.9 on: 6.12 has only the second)
FORK_CACHES="task_struct mm_struct vm_area_struct anon_vma anon_vma_chain signal_cache sighand_cache files_cache fs_cache pid cred_jar cred"
AWK_SAY='function say(s) { print s > K; close(K) }'
# say_prefixed PREFIX FILE: each line of FILE, after PREFIX, as its own record
say_prefixed() {
	while IFS= read -r line; do say "$1$line"; done < "$2"
}

fatal() {
	say "ZSK fatal msg=$*"
	poweroff -f
}

# Proactive compaction would migrate zspage pages behind our back.
[ -w /proc/sys/vm/compaction_proactiveness ] && echo 0 > /proc/sys/vm/compaction_proactiveness

say "ZSK guest kernel=$(uname -r) mem_total_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo) cpus=$(grep -c ^processor /proc/cpuinfo)"

if [ -f /zsk/zsmalloc.ko ]; then
	insmod /zsk/zsmalloc.ko || fatal "insmod zsmalloc.ko failed"
fi
# nr_ids / nr_slots size the module's object table, taken whole at load
# (the host numbers the trace's IDs and slots densely: /zsk/params).
# shellcheck disable=SC2046
insmod /zsk/zsfrag_kreplay.ko $(cat /zsk/params 2>/dev/null) || fatal "insmod zsfrag_kreplay.ko failed"
[ -w /proc/zsfrag_kreplay ] || fatal "/proc/zsfrag_kreplay missing"

say "ZSK sysctl min_free_kbytes=$(cat /proc/sys/vm/min_free_kbytes) lowmem_reserve_ratio=$(tr -s ' \t' ',' < /proc/sys/vm/lowmem_reserve_ratio) watermark_scale_factor=$(cat /proc/sys/vm/watermark_scale_factor) watermark_boost_factor=$(cat /proc/sys/vm/watermark_boost_factor 2>/dev/null || echo none)"
awk -v K="$KMSG" "$AWK_SAY"'/^Node/ { z = $4 } /start_pfn:/ { say("ZSK zone_span zone=" z " start_pfn=" $2) }' /proc/zoneinfo

# pagetypes HEAD PBHEAD: /proc/pagetypeinfo as records: "HEAD zone=Z type=T counts=n0,n1,.."
# (free blocks per order on each migrate type's list) and "PBHEAD zone=Z Unmovable=N ..."
# (pageblocks per type)
pagetypes() {
	awk -v K="$KMSG" -v head="$1" -v pbhead="$2" "$AWK_SAY"'
		/^Node .* type / {
			sub(/,/, "", $4)
			out = head " zone=" $4 " type=" $6 " counts="
			for (i = 7; i <= NF; i++) out = out (i > 7 ? "," : "") $i
			say(out)
		}
		/^Number of blocks type/ { nb = 1; ntypes = NF - 4; for (i = 5; i <= NF; i++) types[i - 4] = $i; next }
		nb && /^Node/ {
			out = pbhead " zone=" $4
			for (i = 5; i <= NF; i++) out = out " " types[i - 4] "=" $i
			say(out)
		}
	' /proc/pagetypeinfo
}

machine_state() {
	say_prefixed "ZSK buddyinfo chunk=$1 " /proc/buddyinfo
	# the per-CPU lists as they are: count, high (6.12 tunes it between high_min and
	# high_max) and batch, and when (uptime, s: 6.12's vmstat worker decays high by
	# time, decay_pcp_high)
	read -r up _ < /proc/uptime
	awk -v K="$KMSG" -v chunk="$1" -v up="$up" "$AWK_SAY"'
		function flush() {
			if (cpu != "") say("ZSK pcp chunk=" chunk " zone=" zone " cpu=" cpu " count=" count " high=" high " batch=" batch " uptime=" up)
			cpu = ""
		}
		/^Node/ { flush(); zone = $4 }
		/cpu:/ { flush(); cpu = $2 }
		/^ +count:/ { count = $2 }
		/^ +high:/ { high = $2 }
		/^ +batch:/ { batch = $2 }
		/vm stats threshold|node_unreclaimable/ { flush() }
		END { flush() }
	' /proc/zoneinfo
	drained=0
	if [ -w /proc/zsfrag_kdrain ] && echo 1 > /proc/zsfrag_kdrain; then
		drained=1
	fi
	say_prefixed "ZSK buddyinfo_drained chunk=$1 drained=$drained " /proc/buddyinfo
	pagetypes "ZSK pagetype chunk=$1" "ZSK pageblocks chunk=$1"
	awk -v K="$KMSG" -v chunk="$1" "$AWK_SAY"'
		function flush() {
			if (zone != "") say("ZSK zone chunk=" chunk " zone=" zone " free=" free " boost=" boost " min=" min " low=" low " high=" high " spanned=" spanned " present=" present " managed=" managed " cma=" cma " nr_zspages=" zsp " protection=" prot)
		}
		/^Node/ { flush(); zone = $4; free = boost = min = low = high = spanned = present = managed = cma = zsp = 0; prot = "" }
		/^ +pages free/ { free = $3 }
		/^ +boost / { boost = $2 }
		/^ +min / { min = $2 }
		/^ +low / { low = $2 }
		/^ +high / { high = $2 }
		/^ +spanned / { spanned = $2 }
		/^ +present / { present = $2 }
		/^ +managed / { managed = $2 }
		/^ +cma / { cma = $2 }
		/^ +nr_zspages / { zsp = $2 }
		/protection:/ { p = $0; sub(/.*\(/, "", p); sub(/\).*/, "", p); gsub(/ /, "", p); prot = p }
		END { flush() }
	' /proc/zoneinfo
	awk -v K="$KMSG" -v chunk="$1" "$AWK_SAY"'
		/^(allocstall_|compact_|pgmigrate_success|oom_kill|pageoutrun|kswapd_|pgsteal_|pgscan_|nr_free_pages|nr_zspages|nr_page_table_pages|nr_kernel_stack|nr_slab_unreclaimable|nr_slab_reclaimable|nr_file_pages|nr_unevictable|nr_shmem|nr_free_cma|drop_pagecache|pgalloc_|pgfree)/ {
			out = out " " $1 "=" $2
			if (++n == 16) { say("ZSK vmstat chunk=" chunk out); out = ""; n = 0 }
		}
		END { if (n) say("ZSK vmstat chunk=" chunk out) }
	' /proc/vmstat
	# zsmalloc's kmem caches (6.1 "zs_handle"/"zspage", 6.12 "zs_handle-NAME"/"zspage-NAME"),
	# SLUB's sysfs figures (aliases > 0: merged with other caches); read, no pipes
	for d in /sys/kernel/slab/zs_handle* /sys/kernel/slab/zspage*; do
		[ -r "$d/slabs" ] || continue
		line="ZSK zs_slab chunk=$1 cache=${d##*/}"
		for f in slabs objects partial cpu_slabs aliases order objs_per_slab slab_size min_partial cpu_partial; do
			[ -r "$d/$f" ] && read -r v _ < "$d/$f" && line="$line $f=$v"
		done
		say "$line"
	done
	# the caches a fork takes objects from (sim/fork_slab.c, kernel/README.md "A fork's slab
	# objects"): the same figures, merged caches through their alias
	for c in $FORK_CACHES; do
		d=/sys/kernel/slab/$c
		[ -r "$d/slabs" ] || continue
		line="ZSK fork_slab chunk=$1 cache=$c"
		for f in slabs objects partial cpu_slabs aliases order objs_per_slab slab_size object_size min_partial cpu_partial; do
			[ -r "$d/$f" ] && read -r v _ < "$d/$f" && line="$line $f=$v"
		done
		say "$line"
	done
}

# What the guest holds before the replay starts, per zone, once the per-CPU
# lists are drained: managed - free - zspages is the memory the kernel, the
# initramfs (the trace pieces), init and the module's object table took.
# lru= is the part on the LRU lists (page cache, shmem, anon: movable
# allocations); the rest is slab, page tables, vmalloc and the like
# (unmovable). scripts/kernel-check gives both to zsfrag's machine as
# taken_pages, and the free blocks per order and migrate type and the
# pageblocks per type (/proc/pagetypeinfo) as free_blocks and pageblocks.
before_replay() {
	[ -w /proc/zsfrag_kdrain ] && echo 1 > /proc/zsfrag_kdrain
	awk -v K="$KMSG" "$AWK_SAY"'
		function flush() {
			if (zone != "") say("ZSK before_replay zone=" zone " managed=" managed " free=" free " nr_zspages=" zsp " lru=" lru)
		}
		/^Node/ { flush(); zone = $4; managed = free = zsp = lru = 0 }
		/^ +pages free/ { free = $3 }
		/^ +managed / { managed = $2 }
		/^ +nr_zspages / { zsp = $2 }
		/^ +nr_zone_(inactive|active)_(anon|file) |^ +nr_zone_unevictable / { lru += $2 }
		END { flush() }
	' /proc/zoneinfo
	# the free lists themselves, for a machine config that starts from them (free_blocks,
	# pageblocks: scripts/kernel-check)
	pagetypes "ZSK before_replay_pagetype" "ZSK before_replay_pageblocks"
}
before_replay

# kernel-check --probe-pcp: the fork probe reads the per-CPU lists after every fork
[ -f /zsk/probe_pcp ] && export ZSK_PROBE_PCP=1

snap=0
for piece in /zsk/trace/*; do
	case "$piece" in
	*.fork)
		read -r n label < "$piece"
		/zsk/forkprobe "$n" "$label" || fatal "forkprobe failed at $piece"
		;;
	*.snap)
		cat "$piece" > /proc/zsfrag_kreplay || fatal "replay write failed at $piece"
		machine_state "$snap"
		snap=$((snap + 1))
		;;
	*)
		cat "$piece" > /proc/zsfrag_kreplay || fatal "replay write failed at $piece"
		;;
	esac
done
# The module's "final" snapshot comes at rmmod: this is its memory.
machine_state "$snap"
i=$snap

rmmod zsfrag_kreplay || fatal "rmmod zsfrag_kreplay failed"
say "ZSK guest_done pieces=$i"
sync
poweroff -f
