/*
 * cli_plot_cmd.c - `zsfrag plot FIGURE ...`: the options, the dispatch to
 * each figure (cli_plot.c: time series and classes; cli_plot_compare.c:
 * compare and overlay; cli_report_regress.c: regress), and the runs a
 * comparison figure draws, from files or results directories.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_compare.h"
#include "cli_opt.h"
#include "cli_plot.h"

/* --- the subcommand --- */

/* What the figures' options name (the regress figure has its own). */
struct plot_args {
	const char *out, *label, *title;
};

/* clang-format off */
/* One table for every figure but regress: each takes the options the others use. */
#define PLOT_OPTS(a)                                                                               \
	{                                                                                          \
		{.name = "out", .short_name = 'o', .arg = "OUTBASE", .kind = CLI_OPT_STRING,       \
		 .dst = &(a)->out, .help = "output path without extension (default: beside the input)"}, \
		    {.name = "snapshot", .arg = "LABEL", .kind = CLI_OPT_STRING, .dst = &(a)->label,  \
		     .help = "classes: the snapshot to show"},                                     \
		    {.name = "title", .arg = "T", .kind = CLI_OPT_STRING, .dst = &(a)->title,         \
		     .help = "compare: the figure's title"},                                       \
		    CLI_OPT_HELP_ROW, CLI_OPT_END,                                                 \
	}
/* clang-format on */

static void plot_help(FILE *f)
{
	struct plot_args a;
	/* clang-format off */
	const struct cli_opt opts[] = PLOT_OPTS(&a);
	/* clang-format on */

	fprintf(
	    f,
	    "usage: zsfrag plot timeseries RUN.json [-o OUTBASE]\n"
	    "       zsfrag plot classes RUN.json [--snapshot LABEL] [-o OUTBASE]\n"
	    "       zsfrag plot compare RUN.json...|DIR [-o OUTBASE] [--title T]\n"
	    "       zsfrag plot overlay RUN.json...|DIR [-o OUTBASE] [--title T]\n"
	    "       zsfrag plot regress BASE_DIR NEW_DIR [-o OUTBASE] [--metric M[,M...]]\n"
	    "                           [--threshold F]\n\n"
	    "Draw figures from results JSON (zsfrag replay --json, zsfrag compare) with gnuplot\n"
	    "(templates plots/*.gp): OUTBASE.png, OUTBASE.svg and the data as OUTBASE.tsv.\n\n"
	    "  timeseries  pool pages vs ideal vs compressed data; free blocks per order and the\n"
	    "              order-2 unusable index; cumulative fork failures; compactions marked\n"
	    "  classes     obj_allocated vs obj_used per size class and the pages above the "
	    "ideal,\n"
	    "              at a snapshot (default: the labelled one with the most waste)\n"
	    "  compare     the comparison table's key metrics as bars, one row per run\n"
	    "  overlay     the runs on one time axis: pool pages, the order-2 unusable index,\n"
	    "              and the share of forks that did not get their pgd straight away\n"
	    "  regress     ratio new/base per metric with its spread over the runs; exits 1 when\n"
	    "              a --metric (default pool_end) got worse beyond --threshold (default\n"
	    "              0.05 = 5%%); see zsfrag plot regress --help\n\n");
	cli_opt_help(f, opts);
}

static void plot_help_opts(FILE *f, const struct cli_opt *opts)
{
	(void)opts;
	plot_help(f);
}

static int collect_runs(char **args, int nargs, struct cmp_metrics **out, unsigned int *n,
			char *msg, size_t msglen);

/* OUTBASE when -o is not given: beside the one input, or in the directory given */
static void default_outbase(const char *what, char **inputs, int n, bool many, char *base,
			    size_t len)
{
	size_t l = strlen(inputs[0]);

	if (many && n != 1) {
		snprintf(base, len, "%s", what);
		return;
	}
	if (l > 5 && !strcmp(inputs[0] + l - 5, ".json"))
		l -= 5;
	while (l > 1 && inputs[0][l - 1] == '/')
		l--;
	snprintf(base, len, "%.*s%s%s", (int)l, inputs[0], many ? "/" : "-", what);
}

/* compare and overlay: every run of the files and directories given, on one figure */
static int plot_runs(const char *what, char **inputs, int n, const struct plot_args *a,
		     const char *out, char *msg, size_t msglen)
{
	struct cmp_metrics *m = NULL;
	unsigned int nm = 0;
	char t[1000];
	int rc = collect_runs(inputs, n, &m, &nm, msg, msglen);

	if (!rc) {
		cmp_title(m, nm, t, sizeof(t));
		rc = !strcmp(what, "compare")
			 ? plot_compare(m, nm, a->title ? a->title : t, out, msg, msglen)
			 : plot_overlay(m, nm, a->title ? a->title : t, out, msg, msglen);
	}
	free(m);
	return rc;
}

/* `zsfrag plot FIGURE ...` for every figure but regress: argv[0] is the figure. */
static int plot_figure(int argc, char **argv)
{
	struct plot_args a = {.out = NULL};
	/* clang-format off */
	const struct cli_opt opts[] = PLOT_OPTS(&a);
	/* clang-format on */
	const char *what = argv[0], *out;
	bool many = !strcmp(what, "compare") || !strcmp(what, "overlay");
	char base[PATH_MAX], msg[800];
	int rc = cli_opt_parse("plot", opts, argc, argv, plot_help_opts);

	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (optind >= argc)
		return cli_usage_error("plot", "no results file given");
	if (!many && optind + 1 != argc)
		return cli_usage_error("plot", "%s takes one results file", what);
	if (!a.out)
		default_outbase(what, argv + optind, argc - optind, many, base, sizeof(base));
	out = a.out ? a.out : base;
	if (!strcmp(what, "timeseries"))
		rc = plot_timeseries(argv[optind], out, msg, sizeof(msg));
	else if (!strcmp(what, "classes"))
		rc = plot_classes(argv[optind], a.label, out, msg, sizeof(msg));
	else
		rc = plot_runs(what, argv + optind, argc - optind, &a, out, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "zsfrag plot: %s\n", msg);
		return rc;
	}
	printf("%s.png\n%s.svg\n", out, out);
	return EX_OK;
}

static const struct cli_command plot_commands[] = {
    {"timeseries", "pool, free memory and forks over time", plot_figure},
    {"classes", "objects and pages per size class at a snapshot", plot_figure},
    {"compare", "the comparison table's key metrics as bars", plot_figure},
    {"overlay", "the runs on one time axis", plot_figure},
    {"regress", "ratio new/base per metric", plot_regress_main},
};

static const struct cli_hub plot_hub = {
    .prog = "zsfrag plot",
    .what = "FIGURE",
    .cmds = plot_commands,
    .n = sizeof(plot_commands) / sizeof(plot_commands[0]),
    .help = plot_help,
};

int cli_plot(int argc, char **argv)
{
	return cli_dispatch(&plot_hub, argc, argv);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int plot_list_results(const char *dir, char ***paths, unsigned int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **p = NULL;
	unsigned int cap = 0;

	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 6 || strcmp(e->d_name + l - 5, ".json") || e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			char **np;

			cap = cap ? 2 * cap : 32;
			np = realloc(p, cap * sizeof(*p));
			if (!np)
				break;
			p = np;
		}
		p[*n] = malloc(strlen(dir) + l + 2);
		if (!p[*n])
			break;
		sprintf(p[*n], "%s/%s", dir, e->d_name);
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(p, *n, sizeof(*p), cmp_str);
	*paths = p;
	return 0;
}

static int collect_runs(char **args, int nargs, struct cmp_metrics **out, unsigned int *n,
			char *msg, size_t msglen)
{
	struct cmp_metrics *m = NULL;
	unsigned int cap = 0;

	*n = 0;
	for (int a = 0; a < nargs; a++) {
		char **paths = NULL;
		unsigned int np = 0;
		bool is_dir = plot_list_results(args[a], &paths, &np) == 0;

		if (!is_dir) {
			np = 1;
			paths = NULL;
		}
		for (unsigned int i = 0; i < np; i++) {
			const char *p = is_dir ? paths[i] : args[a];
			struct cmp_metrics one;

			if (cmp_metrics_load(p, &one, msg, msglen)) {
				if (is_dir) /* other JSON in a results directory is not ours */
					continue;
				free(m);
				return EX_DATAERR;
			}
			if (*n == cap) {
				struct cmp_metrics *nm;

				cap = cap ? 2 * cap : 16;
				nm = realloc(m, cap * sizeof(*m));
				if (!nm) {
					free(m);
					return EX_OSERR;
				}
				m = nm;
			}
			m[(*n)++] = one;
		}
		for (unsigned int i = 0; i < np && paths; i++)
			free(paths[i]);
		free(paths);
	}
	if (!*n) {
		snprintf(msg, msglen, "no results files found");
		free(m);
		return EX_NOINPUT;
	}
	*out = m;
	return 0;
}
