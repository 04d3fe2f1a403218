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
 * Children report progress through a MAP_SHARED array of event counters,
 * one per run, that the parent reads to draw one bar per variant on stderr
 * (only when stderr is a terminal). Each child is a fresh copy of the
 * process after fork(), so the simulator needs no thread safety.
 */
#include <errno.h>
#include <getopt.h>
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
#include "cli_compare.h"
#include "config.h"
#include "cli_proc.h"
#include "cli_util.h"
#include "outfile.h"
#include "replay_job.h"

#define CMP_MAX_RUNS 64

uint64_t cmp_count_events(const char *trace)
{
	char msg[512];
	uint64_t n;

	/* through the trace reader: what the replay will see, in any format (a count of text
	 * lines in the raw bytes of a .ztb.zst was 50 times too small) */
	replay_count_events(trace, &n, msg, sizeof(msg));
	return n;
}

static void run_overrides(const struct cmp_run *run, struct replay_overrides *o)
{
	*o = (struct replay_overrides){
	    .config = run->config,
	    .profile = run->profile,
	    .arch = run->arch,
	    .policies = run->policies,
	    .seed = run->seed,
	    .have_seed = run->have_seed,
	    .sample_every = run->sample_every,
	    .have_sample = run->sample_every != 0, /* 0: the config's */
	    .timing = run->timing,
	};
}

int cmp_run_config(const struct cmp_run *run, struct sim_config *cfg, char *msg, size_t msglen)
{
	struct replay_overrides o;

	run_overrides(run, &o);
	return cli_replay_exit(replay_config_resolve(&o, cfg, msg, msglen));
}

static void store_progress(void *ctx, const struct trace_reader *r, uint64_t events, bool final)
{
	(void)r;
	(void)final;
	__atomic_store_n((uint64_t *)ctx, events, __ATOMIC_RELAXED);
}

int cmp_run_one(const struct cmp_run *run, uint64_t *events_done, char *msg, size_t msglen)
{
	struct sim_config cfg;
	struct replay_job job = {.trace = run->trace,
				 .cfg = &cfg,
				 .json_out = run->json_out,
				 .temp_prepare = cli_tmp_prepare,
				 .temp_file = cli_tmp_register};
	json_t *extra = json_object();
	const char *key;
	json_t *val;
	int rc;

	rc = cmp_run_config(run, &cfg, msg, msglen);
	if (rc) {
		json_decref(extra);
		return rc;
	}
	/* the same inputs `zsfrag replay --json` records, plus ours */
	if (run->name)
		json_object_set_new(extra, "variant", json_string(run->name));
	json_object_foreach(run->extra_inputs, key, val) json_object_set(extra, key, val);
	job.extra_inputs = extra;
	if (events_done)
		job.progress = (struct replay_progress){
		    .fn = store_progress, .ctx = events_done, .mask = 0xfff};
	rc = cli_replay_exit(replay_job_run(&job, msg, msglen));
	json_decref(extra);
	return rc;
}

/* --- running variants in parallel, with one progress bar each --- */

struct cmp_pool {
	const struct cmp_run *runs;
	unsigned int n;
	uint64_t *done;		       /* MAP_SHARED: each child's events so far */
	uint64_t total[CMP_MAX_RUNS]; /* events in each run's trace (for the bar) */
	double t0;
};

static void draw_progress(const struct cmp_pool *pl, const struct cli_job *jobs, bool redraw)
{
	uint64_t all = 0, all_done = 0;
	double el = cli_now() - pl->t0;

	if (redraw)
		fprintf(stderr, "\033[%uA", pl->n + 1);
	for (unsigned int i = 0; i < pl->n; i++) {
		uint64_t d = __atomic_load_n(&pl->done[i], __ATOMIC_RELAXED);
		double frac = pl->total[i] ? (double)d / (double)pl->total[i] : 0;
		char bar[31];
		int fill;

		if (jobs[i].pid == -1 && jobs[i].rc == 0)
			frac = 1;
		frac = frac > 1 ? 1 : frac;
		fill = (int)(frac * 30);
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(30 - fill));
		bar[30] = 0;
		all += pl->total[i];
		all_done += jobs[i].pid == -1 ? pl->total[i] : d;
		fprintf(stderr, "\r\033[K  %-28.28s [%s] %3.0f%% %s\n", pl->runs[i].name, bar,
			frac * 100,
			jobs[i].pid == 0    ? "waiting"
			: jobs[i].pid == -1 ? (jobs[i].rc ? "FAILED" : "done")
					    : "running");
	}
	fprintf(stderr, "\r\033[K  %llu of %llu events, %.2f M events/s, %.1f s",
		(unsigned long long)all_done, (unsigned long long)all,
		el > 0 ? (double)all_done / el / 1e6 : 0.0, el);
	if (all_done && all_done < all)
		fprintf(stderr, ", about %.0f s left",
			el * (double)(all - all_done) / (double)all_done);
	fputc('\n', stderr);
}

static void redraw_progress(void *ctx, const struct cli_job *jobs, unsigned int finished)
{
	(void)finished;
	draw_progress(ctx, jobs, true);
}

static int run_child(void *ctx, unsigned int i)
{
	struct cmp_pool *pl = ctx;
	char msg[600];
	int rc = cmp_run_one(&pl->runs[i], &pl->done[i], msg, sizeof(msg));

	if (rc)
		fprintf(stderr, "zsfrag: run %s: %s\n", pl->runs[i].name, msg);
	return rc;
}

int cmp_run_parallel(const struct cmp_run *runs, unsigned int n, unsigned int max_procs,
		     bool progress)
{
	struct cli_job jobs[CMP_MAX_RUNS];
	struct cmp_pool pl = {.runs = runs, .n = n, .t0 = cli_now()};
	int rc;

	if (n > CMP_MAX_RUNS)
		return EX_USAGE;
	pl.done = mmap(NULL, sizeof(uint64_t) * (n ? n : 1), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pl.done == MAP_FAILED)
		return EX_OSERR;
	memset(jobs, 0, sizeof(jobs));
	for (unsigned int i = 0; i < n; i++)
		pl.total[i] = !progress	      ? 0
			      : runs[i].events ? runs[i].events
					       : cmp_count_events(runs[i].trace);
	if (progress)
		draw_progress(&pl, jobs, false);
	rc = cli_pool_run(n, max_procs, jobs, run_child, &pl, progress ? redraw_progress : NULL,
			  progress ? 0.25 : 0);
	munmap(pl.done, sizeof(uint64_t) * (n ? n : 1));
	return rc;
}

/* --- the subcommand --- */

static void compare_help(FILE *f)
{
	fprintf(
	    f,
	    "usage: zsfrag compare TRACE... [--profiles P,Q,...] [--policies A,B,...] [OPTIONS]\n"
	    "       zsfrag compare TRACE... --variants PROFILE:POLICIES,... [OPTIONS]\n\n"
	    "Replay each trace once per variant (the product of --profiles and --policies) in\n"
	    "parallel processes, write each run's results JSON into DIR and print the runs\n"
	    "side by side. In --policies, ',' separates variants and '+' combines policies in\n"
	    "one variant: --policies none,manual,manual+migration is three runs.\n"
	    "Run results: DIR/NAME[-PROFILE][-POLICIES].json, NAME the trace's file name\n"
	    "without its extension, or NAME-N (N the trace's position, from 1) when two\n"
	    "traces share a NAME (d1/t.trace d2/t.trace: t-1, t-2); two runs that would\n"
	    "still share a file are refused.\n\n"
	    "  -p, --profiles LIST    kernel profiles to compare (default: the config's, v4.1)\n"
	    "  -P, --policies LIST    policy variants to compare (default: the config's, else\n"
	    "                         manual; none on v3.18). A policy a profile's kernel does\n"
	    "                         not have (shrinker before v4.3, migration before v4.8)\n"
	    "                         is an error, not a silent no-op\n"
	    "  -V, --variants LIST    PROFILE:POLICIES pairs instead of the product, e.g.\n"
	    "                         v4.1:none,v6.12:manual+migration (a profile or policies\n"
	    "                         alone takes the default of the other)\n"
	    "  -a, --arch A           arm32 (default) or x86_64\n"
	    "  -c, --config FILE      the emulated machine as JSON (README: Configuration)\n"
	    "  -o, --out DIR          results directory (default compare-out)\n"
	    "  -j, --jobs N           parallel replays (default: online CPUs)\n"
	    "  -s, --seed N           payload seed\n"
	    "      --sample-every N   snapshot every N events (default: 1/200 of the trace)\n"
	    "      --no-timing        leave host CPU times out (byte-identical reruns)\n"
	    "      --figures          draw PNG and SVG figures into DIR (needs gnuplot)\n"
	    "      --report FILE      write a self-contained HTML report (implies --figures)\n"
	    "      --baseline DIR     also compare the runs with earlier results in DIR, as\n"
	    "                         zsfrag plot regress DIR OUT does; exit 1 when --metric\n"
	    "                         (default pool_end) got worse beyond --threshold (0.05)\n"
	    "  -q, --quiet            no progress bars\n"
	    "  -h, --help             this text\n\n"
	    "Exit: 0, or the first failing replay's code (see zsfrag replay --help).\n");
}

struct compare_opts {
	const char *profiles, *policies, *variants, *arch, *config, *out, *report;
	const char *baseline, *metric; /* --baseline: results to compare against */
	double threshold;
	unsigned long long jobs, seed, sample_every;
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
	struct cmp_run runs[CMP_MAX_RUNS];
	char names[CMP_MAX_RUNS][160];
	char paths[CMP_MAX_RUNS][1024];
	char pol[CMP_MAX_RUNS][128];
	char prof[CMP_MAX_RUNS][32];
	struct cmp_metrics m[CMP_MAX_RUNS];
	unsigned int n;
};

static int build_runs(struct compare_state *st, const struct compare_opts *o, char **traces,
		      int ntraces)
{
	char profs_buf[512], pols_buf[1024], var_buf[2048];
	char *profs[16], *pols[16], *vars[CMP_MAX_RUNS];
	char *vp[CMP_MAX_RUNS], *vq[CMP_MAX_RUNS]; /* each variant's profile and policies */
	int np = 1, nq = 1, nv = 0;

	profs[0] = pols[0] = NULL;
	if (o->profiles) {
		snprintf(profs_buf, sizeof(profs_buf), "%s", o->profiles);
		np = split(profs_buf, ',', profs, 16);
	}
	if (o->policies) {
		snprintf(pols_buf, sizeof(pols_buf), "%s", o->policies);
		nq = split(pols_buf, ',', pols, 16);
	}
	if (np <= 0 || nq <= 0)
		return cli_usage_error("compare", "empty or too long --profiles / --policies");
	if (o->variants) {
		/* PROFILE:POLICIES items; a profile or policies alone takes the default of the
		 * other */
		if (o->profiles || o->policies)
			return cli_usage_error("compare",
					       "--variants replaces --profiles and --policies");
		snprintf(var_buf, sizeof(var_buf), "%s", o->variants);
		nv = split(var_buf, ',', vars, CMP_MAX_RUNS);
		if (nv <= 0)
			return cli_usage_error("compare", "empty or too long --variants");
		for (int v = 0; v < nv; v++) {
			char *colon = strchr(vars[v], ':');

			if (colon) {
				*colon = 0;
				vp[v] = *vars[v] ? vars[v] : NULL;
				vq[v] = colon[1] ? colon + 1 : NULL;
			} else if (!zs_profile_lookup(vars[v], NULL)) {
				vp[v] = vars[v];
				vq[v] = NULL;
			} else {
				vp[v] = NULL;
				vq[v] = vars[v];
			}
		}
	} else {
		for (int p = 0; p < np; p++)
			for (int q = 0; q < nq; q++) {
				vp[nv] = profs[p];
				vq[nv++] = pols[q];
			}
	}
	if ((unsigned long)ntraces * (unsigned long)nv > CMP_MAX_RUNS)
		return cli_usage_error("compare", "at most %d runs", CMP_MAX_RUNS);
	for (int t = 0; t < ntraces; t++) {
		char stem[128], other[128];
		uint64_t events = 0; /* counted once a trace, when needed */
		bool shared = false;

		/* NAME: the trace's file name without its extension; -N (its position among the
		 * traces, from 1) when another trace has the same NAME (d1/t.trace, d2/t.trace) */
		trace_stem(traces[t], stem, sizeof(stem));
		for (int u = 0; u < ntraces && !shared; u++) {
			trace_stem(traces[u], other, sizeof(other));
			shared = u != t && !strcmp(stem, other);
		}
		if (shared) {
			size_t l = strlen(stem);

			snprintf(stem + (l > 110 ? 110 : l), sizeof(stem) - 110, "-%d", t + 1);
		}
		for (int v = 0; v < nv; v++) {
			char *prof = vp[v], *pol = vq[v];
			unsigned int i = st->n++;
			struct cmp_run *r = &st->runs[i];
			char *c;

			memset(r, 0, sizeof(*r));
			r->trace = traces[t];
			r->config = o->config;
			r->arch = o->arch;
			if (prof) {
				snprintf(st->prof[i], sizeof(st->prof[i]), "%s", prof);
				r->profile = st->prof[i];
			}
			if (pol) {
				snprintf(st->pol[i], sizeof(st->pol[i]), "%s", pol);
				for (c = st->pol[i]; *c; c++)
					if (*c == '+')
						*c = ',';
				r->policies = st->pol[i];
			}
			r->seed = o->seed;
			r->have_seed = o->have_seed;
			r->timing = o->timing;
			r->sample_every = o->sample_every;
			if (!r->sample_every) {
				if (!events)
					events = cmp_count_events(r->trace);
				r->sample_every = events / 200 ? events / 200 : 1;
			}
			r->events = events;
			snprintf(st->names[i], sizeof(st->names[i]), "%s%s%s", prof ? prof : "",
				 prof && pol ? " " : "", pol ? pol : "");
			if (!st->names[i][0])
				snprintf(st->names[i], sizeof(st->names[i]), "default");
			r->name = st->names[i];
			snprintf(st->paths[i], sizeof(st->paths[i]), "%s/%s%s%s%s%s.json", o->out,
				 stem, prof ? "-" : "", prof ? prof : "", pol ? "-" : "",
				 pol ? pol : "");
			r->json_out = st->paths[i];
			for (unsigned int j = 0; j < i; j++)
				if (!strcmp(st->paths[j], st->paths[i]))
					return cli_usage_error(
					    "compare",
					    "runs %u and %u would both write %s (the same variant "
					    "twice, or a trace named like another's NAME-N)",
					    j + 1, i + 1, st->paths[i]);
		}
	}
	return 0;
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

static int draw_figures(struct compare_state *st, const struct compare_opts *o, bool quiet)
{
	struct report_figure figs[2 * CMP_MAX_RUNS + 3];
	unsigned int nf = 0;
	char msg[600], base[1100], obase[1100], title[1000];
	int rc;

	cmp_title(st->m, st->n, title, sizeof(title));
	snprintf(base, sizeof(base), "%s/compare", o->out);
	rc = plot_compare(st->m, st->n, title, base, msg, sizeof(msg));
	if (!rc) {
		snprintf(obase, sizeof(obase), "%s/overlay", o->out);
		rc = plot_overlay(st->m, st->n, title, obase, msg, sizeof(msg));
	}
	if (rc) {
		fprintf(stderr, "zsfrag compare: %s\n", msg);
		return rc;
	}
	rc = draw_runs_parallel(st, o->jobs ? (unsigned int)o->jobs : cli_nproc(),
				!quiet && isatty(STDERR_FILENO));
	if (rc)
		return rc;
	snprintf(figs[nf].svg, sizeof(figs[nf].svg), "%s.svg", base);
	snprintf(figs[nf++].caption, sizeof(figs[0].caption),
		 "The table's key metrics, one panel per unit and one row of bars per run, each "
		 "bar labelled with its value (n/a: the run has no such number).");
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
	if (o->report) {
		rc = report_write(o->report, title, st->m, st->n, figs, nf);
		if (rc) {
			fprintf(stderr, "zsfrag compare: cannot write %s: %s\n", o->report,
				strerror(-rc));
			return EX_CANTCREAT;
		}
		printf("report: %s\n", o->report);
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct compare_opts *o)
{
	static const struct option opts[] = {
	    {"profiles", required_argument, NULL, 'p'},
	    {"policies", required_argument, NULL, 'P'},
	    {"variants", required_argument, NULL, 'V'},
	    {"arch", required_argument, NULL, 'a'},
	    {"config", required_argument, NULL, 'c'},
	    {"out", required_argument, NULL, 'o'},
	    {"jobs", required_argument, NULL, 'j'},
	    {"seed", required_argument, NULL, 's'},
	    {"sample-every", required_argument, NULL, 'S'},
	    {"no-timing", no_argument, NULL, 'T'},
	    {"figures", no_argument, NULL, 'F'},
	    {"report", required_argument, NULL, 'R'},
	    {"baseline", required_argument, NULL, 'B'},
	    {"metric", required_argument, NULL, 'm'},
	    {"threshold", required_argument, NULL, 't'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:P:V:a:c:o:j:s:m:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profiles = optarg;
			break;
		case 'P':
			o->policies = optarg;
			break;
		case 'V':
			o->variants = optarg;
			break;
		case 'a':
			o->arch = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'j':
			if (cli_parse_u64(optarg, 1024, &o->jobs) || !o->jobs)
				return cli_usage_error("compare", "bad --jobs '%s'", optarg);
			break;
		case 's':
			if (cli_parse_u64(optarg, UINT64_MAX >> 1, &o->seed))
				return cli_usage_error("compare", "bad seed '%s'", optarg);
			o->have_seed = true;
			break;
		case 'S':
			if (cli_parse_u64(optarg, UINT64_MAX >> 1, &o->sample_every))
				return cli_usage_error("compare", "bad --sample-every '%s'",
						       optarg);
			break;
		case 'T':
			o->timing = false;
			break;
		case 'F':
			o->figures = true;
			break;
		case 'R':
			o->report = optarg;
			o->figures = true;
			break;
		case 'B':
			o->baseline = optarg;
			break;
		case 'm':
			o->metric = optarg;
			break;
		case 't': {
			char *end;

			o->threshold = strtod(optarg, &end);
			if (*end || !(o->threshold >= 0) || o->threshold > 10)
				return cli_usage_error("compare", "bad --threshold '%s'", optarg);
			break;
		}
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			compare_help(stdout);
			return -1;
		default:
			return cli_usage_error("compare", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("compare", "no trace given");
	for (int i = optind; i < argc; i++)
		if (!strcmp(argv[i], "-"))
			return cli_usage_error("compare", "a trace is replayed several times: "
							  "give a file, not '-'");
	return 0;
}

int cli_compare(int argc, char **argv)
{
	struct compare_opts o = {.out = "compare-out", .timing = true, .threshold = 0.05};
	struct compare_state *st;
	char msg[600];
	int rc, regressed = 0;

	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	st = calloc(1, sizeof(*st));
	if (!st)
		return EX_OSERR;
	rc = build_runs(st, &o, argv + optind, argc - optind);
	if (rc)
		goto out;
	/* every variant's machine and policies before any run starts: an inert policy is an
	 * error here as in replay, not a column that is really "none" */
	for (unsigned int i = 0; i < st->n; i++) {
		struct sim_config cfg;

		rc = cmp_run_config(&st->runs[i], &cfg, msg, sizeof(msg));
		if (rc) {
			fprintf(stderr, "zsfrag compare: variant %s: %s%s\n", st->runs[i].name, msg,
				o.profiles && strstr(msg, "cannot honour")
				    ? "; pick PROFILE:POLICIES pairs with --variants"
				    : "");
			goto out;
		}
	}
	for (unsigned int i = 0; i <= st->n; i++) {
		/* no results file or report may be a trace or the config under another name */
		const char *outp = i < st->n ? st->paths[i] : o.report;

		for (int t = optind; outp && t <= argc; t++) {
			const char *in = t < argc ? argv[t] : o.config;

			if (outfile_check_inputs(outp, &in, 1, msg, sizeof(msg))) {
				rc = cli_usage_error("compare", "%s", msg);
				goto out;
			}
		}
	}
	if (cli_mkdir_p(o.out)) {
		fprintf(stderr, "zsfrag compare: cannot create %s: %s\n", o.out, strerror(errno));
		rc = EX_CANTCREAT;
		goto out;
	}
	rc = cmp_run_parallel(st->runs, st->n, o.jobs ? (unsigned int)o.jobs : cli_nproc(),
			      !o.quiet && isatty(STDERR_FILENO));
	if (rc)
		goto out;
	for (unsigned int i = 0; i < st->n; i++) {
		if (cmp_metrics_load(st->paths[i], &st->m[i], msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag compare: %s\n", msg);
			rc = EX_DATAERR;
			goto out;
		}
	}
	cmp_print_table(stdout, st->m, st->n);
	printf(
	    "\npages of %lu bytes; used ratio = stored bytes / pool bytes; unusable index of the "
	    "pgd zone\nover the snapshots where it is above its low watermark; results in %s/\n",
	    st->m[0].page_size, o.out);
	fflush(stdout);
	if (o.baseline) {
		char reg[1100];

		snprintf(reg, sizeof(reg), "%s/regress", o.out);
		printf("\nagainst %s:\n", o.baseline);
		regressed = regress_check(o.baseline, o.out, o.metric ? o.metric : "pool_end",
					  o.threshold, o.figures ? reg : NULL, NULL);
		fflush(stdout);
		if (regressed > 1) {
			rc = regressed;
			goto out;
		}
	}
	if (o.figures)
		rc = draw_figures(st, &o, o.quiet);
	if (!rc && regressed == 1)
		rc = 1;
out:
	free(st);
	return rc;
}
