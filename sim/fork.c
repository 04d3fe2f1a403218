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
 * objects and freed when a slab empties), unless fork_slab is "slub": then
 * each fork takes its objects from SLUB caches (sim/slub.c) of the geometry
 * measured in the guest (fork_slab_table), which share slab pages among
 * forks and keep them after the children exit as SLUB does; COW pages are allocated movable
 * (so they may use the CMA area, as the kernel's do) but compaction never
 * moves them;
 * a fork's pages all go back at its exit.
 */
#include <errno.h>
#include <stdio.h>
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
	uint64_t serial;   /* fork_slab "slub": the fork's object ids */
	unsigned int nobj; /* objects taken, in the caches' order */
	unsigned int nr;
	struct fork_block b[];
};

/* One fork's allocations so far: the furthest stage, the first stall's reason, a kill. */
struct fork_run {
	struct sim_forks *f;
	enum alloc_outcome worst;
	enum alloc_stall_reason reason;
	bool killed; /* the victim's memory serves the rest of this fork */
};

/*
 * The ARM 6.1 guest's caches (Debian 6.1.0-50-armmp, -m 768, one CPU: /sys/kernel/slab at
 * every snapshot, kernel/guest-init.sh) and the objects per fork (the fork probe's objects
 * before and with its 300 children, kernel/forkprobe.c; copy_process takes one of each but
 * the VMA ones: the probe's 9 VMAs, 5 of them with an anon_vma and 2 chain links each).
 * fs_cache and pid are one merged cache on that kernel (64 B): 2 objects per fork.
 */
static const struct fork_slab_cache arm32_caches[] = {
    {"task_struct", 2752, 3, 11, 5, 24, 1},
    {"mm_struct", 512, 0, 8, 5, 52, 1},
    {"vm_area_struct", 72, 0, 56, 5, 120, 9},
    {"anon_vma", 56, 0, 73, 5, 120, 5},
    {"anon_vma_chain", 32, 0, 128, 5, 120, 10},
    {"signal_cache", 768, 1, 10, 5, 52, 1},
    {"sighand_cache", 1344, 2, 12, 5, 24, 1},
    {"files_cache", 256, 0, 16, 5, 52, 1},
    {"pid+fs_cache", 64, 0, 64, 5, 120, 2},
    {"cred_jar", 128, 0, 32, 5, 120, 1},
};

/*
 * The x86_64 6.1 guest's (Debian 6.1.0-57-amd64, -m 1024, one CPU), measured the same way:
 * the probe's 10 VMAs, 5 anon_vmas, 10 chain links; fs_cache is merged with anon_vma_chain
 * there (64 B: 11 objects per fork).
 */
static const struct fork_slab_cache x86_64_caches[] = {
    {"task_struct", 6208, 3, 5, 6, 6, 1},
    {"mm_struct", 1152, 2, 14, 5, 24, 1},
    {"vm_area_struct", 152, 0, 26, 5, 120, 10},
    {"anon_vma", 104, 0, 39, 5, 120, 5},
    {"anon_vma_chain+fs_cache", 64, 0, 64, 5, 120, 11},
    {"signal_cache", 1152, 2, 14, 5, 24, 1},
    {"sighand_cache", 2112, 3, 15, 5, 24, 1},
    {"files_cache", 704, 1, 11, 5, 52, 1},
    {"pid", 128, 0, 32, 5, 120, 1},
    {"cred_jar", 192, 0, 21, 5, 120, 1},
};

/*
 * The x86_64 6.12 guest's (Debian 6.12.118+deb12-amd64, -m 1024, one CPU), measured the same
 * way: as 6.1's but struct mm_struct (1360 B in a 1408 B slot, 11 a slab) and
 * vm_area_struct (176 B, 23 a slab); cred_jar is named "cred" there, with 6.1's geometry.
 */
static const struct fork_slab_cache x86_64_v612_caches[] = {
    {"task_struct", 6208, 3, 5, 6, 6, 1},
    {"mm_struct", 1408, 2, 11, 5, 24, 1},
    {"vm_area_struct", 176, 0, 23, 5, 120, 10},
    {"anon_vma", 104, 0, 39, 5, 120, 5},
    {"anon_vma_chain+fs_cache", 64, 0, 64, 5, 120, 11},
    {"signal_cache", 1152, 2, 14, 5, 24, 1},
    {"sighand_cache", 2112, 3, 15, 5, 24, 1},
    {"files_cache", 704, 1, 11, 5, 52, 1},
    {"pid", 128, 0, 32, 5, 120, 1},
    {"cred", 192, 0, 21, 5, 120, 1},
};

const struct fork_slab_cache *fork_slab_table(int arch, const char *profile, unsigned int *nr)
{
	if (arch == ZS_ARCH_ARM32) {
		*nr = sizeof(arm32_caches) / sizeof(arm32_caches[0]);
		return arm32_caches;
	}
	if (arch == ZS_ARCH_X86_64 && profile && !strcmp(profile, "v6.12")) {
		*nr = sizeof(x86_64_v612_caches) / sizeof(x86_64_v612_caches[0]);
		return x86_64_v612_caches;
	}
	if (arch == ZS_ARCH_X86_64) {
		*nr = sizeof(x86_64_caches) / sizeof(x86_64_caches[0]);
		return x86_64_caches;
	}
	*nr = 0;
	return NULL;
}

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
	if (c->slab_slub) {
		c->slab_pages = 0;
		if (!c->slab_caches)
			c->slab_caches = fork_slab_table(arch, profile, &c->nr_slab_caches);
	} else if (c->slab_pages < 0) {
		c->slab_pages = arm ? 2 : 8;
	}
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

/*
 * One allocation of the fork, through the slow path: 1 with *pfn, 0 when the OOM victim's
 * memory served it (no frame), -1 when it failed (the fork unwinds).
 */
static int fork_take(struct fork_run *run, unsigned int order, unsigned int gfp, enum physmem_mt mt,
		     unsigned long *pfn)
{
	struct alloc_result r;

	__alloc_pages(run->f->pa, order, mt, gfp, &r);
	if (r.outcome > run->worst)
		run->worst = r.outcome;
	if (run->reason == STALL_NONE && r.outcome != ALLOC_FAST)
		run->reason = r.reason;
	if (r.outcome == ALLOC_OOM_KILL) {
		run->f->st.oom_kills++;
		run->killed = true;
	}
	if (r.outcome == ALLOC_FAILED)
		return -1; /* copy_process unwinds: -ENOMEM */
	if (!r.has_page)
		return 0;
	*pfn = r.pfn;
	return 1;
}

static void fork_slab_page_taken(struct sim_forks *f, unsigned long pfn, unsigned int order)
{
	physmem_set_owner(f->pa->mem, pfn, PHYSMEM_OWNER_SLAB, 0);
	f->slab_pages += 1ul << order;
}

/* allocate_slab for a fork's cache: GFP_KERNEL, unmovable, an order-N block */
static int fork_slab_page_alloc(void *ctx, unsigned int order, unsigned long *pfn)
{
	struct sim_forks *f = ctx;

	if (!f->run || f->run->killed || f->run->worst == ALLOC_FAILED ||
	    fork_take(f->run, order, SIM_GFP_KERNEL, PHYSMEM_MT_UNMOVABLE, pfn) <= 0)
		return -ENOMEM; /* the object is placed in no slab (slub.c) */
	fork_slab_page_taken(f, *pfn, order);
	return 0;
}

/*
 * allocate_slab's first attempt at a slab above the cache's minimum order (mm/slub.c,
 * 6.1 and 6.12): GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC without
 * __GFP_RECLAIM, so it neither stalls nor wakes kswapd, and its failure is no fork
 * outcome: the slab then comes at the minimum order through fork_slab_page_alloc.
 * SIM: 6.1's flags on every profile; 4.1-4.3 cleared only __GFP_WAIT, so their first try
 * could still wake kswapd.
 */
static int fork_slab_page_try(void *ctx, unsigned int order, unsigned long *pfn)
{
	struct sim_forks *f = ctx;
	struct alloc_result r;

	if (!f->run || f->run->killed || f->run->worst == ALLOC_FAILED)
		return -ENOMEM;
	__alloc_pages(f->pa, order, PHYSMEM_MT_UNMOVABLE, SIM_GFP_NORETRY, &r);
	if (!r.has_page)
		return -ENOMEM;
	*pfn = r.pfn;
	fork_slab_page_taken(f, *pfn, order);
	return 0;
}

static void fork_slab_page_free(void *ctx, unsigned long pfn, unsigned int order)
{
	struct sim_forks *f = ctx;

	physmem_free(f->pa->mem, pfn, order);
	f->slab_pages -= 1ul << order;
}

static int slab_cache_index(const struct sim_fork_cost *c, const char *name)
{
	for (unsigned int k = 0; c->slab_caches && k < c->nr_slab_caches; k++)
		if (!strcmp(c->slab_caches[k].name, name))
			return (int)k;
	return -1;
}

int fork_slab_start_check(const struct sim_fork_cost *c, char *msg, size_t len)
{
	for (unsigned int i = 0; i < c->nr_slab_start; i++) {
		int k;

		if (!c->slab_slub) {
			snprintf(msg, len, "fork_slab_start without fork_slab \"slub\"");
			return -EINVAL;
		}
		k = slab_cache_index(c, c->slab_start[i].name);
		if (k < 0) {
			size_t o = (size_t)snprintf(msg, len,
						    "fork_slab_start: no fork cache \"%s\" (this "
						    "profile and arch have:",
						    c->slab_start[i].name);

			for (unsigned int j = 0; j < c->nr_slab_caches && o < len; j++)
				o += (size_t)snprintf(msg + o, len - o, " %s", c->slab_caches[j].name);
			if (o < len)
				snprintf(msg + o, len - o, ")");
			return -EINVAL;
		}
		if (c->slab_caches[k].objects < 2 && c->slab_start[i].free_objects) {
			snprintf(msg, len, "fork_slab_start: %s has one object a slab",
				 c->slab_start[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

int fork_init(struct sim_forks *f, struct page_alloc *pa, const struct sim_fork_cost *cost)
{
	struct slub_page_ops ops = {.alloc = fork_slab_page_alloc,
				    .try_alloc = fork_slab_page_try,
				    .free = fork_slab_page_free,
				    .ctx = f};
	size_t page_size = physmem_page_size(pa->mem);

	memset(f, 0, sizeof(*f));
	f->pa = pa;
	f->cost = *cost;
	if (cost->slab_slub) {
		if (!cost->slab_caches || !cost->nr_slab_caches)
			return -EINVAL;
		f->caches = calloc(cost->nr_slab_caches, sizeof(*f->caches));
		if (!f->caches)
			return -ENOMEM;
		for (unsigned int k = 0; k < cost->nr_slab_caches; k++) {
			const struct fork_slab_cache *fc = &cost->slab_caches[k];
			/* s->min: oo_make(get_order(size), size), allocate_slab's fallback */
			unsigned int min_order = (unsigned int)order_of(fc->size, page_size);
			struct slub_geometry g = {
			    .size = fc->size,
			    .order = fc->order,
			    .objects = fc->objects,
			    .min_order = min_order,
			    .min_objects =
				fc->size ? (unsigned int)((page_size << min_order) / fc->size) : 0,
			    .min_partial = fc->min_partial,
			    /* slub_set_cpu_partial: DIV_ROUND_UP(2 * cpu_partial, objects) */
			    .cpu_partial_slabs =
				fc->objects ? (2 * fc->cpu_partial + fc->objects - 1) / fc->objects
					    : 0};

			if (!fc->objects || fc->order >= PHYSMEM_MAX_ORDERS ||
			    fc->per_fork > 4096) {
				fork_destroy(f);
				return -EINVAL;
			}
			if (slub_cache_init(&f->caches[k], &g, &ops) != 0) {
				fork_destroy(f);
				return -ENOMEM;
			}
			f->nr_caches = k + 1;
		}
		for (unsigned int i = 0; i < cost->nr_slab_start; i++) {
			int k = slab_cache_index(cost, cost->slab_start[i].name);
			int err = k < 0 ? -EINVAL
					: slub_cache_start(&f->caches[k], cost->slab_start[i].free_objects);

			if (err) {
				fork_destroy(f);
				return err;
			}
		}
	} else if (cost->nr_slab_start) {
		return -EINVAL;
	}
	return idmap_init(&f->pids, 64);
}

/* A fork's object ids: unique per cache among live objects */
static uint64_t obj_id(uint64_t serial, unsigned int seq)
{
	return serial << 16 | seq;
}

/* The child's objects go back to their caches, in the order they were taken. */
static void release_objects(struct sim_forks *f, struct fork_proc *p)
{
	unsigned int seq = 0;

	for (unsigned int k = 0; k < f->nr_caches && seq < p->nobj; k++)
		for (unsigned int j = 0; j < f->cost.slab_caches[k].per_fork && seq < p->nobj;
		     j++, seq++)
			(void)slub_free(&f->caches[k], obj_id(p->serial, seq));
	p->nobj = 0;
}

/* The fork's objects, cache by cache, until a kill or a failure: 0, or -ENOMEM (host). */
static int take_objects(struct sim_forks *f, struct fork_run *run, struct fork_proc *p)
{
	int err = 0;

	p->serial = f->serial++;
	f->run = run;
	for (unsigned int k = 0; k < f->nr_caches && !err; k++)
		for (unsigned int j = 0; j < f->cost.slab_caches[k].per_fork && !err; j++) {
			if (run->killed || run->worst == ALLOC_FAILED)
				break;
			err = slub_alloc(&f->caches[k], obj_id(p->serial, p->nobj));
			if (!err)
				p->nobj++;
		}
	f->run = NULL;
	return err;
}

int fork_slab_check(const struct sim_forks *f, char *msg, size_t len)
{
	for (unsigned int k = 0; k < f->nr_caches; k++) {
		char why[200];

		if (slub_check(&f->caches[k], why, sizeof(why)) != 0) {
			snprintf(msg, len, "fork cache %s: %s", f->cost.slab_caches[k].name, why);
			return -EUCLEAN;
		}
	}
	return 0;
}

static void release_blocks(struct sim_forks *f, struct fork_proc *p)
{
	if (!p)
		return;
	release_objects(f, p);
	for (unsigned int i = 0; i < p->nr; i++) {
		physmem_free(f->pa->mem, p->b[i].pfn, p->b[i].order);
		f->st.pages_live -= 1ul << p->b[i].order;
	}
	free(p);
}

void fork_destroy(struct sim_forks *f)
{
	struct idmap_entry *e;

	if (f->pids.slots) {
		idmap_for_each(&f->pids, e) free((void *)(uintptr_t)e->a);
		idmap_destroy(&f->pids);
	}
	for (unsigned int k = 0; k < f->nr_caches; k++)
		slub_cache_destroy(&f->caches[k], 0);
	free(f->caches);
	f->caches = NULL;
	f->nr_caches = 0;
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
	struct fork_run run = {.f = f, .worst = ALLOC_FAST, .reason = STALL_NONE};
	struct fork_proc *p;
	unsigned int max = 0;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		max += reqs[i].count;
	*outcome = ALLOC_FAILED;
	p = malloc(sizeof(*p) + max * sizeof(p->b[0]));
	if (!p)
		return NULL;
	p->serial = 0;
	p->nobj = 0;
	p->nr = 0;
	f->st.attempted++;
	/* fork_slab "slub": dup_task_struct's task_struct first, then the others */
	if (f->nr_caches && take_objects(f, &run, p) != 0) {
		release_objects(f, p);
		free(p);
		*outcome = ALLOC_FAST; /* host memory: not a failed fork */
		return NULL;
	}
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]) && run.worst != ALLOC_FAILED; i++) {
		for (unsigned int n = 0; n < reqs[i].count && !run.killed; n++) {
			unsigned long pfn;
			int got = fork_take(&run, reqs[i].order, reqs[i].gfp, reqs[i].mt, &pfn);

			if (got < 0)
				break; /* copy_process unwinds: -ENOMEM */
			if (got == 0)
				continue; /* the OOM victim's memory served it */
			physmem_set_owner(f->pa->mem, pfn, reqs[i].owner,
					  reqs[i].owner == PHYSMEM_OWNER_PGD ? tag : 0);
			p->b[p->nr].pfn = pfn;
			p->b[p->nr].order = reqs[i].order;
			p->nr++;
			f->st.pages_live += 1ul << reqs[i].order;
		}
	}
	*outcome = run.worst;
	f->st.outcomes[run.worst]++;
	if (run.worst != ALLOC_FAST) {
		f->st.stall_reasons[run.reason]++;
		f->st.free_at_last_stall = physmem_free_pages(f->pa->mem);
		f->st.lowmem_free_at_last_stall = lowmem_free(f->pa->mem);
	}
	if (run.worst == ALLOC_FAILED) {
		release_blocks(f, p);
		f->st.failed++;
		return NULL;
	}
	if (run.worst != ALLOC_FAST)
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

/*
 * The per-CPU lists of the zones whose batch is above 1 (the ones kernel/forkprobe.c
 * reports: a batch of 1 keeps no pages), in pages; their pcp high into *high.
 */
static uint64_t probe_pcp_pages(const struct physmem *mem, uint64_t *high)
{
	struct physmem_zone_info zi;
	uint64_t pages = 0;

	*high = 0;
	for (unsigned int z = 0; physmem_zone_info(mem, z, &zi) == 0; z++)
		if (zi.pcp_batch > 1) {
			pages += zi.pcp_count;
			*high += (uint64_t)zi.pcp_high;
		}
	return pages;
}

int fork_probe(struct sim_forks *f, uint64_t n)
{
	struct fork_proc **kids = malloc((size_t)(n ? n : 1) * sizeof(*kids));
	uint64_t got = 0, high, pages;

	if (!kids)
		return -ENOMEM;
	/* the guest's probe drains the per-CPU lists before it forks (its
	 * /proc/zsfrag_kdrain write, kernel/forkprobe.c) */
	physmem_pcp_drain(f->pa->mem, -1);
	f->st.probes++;
	pages = probe_pcp_pages(f->pa->mem, &high);
	f->st.probe_pcp_high = high;
	f->st.probe_pcp_max = f->st.probe_pcp_rise_max = 0;
	while (got < n) {
		enum alloc_outcome outcome;
		struct fork_proc *p = copy_process(f, 0, &outcome);
		uint64_t now = probe_pcp_pages(f->pa->mem, &high);

		if (!p && outcome != ALLOC_FAILED) {
			free(kids);
			return -ENOMEM;
		}
		if (now > f->st.probe_pcp_max)
			f->st.probe_pcp_max = now;
		if (now > pages && now - pages > f->st.probe_pcp_rise_max)
			f->st.probe_pcp_rise_max = now - pages;
		pages = now;
		if (p)
			kids[got++] = p;
		/* the guest stops at its first OOM kill (or failed fork) */
		if (outcome >= ALLOC_OOM_KILL)
			break;
	}
	/* the probe kills its children in fork order (fork_slab "slub": the order their
	 * objects go back in matters; whole pages merge back alike either way) */
	for (uint64_t i = 0; i < got; i++) {
		release_blocks(f, kids[f->nr_caches ? i : got - 1 - i]);
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
