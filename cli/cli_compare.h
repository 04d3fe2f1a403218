/*
 * cli_compare.h - shared by `zsfrag compare`, `plot`, `sweep` and the HTML
 * report (cli_compare.c, cli_report_metrics.c, cli_plot.c, cli_report.c,
 * cli_sweep.c).
 *
 * The flow: cmp_run_one() replays one trace under one variant into a
 * results JSON file through the replay job (replay/replay_job.h, the
 * pipeline `zsfrag replay` runs);
 * cmp_run_parallel() does that for many variants in child processes;
 * cmp_metrics_load() reads a results file back into the handful of numbers
 * the comparison table, the bar charts, the regression check and the sweep
 * merge all use. Everything downstream of a run reads the JSON, never the
 * simulator, so the table always equals the files.
 */
#ifndef ZSFRAG_CLI_COMPARE_H
#define ZSFRAG_CLI_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli_stats.h"

/* The most runs one comparison makes (variants x traces x seeds), and the most variants of
 * one workload the statistics table shows side by side. */
#define CMP_MAX_RUNS	   1024
#define CMP_MAX_STATS_COLS 32

/* One replay: a trace under one machine, profile and policy set. */
struct cmp_run {
	const char *trace;
	const char *config;   /* machine JSON file, or NULL */
	const char *profile;  /* NULL: the config's, else v4.1 */
	const char *arch;     /* NULL: the config's, else arm32 */
	const char *policies; /* "a+b" or "a,b"; NULL: the config's */
	uint64_t seed;	      /* payload seed, used when have_seed */
	bool have_seed;
	uint64_t sample_every; /* events between periodic snapshots; 0 = none */
	bool timing;	       /* host CPU times in the results */
	const char *json_out;  /* results file (written atomically) */
	const char *name;      /* variant name, recorded in inputs.variant */
	json_t *extra_inputs;  /* borrowed; its keys are added to inputs */
	uint64_t events;       /* the trace's events when counted already (progress), else 0 */
	bool cores_busy;       /* other replays run beside this one: no host threads */
};

struct sim_config;
/*
 * run's machine: the config file, then the run's profile, arch, policies and
 * seed over it, policies checked against the profile (cli_config.h). A
 * sysexits code, msg on failure. compare and sweep check every variant with
 * it before any replay starts.
 */
int cmp_run_config(const struct cmp_run *run, struct sim_config *cfg, char *msg, size_t msglen);

/*
 * Replay run->trace into run->json_out. *events_done (may be NULL) is
 * updated every few thousand events for a progress display in another
 * process. Returns a sysexits code; on failure msg says why and no results
 * file exists.
 */
int cmp_run_one(const struct cmp_run *run, uint64_t *events_done, char *msg, size_t msglen);

/*
 * Run n replays in up to max_procs child processes. A progress display on
 * stderr (one line per run) when progress is set. Returns 0 when every run
 * succeeded, else the first failing run's exit code (its message is on
 * stderr).
 */
int cmp_run_parallel(const struct cmp_run *runs, unsigned int n, unsigned int max_procs,
		     bool progress);

/* A trace's events, in any format (replay_count_events), for progress bars and the default
 * --sample-every; 0 on error. */
uint64_t cmp_count_events(const char *trace);

/* --- metrics: the comparison's numbers, from a results file --- */

enum cmp_metric {
	CMP_POOL_PEAK,	    /* pages, max over snapshots and compaction starts */
	CMP_POOL_BEFORE,    /* pages, before the compaction run that freed the most */
	CMP_POOL_AFTER,	    /* pages, after it */
	CMP_POOL_END,	    /* pages, final snapshot */
	CMP_IDEAL_END,	    /* pages, final snapshot's perfectly packed bound */
	CMP_USED_END,	    /* stored bytes / pool bytes, final snapshot */
	CMP_ZRAM_WRITES,    /* zram writes (swap-outs) */
	CMP_ZRAM_FAILED,    /* ... refused */
	CMP_ZRAM_FAILED_ALLOC, /* ... because zs_malloc found no free page */
	CMP_ZRAM_FAILED_LIMIT, /* ... because the pool would pass mem_limit */
	CMP_FORKS,	    /* fork attempts; the outcomes follow as cmp_metrics.outcome */
	CMP_FORKS_STALLED,  /* forks that stalled in compaction, reclaim or the OOM killer */
	CMP_STALLS_WMARK,   /* ... whose first stall was a zone below its watermark */
	CMP_STALLS_FRAG,    /* ... whose first stall was fragmentation (pages, but no block) */
	CMP_FORKS_OOM,	    /* forks that needed an OOM kill */
	CMP_FORKS_FAILED,   /* forks that failed (-ENOMEM; format 1: no pgd found) */
	CMP_UNUSABLE_MEAN,  /* order-2 unusable index of the pgd zone, mean over the snapshots
			       where it means something (cmp_index_meaningful) */
	CMP_UNUSABLE_WORST, /* ... their maximum */
	CMP_INDEX_SKIPPED,  /* snapshots left out of those: the zone below its low watermark */
	CMP_COMPACTIONS,    /* zs_compact runs */
	CMP_PAGES_FREED,    /* pages freed by them */
	CMP_OBJS_MIGRATED,  /* objects they moved */
	CMP_BYTES_COPIED,   /* bytes they copied */
	CMP_CPU_MS,	    /* host CPU time of the compactions, ms; NaN without timing */
	CMP_ZS_MIGRATED,    /* zspage pages moved by kernel compaction (migration policy) */
	CMP_NR_METRICS,
};

struct cmp_metric_info {
	const char *key;   /* JSON / command-line name */
	const char *title; /* a table row's label */
	const char *unit;  /* for axis labels; "" when a plain count */
	int worse;	   /* +1 higher is worse, -1 lower is worse, 0 neither */
	int decimals;	   /* in the table */
	bool host;	   /* a host measurement, not the model's: regress judges it only when
			      named with --metric */
};

extern const struct cmp_metric_info cmp_metric_info[CMP_NR_METRICS];
/* The metric called key, or -1. */
int cmp_metric_lookup(const char *key);

/*
 * Fork outcomes, read generically so that a results file with new kinds of outcome shows them
 * without code changes: the members of forks.outcomes (name -> count, together = attempts)
 * when the file has it, else the older layout's forks.succeeded_by members and then
 * forks.failed_by's members (or forks.failed as one outcome).
 */
#define CMP_MAX_OUTCOMES 16
struct cmp_outcome {
	char name[40];
	double n; /* forks, cumulative at the snapshot */
};
/* A snapshot's outcomes into o (at most max); returns how many. */
unsigned int cmp_fork_outcomes(json_t *forks, struct cmp_outcome *o, unsigned int max);
/* "fast": the pgd came straight off the free lists, no stall; every other outcome is not. */
bool cmp_outcome_is_fast(const char *name);
/* A legend's words for an outcome ("after direct compaction"); unknown names as they are. */
const char *cmp_outcome_label(const char *name, char *buf, size_t len);
/* The zone a 32-bit ARM pgd comes from: "pgd_zone": true, else the highest lowmem zone (the
 * last that is not HighMem: Normal; DMA on ARM virt), else the first. NULL without zones. */
json_t *cmp_pgd_zone(json_t *snap);
/*
 * Whether the zone's order-2 unusable index says something about fragmentation: not when the
 * zone's free pages are at or below its low watermark (then a request fails for want of free
 * memory, whatever the fragmentation; an index over a handful of free pages reads "good"), or,
 * in results without watermarks, below CMP_FEW_FREE_PAGES. *limit gets the bound used.
 */
#define CMP_FEW_FREE_PAGES 1024
bool cmp_index_meaningful(json_t *zone, double *limit);

struct cmp_metrics {
	char path[512];	 /* the results file */
	char trace[256]; /* inputs.trace's basename */
	char profile[32], arch[16], policies[128], variant[160];
	/* replicates (compare --seeds): inputs.workload, the trace name with {seed} in it, and
	 * inputs.replicate, the seed; without them the trace's name and "" */
	char workload[256], replicate[32];
	int variant_order; /* inputs.variant_order: the variant's place on compare's command
			      line, -1 when the file has none */
	uint64_t seed;
	unsigned long page_size;  /* bytes */
	int format;		  /* results_format; 1 for files written before it existed */
	double v[CMP_NR_METRICS]; /* NaN when the run has no such number */
	unsigned int nr_outcomes; /* fork outcomes at the final snapshot */
	struct cmp_outcome outcome[CMP_MAX_OUTCOMES];
};

/* Read one results file. 0 or -errno / -EINVAL with msg. */
int cmp_metrics_load(const char *path, struct cmp_metrics *m, char *msg, size_t msglen);
/* The same from a parsed document. */
int cmp_metrics_from_json(json_t *root, struct cmp_metrics *m, char *msg, size_t msglen);
/* A value as the table prints it ("-" for NaN). */
void cmp_metric_format(enum cmp_metric id, double v, char *buf, size_t len);
/* "demo.trace on arm32: 4 runs, profiles v4.1, v6.12; policies none; manual" */
void cmp_title(const struct cmp_metrics *runs, unsigned int n, char *buf, size_t len);
/* "manual,migration" as the command line and variant names spell it: "manual+migration". */
void cmp_policies_display(const char *policies, char *buf, size_t len);
/* The side-by-side table: one row per metric, one column per run. */
void cmp_print_table(FILE *f, const struct cmp_metrics *m, unsigned int n);
/* The same as an HTML <table>. */
void cmp_print_table_html(FILE *f, const struct cmp_metrics *m, unsigned int n);

/* "1234567.5" as "1,234,567.5" (decimals after the point) */
void cmp_group_digits(double v, int decimals, char *buf, size_t len);

/* --- statistics across seeds (cli_compare_stats.c, arithmetic in cli_stats.h) --- */

#define CMP_STATS_LEVEL 0.95 /* the intervals' coverage and the tests' 1 - alpha */

/* One variant's runs of one workload: the replicates a mean and interval are taken over. */
struct cmp_group {
	const char *workload; /* cmp_metrics.workload of its runs */
	const char *variant;
	unsigned int wl;      /* the workload's place (first appearance), for ordering */
	int order;	      /* the variant's place within the workload */
	unsigned int n;	      /* runs */
	unsigned int *run;    /* their indices into the metrics array */
};

struct cmp_stats {
	struct cmp_group *g; /* by workload, then variant order */
	unsigned int ng;
};

/* Group runs by (workload, variant); 0 or -ENOMEM. Free with cmp_stats_free. */
int cmp_stats_group(const struct cmp_metrics *m, unsigned int n, struct cmp_stats *s);
void cmp_stats_free(struct cmp_stats *s);
/* Whether some variant has two runs or more of one workload (so there is a spread to show). */
bool cmp_stats_replicated(const struct cmp_stats *s);
/* The group whose variant is name ("v4.1 targeted" or "v4.1:targeted") in workload wl of g's,
 * or -1. */
int cmp_stats_find(const struct cmp_stats *s, unsigned int wl, const char *name);
/* A group's mean and interval of one metric. */
void cmp_stats_summary(const struct cmp_metrics *m, const struct cmp_group *g, int metric,
		       struct stats_summary *out);
/* b against a, paired by replicate (the seed; the trace's name for runs without one). */
void cmp_stats_paired(const struct cmp_metrics *m, const struct cmp_group *a,
		      const struct cmp_group *b, int metric, struct stats_paired *out);
/*
 * The text: per workload, each metric's mean +- the interval's half-width per variant, then
 * each variant against the reference (NULL: the workload's first variant), seed by seed.
 */
void cmp_stats_print(FILE *f, const struct cmp_metrics *m, const struct cmp_stats *s,
		     const char *reference);
/* Everything, every pair of variants included, as JSON into path (outfile rules). A sysexits
 * code, msg on failure. */
int cmp_stats_write(const char *path, const struct cmp_metrics *m, const struct cmp_stats *s,
		    char *msg, size_t msglen);

/* --- figures (cli_plot.c) --- */

/*
 * The figures write OUTBASE.png and OUTBASE.svg with gnuplot; a data file
 * OUTBASE.tsv (and OUTBASE-*.tsv) stays beside them. Return a sysexits code,
 * msg says why on failure.
 */
int plot_timeseries(const char *results, const char *outbase, char *msg, size_t msglen);
/* label NULL: the labelled snapshot with the most pages above the ideal. */
int plot_classes(const char *results, const char *label, const char *outbase, char *msg,
		 size_t msglen);
int plot_compare(const struct cmp_metrics *m, unsigned int n, const char *title,
		 const char *outbase, char *msg, size_t msglen);
/* Runs across seeds (cli_plot_stats.c): per variant the key metrics' means with their 95%
 * intervals as error bars. plot_compare calls it when s has replicates. */
int plot_compare_ci(const struct cmp_metrics *m, const struct cmp_stats *s, const char *title,
		    const char *outbase, char *msg, size_t msglen);
/* The runs (m[i].path) on one time axis: pool pages, order-2 unusable index, fork outcomes. */
int plot_overlay(const struct cmp_metrics *m, unsigned int n, const char *title,
		 const char *outbase, char *msg, size_t msglen);

/* Run `gnuplot -c plots/NAME.gp ARGS...` (args NULL-terminated). A sysexits code, msg on failure.
 */
int plot_gnuplot(const char *name, const char *const *args, char *msg, size_t msglen);
/* plots/NAME.gp's path: $ZSFRAG_PLOTS_DIR, else the installed or source directory compiled
 * in; never the working directory. 0 or -ENOENT. */
int plot_template(const char *name, char *buf, size_t len);
/* in as a name gnuplot can only read as a file ("./" before a relative name); EX_USAGE with
 * msg for control characters. */
int plot_safe_path(const char *in, char *out, size_t len, char *msg, size_t msglen);
/* DIR's *.json files, sorted, malloc'ed. 0 or -errno (-ENOTDIR for a file). */
int plot_list_results(const char *dir, char ***paths, unsigned int *n);
/* `zsfrag plot regress ...` (cli_report_regress.c); argv[0] is "regress". */
int plot_regress_main(int argc, char **argv);
/*
 * NEW_DIR's results against BASE_DIR's: the table on stdout, the figure OUT.png/.svg unless
 * out is NULL (title NULL: a default). metrics: comma-separated gated metrics or "all".
 * Returns 0, 1 when a gated metric got worse beyond thr, or a sysexits code (message on stderr).
 */
int regress_check(const char *base_dir, const char *new_dir, const char *metrics, double thr,
		  const char *out, const char *title);

/* --- the HTML report (cli_report.c) --- */

struct report_figure {
	char svg[1200]; /* path of the SVG to inline */
	char caption[768];
};

/* One self-contained page: title, the table, each figure inline. 0 or -errno. */
int report_write(const char *html, const char *title, const struct cmp_metrics *m, unsigned int n,
		 const struct report_figure *figs, unsigned int nfigs);

#endif /* ZSFRAG_CLI_COMPARE_H */
