/*
 * physmem_pcp.c - per-CPU page lists (struct per_cpu_pages), as Linux 6.1
 * and 6.12 mm/page_alloc.c size and run them, and as 3.18-4.8 did ("4.x",
 * checked against 4.1-4.8). They decide which frames a
 * zspage gets: order-0 pages come off a list refilled a batch at a time in
 * physical order, and freed pages go back to the list head (LIFO) until the
 * list exceeds `high`, when a batch drains from the list tails.
 *
 * Lists: one per migrate type (Unmovable, Movable, Reclaimable) per order
 * 0..PAGE_ALLOC_COSTLY_ORDER (3), plus two for the THP order (pageblock
 * order) with CONFIG_TRANSPARENT_HUGEPAGE (x86_64; not Debian's non-LPAE
 * armmp). order_to_pindex: 3 * order + type; THP: 12 + (type == Movable).
 * CMA pages freed to a list go on the Movable one. 4.x: the three order-0
 * lists only; every higher order goes to and from the buddy lists under
 * the zone lock (buffered_rmqueue, __free_pages -> __free_pages_ok).
 *
 * Sizes (zone_batchsize, zone_highsize; set with the watermarks)
 *   6.1:  batch = min(managed / 1024, 1 MiB of pages) / 4, at least 1, then
 *         rounddown_pow_of_two(b + b/2) - 1; high = low watermark / CPUs
 *         (or managed / percpu_pagelist_high_fraction / CPUs), at least
 *         4 * batch.
 *   6.12: the same batch (6.12.118's zone_batchsize still divides by 4:
 *         its x86_64 guest refills 63 pages at a time, as its free_delta
 *         shows); high_min as 6.1's high, high_max =
 *         managed / 8 / CPUs (at least 4 * batch), and pcp->high tuned
 *         between them (nr_pcp_high, nr_pcp_alloc): it grows by a batch per
 *         refill while the zone is above its high watermark, shrinks by the
 *         pages freed in a row once it is below (ZONE_BELOW_HIGH).
 *   4.x:  batch as 6.1's but capped at 512 KiB of pages before the / 4 (31
 *         with 4 KiB pages); high = 6 * batch, not split among CPUs
 *         (pageset_set_batch). With percpu_pagelist_fraction (our
 *         percpu_pagelist_high_fraction key): high = managed / fraction,
 *         batch = high / 4, at least 1, at most PAGE_SHIFT * 8
 *         (pageset_set_high). Below 8192 pages zone_batchsize is 0: high
 *         0, batch 1 (every free goes straight back). 4.x sized the lists
 *         at boot and on the sysctl only; resizing them with the watermarks
 *         gives the same numbers (they depend on managed pages alone).
 *
 * Allocation (rmqueue_pcplist / __rmqueue_pcplist / rmqueue_bulk): an empty
 * list takes max(batch >> order, 2) blocks from __rmqueue (6.12:
 * nr_pcp_alloc's count, doubling with alloc_factor for order 0), added to
 * the list tail in the order __rmqueue returns them; the page comes from
 * the head. Free (free_unref_page_commit): to the head; when count reaches
 * nr_pcp_high, free_pcppages_bulk takes nr_pcp_free pages from list tails,
 * round-robin from the list just freed to. 6.1 frees the whole pcp when
 * freeing a high-order page after a bulk free (free_factor); 6.12 when
 * freeing high-order pages in a row (PCPF_PREV_FREE_HIGH_ORDER).
 *
 * 4.x (buffered_rmqueue, rmqueue_bulk, free_hot_cold_page): an empty list
 * takes exactly batch pages; a free goes to the head and, once count
 * reaches high, exactly batch pages go back (no free_factor, no
 * reclaim_active cap, no free_high). Its free_pcppages_bulk differs from
 * 6.1's, which empties one list before moving on: it walks the lists
 * round-robin from list 1, counting every list it steps to (empty ones
 * too) in batch_free, takes up to batch_free pages from the tail of the
 * list it stops at, and takes everything it still owes from a list when
 * that list is the only non-empty one (batch_free reaching 3). batch_free
 * carries over from one list to the next, as the kernel's does.
 *
 * SIM: one CPU runs every allocation and free; with nr_cpus > 1 the others'
 *      lists stay empty (nr_cpus only divides high; not at all in 4.x).
 * SIM: 4.x's lists in 4.8's order (4.4+: Unmovable, Movable, Reclaimable);
 *      4.1-4.3 ordered Unmovable, Reclaimable, Movable, so their bulk free's
 *      round robin visited Reclaimable before Movable.
 * SIM: 4.x frees are all hot (to the head) and allocations take the head:
 *      no __GFP_COLD, no cold frees from reclaim (free_hot_cold_page_list).
 * SIM: no decay_pcp_high from the vmstat worker (time-driven in 6.12), no
 *      PCPF_FREE_HIGH_BATCH (depends on the CPU's cache size).
 */
#include "physmem_internal.h"

bool pm_pcp_allowed_order(const struct physmem *pm, unsigned int order)
{
	if (pm->cfg.pcp == PHYSMEM_PCP_V4)
		return order == 0;
	return order <= PHYSMEM_COSTLY_ORDER || (pm->cfg.pcp_thp && order == pm->pb_order);
}

static unsigned int order_to_pindex(const struct physmem *pm, enum physmem_mt mt,
				    unsigned int order)
{
	if (order > PHYSMEM_COSTLY_ORDER) {
		PHYSMEM_BUG_ON(order != pm->pb_order);
		return PCP_LOWORDER_LISTS + (mt == PHYSMEM_MT_MOVABLE);
	}
	return PHYSMEM_MT_PCPTYPES * order + (unsigned int)mt;
}

static unsigned int pindex_to_order(const struct physmem *pm, unsigned int pindex)
{
	return pindex >= PCP_LOWORDER_LISTS ? pm->pb_order : pindex / PHYSMEM_MT_PCPTYPES;
}

static int rounddown_pow_of_two(int x)
{
	int p = 1;

	while (p * 2 <= x)
		p *= 2;
	return p;
}

/* zone_batchsize: 4.x caps the pages at 512 KiB, 6.x at 1 MiB */
static int zone_batchsize(const struct physmem *pm, const struct physmem_zone *z)
{
	unsigned long cap_bytes = pm->cfg.pcp == PHYSMEM_PCP_V4 ? 512ul << 10 : 1ul << 20;
	long batch = (long)(z->managed >> 10), cap = (long)(cap_bytes >> pm->page_shift);

	if (batch > cap)
		batch = cap;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	return rounddown_pow_of_two((int)(batch + batch / 2)) - 1;
}

/* zone_highsize with cpu_online 0, as zone_pcp_update calls it */
static int zone_highsize(const struct physmem *pm, const struct physmem_zone *z, int batch,
			 unsigned int fraction)
{
	unsigned long total =
	    fraction ? z->managed / fraction : wmark_pages(z, PHYSMEM_WMARK_LOW);
	long high = (long)(total / pm->cfg.nr_cpus);

	return high > (long)batch << 2 ? (int)high : batch << 2;
}

/* 4.x pageset_set_high_and_batch: from percpu_pagelist_fraction, else from the batch */
static void pcp_setup_4x(const struct physmem *pm, struct physmem_zone *z)
{
	struct physmem_pcp *pcp = &z->pcp;
	unsigned int frac = pm->cfg.percpu_pagelist_high_fraction;

	if (frac) {
		unsigned long high = z->managed / frac, batch = high / 4;

		if (batch < 1)
			batch = 1;
		if (high / 4 > pm->page_shift * 8)
			batch = pm->page_shift * 8;
		pcp->high = (int)high;
		pcp->batch = (int)batch;
	} else {
		int batch = zone_batchsize(pm, z); /* 0 below 8192 pages: high 0, batch 1 */

		pcp->high = 6 * batch;
		pcp->batch = batch > 1 ? batch : 1;
	}
	pcp->high_min = pcp->high_max = pcp->high;
}

void pm_pcp_setup(struct physmem *pm, struct physmem_zone *z)
{
	struct physmem_pcp *pcp = &z->pcp;
	unsigned int frac = pm->cfg.percpu_pagelist_high_fraction;

	if (!pcp->nr_lists) {
		for (unsigned int i = 0; i < PCP_MAX_LISTS; i++)
			pcp->head[i] = PF_NIL;
		pcp->nr_lists = PCP_LOWORDER_LISTS + (pm->cfg.pcp_thp ? 2 : 0);
	}
	if (pm->cfg.pcp == PHYSMEM_PCP_OFF || !z->managed)
		return;
	if (pm->cfg.pcp == PHYSMEM_PCP_V4) {
		pcp_setup_4x(pm, z);
		return;
	}
	pcp->batch = zone_batchsize(pm, z);
	if (pcp->batch < 1)
		pcp->batch = 1;
	pcp->high_min = zone_highsize(pm, z, pcp->batch, frac);
	if (pm->cfg.pcp == PHYSMEM_PCP_V6_1 || frac)
		pcp->high_max = pcp->high_min;
	else
		pcp->high_max = zone_highsize(pm, z, pcp->batch, 8); /* MIN_..._HIGH_FRACTION */
	if (pm->cfg.pcp == PHYSMEM_PCP_V6_1 || pcp->high < pcp->high_min)
		pcp->high = pcp->high_min;
	if (pcp->high > pcp->high_max)
		pcp->high = pcp->high_max;
}

static void pcp_take(struct physmem *pm, struct physmem_zone *z, uint32_t *head, uint32_t idx)
{
	struct physmem_frame *f = &pm->frames[idx];

	pm_list_del(pm, head, idx);
	z->pcp.count -= 1 << f->order;
	pm->st.owner_pages[PHYSMEM_OWNER_PCP] -= 1ul << f->order;
	f->state = PF_NONE;
}

static void pcp_put(struct physmem *pm, struct physmem_zone *z, uint32_t *head, uint32_t idx,
		    unsigned int order, enum physmem_mt mt, bool tail)
{
	struct physmem_frame *f = &pm->frames[idx];

	PHYSMEM_BUG_ON(f->state != PF_NONE);
	f->state = PF_PCP;
	f->order = (uint8_t)order;
	f->mt = (uint8_t)mt;
	f->owner = PHYSMEM_OWNER_FREE;
	pm_list_add(pm, head, idx, tail);
	z->pcp.count += 1 << order;
	pm->st.owner_pages[PHYSMEM_OWNER_PCP] += 1ul << order;
}

/* free_pcppages_bulk: count pages from the list tails, round-robin after pindex - 1. */
static void free_pcppages_bulk(struct physmem *pm, struct physmem_zone *z, int count,
			       unsigned int pindex)
{
	struct physmem_pcp *pcp = &z->pcp;
	unsigned int p = pindex;

	if (count > pcp->count)
		count = pcp->count;
	while (count > 0) {
		unsigned int order;

		while (pcp->head[p] == PF_NIL)
			p = (p + 1) % pcp->nr_lists;
		order = pindex_to_order(pm, p);
		do {
			uint32_t idx = pm->frames[pcp->head[p]].prev; /* list_last_entry */
			enum physmem_mt mt = (enum physmem_mt)pm->frames[idx].mt;

			pcp_take(pm, z, &pcp->head[p], idx);
			count -= 1 << order;
			if (pm->cfg.pcp == PHYSMEM_PCP_V6_12)
				mt = pb_get(pm, idx); /* 6.12 reads the pageblock at drain */
			__free_one_page(pm, z, idx, order, mt, false);
			pm->st.pcp_drained += 1ul << order;
		} while (count > 0 && pcp->head[p] != PF_NIL);
		p = (p + 1) % pcp->nr_lists;
	}
}

/*
 * 4.x free_pcppages_bulk: count order-0 pages from the list tails. The walk
 * starts after list 0; batch_free counts the lists stepped to, empty or not,
 * and bounds the pages taken from the list the walk stops at, unless that
 * list is the only non-empty one, which then gives all that is still owed.
 */
static void free_pcppages_bulk_4x(struct physmem *pm, struct physmem_zone *z, int count)
{
	struct physmem_pcp *pcp = &z->pcp;
	unsigned int list = 0;
	int batch_free = 0;

	if (count > pcp->count) /* the callers never ask for more; never loop on empty lists */
		count = pcp->count;
	while (count > 0) {
		do {
			batch_free++;
			list = (list + 1) % PHYSMEM_MT_PCPTYPES;
		} while (pcp->head[list] == PF_NIL);
		if (batch_free == PHYSMEM_MT_PCPTYPES)
			batch_free = count;
		for (;;) {
			uint32_t idx = pm->frames[pcp->head[list]].prev; /* the tail */
			enum physmem_mt mt = (enum physmem_mt)pm->frames[idx].mt;

			pcp_take(pm, z, &pcp->head[list], idx);
			__free_one_page(pm, z, idx, 0, mt, false); /* get_pcppage_migratetype */
			pm->st.pcp_drained++;
			/* the kernel's --count && --batch_free && !list_empty: in that order */
			if (--count == 0 || --batch_free == 0 || pcp->head[list] == PF_NIL)
				break;
		}
	}
}

/* 6.1 nr_pcp_free */
static int nr_pcp_free_61(struct physmem_pcp *pcp, int high, int batch, bool free_high)
{
	int min_nr_free, max_nr_free;

	if (free_high)
		return pcp->count;
	if (high < batch)
		return 1;
	min_nr_free = batch;
	max_nr_free = high - batch;
	batch <<= pcp->free_factor;
	if (batch < max_nr_free && pcp->free_factor < PCP_BATCH_SCALE_MAX)
		pcp->free_factor++;
	if (batch < min_nr_free)
		batch = min_nr_free;
	return batch > max_nr_free ? max_nr_free : batch; /* clamp() */
}

/* 6.12 nr_pcp_free */
static int nr_pcp_free_612(struct physmem_pcp *pcp, int batch, int high, bool free_high)
{
	int n;

	if (free_high)
		return pcp->count < batch << PCP_BATCH_SCALE_MAX ? pcp->count
								 : batch << PCP_BATCH_SCALE_MAX;
	if (high < batch)
		return 1;
	n = pcp->free_count < batch ? batch : pcp->free_count;
	return n > high - batch ? high - batch : n;
}

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* 6.12 nr_pcp_high: also tunes pcp->high */
static int nr_pcp_high_612(struct physmem_zone *z, int batch, bool free_high)
{
	struct physmem_pcp *pcp = &z->pcp;
	int high = pcp->high = clamp_int(pcp->high, pcp->high_min, pcp->high_max);

	if (!high)
		return 0;
	if (free_high) {
		int h = high - (batch << PCP_BATCH_SCALE_MAX);

		pcp->high = h > pcp->high_min ? h : pcp->high_min;
		return 0;
	}
	if (z->reclaim_active) {
		int fc = pcp->free_count > batch ? pcp->free_count : batch;

		pcp->high = high - fc > pcp->high_min ? high - fc : pcp->high_min;
		return batch << 2 < pcp->high ? batch << 2 : pcp->high;
	}
	if (pcp->high_min == pcp->high_max)
		return high;
	if (z->below_high) {
		int fc = pcp->free_count > batch ? pcp->free_count : batch;

		pcp->high = high - fc > pcp->high_min ? high - fc : pcp->high_min;
		high = pcp->count > pcp->high_min ? pcp->count : pcp->high_min;
	} else if (pcp->count >= high) {
		int need_high = pcp->free_count + batch;

		if (pcp->high < need_high)
			pcp->high = clamp_int(need_high, pcp->high_min, pcp->high_max);
	}
	return high;
}

void pm_free_unref_page(struct physmem *pm, struct physmem_zone *z, unsigned long pfn,
			unsigned int order)
{
	struct physmem_pcp *pcp = &z->pcp;
	enum physmem_mt mt = pb_get(pm, pfn); /* free_unref_page_prepare */
	enum physmem_mt list_mt = mt >= PHYSMEM_MT_PCPTYPES ? PHYSMEM_MT_MOVABLE : mt;
	unsigned int pindex = order_to_pindex(pm, list_mt, order);
	int batch = pcp->batch, high;
	bool free_high = false;

	if (!z->managed || !pcp->batch) {
		__free_one_page(pm, z, pfn, order, mt, false);
		return;
	}
	if (pm->cfg.pcp == PHYSMEM_PCP_V6_12)
		pcp->alloc_factor >>= 1;
	pcp_put(pm, z, &pcp->head[pindex], (uint32_t)pfn, order, mt, false);
	if (pm->cfg.pcp == PHYSMEM_PCP_V4) { /* free_hot_cold_page */
		PHYSMEM_BUG_ON(order != 0);
		if (pcp->count >= pcp->high)
			free_pcppages_bulk_4x(pm, z, batch);
		return;
	}
	if (pm->cfg.pcp == PHYSMEM_PCP_V6_1) {
		free_high = pcp->free_factor && order && order <= PHYSMEM_COSTLY_ORDER;
		/* nr_pcp_high */
		high = !pcp->high || free_high ? 0
		       : !z->reclaim_active   ? pcp->high
		       : batch << 2 < pcp->high ? batch << 2
						: pcp->high;
		if (pcp->count >= high)
			free_pcppages_bulk(pm, z, nr_pcp_free_61(pcp, high, batch, free_high),
					   pindex);
		return;
	}
	if (order && order <= PHYSMEM_COSTLY_ORDER) {
		free_high = pcp->free_count >= batch && pcp->prev_free_high_order;
		pcp->prev_free_high_order = true;
	} else {
		pcp->prev_free_high_order = false;
	}
	if (pcp->free_count < batch << PCP_BATCH_SCALE_MAX)
		pcp->free_count += 1 << order;
	high = nr_pcp_high_612(z, batch, free_high);
	if (pcp->count >= high) {
		free_pcppages_bulk(pm, z, nr_pcp_free_612(pcp, batch, high, free_high), pindex);
		if (z->below_high && pm_zone_wmark_ok(pm, z, 0, wmark_pages(z, PHYSMEM_WMARK_HIGH),
						      PHYSMEM_ZONE_MOVABLE, false))
			z->below_high = false;
	}
}

/* 6.12 nr_pcp_alloc */
static int nr_pcp_alloc_612(struct physmem_zone *z, unsigned int order)
{
	struct physmem_pcp *pcp = &z->pcp;
	int base = pcp->batch, batch, high;

	high = pcp->high = clamp_int(pcp->high, pcp->high_min, pcp->high_max);
	if (high < base)
		return 1;
	batch = order ? base : base << pcp->alloc_factor;
	if (pcp->high_min != pcp->high_max && !z->below_high)
		high = pcp->high = high + batch < pcp->high_max ? high + batch : pcp->high_max;
	if (!order) {
		int max_nr_alloc = high - pcp->count - base > base ? high - pcp->count - base : base;

		if (batch <= max_nr_alloc && pcp->alloc_factor < PCP_BATCH_SCALE_MAX)
			pcp->alloc_factor++;
		if (batch > max_nr_alloc)
			batch = max_nr_alloc;
	}
	if (batch > 1)
		batch = batch >> order > 2 ? batch >> order : 2;
	return batch;
}

uint32_t pm_rmqueue_pcplist(struct physmem *pm, struct physmem_zone *z, unsigned int order,
			    enum physmem_mt mt, unsigned int flags)
{
	struct physmem_pcp *pcp = &z->pcp;
	uint32_t *head = &pcp->head[order_to_pindex(pm, mt, order)];
	uint32_t idx;

	if (!z->managed || !pcp->batch)
		return PF_NIL;
	if (pm->cfg.pcp == PHYSMEM_PCP_V6_1)
		pcp->free_factor >>= 1;
	else if (pm->cfg.pcp == PHYSMEM_PCP_V6_12)
		pcp->free_count >>= 1;
	if (*head == PF_NIL) {
		int batch;

		if (pm->cfg.pcp == PHYSMEM_PCP_V4) {
			PHYSMEM_BUG_ON(order != 0);
			batch = pcp->batch; /* buffered_rmqueue: rmqueue_bulk(pcp->batch) */
		} else if (pm->cfg.pcp == PHYSMEM_PCP_V6_1) {
			batch = pcp->batch;
			if (batch > 1)
				batch = batch >> order > 2 ? batch >> order : 2;
		} else {
			batch = nr_pcp_alloc_612(z, order);
		}
		/* rmqueue_bulk: blocks in the order __rmqueue returns them, to the tail */
		pm->st.pcp_refills++;
		for (int i = 0; i < batch; i++) {
			uint32_t b = pm_rmqueue_buddy(pm, z, order, mt, flags);

			if (b == PF_NIL)
				break;
			/* the list the block came off (get_pcppage_migratetype) */
			pcp_put(pm, z, head, b, order, (enum physmem_mt)pm->frames[b].mt, true);
		}
		if (*head == PF_NIL)
			return PF_NIL;
	}
	idx = *head;
	pcp_take(pm, z, head, idx);
	return idx;
}

void physmem_pcp_drain(struct physmem *pm, int zone)
{
	for (unsigned int i = 0; i < pm->nr_zones; i++) {
		struct physmem_zone *z = &pm->zones[i];

		if (zone >= 0 && (unsigned int)zone != i)
			continue;
		/* drain_pages_zone: 4.x all at once, round-robin; 6.12 in chunks of
		 * batch << SCALE_MAX, each from list 0 */
		if (pm->cfg.pcp == PHYSMEM_PCP_V4) {
			free_pcppages_bulk_4x(pm, z, z->pcp.count);
			continue;
		}
		while (z->pcp.count > 0) {
			int n = z->pcp.count;

			if (pm->cfg.pcp == PHYSMEM_PCP_V6_12 &&
			    n > z->pcp.batch << PCP_BATCH_SCALE_MAX)
				n = z->pcp.batch << PCP_BATCH_SCALE_MAX;
			free_pcppages_bulk(pm, z, n, 0);
		}
	}
}

unsigned long physmem_pcp_pages(const struct physmem *pm)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < pm->nr_zones; i++)
		n += (unsigned long)pm->zones[i].pcp.count;
	return n;
}

int pm_pcp_check(const struct physmem *pm, const struct physmem_zone *z, char *msg, size_t len)
{
	const struct physmem_pcp *pcp = &z->pcp;
	long pages = 0;

	for (unsigned int p = 0; p < pcp->nr_lists; p++) {
		uint32_t h = pcp->head[p], i = h;
		unsigned long cnt = 0;

		if (h == PF_NIL)
			continue;
		do {
			const struct physmem_frame *f = &pm->frames[i];

			if (i < z->start || i >= z->end || f->state != PF_PCP ||
			    f->order != pindex_to_order(pm, p))
				return zs_check_fail(msg, len, "%s: pcp list %u holds pfn %u (state %u order %u)",
					       z->name, p, i, f->state, f->order);
			pages += 1l << f->order;
			if (++cnt > z->end - z->start)
				return zs_check_fail(msg, len, "%s: pcp list %u loops", z->name, p);
			i = f->next;
		} while (i != h);
	}
	if (pages != pcp->count)
		return zs_check_fail(msg, len, "%s: pcp lists hold %ld pages, count %d", z->name, pages,
			       pcp->count);
	return 0;
}
