/*
 * trace_live.h - which IDs a trace has made live and not yet released.
 *
 * A trace names objects (a/f), blocks of other memory users (g/p) and
 * processes (k/x) by 63-bit integers it chooses. A reader must refuse a free
 * of an ID that is not live and a reuse of an ID that is, before the replay
 * engine sees the event, so every trace reader (text now, binary later) runs
 * its events through struct trace_live.
 *
 * Each namespace is a struct trace_live_set: an open-addressing hash set of
 * 64-ID chunks (the chunk number key / 64, and a 64-bit map of which of its
 * IDs are live) with linear probing and backward-shift deletion (no
 * tombstones, so a long trace of allocs and frees never clogs the table). The
 * table doubles when more than half full and halves when less than an eighth
 * full, so memory stays proportional to the number of chunks holding live
 * IDs, not to the largest ID or the length of the trace. Traces number their
 * IDs mostly in sequence, so a live ID costs about half a byte (10 M live
 * IDs: 8 MiB, where a set of plain keys took 256 MiB); IDs at least 64 apart
 * cost 32 bytes each, twice a plain set's.
 *
 * Keys are anything but TRACE_LIVE_EMPTY (UINT64_MAX, kept out so that the
 * API stays the same whatever the layout); trace IDs are < 2^63.
 */
#ifndef ZSFRAG_TRACE_LIVE_H
#define ZSFRAG_TRACE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_LIVE_EMPTY UINT64_MAX /* never a valid key; also marks a free slot */

/* 64 consecutive IDs: chunk = key / 64, bit key % 64 of map set when live. */
struct trace_live_chunk {
	uint64_t chunk; /* TRACE_LIVE_EMPTY where the slot is free */
	uint64_t map;	/* never 0 in a used slot */
};

/* One namespace. Plain struct so it can be embedded; treat fields as private. */
struct trace_live_set {
	struct trace_live_chunk *slots; /* capacity entries; NULL when empty */
	size_t capacity;		/* entries, a power of two or 0 */
	size_t chunks;			/* used slots */
	size_t count;			/* keys present */
};

void trace_live_set_init(struct trace_live_set *s);
void trace_live_set_destroy(struct trace_live_set *s);
/* 0 when added, -EEXIST when already present, -ENOMEM, -EINVAL for TRACE_LIVE_EMPTY. */
int trace_live_set_add(struct trace_live_set *s, uint64_t key);
/* 0 when removed, -ENOENT when absent. */
int trace_live_set_remove(struct trace_live_set *s, uint64_t key);
bool trace_live_set_contains(const struct trace_live_set *s, uint64_t key);
/* Hint the CPU to fetch key's home slot (readers that decode ahead call it). */
void trace_live_set_prefetch(const struct trace_live_set *s, uint64_t key);
static inline size_t trace_live_set_count(const struct trace_live_set *s)
{
	return s->count;
}

/* The three namespaces a trace uses. */
struct trace_live {
	struct trace_live_set objects; /* a/f: zs_malloc object IDs */
	struct trace_live_set blocks;  /* g/p: other memory users' block IDs */
	struct trace_live_set pids;    /* k/x: process IDs */
};

void trace_live_init(struct trace_live *l);
void trace_live_destroy(struct trace_live *l);

/*
 * Account for one event: a, g, k make their ID live, f, p, x release it;
 * other ops are accepted unchanged (zram slots need no liveness: overwriting
 * a written slot, and reading or discarding an unwritten one, are legal).
 * Returns 0, -ENOENT (release of an ID that is not live), -EEXIST (reuse of
 * a live ID) or -ENOMEM. On error the sets are unchanged.
 */
int trace_live_apply(struct trace_live *l, const struct sim_event *ev);

/*
 * What went wrong, for an error message: "free of an unknown object ID",
 * "reuse of a live block ID" and so on, given the event and the negative
 * return of trace_live_apply(). Every reader uses these words so the text
 * and binary formats report the same fault the same way.
 */
const char *trace_live_what(const struct sim_event *ev, int rc);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_TRACE_LIVE_H */
