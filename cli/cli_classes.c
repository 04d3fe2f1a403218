/*
 * cli_classes.c - `zsfrag classes`: print a profile's size-class table and
 * its constants, as text or one JSON document.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_opt.h"
#include "engine.h"
#include "zsmalloc.h"

static void classes_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(
	    f,
	    "usage: zsfrag classes [--profile P] [--arch A] [--page-size N] [--chain-size K] "
	    "[--json]\n\n"
	    "Print the size-class table of a kernel profile: index, object size, pages per\n"
	    "zspage, objects per zspage, the index it is merged into, and whether it is huge.\n\n");
	cli_opt_help(f, opts);
}

static int print_json(struct zs_pool *pool, const char *profile, enum zs_arch arch)
{
	json_t *root = json_object(), *arr = json_array();
	unsigned int n = zs_class_count(pool), distinct = 0;
	struct zs_class_info ci;

	for (unsigned int i = 0; i < n; i++) {
		zs_class_info(pool, i, &ci);
		distinct += ci.merged_into == i;
		json_array_append_new(
		    arr, json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}", "index", (json_int_t)ci.index,
				   "size", (json_int_t)ci.size, "pages_per_zspage",
				   (json_int_t)ci.pages_per_zspage, "objs_per_zspage",
				   (json_int_t)ci.objs_per_zspage, "merged_into",
				   (json_int_t)ci.merged_into, "huge", ci.huge));
	}
	json_object_set_new(root, "profile", json_string(profile));
	json_object_set_new(root, "arch", json_string(zs_arch_name(arch)));
	json_object_set_new(root, "page_size", json_integer((json_int_t)zs_page_size(pool)));
	json_object_set_new(root, "class_count", json_integer(n));
	json_object_set_new(root, "distinct_classes", json_integer(distinct));
	json_object_set_new(root, "huge_class_size",
			    json_integer((json_int_t)zs_huge_class_size(pool)));
	json_object_set_new(root, "classes", arr);
	if (json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) {
		json_decref(root);
		return EX_IOERR;
	}
	fputc('\n', stdout);
	json_decref(root);
	return EX_OK;
}

static void print_text(struct zs_pool *pool, const char *profile, enum zs_arch arch)
{
	unsigned int n = zs_class_count(pool), distinct = 0;
	struct zs_class_info ci;

	printf("%5s %6s %6s %6s %7s %5s\n", "index", "size", "pages", "objs", "merged", "huge");
	for (unsigned int i = 0; i < n; i++) {
		zs_class_info(pool, i, &ci);
		distinct += ci.merged_into == i;
		if (ci.merged_into == i)
			printf("%5u %6u %6u %6u %7s %5s\n", ci.index, ci.size, ci.pages_per_zspage,
			       ci.objs_per_zspage, "-", ci.huge ? "yes" : "no");
		else
			printf("%5u %6u %6u %6u %7u %5s\n", ci.index, ci.size, ci.pages_per_zspage,
			       ci.objs_per_zspage, ci.merged_into, ci.huge ? "yes" : "no");
	}
	printf("\nprofile %s, arch %s, page size %zu: %u class indices, %u distinct classes, "
	       "huge_class_size %zu\n",
	       profile, zs_arch_name(arch), zs_page_size(pool), n, distinct,
	       zs_huge_class_size(pool));
}

/* Check the options against the profile; 0 or EX_USAGE after the message. */
static int check_pool_config(const struct zs_pool_config *cfg, const char *arch,
			     struct zs_profile_info *info, enum zs_arch *a)
{
	if (zs_profile_lookup(cfg->profile, info))
		return cli_usage_error("classes", "unknown profile '%s'", cfg->profile);
	if (zs_arch_lookup(arch, a))
		return cli_usage_error("classes", "unknown arch '%s' (x86_64 or arm32)", arch);
	if (cfg->chain_size &&
	    (cfg->chain_size < info->chain_min || cfg->chain_size > info->chain_max)) {
		if (info->chain_min == info->chain_max)
			return cli_usage_error("classes", "profile %s has a fixed chain size of %u",
					       info->name, info->chain_min);
		return cli_usage_error(
		    "classes", "chain size %u out of range %u..%u for profile %s", cfg->chain_size,
		    info->chain_min, info->chain_max, info->name);
	}
	return 0;
}

int cli_classes(int argc, char **argv)
{
	struct zs_pool_config cfg = {.page_size = 4096};
	struct sim_config machine;
	struct zs_profile_info info;
	struct zs_host_pages *hp;
	struct zs_pool *pool;
	const char *arch;
	char profile_help[256];
	size_t w;
	bool json = false;
	int err, rc;

	/* replay's default machine, so that both show the same classes */
	sim_config_default(&machine);
	cfg.profile = machine.pool.profile;
	arch = zs_arch_name(machine.pool.arch);
	w = (size_t)snprintf(profile_help, sizeof(profile_help),
			     "kernel profile (default %s, as replay):\n", cfg.profile);
	for (const char *const *p = zs_profile_names(); *p && w < sizeof(profile_help); p++)
		w += (size_t)snprintf(profile_help + w, sizeof(profile_help) - w, "%s%s",
				      p == zs_profile_names() ? "" : " ", *p);
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "profile", .short_name = 'p', .arg = "P", .kind = CLI_OPT_STRING,
	     .dst = &cfg.profile, .help = profile_help},
	    {.name = "arch", .short_name = 'a', .arg = "A", .kind = CLI_OPT_STRING, .dst = &arch,
	     .help = "arm32 (default, as replay: the seed's 32-bit ARM phone) or\n"
		     "x86_64 (the kernels scripts/kernel-check runs)"},
	    {.name = "page-size", .short_name = 's', .arg = "N", .kind = CLI_OPT_PARSE,
	     .dst = &cfg.page_size, .parse = cli_opt_page_size, .hint = "(4096, 16384 or 65536)",
	     .help = "4096 (default), 16384 or 65536"},
	    {.name = "chain-size", .short_name = 'c', .arg = "K", .kind = CLI_OPT_UINT,
	     .dst = &cfg.chain_size, .min = 1, .max = 1000,
	     .help = "max pages per zspage (CONFIG_ZSMALLOC_CHAIN_SIZE,\n4..16; v6.12 only)"},
	    {.name = "json", .short_name = 'j', .kind = CLI_OPT_SET, .dst = &json,
	     .help = "one JSON document on stdout"},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */

	rc = cli_opt_parse("classes", opts, argc, argv, classes_help);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (optind < argc)
		return cli_usage_error("classes", "unexpected argument '%s'", argv[optind]);
	rc = check_pool_config(&cfg, arch, &info, &cfg.arch);
	if (rc)
		return rc;
	if (zs_host_pages_create(cfg.page_size, 1, &hp))
		return EX_OSERR;
	err = zs_create_pool(&cfg, zs_host_page_ops(), hp, &pool);
	if (err) {
		zs_host_pages_destroy(hp);
		fprintf(stderr, "zsfrag classes: cannot build the class table: %s\n",
			strerror(-err));
		return EX_SOFTWARE;
	}
	if (json) {
		rc = print_json(pool, info.name, cfg.arch);
	} else {
		print_text(pool, info.name, cfg.arch);
		rc = EX_OK;
	}
	zs_destroy_pool(pool);
	zs_host_pages_destroy(hp);
	return rc;
}
