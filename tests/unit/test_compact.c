/*
 * test_compact.c - zs_compact(), zs_can_compact() and the shrinker entry
 * points against hand-calculated outcomes.
 *
 * Every expectation is derived in the comment above its test from the rules
 * of shared/reference/zsmalloc-facts.md §3.3 (fullness groups and list
 * order) and §5 (compaction per era). The host page provider hands out fresh
 * frames lowest first, so the n-th page the pool takes is frame n - 1 and we
 * can tell which zspage survived by asking which frames still belong to the
 * pool (a freed frame's private word is cleared).
 *
 * Free-list order matters for where moved objects land: init_zspage()
 * threads the list in address order, obj_free() pushes on the head, so a
 * zspage whose objects 0 then 1 were freed hands out slot 1, then slot 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "test_util.h"
#include "zsmalloc.h"

/* ---- helpers (the payload pattern is tests/pattern.h) ---- */

struct fixture {
	struct zs_host_pages *hp;
	struct zs_pool *pool;
	const struct zs_page_ops *ops;
};

static bool fx_init(struct fixture *fx, const char *profile, unsigned long max_pages)
{
	struct zs_pool_config cfg = { .profile = profile, .arch = ZS_ARCH_X86_64 };

	fx->ops = zs_host_page_ops();
	fx->pool = NULL;
	if (zs_host_pages_create(4096, max_pages, &fx->hp) != 0)
		return false;
	return zs_create_pool(&cfg, fx->ops, fx->hp, &fx->pool) == 0;
}

static void fx_fini(struct fixture *fx)
{
	zs_destroy_pool(fx->pool);
	zs_host_pages_destroy(fx->hp);
}

static unsigned long alloc_fill(struct fixture *fx, size_t size, uint64_t id)
{
	unsigned long h = 0;
	uint8_t *p;

	if (zs_malloc(fx->pool, size, 0, &h) != 0)
		return 0;
	p = zs_map_object(fx->pool, h, ZS_MM_WO);
	pattern_fill(p, size, id);
	zs_unmap_object(fx->pool, h);
	return h;
}

static bool payload_ok(struct fixture *fx, unsigned long h, size_t size, uint64_t id)
{
	const uint8_t *p = zs_map_object(fx->pool, h, ZS_MM_RO);
	bool ok = p && pattern_ok(p, size, id);

	zs_unmap_object(fx->pool, h);
	return ok;
}

/* The address an RO mapping of h returns (valid for objects inside one page). */
static const uint8_t *where(struct fixture *fx, unsigned long h)
{
	const uint8_t *p = zs_map_object(fx->pool, h, ZS_MM_RO);

	zs_unmap_object(fx->pool, h);
	return p;
}

static const uint8_t *frame(struct fixture *fx, unsigned long pfn)
{
	return fx->ops->page_address(fx->hp, pfn);
}

/* Does frame pfn still belong to a zspage of the pool? */
static bool owned(struct fixture *fx, unsigned long pfn)
{
	return *fx->ops->page_private(fx->hp, pfn) != NULL;
}

static bool pool_ok(struct fixture *fx)
{
	char msg[256];

	if (zs_pool_check(fx->pool, msg, sizeof(msg)) == 0)
		return true;
	fprintf(stderr, "  zs_pool_check: %s\n", msg);
	return false;
}

/* ---- (a), (b): one-page class 1024 ---- */

/*
 * The setup of the one-page cases: class 1024 (1016 bytes and the header),
 * one page and 4 objects per zspage, filled with 8 objects h[0..7]: two full
 * zspages, frames 0 and 1. False (after a failed check) when it is not so.
 */
static bool two_full_zspages(struct fixture *fx, const char *profile, unsigned long *h,
			     unsigned int *idx)
{
	struct zs_class_info ci;

	if (!fx_init(fx, profile, 16))
		return false;
	*idx = zs_lookup_class_index(fx->pool, 1016);
	if (zs_class_info(fx->pool, *idx, &ci) != 0)
		return false;
	CHECK_EQ(ci.size, 1024);
	CHECK_EQ(ci.pages_per_zspage, 1);
	CHECK_EQ(ci.objs_per_zspage, 4);
	for (unsigned int i = 0; i < 8; i++)
		if ((h[i] = alloc_fill(fx, 1016, i)) == 0)
			return false;
	return ci.size == 1024 && ci.objs_per_zspage == 4;
}

/*
 * Class 1024 (request 1016 + 8 header): 4096 / 1024 = 4 objects in 1 page
 * (100% used with one page in every chain rule; a power of two is one page
 * in 6.3+). Allocate 8: objects 0-3 fill A (frame 0), 4-7 fill B (frame 1).
 * Free A's objects 0 and 1, then B's 0 and 1 (handles h0, h1, h4, h5).
 *
 * v6.1 (ALMOST_EMPTY iff inuse <= 3*4/4 = 3; head unless fewer than the
 * head, then after it): A enters ALMOST_EMPTY at inuse 3 alone and drops to
 * 2 in place; B enters at 3 >= 2: head. List: B, A. obj_allocated 8,
 * obj_used 4: zs_can_compact = (8 - 4) / 4 * 1 = 1 page.
 * zs_compact: source = head of ALMOST_EMPTY = B (can_compact 1 > 0);
 * destination = head of ALMOST_FULL (none), else of ALMOST_EMPTY = A. B's
 * live objects in address order, 2 (h6) and 3 (h7), go to A's free slots:
 * A freed 0 then 1, so h6 -> slot 1, h7 -> slot 0. A is FULL, B EMPTY and
 * freed. Next source: none (A is FULL). Result: 2 objects, 2 * 1024 = 2048
 * bytes, 1 page, 1 zspage; pool 2 -> 1 page; frame 0 kept, frame 1 freed.
 */
static void test_a_v61_one_page(void)
{
	struct fixture fx;
	struct zs_class_stats cs;
	struct zs_compact_result res;
	struct zs_pool_stats ps;
	unsigned long h[8];
	unsigned int idx;

	REQUIRE(two_full_zspages(&fx, "v6.1", h, &idx));
	CHECK(where(&fx, h[0]) == frame(&fx, 0) + 8);
	CHECK(where(&fx, h[4]) == frame(&fx, 1) + 8);
	zs_free(fx.pool, h[0]);
	zs_free(fx.pool, h[1]);
	zs_free(fx.pool, h[4]);
	zs_free(fx.pool, h[5]);
	CHECK_EQ(zs_get_total_pages(fx.pool), 2);
	REQUIRE(zs_class_stats(fx.pool, idx, &cs) == 0);
	CHECK_EQ(cs.fullness[1], 2); /* both ALMOST_EMPTY */
	CHECK_EQ(cs.obj_allocated, 8);
	CHECK_EQ(cs.obj_used, 4);
	CHECK_EQ(cs.freeable, 1);

	REQUIRE(zs_compact(fx.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 1);
	CHECK_U64_EQ(res.objs_migrated, 2);
	CHECK_U64_EQ(res.bytes_copied, 2048);
	CHECK_U64_EQ(res.zspages_freed, 1);
	CHECK_EQ(zs_get_total_pages(fx.pool), 1);
	CHECK_EQ(zs_host_pages_used(fx.hp), 1);
	CHECK(owned(&fx, 0));  /* A survived */
	CHECK(!owned(&fx, 1)); /* B was the source */
	/* A's own objects stayed put; B's moved into A's freed slots, LIFO */
	CHECK(where(&fx, h[2]) == frame(&fx, 0) + 2 * 1024 + 8);
	CHECK(where(&fx, h[3]) == frame(&fx, 0) + 3 * 1024 + 8);
	CHECK(where(&fx, h[6]) == frame(&fx, 0) + 1 * 1024 + 8);
	CHECK(where(&fx, h[7]) == frame(&fx, 0) + 0 * 1024 + 8);
	for (unsigned int i = 2; i < 8; i += (i == 3 ? 3 : 1))
		CHECK(payload_ok(&fx, h[i], 1016, i));
	REQUIRE(zs_class_stats(fx.pool, idx, &cs) == 0);
	CHECK_EQ(cs.fullness[3], 1);
	CHECK_EQ(cs.fullness[1], 0);
	CHECK_EQ(cs.freeable, 0);
	zs_pool_stats(fx.pool, &ps);
	CHECK_U64_EQ(ps.pages_compacted, 1);
	CHECK_U64_EQ(ps.objs_migrated, 2);
	CHECK_U64_EQ(ps.bytes_copied, 2048);
	CHECK_U64_EQ(ps.compactions, 1);
	CHECK(pool_ok(&fx));

	/* nothing left to do: a second run frees nothing but still counts as a run */
	REQUIRE(zs_compact(fx.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 0);
	CHECK_U64_EQ(res.objs_migrated, 0);
	zs_pool_stats(fx.pool, &ps);
	CHECK_U64_EQ(ps.pages_compacted, 1);
	CHECK_U64_EQ(ps.compactions, 2);
	for (unsigned int i = 2; i < 8; i += (i == 3 ? 3 : 1))
		zs_free(fx.pool, h[i]);
	CHECK_EQ(zs_get_total_pages(fx.pool), 0);
	fx_fini(&fx);
}

/*
 * The same on v6.12: inuse 3 of 4 is 75% -> group 75/10 + 1 = 8, inuse 2 is
 * 50% -> group 6. A goes 8 -> 6; B goes 8 -> 6 later and is inserted at the
 * head: group 6 reads B, A. zs_can_compact = 1.
 * Destination = first zspage scanning 99% down = head of group 6 = B;
 * source = first scanning 10% up = head of group 6 now = A. A's objects 2
 * (h2) and 3 (h3) go to B's slots 1 and 0 (B freed 0 then 1). Destination
 * full (100%): put back. Source empty: freed. can_compact = (4 - 4) / 4 = 0:
 * stop. 2 objects, 2048 bytes, 1 page; frame 1 kept, frame 0 freed.
 */
static void test_b_v612_one_page(void)
{
	struct fixture fx;
	struct zs_class_stats cs;
	struct zs_compact_result res;
	unsigned long h[8];
	unsigned int idx;

	REQUIRE(two_full_zspages(&fx, "v6.12", h, &idx));
	zs_free(fx.pool, h[0]);
	zs_free(fx.pool, h[1]);
	zs_free(fx.pool, h[4]);
	zs_free(fx.pool, h[5]);
	REQUIRE(zs_class_stats(fx.pool, idx, &cs) == 0);
	CHECK_EQ(cs.fullness[6], 2);
	CHECK_EQ(cs.freeable, 1);

	REQUIRE(zs_compact(fx.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 1);
	CHECK_U64_EQ(res.objs_migrated, 2);
	CHECK_U64_EQ(res.bytes_copied, 2048);
	CHECK_EQ(zs_get_total_pages(fx.pool), 1);
	CHECK(!owned(&fx, 0)); /* A was the source */
	CHECK(owned(&fx, 1));  /* B the destination */
	CHECK(where(&fx, h[6]) == frame(&fx, 1) + 2 * 1024 + 8);
	CHECK(where(&fx, h[7]) == frame(&fx, 1) + 3 * 1024 + 8);
	CHECK(where(&fx, h[2]) == frame(&fx, 1) + 1 * 1024 + 8);
	CHECK(where(&fx, h[3]) == frame(&fx, 1) + 0 * 1024 + 8);
	for (unsigned int i = 2; i < 8; i += (i == 3 ? 3 : 1))
		CHECK(payload_ok(&fx, h[i], 1016, i));
	REQUIRE(zs_class_stats(fx.pool, idx, &cs) == 0);
	CHECK_EQ(cs.fullness[11], 1);
	CHECK(pool_ok(&fx));
	fx_fini(&fx);
}

/* ---- (c), (d): a multi-page class ---- */

/*
 * Request 184 B (+8 = class 192). 3.18..6.2: 3 pages, 64 objects (used%
 * 98/98/100); 6.12 (least tail waste, chain 8): wastes 64, 128, 0 -> also 3
 * pages and 64 objects, but the test reads N and P from zs_class_info and
 * derives from them (N must be even for the halves to pack into one zspage).
 * Allocate 2N: objects 0..N-1 in A (frames 0..P-1), N..2N-1 in B (frames
 * P..2P-1). Free every odd object of A, then of B: both end at N/2 (= 32).
 *
 * 4-group profiles with the 3N/4 rule (4.1 .. 6.2): A enters ALMOST_EMPTY
 * at 3N/4 = 48 and drops to 32 in place; B enters at 48 >= 32 and is the
 * head: B, A. zs_can_compact = (2N - N) / N * P = P (d). Source B (head),
 * destination A (no ALMOST_FULL). B's 32 objects fill A's 32 free slots
 * exactly; B is freed: P pages, N/2 objects, N/2 * 192 bytes. Next source:
 * none (A is FULL). A survives.
 * 6.12: N/2 of N is 50% -> group 6 for both; B entered last -> head.
 * Destination B, source A: the same counts, B survives.
 * rfc2014 (3.18 groups, ALMOST_EMPTY iff inuse <= N/4 = 16): 32 > 16, both
 * zspages are ALMOST_FULL, and the RFC only takes sources from
 * ALMOST_EMPTY: nothing moves, although (d) one zspage's worth is wasted.
 */
struct multi_case {
	const char *profile;
	bool a_survives;  /* else B */
	bool compacts;    /* rfc2014 does not */
	int shrinker;     /* 0 or the error zs_shrinker_count returns */
	bool use_scan;    /* go through zs_shrinker_scan() */
};

static void multi_page_one(const struct multi_case *mc)
{
	struct fixture fx;
	struct zs_class_info ci;
	struct zs_class_stats cs;
	struct zs_compact_result res;
	struct zs_pool_stats ps;
	unsigned long *h, freeable = 999, base = 0;
	unsigned int idx, n, p;
	int err;

	REQUIRE(fx_init(&fx, mc->profile, 64));
	idx = zs_lookup_class_index(fx.pool, 184);
	REQUIRE(zs_class_info(fx.pool, idx, &ci) == 0);
	n = ci.objs_per_zspage;
	p = ci.pages_per_zspage;
	CHECK_EQ(ci.size, 192);
	REQUIRE(n % 2 == 0 && p > 1);
	h = calloc(2 * n, sizeof(*h));
	REQUIRE(h);
	for (unsigned int i = 0; i < 2 * n; i++)
		REQUIRE((h[i] = alloc_fill(&fx, 184, i)) != 0);
	if (strcmp(mc->profile, "rfc2014") == 0)
		base = 1; /* frame 0 holds the handle slots, taken before A */
	CHECK_EQ(zs_get_total_pages(fx.pool), 2 * p + base);
	for (unsigned int i = 1; i < 2 * n; i += 2)
		zs_free(fx.pool, h[i]);
	CHECK_EQ(zs_get_total_pages(fx.pool), 2 * p + base);
	CHECK(pool_ok(&fx));

	/* (d) */
	REQUIRE(zs_class_stats(fx.pool, idx, &cs) == 0);
	CHECK_EQ(cs.obj_allocated, 2 * n);
	CHECK_EQ(cs.obj_used, n);
	CHECK_EQ(cs.freeable, p);
	err = zs_shrinker_count(fx.pool, &freeable);
	CHECK_EQ(err, mc->shrinker);
	if (!err)
		CHECK_EQ(freeable, p);

	err = mc->use_scan ? zs_shrinker_scan(fx.pool, &res) : zs_compact(fx.pool, &res);
	REQUIRE(err == 0);
	if (!mc->compacts) {
		CHECK_EQ(res.pages_freed, 0);
		CHECK_U64_EQ(res.objs_migrated, 0);
		CHECK_EQ(zs_get_total_pages(fx.pool), 2 * p + base);
	} else {
		CHECK_EQ(res.pages_freed, p);
		CHECK_U64_EQ(res.objs_migrated, n / 2);
		CHECK_U64_EQ(res.bytes_copied, (uint64_t)n / 2 * 192);
		CHECK_U64_EQ(res.zspages_freed, 1);
		CHECK_EQ(zs_get_total_pages(fx.pool), p + base);
		CHECK_EQ(zs_host_pages_used(fx.hp), p + base);
		for (unsigned int k = 0; k < p; k++) {
			CHECK(owned(&fx, base + k) == mc->a_survives);
			CHECK(owned(&fx, base + p + k) == !mc->a_survives);
		}
		zs_pool_stats(fx.pool, &ps);
		CHECK_U64_EQ(ps.pages_compacted, p);
		REQUIRE(zs_class_stats(fx.pool, idx, &cs) == 0);
		CHECK_EQ(cs.freeable, 0);
		CHECK_EQ(cs.fullness[zs_pool_profile(fx.pool)->nr_fullness - 1], 1); /* FULL */
	}
	for (unsigned int i = 0; i < 2 * n; i += 2)
		CHECK(payload_ok(&fx, h[i], 184, i));
	CHECK(pool_ok(&fx));
	for (unsigned int i = 0; i < 2 * n; i += 2)
		zs_free(fx.pool, h[i]);
	CHECK_EQ(zs_get_total_pages(fx.pool), 0);
	free(h);
	fx_fini(&fx);
}

static void test_c_multi_page_class(void)
{
	static const struct multi_case cases[] = {
		{ "v4.1", true, true, -EOPNOTSUPP, false },
		{ "v4.3", true, true, 0, true },
		{ "v4.8", true, true, 0, false },
		{ "v6.1", true, true, 0, false },
		{ "v6.12", false, true, 0, false },
		{ "rfc2014", true, false, -EOPNOTSUPP, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = tu_failures;

		multi_page_one(&cases[i]);
		if (tu_failures != before)
			fprintf(stderr, "  ^ profile %s\n", cases[i].profile);
	}
}

/* (d) 3.18 has neither compaction nor a shrinker. */
static void test_d_unsupported(void)
{
	struct fixture fx;
	struct zs_compact_result res = { .pages_freed = 42 };
	unsigned long freeable = 42;

	REQUIRE(fx_init(&fx, "v3.18", 4));
	CHECK_EQ(zs_compact(fx.pool, &res), -EOPNOTSUPP);
	CHECK_EQ(zs_shrinker_count(fx.pool, &freeable), -EOPNOTSUPP);
	CHECK_EQ(zs_shrinker_scan(fx.pool, &res), -EOPNOTSUPP);
	fx_fini(&fx);
	REQUIRE(fx_init(&fx, "v4.1", 4));
	CHECK_EQ(zs_shrinker_scan(fx.pool, &res), -EOPNOTSUPP);
	CHECK_EQ(zs_compact(fx.pool, NULL), 0); /* manual compaction is there, res optional */
	fx_fini(&fx);
}

/* ---- the stop rule and the copy count per era ---- */

/*
 * Three full zspages of class 1024 (12 objects h[0..11], frames 0..2), then
 * the objects freed[] freed; live[] says which are left. False when a step failed.
 */
static bool three_zspages_but(struct fixture *fx, const char *profile, unsigned long *h, bool *live,
			      const unsigned int *freed, size_t nfreed)
{
	if (!fx_init(fx, profile, 16))
		return false;
	for (unsigned int i = 0; i < 12; i++) {
		if ((h[i] = alloc_fill(fx, 1016, i)) == 0)
			return false;
		live[i] = true;
	}
	for (size_t i = 0; i < nfreed; i++) {
		zs_free(fx->pool, h[freed[i]]);
		live[freed[i]] = false;
	}
	return true;
}

/*
 * Class 1024 (4 per page), three zspages: free 3 of A (h0-h2: A enters
 * ALMOST_EMPTY at 3, drops to 1), 3 of B (h4-h6: B enters at 3 >= 1, head,
 * drops to 1), 1 of C (h8: C enters at 3 >= 1, head). Lists: C(3) B(1) A(1).
 * obj_allocated 12, obj_used 5: zs_can_compact = 7 / 4 = 1.
 * v6.1: source C (head), destination B (no ALMOST_FULL; head of ALMOST_EMPTY
 * after C's removal). C's 3 objects fill B's 3 free slots; C freed. Next
 * source A: zs_can_compact = (8 - 5) / 4 = 0: stop, A goes back. 3 objects
 * moved for 1 page.
 * v4.1 (no estimate): the same first round; then source A finds no
 * destination (B is FULL): stop. Also 3 objects, 1 page.
 * v6.12: A and B at 25% -> group 3 (B head), C at 75% -> group 8.
 * Destination C (fullest), source B (emptiest group's head): B's 1 object
 * fills C; B freed; C full goes back; can_compact = 0: stop. 1 object moved
 * for the same page: the point of the 6.3 rework.
 */
static void stop_rule_one(const char *profile, uint64_t want_moved, unsigned long survivor_a,
			  unsigned long survivor_b)
{
	struct fixture fx;
	struct zs_compact_result res;
	unsigned long h[12];
	static const unsigned int freed[] = { 0, 1, 2, 4, 5, 6, 8 };
	bool live[12];

	REQUIRE(three_zspages_but(&fx, profile, h, live, freed, sizeof(freed) / sizeof(freed[0])));
	REQUIRE(zs_compact(fx.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 1);
	CHECK_U64_EQ(res.objs_migrated, want_moved);
	CHECK_EQ(zs_get_total_pages(fx.pool), 2);
	CHECK(owned(&fx, survivor_a));
	CHECK(owned(&fx, survivor_b));
	for (unsigned int i = 0; i < 12; i++)
		if (live[i])
			CHECK(payload_ok(&fx, h[i], 1016, i));
	CHECK(pool_ok(&fx));
	fx_fini(&fx);
}

static void test_stop_rule_and_copies(void)
{
	stop_rule_one("v6.1", 3, 0, 1);  /* A and B survive, C freed */
	stop_rule_one("v4.3", 3, 0, 1);
	stop_rule_one("v4.1", 3, 0, 1);
	stop_rule_one("v6.12", 1, 0, 2); /* A and C survive, B freed */
}

/*
 * The estimate as a stop rule. Class 1024, two zspages: free 1 of A (h0: A
 * enters ALMOST_EMPTY at 3), 1 of B (h4: B enters at 3 >= 3, head: B A).
 * obj_allocated 8, obj_used 6: zs_can_compact = 2 / 4 = 0: nothing can be
 * freed. 4.3+ stops before moving anything (6.12: the loop condition).
 * 4.1 has no estimate: source B, destination A; B's first live object
 * (object 1, h5) fills A; A is full and there is no other destination:
 * stop, B goes back with 2 objects. 1 object copied, 0 pages freed.
 */
static void no_gain_one(const char *profile, uint64_t want_moved)
{
	struct fixture fx;
	struct zs_compact_result res;
	unsigned long h[8];

	REQUIRE(fx_init(&fx, profile, 16));
	for (unsigned int i = 0; i < 8; i++)
		REQUIRE((h[i] = alloc_fill(&fx, 1016, i)) != 0);
	zs_free(fx.pool, h[0]);
	zs_free(fx.pool, h[4]);
	REQUIRE(zs_compact(fx.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 0);
	CHECK_U64_EQ(res.objs_migrated, want_moved);
	CHECK_EQ(zs_get_total_pages(fx.pool), 2);
	if (want_moved)
		CHECK(where(&fx, h[5]) == frame(&fx, 0) + 8); /* A's freed slot 0 */
	for (unsigned int i = 1; i < 8; i++)
		if (i != 4)
			CHECK(payload_ok(&fx, h[i], 1016, i));
	CHECK(pool_ok(&fx));
	fx_fini(&fx);
}

static void test_no_gain_no_copy(void)
{
	no_gain_one("v4.1", 1);
	no_gain_one("v4.3", 0);
	no_gain_one("v6.1", 0);
	no_gain_one("v6.12", 0);
}

/*
 * Source and destination order with three partial zspages. Class 1024:
 * free 3 of A (h0-h2: inuse 1), 2 of B (h4, h5: inuse 2), 1 of C (h8:
 * inuse 3). obj_allocated 12, obj_used 6: zs_can_compact = 6 / 4 = 1.
 * v6.1: A enters ALMOST_EMPTY at 3 and drops to 1; B enters at 3 >= 1
 * (head) and drops to 2; C enters at 3 >= 2 (head): C B A. Source C,
 * destination B: C's objects 1 (h9) and 2 (h10) fill B's slots 1 and 0
 * (freed 0 then 1: LIFO gives 1 first), B is full, the next destination is
 * A (head of ALMOST_EMPTY): C's object 3 (h11) goes to A's slot 2 (A freed
 * 0, 1, 2: LIFO gives 2). C is freed: 3 objects, frame 2. Next source A
 * (inuse 2): zs_can_compact = (8 - 6) / 4 = 0: stop.
 * v6.12: A at 25% -> group 3, B at 50% -> group 6, C at 75% -> group 8.
 * Destination: the fullest, C. Source: the emptiest, A: its object 3 (h3)
 * fills C's slot 0; C full goes back; A is freed: 1 object, frame 0.
 * can_compact = (8 - 6) / 4 = 0: stop.
 */
static void three_partial_one(const char *profile, uint64_t want_moved, unsigned long freed_frame)
{
	struct fixture fx;
	struct zs_compact_result res;
	unsigned long h[12];
	static const unsigned int freed[] = { 0, 1, 2, 4, 5, 8 };
	bool live[12];

	REQUIRE(three_zspages_but(&fx, profile, h, live, freed, sizeof(freed) / sizeof(freed[0])));
	REQUIRE(zs_compact(fx.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 1);
	CHECK_U64_EQ(res.objs_migrated, want_moved);
	for (unsigned long f = 0; f < 3; f++)
		CHECK(owned(&fx, f) == (f != freed_frame));
	if (freed_frame == 2) {
		CHECK(where(&fx, h[9]) == frame(&fx, 1) + 1 * 1024 + 8);
		CHECK(where(&fx, h[10]) == frame(&fx, 1) + 0 * 1024 + 8);
		CHECK(where(&fx, h[11]) == frame(&fx, 0) + 2 * 1024 + 8);
	} else {
		CHECK(where(&fx, h[3]) == frame(&fx, 2) + 0 * 1024 + 8);
	}
	for (unsigned int i = 0; i < 12; i++)
		if (live[i])
			CHECK(payload_ok(&fx, h[i], 1016, i));
	CHECK(pool_ok(&fx));
	fx_fini(&fx);
}

static void test_three_partial_zspages(void)
{
	three_partial_one("v6.1", 3, 2);
	three_partial_one("v6.12", 1, 0);
}

/* ---- (e) a randomly fragmented pool packs to the minimum ---- */

/*
 * After compaction every class holds ceil(obj_used / N) zspages: for the
 * 4.3+ algorithms the class loop stops only when zs_can_compact() is 0,
 * i.e. (allocated - used) < N slots are free, i.e. allocated zspages <=
 * ceil(used / N); and it never stops early for want of a destination,
 * because while N slots are free outside the source, the other zspages
 * have room for all the source's objects. 6.12 likewise: while
 * can_compact > 0 there is a non-full zspage besides the destination.
 */
static void pack_one(const char *profile, uint64_t seed, bool expect_min)
{
	enum { NR = 4000 };
	struct fixture fx;
	struct zs_compact_result res;
	unsigned long *h = calloc(NR, sizeof(*h));
	size_t *sz = calloc(NR, sizeof(*sz));
	uint64_t rng = seed;
	unsigned long before, total = 0;
	size_t huge;

	REQUIRE(h && sz);
	REQUIRE(fx_init(&fx, profile, 8192));
	huge = zs_huge_class_size(fx.pool);
	for (unsigned int i = 0; i < NR; i++) {
		uint64_t r = splitmix64(&rng);

		switch (r % 4) {
		case 0:
			sz[i] = 1 + (r >> 8) % 128;
			break;
		case 1:
			sz[i] = 129 + (r >> 8) % 1900;
			break;
		case 2:
			sz[i] = huge - 64 + (r >> 8) % 128;
			break;
		default:
			sz[i] = 1 + (r >> 8) % 4096;
			break;
		}
		REQUIRE((h[i] = alloc_fill(&fx, sz[i], i)) != 0);
	}
	/* free about 70%, unevenly */
	for (unsigned int i = 0; i < NR; i++)
		if (splitmix64(&rng) % 10 < 7) {
			zs_free(fx.pool, h[i]);
			h[i] = 0;
		}
	before = zs_get_total_pages(fx.pool);
	REQUIRE(zs_compact(fx.pool, &res) == 0);
	CHECK(res.pages_freed > 0);
	CHECK_EQ(zs_get_total_pages(fx.pool), before - res.pages_freed);
	CHECK(pool_ok(&fx));

	for (unsigned int i = 0; i < zs_class_count(fx.pool); i++) {
		struct zs_class_info ci;
		struct zs_class_stats cs;
		unsigned long min;

		zs_class_info(fx.pool, i, &ci);
		if (ci.merged_into != i)
			continue;
		zs_class_stats(fx.pool, i, &cs);
		min = (cs.obj_used + ci.objs_per_zspage - 1) / ci.objs_per_zspage *
		      ci.pages_per_zspage;
		total += cs.pages_used;
		if (expect_min)
			CHECK_EQ(cs.pages_used, min);
		else
			CHECK_LE(min, cs.pages_used);
		if (expect_min && cs.pages_used != min)
			fprintf(stderr, "  class %u (%u B): %lu pages, minimum %lu\n", i, ci.size,
				cs.pages_used, min);
	}
	CHECK_EQ(total, zs_get_total_pages(fx.pool));
	for (unsigned int i = 0; i < NR; i++)
		if (h[i]) {
			CHECK(payload_ok(&fx, h[i], sz[i], i));
			zs_free(fx.pool, h[i]);
		}
	CHECK_EQ(zs_get_total_pages(fx.pool), 0);
	fx_fini(&fx);
	free(h);
	free(sz);
}

static void test_e_random_pack(void)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		int before = tu_failures;

		pack_one("v6.1", seed, true);
		pack_one("v6.12", seed, true);
		pack_one("v4.3", seed, true);
		pack_one("v4.8", seed, true);
		/* 4.1 takes sources from ALMOST_EMPTY only: no promise of the minimum */
		pack_one("v4.1", seed, false);
		if (tu_failures != before) {
			fprintf(stderr, "  ^ seed %llu\n", (unsigned long long)seed);
			return;
		}
	}
}

/*
 * no_page_contents: the same operations on a pool with page contents and one
 * without give the same handles, classes, fullness groups and compaction
 * results, every invariant holds, and the pool without contents never asks
 * its provider for a page's address (the point: no host memory for frames).
 */
static unsigned long nc_address_calls; /* calls for the pool without contents */
static void *nc_watched;		/* its provider's context */

static void *nc_page_address(void *ctx, unsigned long pfn)
{
	if (ctx == nc_watched)
		nc_address_calls++;
	return zs_host_page_ops()->page_address(ctx, pfn);
}

static void no_contents_one(const char *profile, uint64_t seed)
{
	enum { NR = 3000 };
	struct zs_page_ops ops = *zs_host_page_ops();
	struct zs_host_pages *hp[2];
	struct zs_pool *pool[2];
	unsigned long *h[2];
	char msg[256];
	uint64_t rng = seed;
	struct zs_compact_result res[2];
	int cerr[2];

	ops.page_address = nc_page_address;
	for (int k = 0; k < 2; k++) {
		struct zs_pool_config cfg = {
		    .profile = profile, .arch = ZS_ARCH_X86_64, .no_page_contents = k == 1};

		REQUIRE(zs_host_pages_create(4096, 8192, &hp[k]) == 0);
		REQUIRE(zs_create_pool(&cfg, &ops, hp[k], &pool[k]) == 0);
		REQUIRE((h[k] = calloc(NR, sizeof(*h[k]))) != NULL);
	}
	nc_watched = hp[1];
	nc_address_calls = 0;
	for (unsigned int i = 0; i < NR; i++) {
		size_t sz = 1 + splitmix64(&rng) % 4096;

		for (int k = 0; k < 2; k++)
			REQUIRE(zs_malloc(pool[k], sz, 0, &h[k][i]) == 0);
		CHECK_EQ(h[0][i], h[1][i]);
	}
	for (unsigned int i = 0; i < NR; i++)
		if (splitmix64(&rng) % 10 < 7)
			for (int k = 0; k < 2; k++) {
				zs_free(pool[k], h[k][i]);
				h[k][i] = 0;
			}
	for (int k = 0; k < 2; k++) {
		memset(&res[k], 0, sizeof(res[k]));
		cerr[k] = zs_compact(pool[k], &res[k]);
		CHECK_EQ(zs_pool_check(pool[k], msg, sizeof(msg)), 0);
	}
	CHECK_EQ(cerr[0], cerr[1]);
	CHECK_EQ(res[0].pages_freed, res[1].pages_freed);
	CHECK_EQ(res[0].objs_migrated, res[1].objs_migrated);
	CHECK_EQ(zs_get_total_pages(pool[0]), zs_get_total_pages(pool[1]));
	for (unsigned int i = 0; i < zs_class_count(pool[0]); i++) {
		struct zs_class_stats a, b;

		zs_class_stats(pool[0], i, &a);
		zs_class_stats(pool[1], i, &b);
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	}
	/* a map still works (a scratch buffer) and frees after it run as before */
	for (unsigned int i = 0; i < NR; i++)
		if (h[1][i]) {
			CHECK(zs_map_object(pool[1], h[1][i], ZS_MM_WO) != NULL);
			zs_unmap_object(pool[1], h[1][i]);
			for (int k = 0; k < 2; k++)
				zs_free(pool[k], h[k][i]);
		}
	CHECK_EQ(nc_address_calls, 0);
	for (int k = 0; k < 2; k++) {
		CHECK_EQ(zs_get_total_pages(pool[k]), 0);
		zs_destroy_pool(pool[k]);
		zs_host_pages_destroy(hp[k]);
		free(h[k]);
	}
}

static void test_no_page_contents(void)
{
	const char *const *names = zs_profile_names();

	for (unsigned int i = 0; names[i]; i++)
		no_contents_one(names[i], 7 + i);
}

int main(void)
{
	RUN(test_a_v61_one_page);
	RUN(test_b_v612_one_page);
	RUN(test_c_multi_page_class);
	RUN(test_d_unsupported);
	RUN(test_stop_rule_and_copies);
	RUN(test_no_gain_no_copy);
	RUN(test_three_partial_zspages);
	RUN(test_e_random_pack);
	RUN(test_no_page_contents);
	return test_summary();
}
