/*
 * engine_internal.h - the replay engine's state, shared by its files:
 * engine.c (the events, the policies and the reclaim and OOM hooks),
 * engine_setup.c (create, destroy, the pool's page provider) and
 * engine_snapshot.c (snapshots through the sink).
 */
#ifndef ZSFRAG_SIM_ENGINE_INTERNAL_H
#define ZSFRAG_SIM_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "fork.h"
#include "idmap.h"
#include "page_alloc.h"
#include "grouped.h"
#include "targeted.h"
#include "zs_slab.h"

/* Snapshots report the unusable and fragmentation indices for this order (the ARM pgd's). */
#define SIM_INDEX_ORDER 2

struct sim {
	struct sim_config cfg;
	struct sim_sinks sinks;
	struct physmem *mem;
	struct zs_pool *pool;
	struct zram *zram;
	struct zs_page_ops ops; /* the provider through zsp_*, set_movable only under `migration` */
	unsigned int zram_gfp;
	struct page_alloc pa; /* slow path, kswapd, kcompactd, compaction deferral */
	struct sim_forks forks; /* `k` / `x`: the processes and their pages */
	bool shrinker_registered; /* zsmalloc's shrinker: profile has one and policy `shrinker` */

	struct idmap objects; /* `a` ID -> a: handle, b: size | seed << 32 */
	struct idmap blocks;  /* `g` ID -> a: pfn + 1, b: order */
	/* IDs whose `a` / `g` failed: not in the maps above, only their later release is
	 * accepted (a fixed 1 MiB each, not an entry per failure; see idmap.h) */
	struct idfilter failed_objects, failed_blocks;
	/* slots whose latest write failed -> a: 0, or the kept page's pfn + 1 once its
	 * `p ID s SLOT` came; b: its order (engine_swapout.c) */
	struct idmap swapouts;

	uint64_t events;
	uint64_t time_ns;
	uint64_t policy_state[POLICY_NR];

	struct sim_other_stats other;
	struct sim_op_timing op_timing;
	struct zs_slab slab; /* zsmalloc's kmem cache pages, with cfg.zs_slab */
	/* the targeted policy's look-ahead deferral, per order it clears (policy_targeted.c) */
	struct targeted_defer targeted_defer[TARGETED_MAX_ORDER + 1];
	struct grouped_cache grouped; /* the grouped policy's block being handed out */

	struct sim_class_snap *class_buf;
	const char *fullness_names[ZS_MAX_FULLNESS];

	struct zs_compact_run step;	/* `y`: a captured compaction, in its steps */
	struct sim_compaction step_rec; /* its record, sent when it finishes */
};

static inline bool policy_on(const struct sim *sim, enum policy_id id)
{
	return sim->cfg.policies & (1u << id);
}

/* engine_swapout.c: a page whose swap-out write failed stays resident */
void swapout_release(struct sim *sim, uint64_t slot);
int swapout_write_failed(struct sim *sim, uint64_t slot);
/* A read of slot: true when its page is still in the swap cache (zram reads nothing). */
bool swapout_read_cached(struct sim *sim, uint64_t slot);
/* `p ID s SLOT`: true when the block was kept (the slot's write had failed). */
bool swapout_keep(struct sim *sim, const struct sim_event *ev);
/* kcompact moved a kept page; -ENOENT when tag is not one of them. */
int swapout_relocate(struct sim *sim, unsigned long oldpfn, unsigned long newpfn, uint64_t tag);
/* Every kept page is its slot's allocated user page, and swapout_kept_live counts them. */
int swapout_check(const struct sim *sim, char *why, size_t len);

/* engine.c: page_alloc's hooks (shrink_slab, before_oom) */
unsigned long sim_shrink_slab(void *ctx, bool kswapd, unsigned long *freed);
bool sim_before_oom(void *ctx, unsigned int order);

#endif /* ZSFRAG_SIM_ENGINE_INTERNAL_H */
