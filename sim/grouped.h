/*
 * grouped.h - zspage pages placed in order-2 groups (policy_grouped.c):
 * zsmalloc takes an order-2 block when its zone can spare one, splits it and
 * hands its four frames to the zspages it creates next, so that zspage pages
 * share order-2 windows with each other and not with slab or page tables.
 */
#ifndef ZSFRAG_SIM_GROUPED_H
#define ZSFRAG_SIM_GROUPED_H

#include <stdbool.h>
#include <stdint.h>

#include "physmem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GROUPED_ORDER 2 /* a 32-bit ARM pgd's order; zspages have 1 to 4 pages */

/* How the pages of an announced zspage (grouped_begin) are served. */
enum grouped_mode {
	GROUPED_SEQ = 0, /* frame after frame, a new block when one runs out (no announcement) */
	GROUPED_DECIDE,	 /* announced, not decided yet: the zspage's first page decides */
	GROUPED_CUR,	 /* from the current block, which holds them all */
	GROUPED_SPARE,	 /* from the spare run, which holds them all */
	GROUPED_SKIP,	 /* no block could be spared: the usual page allocator, every page */
};

/*
 * The block being handed out: frames [next, end) are still the cache's
 * (kernel pages); [spare_next, spare_end) is an earlier block's rest, kept
 * for a zspage small enough to fit it.
 */
struct grouped_cache {
	unsigned long next, end;
	unsigned long spare_next, spare_end;
	unsigned int need;     /* pages of the announced zspage not yet handed out */
	enum grouped_mode mode; /* how they are served */
	uint64_t blocks;       /* blocks taken */
	uint64_t pages;	       /* zspage pages handed out of them */
	uint64_t rests_freed;  /* frames of a block's rest given back unused (to take a block) */
};

/*
 * Would the zone an order-GROUPED_ORDER request of this type and these
 * physmem_alloc() flags is served from (the first in zonelist order that
 * passes the order's check at its low watermark) still have a free block of
 * that order after it? It must pass the check one order up: a block of
 * order GROUPED_ORDER + 1 or more is free there.
 */
bool grouped_can_spare(const struct physmem *mem, enum physmem_mt mt, unsigned int flags);

/*
 * The next frame for a zspage, an allocated order-0 kernel page the caller
 * makes a zspage page: the cached block's next frame, else the first frame
 * of a new block (taken at the low watermark without waking kswapd, and
 * split) when the zone can spare one. -EAGAIN: no frame here, allocate a
 * page the usual way.
 */
int grouped_take(struct grouped_cache *gc, struct physmem *mem, enum physmem_mt mt,
		 unsigned int flags, unsigned long *pfn);

/*
 * The next nr_pages takes are one zspage's pages (zsmalloc's zspage_begin):
 * they come from one block or not at all. A zspage of up to 2^GROUPED_ORDER
 * pages takes them from the current block when it has that many left, else
 * from the spare run when it has, else from a new block (the larger rest of
 * the current block and the spare run becomes the spare run, the other goes
 * back to the buddy allocator), else (no block spared) from the usual page
 * allocator, all of them. A larger zspage is served frame after frame.
 */
void grouped_begin(struct grouped_cache *gc, unsigned int nr_pages);

/* Free the frames not handed out (the pool's teardown). */
void grouped_release(struct grouped_cache *gc, struct physmem *mem);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_SIM_GROUPED_H */
