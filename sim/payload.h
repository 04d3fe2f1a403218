/*
 * payload.h - the bytes written into every object, so that a move that
 * loses or garbles data is caught (`v` events, reads, and --check-every).
 *
 * An object of n bytes with seed s holds s's 8 bytes first (fewer if n < 8)
 * and then the byte payload_fill(s) repeated: cheap to write at replay speed,
 * and any object landing in another's slot or half-copied shows.
 */
#ifndef ZSFRAG_SIM_PAYLOAD_H
#define ZSFRAG_SIM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline uint8_t payload_fill(uint64_t seed)
{
	return (uint8_t)((seed * 0x9e3779b97f4a7c15ULL) >> 56) | 1;
}

static inline void payload_write(uint8_t *p, size_t n, uint64_t seed)
{
	size_t head = n < 8 ? n : 8;

	memcpy(p, &seed, head);
	if (n > 8)
		memset(p + 8, payload_fill(seed), n - 8);
}

static inline bool payload_check(const uint8_t *p, size_t n, uint64_t seed)
{
	size_t head = n < 8 ? n : 8;
	uint8_t b = payload_fill(seed);

	uint64_t word = 0x0101010101010101ULL * b, acc = 0, w;
	size_t i = 8;

	if (memcmp(p, &seed, head) != 0)
		return false;
	/* word at a time, no early exit: the loop vectorises */
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w ^ word;
	}
	for (; i < n; i++)
		acc |= (uint64_t)(p[i] ^ b);
	return acc == 0;
}

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_PAYLOAD_H */
