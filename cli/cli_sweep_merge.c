/*
 * cli_sweep_merge.c - `zsfrag sweep merge DIR [--spec SPEC] [--out FILE]`:
 * the points' numbers in one document, checked against the spec (see
 * cli_sweep.c's head for the layout of a sweep).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_compare.h"
#include "cli_sweep.h"
#include "config.h"
#include "outfile.h"

static json_t *num_or_null(double v)
{
	return v != v ? json_null() : json_real(v);
}

/* A point's file name, strictly: "point-" + printf("%05u", idx) + ".json". 0 or -EINVAL. */
static int point_index(const char *base, unsigned int *idx)
{
	unsigned long long v = 0;
	const char *p = base + 6;
	char canon[40];

	if (strncmp(base, "point-", 6))
		return -EINVAL;
	for (; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
		v = v * 10 + (unsigned long long)(*p - '0');
	if (v > UINT32_MAX || strcmp(p, ".json"))
		return -EINVAL;
	snprintf(canon, sizeof(canon), "point-%05u.json", (unsigned int)v);
	if (strcmp(canon, base))
		return -EINVAL; /* point-1.json, point-000001.json: not a name we write */
	*idx = (unsigned int)v;
	return 0;
}

struct merge_item {
	unsigned int idx;
	const char *path;
};

static int cmp_item(const void *a, const void *b)
{
	const struct merge_item *x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int merge_write(json_t *doc, const char *path, char *const *ins, unsigned int n)
{
	struct outfile *of;
	char msg[700];
	int rc;

	for (unsigned int i = 0; i < n; i++) {
		if (outfile_check_inputs(path, (const char *const *)&ins[i], 1, msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag sweep: -o %s\n", msg);
			return EX_USAGE;
		}
	}
	rc = outfile_open(path, &of, msg, sizeof(msg));
	if (!rc) {
		if (json_dumpf(doc, outfile_stream(of), JSON_INDENT(1) | JSON_PRESERVE_ORDER) ||
		    fputc('\n', outfile_stream(of)) == EOF) {
			rc = outfile_error(of) ? outfile_error(of) : -EIO;
			snprintf(msg, sizeof(msg), "%s: write error: %s", outfile_name(of),
				 strerror(-rc));
			outfile_abort(of);
		} else {
			rc = outfile_commit(of, msg, sizeof(msg));
		}
	}
	if (rc) {
		fprintf(stderr, "zsfrag sweep: cannot write %s\n", msg);
		return EX_CANTCREAT;
	}
	return EX_OK;
}

/* Points from..to-1 are missing: a line each until SWEEP_MISSING_SHOWN were shown. */
static void note_missing(unsigned long long from, unsigned long long to,
			 unsigned long long *missing)
{
	for (unsigned long long k = from; k < to && *missing + (k - from) < SWEEP_MISSING_SHOWN;
	     k++)
		fprintf(stderr, "zsfrag sweep: point %llu is missing\n", k);
	*missing += to - from;
}

int sweep_merge(int argc, char **argv)
{
	const char *spec = NULL, *out = NULL, *stray_name = NULL;
	struct sweep sw = {0};
	struct merge_item *items = NULL;
	json_t *doc = NULL, *points = NULL;
	char **paths = NULL, msg[700], first_hash[17] = "";
	unsigned int np = 0, ni = 0, expect = SWEEP_MAX_POINTS, got = 0, stray = 0;
	unsigned long long missing = 0;
	long long last = -1;
	int rc = EX_OK, rc2;

	const struct cli_opt opts[] = {
	    {.name = "spec", .short_name = 's', .arg = "SPEC", .kind = CLI_OPT_STRING, .dst = &spec},
	    {.name = "out", .short_name = 'o', .arg = "FILE", .kind = CLI_OPT_STRING, .dst = &out},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};

	rc = cli_opt_parse("sweep", opts, argc, argv, sweep_help_opts);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (optind + 1 != argc)
		return cli_usage_error("sweep", "usage: sweep merge DIR [--spec SPEC] [-o FILE]");
	if (spec) {
		if (sweep_load(spec, &sw, msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag sweep: %s\n", msg);
			return EX_DATAERR;
		}
		expect = sweep_points(&sw);
	}
	if (plot_list_results(argv[optind], &paths, &np)) {
		fprintf(stderr, "zsfrag sweep: cannot read %s: %s\n", argv[optind],
			strerror(errno));
		json_decref(sw.root);
		return EX_NOINPUT;
	}
	/* the points by index (names sort wrongly past 99999); strays counted, not merged */
	items = calloc(np ? np : 1, sizeof(*items));
	if (!items) {
		rc = EX_OSERR;
		goto out;
	}
	for (unsigned int i = 0; i < np; i++) {
		const char *b = strrchr(paths[i], '/');
		unsigned int idx;

		b = b ? b + 1 : paths[i];
		if (strncmp(b, "point-", 6))
			continue; /* other JSON beside the points (a merged file) is not ours */
		if (point_index(b, &idx) || idx >= expect) {
			if (!stray++)
				stray_name = paths[i];
			continue;
		}
		items[ni].idx = idx;
		items[ni++].path = paths[i];
	}
	if (stray) {
		fprintf(stderr,
			"zsfrag sweep: %u file(s) named like points but not points 0..%u of %s "
			"(first: %s), not merged\n",
			stray, expect - 1, spec ? "the spec" : "any sweep", stray_name);
		rc = EX_DATAERR;
	}
	qsort(items, ni, sizeof(*items), cmp_item);
	doc = json_object();
	points = json_array();
	for (unsigned int i = 0; i < ni; i++) {
		unsigned int idx = items[i].idx;
		const char *b = strrchr(items[i].path, '/');
		struct cmp_metrics m;
		json_error_t jerr;
		json_t *root, *pm, *met;
		const char *h;

		b = b ? b + 1 : items[i].path;
		root = json_load_file(items[i].path, 0, &jerr);
		if (!root) {
			fprintf(stderr, "zsfrag sweep: %s:%d:%d: %s\n", items[i].path, jerr.line,
				jerr.column, jerr.text);
			rc = EX_DATAERR;
			continue;
		}
		h = json_string_value(
		    json_object_get(json_object_get(root, "inputs"), "sweep_spec"));
		if (spec ? sweep_point_check(&sw, root, idx, msg, sizeof(msg)) != 0
			 : (first_hash[0] && (!h || strcmp(h, first_hash)))) {
			if (!spec)
				snprintf(msg, sizeof(msg),
					 "from another spec than the first point's");
			fprintf(stderr, "zsfrag sweep: %s: %s; run it again\n", items[i].path, msg);
			json_decref(root);
			rc = EX_DATAERR;
			continue;
		}
		if (!first_hash[0])
			snprintf(first_hash, sizeof(first_hash), "%s", h ? h : "none");
		memset(&m, 0, sizeof(m));
		snprintf(m.path, sizeof(m.path), "%s", items[i].path);
		if (cmp_metrics_from_json(root, &m, msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag sweep: %s: %s\n", items[i].path, msg);
			json_decref(root);
			rc = EX_DATAERR;
			continue;
		}
		json_decref(root);
		note_missing((unsigned long long)(last + 1), idx, &missing);
		last = idx;
		met = json_object();
		for (int k = 0; k < CMP_NR_METRICS; k++)
			json_object_set_new(met, cmp_metric_info[k].key, num_or_null(m.v[k]));
		pm = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s}", "index", (json_int_t)idx,
			       "trace", m.trace, "profile", m.profile, "arch", m.arch, "policies",
			       m.policies, "seed", (json_int_t)m.seed, "results", b);
		json_object_set_new(pm, "metrics", met);
		json_array_append_new(points, pm);
		got++;
	}
	if (spec)
		note_missing((unsigned long long)(last + 1), expect, &missing);
	if (missing > SWEEP_MISSING_SHOWN)
		fprintf(stderr, "zsfrag sweep: %llu points missing in all\n", missing);
	json_object_set_new(doc, "points_merged", json_integer(got));
	json_object_set_new(doc, "points", points);
	points = NULL;
	if (spec)
		json_object_set_new(doc, "sweep_spec", json_string(sw.hash));
	rc2 = merge_write(doc, out ? out : "-", paths, np);
	rc = rc ? rc : rc2;
	if (missing && rc == EX_OK)
		rc = EX_DATAERR;
out:
	json_decref(doc);
	json_decref(points);
	for (unsigned int i = 0; i < np; i++)
		free(paths[i]);
	free(paths);
	free(items);
	json_decref(sw.root);
	return rc;
}
