/*
 * slub.h - one SLUB kmem cache, object by object (mm/slub.c of 6.1 and 6.12), on one CPU
 * and one node: where an allocation goes (the CPU slab, the per-CPU partial slabs, the
 * node's partial list, a new slab from the page allocator) and when a freed object's slab
 * goes back to the page allocator. See slub.c for the rules and what they come from.
 */
#ifndef ZSFRAG_SIM_SLUB_H
#define ZSFRAG_SIM_SLUB_H

#include <stddef.h>
#include <stdint.h>

#include "idmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Where slab pages come from; 0 and *pfn, or nonzero when none can be had. try_alloc, when
 * set, is allocate_slab's first attempt at a slab of an order above the cache's minimum: no
 * reclaim, no kswapd, __GFP_NORETRY; when it fails, alloc takes a slab of the minimum order
 * (ORDER_FALLBACK). Without try_alloc every slab is of the cache's order.
 */
struct slub_page_ops {
	int (*alloc)(void *ctx, unsigned int order, unsigned long *pfn);
	int (*try_alloc)(void *ctx, unsigned int order, unsigned long *pfn);
	void (*free)(void *ctx, unsigned long pfn, unsigned int order);
	void *ctx;
};

/* A cache's geometry as kmem_cache_create() -> calculate_sizes() makes it. */
struct slub_geometry {
	unsigned int size;		/* bytes per object, aligned (s->size) */
	unsigned int order;		/* slab order (oo_order(s->oo)) */
	unsigned int objects;		/* objects per slab (oo_objects(s->oo)) */
	unsigned int min_order;		/* the fallback's order: get_order(size) (s->min) */
	unsigned int min_objects;	/* objects in a slab of min_order (oo_objects(s->min)) */
	unsigned int min_partial;	/* empty slabs are freed once the node has this many */
	unsigned int cpu_partial_slabs; /* the per-CPU partial list drains beyond this */
};

/*
 * The geometry of a cache of object_size bytes, no ctor, no flags (zsmalloc's caches),
 * on a kernel with pointers of ptr_bytes, ARCH_SLAB_MINALIGN minalign, pages of
 * page_size and nr_cpus CPUs (calculate_order's min_objects). 0, or -EINVAL.
 */
int slub_geometry(unsigned int object_size, unsigned int ptr_bytes, unsigned int minalign,
		  size_t page_size, unsigned int nr_cpus, struct slub_geometry *g);

enum slub_where {
	SLUB_FREE_REC = 0, /* record unused */
	SLUB_CPU,	   /* c->slab */
	SLUB_CPU_PARTIAL,  /* on c->partial */
	SLUB_NODE_PARTIAL, /* on n->partial */
	SLUB_FULL,	   /* on no list, every object in use */
};

struct slub_slab {
	unsigned long pfn;
	uint32_t inuse; /* objects in use */
	uint32_t next;	/* node list: next; per-CPU list: next; free records: next */
	uint32_t prev;	/* node list: previous */
	uint32_t slabs; /* per-CPU partial list: slab->slabs as put_cpu_partial sets it */
	uint8_t where;	/* enum slub_where */
	uint8_t min;	/* a slab of the minimum order (allocate_slab's fallback) */
};

struct slub_cache {
	struct slub_geometry g;
	struct slub_page_ops ops;
	struct slub_slab *slabs; /* slab records, indexed; free ones chained */
	uint32_t nr_slabs, cap_slabs, free_rec;
	uint32_t cpu;	       /* the CPU slab (c->slab), or SLUB_NONE */
	uint32_t cpu_partial;  /* head of the per-CPU partial list (c->partial), or SLUB_NONE */
	uint32_t partial_head; /* the node's partial list (n->partial), oldest first */
	uint32_t partial_tail;
	uint32_t nr_partial; /* n->nr_partial */
	struct idmap objs;   /* object id -> slab record + 1 (0: no slab could be had) */
	uint64_t objects_live;
	uint64_t slabs_live;	  /* slab pages held, counted in slabs */
	uint64_t pages_live;	  /* the same in pages: slabs differ in order after a fallback */
	uint64_t slabs_allocated; /* new_slab() calls that got a page */
	uint64_t slabs_fallback;  /* of which of the minimum order (ORDER_FALLBACK) */
	uint64_t slabs_freed;	  /* discard_slab() calls */
	uint64_t alloc_fail;	  /* objects placed in no slab: no page could be had */
	uint64_t slabs_start;	  /* slabs slub_cache_start made: no frame, never discarded */
	uint64_t objects_other;	  /* their objects in use by others (never freed) */
};

#define SLUB_NONE UINT32_MAX

int slub_cache_init(struct slub_cache *c, const struct slub_geometry *g,
		    const struct slub_page_ops *ops);
/*
 * The cache's state before the model's first allocation: free_objects free objects in slabs
 * that already exist (their frames are in the machine's taken memory, not modelled), on the
 * node's partial list, as few slabs as hold them: each of objects - 1 free objects (one in
 * use by another owner) but the last, which has the rest. The other owners never free, so
 * these slabs are never discarded. Only on a cache nothing was allocated from yet: 0,
 * -EINVAL (a cache of one object a slab, or not fresh), -ENOMEM.
 */
int slub_cache_start(struct slub_cache *c, unsigned int free_objects);
/* Frees the records; gives the pages back through ops when give_back. */
void slub_cache_destroy(struct slub_cache *c, int give_back);
/* kmem_cache_alloc for object id (unique among live objects): 0, -EEXIST, -ENOMEM (host). */
int slub_alloc(struct slub_cache *c, uint64_t id);
/* kmem_cache_free of object id: 0, or -ENOENT. */
int slub_free(struct slub_cache *c, uint64_t id);
/* The pfn of the slab holding id, or -ENOENT (also when it has no slab). */
int slub_object_pfn(const struct slub_cache *c, uint64_t id, unsigned long *pfn);
/* Walks every list against the counters; 0 or -EUCLEAN with a message. */
int slub_check(const struct slub_cache *c, char *msg, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_SLUB_H */
