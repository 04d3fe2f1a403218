/*
 * test_physmem_pcp.c - the per-CPU page lists of sim/physmem_pcp.c against
 * hand-traced runs of 6.1's and 6.12's rmqueue_pcplist, rmqueue_bulk,
 * free_unref_page_commit, nr_pcp_high, nr_pcp_free and free_pcppages_bulk,
 * and of 4.x's (4.1-4.8) buffered_rmqueue, rmqueue_bulk, free_hot_cold_page,
 * pageset_set_batch / pageset_set_high and free_pcppages_bulk.
 *
 * The machines: one Normal zone, 11 orders, pageblock order 10, watermarks
 * 0, at boot all order-10 Movable blocks. 6.1's has 16384 frames (64 MiB),
 * 6.12's 65536 (256 MiB), so that its batch is 15 (both divide by 4).
 *   6.1:  batch = (16384 >> 10 = 16) / 4 = 4, 4 + 2 = 6 -> 4 - 1 = 3;
 *         high = max(low 0, 4 * 3) = 12.
 *   6.12: batch = (65536 >> 10 = 64) / 4 = 16, 16 + 8 = 24 -> 16 - 1 = 15;
 *         high_min = max(0, 60) = 60, high_max = max(65536 / 8 = 8192, 60)
 *         = 8192; pcp->high starts at 65, the high_min of the lists' first
 *         sizing (low watermark 65536 * 10 / 10000 = 65 before the test
 *         zeroes the watermarks; a resize keeps a high within the bounds).
 */
#include <errno.h>
#include <string.h>

#include "physmem.h"
#include "test_util.h"

static char msg[256];

/* 6.1's and 4.x's machines have 16384 frames, 6.12's 65536; fraction: the sysctl */
static struct physmem *make_frac(enum physmem_pcp_model model, unsigned int fraction)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	physmem_config_default(&c);
	c.ram_bytes = (model == PHYSMEM_PCP_V6_12 ? 65536ull : 16384ull) * 4096;
	c.highmem = false;
	c.min_free_kbytes = 0; /* pcp->high starts at high_min, not at a boot-time low mark */
	c.pcp = model;
	c.percpu_pagelist_high_fraction = fraction;
	if (physmem_create(&c, &pm))
		return NULL;
	physmem_set_watermarks(pm, 0, 0, 0, 0);
	return pm;
}

static struct physmem *make(enum physmem_pcp_model model)
{
	return make_frac(model, 0);
}

static unsigned long alloc0(struct physmem *pm, enum physmem_mt mt)
{
	unsigned long pfn = ~0ul;

	CHECK_EQ(physmem_alloc(pm, 0, mt, 0, &pfn), 0);
	return pfn;
}

/*
 * 6.1, order 0 Movable. The first request refills 3 frames in __rmqueue's
 * order (0, 1, 2: block 0 split, then the order-0 and order-1 halves),
 * added to the list tail, and takes the head: 0. Frames come out 0..19,
 * refills at the 1st, 4th, ..., 19th request (18, 19, 20): 20 stays listed.
 * Freeing 0..19 puts each at the list head. At count 12 (after 10):
 * nr_pcp_free = clamp(3 << 0, 3, 12 - 3) = 3 (free_factor -> 1) from the
 * tail: 20, 0, 1. At 12 again (after 13): clamp(3 << 1, 3, 9) = 6 (-> 2):
 * 2..7. After 19: clamp(3 << 2 = 12, 3, 9) = 9 (12 >= 9: free_factor stays):
 * 8..16. Left: 17, 18, 19; 18 pages went back to the buddy.
 * A request then halves free_factor and gets the list head, 19 (LIFO).
 */
static void test_v61_order0(void)
{
	struct physmem *pm = make(PHYSMEM_PCP_V6_1);
	struct physmem_zone_info zi;
	struct physmem_block blk;

	REQUIRE(pm);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.pcp_batch, 3);
	CHECK_EQ(zi.pcp_high, 12);
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), 0);
	CHECK_EQ(physmem_pcp_pages(pm), 2);
	CHECK_EQ(physmem_free_pages(pm), 16384 - 3);
	CHECK_EQ(physmem_block_at(pm, 1, &blk), 0);
	CHECK(!blk.free);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_PCP);
	for (unsigned long i = 1; i < 20; i++)
		CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), i);
	CHECK_EQ(physmem_pcp_pages(pm), 1);
	for (unsigned long i = 0; i < 20; i++)
		physmem_free(pm, i, 0);
	CHECK_EQ(physmem_pcp_pages(pm), 3);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.pcp_count, 3);
	CHECK_EQ(physmem_free_pages(pm), 16384 - 21 + 18);
	CHECK_EQ(physmem_block_at(pm, 16, &blk), 0);
	CHECK(blk.free);
	CHECK_EQ(physmem_block_at(pm, 17, &blk), 0);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_PCP);
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), 19);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	/* drain_all_pages: everything back; only 19 stays allocated */
	physmem_pcp_drain(pm, -1);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	CHECK_EQ(physmem_free_pages(pm), 16383);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * 6.1, order 2 Unmovable (a pgd): the refill takes max(3 >> 2, 2) = 2
 * blocks; the first steals Movable block 0's pageblock (order 10 >=
 * pageblock order: whole claim), so the blocks are 0 and 4; the request
 * gets 0, and 4 waits on the order-2 Unmovable list (4 pages).
 * Freeing 0 after a bulk free (free_factor > 0) frees the whole pcp
 * (free_high): 6.1 drains every list when a high-order page is freed while
 * the CPU is only freeing.
 */
static void test_v61_high_order(void)
{
	struct physmem *pm = make(PHYSMEM_PCP_V6_1);
	unsigned long pfn, m[12];

	REQUIRE(pm);
	CHECK_EQ(physmem_alloc(pm, 2, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 0);
	CHECK_EQ(physmem_pcp_pages(pm), 4);
	CHECK_EQ(physmem_pageblock_mt(pm, 4), PHYSMEM_MT_UNMOVABLE);
	CHECK_EQ(physmem_alloc(pm, 2, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 4);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	/* 12 movable frames, freed: a bulk free at 12 (free_factor 1), 9 left */
	for (int i = 0; i < 12; i++)
		m[i] = alloc0(pm, PHYSMEM_MT_MOVABLE);
	for (int i = 0; i < 12; i++)
		physmem_free(pm, m[i], 0);
	CHECK_EQ(physmem_pcp_pages(pm), 9);
	physmem_free(pm, 0, 2);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * 6.12, order 0: nr_pcp_alloc. high = clamp(65, 60, 8192) = 65, then (high_min
 * != high_max, zone not below high) 65 + 15 = 80; max_nr_alloc = max(80 - 0
 * - 15, 15) = 65; batch 15 <= 65: alloc_factor -> 1; 15 frames refilled,
 * 0 taken. The 16th request refills again: high 80 + (15 << 1 = 30) = 110,
 * max_nr_alloc = max(110 - 0 - 15, 15) = 95, batch 30 (alloc_factor -> 2).
 */
static void test_v612_alloc_tuning(void)
{
	struct physmem *pm = make(PHYSMEM_PCP_V6_12);
	struct physmem_zone_info zi;

	REQUIRE(pm);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.pcp_batch, 15);
	CHECK_EQ(zi.pcp_high_min, 60);
	CHECK_EQ(zi.pcp_high_max, 8192);
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), 0);
	CHECK_EQ(physmem_pcp_pages(pm), 14);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.pcp_high, 80);
	for (unsigned long i = 1; i < 16; i++)
		CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), i);
	CHECK_EQ(physmem_pcp_pages(pm), 29);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.pcp_high, 110);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * 6.12, frees: nr_pcp_high with the zone below its high watermark shrinks
 * high by max(free_count, batch) down to high_min and frees once count
 * reaches max(count, high_min). Here the zone is never below high
 * (watermarks 0), so high only grows to hold the batch freed: count >= high
 * -> need_high = free_count + batch.
 * After 16 allocations (high 110, 29 on the list), freeing 0..15 brings
 * count to 45 < 110: nothing drains. free_count counts them: 16 (an
 * allocation halves it).
 */
static void test_v612_free(void)
{
	struct physmem *pm = make(PHYSMEM_PCP_V6_12);

	REQUIRE(pm);
	for (unsigned long i = 0; i < 16; i++)
		CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), i);
	for (unsigned long i = 0; i < 16; i++)
		physmem_free(pm, i, 0);
	CHECK_EQ(physmem_pcp_pages(pm), 45);
	CHECK_EQ(physmem_free_pages(pm), 65536 - 45);
	/* LIFO: the last freed comes back first */
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), 15);
	/* drain in chunks of 15 << 5 from list 0: all 44 back, the buddy whole again but 15 */
	physmem_pcp_drain(pm, 0);
	CHECK_EQ(physmem_free_pages(pm), 65535);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/* A THP list (pcp_thp): pageblock-order blocks go through the pcp too. */
static void test_thp_list(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;
	unsigned long pfn;

	physmem_config_default(&c);
	c.ram_bytes = 16384ull * 4096;
	c.highmem = false;
	c.pageblock_order = 9;
	c.pcp = PHYSMEM_PCP_V6_1;
	c.pcp_thp = true;
	REQUIRE(physmem_create(&c, &pm) == 0);
	physmem_set_watermarks(pm, 0, 0, 0, 0);
	/* batch 3 >> 9 = 0 -> 2 blocks of 512 */
	CHECK_EQ(physmem_alloc(pm, 9, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 0);
	CHECK_EQ(physmem_pcp_pages(pm), 512);
	/* order 4 never goes through a pcp list */
	CHECK_EQ(physmem_alloc(pm, 4, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	CHECK_EQ(physmem_pcp_pages(pm), 512);
	/* freed to the list head: count 1024 >= high 12, a bulk free of 3 pages takes the
	 * tail block (512) whole */
	physmem_free(pm, 0, 9);
	CHECK_EQ(physmem_pcp_pages(pm), 512);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * 4.x sizes (zone_batchsize, pageset_set_batch, pageset_set_high).
 * 189,461 managed pages (a 740 MiB Normal zone): 189461 / 1024 = 185, capped
 * at 512 KiB = 128 pages, / 4 = 32, 32 + 16 = 48 -> 32 - 1 = batch 31,
 * high 6 * 31 = 186 (6.1's cap is 1 MiB = 256: 185 / 4 = 46, 46 + 23 = 69 ->
 * 64 - 1 = 63), whatever nr_cpus is.
 * 16,384 pages: 16 / 4 = 4, 4 + 2 = 6 -> 4 - 1 = 3, high 18.
 * 4,096 pages (a 16 MiB DMA zone): 4 / 4 = 1, 1 + 0 = 1 -> 1 - 1 = 0, and
 *   pageset_set_batch(0) sets high 6 * 0 = 0, batch max(1, 0) = 1: an
 *   allocation refills 1 page and takes it, a free (count 1 >= 0) gives
 *   1 page straight back.
 * percpu_pagelist_fraction 8 on 16,384: high 2048, 2048 / 4 = 512 > PAGE_SHIFT
 * * 8 = 96: batch 96. Fraction 1024: high 16, batch 4.
 */
static void test_v4_sizes(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;
	struct physmem_zone_info zi;

	physmem_config_default(&c);
	c.ram_bytes = 189461ull * 4096;
	c.highmem = false;
	c.no_host_memory = true;
	c.pcp = PHYSMEM_PCP_V4;
	c.nr_cpus = 4;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.managed_pages, 189461);
	CHECK_EQ(zi.pcp_batch, 31);
	CHECK_EQ(zi.pcp_high, 186);
	physmem_destroy(pm);
	c.pcp = PHYSMEM_PCP_V6_1;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.pcp_batch, 63);
	physmem_destroy(pm);
	pm = make(PHYSMEM_PCP_V4);
	REQUIRE(pm);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.managed_pages, 16384);
	CHECK_EQ(zi.pcp_batch, 3);
	CHECK_EQ(zi.pcp_high, 18);
	physmem_destroy(pm);
	c.pcp = PHYSMEM_PCP_V4;
	c.ram_bytes = 4096ull * 4096;
	REQUIRE(physmem_create(&c, &pm) == 0);
	physmem_set_watermarks(pm, 0, 0, 0, 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.managed_pages, 4096);
	CHECK_EQ(zi.pcp_batch, 1);
	CHECK_EQ(zi.pcp_high, 0);
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), 0);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	physmem_free(pm, 0, 0);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	CHECK_EQ(physmem_free_pages(pm), 4096);
	physmem_destroy(pm);
	pm = make_frac(PHYSMEM_PCP_V4, 8);
	REQUIRE(pm);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.pcp_batch, 96);
	CHECK_EQ(zi.pcp_high, 2048);
	physmem_destroy(pm);
	pm = make_frac(PHYSMEM_PCP_V4, 1024);
	REQUIRE(pm);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.pcp_batch, 4);
	CHECK_EQ(zi.pcp_high, 16);
	physmem_destroy(pm);
}

/*
 * 4.x refills: an empty order-0 list takes exactly batch pages in
 * __rmqueue's order and hands out the head. Batch 3: the first request
 * lists 0, 1, 2 and gets 0 (2 stay listed); requests 1..20 refill at the
 * 1st, 4th, ..., 19th (7 refills, 21 pages): 20 stays listed. With the
 * sysctl (fraction 1024: batch 4) the first request lists 0..3, keeps 3.
 */
static void test_v4_refill(void)
{
	struct physmem *pm = make(PHYSMEM_PCP_V4);
	struct physmem_block blk;

	REQUIRE(pm);
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), 0);
	CHECK_EQ(physmem_pcp_pages(pm), 2);
	CHECK_EQ(physmem_free_pages(pm), 16384 - 3);
	CHECK_EQ(physmem_block_at(pm, 2, &blk), 0);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_PCP);
	for (unsigned long i = 1; i < 20; i++)
		CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), i);
	CHECK_EQ(physmem_pcp_pages(pm), 1);
	CHECK_EQ(physmem_free_pages(pm), 16384 - 21);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
	pm = make_frac(PHYSMEM_PCP_V4, 1024);
	REQUIRE(pm);
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), 0);
	CHECK_EQ(physmem_pcp_pages(pm), 3);
	CHECK_EQ(physmem_free_pages(pm), 16384 - 4);
	physmem_destroy(pm);
}

/*
 * 4.x: order > 0 never touches the lists (buffered_rmqueue takes it from
 * the buddy under the zone lock; __free_pages gives it back there). An
 * order-1 and an order-2 Unmovable allocation leave the lists empty and
 * take 2 + 4 pages from the buddy; freeing them gives all 16384 back.
 * Under 6.1 the order-1 request refills max(3 >> 1 = 1, 2) = 2 order-1
 * blocks and keeps one (2 pages listed), and its free lists it (4 pages).
 */
static void test_v4_high_order_bypass(void)
{
	struct physmem *pm = make(PHYSMEM_PCP_V4);
	unsigned long p1, p2;

	REQUIRE(pm);
	CHECK_EQ(physmem_alloc(pm, 1, PHYSMEM_MT_UNMOVABLE, 0, &p1), 0);
	CHECK_EQ(physmem_alloc(pm, 2, PHYSMEM_MT_UNMOVABLE, 0, &p2), 0);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	CHECK_EQ(physmem_free_pages(pm), 16384 - 6);
	physmem_free(pm, p1, 1);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	physmem_free(pm, p2, 2);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	CHECK_EQ(physmem_free_pages(pm), 16384);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
	pm = make(PHYSMEM_PCP_V6_1);
	REQUIRE(pm);
	CHECK_EQ(physmem_alloc(pm, 1, PHYSMEM_MT_UNMOVABLE, 0, &p1), 0);
	CHECK_EQ(physmem_pcp_pages(pm), 2);
	physmem_free(pm, p1, 1);
	CHECK_EQ(physmem_pcp_pages(pm), 4);
	physmem_destroy(pm);
}

/*
 * 4.x free_hot_cold_page and free_pcppages_bulk (batch 3, high 18).
 * Movable 0..11 are allocated (4 refills; the Movable list ends empty),
 * then 6 Unmovable pages u0..u5 (2 refills from a pageblock the fallback
 * claims for Unmovable; that list ends empty too). Freeing 0..11 lists them
 * on Movable (list 1; tail 0), then u0..u5 on Unmovable (list 0; tail u0);
 * the free of u5 makes count 18 >= high: free_pcppages_bulk(3).
 *   batch_free 1, list 1 (Movable): its tail 0; count 2, batch_free 0: next.
 *   batch_free 1, list 2 (Reclaimable) empty; 2, list 0 (Unmovable): u0
 *   (count 1, batch_free 1), u1 (count 0).
 * 0, u0, u1 go back; 15 stay (6.1's bulk free, from the list just freed to,
 * would have taken u0, u1, u2). A Movable request then gets the head, 11,
 * and an Unmovable one u5. drain_all_pages gives back the other 13.
 */
static void test_v4_free_bulk(void)
{
	struct physmem *pm = make(PHYSMEM_PCP_V4);
	struct physmem_block blk;
	unsigned long u[6];

	REQUIRE(pm);
	for (unsigned long i = 0; i < 12; i++)
		CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), i);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	for (int i = 0; i < 6; i++)
		u[i] = alloc0(pm, PHYSMEM_MT_UNMOVABLE);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(physmem_pageblock_mt(pm, u[i]), PHYSMEM_MT_UNMOVABLE);
	for (unsigned long i = 0; i < 12; i++)
		physmem_free(pm, i, 0);
	for (int i = 0; i < 5; i++)
		physmem_free(pm, u[i], 0);
	CHECK_EQ(physmem_pcp_pages(pm), 17);
	physmem_free(pm, u[5], 0);
	CHECK_EQ(physmem_pcp_pages(pm), 15);
	CHECK_EQ(physmem_free_pages(pm), 16384 - 18 + 3);
	CHECK_EQ(physmem_block_at(pm, 0, &blk), 0);
	CHECK(blk.free);
	CHECK_EQ(physmem_block_at(pm, 1, &blk), 0);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_PCP);
	CHECK_EQ(physmem_block_at(pm, u[0], &blk), 0);
	CHECK(blk.free);
	CHECK_EQ(physmem_block_at(pm, u[1], &blk), 0);
	CHECK(blk.free);
	CHECK_EQ(physmem_block_at(pm, u[2], &blk), 0);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_PCP);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_MOVABLE), 11);
	CHECK_EQ(alloc0(pm, PHYSMEM_MT_UNMOVABLE), u[5]);
	physmem_pcp_drain(pm, -1);
	CHECK_EQ(physmem_pcp_pages(pm), 0);
	CHECK_EQ(physmem_free_pages(pm), 16384 - 2);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

int main(void)
{
	RUN(test_v61_order0);
	RUN(test_v61_high_order);
	RUN(test_v612_alloc_tuning);
	RUN(test_v612_free);
	RUN(test_thp_list);
	RUN(test_v4_sizes);
	RUN(test_v4_refill);
	RUN(test_v4_high_order_bypass);
	RUN(test_v4_free_bulk);
	return test_summary();
}
