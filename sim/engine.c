/*
 * engine.c - the replay engine: the events, the policies, and page_alloc's
 * reclaim and OOM hooks. Its lifetime and the pool's page provider are in
 * engine_setup.c, snapshots in engine_snapshot.c, the state they share in
 * engine_internal.h.
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
 * watermark or boosted it, runs after the event (kswapd_run) or at the
 * fork's next blocking request, whichever comes first (page_alloc.c).
 * SIM: `g` blocks take the fast path and, failing it, wake kswapd and try
 * the min watermark, but never stall: the trace's other memory is recorded
 * history. zram's first zs_malloc has no __GFP_DIRECT_RECLAIM; its GFP_NOIO
 * retry is one round of the slow path at min with an allocstall
 * (page_alloc_noio_retry), failing where the kernel's writer would wait.
 * Failures are counted (zram's failed writes, block_failures); a page whose
 * swap-out write failed stays resident (engine_swapout.c).
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
#include "engine_internal.h"
#include "fork.h"
#include "idmap.h"
#include "kcompact.h"
#include "page_alloc.h"
#include "payload.h"
#include "targeted.h"
#include "vmstat.h"
#include "zs_provider.h"
#include "zs_slab.h"

static void run_zs_compact(struct sim *sim, const char *trigger, bool shrinker);
static bool run_targeted(struct sim *sim, unsigned int order, unsigned int max_windows,
			 bool look_ahead);

/*
 * shrink_slab(): zsmalloc's shrinker when it is registered. SIM: its pages
 * do not count as reclaim progress, as in the kernel (see page_alloc.c).
 */
unsigned long sim_shrink_slab(void *ctx, bool kswapd, unsigned long *freed)
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
bool sim_before_oom(void *ctx, unsigned int order)
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
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	/* this thread's: the host's prefault and decoding threads run meanwhile */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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
 * `y N`: a captured kernel's compaction in the steps it took while other tasks ran between
 * them (traces/FORMAT.md); N the zspages it had put back, 0 its end. Like `c`, it runs
 * under the manual policy only.
 */
static void do_compact_step(struct sim *sim, uint64_t putbacks)
{
	struct sim_compaction *c = &sim->step_rec;

	if (!policy_on(sim, POLICY_MANUAL)) {
		sim->other.compact_requests_ignored += putbacks == 0;
		return;
	}
	if (!sim->step.active) {
		*c = (struct sim_compaction){
		    .event_index = sim->events, .time_ns = sim->time_ns, .trigger = "manual"};
		c->pool_pages_before = zs_get_total_pages(sim->pool);
		if (zs_compact_begin(sim->pool, &sim->step))
			return; /* no compaction in the profile, or one runs */
	}
	if (zs_compact_resume(sim->pool, &sim->step, putbacks, &c->result) &&
	    sim->sinks.compaction) {
		c->pool_pages_after = zs_get_total_pages(sim->pool);
		sim->sinks.compaction(sim->sinks.ctx, c);
	}
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
	if (sim->cfg.payload == SIM_PAYLOAD_FULL) /* in place: the bytes a WO mapping would leave */
		payload_write_object(sim->pool, handle, ev->size, seed);
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

/* w: a failed write (-ENOMEM) leaves its page resident (engine_swapout.c). */
static int do_write(struct sim *sim, const struct sim_event *ev, char *msg, size_t len)
{
	int err;

	swapout_release(sim, ev->id);
	err = zram_write(sim->zram, ev->id, ev->size, object_seed(sim, ev->id));
	if (err == -ENOMEM && swapout_write_failed(sim, ev->id)) {
		snprintf(msg, len, "out of host memory");
		return -ENOMEM;
	}
	return zram_error(sim, err, ev, msg, len);
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
		zram_prefetch(sim->zram, ev->id, ev->op == SIM_OP_READ, depth);
		break;
	case SIM_OP_FREE:
		/* the map lookup is itself a load: from depth 1, once the caller is closer */
		if (depth > 0 && (e = idmap_find(&sim->objects, ev->id)) != NULL)
			zs_prefetch(sim->pool, (unsigned long)e->a, depth - 1, true);
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
	if (zs_slab_check(&sim->slab, why, sizeof(why)) != 0) {
		n = snprintf(msg, len, "zsmalloc slab cache invariant broken after event %llu: ",
			     (unsigned long long)sim->events);
		snprintf(msg + n, len - (size_t)n, "%s", why);
		return -EUCLEAN;
	}
	if (fork_slab_check(&sim->forks, why, sizeof(why)) != 0) {
		n = snprintf(msg, len, "fork slab cache invariant broken after event %llu: ",
			     (unsigned long long)sim->events);
		snprintf(msg + n, len - (size_t)n, "%s", why);
		return -EUCLEAN;
	}
	if (swapout_check(sim, why, sizeof(why)) != 0) {
		n = snprintf(msg, len, "failed swap-out invariant broken after event %llu: ",
			     (unsigned long long)sim->events);
		snprintf(msg + n, len - (size_t)n, "%s", why);
		return -EUCLEAN;
	}
	return 0;
}

/* k: a fork, copy_process() for PID (fork.c); -ENOMEM (host memory) has no message */
static int do_fork(struct sim *sim, uint64_t pid, char *msg, size_t len)
{
	int err = fork_copy_process(&sim->forks, pid);

	if (err == -EEXIST)
		snprintf(msg, len, "fork of PID %llu, which is alive", (unsigned long long)pid);
	return err;
}

/* x: the process exits and its pages go back */
static int do_exit(struct sim *sim, uint64_t pid, char *msg, size_t len)
{
	int err = fork_release_task(&sim->forks, pid);

	if (err == -ENOENT)
		snprintf(msg, len, "exit of unknown PID %llu", (unsigned long long)pid);
	return err;
}

/* F: the kernel check's probe (kernel/forkprobe.c): see fork_probe() */
static int do_fork_probe(struct sim *sim, uint64_t forks, char *msg, size_t len)
{
	int err = fork_probe(&sim->forks, forks);

	if (err)
		snprintf(msg, len, "out of memory for a fork probe of %llu forks",
			 (unsigned long long)forks);
	return err;
}

/* c: a compaction request; the manual policy runs it after the event, without it it is ignored */
static void do_compact_request(struct sim *sim)
{
	if (!policy_on(sim, POLICY_MANUAL))
		sim->other.compact_requests_ignored++;
}

/* s: a labelled snapshot */
static void do_snapshot(struct sim *sim, const char *label)
{
	/* the kernel check's guest drains the per-CPU lists (drain_all_pages) before it
	 * reads buddyinfo at every snapshot; so does the replay, to stay comparable */
	physmem_pcp_drain(sim->mem, -1);
	sim_snapshot_now(sim, label);
}

/*
 * After every event that went through: kswapd, the policies, the targeted
 * policy's look-ahead, the periodic sample and the periodic invariant check.
 */
static int after_event(struct sim *sim, const struct sim_event *ev, char *msg, size_t len)
{
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
	if (ev->new_zspage && sim->pool && (ev->op == SIM_OP_ALLOC || ev->op == SIM_OP_WRITE))
		zs_malloc_new_zspage_once(sim->pool);
	switch (ev->op) {
	case SIM_OP_ALLOC:
		err = do_alloc(sim, ev, msg, len);
		break;
	case SIM_OP_FREE:
		err = do_free(sim, ev->id, msg, len);
		break;
	case SIM_OP_WRITE:
		err = do_write(sim, ev, msg, len);
		break;
	case SIM_OP_WRITE_SAME:
		swapout_release(sim, ev->id);
		err = zram_error(sim, zram_write_same(sim->zram, ev->id), ev, msg, len);
		break;
	case SIM_OP_READ:
		if (!swapout_read_cached(sim, ev->id))
			err = zram_error(sim, zram_read(sim->zram, ev->id), ev, msg, len);
		break;
	case SIM_OP_DISCARD:
		swapout_release(sim, ev->id);
		err = zram_error(sim, zram_discard(sim->zram, ev->id), ev, msg, len);
		break;
	case SIM_OP_GET:
		err = do_get(sim, ev, msg, len);
		break;
	case SIM_OP_PUT:
		if (!ev->swapped_out || !swapout_keep(sim, ev))
			err = do_put(sim, ev->id, msg, len);
		break;
	case SIM_OP_FORK:
		err = do_fork(sim, ev->id, msg, len);
		break;
	case SIM_OP_EXIT:
		err = do_exit(sim, ev->id, msg, len);
		break;
	case SIM_OP_FORK_PROBE:
		err = do_fork_probe(sim, ev->id, msg, len);
		break;
	case SIM_OP_COMPACT:
		do_compact_request(sim);
		break;
	case SIM_OP_COMPACT_STEP:
		do_compact_step(sim, ev->id);
		break;
	case SIM_OP_SNAPSHOT:
		do_snapshot(sim, ev->label);
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
	return after_event(sim, ev, msg, len);
}
