/*
 * cli_plot_compare.c - the figures of a comparison: the key metrics as bars,
 * one panel per unit (plot_compare), and the runs on one time axis
 * (plot_overlay); split from cli_plot.c, whose data-file helpers they use
 * (cli_plot.h).
 */
#include <dirent.h>
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

void cmp_group_digits(double v, int decimals, char *buf, size_t len)
{
	char raw[64], *dot;
	size_t n, o = 0;

	snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(v));
	dot = strchr(raw, '.');
	n = dot ? (size_t)(dot - raw) : strlen(raw);
	if (v < 0 && o + 1 < len)
		buf[o++] = '-';
	for (size_t i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = 0;
	if (dot)
		snprintf(buf + o, len - o, "%s", dot);
}

/* A bar: its length (0 when there is no number) and its label ("0" shows a zero bar). */
static void bar(FILE *f, double v, int decimals, const char *suffix, double *max)
{
	char b[64];

	if (isnan(v)) {
		fputs("\t0\tn/a", f);
		return;
	}
	cmp_group_digits(v, decimals, b, sizeof(b));
	fprintf(f, "\t%.6g\t%s%s", v, b, suffix ? suffix : "");
	if (v > *max)
		*max = v;
}

/* "v6.12 manual+migration", with the trace when the runs differ in it */
static void run_name(const struct cmp_metrics *m, unsigned int n, unsigned int i, char *buf,
		     size_t len)
{
	bool traces_differ = false;

	for (unsigned int j = 1; j < n; j++)
		traces_differ |= strcmp(m[j].trace, m[0].trace) != 0;
	snprintf(buf, len, "%s%s%s", traces_differ ? m[i].trace : "", traces_differ ? " " : "",
		 m[i].variant);
	for (char *p = buf; *p; p++)
		if (*p == '\t' || *p == '\n')
			*p = ' ';
}

/* One run's row of the metrics' data file; mx[] the longest bar per panel so far. */
static void compare_row(FILE *f, const struct cmp_metrics *m, unsigned int n, unsigned int i,
			double *mx, bool *has_cpu)
{
	const double *v = m[i].v;
	char objs[96], pct[48] = "", name[300];

	run_name(m, n, i, name, sizeof(name));
	fputs(name, f);
	bar(f, v[CMP_POOL_BEFORE], 0, NULL, &mx[0]);
	bar(f, v[CMP_POOL_END], 0, NULL, &mx[0]);
	bar(f, v[CMP_IDEAL_END], 0, NULL, &mx[0]);
	bar(f, v[CMP_UNUSABLE_MEAN], 3, NULL, &mx[1]);
	bar(f, v[CMP_UNUSABLE_WORST], 3, NULL, &mx[1]);
	if (v[CMP_ZRAM_WRITES] > 0 && !isnan(v[CMP_ZRAM_FAILED]))
		snprintf(pct, sizeof(pct), " (%.1f%% of %.0f writes)",
			 100 * v[CMP_ZRAM_FAILED] / v[CMP_ZRAM_WRITES], v[CMP_ZRAM_WRITES]);
	bar(f, v[CMP_ZRAM_FAILED], 0, pct, &mx[2]);
	bar(f, v[CMP_ZRAM_FAILED_ALLOC], 0, NULL, &mx[2]);
	bar(f, v[CMP_ZRAM_FAILED_LIMIT], 0, NULL, &mx[2]);
	objs[0] = 0;
	if (!isnan(v[CMP_OBJS_MIGRATED])) {
		char g[48];

		cmp_group_digits(v[CMP_OBJS_MIGRATED], 0, g, sizeof(g));
		snprintf(objs, sizeof(objs), " MiB, %s objects", g);
	}
	bar(f, v[CMP_BYTES_COPIED] / (1 << 20), 1, objs, &mx[3]);
	bar(f, v[CMP_CPU_MS], 3, NULL, &mx[4]);
	*has_cpu |= !isnan(v[CMP_CPU_MS]);
	fputc('\n', f);
}

/* The fork outcomes other than fast: those drawn, and those only ever 0 (named in the title). */
struct outcome_set {
	char names[CMP_MAX_OUTCOMES][40], never[CMP_MAX_OUTCOMES][40];
	unsigned int nout, nnever;
};

/* Run i's outcomes into os, each once, in the order first seen. */
static void collect_outcomes(const struct cmp_metrics *mi, struct outcome_set *os)
{
	for (unsigned int k = 0; k < mi->nr_outcomes; k++) {
		bool seen = cmp_outcome_is_fast(mi->outcome[k].name);

		for (unsigned int j = 0; j < os->nout && !seen; j++)
			seen = !strcmp(os->names[j], mi->outcome[k].name);
		/* an outcome no run had is named in the title, not drawn as rows of 0 */
		if (!seen && mi->outcome[k].n == 0) {
			for (unsigned int j = 0; j < os->nnever && !seen; j++)
				seen = !strcmp(os->never[j], mi->outcome[k].name);
			if (!seen && os->nnever < CMP_MAX_OUTCOMES)
				snprintf(os->never[os->nnever++], sizeof(os->never[0]), "%s",
					 mi->outcome[k].name);
			continue;
		}
		if (!seen && os->nout < CMP_MAX_OUTCOMES)
			snprintf(os->names[os->nout++], sizeof(os->names[0]), "%s",
				 mi->outcome[k].name);
	}
}

/* "label; label": the outcomes no run had (one seen as 0 first and above 0 later is drawn). */
static void never_labels(const struct outcome_set *os, char *nev, size_t len)
{
	nev[0] = 0;
	for (unsigned int j = 0; j < os->nnever; j++) {
		bool drawn = false;
		char lb[64];

		for (unsigned int k = 0; k < os->nout; k++)
			drawn |= !strcmp(os->names[k], os->never[j]);
		if (!drawn)
			snprintf(nev + strlen(nev), len - strlen(nev), "%s%s", nev[0] ? "; " : "",
				 cmp_outcome_label(os->never[j], lb, sizeof(lb)));
	}
}

/* The fork outcomes' data file: a column pair per outcome drawn, a row per run. */
static void forks_rows(FILE *ff, const struct cmp_metrics *m, unsigned int n,
		       const struct outcome_set *os, double *fmx)
{
	char name[300];

	fputs("run", ff);
	for (unsigned int j = 0; j < os->nout; j++) {
		char lb[64];

		fprintf(ff, "\t%s\t", cmp_outcome_label(os->names[j], lb, sizeof(lb)));
	}
	fputc('\n', ff);
	for (unsigned int i = 0; i < n; i++) {
		run_name(m, n, i, name, sizeof(name));
		fputs(name, ff);
		for (unsigned int j = 0; j < os->nout; j++) {
			double c = NAN;
			char pct[48] = "";

			for (unsigned int k = 0; k < m[i].nr_outcomes; k++)
				if (!strcmp(m[i].outcome[k].name, os->names[j]))
					c = m[i].outcome[k].n;
			if (!isnan(c) && m[i].v[CMP_FORKS] > 0)
				snprintf(pct, sizeof(pct), " (%.1f%%)",
					 100 * c / m[i].v[CMP_FORKS]);
			bar(ff, c, 0, pct, fmx);
		}
		fputc('\n', ff);
	}
}

/* Runs across seeds: means and intervals, one row per variant (plot_compare_ci); -1 when not. */
static int compare_replicated(const struct cmp_metrics *m, unsigned int n, const char *title,
			      const char *outbase_in, char *msg, size_t msglen)
{
	struct cmp_stats st;
	int rc = -1;

	if (cmp_stats_group(m, n, &st))
		return EX_OSERR;
	if (cmp_stats_replicated(&st))
		rc = plot_compare_ci(m, &st, title, outbase_in, msg, msglen);
	cmp_stats_free(&st);
	return rc;
}

/*
 * The comparison as horizontal bars, one row of bars per run (so that 17 runs stay legible),
 * every bar labelled with its value ("0" where a bar has no length). Two data files: the
 * table's metrics, and the fork outcomes other than fast (every kind found in any run).
 */
int plot_compare(const struct cmp_metrics *m, unsigned int n, const char *title,
		 const char *outbase_in, char *msg, size_t msglen)
{
	static const char *const sfx[] = {"", "-forks"};
	struct tsv_files tsv;
	struct outcome_set os = {.nout = 0};
	char outbase[PATH_MAX], pkib[32], small[200], nev[400];
	double mx[6] = {0}, fmx = 0;
	bool has_cpu = false;
	FILE *f;
	int rc;

	rc = compare_replicated(m, n, title, outbase_in, msg, msglen);
	if (rc >= 0)
		return rc;
	rc = plot_safe_path(outbase_in, outbase, sizeof(outbase), msg, msglen);
	if (rc)
		return rc;
	if (plot_tsv_open(&tsv, outbase, sfx, 2, msg, msglen))
		return EX_CANTCREAT;
	f = plot_tsv_stream(&tsv, 0);
	fputs("run\tbefore compaction\t\tat end\t\tideal at end\t\tmean over the snapshots\t\t"
	      "worst\t\tfailed, all\t\tzs_malloc found no page\t\tover mem_limit\t\t"
	      "MiB copied\t\tCPU ms\t\n",
	      f);
	for (unsigned int i = 0; i < n; i++) {
		compare_row(f, m, n, i, mx, &has_cpu);
		collect_outcomes(&m[i], &os);
	}
	never_labels(&os, nev, sizeof(nev));
	forks_rows(plot_tsv_stream(&tsv, 1), m, n, &os, &fmx);
	if (plot_tsv_commit(&tsv, msg, msglen))
		return EX_CANTCREAT;
	snprintf(pkib, sizeof(pkib), "%lu", n ? m[0].page_size / 1024 : 4);
	snprintf(small, sizeof(small), "%s %u %u %d %.6g %.6g %.6g %.6g %.6g %.6g", pkib, n,
		 os.nout, has_cpu, mx[0], fmx, mx[1], mx[2], mx[3], mx[4]);
	{
		const char *args[] = {tsv.path[0], tsv.path[1], outbase, title, small, nev, NULL};

		return plot_gnuplot("compare", args, msg, msglen);
	}
}

/* --- the variants of a comparison on one time axis --- */

/* One run's block of the overlay's two data files (gnuplot's "index"), headed by its name. */
static int overlay_block(const char *path, const char *name, bool use_time, FILE *f, FILE *ff,
			 char *msg, size_t msglen)
{
	json_t *root = plot_load(path, msg, msglen), *snaps, *s, *fin;
	double total, att0 = 0, bad0 = 0, x0 = 0;
	size_t i;

	if (!root)
		return EX_DATAERR;
	snaps = json_object_get(root, "snapshots");
	fin = json_array_get(snaps, json_array_size(snaps) - 1);
	total = plot_num(json_object_get(fin, "forks"), "attempted");
	fprintf(f, "%s\tpool pages\tindex\n", name);
	fprintf(ff, "%s\tforks\tnot fast\n", name);
	json_array_foreach(snaps, i, s)
	{
		json_t *z = cmp_pgd_zone(s), *fk = json_object_get(s, "forks");
		struct cmp_outcome o[CMP_MAX_OUTCOMES];
		unsigned int n = cmp_fork_outcomes(fk, o, CMP_MAX_OUTCOMES);
		double x = plot_num(s, use_time ? "time_ns" : "event_index") / (use_time ? 1e9 : 1);
		double att = plot_num(fk, "attempted"), bad = 0;

		/* the index only where the zone has free memory to speak of (NaN breaks the line)
		 */
		fprintf(f, "%.9g\t%.0f\t", x, plot_num(s, "pool_pages"));
		if (cmp_index_meaningful(z, NULL))
			fprintf(f, "%.4f\n", plot_num(z, "unusable_index"));
		else
			fputs("NaN\n", f);
		for (unsigned int k = 0; k < n; k++)
			if (!cmp_outcome_is_fast(o[k].name))
				bad += o[k].n;
		/* intervals merged until each holds 1/TS_FORK_BINS of the forks, as the time series
		 */
		if (att - att0 < (total / TS_FORK_BINS > 1 ? total / TS_FORK_BINS : 1)) {
			if (att == att0)
				x0 = x;
			continue;
		}
		fprintf(ff, "%.9g\t%.0f\t%.4f\n", (x0 + x) / 2, att - att0,
			100 * (bad - bad0) / (att - att0));
		att0 = att;
		bad0 = bad;
		x0 = x;
	}
	fputs("\n\n", f);
	fputs("\n\n", ff);
	json_decref(root);
	return 0;
}

int plot_overlay(const struct cmp_metrics *m, unsigned int n, const char *title,
		 const char *outbase_in, char *msg, size_t msglen)
{
	static const char *const sfx[] = {"", "-forks"};
	struct tsv_files tsv;
	char outbase[PATH_MAX], small[64], name[300];
	char zone[40] = "pgd";
	bool use_time = true;
	double tmax = 0, emax = 0;
	FILE *f, *ff;
	int rc;

	rc = plot_safe_path(outbase_in, outbase, sizeof(outbase), msg, msglen);
	if (rc)
		return rc;
	/* simulated seconds when every run has them, else events */
	for (unsigned int i = 0; i < n; i++) {
		json_t *root = plot_load(m[i].path, msg, msglen), *snaps, *z;

		if (!root)
			return EX_DATAERR;
		snaps = json_object_get(root, "snapshots");
		use_time &=
		    plot_num(json_array_get(snaps, json_array_size(snaps) - 1), "time_ns") > 0;
		tmax = fmax(tmax,
			    plot_num(json_array_get(snaps, json_array_size(snaps) - 1), "time_ns"));
		emax = fmax(emax, plot_num(json_array_get(snaps, json_array_size(snaps) - 1),
					   "event_index"));
		z = cmp_pgd_zone(json_array_get(snaps, 0));
		if (!i && json_is_string(json_object_get(z, "name")))
			snprintf(zone, sizeof(zone), "%s",
				 json_string_value(json_object_get(z, "name")));
		json_decref(root);
	}
	if (plot_tsv_open(&tsv, outbase, sfx, 2, msg, msglen))
		return EX_CANTCREAT;
	f = plot_tsv_stream(&tsv, 0);
	ff = plot_tsv_stream(&tsv, 1);
	for (unsigned int i = 0; i < n && !rc; i++) {
		run_name(m, n, i, name, sizeof(name));
		rc = overlay_block(m[i].path, name, use_time, f, ff, msg, msglen);
	}
	if (rc) {
		plot_tsv_abort(&tsv);
		return rc;
	}
	if (plot_tsv_commit(&tsv, msg, msglen))
		return EX_CANTCREAT;
	/* the x range from the runs themselves: a panel with nothing to draw still has an axis */
	snprintf(small, sizeof(small), "%u %s %.9g", n, use_time ? "time" : "events",
		 use_time   ? tmax / 1e9
		 : emax > 0 ? emax
			    : 1);
	{
		const char *args[] = {tsv.path[0], tsv.path[1], outbase, title, small, zone, NULL};

		return plot_gnuplot("overlay", args, msg, msglen);
	}
}
