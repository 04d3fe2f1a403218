/*
 * engine_setup.c - the replay engine's lifetime: the default machine
 * (sim_config_default), the payload modes, sim_create and sim_destroy, and
 * the page provider the zsmalloc pool takes its pages through. The engine's
 * design is described at the head of engine.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "zs_provider.h"

static const char *const payload_names[] = {"auto", "full", "header", "none"};

const char *sim_payload_name(enum sim_payload p)
{
	return (unsigned int)p < 4 ? payload_names[p] : "?";
}

int sim_payload_lookup(const char *name, enum sim_payload *p)
{
	for (unsigned int i = 0; i < 4; i++)
		if (!strcmp(name, payload_names[i])) {
			*p = (enum sim_payload)i;
			return 0;
		}
	return -EINVAL;
}

enum sim_payload sim_payload_resolve(enum sim_payload p, uint64_t ram_bytes)
{
	if (p != SIM_PAYLOAD_AUTO)
		return p;
	return ram_bytes <= SIM_PAYLOAD_AUTO_FULL_BYTES ? SIM_PAYLOAD_FULL : SIM_PAYLOAD_NONE;
}

void sim_config_default(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	physmem_config_default(&cfg->mem);
	cfg->pool.profile = "v4.1";
	cfg->pool.arch = ZS_ARCH_ARM32;
	cfg->pool.page_size = 4096;
	cfg->zram_disksize = 512ULL << 20;
	cfg->zram_mem_limit = 0;
	cfg->policies = 1u << POLICY_MANUAL;
	policy_params_default(&cfg->policy);
	cfg->seed = 1;
	cfg->lookahead = SIM_LOOKAHEAD_DEFAULT;
	cfg->reader_thread = true;
	cfg->fork = (struct sim_fork_cost){-1, -1, -1, -1, -1, -1, 0, NULL, 0, {{"", 0}}, 0};
}

/* kcompact moved a user page: the block now lives at newpfn. */
static int relocate_user_page(void *ctx, unsigned long oldpfn, unsigned long newpfn, uint64_t tag)
{
	struct sim *sim = ctx;
	struct idmap_entry *e = idmap_find(&sim->blocks, tag);

	if (!e)
		return swapout_relocate(sim, oldpfn, newpfn, tag);
	if (e->a != oldpfn + 1)
		return -ENOENT;
	e->a = newpfn + 1;
	return 0;
}

/* A frame zsmalloc is about to write: its owner, and its host memory's neighbour backed ahead. */
static int zspage_frame(struct physmem *pm, unsigned long pfn)
{
	physmem_host_touching(pm, pfn);
	return physmem_set_owner(pm, pfn, PHYSMEM_OWNER_ZSPAGE, 0);
}

/*
 * The pool's page provider: zs_provider's callbacks on the physmem, except
 * that a zspage page comes through __alloc_pages, so that a zram write that
 * finds a zone below its low watermark wakes kswapd.
 */
static int zsp_alloc_page(void *ctx, unsigned int gfp, unsigned long *pfn)
{
	struct sim *sim = ctx;
	enum physmem_mt mt = (gfp & ZS_GFP_MOVABLE) ? PHYSMEM_MT_MOVABLE : PHYSMEM_MT_UNMOVABLE;
	struct alloc_result r;

	if ((sim->cfg.policies & (1u << POLICY_GROUPED)) &&
	    grouped_take(&sim->grouped, sim->mem, mt, (gfp & ZS_GFP_HIGHMEM) ? PHYSMEM_HIGHMEM : 0,
			 pfn) == 0) {
		sim->other.grouped_blocks = sim->grouped.blocks;
		return zspage_frame(sim->mem, *pfn);
	}
	unsigned int sgfp = SIM_GFP_KSWAPD_RECLAIM | ((gfp & ZS_GFP_HIGHMEM) ? SIM_GFP_HIGHMEM : 0);

	if (__alloc_pages(&sim->pa, 0, mt, sgfp, &r) != 0 &&
	    (!(gfp & ZS_GFP_RECLAIM) || page_alloc_noio_retry(&sim->pa, 0, mt, sgfp, &r) != 0))
		return -ENOMEM;
	*pfn = r.pfn;
	return zspage_frame(sim->mem, r.pfn);
}

/* grouped: the next pages are one zspage's, to be kept inside one block. */
static void zsp_zspage_begin(void *ctx, unsigned int nr_pages)
{
	grouped_begin(&((struct sim *)ctx)->grouped, nr_pages);
}

static void zsp_free_page(void *ctx, unsigned long pfn)
{
	zs_provider_ops()->free_page(((struct sim *)ctx)->mem, pfn);
}

static void *zsp_page_address(void *ctx, unsigned long pfn)
{
	return zs_provider_ops()->page_address(((struct sim *)ctx)->mem, pfn);
}

static void **zsp_page_private(void *ctx, unsigned long pfn)
{
	return zs_provider_ops()->page_private(((struct sim *)ctx)->mem, pfn);
}

static void zsp_set_movable(void *ctx, unsigned long pfn, struct zs_pool *pool)
{
	zs_provider_ops()->set_movable(((struct sim *)ctx)->mem, pfn, pool);
}

/* zsmalloc's kmem caches: each handle and zspage descriptor placed in SLUB's slabs */
static void zsp_kmem_event(void *ctx, enum zs_kmem_cache cache, bool alloc, unsigned long id)
{
	zs_slab_event(&((struct sim *)ctx)->slab, cache, alloc, id);
}

/* The emulated physical memory, of the pool's page size. */
static int sim_create_memory(struct sim *sim, const struct sim_config *cfg, char *msg,
			     size_t msglen)
{
	int err;

	if (cfg->mem.page_size != cfg->pool.page_size) {
		snprintf(msg, msglen, "physical memory page size %u differs from the pool's %zu",
			 cfg->mem.page_size, cfg->pool.page_size);
		return -EINVAL;
	}
	err = physmem_create_msg(&sim->cfg.mem, &sim->mem, msg, msglen);
	if (err && msg && msglen && !msg[0])
		snprintf(msg, msglen, "cannot build physical memory of %llu bytes (%s)",
			 (unsigned long long)cfg->mem.ram_bytes, strerror(-err));
	return err;
}

/* The page allocator on that memory, the zsmalloc pool on its page provider, the slab caches. */
static int sim_create_pool(struct sim *sim, const struct sim_config *cfg, char *msg, size_t msglen)
{
	struct page_alloc_ops pao = {.shrink_slab = sim_shrink_slab,
				     .before_oom = sim_before_oom,
				     .relocate = relocate_user_page};
	int err;

	sim->ops = (struct zs_page_ops){.alloc_page = zsp_alloc_page,
					.free_page = zsp_free_page,
					.page_address = zsp_page_address,
					.page_private = zsp_page_private,
					.set_movable = zsp_set_movable,
					.kmem_event = cfg->zs_slab ? zsp_kmem_event : NULL};
	if (policy_on(sim, POLICY_GROUPED))
		sim->ops.zspage_begin = zsp_zspage_begin;
	if (!policy_on(sim, POLICY_MIGRATION))
		sim->ops.set_movable = NULL; /* zspage pages stay put unless the policy allows */
	pao.ctx = pao.relocate_ctx = sim;
	page_alloc_init(&sim->pa, sim->mem, page_alloc_era(cfg->pool.profile), &pao);
	err = zs_create_pool(&sim->cfg.pool, &sim->ops, sim, &sim->pool);
	if (!err)
		err = zs_slab_init(&sim->slab, zs_pool_profile(sim->pool), cfg->pool.arch,
				   cfg->pool.page_size ? cfg->pool.page_size : 4096,
				   cfg->zs_slab ? sim->mem : NULL);
	if (err)
		snprintf(msg, msglen, "cannot create a zsmalloc pool for profile %s",
			 cfg->pool.profile ? cfg->pool.profile : "(default)");
	return err;
}

/* The zram disk on the pool, with the gfp flags zram passes to zs_malloc. */
static int sim_create_zram(struct sim *sim, const struct sim_config *cfg, char *msg, size_t msglen)
{
	const struct zs_profile_info *pi = zs_pool_profile(sim->pool);
	struct zram_config zc;
	int err;

	sim->shrinker_registered = pi->has_shrinker && policy_on(sim, POLICY_SHRINKER);
	/* zram's gfp: GFP_NOIO | __GFP_HIGHMEM, plus __GFP_MOVABLE from 4.8 */
	sim->zram_gfp = ZS_GFP_HIGHMEM | (pi->movable_pages ? ZS_GFP_MOVABLE : 0);
	zc.disksize = cfg->zram_disksize;
	zc.mem_limit = cfg->zram_mem_limit;
	zc.gfp = sim->zram_gfp;
	zc.timing = cfg->op_timing ? &sim->op_timing : NULL;
	zc.payload = sim->cfg.payload == SIM_PAYLOAD_FULL;
	err = zram_create(&zc, sim->pool, &sim->zram);
	if (err)
		snprintf(msg, msglen, "cannot create a zram disk of %llu bytes",
			 (unsigned long long)cfg->zram_disksize);
	return err;
}

/* The fork model at the profile's pgd cost, and the engine's tables. */
static int sim_create_tables(struct sim *sim, const struct sim_config *cfg, char *msg,
			     size_t msglen)
{
	const struct zs_profile_info *pi = zs_pool_profile(sim->pool);
	struct sim_fork_cost cost = cfg->fork;

	fork_cost_resolve(&cost, pi->name, (int)cfg->pool.arch, cfg->pool.page_size);
	if ((unsigned int)cost.pgd_order >= cfg->mem.max_order) {
		snprintf(msg, msglen, "fork_pgd_order %d beyond the machine's %u orders",
			 cost.pgd_order, cfg->mem.max_order);
		return -EINVAL;
	}
	if (cost.slab_slub && (!cost.slab_caches || cfg->pool.page_size != 4096)) {
		snprintf(
		    msg, msglen,
		    "fork_slab \"slub\": no fork caches measured for this arch at %zu-byte pages "
		    "(arm32 and x86_64 at 4096 only)",
		    cfg->pool.page_size);
		return -EINVAL;
	}
	if (fork_slab_start_check(&cost, msg, msglen) != 0)
		return -EINVAL;
	sim->cfg.fork = cost;
	sim->class_buf = calloc(zs_class_count(sim->pool), sizeof(*sim->class_buf));
	if (!sim->class_buf || idmap_init(&sim->objects, 1024) || idmap_init(&sim->blocks, 64) ||
	    idmap_init(&sim->swapouts, 64) ||
	    fork_init(&sim->forks, &sim->pa, &cost))
		return -ENOMEM;
	for (unsigned int g = 0; g < pi->nr_fullness; g++)
		sim->fullness_names[g] = zs_fullness_name(sim->pool, g);
	return 0;
}

int sim_create(const struct sim_config *cfg, const struct sim_sinks *sinks, struct sim **out,
	       char *msg, size_t msglen)
{
	struct sim *sim = calloc(1, sizeof(*sim));
	int err;

	if (!sim)
		return -ENOMEM;
	sim->cfg = *cfg;
	if (sinks)
		sim->sinks = *sinks;
	sim->cfg.payload = sim_payload_resolve(cfg->payload, cfg->mem.ram_bytes);
	sim->cfg.mem.no_host_memory = sim->cfg.payload == SIM_PAYLOAD_NONE;
	sim->cfg.pool.no_page_contents = sim->cfg.payload == SIM_PAYLOAD_NONE;
	if ((err = sim_create_memory(sim, cfg, msg, msglen)) ||
	    (err = sim_create_pool(sim, cfg, msg, msglen)) ||
	    (err = sim_create_zram(sim, cfg, msg, msglen)) ||
	    (err = sim_create_tables(sim, cfg, msg, msglen))) {
		sim_destroy(sim);
		return err;
	}
	*out = sim;
	return 0;
}

void sim_destroy(struct sim *sim)
{
	struct idmap_entry *e;

	if (!sim)
		return;
	if (sim->objects.slots)
		idmap_for_each(&sim->objects, e) if (e->a) zs_free(sim->pool, (unsigned long)e->a);
	fork_destroy(&sim->forks);
	zram_destroy(sim->zram);
	zs_slab_release(&sim->slab, NULL);
	zs_destroy_pool(sim->pool);
	grouped_release(&sim->grouped, sim->mem);
	physmem_destroy(sim->mem);
	idmap_destroy(&sim->objects);
	idmap_destroy(&sim->blocks);
	idmap_destroy(&sim->swapouts);
	idfilter_destroy(&sim->failed_objects);
	idfilter_destroy(&sim->failed_blocks);
	free(sim->class_buf);
	free(sim);
}

struct zs_pool *sim_pool(struct sim *sim)
{
	return sim->pool;
}

struct physmem *sim_mem(struct sim *sim)
{
	return sim->mem;
}

struct zram *sim_zram(struct sim *sim)
{
	return sim->zram;
}

const struct sim_config *sim_get_config(const struct sim *sim)
{
	return &sim->cfg;
}

uint64_t sim_events(const struct sim *sim)
{
	return sim->events;
}
