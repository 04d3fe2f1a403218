/*
 * physmem.h - emulated physical memory: zones, a buddy allocator with
 * migrate types and pageblocks, watermarks, per-frame metadata and host
 * backing bytes for every page frame.
 *
 * Modelled on Linux 6.1 mm/page_alloc.c (MAX_ORDER 11, i.e. orders 0..10;
 * pageblock_order MAX_ORDER-1 on 32-bit ARM; Debian's armmp build has 12
 * orders and pageblock order 11), with 6.12's per-CPU list sizing as an
 * option. Page frame numbers (pfns) are indices into the emulated RAM,
 * starting at 0. The buddy allocator is physmem.c, the zone layout,
 * watermarks, lowmem reserves, CMA and boosting physmem_zone.c, the per-CPU
 * page lists physmem_pcp.c; each says what is simplified (grep "SIM:").
 *
 * Errors are 0 or a negative errno. No global state, no output.
 */
#ifndef ZSFRAG_SIM_PHYSMEM_H
#define ZSFRAG_SIM_PHYSMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct physmem;
struct zs_pool;

/*
 * Migrate types, numbered as the kernel's enum migratetype up to
 * MIGRATE_PCPTYPES; CMA follows (the kernel has MIGRATE_HIGHATOMIC between).
 */
enum physmem_mt {
	PHYSMEM_MT_UNMOVABLE = 0,
	PHYSMEM_MT_MOVABLE = 1,
	PHYSMEM_MT_RECLAIMABLE = 2,
	PHYSMEM_MT_PCPTYPES = 3, /* the types that have per-CPU lists and fallbacks */
	PHYSMEM_MT_CMA = 3,	 /* MIGRATE_CMA: movable allocations only, never stolen */
	PHYSMEM_MT_TYPES = 4,
};

/* Zone types in the kernel's order (enum zone_type); ZONE_MOVABLE is never populated. */
enum physmem_zone_type {
	PHYSMEM_ZONE_DMA = 0,	  /* below dma_bytes (x86_64: 16 MiB; ARM virt: all lowmem) */
	PHYSMEM_ZONE_DMA32 = 1,	  /* below dma32_bytes (x86_64: 4 GiB) */
	PHYSMEM_ZONE_NORMAL = 2,  /* the rest of lowmem */
	PHYSMEM_ZONE_HIGHMEM = 3, /* above lowmem_limit_bytes when highmem is on */
	PHYSMEM_ZONE_MOVABLE = 4, /* empty; the highest zone of GFP_HIGHUSER_MOVABLE */
	PHYSMEM_NR_ZONE_TYPES = 5,
};
/* Most populated zones a machine has (DMA, DMA32, Normal, HighMem). */
#define PHYSMEM_NR_ZONES 4

enum physmem_wmark {
	PHYSMEM_WMARK_MIN = 0,
	PHYSMEM_WMARK_LOW,
	PHYSMEM_WMARK_HIGH,
	PHYSMEM_NR_WMARKS,
};

/* Who holds an allocated block (recorded on its head frame). */
enum physmem_owner {
	PHYSMEM_OWNER_FREE = 0, /* not allocated */
	PHYSMEM_OWNER_KERNEL,	/* default after physmem_alloc(): never moved */
	PHYSMEM_OWNER_ZSPAGE,	/* a zsmalloc page; movable once its pool is recorded */
	PHYSMEM_OWNER_USER,	/* another user's block (the g op); tag = caller's block ID */
	PHYSMEM_OWNER_PGD,	/* a process page table (the k op); never moved */
	PHYSMEM_OWNER_ISOLATED, /* taken off the free lists by compaction's free scanner */
	PHYSMEM_OWNER_RESERVED, /* memblock-reserved at boot: never in the buddy allocator */
	PHYSMEM_OWNER_PCP,	/* free on a per-CPU list: neither NR_FREE_PAGES nor in use */
	PHYSMEM_OWNER_SLAB,	/* kernel slab pages (zsmalloc's handle and zspage caches) */
	PHYSMEM_NR_OWNERS,
};

/* Largest number of orders the model holds (config max_order <= this). */
#define PHYSMEM_MAX_ORDERS 16
/* Largest RAM a config may give the machine (ram_mb); the generators bound what they hold by it. */
#define PHYSMEM_MAX_RAM_MB (1u << 20)

/* physmem_alloc() flags. */
#define PHYSMEM_HIGHMEM		0x1u /* __GFP_HIGHMEM: HighMem preferred, lowmem as fallback */
#define PHYSMEM_ALLOC_WMARK_LOW 0x2u /* ALLOC_WMARK_LOW: the fast path's low watermark, not min */
#define PHYSMEM_ALLOC_NO_WMARKS 0x4u /* ALLOC_NO_WATERMARKS: ignore watermarks */
#define PHYSMEM_ALLOC_NO_KSWAPD 0x8u /* no __GFP_KSWAPD_RECLAIM: a boost sets no wakeup */
#define PHYSMEM_ALLOC_CMA	0x10u /* physmem_watermark_ok: ALLOC_CMA (physmem_alloc: movable) */

/* Which kernel's per-CPU page lists (physmem_pcp.c). */
enum physmem_pcp_model {
	PHYSMEM_PCP_OFF = 0, /* no lists: every page straight to and from the buddy */
	PHYSMEM_PCP_V6_1,    /* 6.1: batch ~ managed/4096, high = low wmark / CPUs */
	PHYSMEM_PCP_V6_12,   /* 6.12: batch ~ managed/1024, high tuned between high_min and high_max */
	PHYSMEM_PCP_V4,	     /* 3.18-4.8: order 0 only, batch ~ managed/4096 (<= 31), high 6x */
};

struct physmem_config {
	uint64_t ram_bytes;	      /* bytes of RAM; rounded down to whole pages */
	unsigned int page_size;	      /* bytes, power of two >= 1024 */
	unsigned int max_order;	      /* number of orders (kernel MAX_ORDER of 6.1: 11) */
	unsigned int pageblock_order; /* < max_order */
	bool highmem;		      /* split RAM above lowmem_limit_bytes into ZONE_HIGHMEM */
	uint64_t lowmem_limit_bytes;  /* bytes of lowmem when highmem is on */
	uint64_t dma_bytes;	      /* end of ZONE_DMA; 0 = no such zone */
	uint64_t dma32_bytes;	      /* end of ZONE_DMA32; 0 = no such zone */
	long min_free_kbytes;	      /* KiB; -1 = kernel formula sqrt(lowmem_kbytes*16) */
	unsigned int watermark_scale_factor; /* 1/10000 of managed pages; kernel default 10 */
	unsigned int watermark_boost_factor; /* 1/10000 of the high watermark; kernel 15000 */
	/* sysctl_lowmem_reserve_ratio per zone type (kernel 256 256 32 0); 0 = no reserve */
	unsigned int lowmem_reserve_ratio[PHYSMEM_NR_ZONE_TYPES];
	/* pages taken before the buddy allocator starts (kernel image, initramfs, memblock),
	 * per zone type, at the zone's start: present but not managed */
	unsigned long reserved_pages[PHYSMEM_NR_ZONE_TYPES];
	/* pages per zone type the buddy allocator has handed out before the replay starts
	 * (managed - free - pool in a guest just before it: the kernel's slab, page tables and
	 * vmalloc, init, the initramfs' files): order 0, unmovable (taken_pages) and movable
	 * (taken_movable_pages: page cache, shmem, anon), owner PHYSMEM_OWNER_KERNEL */
	unsigned long taken_pages[PHYSMEM_NR_ZONE_TYPES];
	unsigned long taken_movable_pages[PHYSMEM_NR_ZONE_TYPES];
	/* _watermark[min, low, high] per zone type as a guest's zoneinfo shows them (pages; all 0 =
	 * the kernel's formulas). A real kernel computed them from the managed pages of the moment
	 * (before initramfs and init memory were freed, or when khugepaged raised
	 * min_free_kbytes), which the final managed counts cannot reproduce. */
	unsigned long watermarks[PHYSMEM_NR_ZONE_TYPES][PHYSMEM_NR_WMARKS];
	/* The free lists when the replay starts, per zone type where free_blocks_given[type]
	 * (a guest's /proc/pagetypeinfo just before the replay): free_blocks[type][order][mt]
	 * blocks; every other managed frame is taken (order 0, owner PHYSMEM_OWNER_KERNEL,
	 * movable up to taken_movable_pages, the rest unmovable) instead of taking taken_pages
	 * from a fresh zone. With pageblocks_given[type], pageblocks[type][mt] pageblocks of each
	 * type where the zone allows (physmem_start.c). */
	bool free_blocks_given[PHYSMEM_NR_ZONE_TYPES];
	unsigned long free_blocks[PHYSMEM_NR_ZONE_TYPES][PHYSMEM_MAX_ORDERS][PHYSMEM_MT_TYPES];
	bool pageblocks_given[PHYSMEM_NR_ZONE_TYPES];
	unsigned long pageblocks[PHYSMEM_NR_ZONE_TYPES][PHYSMEM_MT_TYPES];
	uint64_t cma_bytes;	 /* CMA area size; 0 = none */
	uint64_t cma_base_bytes; /* its start; UINT64_MAX = the top of RAM (memblock is top-down) */
	enum physmem_pcp_model pcp;
	unsigned int nr_cpus;			   /* online CPUs (pcp high is split among them) */
	unsigned int percpu_pagelist_high_fraction; /* sysctl; 0 = from the low watermark (4.x:
						       percpu_pagelist_fraction; 0 = 6 * batch) */
	bool pcp_thp;				   /* CONFIG_TRANSPARENT_HUGEPAGE: a pcp list for
						      pageblock_order */
	/*
	 * CONFIG_DEFERRED_STRUCT_PAGE_INIT: a pageblock whose first frame the
	 * boot keeps reserved is Unmovable, not Movable (physmem_zone.c).
	 */
	bool deferred_struct_page_init;
	/* SIM: the host side, never the emulated machine's behaviour */
	bool no_host_memory; /* frames have no bytes: physmem_page_address() is NULL */
	bool host_thp;	     /* madvise(MADV_HUGEPAGE) the host mapping (default on) */
	bool host_prefault;  /* a thread backs the host mapping a region ahead of its
				writes (sim/host_prefault.h; default on) */
};

/* A 2014-era 32-bit ARM phone: 1 GiB, highmem above 760 MiB, 4 KiB pages, 11 orders, pageblock
 * order 10, one Normal zone below HighMem, no CMA, no per-CPU lists. */
void physmem_config_default(struct physmem_config *cfg);
/* Zone type names as /proc/zoneinfo prints them ("DMA", ..., "Movable"); NULL if out of range. */
const char *physmem_zone_type_name(enum physmem_zone_type t);
/* Migrate type names as /proc/pagetypeinfo prints them ("Unmovable", ..., "CMA"); "?" if out
 * of range. */
const char *physmem_mt_name(enum physmem_mt mt);

int physmem_create(const struct physmem_config *cfg, struct physmem **pm);
/* As physmem_create, with why a config describes no machine in msg (one line; "" otherwise). */
int physmem_create_msg(const struct physmem_config *cfg, struct physmem **pm, char *msg,
		       size_t len);
void physmem_destroy(struct physmem *pm);
const struct physmem_config *physmem_get_config(const struct physmem *pm);

/*
 * Allocate 2^order frames of migrate type mt. Returns 0 and *pfn (the first
 * frame), -EINVAL for a bad order or type, -ENOMEM when every allowed zone
 * fails its watermark check or has no block. The block's owner is
 * PHYSMEM_OWNER_KERNEL and its private words are NULL.
 */
int physmem_alloc(struct physmem *pm, unsigned int order, enum physmem_mt mt, unsigned int flags,
		  unsigned long *pfn);
/* Free a block allocated with that order. A bad free is counted, not done. */
void physmem_free(struct physmem *pm, unsigned long pfn, unsigned int order);
/* split_page(): an allocated kernel block of that order becomes 2^order order-0 pages
 * (physmem_split.c). 0, or -EINVAL for anything else. */
int physmem_split_page(struct physmem *pm, unsigned long pfn, unsigned int order);

/* Host bytes of a frame: one lazily touched MAP_NORESERVE mapping; NULL with no_host_memory. */
void *physmem_page_address(struct physmem *pm, unsigned long pfn);
/*
 * SIM: the caller is about to write the frame's host bytes for the first time
 * since it allocated it (a zspage's page, a migration's target): with
 * host_prefault, the next 2 MiB of the host mapping is backed ahead on
 * another thread. No effect on anything the machine computes.
 */
void physmem_host_touching(struct physmem *pm, unsigned long pfn);
/* The frame's private word (page->private); NULL after allocation. */
void **physmem_page_private(struct physmem *pm, unsigned long pfn);

unsigned long physmem_nr_frames(const struct physmem *pm);
size_t physmem_page_size(const struct physmem *pm);

/* ---- per-frame metadata ---- */

/* The block a frame belongs to. */
struct physmem_block {
	bool free;		/* on a free list (else allocated) */
	unsigned long head_pfn; /* first frame of the block */
	unsigned int order;
	enum physmem_mt mt; /* free: the list it is on; allocated: requested type */
	enum physmem_owner owner;
	struct zs_pool *pool; /* PHYSMEM_OWNER_ZSPAGE: pool that may migrate it, or NULL */
	uint64_t tag;	      /* PHYSMEM_OWNER_USER / PGD: the caller's ID */
};
/* 0, or -EINVAL for a pfn outside RAM. Cheapest when pfn is a block head. */
int physmem_block_at(const struct physmem *pm, unsigned long pfn, struct physmem_block *blk);
/* Set the owner and tag of an allocated block (head pfn); -EINVAL otherwise. */
int physmem_set_owner(struct physmem *pm, unsigned long pfn, enum physmem_owner owner,
		      uint64_t tag);
/* Record (or clear with NULL) the zsmalloc pool that may migrate the page. */
int physmem_set_zs_pool(struct physmem *pm, unsigned long pfn, struct zs_pool *pool);
/* Can compaction move this allocated head? (order-0 movable user page or zspage with a pool) */
bool physmem_block_movable(const struct physmem_block *blk);

enum physmem_zone_type physmem_pfn_zone(const struct physmem *pm, unsigned long pfn);
/* The index (into physmem_zone_info) of the zone holding pfn: not its type, which differs
 * once a lower zone type is absent (ARM virt: DMA, HighMem are zones 0 and 1). */
unsigned int physmem_pfn_zone_index(const struct physmem *pm, unsigned long pfn);
enum physmem_mt physmem_pageblock_mt(const struct physmem *pm, unsigned long pfn);

/* ---- zones, counters and watermarks ---- */

unsigned int physmem_nr_zones(const struct physmem *pm);
struct physmem_zone_info {
	const char *name; /* "DMA", "DMA32", "Normal", "HighMem" as in /proc/zoneinfo */
	enum physmem_zone_type type;
	bool highmem;
	unsigned long start_pfn;
	unsigned long end_pfn;			/* exclusive */
	unsigned long present_pages;		/* pages */
	unsigned long managed_pages;		/* pages: present minus reserved */
	unsigned long free_pages;		/* pages on the free lists (NR_FREE_PAGES) */
	unsigned long free_cma_pages;		/* of those, in CMA pageblocks (NR_FREE_CMA_PAGES) */
	unsigned long wmark[PHYSMEM_NR_WMARKS]; /* pages, boost included (as zoneinfo prints) */
	unsigned long watermark_boost;		/* pages */
	unsigned long lowmem_reserve;		/* pages kept from requests that may use HighMem */
	/* lowmem_reserve[] by the request's highest zone type (zoneinfo's "protection") */
	unsigned long protection[PHYSMEM_NR_ZONE_TYPES];
	unsigned long pcp_count;		/* pages on this zone's per-CPU lists */
	int pcp_batch, pcp_high, pcp_high_min, pcp_high_max; /* pages */
};
int physmem_zone_info(const struct physmem *pm, unsigned int zone, struct physmem_zone_info *info);
/* Free blocks of an order in a zone (free_area[order].nr_free). */
unsigned long physmem_nr_free(const struct physmem *pm, unsigned int zone, unsigned int order);
/* Free blocks of an order on one migrate type's list. */
unsigned long physmem_nr_free_mt(const struct physmem *pm, unsigned int zone, unsigned int order,
				 enum physmem_mt mt);
/* Pageblocks of a migrate type in a zone. */
unsigned long physmem_nr_pageblocks(const struct physmem *pm, unsigned int zone,
				    enum physmem_mt mt);
unsigned long physmem_free_pages(const struct physmem *pm); /* all zones, pages */
/* calculate_totalreserve_pages: per zone, high watermark + largest lowmem_reserve, capped. */
unsigned long physmem_totalreserve_pages(const struct physmem *pm);

/*
 * The zone index (into physmem_zone_info) where an allocation with these
 * flags and type starts: the highest populated zone its gfp allows (the
 * zonelist's first). GFP_KERNEL on ARM virt: DMA; on a 2 GiB x86_64: DMA32.
 */
unsigned int physmem_preferred_zone(const struct physmem *pm, enum physmem_mt mt,
				    unsigned int flags);

/* Override a zone's watermarks (pages); -EINVAL unless min <= low <= high. */
int physmem_set_watermarks(struct physmem *pm, unsigned int zone, unsigned long min,
			   unsigned long low, unsigned long high);
/*
 * The kernel's __zone_watermark_ok for this zone: free pages minus
 * (2^order - 1) must exceed mark plus the lowmem reserve (when flags allow
 * HighMem and the zone is Normal), and for order > 0 a free block of at
 * least that order must exist.
 */
bool physmem_watermark_ok(const struct physmem *pm, unsigned int zone, unsigned int order,
			  unsigned long mark, unsigned int flags);
/* Same with the zone's own watermark (the low one wakes the shrinker policy). */
bool physmem_zone_wmark_ok(const struct physmem *pm, unsigned int zone, unsigned int order,
			   enum physmem_wmark wm, unsigned int flags);

/* ---- watermark boosting (boost_watermark) and kswapd's hooks ---- */

/*
 * A fallback that took a block of another type below pageblock order raises
 * the zone's watermarks by a pageblock, up to watermark_boost_factor of the
 * high watermark, and flags the zone (ZONE_BOOSTED_WATERMARK) when the
 * request may wake kswapd; the next allocation from the zone clears the flag
 * and asks for kswapd (rmqueue's wakeup_kswapd). kswapd's model (engine)
 * collects those requests and lowers the boost once it has reclaimed.
 */
/* Zones (bit per zone index) whose allocations asked to wake kswapd since the last call. */
unsigned int physmem_take_kswapd_wakeups(struct physmem *pm);
/* kswapd after balancing: watermark_boost -= min(watermark_boost, pages). */
void physmem_clear_boost(struct physmem *pm, unsigned int zone, unsigned long pages);
/* ZONE_RECLAIM_ACTIVE (kswapd scanning the zone): caps pcp high at 4 batches. */
void physmem_set_reclaim_active(struct physmem *pm, unsigned int zone, bool active);

/* ---- per-CPU page lists (physmem_pcp.c) ---- */

/* drain_all_pages: every pcp page of the zone (or all zones, -1) back to the buddy lists. */
void physmem_pcp_drain(struct physmem *pm, int zone);
/* Pages on per-CPU lists, all zones. */
unsigned long physmem_pcp_pages(const struct physmem *pm);

struct physmem_stats {
	uint64_t pgalloc[PHYSMEM_NR_ZONES]; /* pages allocated per zone index (pgalloc_*) */
	uint64_t pgfree;		    /* pages freed */
	uint64_t alloc_fail;		    /* physmem_alloc() calls that returned -ENOMEM */
	uint64_t alloc_fail_order[PHYSMEM_MAX_ORDERS]; /* the same, per requested order */
	uint64_t extfrag_events;		       /* fallbacks to another type's free list */
	uint64_t pageblock_steals; /* pageblocks whose type a fallback changed */
	uint64_t boosts;	   /* boost_watermark() calls that raised a boost */
	uint64_t kswapd_wakeups;   /* wakeups asked through ZONE_BOOSTED_WATERMARK */
	uint64_t pcp_refills;	   /* rmqueue_bulk calls */
	uint64_t pcp_drained;	   /* pages freed from pcp lists to the buddy */
	uint64_t bad_frees;	   /* frees of frames that were not such a block */
	unsigned long owner_pages[PHYSMEM_NR_OWNERS]; /* allocated pages per owner, now */
};
void physmem_get_stats(const struct physmem *pm, struct physmem_stats *st);

/*
 * Walk everything: free lists, block tiling, buddies, counters, pageblock
 * types. 0, or -EUCLEAN with the first problem in msg.
 */
int physmem_check(const struct physmem *pm, char *msg, size_t len);

/* ---- for compaction (kcompact.c) ---- */

/*
 * find_suitable_fallback: the first type in mt's fallback order with a free
 * block of exactly this order in the zone, or -1. With only_stealable, only
 * when can_steal_fallback(order, mt) allows claiming the block's pageblock.
 */
int physmem_find_suitable_fallback(const struct physmem *pm, unsigned int zone, unsigned int order,
				   enum physmem_mt mt, bool only_stealable, bool *can_steal);

/*
 * __isolate_free_page: take the free block headed at pfn off its list
 * (watermark min + 2^order must hold) and turn it into 2^order allocated
 * order-0 frames owned by PHYSMEM_OWNER_ISOLATED. Returns the number of
 * pages, 0 when the watermark refuses, -EINVAL if pfn heads no free block.
 */
long physmem_isolate_free(struct physmem *pm, unsigned long pfn);
/*
 * Give newpfn (an allocated order-0 frame) the metadata of oldpfn: owner,
 * tag or pool, migrate type, private word. Used after a page was migrated.
 */
int physmem_transfer_meta(struct physmem *pm, unsigned long newpfn, unsigned long oldpfn);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_SIM_PHYSMEM_H */
