/*
 * cli_classes.c - `zsfrag classes`: print a profile's size-class table and
 * its constants, as text or one JSON document.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "engine.h"
#include "zsmalloc.h"

static void classes_help(FILE *f)
{
	const char *const *names = zs_profile_names();

	fprintf(
	    f,
	    "usage: zsfrag classes [--profile P] [--arch A] [--page-size N] [--chain-size K] "
	    "[--json]\n\n"
	    "Print the size-class table of a kernel profile: index, object size, pages per\n"
	    "zspage, objects per zspage, the index it is merged into, and whether it is huge.\n\n"
	    "  -p, --profile P     kernel profile (default v6.12):");
	for (; *names; names++)
		fprintf(f, " %s", *names);
	fprintf(f, "\n"
		   "  -a, --arch A        arm32 (default, as replay: the seed's 32-bit ARM phone) or\n"
		   "                      x86_64 (the kernels scripts/kernel-check runs)\n"
		   "  -s, --page-size N   4096 (default), 16384 or 65536\n"
		   "  -c, --chain-size K  max pages per zspage (CONFIG_ZSMALLOC_CHAIN_SIZE, 4..16; "
		   "v6.12 only)\n"
		   "  -j, --json          one JSON document on stdout\n"
		   "  -h, --help          this text\n");
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

int cli_classes(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"profile", required_argument, NULL, 'p'},
	    {"arch", required_argument, NULL, 'a'},
	    {"page-size", required_argument, NULL, 's'},
	    {"chain-size", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct zs_pool_config cfg = {.page_size = 4096};
	struct sim_config machine;
	struct zs_profile_info info;
	struct zs_host_pages *hp;
	struct zs_pool *pool;
	unsigned long long v;
	bool json = false;
	int c, err, rc;

	/* replay's default machine, so that both show the same classes */
	sim_config_default(&machine);
	cfg.profile = machine.pool.profile;
	cfg.arch = machine.pool.arch;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:a:s:c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			cfg.profile = optarg;
			break;
		case 'a':
			if (zs_arch_lookup(optarg, &cfg.arch))
				return cli_usage_error(
				    "classes", "unknown arch '%s' (x86_64 or arm32)", optarg);
			break;
		case 's':
			if (cli_parse_u64(optarg, 1 << 20, &v) ||
			    (v != 4096 && v != 16384 && v != 65536))
				return cli_usage_error(
				    "classes", "page size must be 4096, 16384 or 65536, not '%s'",
				    optarg);
			cfg.page_size = (size_t)v;
			break;
		case 'c':
			if (cli_parse_u64(optarg, 1000, &v) || v == 0)
				return cli_usage_error("classes", "bad chain size '%s'", optarg);
			cfg.chain_size = (unsigned int)v;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			classes_help(stdout);
			return EX_OK;
		default:
			return cli_usage_error("classes", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("classes", "unexpected argument '%s'", argv[optind]);
	if (zs_profile_lookup(cfg.profile, &info))
		return cli_usage_error("classes", "unknown profile '%s'", cfg.profile);
	if (cfg.chain_size &&
	    (cfg.chain_size < info.chain_min || cfg.chain_size > info.chain_max)) {
		if (info.chain_min == info.chain_max)
			return cli_usage_error("classes", "profile %s has a fixed chain size of %u",
					       info.name, info.chain_min);
		return cli_usage_error("classes",
				       "chain size %u out of range %u..%u for profile %s",
				       cfg.chain_size, info.chain_min, info.chain_max, info.name);
	}
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
