/*
 * trace_live.c - ID liveness for trace readers: three hash sets of uint64_t,
 * each stored as 64-ID chunks.
 *
 * Layout: slots[capacity], capacity a power of two (minimum
 * TRACE_LIVE_MIN_CAP once anything was added), free slots have chunk ==
 * TRACE_LIVE_EMPTY. A chunk lives at its home slot hash(chunk) & mask or in
 * the first free-or-later slot after it (linear probing); a used slot's map
 * is never 0 (the chunk leaves the table with its last live ID).
 *
 * Invariant kept by deletion: for every chunk at slot i with home slot h, no
 * slot in the cyclic range [h, i) is empty. Removal therefore shifts later
 * members of the probe run back into the hole (Knuth's algorithm R) instead
 * of leaving a tombstone, so lookups stay short however many IDs a trace has
 * freed.
 *
 * Sizing: grow (x2) before the chunks pass 1/2 of the slots, shrink (/2) when
 * they fall under 1/8, never below TRACE_LIVE_MIN_CAP; an emptied set frees
 * its table. The gap between the two thresholds keeps an alloc/free pair at
 * the boundary from resizing on every event.
 */
#include "trace_live.h"

#include <errno.h>
#include <stdlib.h>

#define TRACE_LIVE_MIN_CAP 64 /* entries */

static inline uint64_t live_chunk(uint64_t key)
{
	return key >> 6;
}

static inline uint64_t live_bit(uint64_t key)
{
	return 1ULL << (key & 63);
}

/* splitmix64's finalizer: chunk numbers are sequential, so mix all bits. */
static inline uint64_t live_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void trace_live_set_init(struct trace_live_set *s)
{
	s->slots = NULL;
	s->capacity = 0;
	s->chunks = 0;
	s->count = 0;
}

void trace_live_set_destroy(struct trace_live_set *s)
{
	free(s->slots);
	trace_live_set_init(s);
}

/* Place a chunk known to be absent; the table has a free slot. */
static void live_place(struct trace_live_chunk *slots, size_t mask, struct trace_live_chunk c)
{
	size_t i = (size_t)live_hash(c.chunk) & mask;

	while (slots[i].chunk != TRACE_LIVE_EMPTY)
		i = (i + 1) & mask;
	slots[i] = c;
}

static int live_resize(struct trace_live_set *s, size_t new_cap)
{
	struct trace_live_chunk *slots = NULL;
	size_t i;

	if (new_cap) {
		if (new_cap > SIZE_MAX / sizeof(*slots))
			return -ENOMEM;
		slots = malloc(new_cap * sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (i = 0; i < new_cap; i++)
			slots[i] = (struct trace_live_chunk){TRACE_LIVE_EMPTY, 0};
		for (i = 0; i < s->capacity; i++)
			if (s->slots[i].chunk != TRACE_LIVE_EMPTY)
				live_place(slots, new_cap - 1, s->slots[i]);
	}
	free(s->slots);
	s->slots = slots;
	s->capacity = new_cap;
	return 0;
}

/* Slot index of chunk, or capacity when absent. */
static size_t live_find(const struct trace_live_set *s, uint64_t chunk)
{
	size_t mask, i;

	if (!s->chunks)
		return s->capacity;
	mask = s->capacity - 1;
	i = (size_t)live_hash(chunk) & mask;
	for (;;) {
		uint64_t c = s->slots[i].chunk;

		if (c == chunk)
			return i;
		if (c == TRACE_LIVE_EMPTY)
			return s->capacity;
		i = (i + 1) & mask;
	}
}

bool trace_live_set_contains(const struct trace_live_set *s, uint64_t key)
{
	size_t i;

	if (key == TRACE_LIVE_EMPTY)
		return false;
	i = live_find(s, live_chunk(key));
	return i != s->capacity && (s->slots[i].map & live_bit(key));
}

void trace_live_set_prefetch(const struct trace_live_set *s, uint64_t key)
{
	if (s->capacity)
		__builtin_prefetch(
		    &s->slots[(size_t)live_hash(live_chunk(key)) & (s->capacity - 1)]);
}

int trace_live_set_add(struct trace_live_set *s, uint64_t key)
{
	uint64_t chunk = live_chunk(key), bit = live_bit(key);
	size_t mask, i;
	int rc;

	if (key == TRACE_LIVE_EMPTY)
		return -EINVAL;
	i = live_find(s, chunk);
	if (i != s->capacity) {
		if (s->slots[i].map & bit)
			return -EEXIST;
		s->slots[i].map |= bit;
		s->count++;
		return 0;
	}
	if ((s->chunks + 1) * 2 > s->capacity) {
		rc = live_resize(s, s->capacity ? s->capacity * 2 : TRACE_LIVE_MIN_CAP);
		if (rc)
			return rc;
	}
	mask = s->capacity - 1;
	live_place(s->slots, mask, (struct trace_live_chunk){chunk, bit});
	s->chunks++;
	s->count++;
	return 0;
}

/* Take the chunk at slot hole out of the table. */
static void live_delete_slot(struct trace_live_set *s, size_t hole)
{
	size_t mask = s->capacity - 1, j = hole;

	/*
	 * Backward shift: walk the rest of the probe run; a chunk whose home is
	 * not cyclically inside (hole, j] may move into the hole without
	 * breaking the invariant, and its old slot becomes the new hole.
	 */
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (s->slots[j].chunk == TRACE_LIVE_EMPTY)
			break;
		home = (size_t)live_hash(s->slots[j].chunk) & mask;
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			s->slots[hole] = s->slots[j];
			hole = j;
		}
	}
	s->slots[hole] = (struct trace_live_chunk){TRACE_LIVE_EMPTY, 0};
	s->chunks--;
}

int trace_live_set_remove(struct trace_live_set *s, uint64_t key)
{
	uint64_t bit = live_bit(key);
	size_t i;

	if (key == TRACE_LIVE_EMPTY)
		return -ENOENT;
	i = live_find(s, live_chunk(key));
	if (i == s->capacity || !(s->slots[i].map & bit))
		return -ENOENT;
	s->slots[i].map &= ~bit;
	s->count--;
	if (s->slots[i].map)
		return 0;
	live_delete_slot(s, i);
	if (!s->chunks)
		return live_resize(s, 0);
	/* A failed shrink leaves a valid, merely roomy table: not an error. */
	if (s->capacity > TRACE_LIVE_MIN_CAP && s->chunks * 8 < s->capacity)
		(void)live_resize(s, s->capacity / 2);
	return 0;
}

void trace_live_init(struct trace_live *l)
{
	trace_live_set_init(&l->objects);
	trace_live_set_init(&l->blocks);
	trace_live_set_init(&l->pids);
}

void trace_live_destroy(struct trace_live *l)
{
	trace_live_set_destroy(&l->objects);
	trace_live_set_destroy(&l->blocks);
	trace_live_set_destroy(&l->pids);
}

int trace_live_apply(struct trace_live *l, const struct sim_event *ev)
{
	switch (ev->op) {
	case SIM_OP_ALLOC:
		return trace_live_set_add(&l->objects, ev->id);
	case SIM_OP_FREE:
		return trace_live_set_remove(&l->objects, ev->id);
	case SIM_OP_GET:
		return trace_live_set_add(&l->blocks, ev->id);
	case SIM_OP_PUT:
		return trace_live_set_remove(&l->blocks, ev->id);
	case SIM_OP_FORK:
		return trace_live_set_add(&l->pids, ev->id);
	case SIM_OP_EXIT:
		return trace_live_set_remove(&l->pids, ev->id);
	default:
		return 0;
	}
}

const char *trace_live_what(const struct sim_event *ev, int rc)
{
	if (rc == -ENOMEM)
		return "out of memory tracking live IDs";
	switch (ev->op) {
	case SIM_OP_ALLOC:
	case SIM_OP_FREE:
		return rc == -EEXIST ? "reuse of a live object ID" : "free of an unknown object ID";
	case SIM_OP_GET:
	case SIM_OP_PUT:
		return rc == -EEXIST ? "reuse of a live block ID" : "put of an unknown block ID";
	case SIM_OP_FORK:
	case SIM_OP_EXIT:
		return rc == -EEXIST ? "fork of a live PID" : "exit of an unknown PID";
	default:
		return "liveness error";
	}
}
