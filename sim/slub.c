/*
 * slub.c - one SLUB kmem cache, object by object, as mm/slub.c of 6.1 and 6.12 runs it on
 * one CPU and one node (the kernel check's guests boot with -smp 1 and one node).
 *
 * Geometry (kmem_cache_open -> calculate_sizes, calculate_order, set_min_partial,
 * set_cpu_partial): the object is rounded to the pointer size, then to the alignment
 * max(ARCH_SLAB_MINALIGN, 0) rounded to the pointer size (no SLAB_HWCACHE_ALIGN for a
 * cache made with flags 0); the free pointer sits inside the object (no ctor, no RCU, no
 * poisoning). The order is calculate_order's: min_objects = 4 * (fls(nr_cpus) + 1), the
 * lowest order from get_order(min_objects * size) whose leftover is at most 1/16, 1/8,
 * 1/4 of the slab, up to slub_max_order (PAGE_ALLOC_COSTLY_ORDER, 3). min_partial =
 * ilog2(size) / 2 clamped to [MIN_PARTIAL 5, MAX_PARTIAL 10]; the per-CPU partial list
 * holds cpu_partial objects (120 below 256 B, 52 below 1 KiB, 24 below a page, else 6)
 * counted as DIV_ROUND_UP(2 * cpu_partial, objects) slabs (slub_set_cpu_partial). 6.1 and
 * 6.12 compute all of these the same way.
 *
 * Allocation (slab_alloc_node -> ___slab_alloc): from the CPU slab while it has a free
 * object (frees of its objects come back to it, the fast path of do_slab_free); when it
 * is full it is dropped, on no list (a full slab, DEACTIVATE_BYPASS); then the head of the
 * per-CPU partial list becomes the CPU slab; else get_partial_node takes the node's
 * partial slabs from the head: the first becomes the CPU slab, the next ones go onto the
 * per-CPU partial list (put_cpu_partial without drain) until more than
 * cpu_partial_slabs / 2 were moved; else new_slab takes a page block of the cache's order
 * (allocate_slab: with ops.try_alloc, first without reclaim, and on failure a block of the
 * minimum order get_order(size), holding fewer objects).
 *
 * Free (__slab_free) of an object outside the CPU slab: a slab on the per-CPU partial
 * list (6.1: frozen; 6.12: not on the node list) only loses the object, even its last;
 * a full slab that gets its first free goes onto the per-CPU partial list with drain
 * (put_cpu_partial): when the list already counts cpu_partial_slabs slabs, the whole list
 * is first moved to the node's partial list tail (__unfreeze_partials in 6.1,
 * __put_partials in 6.12), except that an empty slab is discarded instead when the node
 * already has min_partial partial slabs; a slab on the node's partial list that becomes
 * empty is discarded when n->nr_partial (counting itself) is at least min_partial, else
 * kept. So a cache whose objects are freed one in two keeps every slab, and one freed
 * entirely keeps up to min_partial - 1 empty slabs on the node and those on the CPU.
 *
 * SIM: one CPU, one node; no flush_all (kmem_cache_shrink, CPU hotplug, sysfs writes),
 *      so the CPU slab and per-CPU partial slabs are never deactivated; no pfmemalloc
 *      slabs; KFENCE (sample interval 0 on Debian) and freelist randomisation do not
 *      change which slab an object lands in. The cache is not merged with another one of
 *      the same size (find_mergeable would give zsmalloc's caches an alias where such a
 *      cache exists; its other objects are not modelled).
 * SIM: when no page can be had the object is counted in alloc_fail and placed nowhere;
 *      the allocation stands (the caller's model decides what fails).
 */
#include "slub.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLUB_MIN_PARTIAL       5
#define SLUB_MAX_PARTIAL       10
#define SLUB_MAX_ORDER	       3 /* slub_max_order = PAGE_ALLOC_COSTLY_ORDER */
#define SLUB_MAX_OBJS_PER_PAGE 32767u
#define SLUB_NO_FRAME	       (~0ul) /* a slab slub_cache_start made: no frame */

static unsigned int slab_objects(const struct slub_cache *c, const struct slub_slab *s)
{
	return s->min ? c->g.min_objects : c->g.objects;
}

static unsigned int slab_page_order(const struct slub_cache *c, const struct slub_slab *s)
{
	return s->min ? c->g.min_order : c->g.order;
}

static unsigned int align_up(unsigned int n, unsigned int a)
{
	return (n + a - 1) / a * a;
}

static unsigned int fls_u(unsigned int x)
{
	unsigned int r = 0;

	while (x) {
		r++;
		x >>= 1;
	}
	return r;
}

static unsigned int ilog2_u(unsigned int x)
{
	return x ? fls_u(x) - 1 : 0;
}

/* get_order(): the smallest order whose block holds bytes */
static unsigned int get_order_bytes(size_t bytes, size_t page_size)
{
	unsigned int order = 0;

	while ((page_size << order) < bytes)
		order++;
	return order;
}

static unsigned int slab_order(unsigned int size, unsigned int min_objects, size_t page_size,
			       unsigned int fract_leftover)
{
	unsigned int order;

	if (page_size / size > SLUB_MAX_OBJS_PER_PAGE)
		return get_order_bytes((size_t)size * SLUB_MAX_OBJS_PER_PAGE, page_size) - 1;
	for (order = get_order_bytes((size_t)min_objects * size, page_size);
	     order <= SLUB_MAX_ORDER; order++) {
		size_t slab_size = page_size << order;

		if (slab_size % size <= slab_size / fract_leftover)
			break;
	}
	return order;
}

int slub_geometry(unsigned int object_size, unsigned int ptr_bytes, unsigned int minalign,
		  size_t page_size, unsigned int nr_cpus, struct slub_geometry *g)
{
	unsigned int size, align, min_objects, max_objects, order = 0, nr_objects;
	bool found = false;

	if (!object_size || !ptr_bytes || !page_size || object_size > page_size)
		return -EINVAL;
	size = align_up(object_size, ptr_bytes);
	align = align_up(minalign ? minalign : ptr_bytes, ptr_bytes);
	size = align_up(size, align);
	min_objects = 4 * (fls_u(nr_cpus ? nr_cpus : 1) + 1);
	max_objects = (unsigned int)((page_size << SLUB_MAX_ORDER) / size);
	if (min_objects > max_objects)
		min_objects = max_objects;
	for (; min_objects > 1 && !found; min_objects--)
		for (unsigned int fraction = 16; fraction >= 4 && !found; fraction /= 2) {
			order = slab_order(size, min_objects, page_size, fraction);
			found = order <= SLUB_MAX_ORDER;
		}
	if (!found)
		return -EINVAL; /* calculate_order falls back further: not for these caches */
	memset(g, 0, sizeof(*g));
	g->size = size;
	g->order = order;
	g->objects = (unsigned int)((page_size << order) / size);
	g->min_order = get_order_bytes(size, page_size);
	g->min_objects = (unsigned int)((page_size << g->min_order) / size);
	g->min_partial = ilog2_u(size) / 2;
	if (g->min_partial < SLUB_MIN_PARTIAL)
		g->min_partial = SLUB_MIN_PARTIAL;
	if (g->min_partial > SLUB_MAX_PARTIAL)
		g->min_partial = SLUB_MAX_PARTIAL;
	if (size >= page_size)
		nr_objects = 6;
	else if (size >= 1024)
		nr_objects = 24;
	else if (size >= 256)
		nr_objects = 52;
	else
		nr_objects = 120;
	g->cpu_partial_slabs = (nr_objects * 2 + g->objects - 1) / g->objects;
	return 0;
}

int slub_cache_init(struct slub_cache *c, const struct slub_geometry *g,
		    const struct slub_page_ops *ops)
{
	memset(c, 0, sizeof(*c));
	c->g = *g;
	c->ops = *ops;
	if (!c->g.min_objects || c->g.min_order > c->g.order) { /* no fallback order given */
		c->g.min_order = c->g.order;
		c->g.min_objects = c->g.objects;
	}
	c->free_rec = c->cpu = c->cpu_partial = SLUB_NONE;
	c->partial_head = c->partial_tail = SLUB_NONE;
	return idmap_init(&c->objs, 1024);
}

void slub_cache_destroy(struct slub_cache *c, int give_back)
{
	if (give_back)
		for (uint32_t i = 0; i < c->nr_slabs; i++)
			if (c->slabs[i].where != SLUB_FREE_REC && c->slabs[i].pfn != SLUB_NO_FRAME)
				c->ops.free(c->ops.ctx, c->slabs[i].pfn,
					    slab_page_order(c, &c->slabs[i]));
	free(c->slabs);
	idmap_destroy(&c->objs);
	memset(c, 0, sizeof(*c));
	c->free_rec = c->cpu = c->cpu_partial = SLUB_NONE;
	c->partial_head = c->partial_tail = SLUB_NONE;
}

/* ---- the node's partial list (add_partial / remove_partial) ---- */

static void add_partial_tail(struct slub_cache *c, uint32_t i)
{
	struct slub_slab *s = &c->slabs[i];

	s->where = SLUB_NODE_PARTIAL;
	s->next = SLUB_NONE;
	s->prev = c->partial_tail;
	if (c->partial_tail != SLUB_NONE)
		c->slabs[c->partial_tail].next = i;
	else
		c->partial_head = i;
	c->partial_tail = i;
	c->nr_partial++;
}

static void remove_partial(struct slub_cache *c, uint32_t i)
{
	struct slub_slab *s = &c->slabs[i];

	if (s->prev != SLUB_NONE)
		c->slabs[s->prev].next = s->next;
	else
		c->partial_head = s->next;
	if (s->next != SLUB_NONE)
		c->slabs[s->next].prev = s->prev;
	else
		c->partial_tail = s->prev;
	s->next = s->prev = SLUB_NONE;
	c->nr_partial--;
}

/* discard_slab: the page goes back to the page allocator */
static void discard_slab(struct slub_cache *c, uint32_t i)
{
	struct slub_slab *s = &c->slabs[i];

	if (s->pfn == SLUB_NO_FRAME) { /* not reached: another owner keeps an object */
		c->slabs_start--;
	} else {
		c->ops.free(c->ops.ctx, s->pfn, slab_page_order(c, s));
		c->slabs_live--;
		c->pages_live -= 1ul << slab_page_order(c, s);
		c->slabs_freed++;
	}
	s->where = SLUB_FREE_REC;
	s->next = c->free_rec;
	c->free_rec = i;
}

/* __unfreeze_partials (6.1) / __put_partials (6.12): the list, head first, to the node */
static void unfreeze_partials(struct slub_cache *c, uint32_t head)
{
	uint32_t discard = SLUB_NONE;

	while (head != SLUB_NONE) {
		uint32_t i = head;

		head = c->slabs[i].next;
		if (c->slabs[i].inuse == 0 && c->nr_partial >= c->g.min_partial) {
			c->slabs[i].next = discard;
			discard = i;
		} else {
			add_partial_tail(c, i);
		}
	}
	while (discard != SLUB_NONE) {
		uint32_t i = discard;

		discard = c->slabs[i].next;
		discard_slab(c, i);
	}
}

static void put_cpu_partial(struct slub_cache *c, uint32_t i, bool drain)
{
	uint32_t old = c->cpu_partial, to_unfreeze = SLUB_NONE, slabs = 0;

	if (old != SLUB_NONE) {
		if (drain && c->slabs[old].slabs >= c->g.cpu_partial_slabs) {
			to_unfreeze = old;
			old = SLUB_NONE;
		} else {
			slabs = c->slabs[old].slabs;
		}
	}
	c->slabs[i].where = SLUB_CPU_PARTIAL;
	c->slabs[i].slabs = slabs + 1;
	c->slabs[i].next = old;
	c->slabs[i].prev = SLUB_NONE;
	c->cpu_partial = i;
	if (to_unfreeze != SLUB_NONE)
		unfreeze_partials(c, to_unfreeze);
}

/* get_partial_node: the first slab for the CPU, then up to cpu_partial_slabs / 2 + 1 more */
static uint32_t get_partial_node(struct slub_cache *c)
{
	uint32_t first = SLUB_NONE, moved = 0;

	while (c->partial_head != SLUB_NONE) {
		uint32_t i = c->partial_head;

		remove_partial(c, i);
		if (first == SLUB_NONE) {
			first = i;
			if (c->g.cpu_partial_slabs == 0)
				break;
		} else {
			put_cpu_partial(c, i, false);
			if (++moved > c->g.cpu_partial_slabs / 2)
				break;
		}
	}
	return first;
}

static int reserve_record(struct slub_cache *c)
{
	if (c->free_rec == SLUB_NONE && c->nr_slabs == c->cap_slabs) {
		uint32_t cap = c->cap_slabs ? c->cap_slabs * 2 : 64;
		struct slub_slab *p = realloc(c->slabs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->slabs = p;
		c->cap_slabs = cap;
	}
	return 0;
}

static uint32_t take_record(struct slub_cache *c, unsigned long pfn)
{
	uint32_t i;

	if (c->free_rec != SLUB_NONE) {
		i = c->free_rec;
		c->free_rec = c->slabs[i].next;
	} else {
		i = c->nr_slabs++;
	}
	memset(&c->slabs[i], 0, sizeof(c->slabs[i]));
	c->slabs[i].pfn = pfn;
	c->slabs[i].next = c->slabs[i].prev = SLUB_NONE;
	return i;
}

/*
 * allocate_slab: a slab of the cache's order; above the minimum order the first attempt
 * may not reclaim (try_alloc), and when it fails a slab of the minimum order is taken with
 * the caller's flags (alloc).
 */
static int new_slab(struct slub_cache *c, uint32_t *out)
{
	unsigned long pfn;
	bool min = false;
	uint32_t i;

	if (reserve_record(c) != 0)
		return -ENOMEM;
	if (c->ops.try_alloc && c->g.order > c->g.min_order) {
		if (c->ops.try_alloc(c->ops.ctx, c->g.order, &pfn) != 0) {
			if (c->ops.alloc(c->ops.ctx, c->g.min_order, &pfn) != 0)
				return -ENOSPC;
			min = true;
		}
	} else if (c->ops.alloc(c->ops.ctx, c->g.order, &pfn) != 0) {
		return -ENOSPC;
	}
	i = take_record(c, pfn);
	c->slabs[i].min = min;
	c->slabs_live++;
	c->pages_live += 1ul << slab_page_order(c, &c->slabs[i]);
	c->slabs_allocated++;
	c->slabs_fallback += min;
	*out = i;
	return 0;
}

int slub_cache_start(struct slub_cache *c, unsigned int free_objects)
{
	if (!free_objects)
		return 0;
	if (c->g.objects < 2 || c->nr_slabs || c->objects_live)
		return -EINVAL;
	while (free_objects) {
		unsigned int nfree =
		    free_objects < c->g.objects - 1 ? free_objects : c->g.objects - 1;
		uint32_t i;

		if (reserve_record(c) != 0)
			return -ENOMEM;
		i = take_record(c, SLUB_NO_FRAME);
		c->slabs[i].inuse = c->g.objects - nfree;
		add_partial_tail(c, i);
		c->slabs_start++;
		c->objects_other += c->slabs[i].inuse;
		free_objects -= nfree;
	}
	return 0;
}

int slub_alloc(struct slub_cache *c, uint64_t id)
{
	struct idmap_entry *e;
	uint32_t i = c->cpu;
	int err;

	if (idmap_find(&c->objs, id))
		return -EEXIST;
	if (i != SLUB_NONE && c->slabs[i].inuse == slab_objects(c, &c->slabs[i])) {
		c->slabs[i].where = SLUB_FULL; /* dropped by the CPU, on no list */
		i = c->cpu = SLUB_NONE;
	}
	if (i == SLUB_NONE && c->cpu_partial != SLUB_NONE) {
		i = c->cpu_partial;
		c->cpu_partial = c->slabs[i].next;
	}
	if (i == SLUB_NONE)
		i = get_partial_node(c);
	if (i == SLUB_NONE) {
		err = new_slab(c, &i);
		if (err == -ENOMEM)
			return err;
		if (err) {
			i = SLUB_NONE;
			c->alloc_fail++;
		}
	}
	err = idmap_insert(&c->objs, id, &e);
	if (err)
		return err; /* host memory: the slab (if new) stays as the CPU slab below */
	if (i != SLUB_NONE) {
		c->cpu = i;
		c->slabs[i].where = SLUB_CPU;
		c->slabs[i].next = c->slabs[i].prev = SLUB_NONE;
		c->slabs[i].inuse++;
	}
	e->a = i == SLUB_NONE ? 0 : (uint64_t)i + 1;
	c->objects_live++;
	return 0;
}

int slub_free(struct slub_cache *c, uint64_t id)
{
	struct idmap_entry *e = idmap_find(&c->objs, id);
	struct slub_slab *s;
	uint32_t i;

	if (!e)
		return -ENOENT;
	i = e->a ? (uint32_t)(e->a - 1) : SLUB_NONE;
	idmap_remove(&c->objs, id);
	c->objects_live--;
	if (i == SLUB_NONE)
		return 0;
	s = &c->slabs[i];
	s->inuse--;
	switch (s->where) {
	case SLUB_CPU:	       /* do_slab_free's fast path: back on c->freelist */
	case SLUB_CPU_PARTIAL: /* frozen (6.1) / not on the node list (6.12): nothing moves */
		break;
	case SLUB_FULL:
		put_cpu_partial(c, i, true);
		break;
	case SLUB_NODE_PARTIAL:
		if (s->inuse == 0 && c->nr_partial >= c->g.min_partial) {
			remove_partial(c, i);
			discard_slab(c, i);
		}
		break;
	default:
		break;
	}
	return 0;
}

int slub_object_pfn(const struct slub_cache *c, uint64_t id, unsigned long *pfn)
{
	const struct idmap_entry *e = idmap_find(&c->objs, id);

	if (!e || !e->a || c->slabs[e->a - 1].pfn == SLUB_NO_FRAME)
		return -ENOENT;
	*pfn = c->slabs[e->a - 1].pfn;
	return 0;
}

int slub_check(const struct slub_cache *c, char *msg, size_t len)
{
	uint64_t live = 0, objs = 0, placed = 0;
	uint32_t n = 0, prev = SLUB_NONE;
	const struct idmap_entry *e;

	for (uint32_t i = 0; i < c->nr_slabs; i++) {
		const struct slub_slab *s = &c->slabs[i];

		if (s->where == SLUB_FREE_REC)
			continue;
		live++;
		objs += s->inuse;
		if (s->inuse > slab_objects(c, s) ||
		    (s->where == SLUB_FULL && s->inuse != slab_objects(c, s)) ||
		    (s->where == SLUB_NODE_PARTIAL && s->inuse == slab_objects(c, s)) ||
		    (s->where == SLUB_CPU && i != c->cpu)) {
			snprintf(msg, len, "slab %u (pfn %lu): %u of %u objects in use on list %u",
				 i, s->pfn, s->inuse, slab_objects(c, s), s->where);
			return -EUCLEAN;
		}
	}
	for (uint32_t i = c->partial_head; i != SLUB_NONE; prev = i, i = c->slabs[i].next, n++)
		if (c->slabs[i].where != SLUB_NODE_PARTIAL || c->slabs[i].prev != prev) {
			snprintf(msg, len, "node partial list broken at slab %u", i);
			return -EUCLEAN;
		}
	if (n != c->nr_partial || prev != c->partial_tail) {
		snprintf(msg, len, "node partial list holds %u slabs, nr_partial %u", n,
			 c->nr_partial);
		return -EUCLEAN;
	}
	for (uint32_t i = c->cpu_partial; i != SLUB_NONE; i = c->slabs[i].next)
		if (c->slabs[i].where != SLUB_CPU_PARTIAL) {
			snprintf(msg, len, "per-CPU partial list broken at slab %u", i);
			return -EUCLEAN;
		}
	idmap_for_each(&c->objs, e) if (e->a) placed++;
	if (live != c->slabs_live + c->slabs_start || objs != placed + c->objects_other ||
	    c->objs.count != c->objects_live) {
		snprintf(
		    msg, len,
		    "slabs %llu counted %llu; objects in slabs %llu placed %llu; live %llu/%llu",
		    (unsigned long long)live, (unsigned long long)(c->slabs_live + c->slabs_start),
		    (unsigned long long)objs, (unsigned long long)(placed + c->objects_other),
		    (unsigned long long)c->objs.count, (unsigned long long)c->objects_live);
		return -EUCLEAN;
	}
	return 0;
}
