/*
 * test_size_class.c - the class tables against the kernel's, using the rows
 * verified in shared/reference/zsmalloc-facts.md (real debugfs dumps and
 * live pools of Debian's 6.1.192 and 6.12.117).
 */
#include <errno.h>

#include "test_util.h"
#include "zsmalloc.h"

static struct zs_host_pages *hp;

static struct zs_pool *make(const char *profile, enum zs_arch arch, size_t page, unsigned int chain)
{
	struct zs_pool_config cfg = { .profile = profile, .arch = arch, .page_size = page,
				      .chain_size = chain };
	struct zs_pool *pool = NULL;

	if (zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool) != 0)
		return NULL;
	return pool;
}

static unsigned int distinct(struct zs_pool *pool)
{
	unsigned int n = 0;
	struct zs_class_info ci;

	for (unsigned int i = 0; i < zs_class_count(pool); i++) {
		zs_class_info(pool, i, &ci);
		n += ci.merged_into == i;
	}
	return n;
}

/* Largest class size that is not huge. */
static unsigned int largest_non_huge(struct zs_pool *pool)
{
	struct zs_class_info ci;

	for (int i = (int)zs_class_count(pool) - 1; i >= 0; i--) {
		zs_class_info(pool, (unsigned int)i, &ci);
		if (!ci.huge)
			return ci.size;
	}
	return 0;
}

#define ROW(pool, idx, sz, ppz)                                                                    \
	do {                                                                                       \
		struct zs_class_info ci_;                                                          \
		CHECK_EQ(zs_class_info(pool, idx, &ci_), 0);                                        \
		CHECK_EQ(ci_.merged_into, idx);                                                    \
		CHECK_EQ(ci_.size, sz);                                                            \
		CHECK_EQ(ci_.pages_per_zspage, ppz);                                               \
		CHECK_EQ(ci_.objs_per_zspage, (ppz) * 4096 / (sz));                                \
	} while (0)

#define ALIAS(pool, idx, into)                                                                     \
	do {                                                                                       \
		struct zs_class_info ci_;                                                          \
		CHECK_EQ(zs_class_info(pool, idx, &ci_), 0);                                        \
		CHECK_EQ(ci_.merged_into, into);                                                   \
	} while (0)

static void test_v61_rows(void)
{
	struct zs_pool *pool = make("v6.1", ZS_ARCH_X86_64, 4096, 0);

	REQUIRE(pool);
	CHECK_EQ(zs_class_count(pool), 255);
	CHECK_EQ(distinct(pool), 69);
	CHECK_EQ(zs_huge_class_size(pool), 3257);
	CHECK_EQ(largest_non_huge(pool), 3264);
	/* Sergey Senozhatsky's 2016 `freeable' dump */
	ROW(pool, 12, 224, 4);
	ROW(pool, 13, 240, 1);
	ROW(pool, 14, 256, 1);
	ROW(pool, 15, 272, 1);
	ROW(pool, 49, 816, 1);
	ROW(pool, 51, 848, 4);
	ROW(pool, 52, 864, 3);
	ROW(pool, 54, 896, 2);
	ROW(pool, 57, 944, 3);
	ALIAS(pool, 50, 51);
	ALIAS(pool, 53, 54);
	ALIAS(pool, 55, 57);
	ALIAS(pool, 56, 57);
	/* the 2018 zs_huge_class_size thread */
	ROW(pool, 151, 2448, 3);
	ROW(pool, 168, 2720, 2);
	ROW(pool, 190, 3072, 3);
	ROW(pool, 202, 3264, 4);
	ROW(pool, 254, 4096, 1);
	/* Documentation/mm/zsmalloc.rst samples and merge example */
	ROW(pool, 9, 176, 4);
	ROW(pool, 10, 192, 3);
	ROW(pool, 11, 208, 2);
	ROW(pool, 94, 1536, 3);
	ROW(pool, 100, 1632, 2);
	for (unsigned int i = 95; i <= 99; i++)
		ALIAS(pool, i, 100);
	for (unsigned int i = 203; i <= 253; i++)
		ALIAS(pool, i, 254);
	/* 146 objects of class 224 -> 146/73*4 = 8 pages, as the dump printed */
	CHECK_EQ(4096 * 4 / 224, 73);
	/* 1568 B: used% 76/95/89/95 for 1..4 pages -> 2 pages */
	CHECK_EQ(zs_lookup_class_index(pool, 1568 - 8), 100); /* index 96, merged into 100 */
	ALIAS(pool, 96, 100);
	zs_destroy_pool(pool);
}

static void test_v612_rows(void)
{
	struct zs_pool *pool = make("v6.12", ZS_ARCH_X86_64, 4096, 0);
	struct zs_class_info ci;

	REQUIRE(pool);
	CHECK_EQ(zs_class_count(pool), 255);
	CHECK_EQ(distinct(pool), 119);
	CHECK_EQ(zs_huge_class_size(pool), 3625);
	CHECK_EQ(largest_non_huge(pool), 3632);
	ROW(pool, 30, 512, 1);
	ROW(pool, 31, 528, 4);
	ROW(pool, 32, 544, 2);
	/* 1568 B: tail waste 960/352/1312/704/96 for 1..5 pages -> 5 pages, 13 objects */
	CHECK_EQ(zs_class_info(pool, 96, &ci), 0);
	CHECK_EQ(ci.size, 1568);
	CHECK_EQ(ci.pages_per_zspage, 5);
	CHECK_EQ(ci.objs_per_zspage, 13);
	zs_destroy_pool(pool);
}

/* Facts sheet §1.6, first row (the 6.12 code rule) and the largest non-huge class. */
static void test_chain_sizes(void)
{
	static const unsigned int want_distinct[] = { 69, 86, 94, 110, 119, 136, 141,
						      153, 159, 173, 179, 186, 192 };
	static const unsigned int want_largest[] = { 3264, 3408, 3504, 3584, 3632, 3680, 3712,
						     3744, 3776, 3792, 3808, 3840, 3840 };

	for (unsigned int chain = 4; chain <= 16; chain++) {
		struct zs_pool *pool = make("v6.12", ZS_ARCH_X86_64, 4096, chain);

		REQUIRE(pool);
		CHECK_EQ(distinct(pool), want_distinct[chain - 4]);
		CHECK_EQ(largest_non_huge(pool), want_largest[chain - 4]);
		CHECK_EQ(zs_huge_class_size(pool), want_largest[chain - 4] - 7);
		zs_destroy_pool(pool);
	}
}

static void test_every_profile_4k(void)
{
	static const struct {
		const char *profile;
		unsigned int distinct;
		size_t huge;
	} want[] = {
		/* no header in 3.18: a request is huge once it exceeds 3264 */
		{ "v3.18", 255, 3265 }, { "rfc2014", 69, 3257 }, { "v4.1", 69, 3257 },
		{ "v4.3", 69, 3257 },  { "v4.8", 69, 3257 },    { "v6.1", 69, 3257 },
		{ "v6.12", 119, 3625 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct zs_pool *pool = make(want[i].profile, ZS_ARCH_X86_64, 4096, 0);

		REQUIRE(pool);
		CHECK_EQ(zs_class_count(pool), 255);
		CHECK_EQ(distinct(pool), want[i].distinct);
		CHECK_EQ(zs_huge_class_size(pool), want[i].huge);
		zs_destroy_pool(pool);
	}
}

/*
 * 3.18 merges no classes (can_merge() arrived in 3.19; facts sheet §1.4): all
 * 255 indices at 4 KiB are classes of their own. By hand, max used% at 4 KiB:
 * 656 B: 4096 - 4096 mod 656 = 3936 -> 96%, and 8192/12288/16384 leave
 * 320/480/640 B -> 96% each, so 1 page, 6 objects; 672 B: 4032 -> 98%, 1 page,
 * 6 objects. Equal (pages, objs): 3.19+ and the RFC alias 39 to 40, 3.18 does
 * not, so one 656 B and one 672 B object take two zspages there, one elsewhere.
 */
static void test_v318_no_merging(void)
{
	static const enum zs_arch arches[] = { ZS_ARCH_X86_64, ZS_ARCH_ARM32 };

	for (size_t a = 0; a < 2; a++) {
		struct zs_pool *pool = make("v3.18", arches[a], 4096, 0);
		struct zs_class_stats st;
		unsigned long h1, h2;

		REQUIRE(pool);
		CHECK_EQ(zs_class_count(pool), 255);
		CHECK_EQ(distinct(pool), 255);
		ROW(pool, 39, 656, 1);
		ROW(pool, 40, 672, 1);
		CHECK_EQ(4096 / 656, 6);
		ROW(pool, 50, 832, 4); /* 6.1 aliases 50 to 51 */
		ROW(pool, 96, 1568, 2); /* 6.1 aliases 95..99 to 100 */
		ROW(pool, 253, 4080, 1);
		ROW(pool, 254, 4096, 1);
		/* no header in 3.18: a request is looked up at its own size */
		CHECK_EQ(zs_lookup_class_index(pool, 656), 39);
		CHECK_EQ(zs_lookup_class_index(pool, 657), 40);
		CHECK_EQ(zs_lookup_class_index(pool, 672), 40);
		CHECK_EQ(zs_malloc(pool, 656, 0, &h1), 0);
		CHECK_EQ(zs_malloc(pool, 672, 0, &h2), 0);
		CHECK_EQ(zs_class_stats(pool, 39, &st), 0);
		CHECK_EQ(st.obj_used, 1);
		CHECK_EQ(st.obj_allocated, 6);
		CHECK_EQ(zs_class_stats(pool, 40, &st), 0);
		CHECK_EQ(st.obj_used, 1);
		CHECK_EQ(st.obj_allocated, 6);
		CHECK_EQ(zs_get_total_pages(pool), 2);
		zs_free(pool, h1);
		zs_free(pool, h2);
		CHECK_EQ(zs_get_total_pages(pool), 0);
		zs_destroy_pool(pool);
	}

	/* the RFC and 3.19+ merge: 39 aliases 40, both requests share one zspage */
	static const char *const merging[] = { "rfc2014", "v4.1" };

	for (size_t i = 0; i < 2; i++) {
		struct zs_pool *pool = make(merging[i], ZS_ARCH_X86_64, 4096, 0);
		struct zs_class_stats st;
		unsigned long h1, h2;

		REQUIRE(pool);
		CHECK_EQ(distinct(pool), 69);
		ALIAS(pool, 39, 40);
		ROW(pool, 40, 672, 1);
		/* 648 + 8 B header = 656 -> index 39 -> class 40 */
		CHECK_EQ(zs_lookup_class_index(pool, 648), 40);
		CHECK_EQ(zs_malloc(pool, 648, 0, &h1), 0);
		CHECK_EQ(zs_malloc(pool, 664, 0, &h2), 0);
		CHECK_EQ(zs_class_stats(pool, 40, &st), 0);
		CHECK_EQ(st.obj_used, 2);
		CHECK_EQ(st.obj_allocated, 6);
		zs_free(pool, h1);
		zs_free(pool, h2);
		zs_destroy_pool(pool);
	}
}

static void test_arm32_and_big_pages(void)
{
	struct zs_pool *pool = make("v6.1", ZS_ARCH_ARM32, 4096, 0);

	REQUIRE(pool);
	CHECK_EQ(zs_huge_class_size(pool), 3261); /* 3264 - (4 - 1) */
	CHECK_EQ(zs_lookup_class_index(pool, 3260), 202);
	CHECK_EQ(zs_lookup_class_index(pool, 3261), 254);
	zs_destroy_pool(pool);

	/* 16 KiB pages, delta 64: 3.18 counts floor((16384-32)/64)+1, later kernels round up */
	pool = make("v3.18", ZS_ARCH_X86_64, 16384, 0);
	REQUIRE(pool);
	CHECK_EQ(zs_class_count(pool), 256);
	zs_destroy_pool(pool);
	pool = make("v6.1", ZS_ARCH_X86_64, 16384, 0);
	REQUIRE(pool);
	CHECK_EQ(zs_class_count(pool), 257);
	{
		struct zs_class_info ci;

		zs_class_info(pool, 256, &ci);
		CHECK_EQ(ci.size, 16384); /* the top class is clamped to PAGE_SIZE */
	}
	zs_destroy_pool(pool);
	pool = make("v6.1", ZS_ARCH_X86_64, 65536, 0);
	REQUIRE(pool);
	CHECK_EQ(zs_class_count(pool), 257);
	zs_destroy_pool(pool);
}

static void test_bad_config(void)
{
	struct zs_pool_config cfg = { .profile = "v9.9" };
	struct zs_pool *pool = NULL;

	CHECK_EQ(zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool), -EINVAL);
	cfg.profile = "v6.12";
	cfg.chain_size = 3;
	CHECK_EQ(zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool), -EINVAL);
	cfg.chain_size = 17;
	CHECK_EQ(zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool), -EINVAL);
	cfg.profile = "v6.1";
	cfg.chain_size = 8; /* fixed at 4 before 6.3 */
	CHECK_EQ(zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool), -EINVAL);
	cfg.chain_size = 0;
	cfg.page_size = 8192;
	CHECK_EQ(zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool), -EINVAL);
	CHECK(pool == NULL);
}

int main(void)
{
	if (zs_host_pages_create(4096, 16, &hp))
		return 1;
	RUN(test_v61_rows);
	RUN(test_v612_rows);
	RUN(test_chain_sizes);
	RUN(test_every_profile_4k);
	RUN(test_v318_no_merging);
	RUN(test_arm32_and_big_pages);
	RUN(test_bad_config);
	zs_host_pages_destroy(hp);
	return test_summary();
}
