/*
 * wl_pressure.c - the other users of physical memory: page cache and slab.
 *
 * Page cache is order-0 movable blocks (`g ID 0 m`, allowed in HighMem);
 * slab and other kernel allocations are unmovable or reclaimable blocks of
 * orders 0..3 (`g ID ORDER u|r`, lowmem only), as SLUB's caches use orders
 * up to 3. Freeing them at random over time leaves unmovable blocks
 * scattered over lowmem's pageblocks: the fragmentation that makes an
 * order-2 page directory hard to find while many single pages are free.
 *
 * First a ramp: over `ramp` seconds, blocks are allocated evenly until the
 * cache holds `cache` pages and the slab `slab` pages. Then operations
 * arrive as a Poisson process of `rate` per second; each picks the cache or
 * the slab in proportion to their targets, and allocates with probability
 *	1/2 + (target - held) / (2 * band * target), clamped to [0, 1],
 * else puts back one block (`free`: a random one, or the oldest, fifo).
 * A slab block's order is 1, 2 or 3 with probabilities order1..3, else 0;
 * its type is reclaimable with probability `reclaimable`, else unmovable.
 *
 * With period > 0 the targets follow a square wave, counted from the end of
 * the ramp: the first half of each period at the targets, the second half
 * at (1 - depth) of them (a user further than `band` from its target moves
 * to it at the ramp's speed, one block per ramp step, then churns at `rate`), as when reclaim
 *shrinks the caches and the slab (kswapd, drop_caches, a memory-pressure event) and they grow back.
 *The shrink frees blocks at random all over memory: the surviving unmovable blocks and zram's pool
 *pages then pin pageblocks full of free single pages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_internal.h"

static const char *const free_choices[] = {"random", "fifo", NULL};

enum {
	P_CACHE,
	P_SLAB,
	P_RATE,
	P_RAMP,
	P_O1,
	P_O2,
	P_O3,
	P_RECL,
	P_FREE,
	P_BAND,
	P_PERIOD,
	P_DEPTH,
	P_START,
	P_NR
};

static const struct wl_param_def params[P_NR] = {
    [P_CACHE] = {"cache", WL_P_INT, 40000, 0, WL_MAX_RAM_MB * 256, NULL,
		 "page-cache pages to hold (with slab, at most the largest machine's RAM)"},
    [P_SLAB] = {"slab", WL_P_INT, 30000, 0, WL_MAX_RAM_MB * 256, NULL,
		"slab / kernel pages to hold (orders 0..3)"},
    [P_RATE] = {"rate", WL_P_REAL, 1000, 0.001, 1e9, NULL,
		"get/put operations per second after the ramp"},
    [P_RAMP] = {"ramp", WL_P_REAL, 10, 1e-6, 1e9, NULL,
		"seconds to reach the targets from nothing (also the speed of a shrink)"},
    [P_O1] = {"order1", WL_P_REAL, 0.15, 0, 1, NULL, "share of slab blocks of order 1"},
    [P_O2] = {"order2", WL_P_REAL, 0.08, 0, 1, NULL, "share of slab blocks of order 2"},
    [P_O3] = {"order3", WL_P_REAL, 0.04, 0, 1, NULL, "share of slab blocks of order 3"},
    [P_RECL] = {"reclaimable", WL_P_REAL, 0.3, 0, 1, NULL,
		"share of slab blocks that are reclaimable (r) rather than unmovable (u)"},
    [P_FREE] = {"free", WL_P_CHOICE, 0, 0, 0, free_choices,
		"which block is put back: random or fifo (oldest)"},
    [P_BAND] = {"band", WL_P_REAL, 0.05, 1e-6, 1e6, NULL,
		"relative distance from a target at which the pull back is complete"},
    [P_PERIOD] = {"period", WL_P_REAL, 0, 1e-6, 1e9, NULL,
		  "seconds per shrink cycle (0 = constant targets; >= 1 us, two halves on the ns "
		  "clock)",
		  WL_PF_ZERO_OFF},
    [P_DEPTH] = {"depth", WL_P_REAL, 0.5, 0, 1, NULL,
		 "in the second half of each period the targets are (1 - depth) x target"},
    [P_START] = {"start", WL_P_REAL, 0, 1e-9, 1e9, NULL, "seconds before the ramp",
		 WL_PF_ZERO_OFF},
};

/* A kind of memory user: the blocks it holds, as (ID << 2 | order). */
struct user {
	struct wl_vec live;
	size_t head;	/* fifo: live.v[head..n) in allocation order */
	uint64_t pages; /* held now */
	double target;	/* pages */
};

struct pressure {
	struct user cache, slab;
	uint64_t t;	    /* ns of the next operation */
	uint64_t ramp_step; /* ns between ramp allocations */
	uint64_t ramp_end;  /* ns, when the targets were first reached */
	bool ramped;
};

static int pr_init(struct wl_model *m, struct wl_ctx *c, char *err, size_t errlen)
{
	struct pressure *p = calloc(1, sizeof(*p));
	double mean_pages, blocks;

	double ram_pages = WL_MAX_RAM_MB * (1024.0 * 1024.0) / c->page_size;

	if (!p)
		return -ENOMEM;
	m->priv = p;
	if (m->pv[P_O1] + m->pv[P_O2] + m->pv[P_O3] > 1) {
		snprintf(err, errlen, "order1 + order2 + order3 exceed 1");
		return -EINVAL;
	}
	/* every block held is a page of the machine: more than its RAM cannot be replayed */
	if (m->pv[P_CACHE] + m->pv[P_SLAB] > ram_pages) {
		snprintf(err, errlen,
			 "cache + slab = %.0f pages, more than the largest machine's RAM (%.0f "
			 "pages of %u bytes, ram_mb %.0f)",
			 m->pv[P_CACHE] + m->pv[P_SLAB], ram_pages, c->page_size, WL_MAX_RAM_MB);
		return -EINVAL;
	}
	p->cache.target = m->pv[P_CACHE];
	p->slab.target = m->pv[P_SLAB];
	mean_pages = 1 - m->pv[P_O1] - m->pv[P_O2] - m->pv[P_O3] + 2 * m->pv[P_O1] +
		     4 * m->pv[P_O2] + 8 * m->pv[P_O3];
	blocks = p->cache.target + p->slab.target / mean_pages;
	p->ramp_step = wl_ns(m->pv[P_RAMP] / (blocks > 1 ? blocks : 1));
	p->t = wl_ns(m->pv[P_START]);
	return 0;
}

static int get_block(struct wl_model *m, struct wl_ctx *c, struct pressure *p, bool cache,
		     uint64_t t)
{
	struct user *u = cache ? &p->cache : &p->slab;
	uint64_t id = c->next_block++;
	unsigned int order = 0;
	char type = SIM_MT_MOVABLE;
	int rc;

	if (!cache) {
		double x = wl_rng_unit(&c->rng);

		order = x < m->pv[P_O1]				      ? 1
			: x < m->pv[P_O1] + m->pv[P_O2]		      ? 2
			: x < m->pv[P_O1] + m->pv[P_O2] + m->pv[P_O3] ? 3
								      : 0;
		type = wl_rng_unit(&c->rng) < m->pv[P_RECL] ? SIM_MT_RECLAIMABLE : SIM_MT_UNMOVABLE;
	}
	rc = wl_vec_push(&u->live, id << 2 | order);
	if (rc)
		return rc;
	u->pages += 1u << order;
	return wl_push_get(m, t, id, order, type);
}

static int put_block(struct wl_model *m, struct wl_ctx *c, struct user *u, uint64_t t)
{
	size_t n = u->live.n - u->head;
	uint64_t x;

	if ((int)m->pv[P_FREE] == 1) {
		x = u->live.v[u->head++];
		if (u->head > 4096 && u->head > u->live.n / 2) { /* drop the dead prefix */
			n = u->live.n - u->head;
			memmove(u->live.v, u->live.v + u->head, n * sizeof(*u->live.v));
			u->live.n = n;
			u->head = 0;
		}
	} else {
		x = wl_vec_take(&u->live, u->head + wl_rng_below(&c->rng, n));
	}
	u->pages -= 1u << (x & 3);
	return wl_push(m, t, SIM_OP_PUT, x >> 2, 0);
}

static int pr_refill(struct wl_model *m, struct wl_ctx *c)
{
	struct pressure *p = m->priv;
	double total = p->cache.target + p->slab.target, p_get;
	uint64_t t = p->t;
	struct user *u;
	bool cache;

	if (t > c->end_ns || m->pv[P_CACHE] + m->pv[P_SLAB] <= 0) {
		m->done = true;
		return 0;
	}
	if (!p->ramped) {
		bool need_cache = (double)p->cache.pages < p->cache.target;
		bool need_slab = (double)p->slab.pages < p->slab.target;

		if (need_cache || need_slab) {
			p->t = wl_tadd(p->t, p->ramp_step);
			cache = need_cache && need_slab
				    ? wl_rng_unit(&c->rng) * total < p->cache.target
				    : need_cache;
			return get_block(m, c, p, cache, t);
		}
		p->ramped = true;
		p->ramp_end = t;
	}
	if (m->pv[P_PERIOD] > 0) {
		uint64_t period = wl_ns(m->pv[P_PERIOD]);
		bool low = (t - p->ramp_end) % period >= period / 2;
		double f = low ? 1 - m->pv[P_DEPTH] : 1;

		p->cache.target = m->pv[P_CACHE] * f;
		p->slab.target = m->pv[P_SLAB] * f;
		total = p->cache.target + p->slab.target;
		if (total <= 0) { /* depth 1: nothing to hold, give everything back */
			p->t = wl_tadd(p->t, wl_ns(1.0 / m->pv[P_RATE]));
			u = p->cache.live.n > p->cache.head ? &p->cache : &p->slab;
			return u->live.n > u->head ? put_block(m, c, u, t) : 0;
		}
	}
	/* a user far from its (new) target moves to it at the ramp's speed, as reclaim does */
	for (int k = 0; k < 2; k++) {
		u = k ? &p->slab : &p->cache;
		if ((double)u->pages > u->target * (1 + m->pv[P_BAND]) && u->live.n > u->head) {
			p->t = wl_tadd(p->t, p->ramp_step);
			return put_block(m, c, u, t);
		}
		if ((double)u->pages < u->target * (1 - m->pv[P_BAND])) {
			p->t = wl_tadd(p->t, p->ramp_step);
			return get_block(m, c, p, k == 0, t);
		}
	}
	p->t = wl_tadd(p->t, wl_ns(wl_rng_exp(&c->rng, 1.0 / m->pv[P_RATE])));
	cache = wl_rng_unit(&c->rng) * total < p->cache.target;
	u = cache ? &p->cache : &p->slab;
	p_get = u->target > 0
		    ? 0.5 + (u->target - (double)u->pages) / (2 * m->pv[P_BAND] * u->target)
		    : 0;
	if (u->live.n == u->head || wl_rng_unit(&c->rng) < p_get)
		return get_block(m, c, p, cache, t);
	return put_block(m, c, u, t);
}

static void pr_destroy(struct wl_model *m)
{
	struct pressure *p = m->priv;

	if (p) {
		wl_vec_free(&p->cache.live);
		wl_vec_free(&p->slab.live);
	}
	free(p);
	m->priv = NULL;
}

const struct wl_model_ops wl_pressure_ops = {
    .name = "pressure",
    .summary = "page cache and slab (g/p of movable and unmovable blocks, orders 0..3)",
    .params = params,
    .nr_params = P_NR,
    .finite = false,
    .init = pr_init,
    .refill = pr_refill,
    .destroy = pr_destroy,
};
