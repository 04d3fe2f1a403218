/*
 * wl_sizes.c - compressed-size models: what one swapped-out page costs zram.
 *
 * A sample is 0 for a same-filled page (zram keeps no object, the trace says
 * `z`), else the compressed length in 1..page_size bytes, page_size meaning
 * incompressible (stored whole).
 *
 * empirical: the histogram in workloads/data/anon-4k.csv, measured by
 *   compressing the resident anonymous memory of real processes
 *   (workloads/data/README.md). The build turns the CSV into a C table
 *   (wl_hist_data.h), so the library reads no file. A bucket is drawn in
 *   proportion to its pages and the size uniformly inside it; the last bucket
 *   (over 4064 bytes, beyond every kernel's huge-class cut-off) counts as
 *   incompressible. Other page sizes scale the sizes by page_size / 4096.
 *   The same-filled fraction is the measured one unless same_frac is given.
 *
 * bimodal: the published shape of swapped Android memory. Defaults:
 *   - same_frac 0.085: about 8.5% of swapped pages are same-filled, 6% of
 *     all pages zero (Android zram measurements, which motivated zram's
 *     same-page handling);
 *   - ratio 2.6 for lz4 and lzo, 3.7 for zstd: page size over the mean
 *     compressed size of the other pages (lz4 about 2.6x, zstd 3.4-4x);
 *   - dense_share 0.5: mostly-zero (sparse) and mostly-dense pages in about
 *     equal shares;
 *   - incompressible 0.05 and sparse_mean page/10 (our choices: a few
 *     percent of pages hold already-compressed media, and a mostly-zero page
 *     compresses to a few hundred bytes);
 *   - the dense mode's mean is then what makes the mean size page/ratio.
 *   Each mode is a symmetric triangular distribution around its mean with a
 *   half-width of spread x mean, narrowed so that it stays inside
 *   1..page_size-1: the means, hence the ratio, are exact.
 *
 * fixed: every page is fixed_size bytes (tests, hand calculations), with the
 *   same-filled fraction still applied.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wl.h"
#include "wl_hist_data.h" /* generated from workloads/data/anon-4k.csv */

#define HIST_PAGE 4096u
#define NR_HIST	  (HIST_PAGE / WL_HIST_BUCKET)

_Static_assert(sizeof(wl_hist_data) / sizeof(wl_hist_data[0]) == NR_HIST,
	       "anon-4k.csv must have one row per 32-byte bucket");

static const char *const compressor_names[WL_NR_COMPRESSORS] = {"lz4", "zstd", "lzo"};
/* published mean ratios (page / mean compressed size) per compressor */
static const double default_ratio[WL_NR_COMPRESSORS] = {2.6, 3.7, 2.6};

const char *wl_compressor_name(enum wl_compressor c)
{
	return c < WL_NR_COMPRESSORS ? compressor_names[c] : "?";
}

uint64_t wl_hist_count(enum wl_compressor c, unsigned int bucket)
{
	return c < WL_NR_COMPRESSORS && bucket < NR_HIST ? wl_hist_data[bucket][c] : 0;
}

uint64_t wl_hist_same(void)
{
	return wl_hist_same_pages;
}

uint64_t wl_hist_zero(void)
{
	return wl_hist_zero_pages;
}

void wl_size_params_default(struct wl_size_params *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = WL_SIZES_BIMODAL;
	p->comp = WL_LZ4;
	p->page_size = 4096;
	p->same_frac = -1;
	p->incompressible = 0.05;
	p->ratio = 0;
	p->dense_share = 0.5;
	p->sparse_mean = 0;
	p->spread = 0.6;
	p->fixed_size = 1024;
}

static double half_width(double mean, double spread, double page)
{
	double h = spread * mean;

	if (h > mean - 1)
		h = mean - 1;
	if (h > page - 1 - mean)
		h = page - 1 - mean;
	return h < 0 ? 0 : h;
}

static int init_bimodal(struct wl_sizes *s, char *err, size_t errlen)
{
	const struct wl_size_params *p = &s->p;
	double page = (double)p->page_size;
	double ratio = p->ratio > 0 ? p->ratio : default_ratio[p->comp];
	double mean = page / ratio, compressible;

	s->same_frac = p->same_frac >= 0 ? p->same_frac : 0.085;
	s->sparse_mean = p->sparse_mean > 0 ? p->sparse_mean : page / 10;
	/* mean = inc * page + (1 - inc) * ((1 - d) * sparse + d * dense) */
	compressible = (mean - p->incompressible * page) / (1 - p->incompressible);
	if (p->dense_share <= 0) {
		s->dense_mean = s->sparse_mean;
		if (fabs(compressible - s->sparse_mean) > 0.5) {
			snprintf(err, errlen,
				 "ratio %g unreachable with dense_share 0: the pages would average "
				 "%.0f bytes, sparse_mean is %.0f",
				 ratio, compressible, s->sparse_mean);
			return -EINVAL;
		}
	} else {
		s->dense_mean =
		    (compressible - (1 - p->dense_share) * s->sparse_mean) / p->dense_share;
	}
	if (s->dense_mean < s->sparse_mean || s->dense_mean > page - 1 ||
	    s->sparse_mean > page - 1) {
		snprintf(err, errlen,
			 "ratio %g unreachable: the dense mode would average %.0f bytes, outside "
			 "sparse_mean (%.0f) .. page size - 1; change ratio, incompressible or "
			 "sparse_mean",
			 ratio, s->dense_mean, s->sparse_mean);
		return -EINVAL;
	}
	s->sparse_half = half_width(s->sparse_mean, p->spread, page);
	s->dense_half = half_width(s->dense_mean, p->spread, page);
	return 0;
}

int wl_sizes_init(struct wl_sizes *s, const struct wl_size_params *p, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->p = *p;
	if (p->page_size != 4096 && p->page_size != 16384 && p->page_size != 65536) {
		snprintf(err, errlen, "page size %zu not 4096, 16384 or 65536", p->page_size);
		return -EINVAL;
	}
	if (p->comp >= WL_NR_COMPRESSORS) {
		snprintf(err, errlen, "unknown compressor");
		return -EINVAL;
	}
	if (p->same_frac > 1 || p->incompressible < 0 || p->incompressible >= 1 ||
	    p->dense_share < 0 || p->dense_share > 1 || p->spread < 0) {
		snprintf(err, errlen, "size model fraction out of range");
		return -EINVAL;
	}
	switch (p->kind) {
	case WL_SIZES_EMPIRICAL: {
		uint64_t total = 0;

		s->nr_buckets = NR_HIST;
		for (unsigned int b = 0; b < NR_HIST; b++) {
			total += wl_hist_data[b][p->comp];
			s->cum[b] = total;
		}
		if (!total) {
			snprintf(err, errlen, "the empirical histogram is empty");
			return -EINVAL;
		}
		s->same_frac = p->same_frac >= 0 ? p->same_frac
						 : (double)wl_hist_same_pages /
						       (double)(wl_hist_same_pages + total);
		return 0;
	}
	case WL_SIZES_BIMODAL:
		return init_bimodal(s, err, errlen);
	case WL_SIZES_FIXED:
		if (p->fixed_size < 1 || p->fixed_size > p->page_size) {
			snprintf(err, errlen, "fixed_size %zu outside 1..%zu", p->fixed_size,
				 p->page_size);
			return -EINVAL;
		}
		s->same_frac = p->same_frac >= 0 ? p->same_frac : 0;
		return 0;
	}
	snprintf(err, errlen, "unknown size model");
	return -EINVAL;
}

static uint32_t triangular(struct wl_rng *r, double mean, double half)
{
	double x = mean + half * (wl_rng_unit(r) + wl_rng_unit(r) - 1);

	return (uint32_t)lround(x);
}

uint32_t wl_sizes_sample(const struct wl_sizes *s, struct wl_rng *r)
{
	const struct wl_size_params *p = &s->p;
	uint32_t page = (uint32_t)p->page_size;

	if (s->same_frac > 0 && wl_rng_unit(r) < s->same_frac)
		return 0;
	switch (p->kind) {
	case WL_SIZES_EMPIRICAL: {
		uint64_t x = wl_rng_below(r, s->cum[NR_HIST - 1]);
		unsigned int lo = 0, hi = NR_HIST - 1;
		uint32_t k = page / HIST_PAGE, sz;

		while (lo < hi) { /* first bucket whose cumulative count exceeds x */
			unsigned int mid = (lo + hi) / 2;

			if (s->cum[mid] > x)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (lo == NR_HIST - 1)
			return page;
		sz = lo * WL_HIST_BUCKET + 1 + (uint32_t)wl_rng_below(r, WL_HIST_BUCKET);
		return (sz - 1) * k + 1 + (uint32_t)wl_rng_below(r, k);
	}
	case WL_SIZES_BIMODAL:
		if (wl_rng_unit(r) < p->incompressible)
			return page;
		if (wl_rng_unit(r) < p->dense_share)
			return triangular(r, s->dense_mean, s->dense_half);
		return triangular(r, s->sparse_mean, s->sparse_half);
	case WL_SIZES_FIXED:
		return (uint32_t)p->fixed_size;
	}
	return page;
}

/* P(X <= x) for the triangular distribution on [m - h, m + h]. */
static double tri_cdf(double m, double h, double x)
{
	double z;

	if (h <= 0)
		return x >= m ? 1 : 0;
	z = (x - (m - h)) / h; /* 0..2 */
	if (z <= 0)
		return 0;
	if (z >= 2)
		return 1;
	return z <= 1 ? z * z / 2 : 1 - (2 - z) * (2 - z) / 2;
}

double wl_sizes_prob(const struct wl_sizes *s, uint32_t lo, uint32_t hi)
{
	const struct wl_size_params *p = &s->p;
	uint32_t page = (uint32_t)p->page_size;
	double pr = 0;

	if (lo > hi)
		return 0;
	switch (p->kind) {
	case WL_SIZES_EMPIRICAL: {
		uint32_t k = page / HIST_PAGE;
		double total = (double)s->cum[NR_HIST - 1];

		for (unsigned int b = 0; b < NR_HIST; b++) {
			double n = (double)(s->cum[b] - (b ? s->cum[b - 1] : 0)) / total;
			uint32_t blo = b * WL_HIST_BUCKET * k + 1,
				 bhi = (b + 1) * WL_HIST_BUCKET * k;
			uint32_t a, z;

			if (b == NR_HIST - 1) { /* all of it at page */
				pr += (lo <= page && page <= hi) ? n : 0;
				continue;
			}
			a = lo > blo ? lo : blo;
			z = hi < bhi ? hi : bhi;
			if (a <= z)
				pr += n * (double)(z - a + 1) / (double)(bhi - blo + 1);
		}
		return pr;
	}
	case WL_SIZES_BIMODAL: {
		/* sizes are rounded: integer n holds the mass of (n - 0.5, n + 0.5] */
		double a = (double)lo - 0.5, z = (double)hi + 0.5;
		double inc = p->incompressible;

		pr = (lo <= page && page <= hi) ? inc : 0;
		pr += (1 - inc) * p->dense_share *
		      (tri_cdf(s->dense_mean, s->dense_half, z) -
		       tri_cdf(s->dense_mean, s->dense_half, a));
		pr += (1 - inc) * (1 - p->dense_share) *
		      (tri_cdf(s->sparse_mean, s->sparse_half, z) -
		       tri_cdf(s->sparse_mean, s->sparse_half, a));
		return pr;
	}
	case WL_SIZES_FIXED:
		return lo <= p->fixed_size && p->fixed_size <= hi ? 1 : 0;
	}
	return 0;
}

double wl_sizes_mean(const struct wl_sizes *s)
{
	const struct wl_size_params *p = &s->p;
	double page = (double)p->page_size;

	switch (p->kind) {
	case WL_SIZES_EMPIRICAL: {
		double k = page / HIST_PAGE, total = (double)s->cum[NR_HIST - 1], sum = 0;

		for (unsigned int b = 0; b < NR_HIST; b++) {
			double n = (double)(s->cum[b] - (b ? s->cum[b - 1] : 0));
			/* mean of the bucket: uniform over b*32+1 .. b*32+32, scaled */
			double m =
			    b == NR_HIST - 1
				? page
				: ((b * WL_HIST_BUCKET + 0.5 + WL_HIST_BUCKET / 2.0) - 1) * k +
				      (k + 1) / 2;

			sum += n * m;
		}
		return sum / total;
	}
	case WL_SIZES_BIMODAL:
		return p->incompressible * page +
		       (1 - p->incompressible) *
			   (p->dense_share * s->dense_mean + (1 - p->dense_share) * s->sparse_mean);
	case WL_SIZES_FIXED:
		return (double)p->fixed_size;
	}
	return 0;
}

double wl_sizes_incompressible(const struct wl_sizes *s)
{
	return wl_sizes_prob(s, (uint32_t)s->p.page_size, (uint32_t)s->p.page_size);
}
