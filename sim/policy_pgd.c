/*
 * policy_pgd.c - when a fork's order-2 pgd allocation still fails after the
 * kernel's direct compaction, compact zsmalloc and retry: the fix the seed
 * proposed for fork() failures on 32-bit ARM.
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
    .help = "compact zsmalloc when an order-2 pgd allocation fails, then retry",
    .on_pgd_failure = pgd_on_failure,
};
