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
		   "  -q, --quiet            no summary on stderr\n" CLI_TRACE_OUT_HELP
		   "  -h, --help             this text\n");
}

struct capture_out {
	struct trace_writer *w;
};

static int capture_emit(void *ctx, const struct sim_event *ev)
{
	struct capture_out *o = ctx;

	return trace_writer_event(o->w, ev);
}

int cli_trace_from_capture(int argc, char **argv)
{
	static const struct option opts[] = {{"mode", required_argument, NULL, 'm'},
					     {"page-size", required_argument, NULL, 'P'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"help", no_argument, NULL, 'h'},
					     CLI_TRACE_OUT_OPTS,
					     {NULL, 0, NULL, 0}};
	enum capture_mode mode = CAPTURE_MODE_ALLOC;
	unsigned long long page_size = 4096;
	struct cli_trace_out out = {0};
	struct capture_stats st;
	struct capture_out co = {0};
	struct trace_io *io = NULL;
	char msg[768], src[512], ps[16];
	struct trace_meta meta[3];
	const char *path;
	bool quiet = false;
	FILE *f;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:P:qho:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (capture_mode_parse(optarg, &mode))
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
		 capture_mode_name(mode), path);
	meta[0] = (struct trace_meta){"page_size", ps};
	meta[1] = (struct trace_meta){"source", src};
	meta[2] = (struct trace_meta){"capture_mode", capture_mode_name(mode)};
	rc = cli_trace_out_open("from-capture", &out, meta, 3, &co.w);
	if (rc) {
		trace_io_close(io);
		return rc;
	}
	rc = capture_convert(trace_io_file(io), strcmp(path, "-") ? path : "<stdin>", mode,
			     (size_t)page_size, capture_emit, &co, &st, msg, sizeof(msg));
	if (rc == -EIO && trace_io_error(io))
		snprintf(msg, sizeof(msg), "%s: %s", path, trace_io_error(io));
	trace_io_close(io);
	if (rc) {
		fprintf(stderr, "zsfrag trace from-capture: %s\n", msg);
		trace_writer_abort(co.w); /* the output is not created */
		cli_tmp_register(NULL);
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
			" handles reused without a free, %" PRIu64 " lost (bpftrace), %" PRIu64
			" ignored by this mode\n",
			st.failed_allocs, st.unknown_frees, st.reused_handles, st.lost, st.ignored);
		if (mode == CAPTURE_MODE_ZRAM)
			fprintf(stderr,
				"  zram: %" PRIu64 " allocations outside a write, %" PRIu64
				" failed writes, %" PRIu64 " unfinished writes, %" PRIu64
				" ends without a write\n",
				st.outside_writes, st.failed_writes, st.unfinished_writes,
				st.stray_ends);
	}
	return EX_OK;
}
