/*
 * test_page_alloc.c - the slow path (sim/page_alloc.c) and a fork's pages
 * (sim/fork.c) on hand-built memory layouts, one test per outcome.
 *
 * The machine and its layouts: page_alloc_layouts.h (the orders as each
 * test asks, watermarks set by each test). fork_slab "slub": test_fork_slab.c.
 * Kernel-owned blocks never move; a test that needs movable pages makes
 * them USER pages of MOVABLE type and gives compaction a relocate callback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fork.h"
#include "page_alloc_layouts.h"
#include "zsmalloc.h"

/* Fresh memory: the fast path, no stall, nothing woken. */
static void test_fast(void)
{
	struct physmem *pm = machine(5);
	struct page_alloc pa;
	struct alloc_result r;
	struct fake f;

	REQUIRE(pm);
	init(&pa, pm, "v6.1", &f);
	CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_FAST);
	CHECK_EQ(r.reason, STALL_NONE);
	CHECK(r.has_page);
	CHECK_EQ(physmem_free_pages(pm), 60);
	CHECK(!pa.kswapd_woken);
	CHECK_EQ(pa.st.allocstall + pa.st.compact_stall, 0);
	physmem_destroy(pm);
}

/*
 * full_but(4): frames 60..63 free, one order-2 block. Watermarks min 0,
 * low 4: the fast path's check is 4 - 3 = 1 > 4, false, so kswapd is woken;
 * the slow path's first try at min passes (1 > 0) and takes the block: no
 * stall. With min 4 too, every try fails on the count: compaction is
 * skipped (not enough free pages), reclaim frees nothing, should_reclaim_retry
 * finds no zone that could pass, and the OOM killer is called: a stall
 * below the watermark, not fragmentation.
 */
static void test_watermark(void)
{
	struct physmem *pm = machine(5);
	struct page_alloc pa;
	struct alloc_result r;
	struct fake f;

	REQUIRE(pm);
	full_but(pm, 4);
	REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
	init(&pa, pm, "v6.1", &f);
	CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_FAST);
	CHECK_EQ(r.reason, STALL_NONE);
	CHECK_EQ(r.pfn, 60);
	CHECK(pa.kswapd_woken);
	CHECK_EQ(pa.kswapd_order, 2);
	CHECK_EQ(pa.st.allocstall, 0);
	physmem_free(pm, 60, 2);

	REQUIRE(physmem_set_watermarks(pm, 0, 4, 4, 8) == 0);
	CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_OOM_KILL);
	CHECK_EQ(r.reason, STALL_WATERMARK);
	CHECK(!r.has_page);
	CHECK_EQ(pa.st.compact_stall, 0); /* compaction_suitable: skipped */
	CHECK_EQ(pa.st.allocstall, 1);
	CHECK_EQ(pa.st.oom_kill, 1);
	/* the first request's kswapd ran at the second's entry: hopeless after 16 empty runs */
	CHECK_EQ(f.kswapd_calls, MAX_RECLAIM_RETRIES);
	CHECK_EQ(f.shrink_calls - f.kswapd_calls, 1);
	CHECK_EQ(physmem_free_pages(pm), 4);
	physmem_destroy(pm);
}

/*
 * zram's GFP_NOIO retry (page_alloc_noio_retry). full_but(4), no per-CPU
 * lists, min 0: the round's try at min takes a page (4 - 0 > 0), no stall.
 * Then the x86_64 6.12 brim's case (as test_no_progress_no_drain): 14 pages
 * on 6.12's per-CPU lists, every watermark at the buddy's free pages F + 5.
 * The try at min fails; the direct reclaim makes no progress, so no drain:
 * -ENOMEM, one allocstall, no OOM kill (no __GFP_FS), the 14 pages still
 * listed. (Before, the retry drained the lists after any reclaim and took a
 * page: F + 14 - 1 > F + 5.)
 */
static void test_noio_retry(void)
{
	struct physmem_config c;
	struct physmem *pm = machine(5);
	struct page_alloc pa;
	struct alloc_result r;
	unsigned long pfn, f_buddy;
	struct fake f;

	REQUIRE(pm);
	full_but(pm, 4);
	REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
	init(&pa, pm, "v6.1", &f);
	CHECK_EQ(page_alloc_noio_retry(&pa, 0, PHYSMEM_MT_MOVABLE, SIM_GFP_KSWAPD_RECLAIM, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_FAST);
	CHECK(r.has_page);
	CHECK_EQ(pa.st.allocstall, 0);
	CHECK_EQ(physmem_free_pages(pm), 3);
	physmem_destroy(pm);

	physmem_config_default(&c);
	c.ram_bytes = 65536ull * 4096;
	c.highmem = false;
	c.min_free_kbytes = 0;
	c.pcp = PHYSMEM_PCP_V6_12;
	pm = NULL;
	REQUIRE(physmem_create(&c, &pm) == 0);
	REQUIRE(physmem_set_watermarks(pm, 0, 0, 0, 0) == 0);
	REQUIRE(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn) == 0);
	CHECK_EQ(physmem_pcp_pages(pm), 14);
	f_buddy = physmem_free_pages(pm);
	REQUIRE(physmem_set_watermarks(pm, 0, f_buddy + 5, f_buddy + 5, f_buddy + 5) == 0);
	init(&pa, pm, "v6.12", &f);
	CHECK_EQ(page_alloc_noio_retry(&pa, 0, PHYSMEM_MT_MOVABLE, SIM_GFP_KSWAPD_RECLAIM, &r),
		 -ENOMEM);
	CHECK(!r.has_page);
	CHECK_EQ(r.outcome, ALLOC_FAILED);
	CHECK_EQ(pa.st.allocstall, 1);
	CHECK_EQ(pa.st.oom_kill, 0);
	CHECK_EQ(physmem_pcp_pages(pm), 14);
	CHECK_EQ(physmem_free_pages(pm), f_buddy);
	physmem_destroy(pm);
}

/*
 * A fragmenting fallback's boost, and kswapd preempting the allocating task.
 * Every frame taken movable (all pageblocks stay movable), then frames
 * 48..51 and 56..59 freed: two order-2 blocks in movable pageblocks 6 and
 * 7, 8 pages free, none unmovable. Watermarks min 1, low 1, high 2.
 * Request 1 (order 0, GFP_KERNEL, unmovable): 8 > 1, passes; no unmovable
 * page, so __rmqueue_fallback steals an order-2 block below pageblock
 * order: boost_watermark raises the boost to max(pageblock 8,
 * mult_frac(2, 15000, 10000) = 3) = 8 and flags the zone for kswapd.
 * 7 pages free, min and low now 9. Request 2, the same: with the boost
 * it would fail both watermarks (7 <= 9), find nothing to reclaim, and
 * end in the OOM killer. But it is a blocking request: the kswapd the
 * first one woke runs first (one balance_pgdat: nothing reclaimed,
 * kswapd_failures 1, the boost of 8 cleared; balanced at 7 > 2, so no
 * second run), and the request passes low 1 on the fast path.
 */
static void test_boost_cleared_before_next(void)
{
	struct physmem *pm = machine(5);
	struct page_alloc pa;
	struct alloc_result r;
	struct physmem_zone_info zi;
	struct fake f;

	REQUIRE(pm);
	take_all(pm, PHYSMEM_MT_MOVABLE, PHYSMEM_OWNER_KERNEL);
	for (unsigned long i = 0; i < 4; i++) {
		physmem_free(pm, 48 + i, 0);
		physmem_free(pm, 56 + i, 0);
	}
	CHECK_EQ(physmem_nr_free_mt(pm, 0, 2, PHYSMEM_MT_MOVABLE), 2);
	REQUIRE(physmem_set_watermarks(pm, 0, 1, 1, 2) == 0);
	init(&pa, pm, "v6.1", &f);
	CHECK_EQ(__alloc_pages(&pa, 0, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_FAST);
	REQUIRE(physmem_zone_info(pm, 0, &zi) == 0);
	CHECK_EQ(zi.watermark_boost, 8);
	CHECK_EQ(zi.wmark[PHYSMEM_WMARK_MIN], 9);
	CHECK_EQ(zi.free_pages, 7);
	CHECK_EQ(pa.st.pageoutrun, 0);

	CHECK_EQ(__alloc_pages(&pa, 0, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_FAST);
	CHECK_EQ(pa.st.pageoutrun, 1);
	CHECK_EQ(pa.kswapd_failures, 1);
	CHECK_EQ(pa.st.allocstall + pa.st.oom_kill, 0);
	REQUIRE(physmem_zone_info(pm, 0, &zi) == 0);
	CHECK_EQ(zi.watermark_boost, 0);
	CHECK_EQ(zi.free_pages, 6);
	physmem_destroy(pm);
}

/*
 * Checkerboard, nothing movable, nothing reclaimable: 32 pages free above
 * low 4 but no order-1 block: a fragmentation stall. 6.1: async compaction
 * (complete, nothing to move), direct reclaim (no progress), sync-light
 * compaction (complete), should_reclaim_retry false (no block), progress 0
 * so no compaction retry: the OOM killer. 4.1: async compaction, reclaim
 * without progress, OOM: one compaction stall only.
 */
static void test_fragmentation_oom(void)
{
	const char *profiles[] = {"v6.1", "v4.1"};

	for (int i = 0; i < 2; i++) {
		struct physmem *pm = machine(5);
		struct page_alloc pa;
		struct alloc_result r;
		struct fake f;

		REQUIRE(pm);
		checkerboard(pm);
		REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
		init(&pa, pm, profiles[i], &f);
		CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
		CHECK_EQ(r.outcome, ALLOC_OOM_KILL);
		CHECK_EQ(r.reason, STALL_FRAGMENTATION);
		CHECK_EQ(pa.st.allocstall, 1);
		CHECK_EQ(pa.st.compact_stall, i == 0 ? 2 : 1);
		CHECK_EQ(pa.st.compact_success, 0);
		CHECK_EQ(pa.st.pages_migrated, 0);
		CHECK_EQ(pa.st.oom_kill, 1);
		CHECK_EQ(physmem_free_pages(pm), 32);
		physmem_destroy(pm);
	}
}

/*
 * Movable user pages: all 64 frames USER/MOVABLE, then every frame but the
 * first of each aligned 4 freed: 48 free, no order-2 block. The async pass
 * takes sources only from UNMOVABLE pageblocks (all are MOVABLE): nothing.
 * 6.1 reclaims (nothing) and compacts sync-light: the pinned pages move up,
 * an aligned 4 comes free: outcome compaction. 4.1 compacts sync only after
 * a reclaim that made progress: it calls the OOM killer instead.
 */
static void test_compaction(void)
{
	const char *profiles[] = {"v6.1", "v4.1"};

	for (int i = 0; i < 2; i++) {
		struct physmem *pm = machine(5);
		struct page_alloc pa;
		struct alloc_result r;
		struct fake f;

		REQUIRE(pm);
		take_all(pm, PHYSMEM_MT_MOVABLE, PHYSMEM_OWNER_USER);
		for (unsigned long p = 0; p < NFRAMES; p++)
			if (p % 4)
				physmem_free(pm, p, 0);
		CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
		REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
		init(&pa, pm, profiles[i], &f);
		CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
		CHECK_EQ(r.reason, STALL_FRAGMENTATION);
		if (i == 0) {
			CHECK_EQ(r.outcome, ALLOC_COMPACTION);
			CHECK(r.has_page);
			CHECK_EQ(pa.st.compact_success, 1);
			CHECK(pa.st.pages_migrated >= 1);
			CHECK_EQ(pa.st.allocstall, 1);
			CHECK_EQ(physmem_free_pages(pm), 44);
		} else {
			CHECK_EQ(r.outcome, ALLOC_OOM_KILL);
			CHECK_EQ(pa.st.pages_migrated, 0);
			CHECK_EQ(physmem_free_pages(pm), 48);
		}
		CHECK_EQ(physmem_check(pm, (char[256]){0}, 256), 0);
		physmem_destroy(pm);
	}
}

/*
 * Three zones whose indices are not their types: DMA (frames 0-15, zone 0),
 * Normal (16-47, zone 1, type 2), HighMem (48-63, zone 2, type 3). Lowmem
 * all USER/MOVABLE, then Normal's frames but the first of each aligned 4
 * freed: no order-2 block in lowmem. A GFP_KERNEL order-2 request compacts
 * Normal (sync-light, after reclaim) and gets its page there; the success
 * resets Normal's deferral (zone 1: considered 0, shift 0) and no other
 * zone's: HighMem's entry (zone 2, which is Normal's type) keeps its state.
 */
static void test_defer_reset_zone(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;
	struct page_alloc pa;
	struct alloc_result r;
	struct fake f;
	unsigned long pfn;

	physmem_config_default(&c);
	c.ram_bytes = NFRAMES * 4096;
	c.max_order = 5;
	c.pageblock_order = 3;
	c.min_free_kbytes = 0;
	c.dma_bytes = 16 * 4096;
	c.lowmem_limit_bytes = 48 * 4096;
	REQUIRE(physmem_create(&c, &pm) == 0);
	REQUIRE(physmem_nr_zones(pm) == 3);
	CHECK_EQ(physmem_pfn_zone(pm, 20), PHYSMEM_ZONE_NORMAL);
	CHECK_EQ(physmem_pfn_zone_index(pm, 20), 1);
	CHECK_EQ(physmem_pfn_zone_index(pm, 50), 2);
	while (physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_ALLOC_NO_WMARKS, &pfn) == 0)
		physmem_set_owner(pm, pfn, PHYSMEM_OWNER_USER, pfn + 1);
	CHECK_EQ(physmem_free_pages(pm), 16);
	for (unsigned long p = 16; p < 48; p++)
		if (p % 4)
			physmem_free(pm, p, 0);
	for (unsigned int z = 0; z < 3; z++)
		REQUIRE(physmem_set_watermarks(pm, z, 0, 4, 8) == 0);
	init(&pa, pm, "v6.1", &f);
	/* not deferred at order 2 (order < order_failed), but with state to reset */
	pa.defer[1] =
	    (struct kcompact_defer){.considered = 1, .defer_shift = 2, .order_failed = 3};
	pa.defer[2] =
	    (struct kcompact_defer){.considered = 1, .defer_shift = 2, .order_failed = 1};
	CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_COMPACTION);
	REQUIRE(r.has_page);
	CHECK_EQ(physmem_pfn_zone_index(pm, r.pfn), 1);
	CHECK_EQ(pa.defer[1].considered, 0);
	CHECK_EQ(pa.defer[1].defer_shift, 0);
	CHECK_EQ(pa.defer[1].order_failed, 3);
	CHECK_EQ(pa.defer[2].considered, 1);
	CHECK_EQ(pa.defer[2].defer_shift, 2);
	CHECK_EQ(pa.defer[2].order_failed, 1);
	CHECK_EQ(physmem_check(pm, (char[256]){0}, 256), 0);
	physmem_destroy(pm);
}

/*
 * Checkerboard; reclaim's shrinker frees frames 0 and 2, which with the
 * free 1 and 3 merge into an order-2 block. The shrinker's pages count as
 * no progress, so __alloc_pages_direct_reclaim returns at once, without a
 * try at the lists (as the kernel's does when nothing was reclaimed); the
 * second direct compaction (the first, async, ran before reclaim and failed)
 * comes next and finds the order-2 block already there
 * (compaction_suitable: the watermark is met at order 2, COMPACT_SUCCESS):
 * a compact stall that gets the page, outcome compaction. The same with the
 * pre-OOM hook freeing them instead: outcome zs_compact, but only for a pgd
 * (SIM_GFP_PGD); for another request the hook is not asked and the OOM
 * killer runs.
 */
static void test_reclaim_and_hook(void)
{
	for (int c = 0; c < 3; c++) {
		struct physmem *pm = machine(5);
		struct page_alloc pa;
		struct alloc_result r;
		struct fake f;

		REQUIRE(pm);
		checkerboard(pm);
		REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
		init(&pa, pm, "v6.12", &f);
		f.free_pfn[0] = 0;
		f.free_pfn[1] = 2;
		f.nfree = 2;
		if (c > 0) { /* the frames go back through the hook, not reclaim */
			f.hook = true;
			pa.ops.shrink_slab = NULL;
		}
		CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE,
				       SIM_GFP_KERNEL | (c == 1 ? SIM_GFP_PGD : 0), &r),
			 0);
		CHECK_EQ(r.reason, STALL_FRAGMENTATION);
		if (c == 0) {
			CHECK_EQ(r.outcome, ALLOC_COMPACTION);
			CHECK_EQ(r.pfn, 0);
			CHECK_EQ(pa.st.direct_freed, 2);
			CHECK_EQ(pa.st.allocstall, 1);
			CHECK_EQ(pa.st.compact_stall, 2); /* the async try before reclaim, then this */
			CHECK_EQ(pa.st.compact_success, 1);
		} else if (c == 1) {
			CHECK_EQ(r.outcome, ALLOC_ZS_COMPACT);
			CHECK_EQ(r.pfn, 0);
			CHECK_EQ(f.hook_calls, 1);
			CHECK_EQ(pa.st.oom_kill, 0);
		} else {
			CHECK_EQ(r.outcome, ALLOC_OOM_KILL);
			CHECK_EQ(f.hook_calls, 0);
		}
		physmem_destroy(pm);
	}
}

/*
 * The brim of the x86_64 6.12 guest (kernel/README.md): pages on the per-CPU lists do
 * not count as free, and a direct reclaim that makes no progress does not drain them.
 * 6.12 lists on 65536 frames (batch 15, as test_physmem_pcp.c works out), watermarks 0:
 * one Movable order-0 request refills 15 frames and takes one, 14 stay listed. Then
 * every watermark is set to the buddy's free pages F + 5: F > F + 5 fails, but with the
 * lists drained F + 14 would pass. An order-0 GFP_KERNEL request fails the fast path
 * and the min watermark; direct reclaim frees nothing and returns without a drain;
 * order 0 skips compaction; should_reclaim_retry finds no zone that could pass (the
 * lists are not counted); the OOM killer runs with the 14 pages still listed. (Before,
 * zsfrag drained after any reclaim and the request got a page: outcome reclaim.)
 */
static void test_no_progress_no_drain(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;
	struct page_alloc pa;
	struct alloc_result r;
	unsigned long pfn, f_buddy;
	struct fake f;

	physmem_config_default(&c);
	c.ram_bytes = 65536ull * 4096;
	c.highmem = false;
	c.min_free_kbytes = 0;
	c.pcp = PHYSMEM_PCP_V6_12;
	REQUIRE(physmem_create(&c, &pm) == 0);
	REQUIRE(physmem_set_watermarks(pm, 0, 0, 0, 0) == 0);
	REQUIRE(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn) == 0);
	CHECK_EQ(physmem_pcp_pages(pm), 14);
	f_buddy = physmem_free_pages(pm);
	CHECK_EQ(f_buddy, 65536 - 15);
	REQUIRE(physmem_set_watermarks(pm, 0, f_buddy + 5, f_buddy + 5, f_buddy + 5) == 0);
	init(&pa, pm, "v6.12", &f);
	CHECK_EQ(__alloc_pages(&pa, 0, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_OOM_KILL);
	CHECK(!r.has_page);
	CHECK_EQ(pa.st.allocstall, 1);
	CHECK_EQ(pa.st.compact_stall, 0);
	CHECK_EQ(pa.st.oom_kill, 1);
	CHECK_EQ(physmem_pcp_pages(pm), 14);
	CHECK_EQ(physmem_free_pages(pm), f_buddy);
	physmem_destroy(pm);
}

/*
 * Requests that really fail: a costly order (4 > PAGE_ALLOC_COSTLY_ORDER:
 * no OOM killer for it), __GFP_NORETRY, and no __GFP_DIRECT_RECLAIM (which
 * still wakes kswapd).
 */
static void test_failed(void)
{
	struct physmem *pm = machine(5);
	struct page_alloc pa;
	struct alloc_result r;
	struct fake f;

	REQUIRE(pm);
	checkerboard(pm);
	REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
	init(&pa, pm, "v6.1", &f);
	CHECK_EQ(__alloc_pages(&pa, 4, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), -ENOMEM);
	CHECK_EQ(r.outcome, ALLOC_FAILED);
	CHECK_EQ(pa.st.oom_kill, 0);
	CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL | SIM_GFP_NORETRY, &r),
		 -ENOMEM);
	CHECK_EQ(r.outcome, ALLOC_FAILED);
	/* the earlier requests' kswapd ran (hopeless now): start it afresh */
	pa.kswapd_woken = false;
	pa.kswapd_failures = 0;
	CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KSWAPD_RECLAIM, &r), -ENOMEM);
	CHECK_EQ(r.outcome, ALLOC_FAILED);
	CHECK(pa.kswapd_woken);
	CHECK_EQ(pa.st.oom_kill, 0);
	CHECK_EQ(__alloc_pages(&pa, 5, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), -EINVAL);
	physmem_destroy(pm);
}

/*
 * should_compact_retry: a reclaim that claims progress but frees nothing.
 * Checkerboard on 6.1: async compaction, then each round: reclaim
 * (progress), compaction at the current priority; should_reclaim_retry
 * (no block: false); should_compact_retry: complete -> raise the priority
 * once (sync-light -> sync-full, retries reset), then at the minimum give
 * up: the OOM killer. Compaction stalls: async + sync-light + sync-full.
 */
static void test_compact_retry(void)
{
	struct physmem *pm = machine(5);
	struct page_alloc pa;
	struct alloc_result r;
	struct fake f;

	REQUIRE(pm);
	checkerboard(pm);
	REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
	init(&pa, pm, "v6.1", &f);
	f.progress = 1;
	CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
	CHECK_EQ(r.outcome, ALLOC_OOM_KILL);
	CHECK_EQ(pa.st.allocstall, 2);
	CHECK_EQ(pa.st.compact_stall, 3);
	physmem_destroy(pm);
}

/*
 * Direct compaction at MIN_COMPACT_PRIORITY takes migration targets in any
 * pageblock on 4.10+ (ignore_block_suitable), not on 4.8. Frames 0..31 taken
 * MOVABLE (pageblocks 0-3 MOVABLE), 32..63 UNMOVABLE (pageblocks 4-7 claimed
 * UNMOVABLE); frame 0 a movable user page with 1..3 free beside it, 8..31
 * kernel pages; in 32..63 the kernel keeps 4k and frees the other three. So
 * the only free frames above pageblock 0 are in UNMOVABLE pageblocks: 27
 * free, no order-2 block. An order-2 GFP_KERNEL request, reclaim claiming
 * progress so that should_compact_retry raises the priority: async (sources
 * in UNMOVABLE pageblocks only: none) and sync-light (no target in a MOVABLE
 * pageblock) fail; at SYNC_FULL v6.1's free scanner takes frame 57 and frame
 * 0 moves there, leaving 0..3 free: the page is compaction's. v4.8 has the
 * same priorities without the flag: nothing ever moves, the OOM killer.
 */
static void test_min_priority_any_target(void)
{
	const char *profiles[] = {"v6.1", "v4.8"};

	for (int i = 0; i < 2; i++) {
		struct physmem *pm = machine(5);
		struct page_alloc pa;
		struct alloc_result r;
		struct fake f;
		unsigned long pfn;

		REQUIRE(pm);
		for (unsigned long p = 0; p < NFRAMES; p++) {
			REQUIRE(physmem_alloc(pm, 0, p < 32 ? PHYSMEM_MT_MOVABLE : PHYSMEM_MT_UNMOVABLE,
					      PHYSMEM_ALLOC_NO_WMARKS, &pfn) == 0);
			CHECK_EQ(pfn, p);
		}
		CHECK_EQ(physmem_pageblock_mt(pm, 56), PHYSMEM_MT_UNMOVABLE);
		physmem_set_owner(pm, 0, PHYSMEM_OWNER_USER, 1);
		for (unsigned long p = 1; p < NFRAMES; p++)
			if (p < 4 || (p >= 32 && p % 4))
				physmem_free(pm, p, 0);
		CHECK_EQ(physmem_free_pages(pm), 27);
		CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
		REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
		init(&pa, pm, profiles[i], &f);
		f.progress = 1;
		CHECK_EQ(__alloc_pages(&pa, 2, PHYSMEM_MT_UNMOVABLE, SIM_GFP_KERNEL, &r), 0);
		if (i == 0) {
			CHECK_EQ(r.outcome, ALLOC_COMPACTION);
			CHECK(r.has_page);
			CHECK_EQ(r.pfn, 0);
			CHECK_EQ(pa.st.pages_migrated, 1);
			CHECK_EQ(physmem_free_pages(pm), 23);
		} else {
			CHECK_EQ(r.outcome, ALLOC_OOM_KILL);
			CHECK_EQ(pa.st.pages_migrated, 0);
			CHECK_EQ(physmem_free_pages(pm), 27);
		}
		CHECK_EQ(physmem_check(pm, (char[256]){0}, 256), 0);
		physmem_destroy(pm);
	}
}

/*
 * kswapd: woken at order 2 by a fast-path miss, it runs after the event.
 * Checkerboard (no order-2 block: never balanced at order 2). v6.1: every
 * balance_pgdat reclaims nothing, so kswapd_failures climbs to
 * MAX_RECLAIM_RETRIES in one kswapd_run (it does not sleep until balanced
 * or hopeless), kcompactd runs once, and from then on wakeups are ignored.
 * v4.8 (before the 4.11 hopeless rule): one run per wakeup, kcompactd too.
 * v4.1: one run, no kcompactd.
 */
static void test_kswapd(void)
{
	const char *profiles[] = {"v6.1", "v4.8", "v4.1"};
	const unsigned long runs[] = {MAX_RECLAIM_RETRIES, 1, 1};

	for (int i = 0; i < 3; i++) {
		struct physmem *pm = machine(5);
		struct page_alloc pa;
		struct fake f;

		REQUIRE(pm);
		checkerboard(pm);
		REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
		init(&pa, pm, profiles[i], &f);
		wakeup_kswapd(&pa, 0, 2);
		CHECK(pa.kswapd_woken);
		kswapd_run(&pa);
		CHECK(!pa.kswapd_woken);
		CHECK_EQ(pa.st.pageoutrun, runs[i]);
		CHECK_EQ(f.kswapd_calls, runs[i]);
		CHECK_EQ(pa.st.kcompactd_wake, i < 2 ? 1 : 0);
		wakeup_kswapd(&pa, 0, 2);
		CHECK_EQ(pa.kswapd_woken, i != 0); /* 6.1: hopeless now */
		/* a balanced zone does not wake it: order 0, 32 free > high 8 */
		pa.kswapd_woken = false;
		wakeup_kswapd(&pa, 0, 0);
		CHECK(!pa.kswapd_woken);
		physmem_destroy(pm);
	}
}

/* kswapd frees what it can (the shrinker's pages), then stops when balanced. */
static void test_kswapd_balances(void)
{
	struct physmem *pm = machine(5);
	struct page_alloc pa;
	struct fake f;

	REQUIRE(pm);
	full_but(pm, 4); /* 4 free, high 8: unbalanced at order 0 */
	REQUIRE(physmem_set_watermarks(pm, 0, 0, 4, 8) == 0);
	init(&pa, pm, "v6.12", &f);
	for (unsigned long p = 0; p < 4; p++)
		f.free_pfn[p] = p * 2; /* frees 4 more: 8 free, still not above 8 */
	f.nfree = 4;
	f.progress = 1;
	wakeup_kswapd(&pa, 0, 0);
	kswapd_run(&pa);
	CHECK_EQ(pa.st.kswapd_freed, 4);
	CHECK_EQ(physmem_free_pages(pm), 8);
	CHECK_EQ(pa.kswapd_failures, 0);   /* it made progress */
	CHECK_EQ(pa.st.kcompactd_wake, 0); /* order 0 */
	physmem_destroy(pm);
}

/* A fork's pages per profile and arch (sim/fork.c's table), at 4 KiB pages. */
static void test_fork_cost(void)
{
	struct {
		const char *profile;
		int arch;
		int pgd, stack, vmalloc, slab, user;
	} cases[] = {
	    {"v4.1", ZS_ARCH_ARM32, 2, 2, 0, 2, 11},  {"v4.8", ZS_ARCH_ARM32, 2, 2, 0, 2, 11},
	    {"v6.1", ZS_ARCH_ARM32, 2, 2, 1, 2, 11},  {"v6.12", ZS_ARCH_ARM32, 2, 2, 1, 2, 11},
	    {"v4.1", ZS_ARCH_X86_64, 0, 4, 0, 8, 13}, {"v6.12", ZS_ARCH_X86_64, 1, 4, 1, 8, 13},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_fork_cost c = {-1, -1, -1, -1, -1, -1, 0, NULL, 0, {{"", 0}}, 0};

		fork_cost_resolve(&c, cases[i].profile, cases[i].arch, 4096);
		CHECK_EQ(c.pgd_order, cases[i].pgd);
		CHECK_EQ(c.stack_pages, cases[i].stack);
		CHECK_EQ(c.stack_vmalloc, cases[i].vmalloc);
		CHECK_EQ(c.slab_pages, cases[i].slab);
		CHECK_EQ(c.user_pages, cases[i].user);
		CHECK_EQ(c.cow_pages, 8);
	}
	/* an override stays; 16 KiB pages make the ARM pgd one page */
	struct sim_fork_cost c = {-1, 0, -1, 5, -1, -1, 0, NULL, 0, {{"", 0}}, 0};

	fork_cost_resolve(&c, "v6.1", ZS_ARCH_ARM32, 16384);
	CHECK_EQ(c.pgd_order, 0);
	CHECK_EQ(c.stack_pages, 0);
	CHECK_EQ(c.slab_pages, 5);
	CHECK_EQ(fork_cost_pages(&c), 1 + 0 + 5 + 11);
}

/* Lowmem pages a fork took: Normal's free pages before minus after. */
static unsigned long fork_lowmem(struct physmem *pm, const char *profile, bool fill_highmem)
{
	struct physmem_zone_info zi;
	struct page_alloc pa;
	struct sim_forks fk;
	struct sim_fork_cost c = {-1, -1, -1, -1, -1, -1, 0, NULL, 0, {{"", 0}}, 0};
	struct fake f;
	unsigned long before, pfn;

	fork_cost_resolve(&c, profile, ZS_ARCH_ARM32, 4096);
	init(&pa, pm, profile, &f);
	while (fill_highmem &&
	       physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM | PHYSMEM_ALLOC_NO_WMARKS,
			     &pfn) == 0) {
		if (physmem_pfn_zone(pm, pfn) != PHYSMEM_ZONE_HIGHMEM) {
			physmem_free(pm, pfn, 0);
			break;
		}
	}
	physmem_zone_info(pm, 0, &zi);
	before = zi.free_pages;
	if (fork_init(&fk, &pa, &c) != 0)
		return 0;
	CHECK_EQ(fork_copy_process(&fk, 1), 0);
	CHECK_EQ(fork_copy_process(&fk, 1), -EEXIST);
	CHECK_EQ(fk.st.outcomes[ALLOC_FAST], 1);
	CHECK_EQ(fk.st.pages_live, 19);
	/* the 8 copy-on-write pages are GFP_HIGHUSER_MOVABLE, every other page unmovable
	 * (with HighMem filled the filler's movable pages are counted too: not checked) */
	if (!fill_highmem) {
		unsigned long movable = 0, unmovable = 0;

		for (unsigned long p = 0; p < physmem_nr_frames(pm); p++) {
			struct physmem_block blk;

			if (physmem_block_at(pm, p, &blk) || blk.free || blk.head_pfn != p ||
			    blk.owner == PHYSMEM_OWNER_RESERVED)
				continue;
			if (blk.owner != PHYSMEM_OWNER_KERNEL && blk.owner != PHYSMEM_OWNER_PGD)
				continue;
			if (blk.mt == PHYSMEM_MT_MOVABLE)
				movable += 1ul << blk.order;
			else
				unmovable += 1ul << blk.order;
		}
		CHECK_EQ(movable, 8);
		CHECK_EQ(unmovable, 11);
	}
	physmem_zone_info(pm, 0, &zi);
	CHECK_EQ(fork_release_task(&fk, 1), 0);
	CHECK_EQ(fork_release_task(&fk, 1), -ENOENT);
	CHECK_EQ(fk.st.pages_live, 0);
	fork_destroy(&fk);
	return before - zi.free_pages;
}

/*
 * The measured fact (kernel/README.md): a 6.1 ARM fork takes about 6 lowmem
 * pages while HighMem has room and about 19 when it is full. v4.1's order-1
 * stack is lowmem whatever HighMem holds: 8 and 19.
 */
static void test_fork_lowmem_pages(void)
{
	const char *profiles[] = {"v6.1", "v4.1"};
	const unsigned long room[] = {6, 8};

	for (int i = 0; i < 2; i++)
		for (int full = 0; full < 2; full++) {
			struct physmem_config pc;
			struct physmem *pm = NULL;

			physmem_config_default(&pc);
			pc.ram_bytes = 16ull << 20;
			pc.lowmem_limit_bytes = 8ull << 20;
			pc.highmem = true;
			REQUIRE(physmem_create(&pc, &pm) == 0);
			CHECK_EQ(fork_lowmem(pm, profiles[i], full), full ? 19 : room[i]);
			physmem_destroy(pm);
		}
}

int main(void)
{
	RUN(test_fast);
	RUN(test_watermark);
	RUN(test_boost_cleared_before_next);
	RUN(test_noio_retry);
	RUN(test_fragmentation_oom);
	RUN(test_compaction);
	RUN(test_defer_reset_zone);
	RUN(test_reclaim_and_hook);
	RUN(test_no_progress_no_drain);
	RUN(test_failed);
	RUN(test_compact_retry);
	RUN(test_min_priority_any_target);
	RUN(test_kswapd);
	RUN(test_kswapd_balances);
	RUN(test_fork_cost);
	RUN(test_fork_lowmem_pages);
	return test_summary();
}
