/*
 * cli_opt.h - a subcommand's options as one table: long and short name,
 * argument, kind, destination and help. The table generates the
 * getopt_long() tables, the "bad --X 'VALUE'" messages (one form for every
 * option) and the option rows of --help, so an option is added in one place.
 */
#ifndef ZSFRAG_CLI_OPT_H
#define ZSFRAG_CLI_OPT_H

#include <getopt.h> /* optind, where the operands start */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum cli_opt_kind {
	CLI_OPT_STRING, /* dst: const char **, the argument as given */
	CLI_OPT_U64,	/* dst: uint64_t *, decimal digits only, at most max */
	CLI_OPT_UINT,	/* dst: unsigned int *, decimal digits only, at most max */
	CLI_OPT_SET,	/* dst: bool *, true when given */
	CLI_OPT_CLEAR,	/* dst: bool *, false when given */
	CLI_OPT_DOUBLE, /* dst: double *, a plain number from 0 to max */
	CLI_OPT_PARSE,	/* parse(arg, dst): see cli_opt.parse */
	CLI_OPT_HELP,	/* print the subcommand's help on stdout */
};

struct cli_opt {
	const char *name;	/* the long name, without "--"; NULL ends the table */
	char short_name;	/* 0: long only */
	const char *arg;	/* the argument's name in --help; NULL: takes none */
	enum cli_opt_kind kind;
	void *dst;
	bool *given;		/* when not NULL, set when the option is given */
	unsigned long long max; /* CLI_OPT_U64, CLI_OPT_UINT, CLI_OPT_DOUBLE */
	/*
	 * CLI_OPT_PARSE: 0 stored; negative: a bad value (the table's "bad ..."
	 * message); positive: the callback printed its own message (a value
	 * that is well formed but not allowed here) and this is the exit code.
	 */
	int (*parse)(const char *arg, void *dst);
	const char *what; /* the value's name in "bad WHAT 'ARG'"; NULL: "--NAME" */
	const char *hint; /* after a bad value, e.g. "(0..16)"; may be NULL */
	const char *help; /* the --help text; "\n" starts a continuation line; NULL: no row */
	unsigned long long min; /* CLI_OPT_U64, CLI_OPT_UINT: the least value allowed */
};

/* The rows every table ends with. */
/* clang-format off */
#define CLI_OPT_HELP_ROW {.name = "help", .short_name = 'h', .kind = CLI_OPT_HELP, .help = "this text"}
#define CLI_OPT_END	 {.name = NULL}
/* clang-format on */

/* How a subcommand prints its help: the usage lines, its table's rows (cli_opt_help), notes. */
typedef void cli_opt_help_fn(FILE *f, const struct cli_opt *opts);

/*
 * Parse argv[1..] (argv[0] is the subcommand's name) against the table
 * (getopt_long, so options and operands may mix and "--" ends the options);
 * operands are left from optind on. Returns 0, -1 when --help was printed
 * (help(stdout, opts)), or an exit code (EX_USAGE) after "zsfrag CMD: bad
 * ..." on stderr.
 */
int cli_opt_parse(const char *cmd, const struct cli_opt *opts, int argc, char **argv,
		  cli_opt_help_fn *help);

/* A CLI_OPT_PARSE callback: a page size of 4096, 16384 or 65536 into a size_t. */
int cli_opt_page_size(const char *arg, void *dst);

/* One option's --help row: "  -p, --profile P        text", continuations indented. */
void cli_opt_help_row(FILE *f, const struct cli_opt *o);
/* Every row of the table, in order. */
void cli_opt_help(FILE *f, const struct cli_opt *opts);
/* The table's entry for a long name, or NULL. */
const struct cli_opt *cli_opt_find(const struct cli_opt *opts, const char *name);

#endif /* ZSFRAG_CLI_OPT_H */
