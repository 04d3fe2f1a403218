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
 * SIM: the cache holds at most three unused frames, counted as kernel
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

int grouped_take(struct grouped_cache *gc, struct physmem *mem, enum physmem_mt mt,
		 unsigned int flags, unsigned long *pfn)
{
	unsigned long base;

	if (gc->next < gc->end) {
		*pfn = gc->next++;
		gc->pages++;
		return 0;
	}
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

void grouped_release(struct grouped_cache *gc, struct physmem *mem)
{
	while (gc->next < gc->end)
		physmem_free(mem, gc->next++, 0);
}
