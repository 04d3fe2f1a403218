/*
 * policy_threshold.c - compact when the pool's own estimate of freeable
 * pages (the sum of zs_can_compact over classes, what the shrinker counts)
 * reaches a bound. Looked at every check_interval events, since the estimate
 * walks every class.
 */
#include "policy.h"
#include "zsmalloc.h"

static unsigned long freeable_pages(struct zs_pool *pool)
{
	struct zs_class_stats st;
	unsigned long total = 0;

	for (unsigned int i = 0; i < zs_class_count(pool); i++) {
		struct zs_class_info ci;

		zs_class_info(pool, i, &ci);
		if (ci.merged_into != i)
			continue;
		zs_class_stats(pool, i, &st);
		total += st.freeable;
	}
	return total;
}

static bool threshold_after_event(const struct policy_view *v, uint64_t *state)
{
	(void)state;
	if (v->params->check_interval && v->event_index % v->params->check_interval)
		return false;
	return freeable_pages(v->pool) >= v->params->threshold_pages;
}

const struct policy_ops policy_threshold = {
    .name = "threshold",
    .help = "compact when the freeable estimate reaches threshold_pages",
    .after_event = threshold_after_event,
};
