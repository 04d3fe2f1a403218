/*
 * test_kcompact.c - memory compaction of sim/kcompact.c on crafted zones.
 *
 * The machine: 64 frames, max_order 4 (blocks up to 8), pageblock order 3
 * (8 pageblocks of 8 frames), watermarks 0. "Pinned" layout: every frame
 * allocated as an order-0 MOVABLE page (pfn i is the i-th), then all freed
 * except the first frame of each order-2 chunk (0, 4, 8, ..., 60). Each chunk
 * then holds its pinned page, a free order-0 page (4k+1) and a free order-1
 * block (4k+2): buddyinfo 16/16/0/0, 48 free pages, no free order-2 block.
 */
#include <errno.h>
#include <string.h>

#include "kcompact.h"
#include "physmem.h"
#include "test_util.h"
#include "vmstat.h"
#include "zs_provider.h"
#include "zsmalloc.h"

static char msg[256];

static struct physmem *make(void)
{
	struct physmem_config c;
	struct physmem *pm = NULL;

	physmem_config_default(&c);
	c.ram_bytes = 64 * 4096;
	c.max_order = 4;
	c.pageblock_order = 3;
	c.highmem = false;
	c.min_free_kbytes = 0;
	if (physmem_create(&c, &pm))
		return NULL;
	physmem_set_watermarks(pm, 0, 0, 0, 0);
	return pm;
}

/* The pinned layout; pinned pages get owner/tag from the caller. */
static void pin_layout(struct physmem *pm, enum physmem_owner owner)
{
	unsigned long pfn;

	for (unsigned long i = 0; i < 64; i++) {
		CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
		CHECK_EQ(pfn, i);
	}
	for (unsigned long i = 0; i < 64; i++) {
		if (i % 4 == 0) {
			physmem_set_owner(pm, i, owner, 1000 + i);
			memset(physmem_page_address(pm, i), (int)(i + 1), 4096);
		} else {
			physmem_free(pm, i, 0);
		}
	}
	CHECK_EQ(physmem_nr_free(pm, 0, 0), 16);
	CHECK_EQ(physmem_nr_free(pm, 0, 1), 16);
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
	CHECK_EQ(physmem_free_pages(pm), 48);
}

struct reloc_log {
	int n;
	unsigned long oldpfn[64], newpfn[64];
	uint64_t tag[64];
	int refuse; /* return this */
};

static int reloc(void *ctx, unsigned long oldpfn, unsigned long newpfn, uint64_t tag)
{
	struct reloc_log *log = ctx;

	if (log->n < 64) {
		log->oldpfn[log->n] = oldpfn;
		log->newpfn[log->n] = newpfn;
		log->tag[log->n] = tag;
		log->n++;
	}
	return log->refuse;
}

static struct kcompact_control control(int order, enum kcompact_mode mode, struct reloc_log *log)
{
	struct kcompact_control cc;

	memset(&cc, 0, sizeof(cc));
	cc.zone = 0;
	cc.order = order;
	cc.migratetype = PHYSMEM_MT_MOVABLE;
	cc.mode = mode;
	cc.relocate = log ? reloc : NULL;
	cc.relocate_ctx = log;
	return cc;
}

/*
 * Order-2 direct compaction over the pinned layout with movable user pages.
 * Migrate scanner, pageblock 0: isolates 0 and 4 (heads 0, 1, 2, 4, 5, 6
 * scanned). The free scanner starts at pageblock 7 (56..63): 56 is pinned,
 * 57 (o0) isolated (1 target < 2 needed), 58 (o1) isolated as 58, 59 -> 3
 * targets, stop at 60. Targets go last-isolated first: 0 -> 59, 4 -> 58.
 * Freeing 0 merges 0+1+2 into order 2; freeing 4 merges 4+5+6 and then with
 * 0 into an order-3 block. At the next pageblock boundary (8) a free MOVABLE
 * order-3 block exists: success. Target 57 is released at the end.
 * buddyinfo after: chunks 2..14 (12 of them, pfn 8..55) 12 o0 + 12 o1, plus
 * 57 and 61 (o0), 62 (o1), 0 (o3) -> 14/13/0/1, still 48 free pages.
 */
static void test_user_pages(void)
{
	struct physmem *pm = make();
	struct reloc_log log = {0};
	struct kcompact_control cc = control(2, KCOMPACT_SYNC, &log);
	struct kcompact_result res;
	struct physmem_block blk;
	unsigned char *p;

	REQUIRE(pm);
	pin_layout(pm, PHYSMEM_OWNER_USER);
	CHECK_EQ(kcompact_suitable(pm, 0, 2, 0), KCOMPACT_CONTINUE);
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK_EQ(res.status, KCOMPACT_SUCCESS);
	CHECK(res.success);
	CHECK_EQ(res.pages_migrated, 2);
	CHECK_EQ(res.pages_isolated, 2);
	CHECK_EQ(res.migrate_failed, 0);
	CHECK_EQ(res.bytes_copied, 2 * 4096);
	CHECK_EQ(res.free_isolated, 3);
	CHECK_EQ(res.migrate_scanned, 6);
	CHECK_EQ(res.free_scanned, 4); /* 56, 57, 58 (+1 for 59) */
	REQUIRE(log.n == 2);
	CHECK_EQ(log.oldpfn[0], 0);
	CHECK_EQ(log.newpfn[0], 59);
	CHECK_EQ(log.tag[0], 1000);
	CHECK_EQ(log.oldpfn[1], 4);
	CHECK_EQ(log.newpfn[1], 58);
	CHECK_EQ(log.tag[1], 1004);

	CHECK_EQ(physmem_nr_free(pm, 0, 0), 14);
	CHECK_EQ(physmem_nr_free(pm, 0, 1), 13);
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
	CHECK_EQ(physmem_nr_free(pm, 0, 3), 1);
	CHECK_EQ(physmem_free_pages(pm), 48);
	/* the moved pages: owner, tag, bytes */
	CHECK_EQ(physmem_block_at(pm, 59, &blk), 0);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_USER);
	CHECK_EQ(blk.tag, 1000);
	CHECK_EQ(blk.mt, PHYSMEM_MT_MOVABLE);
	p = physmem_page_address(pm, 58);
	CHECK_EQ(p[0], 5);
	CHECK_EQ(p[4095], 5);
	CHECK_EQ(physmem_block_at(pm, 0, &blk), 0);
	CHECK(blk.free);
	CHECK_EQ(blk.order, 3);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);

	/* now an order-2 request is satisfiable without compaction */
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK_EQ(res.status, KCOMPACT_SUCCESS);
	CHECK_EQ(res.pages_migrated, 0);
	physmem_destroy(pm);
}

/* Kernel pages (never movable) in every chunk: nothing moves, the scanners meet. */
static void test_unmovable_blocks(void)
{
	struct physmem *pm = make();
	struct reloc_log log = {0};
	struct kcompact_control cc = control(2, KCOMPACT_SYNC, &log);
	struct kcompact_result res;

	REQUIRE(pm);
	pin_layout(pm, PHYSMEM_OWNER_KERNEL);
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK_EQ(res.status, KCOMPACT_COMPLETE);
	CHECK(!res.success);
	CHECK_EQ(res.pages_migrated, 0);
	CHECK_EQ(res.pages_isolated, 0);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
	CHECK_EQ(physmem_free_pages(pm), 48);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);

	/* user pages without a relocate callback are not moved either */
	physmem_destroy(pm);
	pm = make();
	REQUIRE(pm);
	pin_layout(pm, PHYSMEM_OWNER_USER);
	cc = control(2, KCOMPACT_SYNC, NULL);
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK_EQ(res.status, KCOMPACT_COMPLETE);
	CHECK_EQ(res.pages_migrated, 0);
	physmem_destroy(pm);
}

/*
 * ignore_block_suitable (4.10+, direct compaction at MIN_COMPACT_PRIORITY): the
 * free scanner may take targets in pageblocks of any type. Pfns 0..31 taken
 * MOVABLE (pageblocks 0-3 stay MOVABLE), 32..63 UNMOVABLE (each of pageblocks
 * 4-7 claimed UNMOVABLE by the fallback). Pfn 0 is a movable user page with
 * 1..3 free beside it (o0 at 1, o1 at 2); 8..31 stay allocated kernel pages;
 * in 32..63 the kernel keeps 4k and frees 4k+1..4k+3. So every free page
 * above pageblock 0 is in an UNMOVABLE pageblock, and no order-2 block is free.
 * An order-2 UNMOVABLE request, SYNC: without the flag the free scanner finds
 * no target (pageblocks 1-3 have no free page, 4-7 are not MOVABLE), nothing
 * moves, the scanners meet. With it the scan from pageblock 7 isolates 57
 * (one target for one page) and pfn 0 moves there: 0..3 merge into an order-2
 * block, success.
 */
static void test_ignore_block_suitable(void)
{
	for (int ignore = 0; ignore <= 1; ignore++) {
		struct physmem *pm = make();
		struct reloc_log log = {0};
		struct kcompact_control cc = control(2, KCOMPACT_SYNC, &log);
		struct kcompact_result res;
		struct physmem_block blk;
		unsigned long pfn;

		REQUIRE(pm);
		for (unsigned long i = 0; i < 64; i++) {
			CHECK_EQ(physmem_alloc(pm, 0, i < 32 ? PHYSMEM_MT_MOVABLE : PHYSMEM_MT_UNMOVABLE,
					       0, &pfn),
				 0);
			CHECK_EQ(pfn, i);
		}
		for (unsigned long b = 0; b < 8; b++)
			CHECK_EQ(physmem_pageblock_mt(pm, b * 8),
				 b < 4 ? PHYSMEM_MT_MOVABLE : PHYSMEM_MT_UNMOVABLE);
		physmem_set_owner(pm, 0, PHYSMEM_OWNER_USER, 1000);
		for (unsigned long i = 1; i < 4; i++)
			physmem_free(pm, i, 0);
		for (unsigned long i = 32; i < 64; i++)
			if (i % 4)
				physmem_free(pm, i, 0);
		CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
		CHECK_EQ(physmem_free_pages(pm), 27);
		cc.migratetype = PHYSMEM_MT_UNMOVABLE;
		cc.ignore_block_suitable = ignore;
		CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
		if (!ignore) {
			CHECK_EQ(res.status, KCOMPACT_COMPLETE);
			CHECK_EQ(res.pages_migrated, 0);
			CHECK_EQ(res.free_isolated, 0);
			CHECK_EQ(log.n, 0);
			CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
		} else {
			CHECK_EQ(res.status, KCOMPACT_SUCCESS);
			CHECK_EQ(res.pages_migrated, 1);
			REQUIRE(log.n == 1);
			CHECK_EQ(log.oldpfn[0], 0);
			CHECK_EQ(log.newpfn[0], 57);
			CHECK_EQ(physmem_block_at(pm, 0, &blk), 0);
			CHECK(blk.free);
			CHECK_EQ(blk.order, 2);
		}
		CHECK_EQ(physmem_free_pages(pm), 27);
		CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
		physmem_destroy(pm);
	}
}

/* The caller refuses every relocation: each move is undone and counted. */
static void test_relocate_refused(void)
{
	struct physmem *pm = make();
	struct reloc_log log = {0};
	struct kcompact_control cc = control(2, KCOMPACT_SYNC, &log);
	struct kcompact_result res;
	struct physmem_block blk;

	REQUIRE(pm);
	pin_layout(pm, PHYSMEM_OWNER_USER);
	log.refuse = -EBUSY;
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK(!res.success);
	CHECK_EQ(res.pages_migrated, 0);
	CHECK(res.migrate_failed > 0);
	CHECK_EQ(res.migrate_failed, res.pages_isolated);
	CHECK_EQ(physmem_block_at(pm, 0, &blk), 0);
	CHECK_EQ(blk.owner, PHYSMEM_OWNER_USER);
	CHECK_EQ(blk.tag, 1000);
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
	CHECK_EQ(physmem_free_pages(pm), 48);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * Async direct compaction for an UNMOVABLE request only takes sources from
 * UNMOVABLE pageblocks; every pageblock here is MOVABLE, so nothing is
 * scanned and the scanners are moved together.
 */
static void test_async_source_type(void)
{
	struct physmem *pm = make();
	struct reloc_log log = {0};
	struct kcompact_control cc = control(2, KCOMPACT_ASYNC, &log);
	struct kcompact_result res;

	REQUIRE(pm);
	pin_layout(pm, PHYSMEM_OWNER_USER);
	cc.migratetype = PHYSMEM_MT_UNMOVABLE;
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK_EQ(res.status, KCOMPACT_COMPLETE);
	CHECK_EQ(res.migrate_scanned, 0);
	CHECK_EQ(log.n, 0);
	/* async for a MOVABLE request works like the sync run above */
	cc.migratetype = PHYSMEM_MT_MOVABLE;
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK_EQ(res.status, KCOMPACT_SUCCESS);
	CHECK_EQ(res.pages_migrated, 2);
	physmem_destroy(pm);
}

/*
 * compaction_suitable: with only the pinned layout's 48 free pages and min
 * watermark 41, order 2 needs free > 41 + (2 << 2) = 49: skipped. With min
 * 39 it needs > 47: continue.
 */
static void test_suitable(void)
{
	struct physmem *pm = make();
	struct kcompact_control cc = control(2, KCOMPACT_SYNC, NULL);
	struct kcompact_result res;

	REQUIRE(pm);
	CHECK_EQ(kcompact_suitable(pm, 0, 2, 0), KCOMPACT_SUCCESS);
	pin_layout(pm, PHYSMEM_OWNER_KERNEL);
	physmem_set_watermarks(pm, 0, 41, 41, 41);
	CHECK_EQ(kcompact_suitable(pm, 0, 2, 0), KCOMPACT_SKIPPED);
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK_EQ(res.status, KCOMPACT_SKIPPED);
	physmem_set_watermarks(pm, 0, 39, 39, 39);
	CHECK_EQ(kcompact_suitable(pm, 0, 2, 0), KCOMPACT_CONTINUE);
	CHECK_EQ(kcompact_suitable(pm, 0, -1, 0), KCOMPACT_CONTINUE);
	cc.order = 4;
	CHECK_EQ(kcompact_zone(pm, &cc, &res), -EINVAL);
	physmem_destroy(pm);
}

/*
 * Whole-zone compaction (order -1) runs until the scanners meet: every
 * movable page of the low pageblocks goes up. Pinned user pages in all 16
 * chunks; pageblocks 0..3 (pfn 0..31) hold 8 pinned pages that the free
 * scanner's targets in pageblocks 7, 6, ... can take.
 */
static void test_whole_zone(void)
{
	struct physmem *pm = make();
	struct reloc_log log = {0};
	struct kcompact_control cc = control(-1, KCOMPACT_SYNC, &log);
	struct kcompact_result res;

	REQUIRE(pm);
	pin_layout(pm, PHYSMEM_OWNER_USER);
	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	CHECK_EQ(res.status, KCOMPACT_COMPLETE);
	CHECK(res.pages_migrated >= 8);
	CHECK_EQ(res.pages_migrated, (uint64_t)log.n);
	for (int i = 0; i < log.n; i++)
		CHECK_LT(log.oldpfn[i], log.newpfn[i]);
	/* at least pageblocks 0..3 are one free order-3 block each now */
	for (unsigned long p = 0; p < 32; p += 8) {
		struct physmem_block blk;

		CHECK_EQ(physmem_block_at(pm, p, &blk), 0);
		CHECK(blk.free && blk.order == 3);
	}
	CHECK_EQ(physmem_free_pages(pm), 48);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

/*
 * Real zsmalloc pages in the pinned layout: 16 huge objects (4000 bytes, one
 * page per zspage) land on frames 60, 56, ..., 0 (freed last-in first-out),
 * then the placeholder pages around them are freed. With a profile that has
 * page migration (v6.1), compaction moves the zspage pages at 0 and 4 to 59
 * and 58 through zs_page_isolate/zs_page_migrate, exactly as the user pages
 * above; the objects keep their bytes. With v4.1 (no migration, set_movable
 * never called) nothing moves.
 */
static void zs_case(const char *profile, bool movable)
{
	struct physmem *pm = make();
	struct kcompact_control cc = control(2, KCOMPACT_SYNC, NULL);
	struct kcompact_result res;
	struct zs_pool_config zc = {profile, ZS_ARCH_ARM32, 4096, 0, false};
	struct zs_pool *pool = NULL;
	struct zs_pool_stats zst;
	struct physmem_block blk;
	unsigned long handles[16], pfn;

	REQUIRE(pm);
	for (unsigned long i = 0; i < 64; i++)
		CHECK_EQ(physmem_alloc(pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn), 0);
	for (unsigned long i = 0; i < 64; i += 4)
		physmem_free(pm, i, 0);
	REQUIRE(zs_create_pool(&zc, zs_provider_ops(), pm, &pool) == 0);
	for (int k = 0; k < 16; k++) {
		unsigned char *obj;

		REQUIRE(zs_malloc(pool, 4000, ZS_GFP_MOVABLE | ZS_GFP_HIGHMEM, &handles[k]) == 0);
		obj = zs_map_object(pool, handles[k], ZS_MM_WO);
		REQUIRE(obj);
		memset(obj, 0x40 + k, 4000);
		zs_unmap_object(pool, handles[k]);
	}
	CHECK_EQ(zs_get_total_pages(pool), 16);
	for (unsigned long i = 0; i < 64; i++) {
		CHECK_EQ(physmem_block_at(pm, i, &blk), 0);
		if (i % 4 == 0) {
			CHECK_EQ(blk.owner, PHYSMEM_OWNER_ZSPAGE);
			CHECK_EQ(blk.pool == pool, movable);
		} else {
			physmem_free(pm, i, 0);
		}
	}
	CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
	CHECK_EQ(physmem_free_pages(pm), 48);

	CHECK_EQ(kcompact_zone(pm, &cc, &res), 0);
	if (movable) {
		CHECK_EQ(res.status, KCOMPACT_SUCCESS);
		CHECK_EQ(res.pages_migrated, 2);
		CHECK_EQ(res.zs_pages_migrated, 2);
		CHECK_EQ(res.bytes_copied, 2 * 4096);
		CHECK_EQ(physmem_nr_free(pm, 0, 3), 1);
		CHECK_EQ(physmem_block_at(pm, 59, &blk), 0);
		CHECK_EQ(blk.owner, PHYSMEM_OWNER_ZSPAGE);
		CHECK(blk.pool == pool);
		CHECK(*physmem_page_private(pm, 59) != NULL);
		zs_pool_stats(pool, &zst);
		CHECK_EQ(zst.pages_migrated, 2);
	} else {
		CHECK_EQ(res.status, KCOMPACT_COMPLETE);
		CHECK_EQ(res.pages_migrated, 0);
		CHECK_EQ(res.pages_isolated, 0);
		CHECK_EQ(physmem_nr_free(pm, 0, 2), 0);
	}
	CHECK_EQ(physmem_free_pages(pm), 48);
	CHECK_EQ(zs_pool_check(pool, msg, sizeof(msg)), 0);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	for (int k = 0; k < 16; k++) {
		const unsigned char *obj = zs_map_object(pool, handles[k], ZS_MM_RO);

		REQUIRE(obj);
		CHECK_EQ(obj[0], 0x40 + k);
		CHECK_EQ(obj[3999], 0x40 + k);
		zs_unmap_object(pool, handles[k]);
	}
	zs_destroy_pool(pool);
	CHECK_EQ(physmem_free_pages(pm), 64);
	CHECK_EQ(physmem_check(pm, msg, sizeof(msg)), 0);
	physmem_destroy(pm);
}

static void test_zsmalloc_pages(void)
{
	zs_case("v6.1", true);
	zs_case("v4.1", false);
}

/* ---- seeded stress: random layouts, every kind of compaction run ---- */

#define ST_FRAMES 512
#define ST_USERS  700 /* block IDs; a round uses the first nusers */
#define ST_OBJS	  900

struct stress {
	struct physmem *pm;
	unsigned long user_pfn[ST_USERS]; /* the engine's block-ID -> pfn table; ~0 = none */
	unsigned int user_order[ST_USERS];
	unsigned long handle[ST_OBJS]; /* 0 = none */
	size_t objsize[ST_OBJS];
	int bad; /* relocations that did not match the table */
};

/* Over all rounds: what the runs did, so the test knows it exercised them. */
static uint64_t stress_status[KCOMPACT_CONTENDED + 1], stress_user_moved, stress_zs_moved,
    stress_failed;

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int stress_reloc(void *ctx, unsigned long oldpfn, unsigned long newpfn, uint64_t tag)
{
	struct stress *st = ctx;

	if (tag >= ST_USERS || st->user_pfn[tag] != oldpfn ||
	    *(unsigned char *)physmem_page_address(st->pm, newpfn) != (unsigned char)tag) {
		st->bad++;
		return 0;
	}
	st->user_pfn[tag] = newpfn;
	return 0;
}

static void stress_round(uint64_t seed, unsigned int nusers, unsigned int nobjs)
{
	struct physmem_config c;
	struct zs_pool_config zc = {"v6.1", ZS_ARCH_ARM32, 4096, 0, false};
	struct zs_pool *pool = NULL;
	struct stress st;
	uint64_t x = seed;

	memset(&st, 0, sizeof(st));
	physmem_config_default(&c);
	c.ram_bytes = ST_FRAMES * 4096;
	c.max_order = 5;
	c.pageblock_order = 3;
	c.highmem = false;
	c.min_free_kbytes = 0;
	REQUIRE(physmem_create(&c, &st.pm) == 0);
	physmem_set_watermarks(st.pm, 0, 4, 8, 12);
	REQUIRE(zs_create_pool(&zc, zs_provider_ops(), st.pm, &pool) == 0);
	for (int i = 0; i < ST_USERS; i++)
		st.user_pfn[i] = ~0ul;

	for (int step = 0; step < 3000; step++) {
		uint64_t r = rnd(&x);
		unsigned int i = (unsigned int)((r >> 8) % nusers);
		unsigned int k = (unsigned int)((r >> 8) % nobjs);

		switch (r % 6) {
		case 0:
		case 1: /* a user block: mostly movable order 0 */
			if (st.user_pfn[i] == ~0ul) {
				unsigned int order =
				    (r >> 20) % 4 ? 0 : (unsigned int)((r >> 24) % 3);
				enum physmem_mt mt =
				    (enum physmem_mt)((r >> 28) % 4 ? 1 : (r >> 30) % 3);
				unsigned long pfn;

				if (physmem_alloc(st.pm, order, mt, 0, &pfn) == 0) {
					physmem_set_owner(st.pm, pfn, PHYSMEM_OWNER_USER, i);
					memset(physmem_page_address(st.pm, pfn), (int)i, 4096);
					st.user_pfn[i] = pfn;
					st.user_order[i] = order;
				}
			} else {
				physmem_free(st.pm, st.user_pfn[i], st.user_order[i]);
				st.user_pfn[i] = ~0ul;
			}
			break;
		case 2:
		case 3: /* a zsmalloc object */
			if (!st.handle[k]) {
				size_t size = 16 + (size_t)((r >> 20) % 4000);
				unsigned char *p;

				if (zs_malloc(pool, size, ZS_GFP_MOVABLE, &st.handle[k]) == 0) {
					st.objsize[k] = size;
					p = zs_map_object(pool, st.handle[k], ZS_MM_WO);
					memset(p, (int)(k & 0xff), size);
					zs_unmap_object(pool, st.handle[k]);
				} else {
					st.handle[k] = 0;
				}
			} else {
				zs_free(pool, st.handle[k]);
				st.handle[k] = 0;
			}
			break;
		case 4: { /* a compaction run of any kind */
			struct kcompact_control cc;
			struct kcompact_result res;

			memset(&cc, 0, sizeof(cc));
			cc.order = (int)((r >> 8) % 6) - 1;
			cc.migratetype = (enum physmem_mt)((r >> 12) % 3);
			cc.mode = (r >> 16) & 1 ? KCOMPACT_SYNC : KCOMPACT_ASYNC;
			cc.relocate = stress_reloc;
			cc.relocate_ctx = &st;
			CHECK_EQ(kcompact_zone(st.pm, &cc, &res), 0);
			CHECK_EQ(res.pages_migrated + res.migrate_failed, res.pages_isolated);
			stress_status[res.status]++;
			stress_zs_moved += res.zs_pages_migrated;
			stress_user_moved += res.pages_migrated - res.zs_pages_migrated;
			stress_failed += res.migrate_failed;
			if (physmem_check(st.pm, msg, sizeof(msg)) ||
			    zs_pool_check(pool, msg, sizeof(msg))) {
				fprintf(stderr, "seed %llu step %d after compaction: %s\n",
					(unsigned long long)seed, step, msg);
				CHECK(0);
				step = 1 << 30;
			}
			break;
		}
		default: /* zsmalloc's own compaction frees pages into the buddy */
			if ((r >> 8) % 8 == 0) {
				struct zs_compact_result zr;

				zs_compact(pool, &zr);
			}
			break;
		}
		if (step % 100 == 0) {
			if (physmem_check(st.pm, msg, sizeof(msg)) ||
			    zs_pool_check(pool, msg, sizeof(msg))) {
				fprintf(stderr, "seed %llu step %d: %s\n", (unsigned long long)seed,
					step, msg);
				CHECK(0);
				break;
			}
		}
	}
	CHECK_EQ(st.bad, 0);
	/* every user block and every object still holds its bytes */
	for (int i = 0; i < ST_USERS; i++) {
		struct physmem_block blk;

		if (st.user_pfn[i] == ~0ul)
			continue;
		CHECK_EQ(physmem_block_at(st.pm, st.user_pfn[i], &blk), 0);
		CHECK_EQ(blk.tag, (uint64_t)i);
		CHECK_EQ(*(unsigned char *)physmem_page_address(st.pm, st.user_pfn[i]), i & 0xff);
		physmem_free(st.pm, st.user_pfn[i], st.user_order[i]);
	}
	for (int k = 0; k < ST_OBJS; k++) {
		const unsigned char *p;

		if (!st.handle[k])
			continue;
		p = zs_map_object(pool, st.handle[k], ZS_MM_RO);
		CHECK_EQ(p[0], k & 0xff);
		CHECK_EQ(p[st.objsize[k] - 1], k & 0xff);
		zs_unmap_object(pool, st.handle[k]);
	}
	zs_destroy_pool(pool);
	CHECK_EQ(physmem_free_pages(st.pm), ST_FRAMES);
	CHECK_EQ(physmem_check(st.pm, msg, sizeof(msg)), 0);
	physmem_destroy(st.pm);
}

static void test_stress(void)
{
	/* light rounds leave most memory free; heavy ones keep it nearly full */
	for (uint64_t seed = 1; seed <= 20; seed++)
		stress_round(seed * 0x9e3779b97f4a7c15ull, seed & 1 ? 256 : 700,
			     seed & 1 ? 400 : 900);
	fprintf(stderr,
		"  runs: skipped %llu success %llu complete %llu contended %llu; moved user %llu "
		"zs %llu, failed %llu\n",
		(unsigned long long)stress_status[KCOMPACT_SKIPPED],
		(unsigned long long)stress_status[KCOMPACT_SUCCESS],
		(unsigned long long)stress_status[KCOMPACT_COMPLETE],
		(unsigned long long)stress_status[KCOMPACT_CONTENDED],
		(unsigned long long)stress_user_moved, (unsigned long long)stress_zs_moved,
		(unsigned long long)stress_failed);
	CHECK(stress_status[KCOMPACT_SUCCESS] > 0);
	CHECK(stress_status[KCOMPACT_COMPLETE] > 0);
	CHECK(stress_status[KCOMPACT_SKIPPED] > 0);
	CHECK(stress_status[KCOMPACT_CONTENDED] > 0);
	CHECK(stress_user_moved > 0);
	CHECK(stress_zs_moved > 0);
}

/*
 * Deferral by hand: a failure at order 2 skips the next 2^1 - 1 attempts at
 * orders >= 2, each later failure doubles the wait up to 2^6, and a success
 * at order 3 resets the wait and lets orders below 4 through.
 */
static void test_defer(void)
{
	struct kcompact_defer d = {0};

	CHECK(!compaction_deferred(&d, 2)); /* considered 1 >= 2^0 */
	defer_compaction(&d, 2);
	CHECK_EQ(d.defer_shift, 1);
	CHECK_EQ(d.order_failed, 0); /* 2 is not below 0 */
	CHECK(compaction_deferred(&d, 2));  /* considered 1 < 2 */
	CHECK(!compaction_deferred(&d, 2)); /* considered 2 >= 2 */
	CHECK_EQ(d.considered, 2);
	for (int i = 0; i < 10; i++)
		defer_compaction(&d, 5);
	CHECK_EQ(d.defer_shift, KCOMPACT_MAX_DEFER_SHIFT);
	CHECK_EQ(d.considered, 0);
	for (int i = 1; i < 64; i++)
		CHECK(compaction_deferred(&d, 9));
	CHECK(!compaction_deferred(&d, 9)); /* the 64th attempt runs */
	compaction_defer_reset(&d, 3, true);
	CHECK_EQ(d.considered, 0);
	CHECK_EQ(d.defer_shift, 0);
	CHECK_EQ(d.order_failed, 4);
	defer_compaction(&d, 3);
	CHECK(!compaction_deferred(&d, 2)); /* below order_failed (3) */
	CHECK(compaction_deferred(&d, 3));
	compaction_defer_reset(&d, 1, false); /* order 1 below order_failed: nothing changes */
	CHECK_EQ(d.defer_shift, 1);
	CHECK_EQ(d.order_failed, 3);
}

int main(void)
{
	RUN(test_user_pages);
	RUN(test_unmovable_blocks);
	RUN(test_relocate_refused);
	RUN(test_async_source_type);
	RUN(test_suitable);
	RUN(test_whole_zone);
	RUN(test_ignore_block_suitable);
	RUN(test_zsmalloc_pages);
	RUN(test_stress);
	RUN(test_defer);
	return test_summary();
}
