/*
 * fork.h - what a fork takes from physical memory (copy_process in
 * kernel/fork.c), through the page allocator's slow path, and what the
 * process gives back when it exits.
 */
#ifndef ZSFRAG_SIM_FORK_H
#define ZSFRAG_SIM_FORK_H

#include <stdbool.h>
#include <stdint.h>

#include "idmap.h"
#include "page_alloc.h"
#include "slub.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FORK_SLAB_START_MAX 16

/*
 * A fork's pages. Every field -1 means "as the profile's kernel on this
 * arch does" (fork_cost_resolve); the config keys fork_* override them.
 */
struct sim_fork_cost {
	int pgd_order;	   /* the page directory: lowmem, unmovable */
	int stack_pages;   /* THREAD_SIZE / PAGE_SIZE; 0 = no kernel stack modelled */
	int stack_vmalloc; /* 1: CONFIG_VMAP_STACK, order-0 pages that may be HighMem; 0: one
			      contiguous lowmem block */
	int slab_pages;	   /* task_struct, mm_struct, vm_area_structs...: order-0 lowmem pages */
	int user_pages; /* page tables (HIGHPTE) and the child's first COW pages: order-0, HighMem
			   first */
	int cow_pages;	/* of user_pages, the COW pages: GFP_HIGHUSER_MOVABLE (movable, may use
			   CMA); the rest are page tables (unmovable) */
	int slab_slub;	/* 1 (config fork_slab "slub"): the slab objects through SLUB caches
			   (slab_caches), slab_pages 0; 0: slab_pages whole pages per fork */
	const struct fork_slab_cache *slab_caches; /* NULL: the arch's (fork_slab_table) */
	unsigned int nr_slab_caches;
	/* config fork_slab_start: free objects a cache (by name) has in slabs that exist before
	 * the replay (slub_cache_start); none given: every cache starts empty */
	struct {
		char name[32];
		unsigned int free_objects;
	} slab_start[FORK_SLAB_START_MAX];
	unsigned int nr_slab_start;
};

/*
 * One kmem cache a fork takes objects from: its geometry as /sys/kernel/slab shows it
 * (slab_size, order, objs_per_slab, min_partial, cpu_partial in objects) and the objects
 * one fork takes from it (freed when the child exits).
 */
struct fork_slab_cache {
	const char *name;
	unsigned int size, order, objects, min_partial, cpu_partial;
	unsigned int per_fork;
};

/*
 * The caches measured for an arch (ZS_ARCH_*) and profile ("v6.12"...), or NULL (none
 * measured): x86_64 v6.12 has Debian 6.12's; every other profile gets Debian 6.1's (ARM
 * 6.12 and the 4.x kernels were not measured).
 */
const struct fork_slab_cache *fork_slab_table(int arch, const char *profile, unsigned int *nr);

enum zs_arch;
/* Fill the -1 fields for a profile ("v4.1"...) on an arch at a page size. */
void fork_cost_resolve(struct sim_fork_cost *c, const char *profile, int arch, size_t page_size);
/* Pages one fork takes when nothing stalls. */
unsigned long fork_cost_pages(const struct sim_fork_cost *c);

struct sim_fork_stats {
	uint64_t attempted;
	uint64_t succeeded; /* every outcome but failed */
	uint64_t failed;    /* outcome failed: the fork returned -ENOMEM */
	/* per fork, the furthest stage any of its allocations needed (alloc_outcome_name) */
	uint64_t outcomes[ALLOC_NR_OUTCOMES];
	uint64_t stalls;    /* forks that went past the free lists and got their pages */
	uint64_t oom_kills; /* OOM kills assumed: one per fork that needed one (fork.c) */
	/* per stalled or failed fork, why its first allocation left the fast path */
	uint64_t stall_reasons[STALL_NR_REASONS];
	uint64_t exits;
	uint64_t live;			    /* processes alive now */
	uint64_t pages_live;		    /* pages the live processes' forks hold */
	uint64_t free_at_last_stall;	    /* pages free (all zones) when the last fork stalled */
	uint64_t lowmem_free_at_last_stall; /* of which outside HighMem */
	/*
	 * The per-CPU lists during the latest fork probe (F), in pages, summed over the zones
	 * whose batch is above 1, as kernel/forkprobe.c reads /proc/zoneinfo: pcp high once
	 * the lists are drained before the first fork, the most the lists held after a fork,
	 * and the largest rise of the lists over one fork (a refill less what the fork used).
	 */
	uint64_t probes;
	uint64_t probe_pcp_high;
	uint64_t probe_pcp_max;
	uint64_t probe_pcp_rise_max;
};

struct fork_run;

struct sim_forks {
	struct page_alloc *pa;
	struct sim_fork_cost cost;
	struct idmap pids; /* PID -> a: struct fork_proc * (0: took no frame), b: unused */
	struct sim_fork_stats st;
	/* fork_slab "slub": one SLUB cache per cost.slab_caches entry */
	struct slub_cache *caches;
	unsigned int nr_caches;
	uint64_t serial;      /* forks so far: each fork's object ids */
	uint64_t slab_pages;  /* pages the caches hold (shared by forks, kept after exits) */
	struct fork_run *run; /* the fork whose objects are being placed */
};

/* fork_slab_start against the caches: 0, or -EINVAL with msg (a name not among them, or a
 * start without fork_slab "slub"). */
int fork_slab_start_check(const struct sim_fork_cost *c, char *msg, size_t len);
/* 0, -ENOMEM, or -EINVAL (fork_slab "slub" without caches for the arch, a bad start). */
int fork_init(struct sim_forks *f, struct page_alloc *pa, const struct sim_fork_cost *cost);
/* The caches' lists against their counters (fork_slab "slub"); 0 or -EUCLEAN with msg. */
int fork_slab_check(const struct sim_forks *f, char *msg, size_t len);
void fork_destroy(struct sim_forks *f);
/* copy_process for PID: 0, -EEXIST (PID alive), -ENOMEM (host memory). */
int fork_copy_process(struct sim_forks *f, uint64_t pid);
/*
 * The kernel check's fork probe (F N LABEL, kernel/forkprobe.c): up to N
 * forks in a row, each child keeping its pages while the next forks (the
 * guest's children pause()), counted like `k` forks; it stops after the
 * first fork that needed an OOM kill (or failed), as the guest stops at its
 * first killed child; then every child exits. 0 or -ENOMEM (host memory).
 */
int fork_probe(struct sim_forks *f, uint64_t n);
/* The process exits: its pages go back. 0 or -ENOENT. */
int fork_release_task(struct sim_forks *f, uint64_t pid);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_FORK_H */
