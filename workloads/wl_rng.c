/*
 * wl_rng.c - the generators' PRNG: xoshiro256** (Blackman and Vigna),
 * seeded through splitmix64 so that any 64-bit seed, 0 included, gives a
 * well-mixed state.
 *
 * One struct wl_rng per generator is passed to every model and to the size
 * model; nothing else draws random numbers, so a trace is a function of its
 * mix, its parameters and its seed. Distributions are built from
 * wl_rng_unit() with libm; wl_rng_normal() uses Box-Muller without caching
 * the second value, so the state is the four words and nothing more.
 */
#include <math.h>

#include "wl.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void wl_rng_seed(struct wl_rng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t wl_rng_u64(struct wl_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double wl_rng_unit(struct wl_rng *r)
{
	return (double)(wl_rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Lemire's multiply-and-reject: unbiased, one multiplication in the common case. */
uint64_t wl_rng_below(struct wl_rng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t lo;

	if (n == 0)
		return 0;
	m = (unsigned __int128)wl_rng_u64(r) * n;
	lo = (uint64_t)m;
	if (lo < n) {
		uint64_t thresh = -n % n;

		while (lo < thresh) {
			m = (unsigned __int128)wl_rng_u64(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double wl_rng_exp(struct wl_rng *r, double mean)
{
	/* 1 - u is in (0, 1], so the log is finite */
	return -mean * log(1.0 - wl_rng_unit(r));
}

double wl_rng_normal(struct wl_rng *r)
{
	double u1 = 1.0 - wl_rng_unit(r), u2 = wl_rng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double wl_rng_lognormal(struct wl_rng *r, double median, double sigma)
{
	return median * exp(sigma * wl_rng_normal(r));
}
