/*
 * capture.h - convert the output of scripts/zram-capture.bt (a live
 * system's zsmalloc and zram activity) into zsfrag trace events.
 *
 * The capture line format ("zram-capture 1") is documented in
 * traces/FORMAT.md, "Capture format", and at the head of the script:
 *
 *	zram-capture 1
 *	TIME_NS TID OP FIELDS...
 *
 * with OP one of M (zs_malloc SIZE returned HANDLE), F (zs_free HANDLE),
 * W (a zram write of NPAGES pages from SLOT begins), E (that thread's write
 * returned RET), R (a zram read of NPAGES pages from SLOT), D
 * (zram_free_page of SLOT), C (zs_compact begins), K (zs_compact freed
 * PAGES).
 *
 * Two ways to read it:
 *  - CAPTURE_MODE_ALLOC: the allocator's view. M/F become a/f, each kernel
 *    handle mapped to a fresh trace ID (handles are reused by the kernel
 *    after a free; trace IDs are not), C becomes c.
 *  - CAPTURE_MODE_ZRAM: the block device's view. Inside a W..E bracket of
 *    one thread, each "D SLOT" marks a page stored (zram frees the slot's
 *    old content right before storing the new): "w SLOT SIZE" with the size
 *    of the last successful M since the previous D, or "z SLOT" when there
 *    was none (a same-filled page). R and D outside a write become r (one
 *    per page) and d; C becomes c.
 *
 * Lines are sorted by time first (bpftrace prints per-CPU buffers, which
 * interleave out of order). What cannot be mapped is counted, not fatal:
 * frees of handles allocated before the capture started, failed
 * allocations, lost events, writes still open at the end... A line that is
 * not in the format is an error "FILE:LINE: what (token)".
 */
#ifndef ZSFRAG_CAPTURE_H
#define ZSFRAG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CAPTURE_MAGIC	      "zram-capture"
#define CAPTURE_VERSION	      1
#define CAPTURE_LINE_MAX      4096  /* bytes per line */
#define CAPTURE_BIO_PAGES_MAX 65536 /* NPAGES of one W or R */

enum capture_mode {
	CAPTURE_MODE_ALLOC,
	CAPTURE_MODE_ZRAM,
};

#define CAPTURE_LABEL_MAX    127 /* bytes of a read point's label (a trace LABEL) */
#define CAPTURE_READING_MAX  12	 /* numbers of one reading (mm_stat has 9) */

/* What the conversion met and could not map; printed by the CLI. */
struct capture_stats {
	uint64_t lines;		 /* lines read, all kinds */
	uint64_t records;	 /* event lines */
	uint64_t events;	 /* trace events emitted */
	uint64_t lost;		 /* events the kit reported lost ("Lost N events", tracefs LOST) */
	uint64_t failed_allocs;	 /* M with handle 0 or an error value */
	uint64_t unknown_frees;	 /* F of a handle not allocated in the capture */
	uint64_t reused_handles; /* M of a handle still live (its F was lost) */
	uint64_t outside_writes; /* zram mode: M outside any write (recompression...) */
	uint64_t failed_writes;	 /* zram mode: E with RET != 0, or an M whose page was not stored */
	uint64_t unfinished_writes; /* zram mode: W without E (open at the end, or nested) */
	uint64_t stray_ends;	    /* zram mode: E without W */
	uint64_t ignored;	    /* records this mode does not use */
	uint64_t reordered;	    /* records that came out of time order */
	/* since the tracefs kit */
	uint64_t readings;	   /* read points (S: mm_stat put into the stream), each an s event */
	uint64_t unpaired;	   /* tracefs: a return probe's line without its entry's */
	uint64_t truncated;	   /* a last line without its newline (dropped by a repair) */
	uint64_t no_end;	   /* 1: the header announced an end line and none came */
	uint64_t compactions;	   /* C records */
	uint64_t interleaved;	   /* ... during which another thread's records came */
	uint64_t interleaved_records; /* those records */
	uint64_t steps;		      /* P records: compaction steps (capture.c) */
	uint64_t stepped;	      /* compactions replayed in steps (y events) */
	uint64_t zspages_freed;	      /* Z records (__free_zspage), in and out of compaction */
	uint64_t shrinker_calls;      /* H records (zs_shrinker_scan) */
	/* under-lock probes (tracefs kit with more than one CPU; traces/FORMAT.md) */
	uint64_t keyed_mallocs;	 /* M records ordered by their obj_malloc */
	uint64_t keyed_frees;	 /* F records ordered by their obj_free */
	uint64_t new_zspages;	 /* M records whose zs_malloc made its own zspage */
	uint64_t unkeyed;	 /* M or F without its under-lock record (probes on, none came) */
	uint64_t moved;		 /* records that the under-lock order put before an earlier one */
	uint64_t early_frees;	 /* zram: writes whose old object's free the trace puts before
				  * another thread's allocation or free (the kernel's came after) */
	uint64_t mid_write;	 /* zram: writes with a read point between their allocation,
				  * where their w goes, and their store (zram's counters then) */
};

/*
 * What would make the trace differ from what the kernel did, in the mode's view: lost
 * events, return lines without their entry, a cut last line, a missing end line, and (alloc
 * mode) frees of unknown handles and handles reused without a free. Without opts->repair a
 * capture with any of them is refused; with it they are counted (and the CLI writes the
 * counts into the trace's metadata).
 */
uint64_t capture_repairs(const struct capture_stats *st, enum capture_mode mode);

/* Called for every event, in order; a non-zero return stops the conversion with it. */
typedef int (*capture_emit_fn)(void *ctx, const struct sim_event *ev);

/* A read point: the numbers a "zsfrag mm_stat LABEL ..." marker carried. */
struct capture_reading {
	const char *label;
	uint64_t time_ns; /* relative to the first record, as the events */
	unsigned int n;	  /* numbers in v */
	uint64_t v[CAPTURE_READING_MAX];
};

/* Where zs_compact's effect goes in the trace: at its entry (C) or its return (K). */
enum capture_compact_at {
	CAPTURE_COMPACT_AT_ENTRY,
	CAPTURE_COMPACT_AT_RETURN,
};

struct capture_opts {
	enum capture_mode mode;
	size_t page_size;			/* 4096, 16384 or 65536 */
	bool repair;				/* see capture_repairs() */
	enum capture_compact_at compact_at;	/* default: entry */
	/* Optional: called once, after the whole capture was read and before the first
	 * event, with the final counts (so a writer can put them in its metadata); a
	 * non-zero return stops the conversion with it. */
	int (*begin)(void *ctx, const struct capture_stats *st);
	/* Optional: each read point, in order, before its s event. */
	void (*reading)(void *ctx, const struct capture_reading *r);
};

/*
 * Convert the capture in f (name for messages). Events go to emit with
 * has_time set, times relative to the first record. page_size bounds the
 * sizes (4096, 16384 or 65536). 0, or a negative errno with a message in
 * err: -EINVAL a malformed capture (or one that needs repairs without
 * opts->repair), -ENOMEM, -EIO, or emit's own return.
 */
int capture_convert_opts(FILE *f, const char *name, const struct capture_opts *opts,
			 capture_emit_fn emit, void *ctx, struct capture_stats *st, char *err,
			 size_t errlen);

/* capture_convert_opts() with repairs allowed (counted only) and compaction at entry. */
int capture_convert(FILE *f, const char *name, enum capture_mode mode, size_t page_size,
		    capture_emit_fn emit, void *ctx, struct capture_stats *st, char *err,
		    size_t errlen);

const char *capture_mode_name(enum capture_mode mode);
int capture_mode_parse(const char *s, enum capture_mode *mode);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_CAPTURE_H */
