/*
 * cli_plot.c - figures from results JSON with gnuplot: `zsfrag plot
 * timeseries|classes|compare|regress ...`, also used by `zsfrag compare
 * --figures`.
 *
 * The split: C reads the results and writes small tab-separated data files
 * (kept beside the figures, so a reader can replot them); the templates in
 * plots/NAME.gp own every visual decision and are run as
 * `gnuplot -c plots/NAME.gp ARGS...`, each writing OUTBASE.png (pngcairo)
 * and OUTBASE.svg. The templates are found through $ZSFRAG_PLOTS_DIR, else
 * by walking up from the executable (build/<x>/cli/zsfrag sits under the
 * source tree), else ./plots.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_compare.h"
#include "cli_config.h"

static bool have_template(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/timeseries.gp", dir);
	return access(p, R_OK) == 0;
}

int plot_template(const char *name, char *buf, size_t len)
{
	const char *env = getenv("ZSFRAG_PLOTS_DIR");
	char exe[PATH_MAX], dir[PATH_MAX + 8];
	ssize_t n;

	if (env && *env && have_template(env))
		return snprintf(buf, len, "%s/%s.gp", env, name) < (int)len ? 0 : -ENAMETOOLONG;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		for (int up = 0; up < 6; up++) {
			char *slash = strrchr(exe, '/');

			if (!slash)
				break;
			*slash = 0;
			snprintf(dir, sizeof(dir), "%s/plots", exe);
			if (have_template(dir))
				return snprintf(buf, len, "%s/%s.gp", dir, name) < (int)len
					   ? 0
					   : -ENAMETOOLONG;
		}
	}
	if (have_template("plots"))
		return snprintf(buf, len, "plots/%s.gp", name) < (int)len ? 0 : -ENAMETOOLONG;
	return -ENOENT;
}

int plot_gnuplot(const char *name, const char *const *args, char *msg, size_t msglen)
{
	char tpl[PATH_MAX + 16];
	const char *argv[16];
	int status, n = 0;
	pid_t pid;

	if (plot_template(name, tpl, sizeof(tpl))) {
		snprintf(msg, msglen, "cannot find plots/%s.gp (set ZSFRAG_PLOTS_DIR)", name);
		return EX_CONFIG;
	}
	argv[n++] = "gnuplot";
	argv[n++] = "-c";
	argv[n++] = tpl;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, msglen, "fork: %s", strerror(errno));
		return EX_OSERR;
	}
	if (pid == 0) {
		execvp("gnuplot", (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(msg, msglen, "waitpid: %s", strerror(errno));
		return EX_OSERR;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(msg, msglen, "gnuplot not found (Debian: apt-get install gnuplot-nox)");
		return EX_UNAVAILABLE;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(msg, msglen, "gnuplot -c %s failed (its messages are above)", tpl);
		return EX_SOFTWARE;
	}
	return 0;
}

static json_t *load(const char *path, char *msg, size_t msglen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);

	if (!root)
		cli_json_load_error(path, &jerr, msg, msglen);
	else if (!json_is_array(json_object_get(root, "snapshots")) ||
		 !json_array_size(json_object_get(root, "snapshots"))) {
		snprintf(msg, msglen, "%s: not a zsfrag results file (no snapshots)", path);
		json_decref(root);
		root = NULL;
	}
	return root;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

/* The zone a GFP_KERNEL pgd comes from: the highest lowmem zone (Normal; DMA on ARM virt,
 * DMA32 on a small x86_64). */
static json_t *normal_zone(json_t *snap)
{
	json_t *zones = json_object_get(snap, "zones"), *z, *best = json_array_get(zones, 0);
	size_t i;

	json_array_foreach(zones, i, z) if (json_is_string(json_object_get(z, "name")) &&
					    strcmp(json_string_value(json_object_get(z, "name")),
						   "HighMem")) best = z;
	return best;
}

/* "trace T, profile P (ARCH), policies Q: WHAT" as the titles name a run */
static void run_title(const struct cmp_metrics *m, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "trace %s, profile %s (%s), policies %s: %s", m->trace, m->profile,
		 m->arch, m->policies, what);
}

static FILE *open_tsv(const char *outbase, const char *suffix, char *path, size_t plen, char *msg,
		      size_t msglen)
{
	FILE *f;

	snprintf(path, plen, "%s%s.tsv", outbase, suffix);
	f = fopen(path, "w");
	if (!f)
		snprintf(msg, msglen, "cannot write %s: %s", path, strerror(errno));
	return f;
}

/* `zsfrag gen`'s periodic snapshots (t_10000ms) and post-compaction ones (c_10000ms): shown as
 * samples, or their labels would crowd out the trace's own (filled, drained...) */
static bool periodic_label(const char *l)
{
	size_t n = strlen(l);

	if (n < 5 || (l[0] != 't' && l[0] != 'c') || l[1] != '_' || strcmp(l + n - 2, "ms"))
		return false;
	for (size_t i = 2; i < n - 2; i++)
		if (l[i] < '0' || l[i] > '9')
			return false;
	return true;
}

int plot_timeseries(const char *results, const char *outbase, char *msg, size_t msglen)
{
	struct cmp_metrics m;
	char dpath[PATH_MAX], cpath[PATH_MAX], title[600], pkib[32], ncomp[32];
	json_t *root, *snaps, *s, *c;
	double xmax, last_shown = -1e300;
	FILE *f, *fc;
	size_t i;
	int rc, nlabels = 0;
	bool use_time;

	root = load(results, msg, msglen);
	if (!root)
		return EX_DATAERR;
	if (cmp_metrics_from_json(root, &m, msg, msglen)) {
		json_decref(root);
		return EX_DATAERR;
	}
	f = open_tsv(outbase, "", dpath, sizeof(dpath), msg, msglen);
	fc = f ? open_tsv(outbase, "-compactions", cpath, sizeof(cpath), msg, msglen) : NULL;
	if (!f || !fc) {
		if (f)
			fclose(f);
		json_decref(root);
		return EX_CANTCREAT;
	}
	snaps = json_object_get(root, "snapshots");
	/* simulated time on the x axis when the trace has times, else events */
	use_time = num(json_array_get(snaps, json_array_size(snaps) - 1), "time_ns") > 0;
	xmax = num(json_array_get(snaps, json_array_size(snaps) - 1),
		   use_time ? "time_ns" : "event_index") /
	       (use_time ? 1e9 : 1);
	json_array_foreach(snaps, i, s)
	{
		json_t *z = normal_zone(s), *bi = json_object_get(z, "buddyinfo");
		bool thin;
		json_t *fk = json_object_get(s, "forks");
		const char *label = json_string_value(json_object_get(s, "label"));
		double cum = 0, stack[4];

		fprintf(f, "%.9g\t%.0f\t%.0f\t%.0f\t%.1f",
			use_time ? num(s, "time_ns") / 1e9 : num(s, "event_index"),
			num(s, "event_index"), num(s, "pool_pages"), num(s, "ideal_pages"),
			num(s, "stored_bytes") / (double)m.page_size);
		/* stacked: order 0, <= 1, <= 2, <= 3, all orders */
		for (size_t o = 0; o < json_array_size(bi); o++) {
			cum += json_number_value(json_array_get(bi, o));
			if (o <= 3)
				stack[o] = cum;
		}
		for (size_t o = json_array_size(bi); o <= 3; o++)
			stack[o] = cum;
		fprintf(f, "\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f", stack[0], stack[1], stack[2], stack[3],
			cum);
		if (label && (!strcmp(label, "sample") || periodic_label(label)))
			label = NULL;
		/* the full-width panels show a label only 3% of the run away from the last one */
		thin = label && num(s, "event_index") - last_shown >= 0.03 * xmax;
		if (thin)
			last_shown = num(s, "event_index");
		fprintf(f, "\t%.4f\t%.0f\t%.0f\t%s\t%d\t%s\n", num(z, "unusable_index"),
			num(fk, "attempted"), num(fk, "failed"), label ? label : "",
			label ? nlabels++ % 3 : 0, thin ? label : "");
	}
	rc = 0;
	json_array_foreach(json_object_get(root, "compactions"), i, c)
	{
		fprintf(fc, "%.9g\t%.0f\t%.0f\t%.0f\n",
			use_time ? num(c, "time_ns") / 1e9 : num(c, "event_index"),
			num(c, "pool_pages_before"), num(c, "pool_pages_after"),
			num(c, "pages_freed"));
		rc++;
	}
	snprintf(ncomp, sizeof(ncomp), "%d", rc);
	fclose(fc);
	if (fclose(f)) {
		snprintf(msg, msglen, "cannot write %s", dpath);
		json_decref(root);
		return EX_CANTCREAT;
	}
	run_title(&m, "over time", title, sizeof(title));
	snprintf(pkib, sizeof(pkib), "%lu", m.page_size / 1024);
	json_decref(root);
	{
		const char *args[] = {
		    dpath, cpath, outbase, title, pkib, ncomp, use_time ? "time" : "events", NULL};

		return plot_gnuplot("timeseries", args, msg, msglen);
	}
}

/*
 * The labelled snapshot with the most pool pages above the ideal, the first of equals (the
 * moment the waste appeared); the trace's own labels before `zsfrag gen`'s periodic ones, which
 * come before samples and the final snapshot.
 */
static json_t *worst_snapshot(json_t *snaps)
{
	for (int pass = 0; pass < 3; pass++) {
		json_t *best = NULL, *s;
		double most = -1;
		size_t i;

		json_array_foreach(snaps, i, s)
		{
			const char *l = json_string_value(json_object_get(s, "label"));
			double w = num(s, "pool_pages") - num(s, "ideal_pages");
			bool sample = !l || !strcmp(l, "sample") || !strcmp(l, "final");

			if ((pass < 2 && sample) || (pass == 0 && periodic_label(l)))
				continue;
			if (w > most) {
				most = w;
				best = s;
			}
		}
		if (best)
			return best;
	}
	return json_array_get(snaps, json_array_size(snaps) - 1);
}

int plot_classes(const char *results, const char *label, const char *outbase, char *msg,
		 size_t msglen)
{
	struct cmp_metrics m;
	char dpath[PATH_MAX], title[700], what[200], pkib[32];
	json_t *root, *snaps, *snap = NULL, *s, *cl;
	FILE *f;
	size_t i;

	root = load(results, msg, msglen);
	if (!root)
		return EX_DATAERR;
	if (cmp_metrics_from_json(root, &m, msg, msglen)) {
		json_decref(root);
		return EX_DATAERR;
	}
	snaps = json_object_get(root, "snapshots");
	if (label) {
		json_array_foreach(snaps, i, s)
		{
			const char *l = json_string_value(json_object_get(s, "label"));

			if (l && !strcmp(l, label))
				snap = s; /* the last one of that name */
		}
		if (!snap) {
			snprintf(msg, msglen, "%s: no snapshot labelled '%s'", results, label);
			json_decref(root);
			return EX_DATAERR;
		}
	} else {
		snap = worst_snapshot(snaps);
	}
	f = open_tsv(outbase, "", dpath, sizeof(dpath), msg, msglen);
	if (!f) {
		json_decref(root);
		return EX_CANTCREAT;
	}
	json_array_foreach(json_object_get(snap, "classes"), i, cl)
	{
		double objs = num(cl, "objs_per_zspage"), used = num(cl, "obj_used");
		double ideal = objs > 0 ? ceil(used / objs) * num(cl, "pages_per_zspage") : 0;

		fprintf(f, "%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\n", num(cl, "index"),
			num(cl, "size"), num(cl, "obj_allocated"), used, num(cl, "pages_used"),
			ideal, num(cl, "pages_used") - ideal);
	}
	if (!i) /* gnuplot's stats needs one record */
		fprintf(f, "0\t0\t0\t0\t0\t0\t0\n");
	fclose(f);
	snprintf(what, sizeof(what), "size classes at snapshot '%s' (event %.0f)",
		 json_string_value(json_object_get(snap, "label")), num(snap, "event_index"));
	run_title(&m, what, title, sizeof(title));
	snprintf(pkib, sizeof(pkib), "%lu", m.page_size / 1024);
	json_decref(root);
	{
		const char *args[] = {dpath, outbase, title, pkib, NULL};

		return plot_gnuplot("classes", args, msg, msglen);
	}
}

static void tsv_num(FILE *f, double v, double scale, int decimals)
{
	if (isnan(v))
		fputs("\t", f);
	else
		fprintf(f, "\t%.*f", decimals, v * scale);
}

int plot_compare(const struct cmp_metrics *m, unsigned int n, const char *title,
		 const char *outbase, char *msg, size_t msglen)
{
	char dpath[PATH_MAX], pkib[32];
	bool traces_differ = false, has_cpu = false;
	FILE *f;

	f = open_tsv(outbase, "", dpath, sizeof(dpath), msg, msglen);
	if (!f)
		return EX_CANTCREAT;
	for (unsigned int i = 1; i < n; i++)
		traces_differ |= strcmp(m[i].trace, m[0].trace) != 0;
	for (unsigned int i = 0; i < n; i++) {
		const double *v = m[i].v;

		fprintf(f, "%s%s%s", traces_differ ? m[i].trace : "", traces_differ ? " " : "",
			m[i].variant);
		tsv_num(f, v[CMP_POOL_BEFORE], 1, 0);
		tsv_num(f, v[CMP_POOL_END], 1, 0);
		tsv_num(f, v[CMP_IDEAL_END], 1, 0);
		tsv_num(f, v[CMP_FORKS], 1, 0);
		tsv_num(f, v[CMP_FORKS_FAILED], 1, 0);
		tsv_num(f, v[CMP_UNUSABLE_MEAN], 1, 4);
		tsv_num(f, v[CMP_UNUSABLE_WORST], 1, 4);
		tsv_num(f, v[CMP_OBJS_MIGRATED], 1e-3, 3);
		tsv_num(f, v[CMP_BYTES_COPIED], 1.0 / (1 << 20), 3);
		tsv_num(f, v[CMP_CPU_MS], 1, 3);
		has_cpu |= !isnan(v[CMP_CPU_MS]);
		fputc('\n', f);
	}
	if (fclose(f)) {
		snprintf(msg, msglen, "cannot write %s", dpath);
		return EX_CANTCREAT;
	}
	snprintf(pkib, sizeof(pkib), "%lu", n ? m[0].page_size / 1024 : 4);
	{
		const char *args[] = {dpath, outbase, title, pkib, has_cpu ? "1" : "0", NULL};

		return plot_gnuplot("compare", args, msg, msglen);
	}
}

/* --- the subcommand --- */

static void plot_help(FILE *f)
{
	fprintf(
	    f,
	    "usage: zsfrag plot timeseries RUN.json [-o OUTBASE]\n"
	    "       zsfrag plot classes RUN.json [--snapshot LABEL] [-o OUTBASE]\n"
	    "       zsfrag plot compare RUN.json...|DIR [-o OUTBASE] [--title T]\n"
	    "       zsfrag plot regress BASE_DIR NEW_DIR [-o OUTBASE] [--metric M[,M...]]\n"
	    "                           [--threshold F]\n\n"
	    "Draw figures from results JSON (zsfrag replay --json, zsfrag compare) with gnuplot\n"
	    "(templates plots/*.gp): OUTBASE.png, OUTBASE.svg and the data as OUTBASE.tsv.\n\n"
	    "  timeseries  pool pages vs ideal vs compressed data; free blocks per order and the\n"
	    "              order-2 unusable index; cumulative fork failures; compactions marked\n"
	    "  classes     obj_allocated vs obj_used per size class and the pages above the "
	    "ideal,\n"
	    "              at a snapshot (default: the labelled one with the most waste)\n"
	    "  compare     the comparison table's key metrics as grouped bars\n"
	    "  regress     ratio new/base per metric with its spread over the runs; exits 1 when\n"
	    "              a --metric (default pool_end) got worse beyond --threshold (default\n"
	    "              0.05 = 5%%); see zsfrag plot regress --help\n\n"
	    "  -o, --out OUTBASE      output path without extension (default: beside the input)\n"
	    "      --snapshot LABEL   classes: the snapshot to show\n"
	    "      --title T          compare: the figure's title\n"
	    "  -h, --help             this text\n");
}

static int collect_runs(char **args, int nargs, struct cmp_metrics **out, unsigned int *n,
			char *msg, size_t msglen);

int cli_plot(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"snapshot", required_argument, NULL, 'L'},
	    {"title", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *label = NULL, *title = NULL, *what;
	char base[PATH_MAX], msg[800];
	int c, rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		plot_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE : EX_OK;
	}
	what = argv[1];
	if (!strcmp(what, "regress"))
		return plot_regress_main(argc - 1, argv + 1);
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'L':
			label = optarg;
			break;
		case 't':
			title = optarg;
			break;
		case 'h':
			plot_help(stdout);
			return EX_OK;
		default:
			return cli_usage_error("plot", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("plot", "no results file given");
	if (strcmp(what, "compare") && optind + 1 != argc)
		return cli_usage_error("plot", "%s takes one results file", what);
	if (!out) {
		size_t l = strlen(argv[optind]);

		if (l > 5 && !strcmp(argv[optind] + l - 5, ".json"))
			l -= 5;
		while (l > 1 && argv[optind][l - 1] == '/')
			l--;
		snprintf(base, sizeof(base), "%.*s%s%s", (int)l, argv[optind],
			 !strcmp(what, "compare") ? "/" : "-", what);
		if (!strcmp(what, "compare") && optind + 1 != argc)
			snprintf(base, sizeof(base), "compare");
		out = base;
	}
	if (!strcmp(what, "timeseries")) {
		rc = plot_timeseries(argv[optind], out, msg, sizeof(msg));
	} else if (!strcmp(what, "classes")) {
		rc = plot_classes(argv[optind], label, out, msg, sizeof(msg));
	} else if (!strcmp(what, "compare")) {
		struct cmp_metrics *m = NULL;
		unsigned int n = 0;
		char t[1000];

		rc = collect_runs(argv + optind, argc - optind, &m, &n, msg, sizeof(msg));
		if (!rc) {
			cmp_title(m, n, t, sizeof(t));
			rc = plot_compare(m, n, title ? title : t, out, msg, sizeof(msg));
		}
		free(m);
	} else {
		return cli_usage_error("plot",
				       "unknown figure '%s' (timeseries, classes, compare, "
				       "regress)",
				       what);
	}
	if (rc) {
		fprintf(stderr, "zsfrag plot: %s\n", msg);
		return rc;
	}
	printf("%s.png\n%s.svg\n", out, out);
	return EX_OK;
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
