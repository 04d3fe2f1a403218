/*
 * wl_filldrain.c - fill zram, then free a fraction of its slots in a chosen
 * pattern: the experiment that shows zsmalloc's fragmentation best.
 *
 * One cycle: write `pages` pages at `rate` pages per second (snapshot
 * `filled`), wait `gap` seconds, free pages in the pattern (snapshot
 * `drained`), and with compact_after=1 wait `gap`, request a compaction (`c`) and
 * snapshot `compacted`. A later cycle refills the freed slots and drains
 * again (labels get the cycle number: filled2, drained2...). The model ends
 * after `cycles` cycles.
 *
 * Patterns (which pages of the ones written in this run are freed):
 *   random - a `drain` fraction drawn at random: objects die all over every
 *            zspage, the worst case for the pool's used ratio;
 *   kth    - every k-th page in write order (1/k of them): every zspage
 *            loses the same share of its objects, as bad as random and
 *            exactly reproducible;
 *   class  - every page whose compressed size lies in an odd-numbered band
 *            of class_bytes bytes (1..class_bytes is band 0): whole size
 *            classes empty while the others stay full, so the pool stays
 *            dense: the contrast case;
 *   oldest - the first `drain` fraction in write order: whole zspages
 *            empty in order, little fragmentation.
 * With swapin > 0 that fraction of the freed pages is read before it is
 * discarded (a swap-in rather than a discard).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "wl_internal.h"

static const char *const pattern_choices[] = {"random", "kth", "class", "oldest", NULL};

enum {
	P_PAGES,
	P_RATE,
	P_DRAIN,
	P_PATTERN,
	P_K,
	P_CLASS,
	P_SWAPIN,
	P_COMPACT,
	P_CYCLES,
	P_GAP,
	P_START,
	P_NR
};

static const struct wl_param_def params[P_NR] = {
    [P_PAGES] = {"pages", WL_P_INT, 100000, 1, 1e12, NULL, "pages written by each fill"},
    [P_RATE] = {"rate", WL_P_REAL, 50000, 0.001, 1e9, NULL, "pages per second written or freed"},
    [P_DRAIN] = {"drain", WL_P_REAL, 0.5, 0, 1, NULL, "fraction freed (random, oldest)"},
    [P_PATTERN] = {"pattern", WL_P_CHOICE, 0, 0, 0, pattern_choices,
		   "which pages are freed: random, kth, class, oldest"},
    [P_K] = {"k", WL_P_INT, 2, 1, 1e9, NULL, "kth: free every k-th page written"},
    [P_CLASS] = {"class_bytes", WL_P_INT, 32, 1, 65536, NULL,
		 "class: width of the size bands, bytes"},
    [P_SWAPIN] = {"swapin", WL_P_REAL, 0, 0, 1, NULL,
		  "fraction of the freed pages read first (r+d)"},
    [P_COMPACT] = {"compact_after", WL_P_INT, 1, 0, 1, NULL,
		   "1 = request a compaction after the drain, then snapshot"},
    [P_CYCLES] = {"cycles", WL_P_INT, 1, 1, 9, NULL, "fill-drain cycles"},
    [P_GAP] = {"gap", WL_P_REAL, 1, 1e-9, 1e9, NULL, "seconds between the phases",
	       WL_PF_ZERO_OFF},
    [P_START] = {"start", WL_P_REAL, 0, 1e-9, 1e9, NULL, "seconds before the first fill",
		 WL_PF_ZERO_OFF},
};

static const char *const labels[9][3] = {
    {"filled", "drained", "compacted"},	   {"filled2", "drained2", "compacted2"},
    {"filled3", "drained3", "compacted3"}, {"filled4", "drained4", "compacted4"},
    {"filled5", "drained5", "compacted5"}, {"filled6", "drained6", "compacted6"},
    {"filled7", "drained7", "compacted7"}, {"filled8", "drained8", "compacted8"},
    {"filled9", "drained9", "compacted9"},
};

enum phase { PH_FILL, PH_DRAIN, PH_COMPACT, PH_DONE };

struct filldrain {
	struct wl_vec slots; /* pages stored, in write order */
	uint32_t *sizes;     /* their sizes (0 = same-filled), parallel to slots */
	size_t cap_sizes;
	struct wl_vec victims; /* indices into slots to free, in freeing order */
	size_t next;	       /* pages written / victims freed so far in this phase */
	size_t fill_end;       /* this cycle's fill stops when slots.n reaches it */
	unsigned int cycle;
	enum phase ph;
	uint64_t t;    /* ns */
	uint64_t step; /* ns per page */
};

static int fd_init(struct wl_model *m, struct wl_ctx *c, char *err, size_t errlen)
{
	struct filldrain *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	m->priv = f;
	if (m->pv[P_PAGES] > (double)c->nr_slots) {
		snprintf(err, errlen, "pages %.0f exceeds the disk's %llu slots (disksize_mb)",
			 m->pv[P_PAGES], (unsigned long long)c->nr_slots);
		return -EINVAL;
	}
	f->t = wl_ns(m->pv[P_START]);
	f->fill_end = (size_t)m->pv[P_PAGES];
	f->step = wl_ns(1.0 / m->pv[P_RATE]);
	return 0;
}

/* Choose this cycle's victims among all pages stored (indices), in freeing order. */
static int choose_victims(struct wl_model *m, struct wl_ctx *c, struct filldrain *f)
{
	size_t n = f->slots.n, want;
	uint64_t band = (uint64_t)m->pv[P_CLASS];
	int rc = 0;

	f->victims.n = 0;
	switch ((int)m->pv[P_PATTERN]) {
	case 1: /* kth: 0, k, 2k... */
		for (size_t i = 0; i < n && !rc; i += (size_t)m->pv[P_K])
			rc = wl_vec_push(&f->victims, i);
		return rc;
	case 2: /* class */
		for (size_t i = 0; i < n && !rc; i++) {
			uint32_t sz = f->sizes[i];

			if (sz && ((sz - 1) / band) % 2 == 1)
				rc = wl_vec_push(&f->victims, i);
		}
		return rc;
	case 3: /* oldest */
		want = (size_t)((double)n * m->pv[P_DRAIN] + 0.5);
		for (size_t i = 0; i < want && !rc; i++)
			rc = wl_vec_push(&f->victims, i);
		return rc;
	default: /* random: the first `want` of a Fisher-Yates shuffle */
		want = (size_t)((double)n * m->pv[P_DRAIN] + 0.5);
		for (size_t i = 0; i < n && !rc; i++)
			rc = wl_vec_push(&f->victims, i);
		for (size_t i = 0; i < want && !rc; i++) {
			size_t j = i + (size_t)wl_rng_below(&c->rng, n - i);
			uint64_t x = f->victims.v[i];

			f->victims.v[i] = f->victims.v[j];
			f->victims.v[j] = x;
		}
		f->victims.n = want;
		return rc;
	}
}

/* Drop the freed pages from slots/sizes, keeping write order. */
static void compact_survivors(struct filldrain *f)
{
	const uint64_t dead = UINT64_MAX;
	size_t w = 0;

	for (size_t i = 0; i < f->victims.n; i++)
		f->slots.v[f->victims.v[i]] = dead;
	for (size_t i = 0; i < f->slots.n; i++) {
		if (f->slots.v[i] == dead)
			continue;
		f->slots.v[w] = f->slots.v[i];
		f->sizes[w++] = f->sizes[i];
	}
	f->slots.n = w;
}

static int fd_refill(struct wl_model *m, struct wl_ctx *c)
{
	struct filldrain *f = m->priv;
	const char *const *lab = labels[f->cycle];
	uint64_t gap = wl_ns(m->pv[P_GAP]), slot;
	int rc;

	switch (f->ph) {
	case PH_FILL:
		if (f->slots.n < f->fill_end) {
			uint64_t t = f->t;

			f->t = wl_tadd(f->t, f->step);
			rc = wl_swap_out(m, c, t, &slot);
			if (rc == -ENOSPC) { /* the disk is full: this fill ends early */
				f->fill_end = f->slots.n;
				return 0;
			}
			if (rc)
				return rc;
			if (f->slots.n == f->cap_sizes) {
				size_t cap = f->cap_sizes ? f->cap_sizes * 2 : 4096;
				uint32_t *v = realloc(f->sizes, cap * sizeof(*v));

				if (!v)
					return -ENOMEM;
				f->sizes = v;
				f->cap_sizes = cap;
			}
			f->sizes[f->slots.n] = m->q.v[m->q.tail - 1].size;
			return wl_vec_push(&f->slots, slot);
		}
		rc = wl_push_label(m, f->t, SIM_OP_SNAPSHOT, lab[0]);
		f->t = wl_tadd(f->t, gap);
		f->ph = PH_DRAIN;
		f->next = 0;
		return rc ? rc : choose_victims(m, c, f);
	case PH_DRAIN:
		if (f->next < f->victims.n) {
			uint64_t t = f->t;

			slot = f->slots.v[f->victims.v[f->next++]];
			f->t = wl_tadd(f->t, f->step);
			if (m->pv[P_SWAPIN] > 0 && wl_rng_unit(&c->rng) < m->pv[P_SWAPIN]) {
				rc = wl_push(m, t, SIM_OP_READ, slot, 0);
				if (rc)
					return rc;
			}
			return wl_push(m, t, SIM_OP_DISCARD, slot, 0);
		}
		compact_survivors(f);
		rc = wl_push_label(m, f->t, SIM_OP_SNAPSHOT, lab[1]);
		f->t = wl_tadd(f->t, gap);
		f->ph = PH_COMPACT;
		return rc;
	case PH_COMPACT:
		if (m->pv[P_COMPACT] != 0) {
			rc = wl_push_label(m, f->t, SIM_OP_COMPACT, NULL);
			rc = rc ? rc : wl_push_label(m, f->t, SIM_OP_SNAPSHOT, lab[2]);
			if (rc)
				return rc;
			f->t = wl_tadd(f->t, gap);
		}
		if (++f->cycle >= (unsigned int)m->pv[P_CYCLES]) {
			f->ph = PH_DONE;
			if (m->q.head == m->q.tail)
				m->done = true;
			return 0;
		}
		f->ph = PH_FILL;
		f->fill_end = f->slots.n + (size_t)m->pv[P_PAGES];
		return 0;
	case PH_DONE:
		m->done = true;
		return 0;
	}
	return 0;
}

static void fd_destroy(struct wl_model *m)
{
	struct filldrain *f = m->priv;

	if (f) {
		wl_vec_free(&f->slots);
		wl_vec_free(&f->victims);
		free(f->sizes);
	}
	free(f);
	m->priv = NULL;
}

const struct wl_model_ops wl_filldrain_ops = {
    .name = "filldrain",
    .summary = "fill zram, then free a fraction of the slots (random, every k-th, by size "
	       "class, oldest)",
    .params = params,
    .nr_params = P_NR,
    .finite = true,
    .init = fd_init,
    .refill = fd_refill,
    .destroy = fd_destroy,
};
