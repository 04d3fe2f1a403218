/*
 * op_timing.h - host time spent in each zs_malloc() and zs_free() call, for
 * setting zsfrag's per-operation cost beside the kernel's on the same trace
 * (scripts/kernel-check measures the kernel's the same way, with ktime
 * around each call). Off unless asked for: it reads the clock twice a call
 * and its figures differ from run to run.
 */
#ifndef ZSFRAG_SIM_OP_TIMING_H
#define ZSFRAG_SIM_OP_TIMING_H

#include <stdint.h>
#include <time.h>

#include "zsmalloc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sim_op_timing {
	uint64_t malloc_calls;
	uint64_t malloc_ns;  /* host ns, summed */
	uint64_t free_calls;
	uint64_t free_ns;
};

static inline uint64_t op_timing_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* zs_malloc, timed when t is not NULL. */
static inline int timed_zs_malloc(struct sim_op_timing *t, struct zs_pool *pool, size_t size,
				  unsigned int gfp, unsigned long *handle)
{
	uint64_t t0;
	int err;

	if (!t)
		return zs_malloc(pool, size, gfp, handle);
	t0 = op_timing_now();
	err = zs_malloc(pool, size, gfp, handle);
	t->malloc_ns += op_timing_now() - t0;
	t->malloc_calls++;
	return err;
}

static inline void timed_zs_free(struct sim_op_timing *t, struct zs_pool *pool,
				 unsigned long handle)
{
	uint64_t t0;

	if (!t) {
		zs_free(pool, handle);
		return;
	}
	t0 = op_timing_now();
	zs_free(pool, handle);
	t->free_ns += op_timing_now() - t0;
	t->free_calls++;
}

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_OP_TIMING_H */
