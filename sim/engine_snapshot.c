/*
 * engine_snapshot.c - the replay engine's snapshots: the pool, its classes,
 * zram's mm_stat and io_stat, every zone's buddyinfo and fragmentation
 * indices, handed to the snapshot sink.
 */
#include <string.h>

#include "engine_internal.h"
#include "vmstat.h"
#include "zs_check.h"

static void fill_zone(struct sim *sim, int zone, struct sim_zone_snap *zs)
{
	struct vmstat_buddyinfo bi = {0};
	struct physmem_zone_info zi;
	int rc;

	physmem_zone_info(sim->mem, (unsigned int)zone, &zi);
	zs->name = zi.name;
	zs->free_pages = zi.free_pages;
	zs->managed_pages = zi.managed_pages;
	zs->wmark_min = zi.wmark[PHYSMEM_WMARK_MIN];
	zs->wmark_low = zi.wmark[PHYSMEM_WMARK_LOW];
	zs->wmark_high = zi.wmark[PHYSMEM_WMARK_HIGH];
	/* zone is one of the machine's own: a failure is a bug, not bad input */
	rc = vmstat_buddyinfo(sim->mem, zone, &bi);
	ZS_CHECK_BUG_ON("sim", rc != 0);
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
	s.other.zs_slab_pages = zs_slab_pages(&sim->slab);
	s.op_timing = sim->cfg.op_timing ? &sim->op_timing : NULL;
	sim->sinks.snapshot(sim->sinks.ctx, &s);
}

void sim_finish(struct sim *sim)
{
	sim_snapshot_now(sim, "final");
}
