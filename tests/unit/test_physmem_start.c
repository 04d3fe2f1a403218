/*
 * test_physmem_start.c - a zone started from given free lists
 * (sim/physmem_start.c: config free_blocks and pageblocks) against a layout
 * worked by hand, and the starts it refuses.
 */
#include <string.h>

#include "physmem.h"
#include "test_util.h"

static char msg[256];

/* 40 frames of 4 KiB, orders 0..3 (max-order blocks of 8 frames), pageblocks of 8: one Normal
 * zone [0, 40) with 9 frames reserved at its start; no watermarks, no per-CPU lists. */
static void small(struct physmem_config *c)
{
	physmem_config_default(c);
	c->ram_bytes = 40 * 4096;
	c->highmem = false;
	c->max_order = 4;
	c->pageblock_order = 3;
	c->min_free_kbytes = 0;
	c->reserved_pages[PHYSMEM_ZONE_NORMAL] = 9;
	c->free_blocks_given[PHYSMEM_ZONE_NORMAL] = true;
	c->pageblocks_given[PHYSMEM_ZONE_NORMAL] = true;
}

static void check_block(struct physmem *pm, unsigned long pfn, bool free, unsigned int order,
			enum physmem_mt mt)
{
	struct physmem_block b;

	CHECK_EQ(physmem_block_at(pm, pfn, &b), 0);
	CHECK_EQ(b.head_pfn, pfn);
	CHECK_EQ(b.free, free);
	CHECK_EQ(b.order, order);
	CHECK_EQ(b.mt, mt);
	if (!free)
		CHECK_EQ(b.owner, pfn < 9 ? PHYSMEM_OWNER_RESERVED : PHYSMEM_OWNER_KERNEL);
}

/*
 * Given: Movable 1 x order 3, 2 x order 1, 1 x order 0; Unmovable 1 x order 2, 2 x order 0
 * (19 free pages); 1 Unmovable pageblock; 5 of the 31 managed pages taken movable.
 *
 * Pageblocks: [0, 8) is wholly reserved, stays Movable; [8, 16) (frame 8 reserved) is the
 * lowest other one: Unmovable; [16, 40) Movable.
 * Placement, largest order first, types Unmovable, Movable, ...:
 *   order 3 Movable: whole max-order blocks from the top: 32.
 *   order 2 Unmovable: round-robin from block 0 (all reserved), block 1 [8, 16) is Unmovable:
 *     8 is reserved, 12 fits (buddy 8 reserved): 12.
 *   order 1 Movable x2: block 1 is Unmovable, block 2: 16; next block 3: 24.
 *   order 0 Unmovable x2: from block 2 on, only block 1 is Unmovable: 9 (buddy 8 reserved),
 *     then 10 (buddy 11 not free).
 *   order 0 Movable: from block 4 (whole, no room), 0, 1 (Unmovable), 2: 16 and 17 are taken
 *     by the order-1 block, 18 fits (buddy 19 not free).
 * Taken, the 12 others: 11, 19..23, 26..31. Movable first in Movable pageblocks, ascending:
 * 19..23 (5); unmovable 11 and 26..31 (7).
 * No free block's buddy is a free block of its order: 12's is 8 (reserved), 16's 18 (order 0),
 * 24's 26 (taken), 9's 8, 10's 11, 18's 19; 32 is of the largest order.
 */
static void test_hand_layout(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem_stats st;
	struct physmem *pm = NULL;
	unsigned long pfn;

	small(&c);
	c.free_blocks[PHYSMEM_ZONE_NORMAL][3][PHYSMEM_MT_MOVABLE] = 1;
	c.free_blocks[PHYSMEM_ZONE_NORMAL][1][PHYSMEM_MT_MOVABLE] = 2;
	c.free_blocks[PHYSMEM_ZONE_NORMAL][0][PHYSMEM_MT_MOVABLE] = 1;
	c.free_blocks[PHYSMEM_ZONE_NORMAL][2][PHYSMEM_MT_UNMOVABLE] = 1;
	c.free_blocks[PHYSMEM_ZONE_NORMAL][0][PHYSMEM_MT_UNMOVABLE] = 2;
	c.pageblocks[PHYSMEM_ZONE_NORMAL][PHYSMEM_MT_UNMOVABLE] = 1;
	c.taken_pages[PHYSMEM_ZONE_NORMAL] = 7;
	c.taken_movable_pages[PHYSMEM_ZONE_NORMAL] = 5;
	REQUIRE(physmem_create_msg(&c, &pm, msg, sizeof(msg)) == 0);
	CHECK_EQ(physmem_nr_zones(pm), 1);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.managed_pages, 31);
	CHECK_EQ(zi.free_pages, 19);
	/* the free lists, per order and type, as given */
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 3, PHYSMEM_MT_MOVABLE), 1);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 1, PHYSMEM_MT_MOVABLE), 2);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_MOVABLE), 1);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 2, PHYSMEM_MT_UNMOVABLE), 1);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_UNMOVABLE), 2);
	CHECK_EQ(physmem_nr_free(pm, 0, 0), 3);
	CHECK_EQ(physmem_nr_free(pm, 0, 1), 2);
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 1);
	CHECK_EQ(physmem_nr_free(pm, 0, 3), 1);
	/* the pageblocks */
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_UNMOVABLE), 1);
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_MOVABLE), 4);
	CHECK_EQ(physmem_pageblock_mt(pm, 0), PHYSMEM_MT_MOVABLE);
	CHECK_EQ(physmem_pageblock_mt(pm, 8), PHYSMEM_MT_UNMOVABLE);
	CHECK_EQ(physmem_pageblock_mt(pm, 16), PHYSMEM_MT_MOVABLE);
	/* every frame */
	check_block(pm, 32, true, 3, PHYSMEM_MT_MOVABLE);
	check_block(pm, 12, true, 2, PHYSMEM_MT_UNMOVABLE);
	check_block(pm, 16, true, 1, PHYSMEM_MT_MOVABLE);
	check_block(pm, 24, true, 1, PHYSMEM_MT_MOVABLE);
	check_block(pm, 9, true, 0, PHYSMEM_MT_UNMOVABLE);
	check_block(pm, 10, true, 0, PHYSMEM_MT_UNMOVABLE);
	check_block(pm, 18, true, 0, PHYSMEM_MT_MOVABLE);
	check_block(pm, 11, false, 0, PHYSMEM_MT_UNMOVABLE);
	for (pfn = 19; pfn <= 23; pfn++)
		check_block(pm, pfn, false, 0, PHYSMEM_MT_MOVABLE);
	for (pfn = 26; pfn <= 31; pfn++)
		check_block(pm, pfn, false, 0, PHYSMEM_MT_UNMOVABLE);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_KERNEL], 12);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_RESERVED], 9);
	CHECK_EQ(st.pgalloc[0], 0);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	/* the lists in ascending order: the order-0 Unmovable list hands out 9 first */
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, PHYSMEM_ALLOC_NO_WMARKS, &pfn), 0);
	CHECK_EQ(pfn, 9);
	/* freed again it merges with nothing (its buddy 8 is reserved) */
	physmem_free(pm, 9, 0);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_UNMOVABLE), 2);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/* Starts no zone can hold: each refused with why. */
static void test_refused(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	/* five order-3 blocks are 40 pages; the zone manages 31 */
	small(&c);
	c.free_blocks[PHYSMEM_ZONE_NORMAL][3][PHYSMEM_MT_MOVABLE] = 5;
	CHECK(physmem_create_msg(&c, &pm, msg, sizeof(msg)) != 0);
	CHECK(strstr(msg, "free_blocks.Normal: 40 free pages, more than the zone's 31 managed") !=
	      NULL);
	/* five order-2 blocks fit the pages (20) but not apart: each max-order block outside the
	 * reserved one holds one with its buddy taken, and there are four */
	small(&c);
	c.free_blocks[PHYSMEM_ZONE_NORMAL][2][PHYSMEM_MT_MOVABLE] = 5;
	CHECK(physmem_create_msg(&c, &pm, msg, sizeof(msg)) != 0);
	CHECK(strstr(msg, "no room for order-2 block 5 of type Movable") != NULL);
	/* CMA blocks without a CMA area */
	small(&c);
	c.free_blocks[PHYSMEM_ZONE_NORMAL][0][PHYSMEM_MT_CMA] = 1;
	CHECK(physmem_create_msg(&c, &pm, msg, sizeof(msg)) != 0);
	CHECK(strstr(msg, "1 free CMA pages, more than the zone's CMA area (0 pages)") != NULL);
	/* a zone the machine does not have */
	small(&c);
	c.free_blocks_given[PHYSMEM_ZONE_DMA] = true;
	CHECK(physmem_create_msg(&c, &pm, msg, sizeof(msg)) != 0);
	CHECK(strstr(msg, "free_blocks.DMA: the machine has no DMA zone") != NULL);
	/* an order the machine does not have */
	small(&c);
	c.free_blocks[PHYSMEM_ZONE_NORMAL][4][PHYSMEM_MT_MOVABLE] = 1;
	CHECK(physmem_create_msg(&c, &pm, msg, sizeof(msg)) != 0);
	CHECK(strstr(msg, "order 4 is not below max_order 4") != NULL);
	/* none of them left a machine behind */
	CHECK(pm == NULL);
}

/* Without free_blocks the zone is what it was: taken_pages from a fresh zone. */
static void test_not_given(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem *pm = NULL;

	small(&c);
	c.free_blocks_given[PHYSMEM_ZONE_NORMAL] = false;
	c.pageblocks_given[PHYSMEM_ZONE_NORMAL] = false;
	c.taken_pages[PHYSMEM_ZONE_NORMAL] = 3;
	REQUIRE(physmem_create_msg(&c, &pm, msg, sizeof(msg)) == 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.free_pages, 28);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * deferred_struct_page_init: the pageblocks whose first frame is reserved are Unmovable.
 * Given: 3 Movable order-3 blocks (24 free pages), 2 Unmovable pageblocks; the other 7
 * managed frames (9..15) taken, unmovable.
 *   With it: [0, 8) (wholly reserved) and [8, 16) (frame 8 reserved) are the two Unmovable
 *   pageblocks, [16, 40) Movable: the three blocks fill it from the top, 32, 24, 16, each
 *   in a Movable pageblock, and a movable page comes from there.
 *   Without it: [0, 8) stays Movable, the two lowest others [8, 16) and [16, 24) are
 *   Unmovable: 32 and 24 fit Movable pageblocks, the third block can only go to 16, in an
 *   Unmovable one (a page freed there later goes to the Unmovable list).
 */
static void test_deferred_init(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;
	unsigned long pfn;

	for (int deferred = 1; deferred >= 0; deferred--) {
		small(&c);
		c.deferred_struct_page_init = deferred;
		c.free_blocks[PHYSMEM_ZONE_NORMAL][3][PHYSMEM_MT_MOVABLE] = 3;
		c.pageblocks[PHYSMEM_ZONE_NORMAL][PHYSMEM_MT_UNMOVABLE] = 2;
		c.taken_pages[PHYSMEM_ZONE_NORMAL] = 7;
		REQUIRE(physmem_create_msg(&c, &pm, msg, sizeof(msg)) == 0);
		CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_UNMOVABLE), 2);
		CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_MOVABLE), 3);
		CHECK_EQ(physmem_pageblock_mt(pm, 0),
			 deferred ? PHYSMEM_MT_UNMOVABLE : PHYSMEM_MT_MOVABLE);
		CHECK_EQ(physmem_pageblock_mt(pm, 8), PHYSMEM_MT_UNMOVABLE);
		CHECK_EQ(physmem_pageblock_mt(pm, 16),
			 deferred ? PHYSMEM_MT_MOVABLE : PHYSMEM_MT_UNMOVABLE);
		CHECK_EQ(physmem_pageblock_mt(pm, 24), PHYSMEM_MT_MOVABLE);
		for (pfn = 16; pfn < 40; pfn += 8)
			check_block(pm, pfn, true, 3, PHYSMEM_MT_MOVABLE);
		for (pfn = 9; pfn < 16; pfn++)
			check_block(pm, pfn, false, 0, PHYSMEM_MT_UNMOVABLE);
		CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
		if (deferred) {
			CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_ALLOC_NO_WMARKS,
					       &pfn),
				 0);
			CHECK_EQ(physmem_pageblock_mt(pm, pfn), PHYSMEM_MT_MOVABLE);
		}
		physmem_destroy(pm);
		pm = NULL;
	}
}

/* A fresh zone (no free_blocks) with deferred_struct_page_init: the free frames 9..15 of the
 * partly reserved pageblock [8, 16) go to the Unmovable lists (9, 10-11, 12-15). */
static void test_deferred_init_fresh(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	for (int deferred = 1; deferred >= 0; deferred--) {
		enum physmem_mt low = deferred ? PHYSMEM_MT_UNMOVABLE : PHYSMEM_MT_MOVABLE;

		small(&c);
		c.deferred_struct_page_init = deferred;
		c.free_blocks_given[PHYSMEM_ZONE_NORMAL] = false;
		c.pageblocks_given[PHYSMEM_ZONE_NORMAL] = false;
		REQUIRE(physmem_create_msg(&c, &pm, msg, sizeof(msg)) == 0);
		CHECK_EQ(physmem_pageblock_mt(pm, 0), low);
		CHECK_EQ(physmem_pageblock_mt(pm, 8), low);
		CHECK_EQ(physmem_pageblock_mt(pm, 16), PHYSMEM_MT_MOVABLE);
		CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_UNMOVABLE), deferred ? 2 : 0);
		for (unsigned int o = 0; o < 3; o++)
			CHECK_EQ(physmem_nr_free_mt(pm, 0, o, low), 1);
		CHECK_EQ(physmem_nr_free_mt(pm, 0, 3, PHYSMEM_MT_MOVABLE), 3);
		CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
		physmem_destroy(pm);
		pm = NULL;
	}
}

int main(void)
{
	RUN(test_hand_layout);
	RUN(test_refused);
	RUN(test_not_given);
	RUN(test_deferred_init);
	RUN(test_deferred_init_fresh);
	return test_summary();
}
