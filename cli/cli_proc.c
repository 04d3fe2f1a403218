/*
 * cli_proc.c - workers that die with their parent, and the temporary file
 * removed on a fatal signal (see cli_proc.h).
 *
 * The handler only calls async-signal-safe functions (unlink, kill,
 * waitpid, sigaction, raise). Its state is process-wide by nature (a
 * process has one set of signal handlers), so it is the CLI's one piece of
 * global mutable state; the libraries stay free of it.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_proc.h"

#define MAX_WORKERS 256

static volatile pid_t workers[MAX_WORKERS]; /* 0 = free slot */
static char tmp_path[4096];
static volatile sig_atomic_t tmp_set;
static bool installed;
static bool held;	   /* fatal signals blocked by cli_tmp_prepare() */
static sigset_t held_mask; /* the mask to go back to */

static void on_fatal_signal(int sig)
{
	int saved = errno;
	struct sigaction dfl;

	if (tmp_set)
		unlink(tmp_path);
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i] > 0)
			kill(workers[i], SIGTERM);
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i] > 0)
			while (waitpid(workers[i], NULL, 0) < 0 && errno == EINTR)
				;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	errno = saved;
	raise(sig); /* blocked while we run: delivered, and fatal, on return */
}

static void install(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa;

	if (installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigfillset(&sa.sa_mask); /* one fatal signal at a time */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* a signal ignored by whoever started us (nohup) stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	installed = true;
}

void cli_tmp_prepare(void)
{
	sigset_t fatal;

	install();
	if (held)
		return;
	sigemptyset(&fatal);
	sigaddset(&fatal, SIGTERM);
	sigaddset(&fatal, SIGINT);
	sigaddset(&fatal, SIGHUP);
	sigprocmask(SIG_BLOCK, &fatal, &held_mask);
	held = true;
}

void cli_tmp_register(const char *path)
{
	install();
	tmp_set = 0;
	if (path && strlen(path) < sizeof(tmp_path)) {
		memcpy(tmp_path, path, strlen(path) + 1);
		tmp_set = 1;
	}
	if (held) {
		held = false;
		sigprocmask(SIG_SETMASK, &held_mask, NULL); /* a pending signal lands now */
	}
}

pid_t cli_fork_worker(void)
{
	pid_t parent = getpid(), pid;
	sigset_t all, old;
	int slot = -1;

	install();
	for (int i = 0; i < MAX_WORKERS && slot < 0; i++)
		if (workers[i] == 0)
			slot = i;
	if (slot < 0) {
		errno = EAGAIN;
		return -1;
	}
	/* no fatal signal between fork() and the pid's registration */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		/* the child: its own workers and temporary file, none yet */
		for (int i = 0; i < MAX_WORKERS; i++)
			workers[i] = 0;
		tmp_set = 0;
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
			_exit(128 + SIGTERM); /* the parent is already gone */
	} else if (pid > 0) {
		workers[slot] = pid;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

void cli_worker_reaped(pid_t pid)
{
	for (int i = 0; i < MAX_WORKERS; i++)
		if (workers[i] == pid)
			workers[i] = 0;
}
