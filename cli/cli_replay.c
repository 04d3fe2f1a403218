/*
 * cli_replay.c - `zsfrag replay TRACE`: replay a trace through zram,
 * zsmalloc and emulated physical memory; print a summary, write results JSON.
 *
 * Exit codes (sysexits): 0 ok, EX_USAGE bad options, EX_DATAERR a bad trace
 * (file:line: what), EX_NOINPUT missing file, EX_CONFIG bad config,
 * EX_SOFTWARE a broken invariant (--check-every), EX_CANTCREAT output.
 * On any error no results file is written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opt.h"
#include "cli_proc.h"
#include "cli_util.h"
#include "config.h"
#include "outfile.h"
#include "replay_job.h"

struct replay_summary {
	struct sim_snapshot last; /* scalars of the last snapshot */
	uint64_t compactions, pages_freed, objs_migrated, bytes_copied, cpu_ns;
	uint64_t mismatches;
	uint64_t verifies;	  /* `v` events */
	enum sim_payload payload; /* the mode the replay ran in (auto resolved) */
};

static void sum_snapshot(void *ctx, const struct sim_snapshot *s)
{
	struct replay_summary *rs = ctx;

	rs->last = *s;
	rs->last.classes = NULL; /* only valid during the call */
	rs->last.label = NULL;
}

static void sum_compaction(void *ctx, const struct sim_compaction *c)
{
	struct replay_summary *rs = ctx;

	rs->compactions++;
	rs->pages_freed += c->result.pages_freed;
	rs->objs_migrated += c->result.objs_migrated;
	rs->bytes_copied += c->result.bytes_copied;
	rs->cpu_ns += c->cpu_ns;
}

static void sum_verify(void *ctx, const struct sim_verify *v)
{
	struct replay_summary *rs = ctx;

	rs->mismatches += v->mismatches;
	rs->verifies++;
}

static int parse_payload(const char *arg, void *dst)
{
	return sim_payload_lookup(arg, dst);
}

/* The options: parse_opts() fills these (o: the replay job's overrides). */
struct replay_opts {
	struct replay_overrides o;
	const char *json_out;
	bool quiet;
	bool config_keys;
};

static void replay_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(f, "usage: zsfrag replay TRACE [OPTIONS]\n\n"
		   "Replay a zsfrag trace (text or binary, plain or .zst/.gz, '-' for stdin)\n"
		   "through zram and zsmalloc on an emulated machine; print a summary and\n"
		   "optionally write results as JSON. In errors, LINE is the record number for\n"
		   "binary traces. A second core, when there is one, backs the host memory the\n"
		   "pool grows into and decodes a text trace ahead (config keys host_prefault,\n"
		   "host_reader_thread: speed only, results are the same).\n\n");
	for (const struct cli_opt *o = opts; o->name; o++) {
		cli_opt_help_row(f, o);
		if (strcmp(o->name, "policy"))
			continue;
		/* the policies' own list, from the policy table */
		for (unsigned int i = 0; i < POLICY_NR; i++)
			fprintf(f, "                           %-15s %s\n",
				policy_get((enum policy_id)i)->name,
				policy_get((enum policy_id)i)->help);
		fprintf(f, "                         or none\n");
	}
}

static int parse_options(int argc, char **argv, struct replay_opts *r)
{
	struct replay_overrides *o = &r->o;
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "profile", .short_name = 'p', .arg = "P", .kind = CLI_OPT_STRING,
	     .dst = &o->profile,
	     .help = "kernel profile (v3.18 rfc2014 v4.1 v4.3 v4.8 v6.1 v6.12;\n"
		     "default v4.1, the seed's design as merged)"},
	    {.name = "arch", .short_name = 'a', .arg = "A", .kind = CLI_OPT_STRING, .dst = &o->arch,
	     .help = "arm32 (default, a 32-bit ARM phone) or x86_64"},
	    {.name = "config", .short_name = 'c', .arg = "FILE", .kind = CLI_OPT_STRING,
	     .dst = &o->config, .help = "the emulated machine as JSON (README: Configuration;\n"
					"--config-keys lists the keys)"},
	    {.name = "config-keys", .kind = CLI_OPT_SET, .dst = &r->config_keys,
	     .help = "list every config key, its values and default, and exit"},
	    {.name = "policy", .short_name = 'P', .arg = "LIST", .kind = CLI_OPT_STRING,
	     .dst = &o->policies,
	     .help = "compaction policies, joined by ',' or '+' (default manual,\n"
		     "none on v3.18); one the profile's kernel does not have\n"
		     "is an error:"},
	    {.name = "json", .short_name = 'j', .arg = "OUT", .kind = CLI_OPT_STRING,
	     .dst = &r->json_out, .help = "write results JSON to OUT ('-' for stdout)"},
	    {.name = "seed", .short_name = 's', .arg = "N", .kind = CLI_OPT_U64, .dst = &o->seed,
	     .given = &o->have_seed, .max = UINT64_MAX >> 1, .what = "seed",
	     .help = "payload pattern seed (default 1)"},
	    {.name = "check-every", .arg = "N", .kind = CLI_OPT_U64, .dst = &o->check_every,
	     .given = &o->have_check, .max = UINT64_MAX >> 1,
	     .help = "check every invariant of pool and memory every N events"},
	    {.name = "sample-every", .arg = "N", .kind = CLI_OPT_U64, .dst = &o->sample_every,
	     .given = &o->have_sample, .max = UINT64_MAX >> 1,
	     .help = "also snapshot every N events (for time series)"},
	    {.name = "no-timing", .kind = CLI_OPT_CLEAR, .dst = &o->timing,
	     .help = "leave host CPU times out (byte-identical reruns)"},
	    {.name = "op-timing", .kind = CLI_OPT_SET, .dst = &o->op_timing,
	     .help = "also time every zs_malloc and zs_free (host ns, in the JSON)"},
	    {.name = "payload", .arg = "MODE", .kind = CLI_OPT_PARSE, .dst = &o->payload,
	     .given = &o->have_payload, .parse = parse_payload, .hint = "(full, header, none, auto)",
	     .help = "what the host keeps of page contents: full (every byte,\n"
		     "verified at r and v), header (zsmalloc's own words: v and\n"
		     "--check-every check structure, not bytes), none (no host\n"
		     "memory for frames), auto (default: full up to 16 GiB of\n"
		     "RAM, none above)"},
	    {.name = "lookahead", .arg = "N", .kind = CLI_OPT_UINT, .dst = &o->lookahead,
	     .given = &o->have_lookahead, .max = 16, .hint = "(0..16)",
	     .help = "prefetch for coming events, N events per step (default 4;\n"
		     "0 = off; speed only, results are the same)"},
	    {.name = "quiet", .short_name = 'q', .kind = CLI_OPT_SET, .dst = &r->quiet,
	     .help = "no summary, no progress"},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */

	return cli_opt_parse("replay", opts, argc, argv, replay_help);
}

/* One progress line: events, rate, and time left when the trace's size is known. */
static void progress(long long pos, long long size, uint64_t events, double t0, bool final)
{
	double now = cli_now(), rate, done = 0;

	rate = now > t0 ? (double)events / (now - t0) : 0;
	if (size > 0 && pos > 0)
		done = (double)pos / (double)size;
	fprintf(stderr, "\r  %llu events, %.2f M events/s, %.1f s", (unsigned long long)events,
		rate / 1e6, now - t0);
	if (final)
		fprintf(stderr, "%20s\n", "");
	else if (done > 0.001 && done < 1)
		fprintf(stderr, ", %3.0f%%, %.1f s left   ", done * 100,
			(now - t0) * (1 - done) / done);
}

/* The forks' line of the summary: how each fork got its page directory, and the stalls. */
static void print_forks(const struct sim_snapshot *s)
{
	printf(
	    "  forks:       %llu attempted: %llu fast, %llu after compaction, %llu after reclaim, "
	    "%llu after zs_compact, %llu needing an OOM kill, %llu failed\n",
	    (unsigned long long)s->forks.attempted,
	    (unsigned long long)s->forks.outcomes[ALLOC_FAST],
	    (unsigned long long)s->forks.outcomes[ALLOC_COMPACTION],
	    (unsigned long long)s->forks.outcomes[ALLOC_RECLAIM],
	    (unsigned long long)s->forks.outcomes[ALLOC_ZS_COMPACT],
	    (unsigned long long)s->forks.outcomes[ALLOC_OOM_KILL],
	    (unsigned long long)s->forks.failed);
	if (s->forks.stalls || s->forks.failed)
		printf(
		    "               stalled: %llu below the watermark, %llu fragmented; last with "
		    "%llu pages free (%llu lowmem)\n",
		    (unsigned long long)s->forks.stall_reasons[STALL_WATERMARK],
		    (unsigned long long)s->forks.stall_reasons[STALL_FRAGMENTATION],
		    (unsigned long long)s->forks.free_at_last_stall,
		    (unsigned long long)s->forks.lowmem_free_at_last_stall);
	if (s->forks.oom_kills)
		printf("               %llu OOM kills assumed: the model kills no process of the "
		       "trace; each killed victim is taken to free exactly the pages the request "
		       "needed\n",
		       (unsigned long long)s->forks.oom_kills);
}

static void print_summary(const char *trace, const struct sim_config *cfg,
			  const struct replay_summary *rs, bool timing)
{
	const struct sim_snapshot *s = &rs->last;
	char pol[128];
	double used = s->mm_stat.mem_used_total
			  ? (double)s->stored_bytes / (double)s->mm_stat.mem_used_total
			  : 0;

	printf("trace %s: %llu events, profile %s, arch %s, policies %s\n", trace,
	       (unsigned long long)s->event_index, cfg->pool.profile, zs_arch_name(cfg->pool.arch),
	       policy_format_list(cfg->policies, pol, sizeof(pol)));
	printf("  pool:        %lu pages (ideal %lu), %llu bytes stored in %llu, used ratio %.3f\n",
	       s->pool_pages, s->ideal_pages, (unsigned long long)s->stored_bytes,
	       (unsigned long long)s->mm_stat.mem_used_total, used);
	printf("  zram:        %llu pages stored, %llu same-filled, %llu huge; %llu writes, %llu "
	       "failed",
	       (unsigned long long)(s->mm_stat.orig_data_size / cfg->pool.page_size),
	       (unsigned long long)s->mm_stat.same_pages, (unsigned long long)s->mm_stat.huge_pages,
	       (unsigned long long)s->io_stat.writes, (unsigned long long)s->io_stat.failed_writes);
	if (s->io_stat.failed_writes)
		printf(" (%llu: zs_malloc found no free page, %llu: over mem_limit)",
		       (unsigned long long)s->io_stat.failed_writes_alloc,
		       (unsigned long long)s->io_stat.failed_writes_mem_limit);
	putchar('\n');
	printf(
	    "  compaction:  %llu runs, %llu pages freed, %llu objects migrated, %llu bytes copied",
	    (unsigned long long)rs->compactions, (unsigned long long)rs->pages_freed,
	    (unsigned long long)rs->objs_migrated, (unsigned long long)rs->bytes_copied);
	if (timing)
		printf(", %.3f ms CPU", (double)rs->cpu_ns / 1e6);
	printf("\n  memory:      %lu pages free, order-%s unusable index %.3f, fragmentation index "
	       "%.3f\n",
	       s->free_pages, "2", s->unusable_index_2 / 1000.0, s->fragmentation_index_2 / 1000.0);
	print_forks(s);
	printf("  reclaim:     %llu kswapd runs, %llu direct reclaims (allocstall), %llu compaction "
	       "stalls (%llu succeeded)\n",
	       (unsigned long long)s->vm.pageoutrun, (unsigned long long)s->vm.allocstall,
	       (unsigned long long)s->vm.compact_stall, (unsigned long long)s->vm.compact_success);
	/* raw `a` objects and `g` blocks: a failed allocation is not an error in the trace,
	 * so say how many there were */
	printf("  allocations: %llu `a` objects live, %llu zs_malloc failures; %llu `g` blocks "
	       "held, %llu found no memory\n",
	       (unsigned long long)s->other.objects_live,
	       (unsigned long long)s->other.alloc_failures,
	       (unsigned long long)s->other.blocks_live,
	       (unsigned long long)s->other.block_failures);
	if (rs->payload == SIM_PAYLOAD_FULL)
		printf("  verify:      %llu mismatches (payload full: every object's bytes at `r` "
		       "and `v`)\n",
		       (unsigned long long)rs->mismatches);
	else
		printf("  verify:      payload %s: no object bytes kept, so none compared; %llu `v` "
		       "checked the pool's and memory's structure (zs_pool_check, physmem_check)\n",
		       sim_payload_name(rs->payload), (unsigned long long)rs->verifies);
	if (s->op_timing && s->op_timing->malloc_calls && s->op_timing->free_calls)
		printf("  op timing:   zs_malloc %.0f ns, zs_free %.0f ns per call (host, %llu + %llu "
		       "calls)\n",
		       (double)s->op_timing->malloc_ns / (double)s->op_timing->malloc_calls,
		       (double)s->op_timing->free_ns / (double)s->op_timing->free_calls,
		       (unsigned long long)s->op_timing->malloc_calls,
		       (unsigned long long)s->op_timing->free_calls);
}

static int parse_opts(int argc, char **argv, struct sim_config *cfg, const char **json_out,
		      bool *quiet, const char **trace)
{
	struct replay_opts r = {.o = {.timing = true}};
	struct replay_overrides o;
	char msg[512];
	int st;

	st = parse_options(argc, argv, &r);
	if (st)
		return st;
	if (r.config_keys) {
		config_print_keys(stdout);
		return -1; /* as --help: done, exit 0 */
	}
	o = r.o;
	*json_out = r.json_out;
	*quiet = r.quiet;
	if (optind + 1 != argc)
		return cli_usage_error("replay", optind >= argc ? "no trace given"
								: "more than one trace given");
	*trace = argv[optind];
	if (*json_out) {
		const char *ins[] = {*trace, o.config};

		/* the results would replace the trace or config they come from */
		if (outfile_check_inputs(*json_out, ins, 2, msg, sizeof(msg)))
			return cli_usage_error("replay", "--json %s", msg);
	}
	st = replay_config_resolve(&o, cfg, msg, sizeof(msg));
	if (st == REPLAY_USAGE)
		return cli_usage_error("replay", "%s", msg);
	if (st) {
		fprintf(stderr, "zsfrag replay: %s\n", msg);
		return cli_replay_exit(st);
	}
	return 0;
}

/* The progress line on a terminal: at most every half second. */
struct replay_tty {
	long long trace_size; /* bytes, or -1 when unknown */
	double t0, next_tick;
};

static void on_progress(void *ctx, long long file_pos, uint64_t events, bool final)
{
	struct replay_tty *t = ctx;

	if (final) {
		progress(file_pos, t->trace_size, events, t->t0, true);
	} else if (cli_now() >= t->next_tick) {
		progress(file_pos, t->trace_size, events, t->t0, false);
		t->next_tick += 0.5;
	}
}

struct replay_done {
	const char *trace, *json_out;
	const struct sim_config *cfg;
	const struct replay_summary *rs;
	bool quiet;
};

static void on_finished(void *ctx, struct sim *sim)
{
	struct replay_done *d = ctx;

	(void)sim;
	/* A capture (or from-process) trace holds no forks (k, F): its fork figures are all 0,
	 * which says nothing about how forks would fare. Say so where they are asked for. */
	if (!d->quiet && !d->rs->last.forks.attempted &&
	    (d->json_out || (d->cfg->policies & (1u << POLICY_PGD_FAILURE))))
		fprintf(stderr,
			"zsfrag replay: warning: %s has no fork events (k, F): its fork figures "
			"are 0 and say nothing about forks; add generated activity with zsfrag "
			"trace merge (README: Captured traces with generated activity)\n",
			d->trace);
	if (!d->quiet && !(d->json_out && !strcmp(d->json_out, "-"))) /* stdout: the JSON alone */
		print_summary(d->trace, d->cfg, d->rs, d->cfg->timing);
}

int cli_replay(int argc, char **argv)
{
	struct sim_config cfg;
	struct replay_summary rs;
	struct sim_sinks sinks = {
	    .snapshot = sum_snapshot, .compaction = sum_compaction, .verify = sum_verify};
	struct replay_tty tty = {.trace_size = -1};
	struct replay_done done = {.rs = &rs, .cfg = &cfg};
	struct replay_job job = {.cfg = &cfg, .tee = &sinks, .temp_prepare = cli_tmp_prepare,
				 .temp_file = cli_tmp_register};
	json_t *extra;
	struct stat st;
	char msg[512];
	int rc;

	memset(&rs, 0, sizeof(rs));
	rc = parse_opts(argc, argv, &cfg, &job.json_out, &done.quiet, &job.trace);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	sinks.ctx = &rs;
	rs.payload = sim_payload_resolve(cfg.payload, cfg.mem.ram_bytes);
	done.trace = job.trace;
	done.json_out = job.json_out;
	job.finished = on_finished;
	job.finished_ctx = &done;
	if (!done.quiet && isatty(STDERR_FILENO)) {
		if (strcmp(job.trace, "-") && stat(job.trace, &st) == 0 && S_ISREG(st.st_mode))
			tty.trace_size = (long long)st.st_size;
		tty.t0 = cli_now();
		tty.next_tick = tty.t0 + 0.5;
		job.progress = (struct replay_progress){.fn = on_progress, .ctx = &tty, .mask = 0xffff};
	}
	extra = json_pack("{s:b}", "op_timing", cfg.op_timing);
	job.extra_inputs = extra;
	rc = replay_job_run(&job, msg, sizeof(msg));
	json_decref(extra);
	if (rc)
		fprintf(stderr, "zsfrag replay: %s\n", msg);
	return cli_replay_exit(rc);
}
