/*
 * test_idmap.c - the engine's ID tables (sim/idmap.c): insert, find, remove
 * with backward-shift deletion, growth, and iteration, checked against a
 * plain array in a seeded random walk (the seed is printed on failure).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "test_util.h"

/* The failed-ID filter: never "no" for an ID added; "yes" for others only by rare collision. */
static void test_filter(void)
{
	struct idfilter f = {NULL};
	uint64_t fp = 0;

	CHECK(!idfilter_maybe(&f, 7)); /* empty: nothing allocated yet */
	CHECK(f.bits == NULL);
	for (uint64_t k = 0; k < 1000; k++)
		REQUIRE(idfilter_add(&f, k * 3) == 0);
	for (uint64_t k = 0; k < 1000; k++)
		CHECK(idfilter_maybe(&f, k * 3));
	/* 2000 of 2^23 bits set: a stranger collides on both with p ~ 5.7e-8 */
	for (uint64_t k = 0; k < 1000000; k++)
		fp += idfilter_maybe(&f, (1ULL << 40) + k);
	CHECK(fp <= 2);
	idfilter_destroy(&f);
	CHECK(f.bits == NULL);
}

static void test_basic(void)
{
	struct idmap m;
	struct idmap_entry *e, *e2;

	REQUIRE(idmap_init(&m, 0) == 0);
	CHECK_EQ(m.cap, 64); /* the smallest table */
	CHECK(idmap_find(&m, 5) == NULL);
	CHECK_EQ(idmap_insert(&m, 5, &e), 0);
	CHECK_U64_EQ(e->key, 5);
	CHECK_U64_EQ(e->a, 0); /* values start at 0 */
	CHECK_U64_EQ(e->b, 0);
	e->a = 500;
	e->b = 501;
	CHECK_EQ(idmap_insert(&m, 5, &e2), -EEXIST);
	e = idmap_find(&m, 5);
	REQUIRE(e != NULL);
	CHECK_U64_EQ(e->a, 500);
	CHECK_U64_EQ(e->b, 501);
	/* 0 and the largest key are keys like any other */
	CHECK_EQ(idmap_insert(&m, 0, &e), 0);
	CHECK_EQ(idmap_insert(&m, UINT64_MAX, &e), 0);
	CHECK_EQ(m.count, 3);
	CHECK(idmap_find(&m, 0) != NULL);
	CHECK(idmap_find(&m, UINT64_MAX) != NULL);
	CHECK_EQ(idmap_remove(&m, 5), 0);
	CHECK_EQ(idmap_remove(&m, 5), -ENOENT);
	CHECK(idmap_find(&m, 5) == NULL);
	CHECK_EQ(m.count, 2);
	/* a released key can come back, with fresh values */
	CHECK_EQ(idmap_insert(&m, 5, &e), 0);
	CHECK_U64_EQ(e->a, 0);
	idmap_destroy(&m);
	CHECK(m.slots == NULL);
	CHECK_EQ(m.count, 0);
}

/*
 * The table grows before it is 3/4 full: 64 slots hold 48 keys, the 49th
 * insert doubles it; expected = 1000 asks for cap >= 2000, i.e. 2048.
 */
static void test_growth(void)
{
	struct idmap m;
	struct idmap_entry *e;

	REQUIRE(idmap_init(&m, 1000) == 0);
	CHECK_EQ(m.cap, 2048);
	idmap_destroy(&m);

	REQUIRE(idmap_init(&m, 0) == 0);
	for (uint64_t k = 0; k < 48; k++)
		CHECK_EQ(idmap_insert(&m, k * 7, &e), 0);
	CHECK_EQ(m.cap, 64);
	CHECK_EQ(idmap_insert(&m, 48 * 7, &e), 0);
	CHECK_EQ(m.cap, 128);
	for (uint64_t k = 49; k < 100000; k++) {
		CHECK_EQ(idmap_insert(&m, k * 7, &e), 0);
		e->a = k;
	}
	CHECK_EQ(m.count, 100000);
	CHECK_EQ(m.cap, 262144); /* 131072 * 3/4 = 98304 < 100000 <= 196608 */
	for (uint64_t k = 49; k < 100000; k += 997) {
		e = idmap_find(&m, k * 7);
		REQUIRE(e != NULL);
		CHECK_U64_EQ(e->a, k); /* values survive the rehash */
	}
	CHECK(idmap_find(&m, 3) == NULL);
	idmap_destroy(&m);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A random walk of inserts and removes over 600 keys in a table that stays
 * small (never more than 600 live, so clusters form and wrap around the
 * table end): after every operation the map agrees with the array, and at
 * checkpoints every key is looked up and an iteration visits exactly the
 * live keys once each. A broken backward shift loses keys that sit after a
 * removed one in a cluster.
 */
#define NKEYS 600

static void test_random_walk(void)
{
	static const uint64_t seeds[] = {1, 42, 0x9e3779b97f4a7c15ULL};

	for (unsigned int si = 0; si < sizeof(seeds) / sizeof(seeds[0]); si++) {
		uint64_t s = seeds[si], live[NKEYS] = {0};
		bool in[NKEYS] = {false};
		unsigned int nlive = 0;
		int before = tu_failures;
		struct idmap m;
		struct idmap_entry *e;

		REQUIRE(idmap_init(&m, 0) == 0);
		for (int op = 0; op < 200000 && tu_failures == before; op++) {
			unsigned int k = (unsigned int)(xorshift(&s) % NKEYS);
			/* keys far apart in value, so the hash does the spreading */
			uint64_t key = (uint64_t)k * 0x10001ULL + (k & 1 ? 1ULL << 40 : 0);

			if (in[k]) {
				CHECK_EQ(idmap_remove(&m, key), 0);
				in[k] = false;
				nlive--;
			} else {
				CHECK_EQ(idmap_insert(&m, key, &e), 0);
				e->a = key ^ 0xabc;
				in[k] = true;
				nlive++;
			}
			CHECK_EQ(m.count, nlive);
			if (op % 5000 == 0 || op == 199999) {
				size_t visited = 0;

				for (unsigned int j = 0; j < NKEYS; j++) {
					uint64_t kj =
					    (uint64_t)j * 0x10001ULL + (j & 1 ? 1ULL << 40 : 0);

					e = idmap_find(&m, kj);
					CHECK_EQ(e != NULL, in[j]);
					if (e)
						CHECK_U64_EQ(e->a, kj ^ 0xabc);
					live[j] = 0;
				}
				idmap_for_each(&m, e)
				{
					unsigned int j =
					    (unsigned int)((e->key & ((1ULL << 40) - 1)) /
							   0x10001ULL);

					visited++;
					REQUIRE(j < NKEYS);
					CHECK(in[j]);
					live[j]++;
				}
				CHECK_EQ(visited, nlive);
				for (unsigned int j = 0; j < NKEYS; j++)
					CHECK(live[j] <= 1);
			}
		}
		if (tu_failures != before)
			fprintf(stderr, "test_random_walk: failed with seed %llu\n",
				(unsigned long long)seeds[si]);
		idmap_destroy(&m);
	}
}

int main(void)
{
	RUN(test_basic);
	RUN(test_growth);
	RUN(test_random_walk);
	RUN(test_filter);
	return test_summary();
}
