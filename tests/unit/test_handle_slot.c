/*
 * test_handle_slot.c - the zspage a handle slot keeps beside its location
 * word (struct zs_handle_slot, SIM: a host-side cache of what the location's
 * page->private names), through the internal header.
 *
 * For every profile: objects of many sizes (huge ones too), half freed, a
 * compaction, then every frame of the pool migrated where the profile has
 * migration; after each step every live handle's cached zspage and object
 * index must equal what obj_to_location() walks from the location word, the
 * payloads must read back, and zs_pool_check() must pass. Then a slot made
 * stale by hand must make zs_pool_check() fail, and a freed slot holds no
 * zspage.
 */
#include <errno.h>
#include <stdlib.h>

#include "pattern.h"
#include "rec_pages.h"
#include "test_util.h"
#include "zs_internal.h"

#define NFRAMES 4096
#define NOBJ	3000

struct fixture {
	struct rec rec;
	struct zs_pool *pool;
	unsigned long h[NOBJ];
	size_t len[NOBJ];
};

/* Every live handle: cached zspage and index equal the walked ones; payloads intact. */
static bool slots_agree(struct fixture *fx)
{
	for (unsigned int i = 0; i < NOBJ; i++) {
		unsigned int walked_idx = ~0u, cached_idx = ~0u;
		struct zspage *walked, *cached;
		const uint8_t *p;
		bool ok;

		if (!fx->h[i])
			continue;
		cached = handle_to_location(fx->pool, fx->h[i], &cached_idx);
		walked = obj_to_location(fx->pool, handle_to_obj(fx->pool, fx->h[i]), &walked_idx);
		if (!cached || cached != walked || cached_idx != walked_idx) {
			fprintf(stderr, "  object %u: cached zspage %p idx %u, walked %p idx %u\n", i,
				(void *)cached, cached_idx, (void *)walked, walked_idx);
			return false;
		}
		p = zs_map_object(fx->pool, fx->h[i], ZS_MM_RO);
		ok = p && pattern_ok(p, fx->len[i], i);
		zs_unmap_object(fx->pool, fx->h[i]);
		if (!ok) {
			fprintf(stderr, "  object %u: payload wrong\n", i);
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

/* Migrate every frame of the pool (the migration core: isolate, new frame, migrate, put). */
static unsigned int migrate_all(struct fixture *fx)
{
	unsigned long high = fx->rec.high, moved = 0;

	for (unsigned long pfn = 0; pfn < high; pfn++) {
		unsigned long newpfn;

		if (fx->rec.movable[pfn] != fx->pool || !zs_page_isolate(fx->pool, pfn))
			continue;
		if (rec_alloc(&fx->rec, 0, &newpfn) != 0) {
			zs_page_putback(fx->pool, pfn);
			break;
		}
		if (zs_page_migrate(fx->pool, newpfn, pfn) != 0) {
			zs_page_putback(fx->pool, pfn);
			rec_free(&fx->rec, newpfn);
			continue;
		}
		rec_free(&fx->rec, pfn);
		moved++;
	}
	return (unsigned int)moved;
}

static void one_profile(const char *name)
{
	struct zs_pool_config cfg = {.profile = name, .arch = ZS_ARCH_X86_64};
	const struct zs_profile_info *info;
	struct zs_compact_result res;
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct zspage *a, *b;
	unsigned int idx, i, j;
	unsigned long obj;
	char msg[256];

	REQUIRE(fx);
	REQUIRE(rec_init(&fx->rec, 4096, NFRAMES) == 0);
	REQUIRE(zs_create_pool(&cfg, &rec_ops, &fx->rec, &fx->pool) == 0);
	info = zs_pool_profile(fx->pool);
	for (i = 0; i < NOBJ; i++) {
		uint8_t *p;

		/* sizes over every class, a huge one now and then */
		fx->len[i] = i % 97 == 0 ? 4000 : 16 + (i * 37) % 3000;
		REQUIRE(zs_malloc(fx->pool, fx->len[i], 0, &fx->h[i]) == 0);
		p = zs_map_object(fx->pool, fx->h[i], ZS_MM_WO);
		REQUIRE(p);
		pattern_fill(p, fx->len[i], i);
		zs_unmap_object(fx->pool, fx->h[i]);
	}
	CHECK(slots_agree(fx));
	/* free two in three: partly used zspages for compaction to empty */
	for (i = 0; i < NOBJ; i++)
		if (i % 3 != 0) {
			zs_free(fx->pool, fx->h[i]);
			fx->h[i] = 0;
		}
	CHECK(slots_agree(fx));
	CHECK(pool_ok(fx));
	if (info->has_compaction) {
		REQUIRE(zs_compact(fx->pool, &res) == 0);
		CHECK(res.objs_migrated > 0);
		CHECK(slots_agree(fx));
		CHECK(pool_ok(fx));
	}
	if (info->has_migration) {
		CHECK(migrate_all(fx) > 0);
		CHECK(slots_agree(fx));
		CHECK(pool_ok(fx));
	}
	if (info->indirect_handles) {
		/* a freed slot names no zspage */
		for (i = 0; !fx->h[i]; i++)
			;
		zs_free(fx->pool, fx->h[i]);
		CHECK(handle_to_location(fx->pool, fx->h[i], &idx) == NULL);
		fx->h[i] = 0;
		/* a slot naming another zspage than its location's: zs_pool_check finds it */
		for (i = 0; !fx->h[i]; i++)
			;
		a = handle_to_location(fx->pool, fx->h[i], &idx);
		for (j = i + 1; j < NOBJ; j++)
			if (fx->h[j] && (b = handle_to_location(fx->pool, fx->h[j], &idx)) != a)
				break;
		REQUIRE(j < NOBJ && a && b);
		obj = handle_to_obj(fx->pool, fx->h[i]);
		record_obj(fx->pool, fx->h[i], obj, b);
		CHECK_EQ(zs_pool_check(fx->pool, msg, sizeof(msg)), -EUCLEAN);
		CHECK(strstr(msg, "caches another zspage") != NULL);
		record_obj(fx->pool, fx->h[i], obj, a);
		CHECK(pool_ok(fx));
	}
	for (i = 0; i < NOBJ; i++)
		if (fx->h[i])
			zs_free(fx->pool, fx->h[i]);
	CHECK_EQ(zs_get_total_pages(fx->pool), 0);
	zs_destroy_pool(fx->pool);
	CHECK_EQ(fx->rec.in_use, 0);
	CHECK_EQ(fx->rec.violations, 0);
	rec_fini(&fx->rec);
	free(fx);
}

static void test_every_profile(void)
{
	for (const char *const *p = zs_profile_names(); *p; p++) {
		int before = tu_failures;

		one_profile(*p);
		if (tu_failures != before)
			fprintf(stderr, "  ^ profile %s\n", *p);
	}
}

int main(void)
{
	RUN(test_every_profile);
	return test_summary();
}
