/*
 * cli_trace_capture.c - `zsfrag trace from-capture CAPTURE`: convert the
 * output of scripts/zram-capture.bt into a zsfrag trace (traces/capture.h),
 * then say on stderr what could not be mapped.
 */
#include <errno.h>
#include <getopt.h>
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

static void capture_help(FILE *f)
{
	fprintf(f, "usage: zsfrag trace from-capture CAPTURE [OPTIONS]\n\n"
		   "Convert the output of scripts/zram-capture.bt (a live system's zsmalloc and\n"
		   "zram activity, format in traces/FORMAT.md) to a zsfrag trace. CAPTURE may be\n"
		   "'-' (stdin) and may be compressed (zstd, gzip). Records are sorted by time.\n\n"
		   "  -m, --mode M           alloc (default): zs_malloc/zs_free as a/f, kernel\n"
		   "                         handles mapped to fresh trace IDs; zram: zram slot\n"
		   "                         writes (w SLOT SIZE, z SLOT), reads and frees (r, d)\n"
		   "  -P, --page-size N      the captured system's page size (default 4096)\n"
		   "      --repair           convert a capture with lost events, cut lines,\n"
		   "                         returns without entries or (alloc mode) unknown\n"
		   "                         handles anyway; the counts go into the trace's\n"
		   "                         metadata (capture_repairs). Without it such a\n"
		   "                         capture is refused\n"
		   "      --compact-at W     entry (default) or return: where zs_compact's\n"
		   "                         effect goes in the trace\n"
		   "      --readings FILE    write the capture's read points (zsfrag mm_stat\n"
		   "                         markers) to FILE: LABEL TIME_NS and the numbers\n"
		   "  -q, --quiet            no summary on stderr\n" CLI_TRACE_OUT_HELP
		   "  -h, --help             this text\n");
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

int cli_trace_from_capture(int argc, char **argv)
{
	static const struct option lopts[] = {{"mode", required_argument, NULL, 'm'},
					     {"page-size", required_argument, NULL, 'P'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"repair", no_argument, NULL, 'R'},
					     {"compact-at", required_argument, NULL, 'A'},
					     {"readings", required_argument, NULL, 'G'},
					     {"help", no_argument, NULL, 'h'},
					     CLI_TRACE_OUT_OPTS,
					     {NULL, 0, NULL, 0}};
	struct capture_opts opts = {.mode = CAPTURE_MODE_ALLOC,
				    .begin = capture_begin,
				    .reading = capture_reading};
	const char *readings = NULL;
	unsigned long long page_size = 4096;
	struct cli_trace_out out = {0};
	struct capture_stats st;
	struct capture_out co = {.w = NULL};
	struct trace_io *io = NULL;
	char msg[768], src[512], ps[16];
	const char *path;
	bool quiet = false;
	FILE *f;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:P:qho:", lopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (capture_mode_parse(optarg, &opts.mode))
				return cli_usage_error("trace from-capture",
						       "unknown mode '%s' (alloc or zram)", optarg);
			break;
		case 'P':
			if (cli_parse_u64(optarg, 65536, &page_size) ||
			    (page_size != 4096 && page_size != 16384 && page_size != 65536))
				return cli_usage_error("trace from-capture",
						       "bad --page-size '%s' (4096, 16384, 65536)",
						       optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'R':
			opts.repair = true;
			break;
		case 'A':
			if (!strcmp(optarg, "entry"))
				opts.compact_at = CAPTURE_COMPACT_AT_ENTRY;
			else if (!strcmp(optarg, "return"))
				opts.compact_at = CAPTURE_COMPACT_AT_RETURN;
			else
				return cli_usage_error("trace from-capture",
						       "bad --compact-at '%s' (entry or return)",
						       optarg);
			break;
		case 'G':
			readings = optarg;
			break;
		case 'h':
			capture_help(stdout);
			return EX_OK;
		default:
			rc = cli_trace_out_opt("from-capture", c, optarg, &out);
			if (rc)
				return rc == 1 ? cli_usage_error("trace from-capture", "bad option")
					       : rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("trace from-capture", "expected one CAPTURE");
	path = argv[optind];
	out.input = path;
	/* The output opens only once the capture is read (its metadata holds the repairs):
	 * refuse writing over the input now, before reading it. */
	if (out.path && strcmp(out.path, "-") &&
	    outfile_check_inputs(out.path, &out.input, 1, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag trace from-capture: %s\n", msg);
		return EX_USAGE;
	}
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "zsfrag trace from-capture: %s: cannot open: %s\n", path,
			strerror(errno));
		return EX_NOINPUT;
	}
	if (trace_io_open_read(f, f != stdin, &io, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag trace from-capture: %s: %s\n", path, msg);
		if (f != stdin)
			fclose(f);
		return EX_IOERR;
	}
	snprintf(ps, sizeof(ps), "%llu", page_size);
	snprintf(src, sizeof(src), "zsfrag trace from-capture --mode %s of %s",
		 capture_mode_name(opts.mode), path);
	co.meta[0] = (struct trace_meta){"page_size", ps};
	co.meta[1] = (struct trace_meta){"source", src};
	co.meta[2] = (struct trace_meta){"capture_mode", capture_mode_name(opts.mode)};
	co.nmeta = 3;
	co.out = &out;
	co.mode = opts.mode;
	opts.page_size = (size_t)page_size;
	if (readings && !(co.readings = fopen(readings, "w"))) {
		fprintf(stderr, "zsfrag trace from-capture: %s: cannot create: %s\n", readings,
			strerror(errno));
		trace_io_close(io);
		return EX_CANTCREAT;
	}
	rc = capture_convert_opts(trace_io_file(io), strcmp(path, "-") ? path : "<stdin>", &opts,
				  capture_emit, &co, &st, msg, sizeof(msg));
	if (rc == -EIO && trace_io_error(io))
		snprintf(msg, sizeof(msg), "%s: %s", path, trace_io_error(io));
	trace_io_close(io);
	if (co.readings && fclose(co.readings) && !rc) {
		fprintf(stderr, "zsfrag trace from-capture: %s: cannot write: %s\n", readings,
			strerror(errno));
		rc = -EIO;
		co.open_rc = EX_IOERR;
	}
	if (rc) {
		if (readings)
			remove(readings);
		if (co.w) {
			trace_writer_abort(co.w); /* the output is not created */
			cli_tmp_register(NULL);
		}
		if (co.open_rc)
			return co.open_rc;
		fprintf(stderr, "zsfrag trace from-capture: %s\n", msg);
		return rc == -ENOMEM ? EX_SOFTWARE : EX_DATAERR;
	}
	rc = trace_writer_close(co.w, msg, sizeof(msg));
	cli_tmp_register(NULL); /* renamed into place or removed */
	if (rc) {
		fprintf(stderr, "zsfrag trace from-capture: %s\n", msg);
		return EX_CANTCREAT;
	}
	if (!quiet) {
		fprintf(stderr,
			"zsfrag trace from-capture: %" PRIu64 " lines, %" PRIu64
			" records (%" PRIu64 " out of time order), %" PRIu64 " events written\n",
			st.lines, st.records, st.reordered, st.events);
		fprintf(stderr,
			"  not mapped: %" PRIu64 " failed allocations, %" PRIu64
			" frees of handles from before the capture, %" PRIu64
			" handles reused without a free, %" PRIu64 " lost, %" PRIu64
			" ignored by this mode\n",
			st.failed_allocs, st.unknown_frees, st.reused_handles, st.lost, st.ignored);
		if (st.readings || st.compactions || st.truncated || st.unpaired || st.no_end)
			fprintf(stderr,
				"  %" PRIu64 " read points; %" PRIu64 " compactions (%" PRIu64
				" with %" PRIu64 " records of other threads inside, %" PRIu64
				" replayed in steps), %" PRIu64 " compaction steps, %" PRIu64
				" zspages freed, %" PRIu64 " shrinker calls; repaired: %" PRIu64
				" unpaired returns, %" PRIu64 " cut lines, %s\n",
				st.readings, st.compactions, st.interleaved, st.interleaved_records,
				st.stepped, st.steps, st.zspages_freed, st.shrinker_calls, st.unpaired, st.truncated,
				st.no_end ? "no end line" : "end line seen or not announced");
		if (opts.mode == CAPTURE_MODE_ZRAM)
			fprintf(stderr,
				"  zram: %" PRIu64 " allocations outside a write, %" PRIu64
				" failed writes, %" PRIu64 " unfinished writes, %" PRIu64
				" ends without a write\n",
				st.outside_writes, st.failed_writes, st.unfinished_writes,
				st.stray_ends);
	}
	return EX_OK;
}
