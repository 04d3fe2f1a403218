/*
 * test_compact_steps.c - a compaction in steps (zs_compact_begin/zs_compact_resume), as a
 * live 6.12 kernel runs one: it drops its locks after each destination it fills, other
 * tasks free and allocate there, and it goes on with the pool as they left it.
 *
 * The pool (v6.12, class 1024: 4 objects in a 1-page zspage; groups by inuse * 100 / 4):
 * allocate 12 objects, h0..h3 in A (frame 0), h4..h7 in B (frame 1), h8..h11 in C (frame 2);
 * free h0 (A 3/4, 75%: the fullest), h5..h7 (B 1/4) and h9..h11 (C 1/4). obj_allocated 12,
 * obj_used 5: zs_can_compact = (12 - 5) / 4 = 1 page.
 *
 * __zs_compact (6.3+): destination A (fullest); source the emptiest, B or C; its one object
 * fills A (putback 1: the source, now empty, freed; putback 2: A, full: the lock drop).
 * Then zs_can_compact = (8 - 5) / 4 = 0: done, 1 zspage freed, 2 pages left.
 *
 * If, at that drop, another task frees h1 (A 3/4 again): zs_can_compact = (8 - 4) / 4 = 1,
 * so the same compaction goes on: A takes the other 1/4 zspage's object and that one is
 * freed too (putbacks 3 and 4): 2 zspages freed, 1 page left. Compacting in one go and
 * freeing h1 after gives 1 zspage freed and 2 pages: the difference a captured 6.12
 * compaction showed when replayed at its entry.
 */
#include <errno.h>

#include "test_util.h"
#include "zsmalloc.h"

struct fixture {
	struct zs_host_pages *hp;
	struct zs_pool *pool;
	unsigned long h[12];
};

static void fx_init_profile(struct fixture *fx, const char *profile)
{
	struct zs_pool_config cfg = {.profile = profile, .arch = ZS_ARCH_X86_64};
	static const unsigned int freed[] = {0, 5, 6, 7, 9, 10, 11};

	REQUIRE(zs_host_pages_create(4096, 16, &fx->hp) == 0);
	REQUIRE(zs_create_pool(&cfg, zs_host_page_ops(), fx->hp, &fx->pool) == 0);
	for (unsigned int i = 0; i < 12; i++)
		REQUIRE(zs_malloc(fx->pool, 1016, 0, &fx->h[i]) == 0);
	for (unsigned int i = 0; i < sizeof(freed) / sizeof(freed[0]); i++)
		zs_free(fx->pool, fx->h[freed[i]]);
	REQUIRE(zs_get_total_pages(fx->pool) == 3);
}

static void fx_init(struct fixture *fx)
{
	fx_init_profile(fx, "v6.12");
}

static void fx_fini(struct fixture *fx)
{
	char msg[256];

	CHECK(zs_pool_check(fx->pool, msg, sizeof(msg)) == 0);
	zs_destroy_pool(fx->pool);
	zs_host_pages_destroy(fx->hp);
}

/* In one go, then the free: 1 zspage. */
static void test_at_once(void)
{
	struct fixture fx;
	struct zs_compact_result r;

	fx_init(&fx);
	REQUIRE(zs_compact(fx.pool, &r) == 0);
	CHECK_EQ(r.pages_freed, 1);
	CHECK_U64_EQ(r.objs_migrated, 1);
	zs_free(fx.pool, fx.h[1]);
	CHECK_EQ(zs_get_total_pages(fx.pool), 2);
	fx_fini(&fx);
}

/* In steps with the free at the lock drop: 2 zspages, and the run counts as one. */
static void test_free_at_the_drop(void)
{
	struct fixture fx;
	struct zs_compact_run run;
	struct zs_compact_result r, other;
	struct zs_pool_stats ps;

	fx_init(&fx);
	REQUIRE(zs_compact_begin(fx.pool, &run) == 0);
	/* asked for 1 putback, it stops at the first drop after it: A's, the second */
	CHECK_EQ(zs_compact_resume(fx.pool, &run, 1, &r), 0);
	CHECK_U64_EQ(run.putbacks, 2);
	CHECK_EQ(zs_get_total_pages(fx.pool), 2);
	/* already there: nothing moves */
	CHECK_EQ(zs_compact_resume(fx.pool, &run, 2, &r), 0);
	CHECK_U64_EQ(run.putbacks, 2);
	/* another compaction meanwhile returns at once (compaction_in_progress) */
	CHECK_EQ(zs_compact_begin(fx.pool, &(struct zs_compact_run){0}), -EBUSY);
	REQUIRE(zs_compact(fx.pool, &other) == 0);
	CHECK_EQ(other.pages_freed, 0);
	CHECK_U64_EQ(other.objs_migrated, 0);

	zs_free(fx.pool, fx.h[1]);
	CHECK_EQ(zs_compact_resume(fx.pool, &run, 0, &r), 1);
	CHECK_U64_EQ(run.putbacks, 4);
	CHECK_EQ(r.pages_freed, 2);
	CHECK_U64_EQ(r.objs_migrated, 2);
	CHECK_U64_EQ(r.zspages_freed, 2);
	CHECK_EQ(zs_get_total_pages(fx.pool), 1);
	zs_pool_stats(fx.pool, &ps);
	CHECK_U64_EQ(ps.pages_compacted, 2);
	CHECK_U64_EQ(ps.compactions, 1);
	/* finished: a new compaction may begin */
	REQUIRE(zs_compact(fx.pool, &other) == 0);
	zs_pool_stats(fx.pool, &ps);
	CHECK_U64_EQ(ps.compactions, 2);
	fx_fini(&fx);
}

/* In steps with nothing in between: the same as in one go. */
static void test_steps_alone(void)
{
	struct fixture fx;
	struct zs_compact_run run;
	struct zs_compact_result r;

	fx_init(&fx);
	REQUIRE(zs_compact_begin(fx.pool, &run) == 0);
	CHECK_EQ(zs_compact_resume(fx.pool, &run, 2, &r), 0);
	CHECK_EQ(zs_compact_resume(fx.pool, &run, 0, &r), 1);
	CHECK_EQ(r.pages_freed, 1);
	CHECK_U64_EQ(r.objs_migrated, 1);
	CHECK_U64_EQ(run.putbacks, 2);
	CHECK_EQ(zs_get_total_pages(fx.pool), 2);
	fx_fini(&fx);
}

/*
 * 4.x algorithms step by isolate_zspage() calls and drop after each source: stepping one
 * call at a time, with nothing in between, ends as one go does, and every stop is at a
 * drop (the step count reached or passed, never a stop before it).
 */
static void test_v4_steps_alone(void)
{
	static const char *const profiles[] = {"v6.1", "v4.1"};

	for (unsigned int i = 0; i < 2; i++) {
		struct fixture once, steps;
		struct zs_compact_run run;
		struct zs_compact_result r1, r2;
		int done = 0, stops = 0;

		fx_init_profile(&once, profiles[i]);
		REQUIRE(zs_compact(once.pool, &r1) == 0);
		fx_init_profile(&steps, profiles[i]);
		REQUIRE(zs_compact_begin(steps.pool, &run) == 0);
		for (uint64_t want = 1; !done && want < 100; want++) {
			done = zs_compact_resume(steps.pool, &run, want, &r2);
			CHECK(done || zs_compact_steps(steps.pool, &run) >= want);
			CHECK_U64_EQ(zs_compact_steps(steps.pool, &run), run.isolations);
			stops += !done;
		}
		if (!done)
			CHECK_EQ(zs_compact_resume(steps.pool, &run, 0, &r2), 1);
		CHECK(stops > 0);
		CHECK_EQ(r2.pages_freed, r1.pages_freed);
		CHECK_U64_EQ(r2.objs_migrated, r1.objs_migrated);
		CHECK_EQ(zs_get_total_pages(steps.pool), zs_get_total_pages(once.pool));
		fx_fini(&once);
		fx_fini(&steps);
	}
}

int main(void)
{
	RUN(test_at_once);
	RUN(test_free_at_the_drop);
	RUN(test_steps_alone);
	RUN(test_v4_steps_alone);
	return test_summary();
}
