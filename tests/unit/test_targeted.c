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

static int build(struct layout *l, const char *profile)
{
	static const unsigned long zs_frames[] = {1, 4, 5, 9, 12, 20};
	static const unsigned long free_frames[] = {0, 2, 3, 6, 7, 13, 14, 15};
	/* objects freed, zspage by zspage, Zf last: Za keeps 3, Zb 1, Zc 1, Zd 1, Ze 2, Zf 1 */
	static const unsigned int drop[] = {3,	5,  6,	7,  9,	10, 11, 13,
					    14, 15, 18, 19, 21, 22, 23};
	struct physmem_config c;
	struct zs_pool_config pc = {profile, ZS_ARCH_ARM32, 4096, 0, false};
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
	for (unsigned int i = 0; i < 8; i++)
		physmem_free(l->qp.pm, free_frames[i], 0);
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

/* ---- stress: a seeded replay with the policy on, checked after every targeted compaction ---- */
struct stress {
	struct sim *sim;
	uint64_t compactions, bad_pool, mismatches;
};

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

/*
 * Phase 1 fills the machine with one kernel page, then two 2000-byte swap
 * writes (one zspage page of the 2 KiB class), over and over, so kernel and
 * zspage frames alternate; phase 2 frees every kernel page (order-0 holes
 * beside zspage pages) and discards one slot of each pair (every zspage
 * half empty, none freed: no free block above order 0); phase 3 forks and exits at random while writes and discards go
 * on. Every targeted compaction is checked (on_compaction).
 */
static void stress_profile(const char *profile, unsigned int policies, uint64_t seed, bool expect)
{
	struct sim_config cfg;
	struct stress s = {0};
	struct sim_sinks sinks = {.ctx = &s, .compaction = on_compaction};
	uint64_t x = seed, slots = 0, gets = 0;

	sim_config_default(&cfg);
	cfg.mem.ram_bytes = 16ull << 20;
	cfg.mem.highmem = false;
	cfg.pool.profile = profile;
	cfg.zram_disksize = 64ull << 20;
	cfg.policies = policies;
	cfg.check_every = 1000;
	REQUIRE(sim_create(&cfg, &sinks, &s.sim, msg, sizeof(msg)) == 0);
	while (physmem_free_pages(sim_mem(s.sim)) > 100 && gets < 4096) {
		feed(&s, SIM_OP_GET, gets++, 0);
		feed(&s, SIM_OP_WRITE, slots++, 2000);
		feed(&s, SIM_OP_WRITE, slots++, 2000);
	}
	for (uint64_t g = 0; g < gets; g++)
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
			feed(&s, SIM_OP_DISCARD, (r >> 8) % slots, 0);
			break;
		}
	}
	feed(&s, SIM_OP_VERIFY, 0, 0);
	fprintf(stderr, "  %s policies %#x seed %llu: %llu targeted compactions\n", profile,
		policies, (unsigned long long)seed, (unsigned long long)s.compactions);
	if (expect)
		CHECK(s.compactions > 0);
	CHECK_U64_EQ(s.bad_pool, 0);
	CHECK_U64_EQ(s.mismatches, 0);
	sim_destroy(s.sim);
}

static void test_stress(void)
{
	const unsigned int t = 1u << POLICY_TARGETED, g = 1u << POLICY_GROUPED;

	stress_profile("v4.1", t, 1, true);
	stress_profile("v4.3", t, 2, true);
	/* 4.8+: zram's pages are movable and sit in their own pageblocks, apart from the kernel's */
	stress_profile("v6.12", t, 3, false);
	/* with grouped placement (policy_grouped.c) the fill's zspage pages come four to a block
	 * while blocks last, and their windows merge when the kernel pages go: on this seed no
	 * fork would stall, so the run checks the placement (invariants every 1000 events, the
	 * payloads at the end), not the clearing */
	stress_profile("v4.1", t | g, 4, false);
}

int main(void)
{
	RUN(test_layout);
	RUN(test_find_windows);
	RUN(test_clear_window);
	RUN(test_compact_zspages);
	RUN(test_compact_zspages_avoid);
	RUN(test_stress);
	return test_summary();
}
