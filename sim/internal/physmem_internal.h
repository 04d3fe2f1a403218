/*
 * physmem_internal.h - the structures physmem.c (buddy allocator),
 * physmem_zone.c (zone layout, watermarks, CMA, boosting) and physmem_pcp.c
 * (per-CPU page lists) share. Not for other modules: they use physmem.h.
 */
#ifndef ZSFRAG_SIM_PHYSMEM_INTERNAL_H
#define ZSFRAG_SIM_PHYSMEM_INTERNAL_H

#include <assert.h>
#include <stdint.h>

#include "physmem.h"
#include "zs_check.h"

#define PF_NIL UINT32_MAX

/* Check tiers (zs_check.h): 1 = cheap checks, 2 = also a whole walk after every alloc/free. */
#define PHYSMEM_BUG_ON(cond) ZS_CHECK_BUG_ON("physmem", cond)
#if ZSFRAG_CHECK_LEVEL >= 2
#define PHYSMEM_DEEP_CHECK(pm) pm_deep_check(pm, __FILE__, __LINE__)
#else
#define PHYSMEM_DEEP_CHECK(pm) ((void)sizeof(pm))
#endif

/* The kernel's PAGE_ALLOC_COSTLY_ORDER: pcp lists hold orders 0..3 (plus a THP order). */
#define PHYSMEM_COSTLY_ORDER 3
/* NR_LOWORDER_PCP_LISTS, and NR_PCP_LISTS with the two THP lists. */
#define PCP_LOWORDER_LISTS (PHYSMEM_MT_PCPTYPES * (PHYSMEM_COSTLY_ORDER + 1))
#define PCP_MAX_LISTS (PCP_LOWORDER_LISTS + 2)
/* CONFIG_PCP_BATCH_SCALE_MAX (default 5) */
#define PCP_BATCH_SCALE_MAX 5

enum pf_state {
	PF_NONE = 0, /* inside a block, not its head */
	PF_FREE,     /* head of a free block (PageBuddy) */
	PF_ALLOC,    /* head of an allocated block */
	PF_PCP,	     /* head of a block on a per-CPU list */
};

struct physmem_frame {
	uint32_t next; /* list links (frame indices); valid for PF_FREE and PF_PCP */
	uint32_t prev;
	uint8_t state; /* enum pf_state */
	uint8_t order; /* block order, for heads */
	uint8_t mt;    /* free: list's type; allocated: requested type; pcp: pageblock's
			  type when freed (get_pcppage_migratetype) */
	uint8_t owner; /* enum physmem_owner, for allocated heads */
	uint32_t pad;
	union {
		struct zs_pool *pool; /* PHYSMEM_OWNER_ZSPAGE */
		uint64_t tag;	      /* PHYSMEM_OWNER_USER / PGD */
	} u;
};
/* 24 bytes per frame on a 64-bit host: 6 MiB of metadata per GiB emulated */
static_assert(sizeof(void *) != 8 || sizeof(struct physmem_frame) == 24, "frame layout");

/* struct per_cpu_pages of the one CPU that runs every allocation (see physmem_pcp.c). */
struct physmem_pcp {
	uint32_t head[PCP_MAX_LISTS]; /* lists by pindex (order_to_pindex) */
	unsigned int nr_lists;	      /* NR_PCP_LISTS: 12, 14 with THP */
	int count;		      /* pages on all lists */
	int batch;		      /* pages */
	int high;		      /* 6.1, 4.x: the limit; 6.12: within [high_min, high_max] */
	int high_min, high_max;	      /* 6.12; both = high in 6.1 and 4.x */
	int free_factor;	      /* 6.1: bulk frees double while freeing without allocating */
	int free_count;		      /* 6.12: pages freed in a row */
	int alloc_factor;	      /* 6.12: bulk allocations double while allocating */
	bool prev_free_high_order;    /* 6.12 PCPF_PREV_FREE_HIGH_ORDER */
};

struct physmem_zone {
	const char *name;
	enum physmem_zone_type type;
	bool highmem;
	unsigned long start, end; /* pfns, end exclusive */
	unsigned long managed;	  /* pages: present - reserved */
	unsigned long reserved;	  /* pages held by PHYSMEM_OWNER_RESERVED from boot */
	unsigned long free_pages; /* pages on free lists (NR_FREE_PAGES) */
	unsigned long free_cma;	  /* of those, on MIGRATE_CMA lists (NR_FREE_CMA_PAGES) */
	unsigned long wmark[PHYSMEM_NR_WMARKS]; /* _watermark[]: pages, without the boost */
	unsigned long watermark_boost;		/* pages */
	bool boosted;				/* ZONE_BOOSTED_WATERMARK */
	bool below_high;			/* ZONE_BELOW_HIGH (6.12) */
	bool reclaim_active;			/* ZONE_RECLAIM_ACTIVE */
	/* lowmem_reserve[] by the request's highest zone type */
	unsigned long lowmem_reserve[PHYSMEM_NR_ZONE_TYPES];
	uint32_t head[PHYSMEM_MAX_ORDERS][PHYSMEM_MT_TYPES]; /* list heads, PF_NIL if empty */
	unsigned long nr_free[PHYSMEM_MAX_ORDERS];	     /* blocks per order */
	unsigned long nr_free_mt[PHYSMEM_MAX_ORDERS][PHYSMEM_MT_TYPES];
	unsigned long nr_pageblocks[PHYSMEM_MT_TYPES];
	struct physmem_pcp pcp;
};

struct physmem {
	struct physmem_config cfg;
	unsigned long nr_frames;
	unsigned int page_shift;
	unsigned int max_order;
	unsigned int pb_order;
	struct physmem_frame *frames;
	void **priv; /* page->private of every frame, apart: zsmalloc reads it on every free */
	uint8_t *pb_mt; /* per pageblock, enum physmem_mt */
	unsigned long nr_pageblocks;
	unsigned int nr_zones;
	struct physmem_zone zones[PHYSMEM_NR_ZONES];
	unsigned int kswapd_wakeups; /* zone bits, for physmem_take_kswapd_wakeups */
	unsigned char *host;	     /* backing bytes, aligned to HOST_PREFAULT_REGION */
	size_t host_len;	     /* bytes */
	void *host_map;		     /* the mapping host lies in, and its length */
	size_t host_map_len;
	struct host_prefault *prefault; /* NULL: off, or the host kernel cannot */
	struct physmem_stats st;
};

static inline struct physmem_zone *zone_of(struct physmem *pm, unsigned long pfn)
{
	unsigned int i = 0;

	while (i + 1 < pm->nr_zones && pfn >= pm->zones[i].end)
		i++;
	return &pm->zones[i];
}

static inline enum physmem_mt pb_get(const struct physmem *pm, unsigned long pfn)
{
	return (enum physmem_mt)pm->pb_mt[pfn >> pm->pb_order];
}

static inline unsigned long wmark_pages(const struct physmem_zone *z, enum physmem_wmark wm)
{
	return z->wmark[wm] + z->watermark_boost;
}

static inline bool is_free_head(const struct physmem *pm, const struct physmem_zone *z,
				unsigned long pfn, unsigned int order)
{
	return pfn >= z->start && pfn < z->end && pm->frames[pfn].state == PF_FREE &&
	       pm->frames[pfn].order == order;
}

/* physmem.c */
void pm_list_add(struct physmem *pm, uint32_t *head, uint32_t idx, bool tail);
void pm_list_del(struct physmem *pm, uint32_t *head, uint32_t idx);
void __free_one_page(struct physmem *pm, struct physmem_zone *z, unsigned long pfn,
		     unsigned int order, enum physmem_mt mt, bool to_tail);
uint32_t pm_rmqueue_buddy(struct physmem *pm, struct physmem_zone *z, unsigned int order,
			  enum physmem_mt mt, unsigned int flags);
bool pm_zone_wmark_ok(const struct physmem *pm, const struct physmem_zone *z, unsigned int order,
		      unsigned long mark, enum physmem_zone_type highest, bool alloc_cma);
void pb_set(struct physmem *pm, unsigned long pfn, enum physmem_mt mt);

/* physmem_zone.c */
int pm_zones_init(struct physmem *pm, char *msg, size_t len);
unsigned long long pm_isqrt(unsigned long long x);
bool pm_boost_watermark(struct physmem *pm, struct physmem_zone *z);
/* The highest zone type a request may use (gfp_zone). */
enum physmem_zone_type pm_highest_zone(enum physmem_mt mt, unsigned int flags);

/* physmem_start.c: the zone's free lists as cfg.free_blocks gives them, every other managed
 * frame taken; 0, or -EINVAL with why in msg (may be NULL) */
int pm_build_start(struct physmem *pm, struct physmem_zone *z, char *msg, size_t len);

/* physmem_pcp.c */
bool pm_pcp_allowed_order(const struct physmem *pm, unsigned int order);
void pm_pcp_setup(struct physmem *pm, struct physmem_zone *z);
uint32_t pm_rmqueue_pcplist(struct physmem *pm, struct physmem_zone *z, unsigned int order,
			    enum physmem_mt mt, unsigned int flags);
void pm_free_unref_page(struct physmem *pm, struct physmem_zone *z, unsigned long pfn,
			unsigned int order);
int pm_pcp_check(const struct physmem *pm, const struct physmem_zone *z, char *msg, size_t len);

/* physmem_check.c: physmem_check() or zs_check_bug() with its message */
void pm_deep_check(const struct physmem *pm, const char *file, int line);

#endif /* ZSFRAG_SIM_PHYSMEM_INTERNAL_H */
