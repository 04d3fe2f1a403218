/*
 * idmap.h - a map from 64-bit IDs (trace object IDs, block IDs, PIDs) to two
 * 64-bit values, for the replay engine's tables.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones), so a long replay with constant churn does not degrade.
 */
#ifndef ZSFRAG_SIM_IDMAP_H
#define ZSFRAG_SIM_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct idmap_entry {
	uint64_t key;
	uint64_t a; /* caller's first value (a handle, a pfn) */
	uint64_t b; /* caller's second value (size and seed, an order) */
};

struct idmap {
	struct idmap_entry *slots;
	uint8_t *used; /* one flag per slot */
	size_t cap;    /* power of two */
	size_t count;
};

int idmap_init(struct idmap *m, size_t expected);
void idmap_destroy(struct idmap *m);
/* The entry for key, or NULL. */
struct idmap_entry *idmap_find(const struct idmap *m, uint64_t key);
/* Insert a new key; -EEXIST if present, -ENOMEM. *out points at the new entry. */
int idmap_insert(struct idmap *m, uint64_t key, struct idmap_entry **out);
/* Remove key; -ENOENT if absent. */
int idmap_remove(struct idmap *m, uint64_t key);
/* Visit every entry (order: table order, deterministic for a given history). */
#define idmap_for_each(m, e)                                                                       \
	for (size_t idmap_i_ = 0; idmap_i_ < (m)->cap; idmap_i_++)                                 \
		if (((e) = &(m)->slots[idmap_i_]), (m)->used[idmap_i_])

/*
 * The IDs of failed allocations, in a fixed 1 MiB: a Bloom filter (two bits
 * per ID in 2^23), allocated at the first add. The trace still calls such an
 * ID live until its release, but nothing of it exists in the machine, so the
 * engine forgets it (a trace of 10 M failing `a` events kept 10 M entries,
 * 894 MB) and only needs to accept its release later: idfilter_maybe() is
 * never false for an ID added, and rarely true for one that was not (about
 * 1 in 10^7 after 1000 failures; it tends to "true" after millions).
 */
struct idfilter {
	uint64_t *bits; /* NULL until the first add */
};

#define IDFILTER_BITS (1u << 23)

/* 0 or -ENOMEM. */
int idfilter_add(struct idfilter *f, uint64_t key);
bool idfilter_maybe(const struct idfilter *f, uint64_t key);
void idfilter_destroy(struct idfilter *f);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_IDMAP_H */
