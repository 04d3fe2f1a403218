/*
 * config.c - read the emulated machine from a JSON config file.
 *
 * Keys (all optional; defaults are a 2014-era 32-bit ARM phone, see
 * sim/engine.c):
 *   profile, arch, page_size, chain_size          the zsmalloc pool
 *   ram_mb, lowmem_mb, highmem, max_order,        physical memory
 *   pageblock_order, min_free_kbytes, watermark_scale_factor,
 *   dma_mb, dma32_mb, lowmem_reserve_ratio,       zone layout
 *   reserved_pages, deferred_struct_page_init,
 *   taken_pages, taken_movable_pages,
 *   free_blocks, pageblocks,                      the start's free lists
 *   cma_mb, cma_base_mb,
 *   watermark_boost_factor, pcp, nr_cpus,         boosting, per-CPU lists
 *   pcp_thp, percpu_pagelist_high_fraction, zs_slab, watermarks
 *   zram_disksize_mb, zram_mem_limit_mb           the zram device
 *   policies ("a,b" or ["a","b"]), periodic_events, periodic_ns,
 *   threshold_pages, check_interval               compaction policies
 *   seed, sample_every, check_every, payload      the run
 *   host_thp, host_prefault, host_reader_thread   the host side (no effect on results)
 *   fork_pgd_order, fork_stack_pages,             a fork's pages (sim/fork.c;
 *   fork_stack_vmalloc, fork_slab_pages,          default: the profile's kernel
 *   fork_user_pages, fork_cow_pages               on the arch)
 *   fork_slab                                     "pages" or "slub" (sim/fork.c)
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "config_internal.h"
#include "policy.h"

/*
 * Keep an error message on one line: JSON keys and strings may hold any
 * character, and the message quotes them. Control bytes become \xNN.
 */
static void one_line(char *msg, size_t len)
{
	char tmp[512];
	size_t o = 0;

	for (size_t i = 0; msg[i] && o + 5 < sizeof(tmp); i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "\\x%02x", c);
		else
			tmp[o++] = (char)c;
	}
	tmp[o] = '\0';
	snprintf(msg, len, "%s", tmp);
}

/*
 * Every integer key has a range: values outside it describe no machine (a
 * zero check interval, a min watermark of 2^63 KiB). Keys whose range
 * depends on another key (lowmem_mb <= ram_mb, min_free_kbytes below the
 * Normal zone, pageblock_order < max_order, chain_size of the profile) are
 * checked once the whole file is read, in check_machine().
 */
int config_want_range(json_t *v, const char *path, const char *key, uint64_t min, uint64_t max,
		      const char *why, uint64_t *out, char *msg, size_t len)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < min || (uint64_t)json_integer_value(v) > max) {
		snprintf(msg, len, "%s: key \"%s\": expected an integer %llu..%llu%s%s%s", path,
			 key, (unsigned long long)min, (unsigned long long)max, why ? " (" : "",
			 why ? why : "", why ? ")" : "");
		return -EINVAL;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int config_want_uint(json_t *v, const char *path, const char *key, uint64_t max, uint64_t *out,
		     char *msg, size_t len)
{
	return config_want_range(v, path, key, 0, max, NULL, out, msg, len);
}

/*
 * The keys that are one number or one switch, as a table: {key, kind, member, range, unit}.
 * The unit (and meaning) is what an error message says after the range. A key that needs
 * more than a range (profile, arch, policies, page_size, min_free_kbytes, the zone tables,
 * watermarks, pcp, cma_base_mb, percpu_pagelist_high_fraction) has a loader of its own
 * (config_special.c).
 */
enum config_kind {
	CONFIG_UINT, /* an integer min..max, stored as it is */
	CONFIG_MB,   /* MiB min..max, stored in bytes */
	CONFIG_BOOL, /* true or false, stored as 1 or 0 */
};

struct config_key {
	const char *key;
	enum config_kind kind;
	size_t offset; /* of the member in struct sim_config */
	size_t size;   /* of the member: 1 (bool), 4 (int, unsigned int) or 8 */
	uint64_t min, max;
	const char *unit; /* NULL: the message gives the range alone */
	const char *help; /* what the key sets, for `replay --config-keys` */
};

#define KEY(k, kind, m, lo, hi, unit, help)                                                        \
	{                                                                                          \
		k, kind, offsetof(struct sim_config, m), sizeof(((struct sim_config *)0)->m), lo,  \
		    hi, unit, help                                                                 \
	}
#define U63 (UINT64_MAX >> 1)

static const struct config_key config_keys[] = {
    KEY("highmem", CONFIG_BOOL, mem.highmem, 0, 1, NULL,
	"a HighMem zone above lowmem_mb (arm32 only)"),
    KEY("chain_size", CONFIG_UINT, pool.chain_size, 0, 16, "0 = the profile's own",
	"max pages per zspage"),
    KEY("ram_mb", CONFIG_MB, mem.ram_bytes, 1, PHYSMEM_MAX_RAM_MB, "MiB",
	"RAM"),
    KEY("lowmem_mb", CONFIG_MB, mem.lowmem_limit_bytes, 1, PHYSMEM_MAX_RAM_MB,
	"MiB, at most ram_mb",
	"the end of lowmem (the Normal zone)"),
    KEY("max_order", CONFIG_UINT, mem.max_order, 1, PHYSMEM_MAX_ORDERS, "number of buddy orders",
	"buddy orders"),
    KEY("pageblock_order", CONFIG_UINT, mem.pageblock_order, 0, PHYSMEM_MAX_ORDERS - 1,
	"below max_order",
	"pageblock size as an order"),
    /* the kernel's sysctl range (mm/page_alloc.c: SYSCTL_ONE..3000) */
    KEY("watermark_scale_factor", CONFIG_UINT, mem.watermark_scale_factor, 1, 3000, NULL,
	"watermark distance, 1/10000 of the zone"),
    KEY("dma_mb", CONFIG_MB, mem.dma_bytes, 0, PHYSMEM_MAX_RAM_MB, "MiB, 0 = no ZONE_DMA",
	"the end of ZONE_DMA"),
    KEY("dma32_mb", CONFIG_MB, mem.dma32_bytes, 0, PHYSMEM_MAX_RAM_MB, "MiB, 0 = no ZONE_DMA32",
	"the end of ZONE_DMA32"),
    KEY("cma_mb", CONFIG_MB, mem.cma_bytes, 0, PHYSMEM_MAX_RAM_MB, "MiB, 0 = no CMA area",
	"a CMA area's size"),
    KEY("watermark_boost_factor", CONFIG_UINT, mem.watermark_boost_factor, 0, 1000000,
	"1/10000 of the high watermark",
	"boost after fragmenting fallbacks"),
    KEY("nr_cpus", CONFIG_UINT, mem.nr_cpus, 1, 4096, "online CPUs",
	"online CPUs (the per-CPU lists' high is split among them)"),
    KEY("zs_slab", CONFIG_BOOL, zs_slab, 0, 1, NULL,
	"zsmalloc's zs_handle and zspage slab pages, object by object"),
    KEY("pcp_thp", CONFIG_BOOL, mem.pcp_thp, 0, 1, NULL,
	"a per-CPU list for pageblock-order blocks (CONFIG_TRANSPARENT_HUGEPAGE)"),
    KEY("deferred_struct_page_init", CONFIG_BOOL, mem.deferred_struct_page_init, 0, 1, NULL,
	"pageblocks whose first page the boot reserves are Unmovable "
	"(CONFIG_DEFERRED_STRUCT_PAGE_INIT)"),
    KEY("zram_disksize_mb", CONFIG_MB, zram_disksize, 1, 1 << 24, "MiB",
	"zram's disksize"),
    KEY("zram_mem_limit_mb", CONFIG_MB, zram_mem_limit, 0, 1 << 24, NULL,
	"zram's mem_limit (0 = none)"),
    KEY("periodic_events", CONFIG_UINT, policy.periodic_events, 0, U63, NULL,
	"the periodic policy's period in events (0 = not by events)"),
    KEY("periodic_ns", CONFIG_UINT, policy.periodic_ns, 0, U63, NULL,
	"the periodic policy's period in trace ns (0 = not by time)"),
    KEY("threshold_pages", CONFIG_UINT, policy.threshold_pages, 1, U63,
	"freeable pages, 0 would compact at every look",
	"the threshold policy's trigger"),
    KEY("check_interval", CONFIG_UINT, policy.check_interval, 1, U63, "events, 1 = every event",
	"how often threshold and shrinker look"),
    KEY("seed", CONFIG_UINT, seed, 0, U63, NULL,
	"payload seed"),
    KEY("sample_every", CONFIG_UINT, sample_every, 0, U63, NULL,
	"also a snapshot every N events (0 = none)"),
    KEY("fork_stack_vmalloc", CONFIG_BOOL, fork.stack_vmalloc, 0, 1, NULL,
	"a fork's kernel stack from vmalloc (order-0 pages)"),
    KEY("fork_pgd_order", CONFIG_UINT, fork.pgd_order, 0, PHYSMEM_MAX_ORDERS - 1,
	"order, below max_order",
	"a fork's page directory"),
    KEY("fork_stack_pages", CONFIG_UINT, fork.stack_pages, 0, 1024, "pages per fork",
	"a fork's kernel stack"),
    KEY("fork_slab_pages", CONFIG_UINT, fork.slab_pages, 0, 1024, "pages per fork",
	"a fork's slab pages"),
    KEY("fork_user_pages", CONFIG_UINT, fork.user_pages, 0, 1024, "pages per fork",
	"a fork's user pages"),
    KEY("fork_cow_pages", CONFIG_UINT, fork.cow_pages, 0, 1024, "pages per fork",
	"copy-on-write pages among fork_user_pages (the profile's: 8)"),
    KEY("check_every", CONFIG_UINT, check_every, 0, U63, NULL,
	"every invariant of pool and memory walked every N events (0 = never)"),
};

/* The table's key called key, or NULL. */
static const struct config_key *config_key_find(const char *key)
{
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (!strcmp(config_keys[i].key, key))
			return &config_keys[i];
	return NULL;
}

/* A table key's default: the member as sim_config_default() leaves it. */
static void print_key_default(FILE *f, const struct config_key *k, const struct sim_config *def)
{
	const char *src = (const char *)def + k->offset;
	uint64_t u = 0;

	if (k->size == 1) {
		uint8_t b;

		memcpy(&b, src, 1);
		u = b;
	} else if (k->size == 4) {
		uint32_t w;

		memcpy(&w, src, 4);
		if (w == UINT32_MAX) { /* -1: set from the profile when the run starts */
			fputs("the profile's", f);
			return;
		}
		u = w;
	} else {
		memcpy(&u, src, 8);
	}
	if (k->kind == CONFIG_BOOL)
		fputs(u ? "true" : "false", f);
	else
		fprintf(f, "%llu", (unsigned long long)(k->kind == CONFIG_MB ? u >> 20 : u));
}

void config_print_keys(FILE *f)
{
	struct sim_config def;
	const char *key, *value;

	sim_config_default(&def);
	fputs("Machine config keys (README: Configuration has the long form).\n"
	      "Numbers and switches:\n",
	      f);
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		const struct config_key *k = &config_keys[i];

		fprintf(f, "  %-30s %s; ", k->key, k->help);
		if (k->kind == CONFIG_BOOL)
			fputs("true or false", f);
		else if (k->max == U63)
			fprintf(f, "%llu..2^63-1", (unsigned long long)k->min);
		else
			fprintf(f, "%llu..%llu", (unsigned long long)k->min,
				(unsigned long long)k->max);
		if (k->unit)
			fprintf(f, " (%s)", k->unit);
		fputs("; default ", f);
		print_key_default(f, k, &def);
		fputc('\n', f);
	}
	fputs("Names, lists and tables:\n", f);
	for (size_t i = 0; (key = config_special_key(i, &value)) != NULL; i++)
		fprintf(f, "  %-30s %s\n", key, value);
}

/* v into cfg as k says. 0, or -EINVAL with "PATH: key \"K\": expected ..." in msg. */
static int load_key(const struct config_key *k, json_t *v, const char *path, struct sim_config *cfg,
		    char *msg, size_t len)
{
	char *dst = (char *)cfg + k->offset;
	uint64_t u = 0;
	int err;

	if (k->kind == CONFIG_BOOL) {
		if (!json_is_boolean(v)) {
			snprintf(msg, len, "%s: key \"%s\": expected true or false", path, k->key);
			return -EINVAL;
		}
		u = json_is_true(v);
	} else {
		err = config_want_range(v, path, k->key, k->min, k->max, k->unit, &u, msg, len);
		if (err)
			return err;
		if (k->kind == CONFIG_MB)
			u <<= 20;
	}
	if (k->size == 1) {
		uint8_t b = (uint8_t)u;

		memcpy(dst, &b, 1);
	} else if (k->size == 4) {
		uint32_t w = (uint32_t)u; /* every 4-byte key's range fits an int */

		memcpy(dst, &w, 4);
	} else {
		memcpy(dst, &u, 8);
	}
	return 0;
}

/* policies: a string "a,b" or a list of such strings, each parsed on its own (no length cap). */
int config_load_policies(json_t *v, const char *path, unsigned int *mask, char *msg, size_t len)
{
	char bad[64] = "";
	unsigned int m = 0, one;
	size_t i;
	json_t *it;

	if (json_is_string(v)) {
		if (!policy_parse_list(json_string_value(v), &m, bad, sizeof(bad)))
			goto ok;
		snprintf(msg, len, "%s: unknown policy \"%s\"", path, bad);
		return -EINVAL;
	}
	if (!json_is_array(v)) {
		snprintf(msg, len, "%s: key \"policies\": expected a string or a list of strings",
			 path);
		return -EINVAL;
	}
	json_array_foreach(v, i, it)
	{
		if (!json_is_string(it)) {
			snprintf(msg, len,
				 "%s: key \"policies\": element %zu is not a string (expected a "
				 "string or a list of strings)",
				 path, i);
			return -EINVAL;
		}
		if (policy_parse_list(json_string_value(it), &one, bad, sizeof(bad))) {
			snprintf(msg, len, "%s: unknown policy \"%s\" (policies element %zu)", path,
				 bad, i);
			return -EINVAL;
		}
		m |= one;
	}
ok:
	*mask = m;
	return 0;
}

/* The Normal zone lies in RAM. */
static int check_lowmem(const struct physmem_config *mc, const char *path, char *msg, size_t len)
{
	if (mc->lowmem_limit_bytes > mc->ram_bytes) {
		snprintf(msg, len,
			 "%s: lowmem_mb %llu exceeds ram_mb %llu (the Normal zone is part of RAM)",
			 path, (unsigned long long)(mc->lowmem_limit_bytes >> 20),
			 (unsigned long long)(mc->ram_bytes >> 20));
		return -EINVAL;
	}
	return 0;
}

/* The pgd and a pageblock are buddy blocks: below max_order. */
static int check_orders(const struct sim_config *cfg, const char *path, char *msg, size_t len)
{
	const struct physmem_config *mc = &cfg->mem;

	if (cfg->fork.pgd_order >= 0 && (unsigned int)cfg->fork.pgd_order >= mc->max_order) {
		snprintf(msg, len,
			 "%s: fork_pgd_order %d must be below max_order %u (the pgd is one buddy "
			 "block)",
			 path, cfg->fork.pgd_order, mc->max_order);
		return -EINVAL;
	}
	if (cfg->fork.slab_slub && cfg->fork.slab_pages >= 0) {
		snprintf(msg, len,
			 "%s: fork_slab_pages %d with fork_slab \"slub\" (a fork's slab pages are "
			 "its caches')",
			 path, cfg->fork.slab_pages);
		return -EINVAL;
	}
	if (!cfg->fork.slab_slub && cfg->fork.nr_slab_start) {
		snprintf(msg, len,
			 "%s: fork_slab_start without fork_slab \"slub\" (the start is the SLUB "
			 "caches')",
			 path);
		return -EINVAL;
	}
	for (unsigned int z = 0; z < PHYSMEM_ZONE_MOVABLE; z++) {
		const char *zn = physmem_zone_type_name((enum physmem_zone_type)z);

		for (unsigned int o = mc->max_order; o < PHYSMEM_MAX_ORDERS; o++)
			for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
				if (mc->free_blocks[z][o][t]) {
					snprintf(msg, len,
						 "%s: free_blocks.%s.%s[%u]: order %u is not below "
						 "max_order %u",
						 path, zn, physmem_mt_name((enum physmem_mt)t), o, o, mc->max_order);
					return -EINVAL;
				}
		if (mc->pageblocks_given[z] && !mc->free_blocks_given[z]) {
			snprintf(msg, len,
				 "%s: pageblocks.%s without free_blocks.%s (the pageblock types "
				 "are laid out with the free blocks)",
				 path, zn, zn);
			return -EINVAL;
		}
	}
	if (mc->pageblock_order >= mc->max_order) {
		snprintf(msg, len,
			 "%s: pageblock_order %u must be below max_order %u (a pageblock is at "
			 "most the largest buddy block)",
			 path, mc->pageblock_order, mc->max_order);
		return -EINVAL;
	}
	return 0;
}

/* min_free_kbytes below the Normal zone, and ZONE_DMA32 above ZONE_DMA. */
static int check_zones(const struct sim_config *cfg, const char *path, char *msg, size_t len)
{
	const struct physmem_config *mc = &cfg->mem;
	uint64_t normal = mc->ram_bytes;

	/* on 32-bit ARM the Normal zone ends at the lowmem limit; the watermarks are its */
	if (cfg->pool.arch == ZS_ARCH_ARM32 && mc->highmem && mc->lowmem_limit_bytes &&
	    mc->lowmem_limit_bytes < normal)
		normal = mc->lowmem_limit_bytes;
	if (mc->min_free_kbytes >= 0 && (uint64_t)mc->min_free_kbytes >= normal >> 10) {
		snprintf(msg, len,
			 "%s: min_free_kbytes %ld is not below the Normal zone's %llu KiB (every "
			 "allocation would fail its min watermark)",
			 path, mc->min_free_kbytes, (unsigned long long)(normal >> 10));
		return -EINVAL;
	}
	if (mc->dma_bytes && mc->dma32_bytes && mc->dma32_bytes < mc->dma_bytes) {
		snprintf(msg, len,
			 "%s: dma32_mb %llu is below dma_mb %llu (ZONE_DMA32 lies above ZONE_DMA)",
			 path, (unsigned long long)(mc->dma32_bytes >> 20),
			 (unsigned long long)(mc->dma_bytes >> 20));
		return -EINVAL;
	}
	return 0;
}

/* The CMA area lies in RAM and in one zone (cma_activate_area). */
static int check_cma(const struct sim_config *cfg, const char *path, char *msg, size_t len)
{
	const struct physmem_config *mc = &cfg->mem;
	uint64_t base, edges[3];

	if (!mc->cma_bytes)
		return 0;
	if ((mc->cma_base_bytes == UINT64_MAX ? 0 : mc->cma_base_bytes) + mc->cma_bytes >
	    mc->ram_bytes) {
		snprintf(msg, len,
			 "%s: the CMA area (cma_base_mb + cma_mb) ends beyond ram_mb %llu", path,
			 (unsigned long long)(mc->ram_bytes >> 20));
		return -EINVAL;
	}
	base =
	    mc->cma_base_bytes == UINT64_MAX ? mc->ram_bytes - mc->cma_bytes : mc->cma_base_bytes;
	edges[0] = mc->dma_bytes;
	edges[1] = mc->dma32_bytes;
	edges[2] = cfg->pool.arch == ZS_ARCH_ARM32 && mc->highmem ? mc->lowmem_limit_bytes : 0;
	for (int i = 0; i < 3; i++)
		if (edges[i] > base && edges[i] < base + mc->cma_bytes) {
			snprintf(msg, len,
				 "%s: the CMA area [%llu, %llu) MiB crosses a zone edge at %llu "
				 "MiB (it must lie in one zone)",
				 path, (unsigned long long)(base >> 20),
				 (unsigned long long)((base + mc->cma_bytes) >> 20),
				 (unsigned long long)(edges[i] >> 20));
			return -EINVAL;
		}
	return 0;
}

/* The periodic policy can run, and the chain size is one the profile allows. */
static int check_pool(const struct sim_config *cfg, const char *path, char *msg, size_t len)
{
	struct zs_profile_info pi;

	if (!cfg->policy.periodic_events && !cfg->policy.periodic_ns) {
		snprintf(msg, len,
			 "%s: periodic_events and periodic_ns are both 0 (the periodic policy "
			 "would never run; set one)",
			 path);
		return -EINVAL;
	}
	if (cfg->pool.chain_size && !zs_profile_lookup(cfg->pool.profile, &pi) &&
	    (cfg->pool.chain_size < pi.chain_min || cfg->pool.chain_size > pi.chain_max)) {
		snprintf(msg, len, "%s: chain_size %u outside %u..%u for profile %s (0 = its own)",
			 path, cfg->pool.chain_size, pi.chain_min, pi.chain_max, pi.name);
		return -EINVAL;
	}
	return 0;
}

/* Ranges that depend on other keys, once the file is read; the first that fails is reported. */
static int check_machine(const struct sim_config *cfg, const char *path, bool have_lowmem,
			 char *msg, size_t len)
{
	int err = 0;

	if ((have_lowmem && (err = check_lowmem(&cfg->mem, path, msg, len))) ||
	    (err = check_orders(cfg, path, msg, len)) || (err = check_zones(cfg, path, msg, len)) ||
	    (err = check_cma(cfg, path, msg, len)))
		return err;
	return check_pool(cfg, path, msg, len);
}

/* One key of the config: a special one, one of the key table, or an unknown key. */
static int load_one(const char *key, json_t *v, const char *path, struct sim_config *cfg, char *msg,
		    size_t len)
{
	int err = config_load_special(key, v, path, cfg, msg, len);

	if (err != 1)
		return err;
	if (config_key_find(key))
		return load_key(config_key_find(key), v, path, cfg, msg, len);
	snprintf(msg, len, "%s: unknown key \"%s\"", path, key);
	return -EINVAL;
}

int config_load(const char *path, struct sim_config *cfg, char *msg, size_t len)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), *v;
	const char *key;
	bool have_lowmem = false;
	int err = 0;

	if (!root) {
		config_json_load_error(path, &jerr, msg, len);
		one_line(msg, len);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		snprintf(msg, len, "%s: the config must be a JSON object", path);
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(root, key, v)
	{
		err = load_one(key, v, path, cfg, msg, len);
		if (err)
			break;
	}
	have_lowmem = json_object_get(root, "lowmem_mb") != NULL;
	json_decref(root);
	if (!err)
		err = check_machine(cfg, path, have_lowmem, msg, len);
	if (err)
		one_line(msg, len);
	return err;
}

void config_finish(struct sim_config *cfg)
{
	/* HighMem exists on 32-bit ARM when RAM exceeds the lowmem limit */
	if (cfg->pool.arch != ZS_ARCH_ARM32 || cfg->mem.ram_bytes <= cfg->mem.lowmem_limit_bytes)
		cfg->mem.highmem = false;
	/* "pcp": "profile": the lists of the kernel whose zsmalloc the pool models (a NULL
	 * profile is the library's v6.12); every profile before 5.13 ran 4.x's */
	if (cfg->pcp_from_profile) {
		struct zs_profile_info pi;
		const char *name = zs_profile_lookup(cfg->pool.profile, &pi) ? "" : pi.name;

		cfg->mem.pcp = !strcmp(name, "v6.12")  ? PHYSMEM_PCP_V6_12
			       : !strcmp(name, "v6.1") ? PHYSMEM_PCP_V6_1
						       : PHYSMEM_PCP_V4;
	}
}

/* "pcp" values by enum physmem_pcp_model */
static const char *const pcp_names[] = {"off", "6.1", "6.12", "4.x"};

/* A per-zone table as JSON: only the zones the config names with a non-default value. */
static json_t *zone_table(const unsigned long *ul, const unsigned int *ui)
{
	json_t *o = json_object();

	for (unsigned int t = 0; o && t < PHYSMEM_ZONE_MOVABLE; t++)
		json_object_set_new(o, physmem_zone_type_name((enum physmem_zone_type)t),
				    json_integer(ul ? (json_int_t)ul[t] : (json_int_t)ui[t]));
	return o;
}

static bool have_start(const bool *given)
{
	for (unsigned int z = 0; z < PHYSMEM_ZONE_MOVABLE; z++)
		if (given[z])
			return true;
	return false;
}

/* free_blocks (lists per zone and type, up to max_order) or pageblocks, as the config gave them. */
static json_t *start_json(const struct physmem_config *m, bool blocks)
{
	json_t *o = json_object();

	for (unsigned int z = 0; o && z < PHYSMEM_ZONE_MOVABLE; z++) {
		json_t *zo;

		if (!(blocks ? m->free_blocks_given[z] : m->pageblocks_given[z]))
			continue;
		zo = json_object();
		for (unsigned int t = 0; zo && t < PHYSMEM_MT_TYPES; t++) {
			json_t *l = blocks ? json_array() : NULL;

			for (unsigned int ord = 0; l && ord < m->max_order; ord++)
				json_array_append_new(
				    l, json_integer((json_int_t)m->free_blocks[z][ord][t]));
			json_object_set_new(zo, physmem_mt_name((enum physmem_mt)t),
					    blocks ? l
						   : json_integer((json_int_t)m->pageblocks[z][t]));
		}
		json_object_set_new(o, physmem_zone_type_name((enum physmem_zone_type)z), zo);
	}
	return o;
}

/* The zone layout, CMA, boosting and per-CPU list keys. */
static json_t *machine_json(const struct sim_config *cfg)
{
	const struct physmem_config *m = &cfg->mem;

	return json_pack(
	    "{s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:s, s:I, s:I, s:b, s:b, s:b}", "dma_mb",
	    (json_int_t)(m->dma_bytes >> 20), "dma32_mb", (json_int_t)(m->dma32_bytes >> 20),
	    "lowmem_reserve_ratio", zone_table(NULL, m->lowmem_reserve_ratio), "reserved_pages",
	    zone_table(m->reserved_pages, NULL), "cma_mb", (json_int_t)(m->cma_bytes >> 20),
	    "cma_base_mb",
	    m->cma_base_bytes == UINT64_MAX ? (json_int_t)-1
					    : (json_int_t)(m->cma_base_bytes >> 20),
	    "watermark_scale_factor", (json_int_t)m->watermark_scale_factor,
	    "watermark_boost_factor", (json_int_t)m->watermark_boost_factor, "pcp",
	    pcp_names[m->pcp <= PHYSMEM_PCP_V4 ? m->pcp : 0], "nr_cpus", (json_int_t)m->nr_cpus,
	    "percpu_pagelist_high_fraction", (json_int_t)m->percpu_pagelist_high_fraction,
	    "pcp_thp", m->pcp_thp, "deferred_struct_page_init", m->deferred_struct_page_init,
	    "zs_slab", cfg->zs_slab);
}

json_t *config_to_json(const struct sim_config *cfg)
{
	struct sim_fork_cost fc = cfg->fork;
	char pol[128];
	json_t *j, *m;

	fork_cost_resolve(&fc, cfg->pool.profile, (int)cfg->pool.arch, cfg->pool.page_size);
	j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:s, s:I, "
		      "s:I, s:I, s:I, s:I, s:I, s:I}",
		      "profile", cfg->pool.profile ? cfg->pool.profile : "v6.12", "arch",
		      zs_arch_name(cfg->pool.arch), "page_size", (json_int_t)cfg->pool.page_size,
		      "chain_size", (json_int_t)cfg->pool.chain_size, "ram_mb",
		      (json_int_t)(cfg->mem.ram_bytes >> 20), "lowmem_mb",
		      (json_int_t)(cfg->mem.lowmem_limit_bytes >> 20), "highmem", cfg->mem.highmem,
		      "max_order", (json_int_t)cfg->mem.max_order, "pageblock_order",
		      (json_int_t)cfg->mem.pageblock_order, "min_free_kbytes",
		      (json_int_t)cfg->mem.min_free_kbytes, "zram_disksize_mb",
		      (json_int_t)(cfg->zram_disksize >> 20), "zram_mem_limit_mb",
		      (json_int_t)(cfg->zram_mem_limit >> 20), "policies",
		      policy_format_list(cfg->policies, pol, sizeof(pol)), "periodic_events",
		      (json_int_t)cfg->policy.periodic_events, "periodic_ns",
		      (json_int_t)cfg->policy.periodic_ns, "threshold_pages",
		      (json_int_t)cfg->policy.threshold_pages, "check_interval",
		      (json_int_t)cfg->policy.check_interval, "seed", (json_int_t)cfg->seed,
		      "sample_every", (json_int_t)cfg->sample_every, "check_every",
		      (json_int_t)cfg->check_every);
	m = machine_json(cfg);
	if (m) {
		json_object_set_new(m, "taken_pages", zone_table(cfg->mem.taken_pages, NULL));
		json_object_set_new(m, "taken_movable_pages",
				    zone_table(cfg->mem.taken_movable_pages, NULL));
		json_t *w = json_object();

		for (unsigned int t = 0; w && t < PHYSMEM_ZONE_MOVABLE; t++)
			if (cfg->mem.watermarks[t][PHYSMEM_WMARK_HIGH])
				json_object_set_new(
				    w, physmem_zone_type_name((enum physmem_zone_type)t),
				    json_pack(
					"[I, I, I]",
					(json_int_t)cfg->mem.watermarks[t][PHYSMEM_WMARK_MIN],
					(json_int_t)cfg->mem.watermarks[t][PHYSMEM_WMARK_LOW],
					(json_int_t)cfg->mem.watermarks[t][PHYSMEM_WMARK_HIGH]));
		json_object_set_new(m, "watermarks", w);
		/* the start's free lists and pageblocks only when given: runs without them keep
		 * their inputs as they were */
		if (have_start(cfg->mem.free_blocks_given))
			json_object_set_new(m, "free_blocks", start_json(&cfg->mem, true));
		if (have_start(cfg->mem.pageblocks_given))
			json_object_set_new(m, "pageblocks", start_json(&cfg->mem, false));
	}
	/* the fork's pages as resolved for the profile and arch (fork.c) */
	if (j) {
		/* what the host kept of page contents, auto resolved: what `v` could check */
		json_object_set_new(
		    j, "payload",
		    json_string(sim_payload_name(sim_payload_resolve(cfg->payload, cfg->mem.ram_bytes))));
		json_object_set_new(j, "fork_pgd_order", json_integer(fc.pgd_order));
		json_object_set_new(j, "fork_stack_pages", json_integer(fc.stack_pages));
		json_object_set_new(j, "fork_stack_vmalloc", json_boolean(fc.stack_vmalloc));
		if (fc.slab_slub)
			json_object_set_new(j, "fork_slab", json_string("slub"));
		else
			json_object_set_new(j, "fork_slab_pages", json_integer(fc.slab_pages));
		if (fc.nr_slab_start) {
			json_t *st = json_object();

			for (unsigned int i = 0; i < fc.nr_slab_start; i++)
				json_object_set_new(st, fc.slab_start[i].name,
						    json_integer(fc.slab_start[i].free_objects));
			json_object_set_new(j, "fork_slab_start", st);
		}
		json_object_set_new(j, "fork_user_pages", json_integer(fc.user_pages));
		json_object_set_new(j, "fork_cow_pages", json_integer(fc.cow_pages));
	}
	if (j && m)
		json_object_update(j, m);
	json_decref(m);
	return j;
}

void config_json_load_error(const char *path, const json_error_t *jerr, char *msg, size_t len)
{
	struct stat st;
	const char *why = strrchr(jerr->text, ':');

	/* a file that does not open has no line and column: say why it did not open */
	if (json_error_code(jerr) == json_error_cannot_open_file)
		snprintf(msg, len, "%s: cannot open: %s", path,
			 why && why[1] == ' ' ? why + 2 : jerr->text);
	else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(msg, len, "%s: cannot read: %s", path, strerror(EISDIR));
	else
		snprintf(msg, len, "%s:%d:%d: %s", path, jerr->line, jerr->column, jerr->text);
}

size_t config_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void config_json_set_path(json_t *obj, const char *key, const char *path)
{
	json_t *v = json_string(path);
	char esc_key[64];
	char *buf;
	size_t n = strlen(path), o = 0;

	if (v) {
		json_object_set_new(obj, key, v);
		return;
	}
	/* not UTF-8, which JSON strings must be: \xNN for each stray byte, \\ for a backslash */
	buf = malloc(4 * n + 1);
	if (!buf)
		return;
	for (size_t i = 0; i < n;) {
		const unsigned char *c = (const unsigned char *)path + i;
		size_t len = config_utf8_len(c, n - i);

		if (len && *c != '\\') {
			memcpy(buf + o, c, len);
			o += len;
			i += len;
		} else {
			o += (size_t)sprintf(buf + o, *c == '\\' ? "\\\\" : "\\x%02x", *c);
			i++;
		}
	}
	buf[o] = '\0';
	json_object_set_new(obj, key, json_string(buf));
	snprintf(esc_key, sizeof(esc_key), "%s_escaped", key);
	json_object_set_new(obj, esc_key, json_true());
	free(buf);
}
