/*
 * bench_util.h - what the benchmark files share: run options, a seeded PRNG,
 * a page provider that knows which frames the pool holds, and a pool built
 * on it.
 *
 * The provider wraps the host pages of allocator/host_pages.c. It keeps one
 * flag per frame so that the migration benchmark can pick zspage pages, and
 * it knows the host range of all frames so that a mapping can be told apart
 * from the pool's copy buffer: zs_map_object() returns a pointer into the
 * page for an object inside one page and the per-pool buffer for an object
 * that straddles two pages. Classifying objects that way measures what the
 * allocator does rather than what we believe its layout to be.
 *
 * No global mutable state beyond the run options, which main() sets once
 * before any benchmark runs.
 */
#ifndef ZSFRAG_BENCH_UTIL_H
#define ZSFRAG_BENCH_UTIL_H

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "zsmalloc.h"

namespace zsb
{

/* Set once by main(); smoke mode shrinks every working set so a debug build runs it in seconds. */
struct bench_options {
	bool smoke = false;
};
const bench_options &options();
void set_options(const bench_options &o);

/* splitmix64: one seeded stream per benchmark, never rand(). */
struct rng {
	uint64_t s;
	explicit rng(uint64_t seed) : s(seed)
	{
	}
	uint64_t next()
	{
		uint64_t z = (s += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		return z ^ (z >> 31);
	}
	/* uniform in [0, n) (n small next to 2^64: the bias is negligible) */
	uint64_t below(uint64_t n)
	{
		return next() % n;
	}
	double unit()
	{
		return (double)(next() >> 11) * (1.0 / 9007199254740992.0);
	}
};

/* Host pages plus a per-frame "held by the pool" flag. */
struct tracked_pages {
	struct zs_host_pages *hp = nullptr;
	const struct zs_page_ops *host = nullptr;
	size_t page_size = 0; /* bytes */
	unsigned long max_pages = 0;
	std::vector<uint8_t> held;		    /* 1 while the pool owns the frame */
	const uint8_t *lo = nullptr, *hi = nullptr; /* host range of all frames */
	struct zs_page_ops ops = {};

	int init(size_t psize, unsigned long maxp);
	void fini();
	bool in_pages(const void *p) const
	{
		return (const uint8_t *)p >= lo && (const uint8_t *)p < hi;
	}
	/* frames the pool holds now, lowest first */
	std::vector<unsigned long> pool_frames() const;
};

/* A pool over tracked pages; destroys both. */
struct bench_pool {
	tracked_pages tp;
	struct zs_pool *pool = nullptr;

	/* 0, or a negative errno (unknown profile, no memory). */
	int init(const char *profile, enum zs_arch arch, unsigned long max_pages,
		 size_t page_size = 4096);
	void fini();
	~bench_pool()
	{
		fini();
	}
};

/* Memory the indirection costs, from zs_pool_stats(): see bench_alloc.cc. */
struct meta_cost {
	double bytes_per_obj;	   /* handle slot + object header, bytes */
	double share;		   /* of pool memory plus the handle cache outside it */
	double pool_bytes_per_obj; /* pool pages * page size / live objects */
};
meta_cost pool_meta_cost(const struct zs_pool *pool, uint64_t live_objects);

/* Fill p with n bytes derived from tag (payload contents do not matter for timing). */
void fill_bytes(void *p, size_t n, uint64_t tag);

/*
 * CPU time of the calling thread, in seconds. Every time we measure
 * ourselves is CPU time, not wall time: the machines this runs on are shared
 * (parallel builds, other benchmarks), and a descheduled thread's wait is
 * not the allocator's cost. Page faults the code takes still count.
 */
double cpu_seconds();
/*
 * The exceptions, for code that runs helper threads (the replay's host
 * threads): what such code gains is elapsed time, and what it costs is every
 * thread's CPU time.
 */
double wall_seconds();
double process_cpu_seconds();

} /* namespace zsb */

/* Registration entry points, one per benchmark file (called by main). */
void zsb_register_alloc();
void zsb_register_compact();
void zsb_register_replay();

#endif /* ZSFRAG_BENCH_UTIL_H */
