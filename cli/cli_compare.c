/*
 * cli_compare.c - `zsfrag compare TRACE... --policies A,B | --profiles P,Q`:
 * replay each trace once per variant, in parallel child processes (up to
 * the online CPUs), write each run's results JSON into the output
 * directory, print the side-by-side table, and optionally draw the figures
 * and write the HTML report.
 *
 * Variants: the product of --profiles and --policies. Within --policies a
 * comma separates variants and '+' combines policies into one variant
 * ("none,manual,manual+migration" is three runs).
 *
 * With --seeds, a trace named NAME-{seed}.trace stands for one per seed:
 * the runs of a variant on them are replicates, and the table becomes each
 * metric's mean and 95% interval per variant, with paired tests between
 * the variants (cli_compare_stats.c). The replays run in cli_compare_run.c.
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opt.h"
#include "cli_compare.h"
#include "config.h"
#include "cli_proc.h"
#include "cli_util.h"
#include "outfile.h"
#include "replay_job.h"

/* --- the subcommand --- */

static void compare_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(
	    f,
	    "usage: zsfrag compare TRACE... [--profiles P,Q,...] [--policies A,B,...] [OPTIONS]\n"
	    "       zsfrag compare TRACE... --variants PROFILE:POLICIES,... [OPTIONS]\n"
	    "       zsfrag compare NAME-{seed}.trace... --seeds 1-10 [OPTIONS]\n"
	    "       zsfrag compare --from DIR [--reference VARIANT]\n\n"
	    "Replay each trace once per variant (the product of --profiles and --policies) in\n"
	    "parallel processes, write each run's results JSON into DIR and print the runs\n"
	    "side by side. In --policies, ',' separates variants and '+' combines policies in\n"
	    "one variant: --policies none,manual,manual+migration is three runs.\n"
	    "Run results: DIR/NAME[-PROFILE][-POLICIES].json, NAME the trace's file name\n"
	    "without its extension, or NAME-N (N the trace's position, from 1) when two\n"
	    "traces share a NAME (d1/t.trace d2/t.trace: t-1, t-2); two runs that would\n"
	    "still share a file are refused.\n\n");
	cli_opt_help(f, opts);
	fprintf(f, "\nExit: 0, or the first failing replay's code (see zsfrag replay --help).\n");
}

struct compare_opts {
	const char *profiles, *policies, *variants, *arch, *config, *out, *report;
	const char *baseline, *metric; /* --baseline: results to compare against */
	const char *seeds;	       /* --seeds LIST: {seed} in trace names */
	const char *reference;	       /* the variant the others are tested against */
	const char *from;	       /* --from DIR: no replays, the results there */
	double threshold;
	uint64_t jobs, seed, sample_every;
	bool have_seed, timing, figures, quiet;
};

static int split(char *s, char sep, char **parts, unsigned int max)
{
	unsigned int n = 0;

	for (char *p = s; p && *p;) {
		char *e = strchr(p, sep);

		if (e)
			*e = 0;
		if (n == max)
			return -1;
		parts[n++] = p;
		p = e ? e + 1 : NULL;
	}
	return (int)n;
}

/* "demo.trace" -> "demo" */
static void trace_stem(const char *trace, char *buf, size_t len)
{
	const char *b = strrchr(trace, '/');
	char *dot;

	snprintf(buf, len, "%s", b ? b + 1 : trace);
	dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = 0;
}

struct compare_state {
	/* the traces after --seeds: each {seed} trace once per seed */
	char *trace[CMP_MAX_RUNS];
	char workload[CMP_MAX_RUNS][128]; /* the stem of the name with {seed} in it, or "" */
	unsigned long long trace_seed[CMP_MAX_RUNS];
	int ntraces;
	json_t *extra[CMP_MAX_RUNS]; /* each run's inputs.variant_order, workload, replicate */
	struct cmp_run runs[CMP_MAX_RUNS];
	char names[CMP_MAX_RUNS][160];
	char paths[CMP_MAX_RUNS][1024];
	char pol[CMP_MAX_RUNS][128];
	char prof[CMP_MAX_RUNS][32];
	struct cmp_metrics m[CMP_MAX_RUNS];
	unsigned int n;
};

/* "1-10", "1,3,7-9" into seeds[]; the count, or -1 */
static int parse_seeds(const char *list, unsigned long long *seeds, int max)
{
	char buf[512], *parts[CMP_MAX_RUNS];
	int np, n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	np = split(buf, ',', parts, CMP_MAX_RUNS);
	for (int i = 0; i < np; i++) {
		char *dash = strchr(parts[i], '-');
		unsigned long long a, b;

		if (dash)
			*dash = 0;
		if (cli_parse_u64(parts[i], UINT64_MAX >> 1, &a) ||
		    cli_parse_u64(dash ? dash + 1 : parts[i], UINT64_MAX >> 1, &b) || b < a)
			return -1;
		for (unsigned long long v = a; v <= b; v++) {
			if (n == max)
				return -1;
			seeds[n++] = v;
		}
	}
	return np > 0 ? n : -1;
}

/* The traces, each with {seed} once per seed of --seeds (NAME-{seed}.trace -> NAME-1.trace..) */
static int expand_traces(struct compare_state *st, const struct compare_opts *o, char **traces,
			 int ntraces)
{
	unsigned long long seeds[CMP_MAX_RUNS];
	int ns = 0;

	if (o->seeds) {
		ns = parse_seeds(o->seeds, seeds, CMP_MAX_RUNS);
		if (ns <= 0)
			return cli_usage_error("compare", "bad --seeds '%s' (e.g. 1-10 or 1,2,5)",
					       o->seeds);
	}
	for (int t = 0; t < ntraces; t++) {
		const char *at = strstr(traces[t], "{seed}");
		int copies = at ? ns : 1;

		if (!at && o->seeds)
			return cli_usage_error("compare", "--seeds: trace %s has no {seed} in its "
							  "name (NAME-{seed}.trace)",
					       traces[t]);
		if (at && !o->seeds)
			return cli_usage_error("compare", "trace %s has {seed} in its name: give "
							  "--seeds",
					       traces[t]);
		for (int k = 0; k < copies; k++) {
			int i = st->ntraces;
			size_t len = strlen(traces[t]) + 24;

			if (i == CMP_MAX_RUNS)
				return cli_usage_error("compare", "at most %d traces", CMP_MAX_RUNS);
			st->trace[i] = malloc(len);
			if (!st->trace[i])
				return EX_OSERR;
			if (at) {
				snprintf(st->trace[i], len, "%.*s%llu%s", (int)(at - traces[t]),
					 traces[t], seeds[k], at + 6);
				trace_stem(traces[t], st->workload[i], sizeof(st->workload[i]));
				st->trace_seed[i] = seeds[k];
			} else {
				snprintf(st->trace[i], len, "%s", traces[t]);
			}
			st->ntraces++;
		}
	}
	return 0;
}

/* What the statistics group and pair the run by, in its results' inputs. */
static json_t *run_inputs(const struct compare_state *st, int t, int v)
{
	json_t *in = json_object();

	json_object_set_new(in, "variant_order", json_integer(v));
	if (st->workload[t][0]) {
		json_object_set_new(in, "workload", json_string(st->workload[t]));
		json_object_set_new(in, "replicate", json_integer((json_int_t)st->trace_seed[t]));
	}
	return in;
}

/* The variants: each one's profile and policies (NULL: the default), pointing into bufs. */
struct variants {
	char profs_buf[512], pols_buf[1024], var_buf[2048];
	char *profs[16], *pols[16], *vars[CMP_MAX_RUNS];
	char *vp[CMP_MAX_RUNS], *vq[CMP_MAX_RUNS];
	int nv;
};

/* --variants PROFILE:POLICIES items; a profile or policies alone takes the default of the other. */
static int parse_variant_list(const struct compare_opts *o, struct variants *vs)
{
	if (o->profiles || o->policies)
		return cli_usage_error("compare", "--variants replaces --profiles and --policies");
	snprintf(vs->var_buf, sizeof(vs->var_buf), "%s", o->variants);
	vs->nv = split(vs->var_buf, ',', vs->vars, CMP_MAX_RUNS);
	if (vs->nv <= 0)
		return cli_usage_error("compare", "empty or too long --variants");
	for (int v = 0; v < vs->nv; v++) {
		char *colon = strchr(vs->vars[v], ':');

		if (colon) {
			*colon = 0;
			vs->vp[v] = *vs->vars[v] ? vs->vars[v] : NULL;
			vs->vq[v] = colon[1] ? colon + 1 : NULL;
		} else if (!zs_profile_lookup(vs->vars[v], NULL)) {
			vs->vp[v] = vs->vars[v];
			vs->vq[v] = NULL;
		} else {
			vs->vp[v] = NULL;
			vs->vq[v] = vs->vars[v];
		}
	}
	return 0;
}

/* The variants: --variants, or the product of --profiles and --policies. 0 or EX_USAGE. */
static int parse_variants(const struct compare_opts *o, struct variants *vs)
{
	int np = 1, nq = 1;

	vs->nv = 0;
	vs->profs[0] = vs->pols[0] = NULL;
	if (o->profiles) {
		snprintf(vs->profs_buf, sizeof(vs->profs_buf), "%s", o->profiles);
		np = split(vs->profs_buf, ',', vs->profs, 16);
	}
	if (o->policies) {
		snprintf(vs->pols_buf, sizeof(vs->pols_buf), "%s", o->policies);
		nq = split(vs->pols_buf, ',', vs->pols, 16);
	}
	if (np <= 0 || nq <= 0)
		return cli_usage_error("compare", "empty or too long --profiles / --policies");
	if (o->variants)
		return parse_variant_list(o, vs);
	for (int p = 0; p < np; p++)
		for (int q = 0; q < nq; q++) {
			vs->vp[vs->nv] = vs->profs[p];
			vs->vq[vs->nv++] = vs->pols[q];
		}
	return 0;
}

/* NAME: the trace's file name without its extension; -N (its position among the traces,
 * from 1) when another trace has the same NAME (d1/t.trace, d2/t.trace) */
static void run_stem(char *const *traces, int ntraces, int t, char *stem, size_t len)
{
	char other[128];
	bool shared = false;

	trace_stem(traces[t], stem, len);
	for (int u = 0; u < ntraces && !shared; u++) {
		trace_stem(traces[u], other, sizeof(other));
		shared = u != t && !strcmp(stem, other);
	}
	if (shared) {
		size_t l = strlen(stem);

		snprintf(stem + (l > 110 ? 110 : l), len - 110, "-%d", t + 1);
	}
}

/* Run st->n: trace t under variant v; *events counted once a trace, when needed. */
static int add_run(struct compare_state *st, const struct compare_opts *o, int t, int v,
		   const char *stem, char *prof, char *pol, uint64_t *events)
{
	unsigned int i = st->n++;
	struct cmp_run *r = &st->runs[i];

	memset(r, 0, sizeof(*r));
	r->trace = st->trace[t];
	r->config = o->config;
	r->arch = o->arch;
	if (prof) {
		snprintf(st->prof[i], sizeof(st->prof[i]), "%s", prof);
		r->profile = st->prof[i];
	}
	if (pol) {
		snprintf(st->pol[i], sizeof(st->pol[i]), "%s", pol);
		for (char *c = st->pol[i]; *c; c++)
			if (*c == '+')
				*c = ',';
		r->policies = st->pol[i];
	}
	r->seed = o->have_seed || !st->workload[t][0] ? o->seed : st->trace_seed[t];
	r->have_seed = o->have_seed || st->workload[t][0];
	st->extra[i] = run_inputs(st, t, v);
	r->extra_inputs = st->extra[i];
	r->timing = o->timing;
	r->sample_every = o->sample_every;
	if (!r->sample_every) {
		if (!*events)
			*events = cmp_count_events(r->trace);
		r->sample_every = *events / 200 ? *events / 200 : 1;
	}
	r->events = *events;
	snprintf(st->names[i], sizeof(st->names[i]), "%s%s%s", prof ? prof : "",
		 prof && pol ? " " : "", pol ? pol : "");
	if (!st->names[i][0])
		snprintf(st->names[i], sizeof(st->names[i]), "default");
	r->name = st->names[i];
	snprintf(st->paths[i], sizeof(st->paths[i]), "%s/%s%s%s%s%s.json", o->out, stem,
		 prof ? "-" : "", prof ? prof : "", pol ? "-" : "", pol ? pol : "");
	r->json_out = st->paths[i];
	for (unsigned int j = 0; j < i; j++)
		if (!strcmp(st->paths[j], st->paths[i]))
			return cli_usage_error(
			    "compare",
			    "runs %u and %u would both write %s (the same variant "
			    "twice, or a trace named like another's NAME-N)",
			    j + 1, i + 1, st->paths[i]);
	return 0;
}

static int build_runs(struct compare_state *st, const struct compare_opts *o, char **traces,
		      int ntraces)
{
	struct variants *vs = malloc(sizeof(*vs));
	int rc;

	if (!vs)
		return EX_OSERR;
	rc = parse_variants(o, vs);
	if (!rc)
		rc = expand_traces(st, o, traces, ntraces);
	if (!rc && (unsigned long)st->ntraces * (unsigned long)vs->nv > CMP_MAX_RUNS)
		rc = cli_usage_error("compare", "at most %d runs", CMP_MAX_RUNS);
	for (int t = 0; !rc && t < st->ntraces; t++) {
		char stem[128];
		uint64_t events = 0;

		run_stem(st->trace, st->ntraces, t, stem, sizeof(stem));
		for (int v = 0; !rc && v < vs->nv; v++)
			rc = add_run(st, o, t, v, stem, vs->vp[v], vs->vq[v], &events);
	}
	free(vs);
	return rc;
}

/* Run i's time series and class view; a sysexits code, msg on failure. */
static int draw_run_figures(const struct compare_state *st, unsigned int i, char *msg,
			    size_t msglen)
{
	size_t l = strlen(st->paths[i]) - 5; /* without ".json" */
	char base[1100];
	int rc;

	snprintf(base, sizeof(base), "%.*s-timeseries", (int)l, st->paths[i]);
	rc = plot_timeseries(st->paths[i], base, msg, msglen);
	if (rc)
		return rc;
	snprintf(base, sizeof(base), "%.*s-classes", (int)l, st->paths[i]);
	return plot_classes(st->paths[i], NULL, base, msg, msglen);
}

static int figures_child(void *ctx, unsigned int i)
{
	char msg[600];
	int rc = draw_run_figures(ctx, i, msg, sizeof(msg));

	if (rc)
		fprintf(stderr, "zsfrag compare: %s\n", msg);
	return rc;
}

static void figures_tick(void *ctx, const struct cli_job *jobs, unsigned int finished)
{
	const struct compare_state *st = ctx;

	(void)jobs;
	fprintf(stderr, "\r\033[K  figures: %u of %u runs", finished, st->n);
}

/* The runs' figures, in up to jobs child processes (gnuplot runs one at a time per child). */
static int draw_runs_parallel(struct compare_state *st, unsigned int jobs, bool progress)
{
	struct cli_job job[CMP_MAX_RUNS];
	int rc = cli_pool_run(st->n, jobs, job, figures_child, st, progress ? figures_tick : NULL, 0);

	if (progress)
		fputc('\n', stderr);
	return rc;
}

/* The overlay of a comparison across seeds draws the first seed's runs only (one line a
 * variant): the runs of one seed into first[], their count returned. */
static unsigned int first_seed_runs(const struct compare_state *st, struct cmp_metrics *first)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < st->n; i++)
		if (!strcmp(st->m[i].replicate, st->m[0].replicate))
			first[k++] = st->m[i];
	return k;
}

/* The comparison's bars and overlay (of the first seed's runs when there are seeds). */
static int draw_comparison(struct compare_state *st, const char *title, const char *base,
			   const char *obase, bool seeds)
{
	struct cmp_metrics *first = calloc(st->n, sizeof(*first));
	unsigned int nfirst = st->n;
	char msg[600];
	int rc;

	if (!first)
		return EX_OSERR;
	rc = plot_compare(st->m, st->n, title, base, msg, sizeof(msg));
	if (!rc) {
		if (seeds)
			nfirst = first_seed_runs(st, first);
		rc = plot_overlay(seeds ? first : st->m, nfirst, title, obase, msg, sizeof(msg));
	}
	free(first);
	if (rc)
		fprintf(stderr, "zsfrag compare: %s\n", msg);
	return rc;
}

/* The report's figures and their captions, in its order; the count. */
static unsigned int report_figures(const struct compare_state *st, const struct compare_opts *o,
				   const char *base, const char *obase, bool seeds,
				   struct report_figure *figs)
{
	unsigned int nf = 0;

	snprintf(figs[nf].svg, sizeof(figs[nf].svg), "%s.svg", base);
	snprintf(figs[nf++].caption, sizeof(figs[0].caption),
		 seeds ? "The key metrics per variant: the mean over the seeds with its 95%% "
			 "Student t interval as an error bar, labelled mean +- half-width."
		       : "The table's key metrics, one panel per unit and one row of bars per run, "
			 "each bar labelled with its value (n/a: the run has no such number).");
	snprintf(figs[nf].svg, sizeof(figs[nf].svg), "%s.svg", obase);
	snprintf(figs[nf++].caption, sizeof(figs[0].caption),
		 "The runs on one time axis: pool pages, the order-2 unusable index of the zone "
		 "page directories come from (left out where the zone is at or below its low "
		 "watermark: short of memory, not fragmented), and the share of forks that did "
		 "not get their page directory straight off the free lists.");
	for (unsigned int i = 0; i < st->n; i++) {
		int l = (int)strlen(st->paths[i]) - 5;

		snprintf(figs[nf].svg, sizeof(figs[nf].svg), "%.*s-timeseries.svg", l,
			 st->paths[i]);
		snprintf(figs[nf++].caption, sizeof(figs[0].caption),
			 "%s, %s: pool size against its ideal, free memory by order, and forks "
			 "over the replay.",
			 st->m[i].trace, st->m[i].variant);
		snprintf(figs[nf].svg, sizeof(figs[nf].svg), "%.*s-classes.svg", l, st->paths[i]);
		snprintf(figs[nf++].caption, sizeof(figs[0].caption),
			 "%s, %s: objects allocated and used per size class, and the pages "
			 "compaction could free, at the snapshot with the most waste.",
			 st->m[i].trace, st->m[i].variant);
	}
	if (o->baseline) {
		snprintf(figs[nf].svg, sizeof(figs[nf].svg), "%s/regress.svg", o->out);
		snprintf(figs[nf++].caption, sizeof(figs[0].caption),
			 "These runs against the baseline %s: the ratio new / base per metric "
			 "(geometric mean over the paired runs, bars from the smallest to the "
			 "largest ratio); red beyond the threshold in the bad direction.",
			 o->baseline);
	}
	return nf;
}

static int draw_figures(struct compare_state *st, const struct compare_opts *o, bool quiet)
{
	struct report_figure *figs;
	unsigned int nf;
	char base[1100], obase[1100], title[1000];
	bool seeds = st->m[0].replicate[0] != 0;
	int rc;

	cmp_title(st->m, st->n, title, sizeof(title));
	snprintf(base, sizeof(base), "%s/compare", o->out);
	snprintf(obase, sizeof(obase), "%s/overlay", o->out);
	rc = draw_comparison(st, title, base, obase, seeds);
	if (rc)
		return rc;
	rc = draw_runs_parallel(st, o->jobs ? (unsigned int)o->jobs : cli_nproc(),
				!quiet && isatty(STDERR_FILENO));
	if (rc || !o->report)
		return rc;
	figs = calloc(2 * CMP_MAX_RUNS + 3, sizeof(*figs));
	if (!figs)
		return EX_OSERR;
	nf = report_figures(st, o, base, obase, seeds, figs);
	rc = report_write(o->report, title, st->m, st->n, figs, nf);
	free(figs);
	if (rc) {
		fprintf(stderr, "zsfrag compare: cannot write %s: %s\n", o->report, strerror(-rc));
		return EX_CANTCREAT;
	}
	printf("report: %s\n", o->report);
	return 0;
}

/*
 * The runs' table: side by side, or, when a variant has several seeds of a workload, each
 * metric's mean and interval and the paired tests, with everything in DIR/stats.json.
 */
static int print_results(struct compare_state *st, const struct compare_opts *o, const char *dir)
{
	struct cmp_stats ss;
	char msg[600], path[1100];
	int rc = 0;

	if (cmp_stats_group(st->m, st->n, &ss))
		return EX_OSERR;
	if (cmp_stats_replicated(&ss)) {
		cmp_stats_print(stdout, st->m, &ss, o->reference);
		snprintf(path, sizeof(path), "%s/stats.json", dir);
		rc = cmp_stats_write(path, st->m, &ss, msg, sizeof(msg));
		if (rc)
			fprintf(stderr, "zsfrag compare: %s\n", msg);
		else
			printf("\nstatistics of every metric and every pair of variants: %s\n", path);
	} else {
		cmp_print_table(stdout, st->m, st->n);
	}
	cmp_stats_free(&ss);
	printf(
	    "\npages of %lu bytes; used ratio = stored bytes / pool bytes; unusable index of the "
	    "pgd zone\nover the snapshots where it is above its low watermark; results in %s/\n",
	    st->m[0].page_size, dir);
	fflush(stdout);
	return rc;
}

/* --from DIR: the results files there (other JSON, stats.json among it, left alone). */
static int load_dir(struct compare_state *st, const char *dir)
{
	char **paths, msg[600];
	unsigned int np;
	int err = plot_list_results(dir, &paths, &np), rc = 0;

	if (err) {
		fprintf(stderr, "zsfrag compare: %s: %s\n", dir, strerror(-err));
		return EX_NOINPUT;
	}
	for (unsigned int i = 0; i < np; i++) {
		if (st->n == CMP_MAX_RUNS) {
			fprintf(stderr, "zsfrag compare: %s: more than %d results files\n", dir,
				CMP_MAX_RUNS);
			rc = EX_USAGE;
		} else if (!rc && cmp_metrics_load(paths[i], &st->m[st->n], msg, sizeof(msg)) == 0) {
			st->n++;
		}
		free(paths[i]);
	}
	free(paths);
	if (!rc && !st->n) {
		fprintf(stderr, "zsfrag compare: no results files in %s\n", dir);
		rc = EX_NOINPUT;
	}
	return rc;
}

/* The traces (none with --from, and never stdin: each is read once per variant). */
static int check_operands(int argc, char **argv, const struct compare_opts *o)
{
	if (o->from) {
		if (optind < argc || o->figures || o->baseline || o->seeds)
			return cli_usage_error("compare", "--from DIR takes no traces, --figures, "
							  "--report, --baseline or --seeds (zsfrag "
							  "plot compare DIR draws its figure)");
		return 0;
	}
	if (optind >= argc)
		return cli_usage_error("compare", "no trace given");
	for (int i = optind; i < argc; i++)
		if (!strcmp(argv[i], "-"))
			return cli_usage_error("compare", "a trace is replayed several times: "
							  "give a file, not '-'");
	return 0;
}

/* --report FILE implies --figures */
static int parse_report(const char *arg, void *dst)
{
	struct compare_opts *o = dst;

	o->report = arg;
	o->figures = true;
	return 0;
}

static int parse_opts(int argc, char **argv, struct compare_opts *o)
{
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "profiles", .short_name = 'p', .arg = "LIST", .kind = CLI_OPT_STRING,
	     .dst = &o->profiles, .help = "kernel profiles to compare (default: the config's, v4.1)"},
	    {.name = "policies", .short_name = 'P', .arg = "LIST", .kind = CLI_OPT_STRING,
	     .dst = &o->policies,
	     .help = "policy variants to compare (default: the config's, else\n"
		     "manual; none on v3.18). A policy a profile's kernel does\n"
		     "not have (shrinker before v4.3, migration before v4.8)\n"
		     "is an error, not a silent no-op"},
	    {.name = "variants", .short_name = 'V', .arg = "LIST", .kind = CLI_OPT_STRING,
	     .dst = &o->variants,
	     .help = "PROFILE:POLICIES pairs instead of the product, e.g.\n"
		     "v4.1:none,v6.12:manual+migration (a profile or policies\n"
		     "alone takes the default of the other)"},
	    {.name = "arch", .short_name = 'a', .arg = "A", .kind = CLI_OPT_STRING, .dst = &o->arch,
	     .help = "arm32 (default) or x86_64"},
	    {.name = "config", .short_name = 'c', .arg = "FILE", .kind = CLI_OPT_STRING,
	     .dst = &o->config, .help = "the emulated machine as JSON (README: Configuration)"},
	    {.name = "out", .short_name = 'o', .arg = "DIR", .kind = CLI_OPT_STRING, .dst = &o->out,
	     .help = "results directory (default compare-out)"},
	    {.name = "jobs", .short_name = 'j', .arg = "N", .kind = CLI_OPT_U64, .dst = &o->jobs,
	     .min = 1, .max = 1024, .help = "parallel replays (default: online CPUs)"},
	    {.name = "seed", .short_name = 's', .arg = "N", .kind = CLI_OPT_U64, .dst = &o->seed,
	     .given = &o->have_seed, .max = UINT64_MAX >> 1, .what = "seed",
	     .help = "payload seed (with --seeds: each trace's seed)"},
	    {.name = "seeds", .arg = "LIST", .kind = CLI_OPT_STRING, .dst = &o->seeds,
	     .help = "replicates: each TRACE with {seed} in its name is replayed\n"
		     "once per seed of LIST (1-10, or 1,2,5-7); the table then\n"
		     "shows per variant each metric's mean +- the half-width of\n"
		     "its 95% Student t interval over the seeds, and each\n"
		     "variant against the reference seed by seed (paired t-test\n"
		     "and Wilcoxon signed-rank); all of it, every pair of\n"
		     "variants, in DIR/stats.json (README: Comparing across\n"
		     "seeds)"},
	    {.name = "reference", .arg = "V", .kind = CLI_OPT_STRING, .dst = &o->reference,
	     .help = "the variant the others are tested against, as named in\n"
		     "the table (\"v4.1 on-pgd-failure\" or v4.1:on-pgd-failure;\n"
		     "default: the first)"},
	    {.name = "from", .arg = "DIR", .kind = CLI_OPT_STRING, .dst = &o->from,
	     .help = "no replays: the table (and statistics) of the results\n"
		     "files in DIR, e.g. runs of several compare commands"},
	    {.name = "sample-every", .arg = "N", .kind = CLI_OPT_U64, .dst = &o->sample_every,
	     .max = UINT64_MAX >> 1, .help = "snapshot every N events (default: 1/200 of the trace)"},
	    {.name = "no-timing", .kind = CLI_OPT_CLEAR, .dst = &o->timing,
	     .help = "leave host CPU times out (byte-identical reruns)"},
	    {.name = "figures", .kind = CLI_OPT_SET, .dst = &o->figures,
	     .help = "draw PNG and SVG figures into DIR (needs gnuplot)"},
	    {.name = "report", .arg = "FILE", .kind = CLI_OPT_PARSE, .dst = o, .parse = parse_report,
	     .help = "write a self-contained HTML report (implies --figures)"},
	    {.name = "baseline", .arg = "DIR", .kind = CLI_OPT_STRING, .dst = &o->baseline,
	     .help = "also compare the runs with earlier results in DIR, as\n"
		     "zsfrag plot regress DIR OUT does; exit 1 when --metric\n"
		     "(default pool_end) got worse beyond --threshold (0.05)"},
	    /* --baseline's two settings, described in its row */
	    {.name = "metric", .short_name = 'm', .arg = "M", .kind = CLI_OPT_STRING,
	     .dst = &o->metric},
	    {.name = "threshold", .short_name = 't', .arg = "F", .kind = CLI_OPT_DOUBLE,
	     .dst = &o->threshold, .max = 10},
	    {.name = "quiet", .short_name = 'q', .kind = CLI_OPT_SET, .dst = &o->quiet,
	     .help = "no progress bars"},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	int rc = cli_opt_parse("compare", opts, argc, argv, compare_help);

	return rc ? rc : check_operands(argc, argv, o);
}

/*
 * Every variant's machine and policies before any run starts (an inert policy
 * is an error here as in replay, not a column that is really "none"), and no
 * results file or report that is a trace or the config under another name.
 */
static int check_runs(const struct compare_state *st, const struct compare_opts *o)
{
	char msg[600];
	int rc;

	for (unsigned int i = 0; i < st->n; i++) {
		struct sim_config cfg;

		rc = cmp_run_config(&st->runs[i], &cfg, msg, sizeof(msg));
		if (rc) {
			fprintf(stderr, "zsfrag compare: variant %s: %s%s\n", st->runs[i].name, msg,
				o->profiles && strstr(msg, "cannot honour")
				    ? "; pick PROFILE:POLICIES pairs with --variants"
				    : "");
			return rc;
		}
	}
	for (unsigned int i = 0; i <= st->n; i++) {
		const char *outp = i < st->n ? st->paths[i] : o->report;

		for (int t = 0; outp && t <= st->ntraces; t++) {
			const char *in = t < st->ntraces ? st->trace[t] : o->config;

			if (outfile_check_inputs(outp, &in, 1, msg, sizeof(msg)))
				return cli_usage_error("compare", "%s", msg);
		}
	}
	return 0;
}

/* Replay every run into o->out and read their results back. */
static int run_all(struct compare_state *st, const struct compare_opts *o)
{
	char msg[600];
	int rc;

	if (cli_mkdir_p(o->out)) {
		fprintf(stderr, "zsfrag compare: cannot create %s: %s\n", o->out, strerror(errno));
		return EX_CANTCREAT;
	}
	rc = cmp_run_parallel(st->runs, st->n, o->jobs ? (unsigned int)o->jobs : cli_nproc(),
			      !o->quiet && isatty(STDERR_FILENO));
	if (rc)
		return rc;
	for (unsigned int i = 0; i < st->n; i++) {
		if (cmp_metrics_load(st->paths[i], &st->m[i], msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag compare: %s\n", msg);
			return EX_DATAERR;
		}
	}
	return 0;
}

/* --baseline: the regress table; its exit code (1: a gated metric got worse). */
static int against_baseline(const struct compare_opts *o)
{
	char reg[1100];
	int rc;

	snprintf(reg, sizeof(reg), "%s/regress", o->out);
	printf("\nagainst %s:\n", o->baseline);
	rc = regress_check(o->baseline, o->out, o->metric ? o->metric : "pool_end", o->threshold,
			   o->figures ? reg : NULL, NULL);
	fflush(stdout);
	return rc;
}

int cli_compare(int argc, char **argv)
{
	struct compare_opts o = {.out = "compare-out", .timing = true, .threshold = 0.05};
	struct compare_state *st;
	int rc, regressed = 0;

	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	st = calloc(1, sizeof(*st));
	if (!st)
		return EX_OSERR;
	if (o.from) {
		rc = load_dir(st, o.from);
		if (!rc)
			rc = print_results(st, &o, o.from);
		goto out;
	}
	rc = build_runs(st, &o, argv + optind, argc - optind);
	if (!rc)
		rc = check_runs(st, &o);
	if (!rc)
		rc = run_all(st, &o);
	if (!rc)
		rc = print_results(st, &o, o.out);
	if (!rc && o.baseline) {
		regressed = against_baseline(&o);
		if (regressed > 1)
			rc = regressed;
	}
	if (!rc && o.figures)
		rc = draw_figures(st, &o, o.quiet);
	if (!rc && regressed == 1)
		rc = 1;
out:
	for (int t = 0; t < st->ntraces; t++)
		free(st->trace[t]);
	for (unsigned int i = 0; i < st->n; i++)
		json_decref(st->extra[i]);
	free(st);
	return rc;
}
