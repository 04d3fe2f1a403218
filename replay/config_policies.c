/*
 * config_policies.c - a run's compaction policies against its profile's
 * kernel (config.h): parsed from "a+b" or "a,b", and settled by
 * config_check_policies(), which replay, compare and sweep all call, so a
 * policy the kernel does not have is an error and never a silent "none".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "policy.h"

int config_policy_parse(const char *list, unsigned int *mask, char *bad, size_t badlen)
{
	char buf[256];

	/* one run's policies: "manual+migration" as compare and sweep write it, or the
	 * comma-separated list of --policy and the config file */
	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		snprintf(bad, badlen, "(list too long)");
		return -EINVAL;
	}
	for (char *c = buf; *c; c++)
		if (*c == '+')
			*c = ',';
	return policy_parse_list(buf, mask, bad, badlen);
}

/* The oldest profile whose kernel has what want() asks for (the profile table is oldest first). */
static const char *first_profile(bool (*want)(const struct zs_profile_info *))
{
	for (const char *const *n = zs_profile_names(); *n; n++) {
		struct zs_profile_info pi;

		if (!zs_profile_lookup(*n, &pi) && want(&pi))
			return pi.name;
	}
	return "?";
}

static bool has_compaction(const struct zs_profile_info *pi)
{
	return pi->has_compaction;
}

static bool has_shrinker(const struct zs_profile_info *pi)
{
	return pi->has_shrinker;
}

static bool has_migration(const struct zs_profile_info *pi)
{
	return pi->has_migration;
}

int config_check_policies(struct sim_config *cfg, char *msg, size_t len)
{
	/* grouped is page placement alone (policy_grouped.c): every kernel can do it */
	const unsigned int compacting =
	    ((1u << POLICY_NR) - 1) & ~(1u << POLICY_MIGRATION) & ~(1u << POLICY_GROUPED);
	struct zs_profile_info pi;
	const char *what = NULL, *first = NULL;
	unsigned int bad = 0;

	if (zs_profile_lookup(cfg->pool.profile, &pi)) {
		snprintf(msg, len, "unknown profile '%s'", cfg->pool.profile);
		return -EINVAL;
	}
	if (cfg->policies == CONFIG_POLICIES_UNSET) {
		/* nobody chose: zram's compact knob (manual) where the kernel has zs_compact */
		cfg->policies = pi.has_compaction ? 1u << POLICY_MANUAL : 0;
		return 0;
	}
	/* the most specific lack first: v3.18's shrinker is missing since 4.3, not rfc2014 */
	if ((cfg->policies & (1u << POLICY_SHRINKER)) && !pi.has_shrinker) {
		bad = 1u << POLICY_SHRINKER;
		what = "zsmalloc shrinker";
		first = first_profile(has_shrinker);
	} else if ((cfg->policies & (1u << POLICY_MIGRATION)) && !pi.has_migration) {
		bad = 1u << POLICY_MIGRATION;
		what = "zspage migration";
		first = first_profile(has_migration);
	} else if ((cfg->policies & compacting) && !pi.has_compaction) {
		bad = cfg->policies & compacting;
		what = "zsmalloc compaction (zs_compact)";
		first = first_profile(has_compaction);
	}
	if (bad) {
		char names[128];

		policy_format_list(bad, names, sizeof(names));
		for (char *c = names; *c; c++) /* one run's policies, as compare writes them */
			if (*c == ',')
				*c = '+';
		snprintf(msg, len,
			 "profile %s cannot honour policy %s: its kernel has no %s (profiles "
			 "from %s on have it)",
			 pi.name, names, what, first);
		return -EOPNOTSUPP;
	}
	return 0;
}

