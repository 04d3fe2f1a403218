/*
 * test_zspage.c - fullness lists and fullness groups, driven directly
 * through the internal header.
 *
 * Fake struct zspage values (on the stack, never backed by pages) are filed
 * into a real pool's class with insert_zspage()/remove_zspage() and the
 * resulting list order is read back. Every fake is taken off its list again
 * before the pool is destroyed (zs_destroy_pool() would free() it).
 *
 * The orders expected (shared/reference/zsmalloc-facts.md §3.3):
 *  - 3.18, rfc2014, 4.1, 6.3+: every insertion is the new head;
 *  - 4.3 .. 4.7: head if inuse >= head's inuse, else the tail (the list was
 *    a head pointer into a circular list; list_add_tail before the head);
 *  - 4.8 .. 6.2: head if inuse >= head's inuse, else right after the head.
 * Groups: 3.18/rfc2014 ALMOST_EMPTY iff inuse <= N/4, 4.1 .. 6.2 iff
 * inuse <= 3N/4, 6.3+ group (100 * inuse / N) / 10 + 1 for a partial zspage,
 * 0 empty, 11 full.
 */
#include <errno.h>

#include "test_util.h"
#include "zs_internal.h"

static struct zs_host_pages *hp;

static struct zs_pool *make(const char *profile)
{
	struct zs_pool_config cfg = { .profile = profile, .arch = ZS_ARCH_X86_64 };
	struct zs_pool *pool = NULL;

	if (zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool) != 0)
		return NULL;
	return pool;
}

static void fake_init(struct zspage *z, struct size_class *class, unsigned int inuse)
{
	memset(z, 0, sizeof(*z));
	zs_list_init(&z->list);
	z->class = class;
	z->inuse = inuse;
}

/* Read a list into order[]; returns its length (at most max). */
static unsigned int list_order(const struct size_class *class, unsigned int g, struct zspage **order,
			       unsigned int max)
{
	const struct zs_list *head = &class->fullness_list[g];
	unsigned int n = 0;

	for (const struct zs_list *l = head->next; l != head && n < max; l = l->next)
		order[n++] = (struct zspage *)(void *)l;
	return n;
}

/* The list must read exactly want[0..n-1] from the head; also checks the back links. */
static bool order_is(const struct size_class *class, unsigned int g, struct zspage *const *want,
		     unsigned int n)
{
	struct zspage *got[16];
	unsigned int len = list_order(class, g, got, 16);
	const struct zs_list *l = &class->fullness_list[g];

	if (len != n || class->fullness_count[g] != n)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (got[i] != want[i])
			return false;
	/* walking backwards gives the reverse order */
	for (unsigned int i = n; i > 0; i--) {
		l = l->prev;
		if ((const struct zspage *)(const void *)l != want[i - 1])
			return false;
	}
	return true;
}

/* A class of the pool with nothing in it (class 192: 64 objects per zspage). */
static struct size_class *empty_class(struct zs_pool *pool)
{
	struct size_class *class = pool->size_class[zs_lookup_class_index(pool, 184)];

	for (unsigned int g = 0; g < ZS_MAX_FULLNESS; g++)
		if (!zs_list_empty(&class->fullness_list[g]))
			return NULL;
	return class;
}

enum order_kind { HEAD, TAIL, AFTER };

/*
 * Insert into group 1, in this order: Z1 inuse 5, Z2 inuse 3, Z3 inuse 4,
 * Z4 inuse 5, Z5 inuse 6. With the head at each step:
 *   HEAD : Z1 | Z2 Z1 | Z3 Z2 Z1 | Z4 Z3 Z2 Z1 | Z5 Z4 Z3 Z2 Z1
 *   TAIL : Z1 | Z1 Z2 (3 < 5) | Z1 Z2 Z3 (4 < 5) | Z4 Z1 Z2 Z3 (5 >= 5)
 *          | Z5 Z4 Z1 Z2 Z3
 *   AFTER: Z1 | Z1 Z2 | Z1 Z3 Z2 | Z4 Z1 Z3 Z2 | Z5 Z4 Z1 Z3 Z2
 * Then remove the head Z5 and Z2, and insert Z6 inuse 1 (fewer than the new
 * head Z4): HEAD Z6 Z4 Z3 Z1; TAIL Z4 Z1 Z3 Z6; AFTER Z4 Z6 Z1 Z3.
 */
static void insertion_order_one(const char *profile, enum order_kind kind)
{
	struct zs_pool *pool = make(profile);
	struct size_class *class;
	struct zspage z[7];

	REQUIRE(pool);
	class = empty_class(pool);
	REQUIRE(class);
	fake_init(&z[1], class, 5);
	fake_init(&z[2], class, 3);
	fake_init(&z[3], class, 4);
	fake_init(&z[4], class, 5);
	fake_init(&z[5], class, 6);
	fake_init(&z[6], class, 1);

	insert_zspage(pool, class, &z[1], 1);
	{
		struct zspage *w[] = { &z[1] };

		CHECK(order_is(class, 1, w, 1));
		CHECK(zs_list_first(&class->fullness_list[1]) == &z[1]);
		CHECK(z[1].on_list);
		CHECK_EQ(z[1].fullness, 1);
	}
	insert_zspage(pool, class, &z[2], 1);
	insert_zspage(pool, class, &z[3], 1);
	{
		struct zspage *head[] = { &z[3], &z[2], &z[1] };
		struct zspage *tail[] = { &z[1], &z[2], &z[3] };
		struct zspage *after[] = { &z[1], &z[3], &z[2] };

		CHECK(order_is(class, 1, kind == HEAD ? head : kind == TAIL ? tail : after, 3));
	}
	insert_zspage(pool, class, &z[4], 1);
	insert_zspage(pool, class, &z[5], 1);
	{
		struct zspage *head[] = { &z[5], &z[4], &z[3], &z[2], &z[1] };
		struct zspage *tail[] = { &z[5], &z[4], &z[1], &z[2], &z[3] };
		struct zspage *after[] = { &z[5], &z[4], &z[1], &z[3], &z[2] };

		CHECK(order_is(class, 1, kind == HEAD ? head : kind == TAIL ? tail : after, 5));
	}
	remove_zspage(class, &z[5]);
	remove_zspage(class, &z[2]);
	CHECK(!z[5].on_list);
	CHECK(!z[2].on_list);
	CHECK_EQ(class->fullness_count[1], 3);
	insert_zspage(pool, class, &z[6], 1);
	{
		struct zspage *head[] = { &z[6], &z[4], &z[3], &z[1] };
		struct zspage *tail[] = { &z[4], &z[1], &z[3], &z[6] };
		struct zspage *after[] = { &z[4], &z[6], &z[1], &z[3] };

		CHECK(order_is(class, 1, kind == HEAD ? head : kind == TAIL ? tail : after, 4));
	}
	/* other groups untouched */
	for (unsigned int g = 0; g < ZS_MAX_FULLNESS; g++)
		if (g != 1)
			CHECK(zs_list_empty(&class->fullness_list[g]) && class->fullness_count[g] == 0);

	remove_zspage(class, &z[6]);
	remove_zspage(class, &z[4]);
	remove_zspage(class, &z[3]);
	remove_zspage(class, &z[1]);
	CHECK(zs_list_empty(&class->fullness_list[1]));
	CHECK_EQ(class->fullness_count[1], 0);
	zs_destroy_pool(pool);
}

static void test_insertion_order(void)
{
	static const struct {
		const char *profile;
		enum order_kind kind;
	} cases[] = {
		{ "v3.18", HEAD }, { "rfc2014", HEAD }, { "v4.1", HEAD },  { "v4.3", TAIL },
		{ "v4.8", AFTER }, { "v6.1", AFTER },   { "v6.12", HEAD },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = tu_failures;

		insertion_order_one(cases[i].profile, cases[i].kind);
		if (tu_failures != before)
			fprintf(stderr, "  ^ profile %s\n", cases[i].profile);
	}
}

/*
 * fix_fullness_group() moves a zspage only when its group changes, and a
 * moved zspage is inserted by the profile's rule. v6.1, class 192 (N = 64,
 * ALMOST_EMPTY iff inuse <= 48): A (inuse 40) then B (inuse 30) put back
 * into ALMOST_EMPTY: 30 < 40, so B goes after the head: A B. B rises to 45:
 * still ALMOST_EMPTY, so it is not re-sorted although it now has more than
 * A. B rises to 49: ALMOST_FULL, alone there. B drops to 48: ALMOST_EMPTY
 * again, 48 >= 40, the new head: B A. B to 64: FULL.
 */
static void test_fix_fullness_group(void)
{
	struct zs_pool *pool = make("v6.1");
	struct size_class *class;
	struct zspage a, b;

	REQUIRE(pool);
	class = empty_class(pool);
	REQUIRE(class);
	REQUIRE(class->objs_per_zspage == 64);
	fake_init(&a, class, 40);
	fake_init(&b, class, 30);
	CHECK_EQ(putback_zspage(pool, class, &a), 1);
	CHECK_EQ(putback_zspage(pool, class, &b), 1);
	{
		struct zspage *w[] = { &a, &b };

		CHECK(order_is(class, 1, w, 2));
	}
	b.inuse = 45;
	CHECK_EQ(fix_fullness_group(pool, class, &b), 1);
	{
		struct zspage *w[] = { &a, &b };

		CHECK(order_is(class, 1, w, 2));
	}
	b.inuse = 49;
	CHECK_EQ(fix_fullness_group(pool, class, &b), 2);
	{
		struct zspage *w1[] = { &a };
		struct zspage *w2[] = { &b };

		CHECK(order_is(class, 1, w1, 1));
		CHECK(order_is(class, 2, w2, 1));
	}
	b.inuse = 48;
	CHECK_EQ(fix_fullness_group(pool, class, &b), 1);
	{
		struct zspage *w[] = { &b, &a };

		CHECK(order_is(class, 1, w, 2));
		CHECK_EQ(class->fullness_count[2], 0);
	}
	b.inuse = 64;
	CHECK_EQ(fix_fullness_group(pool, class, &b), 3);
	CHECK_EQ(class->fullness_count[3], 1);
	remove_zspage(class, &a);
	remove_zspage(class, &b);
	zs_destroy_pool(pool);
}

/*
 * find_get_zspage(): 4-group profiles take ALMOST_FULL, then ALMOST_EMPTY,
 * then EMPTY (a zspage waiting for its deferred free); never FULL.
 * 6.12 takes 99% (group 10) down to 10% (group 1), then 0%; never 100%.
 */
static void test_find_get_zspage_four(void)
{
	static const char *const profiles[] = { "v3.18", "rfc2014", "v4.1", "v4.3", "v4.8", "v6.1" };

	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct zs_pool *pool = make(profiles[i]);
		struct size_class *class;
		struct zspage full, af1, af2, ae, empty;

		REQUIRE(pool);
		class = empty_class(pool);
		REQUIRE(class);
		CHECK(find_get_zspage(pool, class) == NULL);
		fake_init(&full, class, 64);
		fake_init(&af1, class, 60);
		fake_init(&af2, class, 62);
		fake_init(&ae, class, 10);
		fake_init(&empty, class, 0);
		insert_zspage(pool, class, &full, 3);
		CHECK(find_get_zspage(pool, class) == NULL);
		insert_zspage(pool, class, &empty, 0);
		CHECK(find_get_zspage(pool, class) == &empty);
		insert_zspage(pool, class, &ae, 1);
		CHECK(find_get_zspage(pool, class) == &ae);
		insert_zspage(pool, class, &af1, 2);
		CHECK(find_get_zspage(pool, class) == &af1);
		/* 62 >= 60: head in every rule */
		insert_zspage(pool, class, &af2, 2);
		CHECK(find_get_zspage(pool, class) == &af2);
		remove_zspage(class, &af2);
		remove_zspage(class, &af1);
		CHECK(find_get_zspage(pool, class) == &ae);
		remove_zspage(class, &ae);
		CHECK(find_get_zspage(pool, class) == &empty);
		remove_zspage(class, &empty);
		remove_zspage(class, &full);
		zs_destroy_pool(pool);
	}
}

static void test_find_get_zspage_ratio(void)
{
	struct zs_pool *pool = make("v6.12");
	struct size_class *class;
	struct zspage z[12];

	REQUIRE(pool);
	class = empty_class(pool);
	REQUIRE(class);
	for (unsigned int g = 0; g < 12; g++) {
		/* a zspage in each group g; inuse is not looked at by find_get_zspage */
		fake_init(&z[g], class, g == 11 ? class->objs_per_zspage : g);
		insert_zspage(pool, class, &z[g], g);
	}
	for (unsigned int g = 10;; g--) {
		CHECK(find_get_zspage(pool, class) == &z[g]);
		remove_zspage(class, &z[g]);
		if (g == 0)
			break;
	}
	CHECK(find_get_zspage(pool, class) == NULL); /* only the 100% zspage is left */
	remove_zspage(class, &z[11]);
	zs_destroy_pool(pool);
}

/* ---- fullness groups ---- */

static unsigned int group(struct zs_pool *pool, unsigned int n, unsigned int inuse)
{
	struct size_class c;

	memset(&c, 0, sizeof(c));
	c.objs_per_zspage = n;
	return get_fullness_group(pool, &c, inuse);
}

/* QUARTER (3.18, rfc2014): N = 64: 16 <= 16 ALMOST_EMPTY, 17 ALMOST_FULL; N = 73: 73/4 = 18. */
static void test_fullness_quarter(void)
{
	static const char *const profiles[] = { "v3.18", "rfc2014" };

	for (size_t i = 0; i < 2; i++) {
		struct zs_pool *pool = make(profiles[i]);

		REQUIRE(pool);
		CHECK_EQ(group(pool, 64, 0), 0);
		CHECK_EQ(group(pool, 64, 1), 1);
		CHECK_EQ(group(pool, 64, 16), 1);
		CHECK_EQ(group(pool, 64, 17), 2);
		CHECK_EQ(group(pool, 64, 63), 2);
		CHECK_EQ(group(pool, 64, 64), 3);
		CHECK_EQ(group(pool, 73, 18), 1);
		CHECK_EQ(group(pool, 73, 19), 2);
		/* N = 3: 3/4 = 0, so no partial zspage is ALMOST_EMPTY */
		CHECK_EQ(group(pool, 3, 1), 2);
		CHECK_EQ(group(pool, 3, 2), 2);
		/* N = 1 (huge): empty or full only */
		CHECK_EQ(group(pool, 1, 0), 0);
		CHECK_EQ(group(pool, 1, 1), 3);
		CHECK_STR_EQ(zs_fullness_name(pool, 1), "almost_empty");
		CHECK(zs_fullness_name(pool, 4) == NULL);
		zs_destroy_pool(pool);
	}
}

/* THREE_QUARTERS (4.1 .. 6.2): N = 64: 48 ALMOST_EMPTY, 49 ALMOST_FULL; N = 73: 219/4 = 54. */
static void test_fullness_three_quarters(void)
{
	static const char *const profiles[] = { "v4.1", "v4.3", "v4.8", "v6.1" };

	for (size_t i = 0; i < 4; i++) {
		struct zs_pool *pool = make(profiles[i]);

		REQUIRE(pool);
		CHECK_EQ(group(pool, 64, 0), 0);
		CHECK_EQ(group(pool, 64, 1), 1);
		CHECK_EQ(group(pool, 64, 48), 1);
		CHECK_EQ(group(pool, 64, 49), 2);
		CHECK_EQ(group(pool, 64, 64), 3);
		CHECK_EQ(group(pool, 73, 54), 1);
		CHECK_EQ(group(pool, 73, 55), 2);
		/* N = 4 (class 1024): 3*4/4 = 3, so 1..3 are ALMOST_EMPTY */
		CHECK_EQ(group(pool, 4, 3), 1);
		/* N = 2: 6/4 = 1 */
		CHECK_EQ(group(pool, 2, 1), 1);
		/* N = 5: 15/4 = 3 */
		CHECK_EQ(group(pool, 5, 3), 1);
		CHECK_EQ(group(pool, 5, 4), 2);
		CHECK_STR_EQ(zs_fullness_name(pool, 2), "almost_full");
		zs_destroy_pool(pool);
	}
}

/*
 * RATIO (6.3+): N = 13: inuse 1 -> 100/13 = 7 -> 7/10 + 1 = 1; inuse 2 -> 15 ->
 * 2; inuse 12 -> 92 -> 10; 13 -> 11 (full); 0 -> 0. N = 20: inuse 2 is
 * exactly 10% -> 10/10 + 1 = 2 (the "20%" bucket), inuse 1 -> 5 -> 1,
 * inuse 19 -> 95 -> 10. N = 64: inuse 32 -> 50 -> 6; 63 -> 98 -> 10.
 */
static void test_fullness_ratio(void)
{
	struct zs_pool *pool = make("v6.12");

	REQUIRE(pool);
	CHECK_EQ(group(pool, 13, 0), 0);
	CHECK_EQ(group(pool, 13, 1), 1);
	CHECK_EQ(group(pool, 13, 2), 2);
	CHECK_EQ(group(pool, 13, 12), 10);
	CHECK_EQ(group(pool, 13, 13), 11);
	CHECK_EQ(group(pool, 20, 1), 1);
	CHECK_EQ(group(pool, 20, 2), 2);
	CHECK_EQ(group(pool, 20, 19), 10);
	CHECK_EQ(group(pool, 64, 32), 6);
	CHECK_EQ(group(pool, 64, 63), 10);
	CHECK_EQ(group(pool, 1, 1), 11);
	/* every partial zspage of every N up to 512 lands in 1..10, monotonically */
	for (unsigned int n = 2; n <= 512; n++) {
		unsigned int prev = 1;

		for (unsigned int k = 1; k < n; k++) {
			unsigned int g = group(pool, n, k);
			unsigned int pct = 100 * k / n;

			CHECK(g >= prev && g >= 1 && g <= 10);
			/* the bucket covers [10(g-1), 10g) percent */
			CHECK(pct >= 10 * (g - 1) && pct < 10 * g);
			prev = g;
			if (tu_failures)
				break;
		}
	}
	CHECK_STR_EQ(zs_fullness_name(pool, 0), "0%");
	CHECK_STR_EQ(zs_fullness_name(pool, 1), "10%");
	CHECK_STR_EQ(zs_fullness_name(pool, 10), "99%");
	CHECK_STR_EQ(zs_fullness_name(pool, 11), "100%");
	zs_destroy_pool(pool);
}

/*
 * The lists through the real allocation path. With zs_malloc()/zs_free()
 * alone a zspage always enters a group at its boundary (ALMOST_EMPTY at
 * inuse 3N/4 coming down, ALMOST_FULL at N - 1 coming down; new zspages only
 * when no partial one exists), so it never has fewer objects than the head
 * and the three insertion rules give the same order; they differ only for
 * compaction's putbacks and the fakes above. v4.1/v4.3/v6.1, class 1024
 * (1 page, 4 objects, ALMOST_EMPTY iff inuse <= 3): fill A, B, C (objects
 * 0-3, 4-7, 8-11). Free 0, 1: A enters at 3 (alone), drops to 2. Free 4: B
 * enters at 3 >= 2: head, B A. Free 8, 9, 10: C enters at 3 >= 3: head,
 * C B A, then drops to 1 in place. find_get_zspage() gives C.
 */
static void test_order_through_malloc(void)
{
	static const char *const profiles[] = { "v4.3", "v6.1", "v4.1" };

	for (size_t p = 0; p < 3; p++) {
		struct zs_pool *pool = make(profiles[p]);
		struct size_class *class;
		unsigned long h[12];
		struct zspage *got[8];
		unsigned int n;

		REQUIRE(pool);
		class = pool->size_class[zs_lookup_class_index(pool, 1016)];
		REQUIRE(class->objs_per_zspage == 4 && class->pages_per_zspage == 1);
		for (unsigned int i = 0; i < 12; i++)
			REQUIRE(zs_malloc(pool, 1016, 0, &h[i]) == 0);
		/* objects 0-3 in A, 4-7 in B, 8-11 in C */
		zs_free(pool, h[0]);
		zs_free(pool, h[1]);
		zs_free(pool, h[4]);
		zs_free(pool, h[8]);
		zs_free(pool, h[9]);
		zs_free(pool, h[10]);
		n = list_order(class, 1, got, 8);
		CHECK_EQ(n, 3);
		CHECK_EQ(got[0]->inuse, 1); /* C */
		CHECK_EQ(got[1]->inuse, 3); /* B */
		CHECK_EQ(got[2]->inuse, 2); /* A */
		CHECK(find_get_zspage(pool, class) == got[0]);
		CHECK_EQ(zs_pool_check(pool, NULL, 0), 0);
		zs_free(pool, h[2]);
		zs_free(pool, h[3]);
		zs_free(pool, h[5]);
		zs_free(pool, h[6]);
		zs_free(pool, h[7]);
		zs_free(pool, h[11]);
		CHECK_EQ(zs_get_total_pages(pool), 0);
		zs_destroy_pool(pool);
	}
}

int main(void)
{
	if (zs_host_pages_create(4096, 64, &hp))
		return 1;
	RUN(test_insertion_order);
	RUN(test_fix_fullness_group);
	RUN(test_find_get_zspage_four);
	RUN(test_find_get_zspage_ratio);
	RUN(test_fullness_quarter);
	RUN(test_fullness_three_quarters);
	RUN(test_fullness_ratio);
	RUN(test_order_through_malloc);
	zs_host_pages_destroy(hp);
	return test_summary();
}
