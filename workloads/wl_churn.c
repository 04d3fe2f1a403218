/*
 * wl_churn.c - a steady state of swap-outs, swap-ins and discards around a
 * target number of stored pages.
 *
 * First a fill: `target` pages are swapped out at fill_rate pages per
 * second. Then swap operations arrive as a Poisson process of `rate` per
 * second. Each is a swap-out (a new page written to a free slot) with
 * probability
 *	p_out = 1/2 + (target - stored) / (2 * band * target), clamped to [0, 1],
 * which pulls the stored count back to the target (band is the relative
 * distance at which the pull is complete); otherwise a page leaves zram:
 * with probability `swapin` it is swapped in (`r SLOT` then `d SLOT`: zram
 * frees a slot when the swapped-in page no longer needs it), else it is
 * discarded unread (`d SLOT`: the process exited or unmapped it).
 *
 * Which page leaves (`pick`): random (any stored page alike: the most
 * fragmenting, as objects die all over the pool), oldest (FIFO: the pool
 * drains from the zspages filled first) or newest (LIFO).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_internal.h"

static const char *const pick_choices[] = {"random", "oldest", "newest", NULL};

enum { P_TARGET, P_RATE, P_FILL_RATE, P_SWAPIN, P_BAND, P_PICK, P_START, P_NR };

static const struct wl_param_def params[P_NR] = {
    [P_TARGET] = {"target", WL_P_INT, 60000, 1, 1e12, NULL, "stored pages to hover around"},
    [P_RATE] = {"rate", WL_P_REAL, 2000, 0.001, 1e9, NULL,
		"swap operations per second after the fill"},
    [P_FILL_RATE] = {"fill_rate", WL_P_REAL, 20000, 0.001, 1e9, NULL,
		     "pages per second during the fill"},
    [P_SWAPIN] = {"swapin", WL_P_REAL, 0.7, 0, 1, NULL,
		  "of the pages leaving zram, the fraction swapped in (r+d) rather than "
		  "discarded (d)"},
    [P_BAND] = {"band", WL_P_REAL, 0.05, 1e-6, 1e6, NULL,
		"relative distance from the target at which the pull back is complete"},
    [P_PICK] = {"pick", WL_P_CHOICE, 0, 0, 0, pick_choices,
		"which stored page leaves: random, oldest, newest"},
    [P_START] = {"start", WL_P_REAL, 0, 1e-9, 1e9, NULL, "seconds before the fill",
		 WL_PF_ZERO_OFF},
};

struct churn {
	struct wl_vec live; /* slots stored, in write order from index head on (oldest/newest) */
	size_t head;
	uint64_t t; /* ns of the next operation */
	bool filled;
};

static int ch_init(struct wl_model *m, struct wl_ctx *c, char *err, size_t errlen)
{
	struct churn *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return -ENOMEM;
	m->priv = ch;
	if (m->pv[P_TARGET] > (double)c->nr_slots) {
		snprintf(err, errlen,
			 "target %.0f pages exceeds the disk's %llu slots (disksize_mb)",
			 m->pv[P_TARGET], (unsigned long long)c->nr_slots);
		return -EINVAL;
	}
	ch->t = wl_ns(m->pv[P_START]);
	return 0;
}

static uint64_t take(struct wl_model *m, struct wl_ctx *c, struct churn *ch)
{
	size_t n = ch->live.n - ch->head;
	uint64_t slot;

	switch ((int)m->pv[P_PICK]) {
	case 1: /* oldest */
		slot = ch->live.v[ch->head++];
		if (ch->head > 4096 && ch->head > ch->live.n / 2) { /* drop the dead prefix */
			n = ch->live.n - ch->head;
			memmove(ch->live.v, ch->live.v + ch->head, n * sizeof(*ch->live.v));
			ch->live.n = n;
			ch->head = 0;
		}
		return slot;
	case 2: /* newest */
		return ch->live.v[--ch->live.n];
	default:
		return wl_vec_take(&ch->live, ch->head + wl_rng_below(&c->rng, n));
	}
}

static int ch_refill(struct wl_model *m, struct wl_ctx *c)
{
	struct churn *ch = m->priv;
	uint64_t t = ch->t, stored = ch->live.n - ch->head, slot;
	double target = m->pv[P_TARGET], p_out;
	int rc;

	if (t > c->end_ns) {
		m->done = true;
		return 0;
	}
	if (!ch->filled) {
		ch->t = wl_tadd(ch->t, wl_ns(1.0 / m->pv[P_FILL_RATE]));
		if ((double)stored + 1 >= target)
			ch->filled = true;
		p_out = 1;
	} else {
		ch->t = wl_tadd(ch->t, wl_ns(wl_rng_exp(&c->rng, 1.0 / m->pv[P_RATE])));
		p_out = 0.5 + (target - (double)stored) / (2 * m->pv[P_BAND] * target);
		p_out = p_out < 0 ? 0 : p_out > 1 ? 1 : p_out;
	}
	if (stored == 0 || wl_rng_unit(&c->rng) < p_out) {
		rc = wl_swap_out(m, c, t, &slot);
		if (rc != -ENOSPC)
			return rc ? rc : wl_vec_push(&ch->live, slot);
		/* the disk is full (other models hold the slots): a page leaves instead */
		if (stored == 0)
			return 0;
	}
	slot = take(m, c, ch);
	if (wl_rng_unit(&c->rng) < m->pv[P_SWAPIN]) {
		rc = wl_push(m, t, SIM_OP_READ, slot, 0);
		if (rc)
			return rc;
	}
	return wl_push(m, t, SIM_OP_DISCARD, slot, 0);
}

static void ch_destroy(struct wl_model *m)
{
	struct churn *ch = m->priv;

	if (ch)
		wl_vec_free(&ch->live);
	free(ch);
	m->priv = NULL;
}

const struct wl_model_ops wl_churn_ops = {
    .name = "churn",
    .summary = "steady swap-out / swap-in / discard at a rate around a target pool size",
    .params = params,
    .nr_params = P_NR,
    .finite = false,
    .init = ch_init,
    .refill = ch_refill,
    .destroy = ch_destroy,
};
