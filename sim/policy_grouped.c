/*
 * policy_grouped.c - `grouped`: zspage pages placed in order-2 groups, so
 * that the frames zsmalloc frees come back as whole order-2 blocks.
 *
 * Why. zsmalloc allocates every zspage page on its own (alloc_zspage(),
 * one alloc_page() a page), and before 4.8 with the same migrate type as
 * the kernel's slab and page tables. In a fragmented zone order-0 requests
 * take the scattered single frames first, so zspage pages end up
 * interleaved with slab pages at the frame level: an order-2 window holds
 * a zspage page or two and a slab page. Freeing every zspage in it (what
 * zs_compact() does by fullness, or `targeted` by position) then frees no
 * order-2 block, because the slab page stays, and 4.1's compaction cannot
 * move either. Grouped placement keeps zspage pages among themselves, four
 * to an aligned window: a window is then either the pool's alone (freed
 * whole when its zspages die, or emptied by `targeted`) or none of its
 * business.
 *
 * What. Where zsmalloc would call alloc_page() for a zspage page, it takes
 * the next frame of a per-pool order-2 block instead; when the block is
 * used up it takes a new one - only when the zone it comes from can spare
 * one (the zone passes the order-3 watermark check at its low watermark,
 * so an order-2 block stays free for the next fork), at the low watermark
 * and without waking kswapd (__GFP_NORETRY | __GFP_NOWARN, no reclaim) -
 * and splits it (split_page()). Otherwise the page is allocated as today.
 * Nothing else changes: zspage pages are freed one by one as always, and
 * when the four of a group are freed the buddy allocator merges them.
 *
 * The kernel change it stands for: a page_frag-like cache in struct
 * zs_pool (a page, an offset and a lock), filled by
 * alloc_pages(gfp | __GFP_NORETRY | __GFP_NOWARN, 2) after a
 * zone_watermark_ok(zone, 3, low_wmark_pages(zone), ...) check and
 * split_page(), drained in zs_destroy_pool(). It needs no compaction and
 * no migration, so every profile may use it, alone or with a compaction
 * policy; it pairs naturally with `targeted`, whose windows it keeps free
 * of kernel pages. On 4.8+ zram pages are movable and already live in
 * movable pageblocks apart from the kernel's; there it changes less.
 *
 * A zspage inside one block (issue 17's measurement: on appswitch1g seed 1,
 * 24% of grouped+targeted's bytes were objects on zspage pages outside the
 * window being cleared, zspages that spanned two blocks). alloc_zspage()
 * tells the cache how many pages the zspage takes (zspage_begin); they come
 * from the current block if it has that many left, else from a spare run
 * (an earlier block's rest), else from a new block, the larger of the two
 * rests kept as the spare and the other freed; if no block can be spared,
 * all its pages come the usual way. The kernel change: alloc_zspage() asks
 * the pool's cache for class->pages_per_zspage pages at once, so a 4-page
 * zspage is one split order-2 block, and the cache keeps one partial
 * block's rest for the smaller classes.
 *
 * SIM: the cache holds at most three unused frames (six with the spare run), counted as kernel
 * pages; the model allocates them from the zone physmem_alloc() picks, as
 * the kernel's zonelist walk would.
 */
#include <errno.h>

#include "grouped.h"
#include "policy.h"

const struct policy_ops policy_grouped = {
    .name = "grouped",
    .help = "place zspage pages four to an order-2 block when the zone can spare one, so "
	    "freed zspages merge (all profiles)",
};

bool grouped_can_spare(const struct physmem *mem, enum physmem_mt mt, unsigned int flags)
{
	/* the zonelist walk of physmem_alloc(): the first zone that passes serves the block */
	for (int z = (int)physmem_preferred_zone(mem, mt, flags); z >= 0; z--) {
		struct physmem_zone_info zi;
		unsigned long low;

		if (physmem_zone_info(mem, (unsigned int)z, &zi) != 0 || !zi.managed_pages)
			continue;
		low = zi.wmark[PHYSMEM_WMARK_LOW];
		if (!physmem_watermark_ok(mem, (unsigned int)z, GROUPED_ORDER, low, flags))
			continue;
		return physmem_watermark_ok(mem, (unsigned int)z, GROUPED_ORDER + 1, low, flags);
	}
	return false;
}

/* A new block: its first frame handed out, the rest the current run. -EAGAIN when refused. */
static int take_block(struct grouped_cache *gc, struct physmem *mem, enum physmem_mt mt,
		      unsigned int flags, unsigned long *pfn)
{
	unsigned long base;

	if (!grouped_can_spare(mem, mt, flags) ||
	    physmem_alloc(mem, GROUPED_ORDER, mt,
			  flags | PHYSMEM_ALLOC_WMARK_LOW | PHYSMEM_ALLOC_NO_KSWAPD, &base) != 0)
		return -EAGAIN;
	if (physmem_split_page(mem, base, GROUPED_ORDER) != 0) {
		physmem_free(mem, base, GROUPED_ORDER);
		return -EAGAIN;
	}
	gc->blocks++;
	gc->pages++;
	gc->next = base + 1;
	gc->end = base + (1ul << GROUPED_ORDER);
	*pfn = base;
	return 0;
}

static void free_run(struct physmem *mem, unsigned long *next, unsigned long end, uint64_t *n)
{
	while (*next < end) {
		physmem_free(mem, (*next)++, 0);
		if (n)
			(*n)++;
	}
}

void grouped_begin(struct grouped_cache *gc, unsigned int nr_pages)
{
	gc->need = nr_pages;
	gc->mode = nr_pages && nr_pages <= (1u << GROUPED_ORDER) ? GROUPED_DECIDE : GROUPED_SEQ;
}

/* The announced zspage's first page: where all its pages come from. */
static int decide(struct grouped_cache *gc, struct physmem *mem, enum physmem_mt mt,
		  unsigned int flags, unsigned long *pfn)
{
	unsigned long cur = gc->end - gc->next, spare = gc->spare_end - gc->spare_next;

	if (cur >= gc->need) {
		gc->mode = GROUPED_CUR;
	} else if (spare >= gc->need) {
		gc->mode = GROUPED_SPARE;
	} else {
		unsigned long next = gc->next, end = gc->end;

		if (take_block(gc, mem, mt, flags, pfn) != 0) {
			gc->mode = GROUPED_SKIP;
			gc->need--;
			return -EAGAIN;
		}
		/* the larger rest is kept as the spare run, the other given back */
		if (end - next > spare) {
			free_run(mem, &gc->spare_next, gc->spare_end, &gc->rests_freed);
			gc->spare_next = next;
			gc->spare_end = end;
		} else {
			free_run(mem, &next, end, &gc->rests_freed);
		}
		gc->mode = GROUPED_CUR;
		gc->need--;
		return 0;
	}
	return 1; /* decided: serve from the run chosen */
}

int grouped_take(struct grouped_cache *gc, struct physmem *mem, enum physmem_mt mt,
		 unsigned int flags, unsigned long *pfn)
{
	unsigned long *next = &gc->next;

	if (gc->need && gc->mode == GROUPED_DECIDE) {
		int rc = decide(gc, mem, mt, flags, pfn);

		if (rc <= 0)
			return rc;
	}
	if (gc->need && gc->mode != GROUPED_SEQ) {
		gc->need--;
		if (gc->mode == GROUPED_SKIP)
			return -EAGAIN;
		if (gc->mode == GROUPED_SPARE)
			next = &gc->spare_next;
		*pfn = (*next)++;
		gc->pages++;
		return 0;
	}
	if (gc->need)
		gc->need--;
	/* frame after frame (no zspage announced, or one larger than a block) */
	if (gc->next < gc->end) {
		*pfn = gc->next++;
		gc->pages++;
		return 0;
	}
	return take_block(gc, mem, mt, flags, pfn);
}

void grouped_release(struct grouped_cache *gc, struct physmem *mem)
{
	free_run(mem, &gc->next, gc->end, NULL);
	free_run(mem, &gc->spare_next, gc->spare_end, NULL);
}
