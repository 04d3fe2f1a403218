/*
 * compact_zspages.c - empty the zspages a caller names, for compaction that
 * aims at physical contiguity (sim/policy_targeted.c). No kernel version has
 * these entry points; they are what a kernel change would add beside
 * zs_compact() (see sim/policy_targeted.c for the change they stand for).
 *
 * zs_compact() picks its sources by fullness group: the head of
 * ALMOST_EMPTY (4.x), the emptiest group (6.3+). Nothing says where their
 * pages lie, so the frames it frees are wherever those zspages happened to
 * be. zs_compact_zspages() takes the sources from the caller instead, by
 * frame, and otherwise does what __zs_compact() does per class: each source
 * is walked in object order, each allocated object gets a slot in a
 * destination taken from the class's fullest partial group first (the
 * order find_get_zspage() and the 4.x/6.3+ compaction use), is copied, its
 * handle rewritten, its old slot freed; a full destination goes back to its
 * list and the next is taken; an emptied source is freed at once (its pages
 * go back to the page provider).
 *
 * Two differences a contiguity-seeking caller needs:
 *  - destinations are filtered: a zspage with a frame the caller's avoid()
 *    names (the window it is clearing) is never a destination, so no
 *    object lands back inside the window;
 *  - all or nothing: the room outside the avoided frames is counted per
 *    class before anything moves, so a refused call leaves the pool, and
 *    its list order, exactly as it was.
 *
 * Kernel -> ours: __zs_compact's isolate_src_zspage -> the caller's frames;
 * isolate_dst_zspage -> pick_dst (filtered); migrate_zspage ->
 * zs_compact_move_object per object; putback_zspage/free_zspage: same.
 */
#include <errno.h>
#include <string.h>

#include "zs_internal.h"

#define ZS_COMPACT_MAX_SOURCES 64 /* zspages per call: an order-6 window of one-page zspages */

static_assert(ZS_MAX_PAGES_PER_ZSPAGE == ZS_MAX_CHAIN, "public and internal chain bounds differ");

int zs_zspage_info(const struct zs_pool *pool, unsigned long pfn, struct zs_zspage_info *info)
{
	const struct zspage *z;

	if (!pool->ops->page_private(pool->ctx, pfn))
		return -ENOENT;
	z = zs_page_to_zspage(pool, pfn);
	if (!z)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->class_index = z->class->index;
	info->size = z->class->size;
	info->inuse = z->inuse;
	info->objs_per_zspage = z->class->objs_per_zspage;
	info->nr_pages = z->nr_pages;
	for (unsigned int i = 0; i < z->nr_pages; i++)
		info->pages[i] = z->pages[i];
	info->busy = z->isolated || pool->area.zspage == z;
	return 0;
}

static bool zspage_avoided(const struct zspage *z, zs_pfn_filter_fn avoid, void *ctx)
{
	for (unsigned int i = 0; avoid && i < z->nr_pages; i++)
		if (avoid(ctx, z->pages[i]))
			return true;
	return false;
}

static bool is_source(const struct zspage *z, struct zspage *const *src, unsigned int nsrc)
{
	for (unsigned int i = 0; i < nsrc; i++)
		if (src[i] == z)
			return true;
	return false;
}

/* May z take objects? Partly used, not isolated or mapped, not a source, nowhere avoided. */
static bool dst_ok(const struct zs_pool *pool, const struct zspage *z, zs_pfn_filter_fn avoid,
		   void *ctx, struct zspage *const *src, unsigned int nsrc)
{
	return !zspage_full(z->class, z) && !z->isolated && pool->area.zspage != z &&
	       !is_source(z, src, nsrc) && !zspage_avoided(z, avoid, ctx);
}

/* The partial groups in find_get_zspage() order: fullest first, EMPTY left out. */
static unsigned int nr_partial_groups(const struct zs_pool *pool)
{
	return zs_full_group(pool) - 1;
}

static unsigned long class_room(const struct zs_pool *pool, const struct size_class *class,
				zs_pfn_filter_fn avoid, void *ctx, struct zspage *const *src,
				unsigned int nsrc)
{
	unsigned long room = 0;

	for (unsigned int i = 0; i < nr_partial_groups(pool); i++) {
		const struct zs_list *head = &class->fullness_list[zs_group_alloc_order(pool, i)];

		for (const struct zs_list *l = head->next; l != head; l = l->next) {
			const struct zspage *z = (const struct zspage *)(const void *)l;

			if (dst_ok(pool, z, avoid, ctx, src, nsrc))
				room += class->objs_per_zspage - z->inuse;
		}
	}
	return room;
}

unsigned long zs_class_room(const struct zs_pool *pool, unsigned int class_index,
			    zs_pfn_filter_fn avoid, void *ctx)
{
	if (class_index >= pool->nr_classes)
		return 0;
	return class_room(pool, pool->size_class[class_index], avoid, ctx, NULL, 0);
}

/* isolate_dst_zspage, filtered: the first acceptable zspage of the fullest partial group. */
static struct zspage *pick_dst(struct zs_pool *pool, struct size_class *class,
			       zs_pfn_filter_fn avoid, void *ctx)
{
	for (unsigned int i = 0; i < nr_partial_groups(pool); i++) {
		struct zs_list *head = &class->fullness_list[zs_group_alloc_order(pool, i)];

		for (struct zs_list *l = head->next; l != head; l = l->next) {
			struct zspage *z = (struct zspage *)(void *)l;

			/* the sources are already off the lists */
			if (dst_ok(pool, z, avoid, ctx, NULL, 0)) {
				remove_zspage(class, z);
				return z;
			}
		}
	}
	return NULL;
}

/* Move every object of src (off its list) into filtered destinations; room was counted. */
static void empty_zspage(struct zs_pool *pool, struct zspage *src, zs_pfn_filter_fn avoid,
			 void *ctx, struct zs_compact_result *res)
{
	struct size_class *class = src->class;
	struct zspage *dst = NULL;
	unsigned long handle;

	for (unsigned int i = 0; i < class->objs_per_zspage && src->inuse; i++) {
		if (!obj_allocated(pool, src, i, &handle))
			continue;
		if (dst && zspage_full(class, dst)) {
			putback_zspage(pool, class, dst);
			dst = NULL;
		}
		if (!dst)
			dst = pick_dst(pool, class, avoid, ctx);
		ZS_BUG_ON(!dst); /* class_room() said there was room */
		zs_compact_move_object(pool, src, i, handle, dst, res);
	}
	if (dst)
		putback_zspage(pool, class, dst);
}

int zs_compact_zspages(struct zs_pool *pool, const unsigned long *pfns, unsigned int n,
		       zs_pfn_filter_fn avoid, void *ctx, struct zs_compact_result *res)
{
	struct zspage *src[ZS_COMPACT_MAX_SOURCES];
	struct zs_compact_result r = {0};
	unsigned int nsrc = 0;

	if (pool->profile->compact_algo == ZS_COMPACT_NONE)
		return -EOPNOTSUPP;
	if (pool->compaction_in_progress || pool->area.handle)
		return -EBUSY;
	for (unsigned int i = 0; i < n; i++) {
		struct zspage *z =
		    pool->ops->page_private(pool->ctx, pfns[i]) ? zs_page_to_zspage(pool, pfns[i])
								: NULL;

		if (!z)
			return -ENOENT;
		if (is_source(z, src, nsrc))
			continue;
		if (z->isolated || !z->on_list)
			return -EBUSY;
		if (nsrc == ZS_COMPACT_MAX_SOURCES)
			return -E2BIG;
		src[nsrc++] = z;
	}
	/* the room per class, outside the avoided frames and the sources themselves */
	for (unsigned int i = 0; i < nsrc; i++) {
		unsigned long need = 0;
		bool first = true;

		for (unsigned int j = 0; j < nsrc && first; j++)
			if (src[j]->class == src[i]->class && j < i)
				first = false;
		if (!first)
			continue; /* the class was counted with its first source */
		for (unsigned int j = i; j < nsrc; j++)
			if (src[j]->class == src[i]->class)
				need += src[j]->inuse;
		if (need > class_room(pool, src[i]->class, avoid, ctx, src, nsrc))
			return -ENOSPC;
	}

	pool->compaction_in_progress = true;
	for (unsigned int i = 0; i < nsrc; i++)
		remove_zspage(src[i]->class, src[i]);
	for (unsigned int i = 0; i < nsrc; i++) {
		struct size_class *class = src[i]->class;

		empty_zspage(pool, src[i], avoid, ctx, &r);
		ZS_BUG_ON(src[i]->inuse);
		putback_zspage(pool, class, src[i]);
		free_zspage(pool, class, src[i]);
		r.pages_freed += class->pages_per_zspage;
		r.zspages_freed++;
	}
	pool->compaction_in_progress = false;
	pool->stats.pages_compacted += r.pages_freed;
	pool->stats.objs_migrated += r.objs_migrated;
	pool->stats.bytes_copied += r.bytes_copied;
	pool->stats.compactions++;
	if (res) {
		res->pages_freed += r.pages_freed;
		res->objs_migrated += r.objs_migrated;
		res->bytes_copied += r.bytes_copied;
		res->zspages_freed += r.zspages_freed;
	}
	return 0;
}
