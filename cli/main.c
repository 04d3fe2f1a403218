/*
 * main.c - `zsfrag SUBCOMMAND ...`: dispatch to the subcommand table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "classes", "print a profile's size-class table", cli_classes },
	{ "gen", "generate a swap trace from workload models", cli_gen },
	{ "replay", "replay a trace through zram, zsmalloc and emulated memory", cli_replay },
	{ "trace", "inspect, convert, validate and make traces (info, convert, from-process...)", cli_trace },
	{ "compare", "replay a trace per policy or profile in parallel, print them side by side", cli_compare },
	{ "plot", "figures from results JSON (timeseries, classes, compare, regress)", cli_plot },
	{ "sweep", "expand a sweep into independent runs, run one, merge the results", cli_sweep },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "zsfrag %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'zsfrag %s --help')\n", cmd);
	return EX_USAGE;
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

static void usage(FILE *f)
{
	fprintf(f, "usage: zsfrag COMMAND [OPTIONS]\n\n"
		   "A fragmentation simulator and benchmark harness for Linux zsmalloc.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'zsfrag COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EX_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("zsfrag %s\n", ZSFRAG_VERSION);
		return EX_OK;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "zsfrag: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EX_USAGE;
}
