/*
 * cli_config.c - read the emulated machine from a JSON config file.
 *
 * Keys (all optional; defaults are a 2014-era 32-bit ARM phone, see
 * sim/engine.c):
 *   profile, arch, page_size, chain_size          the zsmalloc pool
 *   ram_mb, lowmem_mb, highmem, max_order,        physical memory
 *   pageblock_order, min_free_kbytes, watermark_scale_factor
 *   zram_disksize_mb, zram_mem_limit_mb           the zram device
 *   policies ("a,b" or ["a","b"]), periodic_events, periodic_ns,
 *   threshold_pages, check_interval               compaction policies
 *   seed, sample_every, check_every               the run
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_config.h"
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

static int want_uint(json_t *v, const char *path, const char *key, uint64_t max, uint64_t *out,
		     char *msg, size_t len)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		snprintf(msg, len, "%s: key \"%s\": expected an integer 0..%llu", path, key,
			 (unsigned long long)max);
		return -EINVAL;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int cli_config_load(const char *path, struct sim_config *cfg, char *msg, size_t len)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), *v;
	const char *key;
	int err = 0;

	if (!root) {
		snprintf(msg, len, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
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
		uint64_t u = 0;

		if (!strcmp(key, "profile") || !strcmp(key, "arch")) {
			if (!json_is_string(v)) {
				snprintf(msg, len, "%s: key \"%s\": expected a string", path, key);
				err = -EINVAL;
			} else if (!strcmp(key, "profile")) {
				struct zs_profile_info pi;

				if (zs_profile_lookup(json_string_value(v), &pi)) {
					snprintf(msg, len, "%s: unknown profile \"%s\"", path,
						 json_string_value(v));
					err = -EINVAL;
				} else {
					cfg->pool.profile =
					    pi.name; /* the profile table's own string */
				}
			} else if (zs_arch_lookup(json_string_value(v), &cfg->pool.arch)) {
				snprintf(msg, len, "%s: unknown arch \"%s\" (x86_64 or arm32)",
					 path, json_string_value(v));
				err = -EINVAL;
			}
		} else if (!strcmp(key, "policies")) {
			char bad[64] = "";
			char list[256] = "";

			if (json_is_string(v)) {
				snprintf(list, sizeof(list), "%s", json_string_value(v));
			} else if (json_is_array(v)) {
				size_t i;
				json_t *it;

				json_array_foreach(v, i, it)
				{
					if (!json_is_string(it)) {
						snprintf(msg, len, "%s: policies: expected strings",
							 path);
						err = -EINVAL;
						break;
					}
					snprintf(list + strlen(list), sizeof(list) - strlen(list),
						 "%s%s", i ? "," : "", json_string_value(it));
				}
				if (!json_array_size(v))
					snprintf(list, sizeof(list), "none");
			}
			if (!err && policy_parse_list(list, &cfg->policies, bad, sizeof(bad))) {
				snprintf(msg, len, "%s: unknown policy \"%s\"", path, bad);
				err = -EINVAL;
			}
		} else if (!strcmp(key, "highmem")) {
			if (!json_is_boolean(v)) {
				snprintf(msg, len, "%s: key \"highmem\": expected true or false",
					 path);
				err = -EINVAL;
			}
			cfg->mem.highmem = json_is_true(v);
		} else if (!strcmp(key, "min_free_kbytes")) {
			if (!json_is_integer(v)) {
				snprintf(msg, len,
					 "%s: key \"min_free_kbytes\": expected an integer (-1 = "
					 "kernel formula)",
					 path);
				err = -EINVAL;
			}
			cfg->mem.min_free_kbytes = (long)json_integer_value(v);
		} else if (!strcmp(key, "page_size")) {
			err = want_uint(v, path, key, 65536, &u, msg, len);
			cfg->pool.page_size = (size_t)u;
			cfg->mem.page_size = (unsigned int)u;
		} else if (!strcmp(key, "chain_size")) {
			err = want_uint(v, path, key, 16, &u, msg, len);
			cfg->pool.chain_size = (unsigned int)u;
		} else if (!strcmp(key, "ram_mb")) {
			err = want_uint(v, path, key, 1 << 20, &u, msg, len);
			cfg->mem.ram_bytes = u << 20;
		} else if (!strcmp(key, "lowmem_mb")) {
			err = want_uint(v, path, key, 1 << 20, &u, msg, len);
			cfg->mem.lowmem_limit_bytes = u << 20;
		} else if (!strcmp(key, "max_order")) {
			err = want_uint(v, path, key, 16, &u, msg, len);
			cfg->mem.max_order = (unsigned int)u;
		} else if (!strcmp(key, "pageblock_order")) {
			err = want_uint(v, path, key, 15, &u, msg, len);
			cfg->mem.pageblock_order = (unsigned int)u;
		} else if (!strcmp(key, "watermark_scale_factor")) {
			err = want_uint(v, path, key, 3000, &u, msg, len);
			cfg->mem.watermark_scale_factor = (unsigned int)u;
		} else if (!strcmp(key, "zram_disksize_mb")) {
			err = want_uint(v, path, key, 1 << 24, &u, msg, len);
			cfg->zram_disksize = u << 20;
		} else if (!strcmp(key, "zram_mem_limit_mb")) {
			err = want_uint(v, path, key, 1 << 24, &u, msg, len);
			cfg->zram_mem_limit = u << 20;
		} else if (!strcmp(key, "periodic_events")) {
			err = want_uint(v, path, key, UINT64_MAX >> 1, &cfg->policy.periodic_events,
					msg, len);
		} else if (!strcmp(key, "periodic_ns")) {
			err = want_uint(v, path, key, UINT64_MAX >> 1, &cfg->policy.periodic_ns,
					msg, len);
		} else if (!strcmp(key, "threshold_pages")) {
			err = want_uint(v, path, key, UINT64_MAX >> 1, &cfg->policy.threshold_pages,
					msg, len);
		} else if (!strcmp(key, "check_interval")) {
			err = want_uint(v, path, key, UINT64_MAX >> 1, &cfg->policy.check_interval,
					msg, len);
		} else if (!strcmp(key, "seed")) {
			err = want_uint(v, path, key, UINT64_MAX >> 1, &cfg->seed, msg, len);
		} else if (!strcmp(key, "sample_every")) {
			err =
			    want_uint(v, path, key, UINT64_MAX >> 1, &cfg->sample_every, msg, len);
		} else if (!strcmp(key, "check_every")) {
			err = want_uint(v, path, key, UINT64_MAX >> 1, &cfg->check_every, msg, len);
		} else {
			snprintf(msg, len, "%s: unknown key \"%s\"", path, key);
			err = -EINVAL;
		}
		if (err)
			break;
	}
	json_decref(root);
	if (err)
		one_line(msg, len);
	return err;
}

void cli_config_finish(struct sim_config *cfg)
{
	/* HighMem exists on 32-bit ARM when RAM exceeds the lowmem limit */
	if (cfg->pool.arch != ZS_ARCH_ARM32 || cfg->mem.ram_bytes <= cfg->mem.lowmem_limit_bytes)
		cfg->mem.highmem = false;
}

json_t *cli_config_to_json(const struct sim_config *cfg)
{
	char pol[128];

	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:s, s:I, "
			 "s:I, s:I, s:I, s:I, s:I, s:I}",
			 "profile", cfg->pool.profile ? cfg->pool.profile : "v6.12", "arch",
			 zs_arch_name(cfg->pool.arch), "page_size", (json_int_t)cfg->pool.page_size,
			 "chain_size", (json_int_t)cfg->pool.chain_size, "ram_mb",
			 (json_int_t)(cfg->mem.ram_bytes >> 20), "lowmem_mb",
			 (json_int_t)(cfg->mem.lowmem_limit_bytes >> 20), "highmem",
			 cfg->mem.highmem, "max_order", (json_int_t)cfg->mem.max_order,
			 "pageblock_order", (json_int_t)cfg->mem.pageblock_order, "min_free_kbytes",
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
}
