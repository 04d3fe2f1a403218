/*
 * policy_targeted.c - `targeted`: zsmalloc compaction that aims at
 * contiguity, for the order-2 page directory a 32-bit ARM fork needs.
 *
 * Why. zs_compact() frees whole zspages chosen by how empty they are; where
 * their pages lie plays no part, so the frames it frees are scattered and a
 * pgd allocation that failed for want of an order-2 block still fails after
 * it (the seed's on-pgd-failure moved 28 MB in the demo and forks failed
 * nearly as often as without it). Before 4.8 nothing else can move a zspage
 * page: kernel compaction only migrates movable pages, and zsmalloc's were
 * not movable until 4.8's page migration.
 *
 * What. When the next order-2 request of the kernel would stall - no lowmem
 * zone passes the fast path's order-2 check at its low watermark although
 * one has the free pages (fragmentation, not a shortage) - scan that zone for
 * order-2-aligned windows whose used frames are all zspage pages (the rest
 * free), price each at the bytes it takes to clear (a pin's live objects
 * times their size; on 4.8+ profiles the cheaper of that and migrating the
 * pin's pages inside the window, a page each), and clear the cheapest:
 * zs_compact_zspages() empties exactly the zspages that pin it into other
 * zspages of their classes, never into one with a frame in the window, and
 * frees them; pins cheaper to migrate have their in-window pages migrated to
 * frames outside it. The freed frames go back to the buddy allocator (the
 * per-CPU lists drained, as compaction does) and merge into an order-2 block.
 * A pgd request that reaches the OOM killer anyway (the before-OOM hook,
 * where on-pgd-failure would run zs_compact) gets the same treatment first.
 *
 * The kernel change it stands for: zsmalloc exports
 * zs_compact_range(pool, pfn, nr) (empty the zspages owning a pfn range,
 * destinations outside it); a window picker walks a zone's pfns as
 * isolate_migratepages_block() does, reading PageBuddy and zsmalloc's
 * page->private (PG_private/zspage back pointer) to find windows pinned only
 * by zspage pages; kcompactd calls both when an order-2 watermark check of
 * the zone fails for fragmentation (zone_watermark_ok() false while the
 * order-0 check passes), and the page allocator's slow path calls them once
 * before the OOM killer. On 4.8+ kernels the picker may migrate a zspage
 * page through the existing movable_operations instead.
 *
 * SIM: the check runs after every event of the trace, where the kernel's
 * daemon would run on a wakeup (a free that leaves the order-2 check
 * failing, or kswapd); the model has no time between two events for a fork
 * to slip in, so the daemon never loses the race it could lose on a real
 * machine. Windows are priced in bytes copied, which for the object path is
 * "fewest live objects", weighted by their size.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "targeted.h"

const struct policy_ops policy_targeted = {
    .name = "targeted",
    .help = "when an order-2 request would stall, empty the zspages pinning the cheapest "
	    "order-2 window (all profiles with compaction)",
};

bool targeted_would_stall(const struct physmem *mem, unsigned int order, int *zone)
{
	int best = -1;

	for (unsigned int z = 0; z < physmem_nr_zones(mem); z++) {
		struct physmem_zone_info zi;

		if (physmem_zone_info(mem, z, &zi) != 0 || zi.highmem || !zi.managed_pages)
			continue;
		if (physmem_zone_wmark_ok(mem, z, order, PHYSMEM_WMARK_LOW, 0))
			return false; /* the fast path would find its block here */
		/* the count half of the check passes: pages, but no block */
		if (physmem_watermark_ok(mem, z, 0, zi.wmark[PHYSMEM_WMARK_LOW] + (1ul << order) - 1,
					 0))
			best = (int)z; /* the highest such zone: the zonelist's first */
	}
	if (zone)
		*zone = best;
	return best >= 0;
}

/* Free slots per class outside any window, counted once per scan (ULONG_MAX: not yet). */
struct room_cache {
	struct zs_pool *pool;
	unsigned long *room;
};

static unsigned long room_of(struct room_cache *rc, unsigned int class_index)
{
	if (rc->room[class_index] == ULONG_MAX)
		rc->room[class_index] = zs_class_room(rc->pool, class_index, NULL, NULL);
	return rc->room[class_index];
}

/*
 * Can every pin to be emptied find room in its class outside the window?
 * The pins' own free slots are inside the window, so they do not count.
 */
static bool pins_fit(struct room_cache *rc, const struct targeted_window *w,
		     const unsigned int *cls, const unsigned int *slots)
{
	for (unsigned int i = 0; i < w->nr_pins; i++) {
		unsigned long need = 0, inside = 0;

		if (w->pin[i].migrate)
			continue;
		for (unsigned int j = 0; j < w->nr_pins; j++) {
			if (cls[j] != cls[i])
				continue;
			inside += slots[j] - w->pin[j].inuse;
			if (!w->pin[j].migrate)
				need += w->pin[j].inuse;
		}
		if (need + inside > room_of(rc, cls[i]))
			return false;
	}
	return true;
}

/* Price window [pfn, pfn + 2^order): 0 and *w when eligible, else -1. */
static int price_window(struct physmem *mem, struct room_cache *rc, unsigned long pfn,
			unsigned int order, bool can_migrate, struct targeted_window *w)
{
	struct zs_pool *pool = rc->pool;
	unsigned long end = pfn + (1ul << order);
	unsigned long first[TARGETED_MAX_PINS]; /* a pin's identity: its zspage's first frame */
	unsigned int cls[TARGETED_MAX_PINS], slots[TARGETED_MAX_PINS];
	size_t page_size = physmem_page_size(mem);

	memset(w, 0, sizeof(*w));
	w->pfn = pfn;
	w->order = order;
	for (unsigned long f = pfn; f < end;) {
		struct physmem_block blk;
		struct zs_zspage_info zi;
		unsigned int i;

		if (physmem_block_at(mem, f, &blk) != 0)
			return -1;
		if (blk.free) {
			if (blk.order >= order)
				return -1; /* already a free block: nothing to clear */
			f = blk.head_pfn + (1ul << blk.order);
			continue;
		}
		if (blk.owner == PHYSMEM_OWNER_PCP) {
			f++;
			continue;
		}
		if (blk.owner != PHYSMEM_OWNER_ZSPAGE || blk.order != 0 ||
		    zs_zspage_info(pool, f, &zi) != 0 || zi.busy)
			return -1;
		for (i = 0; i < w->nr_pins; i++)
			if (first[i] == zi.pages[0])
				break;
		if (i == w->nr_pins) {
			struct targeted_pin *p = &w->pin[w->nr_pins++];

			first[i] = zi.pages[0];
			cls[i] = zi.class_index;
			slots[i] = zi.objs_per_zspage;
			p->pfn = f;
			p->inuse = zi.inuse;
			p->size = zi.size;
			w->objs += zi.inuse;
		}
		w->pin[i].in_window++;
		f++;
	}
	if (!w->nr_pins)
		return -1;
	for (unsigned int i = 0; i < w->nr_pins; i++) {
		struct targeted_pin *p = &w->pin[i];
		uint64_t empty = (uint64_t)p->inuse * p->size;
		uint64_t migrate = (uint64_t)p->in_window * page_size;

		p->migrate = can_migrate && migrate < empty;
		p->cost = p->migrate ? migrate : empty;
		w->cost += p->cost;
	}
	/* a pin with nowhere to go (a huge class, a class without spare slots) cannot be emptied;
	 * where migration is possible it is migrated instead, whatever it costs */
	if (!pins_fit(rc, w, cls, slots)) {
		if (!can_migrate)
			return -1;
		w->cost = 0;
		for (unsigned int i = 0; i < w->nr_pins; i++) {
			w->pin[i].migrate = true;
			w->pin[i].cost = (uint64_t)w->pin[i].in_window * page_size;
			w->cost += w->pin[i].cost;
		}
	}
	return 0;
}

static bool cheaper(const struct targeted_window *a, const struct targeted_window *b)
{
	if (a->cost != b->cost)
		return a->cost < b->cost;
	if (a->objs != b->objs)
		return a->objs < b->objs;
	return a->pfn < b->pfn;
}

int targeted_find_windows(struct physmem *mem, struct zs_pool *pool, unsigned int zone,
			  unsigned int order, bool can_migrate, struct targeted_window *out,
			  unsigned int *n)
{
	struct physmem_zone_info zi;
	unsigned long step = 1ul << order;
	struct targeted_window w;
	struct room_cache rc = {pool, NULL};

	*n = 0;
	if (order > TARGETED_MAX_ORDER || physmem_zone_info(mem, zone, &zi) != 0)
		return -EINVAL;
	rc.room = malloc(zs_class_count(pool) * sizeof(*rc.room));
	if (!rc.room)
		return -ENOMEM;
	for (unsigned int i = 0; i < zs_class_count(pool); i++)
		rc.room[i] = ULONG_MAX;
	for (unsigned long pfn = (zi.start_pfn + step - 1) & ~(step - 1); pfn + step <= zi.end_pfn;
	     pfn += step) {
		unsigned int i;

		if (price_window(mem, &rc, pfn, order, can_migrate, &w) != 0)
			continue;
		if (*n == TARGETED_CANDIDATES && !cheaper(&w, &out[*n - 1]))
			continue;
		/* insert in cost order, dropping the dearest when full */
		i = *n < TARGETED_CANDIDATES ? (*n)++ : *n - 1;
		for (; i > 0 && cheaper(&w, &out[i - 1]); i--)
			out[i] = out[i - 1];
		out[i] = w;
	}
	free(rc.room);
	return 0;
}

struct window_span {
	unsigned long start, end;
};

static bool in_window(void *ctx, unsigned long pfn)
{
	const struct window_span *s = ctx;

	return pfn >= s->start && pfn < s->end;
}

/* A HighMem frame, where a HighMem zone has free pages above its min watermark: 4.8+ zram
 * pages prefer HighMem (__GFP_HIGHMEM), and order-2 pgds never come from there. */
static bool highmem_target(struct physmem *mem, unsigned long *pfn)
{
	for (unsigned int z = 0; z < physmem_nr_zones(mem); z++) {
		struct physmem_zone_info zi;

		if (physmem_zone_info(mem, z, &zi) != 0 || !zi.highmem ||
		    zi.free_pages <= zi.wmark[PHYSMEM_WMARK_MIN] + 1)
			continue;
		if (physmem_alloc(mem, 0, PHYSMEM_MT_MOVABLE, PHYSMEM_HIGHMEM, pfn) != 0)
			return false;
		if (physmem_zone_info(mem, physmem_pfn_zone_index(mem, *pfn), &zi) == 0 &&
		    zi.highmem)
			return true;
		physmem_free(mem, *pfn, 0);
		return false;
	}
	return false;
}

/*
 * A lowmem target: the first frame of the smallest free block below the window's order,
 * outside the window, searched from the zone's end down as compaction's free scanner walks.
 * The page allocator would not do: a movable request that finds its own lists empty steals
 * the largest free block (__rmqueue_fallback), and would break the order-2 block the last
 * clearing made to clear this one. The rest of the block goes back. -ENOMEM when every free
 * block is the window's order or more (clearing would buy nothing).
 */
static int lowmem_target(struct physmem *mem, const struct window_span *s, unsigned int order,
			 unsigned long *pfn)
{
	struct physmem_zone_info zi;
	unsigned int zone = physmem_pfn_zone_index(mem, s->start);
	unsigned long best = ULONG_MAX;
	unsigned int best_order = order;
	long n;

	if (physmem_zone_info(mem, zone, &zi) != 0)
		return -EINVAL;
	for (unsigned long f = zi.end_pfn; f > zi.start_pfn && best_order;) {
		struct physmem_block blk;

		if (physmem_block_at(mem, f - 1, &blk) != 0)
			return -EINVAL;
		f = blk.head_pfn;
		if (blk.free && blk.order < best_order && (f + (1ul << blk.order) <= s->start ||
							   f >= s->end)) {
			best = f;
			best_order = blk.order;
		}
	}
	if (best == ULONG_MAX)
		return -ENOMEM;
	n = physmem_isolate_free(mem, best); /* split to single pages, as compaction takes them */
	if (n <= 0)
		return -ENOMEM; /* the zone's min watermark refused */
	for (long i = n - 1; i > 0; i--)
		physmem_free(mem, best + (unsigned long)i, 0);
	*pfn = best;
	return 0;
}

/* Migrate zspage page oldpfn to a free frame outside the window (zs_page_migrate). */
static int migrate_out(struct physmem *mem, struct zs_pool *pool, unsigned long oldpfn,
		       const struct window_span *s, unsigned int order)
{
	unsigned long newpfn = 0;
	int rc = 0;

	if (!highmem_target(mem, &newpfn)) {
		rc = lowmem_target(mem, s, order, &newpfn);
		if (rc)
			return rc;
	}
	rc = physmem_transfer_meta(mem, newpfn, oldpfn);
	if (!rc && !zs_page_isolate(pool, oldpfn))
		rc = -EBUSY;
	if (!rc) {
		rc = zs_page_migrate(pool, newpfn, oldpfn);
		if (rc)
			zs_page_putback(pool, oldpfn);
	}
	if (rc) {
		physmem_set_owner(mem, newpfn, PHYSMEM_OWNER_KERNEL, 0);
		*physmem_page_private(mem, newpfn) = NULL;
		physmem_free(mem, newpfn, 0);
		return rc;
	}
	physmem_free(mem, oldpfn, 0); /* the migration core puts the old page */
	return 0;
}

int targeted_clear_window(struct physmem *mem, struct zs_pool *pool,
			  const struct targeted_window *w, struct targeted_result *res)
{
	struct window_span s = {w->pfn, w->pfn + (1ul << w->order)};
	unsigned long src[TARGETED_MAX_PINS];
	struct zs_compact_result r = {0};
	unsigned int nsrc = 0;
	size_t page_size = physmem_page_size(mem);
	struct physmem_block blk;
	int rc;

	for (unsigned int i = 0; i < w->nr_pins; i++)
		if (!w->pin[i].migrate)
			src[nsrc++] = w->pin[i].pfn; /* in frame order: the source by position */
	if (nsrc) {
		rc = zs_compact_zspages(pool, src, nsrc, in_window, &s, &r);
		if (rc)
			return rc;
		res->zspages_freed += r.zspages_freed;
		res->objs_migrated += r.objs_migrated;
		res->bytes_copied += r.bytes_copied;
		res->pages_freed += r.pages_freed;
	}
	for (unsigned long f = s.start; f < s.end; f++) {
		struct zs_zspage_info zi;

		if (physmem_block_at(mem, f, &blk) != 0 || blk.free ||
		    blk.owner != PHYSMEM_OWNER_ZSPAGE || zs_zspage_info(pool, f, &zi) != 0)
			continue;
		rc = migrate_out(mem, pool, f, &s, w->order);
		if (rc)
			return rc;
		res->pages_migrated++;
		res->bytes_copied += page_size;
	}
	/* drain_all_pages: frames freed onto per-CPU lists go back to the buddy and merge */
	physmem_pcp_drain(mem, -1);
	if (physmem_block_at(mem, s.start, &blk) != 0 || !blk.free || blk.order < w->order)
		return -EAGAIN;
	res->windows++;
	return 0;
}

unsigned int targeted_run(struct physmem *mem, struct zs_pool *pool, unsigned int order,
			  unsigned int max_windows, struct targeted_defer *defer,
			  struct targeted_result *res)
{
	const struct zs_profile_info *pi = zs_pool_profile(pool);
	unsigned int done = 0;
	bool stuck = false;
	int zone;

	if (!pi->has_compaction || order > TARGETED_MAX_ORDER)
		return 0;
	if (defer && defer->defer_shift && targeted_would_stall(mem, order, NULL) &&
	    ++defer->considered < (1ul << defer->defer_shift))
		return 0; /* compaction_deferred() */
	while (done < max_windows && targeted_would_stall(mem, order, &zone)) {
		struct targeted_window cand[TARGETED_CANDIDATES];
		unsigned int n = 0, i;

		physmem_pcp_drain(mem, zone);
		if (!targeted_would_stall(mem, order, &zone))
			break; /* the drain merged a block */
		targeted_find_windows(mem, pool, (unsigned int)zone, order, pi->has_migration, cand,
				      &n);
		for (i = 0; i < n; i++) {
			if (targeted_clear_window(mem, pool, &cand[i], res) == 0)
				break;
			res->refused++;
		}
		if (i == n) {
			stuck = true; /* no window can be cleared */
			break;
		}
		done++;
	}
	if (defer && stuck && !done) { /* defer_compaction() */
		defer->considered = 0;
		if (defer->defer_shift < TARGETED_MAX_DEFER_SHIFT)
			defer->defer_shift++;
	} else if (defer && done) { /* compaction_defer_reset() */
		defer->considered = 0;
		defer->defer_shift = 0;
	}
	return done;
}
