/*
 * vmstat.c - buddyinfo, pagetypeinfo and the extfrag indices over physmem
 * (see vmstat.h), following Linux 6.1 mm/vmstat.c.
 *
 * The indices are computed exactly as the kernel does, in unsigned 64-bit
 * integer arithmetic with truncating division (div_u64), so a simulated
 * figure can be compared digit for digit with a real /sys/kernel/debug/extfrag
 * file. The text formats copy the kernel's column widths.
 *
 * SIM: pagetypeinfo lists only the types we model, Unmovable, Movable,
 *      Reclaimable and CMA (the kernel adds HighAtomic before CMA and Isolate
 *      after it) and has no "mixed" section.
 * SIM: one node: every line says "Node 0".
 */
#include "vmstat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* The zones [*z0, *z1) a zone argument names (one zone, or VMSTAT_ALL_ZONES). */
static int zone_range(const struct physmem *pm, int zone, unsigned int *z0, unsigned int *z1)
{
	if (zone == VMSTAT_ALL_ZONES) {
		*z0 = 0;
		*z1 = physmem_nr_zones(pm);
		return 0;
	}
	if (zone < 0 || (unsigned int)zone >= physmem_nr_zones(pm))
		return -EINVAL;
	*z0 = (unsigned int)zone;
	*z1 = *z0 + 1;
	return 0;
}

/* Free blocks per order of a zone or of all zones. */
static int gather(const struct physmem *pm, int zone, unsigned long *nr_free,
		  unsigned int *nr_orders)
{
	unsigned int orders = physmem_get_config(pm)->max_order;
	unsigned int z0, z1;

	if (zone_range(pm, zone, &z0, &z1))
		return -EINVAL;
	for (unsigned int o = 0; o < orders; o++) {
		nr_free[o] = 0;
		for (unsigned int z = z0; z < z1; z++)
			nr_free[o] += physmem_nr_free(pm, z, o);
	}
	*nr_orders = orders;
	return 0;
}

static void fill_from(const unsigned long *nr_free, unsigned int nr_orders, unsigned int suitable,
		      struct vmstat_contig_info *info)
{
	info->free_pages = 0;
	info->free_blocks_total = 0;
	info->free_blocks_suitable = 0;
	for (unsigned int o = 0; o < nr_orders; o++) {
		unsigned long blocks = nr_free[o];

		info->free_blocks_total += blocks;
		info->free_pages += blocks << o;
		if (o >= suitable)
			info->free_blocks_suitable += blocks << (o - suitable);
	}
}

int vmstat_fill_contig(const struct physmem *pm, int zone, unsigned int suitable_order,
		       struct vmstat_contig_info *info)
{
	unsigned long nr_free[PHYSMEM_MAX_ORDERS];
	unsigned int n;
	int ret = gather(pm, zone, nr_free, &n);

	if (ret)
		return ret;
	fill_from(nr_free, n, suitable_order, info);
	return 0;
}

int vmstat_unusable_index(unsigned int order, const struct vmstat_contig_info *info)
{
	uint64_t unusable;

	if (info->free_pages == 0)
		return 1000;
	unusable = (uint64_t)(info->free_pages - (info->free_blocks_suitable << order)) * 1000ull;
	return (int)(unusable / info->free_pages);
}

int vmstat_fragmentation_index(unsigned int order, const struct vmstat_contig_info *info)
{
	uint64_t requested = 1ull << order;
	uint64_t q;

	if (!info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	q = (1000 + ((uint64_t)info->free_pages * 1000ull) / requested) / info->free_blocks_total;
	/* the kernel subtracts in u64 and returns an int: below-zero results survive */
	return (int)(1000 - (int64_t)q);
}

int vmstat_zone_unusable_index(const struct physmem *pm, int zone, unsigned int order, int *index)
{
	struct vmstat_contig_info info;
	int ret;

	if (order >= physmem_get_config(pm)->max_order)
		return -EINVAL;
	ret = vmstat_fill_contig(pm, zone, order, &info);
	if (ret)
		return ret;
	*index = vmstat_unusable_index(order, &info);
	return 0;
}

int vmstat_zone_fragmentation_index(const struct physmem *pm, int zone, unsigned int order,
				    int *index)
{
	struct vmstat_contig_info info;
	int ret;

	if (order >= physmem_get_config(pm)->max_order)
		return -EINVAL;
	ret = vmstat_fill_contig(pm, zone, order, &info);
	if (ret)
		return ret;
	*index = vmstat_fragmentation_index(order, &info);
	return 0;
}

int vmstat_buddyinfo(const struct physmem *pm, int zone, struct vmstat_buddyinfo *bi)
{
	return gather(pm, zone, bi->nr_free, &bi->nr_orders);
}

int vmstat_pagetypeinfo(const struct physmem *pm, int zone, struct vmstat_pagetypeinfo *pti)
{
	unsigned int orders = physmem_get_config(pm)->max_order;
	unsigned int z0, z1;

	if (zone_range(pm, zone, &z0, &z1))
		return -EINVAL;
	pti->nr_orders = orders;
	pti->pageblock_order = physmem_get_config(pm)->pageblock_order;
	for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++) {
		pti->nr_pageblocks[t] = 0;
		for (unsigned int o = 0; o < orders; o++)
			pti->nr_free[t][o] = 0;
		for (unsigned int z = z0; z < z1; z++) {
			pti->nr_pageblocks[t] += physmem_nr_pageblocks(pm, z, (enum physmem_mt)t);
			for (unsigned int o = 0; o < orders; o++)
				pti->nr_free[t][o] +=
				    physmem_nr_free_mt(pm, z, o, (enum physmem_mt)t);
		}
	}
	return 0;
}


/* ---- text output ---- */

struct vm_out {
	char *buf;
	size_t len;
	size_t pos; /* bytes the whole text needs so far */
};

static void out(struct vm_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->pos < o->len ? o->buf + o->pos : NULL,
		      o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static int out_done(struct vm_out *o)
{
	if (o->len && o->pos >= o->len)
		o->buf[o->len - 1] = '\0';
	return (int)o->pos;
}

static const char *zone_name(const struct physmem *pm, unsigned int z)
{
	struct physmem_zone_info zi;

	return physmem_zone_info(pm, z, &zi) ? "?" : zi.name;
}

int vmstat_format_buddyinfo(const struct physmem *pm, char *buf, size_t len)
{
	struct vm_out o = {buf, len, 0};
	unsigned int orders = physmem_get_config(pm)->max_order;

	if (len)
		buf[0] = '\0';
	for (unsigned int z = 0; z < physmem_nr_zones(pm); z++) {
		out(&o, "Node %d, zone %8s ", 0, zone_name(pm, z));
		for (unsigned int ord = 0; ord < orders; ord++)
			out(&o, "%6lu ", physmem_nr_free(pm, z, ord));
		out(&o, "\n");
	}
	return out_done(&o);
}

int vmstat_format_pagetypeinfo(const struct physmem *pm, char *buf, size_t len)
{
	struct vm_out o = {buf, len, 0};
	const struct physmem_config *cfg = physmem_get_config(pm);

	if (len)
		buf[0] = '\0';
	out(&o, "Page block order: %u\n", cfg->pageblock_order);
	out(&o, "Pages per block:  %lu\n", 1ul << cfg->pageblock_order);
	out(&o, "\n");
	out(&o, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned int ord = 0; ord < cfg->max_order; ord++)
		out(&o, "%6u ", ord);
	out(&o, "\n");
	for (unsigned int z = 0; z < physmem_nr_zones(pm); z++) {
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++) {
			out(&o, "Node %4d, zone %8s, type %12s ", 0, zone_name(pm, z),
			    physmem_mt_name((enum physmem_mt)t));
			for (unsigned int ord = 0; ord < cfg->max_order; ord++)
				out(&o, "%6lu ",
				    physmem_nr_free_mt(pm, z, ord, (enum physmem_mt)t));
			out(&o, "\n");
		}
	}
	out(&o, "\n%-23s", "Number of blocks type ");
	for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
		out(&o, "%12s ", physmem_mt_name((enum physmem_mt)t));
	out(&o, "\n");
	for (unsigned int z = 0; z < physmem_nr_zones(pm); z++) {
		out(&o, "Node %d, zone %8s ", 0, zone_name(pm, z));
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
			out(&o, "%12lu ", physmem_nr_pageblocks(pm, z, (enum physmem_mt)t));
		out(&o, "\n");
	}
	return out_done(&o);
}

static int format_index(const struct physmem *pm, char *buf, size_t len, bool frag)
{
	struct vm_out o = {buf, len, 0};
	unsigned int orders = physmem_get_config(pm)->max_order;

	if (len)
		buf[0] = '\0';
	for (unsigned int z = 0; z < physmem_nr_zones(pm); z++) {
		out(&o, "Node %d, zone %8s ", 0, zone_name(pm, z));
		for (unsigned int ord = 0; ord < orders; ord++) {
			int idx = 0;

			if (frag) {
				vmstat_zone_fragmentation_index(pm, (int)z, ord, &idx);
				out(&o, "%2d.%03d ", idx / 1000, idx % 1000);
			} else {
				vmstat_zone_unusable_index(pm, (int)z, ord, &idx);
				out(&o, "%d.%03d ", idx / 1000, idx % 1000);
			}
		}
		out(&o, "\n");
	}
	return out_done(&o);
}

int vmstat_format_unusable_index(const struct physmem *pm, char *buf, size_t len)
{
	return format_index(pm, buf, len, false);
}

int vmstat_format_extfrag_index(const struct physmem *pm, char *buf, size_t len)
{
	return format_index(pm, buf, len, true);
}
