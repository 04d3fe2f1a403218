/*
 * fork.c - a fork's pages (see fork.h).
 *
 * copy_process() allocates, in this order (kernel/fork.c, 6.1):
 *   dup_task_struct: the task_struct (slab) and the kernel stack
 *     (alloc_thread_stack_node): THREAD_SIZE is 8 KiB on 32-bit ARM and
 *     16 KiB on x86_64 (since 3.15). With CONFIG_VMAP_STACK the stack is
 *     vmalloc'd: order-0 pages, and vmalloc adds __GFP_HIGHMEM, so on ARM
 *     they come from HighMem while it has room. x86_64 has VMAP_STACK since
 *     4.9, 32-bit ARM since 5.18; Debian's 6.1 armmp enables it. Before
 *     that the stack is one order-THREAD_SIZE_ORDER block of lowmem
 *     (GFP_KERNEL): an order-1 request on the ARM phone of the 4.x profiles.
 *   copy_mm: mm_struct (slab) and pgd_alloc: on non-LPAE 32-bit ARM
 *     __get_free_pages(GFP_KERNEL, 2), 16 KiB of lowmem (arch/arm/mm/pgd.c);
 *     on x86_64 PGD_ALLOCATION_ORDER, 1 with page table isolation (4.15+,
 *     on in Debian's kernels), 0 before.
 *   dup_mmap: vm_area_structs and anon_vma chains (slab), and the child's
 *     page tables for every VMA with anonymous pages (copy_page_range):
 *     with CONFIG_HIGHPTE on ARM they are HighMem pages.
 *   then the child runs and its first writes take copy-on-write pages.
 * The counts, measured with the kernel check's fork probe (kernel/README.md,
 * "What a fork costs": children that pause(), per-CPU lists drained before
 * both readings): on the Debian 6.1 armmp guest a fork took 6.1 lowmem and
 * 13.0 HighMem pages while HighMem had room, 18.8-19.5 lowmem pages where
 * there was no HighMem or it was full; 3 of them page tables, 52 slab pages
 * for 30 forks. So: the pgd's 4 + 2 slab pages in lowmem; the 2 vmalloc'd
 * stack pages, 3 page-table pages and 8 first copy-on-write pages (19 less
 * the others) HighMem first: user_pages 11. The 4.x profiles' ARM fork takes
 * the same beside an order-1 lowmem stack. x86_64 6.1 and 6.12 (no HighMem)
 * took 26.8-28.2 pages: pgd 2, stack 4, 5 page-table pages (4.8 measured),
 * the ARM's 8 COW pages, and slab 8, the rest (not measured apart; x86_64's
 * task_struct with its FPU state alone is over 2 pages). Every count can be
 * set with the fork_* config keys.
 *
 * SIM: the OOM killer kills no process of the trace (page_alloc.h). One
 * kill per fork is assumed: the request that needed it, and every request
 * of that fork after it, are taken to be served by the victim's freed
 * memory, without a frame, so free memory stays as it was from the kill on.
 * Slab pages are taken per fork (the kernel's are shared by many
 * objects and freed when a slab empties); COW pages are allocated movable
 * (so they may use the CMA area, as the kernel's do) but compaction never
 * moves them;
 * a fork's pages all go back at its exit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fork.h"
#include "zsmalloc.h"

/* One block a process holds. */
struct fork_block {
	unsigned long pfn;
	unsigned int order;
};

struct fork_proc {
	unsigned int nr;
	struct fork_block b[];
};

static bool vmap_stack_era(const char *profile)
{
	/* VMAP_STACK: x86_64 4.9+, 32-bit ARM 5.18+; of the profiles, v6.1 and v6.12 */
	return profile && (!strcmp(profile, "v6.1") || !strcmp(profile, "v6.12"));
}

static bool pti_era(const char *profile)
{
	return vmap_stack_era(profile); /* 4.15+: the same two profiles */
}

static int order_of(size_t bytes, size_t page_size)
{
	int o = 0;

	while (((size_t)page_size << o) < bytes)
		o++;
	return o;
}

void fork_cost_resolve(struct sim_fork_cost *c, const char *profile, int arch, size_t page_size)
{
	bool arm = arch == ZS_ARCH_ARM32;
	size_t thread_size = arm ? 8192 : 16384;

	if (c->pgd_order < 0)
		c->pgd_order = order_of(arm ? 16384 : (pti_era(profile) ? 8192 : 4096), page_size);
	if (c->stack_pages < 0)
		c->stack_pages = (int)((thread_size + page_size - 1) / page_size);
	if (c->stack_vmalloc < 0)
		c->stack_vmalloc = vmap_stack_era(profile);
	if (c->slab_pages < 0)
		c->slab_pages = arm ? 2 : 8;
	if (c->user_pages < 0)
		c->user_pages = arm ? 11 : 13;
	if (c->cow_pages < 0)
		c->cow_pages = 8;
	if (c->cow_pages > c->user_pages)
		c->cow_pages = c->user_pages;
}

unsigned long fork_cost_pages(const struct sim_fork_cost *c)
{
	return (1ul << c->pgd_order) + (unsigned long)c->stack_pages +
	       (unsigned long)c->slab_pages + (unsigned long)c->user_pages;
}

int fork_init(struct sim_forks *f, struct page_alloc *pa, const struct sim_fork_cost *cost)
{
	memset(f, 0, sizeof(*f));
	f->pa = pa;
	f->cost = *cost;
	return idmap_init(&f->pids, 64);
}

static void release_blocks(struct sim_forks *f, struct fork_proc *p)
{
	if (!p)
		return;
	for (unsigned int i = 0; i < p->nr; i++) {
		physmem_free(f->pa->mem, p->b[i].pfn, p->b[i].order);
		f->st.pages_live -= 1ul << p->b[i].order;
	}
	free(p);
}

void fork_destroy(struct sim_forks *f)
{
	struct idmap_entry *e;

	if (!f->pids.slots)
		return;
	idmap_for_each(&f->pids, e) free((void *)(uintptr_t)e->a);
	idmap_destroy(&f->pids);
}

struct fork_req {
	unsigned int order, gfp, count;
	enum physmem_owner owner;
	enum physmem_mt mt;
};

static unsigned long lowmem_free(const struct physmem *mem)
{
	unsigned long n = 0;

	for (unsigned int z = 0; z < physmem_nr_zones(mem); z++) {
		struct physmem_zone_info zi;

		if (physmem_zone_info(mem, z, &zi) == 0 && !zi.highmem)
			n += zi.free_pages;
	}
	return n;
}

/*
 * copy_process's allocations for one child (tagged tag on its pgd). Returns
 * the child's blocks (NULL: the fork failed and holds nothing, or host
 * memory ran out: *outcome says which) and counts the fork.
 */
static struct fork_proc *copy_process(struct sim_forks *f, uint64_t tag,
				      enum alloc_outcome *outcome)
{
	const struct sim_fork_cost *c = &f->cost;
	bool contiguous_stack = c->stack_pages > 0 && !c->stack_vmalloc;
	unsigned int cow = (unsigned int)(c->cow_pages < c->user_pages ? c->cow_pages : c->user_pages);
	struct fork_req reqs[] = {
	    {0, SIM_GFP_KERNEL, (unsigned int)c->slab_pages, PHYSMEM_OWNER_KERNEL,
	     PHYSMEM_MT_UNMOVABLE},
	    {contiguous_stack ? (unsigned int)order_of((size_t)c->stack_pages, 1) : 0,
	     SIM_GFP_KERNEL | (contiguous_stack ? 0 : SIM_GFP_HIGHMEM),
	     contiguous_stack ? 1 : (unsigned int)c->stack_pages, PHYSMEM_OWNER_KERNEL,
	     PHYSMEM_MT_UNMOVABLE},
	    {(unsigned int)c->pgd_order, SIM_GFP_KERNEL | SIM_GFP_PGD, 1, PHYSMEM_OWNER_PGD,
	     PHYSMEM_MT_UNMOVABLE},
	    /* dup_mmap's page tables (GFP_PGTABLE_USER, HIGHPTE) */
	    {0, SIM_GFP_KERNEL | SIM_GFP_HIGHMEM, (unsigned int)c->user_pages - cow,
	     PHYSMEM_OWNER_KERNEL, PHYSMEM_MT_UNMOVABLE},
	    /* the child's first writes: wp_page_copy, GFP_HIGHUSER_MOVABLE */
	    {0, SIM_GFP_KERNEL | SIM_GFP_HIGHMEM, cow, PHYSMEM_OWNER_KERNEL, PHYSMEM_MT_MOVABLE},
	};
	enum alloc_outcome worst = ALLOC_FAST;
	bool killed = false; /* the victim's memory serves the rest of this fork */
	enum alloc_stall_reason reason = STALL_NONE;
	struct fork_proc *p;
	unsigned int max = 0;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		max += reqs[i].count;
	*outcome = ALLOC_FAILED;
	p = malloc(sizeof(*p) + max * sizeof(p->b[0]));
	if (!p)
		return NULL;
	p->nr = 0;
	f->st.attempted++;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]) && worst != ALLOC_FAILED; i++) {
		for (unsigned int n = 0; n < reqs[i].count && !killed; n++) {
			struct alloc_result r;

			__alloc_pages(f->pa, reqs[i].order, reqs[i].mt, reqs[i].gfp, &r);
			if (r.outcome > worst)
				worst = r.outcome;
			if (reason == STALL_NONE && r.outcome != ALLOC_FAST)
				reason = r.reason;
			if (r.outcome == ALLOC_OOM_KILL) {
				f->st.oom_kills++;
				killed = true;
			}
			if (r.outcome == ALLOC_FAILED)
				break; /* copy_process unwinds: -ENOMEM */
			if (!r.has_page)
				continue; /* the OOM victim's memory served it */
			physmem_set_owner(f->pa->mem, r.pfn, reqs[i].owner,
					  reqs[i].owner == PHYSMEM_OWNER_PGD ? tag : 0);
			p->b[p->nr].pfn = r.pfn;
			p->b[p->nr].order = reqs[i].order;
			p->nr++;
			f->st.pages_live += 1ul << reqs[i].order;
		}
	}
	*outcome = worst;
	f->st.outcomes[worst]++;
	if (worst != ALLOC_FAST) {
		f->st.stall_reasons[reason]++;
		f->st.free_at_last_stall = physmem_free_pages(f->pa->mem);
		f->st.lowmem_free_at_last_stall = lowmem_free(f->pa->mem);
	}
	if (worst == ALLOC_FAILED) {
		release_blocks(f, p);
		f->st.failed++;
		return NULL;
	}
	if (worst != ALLOC_FAST)
		f->st.stalls++;
	f->st.succeeded++;
	f->st.live++;
	return p;
}

int fork_copy_process(struct sim_forks *f, uint64_t pid)
{
	enum alloc_outcome outcome;
	struct idmap_entry *e;
	struct fork_proc *p;

	if (idmap_find(&f->pids, pid))
		return -EEXIST;
	if (idmap_insert(&f->pids, pid, &e) != 0)
		return -ENOMEM;
	p = copy_process(f, pid, &outcome);
	if (!p && outcome != ALLOC_FAILED) {
		idmap_remove(&f->pids, pid);
		return -ENOMEM;
	}
	/* a failed fork's PID stays known (its exit is legal) but holds nothing */
	e->a = (uint64_t)(uintptr_t)p;
	return 0;
}

int fork_probe(struct sim_forks *f, uint64_t n)
{
	struct fork_proc **kids = malloc((size_t)(n ? n : 1) * sizeof(*kids));
	uint64_t got = 0;

	if (!kids)
		return -ENOMEM;
	/* the guest's probe drains the per-CPU lists before it forks (its
	 * /proc/zsfrag_kdrain write, kernel/forkprobe.c) */
	physmem_pcp_drain(f->pa->mem, -1);
	while (got < n) {
		enum alloc_outcome outcome;
		struct fork_proc *p = copy_process(f, 0, &outcome);

		if (!p && outcome != ALLOC_FAILED) {
			free(kids);
			return -ENOMEM;
		}
		if (p)
			kids[got++] = p;
		/* the guest stops at its first OOM kill (or failed fork) */
		if (outcome >= ALLOC_OOM_KILL)
			break;
	}
	while (got > 0) {
		release_blocks(f, kids[--got]);
		f->st.live--;
		f->st.exits++;
	}
	free(kids);
	return 0;
}

int fork_release_task(struct sim_forks *f, uint64_t pid)
{
	struct idmap_entry *e = idmap_find(&f->pids, pid);

	if (!e)
		return -ENOENT;
	if (e->a) {
		release_blocks(f, (struct fork_proc *)(uintptr_t)e->a);
		f->st.live--;
	}
	f->st.exits++;
	idmap_remove(&f->pids, pid);
	return 0;
}
