/*
 * test_grouped.c - the grouped placement policy (sim/policy_grouped.c) and
 * split_page (sim/physmem_split.c), on a hand-built layout, plus a replay
 * that interleaves kernel pages and zspage pages with and without it.
 *
 * The layout (64 frames, no per-CPU lists, watermarks 0, max_order 4):
 * every frame allocated as a kernel page (pfn i on the i-th call), then
 * frames 0, 4..7 and 16..23 freed: free blocks o0 {0}, o2 {4}, o3 {16};
 * 13 free pages. grouped_take, hand-worked:
 *   calls 1-4: the zone passes order 3 (the o3 block) -> the smallest
 *              fitting block, o2 at 4, split: frames 4 5 6 7
 *   calls 5-8: still an o3 block -> it is split by the buddy allocator
 *              (low half to the caller, 20..23 back as o2): frames 16..19
 *   call 9:    free blocks o0 {0}, o2 {20}: no order-3 block -> -EAGAIN
 * With the low watermark at 6: order 2 passes (13 - 3 = 10 > 6), order 3
 * does not (13 - 7 = 6, not above 6) -> the first call is refused.
 */
#include <errno.h>
#include <string.h>

#include "engine.h"
#include "grouped.h"
#include "physmem.h"
#include "test_util.h"

static char msg[256];

static struct physmem *build(void)
{
	static const unsigned long freed[] = {0, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23};
	struct physmem_config c;
	struct physmem *pm;
	unsigned long pfn;

	physmem_config_default(&c);
	c.ram_bytes = 64 * 4096;
	c.max_order = 4;
	c.pageblock_order = 3;
	c.highmem = false;
	c.min_free_kbytes = 0;
	c.pcp = PHYSMEM_PCP_OFF;
	if (physmem_create(&c, &pm))
		return NULL;
	physmem_set_watermarks(pm, 0, 0, 0, 0);
	for (unsigned long i = 0; i < 64; i++)
		if (physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn) || pfn != i)
			return NULL;
	for (unsigned int i = 0; i < sizeof(freed) / sizeof(freed[0]); i++)
		physmem_free(pm, freed[i], 0);
	return pm;
}

static void test_layout(void)
{
	struct physmem *pm = build();

	REQUIRE(pm);
	CHECK_EQ(physmem_nr_free(pm, 0, 0), 1);
	CHECK_EQ(physmem_nr_free(pm, 0, 1), 0);
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 1);
	CHECK_EQ(physmem_nr_free(pm, 0, 3), 1);
	CHECK(grouped_can_spare(pm, PHYSMEM_MT_UNMOVABLE, 0));
	physmem_destroy(pm);
}

/* The frames handed out, the blocks taken, and the refusal, as the head comment works out. */
static void test_take(void)
{
	static const unsigned long want[] = {4, 5, 6, 7, 16, 17, 18, 19};
	struct grouped_cache gc = {0};
	struct physmem_block blk;
	struct physmem *pm = build();
	unsigned long pfn;

	REQUIRE(pm);
	for (unsigned int i = 0; i < 8; i++) {
		CHECK_EQ(grouped_take(&gc, pm, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
		CHECK_EQ(pfn, want[i]);
		/* each an order-0 kernel page of its own, freeable alone */
		CHECK_EQ(physmem_block_at(pm, pfn, &blk), 0);
		CHECK(!blk.free && blk.head_pfn == pfn && blk.order == 0);
		CHECK_EQ(blk.owner, PHYSMEM_OWNER_KERNEL);
	}
	CHECK_U64_EQ(gc.blocks, 2);
	CHECK_U64_EQ(gc.pages, 8);
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 1); /* 20..23, the split's other half */
	CHECK_EQ(physmem_nr_free(pm, 0, 3), 0);
	CHECK(!grouped_can_spare(pm, PHYSMEM_MT_UNMOVABLE, 0));
	CHECK_EQ(grouped_take(&gc, pm, PHYSMEM_MT_UNMOVABLE, 0, &pfn), -EAGAIN);
	CHECK_U64_EQ(gc.blocks, 2);
	/* the four pages of a group freed one by one merge back into the order-2 block */
	for (unsigned long f = 4; f < 8; f++)
		physmem_free(pm, f, 0);
	CHECK_EQ(physmem_block_at(pm, 4, &blk), 0);
	CHECK(blk.free && blk.head_pfn == 4 && blk.order == 2);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

static void test_low_watermark(void)
{
	struct grouped_cache gc = {0};
	struct physmem *pm = build();
	unsigned long pfn;

	REQUIRE(pm);
	physmem_set_watermarks(pm, 0, 0, 6, 6);
	CHECK(!grouped_can_spare(pm, PHYSMEM_MT_UNMOVABLE, 0));
	CHECK_EQ(grouped_take(&gc, pm, PHYSMEM_MT_UNMOVABLE, 0, &pfn), -EAGAIN);
	physmem_set_watermarks(pm, 0, 0, 5, 5); /* 13 - 7 = 6 > 5: spared */
	CHECK_EQ(grouped_take(&gc, pm, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 4);
	physmem_destroy(pm);
}

/* The unused frames of a block go back on release and merge with the one handed out. */
static void test_release(void)
{
	struct physmem_stats st;
	struct grouped_cache gc = {0};
	struct physmem_block blk;
	struct physmem *pm = build();
	unsigned long pfn;

	REQUIRE(pm);
	CHECK_EQ(grouped_take(&gc, pm, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	CHECK_EQ(pfn, 4);
	grouped_release(&gc, pm);
	CHECK_EQ(physmem_nr_free(pm, 0, 0), 2); /* 0, 5 */
	CHECK_EQ(physmem_nr_free(pm, 0, 1), 1); /* 6 and 7 merged */
	physmem_free(pm, 4, 0);
	CHECK_EQ(physmem_block_at(pm, 4, &blk), 0);
	CHECK(blk.free && blk.order == 2);
	grouped_release(&gc, pm); /* nothing left: no double free */
	physmem_get_stats(pm, &st);
	CHECK_U64_EQ(st.bad_frees, 0);
	physmem_destroy(pm);
}

/*
 * A zspage's pages come from one block (grouped_begin), on the layout with
 * 40..47 freed as well: free blocks o0 {0}, o2 {4}, o3 {40, 16} (40 freed
 * last, at the list's head):
 *   zspage of 3: a new block, the smallest fitting (o2 at 4): 4 5 6; rest {7}
 *   zspage of 2: 1 left < 2, no spare: a new block (o3 at 40 split, 44..47
 *                back as o2): 40 41; the rest {7} (1 > 0) is the spare now
 *   zspage of 3: rest {42,43} and spare {7} too small: a new block (o2 at
 *                44): 44 45 46; {42,43} (2 > 1) becomes the spare, 7 is
 *                given back
 *   zspage of 2: current rest {47} < 2, spare {42,43}: 42 43
 *   zspage of 1: the current rest: 47
 *   zspage of 4: nothing left: a new block (o3 at 16 split, 20..23 back):
 *                16 17 18 19
 *   zspage of 2 with the low watermark at 40: refused, both pages -EAGAIN
 * Every zspage lies in one aligned window of four.
 */
static void test_zspage_runs(void)
{
	static const unsigned int nr[] = {3, 2, 3, 2, 1, 4};
	static const unsigned long want[] = {4, 5, 6, 40, 41, 44, 45, 46, 42, 43, 47, 16, 17, 18, 19};
	struct grouped_cache gc = {0};
	struct physmem_block blk;
	struct physmem *pm = build();
	unsigned int k = 0;
	unsigned long pfn;

	REQUIRE(pm);
	for (unsigned long f = 40; f < 48; f++)
		physmem_free(pm, f, 0);
	CHECK_EQ(physmem_nr_free(pm, 0, 3), 2);
	for (unsigned int z = 0; z < sizeof(nr) / sizeof(nr[0]); z++) {
		grouped_begin(&gc, nr[z]);
		for (unsigned int i = 0; i < nr[z]; i++, k++) {
			CHECK_EQ(grouped_take(&gc, pm, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
			CHECK_EQ(pfn, want[k]);
			CHECK_EQ(pfn / 4, want[k - i] / 4); /* the zspage's window */
		}
	}
	CHECK_EQ(k, sizeof(want) / sizeof(want[0]));
	CHECK_U64_EQ(gc.blocks, 4);
	CHECK_U64_EQ(gc.pages, 15);
	CHECK_U64_EQ(gc.rests_freed, 1);
	CHECK_EQ(physmem_block_at(pm, 7, &blk), 0); /* the rest given back */
	CHECK(blk.free && blk.order == 0);
	CHECK_EQ(physmem_nr_free(pm, 0, 0), 2); /* 0 and 7 */
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 1); /* 20..23 */
	CHECK_EQ(physmem_nr_free(pm, 0, 3), 0);
	physmem_set_watermarks(pm, 0, 0, 40, 40);
	grouped_begin(&gc, 2);
	CHECK_EQ(grouped_take(&gc, pm, PHYSMEM_MT_UNMOVABLE, 0, &pfn), -EAGAIN);
	CHECK_EQ(grouped_take(&gc, pm, PHYSMEM_MT_UNMOVABLE, 0, &pfn), -EAGAIN);
	CHECK_U64_EQ(gc.blocks, 4);
	grouped_release(&gc, pm); /* nothing left */
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

static void test_split_refusals(void)
{
	struct physmem *pm = build();
	unsigned long pfn;

	REQUIRE(pm);
	CHECK_EQ(physmem_split_page(pm, 0, 0), -EINVAL); /* free */
	CHECK_EQ(physmem_alloc(pm, 2, PHYSMEM_MT_UNMOVABLE, 0, &pfn), 0);
	CHECK_EQ(physmem_split_page(pm, pfn, 1), -EINVAL); /* the wrong order */
	CHECK_EQ(physmem_split_page(pm, pfn + 1, 0), -EINVAL); /* not a head */
	CHECK_EQ(physmem_set_owner(pm, pfn, PHYSMEM_OWNER_USER, 7), 0);
	CHECK_EQ(physmem_split_page(pm, pfn, 2), -EINVAL); /* only kernel blocks */
	physmem_destroy(pm);
}

/* ---- a replay: one kernel page, then two 2000-byte swap writes, over and over ---- */
static void feed(struct sim *sim, enum sim_op op, uint64_t id, uint32_t size)
{
	struct sim_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.op = op;
	ev.id = id;
	ev.size = size;
	ev.mtype = SIM_MT_UNMOVABLE;
	REQUIRE(sim_event(sim, &ev, msg, sizeof(msg)) == 0);
}

/*
 * Order-2 windows holding a zspage page (*zs_windows), and those holding
 * both a zspage page and another allocated page (*mixed: the trace's kernel
 * pages, or the cache's unused frames). Without grouping, zspage pages and
 * kernel pages alternate frame by frame.
 */
static void mixed_windows(unsigned int policies, unsigned long *zs_windows, unsigned long *mixed)
{
	struct sim_config cfg;
	struct sim *sim;

	*mixed = 0;
	*zs_windows = 0;
	sim_config_default(&cfg);
	cfg.mem.ram_bytes = 16ull << 20;
	cfg.mem.highmem = false;
	cfg.pool.profile = "v4.1";
	cfg.zram_disksize = 64ull << 20;
	cfg.policies = policies;
	cfg.check_every = 100;
	REQUIRE(sim_create(&cfg, NULL, &sim, msg, sizeof(msg)) == 0);
	for (uint64_t i = 0; i < 400; i++) {
		feed(sim, SIM_OP_GET, i, 0);
		feed(sim, SIM_OP_WRITE, 2 * i, 2000);
		feed(sim, SIM_OP_WRITE, 2 * i + 1, 2000);
	}
	for (unsigned long w = 0; w + 4 <= physmem_nr_frames(sim_mem(sim)); w += 4) {
		unsigned int zs = 0, other = 0;

		for (unsigned long f = w; f < w + 4; f++) {
			struct physmem_block blk;

			if (physmem_block_at(sim_mem(sim), f, &blk) != 0 || blk.free ||
			    blk.owner == PHYSMEM_OWNER_PCP)
				continue;
			if (blk.owner == PHYSMEM_OWNER_ZSPAGE)
				zs++;
			else
				other++;
		}
		*zs_windows += zs > 0;
		*mixed += zs && other;
	}
	sim_destroy(sim);
}

/* Zspages of 1, 2, 3 and 4 pages (2000, 2720, 2448, 3264 bytes on v4.1) under grouped. */
static void spanning_zspages(unsigned long *zspages, unsigned long *spanning)
{
	static const uint32_t sizes[] = {2000, 2720, 2448, 3264};
	struct sim_config cfg;
	struct sim *sim;

	*zspages = *spanning = 0;
	sim_config_default(&cfg);
	cfg.mem.ram_bytes = 16ull << 20;
	cfg.mem.highmem = false;
	cfg.pool.profile = "v4.1";
	cfg.zram_disksize = 64ull << 20;
	cfg.policies = 1u << POLICY_GROUPED;
	cfg.check_every = 100;
	REQUIRE(sim_create(&cfg, NULL, &sim, msg, sizeof(msg)) == 0);
	for (uint64_t i = 0; i < 400; i++) {
		feed(sim, SIM_OP_GET, i, 0);
		feed(sim, SIM_OP_WRITE, i, sizes[(i * 7) % 4]);
	}
	for (unsigned long f = 0; f < physmem_nr_frames(sim_mem(sim)); f++) {
		struct zs_zspage_info zi;

		if (zs_zspage_info(sim_pool(sim), f, &zi) != 0 || zi.pages[0] != f)
			continue;
		(*zspages)++;
		for (unsigned int i = 1; i < zi.nr_pages; i++)
			if (zi.pages[i] / 4 != f / 4) {
				(*spanning)++;
				break;
			}
	}
	sim_destroy(sim);
}

static void test_replay_placement(void)
{
	unsigned long zs_windows, mixed;

	/* 800 objects of the 2 KiB class: 400 one-page zspages, 100 windows of four */
	mixed_windows(1u << POLICY_GROUPED, &zs_windows, &mixed);
	CHECK_EQ(zs_windows, 100);
	CHECK_EQ(mixed, 0);
	/* the same trace placed as zsmalloc places it: kernel and zspage pages share windows */
	mixed_windows(0, &zs_windows, &mixed);
	CHECK_LT(100, zs_windows);
	CHECK_LT(0, mixed);
	/* zspages of every length, each inside one window */
	unsigned long zspages, spanning;

	spanning_zspages(&zspages, &spanning);
	CHECK_LT(100, zspages);
	CHECK_EQ(spanning, 0);
}

int main(void)
{
	RUN(test_layout);
	RUN(test_take);
	RUN(test_low_watermark);
	RUN(test_release);
	RUN(test_zspage_runs);
	RUN(test_split_refusals);
	RUN(test_replay_placement);
	return test_summary();
}
