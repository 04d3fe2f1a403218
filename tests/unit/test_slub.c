/*
 * test_slub.c - one SLUB cache object by object (sim/slub.c): geometry from
 * calculate_sizes/calculate_order/set_min_partial/set_cpu_partial, where
 * objects go, and which slabs go back, against hand calculations.
 */
#include <errno.h>
#include <string.h>

#include "slub.h"
#include "test_util.h"

struct fake_pages {
	unsigned long next_pfn;
	unsigned long held;  /* pages, not slabs */
	unsigned long freed; /* slabs given back */
	int fail;	     /* refuse allocations */
	int try_fail;	     /* refuse the no-reclaim first attempts (try_alloc) */
	unsigned long tries; /* try_alloc calls */
};

static int fake_alloc(void *ctx, unsigned int order, unsigned long *pfn)
{
	struct fake_pages *f = ctx;

	if (f->fail)
		return -ENOMEM;
	*pfn = f->next_pfn;
	f->next_pfn += 1ul << order;
	f->held += 1ul << order;
	return 0;
}

static int fake_try(void *ctx, unsigned int order, unsigned long *pfn)
{
	struct fake_pages *f = ctx;

	f->tries++;
	return f->try_fail ? -ENOMEM : fake_alloc(ctx, order, pfn);
}

static void fake_free(void *ctx, unsigned long pfn, unsigned int order)
{
	struct fake_pages *f = ctx;

	(void)pfn;
	f->held -= 1ul << order;
	f->freed++;
}

static void check_ok(const struct slub_cache *c)
{
	char msg[256] = "";
	int err = slub_check(c, msg, sizeof(msg));

	if (err)
		TU_FAIL_("slub_check: %s", msg);
}

/*
 * zs_handle on arm32: sizeof(long) 4 -> pointer 4 -> ARCH_SLAB_MINALIGN 8: 8 B,
 * 512 in an order-0 slab (min_objects 4 * (fls(1) + 1) = 8, 4096 % 8 = 0),
 * min_partial max(5, ilog2(8) / 2 = 1) = 5, per-CPU partial 120 objects:
 * DIV_ROUND_UP(240, 512) = 1 slab. struct zspage 32 B (arm32): 128, 2 slabs;
 * 56 B (x86_64): 73 (4096 - 73 * 56 = 8 <= 256), DIV_ROUND_UP(240, 73) = 4.
 * kmalloc-4096-like 4096 B: get_order(8 * 4096) = 3, 8 objects, min_partial
 * ilog2(4096) / 2 = 6, 6 objects: DIV_ROUND_UP(12, 8) = 2 slabs. 1024 B:
 * order 1, 8 objects; 192 B: order 0 (4096 % 192 = 64 <= 4096 / 16), 21.
 * With 4 CPUs min_objects is 4 * (3 + 1) = 16: 1024 B needs order 2.
 */
static void test_geometry(void)
{
	struct slub_geometry g;

	REQUIRE(slub_geometry(4, 4, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.size, 8);
	CHECK_EQ(g.order, 0);
	CHECK_EQ(g.objects, 512);
	CHECK_EQ(g.min_partial, 5);
	CHECK_EQ(g.cpu_partial_slabs, 1);
	REQUIRE(slub_geometry(8, 8, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.size, 8);
	CHECK_EQ(g.objects, 512);
	REQUIRE(slub_geometry(32, 4, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.objects, 128);
	CHECK_EQ(g.min_partial, 5);
	CHECK_EQ(g.cpu_partial_slabs, 2);
	REQUIRE(slub_geometry(56, 8, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.size, 56);
	CHECK_EQ(g.order, 0);
	CHECK_EQ(g.objects, 73);
	CHECK_EQ(g.cpu_partial_slabs, 4);
	REQUIRE(slub_geometry(28, 4, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.size, 32);
	REQUIRE(slub_geometry(4096, 8, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.order, 3);
	CHECK_EQ(g.objects, 8);
	CHECK_EQ(g.min_partial, 6);
	CHECK_EQ(g.cpu_partial_slabs, 2);
	REQUIRE(slub_geometry(1024, 8, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.order, 1);
	CHECK_EQ(g.objects, 8);
	REQUIRE(slub_geometry(192, 8, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.order, 0);
	CHECK_EQ(g.objects, 21);
	REQUIRE(slub_geometry(1024, 8, 8, 4096, 4, &g) == 0);
	CHECK_EQ(g.order, 2);
	CHECK_EQ(g.objects, 16);
	CHECK_EQ(g.min_order, 0); /* s->min: get_order(1024) = 0, 4 a page */
	CHECK_EQ(g.min_objects, 4);
	REQUIRE(slub_geometry(4096, 8, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.min_order, 0);
	CHECK_EQ(g.min_objects, 1);
	CHECK_EQ(slub_geometry(0, 8, 8, 4096, 1, &g), -EINVAL);
}

static void setup(struct slub_cache *c, struct fake_pages *f, unsigned int object_size)
{
	struct slub_geometry g;
	struct slub_page_ops ops = {.alloc = fake_alloc, .free = fake_free, .ctx = f};

	memset(f, 0, sizeof(*f));
	REQUIRE(slub_geometry(object_size, 4, 8, 4096, 1, &g) == 0);
	REQUIRE(slub_cache_init(c, &g, &ops) == 0);
}

/*
 * zs_handle geometry (512 a slab, min_partial 5, 1 per-CPU partial slab).
 * 5,120 objects fill slabs 0..9 (9 the CPU slab). Every second freed, in
 * order: slab 0's first free puts it on the per-CPU list; slab k's first
 * free drains slab k-1 to the node list (half used, kept): 0..7 on the
 * node, 8 per-CPU, 9 the CPU slab; 10 slabs kept. The other half freed in
 * order: 0, 1, 2, 3 empty with 8, 7, 6, 5 partial slabs on the node (>= 5):
 * discarded; 4..7 empty with 4, 4, 4, 4 (< 5): kept; 8 (per-CPU) and 9
 * (CPU) kept empty: 6 slabs, none in use. One more object goes to slab 9.
 */
static void test_half_then_all(void)
{
	struct slub_cache c;
	struct fake_pages f;
	unsigned long pfn;

	setup(&c, &f, 4);
	for (uint64_t id = 0; id < 5120; id++)
		REQUIRE(slub_alloc(&c, id) == 0);
	CHECK_U64_EQ(c.slabs_live, 10);
	CHECK_EQ(f.held, 10);
	CHECK_EQ(slub_alloc(&c, 7), -EEXIST);
	check_ok(&c);
	for (uint64_t id = 0; id < 5120; id += 2)
		REQUIRE(slub_free(&c, id) == 0);
	CHECK_U64_EQ(c.objects_live, 2560);
	CHECK_U64_EQ(c.slabs_live, 10);
	CHECK_EQ(c.nr_partial, 8);
	CHECK_EQ(f.freed, 0);
	check_ok(&c);
	for (uint64_t id = 1; id < 5120; id += 2)
		REQUIRE(slub_free(&c, id) == 0);
	CHECK_U64_EQ(c.objects_live, 0);
	CHECK_U64_EQ(c.slabs_live, 6);
	CHECK_EQ(c.nr_partial, 4);
	CHECK_EQ(f.freed, 4);
	CHECK_EQ(f.held, 6);
	CHECK_EQ(slub_free(&c, 1), -ENOENT);
	check_ok(&c);
	REQUIRE(slub_alloc(&c, 99999) == 0);
	REQUIRE(slub_object_pfn(&c, 99999, &pfn) == 0);
	CHECK_EQ(pfn, 9); /* the fake hands out pfns 0, 1, ...: slab 9 is the CPU slab */
	CHECK_U64_EQ(c.slabs_allocated, 10);
	slub_cache_destroy(&c, 1);
	CHECK_EQ(f.held, 0);
}

/*
 * The half-freed cache above refilled: 2,560 objects go to slab 9 (256),
 * slab 8 from the per-CPU list (256), then get_partial_node takes slab 0 for
 * the CPU and slab 1 for the per-CPU list (1 moved > 1 / 2), and so on: every
 * slab full again and no new slab; the next object takes slab 10.
 */
static void test_refill_partial(void)
{
	struct slub_cache c;
	struct fake_pages f;
	unsigned long pfn;

	setup(&c, &f, 4);
	for (uint64_t id = 0; id < 5120; id++)
		REQUIRE(slub_alloc(&c, id) == 0);
	for (uint64_t id = 0; id < 5120; id += 2)
		REQUIRE(slub_free(&c, id) == 0);
	for (uint64_t id = 10000; id < 10000 + 256; id++)
		REQUIRE(slub_alloc(&c, id) == 0);
	REQUIRE(slub_object_pfn(&c, 10000 + 255, &pfn) == 0);
	CHECK_EQ(pfn, 9);
	REQUIRE(slub_alloc(&c, 20000) == 0);
	REQUIRE(slub_object_pfn(&c, 20000, &pfn) == 0);
	CHECK_EQ(pfn, 8);
	for (uint64_t id = 20001; id < 20000 + 256; id++)
		REQUIRE(slub_alloc(&c, id) == 0);
	REQUIRE(slub_alloc(&c, 30000) == 0);
	REQUIRE(slub_object_pfn(&c, 30000, &pfn) == 0);
	CHECK_EQ(pfn, 0);
	CHECK_EQ(c.nr_partial, 6); /* slabs 0 and 1 left the node list */
	for (uint64_t id = 30001; id < 30000 + 2048; id++)
		REQUIRE(slub_alloc(&c, id) == 0);
	CHECK_U64_EQ(c.objects_live, 5120);
	CHECK_U64_EQ(c.slabs_allocated, 10);
	CHECK_EQ(c.nr_partial, 0);
	check_ok(&c);
	REQUIRE(slub_alloc(&c, 40000) == 0);
	REQUIRE(slub_object_pfn(&c, 40000, &pfn) == 0);
	CHECK_EQ(pfn, 10);
	CHECK_U64_EQ(c.slabs_live, 11);
	slub_cache_destroy(&c, 1);
}

/*
 * 1,024-byte objects on one CPU: order 1, 8 a slab, min_partial 5 (ilog2
 * 1024 / 2), 24 per-CPU objects = DIV_ROUND_UP(48, 8) = 6 slabs. 14 slabs
 * filled (13 the CPU slab); one object freed in each of slabs 0..6: 0..5 go
 * on the per-CPU list, slab 6's free finds 6 there and drains them to the
 * node (7 in use each, kept) and starts a new list. Slab 6 emptied: on the
 * per-CPU list, kept. One freed in each of 7..11: the list is 11..6, six
 * slabs; slab 12's first free drains it: 11..7 to the node (11 there), then
 * slab 6, empty, with 11 >= 5 on the node: discarded. Slab 0 emptied on the
 * node with 11 there: discarded too.
 */
static void test_drain_discards(void)
{
	struct slub_cache c;
	struct fake_pages f;
	struct slub_geometry g;
	struct slub_page_ops ops = {.alloc = fake_alloc, .free = fake_free, .ctx = &f};

	memset(&f, 0, sizeof(f));
	REQUIRE(slub_geometry(1024, 8, 8, 4096, 1, &g) == 0);
	CHECK_EQ(g.cpu_partial_slabs, 6);
	REQUIRE(slub_cache_init(&c, &g, &ops) == 0);
	for (uint64_t id = 0; id < 112; id++)
		REQUIRE(slub_alloc(&c, id) == 0);
	CHECK_EQ(f.held, 28);
	for (uint64_t s = 0; s < 7; s++)
		REQUIRE(slub_free(&c, s * 8) == 0);
	CHECK_EQ(c.nr_partial, 6);
	for (uint64_t id = 49; id < 56; id++)
		REQUIRE(slub_free(&c, id) == 0);
	for (uint64_t s = 7; s < 12; s++)
		REQUIRE(slub_free(&c, s * 8) == 0);
	CHECK_U64_EQ(c.slabs_live, 14); /* slab 6 empty on the per-CPU list */
	CHECK_EQ(c.nr_partial, 6);
	REQUIRE(slub_free(&c, 96) == 0);
	CHECK_U64_EQ(c.slabs_live, 13);
	CHECK_EQ(f.held, 26);
	CHECK_EQ(c.nr_partial, 11);
	for (uint64_t id = 1; id < 8; id++)
		REQUIRE(slub_free(&c, id) == 0);
	CHECK_U64_EQ(c.slabs_live, 12);
	CHECK_EQ(c.nr_partial, 10);
	check_ok(&c);
	slub_cache_destroy(&c, 1);
	CHECK_EQ(f.held, 0);
}

/* No page: the object is counted and placed nowhere; its free is accepted. */
static void test_no_page(void)
{
	struct slub_cache c;
	struct fake_pages f;
	unsigned long pfn;

	setup(&c, &f, 4);
	f.fail = 1;
	REQUIRE(slub_alloc(&c, 1) == 0);
	CHECK_U64_EQ(c.alloc_fail, 1);
	CHECK_U64_EQ(c.slabs_live, 0);
	CHECK_EQ(slub_object_pfn(&c, 1, &pfn), -ENOENT);
	check_ok(&c);
	REQUIRE(slub_free(&c, 1) == 0);
	CHECK_U64_EQ(c.objects_live, 0);
	slub_cache_destroy(&c, 1);
}


/*
 * allocate_slab's fallback (mm/slub.c): 1024 B with 4 CPUs is an order-2 cache of 16
 * objects whose minimum order is 0 (4 objects). While the no-reclaim first attempt
 * succeeds, slabs are order 2; when it fails the slab is order 0 with 4 objects: objects
 * 0..15 fill one order-2 slab (4 pages), 16..19 an order-0 slab, 20 a second one (6 pages,
 * 2 fallbacks). Without try_alloc no attempt is made and the cache's order is used.
 * Destroying gives back each slab at its own order: nothing held after.
 */
static void test_order_fallback(void)
{
	struct slub_cache c;
	struct fake_pages f;
	struct slub_geometry g;
	struct slub_page_ops ops = {
	    .alloc = fake_alloc, .try_alloc = fake_try, .free = fake_free, .ctx = &f};
	unsigned long pfn;

	memset(&f, 0, sizeof(f));
	REQUIRE(slub_geometry(1024, 8, 8, 4096, 4, &g) == 0);
	REQUIRE(slub_cache_init(&c, &g, &ops) == 0);
	for (uint64_t id = 0; id < 16; id++)
		REQUIRE(slub_alloc(&c, id) == 0);
	CHECK_EQ(f.held, 4);
	CHECK_EQ(f.tries, 1);
	f.try_fail = 1;
	for (uint64_t id = 16; id < 21; id++)
		REQUIRE(slub_alloc(&c, id) == 0);
	CHECK_EQ(f.held, 6);
	CHECK_EQ(f.tries, 3);
	CHECK_U64_EQ(c.slabs_live, 3);
	CHECK_U64_EQ(c.slabs_fallback, 2);
	REQUIRE(slub_object_pfn(&c, 16, &pfn) == 0);
	CHECK_EQ(pfn, 4);
	REQUIRE(slub_object_pfn(&c, 19, &pfn) == 0);
	CHECK_EQ(pfn, 4);
	REQUIRE(slub_object_pfn(&c, 20, &pfn) == 0);
	CHECK_EQ(pfn, 5);
	check_ok(&c);
	for (uint64_t id = 16; id < 20; id++)
		REQUIRE(slub_free(&c, id) == 0);
	check_ok(&c);
	slub_cache_destroy(&c, 1);
	CHECK_EQ(f.held, 0);

	/* no try_alloc (zsmalloc's caches): the cache's order, no attempt */
	memset(&f, 0, sizeof(f));
	f.try_fail = 1;
	ops.try_alloc = NULL;
	REQUIRE(slub_cache_init(&c, &g, &ops) == 0);
	REQUIRE(slub_alloc(&c, 1) == 0);
	CHECK_EQ(f.held, 4);
	CHECK_U64_EQ(c.slabs_fallback, 0);
	slub_cache_destroy(&c, 1);
	CHECK_EQ(f.held, 0);
}

int main(void)
{
	RUN(test_geometry);
	RUN(test_half_then_all);
	RUN(test_refill_partial);
	RUN(test_drain_discards);
	RUN(test_no_page);
	RUN(test_order_fallback);
	return test_summary();
}
