/*
 * cli_compare_run.c - running the replays of a comparison (cli_compare.h):
 * cmp_run_one() replays one trace under one variant through the replay job,
 * cmp_run_parallel() runs many in child processes with one progress bar
 * each.
 *
 * Children report progress through a MAP_SHARED array of event counters,
 * one per run, that the parent reads to draw one bar per variant on stderr
 * (only when stderr is a terminal). Each child is a fresh copy of the
 * process after fork(), so the simulator needs no thread safety.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_compare.h"
#include "cli_proc.h"
#include "cli_util.h"
#include "config.h"
#include "replay_job.h"

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

static void store_progress(void *ctx, long long file_pos, uint64_t events, bool final)
{
	(void)file_pos;
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
	/*
	 * The host threads (zeroing new memory, decoding the trace) only move
	 * work to an idle core; with every core replaying, they would compete
	 * with the other replays (host side only: results are the same).
	 */
	if (run->cores_busy) {
		cfg.mem.host_prefault = false;
		cfg.reader_thread = false;
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
	bool cores_busy; /* fewer than two cores per replay running at a time */
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
	struct cmp_run run = pl->runs[i];
	char msg[600];
	int rc;

	run.cores_busy = pl->cores_busy;
	rc = cmp_run_one(&run, &pl->done[i], msg, sizeof(msg));

	if (rc)
		fprintf(stderr, "zsfrag: run %s: %s\n", pl->runs[i].name, msg);
	return rc;
}

int cmp_run_parallel(const struct cmp_run *runs, unsigned int n, unsigned int max_procs,
		     bool progress)
{
	struct cli_job jobs[CMP_MAX_RUNS];
	struct cmp_pool pl = {.runs = runs, .n = n, .t0 = cli_now()};
	unsigned int at_once = n < max_procs ? n : max_procs;
	int rc;

	/* each replay's host threads need a core of their own to be worth running */
	pl.cores_busy = at_once > 1 && 2 * at_once > cli_nproc();
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
