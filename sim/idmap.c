/*
 * idmap.c - see idmap.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "idmap.h"

static size_t hash64(uint64_t k)
{
	/* splitmix64 finaliser: IDs from traces are often sequential */
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return (size_t)k;
}

int idmap_init(struct idmap *m, size_t expected)
{
	size_t cap = 64;

	while (cap < expected * 2)
		cap *= 2;
	m->slots = malloc(cap * sizeof(*m->slots));
	m->used = calloc(cap, 1);
	m->cap = cap;
	m->count = 0;
	if (!m->slots || !m->used) {
		idmap_destroy(m);
		return -ENOMEM;
	}
	return 0;
}

void idmap_destroy(struct idmap *m)
{
	free(m->slots);
	free(m->used);
	m->slots = NULL;
	m->used = NULL;
	m->cap = m->count = 0;
}

struct idmap_entry *idmap_find(const struct idmap *m, uint64_t key)
{
	size_t mask = m->cap - 1;

	for (size_t i = hash64(key) & mask;; i = (i + 1) & mask) {
		if (!m->used[i])
			return NULL;
		if (m->slots[i].key == key)
			return &m->slots[i];
	}
}

static int grow(struct idmap *m)
{
	struct idmap old = *m;
	int err = idmap_init(m, old.cap);

	if (err) {
		*m = old;
		return err;
	}
	for (size_t i = 0; i < old.cap; i++) {
		struct idmap_entry *e;

		if (!old.used[i])
			continue;
		idmap_insert(m, old.slots[i].key, &e);
		*e = old.slots[i];
	}
	idmap_destroy(&old);
	return 0;
}

int idmap_insert(struct idmap *m, uint64_t key, struct idmap_entry **out)
{
	size_t mask, i;

	if ((m->count + 1) * 4 > m->cap * 3) {
		int err = grow(m);

		if (err)
			return err;
	}
	mask = m->cap - 1;
	for (i = hash64(key) & mask; m->used[i]; i = (i + 1) & mask)
		if (m->slots[i].key == key)
			return -EEXIST;
	m->used[i] = 1;
	m->slots[i].key = key;
	m->slots[i].a = m->slots[i].b = 0;
	m->count++;
	*out = &m->slots[i];
	return 0;
}

int idmap_remove(struct idmap *m, uint64_t key)
{
	size_t mask = m->cap - 1, i, j;

	for (i = hash64(key) & mask;; i = (i + 1) & mask) {
		if (!m->used[i])
			return -ENOENT;
		if (m->slots[i].key == key)
			break;
	}
	/* backward-shift: pull later members of the cluster into the hole */
	for (j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
		size_t home = hash64(m->slots[j].key) & mask;

		/* can slot j move to hole i? only if its home is not in (i, j] cyclically */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->used[i] = 0;
	m->count--;
	return 0;
}

/* Two bit indices from one 64-bit hash: its low and high 23-bit fields. */
static void idfilter_bits(uint64_t key, uint32_t *i, uint32_t *j)
{
	uint64_t h = (uint64_t)hash64(key ^ 0x9e3779b97f4a7c15ULL);

	*i = (uint32_t)(h & (IDFILTER_BITS - 1));
	*j = (uint32_t)((h >> 32) & (IDFILTER_BITS - 1));
}

int idfilter_add(struct idfilter *f, uint64_t key)
{
	uint32_t i, j;

	if (!f->bits) {
		f->bits = calloc(IDFILTER_BITS / 64, sizeof(*f->bits));
		if (!f->bits)
			return -ENOMEM;
	}
	idfilter_bits(key, &i, &j);
	f->bits[i / 64] |= 1ULL << (i % 64);
	f->bits[j / 64] |= 1ULL << (j % 64);
	return 0;
}

bool idfilter_maybe(const struct idfilter *f, uint64_t key)
{
	uint32_t i, j;

	if (!f->bits)
		return false;
	idfilter_bits(key, &i, &j);
	return (f->bits[i / 64] >> (i % 64) & 1) && (f->bits[j / 64] >> (j % 64) & 1);
}

void idfilter_destroy(struct idfilter *f)
{
	free(f->bits);
	f->bits = NULL;
}
