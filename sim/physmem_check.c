/*
 * physmem_check.c - physmem_check(), the emulated physical memory's invariant
 * walker: every frame of every zone tiles into blocks, every free block is on
 * the list its head says, and every counter equals what a walk counts.
 */
#include "physmem.h"

#include "physmem_internal.h"

/* The free list of order o and type t: every entry a free head of that order and type, in the
 * zone, its links whole, as many as the counter says. */
static int check_free_list(const struct physmem *pm, const struct physmem_zone *z, unsigned int o,
			   unsigned int t, char *msg, size_t len)
{
	uint32_t h = z->head[o][t], i = h, prev;
	unsigned long cnt = 0;

	if (h == PF_NIL)
		goto counted;
	prev = pm->frames[h].prev;
	do {
		const struct physmem_frame *f = &pm->frames[i];

		if (i < z->start || i >= z->end)
			return zs_check_fail(msg, len, "%s: pfn %u on list o%u t%u outside zone",
					     z->name, i, o, t);
		if (f->state != PF_FREE || f->order != o || f->mt != t)
			return zs_check_fail(msg, len,
					     "%s: pfn %u on list o%u t%u has state %u order "
					     "%u mt %u",
					     z->name, i, o, t, f->state, f->order, f->mt);
		if (f->prev != prev)
			return zs_check_fail(msg, len, "%s: pfn %u prev link broken", z->name, i);
		if (++cnt > z->end - z->start)
			return zs_check_fail(msg, len, "%s: list o%u t%u loops", z->name, o, t);
		prev = i;
		i = f->next;
	} while (i != h);
counted:
	if (cnt != z->nr_free_mt[o][t])
		return zs_check_fail(msg, len, "%s: list o%u t%u holds %lu, counter %lu", z->name,
				     o, t, cnt, z->nr_free_mt[o][t]);
	return 0;
}

/* What the walk of a zone's blocks counts, to hold against the zone's counters. */
struct zone_walk {
	unsigned long nr_free[PHYSMEM_MAX_ORDERS]; /* free blocks, by order */
	unsigned long free_pages, free_cma;	   /* pages */
};

/* Tiling: block heads cover the zone exactly, interiors carry no state; no two free buddies;
 * allocated blocks have an owner, whose pages are added to owner_pages. */
static int check_tiling(const struct physmem *pm, const struct physmem_zone *z, struct zone_walk *w,
			unsigned long *owner_pages, char *msg, size_t len)
{
	for (unsigned long p = z->start; p < z->end;) {
		const struct physmem_frame *f = &pm->frames[p];
		unsigned long n;

		if (f->state == PF_NONE)
			return zs_check_fail(msg, len, "%s: pfn %lu is no block head", z->name, p);
		n = 1ul << f->order;
		if (f->order >= pm->max_order || (p & (n - 1)) || p + n > z->end)
			return zs_check_fail(msg, len, "%s: block %lu order %u misplaced", z->name,
					     p, f->order);
		for (unsigned long i = 1; i < n; i++)
			if (pm->frames[p + i].state != PF_NONE)
				return zs_check_fail(msg, len,
						     "%s: pfn %lu inside block %lu has state",
						     z->name, p + i, p);
		if (f->state == PF_PCP) {
			owner_pages[PHYSMEM_OWNER_PCP] += n;
		} else if (f->state == PF_FREE) {
			if (f->mt == PHYSMEM_MT_CMA)
				w->free_cma += n;
			w->nr_free[f->order]++;
			w->free_pages += n;
			if ((unsigned int)f->order + 1 < pm->max_order &&
			    is_free_head(pm, z, p ^ n, f->order))
				return zs_check_fail(msg, len,
						     "%s: free buddies %lu and %lu at order %u",
						     z->name, p, p ^ n, f->order);
		} else {
			if (f->owner == PHYSMEM_OWNER_FREE || f->owner >= PHYSMEM_NR_OWNERS ||
			    f->mt >= PHYSMEM_MT_TYPES)
				return zs_check_fail(msg, len,
						     "%s: allocated %lu has owner %u mt %u",
						     z->name, p, f->owner, f->mt);
			owner_pages[f->owner] += n;
		}
		p += n;
	}
	return 0;
}

/* The zone's free counters against what the walk counted. */
static int check_free_counts(const struct physmem *pm, const struct physmem_zone *z,
			     const struct zone_walk *w, char *msg, size_t len)
{
	for (unsigned int o = 0; o < pm->max_order; o++) {
		unsigned long sum = 0;

		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
			sum += z->nr_free_mt[o][t];
		if (w->nr_free[o] != z->nr_free[o] || sum != z->nr_free[o])
			return zs_check_fail(msg, len,
					     "%s: order %u has %lu free blocks, counters %lu/%lu",
					     z->name, o, w->nr_free[o], z->nr_free[o], sum);
	}
	if (w->free_pages != z->free_pages || w->free_cma != z->free_cma)
		return zs_check_fail(msg, len, "%s: %lu free pages (%lu CMA), counters %lu (%lu)",
				     z->name, w->free_pages, w->free_cma, z->free_pages,
				     z->free_cma);
	return 0;
}

/* Every pageblock has a migrate type, and the counts by type match the zone's. */
static int check_pageblocks(const struct physmem *pm, const struct physmem_zone *z, char *msg,
			    size_t len)
{
	unsigned long pbs[PHYSMEM_MT_TYPES] = {0};

	for (unsigned long p = z->start; p < z->end; p += 1ul << pm->pb_order) {
		unsigned int t = pm->pb_mt[p >> pm->pb_order];

		if (t >= PHYSMEM_MT_TYPES)
			return zs_check_fail(msg, len, "%s: pageblock %lu has type %u", z->name,
					     p >> pm->pb_order, t);
		pbs[t]++;
	}
	for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
		if (pbs[t] != z->nr_pageblocks[t])
			return zs_check_fail(msg, len, "%s: %lu pageblocks of type %u, counter %lu",
					     z->name, pbs[t], t, z->nr_pageblocks[t]);
	return 0;
}

static int check_zone(const struct physmem *pm, unsigned int zi, unsigned long *owner_pages,
		      char *msg, size_t len)
{
	const struct physmem_zone *z = &pm->zones[zi];
	struct zone_walk w = {{0}, 0, 0};
	int ret;

	for (unsigned int o = 0; o < pm->max_order; o++)
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
			if ((ret = check_free_list(pm, z, o, t, msg, len)))
				return ret;
	if ((ret = check_tiling(pm, z, &w, owner_pages, msg, len)) ||
	    (ret = check_free_counts(pm, z, &w, msg, len)))
		return ret;
	return check_pageblocks(pm, z, msg, len);
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
			return zs_check_fail(msg, len, "owner %u holds %lu pages, counter %lu", i,
				    owner_pages[i], pm->st.owner_pages[i]);
	if (msg && len)
		msg[0] = '\0';
	return 0;
}

void pm_deep_check(const struct physmem *pm, const char *file, int line)
{
	char msg[256];

	if (physmem_check(pm, msg, sizeof(msg)) != 0)
		zs_check_bug("physmem", file, line, msg);
}
