/*
 * cli.h - the zsfrag command hub: one entry per subcommand, each in its own
 * file with its own option table (cli_opt.h) and --help.
 */
#ifndef ZSFRAG_CLI_H
#define ZSFRAG_CLI_H

#include <stddef.h>
#include <stdio.h>

struct cli_command {
	const char *name;
	const char *summary;   /* one line for `zsfrag --help` */
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name; returns a sysexits code */
};

/*
 * A table of subcommands and how to present it: `zsfrag`, `zsfrag trace`,
 * `zsfrag plot` and `zsfrag sweep` dispatch through cli_dispatch(), so all
 * answer no argument, --help / -h / help and an unknown name the same way.
 */
struct cli_hub {
	const char *prog;  /* "zsfrag", "zsfrag trace": the start of usage and messages */
	const char *what;  /* "COMMAND", "SUBCOMMAND" */
	const char *intro; /* between the usage line and the list, ending in "...:\n" */
	const struct cli_command *cmds;
	size_t n;
	int width; /* of the name column */
	/* when not NULL, the usage text instead of the generated list (plot, sweep) */
	void (*help)(FILE *f);
};

/* The usage text: "usage: PROG WHAT [OPTIONS]", intro, the table, the --help hint. */
void cli_hub_usage(const struct cli_hub *hub, FILE *f);
/* Run argv[1]'s entry with argv + 1; usage on stderr and EX_USAGE for none or an unknown one. */
int cli_dispatch(const struct cli_hub *hub, int argc, char **argv);

int cli_classes(int argc, char **argv);
int cli_gen(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_trace(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_plot(int argc, char **argv);
int cli_sweep(int argc, char **argv);

/* Print "zsfrag NAME: message (see 'zsfrag NAME --help')", one line, on stderr; returns
 * EX_USAGE for convenience. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The sysexits code for how a replay ended (replay_job.h). */
int cli_replay_exit(int status);

/* Parse an unsigned decimal option value; 0 or -EINVAL. */
int cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

#endif /* ZSFRAG_CLI_H */
