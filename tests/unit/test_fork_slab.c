/*
 * test_fork_slab.c - fork_slab "slub" (sim/fork.c over sim/slub.c): a fork's
 * slab objects in caches whose slabs are shared among forks and kept after
 * the children exit as SLUB keeps them, on the hand-built machine of
 * page_alloc_layouts.h, worked by hand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fork.h"
#include "page_alloc_layouts.h"
#include "zsmalloc.h"

/*
 * The tests' one cache: objects of 2048 B, order-1 slabs of 4, min_partial 2, cpu_partial 2
 * objects; a fork takes 2 objects and its order-0 pgd, nothing else.
 */
static const struct fork_slab_cache one_cache[] = {{"t", 2048, 1, 4, 2, 2, 2}};

static struct sim_fork_cost slub_cost(void)
{
	return (struct sim_fork_cost){0, 0, 0, -1, 0, 0, 1, one_cache, 1, {{"", 0}}, 0};
}

/* Order-1 slab blocks owned by the slab allocator, all unmovable: how many. */
static unsigned long slab_blocks(struct physmem *pm)
{
	unsigned long n = 0;

	for (unsigned long p = 0; p < physmem_nr_frames(pm); p++) {
		struct physmem_block blk;

		if (physmem_block_at(pm, p, &blk) || blk.free || blk.head_pfn != p ||
		    blk.owner != PHYSMEM_OWNER_SLAB)
			continue;
		CHECK_EQ(blk.order, 1);
		CHECK_EQ(blk.mt, PHYSMEM_MT_UNMOVABLE);
		n++;
	}
	return n;
}

/*
 * fork_slab "slub": a cache of 4 objects per order-1 slab, min_partial 2, cpu_partial 2
 * objects (DIV_ROUND_UP(2 * 2, 4) = 1 per-CPU partial slab); each fork takes 2 objects and
 * its order-0 pgd, nothing else. Worked by hand (sim/slub.c's rules):
 * probe 1, 10 forks: 20 objects fill slabs A B C D E (E the CPU slab): 5 slabs, 10 pages.
 * The children exit in fork order: A's first free puts it on the per-CPU list; B's drains
 * the list (A, empty, to the node: 1 partial), C's (B to the node: 2), D's (C empty and the
 * node has min_partial 2: C discarded); E is the CPU slab. Kept A B D E: 8 pages, 1 freed.
 * Probe 2: forks 0-1 fill E, 2-3 D (the per-CPU slab), then get_partial_node takes A for
 * the CPU and moves B to the per-CPU list (moved 1 > 1 / 2): forks 4-5 A, 6-7 B, 8-9 a new
 * slab F: 6 slabs made, 10 pages at the peak. Exits: E to the per-CPU list, D's first free
 * moves E to the node (0 partial before: kept), A's moves D (1: kept), B's finds A empty
 * with 2 on the node: discarded; F is the CPU slab. Kept E D B F: 8 pages, 2 freed.
 */
static void test_fork_slab_slub(void)
{
	struct physmem *pm = machine(5);
	struct sim_fork_cost c = slub_cost();
	struct page_alloc pa;
	struct sim_forks fk;
	struct fake f;

	REQUIRE(pm != NULL);
	fork_cost_resolve(&c, "v6.1", ZS_ARCH_ARM32, 4096);
	CHECK_EQ(c.slab_pages, 0);
	CHECK(c.slab_caches == one_cache);
	init(&pa, pm, "v6.1", &f);
	REQUIRE(fork_init(&fk, &pa, &c) == 0);
	CHECK_EQ(fk.caches[0].g.cpu_partial_slabs, 1);
	CHECK_EQ(fork_probe(&fk, 10), 0);
	CHECK_EQ(fk.st.succeeded, 10);
	CHECK_EQ(fk.caches[0].slabs_allocated, 5);
	CHECK_EQ(fk.caches[0].slabs_freed, 1);
	CHECK_EQ(fk.caches[0].slabs_live, 4);
	CHECK_EQ(fk.caches[0].nr_partial, 2);
	CHECK_EQ(fk.slab_pages, 8);
	CHECK_EQ(fk.st.pages_live, 0);
	CHECK_EQ(slab_blocks(pm), 4);
	physmem_pcp_drain(pm, -1);
	CHECK_EQ(physmem_free_pages(pm), NFRAMES - 8);
	CHECK_EQ(fork_probe(&fk, 10), 0);
	CHECK_EQ(fk.caches[0].slabs_allocated, 6);
	CHECK_EQ(fk.caches[0].slabs_freed, 2);
	CHECK_EQ(fk.caches[0].slabs_live, 4);
	CHECK_EQ(fk.caches[0].nr_partial, 2);
	CHECK_EQ(fk.slab_pages, 8);
	CHECK_EQ(slab_blocks(pm), 4);
	physmem_pcp_drain(pm, -1);
	CHECK_EQ(physmem_free_pages(pm), NFRAMES - 8);
	/* one fork and its exit through the k path: 2 objects in the CPU slab F, no new slab */
	CHECK_EQ(fork_copy_process(&fk, 7), 0);
	CHECK_EQ(fk.caches[0].objects_live, 2);
	CHECK_EQ(fk.st.pages_live, 1);
	CHECK_EQ(fork_release_task(&fk, 7), 0);
	CHECK_EQ(fk.caches[0].objects_live, 0);
	CHECK_EQ(fk.caches[0].slabs_allocated, 6);
	{
		char msg[200];

		CHECK_EQ(fork_slab_check(&fk, msg, sizeof(msg)), 0);
	}
	fork_destroy(&fk);
	physmem_destroy(pm);
}

/*
 * fork_slab "slub" with no order-1 block to be had (checkerboard: 32 free frames, no two
 * buddies; kernel pages compaction cannot move; reclaim frees nothing). allocate_slab tries
 * the cache's order 1 without reclaim, fails, and falls back to its minimum order 0 (2,048 B:
 * 2 objects a page): no stall, no OOM kill. Each of the 5 forks takes 2 objects, so slabs
 * A..E of one page each, all fast. At the exits (cpu_partial_slabs DIV_ROUND_UP(4, 4) = 1,
 * min_partial 2): A's first free puts it on the per-CPU list; B's moves A (empty) to the
 * node (0 < 2 partial: kept); C's moves B there (1 < 2: kept); D's finds 2 on the node and
 * discards C; D stays per-CPU and E is the CPU slab: 4 pages kept, 28 free.
 */
static void test_fork_slab_fallback(void)
{
	struct physmem *pm = machine(5);
	struct sim_fork_cost c = slub_cost();
	struct page_alloc pa;
	struct sim_forks fk;
	struct fake f;

	REQUIRE(pm != NULL);
	checkerboard(pm);
	fork_cost_resolve(&c, "v6.1", ZS_ARCH_ARM32, 4096);
	init(&pa, pm, "v6.1", &f);
	REQUIRE(fork_init(&fk, &pa, &c) == 0);
	CHECK_EQ(fork_probe(&fk, 5), 0);
	CHECK_EQ(fk.st.attempted, 5);
	CHECK_EQ(fk.st.outcomes[ALLOC_FAST], 5);
	CHECK_EQ(fk.st.oom_kills, 0);
	CHECK_EQ(fk.caches[0].alloc_fail, 0);
	CHECK_EQ(fk.caches[0].slabs_allocated, 5);
	CHECK_EQ(fk.caches[0].slabs_fallback, 5);
	CHECK_EQ(fk.caches[0].slabs_freed, 1);
	CHECK_EQ(fk.caches[0].objects_live, 0);
	CHECK_EQ(fk.slab_pages, 4);
	CHECK_EQ(fk.st.pages_live, 0);
	CHECK_EQ(physmem_free_pages(pm), 28);
	fork_destroy(&fk);
	physmem_destroy(pm);
}

/*
 * fork_slab_start: the cache starts with 5 free objects in slabs that exist before the
 * replay: S1 with 3 free (1 object another owner's), S2 with 2 (2 others'), on the node's
 * list; no frame modelled. Worked by hand: fork 1 takes S1 for the CPU (get_partial_node
 * moves S2 to the per-CPU list: moved 1 > 1 / 2) and 2 objects from it; fork 2 the last of
 * S1, then S2 from the per-CPU list, 1 object; fork 3 the last of S2, then the first new
 * slab A (2 pages). Without the start fork 1 takes A. Exits in pid order: 1 puts S1 (full)
 * on the per-CPU list; 2 frees in S1 and in S2 (full): the per-CPU list holds 1 slab, so S1
 * goes to the node (inuse 1: kept) and S2 onto the list; 3 frees in S2 and in A, the CPU
 * slab. Left: A (2 pages, empty CPU slab), S1 on the node, S2 per-CPU, 3 others' objects.
 */
static void test_fork_slab_start(void)
{
	unsigned long pages_after[3] = {0, 0, 2};
	struct physmem *pm = machine(5);
	struct sim_fork_cost c = slub_cost();
	struct page_alloc pa;
	struct sim_forks fk;
	struct fake f;
	char msg[300];

	REQUIRE(pm != NULL);
	snprintf(c.slab_start[0].name, sizeof(c.slab_start[0].name), "t");
	c.slab_start[0].free_objects = 5;
	c.nr_slab_start = 1;
	fork_cost_resolve(&c, "v6.1", ZS_ARCH_ARM32, 4096);
	CHECK_EQ(fork_slab_start_check(&c, msg, sizeof(msg)), 0);
	init(&pa, pm, "v6.1", &f);
	REQUIRE(fork_init(&fk, &pa, &c) == 0);
	CHECK_EQ(fk.caches[0].slabs_start, 2);
	CHECK_EQ(fk.caches[0].objects_other, 3);
	CHECK_EQ(fk.caches[0].nr_partial, 2);
	CHECK_EQ(fk.caches[0].slabs_live, 0);
	for (uint64_t pid = 1; pid <= 3; pid++) {
		CHECK_EQ(fork_copy_process(&fk, pid), 0);
		CHECK_EQ(fk.slab_pages, pages_after[pid - 1]);
		CHECK_EQ(fk.caches[0].slabs_allocated, pid == 3 ? 1 : 0);
	}
	CHECK_EQ(fk.caches[0].nr_partial, 0);
	for (uint64_t pid = 1; pid <= 3; pid++)
		CHECK_EQ(fork_release_task(&fk, pid), 0);
	CHECK_EQ(fk.caches[0].objects_live, 0);
	CHECK_EQ(fk.caches[0].slabs_live, 1);
	CHECK_EQ(fk.caches[0].slabs_freed, 0);
	CHECK_EQ(fk.caches[0].slabs_start, 2);
	CHECK_EQ(fk.caches[0].nr_partial, 1);
	CHECK(fk.caches[0].cpu_partial != SLUB_NONE);
	CHECK_EQ(fk.slab_pages, 2);
	CHECK_EQ(slab_blocks(pm), 1);
	CHECK_EQ(fork_slab_check(&fk, msg, sizeof(msg)), 0);
	fork_destroy(&fk);
	physmem_pcp_drain(pm, -1);
	physmem_destroy(pm);

	/* the same forks from empty caches: fork 1 takes the first slab */
	pm = machine(5);
	REQUIRE(pm != NULL);
	c = slub_cost();
	fork_cost_resolve(&c, "v6.1", ZS_ARCH_ARM32, 4096);
	init(&pa, pm, "v6.1", &f);
	REQUIRE(fork_init(&fk, &pa, &c) == 0);
	CHECK_EQ(fork_copy_process(&fk, 1), 0);
	CHECK_EQ(fk.slab_pages, 2);
	fork_destroy(&fk);
	physmem_destroy(pm);

	/* refused: a cache the table lacks; a start without "slub" */
	c = slub_cost();
	snprintf(c.slab_start[0].name, sizeof(c.slab_start[0].name), "task_struct");
	c.slab_start[0].free_objects = 1;
	c.nr_slab_start = 1;
	CHECK_EQ(fork_slab_start_check(&c, msg, sizeof(msg)), -EINVAL);
	CHECK(strstr(msg, "no fork cache \"task_struct\" (this profile and arch have: t)") != NULL);
	c.slab_slub = 0;
	CHECK_EQ(fork_slab_start_check(&c, msg, sizeof(msg)), -EINVAL);
	CHECK(strstr(msg, "without fork_slab") != NULL);
}

/* fork_slab "slub" without caches is refused; the arches' tables exist. */
static void test_fork_slab_tables(void)
{
	struct sim_fork_cost c = {-1, -1, -1, -1, -1, -1, 1, NULL, 0, {{"", 0}}, 0};
	unsigned int nr = 0;
	struct physmem *pm = machine(5);
	struct page_alloc pa;
	struct sim_forks fk;
	struct fake f;

	REQUIRE(pm != NULL);
	CHECK(fork_slab_table(ZS_ARCH_ARM32, "v6.1", &nr) != NULL && nr == 10);
	CHECK(fork_slab_table(ZS_ARCH_X86_64, "v6.1", &nr) != NULL && nr == 10);
	init(&pa, pm, "v6.1", &f);
	CHECK_EQ(fork_init(&fk, &pa, &c), -EINVAL);
	fork_destroy(&fk);
	physmem_destroy(pm);
}

/*
 * x86_64 v6.12 gets the 6.12 guest's table (mm_struct 1408 B, 11 a slab; vm_area_struct 176 B,
 * 23 a slab), every other profile 6.1's (1152 B, 14; 152 B, 26), ARM 6.1's on every profile;
 * fork_cost_resolve picks by the profile it is given.
 */
static void test_fork_slab_table_by_profile(void)
{
	static const char *const profiles[] = {"v4.1", "v4.8", "v6.1", "v6.12", NULL};
	const struct fork_slab_cache *t61, *t612;
	unsigned int nr61 = 0, nr612 = 0, nr = 0;

	t61 = fork_slab_table(ZS_ARCH_X86_64, "v6.1", &nr61);
	t612 = fork_slab_table(ZS_ARCH_X86_64, "v6.12", &nr612);
	REQUIRE(t61 != NULL && t612 != NULL && t61 != t612);
	CHECK_EQ(nr61, 10);
	CHECK_EQ(nr612, 10);
	CHECK(!strcmp(t612[1].name, "mm_struct"));
	CHECK_EQ(t612[1].size, 1408);
	CHECK_EQ(t612[1].order, 2);
	CHECK_EQ(t612[1].objects, 11);
	CHECK_EQ(t61[1].size, 1152);
	CHECK_EQ(t61[1].objects, 14);
	CHECK(!strcmp(t612[2].name, "vm_area_struct"));
	CHECK_EQ(t612[2].size, 176);
	CHECK_EQ(t612[2].objects, 23);
	CHECK_EQ(t61[2].size, 152);
	CHECK_EQ(t61[2].objects, 26);
	/* the other eight caches are 6.1's but for cred_jar's name ("cred" from 6.9 on) */
	for (unsigned int k = 0; k < nr612; k++) {
		if (k == 1 || k == 2)
			continue;
		CHECK_EQ(t612[k].size, t61[k].size);
		CHECK_EQ(t612[k].order, t61[k].order);
		CHECK_EQ(t612[k].objects, t61[k].objects);
		CHECK_EQ(t612[k].min_partial, t61[k].min_partial);
		CHECK_EQ(t612[k].cpu_partial, t61[k].cpu_partial);
		CHECK_EQ(t612[k].per_fork, t61[k].per_fork);
	}
	for (unsigned int i = 0; profiles[i]; i++) {
		bool v612 = !strcmp(profiles[i], "v6.12");
		struct sim_fork_cost c = {-1, -1, -1, -1, -1, -1, 1, NULL, 0, {{"", 0}}, 0};

		CHECK(fork_slab_table(ZS_ARCH_X86_64, profiles[i], &nr) == (v612 ? t612 : t61));
		CHECK(fork_slab_table(ZS_ARCH_ARM32, profiles[i], &nr) ==
		      fork_slab_table(ZS_ARCH_ARM32, "v6.1", &nr));
		fork_cost_resolve(&c, profiles[i], ZS_ARCH_X86_64, 4096);
		CHECK(c.slab_caches == (v612 ? t612 : t61));
		CHECK_EQ(c.nr_slab_caches, 10);
		CHECK_EQ(c.slab_pages, 0);
	}
	CHECK(fork_slab_table(ZS_ARCH_X86_64, NULL, &nr) == t61);
}

int main(void)
{
	RUN(test_fork_slab_slub);
	RUN(test_fork_slab_fallback);
	RUN(test_fork_slab_start);
	RUN(test_fork_slab_tables);
	RUN(test_fork_slab_table_by_profile);
	return test_summary();
}
