/*
 * test_physmem.c - the buddy allocator, migrate-type fallback, zones and
 * watermarks of sim/physmem.c against hand-worked expectations.
 *
 * Most cases use a tiny machine: 64 frames of 4 KiB, max_order 4 (orders
 * 0..3, largest block 8 frames), pageblock order 3 (8 pageblocks), and
 * watermarks of 0, so every count below can be followed on paper. At boot
 * the frames are eight order-3 blocks on the MOVABLE list in ascending pfn
 * order (freed to the list tail, as memblock does).
 */
#include <errno.h>
#include <string.h>

#include "physmem.h"
#include "test_util.h"

static char msg[256];

static void small_cfg(struct physmem_config *c, unsigned long pages, unsigned int max_order,
		      unsigned int pb_order)
{
	physmem_config_default(c);
	c->ram_bytes = (uint64_t)pages * 4096;
	c->max_order = max_order;
	c->pageblock_order = pb_order;
	c->highmem = false;
	c->min_free_kbytes = 0;
	memset(c->lowmem_reserve_ratio, 0, sizeof(c->lowmem_reserve_ratio));
}

static struct physmem *make(unsigned long pages, unsigned int max_order, unsigned int pb_order)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	small_cfg(&c, pages, max_order, pb_order);
	if (physmem_create(&c, &pm))
		return NULL;
	physmem_set_watermarks(pm, 0, 0, 0, 0);
	return pm;
}

#define CHECK_FREE4(pm, a, b, c, d)                                                                \
	do {                                                                                       \
		CHECK_EQ(physmem_nr_free(pm, 0, 0), a);                                            \
		CHECK_EQ(physmem_nr_free(pm, 0, 1), b);                                            \
		CHECK_EQ(physmem_nr_free(pm, 0, 2), c);                                            \
		CHECK_EQ(physmem_nr_free(pm, 0, 3), d);                                            \
		CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);                                  \
	} while (0)

static unsigned long alloc1(struct physmem *pm, unsigned int order, enum physmem_mt mt,
			    unsigned int flags)
{
	unsigned long pfn = ~0ul;
	int ret = physmem_alloc(pm, order, mt, flags, &pfn);

	CHECK_EQ(ret, 0);
	return ret ? ~0ul : pfn;
}

static void test_split_merge(void)
{
	struct physmem *pm = make(64, 4, 3);
	struct physmem_stats st;

	REQUIRE(pm);
	CHECK_EQ(physmem_nr_zones(pm), 1);
	CHECK_EQ(physmem_free_pages(pm), 64);
	CHECK_FREE4(pm, 0, 0, 0, 8);

	/* order 0 from block 0: expand leaves 4 (o2), 2 (o1), 1 (o0) */
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), 0);
	CHECK_FREE4(pm, 1, 1, 1, 7);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), 1);
	CHECK_FREE4(pm, 0, 1, 1, 7);
	CHECK_EQ(alloc1(pm, 1, PHYSMEM_MT_MOVABLE, 0), 2);
	CHECK_FREE4(pm, 0, 0, 1, 7);
	/* order 0 again: splits the order-2 block at 4 into 4 + 5 (o0) + 6 (o1) */
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), 4);
	CHECK_FREE4(pm, 1, 1, 0, 7);
	CHECK_EQ(physmem_free_pages(pm), 64 - 5);

	/* free 1: its buddy 0 is allocated, no merge */
	physmem_free(pm, 1, 0);
	CHECK_FREE4(pm, 2, 1, 0, 7);
	/* free 0: merges with 1 into an order-1 block at 0; 2 (o1) is allocated */
	physmem_free(pm, 0, 0);
	CHECK_FREE4(pm, 1, 2, 0, 7);
	/* free 2 (o1): merges with 0 into order 2; buddy 4 is allocated */
	physmem_free(pm, 2, 1);
	CHECK_FREE4(pm, 1, 1, 1, 7);
	/* free 4: 4+5 -> o1, +6 -> o2, +0 -> o3: back to boot */
	physmem_free(pm, 4, 0);
	CHECK_FREE4(pm, 0, 0, 0, 8);
	CHECK_EQ(physmem_free_pages(pm), 64);
	/* the block merged last is at the list head: the next allocation takes it */
	CHECK_EQ(alloc1(pm, 3, PHYSMEM_MT_MOVABLE, 0), 0);
	physmem_free(pm, 0, 3);

	/* freeing what is not an allocated block changes nothing */
	physmem_free(pm, 3, 0);
	physmem_free(pm, 8, 1);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.bad_frees, 2);
	CHECK_FREE4(pm, 0, 0, 0, 8);
	CHECK_EQ(physmem_alloc(pm, 4, PHYSMEM_MT_MOVABLE, 0, &(unsigned long){0}), -EINVAL);
	physmem_destroy(pm);
}

static void test_exhaust_and_metadata(void)
{
	struct physmem *pm = make(64, 4, 3);
	struct physmem_stats st;
	struct physmem_block blk;
	unsigned long pfn;

	REQUIRE(pm);
	for (unsigned long i = 0; i < 64; i++)
		CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), i); /* lowest frames first */
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), -ENOMEM);
	CHECK_EQ(physmem_free_pages(pm), 0);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.alloc_fail, 1);
	CHECK_EQ(st.pgalloc[0], 64);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_KERNEL], 64);

	/* owner, tag, private word, host bytes */
	CHECK_EQ(physmem_set_owner(pm, 9, PHYSMEM_OWNER_USER, 77), 0);
	CHECK_EQ(physmem_block_at(pm, 9, &blk), 0);
	CHECK(!blk.free);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_USER);
	CHECK_EQ(blk.tag, 77);
	CHECK(physmem_block_movable(&blk));
	*physmem_page_private(pm, 9) = &blk;
	CHECK(*physmem_page_private(pm, 9) == &blk);
	memset(physmem_page_address(pm, 9), 0xab, 4096);
	CHECK_EQ(((unsigned char *)physmem_page_address(pm, 10))[-1], 0xab);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_USER], 1);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);

	/* a freed and reallocated frame comes back with a NULL private word */
	physmem_free(pm, 9, 0);
	CHECK_EQ(physmem_block_at(pm, 9, &blk), 0);
	CHECK(blk.free);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_UNMOVABLE, PHYSMEM_ALLOC_NO_WMARKS), 9);
	CHECK(*physmem_page_private(pm, 9) == NULL);
	CHECK_EQ(physmem_block_at(pm, 9, &blk), 0);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_KERNEL);
	CHECK(!physmem_block_movable(&blk));

	/* the block of an interior frame */
	for (unsigned long i = 16; i < 24; i++)
		physmem_free(pm, i, 0);
	CHECK_EQ(physmem_block_at(pm, 21, &blk), 0);
	CHECK(blk.free);
	CHECK_EQ(blk.head_pfn, 16);
	CHECK_EQ(blk.order, 3);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * An UNMOVABLE request with only MOVABLE memory: the fallback finds the
 * largest block (order 3 = pageblock order), claims its whole pageblock.
 */
static void test_fallback_claims_pageblock(void)
{
	struct physmem *pm = make(64, 4, 3);
	struct physmem_stats st;

	REQUIRE(pm);
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_MOVABLE), 8);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_UNMOVABLE, 0), 0);
	CHECK_EQ(physmem_pageblock_mt(pm, 0), PHYSMEM_MT_UNMOVABLE);
	CHECK_EQ(physmem_pageblock_mt(pm, 8), PHYSMEM_MT_MOVABLE);
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_UNMOVABLE), 1);
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_MOVABLE), 7);
	/* the split-off halves are UNMOVABLE free blocks */
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_UNMOVABLE), 1);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 1, PHYSMEM_MT_UNMOVABLE), 1);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 2, PHYSMEM_MT_UNMOVABLE), 1);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 3, PHYSMEM_MT_MOVABLE), 7);
	/* the next UNMOVABLE request stays in that pageblock */
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_UNMOVABLE, 0), 1);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.extfrag_events, 1);
	CHECK_EQ(st.pageblock_steals, 1);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * 16 frames, two pageblocks of 8. Fill with MOVABLE order-0 pages (pfn 0..15),
 * free 8, 10, 12 (no buddies free), then ask for an UNMOVABLE page. The
 * fallback steals at order 0: move_freepages_block moves the 3 free pages of
 * pageblock 1 to the UNMOVABLE lists (8, 10, 12 at the tail, in order), and
 * the UNMOVABLE request takes the list head, 8. Whether the pageblock changes
 * type: free (3) + alike >= 4 (half a pageblock).
 *   - the other pages are kernel pages (not movable): alike = 8 - (3 + 0) = 5
 *     -> 8 >= 4, the pageblock becomes UNMOVABLE;
 *   - they are movable user pages: alike = 8 - (3 + 5) = 0 -> 3 < 4, it stays
 *     MOVABLE (and pfn 8 freed again goes back to the MOVABLE list).
 */
static void steal_case(bool movable_neighbours)
{
	struct physmem *pm = make(16, 4, 3);
	struct physmem_stats st;

	REQUIRE(pm);
	for (unsigned long i = 0; i < 16; i++) {
		CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), i);
		if (movable_neighbours)
			physmem_set_owner(pm, i, PHYSMEM_OWNER_USER, i);
	}
	physmem_free(pm, 8, 0);
	physmem_free(pm, 10, 0);
	physmem_free(pm, 12, 0);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_MOVABLE), 3);

	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_UNMOVABLE, 0), 8);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_MOVABLE), 0);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_UNMOVABLE), 2);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.extfrag_events, 1);
	if (movable_neighbours) {
		CHECK_EQ(physmem_pageblock_mt(pm, 8), PHYSMEM_MT_MOVABLE);
		CHECK_EQ(st.pageblock_steals, 0);
		physmem_free(pm, 8, 0);
		CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_MOVABLE), 1);
	} else {
		CHECK_EQ(physmem_pageblock_mt(pm, 8), PHYSMEM_MT_UNMOVABLE);
		CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_UNMOVABLE), 1);
		CHECK_EQ(st.pageblock_steals, 1);
		physmem_free(pm, 8, 0);
		CHECK_EQ(physmem_nr_free_mt(pm, 0, 0, PHYSMEM_MT_UNMOVABLE), 3);
	}
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

static void test_fallback_half_block_rule(void)
{
	steal_case(false);
	steal_case(true);
}

/*
 * A MOVABLE request that cannot steal a whole block takes the smallest
 * fallback block. 32 frames, max_order 5, pageblock order 4 (two pageblocks
 * of 16); can_steal_fallback for MOVABLE needs order >= 4/2 = 2.
 *   UNMOVABLE o0 -> claims pageblock 0 (order-4 block): 0; free U: 8 o3, 4 o2, 2 o1, 1 o0
 *   UNMOVABLE o3 -> 8, UNMOVABLE o2 -> 4: free U: 2 (o1), 1 (o0)
 *   MOVABLE o4 -> 16: MOVABLE lists now empty
 *   MOVABLE o0: largest fallback is order 1 (can_steal false) -> find the
 *   smallest: order 0, pfn 1, moved alone; pageblock 0 stays UNMOVABLE.
 */
static void test_fallback_movable_smallest(void)
{
	struct physmem *pm = make(32, 5, 4);
	struct physmem_stats st;

	REQUIRE(pm);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_UNMOVABLE, 0), 0);
	CHECK_EQ(physmem_pageblock_mt(pm, 0), PHYSMEM_MT_UNMOVABLE);
	CHECK_EQ(alloc1(pm, 3, PHYSMEM_MT_UNMOVABLE, 0), 8);
	CHECK_EQ(alloc1(pm, 2, PHYSMEM_MT_UNMOVABLE, 0), 4);
	CHECK_EQ(alloc1(pm, 4, PHYSMEM_MT_MOVABLE, 0), 16);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), 1);
	CHECK_EQ(physmem_pageblock_mt(pm, 0), PHYSMEM_MT_UNMOVABLE);
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 1, PHYSMEM_MT_UNMOVABLE), 1);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.extfrag_events, 2);
	CHECK_EQ(st.pageblock_steals, 1);
	/* the last free block (2, order 1) serves a MOVABLE order-1 request */
	CHECK_EQ(alloc1(pm, 1, PHYSMEM_MT_MOVABLE, 0), 2);
	CHECK_EQ(physmem_free_pages(pm), 0);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/* Normal [0,32) and HighMem [32,64); watermarks set by hand. */
static struct physmem *make_highmem(unsigned int reserve_ratio)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	small_cfg(&c, 64, 4, 3);
	c.highmem = true;
	c.lowmem_limit_bytes = 32 * 4096;
	c.lowmem_reserve_ratio[PHYSMEM_ZONE_NORMAL] = reserve_ratio;
	if (physmem_create(&c, &pm))
		return NULL;
	physmem_set_watermarks(pm, 0, 0, 0, 0);
	physmem_set_watermarks(pm, 1, 0, 0, 0);
	return pm;
}

static void test_highmem_zones(void)
{
	struct physmem *pm = make_highmem(0);
	struct physmem_zone_info zi;
	unsigned long pfn;

	REQUIRE(pm);
	CHECK_EQ(physmem_nr_zones(pm), 2);
	CHECK_EQ(physmem_zone_info(pm, 1, &zi), 0);
	CHECK_STR_EQ(zi.name, "HighMem");
	CHECK_EQ(zi.start_pfn, 32);
	CHECK_EQ(zi.end_pfn, 64);
	CHECK_EQ(physmem_pfn_zone(pm, 31), PHYSMEM_ZONE_NORMAL);
	CHECK_EQ(physmem_pfn_zone(pm, 32), PHYSMEM_ZONE_HIGHMEM);

	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM), 32);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), 0);
	/* without the flag: Normal only; 31 more fit, then -ENOMEM with HighMem half free */
	for (unsigned long i = 1; i < 32; i++)
		CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), i);
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), -ENOMEM);
	CHECK_EQ(physmem_zone_info(pm, 1, &zi), 0);
	CHECK_EQ(zi.free_pages, 31);
	/* with it: the 31 HighMem frames */
	for (unsigned long i = 0; i < 31; i++) {
		CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM, &pfn), 0);
		CHECK_EQ(physmem_pfn_zone(pm, pfn), PHYSMEM_ZONE_HIGHMEM);
	}
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM, &pfn), -ENOMEM);
	/* a Normal frame freed: the HighMem request falls back to it */
	physmem_free(pm, 7, 0);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM), 7);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * Watermark refusals. Normal min = 4: an order-0 request needs free > 4, so
 * from 32 free frames 28 succeed (free 32..5), the 29th is refused with 4
 * free; ALLOC_NO_WATERMARKS still gets one. Order 1 at 3 free: 3 - 1 = 2 <= 4.
 * The low watermark (6) refuses earlier: free 5 - 0 <= 6.
 */
static void test_watermarks(void)
{
	struct physmem *pm = make_highmem(0);
	struct physmem_stats st;
	unsigned long pfn;
	int n = 0;

	REQUIRE(pm);
	CHECK_EQ(physmem_set_watermarks(pm, 0, 4, 6, 8), 0);
	CHECK_EQ(physmem_set_watermarks(pm, 0, 5, 4, 8), -EINVAL);
	while (physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn) == 0)
		n++;
	CHECK_EQ(n, 28);
	CHECK(!physmem_zone_wmark_ok(pm, 0, 0, PHYSMEM_WMARK_MIN, 0));
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_UNMOVABLE, PHYSMEM_ALLOC_NO_WMARKS), 28);
	CHECK_EQ(physmem_alloc(pm, 1, PHYSMEM_MT_UNMOVABLE, 0, &pfn), -ENOMEM);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.alloc_fail, 2);
	CHECK_EQ(st.alloc_fail_order[1], 1);
	/* give back 2: free 5 > min 4, but not > low 6 */
	physmem_free(pm, 0, 0);
	physmem_free(pm, 1, 0);
	CHECK(physmem_zone_wmark_ok(pm, 0, 0, PHYSMEM_WMARK_MIN, 0));
	CHECK(!physmem_zone_wmark_ok(pm, 0, 0, PHYSMEM_WMARK_LOW, 0));
	CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, PHYSMEM_ALLOC_WMARK_LOW, &pfn),
		 -ENOMEM);
	/* order 1: 5 - 1 = 4 <= 4 refused, though 0+1 is a free order-1 block */
	CHECK(!physmem_watermark_ok(pm, 0, 1, 4, 0));
	CHECK(physmem_watermark_ok(pm, 0, 1, 3, 0));
	/* order 2 with a low mark: no free block of order >= 2 */
	CHECK(!physmem_watermark_ok(pm, 0, 2, 0, 0));
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * lowmem_reserve: ratio 32 keeps HighMem's 32 managed / 32 = 1 Normal frame
 * from requests that could have used HighMem. With HighMem full, such
 * requests fall back to Normal while free - 0 > 0 + 1: 31 of the 32 frames.
 */
static void test_lowmem_reserve(void)
{
	struct physmem *pm = make_highmem(32);
	struct physmem_zone_info zi;
	unsigned long pfn;
	int n = 0;

	REQUIRE(pm);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.lowmem_reserve, 1);
	while (physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM, &pfn) == 0)
		n++;
	CHECK_EQ(n, 32 + 31);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), 31);
	CHECK_EQ(physmem_free_pages(pm), 0);
	physmem_destroy(pm);
}

/*
 * The kernel's watermark formulas. 1 GiB, 760 MiB lowmem, 4 KiB pages:
 *   lowmem 194560 pages = 778240 KiB; min_free_kbytes = isqrt(778240*16 =
 *   12451840) = 3528 (3528^2 = 12446784, 3529^2 = 12453841); pages_min = 882.
 *   Normal:  min 882, delta max(882/4 = 220, 194560*10/10000 = 194) = 220
 *            -> low 1102, high 1322.
 *   HighMem: 67584 pages; share 882*67584/194560 = 306; min = clamp(67584/1024
 *            = 66, 32, 128) = 66; delta max(306/4 = 76, 67) = 76 -> 142, 218.
 *   lowmem_reserve = 67584 / 32 = 2112.
 * 64 MiB without highmem: isqrt(65536*16) = 1024 KiB -> 256 pages; delta
 * max(64, 16) = 64 -> 256/320/384. 256 KiB: isqrt(4096) = 64 -> clamped to
 * 128 KiB = 32 pages.
 */
static void test_kernel_watermarks(void)
{
	struct physmem_config c;
	struct physmem_zone_info zi;
	struct physmem *pm = NULL;

	physmem_config_default(&c);
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_nr_frames(pm), 262144);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.managed_pages, 194560);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 882);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 1102);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 1322);
	CHECK_EQ(zi.lowmem_reserve, 2112);
	CHECK_EQ(physmem_zone_info(pm, 1, &zi), 0);
	CHECK_EQ(zi.managed_pages, 67584);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 66);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 142);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 218);
	CHECK_EQ(physmem_nr_pageblocks(pm, 0, PHYSMEM_MT_MOVABLE), 190);
	CHECK_EQ(physmem_nr_free(pm, 0, 10), 190);
	CHECK_EQ(physmem_nr_free(pm, 1, 10), 66);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);

	c.ram_bytes = 64ull << 20;
	c.highmem = false;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_nr_zones(pm), 1);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 256);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_LOW], 320);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_HIGH], 384);
	CHECK_EQ(zi.lowmem_reserve, 0);
	physmem_destroy(pm);

	c.ram_bytes = 256 << 10;
	c.max_order = 4;
	c.pageblock_order = 3;
	REQUIRE(physmem_create(&c, &pm) == 0);
	CHECK_EQ(physmem_zone_info(pm, 0, &zi), 0);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 32);
	physmem_destroy(pm);

	/* bad configs */
	physmem_config_default(&c);
	c.pageblock_order = 11;
	CHECK_EQ(physmem_create(&c, &pm), -EINVAL);
	c.pageblock_order = 10;
	c.page_size = 3000;
	CHECK_EQ(physmem_create(&c, &pm), -EINVAL);
}

/* A RAM size that is no multiple of the largest block: boot frees 8+4+1. */
static void test_odd_size(void)
{
	struct physmem *pm = make(13, 4, 3);

	REQUIRE(pm);
	CHECK_FREE4(pm, 1, 0, 1, 1);
	CHECK_EQ(alloc1(pm, 2, PHYSMEM_MT_MOVABLE, 0), 8);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), 12);
	CHECK_EQ(alloc1(pm, 0, PHYSMEM_MT_MOVABLE, 0), 0);
	physmem_free(pm, 12, 0);
	physmem_free(pm, 8, 2);
	physmem_free(pm, 0, 0);
	CHECK_FREE4(pm, 1, 0, 1, 1);
	physmem_destroy(pm);
}

/* Many random operations keep every invariant (seeded, reproducible). */
static void test_random_ops(void)
{
	struct physmem *pm = make(256, 5, 3);
	unsigned long pfns[256];
	unsigned int orders[256];
	unsigned int n = 0;
	uint64_t x = 0x9e3779b97f4a7c15ull; /* xorshift seed */

	REQUIRE(pm);
	for (int step = 0; step < 20000; step++) {
		unsigned long pfn;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if ((x & 1) && n < 256) {
			unsigned int order = (unsigned int)((x >> 8) % 3);
			enum physmem_mt mt = (enum physmem_mt)((x >> 16) % 3);

			if (physmem_alloc(pm, order, mt, 0, &pfn) == 0) {
				pfns[n] = pfn;
				orders[n++] = order;
			}
		} else if (n) {
			unsigned int i = (unsigned int)((x >> 20) % n);

			physmem_free(pm, pfns[i], orders[i]);
			pfns[i] = pfns[--n];
			orders[i] = orders[n];
		}
		if (step % 500 == 0 && physmem_check(pm, msg, sizeof(msg))) {
			CHECK_STR_EQ(msg, "");
			break;
		}
	}
	while (n) {
		n--;
		physmem_free(pm, pfns[n], orders[n]);
	}
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	CHECK_EQ(physmem_free_pages(pm), 256);
	CHECK_EQ(physmem_nr_free(pm, 0, 4), 16);
	physmem_destroy(pm);
}

int main(void)
{
	RUN(test_split_merge);
	RUN(test_exhaust_and_metadata);
	RUN(test_fallback_claims_pageblock);
	RUN(test_fallback_half_block_rule);
	RUN(test_fallback_movable_smallest);
	RUN(test_highmem_zones);
	RUN(test_watermarks);
	RUN(test_lowmem_reserve);
	RUN(test_kernel_watermarks);
	RUN(test_odd_size);
	RUN(test_random_ops);
	return test_summary();
}
