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
	zs_slab_init(s, &pi, arch, 4096);
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
	init(&s, "v6.12", ZS_ARCH_X86_64);
	CHECK_EQ(s.zspage_size, 56);
	CHECK_EQ(s.zspages_per_pg, 73);
	CHECK_EQ(zs_slab_pages_needed(&s, 512, 74), 1 + 2);
	init(&s, "v4.8", ZS_ARCH_X86_64);
	CHECK_EQ(s.zspage_size, 48);
	CHECK_EQ(s.zspages_per_pg, 85);
	init(&s, "v4.8", ZS_ARCH_ARM32);
	CHECK_EQ(s.zspage_size, 32);
	init(&s, "v4.1", ZS_ARCH_ARM32);
	CHECK_EQ(s.handle_size, 8);
	CHECK_EQ(s.zspage_size, 0);
	init(&s, "rfc2014", ZS_ARCH_ARM32);
	CHECK_EQ(s.handle_size, 0);
	init(&s, "v3.18", ZS_ARCH_ARM32);
	CHECK_EQ(s.handle_size + s.zspage_size, 0);
	CHECK_EQ(zs_slab_pages_needed(&s, 1000, 100), 0);
}

/*
 * A v6.1 arm32 pool on a Normal + HighMem machine, zram's gfp: 2000 objects
 * of 1000 B take ceil(2000 / 512) = 4 handle pages plus ceil(zspages / 128);
 * every slab page is unmovable lowmem; freeing everything gives them back.
 */
static void test_pool_sync(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;
	struct zs_pool *pool = NULL;
	struct zs_pool_config pc = {.profile = "v6.1", .arch = ZS_ARCH_ARM32, .page_size = 4096};
	struct zs_pool_stats ps;
	struct physmem_stats st;
	struct zs_slab s;
	static unsigned long h[2000];
	char msg[256];

	physmem_config_default(&c);
	c.ram_bytes = 64ull << 20;
	c.lowmem_limit_bytes = 32ull << 20;
	REQUIRE(physmem_create(&c, &pm) == 0);
	REQUIRE(zs_create_pool(&pc, zs_provider_ops(), pm, &pool) == 0);
	init(&s, "v6.1", ZS_ARCH_ARM32);
	for (int i = 0; i < 2000; i++)
		REQUIRE(zs_malloc(pool, 1000, ZS_GFP_HIGHMEM | ZS_GFP_MOVABLE, &h[i]) == 0);
	zs_slab_sync(&s, pm, pool);
	zs_pool_stats(pool, &ps);
	CHECK_EQ(ps.handles_allocated, 2000);
	CHECK_EQ(s.nr, 4 + (ps.zspages + 127) / 128);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_SLAB], s.nr);
	for (size_t i = 0; i < s.nr; i++) {
		struct physmem_block blk;

		CHECK_EQ(physmem_pfn_zone(pm, s.pfns[i]), PHYSMEM_ZONE_NORMAL);
		CHECK_EQ(physmem_block_at(pm, s.pfns[i], &blk), 0);
		CHECK_EQ(blk.mt, PHYSMEM_MT_UNMOVABLE);
	}
	/*
	 * Handles 0..999 freed: slab page 0 (slots 0..511) empties and goes;
	 * slots 1000..1999 live in pages 1 (1000..1023), 2 and 3: 3 pages, not
	 * ceil(1000 / 512) = 2. Then every second of those freed: no page
	 * empties (SLUB frees only empty slabs): still 3.
	 */
	for (int i = 0; i < 1000; i++)
		zs_free(pool, h[i]);
	zs_slab_sync(&s, pm, pool);
	zs_pool_stats(pool, &ps);
	CHECK_EQ(ps.handle_pages, 3);
	CHECK_EQ(s.nr, 3 + (ps.zspages + 127) / 128);
	for (int i = 1000; i < 2000; i += 2)
		zs_free(pool, h[i]);
	zs_slab_sync(&s, pm, pool);
	zs_pool_stats(pool, &ps);
	CHECK_EQ(ps.handles_allocated, 500);
	CHECK_EQ(ps.handle_pages, 3);
	CHECK_EQ(s.nr, 3 + (ps.zspages + 127) / 128);
	for (int i = 1001; i < 2000; i += 2)
		zs_free(pool, h[i]);
	zs_slab_sync(&s, pm, pool);
	CHECK_EQ(s.nr, 0);
	physmem_get_stats(pm, &st);
	CHECK_EQ(st.owner_pages[PHYSMEM_OWNER_SLAB], 0);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	zs_slab_release(&s, pm);
	zs_destroy_pool(pool);
	physmem_destroy(pm);
}

int main(void)
{
	RUN(test_sizes);
	RUN(test_pool_sync);
	return test_summary();
}
