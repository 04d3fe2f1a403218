/*
 * engine.c - the replay engine.
 *
 * Data flow: the caller feeds events (from a trace or a generator); each one
 * drives zram (w z r d), zsmalloc directly (a f), emulated physical memory
 * (g p), a fork's page directory (k x), a fork probe (F), or asks for a
 * compaction, a snapshot or a verification (c s v). After every event the enabled
 * policies may ask for a zsmalloc compaction. Results leave through the
 * sinks only.
 *
 * A fork (fork.c) takes its pages through the page allocator's slow path
 * (page_alloc.c) as the profile's kernel runs it: the free lists, kswapd
 * woken, direct compaction, direct reclaim (zsmalloc's shrinker, where the
 * profile has one and the `shrinker` policy registers it), the retries, and
 * the OOM killer; the `on-pgd-failure` policy hooks in before the OOM
 * killer. kswapd, woken by an allocation that found a zone below its low
 * watermark, runs after the event (kswapd_run).
 * SIM: zram's zspage pages and `g` blocks take the fast path and, failing
 * it, wake kswapd and try the min watermark, but never stall: zram's first
 * zs_malloc has no __GFP_DIRECT_RECLAIM (its GFP_NOIO retry is not
 * modelled) and the trace's other memory is recorded history. Their
 * failures are counted (zram's failed writes, block_failures).
 *
 * Defaults (sim_config_default): a 2014-era 32-bit ARM phone. 1 GiB of RAM
 * of which 760 MiB lowmem (Normal) and the rest HighMem, 4 KiB pages, 11
 * orders, pageblocks of 2^10 pages, kernel watermarks; zram of 512 MiB
 * without mem_limit; profile v4.1 (the seed's design as merged), arch arm32;
 * policy manual.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "fork.h"
#include "idmap.h"
#include "kcompact.h"
#include "page_alloc.h"
#include "payload.h"
#include "targeted.h"
#include "vmstat.h"
#include "zs_provider.h"
#include "zs_slab.h"

/* Snapshots report the unusable and fragmentation indices for this order (the ARM pgd's). */
#define SIM_INDEX_ORDER 2

struct sim {
	struct sim_config cfg;
	struct sim_sinks sinks;
	struct physmem *mem;
	struct zs_pool *pool;
	struct zram *zram;
	struct zs_page_ops ops; /* the provider through zsp_*, set_movable only under `migration` */
	unsigned int zram_gfp;
	struct page_alloc pa; /* slow path, kswapd, kcompactd, compaction deferral */
	struct sim_forks forks; /* `k` / `x`: the processes and their pages */
	bool shrinker_registered; /* zsmalloc's shrinker: profile has one and policy `shrinker` */

	struct idmap objects; /* `a` ID -> a: handle, b: size | seed << 32 */
	struct idmap blocks;  /* `g` ID -> a: pfn + 1, b: order */
	/* IDs whose `a` / `g` failed: not in the maps above, only their later release is
	 * accepted (a fixed 1 MiB each, not an entry per failure; see idmap.h) */
	struct idfilter failed_objects, failed_blocks;

	uint64_t events;
	uint64_t time_ns;
	uint64_t policy_state[POLICY_NR];

	struct sim_other_stats other;
	struct sim_op_timing op_timing;
	struct zs_slab slab; /* zsmalloc's kmem cache pages, with cfg.zs_slab */
	/* the targeted policy's look-ahead deferral, per order it clears (policy_targeted.c) */
	struct targeted_defer targeted_defer[TARGETED_MAX_ORDER + 1];

	struct sim_class_snap *class_buf;
	const char *fullness_names[ZS_MAX_FULLNESS];
};

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
	cfg->fork = (struct sim_fork_cost){-1, -1, -1, -1, -1, -1};
}

static bool policy_on(const struct sim *sim, enum policy_id id)
{
	return sim->cfg.policies & (1u << id);
}

static void run_zs_compact(struct sim *sim, const char *trigger, bool shrinker);
static bool run_targeted(struct sim *sim, unsigned int order, unsigned int max_windows,
			 bool look_ahead);

/* kcompact moved a user page: the block now lives at newpfn. */
static int relocate_user_page(void *ctx, unsigned long oldpfn, unsigned long newpfn, uint64_t tag)
{
	struct sim *sim = ctx;
	struct idmap_entry *e = idmap_find(&sim->blocks, tag);

	if (!e || e->a != oldpfn + 1)
		return -ENOENT;
	e->a = newpfn + 1;
	return 0;
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

	if (__alloc_pages(&sim->pa, 0, mt,
			  SIM_GFP_KSWAPD_RECLAIM | ((gfp & ZS_GFP_HIGHMEM) ? SIM_GFP_HIGHMEM : 0),
			  &r) != 0)
		return -ENOMEM;
	*pfn = r.pfn;
	return physmem_set_owner(sim->mem, r.pfn, PHYSMEM_OWNER_ZSPAGE, 0);
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

/*
 * shrink_slab(): zsmalloc's shrinker when it is registered. SIM: its pages
 * do not count as reclaim progress, as in the kernel (see page_alloc.c).
 */
static unsigned long sim_shrink_slab(void *ctx, bool kswapd, unsigned long *freed)
{
	struct sim *sim = ctx;
	unsigned long freeable = 0, before;

	*freed = 0;
	if (!sim->shrinker_registered || zs_shrinker_count(sim->pool, &freeable) != 0 ||
	    !freeable)
		return 0;
	before = zs_get_total_pages(sim->pool);
	run_zs_compact(sim, kswapd ? "kswapd" : "direct reclaim", true);
	*freed = before - zs_get_total_pages(sim->pool);
	return 0;
}

/* The policies' on_pgd_failure hooks (on-pgd-failure's zs_compact) before the OOM killer. */
static bool sim_before_oom(void *ctx, unsigned int order)
{
	struct sim *sim = ctx;
	struct policy_view v = {.event_index = sim->events,
				.time_ns = sim->time_ns,
				.pool = sim->pool,
				.mem = sim->mem,
				.params = &sim->cfg.policy};

	bool ran = false;

	if (!zs_pool_profile(sim->pool)->has_compaction)
		return false;
	/* targeted first: it clears one window; on-pgd-failure then compacts the whole pool */
	if (policy_on(sim, POLICY_TARGETED))
		ran = run_targeted(sim, order, 1, false);
	for (unsigned int i = 0; i < POLICY_NR; i++) {
		const struct policy_ops *p = policy_get((enum policy_id)i);

		if (policy_on(sim, (enum policy_id)i) && p->on_pgd_failure &&
		    p->on_pgd_failure(&v, &sim->policy_state[i])) {
			run_zs_compact(sim, p->name, false);
			ran = true;
		}
	}
	return ran;
}

int sim_create(const struct sim_config *cfg, const struct sim_sinks *sinks, struct sim **out,
	       char *msg, size_t msglen)
{
	struct page_alloc_ops pao = {.shrink_slab = sim_shrink_slab,
				     .before_oom = sim_before_oom,
				     .relocate = relocate_user_page};
	struct sim_fork_cost cost = cfg->fork;
	struct sim *sim = calloc(1, sizeof(*sim));
	const struct zs_profile_info *pi;
	struct zram_config zc;
	int err;

	if (!sim)
		return -ENOMEM;
	sim->cfg = *cfg;
	if (sinks)
		sim->sinks = *sinks;
	sim->cfg.payload = sim_payload_resolve(cfg->payload, cfg->mem.ram_bytes);
	sim->cfg.mem.no_host_memory = sim->cfg.payload == SIM_PAYLOAD_NONE;
	sim->cfg.pool.no_page_contents = sim->cfg.payload == SIM_PAYLOAD_NONE;
	if (cfg->mem.page_size != cfg->pool.page_size) {
		snprintf(msg, msglen, "physical memory page size %u differs from the pool's %zu",
			 cfg->mem.page_size, cfg->pool.page_size);
		err = -EINVAL;
		goto fail;
	}
	err = physmem_create(&sim->cfg.mem, &sim->mem);
	if (err) {
		snprintf(msg, msglen, "cannot build physical memory of %llu bytes (%s)",
			 (unsigned long long)cfg->mem.ram_bytes, strerror(-err));
		goto fail;
	}
	sim->ops = (struct zs_page_ops){.alloc_page = zsp_alloc_page,
					.free_page = zsp_free_page,
					.page_address = zsp_page_address,
					.page_private = zsp_page_private,
					.set_movable = zsp_set_movable};
	if (!policy_on(sim, POLICY_MIGRATION))
		sim->ops.set_movable = NULL; /* zspage pages stay put unless the policy allows */
	pao.ctx = pao.relocate_ctx = sim;
	page_alloc_init(&sim->pa, sim->mem, page_alloc_era(cfg->pool.profile), &pao);
	err = zs_create_pool(&sim->cfg.pool, &sim->ops, sim, &sim->pool);
	if (!err)
		zs_slab_init(&sim->slab, zs_pool_profile(sim->pool), cfg->pool.arch,
			     cfg->pool.page_size ? cfg->pool.page_size : 4096);
	if (err) {
		snprintf(msg, msglen, "cannot create a zsmalloc pool for profile %s",
			 cfg->pool.profile ? cfg->pool.profile : "(default)");
		goto fail;
	}
	pi = zs_pool_profile(sim->pool);
	sim->shrinker_registered = pi->has_shrinker && policy_on(sim, POLICY_SHRINKER);
	/* zram's gfp: GFP_NOIO | __GFP_HIGHMEM, plus __GFP_MOVABLE from 4.8 */
	sim->zram_gfp = ZS_GFP_HIGHMEM | (pi->movable_pages ? ZS_GFP_MOVABLE : 0);
	zc.disksize = cfg->zram_disksize;
	zc.mem_limit = cfg->zram_mem_limit;
	zc.gfp = sim->zram_gfp;
	zc.timing = cfg->op_timing ? &sim->op_timing : NULL;
	zc.payload = sim->cfg.payload == SIM_PAYLOAD_FULL;
	err = zram_create(&zc, sim->pool, &sim->zram);
	if (err) {
		snprintf(msg, msglen, "cannot create a zram disk of %llu bytes",
			 (unsigned long long)cfg->zram_disksize);
		goto fail;
	}
	fork_cost_resolve(&cost, pi->name, (int)cfg->pool.arch, cfg->pool.page_size);
	if ((unsigned int)cost.pgd_order >= cfg->mem.max_order) {
		snprintf(msg, msglen, "fork_pgd_order %d beyond the machine's %u orders",
			 cost.pgd_order, cfg->mem.max_order);
		err = -EINVAL;
		goto fail;
	}
	sim->cfg.fork = cost;
	sim->class_buf = calloc(zs_class_count(sim->pool), sizeof(*sim->class_buf));
	if (!sim->class_buf || idmap_init(&sim->objects, 1024) || idmap_init(&sim->blocks, 64) ||
	    fork_init(&sim->forks, &sim->pa, &cost)) {
		err = -ENOMEM;
		goto fail;
	}
	for (unsigned int g = 0; g < pi->nr_fullness; g++)
		sim->fullness_names[g] = zs_fullness_name(sim->pool, g);
	*out = sim;
	return 0;
fail:
	sim_destroy(sim);
	return err;
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
	physmem_destroy(sim->mem);
	idmap_destroy(&sim->objects);
	idmap_destroy(&sim->blocks);
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

static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The payload seed of an object: distinct per object and per write. */
static uint64_t object_seed(const struct sim *sim, uint64_t id)
{
	uint64_t x = sim->cfg.seed ^ (id * 0x9e3779b97f4a7c15ULL) ^ (sim->events << 17);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x >> 32; /* 32 bits: raw objects keep it beside their size in one word */
}

static void run_zs_compact(struct sim *sim, const char *trigger, bool shrinker)
{
	struct sim_compaction c = {
	    .event_index = sim->events, .time_ns = sim->time_ns, .trigger = trigger};
	uint64_t t0 = sim->cfg.timing ? cpu_now_ns() : 0;
	int err;

	c.pool_pages_before = zs_get_total_pages(sim->pool);
	err = shrinker ? zs_shrinker_scan(sim->pool, &c.result) : zs_compact(sim->pool, &c.result);
	if (err)
		return; /* the profile has no compaction (or no shrinker): nothing ran */
	if (sim->cfg.timing)
		c.cpu_ns = cpu_now_ns() - t0;
	c.pool_pages_after = zs_get_total_pages(sim->pool);
	if (sim->sinks.compaction)
		sim->sinks.compaction(sim->sinks.ctx, &c);
}

/*
 * The targeted policy (policy_targeted.c): clear up to max_windows windows of
 * the order while its requests would stall; one compaction record when any
 * work was done. True when a window was cleared.
 */
static bool run_targeted(struct sim *sim, unsigned int order, unsigned int max_windows,
			 bool look_ahead)
{
	struct sim_compaction c = {
	    .event_index = sim->events, .time_ns = sim->time_ns, .trigger = "targeted"};
	struct targeted_result r = {0};
	uint64_t t0 = sim->cfg.timing ? cpu_now_ns() : 0;
	unsigned int done;

	c.pool_pages_before = zs_get_total_pages(sim->pool);
	if (order > TARGETED_MAX_ORDER)
		return false;
	/* the look-ahead defers after a fruitless scan; the before-OOM call always scans */
	done = targeted_run(sim->mem, sim->pool, order, max_windows,
			    look_ahead ? &sim->targeted_defer[order] : NULL, &r);
	if (!r.bytes_copied && !r.zspages_freed)
		return done > 0; /* nothing moved (a drain merged the block, or no window) */
	if (sim->cfg.timing)
		c.cpu_ns = cpu_now_ns() - t0;
	c.pool_pages_after = zs_get_total_pages(sim->pool);
	c.result.pages_freed = r.pages_freed;
	c.result.objs_migrated = r.objs_migrated;
	c.result.bytes_copied = r.bytes_copied; /* migrated pages included */
	c.result.zspages_freed = r.zspages_freed;
	sim->other.targeted_windows += r.windows;
	sim->other.targeted_pages_migrated += r.pages_migrated;
	if (sim->sinks.compaction)
		sim->sinks.compaction(sim->sinks.ctx, &c);
	return done > 0;
}

/*
 * After an event, the targeted policy looks ahead: would the next fork's
 * contiguous requests (its kernel stack before CONFIG_VMAP_STACK, then its
 * pgd) stall for want of a block? Then it clears windows now, as the daemon
 * it models would (a bounded number per event: the stack's and the pgd's).
 */
static void targeted_look_ahead(struct sim *sim)
{
	const struct sim_fork_cost *c = &sim->cfg.fork;

	if (c->stack_pages > 1 && !c->stack_vmalloc) {
		unsigned int o = 0;

		while ((1 << o) < c->stack_pages)
			o++;
		run_targeted(sim, o, 1, true);
	}
	if (c->pgd_order > 0)
		run_targeted(sim, (unsigned int)c->pgd_order, 1, true);
}

static int do_alloc(struct sim *sim, const struct sim_event *ev, char *msg, size_t len)
{
	struct idmap_entry *e;
	unsigned long handle;
	uint64_t seed;
	int err;

	if (ev->size == 0 || ev->size > zs_page_size(sim->pool)) {
		snprintf(msg, len, "object size %u out of range 1..%zu", ev->size,
			 zs_page_size(sim->pool));
		return -EINVAL;
	}
	if (idmap_insert(&sim->objects, ev->id, &e) != 0) {
		snprintf(msg, len, "reuse of live object ID %llu", (unsigned long long)ev->id);
		return -EEXIST;
	}
	err = timed_zs_malloc(sim->cfg.op_timing ? &sim->op_timing : NULL, sim->pool, ev->size,
			      sim->zram_gfp, &handle);
	if (err) { /* counted, then forgotten: nothing of it exists */
		sim->other.alloc_failures++;
		idmap_remove(&sim->objects, ev->id);
		return idfilter_add(&sim->failed_objects, ev->id);
	}
	seed = object_seed(sim, ev->id);
	if (sim->cfg.payload == SIM_PAYLOAD_FULL) {
		payload_write(zs_map_object(sim->pool, handle, ZS_MM_WO), ev->size, seed);
		zs_unmap_object(sim->pool, handle);
	}
	e->a = handle;
	e->b = (uint64_t)ev->size | (seed << 32);
	sim->other.objects_live++;
	sim->other.object_bytes += ev->size;
	return 0;
}

static int do_free(struct sim *sim, uint64_t id, char *msg, size_t len)
{
	struct idmap_entry *e = idmap_find(&sim->objects, id);

	if (!e) {
		if (idfilter_maybe(&sim->failed_objects, id))
			return 0; /* the free of a failed allocation: nothing to free */
		snprintf(msg, len, "free of unknown object ID %llu", (unsigned long long)id);
		return -ENOENT;
	}
	timed_zs_free(sim->cfg.op_timing ? &sim->op_timing : NULL, sim->pool, (unsigned long)e->a);
	sim->other.objects_live--;
	sim->other.object_bytes -= (uint32_t)e->b;
	idmap_remove(&sim->objects, id);
	return 0;
}

static enum physmem_mt mtype_of(char t)
{
	return t == SIM_MT_MOVABLE	 ? PHYSMEM_MT_MOVABLE
	       : t == SIM_MT_RECLAIMABLE ? PHYSMEM_MT_RECLAIMABLE
					 : PHYSMEM_MT_UNMOVABLE;
}

static int do_get(struct sim *sim, const struct sim_event *ev, char *msg, size_t len)
{
	struct idmap_entry *e;
	enum physmem_mt mt = mtype_of(ev->mtype);
	struct alloc_result r;
	/* page cache and anonymous memory may live in HighMem; slab and kernel may not */
	unsigned int flags = mt == PHYSMEM_MT_MOVABLE ? SIM_GFP_HIGHMEM : 0;

	if (ev->order >= physmem_get_config(sim->mem)->max_order) {
		snprintf(msg, len, "block order %u beyond the machine's %u orders", ev->order,
			 physmem_get_config(sim->mem)->max_order);
		return -EINVAL;
	}
	if (idmap_insert(&sim->blocks, ev->id, &e) != 0) {
		snprintf(msg, len, "reuse of live block ID %llu", (unsigned long long)ev->id);
		return -EEXIST;
	}
	e->b = ev->order;
	if (__alloc_pages(&sim->pa, ev->order, mt, SIM_GFP_KSWAPD_RECLAIM | flags, &r) != 0) {
		sim->other.block_failures++; /* counted, then forgotten, as a failed `a` */
		idmap_remove(&sim->blocks, ev->id);
		return idfilter_add(&sim->failed_blocks, ev->id);
	}
	physmem_set_owner(sim->mem, r.pfn, PHYSMEM_OWNER_USER, ev->id);
	e->a = r.pfn + 1;
	sim->other.blocks_live++;
	return 0;
}

static int do_put(struct sim *sim, uint64_t id, char *msg, size_t len)
{
	struct idmap_entry *e = idmap_find(&sim->blocks, id);

	if (!e) {
		if (idfilter_maybe(&sim->failed_blocks, id))
			return 0; /* the put of a failed get: nothing to put */
		snprintf(msg, len, "put of unknown block ID %llu", (unsigned long long)id);
		return -ENOENT;
	}
	physmem_free(sim->mem, (unsigned long)e->a - 1, (unsigned int)e->b);
	sim->other.blocks_live--;
	idmap_remove(&sim->blocks, id);
	return 0;
}

static int check_invariants(struct sim *sim, char *msg, size_t len);

static int do_verify(struct sim *sim, char *msg, size_t len)
{
	struct sim_verify v = {.event_index = sim->events,
			       .payload_checked = sim->cfg.payload == SIM_PAYLOAD_FULL};
	struct idmap_entry *e;

	if (!v.payload_checked) {
		/* no payload to compare: the structure is what can be checked */
		int err = check_invariants(sim, msg, len);

		if (err)
			return err;
		if (sim->sinks.verify)
			sim->sinks.verify(sim->sinks.ctx, &v);
		return 0;
	}
	v.mismatches = zram_verify_all(sim->zram);
	v.objects_checked = zram_stored_slots(sim->zram);
	idmap_for_each(&sim->objects, e)
	{
		const uint8_t *p;

		if (!e->a)
			continue;
		p = zs_map_object(sim->pool, (unsigned long)e->a, ZS_MM_RO);
		if (!p || !payload_check(p, (uint32_t)e->b, e->b >> 32))
			v.mismatches++;
		zs_unmap_object(sim->pool, (unsigned long)e->a);
		v.objects_checked++;
	}
	sim->other.verify_mismatches += v.mismatches;
	if (sim->sinks.verify)
		sim->sinks.verify(sim->sinks.ctx, &v);
	return 0;
}

static int zram_error(struct sim *sim, int err, const struct sim_event *ev, char *msg, size_t len)
{
	if (err == -ERANGE) {
		snprintf(msg, len, "slot %llu beyond the zram disk (%llu slots)",
			 (unsigned long long)ev->id, (unsigned long long)zram_nr_slots(sim->zram));
		return -ERANGE;
	}
	if (err == -EINVAL) {
		snprintf(msg, len, "compressed size %u out of range 1..%zu", ev->size,
			 zs_page_size(sim->pool));
		return -EINVAL;
	}
	return 0; /* -ENOMEM, -EIO: counted by zram, not a trace error */
}

static void run_policies(struct sim *sim, const struct sim_event *ev)
{
	struct policy_view v = {.event_index = sim->events,
				.time_ns = sim->time_ns,
				.ev = ev,
				.pool = sim->pool,
				.mem = sim->mem,
				.params = &sim->cfg.policy};

	for (unsigned int i = 0; i < POLICY_NR; i++) {
		const struct policy_ops *p = policy_get((enum policy_id)i);

		if (!policy_on(sim, (enum policy_id)i) || !p->after_event)
			continue;
		if (p->after_event(&v, &sim->policy_state[i]))
			run_zs_compact(sim, p->name, false);
	}
}

void sim_prefetch(struct sim *sim, const struct sim_event *ev, unsigned int depth)
{
	const struct idmap_entry *e;

	switch (ev->op) {
	case SIM_OP_WRITE:
	case SIM_OP_WRITE_SAME:
	case SIM_OP_READ:
	case SIM_OP_DISCARD:
		zram_prefetch(sim->zram, ev->id, depth);
		break;
	case SIM_OP_FREE:
		/* the map lookup is itself a load: from depth 1, once the caller is closer */
		if (depth > 0 && (e = idmap_find(&sim->objects, ev->id)) != NULL)
			zs_prefetch(sim->pool, (unsigned long)e->a, depth - 1);
		break;
	default:
		break;
	}
}

static int check_invariants(struct sim *sim, char *msg, size_t len)
{
	char why[256];
	int n;

	if (zs_pool_check(sim->pool, why, sizeof(why)) != 0) {
		n = snprintf(msg, len, "zsmalloc invariant broken after event %llu: ",
			     (unsigned long long)sim->events);
		snprintf(msg + n, len - (size_t)n, "%s", why);
		return -EUCLEAN;
	}
	if (physmem_check(sim->mem, why, sizeof(why)) != 0) {
		n = snprintf(msg, len, "physical memory invariant broken after event %llu: ",
			     (unsigned long long)sim->events);
		snprintf(msg + n, len - (size_t)n, "%s", why);
		return -EUCLEAN;
	}
	return 0;
}

int sim_event(struct sim *sim, const struct sim_event *ev, char *msg, size_t len)
{
	int err = 0;

	if (ev->has_time) {
		if (ev->time_ns < sim->time_ns) {
			snprintf(msg, len, "time goes backwards (%llu after %llu)",
				 (unsigned long long)ev->time_ns, (unsigned long long)sim->time_ns);
			return -EINVAL;
		}
		sim->time_ns = ev->time_ns;
	}
	sim->events++;
	switch (ev->op) {
	case SIM_OP_ALLOC:
		err = do_alloc(sim, ev, msg, len);
		break;
	case SIM_OP_FREE:
		err = do_free(sim, ev->id, msg, len);
		break;
	case SIM_OP_WRITE:
		err = zram_error(sim,
				 zram_write(sim->zram, ev->id, ev->size, object_seed(sim, ev->id)),
				 ev, msg, len);
		break;
	case SIM_OP_WRITE_SAME:
		err = zram_error(sim, zram_write_same(sim->zram, ev->id), ev, msg, len);
		break;
	case SIM_OP_READ:
		err = zram_error(sim, zram_read(sim->zram, ev->id), ev, msg, len);
		break;
	case SIM_OP_DISCARD:
		err = zram_error(sim, zram_discard(sim->zram, ev->id), ev, msg, len);
		break;
	case SIM_OP_GET:
		err = do_get(sim, ev, msg, len);
		break;
	case SIM_OP_PUT:
		err = do_put(sim, ev->id, msg, len);
		break;
	case SIM_OP_FORK:
		err = fork_copy_process(&sim->forks, ev->id);
		if (err == -EEXIST)
			snprintf(msg, len, "fork of PID %llu, which is alive",
				 (unsigned long long)ev->id);
		break;
	case SIM_OP_EXIT:
		err = fork_release_task(&sim->forks, ev->id);
		if (err == -ENOENT)
			snprintf(msg, len, "exit of unknown PID %llu", (unsigned long long)ev->id);
		break;
	case SIM_OP_FORK_PROBE:
		/* the kernel check's probe (kernel/forkprobe.c): see fork_probe() */
		err = fork_probe(&sim->forks, ev->id);
		if (err)
			snprintf(msg, len, "out of memory for a fork probe of %llu forks",
				 (unsigned long long)ev->id);
		break;
	case SIM_OP_COMPACT:
		if (!policy_on(sim, POLICY_MANUAL))
			sim->other.compact_requests_ignored++;
		break;
	case SIM_OP_SNAPSHOT:
		/* the kernel check's guest drains the per-CPU lists (drain_all_pages) before it
		 * reads buddyinfo at every snapshot; so does the replay, to stay comparable */
		physmem_pcp_drain(sim->mem, -1);
		sim_snapshot_now(sim, ev->label);
		break;
	case SIM_OP_VERIFY:
		err = do_verify(sim, msg, len);
		break;
	default:
		snprintf(msg, len, "unknown op '%c'", (char)ev->op);
		return -EINVAL;
	}
	if (err)
		return err;
	if (sim->cfg.zs_slab)
		zs_slab_sync(&sim->slab, sim->mem, sim->pool);
	/* woken during the event (low watermark, or a boosted zone): it runs now */
	kswapd_run(&sim->pa);
	run_policies(sim, ev);
	if (policy_on(sim, POLICY_TARGETED))
		targeted_look_ahead(sim);
	if (sim->cfg.sample_every && sim->events % sim->cfg.sample_every == 0)
		sim_snapshot_now(sim, "sample");
	if (sim->cfg.check_every && sim->events % sim->cfg.check_every == 0)
		return check_invariants(sim, msg, len);
	return 0;
}

static void fill_zone(struct sim *sim, int zone, struct sim_zone_snap *zs)
{
	struct vmstat_buddyinfo bi;
	struct physmem_zone_info zi;

	physmem_zone_info(sim->mem, (unsigned int)zone, &zi);
	zs->name = zi.name;
	zs->free_pages = zi.free_pages;
	zs->managed_pages = zi.managed_pages;
	zs->wmark_min = zi.wmark[PHYSMEM_WMARK_MIN];
	zs->wmark_low = zi.wmark[PHYSMEM_WMARK_LOW];
	zs->wmark_high = zi.wmark[PHYSMEM_WMARK_HIGH];
	vmstat_buddyinfo(sim->mem, zone, &bi);
	zs->nr_orders = bi.nr_orders;
	for (unsigned int o = 0; o < bi.nr_orders && o < 16; o++)
		zs->buddyinfo[o] = bi.nr_free[o];
	vmstat_zone_unusable_index(sim->mem, zone, SIM_INDEX_ORDER, &zs->unusable_index_2);
	vmstat_zone_fragmentation_index(sim->mem, zone, SIM_INDEX_ORDER,
					&zs->fragmentation_index_2);
}

void sim_snapshot_now(struct sim *sim, const char *label)
{
	struct sim_snapshot s;
	struct zs_pool_stats ps;
	unsigned int n = 0;

	if (!sim->sinks.snapshot)
		return;
	memset(&s, 0, sizeof(s));
	s.label = label;
	s.event_index = sim->events;
	s.time_ns = sim->time_ns;
	s.pool_pages = zs_get_total_pages(sim->pool);
	zs_pool_stats(sim->pool, &ps);
	s.pages_compacted = ps.pages_compacted;
	s.compactions = ps.compactions;
	s.nr_fullness = zs_pool_profile(sim->pool)->nr_fullness;
	s.fullness_names = sim->fullness_names;
	for (unsigned int i = 0; i < zs_class_count(sim->pool); i++) {
		struct zs_class_info ci;
		struct zs_class_stats st;
		struct sim_class_snap *c = &sim->class_buf[n];

		zs_class_info(sim->pool, i, &ci);
		if (ci.merged_into != i)
			continue;
		zs_class_stats(sim->pool, i, &st);
		if (!st.obj_allocated)
			continue;
		c->index = i;
		c->size = ci.size;
		c->pages_per_zspage = ci.pages_per_zspage;
		c->objs_per_zspage = ci.objs_per_zspage;
		c->obj_allocated = st.obj_allocated;
		c->obj_used = st.obj_used;
		c->pages_used = st.pages_used;
		c->freeable = st.freeable;
		memcpy(c->fullness, st.fullness, sizeof(c->fullness));
		s.ideal_pages += (st.obj_used + ci.objs_per_zspage - 1) / ci.objs_per_zspage *
				 ci.pages_per_zspage;
		n++;
	}
	s.nr_classes = n;
	s.classes = sim->class_buf;
	zram_get_mm_stat(sim->zram, &s.mm_stat);
	s.stored_bytes = s.mm_stat.compr_data_size + sim->other.object_bytes;
	zram_get_io_stat(sim->zram, &s.io_stat);
	s.nr_zones = physmem_nr_zones(sim->mem);
	if (s.nr_zones > SIM_MAX_ZONES)
		s.nr_zones = SIM_MAX_ZONES;
	for (unsigned int z = 0; z < s.nr_zones; z++)
		fill_zone(sim, (int)z, &s.zones[z]);
	s.free_pages = physmem_free_pages(sim->mem);
	vmstat_zone_unusable_index(sim->mem, VMSTAT_ALL_ZONES, SIM_INDEX_ORDER,
				   &s.unusable_index_2);
	vmstat_zone_fragmentation_index(sim->mem, VMSTAT_ALL_ZONES, SIM_INDEX_ORDER,
					&s.fragmentation_index_2);
	s.forks = sim->forks.st;
	s.vm = sim->pa.st;
	s.other = sim->other;
	s.op_timing = sim->cfg.op_timing ? &sim->op_timing : NULL;
	sim->sinks.snapshot(sim->sinks.ctx, &s);
}

void sim_finish(struct sim *sim)
{
	sim_snapshot_now(sim, "final");
}
