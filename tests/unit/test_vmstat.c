/*
 * test_vmstat.c - buddyinfo, pagetypeinfo and the extfrag indices of
 * sim/vmstat.c on small crafted states, computed by hand.
 *
 * The kernel's formulas (mm/vmstat.c), all in integer arithmetic:
 *   free_pages            = sum over orders of nr_free[o] << o
 *   free_blocks_total     = sum of nr_free[o]
 *   free_blocks_suitable  = sum over o >= order of nr_free[o] << (o - order)
 *   unusable index        = free_pages == 0 ? 1000
 *                         : (free_pages - (suitable << order)) * 1000 / free_pages
 *   fragmentation index   = total == 0 ? 0 : suitable ? -1000
 *                         : 1000 - (1000 + free_pages * 1000 / 2^order) / total
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include "physmem.h"
#include "test_util.h"
#include "vmstat.h"

static struct physmem *make(unsigned long pages, bool highmem)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	physmem_config_default(&c);
	c.ram_bytes = (uint64_t)pages * 4096;
	c.max_order = 4;
	c.pageblock_order = 3;
	c.highmem = highmem;
	c.lowmem_limit_bytes = pages / 2 * 4096;
	c.min_free_kbytes = 0;
	memset(c.lowmem_reserve_ratio, 0, sizeof(c.lowmem_reserve_ratio));
	if (physmem_create(&c, &pm))
		return NULL;
	for (unsigned int z = 0; z < physmem_nr_zones(pm); z++)
		physmem_set_watermarks(pm, z, 0, 0, 0);
	return pm;
}

/* Allocate every frame as an order-0 page: pfn i is the i-th allocation. */
static void fill(struct physmem *pm, unsigned long pages)
{
	unsigned long pfn;

	for (unsigned long i = 0; i < pages; i++)
		if (physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM, &pfn))
			break;
}

static int uidx(struct physmem *pm, int zone, unsigned int order)
{
	int v = -9999;

	CHECK_EQ(vmstat_zone_unusable_index(pm, zone, order, &v), 0);
	return v;
}

static int fidx(struct physmem *pm, int zone, unsigned int order)
{
	int v = -9999;

	CHECK_EQ(vmstat_zone_fragmentation_index(pm, zone, order, &v), 0);
	return v;
}

/* At boot: eight free order-3 blocks; every order is satisfiable. */
static void test_boot_state(void)
{
	struct physmem *pm = make(64, false);
	struct vmstat_contig_info info;

	REQUIRE(pm);
	CHECK_EQ(vmstat_fill_contig(pm, 0, 2, &info), 0);
	CHECK_EQ(info.free_pages, 64);
	CHECK_EQ(info.free_blocks_total, 8);
	CHECK_EQ(info.free_blocks_suitable, 16); /* 8 blocks of 8 hold 16 of 4 */
	for (unsigned int o = 0; o < 4; o++) {
		CHECK_EQ(uidx(pm, 0, o), 0);
		CHECK_EQ(fidx(pm, 0, o), -1000);
	}
	physmem_destroy(pm);
}

/*
 * Free blocks 8 x order 0 and 1 x order 1: all 64 frames allocated, then
 * 0, 2, 4, ..., 14 freed (no buddy free) and 16, 17 (merging into one
 * order-1 block). free_pages = 8 + 2 = 10, total = 9.
 *   order 0: suitable 10          -> unusable (10-10)*1000/10 = 0,   frag -1000
 *   order 1: suitable 1           -> unusable (10-2)*1000/10 = 800,  frag -1000
 *   order 2: suitable 0           -> unusable 10*1000/10 = 1000,
 *            frag 1000 - (1000 + 10*1000/4 = 2500)/9 = 1000 - 3500/9 (388) = 612
 *   order 3: suitable 0           -> unusable 1000,
 *            frag 1000 - (1000 + 10000/8 = 1250)/9 = 1000 - 2250/9 (250) = 750
 */
static void test_crafted_indices(void)
{
	struct physmem *pm = make(64, false);
	struct vmstat_buddyinfo bi;
	char buf[256];

	REQUIRE(pm);
	fill(pm, 64);
	for (unsigned long p = 0; p < 16; p += 2)
		physmem_free(pm, p, 0);
	physmem_free(pm, 16, 0);
	physmem_free(pm, 17, 0);
	CHECK_EQ(vmstat_buddyinfo(pm, 0, &bi), 0);
	CHECK_EQ(bi.nr_orders, 4);
	CHECK_EQ(bi.nr_free[0], 8);
	CHECK_EQ(bi.nr_free[1], 1);
	CHECK_EQ(bi.nr_free[2], 0);
	CHECK_EQ(uidx(pm, 0, 0), 0);
	CHECK_EQ(uidx(pm, 0, 1), 800);
	CHECK_EQ(uidx(pm, 0, 2), 1000);
	CHECK_EQ(uidx(pm, 0, 3), 1000);
	CHECK_EQ(fidx(pm, 0, 0), -1000);
	CHECK_EQ(fidx(pm, 0, 1), -1000);
	CHECK_EQ(fidx(pm, 0, 2), 612);
	CHECK_EQ(fidx(pm, 0, 3), 750);

	/* the kernel's text files */
	CHECK_EQ(vmstat_format_buddyinfo(pm, buf, sizeof(buf)), 51); /* 22 + 4 x 7 + newline */
	CHECK_STR_EQ(buf, "Node 0, zone   Normal      8      1      0      0 \n");
	vmstat_format_unusable_index(pm, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "Node 0, zone   Normal 0.000 0.800 1.000 1.000 \n");
	vmstat_format_extfrag_index(pm, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "Node 0, zone   Normal -1.000 -1.000  0.612  0.750 \n");
	/* truncation: snprintf semantics */
	CHECK_EQ(vmstat_format_buddyinfo(pm, buf, 10), 51);
	CHECK_STR_EQ(buf, "Node 0, z");
	physmem_destroy(pm);
}

/*
 * Edge cases: nothing free -> unusable 1000, frag 0 (no free blocks at all).
 * One free order-1 block (16+17), asking for order 2: free 2, total 1,
 * suitable 0 -> unusable 2*1000/2 = 1000; frag 1000 - (1000 + 2000/4)/1 =
 * -500: the kernel's arithmetic goes below zero here, and so do we.
 */
static void test_edge_cases(void)
{
	struct physmem *pm = make(64, false);
	struct vmstat_contig_info info = {0, 0, 0};
	int v;

	REQUIRE(pm);
	fill(pm, 64);
	CHECK_EQ(uidx(pm, 0, 2), 1000);
	CHECK_EQ(fidx(pm, 0, 2), 0);
	physmem_free(pm, 16, 0);
	physmem_free(pm, 17, 0);
	CHECK_EQ(uidx(pm, 0, 2), 1000);
	CHECK_EQ(fidx(pm, 0, 2), -500);
	CHECK_EQ(uidx(pm, 0, 1), 0);
	CHECK_EQ(fidx(pm, 0, 1), -1000);
	CHECK_EQ(vmstat_unusable_index(0, &info), 1000);
	CHECK_EQ(vmstat_fragmentation_index(0, &info), 0);
	CHECK_EQ(vmstat_zone_unusable_index(pm, 0, 4, &v), -EINVAL);
	CHECK_EQ(vmstat_zone_unusable_index(pm, 1, 0, &v), -EINVAL);
	physmem_destroy(pm);
}

/*
 * Two zones of 32 frames (4 order-3 blocks each). One page from HighMem
 * splits a block: HighMem 1/1/1/3, Normal 0/0/0/4; machine 1/1/1/7.
 *   HighMem order 3: free 31, suitable 3 -> (31-24)*1000/31 = 7000/31 = 225
 *   machine order 3: free 63, suitable 7 -> (63-56)*1000/63 = 7000/63 = 111
 *   Normal  order 3: 0
 */
static void test_whole_machine(void)
{
	struct physmem *pm = make(64, true);
	struct vmstat_buddyinfo bi;
	unsigned long pfn;
	char buf[512];

	REQUIRE(pm);
	REQUIRE(physmem_nr_zones(pm) == 2);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM, &pfn), 0);
	CHECK_EQ(pfn, 32);
	CHECK_EQ(vmstat_buddyinfo(pm, VMSTAT_ALL_ZONES, &bi), 0);
	CHECK_EQ(bi.nr_free[0], 1);
	CHECK_EQ(bi.nr_free[3], 7);
	CHECK_EQ(uidx(pm, 1, 3), 225);
	CHECK_EQ(uidx(pm, VMSTAT_ALL_ZONES, 3), 111);
	CHECK_EQ(uidx(pm, 0, 3), 0);
	CHECK_EQ(fidx(pm, VMSTAT_ALL_ZONES, 3), -1000);
	vmstat_format_buddyinfo(pm, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "Node 0, zone   Normal      0      0      0      4 \n"
			  "Node 0, zone  HighMem      1      1      1      3 \n");
	physmem_destroy(pm);
}

/*
 * pagetypeinfo after an UNMOVABLE page claimed pageblock 0 (64 frames): the
 * split-off 1, 2, 4 are UNMOVABLE free blocks, seven order-3 blocks stay
 * MOVABLE; pageblocks 1 UNMOVABLE, 7 MOVABLE.
 */
static void test_pagetypeinfo(void)
{
	struct physmem *pm = make(64, false);
	struct vmstat_pagetypeinfo pti;
	unsigned long pfn;
	char buf[1024];

	REQUIRE(pm);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	CHECK_EQ(vmstat_pagetypeinfo(pm, 0, &pti), 0);
	CHECK_EQ(pti.pageblock_order, 3);
	CHECK_EQ(pti.nr_free[PHYSMEM_MT_UNMOVABLE][0], 1);
	CHECK_EQ(pti.nr_free[PHYSMEM_MT_UNMOVABLE][1], 1);
	CHECK_EQ(pti.nr_free[PHYSMEM_MT_UNMOVABLE][2], 1);
	CHECK_EQ(pti.nr_free[PHYSMEM_MT_UNMOVABLE][3], 0);
	CHECK_EQ(pti.nr_free[PHYSMEM_MT_MOVABLE][3], 7);
	CHECK_EQ(pti.nr_free[PHYSMEM_MT_RECLAIMABLE][3], 0);
	CHECK_EQ(pti.nr_pageblocks[PHYSMEM_MT_UNMOVABLE], 1);
	CHECK_EQ(pti.nr_pageblocks[PHYSMEM_MT_MOVABLE], 7);
	CHECK_EQ(pti.nr_pageblocks[PHYSMEM_MT_RECLAIMABLE], 0);
	vmstat_format_pagetypeinfo(pm, buf, sizeof(buf));
	CHECK_STR_EQ(buf,
		     "Page block order: 3\n"
		     "Pages per block:  8\n"
		     "\n"
		     "Free pages count per migrate type at order       0      1      2      3 \n"
		     "Node    0, zone   Normal, type    Unmovable      1      1      1      0 \n"
		     "Node    0, zone   Normal, type      Movable      0      0      0      7 \n"
		     "Node    0, zone   Normal, type  Reclaimable      0      0      0      0 \n"
		     "Node    0, zone   Normal, type          CMA      0      0      0      0 \n"
		     "\n"
		     "Number of blocks type     Unmovable      Movable  Reclaimable          CMA \n"
		     "Node 0, zone   Normal            1            7            0            0 \n");
	physmem_destroy(pm);
}

int main(void)
{
	RUN(test_boot_state);
	RUN(test_crafted_indices);
	RUN(test_edge_cases);
	RUN(test_whole_machine);
	RUN(test_pagetypeinfo);
	return test_summary();
}
