/*
 * cli_util.c - see cli_util.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli_proc.h"
#include "cli_util.h"

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned int cli_nproc(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

int cli_mkdir_p(const char *dir)
{
	char buf[1024];

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0777) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Start jobs while there is room. -1 when a fork failed with nothing running, else 0. */
static int start_jobs(struct cli_job *jobs, unsigned int n, unsigned int max_procs,
		      unsigned int *started, unsigned int *running,
		      int (*child)(void *ctx, unsigned int i), void *ctx)
{
	while (*started < n && *running < max_procs) {
		pid_t pid = cli_fork_worker();

		if (pid < 0)
			return *running ? 0 : -1;
		if (pid == 0) {
			int rc = child(ctx, *started);

			fflush(stderr);
			_exit(rc);
		}
		jobs[(*started)++].pid = pid;
		(*running)++;
	}
	return 0;
}

/* Job pid ended with status: record it; the first failure's code into *first_rc. */
static void reaped(struct cli_job *jobs, unsigned int n, pid_t pid, int status, int *first_rc)
{
	cli_worker_reaped(pid);
	for (unsigned int i = 0; i < n; i++) {
		if (jobs[i].pid != pid)
			continue;
		jobs[i].pid = -1;
		jobs[i].rc = WIFEXITED(status) ? WEXITSTATUS(status) : EX_SOFTWARE;
		if (jobs[i].rc && !*first_rc)
			*first_rc = jobs[i].rc;
	}
}

int cli_pool_run(unsigned int n, unsigned int max_procs, struct cli_job *jobs,
		 int (*child)(void *ctx, unsigned int i), void *ctx,
		 void (*tick)(void *ctx, const struct cli_job *jobs, unsigned int finished),
		 double tick_s)
{
	unsigned int started = 0, running = 0, finished = 0;
	int first_rc = 0;
	double next = cli_now();

	memset(jobs, 0, sizeof(*jobs) * n);
	fflush(stdout);
	fflush(stderr);
	while (finished < n) {
		int status;
		pid_t pid;

		if (start_jobs(jobs, n, max_procs, &started, &running, child, ctx))
			return EX_OSERR;
		pid = waitpid(-1, &status, tick_s > 0 ? WNOHANG : 0);
		if (pid > 0) {
			reaped(jobs, n, pid, status, &first_rc);
			running--;
			finished++;
			if (tick && tick_s <= 0)
				tick(ctx, jobs, finished);
		} else if (pid < 0 && errno != EINTR) {
			return first_rc ? first_rc : EX_OSERR;
		} else if (pid == 0) {
			struct timespec ts = {0, 50 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
		if (tick && tick_s > 0 && (cli_now() >= next || finished == n)) {
			tick(ctx, jobs, finished);
			next = cli_now() + tick_s;
		}
	}
	return first_rc;
}
