/*
 * test_policy.c - the compaction policies (sim/policy*.c): list parsing and
 * formatting, each policy's decision on crafted views, and each one driving
 * the replay engine, with the compactions it causes derived by hand.
 *
 * Engine cases run on a 64-frame machine (no HighMem, max_order 4,
 * pageblock order 3, min_free_kbytes 0) with 2000-byte writes: on arm32
 * v4.1/v4.3 a 2000 B request plus the 4-byte handle header lands in the
 * 2048 B class, one page and two objects per zspage. The common opening
 * `w 0`, `w 1`, `w 2`, `d 0` leaves zspage A (slots 0, 1) with object 1 and
 * zspage B (slot 2) with object 2: obj_allocated 4, obj_used 2, so the
 * freeable estimate is (4 - 2) / 2 * 1 = 1 page, and a compaction moves one
 * object into the other zspage and frees one page.
 */
#include <errno.h>
#include <string.h>

#include "engine.h"
#include "physmem.h"
#include "policy.h"
#include "test_util.h"
#include "zs_provider.h"
#include "zsmalloc.h"

#define M(p) (1u << (p))

static void test_parse_and_format(void)
{
	unsigned int mask = 99;
	char bad[64] = "";
	char buf[128];

	CHECK_EQ(policy_parse_list("none", &mask, bad, sizeof(bad)), 0);
	CHECK_EQ(mask, 0);
	CHECK_EQ(policy_parse_list("manual", &mask, bad, sizeof(bad)), 0);
	CHECK_EQ(mask, M(POLICY_MANUAL));
	CHECK_EQ(policy_parse_list("on-pgd-failure,manual,migration", &mask, bad, sizeof(bad)), 0);
	CHECK_EQ(mask, M(POLICY_MANUAL) | M(POLICY_PGD_FAILURE) | M(POLICY_MIGRATION));
	CHECK_EQ(policy_parse_list("periodic,threshold,shrinker", &mask, bad, sizeof(bad)), 0);
	CHECK_EQ(mask, M(POLICY_PERIODIC) | M(POLICY_THRESHOLD) | M(POLICY_SHRINKER));
	CHECK_EQ(policy_parse_list("manual,manual", &mask, bad, sizeof(bad)), 0); /* idempotent */
	CHECK_EQ(mask, M(POLICY_MANUAL));

	CHECK_EQ(policy_parse_list("manual,bogus", &mask, bad, sizeof(bad)), -EINVAL);
	CHECK_STR_EQ(bad, "bogus");
	CHECK_EQ(policy_parse_list("Manual", &mask, bad, sizeof(bad)), -EINVAL); /* names are exact */
	CHECK_STR_EQ(bad, "Manual");
	CHECK_EQ(policy_parse_list("manual,,periodic", &mask, bad, sizeof(bad)), -EINVAL);
	CHECK_STR_EQ(bad, "(empty)");
	CHECK_EQ(policy_parse_list(",manual", &mask, bad, sizeof(bad)), -EINVAL);
	/* an empty list or a trailing comma is a mistake, not "none" */
	CHECK_EQ(policy_parse_list("", &mask, bad, sizeof(bad)), -EINVAL);
	CHECK_STR_EQ(bad, "(empty)");
	CHECK_EQ(policy_parse_list("manual,", &mask, bad, sizeof(bad)), -EINVAL);
	CHECK_STR_EQ(bad, "(empty)");
	CHECK_EQ(policy_parse_list("manual,none", &mask, bad, sizeof(bad)), -EINVAL); /* none stands alone */
	CHECK_STR_EQ(bad, "none");

	CHECK_STR_EQ(policy_format_list(0, buf, sizeof(buf)), "none");
	CHECK_STR_EQ(policy_format_list(M(POLICY_MANUAL) | M(POLICY_PGD_FAILURE), buf, sizeof(buf)),
		     "manual,on-pgd-failure");
	CHECK_STR_EQ(policy_format_list((1u << POLICY_NR) - 1, buf, sizeof(buf)),
		     "manual,periodic,threshold,on-pgd-failure,shrinker,migration,targeted,grouped");
	/* format then parse gives the mask back, for every mask */
	for (unsigned int m = 0; m < (1u << POLICY_NR); m++) {
		CHECK_EQ(policy_parse_list(policy_format_list(m, buf, sizeof(buf)), &mask, bad, sizeof(bad)),
			 0);
		CHECK_EQ(mask, m);
	}
	/* the registry: names in enum order, each with a help line */
	for (unsigned int i = 0; i < POLICY_NR; i++) {
		const struct policy_ops *p = policy_get((enum policy_id)i);

		REQUIRE(p != NULL);
		CHECK(p->help && p->help[0]);
	}
	CHECK(policy_get(POLICY_NR) == NULL);
	CHECK(policy_migration.allows_zspage_migration);
	CHECK(policy_migration.after_event == NULL);
	CHECK(policy_shrinker.runs_shrinker_in_reclaim);
	CHECK(policy_pgd_failure.after_event == NULL);
	CHECK(policy_pgd_failure.on_pgd_failure != NULL);
}

static struct policy_view view(uint64_t idx, uint64_t t, const struct sim_event *ev,
			       const struct policy_params *pp)
{
	struct policy_view v = {.event_index = idx, .time_ns = t, .ev = ev, .params = pp};

	return v;
}

static void test_manual_periodic_decisions(void)
{
	struct policy_params pp;
	struct sim_event c = {.op = SIM_OP_COMPACT}, w = {.op = SIM_OP_WRITE};
	struct policy_view v;
	uint64_t st = 0;

	policy_params_default(&pp);
	CHECK_U64_EQ(pp.periodic_events, 100000);
	CHECK_U64_EQ(pp.periodic_ns, 0);
	CHECK_U64_EQ(pp.threshold_pages, 256);
	CHECK_U64_EQ(pp.check_interval, 1024);

	v = view(1, 0, &c, &pp);
	CHECK(policy_manual.after_event(&v, &st));
	v = view(2, 0, &w, &pp);
	CHECK(!policy_manual.after_event(&v, &st));

	/* every 3 events: at event 3 and 6, not 4 or 5 */
	pp.periodic_events = 3;
	for (uint64_t i = 1; i <= 7; i++) {
		v = view(i, 0, &w, &pp);
		CHECK_EQ(policy_periodic.after_event(&v, &st), i % 3 == 0);
	}
	/*
	 * every 1000 ns of simulated time, counted from the first event seen
	 * (the state holds 1 + the time the current period started, 0 before
	 * any event): a trace whose clock starts late does not fire at once.
	 */
	pp.periodic_events = 0;
	pp.periodic_ns = 1000;
	st = 0;
	v = view(1, 999, &w, &pp);
	CHECK(!policy_periodic.after_event(&v, &st)); /* the period starts at 999 */
	CHECK_U64_EQ(st, 1000);
	v = view(2, 1998, &w, &pp);
	CHECK(!policy_periodic.after_event(&v, &st)); /* 999 ns since */
	v = view(3, 1999, &w, &pp);
	CHECK(policy_periodic.after_event(&v, &st)); /* 1000 ns since */
	CHECK_U64_EQ(st, 2000);
	v = view(4, 2998, &w, &pp);
	CHECK(!policy_periodic.after_event(&v, &st));
	v = view(5, 3500, &w, &pp);
	CHECK(policy_periodic.after_event(&v, &st));
	CHECK_U64_EQ(st, 3501);
	/*
	 * both: a compaction by count also restarts the time period: every 3
	 * events or 1000 ns. Event 3 at 5000 fires (count) and starts the
	 * period; event 4 at 5000 does not (0 ns since); event 5 at 6000 fires
	 * (time); event 6 at 6000 fires (count); event 7 at 6999 does not
	 * (999 ns since).
	 */
	pp.periodic_events = 3;
	st = 0;
	v = view(3, 5000, &w, &pp);
	CHECK(policy_periodic.after_event(&v, &st));
	CHECK_U64_EQ(st, 5001);
	v = view(4, 5000, &w, &pp);
	CHECK(!policy_periodic.after_event(&v, &st));
	v = view(5, 6000, &w, &pp);
	CHECK(policy_periodic.after_event(&v, &st));
	v = view(6, 6000, &w, &pp);
	CHECK(policy_periodic.after_event(&v, &st));
	v = view(7, 6999, &w, &pp);
	CHECK(!policy_periodic.after_event(&v, &st));
	pp.periodic_events = 0;
	pp.periodic_ns = 0;
	v = view(6, 1u << 30, &w, &pp);
	CHECK(!policy_periodic.after_event(&v, &st)); /* both off: never */

	st = 0;
	v = view(1, 0, &w, &pp);
	CHECK(policy_pgd_failure.on_pgd_failure(&v, &st));
	CHECK(policy_pgd_failure.on_pgd_failure(&v, &st));
	CHECK_U64_EQ(st, 2); /* counts the failures it was asked about */
}

/* A pool and a machine to give the threshold and shrinker policies something to look at. */
static void test_threshold_shrinker_decisions(void)
{
	struct physmem_config pc;
	struct zs_pool_config zc = {.profile = "v4.1", .arch = ZS_ARCH_ARM32, .page_size = 4096};
	struct physmem *pm = NULL;
	struct zs_pool *pool = NULL;
	struct policy_params pp;
	struct sim_event w = {.op = SIM_OP_WRITE};
	struct policy_view v;
	unsigned long h[3];
	uint64_t st = 0;

	physmem_config_default(&pc);
	pc.ram_bytes = 64 * 4096;
	pc.highmem = false;
	pc.max_order = 4;
	pc.pageblock_order = 3;
	pc.min_free_kbytes = 0;
	REQUIRE(physmem_create(&pc, &pm) == 0);
	REQUIRE(zs_create_pool(&zc, zs_provider_ops(), pm, &pool) == 0);
	policy_params_default(&pp);
	pp.threshold_pages = 1;
	pp.check_interval = 4;

	for (int i = 0; i < 3; i++)
		REQUIRE(zs_malloc(pool, 2000, 0, &h[i]) == 0);
	/* A full, B one of two: (4 - 3) / 2 = 0 pages freeable */
	v = view(4, 0, &w, &pp);
	v.pool = pool;
	v.mem = pm;
	CHECK(!policy_threshold.after_event(&v, &st));
	zs_free(pool, h[0]);
	/* (4 - 2) / 2 = 1 page >= 1: yes, but only every check_interval events */
	CHECK(policy_threshold.after_event(&v, &st));
	v.event_index = 5;
	CHECK(!policy_threshold.after_event(&v, &st));
	v.event_index = 8;
	pp.threshold_pages = 2;
	CHECK(!policy_threshold.after_event(&v, &st));

	/* the shrinker policy decides nothing after events: only reclaim calls shrinkers */
	CHECK(policy_shrinker.after_event == NULL);
	CHECK(policy_shrinker.runs_shrinker_in_reclaim);
	zs_free(pool, h[1]);
	zs_free(pool, h[2]);
	zs_destroy_pool(pool);
	physmem_destroy(pm);
}

/* ---- the policies driving the engine ---- */

struct comp_log {
	int n;
	uint64_t event_index[16];
	unsigned long freed[16];
	char trigger[16][24];
};

static void log_compaction(void *ctx, const struct sim_compaction *c)
{
	struct comp_log *l = ctx;

	if (l->n < 16) {
		l->event_index[l->n] = c->event_index;
		l->freed[l->n] = c->result.pages_freed;
		snprintf(l->trigger[l->n], sizeof(l->trigger[0]), "%s", c->trigger);
	}
	l->n++;
}

static char msg[512];

static struct sim *engine(const char *profile, unsigned int policies, struct comp_log *log,
			  void (*tweak)(struct sim_config *))
{
	struct sim_config cfg;
	struct sim_sinks sinks = {.ctx = log, .compaction = log_compaction};
	struct sim *sim = NULL;

	memset(log, 0, sizeof(*log));
	sim_config_default(&cfg);
	cfg.mem.ram_bytes = 64 * 4096;
	cfg.mem.highmem = false;
	cfg.mem.max_order = 4;
	cfg.mem.pageblock_order = 3;
	cfg.mem.min_free_kbytes = 0;
	cfg.zram_disksize = 64 * 4096;
	cfg.pool.profile = profile;
	cfg.policies = policies;
	cfg.timing = false;
	if (tweak)
		tweak(&cfg);
	if (sim_create(&cfg, &sinks, &sim, msg, sizeof(msg)) != 0)
		return NULL;
	return sim;
}

static int ev(struct sim *sim, char op, uint64_t id, uint32_t size)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = (enum sim_op)op;
	e.id = id;
	e.size = size;
	e.order = 2;
	e.mtype = 'u';
	return sim_event(sim, &e, msg, sizeof(msg));
}

/* `g ID 0 u`: an order-0 unmovable block. */
static int ev_get0(struct sim *sim, uint64_t id)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = SIM_OP_GET;
	e.id = id;
	e.order = 0;
	e.mtype = 'u';
	return sim_event(sim, &e, msg, sizeof(msg));
}

/* w 0, w 1, w 2, d 0: events 1..4 (see the head comment). */
static void opening(struct sim *sim)
{
	CHECK_EQ(ev(sim, 'w', 0, 2000), 0);
	CHECK_EQ(ev(sim, 'w', 1, 2000), 0);
	CHECK_EQ(ev(sim, 'w', 2, 2000), 0);
	CHECK_EQ(ev(sim, 'd', 0, 0), 0);
}

static struct sim_other_stats last_other;

static void keep_other(void *ctx, const struct sim_snapshot *s)
{
	(void)ctx;
	last_other = s->other;
}

/* `c` compacts under manual and is counted as ignored without it. */
static void test_engine_manual(void)
{
	struct comp_log log;
	struct sim *sim = engine("v4.1", M(POLICY_MANUAL), &log, NULL);

	REQUIRE(sim);
	opening(sim);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 2);
	CHECK_EQ(ev(sim, 'c', 0, 0), 0);
	REQUIRE(log.n == 1);
	CHECK_STR_EQ(log.trigger[0], "manual");
	CHECK_U64_EQ(log.event_index[0], 5);
	CHECK_EQ(log.freed[0], 1);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 1);
	sim_destroy(sim);

	{
		struct sim_config cfg;
		struct sim_sinks sinks = {
		    .snapshot = keep_other, .compaction = log_compaction, .ctx = &log};

		memset(&log, 0, sizeof(log));
		sim_config_default(&cfg);
		cfg.mem.ram_bytes = 64 * 4096;
		cfg.mem.highmem = false;
		cfg.mem.max_order = 4;
		cfg.mem.pageblock_order = 3;
		cfg.mem.min_free_kbytes = 0;
		cfg.zram_disksize = 64 * 4096;
		cfg.policies = 0;
		REQUIRE(sim_create(&cfg, &sinks, &sim, msg, sizeof(msg)) == 0);
	}
	opening(sim);
	CHECK_EQ(ev(sim, 'c', 0, 0), 0);
	CHECK_EQ(ev(sim, 'c', 0, 0), 0);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 2);
	sim_finish(sim);
	CHECK_EQ(last_other.compact_requests_ignored, 2);
	sim_destroy(sim);
}

static void every_4_events(struct sim_config *cfg)
{
	cfg->policy.periodic_events = 4;
}

/*
 * Periodic every 4 events: event 4 (the opening's discard) compacts and
 * frees A or B's page; event 8 compacts again with nothing to gain.
 */
static void test_engine_periodic(void)
{
	struct comp_log log;
	struct sim *sim = engine("v4.1", M(POLICY_PERIODIC), &log, every_4_events);

	REQUIRE(sim);
	opening(sim);
	REQUIRE(log.n == 1);
	CHECK_STR_EQ(log.trigger[0], "periodic");
	CHECK_U64_EQ(log.event_index[0], 4);
	CHECK_EQ(log.freed[0], 1);
	for (uint64_t s = 10; s < 14; s++)
		CHECK_EQ(ev(sim, 'r', s, 0), 0);
	REQUIRE(log.n == 2);
	CHECK_U64_EQ(log.event_index[1], 8);
	CHECK_EQ(log.freed[1], 0);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 1);
	sim_destroy(sim);
}

static void threshold_1_every_event(struct sim_config *cfg)
{
	cfg->policy.threshold_pages = 1;
	cfg->policy.check_interval = 1;
}

/* Threshold 1 page, looked at every event: not after w 2 (0 freeable), at d 0 (1). */
static void test_engine_threshold(void)
{
	struct comp_log log;
	struct sim *sim = engine("v4.1", M(POLICY_THRESHOLD), &log, threshold_1_every_event);

	REQUIRE(sim);
	opening(sim);
	REQUIRE(log.n == 1);
	CHECK_STR_EQ(log.trigger[0], "threshold");
	CHECK_U64_EQ(log.event_index[0], 4);
	CHECK_EQ(log.freed[0], 1);
	/* nothing freeable any more: no further runs */
	CHECK_EQ(ev(sim, 'r', 1, 0), 0);
	CHECK_EQ(ev(sim, 'r', 2, 0), 0);
	CHECK_EQ(log.n, 1);
	sim_destroy(sim);
}

static void shrinker_every_event(struct sim_config *cfg)
{
	cfg->policy.check_interval = 1;
}

/*
 * Shrinker: zsmalloc's runs only when reclaim runs, never on a free.
 * Watermarks set to min 0, low 58, high 58 after creation. The opening
 * (w0 w1 w2) holds 2 pages: 62 free. `g 9 2 u` (order 2) passes the fast
 * path (62 - 3 = 59 > 58) and leaves 58. `d 0` frees an object: freeable
 * (4 - 2) / 2 = 1 page, but a free wakes nothing (the old policy compacted
 * here, which no kernel does). `g 10 0 u` finds 58, not above the low
 * watermark 58: the slow path wakes kswapd and takes the page at min (57
 * free); after the event kswapd's balance_pgdat runs the shrinker, which
 * frees the page (event 6, trigger "kswapd"), and a second scan finds
 * nothing to free. On v4.1 (no shrinker before 4.3) nothing ever runs.
 */
static void shrinker_case(const char *profile, int expect_runs)
{
	struct comp_log log;
	struct sim *sim = engine(profile, M(POLICY_SHRINKER), &log, shrinker_every_event);

	REQUIRE(sim);
	REQUIRE(physmem_set_watermarks(sim_mem(sim), 0, 0, 58, 58) == 0);
	CHECK_EQ(ev(sim, 'w', 0, 2000), 0);
	CHECK_EQ(ev(sim, 'w', 1, 2000), 0);
	CHECK_EQ(ev(sim, 'w', 2, 2000), 0);
	CHECK_EQ(ev(sim, 'g', 9, 0), 0); /* order 2, unmovable (see ev) */
	CHECK_EQ(physmem_free_pages(sim_mem(sim)), 58);
	CHECK_EQ(ev(sim, 'd', 0, 0), 0);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 2);
	CHECK_EQ(ev_get0(sim, 10), 0);
	CHECK_EQ(log.n, expect_runs);
	if (expect_runs) {
		CHECK_STR_EQ(log.trigger[0], "kswapd");
		CHECK_U64_EQ(log.event_index[0], 6);
		CHECK_EQ(log.freed[0], 1);
		CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 1);
		CHECK_EQ(physmem_free_pages(sim_mem(sim)), 58);
	} else {
		CHECK_EQ(zs_get_total_pages(sim_pool(sim)), 2);
		CHECK_EQ(physmem_free_pages(sim_mem(sim)), 57);
	}
	sim_destroy(sim);
}

static void test_engine_shrinker(void)
{
	shrinker_case("v4.3", 1);
	shrinker_case("v4.1", 0);
}

int main(void)
{
	RUN(test_parse_and_format);
	RUN(test_manual_periodic_decisions);
	RUN(test_threshold_shrinker_decisions);
	RUN(test_engine_manual);
	RUN(test_engine_periodic);
	RUN(test_engine_threshold);
	RUN(test_engine_shrinker);
	return test_summary();
}
