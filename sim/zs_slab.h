/*
 * zs_slab.h - the kernel's own slab pages behind zsmalloc: the zs_handle
 * and zspage kmem caches (see zs_slab.c). They take unmovable lowmem pages
 * as the pool grows.
 */
#ifndef ZSFRAG_SIM_ZS_SLAB_H
#define ZSFRAG_SIM_ZS_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include "physmem.h"
#include "slub.h"
#include "zsmalloc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct zs_slab {
	unsigned int handle_size; /* bytes per zs_handle object (kmem_cache_create's); 0 = none */
	unsigned int zspage_size; /* bytes per struct zspage; 0 = no such cache */
	unsigned int handles_per_pg; /* objects per order-0 slab page */
	unsigned int zspages_per_pg; /* objects per order-0 slab page */
	struct slub_cache handle;    /* the "zs_handle" cache, object by object (sim/slub.c) */
	struct slub_cache zspage;    /* the "zspage" cache */
	struct physmem *pm;	     /* where the slab pages come from; NULL until attached */
	uint64_t alloc_fail;	     /* slab pages that could not be had */
};

/*
 * Object sizes for a profile and arch, and each cache's SLUB geometry:
 * zs_handle sizeof(long) (4 or 8), struct zspage of 4.8: 28 B (arm32), 48 B
 * (x86_64); 6.1+ adds the pool pointer: 32 B, 56 B. Before 4.8 the zspage
 * lived in struct page (no cache); rfc2014 keeps handles in the pool and 3.18
 * has none. Pages come from pm (NULL: none taken, for geometry alone).
 * 0, or -ENOMEM.
 */
int zs_slab_init(struct zs_slab *s, const struct zs_profile_info *pi, enum zs_arch arch,
		 size_t page_size, struct physmem *pm);
/* ceil(objects / objects per page) over both caches: the pages when no slab has a free slot */
unsigned long zs_slab_pages_needed(const struct zs_slab *s, uint64_t handles, uint64_t zspages);
/* An object of either cache taken or given back (struct zs_page_ops.kmem_event). */
void zs_slab_event(struct zs_slab *s, enum zs_kmem_cache cache, bool alloc, unsigned long id);
/* Slab pages both caches hold. */
unsigned long zs_slab_pages(const struct zs_slab *s);
/* The caches' lists against their counters: 0 or -EUCLEAN with a message. */
int zs_slab_check(const struct zs_slab *s, char *msg, size_t len);
/* Gives every slab page back to pm when pm is not NULL, frees the model. */
void zs_slab_release(struct zs_slab *s, struct physmem *pm);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_ZS_SLAB_H */
