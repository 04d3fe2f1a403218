/*
 * policy_migration.c - let the kernel's memory compaction move zspage pages
 * through zsmalloc's migration hooks (4.8+). It never runs zs_compact by
 * itself.
 */
#include "policy.h"

const struct policy_ops policy_migration = {
    .name = "migration",
    .help = "kernel compaction may migrate zspage pages (4.8+)",
    .allows_zspage_migration = true,
};
