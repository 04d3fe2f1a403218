/*
 * physmem.c - the emulated physical memory: a buddy allocator over an array of
 * page frames, modelled on Linux 6.1 mm/page_alloc.c. The zone layout,
 * watermarks, lowmem reserves, CMA and boosting are in physmem_zone.c, the
 * per-CPU page lists in physmem_pcp.c, create/destroy and the frames'
 * metadata in physmem_frames.c, the invariant walker in physmem_check.c; the
 * structures they share in physmem_internal.h.
 *
 * Layout
 *   frames[]  one struct physmem_frame per page frame (pfn = index). Only the
 *             head frame of a block (free, on a pcp list, or allocated)
 *             carries state; every other frame of the block has state
 *             PF_NONE. Blocks are aligned to their size, so the block holding
 *             a pfn is found by trying the aligned candidates order by order
 *             (physmem_block_at).
 *   pb_mt[]   the migrate type of every pageblock (2^pageblock_order frames).
 *   zones[]   the populated zones in ascending order (DMA, DMA32, Normal,
 *             HighMem). Each has free lists per order per migrate type:
 *             circular doubly-linked lists threaded through frames[] by 32-bit
 *             index, so insert, remove and pop are O(1), and counters for
 *             every figure vmstat reports (nothing is counted by walking).
 *   host      one anonymous MAP_NORESERVE mapping of ram_bytes: the bytes of
 *             frame pfn live at host + pfn * page_size and are only touched
 *             when used; MADV_HUGEPAGE unless host_thp is off; none at all
 *             with no_host_memory (sim payload mode none).
 *
 * Kernel behaviour kept
 *   - __rmqueue_smallest: smallest order first, block from the list head,
 *     expand() puts the split-off upper halves at the list heads.
 *   - __rmqueue's CMA rules: movable requests (ALLOC_CMA) take from the CMA
 *     lists first when over half the zone's free pages are CMA, else after
 *     their own lists fail and before stealing; no other request uses CMA,
 *     and __zone_watermark_ok counts free CMA pages as unusable for them.
 *   - __free_one_page: merge with free buddies of the same zone, whatever
 *     their list, except that from pageblock order up a CMA block does not
 *     merge with a non-CMA one; the result goes on the list of the
 *     pageblock's type at free time, at the tail when buddy_merge_likely()
 *     says the next-order buddy is free, else at the head.
 *   - __rmqueue_fallback / find_suitable_fallback / can_steal_fallback /
 *     steal_suitable_fallback / move_freepages_block with the fallbacks[]
 *     table, largest order first, the "smallest block for movable requests
 *     that cannot steal" rule, whole-pageblock claims for orders >=
 *     pageblock_order, boost_watermark below that, and the "half the block
 *     free or alike" rule.
 *   - get_page_from_freelist's zonelist: from the request's highest zone
 *     down, each zone checked against its watermark (boost included) plus
 *     lowmem_reserve[highest zone]; rmqueue through the pcp lists for the
 *     orders they hold; ZONE_BOOSTED_WATERMARK cleared by the next
 *     allocation from the zone, which asks for kswapd.
 *
 * SIM: no MIGRATE_HIGHATOMIC or ISOLATE types, no page shuffling, no
 *      ALLOC_NOFRAGMENT (set only when a Normal zone sits above DMA32, i.e.
 *      x86_64 guests over 4 GiB; never on 32-bit ARM).
 * SIM: an allocated multi-page block counts as one movable page in
 *      move_freepages_block when its head is movable (a compound page's head
 *      is the only LRU page).
 * SIM: the fallback is 6.1's for every profile (6.12 reworked stealing into
 *      try_to_claim_block; not modelled).
 */
#include "physmem.h"

#include <errno.h>

#include "physmem_internal.h"

/* The kernel's fallbacks[] for the three mobility types; CMA is in no row. */
static const enum physmem_mt fallbacks[PHYSMEM_MT_PCPTYPES][2] = {
    [PHYSMEM_MT_UNMOVABLE] = {PHYSMEM_MT_RECLAIMABLE, PHYSMEM_MT_MOVABLE},
    [PHYSMEM_MT_MOVABLE] = {PHYSMEM_MT_RECLAIMABLE, PHYSMEM_MT_UNMOVABLE},
    [PHYSMEM_MT_RECLAIMABLE] = {PHYSMEM_MT_UNMOVABLE, PHYSMEM_MT_MOVABLE},
};

/* ---- lists ---- */

void pb_set(struct physmem *pm, unsigned long pfn, enum physmem_mt mt)
{
	unsigned long pb = pfn >> pm->pb_order;
	struct physmem_zone *z = zone_of(pm, pfn);

	if (pm->pb_mt[pb] == mt)
		return;
	z->nr_pageblocks[pm->pb_mt[pb]]--;
	z->nr_pageblocks[mt]++;
	pm->pb_mt[pb] = (uint8_t)mt;
}

/* Link frame idx into a circular list at its head or tail. */
void pm_list_add(struct physmem *pm, uint32_t *head, uint32_t idx, bool tail)
{
	struct physmem_frame *f = &pm->frames[idx];

	if (*head == PF_NIL) {
		f->next = f->prev = idx;
		*head = idx;
	} else {
		struct physmem_frame *h = &pm->frames[*head];
		uint32_t t = h->prev;

		f->next = *head;
		f->prev = t;
		pm->frames[t].next = idx;
		h->prev = idx;
		if (!tail)
			*head = idx;
	}
}

void pm_list_del(struct physmem *pm, uint32_t *head, uint32_t idx)
{
	struct physmem_frame *f = &pm->frames[idx];

	PHYSMEM_BUG_ON(*head == PF_NIL);
	if (f->next == idx) {
		*head = PF_NIL;
	} else {
		pm->frames[f->prev].next = f->next;
		pm->frames[f->next].prev = f->prev;
		if (*head == idx)
			*head = f->next;
	}
	f->next = f->prev = PF_NIL;
}

/* Put a free block on a list (add_to_free_list / _tail) and count it. */
static void fl_add(struct physmem *pm, struct physmem_zone *z, uint32_t idx, unsigned int order,
		   enum physmem_mt mt, bool tail)
{
	struct physmem_frame *f = &pm->frames[idx];

	PHYSMEM_BUG_ON(f->state != PF_NONE);
	f->state = PF_FREE;
	f->order = (uint8_t)order;
	f->mt = (uint8_t)mt;
	f->owner = PHYSMEM_OWNER_FREE;
	pm_list_add(pm, &z->head[order][mt], idx, tail);
	z->nr_free[order]++;
	z->nr_free_mt[order][mt]++;
	z->free_pages += 1ul << order;
	if (mt == PHYSMEM_MT_CMA)
		z->free_cma += 1ul << order;
}

/* Take a free block off its list (del_page_from_free_list). */
static void fl_del(struct physmem *pm, struct physmem_zone *z, uint32_t idx)
{
	struct physmem_frame *f = &pm->frames[idx];

	PHYSMEM_BUG_ON(f->state != PF_FREE);
	pm_list_del(pm, &z->head[f->order][f->mt], idx);
	z->nr_free[f->order]--;
	z->nr_free_mt[f->order][f->mt]--;
	z->free_pages -= 1ul << f->order;
	if (f->mt == PHYSMEM_MT_CMA)
		z->free_cma -= 1ul << f->order;
	f->state = PF_NONE;
}

/* move_to_free_list: to the tail of another type's list. */
static void fl_move_tail(struct physmem *pm, struct physmem_zone *z, uint32_t idx,
			 enum physmem_mt mt)
{
	unsigned int order = pm->frames[idx].order;

	fl_del(pm, z, idx);
	fl_add(pm, z, idx, order, mt, true);
}

static inline bool frame_movable(const struct physmem_frame *f)
{
	if (f->owner == PHYSMEM_OWNER_ZSPAGE)
		return f->u.pool != NULL;
	return f->owner == PHYSMEM_OWNER_USER && f->mt == PHYSMEM_MT_MOVABLE;
}

/* ---- free path ---- */

/* buddy_merge_likely: is the buddy of the next-order block free too? */
static bool buddy_merge_likely(const struct physmem *pm, const struct physmem_zone *z,
			       unsigned long pfn, unsigned long buddy_pfn, unsigned int order)
{
	unsigned long higher;

	if (order + 2 >= pm->max_order)
		return false;
	higher = buddy_pfn & pfn;
	return is_free_head(pm, z, higher ^ (1ul << (order + 1)), order + 1);
}

/* Kernel -> ours: __free_one_page(page, pfn, zone, order, mt, fpi_flags) -> (pm, z, pfn, order,
 * mt, to_tail): the frame is its pfn, FPI_TO_TAIL the only flag that matters here. */
void __free_one_page(struct physmem *pm, struct physmem_zone *z, unsigned long pfn,
		     unsigned int order, enum physmem_mt mt, bool to_tail)
{
	unsigned long buddy = pfn;

	while (order + 1 < pm->max_order) {
		buddy = pfn ^ (1ul << order);
		if (!is_free_head(pm, z, buddy, order))
			break;
		/* CMA and other pageblocks stay apart (migratetype_is_mergeable) */
		if (order >= pm->pb_order && mt != pb_get(pm, buddy) &&
		    (mt == PHYSMEM_MT_CMA || pb_get(pm, buddy) == PHYSMEM_MT_CMA))
			break;
		fl_del(pm, z, (uint32_t)buddy);
		pfn &= buddy;
		order++;
	}
	if (!to_tail)
		to_tail = buddy_merge_likely(pm, z, pfn, buddy, order);
	fl_add(pm, z, (uint32_t)pfn, order, mt, to_tail);
}

/* ---- allocation path ---- */

/* expand(): split [pfn, 2^high) down to 2^low, freeing the upper halves. */
static void expand(struct physmem *pm, struct physmem_zone *z, unsigned long pfn, unsigned int low,
		   unsigned int high, enum physmem_mt mt)
{
	while (high > low) {
		high--;
		fl_add(pm, z, (uint32_t)(pfn + (1ul << high)), high, mt, false);
	}
}

static uint32_t __rmqueue_smallest(struct physmem *pm, struct physmem_zone *z, unsigned int order,
				   enum physmem_mt mt)
{
	for (unsigned int o = order; o < pm->max_order; o++) {
		uint32_t idx = z->head[o][mt];

		if (idx == PF_NIL)
			continue;
		fl_del(pm, z, idx);
		expand(pm, z, idx, order, o, mt);
		return idx;
	}
	return PF_NIL;
}

static bool can_steal_fallback(const struct physmem *pm, unsigned int order, enum physmem_mt start)
{
	if (order >= pm->pb_order)
		return true;
	return order >= pm->pb_order / 2 || start == PHYSMEM_MT_RECLAIMABLE ||
	       start == PHYSMEM_MT_UNMOVABLE;
}

/* find_suitable_fallback: the first fallback type with a free block of this order. */
static int find_suitable_fallback(const struct physmem *pm, const struct physmem_zone *z,
				  unsigned int order, enum physmem_mt mt, bool only_stealable,
				  bool *can_steal)
{
	*can_steal = false;
	if (!z->nr_free[order] || (unsigned int)mt >= PHYSMEM_MT_PCPTYPES)
		return -1;
	for (unsigned int i = 0; i < 2; i++) {
		enum physmem_mt fmt = fallbacks[mt][i];

		if (z->head[order][fmt] == PF_NIL)
			continue;
		if (can_steal_fallback(pm, order, mt))
			*can_steal = true;
		if (!only_stealable || *can_steal)
			return (int)fmt;
	}
	return -1;
}

/*
 * move_freepages_block: move every free block of the pageblock holding pfn
 * to mt's lists; count the pageblock's movable allocated pages.
 */
static unsigned long move_freepages_block(struct physmem *pm, struct physmem_zone *z,
					  unsigned long pfn, enum physmem_mt mt,
					  unsigned long *movable)
{
	unsigned long start = pfn & ~((1ul << pm->pb_order) - 1);
	unsigned long end = start + (1ul << pm->pb_order); /* exclusive */
	unsigned long moved = 0;

	*movable = 0;
	if (start < z->start)
		start = pfn;
	if (end > z->end)
		return 0;
	for (unsigned long p = start; p < end;) {
		struct physmem_frame *f = &pm->frames[p];

		if (f->state == PF_FREE) {
			fl_move_tail(pm, z, (uint32_t)p, mt);
			moved += 1ul << f->order;
			p += 1ul << f->order;
		} else if (f->state == PF_ALLOC) {
			if (frame_movable(f))
				(*movable)++;
			p += 1ul << f->order;
		} else if (f->state == PF_PCP) {
			p += 1ul << f->order; /* not PageBuddy, not LRU */
		} else {
			p++; /* cannot happen: heads tile the pageblock */
		}
	}
	return moved;
}

static void steal_suitable_fallback(struct physmem *pm, struct physmem_zone *z, uint32_t idx,
				    unsigned int flags, enum physmem_mt start, bool whole_block)
{
	unsigned int order = pm->frames[idx].order;
	enum physmem_mt old = pb_get(pm, idx);
	unsigned long free_pages, movable, alike;

	if (order >= pm->pb_order) {
		/* change_pageblock_range: claim every pageblock of the block */
		for (unsigned long p = idx; p < idx + (1ul << order); p += 1ul << pm->pb_order) {
			if (pb_get(pm, p) != start)
				pm->st.pageblock_steals++;
			pb_set(pm, p, start);
		}
		goto single_page;
	}
	/* boost_watermark: more reclaim, fewer fallbacks; wake kswapd (ALLOC_KSWAPD) */
	if (pm_boost_watermark(pm, z) && !(flags & PHYSMEM_ALLOC_NO_KSWAPD))
		z->boosted = true;
	if (!whole_block)
		goto single_page;

	free_pages = move_freepages_block(pm, z, idx, start, &movable);
	if (start == PHYSMEM_MT_MOVABLE)
		alike = movable;
	else if (old == PHYSMEM_MT_MOVABLE)
		alike = (1ul << pm->pb_order) - (free_pages + movable);
	else
		alike = 0;
	if (!free_pages)
		goto single_page;
	if (free_pages + alike >= (1ul << (pm->pb_order - 1))) {
		pm->st.pageblock_steals++;
		pb_set(pm, idx, start);
	}
	return;

single_page:
	fl_move_tail(pm, z, idx, start);
}

/* __rmqueue_fallback: steal from another type, largest block first. */
static bool rmqueue_fallback(struct physmem *pm, struct physmem_zone *z, unsigned int order,
			     enum physmem_mt start, unsigned int flags)
{
	int o, fmt = -1;
	bool can_steal = false;

	for (o = (int)pm->max_order - 1; o >= (int)order; o--) {
		fmt = find_suitable_fallback(pm, z, (unsigned int)o, start, false, &can_steal);
		if (fmt == -1)
			continue;
		if (!can_steal && start == PHYSMEM_MT_MOVABLE && o > (int)order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (o = (int)order; o < (int)pm->max_order; o++) {
		fmt = find_suitable_fallback(pm, z, (unsigned int)o, start, false, &can_steal);
		if (fmt != -1)
			break;
	}
	if (fmt == -1)
		return false; /* cannot happen: the first loop found a block */
do_steal:
	pm->st.extfrag_events++;
	steal_suitable_fallback(pm, z, z->head[o][fmt], flags, start, can_steal);
	return true;
}

/* __rmqueue: one block off the buddy lists (CMA balance, own type, CMA, fallback). */
uint32_t pm_rmqueue_buddy(struct physmem *pm, struct physmem_zone *z, unsigned int order,
			  enum physmem_mt mt, unsigned int flags)
{
	bool alloc_cma = mt == PHYSMEM_MT_MOVABLE; /* gfp_to_alloc_flags_cma */
	uint32_t idx;

	if (alloc_cma && z->free_cma > z->free_pages / 2) {
		idx = __rmqueue_smallest(pm, z, order, PHYSMEM_MT_CMA);
		if (idx != PF_NIL)
			return idx;
	}
	for (;;) {
		idx = __rmqueue_smallest(pm, z, order, mt);
		if (idx != PF_NIL)
			return idx;
		if (alloc_cma) {
			idx = __rmqueue_smallest(pm, z, order, PHYSMEM_MT_CMA);
			if (idx != PF_NIL)
				return idx;
		}
		if (!rmqueue_fallback(pm, z, order, mt, flags))
			return PF_NIL;
	}
}

/* __zone_watermark_ok, with zone_watermark_fast's order-0 shortcut folded in (same answer). */
bool pm_zone_wmark_ok(const struct physmem *pm, const struct physmem_zone *z, unsigned int order,
		      unsigned long mark, enum physmem_zone_type highest, bool alloc_cma)
{
	long free_pages = (long)z->free_pages - (long)((1ul << order) - 1);
	long min = (long)mark + (long)z->lowmem_reserve[highest];

	if (!alloc_cma)
		free_pages -= (long)z->free_cma;
	if (free_pages <= min)
		return false;
	if (!order)
		return true;
	for (unsigned int o = order; o < pm->max_order; o++) {
		if (!z->nr_free[o])
			continue;
		for (unsigned int t = 0; t < PHYSMEM_MT_PCPTYPES; t++)
			if (z->nr_free_mt[o][t])
				return true;
		if (alloc_cma && z->nr_free_mt[o][PHYSMEM_MT_CMA])
			return true;
	}
	return false;
}

int physmem_alloc(struct physmem *pm, unsigned int order, enum physmem_mt mt, unsigned int flags,
		  unsigned long *pfn)
{
	enum physmem_zone_type highest = pm_highest_zone(mt, flags);
	int zi;

	if (order >= pm->max_order || (unsigned int)mt >= PHYSMEM_MT_PCPTYPES)
		return -EINVAL;
	/* the zonelist: from the highest zone the request may use, down */
	for (zi = (int)pm->nr_zones - 1; zi >= 0; zi--) {
		struct physmem_zone *z = &pm->zones[zi];
		struct physmem_frame *f;
		uint32_t idx;

		if (z->type > highest)
			continue;
		if (!(flags & PHYSMEM_ALLOC_NO_WMARKS)) {
			enum physmem_wmark wm =
			    (flags & PHYSMEM_ALLOC_WMARK_LOW) ? PHYSMEM_WMARK_LOW : PHYSMEM_WMARK_MIN;

			/* 6.12 notes a zone below its high watermark (ZONE_BELOW_HIGH) */
			if (pm->cfg.pcp == PHYSMEM_PCP_V6_12 && !z->below_high &&
			    !pm_zone_wmark_ok(pm, z, order, wmark_pages(z, PHYSMEM_WMARK_HIGH),
					      highest, mt == PHYSMEM_MT_MOVABLE))
				z->below_high = true;
			if (!pm_zone_wmark_ok(pm, z, order, wmark_pages(z, wm), highest,
					      mt == PHYSMEM_MT_MOVABLE))
				continue;
		}
		idx = PF_NIL;
		if (pm->cfg.pcp != PHYSMEM_PCP_OFF && pm_pcp_allowed_order(pm, order))
			idx = pm_rmqueue_pcplist(pm, z, order, mt, flags);
		if (idx == PF_NIL)
			idx = pm_rmqueue_buddy(pm, z, order, mt, flags);
		/* rmqueue: the allocation that finds the boost flag wakes kswapd */
		if (z->boosted) {
			z->boosted = false;
			pm->kswapd_wakeups |= 1u << zi;
			pm->st.kswapd_wakeups++;
		}
		if (idx == PF_NIL)
			continue;
		f = &pm->frames[idx];
		f->state = PF_ALLOC;
		f->order = (uint8_t)order;
		f->mt = (uint8_t)mt;
		f->owner = PHYSMEM_OWNER_KERNEL;
		f->u.tag = 0;
		for (unsigned long i = 0; i < (1ul << order); i++)
			pm->priv[(unsigned long)idx + i] = NULL;
		pm->st.pgalloc[zi] += 1ul << order;
		pm->st.owner_pages[PHYSMEM_OWNER_KERNEL] += 1ul << order;
		*pfn = idx;
		PHYSMEM_DEEP_CHECK(pm);
		return 0;
	}
	pm->st.alloc_fail++;
	pm->st.alloc_fail_order[order]++;
	return -ENOMEM;
}

void physmem_free(struct physmem *pm, unsigned long pfn, unsigned int order)
{
	struct physmem_frame *f;
	struct physmem_zone *z;

	if (pfn >= pm->nr_frames || pm->frames[pfn].state != PF_ALLOC ||
	    pm->frames[pfn].order != order || pm->frames[pfn].owner == PHYSMEM_OWNER_RESERVED) {
		pm->st.bad_frees++;
		return;
	}
	f = &pm->frames[pfn];
	z = zone_of(pm, pfn);
	pm->st.owner_pages[f->owner] -= 1ul << order;
	pm->st.pgfree += 1ul << order;
	pm->priv[pfn] = NULL;
	f->u.tag = 0;
	f->state = PF_NONE;
	if (pm->cfg.pcp != PHYSMEM_PCP_OFF && pm_pcp_allowed_order(pm, order))
		pm_free_unref_page(pm, z, pfn, order);
	else
		__free_one_page(pm, z, pfn, order, pb_get(pm, pfn), false);
	PHYSMEM_DEEP_CHECK(pm);
}

long physmem_isolate_free(struct physmem *pm, unsigned long pfn)
{
	struct physmem_zone *z;
	struct physmem_frame *f;
	unsigned int order;
	unsigned long n;

	if (pfn >= pm->nr_frames || pm->frames[pfn].state != PF_FREE)
		return -EINVAL;
	z = zone_of(pm, pfn);
	f = &pm->frames[pfn];
	order = f->order;
	n = 1ul << order;
	/* zone_watermark_ok(zone, 0, _watermark[MIN] + 2^order, 0, ALLOC_CMA) */
	if (!pm_zone_wmark_ok(pm, z, 0, z->wmark[PHYSMEM_WMARK_MIN] + n, PHYSMEM_ZONE_DMA, true))
		return 0;
	fl_del(pm, z, (uint32_t)pfn);
	if (order + 1 >= pm->pb_order)
		for (unsigned long p = pfn; p < pfn + n; p += 1ul << pm->pb_order)
			if (pb_get(pm, p) != PHYSMEM_MT_CMA)
				pb_set(pm, p, PHYSMEM_MT_MOVABLE);
	/* split_map_pages: 2^order single pages */
	for (unsigned long i = 0; i < n; i++) {
		f[i].state = PF_ALLOC;
		f[i].order = 0;
		f[i].mt = (uint8_t)pb_get(pm, pfn + i);
		f[i].owner = PHYSMEM_OWNER_ISOLATED;
		pm->priv[(unsigned long)(f - pm->frames) + i] = NULL;
		f[i].u.tag = 0;
	}
	pm->st.owner_pages[PHYSMEM_OWNER_ISOLATED] += n;
	return (long)n;
}


int physmem_find_suitable_fallback(const struct physmem *pm, unsigned int zone, unsigned int order,
				   enum physmem_mt mt, bool only_stealable, bool *can_steal)
{
	*can_steal = false;
	if (zone >= pm->nr_zones || order >= pm->max_order || (unsigned int)mt >= PHYSMEM_MT_TYPES)
		return -1;
	return find_suitable_fallback(pm, &pm->zones[zone], order, mt, only_stealable, can_steal);
}

