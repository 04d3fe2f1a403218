/*
 * page_alloc.c - the allocation slow path, kswapd and kcompactd (see
 * page_alloc.h).
 *
 * Kernel -> ours:
 *   __alloc_pages / get_page_from_freelist   __alloc_pages, get_page (physmem_alloc)
 *   __alloc_pages_slowpath (4.7+)             __alloc_pages_slowpath
 *   __alloc_pages_slowpath (4.1-4.6)          __alloc_pages_slowpath_v41 (should_alloc_retry
 * inline)
 *   __alloc_pages_direct_compact              __alloc_pages_direct_compact
 *   try_to_compact_pages, compact_zone_order  try_to_compact_pages (kcompact_zone per zone)
 *   __alloc_pages_direct_reclaim              __alloc_pages_direct_reclaim (ops->shrink_slab)
 *   should_reclaim_retry, should_compact_retry, compaction_zonelist_suitable: same names
 *   __alloc_pages_may_oom                     __alloc_pages_may_oom (counts; kills nothing)
 *   wakeup_kswapd, wake_all_kswapds           same names; kswapd runs in kswapd_run()
 *   balance_pgdat, pgdat_balanced             same names
 *   kcompactd_do_work                         same name
 *   compaction_deferred, defer_compaction, compaction_defer_reset: kcompact.c, on pa->defer[zone]
 *
 * What reclaim can free here. SIM: the model has no LRU lists: the trace's
 * other memory (`g`/`p`) is the recorded history of a machine whose reclaim
 * already ran (its swap-outs are the trace's `p` + `w`), so reclaim does not
 * take it again. What is left is shrink_slab(), and the only shrinker is
 * zsmalloc's (4.3+, when the `shrinker` policy registers it). Its freed
 * pages go back through __free_page, which the kernel does not count in
 * nr_reclaimed (only slab pages via reclaim_state are), so reclaim in the
 * model makes no "progress" as the kernel counts it: 4.1's slow path goes
 * to the OOM killer after one round, 4.7+'s after should_reclaim_retry()
 * finds no zone that could meet its watermark, and kswapd on 4.11+ turns
 * hopeless after MAX_RECLAIM_RETRIES fruitless runs, as it does on a real
 * node with nothing on its LRU. The retry loops stay bounded either way.
 *
 * Watermark boosting (physmem_zone.c) wakes kswapd through
 * physmem_take_kswapd_wakeups(); balance_pgdat() then clears the boosts it
 * reclaimed for and wakes kcompactd at pageblock order, as 5.0+ does.
 *
 * When kswapd runs. The kernel's is a thread: woken (wake_up_interruptible
 * from wakeup_kswapd, or rmqueue's ZONE_BOOSTED_WATERMARK check), it gets
 * the CPU at the allocating task's next scheduling point. On the guests (1
 * CPU; Debian's armmp has CONFIG_PREEMPT_VOLUNTARY, its amd64
 * PREEMPT_DYNAMIC boots voluntary) that is the next might_sleep(): every
 * blocking allocation passes one in prepare_alloc_pages (might_alloc), and
 * a kswapd woken from sleep is placed behind the running task's vruntime
 * (place_entity), so check_preempt_wakeup has set need_resched. So the
 * model runs a woken kswapd at the start of the next request with
 * __GFP_DIRECT_RECLAIM, and after every trace event. This matters at the
 * brim: a fork's unmovable
 * request that steals from a movable pageblock raises the boost by a
 * pageblock (2,048 pages on the ARM guest), and the fork's next request
 * would stall on it; the guest's kswapd clears it first (balance_pgdat
 * lowers the boost even when it reclaims nothing), so the guest's probe
 * ran until the unboosted min watermark (kernel/README.md).
 * SIM: CFS can delay kswapd (a kswapd that ran a lot is not behind in
 * vruntime and waits for a tick); not modelled. kcompactd's proactive
 * compaction (5.9+) and 4.1 kswapd's compact_pgdat() (needs reclaim progress) are not
 * modelled; there is no highatomic reserve to unreserve before OOM.
 */
#include <errno.h>
#include <string.h>

#include "page_alloc.h"

#define DEF_PRIORITY		    12 /* balance_pgdat's scan priority, 12 down to 1 */
/* A bound on slow-path loops the kernel would run forever (only a test's fake progress loops). */
#define SLOWPATH_MAX_LOOPS 1024

static const struct page_alloc_era eras[] = {
    /* name, reclaim_retry (4.7), kcompactd (4.6), kswapd_hopeless (4.11),
     * ignore_block_suitable (4.10) */
    {"v3.18", false, false, false, false}, {"rfc2014", false, false, false, false},
    {"v4.1", false, false, false, false},  {"v4.3", false, false, false, false},
    {"v4.8", true, true, false, false},    {"v6.1", true, true, true, true},
    {"v6.12", true, true, true, true},
};

const struct page_alloc_era *page_alloc_era(const char *profile)
{
	for (size_t i = 0; profile && i < sizeof(eras) / sizeof(eras[0]); i++)
		if (!strcmp(profile, eras[i].profile))
			return &eras[i];
	return &eras[sizeof(eras) / sizeof(eras[0]) - 1];
}

const char *alloc_outcome_name(enum alloc_outcome o)
{
	static const char *const names[] = {"fast",	  "compaction", "reclaim",
					    "zs_compact", "oom_kill",	"failed"};

	return (unsigned int)o < ALLOC_NR_OUTCOMES ? names[o] : "?";
}

const char *alloc_stall_reason_name(enum alloc_stall_reason r)
{
	static const char *const names[] = {"none", "watermark", "fragmentation"};

	return (unsigned int)r < STALL_NR_REASONS ? names[r] : "?";
}

void page_alloc_init(struct page_alloc *pa, struct physmem *mem, const struct page_alloc_era *era,
		     const struct page_alloc_ops *ops)
{
	memset(pa, 0, sizeof(*pa));
	pa->mem = mem;
	pa->era = era ? era : page_alloc_era(NULL);
	if (ops)
		pa->ops = *ops;
}

/* enum compact_result, in the kernel's order (max() of two is the more advanced). */
enum compact_result {
	COMPACT_SKIPPED = 1,
	COMPACT_DEFERRED,
	COMPACT_CONTINUE,
	COMPACT_COMPLETE,
	COMPACT_CONTENDED,
	COMPACT_SUCCESS,
};

/* enum compact_priority: lower is more thorough. */
enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,
	COMPACT_PRIO_SYNC_LIGHT,
	COMPACT_PRIO_ASYNC,
};
#define MIN_COMPACT_PRIORITY	    COMPACT_PRIO_SYNC_FULL
#define MIN_COMPACT_COSTLY_PRIORITY COMPACT_PRIO_SYNC_LIGHT
#define DEF_COMPACT_PRIORITY	    COMPACT_PRIO_SYNC_LIGHT
#define INIT_COMPACT_PRIORITY	    COMPACT_PRIO_ASYNC

static unsigned int phys_flags(unsigned int gfp)
{
	/* without __GFP_KSWAPD_RECLAIM a boosted zone's rmqueue wakes nobody */
	return ((gfp & SIM_GFP_HIGHMEM) ? PHYSMEM_HIGHMEM : 0) |
	       ((gfp & SIM_GFP_KSWAPD_RECLAIM) ? 0 : PHYSMEM_ALLOC_NO_KSWAPD);
}

/* The zonelist: may this request use the zone? (HighMem only with __GFP_HIGHMEM) */
static bool zone_usable(const struct page_alloc *pa, unsigned int z, unsigned int gfp)
{
	struct physmem_zone_info zi;

	if (physmem_zone_info(pa->mem, z, &zi) != 0 || !zi.managed_pages)
		return false;
	return !zi.highmem || (gfp & SIM_GFP_HIGHMEM);
}

static enum compact_result from_kcompact(enum kcompact_status s)
{
	switch (s) {
	case KCOMPACT_SUCCESS:
		return COMPACT_SUCCESS;
	case KCOMPACT_COMPLETE:
		return COMPACT_COMPLETE;
	case KCOMPACT_CONTENDED: /* migrate_pages() -ENOMEM before the scanners met */
		return COMPACT_CONTENDED;
	case KCOMPACT_CONTINUE:
		return COMPACT_CONTINUE;
	default:
		return COMPACT_SKIPPED;
	}
}

/* compact_zone() of one zone, its work added to the counters. */
static enum kcompact_status compact_zone(struct page_alloc *pa, unsigned int zone,
					 unsigned int order, enum physmem_mt mt,
					 enum kcompact_mode mode, unsigned int gfp,
					 bool ignore_block_suitable)
{
	struct kcompact_control cc = {
	    .zone = zone,
	    .order = (int)order,
	    .migratetype = mt,
	    .mode = mode,
	    .alloc_flags = phys_flags(gfp),
	    .ignore_block_suitable = ignore_block_suitable,
	    .relocate = pa->ops.relocate,
	    .relocate_ctx = pa->ops.relocate_ctx,
	};
	struct kcompact_result r;

	if (kcompact_zone(pa->mem, &cc, &r) != 0)
		return KCOMPACT_SKIPPED;
	if (r.status == KCOMPACT_SKIPPED)
		return r.status;
	pa->st.kc_runs++;
	pa->st.kc_successes += r.success;
	pa->st.pages_migrated += r.pages_migrated;
	pa->st.zs_pages_migrated += r.zs_pages_migrated;
	pa->st.bytes_copied += r.bytes_copied;
	pa->st.migrate_scanned += r.migrate_scanned;
	pa->st.free_scanned += r.free_scanned;
	return r.status;
}

enum kcompact_status page_alloc_compact_zone(struct page_alloc *pa, unsigned int zone,
					     unsigned int order, enum physmem_mt mt,
					     enum kcompact_mode mode, bool ignore_defer)
{
	enum kcompact_status s;

	if (!ignore_defer && compaction_deferred(&pa->defer[zone], order)) {
		pa->st.kc_deferred++;
		return KCOMPACT_SKIPPED;
	}
	s = compact_zone(pa, zone, order, mt, mode, 0, false);
	if (s == KCOMPACT_SUCCESS)
		compaction_defer_reset(&pa->defer[zone], order, false);
	else if (mode == KCOMPACT_SYNC && s == KCOMPACT_COMPLETE)
		defer_compaction(&pa->defer[zone], order);
	return s;
}

/* ---- the free lists ---- */

/* get_page_from_freelist at the min watermark (ALLOC_WMARK_MIN), or low with wmark_low. */
static bool get_page(struct page_alloc *pa, unsigned int order, enum physmem_mt mt,
		     unsigned int gfp, bool wmark_low, unsigned long *pfn)
{
	unsigned int flags = phys_flags(gfp) | (wmark_low ? PHYSMEM_ALLOC_WMARK_LOW : 0);

	return physmem_alloc(pa->mem, order, mt, flags, pfn) == 0;
}

/* Why the fast path failed: every usable zone short of pages, or one short of a block. */
static enum alloc_stall_reason stall_reason(struct page_alloc *pa, unsigned int order,
					    unsigned int gfp)
{
	for (unsigned int z = 0; z < physmem_nr_zones(pa->mem); z++) {
		struct physmem_zone_info zi;

		if (!zone_usable(pa, z, gfp) || physmem_zone_info(pa->mem, z, &zi) != 0)
			continue;
		/* the count half of __zone_watermark_ok for this order, without the block half */
		if (physmem_watermark_ok(pa->mem, z, 0,
					 zi.wmark[PHYSMEM_WMARK_LOW] + (1ul << order) - 1,
					 phys_flags(gfp)))
			return STALL_FRAGMENTATION;
	}
	return STALL_WATERMARK;
}

/* ---- kswapd ---- */

/* pgdat_balanced: a zone up to highest_zoneidx meets its high watermark at this order. */
static bool pgdat_balanced(struct page_alloc *pa, unsigned int order, unsigned int highest)
{
	bool any = false;

	for (unsigned int z = 0; z <= highest && z < physmem_nr_zones(pa->mem); z++) {
		struct physmem_zone_info zi;

		if (physmem_zone_info(pa->mem, z, &zi) != 0 || !zi.managed_pages)
			continue;
		any = true;
		if (physmem_zone_wmark_ok(pa->mem, z, order, PHYSMEM_WMARK_HIGH, 0))
			return true;
	}
	return !any;
}

static bool zone_boosted(const struct page_alloc *pa, unsigned int zone)
{
	struct physmem_zone_info zi;

	return physmem_zone_info(pa->mem, zone, &zi) == 0 && zi.watermark_boost;
}

void wakeup_kswapd(struct page_alloc *pa, unsigned int zone, unsigned int order)
{
	if (!pa->kswapd_woken) {
		pa->kswapd_order = 0;
		pa->kswapd_highest_zoneidx = 0;
	}
	/* a hopeless node is left to direct reclaim (4.11+) */
	if (pa->era->kswapd_hopeless && pa->kswapd_failures >= MAX_RECLAIM_RETRIES)
		return;
	/* pgdat_balanced && !pgdat_watermark_boosted: nothing to do */
	if (pgdat_balanced(pa, order, zone) && !zone_boosted(pa, zone))
		return;
	if (order > pa->kswapd_order)
		pa->kswapd_order = order;
	if (zone > pa->kswapd_highest_zoneidx)
		pa->kswapd_highest_zoneidx = zone;
	if (!pa->kswapd_woken)
		pa->st.kswapd_wakeups++;
	pa->kswapd_woken = true;
}

static void wake_all_kswapds(struct page_alloc *pa, unsigned int order, unsigned int gfp)
{
	unsigned int highest = 0;

	for (unsigned int z = 0; z < physmem_nr_zones(pa->mem); z++)
		if (zone_usable(pa, z, gfp))
			highest = z;
	wakeup_kswapd(pa, highest, order);
}

static void kcompactd_do_work(struct page_alloc *pa, unsigned int order, unsigned int highest);

/* One balance_pgdat(): shrink until balanced; the shrinkers are all the model reclaims. */
static unsigned long balance_pgdat(struct page_alloc *pa, unsigned int order, unsigned int highest)
{
	unsigned long nr_reclaimed = 0, total_freed = 0;
	unsigned long zone_boosts[PHYSMEM_NR_ZONES] = {0};
	bool boosted = false;

	pa->st.pageoutrun++;
	/* the boosts this pass reclaims for (balance_pgdat's zone_boosts[]) */
	for (unsigned int z = 0; z <= highest && z < physmem_nr_zones(pa->mem); z++) {
		struct physmem_zone_info zi;

		if (physmem_zone_info(pa->mem, z, &zi) == 0 && zi.watermark_boost) {
			zone_boosts[z] = zi.watermark_boost;
			boosted = true;
		}
		physmem_set_reclaim_active(pa->mem, z, true);
	}
	for (int priority = DEF_PRIORITY; priority >= 1; priority--) {
		unsigned long freed = 0, nr;

		if (pgdat_balanced(pa, order, highest) || !pa->ops.shrink_slab)
			break;
		nr = pa->ops.shrink_slab(pa->ops.ctx, true, &freed);
		pa->st.kswapd_freed += freed;
		total_freed += freed;
		nr_reclaimed += nr;
		if (!nr && !freed)
			break; /* lower priorities would scan the same empty shrinkers again */
	}
	if (!nr_reclaimed)
		pa->kswapd_failures++;
	else
		pa->kswapd_failures = 0;
	pa->st.kswapd_failures = pa->kswapd_failures;
	for (unsigned int z = 0; z <= highest && z < physmem_nr_zones(pa->mem); z++) {
		physmem_set_reclaim_active(pa->mem, z, false);
		if (zone_boosts[z])
			physmem_clear_boost(pa->mem, z, zone_boosts[z]);
	}
	/* "As there is now likely space, wakeup kcompact to defragment pageblocks." */
	if (boosted && pa->era->kcompactd)
		kcompactd_do_work(pa, physmem_get_config(pa->mem)->pageblock_order, highest);
	return total_freed;
}

/* kcompactd_do_work: compact every zone up to highest where compaction is suitable. */
static void kcompactd_do_work(struct page_alloc *pa, unsigned int order, unsigned int highest)
{
	pa->st.kcompactd_wake++;
	for (unsigned int z = 0; z <= highest && z < physmem_nr_zones(pa->mem); z++) {
		if (!zone_usable(pa, z, SIM_GFP_HIGHMEM))
			continue;
		if (compaction_deferred(&pa->defer[z], order))
			continue;
		if (kcompact_suitable(pa->mem, z, (int)order, 0) != KCOMPACT_CONTINUE)
			continue;
		/* MIGRATE_SYNC_LIGHT, for a GFP_KERNEL (unmovable) request */
		switch (compact_zone(pa, z, order, PHYSMEM_MT_UNMOVABLE, KCOMPACT_SYNC, 0, false)) {
		case KCOMPACT_SUCCESS:
			compaction_defer_reset(&pa->defer[z], order, false);
			break;
		case KCOMPACT_COMPLETE:
			physmem_pcp_drain(pa->mem, (int)z);
			defer_compaction(&pa->defer[z], order);
			break;
		default:
			break;
		}
	}
}

void kswapd_run(struct page_alloc *pa)
{
	unsigned int order, highest;
	/* rmqueue's wakeup_kswapd(zone, 0) for zones flagged ZONE_BOOSTED_WATERMARK */
	unsigned int boosted = physmem_take_kswapd_wakeups(pa->mem);

	for (unsigned int z = 0; boosted; z++, boosted >>= 1)
		if (boosted & 1)
			wakeup_kswapd(pa, z, 0);
	if (!pa->kswapd_woken)
		return;
	order = pa->kswapd_order;
	highest = pa->kswapd_highest_zoneidx;
	pa->kswapd_woken = false;
	balance_pgdat(pa, order, highest);
	/*
	 * 4.11+: kswapd does not sleep until the node is balanced or hopeless,
	 * so an unbalanceable wakeup runs balance_pgdat until kswapd_failures
	 * reaches MAX_RECLAIM_RETRIES (prepare_kswapd_sleep).
	 */
	while (pa->era->kswapd_hopeless && !pgdat_balanced(pa, order, highest) &&
	       pa->kswapd_failures < MAX_RECLAIM_RETRIES)
		if (!balance_pgdat(pa, order, highest) && !pa->kswapd_failures)
			break; /* "progress" that frees nothing changes nothing: stop */
	/* kswapd_try_to_sleep wakes kcompactd for the order it was woken for (4.6+) */
	if (pa->era->kcompactd && order > 0)
		kcompactd_do_work(pa, order, highest);
}

/* ---- the slow path ---- */

struct slowpath {
	unsigned int order, gfp;
	enum physmem_mt mt;
	enum alloc_outcome last; /* the step that ran last: the one a page found now is due to */
	unsigned long pfn;
};

/* try_to_compact_pages: every usable zone, highest first, until one succeeds. */
static enum compact_result try_to_compact_pages(struct page_alloc *pa, struct slowpath *sp,
						enum compact_priority prio)
{
	enum compact_result rc = COMPACT_SKIPPED;

	for (int z = (int)physmem_nr_zones(pa->mem) - 1; z >= 0; z--) {
		enum compact_result status;

		if (!zone_usable(pa, (unsigned int)z, sp->gfp))
			continue;
		if (prio > MIN_COMPACT_PRIORITY &&
		    compaction_deferred(&pa->defer[(unsigned int)z], sp->order)) {
			pa->st.kc_deferred++;
			if (rc < COMPACT_DEFERRED)
				rc = COMPACT_DEFERRED;
			continue;
		}
		status = from_kcompact(compact_zone(
		    pa, (unsigned int)z, sp->order, sp->mt,
		    prio == COMPACT_PRIO_ASYNC ? KCOMPACT_ASYNC : KCOMPACT_SYNC, sp->gfp,
		    prio == MIN_COMPACT_PRIORITY && pa->era->ignore_block_suitable));
		if (status > rc)
			rc = status;
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(&pa->defer[(unsigned int)z], sp->order, false);
			break;
		}
		if (prio != COMPACT_PRIO_ASYNC && status == COMPACT_COMPLETE)
			defer_compaction(&pa->defer[(unsigned int)z], sp->order);
	}
	return rc;
}

/* __alloc_pages_direct_compact: compact, then take the page (captured or from the lists). */
static bool __alloc_pages_direct_compact(struct page_alloc *pa, struct slowpath *sp,
					 enum compact_priority prio, enum compact_result *result)
{
	if (!sp->order) {
		*result = COMPACT_SKIPPED;
		return false;
	}
	*result = try_to_compact_pages(pa, sp, prio);
	if (*result == COMPACT_SKIPPED)
		return false;
	pa->st.compact_stall++;
	sp->last = ALLOC_COMPACTION;
	if (get_page(pa, sp->order, sp->mt, sp->gfp, false, &sp->pfn)) {
		/* page_zone(page): the zone the page came from, by index into pa->defer */
		compaction_defer_reset(&pa->defer[physmem_pfn_zone_index(pa->mem, sp->pfn)], sp->order,
				       true);
		pa->st.compact_success++;
		return true;
	}
	pa->st.compact_fail++;
	return false;
}

/* __alloc_pages_direct_reclaim: shrink, then try the lists at the min watermark. */
static bool __alloc_pages_direct_reclaim(struct page_alloc *pa, struct slowpath *sp,
					 unsigned long *did_some_progress)
{
	unsigned long freed = 0;

	pa->st.allocstall++;
	*did_some_progress =
	    pa->ops.shrink_slab ? pa->ops.shrink_slab(pa->ops.ctx, false, &freed) : 0;
	pa->st.direct_freed += freed;
	/* "A successful direct reclaim run will revive a dormant kswapd." */
	if (*did_some_progress)
		pa->kswapd_failures = 0;
	sp->last = ALLOC_RECLAIM;
	/*
	 * No progress: no page, and no drain. The per-CPU lists' pages stay where they are
	 * (not free as the watermarks count): the slow path goes on to should_reclaim_retry
	 * and, at the brim, to the OOM killer with them still on the lists (the x86_64 6.12
	 * guest's OOM report: free_pcp 1,947 pages; kernel/README.md).
	 */
	if (!*did_some_progress)
		return false;
	if (get_page(pa, sp->order, sp->mt, sp->gfp, false, &sp->pfn))
		return true;
	/* pages may sit on the per-cpu lists: drain_all_pages, then try once more */
	physmem_pcp_drain(pa->mem, -1);
	return get_page(pa, sp->order, sp->mt, sp->gfp, false, &sp->pfn);
}

/*
 * should_reclaim_retry: retry while some zone could meet its min watermark
 * at this order with its free and reclaimable pages (none reclaimable here),
 * and fewer than MAX_RECLAIM_RETRIES rounds in a row made no progress.
 */
static bool should_reclaim_retry(struct page_alloc *pa, struct slowpath *sp, bool did_some_progress,
				 int *no_progress_loops)
{
	if (did_some_progress && sp->order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return false;
	for (unsigned int z = 0; z < physmem_nr_zones(pa->mem); z++)
		if (zone_usable(pa, z, sp->gfp) &&
		    physmem_zone_wmark_ok(pa->mem, z, sp->order, PHYSMEM_WMARK_MIN,
					  phys_flags(sp->gfp)))
			return true;
	return false;
}

/* compaction_zonelist_suitable: would compaction find enough order-0 pages somewhere? */
static bool compaction_zonelist_suitable(struct page_alloc *pa, struct slowpath *sp)
{
	for (unsigned int z = 0; z < physmem_nr_zones(pa->mem); z++)
		if (zone_usable(pa, z, sp->gfp) &&
		    kcompact_suitable(pa->mem, z, (int)sp->order, phys_flags(sp->gfp)) !=
			KCOMPACT_SKIPPED)
			return true;
	return false;
}

static bool should_compact_retry(struct page_alloc *pa, struct slowpath *sp,
				 enum compact_result result, enum compact_priority *prio,
				 int *compaction_retries)
{
	int max_retries = MAX_COMPACT_RETRIES;
	enum compact_priority min_priority;

	if (!sp->order)
		return false;
	if (result == COMPACT_SUCCESS) /* compaction_made_progress */
		(*compaction_retries)++;
	if (result == COMPACT_COMPLETE) /* compaction_failed */
		goto check_priority;
	if (result == COMPACT_SKIPPED) /* compaction_needs_reclaim */
		return compaction_zonelist_suitable(pa, sp);
	if (result == COMPACT_DEFERRED || result == COMPACT_CONTENDED) /* compaction_withdrawn */
		goto check_priority;
	if (sp->order > PAGE_ALLOC_COSTLY_ORDER)
		max_retries /= 4;
	if (*compaction_retries <= max_retries)
		return true;
check_priority:
	min_priority = sp->order > PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_COSTLY_PRIORITY
							   : MIN_COMPACT_PRIORITY;
	if (*prio > min_priority) {
		(*prio)--;
		*compaction_retries = 0;
		return true;
	}
	return false;
}

/*
 * The on-pgd-failure policy, a hook no kernel has: before the OOM killer,
 * compact zsmalloc and try once more (the lists, then sync compaction).
 */
static bool before_oom_hook(struct page_alloc *pa, struct slowpath *sp, bool *ran)
{
	enum compact_result r;

	if (*ran || !(sp->gfp & SIM_GFP_PGD) || !pa->ops.before_oom ||
	    !pa->ops.before_oom(pa->ops.ctx, sp->order))
		return false;
	*ran = true;
	if (!get_page(pa, sp->order, sp->mt, sp->gfp, false, &sp->pfn) &&
	    !__alloc_pages_direct_compact(pa, sp, COMPACT_PRIO_SYNC_LIGHT, &r))
		return false;
	sp->last = ALLOC_ZS_COMPACT;
	return true;
}

/*
 * __alloc_pages_may_oom: one more try at the high watermark (a parallel OOM
 * kill may have freed memory), then, for a non-costly order, the OOM
 * killer. Returns true when the request is settled (page or kill).
 */
static bool __alloc_pages_may_oom(struct page_alloc *pa, struct slowpath *sp,
				  struct alloc_result *res)
{
	for (unsigned int z = 0; z < physmem_nr_zones(pa->mem); z++)
		if (zone_usable(pa, z, sp->gfp) &&
		    physmem_zone_wmark_ok(pa->mem, z, sp->order, PHYSMEM_WMARK_HIGH,
					  phys_flags(sp->gfp)) &&
		    get_page(pa, sp->order, sp->mt, sp->gfp, false, &sp->pfn)) {
			res->outcome = sp->last;
			res->has_page = true;
			res->pfn = sp->pfn;
			return true;
		}
	if (sp->order > PAGE_ALLOC_COSTLY_ORDER)
		return false; /* "The OOM killer will not help higher order allocs" */
	pa->st.oom_kill++;
	res->outcome = ALLOC_OOM_KILL; /* the victim's memory is assumed to cover it: no frame */
	res->has_page = false;
	return true;
}

static void got_page(struct slowpath *sp, struct alloc_result *res)
{
	res->outcome = sp->last;
	res->has_page = true;
	res->pfn = sp->pfn;
}

/* 4.7+: the reclaim/compaction retry loop of 6.1 and 6.12. */
static void __alloc_pages_slowpath(struct page_alloc *pa, struct slowpath *sp,
				   struct alloc_result *res)
{
	const bool costly = sp->order > PAGE_ALLOC_COSTLY_ORDER;
	const bool direct = sp->gfp & SIM_GFP_DIRECT_RECLAIM;
	enum compact_priority prio = DEF_COMPACT_PRIORITY;
	enum compact_result compact_result = COMPACT_SKIPPED;
	int compaction_retries = 0, no_progress_loops = 0;
	bool hook_ran = false;

	if (sp->gfp & SIM_GFP_KSWAPD_RECLAIM)
		wake_all_kswapds(pa, sp->order, sp->gfp);
	if (get_page(pa, sp->order, sp->mt, sp->gfp, false, &sp->pfn))
		return got_page(sp, res);
	/* non-movable high-order and costly requests compact first, asynchronously */
	if (direct && (costly || (sp->order > 0 && sp->mt != PHYSMEM_MT_MOVABLE))) {
		if (__alloc_pages_direct_compact(pa, sp, INIT_COMPACT_PRIORITY, &compact_result))
			return got_page(sp, res);
		if (costly && (sp->gfp & SIM_GFP_NORETRY)) {
			if (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED)
				goto nopage;
			prio = INIT_COMPACT_PRIORITY;
		}
	}
	for (int loops = 0; loops < SLOWPATH_MAX_LOOPS; loops++) {
		unsigned long progress = 0;

		if (sp->gfp & SIM_GFP_KSWAPD_RECLAIM)
			wake_all_kswapds(pa, sp->order, sp->gfp);
		if (get_page(pa, sp->order, sp->mt, sp->gfp, false, &sp->pfn))
			return got_page(sp, res);
		if (!direct)
			goto nopage;
		if (__alloc_pages_direct_reclaim(pa, sp, &progress))
			return got_page(sp, res);
		if (__alloc_pages_direct_compact(pa, sp, prio, &compact_result))
			return got_page(sp, res);
		if (sp->gfp & SIM_GFP_NORETRY)
			goto nopage;
		if (costly) /* no __GFP_RETRY_MAYFAIL in the model */
			goto nopage;
		if (should_reclaim_retry(pa, sp, progress > 0, &no_progress_loops))
			continue;
		if (progress > 0 &&
		    should_compact_retry(pa, sp, compact_result, &prio, &compaction_retries))
			continue;
		if (before_oom_hook(pa, sp, &hook_ran))
			return got_page(sp, res);
		if (__alloc_pages_may_oom(pa, sp, res))
			return;
		goto nopage;
	}
	/* SIM: only reachable with a reclaim that claims progress forever (tests) */
	if (__alloc_pages_may_oom(pa, sp, res))
		return;
nopage:
	res->outcome = ALLOC_FAILED;
	res->has_page = false;
}

/*
 * 4.1-4.6: compaction (async, then sync-light), direct reclaim, and for
 * orders <= PAGE_ALLOC_COSTLY_ORDER should_alloc_retry() says retry always:
 * the OOM killer when reclaim made no progress, else round again. Costly
 * orders compact once more and fail.
 */
static void __alloc_pages_slowpath_v41(struct page_alloc *pa, struct slowpath *sp,
				       struct alloc_result *res)
{
	enum compact_priority mode = COMPACT_PRIO_ASYNC;
	enum compact_result compact_result;
	bool hook_ran = false;

	for (int loops = 0; loops < SLOWPATH_MAX_LOOPS; loops++) {
		unsigned long progress = 0;

		if (sp->gfp & SIM_GFP_KSWAPD_RECLAIM)
			wake_all_kswapds(pa, sp->order, sp->gfp);
		if (get_page(pa, sp->order, sp->mt, sp->gfp, false, &sp->pfn))
			return got_page(sp, res);
		if (!(sp->gfp & SIM_GFP_DIRECT_RECLAIM))
			break;
		if (__alloc_pages_direct_compact(pa, sp, mode, &compact_result))
			return got_page(sp, res);
		mode = COMPACT_PRIO_SYNC_LIGHT;
		if (__alloc_pages_direct_reclaim(pa, sp, &progress))
			return got_page(sp, res);
		if (!(sp->gfp & SIM_GFP_NORETRY) && sp->order <= PAGE_ALLOC_COSTLY_ORDER) {
			if (progress)
				continue;
			if (before_oom_hook(pa, sp, &hook_ran))
				return got_page(sp, res);
			if (__alloc_pages_may_oom(pa, sp, res))
				return;
			break;
		}
		/* should_alloc_retry said no: compact once more, then give up */
		if (__alloc_pages_direct_compact(pa, sp, mode, &compact_result))
			return got_page(sp, res);
		break;
	}
	res->outcome = ALLOC_FAILED;
	res->has_page = false;
}

/*
 * zram's GFP_NOIO retry of an order-0 zspage page (see page_alloc.h). The
 * kernel's slow path for it (6.1 and 6.12 alike): no compaction first
 * (order 0); each round wakes kswapd and tries the lists at min; then
 * __alloc_pages_direct_reclaim, which with no progress returns with no page
 * and without drain_all_pages; __alloc_pages_direct_compact returns at once
 * for order 0; should_reclaim_retry's zones cannot pass min with nothing
 * reclaimable; __alloc_pages_may_oom tries at high, and out_of_memory returns
 * true without a kill for a request without __GFP_FS, so did_some_progress
 * is 1 and the slow path goes round again with no_progress_loops reset: the
 * kernel's writer waits until another task frees memory above min. Nothing
 * drains the per-CPU lists on that path.
 * SIM: no other task runs inside the event and the model's reclaim makes no
 * progress, so a second round would be the first again: the model counts one
 * stall and fails the request where the kernel's writer would wait.
 */
int page_alloc_noio_retry(struct page_alloc *pa, unsigned int order, enum physmem_mt mt,
			  unsigned int gfp, struct alloc_result *res)
{
	memset(res, 0, sizeof(*res));
	/* the round's get_page_from_freelist at min */
	if (get_page(pa, order, mt, gfp, false, &res->pfn)) {
		res->outcome = ALLOC_FAST;
		res->has_page = true;
		return 0;
	}
	/* __alloc_pages_direct_reclaim: a stall, no progress, so no drain and no page */
	pa->st.allocstall++;
	res->outcome = ALLOC_FAILED;
	return -ENOMEM;
}

int __alloc_pages(struct page_alloc *pa, unsigned int order, enum physmem_mt mt, unsigned int gfp,
		  struct alloc_result *res)
{
	struct slowpath sp = {.order = order, .gfp = gfp, .mt = mt, .last = ALLOC_FAST};

	memset(res, 0, sizeof(*res));
	if (order >= physmem_get_config(pa->mem)->max_order || (unsigned int)mt >= PHYSMEM_MT_TYPES)
		return -EINVAL;
	/* might_alloc(): a woken kswapd preempts a blocking request (see the top) */
	if (gfp & SIM_GFP_DIRECT_RECLAIM)
		kswapd_run(pa);
	/* the fast path: get_page_from_freelist at the low watermark */
	if (get_page(pa, order, mt, gfp, true, &res->pfn)) {
		res->outcome = ALLOC_FAST;
		res->has_page = true;
		return 0;
	}
	res->reason = stall_reason(pa, order, gfp);
	if (pa->era->reclaim_retry)
		__alloc_pages_slowpath(pa, &sp, res);
	else
		__alloc_pages_slowpath_v41(pa, &sp, res);
	if (res->outcome == ALLOC_FAST)
		res->reason = STALL_NONE; /* the min watermark served it: no stall */
	return res->outcome == ALLOC_FAILED ? -ENOMEM : 0;
}
