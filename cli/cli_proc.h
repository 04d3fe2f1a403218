/*
 * cli_proc.h - worker processes that die with the command that forked them,
 * and a temporary file that is removed when a signal ends the process.
 *
 * compare forks one replay per run; before this, signalling only the parent
 * (SIGTERM, SIGINT, SIGKILL from another shell) left the replays running,
 * and they wrote their results long after the command was gone.
 *
 *   - cli_fork_worker() forks; the child asks the kernel for SIGTERM when
 *     its parent dies (PR_SET_PDEATHSIG, which also covers a SIGKILLed
 *     parent), then checks that its parent is still the one that forked it
 *     (it may have died between fork() and prctl()).
 *   - The first call installs a handler for SIGTERM, SIGINT and SIGHUP: it
 *     removes the registered temporary file, sends SIGTERM to the live
 *     workers and reaps them, then dies of the same signal (so the exit
 *     status still says which). Workers inherit it: a worker killed this way
 *     removes its own half-written results before it dies.
 *   - cli_tmp_register() names the file a process is writing to under a
 *     temporary name (NULL when it has been renamed into place). Between
 *     the file's creation and its registration a signal would leave it
 *     behind, so cli_tmp_prepare() holds the fatal signals back from just
 *     before the creation until the next cli_tmp_register(), which lets a
 *     signal that came meanwhile in (and so removes the file).
 */
#ifndef ZSFRAG_CLI_PROC_H
#define ZSFRAG_CLI_PROC_H

#include <sys/types.h>

/* fork(): the pid in the parent, 0 in the child, -1 with errno. */
pid_t cli_fork_worker(void);
/* The parent has reaped worker pid (waitpid returned it): forget it. */
void cli_worker_reaped(pid_t pid);
/* Hold SIGTERM, SIGINT and SIGHUP until the next cli_tmp_register(): call before creating. */
void cli_tmp_prepare(void);
/* The temporary file to remove if a signal ends the process; NULL = none. Releases the hold. */
void cli_tmp_register(const char *path);

#endif /* ZSFRAG_CLI_PROC_H */
