// SPDX-License-Identifier: GPL-2.0
/*
 * zsk_replay.c - replay a zsfrag trace through the running kernel's own
 * zsmalloc, so that zsfrag's model of a kernel version can be checked number
 * for number against that kernel.
 *
 * Interface: the module creates one pool ("zsfrag") and a write-only file
 * /proc/zsfrag_kreplay. Whatever is written there is parsed as text trace
 * lines (traces/FORMAT.md, version 1) and replayed at once, in the writer's
 * context; the trace may arrive in any number of writes, split anywhere. The
 * guest's init writes the trace in pieces that each end with an "s" line, so
 * that it can read /proc/buddyinfo between snapshots. Results go to the
 * kernel log as lines starting with "ZSK " (parsed by
 * scripts/kernel-check-compare); removing the module prints a snapshot
 * labelled "final" (as zsfrag's replay ends with one), the timing summary and
 * "ZSK end", frees every live object and destroys the pool. Event numbers
 * count events from 1, as zsfrag's event_index does.
 *
 * What each op does (zram's calls in 6.1 and 6.12, drivers/block/zram):
 *   a ID SIZE  zs_malloc(SIZE) with zram's first-try gfp flags, falling back
 *              to zram's second-try flags; then map write-only and fill with
 *              a pattern derived from a per-object key (the ID).
 *   f ID       zs_free.
 *   w SLOT N   zram write: a size at or above zs_huge_class_size() is stored
 *              as PAGE_SIZE; the new object is allocated and written before
 *              the slot's old object (if any) is freed.
 *   z SLOT     same-filled page: nothing allocated; the slot's old object is
 *              freed.
 *   r SLOT     map read-only and check the slot's pattern.
 *   d SLOT     free the slot's object.
 *   c          zs_compact: pages freed and ns.
 *   s LABEL    total pages, zram-style pool figures, the per-class table.
 *   v          map every live object and check its pattern.
 *   g p k x    ignored: they drive zsfrag's physical-memory model only.
 *   F N LABEL  ignored here: guest-init.sh runs the fork probe (forkprobe.c)
 *              between the trace pieces the module is given.
 *
 * The object table (nr_ids and nr_slots entries, module parameters) is
 * allocated when the module loads: the replay itself takes no memory but
 * the pool's and zsmalloc's own.
 *
 * Times are ktime_get_ns() around the zs_malloc / zs_free call alone.
 * Under emulation (no KVM) they measure the emulator, not the kernel.
 *
 * Our own declarations of zsmalloc's private structures live in
 * zsk_layout.c; no kernel code is copied here.
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/zsmalloc.h>
#ifdef CONFIG_X86_KERNEL_IBT
#include <asm/cpufeature.h>
#include <asm/ibt.h>
#endif

#include "zsk_layout.h"
#include "zsk_replay.h"

#define ZSK_POOL_NAME "zsfrag"
#define ZSK_PROC_NAME "zsfrag_kreplay"
#define ZSK_DRAIN_NAME "zsfrag_kdrain"

/*
 * Draining the per-CPU page lists (/proc/zsfrag_kdrain): freed pages wait on
 * them before they reach the buddy lists, so /proc/buddyinfo and the zones'
 * free counts under-count until they are drained. No file of 6.1 or 6.12
 * drains them without also changing memory (compact_memory compacts,
 * drop_caches frees page cache, percpu_pagelist_high_fraction only resizes
 * the lists), and drain_all_pages() is not exported; the kernel itself calls
 * it in the allocation slow path, in alloc_contig_range() and on memory
 * offline. Its address is found through a kprobe registration (the kernel's
 * own symbol lookup), without planting the probe for longer than the lookup.
 * When the lookup fails, nothing is drained and the guest says so.
 */
typedef void (*zsk_drain_all_pages_t)(struct zone *zone);
static zsk_drain_all_pages_t zsk_drain_all_pages;

static zsk_drain_all_pages_t zsk_find_drain(void)
{
	struct kprobe kp = {.symbol_name = "drain_all_pages"};
	void *addr;

	if (register_kprobe(&kp) < 0)
		return NULL;
	addr = (void *)kp.addr;
	unregister_kprobe(&kp);
#ifdef CONFIG_X86_KERNEL_IBT
	/*
	 * The call below is indirect. Where the CPU enforces IBT it must land
	 * on an ENDBR64, which a function the kernel only calls directly (as
	 * drain_all_pages) has lost: objtool seals it. kprobes report the
	 * address after a function's ENDBR64 or its sealed remains
	 * (arch_adjust_kprobe_addr). Without enforcement (qemu's TCG has no
	 * CET, so 6.12's guests run unenforced) either address works.
	 */
	if (addr && cpu_feature_enabled(X86_FEATURE_IBT)) {
		if (*(u32 *)(addr - 4) != gen_endbr())
			return NULL;
		addr -= 4;
	}
#endif
	return (zsk_drain_all_pages_t)addr;
}

static ssize_t zsk_drain_write(struct file *file, const char __user *ubuf, size_t len,
			       loff_t *ppos)
{
	if (!zsk_drain_all_pages)
		return -EOPNOTSUPP;
	zsk_drain_all_pages(NULL); /* every zone, every CPU */
	*ppos += (loff_t)len;
	return (ssize_t)len;
}

static const struct proc_ops zsk_drain_ops = {
	.proc_write = zsk_drain_write,
	.proc_lseek = noop_llseek,
};

/* The module's one instance: module_exit takes no argument, so it must be found here. */
static struct zsk_state *zsk_st;

/*
 * The object table is allocated whole when the module loads, so that the
 * check's own memory is taken before the replay starts and does not grow
 * with the pool (a slab object and an xarray slot per live object did: a
 * few thousand pages of lowmem at the brim, which the machine being
 * modelled does not spend). scripts/kernel-check numbers the trace's IDs
 * and slots densely (an ID freed is numbered again by the next "a") and
 * gives the counts here; an ID or slot at or above them is a trace error.
 */
unsigned long nr_ids;
module_param(nr_ids, ulong, 0444);
MODULE_PARM_DESC(nr_ids, "entries of the \"a\" object table (IDs 0..nr_ids-1)");
unsigned long nr_slots;
module_param(nr_slots, ulong, 0444);
MODULE_PARM_DESC(nr_slots, "entries of the zram slot table (SLOTs 0..nr_slots-1)");

static ssize_t zsk_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	struct zsk_state *st = pde_data(file_inode(file));
	size_t done = 0;

	mutex_lock(&st->lock);
	while (done < len) {
		size_t n = min_t(size_t, len - done, ZSK_CHUNK);

		if (copy_from_user(st->chunk, ubuf + done, n)) {
			mutex_unlock(&st->lock);
			return done ? (ssize_t)done : -EFAULT;
		}
		zsk_feed(st, st->chunk, n);
		done += n;
	}
	mutex_unlock(&st->lock);
	*ppos += (loff_t)len;
	return (ssize_t)len;
}

static const struct proc_ops zsk_proc_ops = {
	.proc_write = zsk_write,
	.proc_lseek = noop_llseek,
};

static void zsk_drain(struct zsk_state *st, struct zsk_obj *t, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (t[i].key)
			zsk_free(st, &t[i]);
		/* hundreds of thousands of frees under TCG: let RCU's kthread run */
		if ((i & 1023) == 1023)
			cond_resched();
	}
	vfree(t);
}

static int __init zsk_init(void)
{
	struct zsk_state *st;
	unsigned int nr_distinct = 0;
	const char *why = "";
	int err = -ENOMEM;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->chunk = vmalloc(ZSK_CHUNK);
	if (!st->chunk)
		goto free_state;
	mutex_init(&st->lock);
	/* vzalloc touches every page: the table is taken now, not during the replay */
	st->objs = vzalloc(array_size(max(nr_ids, 1UL), sizeof(struct zsk_obj)));
	st->slots = vzalloc(array_size(max(nr_slots, 1UL), sizeof(struct zsk_obj)));
	if (!st->objs || !st->slots)
		goto free_tables;
	st->pool = zs_create_pool(ZSK_POOL_NAME);
	if (!st->pool)
		goto free_tables;
	st->huge_class_size = zs_huge_class_size(st->pool);
	st->layout = zsk_layout_probe(st->pool, ZSK_POOL_NAME, &nr_distinct, &why);
	pr_info("ZSK hello release=%s page_size=%lu huge_class_size=%zu class_indices=%u nr_ids=%lu nr_slots=%lu table_bytes=%zu\n",
		utsname()->release, PAGE_SIZE, st->huge_class_size, zsk_nr_classes(), nr_ids,
		nr_slots, (size_t)(max(nr_ids, 1UL) + max(nr_slots, 1UL)) * sizeof(struct zsk_obj));
	if (st->layout)
		pr_info("ZSK layout name=%s distinct_classes=%u\n", zsk_layout_name(st->layout),
			nr_distinct);
	else
		pr_info("ZSK layout name=none msg=%s: per-class table unavailable, totals only\n",
			why);
	if (!proc_create_data(ZSK_PROC_NAME, 0200, NULL, &zsk_proc_ops, st)) {
		err = -ENOMEM;
		goto destroy_pool;
	}
	zsk_drain_all_pages = zsk_find_drain();
	pr_info("ZSK pcp_drain available=%d\n", zsk_drain_all_pages != NULL);
	if (zsk_drain_all_pages && !proc_create(ZSK_DRAIN_NAME, 0200, NULL, &zsk_drain_ops))
		zsk_drain_all_pages = NULL;
	zsk_st = st;
	return 0;

destroy_pool:
	zs_destroy_pool(st->pool);
free_tables:
	vfree(st->objs);
	vfree(st->slots);
	vfree(st->chunk);
free_state:
	kfree(st);
	return err;
}

static void __exit zsk_exit(void)
{
	struct zsk_state *st = zsk_st;

	remove_proc_entry(ZSK_PROC_NAME, NULL);
	if (zsk_drain_all_pages)
		remove_proc_entry(ZSK_DRAIN_NAME, NULL);
	if (st->line_len > 0) { /* a last line without its newline */
		st->line[st->line_len] = '\0';
		st->lineno++;
		zsk_line(st, st->line);
	}
	/* Like zsfrag's replay, end with a snapshot of the final state. */
	zsk_op_snapshot(st, "final");
	zsk_time_print("zs_malloc", &st->t_malloc);
	zsk_time_print("zs_free", &st->t_free);
	pr_info("ZSK end lines=%llu events=%llu snapshots=%llu ignored=%llu errors=%llu read_mismatches=%llu live_objects=%llu header=%d\n",
		st->lineno, st->events, st->snapshots, st->ignored, st->errors,
		st->read_mismatches, st->live, st->header_seen);
	zsk_drain(st, st->objs, nr_ids);
	zsk_drain(st, st->slots, nr_slots);
	zs_destroy_pool(st->pool);
	vfree(st->chunk);
	kfree(st);
}

module_init(zsk_init);
module_exit(zsk_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsfrag: replay a zsfrag trace through the kernel's zsmalloc");
