/*
 * test_stats.c - cli_stats.c against published t quantiles, closed forms of
 * the t distribution, and small data sets worked by hand.
 */
#include <math.h>

#include "../cli/cli_stats.h"
#include "test_util.h"

/* t(0.975, df): the two-sided 95% quantiles of any t table */
static void test_t_quantiles(void)
{
	static const struct {
		double df, q;
	} tab[] = {{1, 12.7062047362}, {2, 4.3026527297}, {3, 3.1824463053}, {4, 2.7764451052},
		   {9, 2.2621571628},  {19, 2.0930240544}, {29, 2.0452296421}};

	for (unsigned int i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		CHECK_DBL_NEAR(stats_t_quantile(0.975, tab[i].df), tab[i].q, 1e-8);
		CHECK_DBL_NEAR(stats_t_quantile(0.025, tab[i].df), -tab[i].q, 1e-8);
	}
	/* t(0.995, 9) = 3.2498355, and the normal's 1.959964 as df grows */
	CHECK_DBL_NEAR(stats_t_quantile(0.995, 9), 3.2498355416, 1e-8);
	CHECK_DBL_NEAR(stats_t_quantile(0.975, 1e7), 1.959964, 1e-5);
	CHECK_DBL_NEAR(stats_t_quantile(0.5, 5), 0, 1e-15);
	CHECK(isnan(stats_t_quantile(0, 5)));
	CHECK(isnan(stats_t_quantile(0.9, 0)));
}

/* closed forms: df 1 is Cauchy, F(t) = 1/2 + atan(t)/pi; df 2, F(t) = 1/2 + t / (2 sqrt(2 + t^2)) */
static void test_t_cdf(void)
{
	const double pi = 3.14159265358979323846;

	for (double t = -30; t <= 30; t += 0.75) {
		CHECK_DBL_NEAR(stats_t_cdf(t, 1), 0.5 + atan(t) / pi, 1e-12);
		CHECK_DBL_NEAR(stats_t_cdf(t, 2), 0.5 + t / (2 * sqrt(2 + t * t)), 1e-12);
	}
	CHECK_DBL_NEAR(stats_t_cdf(1, 1), 0.75, 1e-14);
	CHECK_DBL_NEAR(stats_t_cdf(INFINITY, 3), 1, 0);
	/* I_x(a, 1) = x^a, I_x(1, 1) = x */
	CHECK_DBL_NEAR(stats_inc_beta(0.3, 2.5, 1), pow(0.3, 2.5), 1e-13);
	CHECK_DBL_NEAR(stats_inc_beta(0.8, 1, 1), 0.8, 1e-13);
}

/* {1, 2, 3}: mean 2, s = 1, half = t(0.975, 2) / sqrt 3 = 4.3026527297 / 1.7320508 = 2.4841377 */
static void test_summary_by_hand(void)
{
	const double x[] = {1, NAN, 2, 3};
	struct stats_summary s;

	stats_summarize(x, 4, 0.95, &s);
	CHECK_EQ(s.n, 3);
	CHECK_DBL_NEAR(s.mean, 2, 1e-15);
	CHECK_DBL_NEAR(s.sd, 1, 1e-15);
	CHECK_DBL_NEAR(s.half, 2.4841377119, 1e-9);
	CHECK_DBL_NEAR(s.lo, 2 - 2.4841377119, 1e-9);
	/* one value: a mean, no interval */
	stats_summarize(x, 1, 0.95, &s);
	CHECK_EQ(s.n, 1);
	CHECK_DBL_NEAR(s.mean, 1, 0);
	CHECK(isnan(s.sd) && isnan(s.half));
}

/*
 * a = {10, 12, 9, 11}, b = {8, 11, 6, 10}: d = b - a = {-2, -1, -3, -1}, mean -1.75,
 * squares about it 0.0625 + 0.5625 + 1.5625 + 0.5625 = 2.75, s^2 = 2.75 / 3, se = s / 2,
 * t = -1.75 / 0.4787136 = -3.6556308; df 3, whose CDF is
 * 1/2 + (u / (1 + t^2 / 3) + atan u) / pi with u = t / sqrt 3: p = 0.0353528.
 * Wilcoxon: |d| ranks 1.5, 1.5, 3, 4, all negative: W+ = 0; of the 16 sign patterns only
 * all-minus and all-plus are that far from the mean: p = 2/16.
 */
static void test_paired_by_hand(void)
{
	const double a[] = {10, 12, 9, 11}, b[] = {8, 11, 6, 10};
	struct stats_paired r;

	stats_paired_test(a, b, 4, 0.95, &r);
	CHECK_EQ(r.n, 4);
	CHECK_DBL_NEAR(r.mean_diff, -1.75, 1e-15);
	CHECK_DBL_NEAR(r.sd_diff, sqrt(2.75 / 3), 1e-14);
	CHECK_DBL_NEAR(r.t, -3.6556307751, 1e-9);
	CHECK_DBL_NEAR(r.p, 0.0353528470, 1e-9);
	CHECK(r.significant);
	CHECK_DBL_NEAR(r.hi, -1.75 + 3.1824463053 * sqrt(2.75 / 3) / 2, 1e-8);
	CHECK_DBL_NEAR(r.p_wilcoxon, 0.125, 1e-15);
	CHECK_EQ(r.b_lower, 4);
	CHECK_EQ(r.b_higher, 0);
	/* the same at 99%: p 0.035 is not below 0.01 */
	stats_paired_test(a, b, 4, 0.99, &r);
	CHECK(!r.significant);
}

static void test_paired_degenerate(void)
{
	const double a[] = {5, 7, 9}, b[] = {6, 8, 10}, z[] = {5, 7, NAN};
	struct stats_paired r;

	/* every seed moved by exactly +1: no noise, significant */
	stats_paired_test(a, b, 3, 0.95, &r);
	CHECK(isinf(r.t) && r.t > 0);
	CHECK_DBL_NEAR(r.p, 0, 0);
	CHECK(r.significant);
	/* identical: no difference (the NaN pair left out) */
	stats_paired_test(a, z, 3, 0.95, &r);
	CHECK_EQ(r.n, 2);
	CHECK_DBL_NEAR(r.p, 1, 0);
	CHECK_DBL_NEAR(r.p_wilcoxon, 1, 0);
	CHECK(!r.significant);
}

/*
 * d = {1, 2, 3, -4, 5}: W+ = 1 + 2 + 3 + 5 = 11 of 15, mean 7.5. Subsets of {1..5} summing to
 * <= 4: {}, 1, 2, 3, 4, 1+2, 1+3 = 7; as many >= 11: p = 14 / 32. Ten positive differences:
 * only all-plus and all-minus are as extreme, p = 2 / 1024.
 */
static void test_wilcoxon_by_hand(void)
{
	const double d[] = {1, 2, 3, -4, 5};
	double ten[10];

	CHECK_DBL_NEAR(stats_wilcoxon_p(d, 5), 14.0 / 32, 1e-15);
	for (int i = 0; i < 10; i++)
		ten[i] = i + 0.5;
	CHECK_DBL_NEAR(stats_wilcoxon_p(ten, 10), 2.0 / 1024, 1e-15);
	/* zeros are dropped: the same as without them */
	{
		const double dz[] = {0, 1, 2, 0, 3, -4, 5};

		CHECK_DBL_NEAR(stats_wilcoxon_p(dz, 7), 14.0 / 32, 1e-15);
	}
}

int main(void)
{
	RUN(test_t_quantiles);
	RUN(test_t_cdf);
	RUN(test_summary_by_hand);
	RUN(test_paired_by_hand);
	RUN(test_paired_degenerate);
	RUN(test_wilcoxon_by_hand);
	return test_summary();
}
