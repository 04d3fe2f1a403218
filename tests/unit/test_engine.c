/*
 * test_engine.c - the replay engine (sim/engine.c) driven event by event on
 * tiny crafted machines, every expectation derived by hand below.
 *
 * Machines and helpers: engine_machines.h (the pgd scenario:
 * test_engine_pgd.c).
 */
#include "engine_machines.h"

/*
 * Tiny machine, 64 order-0 UNMOVABLE blocks g 1..64: block ID i lands on
 * pfn i-1 (see engine_machines.h: the first request claims pageblock 0's
 * order-3 block and walks it; the ninth claims the next order-3 block...).
 * Memory is then full: buddyinfo 0/0/0/0.
 *
 * State A, put every odd pfn (IDs 2, 4, ..., 64): 32 free order-0 pages,
 * none of whose buddies (the even pfns) is free. free 32, blocks 32, no
 * order-2 block:
 *   unusable(2) = (32 - 0) * 1000 / 32 = 1000
 *   fragindex(2) = 1000 - (1000 + 32 * 1000 / 4) / 32 = 1000 - 9000 / 32
 *                = 1000 - 281 = 719
 * State B, also put pfns 8, 10, 12, 14 (IDs 9, 11, 13, 15): 8..15 merge into
 * one order-3 block. free 36; order-0 blocks 32 - 4 = 28, order-3 1;
 * suitable order-2 blocks = 1 << (3 - 2) = 2:
 *   unusable(2) = (36 - 2 * 4) * 1000 / 36 = 28000 / 36 = 777
 *   fragindex(2) = -1000 (a suitable block exists)
 * State C, fork PID 7: the pgd (order 2, UNMOVABLE, Normal) splits the
 * order-3 block (pageblock 1 is UNMOVABLE since the g blocks stole it, so
 * the merged block went back on the UNMOVABLE list): pfn 8, and 12..15 free
 * as an order-2 block. free 32; 28 order-0 + 1 order-2:
 *   unusable(2) = (32 - 1 * 4) * 1000 / 32 = 28000 / 32 = 875
 * The exit gives back state B exactly.
 */
static void test_buddy_indices(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;
	const struct sim_zone_snap *z;

	tiny_config(&cfg);
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	REQUIRE(physmem_free_pages(sim_mem(sim)) == 64);
	for (uint64_t id = 1; id <= 64; id++)
		CHECK_EQ(ev(sim, 'g', id, 0, 0, 'u'), 0);
	for (unsigned long pfn = 0; pfn < 64; pfn++)
		check_owner(sim, pfn, PHYSMEM_OWNER_USER, pfn + 1);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 0);
	/* a 65th block finds no memory: counted, not a trace error */
	CHECK_EQ(ev(sim, 'g', 65, 0, 0, 'u'), 0);
	CHECK_EQ(ev(sim, 'p', 65, 0, 0, 0), 0);

	for (uint64_t id = 2; id <= 64; id += 2)
		CHECK_EQ(ev(sim, 'p', id, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "A"), 0);
	REQUIRE(cap.snapshots == 1);
	CHECK_STR_EQ(cap.last.label, "A");
	CHECK_EQ(cap.last.nr_zones, 1);
	z = &cap.last.zones[0];
	CHECK_STR_EQ(z->name, "Normal");
	CHECK_EQ(z->free_pages, 32);
	CHECK_EQ(z->nr_orders, 4);
	CHECK_EQ(z->buddyinfo[0], 32);
	CHECK_EQ(z->buddyinfo[1], 0);
	CHECK_EQ(z->buddyinfo[2], 0);
	CHECK_EQ(z->buddyinfo[3], 0);
	CHECK_EQ(z->unusable_index_2, 1000);
	CHECK_EQ(z->fragmentation_index_2, 719);
	CHECK_EQ(cap.last.free_pages, 32);
	CHECK_EQ(cap.last.unusable_index_2, 1000);
	CHECK_EQ(cap.last.fragmentation_index_2, 719);
	CHECK_EQ(cap.last.other.blocks_live, 32);
	CHECK_EQ(cap.last.other.block_failures, 1);
	CHECK_EQ(cap.last.event_index, 64 + 2 + 32 + 1);

	for (uint64_t id = 9; id <= 15; id += 2)
		CHECK_EQ(ev(sim, 'p', id, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "B"), 0);
	z = &cap.last.zones[0];
	CHECK_EQ(z->free_pages, 36);
	CHECK_EQ(z->buddyinfo[0], 28);
	CHECK_EQ(z->buddyinfo[1], 0);
	CHECK_EQ(z->buddyinfo[2], 0);
	CHECK_EQ(z->buddyinfo[3], 1);
	CHECK_EQ(z->unusable_index_2, 777);
	CHECK_EQ(z->fragmentation_index_2, -1000);

	CHECK_EQ(ev(sim, 'k', 7, 0, 0, 0), 0);
	check_owner(sim, 8, PHYSMEM_OWNER_PGD, 7);
	CHECK_EQ(ev_label(sim, 's', "C"), 0);
	z = &cap.last.zones[0];
	CHECK_EQ(z->free_pages, 32);
	CHECK_EQ(z->buddyinfo[0], 28);
	CHECK_EQ(z->buddyinfo[2], 1);
	CHECK_EQ(z->buddyinfo[3], 0);
	CHECK_EQ(z->unusable_index_2, 875);
	CHECK_EQ(z->fragmentation_index_2, -1000);
	CHECK_EQ(cap.last.forks.attempted, 1);
	CHECK_EQ(cap.last.forks.succeeded, 1);
	CHECK_EQ(cap.last.forks.outcomes[ALLOC_FAST], 1);
	CHECK_EQ(cap.last.forks.stalls, 0);
	CHECK_EQ(cap.last.forks.pages_live, 4);
	CHECK_EQ(cap.last.forks.live, 1);

	CHECK_EQ(ev(sim, 'x', 7, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "B2"), 0);
	z = &cap.last.zones[0];
	CHECK_EQ(z->free_pages, 36);
	CHECK_EQ(z->buddyinfo[0], 28);
	CHECK_EQ(z->buddyinfo[2], 0);
	CHECK_EQ(z->buddyinfo[3], 1);
	CHECK_EQ(cap.last.forks.exits, 1);
	CHECK_EQ(cap.last.forks.live, 0);
	CHECK_EQ(physmem_check(sim_mem(sim), msg, sizeof(msg)), 0);
	sim_destroy(sim);
}

static void test_event_errors(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;

	tiny_config(&cfg); /* 64 zram slots, 4 orders */
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	CHECK_EQ(ev(sim, 'a', 1, 100, 0, 0), 0);
	CHECK_EQ(ev(sim, 'a', 1, 200, 0, 0), -EEXIST);
	CHECK(strstr(msg, "reuse of live object ID 1") != NULL);
	CHECK_EQ(ev(sim, 'f', 2, 0, 0, 0), -ENOENT);
	CHECK(strstr(msg, "free of unknown object ID 2") != NULL);
	CHECK_EQ(ev(sim, 'a', 3, 0, 0, 0), -EINVAL);
	CHECK(strstr(msg, "out of range") != NULL);
	CHECK_EQ(ev(sim, 'a', 3, 4097, 0, 0), -EINVAL);
	CHECK_EQ(ev(sim, 'w', 64, 100, 0, 0), -ERANGE);
	CHECK(strstr(msg, "slot 64 beyond the zram disk (64 slots)") != NULL);
	CHECK_EQ(ev(sim, 'z', 64, 0, 0, 0), -ERANGE);
	CHECK_EQ(ev(sim, 'r', 1000, 0, 0, 0), -ERANGE);
	CHECK_EQ(ev(sim, 'd', 64, 0, 0, 0), -ERANGE);
	CHECK_EQ(ev(sim, 'w', 63, 100, 0, 0), 0); /* the last slot is fine */
	CHECK_EQ(ev(sim, 'x', 5, 0, 0, 0), -ENOENT);
	CHECK(strstr(msg, "exit of unknown PID 5") != NULL);
	CHECK_EQ(ev(sim, 'p', 6, 0, 0, 0), -ENOENT);
	CHECK(strstr(msg, "put of unknown block ID 6") != NULL);
	CHECK_EQ(ev(sim, 'g', 6, 0, 4, 'u'), -EINVAL); /* order 4 on a 4-order machine */
	CHECK(strstr(msg, "order 4") != NULL);
	CHECK_EQ(ev(sim, 'g', 6, 0, 0, 'u'), 0);
	CHECK_EQ(ev(sim, 'g', 6, 0, 0, 'u'), -EEXIST);
	CHECK(strstr(msg, "reuse of live block ID 6") != NULL);
	CHECK_EQ(ev(sim, 'k', 5, 0, 0, 0), 0);
	CHECK_EQ(ev(sim, 'k', 5, 0, 0, 0), -EEXIST);
	CHECK(strstr(msg, "PID 5") != NULL);
	/* the three namespaces are apart: ID 1 is an object, not a block or a PID */
	CHECK_EQ(ev(sim, 'p', 1, 0, 0, 0), -ENOENT);
	CHECK_EQ(ev(sim, 'x', 1, 0, 0, 0), -ENOENT);
	CHECK_EQ(ev(sim, 'g', 1, 0, 0, 'm'), 0);
	/* time */
	CHECK_EQ(ev_time(sim, 'r', 0, 0, 100), 0);
	CHECK_EQ(ev_time(sim, 'r', 0, 0, 100), 0);
	CHECK_EQ(ev_time(sim, 'r', 0, 0, 99), -EINVAL);
	CHECK(strstr(msg, "time goes backwards") != NULL);
	/* after all that, object 1 (100 B), slot 63 and block 6 are intact */
	CHECK_EQ(ev(sim, 'v', 0, 0, 0, 0), 0);
	CHECK_EQ(cap.verify.objects_checked, 2);
	CHECK_EQ(cap.verify.mismatches, 0);
	CHECK_EQ(ev_label(sim, 's', "end"), 0);
	CHECK_EQ(cap.last.other.objects_live, 1);
	CHECK_EQ(cap.last.other.object_bytes, 100);
	CHECK_EQ(cap.last.other.blocks_live, 2);
	CHECK_EQ(cap.last.forks.live, 1);
	CHECK_EQ(cap.last.mm_stat.compr_data_size, 100);
	CHECK_EQ(cap.last.stored_bytes, 200);
	CHECK_EQ(cap.last.time_ns, 100);
	sim_destroy(sim);
}

/*
 * A failed `a` or `g` is counted, then forgotten (traces/FORMAT.md, "Failed
 * allocations"): its later `f` / `p` is accepted and frees nothing, while a
 * release of an ID never used is still an error.
 */
static void test_failed_ids(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;

	tiny_config(&cfg); /* 64 pages */
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	for (uint64_t id = 1; id <= 64; id++) /* every page taken */
		REQUIRE(ev(sim, 'g', id, 0, 0, 'u') == 0);
	for (uint64_t id = 100; id < 200; id++) /* zs_malloc finds no page */
		CHECK_EQ(ev(sim, 'a', id, 100, 0, 0), 0);
	CHECK_EQ(ev(sim, 'g', 65, 0, 0, 'u'), 0);
	CHECK_EQ(ev_label(sim, 's', "full"), 0);
	CHECK_EQ(cap.last.other.alloc_failures, 100);
	CHECK_EQ(cap.last.other.objects_live, 0);
	CHECK_EQ(cap.last.other.block_failures, 1);
	CHECK_EQ(cap.last.other.blocks_live, 64);
	/* releases of the failed IDs: accepted, nothing freed */
	CHECK_EQ(ev(sim, 'f', 150, 0, 0, 0), 0);
	CHECK_EQ(ev(sim, 'p', 65, 0, 0, 0), 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 0);
	/* IDs never used are still refused */
	CHECK_EQ(ev(sim, 'f', 5000, 0, 0, 0), -ENOENT);
	CHECK(strstr(msg, "free of unknown object ID 5000") != NULL);
	CHECK_EQ(ev(sim, 'p', 66, 0, 0, 0), -ENOENT);
	CHECK(strstr(msg, "put of unknown block ID 66") != NULL);
	/* with memory back, a failed ID's number allocates like any other */
	for (uint64_t id = 1; id <= 64; id++)
		REQUIRE(ev(sim, 'p', id, 0, 0, 0) == 0);
	CHECK_EQ(ev(sim, 'a', 150, 100, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "after"), 0);
	CHECK_EQ(cap.last.other.objects_live, 1);
	CHECK_EQ(cap.last.other.alloc_failures, 100);
	CHECK_EQ(ev(sim, 'v', 0, 0, 0, 0), 0);
	CHECK_EQ(cap.verify.objects_checked, 1);
	CHECK_EQ(cap.verify.mismatches, 0);
	CHECK_EQ(ev(sim, 'f', 150, 0, 0, 0), 0);
	sim_destroy(sim);
}

/*
 * --check-every: the invariant walk runs every N events and a healthy run
 * passes it; a sample snapshot every 3 events comes labelled "sample".
 */
static void test_check_and_sample_every(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;

	tiny_config(&cfg);
	cfg.check_every = 1;
	cfg.sample_every = 3;
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	for (uint64_t i = 0; i < 20; i++)
		CHECK_EQ(ev(sim, 'w', i, (uint32_t)(100 + 150 * i), 0, 0), 0);
	for (uint64_t i = 0; i < 20; i += 2)
		CHECK_EQ(ev(sim, 'd', i, 0, 0, 0), 0);
	CHECK_EQ(ev(sim, 'c', 0, 0, 0, 0), 0);
	CHECK_EQ(cap.snapshots, 31 / 3);
	CHECK_STR_EQ(cap.last.label, "sample");
	CHECK_EQ(cap.last.event_index, 30);
	sim_finish(sim);
	CHECK_STR_EQ(cap.last.label, "final");
	CHECK_EQ(cap.last.event_index, 31);
	sim_destroy(sim);
}

/*
 * Other users' movable pages are moved by kernel compaction whatever the
 * policy, and the engine follows them: tiny machine, g 1..64 order-0
 * MOVABLE (ID i on pfn i-1, all pageblocks MOVABLE, no steal), then every
 * block put except the first frame of each aligned 4 (IDs 1, 5, ..., 61):
 * 48 free frames (16 order-0 at 4k+1, 16 order-1 at 4k+2), no order-2
 * block. The fork fails on the free lists, the asynchronous pass may not
 * take sources from MOVABLE pageblocks for an UNMOVABLE request, and (v6.1)
 * after direct reclaim the sync-light one moves pinned pages up until an
 * aligned 4 is free: outcome compaction. (4.1 would OOM-kill instead: its
 * sync compaction comes only after a reclaim that made progress.) Every
 * block's later `p` must find it where it was moved: 16 puts, no bad free,
 * 60 pages free (all but the pgd).
 */
static void test_kcompact_moves_user_pages(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct physmem_stats st;
	struct physmem_block b;
	struct sim *sim;
	unsigned long moved = 0;

	tiny_config(&cfg);
	cfg.policies = 0;
	cfg.pool.profile = "v6.1";
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	for (uint64_t id = 1; id <= 64; id++)
		CHECK_EQ(ev(sim, 'g', id, 0, 0, 'm'), 0);
	for (uint64_t id = 1; id <= 64; id++)
		if ((id - 1) % 4)
			CHECK_EQ(ev(sim, 'p', id, 0, 0, 0), 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 48);
	CHECK_EQ(physmem_nr_free(sim_mem(sim), 0, 2), 0);
	CHECK_EQ(ev(sim, 'k', 1, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "forked"), 0);
	CHECK_EQ(cap.last.forks.succeeded, 1);
	CHECK_EQ(cap.last.forks.outcomes[ALLOC_COMPACTION], 1);
	CHECK(cap.last.vm.pages_migrated >= 1);
	CHECK_EQ(cap.last.vm.zs_pages_migrated, 0);
	/* every pinned block is still one USER page with its ID, some at a new frame */
	for (uint64_t id = 1; id <= 64; id += 4) {
		bool found = false;

		for (unsigned long p = 0; p < 64; p++)
			if (physmem_block_at(sim_mem(sim), p, &b) == 0 && !b.free &&
			    b.head_pfn == p && b.owner == PHYSMEM_OWNER_USER && b.tag == id) {
				CHECK(!found);
				found = true;
				moved += p != id - 1;
			}
		CHECK(found);
	}
	CHECK_EQ(moved, cap.last.vm.pages_migrated);
	for (uint64_t id = 1; id <= 64; id += 4)
		CHECK_EQ(ev(sim, 'p', id, 0, 0, 0), 0);
	physmem_get_stats(sim_mem(sim), &st);
	CHECK_EQ(st.bad_frees, 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 60);
	CHECK_EQ(physmem_check(sim_mem(sim), msg, sizeof(msg)), 0);
	sim_destroy(sim);
}

/* The new-zspage mark of w and a: a zspage of its own for that allocation, room or not. */
static void test_new_zspage_mark(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct sim *sim;
	struct sim_event e;

	pgd_config(&cfg, "v6.1", 0);
	cfg.pool.arch = ZS_ARCH_X86_64;
	REQUIRE((sim = make_sim(&cfg, &cap)) != NULL);
	CHECK_EQ(ev(sim, 'w', 1, 1000, 0, 0), 0); /* class 1024: 4 to a 1-page zspage */
	CHECK_EQ(ev(sim, 'w', 2, 1000, 0, 0), 0);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 1);
	memset(&e, 0, sizeof(e));
	e.op = SIM_OP_WRITE;
	e.id = 3;
	e.size = 1000;
	e.new_zspage = true;
	CHECK_EQ(sim_event(sim, &e, msg, sizeof(msg)), 0);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 2);
	e.op = SIM_OP_ALLOC;
	e.id = 1;
	CHECK_EQ(sim_event(sim, &e, msg, sizeof(msg)), 0);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 3);
	CHECK_EQ(ev(sim, 'w', 4, 1000, 0, 0), 0); /* fills as before */
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 3);
	sim_destroy(sim);
}

/* p ID s SLOT: the put of block ID, swapped out to SLOT by the write before it. */
static int put_swapped(struct sim *sim, uint64_t id, uint64_t slot)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = SIM_OP_PUT;
	e.id = id;
	e.swapped_out = true;
	e.slot = slot;
	return ev_send(sim, &e);
}

/*
 * A page whose swap-out write failed stays resident (engine_swapout.c).
 * Tiny machine (64 pages), zram mem_limit 2 pages, incompressible writes (one
 * huge object, one zspage page each). g 1..5 movable: 59 free.
 *   w 0, p 1 s 0 and w 1, p 2 s 1: each write takes a page and its put frees
 *     one: 59 free, the pool 2 pages.
 *   w 2: a third page passes mem_limit, zram gives it back and fails the
 *     write; p 3 s 2 keeps block 3: still 59 free, 1 page kept, blocks_live 2.
 *   p 4 s 9 after nothing written to slot 9, p 5 after a failed w 3 (no s):
 *     both free their page as a plain put does: 61 free.
 *   r 2: served by the kept page (no zram read), which goes: 62 free.
 *   r 0: a zram read. d 0, d 1: the pool's 2 pages back: 64 free.
 */
static void test_failed_swapout_keeps_page(void)
{
	struct sim_config cfg;
	struct capture cap;
	struct physmem_block b;
	struct sim *sim;
	unsigned long kept_pfn = 0;

	tiny_config(&cfg);
	cfg.zram_mem_limit = 2 * 4096;
	cfg.check_every = 1; /* the kept pages' invariant (swapout_check) after every event */
	sim = make_sim(&cfg, &cap);
	REQUIRE(sim);
	for (uint64_t id = 1; id <= 5; id++)
		REQUIRE(ev(sim, 'g', id, 0, 0, 'm') == 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 59);
	CHECK_EQ(ev(sim, 'w', 0, 4096, 0, 0), 0);
	CHECK_EQ(put_swapped(sim, 1, 0), 0);
	CHECK_EQ(ev(sim, 'w', 1, 4096, 0, 0), 0);
	CHECK_EQ(put_swapped(sim, 2, 1), 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 59);
	CHECK_EQ(ev(sim, 'w', 2, 4096, 0, 0), 0);
	CHECK_EQ(put_swapped(sim, 3, 2), 0);
	CHECK_EQ(ev_label(sim, 's', "kept"), 0);
	CHECK_EQ(cap.last.io_stat.failed_writes, 1);
	CHECK_EQ(cap.last.pool_pages, 2);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 59);
	CHECK_EQ(cap.last.other.swapout_puts, 3);
	CHECK_EQ(cap.last.other.swapout_kept, 1);
	CHECK_EQ(cap.last.other.swapout_kept_live, 1);
	CHECK_EQ(cap.last.other.blocks_live, 2);
	/* the kept frame is still a user page, tagged with its slot for kcompact's relocation */
	for (unsigned long p = 0; p < 64; p++)
		if (physmem_block_at(sim_mem(sim), p, &b) == 0 && !b.free && b.head_pfn == p &&
		    b.owner == PHYSMEM_OWNER_USER && b.tag == (2 | 1ULL << 63))
			kept_pfn = p + 1;
	CHECK(kept_pfn != 0);
	CHECK_EQ(put_swapped(sim, 4, 9), 0);
	CHECK_EQ(ev(sim, 'w', 3, 4096, 0, 0), 0);
	CHECK_EQ(ev(sim, 'p', 5, 0, 0, 0), 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 61);
	CHECK_EQ(ev(sim, 'r', 2, 0, 0, 0), 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 62);
	CHECK_EQ(ev(sim, 'r', 0, 0, 0, 0), 0);
	CHECK_EQ(ev(sim, 'd', 0, 0, 0, 0), 0);
	CHECK_EQ(ev(sim, 'd', 1, 0, 0, 0), 0);
	CHECK_EQ(ev_label(sim, 's', "end"), 0);
	CHECK_EQ(cap.last.io_stat.reads, 1);
	CHECK_EQ(cap.last.io_stat.failed_writes, 2);
	CHECK_EQ(cap.last.other.swapout_kept, 1);
	CHECK_EQ(cap.last.other.swapout_kept_live, 0);
	CHECK_EQ(cap.last.other.swapout_cache_reads, 1);
	CHECK_EQ(cap.last.other.blocks_live, 0);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 64);
	CHECK_EQ(physmem_check(sim_mem(sim), msg, sizeof(msg)), 0);
	sim_destroy(sim);
}

int main(void)
{
	RUN(test_buddy_indices);
	RUN(test_new_zspage_mark);
	RUN(test_failed_swapout_keeps_page);
	RUN(test_kcompact_moves_user_pages);
	RUN(test_event_errors);
	RUN(test_failed_ids);
	RUN(test_check_and_sample_every);
	return test_summary();
}
