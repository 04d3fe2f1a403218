/*
 * replay_job.h - the one replay pipeline. `zsfrag replay`, every run of
 * `zsfrag compare`, `zsfrag sweep run` and the replay benchmark go through
 * here, so a trace is replayed the same way whichever command asks:
 *
 *   replay_config_resolve()  the machine: the config file, then the command's
 *                            profile, arch, policies, seed... over it, the
 *                            policies checked against the profile
 *   replay_job_run()         open the trace, check its page size, write the
 *                            inputs, set up the sinks, run the event loop,
 *                            finish, put the results file in place
 *   replay_loop()            the event loop alone: every event of an open
 *                            reader through sim_event(), errors as
 *                            "TRACE:LINE: what" (the benchmark's entry)
 *   replay_count_events()    a trace's events, through the trace reader, so
 *                            every format (text, .ztb, compressed) counts alike
 *
 * Libraries never print: a status and a one-line message come back, and the
 * CLI turns the status into a sysexits code (cli_replay_exit).
 */
#ifndef ZSFRAG_REPLAY_JOB_H
#define ZSFRAG_REPLAY_JOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a replay ended; cli_replay_exit() names the sysexits code of each. */
enum replay_status {
	REPLAY_OK,
	REPLAY_USAGE,	/* an unknown profile, arch or policy; a policy the profile lacks */
	REPLAY_CONFIG,	/* the config file, or a machine the simulator refuses */
	REPLAY_NOINPUT, /* the trace does not exist or cannot be read */
	REPLAY_DATA,	/* a bad trace (TRACE:LINE: what), or a page size not the machine's */
	REPLAY_CHECK,	/* a broken invariant (--check-every) */
	REPLAY_OUTPUT,	/* the results file could not be written */
	REPLAY_NOMEM,	/* out of memory */
};

/* What a command may set over the config file; each only when given. */
struct replay_overrides {
	const char *config;    /* machine JSON file, or NULL */
	const char *profile;   /* NULL: the config's, else v4.1 */
	const char *arch;      /* NULL: the config's, else arm32 */
	const char *policies;  /* "a+b" or "a,b"; NULL: the config's */
	uint64_t seed;	       /* payload seed, when have_seed */
	uint64_t sample_every; /* events between periodic snapshots, when have_sample */
	uint64_t check_every;  /* events between invariant walks, when have_check */
	enum sim_payload payload; /* page contents the host keeps, when have_payload */
	unsigned int lookahead;	  /* events per prefetch depth, when have_lookahead */
	bool have_seed, have_sample, have_check, have_payload, have_lookahead;
	bool timing;	/* host CPU times in the results */
	bool op_timing; /* also time every zs_malloc and zs_free */
};

/*
 * cfg from o: defaults, the config file, the overrides, config_finish(),
 * config_check_policies(). REPLAY_OK, else REPLAY_CONFIG (the file) or
 * REPLAY_USAGE (an override, a policy the profile lacks) with msg.
 */
enum replay_status replay_config_resolve(const struct replay_overrides *o, struct sim_config *cfg,
					 char *msg, size_t msglen);

/*
 * Progress: fn(ctx, bytes of the trace file read so far (trace_reader_file_pos(): -1 for a
 * pipe), events so far, final) every mask + 1 events (mask + 1 a power of two), and once
 * with final set when the trace has been read to its end.
 */
struct replay_progress {
	void (*fn)(void *ctx, long long file_pos, uint64_t events, bool final);
	void *ctx;
	uint64_t mask;
};

/*
 * Every event of r through sim, until the trace ends. REPLAY_OK, or
 * REPLAY_DATA / REPLAY_CHECK with "NAME:LINE: what" in msg (LINE the record
 * number in a binary trace). p may be NULL. Does not call sim_finish().
 */
enum replay_status replay_loop(struct sim *sim, struct trace_reader *r, const char *name,
			       const struct replay_progress *p, char *msg, size_t msglen);

struct replay_job {
	const char *trace;	      /* a path, or "-" for stdin */
	const struct sim_config *cfg; /* the machine, resolved (replay_config_resolve) */
	const char *json_out;	      /* the results file ("-": stdout), or NULL for none */
	json_t *extra_inputs; /* borrowed, may be NULL: added to the results' inputs after the
				 machine, "trace" and "timing", in their order */
	const struct sim_sinks *tee;	 /* may be NULL: also gets every snapshot, compaction and
					    verification, before the results do */
	struct replay_progress progress; /* fn may be NULL */
	/* may be NULL: called after sim_finish(), before the results file is put in place */
	void (*finished)(void *ctx, struct sim *sim);
	void *finished_ctx;
	/* may be NULL: called just before the results file is created (a process holds its
	 * fatal signals back from there: cli_tmp_prepare), then temp_file() with its temporary
	 * name while it exists, then with NULL (a process removes the file if a signal ends it:
	 * cli_tmp_register) */
	void (*temp_prepare)(void);
	void (*temp_file)(const char *path);
};

/*
 * The whole pipeline for one trace under one machine. REPLAY_OK, else the
 * status and msg ("TRACE:LINE: what", "cannot write OUT: why", ...); on any
 * failure no results file exists and OUT is left as it was.
 */
enum replay_status replay_job_run(const struct replay_job *job, char *msg, size_t msglen);

/*
 * The events in a trace, counted by reading it through the trace reader
 * (what a replay will see, whatever the format and compression). 0 or
 * -errno with msg; a trace that breaks off counts the events before the
 * break and says so in msg with -EINVAL.
 */
int replay_count_events(const char *trace, uint64_t *events, char *msg, size_t msglen);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_REPLAY_JOB_H */
