/*
 * wl_gen.c - the generator core: parameters, the mix, the merge in time,
 * snapshots and compaction requests, and the shared slot pool.
 *
 * Merge: every model has a FIFO of pending events (wl_internal.h). Each call
 * to wl_gen_next() refills empty FIFOs, then emits the earliest of: the
 * heads of the FIFOs (ties: the model listed first in the mix wins) and the
 * clock (the next `s t_<ms>ms` snapshot or `c` request, which go before
 * model events of the same time; a snapshot due at the time of a `c` comes
 * first, and every `c` is followed by a snapshot `c_<ms>ms`, so each
 * compaction shows with a before and an after). A model's FIFO times never
 * decrease, so the output's never do either.
 *
 * The trace ends at the first of: `duration` of simulated time (no event is
 * emitted after it), `events` events, or every model done (the finite ones,
 * filldrain, end by themselves; the others run until the duration).
 * With verify=1 a last `v` follows.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_internal.h"

#define MAX_MODELS 5

static const struct wl_model_ops *const all_models[] = {
    &wl_appswitch_ops, &wl_churn_ops, &wl_filldrain_ops, &wl_forkstorm_ops, &wl_pressure_ops,
};
#define NR_ALL (sizeof(all_models) / sizeof(all_models[0]))

/* --- global parameters --- */
static const char *const sizes_choices[] = {"empirical", "bimodal", "fixed", NULL};
static const char *const comp_choices[] = {"lz4", "zstd", "lzo", NULL};
static const char *const page_choices[] = {"4096", "16384", "65536", NULL};

enum {
	G_DURATION,
	G_EVENTS,
	G_SNAPSHOT,
	G_COMPACT,
	G_VERIFY,
	G_PAGE,
	G_DISKSIZE,
	G_SIZES,
	G_COMP,
	G_SAME,
	G_INCOMP,
	G_RATIO,
	G_DENSE,
	G_SPARSE,
	G_SPREAD,
	G_FIXED,
	G_NR
};

static const struct wl_param_def global_params[G_NR] = {
    [G_DURATION] = {"duration", WL_P_REAL, 600, 1e-6, 1e9, NULL,
		    "simulated seconds; the trace ends there (or when every model is done)"},
    [G_EVENTS] = {"events", WL_P_INT, 0, 0, 9e15, NULL,
		  "stop after this many events (0 = no limit)"},
    [G_SNAPSHOT] = {"snapshot", WL_P_REAL, 10, 1e-3, 1e9, NULL,
		    "seconds between `s t_<ms>ms` snapshots (0 = none; >= 1 ms, the labels' unit)",
		    WL_PF_ZERO_OFF},
    [G_COMPACT] =
	{"compact", WL_P_REAL, 0, 1e-3, 1e9, NULL,
	 "seconds between `c` compaction requests, each followed by `s c_<ms>ms` (0 = none; >= "
	 "1 ms)",
	 WL_PF_ZERO_OFF},
    [G_VERIFY] = {"verify", WL_P_INT, 0, 0, 1, NULL, "1 = end with a `v` payload check"},
    [G_PAGE] = {"page_size", WL_P_CHOICE, 0, 0, 0, page_choices, "bytes per page"},
    [G_DISKSIZE] = {"disksize_mb", WL_P_INT, 512, 1, 1 << 24, NULL,
		    "zram disk size in MiB: slots are 0 .. disksize/page_size - 1 (match the "
		    "replay's zram_disksize_mb)"},
    [G_SIZES] = {"sizes", WL_P_CHOICE, 1, 0, 0, sizes_choices,
		 "compressed-size model: empirical (measured), bimodal (published figures), "
		 "fixed"},
    [G_COMP] = {"compressor", WL_P_CHOICE, 0, 0, 0, comp_choices,
		"whose sizes: the histogram's column, or the bimodal default ratio"},
    [G_SAME] = {"same_frac", WL_P_REAL, -1, -1, 1, NULL,
		"same-filled fraction of swapped pages (-1 = model's: bimodal 0.085, "
		"empirical measured, fixed 0)"},
    [G_INCOMP] = {"incompressible", WL_P_REAL, 0.05, 0, 0.99, NULL,
		  "bimodal: fraction of non-same-filled pages stored whole"},
    [G_RATIO] = {"ratio", WL_P_REAL, 0, 0, 1000, NULL,
		 "bimodal: page size / mean compressed size (0 = lz4 2.6, zstd 3.7, lzo 2.6)"},
    [G_DENSE] = {"dense_share", WL_P_REAL, 0.5, 0, 1, NULL,
		 "bimodal: share of the dense mode among compressible pages"},
    [G_SPARSE] = {"sparse_mean", WL_P_REAL, 0, 0, 65535, NULL,
		  "bimodal: mean size of mostly-zero pages, bytes (0 = page/10)"},
    [G_SPREAD] = {"spread", WL_P_REAL, 0.6, 0, 1, NULL,
		  "bimodal: half-width of each mode as a fraction of its mean"},
    [G_FIXED] = {"fixed_size", WL_P_INT, 1024, 1, 65536, NULL, "fixed: bytes per page"},
};

struct wl_gen {
	struct wl_model models[MAX_MODELS];
	unsigned int nr_models;
	double gv[G_NR];
	struct wl_ctx ctx;
	bool started, ended, verify_sent;
	uint64_t seed;
	uint64_t emitted;
	uint64_t next_snap, next_compact; /* ns; UINT64_MAX = none */
	uint64_t snap_ns, compact_ns;
	uint64_t after_compact; /* ns of the `c` just emitted, 0 = none pending */
	bool has_endless;	/* a model of the mix runs until the duration */
	char mix[128];
	struct trace_meta meta[8];
	char meta_buf[4][1024];
	size_t nr_meta;
	char params_buf[2048];
};

const char *wl_model_name(unsigned int i)
{
	return i < NR_ALL ? all_models[i]->name : NULL;
}

const char *wl_model_summary(unsigned int i)
{
	return i < NR_ALL ? all_models[i]->summary : NULL;
}

static const struct wl_model_ops *find_model(const char *name, size_t len)
{
	for (size_t i = 0; i < NR_ALL; i++)
		if (strlen(all_models[i]->name) == len && !strncmp(all_models[i]->name, name, len))
			return all_models[i];
	return NULL;
}

const struct wl_param_def *wl_param_defs(const char *name, size_t *n)
{
	const struct wl_model_ops *ops;

	if (!name) {
		*n = G_NR;
		return global_params;
	}
	ops = find_model(name, strlen(name));
	*n = ops ? ops->nr_params : 0;
	return ops ? ops->params : NULL;
}

uint64_t wl_ns(double seconds)
{
	double ns = seconds * 1e9;

	if (!(ns > 0))
		return 0;
	return ns >= 1.8e19 ? UINT64_MAX : (uint64_t)ns;
}

int wl_gen_create(const char *mix, struct wl_gen **gp, char *err, size_t errlen)
{
	struct wl_gen *g = calloc(1, sizeof(*g));
	const char *p = mix;

	if (!g)
		return -ENOMEM;
	for (unsigned int i = 0; i < G_NR; i++)
		g->gv[i] = global_params[i].def;
	if (!mix || !*mix) {
		snprintf(err, errlen, "no model given");
		goto bad;
	}
	snprintf(g->mix, sizeof(g->mix), "%s", mix);
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const struct wl_model_ops *ops = find_model(p, len);

		if (!ops) {
			snprintf(err, errlen,
				 "unknown model '%.*s' (appswitch, churn, filldrain, forkstorm, "
				 "pressure)",
				 (int)len, p);
			goto bad;
		}
		for (unsigned int i = 0; i < g->nr_models; i++)
			if (g->models[i].ops == ops) {
				snprintf(err, errlen, "model '%s' twice in the mix", ops->name);
				goto bad;
			}
		g->models[g->nr_models].ops = ops;
		for (size_t i = 0; i < ops->nr_params; i++)
			g->models[g->nr_models].pv[i] = ops->params[i].def;
		g->nr_models++;
		if (!e)
			break;
		p = e + 1;
		if (!*p) {
			snprintf(err, errlen, "empty model name in the mix '%s'", mix);
			goto bad;
		}
	}
	*gp = g;
	return 0;
bad:
	free(g);
	return -EINVAL;
}

static int parse_value(const struct wl_param_def *d, const char *name, const char *value,
		       double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	if (d->type == WL_P_CHOICE) {
		for (unsigned int i = 0; d->choices[i]; i++)
			if (!strcmp(d->choices[i], value)) {
				*out = i;
				return 0;
			}
		snprintf(err, errlen, "bad value '%s' for %s (one of:", value, name);
		for (unsigned int i = 0; d->choices[i]; i++)
			snprintf(err + strlen(err), errlen - strlen(err), " %s", d->choices[i]);
		snprintf(err + strlen(err), errlen - strlen(err), ")");
		return -EINVAL;
	}
	errno = 0;
	v = strtod(value, &end);
	if (!*value || *end || errno || !isfinite(v)) {
		snprintf(err, errlen, "bad value '%s' for %s: not a number", value, name);
		return -EINVAL;
	}
	if (d->type == WL_P_INT && v != floor(v)) {
		snprintf(err, errlen, "bad value '%s' for %s: not an integer", value, name);
		return -EINVAL;
	}
	if ((v < d->min || v > d->max) && !(v == 0 && (d->flags & WL_PF_ZERO_OFF))) {
		snprintf(err, errlen, "bad value '%s' for %s: outside %.15g..%.15g%s", value, name,
			 d->min,
			 d->max, d->flags & WL_PF_ZERO_OFF ? " (or 0 = none)" : "");
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int find_param(const struct wl_param_def *defs, size_t n, const char *key, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(defs[i].key) == len && !strncmp(defs[i].key, key, len))
			return (int)i;
	return -1;
}

int wl_gen_set(struct wl_gen *g, const char *key, const char *value, char *err, size_t errlen)
{
	const char *eq = value ? NULL : strchr(key, '=');
	size_t klen = eq ? (size_t)(eq - key) : strlen(key);
	const char *dot = memchr(key, '.', klen);
	char name[160];
	int idx;

	if (!value) {
		if (!eq) {
			snprintf(err, errlen, "parameter '%s' is not KEY=VALUE", key);
			return -EINVAL;
		}
		value = eq + 1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(klen < 150 ? klen : 150), key);
	if (g->started) {
		snprintf(err, errlen, "parameter %s set after the start", name);
		return -EINVAL;
	}
	if (dot) { /* MODEL.KEY */
		size_t mlen = (size_t)(dot - key);

		for (unsigned int i = 0; i < g->nr_models; i++) {
			struct wl_model *m = &g->models[i];

			if (strlen(m->ops->name) != mlen || strncmp(m->ops->name, key, mlen))
				continue;
			idx =
			    find_param(m->ops->params, m->ops->nr_params, dot + 1, klen - mlen - 1);
			if (idx < 0) {
				snprintf(err, errlen,
					 "unknown parameter '%s' (model %s has no '%.*s')", name,
					 m->ops->name, (int)(klen - mlen - 1), dot + 1);
				return -EINVAL;
			}
			return parse_value(&m->ops->params[idx], name, value, &m->pv[idx], err,
					   errlen);
		}
		snprintf(err, errlen, "unknown parameter '%s' (model '%.*s' is not in the mix)",
			 name, (int)mlen, key);
		return -EINVAL;
	}
	idx = find_param(global_params, G_NR, key, klen);
	if (idx >= 0)
		return parse_value(&global_params[idx], name, value, &g->gv[idx], err, errlen);
	/* a plain model key: exactly one model of the mix must have it */
	{
		struct wl_model *hit = NULL;
		int hit_idx = -1;

		for (unsigned int i = 0; i < g->nr_models; i++) {
			struct wl_model *m = &g->models[i];

			idx = find_param(m->ops->params, m->ops->nr_params, key, klen);
			if (idx < 0)
				continue;
			if (hit) {
				snprintf(
				    err, errlen,
				    "ambiguous parameter '%s' (%s.%s or %s.%s): prefix it with "
				    "the model",
				    name, hit->ops->name, name, m->ops->name, name);
				return -EINVAL;
			}
			hit = m;
			hit_idx = idx;
		}
		if (!hit) {
			snprintf(err, errlen, "unknown parameter '%s' (see 'zsfrag gen --help')",
				 name);
			return -EINVAL;
		}
		return parse_value(&hit->ops->params[hit_idx], name, value, &hit->pv[hit_idx], err,
				   errlen);
	}
}

double wl_gen_param(const struct wl_gen *g, const char *model, const char *key)
{
	int idx;

	if (!model) {
		idx = find_param(global_params, G_NR, key, strlen(key));
		return idx < 0 ? NAN : g->gv[idx];
	}
	for (unsigned int i = 0; i < g->nr_models; i++) {
		const struct wl_model *m = &g->models[i];

		if (strcmp(m->ops->name, model))
			continue;
		idx = find_param(m->ops->params, m->ops->nr_params, key, strlen(key));
		return idx < 0 ? NAN : m->pv[idx];
	}
	return NAN;
}

const struct wl_sizes *wl_gen_sizes(const struct wl_gen *g)
{
	return &g->ctx.sizes;
}

/* "key=value" of every parameter that differs from its default, for the metadata. */
static void format_params(struct wl_gen *g)
{
	char *b = g->params_buf;
	size_t len = sizeof(g->params_buf), n = 0;

#define APPEND(...)                                                                                \
	do {                                                                                       \
		if (n < len)                                                                       \
			n += (size_t)snprintf(b + n, len - n, __VA_ARGS__);                        \
	} while (0)
	for (unsigned int i = 0; i < G_NR; i++) {
		const struct wl_param_def *d = &global_params[i];

		if (g->gv[i] == d->def)
			continue;
		if (d->type == WL_P_CHOICE)
			APPEND("%s%s=%s", n ? " " : "", d->key, d->choices[(int)g->gv[i]]);
		else
			APPEND("%s%s=%.15g", n ? " " : "", d->key, g->gv[i]);
	}
	for (unsigned int m = 0; m < g->nr_models; m++) {
		const struct wl_model *md = &g->models[m];

		for (size_t i = 0; i < md->ops->nr_params; i++) {
			const struct wl_param_def *d = &md->ops->params[i];

			if (md->pv[i] == d->def)
				continue;
			if (d->type == WL_P_CHOICE)
				APPEND("%s%s.%s=%s", n ? " " : "", md->ops->name, d->key,
				       d->choices[(int)md->pv[i]]);
			else
				APPEND("%s%s.%s=%.15g", n ? " " : "", md->ops->name, d->key,
				       md->pv[i]);
		}
	}
#undef APPEND
	if (!n)
		snprintf(b, len, "defaults");
}

int wl_gen_start(struct wl_gen *g, uint64_t seed, char *err, size_t errlen)
{
	struct wl_size_params sp;
	struct wl_ctx *c = &g->ctx;
	int rc;

	if (g->started) {
		snprintf(err, errlen, "generator already started");
		return -EINVAL;
	}
	g->seed = seed;
	wl_rng_seed(&c->rng, seed);
	wl_size_params_default(&sp);
	sp.kind = (enum wl_size_kind)g->gv[G_SIZES];
	sp.comp = (enum wl_compressor)g->gv[G_COMP];
	sp.page_size = (size_t)atoi(page_choices[(int)g->gv[G_PAGE]]);
	sp.same_frac = g->gv[G_SAME];
	sp.incompressible = g->gv[G_INCOMP];
	sp.ratio = g->gv[G_RATIO];
	sp.dense_share = g->gv[G_DENSE];
	sp.sparse_mean = g->gv[G_SPARSE];
	sp.spread = g->gv[G_SPREAD];
	sp.fixed_size = (size_t)g->gv[G_FIXED];
	rc = wl_sizes_init(&c->sizes, &sp, err, errlen);
	if (rc)
		return rc;
	c->page_size = (uint32_t)sp.page_size;
	c->nr_slots = (uint64_t)g->gv[G_DISKSIZE] * (1024 * 1024) / c->page_size;
	c->end_ns = wl_ns(g->gv[G_DURATION]);
	c->next_pid = 1000; /* below are the system's own processes */
	c->next_block = 1;
	g->snap_ns = wl_ns(g->gv[G_SNAPSHOT]);
	g->compact_ns = wl_ns(g->gv[G_COMPACT]);
	g->next_snap = g->snap_ns ? g->snap_ns : UINT64_MAX;
	g->next_compact = g->compact_ns ? g->compact_ns : UINT64_MAX;
	for (unsigned int i = 0; i < g->nr_models; i++) {
		char why[256] = "bad parameters";

		g->has_endless |= !g->models[i].ops->finite;
		rc = g->models[i].ops->init(&g->models[i], c, why, sizeof(why));
		if (rc) {
			snprintf(err, errlen, "%s: %s", g->models[i].ops->name,
				 rc == -ENOMEM ? "out of memory" : why);
			return rc;
		}
	}
	g->started = true;

	format_params(g);
	snprintf(g->meta_buf[0], sizeof(g->meta_buf[0]), "%u", c->page_size);
	snprintf(g->meta_buf[1], sizeof(g->meta_buf[1]), "zsfrag gen %s --seed %llu", g->mix,
		 (unsigned long long)seed);
	snprintf(g->meta_buf[3], sizeof(g->meta_buf[3]), "%s, same-filled %.4f, mean %.0f bytes",
		 sizes_choices[(int)g->gv[G_SIZES]], c->sizes.same_frac, wl_sizes_mean(&c->sizes));
	g->meta[0] = (struct trace_meta){"page_size", g->meta_buf[0]};
	g->meta[1] = (struct trace_meta){"compressor", comp_choices[(int)g->gv[G_COMP]]};
	g->meta[2] = (struct trace_meta){"source", g->meta_buf[1]};
	g->meta[3] = (struct trace_meta){"params", g->params_buf};
	g->meta[4] = (struct trace_meta){"sizes", g->meta_buf[3]};
	g->nr_meta = 5;
	return 0;
}

size_t wl_gen_meta(struct wl_gen *g, const struct trace_meta **meta)
{
	*meta = g->meta;
	return g->nr_meta;
}

/* --- queues, slots, vectors --- */
static int queue_room(struct wl_queue *q)
{
	if (q->head == q->tail)
		q->head = q->tail = 0;
	if (q->tail == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		struct wl_ev *v;

		if (q->head > 0 && q->head >= q->cap / 2) { /* slide down instead of growing */
			memmove(q->v, q->v + q->head, (q->tail - q->head) * sizeof(*v));
			q->tail -= q->head;
			q->head = 0;
			return 0;
		}
		v = realloc(q->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		q->v = v;
		q->cap = cap;
	}
	return 0;
}

/* Append one event to the model's queue (grown by queue_room()). */
static int queue_push(struct wl_model *m, struct wl_ev e)
{
	struct wl_queue *q = &m->q;

	if (queue_room(q))
		return -ENOMEM;
	q->v[q->tail++] = e;
	return 0;
}

int wl_push(struct wl_model *m, uint64_t t, char op, uint64_t id, uint32_t size)
{
	return queue_push(m, (struct wl_ev){.t = t, .id = id, .size = size, .op = op});
}

int wl_push_get(struct wl_model *m, uint64_t t, uint64_t id, unsigned int order, char mtype)
{
	return queue_push(m, (struct wl_ev){.t = t,
					    .id = id,
					    .op = SIM_OP_GET,
					    .order = (uint8_t)order,
					    .mtype = mtype});
}

int wl_push_label(struct wl_model *m, uint64_t t, char op, const char *label)
{
	return queue_push(m, (struct wl_ev){.t = t, .op = op, .label = label});
}

int wl_push_swapped_put(struct wl_model *m, uint64_t t, uint64_t id, uint64_t slot)
{
	return queue_push(m, (struct wl_ev){
				 .t = t, .id = id, .op = SIM_OP_PUT, .swapped_out = true, .slot = slot});
}

uint64_t wl_queue_last(const struct wl_model *m)
{
	return m->q.tail > m->q.head ? m->q.v[m->q.tail - 1].t : 0;
}

int wl_slot_get(struct wl_ctx *c, uint64_t *slot)
{
	if (c->nr_free) {
		*slot = c->free_slots[--c->nr_free];
	} else if (c->next_fresh < c->nr_slots) {
		*slot = c->next_fresh++;
	} else {
		return -ENOSPC;
	}
	c->slots_held++;
	return 0;
}

static int slot_put(struct wl_ctx *c, uint64_t slot)
{
	if (c->nr_free == c->cap_free) {
		size_t cap = c->cap_free ? c->cap_free * 2 : 1024;
		uint64_t *v = realloc(c->free_slots, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->free_slots = v;
		c->cap_free = cap;
	}
	c->free_slots[c->nr_free++] = slot;
	c->slots_held--;
	return 0;
}

int wl_swap_out(struct wl_model *m, struct wl_ctx *c, uint64_t t, uint64_t *slot)
{
	uint32_t size;

	if (wl_slot_get(c, slot))
		return -ENOSPC;
	size = wl_sizes_sample(&c->sizes, &c->rng);
	if (size == 0)
		return wl_push(m, t, SIM_OP_WRITE_SAME, *slot, 0);
	return wl_push(m, t, SIM_OP_WRITE, *slot, size);
}

int wl_vec_push(struct wl_vec *a, uint64_t x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		uint64_t *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

uint64_t wl_vec_take(struct wl_vec *a, size_t i)
{
	uint64_t x = a->v[i];

	a->v[i] = a->v[--a->n];
	return x;
}

void wl_vec_free(struct wl_vec *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* --- the merge --- */
static void to_sim_event(const struct wl_ev *e, struct sim_event *ev)
{
	ev->op = (enum sim_op)e->op;
	ev->has_time = true;
	ev->new_zspage = false; /* a capture's mark only */
	ev->swapped_out = e->swapped_out;
	ev->time_ns = e->t;
	ev->id = e->id;
	ev->slot = e->slot;
	ev->size = e->size;
	ev->order = e->order;
	ev->mtype = e->mtype;
	ev->line = 0;
	if (e->label)
		snprintf(ev->label, sizeof(ev->label), "%s", e->label);
	else
		ev->label[0] = 0;
}

static int finish(struct wl_gen *g, struct sim_event *ev)
{
	g->ended = true;
	if (g->gv[G_VERIFY] != 0 && !g->verify_sent) {
		g->verify_sent = true;
		memset(ev, 0, sizeof(*ev));
		ev->op = SIM_OP_VERIFY;
		return 1;
	}
	return 0;
}

int wl_gen_next(struct wl_gen *g, struct sim_event *ev)
{
	struct wl_model *best = NULL;
	uint64_t t_best = UINT64_MAX, t_clock;
	bool live = false;

	if (!g->started || g->ended)
		return g->started && !g->verify_sent ? finish(g, ev) : 0;
	if (g->gv[G_EVENTS] > 0 && (double)g->emitted >= g->gv[G_EVENTS])
		return finish(g, ev);
	for (unsigned int i = 0; i < g->nr_models; i++) {
		struct wl_model *m = &g->models[i];

		while (!m->done && m->q.head == m->q.tail) {
			int rc = m->ops->refill(m, &g->ctx);

			if (rc)
				return rc;
		}
		if (m->q.head == m->q.tail)
			continue;
		live = true;
		if (m->q.v[m->q.head].t < t_best) {
			t_best = m->q.v[m->q.head].t;
			best = m;
		}
	}
	t_clock = g->next_snap < g->next_compact ? g->next_snap : g->next_compact;
	/* the clock runs on to the duration while a model that never ends is in the mix */
	if (!live && !(g->has_endless && t_clock <= g->ctx.end_ns) && !g->after_compact)
		return finish(g, ev);
	if (g->after_compact || (t_clock <= t_best && t_clock <= g->ctx.end_ns)) {
		memset(ev, 0, sizeof(*ev));
		ev->has_time = true;
		if (g->after_compact) { /* the snapshot that shows what the compaction did */
			ev->time_ns = g->after_compact;
			ev->op = SIM_OP_SNAPSHOT;
			snprintf(ev->label, sizeof(ev->label), "c_%llums",
				 (unsigned long long)(g->after_compact / NS_PER_MS));
			g->after_compact = 0;
		} else if (t_clock == g->next_snap) { /* at equal times, before the compaction */
			ev->time_ns = t_clock;
			ev->op = SIM_OP_SNAPSHOT;
			snprintf(ev->label, sizeof(ev->label), "t_%llums",
				 (unsigned long long)(t_clock / NS_PER_MS));
			g->next_snap += g->snap_ns;
		} else {
			ev->time_ns = t_clock;
			ev->op = SIM_OP_COMPACT;
			g->next_compact += g->compact_ns;
			g->after_compact = t_clock ? t_clock : 1;
		}
		g->emitted++;
		return 1;
	}
	if (t_best > g->ctx.end_ns)
		return finish(g, ev);
	to_sim_event(&best->q.v[best->q.head++], ev);
	if (ev->op == SIM_OP_DISCARD && slot_put(&g->ctx, ev->id))
		return -ENOMEM;
	g->emitted++;
	return 1;
}

void wl_gen_destroy(struct wl_gen *g)
{
	if (!g)
		return;
	for (unsigned int i = 0; i < g->nr_models; i++) {
		if (g->models[i].ops->destroy)
			g->models[i].ops->destroy(&g->models[i]);
		free(g->models[i].q.v);
	}
	free(g->ctx.free_slots);
	free(g);
}
