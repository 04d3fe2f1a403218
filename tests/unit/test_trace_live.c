/*
 * test_trace_live.c - trace_live: the hash sets of live IDs (against a plain
 * reference set, growing and shrinking) and which events make an ID live.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "trace_live.h"

/* xorshift64*: the tests' own seeded PRNG. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void test_live_set_basic(void)
{
	struct trace_live_set s;

	trace_live_set_init(&s);
	CHECK(!trace_live_set_contains(&s, 5));
	CHECK_EQ(trace_live_set_remove(&s, 5), -ENOENT);
	CHECK_EQ(trace_live_set_add(&s, 5), 0);
	CHECK_EQ(trace_live_set_add(&s, 5), -EEXIST);
	CHECK_EQ(trace_live_set_add(&s, 0), 0);
	CHECK_EQ(trace_live_set_add(&s, (1ULL << 63) - 1), 0);
	CHECK_EQ(trace_live_set_add(&s, TRACE_LIVE_EMPTY), -EINVAL);
	CHECK_EQ(trace_live_set_count(&s), 3);
	CHECK(trace_live_set_contains(&s, 0));
	CHECK(trace_live_set_contains(&s, (1ULL << 63) - 1));
	CHECK_EQ(trace_live_set_remove(&s, 5), 0);
	CHECK_EQ(trace_live_set_remove(&s, 5), -ENOENT);
	CHECK(!trace_live_set_contains(&s, 5));
	CHECK_EQ(trace_live_set_count(&s), 2);
	CHECK_EQ(trace_live_set_remove(&s, 0), 0);
	CHECK_EQ(trace_live_set_remove(&s, (1ULL << 63) - 1), 0);
	/* An emptied set gives its table back. */
	CHECK_EQ(trace_live_set_count(&s), 0);
	CHECK_EQ(s.capacity, 0);
	CHECK(s.slots == NULL);
	trace_live_set_destroy(&s);
}

/*
 * Random adds and removes over a small key space (so probe runs collide and
 * backward shifts happen), checked against a plain array of flags. spread
 * scatters the keys over the 63-bit range (a chunk each); without it they are
 * 0..KEYS-1, 64 to a chunk, so chunks fill, empty and leave the table.
 */
static uint64_t live_test_key(uint64_t k, bool spread)
{
	return spread ? k * 0x9E3779B97F4A7C15ULL >> 1 : k;
}

static void check_live_set_vs_reference(bool spread)
{
	enum { KEYS = 4096, OPS = 400000 };
	static unsigned char ref[KEYS];
	struct trace_live_set s;
	uint64_t seed = 0x5eed1234ULL;
	size_t count = 0, i, peak_cap = 0;
	int bad = 0;

	memset(ref, 0, sizeof(ref));
	trace_live_set_init(&s);
	for (i = 0; i < OPS; i++) {
		uint64_t k = rnd(&seed) % KEYS;
		uint64_t key = live_test_key(k, spread);
		/* Phases: mostly adds, then mostly removes, so the table grows and shrinks. */
		int add_pct = (i / 50000) % 2 ? 20 : 80;
		int rc;

		if ((int)(rnd(&seed) % 100) < add_pct) {
			rc = trace_live_set_add(&s, key);
			bad += rc != (ref[k] ? -EEXIST : 0);
			if (!rc) {
				ref[k] = 1;
				count++;
			}
		} else {
			rc = trace_live_set_remove(&s, key);
			bad += rc != (ref[k] ? 0 : -ENOENT);
			if (!rc) {
				ref[k] = 0;
				count--;
			}
		}
		bad += trace_live_set_count(&s) != count;
		bad += s.chunks > count || (count && !s.chunks);
		if (s.capacity > peak_cap)
			peak_cap = s.capacity;
		/* Load stays within (1/8, 1/2] once above the minimum table. */
		bad += s.capacity && s.chunks * 2 > s.capacity;
		bad += s.capacity > 64 && s.chunks * 8 < s.capacity;
		if (i % 997 == 0) {
			size_t kk;

			for (kk = 0; kk < KEYS; kk++)
				bad += trace_live_set_contains(&s, live_test_key(kk, spread)) !=
				       (ref[kk] != 0);
		}
	}
	CHECK_EQ(bad, 0);
	if (spread) {
		/* 4096 chunks at most half full: never more than 8192 slots. */
		CHECK_LE(peak_cap, 8192);
		CHECK_LT(2048, peak_cap);
	} else {
		/* 4096 dense keys are 64 chunks: the table never grows past 128 slots. */
		CHECK_LE(peak_cap, 128);
	}
	trace_live_set_destroy(&s);
}

static void test_live_set_vs_reference(void)
{
	check_live_set_vs_reference(true);
	check_live_set_vs_reference(false);
}

/*
 * Memory follows live chunks: 100000 sequential IDs are 1563 chunks (4096
 * slots); with all but 10 out, the table shrinks to 64. A key 64 or more
 * apart from every other takes a slot of its own.
 */
static void test_live_set_shrinks(void)
{
	struct trace_live_set s;
	uint64_t i;

	trace_live_set_init(&s);
	for (i = 0; i < 100000; i++)
		trace_live_set_add(&s, i);
	CHECK_EQ(s.chunks, 1563);
	CHECK_EQ(s.capacity, 4096); /* smallest power of two with 1563 * 2 <= cap */
	for (i = 10; i < 100000; i++)
		trace_live_set_remove(&s, i);
	CHECK_EQ(trace_live_set_count(&s), 10);
	CHECK_EQ(s.chunks, 1);
	CHECK_EQ(s.capacity, 64);
	for (i = 0; i < 10; i++)
		CHECK(trace_live_set_contains(&s, i));
	CHECK(!trace_live_set_contains(&s, 10));
	CHECK_EQ(trace_live_set_add(&s, 64), 0);
	CHECK_EQ(trace_live_set_add(&s, 127), 0);
	CHECK_EQ(trace_live_set_add(&s, 128), 0);
	CHECK_EQ(s.chunks, 3);
	CHECK_EQ(trace_live_set_count(&s), 13);
	trace_live_set_destroy(&s);
}

static void test_live_apply(void)
{
	struct trace_live l;
	struct sim_event ev;

	memset(&ev, 0, sizeof(ev));
	trace_live_init(&l);
	ev.op = SIM_OP_ALLOC;
	ev.id = 3;
	CHECK_EQ(trace_live_apply(&l, &ev), 0);
	CHECK_EQ(trace_live_apply(&l, &ev), -EEXIST);
	CHECK_STR_EQ(trace_live_what(&ev, -EEXIST), "reuse of a live object ID");
	/* Namespaces are separate: block 3 and PID 3 are new. */
	ev.op = SIM_OP_GET;
	CHECK_EQ(trace_live_apply(&l, &ev), 0);
	ev.op = SIM_OP_FORK;
	CHECK_EQ(trace_live_apply(&l, &ev), 0);
	ev.op = SIM_OP_EXIT;
	CHECK_EQ(trace_live_apply(&l, &ev), 0);
	CHECK_EQ(trace_live_apply(&l, &ev), -ENOENT);
	CHECK_STR_EQ(trace_live_what(&ev, -ENOENT), "exit of an unknown PID");
	/* Slot ops never fail. */
	ev.op = SIM_OP_READ;
	ev.id = 77;
	CHECK_EQ(trace_live_apply(&l, &ev), 0);
	ev.op = SIM_OP_DISCARD;
	CHECK_EQ(trace_live_apply(&l, &ev), 0);
	CHECK_EQ(trace_live_set_count(&l.objects), 1);
	CHECK_EQ(trace_live_set_count(&l.blocks), 1);
	CHECK_EQ(trace_live_set_count(&l.pids), 0);
	trace_live_destroy(&l);
}

int main(void)
{
	RUN(test_live_set_basic);
	RUN(test_live_set_vs_reference);
	RUN(test_live_set_shrinks);
	RUN(test_live_apply);
	return test_summary();
}
