/*
 * cli_plot_stats.c - `plot compare` for runs across seeds: per variant the
 * mean of each key metric as a bar and its 95% Student t interval as an
 * error bar (plots/compare_ci.gp). plot_compare() hands over to it when a
 * variant has several runs of one workload (cmp_stats_replicated).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli_compare.h"
#include "cli_plot.h"

/* The panels, in the template's order; bytes are drawn in MiB. */
static const int panel[] = {CMP_FORKS_STALLED, CMP_FORKS_OOM, CMP_UNUSABLE_MEAN,
			    CMP_BYTES_COPIED,  CMP_CPU_MS,    CMP_POOL_END};
#define NR_PANELS (sizeof(panel) / sizeof(panel[0]))

static void nan_or(FILE *f, double v)
{
	if (isnan(v))
		fputs("\tNaN", f);
	else
		fprintf(f, "\t%.9g", v);
}

/* One variant's row: name, then per panel mean, low, high, label. */
static void ci_row(FILE *f, const struct cmp_metrics *m, const struct cmp_stats *s,
		   const struct cmp_group *g, double *mx)
{
	bool wls = s->g[s->ng - 1].wl != 0; /* several workloads: name the workload too */

	fprintf(f, "%s%s%s (%u)", wls ? g->workload : "", wls ? " " : "", g->variant, g->n);
	for (unsigned int p = 0; p < NR_PANELS; p++) {
		struct stats_summary su;
		double scale = panel[p] == CMP_BYTES_COPIED ? 1.0 / (1 << 20) : 1;
		int dec = panel[p] == CMP_BYTES_COPIED ? 1 : cmp_metric_info[panel[p]].decimals;
		char a[48], b[48];

		cmp_stats_summary(m, g, panel[p], &su);
		if (!su.n) {
			fputs("\t0\tNaN\tNaN\tn/a", f);
			continue;
		}
		fprintf(f, "\t%.9g", su.mean * scale);
		nan_or(f, su.lo * scale);
		nan_or(f, su.hi * scale);
		cmp_group_digits(su.mean * scale, dec, a, sizeof(a));
		if (isnan(su.half)) {
			fprintf(f, "\t%s", a);
		} else {
			cmp_group_digits(su.half * scale, dec, b, sizeof(b));
			fprintf(f, "\t%s ± %s", a, b);
		}
		mx[p] = fmax(mx[p], isnan(su.hi) ? su.mean * scale : su.hi * scale);
	}
	fputc('\n', f);
}

int plot_compare_ci(const struct cmp_metrics *m, const struct cmp_stats *s, const char *title,
		    const char *outbase_in, char *msg, size_t msglen)
{
	static const char *const sfx[] = {""};
	struct tsv_files tsv;
	char outbase[PATH_MAX], small[256];
	double mx[NR_PANELS] = {0};
	bool has_cpu = false;
	FILE *f;
	int rc, len;

	rc = plot_safe_path(outbase_in, outbase, sizeof(outbase), msg, msglen);
	if (rc)
		return rc;
	if (plot_tsv_open(&tsv, outbase, sfx, 1, msg, msglen))
		return EX_CANTCREAT;
	f = plot_tsv_stream(&tsv, 0);
	fputs("# variant (runs)", f); /* a comment: gnuplot reads no header row here */
	for (unsigned int p = 0; p < NR_PANELS; p++)
		fprintf(f, "\t%s\tlow\thigh\tlabel", cmp_metric_info[panel[p]].key);
	fputc('\n', f);
	for (unsigned int i = 0; i < s->ng; i++) {
		ci_row(f, m, s, &s->g[i], mx);
		for (unsigned int r = 0; r < s->g[i].n; r++)
			has_cpu |= !isnan(m[s->g[i].run[r]].v[CMP_CPU_MS]);
	}
	if (plot_tsv_commit(&tsv, msg, msglen))
		return EX_CANTCREAT;
	len = snprintf(small, sizeof(small), "%u %lu %d", s->ng,
		       s->ng ? m[0].page_size / 1024 : 4, has_cpu);
	for (unsigned int p = 0; p < NR_PANELS; p++)
		len += snprintf(small + len, sizeof(small) - (size_t)len, " %.6g", mx[p]);
	{
		const char *args[] = {tsv.path[0], outbase, title, small, NULL};

		return plot_gnuplot("compare_ci", args, msg, msglen);
	}
}
