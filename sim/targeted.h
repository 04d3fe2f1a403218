/*
 * targeted.h - compaction that aims at contiguity (policy_targeted.c): find
 * the order-N-aligned windows of a zone whose used frames are all zspage
 * pages, pick the cheapest to clear, and clear it: empty the zspages that
 * pin it into other zspages of their classes outside the window, or, on
 * profiles with page migration, migrate their pages out where that copies
 * fewer bytes. The freed frames go back to the buddy allocator and the
 * window merges into one free block of the order.
 */
#ifndef ZSFRAG_SIM_TARGETED_H
#define ZSFRAG_SIM_TARGETED_H

#include <stdbool.h>
#include <stdint.h>

#include "physmem.h"
#include "zsmalloc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TARGETED_MAX_ORDER   4	/* windows up to 16 frames */
#define TARGETED_MAX_PINS    16 /* zspages pinning one window: at most one per frame */
#define TARGETED_CANDIDATES 8	/* cheapest windows kept per scan, tried in cost order */

/* A zspage that pins a window, and how it is to be moved off it. */
struct targeted_pin {
	unsigned long pfn;    /* its first frame inside the window (sources go in this order) */
	unsigned int inuse;   /* live objects */
	unsigned int size;    /* bytes per object */
	unsigned int in_window; /* its frames inside the window */
	bool migrate;	      /* migrate those frames (cheaper) instead of emptying it */
	uint64_t cost;	      /* bytes either way copies: inuse * size, or in_window pages */
};

struct targeted_window {
	unsigned long pfn; /* first frame, aligned to 2^order */
	unsigned int order;
	unsigned int nr_pins;
	struct targeted_pin pin[TARGETED_MAX_PINS];
	uint64_t objs; /* live objects the emptied zspages hold */
	uint64_t cost; /* bytes to copy: the window's price */
};

/* What clearing windows did. */
struct targeted_result {
	uint64_t windows;	 /* windows cleared */
	uint64_t refused;	 /* candidates given up (no room outside, no target frame) */
	uint64_t zspages_freed;	 /* zspages emptied and freed */
	uint64_t objs_migrated;	 /* objects moved between zspages */
	uint64_t bytes_copied;	 /* their bytes plus migrated pages' */
	uint64_t pages_migrated; /* zspage pages migrated out of windows */
	unsigned long pages_freed; /* pool pages freed */
};

/*
 * Scan zone for order-aligned windows whose frames are each free or an
 * order-0 zspage page of pool (none isolated or mapped), with at least one
 * zspage page, and fill out[0..*n) with the TARGETED_CANDIDATES cheapest,
 * cheapest first (ties: fewer live objects, then lower frame). can_migrate:
 * price each pin as the cheaper of emptying and migrating. 0, or -EINVAL.
 */
int targeted_find_windows(struct physmem *mem, struct zs_pool *pool, unsigned int zone,
			  unsigned int order, bool can_migrate, struct targeted_window *out,
			  unsigned int *n);

/*
 * Clear one window: empty its pins (zs_compact_zspages, destinations
 * outside the window), migrate the pins marked so into frames outside it,
 * and drain the per-CPU lists so the freed frames merge. 0 when the window
 * is one free block now, -ENOSPC / -ENOMEM when its pins could not be moved
 * (nothing moved by the emptying step), -EBUSY.
 */
int targeted_clear_window(struct physmem *mem, struct zs_pool *pool,
			  const struct targeted_window *w, struct targeted_result *res);

/*
 * The deferral of a look-ahead that found nothing to clear, as
 * compaction_deferred()/defer_compaction() defer a zone's compaction: after
 * a failed scan the next 2^defer_shift would-stall checks are skipped
 * (shift up to TARGETED_MAX_DEFER_SHIFT, the kernel's COMPACT_MAX_DEFER_SHIFT);
 * a cleared window resets it.
 */
#define TARGETED_MAX_DEFER_SHIFT 6
struct targeted_defer {
	unsigned long considered;
	unsigned int defer_shift;
};

/*
 * The policy's step: while no zone up to the request's would pass the fast
 * path's order check at its low watermark for want of a block (not of
 * pages), clear the cheapest window of the zone that has the pages, at most
 * max_windows. With defer (may be NULL), a failed scan is deferred. Returns
 * the windows cleared.
 */
unsigned int targeted_run(struct physmem *mem, struct zs_pool *pool, unsigned int order,
			  unsigned int max_windows, struct targeted_defer *defer,
			  struct targeted_result *res);

/* Would an unmovable lowmem request of this order stall for fragmentation (no block)? */
bool targeted_would_stall(const struct physmem *mem, unsigned int order, int *zone);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_SIM_TARGETED_H */
