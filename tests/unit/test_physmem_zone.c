/*
 * test_physmem_zone.c - the zone layout, memory reserved at boot,
 * watermarks, lowmem reserves, CMA and watermark boosting of
 * sim/physmem_zone.c against hand calculations from the kernel's formulas
 * (mm/page_alloc.c of 6.1: calculate_min_free_kbytes,
 * __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve,
 * calculate_totalreserve_pages, boost_watermark, __rmqueue,
 * __zone_watermark_ok).
 */
#include <errno.h>
#include <string.h>

#include "physmem.h"
#include "test_util.h"

static char msg[256];

/* Debian armmp on qemu virt: 12 orders, 8 MiB pageblocks, all lowmem in ZONE_DMA up to 768 MiB,
 * HighMem above, a 16 MiB CMA area where memblock puts it (the top of RAM). */
static void arm_virt(struct physmem_config *c, unsigned int ram_mb, unsigned long reserved)
{
	physmem_config_default(c);
	c->ram_bytes = (uint64_t)ram_mb << 20;
	c->max_order = 12;
	c->pageblock_order = 11;
	c->highmem = ram_mb > 768;
	c->lowmem_limit_bytes = 768ull << 20;
	c->dma_bytes = 768ull << 20;
	c->cma_bytes = 16ull << 20;
	c->reserved_pages[PHYSMEM_ZONE_DMA] = reserved;
	c->pcp = PHYSMEM_PCP_V6_1;
}

/*
 * -m 1024, 4096 pages reserved in DMA. DMA [0, 196608): present 196608,
 * managed 192512; HighMem [196608, 262144): 65536, CMA its top 4096 pages.
 *   lowmem 192512 pages = 770048 KiB; isqrt(770048 * 16 = 12320768) = 3510
 *   (3510^2 = 12320100, 3511^2 = 12327121): min_free_kbytes 3510, pages_min
 *   3510 * 1024 / 4096 = 877.
 *   DMA: min 877; delta max(877/4 = 219, 192512 * 10 / 10000 = 192) = 219;
 *        low 1096, high 1315.
 *   HighMem: share 877 * 65536 / 192512 = 298; min clamp(65536/1024 = 64,
 *        32, 128) = 64; delta max(298/4 = 74, 65) = 74: low 138, high 212.
 *   lowmem_reserve of DMA (ratio 256): Normal 0 / 256 = 0, HighMem and
 *        Movable 65536 / 256 = 256. HighMem (ratio 0): none.
 *   totalreserve: DMA 256 + 1315, HighMem 0 + 212 = 1783.
 *   6.1 pcp: DMA batch min(192512 >> 10 = 188, 256) / 4 = 47, 47 + 23 = 70
 *        -> 64 - 1 = 63, high = low 1096 (>= 4 * 63); HighMem 64 / 4 = 16,
 *        24 -> 16 - 1 = 15, high 138 (>= 60).
 */
static void test_arm_virt_1024(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem *pm = NULL;

	arm_virt(&c, 1024, 4096);
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_nr_zones(pm), 2);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_STR_EQ(zi.name, "DMA");
	CHECK_EQ(zi.type, PHYSMEM_ZONE_DMA);
	CHECK_EQ(zi.end_pfn, 196608);
	CHECK_EQ(zi.present_pages, 196608);
	CHECK_EQ(zi.managed_pages, 192512);
	CHECK_EQ(zi.free_pages, 192512);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 877);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 1096);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 1315);
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_NORMAL], 0);
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_HIGHMEM], 256);
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_MOVABLE], 256);
	CHECK_EQ(zi.lowmem_reserve, 256);
	CHECK_EQ(zi.pcp_batch, 63);
	CHECK_EQ(zi.pcp_high, 1096);
	CHECK_EQ(zi.free_cma_pages, 0);
	CHECK_EQ(physmem_zone_info(pm, 1, &zi), 0);
	CHECK_STR_EQ(zi.name, "HighMem");
	CHECK_EQ(zi.managed_pages, 65536);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 64);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 138);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 212);
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_MOVABLE], 0);
	CHECK_EQ(zi.pcp_batch, 15);
	CHECK_EQ(zi.pcp_high, 138);
	CHECK_EQ(zi.free_cma_pages, 4096);
	CHECK_EQ(physmem_nr_pageblocks(pm, 1, PHYSMEM_MT_CMA), 2);
	CHECK_EQ(physmem_nr_free_mt(pm, 1, 11, PHYSMEM_MT_CMA), 2);
	CHECK_EQ(physmem_nr_free_mt(pm, 1, 11, PHYSMEM_MT_MOVABLE), 30);
	CHECK_EQ(physmem_pageblock_mt(pm, 258048), PHYSMEM_MT_CMA);
	CHECK_EQ(physmem_pageblock_mt(pm, 258047), PHYSMEM_MT_MOVABLE);
	CHECK_EQ(physmem_totalreserve_pages(pm), 1783);
	/* GFP_KERNEL starts in DMA (Normal is empty); zram's pages in HighMem */
	CHECK_EQ(physmem_preferred_zone(pm, PHYSMEM_MT_UNMOVABLE, 0), 0);
	CHECK_EQ(physmem_preferred_zone(pm, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM), 1);
	/* the reserved pages are allocated, never freed */
	{
		struct physmem_block blk;
		struct physmem_stats st;

		CHECK_EQ(physmem_block_at(pm, 100, &blk), 0);
		CHECK(!blk.free);
		CHECK_EQ(blk.owner, PHYSMEM_OWNER_RESERVED);
		physmem_free(pm, blk.head_pfn, blk.order);
		physmem_get_stats(pm, &st);
		CHECK_EQ(st.bad_frees, 1);
		CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_RESERVED], 4096);
	}
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * -m 768, the same reservation: one zone, DMA [0, 196608) with the CMA area
 * at its top [192512, 196608). Same lowmem managed pages, so the same
 * watermarks (877 / 1096 / 1315) and no reserve (no zone above). An
 * unmovable request may not count the 4096 free CMA pages: with all free,
 * 192512 - 4096 = 188416 usable.
 */
static void test_arm_virt_768(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem *pm = NULL;

	arm_virt(&c, 768, 4096);
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_nr_zones(pm), 1);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_STR_EQ(zi.name, "DMA");
	CHECK_EQ(zi.managed_pages, 192512);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 877);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 1315);
	CHECK_EQ(zi.lowmem_reserve, 0);
	CHECK_EQ(zi.free_cma_pages, 4096);
	CHECK_EQ(physmem_pageblock_mt(pm, 192512), PHYSMEM_MT_CMA);
	CHECK(physmem_watermark_ok(pm, 0, 0, 188415, 0));
	CHECK(!physmem_watermark_ok(pm, 0, 0, 188416, 0));
	CHECK(physmem_watermark_ok(pm, 0, 0, 192511, PHYSMEM_ALLOC_CMA));
	CHECK(!physmem_watermark_ok(pm, 0, 0, 192512, PHYSMEM_ALLOC_CMA));
	physmem_destroy(pm);

	/* a CMA area across the lowmem edge, or past the end, is refused */
	arm_virt(&c, 1024, 0);
	c.cma_base_bytes = 760ull << 20;
	CHECK_EQ(physmem_create(&c, &pm), -EINVAL);
	c.cma_base_bytes = 1016ull << 20;
	CHECK_EQ(physmem_create(&c, &pm), -EINVAL);
}

/*
 * An x86_64 guest, 2 GiB: DMA [0, 4096) with 119 pages reserved (managed
 * 3977), DMA32 [4096, 524288) with 20000 reserved (managed 500192), no
 * Normal (RAM ends below 4 GiB); 11 orders, pageblock order 9.
 *   lowmem 504169 pages = 2016676 KiB; isqrt(32266816) = 5680 (5680^2 =
 *   32262400, 5681^2 = 32273761); pages_min 1420.
 *   DMA: 1420 * 3977 / 504169 = 11; delta max(2, 3977 * 10 / 10000 = 3) = 3:
 *        11 / 14 / 17.
 *   DMA32: 1420 * 500192 / 504169 = 1408; delta max(352, 500) = 500:
 *        1408 / 1908 / 2408.
 *   lowmem_reserve of DMA (256): DMA32 and above 500192 / 256 = 1953; of
 *        DMA32 (256): Normal is empty, 0.
 *   6.12 pcp: DMA32 batch min(488, 256) / 4 = 64, 64 + 32 = 96 -> 64 - 1 =
 *        63; high_min = low 1908, high_max = 500192 / 8 = 62524. DMA:
 *        batch 3 / 4 = 0 -> 1, 1 + 0 = 1 -> 1 - 1 = 0, at least 1
 *        (zone_set_high_and_batch); high_min max(14, 4) = 14, high_max
 *        max(3977 / 8 = 497, 4) = 497.
 */
static void test_x86_64_2g(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem *pm = NULL;

	physmem_config_default(&c);
	c.ram_bytes = 2048ull << 20;
	c.highmem = false;
	c.dma_bytes = 16ull << 20;
	c.dma32_bytes = 4096ull << 20;
	c.pageblock_order = 9;
	c.reserved_pages[PHYSMEM_ZONE_DMA] = 119;
	c.reserved_pages[PHYSMEM_ZONE_DMA32] = 20000;
	c.pcp = PHYSMEM_PCP_V6_12;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_nr_zones(pm), 2);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_STR_EQ(zi.name, "DMA");
	CHECK_EQ(zi.end_pfn, 4096);
	CHECK_EQ(zi.managed_pages, 3977);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 11);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 14);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 17);
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_DMA32], 1953);
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_NORMAL], 1953);
	CHECK_EQ(zi.pcp_batch, 1);
	CHECK_EQ(zi.pcp_high_min, 14);
	CHECK_EQ(zi.pcp_high_max, 497);
	CHECK_EQ(physmem_zone_info(pm, 1, &zi), 0);
	CHECK_STR_EQ(zi.name, "DMA32");
	CHECK_EQ(zi.start_pfn, 4096);
	CHECK_EQ(zi.end_pfn, 524288);
	CHECK_EQ(zi.managed_pages, 500192);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 1408);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 1908);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 2408);
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_NORMAL], 0);
	CHECK_EQ(zi.pcp_batch, 63);
	CHECK_EQ(zi.pcp_high_min, 1908);
	CHECK_EQ(zi.pcp_high_max, 62524);
	/* GFP_KERNEL starts in DMA32, and so does a movable request (no HighMem) */
	CHECK_EQ(physmem_preferred_zone(pm, PHYSMEM_MT_UNMOVABLE, 0), 1);
	CHECK_EQ(physmem_preferred_zone(pm, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM), 1);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);

	/* 6.1's sizes: DMA32 batch 256 / 4 = 64, 96 -> 64 - 1 = 63, high 1908 */
	c.pcp = PHYSMEM_PCP_V6_1;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_zone_info(pm, 1, &zi), 0);
	CHECK_EQ(zi.pcp_batch, 63);
	CHECK_EQ(zi.pcp_high, 1908);
	CHECK_EQ(zi.pcp_high_max, 1908);
	physmem_destroy(pm);
}

/* 64 frames, 4 orders, pageblock order 3, watermarks 0, the top 2 pageblocks CMA. */
static struct physmem *make_cma(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	physmem_config_default(&c);
	c.ram_bytes = 64 * 4096;
	c.max_order = 4;
	c.pageblock_order = 3;
	c.highmem = false;
	c.min_free_kbytes = 0;
	c.cma_bytes = 16 * 4096;
	if (physmem_create(&c, &pm))
		return NULL;
	physmem_set_watermarks(pm, 0, 0, 0, 0);
	return pm;
}

/*
 * __rmqueue's CMA balance: a movable request takes from CMA first once free
 * CMA pages exceed half the free pages. 64 free, 16 CMA: frames 0..32 come
 * from Movable (free 64 -> 31); at 31 free, 16 > 31 / 2 = 15: CMA frame 48;
 * at 30, 15 > 15 fails: Movable 33; at 29, 15 > 14: CMA 49.
 * Unmovable requests never touch CMA: after the 48 - 34 = 14 non-CMA frames
 * left, -ENOMEM with 14 CMA frames free; CMA pageblocks are never stolen.
 */
static void test_cma_rules(void)
{
	struct physmem *pm = make_cma();
	struct physmem_zone_info zi;
	unsigned long pfn;
	int n = 0;

	REQUIRE(pm);
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_CMA), 2);
	for (unsigned long i = 0; i <= 32; i++) {
		CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
		CHECK_EQ(pfn, i);
	}
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 48);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 33);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 49);
	while (physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn) == 0) {
		CHECK(pfn < 48);
		n++;
	}
	CHECK_EQ(n, 14);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.free_pages, 14);
	CHECK_EQ(zi.free_cma_pages, 14);
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_CMA), 2);
	/* a freed CMA frame goes back to the CMA lists; movable requests still get them */
	physmem_free(pm, 48, 0);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_CMA), 1);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 48);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * boost_watermark: 64 frames, pageblock 8 (4 * 8 <= 64 managed), high
 * watermark 10: max_boost = max(8, 10 * 15000 / 10000 = 15) = 15. The first
 * unmovable request after Movable has only sub-pageblock blocks left steals
 * the order-2 block at 4 (order < pageblock order): boost 8, the zone is
 * flagged, and the same allocation (rmqueue) clears the flag and asks for
 * kswapd. The second fallback: min(16, 15) = 15. Without
 * __GFP_KSWAPD_RECLAIM the boost rises but no wakeup is asked for. kswapd's
 * physmem_clear_boost(10) leaves 5.
 */
static void test_boost(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem_stats st;
	struct physmem *pm = NULL;
	unsigned long pfn;

	physmem_config_default(&c);
	c.ram_bytes = 64 * 4096;
	c.max_order = 4;
	c.pageblock_order = 3;
	c.highmem = false;
	REQUIRE(physmem_create(&c, &pm) == 0);
	physmem_set_watermarks(pm, 0, 0, 0, 10);
	/* frame 0, then the 7 order-3 blocks: only 1, 2-3 and 4-7 stay free (Movable) */
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	for (int i = 0; i < 7; i++)
		CHECK_EQ(physmem_alloc(pm, 3, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(physmem_take_kswapd_wakeups(pm), 0);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.watermark_boost, 8);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 8);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 18);
	CHECK_EQ(physmem_take_kswapd_wakeups(pm), 1);
	CHECK_EQ(physmem_take_kswapd_wakeups(pm), 0);
	/* the boosted min watermark (8) now refuses: 6 free */
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn), -ENOMEM);
	physmem_clear_boost(pm, 0, 8);
	/* use up pageblock 0 (now Unmovable): frames 2..7 */
	for (int i = 0; i < 6; i++)
		CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	/* pageblock 1 back as Movable order-0 frames, one of them free */
	physmem_free(pm, 8, 3);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	physmem_free(pm, 12, 0);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, PHYSMEM_ALLOC_NO_KSWAPD, &pfn), 0);
	CHECK_EQ(pfn, 12);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.boosts, 2);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.watermark_boost, 8);
	CHECK_EQ(physmem_take_kswapd_wakeups(pm), 0);
	/* pageblock 2 split by one movable frame: the unmovable fallback takes 20-23 */
	physmem_free(pm, 16, 3);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_ALLOC_NO_WMARKS, &pfn), 0);
	CHECK_EQ(pfn, 16);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, PHYSMEM_ALLOC_NO_WMARKS, &pfn), 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.watermark_boost, 15);
	CHECK_EQ(physmem_take_kswapd_wakeups(pm), 1);
	physmem_clear_boost(pm, 0, 10);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.watermark_boost, 5);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);

	/* a zone under 4 pageblocks is never boosted */
	c.ram_bytes = 24 * 4096;
	REQUIRE(physmem_create(&c, &pm) == 0);
	physmem_set_watermarks(pm, 0, 0, 0, 10);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(physmem_alloc(pm, 3, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(physmem_alloc(pm, 3, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.watermark_boost, 0);
	physmem_destroy(pm);
}

/*
 * The kernel check's guests as their /proc/zoneinfo shows them (kernel/README.md).
 * ARM virt -m 1024, Debian 6.1.0-57-armmp: DMA 196608 pages, 189461 managed
 * (7147 reserved), min_free_kbytes 3472 -> pages_min 868; DMA 868 / 868 +
 * max(217, 189) = 1085 / 1302; HighMem share 868 * 65536 / 189461 = 300, min
 * 64, delta max(75, 65) = 75: 139 / 214; protection 65536 / 256 = 256. The
 * formulas give the guest's figures exactly.
 */
static void test_guest_arm_1024(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem *pm = NULL;

	arm_virt(&c, 1024, 7147);
	c.min_free_kbytes = 3472;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.managed_pages, 189461);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 868);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 1085);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 1302);
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_MOVABLE], 256);
	CHECK_EQ(physmem_zone_info(pm, 1, &zi), 0);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 64);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 139);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 214);
	physmem_destroy(pm);
}

/*
 * x86_64 -m 1024, Debian 6.1.0-57-amd64: DMA 3840 managed, DMA32 242096 of
 * 258048 (15952 reserved here; the guest's zone has 32 pages fewer present).
 * Its watermarks (DMA 177/221/265, DMA32 11086/13857/16628) came from
 * min_free_kbytes 45056 (khugepaged) over the managed pages of that moment:
 * the final counts give 175 for DMA's min, so the config states them.
 * Protection of DMA against DMA32 requests: 242096 / 256 = 945, as the
 * guest shows. 6.1 pcp of DMA32: min(236, 256) / 4 = 59, 88 -> 63; high =
 * the stated low, 13857.
 */
static void test_guest_x86_64_1024(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem *pm = NULL;
	static const unsigned long dma[3] = {177, 221, 265}, dma32[3] = {11086, 13857, 16628};

	physmem_config_default(&c);
	c.ram_bytes = 1024ull << 20;
	c.highmem = false;
	c.dma_bytes = 16ull << 20;
	c.dma32_bytes = 4096ull << 20;
	c.pageblock_order = 9;
	c.reserved_pages[PHYSMEM_ZONE_DMA] = 256;
	c.reserved_pages[PHYSMEM_ZONE_DMA32] = 15952;
	c.min_free_kbytes = 45056;
	c.pcp = PHYSMEM_PCP_V6_1;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.managed_pages, 3840);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 175); /* 11264 * 3840 / 245936 */
	CHECK_EQ(zi.protection[PHYSMEM_ZONE_DMA32], 945);
	physmem_destroy(pm);
	memcpy(c.watermarks[PHYSMEM_ZONE_DMA], dma, sizeof(dma));
	memcpy(c.watermarks[PHYSMEM_ZONE_DMA32], dma32, sizeof(dma32));
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 177);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 265);
	CHECK_EQ(physmem_zone_info(pm, 1, &zi), 0);
	CHECK_EQ(zi.managed_pages, 242096);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 13857);
	CHECK_EQ(zi.pcp_batch, 63);
	CHECK_EQ(zi.pcp_high, 13857);
	physmem_destroy(pm);
}

/*
 * Pages a guest holds before the replay (taken_pages 3000 unmovable, 600
 * movable, ARM -m 768 with 6579 reserved: managed 190029). The zone is freed
 * to the list tails ascending, so the free lists' heads are the lowest
 * blocks: reserved [0, 6579), then [6579, 8192) in smaller blocks, then
 * order-11 blocks from 8192 (the CMA area's two at the top stay CMA).
 *   unmovable: no unmovable block, so __rmqueue_fallback takes the largest
 *   movable one (order 11, the first: 8192) and, being a whole pageblock,
 *   claims it; 2048 pages later the next (10240): 2 unmovable pageblocks,
 *   3000 pages from them.
 *   movable: __rmqueue_smallest from order 0 up: the small blocks at
 *   6579.. first (600 of the 1613 there), no fallback.
 * Free: 190029 - 3600 = 186429. The boot's fallbacks leave no boost, no
 * kswapd wakeup and no counts: the replay's counters start at 0.
 */
static void test_taken_pages(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem_stats st;
	struct physmem_block blk;
	struct physmem *pm = NULL;

	arm_virt(&c, 768, 6579);
	c.taken_pages[PHYSMEM_ZONE_DMA] = 3000;
	c.taken_movable_pages[PHYSMEM_ZONE_DMA] = 600;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.managed_pages, 190029);
	CHECK_EQ(zi.free_pages, 186429);
	CHECK_EQ(zi.watermark_boost, 0);
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_UNMOVABLE), 2);
	CHECK_EQ(physmem_pageblock_mt(pm, 8192), PHYSMEM_MT_UNMOVABLE);
	CHECK_EQ(physmem_pageblock_mt(pm, 10240), PHYSMEM_MT_UNMOVABLE);
	CHECK_EQ(physmem_pageblock_mt(pm, 12288), PHYSMEM_MT_MOVABLE);
	CHECK_EQ(physmem_block_at(pm, 8192, &blk), 0);
	CHECK(!blk.free);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_KERNEL);
	CHECK_EQ(physmem_block_at(pm, 6579, &blk), 0);
	CHECK(!blk.free);
	CHECK_EQ(physmem_block_at(pm, 7179, &blk), 0);
	CHECK(blk.free);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_KERNEL], 3600);
	CHECK_EQ(st.extfrag_events, 0);
	CHECK_EQ(st.boosts, 0);
	CHECK_EQ(st.kswapd_wakeups, 0);
	CHECK_EQ(st.pgalloc[0], 0);
	CHECK_EQ(physmem_take_kswapd_wakeups(pm), 0);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

int main(void)
{
	RUN(test_taken_pages);
	RUN(test_guest_arm_1024);
	RUN(test_guest_x86_64_1024);
	RUN(test_arm_virt_1024);
	RUN(test_arm_virt_768);
	RUN(test_x86_64_2g);
	RUN(test_cma_rules);
	RUN(test_boost);
	return test_summary();
}
