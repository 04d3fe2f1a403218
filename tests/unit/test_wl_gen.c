/*
 * test_wl_gen.c - the workload generators: parameters and their errors,
 * determinism, the statistics of each model against its parameters, and
 * that every generated trace is a valid trace that replays cleanly.
 *
 * Statistical checks allow five standard deviations of sampling error
 * (Poisson counts: sd = sqrt(expected)), so they fail only when a model
 * does not do what its parameters say.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "test_util.h"
#include "trace_text.h"
#include "wl.h"

#define MAX_SLOTS (1u << 20)

/* Counters over a generated trace, and the checks every trace must pass. */
struct trace_stats {
	uint64_t events, by_op[128];
	uint64_t writes_same, write_bytes;
	uint64_t last_t;
	bool all_timed, monotonic;
	uint64_t overwrites;  /* w/z to a slot that holds data: models never do that */
	uint64_t reads_empty; /* r or d of a slot that holds nothing */
	uint8_t *slot_live;
};

static void stats_init(struct trace_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->all_timed = st->monotonic = true;
	st->slot_live = calloc(MAX_SLOTS, 1);
}

static void stats_add(struct trace_stats *st, const struct sim_event *ev)
{
	st->events++;
	st->by_op[(unsigned char)ev->op]++;
	if (ev->op == SIM_OP_VERIFY)
		return;
	if (!ev->has_time)
		st->all_timed = false;
	if (ev->time_ns < st->last_t)
		st->monotonic = false;
	st->last_t = ev->time_ns;
	if (ev->id >= MAX_SLOTS)
		return;
	switch (ev->op) {
	case SIM_OP_WRITE:
	case SIM_OP_WRITE_SAME:
		if (st->slot_live[ev->id])
			st->overwrites++;
		st->slot_live[ev->id] = 1;
		if (ev->op == SIM_OP_WRITE_SAME)
			st->writes_same++;
		else
			st->write_bytes += ev->size;
		break;
	case SIM_OP_READ:
		if (!st->slot_live[ev->id])
			st->reads_empty++;
		break;
	case SIM_OP_DISCARD:
		if (!st->slot_live[ev->id])
			st->reads_empty++;
		st->slot_live[ev->id] = 0;
		break;
	default:
		break;
	}
}

/* Build a generator from a mix and "KEY=VALUE" strings (NULL-terminated). */
static struct wl_gen *make(const char *mix, const char *const *params, uint64_t seed)
{
	struct wl_gen *g;
	char err[512];

	if (wl_gen_create(mix, &g, err, sizeof(err))) {
		fprintf(stderr, "create %s: %s\n", mix, err);
		return NULL;
	}
	for (unsigned int i = 0; params && params[i]; i++)
		if (wl_gen_set(g, params[i], NULL, err, sizeof(err))) {
			fprintf(stderr, "set %s: %s\n", params[i], err);
			wl_gen_destroy(g);
			return NULL;
		}
	if (wl_gen_start(g, seed, err, sizeof(err))) {
		fprintf(stderr, "start %s: %s\n", mix, err);
		wl_gen_destroy(g);
		return NULL;
	}
	return g;
}

/* The error message of setting one parameter, or "" when accepted. */
static const char *set_error(const char *mix, const char *kv, char *err, size_t len)
{
	struct wl_gen *g;

	err[0] = 0;
	if (wl_gen_create(mix, &g, err, len))
		return err;
	if (wl_gen_set(g, kv, NULL, err, len) == 0)
		err[0] = 0;
	wl_gen_destroy(g);
	return err;
}

static void test_param_errors(void)
{
	char err[512];
	struct wl_gen *g;

	CHECK_STR_EQ(set_error("churn", "rate=10", err, sizeof(err)), "");
	CHECK_STR_EQ(set_error("churn", "churn.rate=10", err, sizeof(err)), "");
	CHECK(strstr(set_error("churn", "bogus=1", err, sizeof(err)), "unknown parameter 'bogus'"));
	CHECK(strstr(set_error("churn", "churn.bogus=1", err, sizeof(err)),
		     "model churn has no 'bogus'"));
	CHECK(strstr(set_error("churn", "forkstorm.rate=1", err, sizeof(err)),
		     "model 'forkstorm' is not in the mix"));
	CHECK(strstr(set_error("churn,forkstorm", "rate=1", err, sizeof(err)),
		     "ambiguous parameter 'rate'"));
	CHECK(strstr(set_error("churn", "rate=abc", err, sizeof(err)), "not a number"));
	CHECK(strstr(set_error("churn", "rate=", err, sizeof(err)), "not a number"));
	CHECK(strstr(set_error("churn", "rate=-5", err, sizeof(err)), "outside"));
	CHECK(strstr(set_error("churn", "target=1.5", err, sizeof(err)), "not an integer"));
	CHECK(strstr(set_error("churn", "sizes=magic", err, sizeof(err)),
		     "one of: empirical bimodal fixed"));
	CHECK(strstr(set_error("churn", "rate", err, sizeof(err)), "not KEY=VALUE"));
	CHECK(strstr(set_error("nosuch", "rate=1", err, sizeof(err)), "unknown model 'nosuch'"));
	CHECK(strstr(set_error("churn,churn", "rate=1", err, sizeof(err)), "twice"));
	CHECK(strstr(set_error("churn,", "rate=1", err, sizeof(err)), "empty model name"));
	/* checked together at the start */
	REQUIRE(wl_gen_create("churn", &g, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "target", "200000", err, sizeof(err)) == 0);
	CHECK_EQ(wl_gen_start(g, 1, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "exceeds the disk's 131072 slots") != NULL);
	wl_gen_destroy(g);
	REQUIRE(wl_gen_create("filldrain", &g, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "ratio", "1.01", err, sizeof(err)) == 0);
	CHECK_EQ(wl_gen_start(g, 1, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "unreachable") != NULL);
	wl_gen_destroy(g);
}

/*
 * Every real or integer parameter of every model (and the global ones) at its
 * edges: 0, negative, tiny, huge, nan, inf, its range's ends and just past
 * them. A value is accepted exactly when it is a finite number inside
 * min..max (or 0 for the "0 = none" ones); an accepted value must start (or
 * fail the start with a one-line reason) and generate events in time order
 * without a crash; a refused one gives a one-line message naming the key.
 */
static void edge_one(const char *mix, const struct wl_param_def *d, const char *value)
{
	char kv[128], err[512] = "";
	struct wl_gen *g;
	struct sim_event ev;
	double v = strtod(value, NULL);
	bool want = isfinite(v) && (d->type != WL_P_INT || v == floor(v)) &&
		    ((v >= d->min && v <= d->max) || (v == 0 && (d->flags & WL_PF_ZERO_OFF)));
	int rc;

	snprintf(kv, sizeof(kv), "%s=%s", d->key, value);
	if (wl_gen_create(mix, &g, err, sizeof(err)))
		return;
	rc = wl_gen_set(g, kv, NULL, err, sizeof(err));
	if ((rc == 0) != want)
		fprintf(stderr, "  %s %s: %s (%s)\n", mix, kv, rc ? "refused" : "accepted", err);
	CHECK_EQ(rc == 0, want);
	if (rc) {
		CHECK(strstr(err, d->key) != NULL && !strchr(err, '\n'));
	} else if ((rc = wl_gen_start(g, 1, err, sizeof(err))) != 0) {
		CHECK_EQ(rc, -EINVAL);
		CHECK(err[0] && !strchr(err, '\n'));
	} else {
		uint64_t t = 0;
		int n = 0;

		while (n < 3000 && (rc = wl_gen_next(g, &ev)) == 1) {
			if (ev.has_time) {
				CHECK(ev.time_ns >= t);
				t = ev.time_ns;
			}
			n++;
		}
		CHECK(rc >= 0);
	}
	wl_gen_destroy(g);
}

static void edge_table(const char *mix, const struct wl_param_def *d, size_t n)
{
	static const char *const fixed[] = {"0",   "-0",   "-1",	"1e-12", "1e-300", "1e300",
					    "nan", "-nan", "inf", "-inf", "1e-9",   "2e-9"};

	for (size_t i = 0; i < n; i++) {
		double below, above;
		char buf[4][64];

		if (d[i].type == WL_P_CHOICE)
			continue;
		for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
			edge_one(mix, &d[i], fixed[k]);
		below = d[i].type == WL_P_INT ? d[i].min - 1 : d[i].min - fabs(d[i].min) * 1e-3 - 1e-15;
		above = d[i].type == WL_P_INT ? d[i].max + 1 : d[i].max * (1 + 1e-3);
		snprintf(buf[0], sizeof(buf[0]), "%.17g", d[i].min);
		snprintf(buf[1], sizeof(buf[1]), "%.17g", d[i].max);
		snprintf(buf[2], sizeof(buf[2]), "%.17g", below);
		snprintf(buf[3], sizeof(buf[3]), "%.17g", above);
		for (int k = 0; k < 4; k++)
			edge_one(mix, &d[i], buf[k]);
	}
}

static void test_param_edges(void)
{
	const struct wl_param_def *d;
	char err[512];
	struct wl_gen *g;
	size_t n;

	d = wl_param_defs(NULL, &n);
	edge_table("churn", d, n);
	for (unsigned int m = 0; wl_model_name(m); m++) {
		d = wl_param_defs(wl_model_name(m), &n);
		edge_table(wl_model_name(m), d, n);
	}
	/* the crash of issue 12.8: a period below the clock's resolution was a division by 0 */
	CHECK(strstr(set_error("pressure", "period=1e-12", err, sizeof(err)), "period: outside"));
	/* the smallest period runs a whole (short) trace */
	REQUIRE(wl_gen_create("pressure", &g, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "period=1e-6", NULL, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "duration=0.05", NULL, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "cache=100", NULL, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "slab=100", NULL, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "ramp=0.01", NULL, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_start(g, 1, err, sizeof(err)) == 0);
	{
		struct sim_event ev;
		int rc;
		uint64_t nev = 0;

		while ((rc = wl_gen_next(g, &ev)) == 1)
			nev++;
		CHECK_EQ(rc, 0);
		CHECK(nev > 40); /* rate 1000/s x 0.05 s after the ramp, plus the ramp */
	}
	wl_gen_destroy(g);
	/* unbounded holdings: bounded by the largest machine (1 TiB) and PID_MAX_LIMIT */
	CHECK(strstr(set_error("pressure", "cache=1e12", err, sizeof(err)), "outside 0..268435456"));
	CHECK(strstr(set_error("forkstorm", "max_live=1e9", err, sizeof(err)),
		     "outside 1..4194304"));
	CHECK(strstr(set_error("churn", "snapshot=1e-9", err, sizeof(err)),
		     "outside 0.001..1000000000 (or 0 = none)"));
	REQUIRE(wl_gen_create("pressure", &g, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "cache=268435456", NULL, err, sizeof(err)) == 0);
	REQUIRE(wl_gen_set(g, "page_size=16384", NULL, err, sizeof(err)) == 0);
	CHECK_EQ(wl_gen_start(g, 1, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "cache + slab = 268465456 pages, more than the largest machine's RAM "
			  "(67108864 pages of 16384 bytes") != NULL);
	wl_gen_destroy(g);
}

/* Every event of g formatted as text, concatenated. */
static char *render(struct wl_gen *g, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	struct sim_event ev;

	while (buf && wl_gen_next(g, &ev) == 1) {
		if (cap - n < TRACE_TEXT_EVENT_MAX) {
			char *b = realloc(buf, cap *= 2);

			if (!b) {
				free(buf);
				return NULL;
			}
			buf = b;
		}
		n += (size_t)trace_format_event(buf + n, cap - n, &ev);
	}
	*len = n;
	return buf;
}

static void test_same_seed_same_trace(void)
{
	static const char *const p[] = {"duration=60", "ram_mb=100", "cache=5000",
					"slab=5000",   "compact=20", NULL};
	const char *mix = "appswitch,churn,forkstorm,pressure";
	struct wl_gen *a = make(mix, p, 5), *b = make(mix, p, 5), *c = make(mix, p, 6);
	size_t la, lb, lc;
	char *ta, *tb, *tc;

	REQUIRE(a && b && c);
	ta = render(a, &la);
	tb = render(b, &lb);
	tc = render(c, &lc);
	REQUIRE(ta && tb && tc);
	CHECK(la > 100000);
	CHECK_U64_EQ(la, lb);
	CHECK(la == lb && memcmp(ta, tb, la) == 0);
	CHECK(la != lc || memcmp(ta, tc, la) != 0);
	free(ta);
	free(tb);
	free(tc);
	wl_gen_destroy(a);
	wl_gen_destroy(b);
	wl_gen_destroy(c);
}

static void run(struct wl_gen *g, struct trace_stats *st)
{
	struct sim_event ev;

	while (wl_gen_next(g, &ev) == 1)
		stats_add(st, &ev);
	CHECK(st->all_timed);
	CHECK(st->monotonic);
	CHECK_U64_EQ(st->overwrites, 0);
	CHECK_U64_EQ(st->reads_empty, 0);
}

static void test_forkstorm_rates(void)
{
	static const char *const p[] = {"duration=1000", "rate=100", "life=1", "snapshot=0", NULL};
	struct wl_gen *g = make("forkstorm", p, 11);
	struct sim_event ev;
	struct trace_stats st;
	double life_sum = 0;
	uint64_t exits = 0, *born = calloc(200000, sizeof(*born));

	REQUIRE(g && born);
	stats_init(&st);
	while (wl_gen_next(g, &ev) == 1) {
		stats_add(&st, &ev);
		if (ev.op == SIM_OP_FORK && ev.id - 1000 < 200000)
			born[ev.id - 1000] = ev.time_ns;
		if (ev.op == SIM_OP_EXIT && ev.id - 1000 < 200000) {
			life_sum += (double)(ev.time_ns - born[ev.id - 1000]) / 1e9;
			exits++;
		}
	}
	/* Poisson, 100/s for 1000 s: 100000 forks, sd 316 */
	CHECK_LE(llabs((long long)st.by_op['k'] - 100000), 5 * 316);
	/* exponential lifetimes of mean 1 s: the mean of ~1e5 has sd 0.0032 s */
	REQUIRE(exits > 90000);
	CHECK_DBL_NEAR(life_sum / (double)exits, 1.0, 5 / sqrt((double)exits));
	/* processes alive at the end: about rate x life = 100 */
	CHECK_LE(st.by_op['k'] - st.by_op['x'], 200);
	free(born);
	free(st.slot_live);
	wl_gen_destroy(g);
}

static void test_forkstorm_bursts(void)
{
	static const char *const p[] = {"duration=100",	   "rate=50",	"burst=10",   "gap_us=0",
					"life_dist=fixed", "life=1000", "snapshot=0", NULL};
	struct wl_gen *g = make("forkstorm", p, 12);
	struct sim_event ev;
	uint64_t forks = 0, same_time = 0, last = UINT64_MAX;

	REQUIRE(g);
	while (wl_gen_next(g, &ev) == 1) {
		CHECK(ev.op == SIM_OP_FORK); /* fixed lives of 1000 s: no exit within 100 s */
		same_time += ev.time_ns == last;
		last = ev.time_ns;
		forks++;
	}
	/* 5 bursts/s for 100 s: 500 bursts (sd 22.4) of exactly 10 forks at one time */
	CHECK_EQ(forks % 10, 0);
	CHECK_LE(llabs((long long)forks / 10 - 500), 112);
	CHECK_U64_EQ(same_time, forks - forks / 10);
	wl_gen_destroy(g);
}

static void test_churn_rates(void)
{
	static const char *const p[] = {
	    "duration=200", "target=20000", "rate=5000", "fill_rate=100000",
	    "swapin=0.7",   "snapshot=10",  NULL};
	struct wl_gen *g = make("churn", p, 13);
	struct trace_stats st;
	struct sim_event ev;
	uint64_t ops_after = 0, reads_after = 0, removals_after = 0, stored = 0, lo = UINT64_MAX,
		 hi = 0;

	REQUIRE(g);
	stats_init(&st);
	while (wl_gen_next(g, &ev) == 1) {
		bool steady = ev.time_ns >= 1000000000ULL; /* the fill ends at 0.2 s */

		stats_add(&st, &ev);
		if (ev.op == SIM_OP_WRITE || ev.op == SIM_OP_WRITE_SAME)
			stored++;
		if (ev.op == SIM_OP_DISCARD)
			stored--;
		if (!steady)
			continue;
		if (ev.op == SIM_OP_WRITE || ev.op == SIM_OP_WRITE_SAME || ev.op == SIM_OP_DISCARD)
			ops_after++;
		if (ev.op == SIM_OP_DISCARD)
			removals_after++;
		if (ev.op == SIM_OP_READ)
			reads_after++;
		lo = stored < lo ? stored : lo;
		hi = stored > hi ? stored : hi;
	}
	/* 5000 ops/s for 199 s: 995000, sd 997 */
	CHECK_LE(llabs((long long)ops_after - 995000), 5 * 997);
	/* of the removals, 70% are swap-ins (binomial sd 0.001) */
	CHECK_DBL_NEAR((double)reads_after / (double)removals_after, 0.7, 0.005);
	/* the pull keeps the pool within the band (5% of 20000) and a little */
	CHECK_LE(20000 - (long long)lo, 1500);
	CHECK_LE((long long)hi - 20000, 1500);
	/* 20 snapshots (10 s apart up to 200 s) */
	CHECK_U64_EQ(st.by_op['s'], 20);
	/* same-filled share of all writes: 0.085, binomial sd 0.0003 */
	CHECK_DBL_NEAR((double)st.writes_same / (double)(st.by_op['w'] + st.by_op['z']), 0.085,
		       0.0015);
	free(st.slot_live);
	wl_gen_destroy(g);
}

/* pick=oldest is FIFO: pages leave in the order they were written; newest is LIFO. */
static void test_churn_pick_order(void)
{
	static const char *const fifo[] = {"duration=30", "target=3000", "rate=1000", "pick=oldest",
					   NULL};
	static const char *const lifo[] = {"duration=30", "target=3000", "rate=1000", "pick=newest",
					   NULL};
	const char *const *sets[2] = {fifo, lifo};

	for (int k = 0; k < 2; k++) {
		struct wl_gen *g = make("churn", sets[k], 20);
		/* the stored pages as a deque of slots, in write order: [head, tail) */
		uint64_t *dq = calloc(1 << 20, sizeof(*dq)), head = 0, tail = 0, bad = 0, rm = 0;
		struct sim_event ev;

		REQUIRE(g && dq);
		while (wl_gen_next(g, &ev) == 1) {
			if (ev.op == SIM_OP_WRITE || ev.op == SIM_OP_WRITE_SAME) {
				REQUIRE(tail < (1 << 20));
				dq[tail++] = ev.id;
			} else if (ev.op == SIM_OP_DISCARD) {
				rm++;
				REQUIRE(head < tail);
				if (k == 0)
					bad += dq[head++] != ev.id;
				else
					bad += dq[--tail] != ev.id;
			}
		}
		CHECK(rm > 5000);
		CHECK_U64_EQ(bad, 0);
		free(dq);
		wl_gen_destroy(g);
	}
}

static void test_filldrain_patterns(void)
{
	static const char *const kth[] = {"pages=1000", "pattern=kth", "k=4", NULL};
	static const char *const rnd[] = {"pages=1000", "drain=0.3", NULL};
	static const char *const cls[] = {"pages=5000",	     "pattern=class", "class_bytes=64",
					  "compact_after=0", "cycles=2",      NULL};
	struct wl_gen *g;
	struct trace_stats st;
	struct sim_event ev;
	uint32_t *size_of = calloc(MAX_SLOTS, sizeof(*size_of));
	uint64_t bad_class = 0;

	REQUIRE(size_of);
	g = make("filldrain", kth, 14);
	REQUIRE(g);
	stats_init(&st);
	run(g, &st);
	CHECK_U64_EQ(st.by_op['w'] + st.by_op['z'], 1000);
	CHECK_U64_EQ(st.by_op['d'], 250); /* pages 0, 4, 8... */
	CHECK_U64_EQ(st.by_op['c'], 1);
	CHECK_U64_EQ(st.by_op['s'], 3); /* filled, drained, compacted */
	free(st.slot_live);
	wl_gen_destroy(g);

	g = make("filldrain", rnd, 15);
	REQUIRE(g);
	stats_init(&st);
	run(g, &st);
	CHECK_U64_EQ(st.by_op['d'], 300);
	free(st.slot_live);
	wl_gen_destroy(g);

	/* class: only pages in odd 64-byte bands are freed, in each of 2 cycles */
	g = make("filldrain", cls, 16);
	REQUIRE(g);
	stats_init(&st);
	while (wl_gen_next(g, &ev) == 1) {
		stats_add(&st, &ev);
		if (ev.op == SIM_OP_WRITE)
			size_of[ev.id] = ev.size;
		if (ev.op == SIM_OP_WRITE_SAME)
			size_of[ev.id] = 0;
		if (ev.op == SIM_OP_DISCARD &&
		    (size_of[ev.id] == 0 || ((size_of[ev.id] - 1) / 64) % 2 != 1))
			bad_class++;
	}
	CHECK_U64_EQ(bad_class, 0);
	CHECK_U64_EQ(st.by_op['w'] + st.by_op['z'], 10000);
	CHECK(st.by_op['d'] > 3000 && st.by_op['d'] < 7000);
	CHECK_U64_EQ(st.by_op['c'], 0);
	CHECK_U64_EQ(st.by_op['s'], 4);
	CHECK_U64_EQ(st.overwrites, 0);
	free(st.slot_live);
	free(size_of);
	wl_gen_destroy(g);
}

static void test_pressure_orders(void)
{
	static const char *const p[] = {
	    "duration=300", "cache=10000",     "slab=20000", "order1=0.2", "order2=0.1",
	    "order3=0.05",  "reclaimable=0.4", "rate=2000",  "snapshot=0", NULL};
	struct wl_gen *g = make("pressure", p, 17);
	struct sim_event ev;
	uint64_t order[4] = {0}, slab = 0, recl = 0, movable = 0;
	int64_t held_cache = 0, held_slab = 0;
	uint8_t *kind = calloc(1 << 22, 1); /* block ID -> order + 1 (slab) or 8 (cache) */

	REQUIRE(g && kind);
	while (wl_gen_next(g, &ev) == 1) {
		if (ev.op == SIM_OP_GET) {
			REQUIRE(ev.id < (1 << 22));
			if (ev.mtype == SIM_MT_MOVABLE) {
				CHECK_EQ(ev.order, 0);
				movable++;
				held_cache++;
				kind[ev.id] = 8;
			} else {
				order[ev.order]++;
				slab++;
				recl += ev.mtype == SIM_MT_RECLAIMABLE;
				held_slab += 1 << ev.order;
				kind[ev.id] = (uint8_t)(ev.order + 1);
			}
		} else if (ev.op == SIM_OP_PUT) {
			REQUIRE(kind[ev.id]);
			if (kind[ev.id] == 8)
				held_cache--;
			else
				held_slab -= 1 << (kind[ev.id] - 1);
			kind[ev.id] = 0;
		}
	}
	REQUIRE(slab > 10000);
	/* binomial shares: sd <= 0.005 at this count */
	CHECK_DBL_NEAR((double)order[1] / (double)slab, 0.2, 0.02);
	CHECK_DBL_NEAR((double)order[2] / (double)slab, 0.1, 0.015);
	CHECK_DBL_NEAR((double)order[3] / (double)slab, 0.05, 0.01);
	CHECK_DBL_NEAR((double)recl / (double)slab, 0.4, 0.02);
	/* held at the end: about the targets (band 5%) */
	CHECK_LE(llabs(held_cache - 10000), 1000);
	CHECK_LE(llabs(held_slab - 20000), 2000);
	free(kind);
	wl_gen_destroy(g);
}

static void test_appswitch_lifecycle(void)
{
	static const char *const p[] = {"duration=600", "apps=10",    "ws_mb=20",
					"ram_mb=60",	"cached=4",   "switch=2",
					"touch=0.5",	"snapshot=0", NULL};
	struct wl_gen *g = make("appswitch", p, 18);
	struct trace_stats st;

	REQUIRE(g);
	stats_init(&st);
	run(g, &st);
	/* a cold start forks; with at most 4 running, every fork past the 4th kills one */
	CHECK(st.by_op['k'] > 4);
	CHECK_U64_EQ(st.by_op['x'], st.by_op['k'] - 4);
	/* swap traffic both ways, and pages are freed from RAM as they go out */
	CHECK(st.by_op['w'] > 1000);
	CHECK(st.by_op['r'] > 1000);
	CHECK(st.by_op['p'] >= st.by_op['w']);
	free(st.slot_live);
	wl_gen_destroy(g);
}

static void test_events_limit_and_verify(void)
{
	static const char *const p[] = {"events=12345", "verify=1", NULL};
	struct wl_gen *g = make("churn", p, 19);
	struct trace_stats st;

	REQUIRE(g);
	stats_init(&st);
	run(g, &st);
	CHECK_U64_EQ(st.events, 12346); /* the limit, then the final v */
	CHECK_U64_EQ(st.by_op['v'], 1);
	free(st.slot_live);
	wl_gen_destroy(g);
}

/*
 * Write the trace, read it back with the trace reader (which checks time
 * order, field ranges and the liveness of IDs) and replay it through the
 * engine with invariant checks: no error may come out of either.
 */
static void replays_cleanly(const char *mix, const char *const *params, uint64_t seed)
{
	struct wl_gen *g = make(mix, params, seed);
	struct sim_config cfg;
	struct sim *sim = NULL;
	struct trace_reader *r = NULL;
	const struct trace_meta *meta;
	struct sim_event ev;
	FILE *f = tmpfile();
	char msg[512];
	uint64_t n = 0;
	int rc;

	REQUIRE(g && f);
	REQUIRE(trace_write_header(f, meta, wl_gen_meta(g, &meta)) == 0);
	while (wl_gen_next(g, &ev) == 1)
		REQUIRE(trace_write_event(f, &ev) == 0);
	wl_gen_destroy(g);
	rewind(f);
	REQUIRE(trace_reader_open_file(f, mix, &r, msg, sizeof(msg)) == 0);
	sim_config_default(&cfg);
	cfg.mem.ram_bytes = 64 << 20;
	cfg.mem.lowmem_limit_bytes = 48 << 20;
	cfg.zram_disksize = 32 << 20;
	cfg.check_every = 5000;
	cfg.timing = false;
	REQUIRE(sim_create(&cfg, NULL, &sim, msg, sizeof(msg)) == 0);
	while ((rc = trace_reader_next(r, &ev, msg, sizeof(msg))) == 1) {
		char why[400];

		n++;
		if (sim_event(sim, &ev, why, sizeof(why)) != 0) {
			TU_FAIL_("%s: line %llu: %s", mix, (unsigned long long)ev.line, why);
			break;
		}
	}
	if (rc < 0)
		TU_FAIL_("%s: %s", mix, msg);
	CHECK(n > 500);
	sim_destroy(sim);
	trace_reader_close(r);
	fclose(f);
}

/*
 * Small traces on a small machine (64 MiB, 48 MiB lowmem, a 32 MiB zram disk), so that the
 * debug build's whole-pool walks after every event stay quick.
 */
static void test_every_model_replays(void)
{
	static const char *const as[] = {"duration=40",	   "apps=6",   "ws_mb=3",    "ram_mb=8",
					 "cached=4",	   "switch=1", "compact=10", "verify=1",
					 "disksize_mb=32", NULL};
	static const char *const ch[] = {"duration=5", "sizes=empirical", "target=2000",
					 "rate=400",   "disksize_mb=32",  NULL};
	static const char *const fd[] = {"pages=2000",	   "pattern=kth", "k=3",
					 "cycles=2",	   "swapin=0.2",  "verify=1",
					 "disksize_mb=32", NULL};
	static const char *const fs[] = {"duration=20", "rate=100",	  "burst=20",
					 "life=2",	"disksize_mb=32", NULL};
	static const char *const pr[] = {"duration=20", "cache=1500", "slab=1500",	"period=8",
					 "rate=200",	"ramp=2",     "disksize_mb=32", NULL};
	static const char *const mix[] = {
	    "duration=20", "apps=6",	 "ws_mb=3",   "ram_mb=8",	"cached=4",
	    "switch=1",	   "cache=1500", "slab=1500", "period=8",	"pressure.rate=200",
	    "ramp=2",	   "compact=5",	 "verify=1",  "disksize_mb=32", NULL};
	static const char *const all[] = {"duration=10",       "apps=4",
					  "ws_mb=2",	       "ram_mb=4",
					  "churn.target=1000", "churn.rate=200",
					  "pages=1000",	       "cache=1000",
					  "slab=1000",	       "pressure.rate=100",
					  "forkstorm.rate=20", "compressor=zstd",
					  "disksize_mb=32",    NULL};

	replays_cleanly("appswitch", as, 21);
	replays_cleanly("churn", ch, 22);
	replays_cleanly("filldrain", fd, 23);
	replays_cleanly("forkstorm", fs, 24);
	replays_cleanly("pressure", pr, 25);
	replays_cleanly("appswitch,forkstorm,pressure", mix, 26);
	replays_cleanly("filldrain,churn,forkstorm,pressure,appswitch", all, 27);
}

int main(void)
{
	RUN(test_param_errors);
	RUN(test_same_seed_same_trace);
	RUN(test_forkstorm_rates);
	RUN(test_forkstorm_bursts);
	RUN(test_churn_rates);
	RUN(test_churn_pick_order);
	RUN(test_param_edges);
	RUN(test_filldrain_patterns);
	RUN(test_pressure_orders);
	RUN(test_appswitch_lifecycle);
	RUN(test_events_limit_and_verify);
	RUN(test_every_model_replays);
	return test_summary();
}
