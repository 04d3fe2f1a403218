/*
 * main.c - `zsfrag SUBCOMMAND ...`: dispatch to the subcommand table.
 */
/* fopencookie: _GNU_SOURCE comes from the build */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "replay_job.h"

static const struct cli_command commands[] = {
    {"classes", "print a profile's size-class table", cli_classes},
    {"gen", "generate a swap trace from workload models", cli_gen},
    {"replay", "replay a trace through zram, zsmalloc and emulated memory", cli_replay},
    {"trace", "inspect, convert, validate and make traces (info, convert, from-process...)",
     cli_trace},
    {"compare", "replay a trace per policy or profile in parallel, print them side by side",
     cli_compare},
    {"plot", "figures from results JSON (timeseries, classes, compare, regress)", cli_plot},
    {"sweep", "expand a sweep into independent runs, run one, merge the results", cli_sweep},
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "zsfrag %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* one line, so that scripts and logs keep the message and its hint together */
	fprintf(stderr, " (see 'zsfrag %s --help')\n", cmd);
	return EX_USAGE;
}

int cli_replay_exit(int status)
{
	static const int code[] = {
	    [REPLAY_OK] = EX_OK,
	    [REPLAY_USAGE] = EX_USAGE,
	    [REPLAY_CONFIG] = EX_CONFIG,
	    [REPLAY_NOINPUT] = EX_NOINPUT,
	    [REPLAY_DATA] = EX_DATAERR,
	    [REPLAY_CHECK] = EX_SOFTWARE,
	    [REPLAY_OUTPUT] = EX_CANTCREAT,
	    [REPLAY_NOMEM] = EX_OSERR,
	};

	return status >= 0 && (size_t)status < sizeof(code) / sizeof(code[0]) ? code[status]
									      : EX_SOFTWARE;
}

int cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	/* digits only: strtoull would also take leading blanks and a sign */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Every message on stderr goes through here: file names, trace tokens and
 * option values are echoed in messages, and may hold any byte. Bytes that are
 * not UTF-8, and control bytes other than the newline, tab, carriage return
 * and the escape of the progress bars, are written as \xNN, so a message
 * never puts raw binary on a terminal or into a log.
 */
static ssize_t stderr_write(void *cookie, const char *buf, size_t n)
{
	char out[1024];
	size_t o = 0;

	(void)cookie;
	for (size_t i = 0; i < n;) {
		const unsigned char *s = (const unsigned char *)buf + i;
		size_t len = config_utf8_len(s, n - i);
		bool plain = len > 1 || (len == 1 &&
					 (s[0] >= 0x20 || s[0] == '\n' || s[0] == '\t' ||
					  s[0] == '\r' || s[0] == 0x1b) &&
					 s[0] != 0x7f);

		if (o + 8 > sizeof(out)) {
			if (write_all(out, o))
				return -1;
			o = 0;
		}
		if (plain) {
			memcpy(out + o, s, len);
			o += len;
			i += len;
		} else {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", s[0]);
			i++;
		}
	}
	if (o && write_all(out, o))
		return -1;
	return (ssize_t)n;
}

static void escape_stderr(void)
{
	cookie_io_functions_t fns = {.write = stderr_write};
	FILE *f = fopencookie(NULL, "w", fns);

	if (!f)
		return; /* messages go out unescaped rather than not at all */
	setvbuf(f, NULL, _IONBF, 0);
	stderr = f;
}

static const struct cli_hub hub = {
    .prog = "zsfrag",
    .what = "COMMAND",
    .intro = "A fragmentation simulator and benchmark harness for Linux zsmalloc.\n\nCommands:\n",
    .cmds = commands,
    .n = NR_COMMANDS,
    .width = 10,
};

void cli_hub_usage(const struct cli_hub *h, FILE *f)
{
	if (h->help) {
		h->help(f);
		return;
	}
	fprintf(f, "usage: %s %s [OPTIONS]\n\n%s", h->prog, h->what, h->intro);
	for (size_t i = 0; i < h->n; i++)
		fprintf(f, "  %-*s %s\n", h->width, h->cmds[i].name, h->cmds[i].summary);
	fprintf(f, "\nRun '%s %s --help' for %s.\n", h->prog, h->what,
		strcmp(h->what, "COMMAND") ? "its options" : "a command's options");
}

int cli_dispatch(const struct cli_hub *h, int argc, char **argv)
{
	if (argc < 2) {
		cli_hub_usage(h, stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		cli_hub_usage(h, stdout);
		return EX_OK;
	}
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(argv[1], h->cmds[i].name))
			return h->cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown ", h->prog);
	for (const char *w = h->what; *w; w++) /* "COMMAND" -> "command" */
		fputc(*w >= 'A' && *w <= 'Z' ? *w - 'A' + 'a' : *w, stderr);
	fprintf(stderr, " '%s'\n", argv[1]);
	cli_hub_usage(h, stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	escape_stderr();
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("zsfrag %s\n", ZSFRAG_VERSION);
		return EX_OK;
	}
	return cli_dispatch(&hub, argc, argv);
}
