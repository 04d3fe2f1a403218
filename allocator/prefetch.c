/*
 * prefetch.c - look-ahead for a caller that knows which handles its coming
 * operations will touch (a trace replay does).
 *
 * SIM: no kernel counterpart. The kernel's zs_free() and zs_map_object()
 * walk handle -> slot -> page->private -> zspage -> object; here the slot
 * also holds the zspage (struct zs_handle_slot), so the walk is handle ->
 * slot -> zspage -> object, three dependent loads, and direct handles (3.18)
 * page->private -> zspage -> object, three too. In a large pool each one
 * misses the cache, and a replay spends most of an event waiting for them.
 * zs_prefetch() lets the caller start that walk several operations early,
 * one link per call: depth d issues a prefetch for link d, reading links
 * 0 .. d-1 (which earlier calls, at smaller depths, should have brought in).
 * With the object go the fullness-list neighbours a free will write to,
 * when the free will move the zspage to another group; for a map (the
 * caller reads the object's bytes next) every line of the object, on both
 * pages if it straddles: an object is many lines (1.6 KB on average in
 * the churn traces of BENCHMARKS.md), and a read's check of them waited on
 * each miss.
 *
 * Only reads, of a consistent pool (between two operations): a handle that
 * is not live, or whose zspage went away since an earlier depth, stops the
 * walk. Prefetches are hints, so the pool's behaviour cannot change.
 */
#include "zs_internal.h"

#define zs_prefetch_addr(p) __builtin_prefetch((p), 1, 3)

/* Every cache line of [p, p + n). */
static void prefetch_range(const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;

	for (p = (const uint8_t *)((uintptr_t)p & ~(uintptr_t)63); p < end; p += 64)
		zs_prefetch_addr(p);
}

void zs_prefetch(const struct zs_pool *pool, unsigned long handle, unsigned int depth,
		 bool freeing)
{
	struct zspage *zspage;
	unsigned int obj_idx, page_idx, off;
	const uint8_t *p;
	size_t n, first;

	if (!handle || depth >= ZS_PREFETCH_DEPTHS)
		return;
	if (pool->profile->handle_mode == ZS_HANDLE_DIRECT) {
		unsigned long pfn;
		void **priv;

		pfn = (pool->profile->obj_tag_in_location ? handle >> OBJ_TAG_BITS : handle) >>
		      pool->obj_index_bits;
		priv = pool->ops->page_private(pool->ctx, pfn);
		if (!priv)
			return;
		if (depth == 0) {
			zs_prefetch_addr(priv);
			return;
		}
		zspage = *priv;
		if (!zspage)
			return;
		if (depth == 1) {
			zs_prefetch_addr(zspage);
			return;
		}
		obj_idx = obj_index_in(pool, handle, zspage);
	} else {
		const struct zs_handle_slot *s;

		if (!zs_handle_valid(pool, handle))
			return;
		s = &pool->handles.slots[handle / ZS_HANDLE_ALIGN - 1];
		if (depth == 0) {
			zs_prefetch_addr(s);
			return;
		}
		zspage = s->zspage;
		if (!zspage)
			return;
		if (depth == 1) {
			zs_prefetch_addr(zspage);
			return;
		}
		obj_idx = obj_index_in(pool, s->obj, zspage);
	}
	if (obj_idx >= zspage->class->objs_per_zspage)
		return;
	/*
	 * A free that changes the zspage's group unlinks it from its list:
	 * stores into both neighbours, cold zspages of the class (in a large
	 * pool most of zs_free()'s time was on those two stores).
	 */
	if (freeing && zspage->on_list && zspage->inuse &&
	    get_fullness_group(pool, zspage->class, zspage->inuse - 1) != zspage->fullness) {
		zs_prefetch_addr(zspage->list.next);
		zs_prefetch_addr(zspage->list.prev);
	}
	if (pool->no_contents) {
		if (!zspage->huge)
			zs_prefetch_addr(&zspage_words(zspage)[obj_idx]);
		return;
	}
	if (zspage->huge) {
		p = zspage_page_addr(pool, zspage, 0);
		if (freeing)
			zs_prefetch_addr(p);
		else
			prefetch_range(p, zspage->class->size);
		return;
	}
	obj_location(zspage->class, obj_idx, &page_idx, &off);
	p = zspage_page_addr(pool, zspage, page_idx) + off;
	if (freeing) {
		zs_prefetch_addr(p);
		return;
	}
	/* a map: its caller reads the object's bytes, on both pages if it straddles */
	n = zspage->class->size;
	first = n < pool->page_size - off ? n : pool->page_size - off;
	prefetch_range(p, first);
	if (n > first)
		prefetch_range(zspage_page_addr(pool, zspage, page_idx + 1), n - first);
}
