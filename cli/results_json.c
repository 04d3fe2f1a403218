/*
 * results_json.c - see results_json.h. The document:
 *   { "zsfrag_version", "inputs": {...}, "snapshots": [...], "compactions": [...],
 *     "verify": [...] }
 * Field names follow the kernel's vocabulary (debugfs classes columns, zram
 * mm_stat, /proc/buddyinfo). Host timings appear only with timing on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_proc.h"
#include "outfile.h"
#include "results_json.h"

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *class_json(const struct sim_snapshot *s, const struct sim_class_snap *c)
{
	json_t *o = json_object(), *fl = json_array();

	json_object_set_new(o, "index", u64(c->index));
	json_object_set_new(o, "size", u64(c->size));
	json_object_set_new(o, "pages_per_zspage", u64(c->pages_per_zspage));
	json_object_set_new(o, "objs_per_zspage", u64(c->objs_per_zspage));
	json_object_set_new(o, "obj_allocated", u64(c->obj_allocated));
	json_object_set_new(o, "obj_used", u64(c->obj_used));
	json_object_set_new(o, "pages_used", u64(c->pages_used));
	json_object_set_new(o, "freeable", u64(c->freeable));
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
	for (unsigned int i = 0; i < z->nr_orders; i++)
		json_array_append_new(bi, u64(z->buddyinfo[i]));
	json_object_set_new(o, "buddyinfo", bi);
	json_object_set_new(o, "unusable_index", json_real(z->unusable_index_2 / 1000.0));
	json_object_set_new(o, "fragmentation_index", json_real(z->fragmentation_index_2 / 1000.0));
	return o;
}

static void on_snapshot(void *ctx, const struct sim_snapshot *s)
{
	struct results_json *rj = ctx;
	json_t *o = json_object(), *classes = json_array(), *zones = json_array();
	json_t *names = json_array(), *buddy = json_array();
	json_t *mm = json_object(), *io = json_object(), *forks = json_object();
	json_t *stages = json_object(), *kc = json_object(), *other = json_object();

	json_object_set_new(o, "label", json_string(s->label));
	json_object_set_new(o, "event_index", u64(s->event_index));
	json_object_set_new(o, "time_ns", u64(s->time_ns));
	json_object_set_new(o, "pool_pages", u64(s->pool_pages));
	json_object_set_new(o, "ideal_pages", u64(s->ideal_pages));
	json_object_set_new(o, "pages_compacted", u64(s->pages_compacted));
	json_object_set_new(o, "compactions", u64(s->compactions));
	json_object_set_new(o, "stored_bytes", u64(s->stored_bytes));
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

	json_object_set_new(mm, "orig_data_size", u64(s->mm_stat.orig_data_size));
	json_object_set_new(mm, "compr_data_size", u64(s->mm_stat.compr_data_size));
	json_object_set_new(mm, "mem_used_total", u64(s->mm_stat.mem_used_total));
	json_object_set_new(mm, "mem_limit", u64(s->mm_stat.mem_limit));
	json_object_set_new(mm, "mem_used_max", u64(s->mm_stat.mem_used_max));
	json_object_set_new(mm, "same_pages", u64(s->mm_stat.same_pages));
	json_object_set_new(mm, "pages_compacted", u64(s->mm_stat.pages_compacted));
	json_object_set_new(mm, "huge_pages", u64(s->mm_stat.huge_pages));
	json_object_set_new(mm, "huge_pages_since", u64(s->mm_stat.huge_pages_since));
	json_object_set_new(o, "mm_stat", mm);
	json_object_set_new(io, "failed_reads", u64(s->io_stat.failed_reads));
	json_object_set_new(io, "failed_writes", u64(s->io_stat.failed_writes));
	json_object_set_new(io, "notify_free", u64(s->io_stat.notify_free));
	json_object_set_new(io, "writes", u64(s->io_stat.writes));
	json_object_set_new(io, "reads", u64(s->io_stat.reads));
	json_object_set_new(o, "io_stat", io);

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

	json_object_set_new(forks, "attempted", u64(s->forks.attempted));
	json_object_set_new(forks, "succeeded", u64(s->forks.succeeded));
	json_object_set_new(forks, "failed", u64(s->forks.failed));
	for (unsigned int st = 0; st < SIM_PGD_NR_STAGES; st++)
		json_object_set_new(stages, sim_pgd_stage_name((enum sim_pgd_stage)st),
				    u64(s->forks.by_stage[st]));
	json_object_set_new(forks, "succeeded_by", stages);
	json_object_set_new(forks, "exits", u64(s->forks.exits));
	json_object_set_new(forks, "live", u64(s->forks.live));
	json_object_set_new(forks, "free_pages_at_last_failure",
			    u64(s->forks.free_pages_at_last_failure));
	json_object_set_new(forks, "normal_free_pages_at_last_failure",
			    u64(s->forks.normal_free_at_last_failure));
	json_object_set_new(o, "forks", forks);

	json_object_set_new(kc, "runs", u64(s->kcompact.runs));
	json_object_set_new(kc, "successes", u64(s->kcompact.successes));
	json_object_set_new(kc, "deferred", u64(s->kcompact.deferred));
	json_object_set_new(kc, "pages_migrated", u64(s->kcompact.pages_migrated));
	json_object_set_new(kc, "zs_pages_migrated", u64(s->kcompact.zs_pages_migrated));
	json_object_set_new(kc, "bytes_copied", u64(s->kcompact.bytes_copied));
	json_object_set_new(kc, "migrate_scanned", u64(s->kcompact.migrate_scanned));
	json_object_set_new(kc, "free_scanned", u64(s->kcompact.free_scanned));
	json_object_set_new(o, "kcompact", kc);

	json_object_set_new(other, "objects_live", u64(s->other.objects_live));
	json_object_set_new(other, "object_bytes", u64(s->other.object_bytes));
	json_object_set_new(other, "alloc_failures", u64(s->other.alloc_failures));
	json_object_set_new(other, "blocks_live", u64(s->other.blocks_live));
	json_object_set_new(other, "block_failures", u64(s->other.block_failures));
	json_object_set_new(other, "compact_requests_ignored",
			    u64(s->other.compact_requests_ignored));
	json_object_set_new(other, "verify_mismatches", u64(s->other.verify_mismatches));
	json_object_set_new(o, "other", other);

	if (s->op_timing) {
		const struct sim_op_timing *t = s->op_timing;

		json_object_set_new(o, "op_timing",
				    json_pack("{s:I, s:I, s:I, s:I}", "malloc_calls",
					      (json_int_t)t->malloc_calls, "malloc_ns",
					      (json_int_t)t->malloc_ns, "free_calls",
					      (json_int_t)t->free_calls, "free_ns",
					      (json_int_t)t->free_ns));
	}
	json_array_append_new(rj->snapshots, o);
}

static void on_compaction(void *ctx, const struct sim_compaction *c)
{
	struct results_json *rj = ctx;
	json_t *o = json_object();

	json_object_set_new(o, "event_index", u64(c->event_index));
	json_object_set_new(o, "time_ns", u64(c->time_ns));
	json_object_set_new(o, "trigger", json_string(c->trigger));
	json_object_set_new(o, "pool_pages_before", u64(c->pool_pages_before));
	json_object_set_new(o, "pool_pages_after", u64(c->pool_pages_after));
	json_object_set_new(o, "pages_freed", u64(c->result.pages_freed));
	json_object_set_new(o, "zspages_freed", u64(c->result.zspages_freed));
	json_object_set_new(o, "objs_migrated", u64(c->result.objs_migrated));
	json_object_set_new(o, "bytes_copied", u64(c->result.bytes_copied));
	if (rj->timing)
		json_object_set_new(o, "cpu_ns", u64(c->cpu_ns));
	json_array_append_new(rj->compactions, o);
}

static void on_verify(void *ctx, const struct sim_verify *v)
{
	struct results_json *rj = ctx;

	json_array_append_new(rj->verify, json_pack("{s:I, s:I, s:I}", "event_index",
						    (json_int_t)v->event_index, "objects_checked",
						    (json_int_t)v->objects_checked, "mismatches",
						    (json_int_t)v->mismatches));
}

int results_json_init(struct results_json *rj, json_t *inputs, bool timing)
{
	rj->root = json_object();
	rj->snapshots = json_array();
	rj->compactions = json_array();
	rj->verify = json_array();
	rj->timing = timing;
	if (!rj->root || !rj->snapshots || !rj->compactions || !rj->verify)
		return -ENOMEM;
	json_object_set_new(rj->root, "zsfrag_version", json_string(ZSFRAG_VERSION));
	json_object_set_new(rj->root, "inputs", inputs);
	json_object_set(rj->root, "snapshots", rj->snapshots);
	json_object_set(rj->root, "compactions", rj->compactions);
	json_object_set(rj->root, "verify", rj->verify);
	return 0;
}

void results_json_sinks(struct results_json *rj, struct sim_sinks *sinks)
{
	sinks->ctx = rj;
	sinks->snapshot = on_snapshot;
	sinks->compaction = on_compaction;
	sinks->verify = on_verify;
}

int results_json_write(const struct results_json *rj, const char *path)
{
	struct outfile *of;
	int err;

	/* "-", a device or FIFO straight through, a file by temporary file + rename */
	err = outfile_open(path, &of, NULL, 0);
	if (err)
		return err;
	if (json_dumpf(rj->root, outfile_stream(of), JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', outfile_stream(of)) == EOF) {
		err = outfile_error(of) ? outfile_error(of) : -EIO;
		outfile_abort(of);
		return err;
	}
	return outfile_commit(of, NULL, 0);
}

void results_json_free(struct results_json *rj)
{
	json_decref(rj->snapshots);
	json_decref(rj->compactions);
	json_decref(rj->verify);
	json_decref(rj->root);
	memset(rj, 0, sizeof(*rj));
}
