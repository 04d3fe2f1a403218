/*
 * test_wl_sizes.c - the PRNG and the compressed-size models of workloads/.
 *
 * The PRNG is checked against values computed independently (a Python
 * transcription of splitmix64 + xoshiro256**). The size models are sampled
 * and compared with their own expected distribution (wl_sizes_prob) bucket
 * by bucket, and with the published figures they are built from, within
 * five standard deviations of the sampling error: a failure means a model
 * or its documentation is wrong, not bad luck (p < 1e-6 per check).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "test_util.h"
#include "wl.h"

#define N_SAMPLES 200000

static void test_rng_reference(void)
{
	struct wl_rng r;

	wl_rng_seed(&r, 1);
	CHECK_U64_EQ(wl_rng_u64(&r), 0xb3f2af6d0fc710c5ULL);
	CHECK_U64_EQ(wl_rng_u64(&r), 0x853b559647364ceaULL);
	CHECK_U64_EQ(wl_rng_u64(&r), 0x92f89756082a4514ULL);
}

static void test_rng_below_and_exp(void)
{
	struct wl_rng r;
	uint64_t count[10] = {0};
	double sum = 0;

	wl_rng_seed(&r, 42);
	for (int i = 0; i < 100000; i++) {
		uint64_t x = wl_rng_below(&r, 10);

		REQUIRE(x < 10);
		count[x]++;
	}
	/* each count is binomial(100000, 0.1): sd 94.9 */
	for (int i = 0; i < 10; i++)
		CHECK_LE(llabs((long long)count[i] - 10000), 475);
	CHECK_U64_EQ(wl_rng_below(&r, 0), 0);
	CHECK_U64_EQ(wl_rng_below(&r, 1), 0);
	for (int i = 0; i < 100000; i++)
		sum += wl_rng_exp(&r, 3.0);
	/* exponential mean 3, sd 3: the mean of 1e5 has sd 0.0095 */
	CHECK_DBL_NEAR(sum / 100000, 3.0, 0.048);
}

struct sample_stats {
	uint64_t same, whole, other;
	double sum;		     /* bytes, over non-same pages */
	uint64_t bucket[65536 / 32]; /* non-same pages per 32-byte bucket */
};

static void sample(const struct wl_sizes *s, uint64_t seed, struct sample_stats *st)
{
	struct wl_rng r;
	uint32_t page = (uint32_t)s->p.page_size;

	memset(st, 0, sizeof(*st));
	wl_rng_seed(&r, seed);
	for (int i = 0; i < N_SAMPLES; i++) {
		uint32_t x = wl_sizes_sample(s, &r);

		if (!x) {
			st->same++;
			continue;
		}
		CHECK(x <= page);
		if (x == page)
			st->whole++;
		st->other++;
		st->sum += x;
		st->bucket[(x - 1) / 32]++;
	}
}

/* |observed - expected| within 5 sd of a binomial count, plus 1 for rounding. */
static void check_count(uint64_t obs, uint64_t n, double p, const char *what, unsigned int b)
{
	double exp = p * (double)n, sd = sqrt((double)n * p * (1 - p));

	tu_checks++;
	if (fabs((double)obs - exp) > 5 * sd + 1) {
		tu_failures++;
		fprintf(stderr, "%s bucket %u: %llu pages, expected %.1f (sd %.1f)\n", what, b,
			(unsigned long long)obs, exp, sd);
	}
}

static void check_histogram(const struct wl_sizes *s, const struct sample_stats *st,
			    const char *what)
{
	uint32_t page = (uint32_t)s->p.page_size;

	for (uint32_t b = 0; b < page / 32; b++) {
		double p = wl_sizes_prob(s, b * 32 + 1, b * 32 + 32);

		check_count(st->bucket[b], st->other, p, what, b);
	}
}

static void test_bimodal_defaults(void)
{
	struct wl_size_params p;
	struct wl_sizes s;
	struct sample_stats *st = calloc(1, sizeof(*st));
	char err[256];
	double sd_mean;

	REQUIRE(st);
	wl_size_params_default(&p);
	REQUIRE(wl_sizes_init(&s, &p, err, sizeof(err)) == 0);
	/* the published figures the defaults are built from */
	CHECK_DBL_NEAR(s.same_frac, 0.085, 1e-12);
	CHECK_DBL_NEAR(wl_sizes_mean(&s), 4096 / 2.6, 1e-9);
	CHECK_DBL_NEAR(wl_sizes_incompressible(&s), 0.05, 1e-12);
	/* by hand: 4096/2.6 = 1575.3846; (1575.3846 - 0.05*4096) / 0.95 = 1442.7207;
	 * sparse 409.6, so dense = (1442.7207 - 0.5*409.6) / 0.5 = 2475.8413 */
	CHECK_DBL_NEAR(s.sparse_mean, 409.6, 1e-9);
	CHECK_DBL_NEAR(s.dense_mean, 2475.8413, 0.001);
	/* sparse spans 409.6 +- 245.76, dense starts at 2475.84 * 0.4 = 990.3: below 900
	 * lies exactly the sparse mode, half of the compressible pages */
	CHECK_DBL_NEAR(wl_sizes_prob(&s, 1, 900), 0.95 * 0.5, 1e-9);

	sample(&s, 7, st);
	check_count(st->same, N_SAMPLES, 0.085, "same-filled", 0);
	check_count(st->whole, st->other, 0.05, "incompressible", 0);
	/* sizes spread over 1..4096 with sd below 1300 bytes */
	sd_mean = 1300 / sqrt((double)st->other);
	CHECK_DBL_NEAR(st->sum / (double)st->other, 4096 / 2.6, 5 * sd_mean);
	check_histogram(&s, st, "bimodal lz4");
	free(st);
}

static void test_bimodal_zstd_and_16k(void)
{
	struct wl_size_params p;
	struct wl_sizes s;
	struct sample_stats *st = calloc(1, sizeof(*st));
	char err[256];

	REQUIRE(st);
	wl_size_params_default(&p);
	p.comp = WL_ZSTD;
	p.page_size = 16384;
	REQUIRE(wl_sizes_init(&s, &p, err, sizeof(err)) == 0);
	CHECK_DBL_NEAR(wl_sizes_mean(&s), 16384 / 3.7, 1e-9);
	sample(&s, 8, st);
	CHECK_DBL_NEAR(st->sum / (double)st->other, 16384 / 3.7,
		       5 * 5000 / sqrt((double)st->other));
	check_count(st->whole, st->other, 0.05, "incompressible 16k", 0);
	check_histogram(&s, st, "bimodal zstd 16k");
	free(st);
}

static void test_bimodal_unreachable(void)
{
	struct wl_size_params p;
	struct wl_sizes s;
	char err[256] = "";

	wl_size_params_default(&p);
	/* 4096/1.05 = 3900.95; (3900.95 - 204.8)/0.95 = 3890.68; dense (3890.68 - 204.8)/0.5
	 * = 7371.8 > page */
	p.ratio = 1.05;
	CHECK_EQ(wl_sizes_init(&s, &p, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "ratio 1.05 unreachable") != NULL);
	CHECK(strstr(err, "7372") != NULL);
	p.ratio = 50; /* mean 81.9 bytes: below the sparse mode */
	CHECK_EQ(wl_sizes_init(&s, &p, err, sizeof(err)), -EINVAL);
	p.ratio = 0;
	p.page_size = 8192;
	CHECK_EQ(wl_sizes_init(&s, &p, err, sizeof(err)), -EINVAL);
}

static void test_empirical(void)
{
	struct wl_size_params p;
	struct wl_sizes s;
	struct sample_stats *st = calloc(1, sizeof(*st));
	uint64_t total = 0, top = 0;
	char err[256];

	REQUIRE(st);
	for (unsigned int b = 0; b < WL_HIST_NR_BUCKETS; b++)
		total += wl_hist_count(WL_LZ4, b);
	top = wl_hist_count(WL_LZ4, WL_HIST_NR_BUCKETS - 1);
	REQUIRE(total > 1000); /* the shipped histogram is not a stub */
	CHECK(wl_hist_zero() <= wl_hist_same());

	wl_size_params_default(&p);
	p.kind = WL_SIZES_EMPIRICAL;
	REQUIRE(wl_sizes_init(&s, &p, err, sizeof(err)) == 0);
	CHECK_DBL_NEAR(s.same_frac, (double)wl_hist_same() / (double)(wl_hist_same() + total),
		       1e-12);
	CHECK_DBL_NEAR(wl_sizes_incompressible(&s), (double)top / (double)total, 1e-12);
	sample(&s, 9, st);
	check_count(st->same, N_SAMPLES, s.same_frac, "empirical same-filled", 0);
	/* bucket b of the sample holds exactly histogram bucket b (the last at 4096) */
	for (unsigned int b = 0; b < WL_HIST_NR_BUCKETS; b++)
		check_count(st->bucket[b], st->other,
			    (double)wl_hist_count(WL_LZ4, b) / (double)total, "empirical lz4", b);
	check_histogram(&s, st, "empirical lz4 prob");

	/* same_frac given explicitly wins over the measured one */
	p.same_frac = 0.2;
	REQUIRE(wl_sizes_init(&s, &p, err, sizeof(err)) == 0);
	sample(&s, 10, st);
	check_count(st->same, N_SAMPLES, 0.2, "empirical same 0.2", 0);

	/* 64 KiB pages: sizes scale by 16 and stay in range */
	p.same_frac = -1;
	p.page_size = 65536;
	p.comp = WL_ZSTD;
	REQUIRE(wl_sizes_init(&s, &p, err, sizeof(err)) == 0);
	sample(&s, 11, st);
	check_histogram(&s, st, "empirical zstd 64k");
	free(st);
}

static void test_fixed(void)
{
	struct wl_size_params p;
	struct wl_sizes s;
	struct wl_rng r;
	char err[256];

	wl_size_params_default(&p);
	p.kind = WL_SIZES_FIXED;
	p.fixed_size = 700;
	REQUIRE(wl_sizes_init(&s, &p, err, sizeof(err)) == 0);
	wl_rng_seed(&r, 1);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(wl_sizes_sample(&s, &r), 700);
	p.fixed_size = 5000;
	CHECK_EQ(wl_sizes_init(&s, &p, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	RUN(test_rng_reference);
	RUN(test_rng_below_and_exp);
	RUN(test_bimodal_defaults);
	RUN(test_bimodal_zstd_and_16k);
	RUN(test_bimodal_unreachable);
	RUN(test_empirical);
	RUN(test_fixed);
	return test_summary();
}
