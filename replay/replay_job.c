/*
 * replay_job.c - see replay_job.h. The order of the steps is part of the
 * contract: the results file is opened (and its inputs written) before the
 * simulator is created, so a machine the simulator refuses, a bad trace and
 * a full disk all end the same way, with the temporary file removed and no
 * results; the tee sinks see each sample before the results do.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "replay_job.h"
#include "results_json.h"
#include "trace_ahead.h"
#include "trace_lookahead.h"

enum replay_status replay_config_resolve(const struct replay_overrides *o, struct sim_config *cfg,
					 char *msg, size_t msglen)
{
	sim_config_default(cfg);
	cfg->policies = CONFIG_POLICIES_UNSET; /* the profile's default unless a file or option
						  says */
	/* the config file first, the command's options over it */
	if (o->config && config_load(o->config, cfg, msg, msglen))
		return REPLAY_CONFIG;
	if (o->profile) {
		if (zs_profile_lookup(o->profile, NULL)) {
			snprintf(msg, msglen, "unknown profile '%s'", o->profile);
			return REPLAY_USAGE;
		}
		cfg->pool.profile = o->profile;
	}
	if (o->arch && zs_arch_lookup(o->arch, &cfg->pool.arch)) {
		snprintf(msg, msglen, "unknown arch '%s' (x86_64 or arm32)", o->arch);
		return REPLAY_USAGE;
	}
	if (o->policies) {
		char bad[64] = "";

		if (config_policy_parse(o->policies, &cfg->policies, bad, sizeof(bad))) {
			snprintf(msg, msglen, "unknown policy '%s'", bad);
			return REPLAY_USAGE;
		}
	}
	if (o->have_seed)
		cfg->seed = o->seed;
	if (o->have_check)
		cfg->check_every = o->check_every;
	if (o->have_sample)
		cfg->sample_every = o->sample_every;
	if (o->have_payload)
		cfg->payload = o->payload;
	if (o->have_lookahead)
		cfg->lookahead = o->lookahead;
	cfg->timing = o->timing;
	cfg->op_timing = o->op_timing;
	config_finish(cfg);
	if (config_check_policies(cfg, msg, msglen))
		return REPLAY_USAGE;
	return REPLAY_OK;
}

/* The look-ahead's hook: the engine prefetches what a coming event touches. */
static void prefetch_hook(void *ctx, const struct sim_event *ev, unsigned int depth)
{
	sim_prefetch(ctx, ev, depth);
}

/* The look-ahead's two sources: the reader itself, or its decoding thread. */
static int from_reader(void *src, struct sim_event *ev, char *msg, size_t msglen)
{
	return trace_reader_next(src, ev, msg, msglen);
}

static int from_thread(void *src, struct sim_event *ev, char *msg, size_t msglen)
{
	return trace_ahead_next(src, ev, msg, msglen);
}

/* Bytes of the trace file read so far, as of the events handed out (progress). */
static long long file_pos(const struct trace_reader *r, const struct trace_ahead *ahead)
{
	return ahead ? trace_ahead_file_pos(ahead) : trace_reader_file_pos(r);
}

static enum replay_status events_loop(struct sim *sim, struct trace_lookahead *la,
				      struct trace_reader *r, struct trace_ahead *ahead,
				      const char *name, const struct replay_progress *p,
				      char *msg, size_t msglen)
{
	struct sim_event ev;
	int n;

	while ((n = trace_lookahead_next(la, &ev, msg, msglen)) == 1) {
		char why[400];
		int err = sim_event(sim, &ev, why, sizeof(why));

		if (err) {
			snprintf(msg, msglen, "%s:%llu: %s", name, (unsigned long long)ev.line,
				 why);
			return err == -EUCLEAN ? REPLAY_CHECK : REPLAY_DATA;
		}
		if (p && p->fn && (sim_events(sim) & p->mask) == 0)
			p->fn(p->ctx, file_pos(r, ahead), sim_events(sim), false);
	}
	if (n < 0)
		return REPLAY_DATA; /* the reader's message names file and line */
	if (p && p->fn)
		p->fn(p->ctx, file_pos(r, ahead), sim_events(sim), true);
	return REPLAY_OK;
}

enum replay_status replay_loop(struct sim *sim, struct trace_reader *r, const char *name,
			       const struct replay_progress *p, char *msg, size_t msglen)
{
	struct trace_lookahead la;
	struct trace_ahead *ahead = NULL;
	enum replay_status st;

	/*
	 * Decoding on another thread and events decoded ahead: speed only, the
	 * same results. The thread for text only: a binary trace decodes at a
	 * few percent of the replay, and on the 2.3 GB-pool trace handing its
	 * events across cores cost more than that (BENCHMARKS.md, "Eighth
	 * session"). Never for a pipe (trace_ahead.h): then it is read here.
	 */
	if (sim_get_config(sim)->reader_thread && trace_reader_format(r) == TRACE_FORMAT_TEXT)
		(void)trace_ahead_start(r, &ahead);
	trace_lookahead_init(&la, ahead ? from_thread : from_reader, ahead ? (void *)ahead : r,
			     prefetch_hook, sim, SIM_PREFETCH_DEPTHS, sim_get_config(sim)->lookahead);
	st = events_loop(sim, &la, r, ahead, name, p, msg, msglen);
	trace_ahead_stop(ahead); /* the reader is ours again: its live IDs, its end */
	return st;
}

/* --- the job --- */

/* The results' sinks and the caller's, both fed (replay's summary beside the file). */
struct tee {
	struct sim_sinks a, b;
};

static void tee_snapshot(void *ctx, const struct sim_snapshot *s)
{
	struct tee *t = ctx;

	if (t->a.snapshot)
		t->a.snapshot(t->a.ctx, s);
	if (t->b.snapshot)
		t->b.snapshot(t->b.ctx, s);
}

static void tee_compaction(void *ctx, const struct sim_compaction *c)
{
	struct tee *t = ctx;

	if (t->a.compaction)
		t->a.compaction(t->a.ctx, c);
	if (t->b.compaction)
		t->b.compaction(t->b.ctx, c);
}

static void tee_verify(void *ctx, const struct sim_verify *v)
{
	struct tee *t = ctx;

	if (t->a.verify)
		t->a.verify(t->a.ctx, v);
	if (t->b.verify)
		t->b.verify(t->b.ctx, v);
}

static enum replay_status open_trace(const struct replay_job *job, struct trace_reader **r,
				     char *msg, size_t msglen)
{
	if (trace_reader_open(job->trace, r, msg, msglen) != 0)
		return access(job->trace, R_OK) == 0 || !strcmp(job->trace, "-") ? REPLAY_DATA
										 : REPLAY_NOINPUT;
	if (trace_reader_page_size(*r) != job->cfg->pool.page_size) {
		snprintf(msg, msglen, "%s: trace page size %zu differs from the machine's %zu",
			 job->trace, trace_reader_page_size(*r), job->cfg->pool.page_size);
		trace_reader_close(*r);
		*r = NULL;
		return REPLAY_DATA;
	}
	return REPLAY_OK;
}

/* The results document's head: the machine, the trace, timing, then the caller's keys. */
static enum replay_status open_results(const struct replay_job *job, struct results_json *rj,
				       char *msg, size_t msglen)
{
	json_t *inputs = config_to_json(job->cfg);
	const char *key;
	json_t *val;
	int err;

	config_json_set_path(inputs, "trace", job->trace);
	json_object_set_new(inputs, "timing", json_boolean(job->cfg->timing));
	json_object_foreach(job->extra_inputs, key, val) json_object_set(inputs, key, val);
	if (job->temp_prepare)
		job->temp_prepare();
	err = results_json_open(rj, job->json_out, inputs, job->cfg->timing);
	if (err) {
		snprintf(msg, msglen, "cannot write %s: %s", job->json_out, strerror(-err));
		return err == -ENOMEM ? REPLAY_NOMEM : REPLAY_OUTPUT;
	}
	if (job->temp_file)
		job->temp_file(results_json_temp_name(rj));
	return REPLAY_OK;
}

enum replay_status replay_job_run(const struct replay_job *job, char *msg, size_t msglen)
{
	struct results_json rj;
	struct tee tee = {{0}, {0}};
	struct sim_sinks sinks = {0};
	struct trace_reader *r = NULL;
	struct sim *sim = NULL;
	bool have_rj = false;
	enum replay_status st;
	int err;

	st = open_trace(job, &r, msg, msglen);
	if (st)
		return st;
	if (job->json_out) {
		st = open_results(job, &rj, msg, msglen);
		if (st)
			goto out;
		have_rj = true;
		results_json_sinks(&rj, &tee.b);
	}
	if (job->tee)
		tee.a = *job->tee;
	sinks = (struct sim_sinks){.ctx = &tee,
				   .snapshot = tee_snapshot,
				   .compaction = tee_compaction,
				   .verify = tee_verify};
	if (sim_create(job->cfg, &sinks, &sim, msg, msglen) != 0) {
		st = REPLAY_CONFIG;
		goto out;
	}
	st = replay_loop(sim, r, job->trace, &job->progress, msg, msglen);
	if (st)
		goto out;
	sim_finish(sim);
	if (job->finished)
		job->finished(job->finished_ctx, sim);
	if (have_rj) {
		have_rj = false;
		err = results_json_finish(&rj);
		if (err) {
			snprintf(msg, msglen, "cannot write %s: %s", job->json_out, strerror(-err));
			st = REPLAY_OUTPUT;
		}
	}
out:
	if (have_rj)
		results_json_abort(&rj);
	if (job->json_out && job->temp_file)
		job->temp_file(NULL);
	sim_destroy(sim);
	trace_reader_close(r);
	return st;
}

int replay_count_events(const char *trace, uint64_t *events, char *msg, size_t msglen)
{
	struct trace_reader *r = NULL;
	struct sim_event ev;
	uint64_t n = 0;
	int got, err;

	*events = 0;
	err = trace_reader_open(trace, &r, msg, msglen);
	if (err)
		return err;
	while ((got = trace_reader_next(r, &ev, msg, msglen)) == 1)
		n++;
	trace_reader_close(r);
	*events = n;
	return got < 0 ? got : 0;
}
