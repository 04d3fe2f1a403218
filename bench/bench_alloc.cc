/*
 * bench_alloc.cc - the cost of handle indirection: zs_malloc + zs_free and
 * zs_map_object + zs_unmap_object with direct handles (v3.18, the handle is
 * the object's location) against indirect handles (v4.1, v6.12: the handle
 * names a slot that holds the location, and every object starts with a
 * header naming its handle).
 *
 * Every profile runs the same request sizes and the same access pattern, so
 * the ratio of two profiles' times at one size is the cost of the layer:
 *
 *   alloc/malloc_free/P/A/SIZE      steady state: K live objects of SIZE
 *                                   bytes, each iteration frees the oldest
 *                                   and allocates one (a FIFO ring); time per
 *                                   pair.
 *   alloc/map_{ro,wo}_{inside,straddle}/P/A/SIZE
 *                                   map, copy the whole payload out (RO) or
 *                                   in (WO), unmap, as zram's read and write
 *                                   paths do; objects visited in a fixed
 *                                   shuffled order (zram's slots are hit at
 *                                   random), either only objects inside one
 *                                   page or only objects straddling two.
 *
 * Which objects straddle is found by mapping each once: the pointer lies in
 * the pool's pages for an object inside a page and in the copy buffer
 * otherwise. The same SIZE lands in different classes with and without the
 * header, so the two sets differ between profiles; the access pattern (one
 * random object of the set per iteration) does not.
 *
 * Counters: ns_per_op (thread CPU time, see cpu_seconds()), objects (size
 * of the visited set), and the memory the indirection costs:
 * meta_B_per_obj (handle slot + header), meta_share (of pool memory plus
 * the handle slots kept outside it), pool_B_per_obj (pool pages per live
 * object, where class rounding of the larger request shows).
 */
#include <algorithm>
#include <cstring>

#include "bench_util.h"

namespace
{

using zsb::bench_pool;

const char *const k_profiles[] = {"v3.18", "v4.1", "v6.12"};
const size_t k_sizes[] = {100, 300, 700, 1400, 3000}; /* bytes, requests */

unsigned long live_objects()
{
	return zsb::options().smoke ? 256 : 16384;
}

/* pool pages for n objects of size bytes, with room to spare */
unsigned long pages_for(unsigned long n, size_t size)
{
	return (unsigned long)((n * (size + 64)) / 4096 * 2 + 256);
}

void set_meta_counters(benchmark::State &state, const struct zs_pool *pool, uint64_t live)
{
	zsb::meta_cost m = zsb::pool_meta_cost(pool, live);

	state.counters["meta_B_per_obj"] = m.bytes_per_obj;
	state.counters["meta_share"] = m.share;
	state.counters["pool_B_per_obj"] = m.pool_bytes_per_obj;
}

int fill_pool(bench_pool &bp, size_t size, std::vector<unsigned long> &handles)
{
	std::vector<uint8_t> buf(size);

	zsb::fill_bytes(buf.data(), size, 42);
	for (auto &h : handles) {
		int err = zs_malloc(bp.pool, size, 0, &h);

		if (err)
			return err;
		memcpy(zs_map_object(bp.pool, h, ZS_MM_WO), buf.data(), size);
		zs_unmap_object(bp.pool, h);
	}
	return 0;
}

void bm_malloc_free(benchmark::State &state, const char *profile, enum zs_arch arch, size_t size)
{
	unsigned long n = live_objects();
	std::vector<unsigned long> h(n);
	bench_pool bp;
	size_t i = 0;
	double t0, t1;
	uint64_t ops = 0;

	if (bp.init(profile, arch, pages_for(n, size)) || fill_pool(bp, size, h)) {
		state.SkipWithError("pool setup failed");
		return;
	}
	t0 = zsb::cpu_seconds();
	for (auto _ : state) {
		zs_free(bp.pool, h[i]);
		if (zs_malloc(bp.pool, size, 0, &h[i])) {
			state.SkipWithError("zs_malloc failed");
			break;
		}
		if (++i == n)
			i = 0;
		ops++;
	}
	t1 = zsb::cpu_seconds();
	state.counters["ns_per_op"] = ops ? (t1 - t0) * 1e9 / (double)ops : 0;
	state.counters["objects"] = (double)n;
	set_meta_counters(state, bp.pool, n);
}

enum map_kind { MAP_INSIDE, MAP_STRADDLE };

void bm_map(benchmark::State &state, const char *profile, enum zs_arch arch, size_t size,
	    enum zs_mapmode mode, enum map_kind kind)
{
	unsigned long n = live_objects();
	std::vector<unsigned long> h(n), set;
	std::vector<uint8_t> buf(size);
	bench_pool bp;
	size_t i = 0;
	double t0, t1;
	uint64_t ops = 0;

	if (bp.init(profile, arch, pages_for(n, size)) || fill_pool(bp, size, h)) {
		state.SkipWithError("pool setup failed");
		return;
	}
	for (unsigned long hd : h) {
		bool inside = bp.tp.in_pages(zs_map_object(bp.pool, hd, ZS_MM_RO));

		zs_unmap_object(bp.pool, hd);
		if (inside == (kind == MAP_INSIDE))
			set.push_back(hd);
	}
	if (set.empty()) {
		state.SkipWithError("no object of this kind at this size");
		return;
	}
	{
		zsb::rng r(7);

		for (size_t k = set.size(); k > 1; k--)
			std::swap(set[k - 1], set[r.below(k)]);
	}
	zsb::fill_bytes(buf.data(), size, 9);
	t0 = zsb::cpu_seconds();
	for (auto _ : state) {
		unsigned long hd = set[i];
		auto *p = static_cast<uint8_t *>(zs_map_object(bp.pool, hd, mode));

		if (mode == ZS_MM_WO)
			memcpy(p, buf.data(), size);
		else
			memcpy(buf.data(), p, size);
		zs_unmap_object(bp.pool, hd);
		benchmark::DoNotOptimize(buf.data());
		benchmark::ClobberMemory();
		if (++i == set.size())
			i = 0;
		ops++;
	}
	t1 = zsb::cpu_seconds();
	state.counters["ns_per_op"] = ops ? (t1 - t0) * 1e9 / (double)ops : 0;
	state.counters["objects"] = (double)set.size();
	set_meta_counters(state, bp.pool, n);
}

std::string name(const char *op, const char *profile, enum zs_arch arch, size_t size)
{
	return std::string("alloc/") + op + "/" + profile + "/" + zs_arch_name(arch) + "/" +
	       std::to_string(size);
}

} /* namespace */

void zsb_register_alloc()
{
	static const struct {
		const char *op;
		enum zs_mapmode mode;
		enum map_kind kind;
	} maps[] = {
	    {"map_ro_inside", ZS_MM_RO, MAP_INSIDE},
	    {"map_ro_straddle", ZS_MM_RO, MAP_STRADDLE},
	    {"map_wo_inside", ZS_MM_WO, MAP_INSIDE},
	    {"map_wo_straddle", ZS_MM_WO, MAP_STRADDLE},
	};

	for (size_t size : k_sizes) {
		for (const char *p : k_profiles) {
			/* arm32 is the seed's platform; x86_64 shows the 8-byte words' cost */
			for (enum zs_arch a : {ZS_ARCH_ARM32, ZS_ARCH_X86_64})
				benchmark::RegisterBenchmark(
				    name("malloc_free", p, a, size).c_str(), bm_malloc_free, p, a,
				    size);
			for (const auto &m : maps)
				benchmark::RegisterBenchmark(
				    name(m.op, p, ZS_ARCH_ARM32, size).c_str(), bm_map, p,
				    ZS_ARCH_ARM32, size, m.mode, m.kind);
		}
	}
}
