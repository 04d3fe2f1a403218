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
 *     "policies": ["none", "manual+migration"],   optional; one set per point
 *     "seeds": [1, 2],                            optional (payload seed)
 *     "arch": "arm32", "config": "machine.json",  optional
 *     "sample_every": 0, "timing": false,         optional (timing off: results
 *                                                 are byte-identical on rerun)
 *     "out": "results" }                          default SPEC's name + "-results"
 * Points are numbered trace-major: index = ((t * P + p) * Q + q) * S + s,
 * at most SWEEP_MAX_POINTS of them. Point N's results go to
 * OUT/point-NNNNN.json (printf "%05u", nothing else is a point's name),
 * written to a temporary file and renamed (outfile.h), so a killed job
 * never leaves a half-written result and `merge` never reads one.
 *
 * A point records which sweep it belongs to: inputs.sweep_spec, a hash of
 * the spec (FNV-1a 64 of its keys sorted, without "out"), and
 * inputs.sweep_point, its trace (as the spec names it), profile, policies
 * and seed. `merge` and `run --skip-existing` compare both with the spec,
 * so points left from an edited spec are re-run or refused, never merged.
 *
 * Names from the spec end up in command lines (`expand`): control
 * characters in them are refused, and each argument is quoted for the
 * shell; `expand --null` ends records with NUL for `parallel -0`.
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

/* Names go into command lines: no control characters (a newline would split a line). */
static int want_name(const char *s, const char *key, char *msg, size_t msglen)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(msg, msglen,
				 "\"%s\": a control character (byte 0x%02x at offset %zu) in a "
				 "name; names go into command lines",
				 key, *p, (size_t)(p - (const unsigned char *)s));
			return -EINVAL;
		}
	}
	return 0;
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
	json_array_foreach(v, i, it)
	{
		if (!json_is_string(it)) {
			snprintf(msg, msglen, "\"%s\": expected strings", key);
			return -EINVAL;
		}
		if (want_name(json_string_value(it), key, msg, msglen))
			return -EINVAL;
	}
	return 0;
}

/* FNV-1a 64 of the spec with its keys sorted and without "out" (where results go). */
static void spec_hash(json_t *root, char *hex, size_t len)
{
	json_t *copy = json_deep_copy(root);
	char *text;
	uint64_t h = 0xcbf29ce484222325ULL;

	json_object_del(copy, "out");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	for (const char *p = text ? text : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	snprintf(hex, len, "%016llx", (unsigned long long)h);
	free(text);
	json_decref(copy);
}

/*
 * One point's policies combine with '+', as in compare --policies, where ','
 * separates variants: "manual,migration" would be two runs there, so it is
 * refused here rather than read as one.
 */
static int want_plus(json_t *v, char *msg, size_t msglen)
{
	size_t i;
	json_t *it;

	json_array_foreach(v, i, it)
	{
		const char *q = json_string_value(it);

		if (strchr(q, ',')) {
			snprintf(msg, msglen,
				 "\"policies\": item %zu: combine one point's policies with '+' "
				 "(as compare --policies does); separate points are separate items",
				 i);
			return -EINVAL;
		}
	}
	return 0;
}

/* "seeds": 1 to SWEEP_MAX_AXIS integers >= 0. */
static int want_seeds(json_t *v, char *msg, size_t msglen)
{
	size_t i;
	json_t *it;
	int err = 0;

	if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > SWEEP_MAX_AXIS)
		err = -EINVAL;
	json_array_foreach(v, i, it)
	{
		if (!json_is_integer(it) || json_integer_value(it) < 0)
			err = -EINVAL;
	}
	if (err)
		snprintf(msg, msglen, "\"seeds\": expected a list of integers >= 0");
	return err;
}

/* "arch", "config", "out": a string without control characters. */
static int sweep_string_key(struct sweep *sw, const char *key, json_t *v, char *msg, size_t msglen)
{
	if (!json_is_string(v)) {
		snprintf(msg, msglen, "\"%s\": expected a string", key);
		return -EINVAL;
	}
	if (want_name(json_string_value(v), key, msg, msglen))
		return -EINVAL;
	if (!strcmp(key, "arch"))
		sw->arch = json_string_value(v);
	else if (!strcmp(key, "config"))
		sw->config = json_string_value(v);
	else
		snprintf(sw->out, sizeof(sw->out), "%s", json_string_value(v));
	return 0;
}

/* One key of the spec into sw; 0, or -EINVAL with msg. */
static int sweep_key(struct sweep *sw, const char *key, json_t *v, char *msg, size_t msglen)
{
	int err = 0;

	if (!strcmp(key, "traces")) {
		err = want_strings(v, key, msg, msglen);
		sw->traces = v;
	} else if (!strcmp(key, "profiles")) {
		err = want_strings(v, key, msg, msglen);
		sw->profiles = v;
	} else if (!strcmp(key, "policies")) {
		err = want_strings(v, key, msg, msglen);
		sw->policies = v;
		if (!err)
			err = want_plus(v, msg, msglen);
	} else if (!strcmp(key, "seeds")) {
		err = want_seeds(v, msg, msglen);
		sw->seeds = v;
	} else if (!strcmp(key, "arch") || !strcmp(key, "config") || !strcmp(key, "out")) {
		err = sweep_string_key(sw, key, v, msg, msglen);
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
	return err;
}

/* sw->dir, the spec's absolute directory, and the default out: NAME-results beside the cwd. */
static void sweep_default_paths(struct sweep *sw, const char *path)
{
	char stem[PATH_MAX];
	const char *slash;

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
}

/* Every key, then the whole: traces given, not too many points. */
static int sweep_keys(struct sweep *sw, char *msg, size_t msglen)
{
	const char *key;
	json_t *v;
	uint64_t points;
	int err;

	json_object_foreach(sw->root, key, v)
	{
		err = sweep_key(sw, key, v, msg, msglen);
		if (err)
			return err;
	}
	if (!sw->traces) {
		snprintf(msg, msglen, "\"traces\" is required");
		return -EINVAL;
	}
	/* each axis <= 256: the product fits in 64 bits */
	points =
	    (uint64_t)axis(sw->traces) * axis(sw->profiles) * axis(sw->policies) * axis(sw->seeds);
	if (points > SWEEP_MAX_POINTS) {
		snprintf(msg, msglen, "%llu points; a sweep has at most %u",
			 (unsigned long long)points, SWEEP_MAX_POINTS);
		return -E2BIG;
	}
	return 0;
}

int sweep_load(const char *path, struct sweep *sw, char *msg, size_t msglen)
{
	json_error_t jerr;
	char out[PATH_MAX];
	int err;

	memset(sw, 0, sizeof(*sw));
	sw->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!sw->root) {
		config_json_load_error(path, &jerr, msg, msglen);
		return -EINVAL;
	}
	sweep_default_paths(sw, path);
	err = sweep_keys(sw, msg, msglen);
	if (err) {
		char m2[600];

		snprintf(m2, sizeof(m2), "%s: %s", path, msg);
		snprintf(msg, msglen, "%s", m2);
		json_decref(sw->root);
		sw->root = NULL;
		return err;
	}
	resolve(sw, sw->out, out, sizeof(out));
	snprintf(sw->out, sizeof(sw->out), "%s", out);
	sw->nt = axis(sw->traces);
	sw->np = axis(sw->profiles);
	sw->nq = axis(sw->policies);
	sw->ns = axis(sw->seeds);
	spec_hash(sw->root, sw->hash, sizeof(sw->hash));
	return 0;
}

/* At most SWEEP_MAX_POINTS (sweep_load refuses more). */
unsigned int sweep_points(const struct sweep *sw)
{
	return sw->nt * sw->np * sw->nq * sw->ns;
}

void sweep_point(const struct sweep *sw, unsigned int idx, const char *out,
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
	/* which sweep and which point: checked by merge and --skip-existing */
	pt->extra = json_pack("{s:I, s:s, s:{s:s, s:o, s:o, s:o}}", "sweep_index", (json_int_t)idx,
			      "sweep_spec", sw->hash, "sweep_point", "trace", raw, "profile",
			      r->profile ? json_string(r->profile) : json_null(), "policies",
			      r->policies ? json_string(r->policies) : json_null(), "seed",
			      r->have_seed ? json_integer((json_int_t)r->seed) : json_null());
	r->extra_inputs = pt->extra;
}

/*
 * Does the results document root belong to point idx of sw? 0, or -ESTALE
 * with msg saying what differs.
 */
int sweep_point_check(const struct sweep *sw, json_t *root, unsigned int idx, char *msg,
		       size_t msglen)
{
	json_t *in = json_object_get(root, "inputs");
	const char *h = json_string_value(json_object_get(in, "sweep_spec"));
	json_t *got = json_object_get(in, "sweep_point"), *want;
	struct sweep_point *pt;
	int rc = 0;

	if (!h || strcmp(h, sw->hash)) {
		snprintf(msg, msglen, "made by %s spec (sweep_spec %s, the spec's is %s)",
			 h ? "another" : "no", h ? h : "absent", sw->hash);
		return -ESTALE;
	}
	pt = calloc(1, sizeof(*pt));
	if (!pt) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	sweep_point(sw, idx, ".", pt);
	want = json_object_get(pt->extra, "sweep_point");
	if (!json_equal(got, want) ||
	    json_integer_value(json_object_get(in, "sweep_index")) != (json_int_t)idx) {
		snprintf(msg, msglen, "its parameters are not point %u's (%s)", idx, pt->name);
		rc = -ESTALE;
	}
	json_decref(pt->extra);
	free(pt);
	return rc;
}

/*
 * Every profile x policy set of the spec against what the profile's kernel
 * has (cmp_run_config, as replay and compare check), so that expand refuses
 * a sweep with an inert point before a cluster runs any of it.
 */
static int sweep_check_variants(const struct sweep *sw, char *msg, size_t msglen)
{
	struct sweep_point *pt = calloc(1, sizeof(*pt));
	int rc = EX_OK;

	if (!pt)
		return EX_OSERR;
	for (unsigned int p = 0; p < sw->np && !rc; p++) {
		for (unsigned int q = 0; q < sw->nq && !rc; q++) {
			struct sim_config cfg;
			char why[600];

			/* trace 0, seed 0: the point of profile p and policy set q */
			sweep_point(sw, (p * sw->nq + q) * sw->ns, ".", pt);
			rc = cmp_run_config(&pt->run, &cfg, why, sizeof(why));
			if (rc)
				snprintf(msg, msglen, "point %u (%s): %s",
					 (p * sw->nq + q) * sw->ns, pt->name, why);
			json_decref(pt->extra);
		}
	}
	free(pt);
	return rc;
}

/* One argument for a POSIX shell: in single quotes, ' as '\''. */
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
	    "usage: zsfrag sweep expand SPEC.json [--count | --null]\n"
	    "       zsfrag sweep run SPEC.json [--index N] [--out DIR] [--skip-existing]\n"
	    "       zsfrag sweep merge DIR [--spec SPEC.json] [-o FILE]\n\n"
	    "A sweep is every combination trace x profile x policy list x seed of SPEC.json\n"
	    "(see the head of cli/cli_sweep.c or README: Sweeps), at most %u points.\n\n"
	    "  expand   print one command line per point, each argument quoted for the shell,\n"
	    "           to feed GNU parallel; --null ends each with a NUL byte instead of a\n"
	    "           newline (parallel -0); --count prints the number of points (for a\n"
	    "           Slurm --array=0-(N-1)). Names with control characters are refused.\n"
	    "  run      run point N (default $SLURM_ARRAY_TASK_ID), writing DIR/point-NNNNN.json\n"
	    "           atomically (DIR: the spec's \"out\", or --out); --skip-existing leaves a\n"
	    "           point already written alone when it is this spec's (for resubmitted\n"
	    "           jobs), and runs a stale one (from an edited spec) again\n"
	    "  merge    gather DIR/point-NNNNN.json into one JSON document of the comparison's\n"
	    "           numbers, ordered by point (stdout, or -o FILE written atomically);\n"
	    "           with --spec, a missing point, a point of another spec and a point\n"
	    "           beyond the spec's count are errors; without, points of different\n"
	    "           specs are; at most %u missing points are named, then their count\n",
	    SWEEP_MAX_POINTS, SWEEP_MISSING_SHOWN);
}

void sweep_help_opts(FILE *f, const struct cli_opt *opts)
{
	(void)opts;
	sweep_help(f);
}

static int sweep_expand(int argc, char **argv)
{
	struct sweep sw;
	char msg[1024], exe[PATH_MAX], spec[PATH_MAX]; /* msg: a point name (300) and a reason (600) */
	ssize_t n;
	bool count = false, nul = false;
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "count", .kind = CLI_OPT_SET, .dst = &count},
	    {.name = "null", .short_name = '0', .kind = CLI_OPT_SET, .dst = &nul},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	const char *path;
	int rc = cli_opt_parse("sweep", opts, argc, argv, sweep_help_opts);

	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (optind + 1 != argc || (count && nul))
		return cli_usage_error("sweep", "usage: sweep expand SPEC.json [--count | --null]");
	path = argv[optind];
	if (sweep_load(path, &sw, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag sweep: %s\n", msg);
		return EX_DATAERR;
	}
	rc = sweep_check_variants(&sw, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "zsfrag sweep: %s\n", msg);
		json_decref(sw.root);
		return rc;
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
	if (!realpath(path, spec))
		snprintf(spec, sizeof(spec), "%s", path);
	if (want_name(spec, "the spec's path", msg, sizeof(msg)) ||
	    want_name(exe, "zsfrag's path", msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag sweep: %s\n", msg);
		json_decref(sw.root);
		return EX_DATAERR;
	}
	for (unsigned int i = 0; i < sweep_points(&sw); i++) {
		shell_quote(stdout, exe);
		fputs(" sweep run ", stdout);
		shell_quote(stdout, spec);
		printf(" --index %u", i);
		fputc(nul ? '\0' : '\n', stdout);
	}
	json_decref(sw.root);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "zsfrag sweep: cannot write to stdout\n");
		return EX_IOERR;
	}
	return EX_OK;
}

/* --skip-existing: is pt's results file there and this spec's? Says why not on stderr. */
static bool point_done(const struct sweep *sw, unsigned int idx, const struct sweep_point *pt)
{
	json_error_t jerr;
	json_t *root;
	char msg[600];
	bool ok;

	if (access(pt->json, F_OK))
		return false;
	root = json_load_file(pt->json, 0, &jerr);
	if (!root) {
		fprintf(stderr, "zsfrag sweep: %s:%d: %s: running point %u again\n", pt->json,
			jerr.line, jerr.text, idx);
		return false;
	}
	ok = sweep_point_check(sw, root, idx, msg, sizeof(msg)) == 0;
	if (!ok)
		fprintf(stderr, "zsfrag sweep: %s is stale (%s): running point %u again\n",
			pt->json, msg, idx);
	json_decref(root);
	return ok;
}

static int sweep_run(int argc, char **argv)
{
	const char *idx_s = getenv("SLURM_ARRAY_TASK_ID"), *out = NULL;
	bool skip = false;
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "index", .short_name = 'i', .arg = "N", .kind = CLI_OPT_STRING, .dst = &idx_s},
	    {.name = "out", .short_name = 'o', .arg = "DIR", .kind = CLI_OPT_STRING, .dst = &out},
	    {.name = "skip-existing", .kind = CLI_OPT_SET, .dst = &skip},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	unsigned long long idx;
	struct sweep_point *pt;
	struct sweep sw;
	char msg[700];
	int rc = cli_opt_parse("sweep", opts, argc, argv, sweep_help_opts);

	if (rc)
		return rc < 0 ? EX_OK : rc;
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
	if (outfile_check_inputs(pt->json, (const char *[]){pt->run.trace, pt->run.config}, 2, msg,
				 sizeof(msg)))
		rc = EX_USAGE; /* a trace or config named like a point's results */
	else if (skip && point_done(&sw, (unsigned int)idx, pt))
		rc = EX_OK; /* a finished point is a complete file (written by rename) */
	else
		rc = cmp_run_one(&pt->run, NULL, msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "zsfrag sweep: point %llu (%s): %s\n", idx, pt->name, msg);
	json_decref(pt->extra);
	free(pt);
	json_decref(sw.root);
	return rc;
}

static const struct cli_command sweep_commands[] = {
    {"expand", "one command line per point", sweep_expand},
    {"run", "run one point", sweep_run},
    {"merge", "gather the points' results", sweep_merge},
};

static const struct cli_hub sweep_hub = {
    .prog = "zsfrag sweep",
    .what = "ACTION",
    .cmds = sweep_commands,
    .n = sizeof(sweep_commands) / sizeof(sweep_commands[0]),
    .help = sweep_help,
};

int cli_sweep(int argc, char **argv)
{
	return cli_dispatch(&sweep_hub, argc, argv);
}
