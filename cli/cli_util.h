/*
 * cli_util.h - the small things several subcommands need, once: a monotonic
 * clock, the online CPUs, mkdir -p, and the pool of child processes that
 * compare runs its replays and its figures in. Atomic output files are
 * traces/outfile.h's; workers that die with their parent, cli_proc.h's.
 */
#ifndef ZSFRAG_CLI_UTIL_H
#define ZSFRAG_CLI_UTIL_H

#include <sys/types.h>

/* Seconds on CLOCK_MONOTONIC (progress lines and rates; never in results). */
double cli_now(void);
/* Online CPUs, at least 1. */
unsigned int cli_nproc(void);
/* mkdir -p DIR (mode 0777 before the umask). 0 or -errno. */
int cli_mkdir_p(const char *dir);

/* One job of a pool: pid 0 = not started, -1 = finished (rc its exit code). */
struct cli_job {
	pid_t pid;
	int rc;
};

/*
 * Run jobs 0..n-1 in up to max_procs child processes (cli_fork_worker, so
 * they die with us): the child runs child(ctx, i) and exits with its return
 * value (a sysexits code; a message is its own to print). With tick_s > 0
 * the parent polls and calls tick(ctx, jobs, finished) at most every tick_s
 * seconds and once when all have finished (progress bars); with tick_s == 0
 * it blocks in waitpid and calls tick (when not NULL) after each job ends.
 * jobs[] (n entries) is filled in. Returns 0 when every job exited 0, else
 * the first failing job's code (EX_SOFTWARE for one killed by a signal), or
 * EX_OSERR when no child could be started or waitpid failed.
 */
int cli_pool_run(unsigned int n, unsigned int max_procs, struct cli_job *jobs,
		 int (*child)(void *ctx, unsigned int i), void *ctx,
		 void (*tick)(void *ctx, const struct cli_job *jobs, unsigned int finished),
		 double tick_s);

#endif /* ZSFRAG_CLI_UTIL_H */
