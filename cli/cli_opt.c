/*
 * cli_opt.c - option tables (cli_opt.h): the getopt_long() tables built from
 * one, the values parsed and stored by kind, and the --help rows.
 */
#include "cli_opt.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

#define CLI_OPT_MAX	  64 /* options in one table */
#define CLI_OPT_HELP_COL  25 /* column of the help text */
#define CLI_OPT_LONG_BASE 256 /* getopt values of long-only options: base + index */

static size_t opt_count(const struct cli_opt *opts)
{
	size_t n = 0;

	while (opts[n].name)
		n++;
	return n;
}

/* "bad --NAME 'ARG'" or "bad WHAT 'ARG'", and the hint when there is one. */
static int bad_value(const char *cmd, const struct cli_opt *o, const char *arg)
{
	char name[64];

	if (o->what)
		snprintf(name, sizeof(name), "%s", o->what);
	else
		snprintf(name, sizeof(name), "--%s", o->name);
	if (o->hint)
		return cli_usage_error(cmd, "bad %s '%s' %s", name, arg, o->hint);
	return cli_usage_error(cmd, "bad %s '%s'", name, arg);
}

/* Store one option's value; 0 or nonzero for a bad value. */
static int store(const struct cli_opt *o, const char *arg)
{
	unsigned long long v;

	switch (o->kind) {
	case CLI_OPT_STRING:
		*(const char **)o->dst = arg;
		return 0;
	case CLI_OPT_U64:
	case CLI_OPT_UINT:
		if (cli_parse_u64(arg, o->max, &v) || v < o->min)
			return -1;
		if (o->kind == CLI_OPT_U64)
			*(uint64_t *)o->dst = v;
		else
			*(unsigned int *)o->dst = (unsigned int)v;
		return 0;
	case CLI_OPT_SET:
	case CLI_OPT_CLEAR:
		*(bool *)o->dst = o->kind == CLI_OPT_SET;
		return 0;
	case CLI_OPT_DOUBLE: {
		char *end;
		double d;

		/* digits first: strtod would also take blanks, a sign, "inf" and "nan" */
		if (!arg || ((*arg < '0' || *arg > '9') && *arg != '.'))
			return -1;
		d = strtod(arg, &end);
		if (*end || !(d >= 0) || d > (double)o->max)
			return -1;
		*(double *)o->dst = d;
		return 0;
	}
	case CLI_OPT_PARSE:
		return o->parse(arg, o->dst);
	case CLI_OPT_HELP:
		break;
	}
	return 0;
}

int cli_opt_parse(const char *cmd, const struct cli_opt *opts, int argc, char **argv,
		  cli_opt_help_fn *help)
{
	struct option lopts[CLI_OPT_MAX + 1];
	char sopts[CLI_OPT_MAX * 2 + 1];
	size_t n = opt_count(opts), s = 0;
	int c, rc;

	if (n > CLI_OPT_MAX)
		abort(); /* a table this long is a programming error */
	for (size_t i = 0; i < n; i++) {
		int has_arg = opts[i].arg ? required_argument : no_argument;
		int val = opts[i].short_name ? opts[i].short_name : CLI_OPT_LONG_BASE + (int)i;

		lopts[i] = (struct option){opts[i].name, has_arg, NULL, val};
		if (opts[i].short_name) {
			sopts[s++] = opts[i].short_name;
			if (opts[i].arg)
				sopts[s++] = ':';
		}
	}
	lopts[n] = (struct option){NULL, 0, NULL, 0};
	sopts[s] = '\0';
	optind = 1;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		const struct cli_opt *o = NULL;

		if (c >= CLI_OPT_LONG_BASE && (size_t)(c - CLI_OPT_LONG_BASE) < n)
			o = &opts[c - CLI_OPT_LONG_BASE];
		for (size_t i = 0; !o && c != '?' && i < n; i++)
			if (opts[i].short_name == c)
				o = &opts[i];
		if (!o)
			return cli_usage_error(cmd, "bad option");
		if (o->kind == CLI_OPT_HELP) {
			help(stdout, opts);
			return -1;
		}
		rc = store(o, optarg);
		if (rc > 0)
			return rc; /* the option's own message is out */
		if (rc)
			return bad_value(cmd, o, optarg);
		if (o->given)
			*o->given = true;
	}
	return 0;
}

int cli_opt_page_size(const char *arg, void *dst)
{
	unsigned long long v;

	if (cli_parse_u64(arg, 65536, &v) || (v != 4096 && v != 16384 && v != 65536))
		return -1;
	*(size_t *)dst = (size_t)v;
	return 0;
}

void cli_opt_help_row(FILE *f, const struct cli_opt *o)
{
	char left[80];
	const char *p = o->help, *nl;
	int w;

	if (o->short_name)
		w = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name, o->name);
	else
		w = snprintf(left, sizeof(left), "      --%s", o->name);
	if (o->arg)
		w += snprintf(left + w, sizeof(left) - (size_t)w, " %s", o->arg);
	/* the text at its column, or two blanks after an option too long for it */
	if (w <= CLI_OPT_HELP_COL - 2)
		fprintf(f, "%-*s", CLI_OPT_HELP_COL, left);
	else
		fprintf(f, "%s  ", left);
	for (;;) {
		nl = strchr(p, '\n');
		if (!nl) {
			fprintf(f, "%s\n", p);
			return;
		}
		fprintf(f, "%.*s\n%*s", (int)(nl - p), p, CLI_OPT_HELP_COL, "");
		p = nl + 1;
	}
}

void cli_opt_help(FILE *f, const struct cli_opt *opts)
{
	for (; opts->name; opts++)
		if (opts->help)
			cli_opt_help_row(f, opts);
}

const struct cli_opt *cli_opt_find(const struct cli_opt *opts, const char *name)
{
	for (; opts->name; opts++)
		if (!strcmp(opts->name, name))
			return opts;
	return NULL;
}
