/*
 * physmem.c - the emulated physical memory: a buddy allocator over an array of
 * page frames, modelled on Linux 6.1 mm/page_alloc.c.
 *
 * Layout
 *   frames[]  one struct physmem_frame per page frame (pfn = index). Only the
 *             head frame of a block (free or allocated) carries state; every
 *             other frame of the block has state PF_NONE. Blocks are aligned
 *             to their size, so the block holding a pfn is found by trying the
 *             aligned candidates order by order (physmem_block_at).
 *   pb_mt[]   the migrate type of every pageblock (2^pageblock_order frames).
 *   zones[]   Normal [0, lowmem) and, with highmem, HighMem [lowmem, end).
 *             Each zone has free lists per order per migrate type: circular
 *             doubly-linked lists threaded through frames[] by 32-bit index,
 *             so insert, remove and pop are O(1), and counters for every
 *             figure vmstat reports (nothing is counted by walking).
 *   host      one anonymous MAP_NORESERVE mapping of ram_bytes: the bytes of
 *             frame pfn live at host + pfn * page_size and are only touched
 *             when used.
 *
 * Kernel behaviour kept
 *   - __rmqueue_smallest: smallest order first, block from the list head,
 *     expand() puts the split-off upper halves at the list heads.
 *   - __free_one_page: merge with free buddies of the same zone, whatever
 *     their list; the result goes on the list of the pageblock's type at free
 *     time, at the tail when buddy_merge_likely() says the next-order buddy is
 *     free, else at the head.
 *   - boot: each zone is freed in the largest aligned blocks, ascending, to
 *     the list tails (memblock_free_pages with FPI_TO_TAIL); every pageblock
 *     starts MOVABLE (memmap_init).
 *   - __rmqueue_fallback / find_suitable_fallback / can_steal_fallback /
 *     steal_suitable_fallback / move_freepages_block with the fallbacks[]
 *     table, largest order first, the "smallest block for movable requests
 *     that cannot steal" rule, whole-pageblock claims for orders >=
 *     pageblock_order and the "half the block free or alike" rule.
 *   - __zone_watermark_ok, lowmem_reserve, min_free_kbytes
 *     (calculate_min_free_kbytes, clamped 128..262144 KiB in 6.1) and
 *     __setup_per_zone_wmarks, including the HighMem min of
 *     managed/1024 clamped to 32..128.
 *
 * SIM: no per-CPU page lists: order-0 pages go straight to and from the buddy
 *      free lists (the kernel batches them through pcp lists).
 * SIM: no watermark boosting, no kswapd, no MIGRATE_HIGHATOMIC, CMA or
 *      ISOLATE types, no page shuffling, no ALLOC_NOFRAGMENT (never set on
 *      32-bit ARM, which has no ZONE_DMA32).
 * SIM: managed pages = present pages (nothing is reserved at boot) and
 *      min_free_kbytes uses the lowmem managed pages at boot as
 *      nr_free_buffer_pages() does before watermarks exist.
 * SIM: the lowmem limit is rounded down to a multiple of the larger of the
 *      pageblock and the largest block, so no block or pageblock straddles
 *      the zone boundary.
 * SIM: an allocated multi-page block counts as one movable page in
 *      move_freepages_block when its head is movable (a compound page's head
 *      is the only LRU page).
 */
#include "physmem.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PF_NIL UINT32_MAX

/* Check tiers: 1 = cheap asserts, 2 = also a whole walk after every alloc/free. */
#ifndef ZSFRAG_CHECK_LEVEL
#define ZSFRAG_CHECK_LEVEL 1
#endif
#if ZSFRAG_CHECK_LEVEL >= 1
#define PHYSMEM_BUG_ON(cond) assert(!(cond))
#else
#define PHYSMEM_BUG_ON(cond) ((void)sizeof(!(cond)))
#endif
#if ZSFRAG_CHECK_LEVEL >= 2
#define PHYSMEM_DEEP_CHECK(pm) assert(physmem_check(pm, NULL, 0) == 0)
#else
#define PHYSMEM_DEEP_CHECK(pm) ((void)sizeof(pm))
#endif

enum pf_state {
	PF_NONE = 0, /* inside a block, not its head */
	PF_FREE,     /* head of a free block (PageBuddy) */
	PF_ALLOC,    /* head of an allocated block */
};

struct physmem_frame {
	uint32_t next; /* free list links (frame indices); valid for PF_FREE */
	uint32_t prev;
	uint8_t state; /* enum pf_state */
	uint8_t order; /* block order, for heads */
	uint8_t mt;    /* free: list's type; allocated: requested type */
	uint8_t owner; /* enum physmem_owner, for allocated heads */
	uint32_t pad;
	union {
		struct zs_pool *pool; /* PHYSMEM_OWNER_ZSPAGE */
		uint64_t tag;	      /* PHYSMEM_OWNER_USER / PGD */
	} u;
};
/* 32 bytes per 4 KiB frame on a 64-bit host: 8 MiB of metadata per GiB emulated */
static_assert(sizeof(void *) != 8 || sizeof(struct physmem_frame) == 24, "frame layout");

struct physmem_zone {
	const char *name;
	bool highmem;
	unsigned long start, end;		/* pfns, end exclusive */
	unsigned long managed;			/* pages */
	unsigned long free_pages;		/* pages on free lists */
	unsigned long wmark[PHYSMEM_NR_WMARKS]; /* pages */
	unsigned long lowmem_reserve; /* pages, against requests whose highest zone is HighMem */
	uint32_t head[PHYSMEM_MAX_ORDERS][PHYSMEM_MT_TYPES]; /* list heads, PF_NIL if empty */
	unsigned long nr_free[PHYSMEM_MAX_ORDERS];	     /* blocks per order */
	unsigned long nr_free_mt[PHYSMEM_MAX_ORDERS][PHYSMEM_MT_TYPES];
	unsigned long nr_pageblocks[PHYSMEM_MT_TYPES];
};

struct physmem {
	struct physmem_config cfg;
	unsigned long nr_frames;
	unsigned int page_shift;
	unsigned int max_order;
	unsigned int pb_order;
	struct physmem_frame *frames;
	void **priv; /* page->private of every frame, apart: zsmalloc reads it on every free */
	uint8_t *pb_mt; /* per pageblock, enum physmem_mt */
	unsigned long nr_pageblocks;
	unsigned int nr_zones;
	struct physmem_zone zones[PHYSMEM_NR_ZONES];
	unsigned char *host; /* backing bytes */
	size_t host_len;     /* bytes */
	struct physmem_stats st;
};

/* The kernel's fallbacks[] for the three mobility types. */
static const enum physmem_mt fallbacks[PHYSMEM_MT_TYPES][2] = {
    [PHYSMEM_MT_UNMOVABLE] = {PHYSMEM_MT_RECLAIMABLE, PHYSMEM_MT_MOVABLE},
    [PHYSMEM_MT_MOVABLE] = {PHYSMEM_MT_RECLAIMABLE, PHYSMEM_MT_UNMOVABLE},
    [PHYSMEM_MT_RECLAIMABLE] = {PHYSMEM_MT_UNMOVABLE, PHYSMEM_MT_MOVABLE},
};

void physmem_config_default(struct physmem_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_bytes = 1ull << 30;
	cfg->page_size = 4096;
	cfg->max_order = 11;
	cfg->pageblock_order = 10;
	cfg->highmem = true;
	cfg->lowmem_limit_bytes = 760ull << 20;
	cfg->min_free_kbytes = -1;
	cfg->watermark_scale_factor = 10;
	cfg->lowmem_reserve_ratio = 32;
}

/* ---- small helpers ---- */

static inline struct physmem_zone *zone_of(struct physmem *pm, unsigned long pfn)
{
	return pm->nr_zones > 1 && pfn >= pm->zones[1].start ? &pm->zones[1] : &pm->zones[0];
}

static inline enum physmem_mt pb_get(const struct physmem *pm, unsigned long pfn)
{
	return (enum physmem_mt)pm->pb_mt[pfn >> pm->pb_order];
}

static void pb_set(struct physmem *pm, unsigned long pfn, enum physmem_mt mt)
{
	unsigned long pb = pfn >> pm->pb_order;
	struct physmem_zone *z = zone_of(pm, pfn);

	if (pm->pb_mt[pb] == mt)
		return;
	z->nr_pageblocks[pm->pb_mt[pb]]--;
	z->nr_pageblocks[mt]++;
	pm->pb_mt[pb] = (uint8_t)mt;
}

/* Put a free block on a list (add_to_free_list / _tail) and count it. */
static void fl_add(struct physmem *pm, struct physmem_zone *z, uint32_t idx, unsigned int order,
		   enum physmem_mt mt, bool tail)
{
	struct physmem_frame *f = &pm->frames[idx];
	uint32_t *head = &z->head[order][mt];

	PHYSMEM_BUG_ON(f->state != PF_NONE);
	f->state = PF_FREE;
	f->order = (uint8_t)order;
	f->mt = (uint8_t)mt;
	f->owner = PHYSMEM_OWNER_FREE;
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
	z->nr_free[order]++;
	z->nr_free_mt[order][mt]++;
	z->free_pages += 1ul << order;
}

/* Take a free block off its list (del_page_from_free_list). */
static void fl_del(struct physmem *pm, struct physmem_zone *z, uint32_t idx)
{
	struct physmem_frame *f = &pm->frames[idx];
	uint32_t *head = &z->head[f->order][f->mt];

	PHYSMEM_BUG_ON(f->state != PF_FREE || *head == PF_NIL);
	if (f->next == idx) {
		*head = PF_NIL;
	} else {
		pm->frames[f->prev].next = f->next;
		pm->frames[f->next].prev = f->prev;
		if (*head == idx)
			*head = f->next;
	}
	z->nr_free[f->order]--;
	z->nr_free_mt[f->order][f->mt]--;
	z->free_pages -= 1ul << f->order;
	f->state = PF_NONE;
	f->next = f->prev = PF_NIL;
}

/* move_to_free_list: to the tail of another type's list. */
static void fl_move_tail(struct physmem *pm, struct physmem_zone *z, uint32_t idx,
			 enum physmem_mt mt)
{
	unsigned int order = pm->frames[idx].order;

	fl_del(pm, z, idx);
	fl_add(pm, z, idx, order, mt, true);
}

static inline bool is_free_head(const struct physmem *pm, const struct physmem_zone *z,
				unsigned long pfn, unsigned int order)
{
	return pfn >= z->start && pfn < z->end && pm->frames[pfn].state == PF_FREE &&
	       pm->frames[pfn].order == order;
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

static void free_one_block(struct physmem *pm, struct physmem_zone *z, unsigned long pfn,
			   unsigned int order, enum physmem_mt mt, bool to_tail)
{
	unsigned long buddy = pfn;

	while (order + 1 < pm->max_order) {
		buddy = pfn ^ (1ul << order);
		if (!is_free_head(pm, z, buddy, order))
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

static uint32_t rmqueue_smallest(struct physmem *pm, struct physmem_zone *z, unsigned int order,
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
	if (!z->nr_free[order])
		return -1;
	*can_steal = false;
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
		} else {
			p++; /* cannot happen: heads tile the pageblock */
		}
	}
	return moved;
}

static void steal_suitable_fallback(struct physmem *pm, struct physmem_zone *z, uint32_t idx,
				    enum physmem_mt start, bool whole_block)
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
			     enum physmem_mt start)
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
	steal_suitable_fallback(pm, z, z->head[o][fmt], start, can_steal);
	return true;
}

static uint32_t rmqueue(struct physmem *pm, struct physmem_zone *z, unsigned int order,
			enum physmem_mt mt)
{
	for (;;) {
		uint32_t idx = rmqueue_smallest(pm, z, order, mt);

		if (idx != PF_NIL || !rmqueue_fallback(pm, z, order, mt))
			return idx;
	}
}

static bool zone_wmark_ok(const struct physmem *pm, const struct physmem_zone *z,
			  unsigned int order, unsigned long mark, bool highest_is_highmem)
{
	long free_pages = (long)z->free_pages - (long)((1ul << order) - 1);
	long min = (long)mark;

	if (highest_is_highmem && !z->highmem)
		min += (long)z->lowmem_reserve;
	if (free_pages <= min)
		return false;
	if (!order)
		return true;
	for (unsigned int o = order; o < pm->max_order; o++)
		if (z->nr_free[o])
			return true; /* every type we model is below MIGRATE_PCPTYPES */
	return false;
}

int physmem_alloc(struct physmem *pm, unsigned int order, enum physmem_mt mt, unsigned int flags,
		  unsigned long *pfn)
{
	bool hm = (flags & PHYSMEM_HIGHMEM) && pm->nr_zones > 1;
	int zi;

	if (order >= pm->max_order || (unsigned int)mt >= PHYSMEM_MT_TYPES)
		return -EINVAL;
	/* the zonelist: HighMem then Normal, or Normal alone */
	for (zi = hm ? 1 : 0; zi >= 0; zi--) {
		struct physmem_zone *z = &pm->zones[zi];
		uint32_t idx;

		if (!(flags & PHYSMEM_ALLOC_NO_WMARKS)) {
			unsigned long mark =
			    z->wmark[(flags & PHYSMEM_ALLOC_WMARK_LOW) ? PHYSMEM_WMARK_LOW
								       : PHYSMEM_WMARK_MIN];

			if (!zone_wmark_ok(pm, z, order, mark, hm))
				continue;
		}
		idx = rmqueue(pm, z, order, mt);
		if (idx == PF_NIL)
			continue;
		struct physmem_frame *f = &pm->frames[idx];

		f->state = PF_ALLOC;
		f->order = (uint8_t)order;
		f->mt = (uint8_t)mt;
		f->owner = PHYSMEM_OWNER_KERNEL;
		f->u.tag = 0;
		for (unsigned long i = 0; i < (1ul << order); i++)
			pm->priv[(unsigned long)(f - pm->frames) + i] = NULL;
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

	if (pfn >= pm->nr_frames || pm->frames[pfn].state != PF_ALLOC ||
	    pm->frames[pfn].order != order) {
		pm->st.bad_frees++;
		return;
	}
	f = &pm->frames[pfn];
	pm->st.owner_pages[f->owner] -= 1ul << order;
	pm->st.pgfree += 1ul << order;
	pm->priv[pfn] = NULL;
	f->u.tag = 0;
	f->state = PF_NONE;
	free_one_block(pm, zone_of(pm, pfn), pfn, order, pb_get(pm, pfn), false);
	PHYSMEM_DEEP_CHECK(pm);
}

/* ---- setup ---- */

/* int_sqrt: floor of the square root. */
static unsigned long long isqrt(unsigned long long x)
{
	unsigned long long r = 0, bit = 1ull << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* calculate_min_free_kbytes + __setup_per_zone_wmarks + lowmem reserve. */
static void setup_wmarks(struct physmem *pm)
{
	unsigned long lowmem = 0, pages_min;
	long kb = pm->cfg.min_free_kbytes;

	for (unsigned int i = 0; i < pm->nr_zones; i++)
		if (!pm->zones[i].highmem)
			lowmem += pm->zones[i].managed;
	if (kb < 0) {
		unsigned long long lowmem_kb =
		    (unsigned long long)lowmem * (pm->cfg.page_size >> 10);

		kb = (long)isqrt(lowmem_kb * 16);
		if (kb < 128)
			kb = 128;
		if (kb > 262144)
			kb = 262144;
	}
	pages_min = (unsigned long)(((unsigned long long)kb << 10) >> pm->page_shift);

	for (unsigned int i = 0; i < pm->nr_zones; i++) {
		struct physmem_zone *z = &pm->zones[i];
		unsigned long long tmp =
		    lowmem ? (unsigned long long)pages_min * z->managed / lowmem : 0;
		unsigned long long scaled =
		    (unsigned long long)z->managed * pm->cfg.watermark_scale_factor / 10000;

		if (z->highmem) {
			unsigned long m = z->managed / 1024;

			z->wmark[PHYSMEM_WMARK_MIN] = m < 32 ? 32 : m > 128 ? 128 : m;
		} else {
			z->wmark[PHYSMEM_WMARK_MIN] = (unsigned long)tmp;
		}
		tmp = (tmp >> 2) > scaled ? tmp >> 2 : scaled;
		z->wmark[PHYSMEM_WMARK_LOW] = z->wmark[PHYSMEM_WMARK_MIN] + (unsigned long)tmp;
		z->wmark[PHYSMEM_WMARK_HIGH] = z->wmark[PHYSMEM_WMARK_LOW] + (unsigned long)tmp;
	}
	/* setup_per_zone_lowmem_reserve: Normal keeps highmem_managed/ratio */
	if (pm->nr_zones > 1 && pm->cfg.lowmem_reserve_ratio && pm->zones[0].managed)
		pm->zones[0].lowmem_reserve = pm->zones[1].managed / pm->cfg.lowmem_reserve_ratio;
}

static void zone_init(struct physmem *pm, struct physmem_zone *z, const char *name, bool highmem,
		      unsigned long start, unsigned long end)
{
	z->name = name;
	z->highmem = highmem;
	z->start = start;
	z->end = end;
	z->managed = end - start;
	for (unsigned int o = 0; o < PHYSMEM_MAX_ORDERS; o++)
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
			z->head[o][t] = PF_NIL;
	for (unsigned long p = start; p < end; p += 1ul << pm->pb_order)
		z->nr_pageblocks[PHYSMEM_MT_MOVABLE]++;
	/* __free_pages_memory: largest aligned blocks, ascending, to the tails */
	for (unsigned long p = start; p < end;) {
		unsigned int order = pm->max_order - 1;

		while (order && ((p & ((1ul << order) - 1)) || p + (1ul << order) > end))
			order--;
		free_one_block(pm, z, p, order, pb_get(pm, p), true);
		p += 1ul << order;
	}
}

int physmem_create(const struct physmem_config *cfg, struct physmem **out)
{
	struct physmem *pm;
	unsigned long n, lowmem;
	unsigned int shift = 0;

	if (!cfg || cfg->page_size < 1024 || (cfg->page_size & (cfg->page_size - 1)) ||
	    cfg->max_order < 1 || cfg->max_order > PHYSMEM_MAX_ORDERS ||
	    cfg->pageblock_order >= cfg->max_order)
		return -EINVAL;
	while ((1u << shift) < cfg->page_size)
		shift++;
	if (cfg->ram_bytes / cfg->page_size == 0 || cfg->ram_bytes / cfg->page_size >= PF_NIL)
		return -EINVAL;
	n = (unsigned long)(cfg->ram_bytes / cfg->page_size);

	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	pm->cfg = *cfg;
	pm->nr_frames = n;
	pm->page_shift = shift;
	pm->max_order = cfg->max_order;
	pm->pb_order = cfg->pageblock_order;
	pm->nr_pageblocks = (n + (1ul << pm->pb_order) - 1) >> pm->pb_order;
	pm->frames = calloc(n, sizeof(*pm->frames));
	pm->priv = calloc(n, sizeof(*pm->priv));
	pm->pb_mt = malloc(pm->nr_pageblocks);
	if (!pm->frames || !pm->priv || !pm->pb_mt)
		goto err_free;
	memset(pm->pb_mt, PHYSMEM_MT_MOVABLE, pm->nr_pageblocks);
	for (unsigned long i = 0; i < n; i++)
		pm->frames[i].next = pm->frames[i].prev = PF_NIL;

	pm->host_len = (size_t)n << shift;
	pm->host = mmap(NULL, pm->host_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pm->host == MAP_FAILED) {
		pm->host = NULL;
		goto err_free;
	}

	lowmem = n;
	if (cfg->highmem) {
		unsigned int align =
		    pm->pb_order > pm->max_order - 1 ? pm->pb_order : pm->max_order - 1;
		unsigned long lim = (unsigned long)(cfg->lowmem_limit_bytes >> shift);

		lim &= ~((1ul << align) - 1);
		if (lim && lim < n)
			lowmem = lim;
	}
	pm->nr_zones = lowmem < n ? 2 : 1;
	zone_init(pm, &pm->zones[0], "Normal", false, 0, lowmem);
	if (pm->nr_zones > 1)
		zone_init(pm, &pm->zones[1], "HighMem", true, lowmem, n);
	setup_wmarks(pm);
	*out = pm;
	return 0;

err_free:
	free(pm->frames);
	free(pm->priv);
	free(pm->pb_mt);
	free(pm);
	return -ENOMEM;
}

void physmem_destroy(struct physmem *pm)
{
	if (!pm)
		return;
	if (pm->host)
		munmap(pm->host, pm->host_len);
	free(pm->frames);
	free(pm->priv);
	free(pm->pb_mt);
	free(pm);
}

const struct physmem_config *physmem_get_config(const struct physmem *pm)
{
	return &pm->cfg;
}

/* ---- frames and metadata ---- */

void *physmem_page_address(struct physmem *pm, unsigned long pfn)
{
	if (pfn >= pm->nr_frames)
		return NULL;
	return pm->host + ((size_t)pfn << pm->page_shift);
}

void **physmem_page_private(struct physmem *pm, unsigned long pfn)
{
	if (pfn >= pm->nr_frames)
		return NULL;
	return &pm->priv[pfn];
}

unsigned long physmem_nr_frames(const struct physmem *pm)
{
	return pm->nr_frames;
}

size_t physmem_page_size(const struct physmem *pm)
{
	return pm->cfg.page_size;
}

int physmem_block_at(const struct physmem *pm, unsigned long pfn, struct physmem_block *blk)
{
	const struct physmem_frame *f = NULL;
	unsigned long head = pfn;

	if (pfn >= pm->nr_frames)
		return -EINVAL;
	for (unsigned int o = 0; o < pm->max_order; o++) {
		head = pfn & ~((1ul << o) - 1);
		f = &pm->frames[head];
		if (f->state != PF_NONE && f->order >= o && head + (1ul << f->order) > pfn)
			break;
		f = NULL;
	}
	if (!f)
		return -EINVAL; /* cannot happen while the tiling invariant holds */
	blk->free = f->state == PF_FREE;
	blk->head_pfn = head;
	blk->order = f->order;
	blk->mt = (enum physmem_mt)f->mt;
	blk->owner = (enum physmem_owner)f->owner;
	blk->pool = f->owner == PHYSMEM_OWNER_ZSPAGE ? f->u.pool : NULL;
	blk->tag = f->owner == PHYSMEM_OWNER_ZSPAGE ? 0 : f->u.tag;
	return 0;
}

int physmem_set_owner(struct physmem *pm, unsigned long pfn, enum physmem_owner owner, uint64_t tag)
{
	struct physmem_frame *f;

	if (pfn >= pm->nr_frames || pm->frames[pfn].state != PF_ALLOC ||
	    owner == PHYSMEM_OWNER_FREE || (unsigned int)owner >= PHYSMEM_NR_OWNERS)
		return -EINVAL;
	f = &pm->frames[pfn];
	pm->st.owner_pages[f->owner] -= 1ul << f->order;
	pm->st.owner_pages[owner] += 1ul << f->order;
	f->owner = (uint8_t)owner;
	f->u.tag = tag;
	return 0;
}

int physmem_set_zs_pool(struct physmem *pm, unsigned long pfn, struct zs_pool *pool)
{
	if (pfn >= pm->nr_frames || pm->frames[pfn].state != PF_ALLOC ||
	    pm->frames[pfn].owner != PHYSMEM_OWNER_ZSPAGE)
		return -EINVAL;
	pm->frames[pfn].u.pool = pool;
	return 0;
}

bool physmem_block_movable(const struct physmem_block *blk)
{
	if (blk->free || blk->order)
		return false; /* SIM: multi-page movable user blocks are never migrated */
	if (blk->owner == PHYSMEM_OWNER_ZSPAGE)
		return blk->pool != NULL;
	return blk->owner == PHYSMEM_OWNER_USER && blk->mt == PHYSMEM_MT_MOVABLE;
}

enum physmem_zone_type physmem_pfn_zone(const struct physmem *pm, unsigned long pfn)
{
	return pm->nr_zones > 1 && pfn >= pm->zones[1].start ? PHYSMEM_ZONE_HIGHMEM
							     : PHYSMEM_ZONE_NORMAL;
}

enum physmem_mt physmem_pageblock_mt(const struct physmem *pm, unsigned long pfn)
{
	return pfn < pm->nr_frames ? pb_get(pm, pfn) : PHYSMEM_MT_TYPES;
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
	if (!zone_wmark_ok(pm, z, 0, z->wmark[PHYSMEM_WMARK_MIN] + n, false))
		return 0;
	fl_del(pm, z, (uint32_t)pfn);
	if (order + 1 >= pm->pb_order)
		for (unsigned long p = pfn; p < pfn + n; p += 1ul << pm->pb_order)
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

int physmem_transfer_meta(struct physmem *pm, unsigned long newpfn, unsigned long oldpfn)
{
	struct physmem_frame *nf, *of;

	if (newpfn >= pm->nr_frames || oldpfn >= pm->nr_frames)
		return -EINVAL;
	nf = &pm->frames[newpfn];
	of = &pm->frames[oldpfn];
	if (nf->state != PF_ALLOC || of->state != PF_ALLOC || nf->order || of->order)
		return -EINVAL;
	pm->st.owner_pages[nf->owner]--;
	pm->st.owner_pages[of->owner]++;
	nf->owner = of->owner;
	nf->mt = of->mt;
	nf->u = of->u;
	pm->priv[nf - pm->frames] = pm->priv[of - pm->frames];
	return 0;
}

/* ---- zones and counters ---- */

unsigned int physmem_nr_zones(const struct physmem *pm)
{
	return pm->nr_zones;
}

int physmem_zone_info(const struct physmem *pm, unsigned int zone, struct physmem_zone_info *info)
{
	const struct physmem_zone *z;

	if (zone >= pm->nr_zones)
		return -EINVAL;
	z = &pm->zones[zone];
	info->name = z->name;
	info->highmem = z->highmem;
	info->start_pfn = z->start;
	info->end_pfn = z->end;
	info->managed_pages = z->managed;
	info->free_pages = z->free_pages;
	memcpy(info->wmark, z->wmark, sizeof(info->wmark));
	info->lowmem_reserve = z->lowmem_reserve;
	return 0;
}

unsigned long physmem_nr_free(const struct physmem *pm, unsigned int zone, unsigned int order)
{
	if (zone >= pm->nr_zones || order >= pm->max_order)
		return 0;
	return pm->zones[zone].nr_free[order];
}

unsigned long physmem_nr_free_mt(const struct physmem *pm, unsigned int zone, unsigned int order,
				 enum physmem_mt mt)
{
	if (zone >= pm->nr_zones || order >= pm->max_order || (unsigned int)mt >= PHYSMEM_MT_TYPES)
		return 0;
	return pm->zones[zone].nr_free_mt[order][mt];
}

unsigned long physmem_nr_pageblocks(const struct physmem *pm, unsigned int zone, enum physmem_mt mt)
{
	if (zone >= pm->nr_zones || (unsigned int)mt >= PHYSMEM_MT_TYPES)
		return 0;
	return pm->zones[zone].nr_pageblocks[mt];
}

unsigned long physmem_free_pages(const struct physmem *pm)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < pm->nr_zones; i++)
		n += pm->zones[i].free_pages;
	return n;
}

int physmem_set_watermarks(struct physmem *pm, unsigned int zone, unsigned long min,
			   unsigned long low, unsigned long high)
{
	if (zone >= pm->nr_zones || min > low || low > high)
		return -EINVAL;
	pm->zones[zone].wmark[PHYSMEM_WMARK_MIN] = min;
	pm->zones[zone].wmark[PHYSMEM_WMARK_LOW] = low;
	pm->zones[zone].wmark[PHYSMEM_WMARK_HIGH] = high;
	return 0;
}

bool physmem_watermark_ok(const struct physmem *pm, unsigned int zone, unsigned int order,
			  unsigned long mark, unsigned int flags)
{
	if (zone >= pm->nr_zones || order >= pm->max_order)
		return false;
	return zone_wmark_ok(pm, &pm->zones[zone], order, mark,
			     (flags & PHYSMEM_HIGHMEM) && pm->nr_zones > 1);
}

bool physmem_zone_wmark_ok(const struct physmem *pm, unsigned int zone, unsigned int order,
			   enum physmem_wmark wm, unsigned int flags)
{
	if (zone >= pm->nr_zones || (unsigned int)wm >= PHYSMEM_NR_WMARKS)
		return false;
	return physmem_watermark_ok(pm, zone, order, pm->zones[zone].wmark[wm], flags);
}

int physmem_find_suitable_fallback(const struct physmem *pm, unsigned int zone, unsigned int order,
				   enum physmem_mt mt, bool only_stealable, bool *can_steal)
{
	*can_steal = false;
	if (zone >= pm->nr_zones || order >= pm->max_order || (unsigned int)mt >= PHYSMEM_MT_TYPES)
		return -1;
	return find_suitable_fallback(pm, &pm->zones[zone], order, mt, only_stealable, can_steal);
}

void physmem_get_stats(const struct physmem *pm, struct physmem_stats *st)
{
	*st = pm->st;
}

/* ---- invariant walker ---- */

static int fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return -EUCLEAN;
}

static int check_zone(const struct physmem *pm, unsigned int zi, unsigned long *owner_pages,
		      char *msg, size_t len)
{
	const struct physmem_zone *z = &pm->zones[zi];
	unsigned long nr_free[PHYSMEM_MAX_ORDERS] = {0}, free_pages = 0;
	unsigned long pbs[PHYSMEM_MT_TYPES] = {0};

	/* lists: every entry a free head of that order and type, counts match */
	for (unsigned int o = 0; o < pm->max_order; o++) {
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++) {
			uint32_t h = z->head[o][t], i = h, prev;
			unsigned long cnt = 0;

			if (h == PF_NIL)
				goto counted;
			prev = pm->frames[h].prev;
			do {
				const struct physmem_frame *f = &pm->frames[i];

				if (i < z->start || i >= z->end)
					return fail(msg, len,
						    "%s: pfn %u on list o%u t%u outside zone",
						    z->name, i, o, t);
				if (f->state != PF_FREE || f->order != o || f->mt != t)
					return fail(msg, len,
						    "%s: pfn %u on list o%u t%u has state %u order "
						    "%u mt %u",
						    z->name, i, o, t, f->state, f->order, f->mt);
				if (f->prev != prev)
					return fail(msg, len, "%s: pfn %u prev link broken",
						    z->name, i);
				if (++cnt > z->end - z->start)
					return fail(msg, len, "%s: list o%u t%u loops", z->name, o,
						    t);
				prev = i;
				i = f->next;
			} while (i != h);
		counted:
			if (cnt != z->nr_free_mt[o][t])
				return fail(msg, len, "%s: list o%u t%u holds %lu, counter %lu",
					    z->name, o, t, cnt, z->nr_free_mt[o][t]);
		}
	}
	/* tiling: heads cover the zone exactly, interiors carry no state */
	for (unsigned long p = z->start; p < z->end;) {
		const struct physmem_frame *f = &pm->frames[p];
		unsigned long n;

		if (f->state == PF_NONE)
			return fail(msg, len, "%s: pfn %lu is no block head", z->name, p);
		n = 1ul << f->order;
		if (f->order >= pm->max_order || (p & (n - 1)) || p + n > z->end)
			return fail(msg, len, "%s: block %lu order %u misplaced", z->name, p,
				    f->order);
		for (unsigned long i = 1; i < n; i++)
			if (pm->frames[p + i].state != PF_NONE)
				return fail(msg, len, "%s: pfn %lu inside block %lu has state",
					    z->name, p + i, p);
		if (f->state == PF_FREE) {
			nr_free[f->order]++;
			free_pages += n;
			if ((unsigned int)f->order + 1 < pm->max_order &&
			    is_free_head(pm, z, p ^ n, f->order))
				return fail(msg, len, "%s: free buddies %lu and %lu at order %u",
					    z->name, p, p ^ n, f->order);
		} else {
			if (f->owner == PHYSMEM_OWNER_FREE || f->owner >= PHYSMEM_NR_OWNERS ||
			    f->mt >= PHYSMEM_MT_TYPES)
				return fail(msg, len, "%s: allocated %lu has owner %u mt %u",
					    z->name, p, f->owner, f->mt);
			owner_pages[f->owner] += n;
		}
		p += n;
	}
	for (unsigned int o = 0; o < pm->max_order; o++) {
		unsigned long sum = 0;

		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
			sum += z->nr_free_mt[o][t];
		if (nr_free[o] != z->nr_free[o] || sum != z->nr_free[o])
			return fail(msg, len, "%s: order %u has %lu free blocks, counters %lu/%lu",
				    z->name, o, nr_free[o], z->nr_free[o], sum);
	}
	if (free_pages != z->free_pages)
		return fail(msg, len, "%s: %lu free pages, counter %lu", z->name, free_pages,
			    z->free_pages);
	for (unsigned long p = z->start; p < z->end; p += 1ul << pm->pb_order) {
		unsigned int t = pm->pb_mt[p >> pm->pb_order];

		if (t >= PHYSMEM_MT_TYPES)
			return fail(msg, len, "%s: pageblock %lu has type %u", z->name,
				    p >> pm->pb_order, t);
		pbs[t]++;
	}
	for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
		if (pbs[t] != z->nr_pageblocks[t])
			return fail(msg, len, "%s: %lu pageblocks of type %u, counter %lu", z->name,
				    pbs[t], t, z->nr_pageblocks[t]);
	return 0;
}

int physmem_check(const struct physmem *pm, char *msg, size_t len)
{
	unsigned long owner_pages[PHYSMEM_NR_OWNERS] = {0};
	int ret;

	for (unsigned int zi = 0; zi < pm->nr_zones; zi++) {
		ret = check_zone(pm, zi, owner_pages, msg, len);
		if (ret)
			return ret;
	}
	for (unsigned int i = 1; i < PHYSMEM_NR_OWNERS; i++)
		if (owner_pages[i] != pm->st.owner_pages[i])
			return fail(msg, len, "owner %u holds %lu pages, counter %lu", i,
				    owner_pages[i], pm->st.owner_pages[i]);
	if (msg && len)
		msg[0] = '\0';
	return 0;
}
