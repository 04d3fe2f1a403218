/*
 * page_alloc.h - the page allocator's slow path, kswapd and kcompactd over
 * the emulated physical memory, for the requests the replay engine makes on
 * behalf of the kernel (a fork's pages). Named after Linux mm/page_alloc.c
 * and mm/vmscan.c: __alloc_pages(), __alloc_pages_slowpath(),
 * should_reclaim_retry(), should_compact_retry(), __alloc_pages_may_oom(),
 * wakeup_kswapd(), balance_pgdat(). Which slow path runs depends on the
 * kernel the profile names (see struct page_alloc_era).
 *
 * It never prints; what it did is counted in struct page_alloc_stats with
 * /proc/vmstat's names.
 */
#ifndef ZSFRAG_SIM_PAGE_ALLOC_H
#define ZSFRAG_SIM_PAGE_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "kcompact.h"
#include "physmem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's PAGE_ALLOC_COSTLY_ORDER and MAX_RECLAIM_RETRIES / MAX_COMPACT_RETRIES. */
#define PAGE_ALLOC_COSTLY_ORDER 3
#define MAX_RECLAIM_RETRIES	16
#define MAX_COMPACT_RETRIES	16

/* What differs between the kernels the profiles name, on the page allocator's side. */
struct page_alloc_era {
	const char *profile;
	/*
	 * 4.7+ (Michal Hocko's OOM detection rework): should_reclaim_retry()
	 * and should_compact_retry() decide; before, should_alloc_retry()
	 * retried every order <= PAGE_ALLOC_COSTLY_ORDER forever and called the
	 * OOM killer whenever direct reclaim made no progress.
	 */
	bool reclaim_retry;
	bool kcompactd;	      /* 4.6+: kswapd wakes kcompactd before it sleeps */
	bool kswapd_hopeless; /* 4.11+: kswapd gives up after MAX_RECLAIM_RETRIES fruitless runs */
	/* 4.10+: direct compaction at MIN_COMPACT_PRIORITY takes free pages of any pageblock as
	 * migration targets (compact_control.ignore_block_suitable) */
	bool ignore_block_suitable;
};
/* The era of a profile name (unknown names: the newest). */
const struct page_alloc_era *page_alloc_era(const char *profile);

/* What one request may do (a reduced gfp_t). */
#define SIM_GFP_HIGHMEM	       0x1u  /* __GFP_HIGHMEM: HighMem first, lowmem as fallback */
#define SIM_GFP_DIRECT_RECLAIM 0x2u  /* __GFP_DIRECT_RECLAIM: may stall in reclaim/compaction */
#define SIM_GFP_KSWAPD_RECLAIM 0x4u  /* __GFP_KSWAPD_RECLAIM: may wake kswapd */
#define SIM_GFP_NORETRY	       0x8u  /* __GFP_NORETRY: one round of the slow path, then fail */
#define SIM_GFP_PGD	       0x10u /* a fork's page directory: the on-pgd-failure hook applies */
#define SIM_GFP_KERNEL	       (SIM_GFP_DIRECT_RECLAIM | SIM_GFP_KSWAPD_RECLAIM)

/*
 * How a request was satisfied: the slow-path step after which the page was
 * found (a fork's outcome is the most severe of its requests', in this order).
 */
enum alloc_outcome {
	ALLOC_FAST, /* the free lists, at the low or (after waking kswapd) the min watermark */
	ALLOC_COMPACTION, /* after direct compaction */
	ALLOC_RECLAIM,	  /* after direct reclaim (which ran the shrinkers) */
	ALLOC_ZS_COMPACT, /* after the on-pgd-failure hook's zs_compact (not a kernel stage) */
	ALLOC_OOM_KILL,	  /* only after the OOM killer ran: see __alloc_pages_may_oom */
	ALLOC_FAILED,	  /* no page: a costly order, __GFP_NORETRY, or no direct reclaim */
	ALLOC_NR_OUTCOMES,
};
/* "fast", "compaction", "reclaim", "zs_compact", "oom_kill", "failed": the results' keys. */
const char *alloc_outcome_name(enum alloc_outcome o);

/* Why a request left the fast path (issue: watermark is not fragmentation). */
enum alloc_stall_reason {
	STALL_NONE,	     /* it did not */
	STALL_WATERMARK,     /* every usable zone was below its low watermark even for one page */
	STALL_FRAGMENTATION, /* a zone had the free pages, but no free block of the order */
	STALL_NR_REASONS,
};
const char *alloc_stall_reason_name(enum alloc_stall_reason r); /* "watermark", "fragmentation" */

/* The caller's side of reclaim and of the policy hooks. */
struct page_alloc_ops {
	void *ctx;
	/*
	 * shrink_slab(): run the registered shrinkers (the model's only one is
	 * zsmalloc's). Returns the pages reclaim may count as progress
	 * (nr_reclaimed); *freed is every page the shrinkers gave back.
	 */
	unsigned long (*shrink_slab)(void *ctx, bool kswapd, unsigned long *freed);
	/* The on-pgd-failure hook, before the OOM killer: true when it ran. */
	bool (*before_oom)(void *ctx, unsigned int order);
	kcompact_relocate_fn relocate; /* user pages compaction moves */
	void *relocate_ctx;
};

/* Counters, named as /proc/vmstat names them. */
struct page_alloc_stats {
	uint64_t allocstall;	  /* direct reclaim runs */
	uint64_t compact_stall;	  /* direct compaction runs (not skipped) */
	uint64_t compact_success; /* ... after which the allocation succeeded */
	uint64_t compact_fail;
	uint64_t oom_kill;	  /* OOM killer invocations the model assumed */
	uint64_t pageoutrun;	  /* kswapd balance_pgdat() runs */
	uint64_t kswapd_wakeups;  /* wakeup_kswapd() calls that woke it */
	uint64_t kswapd_freed;	  /* pages kswapd's shrinkers gave back */
	uint64_t direct_freed;	  /* pages direct reclaim's shrinkers gave back */
	uint64_t kcompactd_wake;  /* kcompactd runs */
	uint64_t kswapd_failures; /* pgdat->kswapd_failures now */
	/* kernel compaction work, direct and kcompactd */
	uint64_t kc_runs, kc_successes, kc_deferred;
	uint64_t pages_migrated, zs_pages_migrated, bytes_copied;
	uint64_t migrate_scanned, free_scanned;
};

/* The node: one pgdat over the physmem's zones. */
struct page_alloc {
	struct physmem *mem;
	struct page_alloc_ops ops;
	const struct page_alloc_era *era;
	struct kcompact_defer defer[PHYSMEM_NR_ZONES]; /* each zone's compaction deferral */
	bool kswapd_woken;		     /* a wakeup is pending: kswapd runs after the event */
	unsigned int kswapd_order;	     /* pgdat->kswapd_order */
	unsigned int kswapd_highest_zoneidx; /* pgdat->kswapd_highest_zoneidx */
	unsigned int kswapd_failures;	     /* pgdat->kswapd_failures */
	struct page_alloc_stats st;
};

void page_alloc_init(struct page_alloc *pa, struct physmem *mem, const struct page_alloc_era *era,
		     const struct page_alloc_ops *ops);

struct alloc_result {
	enum alloc_outcome outcome;
	enum alloc_stall_reason reason;
	bool has_page;	   /* false after an OOM kill (see __alloc_pages) or a failure */
	unsigned long pfn; /* first frame, when has_page */
};

/*
 * Allocate 2^order frames of type mt through the fast path and, if that
 * fails, __alloc_pages_slowpath(). 0 with res filled (res->outcome says how;
 * ALLOC_FAILED returns -ENOMEM), -EINVAL for a bad order or type.
 *
 * SIM: the OOM killer cannot kill a process of a recorded trace. An
 * allocation that reaches it counts one OOM kill and is taken as satisfied
 * by the victim's memory without a frame (has_page false): the victim's
 * freed pages are assumed to cover it exactly, so free memory is what it
 * was before the request. The trace's own frees of the "victim" still
 * happen when the trace says.
 */
int __alloc_pages(struct page_alloc *pa, unsigned int order, enum physmem_mt mt, unsigned int gfp,
		  struct alloc_result *res);

/*
 * wakeup_kswapd() for an allocation that found a zone below its low
 * watermark (or a boosted one): records the order and zone; kswapd then
 * runs in kswapd_run(), which the engine calls after the event and
 * __alloc_pages at the start of a request that may block.
 */
void wakeup_kswapd(struct page_alloc *pa, unsigned int zone, unsigned int order);
/* Run kswapd if woken: balance_pgdat(), then kcompactd where the era has it. */
void kswapd_run(struct page_alloc *pa);

/*
 * zram's GFP_NOIO retry of a zspage page (zram_write_page after
 * zcomp_stream_put, 4.7+), after a first try without direct reclaim failed:
 * a try at the min watermark, then a direct reclaim (allocstall) that makes
 * no progress, so, as in the kernel's __alloc_pages_direct_reclaim, the
 * per-CPU lists are not drained. 0 with res filled (outcome ALLOC_FAST: the
 * page came at min), -ENOMEM. No OOM kill: GFP_NOIO has no __GFP_FS, and the
 * kernel's slow path loops until memory is freed; SIM: the model fails the
 * request there (page_alloc.c). The retry's kswapd wakeup and shrink_slab
 * (zsmalloc's shrinker on the pool that is allocating) are not run inside
 * zs_malloc; kswapd runs after the event.
 */
int page_alloc_noio_retry(struct page_alloc *pa, unsigned int order, enum physmem_mt mt,
			  unsigned int gfp, struct alloc_result *res);

/* Direct compaction of one zone at a mode, with the zone's deferral (for tests and the engine). */
enum kcompact_status page_alloc_compact_zone(struct page_alloc *pa, unsigned int zone,
					     unsigned int order, enum physmem_mt mt,
					     enum kcompact_mode mode, bool ignore_defer);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_SIM_PAGE_ALLOC_H */
