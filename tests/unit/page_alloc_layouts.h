/*
 * page_alloc_layouts.h - the hand-built machine of the slow-path tests
 * (test_page_alloc.c, test_fork_slab.c): 64 frames (256 KiB), no HighMem,
 * pageblock order 3, min_free_kbytes 0, its layouts and the test's side of
 * reclaim. Layouts are built with ALLOC_NO_WATERMARKS order-0 allocations
 * (boot hands out the lowest free frame first: frame i is the i-th
 * allocation) and frees:
 *   checkerboard: every frame taken, the odd ones freed: 32 free frames, no
 *                 two of them buddies, so no free block above order 0;
 *   full_but(n):  every frame taken but the last n (a free aligned block).
 * Included by one test file each: the functions are static.
 */
#ifndef ZSFRAG_TEST_PAGE_ALLOC_LAYOUTS_H
#define ZSFRAG_TEST_PAGE_ALLOC_LAYOUTS_H

#include <stdbool.h>
#include <string.h>

#include "page_alloc.h"
#include "physmem.h"
#include "test_util.h"

#define NFRAMES 64

static inline struct physmem *machine(unsigned int max_order)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	physmem_config_default(&c);
	c.ram_bytes = NFRAMES * 4096;
	c.highmem = false;
	c.max_order = max_order;
	c.pageblock_order = 3;
	c.min_free_kbytes = 0;
	if (physmem_create(&c, &pm) != 0)
		return NULL;
	return pm;
}

static inline void take_all(struct physmem *pm, enum physmem_mt mt, enum physmem_owner owner)
{
	for (unsigned long i = 0; i < NFRAMES; i++) {
		unsigned long pfn;

		REQUIRE(physmem_alloc(pm, 0, mt, PHYSMEM_ALLOC_NO_WMARKS, &pfn) == 0);
		CHECK_EQ(pfn, i);
		physmem_set_owner(pm, pfn, owner, owner == PHYSMEM_OWNER_USER ? pfn + 1 : 0);
	}
}

static inline void checkerboard(struct physmem *pm)
{
	take_all(pm, PHYSMEM_MT_UNMOVABLE, PHYSMEM_OWNER_KERNEL);
	for (unsigned long i = 1; i < NFRAMES; i += 2)
		physmem_free(pm, i, 0);
	CHECK_EQ(physmem_free_pages(pm), 32);
	CHECK_EQ(physmem_nr_free(pm, 0, 1), 0);
}

static inline void full_but(struct physmem *pm, unsigned long n)
{
	take_all(pm, PHYSMEM_MT_UNMOVABLE, PHYSMEM_OWNER_KERNEL);
	for (unsigned long i = NFRAMES - n; i < NFRAMES; i++)
		physmem_free(pm, i, 0);
}

/* The test's side of reclaim: what shrink_slab and the pre-OOM hook do. */
struct fake {
	struct physmem *pm;
	unsigned long progress;	   /* shrink_slab's nr_reclaimed */
	unsigned long free_pfn[4]; /* frames shrink_slab / before_oom free (once) */
	unsigned int nfree;
	bool hook; /* before_oom runs */
	unsigned int shrink_calls, kswapd_calls, hook_calls;
};

static inline void fake_free(struct fake *f, unsigned long *freed)
{
	for (unsigned int i = 0; i < f->nfree; i++)
		physmem_free(f->pm, f->free_pfn[i], 0);
	*freed = f->nfree;
	f->nfree = 0;
}

static inline unsigned long fake_shrink(void *ctx, bool kswapd, unsigned long *freed)
{
	struct fake *f = ctx;

	f->shrink_calls++;
	f->kswapd_calls += kswapd;
	fake_free(f, freed);
	return f->progress;
}

static inline bool fake_before_oom(void *ctx, unsigned int order)
{
	struct fake *f = ctx;
	unsigned long freed;

	(void)order;
	if (!f->hook)
		return false;
	f->hook_calls++;
	fake_free(f, &freed);
	return true;
}

static inline int relocate_ok(void *ctx, unsigned long oldpfn, unsigned long newpfn, uint64_t tag)
{
	(void)ctx, (void)oldpfn, (void)newpfn, (void)tag;
	return 0;
}

static inline void init(struct page_alloc *pa, struct physmem *pm, const char *profile, struct fake *f)
{
	struct page_alloc_ops ops = {.ctx = f,
				     .shrink_slab = fake_shrink,
				     .before_oom = fake_before_oom,
				     .relocate = relocate_ok};

	memset(f, 0, sizeof(*f));
	f->pm = pm;
	page_alloc_init(pa, pm, page_alloc_era(profile), &ops);
}

#endif /* ZSFRAG_TEST_PAGE_ALLOC_LAYOUTS_H */
