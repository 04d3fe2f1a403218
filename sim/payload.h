/*
 * payload.h - the bytes written into every object, so that a move that
 * loses or garbles data is caught (`v` events, reads, and --check-every).
 *
 * An object of n bytes with seed s holds s's 8 bytes first (fewer if n < 8)
 * and then the byte payload_fill(s) repeated: cheap to write at replay speed,
 * and any object landing in another's slot or half-copied shows. The seed's
 * bytes are in host order (as memcpy() of the uint64_t puts them).
 */
#ifndef ZSFRAG_SIM_PAYLOAD_H
#define ZSFRAG_SIM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "zsmalloc.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline uint8_t payload_fill(uint64_t seed)
{
	return (uint8_t)((seed * 0x9e3779b97f4a7c15ULL) >> 56) | 1;
}

/*
 * Fill [p, p + n) with b. The whole cache lines inside it are written with
 * streaming (non-temporal) stores where the target has them: a replay
 * writes each object into memory it has not touched for a long while, and
 * an ordinary store first reads the line it fills (a read for ownership)
 * only to overwrite all of it, and leaves it in the cache. The partial lines
 * at either end get ordinary stores (a streaming store to part of a line
 * costs more than the read it saves). The bytes are the same either way; a
 * single-threaded writer's own later reads see them without a fence.
 */
#define PAYLOAD_STREAM_MIN 256 /* bytes: below, memset() */

static inline void payload_fill_bytes(uint8_t *p, uint8_t b, size_t n)
{
#ifdef __SSE2__
	if (n >= PAYLOAD_STREAM_MIN) {
		uint8_t *end = p + n;
		uint8_t *a = (uint8_t *)(((uintptr_t)p + 63) & ~(uintptr_t)63);
		__m128i v = _mm_set1_epi8((char)b);

		memset(p, b, (size_t)(a - p));
		for (; a + 64 <= end; a += 64) {
			_mm_stream_si128((__m128i *)a, v);
			_mm_stream_si128((__m128i *)(a + 16), v);
			_mm_stream_si128((__m128i *)(a + 32), v);
			_mm_stream_si128((__m128i *)(a + 48), v);
		}
		memset(a, b, (size_t)(end - a));
		return;
	}
#endif
	memset(p, b, n);
}

/* Bytes [pos, pos + n) of seed's payload, at p (part of an object across two pages). */
static inline void payload_write_at(uint8_t *p, size_t n, uint64_t seed, size_t pos)
{
	const uint8_t *s = (const uint8_t *)&seed;
	size_t i = 0;

	for (; i < n && pos + i < 8; i++)
		p[i] = s[pos + i];
	if (n > i)
		payload_fill_bytes(p + i, payload_fill(seed), n - i);
}

/*
 * Write the first n payload bytes of the object handle names, in place
 * (zs_object_spans(): an object across two pages is not written into the
 * mapping area and copied from there, as zs_map_object() and
 * zs_unmap_object() would do, so the streaming stores reach both of its
 * pages). The object's bytes end as a WO mapping would leave them.
 * Returns false for a handle naming no object.
 */
static inline bool payload_write_object(const struct zs_pool *pool, unsigned long handle,
					size_t n, uint64_t seed)
{
	struct zs_span sp[2];
	unsigned int k = zs_object_spans(pool, handle, sp);
	size_t first;

	if (k == 0)
		return false;
	first = n < sp[0].n ? n : sp[0].n;
	if (n > first && (k < 2 || n - first > sp[1].n))
		return false;
	payload_write_at(sp[0].p, first, seed, 0);
	if (n > first)
		payload_write_at(sp[1].p, n - first, seed, first);
	return true;
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
