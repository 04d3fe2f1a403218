/*
 * procmem.h - traces from real memory: the anonymous pages of a live
 * process (/proc/PID/maps, pagemap, mem) or of an ELF core dump, compressed
 * page by page with a real compressor, as the zram writes a swap device
 * would see.
 *
 * A snapshot is the list of a process's anonymous pages (address, content
 * hash, compressed size or same-filled). A tracker turns successive
 * snapshots into events: the first snapshot writes every page ("w SLOT
 * SIZE", or "z SLOT" for a same-filled page); later ones write pages that
 * appeared, overwrite (same slot) pages whose content changed, and discard
 * ("d SLOT") pages that disappeared, then mark the snapshot ("s LABEL").
 * Slots are given out lowest-free-first, as a swap device reuses freed slots.
 *
 * Compressors: lz4 (liblz4, LZ4_compress_default, what zram's lz4 does),
 * zstd (libzstd, level 3, zram's default level), lzo (liblzo2, lzo1x_1).
 * The kernel's default zram compressor is lzo-rle, an LZO variant with a
 * run-length extension that exists only inside the kernel: no userspace
 * library implements it, so "lzo" (plain lzo1x_1) is the nearest stand-in
 * and sizes of pages with long runs come out somewhat larger than lzo-rle's.
 * Sizes above the page size (incompressible data) are capped at the page
 * size: zram stores such pages whole.
 *
 * Same-filled: every 8-byte word of the page equal (zram's page_same_filled
 * on a 64-bit kernel), including all-zero pages.
 */
#ifndef ZSFRAG_PROCMEM_H
#define ZSFRAG_PROCMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "trace_map.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mem_compressor {
	MEM_COMP_LZ4,
	MEM_COMP_ZSTD,
	MEM_COMP_LZO,
};

struct mem_compress;

int mem_compress_new(enum mem_compressor comp, size_t page_size, struct mem_compress **c);
void mem_compress_free(struct mem_compress *c);
/* Compressed size of one page (capped at page_size), 0 when same-filled. -EIO on a codec fault. */
int mem_compress_page(struct mem_compress *c, const void *page, uint32_t *size);
const char *mem_compressor_name(enum mem_compressor comp);
int mem_compressor_parse(const char *s, enum mem_compressor *comp);

struct mem_page {
	uint64_t addr; /* virtual address */
	uint64_t hash; /* of the content, to see changes between snapshots */
	uint32_t size; /* compressed bytes, 0 = same-filled */
};

struct mem_snapshot {
	struct mem_page *pages; /* ascending addresses */
	size_t n, cap;
	uint64_t regions;    /* mappings looked at */
	uint64_t unreadable; /* pages that could not be read, skipped */
	bool pagemap; /* /proc/PID/pagemap was readable: only resident or swapped anon pages */
};

/* Only pages in [lo, hi) are taken; { 0, UINT64_MAX } takes all. */
struct mem_range {
	uint64_t lo, hi;
};

void mem_snapshot_init(struct mem_snapshot *s);
void mem_snapshot_free(struct mem_snapshot *s);

/*
 * Snapshot process pid (root, or ptrace rights over it, needed). With a
 * readable pagemap only anonymous pages that are resident or swapped are
 * taken (file pages, never-touched pages and mappings of the shared zero
 * page are not swap material), and only those are read, so looking does
 * not fault new pages into the process;
 * without, every page of every private anonymous mapping. 0, or a negative
 * errno with a message: -ENOENT no such process, -EACCES / -EPERM not
 * allowed.
 */
int mem_snapshot_process(pid_t pid, struct mem_compress *c, size_t page_size,
			 const struct mem_range *range, struct mem_snapshot *s, char *err,
			 size_t errlen);

/*
 * Snapshot an ELF64 little-endian core dump: the PT_LOAD segments' dumped
 * bytes, minus the file-backed ranges its NT_FILE note lists. -EINVAL with
 * a message "FILE: offset N: what" for a malformed core.
 */
int mem_snapshot_core(const char *path, struct mem_compress *c, size_t page_size,
		      const struct mem_range *range, struct mem_snapshot *s, char *err,
		      size_t errlen);

/* Snapshots -> events (see the head of this file). */
struct mem_tracker {
	struct trace_map pages;	 /* addr -> slot << 1 | seen-in-this-snapshot */
	struct trace_map hashes; /* addr -> content hash */
	uint64_t *free_slots;	 /* a min-heap of released slots */
	size_t nfree, free_cap;
	uint64_t next_slot; /* slots below it were given out at some point */
	uint64_t snapshots;
	uint64_t writes, overwrites, same, discards; /* events emitted, by kind */
};

typedef int (*mem_emit_fn)(void *ctx, const struct sim_event *ev);

void mem_tracker_init(struct mem_tracker *t);
void mem_tracker_free(struct mem_tracker *t);
/* Emit the events that take the swap device from the last snapshot to s, at time_ns. */
int mem_tracker_apply(struct mem_tracker *t, const struct mem_snapshot *s, uint64_t time_ns,
		      mem_emit_fn emit, void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_PROCMEM_H */
