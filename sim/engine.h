/*
 * engine.h - the replay engine: consumes events, drives zram, zsmalloc and
 * emulated physical memory, applies the compaction policies, and hands
 * snapshots and compaction records to the caller's sinks. It never prints
 * and never touches a file.
 */
#ifndef ZSFRAG_SIM_ENGINE_H
#define ZSFRAG_SIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "fork.h"
#include "op_timing.h"
#include "page_alloc.h"
#include "physmem.h"
#include "policy.h"
#include "zram.h"
#include "zsmalloc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sim;

/*
 * What the host keeps of the emulated memory's contents (--payload). The
 * emulated machine behaves the same in every mode (pool, classes, buddy
 * state, forks, compactions); only what can be verified, the host memory and
 * the speed differ.
 *   full    every object holds its payload pattern; `r` and `v` compare the
 *           bytes, so a move that loses or garbles data shows.
 *   header  only what zsmalloc itself stores in pages (free links, handle
 *           headers): compaction and migration are checked for consistency
 *           (`v` and --check-every run zs_pool_check), not content.
 *   none    no host memory for page contents at all (the frame table and
 *           zspage metadata only; the object words in arrays beside each
 *           zspage): a machine larger than the host. Checks as header.
 *   auto    full up to SIM_PAYLOAD_AUTO_FULL_BYTES of emulated RAM, none above.
 */
enum sim_payload {
	SIM_PAYLOAD_AUTO = 0,
	SIM_PAYLOAD_FULL,
	SIM_PAYLOAD_HEADER,
	SIM_PAYLOAD_NONE,
};
#define SIM_PAYLOAD_AUTO_FULL_BYTES (16ULL << 30)
const char *sim_payload_name(enum sim_payload p);
int sim_payload_lookup(const char *name, enum sim_payload *p); /* 0 or -EINVAL */
/* The mode a config runs in (auto resolved by ram size). */
enum sim_payload sim_payload_resolve(enum sim_payload p, uint64_t ram_bytes);

struct sim_config {
	struct physmem_config mem;
	struct zs_pool_config pool;
	uint64_t zram_disksize;	 /* bytes */
	uint64_t zram_mem_limit; /* bytes, 0 = none */
	unsigned int policies;	 /* bitmask of 1 << enum policy_id */
	struct policy_params policy;
	struct sim_fork_cost fork; /* -1 fields: the profile's kernel on this arch (fork.c) */
	uint64_t seed;	       /* payload patterns */
	enum sim_payload payload; /* what page contents the host keeps (default auto) */
	uint64_t check_every;  /* run zs_pool_check and physmem_check every N events; 0 = never */
	uint64_t sample_every; /* periodic snapshot every N events; 0 = only `s` events */
	unsigned int lookahead; /* replay loops: events between two sim_prefetch() depths (0 = no
				   look-ahead); only speed depends on it, never results */
	bool reader_thread;	/* replay loops: decode a text trace file on a second thread
				   (traces/trace_ahead.h); only speed, never results */
	bool timing;	       /* measure host CPU time of compactions */
	bool op_timing;        /* measure host ns of every zs_malloc and zs_free */
	bool zs_slab;	       /* the zs_handle/zspage kmem caches take lowmem slab pages */
	/* config "pcp": "profile": the lists of the profile's kernel (4.x, 6.1, 6.12) */
	bool pcp_from_profile;
};

/* Documented defaults: a 2014-era 32-bit ARM phone (see sim/engine.c). */
void sim_config_default(struct sim_config *cfg);

struct sim_other_stats {
	uint64_t objects_live;		   /* raw `a` objects alive */
	uint64_t object_bytes;		   /* their requested bytes */
	uint64_t alloc_failures;	   /* `a` events whose zs_malloc failed */
	uint64_t blocks_live;		   /* `g` blocks held */
	uint64_t block_failures;	   /* `g` events that found no memory */
	uint64_t compact_requests_ignored; /* `c` events with the manual policy off */
	uint64_t verify_mismatches;	   /* cumulative */
	uint64_t targeted_windows;	   /* windows the targeted policy cleared */
	uint64_t targeted_pages_migrated;  /* zspage pages it migrated out of them (4.8+) */
	uint64_t grouped_blocks;	   /* order-2 blocks the grouped policy split for zspages */
	uint64_t zs_slab_pages;		   /* pages of zsmalloc's zs_handle and zspage caches (zs_slab) */
	/* `p ID s SLOT`, the put of a page swapped out (engine_swapout.c) */
	uint64_t swapout_puts;		/* such puts */
	uint64_t swapout_kept;		/* ... whose write had failed: the page stayed */
	uint64_t swapout_kept_live;	/* pages kept now */
	uint64_t swapout_cache_reads;	/* reads of a slot whose page was kept */
};

struct sim_class_snap {
	unsigned int index, size, pages_per_zspage, objs_per_zspage;
	unsigned long obj_allocated, obj_used, pages_used, freeable;
	unsigned long fullness[ZS_MAX_FULLNESS];
};

#define SIM_MAX_ZONES 4

struct sim_zone_snap {
	const char *name;
	unsigned long free_pages;
	unsigned long managed_pages;
	unsigned long wmark_min, wmark_low, wmark_high; /* pages */
	unsigned int nr_orders;
	unsigned long buddyinfo[16]; /* free blocks per order */
	int unusable_index_2;	     /* order 2, x1000 as the kernel's integer arithmetic */
	int fragmentation_index_2;   /* order 2, x1000; -1000 when a block is free */
};

/* One snapshot of every metric. Pointers are valid during the sink call only. */
struct sim_snapshot {
	const char *label;    /* `s` label, or "sample" / "final" */
	uint64_t event_index; /* events replayed when taken */
	uint64_t time_ns;
	unsigned long pool_pages;  /* zs_get_total_pages */
	unsigned long ideal_pages; /* sum of ceil(obj_used / objs) * pages_per_zspage */
	uint64_t stored_bytes; /* bytes the pool holds for its users: zram's compr_data_size + raw
				  objects */
	uint64_t pages_compacted;
	uint64_t compactions;
	unsigned int nr_fullness;
	const char *const *fullness_names;
	unsigned int nr_classes; /* non-alias classes with obj_allocated > 0 */
	const struct sim_class_snap *classes;
	struct zram_mm_stat mm_stat;
	struct zram_io_stat io_stat;
	unsigned int nr_zones;
	struct sim_zone_snap zones[SIM_MAX_ZONES];
	unsigned long free_pages; /* all zones */
	int unusable_index_2;	  /* whole machine */
	int fragmentation_index_2;
	struct sim_fork_stats forks;
	struct page_alloc_stats vm; /* slow path, kswapd and kernel compaction counters */
	struct sim_other_stats other;
	const struct sim_op_timing *op_timing; /* NULL unless op_timing is on */
};

struct sim_compaction {
	uint64_t event_index;
	uint64_t time_ns;
	const char *trigger; /* policy name */
	unsigned long pool_pages_before, pool_pages_after;
	struct zs_compact_result result;
	uint64_t cpu_ns; /* host CPU time; 0 when timing is off */
};

struct sim_verify {
	uint64_t event_index;
	uint64_t objects_checked; /* objects whose payload bytes were compared (full mode) */
	uint64_t mismatches;
	/* false in header and none modes: no payload kept, zs_pool_check and physmem_check ran
	 * instead (a broken invariant stops the replay, as --check-every does) */
	bool payload_checked;
};

struct sim_sinks {
	void *ctx;
	void (*snapshot)(void *ctx, const struct sim_snapshot *snap);
	void (*compaction)(void *ctx, const struct sim_compaction *c);
	void (*verify)(void *ctx, const struct sim_verify *v);
};

/* 0, -EINVAL (bad config; msg says what), -ENOMEM. */
int sim_create(const struct sim_config *cfg, const struct sim_sinks *sinks, struct sim **sim,
	       char *msg, size_t msglen);
void sim_destroy(struct sim *sim);
/*
 * Replay one event. 0, or a negative errno with msg saying what is wrong
 * with this event (unknown ID, slot beyond the disk, a failed invariant
 * check); the caller adds file and line.
 */
int sim_event(struct sim *sim, const struct sim_event *ev, char *msg, size_t msglen);
/*
 * Look-ahead: start the cache misses of an event that will be replayed soon
 * (its zram slot, then zs_prefetch()'s links: handle slot, zspage, object).
 * Call it for each coming event with depth 0 up to SIM_PREFETCH_DEPTHS - 1 as
 * the event approaches. Only hints: results are the same with or without.
 */
#define SIM_PREFETCH_DEPTHS (1 + ZS_PREFETCH_DEPTHS)
#define SIM_LOOKAHEAD_DEFAULT 4 /* sim_config.lookahead: measured in BENCHMARKS.md */
void sim_prefetch(struct sim *sim, const struct sim_event *ev, unsigned int depth);
/* Emit a "final" snapshot. */
void sim_finish(struct sim *sim);
void sim_snapshot_now(struct sim *sim, const char *label);

struct zs_pool *sim_pool(struct sim *sim);
struct physmem *sim_mem(struct sim *sim);
struct zram *sim_zram(struct sim *sim);
const struct sim_config *sim_get_config(const struct sim *sim);
uint64_t sim_events(const struct sim *sim);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_ENGINE_H */
