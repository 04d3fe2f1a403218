/*
 * vmstat.h - the kernel's view of free memory, from physmem's counters:
 * /proc/buddyinfo, /proc/pagetypeinfo, and the unusable free space index and
 * fragmentation index of debugfs extfrag/, with the integer arithmetic of
 * Linux 6.1 mm/vmstat.c (indices are in thousandths: 1000 means 1.000).
 *
 * Every figure is per zone, or for the whole machine with VMSTAT_ALL_ZONES
 * (free blocks summed over zones before the arithmetic). All of it reads
 * counters: O(orders), never a walk.
 */
#ifndef ZSFRAG_SIM_VMSTAT_H
#define ZSFRAG_SIM_VMSTAT_H

#include <stddef.h>

#include "physmem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMSTAT_ALL_ZONES (-1)

/* The kernel's struct contig_page_info. */
struct vmstat_contig_info {
	unsigned long free_pages;	    /* pages */
	unsigned long free_blocks_total;    /* free blocks of any order */
	unsigned long free_blocks_suitable; /* blocks of the asked order the free blocks hold */
};

/* fill_contig_page_info for a zone (or VMSTAT_ALL_ZONES); -EINVAL for a bad zone. */
int vmstat_fill_contig(const struct physmem *pm, int zone, unsigned int suitable_order,
		       struct vmstat_contig_info *info);
/* unusable_free_index: 0..1000; 1000 when nothing is free. */
int vmstat_unusable_index(unsigned int order, const struct vmstat_contig_info *info);
/*
 * __fragmentation_index: -1000 when a suitable block exists, 0 when nothing
 * is free, else 1000 - (1000 + free_pages*1000/2^order) / free_blocks_total
 * (which the kernel lets go below 0 for very few free blocks).
 */
int vmstat_fragmentation_index(unsigned int order, const struct vmstat_contig_info *info);

/* The same for a zone or the machine; 0, or -EINVAL (bad zone, order >= max_order). */
int vmstat_zone_unusable_index(const struct physmem *pm, int zone, unsigned int order, int *index);
int vmstat_zone_fragmentation_index(const struct physmem *pm, int zone, unsigned int order,
				    int *index);

struct vmstat_buddyinfo {
	unsigned int nr_orders;
	unsigned long nr_free[PHYSMEM_MAX_ORDERS]; /* free blocks per order */
};
int vmstat_buddyinfo(const struct physmem *pm, int zone, struct vmstat_buddyinfo *bi);

struct vmstat_pagetypeinfo {
	unsigned int nr_orders;
	unsigned int pageblock_order;
	unsigned long nr_free[PHYSMEM_MT_TYPES]
			     [PHYSMEM_MAX_ORDERS]; /* free blocks per type, order */
	unsigned long nr_pageblocks[PHYSMEM_MT_TYPES];
};
int vmstat_pagetypeinfo(const struct physmem *pm, int zone, struct vmstat_pagetypeinfo *pti);


/*
 * The kernel's text files, one line per zone, written into buf like
 * snprintf (returns the length the whole text needs).
 */
int vmstat_format_buddyinfo(const struct physmem *pm, char *buf, size_t len);
int vmstat_format_pagetypeinfo(const struct physmem *pm, char *buf, size_t len);
int vmstat_format_unusable_index(const struct physmem *pm, char *buf, size_t len);
int vmstat_format_extfrag_index(const struct physmem *pm, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_SIM_VMSTAT_H */
