/*
 * zs_slab.c - the slab pages of zsmalloc's kmem caches (mm/zsmalloc.c
 * create_cache: "zs_handle" of ZS_HANDLE_SIZE = sizeof(unsigned long) and
 * "zspage" of sizeof(struct zspage)). zs_malloc takes a handle object first
 * (cache_alloc_handle, gfp without __GFP_HIGHMEM|__GFP_MOVABLE) and a new
 * zspage takes a zspage object (cache_alloc_zspage), so both caches grow
 * with the pool in unmovable lowmem pages, the kind a pgd needs.
 *
 * SLUB sizes: objects aligned to ARCH_SLAB_MINALIGN (8 on ARM, the word on
 * x86_64), the free pointer inside the object; order 0 (calculate_order:
 * a 4 KiB page already holds more than slub_min_objects = 4 * (fls(CPUs) +
 * 1) such objects). zs_handle: 8 B, 512 a page. struct zspage of 6.1/6.12
 * (bitfield word, inuse, freeobj, first_page, list, pool, rwlock_t): 32 B on
 * arm32 (128 a page), 56 B on x86_64 (73 a page); 4.8's has no pool
 * pointer: 32 B (28 aligned to 8) and 48 B (85 a page).
 *
 * zs_handle's pages are the slab pages that hold a live handle: the pool's
 * handle slots lie in slab pages in order (allocator/handle.c), and SLUB
 * frees a slab only when its last object goes (mm/slub.c __slab_free), so
 * a pool that freed every second object keeps every handle page, as the
 * guests' slab_unreclaimable shows (kernel/README.md).
 * SIM: zspage's pages are ceil(objects / objects per page), the lower
 *      bound: its objects are not placed in slabs. Up to min_partial empty
 *      slabs a cache keeps are not counted. Pages are taken after the
 *      operation that needed them; the newest slab page is freed first.
 *      Caches are not merged with others of the same size.
 * SIM: a slab page that cannot be had is counted, the operation stands.
 */
#include "zs_slab.h"

#include <stdlib.h>
#include <string.h>

static unsigned int align8(unsigned int n)
{
	return (n + 7u) & ~7u;
}

void zs_slab_init(struct zs_slab *s, const struct zs_profile_info *pi, enum zs_arch arch,
		  size_t page_size)
{
	bool lp64 = arch == ZS_ARCH_X86_64;

	memset(s, 0, sizeof(*s));
	if (pi->indirect_handles && !pi->handles_in_pool)
		s->handle_size = align8(lp64 ? 8 : 4);
	if (pi->has_migration) {
		/* bitfield + inuse + freeobj, first_page, list (2 pointers), [pool], rwlock_t */
		unsigned int ptr = lp64 ? 8 : 4, rwlock = lp64 ? 8 : 4;
		unsigned int sz = 12 + (lp64 ? 4 : 0) + ptr + 2 * ptr;

		if (strcmp(pi->name, "v4.8") != 0)
			sz += ptr; /* struct zs_pool *pool (5.x+) */
		s->zspage_size = align8(sz + rwlock);
	}
	if (s->handle_size)
		s->handles_per_pg = (unsigned int)(page_size / s->handle_size);
	if (s->zspage_size)
		s->zspages_per_pg = (unsigned int)(page_size / s->zspage_size);
}

unsigned long zs_slab_pages_needed(const struct zs_slab *s, uint64_t handles, uint64_t zspages)
{
	uint64_t n = 0;

	if (s->handles_per_pg)
		n += (handles + s->handles_per_pg - 1) / s->handles_per_pg;
	if (s->zspages_per_pg)
		n += (zspages + s->zspages_per_pg - 1) / s->zspages_per_pg;
	return (unsigned long)n;
}

void zs_slab_sync(struct zs_slab *s, struct physmem *pm, const struct zs_pool *pool)
{
	struct zs_pool_stats ps;
	unsigned long need;

	if (!s->handles_per_pg && !s->zspages_per_pg)
		return;
	zs_pool_stats(pool, &ps);
	/* zs_handle: the slab pages that hold a live handle (allocator/handle.c) */
	need = zs_slab_pages_needed(s, 0, ps.zspages) + (s->handles_per_pg ? ps.handle_pages : 0);
	while (s->nr > need)
		physmem_free(pm, s->pfns[--s->nr], 0);
	while (s->nr < need) {
		unsigned long pfn;

		if (s->nr == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 64;
			unsigned long *p = realloc(s->pfns, cap * sizeof(*p));

			if (!p) {
				s->alloc_fail++;
				return;
			}
			s->pfns = p;
			s->cap = cap;
		}
		/* allocate_slab: GFP_KERNEL-like, unmovable, lowmem */
		if (physmem_alloc(pm, 0, PHYSMEM_MT_UNMOVABLE, 0, &pfn) != 0) {
			s->alloc_fail++;
			return;
		}
		physmem_set_owner(pm, pfn, PHYSMEM_OWNER_SLAB, 0);
		s->pfns[s->nr++] = pfn;
	}
}

void zs_slab_release(struct zs_slab *s, struct physmem *pm)
{
	if (pm)
		while (s->nr)
			physmem_free(pm, s->pfns[--s->nr], 0);
	free(s->pfns);
	s->pfns = NULL;
	s->nr = s->cap = 0;
}
