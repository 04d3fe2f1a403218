/*
 * test_zsmalloc.c - zs_malloc(), zs_free(), zs_map_object() and
 * zs_unmap_object() through the public API, for every profile and both
 * emulated architectures.
 *
 * What is shown:
 *  - payload bytes written through a WO or RW mapping read back identical
 *    through an RO mapping, for sizes from 1 byte to a whole page, including
 *    objects that straddle two pages of a zspage;
 *  - a straddling object is mapped through the copy buffer and lands in the
 *    two pages on unmap (checked byte for byte in the provider's memory), an
 *    RO mapping never writes back; zs_object_spans() gives the same bytes
 *    in place, in one part or a straddler's two;
 *  - the pool gives every page back once every object is freed, and
 *    zs_pool_check() is clean after every single operation;
 *  - handle layouts: 3.18's handle is the location, rfc2014's handle slots
 *    are pool objects, 4.1+ slots live outside the pool;
 *  - bad arguments and an exhausted provider.
 *
 * Expected numbers are derived in comments from the class table rules of
 * shared/reference/zsmalloc-facts.md §1.
 */
#include <errno.h>
#include <stdlib.h>

#include "pattern.h"
#include "test_util.h"
#include "zsmalloc.h"

/* ---- helpers ---- */

/* Index of the first differing byte, or n when p holds id's payload. */
static size_t pattern_check(const uint8_t *p, size_t n, uint64_t id)
{
	uint64_t s = id * 0x2545f4914f6cdd1dULL + 1;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = splitmix64(&s);
		size_t k = n - i < 8 ? n - i : 8;

		if (memcmp(p + i, &w, k) != 0)
			for (size_t j = 0; j < k; j++)
				if (p[i + j] != ((const uint8_t *)&w)[j])
					return i + j;
	}
	return n;
}

static const enum zs_arch arches[] = { ZS_ARCH_X86_64, ZS_ARCH_ARM32 };

static struct zs_pool *make_pool(const char *profile, enum zs_arch arch, struct zs_host_pages *hp)
{
	struct zs_pool_config cfg = { .profile = profile, .arch = arch, .page_size = 4096 };
	struct zs_pool *pool = NULL;

	if (zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool) != 0)
		return NULL;
	return pool;
}

/* The handle header of a profile: 0 for 3.18, sizeof(long) of the arch after. */
static size_t header_of(struct zs_pool *pool)
{
	struct zs_pool_stats st;

	zs_pool_stats(pool, &st);
	return st.obj_header_bytes;
}

static bool pool_ok(struct zs_pool *pool)
{
	char msg[256];

	if (zs_pool_check(pool, msg, sizeof(msg)) == 0)
		return true;
	fprintf(stderr, "  zs_pool_check: %s\n", msg);
	return false;
}

static int write_payload(struct zs_pool *pool, unsigned long h, size_t n, uint64_t id,
			 enum zs_mapmode mm)
{
	uint8_t *p = zs_map_object(pool, h, mm);

	if (!p)
		return -1;
	pattern_fill(p, n, id);
	zs_unmap_object(pool, h);
	return 0;
}

/*
 * Returns n when the payload is intact, the first bad offset otherwise; and
 * 0 when zs_object_spans() does not give the mapped object's bytes in place
 * (at least n of them, in one part, or two for an object across two pages).
 */
static size_t read_payload(struct zs_pool *pool, unsigned long h, size_t n, uint64_t id)
{
	const uint8_t *p = zs_map_object(pool, h, ZS_MM_RO);
	struct zs_span sp[2];
	unsigned int k = zs_object_spans(pool, h, sp);
	size_t r;

	if (!p)
		return 0;
	r = pattern_check(p, n, id);
	if (k < 1 || sp[0].n + (k == 2 ? sp[1].n : 0) < n ||
	    memcmp(p, sp[0].p, sp[0].n < n ? sp[0].n : n) != 0 ||
	    (k == 2 && n > sp[0].n && memcmp(p + sp[0].n, sp[1].p, n - sp[0].n) != 0))
		r = 0;
	zs_unmap_object(pool, h);
	return r;
}

/* ---- round trips ---- */

/* The request sizes worth trying in a pool: small, mid, around the huge cut-off, a page. */
static size_t pick_sizes(struct zs_pool *pool, size_t *out)
{
	size_t page = zs_page_size(pool), huge = zs_huge_class_size(pool), n = 0;
	static const size_t fixed[] = { 1, 7, 8, 24, 100, 184, 500, 1016, 1568, 2040, 3072 };

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		out[n++] = fixed[i];
	out[n++] = huge - 1; /* the largest request of a non-huge class */
	out[n++] = huge;     /* the smallest huge request */
	out[n++] = page - 1;
	out[n++] = page;
	return n;
}

/*
 * For one profile/arch and one size: fill three zspages' worth (plus one) of
 * objects, half written WO and half RW, read all back RO, rewrite a third of
 * them RW, then free in a scrambled order. The pool is checked after every
 * malloc and free, payloads after every phase; at the end both the pool and
 * the provider are back to zero pages.
 */
static void roundtrip_one(const char *profile, enum zs_arch arch, size_t size)
{
	struct zs_host_pages *hp = NULL;
	struct zs_pool *pool;
	struct zs_class_info ci;
	unsigned long *h;
	uint64_t *id;
	unsigned int count;
	uint64_t rng = size * 131 + (uint64_t)arch;

	REQUIRE(zs_host_pages_create(4096, 2048, &hp) == 0);
	pool = make_pool(profile, arch, hp);
	REQUIRE(pool);
	REQUIRE(zs_class_info(pool, zs_lookup_class_index(pool, size), &ci) == 0);
	count = 2 * ci.objs_per_zspage + 1;
	if (count > 200)
		count = 200;
	h = calloc(count, sizeof(*h));
	id = calloc(count, sizeof(*id));
	REQUIRE(h && id);

	for (unsigned int i = 0; i < count; i++) {
		id[i] = size * 1000 + i;
		CHECK_EQ(zs_malloc(pool, size, 0, &h[i]), 0);
		CHECK(h[i] != 0);
		CHECK(pool_ok(pool));
		CHECK_EQ(write_payload(pool, h[i], size, id[i], i % 2 ? ZS_MM_RW : ZS_MM_WO), 0);
	}
	/* pages: whole zspages of this class, plus rfc2014's handle pages */
	CHECK_LE((count + ci.objs_per_zspage - 1) / ci.objs_per_zspage * ci.pages_per_zspage,
		 zs_get_total_pages(pool));
	CHECK_EQ(zs_host_pages_used(hp), zs_get_total_pages(pool));
	for (unsigned int i = 0; i < count; i++)
		CHECK_EQ(read_payload(pool, h[i], size, id[i]), size);

	/* rewrite every third object in place through RW */
	for (unsigned int i = 0; i < count; i += 3) {
		id[i] += 500000;
		CHECK_EQ(write_payload(pool, h[i], size, id[i], ZS_MM_RW), 0);
	}
	for (unsigned int i = 0; i < count; i++)
		CHECK_EQ(read_payload(pool, h[i], size, id[i]), size);

	/* free in a scrambled order; halfway through, the rest must be intact */
	for (unsigned int i = count - 1; i > 0; i--) {
		unsigned int j = (unsigned int)(splitmix64(&rng) % (i + 1));
		unsigned long th = h[i];
		uint64_t tid = id[i];

		h[i] = h[j];
		id[i] = id[j];
		h[j] = th;
		id[j] = tid;
	}
	for (unsigned int i = 0; i < count; i++) {
		zs_free(pool, h[i]);
		CHECK(pool_ok(pool));
		if (i == count / 2)
			for (unsigned int k = i + 1; k < count; k++)
				CHECK_EQ(read_payload(pool, h[k], size, id[k]), size);
	}
	CHECK_EQ(zs_get_total_pages(pool), 0);
	CHECK_EQ(zs_host_pages_used(hp), 0);
	zs_destroy_pool(pool);
	free(h);
	free(id);
	zs_host_pages_destroy(hp);
}

static void test_roundtrip_every_profile(void)
{
	const char *const *names = zs_profile_names();

	for (const char *const *n = names; *n; n++) {
		for (size_t a = 0; a < 2; a++) {
			struct zs_host_pages *hp = NULL;
			struct zs_pool *pool;
			size_t sizes[32], nr;
			int before = tu_failures;

			REQUIRE(zs_host_pages_create(4096, 4, &hp) == 0);
			pool = make_pool(*n, arches[a], hp);
			REQUIRE(pool);
			nr = pick_sizes(pool, sizes);
			zs_destroy_pool(pool);
			zs_host_pages_destroy(hp);
			for (size_t i = 0; i < nr; i++) {
				int b = tu_failures;

				roundtrip_one(*n, arches[a], sizes[i]);
				if (tu_failures != b)
					fprintf(stderr, "  ^ profile %s arch %s size %zu\n", *n,
						zs_arch_name(arches[a]), sizes[i]);
			}
			if (tu_failures != before)
				return; /* one broken configuration is enough output */
		}
	}
}

/* ---- objects that straddle two pages ---- */

/*
 * Class 192 at 4K has 3 pages and 64 objects in every profile:
 * 3.18..6.2 (max used%): 1 page 4096 - 4096 mod 192 = 4032 -> 98%; 2 pages
 * 8064/8192 = 98%; 3 pages 12288 mod 192 = 0 -> 100% -> 3 pages. 6.3+ (least
 * tail waste): wastes 64, 128, 0 -> 3 pages. 12288 / 192 = 64 objects.
 * The request that lands there is 192 - header (184 on x86_64, 188 on arm32,
 * 192 without a header). A fresh zspage hands out objects in address order,
 * so the i-th allocation is object i, at zspage bytes [192i, 192i + 192).
 * Object 21 occupies 4032..4223 and object 42 8064..8255: both straddle;
 * object 20 (3840..4031) and 22 (4224..4415) do not. The host provider hands
 * out fresh frames in increasing order and they are contiguous in host
 * memory, so the zspage's bytes are contiguous there too.
 */
static void straddle_one(const char *profile, enum zs_arch arch)
{
	struct zs_host_pages *hp = NULL;
	const struct zs_page_ops *ops = zs_host_page_ops();
	struct zs_pool *pool;
	struct zs_class_info ci;
	unsigned long h[64];
	struct zs_span sp[2];
	size_t hdr, req;
	uint8_t *base, *p;

	REQUIRE(zs_host_pages_create(4096, 16, &hp) == 0);
	pool = make_pool(profile, arch, hp);
	REQUIRE(pool);
	hdr = header_of(pool);
	req = 192 - hdr;
	REQUIRE(zs_class_info(pool, zs_lookup_class_index(pool, req), &ci) == 0);
	CHECK_EQ(ci.size, 192);
	CHECK_EQ(ci.pages_per_zspage, 3);
	CHECK_EQ(ci.objs_per_zspage, 64);
	for (unsigned int i = 0; i < 64; i++)
		REQUIRE(zs_malloc(pool, req, 0, &h[i]) == 0);

	/* object 0 sits at the start of the zspage: that gives the first page */
	p = zs_map_object(pool, h[0], ZS_MM_RO);
	REQUIRE(p);
	base = p - hdr;
	zs_unmap_object(pool, h[0]);
	{
		/* base is the address of some frame: find it, the chain follows it */
		unsigned long pfn = 0;

		while (pfn < 16 && ops->page_address(hp, pfn) != base)
			pfn++;
		REQUIRE(pfn + 2 < 16);
		CHECK(ops->page_address(hp, pfn + 1) == base + 4096);
	}

	for (unsigned int i = 0; i < 64; i++) {
		bool straddles = (i * 192) / 4096 != (i * 192 + 191) / 4096;

		p = zs_map_object(pool, h[i], i % 2 ? ZS_MM_WO : ZS_MM_RW);
		REQUIRE(p);
		/* in place iff inside one page; a straddler is served from the copy buffer */
		if (straddles)
			CHECK(p < base || p >= base + 3 * 4096);
		else
			CHECK(p == base + i * 192 + hdr);
		pattern_fill(p, req, 7000 + i);
		zs_unmap_object(pool, h[i]);
		/* after unmap the bytes are in the pages, across the boundary */
		CHECK_EQ(pattern_check(base + i * 192 + hdr, req, 7000 + i), req);
	}
	CHECK_EQ((21 * 192) / 4096, 0);
	CHECK_EQ((21 * 192 + 191) / 4096, 1);

	/* an RO mapping of a straddler does not write back its buffer */
	p = zs_map_object(pool, h[21], ZS_MM_RO);
	REQUIRE(p);
	CHECK_EQ(pattern_check(p, req, 7021), req);
	memset(p, 0xa5, req);
	zs_unmap_object(pool, h[21]);
	CHECK_EQ(read_payload(pool, h[21], req, 7021), req);

	/* an RW mapping copies in, and the change is written back to both pages */
	p = zs_map_object(pool, h[42], ZS_MM_RW);
	REQUIRE(p);
	CHECK_EQ(pattern_check(p, req, 7042), req);
	pattern_fill(p, req, 9042);
	zs_unmap_object(pool, h[42]);
	CHECK_EQ(pattern_check(base + 42 * 192 + hdr, req, 9042), req);

	/* neighbours untouched by all this */
	CHECK_EQ(read_payload(pool, h[20], req, 7020), req);
	CHECK_EQ(read_payload(pool, h[22], req, 7022), req);
	CHECK_EQ(read_payload(pool, h[41], req, 7041), req);
	CHECK_EQ(read_payload(pool, h[43], req, 7043), req);

	/* zs_object_spans: the mapped bytes in place, a straddler's in two parts */
	CHECK_EQ(zs_object_spans(pool, 0, sp), 0);
	for (unsigned int i = 0; i < 64; i++) {
		size_t off = i * 192 + hdr, end = (off / 4096 + 1) * 4096;
		bool straddles = off + req > end;
		unsigned int k = zs_object_spans(pool, h[i], sp);

		CHECK_EQ(k, straddles ? 2 : 1);
		CHECK(sp[0].p == base + off);
		CHECK_EQ(sp[0].n, straddles ? end - off : req);
		if (k == 2) {
			CHECK(sp[1].p == base + end);
			CHECK_EQ(sp[0].n + sp[1].n, req);
		}
		p = zs_map_object(pool, h[i], ZS_MM_RO);
		REQUIRE(p);
		CHECK(memcmp(p, sp[0].p, sp[0].n) == 0);
		if (k == 2)
			CHECK(memcmp(p + sp[0].n, sp[1].p, sp[1].n) == 0);
		zs_unmap_object(pool, h[i]);
	}

	/* the header in front of each payload is the handle with the allocated tag */
	if (hdr == 8) {
		uint64_t w;

		memcpy(&w, base + 21 * 192, 8);
		CHECK_U64_EQ(w, (uint64_t)h[21] | 1);
	} else if (hdr == 4) {
		uint32_t w;

		memcpy(&w, base + 21 * 192, 4);
		CHECK_U64_EQ(w, (uint32_t)h[21] | 1);
	}
	CHECK(pool_ok(pool));
	for (unsigned int i = 0; i < 64; i++)
		zs_free(pool, h[i]);
	CHECK_EQ(zs_get_total_pages(pool), 0);
	zs_destroy_pool(pool);
	zs_host_pages_destroy(hp);
}

static void test_straddling_objects(void)
{
	for (const char *const *n = zs_profile_names(); *n; n++)
		for (size_t a = 0; a < 2; a++) {
			int before = tu_failures;

			straddle_one(*n, arches[a]);
			if (tu_failures != before)
				fprintf(stderr, "  ^ profile %s arch %s\n", *n, zs_arch_name(arches[a]));
		}
}

/* ---- handles ---- */

/*
 * 3.18: no handle slots, no header; the handle is the encoded location
 * (pfn << OBJ_INDEX_BITS) | (index within its page + 1), OBJ_INDEX_BITS =
 * BITS_PER_LONG - (MAX_PHYSMEM_BITS - PAGE_SHIFT): 64 - (46 - 12) = 30 on
 * x86_64, 32 - (32 - 12) = 12 on arm32. For class 192 (request 192, no
 * header): object 0 is index 0 of the first page -> low bits 1; object 21
 * starts in the first page (4032 < 4096), index 21 -> 22; object 22 is the
 * first object starting in the second page (ceil(4096 / 192) = 22) -> 1.
 */
static void test_v318_direct_handles(void)
{
	for (size_t a = 0; a < 2; a++) {
		struct zs_host_pages *hp = NULL;
		struct zs_pool *pool;
		struct zs_pool_stats st;
		unsigned long h[23];
		unsigned int bits = arches[a] == ZS_ARCH_ARM32 ? 12 : 30;

		REQUIRE(zs_host_pages_create(4096, 8, &hp) == 0);
		pool = make_pool("v3.18", arches[a], hp);
		REQUIRE(pool);
		zs_pool_stats(pool, &st);
		CHECK_EQ(st.handle_slot_bytes, 0);
		CHECK_EQ(st.obj_header_bytes, 0);
		for (unsigned int i = 0; i < 23; i++)
			REQUIRE(zs_malloc(pool, 192, 0, &h[i]) == 0);
		zs_pool_stats(pool, &st);
		CHECK_EQ(st.handles_allocated, 0);
		/* fresh host frames 0, 1, 2 make the chain */
		CHECK_U64_EQ(h[0], (0UL << bits) | 1);
		CHECK_U64_EQ(h[21], (0UL << bits) | 22);
		CHECK_U64_EQ(h[22], (1UL << bits) | 1);
		CHECK_EQ(zs_get_total_pages(pool), 3);
		/* a payload of the full 192 bytes: nothing is reserved in the object */
		CHECK_EQ(write_payload(pool, h[21], 192, 21, ZS_MM_WO), 0);
		CHECK_EQ(read_payload(pool, h[21], 192, 21), 192);
		CHECK(pool_ok(pool));
		for (unsigned int i = 0; i < 23; i++)
			zs_free(pool, h[i]);
		CHECK_EQ(zs_get_total_pages(pool), 0);
		zs_destroy_pool(pool);
		zs_host_pages_destroy(hp);
	}
}

/*
 * rfc2014: each handle slot is an object of a sizeof(long) class inside the
 * pool (1 page: 4096 / 8 = 512 slots on x86_64, 4096 / 4 = 1024 on arm32).
 * One allocation of 184 B (+8 header = class 192, 3 pages) costs 3 + 1 pages.
 * 513 allocations of 24 B on x86_64 (+8 = 32 B class, 1 page of 128 objects)
 * need ceil(513 / 128) = 5 object pages and ceil(513 / 512) = 2 handle pages.
 */
static void test_rfc2014_handle_pages(void)
{
	struct zs_host_pages *hp = NULL;
	struct zs_pool *pool;
	struct zs_pool_stats st;
	unsigned long h[513], one;

	REQUIRE(zs_host_pages_create(4096, 64, &hp) == 0);
	pool = make_pool("rfc2014", ZS_ARCH_X86_64, hp);
	REQUIRE(pool);
	zs_pool_stats(pool, &st);
	CHECK_EQ(st.handle_slot_bytes, 8);
	CHECK_EQ(st.obj_header_bytes, 8);
	REQUIRE(zs_malloc(pool, 184, 0, &one) == 0);
	CHECK_EQ(zs_get_total_pages(pool), 3 + 1);
	CHECK(pool_ok(pool));
	zs_free(pool, one);
	CHECK_EQ(zs_get_total_pages(pool), 0);
	CHECK(pool_ok(pool));

	for (unsigned int i = 0; i < 513; i++)
		REQUIRE(zs_malloc(pool, 24, 0, &h[i]) == 0);
	CHECK_EQ(zs_get_total_pages(pool), 5 + 2);
	CHECK_EQ(zs_host_pages_used(hp), 7);
	zs_pool_stats(pool, &st);
	CHECK_EQ(st.handles_allocated, 513);
	CHECK(pool_ok(pool));
	/* the last handle alone keeps the second handle page and the fifth object page */
	zs_free(pool, h[512]);
	CHECK_EQ(zs_get_total_pages(pool), 4 + 1);
	CHECK(pool_ok(pool));
	for (unsigned int i = 0; i < 512; i++)
		zs_free(pool, h[i]);
	CHECK_EQ(zs_get_total_pages(pool), 0);
	CHECK(pool_ok(pool));
	zs_destroy_pool(pool);
	zs_host_pages_destroy(hp);

	/* arm32: 4-byte slots, 1024 per page; 184 B + 4 = 188 -> class 192 again */
	REQUIRE(zs_host_pages_create(4096, 64, &hp) == 0);
	pool = make_pool("rfc2014", ZS_ARCH_ARM32, hp);
	REQUIRE(pool);
	zs_pool_stats(pool, &st);
	CHECK_EQ(st.handle_slot_bytes, 4);
	REQUIRE(zs_malloc(pool, 188, 0, &one) == 0);
	CHECK_EQ(zs_get_total_pages(pool), 3 + 1);
	CHECK(pool_ok(pool));
	zs_free(pool, one);
	CHECK_EQ(zs_get_total_pages(pool), 0);
	zs_destroy_pool(pool);
	zs_host_pages_destroy(hp);
}

/* 4.1+: slots come from outside the pool; pages are only the objects' zspages. */
static void test_slab_handles(void)
{
	static const char *const profiles[] = { "v4.1", "v4.3", "v4.8", "v6.1", "v6.12" };

	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct zs_host_pages *hp = NULL;
		struct zs_pool *pool;
		struct zs_pool_stats st;
		unsigned long h1, h2;

		REQUIRE(zs_host_pages_create(4096, 8, &hp) == 0);
		pool = make_pool(profiles[i], ZS_ARCH_X86_64, hp);
		REQUIRE(pool);
		REQUIRE(zs_malloc(pool, 184, 0, &h1) == 0);
		REQUIRE(zs_malloc(pool, 184, 0, &h2) == 0);
		CHECK_EQ(zs_get_total_pages(pool), 3); /* class 192: one 3-page zspage */
		CHECK(h1 != h2);
		zs_pool_stats(pool, &st);
		CHECK_EQ(st.handle_slot_bytes, 8);
		CHECK_EQ(st.handles_allocated, 2);
		CHECK_EQ(st.zspages, 1);
		zs_free(pool, h1);
		zs_pool_stats(pool, &st);
		CHECK_EQ(st.handles_allocated, 1);
		zs_free(pool, h2);
		zs_pool_stats(pool, &st);
		CHECK_EQ(st.handles_allocated, 0);
		CHECK_EQ(st.zspages, 0);
		zs_destroy_pool(pool);
		zs_host_pages_destroy(hp);
	}
}

/* ---- bad arguments and exhaustion ---- */

static void test_bad_sizes(void)
{
	for (const char *const *n = zs_profile_names(); *n; n++) {
		struct zs_host_pages *hp = NULL;
		struct zs_pool *pool;
		unsigned long h = 12345;
		int want_big = strcmp(*n, "v6.12") == 0 ? -ENOSPC : -EINVAL;

		REQUIRE(zs_host_pages_create(4096, 8, &hp) == 0);
		pool = make_pool(*n, ZS_ARCH_X86_64, hp);
		REQUIRE(pool);
		CHECK_EQ(zs_malloc(pool, 0, 0, &h), -EINVAL);
		CHECK_EQ(zs_malloc(pool, 4097, 0, &h), want_big);
		CHECK_EQ(zs_malloc(pool, 1 << 20, 0, &h), want_big);
		CHECK_EQ(h, 12345); /* untouched on failure */
		CHECK_EQ(zs_get_total_pages(pool), 0);
		CHECK(pool_ok(pool));
		/* exactly a page is fine, and is one huge page (+ rfc2014's handle page) */
		CHECK_EQ(zs_malloc(pool, 4096, 0, &h), 0);
		CHECK_EQ(zs_get_total_pages(pool), strcmp(*n, "rfc2014") == 0 ? 2 : 1);
		zs_free(pool, h);
		zs_free(pool, 0); /* a no-op, as the kernel's zs_free(pool, 0) */
		CHECK(pool_ok(pool));
		CHECK_EQ(zs_get_total_pages(pool), 0);
		zs_destroy_pool(pool);
		zs_host_pages_destroy(hp);
	}
}

/*
 * A provider of 5 pages and class 192 (3 pages per zspage): 64 objects fit
 * in the first zspage; the 65th needs a second zspage, whose third page
 * cannot be had: -ENOMEM, the two pages taken are given back, and the pool
 * looks exactly as before. rfc2014 also needs a handle page: 1 handle page +
 * 3 object pages leave 1, so the second zspage fails at its second page.
 */
static void exhaust_one(const char *profile)
{
	struct zs_host_pages *hp = NULL;
	struct zs_pool *pool;
	struct zs_pool_stats before, after;
	unsigned long h[65], spare = 777;
	size_t req;
	unsigned long pages;

	REQUIRE(zs_host_pages_create(4096, 5, &hp) == 0);
	pool = make_pool(profile, ZS_ARCH_X86_64, hp);
	REQUIRE(pool);
	req = 192 - header_of(pool);
	for (unsigned int i = 0; i < 64; i++) {
		REQUIRE(zs_malloc(pool, req, 0, &h[i]) == 0);
		CHECK_EQ(write_payload(pool, h[i], req, i, ZS_MM_WO), 0);
	}
	pages = zs_get_total_pages(pool);
	CHECK_EQ(pages, strcmp(profile, "rfc2014") == 0 ? 4 : 3);
	zs_pool_stats(pool, &before);
	CHECK_EQ(zs_malloc(pool, req, 0, &spare), -ENOMEM);
	CHECK_EQ(spare, 777);
	zs_pool_stats(pool, &after);
	CHECK_EQ(zs_get_total_pages(pool), pages);
	CHECK_EQ(zs_host_pages_used(hp), pages);
	CHECK_EQ(after.handles_allocated, before.handles_allocated);
	CHECK_EQ(after.zspages, before.zspages);
	CHECK(pool_ok(pool));
	/* a small object of another class needs a 1-page zspage: still fits (rfc2014: 1 left) */
	CHECK_EQ(zs_malloc(pool, 8, 0, &spare), 0);
	CHECK(pool_ok(pool));
	zs_free(pool, spare);
	/* a freed slot in the existing zspage is reused without a new page */
	zs_free(pool, h[10]);
	CHECK_EQ(zs_malloc(pool, req, 0, &h[10]), 0);
	CHECK_EQ(write_payload(pool, h[10], req, 10, ZS_MM_WO), 0);
	CHECK_EQ(zs_get_total_pages(pool), pages);
	for (unsigned int i = 0; i < 64; i++)
		CHECK_EQ(read_payload(pool, h[i], req, i), req);
	CHECK(pool_ok(pool));
	for (unsigned int i = 0; i < 64; i++)
		zs_free(pool, h[i]);
	CHECK_EQ(zs_get_total_pages(pool), 0);
	CHECK_EQ(zs_host_pages_used(hp), 0);
	zs_destroy_pool(pool);
	zs_host_pages_destroy(hp);
}

static void test_provider_exhausted(void)
{
	for (const char *const *n = zs_profile_names(); *n; n++) {
		int before = tu_failures;

		exhaust_one(*n);
		if (tu_failures != before)
			fprintf(stderr, "  ^ profile %s\n", *n);
	}
}

/* rfc2014 with no page left at all: the handle slot itself cannot be had. */
static void test_rfc2014_no_handle_page(void)
{
	struct zs_host_pages *hp = NULL;
	struct zs_pool *pool;
	unsigned long h = 5, big;

	REQUIRE(zs_host_pages_create(4096, 1, &hp) == 0);
	pool = make_pool("rfc2014", ZS_ARCH_X86_64, hp);
	REQUIRE(pool);
	/* handle page (1) + a 1-page zspage (1) > 1 page: fails at the zspage */
	CHECK_EQ(zs_malloc(pool, 24, 0, &h), -ENOMEM);
	CHECK_EQ(zs_get_total_pages(pool), 0);
	CHECK_EQ(zs_host_pages_used(hp), 0);
	CHECK(pool_ok(pool));
	zs_destroy_pool(pool);
	zs_host_pages_destroy(hp);

	/* 2 pages: one object fits; a second zspage class then fails */
	REQUIRE(zs_host_pages_create(4096, 2, &hp) == 0);
	pool = make_pool("rfc2014", ZS_ARCH_X86_64, hp);
	REQUIRE(pool);
	CHECK_EQ(zs_malloc(pool, 24, 0, &h), 0);
	CHECK_EQ(zs_get_total_pages(pool), 2);
	big = 9;
	CHECK_EQ(zs_malloc(pool, 1000, 0, &big), -ENOMEM);
	CHECK_EQ(big, 9);
	CHECK_EQ(zs_get_total_pages(pool), 2);
	CHECK(pool_ok(pool));
	zs_free(pool, h);
	CHECK_EQ(zs_get_total_pages(pool), 0);
	zs_destroy_pool(pool);
	zs_host_pages_destroy(hp);
}

/* Pool teardown with live objects gives every page back to the provider. */
static void test_destroy_with_live_objects(void)
{
	for (const char *const *n = zs_profile_names(); *n; n++) {
		struct zs_host_pages *hp = NULL;
		struct zs_pool *pool;
		unsigned long h;

		REQUIRE(zs_host_pages_create(4096, 256, &hp) == 0);
		pool = make_pool(*n, ZS_ARCH_X86_64, hp);
		REQUIRE(pool);
		for (size_t s = 1; s <= 4096; s += 97)
			REQUIRE(zs_malloc(pool, s, 0, &h) == 0);
		CHECK(zs_host_pages_used(hp) > 0);
		CHECK_EQ(zs_host_pages_used(hp), zs_get_total_pages(pool));
		zs_destroy_pool(pool);
		CHECK_EQ(zs_host_pages_used(hp), 0);
		zs_host_pages_destroy(hp);
	}
}

/*
 * zs_malloc_new_zspage_once: the next allocation takes a zspage of its own though its class
 * has room (a capture's mark of a zs_malloc that made one with the lock dropped), once; the
 * one after fills the fullest zspage as before. 1000-byte objects on 6.1: 4 to a 1-page
 * zspage (class 1024).
 */
static void test_new_zspage_once(void)
{
	struct zs_host_pages *hp = NULL;
	struct zs_pool *pool;
	unsigned long h[4];

	REQUIRE(zs_host_pages_create(4096, 64, &hp) == 0);
	pool = make_pool("v6.1", ZS_ARCH_X86_64, hp);
	REQUIRE(pool);
	REQUIRE(zs_malloc(pool, 1000, 0, &h[0]) == 0);
	CHECK_EQ(zs_get_total_pages(pool), 1);
	REQUIRE(zs_malloc(pool, 1000, 0, &h[1]) == 0);
	CHECK_EQ(zs_get_total_pages(pool), 1); /* room in the first */
	zs_malloc_new_zspage_once(pool);
	REQUIRE(zs_malloc(pool, 1000, 0, &h[2]) == 0);
	CHECK_EQ(zs_get_total_pages(pool), 2); /* its own, room or not */
	REQUIRE(zs_malloc(pool, 1000, 0, &h[3]) == 0);
	CHECK_EQ(zs_get_total_pages(pool), 2); /* once only */
	CHECK(pool_ok(pool));
	for (size_t i = 0; i < 4; i++)
		zs_free(pool, h[i]);
	CHECK_EQ(zs_get_total_pages(pool), 0);
	zs_destroy_pool(pool);
	zs_host_pages_destroy(hp);
}

int main(void)
{
	RUN(test_roundtrip_every_profile);
	RUN(test_straddling_objects);
	RUN(test_v318_direct_handles);
	RUN(test_rfc2014_handle_pages);
	RUN(test_slab_handles);
	RUN(test_bad_sizes);
	RUN(test_provider_exhausted);
	RUN(test_rfc2014_no_handle_page);
	RUN(test_destroy_with_live_objects);
	RUN(test_new_zspage_once);
	return test_summary();
}
