/*
 * test_migrate.c - page migration of zspage pages: zs_page_isolate(),
 * zs_page_migrate() and zs_page_putback(), as the kernel's compaction of
 * physical memory drives them (profiles with has_migration: 4.8, 6.1, 6.12).
 *
 * The test plays the migration core: it isolates a frame, takes a new frame
 * from the provider, calls migrate, and frees the old frame itself (the
 * core's put of the old page). A recording provider wraps the host pages to
 * check the set_movable() contract: every page of a set-up zspage is
 * movable with its pool, a page leaves the pool non-movable, and a freshly
 * allocated page has a NULL private word.
 *
 * Layout used throughout: class 192 (3 pages, 64 objects in every profile,
 * see test_zsmalloc.c). Request 192 - header. Fresh frames come lowest
 * first, so the zspage is frames 0, 1, 2 and object i sits at zspage byte
 * 192 i: object 21 (4032..4223) straddles frames 0/1, object 42
 * (8064..8255) frames 1/2, object 22 starts in frame 1 at 128.
 */
#include <errno.h>
#include <stdlib.h>

#include "pattern.h"
#include "rec_pages.h"
#include "test_util.h"
#include "zsmalloc.h"

#define MAXF 64

/* ---- payload pattern (as in test_zsmalloc.c) ---- */

/* ---- fixture: one pool with one full class-192 zspage ---- */

struct fixture {
	struct rec rec;
	struct zs_pool *pool;
	size_t hdr, req;
	unsigned long h[64];
	uint64_t id[64];
};

static bool fx_init(struct fixture *fx, const char *profile, enum zs_arch arch)
{
	struct zs_pool_config cfg = { .profile = profile, .arch = arch };
	struct zs_pool_stats st;

	memset(fx, 0, sizeof(*fx));
	if (rec_init(&fx->rec, 4096, MAXF) != 0)
		return false;
	if (zs_create_pool(&cfg, &rec_ops, &fx->rec, &fx->pool) != 0)
		return false;
	zs_pool_stats(fx->pool, &st);
	fx->hdr = st.obj_header_bytes;
	fx->req = 192 - fx->hdr;
	return true;
}

static bool fx_fill(struct fixture *fx)
{
	for (unsigned int i = 0; i < 64; i++) {
		uint8_t *p;

		if (zs_malloc(fx->pool, fx->req, 0, &fx->h[i]) != 0)
			return false;
		fx->id[i] = 100 + i;
		p = zs_map_object(fx->pool, fx->h[i], ZS_MM_WO);
		pattern_fill(p, fx->req, fx->id[i]);
		zs_unmap_object(fx->pool, fx->h[i]);
	}
	return true;
}

static void fx_fini(struct fixture *fx)
{
	zs_destroy_pool(fx->pool);
	CHECK_EQ(fx->rec.in_use, 0);
	CHECK_EQ(fx->rec.violations, 0);
	rec_fini(&fx->rec);
}

static bool all_payloads_ok(struct fixture *fx)
{
	for (unsigned int i = 0; i < 64; i++) {
		const uint8_t *p;
		bool ok;

		if (!fx->h[i])
			continue;
		p = zs_map_object(fx->pool, fx->h[i], ZS_MM_RO);
		ok = p && pattern_ok(p, fx->req, fx->id[i]);
		zs_unmap_object(fx->pool, fx->h[i]);
		if (!ok) {
			fprintf(stderr, "  payload of object %u is wrong\n", i);
			return false;
		}
	}
	return true;
}

static bool pool_ok(struct fixture *fx)
{
	char msg[256];

	if (zs_pool_check(fx->pool, msg, sizeof(msg)) == 0)
		return true;
	fprintf(stderr, "  zs_pool_check: %s\n", msg);
	return false;
}

static const uint8_t *frame(struct fixture *fx, unsigned long pfn)
{
	return rec_address(&fx->rec, pfn);
}

static const uint8_t *where(struct fixture *fx, unsigned int i)
{
	const uint8_t *p = zs_map_object(fx->pool, fx->h[i], ZS_MM_RO);

	zs_unmap_object(fx->pool, fx->h[i]);
	return p;
}

/* What the migration core does: isolate, new frame, migrate, put the old frame. */
static int migrate_frame(struct fixture *fx, unsigned long old, unsigned long *newpfn)
{
	int err;

	if (!zs_page_isolate(fx->pool, old))
		return -EBUSY;
	if (rec_alloc(&fx->rec, 0, newpfn) != 0)
		return -ENOMEM;
	err = zs_page_migrate(fx->pool, *newpfn, old);
	if (err) {
		zs_page_putback(fx->pool, old);
		rec_free(&fx->rec, *newpfn);
		return err;
	}
	rec_free(&fx->rec, old);
	return 0;
}

/* ---- tests ---- */

/*
 * Migrate frame 1 (the middle page) to frame 3: objects 22..41 start there
 * and are repointed; 21 and 42 straddle into/out of it and must read back
 * through the new frame. Then migrate frame 0 (the first page: object 0)
 * and frame 2 (the last), to frames 4 and 5 -- fresh ones, since the host
 * provider reuses freed frames LIFO: frame 1 comes back for the second
 * migration. Derive: after frame 1 -> 3, freed stack [1]; frame 0 -> 1
 * (reused), freed [0]; frame 2 -> 0, freed [2]. Final chain: 1, 3, 0.
 */
static void migrate_basic_one(const char *profile, enum zs_arch arch)
{
	struct fixture fx;
	struct zs_pool_stats st;
	unsigned long n1, n0, n2;
	uint8_t *p;

	REQUIRE(fx_init(&fx, profile, arch));
	REQUIRE(fx_fill(&fx));
	CHECK_EQ(zs_get_total_pages(fx.pool), 3);
	for (unsigned long f = 0; f < 3; f++)
		CHECK(fx.rec.movable[f] == fx.pool);
	CHECK(where(&fx, 22) == frame(&fx, 1) + 128 + fx.hdr);

	REQUIRE(migrate_frame(&fx, 1, &n1) == 0);
	CHECK_EQ(n1, 3);
	CHECK(fx.rec.movable[3] == fx.pool);
	CHECK(fx.rec.movable[1] == NULL);
	CHECK(*rec_private(&fx.rec, 1) == NULL);
	CHECK(where(&fx, 22) == frame(&fx, 3) + 128 + fx.hdr);
	CHECK(where(&fx, 41) == frame(&fx, 3) + 41 * 192 - 4096 + fx.hdr);
	CHECK(where(&fx, 0) == frame(&fx, 0) + fx.hdr);
	CHECK(all_payloads_ok(&fx));
	CHECK(pool_ok(&fx));
	CHECK_EQ(zs_get_total_pages(fx.pool), 3);

	/* a write through a straddler now lands in frames 0 and 3 */
	p = zs_map_object(fx.pool, fx.h[21], ZS_MM_RW);
	REQUIRE(p);
	fx.id[21] = 5021;
	pattern_fill(p, fx.req, fx.id[21]);
	zs_unmap_object(fx.pool, fx.h[21]);
	{
		uint8_t buf[192];
		size_t first = 4096 - 4032 - fx.hdr;

		memcpy(buf, frame(&fx, 0) + 4032 + fx.hdr, first);
		memcpy(buf + first, frame(&fx, 3), fx.req - first);
		CHECK(pattern_ok(buf, fx.req, 5021));
	}

	REQUIRE(migrate_frame(&fx, 0, &n0) == 0);
	CHECK_EQ(n0, 1);
	REQUIRE(migrate_frame(&fx, 2, &n2) == 0);
	CHECK_EQ(n2, 0);
	CHECK(where(&fx, 0) == frame(&fx, 1) + fx.hdr);
	CHECK(where(&fx, 63) == frame(&fx, 0) + 63 * 192 - 8192 + fx.hdr);
	CHECK(all_payloads_ok(&fx));
	CHECK(pool_ok(&fx));
	zs_pool_stats(fx.pool, &st);
	CHECK_U64_EQ(st.pages_migrated, 3);
	CHECK_EQ(zs_get_total_pages(fx.pool), 3);
	CHECK_EQ(fx.rec.in_use, 3);

	/* the migrated zspage still compacts and frees normally */
	for (unsigned int i = 0; i < 64; i++)
		zs_free(fx.pool, fx.h[i]);
	CHECK_EQ(zs_get_total_pages(fx.pool), 0);
	CHECK_EQ(fx.rec.in_use, 0);
	fx_fini(&fx);
}

static void test_migrate_pages(void)
{
	static const char *const profiles[] = { "v4.8", "v6.1", "v6.12" };
	static const enum zs_arch arches[] = { ZS_ARCH_X86_64, ZS_ARCH_ARM32 };

	for (size_t i = 0; i < 3; i++)
		for (size_t a = 0; a < 2; a++) {
			int before = tu_failures;

			migrate_basic_one(profiles[i], arches[a]);
			if (tu_failures != before)
				fprintf(stderr, "  ^ profile %s arch %s\n", profiles[i],
					zs_arch_name(arches[a]));
		}
}

/* A huge zspage (one page, one object, handle kept outside the object). */
static void test_migrate_huge(void)
{
	struct fixture fx;
	unsigned long h, newpfn;
	uint8_t *p;

	REQUIRE(fx_init(&fx, "v6.1", ZS_ARCH_X86_64));
	REQUIRE(zs_malloc(fx.pool, 4096, 0, &h) == 0);
	p = zs_map_object(fx.pool, h, ZS_MM_WO);
	REQUIRE(p == frame(&fx, 0)); /* the whole page, no header */
	pattern_fill(p, 4096, 77);
	zs_unmap_object(fx.pool, h);
	REQUIRE(migrate_frame(&fx, 0, &newpfn) == 0);
	p = zs_map_object(fx.pool, h, ZS_MM_RO);
	CHECK(p == frame(&fx, newpfn));
	CHECK(p && pattern_ok(p, 4096, 77));
	zs_unmap_object(fx.pool, h);
	CHECK(pool_ok(&fx));
	zs_free(fx.pool, h);
	fx_fini(&fx);
}

/* migrate without isolation, of a frame the pool does not own, while mapped. */
static void test_migrate_refusals(void)
{
	static const char *const profiles[] = { "v4.8", "v6.1", "v6.12" };

	for (size_t i = 0; i < 3; i++) {
		struct fixture fx;
		unsigned long spare;

		REQUIRE(fx_init(&fx, profiles[i], ZS_ARCH_X86_64));
		REQUIRE(fx_fill(&fx));
		REQUIRE(rec_alloc(&fx.rec, 0, &spare) == 0);
		CHECK_EQ(spare, 3);
		/* not isolated */
		CHECK_EQ(zs_page_migrate(fx.pool, spare, 1), -EINVAL);
		/* not a pool frame: cannot be isolated, cannot be migrated */
		CHECK(!zs_page_isolate(fx.pool, 10));
		CHECK_EQ(zs_page_migrate(fx.pool, spare, 10), -EINVAL);
		/* an object of the zspage is mapped: its zspage is pinned */
		REQUIRE(zs_page_isolate(fx.pool, 1));
		CHECK(zs_map_object(fx.pool, fx.h[0], ZS_MM_RO) != NULL);
		CHECK_EQ(zs_page_migrate(fx.pool, spare, 1), -EAGAIN);
		zs_unmap_object(fx.pool, fx.h[0]);
		CHECK(fx.rec.movable[1] == fx.pool);
		CHECK(where(&fx, 22) == frame(&fx, 1) + 128 + fx.hdr);
		/* still isolated: now it goes through */
		CHECK_EQ(zs_page_migrate(fx.pool, spare, 1), 0);
		rec_free(&fx.rec, 1);
		CHECK(where(&fx, 22) == frame(&fx, 3) + 128 + fx.hdr);
		CHECK(all_payloads_ok(&fx));
		CHECK(pool_ok(&fx));
		/* isolate + putback changes nothing */
		REQUIRE(zs_page_isolate(fx.pool, 2));
		zs_page_putback(fx.pool, 2);
		CHECK(all_payloads_ok(&fx));
		CHECK(pool_ok(&fx));
		for (unsigned int k = 0; k < 64; k++)
			zs_free(fx.pool, fx.h[k]);
		CHECK_EQ(zs_get_total_pages(fx.pool), 0);
		fx_fini(&fx);
	}
}

/* Profiles without migration never isolate, and their pages are never made movable. */
static void test_no_migration_profiles(void)
{
	static const char *const profiles[] = { "v3.18", "rfc2014", "v4.1", "v4.3" };

	for (size_t i = 0; i < 4; i++) {
		struct fixture fx;
		struct zs_profile_info info;

		REQUIRE(zs_profile_lookup(profiles[i], &info) == 0);
		CHECK(!info.has_migration);
		REQUIRE(fx_init(&fx, profiles[i], ZS_ARCH_X86_64));
		REQUIRE(fx_fill(&fx));
		for (unsigned long f = 0; f < 4; f++) {
			CHECK(!zs_page_isolate(fx.pool, f));
			CHECK(fx.rec.movable[f] == NULL);
		}
		CHECK_EQ(zs_page_migrate(fx.pool, 10, 1), -EINVAL);
		CHECK(all_payloads_ok(&fx));
		fx_fini(&fx);
	}
}

/*
 * Deferred free. SIM: the model keeps a zspage with an isolated page alive
 * when its last object is freed (it waits on the EMPTY list) and frees it
 * when the isolation ends, by putback or by migration. (In 6.1/6.12 the
 * isolation itself does not block the free: trylock_zspage() fails only
 * while the migration core holds a page lock, and the core copes with a
 * page its owner released after isolation.)
 */
static void test_deferred_free(void)
{
	static const char *const profiles[] = { "v4.8", "v6.1", "v6.12" };

	for (size_t i = 0; i < 3; i++) {
		struct fixture fx;
		struct zs_pool_stats st;
		unsigned long h, newpfn;

		/* isolate, free everything, putback */
		REQUIRE(fx_init(&fx, profiles[i], ZS_ARCH_X86_64));
		REQUIRE(fx_fill(&fx));
		REQUIRE(zs_page_isolate(fx.pool, 1));
		for (unsigned int k = 0; k < 64; k++)
			zs_free(fx.pool, fx.h[k]);
		memset(fx.h, 0, sizeof(fx.h));
		CHECK_EQ(zs_get_total_pages(fx.pool), 3);
		CHECK_EQ(fx.rec.in_use, 3);
		zs_pool_stats(fx.pool, &st);
		CHECK_U64_EQ(st.zspages, 1);
		CHECK_U64_EQ(st.handles_allocated, 0);
		CHECK(pool_ok(&fx));
		zs_page_putback(fx.pool, 1);
		CHECK_EQ(zs_get_total_pages(fx.pool), 0);
		CHECK_EQ(fx.rec.in_use, 0);
		for (unsigned long f = 0; f < 3; f++)
			CHECK(fx.rec.movable[f] == NULL);
		CHECK(pool_ok(&fx));
		fx_fini(&fx);

		/* two pages isolated: the zspage goes with the last putback */
		REQUIRE(fx_init(&fx, profiles[i], ZS_ARCH_X86_64));
		REQUIRE(fx_fill(&fx));
		REQUIRE(zs_page_isolate(fx.pool, 0));
		REQUIRE(zs_page_isolate(fx.pool, 2));
		for (unsigned int k = 0; k < 64; k++)
			zs_free(fx.pool, fx.h[k]);
		zs_page_putback(fx.pool, 2);
		CHECK_EQ(zs_get_total_pages(fx.pool), 3);
		zs_page_putback(fx.pool, 0);
		CHECK_EQ(zs_get_total_pages(fx.pool), 0);
		fx_fini(&fx);

		/* isolate, free everything, migrate: the new frame goes with the zspage */
		REQUIRE(fx_init(&fx, profiles[i], ZS_ARCH_X86_64));
		REQUIRE(fx_fill(&fx));
		REQUIRE(zs_page_isolate(fx.pool, 1));
		for (unsigned int k = 0; k < 64; k++)
			zs_free(fx.pool, fx.h[k]);
		REQUIRE(rec_alloc(&fx.rec, 0, &newpfn) == 0);
		CHECK_EQ(zs_page_migrate(fx.pool, newpfn, 1), 0);
		CHECK_EQ(zs_get_total_pages(fx.pool), 0);
		CHECK_EQ(fx.rec.in_use, 1); /* the old frame, still the core's to put */
		rec_free(&fx.rec, 1);
		fx_fini(&fx);

		/*
		 * An emptied zspage waiting for its free is still on the EMPTY list,
		 * and find_get_zspage() looks there last: the next allocation of the
		 * class reuses it instead of taking 3 new pages; after putback it lives
		 * on with that one object.
		 */
		REQUIRE(fx_init(&fx, profiles[i], ZS_ARCH_X86_64));
		REQUIRE(fx_fill(&fx));
		REQUIRE(zs_page_isolate(fx.pool, 1));
		for (unsigned int k = 0; k < 64; k++)
			zs_free(fx.pool, fx.h[k]);
		REQUIRE(zs_malloc(fx.pool, fx.req, 0, &h) == 0);
		CHECK_EQ(zs_get_total_pages(fx.pool), 3);
		CHECK_EQ(fx.rec.in_use, 3);
		CHECK(pool_ok(&fx));
		zs_page_putback(fx.pool, 1);
		CHECK_EQ(zs_get_total_pages(fx.pool), 3);
		CHECK(pool_ok(&fx));
		zs_free(fx.pool, h);
		CHECK_EQ(zs_get_total_pages(fx.pool), 0);
		fx_fini(&fx);
	}
}

/*
 * Compaction empties a source whose page is isolated: the kernel counts the
 * pages as freed (pages_freed += pages_per_zspage after free_zspage(), which
 * only defers), so does the model; the pages leave the pool at putback.
 * v6.1, class 192: A = frames 0-2, B = frames 3-5, free the odd objects of
 * both (32/64 each, list B, A: see test_compact.c (c)); isolate frame 4 of
 * B. Compaction: source B, destination A, 32 objects, B emptied but kept.
 */
static void test_compact_isolated_source(void)
{
	struct fixture fx;
	struct zs_compact_result res;
	unsigned long h2[64];

	REQUIRE(fx_init(&fx, "v6.1", ZS_ARCH_X86_64));
	REQUIRE(fx_fill(&fx));
	for (unsigned int i = 0; i < 64; i++) {
		uint8_t *p;

		REQUIRE(zs_malloc(fx.pool, fx.req, 0, &h2[i]) == 0);
		p = zs_map_object(fx.pool, h2[i], ZS_MM_WO);
		pattern_fill(p, fx.req, 200 + i);
		zs_unmap_object(fx.pool, h2[i]);
	}
	for (unsigned int i = 1; i < 64; i += 2) {
		zs_free(fx.pool, fx.h[i]);
		fx.h[i] = 0;
		zs_free(fx.pool, h2[i]);
		h2[i] = 0;
	}
	CHECK_EQ(zs_get_total_pages(fx.pool), 6);
	REQUIRE(zs_page_isolate(fx.pool, 4));
	REQUIRE(zs_compact(fx.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 3);
	CHECK_U64_EQ(res.objs_migrated, 32);
	CHECK_EQ(zs_get_total_pages(fx.pool), 6);
	CHECK(pool_ok(&fx));
	CHECK(all_payloads_ok(&fx));
	zs_page_putback(fx.pool, 4);
	CHECK_EQ(zs_get_total_pages(fx.pool), 3);
	CHECK(fx.rec.movable[4] == NULL);
	CHECK(pool_ok(&fx));
	CHECK(all_payloads_ok(&fx));
	/* B's survivors now live in A (frames 0-2) */
	for (unsigned int i = 0; i < 64; i += 2) {
		const uint8_t *p = zs_map_object(fx.pool, h2[i], ZS_MM_RO);

		CHECK(p && pattern_ok(p, fx.req, 200 + i));
		zs_unmap_object(fx.pool, h2[i]);
	}
	for (unsigned int i = 0; i < 64; i++) {
		zs_free(fx.pool, fx.h[i]);
		zs_free(fx.pool, h2[i]);
	}
	CHECK_EQ(zs_get_total_pages(fx.pool), 0);
	fx_fini(&fx);
}

int main(void)
{
	RUN(test_migrate_pages);
	RUN(test_migrate_huge);
	RUN(test_migrate_refusals);
	RUN(test_no_migration_profiles);
	RUN(test_deferred_free);
	RUN(test_compact_isolated_source);
	return test_summary();
}
