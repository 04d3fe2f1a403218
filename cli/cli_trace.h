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

#include "cli_opt.h"
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
	unsigned int level;	 /* compression level, 0 default */
	const char *input;	 /* the file read, never written over (outfile_is_input) */
};

/* CLI_OPT_PARSE callbacks: --format (dst: enum trace_format *), --compress (enum trace_codec *). */
int cli_trace_parse_format(const char *arg, void *dst);
int cli_trace_parse_codec(const char *arg, void *dst);

/* clang-format off */
/* The option rows of the output (cli_opt.h), shared by the trace makers and convert. */
#define CLI_TRACE_OUT_PATH_ROW(out)                                                                \
	{.name = "output", .short_name = 'o', .arg = "FILE", .kind = CLI_OPT_STRING,               \
	 .dst = &(out)->path,                                                                      \
	 .help = "write the trace to FILE (default stdout); FILE.ztb is binary,\n"                 \
		 "FILE.zst / FILE.gz are compressed"}
#define CLI_TRACE_OUT_FORMAT_ROWS(out)                                                             \
	{.name = "format", .arg = "F", .kind = CLI_OPT_PARSE, .dst = &(out)->fmt,                  \
	 .given = &(out)->fmt_set, .parse = cli_trace_parse_format, .hint = "(text or binary)",    \
	 .help = "text or binary (default: from the name)"},                                       \
	    {.name = "compress", .arg = "C", .kind = CLI_OPT_PARSE, .dst = &(out)->codec,          \
	     .given = &(out)->codec_set, .parse = cli_trace_parse_codec,                           \
	     .hint = "(none, zstd, gzip)", .help = "none, zstd or gzip (default: from the name)"}, \
	    {.name = "level", .arg = "N", .kind = CLI_OPT_UINT, .dst = &(out)->level, .min = 1,    \
	     .max = 22, .hint = "(1..22 zstd, 1..9 gzip)",                                         \
	     .help = "compression level (default: zstd 3, gzip 6)"}
/* clang-format on */

/*
 * Resolve the defaults from the path; refuse (EX_USAGE) an output that is
 * out->input under another name; then open the writer (message on stderr
 * on failure). Finish with trace_writer_close(), or trace_writer_abort()
 * when the input failed: the output then is not created.
 */
int cli_trace_out_open(const char *sub, struct cli_trace_out *out, const struct trace_meta *meta,
		       size_t n, struct trace_writer **w);

#endif /* ZSFRAG_CLI_TRACE_H */
