/*
 * wl_forkstorm.c - forks and exits (`k PID` / `x PID`).
 *
 * Each fork allocates the new process's page directory, on 32-bit ARM an
 * order-2 (16 KiB) unmovable block: the allocation the seed saw fail while
 * hundreds of single pages were free. Mix this model with any other.
 *
 * Forks come in bursts (a shell pipeline, a zygote preloading, a build):
 * bursts arrive as a Poisson process of rate / burst per second, and the
 * `burst` forks of one burst are gap_us apart, so the long-run fork rate is
 * `rate`. Each process lives for a time drawn from `life_dist` with mean
 * `life` seconds (exponential by default: most processes are short-lived,
 * a few stay), then exits. At most max_live processes are alive: a fork
 * that would exceed it is not made (counted in nothing: lower the rate).
 *
 * Events are made one per refill from two sources, the next fork and the
 * earliest pending exit (a binary heap), so times never go backwards.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "wl_internal.h"

static const char *const life_choices[] = {"exp", "fixed", "lognormal", NULL};

enum { P_RATE, P_BURST, P_GAP, P_LIFE, P_DIST, P_SIGMA, P_MAX_LIVE, P_START, P_NR };

static const struct wl_param_def params[P_NR] = {
    [P_RATE] = {"rate", WL_P_REAL, 20, 0.001, 1e7, NULL, "forks per second (long-run)"},
    [P_BURST] = {"burst", WL_P_INT, 1, 1, 1e6, NULL, "forks per burst"},
    [P_GAP] = {"gap_us", WL_P_REAL, 100, 1e-3, 1e9, NULL,
	       "microseconds between the forks of a burst (0 = together; >= 1 ns)", WL_PF_ZERO_OFF},
    [P_LIFE] = {"life", WL_P_REAL, 2, 1e-6, 1e9, NULL, "mean process lifetime, seconds"},
    [P_DIST] = {"life_dist", WL_P_CHOICE, 0, 0, 0, life_choices,
		"lifetime distribution (lognormal: sigma life_sigma, mean life)"},
    [P_SIGMA] = {"life_sigma", WL_P_REAL, 1, 0, 10, NULL, "lognormal lifetime sigma"},
    [P_MAX_LIVE] = {"max_live", WL_P_INT, 10000, 1, WL_MAX_PROCESSES, NULL,
		    "most processes of this model alive at once (at most the kernel's "
		    "PID_MAX_LIMIT)"},
    [P_START] = {"start", WL_P_REAL, 0, 1e-9, 1e9, NULL, "seconds before the first burst",
		 WL_PF_ZERO_OFF},
};

struct exit_rec {
	uint64_t t; /* ns */
	uint64_t pid;
};

struct forkstorm {
	uint64_t next_fork;  /* ns */
	uint64_t burst_left; /* forks still to come in this burst, after next_fork */
	uint64_t gap_ns;
	double burst_mean_s;   /* mean seconds between bursts */
	struct exit_rec *heap; /* min-heap on t, then pid */
	size_t n, cap;
	uint64_t now; /* ns, last pushed */
};

static bool before(const struct exit_rec *a, const struct exit_rec *b)
{
	return a->t < b->t || (a->t == b->t && a->pid < b->pid);
}

static int heap_push(struct forkstorm *f, struct exit_rec e)
{
	size_t i;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct exit_rec *h = realloc(f->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		f->heap = h;
		f->cap = cap;
	}
	i = f->n++;
	while (i > 0 && before(&e, &f->heap[(i - 1) / 2])) {
		f->heap[i] = f->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	f->heap[i] = e;
	return 0;
}

static struct exit_rec heap_pop(struct forkstorm *f)
{
	struct exit_rec top = f->heap[0], last = f->heap[--f->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= f->n)
			break;
		if (c + 1 < f->n && before(&f->heap[c + 1], &f->heap[c]))
			c++;
		if (!before(&f->heap[c], &last))
			break;
		f->heap[i] = f->heap[c];
		i = c;
	}
	if (f->n)
		f->heap[i] = last;
	return top;
}

static double lifetime(struct wl_model *m, struct wl_ctx *c)
{
	double mean = m->pv[P_LIFE], sigma = m->pv[P_SIGMA];

	switch ((int)m->pv[P_DIST]) {
	case 1:
		return mean;
	case 2: /* median chosen so that the mean is `life` */
		return wl_rng_lognormal(&c->rng, mean * exp(-sigma * sigma / 2), sigma);
	default:
		return wl_rng_exp(&c->rng, mean);
	}
}

static int fs_init(struct wl_model *m, struct wl_ctx *c, char *err, size_t errlen)
{
	struct forkstorm *f = calloc(1, sizeof(*f));

	(void)err;
	(void)errlen;
	if (!f)
		return -ENOMEM;
	m->priv = f;
	f->gap_ns = wl_ns(m->pv[P_GAP] * 1e-6);
	f->burst_mean_s = m->pv[P_BURST] / m->pv[P_RATE];
	f->next_fork = wl_ns(m->pv[P_START] + wl_rng_exp(&c->rng, f->burst_mean_s));
	f->burst_left = (uint64_t)m->pv[P_BURST] - 1;
	return 0;
}

static int fs_refill(struct wl_model *m, struct wl_ctx *c)
{
	struct forkstorm *f = m->priv;

	for (;;) {
		uint64_t t, pid, life;
		int rc;

		if (f->n && f->heap[0].t <= f->next_fork) {
			struct exit_rec e = heap_pop(f);

			t = e.t > f->now ? e.t : f->now;
			if (t > c->end_ns) {
				m->done = true;
				return 0;
			}
			f->now = t;
			return wl_push(m, t, SIM_OP_EXIT, e.pid, 0);
		}
		t = f->next_fork;
		if (t > c->end_ns) {
			m->done = true;
			return 0;
		}
		f->now = t;
		if (f->burst_left) {
			f->burst_left--;
			f->next_fork = wl_tadd(t, f->gap_ns);
		} else {
			f->burst_left = (uint64_t)m->pv[P_BURST] - 1;
			f->next_fork = wl_tadd(t, wl_ns(wl_rng_exp(&c->rng, f->burst_mean_s)));
		}
		if ((double)f->n >= m->pv[P_MAX_LIVE])
			continue; /* at the cap: this fork is not made */
		pid = c->next_pid++;
		life = wl_ns(lifetime(m, c));
		rc = heap_push(f, (struct exit_rec){.t = wl_tadd(t, life ? life : 1), .pid = pid});
		return rc ? rc : wl_push(m, t, SIM_OP_FORK, pid, 0);
	}
}

static void fs_destroy(struct wl_model *m)
{
	struct forkstorm *f = m->priv;

	if (f)
		free(f->heap);
	free(f);
	m->priv = NULL;
}

const struct wl_model_ops wl_forkstorm_ops = {
    .name = "forkstorm",
    .summary = "forks and exits (k/x) at a rate, in bursts, with a lifetime distribution",
    .params = params,
    .nr_params = P_NR,
    .finite = false,
    .init = fs_init,
    .refill = fs_refill,
    .destroy = fs_destroy,
};
