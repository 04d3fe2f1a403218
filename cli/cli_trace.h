/*
 * cli_trace.h - `zsfrag trace SUBCOMMAND`: internal interface between the
 * files of the trace tools (cli_trace.c: hub, convert, cat, validate;
 * cli_trace_info.c; cli_trace_capture.c; cli_trace_mem.c).
 *
 * Each run function gets argv[0] = the subcommand name and returns a
 * sysexits code: EX_OK, EX_USAGE bad options, EX_NOINPUT a file that cannot
 * be opened, EX_DATAERR a bad trace or input, EX_CANTCREAT an output that
 * cannot be written, EX_NOPERM /proc access denied, EX_SOFTWARE anything
 * else. Errors are one line on stderr, "zsfrag trace SUB: FILE:LINE: what"
 * or "FILE: offset N: what"; results go to stdout or the output file.
 */
#ifndef ZSFRAG_CLI_TRACE_H
#define ZSFRAG_CLI_TRACE_H

#include "trace.h"

int cli_trace_info(int argc, char **argv);
int cli_trace_from_capture(int argc, char **argv);
int cli_trace_merge(int argc, char **argv);
int cli_trace_from_process(int argc, char **argv);
int cli_trace_from_core(int argc, char **argv);

/*
 * Open a trace for a tool, printing the one-line error on failure. Returns
 * EX_OK, or EX_NOINPUT (cannot open) / EX_DATAERR (bad header) with *r NULL.
 */
int cli_trace_open(const char *sub, const char *path, struct trace_reader **r);

/*
 * Output of the trace makers (from-capture, from-process, from-core):
 * -o FILE (default stdout, text), format and compression from the name or
 * from --format / --compress.
 */
struct cli_trace_out {
	const char *path; /* "-" for stdout */
	enum trace_format fmt;
	enum trace_codec codec;
	bool fmt_set, codec_set; /* given as options, not guessed from the name */
	int level;		 /* compression level, 0 default */
	const char *input;	 /* the file read, never written over (outfile_is_input) */
};

/* getopt_long entries and handling shared by the trace makers and convert. */
/* clang-format off */
#define CLI_TRACE_OUT_OPTS                                      \
	{ "output", required_argument, NULL, 'o' },             \
	{ "format", required_argument, NULL, 'F' },             \
	{ "compress", required_argument, NULL, 'z' },           \
	{ "level", required_argument, NULL, 'L' }
/* clang-format on */
#define CLI_TRACE_OUT_HELP                                                                         \
	"  -o, --output FILE      write the trace to FILE (default stdout); FILE.ztb is binary,\n" \
	"                         FILE.zst / FILE.gz are compressed\n"                             \
	"      --format F         text or binary (default: from the name)\n"                       \
	"      --compress C       none, zstd or gzip (default: from the name)\n"                   \
	"      --level N          compression level (default: zstd 3, gzip 6)\n"

/* Handle one of the options above: 0 handled, 1 not an output option, EX_USAGE bad value. */
int cli_trace_out_opt(const char *sub, int c, const char *arg, struct cli_trace_out *out);
/*
 * Resolve the defaults from the path; refuse (EX_USAGE) an output that is
 * out->input under another name; then open the writer (message on stderr
 * on failure). Finish with trace_writer_close(), or trace_writer_abort()
 * when the input failed: the output then is not created.
 */
int cli_trace_out_open(const char *sub, struct cli_trace_out *out, const struct trace_meta *meta,
		       size_t n, struct trace_writer **w);

#endif /* ZSFRAG_CLI_TRACE_H */
