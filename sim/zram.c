/*
 * zram.c - the zram device model.
 *
 * Models zram_write_page()/__zram_bvec_write(), zram_read_page(),
 * zram_free_page() and mm_stat of drivers/block/zram/zram_drv.c.
 *
 * A write of a same-filled page stores nothing in zsmalloc (same_pages). A
 * page that compresses to the huge threshold or more is stored uncompressed:
 * a PAGE_SIZE object (huge_pages). The threshold is zs_huge_class_size()
 * from 4.17 on and PAGE_SIZE / 4 * 3 + 1 before (zram stored a page
 * uncompressed when it compressed to more than max_zpage_size = 3/4 page).
 * An overwrite allocates the new object first and frees the old one only
 * after (so the new object can never take the old one's place), and a write
 * that would take the pool past mem_limit fails and leaves the slot as it was.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "payload.h"
#include "zram.h"

#define ZRAM_SAME 0x1u
#define ZRAM_HUGE 0x2u

/*
 * 16 bytes on a 64-bit host: one per page of the disk, indexed at random by
 * every event, so its size is host memory and cache misses at scale.
 */
struct zram_slot {
	unsigned long handle; /* 0 if no object */
	uint32_t size : 24;   /* bytes stored (PAGE_SIZE for huge; pages are at most 64 KiB) */
	uint32_t flags : 8;   /* ZRAM_SAME, ZRAM_HUGE */
	uint32_t seed;	      /* payload pattern of the object */
};
static_assert(sizeof(void *) != 8 || sizeof(struct zram_slot) == 16, "slot layout");

struct zram {
	struct zram_config cfg;
	struct zs_pool *pool;
	size_t page_size;
	uint64_t nr_slots;
	struct zram_slot *slots;
	uint32_t huge_threshold;
	uint64_t stored; /* slots holding data (incl. same-filled) */
	uint64_t compr_bytes;
	uint64_t same_pages, huge_pages, huge_pages_since;
	uint64_t mem_used_max;	 /* pages */
	bool max_counts_refused; /* mem_used_max is updated before the mem_limit check */
	struct zram_io_stat io;
};

int zram_create(const struct zram_config *cfg, struct zs_pool *pool, struct zram **out)
{
	struct zram *z;
	const struct zs_profile_info *pi = zs_pool_profile(pool);

	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	z->cfg = *cfg;
	z->pool = pool;
	z->page_size = zs_page_size(pool);
	z->nr_slots = cfg->disksize / z->page_size;
	if (z->nr_slots == 0) {
		free(z);
		return -EINVAL;
	}
	z->slots = calloc(z->nr_slots, sizeof(*z->slots));
	if (!z->slots) {
		free(z);
		return -ENOMEM;
	}
	zs_host_huge_hint(z->slots, z->nr_slots * sizeof(*z->slots));
	/* the kernel keeps whole pages: limit_pages = PAGE_ALIGN(limit) >> PAGE_SHIFT */
	z->cfg.mem_limit = (cfg->mem_limit + z->page_size - 1) / z->page_size * z->page_size;
	/*
	 * 3.18 .. 4.1 update mem_used_max after the mem_limit check, 4.8+
	 * (6.1, 6.12 read) before it, so a refused write's peak counts.
	 * SIM: the change is placed at 4.8 (movable zram pages); 4.3 is unconfirmed.
	 */
	z->max_counts_refused = pi->movable_pages;
	if (pi->zram_uses_huge_class_size)
		z->huge_threshold = (uint32_t)zs_huge_class_size(pool);
	else
		z->huge_threshold = (uint32_t)(z->page_size / 4 * 3 + 1);
	*out = z;
	return 0;
}

void zram_destroy(struct zram *z)
{
	if (!z)
		return;
	/*
	 * The objects stay in the pool: zs_destroy_pool() frees them with their
	 * zspages. A zs_free() per stored page took seconds at the end of a
	 * replay of a multi-GB pool, each one a cache miss.
	 */
	free(z->slots);
	free(z);
}

uint32_t zram_huge_threshold(const struct zram *z)
{
	return z->huge_threshold;
}

uint64_t zram_nr_slots(const struct zram *z)
{
	return z->nr_slots;
}

uint64_t zram_stored_slots(const struct zram *z)
{
	return z->stored;
}

static void update_max(struct zram *z)
{
	unsigned long pages = zs_get_total_pages(z->pool);

	if (pages > z->mem_used_max)
		z->mem_used_max = pages;
}

/* zram_free_page(): drop whatever the slot holds. */
static void free_slot(struct zram *z, struct zram_slot *s)
{
	if (s->flags & ZRAM_SAME) {
		z->same_pages--;
	} else if (s->handle) {
		timed_zs_free(z->cfg.timing, z->pool, s->handle);
		z->compr_bytes -= s->size;
		if (s->flags & ZRAM_HUGE)
			z->huge_pages--;
	} else {
		return; /* empty slot */
	}
	z->stored--;
	s->handle = 0;
	s->size = 0;
	s->flags = 0;
}

int zram_write(struct zram *z, uint64_t slot, uint32_t comp_len, uint64_t seed)
{
	struct zram_slot *s;
	unsigned long handle;
	uint32_t len = comp_len;
	bool huge = false;
	int err;

	if (slot >= z->nr_slots)
		return -ERANGE;
	if (comp_len == 0 || comp_len > z->page_size || seed > UINT32_MAX)
		return -EINVAL;
	s = &z->slots[slot];
	z->io.writes++;
	if (len >= z->huge_threshold) {
		len = (uint32_t)z->page_size;
		huge = true;
	}
	err = timed_zs_malloc(z->cfg.timing, z->pool, len, z->cfg.gfp, &handle);
	/*
	 * zram's handle allocation has two paths (__zram_bvec_write, 4.7+;
	 * zram_write_page): with the compression stream held it cannot sleep,
	 * so a failed zs_malloc is retried with GFP_NOIO, which may reclaim.
	 */
	if (err == -ENOMEM)
		err = timed_zs_malloc(z->cfg.timing, z->pool, len, z->cfg.gfp | ZS_GFP_RECLAIM,
				      &handle);
	if (err) {
		z->io.failed_writes++;
		z->io.failed_writes_alloc++;
		return err;
	}
	if (z->max_counts_refused)
		update_max(z);
	if (z->cfg.mem_limit &&
	    (uint64_t)zs_get_total_pages(z->pool) * z->page_size > z->cfg.mem_limit) {
		timed_zs_free(z->cfg.timing, z->pool, handle);
		z->io.failed_writes++;
		z->io.failed_writes_mem_limit++;
		return -ENOMEM;
	}
	update_max(z);
	if (z->cfg.payload) { /* in place: the bytes a WO mapping would leave */
		bool written = payload_write_object(z->pool, handle, len, seed);

		assert(written);
		(void)written;
	}

	free_slot(z, s); /* only now: the old object is freed after the new one exists */
	s->handle = handle;
	s->size = len & 0xffffffu;
	s->seed = (uint32_t)seed;
	s->flags = huge ? ZRAM_HUGE : 0;
	z->compr_bytes += len;
	z->stored++;
	if (huge) {
		z->huge_pages++;
		z->huge_pages_since++;
	}
	return 0;
}

int zram_write_same(struct zram *z, uint64_t slot)
{
	struct zram_slot *s;

	if (slot >= z->nr_slots)
		return -ERANGE;
	s = &z->slots[slot];
	z->io.writes++;
	free_slot(z, s);
	s->flags = ZRAM_SAME;
	z->same_pages++;
	z->stored++;
	return 0;
}

static bool verify_slot(struct zram *z, const struct zram_slot *s)
{
	const void *src;
	bool ok;

	if (!s->handle || !z->cfg.payload)
		return true;
	src = zs_map_object(z->pool, s->handle, ZS_MM_RO);
	ok = src && payload_check(src, s->size, s->seed);
	zs_unmap_object(z->pool, s->handle);
	return ok;
}

int zram_read(struct zram *z, uint64_t slot)
{
	if (slot >= z->nr_slots)
		return -ERANGE;
	z->io.reads++;
	if (!verify_slot(z, &z->slots[slot])) {
		z->io.verify_mismatches++;
		z->io.failed_reads++;
		return -EIO;
	}
	return 0;
}

int zram_discard(struct zram *z, uint64_t slot)
{
	if (slot >= z->nr_slots)
		return -ERANGE;
	z->io.notify_free++; /* per page, held data or not, as the kernel counts */
	free_slot(z, &z->slots[slot]);
	return 0;
}

void zram_prefetch(const struct zram *z, uint64_t slot, bool reading, unsigned int depth)
{
	const struct zram_slot *s;

	if (slot >= z->nr_slots)
		return;
	s = &z->slots[slot];
	if (depth == 0)
		__builtin_prefetch(s, 1, 3);
	else /* a write or discard frees the slot's object, a read maps it */
		zs_prefetch(z->pool, s->handle, depth - 1, !reading);
}

/* slots ahead of the one checked at which zram_verify_all() starts each link of its walk */
#define VERIFY_AHEAD 4

uint64_t zram_verify_all(struct zram *z)
{
	uint64_t bad = 0;

	for (uint64_t i = 0; i < z->nr_slots; i++) {
		/*
		 * The slots go in slot order, their objects lie anywhere in the
		 * pool: start the walk of the coming slots' handle slot, zspage
		 * and object early, as the replay's look-ahead does for its
		 * events (the slot table itself is read in order). Hints only.
		 */
		if (z->cfg.payload)
			for (unsigned int d = 0; d < ZS_PREFETCH_DEPTHS; d++) {
				uint64_t k = i + (uint64_t)VERIFY_AHEAD * (ZS_PREFETCH_DEPTHS - d);

				if (k < z->nr_slots && z->slots[k].handle)
					zs_prefetch(z->pool, z->slots[k].handle, d, false);
			}
		if (!verify_slot(z, &z->slots[i]))
			bad++;
	}
	z->io.verify_mismatches += bad;
	return bad;
}

void zram_get_mm_stat(const struct zram *z, struct zram_mm_stat *st)
{
	struct zs_pool_stats ps;

	zs_pool_stats(z->pool, &ps);
	st->orig_data_size = z->stored * z->page_size;
	st->compr_data_size = z->compr_bytes;
	st->mem_used_total = (uint64_t)zs_get_total_pages(z->pool) * z->page_size;
	st->mem_limit = z->cfg.mem_limit;
	st->mem_used_max = z->mem_used_max * z->page_size;
	st->same_pages = z->same_pages;
	st->pages_compacted = ps.pages_compacted;
	st->huge_pages = z->huge_pages;
	st->huge_pages_since = z->huge_pages_since;
}

void zram_get_io_stat(const struct zram *z, struct zram_io_stat *st)
{
	*st = z->io;
}
