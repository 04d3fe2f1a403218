/*
 * cli_stats.h - the statistics behind `zsfrag compare --seeds` and the
 * error bars of `plot compare` (cli_stats.c): a mean with its Student t
 * confidence interval, and whether two variants run on the same seeds
 * differ beyond the noise (a paired t-test, with the exact Wilcoxon
 * signed-rank test beside it).
 *
 * Pure arithmetic on arrays of doubles: no JSON, no I/O, so that the unit
 * test (tests/unit/test_stats.c) checks it against hand calculations and
 * published t quantiles. NaN in an input means "this run has no such
 * number" and leaves that value (or that pair) out.
 */
#ifndef ZSFRAG_CLI_STATS_H
#define ZSFRAG_CLI_STATS_H

#include <stdbool.h>

/* Student t distribution with df degrees of freedom (df > 0, not necessarily whole). */
double stats_t_cdf(double t, double df);
/* The p-quantile (0 < p < 1): stats_t_cdf(q, df) = p within 1e-12 relative. NaN for bad input. */
double stats_t_quantile(double p, double df);
/* The regularized incomplete beta function I_x(a, b), 0 <= x <= 1, a, b > 0. */
double stats_inc_beta(double x, double a, double b);

/* A sample: its values that are not NaN. */
struct stats_summary {
	unsigned int n; /* values counted */
	double mean;
	double sd;	 /* sample standard deviation (n - 1 in the denominator); NaN for n < 2 */
	double half;	 /* half-width of the confidence interval: t(1 - a/2, n - 1) sd / sqrt n */
	double lo, hi;	 /* mean -/+ half; NaN for n < 2 */
};

/* level: the interval's coverage, e.g. 0.95. */
void stats_summarize(const double *x, unsigned int n, double level, struct stats_summary *s);

/* Two variants on the same seeds: b - a per seed, over the seeds where both have a number. */
struct stats_paired {
	unsigned int n;	  /* pairs */
	double mean_diff; /* mean of b - a */
	double sd_diff;	  /* their sample standard deviation */
	double lo, hi;	  /* the confidence interval of the mean difference */
	double t;	  /* mean_diff / (sd_diff / sqrt n); +-inf when every difference is the same
			     non-zero number, NaN when all are 0 or n < 2 */
	double p;	  /* two-sided p of the paired t-test (1 when every difference is 0) */
	double p_wilcoxon; /* two-sided exact p of the Wilcoxon signed-rank test (zero differences
			      dropped, ties at their mean rank: exact given the ties) */
	unsigned int b_lower, b_higher; /* pairs where b < a, b > a */
	bool significant;		/* p < 1 - level (t-test) */
};

/* a[i] and b[i] are the same seed's. level as above. */
void stats_paired_test(const double *a, const double *b, unsigned int n, double level,
		       struct stats_paired *r);

/*
 * The exact two-sided p of the Wilcoxon signed-rank statistic for the differences d (zeros and
 * NaN left out): the chance, under "each sign equally likely", of a rank sum of the positive
 * differences at least as far from its mean as the one observed. At most STATS_MAX_WILCOXON
 * differences (NaN beyond).
 */
#define STATS_MAX_WILCOXON 200
double stats_wilcoxon_p(const double *d, unsigned int n);

#endif /* ZSFRAG_CLI_STATS_H */
