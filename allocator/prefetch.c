/*
 * prefetch.c - look-ahead for a caller that knows which handles its coming
 * operations will touch (a trace replay does).
 *
 * SIM: no kernel counterpart. The kernel's zs_free() and zs_map_object()
 * walk handle -> slot -> page->private -> zspage -> object, four dependent
 * loads; in a large pool each one misses the cache, and a replay spends most
 * of an event waiting for them. zs_prefetch() lets the caller start that
 * walk several operations early, one link per call: depth d issues a
 * prefetch for link d, reading links 0 .. d-1 (which earlier calls, at
 * smaller depths, should have brought in).
 *
 * Only reads, of a consistent pool (between two operations): a handle that
 * is not live, or whose zspage went away since an earlier depth, stops the
 * walk. Prefetches are hints, so the pool's behaviour cannot change.
 */
#include "zs_internal.h"

#define zs_prefetch_addr(p) __builtin_prefetch((p), 1, 3)

void zs_prefetch(const struct zs_pool *pool, unsigned long handle, unsigned int depth)
{
	const struct zs_handle_cache *hc = &pool->handles;
	bool direct = pool->profile->handle_mode == ZS_HANDLE_DIRECT;
	unsigned long obj, pfn, idx = 0;
	struct zspage *zspage;
	void **priv;
	unsigned int obj_idx, page_idx, off;

	if (!handle)
		return;
	if (!direct) {
		if (!zs_handle_valid(pool, handle))
			return;
		idx = handle / ZS_HANDLE_ALIGN - 1;
		if (depth == 0) {
			zs_prefetch_addr(&hc->slots[idx]);
			return;
		}
		depth--;
	}
	obj = direct ? handle : hc->slots[idx];
	if (!obj)
		return;
	pfn = (pool->profile->obj_tag_in_location ? obj >> OBJ_TAG_BITS : obj) >>
	      pool->obj_index_bits;
	priv = pool->ops->page_private(pool->ctx, pfn);
	if (!priv)
		return;
	if (depth == 0) {
		zs_prefetch_addr(priv);
		return;
	}
	if (depth == 1) {
		if (*priv)
			zs_prefetch_addr(*priv);
		return;
	}
	zspage = obj_to_location(pool, obj, &obj_idx);
	if (!zspage || obj_idx >= zspage->class->objs_per_zspage)
		return;
	if (pool->no_contents) {
		if (!zspage->huge)
			zs_prefetch_addr(&zspage_words(zspage)[obj_idx]);
		return;
	}
	if (zspage->huge) {
		zs_prefetch_addr(zspage_page_addr(pool, zspage, 0));
		return;
	}
	obj_location(zspage->class, obj_idx, &page_idx, &off);
	zs_prefetch_addr(zspage_page_addr(pool, zspage, page_idx) + off);
}
