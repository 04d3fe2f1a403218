/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zsk_layout.h - read the per-class counters of a live zsmalloc pool.
 *
 * Debian builds its kernels without CONFIG_ZSMALLOC_STAT, so there is no
 * debugfs "classes" file to read. The only way to get the per-class table of
 * the exact kernel being tested is to read the pool's size_class structures,
 * whose definition is private to mm/zsmalloc.c. zsk_layout.c mirrors the few
 * layouts that kernels have used (declared from the field lists, not copied),
 * tries each against a fresh pool, and keeps the one whose every class agrees
 * with the size-class rules (size, pages per zspage, objects per zspage,
 * alias index, zero counters). Each snapshot re-checks it: the per-class
 * pages must add up to zs_get_total_pages(). When no layout fits, or a later
 * check fails, the caller falls back to pool totals and says so.
 */
#ifndef ZSK_LAYOUT_H
#define ZSK_LAYOUT_H

#include <linux/types.h>

struct zs_pool;

#define ZSK_FULLNESS_MAX 12 /* fullness groups of 6.3+; 6.1 has 4 */

/* One class's counters, as the debugfs classes file would print them. */
struct zsk_class_stat {
	unsigned int index;            /* class index (own, not an alias) */
	int size;                      /* bytes per object slot, header included */
	int pages_per_zspage;          /* pages */
	int objs_per_zspage;           /* objects */
	unsigned long obj_allocated;   /* object slots in this class's zspages */
	unsigned long obj_used;        /* slots holding a live object */
	unsigned long pages_used;      /* pages, obj_allocated / objs * pages */
	unsigned int nr_fullness;      /* entries used in fullness[] */
	unsigned long fullness[ZSK_FULLNESS_MAX]; /* zspages per fullness group */
};

struct zsk_layout;

/*
 * Find the layout that fits pool, which must be freshly created (no object
 * allocated yet). NULL when none fits; why goes into why (a short phrase).
 * *nr_distinct receives the number of non-alias classes.
 */
const struct zsk_layout *zsk_layout_probe(struct zs_pool *pool, const char *pool_name,
					  unsigned int *nr_distinct, const char **why);

/* Short name of a layout, for the log. */
const char *zsk_layout_name(const struct zsk_layout *l);

/* Number of class indices (ZS_SIZE_CLASSES of a 4 KiB-page kernel). */
unsigned int zsk_nr_classes(void);

/*
 * Read class index i of pool into *st. Returns 1 when i is a class of its
 * own, 0 when i is an alias of a larger class (st untouched).
 */
int zsk_class_read(const struct zsk_layout *l, struct zs_pool *pool, unsigned int i,
		   struct zsk_class_stat *st);

#endif /* ZSK_LAYOUT_H */
