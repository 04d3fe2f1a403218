/*
 * policy_shrinker.c - the kernel's own automatic compaction (4.3+): when a
 * zone's free memory falls below its low watermark, reclaim (kswapd, or the
 * direct reclaim of a failing allocation) calls every shrinker, and
 * zsmalloc's counts zs_can_compact() and scans with zs_compact().
 * Looked at every check_interval events.
 */
#include "physmem.h"
#include "policy.h"

static bool below_low_watermark(struct physmem *mem)
{
	for (unsigned int z = 0; z < physmem_nr_zones(mem); z++)
		if (!physmem_zone_wmark_ok(mem, z, 0, PHYSMEM_WMARK_LOW, 0))
			return true;
	return false;
}

static bool shrinker_after_event(const struct policy_view *v, uint64_t *state)
{
	(void)state;
	if (v->params->check_interval && v->event_index % v->params->check_interval)
		return false;
	return below_low_watermark(v->mem);
}

const struct policy_ops policy_shrinker = {
    .name = "shrinker",
    .help = "run zsmalloc's shrinker when free memory is below the low watermark (4.3+)",
    .after_event = shrinker_after_event,
    .runs_shrinker_in_reclaim = true,
};
