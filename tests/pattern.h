/*
 * pattern.h - the payload pattern the allocator tests write into objects:
 * a splitmix64 stream seeded by the object's id, so that an object moved,
 * half-copied or swapped with another shows on the next check.
 */
#ifndef ZSFRAG_TESTS_PATTERN_H
#define ZSFRAG_TESTS_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void pattern_fill(uint8_t *p, size_t n, uint64_t id)
{
	uint64_t s = id * 0x2545f4914f6cdd1dULL + 1;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = splitmix64(&s);

		memcpy(p + i, &w, n - i < 8 ? n - i : 8);
	}
}

static inline bool pattern_ok(const uint8_t *p, size_t n, uint64_t id)
{
	uint64_t s = id * 0x2545f4914f6cdd1dULL + 1;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = splitmix64(&s);

		if (memcmp(p + i, &w, n - i < 8 ? n - i : 8) != 0)
			return false;
	}
	return true;
}

#endif /* ZSFRAG_TESTS_PATTERN_H */
