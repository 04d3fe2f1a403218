/*
 * zram.h - the zram block device model: slots of a swap device stored in a
 * zsmalloc pool, as drivers/block/zram/zram_drv.c stores them.
 */
#ifndef ZSFRAG_SIM_ZRAM_H
#define ZSFRAG_SIM_ZRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "op_timing.h"
#include "zsmalloc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct zram;

struct zram_config {
	uint64_t disksize;  /* bytes; slots are disksize / page size */
	uint64_t mem_limit; /* bytes of pool memory; 0 = no limit */
	unsigned int gfp;   /* ZS_GFP_* flags zram passes to zs_malloc (by era) */
	struct sim_op_timing *timing; /* time zs_malloc/zs_free calls into this; NULL = off */
	bool payload; /* write each object's pattern and check it on reads (else neither) */
};

/* /sys/block/zram0/mm_stat, field by field (bytes unless said). */
struct zram_mm_stat {
	uint64_t orig_data_size;  /* pages stored * page size */
	uint64_t compr_data_size; /* sum of stored object sizes */
	uint64_t mem_used_total;  /* zs_get_total_pages * page size */
	uint64_t mem_limit;
	uint64_t mem_used_max;
	uint64_t same_pages;	   /* slots holding a same-filled page (count) */
	uint64_t pages_compacted;  /* zs_pool_stats().pages_compacted (count) */
	uint64_t huge_pages;	   /* slots stored uncompressed (count) */
	uint64_t huge_pages_since; /* huge writes since creation (count) */
};

/* io_stat and counters zram keeps besides mm_stat. */
struct zram_io_stat {
	uint64_t failed_writes; /* writes refused: pool allocation failed or over mem_limit */
	uint64_t failed_writes_alloc;	  /* ... of which zs_malloc found no page (-ENOMEM) */
	uint64_t failed_writes_mem_limit; /* ... of which the pool would pass mem_limit */
	uint64_t failed_reads;
	uint64_t notify_free; /* discards (slot free notifications), empty slots included */
	uint64_t writes, reads;
	uint64_t verify_mismatches; /* objects whose payload did not match */
};

int zram_create(const struct zram_config *cfg, struct zs_pool *pool, struct zram **zram);
/* Frees the device, not its objects: destroy the pool after it (zs_destroy_pool frees them). */
void zram_destroy(struct zram *zram);

/* The "store uncompressed" cut-off: compressed lengths >= this become PAGE_SIZE objects. */
uint32_t zram_huge_threshold(const struct zram *zram);
uint64_t zram_nr_slots(const struct zram *zram);

/*
 * Write slot with a page compressing to comp_len bytes (1..page size). 0, or
 * -ERANGE (slot beyond the disk), -ENOMEM (allocation failed or mem_limit
 * reached; the slot keeps its old content, as zram's failed write does).
 * seed (32 bits, else -EINVAL) picks the payload pattern.
 */
int zram_write(struct zram *zram, uint64_t slot, uint32_t comp_len, uint64_t seed);
/* Write a same-filled page: no object is stored. */
int zram_write_same(struct zram *zram, uint64_t slot);
/* Read: map the object and verify its payload (a mismatch is counted). */
int zram_read(struct zram *zram, uint64_t slot);
/* Discard / swap_slot_free_notify: free the slot's object. */
int zram_discard(struct zram *zram, uint64_t slot);
/* Verify every stored object; returns the number of mismatches found now. */
uint64_t zram_verify_all(struct zram *zram);

/*
 * Look-ahead (SIM, no kernel counterpart): start loading what a coming event
 * on slot will touch (a read maps the slot's object, a write or discard frees
 * it); depth 0 the slot, 1.. the object's chain (zs_prefetch).
 */
void zram_prefetch(const struct zram *zram, uint64_t slot, bool reading, unsigned int depth);

void zram_get_mm_stat(const struct zram *zram, struct zram_mm_stat *st);
void zram_get_io_stat(const struct zram *zram, struct zram_io_stat *st);
/* Tell zram a compaction ran (pages_compacted is read from the pool). */
uint64_t zram_stored_slots(const struct zram *zram);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_ZRAM_H */
