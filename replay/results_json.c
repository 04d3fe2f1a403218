/*
 * results_json.c - see results_json.h. The document:
 *   { "results_format", "zsfrag_version", "inputs": {...}, "snapshots": [...],
 *     "compactions": [...], "verify": [...] }
 * results_format 2: forks have per-outcome counters ("outcomes": fast,
 * compaction, reclaim, zs_compact, oom_kill, failed; "stalls", "oom_kills",
 * "stall_reasons") and snapshots a "vmstat" object. Files without the field
 * are format 1, where "failed" counted every fork whose pgd was not found
 * (RESULTS_FORMAT in results_json.h).
 * Field names follow the kernel's vocabulary (debugfs classes columns, zram
 * mm_stat, /proc/buddyinfo). Host timings appear only with timing on.
 *
 * Streaming: nothing is kept in memory. Each snapshot is built as a jansson
 * object, dumped into the document's file (outfile.h: a temporary file
 * renamed at the end) and freed; the
 * compactions and verifications go to their own anonymous temporary files
 * (tmpfile(): nothing to clean up), copied into the document after the
 * snapshots at the end. We write the surrounding syntax ourselves, in exactly
 * the bytes json_dump_file(JSON_INDENT(1) | JSON_PRESERVE_ORDER) gave for the
 * whole document (each element is dumped with jansson and indented to its
 * depth; jansson escapes newlines inside strings, so every raw newline in a
 * dump starts a line), so readers and byte-identical reruns are unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "results_fields.h"
#include "results_json.h"

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *class_json(const struct sim_snapshot *s, const struct sim_class_snap *c)
{
	json_t *o = json_object(), *fl = json_array();

#define X(key, member) json_object_set_new(o, #key, u64(c->member));
	RESULTS_CLASS(X)
#undef X
	for (unsigned int g = 0; g < s->nr_fullness; g++)
		json_array_append_new(fl, u64(c->fullness[g]));
	json_object_set_new(o, "fullness", fl);
	return o;
}

static json_t *zone_json(const struct sim_zone_snap *z)
{
	json_t *o = json_object(), *bi = json_array();

	json_object_set_new(o, "name", json_string(z->name));
	json_object_set_new(o, "free_pages", u64(z->free_pages));
	json_object_set_new(o, "managed_pages", u64(z->managed_pages));
	/* /proc/zoneinfo's min, low, high: below low the zone is short of memory itself, and
	 * its unusable index says nothing about fragmentation (cmp_index_meaningful) */
	json_object_set_new(o, "watermarks",
			    json_pack("{s:I, s:I, s:I}", "min", (json_int_t)z->wmark_min, "low",
				      (json_int_t)z->wmark_low, "high", (json_int_t)z->wmark_high));
	for (unsigned int i = 0; i < z->nr_orders; i++)
		json_array_append_new(bi, u64(z->buddyinfo[i]));
	json_object_set_new(o, "buddyinfo", bi);
	json_object_set_new(o, "unusable_index", json_real(z->unusable_index_2 / 1000.0));
	json_object_set_new(o, "fragmentation_index", json_real(z->fragmentation_index_2 / 1000.0));
	return o;
}

#define DUMP_FLAGS (JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

static void set_err(struct results_json *rj, int err)
{
	if (!rj->err)
		rj->err = err;
}

/* Dump v at nesting depth `depth` (its first line is not indented: the caller places it). */
static void put_value(struct results_json *rj, FILE *f, json_t *v, unsigned int depth)
{
	char *text = v ? json_dumps(v, DUMP_FLAGS) : NULL;

	if (!text) {
		set_err(rj, -ENOMEM);
		return;
	}
	for (const char *p = text; *p; p++) {
		if (putc(*p, f) == EOF)
			break;
		if (*p == '\n')
			for (unsigned int i = 0; i < depth; i++)
				putc(' ', f);
	}
	if (ferror(f))
		set_err(rj, errno ? -errno : -EIO);
	free(text);
}

/* One element of an array at depth 1 of the document: its items are at depth 2. */
static void put_item(struct results_json *rj, FILE *f, uint64_t *n, json_t *v)
{
	fputs(*n ? ",\n  " : "\n  ", f);
	put_value(rj, f, v, 2);
	(*n)++;
	json_decref(v);
}

/* The pool: the snapshot's label and head counters, how well it is packed, its classes. */
static void snapshot_pool(json_t *o, const struct sim_snapshot *s)
{
	json_t *names = json_array(), *classes = json_array();

	json_object_set_new(o, "label", json_string(s->label));
#define X(key, member) json_object_set_new(o, #key, u64((*s).member));
	RESULTS_SNAPSHOT_HEAD(X)
#undef X
	json_object_set_new(o, "pool_bytes", u64(s->mm_stat.mem_used_total));
	/* compressed bytes / pool bytes: how well the pool is packed (1.0 = no waste) */
	json_object_set_new(
	    o, "used_ratio",
	    json_real(s->mm_stat.mem_used_total
			  ? (double)s->stored_bytes / (double)s->mm_stat.mem_used_total
			  : 0.0));
	for (unsigned int g = 0; g < s->nr_fullness; g++)
		json_array_append_new(names, json_string(s->fullness_names[g]));
	json_object_set_new(o, "fullness_groups", names);
	for (unsigned int i = 0; i < s->nr_classes; i++)
		json_array_append_new(classes, class_json(s, &s->classes[i]));
	json_object_set_new(o, "classes", classes);
}

/* zram's mm_stat and io_stat, by the kernel's names. */
static void snapshot_zram(json_t *o, const struct sim_snapshot *s)
{
	json_t *mm = json_object(), *io = json_object();

#define X(key, member) json_object_set_new(mm, #key, u64(s->mm_stat.member));
	RESULTS_MM_STAT(X)
#undef X
	json_object_set_new(o, "mm_stat", mm);
#define X(key, member) json_object_set_new(io, #key, u64(s->io_stat.member));
	RESULTS_IO_STAT(X)
#undef X
	json_object_set_new(o, "io_stat", io);
}

/* Physical memory: each zone, the machine-wide buddyinfo, free pages, the order-2 indices. */
static void snapshot_memory(json_t *o, const struct sim_snapshot *s)
{
	json_t *zones = json_array(), *buddy = json_array();

	for (unsigned int z = 0; z < s->nr_zones; z++)
		json_array_append_new(zones, zone_json(&s->zones[z]));
	json_object_set_new(o, "zones", zones);
	/* machine-wide buddyinfo: the sum over zones, order by order */
	for (unsigned int i = 0; s->nr_zones && i < s->zones[0].nr_orders; i++) {
		uint64_t sum = 0;

		for (unsigned int z = 0; z < s->nr_zones; z++)
			sum += s->zones[z].buddyinfo[i];
		json_array_append_new(buddy, u64(sum));
	}
	json_object_set_new(o, "buddyinfo", buddy);
	json_object_set_new(o, "free_pages", u64(s->free_pages));
	json_object_set_new(o, "unusable_index", json_real(s->unusable_index_2 / 1000.0));
	json_object_set_new(o, "fragmentation_index", json_real(s->fragmentation_index_2 / 1000.0));
}

/* The forks: counts, each pgd allocation's outcome, and why the stalls stalled. */
static json_t *forks_json(const struct sim_snapshot *s)
{
	json_t *forks = json_object(), *outcomes = json_object(), *reasons = json_object();

#define X(key, member) json_object_set_new(forks, #key, u64(s->forks.member));
	RESULTS_FORKS_HEAD(X)
#undef X
	for (unsigned int k = 0; k < ALLOC_NR_OUTCOMES; k++)
		json_object_set_new(outcomes, alloc_outcome_name((enum alloc_outcome)k),
				    u64(s->forks.outcomes[k]));
	json_object_set_new(forks, "outcomes", outcomes);
	for (unsigned int r = STALL_WATERMARK; r < STALL_NR_REASONS; r++)
		json_object_set_new(reasons, alloc_stall_reason_name((enum alloc_stall_reason)r),
				    u64(s->forks.stall_reasons[r]));
	json_object_set_new(forks, "stall_reasons", reasons);
#define X(key, member) json_object_set_new(forks, #key, u64(s->forks.member));
	RESULTS_FORKS_TAIL(X)
#undef X
	if (s->forks.probes) { /* only with a probe: results without one stay as they were */
		json_t *pcp = json_object();

#define X(key, member) json_object_set_new(pcp, #key, u64(s->forks.member));
		RESULTS_FORKS_PROBE_PCP(X)
#undef X
		json_object_set_new(forks, "probe_pcp", pcp);
	}
	return forks;
}

/* /proc/vmstat's counters, kernel compaction's, and the other memory users'. */
static void snapshot_counters(json_t *o, const struct sim_snapshot *s)
{
	json_t *vm = json_object(), *kc = json_object(), *other = json_object();

#define X(key, member) json_object_set_new(vm, #key, u64(s->vm.member));
	RESULTS_VMSTAT(X)
#undef X
	json_object_set_new(o, "vmstat", vm);
#define X(key, member) json_object_set_new(kc, #key, u64(s->vm.member));
	RESULTS_KCOMPACT(X)
#undef X
	json_object_set_new(o, "kcompact", kc);
#define X(key, member) json_object_set_new(other, #key, u64(s->other.member));
	RESULTS_OTHER(X)
#undef X
	if (s->other.swapout_puts) { /* only then: results of other traces stay as they were */
		json_t *so = json_object();

#define X(key, member) json_object_set_new(so, #key, u64(s->other.member));
		RESULTS_OTHER_SWAPOUTS(X)
#undef X
		json_object_set_new(other, "swapouts", so);
	}
	json_object_set_new(o, "other", other);
}

static json_t *op_timing_json(const struct sim_op_timing *t)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "malloc_calls", (json_int_t)t->malloc_calls,
			 "malloc_ns", (json_int_t)t->malloc_ns, "free_calls",
			 (json_int_t)t->free_calls, "free_ns", (json_int_t)t->free_ns);
}

/* One snapshot, its members in the order earlier results files have them. */
static void on_snapshot(void *ctx, const struct sim_snapshot *s)
{
	struct results_json *rj = ctx;
	json_t *o = json_object();

	snapshot_pool(o, s);
	snapshot_zram(o, s);
	snapshot_memory(o, s);
	json_object_set_new(o, "forks", forks_json(s));
	snapshot_counters(o, s);
	if (s->op_timing)
		json_object_set_new(o, "op_timing", op_timing_json(s->op_timing));
	put_item(rj, rj->out, &rj->nr_snapshots, o);
}

static void on_compaction(void *ctx, const struct sim_compaction *c)
{
	struct results_json *rj = ctx;
	json_t *o = json_object();

	json_object_set_new(o, "event_index", u64(c->event_index));
	json_object_set_new(o, "time_ns", u64(c->time_ns));
	json_object_set_new(o, "trigger", json_string(c->trigger));
#define X(key, member) json_object_set_new(o, #key, u64((*c).member));
	RESULTS_COMPACTION(X)
#undef X
	if (rj->timing)
		json_object_set_new(o, "cpu_ns", u64(c->cpu_ns));
	put_item(rj, rj->compactions, &rj->nr_compactions, o);
}

static void on_verify(void *ctx, const struct sim_verify *v)
{
	struct results_json *rj = ctx;

	put_item(rj, rj->verify, &rj->nr_verify,
		 json_pack("{s:I, s:I, s:I}", "event_index", (json_int_t)v->event_index,
			   "objects_checked", (json_int_t)v->objects_checked, "mismatches",
			   (json_int_t)v->mismatches));
}

/*
 * Where the document goes while it is written: through outfile_open()
 * (traces/outfile.h), so a regular file is written as a temporary file
 * renamed at the end and a device or FIFO straight through; "-" is collected
 * in an anonymous temporary file and copied to stdout at the end, so a failed
 * run prints nothing there.
 */
static int open_out(struct results_json *rj, const char *path)
{
	int err;

	if (!strcmp(path, "-")) {
		rj->to_stdout = true;
		rj->out = tmpfile();
		return rj->out ? 0 : -errno;
	}
	err = outfile_open(path, &rj->of, NULL, 0);
	if (err)
		return err;
	rj->out = outfile_stream(rj->of);
	return 0;
}

int results_json_open(struct results_json *rj, const char *path, json_t *inputs, bool timing)
{
	json_t *version = json_string(ZSFRAG_VERSION);
	int err;

	memset(rj, 0, sizeof(*rj));
	rj->timing = timing;
	err = open_out(rj, path);
	if (!err && (!(rj->compactions = tmpfile()) || !(rj->verify = tmpfile())))
		err = -errno;
	if (err) {
		json_decref(version);
		json_decref(inputs);
		results_json_abort(rj);
		return err;
	}
	fprintf(rj->out, "{\n \"results_format\": %d,\n \"zsfrag_version\": ", RESULTS_FORMAT);
	put_value(rj, rj->out, version, 1);
	fputs(",\n \"inputs\": ", rj->out);
	put_value(rj, rj->out, inputs, 1);
	fputs(",\n \"snapshots\": [", rj->out);
	json_decref(version);
	json_decref(inputs);
	return rj->err;
}

void results_json_sinks(struct results_json *rj, struct sim_sinks *sinks)
{
	sinks->ctx = rj;
	sinks->snapshot = on_snapshot;
	sinks->compaction = on_compaction;
	sinks->verify = on_verify;
}

/* Close an array of n items at depth 1. */
static void end_array(FILE *f, uint64_t n)
{
	fputs(n ? "\n ]" : "]", f);
}

/* Copy a side file's items into the document. */
static void copy_in(struct results_json *rj, FILE *from)
{
	char buf[65536];
	size_t got;

	if (fflush(from) || fseek(from, 0, SEEK_SET)) {
		set_err(rj, -errno);
		return;
	}
	while ((got = fread(buf, 1, sizeof(buf), from)) > 0)
		if (fwrite(buf, 1, got, rj->out) != got) {
			set_err(rj, errno ? -errno : -EIO);
			return;
		}
	if (ferror(from))
		set_err(rj, -EIO);
}

int results_json_finish(struct results_json *rj)
{
	int err;

	end_array(rj->out, rj->nr_snapshots);
	fputs(",\n \"compactions\": [", rj->out);
	copy_in(rj, rj->compactions);
	end_array(rj->out, rj->nr_compactions);
	fputs(",\n \"verify\": [", rj->out);
	copy_in(rj, rj->verify);
	end_array(rj->out, rj->nr_verify);
	fputs("\n}\n", rj->out);
	if (fflush(rj->out) || ferror(rj->out))
		set_err(rj, rj->of && outfile_error(rj->of) ? outfile_error(rj->of)
			    : errno			    ? -errno
							    : -EIO);
	if (!rj->err && rj->to_stdout) {
		FILE *doc = rj->out;

		rj->out = stdout;
		copy_in(rj, doc);
		rj->out = doc;
		if (!rj->err && fflush(stdout))
			set_err(rj, -EIO);
	}
	if (!rj->err && rj->of) {
		rj->out = NULL;
		set_err(rj, outfile_commit(rj->of, NULL, 0)); /* removes its temporary on error */
		rj->of = NULL;
	}
	err = rj->err;
	results_json_abort(rj);
	return err;
}

void results_json_abort(struct results_json *rj)
{
	if (rj->of)
		outfile_abort(rj->of); /* closes rj->out and removes the temporary file */
	else if (rj->out)
		fclose(rj->out);
	if (rj->compactions)
		fclose(rj->compactions);
	if (rj->verify)
		fclose(rj->verify);
	rj->of = NULL;
	rj->out = rj->compactions = rj->verify = NULL;
}

const char *results_json_temp_name(const struct results_json *rj)
{
	return rj->of ? outfile_temp_name(rj->of) : NULL;
}
