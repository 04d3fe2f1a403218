/*
 * test_zs_slab.c - the slab pages of zsmalloc's kmem caches (sim/zs_slab.c):
 * object sizes per profile and arch from the kernel's struct layouts, pages
 * per object count, and a pool whose caches grow and shrink in lowmem.
 */
#include <string.h>

#include "physmem.h"
#include "test_util.h"
#include "zs_provider.h"
#include "zs_slab.h"

static void init(struct zs_slab *s, const char *profile, enum zs_arch arch)
{
	struct zs_profile_info pi;

	REQUIRE(zs_profile_lookup(profile, &pi) == 0);
	REQUIRE(zs_slab_init(s, &pi, arch, 4096, NULL) == 0);
}

/*
 * 6.1 arm32: zs_handle 4 -> 8 B (512 a page); struct zspage 4 + 4 + 4 +
 * first_page 4 + list 8 + pool 4 + rwlock 4 = 32 B (128 a page).
 * x86_64: 4 + 4 + 4 + pad 4 + 8 + 16 + 8 + rwlock 8 = 56 B (73 a page).
 * 4.8 has no pool pointer: 28 -> 32 B on arm32, 48 B (85) on x86_64.
 * 4.1/4.3: handles only; rfc2014 (handles in the pool) and 3.18: none.
 */
static void test_sizes(void)
{
	struct zs_slab s;

	init(&s, "v6.1", ZS_ARCH_ARM32);
	CHECK_EQ(s.handle_size, 8);
	CHECK_EQ(s.handles_per_pg, 512);
	CHECK_EQ(s.zspage_size, 32);
	CHECK_EQ(s.zspages_per_pg, 128);
	/* 1000 handles, 100 zspages: ceil(1000 / 512) + ceil(100 / 128) = 2 + 1 */
	CHECK_EQ(zs_slab_pages_needed(&s, 1000, 100), 3);
	CHECK_EQ(zs_slab_pages_needed(&s, 0, 0), 0);
	CHECK_EQ(s.handle.g.objects, 512);
	CHECK_EQ(s.zspage.g.objects, 128);
	CHECK_EQ(s.zspage.g.cpu_partial_slabs, 2);
	zs_slab_release(&s, NULL);
	init(&s, "v6.12", ZS_ARCH_X86_64);
	CHECK_EQ(s.handle.g.size, 8);
	CHECK_EQ(s.zspage.g.objects, 73);
	CHECK_EQ(s.zspage.g.cpu_partial_slabs, 4);
	zs_slab_release(&s, NULL);
	CHECK_EQ(s.zspage_size, 56);
	CHECK_EQ(s.zspages_per_pg, 73);
	CHECK_EQ(zs_slab_pages_needed(&s, 512, 74), 1 + 2);
	zs_slab_release(&s, NULL);
	init(&s, "v4.8", ZS_ARCH_X86_64);
	CHECK_EQ(s.zspage_size, 48);
	CHECK_EQ(s.zspages_per_pg, 85);
	zs_slab_release(&s, NULL);
	init(&s, "v4.8", ZS_ARCH_ARM32);
	CHECK_EQ(s.zspage_size, 32);
	zs_slab_release(&s, NULL);
	init(&s, "v4.1", ZS_ARCH_ARM32);
	CHECK_EQ(s.handle_size, 8);
	CHECK_EQ(s.zspage_size, 0);
	zs_slab_release(&s, NULL);
	init(&s, "rfc2014", ZS_ARCH_ARM32);
	CHECK_EQ(s.handle_size, 0);
	init(&s, "v3.18", ZS_ARCH_ARM32);
	CHECK_EQ(s.handle_size + s.zspage_size, 0);
	CHECK_EQ(zs_slab_pages_needed(&s, 1000, 100), 0);
	zs_slab_release(&s, NULL);
}

/* The pool's provider on the physmem, with the kmem events going to a zs_slab. */
struct slab_ctx {
	struct physmem *pm;
	struct zs_slab *slab;
};

static int sc_alloc(void *ctx, unsigned int gfp, unsigned long *pfn)
{
	return zs_provider_ops()->alloc_page(((struct slab_ctx *)ctx)->pm, gfp, pfn);
}

static void sc_free(void *ctx, unsigned long pfn)
{
	zs_provider_ops()->free_page(((struct slab_ctx *)ctx)->pm, pfn);
}

static void *sc_address(void *ctx, unsigned long pfn)
{
	return zs_provider_ops()->page_address(((struct slab_ctx *)ctx)->pm, pfn);
}

static void **sc_private(void *ctx, unsigned long pfn)
{
	return zs_provider_ops()->page_private(((struct slab_ctx *)ctx)->pm, pfn);
}

static void sc_kmem(void *ctx, enum zs_kmem_cache cache, bool alloc, unsigned long id)
{
	zs_slab_event(((struct slab_ctx *)ctx)->slab, cache, alloc, id);
}

static void check_slab(const struct zs_slab *s, struct physmem *pm)
{
	struct physmem_stats st;
	char msg[256] = "";

	physmem_get_stats(pm, &st);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_SLAB], zs_slab_pages(s));
	if (zs_slab_check(s, msg, sizeof(msg)) != 0)
		TU_FAIL_("zs_slab_check: %s", msg);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
}

/*
 * A v6.1 arm32 pool on a Normal + HighMem machine, zram's gfp: 2000 objects
 * of 1000 B take ceil(2000 / 512) = 4 handle slabs (handles placed in
 * allocation order: 0..511, 512..1023, 1024..1535, 1536..1999 the CPU slab)
 * plus ceil(zspages / 128) zspage slabs; every slab page is unmovable lowmem.
 * Handles 0..999 freed: slab 0's first free puts it on the per-CPU list,
 * where it empties and stays; slab 1's first free drains it to the node
 * (1 partial slab < min_partial 5: kept empty): still 4 handle slabs (the
 * model before this one counted 3). Then the rest: slab 2's first free
 * drains slab 1 (empty, 1 < 5 on the node: kept); all 4 stay, none in use.
 */
static void test_pool_slab(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;
	struct zs_pool *pool = NULL;
	struct zs_pool_config pc = {.profile = "v6.1", .arch = ZS_ARCH_ARM32, .page_size = 4096};
	struct zs_page_ops ops = {.alloc_page = sc_alloc,
				  .free_page = sc_free,
				  .page_address = sc_address,
				  .page_private = sc_private,
				  .kmem_event = sc_kmem};
	struct zs_profile_info pi;
	struct zs_pool_stats ps;
	struct physmem_stats st;
	struct zs_slab s;
	struct slab_ctx ctx = {.slab = &s};
	static unsigned long h[2000];

	physmem_config_default(&c);
	c.ram_bytes = 64ull << 20;
	c.lowmem_limit_bytes = 32ull << 20;
	REQUIRE(physmem_create(&c, &pm) == 0);
	ctx.pm = pm;
	REQUIRE(zs_profile_lookup("v6.1", &pi) == 0);
	REQUIRE(zs_slab_init(&s, &pi, ZS_ARCH_ARM32, 4096, pm) == 0);
	REQUIRE(zs_create_pool(&pc, &ops, &ctx, &pool) == 0);
	for (int i = 0; i < 2000; i++)
		REQUIRE(zs_malloc(pool, 1000, ZS_GFP_HIGHMEM | ZS_GFP_MOVABLE, &h[i]) == 0);
	zs_pool_stats(pool, &ps);
	CHECK_U64_EQ(s.handle.objects_live, 2000);
	CHECK_U64_EQ(s.zspage.objects_live, ps.zspages);
	CHECK_U64_EQ(s.handle.slabs_live, 4);
	CHECK_U64_EQ(s.zspage.slabs_live, (ps.zspages + 127) / 128);
	check_slab(&s, pm);
	for (unsigned long i = 0; i < s.handle.nr_slabs; i++) {
		struct physmem_block blk;

		CHECK_EQ(physmem_pfn_zone(pm, s.handle.slabs[i].pfn), PHYSMEM_ZONE_NORMAL);
		CHECK_EQ(physmem_block_at(pm, s.handle.slabs[i].pfn, &blk), 0);
		CHECK_EQ(blk.mt, PHYSMEM_MT_UNMOVABLE);
	}
	for (int i = 0; i < 1000; i++)
		zs_free(pool, h[i]);
	CHECK_U64_EQ(s.handle.slabs_live, 4);
	CHECK_EQ(s.handle.nr_partial, 1);
	zs_pool_stats(pool, &ps);
	CHECK_U64_EQ(s.zspage.objects_live, ps.zspages);
	check_slab(&s, pm);
	for (int i = 1000; i < 2000; i++)
		zs_free(pool, h[i]);
	CHECK_U64_EQ(s.handle.objects_live, 0);
	CHECK_U64_EQ(s.zspage.objects_live, 0);
	CHECK_U64_EQ(s.handle.slabs_live, 4);
	CHECK_EQ(s.handle.nr_partial, 2);
	CHECK(s.zspage.slabs_live >= 1);
	check_slab(&s, pm);
	zs_destroy_pool(pool);
	zs_slab_release(&s, pm);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_SLAB], 0);
	physmem_destroy(pm);
}

int main(void)
{
	RUN(test_sizes);
	RUN(test_pool_slab);
	return test_summary();
}
