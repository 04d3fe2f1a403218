/*
 * zs_slab.c - the slab pages of zsmalloc's kmem caches (mm/zsmalloc.c
 * create_cache: "zs_handle" of ZS_HANDLE_SIZE = sizeof(unsigned long) and
 * "zspage" of sizeof(struct zspage)). zs_malloc takes a handle object first
 * (cache_alloc_handle, gfp without __GFP_HIGHMEM|__GFP_MOVABLE) and a new
 * zspage takes a zspage object (cache_alloc_zspage), so both caches grow
 * with the pool in unmovable lowmem pages, the kind a pgd needs.
 *
 * Each cache is modelled object by object as SLUB keeps it (sim/slub.c): the
 * pool reports every object taken and given back (struct zs_page_ops
 * kmem_event), the model places it in a slab and takes or frees slab pages
 * as SLUB would. Both caches are made with flags 0 and no ctor: objects
 * aligned to ARCH_SLAB_MINALIGN (8 on ARM EABI, alignof(long long) = 8 on
 * x86_64), no SLAB_HWCACHE_ALIGN, the free pointer inside the object; order 0
 * (calculate_order: a 4 KiB page holds more than min_objects = 4 * (fls(1) +
 * 1) = 8 with no leftover above 1/16); min_partial 5 (ilog2(size) / 2 < 5).
 * zs_handle: 8 B, 512 a page, 1 per-CPU partial slab (DIV_ROUND_UP(2 * 120,
 * 512)). struct zspage of 6.1/6.12 (bitfield word, inuse, freeobj,
 * first_page, list, pool, rwlock_t): 32 B on arm32 (128 a page, 2 per-CPU
 * partial slabs), 56 B on x86_64 (73 a page, 4); 4.8's has no pool pointer:
 * 32 B (28 aligned to 8) and 48 B (85 a page).
 *
 * SIM: the caches are not merged with other caches of the same size (Debian
 *      builds SLAB_MERGE_DEFAULT=y; find_mergeable would alias them to an
 *      existing cache of that size without usersize, ctor or accounting
 *      flags; the kmalloc caches are not such, they have a usersize).
 * SIM: slab pages come from the physmem directly (unmovable, lowmem), not
 *      through __alloc_pages with the caller's gfp; a page that cannot be had
 *      is counted and the operation stands.
 */
#include "zs_slab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static unsigned int align8(unsigned int n)
{
	return (n + 7u) & ~7u;
}

static int slab_page_alloc(void *ctx, unsigned int order, unsigned long *pfn)
{
	struct zs_slab *s = ctx;

	/* allocate_slab: GFP_KERNEL-like, unmovable, lowmem */
	if (!s->pm || physmem_alloc(s->pm, order, PHYSMEM_MT_UNMOVABLE, 0, pfn) != 0) {
		s->alloc_fail++;
		return -ENOMEM;
	}
	physmem_set_owner(s->pm, *pfn, PHYSMEM_OWNER_SLAB, 0);
	return 0;
}

static void slab_page_free(void *ctx, unsigned long pfn, unsigned int order)
{
	struct zs_slab *s = ctx;

	if (s->pm)
		physmem_free(s->pm, pfn, order);
}

int zs_slab_init(struct zs_slab *s, const struct zs_profile_info *pi, enum zs_arch arch,
		 size_t page_size, struct physmem *pm)
{
	bool lp64 = arch == ZS_ARCH_X86_64;
	unsigned int ptr = lp64 ? 8 : 4;
	struct slub_page_ops ops = {.alloc = slab_page_alloc, .free = slab_page_free, .ctx = s};
	struct slub_geometry g;
	int err;

	memset(s, 0, sizeof(*s));
	s->pm = pm;
	if (pi->indirect_handles && !pi->handles_in_pool)
		s->handle_size = align8(ptr);
	if (pi->has_migration) {
		/* bitfield + inuse + freeobj, first_page, list (2 pointers), [pool], rwlock_t */
		unsigned int rwlock = lp64 ? 8 : 4;
		unsigned int sz = 12 + (lp64 ? 4 : 0) + ptr + 2 * ptr;

		if (strcmp(pi->name, "v4.8") != 0)
			sz += ptr; /* struct zs_pool *pool (5.x+) */
		s->zspage_size = align8(sz + rwlock);
	}
	if (s->handle_size)
		s->handles_per_pg = (unsigned int)(page_size / s->handle_size);
	if (s->zspage_size)
		s->zspages_per_pg = (unsigned int)(page_size / s->zspage_size);
	/* the caches' objects: sizeof(unsigned long) and the unaligned struct zspage */
	if (s->handle_size) {
		err = slub_geometry(ptr, ptr, 8, page_size, 1, &g);
		if (!err)
			err = slub_cache_init(&s->handle, &g, &ops);
		if (err)
			return err;
	}
	if (s->zspage_size) {
		err = slub_geometry(s->zspage_size, ptr, 8, page_size, 1, &g);
		if (!err)
			err = slub_cache_init(&s->zspage, &g, &ops);
		if (err)
			return err;
	}
	return 0;
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

void zs_slab_event(struct zs_slab *s, enum zs_kmem_cache cache, bool alloc, unsigned long id)
{
	struct slub_cache *c = cache == ZS_KMEM_HANDLE ? &s->handle : &s->zspage;

	if (!(cache == ZS_KMEM_HANDLE ? s->handle_size : s->zspage_size) || !c->objs.slots)
		return; /* no such cache in this profile, or released */
	if (alloc)
		(void)slub_alloc(c, id); /* SIM: host memory short: the object is not placed */
	else
		(void)slub_free(c, id);
}

unsigned long zs_slab_pages(const struct zs_slab *s)
{
	return (unsigned long)(s->handle.pages_live + s->zspage.pages_live);
}

int zs_slab_check(const struct zs_slab *s, char *msg, size_t len)
{
	int err = 0;

	if (s->handle.objs.slots)
		err = slub_check(&s->handle, msg, len);
	if (!err && s->zspage.objs.slots)
		err = slub_check(&s->zspage, msg, len);
	return err;
}

void zs_slab_release(struct zs_slab *s, struct physmem *pm)
{
	s->pm = pm;
	if (s->handle.objs.slots)
		slub_cache_destroy(&s->handle, pm != NULL);
	if (s->zspage.objs.slots)
		slub_cache_destroy(&s->zspage, pm != NULL);
	s->pm = NULL;
}
