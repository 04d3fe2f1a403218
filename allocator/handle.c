/*
 * handle.c - the indirection layer between a handle and an object's location.
 *
 * Models cache_alloc_handle(), cache_free_handle(), record_obj() and
 * handle_to_obj() (4.1+), the direct handles of 3.18, and the RFC's handles
 * allocated from the pool itself.
 *
 * Direct (3.18): the handle is the encoded location; nothing is allocated and
 * an object can never move.
 * Slab (4.1+): the kernel takes a sizeof(unsigned long) slot from the
 * "zs_handle" kmem_cache and returns the slot's address as the handle; the
 * slot holds the current location, so moving an object is one store.
 * SIM: slots live in one growable array; the handle of slot i is (i + 1) * 8,
 * an 8-byte-aligned value like a slab address (bit 0 free for the allocated
 * tag, and small enough for arm32's 32-bit header). Each slot keeps beside
 * the kernel's word the zspage it names (struct zs_handle_slot). Freed
 * slots are reused LIFO, as a slab's per-CPU free list would hand them back. Slot i lies in
 * slab page i / (page_size / 8); handle_pages counts the pages that hold a
 * live slot (a stat only). The slab pages themselves are the page
 * provider's: every slot taken and given back is reported through
 * zs_page_ops.kmem_event, and the simulator places it as SLUB would
 * (sim/slub.c: per-CPU and node partial slabs, min_partial).
 * Pool class (rfc2014): each handle slot is also an object of the pool's
 * sizeof(unsigned long) class, so handle memory shows in the pool's pages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zs_internal.h"

int zs_handles_init(struct zs_pool *pool)
{
	struct zs_handle_cache *hc = &pool->handles;

	hc->cap = 1024;
	hc->slots = calloc(hc->cap, sizeof(*hc->slots));
	if (!hc->slots)
		return -ENOMEM;
	if (pool->profile->handle_mode == ZS_HANDLE_POOL_CLASS) {
		struct size_class *class = &pool->handle_class;

		hc->owner = calloc(hc->cap, sizeof(*hc->owner));
		if (!hc->owner)
			return -ENOMEM;
		class->index = UINT32_MAX; /* not in size_class[]: never listed or compacted */
		class->size = pool->long_bytes;
		class->pages_per_zspage = 1;
		class->objs_per_zspage = (unsigned int)(pool->page_size / class->size);
		class->page_shift = pool->page_shift;
		for (unsigned int g = 0; g < ZS_MAX_FULLNESS; g++)
			zs_list_init(&class->fullness_list[g]);
	}
	pool->stats.handle_slot_bytes =
	    pool->profile->handle_mode == ZS_HANDLE_DIRECT ? 0 : pool->long_bytes;
	return 0;
}

void zs_handles_destroy(struct zs_pool *pool)
{
	free(pool->handles.slots);
	free(pool->handles.owner);
	free(pool->handles.page_live);
	pool->handles.slots = NULL;
	pool->handles.owner = NULL;
	pool->handles.page_live = NULL;
}

/* The slab page of slot idx gains (+1) or loses (-1) a live object. */
static int slab_page_account(struct zs_pool *pool, unsigned long idx, int delta)
{
	struct zs_handle_cache *hc = &pool->handles;
	unsigned long pg = idx / (pool->page_size / ZS_HANDLE_ALIGN);

	if (pg >= hc->page_cap) {
		unsigned long cap = hc->page_cap ? hc->page_cap * 2 : 64;
		uint32_t *p;

		while (cap <= pg)
			cap *= 2;
		p = realloc(hc->page_live, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		memset(p + hc->page_cap, 0, (cap - hc->page_cap) * sizeof(*p));
		hc->page_live = p;
		hc->page_cap = cap;
	}
	if (delta > 0 && hc->page_live[pg]++ == 0)
		hc->pages_live++;
	else if (delta < 0 && --hc->page_live[pg] == 0)
		hc->pages_live--;
	pool->stats.handle_pages = hc->pages_live;
	return 0;
}

/* rfc2014: take a slot object from the handle class, as zs_malloc would. */
static int handle_class_alloc(struct zs_pool *pool, unsigned long *obj)
{
	struct size_class *class = &pool->handle_class;
	struct zspage *zspage = find_get_zspage(pool, class);
	unsigned int idx;

	if (!zspage) {
		zspage = alloc_zspage(pool, class, 0);
		if (!zspage)
			return -ENOMEM;
		idx = obj_malloc(pool, zspage, 0);
		insert_zspage(pool, class, zspage, get_fullness_group(pool, class, zspage->inuse));
		pool->pages_allocated += class->pages_per_zspage;
		class->obj_allocated += class->objs_per_zspage;
	} else {
		idx = obj_malloc(pool, zspage, 0);
		fix_fullness_group(pool, class, zspage);
	}
	class->obj_used++;
	*obj = location_to_obj(pool, zspage, idx);
	return 0;
}

static void handle_class_free(struct zs_pool *pool, unsigned long obj)
{
	struct size_class *class = &pool->handle_class;
	unsigned int idx;
	struct zspage *zspage = obj_to_location(pool, obj, &idx);

	obj_free(pool, zspage, idx);
	class->obj_used--;
	if (fix_fullness_group(pool, class, zspage) == ZS_EMPTY)
		free_zspage(pool, class, zspage);
}

static int grow(struct zs_handle_cache *hc)
{
	unsigned long cap = hc->cap * 2;
	struct zs_handle_slot *slots = realloc(hc->slots, cap * sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	hc->slots = slots;
	zs_host_huge_hint(slots, cap * sizeof(*slots));
	if (hc->owner) {
		unsigned long *owner = realloc(hc->owner, cap * sizeof(*owner));

		if (!owner)
			return -ENOMEM;
		hc->owner = owner;
	}
	hc->cap = cap;
	return 0;
}

int cache_alloc_handle(struct zs_pool *pool, unsigned long *handle)
{
	struct zs_handle_cache *hc = &pool->handles;
	unsigned long idx;

	if (hc->free_head) {
		idx = hc->free_head - 1;
		hc->free_head = hc->slots[idx].obj;
	} else {
		if (hc->nr == hc->cap && grow(hc) != 0)
			return -ENOMEM;
		if (slab_page_account(pool, hc->nr, 0) != 0)
			return -ENOMEM; /* the page's counter exists before the slot does */
		idx = hc->nr++;
	}
	if (hc->owner) {
		int err = handle_class_alloc(pool, &hc->owner[idx]);

		if (err) {
			hc->slots[idx].obj = hc->free_head;
			hc->free_head = idx + 1;
			return err;
		}
	}
	hc->slots[idx].obj = 0;
	hc->slots[idx].zspage = NULL;
	hc->live++;
	pool->stats.handles_allocated = hc->live;
	slab_page_account(pool, idx, +1);
	*handle = (idx + 1) * ZS_HANDLE_ALIGN;
	if (pool->ops->kmem_event && pool->profile->handle_mode == ZS_HANDLE_SLAB)
		pool->ops->kmem_event(pool->ctx, ZS_KMEM_HANDLE, true, *handle);
	return 0;
}

void cache_free_handle(struct zs_pool *pool, unsigned long handle)
{
	struct zs_handle_cache *hc = &pool->handles;
	unsigned long idx = handle / ZS_HANDLE_ALIGN - 1;

	if (hc->owner)
		handle_class_free(pool, hc->owner[idx]);
	if (pool->ops->kmem_event && pool->profile->handle_mode == ZS_HANDLE_SLAB)
		pool->ops->kmem_event(pool->ctx, ZS_KMEM_HANDLE, false, handle);
	hc->slots[idx].obj = hc->free_head;
	hc->slots[idx].zspage = NULL;
	hc->free_head = idx + 1;
	hc->live--;
	pool->stats.handles_allocated = hc->live;
	slab_page_account(pool, idx, -1);
}

bool zs_handle_valid(const struct zs_pool *pool, unsigned long handle)
{
	if (pool->profile->handle_mode == ZS_HANDLE_DIRECT)
		return handle != 0;
	return handle && handle % ZS_HANDLE_ALIGN == 0 &&
	       handle / ZS_HANDLE_ALIGN <= pool->handles.nr;
}

unsigned long handle_to_obj(const struct zs_pool *pool, unsigned long handle)
{
	if (pool->profile->handle_mode == ZS_HANDLE_DIRECT)
		return handle;
	return pool->handles.slots[handle / ZS_HANDLE_ALIGN - 1].obj;
}

void record_obj(struct zs_pool *pool, unsigned long handle, unsigned long obj,
		struct zspage *zspage)
{
	struct zs_handle_slot *s = &pool->handles.slots[handle / ZS_HANDLE_ALIGN - 1];

	ZS_BUG_ON(pool->profile->handle_mode == ZS_HANDLE_DIRECT);
	s->obj = obj;
	s->zspage = zspage;
}

struct zspage *handle_to_location(const struct zs_pool *pool, unsigned long handle,
				  unsigned int *obj_idx)
{
	const struct zs_handle_slot *s;

	if (pool->profile->handle_mode == ZS_HANDLE_DIRECT)
		return obj_to_location(pool, handle, obj_idx);
	s = &pool->handles.slots[handle / ZS_HANDLE_ALIGN - 1];
	if (!s->zspage)
		return NULL;
	*obj_idx = obj_index_in(pool, s->obj, s->zspage);
	return s->zspage;
}
