// SPDX-License-Identifier: GPL-2.0
/*
 * zsk_layout.c - mirror declarations of zsmalloc's private size_class and the
 * probe that picks the one matching the running kernel.
 *
 * Layouts (field order as read in each version's mm/zsmalloc.c; the structs
 * below are our own declarations of that order, using the running kernel's
 * own list_head and spinlock_t so their sizes follow its config):
 *
 *   deb61  Debian 6.1.y (6.1.192 read): no class lock (a pool-wide lock
 *          replaced it), 4 fullness lists, then size, objs_per_zspage,
 *          pages_per_zspage, index, and 4 + 2 counters (zspages per
 *          fullness group, objects allocated, objects used).
 *   lock4  mainline 5.17 .. 6.2: the same behind a leading class spinlock.
 *          Not checked on a running kernel; kept so that a stock 6.1 build
 *          is recognised instead of falling back to totals.
 *   lock12 6.3 .. 6.12 (6.12.117 read): class spinlock, 12 fullness lists,
 *          12 + 2 counters.
 *
 * The head of struct zs_pool (the name pointer, then the array of class
 * pointers indexed by class index) is the same in all of them.
 *
 * The probe runs on a freshly created pool, where every class must satisfy
 * the size-class rules exactly, so a wrong layout cannot pass by accident:
 * it would have to read a plausible size, index, page count and object count
 * at the wrong offsets for all 255 class indices.
 */
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/zsmalloc.h>

#include "zsk_layout.h"

#define ZSK_MIN_ALLOC_SIZE 32 /* bytes: ZS_MIN_ALLOC_SIZE on 64-bit, 4 KiB pages */
#define ZSK_CLASS_DELTA (PAGE_SIZE >> 8) /* bytes between class sizes */
#define ZSK_NR_CLASSES \
	(DIV_ROUND_UP(PAGE_SIZE - ZSK_MIN_ALLOC_SIZE, ZSK_CLASS_DELTA) + 1)
#define ZSK_MAX_CHAIN 16 /* pages: the largest CONFIG_ZSMALLOC_CHAIN_SIZE */

/* The start of struct zs_pool, common to every layout. */
struct zsk_pool_head {
	const char *name;
	void *size_class[ZSK_NR_CLASSES];
};

struct zsk_class_deb61 {
	struct list_head fullness_list[4];
	int size;
	int objs_per_zspage;
	int pages_per_zspage;
	unsigned int index;
	unsigned long stats[4 + 2];
};

struct zsk_class_lock4 {
	spinlock_t lock;
	struct list_head fullness_list[4];
	int size;
	int objs_per_zspage;
	int pages_per_zspage;
	unsigned int index;
	unsigned long stats[4 + 2];
};

struct zsk_class_lock12 {
	spinlock_t lock;
	struct list_head fullness_list[12];
	int size;
	int objs_per_zspage;
	int pages_per_zspage;
	unsigned int index;
	unsigned long stats[12 + 2];
};

/* Where the fields we read sit in one layout. */
struct zsk_layout {
	const char *name;
	size_t off_size;
	size_t off_objs;
	size_t off_pages;
	size_t off_index;
	size_t off_stats;
	unsigned int nr_fullness; /* counters before obj_allocated, obj_used */
};

#define ZSK_LAYOUT(n, type, nf)                                                          \
	{                                                                                \
		.name = n, .off_size = offsetof(type, size),                             \
		.off_objs = offsetof(type, objs_per_zspage),                             \
		.off_pages = offsetof(type, pages_per_zspage),                           \
		.off_index = offsetof(type, index), .off_stats = offsetof(type, stats),  \
		.nr_fullness = nf,                                                       \
	}

static const struct zsk_layout zsk_layouts[] = {
	ZSK_LAYOUT("deb61", struct zsk_class_deb61, 4),
	ZSK_LAYOUT("lock4", struct zsk_class_lock4, 4),
	ZSK_LAYOUT("lock12", struct zsk_class_lock12, 12),
};

unsigned int zsk_nr_classes(void)
{
	return ZSK_NR_CLASSES;
}

const char *zsk_layout_name(const struct zsk_layout *l)
{
	return l->name;
}

static int zsk_rd_int(const void *cls, size_t off)
{
	return *(const int *)((const char *)cls + off);
}

static unsigned long zsk_rd_stat(const struct zsk_layout *l, const void *cls, unsigned int k)
{
	return ((const unsigned long *)((const char *)cls + l->off_stats))[k];
}

/* Object size of the class created at index i (the rule of every version). */
static int zsk_class_size(unsigned int i)
{
	unsigned long size = ZSK_MIN_ALLOC_SIZE + (unsigned long)i * ZSK_CLASS_DELTA;

	return (int)min_t(unsigned long, size, PAGE_SIZE);
}

static const struct zsk_pool_head *zsk_head(struct zs_pool *pool)
{
	return (const struct zsk_pool_head *)pool;
}

/* Does class index i of a fresh pool read correctly through l? */
static bool zsk_class_fits(const struct zsk_layout *l, const struct zsk_pool_head *h,
			   unsigned int i)
{
	const void *cls = h->size_class[i];
	unsigned int idx = (unsigned int)zsk_rd_int(cls, l->off_index);
	int size, pages, objs;
	unsigned int k;

	if (idx < i || idx >= ZSK_NR_CLASSES || h->size_class[idx] != cls)
		return false;
	if (idx != i)
		return true; /* an alias: checked where idx == i */
	size = zsk_rd_int(cls, l->off_size);
	pages = zsk_rd_int(cls, l->off_pages);
	objs = zsk_rd_int(cls, l->off_objs);
	if (size != zsk_class_size(i) || pages < 1 || pages > ZSK_MAX_CHAIN)
		return false;
	if (objs != (int)((unsigned long)pages * PAGE_SIZE / (unsigned long)size))
		return false;
	for (k = 0; k < l->nr_fullness + 2; k++)
		if (zsk_rd_stat(l, cls, k) != 0)
			return false;
	return true;
}

const struct zsk_layout *zsk_layout_probe(struct zs_pool *pool, const char *pool_name,
					  unsigned int *nr_distinct, const char **why)
{
	const struct zsk_pool_head *h = zsk_head(pool);
	unsigned int i, n, j;

	*nr_distinct = 0;
	if (!virt_addr_valid(h->name) || strcmp(h->name, pool_name) != 0) {
		*why = "pool name pointer not where expected";
		return NULL;
	}
	for (i = 0; i < ZSK_NR_CLASSES; i++) {
		if (!h->size_class[i] || !virt_addr_valid(h->size_class[i])) {
			*why = "class pointer array not where expected";
			return NULL;
		}
	}
	for (j = 0; j < ARRAY_SIZE(zsk_layouts); j++) {
		const struct zsk_layout *l = &zsk_layouts[j];

		for (i = 0; i < ZSK_NR_CLASSES; i++)
			if (!zsk_class_fits(l, h, i))
				break;
		if (i < ZSK_NR_CLASSES)
			continue;
		for (i = 0, n = 0; i < ZSK_NR_CLASSES; i++)
			if (h->size_class[i] != NULL &&
			    (unsigned int)zsk_rd_int(h->size_class[i], l->off_index) == i)
				n++;
		*nr_distinct = n;
		*why = "ok";
		return l;
	}
	*why = "no known size_class layout fits";
	return NULL;
}

int zsk_class_read(const struct zsk_layout *l, struct zs_pool *pool, unsigned int i,
		   struct zsk_class_stat *st)
{
	const void *cls = zsk_head(pool)->size_class[i];
	unsigned int k;

	if ((unsigned int)zsk_rd_int(cls, l->off_index) != i)
		return 0;
	st->index = i;
	st->size = zsk_rd_int(cls, l->off_size);
	st->pages_per_zspage = zsk_rd_int(cls, l->off_pages);
	st->objs_per_zspage = zsk_rd_int(cls, l->off_objs);
	st->nr_fullness = l->nr_fullness;
	for (k = 0; k < l->nr_fullness; k++)
		st->fullness[k] = zsk_rd_stat(l, cls, k);
	st->obj_allocated = zsk_rd_stat(l, cls, l->nr_fullness);
	st->obj_used = zsk_rd_stat(l, cls, l->nr_fullness + 1);
	st->pages_used = st->obj_allocated / (unsigned long)st->objs_per_zspage *
			 (unsigned long)st->pages_per_zspage;
	return 1;
}
