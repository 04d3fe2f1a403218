/*
 * wl_internal.h - what the models share with the generator core (wl_gen.c).
 *
 * A model is a table of parameters plus three callbacks. The core keeps one
 * FIFO of pending events per model; when a model's FIFO is empty the core
 * calls refill(), which appends one action's events (a swap-in burst, a
 * fork, a page-cache allocation...) with non-decreasing times, or marks the
 * model done. The core then emits, among the heads of all FIFOs, the
 * earliest (ties go to the model listed first in the mix), so the models
 * interleave in simulated time.
 *
 * Shared resources live in struct wl_ctx:
 *   - zram slots: a model takes a slot when it generates a write
 *     (wl_slot_get) and the core gives it back when it *emits* the `d` that
 *     frees it. Giving it back at generation time would let another model,
 *     whose FIFO runs behind in time, write the slot before the discard is
 *     replayed and lose its page to that discard.
 *   - PIDs and block IDs: counters, never reused, so no such care is needed.
 *   - the PRNG and the size model.
 */
#ifndef ZSFRAG_WL_INTERNAL_H
#define ZSFRAG_WL_INTERNAL_H

#include <stdbool.h>

#include "wl.h"

#define WL_MAX_PARAMS 24

#define NS_PER_S  1000000000ULL
#define NS_PER_MS 1000000ULL
#define NS_PER_US 1000ULL

/* A pending event, smaller than struct sim_event (which carries a label buffer). */
struct wl_ev {
	uint64_t t;	   /* ns */
	uint64_t id;	   /* slot, block ID or PID */
	uint32_t size;	   /* bytes, for w */
	char op;	   /* enum sim_op letter */
	uint8_t order;	   /* for g */
	char mtype;	   /* for g */
	const char *label; /* for s: a string with static storage */
	bool swapped_out;  /* p: the page was swapped out to slot */
	uint64_t slot;
};

struct wl_queue {
	struct wl_ev *v;
	size_t head, tail, cap; /* events v[head..tail) are pending */
};

struct wl_ctx {
	struct wl_rng rng;
	struct wl_sizes sizes;
	uint32_t page_size; /* bytes */
	uint64_t end_ns;    /* simulated time at which generation stops */
	/* zram slots: never-used ones from next_fresh up, freed ones on a stack */
	uint64_t nr_slots;
	uint64_t next_fresh;
	uint64_t *free_slots;
	size_t nr_free, cap_free;
	uint64_t slots_held; /* taken and not yet given back */
	uint64_t next_pid;
	uint64_t next_block;
};

struct wl_model;

struct wl_model_ops {
	const char *name;
	const char *summary;
	const struct wl_param_def *params;
	size_t nr_params;
	bool finite; /* ends on its own (else runs until the duration) */
	/* 0, -ENOMEM, or -EINVAL with a reason in err */
	int (*init)(struct wl_model *m, struct wl_ctx *c, char *err, size_t errlen);
	/* append at least one event to m->q, or set m->done; 0 or -ENOMEM */
	int (*refill)(struct wl_model *m, struct wl_ctx *c);
	void (*destroy)(struct wl_model *m);
};

struct wl_model {
	const struct wl_model_ops *ops;
	double pv[WL_MAX_PARAMS]; /* parameter values, in the order of ops->params */
	struct wl_queue q;
	bool done;
	void *priv;
};

extern const struct wl_model_ops wl_appswitch_ops;
extern const struct wl_model_ops wl_churn_ops;
extern const struct wl_model_ops wl_filldrain_ops;
extern const struct wl_model_ops wl_forkstorm_ops;
extern const struct wl_model_ops wl_pressure_ops;

/* Queue helpers: 0 or -ENOMEM. */
int wl_push(struct wl_model *m, uint64_t t, char op, uint64_t id, uint32_t size);
int wl_push_get(struct wl_model *m, uint64_t t, uint64_t id, unsigned int order, char mtype);
int wl_push_label(struct wl_model *m, uint64_t t, char op, const char *label);
/* p ID s SLOT: block ID was a page that the write just before swapped out to slot. */
int wl_push_swapped_put(struct wl_model *m, uint64_t t, uint64_t id, uint64_t slot);
/* Last queued time, or 0 when the queue is empty. */
uint64_t wl_queue_last(const struct wl_model *m);

/* Take a free zram slot: 0, or -ENOSPC when the disk is full. */
int wl_slot_get(struct wl_ctx *c, uint64_t *slot);

/*
 * Swap one page out to a slot taken here: pushes `w SLOT SIZE` or `z SLOT`
 * at time t. 0, -ENOSPC (no slot: nothing pushed), -ENOMEM. *slot is set.
 */
int wl_swap_out(struct wl_model *m, struct wl_ctx *c, uint64_t t, uint64_t *slot);

/* A growable array of u64 with O(1) removal of a random element (order not kept). */
struct wl_vec {
	uint64_t *v;
	size_t n, cap;
};
int wl_vec_push(struct wl_vec *a, uint64_t x);
uint64_t wl_vec_take(struct wl_vec *a, size_t i); /* swap-remove element i */
void wl_vec_free(struct wl_vec *a);

/* Nanoseconds from seconds, saturating. */
uint64_t wl_ns(double seconds);
/* t + dt on the simulated clock, saturating (a time past the end stops the model). */
static inline uint64_t wl_tadd(uint64_t t, uint64_t dt)
{
	return dt > UINT64_MAX - t ? UINT64_MAX : t + dt;
}

#endif /* ZSFRAG_WL_INTERNAL_H */
