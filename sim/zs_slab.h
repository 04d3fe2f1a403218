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
#include "zsmalloc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct zs_slab {
	unsigned int handle_size;     /* bytes per zs_handle object; 0 = no such cache */
	unsigned int zspage_size;     /* bytes per struct zspage; 0 = no such cache */
	unsigned int handles_per_pg;  /* objects per order-0 slab page */
	unsigned int zspages_per_pg;  /* objects per order-0 slab page */
	unsigned long *pfns;	      /* slab pages held, oldest first */
	size_t nr, cap;
	uint64_t alloc_fail;	      /* slab pages that could not be had */
};

/*
 * Object sizes for a profile and arch (SLUB, ARCH_SLAB_MINALIGN 8):
 * zs_handle sizeof(long) rounded to 8; struct zspage 4.8: 28 -> 32 B (arm32),
 * 48 B (x86_64); 6.1+ adds the pool pointer: 32 B, 56 B. Before 4.8 the
 * zspage lived in struct page (no cache); rfc2014 keeps handles in the pool
 * and 3.18 has none.
 */
void zs_slab_init(struct zs_slab *s, const struct zs_profile_info *pi, enum zs_arch arch,
		  size_t page_size);
/* Pages the caches need for these live objects: ceil(handles / per page) + ceil(zspages / per
 * page). */
/* ceil(objects / objects per page) over both caches: the pages when no slab has a free slot */
unsigned long zs_slab_pages_needed(const struct zs_slab *s, uint64_t handles, uint64_t zspages);
/* Grow or shrink the held pages to what the pool's live handles and zspages need. */
void zs_slab_sync(struct zs_slab *s, struct physmem *pm, const struct zs_pool *pool);
void zs_slab_release(struct zs_slab *s, struct physmem *pm);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_ZS_SLAB_H */
