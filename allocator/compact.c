/*
 * compact.c - zsmalloc compaction: move objects out of sparse zspages so
 * that whole zspages can be freed.
 *
 * Models zs_can_compact(), __zs_compact(), zs_compact() and the shrinker's
 * count/scan of three eras:
 *
 * V41 (4.1, and the RFC): per class, take the head of ALMOST_EMPTY as the
 *   source; fill destinations taken from ALMOST_FULL, then ALMOST_EMPTY,
 *   until the source is empty; put both back (an empty source is freed);
 *   repeat until no source or no destination is left.
 * V43 (4.3 .. 6.2): sources from ALMOST_EMPTY then ALMOST_FULL, and the class
 *   stops as soon as zs_can_compact() says no zspage can be freed.
 * V63 (6.3+): one destination, the first zspage of the fullest partial group,
 *   is filled from sources taken from the emptiest group up, each source
 *   moved until the destination is full or the source empty; a full
 *   destination is put back and a new one chosen.
 *
 * In every era the source is walked page by page in address order and each
 * allocated object (found by its header's tag: the reverse map) is given a
 * slot from the destination's free list, copied, its handle slot rewritten,
 * and its old slot freed. Classes are visited from the largest index down,
 * skipping aliases. Only one compaction runs at a time.
 *
 * Kernel -> ours:
 *   isolate_source_page/isolate_target_page (4.1 .. 4.7; from 4.3 the source
 *     may also be ALMOST_FULL), isolate_zspage(class, source) (4.8 .. 6.2)
 *                                       -> isolate_zspage(pool, class, source)
 *   isolate_src_zspage, isolate_dst_zspage (6.3+): the same names
 *   migrate_zspage(pool, class, cc)     -> migrate_zspage_v4 / migrate_zspage_v63
 *   __zs_compact(pool, class)           -> __zs_compact_v4 / __zs_compact_v63, which also
 *                                          count what moved in a zs_compact_result
 */
#include <errno.h>

#include "zs_internal.h"

unsigned long zs_can_compact(const struct size_class *class)
{
	unsigned long wasted;

	if (class->obj_allocated <= class->obj_used)
		return 0;
	wasted = (class->obj_allocated - class->obj_used) / class->objs_per_zspage;
	return wasted * class->pages_per_zspage;
}

/* Take the head of one fullness list off it. */
static struct zspage *isolate_head(struct size_class *class, unsigned int group)
{
	struct zspage *z = zs_list_first(&class->fullness_list[group]);

	if (z)
		remove_zspage(class, z);
	return z;
}

/*
 * 4.x isolate_source_page()/isolate_zspage(): a source from ALMOST_EMPTY, then
 * (4.3+) ALMOST_FULL;
 * a destination from ALMOST_FULL, then ALMOST_EMPTY.
 */
static struct zspage *isolate_zspage(const struct zs_pool *pool, struct size_class *class,
				     bool source)
{
	struct zspage *z;

	if (source) {
		z = isolate_head(class, ZS_ALMOST_EMPTY);
		if (!z && pool->profile->compact_algo == ZS_COMPACT_V43)
			z = isolate_head(class, ZS_ALMOST_FULL);
		return z;
	}
	z = isolate_head(class, ZS_ALMOST_FULL);
	if (!z)
		z = isolate_head(class, ZS_ALMOST_EMPTY);
	return z;
}

/* Move one object; counts it in the call's statistics (the caller adds them to the pool's). */
void zs_compact_move_object(struct zs_pool *pool, struct zspage *src, unsigned int s_idx,
			unsigned long handle, struct zspage *dst, struct zs_compact_result *res)
{
	unsigned int d_idx = obj_malloc(pool, dst, handle);

	zs_object_copy(pool, dst, d_idx, src, s_idx);
	record_obj(pool, handle, location_to_obj(pool, dst, d_idx), dst);
	obj_free(pool, src, s_idx);
	res->objs_migrated++;
	res->bytes_copied += src->class->size;
}

/* Where a V41/V43 migration left off in its source (zs_compact_control). */
struct compact_cursor {
	unsigned int obj_idx; /* next zspage object index to examine */
};

/*
 * V41/V43 migrate_zspage(): move objects until the source has none left
 * (returns 0) or the destination is full (-ENOMEM, cursor kept).
 */
static int migrate_zspage_v4(struct zs_pool *pool, struct zspage *src, struct zspage *dst,
			     struct compact_cursor *cc, struct zs_compact_result *res)
{
	const struct size_class *class = src->class;
	unsigned long handle;

	for (; cc->obj_idx < class->objs_per_zspage; cc->obj_idx++) {
		if (!obj_allocated(pool, src, cc->obj_idx, &handle))
			continue;
		if (zspage_full(class, dst))
			return -ENOMEM;
		zs_compact_move_object(pool, src, cc->obj_idx, handle, dst, res);
	}
	return 0;
}

/*
 * The kernel's lock drops: where it may reschedule and other tasks allocate and free
 * before it goes on (4.x after each source, 6.3+ after each full destination). A run with
 * a target stops at the first drop once it has made that many steps (zs_compact_steps).
 */
static bool compact_pause(const struct zs_pool *pool, const struct zs_compact_run *run,
			  uint64_t target)
{
	return target && zs_compact_steps(pool, run) >= target;
}

uint64_t zs_compact_steps(const struct zs_pool *pool, const struct zs_compact_run *run)
{
	return pool->profile->compact_algo == ZS_COMPACT_V63 ? run->putbacks : run->isolations;
}

static struct zspage *compact_isolate(const struct zs_pool *pool, struct size_class *class,
				      bool source, struct zs_compact_run *run)
{
	run->isolations++;
	return isolate_zspage(pool, class, source);
}

static unsigned int compact_putback(struct zs_pool *pool, struct size_class *class,
				    struct zspage *z, struct zs_compact_run *run)
{
	run->putbacks++;
	return putback_zspage(pool, class, z);
}

static void compact_free(struct zs_pool *pool, struct size_class *class, struct zspage *z,
			 struct zs_compact_run *run)
{
	free_zspage(pool, class, z);
	run->r.pages_freed += class->pages_per_zspage;
	run->r.zspages_freed++;
}

/* True when it stopped at a lock drop (target reached), false when the class is done. */
static bool __zs_compact_v4(struct zs_pool *pool, struct size_class *class,
			    struct zs_compact_run *run, uint64_t target)
{
	bool v43 = pool->profile->compact_algo == ZS_COMPACT_V43;
	struct zspage *src, *dst = NULL;

	for (;;) {
		struct compact_cursor cc = {0};

		src = compact_isolate(pool, class, true, run);
		if (!src)
			break;
		if (v43 && !zs_can_compact(class))
			break;

		for (;;) {
			dst = compact_isolate(pool, class, false, run);
			if (!dst)
				break;
			if (migrate_zspage_v4(pool, src, dst, &cc, &run->r) == 0)
				break;
			compact_putback(pool, class, dst, run);
		}
		if (!dst)
			break; /* no destination: the source goes back below */

		compact_putback(pool, class, dst, run);
		dst = NULL;
		if (compact_putback(pool, class, src, run) == ZS_EMPTY)
			compact_free(pool, class, src, run);
		src = NULL;
		if (compact_pause(pool, run, target))
			return true;
	}
	if (src)
		compact_putback(pool, class, src, run);
	return false;
}

/* V63 migrate_zspage(): move until the destination is full or the source empty. */
static void migrate_zspage_v63(struct zs_pool *pool, struct zspage *src, struct zspage *dst,
			       struct zs_compact_result *res)
{
	const struct size_class *class = src->class;
	unsigned long handle;

	for (unsigned int i = 0; i < class->objs_per_zspage; i++) {
		if (!obj_allocated(pool, src, i, &handle))
			continue;
		zs_compact_move_object(pool, src, i, handle, dst, res);
		if (zspage_full(class, dst) || src->inuse == 0)
			break;
	}
}

/* 6.3+ isolate_src_zspage(): the emptiest partial zspage, RATIO_10 up to RATIO_99. */
static struct zspage *isolate_src_zspage(struct size_class *class)
{
	for (unsigned int g = ZS_INUSE_RATIO_10; g <= ZS_INUSE_RATIO_99; g++) {
		struct zspage *z = isolate_head(class, g);

		if (z)
			return z;
	}
	return NULL;
}

/* 6.3+ isolate_dst_zspage(): the fullest partial zspage, RATIO_99 down to RATIO_10. */
static struct zspage *isolate_dst_zspage(struct size_class *class)
{
	for (unsigned int g = ZS_INUSE_RATIO_99; g >= ZS_INUSE_RATIO_10; g--) {
		struct zspage *z = isolate_head(class, g);

		if (z)
			return z;
	}
	return NULL;
}

static bool __zs_compact_v63(struct zs_pool *pool, struct size_class *class,
			     struct zs_compact_run *run, uint64_t target)
{
	struct zspage *src, *dst = NULL;

	while (zs_can_compact(class)) {
		if (!dst) {
			dst = isolate_dst_zspage(class);
			if (!dst)
				break;
		}
		src = isolate_src_zspage(class);
		if (!src)
			break;
		migrate_zspage_v63(pool, src, dst, &run->r);
		if (compact_putback(pool, class, src, run) == ZS_INUSE_RATIO_0)
			compact_free(pool, class, src, run);
		if (get_fullness_group(pool, class, dst->inuse) == ZS_INUSE_RATIO_100) {
			compact_putback(pool, class, dst, run);
			dst = NULL;
			if (compact_pause(pool, run, target))
				return true;
		}
	}
	if (dst)
		compact_putback(pool, class, dst, run);
	return false;
}

int zs_compact_begin(struct zs_pool *pool, struct zs_compact_run *run)
{
	*run = (struct zs_compact_run){0};
	if (pool->profile->compact_algo == ZS_COMPACT_NONE)
		return -EOPNOTSUPP;
	/* SIM: the kernel would wait for the mapping's zspage lock; single-threaded, it is a bug */
	ZS_BUG_ON(pool->area.handle != 0);
	/* a second compaction while one runs returns at once (compaction_in_progress) */
	if (pool->compaction_in_progress)
		return -EBUSY;
	pool->compaction_in_progress = true;
	run->active = true;
	run->class_idx = (int)pool->nr_classes - 1;
	return 0;
}

int zs_compact_resume(struct zs_pool *pool, struct zs_compact_run *run, uint64_t steps,
		      struct zs_compact_result *res)
{
	ZS_BUG_ON(!run->active);
	if (compact_pause(pool, run, steps))
		return 0;
	/* classes from the largest index down, aliases skipped */
	for (; run->class_idx >= 0; run->class_idx--) {
		struct size_class *class = pool->size_class[run->class_idx];

		if (class->index != (unsigned int)run->class_idx)
			continue;
		if (pool->profile->compact_algo == ZS_COMPACT_V63
			? __zs_compact_v63(pool, class, run, steps)
			: __zs_compact_v4(pool, class, run, steps))
			return 0;
		/* between classes the kernel holds no lock either */
		if (compact_pause(pool, run, steps)) {
			run->class_idx--;
			return 0;
		}
	}
	pool->compaction_in_progress = false;
	run->active = false;
	pool->stats.pages_compacted += run->r.pages_freed;
	pool->stats.objs_migrated += run->r.objs_migrated;
	pool->stats.bytes_copied += run->r.bytes_copied;
	pool->stats.compactions++;
	ZS_DEEP_CHECK(pool);
	if (res)
		*res = run->r;
	return 1;
}

int zs_compact(struct zs_pool *pool, struct zs_compact_result *res)
{
	struct zs_compact_run run;
	int rc = zs_compact_begin(pool, &run);

	if (rc == -EBUSY) {
		if (res)
			*res = (struct zs_compact_result){0};
		return 0;
	}
	if (rc)
		return rc;
	zs_compact_resume(pool, &run, 0, res);
	return 0;
}

int zs_shrinker_count(struct zs_pool *pool, unsigned long *freeable_pages)
{
	unsigned long total = 0;

	if (!pool->profile->info.has_shrinker)
		return -EOPNOTSUPP;
	for (unsigned int i = 0; i < pool->nr_classes; i++) {
		const struct size_class *class = pool->size_class[i];

		if (class->index == i)
			total += zs_can_compact(class);
	}
	*freeable_pages = total;
	return 0;
}

int zs_shrinker_scan(struct zs_pool *pool, struct zs_compact_result *res)
{
	if (!pool->profile->info.has_shrinker)
		return -EOPNOTSUPP;
	return zs_compact(pool, res);
}
