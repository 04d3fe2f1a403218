/*
 * cli_sweep.c - sweeps larger than one machine: `zsfrag sweep expand SPEC`
 * prints one independent command line per run point, `zsfrag sweep run
 * SPEC --index N` runs one point (N from $SLURM_ARRAY_TASK_ID when not
 * given) and `zsfrag sweep merge DIR` gathers the points' numbers. The
 * scheduling is left to GNU parallel or a Slurm job array (README: Sweeps).
 *
 * SPEC.json (paths relative to the spec's directory; unknown keys are errors):
 *   { "traces": ["a.trace", "gen-{seed}.trace"],  required; {seed} is replaced
 *     "profiles": ["v4.1", "v6.12"],              optional (default: config's)
 *     "policies": ["none", "manual,migration"],   optional; one list per point
 *     "seeds": [1, 2],                            optional (payload seed)
 *     "arch": "arm32", "config": "machine.json",  optional
 *     "sample_every": 0, "timing": false,         optional (timing off: results
 *                                                 are byte-identical on rerun)
 *     "out": "results" }                          default SPEC's name + "-results"
 * Points are numbered trace-major: index = ((t * P + p) * Q + q) * S + s.
 * Point N's results go to OUT/point-NNNNN.json, written to a temporary file
 * and renamed, so a killed job never leaves a half-written result and
 * `merge` never reads one.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_compare.h"

#define SWEEP_MAX_AXIS 256

struct sweep {
	json_t *root;
	char dir[PATH_MAX];			      /* the spec's directory, for relative paths */
	char out[PATH_MAX];			      /* results directory */
	json_t *traces, *profiles, *policies, *seeds; /* arrays; the last three may be NULL */
	unsigned int nt, np, nq, ns;
	const char *arch, *config;
	uint64_t sample_every;
	bool timing;
};

static unsigned int axis(json_t *a)
{
	return a ? (unsigned int)json_array_size(a) : 1;
}

static void resolve(const struct sweep *sw, const char *p, char *buf, size_t len)
{
	int n;

	if (p[0] == '/' || !sw->dir[0])
		n = snprintf(buf, len, "%s", p);
	else
		n = snprintf(buf, len, "%s/%s", sw->dir, p);
	if (n < 0 || (size_t)n >= len)
		buf[0] = 0; /* too long: fails later with "cannot open" */
}

static int want_strings(json_t *v, const char *key, char *msg, size_t msglen)
{
	size_t i;
	json_t *it;

	if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > SWEEP_MAX_AXIS) {
		snprintf(msg, msglen, "\"%s\": expected a list of 1..%d strings", key,
			 SWEEP_MAX_AXIS);
		return -EINVAL;
	}
	json_array_foreach(v, i, it) if (!json_is_string(it))
	{
		snprintf(msg, msglen, "\"%s\": expected strings", key);
		return -EINVAL;
	}
	return 0;
}

static int sweep_load(const char *path, struct sweep *sw, char *msg, size_t msglen)
{
	json_error_t jerr;
	const char *key, *slash;
	json_t *v;
	char stem[PATH_MAX];
	int err = 0;

	memset(sw, 0, sizeof(*sw));
	sw->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!sw->root) {
		snprintf(msg, msglen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	/* relative paths resolve against the spec's absolute directory, so that a point's
	 * results (which record the trace's path) do not depend on the caller's cwd */
	if (realpath(path, stem) && strrchr(stem, '/'))
		*strrchr(stem, '/') = 0;
	else
		snprintf(stem, sizeof(stem), ".");
	snprintf(sw->dir, sizeof(sw->dir), "%s", stem[0] ? stem : "/");
	slash = strrchr(path, '/');
	snprintf(stem, sizeof(stem), "%s", slash ? slash + 1 : path);
	if (strrchr(stem, '.'))
		*strrchr(stem, '.') = 0;
	if (snprintf(sw->out, sizeof(sw->out), "%s-results", stem) >= (int)sizeof(sw->out))
		sw->out[0] = 0;
	json_object_foreach(sw->root, key, v)
	{
		if (!strcmp(key, "traces")) {
			err = want_strings(v, key, msg, msglen);
			sw->traces = v;
		} else if (!strcmp(key, "profiles")) {
			err = want_strings(v, key, msg, msglen);
			sw->profiles = v;
		} else if (!strcmp(key, "policies")) {
			err = want_strings(v, key, msg, msglen);
			sw->policies = v;
		} else if (!strcmp(key, "seeds")) {
			size_t i;
			json_t *it;

			if (!json_is_array(v) || !json_array_size(v) ||
			    json_array_size(v) > SWEEP_MAX_AXIS)
				err = -EINVAL;
			json_array_foreach(v, i, it) if (!json_is_integer(it) ||
							 json_integer_value(it) < 0) err = -EINVAL;
			if (err)
				snprintf(msg, msglen,
					 "\"seeds\": expected a list of integers >= 0");
			sw->seeds = v;
		} else if (!strcmp(key, "arch") || !strcmp(key, "config") || !strcmp(key, "out")) {
			if (!json_is_string(v)) {
				snprintf(msg, msglen, "\"%s\": expected a string", key);
				err = -EINVAL;
			} else if (!strcmp(key, "arch")) {
				sw->arch = json_string_value(v);
			} else if (!strcmp(key, "config")) {
				sw->config = json_string_value(v);
			} else {
				snprintf(stem, sizeof(stem), "%s", json_string_value(v));
			}
			if (!strcmp(key, "out") && !err)
				snprintf(sw->out, sizeof(sw->out), "%s", stem);
		} else if (!strcmp(key, "sample_every")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0) {
				snprintf(msg, msglen, "\"sample_every\": expected an integer >= 0");
				err = -EINVAL;
			}
			sw->sample_every = (uint64_t)json_integer_value(v);
		} else if (!strcmp(key, "timing")) {
			if (!json_is_boolean(v)) {
				snprintf(msg, msglen, "\"timing\": expected true or false");
				err = -EINVAL;
			}
			sw->timing = json_is_true(v);
		} else {
			snprintf(msg, msglen, "unknown key \"%s\"", key);
			err = -EINVAL;
		}
		if (err)
			break;
	}
	if (!err && !sw->traces) {
		snprintf(msg, msglen, "\"traces\" is required");
		err = -EINVAL;
	}
	if (err) {
		char m2[600];

		snprintf(m2, sizeof(m2), "%s: %s", path, msg);
		snprintf(msg, msglen, "%s", m2);
		json_decref(sw->root);
		sw->root = NULL;
		return err;
	}
	resolve(sw, sw->out, stem, sizeof(stem));
	snprintf(sw->out, sizeof(sw->out), "%s", stem);
	sw->nt = axis(sw->traces);
	sw->np = axis(sw->profiles);
	sw->nq = axis(sw->policies);
	sw->ns = axis(sw->seeds);
	return 0;
}

static unsigned int sweep_points(const struct sweep *sw)
{
	return sw->nt * sw->np * sw->nq * sw->ns;
}

/* Point idx as a run; bufs hold the strings the run points to. */
struct sweep_point {
	struct cmp_run run;
	char trace[PATH_MAX], config[PATH_MAX], json[PATH_MAX + 32], name[300];
	json_t *extra;
};

static void sweep_point(const struct sweep *sw, unsigned int idx, const char *out,
			struct sweep_point *pt)
{
	unsigned int s = idx % sw->ns, q = idx / sw->ns % sw->nq;
	unsigned int p = idx / sw->ns / sw->nq % sw->np, t = idx / sw->ns / sw->nq / sw->np;
	const char *tr = json_string_value(json_array_get(sw->traces, t)), *at;
	char seed[32] = "", raw[PATH_MAX];
	struct cmp_run *r = &pt->run;

	memset(r, 0, sizeof(*r));
	if (sw->seeds) {
		r->seed = (uint64_t)json_integer_value(json_array_get(sw->seeds, s));
		r->have_seed = true;
		snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
	}
	/* {seed} in a trace name: one pre-generated trace per seed */
	at = strstr(tr, "{seed}");
	if (at)
		snprintf(raw, sizeof(raw), "%.*s%s%s", (int)(at - tr), tr, seed[0] ? seed : "1",
			 at + 6);
	else
		snprintf(raw, sizeof(raw), "%s", tr);
	resolve(sw, raw, pt->trace, sizeof(pt->trace));
	r->trace = pt->trace;
	if (sw->config) {
		resolve(sw, sw->config, pt->config, sizeof(pt->config));
		r->config = pt->config;
	}
	r->arch = sw->arch;
	r->profile = sw->profiles ? json_string_value(json_array_get(sw->profiles, p)) : NULL;
	r->policies = sw->policies ? json_string_value(json_array_get(sw->policies, q)) : NULL;
	r->sample_every = sw->sample_every;
	r->timing = sw->timing;
	snprintf(pt->json, sizeof(pt->json), "%s/point-%05u.json", out, idx);
	r->json_out = pt->json;
	snprintf(pt->name, sizeof(pt->name), "%s%s%s%s%s", r->profile ? r->profile : "",
		 r->profile ? " " : "", r->policies ? r->policies : "", seed[0] ? " seed " : "",
		 seed);
	r->name = pt->name;
	pt->extra = json_pack("{s:I}", "sweep_index", (json_int_t)idx);
	r->extra_inputs = pt->extra;
}

static void shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void sweep_help(FILE *f)
{
	fprintf(
	    f,
	    "usage: zsfrag sweep expand SPEC.json [--count]\n"
	    "       zsfrag sweep run SPEC.json [--index N] [--out DIR] [--skip-existing]\n"
	    "       zsfrag sweep merge DIR [--spec SPEC.json] [-o FILE]\n\n"
	    "A sweep is every combination trace x profile x policy list x seed of SPEC.json\n"
	    "(see the head of cli/cli_sweep.c or README: Sweeps).\n\n"
	    "  expand   print one command line per point, to feed GNU parallel; --count prints\n"
	    "           the number of points (for a Slurm --array=0-(N-1))\n"
	    "  run      run point N (default $SLURM_ARRAY_TASK_ID), writing DIR/point-NNNNN.json\n"
	    "           atomically (DIR: the spec's \"out\", or --out); --skip-existing leaves a\n"
	    "           point already written alone (for resubmitted jobs)\n"
	    "  merge    gather DIR/point-*.json into one JSON document of the comparison's\n"
	    "           numbers, ordered by point (stdout, or -o FILE written atomically);\n"
	    "           with --spec, a missing point is an error\n");
}

static int sweep_expand(int argc, char **argv)
{
	struct sweep sw;
	char msg[700], exe[PATH_MAX], spec[PATH_MAX];
	ssize_t n;
	bool count = argc > 2 && !strcmp(argv[2], "--count");

	if (argc != 2 && !(argc == 3 && count))
		return cli_usage_error("sweep", "usage: sweep expand SPEC.json [--count]");
	if (sweep_load(argv[1], &sw, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag sweep: %s\n", msg);
		return EX_DATAERR;
	}
	if (count) {
		printf("%u\n", sweep_points(&sw));
		json_decref(sw.root);
		return EX_OK;
	}
	/* absolute paths: the lines may run anywhere on a shared file system */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	if (n <= 0)
		snprintf(exe, sizeof(exe), "zsfrag");
	if (!realpath(argv[1], spec))
		snprintf(spec, sizeof(spec), "%s", argv[1]);
	for (unsigned int i = 0; i < sweep_points(&sw); i++) {
		shell_quote(stdout, exe);
		fputs(" sweep run ", stdout);
		shell_quote(stdout, spec);
		printf(" --index %u\n", i);
	}
	json_decref(sw.root);
	return EX_OK;
}

static int sweep_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"index", required_argument, NULL, 'i'},
	    {"out", required_argument, NULL, 'o'},
	    {"skip-existing", no_argument, NULL, 'k'},
	    {NULL, 0, NULL, 0},
	};
	const char *idx_s = getenv("SLURM_ARRAY_TASK_ID"), *out = NULL;
	bool skip = false;
	unsigned long long idx;
	struct sweep_point *pt;
	struct sweep sw;
	char msg[700];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:", opts, NULL)) != -1) {
		if (c == 'i')
			idx_s = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'k')
			skip = true;
		else
			return cli_usage_error("sweep", "bad option");
	}
	if (optind + 1 != argc)
		return cli_usage_error("sweep",
				       "usage: sweep run SPEC.json [--index N] [--out DIR] "
				       "[--skip-existing]");
	if (!idx_s)
		return cli_usage_error("sweep", "no --index and no $SLURM_ARRAY_TASK_ID");
	if (sweep_load(argv[optind], &sw, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag sweep: %s\n", msg);
		return EX_DATAERR;
	}
	if (cli_parse_u64(idx_s, UINT32_MAX, &idx) || idx >= sweep_points(&sw)) {
		json_decref(sw.root);
		return cli_usage_error("sweep", "index '%s' is not in 0..%u", idx_s,
				       sweep_points(&sw) - 1);
	}
	if (!out)
		out = sw.out;
	if (mkdir(out, 0777) && errno != EEXIST) {
		fprintf(stderr, "zsfrag sweep: cannot create %s: %s\n", out, strerror(errno));
		json_decref(sw.root);
		return EX_CANTCREAT;
	}
	pt = calloc(1, sizeof(*pt));
	if (!pt) {
		json_decref(sw.root);
		return EX_OSERR;
	}
	sweep_point(&sw, (unsigned int)idx, out, pt);
	/* a finished point is a complete file (written by rename), so its presence is enough */
	if (skip && access(pt->json, F_OK) == 0)
		rc = EX_OK;
	else
		rc = cmp_run_one(&pt->run, NULL, msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "zsfrag sweep: point %llu (%s): %s\n", idx, pt->name, msg);
	json_decref(pt->extra);
	free(pt);
	json_decref(sw.root);
	return rc;
}

static json_t *num_or_null(double v)
{
	return v != v ? json_null() : json_real(v);
}

static int sweep_merge(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"spec", required_argument, NULL, 's'},
	    {"out", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	const char *spec = NULL, *out = NULL;
	json_t *doc = json_object(), *points = json_array();
	char **paths = NULL, msg[700];
	unsigned int np = 0, expect = 0, got = 0, missing = 0;
	long last = -1;
	int c, rc = EX_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:o:", opts, NULL)) != -1) {
		if (c == 's')
			spec = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return cli_usage_error("sweep", "bad option");
	}
	if (optind + 1 != argc)
		return cli_usage_error("sweep", "usage: sweep merge DIR [--spec SPEC] [-o FILE]");
	if (spec) {
		struct sweep sw;

		if (sweep_load(spec, &sw, msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag sweep: %s\n", msg);
			return EX_DATAERR;
		}
		expect = sweep_points(&sw);
		json_decref(sw.root);
	}
	if (plot_list_results(argv[optind], &paths, &np)) {
		fprintf(stderr, "zsfrag sweep: cannot read %s: %s\n", argv[optind],
			strerror(errno));
		return EX_NOINPUT;
	}
	/* point-NNNNN.json sort by index; a gap is a point that did not finish */
	for (unsigned int i = 0; i < np; i++) {
		const char *b = strrchr(paths[i], '/');
		unsigned int idx;
		struct cmp_metrics m;
		json_t *pm, *met;

		b = b ? b + 1 : paths[i];
		if (sscanf(b, "point-%u.json", &idx) != 1)
			continue;
		if (cmp_metrics_load(paths[i], &m, msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag sweep: %s\n", msg);
			rc = EX_DATAERR;
			continue;
		}
		for (long k = last + 1; k < (long)idx; k++, missing++)
			fprintf(stderr, "zsfrag sweep: point %ld is missing\n", k);
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
	for (long k = last + 1; k < (long)expect; k++, missing++)
		fprintf(stderr, "zsfrag sweep: point %ld is missing\n", k);
	for (unsigned int i = 0; i < np; i++)
		free(paths[i]);
	free(paths);
	json_object_set_new(doc, "points_merged", json_integer(got));
	json_object_set_new(doc, "points", points);
	if (out) {
		char tmp[PATH_MAX + 8];

		snprintf(tmp, sizeof(tmp), "%s.tmp", out);
		if (json_dump_file(doc, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) ||
		    rename(tmp, out)) {
			fprintf(stderr, "zsfrag sweep: cannot write %s\n", out);
			remove(tmp);
			rc = EX_CANTCREAT;
		}
	} else {
		json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	}
	json_decref(doc);
	if (missing && rc == EX_OK)
		rc = EX_DATAERR;
	return rc;
}

int cli_sweep(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		sweep_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE : EX_OK;
	}
	if (!strcmp(argv[1], "expand"))
		return sweep_expand(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return sweep_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "merge"))
		return sweep_merge(argc - 1, argv + 1);
	return cli_usage_error("sweep", "unknown action '%s' (expand, run, merge)", argv[1]);
}
