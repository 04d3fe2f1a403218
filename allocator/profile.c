/*
 * profile.c - the one table of what differs between kernel versions.
 *
 * Each row names a kernel version and says, field by field, how its
 * zsmalloc behaves. The rest of the allocator reads these fields and never
 * tests a version number. docs/profiles.md says what each field means, gives
 * its value in every row, and for each difference the kernel version and
 * source it comes from; the original notes are the facts sheet outside the
 * repository, shared/reference/zsmalloc-facts.md. What was checked against a
 * kernel tree is noted beside the row. Keep docs/profiles.md's table in step
 * with this one.
 */
#include <errno.h>
#include <string.h>

#include "zs_internal.h"

static const struct zs_profile zs_profiles[] = {
    {
	/*
	 * Checked against the v3.13/3.14-era mm/zsmalloc.c and the facts sheet.
	 * No class merging: every index is a class of its own (255 at 4 KiB);
	 * can_merge() arrived in 3.19 (facts sheet §1.4).
	 */
	.info = {.name = "v3.18",
		 .summary = "pre-compaction: the handle is the object's location",
		 .nr_fullness = NR_ZS_FULLNESS,
		 .chain_default = 4,
		 .chain_min = 4,
		 .chain_max = 4},
	.chain_rule = ZS_CHAIN_MAX_USED_PCT,
	.fullness_rule = ZS_FULLNESS_QUARTER,
	.insert_rule = ZS_INSERT_HEAD,
	.compact_algo = ZS_COMPACT_NONE,
	.handle_mode = ZS_HANDLE_DIRECT,
	.class_count_roundup = false,
	.merges_classes = false,
    },
    {
	/*
	 * SIM: the RFC (Dec 2014, on v3.18-rc6-mmotm) took handle slots from
	 * a size class of sizeof(unsigned long) inside the pool. We keep the
	 * v3.18 class count, with the class merging that mmotm already carried
	 * for 3.19, and add that class beside it; handle pages count in the
	 * pool. Compaction as the RFC describes: sources ALMOST_EMPTY,
	 * destinations ALMOST_FULL then ALMOST_EMPTY. The RFC's pool rwlock
	 * (readers: malloc, free, map; writer: compaction) orders nothing in a
	 * single-threaded replay, so it has no counterpart here.
	 */
	.info = {.name = "rfc2014",
		 .summary = "the compaction RFC as posted: handles are pool objects",
		 .indirect_handles = true,
		 .handles_in_pool = true,
		 .has_compaction = true,
		 .nr_fullness = NR_ZS_FULLNESS,
		 .chain_default = 4,
		 .chain_min = 4,
		 .chain_max = 4},
	.chain_rule = ZS_CHAIN_MAX_USED_PCT,
	.fullness_rule = ZS_FULLNESS_QUARTER,
	.insert_rule = ZS_INSERT_HEAD,
	.compact_algo = ZS_COMPACT_V41,
	.handle_mode = ZS_HANDLE_POOL_CLASS,
	.class_count_roundup = false,
	.merges_classes = true,
	.obj_tag_in_location = true,
    },
    {
	.info = {.name = "v4.1",
		 .summary = "compaction merged: handle indirection, reverse map, manual zs_compact",
		 .indirect_handles = true,
		 .has_compaction = true,
		 .nr_fullness = NR_ZS_FULLNESS,
		 .chain_default = 4,
		 .chain_min = 4,
		 .chain_max = 4},
	.chain_rule = ZS_CHAIN_MAX_USED_PCT,
	.fullness_rule = ZS_FULLNESS_THREE_QUARTERS,
	.insert_rule = ZS_INSERT_HEAD,
	.compact_algo = ZS_COMPACT_V41,
	.handle_mode = ZS_HANDLE_SLAB,
	.class_count_roundup = true,
	.merges_classes = true,
	.obj_tag_in_location = true,
    },
    {
	/* Checked against a v4.3-era mm/zsmalloc.c (insert_zspage, __zs_compact). */
	.info = {.name = "v4.3",
		 .summary = "zs_can_compact estimate, shrinker, pages_compacted",
		 .indirect_handles = true,
		 .has_compaction = true,
		 .has_shrinker = true,
		 .nr_fullness = NR_ZS_FULLNESS,
		 .chain_default = 4,
		 .chain_min = 4,
		 .chain_max = 4},
	.chain_rule = ZS_CHAIN_MAX_USED_PCT,
	.fullness_rule = ZS_FULLNESS_THREE_QUARTERS,
	.insert_rule = ZS_INSERT_TAIL_IF_FEWER,
	.compact_algo = ZS_COMPACT_V43,
	.handle_mode = ZS_HANDLE_SLAB,
	.class_count_roundup = true,
	.merges_classes = true,
	.obj_tag_in_location = true,
    },
    {
	.info = {.name = "v4.8",
		 .summary = "struct zspage, movable zspage pages, page migration",
		 .indirect_handles = true,
		 .has_compaction = true,
		 .has_shrinker = true,
		 .has_migration = true,
		 .movable_pages = true,
		 .nr_fullness = NR_ZS_FULLNESS,
		 .chain_default = 4,
		 .chain_min = 4,
		 .chain_max = 4},
	.chain_rule = ZS_CHAIN_MAX_USED_PCT,
	.fullness_rule = ZS_FULLNESS_THREE_QUARTERS,
	.insert_rule = ZS_INSERT_AFTER_IF_FEWER,
	.compact_algo = ZS_COMPACT_V43,
	.handle_mode = ZS_HANDLE_SLAB,
	.class_count_roundup = true,
	.merges_classes = true,
	.obj_idx_per_zspage = true,
	.obj_tag_in_location = true,
    },
    {
	/* Checked against Debian's 6.1.192 mm/zsmalloc.c. */
	.info = {.name = "v6.1",
		 .summary = "4.8-era fullness groups and compaction, zs_huge_class_size in zram",
		 .indirect_handles = true,
		 .has_compaction = true,
		 .has_shrinker = true,
		 .has_migration = true,
		 .movable_pages = true,
		 .zram_uses_huge_class_size = true,
		 .nr_fullness = NR_ZS_FULLNESS,
		 .chain_default = 4,
		 .chain_min = 4,
		 .chain_max = 4},
	.chain_rule = ZS_CHAIN_MAX_USED_PCT,
	.fullness_rule = ZS_FULLNESS_THREE_QUARTERS,
	.insert_rule = ZS_INSERT_AFTER_IF_FEWER,
	.compact_algo = ZS_COMPACT_V43,
	.handle_mode = ZS_HANDLE_SLAB,
	.class_count_roundup = true,
	.merges_classes = true,
	.obj_idx_per_zspage = true,
	.obj_tag_in_location = true,
    },
    {
	/* Checked against Debian's 6.12.117 mm/zsmalloc.c. */
	.info = {.name = "v6.12",
		 .summary = "10% fullness buckets, reworked compaction, chain size 8 (4..16)",
		 .indirect_handles = true,
		 .has_compaction = true,
		 .has_shrinker = true,
		 .has_migration = true,
		 .movable_pages = true,
		 .zram_uses_huge_class_size = true,
		 .ratio_fullness = true,
		 .nr_fullness = NR_FULLNESS_GROUPS,
		 .chain_default = 8,
		 .chain_min = 4,
		 .chain_max = 16},
	.chain_rule = ZS_CHAIN_MIN_WASTE,
	.fullness_rule = ZS_FULLNESS_RATIO,
	.insert_rule = ZS_INSERT_HEAD,
	.compact_algo = ZS_COMPACT_V63,
	.handle_mode = ZS_HANDLE_SLAB,
	.class_count_roundup = true,
	.merges_classes = true,
	.obj_idx_per_zspage = true,
	.obj_tag_in_location = false,
	.enospc_over_page = true,
    },
};

#define NR_PROFILES (sizeof(zs_profiles) / sizeof(zs_profiles[0]))

static const char *const zs_profile_name_list[NR_PROFILES + 1] = {
    "v3.18", "rfc2014", "v4.1", "v4.3", "v4.8", "v6.1", "v6.12", NULL,
};

_Static_assert(NR_PROFILES == 7, "keep zs_profile_name_list in step with zs_profiles");

const struct zs_profile *zs_profile_find(const char *name)
{
	if (!name)
		return &zs_profiles[NR_PROFILES - 1];
	for (size_t i = 0; i < NR_PROFILES; i++)
		if (strcmp(zs_profiles[i].info.name, name) == 0)
			return &zs_profiles[i];
	return NULL;
}

const char *const *zs_profile_names(void)
{
	return zs_profile_name_list;
}

int zs_profile_lookup(const char *name, struct zs_profile_info *info)
{
	const struct zs_profile *p = zs_profile_find(name);

	if (!p)
		return -EINVAL;
	if (info)
		*info = p->info;
	return 0;
}

const char *zs_arch_name(enum zs_arch arch)
{
	switch (arch) {
	case ZS_ARCH_X86_64:
		return "x86_64";
	case ZS_ARCH_ARM32:
		return "arm32";
	}
	return "?";
}

int zs_arch_lookup(const char *name, enum zs_arch *arch)
{
	if (!name)
		return -EINVAL;
	if (strcmp(name, "x86_64") == 0) {
		*arch = ZS_ARCH_X86_64;
		return 0;
	}
	if (strcmp(name, "arm32") == 0) {
		*arch = ZS_ARCH_ARM32;
		return 0;
	}
	return -EINVAL;
}
