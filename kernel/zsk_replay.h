/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zsk_replay.h - what the replay module's two files share: the object table,
 * the replay's state and timing (zsk_replay.c: the module, its /proc files and
 * the tables' lifetime; zsk_ops.c: the trace's lines and ops).
 */
#ifndef ZSK_REPLAY_H
#define ZSK_REPLAY_H

#include <linux/mutex.h>
#include <linux/types.h>

#include "zsk_layout.h"

#define ZSK_LINE_MAX 1024    /* bytes kept of one line; longer event lines are errors */
#define ZSK_CHUNK 65536      /* bytes copied from user space at a time */
#define ZSK_ERRORS_SHOWN 20  /* error lines printed before going quiet */
#define ZSK_HIST_BUCKETS 64  /* log2 ns buckets */

/* zram's first and second zs_malloc attempts (zram_write_page, 6.1 and 6.12). */
#define ZSK_GFP_FIRST (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE)
#define ZSK_GFP_RETRY (GFP_NOIO | __GFP_HIGHMEM | __GFP_MOVABLE)

/*
 * One entry of the object table: an "a" object, or the content of a zram
 * slot. An entry is live when its key is not 0; a live slot whose handle
 * is 0 holds a same-filled page.
 */
struct zsk_obj {
	unsigned long handle; /* zsmalloc handle; 0 for a same-filled slot */
	u64 key;              /* seeds the payload pattern; 0 = entry not live */
	u32 size;             /* bytes given to zs_malloc */
	u32 comp_len;         /* bytes: the trace's size (w: before the huge cut-off) */
};

struct zsk_timing {
	u64 count;
	u64 total_ns;
	u64 min_ns;
	u64 max_ns;
	u64 hist[ZSK_HIST_BUCKETS]; /* calls with ns in [2^k, 2^(k+1)) (bucket 0: 0..1) */
};

struct zsk_state {
	struct mutex lock;        /* one writer at a time */
	struct zs_pool *pool;
	const struct zsk_layout *layout; /* NULL: per-class table unavailable */
	struct zsk_obj *objs;     /* "a" objects by ID, nr_ids entries */
	struct zsk_obj *slots;    /* zram slots by SLOT, nr_slots entries */
	size_t huge_class_size;   /* bytes: zs_huge_class_size() */

	char line[ZSK_LINE_MAX + 1];
	size_t line_len;          /* bytes in line[] */
	bool line_overlong;       /* the current line exceeded ZSK_LINE_MAX */
	char *chunk;              /* ZSK_CHUNK bytes copied from user space */

	bool header_seen;         /* "zsfrag-trace 1" read */
	bool broken;              /* a fatal trace error: ignore the rest */
	u64 lineno;               /* lines received, 1-based of the current one */
	u64 events;               /* event lines seen, the current one included (zsfrag's event_index) */
	u64 snapshots;
	u64 errors;
	u64 ignored;              /* g p k x events */
	u64 read_mismatches;      /* failed r checks */
	u64 write_seq;            /* keys for zram payloads */
	u64 manual_compacted;     /* pages: sum of zs_compact() results */

	u64 live;                 /* "a" objects and non-same slots live */
	u64 same_pages;           /* slots holding a same-filled page */
	u64 huge_pages;           /* slots stored as PAGE_SIZE */
	u64 compr_bytes;          /* bytes: sum of slot object sizes (zram compr_data_size) */
	u64 nr_slots;             /* slots in use, same-filled included */
	u64 huge_since;           /* huge writes ever (zram huge_pages_since) */
	unsigned long used_max;   /* pages: pool peak seen after zram writes (zram mem_used_max) */

	struct zsk_timing t_malloc;
	struct zsk_timing t_free;
};

/* Module parameters (zsk_replay.c): entries of the object and slot tables. */
extern unsigned long nr_ids;
extern unsigned long nr_slots;

/* zsk_ops.c */
void zsk_feed(struct zsk_state *st, const char *buf, size_t len);
void zsk_line(struct zsk_state *st, char *line);
void zsk_free(struct zsk_state *st, struct zsk_obj *o);
void zsk_op_snapshot(struct zsk_state *st, const char *label);
void zsk_time_print(const char *op, const struct zsk_timing *t);

#endif /* ZSK_REPLAY_H */
