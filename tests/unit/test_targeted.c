/*
 * test_targeted.c - the targeted policy (sim/policy_targeted.c) and the
 * allocator entry point it uses (allocator/compact_zspages.c), on hand-built
 * layouts, plus a seeded stress run with the policy on.
 *
 * Objects: 1020-byte requests on v4.1 arm32 land in class 62 (1024 bytes:
 * 1020 + the 4-byte handle header), one page, 4 objects per zspage; every
 * partial zspage of it is ALMOST_EMPTY (inuse <= 3N/4 = 3), and a zspage
 * whose group changes becomes the head of its list (4.1's insert_zspage).
 *
 * The physical layout (64 frames, watermarks 0, max_order 4): every frame
 * allocated as a kernel page, then frames 0 2 3 6 7 13 14 15 freed; the
 * zspages take, in creation order, frames 1 4 5 9 12 20 (the provider hands
 * out exactly those). Objects kept per zspage after the frees:
 *   Za@1: 3   Zb@4: 1   Zc@5: 1   Zd@9: 1   Ze@12: 2   Zf@20: 1
 * Order-2 windows (4 frames each):
 *   [0..3]   Za + free       -> 3 objects, 3072 bytes
 *   [4..7]   Zb, Zc + free   -> 2 objects, 2048 bytes
 *   [8..11]  kernel page 8   -> not eligible (9 pinned by Zd beside it)
 *   [12..15] Ze + free       -> 2 objects, 2048 bytes (ties [4..7]; higher frame)
 *   [20..23] Zf + kernel     -> not eligible; every other window is kernel pages
 * Cheapest: [4..7]. Zf is freed from last, so it heads ALMOST_EMPTY and takes
 * both objects (Zb's, then Zc's): Zf ends with 3, Zb and Zc are freed, and
 * frames 4..7 merge into one order-2 block. Free frames before: buddyinfo
 * 2 o0 (0, 13), 3 o1 (2, 6, 14), no o2 -> an order-2 request would stall.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "physmem.h"
#include "targeted.h"
#include "test_util.h"
#include "zram.h"
#include "zs_provider.h"
#include "zsmalloc.h"

#define OBJ_SIZE 1020

static char msg[256];

/* ---- a provider that hands out the frames the test names ---- */
struct queue_provider {
	struct physmem *pm;
	unsigned long q[16];
	unsigned int n, next;
};

static int q_alloc(void *ctx, unsigned int gfp, unsigned long *pfn)
{
	struct queue_provider *qp = ctx;

	(void)gfp;
	if (qp->next == qp->n)
		return -ENOMEM;
	*pfn = qp->q[qp->next++];
	return physmem_set_owner(qp->pm, *pfn, PHYSMEM_OWNER_ZSPAGE, 0);
}
static void q_free(void *ctx, unsigned long pfn)
{
	zs_provider_ops()->free_page(((struct queue_provider *)ctx)->pm, pfn);
}
static void *q_addr(void *ctx, unsigned long pfn)
{
	return physmem_page_address(((struct queue_provider *)ctx)->pm, pfn);
}
static void **q_priv(void *ctx, unsigned long pfn)
{
	return physmem_page_private(((struct queue_provider *)ctx)->pm, pfn);
}
static const struct zs_page_ops q_ops = {
    .alloc_page = q_alloc, .free_page = q_free, .page_address = q_addr, .page_private = q_priv};

struct layout {
	struct queue_provider qp;
	struct zs_pool *pool;
	unsigned long h[24]; /* object k of zspage z is h[4z + k]; 0 once freed */
};

static void fill(void *p, unsigned long h)
{
	memset(p, (int)(h & 0xff), OBJ_SIZE);
}

static bool holds(struct zs_pool *pool, unsigned long h)
{
	const unsigned char *p = zs_map_object(pool, h, ZS_MM_RO);
	bool ok = true;

	for (unsigned int i = 0; i < OBJ_SIZE; i++)
		ok &= p[i] == (unsigned char)(h & 0xff);
	zs_unmap_object(pool, h);
	return ok;
}

/*
 * The layouts' machine: 64 frames (orders 0..3, pageblocks of 8 frames, no
 * HighMem, no watermarks), every frame taken in order, then the nr_free
 * free_frames given back. l is cleared first; the caller queues the zspages'
 * frames in l->qp.
 */
static int build_machine(struct layout *l, const unsigned long *free_frames, size_t nr_free)
{
	struct physmem_config c;
	unsigned long pfn;

	memset(l, 0, sizeof(*l));
	physmem_config_default(&c);
	c.ram_bytes = 64 * 4096;
	c.max_order = 4;
	c.pageblock_order = 3;
	c.highmem = false;
	c.min_free_kbytes = 0;
	if (physmem_create(&c, &l->qp.pm))
		return -1;
	physmem_set_watermarks(l->qp.pm, 0, 0, 0, 0);
	for (unsigned long i = 0; i < 64; i++)
		if (physmem_alloc(l->qp.pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn) || pfn != i)
			return -1;
	for (size_t i = 0; i < nr_free; i++)
		physmem_free(l->qp.pm, free_frames[i], 0);
	return 0;
}

static int build(struct layout *l, const char *profile)
{
	static const unsigned long zs_frames[] = {1, 4, 5, 9, 12, 20};
	static const unsigned long free_frames[] = {0, 2, 3, 6, 7, 13, 14, 15};
	/* objects freed, zspage by zspage, Zf last: Za keeps 3, Zb 1, Zc 1, Zd 1, Ze 2, Zf 1 */
	static const unsigned int drop[] = {3,	5,  6,	7,  9,	10, 11, 13,
					    14, 15, 18, 19, 21, 22, 23};
	struct zs_pool_config pc = {profile, ZS_ARCH_ARM32, 4096, 0, false};

	if (build_machine(l, free_frames, sizeof(free_frames) / sizeof(free_frames[0])))
		return -1;
	memcpy(l->qp.q, zs_frames, sizeof(zs_frames));
	l->qp.n = 6;
	if (zs_create_pool(&pc, &q_ops, &l->qp, &l->pool))
		return -1;
	for (unsigned int i = 0; i < 24; i++) {
		if (zs_malloc(l->pool, OBJ_SIZE, 0, &l->h[i]))
			return -1;
		fill(zs_map_object(l->pool, l->h[i], ZS_MM_WO), l->h[i]);
		zs_unmap_object(l->pool, l->h[i]);
	}
	for (unsigned int i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		zs_free(l->pool, l->h[drop[i]]);
		l->h[drop[i]] = 0;
	}
	return 0;
}

static void teardown(struct layout *l)
{
	zs_destroy_pool(l->pool);
	physmem_destroy(l->qp.pm);
}

static unsigned int inuse_at(struct zs_pool *pool, unsigned long pfn)
{
	struct zs_zspage_info zi;

	return zs_zspage_info(pool, pfn, &zi) == 0 ? zi.inuse : 999;
}

static void test_layout(void)
{
	struct layout l;

	REQUIRE(build(&l, "v4.1") == 0);
	CHECK_EQ(inuse_at(l.pool, 1), 3);
	CHECK_EQ(inuse_at(l.pool, 4), 1);
	CHECK_EQ(inuse_at(l.pool, 5), 1);
	CHECK_EQ(inuse_at(l.pool, 9), 1);
	CHECK_EQ(inuse_at(l.pool, 12), 2);
	CHECK_EQ(inuse_at(l.pool, 20), 1);
	CHECK_EQ(inuse_at(l.pool, 0), 999); /* a free frame is no zspage */
	CHECK_EQ(physmem_nr_free(l.qp.pm, 0, 0), 2);
	CHECK_EQ(physmem_nr_free(l.qp.pm, 0, 1), 3);
	CHECK_EQ(physmem_nr_free(l.qp.pm, 0, 2), 0);
	CHECK(targeted_would_stall(l.qp.pm, 2, NULL));
	CHECK(!targeted_would_stall(l.qp.pm, 1, NULL)); /* order-1 blocks are there */
	teardown(&l);
}

/* The windows and their prices, cheapest first, as the head comment works out. */
static void test_find_windows(void)
{
	struct targeted_window w[TARGETED_CANDIDATES];
	struct layout l;
	unsigned int n;

	REQUIRE(build(&l, "v4.1") == 0);
	CHECK_EQ(targeted_find_windows(l.qp.pm, l.pool, 0, 2, false, w, &n), 0);
	REQUIRE(n == 3);
	CHECK_EQ(w[0].pfn, 4);
	CHECK_EQ(w[0].nr_pins, 2);
	CHECK_EQ(w[0].objs, 2);
	CHECK_U64_EQ(w[0].cost, 2048);
	CHECK_EQ(w[0].pin[0].pfn, 4);
	CHECK_EQ(w[0].pin[1].pfn, 5);
	CHECK_EQ(w[1].pfn, 12);
	CHECK_U64_EQ(w[1].cost, 2048);
	CHECK_EQ(w[2].pfn, 0);
	CHECK_EQ(w[2].objs, 3);
	CHECK_U64_EQ(w[2].cost, 3072);
	teardown(&l);
}

/* Clearing [4..7]: both objects into Zf (the head), Zb and Zc freed, one order-2 block. */
static void test_clear_window(void)
{
	struct targeted_result r = {0};
	struct physmem_block blk;
	struct layout l;

	REQUIRE(build(&l, "v4.1") == 0);
	CHECK_EQ(targeted_run(l.qp.pm, l.pool, 2, 4, NULL, &r), 1);
	CHECK_U64_EQ(r.windows, 1);
	CHECK_U64_EQ(r.zspages_freed, 2);
	CHECK_U64_EQ(r.objs_migrated, 2);
	CHECK_U64_EQ(r.bytes_copied, 2048);
	CHECK_U64_EQ(r.pages_freed, 2);
	CHECK_EQ(inuse_at(l.pool, 4), 999);
	CHECK_EQ(inuse_at(l.pool, 5), 999);
	CHECK_EQ(inuse_at(l.pool, 20), 3); /* Zf took both */
	CHECK_EQ(inuse_at(l.pool, 1), 3);  /* nothing else moved */
	CHECK_EQ(inuse_at(l.pool, 12), 2);
	CHECK_EQ(physmem_block_at(l.qp.pm, 4, &blk), 0);
	CHECK(blk.free && blk.head_pfn == 4 && blk.order == 2);
	CHECK(!targeted_would_stall(l.qp.pm, 2, NULL));
	for (unsigned int i = 0; i < 24; i++)
		if (l.h[i])
			CHECK(holds(l.pool, l.h[i]));
	CHECK_EQ(zs_pool_check(l.pool, msg, sizeof(msg)), 0);
	CHECK_EQ(physmem_check(l.qp.pm, msg, sizeof(msg)), 0);
	teardown(&l);
}

/* zs_compact_zspages: avoided destinations, all-or-nothing refusal. */
static void test_compact_zspages(void)
{
	struct zs_compact_result r = {0};
	struct layout l;
	unsigned long src;

	REQUIRE(build(&l, "v4.1") == 0);
	src = 1; /* Za: its 3 objects need room; the class has 15 free slots, 1 of them Za's */
	CHECK_EQ(zs_class_room(l.pool, zs_lookup_class_index(l.pool, OBJ_SIZE), NULL, NULL),
		 1 + 3 + 3 + 3 + 2 + 3);
	CHECK_EQ(zs_compact_zspages(l.pool, &src, 1, NULL, NULL, &r), 0);
	/* unfiltered: Zf (the head, room 3) takes all three */
	CHECK_EQ(inuse_at(l.pool, 20), 4);
	CHECK_EQ(inuse_at(l.pool, 1), 999);
	CHECK_U64_EQ(r.objs_migrated, 3);
	CHECK_EQ(zs_pool_check(l.pool, msg, sizeof(msg)), 0);
	teardown(&l);
}

static bool avoid_20(void *ctx, unsigned long pfn)
{
	(void)ctx;
	return pfn == 20;
}

static bool avoid_all_but_none(void *ctx, unsigned long pfn)
{
	(void)ctx;
	return pfn != 1; /* every destination is avoided */
}

static void test_compact_zspages_avoid(void)
{
	struct zs_compact_result r = {0};
	struct layout l;
	unsigned long src = 1;

	REQUIRE(build(&l, "v4.1") == 0);
	CHECK_EQ(zs_compact_zspages(l.pool, &src, 1, avoid_all_but_none, NULL, &r), -ENOSPC);
	CHECK_EQ(inuse_at(l.pool, 1), 3);
	CHECK_U64_EQ(r.objs_migrated, 0);
	/* Zf avoided: the next in ALMOST_EMPTY is Ze (freed from just before Zf), room 2, then
	 * Zd: 2 objects into Ze, 1 into Zd */
	CHECK_EQ(zs_compact_zspages(l.pool, &src, 1, avoid_20, NULL, &r), 0);
	CHECK_EQ(inuse_at(l.pool, 20), 1);
	CHECK_EQ(inuse_at(l.pool, 12), 4);
	CHECK_EQ(inuse_at(l.pool, 9), 2);
	CHECK_EQ(inuse_at(l.pool, 1), 999);
	for (unsigned int i = 0; i < 24; i++)
		if (l.h[i])
			CHECK(holds(l.pool, l.h[i]));
	CHECK_EQ(zs_pool_check(l.pool, msg, sizeof(msg)), 0);
	teardown(&l);
}

/*
 * 4.8+: where migrating a pin's pages inside the window copies fewer bytes than emptying it,
 * the pin is migrated. v6.12 arm32 classes: 3000-byte objects in class 3072 (3 pages, 4
 * objects), 2000-byte ones in class 2048 (1 page, 2 objects). Layout (64 frames, all kernel
 * pages, then 0 1 2 4 6 7 40 freed); the zspages take, in creation order:
 *   Zm@3,8,9 (class 3072): 4 objects      Zs@5 (2048): 1      Zt@20 (2048): 1
 * Windows:
 *   [0..3]  Zm's first page + free: emptying copies 4 x 3072 = 12288 bytes, migrating its one
 *           page in the window 4096 -> migrate, 4096; without migration not eligible at all
 *           (the class has no slot outside Zm)
 *   [4..7]  Zs + free: emptying 2048 (its object into Zt, the class's only room) < 4096
 *   [8..11], [20..23]: kernel pages beside Zm's other pages and Zt -> not eligible
 * Cheapest [4..7] (emptied), then [0..3] (migrated, to frame 40: the one free frame outside
 * the window).
 */
#define BIG_SIZE   3000
#define SMALL_SIZE 2000

static int build_migrate(struct layout *l)
{
	static const unsigned long zs_frames[] = {3, 8, 9, 5, 20};
	static const unsigned long free_frames[] = {0, 1, 2, 4, 6, 7, 40};
	struct zs_pool_config pc = {"v6.12", ZS_ARCH_ARM32, 4096, 0, false};

	if (build_machine(l, free_frames, sizeof(free_frames) / sizeof(free_frames[0])))
		return -1;
	memcpy(l->qp.q, zs_frames, sizeof(zs_frames));
	l->qp.n = 5;
	if (zs_create_pool(&pc, &q_ops, &l->qp, &l->pool))
		return -1;
	/* h[0..3] fill Zm; h[4], h[5] Zs; h[6], h[7] Zt; then one object of Zs and of Zt goes */
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int size = i < 4 ? BIG_SIZE : SMALL_SIZE;

		if (zs_malloc(l->pool, size, 0, &l->h[i]))
			return -1;
		memset(zs_map_object(l->pool, l->h[i], ZS_MM_WO), (int)(l->h[i] & 0xff), size);
		zs_unmap_object(l->pool, l->h[i]);
	}
	zs_free(l->pool, l->h[5]);
	zs_free(l->pool, l->h[7]);
	l->h[5] = l->h[7] = 0;
	return 0;
}

static bool holds_n(struct zs_pool *pool, unsigned long h, unsigned int size)
{
	const unsigned char *p = zs_map_object(pool, h, ZS_MM_RO);
	bool ok = true;

	for (unsigned int i = 0; i < size; i++)
		ok &= p[i] == (unsigned char)(h & 0xff);
	zs_unmap_object(pool, h);
	return ok;
}

static void test_migrate_pricing(void)
{
	struct targeted_window w[TARGETED_CANDIDATES];
	struct layout l;
	unsigned int n;

	REQUIRE(build_migrate(&l) == 0);
	CHECK_EQ(inuse_at(l.pool, 3), 4);
	CHECK_EQ(inuse_at(l.pool, 9), 4); /* Zm's third page */
	CHECK_EQ(inuse_at(l.pool, 5), 1);
	CHECK_EQ(inuse_at(l.pool, 20), 1);
	CHECK(targeted_would_stall(l.qp.pm, 2, NULL));
	/* no migration: Zm cannot be emptied, so only [4..7] */
	CHECK_EQ(targeted_find_windows(l.qp.pm, l.pool, 0, 2, false, w, &n), 0);
	REQUIRE(n == 1);
	CHECK_EQ(w[0].pfn, 4);
	CHECK(!w[0].pin[0].migrate);
	CHECK_U64_EQ(w[0].cost, 2048);
	/* with migration: [4..7] still emptied (2048 < 4096), [0..3] migrated (4096 < 12288) */
	CHECK_EQ(targeted_find_windows(l.qp.pm, l.pool, 0, 2, true, w, &n), 0);
	REQUIRE(n == 2);
	CHECK_EQ(w[0].pfn, 4);
	CHECK(!w[0].pin[0].migrate);
	CHECK_U64_EQ(w[0].cost, 2048);
	CHECK_EQ(w[1].pfn, 0);
	REQUIRE(w[1].nr_pins == 1);
	CHECK_EQ(w[1].pin[0].pfn, 3);
	CHECK_EQ(w[1].pin[0].in_window, 1);
	CHECK_EQ(w[1].pin[0].inuse, 4);
	CHECK(w[1].pin[0].migrate);
	CHECK_U64_EQ(w[1].cost, 4096);
	CHECK_U64_EQ(w[1].objs, 4);
	teardown(&l);
}

/* targeted_run empties [4..7]; clearing [0..3] then migrates Zm's page 3 to frame 40. */
static void test_clear_window_migrate(void)
{
	struct targeted_window w[TARGETED_CANDIDATES];
	struct targeted_result r = {0};
	struct physmem_block blk;
	struct zs_zspage_info zi;
	struct layout l;
	unsigned int n;

	REQUIRE(build_migrate(&l) == 0);
	CHECK_EQ(targeted_run(l.qp.pm, l.pool, 2, 1, NULL, &r), 1);
	CHECK_U64_EQ(r.zspages_freed, 1);
	CHECK_U64_EQ(r.objs_migrated, 1);
	CHECK_U64_EQ(r.pages_migrated, 0);
	CHECK_U64_EQ(r.bytes_copied, 2048);
	CHECK_EQ(inuse_at(l.pool, 5), 999);
	CHECK_EQ(inuse_at(l.pool, 20), 2); /* Zt took Zs's object */
	CHECK_EQ(physmem_block_at(l.qp.pm, 4, &blk), 0);
	CHECK(blk.free && blk.head_pfn == 4 && blk.order == 2);

	memset(&r, 0, sizeof(r));
	CHECK_EQ(targeted_find_windows(l.qp.pm, l.pool, 0, 2, true, w, &n), 0);
	REQUIRE(n == 1 && w[0].pfn == 0 && w[0].pin[0].migrate);
	CHECK_EQ(targeted_clear_window(l.qp.pm, l.pool, &w[0], &r), 0);
	CHECK_U64_EQ(r.windows, 1);
	CHECK_U64_EQ(r.pages_migrated, 1);
	CHECK_U64_EQ(r.objs_migrated, 0);
	CHECK_U64_EQ(r.zspages_freed, 0);
	CHECK_U64_EQ(r.bytes_copied, 4096);
	CHECK_EQ(inuse_at(l.pool, 3), 999); /* Zm left frame 3 ... */
	REQUIRE(zs_zspage_info(l.pool, 40, &zi) == 0); /* ... for frame 40, its chain kept */
	CHECK_EQ(zi.inuse, 4);
	CHECK_EQ(zi.nr_pages, 3);
	CHECK_EQ(zi.pages[0], 40);
	CHECK_EQ(zi.pages[1], 8);
	CHECK_EQ(zi.pages[2], 9);
	CHECK_EQ(physmem_block_at(l.qp.pm, 0, &blk), 0);
	CHECK(blk.free && blk.head_pfn == 0 && blk.order == 3); /* [0..3] and [4..7] merged */
	for (unsigned int i = 0; i < 8; i++)
		if (l.h[i])
			CHECK(holds_n(l.pool, l.h[i], i < 4 ? BIG_SIZE : SMALL_SIZE));
	CHECK_EQ(zs_pool_check(l.pool, msg, sizeof(msg)), 0);
	CHECK_EQ(physmem_check(l.qp.pm, msg, sizeof(msg)), 0);
	teardown(&l);
}

/* ---- stress: a seeded replay with the policy on, checked after every targeted compaction ---- */
struct stress {
	struct sim *sim;
	uint64_t compactions, bad_pool, mismatches;
	uint64_t pages_migrated; /* by targeted, from the last snapshot */
};

static void on_snapshot(void *ctx, const struct sim_snapshot *snap)
{
	((struct stress *)ctx)->pages_migrated = snap->other.targeted_pages_migrated;
}

static void on_compaction(void *ctx, const struct sim_compaction *c)
{
	struct stress *s = ctx;
	char why[256];

	if (strcmp(c->trigger, "targeted"))
		return;
	s->compactions++;
	if (zs_pool_check(sim_pool(s->sim), why, sizeof(why)) != 0) {
		if (!s->bad_pool++)
			fprintf(stderr, "zs_pool_check: %s\n", why);
	}
	s->mismatches += zram_verify_all(sim_zram(s->sim));
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void feed(struct stress *s, enum sim_op op, uint64_t id, uint32_t size)
{
	struct sim_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.op = op;
	ev.id = id;
	ev.size = size;
	ev.mtype = SIM_MT_UNMOVABLE;
	if (sim_event(s->sim, &ev, msg, sizeof(msg)) != 0 && !strstr(msg, "unknown") &&
	    !strstr(msg, "alive")) {
		fprintf(stderr, "%s\n", msg);
		CHECK(0);
	}
}

/* One stress run: the machine, what phase 2 keeps, and whether clearing must happen. */
struct stress_case {
	const char *profile;
	unsigned int policies;
	uint64_t seed;
	unsigned int put_every; /* phase 2 frees every kernel page (1) or every other one (2) */
	uint32_t fill_size;	/* bytes per phase-1 write */
	bool expect_clearing;	/* at least one targeted compaction */
	bool expect_migration;	/* at least one zspage page migrated out of a window */
};

/*
 * Phase 1 fills the machine with one kernel page, then two swap writes of
 * fill_size bytes (2000: one zspage page of the 2 KiB class; 3000: half a
 * 3-page zspage of class 3072, whose pins are cheaper to migrate than to
 * empty), over and over, so kernel and zspage frames alternate (4.8+: in
 * their own pageblocks); phase 2 frees every kernel page or every other
 * one (order-0 holes), and discards one slot of each pair (every zspage
 * half empty, none freed); phase 3 forks and exits at random while writes
 * and discards go on. Every targeted compaction is checked (on_compaction).
 */
static void stress_run(const struct stress_case *k)
{
	struct sim_config cfg;
	struct stress s = {0};
	struct sim_sinks sinks = {.ctx = &s, .snapshot = on_snapshot, .compaction = on_compaction};
	uint64_t x = k->seed, slots = 0, gets = 0;

	sim_config_default(&cfg);
	cfg.mem.ram_bytes = 16ull << 20;
	cfg.mem.highmem = false;
	cfg.pool.profile = k->profile;
	cfg.zram_disksize = 64ull << 20;
	cfg.policies = k->policies;
	cfg.check_every = 1000;
	/* kept kernel pages make unmovable requests steal movable pageblocks, and 6.x boosts the
	 * watermarks at each steal until the zone reads as short of memory, where targeted (for
	 * fragmentation) rightly does nothing: those runs go without boosting */
	if (k->put_every > 1)
		cfg.mem.watermark_boost_factor = 0;
	REQUIRE(sim_create(&cfg, &sinks, &s.sim, msg, sizeof(msg)) == 0);
	while (physmem_free_pages(sim_mem(s.sim)) > 100 && gets < 4096) {
		feed(&s, SIM_OP_GET, gets++, 0);
		feed(&s, SIM_OP_WRITE, slots++, k->fill_size);
		feed(&s, SIM_OP_WRITE, slots++, k->fill_size);
	}
	for (uint64_t g = 0; g < gets; g += k->put_every)
		feed(&s, SIM_OP_PUT, g, 0);
	for (uint64_t i = 0; i + 1 < slots; i += 2) /* one object of each zspage page */
		feed(&s, SIM_OP_DISCARD, i + (rnd(&x) & 1), 0);
	for (uint64_t i = 0; i < 20000; i++) {
		uint64_t r = rnd(&x);

		switch (r % 4) {
		case 0:
			feed(&s, SIM_OP_FORK, (r >> 8) % 128, 0);
			break;
		case 1:
			feed(&s, SIM_OP_EXIT, (r >> 8) % 128, 0);
			break;
		case 2:
			feed(&s, SIM_OP_WRITE, (r >> 8) % slots, (uint32_t)(100 + (r >> 24) % 3000));
			break;
		default:
			/* with kernel pages kept, fewer discards: a pool that frees less
			 * merges fewer blocks of its own, and forks use them up */
			if (k->put_every > 1 && (r >> 40) % 4)
				feed(&s, SIM_OP_FORK, (r >> 8) % 128, 0);
			else
				feed(&s, SIM_OP_DISCARD, (r >> 8) % slots, 0);
			break;
		}
	}
	feed(&s, SIM_OP_VERIFY, 0, 0);
	sim_snapshot_now(s.sim, "end");
	fprintf(stderr, "  %s policies %#x seed %llu: %llu targeted compactions, %llu pages migrated\n",
		k->profile, k->policies, (unsigned long long)k->seed,
		(unsigned long long)s.compactions,
		(unsigned long long)s.pages_migrated);
	if (k->expect_clearing)
		CHECK(s.compactions > 0);
	if (k->expect_migration)
		CHECK(s.pages_migrated > 0);
	CHECK_U64_EQ(s.bad_pool, 0);
	CHECK_U64_EQ(s.mismatches, 0);
	sim_destroy(s.sim);
}

static void test_stress(void)
{
	static const struct stress_case cases[] = {
	    {"v4.1", 1u << POLICY_TARGETED, 1, 1, 2000, true, false},
	    {"v4.3", 1u << POLICY_TARGETED, 2, 1, 2000, true, false},
	    /* 4.8+: zram's pages are movable and sit in their own pageblocks, apart from the
	     * kernel's; with every kernel page gone no fork would stall, nothing is cleared */
	    {"v6.12", 1u << POLICY_TARGETED, 3, 1, 2000, false, false},
	    /* every other kernel page kept: no order-2 block in the kernel's pageblocks; the
	     * windows cleared are the pool's own, by emptying (2 KiB class) or by migrating
	     * (3-page zspages) */
	    {"v6.12", 1u << POLICY_TARGETED, 5, 2, 2000, true, false},
	    {"v6.12", 1u << POLICY_TARGETED, 7, 2, 3000, true, true},
	    /* grouped placement (policy_grouped.c): the fill's zspage pages come four to a block
	     * while blocks last; with every kernel page gone their windows merge and no fork
	     * stalls (placement and payloads checked), with every other kept the pool's windows
	     * are cleared */
	    {"v4.1", (1u << POLICY_TARGETED) | (1u << POLICY_GROUPED), 4, 1, 2000, false, false},
	    {"v4.1", (1u << POLICY_TARGETED) | (1u << POLICY_GROUPED), 6, 2, 2000, true, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		stress_run(&cases[i]);
}

int main(void)
{
	RUN(test_layout);
	RUN(test_find_windows);
	RUN(test_clear_window);
	RUN(test_compact_zspages);
	RUN(test_compact_zspages_avoid);
	RUN(test_migrate_pricing);
	RUN(test_clear_window_migrate);
	RUN(test_stress);
	return test_summary();
}
