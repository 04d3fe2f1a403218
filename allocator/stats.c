/*
 * stats.c - what the pool reports: the class table, per-class counters as
 * the kernel's debugfs "classes" file shows them, pool totals, and the
 * invariant walker zs_pool_check().
 *
 * Models zs_stats_size_show() (column set of the profile's era),
 * zs_pool_stats() and zs_get_total_pages(). pages_used is computed as the
 * kernel prints it: obj_allocated / objs_per_zspage * pages_per_zspage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_internal.h"

unsigned int zs_class_count(const struct zs_pool *pool)
{
	return pool->nr_classes;
}

int zs_class_info(const struct zs_pool *pool, unsigned int index, struct zs_class_info *info)
{
	const struct size_class *class;

	if (index >= pool->nr_classes)
		return -EINVAL;
	class = pool->size_class[index];
	info->index = index;
	info->size = class->size;
	info->pages_per_zspage = class->pages_per_zspage;
	info->objs_per_zspage = class->objs_per_zspage;
	info->merged_into = class->index;
	info->huge = class->huge;
	return 0;
}

int zs_class_stats(const struct zs_pool *pool, unsigned int index, struct zs_class_stats *st)
{
	const struct size_class *class;

	if (index >= pool->nr_classes)
		return -EINVAL;
	class = pool->size_class[index];
	memset(st, 0, sizeof(*st));
	for (unsigned int g = 0; g < pool->nr_fullness; g++)
		st->fullness[g] = class->fullness_count[g];
	st->obj_allocated = class->obj_allocated;
	st->obj_used = class->obj_used;
	st->pages_used = class->obj_allocated / class->objs_per_zspage * class->pages_per_zspage;
	st->freeable = zs_can_compact(class);
	return 0;
}

const char *zs_fullness_name(const struct zs_pool *pool, unsigned int g)
{
	static const char *const four[] = {"empty", "almost_empty", "almost_full", "full"};
	static const char *const ratio[] = {"0%",  "10%", "20%", "30%", "40%", "50%",
					    "60%", "70%", "80%", "90%", "99%", "100%"};

	if (g >= pool->nr_fullness)
		return NULL;
	return zs_ratio_groups(pool) ? ratio[g] : four[g];
}

void zs_pool_stats(const struct zs_pool *pool, struct zs_pool_stats *stats)
{
	*stats = pool->stats;
}

/* ---- the invariant walker ---- */

void zs_deep_check(const struct zs_pool *pool, const char *file, int line)
{
	char msg[256];

	if (zs_pool_check(pool, msg, sizeof(msg)) != 0)
		zs_check_bug("zsmalloc", file, line, msg);
}

/* Walk one zspage: free list, object tags, reverse map, page ownership. */
static int check_zspage(const struct zs_pool *pool, const struct size_class *class,
			const struct zspage *z, unsigned int group, char *msg, size_t len)
{
	unsigned int n = class->objs_per_zspage, nfree = 0, idx = z->freeobj;
	uint8_t seen[32768]; /* one flag per object: at most 16 pages * 64 KiB / 32 B objects */
	unsigned long handle;

	if (n > sizeof(seen))
		return zs_check_fail(msg, len, "class %u: %u objects per zspage exceed the checker",
			    class->index, n);
	memset(seen, 0, n);
	if (z->class != class)
		return zs_check_fail(msg, len, "class %u: zspage on its list belongs to class %u",
			    class->index, z->class->index);
	if (z->fullness != group || get_fullness_group(pool, class, z->inuse) != group)
		return zs_check_fail(
		    msg, len, "class %u: zspage with %u/%u objects filed under group %u (want %u)",
		    class->index, z->inuse, n, group, get_fullness_group(pool, class, z->inuse));
	if (z->nr_pages != class->pages_per_zspage)
		return zs_check_fail(msg, len, "class %u: zspage has %u pages, class says %u", class->index,
			    z->nr_pages, class->pages_per_zspage);
	for (unsigned int i = 0; i < z->nr_pages; i++)
		if (zs_page_to_zspage(pool, z->pages[i]) != z)
			return zs_check_fail(msg, len,
				    "class %u: page %u (pfn %lu) does not point back at its zspage",
				    class->index, i, (unsigned long)z->pages[i]);

	/* free list: in range, acyclic, exactly n - inuse long, every link untagged */
	for (unsigned int step = 0; step < n - z->inuse; step++) {
		unsigned long link;

		if (idx >= n || seen[idx])
			return zs_check_fail(msg, len,
				    "class %u: free list of a zspage (%u/%u used) broken at step "
				    "%u (index %u)",
				    class->index, z->inuse, n, step, idx);
		seen[idx] = 1;
		nfree++;
		if (z->huge)
			link = z->huge_handle;
		else
			link = get_obj_word(pool, z, idx);
		if (zs_has_header(pool) && (link & OBJ_ALLOCATED_TAG))
			return zs_check_fail(msg, len, "class %u: free object %u carries the allocated tag",
				    class->index, idx);
		idx = (unsigned int)(link >> OBJ_TAG_BITS);
	}
	if (!zs_has_header(pool))
		return 0; /* direct handles: no reverse map to walk */

	/* every other slot is allocated, and its handle leads back here */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int back_idx;

		if (seen[i])
			continue;
		if (!obj_allocated(pool, z, i, &handle))
			return zs_check_fail(msg, len,
				    "class %u: object %u is neither free nor tagged allocated",
				    class->index, i);
		if (class->index == UINT32_MAX) {
			/* rfc2014 handle slots are allocated with handle 0: nothing to map back */
			if (handle != 0)
				return zs_check_fail(msg, len,
					    "handle class: slot object %u carries handle %#lx", i,
					    handle);
			continue;
		}
		if (!zs_handle_valid(pool, handle))
			return zs_check_fail(msg, len, "class %u: object %u has a bad handle %#lx",
				    class->index, i, handle);
		if (obj_to_location(pool, handle_to_obj(pool, handle), &back_idx) != z ||
		    back_idx != i)
			return zs_check_fail(msg, len, "class %u: handle %#lx of object %u points elsewhere",
				    class->index, handle, i);
		/* SIM: the slot's cached zspage is the one its location word names */
		if (handle_to_location(pool, handle, &back_idx) != z || back_idx != i)
			return zs_check_fail(msg, len,
				    "class %u: handle %#lx of object %u caches another zspage",
				    class->index, handle, i);
	}
	return 0;
}

static int check_class(const struct zs_pool *pool, const struct size_class *class,
		       unsigned long *pages, unsigned long *used, char *msg, size_t len)
{
	unsigned long zspages = 0, inuse = 0;

	for (unsigned int g = 0; g < pool->nr_fullness; g++) {
		unsigned long count = 0;
		const struct zs_list *head = &class->fullness_list[g];

		for (const struct zs_list *l = head->next; l != head; l = l->next) {
			const struct zspage *z = (const struct zspage *)(const void *)l;
			int err = check_zspage(pool, class, z, g, msg, len);

			if (err)
				return err;
			count++;
			inuse += z->inuse;
		}
		if (count != class->fullness_count[g])
			return zs_check_fail(msg, len,
				    "class %u: group %u lists %lu zspages, counter says %lu",
				    class->index, g, count, class->fullness_count[g]);
		zspages += count;
	}
	if (class->obj_allocated != zspages * class->objs_per_zspage)
		return zs_check_fail(msg, len, "class %u: obj_allocated %lu, but %lu zspages of %u objects",
			    class->index, class->obj_allocated, zspages, class->objs_per_zspage);
	if (class->obj_used != inuse)
		return zs_check_fail(msg, len, "class %u: obj_used %lu, but zspages hold %lu objects",
			    class->index, class->obj_used, inuse);
	*pages += zspages * class->pages_per_zspage;
	*used += inuse;
	return 0;
}

int zs_pool_check(const struct zs_pool *pool, char *msg, size_t len)
{
	unsigned long pages = 0, used = 0, handle_pages = 0, handle_used = 0;
	int err;

	for (unsigned int i = 0; i < pool->nr_classes; i++) {
		const struct size_class *class = pool->size_class[i];

		size_t want = pool->min_alloc + (size_t)i * pool->class_delta;

		if (want > pool->page_size)
			want = pool->page_size;
		if (!class || class->size < want)
			return zs_check_fail(msg, len, "index %u: served by a class too small for %zu bytes",
				    i, want);
		if (class->index != i)
			continue;
		err = check_class(pool, class, &pages, &used, msg, len);
		if (err)
			return err;
	}
	if (pool->profile->handle_mode == ZS_HANDLE_POOL_CLASS) {
		err = check_class(pool, &pool->handle_class, &handle_pages, &handle_used, msg, len);
		if (err)
			return err;
	}
	if (pool->pages_allocated != pages + handle_pages)
		return zs_check_fail(msg, len, "pool: pages_allocated %lu, but zspages hold %lu pages",
			    pool->pages_allocated, pages + handle_pages);
	if (pool->profile->handle_mode != ZS_HANDLE_DIRECT && pool->handles.live != used)
		return zs_check_fail(msg, len, "pool: %lu live handles for %lu live objects",
			    pool->handles.live, used);
	if (pool->profile->handle_mode == ZS_HANDLE_POOL_CLASS && handle_used != used)
		return zs_check_fail(msg, len, "pool: %lu handle objects for %lu live objects", handle_used,
			    used);
	if (msg && len)
		msg[0] = '\0';
	return 0;
}
