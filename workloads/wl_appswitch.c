/*
 * wl_appswitch.c - an Android-like device switching between apps.
 *
 * `apps` apps are installed; app i's anonymous working set is drawn once,
 * lognormal with median ws_mb and sigma ws_sigma. Every `switch` seconds on
 * average (exponential gaps) the user brings an app to the foreground,
 * chosen by popularity (Zipf with exponent `zipf`: app 0 most often):
 *   - not running: a cold start. With cached apps already running, the
 *     low-memory killer first kills the least recently used one: all its
 *     swap slots are discarded at once (`d`), its resident pages freed, its
 *     process exits (`x`). Then the app is forked (`k`) and its working set
 *     becomes resident.
 *   - running: a warm start. It touches a `touch` fraction of its swapped
 *     pages, chosen at random, which are swapped in (`r SLOT`, `d SLOT`:
 *     zram frees the slot of a page swapped back in).
 * Then reclaim: while the apps' resident pages exceed ram_mb, pages are
 * swapped out (`w SLOT SIZE` or `z SLOT` for same-filled pages), a random
 * resident page of one background app at a time: of the least recently used
 * one, or with probability lru_spread of a background app drawn at random,
 * since the kernel's inactive list holds pages of every background app (a
 * background app still touches some of its pages), so the objects of
 * different apps end up side by side in zsmalloc's zspages. The foreground
 * app pages against itself only when no background app has a page left.
 * When the zram disk is full, the low-memory killer kills that app instead.
 *
 * With resident=1 every resident page is an order-0 movable block of
 * physical memory (`g ID 0 m` when it becomes resident, `p ID s SLOT` right
 * after its swap-out's write, `p ID` when its app is killed), so the apps
 * compete with zram's pool for RAM as they do on a phone; a page whose
 * write fails stays resident in the replay, as the kernel keeps a page whose
 * swap-out failed. With launch=0 apps get no `k`/`x`.
 *
 * The events of one switch are io_us apart (the kill's discards and frees
 * share one time: they happen at once); the next switch comes after them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "wl_internal.h"

enum {
	P_APPS,
	P_WS,
	P_WS_SIGMA,
	P_RAM,
	P_CACHED,
	P_SWITCH,
	P_TOUCH,
	P_ZIPF,
	P_IO,
	P_SPREAD,
	P_RESIDENT,
	P_LAUNCH,
	P_START,
	P_NR
};

static const struct wl_param_def params[P_NR] = {
    [P_APPS] = {"apps", WL_P_INT, 20, 1, 100000, NULL, "apps installed"},
    [P_WS] = {"ws_mb", WL_P_REAL, 40, 0.001, WL_MAX_APP_MB, NULL,
	      "median anonymous working set of an app, MiB (each app's at most 4 GiB)"},
    [P_WS_SIGMA] = {"ws_sigma", WL_P_REAL, 0.5, 0, 5, NULL, "lognormal sigma of the working sets"},
    [P_RAM] = {"ram_mb", WL_P_REAL, 300, 0, WL_MAX_RAM_MB, NULL,
	       "anonymous memory the apps keep resident; beyond it pages are swapped out, "
	       "MiB"},
    [P_CACHED] = {"cached", WL_P_INT, 12, 1, 100000, NULL,
		  "most apps running; the low-memory killer kills the LRU one beyond"},
    [P_SWITCH] = {"switch", WL_P_REAL, 20, 1e-6, 1e9, NULL, "mean seconds between app switches"},
    [P_TOUCH] = {"touch", WL_P_REAL, 0.5, 0, 1, NULL,
		 "fraction of its swapped pages an app swaps in when it returns"},
    [P_ZIPF] = {"zipf", WL_P_REAL, 1, 0, 10, NULL,
		"popularity exponent: app i is chosen with weight 1/(i+1)^zipf"},
    [P_IO] = {"io_us", WL_P_REAL, 10, 1e-3, 1e9, NULL,
	      "microseconds per page swapped (0 = none; >= 1 ns)", WL_PF_ZERO_OFF},
    [P_SPREAD] = {"lru_spread", WL_P_REAL, 0.5, 0, 1, NULL,
		  "share of reclaimed pages taken from a random background app rather than "
		  "the least recently used one"},
    [P_RESIDENT] = {"resident", WL_P_INT, 1, 0, 1, NULL,
		    "1 = resident app pages are movable blocks (g/p)"},
    [P_LAUNCH] = {"launch", WL_P_INT, 1, 0, 1, NULL,
		  "1 = a cold start forks (k) and a kill exits (x)"},
    [P_START] = {"start", WL_P_REAL, 0, 1e-9, 1e9, NULL, "seconds before the first switch",
		 WL_PF_ZERO_OFF},
};

struct app {
	uint64_t pid;		/* 0 = not running */
	uint64_t ws;		/* working set, pages */
	uint64_t nr_resident;	/* pages */
	struct wl_vec resident; /* their block IDs, with resident=1 */
	struct wl_vec swapped;	/* slots holding its swapped pages */
	uint64_t last_fg;	/* ns, for the LRU order; 0 = never */
};

struct appswitch {
	struct app *apps;
	unsigned int nr;
	double *zipf_cum; /* cumulative popularity weights */
	int fg;		  /* foreground app, -1 before the first switch */
	unsigned int running;
	uint64_t resident; /* pages, all apps */
	uint64_t ram;	   /* pages */
	uint64_t t;	   /* ns of the next switch */
	uint64_t tt;	   /* ns, time cursor inside a switch */
	uint64_t io;	   /* ns per page */
	bool blocks, launch;
};

static int as_init(struct wl_model *m, struct wl_ctx *c, char *err, size_t errlen)
{
	struct appswitch *a = calloc(1, sizeof(*a));
	double sum = 0, page_mb = (double)c->page_size / (1024.0 * 1024.0);

	(void)err;
	(void)errlen;
	if (!a)
		return -ENOMEM;
	m->priv = a;
	a->nr = (unsigned int)m->pv[P_APPS];
	a->apps = calloc(a->nr, sizeof(*a->apps));
	a->zipf_cum = calloc(a->nr, sizeof(*a->zipf_cum));
	if (!a->apps || !a->zipf_cum)
		return -ENOMEM;
	for (unsigned int i = 0; i < a->nr; i++) {
		double ws = wl_rng_lognormal(&c->rng, m->pv[P_WS], m->pv[P_WS_SIGMA]) / page_mb;

		/* no app touches more than a 32-bit address space; a cold start queues every
		 * page of its working set at once, so this also bounds the queue */
		if (ws > WL_MAX_APP_MB / page_mb)
			ws = WL_MAX_APP_MB / page_mb;
		a->apps[i].ws = ws < 1 ? 1 : (uint64_t)ws;
		sum += pow(i + 1.0, -m->pv[P_ZIPF]);
		a->zipf_cum[i] = sum;
	}
	a->fg = -1;
	a->ram = (uint64_t)(m->pv[P_RAM] / page_mb);
	a->io = wl_ns(m->pv[P_IO] * 1e-6);
	a->t = wl_ns(m->pv[P_START]);
	a->blocks = m->pv[P_RESIDENT] != 0;
	a->launch = m->pv[P_LAUNCH] != 0;
	return 0;
}

static unsigned int pick_app(struct appswitch *a, struct wl_ctx *c)
{
	for (;;) {
		double x = wl_rng_unit(&c->rng) * a->zipf_cum[a->nr - 1];
		unsigned int lo = 0, hi = a->nr - 1;

		while (lo < hi) {
			unsigned int mid = (lo + hi) / 2;

			if (a->zipf_cum[mid] > x)
				hi = mid;
			else
				lo = mid + 1;
		}
		if ((int)lo != a->fg || a->nr == 1)
			return lo;
	}
}

/* Least recently used running app other than `except` with something to give, or -1. */
static int lru_app(struct appswitch *a, int except, bool need_resident)
{
	int best = -1;

	for (unsigned int i = 0; i < a->nr; i++) {
		struct app *p = &a->apps[i];

		if (!p->pid || (int)i == except || (need_resident && !p->nr_resident))
			continue;
		if (best < 0 || p->last_fg < a->apps[best].last_fg)
			best = (int)i;
	}
	return best;
}

/* A running app other than `except` with resident pages, drawn uniformly; -1 if none. */
static int random_app(struct appswitch *a, struct wl_ctx *c, int except)
{
	unsigned int n = 0, k;

	for (unsigned int i = 0; i < a->nr; i++)
		n += a->apps[i].pid && (int)i != except && a->apps[i].nr_resident;
	if (!n)
		return -1;
	k = (unsigned int)wl_rng_below(&c->rng, n);
	for (unsigned int i = 0; i < a->nr; i++)
		if (a->apps[i].pid && (int)i != except && a->apps[i].nr_resident && !k--)
			return (int)i;
	return -1;
}

/* One page becomes resident at the cursor. */
static int make_resident(struct wl_model *m, struct wl_ctx *c, struct appswitch *a, struct app *p)
{
	p->nr_resident++;
	a->resident++;
	if (!a->blocks)
		return 0;
	{
		uint64_t id = c->next_block++;
		int rc = wl_vec_push(&p->resident, id);

		return rc ? rc : wl_push_get(m, a->tt, id, 0, SIM_MT_MOVABLE);
	}
}

/* The low-memory killer: everything of app i goes at once. */
static int kill_app(struct wl_model *m, struct appswitch *a, unsigned int i)
{
	struct app *p = &a->apps[i];
	int rc = 0;

	a->tt = wl_tadd(a->tt, a->io);
	for (size_t k = 0; k < p->swapped.n && !rc; k++)
		rc = wl_push(m, a->tt, SIM_OP_DISCARD, p->swapped.v[k], 0);
	for (size_t k = 0; k < p->resident.n && !rc; k++)
		rc = wl_push(m, a->tt, SIM_OP_PUT, p->resident.v[k], 0);
	if (!rc && a->launch)
		rc = wl_push(m, a->tt, SIM_OP_EXIT, p->pid, 0);
	a->resident -= p->nr_resident;
	p->nr_resident = 0;
	p->resident.n = 0;
	p->swapped.n = 0;
	p->pid = 0;
	a->running--;
	return rc;
}

static int swap_in(struct wl_model *m, struct wl_ctx *c, struct appswitch *a, struct app *p)
{
	size_t n = (size_t)llround(m->pv[P_TOUCH] * (double)p->swapped.n);
	int rc = 0;

	for (size_t k = 0; k < n && !rc; k++) {
		uint64_t slot = wl_vec_take(&p->swapped, wl_rng_below(&c->rng, p->swapped.n));

		a->tt = wl_tadd(a->tt, a->io);
		rc = wl_push(m, a->tt, SIM_OP_READ, slot, 0);
		rc = rc ? rc : wl_push(m, a->tt, SIM_OP_DISCARD, slot, 0);
		rc = rc ? rc : make_resident(m, c, a, p);
	}
	return rc;
}

static int reclaim(struct wl_model *m, struct wl_ctx *c, struct appswitch *a)
{
	while (a->resident > a->ram) {
		int v = lru_app(a, a->fg, true);

		if (v >= 0 && wl_rng_unit(&c->rng) < m->pv[P_SPREAD])
			v = random_app(a, c, a->fg);
		struct app *p;
		uint64_t slot;
		int rc;

		if (v < 0) /* only the foreground app is left: it pages against itself */
			v = a->apps[a->fg].nr_resident ? a->fg : -1;
		if (v < 0)
			return 0;
		p = &a->apps[v];
		a->tt = wl_tadd(a->tt, a->io);
		rc = wl_swap_out(m, c, a->tt, &slot);
		if (rc == -ENOSPC) { /* zram is full: the low-memory killer steps in */
			if (v == a->fg)
				return 0;
			rc = kill_app(m, a, (unsigned int)v);
			if (rc)
				return rc;
			continue;
		}
		rc = rc ? rc : wl_vec_push(&p->swapped, slot);
		if (!rc && a->blocks) {
			uint64_t id =
			    wl_vec_take(&p->resident, wl_rng_below(&c->rng, p->resident.n));

			rc = wl_push_swapped_put(m, a->tt, id, slot);
		}
		if (rc)
			return rc;
		p->nr_resident--;
		a->resident--;
	}
	return 0;
}

static int as_refill(struct wl_model *m, struct wl_ctx *c)
{
	struct appswitch *a = m->priv;
	unsigned int i;
	struct app *p;
	int rc = 0;

	if (a->t > c->end_ns) {
		m->done = true;
		return 0;
	}
	a->tt = a->t > a->tt ? a->t : a->tt;
	i = pick_app(a, c);
	p = &a->apps[i];
	if (!p->pid) {
		if (a->running >= (unsigned int)m->pv[P_CACHED]) {
			int v = lru_app(a, (int)i, false);

			if (v >= 0)
				rc = kill_app(m, a, (unsigned int)v);
		}
		p->pid = c->next_pid++;
		a->running++;
		if (!rc && a->launch)
			rc = wl_push(m, a->tt, SIM_OP_FORK, p->pid, 0);
		for (uint64_t k = 0; k < p->ws && !rc; k++) {
			a->tt = wl_tadd(a->tt, a->io);
			rc = make_resident(m, c, a, p);
		}
	} else {
		rc = swap_in(m, c, a, p);
	}
	p->last_fg = a->tt + 1; /* after every app used at time 0 */
	a->fg = (int)i;
	rc = rc ? rc : reclaim(m, c, a);
	a->t = wl_tadd(a->tt, wl_ns(wl_rng_exp(&c->rng, m->pv[P_SWITCH])));
	return rc;
}

static void as_destroy(struct wl_model *m)
{
	struct appswitch *a = m->priv;

	if (a) {
		for (unsigned int i = 0; a->apps && i < a->nr; i++) {
			wl_vec_free(&a->apps[i].resident);
			wl_vec_free(&a->apps[i].swapped);
		}
		free(a->apps);
		free(a->zipf_cum);
	}
	free(a);
	m->priv = NULL;
}

const struct wl_model_ops wl_appswitch_ops = {
    .name = "appswitch",
    .summary = "an Android-like phone: apps switched to the foreground, background pages "
	       "swapped out, swap-ins on return, low-memory kills",
    .params = params,
    .nr_params = P_NR,
    .finite = false,
    .init = as_init,
    .refill = as_refill,
    .destroy = as_destroy,
};
