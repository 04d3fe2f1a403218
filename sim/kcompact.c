/*
 * kcompact.c - memory compaction of one zone (see kcompact.h), following
 * Linux 6.1 mm/compaction.c compact_zone(), and the zone's compaction
 * deferral (compaction_deferred, defer_compaction, compaction_defer_reset).
 *
 * Kept from the kernel
 *   - compaction_suitable (watermark + compact_gap, fragindex threshold 500
 *     for orders above PAGE_ALLOC_COSTLY_ORDER).
 *   - compact_finished: scanners met when the free scanner's pageblock is at
 *     or below the migrate scanner's; for an order, success is only checked
 *     on pageblock boundaries of the migrate scanner, and means a free block
 *     of at least the order on the request type's lists or one that
 *     find_suitable_fallback(only_stealable) would hand over.
 *   - isolate_migratepages: pageblock by pageblock upward, below the free
 *     scanner; async direct compaction takes only pageblocks of the
 *     request's type (MOVABLE for movable requests) and gives up an
 *     order-aligned chunk at the first page it cannot isolate, putting back
 *     what it isolated there; at most COMPACT_CLUSTER_MAX (32) pages per
 *     round, free blocks skipped whole.
 *   - isolate_freepages: pageblock by pageblock downward from the last one,
 *     above the migrate scanner's pageblock; only MOVABLE pageblocks (any
 *     type with ignore_block_suitable) whose first page is not a free block
 *     of pageblock order or more; each free
 *     block is taken whole (__isolate_free_page, with its min + 2^order
 *     watermark) and split to single pages; stops once it holds as many
 *     targets as there are pages to move, remembering where to resume.
 *   - targets are used last-isolated first (split_map_pages builds the list
 *     by list_add); a failed target goes back to the front.
 *   - migrate failure: with no target left before the scanners meet the run
 *     ends as CONTENDED; other failures put the page back, and async direct
 *     compaction then skips to the end of the order-aligned chunk.
 *   - leftover targets are freed at the end (release_freepages).
 *
 * SIM: every run starts at the zone's ends (whole_zone): no cached scanner
 *      positions, no pageblock skip bits, no fast_isolate_freepages /
 *      fast_find_migrateblock, no capture of the freed page.
 * SIM: one migration attempt per page (the kernel retries -EAGAIN up to 10
 *      times in sync modes).
 * SIM: scanned counts are per block head (a free block counts 1, an
 *      allocated multi-page block 1), plus the pages of each isolated free
 *      block for the free scanner.
 * SIM: migrated pages are freed straight into the buddy lists (the kernel's
 *      go through the per-CPU lists).
 */
#include "kcompact.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmstat.h"
#include "zsmalloc.h"

#define COMPACT_CLUSTER_MAX	32
#define PAGE_ALLOC_COSTLY_ORDER 3
#define EXTFRAG_THRESHOLD	500 /* sysctl_extfrag_threshold */

struct kc {
	struct physmem *pm;
	const struct kcompact_control *cc;
	struct kcompact_result *res;
	unsigned long zstart, zend; /* pfns */
	unsigned long pb;	    /* pages per pageblock */
	unsigned int pb_order;
	unsigned int max_order;
	bool direct; /* order >= 0 */
	unsigned long migrate_pfn, free_pfn;
	unsigned long migrate[COMPACT_CLUSTER_MAX]; /* isolated source pfns */
	unsigned int nr_migrate;
	unsigned long *freepages; /* isolated target pfns, a stack */
	size_t nr_free, cap_free;
	size_t page_size; /* bytes */
};

const char *kcompact_status_name(enum kcompact_status st)
{
	switch (st) {
	case KCOMPACT_SKIPPED:
		return "skipped";
	case KCOMPACT_CONTINUE:
		return "continue";
	case KCOMPACT_SUCCESS:
		return "success";
	case KCOMPACT_COMPLETE:
		return "complete";
	case KCOMPACT_CONTENDED:
		return "contended";
	}
	return "?";
}

enum kcompact_status kcompact_suitable(const struct physmem *pm, unsigned int zone, int order,
				       unsigned int alloc_flags)
{
	struct physmem_zone_info zi;
	unsigned long mark;
	int fragindex;

	if (order < 0)
		return KCOMPACT_CONTINUE;
	if (physmem_zone_info(pm, zone, &zi))
		return KCOMPACT_SKIPPED;
	mark = zi.wmark[(alloc_flags & PHYSMEM_ALLOC_WMARK_LOW) ? PHYSMEM_WMARK_LOW
								: PHYSMEM_WMARK_MIN];
	if (physmem_watermark_ok(pm, zone, (unsigned int)order, mark, alloc_flags))
		return KCOMPACT_SUCCESS;
	mark = order > PAGE_ALLOC_COSTLY_ORDER ? zi.wmark[PHYSMEM_WMARK_LOW]
					       : zi.wmark[PHYSMEM_WMARK_MIN];
	mark += 2ul << order; /* compact_gap */
	if (!physmem_watermark_ok(pm, zone, 0, mark, alloc_flags))
		return KCOMPACT_SKIPPED;
	if (order > PAGE_ALLOC_COSTLY_ORDER &&
	    !vmstat_zone_fragmentation_index(pm, (int)zone, (unsigned int)order, &fragindex) &&
	    fragindex >= 0 && fragindex <= EXTFRAG_THRESHOLD)
		return KCOMPACT_SKIPPED;
	return KCOMPACT_CONTINUE;
}

static inline unsigned long pb_start(const struct kc *kc, unsigned long pfn)
{
	return pfn & ~(kc->pb - 1);
}

static inline bool scanners_met(const struct kc *kc)
{
	return (kc->free_pfn >> kc->pb_order) <= (kc->migrate_pfn >> kc->pb_order);
}

static enum kcompact_status compact_finished(const struct kc *kc)
{
	const struct kcompact_control *cc = kc->cc;

	if (scanners_met(kc))
		return KCOMPACT_COMPLETE;
	if (!kc->direct)
		return KCOMPACT_CONTINUE;
	/* always finish a pageblock before declaring success */
	if (kc->migrate_pfn & (kc->pb - 1))
		return KCOMPACT_CONTINUE;
	for (unsigned int o = (unsigned int)cc->order; o < kc->max_order; o++) {
		bool can_steal;

		if (physmem_nr_free_mt(kc->pm, cc->zone, o, cc->migratetype))
			return KCOMPACT_SUCCESS;
		if (physmem_find_suitable_fallback(kc->pm, cc->zone, o, cc->migratetype, true,
						   &can_steal) != -1)
			return KCOMPACT_SUCCESS;
	}
	return KCOMPACT_CONTINUE;
}

/* Can this allocated block be isolated for migration by this run? */
static bool source_movable(const struct kc *kc, const struct physmem_block *blk)
{
	if (!physmem_block_movable(blk))
		return false;
	return blk->owner == PHYSMEM_OWNER_ZSPAGE || kc->cc->relocate != NULL;
}

static void putback(struct kc *kc)
{
	for (unsigned int i = 0; i < kc->nr_migrate; i++) {
		struct physmem_block blk;

		if (!physmem_block_at(kc->pm, kc->migrate[i], &blk) && !blk.free &&
		    blk.owner == PHYSMEM_OWNER_ZSPAGE && blk.pool)
			zs_page_putback(blk.pool, kc->migrate[i]);
	}
	kc->nr_migrate = 0;
}

/* block_end_pfn(pfn, order): end of the 2^order-aligned chunk holding pfn. */
static inline unsigned long chunk_end(unsigned long pfn, int order)
{
	unsigned long n = 1ul << order;

	return (pfn + n) & ~(n - 1);
}

/* isolate_migratepages_block: returns where the scan stopped. */
static unsigned long isolate_migratepages_block(struct kc *kc, unsigned long low, unsigned long end)
{
	bool skip_on_failure = kc->direct && kc->cc->mode == KCOMPACT_ASYNC;
	unsigned long next_skip = skip_on_failure ? chunk_end(low, kc->cc->order) : 0;
	unsigned int nr_isolated = 0;

	while (low < end) {
		struct physmem_block blk;
		unsigned long next;

		if (skip_on_failure && low >= next_skip) {
			if (nr_isolated)
				break; /* a whole chunk is isolated: migrate it now */
			next_skip = chunk_end(low, kc->cc->order);
		}
		if (physmem_block_at(kc->pm, low, &blk))
			break;
		kc->res->migrate_scanned++;
		next = blk.head_pfn + (1ul << blk.order);
		if (blk.free) {
			low = next;
			continue;
		}
		if (blk.head_pfn == low && source_movable(kc, &blk) &&
		    (blk.owner != PHYSMEM_OWNER_ZSPAGE || zs_page_isolate(blk.pool, low))) {
			kc->migrate[kc->nr_migrate++] = low;
			kc->res->pages_isolated++;
			nr_isolated++;
			low++;
			if (kc->nr_migrate >= COMPACT_CLUSTER_MAX)
				break;
			continue;
		}
		/* isolate_fail */
		if (!skip_on_failure) {
			low = next;
			continue;
		}
		if (nr_isolated) {
			putback(kc);
			nr_isolated = 0;
		}
		if (low < next_skip) {
			low = next_skip;
			next_skip += 1ul << kc->cc->order;
		}
		if (low < next)
			low = next;
	}
	return low < end ? low : end;
}

static bool suitable_source(const struct kc *kc, unsigned long block_start)
{
	enum physmem_mt bmt;

	if (kc->cc->mode != KCOMPACT_ASYNC || !kc->direct)
		return true;
	bmt = physmem_pageblock_mt(kc->pm, block_start);
	if (kc->cc->migratetype == PHYSMEM_MT_MOVABLE) /* is_migrate_movable: CMA too */
		return bmt == PHYSMEM_MT_MOVABLE || bmt == PHYSMEM_MT_CMA;
	return bmt == kc->cc->migratetype;
}

/* isolate_migratepages: one pageblock's worth (or COMPACT_CLUSTER_MAX pages). */
static bool isolate_migratepages(struct kc *kc)
{
	unsigned long low = kc->migrate_pfn;
	unsigned long block_start = pb_start(kc, low);
	unsigned long block_end = block_start + kc->pb;

	if (block_start < kc->zstart)
		block_start = kc->zstart;
	for (; block_end <= kc->free_pfn;
	     kc->migrate_pfn = low = block_end, block_start = block_end, block_end += kc->pb) {
		if (!suitable_source(kc, block_start))
			continue;
		low = isolate_migratepages_block(kc, low, block_end);
		kc->migrate_pfn = low;
		break;
	}
	return kc->nr_migrate > 0;
}

static int push_free(struct kc *kc, unsigned long pfn)
{
	if (kc->nr_free == kc->cap_free) {
		size_t cap = kc->cap_free ? kc->cap_free * 2 : 64;
		unsigned long *p = realloc(kc->freepages, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		kc->freepages = p;
		kc->cap_free = cap;
	}
	kc->freepages[kc->nr_free++] = pfn;
	return 0;
}

static bool suitable_target(const struct kc *kc, unsigned long block_start)
{
	struct physmem_block blk;

	if (!physmem_block_at(kc->pm, block_start, &blk) && blk.free &&
	    blk.head_pfn == block_start && blk.order >= kc->pb_order)
		return false;
	if (kc->cc->ignore_block_suitable)
		return true;
	/* is_migrate_movable: Movable and CMA pageblocks take migrated pages */
	return physmem_pageblock_mt(kc->pm, block_start) == PHYSMEM_MT_MOVABLE ||
	       physmem_pageblock_mt(kc->pm, block_start) == PHYSMEM_MT_CMA;
}

/* isolate_freepages_block: returns where the scan stopped. */
static unsigned long isolate_freepages_block(struct kc *kc, unsigned long p, unsigned long end)
{
	while (p < end) {
		struct physmem_block blk;
		long n;

		if (physmem_block_at(kc->pm, p, &blk))
			break;
		kc->res->free_scanned++;
		if (!blk.free || blk.head_pfn != p) {
			p = blk.head_pfn + (1ul << blk.order);
			continue;
		}
		n = physmem_isolate_free(kc->pm, p);
		if (n <= 0)
			break; /* the watermark refused */
		kc->res->free_scanned += (uint64_t)n - 1;
		kc->res->free_isolated += (uint64_t)n;
		for (long i = 0; i < n; i++) {
			if (push_free(kc, p + (unsigned long)i)) {
				/* no memory for the list: give the rest back */
				for (long j = i; j < n; j++)
					physmem_free(kc->pm, p + (unsigned long)j, 0);
				return p;
			}
		}
		p += (unsigned long)n;
		if (kc->nr_free >= kc->nr_migrate)
			break;
	}
	return p < end ? p : end;
}

static void isolate_freepages(struct kc *kc)
{
	long isolate_start = (long)kc->free_pfn;
	long block_start = (long)pb_start(kc, kc->free_pfn);
	long block_end = block_start + (long)kc->pb;
	long low = (long)(pb_start(kc, kc->migrate_pfn) + kc->pb);

	if (block_end > (long)kc->zend)
		block_end = (long)kc->zend;
	for (; block_start >= low && block_start >= (long)kc->zstart;
	     block_end = block_start, block_start -= (long)kc->pb, isolate_start = block_start) {
		if (!suitable_target(kc, (unsigned long)block_start))
			continue;
		isolate_start = (long)isolate_freepages_block(kc, (unsigned long)isolate_start,
							      (unsigned long)block_end);
		if (kc->nr_free >= kc->nr_migrate) {
			if (isolate_start >= block_end)
				isolate_start = block_start - (long)kc->pb;
			break;
		} else if (isolate_start < block_end) {
			break;
		}
	}
	kc->free_pfn = isolate_start > 0 ? (unsigned long)isolate_start : 0;
}

/* Move one isolated page into an isolated free frame; 0 or an error. */
static int migrate_one(struct kc *kc, unsigned long src, unsigned long dst)
{
	struct physmem *pm = kc->pm;
	struct physmem_block blk;
	int rc;

	if (physmem_block_at(pm, src, &blk) || blk.free)
		return -EINVAL;
	rc = physmem_transfer_meta(pm, dst, src);
	if (rc)
		return rc;
	physmem_host_touching(pm, dst); /* the contents are copied there next */
	if (blk.owner == PHYSMEM_OWNER_ZSPAGE) {
		rc = zs_page_migrate(blk.pool, dst, src);
		if (!rc)
			kc->res->zs_pages_migrated++;
	} else {
		void *to = physmem_page_address(pm, dst), *from = physmem_page_address(pm, src);

		if (to && from) /* no bytes to move on a machine without host memory */
			memcpy(to, from, kc->page_size);
		rc = kc->cc->relocate(kc->cc->relocate_ctx, src, dst, blk.tag);
	}
	if (rc) {
		/* back to a bare target */
		physmem_set_owner(pm, dst, PHYSMEM_OWNER_ISOLATED, 0);
		*physmem_page_private(pm, dst) = NULL;
		return rc;
	}
	/* the migration core puts the old page */
	if (!physmem_block_at(pm, src, &blk) && !blk.free && blk.head_pfn == src)
		physmem_free(pm, src, 0);
	kc->res->pages_migrated++;
	kc->res->bytes_copied += kc->page_size;
	return 0;
}

/* migrate_pages with compaction_alloc/compaction_free: -ENOMEM, failures, or 0. */
static int migrate_pages(struct kc *kc)
{
	int failed = 0;

	for (unsigned int i = 0; i < kc->nr_migrate; i++) {
		unsigned long src = kc->migrate[i], dst;
		struct physmem_block blk;
		bool zs;

		if (!kc->nr_free) {
			isolate_freepages(kc);
			if (!kc->nr_free) {
				/* what is left stays isolated for the caller's putback */
				memmove(kc->migrate, kc->migrate + i,
					(kc->nr_migrate - i) * sizeof(kc->migrate[0]));
				kc->nr_migrate -= i;
				kc->res->migrate_failed += kc->nr_migrate;
				return -ENOMEM;
			}
		}
		dst = kc->freepages[--kc->nr_free];
		zs = !physmem_block_at(kc->pm, src, &blk) && blk.owner == PHYSMEM_OWNER_ZSPAGE;
		if (migrate_one(kc, src, dst)) {
			kc->freepages[kc->nr_free++] = dst; /* compaction_free */
			if (zs && blk.pool)
				zs_page_putback(blk.pool, src);
			kc->res->migrate_failed++;
			failed++;
		}
	}
	kc->nr_migrate = 0;
	return failed;
}

int kcompact_zone(struct physmem *pm, const struct kcompact_control *cc,
		  struct kcompact_result *res)
{
	struct physmem_zone_info zi;
	struct kc kc;
	enum kcompact_status st;

	memset(res, 0, sizeof(*res));
	if (!cc || physmem_zone_info(pm, cc->zone, &zi) || cc->order < -1 ||
	    cc->order >= (int)physmem_get_config(pm)->max_order ||
	    (unsigned int)cc->migratetype >= PHYSMEM_MT_TYPES)
		return -EINVAL;

	st = kcompact_suitable(pm, cc->zone, cc->order, cc->alloc_flags);
	if (st == KCOMPACT_SUCCESS || st == KCOMPACT_SKIPPED) {
		res->status = st;
		res->success = st == KCOMPACT_SUCCESS;
		return 0;
	}

	memset(&kc, 0, sizeof(kc));
	kc.pm = pm;
	kc.cc = cc;
	kc.res = res;
	kc.zstart = zi.start_pfn;
	kc.zend = zi.end_pfn;
	kc.pb_order = physmem_get_config(pm)->pageblock_order;
	kc.pb = 1ul << kc.pb_order;
	kc.max_order = physmem_get_config(pm)->max_order;
	kc.direct = cc->order >= 0;
	kc.page_size = physmem_page_size(pm);
	kc.migrate_pfn = kc.zstart;
	kc.free_pfn = pb_start(&kc, kc.zend - 1);

	while ((st = compact_finished(&kc)) == KCOMPACT_CONTINUE) {
		int err;

		if (!isolate_migratepages(&kc))
			continue;
		err = migrate_pages(&kc);
		if (!err)
			continue;
		putback(&kc);
		if (err == -ENOMEM && !scanners_met(&kc)) {
			st = KCOMPACT_CONTENDED;
			break;
		}
		if (kc.direct && cc->mode == KCOMPACT_ASYNC)
			kc.migrate_pfn = chunk_end(kc.migrate_pfn - 1, cc->order);
	}

	/* release_freepages */
	while (kc.nr_free)
		physmem_free(pm, kc.freepages[--kc.nr_free], 0);
	free(kc.freepages);
	res->status = st;
	res->success = st == KCOMPACT_SUCCESS;
	return 0;
}

/* ---- deferral (compaction_deferred, defer_compaction, compaction_defer_reset) ---- */

bool compaction_deferred(struct kcompact_defer *d, unsigned int order)
{
	unsigned long limit = 1UL << d->defer_shift;

	if (order < d->order_failed)
		return false;
	if (++d->considered >= limit) {
		d->considered = limit;
		return false;
	}
	return true;
}

void defer_compaction(struct kcompact_defer *d, unsigned int order)
{
	d->considered = 0;
	if (d->defer_shift < KCOMPACT_MAX_DEFER_SHIFT)
		d->defer_shift++;
	if (order < d->order_failed)
		d->order_failed = order;
}

void compaction_defer_reset(struct kcompact_defer *d, unsigned int order, bool alloc_success)
{
	if (alloc_success) {
		d->considered = 0;
		d->defer_shift = 0;
	}
	if (order >= d->order_failed)
		d->order_failed = order + 1;
}
