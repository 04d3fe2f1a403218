/*
 * cli_compare_stats.c - a comparison across seeds: the runs of one variant
 * on the traces of one workload (compare --seeds: NAME-{seed}.trace for
 * each seed) are replicates; per variant each metric's mean and its 95%
 * Student t interval, and per pair of variants the seed-by-seed difference
 * with a paired t-test and the exact Wilcoxon signed-rank test (the method
 * is at the head of cli_stats.c and in the README, "Comparing across seeds").
 *
 * Everything is read from the results files (inputs.workload,
 * inputs.replicate, inputs.variant_order as compare records them), so
 * `compare --from DIR` and `plot compare DIR` group the same runs the same
 * way the comparison that made them did. Runs without those inputs group by
 * their trace: one run a group, no spread, no statistics.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli_compare.h"
#include "outfile.h"

/* The metrics the paired block of the text shows (the JSON has every one). */
static const int key_metrics[] = {CMP_FORKS_STALLED, CMP_STALLS_FRAG,	CMP_FORKS_OOM,
				  CMP_UNUSABLE_MEAN, CMP_BYTES_COPIED, CMP_CPU_MS,
				  CMP_POOL_END,	     CMP_ZRAM_FAILED};

static int group_cmp(const void *a, const void *b)
{
	const struct cmp_group *x = a, *y = b;

	if (x->wl != y->wl)
		return x->wl < y->wl ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

int cmp_stats_group(const struct cmp_metrics *m, unsigned int n, struct cmp_stats *s)
{
	unsigned int nwl = 0;

	s->ng = 0;
	s->g = calloc(n ? n : 1, sizeof(*s->g));
	if (!s->g)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		struct cmp_group *g = NULL;
		unsigned int wl = nwl;

		for (unsigned int j = 0; j < s->ng; j++) {
			if (!strcmp(s->g[j].workload, m[i].workload))
				wl = s->g[j].wl;
			if (!strcmp(s->g[j].workload, m[i].workload) &&
			    !strcmp(s->g[j].variant, m[i].variant))
				g = &s->g[j];
		}
		if (!g) {
			g = &s->g[s->ng];
			*g = (struct cmp_group){.workload = m[i].workload,
						.variant = m[i].variant,
						.wl = wl,
						.order = m[i].variant_order >= 0
							     ? m[i].variant_order
							     : (int)(n + s->ng)};
			g->run = calloc(n, sizeof(*g->run));
			if (!g->run) {
				cmp_stats_free(s);
				return -ENOMEM;
			}
			s->ng++;
			nwl += wl == nwl;
		}
		g->run[g->n++] = i;
	}
	/* qsort is not stable: the order keys are distinct within a workload (first appearance
	 * breaks every tie of files without variant_order) */
	qsort(s->g, s->ng, sizeof(*s->g), group_cmp);
	return 0;
}

void cmp_stats_free(struct cmp_stats *s)
{
	for (unsigned int i = 0; s->g && i < s->ng; i++)
		free(s->g[i].run);
	free(s->g);
	s->g = NULL;
	s->ng = 0;
}

bool cmp_stats_replicated(const struct cmp_stats *s)
{
	for (unsigned int i = 0; i < s->ng; i++)
		if (s->g[i].n >= 2)
			return true;
	return false;
}

int cmp_stats_find(const struct cmp_stats *s, unsigned int wl, const char *name)
{
	char want[160];

	/* "v4.1:targeted" as compare --variants spells it, or the variant's name */
	snprintf(want, sizeof(want), "%s", name);
	for (char *c = want; *c; c++)
		if (*c == ':')
			*c = ' ';
	for (unsigned int i = 0; i < s->ng; i++)
		if (s->g[i].wl == wl && !strcmp(s->g[i].variant, want))
			return (int)i;
	return -1;
}

void cmp_stats_summary(const struct cmp_metrics *m, const struct cmp_group *g, int metric,
		       struct stats_summary *out)
{
	double *x = calloc(g->n ? g->n : 1, sizeof(*x));

	if (!x) {
		*out = (struct stats_summary){.mean = NAN, .sd = NAN, .half = NAN};
		return;
	}
	for (unsigned int i = 0; i < g->n; i++)
		x[i] = m[g->run[i]].v[metric];
	stats_summarize(x, g->n, CMP_STATS_LEVEL, out);
	free(x);
}

/* The key two runs of one seed share: the replicate, or for runs without one the trace. */
static const char *rep_key(const struct cmp_metrics *m)
{
	return m->replicate[0] ? m->replicate : m->trace;
}

void cmp_stats_paired(const struct cmp_metrics *m, const struct cmp_group *a,
		      const struct cmp_group *b, int metric, struct stats_paired *out)
{
	double *x = calloc(a->n ? a->n : 1, sizeof(*x)), *y = calloc(a->n ? a->n : 1, sizeof(*y));
	unsigned int k = 0;

	for (unsigned int i = 0; x && y && i < a->n; i++)
		for (unsigned int j = 0; j < b->n; j++)
			if (!strcmp(rep_key(&m[a->run[i]]), rep_key(&m[b->run[j]]))) {
				x[k] = m[a->run[i]].v[metric];
				y[k++] = m[b->run[j]].v[metric];
				break;
			}
	stats_paired_test(x, y, k, CMP_STATS_LEVEL, out);
	free(x);
	free(y);
}

/* "3,770 ± 120" (just the mean for one run, "-" for none) */
static void fmt_mean(const struct stats_summary *s, int decimals, char *buf, size_t len)
{
	char a[48], b[48];

	if (!s->n) {
		snprintf(buf, len, "-");
		return;
	}
	cmp_group_digits(s->mean, decimals, a, sizeof(a));
	if (isnan(s->half)) {
		snprintf(buf, len, "%s", a);
		return;
	}
	cmp_group_digits(s->half, decimals, b, sizeof(b));
	snprintf(buf, len, "%s ± %s", a, b);
}

/* printf's width counts bytes; "±" is two of them and one column */
static int cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void pad(FILE *f, const char *s, int width)
{
	for (int i = cols(s); i < width; i++)
		fputc(' ', f);
	fputs(s, f);
}

/* The workload's groups are [first, end). */
static void print_means(FILE *f, const struct cmp_metrics *m, const struct cmp_stats *s,
			unsigned int first, unsigned int end)
{
	int lw = 0, w[CMP_MAX_STATS_COLS];
	char buf[128];

	if (end - first > CMP_MAX_STATS_COLS)
		end = first + CMP_MAX_STATS_COLS;
	for (int k = 0; k < CMP_NR_METRICS; k++)
		lw = (int)strlen(cmp_metric_info[k].title) > lw ? (int)strlen(cmp_metric_info[k].title)
								 : lw;
	for (unsigned int i = first; i < end; i++) {
		w[i - first] = cols(s->g[i].variant);
		for (int k = 0; k < CMP_NR_METRICS; k++) {
			struct stats_summary su;

			cmp_stats_summary(m, &s->g[i], k, &su);
			fmt_mean(&su, cmp_metric_info[k].decimals, buf, sizeof(buf));
			w[i - first] = cols(buf) > w[i - first] ? cols(buf) : w[i - first];
		}
	}
	fprintf(f, "%-*s", lw, "");
	for (unsigned int i = first; i < end; i++) {
		fputs("  ", f);
		pad(f, s->g[i].variant, w[i - first]);
	}
	fprintf(f, "\n%-*s", lw, "runs");
	for (unsigned int i = first; i < end; i++) {
		snprintf(buf, sizeof(buf), "%u", s->g[i].n);
		fputs("  ", f);
		pad(f, buf, w[i - first]);
	}
	fputc('\n', f);
	for (int k = 0; k < CMP_NR_METRICS; k++) {
		bool any = false;

		for (unsigned int i = first; i < end; i++) {
			struct stats_summary su;

			cmp_stats_summary(m, &s->g[i], k, &su);
			any |= su.n > 0;
		}
		if (!any) /* e.g. CPU times of runs made with --no-timing */
			continue;
		fprintf(f, "%-*s", lw, cmp_metric_info[k].title);
		for (unsigned int i = first; i < end; i++) {
			struct stats_summary su;

			cmp_stats_summary(m, &s->g[i], k, &su);
			fmt_mean(&su, cmp_metric_info[k].decimals, buf, sizeof(buf));
			fputs("  ", f);
			pad(f, buf, w[i - first]);
		}
		fputc('\n', f);
	}
}

static void fmt_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.001)
		snprintf(buf, len, "%.1e", p);
	else
		snprintf(buf, len, "%.3f", p);
}

static void print_paired(FILE *f, const struct cmp_metrics *m, const struct cmp_stats *s,
			 unsigned int ref, unsigned int first, unsigned int end)
{
	int vw = 0;

	for (unsigned int i = first; i < end; i++)
		vw = cols(s->g[i].variant) > vw ? cols(s->g[i].variant) : vw;
	fprintf(f,
		"\nagainst %s, seed by seed (other - it): mean difference [95%% interval], "
		"p of the paired t-test and of the Wilcoxon signed-rank test, seeds lower / "
		"higher; * p < 0.05 (t-test)\n",
		s->g[ref].variant);
	for (unsigned int q = 0; q < sizeof(key_metrics) / sizeof(key_metrics[0]); q++) {
		int k = key_metrics[q], dec = cmp_metric_info[k].decimals;
		bool header = false;

		for (unsigned int i = first; i < end; i++) {
			struct stats_paired r;
			char d[48], lo[48], hi[48], pt[24], pw[24];

			if (i == ref)
				continue;
			cmp_stats_paired(m, &s->g[ref], &s->g[i], k, &r);
			if (!r.n)
				continue;
			if (!header) {
				fprintf(f, "%s\n", cmp_metric_info[k].title);
				header = true;
			}
			cmp_group_digits(r.mean_diff, dec, d, sizeof(d));
			cmp_group_digits(r.lo, dec, lo, sizeof(lo));
			cmp_group_digits(r.hi, dec, hi, sizeof(hi));
			fmt_p(r.p, pt, sizeof(pt));
			fmt_p(r.p_wilcoxon, pw, sizeof(pw));
			fprintf(f, "  %-*s  %s%s [%s, %s]  p %s%s  Wilcoxon p %s  %u / %u of %u\n", vw,
				s->g[i].variant, r.mean_diff > 0 ? "+" : "", d,
				isnan(r.lo) ? "-" : lo, isnan(r.hi) ? "-" : hi, pt,
				r.significant ? " *" : "", pw, r.b_lower, r.b_higher, r.n);
		}
	}
}

void cmp_stats_print(FILE *f, const struct cmp_metrics *m, const struct cmp_stats *s,
		     const char *reference)
{
	for (unsigned int first = 0, end; first < s->ng; first = end) {
		int ref;

		for (end = first; end < s->ng && s->g[end].wl == s->g[first].wl; end++)
			;
		fprintf(f,
			"%s%s: mean ± half-width of the 95%% interval (Student t, runs - 1 degrees "
			"of freedom) over its seeds\n",
			first ? "\n" : "", s->g[first].workload);
		print_means(f, m, s, first, end);
		ref = reference ? cmp_stats_find(s, s->g[first].wl, reference) : (int)first;
		if (ref < 0) {
			fprintf(f, "\n(no variant %s in %s: no paired comparison)\n", reference,
				s->g[first].workload);
			continue;
		}
		if (end - first > 1)
			print_paired(f, m, s, (unsigned int)ref, first, end);
	}
}

/* --- JSON --- */

static json_t *jnum(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *summary_json(const struct cmp_metrics *m, const struct cmp_group *g, int k)
{
	struct stats_summary su;
	json_t *o = json_object(), *vals = json_array();

	cmp_stats_summary(m, g, k, &su);
	for (unsigned int i = 0; i < g->n; i++)
		json_array_append_new(vals, jnum(m[g->run[i]].v[k]));
	json_object_set_new(o, "n", json_integer(su.n));
	json_object_set_new(o, "mean", jnum(su.mean));
	json_object_set_new(o, "sd", jnum(su.sd));
	json_object_set_new(o, "ci_low", jnum(su.lo));
	json_object_set_new(o, "ci_high", jnum(su.hi));
	json_object_set_new(o, "values", vals);
	return o;
}

static json_t *paired_json(const struct stats_paired *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer(r->n));
	json_object_set_new(o, "mean_diff", jnum(r->mean_diff));
	json_object_set_new(o, "sd_diff", jnum(r->sd_diff));
	json_object_set_new(o, "ci_low", jnum(r->lo));
	json_object_set_new(o, "ci_high", jnum(r->hi));
	/* +-inf (every seed moved by the same amount) as a string: JSON has no infinity */
	json_object_set_new(o, "t",
			    isinf(r->t) ? json_string(r->t > 0 ? "inf" : "-inf") : jnum(r->t));
	json_object_set_new(o, "df", r->n >= 2 ? json_integer(r->n - 1) : json_null());
	json_object_set_new(o, "p", jnum(r->p));
	json_object_set_new(o, "p_wilcoxon", jnum(r->p_wilcoxon));
	json_object_set_new(o, "b_lower", json_integer(r->b_lower));
	json_object_set_new(o, "b_higher", json_integer(r->b_higher));
	json_object_set_new(o, "significant", json_boolean(r->significant));
	return o;
}

static json_t *group_json(const struct cmp_metrics *m, const struct cmp_group *g)
{
	json_t *o = json_object(), *mets = json_object(), *reps = json_array();
	const struct cmp_metrics *r0 = &m[g->run[0]];

	json_object_set_new(o, "variant", json_string(g->variant));
	json_object_set_new(o, "profile", json_string(r0->profile));
	json_object_set_new(o, "policies", json_string(r0->policies));
	json_object_set_new(o, "runs", json_integer(g->n));
	for (unsigned int i = 0; i < g->n; i++)
		json_array_append_new(reps, json_string(rep_key(&m[g->run[i]])));
	json_object_set_new(o, "replicates", reps);
	for (int k = 0; k < CMP_NR_METRICS; k++)
		json_object_set_new(mets, cmp_metric_info[k].key, summary_json(m, g, k));
	json_object_set_new(o, "metrics", mets);
	return o;
}

static json_t *stats_json(const struct cmp_metrics *m, const struct cmp_stats *s)
{
	json_t *root = json_object(), *wls = json_array();

	json_object_set_new(root, "stats_format", json_integer(1));
	json_object_set_new(root, "level", json_real(CMP_STATS_LEVEL));
	json_object_set_new(
	    root, "method",
	    json_string("per variant: mean and Student t interval over the workload's seeds "
			"(t(1 - alpha/2, n - 1) sd / sqrt n); per pair: b - a seed by seed, paired "
			"t-test (two-sided) and exact Wilcoxon signed-rank test (two-sided, zero "
			"differences dropped, ties at mean rank); significant: t-test p < 1 - level"));
	for (unsigned int first = 0, end; first < s->ng; first = end) {
		json_t *w = json_object(), *vars = json_array(), *pairs = json_array();

		for (end = first; end < s->ng && s->g[end].wl == s->g[first].wl; end++)
			json_array_append_new(vars, group_json(m, &s->g[end]));
		for (unsigned int a = first; a < end; a++)
			for (unsigned int b = a + 1; b < end; b++) {
				json_t *p = json_object(), *mets = json_object();

				json_object_set_new(p, "a", json_string(s->g[a].variant));
				json_object_set_new(p, "b", json_string(s->g[b].variant));
				for (int k = 0; k < CMP_NR_METRICS; k++) {
					struct stats_paired r;

					cmp_stats_paired(m, &s->g[a], &s->g[b], k, &r);
					json_object_set_new(mets, cmp_metric_info[k].key,
							    paired_json(&r));
				}
				json_object_set_new(p, "metrics", mets);
				json_array_append_new(pairs, p);
			}
		json_object_set_new(w, "workload", json_string(s->g[first].workload));
		json_object_set_new(w, "variants", vars);
		json_object_set_new(w, "paired", pairs);
		json_array_append_new(wls, w);
	}
	json_object_set_new(root, "workloads", wls);
	return root;
}

int cmp_stats_write(const char *path, const struct cmp_metrics *m, const struct cmp_stats *s,
		    char *msg, size_t msglen)
{
	json_t *root = stats_json(m, s);
	struct outfile *of;
	int rc;

	if (outfile_open(path, &of, msg, msglen)) {
		json_decref(root);
		return EX_CANTCREAT;
	}
	rc = json_dumpf(root, outfile_stream(of), JSON_INDENT(1) | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (rc) {
		outfile_abort(of);
		snprintf(msg, msglen, "%s: cannot write", path);
		return EX_IOERR;
	}
	fputc('\n', outfile_stream(of));
	if (outfile_commit(of, msg, msglen))
		return EX_IOERR;
	return 0;
}
