/*
 * cli_trace.c - `zsfrag trace SUBCOMMAND`: the hub, and the subcommands that
 * move events around: convert (text <-> binary, compressed or not), cat (a
 * range of events as text) and validate (every problem of a trace).
 *
 * Every reader goes through trace_reader_open(), so each subcommand takes
 * every format and compression. Exit codes are in cli_trace.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_proc.h"
#include "cli_trace.h"
#include "outfile.h"

#define MSG_MAX 768 /* bytes of an error message */

/* ---- shared helpers ---- */

int cli_trace_open(const char *sub, const char *path, struct trace_reader **r)
{
	char msg[MSG_MAX];
	int rc = trace_reader_open(path, r, msg, sizeof(msg));

	if (!rc)
		return EX_OK;
	fprintf(stderr, "zsfrag trace %s: %s\n", sub, msg);
	return rc == -ENOENT || rc == -EACCES || rc == -EISDIR ? EX_NOINPUT : EX_DATAERR;
}

int cli_trace_parse_format(const char *arg, void *dst)
{
	if (!strcmp(arg, "text"))
		*(enum trace_format *)dst = TRACE_FORMAT_TEXT;
	else if (!strcmp(arg, "binary"))
		*(enum trace_format *)dst = TRACE_FORMAT_BINARY;
	else
		return -EINVAL;
	return 0;
}

int cli_trace_parse_codec(const char *arg, void *dst)
{
	return trace_codec_parse(arg, dst) ? -EINVAL : 0;
}

int cli_trace_out_open(const char *sub, struct cli_trace_out *out, const struct trace_meta *meta,
		       size_t n, struct trace_writer **w)
{
	char msg[MSG_MAX];
	int rc;

	if (!out->path)
		out->path = "-";
	if (!out->fmt_set)
		out->fmt = trace_format_from_path(out->path);
	if (!out->codec_set)
		out->codec = trace_codec_from_path(out->path);
	if (out->codec == TRACE_CODEC_GZIP && out->level > 9) {
		fprintf(stderr, "zsfrag trace %s: gzip levels are 1..9\n", sub);
		return EX_USAGE;
	}
	if (!strcmp(out->path, "-") && isatty(STDOUT_FILENO) &&
	    (out->fmt == TRACE_FORMAT_BINARY || out->codec != TRACE_CODEC_NONE)) {
		fprintf(stderr,
			"zsfrag trace %s: not writing a binary or compressed trace to a "
			"terminal (use -o FILE)\n",
			sub);
		return EX_USAGE;
	}
	if (outfile_check_inputs(out->path, &out->input, 1, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag trace %s: %s\n", sub, msg);
		return EX_USAGE;
	}
	cli_tmp_prepare();
	rc = trace_writer_open(out->path, out->fmt, out->codec, (int)out->level, meta, n, w, msg,
			       sizeof(msg));
	if (rc) {
		cli_tmp_register(NULL);
		fprintf(stderr, "zsfrag trace %s: %s\n", sub, msg);
		return rc == -EINVAL ? EX_DATAERR : EX_CANTCREAT;
	}
	cli_tmp_register(trace_writer_temp_name(*w)); /* removed if a signal ends us */
	return EX_OK;
}

/* Metadata of r as an array for a writer; NULL when empty or out of memory (*n = 0). */
static struct trace_meta *meta_of(const struct trace_reader *r, size_t *n)
{
	struct trace_meta *m;

	*n = trace_reader_meta_count(r);
	m = *n ? calloc(*n, sizeof(*m)) : NULL;
	if (!m) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		trace_reader_meta_at(r, i, &m[i].key, &m[i].value);
	return m;
}

/* ---- convert ---- */

static void convert_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(f, "usage: zsfrag trace convert IN OUT [OPTIONS]\n\n"
		   "Copy a trace's metadata and events into another format: text <-> binary,\n"
		   "compressed or not. IN may be any format ('-' for stdin); OUT's format and\n"
		   "compression follow its name (NAME.ztb binary, .zst / .gz compressed) unless\n"
		   "given. OUT appears only when the copy is complete (README: How outputs are\n"
		   "written); a bad IN stops the copy with its error and leaves OUT as it was.\n"
		   "OUT may not be IN under any name (a link, ./IN).\n\n");
	cli_opt_help(f, opts);
}

static int trace_convert(int argc, char **argv)
{
	struct cli_trace_out out = {0};
	/* clang-format off */
	const struct cli_opt opts[] = {
	    CLI_TRACE_OUT_FORMAT_ROWS(&out),
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	struct trace_reader *r = NULL;
	struct trace_writer *w = NULL;
	struct trace_meta *meta;
	struct sim_event ev;
	char msg[MSG_MAX];
	size_t nmeta;
	int rc, n;

	rc = cli_opt_parse("trace convert", opts, argc, argv, convert_help);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (argc - optind != 2)
		return cli_usage_error("trace convert", "expected IN and OUT");
	out.path = argv[optind + 1];
	out.input = argv[optind];
	rc = cli_trace_open("convert", argv[optind], &r);
	if (rc)
		return rc;
	meta = meta_of(r, &nmeta);
	rc = cli_trace_out_open("convert", &out, meta, nmeta, &w);
	free(meta);
	if (rc)
		goto out;
	while ((n = trace_reader_next(r, &ev, msg, sizeof(msg))) == 1) {
		if ((rc = trace_writer_event(w, &ev))) {
			fprintf(stderr, "zsfrag trace convert: %s: write error: %s\n", out.path,
				strerror(-rc));
			break;
		}
	}
	if (n < 0 || rc) {
		if (n < 0)
			fprintf(stderr, "zsfrag trace convert: %s\n", msg);
		trace_writer_abort(w); /* OUT stays as it was */
		rc = n < 0 ? EX_DATAERR : EX_CANTCREAT;
	} else if (trace_writer_close(w, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag trace convert: %s\n", msg);
		rc = EX_CANTCREAT;
	} else {
		rc = EX_OK;
	}
	cli_tmp_register(NULL); /* renamed into place or removed */
out:
	trace_reader_close(r);
	return rc;
}

/* ---- cat ---- */

static void cat_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(f,
		"usage: zsfrag trace cat TRACE [OPTIONS]\n\n"
		"Print events of a trace (any format) as text, in the canonical spelling.\n"
		"Events are numbered from 1. The header and metadata come first when the range\n"
		"starts at event 1, so `zsfrag trace cat x.ztb > x.trace` is a valid trace.\n\n");
	cli_opt_help(f, opts);
}

static int trace_cat(int argc, char **argv)
{
	uint64_t from = 1, to = UINT64_MAX, count = UINT64_MAX, idx = 0;
	bool header = true;
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "from", .short_name = 'f', .arg = "N", .kind = CLI_OPT_U64, .dst = &from,
	     .min = 1, .max = UINT64_MAX, .help = "first event to print (default 1)"},
	    {.name = "count", .short_name = 'n', .arg = "N", .kind = CLI_OPT_U64, .dst = &count,
	     .max = UINT64_MAX, .help = "print at most N events"},
	    {.name = "to", .short_name = 't', .arg = "N", .kind = CLI_OPT_U64, .dst = &to,
	     .max = UINT64_MAX, .help = "last event to print"},
	    {.name = "no-header", .kind = CLI_OPT_CLEAR, .dst = &header,
	     .help = "never print the header and metadata"},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	struct trace_reader *r;
	struct trace_meta *meta;
	struct sim_event ev;
	char msg[MSG_MAX], line[TRACE_TEXT_EVENT_MAX];
	size_t nmeta;
	int rc, n;

	rc = cli_opt_parse("trace cat", opts, argc, argv, cat_help);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (argc - optind != 1)
		return cli_usage_error("trace cat", "expected one TRACE");
	rc = cli_trace_open("cat", argv[optind], &r);
	if (rc)
		return rc;
	if (count != UINT64_MAX && from + count - 1 < to)
		to = from + count - 1;
	if (header && from == 1) {
		meta = meta_of(r, &nmeta);
		rc = trace_write_header(stdout, meta, nmeta);
		free(meta);
		if (rc)
			goto out_io;
	}
	while (idx < to && (n = trace_reader_next(r, &ev, msg, sizeof(msg))) == 1) {
		if (++idx < from)
			continue;
		n = trace_format_event(line, sizeof(line), &ev);
		if (n < 0 || fputs(line, stdout) == EOF)
			goto out_io;
	}
	rc = EX_OK;
	if (idx < to && n < 0) {
		fflush(stdout);
		fprintf(stderr, "zsfrag trace cat: %s\n", msg);
		rc = EX_DATAERR;
	}
	if (fflush(stdout))
		goto out_io;
	trace_reader_close(r);
	return rc;
out_io:
	fprintf(stderr, "zsfrag trace cat: cannot write to stdout\n");
	trace_reader_close(r);
	return EX_IOERR;
}

/* ---- validate ---- */

static void validate_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(
	    f,
	    "usage: zsfrag trace validate TRACE... [OPTIONS]\n\n"
	    "Check whole traces (any format) and report every problem, one a line on\n"
	    "stdout: \"FILE:LINE: what\" (text) or \"FILE: offset N: what\" (binary). After a\n"
	    "bad event the check goes on with the next one, as if the bad one was not\n"
	    "there; a fault in the header, in the metadata, in the structure of a binary\n"
	    "record, or of the compressed stream, stops the file. A summary line per file\n"
	    "goes to stderr; \"no end line\" there means a text trace without its optional\n"
	    "last line \"e COUNT\", so a cut at a line boundary could not be seen\n"
	    "(traces/FORMAT.md). Exit 0 when every trace is clean, 65 (EX_DATAERR) otherwise.\n\n");
	cli_opt_help(f, opts);
}

/* Validate one file; returns the number of problems (0 clean), or -1 when it cannot be opened. */
static long validate_one(const char *path, uint64_t max, bool quiet)
{
	struct trace_reader *r;
	struct sim_event ev;
	char msg[MSG_MAX];
	unsigned long long events = 0;
	long problems = 0;
	int rc, n;

	rc = trace_reader_open(path, &r, msg, sizeof(msg));
	if (rc) {
		printf("%s\n", msg);
		fflush(stdout);
		if (!quiet)
			fprintf(stderr, "%s: 1 problem, not readable\n", path);
		return rc == -ENOENT || rc == -EACCES || rc == -EISDIR ? -1 : 1;
	}
	for (;;) {
		n = trace_reader_next(r, &ev, msg, sizeof(msg));
		if (n == 1) {
			events++;
			continue;
		}
		if (n == 0)
			break;
		printf("%s\n", msg);
		problems++;
		if ((max && (unsigned long long)problems >= max) || trace_reader_resume(r))
			break;
	}
	fflush(stdout); /* the problems before their summary, when both go to a terminal */
	if (!quiet)
		fprintf(stderr, "%s: %s, %llu events, %s, %s compression%s\n", path,
			problems ? "PROBLEMS" : "ok", events,
			trace_format_name(trace_reader_format(r)),
			trace_codec_name(trace_reader_codec(r)),
			/* without it, a text trace cut at a line boundary reads as whole */
			problems || trace_reader_ended(r) ? "" : ", no end line");
	trace_reader_close(r);
	return problems;
}

static int trace_validate(int argc, char **argv)
{
	uint64_t max = 100;
	bool quiet = false, missing = false, bad = false;
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "max-errors", .short_name = 'm', .arg = "N", .kind = CLI_OPT_U64, .dst = &max,
	     .max = UINT64_MAX, .help = "stop a file after N problems (default 100, 0 = all)"},
	    {.name = "quiet", .short_name = 'q', .kind = CLI_OPT_SET, .dst = &quiet,
	     .help = "no summary lines"},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	int rc = cli_opt_parse("trace validate", opts, argc, argv, validate_help);

	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (optind >= argc)
		return cli_usage_error("trace validate", "no trace given");
	for (int i = optind; i < argc; i++) {
		long p = validate_one(argv[i], max, quiet);

		missing |= p < 0;
		bad |= p > 0;
	}
	fflush(stdout);
	return missing ? EX_NOINPUT : bad ? EX_DATAERR : EX_OK;
}

/* ---- hub ---- */

static const struct cli_command trace_commands[] = {
    {"info", "counts, sizes, live memory over time, metadata", cli_trace_info},
    {"convert", "text <-> binary, compressed (zstd, gzip) or not", trace_convert},
    {"cat", "print a range of events as text", trace_cat},
    {"validate", "check whole traces, report every problem", trace_validate},
    {"from-capture", "convert a zram-capture kit's output (bpftrace or tracefs) to a trace",
     cli_trace_from_capture},
    {"merge", "two traces side by side in time, IDs and slots kept apart", cli_trace_merge},
    {"from-process", "snapshot a live process's anonymous memory as zram writes",
     cli_trace_from_process},
    {"from-core", "the same from an ELF core dump", cli_trace_from_core},
};

#define NR_TRACE_COMMANDS (sizeof(trace_commands) / sizeof(trace_commands[0]))

static const struct cli_hub trace_hub = {
    .prog = "zsfrag trace",
    .what = "SUBCOMMAND",
    .intro = "Inspect, convert, check and make traces. Every subcommand reads text and\n"
	     "binary traces, plain or compressed with zstd or gzip (traces/FORMAT.md).\n\n"
	     "Subcommands:\n",
    .cmds = trace_commands,
    .n = NR_TRACE_COMMANDS,
    .width = 13,
};

/* Messages name "trace SUB": each subcommand gets argv from its own name on. */
int cli_trace(int argc, char **argv)
{
	return cli_dispatch(&trace_hub, argc, argv);
}
