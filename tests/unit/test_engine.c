/*
 * test_engine.c - the replay engine (sim/engine.c) driven event by event on
 * tiny crafted machines, every expectation derived by hand below.
 *
 * Machines
 *   tiny:  64 frames (256 KiB), no HighMem, max_order 4 (blocks up to 8
 *          frames), pageblock order 3, min_free_kbytes 0 (watermarks: min 0,
 *          low = 0 + max(0, 64*10/10000 = 0) = 0): pure buddy arithmetic.
 *   pgd:   1024 frames (4 MiB), no HighMem, 11 orders (one order-10 block at
 *          boot), pageblock order 4, min_free_kbytes 0 (min 0, low 1, high
 *          2). The order-2 pgd scenario runs on it.
 *
 * Allocation order both rely on: boot frees every zone as its largest
 * aligned blocks, and an order-0 request takes the lowest free frame as long
 * as nothing was freed yet (expand() puts each split-off upper half at its
 * list head, so the next request splits the smallest block, which is the one
 * just above the last frame taken). The first UNMOVABLE request steals from
 * the MOVABLE boot block; for a block of order >= pageblock order the whole
 * range's pageblocks change type, so the sequence is not disturbed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "physmem.h"
#include "test_util.h"
#include "vmstat.h"
#include "zsmalloc.h"

#define MAX_CLASSES	256
#define MAX_COMPACTIONS 16

/* What the sinks saw: the last snapshot (deep copy) and every compaction. */
struct capture {
	int snapshots;
	struct sim_snapshot last;
	char label[SIM_LABEL_MAX];
	struct sim_class_snap classes[MAX_CLASSES];
	int ncomp;
	struct sim_compaction comp[MAX_COMPACTIONS];
	char trigger[MAX_COMPACTIONS][32];
	int nverify;
	struct sim_verify verify;
};

static void cap_snapshot(void *ctx, const struct sim_snapshot *s)
{
	struct capture *c = ctx;

	c->snapshots++;
	c->last = *s;
	snprintf(c->label, sizeof(c->label), "%s", s->label);
	c->last.label = c->label;
	memcpy(c->classes, s->classes, s->nr_classes * sizeof(*s->classes));
	c->last.classes = c->classes;
}

static void cap_compaction(void *ctx, const struct sim_compaction *cp)
{
	struct capture *c = ctx;

	if (c->ncomp < MAX_COMPACTIONS) {
		c->comp[c->ncomp] = *cp;
		snprintf(c->trigger[c->ncomp], sizeof(c->trigger[0]), "%s", cp->trigger);
		c->comp[c->ncomp].trigger = c->trigger[c->ncomp];
	}
	c->ncomp++;
}

static void cap_verify(void *ctx, const struct sim_verify *v)
{
	struct capture *c = ctx;

	c->nverify++;
	c->verify = *v;
}

static char msg[512];

static struct sim *make_sim(struct sim_config *cfg, struct capture *cap)
{
	struct sim_sinks sinks = {.ctx = cap,
				  .snapshot = cap_snapshot,
				  .compaction = cap_compaction,
				  .verify = cap_verify};
	struct sim *sim = NULL;

	memset(cap, 0, sizeof(*cap));
	msg[0] = '\0';
	if (sim_create(cfg, &sinks, &sim, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "sim_create: %s\n", msg);
		return NULL;
	}
	return sim;
}

static void tiny_config(struct sim_config *cfg)
{
	sim_config_default(cfg);
	cfg->mem.ram_bytes = 64 * 4096;
	cfg->mem.highmem = false;
	cfg->mem.max_order = 4;
	cfg->mem.pageblock_order = 3;
	cfg->mem.min_free_kbytes = 0;
	cfg->zram_disksize = 64 * 4096;
	cfg->timing = false;
	/* a fork takes its pgd and nothing else, so the buddy arithmetic stays by hand */
	cfg->fork = (struct sim_fork_cost){-1, 0, 0, 0, 0, 0, 0, NULL, 0};
}

static void pgd_config(struct sim_config *cfg, const char *profile, unsigned int policies)
{
	sim_config_default(cfg);
	cfg->mem.ram_bytes = 1024 * 4096;
	cfg->mem.highmem = false;
	cfg->mem.pageblock_order = 4;
	cfg->mem.min_free_kbytes = 0;
	cfg->pool.profile = profile;
	cfg->pool.arch = ZS_ARCH_ARM32;
	cfg->zram_disksize = 1024 * 4096;
	cfg->policies = policies;
	cfg->timing = false;
	cfg->fork = (struct sim_fork_cost){-1, 0, 0, 0, 0, 0, 0, NULL, 0}; /* the pgd alone */
}

/* One event; returns sim_event's result (msg holds the reason). */
static int ev(struct sim *sim, char op, uint64_t id, uint32_t size, uint8_t order, char mtype)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = (enum sim_op)op;
	e.id = id;
	e.size = size;
	e.order = order;
	e.mtype = mtype;
	msg[0] = '\0';
	return sim_event(sim, &e, msg, sizeof(msg));
}

static int ev_label(struct sim *sim, char op, const char *label)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = (enum sim_op)op;
	snprintf(e.label, sizeof(e.label), "%s", label);
	return sim_event(sim, &e, msg, sizeof(msg));
}

static int ev_time(struct sim *sim, char op, uint64_t id, uint32_t size, uint64_t t)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = (enum sim_op)op;
	e.id = id;
	e.size = size;
	e.has_time = true;
	e.time_ns = t;
	return sim_event(sim, &e, msg, sizeof(msg));
}

static void check_owner(struct sim *sim, unsigned long pfn, enum physmem_owner owner, uint64_t tag)
{
	struct physmem_block b;

	CHECK_EQ(physmem_block_at(sim_mem(sim), pfn, &b), 0);
	CHECK(!b.free);
	CHECK_EQ(b.head_pfn, pfn);
	CHECK_EQ(b.owner, owner);
	if (owner == PHYSMEM_OWNER_USER || owner == PHYSMEM_OWNER_PGD)
		CHECK_U64_EQ(b.tag, tag);
}

/*
 * Tiny machine, 64 order-0 UNMOVABLE blocks g 1..64: block ID i lands on
 * pfn i-1 (see the head comment: the first request claims pageblock 0's
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
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 1024);
	CHECK_EQ(physmem_nr_free(sim_mem(sim), 0, 10), 1);
	e.id = 10;
	CHECK_EQ(sim_event(sim, &e, msg, sizeof(msg)), 0);
	CHECK_EQ(ev_label(sim, 's', "again"), 0);
	CHECK_U64_EQ(cap.last.forks.attempted, 267);
	CHECK_U64_EQ(cap.last.forks.outcomes[ALLOC_FAST], 266);
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 1024);
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

int main(void)
{
	RUN(test_buddy_indices);
	RUN(test_new_zspage_mark);
	RUN(test_pgd_fails_v41_manual);
	RUN(test_pgd_zs_compact_v41);
	RUN(test_pgd_kcompact_v48);
	RUN(test_pgd_fails_v48_no_migration);
	RUN(test_kcompact_moves_user_pages);
	RUN(test_fork_probe);
	RUN(test_event_errors);
	RUN(test_failed_ids);
	RUN(test_check_and_sample_every);
	return test_summary();
}
