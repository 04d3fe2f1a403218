/*
 * test_engine_pgd.c - the order-2 pgd scenario of the replay engine on the
 * pgd machine (engine_machines.h): v4.1 forks failing and zs_compact,
 * v4.8 kcompactd with and without zspage migration, and the fork probe;
 * every expectation derived by hand below.
 */
#include "engine_machines.h"

/*
 * The order-2 pgd scenario on the pgd machine (1024 frames).
 *
 * Fill: for i = 0..511: `w 2i 2000`, `w 2i+1 2000`, `g i 0 T`. A 2000-byte
 * write is a 2048-byte class object on v4.1/v4.8 arm32 (2000 + the 4-byte
 * handle header of 4.1+ rounds up to 2048: 1 page per zspage, 2 objects):
 * the first write of each pair allocates a one-page zspage, the second fills
 * it, the g block takes the next frame. By the sequential order (head
 * comment) zspage i sits at pfn 2i and block i at pfn 2i+1, and memory is
 * exactly full (the last g passes the min watermark 0 with 1 page free).
 * T is the zspage pages' own migrate type (UNMOVABLE before 4.8, MOVABLE
 * from 4.8): of the same type they share the free lists and interleave;
 * otherwise they would be drawn from different pageblocks.
 *
 * Then every g block is put (512 free frames, all odd: no two free
 * buddies, so 512 order-0 blocks) and the second object of each zspage is
 * discarded, in the order 511, 255, 510, 254, ..., 256, 0 (zspage 256+j
 * then zspage j, j from 255 down). No page is freed: 512 pages free, no
 * order-2 block (each aligned 4 frames hold two zspage pages), so the fork
 * fails on the free lists:
 *   unusable(2) = 1000; fragindex(2) = 1000 - (1000 + 512000/4)/512
 *              = 1000 - 129000/512 = 1000 - 251 = 749.
 */
#define PAIRS 512

static void pgd_fill_and_thin(struct sim *sim, char gtype)
{
	for (uint64_t i = 0; i < PAIRS; i++) {
		CHECK_EQ(ev(sim, 'w', 2 * i, 2000, 0, 0), 0);
		CHECK_EQ(ev(sim, 'w', 2 * i + 1, 2000, 0, 0), 0);
		CHECK_EQ(ev(sim, 'g', i, 0, 0, gtype), 0);
	}
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 0);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), PAIRS);
	for (unsigned long i = 0; i < PAIRS; i += 37) {
		check_owner(sim, 2 * i, PHYSMEM_OWNER_ZSPAGE, 0);
		check_owner(sim, 2 * i + 1, PHYSMEM_OWNER_USER, i);
	}
	for (uint64_t i = 0; i < PAIRS; i++)
		CHECK_EQ(ev(sim, 'p', i, 0, 0, 0), 0);
	for (uint64_t j = PAIRS / 2; j-- > 0;) {
		CHECK_EQ(ev(sim, 'd', 2 * (PAIRS / 2 + j) + 1, 0, 0, 0), 0);
		CHECK_EQ(ev(sim, 'd', 2 * j + 1, 0, 0, 0), 0);
	}
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), PAIRS);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 512);
	CHECK_EQ(physmem_nr_free(sim_mem(sim), 0, 0), 512);
}

/* `v`: every stored slot (512 written - 256 discarded) checks out. */
static void verify_all(struct sim *sim, struct capture *cap)
{
	int before = cap->nverify;

	CHECK_EQ(ev(sim, 'v', 0, 0, 0, 0), 0);
	REQUIRE(cap->nverify == before + 1);
	CHECK_EQ(cap->verify.objects_checked, 512);
	CHECK_EQ(cap->verify.mismatches, 0);
}

static void check_class_2000(struct sim *sim)
{
	struct zs_class_info ci;

	zs_class_info(sim_pool(sim), zs_lookup_class_index(sim_pool(sim), 2000 + 4), &ci);
	CHECK_EQ(ci.size, 2048);
	CHECK_EQ(ci.pages_per_zspage, 1);
	CHECK_EQ(ci.objs_per_zspage, 2);
}

/*
 * v4.1, policy manual: nothing can move (zspage pages are unmovable) and
 * nothing can be reclaimed. 4.1's slow path: the min watermark, async
 * compaction (nothing to move), direct reclaim without progress, and
 * should_alloc_retry() sends an order-2 request to the OOM killer. The zone
 * has 512 free pages above its low watermark of 1: the stall is
 * fragmentation. The OOM kill is assumed to serve the pgd: no frame taken.
 */
static void test_pgd_fails_v41_manual(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;

	pgd_config(&cfg, "v4.1", 1u << POLICY_MANUAL);
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	check_class_2000(sim);
	pgd_fill_and_thin(sim, 'u');
	CHECK_EQ(ev_label(sim, 's', "before"), 0);
	CHECK_EQ(cap.last.unusable_index_2, 1000);
	CHECK_EQ(cap.last.fragmentation_index_2, 749);
	CHECK_EQ(ev(sim, 'k', 1, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "after"), 0);
	CHECK_EQ(cap.last.forks.attempted, 1);
	CHECK_EQ(cap.last.forks.failed, 0);
	CHECK_EQ(cap.last.forks.succeeded, 1);
	CHECK_EQ(cap.last.forks.outcomes[ALLOC_OOM_KILL], 1);
	CHECK_EQ(cap.last.forks.oom_kills, 1);
	CHECK_EQ(cap.last.forks.stalls, 1);
	CHECK_EQ(cap.last.forks.stall_reasons[STALL_FRAGMENTATION], 1);
	CHECK_EQ(cap.last.forks.stall_reasons[STALL_WATERMARK], 0);
	CHECK_EQ(cap.last.forks.pages_live, 0);
	CHECK_EQ(cap.last.forks.free_at_last_stall, 512);
	CHECK_EQ(cap.last.forks.lowmem_free_at_last_stall, 512);
	CHECK_EQ(cap.last.vm.oom_kill, 1);
	CHECK_EQ(cap.last.vm.allocstall, 1);
	CHECK_EQ(cap.last.vm.pages_migrated, 0);
	CHECK_EQ(cap.last.free_pages, 512);
	CHECK_EQ(cap.ncomp, 0);
	CHECK_EQ(cap.last.pool_pages, PAIRS);
	verify_all(sim, &cap);
	/* the fork's PID is alive: its exit is legal, a second fork is not */
	CHECK_EQ(ev(sim, 'k', 1, 0, 0, 0), -EEXIST);
	CHECK_EQ(ev(sim, 'x', 1, 0, 0, 0), 0);
	sim_destroy(sim);
}

/*
 * v4.1, policy on-pgd-failure: the fork fails on the free lists and after
 * direct compaction, then zs_compact runs. v4.1 inserts a zspage at the
 * head of its fullness list, so ALMOST_EMPTY (1 of 2 objects used) lists
 * the zspages in reverse discard order: 0, 256, 1, 257, ..., 255, 511. Each
 * round takes the head as source and the next head as destination (no
 * ALMOST_FULL list: with 2 objects, 2 in use is FULL): source j moves its
 * one object into zspage 256+j, which becomes FULL, and zspage j (pfn 2j)
 * is freed. 256 objects of 2048 bytes move, 256 pages are freed: frames
 * 0..511 are then all free and merge, so the retry finds its order-2 block
 * at once. Pool 512 -> 256 pages; free 512 + 256 - 4 (the pgd) = 764.
 */
static void test_pgd_zs_compact_v41(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;

	pgd_config(&cfg, "v4.1", (1u << POLICY_MANUAL) | (1u << POLICY_PGD_FAILURE));
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	pgd_fill_and_thin(sim, 'u');
	CHECK_EQ(ev(sim, 'k', 1, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "after"), 0);
	CHECK_EQ(cap.last.forks.attempted, 1);
	CHECK_EQ(cap.last.forks.succeeded, 1);
	CHECK_EQ(cap.last.forks.failed, 0);
	CHECK_EQ(cap.last.forks.outcomes[ALLOC_ZS_COMPACT], 1);
	CHECK_EQ(cap.last.forks.outcomes[ALLOC_OOM_KILL], 0);
	CHECK_EQ(cap.last.forks.oom_kills, 0);
	CHECK_EQ(cap.last.forks.stalls, 1);
	REQUIRE(cap.ncomp == 1);
	CHECK_STR_EQ(cap.comp[0].trigger, "on-pgd-failure");
	CHECK_EQ(cap.comp[0].pool_pages_before, 512);
	CHECK_EQ(cap.comp[0].pool_pages_after, 256);
	CHECK_EQ(cap.comp[0].result.pages_freed, 256);
	CHECK_EQ(cap.comp[0].result.zspages_freed, 256);
	CHECK_U64_EQ(cap.comp[0].result.objs_migrated, 256);
	CHECK_U64_EQ(cap.comp[0].result.bytes_copied, 256 * 2048);
	CHECK_EQ(cap.comp[0].cpu_ns, 0); /* timing off */
	CHECK_EQ(cap.last.pool_pages, 256);
	CHECK_EQ(cap.last.pages_compacted, 256);
	CHECK_EQ(cap.last.mm_stat.pages_compacted, 256);
	CHECK_EQ(cap.last.free_pages, 764);
	for (unsigned long j = 0; j < 256; j += 51)
		check_owner(sim, 2 * (256 + j), PHYSMEM_OWNER_ZSPAGE, 0);
	verify_all(sim, &cap);
	CHECK_EQ(zs_pool_check(sim_pool(sim), msg, sizeof(msg)), 0);
	CHECK_EQ(physmem_check(sim_mem(sim), msg, sizeof(msg)), 0);
	sim_destroy(sim);
}

/*
 * v4.8: zspage pages are MOVABLE allocations. With the migration policy the
 * pool's pages are registered movable, and the synchronous direct
 * compaction (the asynchronous pass only takes sources from UNMOVABLE
 * pageblocks for an UNMOVABLE request, and every pageblock here is MOVABLE)
 * moves zspage pages from the low frames to free frames at the top until an
 * order-2 block is free: stage kcompact, zs_compact never runs, the pool
 * keeps its 512 pages, every object keeps its payload.
 */
static void test_pgd_kcompact_v48(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;

	pgd_config(&cfg, "v4.8", (1u << POLICY_MANUAL) | (1u << POLICY_MIGRATION));
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	check_class_2000(sim);
	pgd_fill_and_thin(sim, 'm');
	CHECK_EQ(ev(sim, 'k', 1, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "after"), 0);
	CHECK_EQ(cap.last.forks.succeeded, 1);
	CHECK_EQ(cap.last.forks.failed, 0);
	CHECK_EQ(cap.last.forks.outcomes[ALLOC_COMPACTION], 1);
	CHECK_EQ(cap.last.vm.compact_success, 1);
	CHECK_EQ(cap.ncomp, 0);
	CHECK_EQ(cap.last.pool_pages, 512);
	CHECK(cap.last.vm.kc_runs >= 1);
	CHECK(cap.last.vm.kc_successes >= 1);
	/* an order-2 block needs at least the two zspage pages of one aligned 4 moved */
	CHECK(cap.last.vm.zs_pages_migrated >= 2);
	CHECK_EQ(cap.last.vm.pages_migrated, cap.last.vm.zs_pages_migrated);
	CHECK_U64_EQ(cap.last.vm.bytes_copied, cap.last.vm.pages_migrated * 4096);
	CHECK_EQ(cap.last.free_pages, 512 - 4);
	verify_all(sim, &cap);
	CHECK_EQ(zs_pool_check(sim_pool(sim), msg, sizeof(msg)), 0);
	CHECK_EQ(physmem_check(sim_mem(sim), msg, sizeof(msg)), 0);
	sim_destroy(sim);
}

/*
 * v4.8 without the migration policy: kernel compaction may not touch the
 * pool, nothing is reclaimable: 4.7+'s slow path compacts (async, then
 * sync-light: complete, deferred), should_reclaim_retry() finds no zone
 * with an order-2 block above min, reclaim made no progress so
 * should_compact_retry() is not asked: the OOM killer.
 */
static void test_pgd_fails_v48_no_migration(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;

	pgd_config(&cfg, "v4.8", 1u << POLICY_MANUAL);
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	pgd_fill_and_thin(sim, 'm');
	CHECK_EQ(ev(sim, 'k', 1, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "after"), 0);
	CHECK_EQ(cap.last.forks.failed, 0);
	CHECK_EQ(cap.last.forks.outcomes[ALLOC_OOM_KILL], 1);
	CHECK_EQ(cap.last.forks.free_at_last_stall, 512);
	CHECK_EQ(cap.last.vm.pages_migrated, 0);
	CHECK_EQ(cap.last.vm.allocstall, 1);
	CHECK_EQ(cap.last.vm.oom_kill, 1);
	CHECK_EQ(cap.last.pool_pages, 512);
	verify_all(sim, &cap);
	sim_destroy(sim);
}

/*
 * Trace errors the engine itself detects (the reader knows nothing of
 * liveness across namespaces or of the disk size): a negative errno and a
 * message naming the problem; the state is left as it was.
 */
/*
 * F N LABEL on the pgd machine, nothing else allocated, a fork that takes
 * its pgd alone: 1024 free frames make 256 order-2 pgds, each kept while the
 * next fork runs. The fast path takes them all (the last at free 4: 4 - 3 =
 * 1 > low 1 fails, the slow path's min 0 passes: still no stall); the 257th
 * finds no frame anywhere: a stall below the watermark, compaction skipped,
 * reclaim frees nothing, the OOM killer (assumed, no frame taken), and the
 * probe stops there as the guest stops at its first OOM kill: attempted
 * 257, 256 fast, 1 OOM kill, none failed, of N = 300. Then every pgd is
 * freed and the 1024 frames merge back into one order-10 block. A second
 * probe of 10 forks: 10 more fast forks.
 */
static void test_fork_probe(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;
	struct sim_event e;

	pgd_config(&cfg, "v6.1", 1u << POLICY_MANUAL);
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	memset(&e, 0, sizeof(e));
	e.op = SIM_OP_FORK_PROBE;
	e.id = 300;
	snprintf(e.label, sizeof(e.label), "probe0");
	CHECK_EQ(sim_event(sim, &e, msg, sizeof(msg)), 0);
	CHECK_EQ(ev_label(sim, 's', "after"), 0);
	CHECK_U64_EQ(cap.last.forks.attempted, 257);
	CHECK_U64_EQ(cap.last.forks.succeeded, 257);
	CHECK_U64_EQ(cap.last.forks.failed, 0);
	CHECK_U64_EQ(cap.last.forks.outcomes[ALLOC_FAST], 256);
	CHECK_U64_EQ(cap.last.forks.outcomes[ALLOC_OOM_KILL], 1);
	CHECK_U64_EQ(cap.last.forks.stall_reasons[STALL_WATERMARK], 1);
	CHECK_U64_EQ(cap.last.forks.live, 0);
	CHECK_U64_EQ(cap.last.forks.exits, 257); /* the OOM kill's child too */
	CHECK_U64_EQ(cap.last.forks.pages_live, 0);
	/* no per-CPU lists on this machine: a probe counted, its lists empty */
	CHECK_U64_EQ(cap.last.forks.probes, 1);
	CHECK_U64_EQ(cap.last.forks.probe_pcp_high, 0);
	CHECK_U64_EQ(cap.last.forks.probe_pcp_max, 0);
	CHECK_U64_EQ(cap.last.forks.probe_pcp_rise_max, 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 1024);
	CHECK_EQ(physmem_nr_free(sim_mem(sim), 0, 10), 1);
	e.id = 10;
	CHECK_EQ(sim_event(sim, &e, msg, sizeof(msg)), 0);
	CHECK_EQ(ev_label(sim, 's', "again"), 0);
	CHECK_U64_EQ(cap.last.forks.attempted, 267);
	CHECK_U64_EQ(cap.last.forks.outcomes[ALLOC_FAST], 266);
	CHECK_U64_EQ(cap.last.forks.probes, 2);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 1024);
	sim_destroy(sim);
}

int main(void)
{
	RUN(test_pgd_fails_v41_manual);
	RUN(test_pgd_zs_compact_v41);
	RUN(test_pgd_kcompact_v48);
	RUN(test_pgd_fails_v48_no_migration);
	RUN(test_fork_probe);
	return test_summary();
}
