/*
 * cli_gen.c - `zsfrag gen MODEL[,MODEL...]`: write a generated trace.
 *
 * The models and their parameters live in workloads/ (wl.h); this file
 * parses options, prints help from the parameter tables, and writes the
 * events with the trace writer (traces/trace_text.h). Same mix, parameters
 * and seed: byte-identical output.
 *
 * Exit codes (sysexits): 0 ok, EX_USAGE bad options or parameters,
 * EX_CANTCREAT the output cannot be written, EX_OSERR out of memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opt.h"
#include "cli_util.h"
#include "cli_proc.h"
#include "trace.h"
#include "trace_text.h"
#include "wl.h"

#define MAX_PARAMS 256

static void print_defs(FILE *f, const char *prefix, const struct wl_param_def *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char key[96], def[64];

		snprintf(key, sizeof(key), "%s%s", prefix, d[i].key);
		if (d[i].type == WL_P_CHOICE)
			snprintf(def, sizeof(def), "%s", d[i].choices[(int)d[i].def]);
		else
			snprintf(def, sizeof(def), "%g", d[i].def);
		fprintf(f, "    %-26s %-9s %s\n", key, def, d[i].help);
	}
}

static void gen_help(FILE *f, const struct cli_opt *opts)
{
	const struct wl_param_def *d;
	size_t n;

	fprintf(
	    f, "usage: zsfrag gen MODEL[,MODEL...] [--param KEY=VALUE]... [--seed N] [-o TRACE]\n\n"
	       "Generate a swap trace from workload models; several models (--mix a,b,c or\n"
	       "a,b,c) run side by side in simulated time. The output's name picks the format\n"
	       "(traces/FORMAT.md): text (zsfrag-trace 1) by default, binary for .ztb, either\n"
	       "one compressed for .zst / .gz.\n\n");
	cli_opt_help(f, opts);
	fprintf(f, "\nModels:\n");
	for (unsigned int i = 0; wl_model_name(i); i++)
		fprintf(f, "  %-10s %s\n", wl_model_name(i), wl_model_summary(i));
	fprintf(f, "\nGlobal parameters (KEY, default, meaning):\n");
	d = wl_param_defs(NULL, &n);
	print_defs(f, "", d, n);
	for (unsigned int i = 0; wl_model_name(i); i++) {
		char prefix[32];

		fprintf(f, "\n%s parameters:\n", wl_model_name(i));
		d = wl_param_defs(wl_model_name(i), &n);
		snprintf(prefix, sizeof(prefix), "%s.", wl_model_name(i));
		print_defs(f, prefix, d, n);
	}
	fprintf(f, "\nThe models are described in README.md (Workloads) and at the head of each\n"
		   "workloads/wl_<model>.c.\n");
}

/* What the options name: the mix and the parameters, in the order given. */
struct gen_args {
	const char *mix;
	const char *params[MAX_PARAMS];
	unsigned int nr_params;
};

static int parse_mix(const char *arg, void *dst)
{
	struct gen_args *a = dst;

	if (a->mix)
		return cli_usage_error("gen", "more than one mix given");
	a->mix = arg;
	return 0;
}

static int parse_param(const char *arg, void *dst)
{
	struct gen_args *a = dst;

	if (a->nr_params == MAX_PARAMS)
		return cli_usage_error("gen", "more than %d parameters", MAX_PARAMS);
	a->params[a->nr_params++] = arg;
	return 0;
}

/* One line (README: Workloads), with the --help hint once: some messages carry it already. */
static int gen_param_error(const char *err)
{
	if (strstr(err, "--help")) {
		fprintf(stderr, "zsfrag gen: %s\n", err);
		return EX_USAGE;
	}
	return cli_usage_error("gen", "%s", err);
}

/* The options and the mix (the first operand or --mix); 0, -1 after --help, or EX_USAGE. */
static int gen_parse(int argc, char **argv, struct gen_args *a, unsigned long long *seed,
		     const char **out, bool *quiet)
{
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "mix", .short_name = 'm', .arg = "LIST", .kind = CLI_OPT_PARSE, .dst = a,
	     .parse = parse_mix, .help = "the models, comma-separated (or the first argument)"},
	    {.name = "param", .short_name = 'P', .arg = "KEY=VALUE", .kind = CLI_OPT_PARSE,
	     .dst = a, .parse = parse_param,
	     .help = "set a parameter (repeatable); model keys as MODEL.KEY,\n"
		     "or KEY when one model of the mix has it"},
	    {.name = "seed", .short_name = 's', .arg = "N", .kind = CLI_OPT_U64, .dst = seed,
	     .max = UINT64_MAX, .what = "seed",
	     .help = "PRNG seed (default 1); same seed, same trace"},
	    {.name = "output", .short_name = 'o', .arg = "TRACE", .kind = CLI_OPT_STRING, .dst = out,
	     .help = "output file (default '-', standard output); the name picks\n"
		     "the format: .trace text, .ztb binary, .zst / .gz compressed;\n"
		     "a file appears only when complete (README: How outputs\n"
		     "are written)"},
	    {.name = "quiet", .short_name = 'q', .kind = CLI_OPT_SET, .dst = quiet,
	     .help = "no progress or summary on stderr"},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	int rc = cli_opt_parse("gen", opts, argc, argv, gen_help);

	if (rc)
		return rc;
	if (optind < argc) {
		if (a->mix)
			return cli_usage_error("gen", "the mix given twice ('%s' and --mix %s)",
					       argv[optind], a->mix);
		a->mix = argv[optind++];
	}
	if (optind < argc)
		return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
	if (!a->mix)
		return cli_usage_error("gen", "no model given");
	return 0;
}

/* The generator of the mix with its parameters, started with the seed; 0 or the exit code. */
static int gen_setup(const struct gen_args *a, unsigned long long seed, struct wl_gen **g)
{
	char err[512];
	int rc = wl_gen_create(a->mix, g, err, sizeof(err));

	if (rc)
		return rc == -ENOMEM ? EX_OSERR : cli_usage_error("gen", "%s", err);
	for (unsigned int i = 0; i < a->nr_params; i++) {
		if (wl_gen_set(*g, a->params[i], NULL, err, sizeof(err))) {
			wl_gen_destroy(*g);
			return gen_param_error(err);
		}
	}
	rc = wl_gen_start(*g, seed, err, sizeof(err));
	if (rc) {
		wl_gen_destroy(*g);
		return rc == -ENOMEM ? EX_OSERR : cli_usage_error("gen", "%s", err);
	}
	return 0;
}

/*
 * Every event into out, whose name picks the format and compression
 * (run.trace, run.ztb, run.ztb.zst, run.trace.gz); the file appears only
 * when complete. EX_OK or the exit code after the message; *events written.
 */
static int gen_write(struct wl_gen *g, const char *out, unsigned long long *events)
{
	const struct trace_meta *meta;
	struct trace_writer *w = NULL;
	struct sim_event ev;
	char err[512];
	int n = (int)wl_gen_meta(g, &meta), rc;

	cli_tmp_prepare();
	rc = trace_writer_open(out, trace_format_from_path(out), trace_codec_from_path(out), 0, meta,
			       (size_t)n, &w, err, sizeof(err));
	if (rc) {
		cli_tmp_register(NULL);
		fprintf(stderr, "zsfrag gen: %s\n", err);
		return rc == -ENOMEM ? EX_OSERR : EX_CANTCREAT;
	}
	cli_tmp_register(trace_writer_temp_name(w)); /* removed if a signal ends us */
	while (!rc && (n = wl_gen_next(g, &ev)) == 1) {
		rc = trace_writer_event(w, &ev);
		(*events)++;
	}
	if (!rc && n < 0)
		rc = n;
	if (rc) {
		trace_writer_abort(w); /* nothing under the output's name */
	} else if ((rc = trace_writer_close(w, err, sizeof(err)))) {
		/* err names the file and the cause ("No space left on device") */
		cli_tmp_register(NULL);
		fprintf(stderr, "zsfrag gen: %s\n", err);
		return rc == -ENOMEM ? EX_OSERR : EX_CANTCREAT;
	}
	cli_tmp_register(NULL); /* renamed into place or removed */
	if (!rc)
		return EX_OK;
	fprintf(stderr, "zsfrag gen: %s: %s\n", out,
		rc == -ENOMEM	? "out of memory"
		: rc == -EINVAL ? "bad event (a bug)"
				: strerror(-rc));
	return rc == -ENOMEM ? EX_OSERR : rc == -EINVAL ? EX_SOFTWARE : EX_CANTCREAT;
}

int cli_gen(int argc, char **argv)
{
	struct gen_args a = {.mix = NULL};
	const char *out = "-";
	unsigned long long seed = 1, events = 0;
	bool quiet = false;
	struct wl_gen *g = NULL;
	double t0;
	int rc;

	rc = gen_parse(argc, argv, &a, &seed, &out, &quiet);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	rc = gen_setup(&a, seed, &g);
	if (rc)
		return rc;
	t0 = cli_now();
	rc = gen_write(g, out, &events);
	if (!rc && !quiet) {
		double dt = cli_now() - t0;

		fprintf(stderr, "zsfrag gen: %llu events in %.2f s (%.2f M events/s) to %s\n",
			events, dt, dt > 0 ? (double)events / dt / 1e6 : 0.0,
			strcmp(out, "-") ? out : "<stdout>");
	}
	wl_gen_destroy(g);
	return rc;
}
