/*
 * trace_map.c - uint64_t -> uint64_t open-addressing map (see trace_map.h).
 * Invariant, as in trace_live.c: for a key at slot i with home h, no slot of
 * the cyclic range [h, i) is empty; deletion shifts later run members back.
 */
#include "trace_map.h"

#include <errno.h>
#include <stdlib.h>

#define TRACE_MAP_MIN_CAP 64

static inline size_t map_home(uint64_t x, size_t mask)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x & mask;
}

void trace_map_init(struct trace_map *m)
{
	m->keys = NULL;
	m->vals = NULL;
	m->capacity = 0;
	m->count = 0;
}

void trace_map_destroy(struct trace_map *m)
{
	free(m->keys);
	free(m->vals);
	trace_map_init(m);
}

static size_t map_slot(const struct trace_map *m, uint64_t key)
{
	size_t mask = m->capacity - 1, i = map_home(key, mask);

	while (m->keys[i] != TRACE_MAP_EMPTY && m->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

static int map_grow(struct trace_map *m)
{
	size_t cap = m->capacity ? m->capacity * 2 : TRACE_MAP_MIN_CAP;
	struct trace_map n = {0};

	if (cap > SIZE_MAX / sizeof(uint64_t))
		return -ENOMEM;
	n.keys = malloc(cap * sizeof(uint64_t));
	n.vals = malloc(cap * sizeof(uint64_t));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	n.capacity = cap;
	for (size_t i = 0; i < cap; i++)
		n.keys[i] = TRACE_MAP_EMPTY;
	for (size_t i = 0; i < m->capacity; i++) {
		if (m->keys[i] != TRACE_MAP_EMPTY) {
			size_t j = map_slot(&n, m->keys[i]);

			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
		}
	}
	n.count = m->count;
	free(m->keys);
	free(m->vals);
	*m = n;
	return 0;
}

int trace_map_put(struct trace_map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if (key == TRACE_MAP_EMPTY)
		return -EINVAL;
	if ((m->count + 1) * 2 > m->capacity && map_grow(m))
		return -ENOMEM;
	i = map_slot(m, key);
	if (m->keys[i] != key)
		m->count++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

bool trace_map_get(const struct trace_map *m, uint64_t key, uint64_t *val)
{
	size_t i;

	if (!m->count || key == TRACE_MAP_EMPTY)
		return false;
	i = map_slot(m, key);
	if (m->keys[i] != key)
		return false;
	if (val)
		*val = m->vals[i];
	return true;
}

bool trace_map_del(struct trace_map *m, uint64_t key, uint64_t *val)
{
	size_t mask, hole, j;

	if (!m->count || key == TRACE_MAP_EMPTY)
		return false;
	hole = map_slot(m, key);
	if (m->keys[hole] != key)
		return false;
	if (val)
		*val = m->vals[hole];
	mask = m->capacity - 1;
	for (j = (hole + 1) & mask; m->keys[j] != TRACE_MAP_EMPTY; j = (j + 1) & mask) {
		size_t home = map_home(m->keys[j], mask);

		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->keys[hole] = m->keys[j];
			m->vals[hole] = m->vals[j];
			hole = j;
		}
	}
	m->keys[hole] = TRACE_MAP_EMPTY;
	m->count--;
	return true;
}

bool trace_map_next(const struct trace_map *m, size_t *pos, uint64_t *key, uint64_t *val)
{
	while (*pos < m->capacity) {
		size_t i = (*pos)++;

		if (m->keys[i] != TRACE_MAP_EMPTY) {
			*key = m->keys[i];
			*val = m->vals[i];
			return true;
		}
	}
	return false;
}
