/*
 * zs_malloc.c - pool lifecycle, zs_malloc(), zs_free(), zs_map_object() and
 * zs_unmap_object().
 *
 * Models zs_create_pool(), zs_destroy_pool(), zs_malloc(), zs_free(),
 * zs_map_object() and zs_unmap_object() of 3.18 .. 6.12.
 *
 * Allocation: the request grows by the handle header (4.1+), picks its class,
 * takes the first zspage of the fullest non-full group (find_get_zspage), or
 * builds a new zspage when there is none. Free pushes the slot on its
 * zspage's free list and frees the zspage when it empties.
 *
 * Mapping: one mapping area per pool (the kernel has one per CPU). An object
 * inside one page is returned in place; one that straddles two pages is
 * copied into the area's buffer and copied back on unmap unless read-only.
 * SIM: no locks; the one-mapping rule is asserted instead of relied on.
 * zs_object_spans() (SIM, no kernel counterpart) gives the same bytes in
 * place, in two parts for a straddling object, for a caller that only fills
 * or reads them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zs_internal.h"

static unsigned int log2_exact(size_t v)
{
	unsigned int s = 0;

	while (((size_t)1 << s) < v)
		s++;
	return ((size_t)1 << s) == v ? s : 0;
}

int zs_create_pool(const struct zs_pool_config *cfg, const struct zs_page_ops *ops, void *ctx,
		   struct zs_pool **out)
{
	const struct zs_profile *p = zs_profile_find(cfg ? cfg->profile : NULL);
	size_t page_size = cfg && cfg->page_size ? cfg->page_size : 4096;
	unsigned int chain;
	struct zs_pool *pool;
	int err;

	if (!p || !ops || !ops->alloc_page || !ops->free_page || !ops->page_address ||
	    !ops->page_private)
		return -EINVAL;
	if (page_size != 4096 && page_size != 16384 && page_size != 65536)
		return -EINVAL;
	if (cfg && cfg->arch != ZS_ARCH_X86_64 && cfg->arch != ZS_ARCH_ARM32)
		return -EINVAL;
	chain = cfg && cfg->chain_size ? cfg->chain_size : p->info.chain_default;
	if (chain < p->info.chain_min || chain > p->info.chain_max)
		return -EINVAL;

	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->profile = p;
	pool->arch = cfg ? cfg->arch : ZS_ARCH_X86_64;
	pool->page_size = page_size;
	pool->page_shift = log2_exact(page_size);
	pool->long_bytes = pool->arch == ZS_ARCH_ARM32 ? 4 : 8;
	pool->chain_size = chain;
	pool->nr_fullness = p->info.nr_fullness;
	pool->handle_header = p->handle_mode == ZS_HANDLE_DIRECT ? 0 : pool->long_bytes;
	pool->no_contents = cfg && cfg->no_page_contents;
	pool->ops = ops;
	pool->ctx = ctx;
	pool->stats.obj_header_bytes = pool->handle_header;

	err = zs_init_classes(pool);
	if (!err)
		err = zs_handles_init(pool);
	if (!err) {
		pool->area.buf = malloc(page_size);
		if (!pool->area.buf)
			err = -ENOMEM;
	}
	if (err) {
		zs_destroy_pool(pool);
		return err;
	}
	*out = pool;
	return 0;
}

static void destroy_class_zspages(struct zs_pool *pool, struct size_class *class)
{
	for (unsigned int g = 0; g < ZS_MAX_FULLNESS; g++) {
		struct zspage *z;

		while ((z = zs_list_first(&class->fullness_list[g])) != NULL) {
			/* the pool goes: live objects and isolations go with it */
			remove_zspage(class, z);
			z->inuse = 0;
			z->isolated = 0;
			__free_zspage(pool, class, z);
		}
	}
}

void zs_destroy_pool(struct zs_pool *pool)
{
	if (!pool)
		return;
	for (unsigned int i = 0; i < pool->nr_classes; i++)
		if (pool->size_class[i] && pool->size_class[i]->index == i)
			destroy_class_zspages(pool, pool->size_class[i]);
	if (pool->profile->handle_mode == ZS_HANDLE_POOL_CLASS)
		destroy_class_zspages(pool, &pool->handle_class);
	zs_handles_destroy(pool);
	zs_desc_cache_destroy(pool);
	free(pool->area.buf);
	free(pool);
}

const struct zs_profile_info *zs_pool_profile(const struct zs_pool *pool)
{
	return &pool->profile->info;
}

void zs_malloc_new_zspage_once(struct zs_pool *pool)
{
	pool->new_zspage_once = true;
}

int zs_malloc(struct zs_pool *pool, size_t size, unsigned int gfp, unsigned long *handlep)
{
	unsigned long handle = 0, obj;
	struct size_class *class;
	struct zspage *zspage;
	unsigned int idx;
	bool direct = pool->profile->handle_mode == ZS_HANDLE_DIRECT;
	bool fresh = pool->new_zspage_once;
	int err;

	pool->new_zspage_once = false;
	if (size == 0)
		return -EINVAL;
	if (size > pool->page_size)
		return pool->profile->enospc_over_page ? -ENOSPC : -EINVAL;
	if (!direct) {
		err = cache_alloc_handle(pool, &handle);
		if (err)
			return err;
	}

	class = pool->size_class[get_size_class_index(pool, size + pool->handle_header)];
	zspage = fresh ? NULL : find_get_zspage(pool, class);
	if (zspage) {
		idx = obj_malloc(pool, zspage, handle);
		fix_fullness_group(pool, class, zspage);
	} else {
		zspage = alloc_zspage(pool, class, gfp);
		if (!zspage) {
			if (!direct)
				cache_free_handle(pool, handle);
			return -ENOMEM;
		}
		idx = obj_malloc(pool, zspage, handle);
		insert_zspage(pool, class, zspage, get_fullness_group(pool, class, zspage->inuse));
		pool->pages_allocated += class->pages_per_zspage;
		class->obj_allocated += class->objs_per_zspage;
		/* the zspage is set up: its pages may now be migrated (SetZsPageMovable) */
		if (pool->profile->info.has_migration && pool->ops->set_movable)
			for (unsigned int i = 0; i < zspage->nr_pages; i++)
				pool->ops->set_movable(pool->ctx, zspage->pages[i], pool);
	}
	class->obj_used++;
	obj = location_to_obj(pool, zspage, idx);
	if (direct)
		handle = obj;
	else
		record_obj(pool, handle, obj, zspage);
	*handlep = handle;
	return 0;
}

/* Resolve a handle to its zspage and object index; NULL for a bad handle. */
static struct zspage *handle_to_zspage(const struct zs_pool *pool, unsigned long handle,
				       unsigned int *obj_idx)
{
	if (!zs_handle_valid(pool, handle))
		return NULL;
	return handle_to_location(pool, handle, obj_idx);
}

void zs_free(struct zs_pool *pool, unsigned long handle)
{
	struct zspage *zspage;
	struct size_class *class;
	unsigned int idx;

	if (!handle)
		return;
	zspage = handle_to_zspage(pool, handle, &idx);
	ZS_BUG_ON(!zspage);
	if (!zspage)
		return;
	ZS_BUG_ON(pool->area.handle == handle);
	class = zspage->class;
	class->obj_used--;
	obj_free(pool, zspage, idx);
	if (fix_fullness_group(pool, class, zspage) == ZS_EMPTY)
		free_zspage(pool, class, zspage);
	if (pool->profile->handle_mode != ZS_HANDLE_DIRECT)
		cache_free_handle(pool, handle);
}

void *zs_map_object(struct zs_pool *pool, unsigned long handle, enum zs_mapmode mm)
{
	struct zspage *zspage;
	const struct size_class *class;
	unsigned int idx, page_idx, off;
	uint8_t *ret;

	ZS_BUG_ON(pool->area.handle != 0);
	if (pool->area.handle != 0)
		return NULL;
	zspage = handle_to_zspage(pool, handle, &idx);
	if (!zspage)
		return NULL;
	class = zspage->class;
	obj_location(class, idx, &page_idx, &off);

	pool->area.handle = handle;
	pool->area.mm = mm;
	pool->area.zspage = zspage;
	pool->area.obj_idx = idx;
	pool->area.copied = off + class->size > pool->page_size;
	if (pool->no_contents) {
		/* SIM: a scratch buffer; what the caller writes is not kept */
		pool->area.copied = false;
		ret = pool->area.buf;
	} else if (!pool->area.copied) {
		ret = zspage_page_addr(pool, zspage, page_idx) + off;
	} else {
		size_t first = pool->page_size - off;

		if (mm != ZS_MM_WO) {
			memcpy(pool->area.buf, zspage_page_addr(pool, zspage, page_idx) + off, first);
			memcpy(pool->area.buf + first, zspage_page_addr(pool, zspage, page_idx + 1),
			       class->size - first);
		}
		ret = pool->area.buf;
	}
	if (!zspage->huge)
		ret += pool->handle_header;
	return ret;
}

void zs_unmap_object(struct zs_pool *pool, unsigned long handle)
{
	struct zspage *zspage = pool->area.zspage;

	ZS_BUG_ON(pool->area.handle != handle);
	if (pool->area.handle != handle)
		return;
	if (pool->area.copied && pool->area.mm != ZS_MM_RO) {
		const struct size_class *class = zspage->class;
		unsigned int page_idx, off;
		size_t skip = zspage->huge ? 0 : pool->handle_header;
		size_t first;

		/* the header is not written back: only the payload is the caller's */
		obj_location(class, pool->area.obj_idx, &page_idx, &off);
		first = pool->page_size - off - skip;
		memcpy(zspage_page_addr(pool, zspage, page_idx) + off + skip, pool->area.buf + skip, first);
		memcpy(zspage_page_addr(pool, zspage, page_idx + 1), pool->area.buf + skip + first,
		       class->size - skip - first);
	}
	pool->area.handle = 0;
	pool->area.zspage = NULL;
	pool->area.copied = false;
}

unsigned int zs_object_spans(const struct zs_pool *pool, unsigned long handle,
			     struct zs_span span[2])
{
	const struct zspage *zspage;
	unsigned int idx, page_idx, off;
	size_t skip, n, first;
	uint8_t *p;

	if (pool->no_contents || !handle)
		return 0;
	zspage = handle_to_zspage(pool, handle, &idx);
	if (!zspage)
		return 0;
	obj_location(zspage->class, idx, &page_idx, &off);
	/* what zs_map_object() hands its caller: the object after its header */
	skip = zspage->huge ? 0 : pool->handle_header;
	n = zspage->class->size - skip;
	off += (unsigned int)skip;
	if (off >= pool->page_size) { /* a header that ends its page (classes are 16-byte multiples: none) */
		page_idx++;
		off -= (unsigned int)pool->page_size;
	}
	p = zspage_page_addr(pool, zspage, page_idx);
	first = pool->page_size - off;
	span[0].p = p + off;
	if (n <= first) {
		span[0].n = n;
		return 1;
	}
	span[0].n = first;
	span[1].p = zspage_page_addr(pool, zspage, page_idx + 1);
	span[1].n = n - first;
	return 2;
}

unsigned long zs_get_total_pages(const struct zs_pool *pool)
{
	return pool->pages_allocated;
}

size_t zs_huge_class_size(const struct zs_pool *pool)
{
	return pool->huge_class_size;
}

size_t zs_page_size(const struct zs_pool *pool)
{
	return pool->page_size;
}

unsigned int zs_lookup_class_index(const struct zs_pool *pool, size_t size)
{
	return pool->size_class[get_size_class_index(pool, size + pool->handle_header)]->index;
}
