/*
 * cli_report_regress.c - `zsfrag plot regress BASE_DIR NEW_DIR`: two sets of
 * results of the same traces (two profiles, two policy settings, two
 * commits of the project), compared metric by metric; a table on stdout,
 * a figure, and exit status 1 when a chosen metric got worse beyond the
 * threshold, so that CI can gate on it.
 *
 * Pairing: runs are paired by file name. When no names are shared (e.g.
 * BASE holds the v4.1 runs and NEW the v6.12 runs of one `zsfrag compare`)
 * they are paired by (trace, arch, policies, seed), and failing that by
 * (trace, arch, profile, seed).
 *
 * Per metric the ratio new/base is taken per pair (pairs 0 in both have no
 * ratio: left out and counted; a base of 0 with a new value above 0 is
 * clamped to 50, the opposite to 1/50) and
 * summarised by the geometric mean, with the smallest and largest ratio as
 * the spread. A metric is worse when its mean ratio exceeds 1 + threshold in
 * its bad direction (above for pool pages, below for the used ratio) and
 * better when it passes 1 / (1 + threshold) the other way; metrics with no
 * good or bad direction (fork attempts, ideal pages) are shown, not judged,
 * and so is host CPU time unless --metric names it (it measures the machine
 * the runs ran on, not the model). Runs without a partner are listed.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_opt.h"
#include "cli_compare.h"
#include "outfile.h"

#define RATIO_CLAMP 50.0

struct regress_set {
	struct cmp_metrics *m;
	char **names; /* file basenames */
	unsigned int n;
};

static int load_set(const char *dir, struct regress_set *set, char *msg, size_t msglen)
{
	char **paths = NULL;
	unsigned int np = 0;
	int err = plot_list_results(dir, &paths, &np);

	memset(set, 0, sizeof(*set));
	if (err) {
		snprintf(msg, msglen, "%s: %s", dir, strerror(-err));
		return EX_NOINPUT;
	}
	set->m = calloc(np ? np : 1, sizeof(*set->m));
	set->names = calloc(np ? np : 1, sizeof(*set->names));
	if (!set->m || !set->names)
		return EX_OSERR;
	for (unsigned int i = 0; i < np; i++) {
		char why[600];
		const char *b = strrchr(paths[i], '/');

		/* other JSON files (a sweep's merged.json) are skipped */
		if (cmp_metrics_load(paths[i], &set->m[set->n], why, sizeof(why)) == 0)
			set->names[set->n++] = strdup(b ? b + 1 : paths[i]);
		free(paths[i]);
	}
	free(paths);
	if (!set->n) {
		snprintf(msg, msglen, "%s: no results files", dir);
		return EX_NOINPUT;
	}
	return 0;
}

static void free_set(struct regress_set *set)
{
	for (unsigned int i = 0; i < set->n; i++)
		free(set->names[i]);
	free(set->names);
	free(set->m);
}

static void pair_key(const struct regress_set *s, unsigned int i, int mode, char *buf, size_t len)
{
	const struct cmp_metrics *m = &s->m[i];

	if (mode == 0)
		snprintf(buf, len, "%s", s->names[i]);
	else
		snprintf(buf, len, "%s|%s|%s|%llu", m->trace, m->arch,
			 mode == 1 ? m->policies : m->profile, (unsigned long long)m->seed);
}

/* pairs[i] = index in NEW of BASE's run i, or -1. Returns the number of pairs. */
static unsigned int pair_runs(const struct regress_set *b, const struct regress_set *n, int *pairs,
			      int *mode_out)
{
	for (int mode = 0; mode < 3; mode++) {
		unsigned int found = 0;

		for (unsigned int i = 0; i < b->n; i++) {
			char kb[600], kn[600];

			pairs[i] = -1;
			pair_key(b, i, mode, kb, sizeof(kb));
			for (unsigned int j = 0; j < n->n && pairs[i] < 0; j++) {
				pair_key(n, j, mode, kn, sizeof(kn));
				if (!strcmp(kb, kn))
					pairs[i] = (int)j;
			}
			found += pairs[i] >= 0;
		}
		if (found) {
			*mode_out = mode;
			return found;
		}
	}
	return 0;
}

/* new / base, clamped; the caller leaves out pairs that are 0 in both (no ratio at all) */
static double ratio(double base, double nw)
{
	if (base == 0)
		return RATIO_CLAMP;
	return fmin(RATIO_CLAMP, fmax(1 / RATIO_CLAMP, nw / base));
}

enum { V_WORSE = 1, V_BETTER = 2, V_SAME = 3, V_INFO = 4 };

static const char *const verdict_name[] = {"", "WORSE", "better", "same", "info"};

struct regress_row {
	double gmean, lo, hi, base_mean, new_mean;
	unsigned int n;	    /* pairs with a ratio */
	unsigned int zeros; /* pairs 0 in both, left out of the ratio */
	int verdict;
};

/* "pool pages at end [pages]": what a reader sees instead of the metric's key */
static void human_name(int i, char *buf, size_t len)
{
	const struct cmp_metric_info *mi = &cmp_metric_info[i];
	const char *t = mi->title + strspn(mi->title, " ");

	if (mi->unit[0] && !strstr(t, mi->unit))
		snprintf(buf, len, "%s [%s]", t, mi->unit);
	else
		snprintf(buf, len, "%s", t);
}

/* "profile v6.12, policies manual": what a set of runs is, each name once */
static void describe_set(const struct regress_set *s, const char *dir, char *buf, size_t len)
{
	char prof[200] = "", pol[300] = "";

	for (unsigned int i = 0; i < s->n; i++) {
		bool seen_p = false, seen_q = false;
		char q[160];

		for (unsigned int j = 0; j < i; j++) {
			seen_p |= !strcmp(s->m[j].profile, s->m[i].profile);
			seen_q |= !strcmp(s->m[j].policies, s->m[i].policies);
		}
		cmp_policies_display(s->m[i].policies, q, sizeof(q));
		if (!seen_p)
			snprintf(prof + strlen(prof), sizeof(prof) - strlen(prof), "%s%s",
				 prof[0] ? ", " : "", s->m[i].profile);
		if (!seen_q)
			snprintf(pol + strlen(pol), sizeof(pol) - strlen(pol), "%s%s",
				 pol[0] ? ", " : "", q);
	}
	snprintf(buf, len, "profile %s, policies %s (%s)", prof, pol, dir);
}

static void regress_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(
	    f,
	    "usage: zsfrag plot regress BASE_DIR NEW_DIR [OPTIONS]\n\n"
	    "Compare two directories of results JSON of the same traces metric by metric: the\n"
	    "ratio new/base (geometric mean over the paired runs, with the smallest and largest\n"
	    "ratio as the spread), as a table on stdout and a figure. Runs pair by file name,\n"
	    "else by trace+arch+policies+seed, else by trace+arch+profile+seed.\n\n");
	cli_opt_help(f, opts);
	fprintf(f, "\nMetrics:");
	for (int i = 0; i < CMP_NR_METRICS; i++) {
		char h[120];

		human_name(i, h, sizeof(h));
		fprintf(f, "\n  %-18s %s%s", cmp_metric_info[i].key, h,
			cmp_metric_info[i].host ? " (host time: judged only when named)"
			: !cmp_metric_info[i].worse ? " (shown, not judged)"
						   : "");
	}
	fprintf(f, "\n\nPairs that are 0 in both sets have no ratio and are left out (counted).\n"
		   "Exit: 0 no gated metric got worse, 1 one did, 64+ usage or input errors.\n");
}

static int write_figure(const struct regress_row *rows, const bool *gate, const char *outbase_in,
			const char *title, double thr, char *msg, size_t msglen)
{
	char dpath[PATH_MAX + 8], t[32], outbase[PATH_MAX];
	struct outfile *of;
	FILE *f;
	int pos = 0, rc, err;

	rc = plot_safe_path(outbase_in, outbase, sizeof(outbase), msg, msglen);
	if (rc)
		return rc;
	if (snprintf(dpath, sizeof(dpath), "%s.tsv", outbase) >= (int)sizeof(dpath)) {
		snprintf(msg, msglen, "output path too long");
		return EX_CANTCREAT;
	}
	if (outfile_open(dpath, &of, msg, msglen))
		return EX_CANTCREAT;
	f = outfile_stream(of);
	for (int i = 0; i < CMP_NR_METRICS; i++) {
		const struct regress_row *r = &rows[i];
		char h[120], lb[64];

		if (!r->n)
			continue;
		human_name(i, h, sizeof(h));
		snprintf(lb, sizeof(lb), "%+.1f%%%s", (r->gmean - 1) * 100,
			 r->zeros ? " *" : "");
		fprintf(f, "%d\t%s%s\t%.6g\t%.6g\t%.6g\t%d\t%s\t%d\n", ++pos,
			gate[i] ? "[gated] " : "", h, r->gmean, r->lo, r->hi, r->verdict, lb,
			cmp_metric_info[i].host);
	}
	err = outfile_commit(of, msg, msglen);
	if (err)
		return EX_CANTCREAT;
	if (!pos) {
		snprintf(msg, msglen, "no metric has values in both sets");
		return EX_DATAERR;
	}
	snprintf(t, sizeof(t), "%g", thr);
	{
		const char *args[] = {dpath, outbase, title, t, NULL};

		return plot_gnuplot("regress", args, msg, msglen);
	}
}

/* Runs that found no partner, named, so that a missing run is never silently dropped. */
static void print_unpaired(const struct regress_set *b, const struct regress_set *n,
			   const int *pairs, const char *base_dir, const char *new_dir)
{
	unsigned int nb = 0, nn = 0;

	for (unsigned int i = 0; i < b->n; i++)
		if (pairs[i] < 0)
			printf("%s %s/%s", nb++ ? "," : "unpaired runs, left out:", base_dir,
			       b->names[i]);
	for (unsigned int j = 0; j < n->n; j++) {
		bool used = false;

		for (unsigned int i = 0; i < b->n; i++)
			used |= pairs[i] == (int)j;
		if (!used)
			printf("%s %s/%s", nb + nn++ ? "," : "unpaired runs, left out:", new_dir,
			       n->names[j]);
	}
	if (nb + nn)
		printf(" (%u run%s)\n", nb + nn, nb + nn == 1 ? "" : "s");
}

/* --metric LIST into gate[]: "all" is every judged metric; 0 or EX_USAGE after the message. */
static int parse_gates(const char *metrics, bool *gate)
{
	char list[512], *tok, *save;

	snprintf(list, sizeof(list), "%s", metrics);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int id = cmp_metric_lookup(tok);

		if (!strcmp(tok, "all")) {
			for (int i = 0; i < CMP_NR_METRICS; i++)
				gate[i] = cmp_metric_info[i].worse != 0 && !cmp_metric_info[i].host;
		} else if (id < 0) {
			return cli_usage_error("plot regress", "unknown metric '%s'", tok);
		} else {
			gate[id] = true;
		}
	}
	return 0;
}

/* Metric i over the pairs: means, the ratios' geometric mean and spread, the verdict. */
static void regress_row(int i, const struct regress_set *base, const struct regress_set *nw,
			const int *pairs, double thr, bool gated, struct regress_row *r)
{
	int worse = cmp_metric_info[i].worse;
	double logsum = 0;

	memset(r, 0, sizeof(*r));
	r->lo = INFINITY;
	r->hi = 0;
	for (unsigned int b = 0; b < base->n; b++) {
		double vb, vn, q;

		if (pairs[b] < 0)
			continue;
		vb = base->m[b].v[i];
		vn = nw->m[pairs[b]].v[i];
		if (isnan(vb) || isnan(vn))
			continue;
		if (vb == 0 && vn == 0) { /* no ratio: neither better nor worse */
			r->zeros++;
			continue;
		}
		q = ratio(vb, vn);
		logsum += log(q);
		r->lo = fmin(r->lo, q);
		r->hi = fmax(r->hi, q);
		r->base_mean += vb;
		r->new_mean += vn;
		r->n++;
	}
	if (!r->n)
		return;
	r->gmean = exp(logsum / r->n);
	r->base_mean /= r->n;
	r->new_mean /= r->n;
	if (!worse || (cmp_metric_info[i].host && !gated))
		r->verdict = V_INFO;
	else if (worse > 0 ? r->gmean > 1 + thr : r->gmean < 1 / (1 + thr))
		r->verdict = V_WORSE;
	else if (worse > 0 ? r->gmean < 1 / (1 + thr) : r->gmean > 1 + thr)
		r->verdict = V_BETTER;
	else
		r->verdict = V_SAME;
}

/* Metric i's line of the table (none when no pair has it). */
static void regress_row_print(int i, const struct regress_row *r, bool gated)
{
	char hn[120];

	human_name(i, hn, sizeof(hn));
	if (!r->n) {
		if (r->zeros)
			printf("%-18s %14d %14d %8s %17s  0 in both (%u pair%s)%s\n",
			       cmp_metric_info[i].key, 0, 0, "-", "-", r->zeros,
			       r->zeros == 1 ? "" : "s", gated ? " (gated)" : "");
		return;
	}
	printf("%-18s %14.6g %14.6g %8.4f %8.4f-%-8.4f  %s%s", cmp_metric_info[i].key, r->base_mean,
	       r->new_mean, r->gmean, r->lo, r->hi, verdict_name[r->verdict],
	       gated ? " (gated)" : "");
	if (cmp_metric_info[i].host)
		printf(" (host time%s)", gated ? "" : ", not judged unless --metric names it");
	if (r->zeros)
		printf(" (%u pair%s 0 in both left out)", r->zeros, r->zeros == 1 ? "" : "s");
	printf("  %s\n", hn);
}

/* The figure, titled after both sets unless a title is given; 0 or the exit code. */
static int regress_figure(const struct regress_row *rows, const bool *gate,
			  const struct regress_set *base, const struct regress_set *nw,
			  const char *base_dir, const char *new_dir, unsigned int np, double thr,
			  const char *out, const char *title)
{
	char msg[800], tbuf[1400];
	int rc;

	if (!title) {
		char dn[600], db[600];

		describe_set(nw, new_dir, dn, sizeof(dn));
		describe_set(base, base_dir, db, sizeof(db));
		snprintf(tbuf, sizeof(tbuf),
			 "%s (new) vs %s (base): %u pairs of runs, threshold %.0f%%", dn, db, np,
			 thr * 100);
		title = tbuf;
	}
	rc = write_figure(rows, gate, out, title, thr, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "zsfrag plot regress: %s\n", msg);
		return rc;
	}
	printf("figure: %s.png %s.svg\n", out, out);
	return 0;
}

int regress_check(const char *base_dir, const char *new_dir, const char *metrics, double thr,
		  const char *out, const char *title)
{
	static const char *const mode_name[] = {"file name", "trace, arch, policies and seed",
						"trace, arch, profile and seed"};
	struct regress_set base, nw;
	struct regress_row rows[CMP_NR_METRICS];
	bool gate[CMP_NR_METRICS] = {false};
	char msg[800];
	int *pairs = NULL, mode = 0, rc, failed = 0;
	unsigned int np;

	rc = parse_gates(metrics, gate);
	if (rc)
		return rc;
	memset(&nw, 0, sizeof(nw));
	rc = load_set(base_dir, &base, msg, sizeof(msg));
	if (!rc)
		rc = load_set(new_dir, &nw, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "zsfrag plot regress: %s\n", msg);
		goto out;
	}
	pairs = calloc(base.n, sizeof(*pairs));
	np = pairs ? pair_runs(&base, &nw, pairs, &mode) : 0;
	if (!np) {
		fprintf(stderr, "zsfrag plot regress: no run in %s matches one in %s\n", base_dir,
			new_dir);
		rc = EX_DATAERR;
		goto out;
	}
	printf(
	    "%u pairs of runs, paired by %s; ratio = new / base, geometric mean over the pairs\n",
	    np, mode_name[mode]);
	print_unpaired(&base, &nw, pairs, base_dir, new_dir);
	printf("%-18s %14s %14s %8s %17s  %s\n", "metric", "base (mean)", "new (mean)", "ratio",
	       "spread (min-max)", "verdict, what");
	for (int i = 0; i < CMP_NR_METRICS; i++) {
		regress_row(i, &base, &nw, pairs, thr, gate[i], &rows[i]);
		regress_row_print(i, &rows[i], gate[i]);
		failed += gate[i] && rows[i].n && rows[i].verdict == V_WORSE;
	}
	if (out &&
	    (rc = regress_figure(rows, gate, &base, &nw, base_dir, new_dir, np, thr, out, title)))
		goto out;
	for (int i = 0; i < CMP_NR_METRICS; i++)
		if (gate[i] && rows[i].n && rows[i].verdict == V_WORSE)
			printf("REGRESSION: %s %+.1f%% (threshold %.1f%%)\n",
			       cmp_metric_info[i].key, (rows[i].gmean - 1) * 100, thr * 100);
	rc = failed ? 1 : EX_OK;
out:
	free(pairs);
	free_set(&base);
	free_set(&nw);
	return rc;
}

int plot_regress_main(int argc, char **argv)
{
	const char *metrics = "pool_end", *out = NULL, *title = NULL;
	char outbuf[PATH_MAX];
	bool figure = true;
	double thr = 0.05;
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "metric", .short_name = 'm', .arg = "LIST", .kind = CLI_OPT_STRING,
	     .dst = &metrics,
	     .help = "metrics that fail the check when worse (default pool_end);\n"
		     "'all' for every judged metric"},
	    {.name = "threshold", .short_name = 't', .arg = "F", .kind = CLI_OPT_DOUBLE, .dst = &thr,
	     .max = 10, .help = "relative change tolerated (default 0.05 = 5%)"},
	    {.name = "out", .short_name = 'o', .arg = "OUTBASE", .kind = CLI_OPT_STRING, .dst = &out,
	     .help = "figure path without extension (default NEW_DIR/regress)"},
	    {.name = "title", .arg = "T", .kind = CLI_OPT_STRING, .dst = &title,
	     .help = "the figure's title"},
	    {.name = "no-figure", .kind = CLI_OPT_CLEAR, .dst = &figure,
	     .help = "table and exit status only (no gnuplot)"},
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	int rc = cli_opt_parse("plot regress", opts, argc, argv, regress_help);

	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (optind + 2 != argc)
		return cli_usage_error("plot regress", "give BASE_DIR and NEW_DIR");
	if (figure && !out) {
		snprintf(outbuf, sizeof(outbuf), "%s/regress", argv[optind + 1]);
		out = outbuf;
	}
	return regress_check(argv[optind], argv[optind + 1], metrics, thr, figure ? out : NULL,
			     title);
}
