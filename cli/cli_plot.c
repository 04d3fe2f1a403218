/*
 * cli_plot.c - figures from results JSON with gnuplot: the time series
 * and class views of `zsfrag plot` (the command itself: cli_plot_cmd.c),
 * also used by `zsfrag compare --figures`.
 *
 * The split: C reads the results and writes small tab-separated data files
 * (kept beside the figures, so a reader can replot them); the templates in
 * plots/NAME.gp own every visual decision and are run as
 * `gnuplot -c plots/NAME.gp ARGS...`, each writing OUTBASE.png (pngcairo)
 * and OUTBASE.svg. The templates come from $ZSFRAG_PLOTS_DIR, else from the
 * directories compiled in (plot_template); every file name reaches gnuplot
 * through plot_safe_path.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_compare.h"
#include "cli_plot.h"
#include "cli_proc.h"
#include "config.h"
#include "outfile.h"

static bool have_template(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/timeseries.gp", dir);
	return access(p, R_OK) == 0;
}

/*
 * Where the templates are: $ZSFRAG_PLOTS_DIR when set (an explicit choice: an error when it
 * holds no templates), else the directories compiled in (the installed share/zsfrag/plots, then
 * the source tree this binary was built from). Never the working directory nor anything found
 * by walking up from the executable: a template is a gnuplot program, and one planted there
 * could run commands through system().
 */
int plot_template(const char *name, char *buf, size_t len)
{
	const char *builtin[] = {ZSFRAG_PLOTS_INSTALL_DIR, ZSFRAG_PLOTS_SOURCE_DIR};
	const char *env = getenv("ZSFRAG_PLOTS_DIR");
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	/* a binary still in its build tree uses its own source tree's templates first */
	if (n > 0) {
		exe[n] = 0;
		if (!strncmp(exe, ZSFRAG_BUILD_DIR "/", strlen(ZSFRAG_BUILD_DIR) + 1)) {
			builtin[0] = ZSFRAG_PLOTS_SOURCE_DIR;
			builtin[1] = ZSFRAG_PLOTS_INSTALL_DIR;
		}
	}

	if (env && *env) {
		if (!have_template(env))
			return -ENOENT;
		return snprintf(buf, len, "%s/%s.gp", env, name) < (int)len ? 0 : -ENAMETOOLONG;
	}
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (builtin[i][0] == '/' && have_template(builtin[i]))
			return snprintf(buf, len, "%s/%s.gp", builtin[i], name) < (int)len
				   ? 0
				   : -ENAMETOOLONG;
	return -ENOENT;
}

/*
 * A file name as gnuplot must get it. gnuplot reads `set output "|cmd"` and a data file
 * "<cmd" as pipes to and from a shell, and expands a leading '~': a relative name gets "./"
 * in front, so that no name the user chose can start with one of them. Control characters
 * (a newline would end a gnuplot command where a name is ever re-read) are refused.
 */
int plot_safe_path(const char *in, char *out, size_t len, char *msg, size_t msglen)
{
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(msg, msglen,
				 "output name with a control character (byte 0x%02x) "
				 "refused",
				 *p);
			return EX_USAGE;
		}
	if (!*in) {
		snprintf(msg, msglen, "empty output name");
		return EX_USAGE;
	}
	if (snprintf(out, len, "%s%s", in[0] == '/' || !strncmp(in, "./", 2) ? "" : "./", in) >=
	    (int)len) {
		snprintf(msg, msglen, "output name too long");
		return EX_USAGE;
	}
	return 0;
}

int plot_gnuplot(const char *name, const char *const *args, char *msg, size_t msglen)
{
	char tpl[PATH_MAX + 16];
	const char *argv[24];
	int status, n = 0;
	pid_t pid;

	if (plot_template(name, tpl, sizeof(tpl))) {
		const char *env = getenv("ZSFRAG_PLOTS_DIR");

		if (env && *env)
			snprintf(msg, msglen, "ZSFRAG_PLOTS_DIR=%.300s holds no templates (%s.gp)",
				 env, name);
		else
			snprintf(msg, msglen,
				 "cannot find the templates (%s/%s.gp, or the source tree's "
				 "plots/); set ZSFRAG_PLOTS_DIR",
				 ZSFRAG_PLOTS_INSTALL_DIR, name);
		return EX_CONFIG;
	}
	argv[n++] = "gnuplot";
	argv[n++] = "--default-settings"; /* no ~/.gnuplot nor system gnuplotrc */
	argv[n++] = "-c";
	argv[n++] = tpl;
	for (; *args && n < 23; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	/* gnuplot dies with us, even when we are one of compare's figure workers and compare dies
	 */
	pid = cli_fork_worker();
	if (pid < 0) {
		snprintf(msg, msglen, "fork: %s", strerror(errno));
		return EX_OSERR;
	}
	if (pid == 0) {
		execvp("gnuplot", (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno == EINTR)
			continue;
		snprintf(msg, msglen, "waitpid: %s", strerror(errno));
		return EX_OSERR;
	}
	cli_worker_reaped(pid);
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

json_t *plot_load(const char *path, char *msg, size_t msglen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);

	if (!root)
		config_json_load_error(path, &jerr, msg, msglen);
	else if (!json_is_array(json_object_get(root, "snapshots")) ||
		 !json_array_size(json_object_get(root, "snapshots"))) {
		snprintf(msg, msglen, "%s: not a zsfrag results file (no snapshots)", path);
		json_decref(root);
		root = NULL;
	}
	return root;
}

double plot_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

/* "trace T, profile P (ARCH), policies Q: WHAT" as the titles name a run */
static void run_title(const struct cmp_metrics *m, const char *what, char *buf, size_t len)
{
	char pol[160];

	cmp_policies_display(m->policies, pol, sizeof(pol));
	snprintf(buf, len, "trace %s, profile %s (%s), policies %s: %s", m->trace, m->profile,
		 m->arch, pol, what);
}

void plot_tsv_abort(struct tsv_files *t)
{
	for (unsigned int i = 0; i < t->n; i++)
		outfile_abort(t->o[i]);
	t->n = 0;
}

/* Open BASE SUFFIX[i].tsv for i < n (n <= 3): 0, or EX_CANTCREAT with msg and nothing left open. */
int plot_tsv_open(struct tsv_files *t, const char *outbase, const char *const *suffix,
		  unsigned int n, char *msg, size_t msglen)
{
	t->n = 0;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(t->path[i], sizeof(t->path[i]), "%s%s.tsv", outbase, suffix[i]);
		if (outfile_open(t->path[i], &t->o[i], msg, msglen)) {
			plot_tsv_abort(t);
			return EX_CANTCREAT;
		}
		t->n++;
	}
	return 0;
}

FILE *plot_tsv_stream(const struct tsv_files *t, unsigned int i)
{
	return outfile_stream(t->o[i]);
}

/* Finish every file: 0, or EX_CANTCREAT with msg (the first failure's cause). */
int plot_tsv_commit(struct tsv_files *t, char *msg, size_t msglen)
{
	int rc = 0;

	for (unsigned int i = 0; i < t->n; i++) {
		if (rc)
			outfile_abort(t->o[i]);
		else if (outfile_commit(t->o[i], msg, msglen))
			rc = EX_CANTCREAT;
	}
	t->n = 0;
	return rc;
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

#define LQ "\xe2\x80\x9c" /* U+201C, U+201D */
#define RQ "\xe2\x80\x9d"

/* More compaction runs than this are drawn as marks per bin, not one line each. */
#define TS_MAX_COMPACTION_LINES 40
#define TS_COMPACTION_BINS	150

/*
 * The forks panel's data: per interval between snapshots (merged until each holds at least
 * 1/TS_FORK_BINS of all forks, so that a rate is not one fork's 0% or 100%), the share of the
 * interval's forks that had each outcome other than "fast". The header row names the
 * outcomes with their totals (gnuplot's columnheader). Returns the number of outcome columns.
 */
static int write_fork_rates(FILE *f, json_t *snaps, bool use_time, unsigned int *nrows)
{
	struct cmp_outcome last[CMP_MAX_OUTCOMES], cur[CMP_MAX_OUTCOMES], base[CMP_MAX_OUTCOMES];
	json_t *fin = json_array_get(snaps, json_array_size(snaps) - 1), *s;
	unsigned int nout =
	    cmp_fork_outcomes(json_object_get(fin, "forks"), last, CMP_MAX_OUTCOMES);
	double total = plot_num(json_object_get(fin, "forks"), "attempted"), att0 = 0, x0 = 0;
	int cols = 0;
	size_t i;

	*nrows = 0;
	fputs("x\tforks in the interval", f);
	for (unsigned int k = 0; k < nout; k++) {
		char lb[64];

		if (cmp_outcome_is_fast(last[k].name))
			continue;
		fprintf(f, "\t%s: %.0f of %.0f forks",
			cmp_outcome_label(last[k].name, lb, sizeof(lb)), last[k].n, total);
		cols++;
	}
	fputc('\n', f);
	memset(base, 0, sizeof(base));
	json_array_foreach(snaps, i, s)
	{
		json_t *fk = json_object_get(s, "forks");
		double att = plot_num(fk, "attempted"),
		       x = plot_num(s, use_time ? "time_ns" : "event_index");
		unsigned int n = cmp_fork_outcomes(fk, cur, CMP_MAX_OUTCOMES);

		if (use_time)
			x /= 1e9;
		if (att - att0 < (total / TS_FORK_BINS > 1 ? total / TS_FORK_BINS : 1)) {
			if (att == att0)
				x0 = x; /* an interval starts where its first fork can be */
			continue;
		}
		/* the middle of the interval, the share of its forks per outcome */
		fprintf(f, "%.9g\t%.0f", (x0 + x) / 2, att - att0);
		for (unsigned int k = 0; k < nout; k++) {
			double now = 0, then = 0;

			if (cmp_outcome_is_fast(last[k].name))
				continue;
			for (unsigned int j = 0; j < n; j++)
				if (!strcmp(cur[j].name, last[k].name))
					now = cur[j].n;
			then = base[k].n;
			fprintf(f, "\t%.4f", 100 * (now - then) / (att - att0));
			base[k].n = now;
		}
		fputc('\n', f);
		(*nrows)++;
		att0 = att;
		x0 = x;
	}
	return cols;
}

/*
 * The compaction runs: one row each when there are few, else per bin of xmax /
 * TS_COMPACTION_BINS holding any, its middle and its count (2,817 dotted lines are a curtain).
 */
static void write_compactions(FILE *fc, json_t *comps, bool use_time, double xmax, bool binned)
{
	unsigned int count[TS_COMPACTION_BINS] = {0};
	json_t *c;
	size_t i;

	json_array_foreach(comps, i, c)
	{
		double x = use_time ? plot_num(c, "time_ns") / 1e9 : plot_num(c, "event_index");
		int b = xmax > 0 ? (int)(x / xmax * TS_COMPACTION_BINS) : 0;

		if (!binned) {
			fprintf(fc, "%.9g\t1\n", x);
			continue;
		}
		count[b < 0 ? 0 : b >= TS_COMPACTION_BINS ? TS_COMPACTION_BINS - 1 : b]++;
	}
	for (int b = 0; binned && b < TS_COMPACTION_BINS; b++)
		if (count[b])
			fprintf(fc, "%.9g\t%u\n", (b + 0.5) * xmax / TS_COMPACTION_BINS, count[b]);
}

/* The time series' main data file, a row a snapshot, and what its rows found. */
struct ts_rows {
	bool use_time; /* x: simulated seconds, else events */
	double xmax;   /* the last snapshot's x */
	size_t page_size;
	double last_shown; /* the event of the last label shown on the thin panels */
	int nlabels;
	double lim;	  /* free pages at or below which the index says nothing */
	bool have_wmarks; /* the pgd zone's watermarks are in the results */
};

/* Free pages (not blocks) stacked: order 0, <= 1, <= 2, <= 3 into stack[]; all orders returned. */
static double free_stack(json_t *bi, double stack[4])
{
	double cum = 0;

	for (size_t o = 0; o < json_array_size(bi); o++) {
		cum += json_number_value(json_array_get(bi, o)) * (double)(1ul << o);
		if (o <= 3)
			stack[o] = cum;
	}
	for (size_t o = json_array_size(bi); o <= 3; o++)
		stack[o] = cum;
	return cum;
}

static void ts_row(FILE *f, json_t *s, struct ts_rows *t)
{
	json_t *z = cmp_pgd_zone(s), *bi = json_object_get(z, "buddyinfo");
	json_t *wm = json_object_get(z, "watermarks");
	const char *label = json_string_value(json_object_get(s, "label"));
	double cum, stack[4], u = plot_num(z, "unusable_index");
	bool thin, ok = cmp_index_meaningful(z, &t->lim);

	t->have_wmarks |= json_is_object(wm);
	fprintf(f, "%.9g\t%.0f\t%.0f\t%.0f\t%.1f",
		t->use_time ? plot_num(s, "time_ns") / 1e9 : plot_num(s, "event_index"),
		plot_num(s, "event_index"), plot_num(s, "pool_pages"), plot_num(s, "ideal_pages"),
		plot_num(s, "stored_bytes") / (double)t->page_size);
	cum = free_stack(bi, stack);
	fprintf(f, "\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f", stack[0], stack[1], stack[2], stack[3], cum);
	/* the index where it means something, and where it does not */
	/* (NaN: gnuplot breaks a line there, where an empty field would be bridged) */
	fprintf(f, ok ? "\t%.4f\tNaN" : "\tNaN\t%.4f", u);
	if (json_is_object(wm))
		fprintf(f, "\t%.0f\t%.0f", plot_num(wm, "low"), plot_num(wm, "min"));
	else
		fputs("\tNaN\tNaN", f);
	if (label && (!strcmp(label, "sample") || periodic_label(label) || !strcmp(label, "final")))
		label = NULL;
	/* the full-width panels show a label only 3% of the run away from the last one */
	thin = label && plot_num(s, "event_index") - t->last_shown >= 0.03 * t->xmax;
	if (thin)
		t->last_shown = plot_num(s, "event_index");
	/* in curly quotes (gnuplot strips straight ones): a name the trace gave its
	 * snapshot, not something the replay saw ("compacted" where no zs_compact ran) */
	fprintf(f, "\t%s%s%s\t%d\t%s%s%s\n", label ? LQ : "", label ? label : "", label ? RQ : "",
		label ? t->nlabels++ % 3 : 0, thin ? LQ : "", thin ? label : "", thin ? RQ : "");
}

/* The three data files (snapshots, compactions, fork rates); "small" gets gnuplot's numbers. */
static void ts_write(struct tsv_files *tsv, json_t *root, const struct cmp_metrics *m,
		     struct ts_rows *t, char *small, size_t len)
{
	json_t *snaps = json_object_get(root, "snapshots"), *s;
	json_t *comps = json_object_get(root, "compactions");
	unsigned int nrates = 0;
	bool binned;
	size_t i;
	int cols;

	/* simulated time on the x axis when the trace has times, else events */
	t->use_time = plot_num(json_array_get(snaps, json_array_size(snaps) - 1), "time_ns") > 0;
	t->xmax = plot_num(json_array_get(snaps, json_array_size(snaps) - 1),
			   t->use_time ? "time_ns" : "event_index") /
		  (t->use_time ? 1e9 : 1);
	json_array_foreach(snaps, i, s) ts_row(plot_tsv_stream(tsv, 0), s, t);
	binned = json_array_size(comps) > TS_MAX_COMPACTION_LINES;
	write_compactions(plot_tsv_stream(tsv, 1), comps, t->use_time, t->xmax, binned);
	cols = write_fork_rates(plot_tsv_stream(tsv, 2), snaps, t->use_time, &nrates);
	snprintf(small, len, "%lu %zu %s %d %u %s", m->page_size / 1024, json_array_size(comps),
		 t->use_time ? "time" : "events", cols, nrates, binned ? "bins" : "lines");
}

int plot_timeseries(const char *results, const char *outbase_in, char *msg, size_t msglen)
{
	struct cmp_metrics m;
	static const char *const sfx[] = {"", "-compactions", "-forks"};
	struct tsv_files tsv;
	struct ts_rows t = {.last_shown = -1e300, .lim = CMP_FEW_FREE_PAGES};
	char outbase[PATH_MAX], title[600], zone[40], limit[80], small[160];
	json_t *root;
	int rc;

	rc = plot_safe_path(outbase_in, outbase, sizeof(outbase), msg, msglen);
	if (rc)
		return rc;
	root = plot_load(results, msg, msglen);
	if (!root)
		return EX_DATAERR;
	if (cmp_metrics_from_json(root, &m, msg, msglen)) {
		json_decref(root);
		return EX_DATAERR;
	}
	if (plot_tsv_open(&tsv, outbase, sfx, 3, msg, msglen)) {
		json_decref(root);
		return EX_CANTCREAT;
	}
	t.page_size = m.page_size;
	snprintf(zone, sizeof(zone), "%s",
		 json_string_value(json_object_get(
		     cmp_pgd_zone(json_array_get(json_object_get(root, "snapshots"), 0)), "name"))
		     ?: "machine");
	ts_write(&tsv, root, &m, &t, small, sizeof(small));
	if (t.have_wmarks)
		snprintf(limit, sizeof(limit), "at or below its low watermark");
	else
		snprintf(limit, sizeof(limit), "%.0f free pages or fewer", t.lim);
	run_title(&m, "over time", title, sizeof(title));
	json_decref(root);
	if (plot_tsv_commit(&tsv, msg, msglen))
		return EX_CANTCREAT;
	{
		const char *args[] = {tsv.path[0], tsv.path[1], tsv.path[2], outbase, title,
				      zone,	   limit,	small,	     NULL};

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
			double w = plot_num(s, "pool_pages") - plot_num(s, "ideal_pages");
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

int plot_classes(const char *results, const char *label, const char *outbase_in, char *msg,
		 size_t msglen)
{
	struct cmp_metrics m;
	static const char *const sfx[] = {""};
	struct tsv_files tsv;
	char title[700], what[200], pkib[32], outbase[PATH_MAX];
	json_t *root, *snaps, *snap = NULL, *s, *cl;
	FILE *f;
	size_t i;
	int rc = plot_safe_path(outbase_in, outbase, sizeof(outbase), msg, msglen);

	if (rc)
		return rc;
	root = plot_load(results, msg, msglen);
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
	if (plot_tsv_open(&tsv, outbase, sfx, 1, msg, msglen)) {
		json_decref(root);
		return EX_CANTCREAT;
	}
	f = plot_tsv_stream(&tsv, 0);
	json_array_foreach(json_object_get(snap, "classes"), i, cl)
	{
		double objs = plot_num(cl, "objs_per_zspage"), used = plot_num(cl, "obj_used");
		double ideal = objs > 0 ? ceil(used / objs) * plot_num(cl, "pages_per_zspage") : 0;

		fprintf(f, "%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\n", plot_num(cl, "index"),
			plot_num(cl, "size"), plot_num(cl, "obj_allocated"), used,
			plot_num(cl, "pages_used"), ideal, plot_num(cl, "pages_used") - ideal);
	}
	if (!i) /* gnuplot's stats needs one record */
		fprintf(f, "0\t0\t0\t0\t0\t0\t0\n");
	if (plot_tsv_commit(&tsv, msg, msglen)) {
		json_decref(root);
		return EX_CANTCREAT;
	}
	snprintf(what, sizeof(what), "size classes at snapshot '%s' (event %.0f)",
		 json_string_value(json_object_get(snap, "label")), plot_num(snap, "event_index"));
	run_title(&m, what, title, sizeof(title));
	snprintf(pkib, sizeof(pkib), "%lu", m.page_size / 1024);
	json_decref(root);
	{
		const char *args[] = {tsv.path[0], outbase, title, pkib, NULL};

		return plot_gnuplot("classes", args, msg, msglen);
	}
}

/* "12,973": thousands separated, as a bar's label */
