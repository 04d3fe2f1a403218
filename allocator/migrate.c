/*
 * migrate.c - page migration of zspage pages, the hooks through which the
 * kernel's own memory compaction moves zsmalloc memory (4.8+).
 *
 * Models zs_page_isolate(), zs_page_migrate() and zs_page_putback() of 6.1
 * and 6.12 (the movable_operations of a zsmalloc page).
 *
 * isolate counts the isolation on the zspage and migrate copies the whole
 * page to the new frame, rewrites the handle slot of every allocated object
 * that starts in that page to the new frame, and puts the new frame in the
 * chain; the caller then frees the old frame (as the migration core puts the
 * old page). putback undoes the isolation.
 *
 * SIM: while any page of a zspage is isolated, an emptied zspage is kept on
 * the EMPTY list and freed when the last isolated page is migrated or put
 * back. The kernel (6.1, 6.12) frees it at once, because the page lock is
 * dropped between isolation and migration, and its migration core then sees
 * that the owner released the page. Our callers (sim/kcompact.c) isolate and
 * migrate back to back, so no free can fall in between there; keeping the
 * zspage keeps the contract simple: after a successful migrate the caller
 * always owns the old frame. The 4.8-era isolate also took the zspage off its
 * fullness list; we keep the 6.1/6.12 isolate for every profile with
 * migration.
 */
#include <errno.h>
#include <string.h>

#include "zs_internal.h"

static struct zspage *migratable_zspage(const struct zs_pool *pool, unsigned long pfn)
{
	if (!pool->profile->info.has_migration)
		return NULL;
	return zs_page_to_zspage(pool, pfn);
}

/* The deferred free: an emptied zspage goes once nothing holds its pages. */
static void release_isolation(struct zs_pool *pool, struct zspage *zspage)
{
	ZS_BUG_ON(zspage->isolated == 0);
	if (--zspage->isolated == 0 && zspage->inuse == 0 && zspage->on_list)
		free_zspage(pool, zspage->class, zspage);
}

bool zs_page_isolate(struct zs_pool *pool, unsigned long pfn)
{
	struct zspage *zspage = migratable_zspage(pool, pfn);

	if (!zspage)
		return false;
	zspage->isolated++;
	return true;
}

void zs_page_putback(struct zs_pool *pool, unsigned long pfn)
{
	struct zspage *zspage = migratable_zspage(pool, pfn);

	if (zspage)
		release_isolation(pool, zspage);
}

int zs_page_migrate(struct zs_pool *pool, unsigned long newpfn, unsigned long oldpfn)
{
	struct zspage *zspage = migratable_zspage(pool, oldpfn);
	const struct size_class *class;
	unsigned int k, first, idx;
	uint8_t *newaddr;

	if (!zspage || zspage->isolated == 0)
		return -EINVAL;
	/* a mapped object pins its zspage (the zspage rwlock held for read) */
	if (pool->area.zspage == zspage)
		return -EAGAIN;
	for (k = 0; k < zspage->nr_pages; k++)
		if (zspage->pages[k] == oldpfn)
			break;
	ZS_BUG_ON(k == zspage->nr_pages);
	class = zspage->class;

	if (!pool->no_contents) {
		newaddr = pool->ops->page_address(pool->ctx, newpfn);
		memcpy(newaddr, zspage_page_addr(pool, zspage, k), pool->page_size);
	}
	zspage->pages[k] = (uint32_t)newpfn;
	*pool->ops->page_private(pool->ctx, newpfn) = zspage;
	*pool->ops->page_private(pool->ctx, oldpfn) = NULL;
	if (pool->ops->set_movable) {
		pool->ops->set_movable(pool->ctx, newpfn, pool);
		pool->ops->set_movable(pool->ctx, oldpfn, NULL);
	}

	/* objects that start in page k: their handle slots now name the new frame */
	first = (unsigned int)(((size_t)k * pool->page_size + class->size - 1) / class->size);
	for (idx = first;
	     idx < class->objs_per_zspage && ((size_t)idx * class->size) >> pool->page_shift == k;
	     idx++) {
		unsigned long handle;

		if (obj_allocated(pool, zspage, idx, &handle))
			record_obj(pool, handle, location_to_obj(pool, zspage, idx), zspage);
	}
	pool->stats.pages_migrated++;
	release_isolation(pool, zspage);
	return 0;
}
