/*
 * test_zram.c - the zram device model (sim/zram.c) on a zsmalloc pool over
 * emulated physical memory, every figure derived by hand below.
 *
 * The machine: 256 frames (1 MiB), no HighMem, min_free_kbytes 0; a zram
 * disk of 64 slots. Classes used (v4.1 arm32, `zsfrag classes --profile
 * v4.1 --arch arm32`; 4.1+ adds a 4-byte handle header to every request on
 * 32-bit, and class index = (size - 32 + 15) / 16):
 *   100 B -> 104 -> index 5, 112 B objects, 2 pages, 73 objects per zspage;
 *   2000 B -> 2004 -> index 123, merged into 126: 2048 B, 1 page, 2 objects;
 *   3072 B -> 3076 -> index 191 (class 190 holds 3072 only), merged into
 *     202: 3264 B, 4 pages, 5 objects;
 *   PAGE_SIZE (huge) -> the 4096 B class, 1 page, 1 object.
 * The huge cut-off: v4.1 zram stores a page uncompressed when it compresses
 * to more than max_zpage_size = PAGE_SIZE / 4 * 3 = 3072 bytes, i.e. at
 * 3073 or more; from 4.17 (v6.1 here) at zs_huge_class_size(), which on
 * arm32 is the largest non-huge class 3264 minus (handle size 4 - 1) = 3261.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "physmem.h"
#include "test_util.h"
#include "zram.h"
#include "zs_provider.h"
#include "zsmalloc.h"

#define PAGE 4096u

static char msg[256];

struct rig {
	struct physmem *pm;
	struct zs_pool *pool;
	struct zram *zram;
};

static int rig_make(struct rig *r, const char *profile, uint64_t mem_limit)
{
	struct physmem_config pc;
	struct zs_pool_config zc = {.profile = profile, .arch = ZS_ARCH_ARM32, .page_size = PAGE};
	struct zram_config c = {
	    .disksize = 64 * PAGE, .mem_limit = mem_limit, .gfp = ZS_GFP_HIGHMEM, .payload = true};

	memset(r, 0, sizeof(*r));
	physmem_config_default(&pc);
	pc.ram_bytes = 256 * PAGE;
	pc.highmem = false;
	pc.min_free_kbytes = 0;
	pc.pageblock_order = 4;
	if (physmem_create(&pc, &r->pm))
		return -1;
	if (zs_create_pool(&zc, zs_provider_ops(), r->pm, &r->pool))
		return -1;
	return zram_create(&c, r->pool, &r->zram);
}

static void rig_free(struct rig *r)
{
	zram_destroy(r->zram);
	zs_destroy_pool(r->pool);
	physmem_destroy(r->pm);
}

static void mm(const struct rig *r, struct zram_mm_stat *st)
{
	zram_get_mm_stat(r->zram, st);
}

static void io(const struct rig *r, struct zram_io_stat *st)
{
	zram_get_io_stat(r->zram, st);
}

/* The single zspage page of the pool (the only ZSPAGE-owned frame), or -1. */
static long only_zspage_pfn(const struct rig *r)
{
	long found = -1;
	struct physmem_block b;

	for (unsigned long p = 0; p < physmem_nr_frames(r->pm); p++)
		if (physmem_block_at(r->pm, p, &b) == 0 && !b.free && b.head_pfn == p &&
		    b.owner == PHYSMEM_OWNER_ZSPAGE)
			found = found < 0 ? (long)p : -2;
	return found;
}

static void test_class_table_assumptions(void)
{
	struct rig r;
	struct zs_class_info ci;

	REQUIRE(rig_make(&r, "v4.1", 0) == 0);
	zs_class_info(r.pool, zs_lookup_class_index(r.pool, 104), &ci);
	CHECK_EQ(ci.size, 112);
	CHECK_EQ(ci.pages_per_zspage, 2);
	CHECK_EQ(ci.objs_per_zspage, 73);
	zs_class_info(r.pool, zs_lookup_class_index(r.pool, 2004), &ci);
	CHECK_EQ(ci.size, 2048);
	CHECK_EQ(ci.pages_per_zspage, 1);
	CHECK_EQ(ci.objs_per_zspage, 2);
	zs_class_info(r.pool, zs_lookup_class_index(r.pool, 3076), &ci);
	CHECK_EQ(ci.size, 3264);
	CHECK_EQ(ci.pages_per_zspage, 4);
	CHECK_EQ(ci.objs_per_zspage, 5);
	CHECK_EQ(zram_nr_slots(r.zram), 64);
	rig_free(&r);
}

/* z: no object at all; overwriting it with data and back is accounted. */
static void test_same_filled(void)
{
	struct rig r;
	struct zram_mm_stat st;

	REQUIRE(rig_make(&r, "v4.1", 0) == 0);
	CHECK_EQ(zram_write_same(r.zram, 3), 0);
	mm(&r, &st);
	CHECK_EQ(zs_get_total_pages(r.pool), 0);
	CHECK_EQ(physmem_free_pages(r.pm), 256);
	CHECK_U64_EQ(st.same_pages, 1);
	CHECK_U64_EQ(st.orig_data_size, PAGE);
	CHECK_U64_EQ(st.compr_data_size, 0);
	CHECK_U64_EQ(st.mem_used_total, 0);
	CHECK_EQ(zram_stored_slots(r.zram), 1);
	CHECK_EQ(zram_read(r.zram, 3), 0);
	/* data over a same-filled page: same_pages back to 0, one object */
	CHECK_EQ(zram_write(r.zram, 3, 100, 7), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.same_pages, 0);
	CHECK_U64_EQ(st.compr_data_size, 100);
	CHECK_U64_EQ(st.mem_used_total, 2 * PAGE); /* the 112 B class: 2-page zspage */
	/* same-filled over data: the object goes, and with it the zspage */
	CHECK_EQ(zram_write_same(r.zram, 3), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.same_pages, 1);
	CHECK_U64_EQ(st.compr_data_size, 0);
	CHECK_EQ(zs_get_total_pages(r.pool), 0);
	CHECK_EQ(zram_stored_slots(r.zram), 1);
	CHECK_EQ(zram_discard(r.zram, 3), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.same_pages, 0);
	CHECK_U64_EQ(st.orig_data_size, 0);
	rig_free(&r);
}

/* Huge pages at the cut-off, one profile of each era. */
static void huge_case(const char *profile, uint32_t threshold)
{
	struct rig r;
	struct zram_mm_stat st;

	REQUIRE(rig_make(&r, profile, 0) == 0);
	CHECK_EQ(zram_huge_threshold(r.zram), threshold);
	/* one byte below: compressed, not huge */
	CHECK_EQ(zram_write(r.zram, 0, threshold - 1, 1), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.huge_pages, 0);
	CHECK_U64_EQ(st.compr_data_size, threshold - 1);
	/* at the cut-off: a PAGE_SIZE object in a one-page zspage of its own */
	unsigned long before = zs_get_total_pages(r.pool);

	CHECK_EQ(zram_write(r.zram, 1, threshold, 2), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.huge_pages, 1);
	CHECK_U64_EQ(st.huge_pages_since, 1);
	CHECK_U64_EQ(st.compr_data_size, threshold - 1 + PAGE);
	CHECK_EQ(zs_get_total_pages(r.pool), before + 1);
	CHECK_EQ(zram_read(r.zram, 1), 0);
	/* incompressible (SIZE = page size) is huge too */
	CHECK_EQ(zram_write(r.zram, 2, PAGE, 3), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.huge_pages, 2);
	CHECK_U64_EQ(st.compr_data_size, threshold - 1 + 2 * PAGE);
	/* discarding a huge slot drops huge_pages but not huge_pages_since */
	CHECK_EQ(zram_discard(r.zram, 1), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.huge_pages, 1);
	CHECK_U64_EQ(st.huge_pages_since, 2);
	CHECK_EQ(zs_get_total_pages(r.pool), before + 1);
	rig_free(&r);
}

static void test_huge_v41(void)
{
	huge_case("v4.1", 3073);
}

static void test_huge_v61(void)
{
	huge_case("v6.1", 3261);
}

/*
 * An overwrite allocates the new object before it frees the old one. A
 * huge page needs a one-page zspage of its own; with mem_limit = 1 page,
 * the first huge write fills the limit exactly (allowed: zram refuses only
 * when the pool is over the limit), and overwriting the slot needs a second
 * page while the first is still held: 2 pages > 1, refused. Had the old
 * object been freed first, it would fit. The slot keeps its old content.
 */
static void test_overwrite_alloc_before_free(void)
{
	struct rig r;
	struct zram_mm_stat st;
	struct zram_io_stat is;

	REQUIRE(rig_make(&r, "v4.1", PAGE) == 0);
	CHECK_EQ(zram_write(r.zram, 5, 4000, 11), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.mem_used_total, PAGE);
	CHECK_U64_EQ(st.mem_limit, PAGE);
	CHECK_EQ(zram_write(r.zram, 5, 4000, 12), -ENOMEM);
	io(&r, &is);
	CHECK_U64_EQ(is.failed_writes, 1);
	CHECK_U64_EQ(is.writes, 2);
	mm(&r, &st);
	CHECK_U64_EQ(st.mem_used_total, PAGE); /* the refused object's page went back */
	CHECK_U64_EQ(st.mem_used_max, PAGE);   /* the refused peak does not count */
	CHECK_U64_EQ(st.huge_pages, 1);
	CHECK_U64_EQ(st.orig_data_size, PAGE);
	CHECK_EQ(physmem_free_pages(r.pm), 255);
	/* the old object (seed 11) is still there, intact */
	CHECK_EQ(zram_read(r.zram, 5), 0);
	CHECK_EQ(zram_verify_all(r.zram), 0);

	/*
	 * An overwrite that fits the zspage the old object is in: 2000 B
	 * objects, 2 per one-page zspage. Slot 6 holds object A alone; the
	 * rewrite takes the zspage's second slot (no new page, within the
	 * limit of 2 pages), then frees A.
	 */
	rig_free(&r);
	REQUIRE(rig_make(&r, "v4.1", 2 * PAGE) == 0);
	CHECK_EQ(zram_write(r.zram, 5, 4000, 11), 0); /* huge: page 1 */
	CHECK_EQ(zram_write(r.zram, 6, 2000, 21), 0); /* 2048 class: page 2 */
	CHECK_EQ(zram_write(r.zram, 6, 2000, 22), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.mem_used_total, 2 * PAGE);
	CHECK_U64_EQ(st.compr_data_size, 4096 + 2000);
	/* but rewriting slot 6 in another class needs a third page: refused */
	CHECK_EQ(zram_write(r.zram, 6, 100, 23), -ENOMEM);
	mm(&r, &st);
	CHECK_U64_EQ(st.mem_used_total, 2 * PAGE);
	CHECK_U64_EQ(st.compr_data_size, 4096 + 2000);
	CHECK_EQ(zram_read(r.zram, 6), 0); /* still the seed-22 object */
	io(&r, &is);
	CHECK_U64_EQ(is.failed_writes, 1);
	CHECK_U64_EQ(is.verify_mismatches, 0);
	rig_free(&r);
}

/*
 * No mem_limit, but no free frame: the machine's 256 frames are taken (255
 * here, then the pool's one-page zspage), so a huge write's zs_malloc finds
 * no page. Counted as an allocation failure, not a mem_limit one; a freed
 * frame lets the next write through.
 */
static void test_failed_write_no_memory(void)
{
	struct rig r;
	struct zram_io_stat is;
	unsigned long pfns[256], pfn;
	unsigned int held = 0;

	REQUIRE(rig_make(&r, "v4.1", 0) == 0);
	CHECK_EQ(zram_write(r.zram, 0, 4000, 1), 0); /* one page for the huge class */
	while (held < 256 && physmem_alloc(r.pm, 0, PHYSMEM_MT_MOVABLE, 0, &pfn) == 0)
		pfns[held++] = pfn;
	CHECK_EQ(held, 255);
	CHECK_EQ(zram_write(r.zram, 1, 4000, 2), -ENOMEM);
	io(&r, &is);
	CHECK_U64_EQ(is.failed_writes, 1);
	CHECK_U64_EQ(is.failed_writes_alloc, 1);
	CHECK_U64_EQ(is.failed_writes_mem_limit, 0);
	physmem_free(r.pm, pfns[--held], 0);
	CHECK_EQ(zram_write(r.zram, 1, 4000, 2), 0);
	io(&r, &is);
	CHECK_U64_EQ(is.failed_writes, 1);
	while (held)
		physmem_free(r.pm, pfns[--held], 0);
	rig_free(&r);
}

/*
 * mem_limit of 2 pages and 2000 B writes (2 objects per one-page zspage):
 * writes 1-4 fill two zspages (2 pages = the limit, allowed), write 5 needs
 * a third page: refused and counted, pool back to 2 pages; mem_used_max
 * 8192. A discard makes room: write 6 takes the freed object slot.
 */
static void test_mem_limit(void)
{
	struct rig r;
	struct zram_mm_stat st;
	struct zram_io_stat is;

	REQUIRE(rig_make(&r, "v4.1", 2 * PAGE) == 0);
	for (uint64_t s = 0; s < 4; s++)
		CHECK_EQ(zram_write(r.zram, s, 2000, 100 + s), 0);
	CHECK_EQ(zram_write(r.zram, 4, 2000, 104), -ENOMEM);
	mm(&r, &st);
	io(&r, &is);
	CHECK_U64_EQ(is.failed_writes, 1);
	CHECK_U64_EQ(is.failed_writes_mem_limit, 1); /* the reason: mem_limit, not memory */
	CHECK_U64_EQ(is.failed_writes_alloc, 0);
	CHECK_U64_EQ(is.writes, 5);
	CHECK_U64_EQ(st.mem_used_total, 2 * PAGE);
	CHECK_U64_EQ(st.mem_used_max, 2 * PAGE);
	CHECK_U64_EQ(st.orig_data_size, 4 * PAGE);
	CHECK_U64_EQ(st.compr_data_size, 4 * 2000);
	CHECK_EQ(zram_stored_slots(r.zram), 4);
	CHECK_EQ(zram_read(r.zram, 4), 0); /* an empty slot reads as nothing: fine */
	CHECK_EQ(zram_discard(r.zram, 1), 0);
	CHECK_EQ(zram_write(r.zram, 4, 2000, 104), 0);
	mm(&r, &st);
	io(&r, &is);
	CHECK_U64_EQ(is.failed_writes, 1);
	CHECK_U64_EQ(is.notify_free, 1);
	CHECK_U64_EQ(st.mem_used_total, 2 * PAGE);
	CHECK_EQ(zram_verify_all(r.zram), 0);
	rig_free(&r);
}

/* Discards free objects and, with the last object, the zspage's pages. */
static void test_discard_frees(void)
{
	struct rig r;
	struct zram_mm_stat st;
	struct zram_io_stat is;

	REQUIRE(rig_make(&r, "v4.1", 0) == 0);
	CHECK_EQ(zram_write(r.zram, 0, 2000, 1), 0);
	CHECK_EQ(zram_write(r.zram, 1, 2000, 2), 0);
	CHECK_EQ(zs_get_total_pages(r.pool), 1);
	CHECK_EQ(physmem_free_pages(r.pm), 255);
	CHECK_EQ(zram_discard(r.zram, 0), 0);
	CHECK_EQ(zs_get_total_pages(r.pool), 1); /* one object left */
	CHECK_EQ(zram_discard(r.zram, 1), 0);
	CHECK_EQ(zs_get_total_pages(r.pool), 0);
	CHECK_EQ(physmem_free_pages(r.pm), 256);
	CHECK_EQ(zram_discard(r.zram, 1), 0); /* again: an empty slot, nothing is freed */
	mm(&r, &st);
	io(&r, &is);
	CHECK_U64_EQ(st.orig_data_size, 0);
	CHECK_U64_EQ(st.compr_data_size, 0);
	CHECK_U64_EQ(st.mem_used_max, PAGE);
	/* the kernel counts every discarded page, the empty one too */
	CHECK_U64_EQ(is.notify_free, 3);
	CHECK_EQ(zram_stored_slots(r.zram), 0);
	/* slots beyond the disk and bad sizes are refused without side effects */
	CHECK_EQ(zram_write(r.zram, 64, 100, 1), -ERANGE);
	CHECK_EQ(zram_write_same(r.zram, 64), -ERANGE);
	CHECK_EQ(zram_read(r.zram, 64), -ERANGE);
	CHECK_EQ(zram_discard(r.zram, 64), -ERANGE);
	CHECK_EQ(zram_write(r.zram, 0, 0, 1), -EINVAL);
	CHECK_EQ(zram_write(r.zram, 0, PAGE + 1, 1), -EINVAL);
	io(&r, &is);
	CHECK_U64_EQ(is.writes, 2);
	CHECK_U64_EQ(is.failed_writes, 0);
	rig_free(&r);
}

/*
 * Reads map the object and check its payload: a byte flipped in the middle
 * of the only object's bytes (a 2000 B object at the start of its one-page
 * zspage: header at 0..3, payload 4..2003; byte 1000 is payload fill) is a
 * failed read; put back, the read passes again.
 */
static void test_read_verifies(void)
{
	struct rig r;
	struct zram_io_stat is;
	long pfn;
	uint8_t *p;

	REQUIRE(rig_make(&r, "v4.1", 0) == 0);
	CHECK_EQ(zram_write(r.zram, 9, 2000, 77), 0);
	CHECK_EQ(zram_read(r.zram, 9), 0);
	pfn = only_zspage_pfn(&r);
	REQUIRE(pfn >= 0);
	p = physmem_page_address(r.pm, (unsigned long)pfn);
	p[1000] ^= 0xff;
	CHECK_EQ(zram_read(r.zram, 9), -EIO);
	CHECK_EQ(zram_verify_all(r.zram), 1);
	io(&r, &is);
	CHECK_U64_EQ(is.reads, 2);
	CHECK_U64_EQ(is.failed_reads, 1);
	CHECK_U64_EQ(is.verify_mismatches, 2); /* the read's and verify_all's */
	p[1000] ^= 0xff;
	CHECK_EQ(zram_read(r.zram, 9), 0);
	CHECK_EQ(zram_verify_all(r.zram), 0);
	/* the payload's first 8 bytes are the seed: flip one of those too */
	p[4] ^= 0x01;
	CHECK_EQ(zram_read(r.zram, 9), -EIO);
	p[4] ^= 0x01;
	rig_free(&r);
}

/* seed's payload of n bytes as the plain definition puts it: the seed's bytes, then the fill */
static void payload_reference(uint8_t *p, size_t n, uint64_t seed)
{
	memcpy(p, &seed, n < 8 ? n : 8);
	if (n > 8)
		memset(p + 8, payload_fill(seed), n - 8);
}

/*
 * payload_write_at() in two parts (an object across two pages) gives the
 * bytes of one plain write, whatever the split (inside the seed's 8 bytes
 * too), the alignment and the length (the streaming stores' whole lines and
 * ordinary ends), and writes nothing outside its range.
 */
static void test_payload_write_parts(void)
{
	static const size_t lens[] = {1, 7, 8, 9, 63, 255, 256, 257, 300, 1000, 2004, 4096};
	static const size_t splits[] = {0, 1, 3, 7, 8, 9, 64, 200, 5000};
	static uint8_t a[8192 + 128], b[8192 + 128], ref[4096];
	const uint64_t seed = 0x1234567890abcdefULL;

	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++)
		for (size_t si = 0; si < sizeof(splits) / sizeof(splits[0]); si++)
			for (size_t off = 0; off < 64; off += 4) {
				size_t n = lens[li], cut = splits[si] < n ? splits[si] : n;
				int before = tu_failures;

				memset(a, 0xee, sizeof(a));
				memset(b, 0xdd, sizeof(b));
				payload_reference(ref, n, seed);
				payload_write_at(a + 64 + off, cut, seed, 0);
				payload_write_at(b + 64 + off, n - cut, seed, cut);
				CHECK(memcmp(a + 64 + off, ref, cut) == 0);
				CHECK(memcmp(b + 64 + off, ref + cut, n - cut) == 0);
				CHECK_EQ(a[63 + off], 0xee);
				CHECK_EQ(a[64 + off + cut], 0xee);
				CHECK_EQ(b[63 + off], 0xdd);
				CHECK_EQ(b[64 + off + n - cut], 0xdd);
				if (tu_failures != before) {
					fprintf(stderr, "  ^ length %zu split %zu offset %zu\n", n, cut, off);
					return;
				}
			}
}

/*
 * zram writes its payloads in place (payload_write_object(), no mapping),
 * reads map them (zs_map_object(), through the copy buffer for an object
 * across two pages): every read passes, for objects inside one page and
 * across two (v4.1 arm32, 3072 B requests: the 3264 B class of 4 pages,
 * objects at 0, 3264, 6528, 9792 and 13056 of the zspage, each after its
 * 4-byte header; objects 1, 2 and 3 straddle), a huge object (3500 B stored
 * as a whole page, no header) and a small one; then a byte of the second
 * page of a straddler's payload is flipped (zspage byte 4100, in object 1,
 * 832 bytes into its payload: fill) and that read fails, its neighbours'
 * do not.
 */
static void test_payload_in_place(void)
{
	struct zram_io_stat is;
	struct rig r;
	struct physmem_block b;

	REQUIRE(rig_make(&r, "v4.1", 0) == 0);
	for (unsigned int i = 0; i < 5; i++)
		CHECK_EQ(zram_write(r.zram, i, 3072, 1000 + i), 0);
	CHECK_EQ(zram_write(r.zram, 5, 3500, 2000), 0);
	CHECK_EQ(zram_write(r.zram, 6, 100, 3000), 0);
	for (unsigned int i = 0; i < 7; i++)
		CHECK_EQ(zram_read(r.zram, i), 0);
	CHECK_EQ(zram_verify_all(r.zram), 0);
	io(&r, &is);
	CHECK_U64_EQ(is.failed_reads, 0);
	{
		uint8_t *p = NULL;

		/* the zspage's second page, by its bytes: object 1's tail, then bytes never written */
		for (unsigned long f = 0; f < physmem_nr_frames(r.pm) && !p; f++) {
			uint8_t *q;

			if (physmem_block_at(r.pm, f, &b) != 0 || b.free ||
			    b.owner != PHYSMEM_OWNER_ZSPAGE)
				continue;
			q = physmem_page_address(r.pm, f);
			/* page 1 of the zspage: object 1's 3072 bytes end at 3268 + 3072 - 4096 = 2244 */
			if (q[0] == payload_fill(1001) && q[2243] == payload_fill(1001) && q[2244] == 0)
				p = q;
		}
		REQUIRE(p);
		p[4] ^= 0xff;
		CHECK_EQ(zram_read(r.zram, 1), -EIO);
		CHECK_EQ(zram_read(r.zram, 0), 0);
		CHECK_EQ(zram_read(r.zram, 2), 0);
		p[4] ^= 0xff;
		CHECK_EQ(zram_read(r.zram, 1), 0);
	}
	rig_free(&r);
}

/*
 * mm_stat by hand, v4.1: w0 100, w1 100, w2 2000, z3, w4 3500 (huge), w5 3072.
 *   orig_data_size  = 6 stored slots * 4096 = 24576
 *   compr_data_size = 100 + 100 + 2000 + 4096 + 3072 = 9368
 *   pool pages      = 2 (112 B class) + 1 (2048) + 1 (huge) + 4 (3264 class)
 *                   = 8 -> mem_used_total 32768 = mem_used_max
 *   same_pages 1, huge_pages 1, pages_compacted 0, mem_limit 0.
 * Then d4 and d5: orig 16384, compr 2200, pool 3 pages, max stays 32768.
 * Then w6 100 and d0, d1, w7 2000, d2: the 112 B zspage holds object 6 only
 * (1 of 73) and the 2048 zspage object 7 only; zs_compact: the 112 B class
 * has one zspage, nothing to move; the 2048 class has one zspage too.
 * Nothing freed: pages_compacted stays 0. Then w8 2000: the 2048 zspage is
 * full again; w9 2000 opens a second one, d7 leaves zspage 1 with object 8
 * and zspage 2 with object 9: compaction moves one object, frees one page:
 * pages_compacted 1.
 */
static void test_mm_stat(void)
{
	struct rig r;
	struct zram_mm_stat st;
	struct zs_compact_result res;

	REQUIRE(rig_make(&r, "v4.1", 0) == 0);
	CHECK_EQ(zram_write(r.zram, 0, 100, 1), 0);
	CHECK_EQ(zram_write(r.zram, 1, 100, 2), 0);
	CHECK_EQ(zram_write(r.zram, 2, 2000, 3), 0);
	CHECK_EQ(zram_write_same(r.zram, 3), 0);
	CHECK_EQ(zram_write(r.zram, 4, 3500, 4), 0);
	CHECK_EQ(zram_write(r.zram, 5, 3072, 5), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.orig_data_size, 24576);
	CHECK_U64_EQ(st.compr_data_size, 9368);
	CHECK_U64_EQ(st.mem_used_total, 32768);
	CHECK_U64_EQ(st.mem_used_max, 32768);
	CHECK_U64_EQ(st.mem_limit, 0);
	CHECK_U64_EQ(st.same_pages, 1);
	CHECK_U64_EQ(st.huge_pages, 1);
	CHECK_U64_EQ(st.huge_pages_since, 1);
	CHECK_U64_EQ(st.pages_compacted, 0);
	CHECK_EQ(physmem_free_pages(r.pm), 256 - 8);

	CHECK_EQ(zram_discard(r.zram, 4), 0);
	CHECK_EQ(zram_discard(r.zram, 5), 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.orig_data_size, 16384);
	CHECK_U64_EQ(st.compr_data_size, 2200);
	CHECK_U64_EQ(st.mem_used_total, 3 * PAGE);
	CHECK_U64_EQ(st.mem_used_max, 32768);

	CHECK_EQ(zram_write(r.zram, 6, 100, 6), 0);
	CHECK_EQ(zram_discard(r.zram, 0), 0);
	CHECK_EQ(zram_discard(r.zram, 1), 0);
	CHECK_EQ(zram_write(r.zram, 7, 2000, 7), 0);
	CHECK_EQ(zram_discard(r.zram, 2), 0);
	REQUIRE(zs_compact(r.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.pages_compacted, 0);
	CHECK_U64_EQ(st.mem_used_total, 3 * PAGE);

	CHECK_EQ(zram_write(r.zram, 8, 2000, 8), 0);
	CHECK_EQ(zram_write(r.zram, 9, 2000, 9), 0);
	CHECK_EQ(zram_discard(r.zram, 7), 0);
	CHECK_EQ(zs_get_total_pages(r.pool), 4);
	REQUIRE(zs_compact(r.pool, &res) == 0);
	CHECK_EQ(res.pages_freed, 1);
	CHECK_U64_EQ(res.objs_migrated, 1);
	mm(&r, &st);
	CHECK_U64_EQ(st.pages_compacted, 1);
	CHECK_U64_EQ(st.mem_used_total, 3 * PAGE);
	CHECK_U64_EQ(st.compr_data_size, 100 + 2000 + 2000);
	CHECK_U64_EQ(st.orig_data_size, 4 * PAGE); /* slots 3 (same), 6, 8, 9 */
	CHECK_EQ(zram_verify_all(r.zram), 0);
	CHECK_EQ(zs_pool_check(r.pool, msg, sizeof(msg)), 0);
	rig_free(&r);
}

/*
 * mem_used_max and a refused write: 3.18 .. 4.1 zram updated it after the
 * mem_limit check, 4.8+ (read in 6.1 and 6.12) before, so the refused
 * write's transient page counts there. Limit 1 page, one huge page stored,
 * a second huge write needs a second page: refused in both; the peak is 1
 * page on v4.1 and 2 pages on v6.1.
 */
static void max_case(const char *profile, uint64_t want_max)
{
	struct rig r;
	struct zram_mm_stat st;

	REQUIRE(rig_make(&r, profile, PAGE) == 0);
	CHECK_EQ(zram_write(r.zram, 0, PAGE, 1), 0);
	CHECK_EQ(zram_write(r.zram, 1, PAGE, 2), -ENOMEM);
	mm(&r, &st);
	CHECK_U64_EQ(st.mem_used_total, PAGE);
	CHECK_U64_EQ(st.mem_used_max, want_max);
	rig_free(&r);
}

static void test_mem_used_max_refused(void)
{
	max_case("v4.1", PAGE);
	max_case("v6.1", 2 * PAGE);
}

/*
 * The kernel keeps the limit in whole pages, rounded up (PAGE_ALIGN): a
 * limit of 4097 bytes allows 2 pages and reads back as 8192.
 */
static void test_mem_limit_page_aligned(void)
{
	struct rig r;
	struct zram_mm_stat st;

	REQUIRE(rig_make(&r, "v4.1", PAGE + 1) == 0);
	mm(&r, &st);
	CHECK_U64_EQ(st.mem_limit, 2 * PAGE);
	CHECK_EQ(zram_write(r.zram, 0, PAGE, 1), 0);
	CHECK_EQ(zram_write(r.zram, 1, PAGE, 2), 0);
	CHECK_EQ(zram_write(r.zram, 2, PAGE, 3), -ENOMEM);
	mm(&r, &st);
	CHECK_U64_EQ(st.mem_used_total, 2 * PAGE);
	rig_free(&r);
}

int main(void)
{
	RUN(test_class_table_assumptions);
	RUN(test_same_filled);
	RUN(test_huge_v41);
	RUN(test_huge_v61);
	RUN(test_overwrite_alloc_before_free);
	RUN(test_mem_limit);
	RUN(test_failed_write_no_memory);
	RUN(test_mem_used_max_refused);
	RUN(test_mem_limit_page_aligned);
	RUN(test_discard_frees);
	RUN(test_read_verifies);
	RUN(test_payload_write_parts);
	RUN(test_payload_in_place);
	RUN(test_mm_stat);
	return test_summary();
}
