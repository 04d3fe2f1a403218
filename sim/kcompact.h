/*
 * kcompact.h - the kernel's memory compaction (Linux 6.1 mm/compaction.c)
 * over one zone of the emulated physical memory, and its deferral.
 *
 * A migrate scanner walks the zone upward from its first pageblock and
 * isolates movable pages; a free scanner walks downward from the last
 * pageblock and isolates free pages in MOVABLE pageblocks as targets; the
 * movable pages are moved into the targets. Compaction for an order stops
 * when a free block usable for the request exists (compact_finished) or the
 * scanners meet. What is movable:
 *   - zsmalloc pages of pools that called set_movable (zs_provider), moved
 *     through zs_page_isolate / zs_page_migrate / zs_page_putback;
 *   - order-0 MOVABLE pages owned by PHYSMEM_OWNER_USER, when the caller
 *     gives a relocate callback (compaction copies the bytes, moves the
 *     owner and tag, then tells the caller the new pfn).
 * Nothing else (kernel, pgd, unmovable or reclaimable users, zsmalloc pages
 * without a pool, multi-page user blocks) is ever moved.
 */
#ifndef ZSFRAG_SIM_KCOMPACT_H
#define ZSFRAG_SIM_KCOMPACT_H

#include <stdbool.h>
#include <stdint.h>

#include "physmem.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Called after a user page was copied from oldpfn to newpfn and its owner
 * and tag moved; return 0 (oldpfn is then freed), or nonzero to refuse (the
 * move is undone and counted in migrate_failed).
 */
typedef int (*kcompact_relocate_fn)(void *ctx, unsigned long oldpfn, unsigned long newpfn,
				    uint64_t tag);

enum kcompact_mode {
	KCOMPACT_ASYNC, /* MIGRATE_ASYNC: for an order, sources only in pageblocks of the request's
			   type */
	KCOMPACT_SYNC,	/* MIGRATE_SYNC(_LIGHT): every pageblock is a source */
};

struct kcompact_control {
	unsigned int zone;
	int order;		     /* -1: whole zone, as compact_memory / kcompactd do */
	enum physmem_mt migratetype; /* type of the allocation compaction works for */
	enum kcompact_mode mode;
	unsigned int alloc_flags; /* PHYSMEM_HIGHMEM (lowmem reserve), PHYSMEM_ALLOC_WMARK_LOW */
	/* 4.10+ direct compaction at MIN_COMPACT_PRIORITY: the free scanner takes its targets in
	 * pageblocks of any type, not only MOVABLE ones (suitable_migration_target) */
	bool ignore_block_suitable;
	kcompact_relocate_fn relocate; /* NULL: user pages are not moved */
	void *relocate_ctx;
};

/* enum compact_result, reduced to what compact_zone returns here. */
enum kcompact_status {
	KCOMPACT_SKIPPED =
	    0,		    /* compaction_suitable: too little free memory, or fragindex says so */
	KCOMPACT_CONTINUE,  /* compaction_suitable: worth running */
	KCOMPACT_SUCCESS,   /* a free block of the order is there (before or after running) */
	KCOMPACT_COMPLETE,  /* the scanners met */
	KCOMPACT_CONTENDED, /* no more migration targets before the scanners met */
};

struct kcompact_result {
	enum kcompact_status status;
	bool success;		    /* status == KCOMPACT_SUCCESS */
	uint64_t migrate_scanned;   /* block heads looked at by the migrate scanner */
	uint64_t free_scanned;	    /* block heads (and isolated pages) of the free scanner */
	uint64_t pages_isolated;    /* pages isolated for migration */
	uint64_t free_isolated;	    /* free pages isolated as targets */
	uint64_t pages_migrated;    /* pages moved (zsmalloc + user) */
	uint64_t zs_pages_migrated; /* of which zsmalloc pages */
	uint64_t migrate_failed;    /* isolated pages that could not be moved */
	uint64_t bytes_copied;	    /* page_size per moved page */
};

/* const char * name of a status ("success", "complete", ...). */
const char *kcompact_status_name(enum kcompact_status st);

/*
 * compaction_suitable: SUCCESS if the order's watermark already holds,
 * SKIPPED when order-0 free pages are below the watermark plus 2 << order
 * or (orders above 3) the fragmentation index is within 0..500, else
 * CONTINUE. Order -1 is always CONTINUE.
 */
enum kcompact_status kcompact_suitable(const struct physmem *pm, unsigned int zone, int order,
				       unsigned int alloc_flags);

/*
 * compact_zone: run one compaction. Returns 0 with *res filled (the outcome
 * is res->status), -EINVAL for a bad control, -ENOMEM if scratch space
 * could not be allocated.
 */
int kcompact_zone(struct physmem *pm, const struct kcompact_control *cc,
		  struct kcompact_result *res);

/*
 * Compaction deferral (mm/compaction.c): after a failed direct compaction
 * the zone skips the next 2^defer_shift attempts at orders at or above the
 * one that failed. The kernel keeps this state in struct zone; here each
 * zone's is a struct kcompact_defer its caller holds (page_alloc's defer[]).
 * Kernel -> ours: the three functions take the zone's state, not the zone.
 */
#define KCOMPACT_MAX_DEFER_SHIFT 6 /* COMPACT_MAX_DEFER_SHIFT */

struct kcompact_defer {
	unsigned long considered;  /* compact_considered: attempts since the last deferral */
	unsigned int defer_shift;  /* compact_defer_shift: skip 2^shift attempts */
	unsigned int order_failed; /* compact_order_failed: lowest order that failed */
};

/* Should compaction at this order be skipped? Counts the attempt. */
bool compaction_deferred(struct kcompact_defer *d, unsigned int order);
/* Compaction at this order failed: defer for longer. */
void defer_compaction(struct kcompact_defer *d, unsigned int order);
/* Compaction at this order succeeded (alloc_success: its allocation too). */
void compaction_defer_reset(struct kcompact_defer *d, unsigned int order, bool alloc_success);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_SIM_KCOMPACT_H */
