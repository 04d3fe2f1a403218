// SPDX-License-Identifier: GPL-2.0
/*
 * forkprobe.c - the guest side of the trace's "F N LABEL" event: fork up to
 * N children that each pause() (so every child keeps its page directory,
 * its page tables, its kernel stack and its task/mm slab objects), and say
 * for each fork what the kernel had to do to satisfy it.
 *
 *   forkprobe N LABEL [VMSTAT_PATH]
 *
 * Built statically for the guest (x86_64 or armhf) by scripts/kernel-check
 * and run by kernel/guest-init.sh. Output, one kernel log record each
 * (/dev/kmsg, as guest-init.sh writes its own; stdout when it cannot be
 * opened), parsed from the serial console by scripts/kernel-check-compare:
 *
 *   ZSK fork_pcp label=L when=start|children t_ms=T zone=Z count=C high=H
 *       batch=B free=F (each zone's per-CPU list, once the lists are drained
 *       before the first fork, and as the forks left them)
 *   ZSK fork label=L i=I result=R pid=P allocstall=A compact_stall=C
 *       compact_success=S oom_kill=O free_delta=D pgfree=G pgfree_gap=P t_ms=T
 *       [pcp_ZONE=C,H] (D: nr_free_pages, which lags by up to the per-CPU stat
 *       threshold; G: pages freed during the fork() call, P: since the previous
 *       fork() returned, both exact; T: CLOCK_MONOTONIC in ms; with
 *       ZSK_PROBE_PCP in the environment, C, H: each zone's per-CPU list count
 *       and high after the fork)
 *   ZSK fork_end label=L n=N attempted=.. fast=.. compact=.. reclaim=..
 *       oom=.. enomem=.. failed=.. killed=.. stopped=0|1 d_COUNTER=.. (the
 *       whole probe's vmstat deltas) d_free_ZONE=.. (each zone's pages free)
 *
 * R, per fork, from the /proc/vmstat deltas around the fork() call alone:
 *   fast     no stall: allocstall_* and compact_stall unchanged
 *   compact  a direct compaction stall, no direct reclaim
 *   reclaim  a direct reclaim stall (allocstall_*; compaction may also have run)
 *   oom      the OOM killer ran (oom_kill grew); the fork itself succeeded
 *   enomem   fork() failed with ENOMEM
 *   failed   fork() failed otherwise (errno in err=)
 * Stalls of other tasks (kswapd does not count in allocstall) could blur this
 * only if something else ran: the guest runs nothing else.
 *
 * Why the probe stops at the first OOM kill: the children are the only
 * victims (the probe makes itself unkillable with oom_score_adj -1000 and
 * marks each child 1000), and a guest whose OOM killer runs out of victims
 * panics ("System is deadlocked on memory"). After a kill the remaining
 * forks are not attempted (stopped=1).
 *
 * /proc/vmstat is opened once and re-read from offset 0: its seq_file
 * buffer is allocated at the first read, while memory is still available,
 * and reused, so reading the counters takes no new page during the probe.
 * At the end every child is killed (SIGKILL) and reaped: the probe leaves
 * memory as it found it, less what the kernel keeps cached.
 *
 * main: probe_one_fork for each fork (classify_fork its result), then
 * report_probe_end and kill_children.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FP_MAX_CHILDREN 100000
#define FP_BUF 16384 /* bytes: /proc/vmstat is about 5 KiB on 6.1 and 6.12 */

enum fp_counter {
	FP_FREE,	   /* nr_free_pages */
	FP_ALLOCSTALL,	   /* sum of allocstall_<zone> */
	FP_COMPACT_STALL,
	FP_COMPACT_FAIL,
	FP_COMPACT_SUCCESS,
	FP_OOM_KILL,
	FP_PGMIGRATE,	   /* pgmigrate_success */
	FP_PAGEOUTRUN,	   /* kswapd reclaim runs */
	FP_PGSTEAL_DIRECT,
	FP_PGSTEAL_KSWAPD,
	FP_PAGETABLES,	   /* nr_page_table_pages */
	FP_KSTACK_KB,	   /* nr_kernel_stack, KiB */
	FP_SLAB_UNRECL,	   /* nr_slab_unreclaimable, pages */
	FP_PGFREE,	   /* pages freed (an event counter: exact at every read) */
	FP_NR
};

static const char *const fp_names[FP_NR] = {
    "nr_free_pages", "allocstall", "compact_stall", "compact_fail", "compact_success",
    "oom_kill", "pgmigrate_success", "pageoutrun", "pgsteal_direct", "pgsteal_kswapd",
    "nr_page_table_pages", "nr_kernel_stack", "nr_slab_unreclaimable", "pgfree"};

#define FP_ZONES 6
#define FP_LINE 992 /* bytes: the longest record /dev/kmsg takes on 6.1 */

static char buf[FP_BUF];
static char zbuf[4 * FP_BUF];
static pid_t children[FP_MAX_CHILDREN];
static long nr_children; /* forked so far: children[0, nr_children) */

static int read_vmstat(int fd, long long v[FP_NR])
{
	ssize_t n, got = 0;
	char *line, *save = NULL;

	memset(v, 0, sizeof(long long) * FP_NR);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	if (n < 0)
		return -1;
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		long long x;
		int k;

		if (!sp)
			continue;
		*sp = '\0';
		x = atoll(sp + 1);
		if (!strncmp(line, "allocstall_", 11)) {
			v[FP_ALLOCSTALL] += x;
			continue;
		}
		for (k = 0; k < FP_NR; k++)
			if (k != FP_ALLOCSTALL && !strcmp(line, fp_names[k]))
				v[k] = x;
	}
	return 0;
}

/*
 * "pages free" of each zone in /proc/zoneinfo, in file order, and its first CPU's
 * per-CPU list figures (pageset "count:", "high:", "batch:"; -1 where absent: the
 * guests run one CPU); returns the zone count.
 */
static int read_zone_free(int fd, char names[FP_ZONES][16], long long freep[FP_ZONES],
			  long long pcp[FP_ZONES][3])
{
	ssize_t n, got = 0;
	char *line, *save = NULL;
	int z = -1;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return 0;
	while ((n = read(fd, zbuf + got, sizeof(zbuf) - 1 - (size_t)got)) > 0)
		got += n;
	zbuf[got > 0 ? got : 0] = '\0';
	for (line = strtok_r(zbuf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, ", zone");
		long long x;

		if (!strncmp(line, "Node", 4) && p && z + 1 < FP_ZONES) {
			z++;
			sscanf(p + 6, "%15s", names[z]);
			freep[z] = 0;
			pcp[z][0] = pcp[z][1] = pcp[z][2] = -1;
		} else if (z >= 0 && sscanf(line, " pages free %lld", &x) == 1) {
			freep[z] = x;
		} else if (z >= 0 && pcp[z][0] < 0 && sscanf(line, " count: %lld", &x) == 1) {
			pcp[z][0] = x;
		} else if (z >= 0 && pcp[z][1] < 0 && sscanf(line, " high: %lld", &x) == 1) {
			pcp[z][1] = x;
		} else if (z >= 0 && pcp[z][2] < 0 && sscanf(line, " batch: %lld", &x) == 1) {
			pcp[z][2] = x;
		}
	}
	return z + 1;
}

static int kmsg_fd = -1;

/*
 * One result line as one kernel log record: the console prints a record
 * whole, while a line written to the console tty can be cut by a kernel
 * message (the OOM killer's report among them) printed meanwhile.
 */
static void __attribute__((format(printf, 1, 2))) report(const char *fmt, ...)
{
	char line[FP_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (kmsg_fd < 0 || write(kmsg_fd, line, (size_t)n) != n) {
		fputs(line, stdout);
		fflush(stdout);
	}
}

/* snprintf at b + at, for building a line in pieces; returns the new end */
static size_t __attribute__((format(printf, 4, 5)))
appendf(char *b, size_t size, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= size)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(b + at, size - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + (size_t)n;
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0) {
			/* best effort: a missing knob changes only who the OOM killer picks */
		}
		close(fd);
	}
}

/*
 * The objects and slabs of the caches a fork takes objects from, as one
 * "ZSK fork_slab_probe" record per cache (sim/fork_slab.c's per-fork counts
 * are the difference between when=start and when=children, per fork).
 */
static void slab_report(const char *label, const char *when)
{
	static const char *const caches[] = {
	    "task_struct", "mm_struct",	    "vm_area_struct", "anon_vma",
	    "anon_vma_chain", "signal_cache", "sighand_cache", "files_cache",
	    "fs_cache",	  "pid",	    "cred_jar",	      "cred"};

	for (size_t k = 0; k < sizeof(caches) / sizeof(caches[0]); k++) {
		static const char *const files[] = {"objects", "slabs"};
		long long v[2] = {-1, -1};

		for (int f = 0; f < 2; f++) {
			char path[96], b[64];
			int fd;
			ssize_t r;

			snprintf(path, sizeof(path), "/sys/kernel/slab/%s/%s", caches[k], files[f]);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			r = read(fd, b, sizeof(b) - 1);
			close(fd);
			if (r > 0) {
				b[r] = '\0';
				v[f] = atoll(b);
			}
		}
		if (v[0] >= 0)
			report("ZSK fork_slab_probe label=%s when=%s cache=%s objects=%lld slabs=%lld\n",
			       label, when, caches[k], v[0], v[1]);
	}
}

/* Reap children that died (the OOM killer's victims); returns how many. */
static int reap(void)
{
	int st, n = 0;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		n++;
		for (int i = 0; i < FP_MAX_CHILDREN; i++)
			if (children[i] == p) {
				children[i] = 0;
				break;
			}
	}
	return n;
}

/* What the probe's forks came to, for the fork_end line. */
struct fp_tally {
	long fast, compact, reclaim, oom, enomem, failed, killed;
};

/* "pages free" and the pcp figures of each zone at one moment: read_zone_free's result. */
struct fp_zones {
	char names[FP_ZONES][16];
	long long freep[FP_ZONES];
	long long pcp[FP_ZONES][3]; /* count, high, batch (pages; -1: not shown) */
	int nr;
};

static int zfd = -1; /* /proc/zoneinfo, opened once (its seq_file buffer is reused) */
/*
 * ZSK_PROBE_PCP set (kernel-check --probe-pcp): read the lists after every fork. Off by
 * default: the read adds about 20 ms a fork under TCG (a 3,000-fork probe of the x86_64
 * 6.12 guest took 105 s with it, 42 s without), and the guest's background work (kswapd,
 * kcompactd, the vmstat worker) runs by the clock.
 */
static int per_fork_pcp;

static int read_zones(struct fp_zones *z)
{
	z->nr = read_zone_free(zfd, z->names, z->freep, z->pcp);
	return z->nr;
}

/* milliseconds of CLOCK_MONOTONIC (uptime, less suspend): when a line was made */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The per-CPU lists of every zone that has them (batch > 0), as one record per zone:
 * "ZSK fork_pcp label=L when=W t_ms=T zone=Z count=C high=H batch=B free=F". At
 * when=start (after the drain, before the first fork) high is what the lists may grow
 * to, and in 6.12 what caps a refill (nr_pcp_alloc: high - count - batch).
 */
static void pcp_report(const char *label, const char *when, const struct fp_zones *z)
{
	long long t = now_ms();

	for (int i = 0; i < z->nr; i++)
		if (z->pcp[i][2] > 0)
			report("ZSK fork_pcp label=%s when=%s t_ms=%lld zone=%s count=%lld high=%lld "
			       "batch=%lld free=%lld\n",
			       label, when, t, z->names[i], z->pcp[i][0], z->pcp[i][1], z->pcp[i][2],
			       z->freep[i]);
}

/* " pcp_ZONE=count,high" for each zone with lists, after fork i, into b */
static void pcp_fields(char *b, size_t size, const struct fp_zones *z)
{
	size_t at = 0;

	b[0] = '\0';
	for (int i = 0; i < z->nr; i++)
		if (z->pcp[i][2] > 0)
			at = appendf(b, size, at, " pcp_%s=%lld,%lld", z->names[i], z->pcp[i][0],
				     z->pcp[i][1]);
}

/* A fork's result from the vmstat deltas around it (see the head comment), counted in t. */
static const char *classify_fork(pid_t pid, int err, const long long before[FP_NR],
				 const long long after[FP_NR], struct fp_tally *t)
{
	if (pid < 0) {
		if (err == ENOMEM) {
			t->enomem++;
			return "enomem";
		}
		t->failed++;
		return "failed";
	}
	if (after[FP_OOM_KILL] > before[FP_OOM_KILL]) {
		t->oom++;
		return "oom";
	}
	if (after[FP_ALLOCSTALL] > before[FP_ALLOCSTALL]) {
		t->reclaim++;
		return "reclaim";
	}
	if (after[FP_COMPACT_STALL] > before[FP_COMPACT_STALL]) {
		t->compact++;
		return "compact";
	}
	t->fast++;
	return "fast";
}

/*
 * Fork number i: the child pauses for good, the parent marks it the OOM
 * killer's first choice, reaps what was killed and reports the fork's line.
 * True when the probe must stop (an OOM kill, or a child killed).
 */
static int probe_one_fork(int fd, const char *label, long i, struct fp_tally *t)
{
	static long long last_pgfree = -1; /* pgfree after the previous fork() */
	long long before[FP_NR], after[FP_NR];
	struct fp_zones zs;
	char pcpf[256];
	const char *res;
	pid_t pid;
	int err;

	read_vmstat(fd, before);
	pid = fork();
	err = errno;
	if (pid == 0) {
		for (;;)
			pause();
	}
	read_vmstat(fd, after);
	res = classify_fork(pid, err, before, after, t);
	if (pid > 0) {
		char path[64];

		children[nr_children++] = pid;
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
		write_str(path, "1000");
	}
	t->killed += reap();
	pcpf[0] = '\0';
	if (per_fork_pcp) {
		read_zones(&zs);
		pcp_fields(pcpf, sizeof(pcpf), &zs);
	}
	report("ZSK fork label=%s i=%ld result=%s pid=%d err=%d allocstall=%lld "
	       "compact_stall=%lld compact_success=%lld oom_kill=%lld free_delta=%lld "
	       "pgfree=%lld pgfree_gap=%lld t_ms=%lld%s\n",
	       label, i, res, (int)pid, pid < 0 ? err : 0,
	       after[FP_ALLOCSTALL] - before[FP_ALLOCSTALL],
	       after[FP_COMPACT_STALL] - before[FP_COMPACT_STALL],
	       after[FP_COMPACT_SUCCESS] - before[FP_COMPACT_SUCCESS],
	       after[FP_OOM_KILL] - before[FP_OOM_KILL], after[FP_FREE] - before[FP_FREE],
	       after[FP_PGFREE] - before[FP_PGFREE],
	       last_pgfree < 0 ? 0 : before[FP_PGFREE] - last_pgfree, now_ms(), pcpf);
	last_pgfree = after[FP_PGFREE];
	return after[FP_OOM_KILL] > before[FP_OOM_KILL] || t->killed > 0;
}

/* The fork_end line: the tally, then the whole probe's vmstat and per-zone free deltas. */
static void report_probe_end(const char *label, long n, long attempted, const struct fp_tally *t,
			     int stopped, const long long v0[FP_NR], const long long end[FP_NR],
			     const struct fp_zones *z0, const struct fp_zones *z1)
{
	char tail[FP_LINE] = "";
	size_t at = 0;

	for (int k = 0; k < FP_NR; k++)
		at = appendf(tail, sizeof(tail), at, " d_%s=%lld", fp_names[k], end[k] - v0[k]);
	for (int z = 0; z < z0->nr && z < z1->nr; z++)
		if (!strcmp(z0->names[z], z1->names[z]))
			at = appendf(tail, sizeof(tail), at, " d_free_%s=%lld", z0->names[z],
				     z1->freep[z] - z0->freep[z]);
	report("ZSK fork_end label=%s n=%ld attempted=%ld fast=%ld compact=%ld reclaim=%ld "
	       "oom=%ld enomem=%ld failed=%ld killed=%ld stopped=%d%s\n",
	       label, n, attempted, t->fast, t->compact, t->reclaim, t->oom, t->enomem, t->failed,
	       t->killed, stopped, tail);
}

/* Kill every child still there and reap them all. */
static void kill_children(void)
{
	for (long i = 0; i < nr_children; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	long long v0[FP_NR], end[FP_NR];
	struct fp_zones z0, z1;
	struct fp_tally t = {0};
	long n, i;
	int fd, stopped = 0;
	const char *label;

	if (argc < 3 || (n = atol(argv[1])) < 0 || n > FP_MAX_CHILDREN) {
		fprintf(stderr, "usage: forkprobe N LABEL [VMSTAT] (N <= %d)\n", FP_MAX_CHILDREN);
		return 64;
	}
	label = argv[2];
	per_fork_pcp = getenv("ZSK_PROBE_PCP") != NULL;
	kmsg_fd = open("/dev/kmsg", O_WRONLY);
	fd = open(argc > 3 ? argv[3] : "/proc/vmstat", O_RDONLY);
	if (fd < 0 || read_vmstat(fd, v0) < 0) {
		report("ZSK error msg=forkprobe cannot read /proc/vmstat\n");
		return 1;
	}
	write_str("/proc/self/oom_score_adj", "-1000");
	zfd = open("/proc/zoneinfo", O_RDONLY);
	/* Per-CPU lists hide freed pages from "pages free": drain them (the
	 * module's /proc/zsfrag_kdrain, when loaded) before both zone reads. */
	write_str("/proc/zsfrag_kdrain", "1");
	slab_report(label, "start");
	write_str("/proc/zsfrag_kdrain", "1");
	read_zones(&z0);
	read_vmstat(fd, v0);
	pcp_report(label, "start", &z0);

	for (i = 0; i < n && !stopped; i++)
		stopped = probe_one_fork(fd, label, i, &t);
	read_zones(&z1);
	pcp_report(label, "children", &z1); /* before the drain: what the forks left */
	write_str("/proc/zsfrag_kdrain", "1");
	read_zones(&z1);
	read_vmstat(fd, end);
	slab_report(label, "children");
	report_probe_end(label, n, i, &t, stopped, v0, end, &z0, &z1);
	kill_children();
	return 0;
}
