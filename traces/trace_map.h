/*
 * trace_map.h - a uint64_t -> uint64_t hash map for the trace tools
 * (kernel handle -> trace ID in the capture converter, page address -> page
 * record in the memory snapshots).
 *
 * Open addressing, linear probing, backward-shift deletion (no tombstones),
 * doubling past half full: the same scheme as trace_live.c, with values.
 * Keys are anything but TRACE_MAP_EMPTY.
 */
#ifndef ZSFRAG_TRACE_MAP_H
#define ZSFRAG_TRACE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_MAP_EMPTY UINT64_MAX

struct trace_map {
	uint64_t *keys; /* capacity entries, TRACE_MAP_EMPTY where free */
	uint64_t *vals;
	size_t capacity; /* a power of two or 0 */
	size_t count;
};

void trace_map_init(struct trace_map *m);
void trace_map_destroy(struct trace_map *m);
/* Insert or replace. 0, -ENOMEM, -EINVAL for TRACE_MAP_EMPTY. */
int trace_map_put(struct trace_map *m, uint64_t key, uint64_t val);
/* true and *val when present (val may be NULL). */
bool trace_map_get(const struct trace_map *m, uint64_t key, uint64_t *val);
/* true and *val when it was present and is now removed. */
bool trace_map_del(struct trace_map *m, uint64_t key, uint64_t *val);
/* Iterate: start with *pos = 0; true and the entry while entries remain. */
bool trace_map_next(const struct trace_map *m, size_t *pos, uint64_t *key, uint64_t *val);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_TRACE_MAP_H */
