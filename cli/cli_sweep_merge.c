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

/* The merge: the spec (when given) and what the points so far said. */
struct merge_state {
	const char *spec;
	struct sweep sw;     /* loaded when spec is given */
	char first_hash[17]; /* without a spec: the first point's, the others' must match */
	unsigned int expect; /* points of the spec, or SWEEP_MAX_POINTS */
};

/*
 * The points among paths, sorted by index (names sort wrongly past 99999):
 * other JSON is left out, files named like points but not one of the
 * spec's are counted and named; EX_OK, EX_DATAERR for strays, EX_OSERR.
 */
static int merge_items(const struct merge_state *ms, char **paths, unsigned int np,
		       struct merge_item **items, unsigned int *ni)
{
	const char *stray_name = NULL;
	unsigned int stray = 0;

	*ni = 0;
	*items = calloc(np ? np : 1, sizeof(**items));
	if (!*items)
		return EX_OSERR;
	for (unsigned int i = 0; i < np; i++) {
		const char *b = strrchr(paths[i], '/');
		unsigned int idx;

		b = b ? b + 1 : paths[i];
		if (strncmp(b, "point-", 6))
			continue; /* other JSON beside the points (a merged file) is not ours */
		if (point_index(b, &idx) || idx >= ms->expect) {
			if (!stray++)
				stray_name = paths[i];
			continue;
		}
		(*items)[*ni].idx = idx;
		(*items)[(*ni)++].path = paths[i];
	}
	qsort(*items, *ni, sizeof(**items), cmp_item);
	if (!stray)
		return EX_OK;
	fprintf(stderr,
		"zsfrag sweep: %u file(s) named like points but not points 0..%u of %s "
		"(first: %s), not merged\n",
		stray, ms->expect - 1, ms->spec ? "the spec" : "any sweep", stray_name);
	return EX_DATAERR;
}

/* Load a point's results and check they are the spec's (or the first point's); NULL when not. */
static json_t *merge_load(struct merge_state *ms, const struct merge_item *it)
{
	json_error_t jerr;
	json_t *root = json_load_file(it->path, 0, &jerr);
	char msg[700];
	const char *h;

	if (!root) {
		fprintf(stderr, "zsfrag sweep: %s:%d:%d: %s\n", it->path, jerr.line, jerr.column,
			jerr.text);
		return NULL;
	}
	h = json_string_value(json_object_get(json_object_get(root, "inputs"), "sweep_spec"));
	if (ms->spec ? sweep_point_check(&ms->sw, root, it->idx, msg, sizeof(msg)) != 0
		     : (ms->first_hash[0] && (!h || strcmp(h, ms->first_hash)))) {
		if (!ms->spec)
			snprintf(msg, sizeof(msg), "from another spec than the first point's");
		fprintf(stderr, "zsfrag sweep: %s: %s; run it again\n", it->path, msg);
		json_decref(root);
		return NULL;
	}
	if (!ms->first_hash[0])
		snprintf(ms->first_hash, sizeof(ms->first_hash), "%s", h ? h : "none");
	return root;
}

/* One point of the merged document, or NULL (message on stderr) when it is not usable. */
static json_t *merge_point(struct merge_state *ms, const struct merge_item *it)
{
	const char *b = strrchr(it->path, '/');
	struct cmp_metrics m;
	json_t *root = merge_load(ms, it), *pm, *met;
	char msg[700];

	if (!root)
		return NULL;
	memset(&m, 0, sizeof(m));
	snprintf(m.path, sizeof(m.path), "%s", it->path);
	if (cmp_metrics_from_json(root, &m, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag sweep: %s: %s\n", it->path, msg);
		json_decref(root);
		return NULL;
	}
	json_decref(root);
	met = json_object();
	for (int k = 0; k < CMP_NR_METRICS; k++)
		json_object_set_new(met, cmp_metric_info[k].key, num_or_null(m.v[k]));
	pm = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s}", "index", (json_int_t)it->idx, "trace",
		       m.trace, "profile", m.profile, "arch", m.arch, "policies", m.policies,
		       "seed", (json_int_t)m.seed, "results", b ? b + 1 : it->path);
	json_object_set_new(pm, "metrics", met);
	return pm;
}

/* The merged document of the points in items; *bad: a point not usable, *gaps: one missing. */
static json_t *merge_doc(struct merge_state *ms, const struct merge_item *items, unsigned int ni,
			 bool *bad, bool *gaps)
{
	json_t *doc = json_object(), *points = json_array();
	unsigned long long missing = 0;
	unsigned int got = 0;
	long long last = -1;

	for (unsigned int i = 0; i < ni; i++) {
		json_t *pm = merge_point(ms, &items[i]);

		if (!pm) {
			*bad = true;
			continue;
		}
		note_missing((unsigned long long)(last + 1), items[i].idx, &missing);
		last = items[i].idx;
		json_array_append_new(points, pm);
		got++;
	}
	if (ms->spec)
		note_missing((unsigned long long)(last + 1), ms->expect, &missing);
	if (missing > SWEEP_MISSING_SHOWN)
		fprintf(stderr, "zsfrag sweep: %llu points missing in all\n", missing);
	*gaps = missing != 0;
	json_object_set_new(doc, "points_merged", json_integer(got));
	json_object_set_new(doc, "points", points);
	if (ms->spec)
		json_object_set_new(doc, "sweep_spec", json_string(ms->sw.hash));
	return doc;
}

int sweep_merge(int argc, char **argv)
{
	struct merge_state ms = {.expect = SWEEP_MAX_POINTS};
	const char *out = NULL;
	struct merge_item *items = NULL;
	json_t *doc = NULL;
	char **paths = NULL, msg[700];
	unsigned int np = 0, ni = 0;
	bool bad = false, gaps = false;
	int rc, rc2;
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "spec", .short_name = 's', .arg = "SPEC", .kind = CLI_OPT_STRING,
	     .dst = &ms.spec},
	    {.name = "out", .short_name = 'o', .arg = "FILE", .kind = CLI_OPT_STRING, .dst = &out},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */

	rc = cli_opt_parse("sweep", opts, argc, argv, sweep_help_opts);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (optind + 1 != argc)
		return cli_usage_error("sweep", "usage: sweep merge DIR [--spec SPEC] [-o FILE]");
	if (ms.spec) {
		if (sweep_load(ms.spec, &ms.sw, msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag sweep: %s\n", msg);
			return EX_DATAERR;
		}
		ms.expect = sweep_points(&ms.sw);
	}
	if (plot_list_results(argv[optind], &paths, &np)) {
		fprintf(stderr, "zsfrag sweep: cannot read %s: %s\n", argv[optind],
			strerror(errno));
		json_decref(ms.sw.root);
		return EX_NOINPUT;
	}
	rc = merge_items(&ms, paths, np, &items, &ni);
	if (rc != EX_OSERR) {
		doc = merge_doc(&ms, items, ni, &bad, &gaps);
		rc2 = merge_write(doc, out ? out : "-", paths, np);
		/* a stray or bad point first, then the write, then a missing point */
		rc = rc || bad ? EX_DATAERR : rc2 ? rc2 : gaps ? EX_DATAERR : EX_OK;
	}
	json_decref(doc);
	for (unsigned int i = 0; i < np; i++)
		free(paths[i]);
	free(paths);
	free(items);
	json_decref(ms.sw.root);
	return rc;
}
