/*
 * bench_main.cc - main() of zsfrag_bench and the helpers of bench_util.h.
 *
 * Benchmarks are registered at run time (benchmark::RegisterBenchmark) so
 * that names carry the profile and size in words, e.g.
 * "alloc/map_ro_straddle/v4.1/arm32/1000", which is what scripts/bench pairs
 * across profiles to compute ratios.
 *
 * Our own flag, read before Google Benchmark sees the command line:
 *   --zsfrag_smoke   small working sets (the bench-smoke ctest: every
 *                    benchmark runs and reports its counters, nothing is
 *                    timed seriously).
 */
#include <cerrno>
#include <cstring>
#include <ctime>

#include "bench_util.h"

namespace zsb
{

static bench_options g_opts; /* written once in main(), before any benchmark runs */

const bench_options &options()
{
	return g_opts;
}

void set_options(const bench_options &o)
{
	g_opts = o;
}

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cpu_seconds()
{
	return clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}

double wall_seconds()
{
	return clock_seconds(CLOCK_MONOTONIC);
}

double process_cpu_seconds()
{
	return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

/* ---- tracked pages: host pages plus the flag per frame ---- */

static int tp_alloc(void *ctx, unsigned int gfp, unsigned long *pfn)
{
	auto *tp = static_cast<tracked_pages *>(ctx);
	int err = tp->host->alloc_page(tp->hp, gfp, pfn);

	if (!err)
		tp->held[*pfn] = 1;
	return err;
}

static void tp_free(void *ctx, unsigned long pfn)
{
	auto *tp = static_cast<tracked_pages *>(ctx);

	tp->held[pfn] = 0;
	tp->host->free_page(tp->hp, pfn);
}

static void *tp_address(void *ctx, unsigned long pfn)
{
	auto *tp = static_cast<tracked_pages *>(ctx);

	return tp->host->page_address(tp->hp, pfn);
}

static void **tp_private(void *ctx, unsigned long pfn)
{
	auto *tp = static_cast<tracked_pages *>(ctx);

	return tp->host->page_private(tp->hp, pfn);
}

int tracked_pages::init(size_t psize, unsigned long maxp)
{
	int err = zs_host_pages_create(psize, maxp, &hp);

	if (err)
		return err;
	host = zs_host_page_ops();
	page_size = psize;
	max_pages = maxp;
	held.assign(maxp, 0);
	/* host_pages carves every frame out of one mapping, frame 0 first */
	lo = static_cast<const uint8_t *>(host->page_address(hp, 0));
	hi = static_cast<const uint8_t *>(host->page_address(hp, maxp - 1)) + psize;
	ops.alloc_page = tp_alloc;
	ops.free_page = tp_free;
	ops.page_address = tp_address;
	ops.page_private = tp_private;
	/* no set_movable: the benchmark plays the migration core itself */
	ops.set_movable = nullptr;
	return 0;
}

void tracked_pages::fini()
{
	zs_host_pages_destroy(hp);
	hp = nullptr;
}

std::vector<unsigned long> tracked_pages::pool_frames() const
{
	std::vector<unsigned long> v;

	for (unsigned long pfn = 0; pfn < max_pages; pfn++)
		if (held[pfn])
			v.push_back(pfn);
	return v;
}

int bench_pool::init(const char *profile, enum zs_arch arch, unsigned long max_pages,
		     size_t page_size)
{
	struct zs_pool_config cfg = {};
	int err;

	fini();
	err = tp.init(page_size, max_pages);
	if (err)
		return err;
	cfg.profile = profile;
	cfg.arch = arch;
	cfg.page_size = page_size;
	err = zs_create_pool(&cfg, &tp.ops, &tp, &pool);
	if (err) {
		tp.fini();
		pool = nullptr;
	}
	return err;
}

void bench_pool::fini()
{
	if (pool)
		zs_destroy_pool(pool);
	pool = nullptr;
	tp.fini();
}

/*
 * The memory the indirection costs. A 4.1+ object carries a header (one
 * word, inside the pool) and owns a handle slot (one word in the zs_handle
 * kmem_cache, outside the pool; inside it for rfc2014, where the pool's
 * pages already count it). Share: those bytes over all the memory the
 * objects take, pool pages plus slab slots kept outside.
 */
meta_cost pool_meta_cost(const struct zs_pool *pool, uint64_t live_objects)
{
	struct zs_pool_stats st;
	const struct zs_profile_info *info = zs_pool_profile(pool);
	double pool_bytes = (double)zs_get_total_pages(pool) * (double)zs_page_size(pool);
	double slots_outside;
	meta_cost m;

	zs_pool_stats(pool, &st);
	m.bytes_per_obj = (double)(st.handle_slot_bytes + st.obj_header_bytes);
	slots_outside =
	    info->handles_in_pool ? 0 : (double)st.handles_allocated * (double)st.handle_slot_bytes;
	m.share = pool_bytes + slots_outside > 0
		      ? (double)live_objects * m.bytes_per_obj / (pool_bytes + slots_outside)
		      : 0;
	m.pool_bytes_per_obj = live_objects ? pool_bytes / (double)live_objects : 0;
	return m;
}

void fill_bytes(void *p, size_t n, uint64_t tag)
{
	rng r(tag);
	auto *b = static_cast<uint8_t *>(p);

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = r.next();

		memcpy(b + i, &w, n - i < 8 ? n - i : 8);
	}
}

} /* namespace zsb */

int main(int argc, char **argv)
{
	zsb::bench_options o;
	int n = 1;

	/* take our flags out before Google Benchmark parses the rest */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--zsfrag_smoke") == 0)
			o.smoke = true;
		else
			argv[n++] = argv[i];
	}
	argc = n;
	argv[argc] = nullptr;
	zsb::set_options(o);

	zsb_register_alloc();
	zsb_register_compact();
	zsb_register_replay();

	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 64; /* EX_USAGE */
	benchmark::AddCustomContext("zsfrag_smoke", o.smoke ? "1" : "0");
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
