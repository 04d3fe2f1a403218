/*
 * policy_shrinker.c - register zsmalloc's shrinker (4.3+): kswapd and the
 * direct reclaim of a stalling allocation then call it, zs_shrinker_count
 * counting zs_can_compact() and zs_shrinker_scan running zs_compact()
 * (page_alloc.c). A 4.3+ kernel always registers it when zram creates its
 * pool; without this policy the run models a kernel without it. It never
 * runs on a free or on a timer: only reclaim calls shrinkers.
 */
#include "policy.h"

const struct policy_ops policy_shrinker = {
    .name = "shrinker",
    .help = "zsmalloc's shrinker runs in kswapd and direct reclaim (4.3+)",
    .runs_shrinker_in_reclaim = true,
};
