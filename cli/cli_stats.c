/*
 * cli_stats.c - means, Student t intervals and paired tests across seeds
 * (cli_stats.h).
 *
 * Method. A variant replayed on N traces of one workload (seeds 1..N) gives
 * N values of each metric; they are independent draws, so the mean's 95%
 * interval is mean +- t(0.975, N - 1) s / sqrt N. Two variants on the same
 * N traces are compared seed by seed: the differences d_i = b_i - a_i
 * remove what the seed does to both (a trace with more forks has more OOM
 * kills under every policy), which is most of the spread between seeds,
 * and the paired t-test asks whether mean(d) is 0. The t-test assumes the
 * mean of the d_i is near normal; with 10 seeds and skewed counts that is
 * not a given, so the exact Wilcoxon signed-rank p (no assumption on the
 * shape, only on symmetry about the median) is reported beside it: where
 * the two disagree, the difference is not one to lean on.
 *
 * The t distribution: its CDF through the regularized incomplete beta
 * function, I_x(a, b) by its continued fraction (modified Lentz), and the
 * quantile by bisection on the CDF, which is monotone; 200 halvings take any
 * bracket to the last bit of a double. No tables, so any N works.
 */
#include "cli_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The continued fraction of I_x(a, b) (converges fast for x < (a + 1) / (a + b + 2)). */
static double beta_cf(double x, double a, double b)
{
	const double tiny = 1e-300, eps = 1e-16;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = fabs(d) < tiny ? tiny : d;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m, num, del;

		/* the even step, then the odd one, of the fraction's terms */
		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double stats_inc_beta(double x, double a, double b)
{
	double front;

	if (!(x >= 0 && x <= 1) || !(a > 0) || !(b > 0))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	/* the fraction converges on the side of the mean; the other side by symmetry */
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(x, a, b) / a;
	return 1 - front * beta_cf(1 - x, b, a) / b;
}

double stats_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	/* P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2) */
	tail = 0.5 * stats_inc_beta(df / (df + t * t), df / 2, 0.5);
	return t > 0 ? 1 - tail : tail;
}

double stats_t_quantile(double p, double df)
{
	double lo = 0, hi = 1;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p < 0.5)
		return -stats_t_quantile(1 - p, df);
	if (p == 0.5)
		return 0;
	while (stats_t_cdf(hi, df) < p && hi < 1e300)
		hi *= 2;
	for (int i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (stats_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void stats_summarize(const double *x, unsigned int n, double level, struct stats_summary *s)
{
	double sum = 0, ss = 0;

	*s = (struct stats_summary){.mean = NAN, .sd = NAN, .half = NAN, .lo = NAN, .hi = NAN};
	for (unsigned int i = 0; i < n; i++)
		if (!isnan(x[i])) {
			sum += x[i];
			s->n++;
		}
	if (!s->n)
		return;
	s->mean = sum / s->n;
	if (s->n < 2)
		return;
	for (unsigned int i = 0; i < n; i++)
		if (!isnan(x[i]))
			ss += (x[i] - s->mean) * (x[i] - s->mean);
	s->sd = sqrt(ss / (s->n - 1));
	s->half = stats_t_quantile(1 - (1 - level) / 2, s->n - 1) * s->sd / sqrt(s->n);
	s->lo = s->mean - s->half;
	s->hi = s->mean + s->half;
}

static int cmp_abs(const void *a, const void *b)
{
	double x = fabs(*(const double *)a), y = fabs(*(const double *)b);

	return (x > y) - (x < y);
}

double stats_wilcoxon_p(const double *d_in, unsigned int n_in)
{
	double d[STATS_MAX_WILCOXON], *count, p = 0, total;
	long r2[STATS_MAX_WILCOXON], w = 0, T = 0, dev;
	unsigned int n = 0;

	for (unsigned int i = 0; i < n_in; i++)
		if (!isnan(d_in[i]) && d_in[i] != 0) {
			if (n == STATS_MAX_WILCOXON)
				return NAN;
			d[n++] = d_in[i];
		}
	if (!n)
		return 1;
	qsort(d, n, sizeof(d[0]), cmp_abs);
	/* ranks of |d| from 1, ties at their mean rank; doubled, so every rank is a whole number */
	for (unsigned int i = 0; i < n;) {
		unsigned int j = i;

		while (j + 1 < n && fabs(d[j + 1]) == fabs(d[i]))
			j++;
		for (unsigned int k = i; k <= j; k++)
			r2[k] = (long)(i + 1 + j + 1); /* 2 x the mean of ranks i+1..j+1 */
		i = j + 1;
	}
	for (unsigned int i = 0; i < n; i++) {
		T += r2[i];
		if (d[i] > 0)
			w += r2[i];
	}
	/* count[s]: the sign patterns whose positive ranks sum to s (doubled ranks) */
	count = calloc((size_t)T + 1, sizeof(*count));
	if (!count)
		return NAN;
	count[0] = 1;
	for (unsigned int i = 0; i < n; i++)
		for (long s = T; s >= r2[i]; s--)
			count[s] += count[s - r2[i]];
	/* two-sided: as far from the mean T/2 as w is, on either side (in units of 1/2) */
	dev = labs(2 * w - T);
	total = ldexp(1, (int)n);
	for (long s = 0; s <= T; s++)
		if (labs(2 * s - T) >= dev)
			p += count[s];
	free(count);
	p /= total;
	return p > 1 ? 1 : p;
}

void stats_paired_test(const double *a, const double *b, unsigned int n, double level,
		       struct stats_paired *r)
{
	double *d = calloc(n ? n : 1, sizeof(*d));
	struct stats_summary s;
	unsigned int m = 0;

	*r = (struct stats_paired){.mean_diff = NAN, .sd_diff = NAN, .lo = NAN, .hi = NAN,
				   .t = NAN, .p = NAN, .p_wilcoxon = NAN};
	if (!d)
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (isnan(a[i]) || isnan(b[i]))
			continue;
		d[m++] = b[i] - a[i];
		r->b_lower += b[i] < a[i];
		r->b_higher += b[i] > a[i];
	}
	stats_summarize(d, m, level, &s);
	r->n = s.n;
	r->mean_diff = s.mean;
	r->sd_diff = s.sd;
	r->lo = s.lo;
	r->hi = s.hi;
	if (m >= 2) {
		if (s.sd > 0) {
			r->t = s.mean / (s.sd / sqrt(m));
			r->p = 2 * stats_t_cdf(-fabs(r->t), m - 1);
		} else if (s.mean != 0) {
			/* every seed moved by the same amount: no noise at all */
			r->t = s.mean > 0 ? INFINITY : -INFINITY;
			r->p = 0;
		} else {
			r->p = 1;
		}
		r->significant = r->p < 1 - level;
	}
	r->p_wilcoxon = m ? stats_wilcoxon_p(d, m) : NAN;
	free(d);
}
