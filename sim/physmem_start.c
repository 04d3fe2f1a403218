/*
 * physmem_start.c - a zone as a running guest had it when the replay starts,
 * from the free blocks per order and migrate type of its /proc/pagetypeinfo
 * (config free_blocks) and its pageblocks per type (config pageblocks),
 * instead of taken_pages allocated from a fresh zone (physmem_zone.c).
 *
 * What comes out
 *   The zone's free lists hold exactly free_blocks[order][type] blocks;
 *   no free block has a free buddy of its order (they would have merged);
 *   every other managed frame is an order-0 kernel allocation, movable up
 *   to taken_movable_pages (those in CMA pageblocks always: CMA holds
 *   movable pages only), unmovable for the rest; the reserved frames stay
 *   as zone_init left them.
 *
 * Pageblock types
 *   memmap_init marks every pageblock movable, and a pageblock the boot
 *   never hands to the buddy allocator is never stolen: wholly reserved
 *   pageblocks stay Movable. With deferred_struct_page_init they are
 *   Unmovable (physmem_zone.c): the first of the Unmovable ones given.
 *   Of the others (CMA excepted), the lowest become Unmovable, the next
 *   Reclaimable, as many as pageblocks[] says (at most what the zone has),
 *   the rest Movable.
 *
 * Where the free blocks go
 *   Largest order first. A free block of a type lies in pageblocks of that
 *   type (the kernel frees a page to its pageblock's list); when they have
 *   no room left, in any other non-CMA pageblock (a fallback's leftover on
 *   the stealing type's list). CMA blocks only in CMA pageblocks.
 *   Blocks of the largest order fill whole max-order blocks from the top of
 *   the zone down; smaller blocks go round-robin over the max-order blocks
 *   of the type's pageblocks, lowest first, at the lowest free position
 *   in each whose buddy is not a free block of the same order.
 *
 * SIM: the kernel's layout is not known, only its counts. The boot's
 *      allocations split blocks taken from the heads of lists that
 *      memblock_free_pages filled in ascending order, so the split blocks
 *      are low in the zone and the whole ones high, as here. Round-robin
 *      spreads the small blocks over every partly used max-order block
 *      (the holes a slab or page table page leaves where it was freed)
 *      rather than packing them into a few; the frames between them are
 *      taken. Placement in non-increasing order makes the merge check
 *      local: a region fully free out of smaller blocks would need two free
 *      buddies of one order, which the check refuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "physmem_internal.h"

/* mark[] of a frame of the zone: unchosen (0, it will be taken), reserved, inside a free block,
 * or the head of one: MARK_HEAD | type << 4 | order */
#define MARK_HEAD 0x80u
#define MARK_IN	  0x40u
#define MARK_RES  0x41u


struct start {
	struct physmem *pm;
	struct physmem_zone *z;
	uint8_t *mark;	     /* by pfn - cell0 */
	unsigned long cell0; /* first frame of the first max-order block the zone touches */
	unsigned int corder; /* max-order block: max_order - 1 */
	unsigned long nr_cells;
	unsigned long *room;			/* per max-order block: unchosen frames */
	unsigned long cursor[PHYSMEM_MT_TYPES]; /* round-robin: next max-order block per type */
};

static int fail(char *msg, size_t len, const char *fmt, const char *zone, unsigned long a,
		unsigned long b, const char *what)
{
	if (msg && len)
		snprintf(msg, len, fmt, zone, a, b, what);
	return -EINVAL;
}

/* The pageblock types: wholly reserved ones Movable (or, deferred, the first Unmovable), then
 * Unmovable, Reclaimable, Movable. */
static void set_pageblocks(struct start *s)
{
	struct physmem *pm = s->pm;
	struct physmem_zone *z = s->z;
	unsigned long pb = 1ul << pm->pb_order, want_u = 0, want_r = 0;

	if (pm->cfg.pageblocks_given[z->type]) {
		want_u = pm->cfg.pageblocks[z->type][PHYSMEM_MT_UNMOVABLE];
		want_r = pm->cfg.pageblocks[z->type][PHYSMEM_MT_RECLAIMABLE];
	}
	for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
		z->nr_pageblocks[t] = 0;
	for (unsigned long p = z->start; p < z->end; p += pb) {
		enum physmem_mt mt = pb_get(pm, p);

		if (mt != PHYSMEM_MT_CMA &&
		    (p + pb > z->start + z->reserved || pm->cfg.deferred_struct_page_init)) {
			mt = PHYSMEM_MT_MOVABLE;
			if (want_u) {
				mt = PHYSMEM_MT_UNMOVABLE;
				want_u--;
			} else if (want_r) {
				mt = PHYSMEM_MT_RECLAIMABLE;
				want_r--;
			}
			pm->pb_mt[p >> pm->pb_order] = (uint8_t)mt;
		}
		z->nr_pageblocks[mt]++;
	}
}

/* May a free block of type t (strict: only its own type's pageblocks) lie at [p, p + n)? */
static bool fits(const struct start *s, unsigned long p, unsigned int order, unsigned int t,
		 bool strict)
{
	const struct physmem *pm = s->pm;
	unsigned long n = 1ul << order, pb = 1ul << pm->pb_order;

	if (p < s->z->start || p + n > s->z->end)
		return false;
	for (unsigned long q = p & ~(pb - 1); q < p + n; q += pb) {
		unsigned int pt = pb_get(pm, q);

		if (t == PHYSMEM_MT_CMA ? pt != PHYSMEM_MT_CMA
					: pt == PHYSMEM_MT_CMA || (strict && pt != t))
			return false;
	}
	for (unsigned long i = 0; i < n; i++)
		if (s->mark[p - s->cell0 + i])
			return false;
	if (order + 1 < pm->max_order) {
		unsigned long b = p ^ n;

		/* a free buddy of the same order: they would merge */
		if (b >= s->z->start && b < s->z->end &&
		    (s->mark[b - s->cell0] & (MARK_HEAD | 0xfu)) == (MARK_HEAD | order))
			return false;
	}
	return true;
}

static void place(struct start *s, unsigned long c, unsigned long p, unsigned int order,
		  unsigned int t)
{
	unsigned long n = 1ul << order;

	s->mark[p - s->cell0] = (uint8_t)(MARK_HEAD | t << 4 | order);
	for (unsigned long i = 1; i < n; i++)
		s->mark[p - s->cell0 + i] = MARK_IN;
	s->room[c] -= n;
}

/* The lowest position in max-order block c for the block, or false. */
static bool place_in(struct start *s, unsigned long c, unsigned int order, unsigned int t,
		     bool strict)
{
	unsigned long n = 1ul << order, base = s->cell0 + (c << s->corder);

	if (s->room[c] < n)
		return false;
	if (strict) {
		unsigned long q = base, pb = 1ul << s->pm->pb_order;

		while (q < base + (1ul << s->corder) &&
		       (q < s->z->start || q >= s->z->end || pb_get(s->pm, q) != t))
			q += pb;
		if (q >= base + (1ul << s->corder))
			return false; /* no pageblock of the type here */
	}
	for (unsigned long p = base; p < base + (1ul << s->corder); p += n)
		if (fits(s, p, order, t, strict)) {
			place(s, c, p, order, t);
			return true;
		}
	return false;
}

/* One free block: a whole max-order block from the top down, or round-robin for smaller ones. */
static bool place_block(struct start *s, unsigned int order, unsigned int t, bool strict)
{
	if (order == s->corder) {
		for (unsigned long c = s->nr_cells; c-- > 0;)
			if (place_in(s, c, order, t, strict))
				return true;
		return false;
	}
	for (unsigned long i = 0; i < s->nr_cells; i++) {
		unsigned long c = (s->cursor[t] + i) % s->nr_cells;

		if (place_in(s, c, order, t, strict)) {
			s->cursor[t] = (c + 1) % s->nr_cells;
			return true;
		}
	}
	return false;
}

/* Every given block placed, largest order first, types in enum order. */
static int place_all(struct start *s, char *msg, size_t len)
{
	const struct physmem_config *cfg = &s->pm->cfg;
	unsigned int zt = s->z->type;

	for (unsigned int o = s->pm->max_order; o-- > 0;)
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
			for (unsigned long i = 0; i < cfg->free_blocks[zt][o][t]; i++)
				if (!place_block(s, o, t, true) && !place_block(s, o, t, false))
					return fail(msg, len,
						    "free_blocks.%s: no room for order-%lu block "
						    "%lu of type %s apart from its buddies",
						    s->z->name, o, i + 1, physmem_mt_name((enum physmem_mt)t));
	return 0;
}

/* The free pages the config gives, checked against the zone. */
static int check_counts(const struct start *s, char *msg, size_t len)
{
	const struct physmem_config *cfg = &s->pm->cfg;
	unsigned int zt = s->z->type;
	unsigned long free = 0, cma = 0, cma_pages = 0;

	for (unsigned int o = 0; o < s->pm->max_order; o++)
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++) {
			unsigned long n = cfg->free_blocks[zt][o][t] << o;

			free += n;
			if (t == PHYSMEM_MT_CMA)
				cma += n;
		}
	for (unsigned int o = s->pm->max_order; o < PHYSMEM_MAX_ORDERS; o++)
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
			if (cfg->free_blocks[zt][o][t])
				return fail(msg, len,
					    "free_blocks.%s: order %lu is not below "
					    "max_order %lu%s",
					    s->z->name, o, s->pm->max_order, "");
	cma_pages = s->z->nr_pageblocks[PHYSMEM_MT_CMA] << s->pm->pb_order;
	if (free > s->z->managed)
		return fail(msg, len,
			    "free_blocks.%s: %lu free pages, more than the zone's %lu managed "
			    "pages%s",
			    s->z->name, free, s->z->managed, "");
	if (cma > cma_pages)
		return fail(msg, len,
			    "free_blocks.%s: %lu free CMA pages, more than the zone's CMA area "
			    "(%lu pages)%s",
			    s->z->name, cma, cma_pages, "");
	return 0;
}

/* Every unchosen managed frame taken: CMA's movable, then movable up to the quota in Movable
 * pageblocks (ascending), then in the others; the rest unmovable. */
static void take_rest(struct start *s)
{
	struct physmem *pm = s->pm;
	struct physmem_zone *z = s->z;
	unsigned long movable = pm->cfg.taken_movable_pages[z->type];

	for (int pass = 0; pass < 3; pass++)
		for (unsigned long p = z->start; p < z->end; p++) {
			unsigned int pt = pb_get(pm, p);
			struct physmem_frame *f = &pm->frames[p];
			bool mov;

			if (s->mark[p - s->cell0])
				continue;
			if (pass == 0 && pt != PHYSMEM_MT_CMA)
				continue;
			if (pass == 1 && pt != PHYSMEM_MT_MOVABLE)
				continue;
			mov = pass == 0 || movable > 0;
			if (mov && movable)
				movable--;
			s->mark[p - s->cell0] = MARK_IN;
			f->state = PF_ALLOC;
			f->order = 0;
			f->mt = mov ? PHYSMEM_MT_MOVABLE : PHYSMEM_MT_UNMOVABLE;
			f->owner = PHYSMEM_OWNER_KERNEL;
			f->u.tag = 0;
			pm->priv[p] = NULL;
			pm->st.owner_pages[PHYSMEM_OWNER_KERNEL]++;
		}
}

int pm_build_start(struct physmem *pm, struct physmem_zone *z, char *msg, size_t len)
{
	struct start s = {.pm = pm, .z = z, .corder = pm->max_order - 1};
	unsigned long cell = 1ul << s.corder;
	int err;

	s.cell0 = z->start & ~(cell - 1);
	s.nr_cells = (z->end - s.cell0 + cell - 1) >> s.corder;
	s.mark = calloc(s.nr_cells << s.corder, 1);
	s.room = calloc(s.nr_cells, sizeof(*s.room));
	if (!s.mark || !s.room) {
		free(s.mark);
		free(s.room);
		return -ENOMEM;
	}
	for (unsigned long p = s.cell0; p < s.cell0 + (s.nr_cells << s.corder); p++) {
		if (p < z->start || p >= z->end || p < z->start + z->reserved)
			s.mark[p - s.cell0] = MARK_RES;
		else
			s.room[(p - s.cell0) >> s.corder]++;
	}
	set_pageblocks(&s);
	err = check_counts(&s, msg, len);
	if (!err)
		err = place_all(&s, msg, len);
	if (!err) {
		take_rest(&s);
		/* onto the lists in ascending order, to the tails, as the boot frees */
		for (unsigned long p = z->start; p < z->end; p++) {
			unsigned int m = s.mark[p - s.cell0];

			if (m & MARK_HEAD)
				__free_one_page(pm, z, p, m & 0xfu, (enum physmem_mt)(m >> 4 & 3u),
						true);
		}
	}
	free(s.mark);
	free(s.room);
	return err;
}
