/*
 * config_special.c - the keys of the machine config that its key table
 * (config.c) cannot describe: a name (profile, arch), a list (policies), an
 * enum (pcp, payload), a table per zone (lowmem_reserve_ratio,
 * reserved_pages, taken_pages, taken_movable_pages, watermarks), a table per
 * zone and migrate type (free_blocks, pageblocks), or a value
 * with a meaning of its own (min_free_kbytes -1, cma_base_mb -1, page_size,
 * percpu_pagelist_high_fraction, host_thp). One loader each.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"

/* A per-zone table: {"DMA": N, "DMA32": N, "Normal": N, "HighMem": N}. */
static int want_zone_table(json_t *v, const char *path, const char *key, uint64_t max,
			   unsigned long *ul, unsigned int *ui, char *msg, size_t len)
{
	const char *zk;
	json_t *zv;

	if (!json_is_object(v)) {
		snprintf(msg, len,
			 "%s: key \"%s\": expected an object of zone names (\"DMA\", \"DMA32\", "
			 "\"Normal\", \"HighMem\") to integers",
			 path, key);
		return -EINVAL;
	}
	json_object_foreach(v, zk, zv)
	{
		unsigned int t;
		char sub[96];
		uint64_t u = 0;

		for (t = 0; t < PHYSMEM_ZONE_MOVABLE; t++)
			if (!strcmp(zk, physmem_zone_type_name((enum physmem_zone_type)t)))
				break;
		if (t == PHYSMEM_ZONE_MOVABLE) {
			snprintf(
			    msg, len,
			    "%s: key \"%s\": unknown zone \"%s\" (DMA, DMA32, Normal, HighMem)",
			    path, key, zk);
			return -EINVAL;
		}
		snprintf(sub, sizeof(sub), "%s.%s", key, zk);
		if (config_want_uint(zv, path, sub, max, &u, msg, len))
			return -EINVAL;
		if (ul)
			ul[t] = (unsigned long)u;
		else
			ui[t] = (unsigned int)u;
	}
	return 0;
}

/* {"DMA": [min, low, high], ...}: a zone's watermarks as the guest's zoneinfo shows them. */
static int want_watermarks(json_t *v, const char *path,
			   unsigned long wm[PHYSMEM_NR_ZONE_TYPES][PHYSMEM_NR_WMARKS], char *msg,
			   size_t len)
{
	const char *zk;
	json_t *zv;

	if (!json_is_object(v)) {
		snprintf(msg, len,
			 "%s: key \"watermarks\": expected an object of zone names to [min, low, "
			 "high]",
			 path);
		return -EINVAL;
	}
	json_object_foreach(v, zk, zv)
	{
		unsigned int t;
		uint64_t w[PHYSMEM_NR_WMARKS];

		for (t = 0; t < PHYSMEM_ZONE_MOVABLE; t++)
			if (!strcmp(zk, physmem_zone_type_name((enum physmem_zone_type)t)))
				break;
		if (t == PHYSMEM_ZONE_MOVABLE) {
			snprintf(msg, len,
				 "%s: key \"watermarks\": unknown zone \"%s\" (DMA, DMA32, Normal, "
				 "HighMem)",
				 path, zk);
			return -EINVAL;
		}
		if (!json_is_array(zv) || json_array_size(zv) != PHYSMEM_NR_WMARKS) {
			snprintf(msg, len, "%s: key \"watermarks.%s\": expected [min, low, high]",
				 path, zk);
			return -EINVAL;
		}
		for (unsigned int i = 0; i < PHYSMEM_NR_WMARKS; i++) {
			json_t *e = json_array_get(zv, i);

			if (!json_is_integer(e) || json_integer_value(e) < 0 ||
			    json_integer_value(e) > (1 << 28)) {
				snprintf(msg, len,
					 "%s: key \"watermarks.%s\": expected [min, low, high], "
					 "pages 0..%d",
					 path, zk, 1 << 28);
				return -EINVAL;
			}
			w[i] = (uint64_t)json_integer_value(e);
		}
		if (w[0] > w[1] || w[1] > w[2] || !w[2]) {
			snprintf(msg, len,
				 "%s: key \"watermarks.%s\": expected min <= low <= high, high > 0",
				 path, zk);
			return -EINVAL;
		}
		for (unsigned int i = 0; i < PHYSMEM_NR_WMARKS; i++)
			wm[t][i] = (unsigned long)w[i];
	}
	return 0;
}

/* The zone type called name ("DMA", "DMA32", "Normal", "HighMem"), or PHYSMEM_ZONE_MOVABLE. */
static unsigned int zone_by_name(const char *name)
{
	unsigned int t;

	for (t = 0; t < PHYSMEM_ZONE_MOVABLE; t++)
		if (!strcmp(name, physmem_zone_type_name((enum physmem_zone_type)t)))
			break;
	return t;
}


/*
 * {"ZONE": {"TYPE": VALUE, ...}, ...}: per zone, per migrate type (pagetypeinfo's names),
 * each VALUE read by one(); key.ZONE.TYPE names it in messages. seen[zone] set for each zone.
 */
static int want_zone_types(json_t *v, const char *path, const char *key, const char *what,
			   bool seen[PHYSMEM_NR_ZONE_TYPES],
			   int (*one)(json_t *e, const char *path, const char *sub,
				      unsigned int zone, unsigned int mt, struct sim_config *cfg,
				      char *msg, size_t len),
			   struct sim_config *cfg, char *msg, size_t len)
{
	const char *zk, *tk;
	json_t *zv, *tv;

	if (!json_is_object(v)) {
		snprintf(msg, len,
			 "%s: key \"%s\": expected an object of zone names (\"DMA\", \"DMA32\", "
			 "\"Normal\", \"HighMem\") to objects of migrate types to %s",
			 path, key, what);
		return -EINVAL;
	}
	json_object_foreach(v, zk, zv)
	{
		unsigned int z = zone_by_name(zk);

		if (z == PHYSMEM_ZONE_MOVABLE) {
			snprintf(
			    msg, len,
			    "%s: key \"%s\": unknown zone \"%s\" (DMA, DMA32, Normal, HighMem)",
			    path, key, zk);
			return -EINVAL;
		}
		if (!json_is_object(zv)) {
			snprintf(msg, len,
				 "%s: key \"%s.%s\": expected an object of migrate types "
				 "(Unmovable, Movable, Reclaimable, CMA) to %s",
				 path, key, zk, what);
			return -EINVAL;
		}
		seen[z] = true;
		json_object_foreach(zv, tk, tv)
		{
			unsigned int t;
			char sub[96];

			for (t = 0; t < PHYSMEM_MT_TYPES; t++)
				if (!strcmp(tk, physmem_mt_name((enum physmem_mt)t)))
					break;
			if (t == PHYSMEM_MT_TYPES) {
				snprintf(msg, len,
					 "%s: key \"%s.%s\": unknown migrate type \"%s\" "
					 "(Unmovable, Movable, Reclaimable, CMA: zsfrag has no "
					 "HighAtomic or Isolate lists)",
					 path, key, zk, tk);
				return -EINVAL;
			}
			snprintf(sub, sizeof(sub), "%s.%s.%s", key, zk, tk);
			if (one(tv, path, sub, z, t, cfg, msg, len))
				return -EINVAL;
		}
	}
	return 0;
}

/* A list of free block counts, order 0 first; at most PHYSMEM_MAX_ORDERS (max_order is checked
 * once the whole file is read). */
static int one_free_list(json_t *e, const char *path, const char *sub, unsigned int zone,
			 unsigned int mt, struct sim_config *cfg, char *msg, size_t len)
{
	size_t i;
	json_t *n;

	if (!json_is_array(e) || json_array_size(e) > PHYSMEM_MAX_ORDERS) {
		snprintf(msg, len,
			 "%s: key \"%s\": expected a list of free block counts, order 0 first "
			 "(at most %d orders)",
			 path, sub, PHYSMEM_MAX_ORDERS);
		return -EINVAL;
	}
	json_array_foreach(e, i, n)
	{
		uint64_t u = 0;
		char el[112];

		snprintf(el, sizeof(el), "%s[%zu]", sub, i);
		if (config_want_uint(n, path, el, 1u << 30, &u, msg, len))
			return -EINVAL;
		cfg->mem.free_blocks[zone][i][mt] = (unsigned long)u;
	}
	return 0;
}

static int one_pageblocks(json_t *e, const char *path, const char *sub, unsigned int zone,
			  unsigned int mt, struct sim_config *cfg, char *msg, size_t len)
{
	uint64_t u = 0;

	if (config_want_uint(e, path, sub, 1u << 30, &u, msg, len))
		return -EINVAL;
	cfg->mem.pageblocks[zone][mt] = (unsigned long)u;
	return 0;
}

/*
 * The keys config_key_table() cannot describe (a name, an enum, a table per
 * zone, a value with a special meaning): one loader each. A loader stores
 * what it read and returns 0, or -EINVAL with "PATH: key ...: why" in msg.
 */
struct config_special {
	const char *key;
	int (*load)(json_t *v, const char *path, const char *key, struct sim_config *cfg, char *msg,
		    size_t len);
	const char *value; /* what the value is, for `replay --config-keys` */
};

static int load_profile(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			char *msg, size_t len)
{
	struct zs_profile_info pi;

	if (!json_is_string(v)) {
		snprintf(msg, len, "%s: key \"%s\": expected a string", path, key);
		return -EINVAL;
	}
	if (zs_profile_lookup(json_string_value(v), &pi)) {
		snprintf(msg, len, "%s: unknown profile \"%s\"", path, json_string_value(v));
		return -EINVAL;
	}
	cfg->pool.profile = pi.name; /* the profile table's own string */
	return 0;
}

static int load_arch(json_t *v, const char *path, const char *key, struct sim_config *cfg,
		     char *msg, size_t len)
{
	if (!json_is_string(v)) {
		snprintf(msg, len, "%s: key \"%s\": expected a string", path, key);
		return -EINVAL;
	}
	if (zs_arch_lookup(json_string_value(v), &cfg->pool.arch)) {
		snprintf(msg, len, "%s: unknown arch \"%s\" (x86_64 or arm32)", path,
			 json_string_value(v));
		return -EINVAL;
	}
	return 0;
}

static int load_policy_list(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			    char *msg, size_t len)
{
	(void)key;
	return config_load_policies(v, path, &cfg->policies, msg, len);
}

/* -1 = the kernel's formula; the upper bound is the Normal zone, checked with the machine */
static int load_min_free(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			 char *msg, size_t len)
{
	int err = 0;

	(void)key;
	if (!json_is_integer(v) || json_integer_value(v) < -1) {
		snprintf(msg, len,
			 "%s: key \"min_free_kbytes\": expected -1 (kernel formula) "
			 "or an integer >= 0",
			 path);
		err = -EINVAL;
	} else if (json_integer_value(v) > (json_int_t)(1LL << 30)) {
		snprintf(msg, len,
			 "%s: key \"min_free_kbytes\": %lld KiB is more than the "
			 "largest RAM (ram_mb is at most 1048576)",
			 path, (long long)json_integer_value(v));
		err = -EINVAL;
	}
	cfg->mem.min_free_kbytes = (long)json_integer_value(v);
	return err;
}

static int load_page_size(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			  char *msg, size_t len)
{
	uint64_t u = 0;
	int err =
	    config_want_range(v, path, key, 4096, 65536, "4096, 16384 or 65536", &u, msg, len);

	if (!err && u != 4096 && u != 16384 && u != 65536) {
		snprintf(msg, len, "%s: key \"page_size\": expected 4096, 16384 or 65536", path);
		err = -EINVAL;
	}
	cfg->pool.page_size = (size_t)u;
	cfg->mem.page_size = (unsigned int)u;
	return err;
}

static int load_lowmem_reserve(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			       char *msg, size_t len)
{
	return want_zone_table(v, path, key, 1u << 30, NULL, cfg->mem.lowmem_reserve_ratio, msg,
			       len);
}

static int load_reserved(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			 char *msg, size_t len)
{
	return want_zone_table(v, path, key, 1u << 30, cfg->mem.reserved_pages, NULL, msg, len);
}

static int load_taken(json_t *v, const char *path, const char *key, struct sim_config *cfg,
		      char *msg, size_t len)
{
	return want_zone_table(v, path, key, 1u << 30, cfg->mem.taken_pages, NULL, msg, len);
}

static int load_taken_movable(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			      char *msg, size_t len)
{
	return want_zone_table(v, path, key, 1u << 30, cfg->mem.taken_movable_pages, NULL, msg,
			       len);
}

static int load_free_blocks(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			    char *msg, size_t len)
{
	return want_zone_types(v, path, key, "lists of free block counts per order",
			       cfg->mem.free_blocks_given, one_free_list, cfg, msg, len);
}

static int load_pageblocks(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			   char *msg, size_t len)
{
	return want_zone_types(v, path, key, "pageblock counts", cfg->mem.pageblocks_given,
			       one_pageblocks, cfg, msg, len);
}

/* -1: memblock's choice, the top of RAM */
static int load_cma_base(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			 char *msg, size_t len)
{
	uint64_t u = 0;
	int err;

	if (json_is_integer(v) && json_integer_value(v) == -1) {
		cfg->mem.cma_base_bytes = UINT64_MAX;
		return 0;
	}
	err = config_want_range(v, path, key, 0, PHYSMEM_MAX_RAM_MB, "MiB, -1 = the top of RAM", &u,
				msg, len);
	if (!err)
		cfg->mem.cma_base_bytes = u << 20;
	return err;
}

static int load_pcp_high_fraction(json_t *v, const char *path, const char *key,
				  struct sim_config *cfg, char *msg, size_t len)
{
	uint64_t u = 0;
	int err = config_want_uint(v, path, key, 1u << 30, &u, msg, len);

	if (!err && u && u < 8) {
		snprintf(msg, len, "%s: key \"%s\": expected 0 or an integer >= 8 (as the sysctl)",
			 path, key);
		err = -EINVAL;
	}
	cfg->mem.percpu_pagelist_high_fraction = (unsigned int)u;
	return err;
}

static int load_watermarks(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			   char *msg, size_t len)
{
	(void)key;
	return want_watermarks(v, path, cfg->mem.watermarks, msg, len);
}

static int load_pcp(json_t *v, const char *path, const char *key, struct sim_config *cfg, char *msg,
		    size_t len)
{
	const char *pv = json_is_string(v) ? json_string_value(v) : "";

	(void)key;
	if (!strcmp(pv, "off"))
		cfg->mem.pcp = PHYSMEM_PCP_OFF;
	else if (!strcmp(pv, "6.1"))
		cfg->mem.pcp = PHYSMEM_PCP_V6_1;
	else if (!strcmp(pv, "6.12"))
		cfg->mem.pcp = PHYSMEM_PCP_V6_12;
	else if (!strcmp(pv, "4.x"))
		cfg->mem.pcp = PHYSMEM_PCP_V4;
	else if (!strcmp(pv, "profile"))
		cfg->pcp_from_profile = true; /* resolved in config_finish */
	else {
		snprintf(msg, len,
			 "%s: key \"pcp\": expected \"off\", \"4.x\", \"6.1\", \"6.12\" or \"profile\"",
			 path);
		return -EINVAL;
	}
	return 0;
}

static int load_payload(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			char *msg, size_t len)
{
	(void)key;
	if (!json_is_string(v) || sim_payload_lookup(json_string_value(v), &cfg->payload)) {
		snprintf(msg, len,
			 "%s: key \"payload\": expected \"full\", \"header\", \"none\" or "
			 "\"auto\"",
			 path);
		return -EINVAL;
	}
	return 0;
}

/* host_thp, host_prefault, host_reader_thread: host-side switches */
static int load_host_bool(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			  char *msg, size_t len)
{
	bool *b = !strcmp(key, "host_thp")	 ? &cfg->mem.host_thp
		  : !strcmp(key, "host_prefault") ? &cfg->mem.host_prefault
						  : &cfg->reader_thread;

	*b = json_is_true(v);
	if (!json_is_boolean(v)) {
		snprintf(msg, len, "%s: key \"%s\": expected true or false", path, key);
		return -EINVAL;
	}
	return 0;
}

static int load_fork_slab(json_t *v, const char *path, const char *key, struct sim_config *cfg,
			  char *msg, size_t len)
{
	const char *fv = json_is_string(v) ? json_string_value(v) : "";

	if (!strcmp(fv, "pages")) {
		cfg->fork.slab_slub = 0;
	} else if (!strcmp(fv, "slub")) {
		cfg->fork.slab_slub = 1;
	} else {
		snprintf(msg, len, "%s: key \"%s\": expected \"pages\" or \"slub\"", path, key);
		return -EINVAL;
	}
	return 0;
}

/* {"cache": free objects}: the fork caches' free objects before the replay (fork.h) */
static int load_fork_slab_start(json_t *v, const char *path, const char *key,
				struct sim_config *cfg, char *msg, size_t len)
{
	const char *ck;
	json_t *cv;

	if (!json_is_object(v)) {
		snprintf(msg, len,
			 "%s: key \"%s\": expected an object of fork cache names to free objects",
			 path, key);
		return -EINVAL;
	}
	cfg->fork.nr_slab_start = 0;
	json_object_foreach(v, ck, cv)
	{
		char sub[96];
		uint64_t u = 0;
		unsigned int i = cfg->fork.nr_slab_start;

		if (i == FORK_SLAB_START_MAX ||
		    strlen(ck) >= sizeof(cfg->fork.slab_start[0].name)) {
			snprintf(msg, len,
				 "%s: key \"%s\": at most %d caches of names below %zu bytes", path,
				 key, FORK_SLAB_START_MAX, sizeof(cfg->fork.slab_start[0].name));
			return -EINVAL;
		}
		snprintf(sub, sizeof(sub), "%s.%s", key, ck);
		if (config_want_uint(cv, path, sub, 1u << 20, &u, msg, len))
			return -EINVAL;
		snprintf(cfg->fork.slab_start[i].name, sizeof(cfg->fork.slab_start[i].name), "%s",
			 ck);
		cfg->fork.slab_start[i].free_objects = (unsigned int)u;
		cfg->fork.nr_slab_start = i + 1;
	}
	return 0;
}

static const struct config_special config_specials[] = {
    {"profile", load_profile,
     "a profile name: v3.18 rfc2014 v4.1 v4.3 v4.8 v6.1 v6.12 (default v4.1)"},
    {"arch", load_arch,
     "\"arm32\" or \"x86_64\" (default arm32)"},
    {"policies", load_policy_list,
     "a policy list \"a,b\" or [\"a\", \"b\"] (default: the profile's, manual where it has zs_compact)"},
    {"min_free_kbytes", load_min_free,
     "-1 (the kernel's formula, default) or KiB below the Normal zone's size"},
    {"page_size", load_page_size,
     "4096, 16384 or 65536 (default 4096)"},
    {"lowmem_reserve_ratio", load_lowmem_reserve,
     "{zone: ratio} by zone name (default DMA 256, DMA32 256, Normal 32, HighMem 0)"},
    {"reserved_pages", load_reserved,
     "{zone: pages} taken at the zone's start before the replay, not managed (default none)"},
    {"taken_pages", load_taken,
     "{zone: pages} handed out, unmovable, when the replay starts (default none)"},
    {"taken_movable_pages", load_taken_movable,
     "{zone: pages} handed out, movable, when the replay starts (default none)"},
    {"free_blocks", load_free_blocks,
     "{zone: {migrate type: [blocks of order 0, 1, ...]}}: the free lists at the start (default none)"},
    {"pageblocks", load_pageblocks,
     "{zone: {migrate type: pageblocks}} (only with free_blocks; default none)"},
    {"cma_base_mb", load_cma_base,
     "-1 (the top of RAM, default) or the CMA area's start in MiB"},
    {"percpu_pagelist_high_fraction", load_pcp_high_fraction,
     "0 (default) or >= 8, the sysctl"},
    {"watermarks", load_watermarks,
     "{zone: [min, low, high]} in pages (default: the formulas)"},
    {"pcp", load_pcp,
     "\"off\" (default), \"4.x\", \"6.1\", \"6.12\" or \"profile\": per-CPU page lists"},
    {"payload", load_payload,
     "\"auto\" (default: full up to 16 GiB of RAM), \"full\", \"header\" or \"none\""},
    {"fork_slab", load_fork_slab,
     "\"pages\" (default: fork_slab_pages whole pages per fork) or \"slub\" (objects in SLUB "
     "caches of the 6.1 guests' geometry, arm32 and x86_64 at 4 KiB pages)"},
    {"fork_slab_start", load_fork_slab_start,
     "{fork cache: free objects} in slabs that exist before the replay (only with fork_slab "
     "\"slub\"; default none: the caches start empty)"},
    {"host_thp", load_host_bool,
     "true (default) or false: MADV_HUGEPAGE on the host's frame memory (no effect on results)"},
    {"host_prefault", load_host_bool,
     "true (default) or false: a second thread backs the host's frame memory ahead of the "
     "replay's writes (no effect on results)"},
    {"host_reader_thread", load_host_bool,
     "true (default) or false: a second thread decodes a text trace file ahead of the replay "
     "(no effect on results)"},
};

const char *config_special_key(size_t i, const char **value)
{
	if (i >= sizeof(config_specials) / sizeof(config_specials[0]))
		return NULL;
	*value = config_specials[i].value;
	return config_specials[i].key;
}

int config_load_special(const char *key, json_t *v, const char *path, struct sim_config *cfg,
			char *msg, size_t len)
{
	for (size_t i = 0; i < sizeof(config_specials) / sizeof(config_specials[0]); i++)
		if (!strcmp(key, config_specials[i].key))
			return config_specials[i].load(v, path, key, cfg, msg, len);
	return 1;
}
