/*
 * policy_pgd.c - when a fork's pgd allocation has been through the slow
 * path's reclaim and compaction and would now call the OOM killer, compact
 * zsmalloc and retry (page_alloc.c, before_oom_hook): the fix the seed
 * proposed for fork() on 32-bit ARM. No kernel has this hook.
 */
#include "policy.h"

static bool pgd_on_failure(const struct policy_view *v, uint64_t *state)
{
	(void)v;
	(*state)++;
	return true;
}

const struct policy_ops policy_pgd_failure = {
    .name = "on-pgd-failure",
    .help = "compact zsmalloc before a fork's pgd allocation calls the OOM killer, then retry",
    .on_pgd_failure = pgd_on_failure,
};
