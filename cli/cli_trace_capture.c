/*
 * cli_trace_capture.c - `zsfrag trace from-capture CAPTURE`: convert the
 * output of scripts/zram-capture.bt into a zsfrag trace (traces/capture.h),
 * then say on stderr what could not be mapped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "capture.h"
#include "cli.h"
#include "cli_proc.h"
#include "cli_trace.h"
#include "outfile.h"

static void capture_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(f,
		"usage: zsfrag trace from-capture CAPTURE [OPTIONS]\n\n"
		"Convert the output of scripts/zram-capture.bt (a live system's zsmalloc and\n"
		"zram activity, format in traces/FORMAT.md) to a zsfrag trace. CAPTURE may be\n"
		"'-' (stdin) and may be compressed (zstd, gzip). Records are sorted by time.\n\n");
	cli_opt_help(f, opts);
}

struct capture_out {
	struct trace_writer *w;
	struct cli_trace_out *out;
	struct trace_meta meta[4];
	size_t nmeta;
	enum capture_mode mode;
	char repairs[256];
	FILE *readings;
	int open_rc; /* the CLI's exit code when opening the output failed */
};

static int capture_emit(void *ctx, const struct sim_event *ev)
{
	struct capture_out *o = ctx;

	return trace_writer_event(o->w, ev);
}

/* The whole capture is read: the output opens with the repairs in its metadata. */
static int capture_begin(void *ctx, const struct capture_stats *st)
{
	struct capture_out *o = ctx;

	if (capture_repairs(st, o->mode)) {
		snprintf(o->repairs, sizeof(o->repairs),
			 "lost=%" PRIu64 " unpaired=%" PRIu64 " truncated=%" PRIu64
			 " no_end=%" PRIu64 " unknown_frees=%" PRIu64 " reused_handles=%" PRIu64,
			 st->lost, st->unpaired, st->truncated, st->no_end, st->unknown_frees,
			 st->reused_handles);
		o->meta[o->nmeta++] = (struct trace_meta){"capture_repairs", o->repairs};
	}
	o->open_rc = cli_trace_out_open("from-capture", o->out, o->meta, o->nmeta, &o->w);
	return o->open_rc ? -ECANCELED : 0;
}

static void capture_reading(void *ctx, const struct capture_reading *r)
{
	struct capture_out *o = ctx;

	if (!o->readings)
		return;
	fprintf(o->readings, "%s %" PRIu64, r->label, r->time_ns);
	for (unsigned int i = 0; i < r->n; i++)
		fprintf(o->readings, " %" PRIu64, r->v[i]);
	fputc('\n', o->readings);
}

static int parse_mode(const char *arg, void *dst)
{
	return capture_mode_parse(arg, dst) ? -EINVAL : 0;
}

static int parse_compact_at(const char *arg, void *dst)
{
	if (!strcmp(arg, "entry"))
		*(enum capture_compact_at *)dst = CAPTURE_COMPACT_AT_ENTRY;
	else if (!strcmp(arg, "return"))
		*(enum capture_compact_at *)dst = CAPTURE_COMPACT_AT_RETURN;
	else
		return -EINVAL;
	return 0;
}

/* What the command line asks for. */
struct capture_args {
	struct capture_opts opts;
	struct cli_trace_out out;
	const char *path, *readings;
	bool quiet;
};

/* The options and CAPTURE; 0, -1 after --help, or EX_USAGE. */
static int capture_parse(int argc, char **argv, struct capture_args *a)
{
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "mode", .short_name = 'm', .arg = "M", .kind = CLI_OPT_PARSE,
	     .dst = &a->opts.mode, .parse = parse_mode, .hint = "(alloc or zram)",
	     .help = "alloc (default): zs_malloc/zs_free as a/f, kernel\n"
		     "handles mapped to fresh trace IDs; zram: zram slot\n"
		     "writes (w SLOT SIZE, z SLOT), reads and frees (r, d)"},
	    {.name = "page-size", .short_name = 'P', .arg = "N", .kind = CLI_OPT_PARSE,
	     .dst = &a->opts.page_size, .parse = cli_opt_page_size,
	     .hint = "(4096, 16384, 65536)",
	     .help = "the captured system's page size (default 4096)"},
	    {.name = "repair", .kind = CLI_OPT_SET, .dst = &a->opts.repair,
	     .help = "convert a capture with lost events, cut lines,\n"
		     "returns without entries or (alloc mode) unknown\n"
		     "handles anyway; the counts go into the trace's\n"
		     "metadata (capture_repairs). Without it such a\n"
		     "capture is refused"},
	    {.name = "compact-at", .arg = "W", .kind = CLI_OPT_PARSE, .dst = &a->opts.compact_at,
	     .parse = parse_compact_at, .hint = "(entry or return)",
	     .help = "entry (default) or return: where zs_compact's\n"
		     "effect goes in the trace"},
	    {.name = "readings", .arg = "FILE", .kind = CLI_OPT_STRING, .dst = &a->readings,
	     .help = "write the capture's read points (zsfrag mm_stat\n"
		     "markers) to FILE: LABEL TIME_NS and the numbers"},
	    {.name = "quiet", .short_name = 'q', .kind = CLI_OPT_SET, .dst = &a->quiet,
	     .help = "no summary on stderr"},
	    CLI_TRACE_OUT_PATH_ROW(&a->out),
	    CLI_TRACE_OUT_FORMAT_ROWS(&a->out),
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	char msg[768];
	int rc = cli_opt_parse("trace from-capture", opts, argc, argv, capture_help);

	if (rc)
		return rc;
	if (argc - optind != 1)
		return cli_usage_error("trace from-capture", "expected one CAPTURE");
	a->path = argv[optind];
	a->out.input = a->path;
	/* The output opens only once the capture is read (its metadata holds the repairs):
	 * refuse writing over the input now, before reading it. */
	if (a->out.path && strcmp(a->out.path, "-") &&
	    outfile_check_inputs(a->out.path, &a->out.input, 1, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag trace from-capture: %s\n", msg);
		return EX_USAGE;
	}
	return 0;
}

/* The capture as a stream, decompressed; EX_OK or the exit code after the message. */
static int capture_input(const char *path, struct trace_io **io)
{
	char msg[768];
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;

	if (!f) {
		fprintf(stderr, "zsfrag trace from-capture: %s: cannot open: %s\n", path,
			strerror(errno));
		return EX_NOINPUT;
	}
	if (trace_io_open_read(f, f != stdin, io, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag trace from-capture: %s: %s\n", path, msg);
		if (f != stdin)
			fclose(f);
		return EX_IOERR;
	}
	return EX_OK;
}

/* What was converted and what could not be mapped, on stderr. */
static void capture_summary(const struct capture_stats *st, enum capture_mode mode)
{
	fprintf(stderr,
		"zsfrag trace from-capture: %" PRIu64 " lines, %" PRIu64 " records (%" PRIu64
		" out of time order), %" PRIu64 " events written\n",
		st->lines, st->records, st->reordered, st->events);
	fprintf(stderr,
		"  not mapped: %" PRIu64 " failed allocations, %" PRIu64
		" frees of handles from before the capture, %" PRIu64
		" handles reused without a free, %" PRIu64 " lost, %" PRIu64
		" ignored by this mode\n",
		st->failed_allocs, st->unknown_frees, st->reused_handles, st->lost, st->ignored);
	if (st->readings || st->compactions || st->truncated || st->unpaired || st->no_end)
		fprintf(stderr,
			"  %" PRIu64 " read points; %" PRIu64 " compactions (%" PRIu64
			" with %" PRIu64 " records of other threads inside, %" PRIu64
			" replayed in steps), %" PRIu64 " compaction steps, %" PRIu64
			" zspages freed, %" PRIu64 " shrinker calls; repaired: %" PRIu64
			" unpaired returns, %" PRIu64 " cut lines, %s\n",
			st->readings, st->compactions, st->interleaved, st->interleaved_records,
			st->stepped, st->steps, st->zspages_freed, st->shrinker_calls, st->unpaired,
			st->truncated,
			st->no_end ? "no end line" : "end line seen or not announced");
	if (st->keyed_mallocs || st->keyed_frees || st->new_zspages || st->unkeyed)
		fprintf(stderr,
			"  under the lock: %" PRIu64 " allocations and %" PRIu64
			" frees ordered by obj_malloc/obj_free (%" PRIu64
			" records moved), %" PRIu64 " without theirs; %" PRIu64
			" allocations made their own zspage; %" PRIu64
			" writes' old objects freed early, %" PRIu64 " read in mid-write\n",
			st->keyed_mallocs, st->keyed_frees, st->moved, st->unkeyed, st->new_zspages,
			st->early_frees, st->mid_write);
	if (mode == CAPTURE_MODE_ZRAM)
		fprintf(stderr,
			"  zram: %" PRIu64 " allocations outside a write, %" PRIu64
			" failed writes, %" PRIu64 " unfinished writes, %" PRIu64
			" ends without a write\n",
			st->outside_writes, st->failed_writes, st->unfinished_writes,
			st->stray_ends);
}

/* After a failed conversion: nothing written stays; the exit code. */
static int capture_failed(struct capture_out *co, const struct capture_args *a, int rc,
			  const char *msg)
{
	if (a->readings)
		remove(a->readings);
	if (co->w) {
		trace_writer_abort(co->w); /* the output is not created */
		cli_tmp_register(NULL);
	}
	if (co->open_rc)
		return co->open_rc;
	fprintf(stderr, "zsfrag trace from-capture: %s\n", msg);
	return rc == -ENOMEM ? EX_SOFTWARE : EX_DATAERR;
}

int cli_trace_from_capture(int argc, char **argv)
{
	struct capture_args a = {.opts = {.mode = CAPTURE_MODE_ALLOC,
					  .page_size = 4096,
					  .begin = capture_begin,
					  .reading = capture_reading}};
	struct capture_stats st;
	struct capture_out co = {.w = NULL};
	struct trace_io *io = NULL;
	char msg[768], src[512], ps[24];
	int rc;

	rc = capture_parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	rc = capture_input(a.path, &io);
	if (rc)
		return rc;
	snprintf(ps, sizeof(ps), "%zu", a.opts.page_size);
	snprintf(src, sizeof(src), "zsfrag trace from-capture --mode %s of %s",
		 capture_mode_name(a.opts.mode), a.path);
	co.meta[0] = (struct trace_meta){"page_size", ps};
	co.meta[1] = (struct trace_meta){"source", src};
	co.meta[2] = (struct trace_meta){"capture_mode", capture_mode_name(a.opts.mode)};
	co.nmeta = 3;
	co.out = &a.out;
	co.mode = a.opts.mode;
	if (a.readings && !(co.readings = fopen(a.readings, "w"))) {
		fprintf(stderr, "zsfrag trace from-capture: %s: cannot create: %s\n", a.readings,
			strerror(errno));
		trace_io_close(io);
		return EX_CANTCREAT;
	}
	rc = capture_convert_opts(trace_io_file(io), strcmp(a.path, "-") ? a.path : "<stdin>",
				  &a.opts, capture_emit, &co, &st, msg, sizeof(msg));
	if (rc == -EIO && trace_io_error(io))
		snprintf(msg, sizeof(msg), "%s: %s", a.path, trace_io_error(io));
	trace_io_close(io);
	if (co.readings && fclose(co.readings) && !rc) {
		fprintf(stderr, "zsfrag trace from-capture: %s: cannot write: %s\n", a.readings,
			strerror(errno));
		rc = -EIO;
		co.open_rc = EX_IOERR;
	}
	if (rc)
		return capture_failed(&co, &a, rc, msg);
	rc = trace_writer_close(co.w, msg, sizeof(msg));
	cli_tmp_register(NULL); /* renamed into place or removed */
	if (rc) {
		fprintf(stderr, "zsfrag trace from-capture: %s\n", msg);
		return EX_CANTCREAT;
	}
	if (!a.quiet)
		capture_summary(&st, a.opts.mode);
	return EX_OK;
}
