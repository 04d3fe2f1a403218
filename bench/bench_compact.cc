/*
 * bench_compact.cc - what moving zsmalloc objects costs, next to the
 * physical limit for moving the same bytes.
 *
 *   compact/zs_compact/P/A/freeNN   a pool of zram-like objects (sizes drawn
 *                                   as the demo trace draws them: lognormal
 *                                   around 1.5 KiB, 64..4096 bytes), NN% of
 *                                   them freed at random; one zs_compact()
 *                                   timed per iteration (manual time, CPU: the
 *                                   pool is rebuilt, untimed, every time;
 *                                   20 iterations per repetition).
 *                                   Interleaved with it, in the same
 *                                   iteration, a memcpy of the same number of
 *                                   objects of the same average size between
 *                                   two buffers: the bound no compaction can
 *                                   beat. Each iteration gives one ratio of
 *                                   the pair, and frac_of_memcpy is the median
 *                                   of those: both halves of a ratio see the
 *                                   same few milliseconds of a shared machine
 *                                   (as alloc/ratio does for the profiles),
 *                                   and the memcpy takes turns going first
 *                                   (before the compaction it copies as much
 *                                   as the previous iteration's moved).
 *                                   Both start cold: the pool's frames and
 *                                   the copy's buffers are flushed from the
 *                                   caches (clflush, untimed) before each
 *                                   timed part, so neither inherits what the
 *                                   pool build, the other part, or another
 *                                   tenant of the host left in a cache; on
 *                                   this VM the L3 is larger than the pool,
 *                                   and whether the copy ran from L3 or DRAM
 *                                   moved memcpy between 1 and 8 GB/s from
 *                                   run to run.
 *   compact/page_migrate/P/A         kernel-compaction-style migration of a
 *                                   zspage page: zs_page_isolate(), a new
 *                                   frame, zs_page_migrate(), the old frame
 *                                   freed (the migration core's part, played
 *                                   here); every pool page in turn. Then a
 *                                   memcpy of as many pages.
 *
 * Counters (means over the iterations): objs_per_s, bytes_per_s,
 * memcpy_bytes_per_s, frac_of_memcpy (compaction bytes/s over memcpy
 * bytes/s: the median of the per-iteration ratios), x_memcpy (its inverse:
 * compaction's time per byte in memcpys), ns_per_obj, bytes_moved and pages_freed per compaction,
 * frag_before (share of allocated object slots unused before compaction);
 * for migration pages_per_s, ns_per_page, objs_per_page.
 */
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "bench_util.h"

namespace
{

using zsb::bench_pool;

const char *const k_compact_profiles[] = {"rfc2014", "v4.1", "v4.3", "v4.8", "v6.1", "v6.12"};
const char *const k_migrate_profiles[] = {"v4.8", "v6.1", "v6.12"};
const int k_free_pct[] = {25, 50, 75};

unsigned long pool_objects()
{
	return zsb::options().smoke ? 512 : 32768;
}

/* A compressed page's size, as scripts/gen-demo-trace.py draws them (no same-filled pages). */
size_t zram_like_size(zsb::rng &r)
{
	double u1 = r.unit(), u2 = r.unit();
	double z =
	    std::sqrt(-2.0 * std::log(u1 > 0 ? u1 : 1e-12)) * std::cos(6.283185307179586 * u2);
	double v = std::exp(7.3 + 0.45 * z);

	if (r.unit() < 0.1)
		return 4096; /* incompressible */
	return (size_t)std::min(4096.0, std::max(64.0, v));
}

/* Fill a pool with n objects, then free free_pct% of them at random. */
int build_pool(bench_pool &bp, const char *profile, enum zs_arch arch, unsigned long n,
	       int free_pct, uint64_t seed, uint64_t *live)
{
	std::vector<unsigned long> h(n);
	std::vector<uint8_t> buf(4096);
	zsb::rng r(seed);
	int err = bp.init(profile, arch, n + 4096);

	if (err)
		return err;
	zsb::fill_bytes(buf.data(), buf.size(), seed);
	for (auto &hd : h) {
		size_t size = zram_like_size(r);

		err = zs_malloc(bp.pool, size, 0, &hd);
		if (err)
			return err;
		memcpy(zs_map_object(bp.pool, hd, ZS_MM_WO), buf.data(), size);
		zs_unmap_object(bp.pool, hd);
	}
	*live = n;
	for (auto &hd : h) {
		if ((int)r.below(100) < free_pct) {
			zs_free(bp.pool, hd);
			(*live)--;
		}
	}
	return 0;
}

double unused_slot_share(const struct zs_pool *pool)
{
	unsigned long used = 0, allocated = 0;

	for (unsigned int i = 0; i < zs_class_count(pool); i++) {
		struct zs_class_info ci;
		struct zs_class_stats cs;

		if (zs_class_info(pool, i, &ci) || ci.merged_into != i ||
		    zs_class_stats(pool, i, &cs))
			continue;
		used += cs.obj_used;
		allocated += cs.obj_allocated;
	}
	return allocated ? 1.0 - (double)used / (double)allocated : 0;
}

/*
 * Write back and evict n bytes at p from every cache level, so that what is
 * timed next starts from memory. Only x86 has an unprivileged instruction for
 * it; elsewhere this does nothing and the two parts start as warm as they are.
 */
void flush_range(const void *p, size_t n)
{
#if defined(__x86_64__) || defined(__i386__)
	const char *c = static_cast<const char *>(p) - ((uintptr_t)p & 63);
	const char *end = static_cast<const char *>(p) + n;

	for (; c < end; c += 64)
		_mm_clflush(c);
	_mm_mfence();
#else
	(void)p;
	(void)n;
#endif
}

/* Every frame the pool holds, out of the caches. */
void flush_pool(const bench_pool &bp)
{
	for (unsigned long pfn : bp.tp.pool_frames())
		flush_range(bp.tp.host->page_address(bp.tp.hp, pfn), bp.tp.page_size);
}

/* memcpy of objs chunks of chunk bytes from src to dst, from cold; seconds. */
double time_memcpy(uint8_t *dst, const uint8_t *src, uint64_t objs, size_t chunk)
{
	double t0;

	flush_range(src, objs * chunk);
	flush_range(dst, objs * chunk);
	t0 = zsb::cpu_seconds();
	for (uint64_t k = 0; k < objs; k++)
		memcpy(dst + k * chunk, src + k * chunk, chunk);
	benchmark::ClobberMemory();
	return zsb::cpu_seconds() - t0;
}

double median(std::vector<double> v)
{
	if (v.empty())
		return 0;
	std::sort(v.begin(), v.end());
	size_t m = v.size() / 2;
	return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

void bm_zs_compact(benchmark::State &state, const char *profile, enum zs_arch arch, int free_pct)
{
	unsigned long n = pool_objects();
	/* buffers for the memcpy bound: at most every live object at 4 KiB */
	std::vector<uint8_t> src(n * 4096), dst(n * 4096);
	std::vector<double> fracs; /* one compaction/memcpy rate ratio per iteration */
	double t_compact = 0, t_memcpy = 0, frag = 0;
	uint64_t objs = 0, bytes = 0, pages = 0, memcpy_bytes = 0, seed = 1;
	uint64_t prev_objs = 0; /* what the previous iteration moved: a memcpy going first copies as much */
	size_t prev_chunk = 0;
	bool memcpy_first = false;

	zsb::fill_bytes(src.data(), src.size(), 3);
	memset(dst.data(), 0, dst.size());
	for (auto _ : state) {
		bench_pool bp;
		struct zs_compact_result res = {};
		uint64_t live, m_objs = 0;
		size_t m_chunk = 0;
		double t0, dt, dm = 0;
		int err;

		if (build_pool(bp, profile, arch, n, free_pct, seed++, &live)) {
			state.SkipWithError("pool setup failed");
			return;
		}
		frag += unused_slot_share(bp.pool);
		if (memcpy_first && prev_objs) {
			m_objs = prev_objs;
			m_chunk = prev_chunk;
			dm = time_memcpy(dst.data(), src.data(), m_objs, m_chunk);
		}
		flush_pool(bp);
		t0 = zsb::cpu_seconds();
		err = zs_compact(bp.pool, &res);
		dt = zsb::cpu_seconds() - t0;
		if (err) {
			state.SkipWithError("zs_compact failed");
			return;
		}
		state.SetIterationTime(dt);
		t_compact += dt;
		objs += res.objs_migrated;
		bytes += res.bytes_copied;
		pages += res.pages_freed;
		if (res.objs_migrated) {
			prev_objs = res.objs_migrated;
			prev_chunk = (size_t)(res.bytes_copied / res.objs_migrated);
			if (!m_objs) {
				m_objs = prev_objs;
				m_chunk = prev_chunk;
				dm = time_memcpy(dst.data(), src.data(), m_objs, m_chunk);
			}
		}
		if (m_objs) {
			t_memcpy += dm;
			memcpy_bytes += m_objs * m_chunk;
			if (dt > 0 && dm > 0)
				fracs.push_back(((double)res.bytes_copied / dt) /
						((double)(m_objs * m_chunk) / dm));
		}
		memcpy_first = !memcpy_first;
	}
	double it = (double)state.iterations();
	double frac = median(fracs);

	state.counters["objs_per_s"] = t_compact > 0 ? (double)objs / t_compact : 0;
	state.counters["bytes_per_s"] = t_compact > 0 ? (double)bytes / t_compact : 0;
	state.counters["memcpy_bytes_per_s"] = t_memcpy > 0 ? (double)memcpy_bytes / t_memcpy : 0;
	state.counters["frac_of_memcpy"] = frac;
	state.counters["x_memcpy"] = frac > 0 ? 1 / frac : 0;
	state.counters["ns_per_obj"] = objs ? t_compact * 1e9 / (double)objs : 0;
	state.counters["bytes_moved"] = it > 0 ? (double)bytes / it : 0;
	state.counters["pages_freed"] = it > 0 ? (double)pages / it : 0;
	state.counters["frag_before"] = it > 0 ? frag / it : 0;
}

void bm_page_migrate(benchmark::State &state, const char *profile, enum zs_arch arch)
{
	unsigned long n = pool_objects();
	bench_pool bp;
	std::vector<unsigned long> frames;
	size_t i = 0;
	uint64_t live, pages = 0;
	double t0, t_migrate, t_memcpy;

	if (build_pool(bp, profile, arch, n, 0, 11, &live)) {
		state.SkipWithError("pool setup failed");
		return;
	}
	frames = bp.tp.pool_frames();
	t0 = zsb::cpu_seconds();
	for (auto _ : state) {
		unsigned long oldpfn = frames[i], newpfn;

		if (!zs_page_isolate(bp.pool, oldpfn)) {
			state.SkipWithError("zs_page_isolate refused a pool page");
			return;
		}
		if (bp.tp.ops.alloc_page(&bp.tp, 0, &newpfn) ||
		    zs_page_migrate(bp.pool, newpfn, oldpfn)) {
			state.SkipWithError("zs_page_migrate failed");
			return;
		}
		bp.tp.ops.free_page(&bp.tp, oldpfn); /* the migration core puts the old page */
		frames[i] = newpfn;
		if (++i == frames.size())
			i = 0;
		pages++;
	}
	t_migrate = zsb::cpu_seconds() - t0;
	{
		/*
		 * memcpy of as many pages in the same pattern: as many frames as
		 * the pool has plus one, each page copied in turn into the frame
		 * vacated last (the provider hands the old frame back LIFO).
		 */
		size_t ps = bp.tp.page_size, span = frames.size();
		std::vector<uint8_t> mem((span + 1) * ps);
		size_t vacant = span;

		zsb::fill_bytes(mem.data(), mem.size(), 5);
		t0 = zsb::cpu_seconds();
		for (uint64_t k = 0; k < pages; k++) {
			size_t from = (size_t)(k % span) == vacant ? span : (size_t)(k % span);

			memcpy(mem.data() + vacant * ps, mem.data() + from * ps, ps);
			vacant = from;
		}
		benchmark::ClobberMemory();
		t_memcpy = zsb::cpu_seconds() - t0;
	}
	if (zs_pool_check(bp.pool, nullptr, 0)) {
		state.SkipWithError("pool inconsistent after migration");
		return;
	}
	double ps = (double)bp.tp.page_size;

	state.counters["pages_per_s"] = t_migrate > 0 ? (double)pages / t_migrate : 0;
	state.counters["bytes_per_s"] = t_migrate > 0 ? (double)pages * ps / t_migrate : 0;
	state.counters["memcpy_bytes_per_s"] = t_memcpy > 0 ? (double)pages * ps / t_memcpy : 0;
	state.counters["frac_of_memcpy"] = t_migrate > 0 && t_memcpy > 0 ? t_memcpy / t_migrate : 0;
	state.counters["ns_per_page"] = pages ? t_migrate * 1e9 / (double)pages : 0;
	state.counters["objs_per_page"] = frames.empty() ? 0 : (double)live / (double)frames.size();
}

} /* namespace */

void zsb_register_compact()
{
	for (const char *p : k_compact_profiles)
		for (int f : k_free_pct)
			benchmark::RegisterBenchmark(("compact/zs_compact/" + std::string(p) +
						      "/arm32/free" + std::to_string(f))
							 .c_str(),
						     bm_zs_compact, p, ZS_ARCH_ARM32, f)
			    /* a fixed count: a tiny compaction must not mean thousands of rebuilds
			     */
			    ->Iterations(zsb::options().smoke ? 1 : 20)
			    ->UseManualTime()
			    ->Unit(benchmark::kMillisecond);
	for (const char *p : k_migrate_profiles)
		benchmark::RegisterBenchmark(
		    ("compact/page_migrate/" + std::string(p) + "/arm32").c_str(), bm_page_migrate,
		    p, ZS_ARCH_ARM32);
}
