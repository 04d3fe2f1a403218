/*
 * cli_trace_info.c - `zsfrag trace info TRACE`: what a trace holds, in one
 * pass over it (so stdin works): format, compression, metadata, events per
 * op, time span, live memory over time (objects and bytes for a/f, stored
 * zram slots and bytes for w/z/d, pages held by other users for g/p,
 * processes for k/x), the peaks, and a histogram of SIZE fields.
 *
 * Live memory over time: a row every `every` events; when the table holds
 * INFO_ROWS_MAX rows every other one is dropped and `every` doubles, so the
 * rows stay evenly spaced over a trace of unknown length, 16 to 32 of them.
 *
 * Object and slot sizes are kept in info_map, a u64 -> u32 open-addressing
 * table with backward-shift deletion (as trace_live.c, with values).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_trace.h"

#define INFO_ROWS_MAX 32 /* rows of the over-time table before halving */
#define INFO_BUCKETS  16 /* size histogram: page_size / 16 wide buckets */
#define INFO_MAP_MIN  1024
#define INFO_EMPTY    UINT64_MAX

struct info_map {
	uint64_t *keys; /* INFO_EMPTY where free */
	uint32_t *vals;
	size_t cap, count;
};

static uint64_t info_hash(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	return x;
}

static int info_map_resize(struct info_map *m, size_t cap)
{
	uint64_t *keys = malloc(cap * sizeof(*keys));
	uint32_t *vals = malloc(cap * sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cap; i++)
		keys[i] = INFO_EMPTY;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (m->keys[i] == INFO_EMPTY)
			continue;
		for (j = info_hash(m->keys[i]) & (cap - 1); keys[j] != INFO_EMPTY;)
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

/* Slot of key, or the free slot where it would go. */
static size_t info_map_find(const struct info_map *m, uint64_t key)
{
	size_t i = info_hash(key) & (m->cap - 1);

	while (m->keys[i] != INFO_EMPTY && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Set key to val; *old gets the previous value (or 0) and *had whether there was one. */
static int info_map_put(struct info_map *m, uint64_t key, uint32_t val, uint32_t *old, bool *had)
{
	size_t i;

	if ((m->count + 1) * 2 > m->cap && info_map_resize(m, m->cap ? m->cap * 2 : INFO_MAP_MIN))
		return -ENOMEM;
	i = info_map_find(m, key);
	*had = m->keys[i] == key;
	*old = *had ? m->vals[i] : 0;
	if (!*had)
		m->count++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

/* Remove key: true and its value in *val when it was there. */
static bool info_map_del(struct info_map *m, uint64_t key, uint32_t *val)
{
	size_t hole, j, mask = m->cap - 1;

	if (!m->count)
		return false;
	hole = info_map_find(m, key);
	if (m->keys[hole] != key)
		return false;
	*val = m->vals[hole];
	for (j = (hole + 1) & mask; m->keys[j] != INFO_EMPTY; j = (j + 1) & mask) {
		size_t home = info_hash(m->keys[j]) & mask;

		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->keys[hole] = m->keys[j];
			m->vals[hole] = m->vals[j];
			hole = j;
		}
	}
	m->keys[hole] = INFO_EMPTY;
	m->count--;
	return true;
}

/* One row of the over-time table. */
struct info_row {
	uint64_t event, time_ns;
	uint64_t objs, obj_bytes;    /* live a/f objects and their bytes */
	uint64_t slots, slot_bytes;  /* stored zram slots (w and z) and compressed bytes */
	uint64_t block_pages, procs; /* pages held by other users; live processes */
};

struct info {
	uint64_t ops[128]; /* events per op letter */
	uint64_t events, timed, first_ns, last_ns;
	struct info_map objs, slots, blocks;
	struct info_row now, peak; /* peak: each column's own maximum */
	struct info_row rows[INFO_ROWS_MAX + 1];
	size_t nrows;
	uint64_t every;						     /* events between rows */
	uint64_t hist_a[INFO_BUCKETS + 1], hist_w[INFO_BUCKETS + 1]; /* last bucket: = page_size */
	size_t page_size;
};

static void info_peak(struct info *in)
{
	struct info_row *p = &in->peak, *n = &in->now;

#define INFO_MAX(f) (p->f = p->f > n->f ? p->f : n->f)
	INFO_MAX(objs);
	INFO_MAX(obj_bytes);
	INFO_MAX(slots);
	INFO_MAX(slot_bytes);
	INFO_MAX(block_pages);
	INFO_MAX(procs);
#undef INFO_MAX
}

static void info_hist(struct info *in, uint64_t *hist, uint32_t size)
{
	size_t b =
	    size >= in->page_size ? INFO_BUCKETS : (size - 1) / (in->page_size / INFO_BUCKETS);

	hist[b]++;
}

static int info_event(struct info *in, const struct sim_event *ev)
{
	struct info_row *n = &in->now;
	uint32_t old, v;
	bool had;

	in->ops[(unsigned char)ev->op & 127]++;
	in->events++;
	if (ev->has_time) {
		if (!in->timed++)
			in->first_ns = ev->time_ns;
		in->last_ns = ev->time_ns;
	}
	switch (ev->op) {
	case SIM_OP_ALLOC:
		if (info_map_put(&in->objs, ev->id, ev->size, &old, &had))
			return -ENOMEM;
		n->objs++;
		n->obj_bytes += ev->size;
		info_hist(in, in->hist_a, ev->size);
		break;
	case SIM_OP_FREE:
		if (info_map_del(&in->objs, ev->id, &v)) {
			n->objs--;
			n->obj_bytes -= v;
		}
		break;
	case SIM_OP_WRITE:
	case SIM_OP_WRITE_SAME:
		v = ev->op == SIM_OP_WRITE ? ev->size : 0;
		if (info_map_put(&in->slots, ev->id, v, &old, &had))
			return -ENOMEM;
		if (had)
			n->slot_bytes -= old;
		else
			n->slots++;
		n->slot_bytes += v;
		if (ev->op == SIM_OP_WRITE)
			info_hist(in, in->hist_w, ev->size);
		break;
	case SIM_OP_DISCARD:
		if (info_map_del(&in->slots, ev->id, &v)) {
			n->slots--;
			n->slot_bytes -= v;
		}
		break;
	case SIM_OP_GET:
		if (info_map_put(&in->blocks, ev->id, 1u << ev->order, &old, &had))
			return -ENOMEM;
		n->block_pages += 1u << ev->order;
		break;
	case SIM_OP_PUT:
		if (info_map_del(&in->blocks, ev->id, &v))
			n->block_pages -= v;
		break;
	case SIM_OP_FORK:
		n->procs++;
		break;
	case SIM_OP_EXIT:
		n->procs--;
		break;
	default:
		break;
	}
	info_peak(in);
	if (in->events % in->every == 0) {
		n->event = in->events;
		n->time_ns = ev->time_ns;
		in->rows[in->nrows++] = *n;
		if (in->nrows == INFO_ROWS_MAX) {
			for (size_t i = 0; i < INFO_ROWS_MAX / 2; i++)
				in->rows[i] = in->rows[2 * i + 1];
			in->nrows = INFO_ROWS_MAX / 2;
			in->every *= 2;
		}
	}
	return 0;
}

static void info_print_hist(const struct info *in, const char *what, const uint64_t *hist)
{
	uint64_t total = 0, max = 0;
	size_t w = in->page_size / INFO_BUCKETS;

	for (size_t b = 0; b <= INFO_BUCKETS; b++) {
		total += hist[b];
		max = hist[b] > max ? hist[b] : max;
	}
	if (!total)
		return;
	printf("\n%s sizes (bytes):\n", what);
	for (size_t b = 0; b <= INFO_BUCKETS; b++) {
		int bar = max ? (int)(hist[b] * 40 / max) : 0;

		if (b < INFO_BUCKETS)
			printf("  %5zu..%-5zu", b * w + 1, b * w + w - (b == INFO_BUCKETS - 1));
		else
			printf("  %5zu      ", in->page_size);
		printf(" %12" PRIu64 " %5.1f%% %.*s\n", hist[b],
		       100.0 * (double)hist[b] / (double)total, bar,
		       "########################################");
	}
}

static void info_print(const struct info *in, const char *path, const struct trace_reader *r)
{
	static const char op_order[] = "afwzrdgpkxcsvFy";
	struct stat st;
	const char *k, *v;

	printf("trace %s\n", path);
	printf("  format:      %s, %s compression", trace_format_name(trace_reader_format(r)),
	       trace_codec_name(trace_reader_codec(r)));
	if (strcmp(path, "-") && !stat(path, &st))
		printf(", %lld bytes on disk", (long long)st.st_size);
	printf("\n  page size:   %zu\n", in->page_size);
	for (size_t i = 0; !trace_reader_meta_at(r, i, &k, &v); i++)
		printf("  meta:        %s = %s\n", k, v);
	printf("  events:      %" PRIu64 "\n", in->events);
	for (const char *o = op_order; *o; o++)
		if (in->ops[(unsigned char)*o])
			printf("    %c %14" PRIu64 "\n", *o, in->ops[(unsigned char)*o]);
	if (in->timed)
		printf("  time:        %" PRIu64 " .. %" PRIu64 " ns (%.6f s), %" PRIu64
		       " events timed\n",
		       in->first_ns, in->last_ns, (double)(in->last_ns - in->first_ns) / 1e9,
		       in->timed);
	else
		printf("  time:        no @ times\n");
	printf("  at the end:  %" PRIu64 " objects (%" PRIu64 " bytes), %" PRIu64
	       " zram slots (%" PRIu64 " bytes), %" PRIu64 " pages of other users, %" PRIu64
	       " processes\n",
	       in->now.objs, in->now.obj_bytes, in->now.slots, in->now.slot_bytes,
	       in->now.block_pages, in->now.procs);
	printf("  peaks:       %" PRIu64 " objects, %" PRIu64 " object bytes, %" PRIu64
	       " zram slots, %" PRIu64 " zram bytes, %" PRIu64 " pages, %" PRIu64 " processes\n",
	       in->peak.objs, in->peak.obj_bytes, in->peak.slots, in->peak.slot_bytes,
	       in->peak.block_pages, in->peak.procs);
	printf("\nlive memory over time:\n");
	printf("  %12s %16s %10s %12s %10s %12s %8s %6s\n", "event", "time_ns", "objects",
	       "obj_bytes", "slots", "slot_bytes", "pages", "procs");
	for (size_t i = 0; i < in->nrows; i++) {
		const struct info_row *w = &in->rows[i];

		printf("  %12" PRIu64 " %16" PRIu64 " %10" PRIu64 " %12" PRIu64 " %10" PRIu64
		       " %12" PRIu64 " %8" PRIu64 " %6" PRIu64 "\n",
		       w->event, w->time_ns, w->objs, w->obj_bytes, w->slots, w->slot_bytes,
		       w->block_pages, w->procs);
	}
	info_print_hist(in, "a (zs_malloc)", in->hist_a);
	info_print_hist(in, "w (zram write, compressed)", in->hist_w);
}

static void info_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(f,
		"usage: zsfrag trace info TRACE\n\n"
		"Describe a trace (any format, '-' for stdin): format and compression, metadata,\n"
		"events per op, time span, live objects / zram slots / pages and their bytes\n"
		"over time (16 to 32 evenly spaced rows) with their peaks, and histograms of\n"
		"the a and w sizes in page_size/16 buckets. A bad trace stops with its error\n"
		"(exit 65) after printing what was read.\n\n");
	cli_opt_help(f, opts);
}

int cli_trace_info(int argc, char **argv)
{
	static const struct cli_opt opts[] = {CLI_OPT_HELP_ROW, CLI_OPT_END};
	struct trace_reader *r;
	struct sim_event ev;
	struct info *in;
	char msg[768];
	int rc, n;

	rc = cli_opt_parse("trace info", opts, argc, argv, info_help);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (argc - optind != 1)
		return cli_usage_error("trace info", "expected one TRACE");
	rc = cli_trace_open("info", argv[optind], &r);
	if (rc)
		return rc;
	in = calloc(1, sizeof(*in));
	if (!in) {
		trace_reader_close(r);
		return EX_SOFTWARE;
	}
	in->every = 1;
	in->page_size = trace_reader_page_size(r);
	while ((n = trace_reader_next(r, &ev, msg, sizeof(msg))) == 1) {
		if (info_event(in, &ev)) {
			snprintf(msg, sizeof(msg), "out of memory");
			n = -ENOMEM;
			break;
		}
	}
	if (in->nrows == 0 || in->rows[in->nrows - 1].event != in->events) {
		in->now.event = in->events;
		in->now.time_ns = in->timed ? in->last_ns : 0;
		in->rows[in->nrows++] = in->now;
	}
	info_print(in, argv[optind], r);
	rc = EX_OK;
	if (n < 0) {
		fflush(stdout);
		fprintf(stderr, "zsfrag trace info: %s\n", msg);
		rc = n == -ENOMEM ? EX_SOFTWARE : EX_DATAERR;
	}
	free(in->objs.keys);
	free(in->objs.vals);
	free(in->slots.keys);
	free(in->slots.vals);
	free(in->blocks.keys);
	free(in->blocks.vals);
	free(in);
	trace_reader_close(r);
	return rc;
}
